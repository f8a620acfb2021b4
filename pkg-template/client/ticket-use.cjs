'use strict';
// Tickets kept while in use. SuperOffice: the system user ticket "is valid for 6 hours, with a sliding
// expiration each time it is used. Therefore, only obtain a new one when necessary, for example when a
// request results in a 401 Unauthorized or the cache times out" (SuperOfficeDocs/superoffice-docs,
// docs/en/api/authentication/online/auth-application/index.md), and every exchange creates a
// credential record in the tenant's database.
//
// authHeaders() and getTicket() hand a ticket out and never learn whether it was used, so those keep
// the fixed ticketTtlSeconds from when the ticket was obtained. client.fetch, callAgent and the
// @superoffice/webapi adapter see the answer: one that got past authentication proves the ticket was
// used at that moment, so its cached life slides to that use plus ticketTtlSeconds (6 hours less the
// margin the caller chose, 1 hour by default) and its stale-if-error life to that use plus 6 hours
// less a minute.
//
// Decisions:
// - The use is written to the cache (`usedAt` in the record) at most every SLIDE_WRITE_INTERVAL_MS
//   (5 minutes) per ticket: a cache write per call would cost more than the exchanges it saves, and
//   five minutes is nothing against a margin of an hour.
// - It is written only while the cache still holds that ticket (read, compare, write): a ticket dropped
//   after a 401 is not brought back by a slower success that used it a moment before.
// - A ticket is renewed at the latest MAX_TICKET_AGE_MS (24 hours) after it was obtained, used or not:
//   SuperOffice documents no absolute lifetime, and a daily exchange bounds how stale the claims it
//   carries (endpoint URLs, isAdministrator) can get, for the price of one credential record a day.
// These functions are pure: a record and a time in, a record or a time out.

const { TICKET_LIFETIME_MS: SIX_HOURS_MS } = require('../core/wasm.cjs');
const SLIDE_WRITE_INTERVAL_MS = 5 * 60 * 1000;
const MAX_TICKET_AGE_MS = 24 * 60 * 60 * 1000;
// Stale-if-error: SuperOffice's 6 hours from the last use, less this margin for clock differences.
const USABLE_MARGIN_MS = 60_000;

/** When the ticket was last known to be good at SuperOffice: obtained, or proven used. */
function lastUse(record) {
  return Number.isFinite(record.usedAt) && record.usedAt > record.obtainedAt ? record.usedAt : record.obtainedAt;
}

/** The end of the record's cache life: ttlMs after its last use, and never past the daily renewal. */
function expiresAt(record, ttlMs) {
  return Math.min(lastUse(record) + ttlMs, record.obtainedAt + MAX_TICKET_AGE_MS);
}

/** Until when it may still be handed out while its replacement cannot be had (stale-if-error). */
function usableUntil(record, ttlMs) {
  return Math.max(expiresAt(record, ttlMs), lastUse(record) + SIX_HOURS_MS - USABLE_MARGIN_MS);
}

/** The record after a proven use at `t`, or null when the last written use is recent enough. */
function afterUse(record, t) {
  if (t - lastUse(record) < SLIDE_WRITE_INTERVAL_MS) return null;
  return { ...record, usedAt: t };
}

module.exports = {
  lastUse,
  expiresAt,
  usableUntil,
  afterUse,
  SLIDE_WRITE_INTERVAL_MS,
  MAX_TICKET_AGE_MS,
  SIX_HOURS_MS,
  USABLE_MARGIN_MS,
};
