'use strict';
// Key text must not linger in wasm memory. Text handed to wasm is copied into its linear memory; the
// binding wipes that copy (and every buffer of key text or key output) before freeing it, so once a
// call returns, no run of the key's base64 is left in memory, parsed key or not. This file watches the
// package's own instance: it wraps WebAssembly.Instance before the package is loaded (node --test runs
// each file in its own process, so no other test shares this instance).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { generateKeyPairSync } = require('node:crypto');

let instance;
const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = function Instance(...args) {
  instance = new OriginalInstance(...args);
  return instance;
};
const { PrivateKey, signToken } = require('superoffice-auth');

WebAssembly.Instance = OriginalInstance;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' });
const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' });
const jwk = privateKey.export({ format: 'jwk' });
const b64 = (value) => Buffer.from(value, 'base64url').toString('base64');
const xml = `<RSAKeyValue><Modulus>${b64(jwk.n)}</Modulus><Exponent>${b64(jwk.e)}</Exponent><P>${b64(jwk.p)}</P><Q>${b64(jwk.q)}</Q><DP>${b64(jwk.dp)}</DP><DQ>${b64(jwk.dq)}</DQ><InverseQ>${b64(jwk.qi)}</InverseQ><D>${b64(jwk.d)}</D></RSAKeyValue>`;

/** 24-character runs of the secret parts of each form (the modulus and exponent are public). */
function fragments(text) {
  const secret = text.includes('<RSAKeyValue>')
    ? [...text.matchAll(/<(P|Q|DP|DQ|InverseQ|D)>([^<]+)</g)].map((m) => m[2]).join('')
    : text.replace(/-----[^-]+-----|\s/g, '').slice(400); // past the modulus
  const out = [];
  for (let i = 0; i + 24 <= secret.length; i += 48) out.push(secret.slice(i, i + 24));
  return out;
}
const ALL = [...fragments(pkcs8), ...fragments(pkcs1), ...fragments(xml)];

function leftInMemory() {
  assert.ok(instance, 'the package instantiated its wasm module');
  const memory = Buffer.from(instance.exports.memory.buffer);
  return ALL.filter((fragment) => memory.includes(Buffer.from(fragment)));
}

test('no key text is left in wasm memory after parsing, converting, signing or failing', () => {
  assert.ok(ALL.length > 50);
  const keys = [pkcs8, pkcs1, xml].map((text) => PrivateKey.parse(text));
  assert.deepEqual(leftInMemory(), [], 'after parse');
  for (const key of keys) {
    assert.equal(key.toPem('pkcs8').trim(), pkcs8.trim());
    assert.equal(key.toPem('pkcs1').trim(), pkcs1.trim());
    assert.ok(key.toXml().startsWith('<RSAKeyValue>'));
    signToken('T', key, { now: Date.UTC(2026, 0, 1) });
  }
  assert.deepEqual(leftInMemory(), [], 'after toPem, toXml and signToken');
  for (const text of [pkcs8, pkcs1, xml]) signToken('T', text, { now: Date.UTC(2026, 0, 1) });
  assert.deepEqual(leftInMemory(), [], 'after signToken with key text');
  const broken = [
    pkcs8.slice(0, 900),
    pkcs1.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!'),
    xml.replace('<D>', '<D>!'),
    xml.replace(/<DP>[^<]+<\/DP>/, '<DP>AQ==</DP>'),
    `${pkcs8}${pkcs1}`,
  ];
  for (const text of broken) assert.throws(() => PrivateKey.parse(text), { name: 'SuperOfficeAuthError' });
  assert.deepEqual(leftInMemory(), [], 'after failed parses');
});

// The key's raw numbers, not only its text. A key is parsed and dropped inside one `signToken` call
// with key text; afterwards none of D, DP, DQ, P or Q may be left in wasm memory. rsa zeroizes D, the
// primes and its CRT values on drop, but keeps a Montgomery form of each prime (crypto-bigint's
// BoxedMontyParams, which has no Zeroize); since issue 19 the module's allocator zeroes every block it
// frees, so those go too.
test('after a key is dropped, none of its private numbers is left in wasm memory', () => {
  const { privateKey: other } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherJwk = other.export({ format: 'jwk' });
  const otherPkcs8 = other.export({ type: 'pkcs8', format: 'pem' });
  for (let round = 0; round < 3; round++) signToken('T', otherPkcs8, { now: Date.UTC(2026, 0, 1) });
  const memory = Buffer.from(instance.exports.memory.buffer);
  /** Whether a 16-byte window of the number appears, big-endian or as little-endian limbs. */
  const present = (base64url) => {
    const bytes = Buffer.from(base64url, 'base64url');
    const windows = [];
    for (let i = 8; i + 16 <= bytes.length - 8; i += 32) windows.push(bytes.subarray(i, i + 16));
    return windows.some((w) => memory.includes(w) || memory.includes(Buffer.from(w).reverse()));
  };
  const found = Object.fromEntries(['d', 'dp', 'dq', 'p', 'q'].map((name) => [name, present(otherJwk[name])]));
  assert.equal(found.d, false, 'D is wiped');
  assert.equal(found.dp, false, 'DP is wiped');
  assert.equal(found.dq, false, 'DQ is wiped');
  assert.equal(found.p, false, 'P is wiped (its Montgomery form freed by the zeroing allocator)');
  assert.equal(found.q, false, 'Q is wiped (its Montgomery form freed by the zeroing allocator)');
});

// Issue 19: the credentials a call is given (application token, system user token, client secret,
// refresh token) are gone from wasm memory once it returns, with every copy the core made: the
// allocator zeroes each block it frees, and the JS layer scrubs the stack after each call. Tokens are
// distinctive ASCII, so any copy shows; the whole memory is scanned, stack included.
test('no application token, system user token, client secret or refresh token is left in wasm memory', () => {
  const core = require('superoffice-auth');
  const APP = 'APPTOKEN-wasm-memory-7f3a9c2e-d41b';
  const SUT = 'SUT-wasm-memory-5e2a-8c1f-0b7d';
  const SECRET = 'CLIENTSECRET-wasm-memory-5d1e07b3';
  const REFRESH = 'REFRESH-wasm-memory-9a8b7c6d5e4f';
  const left = () => {
    const memory = Buffer.from(instance.exports.memory.buffer);
    return [APP, SUT, SECRET, REFRESH].filter((secret) => memory.includes(Buffer.from(secret)));
  };
  const key = PrivateKey.parse(pkcs8);
  const now = Date.UTC(2026, 0, 1);
  const calls = {
    'signToken with a PrivateKey': () => signToken(SUT, key, { now }),
    'signToken with key text': () => signToken(SUT, pkcs8, { now }),
    'buildTicketRequest (SOAP)': () =>
      core.buildTicketRequest({
        environment: 'sod',
        applicationToken: APP,
        contextIdentifier: 'Cust1',
        signedSystemToken: signToken(SUT, key, { now }),
      }),
    'buildTicketRequest (REST)': () =>
      core.buildTicketRequest({
        environment: 'sod',
        transport: 'rest',
        applicationToken: APP,
        contextIdentifier: 'Cust1',
        signedSystemToken: `${SUT}.202601010000.AAAA`,
      }),
    buildRefreshTokenRequest: () =>
      core.buildRefreshTokenRequest({ environment: 'sod', clientId: 'c', clientSecret: SECRET, refreshToken: REFRESH }),
    buildAuthorizationCodeRequest: () =>
      core.buildAuthorizationCodeRequest({
        environment: 'sod',
        clientId: 'c',
        clientSecret: SECRET,
        code: 'code-1',
        redirectUri: 'https://app.example/cb',
        codeVerifier: 'v'.repeat(43),
      }),
    buildAgentRequest: () =>
      core.buildAgentRequest({
        netserverUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/',
        agent: 'Associate',
        method: 'GetAssociate',
        parameters: { AssociateId: 5 },
        ticket: '7T:x',
        applicationToken: APP,
      }),
    'parseTokenResponse (a rotated refresh token)': () =>
      core.parseTokenResponse(
        {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token_type: 'Bearer',
            access_token: '8A:x',
            expires_in: 3600,
            refresh_token: REFRESH,
          }),
        },
        { now },
      ),
    'parseTokenResponse (an error echoing the secrets)': () =>
      core.parseTokenResponse(
        {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: 'invalid_grant', error_description: `${REFRESH} ${SECRET}` }),
        },
        { now, redact: [REFRESH, SECRET] },
      ),
    'a bad application token': () =>
      core.buildTicketRequest({
        environment: 'sod',
        applicationToken: `${APP}\u0001`,
        contextIdentifier: 'Cust1',
        signedSystemToken: 'x.202601010000.AAAA',
      }),
  };
  for (const [name, call] of Object.entries(calls)) {
    try {
      call();
    } catch (error) {
      assert.equal(error.name, 'SuperOfficeAuthError', name);
    }
    assert.deepEqual(left(), [], `after ${name}`);
  }
});
