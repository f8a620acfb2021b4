'use strict';
// Where the system-user client's tickets come from: the cache, one exchange per tenant (coalesced in
// this process, single-flight across the fleet through the store), refreshes ahead of expiry and
// stale-if-error with back-off. What to do when is ticket-lifecycle.cjs's decision; this module carries
// it out (I/O, coalescing, the back-off's memory) and signs, sends and parses the exchange.

const core = require('../core/index.cjs');
const { fail, createCoalescer } = require('./io.cjs');
const { decide, mergeRetry, usableUntil } = require('./ticket-lifecycle.cjs');
const { toRecord } = require('./ticket-record.cjs');
const { retryAfterOf } = require('./retry-after.cjs');

const NETSERVER_URL_CLAIM = 'http://schemes.superoffice.net/identity/netserver_url';
const WEBAPI_URL_CLAIM = 'http://schemes.superoffice.net/identity/webapi_url';

/**
 * @param {object} o
 * @param {() => number} o.now the client's clock
 * @param {object} o.store the ticket store (ticket-store.cjs)
 * @param {object} o.keySource the keys tokens are checked with (io.cjs)
 * @param {(url: string, init: object) => Promise<object>} o.send fetch with timeout and size cap
 * @param {object} o.exchange what an exchange needs: { where, transport, applicationToken, privateKey, leewaySeconds }
 * @param {(contextIdentifier: string, given?: string) => Promise<string>} o.systemUserTokenFor
 * @param {(url: string) => boolean} o.trustedUrl whether a tenant URL a ticket names may be sent credentials
 * @param {(contextIdentifier: string, record: object) => Promise<object>} o.seal the record with its tag
 * @param {{ ttlMs: number, refreshAheadMs: number }} o.settings the lifecycle's settings
 * @param {(error: unknown, info: object) => void} o.report background failures
 * @param {(name: string, fields: object) => void} o.emit the client's events
 * @param {object} o.directory what the fleet knows of each tenant (tenant-directory.cjs)
 */
function createTicketSource({
  now,
  store,
  keySource,
  send,
  exchange: how,
  systemUserTokenFor,
  trustedUrl,
  seal,
  settings,
  report,
  emit,
  directory,
}) {
  const lookups = createCoalescer(); // contextIdentifier -> Promise<record>: cache read plus, if needed, exchange
  const exchanges = createCoalescer(); // contextIdentifier -> Promise<record|null>: one exchange (or refresh) per tenant
  const retries = new Map(); // contextIdentifier -> { attempt, notBefore, forObtainedAt }, after failed refreshes

  // A record found under the fleet's lock makes the exchange unnecessary when it is fresh.
  const isFresh = (found) =>
    decide({ record: null }, now(), { type: 'found', record: found }, settings).action === 'use';

  // contextIdentifier: the core refuses a token whose ctx names another tenant than the one asked for.
  function parse(res, keySet, contextIdentifier, secrets) {
    const parseOptions = { keys: keySet, now: now(), contextIdentifier, redact: secrets };
    if (how.leewaySeconds !== undefined) parseOptions.leewaySeconds = how.leewaySeconds;
    return core.parseTicketResponse(res, parseOptions);
  }

  async function exchange(contextIdentifier, givenToken, reason) {
    const systemUserToken = await systemUserTokenFor(contextIdentifier, givenToken);
    // Keys first: if they cannot be had, no credential record is created on the server for nothing.
    const keySet = await keySource.current();
    const signedSystemToken = core.signToken(systemUserToken, how.privateKey, { now: now() });
    const request = core.buildTicketRequest({
      ...how.where,
      transport: how.transport,
      applicationToken: how.applicationToken,
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
      const secrets = [how.applicationToken, systemUserToken, signedSystemToken];
      const result = await keySource.parseWith(keySet, (set) => parse(res, set, contextIdentifier, secrets));
      // A genuine token names the tenant's URLs; one naming a host outside SuperOffice's (or the
      // baseUrl's) is refused rather than cached, so no credential is ever sent there.
      for (const [url, claim] of [
        [result.webapiUrl, WEBAPI_URL_CLAIM],
        [result.netserverUrl, NETSERVER_URL_CLAIM],
      ]) {
        if (url !== null && !trustedUrl(url)) {
          throw fail(
            'ERR_JWT_CLAIM_INVALID',
            `JWT claim ${claim}: not an https URL on SuperOffice's domain (or the baseUrl's host)`,
            { claim },
          );
        }
      }
      const record = await seal(contextIdentifier, toRecord(result, now()));
      const { keepMs } = decide({ record: null }, now(), { type: 'exchanged', record }, settings);
      await store.write(contextIdentifier, record, keepMs);
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

  // The back-off in force for refreshing `record`, from this process's memory or (shared) the fleet's.
  async function retryState(contextIdentifier, record, { shared }) {
    let state = mergeRetry(retries.get(contextIdentifier), null, record);
    if (!state) retries.delete(contextIdentifier);
    if (shared && !(state && now() < state.notBefore)) {
      const merged = mergeRetry(state, await store.readRetry(contextIdentifier), record);
      if (merged !== state) {
        state = merged;
        retries.set(contextIdentifier, merged);
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
      const retry = await retryState(contextIdentifier, record, { shared: true });
      // SuperOffice asked the fleet to wait, or the tenant is down: the ticket in hand keeps serving (or
      // callers fail fast), and this is not a failed attempt.
      let held = false;
      if (!(retry && now() < retry.notBefore)) {
        try {
          held = Boolean(await directory.beforeExchange(contextIdentifier));
        } catch {
          held = true;
        }
      }
      const start = decide({ record, retry }, now(), { type: 'refreshStart', held }, settings);
      if (start.action === 'standBack') return null;
      return store.singleFlight(contextIdentifier, {
        done: isFresh,
        wait: false,
        work: async () => {
          try {
            const fresh = await exchange(contextIdentifier, givenToken, 'refresh');
            if (retries.delete(contextIdentifier)) await store.clearRetry(contextIdentifier);
            return fresh;
          } catch (err) {
            const latest = await retryState(contextIdentifier, record, { shared: true });
            const event = { type: 'exchangeFailed', random: Math.random() };
            const { retry: next, keepMs } = decide({ record, retry: latest }, now(), event, settings);
            retries.set(contextIdentifier, next);
            await store.writeRetry(contextIdentifier, next, keepMs);
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
          done: isFresh,
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

  const reportRefreshError = (contextIdentifier) => (err) => report(err, { contextIdentifier, during: 'refresh' });

  async function lookup(contextIdentifier, givenToken) {
    const record = await store.read(contextIdentifier);
    const tenant = {
      record,
      retry: retries.get(contextIdentifier) ?? null,
      refreshing: exchanges.has(contextIdentifier),
    };
    const hit = () => emit('cache:hit', { contextIdentifier, ageMs: now() - record.obtainedAt });
    // Past its cache life, inside its life at SuperOffice: handed out while its replacement cannot be had.
    const stale = () => {
      emit('ticket:stale', {
        contextIdentifier,
        ageMs: now() - record.obtainedAt,
        usableUntil: new Date(usableUntil(record, settings)),
      });
      return record;
    };
    switch (decide(tenant, now(), { type: 'request' }, settings).action) {
      case 'use':
        hit();
        return record;
      case 'refreshAhead':
        hit();
        // In the refresh window: answer with the still-valid ticket at once and renew in the background.
        refresh(contextIdentifier, givenToken, record).catch(reportRefreshError(contextIdentifier));
        return record;
      case 'serveStale':
        return stale();
      case 'refresh':
        // Replace it now if SuperOffice answers; if it does not (or another process is at it, or the
        // fleet was asked to wait), hand out this one (stale-if-error). A tenant found down is an error.
        try {
          return (await refresh(contextIdentifier, givenToken, record)) ?? stale();
        } catch (err) {
          if (err && err.code === 'ERR_TENANT_UNAVAILABLE') throw err;
          reportRefreshError(contextIdentifier)(err);
          return stale();
        }
      default:
        return obtain(contextIdentifier, givenToken);
    }
  }

  return {
    /** The tenant's record: cached, refreshed or newly exchanged; one lookup per tenant at a time. */
    async resolve(contextIdentifier, givenToken) {
      // Every way to a ticket fails fast while the tenant is known to be down.
      await directory.assertAvailable(contextIdentifier);
      return lookups.run(contextIdentifier, () => lookup(contextIdentifier, givenToken));
    },
    /** Forget a tenant's ticket if it is still the cached one; without a ticket, whatever is cached. */
    drop(contextIdentifier, ticket) {
      // A lookup in flight may be about to hand out the ticket being forgotten.
      lookups.delete(contextIdentifier);
      // With a ticket: removed only while it is still that one, atomically where the store can.
      return store.forget(contextIdentifier, ticket);
    },
  };
}

module.exports = { createTicketSource };
