// The CLI as a user runs it: node_modules/.bin/superoffice-auth in the scratch project, as a child
// process (asynchronously: the stand-in it talks to runs in this process).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey, createPrivateKey, sign } from 'node:crypto';
import {
  mkdtempSync,
  mkdirSync,
  writeFileSync,
  readFileSync,
  readdirSync,
  statSync,
  lstatSync,
  existsSync,
  symlinkSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { standIn, assertNoSecrets } from './helpers/stand-in.mjs';
import { openAuthorizeUrl } from './helpers/browser.mjs';
import { IDENTITY, makeKeyPair, mintJwt, systemUserClaims } from './helpers/independent.mjs';

const require = createRequire(import.meta.url);
// <project>/node_modules/superoffice-auth/package.json -> <project>/node_modules/.bin/superoffice-auth
const BIN = join(dirname(require.resolve('superoffice-auth/package.json')), '..', '.bin', 'superoffice-auth');
const dir = mkdtempSync(join(tmpdir(), 'superoffice-auth-cli-'));

function cli(args, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    // A clean environment: only PATH (for the #!/usr/bin/env node line) and what the test gives.
    const child = execFile(
      BIN,
      args,
      { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? error.code : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin.end(input);
  });
}

let s;
let env;
before(async () => {
  s = await standIn({ tenants: 1 });
  writeFileSync(join(dir, 'key.xml'), s.keys.xml);
  writeFileSync(join(dir, 'key.pkcs1.pem'), s.keys.pkcs1);
  writeFileSync(join(dir, 'key.pkcs8.pem'), s.keys.pkcs8);
  env = {
    SO_BASE_URL: s.mock.baseUrl,
    SO_APPLICATION_TOKEN: s.applicationToken,
    SO_CONTEXT_IDENTIFIER: 'Cust1',
    SO_SYSTEM_USER_TOKEN: s.tenants.Cust1,
    SO_PRIVATE_KEY_FILE: join(dir, 'key.xml'),
  };
});
after(() => s.mock.close());

test('the bin is installed where npm puts it', () => {
  assert.ok(existsSync(BIN), BIN);
});

test('--help for the tool and each command; exit 0', async () => {
  for (const args of [
    ['--help'],
    [],
    ['help'],
    ['ticket', '--help'],
    ['convert-key', '-h'],
    ['inspect', '--help'],
    ['help', 'inspect'],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /superoffice-auth/, args.join(' '));
    assert.equal(r.stderr, '');
  }
  assert.match((await cli(['ticket', '--help'])).stdout, /SO_APPLICATION_TOKEN/);
  assert.match((await cli(['--version'])).stdout, /^\d+\.\d+\.\d+/);
});

test('ticket: prints the ticket alone, from environment variables, secrets never echoed', async () => {
  const r = await cli(['ticket'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^7T:\S+\n$/);
  assert.equal(r.stderr, '');
  assertNoSecrets(assert, r.stdout + r.stderr, s.secrets, 'ticket output');
  // The printed ticket works at the tenant API.
  const res = await fetch(`${s.mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`, {
    headers: { Authorization: `SOTicket ${r.stdout.trim()}`, 'SO-AppToken': s.applicationToken },
  });
  assert.equal(res.status, 200);
});

test('ticket: flags instead of variables, each key format, REST, --json', async () => {
  const base = { SO_APPLICATION_TOKEN: s.applicationToken, SO_SYSTEM_USER_TOKEN: s.tenants.Cust1 };
  for (const key of ['key.xml', 'key.pkcs1.pem', 'key.pkcs8.pem']) {
    const r = await cli(
      ['ticket', '--base-url', s.mock.baseUrl, '-c', 'Cust1', '-k', join(dir, key), '--transport', 'rest'],
      { env: base },
    );
    assert.equal(r.code, 0, `${key}: ${r.stderr}`);
    assert.match(r.stdout, /^7T:/);
  }
  const before = s.mock.stats.rest;
  const r = await cli(['ticket', '--json', '--transport', 'rest'], { env });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.match(json.ticket, /^7T:/);
  assert.equal(json.contextIdentifier, 'Cust1');
  assert.equal(json.webapiUrl, `${s.mock.baseUrl}/Cust1/api/`);
  assert.ok(!Number.isNaN(Date.parse(json.expiresAt)));
  assert.equal(json.claims[`${IDENTITY}ctx`], 'Cust1');
  assert.equal(s.mock.stats.rest, before + 1);
  assertNoSecrets(assert, r.stdout + r.stderr, s.secrets, 'ticket --json');
  // With the key in a variable instead of a file.
  const inline = await cli(['ticket'], { env: { ...env, SO_PRIVATE_KEY_FILE: '', SO_PRIVATE_KEY: s.keys.pkcs8 } });
  assert.equal(inline.code, 0, inline.stderr);
});

// Failures: arguments, variables, and what the CLI must print and return.
const FAILURES = [
  ['no settings at all', ['ticket'], {}, 2, /^ERR_INVALID_ARGUMENT: missing --environment/],
  [
    'no application token',
    ['ticket'],
    { SO_APPLICATION_TOKEN: '' },
    2,
    /^ERR_INVALID_ARGUMENT: missing SO_APPLICATION_TOKEN/,
  ],
  [
    'no system user token',
    ['ticket'],
    { SO_SYSTEM_USER_TOKEN: '' },
    2,
    /^ERR_INVALID_ARGUMENT: missing SO_SYSTEM_USER_TOKEN/,
  ],
  [
    'key file missing',
    ['ticket', '-k', '/nonexistent/key.xml'],
    {},
    2,
    /^ERR_INVALID_ARGUMENT: cannot read private key file \/nonexistent\/key.xml: ENOENT/,
  ],
  [
    'unknown flag',
    ['ticket', '--frobnicate'],
    {},
    2,
    /^ERR_INVALID_ARGUMENT: unknown option \(argument 2\); see --help\n$/,
  ],
  [
    'unknown command',
    ['fly'],
    {},
    2,
    /^ERR_INVALID_ARGUMENT: unknown command \(argument 1\); see superoffice-auth --help\n$/,
  ],
  ['bad environment', ['ticket', '--environment', 'moon'], {}, 2, /^ERR_INVALID_ARGUMENT: /],
  [
    'both environment and base URL',
    ['ticket', '-e', 'sod', '--base-url', 'http://127.0.0.1:1'],
    {},
    2,
    /^ERR_INVALID_ARGUMENT: give --environment or --base-url/,
  ],
  ['wrong tenant', ['ticket', '-c', 'Cust404'], {}, 1, /^ERR_TICKET_DENIED: .*\(Denied\)$/m],
  ['nothing listening', ['ticket', '--base-url', 'http://127.0.0.1:9'], {}, 1, /^ERR_FETCH_FAILED: /],
];

test('ticket failures: CODE: message on stderr, exit code, no secret echoed', async () => {
  const wrongKey = makeKeyPair(2048);
  writeFileSync(join(dir, 'wrong.pem'), wrongKey.pkcs8);
  const cases = [
    ...FAILURES,
    ['wrong key', ['ticket', '-k', join(dir, 'wrong.pem')], {}, 1, /^ERR_TICKET_DENIED: .*\(InvalidSignature\)$/m],
  ];
  for (const [label, args, overrides, code, pattern] of cases) {
    const r = await cli(args, { env: label === 'no settings at all' ? {} : { ...env, ...overrides } });
    assert.equal(r.code, code, `${label}: ${r.stderr}`);
    assert.match(r.stderr, pattern, label);
    assert.equal(r.stdout, '', label);
    assertNoSecrets(assert, r.stderr, [...s.secrets, wrongKey.pkcs8.split('\n')[1]], label);
  }
});

test('convert-key: XML to PKCS#8 and PKCS#1, PEM to XML, same key throughout', async () => {
  const expected = createPublicKey(s.keys.privateKey).export({ format: 'jwk' }).n;
  const modulusOf = (text) => createPublicKey(createPrivateKey(text)).export({ format: 'jwk' }).n;
  const pkcs8 = await cli(['convert-key', join(dir, 'key.xml')]);
  assert.equal(pkcs8.code, 0, pkcs8.stderr);
  assert.match(pkcs8.stdout, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.equal(modulusOf(pkcs8.stdout), expected);
  const pkcs1 = await cli(['convert-key', join(dir, 'key.pkcs8.pem'), '--to', 'pkcs1']);
  assert.match(pkcs1.stdout, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.equal(modulusOf(pkcs1.stdout), expected);
  const xml = await cli(['convert-key', '-', '--to', 'xml'], { input: s.keys.pkcs1 });
  assert.equal(xml.code, 0, xml.stderr);
  assert.match(xml.stdout, /^<RSAKeyValue><Modulus>/);
  assert.equal(Buffer.from(/<Modulus>([^<]+)/.exec(xml.stdout)[1], 'base64').toString('base64url'), expected);
  // --out: written for its owner only, and nothing of the key on the terminal.
  const out = join(dir, 'converted.pem');
  const written = await cli(['convert-key', join(dir, 'key.xml'), '--out', out]);
  assert.equal(written.code, 0, written.stderr);
  assert.equal(written.stdout, '');
  assert.match(written.stderr, /wrote pkcs8 key \(2048 bits\)/);
  assertNoSecrets(assert, written.stderr, s.secrets, 'convert-key --out');
  assert.equal(modulusOf(readFileSync(out, 'utf8')), expected);
  assert.equal(statSync(out).mode & 0o777, 0o600);

  writeFileSync(join(dir, 'garbage.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
  const bad = await cli(['convert-key', join(dir, 'garbage.pem')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ERR_KEY_INVALID: /);
  assert.equal((await cli(['convert-key', join(dir, 'key.xml'), '--to', 'der'])).code, 2);
  assert.equal((await cli(['convert-key'])).code, 2);
});

test('inspect: decodes, redacts the ticket, validates with --keys (file or URL)', async () => {
  const issuer = makeKeyPair(2048);
  const now = Math.floor(Date.now() / 1000);
  const claims = systemUserClaims(now);
  const jwt = mintJwt({ alg: 'RS256', typ: 'JWT', kid: 'k1' }, claims, issuer.privateKey);
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...issuer.publicJwk, kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  const ticket = claims[`${IDENTITY}ticket`];

  const plain = await cli(['inspect', jwt]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /"iss": "SuperOffice AS"/);
  assert.match(plain.stdout, /not validated/);
  assert.ok(!plain.stdout.includes(ticket), 'ticket redacted by default');
  assert.ok((await cli(['inspect', jwt, '--reveal'])).stdout.includes(ticket));

  const valid = await cli(['inspect', jwt, '--keys', jwksFile]);
  assert.equal(valid.code, 0, valid.stderr);
  assert.match(valid.stdout, /^valid: /m);
  const json = JSON.parse((await cli(['inspect', '-', '--keys', jwksFile, '--json'], { input: jwt })).stdout);
  assert.equal(json.valid, true);
  assert.equal(json.header.kid, 'k1');

  const tampered = `${jwt.slice(0, jwt.lastIndexOf('.') + 1)}${'A'.repeat(342)}`;
  const bad = await cli(['inspect', tampered, '--keys', jwksFile]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^ERR_JWT_SIGNATURE_INVALID: /);
  const expired = mintJwt({ alg: 'RS256', kid: 'k1' }, systemUserClaims(now - 7200), issuer.privateKey);
  assert.match((await cli(['inspect', expired, '--keys', jwksFile])).stderr, /^ERR_JWT_EXPIRED: /);
  const wrongAudience = mintJwt({ alg: 'RS256', kid: 'k1' }, { ...claims, aud: 'spn:other' }, issuer.privateKey);
  assert.match((await cli(['inspect', wrongAudience, '--keys', jwksFile])).stderr, /^ERR_JWT_CLAIM_INVALID: /);
  assert.match((await cli(['inspect', 'not.a-jwt'])).stderr, /^ERR_JWT_MALFORMED: /);

  // A JWT from a real exchange with the stand-in, checked against its JWKS by URL.
  const at = new Date().toISOString().replace(/[-T:]/g, '').slice(0, 12);
  const data = `${s.tenants.Cust1}.${at}`;
  const signedToken = `${data}.${sign('sha256', Buffer.from(data), s.keys.privateKey).toString('base64')}`;
  const res = await fetch(`${s.mock.baseUrl}/Login/api/PartnerSystemUser/Authenticate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      SignedSystemToken: signedToken,
      ApplicationToken: s.applicationToken,
      ContextIdentifier: 'Cust1',
      ReturnTokenType: 'JWT',
    }),
  });
  const { Token } = await res.json();
  const remote = await cli(['inspect', Token, '--keys', `${s.mock.baseUrl}/login/.well-known/jwks`, '--json']);
  assert.equal(remote.code, 0, remote.stderr);
  const shown = JSON.parse(remote.stdout);
  assert.equal(shown.valid, true);
  assert.equal(shown.claims[`${IDENTITY}ticket`], '[redacted; --reveal to show]');
  assertNoSecrets(assert, remote.stdout, s.secrets, 'inspect');
});

// ---- refresh, and inspect for id_tokens ----

const CLIENT_ID = 'cli-oauth-client';
const CLIENT_SECRET = 'cli-client-secret-5c1e7a9b';

function oauthEnv(refreshToken, extra = {}) {
  return {
    SO_BASE_URL: s.mock.baseUrl,
    SO_ISSUER: s.mock.issuer,
    SO_CLIENT_ID: CLIENT_ID,
    SO_CLIENT_SECRET: CLIENT_SECRET,
    SO_REFRESH_TOKEN: refreshToken,
    ...extra,
  };
}

function registerOAuthClient() {
  if (!s.oauthReady) {
    s.mock.registerClient({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    s.oauthReady = true;
  }
}

test('refresh: prints the access token alone, from environment variables, secrets never echoed', async () => {
  registerOAuthClient();
  const refreshToken = s.mock.issueRefreshToken({ clientId: CLIENT_ID, contextIdentifier: 'Cust1' });
  const r = await cli(['refresh'], { env: oauthEnv(refreshToken) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^8A:Cust1\.\S+\n$/);
  assert.equal(r.stderr, '');
  assertNoSecrets(assert, r.stdout + r.stderr, [CLIENT_SECRET, refreshToken], 'refresh output');
  const res = await fetch(`${s.mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`, {
    headers: { Authorization: `Bearer ${r.stdout.trim()}` },
  });
  assert.equal(res.status, 200);

  // --json: the typed id_token claims, the system user token hidden unless --reveal.
  const json = await cli(['refresh', '--json'], { env: oauthEnv(refreshToken) });
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.match(out.accessToken, /^8A:/);
  assert.equal(out.tokenType, 'Bearer');
  assert.ok(Date.parse(out.expiresAt) > Date.now());
  assert.equal(out.refreshToken, null, 'not rotated');
  assert.equal(out.idToken.contextIdentifier, 'Cust1');
  assert.equal(out.idToken.webapiUrl, `${s.mock.baseUrl}/Cust1/api/`);
  assertNoSecrets(assert, json.stdout, [CLIENT_SECRET, refreshToken], 'refresh --json');
});

test('refresh: a rotated refresh token is written back to --refresh-token-file (0600), or shown with --json', async () => {
  registerOAuthClient();
  const file = join(dir, 'refresh-token');
  const first = s.mock.issueRefreshToken({ clientId: CLIENT_ID, contextIdentifier: 'Cust1', rotate: true });
  writeFileSync(join(dir, 'client-secret'), `${CLIENT_SECRET}\n`);
  writeFileSync(file, `${first}\n`, { mode: 0o644 });
  const env = oauthEnv(undefined, { SO_CLIENT_SECRET: undefined });
  const args = ['refresh', '--client-secret-file', join(dir, 'client-secret'), '--refresh-token-file', file];
  const r = await cli(args, { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^8A:/);
  assert.match(r.stderr, /rotated the refresh token; wrote the new one to /);
  const second = readFileSync(file, 'utf8').trim();
  assert.notEqual(second, first);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assertNoSecrets(assert, r.stdout + r.stderr, [CLIENT_SECRET, first, second], 'refresh with files');
  // The next run uses the written token (the first one is spent).
  const again = await cli(args, { env });
  assert.equal(again.code, 0, again.stderr);
  assert.notEqual(readFileSync(file, 'utf8').trim(), second);

  // From the environment, the rotated token cannot be written back: --json carries it.
  const third = s.mock.issueRefreshToken({ clientId: CLIENT_ID, contextIdentifier: 'Cust1', rotate: true });
  const json = JSON.parse(
    (await cli(['refresh', '--json', '--ignore-id-token'], { env: oauthEnv(third, { SO_ISSUER: '' }) })).stdout,
  );
  assert.ok(json.refreshToken && json.refreshToken !== third);
  assert.equal(json.idToken, null);
  const warned = await cli(['refresh'], { env: oauthEnv(json.refreshToken) });
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /^warning: the server rotated the refresh token/);
  assertNoSecrets(assert, warned.stderr, [json.refreshToken, CLIENT_SECRET], 'rotation warning');
});

test('refresh failures: revoked token, bad secret, usage; CODE: message, no secret echoed', async () => {
  registerOAuthClient();
  const revoked = s.mock.issueRefreshToken({ clientId: CLIENT_ID, contextIdentifier: 'Cust1' });
  s.mock.revokeRefreshToken(revoked);
  const cases = [
    [
      'revoked',
      ['refresh'],
      oauthEnv(revoked),
      1,
      /^ERR_OAUTH_ERROR: OAuth error invalid_grant: the refresh token has been revoked$/m,
    ],
    [
      'bad secret',
      ['refresh'],
      oauthEnv(revoked, { SO_CLIENT_SECRET: 'wrong-secret' }),
      1,
      /^ERR_OAUTH_ERROR: OAuth error invalid_client/m,
    ],
    [
      'no client id',
      ['refresh'],
      oauthEnv(revoked, { SO_CLIENT_ID: '' }),
      2,
      /^ERR_INVALID_ARGUMENT: missing --client-id/,
    ],
    [
      'no secret',
      ['refresh'],
      oauthEnv(revoked, { SO_CLIENT_SECRET: '' }),
      2,
      /^ERR_INVALID_ARGUMENT: missing SO_CLIENT_SECRET/,
    ],
    ['no refresh token', ['refresh'], oauthEnv(''), 2, /^ERR_INVALID_ARGUMENT: missing SO_REFRESH_TOKEN/],
    [
      'base URL without issuer',
      ['refresh'],
      oauthEnv(revoked, { SO_ISSUER: '' }),
      2,
      /^ERR_INVALID_ARGUMENT: with --base-url, give the id_token issuer/,
    ],
    [
      'secret as a flag',
      ['refresh', '--client-secret', CLIENT_SECRET],
      oauthEnv(revoked),
      2,
      /^ERR_INVALID_ARGUMENT: unknown option \(argument 2\); see --help\n$/,
    ],
    [
      'missing token file',
      ['refresh', '--refresh-token-file', '/nonexistent/rt'],
      oauthEnv(revoked),
      2,
      /^ERR_INVALID_ARGUMENT: cannot read refresh token file/,
    ],
  ];
  for (const [label, args, caseEnv, code, pattern] of cases) {
    const r = await cli(args, { env: caseEnv });
    assert.equal(r.code, code, `${label}: ${r.stderr}`);
    assert.match(r.stderr, pattern, label);
    assert.equal(r.stdout, '', label);
    assertNoSecrets(assert, r.stderr, [CLIENT_SECRET, revoked], label);
  }
  const help = await cli(['refresh', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /SO_REFRESH_TOKEN_FILE/);
});

test('inspect: an id_token validated as a SuperIdToken, typed claims, system_token hidden unless --reveal', async () => {
  registerOAuthClient();
  s.mock.registerApplication({
    applicationToken: s.applicationToken,
    publicKey: s.keys.publicKey,
    clientId: 'cli-app',
  });
  const idToken = s.mock.issueSuperIdToken({ contextIdentifier: 'Cust1', clientId: 'cli-app', nonce: 'cli-nonce' });
  const keys = `${s.mock.baseUrl}/login/.well-known/jwks`;
  const base = ['inspect', idToken, '--keys', keys, '--client-id', 'cli-app', '--issuer', s.mock.issuer];

  const r = await cli([...base, '--nonce', 'cli-nonce']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^SuperIdToken:$/m);
  assert.match(r.stdout, /"contextIdentifier": "Cust1"/);
  assert.match(r.stdout, /"systemUserToken": "\[redacted; --reveal to show\]"/);
  assert.match(r.stdout, /^valid: signature, expiry, issuer .*audience cli-app, nonce verified$/m);
  assert.match(r.stdout, /^ {2}iat: \d{4}-/m, 'the digit-string iat shown as a time');
  assertNoSecrets(assert, r.stdout, s.secrets, 'inspect id_token');

  const json = JSON.parse((await cli([...base, '--json', '--reveal'])).stdout);
  assert.equal(json.valid, true);
  assert.equal(json.superIdToken.systemUserToken, s.tenants.Cust1);
  assert.equal(json.claims[`${IDENTITY}system_token`], s.tenants.Cust1);

  const wrongNonce = await cli([...base, '--nonce', 'other']);
  assert.equal(wrongNonce.code, 1);
  assert.match(wrongNonce.stderr, /^ERR_JWT_CLAIM_INVALID: JWT claim nonce/);
  const wrongClient = await cli([
    'inspect',
    idToken,
    '--keys',
    keys,
    '--client-id',
    CLIENT_ID,
    '--issuer',
    s.mock.issuer,
    '--json',
  ]);
  assert.equal(wrongClient.code, 1);
  assert.equal(JSON.parse(wrongClient.stdout).error.claim, 'aud');
  const wrongEnvironment = await cli(['inspect', idToken, '--keys', keys, '--client-id', 'cli-app', '-e', 'online']);
  assert.equal(wrongEnvironment.code, 1);
  assert.match(wrongEnvironment.stderr, /^ERR_JWT_CLAIM_INVALID: JWT claim iss/);
  assert.equal((await cli(['inspect', idToken, '--keys', keys, '--client-id', 'cli-app'])).code, 2, 'no issuer');
  assert.equal((await cli([...base, '--audience', 'x'])).code, 2, '--audience with --client-id');
  // Without keys: decoded, the system token redacted, not validated.
  const plain = await cli(['inspect', idToken]);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /not validated/);
  assertNoSecrets(assert, plain.stdout, s.secrets, 'inspect id_token without keys');
});

test('authorize: the URL and the values to keep, which finish the flow against the stand-in', async () => {
  const { buildAuthorizationCodeRequest, parseAuthorizationResponse, parseTokenResponse } = require('superoffice-auth');
  const redirectUri = 'http://127.0.0.1:9/cli-callback';
  s.mock.registerClient({ clientId: 'cli-client', clientSecret: 'cli-secret', redirectUris: [redirectUri] });
  const authEnv = {
    SO_BASE_URL: s.mock.baseUrl,
    SO_CLIENT_ID: 'cli-client',
    SO_REDIRECT_URI: redirectUri,
    SO_CONTEXT_IDENTIFIER: 'Cust1',
  };
  const r = await cli(['authorize'], { env: authEnv });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const [url, ...rest] = r.stdout.trim().split('\n');
  const kept = Object.fromEntries(rest.map((line) => line.split(': ')));
  assert.deepEqual(Object.keys(kept), ['state', 'nonce', 'codeVerifier']);
  assert.equal(new URL(url).searchParams.get('acr_values'), 'tenant:Cust1');
  const back = await openAuthorizeUrl(url);
  const { code } = parseAuthorizationResponse(back.query, { state: kept.state });
  const built = buildAuthorizationCodeRequest({
    baseUrl: s.mock.baseUrl,
    clientId: 'cli-client',
    clientSecret: 'cli-secret',
    code,
    redirectUri,
    codeVerifier: kept.codeVerifier,
  });
  const res = await fetch(built.url, { method: built.method, headers: built.headers, body: built.body });
  const keys = await (await fetch(`${s.mock.baseUrl}/login/.well-known/jwks`)).text();
  const tokens = parseTokenResponse(
    { status: res.status, body: await res.text() },
    { keys, issuer: s.mock.issuer, clientId: 'cli-client', nonce: kept.nonce },
  );
  assert.equal(tokens.idToken.contextIdentifier, 'Cust1');

  // --json, the approval flavour: no code verifier.
  const j = await cli(['authorize', '--response-type', 'id_token', '--json', '--client-id', 'cli-client'], {
    env: authEnv,
  });
  assert.equal(j.code, 0, j.stderr);
  const approval = JSON.parse(j.stdout);
  assert.equal(approval.codeVerifier, null);
  assert.equal(new URL(approval.url).searchParams.get('response_mode'), 'form_post');
  const posted = await openAuthorizeUrl(approval.url);
  assert.equal(posted.method, 'POST');
  assert.equal(parseAuthorizationResponse(posted.body, { state: approval.state }).idToken.split('.').length, 3);

  // Usage errors exit 2.
  for (const [args, extraEnv, pattern] of [
    [['authorize'], { SO_REDIRECT_URI: undefined }, /--redirect-uri/],
    [['authorize'], { SO_CLIENT_ID: undefined }, /--client-id/],
    [['authorize', '--response-type', 'token'], {}, /responseType/],
    [['authorize', '--redirect-uri', 'https://a.example/#x'], {}, /fragment/],
    [['authorize', 'stray'], {}, /unexpected argument/],
  ]) {
    const e = { ...authEnv, ...extraEnv };
    for (const [name, value] of Object.entries(e)) if (value === undefined) delete e[name];
    const bad = await cli(args, { env: e });
    assert.equal(bad.code, 2, args.join(' '));
    assert.match(bad.stderr, /^ERR_INVALID_ARGUMENT: /);
    assert.match(bad.stderr, pattern);
  }
  assert.match((await cli(['authorize', '--help'])).stdout, /values to keep/);
});

test("call: a NetServer agent with the tenant's ticket, the Response as JSON (REST, or SOAP with --soap)", async () => {
  const r = await cli(['call', 'Cust1', 'Associate.GetAssociate', 'AssociateId=5'], { env });
  assert.equal(r.code, 0, r.stderr);
  const associate = JSON.parse(r.stdout);
  assert.equal(associate.AssociateId, 5);
  assert.equal(associate.Name, 'SYSTEM');
  const list = await cli(['call', 'Cust1', 'Associate.GetAssociateList', 'AssociateIds=[1,2]', '--full'], { env });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    JSON.parse(list.stdout).response.map((a) => a.Name),
    ['AA', 'BB'],
  );
  const soap = await cli(['call', 'Cust1', 'Associate.GetAssociateList', 'AssociateIds=[1]', '--soap', '--full'], {
    env,
  });
  assert.equal(soap.code, 0, soap.stderr);
  const full = JSON.parse(soap.stdout);
  assert.equal(full.succeeded, true);
  assert.deepEqual(
    full.response.map((a) => a.AssociateId),
    ['1'],
    'a list of one is an array over SOAP too',
  );
  const contact = await cli(['call', 'Cust1', 'Contact.GetContactEntity', 'ContactEntityId=2'], { env });
  assert.equal(JSON.parse(contact.stdout).Country.Name, 'Norway');
  const soapContact = await cli(['call', 'Cust1', 'Contact.GetContactEntity', 'ContactEntityId=2', '--soap'], { env });
  assert.equal(JSON.parse(soapContact.stdout).Country.Name, 'Norway');
  for (const output of [r, list, soap, contact, soapContact]) {
    assertNoSecrets(assert, output.stdout + output.stderr, s.secrets, 'call output');
    assert.ok(!/7T:/.test(output.stdout + output.stderr), 'no ticket printed');
  }
  assert.match((await cli(['call', '--help'])).stdout, /Agent\.Method/);
  assert.match((await cli(['call', '--help'])).stdout, /--soap/);
});

test('call: usage errors exit 2, agent failures exit 1 with their code', async () => {
  for (const args of [
    ['call'],
    ['call', 'Cust1'],
    ['call', 'Cust1', 'GetAssociate'],
    ['call', 'Cust1', 'Associate.GetAssociate', 'AssociateId'],
    ['call', 'Cust1', 'Associate.GetAssociate', 'A=1', 'A=2'],
    ['call', 'Cust1', 'Associate.GetAssociate', 'Ids=[1,'],
  ]) {
    const r = await cli(args, { env });
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^ERR_INVALID_ARGUMENT: /);
  }
  const unknown = await cli(['call', 'Cust1', 'Associate.Explode', '--soap'], { env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^ERR_SOAP_FAULT: /);
  const unknownRest = await cli(['call', 'Cust1', 'Associate.Explode'], { env });
  assert.equal(unknownRest.code, 1);
  assert.match(unknownRest.stderr, /^ERR_HTTP_STATUS: /);
  const invalid = await cli(['call', 'Cust1', 'Contact.GetContactEntity', 'ContactEntityId=glops'], { env });
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /^ERR_NETSERVER_EXCEPTION: /);
  const remove = s.mock.injectFault('ticketRejected', { times: 2 });
  const rejected = await cli(['call', 'Cust1', 'Associate.GetAssociate', 'AssociateId=5'], { env });
  remove();
  assert.equal(rejected.code, 1);
  assert.match(rejected.stderr, /^ERR_TICKET_REJECTED: /);
  assert.ok(!/7T:/.test(rejected.stderr));
});

test('get: the tenant REST API with the ticket; a non-2xx status exits 1', async () => {
  const r = await cli(['get', 'Cust1', 'v1/User/currentPrincipal'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).ContextIdentifier, 'Cust1');
  assertNoSecrets(assert, r.stdout + r.stderr, s.secrets, 'get output');
  const missing = await cli(['get', 'Cust1', 'v1/Nothing/here'], { env });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^ERR_HTTP_STATUS: unexpected HTTP status 404/);
  const foreign = await cli(['get', 'Cust1', 'https://attacker.example/x'], { env });
  assert.equal(foreign.code, 2);
  assert.match((await cli(['get', '--help'])).stdout, /currentPrincipal/);
});

// Issue 19: nothing typed is echoed back. Unknown commands and options are named by their position, and
// a known option's trouble by our own name for it.
test('usage errors name arguments by position, never by what was typed', async () => {
  const secret = 'SECRET-typed-7f3a9c';
  const cases = [
    [[secret], /^ERR_INVALID_ARGUMENT: unknown command \(argument 1\); see superoffice-auth --help\n$/],
    [[`--${secret}`], /^ERR_INVALID_ARGUMENT: unknown command \(argument 1\)/],
    [['constructor'], /^ERR_INVALID_ARGUMENT: unknown command \(argument 1\)/],
    [['__proto__'], /^ERR_INVALID_ARGUMENT: unknown command \(argument 1\)/],
    [['ticket', '--json', `--${secret}=x`], /^ERR_INVALID_ARGUMENT: unknown option \(argument 3\); see --help\n$/],
    [['ticket', `-${secret}`], /^ERR_INVALID_ARGUMENT: unknown option \(argument 2\); see --help\n$/],
    [['refresh', `--json=${secret}`], /^ERR_INVALID_ARGUMENT: option --json \(argument 2\) takes no value\n$/],
    [['ticket', '-c'], /^ERR_INVALID_ARGUMENT: option --context-identifier \(argument 2\) needs a value\n$/],
    [
      ['ticket', '-k', `-----BEGIN ${secret}`],
      /^ERR_INVALID_ARGUMENT: option --private-key-file \(argument 2\): the next argument starts with "-"/,
    ],
    [['convert-key', 'k.pem', '--to', `--${secret}`], /^ERR_INVALID_ARGUMENT: option --to \(argument 3\)/],
  ];
  for (const [args, pattern] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), `${args.join(' ')} echoed: ${r.stderr}`);
  }
  // Agent parameters: named by their place too.
  for (const [pairs, pattern] of [
    [[`${secret}=1`, `${secret}=2`], /^ERR_INVALID_ARGUMENT: parameter 2 repeats the name of an earlier one\n$/],
    [[`A={${secret}`], /^ERR_INVALID_ARGUMENT: parameter 1 starts with \[ or \{ but is not JSON\n$/],
    [[secret], /^ERR_INVALID_ARGUMENT: parameter 1: parameters are Name=Value\n$/],
  ]) {
    const r = await cli(['call', 'Cust1', 'Associate.GetAssociate', ...pairs]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.ok(!r.stderr.includes(secret), r.stderr);
  }
  // `help` with an unknown topic prints the main help, never an inherited member.
  const help = await cli(['help', '__proto__']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^superoffice-auth: /);
});

// Issue 19: the rotated refresh token goes through an exclusively created temporary file with a random
// name and mode 0600, then a rename. The CLI runs in this process here, so the name the old code used
// (`${file}.${pid}.tmp`) is known: a symlink planted there must receive nothing.
test('refresh: the rotated token never goes through a planted symlink, and no temporary file is left', async () => {
  registerOAuthClient();
  const { main } = require(join(dirname(require.resolve('superoffice-auth/package.json')), 'cli.cjs'));
  const home = join(dir, 'rotation');
  mkdirSync(home);
  const file = join(home, 'refresh-token');
  const victim = join(home, 'victim');
  writeFileSync(victim, 'untouched\n', { mode: 0o644 });
  symlinkSync(victim, `${file}.${process.pid}.tmp`);
  writeFileSync(join(home, 'client-secret'), `${CLIENT_SECRET}\n`);
  const first = s.mock.issueRefreshToken({ clientId: CLIENT_ID, contextIdentifier: 'Cust1', rotate: true });
  writeFileSync(file, `${first}\n`, { mode: 0o644 });
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['refresh', '--client-secret-file', join(home, 'client-secret'), '--refresh-token-file', file],
    oauthEnv(undefined, { SO_CLIENT_SECRET: undefined }),
    {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^8A:/);
  const second = readFileSync(file, 'utf8').trim();
  assert.ok(second !== '' && second !== first, 'the rotated token was written');
  assert.equal(readFileSync(victim, 'utf8'), 'untouched\n', 'the planted symlink received nothing');
  assert.ok(lstatSync(file).isFile() && !lstatSync(file).isSymbolicLink());
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(
    readdirSync(home).sort(),
    ['client-secret', 'refresh-token', `refresh-token.${process.pid}.tmp`, 'victim'].sort(),
    'no temporary file left behind',
  );

  // A symlink at the target itself is replaced, not written through.
  const third = s.mock.issueRefreshToken({ clientId: CLIENT_ID, contextIdentifier: 'Cust1', rotate: true });
  const linked = join(home, 'linked-token');
  writeFileSync(join(home, 'real-token'), `${third}\n`);
  symlinkSync(join(home, 'real-token'), linked);
  const again = await main(
    ['refresh', '--client-secret-file', join(home, 'client-secret'), '--refresh-token-file', linked],
    oauthEnv(undefined, { SO_CLIENT_SECRET: undefined }),
    { stdout: () => {}, stderr: () => {} },
  );
  assert.equal(again, 0);
  assert.equal(readFileSync(join(home, 'real-token'), 'utf8'), `${third}\n`, 'the symlink target keeps its content');
  assert.ok(lstatSync(linked).isFile());
  assert.equal(statSync(linked).mode & 0o777, 0o600);
});

test('verify-webhook: a saved delivery checked from stdin, refusals with their reason, never the secret', async () => {
  const { createHmac } = await import('node:crypto');
  const secret = 'cli-webhook-secret-9f8e7d';
  writeFileSync(join(dir, 'webhook-secret'), `${secret}\n`); // one trailing newline, as echo writes it
  writeFileSync(join(dir, 'old-secret'), 'the old one');
  const body = Buffer.from(
    '{\r\n  "EventId": "5e1c2a9b-0c4d-4f7e-8a11-3b2c1d0e9f8a",\r\n  "Timestamp": "2026-11-23T14:05:30.1234567Z",\r\n  "Changes": ["name"],\r\n  "Event": "contact.changed",\r\n  "PrimaryKey": 18,\r\n  "Entity": "contact",\r\n  "ContextIdentifier": "Cust1",\r\n  "ChangedByAssociateId": 5,\r\n  "WebhookName": "Kunde Ødegård"\r\n}',
    'utf8',
  );
  const signature = createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');
  const secretArgs = ['--secret-file', join(dir, 'old-secret'), '--secret-file', join(dir, 'webhook-secret')];
  const ok = await cli(
    ['verify-webhook', ...secretArgs, '--signature', signature, '--event-id', '5e1c2a9b-0c4d-4f7e-8a11-3b2c1d0e9f8a'],
    { input: body },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^verified: contact\.changed of contact 18, tenant Cust1, EventId 5e1c2a9b-/);
  const json = await cli(['verify-webhook', '--signature', signature, '--json'], {
    input: body,
    env: { SO_WEBHOOK_SECRET_FILE: join(dir, 'webhook-secret') },
  });
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).webhookName, 'Kunde Ødegård');
  // The same body saved with a trailing newline (as an editor saves it): a mismatch, and a hint why.
  const edited = await cli(['verify-webhook', ...secretArgs, '--signature', signature], {
    input: Buffer.concat([body, Buffer.from('\n')]),
  });
  assert.equal(edited.code, 1);
  assert.match(edited.stderr, /ERR_WEBHOOK_INVALID: webhook refused: signature-mismatch/);
  assert.match(edited.stderr, /ends with a line break/);
  const missing = await cli(['verify-webhook', ...secretArgs], { input: body });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /missing-signature/);
  const otherEvent = await cli(['verify-webhook', ...secretArgs, '--signature', signature, '--event-id', 'another'], {
    input: body,
  });
  assert.match(otherEvent.stderr, /event-id-mismatch/);
  const old = await cli(['verify-webhook', ...secretArgs, '--signature', signature, '--max-age-seconds', '60'], {
    input: body,
  });
  assert.match(old.stderr, /too-old/);
  const noSecret = await cli(['verify-webhook', '--signature', signature], { input: body });
  assert.equal(noSecret.code, 2);
  for (const result of [ok, json, edited, missing, otherEvent, old, noSecret]) {
    assertNoSecrets(assert, result.stdout + result.stderr, [secret, 'the old one'], 'verify-webhook output');
  }
});
