'use strict';
// The duplicate window of the webhook receiver: which EventIds were seen lately. SuperOffice sends the
// same EventId on each of a delivery cycle's three attempts (docs/en/automation/webhook/notification.md
// in SuperOfficeDocs/superoffice-docs), so an event whose 200 got lost arrives again; the receiver
// answers the repeat 200 without handing it to onEvent a second time.
//
// A store is two operations, so a fleet can share one (superoffice-auth/redis has it on Redis):
//   claim(eventId, ttlMs) -> true when the id was not claimed within its window (then it is, for ttlMs)
//   release(eventId)      -> gives a claim back, when handling the event failed and a retry must run

const { invalidArgument } = require('../errors.cjs');
const { readOptions } = require('../arguments.cjs');

const DEFAULT_MAX_ENTRIES = 10_000;
const OPTION_NAMES = ['maxEntries', 'now'];

/**
 * An in-process store with bounded memory: at most `maxEntries` ids (the oldest claim goes first when
 * full), each forgotten when its window ends.
 * @param {{ maxEntries?: number, now?: () => number }} [options]
 */
function createMemoryWebhookEventStore(options = {}) {
  readOptions(options, OPTION_NAMES, { entry: 'createMemoryWebhookEventStore' });
  const { maxEntries = DEFAULT_MAX_ENTRIES, now = Date.now } = options;
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 10_000_000) {
    throw invalidArgument('maxEntries must be an integer from 1 to 10000000');
  }
  if (typeof now !== 'function') throw invalidArgument('now must be a function returning epoch milliseconds');
  // eventId -> expiry (epoch ms), in claim order: the first entry is always the oldest claim.
  const claims = new Map();

  function forgetExpired(t) {
    for (const [id, expiresAt] of claims) {
      if (expiresAt > t) break;
      claims.delete(id);
    }
  }

  return {
    claim(eventId, ttlMs) {
      const t = now();
      forgetExpired(t);
      const expiresAt = claims.get(eventId);
      if (expiresAt !== undefined && expiresAt > t) return false;
      claims.delete(eventId);
      if (claims.size >= maxEntries) claims.delete(claims.keys().next().value);
      claims.set(eventId, t + ttlMs);
      return true;
    },
    release(eventId) {
      claims.delete(eventId);
    },
    get size() {
      return claims.size;
    },
  };
}

module.exports = { createMemoryWebhookEventStore };
