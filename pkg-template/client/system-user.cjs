'use strict';
// The system-user client: its options, and the composition of the pieces beside it. The core's pure
// functions (sign, build, parse) meet the host's fetch (io.cjs), a per-tenant cache (ticket-store.cjs
// over any TicketCache, memory-cache.cjs by default), the ticket lifecycle (ticket-lifecycle.cjs
// decides, tickets.cjs carries out), client.fetch (authorized-fetch.cjs), callAgent (agents.cjs) and
// onboarding (onboarding.cjs). All I/O and all clocks live in client/, none in the core.

const core = require('../core/index.cjs');
const { sha256Hex } = require('../core/wasm.cjs');
const { INSPECT, describe } = require('../inspect.cjs');
const {
  requireString,
  optionalString,
  optionalNumber,
  optionalFunction,
  readOptions,
  toClock,
  toLeeway,
  toTransport,
  toLocation,
} = require('../arguments.cjs');
const { fail, invalidArgument, createSender, createKeySource } = require('./io.cjs');
const { createMemoryCache } = require('./memory-cache.cjs');
const { createTicketStore } = require('./ticket-store.cjs');
const { readRecord, reviveRecord } = require('./ticket-record.cjs');
const { SIX_HOURS_S, lifecycleSettings, usableUntil } = require('./ticket-lifecycle.cjs');
const { createTicketSource } = require('./tickets.cjs');
const { createAuthorizedFetch, tenantScope } = require('./authorized-fetch.cjs');
const { isTrustedTenantUrl } = require('./tenant-url.cjs');
const { createRecordSealer } = require('./record-seal.cjs');
const { createAgentCaller } = require('./agents.cjs');
const { createOnboarding } = require('./onboarding.cjs');

const DAY_MS = 24 * 60 * 60 * 1000;
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
    timeoutMs: optionalNumber(o.timeoutMs, 'timeoutMs', 10_000, { min: 1, max: 600_000 }),
    jwksCooldownMs: optionalNumber(o.jwksCooldownMs, 'jwksCooldownMs', 30_000, { min: 0, max: DAY_MS }),
    jwksMaxAgeMs:
      o.jwksMaxAgeMs === Infinity
        ? Infinity
        : optionalNumber(o.jwksMaxAgeMs, 'jwksMaxAgeMs', 10 * 60_000, { min: 1000, max: 7 * DAY_MS }),
    ticketTtlSeconds: optionalNumber(o.ticketTtlSeconds, 'ticketTtlSeconds', 5 * 60 * 60, { min: 1, max: SIX_HOURS_S }),
    refreshAheadSeconds: optionalNumber(o.refreshAheadSeconds, 'refreshAheadSeconds', 5 * 60, {
      min: 0,
      max: SIX_HOURS_S,
    }),
    // Checked now, with the rule every entry applies, though only used when a token arrives.
    leewaySeconds: o.leewaySeconds === undefined ? undefined : toLeeway(o.leewaySeconds),
    onBackgroundError: optionalFunction(o.onBackgroundError, 'onBackgroundError', undefined),
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

// Build one request with placeholder values: this validates `environment`/`baseUrl` through the core
// now rather than at the first ticket, and tells us the login host for the JWKS URL without a second
// copy of the environment table.
function loginHostOf(settings) {
  const probe = core.buildTicketRequest({
    ...settings.where,
    transport: settings.transport,
    applicationToken: settings.applicationToken,
    contextIdentifier: 'probe',
    signedSystemToken: 'probe.200001010000.AAAA',
  });
  return new URL(probe.url).href.replace(
    /\/login\/(?:services\/PartnerSystemUserService\.svc|api\/PartnerSystemUser\/Authenticate)$/i,
    '',
  );
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

  const send = createSender({ fetchImpl, timeoutMs });
  const keySource = createKeySource({
    pinned: pinnedKeys,
    jwksUrl: `${loginBase}/login/.well-known/jwks`,
    send,
    cooldownMs: settings.jwksCooldownMs,
    maxAgeMs: settings.jwksMaxAgeMs,
    now,
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
  const callAgent = createAgentCaller({ applicationToken, send, tickets, systemUserTokenOf: knownSystemUserToken });
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
      async acquire() {
        const record = await tickets.resolve(contextIdentifier, systemUserToken);
        return {
          token: record.ticket,
          headers: core.authHeaders(record.ticket, applicationToken),
          base: record.webapiUrl ?? null,
          allows: tenantScope(contextIdentifier, record.webapiUrl, record.netserverUrl),
        };
      },
      drop: (ticket) => tickets.drop(contextIdentifier, ticket),
    });
  }

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
     * Calls a NetServer SOAP agent (`Associate`, `GetAssociate`, { AssociateId: 5 }) with the tenant's
     * ticket: { response, succeeded, extraInfo }. The same retry rule as fetch, on ERR_TICKET_REJECTED.
     */
    async callAgent(params, agent, method, parameters, options) {
      const { contextIdentifier, systemUserToken } = tenantParams(params, 'callAgent');
      return callAgent(contextIdentifier, systemUserToken, agent, method, parameters, options);
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
