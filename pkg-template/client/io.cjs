'use strict';
// The I/O pieces the two clients share (the system-user client in system-user.cjs, the refresh-token
// client in refresh-token.cjs): fetch with a timeout, no redirects and a size cap; a remote key set fetched
// on first use and again past its maximum age or, with a cooldown, when a token names a key we do not
// have; request coalescing. The core stays free of all of it; argument checks are arguments.cjs's.

// Ticket and token responses are a few KiB and a JWKS a few more; anything near this is not SuperOffice.
const MAX_RESPONSE_BYTES = 1024 * 1024;

const { SuperOfficeAuthError, invalidArgument } = require('../errors.cjs');
const { KeySet } = require('../core/keys.cjs');

function fail(code, message, details) {
  return new SuperOfficeAuthError(code, message, details);
}

/**
 * `send(url, init)` → `{ status, headers, body }`: the caller's fetch with redirects refused (a
 * redirect would carry a credential somewhere else), a timeout, and a cap on the body size. Failures
 * become ERR_TIMEOUT or ERR_FETCH_FAILED, with the original error as `cause`.
 *
 * Redirects: `redirect: 'manual'` and any 3xx (or a browser's opaque redirect, status 0) treated as a
 * failure. `redirect: 'error'` would say the same more briefly, but Cloudflare Workers' fetch refuses
 * that value outright.
 */
function createSender({ fetchImpl, timeoutMs }) {
  return async function send(url, init) {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetchImpl(url, { ...init, redirect: 'manual', signal });
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status <= 399)) {
        await res.body?.cancel().catch(() => {});
        throw fail(
          'ERR_FETCH_FAILED',
          `SuperOffice answered with a redirect (HTTP ${res.status}), which is not followed`,
          { status: res.status },
        );
      }
      const body = await readLimited(res);
      return { status: res.status, headers: headersToObject(res.headers), body };
    } catch (err) {
      if (err && err.name === 'SuperOfficeAuthError') throw err;
      if (signal.aborted || (err && err.name === 'TimeoutError')) {
        throw fail('ERR_TIMEOUT', `no response from SuperOffice within ${timeoutMs} ms`, { cause: err });
      }
      throw fail('ERR_FETCH_FAILED', 'the request to SuperOffice failed', { cause: err });
    }
  };
}

/**
 * The keys tokens are checked with: pinned ones, or the environment's JWKS. The JWKS is fetched on
 * first use and again when it is older than `maxAgeMs` (counted from the fetch that brought it), or
 * when a token names a key we do not have, at most once per `cooldownMs` (counted from the last
 * attempt, failed or not, so a broken endpoint is not hammered). Concurrent fetches are shared.
 *
 * The two bounds are jose's (createRemoteJWKSet's cacheMaxAge, default 10 minutes, and
 * cooldownDuration, 30 s: panva/jose docs/jwks/remote/interfaces/RemoteJWKSetOptions.md). The cooldown
 * lets a rotated key in; the maximum age lets a withdrawn key out: without it, a key SuperOffice
 * removed from `{host}/login/.well-known/jwks` (the jwks_uri of its OpenID configuration,
 * SuperOfficeDocs docs/en/api/authentication/online/api.md) would be trusted for the life of the
 * process. As in jose, a JWKS past its age is not used while the refetch fails: the caller gets the
 * fetch's error, and the next call tries again.
 */
function createKeySource({ pinned, jwksUrl, send, cooldownMs, maxAgeMs, now, onFetch }) {
  let jwks = null;
  let fetchedAt = -Infinity;
  let pending = null;
  let attemptAt = -Infinity;

  async function load() {
    const res = await send(jwksUrl, { method: 'GET', headers: { Accept: 'application/json' } });
    if (res.status < 200 || res.status > 299)
      throw fail('ERR_HTTP_STATUS', `unexpected HTTP status ${res.status} from the key set endpoint`, {
        status: res.status,
      });
    return KeySet.from(res.body);
  }

  function fetchJwks() {
    if (!pending) {
      const startedAt = now();
      attemptAt = startedAt;
      const started = Date.now();
      const report = (fields) => {
        if (onFetch) onFetch({ durationMs: Date.now() - started, ...fields });
      };
      pending = load()
        .then(
          (set) => {
            jwks = set;
            fetchedAt = startedAt;
            report({ outcome: 'ok' });
            return set;
          },
          (err) => {
            report({ outcome: 'error', code: err?.code, status: err?.status });
            throw err;
          },
        )
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  }

  // A token named a key we do not have.
  async function afterMiss(used) {
    if (jwks && jwks !== used) return jwks; // someone else refetched since we parsed
    if (pending) return pending;
    if (now() - attemptAt < cooldownMs) return null;
    return fetchJwks();
  }

  return {
    pinned: Boolean(pinned),
    /** The keys to use now: pinned, cached and younger than maxAgeMs, or fetched. */
    current() {
      if (pinned) return pinned;
      if (jwks && now() - fetchedAt < maxAgeMs) return jwks;
      return fetchJwks();
    },
    /**
     * Runs `parse(keySet)`; when it fails because the token names an unknown key, runs it once more
     * with a refetched JWKS (same response: no second request to the token issuer).
     */
    async parseWith(keySet, parse) {
      try {
        return parse(keySet);
      } catch (err) {
        if (pinned || !err || err.code !== 'ERR_JWT_KEY_NOT_FOUND') throw err;
        const fresh = await afterMiss(keySet);
        if (!fresh) throw err;
        return parse(fresh);
      }
    },
  };
}

/**
 * One promise per key while it is pending: concurrent callers share it, and it is forgotten once
 * settled (a failure is not cached).
 */
function createCoalescer() {
  const pending = new Map();
  return {
    run(key, start) {
      let promise = pending.get(key);
      if (!promise) {
        promise = start().finally(() => {
          if (pending.get(key) === promise) pending.delete(key);
        });
        pending.set(key, promise);
      }
      return promise;
    },
    has(key) {
      return pending.has(key);
    },
    delete(key) {
      pending.delete(key);
    },
  };
}

function headersToObject(headers) {
  const out = {};
  if (!headers) return out;
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    return out;
  }
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
  return out;
}

// TextEncoder/TextDecoder rather than Buffer: this module also runs outside Node (Workers have no Buffer).
// Like Buffer's toString, the decoder replaces invalid UTF-8; the core then rejects what it cannot read.
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function concatUtf8(chunks, total) {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return utf8Decoder.decode(bytes);
}

// Reads at most MAX_RESPONSE_BYTES, so a hostile or broken server cannot make us buffer gigabytes.
async function readLimited(res) {
  const tooLarge = () =>
    fail('ERR_RESPONSE_TOO_LARGE', `response body exceeds the limit of ${MAX_RESPONSE_BYTES} bytes`, {
      limit: MAX_RESPONSE_BYTES,
    });
  if (res.body && typeof res.body.getReader === 'function') {
    const reader = res.body.getReader();
    const chunks = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
    return concatUtf8(chunks, total);
  }
  if (typeof res.text === 'function') {
    const text = await res.text();
    if (utf8Encoder.encode(text).byteLength > MAX_RESPONSE_BYTES) throw tooLarge();
    return text;
  }
  throw new TypeError('fetch returned something that is not a Response');
}

module.exports = {
  fail,
  invalidArgument,
  createSender,
  createKeySource,
  createCoalescer,
  MAX_RESPONSE_BYTES,
};
