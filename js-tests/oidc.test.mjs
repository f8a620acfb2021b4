// SuperIdTokens and the refresh-token grant through the pure functions, with id_tokens minted by
// node:crypto (never by the package) and forms decoded by URLSearchParams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  SuperOfficeAuthError,
  buildRefreshTokenRequest,
  parseSuperIdToken,
  parseTokenResponse,
} from 'superoffice-auth';
import { IDENTITY, makeKeyPair, mintJwt } from './helpers/independent.mjs';

const NOW = Date.UTC(2026, 10, 23, 14, 5, 30);
const NOW_S = Math.floor(NOW / 1000);
const issuerKey = makeKeyPair(2048);
const otherKey = makeKeyPair(2048);
const jwks = { keys: [{ ...issuerKey.publicJwk, kid: 'k1', use: 'sig', alg: 'RS256' }] };
const HEADER = { alg: 'RS256', typ: 'JWT', kid: 'k1' };
const SOD = 'https://sod.superoffice.com';
const CLIENT = 'app-client-id';
const SYSTEM_TOKEN = 'MyApp-8k8Q7DmBgo with space';
const CLIENT_SECRET = 'client-secret-0f9a8b7c6d5e';
const REFRESH = 'refresh-token-1a2b3c4d5e6f';

/** SuperOffice's id_token claim set, with iat written as a digit string as SuperOffice does. */
function idClaims(overrides = {}) {
  const claims = {
    iss: SOD,
    aud: CLIENT,
    sub: 'b1946ac92492d2347c6235b4d2611184',
    iat: String(NOW_S),
    nbf: NOW_S,
    exp: NOW_S + 300,
    nonce: 'nonce-1',
    [`${IDENTITY}associateid`]: '5',
    [`${IDENTITY}ctx`]: 'Cust12345',
    [`${IDENTITY}email`]: 'admin@example.com',
    [`${IDENTITY}upn`]: 'admin@cust12345',
    [`${IDENTITY}is_administrator`]: 'True',
    [`${IDENTITY}netserver_url`]: 'https://sod2.superoffice.com/Cust12345/Remote/Services88/',
    [`${IDENTITY}webapi_url`]: 'https://sod2.superoffice.com/Cust12345/api/',
    [`${IDENTITY}serial`]: '1234567890',
    [`${IDENTITY}system_token`]: SYSTEM_TOKEN,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

const idToken = (overrides, key = issuerKey.privateKey) => mintJwt(HEADER, idClaims(overrides), key);
const options = (extra = {}) => ({
  environment: 'sod',
  clientId: CLIENT,
  keys: jwks,
  nonce: 'nonce-1',
  now: NOW,
  ...extra,
});

function rejects(fn, code, extra = {}) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${error}`);
    assert.equal(error.code, code, error.message);
    for (const [name, value] of Object.entries(extra)) assert.equal(error[name], value, name);
    assert.ok(!error.message.includes(SYSTEM_TOKEN), 'the message carries no system user token');
    return true;
  });
}

test('parseSuperIdToken: typed claims of a SuperOffice id_token (iat as a digit string)', () => {
  const result = parseSuperIdToken(idToken(), options());
  assert.deepEqual(
    { ...result, claims: undefined },
    {
      systemUserToken: SYSTEM_TOKEN,
      contextIdentifier: 'Cust12345',
      email: 'admin@example.com',
      upn: 'admin@cust12345',
      associateId: '5',
      isAdministrator: true,
      netserverUrl: 'https://sod2.superoffice.com/Cust12345/Remote/Services88/',
      webapiUrl: 'https://sod2.superoffice.com/Cust12345/api/',
      serial: '1234567890',
      claims: undefined,
    },
  );
  assert.deepEqual(result.claims, idClaims());
  // A minimal token: only ctx is required; absent claims read as null, is_administrator as false.
  const minimal = parseSuperIdToken(
    idToken({
      [`${IDENTITY}system_token`]: undefined,
      [`${IDENTITY}email`]: undefined,
      [`${IDENTITY}is_administrator`]: undefined,
      [`${IDENTITY}associateid`]: 7,
      nonce: undefined,
    }),
    options({ nonce: undefined, now: new Date(NOW) }),
  );
  assert.equal(minimal.systemUserToken, null);
  assert.equal(minimal.email, null);
  assert.equal(minimal.isAdministrator, false);
  assert.equal(minimal.associateId, '7');
});

test('parseSuperIdToken: inspect hides the system user token, JSON keeps it', () => {
  const result = parseSuperIdToken(idToken(), options());
  const shown = inspect(result, { depth: 5 });
  assert.ok(!shown.includes(SYSTEM_TOKEN), shown);
  assert.match(shown, /systemUserToken: '\[redacted\]'/);
  assert.match(shown, /Cust12345/);
  assert.ok(JSON.stringify(result).includes(SYSTEM_TOKEN));
  assert.equal(result.claims[`${IDENTITY}system_token`], SYSTEM_TOKEN, 'inspect does not change the data');
});

test("parseSuperIdToken: requireSystemUserToken refuses a token without the system user token (the core's error)", () => {
  const claim = `${IDENTITY}system_token`;
  const without = idToken({ [claim]: undefined });
  assert.equal(parseSuperIdToken(without, options()).systemUserToken, null, 'optional by default');
  rejects(() => parseSuperIdToken(without, options({ requireSystemUserToken: true })), 'ERR_JWT_CLAIM_INVALID', {
    claim,
  });
  assert.throws(
    () => parseSuperIdToken(without, options({ requireSystemUserToken: true })),
    /system-user application/,
    'the message says what it likely means',
  );
  assert.equal(parseSuperIdToken(idToken(), options({ requireSystemUserToken: true })).systemUserToken, SYSTEM_TOKEN);
  rejects(() => parseSuperIdToken(idToken(), options({ requireSystemUserToken: 'yes' })), 'ERR_INVALID_ARGUMENT');
});

test("parseSuperIdToken: the issuer is the environment's, exactly", () => {
  const stage = idToken({ iss: 'https://qaonline.superoffice.com' });
  assert.equal(parseSuperIdToken(stage, options({ environment: 'stage' })).contextIdentifier, 'Cust12345');
  assert.equal(parseSuperIdToken(stage, options({ environment: 'qaonline' })).contextIdentifier, 'Cust12345');
  const online = idToken({ iss: 'https://online.superoffice.com' });
  assert.equal(parseSuperIdToken(online, options({ environment: 'online' })).contextIdentifier, 'Cust12345');
  // Wrong issuer for the environment: a sod token is not an online one, nor the other way round.
  rejects(() => parseSuperIdToken(idToken(), options({ environment: 'online' })), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'iss',
  });
  rejects(() => parseSuperIdToken(stage, options()), 'ERR_JWT_CLAIM_INVALID', { claim: 'iss' });
  rejects(
    () => parseSuperIdToken(idToken({ iss: 'https://sod.superoffice.com/' }), options()),
    'ERR_JWT_CLAIM_INVALID',
    { claim: 'iss' },
  );
  rejects(() => parseSuperIdToken(idToken({ iss: 'SuperOffice AS' }), options()), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'iss',
  });
  // An explicit issuer (a stand-in) instead of an environment.
  const local = idToken({ iss: 'http://127.0.0.1:8080' });
  const { environment, ...rest } = options();
  assert.equal(environment, 'sod');
  assert.equal(parseSuperIdToken(local, { ...rest, issuer: 'http://127.0.0.1:8080' }).upn, 'admin@cust12345');
  rejects(() => parseSuperIdToken(local, options()), 'ERR_JWT_CLAIM_INVALID', { claim: 'iss' });
});

test('parseSuperIdToken: nonce mismatch, wrong audience, azp, expiry, signature', () => {
  // Nonce.
  rejects(() => parseSuperIdToken(idToken(), options({ nonce: 'nonce-2' })), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'nonce',
  });
  rejects(() => parseSuperIdToken(idToken({ nonce: undefined }), options()), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'nonce',
  });
  assert.ok(parseSuperIdToken(idToken(), options({ nonce: undefined })), 'no nonce asked for: not checked');
  // Audience.
  rejects(() => parseSuperIdToken(idToken(), options({ clientId: 'another-client' })), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'aud',
  });
  rejects(() => parseSuperIdToken(idToken({ aud: 'another-client' }), options()), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'aud',
  });
  rejects(() => parseSuperIdToken(idToken({ aud: undefined }), options()), 'ERR_JWT_CLAIM_INVALID', { claim: 'aud' });
  assert.ok(
    parseSuperIdToken(idToken({ aud: ['other', CLIENT] }), options()),
    'an audience array containing the client',
  );
  rejects(() => parseSuperIdToken(idToken({ azp: 'other' }), options()), 'ERR_JWT_CLAIM_INVALID', { claim: 'azp' });
  // Time.
  rejects(() => parseSuperIdToken(idToken({ exp: NOW_S - 3600 }), options()), 'ERR_JWT_EXPIRED');
  assert.ok(parseSuperIdToken(idToken({ exp: NOW_S - 30 }), options()), 'within the default 60 s leeway');
  rejects(() => parseSuperIdToken(idToken({ exp: NOW_S - 30 }), options({ leewaySeconds: 0 })), 'ERR_JWT_EXPIRED');
  rejects(
    () => parseSuperIdToken(idToken({ nbf: NOW_S + 3600, iat: String(NOW_S + 3600) }), options()),
    'ERR_JWT_NOT_YET_VALID',
  );
  // Signature: another key under the same kid.
  rejects(() => parseSuperIdToken(idToken({}, otherKey.privateKey), options()), 'ERR_JWT_SIGNATURE_INVALID');
  // The tenant is required.
  rejects(() => parseSuperIdToken(idToken({ [`${IDENTITY}ctx`]: undefined }), options()), 'ERR_JWT_CLAIM_INVALID', {
    claim: `${IDENTITY}ctx`,
  });
});

test('parseSuperIdToken: arguments are checked, never defaulted', () => {
  const token = idToken();
  rejects(() => parseSuperIdToken(42, options()), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ clientId: undefined })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ clientId: '' })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ keys: undefined })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ environment: undefined })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ issuer: SOD })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ environment: 'sod2' })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ nonce: '' })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ nonce: 5 })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ now: 'now' })), 'ERR_INVALID_ARGUMENT');
  rejects(() => parseSuperIdToken(token, options({ leewaySeconds: -1 })), 'ERR_INVALID_ARGUMENT');
});

test('buildRefreshTokenRequest: the form POST, decoded by URLSearchParams', () => {
  const request = buildRefreshTokenRequest({
    environment: 'online',
    clientId: CLIENT,
    clientSecret: 'se cret&=+%',
    refreshToken: REFRESH,
    redirectUri: 'https://app.example/callback?x=1',
  });
  assert.equal(request.url, 'https://online.superoffice.com/login/common/oauth/tokens');
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['Content-Type'], 'application/x-www-form-urlencoded');
  assert.equal(request.headers.Accept, 'application/json');
  assert.deepEqual(
    [...new URLSearchParams(request.body)],
    [
      ['grant_type', 'refresh_token'],
      ['client_id', CLIENT],
      ['client_secret', 'se cret&=+%'],
      ['refresh_token', REFRESH],
      ['redirect_uri', 'https://app.example/callback?x=1'],
    ],
  );
  const local = buildRefreshTokenRequest({
    baseUrl: 'http://127.0.0.1:8080/',
    clientId: CLIENT,
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH,
  });
  assert.equal(local.url, 'http://127.0.0.1:8080/login/common/oauth/tokens');
  assert.equal(new URLSearchParams(local.body).has('redirect_uri'), false);
  assert.equal(
    buildRefreshTokenRequest({ environment: 'sod', clientId: 'c', clientSecret: 's', refreshToken: 'r' }).url,
    'https://sod.superoffice.com/login/common/oauth/tokens',
  );
  // The body holds both secrets: inspect hides it, JSON (an explicit request) keeps it.
  const shown = inspect(local);
  assert.ok(!shown.includes(CLIENT_SECRET) && !shown.includes(REFRESH), shown);
  assert.match(shown, /oauth\/tokens/);
  assert.ok(JSON.stringify(local).includes(REFRESH));
});

test('buildRefreshTokenRequest: refused arguments name the argument, never its value', () => {
  const good = { environment: 'sod', clientId: CLIENT, clientSecret: CLIENT_SECRET, refreshToken: REFRESH };
  for (const [what, params] of [
    ['no location', { ...good, environment: undefined }],
    ['both locations', { ...good, baseUrl: 'https://sod.superoffice.com' }],
    ['unknown environment', { ...good, environment: 'sod2' }],
    ['no client secret', { ...good, clientSecret: undefined }],
    ['empty refresh token', { ...good, refreshToken: '' }],
    ['refresh token with its newline', { ...good, refreshToken: `${REFRESH}\n` }],
    ['client secret with a control character', { ...good, clientSecret: `${CLIENT_SECRET}\u0000` }],
    ['redirect URI with a space', { ...good, redirectUri: 'https://a.example/ b' }],
    ['number client id', { ...good, clientId: 5 }],
    ['not an object', null],
  ]) {
    assert.throws(
      () => buildRefreshTokenRequest(params),
      (error) => {
        assert.equal(error.code, 'ERR_INVALID_ARGUMENT', what);
        assert.ok(!error.message.includes(CLIENT_SECRET) && !error.message.includes(REFRESH), what);
        return true;
      },
      what,
    );
  }
});

const tokenBody = (extra = {}) =>
  JSON.stringify({
    token_type: 'Bearer',
    access_token: '8A:Cust12345.access-token-value',
    expires_in: 3600,
    ...extra,
  });
const ok = (body, headers = { 'content-type': 'application/json; charset=utf-8' }) => ({ status: 200, headers, body });

test('parseTokenResponse: without keys the id_token is not read; with keys it is validated', () => {
  const withId = ok(tokenBody({ id_token: idToken({ nonce: undefined }), refresh_token: 'rotated-refresh-token' }));
  const plain = parseTokenResponse(withId, { now: NOW });
  assert.equal(plain.accessToken, '8A:Cust12345.access-token-value');
  assert.equal(plain.tokenType, 'Bearer');
  assert.ok(plain.expiresAt instanceof Date);
  assert.equal(plain.expiresAt.getTime(), NOW + 3600 * 1000);
  assert.equal(plain.refreshToken, 'rotated-refresh-token');
  assert.equal(plain.idToken, null, 'unvalidated claims are never handed out');

  const validated = parseTokenResponse(withId, { now: NOW, keys: jwks, environment: 'sod', clientId: CLIENT });
  assert.equal(validated.idToken.contextIdentifier, 'Cust12345');
  assert.equal(validated.idToken.systemUserToken, SYSTEM_TOKEN);
  const noRotation = parseTokenResponse(ok(tokenBody()), {
    now: NOW,
    keys: jwks,
    environment: 'sod',
    clientId: CLIENT,
  });
  assert.equal(noRotation.refreshToken, null);
  assert.equal(noRotation.idToken, null, 'a refresh need not re-issue the id_token');

  // The id_token is checked like parseSuperIdToken: audience, issuer, nonce.
  assert.throws(() => parseTokenResponse(withId, { now: NOW, keys: jwks, environment: 'sod', clientId: 'other' }), {
    code: 'ERR_JWT_CLAIM_INVALID',
    claim: 'aud',
  });
  assert.throws(() => parseTokenResponse(withId, { now: NOW, keys: jwks, environment: 'online', clientId: CLIENT }), {
    code: 'ERR_JWT_CLAIM_INVALID',
    claim: 'iss',
  });
  const withNonce = ok(tokenBody({ id_token: idToken() }));
  assert.throws(
    () => parseTokenResponse(withNonce, { now: NOW, keys: jwks, environment: 'sod', clientId: CLIENT, nonce: 'x' }),
    { code: 'ERR_JWT_CLAIM_INVALID', claim: 'nonce' },
  );

  // Tokens print redacted.
  const shown = inspect(validated, { depth: 5 });
  for (const secret of ['access-token-value', 'rotated-refresh-token', SYSTEM_TOKEN])
    assert.ok(!shown.includes(secret), `${secret} in ${shown}`);
  assert.match(shown, /Cust12345/);
});

test('parseTokenResponse: OAuth errors are ERR_OAUTH_ERROR with oauthError and errorDescription', () => {
  const error = (status, body) => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.throws(
    () =>
      parseTokenResponse(
        error(400, { error: 'invalid_grant', error_description: 'the refresh token has been revoked' }),
      ),
    (err) => {
      assert.ok(err instanceof SuperOfficeAuthError);
      assert.equal(err.code, 'ERR_OAUTH_ERROR');
      assert.equal(err.oauthError, 'invalid_grant');
      assert.equal(err.errorDescription, 'the refresh token has been revoked');
      return true;
    },
  );
  assert.throws(() => parseTokenResponse(error(401, { error: 'invalid_client' })), {
    code: 'ERR_OAUTH_ERROR',
    oauthError: 'invalid_client',
  });
  // An error body wins even under 200; a non-JSON error page is an HTTP status error.
  assert.throws(() => parseTokenResponse(error(200, { error: 'invalid_grant', access_token: 'x' })), {
    code: 'ERR_OAUTH_ERROR',
  });
  assert.throws(() => parseTokenResponse({ status: 502, body: '<html>Bad Gateway</html>' }), {
    code: 'ERR_HTTP_STATUS',
    status: 502,
  });
  assert.throws(() => parseTokenResponse(ok('{"token_type":"Bearer","access_token":"x","expires_in":3600')), {
    code: 'ERR_RESPONSE_MALFORMED',
  });
  assert.throws(() => parseTokenResponse(ok(tokenBody({ token_type: 'mac' }))), { code: 'ERR_RESPONSE_MALFORMED' });
  assert.throws(() => parseTokenResponse(ok(tokenBody({ expires_in: undefined }))), { code: 'ERR_RESPONSE_MALFORMED' });
  assert.equal(parseTokenResponse(ok(new TextEncoder().encode(tokenBody()))).tokenType, 'Bearer', 'a Uint8Array body');
});

test('parseTokenResponse: id_token options without keys are refused, not ignored', () => {
  const response = ok(tokenBody());
  for (const name of ['nonce', 'clientId', 'environment', 'issuer', 'leewaySeconds']) {
    const value = name === 'leewaySeconds' ? 30 : name === 'environment' ? 'sod' : 'x';
    assert.throws(() => parseTokenResponse(response, { [name]: value }), { code: 'ERR_INVALID_ARGUMENT' }, name);
  }
  assert.throws(
    () => parseTokenResponse(response, { keys: jwks, environment: 'sod' }),
    { code: 'ERR_INVALID_ARGUMENT' },
    'clientId with keys',
  );
  assert.throws(
    () => parseTokenResponse(response, { keys: jwks, clientId: CLIENT }),
    { code: 'ERR_INVALID_ARGUMENT' },
    'issuer with keys',
  );
  assert.throws(() => parseTokenResponse({ status: 99, body: '' }), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => parseTokenResponse(null), { code: 'ERR_INVALID_ARGUMENT' });
  assert.throws(() => parseTokenResponse({ status: 200, body: 5 }), { code: 'ERR_INVALID_ARGUMENT' });
});
