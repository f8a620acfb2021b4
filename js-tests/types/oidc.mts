// Type-checked with tsc --module nodenext: SuperIdTokens, the refresh grant and the refresh client (ESM).
import {
  parseSuperIdToken,
  buildRefreshTokenRequest,
  parseTokenResponse,
  createRefreshTokenClient,
  createSystemUserClient,
  type SuperIdTokenResult,
  type TokenResult,
  type RefreshTokenClient,
  type RefreshedToken,
  type OnboardedTenant,
  type HttpRequestDescriptor,
} from 'superoffice-auth';
import { startMockSuperOffice, type MockSuperOffice } from 'superoffice-auth/testing';

const claims: SuperIdTokenResult = parseSuperIdToken('jwt', {
  environment: 'online',
  clientId: 'c',
  keys: '...',
  nonce: 'n',
  now: new Date(),
});
const systemUserToken: string | null = claims.systemUserToken;
const ctx: string = claims.contextIdentifier;
const admin: boolean = claims.isAdministrator;
parseSuperIdToken('jwt', { issuer: 'http://127.0.0.1:1', clientId: 'c', keys: { keys: [] }, leewaySeconds: 30 });
// @ts-expect-error: environment and issuer are exclusive
parseSuperIdToken('jwt', { environment: 'sod', issuer: 'https://x', clientId: 'c', keys: '' });
// @ts-expect-error: clientId is required
parseSuperIdToken('jwt', { environment: 'sod', keys: '' });

const request: HttpRequestDescriptor = buildRefreshTokenRequest({
  environment: 'sod',
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
  redirectUri: 'https://a/cb',
});
buildRefreshTokenRequest({ baseUrl: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', refreshToken: 'r' });
// @ts-expect-error: clientSecret is required
buildRefreshTokenRequest({ environment: 'sod', clientId: 'c', refreshToken: 'r' });

const plain: TokenResult = parseTokenResponse({ status: 200, body: '{}' }, { now: 0 });
const expires: Date = plain.expiresAt;
const rotated: string | null = plain.refreshToken;
const withId: TokenResult = parseTokenResponse(
  { status: 200, headers: request.headers, body: '{}' },
  { keys: '...', environment: 'sod', clientId: 'c', nonce: 'n' },
);
const idWebApi: string | null | undefined = withId.idToken?.webapiUrl;
// @ts-expect-error: a nonce without keys is refused
parseTokenResponse({ status: 200, body: '{}' }, { nonce: 'n' });

const mock: MockSuperOffice = await startMockSuperOffice({
  issuer: 'https://sod.superoffice.com',
  accessTokenLifetimeSeconds: 60,
});
mock.registerClient({ clientId: 'c', clientSecret: 's' });
mock.registerApplication({ applicationToken: 'a', publicKey: '...', clientId: 'app' });
mock.addTenant({ contextIdentifier: 'Cust1', systemUser: false });
const idToken: string = mock.issueSuperIdToken({
  contextIdentifier: 'Cust1',
  clientId: 'c',
  nonce: 'n',
  systemToken: false,
  claims: { aud: 'x' },
});
const refreshToken: string = mock.issueRefreshToken({
  clientId: 'c',
  contextIdentifier: 'Cust1',
  rotate: true,
  lifetimeSeconds: 60,
});
const revoked: boolean =
  mock.revokeRefreshToken(refreshToken) && mock.expireRefreshToken(refreshToken) && mock.revokeAccessToken('8A:x');
const tokens: number = mock.stats.tokens + mock.stats.accessTokensIssued + mock.stats.idTokensIssued;
const issuer: string = mock.issuer;

const client: RefreshTokenClient = createRefreshTokenClient({
  baseUrl: mock.baseUrl,
  issuer,
  clientId: 'c',
  clientSecret: 's',
  refreshToken,
  refreshAheadSeconds: 120,
  timeoutMs: 5000,
  leewaySeconds: 30,
  jwksCooldownMs: 0,
  onRefreshToken: async (token) => void token,
});
const access: string = await client.getAccessToken();
const bearer: string = (await client.authHeaders()).Authorization;
const token: RefreshedToken = await client.getToken();
const obtained: Date = token.obtainedAt;
const dropped: boolean = await client.invalidate({ accessToken: access });
createRefreshTokenClient({ environment: 'online', clientId: 'c', clientSecret: 's', refreshToken: 'r', keys: '...' });
createRefreshTokenClient({
  baseUrl: 'http://x',
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
  validateIdToken: false,
});
// @ts-expect-error: keys serve id_token validation, which validateIdToken: false turns off
createRefreshTokenClient({
  environment: 'sod',
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
  validateIdToken: false,
  keys: '...',
});
// @ts-expect-error: an environment has its own issuer
createRefreshTokenClient({
  environment: 'sod',
  issuer: 'https://x',
  clientId: 'c',
  clientSecret: 's',
  refreshToken: 'r',
});

const systemUser = createSystemUserClient({
  baseUrl: mock.baseUrl,
  issuer,
  clientId: 'app',
  applicationToken: 'a',
  privateKey: '...',
});
const tenant: OnboardedTenant = await systemUser.onboardTenant(idToken, { nonce: 'n' });
const stored: string = tenant.systemUserToken;
createSystemUserClient({ environment: 'online', clientId: 'app', applicationToken: 'a', privateKey: '...' });
// @ts-expect-error: an environment has its own issuer
createSystemUserClient({ environment: 'online', issuer: 'https://x', applicationToken: 'a', privateKey: '...' });

void [systemUserToken, ctx, admin, expires, rotated, idWebApi, revoked, tokens, bearer, obtained, dropped, stored];
await mock.close();
