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
// Given the saved `state` too, its first argument is what the approval posted to the redirect URL (the
// raw form body, a URLSearchParams or a parsed body): state is checked, a declined approval is
// ERR_OAUTH_ERROR, and the id_token in it is validated with the nonce, which is then required. So
// onboarding is two calls: createOnboardingRequest({ redirectUri }) (or createAuthorizationRequest with
// responseType 'id_token') for the URL, onboardTenant(body, { state, nonce }) for the post.
// The shared I/O pieces (fetch with timeout and size cap, the key source, coalescing) live in io.cjs.

const { INSPECT, describe } = require('../inspect.cjs');
const { sha256Hex } = require('../core/wasm.cjs');
const {
  fail,
  invalidArgument,
  requireNonEmptyString,
  optionalNonEmptyString,
  requireNumber,
  checkOptionNames,
  checkLocation,
  createSender,
  createKeySource,
  createCoalescer,
} = require('./io.cjs');
const core = require('../core/index.cjs');
const { createTicketStore } = require('./ticket-store.cjs');
const { createAuthorizedFetch, tenantScope } = require('./authorized-fetch.cjs');
const { isTrustedTenantUrl, tenantBaseOf } = require('./tenant-url.cjs');
const { createRecordSealer } = require('./record-seal.cjs');
const { createEmitter } = require('./events.cjs');
const { createTenantDirectory, STATE_MAX_TTL_MS } = require('./tenant-directory.cjs');
const { createTenantCaller } = require('./tenant-call.cjs');
const { retryAfterOf } = require('./retry-after.cjs');
const life = require('./ticket-use.cjs');

const SIX_HOURS_S = 6 * 60 * 60;
const DEFAULTS = Object.freeze({
  transport: 'soap',
  timeoutMs: 10_000,
  jwksCooldownMs: 30_000,
  jwksMaxAgeMs: 10 * 60_000,
  ticketTtlSeconds: 5 * 60 * 60,
  refreshAheadSeconds: 5 * 60,
});
// Stale-if-error: a ticket is good at SuperOffice for 6 hours after its last use, so at least 6 hours
// after it was obtained. Past its cache life it is still handed out while its replacement cannot be
// had, until a minute (for clock differences) before those 6 hours end (ticket-use.cjs).
// Refreshes that fail back off exponentially, with jitter, counted across the fleet when the cache is
// shared: 30 s, 1, 2, 4, 8 min, then every 10 min (each times 0.5 to 1). A 20-minute outage costs a
// tenant about six attempts, and a refresh window of an hour still sees ten.
const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 10 * 60_000;
// A store call that takes longer than this is abandoned (the Redis adapter's own bound is 1 s).
const CACHE_CALL_TIMEOUT_MS = 2_000;
// Clocks differ between processes: a record from a little in the future is still accepted.
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
const MAX_TICKET_LENGTH = 4096;
const OPTION_NAMES = new Set([
  'environment',
  'baseUrl',
  'applicationToken',
  'privateKey',
  'fetch',
  'transport',
  'keys',
  'jwksCooldownMs',
  'jwksMaxAgeMs',
  'leewaySeconds',
  'timeoutMs',
  'refreshAheadSeconds',
  'ticketTtlSeconds',
  'cache',
  'systemUserTokens',
  'now',
  'onBackgroundError',
  'clientId',
  'issuer',
  'onEvent',
]);
// 2: records carry `mac`, the client's authentication tag (record-seal.cjs). A version-1 record (from
// an older release) is a miss, so the first lookup after an upgrade exchanges once.
const RECORD_VERSION = 2;
const CHANGE_UPGRADE = 0;
const CHANGE_SUSPEND = 2;
const CHANGE_RESUME = 3;
const CHANGE_DELETE = 4;
const STATE_DELETED = 3;
const STATE_SUSPENDED = 4;
const NOTIFIED_MARK_MS = STATE_MAX_TTL_MS;
// Agent calls are checked against this URL before a ticket is fetched, so that a call that cannot be
// built costs no exchange.
const PROBE_NETSERVER_URL = 'https://probe.invalid/Remote/Services88/';
const NETSERVER_URL_CLAIM = 'http://schemes.superoffice.net/identity/netserver_url';
const WEBAPI_URL_CLAIM = 'http://schemes.superoffice.net/identity/webapi_url';

/**
 * The default store: process memory. Async like any shared store (Redis, memcached) so the client
 * treats both the same. Entries drop out after their TTL, on the given clock (the client passes its own,
 * so an injected clock governs the whole client).
 */
function createMemoryCache(options = {}) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object');
  checkOptionNames(options, MEMORY_CACHE_OPTIONS);
  const clock = options.now ?? Date.now;
  if (typeof clock !== 'function') throw invalidArgument('now must be a function returning epoch milliseconds');
  const entries = new Map();
  const live = (key) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (clock() >= entry.expires) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async get(key) {
      return live(key)?.value;
    },
    async set(key, value, ttlMs) {
      entries.set(key, { value, expires: clock() + ttlMs });
    },
    async delete(key) {
      entries.delete(key);
    },
    async deleteIfTicket(key, ticket) {
      const entry = live(key);
      if (!entry?.value || entry.value.ticket !== ticket) return false;
      entries.delete(key);
      return true;
    },
    [INSPECT]() {
      // Values are tickets: show how many, never what.
      return `MemoryCache { entries: ${entries.size} }`;
    },
    toJSON() {
      return { entries: entries.size };
    },
  };
}
const MEMORY_CACHE_OPTIONS = new Set(['now']);

function createSystemUserClient(options) {
  checkOptionNames(options, OPTION_NAMES);
  const {
    environment,
    baseUrl,
    applicationToken,
    privateKey: privateKeyInput,
    keys,
    transport = DEFAULTS.transport,
    timeoutMs = DEFAULTS.timeoutMs,
    jwksCooldownMs = DEFAULTS.jwksCooldownMs,
    jwksMaxAgeMs = DEFAULTS.jwksMaxAgeMs,
    ticketTtlSeconds = DEFAULTS.ticketTtlSeconds,
    refreshAheadSeconds = DEFAULTS.refreshAheadSeconds,
    leewaySeconds,
    systemUserTokens,
    onBackgroundError,
    clientId,
    issuer,
    onEvent,
  } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw invalidArgument('now must be a function returning epoch milliseconds');
  const cache = options.cache ?? createMemoryCache({ now });

  const where = checkLocation(environment, baseUrl);
  requireNonEmptyString('applicationToken', applicationToken);
  if (privateKeyInput === undefined || privateKeyInput === null) throw invalidArgument('privateKey is required');
  if (transport !== 'soap' && transport !== 'rest') throw invalidArgument("transport must be 'soap' or 'rest'");
  if (typeof fetchImpl !== 'function') throw invalidArgument('fetch must be a function');
  requireNumber('timeoutMs', timeoutMs, 1, 600_000);
  requireNumber('jwksCooldownMs', jwksCooldownMs, 0, 24 * 60 * 60 * 1000);
  if (jwksMaxAgeMs !== Infinity) requireNumber('jwksMaxAgeMs', jwksMaxAgeMs, 1000, 7 * 24 * 60 * 60 * 1000);
  requireNumber('ticketTtlSeconds', ticketTtlSeconds, 1, SIX_HOURS_S);
  requireNumber('refreshAheadSeconds', refreshAheadSeconds, 0, SIX_HOURS_S);
  if (refreshAheadSeconds >= ticketTtlSeconds)
    throw invalidArgument('refreshAheadSeconds must be less than ticketTtlSeconds');
  if (leewaySeconds !== undefined) requireNumber('leewaySeconds', leewaySeconds, 0, 3600);
  if (
    !cache ||
    typeof cache.get !== 'function' ||
    typeof cache.set !== 'function' ||
    typeof cache.delete !== 'function'
  ) {
    throw invalidArgument('cache must have get, set and delete functions');
  }
  if ((typeof cache.lock === 'function') !== (typeof cache.unlock === 'function')) {
    throw invalidArgument('cache must have both lock and unlock, or neither');
  }
  if (
    systemUserTokens !== undefined &&
    typeof systemUserTokens !== 'function' &&
    (systemUserTokens === null || typeof systemUserTokens !== 'object')
  ) {
    throw invalidArgument('systemUserTokens must be an object or a function');
  }
  if (onBackgroundError !== undefined && typeof onBackgroundError !== 'function')
    throw invalidArgument('onBackgroundError must be a function');
  if (onEvent !== undefined && typeof onEvent !== 'function') throw invalidArgument('onEvent must be a function');
  // Both only serve onboardTenant; the issuer is the environment's unless given (a stand-in, a proxy).
  optionalNonEmptyString('clientId', clientId);
  optionalNonEmptyString('issuer', issuer);
  if (issuer !== undefined && environment !== undefined)
    throw invalidArgument('give issuer only with baseUrl; an environment has its own');

  // Parsed once: every exchange signs with it, and parsing (base64, DER, CRT checks) is the slow part.
  const privateKey = typeof privateKeyInput === 'string' ? core.PrivateKey.parse(privateKeyInput) : privateKeyInput;
  const pinnedKeys = keys === undefined ? null : core.KeySet.from(keys);

  // Build one request with placeholder values: this validates `environment`/`baseUrl` through the core
  // now rather than at the first ticket, and tells us the login host for the JWKS URL without a second
  // copy of the environment table.
  const probe = core.buildTicketRequest({
    ...where,
    transport,
    applicationToken,
    contextIdentifier: 'probe',
    signedSystemToken: 'probe.200001010000.AAAA',
  });
  const loginBase = new URL(probe.url).href.replace(
    /\/login\/(?:services\/PartnerSystemUserService\.svc|api\/PartnerSystemUser\/Authenticate)$/i,
    '',
  );
  // Tickets from one application and host are useless to another, so keep them apart in a shared store.
  // A truncated hash names the application without putting its token in the store's key space.
  const appHash = sha256Hex(`${loginBase}\n${applicationToken}`).slice(0, 16);
  const keyPrefix = `superoffice-auth:v1:${appHash}:`;
  // The fleet's back-off after failed refreshes lives beside the tickets, under a name no ticket key has.
  const retryPrefix = `superoffice-auth:retry:v1:${appHash}:`;
  const ttlMs = ticketTtlSeconds * 1000;
  const refreshAheadMs = refreshAheadSeconds * 1000;
  // A crashed lock holder blocks the fleet this long at most; a live one renews the lock while it works.
  // Half of timeoutMs: a waiter (who waits up to timeoutMs) sees a dead holder's lock expire and takes
  // over, while a live holder whose event loop stalls for seconds does not lose its lock.
  const lockTtlMs = Math.max(250, Math.floor(timeoutMs / 2));

  const send = createSender({ fetchImpl, timeoutMs });
  const keySource = createKeySource({
    pinned: pinnedKeys,
    jwksUrl: `${loginBase}/login/.well-known/jwks`,
    send,
    cooldownMs: jwksCooldownMs,
    maxAgeMs: jwksMaxAgeMs,
    now,
    onFetch: (fields) => emit('jwks:fetch', fields),
  });
  const knownSystemUserTokens = new Map(); // contextIdentifier -> system user token, from getTicket calls and onboarding
  const usedSystemUserTokens = new Map(); // contextIdentifier -> the token the last exchange signed: redacted from agent errors
  const lookups = createCoalescer(); // contextIdentifier -> Promise<record>: cache read plus, if needed, exchange
  const exchanges = createCoalescer(); // contextIdentifier -> Promise<record|null>: one exchange (or refresh) per tenant
  const retries = new Map(); // contextIdentifier -> { attempt, notBefore, forObtainedAt }, after failed refreshes
  const store = createTicketStore({
    cache,
    keyFor: (contextIdentifier) => keyPrefix + contextIdentifier,
    retryKeyFor: (contextIdentifier) => retryPrefix + contextIdentifier,
    accept: (value, contextIdentifier) => acceptRecord(value, contextIdentifier),
    callTimeoutMs: Math.min(CACHE_CALL_TIMEOUT_MS, timeoutMs),
    waitMs: timeoutMs,
    lockTtlMs,
    report: (error, info) => reportBackground(error, info),
  });

  // Records are untrusted wherever they come from (a shared store anyone with write access can fill, a
  // custom TicketCache): each carries a tag under a key derived from the application token, which no
  // store holds, and names the tenant's URLs, which must be SuperOffice's (or the baseUrl's host).
  const sealer = createRecordSealer({ applicationToken, context: loginBase });
  async function acceptRecord(value, contextIdentifier) {
    const record = readRecord(value, contextIdentifier, now(), usableUntil);
    if (!record) return null;
    if (!(await sealer.verify(keyPrefix + contextIdentifier, record))) {
      reportBackground(
        fail(
          'ERR_RESPONSE_MALFORMED',
          "a cached ticket record does not carry this client's authentication tag (forged, altered or written by another application); it was ignored",
        ),
        { contextIdentifier, during: 'cache.get' },
      );
      return null;
    }
    if (!tenantUrlsTrusted(record)) {
      reportBackground(
        fail(
          'ERR_RESPONSE_MALFORMED',
          "a cached ticket record names a URL outside the tenant's SuperOffice hosts; it was ignored",
        ),
        { contextIdentifier, during: 'cache.get' },
      );
      return null;
    }
    return record;
  }

  function tenantUrlsTrusted(result) {
    return [result.webapiUrl, result.netserverUrl].every((url) => url === null || isTrustedTenantUrl(url, where));
  }

  const { emit } = createEmitter({ onEvent, source: 'system-user' });
  // What the fleet knows of each tenant (its current endpoint, its state, a Retry-After in force), beside
  // its ticket, under a name no ticket key has.
  const tenantPrefix = `superoffice-auth:tenant:v1:${appHash}:`;
  const directory = createTenantDirectory({
    stateRequest: (contextIdentifier) => core.buildTenantStateRequest({ ...where, contextIdentifier }),
    parseState(res, contextIdentifier) {
      const parsed = core.parseTenantState(res, { ...where, contextIdentifier, now: now() });
      return { ...parsed, validUntil: parsed.validUntil.getTime() };
    },
    send,
    shared: {
      get: (contextIdentifier) => store.readValue(tenantPrefix + contextIdentifier, contextIdentifier),
      set: (contextIdentifier, value, ttl) =>
        store.writeValue(tenantPrefix + contextIdentifier, contextIdentifier, value, ttl),
    },
    forget: (contextIdentifier) => dropTicket(contextIdentifier),
    // An endpoint read back from the store decides where tickets go: SuperOffice's hosts (or the
    // baseUrl's) and the tenant's own path only, as for the ticket's claims.
    trusted: (url, contextIdentifier) =>
      isTrustedTenantUrl(url, where) && tenantBaseOf(`${url}/`, contextIdentifier) !== null,
    now,
    emit,
    coalescer: createCoalescer(),
  });
  const caller = createTenantCaller({ directory, emit });

  // A ticket's life counts from its last proven use (ticket-use.cjs): fixed from when it was obtained
  // for tickets only handed out, sliding for those client.fetch and callAgent saw accepted.
  const expiresAt = (record) => life.expiresAt(record, ttlMs);
  const freshUntil = (record) => expiresAt(record) - refreshAheadMs;
  const usableUntil = (record) => life.usableUntil(record, ttlMs);

  function reportBackground(error, info) {
    if (!onBackgroundError) return;
    try {
      onBackgroundError(error, info);
    } catch {
      // A throwing hook must not become an unhandled rejection in a background task.
    }
  }

  // contextIdentifier: the core refuses a token whose ctx names another tenant than the one asked for.
  function parse(res, keySet, contextIdentifier, secrets) {
    const parseOptions = { keys: keySet, now: now(), contextIdentifier, redact: secrets };
    if (leewaySeconds !== undefined) parseOptions.leewaySeconds = leewaySeconds;
    return core.parseTicketResponse(res, parseOptions);
  }

  async function systemUserTokenFor(contextIdentifier, given) {
    let token = given ?? knownSystemUserTokens.get(contextIdentifier);
    if (token === undefined && systemUserTokens !== undefined) {
      token =
        typeof systemUserTokens === 'function'
          ? await systemUserTokens(contextIdentifier)
          : Object.hasOwn(systemUserTokens, contextIdentifier)
            ? systemUserTokens[contextIdentifier]
            : undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw invalidArgument(
        'no system user token for this tenant: pass systemUserToken or the systemUserTokens option',
      );
    }
    return token;
  }

  // The tenant's system user token where it costs nothing to know (a systemUserTokens function is not
  // called for this): for redaction only.
  function knownSystemUserToken(contextIdentifier) {
    const known = knownSystemUserTokens.get(contextIdentifier);
    if (known !== undefined) return known;
    if (
      systemUserTokens &&
      typeof systemUserTokens === 'object' &&
      Object.hasOwn(systemUserTokens, contextIdentifier)
    ) {
      const token = systemUserTokens[contextIdentifier];
      if (typeof token === 'string') return token;
    }
    return '';
  }

  async function exchange(contextIdentifier, givenToken, reason) {
    const systemUserToken = await systemUserTokenFor(contextIdentifier, givenToken);
    usedSystemUserTokens.set(contextIdentifier, systemUserToken);
    // Keys first: if they cannot be had, no credential record is created on the server for nothing.
    const keySet = await keySource.current();
    const signedSystemToken = core.signToken(systemUserToken, privateKey, { now: now() });
    const request = core.buildTicketRequest({
      ...where,
      transport,
      applicationToken,
      contextIdentifier,
      signedSystemToken,
    });
    emit('exchange:start', { contextIdentifier, reason });
    const started = Date.now();
    let retryAfterMs = null;
    try {
      const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
      if (res.status === 429 || res.status === 503) retryAfterMs = await rateLimited(contextIdentifier, res);
      // On an unknown key: same response, new keys. The JWT is still within its lifetime, and a second
      // exchange would create a second credential record.
      const secrets = [applicationToken, systemUserToken, signedSystemToken];
      const result = await keySource.parseWith(keySet, (set) => parse(res, set, contextIdentifier, secrets));
      // A genuine token names the tenant's URLs; one naming a host outside SuperOffice's (or the
      // baseUrl's) is refused rather than cached, so no credential is ever sent there.
      for (const [url, claim] of [
        [result.webapiUrl, WEBAPI_URL_CLAIM],
        [result.netserverUrl, NETSERVER_URL_CLAIM],
      ]) {
        if (url !== null && !isTrustedTenantUrl(url, where)) {
          throw fail(
            'ERR_JWT_CLAIM_INVALID',
            `JWT claim ${claim}: not an https URL on SuperOffice's domain (or the baseUrl's host)`,
            { claim },
          );
        }
      }
      const record = await sealer.seal(keyPrefix + contextIdentifier, toRecord(result, now()));
      // Kept for as long as it may serve (stale-if-error), not only for ticketTtlSeconds.
      await store.write(contextIdentifier, record, usableUntil(record) - now());
      emit('exchange:end', { contextIdentifier, reason, durationMs: Date.now() - started, outcome: 'ok' });
      return record;
    } catch (err) {
      emit('exchange:end', {
        contextIdentifier,
        reason,
        durationMs: Date.now() - started,
        outcome: 'error',
        code: err?.code,
        status: err?.status,
      });
      if (retryAfterMs !== null && err && err.code === 'ERR_HTTP_STATUS') err.retryAfterMs = retryAfterMs;
      // A denial, a refused connection or a 503 without Retry-After may be a tenant that is down: the
      // state API says, and a tenant that is not running becomes ERR_TENANT_UNAVAILABLE.
      const code = err?.code;
      if (
        code === 'ERR_TICKET_DENIED' ||
        code === 'ERR_FETCH_FAILED' ||
        (code === 'ERR_HTTP_STATUS' && err.status === 503 && retryAfterMs === null)
      ) {
        const down = await directory.suspect(contextIdentifier, code === 'ERR_TICKET_DENIED' ? 'denied' : 'exchange');
        if (down) {
          down.cause = err;
          throw down;
        }
      }
      throw err;
    }
  }

  // A 429 or 503 with Retry-After: the whole fleet waits at least that long before the tenant's next
  // exchange (the cached ticket, stale or not, keeps serving). Resolves to the wait in ms, or null.
  async function rateLimited(contextIdentifier, res) {
    const t = now();
    const waitMs = retryAfterOf(res, t);
    if (waitMs === null) return null;
    await directory.hold(contextIdentifier, t + waitMs, res.status);
    emit('rate-limited', {
      contextIdentifier,
      where: 'exchange',
      status: res.status,
      retryAfterMs: waitMs,
      until: new Date(t + waitMs),
    });
    return waitMs;
  }

  // Before an exchange: not while the tenant is down (ERR_TENANT_UNAVAILABLE), not while SuperOffice
  // asked us to wait (ERR_HTTP_STATUS with retryAfterMs: there is no ticket to serve meanwhile).
  async function exchangeAllowed(contextIdentifier) {
    const hold = await directory.beforeExchange(contextIdentifier);
    if (!hold) return;
    const retryAfterMs = hold.until - now();
    emit('rate-limited', {
      contextIdentifier,
      where: 'held',
      status: hold.status,
      retryAfterMs,
      until: new Date(hold.until),
    });
    throw fail(
      'ERR_HTTP_STATUS',
      `SuperOffice asked to wait before the next exchange for this tenant (HTTP ${hold.status} with Retry-After), and no ticket is cached`,
      { status: hold.status, retryAfterMs },
    );
  }

  // Exponential back-off with jitter ("equal jitter": half fixed, half random), so a fleet that failed
  // together does not retry together.
  function retryDelay(attempt) {
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 20));
    return delay / 2 + Math.random() * (delay / 2);
  }

  // The back-off in force for refreshing `record`, from this process's memory or the fleet's.
  async function retryState(contextIdentifier, record, { shared }) {
    let state = retries.get(contextIdentifier);
    if (state && state.forObtainedAt !== record.obtainedAt) {
      retries.delete(contextIdentifier);
      state = undefined;
    }
    if (shared && !(state && now() < state.notBefore)) {
      const fleet = await store.readRetry(contextIdentifier);
      if (fleet && fleet.forObtainedAt === record.obtainedAt && (!state || fleet.attempt > state.attempt)) {
        state = fleet;
        retries.set(contextIdentifier, fleet);
      }
    }
    return state ?? null;
  }

  /**
   * Replaces a still-usable `record`: one exchange across the fleet. Resolves to the new record, or to
   * null when the back-off says not yet or another process is already at it. A failure is counted
   * (for the back-off) and rethrown.
   */
  function refresh(contextIdentifier, givenToken, record) {
    return exchanges.run(contextIdentifier, async () => {
      const before = await retryState(contextIdentifier, record, { shared: true });
      if (before && now() < before.notBefore) return null;
      // SuperOffice asked the fleet to wait, or the tenant is down: the ticket in hand keeps serving
      // (or callers fail fast), and this is not a failed attempt.
      try {
        if (await directory.beforeExchange(contextIdentifier)) return null;
      } catch {
        return null;
      }
      return store.singleFlight(contextIdentifier, {
        done: (found) => now() < freshUntil(found),
        wait: false,
        work: async () => {
          try {
            const fresh = await exchange(contextIdentifier, givenToken, 'refresh');
            if (retries.delete(contextIdentifier)) await store.clearRetry(contextIdentifier);
            return fresh;
          } catch (err) {
            const latest = await retryState(contextIdentifier, record, { shared: true });
            const attempt = (latest ? latest.attempt : 0) + 1;
            const delay = retryDelay(attempt);
            const state = { attempt, notBefore: now() + delay, forObtainedAt: record.obtainedAt };
            retries.set(contextIdentifier, state);
            // Kept past notBefore so the next failure, in whichever process, counts on from here.
            await store.writeRetry(contextIdentifier, state, delay + RETRY_MAX_MS);
            throw err;
          }
        },
      });
    });
  }

  /** No usable ticket: exchange, or wait for the process that is exchanging. Errors reach the caller. */
  async function obtain(contextIdentifier, givenToken) {
    for (;;) {
      const record = await exchanges.run(contextIdentifier, () =>
        store.singleFlight(contextIdentifier, {
          done: (found) => now() < freshUntil(found),
          wait: true,
          work: async () => {
            await exchangeAllowed(contextIdentifier);
            return exchange(contextIdentifier, givenToken, 'miss');
          },
        }),
      );
      // null: this joined a refresh that stood back (another process at it, or its back-off); it
      // cannot serve a caller who has no ticket, so go again.
      if (record) return record;
    }
  }

  function reportRefreshError(contextIdentifier) {
    return (err) => reportBackground(err, { contextIdentifier, during: 'refresh' });
  }

  async function lookup(contextIdentifier, givenToken) {
    const record = await store.read(contextIdentifier);
    const t = now();
    if (record) {
      if (t < freshUntil(record)) {
        emit('cache:hit', { contextIdentifier, ageMs: t - record.obtainedAt });
        return record;
      }
      if (t < expiresAt(record)) {
        emit('cache:hit', { contextIdentifier, ageMs: t - record.obtainedAt });
        // In the refresh window: answer with the still-valid ticket at once and renew in the background.
        const local = retries.get(contextIdentifier);
        const waiting = local && local.forObtainedAt === record.obtainedAt && t < local.notBefore;
        if (!exchanges.has(contextIdentifier) && !waiting) {
          refresh(contextIdentifier, givenToken, record).catch(reportRefreshError(contextIdentifier));
        }
        return record;
      }
      // Past its cache lifetime but inside its life at SuperOffice: replace it now if SuperOffice
      // answers; if it does not (or the back-off says wait), hand out this one (stale-if-error).
      const stale = () => {
        emit('ticket:stale', {
          contextIdentifier,
          ageMs: now() - record.obtainedAt,
          usableUntil: new Date(usableUntil(record)),
        });
        return record;
      };
      const state = await retryState(contextIdentifier, record, { shared: false });
      if (state && t < state.notBefore) return stale();
      try {
        return (await refresh(contextIdentifier, givenToken, record)) ?? stale();
      } catch (err) {
        if (err && err.code === 'ERR_TENANT_UNAVAILABLE') throw err;
        reportRefreshError(contextIdentifier)(err);
        return stale();
      }
    }
    return obtain(contextIdentifier, givenToken);
  }

  // Every way to a ticket: fails fast while the tenant is known to be down.
  async function resolveRecord(contextIdentifier, givenToken) {
    await directory.assertAvailable(contextIdentifier);
    return lookups.run(contextIdentifier, () => lookup(contextIdentifier, givenToken));
  }

  // A proven use (an answer from past the tenant's authentication): slide the cached ticket's life,
  // written at most every few minutes, and only while the cache still holds that ticket.
  const sliding = new Set();
  function markUsed(contextIdentifier, record) {
    const t = now();
    if (!life.afterUse(record, t) || sliding.has(contextIdentifier)) return;
    sliding.add(contextIdentifier);
    (async () => {
      const cached = await store.read(contextIdentifier);
      if (!cached || cached.ticket !== record.ticket) return;
      const slid = life.afterUse(cached, t);
      if (!slid) return;
      // The tag covers every field, usedAt included: the slid record is sealed anew.
      const next = await sealer.seal(keyPrefix + contextIdentifier, slid);
      await store.write(contextIdentifier, next, usableUntil(next) - now());
      emit('ticket:slid', {
        contextIdentifier,
        expiresAt: new Date(expiresAt(next)),
        usableUntil: new Date(usableUntil(next)),
      });
    })()
      .catch((err) => reportBackground(err, { contextIdentifier, during: 'cache.set' }))
      .finally(() => sliding.delete(contextIdentifier));
  }

  // The credential for one attempt: the cached ticket and where to send it (its claims, re-based when
  // the tenant moved). Given the previous credential, the same ticket re-routed.
  async function credentialFor(contextIdentifier, givenToken, previous) {
    const record = previous ? previous.record : await resolveRecord(contextIdentifier, givenToken);
    const route = await directory.route(contextIdentifier, record);
    // Only under the tenant's own base (tenant-url.cjs), the moved one after a move.
    route.allows = tenantScope(contextIdentifier, route.webapiUrl, route.netserverUrl);
    return { token: record.ticket, record, headers: core.authHeaders(record.ticket, applicationToken), route };
  }

  function tenantParams(params, method) {
    const p = typeof params === 'string' ? { contextIdentifier: params } : params;
    if (p === null || typeof p !== 'object')
      throw invalidArgument(`${method} needs { contextIdentifier, systemUserToken }`);
    requireNonEmptyString('contextIdentifier', p.contextIdentifier);
    if (p.systemUserToken !== undefined) {
      requireNonEmptyString('systemUserToken', p.systemUserToken);
      // Remembered so that authHeaders(contextIdentifier) can renew the ticket later.
      knownSystemUserTokens.set(p.contextIdentifier, p.systemUserToken);
    }
    return p;
  }

  // Forget a tenant's ticket if it is still the cached one (the body of invalidate(ctx, { ticket })).
  // Without a ticket, forget whatever is cached.
  async function dropTicket(contextIdentifier, ticket) {
    // A lookup in flight may be about to hand out the ticket being forgotten.
    lookups.delete(contextIdentifier);
    // With a ticket: removed only while it is still that one, atomically where the store can.
    return store.forget(contextIdentifier, ticket);
  }

  function tenantFetch(contextIdentifier, systemUserToken) {
    return createAuthorizedFetch({
      fetchImpl,
      timeoutMs,
      caller,
      contextIdentifier,
      now,
      acquire: (previous) => credentialFor(contextIdentifier, systemUserToken, previous),
      drop: (ticket) => dropTicket(contextIdentifier, ticket),
      used: (credential) => markUsed(contextIdentifier, credential.record),
    });
  }

  async function callAgent(params, agent, method, parameters, options) {
    const { contextIdentifier, systemUserToken } = tenantParams(params, 'callAgent');
    const o = options === undefined ? {} : options;
    if (o === null || typeof o !== 'object') throw invalidArgument('callAgent options must be an object');
    for (const name of Object.keys(o))
      if (name !== 'timeZone') throw invalidArgument(`unknown callAgent option ${name}`);
    const call = {
      agent,
      method,
      parameters,
      applicationToken,
      ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
    };
    core.buildAgentRequest({ ...call, netserverUrl: PROBE_NETSERVER_URL, ticket: 'probe' });
    return caller.run({
      contextIdentifier,
      replayable: true,
      via: 'agent',
      acquire: (previous) => credentialFor(contextIdentifier, systemUserToken, previous),
      drop: (ticket) => dropTicket(contextIdentifier, ticket),
      used: (credential) => markUsed(contextIdentifier, credential.record),
      async attempt(credential) {
        const { netserverUrl } = credential.route;
        if (typeof netserverUrl !== 'string' || netserverUrl === '') {
          throw fail(
            'ERR_JWT_CLAIM_INVALID',
            `JWT claim ${NETSERVER_URL_CLAIM}: missing, so there is no NetServer to call`,
            { claim: NETSERVER_URL_CLAIM },
          );
        }
        const request = core.buildAgentRequest({ ...call, netserverUrl, ticket: credential.token });
        const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
        const retryAfterMs = res.status === 429 ? retryAfterOf(res, now()) : undefined;
        // Server text may echo what we hold: the application token, the ticket, the tenant's system
        // user token (the one its last exchange used, whatever its source).
        const redact = [
          applicationToken,
          credential.token,
          systemUserToken ?? usedSystemUserTokens.get(contextIdentifier) ?? knownSystemUserToken(contextIdentifier),
        ];
        try {
          return { status: res.status, value: core.parseAgentResponse(res, { method, redact }), retryAfterMs };
        } catch (error) {
          return {
            status: res.status,
            error,
            rejected: Boolean(error) && error.code === 'ERR_TICKET_REJECTED',
            retryAfterMs,
          };
        }
      },
      settle(outcome) {
        if (!outcome.error) return outcome.value;
        // A 429 from the tenant: ERR_HTTP_STATUS with how long it asked us to wait (null: it did not say).
        if (outcome.status === 429 && outcome.error.code === 'ERR_HTTP_STATUS')
          outcome.error.retryAfterMs = outcome.retryAfterMs ?? null;
        throw outcome.error;
      },
    });
  }

  // Tenant status notifications (SuperOfficeDocs/superoffice-docs docs/en/apps/tenant-status/
  // notifications.md): ChangeType Upgrade (0), BackupRestored (1), Suspend (2), Resume (3), Delete (4).
  // The caller verified the notification (parseTenantStatusNotification); this acts on it.
  async function applyTenantStatus(notification) {
    if (notification === null || typeof notification !== 'object')
      throw invalidArgument('applyTenantStatus needs the result of parseTenantStatusNotification');
    const { contextIdentifier, changeTypeCode } = notification;
    requireNonEmptyString('contextIdentifier', contextIdentifier);
    if (!Number.isSafeInteger(changeTypeCode))
      throw invalidArgument('applyTenantStatus needs the result of parseTenantStatusNotification (changeTypeCode)');
    if (changeTypeCode === CHANGE_SUSPEND || changeTypeCode === CHANGE_DELETE) {
      const [state, stateCode] =
        changeTypeCode === CHANGE_DELETE ? ['Deleted', STATE_DELETED] : ['Suspended', STATE_SUSPENDED];
      // Marked for as long as a state answer is trusted at most; then the state API is asked before any
      // call goes on, so a resume SuperOffice did not notify is still seen.
      const until = now() + NOTIFIED_MARK_MS;
      await directory.mark(contextIdentifier, { state, stateCode, until });
      await dropTicket(contextIdentifier);
      emit('tenant:unavailable', {
        contextIdentifier,
        state,
        stateCode,
        validUntil: new Date(until),
        via: 'notification',
      });
      return changeTypeCode === CHANGE_DELETE ? 'deleted' : 'suspended';
    }
    if (changeTypeCode === CHANGE_RESUME || changeTypeCode === CHANGE_UPGRADE) {
      await directory.mark(contextIdentifier, { until: 0 });
      return 'resumed';
    }
    return 'ignored';
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

  async function onboard(input, params) {
    if (clientId === undefined) throw invalidArgument('onboardTenant needs the clientId option');
    const p = params === undefined ? {} : params;
    if (p === null || typeof p !== 'object') throw invalidArgument('onboardTenant options must be an object');
    optionalNonEmptyString('nonce', p.nonce);
    let idToken = input;
    if (p.state !== undefined) {
      // The redirect itself: state first, then an error, then the id_token it carries.
      requireNonEmptyString('state', p.state);
      if (p.nonce === undefined)
        throw invalidArgument('nonce is required with state: keep both from the authorization request');
      const response = core.parseAuthorizationResponse(input, { state: p.state });
      if (response.idToken === undefined)
        throw fail(
          'ERR_RESPONSE_MALFORMED',
          'the approval carries no id_token (was the request made with responseType id_token?)',
        );
      idToken = response.idToken;
    }
    if (typeof idToken !== 'string' || idToken === '') throw invalidArgument('idToken must be a non-empty string');
    const where = issuerWhere();
    const keySet = await keySource.current();
    const result = await keySource.parseWith(keySet, (set) => {
      const parseOptions = { ...where, keys: set, clientId, now: now() };
      if (p.nonce !== undefined) parseOptions.nonce = p.nonce;
      if (leewaySeconds !== undefined) parseOptions.leewaySeconds = leewaySeconds;
      return core.parseSuperIdToken(idToken, parseOptions);
    });
    if (typeof result.systemUserToken !== 'string' || result.systemUserToken === '') {
      // The token is genuine, but the application is not a system-user application (or the tenant did
      // not grant it one): there is nothing to store.
      const claim = 'http://schemes.superoffice.net/identity/system_token';
      throw fail(
        'ERR_JWT_CLAIM_INVALID',
        `JWT claim ${claim}: missing (is the application registered as a system-user application?)`,
        { claim },
      );
    }
    knownSystemUserTokens.set(result.contextIdentifier, result.systemUserToken);
    return result;
  }

  const client = {
    /**
     * The URL that asks a tenant administrator to approve the application (response type id_token,
     * posted back to redirectUri), with the state and nonce to keep for onboardTenant.
     */
    createOnboardingRequest(params) {
      if (clientId === undefined) throw invalidArgument('createOnboardingRequest needs the clientId option');
      if (params === null || typeof params !== 'object')
        throw invalidArgument('createOnboardingRequest needs { redirectUri }');
      const allowed = new Set(['redirectUri', 'contextIdentifier', 'loginHint', 'prompt', 'responseMode']);
      for (const name of Object.keys(params)) if (!allowed.has(name)) throw invalidArgument(`unknown option ${name}`);
      const { codeVerifier, ...request } = core.createAuthorizationRequest({
        ...where,
        clientId,
        responseType: 'id_token',
        ...params,
      });
      void codeVerifier;
      return request;
    },
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
      return core.authHeaders(record.ticket, applicationToken);
    },
    /**
     * Forget a tenant's ticket (call it when the API answered 401). With { ticket }, only that ticket
     * is forgotten: many requests failing with one old ticket then cause one exchange, not many.
     * Resolves to true when something was removed.
     */
    async invalidate(contextIdentifier, { ticket } = {}) {
      requireNonEmptyString('contextIdentifier', contextIdentifier);
      if (ticket !== undefined) requireNonEmptyString('ticket', ticket);
      return dropTicket(contextIdentifier, ticket);
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
     * The tenant's state from SuperOffice's state API ({ endpoint, apiUrl, state, stateCode, isRunning,
     * validUntil }), cached until validUntil (at least 30 s, at most 5 min) and shared through the cache.
     */
    async tenantState(contextIdentifier) {
      requireNonEmptyString('contextIdentifier', contextIdentifier);
      return directory.state(contextIdentifier);
    },
    /**
     * Acts on a verified tenant status notification (parseTenantStatusNotification's result): Delete and
     * Suspend drop the tenant's ticket everywhere and mark it unavailable (calls fail fast with
     * ERR_TENANT_UNAVAILABLE, no exchange); Resume and Upgrade clear the mark. Others change nothing.
     * Resolves to what was done: 'suspended', 'deleted', 'resumed' or 'ignored'.
     */
    applyTenantStatus(notification) {
      return applyTenantStatus(notification);
    },
    /**
     * Calls a NetServer SOAP agent (`Associate`, `GetAssociate`, { AssociateId: 5 }) with the tenant's
     * ticket: { response, succeeded, extraInfo }. The same retry rule as fetch, on ERR_TICKET_REJECTED.
     */
    callAgent(params, agent, method, parameters, options) {
      return callAgent(params, agent, method, parameters, options);
    },
    [INSPECT](_depth, _options, inspect) {
      return describe('SystemUserClient', description(), inspect);
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

const isText = (value) => typeof value === 'string';
const isTextOrNull = (value) => value === null || typeof value === 'string';

/**
 * A store may hand back anything (an older format, another program's value, another tenant's record,
 * a value tampered with): whatever is not a well-formed record of this tenant, still usable now, is a
 * miss. The ticket ends up in an HTTP header, so it must be a single printable token.
 */
function readRecord(value, contextIdentifier, t, usableUntil) {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value.v !== RECORD_VERSION) return null;
  if (typeof value.mac !== 'string') return null;
  const { ticket, obtainedAt, expiresAt, claims } = value;
  if (!isText(ticket) || ticket.length === 0 || ticket.length > MAX_TICKET_LENGTH || !/^[\x21-\x7e]+$/.test(ticket))
    return null;
  if (value.contextIdentifier !== contextIdentifier) return null;
  if (!Number.isFinite(obtainedAt) || !Number.isFinite(expiresAt)) return null;
  if (!isText(value.serial) || !isTextOrNull(value.netserverUrl) || !isTextOrNull(value.webapiUrl)) return null;
  if (typeof value.isAdministrator !== 'boolean') return null;
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return null;
  // usedAt (a proven use, ticket-use.cjs) is optional; one before it was obtained or from the future
  // (a tampered value would keep a ticket forever) is refused.
  if (
    value.usedAt !== undefined &&
    (!Number.isFinite(value.usedAt) || value.usedAt < obtainedAt || value.usedAt > t + MAX_FUTURE_SKEW_MS)
  )
    return null;
  if (obtainedAt > t + MAX_FUTURE_SKEW_MS || t >= usableUntil(value)) return null;
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
  Object.defineProperty(result, INSPECT, { value: inspectResult });
  return result;
}

module.exports = { createSystemUserClient, createMemoryCache, CLIENT_DEFAULTS: DEFAULTS };
