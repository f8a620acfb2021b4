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
// with key text; afterwards D must be gone from wasm memory (rsa zeroizes D, the primes and its CRT
// values on drop, and the binding wipes the text). P and Q are another matter: rsa keeps a Montgomery
// form of each prime (crypto-bigint's BoxedMontyParams, which has no Zeroize), so their bytes can
// survive in freed memory until it is reused. docs and the key module say so; this test measures it
// and holds D, DP, DQ to "gone".
test('after a key is dropped, its private exponent is not left in wasm memory', () => {
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
  console.log(`raw key numbers left in wasm memory after drop: ${JSON.stringify(found)}`);
  assert.equal(found.d, false, 'D is wiped');
  assert.equal(found.dp, false, 'DP is wiped');
  assert.equal(found.dq, false, 'DQ is wiped');
});
