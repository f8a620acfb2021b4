'use strict';
// A proven use (an answer from past the tenant's authentication) slides the cached ticket's life
// (ticket-use.cjs has the arithmetic, ticket-lifecycle.cjs the `used` decision): written at most every
// few minutes, and only while the cache still holds that ticket.

const { decide, expiresAt, usableUntil } = require('./ticket-lifecycle.cjs');

/**
 * `markUsed(contextIdentifier, record)`: returns at once; the cache read and write run in the
 * background, one at a time per tenant, their failures reported as `cache.set`.
 */
function createTicketSlider({ now, store, seal, lifecycle, emit, report }) {
  const sliding = new Set();
  return function markUsed(contextIdentifier, record) {
    const t = now();
    const used = { type: 'used', ticket: record.ticket };
    // Decided first on the record in hand (no store read while the last written use is recent).
    if (decide({ record }, t, used, lifecycle).action !== 'slide' || sliding.has(contextIdentifier)) return;
    sliding.add(contextIdentifier);
    (async () => {
      const cached = await store.read(contextIdentifier);
      const decision = decide({ record: cached }, t, used, lifecycle);
      if (decision.action !== 'slide') return;
      // The tag covers every field, usedAt included: the slid record is sealed anew.
      const next = await seal(contextIdentifier, decision.record);
      await store.write(contextIdentifier, next, decision.keepMs);
      emit('ticket:slid', {
        contextIdentifier,
        expiresAt: new Date(expiresAt(next, lifecycle)),
        usableUntil: new Date(usableUntil(next, lifecycle)),
      });
    })()
      .catch((err) => report(err, { contextIdentifier, during: 'cache.set' }))
      .finally(() => sliding.delete(contextIdentifier));
  };
}

module.exports = { createTicketSlider };
