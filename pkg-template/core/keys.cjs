'use strict';
// The key layer: private keys for signing and key sets for verification, both handles into wasm
// memory, and the cache of key sets given as text.

const { wasm, LIMITS, capped, cappedKeyText, callCore, coreOptions } = require('./wasm.cjs');
const { invalidArgument } = require('../errors.cjs');
const { INSPECT } = require('../inspect.cjs');
const { requireString } = require('../arguments.cjs');

const CONSTRUCT = Symbol('construct');

/** A parsed RSA private key. Parse once, reuse; the key material stays inside wasm memory. */
class PrivateKey {
  #handle;

  constructor(token, handle) {
    if (token !== CONSTRUCT) throw new TypeError('use PrivateKey.parse(text)');
    this.#handle = handle;
  }

  /** PEM PKCS#1, PEM PKCS#8 or SuperOffice's .NET `<RSAKeyValue>` XML. */
  static parse(text) {
    requireString(text, 'privateKey');
    cappedKeyText(text);
    return new PrivateKey(
      CONSTRUCT,
      callCore(() => wasm.WasmPrivateKey.parse(text)),
    );
  }

  get bits() {
    return this.#handle.bits;
  }

  toPem(format = 'pkcs8') {
    if (format !== 'pkcs8' && format !== 'pkcs1') throw invalidArgument("format must be 'pkcs8' or 'pkcs1'");
    return callCore(() => this.#handle.toPem(format));
  }

  toXml() {
    return callCore(() => this.#handle.toXml());
  }

  /** @internal */
  static signWith(key, systemUserToken, nowMs) {
    return callCore(() => key.#handle.signToken(coreOptions({ systemUserToken, nowMs })));
  }

  /** @returns {{ type: 'PrivateKey', bits: number }} */
  toJSON() {
    return { type: 'PrivateKey', bits: this.bits };
  }

  [INSPECT]() {
    return `PrivateKey <RSA ${this.bits} bits>`;
  }
}

/** Verification keys: a JWKS (text or object), PEM certificates or an SPKI public key. */
class KeySet {
  #handle;

  constructor(token, handle) {
    if (token !== CONSTRUCT) throw new TypeError('use KeySet.from(keys)');
    this.#handle = handle;
  }

  static from(keys) {
    if (keys instanceof KeySet) return keys;
    const text = capped(
      keySetText(keys),
      LIMITS.keySetTextBytes,
      'ERR_KEYSET_INVALID',
      'the key set text is over 1 MiB',
    );
    return new KeySet(
      CONSTRUCT,
      callCore(() => wasm.WasmKeySet.parse(text)),
    );
  }

  get size() {
    return this.#handle.size;
  }

  /** @internal */
  static handle(keySet) {
    return keySet.#handle;
  }

  /** @internal Frees the wasm side now, for key sets the package made itself and no caller holds. */
  static release(keySet) {
    keySet.#handle.free();
  }

  [INSPECT]() {
    return `KeySet <${this.size} key${this.size === 1 ? '' : 's'}>`;
  }
}

function keySetText(keys) {
  if (typeof keys === 'string') return requireString(keys, 'keys');
  if (Array.isArray(keys) && keys.length > 0 && keys.every((item) => typeof item === 'string')) {
    return keys.join('\n');
  }
  if (keys !== null && typeof keys === 'object' && !Array.isArray(keys) && Array.isArray(keys.keys)) {
    return JSON.stringify(keys);
  }
  throw invalidArgument('keys must be a JWKS (string or object), PEM text, an array of PEM strings or a KeySet');
}

// Key sets given as text are usually the same few strings over and over (a pinned certificate, a
// cached JWKS); parse each once. They are public keys, so keeping them costs no secrecy. Key sets the
// package makes for itself (evicted cache entries, one-off JWKS objects and PEM arrays) are freed as
// soon as they are done with rather than left to the garbage collector, so wasm memory stays flat.
const keySetCache = new Map();
const KEY_SET_CACHE_SIZE = 16;

function withKeySet(keys, use) {
  if (keys === undefined) throw invalidArgument('keys is required');
  if (keys instanceof KeySet) return use(keys);
  if (typeof keys !== 'string') {
    const temporary = KeySet.from(keys);
    try {
      return use(temporary);
    } finally {
      KeySet.release(temporary);
    }
  }
  let keySet = keySetCache.get(keys);
  if (!keySet) {
    keySet = KeySet.from(keys);
    if (keySetCache.size >= KEY_SET_CACHE_SIZE) {
      const [oldest, evicted] = keySetCache.entries().next().value;
      keySetCache.delete(oldest);
      KeySet.release(evicted);
    }
    keySetCache.set(keys, keySet);
  }
  return use(keySet);
}

module.exports = { PrivateKey, KeySet, withKeySet };
