'use strict';
// Where each tenant lives and whether it is up: what the clients learn from SuperOffice's state API
// (`GET https://{env}.superoffice.com/api/state/{ContextIdentifier}`, SuperOfficeDocs/superoffice-docs
// docs/en/apps/tenant-status/check-status.md and status-page.md), kept per tenant in this process and,
// through the TicketCache, for the whole fleet.
//
// What SuperOffice says, and what we do with it:
// - A tenant's endpoint "will change routinely to balance the load" (sod2 -> sod3), and since
//   17 November 2023 a call to the wrong host answers 421 Misdirected Request, "Wrong subdomain used to
//   access tenant" (docs/en/developer-portal/best-practices/tenant-status/tenant-status-api.md). The
//   ticket is not tied to a host (it is valid for 6 hours after its last use, docs/en/api/
//   authentication/online/auth-application/index.md), so a 421 needs no new exchange: one state lookup
//   per tenant (concurrent callers share it) names the new endpoint, and the call is re-based onto it.
// - The endpoint learnt that way overrides the ticket's webapi_url/netserver_url claims from then on,
//   in every process sharing the cache, until the state API names yet another one.
// - `State`/`IsRunning`/`ValidUntil`: only Running and OnlineMaintenance run. A tenant that is not
//   running fails fast (ERR_TENANT_UNAVAILABLE) until ValidUntil ("when to check next time"), without
//   exchanging; then the next call asks the state API again before it goes anywhere, so a tenant
//   Running again resumes at once.
//
// Decisions where SuperOffice is silent:
// - ValidUntil is bounded to [STATE_MIN_TTL_MS, STATE_MAX_TTL_MS] (30 s to 5 min) from the answer: a
//   ValidUntil in the past (clock skew) does not make every call ask again, and a far one (a tenant
//   suspended for days) does not hide a resume for days.
// - The state API is asked on trouble (a 421; a 503, a refused connection or a denied exchange), at
//   most once per LOOKUP_MIN_INTERVAL_MS (10 s) per tenant and process, however many calls fail.
// - The fleet's record is read before every exchange (exchanges are rare; a suspended tenant must not
//   cost one) and otherwise at most every LOCAL_FRESH_MS (30 s), so calls that go well cost no extra
//   store round trip. Writes are read-modify-write without a lock: two processes writing at once can
//   lose one of the two facts, which costs one state lookup later, never a wrong answer.
// - A Deleted tenant's ticket is dropped everywhere (SuperOffice: "forget all about it").

const { fail } = require('./io.cjs');

const STATE_MIN_TTL_MS = 30_000;
const STATE_MAX_TTL_MS = 5 * 60_000;
const LOOKUP_MIN_INTERVAL_MS = 10_000;
const LOCAL_FRESH_MS = 30_000;
const RECORD_VERSION = 1;
// The fleet keeps a tenant's record this long after its last write (an endpoint outlives any ticket).
const RECORD_TTL_MS = 24 * 60 * 60_000;
const MAX_URL_LENGTH = 2048;

const isUrl = (value) =>
  typeof value === 'string' && value.length <= MAX_URL_LENGTH && /^https?:\/\/[^\s]+$/i.test(value);
const isTime = (value) => Number.isFinite(value) && value >= 0;

/** The endpoint (the tenant's root, no trailing slash) a ticket's webapi_url claim implies, or null. */
function endpointOfWebapiUrl(webapiUrl) {
  if (typeof webapiUrl !== 'string') return null;
  const m = /^(https?:\/\/[^/]+\/.*?)\/api\/?$/i.exec(webapiUrl);
  return m ? m[1] : null;
}

function withoutTrailingSlash(url) {
  return url.replace(/\/+$/, '');
}

// Endpoints compared as URLs: `https://sod2.superoffice.com:443/Cust1` (the state API's example writes
// the port) is the same place as `https://sod2.superoffice.com/Cust1/`.
function sameEndpoint(a, b) {
  const norm = (url) => {
    try {
      return withoutTrailingSlash(new URL(url).href).toLowerCase();
    } catch {
      return withoutTrailingSlash(url).toLowerCase();
    }
  };
  return typeof a === 'string' && typeof b === 'string' && norm(a) === norm(b);
}

/**
 * `url` moved from the endpoint `from` to `to`: the part under `from` is kept, `from` replaced. A URL
 * not under `from` keeps its path and only changes origin (a tenant moves between hosts, its path
 * stays). null stays null.
 */
function rebase(url, from, to) {
  if (typeof url !== 'string' || url === '') return url ?? null;
  const source = withoutTrailingSlash(from);
  const target = withoutTrailingSlash(to);
  if (url.toLowerCase().startsWith(`${source.toLowerCase()}/`)) return target + url.slice(source.length);
  try {
    const parsed = new URL(url);
    return new URL(parsed.pathname + parsed.search, new URL(target).origin).href;
  } catch {
    return url;
  }
}

/**
 * A store may hand back anything: what is not a well-formed record of this tenant is a miss.
 * @param {any} value
 * @param {string} contextIdentifier
 * @param {(url: string, ctx: string) => boolean} [trusted]
 */
function readRecord(value, contextIdentifier, trusted = () => true) {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value.v !== RECORD_VERSION) return null;
  if (value.contextIdentifier !== contextIdentifier) return null;
  const out = {
    v: RECORD_VERSION,
    contextIdentifier,
    endpoint: null,
    state: null,
    unavailableUntil: 0,
    holdUntil: 0,
    holdStatus: 0,
  };
  if (value.endpoint !== null && value.endpoint !== undefined) {
    const e = value.endpoint;
    if (
      !e ||
      typeof e !== 'object' ||
      !isUrl(e.url) ||
      !trusted(e.url, contextIdentifier) ||
      !isTime(e.learnedAt) ||
      !(e.apiUrl === null || isUrl(e.apiUrl))
    )
      return null;
    out.endpoint = { url: e.url, apiUrl: e.apiUrl, learnedAt: e.learnedAt };
  }
  if (value.state !== null && value.state !== undefined) {
    const s = value.state;
    if (!s || typeof s !== 'object' || !(typeof s.state === 'string' || Number.isSafeInteger(s.state))) return null;
    if (
      !(s.stateCode === null || Number.isSafeInteger(s.stateCode)) ||
      typeof s.isRunning !== 'boolean' ||
      !isTime(s.validUntil) ||
      !isTime(s.checkedAt)
    )
      return null;
    out.state = {
      state: s.state,
      stateCode: s.stateCode,
      isRunning: s.isRunning,
      validUntil: s.validUntil,
      checkedAt: s.checkedAt,
    };
  }
  for (const name of ['unavailableUntil', 'holdUntil', 'holdStatus']) {
    if (value[name] !== undefined) {
      if (!isTime(value[name])) return null;
      out[name] = value[name];
    }
  }
  return out;
}

function emptyRecord(contextIdentifier) {
  return {
    v: RECORD_VERSION,
    contextIdentifier,
    endpoint: null,
    state: null,
    unavailableUntil: 0,
    holdUntil: 0,
    holdStatus: 0,
  };
}

/**
 * @param {object} o
 * @param {(ctx: string) => any} o.stateRequest (contextIdentifier) => { url, method, headers } from the core
 * @param {(res: any, ctx: string) => any} o.parseState the core's parseTenantState with times in ms
 * @param {(url: string, init: object) => Promise<any>} o.send the clients' sender (timeout, size cap)
 * @param {{ get(ctx: string): Promise<unknown>, set(ctx: string, value: any, ttlMs: number): Promise<unknown> }} o.shared fleet storage
 *   (bounded calls that never throw; a miss is undefined)
 * @param {(ctx: string) => Promise<unknown>} o.forget drops the tenant's ticket everywhere
 * @param {(url: string, ctx: string) => boolean} [o.trusted] whether an endpoint read back from the
 *   store may receive the tenant's credential (an untrusted one makes the record a miss)
 * @param {() => number} o.now the client's clock
 * @param {(name: string, fields: object) => void} o.emit
 * @param {{ run(key: string, start: () => Promise<any>): Promise<any>, has(key: string): boolean }} o.coalescer per-tenant coalescing
 *   of lookups (io.cjs createCoalescer)
 */
function createTenantDirectory({ stateRequest, parseState, send, shared, forget, trusted, now, emit, coalescer }) {
  const local = new Map(); // ctx -> { record, readAt, troubleAt, lastLookup, reading }

  function entry(contextIdentifier) {
    let e = local.get(contextIdentifier);
    if (!e) {
      e = {
        record: emptyRecord(contextIdentifier),
        readAt: -Infinity,
        troubleAt: -Infinity,
        lastLookup: null,
        reading: null,
      };
      local.set(contextIdentifier, e);
    }
    return e;
  }

  /**
   * The tenant's record: the fleet's when `fresh` or when the local copy is old, else the local one.
   * Concurrent reads of one tenant share one store call.
   */
  async function current(contextIdentifier, { fresh = false } = {}) {
    const e = entry(contextIdentifier);
    if (fresh || now() - e.readAt >= LOCAL_FRESH_MS) {
      e.reading ??= (async () => {
        try {
          const value = await shared.get(contextIdentifier);
          e.readAt = now();
          const record = readRecord(value, contextIdentifier, trusted);
          if (record) e.record = merge(e.record, record);
        } finally {
          e.reading = null;
        }
      })();
      await e.reading;
    }
    return e.record;
  }

  // What the fleet knows and what this process knows: the newer of each fact.
  function merge(mine, theirs) {
    const out = { ...mine };
    if (theirs.endpoint && (!mine.endpoint || theirs.endpoint.learnedAt >= mine.endpoint.learnedAt))
      out.endpoint = theirs.endpoint;
    if (theirs.state && (!mine.state || theirs.state.checkedAt >= mine.state.checkedAt)) out.state = theirs.state;
    out.unavailableUntil = theirs.unavailableUntil;
    if (theirs.holdUntil >= mine.holdUntil) {
      out.holdUntil = theirs.holdUntil;
      out.holdStatus = theirs.holdStatus;
    }
    return out;
  }

  async function update(contextIdentifier, change) {
    // Read the fleet's copy first, so that a fact another process wrote is not overwritten by ours.
    const base = await current(contextIdentifier, { fresh: true });
    const record = { ...base, ...change(base) };
    entry(contextIdentifier).record = record;
    await shared.set(contextIdentifier, record, RECORD_TTL_MS);
    return record;
  }

  function boundedValidUntil(validUntil, t) {
    return Math.min(Math.max(validUntil, t + STATE_MIN_TTL_MS), t + STATE_MAX_TTL_MS);
  }

  /** @returns {any} ERR_TENANT_UNAVAILABLE with the state's detail fields */
  function unavailableError(state) {
    const validUntil = new Date(state.until);
    return fail(
      'ERR_TENANT_UNAVAILABLE',
      `the tenant is not running (state ${state.state}); calls fail fast until ${validUntil.toISOString()}`,
      {
        state: state.state,
        stateCode: state.stateCode,
        validUntil,
      },
    );
  }

  /** The state a not-running lookup answer leaves: marked until the record says, else until it stays trusted. */
  function downState(found) {
    const until = found.record.unavailableUntil || boundedValidUntil(found.parsed.validUntil, now());
    return { state: found.parsed.state, stateCode: found.parsed.stateCode, until };
  }

  /** unavailableError, told to the subscribers as `tenant:unavailable` before the caller throws or returns it. */
  function announceUnavailable(contextIdentifier, state) {
    const err = unavailableError(state);
    emit('tenant:unavailable', {
      contextIdentifier,
      state: err.state,
      stateCode: err.stateCode,
      validUntil: err.validUntil,
    });
    return err;
  }

  /** Asks the state API now (one request per tenant at a time) and records what it says. */
  function lookup(contextIdentifier, reason) {
    return coalescer.run(contextIdentifier, async () => {
      const e = entry(contextIdentifier);
      const started = Date.now();
      let parsed;
      try {
        const request = stateRequest(contextIdentifier);
        const res = await send(request.url, { method: request.method, headers: request.headers });
        parsed = parseState(res, contextIdentifier);
      } catch (err) {
        emit('tenant:state', {
          contextIdentifier,
          reason,
          durationMs: Date.now() - started,
          outcome: 'error',
          code: err?.code,
          status: err?.status,
        });
        throw err;
      }
      const t = now();
      emit('tenant:state', {
        contextIdentifier,
        reason,
        durationMs: Date.now() - started,
        outcome: 'ok',
        state: parsed.state,
        stateCode: parsed.stateCode,
        isRunning: parsed.isRunning,
        validUntil: new Date(parsed.validUntil),
      });
      const until = boundedValidUntil(parsed.validUntil, t);
      const state = {
        state: parsed.state,
        stateCode: parsed.stateCode ?? null,
        isRunning: parsed.isRunning,
        validUntil: parsed.validUntil,
        checkedAt: t,
      };
      e.lastLookup = parsed;
      const record = await update(contextIdentifier, (base) => {
        const change = { state, unavailableUntil: down(parsed, reason) ? until : 0 };
        const known = base.endpoint?.url;
        if (parsed.endpoint && !sameEndpoint(parsed.endpoint, known))
          change.endpoint = { url: parsed.endpoint, apiUrl: parsed.apiUrl ?? null, learnedAt: t };
        return change;
      });
      if (!parsed.isRunning && parsed.stateCode === DELETED) await forget(contextIdentifier);
      return { parsed, record };
    });
  }

  /** The last answer when it is recent enough, else a new lookup. Failures resolve to null. */
  /**
   * After trouble: the lookup under way (joined), or the answer of the last trouble lookup when it is
   * under LOOKUP_MIN_INTERVAL_MS old, else a new lookup. Failures resolve to null. An answer to
   * tenantState() does not count as recent: it was asked before the trouble.
   */
  async function recentOrLookup(contextIdentifier, reason) {
    const e = entry(contextIdentifier);
    if (!coalescer.has(contextIdentifier) && now() - e.troubleAt < LOOKUP_MIN_INTERVAL_MS) {
      // Asked moments ago: its answer (none when it failed), rather than hammering the state API.
      return e.lastLookup ? { parsed: e.lastLookup, record: e.record } : null;
    }
    if (!coalescer.has(contextIdentifier)) e.troubleAt = now();
    try {
      return await lookup(contextIdentifier, reason);
    } catch {
      return null;
    }
  }

  /**
   * Throws ERR_TENANT_UNAVAILABLE while the tenant is marked down. A mark that has run out is checked
   * with the state API before the call goes on (Running: cleared at once; still down: marked again).
   * `fresh`: read the fleet's record first (before an exchange).
   */
  async function assertAvailable(contextIdentifier, { fresh = false } = {}) {
    const marked = Boolean(entry(contextIdentifier).record.unavailableUntil);
    // While marked down, every call reads the fleet's record (one shared store read, no call to
    // SuperOffice), so a resume another process learnt reaches this one at once.
    const record = await current(contextIdentifier, { fresh: fresh || marked });
    if (!record.unavailableUntil) return;
    const t = now();
    const state = record.state ?? { state: 'Unknown', stateCode: null };
    if (t < record.unavailableUntil) {
      throw announceUnavailable(contextIdentifier, { ...state, until: record.unavailableUntil });
    }
    const found = await recentOrLookup(contextIdentifier, 'recheck');
    if (found && !found.parsed.isRunning) throw announceUnavailable(contextIdentifier, downState(found));
  }

  /**
   * After trouble that suggests the tenant is down (a 503, a refused connection, a denied exchange):
   * the state API, at most once per interval. Resolves to an ERR_TENANT_UNAVAILABLE error to throw
   * instead when the tenant is not running, else null (the caller keeps its own outcome).
   */
  async function suspect(contextIdentifier, reason) {
    const found = await recentOrLookup(contextIdentifier, reason);
    if (!found || !down(found.parsed, reason)) return null;
    return announceUnavailable(contextIdentifier, downState(found));
  }

  /**
   * The tenant answered 421 to a call sent to `usedEndpoint`. Resolves to the endpoint to re-base onto
   * (`{ url, apiUrl }`), or null when nothing newer is known (the 421 then goes back to the caller).
   * Another caller's or process's discovery is used without asking again.
   */
  async function misdirected(contextIdentifier, usedEndpoint) {
    const differs = (endpoint) => Boolean(endpoint) && !sameEndpoint(endpoint.url, usedEndpoint);
    const mine = entry(contextIdentifier).record.endpoint;
    if (differs(mine)) return mine;
    const fleet = (await current(contextIdentifier, { fresh: true })).endpoint;
    if (differs(fleet)) return fleet;
    const found = await recentOrLookup(contextIdentifier, 'misdirected');
    if (!found) return null;
    if (!found.parsed.isRunning) throw unavailableError(downState(found));
    const learnt = found.record.endpoint;
    if (!differs(learnt)) return null;
    emit('tenant:moved', {
      contextIdentifier,
      from: usedEndpoint ? originOf(usedEndpoint) : null,
      to: originOf(learnt.url),
    });
    return learnt;
  }

  /**
   * Where to call the tenant with `record` (a ticket record with webapiUrl/netserverUrl claims): the
   * claims, re-based onto the endpoint the state API named when one is known.
   */
  async function route(contextIdentifier, record) {
    const known = (await current(contextIdentifier)).endpoint;
    const claimed = endpointOfWebapiUrl(record.webapiUrl);
    if (!known || sameEndpoint(claimed, known.url)) {
      return {
        endpoint: claimed,
        webapiUrl: record.webapiUrl ?? null,
        netserverUrl: record.netserverUrl ?? null,
        moved: false,
      };
    }
    const from = claimed ?? (record.webapiUrl ? new URL(record.webapiUrl).origin : known.url);
    return {
      endpoint: known.url,
      webapiUrl: record.webapiUrl
        ? rebase(record.webapiUrl, from, known.url)
        : known.apiUrl
          ? `${withoutTrailingSlash(known.apiUrl)}/`
          : null,
      netserverUrl: record.netserverUrl ? rebase(record.netserverUrl, from, known.url) : null,
      moved: true,
    };
  }

  /** The state, from this process's or the fleet's record while it is valid, else from the state API. */
  async function state(contextIdentifier) {
    const record = await current(contextIdentifier);
    const t = now();
    const s = record.state;
    if (s && t < boundedValidUntil(s.validUntil, s.checkedAt)) {
      // A tenant that is not running may have no endpoint named; one known from before is not its state.
      const endpoint = s.isRunning ? (record.endpoint ?? null) : null;
      return {
        contextIdentifier,
        endpoint: endpoint?.url ?? null,
        apiUrl: endpoint?.apiUrl ?? null,
        state: s.state,
        stateCode: s.stateCode,
        isRunning: s.isRunning,
        validUntil: new Date(s.validUntil),
      };
    }
    const { parsed } = await lookup(contextIdentifier, 'asked');
    return { ...parsed, validUntil: new Date(parsed.validUntil) };
  }

  /**
   * Marks the tenant down (a notification said so) until `until`, or clears the mark (until 0).
   * @param {string} contextIdentifier
   * @param {{ state?: string, stateCode?: number, until: number }} mark
   */
  async function mark(contextIdentifier, { state: name, stateCode, until }) {
    const t = now();
    await update(contextIdentifier, () =>
      until
        ? {
            unavailableUntil: until,
            state: { state: name, stateCode, isRunning: false, validUntil: until, checkedAt: t },
          }
        : { unavailableUntil: 0, state: null },
    );
  }

  /** SuperOffice asked for a wait before the next exchange (Retry-After): the fleet holds until then. */
  async function hold(contextIdentifier, until, status) {
    await update(contextIdentifier, (base) =>
      base.holdUntil >= until ? {} : { holdUntil: until, holdStatus: status },
    );
  }

  /**
   * Before an exchange: the fleet's record, read now. Throws ERR_TENANT_UNAVAILABLE while the tenant is
   * down; resolves to the hold in force (`{ until, status }`, SuperOffice's Retry-After) or null.
   */
  async function beforeExchange(contextIdentifier) {
    await assertAvailable(contextIdentifier, { fresh: true });
    const record = entry(contextIdentifier).record;
    return record.holdUntil > now() ? { until: record.holdUntil, status: record.holdStatus } : null;
  }

  return {
    assertAvailable,
    beforeExchange,
    suspect,
    misdirected,
    route,
    state,
    mark,
    hold,
    localSize: () => local.size,
  };
}

const UNKNOWN = 0;
const DELETED = 3;

// Whether an answer means the tenant is down. After a denied exchange, Unknown ("the customer tenant is
// unknown, or there is something wrong with the environment") most often means a context identifier
// that names no tenant: the denial says more than the state, so the caller keeps it.
function down(parsed, reason) {
  if (parsed.isRunning) return false;
  return !(reason === 'denied' && parsed.stateCode === UNKNOWN);
}

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

module.exports = {
  createTenantDirectory,
  rebase,
  endpointOfWebapiUrl,
  readRecord,
  STATE_MIN_TTL_MS,
  STATE_MAX_TTL_MS,
  LOOKUP_MIN_INTERVAL_MS,
};
