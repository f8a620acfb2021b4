// The ticket lifecycle's decisions, driven without timers or I/O: plain records, plain times, plain
// events, as the system-user client hands them over. The module is the installed package's own
// (client/ticket-lifecycle.cjs), read by path: it is not an export.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('superoffice-auth/package.json'));
const { decide, lifecycleSettings, mergeRetry, freshUntil, expiresAt, usableUntil } = require(
  join(packageDir, 'client', 'ticket-lifecycle.cjs'),
);

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const T0 = Date.UTC(2026, 11, 6, 9, 0);
// The client's defaults: cached for 5 hours, refreshed from 5 minutes before.
const settings = lifecycleSettings({ ticketTtlSeconds: 5 * 60 * 60, refreshAheadSeconds: 5 * 60 });
const record = { obtainedAt: T0, ticket: '7T:abc' };
const at = (ms) => T0 + ms;
const action = (tenant, now, event) => decide(tenant, now, event, settings).action;
const request = { type: 'request' };

test("the record's times follow from when it was obtained", () => {
  assert.equal(freshUntil(record, settings), at(5 * H - 5 * MIN));
  assert.equal(expiresAt(record, settings), at(5 * H));
  // Stale-if-error reaches to 6 hours after it was obtained, less a minute for clock differences.
  assert.equal(usableUntil(record, settings), at(6 * H - MIN));
  // With a TTL of the whole 6 hours, the cache lifetime is the bound.
  const long = lifecycleSettings({ ticketTtlSeconds: 6 * 60 * 60, refreshAheadSeconds: 60 });
  assert.equal(usableUntil(record, long), at(6 * H));
});

test('request: use, refresh ahead, refresh now, serve stale, exchange', () => {
  const waiting = { attempt: 2, notBefore: at(5 * H + 10 * MIN), forObtainedAt: T0 };
  const other = { ...waiting, forObtainedAt: T0 - H };
  const rows = [
    // [what, tenant, time, expected]
    ['no record', { record: null }, at(0), 'exchange'],
    ['fresh', { record }, at(0), 'use'],
    ['last fresh millisecond', { record }, at(5 * H - 5 * MIN - 1), 'use'],
    ['refresh window', { record }, at(5 * H - 5 * MIN), 'refreshAhead'],
    ['refresh window, an exchange under way', { record, refreshing: true }, at(5 * H - MIN), 'use'],
    ['refresh window, backing off', { record, retry: { ...waiting, notBefore: at(5 * H) } }, at(5 * H - MIN), 'use'],
    ['refresh window, back-off of an older record', { record, retry: other }, at(5 * H - MIN), 'refreshAhead'],
    ['past its cache lifetime', { record }, at(5 * H), 'refresh'],
    ['past its cache lifetime, backing off', { record, retry: waiting }, at(5 * H + MIN), 'serveStale'],
    ['past its cache lifetime, back-off over', { record, retry: waiting }, at(5 * H + 10 * MIN), 'refresh'],
    ['past its cache lifetime, an exchange under way', { record, refreshing: true }, at(5 * H + MIN), 'refresh'],
    ['last usable millisecond', { record, retry: waiting }, at(6 * H - MIN - 1), 'refresh'],
    ['no longer usable', { record }, at(6 * H - MIN), 'exchange'],
  ];
  for (const [what, tenant, now, expected] of rows) assert.equal(action(tenant, now, request), expected, what);
});

test('found, refreshStart: a record from elsewhere, and the back-off before a refresh', () => {
  assert.equal(action({ record: null }, at(MIN), { type: 'found', record }), 'use');
  assert.equal(action({ record: null }, at(5 * H - 5 * MIN), { type: 'found', record }), 'exchange');
  assert.equal(action({ record: null }, at(0), { type: 'found', record: null }), 'exchange');
  const retry = { attempt: 1, notBefore: at(5 * H + MIN), forObtainedAt: T0 };
  assert.equal(action({ record, retry }, at(5 * H), { type: 'refreshStart' }), 'standBack');
  assert.equal(action({ record, retry }, at(5 * H + MIN), { type: 'refreshStart' }), 'exchange');
  assert.equal(
    action({ record, retry: { ...retry, forObtainedAt: 1 } }, at(5 * H), { type: 'refreshStart' }),
    'exchange',
  );
  assert.equal(action({ record }, at(5 * H), { type: 'refreshStart' }), 'exchange');
  // SuperOffice asked the fleet to wait (Retry-After), or the tenant is down: not a failed attempt.
  assert.equal(action({ record }, at(5 * H), { type: 'refreshStart', held: true }), 'standBack');
});

test('exchanged: kept for as long as it may serve; a back-off state is cleared', () => {
  const fresh = { obtainedAt: at(5 * H), ticket: '7T:new' };
  assert.deepEqual(decide({ record }, at(5 * H), { type: 'exchanged', record: fresh }, settings), {
    action: 'store',
    keepMs: 6 * H - MIN,
    clearRetry: false,
  });
  const retry = { attempt: 3, notBefore: at(5 * H), forObtainedAt: T0 };
  assert.equal(decide({ record, retry }, at(5 * H), { type: 'exchanged', record: fresh }, settings).clearRetry, true);
});

test('exchangeFailed: exponential back-off with equal jitter, capped at 10 minutes, counted on', () => {
  let retry = null;
  const seen = [];
  for (let n = 1; n <= 8; n += 1) {
    const now = at(5 * H + n * S);
    const low = decide({ record, retry }, now, { type: 'exchangeFailed', random: 0 }, settings);
    const high = decide({ record, retry }, now, { type: 'exchangeFailed', random: 0.999999 }, settings);
    assert.equal(low.action, 'backOff');
    assert.equal(low.retry.attempt, n);
    assert.equal(low.retry.forObtainedAt, T0);
    const full = Math.min(10 * MIN, 30 * S * 2 ** (n - 1));
    assert.equal(low.retry.notBefore - now, full / 2, `attempt ${n}: half fixed`);
    assert.ok(
      high.retry.notBefore - now < full && high.retry.notBefore - now > full * 0.99,
      `attempt ${n}: up to the whole`,
    );
    // Remembered past notBefore, so the next failure counts on from here.
    assert.equal(low.keepMs, full / 2 + 10 * MIN);
    seen.push(full);
    retry = low.retry;
  }
  assert.deepEqual(
    seen.map((ms) => ms / S),
    [30, 60, 120, 240, 480, 600, 600, 600],
  );
  // A back-off of an older record does not count: attempt 1 again.
  const stale = { attempt: 5, notBefore: at(0), forObtainedAt: T0 - H };
  assert.equal(
    decide({ record, retry: stale }, at(5 * H), { type: 'exchangeFailed', random: 0.5 }, settings).retry.attempt,
    1,
  );
});

test("mergeRetry: this process's back-off, or the fleet's when it has counted further, for this record only", () => {
  const mine = { attempt: 2, notBefore: at(1), forObtainedAt: T0 };
  const fleetAhead = { attempt: 3, notBefore: at(2), forObtainedAt: T0 };
  const fleetBehind = { attempt: 1, notBefore: at(3), forObtainedAt: T0 };
  const foreign = { attempt: 9, notBefore: at(4), forObtainedAt: T0 + 1 };
  assert.equal(mergeRetry(mine, fleetAhead, record), fleetAhead);
  assert.equal(mergeRetry(mine, fleetBehind, record), mine);
  assert.equal(mergeRetry(mine, foreign, record), mine);
  assert.equal(mergeRetry(foreign, fleetBehind, record), fleetBehind);
  assert.equal(mergeRetry(foreign, null, record), null);
  assert.equal(mergeRetry(undefined, undefined, record), null);
});

test('a proven use slides the cache life (ticket-use.cjs), within the daily renewal', () => {
  const used = { ...record, usedAt: at(4 * H) };
  assert.equal(expiresAt(used, settings), at(9 * H));
  assert.equal(freshUntil(used, settings), at(9 * H - 5 * MIN));
  assert.equal(usableUntil(used, settings), at(10 * H - MIN));
  assert.equal(action({ record: used }, at(6 * H), request), 'use', "past the unused ticket's cache life, still fresh");
  const late = { ...record, usedAt: at(23 * H) };
  assert.equal(expiresAt(late, settings), at(24 * H), 'renewed daily at the latest');
});

test('an event the lifecycle does not know is a programming error, not a silent default', () => {
  assert.throws(() => decide({ record }, at(0), { type: 'teleport' }, settings), TypeError);
});

test('used: a proven use slides the cached record, at most every 5 minutes, only while it holds that ticket', () => {
  const used = (ticket) => ({ type: 'used', ticket });
  const rows = [
    // [what, tenant, time, ticket, expected action, expected usedAt]
    ['no record (dropped)', { record: null }, at(30 * MIN), '7T:abc', 'none'],
    ['another ticket cached', { record }, at(30 * MIN), '7T:other', 'none'],
    ['obtained moments ago', { record }, at(4 * MIN), '7T:abc', 'none'],
    ['5 minutes after it was obtained', { record }, at(5 * MIN), '7T:abc', 'slide', at(5 * MIN)],
    ['used 3 minutes ago', { record: { ...record, usedAt: at(2 * H) } }, at(2 * H + 3 * MIN), '7T:abc', 'none'],
    [
      'used 5 minutes ago',
      { record: { ...record, usedAt: at(2 * H) } },
      at(2 * H + 5 * MIN),
      '7T:abc',
      'slide',
      at(2 * H + 5 * MIN),
    ],
  ];
  for (const [what, tenant, now, ticket, expected, usedAt] of rows) {
    const decision = decide(tenant, now, used(ticket), settings);
    assert.equal(decision.action, expected, what);
    if (expected === 'slide') {
      assert.equal(decision.record.usedAt, usedAt, what);
      // Kept until 6 hours after that use, less a minute.
      assert.equal(decision.keepMs, usedAt + 6 * H - MIN - now, what);
    }
  }
  // A slid record's life counts from its last use: fresh 5 hours after it, renewed within a day.
  const slid = { ...record, usedAt: at(4 * H) };
  assert.equal(expiresAt(slid, settings), at(9 * H));
  assert.equal(action({ record: slid }, at(8 * H), request), 'use');
  const daily = { ...record, usedAt: at(23 * H) };
  assert.equal(expiresAt(daily, settings), at(24 * H), 'renewed at the latest 24 hours after it was obtained');
  assert.equal(action({ record: daily }, at(24 * H - 5 * MIN), request), 'refreshAhead');
});
