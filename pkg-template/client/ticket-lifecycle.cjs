'use strict';
// The ticket lifecycle's decisions: for one tenant, which of use, refresh ahead, refresh now, serve
// stale, stand back, back off and exchange applies, as a pure function of what is known about the
// tenant (its record and back-off), the time and the event. No timers, no I/O, no randomness of its own
// (the jitter arrives with the event): the system-user client does what it answers, and the tests drive
// it with plain numbers, as quinn-proto drives its connection from `now`.
//
// Ticket lifetime: a record's times are ticket-use.cjs's. A system user ticket stays valid for 6 hours
// after its last use (sliding expiry); the JWT that carries it expires within minutes, but that exp only
// bounds the JWT (validated once, on receipt). A ticket only handed out (getTicket, authHeaders) is
// cached for a fixed ticketTtlSeconds from when it was obtained (default 5 hours, at most 6: safe, since
// an unused ticket is still valid 6 hours after issue); one that client.fetch or callAgent saw accepted
// slides to that use plus ticketTtlSeconds, renewed daily at the latest. When the server drops a ticket
// early (revocation, password change) the API answers 401, and invalidate() is the remedy.
//
// Stale-if-error: past its cache life a ticket is still handed out while its replacement cannot be had,
// until a minute (for clock differences) before 6 hours after its last use.
//
// Back-off: refreshes that fail back off exponentially, with jitter, counted across the fleet when the
// cache is shared: 30 s, 1, 2, 4, 8 min, then every 10 min (each times 0.5 to 1). A 20-minute outage
// costs a tenant about six attempts, and a refresh window of an hour still sees ten.
//
// Shape: `decide(tenant, now, event, settings)`. `tenant` is { record, retry, refreshing }; an event is
// an object with a `type`, a decision an object with an `action`. A new kind of event (a tenant that is
// unavailable, a rate limit's wait) is a new `case` with its own fields; the callers switch on `action`.

const use = require('./ticket-use.cjs');

const RETRY_BASE_MS = 30_000;
const RETRY_MAX_MS = 10 * 60_000;

/**
 * The settings the decisions read, from the client's options.
 * @param {{ ticketTtlSeconds: number, refreshAheadSeconds: number }} options
 */
function lifecycleSettings({ ticketTtlSeconds, refreshAheadSeconds }) {
  return Object.freeze({ ttlMs: ticketTtlSeconds * 1000, refreshAheadMs: refreshAheadSeconds * 1000 });
}

/** From then on the record is replaced before it is handed out (its cache life ends). */
function expiresAt(record, settings) {
  return use.expiresAt(record, settings.ttlMs);
}

/** Until then the record is used as it is. */
function freshUntil(record, settings) {
  return expiresAt(record, settings) - settings.refreshAheadMs;
}

/** Until then the record may still be handed out when its replacement cannot be had (stale-if-error). */
function usableUntil(record, settings) {
  return use.usableUntil(record, settings.ttlMs);
}

/** Whether a back-off state belongs to this record (a newer record starts afresh). */
function retryFor(retry, record) {
  return retry && record && retry.forObtainedAt === record.obtainedAt ? retry : null;
}

/** The back-off in force for `record`: this process's, or the fleet's when it has counted further. */
function mergeRetry(local, fleet, record) {
  const mine = retryFor(local, record);
  const theirs = retryFor(fleet, record);
  if (theirs && (!mine || theirs.attempt > mine.attempt)) return theirs;
  return mine;
}

/**
 * The delay before attempt `attempt + 1`: exponential, capped, with "equal jitter" (half fixed, half
 * `random` in [0, 1)), so a fleet that failed together does not retry together.
 */
function retryDelay(attempt, random) {
  const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempt - 1, 20));
  return delay / 2 + random * (delay / 2);
}

/**
 * What to do for a tenant.
 *
 * @param {{ record: any, retry?: any, refreshing?: boolean }} tenant the tenant's
 *   record (null: none), the back-off in force (`{ attempt, notBefore, forObtainedAt }` or null), and
 *   whether an exchange for it is under way in this process
 * @param {number} now epoch milliseconds
 * @param {{ type: string, [field: string]: unknown }} event
 *   - `request`: a caller wants the tenant's ticket. Answers `use` (the record as it is), `refreshAhead`
 *     (the record, and a refresh started in the background), `refresh` (await a refresh; on failure
 *     the record, stale), `serveStale` (the record; the back-off says not yet) or `exchange` (no usable
 *     record: the caller waits for a new ticket).
 *   - `found`: a record turned up while this process was about to exchange (another process's, under
 *     the fleet's lock). Answers `use` when it makes the exchange unnecessary, else `exchange`.
 *   - `refreshStart`: a refresh is about to exchange, with the fleet's back-off merged in and `held`
 *     (SuperOffice asked the fleet to wait, or the tenant is down). Answers `standBack` (not yet; not
 *     a failed attempt) or `exchange`.
 *   - `exchanged` with `record` (the new one): answers `store` with `keepMs` (how long the cache
 *     should keep it) and `clearRetry` (whether a back-off state is to be removed).
 *   - `used` with `ticket`: a call through the client got past the tenant's authentication with that
 *     ticket. Answers `slide` with the slid `record` and `keepMs` (write it), or `none`.
 *   - `exchangeFailed` with `random` in [0, 1): a refresh failed. Answers `backOff` with the next
 *     `retry` state and `keepMs` (how long the fleet should remember it).
 * @param {{ ttlMs: number, refreshAheadMs: number }} settings from lifecycleSettings
 */
function decide(tenant, now, event, settings) {
  const { record } = tenant;
  const retry = retryFor(tenant.retry ?? null, record);
  const waiting = Boolean(retry) && now < retry.notBefore;
  switch (event.type) {
    case 'request':
      if (!record || now >= usableUntil(record, settings)) return { action: 'exchange' };
      if (now < freshUntil(record, settings)) return { action: 'use' };
      if (now < expiresAt(record, settings)) {
        // In the refresh window: the still-valid ticket at once, renewed in the background unless a
        // renewal is under way or backing off.
        return { action: tenant.refreshing || waiting ? 'use' : 'refreshAhead' };
      }
      // Past its cache lifetime, inside its life at SuperOffice: replace it now if SuperOffice answers.
      return { action: waiting ? 'serveStale' : 'refresh' };
    case 'found':
      return { action: event.record && now < freshUntil(event.record, settings) ? 'use' : 'exchange' };
    case 'refreshStart':
      return { action: waiting || event.held ? 'standBack' : 'exchange' };
    case 'exchanged':
      // Kept for as long as it may serve (stale-if-error), not only for ticketTtlSeconds.
      return { action: 'store', keepMs: usableUntil(event.record, settings) - now, clearRetry: Boolean(tenant.retry) };
    case 'used': {
      // A proven use of `event.ticket` (an answer from past the tenant's authentication): the cached
      // record slides when it still holds that ticket (a dropped or replaced one is not brought back)
      // and its last written use is older than the write interval (ticket-use.cjs).
      if (!record || record.ticket !== event.ticket) return { action: 'none' };
      const slid = use.afterUse(record, now);
      return slid ? { action: 'slide', record: slid, keepMs: usableUntil(slid, settings) - now } : { action: 'none' };
    }
    case 'exchangeFailed': {
      const attempt = (retry ? retry.attempt : 0) + 1;
      const delay = retryDelay(attempt, event.random);
      // Kept past notBefore so the next failure, in whichever process, counts on from here.
      return {
        action: 'backOff',
        retry: { attempt, notBefore: now + delay, forObtainedAt: record.obtainedAt },
        keepMs: delay + RETRY_MAX_MS,
      };
    }
    default:
      throw new TypeError(`unknown lifecycle event ${event.type}`);
  }
}

module.exports = {
  RETRY_MAX_MS,
  lifecycleSettings,
  freshUntil,
  expiresAt,
  usableUntil,
  mergeRetry,
  decide,
};
