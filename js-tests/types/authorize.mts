// Type-checked with tsc --module nodenext: the authorization request, the redirect, the code exchange,
// and the clients' doors built on them (ESM).
import {
  createAuthorizationRequest,
  parseAuthorizationResponse,
  buildAuthorizationCodeRequest,
  createRefreshTokenClient,
  createSystemUserClient,
  SuperOfficeAuthError,
  type AuthorizationRequest,
  type AuthorizationResponseResult,
  type HttpRequestDescriptor,
  type CodeExchangeResult,
  type OnboardedTenant,
  type ErrorCode,
} from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';

const request: AuthorizationRequest = createAuthorizationRequest({
  environment: 'sod',
  clientId: 'c',
  redirectUri: 'https://a/cb',
});
const url: string = request.url;
const kept: [string, string, string | null] = [request.state, request.nonce, request.codeVerifier];
createAuthorizationRequest({
  baseUrl: 'http://127.0.0.1:1',
  clientId: 'c',
  redirectUri: 'https://a/cb',
  responseType: 'id_token',
  responseMode: 'form_post',
  scope: 'openid',
  prompt: 'login',
  loginHint: 'ada',
  contextIdentifier: 'Cust1',
});
createAuthorizationRequest({
  environment: 'online',
  clientId: 'c',
  redirectUri: 'https://a/cb',
  codeChallengeMethod: 'S256',
});
createAuthorizationRequest({
  environment: 'sod',
  clientId: 'c',
  redirectUri: 'https://a/cb',
  // @ts-expect-error: only S256
  codeChallengeMethod: 'plain',
});
// @ts-expect-error: environment and baseUrl are exclusive
createAuthorizationRequest({ environment: 'sod', baseUrl: 'https://x', clientId: 'c', redirectUri: 'https://a/cb' });
// @ts-expect-error: redirectUri is required
createAuthorizationRequest({ environment: 'sod', clientId: 'c' });

const fromQuery: AuthorizationResponseResult = parseAuthorizationResponse('?code=x&state=s', { state: request.state });
const code: string | undefined = fromQuery.code;
const idToken: string | undefined = parseAuthorizationResponse(
  { id_token: 'a.b.c', state: 's' },
  { state: 's' },
).idToken;
parseAuthorizationResponse(new URLSearchParams('code=x&state=s'), { state: 's' });
parseAuthorizationResponse(new URL('https://a/cb?code=x&state=s'), { state: 's' });
// @ts-expect-error: the kept state is required
parseAuthorizationResponse('code=x&state=s', {});

const exchange: HttpRequestDescriptor = buildAuthorizationCodeRequest({
  environment: 'sod',
  clientId: 'c',
  clientSecret: 's',
  code: 'x',
  redirectUri: 'https://a/cb',
  codeVerifier: 'v'.repeat(43),
});
// @ts-expect-error: the code verifier is required
buildAuthorizationCodeRequest({
  environment: 'sod',
  clientId: 'c',
  clientSecret: 's',
  code: 'x',
  redirectUri: 'https://a/cb',
});

const mock = await startMockSuperOffice({ codeLifetimeSeconds: 30, idTokenIatAsString: false });
mock.registerClient({ clientId: 'c', clientSecret: 's', redirectUris: ['https://a/cb'] });
const issued: number = mock.stats.codesIssued + mock.stats.authorize;
mock.injectFault('deny', { endpoint: 'authorize', times: 1 });

const client = createRefreshTokenClient({
  baseUrl: mock.baseUrl,
  issuer: mock.issuer,
  clientId: 'c',
  clientSecret: 's',
  redirectUri: 'https://a/cb',
});
const first: CodeExchangeResult = await client.fromAuthorizationCode({
  code: 'x',
  codeVerifier: 'v',
  nonce: request.nonce,
});
const refreshToken: string = first.refreshToken;
const access: string = first.accessToken;

const systemUser = createSystemUserClient({
  baseUrl: mock.baseUrl,
  issuer: mock.issuer,
  clientId: 'c',
  applicationToken: 'a',
  privateKey: '...',
});
const approval = systemUser.createOnboardingRequest({ redirectUri: 'https://a/approved', contextIdentifier: 'Cust1' });
const verifier: null = approval.codeVerifier;
const tenant: OnboardedTenant = await systemUser.onboardTenant('id_token=a.b.c&state=s', {
  state: approval.state,
  nonce: approval.nonce,
});
await systemUser.onboardTenant({ id_token: 'a.b.c', state: 's' }, { state: 's', nonce: 'n' });
await systemUser.onboardTenant('a.b.c', { nonce: 'n' });
// @ts-expect-error: with state, the nonce is required
await systemUser.onboardTenant('id_token=a.b.c&state=s', { state: 's' });

const mismatch: ErrorCode = 'ERR_STATE_MISMATCH';
const error = new SuperOfficeAuthError('ERR_OAUTH_ERROR', 'declined', { oauthError: 'access_denied' });
const declined: string | undefined = error.oauthError;

void [url, kept, code, idToken, exchange, issued, refreshToken, access, verifier, tenant, mismatch, declined];
