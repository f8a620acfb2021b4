// Test material made with node:crypto only, never with the package under test, so every check compares
// our Rust against an independent implementation.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

const toBase64 = (base64url) => Buffer.from(base64url, 'base64url').toString('base64');

/**
 * A generated RSA key pair, re-imported. Node 20 can deadlock exporting a freshly generated key as JWK:
 * the export holds the key's mutex while it allocates, a garbage collection then finalises the
 * key-generation job, whose destructor locks the same mutex (seen as a test file hanging at 0% CPU in
 * KeyObjectHandle::ExportJWK -> ~KeyGenJob). A key parsed from PEM has a mutex of its own.
 */
export function freshKeyPair(modulusLength = 2048) {
  const generated = generateKeyPairSync('rsa', { modulusLength });
  const privateKey = createPrivateKey(generated.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** An RSA key pair in every form the package accepts, plus its public forms. */
export function makeKeyPair(modulusLength = 2048) {
  const { privateKey, publicKey } = freshKeyPair(modulusLength);
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    privateKey,
    publicKey,
    pkcs1: privateKey.export({ format: 'pem', type: 'pkcs1' }),
    pkcs8: privateKey.export({ format: 'pem', type: 'pkcs8' }),
    xml: dotNetXml(jwk),
    spki: publicKey.export({ format: 'pem', type: 'spki' }),
    publicJwk: publicKey.export({ format: 'jwk' }),
  };
}

/** The .NET `RSA.ToXmlString(true)` form SuperOffice's developer portal issues. */
export function dotNetXml(jwk) {
  return (
    `<RSAKeyValue><Modulus>${toBase64(jwk.n)}</Modulus><Exponent>${toBase64(jwk.e)}</Exponent>` +
    `<P>${toBase64(jwk.p)}</P><Q>${toBase64(jwk.q)}</Q><DP>${toBase64(jwk.dp)}</DP>` +
    `<DQ>${toBase64(jwk.dq)}</DQ><InverseQ>${toBase64(jwk.qi)}</InverseQ><D>${toBase64(jwk.d)}</D></RSAKeyValue>`
  );
}

export const b64url = (value) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact RS256 JWS signed by node:crypto. Header and payload may be objects or raw JSON text. */
export function mintJwt(header, payload, privateKey) {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

export const IDENTITY = 'http://schemes.superoffice.net/identity/';

/** The claim set SuperOffice puts in a system-user token. */
export function systemUserClaims(nowSeconds, overrides = {}) {
  return {
    iss: 'SuperOffice AS',
    aud: 'spn:SERIAL-42',
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + 300,
    [`${IDENTITY}ticket`]: '7T:dGlja2V0LWZvci10ZXN0cw==',
    [`${IDENTITY}ctx`]: 'Cust12345',
    [`${IDENTITY}serial`]: 'SERIAL-42',
    [`${IDENTITY}netserver_url`]: 'https://sod2.superoffice.com/Cust12345/Remote/Services88',
    [`${IDENTITY}webapi_url`]: 'https://sod2.superoffice.com/Cust12345/api/',
    [`${IDENTITY}is_administrator`]: 'False',
    ...overrides,
  };
}

export const PSU_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1';

/** A WCF-style SOAP 1.1 AuthenticationResponse. */
export function soapResponse({ isSuccessful = true, token = null, errorMessage = null }) {
  const nil = (name, value) => (value === null ? `<${name} i:nil="true"/>` : `<${name}>${escapeXml(value)}</${name}>`);
  return (
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>' +
    `<AuthenticationResponse xmlns="${PSU_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
    `<IsSuccessful>${isSuccessful}</IsSuccessful>${nil('Token', token)}${nil('ErrorMessage', errorMessage)}` +
    '</AuthenticationResponse></s:Body></s:Envelope>'
  );
}

export function escapeXml(value) {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** base64url SHA-1 of a certificate's DER, as JWKS `x5t` and our KeySet compute it. */
export function thumbprint(der) {
  return createHash('sha1').update(der).digest('base64url');
}
