'use strict';
// The client's side of a TicketCache: every call bounded by a timeout, failures reported and never
// thrown at a caller, a local copy of each tenant's last record for when the store is away, and the
// fleet-wide single flight (lock, wait, take over) when the store offers locks.
//
// The TicketCache contract (index.d.ts spells it out for people writing their own store):
//   get(key) / set(key, value, ttlMs) / delete(key)          required; values are plain JSON records
//   lock(key, ttlMs) -> token | null                            optional, with unlock; take a lock that
//   unlock(key, token) -> boolean                               expires by itself; release only by token
//   extendLock(key, token, ttlMs) -> boolean                    optional; the holder keeps it while working
//   deleteIfTicket(key, ticket) -> boolean                      optional; atomic "delete if still this ticket"
// A plain get/set/delete store works: locks are then per process (coalescing) and invalidate compares
// and deletes in two steps.

const { fail } = require('./io.cjs');

// After a store failure, leave the store alone this long (local work only), then try again: a store that
// is down costs each caller nothing, and sharing resumes by itself.
const STORE_RETRY_MS = 5_000;
// A waiter polls the record (and the lock) with a growing interval.
const POLL_MIN_MS = 20;
const POLL_MAX_MS = 250;

const sleep = (ms) =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * @param {object} o
 * @param {object} o.cache the TicketCache
 * @param {(ctx: string) => string} o.keyFor the store key of a tenant's record
 * @param {(ctx: string) => string} o.retryKeyFor the store key of a tenant's retry record
 * @param {(value: unknown, ctx: string) => Promise<object|null>} o.accept validates what the store
 *   returns (asynchronously: it checks the record's authentication tag)
 * @param {number} o.callTimeoutMs bound on each store call
 * @param {number} o.waitMs how long a caller waits for another process's exchange
 * @param {number} o.lockTtlMs how long a lock lives without its holder renewing it
 * @param {(error: unknown, info: object) => void} o.report
 */
function createTicketStore({ cache, keyFor, retryKeyFor, accept, callTimeoutMs, waitMs, lockTtlMs, report }) {
  const local = new Map(); // ctx -> last record seen or written: the fallback while the store is away
  const canLock = typeof cache.lock === 'function' && typeof cache.unlock === 'function';
  let storeAwayUntil = -Infinity; // real time: waits and timeouts are real whatever the client's clock

  // Runs one store call: bounded, and a failure opens the breaker and is reported. Resolves to
  // { ok: true, value } or { ok: false }.
  // `always`: a write or a release is tried even while the store is thought away (still bounded): it is
  // what the rest of the fleet waits for.
  async function call(during, contextIdentifier, fn, { always = false } = {}) {
    if (!always && Date.now() < storeAwayUntil) return { ok: false };
    let timer;
    try {
      const started = Promise.resolve().then(fn);
      started.catch(() => {}); // may settle after the timeout
      const timeout = new Promise((_, reject) => {
        // A second, zero-delay timer: an answer already read from the socket (handled before the next
        // timers phase) wins over a timer that fired late. Not setImmediate: Workers and browsers lack it.
        timer = setTimeout(
          () =>
            setTimeout(
              () => reject(fail('ERR_TIMEOUT', `the ticket cache did not answer within ${callTimeoutMs} ms`)),
              0,
            ),
          callTimeoutMs,
        );
      });
      return { ok: true, value: await Promise.race([started, timeout]) };
    } catch (err) {
      storeAwayUntil = Date.now() + STORE_RETRY_MS;
      report(err, { contextIdentifier, during });
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }

  function remember(contextIdentifier, record) {
    const known = local.get(contextIdentifier);
    if (!known || known.obtainedAt <= record.obtainedAt) local.set(contextIdentifier, record);
  }

  /** The tenant's record: the store's when it answers (a miss is a miss), else the local copy. */
  async function read(contextIdentifier) {
    const got = await call('cache.get', contextIdentifier, () => cache.get(keyFor(contextIdentifier)));
    if (!got.ok) return accept(local.get(contextIdentifier), contextIdentifier);
    const record = await accept(got.value, contextIdentifier);
    if (record) remember(contextIdentifier, record);
    return record;
  }

  async function write(contextIdentifier, record, ttlMs) {
    remember(contextIdentifier, record);
    await call('cache.set', contextIdentifier, () => cache.set(keyFor(contextIdentifier), record, ttlMs), {
      always: true,
    });
  }

  /**
   * Forget the tenant's record (only while it holds `ticket`, when given). Resolves true when the store
   * or the local copy had it.
   */
  async function forget(contextIdentifier, ticket) {
    const mine = local.get(contextIdentifier);
    const localHit = Boolean(mine) && (ticket === undefined || mine.ticket === ticket);
    if (localHit) local.delete(contextIdentifier);
    const key = keyFor(contextIdentifier);
    let shared;
    if (ticket === undefined) {
      // delete() of a missing key says nothing: count it as removed, as before.
      shared = await call('cache.delete', contextIdentifier, async () => {
        await cache.delete(key);
        return true;
      });
    } else if (typeof cache.deleteIfTicket === 'function') {
      shared = await call('cache.deleteIfTicket', contextIdentifier, () => cache.deleteIfTicket(key, ticket));
    } else {
      // A store without an atomic compare: read, compare, delete. A ticket written between the two
      // steps is lost, which costs one exchange, never a wrong ticket.
      shared = await call('cache.delete', contextIdentifier, async () => {
        const record = await accept(await cache.get(key), contextIdentifier);
        if (!record || record.ticket !== ticket) return false;
        await cache.delete(key);
        return true;
      });
    }
    return localHit || (shared.ok && shared.value === true);
  }

  /** The fleet's retry state for a tenant: { attempt, notBefore, forObtainedAt } or null. */
  async function readRetry(contextIdentifier) {
    const got = await call('cache.get', contextIdentifier, () => cache.get(retryKeyFor(contextIdentifier)));
    const v = got.ok ? got.value : null;
    if (!v || typeof v !== 'object' || v.v !== 1) return null;
    if (!Number.isSafeInteger(v.attempt) || v.attempt < 1 || v.attempt > 1000) return null;
    if (!Number.isFinite(v.notBefore) || !Number.isFinite(v.forObtainedAt)) return null;
    return { attempt: v.attempt, notBefore: v.notBefore, forObtainedAt: v.forObtainedAt };
  }

  async function writeRetry(contextIdentifier, state, ttlMs) {
    await call('cache.set', contextIdentifier, () =>
      cache.set(retryKeyFor(contextIdentifier), { v: 1, ...state }, ttlMs),
    );
  }

  async function clearRetry(contextIdentifier) {
    await call('cache.delete', contextIdentifier, () => cache.delete(retryKeyFor(contextIdentifier)));
  }

  /** Another value of the tenant's under `key` (the tenant directory's record): bounded, never throws. */
  async function readValue(key, contextIdentifier) {
    const got = await call('cache.get', contextIdentifier, () => cache.get(key));
    return got.ok ? got.value : undefined;
  }

  async function writeValue(key, contextIdentifier, value, ttlMs) {
    await call('cache.set', contextIdentifier, () => cache.set(key, value, ttlMs), { always: true });
  }

  async function tryLock(contextIdentifier) {
    const got = await call('cache.lock', contextIdentifier, () => cache.lock(keyFor(contextIdentifier), lockTtlMs));
    if (!got.ok) return { ok: false };
    return { ok: true, token: typeof got.value === 'string' && got.value !== '' ? got.value : null };
  }

  // The holder: check once more (someone may have finished between our read and our lock), keep the
  // lock alive while working, release it by token whatever happens.
  async function holdAndWork(contextIdentifier, token, done, work) {
    const key = keyFor(contextIdentifier);
    try {
      const again = await call('cache.get', contextIdentifier, () => cache.get(key));
      const record = again.ok ? await accept(again.value, contextIdentifier) : null;
      if (record && done(record)) {
        remember(contextIdentifier, record);
        return record;
      }
      let renew = null;
      if (typeof cache.extendLock === 'function') {
        renew = setInterval(
          () => {
            call('cache.extendLock', contextIdentifier, () => cache.extendLock(key, token, lockTtlMs), {
              always: true,
            });
          },
          Math.max(10, Math.floor(lockTtlMs / 3)),
        );
        // Node's timers can be unref'd (the renewal alone keeps no process alive); the web's are numbers.
        /** @type {{ unref?: () => void }} */ (/** @type {unknown} */ (renew)).unref?.();
      }
      try {
        return await work();
      } finally {
        if (renew) clearInterval(renew);
      }
    } finally {
      await call('cache.unlock', contextIdentifier, () => cache.unlock(key, token), { always: true });
    }
  }

  /**
   * One exchange per tenant across every process sharing the store. `done(record)` says whether a
   * record makes the work unnecessary. With `wait`, a process that finds the lock taken waits (at most
   * waitMs) for the holder's record, taking over when the lock frees; without, it resolves to null.
   * When the store cannot lock (none, or it failed), the work runs here.
   */
  async function singleFlight(contextIdentifier, { done, work, wait }) {
    if (!canLock) return work();
    const first = await tryLock(contextIdentifier);
    if (!first.ok) return work();
    if (first.token) return holdAndWork(contextIdentifier, first.token, done, work);
    if (!wait) return null;
    const deadline = Date.now() + waitMs;
    let interval = POLL_MIN_MS;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      await sleep(Math.min(interval, remaining));
      interval = Math.min(interval * 2, POLL_MAX_MS);
      const got = await call('cache.get', contextIdentifier, () => cache.get(keyFor(contextIdentifier)));
      if (!got.ok) return work();
      const record = await accept(got.value, contextIdentifier);
      if (record && done(record)) {
        remember(contextIdentifier, record);
        return record;
      }
      const next = await tryLock(contextIdentifier);
      if (!next.ok) return work();
      if (next.token) return holdAndWork(contextIdentifier, next.token, done, work);
    }
    // The holder is alive (it keeps renewing) but slow: do not keep the caller waiting any longer.
    report(fail('ERR_TIMEOUT', `another process held the exchange lock for more than ${waitMs} ms; exchanging here`), {
      contextIdentifier,
      during: 'cache.lock',
    });
    return work();
  }

  return {
    read,
    write,
    forget,
    readRetry,
    writeRetry,
    clearRetry,
    readValue,
    writeValue,
    singleFlight,
    localSize: () => local.size,
  };
}

module.exports = { createTicketStore, STORE_RETRY_MS };
