'use strict';
// The system-user client: its options, and the composition of the pieces beside it. The core's pure
// functions (sign, build, parse) meet the host's fetch (io.cjs), a per-tenant cache (ticket-store.cjs
// over any TicketCache, memory-cache.cjs by default), the ticket lifecycle (ticket-lifecycle.cjs
// decides, tickets.cjs carries out, ticket-slide.cjs slides a used ticket's life), each call's credential
// (ticket-credential.cjs), client.fetch (authorized-fetch.cjs), callAgent (agents.cjs) and onboarding
// (onboarding.cjs). All I/O and all clocks live in client/, none in the core.

const core = require('../core/index.cjs');
const { sha256Hex } = require('../core/wasm.cjs');
const { loginHost } = require('../core/login-host.cjs');
const { INSPECT, describe } = require('../inspect.cjs');
const {
  requireString,
  optionalString,
  coreRangeOption,
  optionalFunction,
  readOptions,
  toClock,
  optionalLeeway,
  toJwksMaxAge,
  toTransport,
  toLocation,
} = require('../arguments.cjs');
const { fail, invalidArgument, createSender, createKeySource, createCoalescer } = require('./io.cjs');
const { createMemoryCache } = require('./memory-cache.cjs');
const { createTicketStore } = require('./ticket-store.cjs');
const { readRecord, reviveRecord } = require('./ticket-record.cjs');
const { lifecycleSettings, usableUntil } = require('./ticket-lifecycle.cjs');
const { createTicketSlider } = require('./ticket-slide.cjs');
const { createCredentialSource } = require('./ticket-credential.cjs');
const { createTicketSource } = require('./tickets.cjs');
const { createAuthorizedFetch } = require('./authorized-fetch.cjs');
const { isTrustedTenantUrl, tenantBaseOf } = require('./tenant-url.cjs');
const { createRecordSealer } = require('./record-seal.cjs');
const { createEmitter } = require('./events.cjs');
const { createTenantDirectory } = require('./tenant-directory.cjs');
const { createTenantStatusApplier } = require('./tenant-status.cjs');
const { createTenantCaller } = require('./tenant-call.cjs');
const { createAgentCaller } = require('./agents.cjs');
const { createWebApiOptions } = require('./webapi.cjs');
const { createOnboarding } = require('./onboarding.cjs');

// A store call that takes longer than this is abandoned (the Redis adapter's own bound is 1 s).
const CACHE_CALL_TIMEOUT_MS = 2_000;
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
const TENANT_PARAMS = ['contextIdentifier', 'systemUserToken'];
const INVALIDATE_OPTIONS = ['ticket'];

/** The options, checked and with their defaults: everything the client is built from. */
function readClientOptions(options) {
  const o = readOptions(options, OPTION_NAMES, { required: true });
  const now = toClock(o.now);
  const settings = {
    where: toLocation(o.environment, o.baseUrl),
    applicationToken: requireString(o.applicationToken, 'applicationToken'),
    transport: toTransport(o.transport),
    fetchImpl: optionalFunction(o.fetch, 'fetch', globalThis.fetch),
    timeoutMs: coreRangeOption(o.timeoutMs, 'timeoutMs'),
    jwksCooldownMs: coreRangeOption(o.jwksCooldownMs, 'jwksCooldownMs'),
    jwksMaxAgeMs: toJwksMaxAge(o.jwksMaxAgeMs),
    ticketTtlSeconds: coreRangeOption(o.ticketTtlSeconds, 'ticketTtlSeconds'),
    refreshAheadSeconds: coreRangeOption(o.refreshAheadSeconds, 'refreshAheadSeconds'),
    // Checked now, with the rule every entry applies, though only used when a token arrives.
    leewaySeconds: optionalLeeway(o.leewaySeconds),
    onBackgroundError: optionalFunction(o.onBackgroundError, 'onBackgroundError', undefined),
    onEvent: optionalFunction(o.onEvent, 'onEvent', undefined),
    // Both only serve onboardTenant; the issuer is the environment's unless given (a stand-in, a proxy).
    clientId: optionalString(o.clientId, 'clientId'),
    issuer: optionalString(o.issuer, 'issuer'),
    now,
    cache: o.cache ?? createMemoryCache({ now }),
    systemUserTokens: o.systemUserTokens,
    privateKey: o.privateKey,
    keys: o.keys,
  };
  if (settings.privateKey === undefined || settings.privateKey === null)
    throw invalidArgument('privateKey is required');
  if (settings.refreshAheadSeconds >= settings.ticketTtlSeconds) {
    throw invalidArgument('refreshAheadSeconds must be less than ticketTtlSeconds');
  }
  const { cache, systemUserTokens } = settings;
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
  if (settings.issuer !== undefined && settings.where.environment !== undefined) {
    throw invalidArgument('give issuer only with baseUrl; an environment has its own');
  }
  return settings;
}

// The login host from the core; its URL form (new URL) as the cache keys have always named it. A ticket
// request is built once too, with placeholder values: the core checks the location, the transport and
// the application token now, not at the first ticket.
function loginHostOf(settings) {
  core.buildTicketRequest({
    ...settings.where,
    transport: settings.transport,
    applicationToken: settings.applicationToken,
    contextIdentifier: 'probe',
    signedSystemToken: 'probe.200001010000.AAAA',
  });
  return new URL(loginHost(settings.where)).href.replace(/\/$/, '');
}

function createSystemUserClient(options) {
  const settings = readClientOptions(options);
  const { where, applicationToken, fetchImpl, timeoutMs, now, systemUserTokens, onBackgroundError } = settings;

  // Parsed once: every exchange signs with it, and parsing (base64, DER, CRT checks) is the slow part.
  const privateKey =
    typeof settings.privateKey === 'string' ? core.PrivateKey.parse(settings.privateKey) : settings.privateKey;
  const pinnedKeys = settings.keys === undefined ? null : core.KeySet.from(settings.keys);

  const loginBase = loginHostOf(settings);
  // Tickets from one application and host are useless to another, so keep them apart in a shared store.
  // A truncated hash names the application without putting its token in the store's key space.
  const appHash = sha256Hex(`${loginBase}\n${applicationToken}`).slice(0, 16);
  const keyPrefix = `superoffice-auth:v1:${appHash}:`;
  // The fleet's back-off after failed refreshes lives beside the tickets, under a name no ticket key has.
  const retryPrefix = `superoffice-auth:retry:v1:${appHash}:`;
  const lifecycle = lifecycleSettings(settings);
  // A crashed lock holder blocks the fleet this long at most; a live one renews the lock while it works.
  // Half of timeoutMs: a waiter (who waits up to timeoutMs) sees a dead holder's lock expire and takes
  // over, while a live holder whose event loop stalls for seconds does not lose its lock.
  const lockTtlMs = Math.max(250, Math.floor(timeoutMs / 2));

  function reportBackground(error, info) {
    if (!onBackgroundError) return;
    try {
      onBackgroundError(error, info);
    } catch {
      // A throwing hook must not become an unhandled rejection in a background task.
    }
  }

  const { emit } = createEmitter({ onEvent: settings.onEvent, source: 'system-user' });
  const send = createSender({ fetchImpl, timeoutMs });
  const keySource = createKeySource({
    pinned: pinnedKeys,
    jwksUrl: `${loginBase}/login/.well-known/jwks`,
    send,
    cooldownMs: settings.jwksCooldownMs,
    maxAgeMs: settings.jwksMaxAgeMs,
    now,
    onFetch: (fields) => emit('jwks:fetch', fields),
  });
  const knownSystemUserTokens = new Map(); // contextIdentifier -> system user token, from getTicket calls and onboarding
  const usedSystemUserTokens = new Map(); // contextIdentifier -> the token the last exchange signed: redacted from agent errors

  // Records are untrusted wherever they come from (a shared store anyone with write access can fill, a
  // custom TicketCache): each carries a tag under a key derived from the application token, which no
  // store holds, and names the tenant's URLs, which must be SuperOffice's (or the baseUrl's host).
  const sealer = createRecordSealer({ applicationToken, context: loginBase });
  const tenantUrlsTrusted = (result) =>
    [result.webapiUrl, result.netserverUrl].every((url) => url === null || isTrustedTenantUrl(url, where));
  async function acceptRecord(value, contextIdentifier) {
    const record = readRecord(value, contextIdentifier, now(), (r) => usableUntil(r, lifecycle));
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

  const store = createTicketStore({
    cache: settings.cache,
    keyFor: (contextIdentifier) => keyPrefix + contextIdentifier,
    retryKeyFor: (contextIdentifier) => retryPrefix + contextIdentifier,
    accept: acceptRecord,
    callTimeoutMs: Math.min(CACHE_CALL_TIMEOUT_MS, timeoutMs),
    waitMs: timeoutMs,
    lockTtlMs,
    report: reportBackground,
  });

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
    forget: (contextIdentifier) => tickets.drop(contextIdentifier),
    // An endpoint read back from the store decides where tickets go: SuperOffice's hosts (or the
    // baseUrl's) and the tenant's own path only, as for the ticket's claims.
    trusted: (url, contextIdentifier) =>
      isTrustedTenantUrl(url, where) && tenantBaseOf(`${url}/`, contextIdentifier) !== null,
    now,
    emit,
    coalescer: createCoalescer(),
  });
  const caller = createTenantCaller({ directory, emit });

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

  const tickets = createTicketSource({
    now,
    store,
    keySource,
    send,
    exchange: {
      where,
      transport: settings.transport,
      applicationToken,
      privateKey,
      leewaySeconds: settings.leewaySeconds,
    },
    systemUserTokenFor: async (contextIdentifier, given) => {
      const token = await systemUserTokenFor(contextIdentifier, given);
      usedSystemUserTokens.set(contextIdentifier, token);
      return token;
    },
    trustedUrl: (url) => isTrustedTenantUrl(url, where),
    seal: (contextIdentifier, record) => sealer.seal(keyPrefix + contextIdentifier, record),
    settings: lifecycle,
    report: reportBackground,
    emit,
    directory,
  });
  // The tenant's system user token where it costs nothing to know (a systemUserTokens function is not
  // called for this): for redaction only.
  function knownSystemUserToken(contextIdentifier) {
    const known = usedSystemUserTokens.get(contextIdentifier) ?? knownSystemUserTokens.get(contextIdentifier);
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
  // A proven use slides the cached ticket's life (ticket-slide.cjs); each attempt's credential is the
  // cached ticket routed to the tenant's current endpoint (ticket-credential.cjs).
  const markUsed = createTicketSlider({
    now,
    store,
    seal: (contextIdentifier, record) => sealer.seal(keyPrefix + contextIdentifier, record),
    lifecycle,
    emit,
    report: reportBackground,
  });
  const credentialFor = createCredentialSource({ tickets, directory, applicationToken });

  const callAgent = createAgentCaller({
    applicationToken,
    send,
    caller,
    credentialFor,
    drop: (contextIdentifier, ticket) => tickets.drop(contextIdentifier, ticket),
    used: markUsed,
    systemUserTokenOf: knownSystemUserToken,
    now,
  });
  const onboarding = createOnboarding({
    where,
    clientId: settings.clientId,
    issuer: settings.issuer,
    leewaySeconds: settings.leewaySeconds,
    keySource,
    now,
    remember: (contextIdentifier, systemUserToken) => knownSystemUserTokens.set(contextIdentifier, systemUserToken),
  });

  function tenantParams(params, method) {
    const p = readOptions(typeof params === 'string' ? { contextIdentifier: params } : params, TENANT_PARAMS, {
      required: true,
      message: `${method} needs { contextIdentifier, systemUserToken }`,
    });
    requireString(p.contextIdentifier, 'contextIdentifier');
    const systemUserToken = optionalString(p.systemUserToken, 'systemUserToken');
    // Remembered so that authHeaders(contextIdentifier) can renew the ticket later.
    if (systemUserToken !== undefined) knownSystemUserTokens.set(p.contextIdentifier, systemUserToken);
    return { contextIdentifier: p.contextIdentifier, systemUserToken };
  }

  function tenantFetch(contextIdentifier, systemUserToken) {
    return createAuthorizedFetch({
      fetchImpl,
      timeoutMs,
      caller,
      contextIdentifier,
      now,
      acquire: (previous) => credentialFor(contextIdentifier, systemUserToken, previous),
      drop: (ticket) => tickets.drop(contextIdentifier, ticket),
      used: (credential) => markUsed(contextIdentifier, credential.record),
    });
  }

  // webApiOptions: @superoffice/webapi's agents on this tenant's tickets, through the same authorized
  // fetch as client.fetch (webapi.cjs). The base URL is the tenant's web API as its route names it now;
  // requests under it go to the authorized fetch relative to the tenant's API, so they follow the tenant
  // when it moves (the fetch re-bases them) without new options.
  async function webApiOptions(contextIdentifier, systemUserToken, options) {
    const o = readOptions(options, ['axios'], { required: true, message: 'webApiOptions needs { axios }' });
    const { route } = await credentialFor(contextIdentifier, systemUserToken);
    if (typeof route.webapiUrl !== 'string' || route.webapiUrl === '') {
      const claim = 'http://schemes.superoffice.net/identity/webapi_url';
      throw fail('ERR_JWT_CLAIM_INVALID', `JWT claim ${claim}: missing, so there is no web API to call`, { claim });
    }
    return createWebApiOptions({
      axios: o.axios,
      baseUrl: route.webapiUrl,
      authorizedFetch: tenantFetch(contextIdentifier, systemUserToken),
    });
  }

  const applyTenantStatus = createTenantStatusApplier({ directory, tickets, emit, now });

  const description = () => ({
    ...where,
    transport: settings.transport,
    keys: pinnedKeys ? 'pinned' : 'jwks',
    ...(settings.clientId !== undefined ? { clientId: settings.clientId } : {}),
    ticketTtlSeconds: settings.ticketTtlSeconds,
    refreshAheadSeconds: settings.refreshAheadSeconds,
  });

  const client = {
    /**
     * The URL that asks a tenant administrator to approve the application (response type id_token,
     * posted back to redirectUri), with the state and nonce to keep for onboardTenant.
     */
    createOnboardingRequest(params) {
      return onboarding.createOnboardingRequest(params);
    },
    /**
     * Validates the SuperIdToken a tenant administrator's approval sent to the redirect URL (signature
     * by the environment's keys, issuer, audience = clientId, nonce when given, expiry) and returns
     * what to store for the tenant: { contextIdentifier, systemUserToken, webapiUrl, ... }. The
     * client remembers the system user token, so getTicket({ contextIdentifier }) works at once.
     */
    onboardTenant(idToken, params) {
      return onboarding.onboardTenant(idToken, params);
    },
    /** The ticket for a tenant: from the cache when fresh, else one coalesced exchange. */
    async getTicket(params) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'getTicket');
      return reviveRecord(await tickets.resolve(contextIdentifier, systemUserToken));
    },
    /** Headers for the tenant's web API: Authorization: SOTicket ... and SO-AppToken. */
    async authHeaders(params) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'authHeaders');
      const record = await tickets.resolve(contextIdentifier, systemUserToken);
      return core.authHeaders(record.ticket, applicationToken);
    },
    /**
     * Forget a tenant's ticket (call it when the API answered 401). With { ticket }, only that ticket
     * is forgotten: many requests failing with one old ticket then cause one exchange, not many.
     * Resolves to true when something was removed.
     */
    async invalidate(contextIdentifier, options) {
      requireString(contextIdentifier, 'contextIdentifier');
      const ticket = optionalString(readOptions(options, INVALIDATE_OPTIONS).ticket, 'ticket');
      return tickets.drop(contextIdentifier, ticket);
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
      requireString(contextIdentifier, 'contextIdentifier');
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
     * Calls a NetServer agent (`Associate`, `GetAssociate`, { AssociateId: 5 }) with the tenant's
     * ticket: over REST by default ({ response }), over SOAP with { protocol: 'soap' } ({ response,
     * succeeded, extraInfo }). The same rules as fetch (one retry after ERR_TICKET_REJECTED or a 421).
     */
    async callAgent(params, agent, method, parameters, options) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'callAgent');
      return callAgent(contextIdentifier, systemUserToken, agent, method, parameters, options);
    },
    /**
     * Options for @superoffice/webapi's agents (`new ContactAgent(options)`): the tenant's web API base
     * URL and an instance of your axios that adds the ticket to each request and retries once on 401.
     */
    async webApiOptions(params, options) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'webApiOptions');
      return webApiOptions(contextIdentifier, systemUserToken, options);
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

module.exports = { createSystemUserClient, createMemoryCache };
