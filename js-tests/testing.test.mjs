// The stand-in itself, driven by hand-built requests and checked with node:crypto, so that the client
// tests above rest on a stand-in that behaves as PROTOCOL.md says SuperOffice does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { startMockSuperOffice, FAULTS } from 'superoffice-auth/testing';
import { IDENTITY, makeKeyPair } from './helpers/independent.mjs';
import { fakeClock } from './helpers/stand-in.mjs';

const SOAP_ACTION = 'http://www.superoffice.com/superid/partnersystemuser/0.1/IPartnerSystemUserService/Authenticate';
const keys = makeKeyPair(2048);
const APP = 'app-token-for-stand-in-tests';
const TOKEN = 'MyApp-8k8Q7DmBgo with space';

function stamp(ms) {
  return new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 12);
}

function signed(token = TOKEN, at = Date.now(), key = keys.privateKey) {
  const data = `${token}.${stamp(at)}`;
  return `${data}.${sign('sha256', Buffer.from(data), key).toString('base64')}`;
}

// Unusual prefixes on purpose: the stand-in must read namespaces, not prefixes.
function envelope({ app = APP, ctx = 'Cust1', signedToken = signed(), type = 'Jwt', extra = '' } = {}) {
  return (
    `<?xml version="1.0"?><!-- a comment --><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="http://www.superoffice.com/superid/partnersystemuser/0.1">` +
    `<env:Header><x:ApplicationToken>${app}</x:ApplicationToken><ContextIdentifier xmlns="http://www.superoffice.com/superid/partnersystemuser/0.1">${ctx}</ContextIdentifier></env:Header>` +
    `<env:Body><x:AuthenticationRequest><x:SignedSystemToken>${signedToken}</x:SignedSystemToken><x:ReturnTokenType>${type}</x:ReturnTokenType>${extra}</x:AuthenticationRequest></env:Body></env:Envelope>`
  );
}

async function start(options) {
  const mock = await startMockSuperOffice(options);
  mock.registerApplication({ applicationToken: APP, publicKey: keys.spki });
  mock.addTenant({ contextIdentifier: 'Cust1', systemUserToken: TOKEN, serial: '1234567890', isAdministrator: true });
  return mock;
}

async function soap(mock, body, headers = {}) {
  const res = await fetch(`${mock.baseUrl}/login/services/PartnerSystemUserService.svc`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${SOAP_ACTION}"`, ...headers },
    body,
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

function field(xml, name) {
  const m = new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>|<${name} i:nil="true"/>`).exec(xml);
  return m ? (m[1] ?? null) : undefined;
}

async function verifiedClaims(mock, jwt) {
  const { keys: jwks } = await (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).json();
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  assert.equal(header.alg, 'RS256');
  const jwk = jwks.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'the kid is published');
  assert.equal(jwk.x5t, header.x5t);
  const ok = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(s, 'base64url'),
  );
  assert.ok(ok, 'the JWT verifies with node:crypto against the JWKS');
  return JSON.parse(Buffer.from(p, 'base64url'));
}

test('SOAP Authenticate: a signed token gets an RS256 JWT with SuperOffice claims', async () => {
  const mock = await start();
  try {
    const res = await soap(mock, envelope());
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/xml/);
    assert.equal(field(res.text, 'IsSuccessful'), 'true');
    assert.equal(field(res.text, 'ErrorMessage'), null);
    const claims = await verifiedClaims(mock, field(res.text, 'Token'));
    assert.equal(claims.iss, 'SuperOffice AS');
    assert.equal(claims.aud, 'spn:1234567890');
    assert.equal(claims[`${IDENTITY}serial`], '1234567890');
    assert.equal(claims[`${IDENTITY}ctx`], 'Cust1');
    assert.match(claims[`${IDENTITY}ticket`], /^7T:/);
    assert.equal(claims[`${IDENTITY}is_administrator`], 'True');
    assert.equal(claims[`${IDENTITY}webapi_url`], `${mock.baseUrl}/Cust1/api/`);
    assert.ok(claims.exp - claims.iat <= 600, 'short-lived');
    assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 5);
  } finally {
    await mock.close();
  }
});

test('REST Authenticate answers JSON, and non-2xx for a malformed request', async () => {
  const mock = await start();
  try {
    const post = (body, type = 'application/json') =>
      fetch(`${mock.baseUrl}/Login/api/PartnerSystemUser/Authenticate`, {
        method: 'POST',
        headers: { 'Content-Type': type },
        body,
      });
    const res = await post(
      JSON.stringify({
        SignedSystemToken: signed(),
        ApplicationToken: APP,
        ContextIdentifier: 'Cust1',
        ReturnTokenType: 'JWT',
      }),
    );
    const json = await res.json();
    assert.equal(json.IsSuccessful, true);
    assert.equal(json.ErrorMessage, null);
    assert.equal((await verifiedClaims(mock, json.Token))[`${IDENTITY}ctx`], 'Cust1');
    assert.equal((await post('{"SignedSystemToken": 1')).status, 400);
    assert.equal((await post(JSON.stringify({ ApplicationToken: APP }))).status, 400);
    assert.equal((await post('{}', 'text/plain')).status, 415);
  } finally {
    await mock.close();
  }
});

// Refusals: each request and the SuperOffice error name the stand-in must answer with.
const other = makeKeyPair(2048);
const DENIALS = [
  ['signature by another key', { signedToken: signed(TOKEN, Date.now(), other.privateKey) }, 'InvalidSignature'],
  ['signature over another token', { signedToken: `${TOKEN}x${signed().slice(TOKEN.length)}` }, 'InvalidSignature'],
  ['not token.stamp.signature', { signedToken: 'nodots' }, 'InvalidSignature'],
  ['timestamp 10 minutes old', { signedToken: signed(TOKEN, Date.now() - 10 * 60 * 1000) }, 'InvalidTimestamp'],
  ['timestamp 10 minutes ahead', { signedToken: signed(TOKEN, Date.now() + 10 * 60 * 1000) }, 'InvalidTimestamp'],
  ['unknown application token', { app: 'who?' }, 'Denied'],
  ['unknown tenant', { ctx: 'Cust999' }, 'Denied'],
  ['wrong system user token', { signedToken: signed('Other-token') }, 'Denied'],
  ['SAML asked for', { type: 'Saml' }, 'Denied'],
];

test('refusals come back as IsSuccessful=false with SuperOffice error names', async () => {
  const mock = await start();
  try {
    for (const [label, parts, name] of DENIALS) {
      const res = await soap(mock, envelope(parts));
      assert.equal(res.status, 200, label);
      assert.equal(field(res.text, 'IsSuccessful'), 'false', label);
      assert.equal(field(res.text, 'Token'), null, label);
      assert.ok(field(res.text, 'ErrorMessage').startsWith(`${name}:`), `${label}: ${field(res.text, 'ErrorMessage')}`);
    }
    mock.setTenantStatus('Cust1', 'Revoked');
    assert.ok(field((await soap(mock, envelope())).text, 'ErrorMessage').startsWith('Revoked:'));
    assert.equal(mock.stats.ticketsIssued, 0);
  } finally {
    await mock.close();
  }
});

// Requests WCF would not even dispatch: SOAP faults (or 415), never IsSuccessful.
const FAULTY = [
  ['wrong SOAPAction', envelope(), { SOAPAction: 'urn:other' }, 500],
  ['wrong content type', envelope(), { 'Content-Type': 'application/soap+xml' }, 415],
  ['not XML', 'hello', {}, 500],
  ['DOCTYPE', `<!DOCTYPE x [<!ENTITY e "x">]>${envelope()}`, {}, 500],
  ['unknown entity', envelope({ app: '&e;' }), {}, 500],
  [
    'undeclared prefix',
    envelope().replace('<x:ReturnTokenType>Jwt</x:ReturnTokenType>', '<y:ReturnTokenType>Jwt</y:ReturnTokenType>'),
    {},
    500,
  ],
  ['duplicate element', envelope({ extra: '<x:SignedSystemToken>again</x:SignedSystemToken>' }), {}, 500],
  [
    'element in the wrong namespace',
    envelope().replace(/<x:ApplicationToken>([^<]*)<\/x:ApplicationToken>/, '<ApplicationToken>$1</ApplicationToken>'),
    {},
    500,
  ],
  ['truncated', envelope().slice(0, -20), {}, 500],
];

test('malformed requests are answered with SOAP faults', async () => {
  const mock = await start();
  try {
    for (const [label, body, headers, status] of FAULTY) {
      const res = await soap(mock, body, headers);
      assert.equal(res.status, status, label);
      if (status === 500) assert.match(res.text, /<s:Fault>.*<faultcode[^>]*>[^<]+<\/faultcode>/, label);
    }
    // Escaped values are read back unescaped: a token with & and < still works.
    const tricky = 'A&B <token>';
    mock.addTenant({ contextIdentifier: 'Cust2', systemUserToken: tricky });
    const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&#62;');
    const res = await soap(mock, envelope({ ctx: 'Cust2', signedToken: esc(signed(tricky)) }));
    assert.equal(field(res.text, 'IsSuccessful'), 'true', field(res.text, 'ErrorMessage'));
  } finally {
    await mock.close();
  }
});

test('tenant API: only SOTicket with its own SO-AppToken, for its own tenant, until revoked; sliding 6 hours', async () => {
  const now = fakeClock();
  const mock = await start({ now });
  try {
    mock.addTenant({ contextIdentifier: 'Cust2', systemUserToken: 'second' });
    const claims = await verifiedClaims(
      mock,
      field((await soap(mock, envelope({ signedToken: signed(TOKEN, now()) }))).text, 'Token'),
    );
    const ticket = claims[`${IDENTITY}ticket`];
    const call = async (headers, ctx = 'Cust1') =>
      (await fetch(`${mock.baseUrl}/${ctx}/api/v1/User/currentPrincipal`, { headers })).status;
    const good = { Authorization: `SOTicket ${ticket}`, 'SO-AppToken': APP };
    assert.equal(await call({}), 401);
    assert.equal(await call({ Authorization: `Bearer ${ticket}`, 'SO-AppToken': APP }), 401);
    assert.equal(await call({ Authorization: `SOTicket ${ticket}` }), 401);
    assert.equal(await call({ ...good, 'SO-AppToken': 'other' }), 401);
    assert.equal(await call({ ...good, Authorization: 'SOTicket 7T:forged' }), 401);
    assert.equal(await call(good, 'Cust2'), 401);
    assert.equal(await call(good), 200);
    // Each use restarts the 6 hours: used after 5 h, it is still good 10 h after issue.
    now.advance(5 * 3600 * 1000);
    assert.equal(await call(good), 200);
    now.advance(5 * 3600 * 1000);
    assert.equal(await call(good), 200);
    now.advance(6 * 3600 * 1000 + 1000);
    assert.equal(await call(good), 401);
    const stats = mock.stats;
    assert.equal(stats.api, 10);
    assert.equal(stats.unauthorized, 7);
    assert.equal(stats.tenants.Cust1.api, 9);
  } finally {
    await mock.close();
  }
});

test('revocation, discovery, stats and fault bookkeeping', async () => {
  const mock = await start();
  try {
    const config = await (await fetch(`${mock.baseUrl}/login/.well-known/openid-configuration`)).json();
    assert.equal(config.jwks_uri, `${mock.baseUrl}/login/.well-known/jwks`);
    assert.deepEqual(config.id_token_signing_alg_values_supported, ['RS256']);
    const ticket = (await verifiedClaims(mock, field((await soap(mock, envelope())).text, 'Token')))[
      `${IDENTITY}ticket`
    ];
    const headers = { Authorization: `SOTicket ${ticket}`, 'SO-AppToken': APP };
    const url = `${mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`;
    assert.equal((await fetch(url, { headers })).status, 200);
    assert.equal(mock.revokeTickets('Cust1'), 1);
    assert.equal((await fetch(url, { headers })).status, 401);

    // A fault for one tenant leaves another alone, and expires after `times`.
    mock.addTenant({ contextIdentifier: 'Cust2', systemUserToken: 'second' });
    mock.injectFault('httpError', { contextIdentifier: 'Cust2', times: 1 });
    assert.equal((await soap(mock, envelope())).status, 200);
    assert.equal((await soap(mock, envelope({ ctx: 'Cust2', signedToken: signed('second') }))).status, 500);
    assert.equal((await soap(mock, envelope({ ctx: 'Cust2', signedToken: signed('second') }))).status, 200);
    const remove = mock.injectFault('httpError', { endpoint: 'jwks' });
    assert.equal((await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).status, 500);
    remove();
    assert.equal((await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).status, 200);

    // Rotation: a new kid; without keepOld the old key leaves the JWKS at once.
    const before = (await (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).json()).keys.map((k) => k.kid);
    const kid = mock.rotateSigningKey();
    const afterKeys = (await (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).json()).keys.map((k) => k.kid);
    assert.deepEqual(afterKeys, [kid]);
    assert.ok(!before.includes(kid));
    mock.rotateSigningKey({ keepOld: true });
    assert.equal((await (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).json()).keys.length, 2);

    const { stats } = mock;
    assert.equal(stats.soap, 4);
    assert.equal(stats.tenants.Cust1.soap, 2);
    assert.equal(stats.tenants.Cust2.soap, 2);
    assert.equal(stats.openidConfiguration, 1);
    mock.resetStats();
    assert.equal(mock.stats.soap, 0);

    assert.throws(() => mock.injectFault('earthquake'), TypeError);
    assert.throws(() => mock.injectFault('latency', {}), TypeError);
    assert.ok(Object.keys(FAULTS).includes('badSignature'));
    assert.throws(() => mock.addTenant({ contextIdentifier: 'X' }), TypeError);
    assert.throws(() => mock.registerApplication({ applicationToken: 'y', publicKey: 'not a key' }), TypeError);
    assert.equal((await fetch(`${mock.baseUrl}/nothing`)).status, 404);
  } finally {
    await mock.close();
  }
});

test('token endpoint: the refresh grant by hand-built forms; id_tokens verified by node:crypto', async () => {
  const mock = await startMockSuperOffice({ issuer: 'https://sod.superoffice.com' });
  try {
    mock.registerApplication({ applicationToken: APP, publicKey: keys.publicKey, clientId: 'app-client' });
    mock.addTenant({ contextIdentifier: 'Cust1', systemUserToken: TOKEN });
    const rt = mock.issueRefreshToken({
      clientId: 'app-client',
      contextIdentifier: 'Cust1',
      redirectUri: 'https://app.example/cb',
    });
    const post = async (form, type = 'application/x-www-form-urlencoded') => {
      const res = await fetch(`${mock.baseUrl}/login/common/oauth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': type },
        body: form,
      });
      return { status: res.status, cache: res.headers.get('cache-control'), body: await res.json() };
    };
    const form = (fields) => new URLSearchParams(fields).toString();
    const good = { grant_type: 'refresh_token', client_id: 'app-client', client_secret: APP, refresh_token: rt };

    const ok = await post(form({ ...good, redirect_uri: 'https://app.example/cb' }));
    assert.equal(ok.status, 200);
    assert.equal(ok.cache, 'no-store');
    assert.equal(ok.body.token_type, 'Bearer');
    assert.match(ok.body.access_token, /^8A:Cust1\./);
    assert.equal(ok.body.expires_in, 3600);
    assert.equal(ok.body.refresh_token, undefined, 'not rotating');
    // The id_token: RS256 under the JWKS key, SuperOffice's claim set, iat as a digit string.
    const [h, p, sig] = ok.body.id_token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const {
      keys: [jwk],
    } = await (await fetch(`${mock.baseUrl}/login/.well-known/jwks`)).json();
    assert.equal(header.kid, jwk.kid);
    assert.ok(
      verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        createPublicKey({ key: jwk, format: 'jwk' }),
        Buffer.from(sig, 'base64url'),
      ),
    );
    assert.equal(claims.iss, 'https://sod.superoffice.com');
    assert.equal(claims.aud, 'app-client');
    assert.match(claims.iat, /^\d+$/);
    assert.equal(claims[`${IDENTITY}ctx`], 'Cust1');
    assert.equal(claims[`${IDENTITY}system_token`], TOKEN);
    assert.equal(claims[`${IDENTITY}is_administrator`], 'True');
    const discovery = await (await fetch(`${mock.baseUrl}/login/.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, 'https://sod.superoffice.com');
    assert.equal(discovery.token_endpoint, `${mock.baseUrl}/login/common/oauth/tokens`);

    for (const [label, body, type, status, error] of [
      ['JSON body', JSON.stringify(good), 'application/json', 400, 'invalid_request'],
      ['repeated parameter', `${form(good)}&refresh_token=x`, undefined, 400, 'invalid_request'],
      ['password grant', form({ ...good, grant_type: 'password' }), undefined, 400, 'unsupported_grant_type'],
      [
        'authorization code grant without a code',
        form({ ...good, grant_type: 'authorization_code' }),
        undefined,
        400,
        'invalid_request',
      ],
      ['no grant type', form({ ...good, grant_type: '' }), undefined, 400, 'invalid_request'],
      ['wrong secret', form({ ...good, client_secret: 'nope' }), undefined, 401, 'invalid_client'],
      ['unknown client', form({ ...good, client_id: 'nobody' }), undefined, 401, 'invalid_client'],
      ['no refresh token', form({ ...good, refresh_token: '' }), undefined, 400, 'invalid_request'],
      ['unknown refresh token', form({ ...good, refresh_token: 'never-issued' }), undefined, 400, 'invalid_grant'],
      [
        'another redirect URI',
        form({ ...good, redirect_uri: 'https://evil.example/cb' }),
        undefined,
        400,
        'invalid_grant',
      ],
    ]) {
      const r = await post(body, type);
      assert.equal(r.status, status, label);
      assert.equal(r.body.error, error, label);
      assert.equal(typeof r.body.error_description, 'string', label);
    }
    mock.revokeRefreshToken(rt);
    assert.match((await post(form(good))).body.error_description, /revoked/);
    assert.equal(mock.stats.tokens, 12);
    assert.equal(mock.stats.accessTokensIssued, 1);
    assert.throws(() => mock.issueRefreshToken({ clientId: 'nobody', contextIdentifier: 'Cust1' }), TypeError);
    assert.throws(() => mock.issueSuperIdToken({ clientId: 'app-client', contextIdentifier: 'Cust404' }), TypeError);
    assert.throws(() => mock.addTenant({ contextIdentifier: 'X', systemUser: false, systemUserToken: 't' }), TypeError);
  } finally {
    await mock.close();
  }
});

test('authorize endpoint and code grant by hand-built requests: what is redirected, what is not, PKCE by node:crypto', async () => {
  const mock = await startMockSuperOffice();
  try {
    const redirectUri = 'https://app.example/cb';
    mock.registerClient({ clientId: 'web', clientSecret: 'web-secret', redirectUris: [redirectUri] });
    mock.registerClient({ clientId: 'other', clientSecret: 'other-secret' });
    mock.addTenant({ contextIdentifier: 'Cust1', systemUser: false });
    mock.addTenant({ contextIdentifier: 'Cust2', systemUser: false });
    const base = {
      response_type: 'code',
      client_id: 'web',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 's',
      nonce: 'n',
      acr_values: 'tenant:Cust1',
    };
    const authorize = async (params) => {
      const res = await fetch(`${mock.baseUrl}/login/common/oauth/authorize?${new URLSearchParams(params)}`, {
        redirect: 'manual',
      });
      const location = res.headers.get('location');
      return {
        status: res.status,
        location,
        back: location ? new URLSearchParams(new URL(location).search || new URL(location).hash.slice(1)) : null,
        text: await res.text(),
      };
    };
    // Problems with the client or the redirect URI are answered here, never redirected.
    for (const params of [
      { ...base, client_id: 'nobody' },
      { ...base, redirect_uri: 'https://evil.example/cb' },
      { ...base, redirect_uri: undefined },
    ]) {
      for (const [name, value] of Object.entries(params)) if (value === undefined) delete params[name];
      const r = await authorize(params);
      assert.equal(r.status, 400, JSON.stringify(params));
      assert.equal(r.location, null);
    }
    // The rest go back to the redirect URI with the state.
    for (const [label, params, error] of [
      ['response type token', { ...base, response_type: 'token' }, 'unsupported_response_type'],
      ['no openid scope', { ...base, scope: 'profile' }, 'invalid_scope'],
      ['plain PKCE', { ...base, code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
      [
        'a challenge that is no SHA-256',
        { ...base, code_challenge: 'short', code_challenge_method: 'S256' },
        'invalid_request',
      ],
      ['id_token without a nonce', { ...base, response_type: 'id_token', nonce: undefined }, 'invalid_request'],
      ['id_token in a query', { ...base, response_type: 'id_token', response_mode: 'query' }, 'invalid_request'],
      ['several tenants, none named', { ...base, acr_values: undefined }, 'invalid_request'],
      ['unknown tenant', { ...base, acr_values: 'tenant:Cust404' }, 'invalid_request'],
    ]) {
      for (const [name, value] of Object.entries(params)) if (value === undefined) delete params[name];
      const r = await authorize(params);
      assert.equal(r.status, 302, label);
      assert.ok(r.location.startsWith(redirectUri), label);
      assert.equal(r.back.get('error'), error, label);
      assert.equal(r.back.get('state'), 's', label);
    }
    // An id_token by fragment (OpenID Connect's default for it), a code by query.
    const fragment = await authorize({ ...base, response_type: 'id_token' });
    assert.ok(fragment.location.startsWith(`${redirectUri}#`));
    assert.equal(JSON.parse(Buffer.from(fragment.back.get('id_token').split('.')[1], 'base64url')).nonce, 'n');

    const token = async (fields) => {
      const res = await fetch(`${mock.baseUrl}/login/common/oauth/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      return { status: res.status, body: await res.json() };
    };
    const verifier = 'v'.repeat(43);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const codeFor = async (extra = {}) => (await authorize({ ...base, ...extra })).back.get('code');
    const grant = {
      grant_type: 'authorization_code',
      client_id: 'web',
      client_secret: 'web-secret',
      redirect_uri: redirectUri,
    };
    for (const [label, fields, error] of [
      [
        'no verifier for a challenge',
        { ...grant, code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }) },
        'invalid_grant',
      ],
      ['a verifier without a challenge', { ...grant, code: await codeFor(), code_verifier: verifier }, 'invalid_grant'],
      [
        'a verifier that is too short',
        {
          ...grant,
          code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }),
          code_verifier: 'v'.repeat(42),
        },
        'invalid_grant',
      ],
      [
        "another client's code",
        { ...grant, client_id: 'other', client_secret: 'other-secret', code: await codeFor() },
        'invalid_grant',
      ],
      ['an unknown code', { ...grant, code: 'never-issued' }, 'invalid_grant'],
    ]) {
      const r = await token(fields);
      assert.equal(r.status, 400, label);
      assert.equal(r.body.error, error, label);
    }
    const ok = await token({
      ...grant,
      code: await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' }),
      code_verifier: verifier,
    });
    assert.equal(ok.status, 200);
    assert.ok(ok.body.refresh_token && ok.body.access_token && ok.body.id_token);
    // The refresh token the code brought works at the refresh grant, with the code's redirect URI.
    const refreshed = await token({
      grant_type: 'refresh_token',
      client_id: 'web',
      client_secret: 'web-secret',
      refresh_token: ok.body.refresh_token,
      redirect_uri: redirectUri,
    });
    assert.equal(refreshed.status, 200);
    assert.equal(mock.stats.authorize, 17);
    assert.equal(mock.stats.codesIssued, 5);
  } finally {
    await mock.close();
  }
});
