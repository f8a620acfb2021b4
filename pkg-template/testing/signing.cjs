'use strict';
// The stand-in's JWT signing keys and its RS256 signer, on node:crypto alone (never the package's core).

const crypto = require('node:crypto');

/** The prefix of SuperOffice's identity claims. */
const CLAIM = 'http://schemes.superoffice.net/identity/';

function newSigningKey() {
  // Re-imported from PEM: Node 20 can deadlock exporting a freshly generated key as JWK when a garbage
  // collection finalises the generation job mid-export (both lock the key's mutex).
  const generated = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = crypto.createPrivateKey(generated.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const publicKey = crypto.createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  // No certificate exists for a generated key, so kid and x5t are both the SHA-1 thumbprint of the
  // SPKI DER: stable, unique per key, and shaped like SuperOffice's (base64url of 20 bytes).
  const thumb = crypto
    .createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
  return {
    privateKey,
    publicKey,
    jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid: thumb, x5t: thumb, n: jwk.n, e: jwk.e },
  };
}

function signJwt(claims, key) {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.jwk.kid, x5t: key.jwk.x5t };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    padding: crypto.constants.RSA_PKCS1_PADDING,
  });
  return `${input}.${signature.toString('base64url')}`;
}

function b64url(text) {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

module.exports = { CLAIM, newSigningKey, signJwt, safeEqual };
