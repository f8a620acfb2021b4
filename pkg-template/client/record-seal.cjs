'use strict';
// The ticket client's authentication tag on the records it stores (issue 19). A record read back from
// any TicketCache decides where credentials go (its webapiUrl and netserverUrl become client.fetch's
// base and callAgent's endpoint), so a record is used only if it carries a tag this client made.
//
// The tag is HMAC-SHA-256 under a key derived (HKDF-SHA-256) from the application token, with the
// login host as salt: no store holds the application token, so whoever can write to Redis (or to a
// custom store) cannot make a record this client accepts, and another application's records do not
// verify either. The tag covers the store key (so a record moved to another tenant's key fails) and
// every field of the record, serialised with sorted member names (a store that reorders JSON members,
// as PostgreSQL's jsonb does, keeps records valid).
//
// WebCrypto (globalThis.crypto.subtle: Node 20, Deno, Bun, Workers) does the HKDF and the HMAC, and
// compares tags in constant time (subtle.verify); its calls are asynchronous, as store reads are.
// Records this client made in this process (the memory cache hands back the very objects) are known
// by identity and not verified again.

const LABEL = 'superoffice-auth ticket record v2';
const utf8 = new TextEncoder();

/** JSON with object members in sorted order, at every depth. */
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson(value[name])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function message(storeKey, record) {
  const { mac, ...fields } = record;
  void mac;
  return utf8.encode(`${LABEL}\n${storeKey}\n${canonicalJson(fields)}`);
}

function toBase64url(bytes) {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * `seal(storeKey, record)` -> the record with `mac`; `verify(storeKey, record)` -> boolean.
 * @param {{ applicationToken: string, context: string }} o context: the login host, the HKDF salt
 */
function createRecordSealer({ applicationToken, context }) {
  const subtle = globalThis.crypto?.subtle;
  let key = null;
  function macKey() {
    if (!key) {
      if (!subtle)
        throw new Error('superoffice-auth: WebCrypto (globalThis.crypto.subtle) is required for the ticket cache');
      key = subtle
        .importKey('raw', utf8.encode(applicationToken), 'HKDF', false, ['deriveKey'])
        .then((secret) =>
          subtle.deriveKey(
            { name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(context), info: utf8.encode(LABEL) },
            secret,
            { name: 'HMAC', hash: 'SHA-256', length: 256 },
            false,
            ['sign', 'verify'],
          ),
        );
      key.catch(() => {
        key = null; // a failure is not kept: the next record tries again
      });
    }
    return key;
  }
  const ours = new WeakSet();

  return {
    async seal(storeKey, record) {
      const tag = await subtle.sign('HMAC', await macKey(), message(storeKey, record));
      const sealed = { ...record, mac: toBase64url(tag) };
      ours.add(sealed);
      return sealed;
    },
    async verify(storeKey, record) {
      if (ours.has(record)) return true;
      const tag = fromBase64url(record.mac);
      if (!tag) return false;
      return subtle.verify('HMAC', await macKey(), tag, message(storeKey, record));
    },
  };
}

module.exports = { createRecordSealer, canonicalJson };
