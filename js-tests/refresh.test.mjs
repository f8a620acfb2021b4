// The refresh-token client and onboardTenant end to end: real fetch over loopback against the
// node:crypto stand-in (its token endpoint, its id_tokens, its tenant API).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import {
  SuperOfficeAuthError,
  buildRefreshTokenRequest,
  createRefreshTokenClient,
  createSystemUserClient,
  parseTokenResponse,
} from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { standIn, assertNoSecrets, fakeClock, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { IDENTITY } from './helpers/independent.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

async function expectCode(promise, code, extra = {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${err?.stack}`);
    assert.equal(err.code, code, err.message);
    for (const [name, value] of Object.entries(extra)) assert.equal(err[name], value, name);
    return true;
  });
}

/**
 * The stand-in with a hybrid application (OAuth client, no system user) and a tenant. Returns the
 * refresh-client options for it and the secrets that must never show.
 */
async function oauthStandIn({ mockOptions = {}, rotate = false } = {}) {
  const mock = await startMockSuperOffice(mockOptions);
  const clientId = `client-${randomBytes(6).toString('hex')}`;
  const clientSecret = `secret-${randomBytes(16).toString('hex')}`;
  mock.registerClient({ clientId, clientSecret });
  mock.addTenant({ contextIdentifier: 'Cust1', systemUser: false });
  const refreshToken = mock.issueRefreshToken({ clientId, contextIdentifier: 'Cust1', rotate });
  return {
    mock,
    clientId,
    clientSecret,
    refreshToken,
    options: (extra = {}) => ({
      baseUrl: mock.baseUrl,
      issuer: mock.issuer,
      clientId,
      clientSecret,
      refreshToken,
      ...extra,
    }),
    secrets: [clientSecret, refreshToken],
  };
}

async function callApi(headers, contextIdentifier = 'Cust1', base) {
  const res = await fetch(`${base}/${contextIdentifier}/api/v1/User/currentPrincipal`, { headers });
  return { status: res.status, body: await res.json() };
}

test('refresh client: a Bearer access token the tenant API accepts, the id_token validated', async () => {
  const s = await oauthStandIn();
  try {
    const client = createRefreshTokenClient(s.options());
    const headers = await client.authHeaders();
    assert.match(headers.Authorization, /^Bearer 8A:Cust1\./);
    const api = await callApi(headers, 'Cust1', s.mock.baseUrl);
    assert.equal(api.status, 200);
    assert.equal(api.body.ContextIdentifier, 'Cust1');
    assert.equal(api.body.IsSystemUser, false);
    const token = await client.getToken();
    assert.equal(`Bearer ${token.accessToken}`, headers.Authorization);
    assert.equal(await client.getAccessToken(), token.accessToken);
    assert.equal(token.tokenType, 'Bearer');
    assert.ok(token.expiresAt instanceof Date && token.obtainedAt instanceof Date);
    assert.equal(token.expiresAt - token.obtainedAt, 3600 * 1000);
    assert.equal(token.idToken.contextIdentifier, 'Cust1');
    assert.equal(token.idToken.webapiUrl, `${s.mock.baseUrl}/Cust1/api/`);
    assert.equal(token.idToken.systemUserToken, null, 'a hybrid application gets no system user token');
    const { stats } = s.mock;
    assert.equal(stats.tokens, 1, 'one refresh for four calls');
    assert.equal(stats.jwks, 1);
  } finally {
    await s.mock.close();
  }
});

test('refresh client: 200 concurrent callers, one upstream request', async () => {
  const s = await oauthStandIn();
  try {
    s.mock.injectFault('latency', { ms: 50, endpoint: 'tokens', times: 1 });
    const client = createRefreshTokenClient(s.options());
    const tokens = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 ? client.getAccessToken() : client.authHeaders().then((h) => h.Authorization.slice(7)),
      ),
    );
    assert.equal(new Set(tokens).size, 1);
    assert.equal(s.mock.stats.tokens, 1);
    assert.equal(s.mock.stats.accessTokensIssued, 1);
  } finally {
    await s.mock.close();
  }
});

test('refresh client: cached until refreshAheadSeconds before expiry, then refreshed once', async () => {
  const now = fakeClock();
  const s = await oauthStandIn({ mockOptions: { now } });
  try {
    const client = createRefreshTokenClient(s.options({ now, refreshAheadSeconds: 120 }));
    const first = await client.getAccessToken();
    now.advance((3600 - 121) * 1000);
    assert.equal(await client.getAccessToken(), first, 'still outside the refresh window');
    assert.equal(s.mock.stats.tokens, 1);
    now.advance(2000);
    const [a, b] = await Promise.all([client.getAccessToken(), client.getAccessToken()]);
    assert.notEqual(a, first);
    assert.equal(a, b);
    assert.equal(s.mock.stats.tokens, 2);
    // The old token still works at the API until it expires: the refresh came ahead of time.
    assert.equal((await callApi({ Authorization: `Bearer ${first}` }, 'Cust1', s.mock.baseUrl)).status, 200);
    now.advance(200 * 1000);
    assert.equal((await callApi({ Authorization: `Bearer ${first}` }, 'Cust1', s.mock.baseUrl)).status, 401, 'expired');
    assert.equal((await callApi(await client.authHeaders(), 'Cust1', s.mock.baseUrl)).status, 200);
  } finally {
    await s.mock.close();
  }
});

test("refresh client: refresh-ahead is at most half the token's lifetime", async () => {
  const now = fakeClock();
  const s = await oauthStandIn({ mockOptions: { now, accessTokenLifetimeSeconds: 60 } });
  try {
    const client = createRefreshTokenClient(s.options({ now })); // default 300 s ahead > 60 s lifetime
    const first = await client.getAccessToken();
    now.advance(29_000);
    assert.equal(await client.getAccessToken(), first, 'not refreshed on every call');
    now.advance(2000);
    assert.notEqual(await client.getAccessToken(), first);
    assert.equal(s.mock.stats.tokens, 2);
  } finally {
    await s.mock.close();
  }
});

test('refresh client: a rotated refresh token is used from then on and handed to onRefreshToken first', async () => {
  const s = await oauthStandIn({ rotate: true });
  try {
    const seen = [];
    let persisted = false;
    const client = createRefreshTokenClient(
      s.options({
        async onRefreshToken(token) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen.push(token);
          persisted = true;
        },
      }),
    );
    const first = await client.getAccessToken();
    assert.ok(persisted, 'the hook finished before the access token was handed out');
    assert.equal(seen.length, 1);
    assert.notEqual(seen[0], s.refreshToken);
    // The old refresh token is spent at the server; the client refreshes with the new one.
    assert.equal(await client.invalidate(), true);
    const second = await client.getAccessToken();
    assert.notEqual(second, first);
    assert.equal(seen.length, 2);
    assert.notEqual(seen[1], seen[0]);
    const reuse = buildRefreshTokenRequest({
      baseUrl: s.mock.baseUrl,
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      refreshToken: s.refreshToken,
    });
    const res = await fetch(reuse.url, { method: reuse.method, headers: reuse.headers, body: reuse.body });
    const body = await res.text();
    assert.throws(() => parseTokenResponse({ status: res.status, headers: res.headers, body }), {
      code: 'ERR_OAUTH_ERROR',
      oauthError: 'invalid_grant',
    });
    // Neither refresh token shows anywhere.
    const shown = inspect(client) + JSON.stringify(client) + inspect(await client.getToken(), { depth: 5 });
    assertNoSecrets(assert, shown, [...s.secrets, ...seen], 'client and token inspection');
  } finally {
    await s.mock.close();
  }
});

test('refresh client: the rotated token is kept even when the id_token then fails validation', async () => {
  const s = await oauthStandIn({ rotate: true });
  try {
    const seen = [];
    // The wrong issuer: every id_token fails, yet each refresh spends a refresh token at the server.
    const client = createRefreshTokenClient(
      s.options({ issuer: 'https://sod.superoffice.com', onRefreshToken: (token) => seen.push(token) }),
    );
    await expectCode(client.getAccessToken(), 'ERR_JWT_CLAIM_INVALID', { claim: 'iss' });
    await expectCode(client.getAccessToken(), 'ERR_JWT_CLAIM_INVALID', { claim: 'iss' });
    assert.equal(seen.length, 2);
    assert.equal(s.mock.stats.tokens, 2, 'the second refresh used the rotated token: no invalid_grant');
  } finally {
    await s.mock.close();
  }
});

test('refresh client: a throwing onRefreshToken rejects that refresh; the tokens stay in use', async () => {
  const s = await oauthStandIn({ rotate: true });
  try {
    let calls = 0;
    const client = createRefreshTokenClient(
      s.options({
        onRefreshToken() {
          calls += 1;
          throw new Error('disk full');
        },
      }),
    );
    await assert.rejects(client.getAccessToken(), /disk full/);
    assert.match(await client.getAccessToken(), /^8A:/, 'the access token was cached');
    assert.equal(calls, 1);
    assert.equal(s.mock.stats.tokens, 1);
  } finally {
    await s.mock.close();
  }
});

test('refresh client: revoked, expired or unknown refresh tokens and a bad secret are typed OAuth errors', async () => {
  const s = await oauthStandIn();
  try {
    const client = createRefreshTokenClient(s.options());
    s.mock.revokeRefreshToken(s.refreshToken);
    await assert.rejects(client.getAccessToken(), (err) => {
      assert.equal(err.code, 'ERR_OAUTH_ERROR');
      assert.equal(err.oauthError, 'invalid_grant');
      assert.match(err.errorDescription, /revoked/);
      assertNoSecrets(
        assert,
        `${err.message} ${err.stack} ${inspect(err)} ${JSON.stringify(err)}`,
        s.secrets,
        'OAuth error',
      );
      return true;
    });
    // Failures are not cached: the next call asks again.
    await expectCode(client.getAccessToken(), 'ERR_OAUTH_ERROR', { oauthError: 'invalid_grant' });
    assert.equal(s.mock.stats.tokens, 2);

    const expiring = s.mock.issueRefreshToken({ clientId: s.clientId, contextIdentifier: 'Cust1' });
    s.mock.expireRefreshToken(expiring);
    await expectCode(
      createRefreshTokenClient(s.options({ refreshToken: expiring })).getAccessToken(),
      'ERR_OAUTH_ERROR',
      { oauthError: 'invalid_grant' },
    );
    await expectCode(
      createRefreshTokenClient(s.options({ refreshToken: 'never-issued' })).getAccessToken(),
      'ERR_OAUTH_ERROR',
      { oauthError: 'invalid_grant' },
    );
    const fresh = s.mock.issueRefreshToken({ clientId: s.clientId, contextIdentifier: 'Cust1' });
    await expectCode(
      createRefreshTokenClient(s.options({ refreshToken: fresh, clientSecret: 'wrong-secret' })).getAccessToken(),
      'ERR_OAUTH_ERROR',
      { oauthError: 'invalid_client' },
    );
    assert.match(await createRefreshTokenClient(s.options({ refreshToken: fresh })).getAccessToken(), /^8A:/);
  } finally {
    await s.mock.close();
  }
});

test('refresh client: invalidate after a 401, only for the token named', async () => {
  const s = await oauthStandIn();
  try {
    const client = createRefreshTokenClient(s.options());
    const first = await client.getAccessToken();
    s.mock.revokeAccessToken(first);
    assert.equal((await callApi(await client.authHeaders(), 'Cust1', s.mock.baseUrl)).status, 401);
    assert.equal(await client.invalidate({ accessToken: 'some-older-token' }), false);
    assert.equal(await client.getAccessToken(), first);
    assert.equal(await client.invalidate({ accessToken: first }), true);
    assert.equal(await client.invalidate({ accessToken: first }), false, 'already gone');
    const second = await client.getAccessToken();
    assert.notEqual(second, first);
    assert.equal((await callApi(await client.authHeaders(), 'Cust1', s.mock.baseUrl)).status, 200);
    await expectCode(client.invalidate('token'), 'ERR_INVALID_ARGUMENT');
  } finally {
    await s.mock.close();
  }
});

test('refresh client: validateIdToken false fetches no keys; pinned keys fetch none either', async () => {
  const s = await oauthStandIn();
  try {
    const plain = createRefreshTokenClient(s.options({ issuer: undefined, validateIdToken: false }));
    assert.equal((await plain.getToken()).idToken, null);
    assert.equal(s.mock.stats.jwks, 0);
    const pinned = createRefreshTokenClient(s.options({ keys: s.mock.signingPublicKeyPem() }));
    assert.equal((await pinned.getToken()).idToken.contextIdentifier, 'Cust1');
    assert.equal(s.mock.stats.jwks, 0);
    // The JWKS unreachable: the refresh token is not spent.
    s.mock.injectFault('httpError', { endpoint: 'jwks', status: 503 });
    await expectCode(createRefreshTokenClient(s.options()).getAccessToken(), 'ERR_HTTP_STATUS', { status: 503 });
    assert.equal(s.mock.stats.tokens, 2);
  } finally {
    await s.mock.close();
  }
});

test('refresh client: timeouts, dropped connections and redirects are typed', async () => {
  const s = await oauthStandIn();
  try {
    const options = s.options({ validateIdToken: false, issuer: undefined, timeoutMs: 100 });
    const remove = s.mock.injectFault('latency', { ms: 400, endpoint: 'tokens' });
    await expectCode(createRefreshTokenClient(options).getAccessToken(), 'ERR_TIMEOUT');
    remove();
    s.mock.injectFault('drop', { endpoint: 'tokens', times: 1 });
    await expectCode(createRefreshTokenClient(options).getAccessToken(), 'ERR_FETCH_FAILED');
    s.mock.injectFault('redirect', { endpoint: 'tokens', times: 1 });
    await expectCode(createRefreshTokenClient(options).getAccessToken(), 'ERR_FETCH_FAILED');
    s.mock.injectFault('malformed', { endpoint: 'tokens', times: 1 });
    await expectCode(createRefreshTokenClient(options).getAccessToken(), 'ERR_RESPONSE_MALFORMED');
    s.mock.injectFault('httpError', { endpoint: 'tokens', times: 1, status: 502 });
    await expectCode(createRefreshTokenClient(options).getAccessToken(), 'ERR_HTTP_STATUS', { status: 502 });
  } finally {
    await s.mock.close();
  }
});

test('refresh client: options are checked, secrets never show', async () => {
  const s = await oauthStandIn();
  try {
    const good = s.options();
    for (const [what, options] of [
      ['unknown option', { ...good, timeout: 5 }],
      ['no location', { ...good, baseUrl: undefined }],
      ['both locations', { ...good, environment: 'sod' }],
      ['baseUrl without issuer', { ...good, issuer: undefined }],
      ['issuer with an environment', { ...good, baseUrl: undefined, environment: 'online' }],
      ['no client secret', { ...good, clientSecret: undefined }],
      ['refresh token with its newline', { ...good, refreshToken: `${s.refreshToken}\n` }],
      ['keys without validation', { ...good, validateIdToken: false, keys: s.mock.signingPublicKeyPem() }],
      ['validateIdToken not a boolean', { ...good, validateIdToken: 'yes' }],
      ['onRefreshToken not a function', { ...good, onRefreshToken: 'persist' }],
      ['negative refreshAheadSeconds', { ...good, refreshAheadSeconds: -1 }],
      ['fetch not a function', { ...good, fetch: {} }],
    ]) {
      assert.throws(
        () => createRefreshTokenClient(options),
        (err) => {
          assert.equal(err.code, 'ERR_INVALID_ARGUMENT', what);
          assertNoSecrets(assert, err.message, s.secrets, what);
          return true;
        },
        what,
      );
    }
    assert.throws(() => createRefreshTokenClient(null), { code: 'ERR_INVALID_ARGUMENT' });
    const client = createRefreshTokenClient(good);
    const token = await client.getToken();
    const shown = [
      inspect(client),
      String(client),
      JSON.stringify(client),
      inspect(token, { depth: 5 }),
      inspect(Object.keys(client)),
    ].join('\n');
    assertNoSecrets(assert, shown, [...s.secrets, token.accessToken], 'inspection');
    assert.deepEqual(JSON.parse(JSON.stringify(client)), {
      baseUrl: s.mock.baseUrl,
      clientId: s.clientId,
      idToken: 'validated, jwks',
      refreshAheadSeconds: 300,
    });
    assert.ok(Object.isFrozen(client));
  } finally {
    await s.mock.close();
  }
});

// ---- onboardTenant: the system-user client reading a SuperIdToken ----

async function systemUserStandIn(extra = {}) {
  const s = await standIn({ tenants: 1, ...extra });
  const clientId = `app-client-${randomBytes(4).toString('hex')}`;
  // The system-user application is also an OAuth client: its secret is the application token.
  s.mock.registerApplication({ applicationToken: s.applicationToken, publicKey: s.keys.publicKey, clientId });
  s.mock.addTenant({
    contextIdentifier: 'Cust7',
    systemUserToken: `MyApp tenant.7-${randomBytes(6).toString('base64url')}`,
  });
  return { ...s, clientId };
}

test('onboardTenant: validates the id_token, returns what to store, and getTicket works by tenant alone', async () => {
  const s = await systemUserStandIn();
  try {
    const client = createSystemUserClient(s.options({ clientId: s.clientId, issuer: s.mock.issuer }));
    const nonce = randomBytes(12).toString('base64url');
    const idToken = s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId, nonce });
    const tenant = await client.onboardTenant(idToken, { nonce });
    assert.equal(tenant.contextIdentifier, 'Cust7');
    assert.match(tenant.systemUserToken, /^MyApp tenant\.7-/);
    assert.equal(tenant.webapiUrl, `${s.mock.baseUrl}/Cust7/api/`);
    assert.equal(tenant.netserverUrl, `${s.mock.baseUrl}/Cust7/Remote/Services88/`);
    assert.match(tenant.serial, /^\d+$/);
    assert.equal(tenant.isAdministrator, true);
    assert.equal(tenant.claims.nonce, nonce);
    assert.ok(!inspect(tenant, { depth: 5 }).includes(tenant.systemUserToken), 'inspect hides the system user token');

    const ticket = await client.getTicket({ contextIdentifier: 'Cust7' });
    assert.match(ticket.ticket, /^7T:/);
    const res = await fetch(`${ticket.webapiUrl}v1/User/currentPrincipal`, {
      headers: await client.authHeaders('Cust7'),
    });
    assert.equal(res.status, 200);
    assert.equal(s.mock.stats.jwks, 1, 'one key set for the id_token and the ticket');
    // Without a nonce the nonce is not checked (the caller keeps none).
    assert.equal(
      (await client.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId })))
        .contextIdentifier,
      'Cust7',
    );
  } finally {
    await s.mock.close();
  }
});

test('onboardTenant: nonce mismatch, wrong audience, replayed and foreign tokens are refused', async () => {
  const s = await systemUserStandIn();
  try {
    s.mock.registerClient({ clientId: 'another-app', clientSecret: 'another-secret' });
    const client = createSystemUserClient(s.options({ clientId: s.clientId, issuer: s.mock.issuer }));
    const token = s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId, nonce: 'sent-nonce' });
    await expectCode(client.onboardTenant(token, { nonce: 'another-nonce' }), 'ERR_JWT_CLAIM_INVALID', {
      claim: 'nonce',
    });
    await expectCode(
      client.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId }), {
        nonce: 'sent-nonce',
      }),
      'ERR_JWT_CLAIM_INVALID',
      { claim: 'nonce' },
    );
    await expectCode(
      client.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: 'another-app' })),
      'ERR_JWT_CLAIM_INVALID',
      { claim: 'aud' },
    );
    await expectCode(
      client.onboardTenant(
        s.mock.issueSuperIdToken({
          contextIdentifier: 'Cust7',
          clientId: s.clientId,
          claims: { exp: Math.floor(Date.now() / 1000) - 3600 },
        }),
      ),
      'ERR_JWT_EXPIRED',
    );
    const other = createSystemUserClient(s.options({ clientId: s.clientId, issuer: 'http://127.0.0.1:1' }));
    await expectCode(other.onboardTenant(token), 'ERR_JWT_CLAIM_INVALID', { claim: 'iss' });
    // A refused token teaches the client nothing: the tenant still needs its system user token.
    await expectCode(client.getTicket({ contextIdentifier: 'Cust7' }), 'ERR_INVALID_ARGUMENT');
  } finally {
    await s.mock.close();
  }
});

test("onboardTenant: the issuer is the environment's (wrong environment refused), keys pinned", async () => {
  const mock = await startMockSuperOffice({ issuer: 'https://sod.superoffice.com' });
  try {
    const keys = (await import('./helpers/stand-in.mjs')).appKeys();
    mock.registerApplication({ applicationToken: 'app-token', publicKey: keys.publicKey, clientId: 'env-client' });
    mock.addTenant({ contextIdentifier: 'Cust9', systemUserToken: 'EnvApp-token' });
    const token = mock.issueSuperIdToken({ contextIdentifier: 'Cust9', clientId: 'env-client', nonce: 'n' });
    // Pinned keys: nothing is fetched from the real hosts.
    const options = {
      applicationToken: 'app-token',
      privateKey: keys.pkcs8,
      clientId: 'env-client',
      keys: mock.signingPublicKeyPem(),
    };
    const sod = createSystemUserClient({ ...options, environment: 'sod' });
    assert.equal((await sod.onboardTenant(token, { nonce: 'n' })).systemUserToken, 'EnvApp-token');
    for (const environment of ['online', 'stage']) {
      const wrong = createSystemUserClient({ ...options, environment });
      await expectCode(wrong.onboardTenant(token, { nonce: 'n' }), 'ERR_JWT_CLAIM_INVALID', { claim: 'iss' });
    }
    assert.equal(mock.stats.jwks, 0);
  } finally {
    await mock.close();
  }
});

test('onboardTenant: no system_token claim is ERR_JWT_CLAIM_INVALID naming the claim', async () => {
  const s = await systemUserStandIn();
  try {
    s.mock.registerClient({ clientId: 'hybrid-app', clientSecret: 'hybrid-secret' });
    const claim = `${IDENTITY}system_token`;
    const client = createSystemUserClient(s.options({ clientId: s.clientId, issuer: s.mock.issuer }));
    await expectCode(
      client.onboardTenant(
        s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId, systemToken: false }),
      ),
      'ERR_JWT_CLAIM_INVALID',
      { claim },
    );
    // An application that is not a system-user application: the tenant granted it no system user token.
    const hybrid = createSystemUserClient(s.options({ clientId: 'hybrid-app', issuer: s.mock.issuer }));
    await expectCode(
      hybrid.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: 'hybrid-app' })),
      'ERR_JWT_CLAIM_INVALID',
      { claim },
    );
  } finally {
    await s.mock.close();
  }
});

test('onboardTenant: a token signed by a new key refetches the JWKS, within the cooldown; arguments are checked', async () => {
  const s = await systemUserStandIn();
  try {
    const client = createSystemUserClient(s.options({ clientId: s.clientId, issuer: s.mock.issuer }));
    await client.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId }));
    s.mock.rotateSigningKey();
    const rotated = s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId });
    await expectCode(client.onboardTenant(rotated), 'ERR_JWT_KEY_NOT_FOUND');
    assert.equal(s.mock.stats.jwks, 1, 'no refetch within the 30 s cooldown');
    const eager = createSystemUserClient(s.options({ clientId: s.clientId, issuer: s.mock.issuer, jwksCooldownMs: 0 }));
    s.mock.rotateSigningKey();
    await eager.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId }));
    s.mock.rotateSigningKey();
    await eager.onboardTenant(s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId }));
    assert.equal(s.mock.stats.jwks, 3, 'one fetch, then one refetch for the unknown key');

    const token = s.mock.issueSuperIdToken({ contextIdentifier: 'Cust7', clientId: s.clientId });
    await expectCode(
      createSystemUserClient(s.options({ issuer: s.mock.issuer })).onboardTenant(token),
      'ERR_INVALID_ARGUMENT',
    );
    await expectCode(
      createSystemUserClient(s.options({ clientId: s.clientId })).onboardTenant(token),
      'ERR_INVALID_ARGUMENT',
    );
    await expectCode(client.onboardTenant(''), 'ERR_INVALID_ARGUMENT');
    await expectCode(client.onboardTenant(token, { nonce: '' }), 'ERR_INVALID_ARGUMENT');
    await expectCode(client.onboardTenant(token, 'nonce'), 'ERR_INVALID_ARGUMENT');
    await expectCode(client.onboardTenant('a.b.c'), 'ERR_JWT_MALFORMED');
    assert.throws(() => createSystemUserClient(s.options({ clientId: '' })), { code: 'ERR_INVALID_ARGUMENT' });
    assert.throws(
      () => createSystemUserClient({ ...s.options(), baseUrl: undefined, environment: 'sod', issuer: 'https://x' }),
      { code: 'ERR_INVALID_ARGUMENT' },
    );
    const shown = inspect(client) + JSON.stringify(client);
    assertNoSecrets(assert, shown, s.secrets, 'client inspection');
  } finally {
    await s.mock.close();
  }
});
