'use strict';
// `node:crypto` in the standards-only entries. The client uses createHash('sha256') synchronously, to
// name its cache keys; WebCrypto's digest is asynchronous, so the wasm core computes it (the sha2
// crate). Anything else a module asks of node:crypto fails loudly here instead of misbehaving.

const wasm = require('./superoffice_auth_wasm.js');

const ENCODINGS = new Set(['hex', 'base64', 'base64url']);

function fromHex(hex) {
  let binary = '';
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return binary;
}

function encode(hex, encoding) {
  if (encoding === 'hex') return hex;
  const base64 = btoa(fromHex(hex));
  return encoding === 'base64' ? base64 : base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function createHash(algorithm) {
  if (algorithm !== 'sha256')
    throw new Error(`superoffice-auth: createHash('${algorithm}') is not available outside Node`);
  let text = '';
  let done = false;
  const hash = {
    update(data) {
      if (done) throw new Error('superoffice-auth: hash already digested');
      if (typeof data !== 'string') throw new TypeError('superoffice-auth: outside Node only strings are hashed');
      text += data;
      return hash;
    },
    digest(encoding) {
      if (!ENCODINGS.has(encoding))
        throw new TypeError(`superoffice-auth: digest('${encoding}') is not available outside Node`);
      done = true;
      return encode(wasm.sha256Hex(text), encoding);
    },
  };
  return hash;
}

const available = { createHash };

module.exports = new Proxy(available, {
  get(target, name) {
    if (Object.hasOwn(target, name)) return target[name];
    if (typeof name === 'symbol' || name === '__esModule' || name === 'default') return undefined;
    // A package module started using more of node:crypto: give it a web equivalent in this file.
    throw new Error(
      `superoffice-auth: node:crypto ${String(name)} is not available outside Node (web/node-crypto.cjs)`,
    );
  },
});
