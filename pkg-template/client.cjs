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
//
// Onboarding: onboardTenant(idToken) validates the SuperIdToken an approving administrator's browser
// brings back (same keys and JWKS cooldown as tickets) and remembers the system user token it carries.
// The shared I/O pieces (fetch with timeout and size cap, the key source, coalescing) live in io.cjs.

const crypto = require('node:crypto');
const { inspect } = require('node:util');
const {
  core, fail, invalidArgument, requireNonEmptyString, optionalNonEmptyString, requireNumber, checkOptionNames,
  checkLocation, createSender, createKeySource, createCoalescer,
} = require('./io.cjs');
const { createAuthorizedFetch, originsOf } = require('./authorized-fetch.cjs');

const SIX_HOURS_S = 6 * 60 * 60;
const DEFAULTS = Object.freeze({
  transport: 'soap',
  timeoutMs: 10_000,
  jwksCooldownMs: 30_000,
  ticketTtlSeconds: 5 * 60 * 60,
  refreshAheadSeconds: 5 * 60,
});
// After a failed background refresh, wait this long before trying again in the background, so a
// SuperOffice outage during the refresh window does not turn every getTicket into an upstream request.
const REFRESH_RETRY_MS = 10_000;
const OPTION_NAMES = new Set([
  'environment', 'baseUrl', 'applicationToken', 'privateKey', 'fetch', 'transport', 'keys',
  'jwksCooldownMs', 'leewaySeconds', 'timeoutMs', 'refreshAheadSeconds', 'ticketTtlSeconds', 'cache',
  'systemUserTokens', 'now', 'onBackgroundError', 'clientId', 'issuer',
]);
const RECORD_VERSION = 1;
// Agent calls are checked against this URL before a ticket is fetched, so that a call that cannot be
// built costs no exchange.
const PROBE_NETSERVER_URL = 'https://probe.invalid/Remote/Services88/';
const NETSERVER_URL_CLAIM = 'http://schemes.superoffice.net/identity/netserver_url';

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
  checkOptionNames(options, OPTION_NAMES);
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
    clientId,
    issuer,
  } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const cache = options.cache ?? createMemoryCache();
  const now = options.now ?? Date.now;

  const where = checkLocation(environment, baseUrl);
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
  // Both only serve onboardTenant; the issuer is the environment's unless given (a stand-in, a proxy).
  optionalNonEmptyString('clientId', clientId);
  optionalNonEmptyString('issuer', issuer);
  if (issuer !== undefined && environment !== undefined) throw invalidArgument('give issuer only with baseUrl; an environment has its own');

  // Parsed once: every exchange signs with it, and parsing (base64, DER, CRT checks) is the slow part.
  const privateKey = typeof privateKeyInput === 'string' ? core().PrivateKey.parse(privateKeyInput) : privateKeyInput;
  const pinnedKeys = keys === undefined ? null : core().KeySet.from(keys);

  // Build one request with placeholder values: this validates `environment`/`baseUrl` through the core
  // now rather than at the first ticket, and tells us the login host for the JWKS URL without a second
  // copy of the environment table.
  const probe = core().buildTicketRequest({
    ...where, transport, applicationToken, contextIdentifier: 'probe', signedSystemToken: 'probe.200001010000.AAAA',
  });
  const loginBase = new URL(probe.url).href.replace(/\/login\/(?:services\/PartnerSystemUserService\.svc|api\/PartnerSystemUser\/Authenticate)$/i, '');
  // Tickets from one application and host are useless to another, so keep them apart in a shared store.
  // A truncated hash names the application without putting its token in the store's key space.
  const keyPrefix = `superoffice-auth:v1:${crypto.createHash('sha256').update(`${loginBase}\n${applicationToken}`).digest('hex').slice(0, 16)}:`;
  const ttlMs = ticketTtlSeconds * 1000;
  const refreshAheadMs = refreshAheadSeconds * 1000;

  const send = createSender({ fetchImpl, timeoutMs });
  const keySource = createKeySource({ pinned: pinnedKeys, jwksUrl: `${loginBase}/login/.well-known/jwks`, send, cooldownMs: jwksCooldownMs, now });
  const knownSystemUserTokens = new Map(); // contextIdentifier -> system user token, from getTicket calls and onboarding
  const lookups = createCoalescer(); // contextIdentifier -> Promise<record>: cache read plus, if needed, exchange
  const exchanges = createCoalescer(); // contextIdentifier -> Promise<record>: one upstream request per tenant
  const refreshBlockedUntil = new Map(); // contextIdentifier -> ms, after a failed background refresh

  function reportBackground(error, info) {
    if (!onBackgroundError) return;
    try {
      onBackgroundError(error, info);
    } catch {
      // A throwing hook must not become an unhandled rejection in a background task.
    }
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
    const keySet = await keySource.current();
    const signedSystemToken = core().signToken(systemUserToken, privateKey, { now: now() });
    const request = core().buildTicketRequest({ ...where, transport, applicationToken, contextIdentifier, signedSystemToken });
    const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
    // On an unknown key: same response, new keys. The JWT is still within its lifetime, and a second
    // exchange would create a second credential record.
    const result = await keySource.parseWith(keySet, (set) => parse(res, set, contextIdentifier));
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
    return exchanges.run(contextIdentifier, () => exchange(contextIdentifier, givenToken));
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
    return lookups.run(contextIdentifier, () => lookup(contextIdentifier, givenToken));
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

  // Forget a tenant's ticket if it is still the cached one (the body of invalidate(ctx, { ticket })).
  async function dropTicket(contextIdentifier, ticket) {
    const record = readRecord(await cache.get(keyPrefix + contextIdentifier));
    if (!record || record.ticket !== ticket) return false;
    // A lookup in flight may be about to hand out the ticket being forgotten.
    lookups.delete(contextIdentifier);
    await cache.delete(keyPrefix + contextIdentifier);
    return true;
  }

  function tenantFetch(contextIdentifier, systemUserToken) {
    return createAuthorizedFetch({
      fetchImpl,
      timeoutMs,
      async acquire() {
        const record = await resolveRecord(contextIdentifier, systemUserToken);
        return {
          token: record.ticket,
          headers: core().authHeaders(record.ticket, applicationToken),
          base: record.webapiUrl ?? null,
          origins: originsOf(record.webapiUrl, record.netserverUrl),
        };
      },
      drop: (ticket) => dropTicket(contextIdentifier, ticket),
    });
  }

  async function callAgent(params, agent, method, parameters, options) {
    const { contextIdentifier, systemUserToken } = tenantParams(params, 'callAgent');
    const o = options === undefined ? {} : options;
    if (o === null || typeof o !== 'object') throw invalidArgument('callAgent options must be an object');
    for (const name of Object.keys(o)) if (name !== 'timeZone') throw invalidArgument(`unknown callAgent option ${name}`);
    const call = { agent, method, parameters, applicationToken, ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}) };
    core().buildAgentRequest({ ...call, netserverUrl: PROBE_NETSERVER_URL, ticket: 'probe' });
    const once = async (record) => {
      if (typeof record.netserverUrl !== 'string' || record.netserverUrl === '') {
        throw fail('ERR_JWT_CLAIM_INVALID', `JWT claim ${NETSERVER_URL_CLAIM}: missing, so there is no NetServer to call`, { claim: NETSERVER_URL_CLAIM });
      }
      const request = core().buildAgentRequest({ ...call, netserverUrl: record.netserverUrl, ticket: record.ticket });
      const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
      return core().parseAgentResponse(res, { method });
    };
    const record = await resolveRecord(contextIdentifier, systemUserToken);
    try {
      return await once(record);
    } catch (err) {
      if (!err || err.code !== 'ERR_TICKET_REJECTED') throw err;
      // The same rule as fetch: drop this ticket (if still cached), one coalesced exchange, one retry.
      await dropTicket(contextIdentifier, record.ticket);
      return once(await resolveRecord(contextIdentifier, systemUserToken));
    }
  }

  const description = () => ({
    ...(environment !== undefined ? { environment } : { baseUrl }),
    transport,
    keys: pinnedKeys ? 'pinned' : 'jwks',
    ...(clientId !== undefined ? { clientId } : {}),
    ticketTtlSeconds,
    refreshAheadSeconds,
  });

  // The issuer a SuperIdToken must name: the environment's (the core knows it), or the issuer option.
  const issuerWhere = () => {
    if (environment !== undefined) return { environment };
    if (issuer !== undefined) return { issuer };
    throw invalidArgument('onboardTenant needs the issuer option when the client is given a baseUrl');
  };

  async function onboard(idToken, params) {
    if (clientId === undefined) throw invalidArgument('onboardTenant needs the clientId option');
    if (typeof idToken !== 'string' || idToken === '') throw invalidArgument('idToken must be a non-empty string');
    const p = params === undefined ? {} : params;
    if (p === null || typeof p !== 'object') throw invalidArgument('onboardTenant options must be an object');
    optionalNonEmptyString('nonce', p.nonce);
    const where = issuerWhere();
    const keySet = await keySource.current();
    const result = await keySource.parseWith(keySet, (set) => {
      const parseOptions = { ...where, keys: set, clientId, now: now() };
      if (p.nonce !== undefined) parseOptions.nonce = p.nonce;
      if (leewaySeconds !== undefined) parseOptions.leewaySeconds = leewaySeconds;
      return core().parseSuperIdToken(idToken, parseOptions);
    });
    if (typeof result.systemUserToken !== 'string' || result.systemUserToken === '') {
      // The token is genuine, but the application is not a system-user application (or the tenant did
      // not grant it one): there is nothing to store.
      const claim = 'http://schemes.superoffice.net/identity/system_token';
      throw fail('ERR_JWT_CLAIM_INVALID', `JWT claim ${claim}: missing (is the application registered as a system-user application?)`, { claim });
    }
    knownSystemUserTokens.set(result.contextIdentifier, result.systemUserToken);
    return result;
  }

  const client = {
    /**
     * Validates the SuperIdToken a tenant administrator's approval sent to the redirect URL (signature
     * by the environment's keys, issuer, audience = clientId, nonce when given, expiry) and returns
     * what to store for the tenant: { contextIdentifier, systemUserToken, webapiUrl, ... }. The
     * client remembers the system user token, so getTicket({ contextIdentifier }) works at once.
     */
    onboardTenant(idToken, params) {
      return onboard(idToken, params);
    },
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
        return dropTicket(contextIdentifier, ticket);
      }
      // A lookup in flight may be about to hand out the ticket being forgotten.
      lookups.delete(contextIdentifier);
      await cache.delete(keyPrefix + contextIdentifier);
      return true;
    },
    /**
     * fetch with the tenant's ticket headers (SOTicket + SO-AppToken). A relative input resolves
     * against the tenant's webapiUrl; an absolute one must be the tenant's origin. A 401 drops the
     * ticket (if still cached) and the request is sent once more with a fresh one; a second 401 is
     * returned. A stream body is not sent twice: that 401 rejects with ERR_TICKET_REJECTED instead.
     */
    async fetch(params, input, init) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'fetch');
      return tenantFetch(contextIdentifier, systemUserToken)(input, init);
    },
    /**
     * Calls a NetServer SOAP agent (`Associate`, `GetAssociate`, { AssociateId: 5 }) with the tenant's
     * ticket: { response, succeeded, extraInfo }. The same retry rule as fetch, on ERR_TICKET_REJECTED.
     */
    callAgent(params, agent, method, parameters, options) {
      return callAgent(params, agent, method, parameters, options);
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

module.exports = { createSystemUserClient, createMemoryCache, CLIENT_DEFAULTS: DEFAULTS };
