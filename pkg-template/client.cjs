'use strict';
// The ticket client: composes the core's pure functions (sign, build, parse) with the host's fetch, a
// per-tenant cache, request coalescing and a remote key set. All I/O and all clocks live here, none in
// the core.
//
// Ticket lifetime, the decision behind ticketTtlSeconds:
// A system user ticket stays valid for 6 hours after its last use (sliding expiry). The JWT that carries
// it expires within minutes, but that exp only bounds the JWT (we validate it once, on receipt); it says
// nothing about the ticket. The client cannot see whether, or when, the caller actually used a ticket
// (authHeaders() handing out headers is no proof of a request reaching SuperOffice), so it never slides
// its own expiry: a ticket is cached for a fixed ticketTtlSeconds counted from when it was obtained
// (default 5 hours, at most 6). A ticket that is never used is still valid for 6 hours after issue,
// so a fixed TTL under 6 hours is always safe; the hour of margin absorbs clock differences and is cheap
// (one exchange per tenant every ~5 hours). When the server drops a ticket early (revocation, password
// change, a restart on their side) the API answers 401, and invalidate() is the remedy.

const crypto = require('node:crypto');
const { inspect } = require('node:util');

// Read the core lazily: index.cjs requires this file from its last line, so at load time its exports
// may be incomplete (or replaced afterwards by `module.exports = {...}`).
function core() {
  return require('./index.cjs');
}

const SIX_HOURS_S = 6 * 60 * 60;
const DEFAULTS = Object.freeze({
  transport: 'soap',
  timeoutMs: 10_000,
  jwksCooldownMs: 30_000,
  ticketTtlSeconds: 5 * 60 * 60,
  refreshAheadSeconds: 5 * 60,
});
// Ticket responses are a few KiB and a JWKS a few more; anything near this is not SuperOffice.
const MAX_RESPONSE_BYTES = 1024 * 1024;
// After a failed background refresh, wait this long before trying again in the background, so a
// SuperOffice outage during the refresh window does not turn every getTicket into an upstream request.
const REFRESH_RETRY_MS = 10_000;
const OPTION_NAMES = new Set([
  'environment', 'baseUrl', 'applicationToken', 'privateKey', 'fetch', 'transport', 'keys',
  'jwksCooldownMs', 'leewaySeconds', 'timeoutMs', 'refreshAheadSeconds', 'ticketTtlSeconds', 'cache',
  'systemUserTokens', 'now', 'onBackgroundError',
]);
const RECORD_VERSION = 1;

function fail(code, message, details) {
  const { SuperOfficeAuthError } = core();
  return new SuperOfficeAuthError(code, message, details);
}

function invalidArgument(message) {
  return fail('ERR_INVALID_ARGUMENT', message);
}

function requireNonEmptyString(name, value) {
  if (typeof value !== 'string' || value === '') throw invalidArgument(`${name} must be a non-empty string`);
}

function requireNumber(name, value, min, max) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be a number from ${min} to ${max}`);
  }
}

/**
 * The default store: process memory. Async like any shared store (Redis, memcached) so the client
 * treats both the same. Entries drop out after their TTL.
 */
function createMemoryCache() {
  const entries = new Map();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (Date.now() >= entry.expires) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expires: Date.now() + ttlMs });
    },
    async delete(key) {
      entries.delete(key);
    },
    [inspect.custom]() {
      // Values are tickets: show how many, never what.
      return `MemoryCache { entries: ${entries.size} }`;
    },
    toJSON() {
      return { entries: entries.size };
    },
  };
}

function createSystemUserClient(options) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object');
  for (const name of Object.keys(options)) {
    // Reject typos such as `timeout` instead of silently running with a default.
    if (!OPTION_NAMES.has(name)) throw invalidArgument(`unknown option ${name}`);
  }
  const {
    environment, baseUrl, applicationToken, privateKey: privateKeyInput, keys,
    transport = DEFAULTS.transport,
    timeoutMs = DEFAULTS.timeoutMs,
    jwksCooldownMs = DEFAULTS.jwksCooldownMs,
    ticketTtlSeconds = DEFAULTS.ticketTtlSeconds,
    refreshAheadSeconds = DEFAULTS.refreshAheadSeconds,
    leewaySeconds,
    systemUserTokens,
    onBackgroundError,
  } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const cache = options.cache ?? createMemoryCache();
  const now = options.now ?? Date.now;

  if ((environment === undefined) === (baseUrl === undefined)) throw invalidArgument('give exactly one of environment and baseUrl');
  if (environment !== undefined) requireNonEmptyString('environment', environment);
  if (baseUrl !== undefined) {
    requireNonEmptyString('baseUrl', baseUrl);
    let parsed;
    try {
      parsed = new URL(baseUrl);
    } catch {
      throw invalidArgument('baseUrl must be an absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw invalidArgument('baseUrl must be http: or https:');
  }
  requireNonEmptyString('applicationToken', applicationToken);
  if (privateKeyInput === undefined || privateKeyInput === null) throw invalidArgument('privateKey is required');
  if (transport !== 'soap' && transport !== 'rest') throw invalidArgument("transport must be 'soap' or 'rest'");
  if (typeof fetchImpl !== 'function') throw invalidArgument('fetch must be a function');
  if (typeof now !== 'function') throw invalidArgument('now must be a function returning epoch milliseconds');
  requireNumber('timeoutMs', timeoutMs, 1, 600_000);
  requireNumber('jwksCooldownMs', jwksCooldownMs, 0, 24 * 60 * 60 * 1000);
  requireNumber('ticketTtlSeconds', ticketTtlSeconds, 1, SIX_HOURS_S);
  requireNumber('refreshAheadSeconds', refreshAheadSeconds, 0, SIX_HOURS_S);
  if (refreshAheadSeconds >= ticketTtlSeconds) throw invalidArgument('refreshAheadSeconds must be less than ticketTtlSeconds');
  if (leewaySeconds !== undefined) requireNumber('leewaySeconds', leewaySeconds, 0, 3600);
  if (!cache || typeof cache.get !== 'function' || typeof cache.set !== 'function' || typeof cache.delete !== 'function') {
    throw invalidArgument('cache must have get, set and delete functions');
  }
  if (systemUserTokens !== undefined && typeof systemUserTokens !== 'function' && (systemUserTokens === null || typeof systemUserTokens !== 'object')) {
    throw invalidArgument('systemUserTokens must be an object or a function');
  }
  if (onBackgroundError !== undefined && typeof onBackgroundError !== 'function') throw invalidArgument('onBackgroundError must be a function');

  // Parsed once: every exchange signs with it, and parsing (base64, DER, CRT checks) is the slow part.
  const privateKey = typeof privateKeyInput === 'string' ? core().PrivateKey.parse(privateKeyInput) : privateKeyInput;
  const pinnedKeys = keys === undefined ? null : core().KeySet.from(keys);
  const where = environment !== undefined ? { environment } : { baseUrl };

  // Build one request with placeholder values: this validates `environment`/`baseUrl` through the core
  // now rather than at the first ticket, and tells us the login host for the JWKS URL without a second
  // copy of the environment table.
  const probe = core().buildTicketRequest({
    ...where, transport, applicationToken, contextIdentifier: 'probe', signedSystemToken: 'probe.200001010000.AAAA',
  });
  const loginBase = new URL(probe.url).href.replace(/\/login\/(?:services\/PartnerSystemUserService\.svc|api\/PartnerSystemUser\/Authenticate)$/i, '');
  const jwksUrl = `${loginBase}/login/.well-known/jwks`;
  // Tickets from one application and host are useless to another, so keep them apart in a shared store.
  // A truncated hash names the application without putting its token in the store's key space.
  const keyPrefix = `superoffice-auth:v1:${crypto.createHash('sha256').update(`${loginBase}\n${applicationToken}`).digest('hex').slice(0, 16)}:`;
  const ttlMs = ticketTtlSeconds * 1000;
  const refreshAheadMs = refreshAheadSeconds * 1000;

  const knownSystemUserTokens = new Map(); // contextIdentifier -> system user token, from getTicket calls
  const lookups = new Map(); // contextIdentifier -> Promise<record>: cache read plus, if needed, exchange
  const exchanges = new Map(); // contextIdentifier -> Promise<record>: one upstream request per tenant
  const refreshBlockedUntil = new Map(); // contextIdentifier -> ms, after a failed background refresh
  let jwks = null;
  let jwksPending = null;
  let jwksAttemptAt = -Infinity;

  function reportBackground(error, info) {
    if (!onBackgroundError) return;
    try {
      onBackgroundError(error, info);
    } catch {
      // A throwing hook must not become an unhandled rejection in a background task.
    }
  }

  async function send(url, init) {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      // redirect: 'error': a redirect would send the signed token or the app token somewhere else.
      const res = await fetchImpl(url, { ...init, redirect: 'error', signal });
      const body = await readLimited(res);
      return { status: res.status, headers: headersToObject(res.headers), body };
    } catch (err) {
      if (err && err.name === 'SuperOfficeAuthError') throw err;
      if (signal.aborted || (err && err.name === 'TimeoutError')) {
        throw fail('ERR_TIMEOUT', `no response from SuperOffice within ${timeoutMs} ms`, { cause: err });
      }
      throw fail('ERR_FETCH_FAILED', 'the request to SuperOffice failed', { cause: err });
    }
  }

  async function loadJwks() {
    const res = await send(jwksUrl, { method: 'GET', headers: { Accept: 'application/json' } });
    if (res.status < 200 || res.status > 299) throw fail('ERR_HTTP_STATUS', `unexpected HTTP status ${res.status} from the key set endpoint`, { status: res.status });
    return core().KeySet.from(res.body);
  }

  function fetchJwks() {
    if (!jwksPending) {
      // The cooldown counts from the last attempt, failed or not, so a broken JWKS endpoint is not hammered.
      jwksAttemptAt = now();
      jwksPending = loadJwks()
        .then((set) => {
          jwks = set;
          return set;
        })
        .finally(() => {
          jwksPending = null;
        });
    }
    return jwksPending;
  }

  function currentKeys() {
    if (pinnedKeys) return pinnedKeys;
    if (jwks) return jwks;
    return fetchJwks();
  }

  // A token named a key we do not have. Keys are refetched only then, and at most once per cooldown.
  async function keysAfterMiss(used) {
    if (jwks && jwks !== used) return jwks; // someone else refetched since we parsed
    if (jwksPending) return jwksPending;
    if (now() - jwksAttemptAt < jwksCooldownMs) return null;
    return fetchJwks();
  }

  // contextIdentifier: the core refuses a token whose ctx names another tenant than the one asked for.
  function parse(res, keySet, contextIdentifier) {
    const parseOptions = { keys: keySet, now: now(), contextIdentifier };
    if (leewaySeconds !== undefined) parseOptions.leewaySeconds = leewaySeconds;
    return core().parseTicketResponse(res, parseOptions);
  }

  async function systemUserTokenFor(contextIdentifier, given) {
    let token = given ?? knownSystemUserTokens.get(contextIdentifier);
    if (token === undefined && systemUserTokens !== undefined) {
      token = typeof systemUserTokens === 'function'
        ? await systemUserTokens(contextIdentifier)
        : (Object.hasOwn(systemUserTokens, contextIdentifier) ? systemUserTokens[contextIdentifier] : undefined);
    }
    if (typeof token !== 'string' || token === '') {
      throw invalidArgument('no system user token for this tenant: pass systemUserToken or the systemUserTokens option');
    }
    return token;
  }

  async function exchange(contextIdentifier, givenToken) {
    const systemUserToken = await systemUserTokenFor(contextIdentifier, givenToken);
    // Keys first: if they cannot be had, no credential record is created on the server for nothing.
    const keySet = await currentKeys();
    const signedSystemToken = core().signToken(systemUserToken, privateKey, { now: now() });
    const request = core().buildTicketRequest({ ...where, transport, applicationToken, contextIdentifier, signedSystemToken });
    const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
    let result;
    try {
      result = parse(res, keySet, contextIdentifier);
    } catch (err) {
      if (pinnedKeys || !err || err.code !== 'ERR_JWT_KEY_NOT_FOUND') throw err;
      const fresh = await keysAfterMiss(keySet);
      if (!fresh) throw err;
      // Same response, new keys: the JWT is still within its lifetime, and a second exchange would
      // create a second credential record.
      result = parse(res, fresh, contextIdentifier);
    }
    const record = toRecord(result, now());
    refreshBlockedUntil.delete(contextIdentifier);
    try {
      await cache.set(keyPrefix + contextIdentifier, record, ttlMs);
    } catch (err) {
      // The ticket is good; failing the caller would only make them ask SuperOffice again.
      reportBackground(err, { contextIdentifier, during: 'cache.set' });
    }
    return record;
  }

  function exchangeOnce(contextIdentifier, givenToken) {
    let pending = exchanges.get(contextIdentifier);
    if (!pending) {
      pending = exchange(contextIdentifier, givenToken).finally(() => {
        if (exchanges.get(contextIdentifier) === pending) exchanges.delete(contextIdentifier);
      });
      exchanges.set(contextIdentifier, pending);
    }
    return pending;
  }

  async function lookup(contextIdentifier, givenToken) {
    const record = readRecord(await cache.get(keyPrefix + contextIdentifier));
    const t = now();
    if (record) {
      const expires = record.obtainedAt + ttlMs;
      if (t < expires - refreshAheadMs) return record;
      if (t < expires) {
        // In the refresh window: answer with the still-valid ticket at once and renew in the background.
        if (!exchanges.has(contextIdentifier) && t >= (refreshBlockedUntil.get(contextIdentifier) ?? -Infinity)) {
          exchangeOnce(contextIdentifier, givenToken).catch((err) => {
            refreshBlockedUntil.set(contextIdentifier, now() + REFRESH_RETRY_MS);
            reportBackground(err, { contextIdentifier, during: 'refresh' });
          });
        }
        return record;
      }
    }
    return exchangeOnce(contextIdentifier, givenToken);
  }

  function resolveRecord(contextIdentifier, givenToken) {
    let pending = lookups.get(contextIdentifier);
    if (!pending) {
      pending = lookup(contextIdentifier, givenToken).finally(() => {
        if (lookups.get(contextIdentifier) === pending) lookups.delete(contextIdentifier);
      });
      lookups.set(contextIdentifier, pending);
    }
    return pending;
  }

  function tenantParams(params, method) {
    const p = typeof params === 'string' ? { contextIdentifier: params } : params;
    if (p === null || typeof p !== 'object') throw invalidArgument(`${method} needs { contextIdentifier, systemUserToken }`);
    requireNonEmptyString('contextIdentifier', p.contextIdentifier);
    if (p.systemUserToken !== undefined) {
      requireNonEmptyString('systemUserToken', p.systemUserToken);
      // Remembered so that authHeaders(contextIdentifier) can renew the ticket later.
      knownSystemUserTokens.set(p.contextIdentifier, p.systemUserToken);
    }
    return p;
  }

  const description = () => ({
    ...(environment !== undefined ? { environment } : { baseUrl }),
    transport,
    keys: pinnedKeys ? 'pinned' : 'jwks',
    ticketTtlSeconds,
    refreshAheadSeconds,
  });

  const client = {
    /** The ticket for a tenant: from the cache when fresh, else one coalesced exchange. */
    async getTicket(params) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'getTicket');
      return reviveRecord(await resolveRecord(contextIdentifier, systemUserToken));
    },
    /** Headers for the tenant's web API: Authorization: SOTicket ... and SO-AppToken. */
    async authHeaders(params) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'authHeaders');
      const record = await resolveRecord(contextIdentifier, systemUserToken);
      return core().authHeaders(record.ticket, applicationToken);
    },
    /**
     * Forget a tenant's ticket (call it when the API answered 401). With { ticket }, only that ticket
     * is forgotten: many requests failing with one old ticket then cause one exchange, not many.
     * Resolves to true when something was removed.
     */
    async invalidate(contextIdentifier, { ticket } = {}) {
      requireNonEmptyString('contextIdentifier', contextIdentifier);
      if (ticket !== undefined) {
        requireNonEmptyString('ticket', ticket);
        const record = readRecord(await cache.get(keyPrefix + contextIdentifier));
        if (!record || record.ticket !== ticket) return false;
      }
      // A lookup in flight may be about to hand out the ticket being forgotten.
      lookups.delete(contextIdentifier);
      await cache.delete(keyPrefix + contextIdentifier);
      return true;
    },
    [inspect.custom]() {
      return `SystemUserClient ${inspect(description())}`;
    },
    toJSON() {
      return description();
    },
  };
  return Object.freeze(client);
}

// What goes into the cache: plain JSON (numbers for times), so any store can hold it.
function toRecord(result, obtainedAt) {
  const expiresAt = result.expiresAt instanceof Date ? result.expiresAt.getTime() : Number(result.expiresAt);
  return {
    v: RECORD_VERSION,
    ticket: result.ticket,
    contextIdentifier: result.contextIdentifier,
    serial: result.serial,
    netserverUrl: result.netserverUrl,
    webapiUrl: result.webapiUrl,
    isAdministrator: result.isAdministrator,
    expiresAt,
    claims: result.claims,
    obtainedAt,
  };
}

// A store may hand back anything (an older format, another program's value): treat it as a miss.
function readRecord(value) {
  if (!value || typeof value !== 'object' || value.v !== RECORD_VERSION) return null;
  if (typeof value.ticket !== 'string' || !Number.isFinite(value.obtainedAt)) return null;
  return value;
}

// Like the core's results: console.log and util.inspect show no ticket or claims; JSON.stringify, an
// explicit request for the data, still gives everything.
function inspectResult() {
  const { ticket, claims, ...rest } = this;
  return { ...rest, ticket: ticket ? '[redacted]' : ticket, claims: '[claims redacted]' };
}

// Each caller gets its own object, so one caller mutating a result cannot affect another.
function reviveRecord(record) {
  const result = {
    ticket: record.ticket,
    contextIdentifier: record.contextIdentifier,
    serial: record.serial,
    netserverUrl: record.netserverUrl,
    webapiUrl: record.webapiUrl,
    isAdministrator: record.isAdministrator,
    expiresAt: new Date(record.expiresAt),
    claims: structuredClone(record.claims),
    obtainedAt: new Date(record.obtainedAt),
  };
  Object.defineProperty(result, inspect.custom, { value: inspectResult });
  return result;
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

// Reads at most MAX_RESPONSE_BYTES, so a hostile or broken server cannot make us buffer gigabytes.
async function readLimited(res) {
  const tooLarge = () => fail('ERR_RESPONSE_TOO_LARGE', `response body exceeds the limit of ${MAX_RESPONSE_BYTES} bytes`, { limit: MAX_RESPONSE_BYTES });
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
    return Buffer.concat(chunks).toString('utf8');
  }
  if (typeof res.text === 'function') {
    const text = await res.text();
    if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) throw tooLarge();
    return text;
  }
  throw new TypeError('fetch returned something that is not a Response');
}

module.exports = { createSystemUserClient, createMemoryCache, CLIENT_DEFAULTS: DEFAULTS };
