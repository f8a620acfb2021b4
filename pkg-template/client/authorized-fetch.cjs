'use strict';
// `client.fetch(...)` for both clients: the host's fetch with the tenant's credential headers, run by
// tenant-call.cjs, which holds the retry rules: a 401 drops that credential and the request is sent once
// more with a fresh one (the rule SuperOffice's own .NET client follows), a 421 re-bases it onto the
// tenant's new endpoint; never more than one retry, and a second 401 or 421 goes back to the caller.
//
// Decisions:
// - Only the tenant is sent the credential: a relative URL resolves against the tenant's webapiUrl
//   (leading slashes dropped, so `/v1/User` and `v1/User` both land under `.../api/`), and every URL,
//   relative ones once resolved, must lie under the tenant's own base: the origin of its webapiUrl or
//   netserverUrl and its path prefix `/{contextIdentifier}/` (tenant-url.cjs; tenants share hosts, so
//   `../../Cust9/api/...` would otherwise reach a sibling tenant). Checked for every attempt.
// - Redirects are never followed with a credential (issue 19): `redirect: 'manual'` by default, and a
//   caller's `redirect: 'follow'` is refused (ERR_INVALID_ARGUMENT). fetch implementations drop
//   Authorization on a cross-origin redirect but forward custom headers such as SO-AppToken, and a
//   redirect within the origin can still leave the tenant's path. A 3xx is handed back as it came;
//   following it is the caller's choice, without our headers.
// - The credential headers replace any Authorization or SO-AppToken the caller passed; other headers
//   are kept, and Accept defaults to application/json.
// - A body that can be sent twice (string, bytes, Blob, URLSearchParams, FormData, none) is retried. A
//   stream cannot be: on a 401 its credential is still dropped, and the call rejects with
//   ERR_TICKET_REJECTED (`retried: false`) saying so, rather than handing back a 401 the caller
//   might take for a wrong application token.
// - "Drop" means "forget it if it is still the cached one" and "fresh" goes through the client's
//   coalesced lookup: many requests failing with one dead credential cause one new exchange.
// - The caller's signal is used when given; otherwise AbortSignal.timeout(timeoutMs), which also
//   bounds reading the body. Transport failures are ERR_FETCH_FAILED / ERR_TIMEOUT with the cause.

const { fail, invalidArgument } = require('./io.cjs');
const { retryAfterOf } = require('./retry-after.cjs');
const { isUnderTenantBase, tenantBaseOf } = require('./tenant-url.cjs');

/** Whether fetch can send this body a second time. */
function isReplayable(body) {
  if (body === undefined || body === null || typeof body === 'string') return true;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  for (const name of ['URLSearchParams', 'Blob', 'FormData']) {
    const type = globalThis[name];
    if (typeof type === 'function' && body instanceof type) return true;
  }
  return false;
}

/**
 * The absolute URL for `input`: `credential.base` resolves relative ones, `credential.allows(url)`
 * says whether the credential may go there.
 */
function resolveUrl(input, credential) {
  let url;
  if (input instanceof URL || (input !== null && typeof input === 'object' && typeof input.href === 'string')) {
    try {
      url = new URL(input.href);
    } catch {
      throw invalidArgument('input is not a valid URL');
    }
  } else if (typeof input === 'string' && input !== '') {
    if (/^[a-z][a-z0-9+.-]*:/i.test(input)) {
      try {
        url = new URL(input);
      } catch {
        throw invalidArgument('input is not a valid URL');
      }
    } else {
      if (!credential.base)
        throw invalidArgument(
          "a relative URL needs the tenant's webapiUrl, and the token names none; pass an absolute URL",
        );
      url = new URL(input.replace(/^\/+/, ''), credential.base);
    }
  } else {
    throw invalidArgument('input must be a URL or a non-empty string (for a Request, pass its URL and an init)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidArgument('input must be an http(s) URL');
  if (!credential.allows(url)) {
    throw invalidArgument(
      "the URL is not the tenant's: the credential is sent only under the tenant's own base (the origin of its webapiUrl or netserverUrl and its /{contextIdentifier}/ path)",
    );
  }
  return url.href;
}

function mergeHeaders(given, credentialHeaders) {
  const out = {};
  if (given !== undefined && given !== null) {
    let headers;
    try {
      headers = new Headers(given);
    } catch (cause) {
      throw fail('ERR_INVALID_ARGUMENT', 'init.headers is not valid headers', { cause });
    }
    headers.forEach((value, name) => {
      if (name !== 'authorization' && name !== 'so-apptoken') out[name] = value;
    });
  }
  if (out.accept === undefined) out.accept = 'application/json';
  return { ...out, ...credentialHeaders };
}

/**
 * `client.fetch`: `caller.run` (tenant-call.cjs) with the host's fetch. `acquire(previous?)` resolves to
 * `{ token, headers, route: { endpoint, webapiUrl, netserverUrl, anyOrigin? } }` (given the previous
 * credential: the same ticket, re-routed after a move); `drop(token)` forgets that credential if it is
 * still the current one; `used(credential)` hears of a proven use.
 * @param {{ fetchImpl: Function, timeoutMs: number, caller: any, contextIdentifier?: string,
 *   acquire: (previous?: any) => Promise<any>, drop: (token: string) => Promise<unknown>,
 *   used?: (credential: any) => void, now: () => number }} o
 */
function createAuthorizedFetch({ fetchImpl, timeoutMs, caller, contextIdentifier, acquire, drop, used, now }) {
  async function attempt(url, init, credential) {
    const headers = mergeHeaders(init.headers, credential.headers);
    const signal = init.signal ?? AbortSignal.timeout(timeoutMs);
    try {
      return await fetchImpl(url, { ...init, headers, redirect: init.redirect ?? 'manual', signal });
    } catch (err) {
      if (init.signal?.aborted) throw err; // the caller's own abort stays theirs
      if (signal.aborted || (err && err.name === 'TimeoutError')) {
        throw fail('ERR_TIMEOUT', `no response from the tenant within ${timeoutMs} ms`, { cause: err });
      }
      throw fail('ERR_FETCH_FAILED', 'the request to the tenant failed', { cause: err });
    }
  }

  return async function authorizedFetch(input, init) {
    const options = init === undefined ? {} : init;
    if (options === null || typeof options !== 'object') throw invalidArgument('init must be an object');
    if (options.redirect !== undefined && options.redirect !== 'manual' && options.redirect !== 'error') {
      throw invalidArgument(
        "redirect must be 'manual' or 'error': a redirect is never followed with the tenant's credential",
      );
    }
    return caller.run({
      contextIdentifier,
      replayable: isReplayable(options.body),
      via: 'fetch',
      acquire,
      drop,
      used,
      async attempt(credential) {
        const { route } = credential;
        const url = resolveUrl(input, { base: route.webapiUrl ?? null, allows: route.allows });
        const res = await attempt(url, options, credential);
        return {
          status: res.status,
          response: res,
          rejected: res.status === 401,
          retryAfterMs: res.status === 429 ? retryAfterOf(res, now()) : undefined,
        };
      },
      settle: (outcome) => outcome.response,
    });
  };
}

/**
 * `allows(url)` for a tenant's credential: under the tenant base of any of its URLs (webapiUrl,
 * netserverUrl; null ones and ones that do not start with the tenant skipped).
 */
function tenantScope(contextIdentifier, ...urls) {
  const bases = [];
  for (const url of urls) {
    const base = tenantBaseOf(url, contextIdentifier);
    if (base && !bases.includes(base)) bases.push(base);
  }
  return (url) => bases.some((base) => isUnderTenantBase(base, url));
}

module.exports = { createAuthorizedFetch, isReplayable, resolveUrl, tenantScope };
