// Secret hygiene: distinctive secrets (key material, application token, system user token, signed
// system user token, ticket, the JWT carrying the ticket) are fed through every failing path we can
// reach (core functions, the client, the CLI in-process), and no error's message, stack, cause,
// String(), JSON or util.inspect() output, nor anything the CLI prints, may contain any of them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspect } from 'node:util';
import {
  KeySet,
  PrivateKey,
  SuperOfficeAuthError,
  authHeaders,
  buildRefreshTokenRequest,
  buildTicketRequest,
  createSystemUserClient,
  parseTicketResponse,
  parseTokenResponse,
  signToken,
  validateToken,
  buildAuthorizationCodeRequest,
  createAuthorizationRequest,
  createRefreshTokenClient,
  parseAuthorizationResponse,
  buildAgentRequest,
  parseAgentResponse,
  verifyWebhook,
  parseTenantStatusNotification,
  createWebhookHandler,
} from 'superoffice-auth';
import { IDENTITY, b64url, makeKeyPair, mintJwt, systemUserClaims } from './helpers/independent.mjs';

const require = createRequire(import.meta.url);
const NOW = Date.UTC(2026, 10, 23, 14, 5, 30);
const NOW_S = Math.floor(NOW / 1000);

const APPLICATION_TOKEN = 'APPTOKEN-7f3a9c2e-d41b-secret';
const SYSTEM_USER_TOKEN = 'SUT Tenant.5e2a-8c1f-secret';
const TICKET = '7T:TICKET-0b7d44e19a-secret';
const CLIENT_SECRET = 'CLIENTSECRET-5d1e07b3-secret';
const REFRESH_TOKEN = 'REFRESH-9a8b7c6d5e4f-secret';
const WEBHOOK_SECRET = 'WEBHOOKSECRET-2b8f4e6a-secret';
const ACCESS_TOKEN = '8A:Cust12345.ACCESS-3f2e1d-secret';
const AUTH_CODE = 'AUTHCODE-4c3b2a19-secret';
const CODE_VERIFIER = 'VERIFIER-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const key = makeKeyPair(2048);
const attacker = makeKeyPair(2048);
const issuer = makeKeyPair(2048);
const small = makeKeyPair(1024);
const jwks = { keys: [{ ...issuer.publicJwk, kid: 'k1', use: 'sig', alg: 'RS256' }] };
const SIGNED = signToken(SYSTEM_USER_TOKEN, key.pkcs8, { now: NOW });

/** Every 20-character window (stride 10) of each base64 text: any leaked run of key material shows. */
function windows(...texts) {
  const out = [];
  for (const text of texts) {
    for (let i = 0; i + 20 <= text.length; i += 10) out.push(text.slice(i, i + 20));
  }
  return out;
}
const pemBody = (pem) => pem.replace(/-----[^-]+-----|\s/g, '');
const xmlValues = (xml) => [...xml.matchAll(/<(P|Q|DP|DQ|InverseQ|D)>([^<]+)</g)].map((m) => m[2]);
const claims = systemUserClaims(NOW_S, {
  [`${IDENTITY}ticket`]: TICKET,
  [`${IDENTITY}system_token`]: SYSTEM_USER_TOKEN,
});
const goodJwt = mintJwt({ alg: 'RS256', kid: 'k1' }, claims, issuer.privateKey);

const SECRETS = [
  WEBHOOK_SECRET,
  APPLICATION_TOKEN,
  CLIENT_SECRET,
  REFRESH_TOKEN,
  ACCESS_TOKEN,
  AUTH_CODE,
  CODE_VERIFIER,
  SYSTEM_USER_TOKEN,
  TICKET,
  TICKET.slice(3), // the ticket without its prefix
  SIGNED,
  SIGNED.slice(SIGNED.lastIndexOf('.') + 1, SIGNED.lastIndexOf('.') + 41), // the signature
  goodJwt.split('.')[1].slice(0, 40), // the JWT's payload
  goodJwt.split('.')[2].slice(0, 40), // and signature
  ...windows(pemBody(key.pkcs8), pemBody(key.pkcs1), ...xmlValues(key.xml)),
  ...windows(pemBody(small.pkcs8), ...xmlValues(small.xml)),
];

/** Every way an error is commonly shown or logged. */
function renderings(error) {
  const out = [
    String(error),
    error?.message,
    error?.stack,
    inspect(error, { depth: Infinity, showHidden: true }),
    JSON.stringify(error),
  ];
  for (const value of Object.values(error ?? {})) out.push(inspect(value, { depth: Infinity }));
  if (error?.cause !== undefined)
    out.push(inspect(error.cause, { depth: Infinity, showHidden: true }), String(error.cause?.stack));
  return out.join('\n');
}

function assertClean(text, where) {
  for (const secret of SECRETS) {
    assert.ok(!String(text).includes(secret), `${where} leaks ${secret.slice(0, 12)}...`);
  }
}

let failures = 0;
/** The error must be a SuperOfficeAuthError and show no secret in any rendering. */
function checkClean(where, error) {
  assert.ok(error instanceof SuperOfficeAuthError, `${where}: expected a SuperOfficeAuthError, got ${error}`);
  assertClean(renderings(error), where);
  failures += 1;
  return error;
}

/** Runs `fn`, which must throw cleanly (see checkClean). */
function failsCleanly(where, fn) {
  let error;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  return checkClean(where, error);
}

/** Awaits `promise`, which must reject cleanly (see checkClean). */
async function rejectsCleanly(where, promise) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  return checkClean(where, error);
}

// Key texts that fail, each full of real key material (and some of other secrets).
const middle = Math.floor(key.pkcs8.length / 2);
const badKeys = {
  'one character changed': `${key.pkcs8.slice(0, middle)}${key.pkcs8[middle] === 'A' ? 'B' : 'A'}${key.pkcs8.slice(middle + 1)}`,
  truncated: key.pkcs8.slice(0, key.pkcs8.length - 200),
  'body without PEM lines': pemBody(key.pkcs8),
  'PKCS#1 body under a PKCS#8 label': key.pkcs1.replaceAll('RSA PRIVATE KEY', 'PRIVATE KEY'),
  'an application token inside the base64': key.pkcs8.replace('\n', `\n${APPLICATION_TOKEN}\n`),
  'two keys': `${key.pkcs8}${attacker.pkcs8}`,
  'encrypted with the application token': key.privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: APPLICATION_TOKEN,
  }),
  '1024 bits': small.pkcs8,
  '1024 bits XML': small.xml,
  'XML DP of another key': key.xml.replace(/<DP>[^<]+<\/DP>/, /<DP>[^<]+<\/DP>/.exec(attacker.xml)[0]),
  'XML without InverseQ': key.xml.replace(/<InverseQ>[^<]+<\/InverseQ>/, ''),
  'XML with a secret in an unknown element': key.xml.replace('<D>', `<Note>${APPLICATION_TOKEN} ${TICKET}</Note><D>`),
  'XML with a secret as bad base64': key.xml.replace('<D>', `<D>${APPLICATION_TOKEN}`),
  'XML with a DOCTYPE': `<!DOCTYPE RSAKeyValue [<!ENTITY s "${APPLICATION_TOKEN}">]>${key.xml}`,
  'XML cut short': key.xml.slice(0, key.xml.length - 30),
  'public key': key.spki,
};

test('private keys that fail to parse or sign', () => {
  for (const [name, text] of Object.entries(badKeys)) {
    failsCleanly(`PrivateKey.parse: ${name}`, () => PrivateKey.parse(text));
    failsCleanly(`signToken with key text: ${name}`, () => signToken(SYSTEM_USER_TOKEN, text, { now: NOW }));
    if (name !== 'public key') failsCleanly(`KeySet.from: ${name}`, () => KeySet.from(text));
  }
  const parsed = PrivateKey.parse(key.xml);
  assertClean(
    `${inspect(parsed, { depth: Infinity, showHidden: true })} ${JSON.stringify(parsed)} ${String(parsed)}`,
    'a parsed PrivateKey',
  );
  failsCleanly('toPem with a bad format', () => parsed.toPem(APPLICATION_TOKEN));
  failsCleanly('signToken: a control character', () => signToken(`${SYSTEM_USER_TOKEN}\u0001`, parsed, { now: NOW }));
  failsCleanly('signToken: too long', () => signToken(`${SYSTEM_USER_TOKEN}${'x'.repeat(5000)}`, parsed, { now: NOW }));
  failsCleanly('signToken: a bad time', () => signToken(SYSTEM_USER_TOKEN, parsed, { now: -1 }));
  failsCleanly('signToken: a key object that is not ours', () =>
    signToken(SYSTEM_USER_TOKEN, { pem: key.pkcs8 }, { now: NOW }),
  );
});

test('ticket requests that fail to build', () => {
  const base = {
    environment: 'sod',
    applicationToken: APPLICATION_TOKEN,
    contextIdentifier: 'Cust12345',
    signedSystemToken: SIGNED,
  };
  const rows = {
    'control character in the application token': { applicationToken: `${APPLICATION_TOKEN}\u0000` },
    'U+FFFE in the signed token': { signedSystemToken: `${SIGNED}\uFFFE` },
    'control character in the context': { contextIdentifier: `Cust\u0001${TICKET}` },
    'blank application token': { applicationToken: ' \t ' },
    'unknown environment': { environment: APPLICATION_TOKEN },
    'both environment and base URL': { baseUrl: 'https://example.com' },
    'base URL with user info': { environment: undefined, baseUrl: `https://${APPLICATION_TOKEN}@sod.superoffice.com` },
    'plain http base URL': { environment: undefined, baseUrl: `http://sod.superoffice.com/${TICKET}` },
    'base URL with a query': { environment: undefined, baseUrl: `https://sod.superoffice.com/?t=${APPLICATION_TOKEN}` },
    'unknown transport': { transport: APPLICATION_TOKEN },
    'application token not a string': { applicationToken: { APPLICATION_TOKEN } },
  };
  for (const [name, change] of Object.entries(rows)) {
    failsCleanly(`buildTicketRequest: ${name}`, () => buildTicketRequest({ ...base, ...change }));
  }
  failsCleanly('authHeaders: line break in the ticket', () => authHeaders(`${TICKET}\r\nX-Evil: 1`, APPLICATION_TOKEN));
  failsCleanly('authHeaders: line break in the application token', () => authHeaders(TICKET, `${APPLICATION_TOKEN}\n`));
});

const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const P = 'http://www.superoffice.com/superid/partnersystemuser/0.1';
const envelope = (body) => `<s:Envelope xmlns:s="${S11}"><s:Body>${body}</s:Body></s:Envelope>`;
const auth = (children) =>
  `<AuthenticationResponse xmlns="${P}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">${children}</AuthenticationResponse>`;
const soapWith = (token, successful = 'true', extra = '') =>
  envelope(auth(`<IsSuccessful>${successful}</IsSuccessful><Token>${token}</Token>${extra}`));
const response = (body, status = 200, type = 'text/xml; charset=utf-8') => ({
  status,
  headers: { 'content-type': type },
  body,
});

/** Tokens that carry the secret ticket and system user token, and fail validation. */
function failingTokens() {
  const mint = (overrides, header = { alg: 'RS256', kid: 'k1' }, signingKey = issuer.privateKey) =>
    mintJwt(header, { ...claims, ...overrides }, signingKey);
  const [h, p, s] = goodJwt.split('.');
  return {
    expired: mint({ exp: NOW_S - 3600 }),
    'not yet valid': mint({ nbf: NOW_S + 3600 }),
    'wrong issuer': mint({ iss: 'Evil AS' }),
    'wrong audience': mint({ aud: 'spn:other' }),
    'signed by an attacker': mint({}, { alg: 'RS256', kid: 'k1' }, attacker.privateKey),
    'unknown kid': mint({}, { alg: 'RS256', kid: 'other' }),
    'alg none': `${b64url({ alg: 'none' })}.${p}.`,
    HS256: `${b64url({ alg: 'HS256', kid: 'k1' })}.${p}.${s}`,
    'payload swapped': `${h}.${b64url({ ...claims, aud: 'x' })}.${s}`,
    'ticket claim not a string': mint({ [`${IDENTITY}ticket`]: { value: TICKET } }),
    'is_administrator not a boolean': mint({ [`${IDENTITY}is_administrator`]: TICKET }),
    'duplicate claim': mintJwt(
      { alg: 'RS256', kid: 'k1' },
      JSON.stringify(claims).replace('{', `{"iss":"${TICKET}",`),
      issuer.privateKey,
    ),
    'too long': mint({ pad: `${TICKET}${'x'.repeat(20_000)}` }),
  };
}

test('ticket responses that fail: invalid tokens, denials, faults, malformed bodies', () => {
  const options = { keys: jwks, now: NOW, contextIdentifier: 'Cust12345' };
  for (const [name, token] of Object.entries(failingTokens())) {
    failsCleanly(`parseTicketResponse: ${name}`, () => parseTicketResponse(response(soapWith(token)), options));
    // Two rows are valid JWTs whose system-user claims are wrong: only the ticket check refuses them.
    if (!/not a string|not a boolean/.test(name)) {
      failsCleanly(`validateToken: ${name}`, () =>
        validateToken(token, { keys: jwks, now: NOW, issuer: 'SuperOffice AS', audience: 'spn:SERIAL-42' }),
      );
    }
    failsCleanly(`REST: ${name}`, () =>
      parseTicketResponse(
        response(JSON.stringify({ IsSuccessful: true, Token: token }), 200, 'application/json'),
        options,
      ),
    );
  }
  const rows = {
    'valid token for another tenant': [response(soapWith(goodJwt)), { ...options, contextIdentifier: 'Cust99' }],
    'denied, with a token beside': [
      response(soapWith(goodJwt, 'false', '<ErrorMessage>InvalidSignature</ErrorMessage>')),
    ],
    'denied with status 401 (REST)': [
      response(
        JSON.stringify({ IsSuccessful: false, Token: goodJwt, ErrorMessage: 'Denied' }),
        401,
        'application/json',
      ),
    ],
    'a valid token with status 500': [response(soapWith(goodJwt), 500)],
    'two Token elements': [response(soapWith(goodJwt, 'true', `<Token>${goodJwt}</Token>`))],
    'Token split by a comment': [response(soapWith(`${goodJwt.slice(0, 30)}<!---->${goodJwt.slice(30)}`))],
    'IsSuccessful not a boolean': [response(soapWith(goodJwt, 'yes'))],
    'token in an entity': [response(`<!DOCTYPE s:Envelope [<!ENTITY t "${goodJwt}">]>${soapWith('&t;')}`)],
    'truncated after the token': [response(soapWith(goodJwt).slice(0, -40))],
    'REST duplicate member': [
      response(`{"IsSuccessful":true,"Token":"${goodJwt}","Token":"${TICKET}"}`, 200, 'application/json'),
    ],
    'over the size cap': [response(`${soapWith(goodJwt)}${' '.repeat(300 * 1024)}`)],
    'bytes that are not UTF-8': [
      { status: 200, headers: {}, body: Buffer.concat([Buffer.from(soapWith(goodJwt)), Buffer.from([0xff])]) },
    ],
    'keys given as a private key': [response(soapWith(goodJwt)), { ...options, keys: key.pkcs8 }],
    'no keys': [response(soapWith(goodJwt)), { now: NOW }],
  };
  for (const [name, [res, opts = options]] of Object.entries(rows)) {
    failsCleanly(`parseTicketResponse: ${name}`, () => parseTicketResponse(res, opts));
  }
  // A successful result prints without its credentials.
  const result = parseTicketResponse(response(soapWith(goodJwt)), options);
  assert.equal(result.ticket, TICKET);
  assertClean(inspect(result, { depth: Infinity }), 'inspect(ticket result)');
});

test('the client: failing fetches, responses and keys', async () => {
  const answers = {
    'fetch throws': () => {
      throw new TypeError(`fetch failed`);
    },
    'HTTP 500': () => new Response('Internal error', { status: 500 }),
    'token signed by an attacker': () =>
      new Response(soapWith(failingTokens()['signed by an attacker']), {
        status: 200,
        headers: { 'content-type': 'text/xml' },
      }),
    'expired token': () =>
      new Response(soapWith(failingTokens().expired), { status: 200, headers: { 'content-type': 'text/xml' } }),
    denied: () =>
      new Response(soapWith(goodJwt, 'false', '<ErrorMessage>InvalidTimestamp</ErrorMessage>'), {
        status: 200,
        headers: { 'content-type': 'text/xml' },
      }),
    'SOAP fault': () =>
      new Response(envelope('<s:Fault><faultcode>s:Client</faultcode><faultstring>Bad</faultstring></s:Fault>'), {
        status: 500,
        headers: { 'content-type': 'text/xml' },
      }),
    'body over the cap': () =>
      new Response(' '.repeat(2 * 1024 * 1024), { status: 200, headers: { 'content-type': 'text/xml' } }),
    // Issue 19: a server echoing what it was sent (the request body holds the application token and the
    // signed system user token).
    'a fault echoing the request': (init) =>
      new Response(
        envelope(
          `<s:Fault><faultcode>s:Client</faultcode><faultstring>${String(init.body).replace(/</g, '&lt;')} ${APPLICATION_TOKEN} ${SYSTEM_USER_TOKEN}</faultstring></s:Fault>`,
        ),
        { status: 500, headers: { 'content-type': 'text/xml' } },
      ),
    'a denial echoing the secrets': () =>
      new Response(
        soapWith(
          goodJwt,
          'false',
          `<ErrorMessage>Denied for ${APPLICATION_TOKEN} / ${SYSTEM_USER_TOKEN} / ${SIGNED}</ErrorMessage>`,
        ),
        { status: 200, headers: { 'content-type': 'text/xml' } },
      ),
    'a fault echoing a secret cut at 512 characters': () =>
      new Response(
        envelope(
          `<s:Fault><faultcode>s:Client</faultcode><faultstring>${'x'.repeat(500)} ${APPLICATION_TOKEN}</faultstring></s:Fault>`,
        ),
        { status: 500, headers: { 'content-type': 'text/xml' } },
      ),
  };
  for (const [name, answer] of Object.entries(answers)) {
    const client = createSystemUserClient({
      environment: 'sod',
      applicationToken: APPLICATION_TOKEN,
      privateKey: key.xml,
      keys: jwks,
      fetch: async (_url, init) => answer(init),
      now: () => NOW,
    });
    assertClean(inspect(client, { depth: Infinity, showHidden: true }), `inspect(client) ${name}`);
    await rejectsCleanly(
      `client.getTicket: ${name}`,
      client.getTicket({ contextIdentifier: 'Cust12345', systemUserToken: SYSTEM_USER_TOKEN }),
    );
    await rejectsCleanly(
      `client.authHeaders: ${name}`,
      client.authHeaders({ contextIdentifier: 'Cust12345', systemUserToken: SYSTEM_USER_TOKEN }),
    );
  }
  for (const [name, text] of Object.entries(badKeys)) {
    failsCleanly(`createSystemUserClient: ${name}`, () =>
      createSystemUserClient({
        environment: 'sod',
        applicationToken: APPLICATION_TOKEN,
        privateKey: text,
        keys: jwks,
        fetch: async () => new Response(''),
      }),
    );
  }
});

test('the refresh-token grant: requests and token responses that fail', async () => {
  const base = { environment: 'sod', clientId: 'client-1', clientSecret: CLIENT_SECRET, refreshToken: REFRESH_TOKEN };
  for (const [name, change] of Object.entries({
    'control character in the client secret': { clientSecret: `${CLIENT_SECRET}\u0000` },
    'control character in the refresh token': { refreshToken: `${REFRESH_TOKEN}\u0001` },
    'unknown environment': { environment: CLIENT_SECRET },
    'base URL with the secret as user info': {
      environment: undefined,
      baseUrl: `https://${CLIENT_SECRET}@sod.superoffice.com`,
    },
    'control character in the redirect URI': { redirectUri: `https://app.example/cb?${REFRESH_TOKEN}\u0000` },
  })) {
    failsCleanly(`buildRefreshTokenRequest: ${name}`, () => buildRefreshTokenRequest({ ...base, ...change }));
  }
  const request = buildRefreshTokenRequest(base);
  assertClean(inspect(request, { depth: Infinity }), 'inspect(refresh request)');
  const idToken = failingTokens()['signed by an attacker'];
  const json = (body, status = 200) => ({
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const ok = { token_type: 'Bearer', access_token: ACCESS_TOKEN, expires_in: 3600, refresh_token: REFRESH_TOKEN };
  for (const [name, [response, options]] of Object.entries({
    'invalid_grant echoing nothing of ours': [json({ error: 'invalid_grant', error_description: 'expired' }, 400)],
    // Issue 19: an error that echoes the refresh token and the client secret, with `redact` as the client passes it.
    'invalid_grant echoing the secrets': [
      json({ error: 'invalid_grant', error_description: `${REFRESH_TOKEN} for ${CLIENT_SECRET}` }, 400),
      { redact: [REFRESH_TOKEN, CLIENT_SECRET] },
    ],
    'access token not a string': [json({ ...ok, access_token: { ACCESS_TOKEN } })],
    'token type not Bearer': [json({ ...ok, token_type: ACCESS_TOKEN })],
    'expires_in a string': [json({ ...ok, expires_in: REFRESH_TOKEN })],
    'duplicate member': [
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: `{"access_token":"${ACCESS_TOKEN}","access_token":"${REFRESH_TOKEN}","token_type":"Bearer","expires_in":3600}`,
      },
    ],
    'id_token signed by an attacker': [
      json({ ...ok, id_token: idToken }),
      { keys: jwks, environment: 'sod', clientId: 'client-1' },
    ],
    'success with status 500': [json(ok, 500)],
  })) {
    failsCleanly(`parseTokenResponse: ${name}`, () => parseTokenResponse(response, { now: NOW, ...options }));
  }
  const result = parseTokenResponse(json(ok), { now: NOW });
  assert.equal(result.accessToken, ACCESS_TOKEN);
  assertClean(inspect(result, { depth: Infinity }), 'inspect(token result)');
  // Issue 19: the client passes what it holds, so a token endpoint echoing the request (client secret
  // and refresh token in the form body) shows neither.
  const echoing = createRefreshTokenClient({
    ...base,
    validateIdToken: false,
    fetch: async (_url, init) =>
      new Response(JSON.stringify({ error: 'invalid_request', error_description: `got ${init.body}` }), {
        status: 400,
        headers: { 'content-type': 'application/json' },
      }),
  });
  await rejectsCleanly('refresh client: a token endpoint echoing the request', echoing.getAccessToken());
});

// The CLI, in-process (its `main` takes argv, env and the output streams), against a local server
// that answers like SuperOffice but with tokens that fail validation.
const cliMain = require(join(dirname(require.resolve('superoffice-auth/package.json')), 'cli.cjs')).main;
const dir = mkdtempSync(join(tmpdir(), 'superoffice-auth-secrets-'));
let server;
after(() => server?.close());

async function startServer(token) {
  server?.close();
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url.toLowerCase().includes('jwks')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      } else {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(soapWith(token));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function runCli(argv, env) {
  let output = '';
  const out = {
    stdout: (text) => {
      output += text;
    },
    stderr: (text) => {
      output += text;
    },
  };
  const code = await cliMain(argv, env, out);
  return { code, output };
}

test('the CLI prints no secret when it fails', async () => {
  const baseUrl = await startServer(failingTokens()['signed by an attacker']);
  const badKeyFile = join(dir, 'bad-key.pem');
  writeFileSync(badKeyFile, badKeys['one character changed']);
  const keyFile = join(dir, 'key.xml');
  writeFileSync(keyFile, key.xml);
  const env = {
    SO_BASE_URL: baseUrl,
    SO_APPLICATION_TOKEN: APPLICATION_TOKEN,
    SO_SYSTEM_USER_TOKEN: SYSTEM_USER_TOKEN,
    SO_CONTEXT_IDENTIFIER: 'Cust12345',
    SO_PRIVATE_KEY_FILE: keyFile,
  };
  const runs = [
    ['ticket: token signed by an attacker', ['ticket'], env],
    ['ticket --json: token signed by an attacker', ['ticket', '--json'], env],
    ['ticket: bad key file', ['ticket'], { ...env, SO_PRIVATE_KEY_FILE: badKeyFile }],
    [
      'ticket: bad key in the environment',
      ['ticket'],
      { ...env, SO_PRIVATE_KEY_FILE: '', SO_PRIVATE_KEY: badKeys['XML DP of another key'] },
    ],
    [
      'ticket: a secret as a stray argument (an unquoted token with a space)',
      ['ticket', '--system-user-token', 'SUT', SYSTEM_USER_TOKEN],
      env,
    ],
    ['ticket: a secret as a stray argument before the options', ['ticket', APPLICATION_TOKEN], env],
    ['ticket: a mistyped option with an inline secret', ['ticket', `--aplication-token=${APPLICATION_TOKEN}`], env],
    ['ticket: a boolean option given a secret', ['ticket', `--json=${APPLICATION_TOKEN}`], env],
    ['ticket: bad base URL', ['ticket'], { ...env, SO_BASE_URL: `https://${APPLICATION_TOKEN}@example.com` }],
    ['ticket: nothing listening', ['ticket', '--timeout-ms', '2000'], { ...env, SO_BASE_URL: 'http://127.0.0.1:9' }],
    [
      'ticket: control character in the application token',
      ['ticket'],
      { ...env, SO_APPLICATION_TOKEN: `${APPLICATION_TOKEN}\u0001` },
    ],
    ['ticket: the key itself where its file name goes', ['ticket'], { ...env, SO_PRIVATE_KEY_FILE: key.pkcs8 }],
    ['ticket: the XML key itself where its file name goes', ['ticket', '-k', key.xml], env],
    [
      'ticket: the key body itself where its file name goes',
      ['ticket'],
      { ...env, SO_PRIVATE_KEY_FILE: pemBody(key.pkcs1) },
    ],
    ['convert-key: bad key', ['convert-key', badKeyFile], {}],
    ['convert-key: the key itself where its file name goes', ['convert-key', key.pkcs1], {}],
    ['convert-key: a secret as the format', ['convert-key', keyFile, '--to', APPLICATION_TOKEN], {}],
    ['convert-key: two files', ['convert-key', keyFile, APPLICATION_TOKEN], {}],
    ['inspect: a token with the ticket, not validated', ['inspect', goodJwt], {}],
    ['inspect: --json', ['inspect', goodJwt, '--json'], {}],
    [
      'inspect: signed by an attacker, with keys',
      ['inspect', failingTokens()['signed by an attacker'], '--keys', `${baseUrl}/login/.well-known/jwks`],
      {},
    ],
    ['inspect: not a JWT', ['inspect', `${TICKET}.${APPLICATION_TOKEN}`], {}],
    [
      'refresh: nothing listening',
      ['refresh', '--timeout-ms', '2000'],
      {
        SO_BASE_URL: 'http://127.0.0.1:9',
        SO_ISSUER: 'https://sod.superoffice.com',
        SO_CLIENT_ID: 'client-1',
        SO_CLIENT_SECRET: CLIENT_SECRET,
        SO_REFRESH_TOKEN: REFRESH_TOKEN,
      },
    ],
    [
      'refresh: a stray secret argument',
      ['refresh', REFRESH_TOKEN],
      {
        SO_ENVIRONMENT: 'sod',
        SO_CLIENT_ID: 'client-1',
        SO_CLIENT_SECRET: CLIENT_SECRET,
        SO_REFRESH_TOKEN: REFRESH_TOKEN,
      },
    ],
    [
      'refresh: the secret where its file name goes',
      ['refresh'],
      {
        SO_ENVIRONMENT: 'sod',
        SO_CLIENT_ID: 'client-1',
        SO_CLIENT_SECRET_FILE: `${CLIENT_SECRET}\n${REFRESH_TOKEN}`,
        SO_REFRESH_TOKEN: REFRESH_TOKEN,
      },
    ],
    [
      'refresh: a control character in the secret',
      ['refresh', '--ignore-id-token'],
      {
        SO_BASE_URL: 'http://127.0.0.1:9',
        SO_CLIENT_ID: 'client-1',
        SO_CLIENT_SECRET: `${CLIENT_SECRET}\u0001`,
        SO_REFRESH_TOKEN: REFRESH_TOKEN,
      },
    ],
  ];
  for (const [name, argv, runEnv] of runs) {
    const { code, output } = await runCli(argv, runEnv);
    assertClean(output, `CLI ${name}`);
    if (!name.startsWith('inspect: a token') && !name.startsWith('inspect: --json'))
      assert.notEqual(code, 0, `CLI ${name} must fail`);
    failures += 1;
  }
});

test('the authorization door: requests, redirects and code exchanges that fail', async () => {
  const base = {
    environment: 'sod',
    clientId: 'client-1',
    clientSecret: CLIENT_SECRET,
    code: AUTH_CODE,
    redirectUri: 'https://app.example/cb',
    codeVerifier: CODE_VERIFIER,
  };
  for (const [name, change] of Object.entries({
    'control character in the client secret': { clientSecret: `${CLIENT_SECRET}\u0000` },
    'control character in the code': { code: `${AUTH_CODE}\n` },
    'a verifier outside RFC 7636': { codeVerifier: `${CODE_VERIFIER}+/` },
    'a verifier too short': { codeVerifier: AUTH_CODE },
    'the client secret as the redirect URI, with a fragment': { redirectUri: `https://app.example/#${CLIENT_SECRET}` },
    'base URL with the secret as user info': {
      environment: undefined,
      baseUrl: `https://${CLIENT_SECRET}@sod.superoffice.com`,
    },
  })) {
    failsCleanly(`buildAuthorizationCodeRequest: ${name}`, () => buildAuthorizationCodeRequest({ ...base, ...change }));
  }
  assertClean(inspect(buildAuthorizationCodeRequest(base), { depth: Infinity }), 'inspect(code request)');
  const authorize = { environment: 'sod', clientId: 'client-1', redirectUri: 'https://app.example/cb' };
  for (const [name, change] of Object.entries({
    'control character in the client id': { clientId: `${CLIENT_SECRET}\u0001` },
    'a redirect URI with a fragment': { redirectUri: `https://app.example/#${REFRESH_TOKEN}` },
    'an unknown environment': { environment: CLIENT_SECRET },
  })) {
    failsCleanly(`createAuthorizationRequest: ${name}`, () => createAuthorizationRequest({ ...authorize, ...change }));
  }
  const request = createAuthorizationRequest(authorize);
  assert.ok(!inspect(request).includes(request.codeVerifier), 'inspect(authorization request) hides the verifier');
  for (const [name, params] of Object.entries({
    'the state of another request': `code=${AUTH_CODE}&state=other`,
    'no state': { code: AUTH_CODE },
    'a code given twice': `code=${AUTH_CODE}&code=${AUTH_CODE}&state=${request.state}`,
    'a code with a control character': `code=${AUTH_CODE}%00&state=${request.state}`,
    'an id_token with a control character': `id_token=${goodJwt}%01&state=${request.state}`,
  })) {
    failsCleanly(`parseAuthorizationResponse: ${name}`, () =>
      parseAuthorizationResponse(params, { state: request.state }),
    );
  }
  const client = createRefreshTokenClient({
    environment: 'sod',
    clientId: 'client-1',
    clientSecret: CLIENT_SECRET,
    redirectUri: 'https://app.example/cb',
    validateIdToken: false,
  });
  await rejectsCleanly(
    'fromAuthorizationCode: a bad verifier',
    client.fromAuthorizationCode({ code: AUTH_CODE, codeVerifier: `${CODE_VERIFIER}/` }),
  );
  await rejectsCleanly('getAccessToken before the code', client.getAccessToken());
  assertClean(inspect(client) + JSON.stringify(client), 'inspect(refresh client)');
});

test('NetServer agents over REST and SOAP: requests, answers and calls that fail', async () => {
  const rest = {
    webapiUrl: 'https://sod2.superoffice.com/Cust12345/api/',
    agent: 'Associate',
    method: 'GetAssociate',
    ticket: TICKET,
    applicationToken: APPLICATION_TOKEN,
  };
  for (const [name, change] of Object.entries({
    'the ticket with a line break': { ticket: `${TICKET}\r\nX: 1` },
    'the application token with a tab': { applicationToken: `${APPLICATION_TOKEN}\t` },
    'a secret as the agent': { agent: TICKET },
    'a secret as the method': { method: APPLICATION_TOKEN },
    'a secret in an unknown option': { [TICKET]: 1 },
    'a secret as the time zone': { timeZone: { SoTimeZoneLocationCode: TICKET } },
    'a secret as the URL': { webapiUrl: `https://x/${TICKET}/` },
    'a secret parameter that cannot be sent': { parameters: { [TICKET]: () => 1 } },
  })) {
    failsCleanly(`buildAgentRequest (REST): ${name}`, () => buildAgentRequest({ ...rest, ...change }));
    failsCleanly(`buildAgentRequest (SOAP): ${name}`, () =>
      buildAgentRequest({
        ...rest,
        webapiUrl: undefined,
        protocol: 'soap',
        netserverUrl: 'https://sod.superoffice.com/Cust12345/Remote/Services88/',
        ...change,
      }),
    );
  }
  assertClean(inspect(buildAgentRequest(rest)), 'inspect(a REST agent request)');
  const json = (body, status) => ({ status, headers: { 'content-type': 'application/json' }, body });
  for (const [name, response] of Object.entries({
    'an error object quoting the ticket': json(
      `{"Message":"An error has occurred.","ExceptionMessage":"Ticket ${TICKET} is not valid","ExceptionType":"SoSecurityException","StackTrace":"${APPLICATION_TOKEN}"}`,
      500,
    ),
    'an invalid request quoting the ticket': json(
      `{"Message":"The request is invalid.","MessageDetail":"${TICKET}"}`,
      400,
    ),
    'a 401 whose body holds secrets': json(`{"Error":"${TICKET} ${APPLICATION_TOKEN}"}`, 401),
    'secrets in a malformed body': json(`{"${TICKET}":1,"${TICKET}":2}`, 200),
    'secrets in a non-JSON 500': {
      status: 500,
      headers: { 'content-type': 'text/plain' },
      body: `${TICKET} ${APPLICATION_TOKEN}`,
    },
  })) {
    failsCleanly(`parseAgentResponse (REST): ${name}`, () => parseAgentResponse(response));
  }
  // callAgent and webApiOptions through a fetch that answers each failure.
  const failing = {
    'a refused ticket': () =>
      new Response(`{"Error":"${TICKET}"}`, { status: 401, headers: { 'content-type': 'application/json' } }),
    'an agent error': () =>
      new Response(
        `{"Message":"x","ExceptionMessage":"${TICKET}","ExceptionType":"SoException","StackTrace":"${APPLICATION_TOKEN}"}`,
        { status: 500, headers: { 'content-type': 'application/json' } },
      ),
    'a network failure': () => {
      throw new TypeError('fetch failed');
    },
  };
  for (const [name, answer] of Object.entries(failing)) {
    const client = createSystemUserClient({
      environment: 'sod',
      applicationToken: APPLICATION_TOKEN,
      privateKey: key.xml,
      keys: jwks,
      now: () => NOW,
      fetch: async (url) =>
        String(url).includes('/login/')
          ? new Response(soapWith(goodJwt), { status: 200, headers: { 'content-type': 'text/xml' } })
          : answer(),
    });
    const tenant = { contextIdentifier: 'Cust12345', systemUserToken: SYSTEM_USER_TOKEN };
    await rejectsCleanly(
      `callAgent (REST): ${name}`,
      client.callAgent(tenant, 'Associate', 'GetAssociate', { AssociateId: 5 }),
    );
    await rejectsCleanly(
      `callAgent (SOAP): ${name}`,
      client.callAgent(tenant, 'Associate', 'GetAssociate', { AssociateId: 5 }, { protocol: 'soap' }),
    );
  }
});

test('webhooks and tenant status notifications that fail: the secret and the body stay out', async () => {
  const { createHmac } = await import('node:crypto');
  const body = JSON.stringify({
    EventId: 'a1b2c3d4-0000-4000-8000-000000000001',
    Timestamp: '2026-11-23T14:05:30.0000000Z',
    Changes: [APPLICATION_TOKEN],
    Event: 'contact.changed',
    PrimaryKey: 1,
    Entity: 'contact',
    ContextIdentifier: 'Cust1',
    ChangedByAssociateId: 5,
    WebhookName: TICKET,
  });
  const sign = (text, secret = WEBHOOK_SECRET) => createHmac('sha256', secret).update(text).digest('base64');
  for (const [name, options] of Object.entries({
    'no signature': { body, headers: {} },
    'a signature under another secret': { body, headers: { 'x-superoffice-signature': sign(body, 'other') } },
    'the secret as the signature': { body, headers: { 'x-superoffice-signature': WEBHOOK_SECRET } },
    'a tampered body': {
      body: body.replace('"PrimaryKey":1', '"PrimaryKey":2'),
      headers: { 'x-superoffice-signature': sign(body) },
    },
    'another event id': { body, headers: { 'x-superoffice-signature': sign(body), 'x-superoffice-eventid': TICKET } },
    'too old': { body, headers: { 'x-superoffice-signature': sign(body) }, maxAgeSeconds: 60, now: NOW + 86_400_000 },
    'not JSON, signed': {
      body: `${TICKET} ${APPLICATION_TOKEN}`,
      headers: { 'x-superoffice-signature': sign(`${TICKET} ${APPLICATION_TOKEN}`) },
    },
    'a parsed body': { body: JSON.parse(body), headers: {} },
    'a misspelled option holding the secret': { body, headers: {}, secrets: WEBHOOK_SECRET },
  })) {
    failsCleanly(`verifyWebhook: ${name}`, () => verifyWebhook({ secret: WEBHOOK_SECRET, now: NOW, ...options }));
  }
  const notification = (extra) =>
    JSON.stringify({ ChangeType: 2, ContextIdentifier: 'Cust1', Token: goodJwt, VersionName: TICKET, ...extra });
  for (const [name, text] of Object.entries({
    'a Token of another issuer': notification(),
    'a Token that is the application token': notification({ Token: APPLICATION_TOKEN }),
    'not JSON': `${APPLICATION_TOKEN}`,
    'a ChangeType that is a secret': notification({ ChangeType: TICKET }),
  })) {
    failsCleanly(`parseTenantStatusNotification: ${name}`, () =>
      parseTenantStatusNotification(text, { keys: jwks, environment: 'sod', now: NOW }),
    );
  }
  const errors = [];
  const handler = createWebhookHandler({
    secret: WEBHOOK_SECRET,
    onEvent() {
      throw new SuperOfficeAuthError('ERR_INVALID_ARGUMENT', 'the partner handler failed');
    },
    onError: (error) => errors.push(error),
  });
  const answer = await handler(
    new Request('https://partner.example/', {
      method: 'POST',
      headers: { 'x-superoffice-signature': sign(body) },
      body: `${body} `,
    }),
  );
  assert.equal(answer.status, 401);
  assertClean(await answer.text(), "the handler's refusal");
  checkClean("the handler's onError", errors[0]);
  assertClean(inspect(handler), 'inspect(handler)');
});

test('issue 20: the tenant unavailable, moved with a stream body, rate limited: what the servers echo stays out', async () => {
  // One fake SuperOffice: the exchange answers the good token (webapi_url on sod2), the state API what
  // `state` says, the tenant what `tenant` says; every answer echoes what it was sent (headers, body).
  const echo = (url, init) =>
    `${url} ${JSON.stringify(init.headers)} ${String(init.body ?? '')} ${APPLICATION_TOKEN} ${TICKET}`;
  let state = { State: 'Running', IsRunning: true, Endpoint: 'https://sod2.superoffice.com/Cust12345' };
  let tenant = () => new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  let exchange = () => new Response(soapWith(goodJwt), { status: 200, headers: { 'content-type': 'text/xml' } });
  const fetch = async (url, init) => {
    const text = String(url);
    if (text.includes('/api/state/'))
      return new Response(
        JSON.stringify({ ContextIdentifier: 'Cust12345', ValidUntil: new Date(NOW + 60_000).toISOString(), ...state }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    if (text.includes('PartnerSystemUserService')) return exchange(url, init);
    return tenant(url, init);
  };
  const make = () =>
    createSystemUserClient({
      environment: 'sod',
      applicationToken: APPLICATION_TOKEN,
      privateKey: key.xml,
      keys: jwks,
      fetch,
      now: () => NOW,
      systemUserTokens: { Cust12345: SYSTEM_USER_TOKEN },
    });
  const client = make();
  const events = [];
  const observed = createSystemUserClient({
    environment: 'sod',
    applicationToken: APPLICATION_TOKEN,
    privateKey: key.xml,
    keys: jwks,
    fetch,
    now: () => NOW,
    systemUserTokens: { Cust12345: SYSTEM_USER_TOKEN },
    onEvent: (e) => events.push(e),
  });
  // Down: the tenant answers 503 echoing the request, the state API says OfflineMaintenance.
  tenant = (url, init) => new Response(echo(url, init), { status: 503 });
  state = { State: 'OfflineMaintenance', IsRunning: false, Endpoint: null };
  for (const c of [client, observed]) {
    await rejectsCleanly('client.fetch: tenant unavailable', c.fetch('Cust12345', 'v1/User/currentPrincipal'));
    await rejectsCleanly('client.getTicket: tenant unavailable (failing fast)', c.getTicket('Cust12345'));
  }
  // Moved, with a stream body: the 421 echoes the request, the state API names another host.
  const moving = make();
  tenant = (url, init) =>
    new Response(`Wrong subdomain used to access tenant ${echo(url, init)}`, {
      status: String(url).startsWith('https://sod2.') ? 421 : 200,
    });
  state = { State: 'Running', IsRunning: true, Endpoint: 'https://sod3.superoffice.com/Cust12345' };
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(SYSTEM_USER_TOKEN));
      controller.close();
    },
  });
  await rejectsCleanly(
    'client.fetch: moved, stream body not sent twice',
    moving.fetch('Cust12345', 'v1/User/currentPrincipal', { method: 'POST', body: stream, duplex: 'half' }),
  );
  // Rate limited: the tenant's 429 to callAgent, then an exchange's 429, echoing the request.
  const limited = make();
  tenant = (url, init) => new Response(echo(url, init), { status: 429, headers: { 'retry-after': '30' } });
  state = { State: 'Running', IsRunning: true, Endpoint: 'https://sod2.superoffice.com/Cust12345' };
  await rejectsCleanly(
    'client.callAgent: the tenant answers 429',
    limited.callAgent('Cust12345', 'Associate', 'GetAssociate', { AssociateId: 1 }),
  );
  const held = make();
  exchange = (url, init) => new Response(echo(url, init), { status: 429, headers: { 'retry-after': '120' } });
  await rejectsCleanly('client.getTicket: the exchange answers 429', held.getTicket('Cust12345'));
  await rejectsCleanly('client.getTicket: the fleet holds (Retry-After)', held.getTicket('Cust12345'));
  assert.ok(events.length > 0);
  assertClean(inspect(events, { depth: Infinity }), 'events');
});

test('every path above was exercised', () => {
  assert.ok(failures > 150, `only ${failures} failing paths`);
});
