'use strict';
// Where the system-user client's tickets come from: the cache, one exchange per tenant (coalesced in
// this process, single-flight across the fleet through the store), refreshes ahead of expiry and
// stale-if-error with back-off. What to do when is ticket-lifecycle.cjs's decision; this module carries
// it out (I/O, coalescing, the back-off's memory) and signs, sends and parses the exchange.

const core = require('../core/index.cjs');
const { fail, createCoalescer } = require('./io.cjs');
const { decide, mergeRetry } = require('./ticket-lifecycle.cjs');
const { toRecord } = require('./ticket-record.cjs');

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

  async function exchange(contextIdentifier, givenToken) {
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
    const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
    // On an unknown key: same response, new keys. The JWT is still within its lifetime, and a second
    // exchange would create a second credential record.
    const secrets = [how.applicationToken, systemUserToken, signedSystemToken];
    const result = await keySource.parseWith(keySet, (set) => parse(res, set, contextIdentifier, secrets));
    // A genuine token names the tenant's URLs; one naming a host outside SuperOffice's (or the baseUrl's)
    // is refused rather than cached, so no credential is ever sent there.
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
    return record;
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
      if (decide({ record, retry }, now(), { type: 'refreshStart' }, settings).action === 'standBack') return null;
      return store.singleFlight(contextIdentifier, {
        done: isFresh,
        wait: false,
        work: async () => {
          try {
            const fresh = await exchange(contextIdentifier, givenToken);
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
          work: () => exchange(contextIdentifier, givenToken),
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
    switch (decide(tenant, now(), { type: 'request' }, settings).action) {
      case 'use':
      case 'serveStale':
        return record;
      case 'refreshAhead':
        // In the refresh window: answer with the still-valid ticket at once and renew in the background.
        refresh(contextIdentifier, givenToken, record).catch(reportRefreshError(contextIdentifier));
        return record;
      case 'refresh':
        // Past its cache lifetime but inside its life at SuperOffice: replace it now if SuperOffice
        // answers; if it does not (or another process is at it), hand out this one (stale-if-error).
        try {
          return (await refresh(contextIdentifier, givenToken, record)) ?? record;
        } catch (err) {
          reportRefreshError(contextIdentifier)(err);
          return record;
        }
      default:
        return obtain(contextIdentifier, givenToken);
    }
  }

  return {
    /** The tenant's record: cached, refreshed or newly exchanged; one lookup per tenant at a time. */
    resolve(contextIdentifier, givenToken) {
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
