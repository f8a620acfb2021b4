'use strict';
// The default TicketCache: process memory.

const { INSPECT } = require('../inspect.cjs');
const { readOptions, toClock } = require('../arguments.cjs');

const MEMORY_CACHE_OPTIONS = ['now'];

/**
 * The default store: process memory. Async like any shared store (Redis, memcached) so the client
 * treats both the same. Entries drop out after their TTL, on the given clock (the client passes its own,
 * so an injected clock governs the whole client).
 */
function createMemoryCache(options = {}) {
  const clock = toClock(readOptions(options, MEMORY_CACHE_OPTIONS).now);
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

module.exports = { createMemoryCache };
