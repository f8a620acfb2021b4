// The first step of the code flow and of the system-user approval, end to end over HTTP: the authorize
// URL (state, nonce, PKCE), the browser's trip to the stand-in's authorize endpoint and back, the
// redirect's parameters, the code exchange and the approval's SuperIdToken; each refusal with its code;
// and an independent OAuth client (oauth4webapi) running the same code flow against the stand-in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  SuperOfficeAuthError,
  buildAuthorizationCodeRequest,
  createAuthorizationRequest,
  createRefreshTokenClient,
  createSystemUserClient,
  parseAuthorizationResponse,
  parseTokenResponse,
} from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { standIn, assertNoSecrets, fakeClock, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { openAuthorizeUrl, importDevDependency } from './helpers/browser.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

// RFC 7636 Appendix B.
const RFC7636_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const RFC7636_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

const s256 = (verifier) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

function expectCodeSync(fn, code, extra = {}) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${err?.stack}`);
    assert.equal(err.code, code, err.message);
    for (const [name, value] of Object.entries(extra)) assert.equal(err[name], value, name);
    return true;
  });
}

async function expectCode(promise, code, extra = {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${err?.stack}`);
    assert.equal(err.code, code, err.message);
    for (const [name, value] of Object.entries(extra)) assert.equal(err[name], value, name);
    return true;
  });
}

/** The stand-in with a hybrid application (an OAuth client with one registered redirect URI) and a tenant. */
async function codeStandIn(mockOptions = {}) {
  const mock = await startMockSuperOffice(mockOptions);
  const clientId = `client-${randomBytes(6).toString('hex')}`;
  const clientSecret = `secret-${randomBytes(16).toString('hex')}`;
  // Never contacted: the test plays the browser and stops at the redirect.
  const redirectUri = 'http://127.0.0.1:9/callback?app=1';
  mock.registerClient({ clientId, clientSecret, redirectUris: [redirectUri] });
  mock.addTenant({ contextIdentifier: 'Cust1', systemUser: false });
  const where = { baseUrl: mock.baseUrl };
  return {
    mock,
    clientId,
    clientSecret,
    redirectUri,
    where,
    /** A new authorization request for this client. */
    request: (extra = {}) => createAuthorizationRequest({ ...where, clientId, redirectUri, ...extra }),
    /** Request, browser round trip, state check: { request, code }. */
    async authorize(extra = {}) {
      const request = this.request(extra);
      const back = await openAuthorizeUrl(request.url);
      return { request, back, code: parseAuthorizationResponse(back.query, { state: request.state }).code };
    },
    /** The code exchange through the core's request builder and the host's fetch. */
    async exchange({ code, codeVerifier, redirectUri: uri = redirectUri }) {
      const built = buildAuthorizationCodeRequest({
        ...where,
        clientId,
        clientSecret,
        code,
        redirectUri: uri,
        codeVerifier,
      });
      const res = await fetch(built.url, { method: built.method, headers: built.headers, body: built.body });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
    },
    async jwks() {
      return (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).text();
    },
  };
}

async function callApi(base, headers, contextIdentifier = 'Cust1') {
  const res = await fetch(`${base}/${contextIdentifier}/api/v1/User/currentPrincipal`, { headers });
  return res.status;
}

// ---- the authorization request ----

test('createAuthorizationRequest: every parameter, decoded by URLSearchParams; S256 of the verifier by node:crypto', () => {
  const request = createAuthorizationRequest({
    environment: 'online',
    clientId: 'my app',
    redirectUri: 'https://app.example/cb?tenant=a&b=c%20d',
    prompt: 'login',
    loginHint: 'ada@example.com',
    contextIdentifier: 'Cust12345',
  });
  const url = new URL(request.url);
  assert.equal(`${url.origin}${url.pathname}`, 'https://online.superoffice.com/login/common/oauth/authorize');
  const q = url.searchParams;
  assert.deepEqual(
    [...q.keys()],
    [
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'nonce',
      'code_challenge',
      'code_challenge_method',
      'prompt',
      'login_hint',
      'acr_values',
    ],
  );
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), 'my app');
  assert.equal(q.get('redirect_uri'), 'https://app.example/cb?tenant=a&b=c%20d');
  assert.equal(q.get('scope'), 'openid');
  assert.equal(q.get('state'), request.state);
  assert.equal(q.get('nonce'), request.nonce);
  assert.equal(q.get('code_challenge'), s256(request.codeVerifier));
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('acr_values'), 'tenant:Cust12345');
  for (const value of [request.state, request.nonce, request.codeVerifier]) {
    // 43 base64url characters: 32 random bytes, 256 bits (RFC 7636's 43-128 unreserved characters).
    assert.match(value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(value, 'base64url').length, 32);
  }
  assert.ok(!inspect(request).includes(request.codeVerifier), 'inspect hides the verifier');
  assert.equal(JSON.parse(JSON.stringify(request)).codeVerifier, request.codeVerifier);

  const approval = createAuthorizationRequest({
    baseUrl: 'http://127.0.0.1:8080/',
    clientId: 'c',
    redirectUri: 'https://app.example/approved',
    responseType: 'id_token',
  });
  const a = new URL(approval.url).searchParams;
  assert.ok(approval.url.startsWith('http://127.0.0.1:8080/login/common/oauth/authorize?'));
  assert.equal(a.get('response_type'), 'id_token');
  assert.equal(a.get('response_mode'), 'form_post');
  assert.equal(a.get('code_challenge'), null);
  assert.equal(approval.codeVerifier, null);
});

test('createAuthorizationRequest: fresh values every time', () => {
  const seen = new Set();
  for (let i = 0; i < 100; i += 1) {
    const { state, nonce, codeVerifier } = createAuthorizationRequest({
      environment: 'sod',
      clientId: 'c',
      redirectUri: 'https://a/b',
    });
    for (const value of [state, nonce, codeVerifier]) {
      assert.ok(!seen.has(value));
      seen.add(value);
    }
  }
});

test('createAuthorizationRequest: refused arguments, each with ERR_INVALID_ARGUMENT naming it', () => {
  const good = { environment: 'sod', clientId: 'c', redirectUri: 'https://app.example/cb' };
  for (const [what, params] of [
    ['clientId', { ...good, clientId: undefined }],
    ['clientId', { ...good, clientId: 'a\nb' }],
    ['redirect', { ...good, redirectUri: 'https://app.example/cb#top' }],
    ['redirect', { ...good, redirectUri: 'https://app.example/c b' }],
    ['responseType', { ...good, responseType: 'token' }],
    ['responseType', { ...good, responseType: 'code id_token' }],
    ['responseMode', { ...good, responseMode: 'web_message' }],
    ['query string', { ...good, responseType: 'id_token', responseMode: 'query' }],
    ['openid', { ...good, scope: 'profile email' }],
    ['S256', { ...good, codeChallengeMethod: 'plain' }],
    ['PKCE', { ...good, responseType: 'id_token', codeChallengeMethod: 'S256' }],
    ['environment', { ...good, environment: 'sod2' }],
    ['either', { ...good, baseUrl: 'https://x.example' }],
    ['https', { ...good, environment: undefined, baseUrl: 'http://example.com' }],
    ['prompt', { ...good, prompt: 42 }],
  ]) {
    assert.throws(
      () => createAuthorizationRequest(params),
      (err) => {
        assert.equal(err.code, 'ERR_INVALID_ARGUMENT', `${what}: ${err.message}`);
        // The JS layer names the option (clientId), the core the thing (client id): either will do.
        const squeeze = (text) => text.toLowerCase().replace(/ /g, '');
        assert.ok(squeeze(err.message).includes(squeeze(what)), `${what}: ${err.message}`);
        return true;
      },
    );
  }
  expectCodeSync(() => createAuthorizationRequest(null), 'ERR_INVALID_ARGUMENT');
});

// ---- the redirect ----

test('parseAuthorizationResponse: a query string, fragment, form body, URLSearchParams, URL or parsed body', () => {
  const state = 'state-1';
  for (const input of [
    'code=abc&state=state-1',
    '?code=abc&state=state-1',
    '#code=abc&state=state-1',
    'state=state-1&code=abc&session_state=whatever',
    new URLSearchParams({ code: 'abc', state }),
    new URL('https://app.example/cb?code=abc&state=state-1'),
    new URL('https://app.example/cb#code=abc&state=state-1'),
    { code: 'abc', state },
    Object.assign(Object.create(null), { code: 'abc', state, unused: undefined }),
  ]) {
    assert.deepEqual(parseAuthorizationResponse(input, { state }), { code: 'abc' }, inspect(input));
  }
  assert.deepEqual(parseAuthorizationResponse('id_token=a.b.c&state=state-1', { state }), { idToken: 'a.b.c' });
  // Encoded values come back decoded.
  assert.deepEqual(parseAuthorizationResponse(`code=${encodeURIComponent('a+b/c=')}&state=state-1`, { state }), {
    code: 'a+b/c=',
  });
  assert.deepEqual(parseAuthorizationResponse({ code: 'a b&c', state }, { state }), { code: 'a b&c' });
});

test('parseAuthorizationResponse: state first, then the OAuth error, then the shape', () => {
  const state = 'state-1';
  for (const [input, code, extra] of [
    ['code=abc', 'ERR_STATE_MISMATCH'],
    ['code=abc&state=state-2', 'ERR_STATE_MISMATCH'],
    ['code=abc&state=', 'ERR_STATE_MISMATCH'],
    [{ code: 'abc', state: 'STATE-1' }, 'ERR_STATE_MISMATCH'],
    ['error=access_denied&state=state-2', 'ERR_STATE_MISMATCH'],
    [
      'error=access_denied&error_description=The+user+declined&state=state-1',
      'ERR_OAUTH_ERROR',
      { oauthError: 'access_denied', errorDescription: 'The user declined' },
    ],
    ['error=login_required&state=state-1', 'ERR_OAUTH_ERROR', { oauthError: 'login_required' }],
    ['state=state-1', 'ERR_RESPONSE_MALFORMED'],
    ['code=&state=state-1', 'ERR_RESPONSE_MALFORMED'],
    ['code=a&code=b&state=state-1', 'ERR_RESPONSE_MALFORMED'],
    [{ code: ['a', 'b'], state }, 'ERR_RESPONSE_MALFORMED'],
    ['code=a%00b&state=state-1', 'ERR_RESPONSE_MALFORMED'],
    [`code=${'a'.repeat(1024 * 1024)}&state=state-1`, 'ERR_RESPONSE_TOO_LARGE'],
  ]) {
    expectCodeSync(() => parseAuthorizationResponse(input, { state }), code, extra);
  }
  for (const [input, options] of [
    ['code=a&state=s', undefined],
    ['code=a&state=s', {}],
    ['code=a&state=s', { state: '' }],
    [42, { state: 's' }],
    [null, { state: 's' }],
    [{ code: 1, state: 's' }, { state: 's' }],
  ]) {
    expectCodeSync(() => parseAuthorizationResponse(input, options), 'ERR_INVALID_ARGUMENT');
  }
});

// ---- the code flow over HTTP ----

test('code flow: URL -> redirect -> code -> tokens -> refresh, through the refresh client', async () => {
  const s = await codeStandIn();
  try {
    const request = s.request({ contextIdentifier: 'Cust1' });
    const back = await openAuthorizeUrl(request.url);
    assert.equal(back.method, 'GET');
    assert.ok(back.url.startsWith(`${s.redirectUri}&`), 'back at the registered redirect URI, its own query kept');
    const { code } = parseAuthorizationResponse(new URL(back.url).searchParams, { state: request.state });
    assert.ok(code);

    const stored = [];
    const client = createRefreshTokenClient({
      ...s.where,
      issuer: s.mock.issuer,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      redirectUri: s.redirectUri,
      onRefreshToken: async (token) => {
        stored.push(token);
      },
    });
    await expectCode(client.getAccessToken(), 'ERR_INVALID_ARGUMENT');
    const first = await client.fromAuthorizationCode({
      code,
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
    });
    assert.deepEqual(stored, [first.refreshToken], 'the first refresh token goes to onRefreshToken too');
    assert.match(first.accessToken, /^8A:Cust1\./);
    assert.equal(first.idToken.contextIdentifier, 'Cust1');
    assert.equal(first.idToken.claims.nonce, request.nonce);
    assert.ok(first.expiresAt instanceof Date);
    const shown = inspect(first, { depth: 5 });
    assertNoSecrets(assert, shown, [first.refreshToken, first.accessToken, s.clientSecret], 'inspect of the result');

    assert.equal(await client.getAccessToken(), first.accessToken, 'the access token of the exchange is cached');
    assert.equal(await callApi(s.mock.baseUrl, await client.authHeaders()), 200);
    // Refresh with the refresh token the code brought.
    assert.equal(await client.invalidate(), true);
    const second = await client.getAccessToken();
    assert.notEqual(second, first.accessToken);
    assert.equal(await callApi(s.mock.baseUrl, { Authorization: `Bearer ${second}` }), 200);
    const { stats } = s.mock;
    assert.equal(stats.authorize, 1);
    assert.equal(stats.codesIssued, 1);
    assert.equal(stats.tokens, 2, 'one code exchange, one refresh');
    await expectCode(
      client.fromAuthorizationCode({ code, codeVerifier: request.codeVerifier }),
      'ERR_INVALID_ARGUMENT',
    );
    assertNoSecrets(
      assert,
      inspect(client) + JSON.stringify(client),
      [first.refreshToken, s.clientSecret],
      'client inspection',
    );
  } finally {
    await s.mock.close();
  }
});

test("code flow: the core pieces with the host's fetch; parseTokenResponse checks the nonce", async () => {
  const s = await codeStandIn();
  try {
    const { request, code } = await s.authorize();
    const res = await s.exchange({ code, codeVerifier: request.codeVerifier });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const keys = await s.jwks();
    const result = parseTokenResponse(res, { keys, issuer: s.mock.issuer, clientId: s.clientId, nonce: request.nonce });
    assert.ok(result.refreshToken);
    assert.equal(result.idToken.claims.nonce, request.nonce);
    // The same answer read by someone who kept another nonce: the id_token was not made for them.
    expectCodeSync(
      () => parseTokenResponse(res, { keys, issuer: s.mock.issuer, clientId: s.clientId, nonce: s.request().nonce }),
      'ERR_JWT_CLAIM_INVALID',
      { claim: 'nonce' },
    );
    // A nonce expected but no id_token: refused rather than left unchecked.
    const stripped = { ...res, body: JSON.stringify({ ...JSON.parse(res.body), id_token: undefined }) };
    expectCodeSync(
      () => parseTokenResponse(stripped, { keys, issuer: s.mock.issuer, clientId: s.clientId, nonce: request.nonce }),
      'ERR_RESPONSE_MALFORMED',
    );
  } finally {
    await s.mock.close();
  }
});

test('PKCE: RFC 7636 Appendix B against the stand-in, with a URL built by URLSearchParams', async () => {
  assert.equal(s256(RFC7636_VERIFIER), RFC7636_CHALLENGE, 'node:crypto agrees with the RFC');
  const s = await codeStandIn();
  try {
    const authorizeWith = async () => {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: s.clientId,
        redirect_uri: s.redirectUri,
        scope: 'openid',
        state: 'st',
        nonce: 'nn',
        code_challenge: RFC7636_CHALLENGE,
        code_challenge_method: 'S256',
      });
      const back = await openAuthorizeUrl(`${s.mock.baseUrl}/login/common/oauth/authorize?${q}`);
      return parseAuthorizationResponse(back.query, { state: 'st' }).code;
    };
    const ok = await s.exchange({ code: await authorizeWith(), codeVerifier: RFC7636_VERIFIER });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(
      parseTokenResponse(ok, { keys: await s.jwks(), issuer: s.mock.issuer, clientId: s.clientId, nonce: 'nn' }).idToken
        .claims.nonce,
      'nn',
    );
    const wrong = await s.exchange({ code: await authorizeWith(), codeVerifier: `${RFC7636_VERIFIER.slice(0, -1)}l` });
    expectCodeSync(() => parseTokenResponse(wrong), 'ERR_OAUTH_ERROR', { oauthError: 'invalid_grant' });
  } finally {
    await s.mock.close();
  }
});

test('code flow refusals: reused code, wrong verifier, wrong redirect URI, expired code, swapped state, declined', async () => {
  const now = fakeClock();
  const s = await codeStandIn({ now });
  try {
    // A reused code: invalid_grant, and the tokens the first exchange got are revoked (RFC 6749 §4.1.2).
    const reused = await s.authorize();
    const first = parseTokenResponse(
      await s.exchange({ code: reused.code, codeVerifier: reused.request.codeVerifier }),
      { now: now() },
    );
    assert.equal(await callApi(s.mock.baseUrl, { Authorization: `Bearer ${first.accessToken}` }), 200);
    const again = await s.exchange({ code: reused.code, codeVerifier: reused.request.codeVerifier });
    expectCodeSync(() => parseTokenResponse(again), 'ERR_OAUTH_ERROR', { oauthError: 'invalid_grant' });
    assert.equal(await callApi(s.mock.baseUrl, { Authorization: `Bearer ${first.accessToken}` }), 401);

    // Another request's verifier.
    const wrongVerifier = await s.authorize();
    const other = s.request();
    const verifierAnswer = await s.exchange({ code: wrongVerifier.code, codeVerifier: other.codeVerifier });
    expectCodeSync(() => parseTokenResponse(verifierAnswer), 'ERR_OAUTH_ERROR', { oauthError: 'invalid_grant' });

    // Another redirect URI than the code was issued for.
    const wrongUri = await s.authorize();
    const uriAnswer = await s.exchange({
      code: wrongUri.code,
      codeVerifier: wrongUri.request.codeVerifier,
      redirectUri: 'http://127.0.0.1:9/other',
    });
    expectCodeSync(() => parseTokenResponse(uriAnswer), 'ERR_OAUTH_ERROR', { oauthError: 'invalid_grant' });

    // A code past its lifetime (60 s by default).
    const late = await s.authorize();
    now.advance(61_000);
    const lateAnswer = await s.exchange({ code: late.code, codeVerifier: late.request.codeVerifier });
    expectCodeSync(() => parseTokenResponse(lateAnswer), 'ERR_OAUTH_ERROR', { oauthError: 'invalid_grant' });

    // The response to one request checked against another's state (a login CSRF).
    const a = s.request();
    const b = s.request();
    const backA = await openAuthorizeUrl(a.url);
    expectCodeSync(() => parseAuthorizationResponse(backA.query, { state: b.state }), 'ERR_STATE_MISMATCH');
    assert.ok(parseAuthorizationResponse(backA.query, { state: a.state }).code);

    // The person declines: the error comes back to the redirect URI, with the state.
    s.mock.injectFault('deny', { endpoint: 'authorize', times: 1 });
    const declined = s.request();
    const backDeclined = await openAuthorizeUrl(declined.url);
    expectCodeSync(() => parseAuthorizationResponse(backDeclined.query, { state: declined.state }), 'ERR_OAUTH_ERROR', {
      oauthError: 'access_denied',
    });

    // An unregistered redirect URI is answered at the authorize endpoint, never redirected to.
    const stray = createAuthorizationRequest({
      ...s.where,
      clientId: s.clientId,
      redirectUri: 'https://evil.example/cb',
    });
    await assert.rejects(openAuthorizeUrl(stray.url), /answered 400/);
  } finally {
    await s.mock.close();
  }
});

test('fromAuthorizationCode: a replayed id_token with another nonce is refused and nothing is kept', async () => {
  const s = await codeStandIn();
  try {
    const options = {
      ...s.where,
      issuer: s.mock.issuer,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      redirectUri: s.redirectUri,
    };
    const { request, code } = await s.authorize();
    const client = createRefreshTokenClient(options);
    const otherNonce = s.request().nonce;
    await expectCode(
      client.fromAuthorizationCode({ code, codeVerifier: request.codeVerifier, nonce: otherNonce }),
      'ERR_JWT_CLAIM_INVALID',
      { claim: 'nonce' },
    );
    await expectCode(client.getAccessToken(), 'ERR_INVALID_ARGUMENT');
    // The code is spent: a second try is invalid_grant.
    await expectCode(
      client.fromAuthorizationCode({ code, codeVerifier: request.codeVerifier, nonce: request.nonce }),
      'ERR_OAUTH_ERROR',
      { oauthError: 'invalid_grant' },
    );

    // Argument checks.
    const fresh = createRefreshTokenClient(options);
    for (const params of [
      undefined,
      {},
      { code: 'c' },
      { code: 'c', codeVerifier: 'short' },
      { code: '', codeVerifier: request.codeVerifier },
      { code: 'c', codeVerifier: request.codeVerifier, nonce: '' },
    ]) {
      await expectCode(fresh.fromAuthorizationCode(params), 'ERR_INVALID_ARGUMENT');
    }
    const noRedirect = createRefreshTokenClient({ ...options, redirectUri: undefined });
    await expectCode(
      noRedirect.fromAuthorizationCode({ code: 'c', codeVerifier: request.codeVerifier }),
      'ERR_INVALID_ARGUMENT',
    );
    const noValidation = createRefreshTokenClient({ ...options, issuer: undefined, validateIdToken: false });
    await expectCode(
      noValidation.fromAuthorizationCode({ code: 'c', codeVerifier: request.codeVerifier, nonce: 'n' }),
      'ERR_INVALID_ARGUMENT',
    );
    const holding = createRefreshTokenClient({ ...options, refreshToken: 'r' });
    await expectCode(
      holding.fromAuthorizationCode({ code: 'c', codeVerifier: request.codeVerifier }),
      'ERR_INVALID_ARGUMENT',
    );
  } finally {
    await s.mock.close();
  }
});

// ---- the system-user approval over HTTP ----

async function approvalStandIn() {
  const s = await standIn({ tenants: 1 });
  const clientId = `app-client-${randomBytes(4).toString('hex')}`;
  const redirectUri = 'https://partner.example/superoffice/approved';
  s.mock.registerApplication({
    applicationToken: s.applicationToken,
    publicKey: s.keys.publicKey,
    clientId,
    redirectUris: [redirectUri],
  });
  // A tenant that has not approved the application yet: the approval creates its system user token.
  s.mock.addTenant({ contextIdentifier: 'CustNew', systemUser: false });
  const client = createSystemUserClient(s.options({ clientId, issuer: s.mock.issuer }));
  return { ...s, clientId, redirectUri, client };
}

test('onboarding: URL -> form post -> onboarded tenant -> ticket', async () => {
  const s = await approvalStandIn();
  try {
    const request = s.client.createOnboardingRequest({ redirectUri: s.redirectUri, contextIdentifier: 'CustNew' });
    const q = new URL(request.url).searchParams;
    assert.equal(q.get('response_type'), 'id_token');
    assert.equal(q.get('response_mode'), 'form_post');
    assert.equal(q.get('client_id'), s.clientId);
    const posted = await openAuthorizeUrl(request.url);
    assert.equal(posted.method, 'POST');
    assert.equal(posted.url, s.redirectUri);
    const tenant = await s.client.onboardTenant(posted.body, { state: request.state, nonce: request.nonce });
    assert.equal(tenant.contextIdentifier, 'CustNew');
    assert.match(tenant.systemUserToken, /^Approved-/);
    assert.equal(tenant.claims.nonce, request.nonce);
    const ticket = await s.client.getTicket({ contextIdentifier: 'CustNew' });
    assert.match(ticket.ticket, /^7T:/);
    const res = await fetch(`${ticket.webapiUrl}v1/User/currentPrincipal`, {
      headers: await s.client.authHeaders('CustNew'),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).ContextIdentifier, 'CustNew');

    // The same post as a parsed body or URLSearchParams, as web frameworks hand it over.
    const again = s.client.createOnboardingRequest({ redirectUri: s.redirectUri, contextIdentifier: 'CustNew' });
    const body = (await openAuthorizeUrl(again.url)).body;
    assert.equal(
      (
        await s.client.onboardTenant(Object.fromEntries(new URLSearchParams(body)), {
          state: again.state,
          nonce: again.nonce,
        })
      ).contextIdentifier,
      'CustNew',
    );
    assert.equal(
      (await s.client.onboardTenant(new URLSearchParams(body), { state: again.state, nonce: again.nonce }))
        .contextIdentifier,
      'CustNew',
    );
  } finally {
    await s.mock.close();
  }
});

test('onboarding refusals: swapped state, a replayed id_token with another nonce, declined, no id_token', async () => {
  const s = await approvalStandIn();
  try {
    const first = s.client.createOnboardingRequest({ redirectUri: s.redirectUri, contextIdentifier: 'CustNew' });
    const firstPost = await openAuthorizeUrl(first.url);
    const second = s.client.createOnboardingRequest({ redirectUri: s.redirectUri, contextIdentifier: 'CustNew' });
    await expectCode(
      s.client.onboardTenant(firstPost.body, { state: second.state, nonce: second.nonce }),
      'ERR_STATE_MISMATCH',
    );
    // The first approval's id_token, posted again with the second request's state: its nonce gives it away.
    const replay = new URLSearchParams({
      id_token: new URLSearchParams(firstPost.body).get('id_token'),
      state: second.state,
    });
    await expectCode(
      s.client.onboardTenant(replay.toString(), { state: second.state, nonce: second.nonce }),
      'ERR_JWT_CLAIM_INVALID',
      { claim: 'nonce' },
    );
    // Declined.
    s.mock.injectFault('deny', { endpoint: 'authorize', times: 1 });
    const declined = s.client.createOnboardingRequest({ redirectUri: s.redirectUri, contextIdentifier: 'CustNew' });
    const declinedPost = await openAuthorizeUrl(declined.url);
    await expectCode(
      s.client.onboardTenant(declinedPost.body, { state: declined.state, nonce: declined.nonce }),
      'ERR_OAUTH_ERROR',
      { oauthError: 'access_denied' },
    );
    // A code where an id_token was expected, and a state without its nonce.
    await expectCode(
      s.client.onboardTenant(`code=abc&state=${second.state}`, { state: second.state, nonce: second.nonce }),
      'ERR_RESPONSE_MALFORMED',
    );
    await expectCode(s.client.onboardTenant(firstPost.body, { state: first.state }), 'ERR_INVALID_ARGUMENT');
    // None of it taught the client a system user token.
    await expectCode(s.client.getTicket({ contextIdentifier: 'CustNew' }), 'ERR_INVALID_ARGUMENT');
    assert.throws(() => s.client.createOnboardingRequest({ redirectUri: s.redirectUri, scope: 'openid' }), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    assert.throws(() => createSystemUserClient(s.options()).createOnboardingRequest({ redirectUri: s.redirectUri }), {
      code: 'ERR_INVALID_ARGUMENT',
    });
  } finally {
    await s.mock.close();
  }
});

// ---- an OAuth client that is not ours ----

test('oauth4webapi runs the code flow against the stand-in (PKCE, state, nonce, id_token claims)', async () => {
  const oauth = await importDevDependency('oauth4webapi');
  // oauth4webapi insists on RFC 7519's numeric iat; SuperOffice (and the stand-in by default) writes
  // a string, which our core accepts. Everything else is the same stand-in.
  const s = await codeStandIn({ idTokenIatAsString: false });
  try {
    const discovery = await (await fetch(`${s.mock.baseUrl}/login/.well-known/openid-configuration`)).json();
    const as = {
      issuer: discovery.issuer,
      authorization_endpoint: discovery.authorization_endpoint,
      token_endpoint: discovery.token_endpoint,
      jwks_uri: discovery.jwks_uri,
    };
    const client = { client_id: s.clientId };
    const clientAuth = oauth.ClientSecretPost(s.clientSecret);
    const insecure = { [oauth.allowInsecureRequests]: true }; // the stand-in is plain http on loopback
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint);
    for (const [name, value] of Object.entries({
      client_id: s.clientId,
      redirect_uri: s.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }))
      url.searchParams.set(name, value);

    const back = await openAuthorizeUrl(url.href);
    const params = oauth.validateAuthResponse(as, client, new URL(back.url), state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      s.redirectUri,
      codeVerifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    assert.match(result.access_token, /^8A:Cust1\./);
    assert.ok(result.refresh_token);
    const claims = oauth.getValidatedIdTokenClaims(result);
    assert.equal(claims.iss, s.mock.issuer);
    assert.equal(claims.aud, s.clientId);
    assert.equal(claims.nonce, nonce);
    assert.equal(await callApi(s.mock.baseUrl, { Authorization: `Bearer ${result.access_token}` }), 200);

    // oauth4webapi's refresh with the refresh token the code brought.
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, result.refresh_token, insecure),
    );
    assert.match(refreshed.access_token, /^8A:Cust1\./);

    // The same refusals seen by oauth4webapi: a reused code and a swapped state.
    const reused = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      s.redirectUri,
      codeVerifier,
      insecure,
    );
    await assert.rejects(
      oauth.processAuthorizationCodeResponse(as, client, reused),
      (err) => err.error === 'invalid_grant',
    );
    assert.throws(
      () => oauth.validateAuthResponse(as, client, new URL(back.url), oauth.generateRandomState()),
      /state/,
    );

    // Our URL and verifier, oauth4webapi's state check and exchange: the two agree on the encoding.
    const ours = s.request();
    const ourBack = await openAuthorizeUrl(ours.url);
    const ourParams = oauth.validateAuthResponse(as, client, new URL(ourBack.url), ours.state);
    const ourResult = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        ourParams,
        s.redirectUri,
        ours.codeVerifier,
        insecure,
      ),
      { expectedNonce: ours.nonce, requireIdToken: true },
    );
    assert.equal(oauth.getValidatedIdTokenClaims(ourResult).nonce, ours.nonce);
  } finally {
    await s.mock.close();
  }
});
