// The 24-hour soak on an injected clock (issue 12): 50 tenants asked every simulated minute while the
// stand-in fails 5% of exchanges, then half of them for an hour, then all of them for 20 minutes across
// a refresh, and rotates its signing key twice. Once a tenant has a ticket its callers never see an
// error, the exchanges stay bounded (a handful of attempts per tenant per outage, across the fleet),
// and memory stays flat. Run once with the in-memory cache and once with two clients sharing Redis.
// Issue 20 adds a move (ten tenants change hosts at 11:40: followed, no error) and an hour of
// maintenance (five tenants, 13:20 to 14:20: ERR_TENANT_UNAVAILABLE while it lasts, none once they
// run again), and a soak of calls through client.fetch whose tickets slide as SuperOffice's do: about
// one exchange per tenant per day, against five for tickets only handed out.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSystemUserClient, createMemoryCache } from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';
import { standIn, fakeClock, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { startRedis, connectRedis } from './helpers/redis-server.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const MINUTE = 60_000;
const TENANTS = 50;
const HALF_FAILING = [280, 340]; // minutes: across the first refresh (tickets from minute 0 renew at 4 h 55)
const ALL_FAILING = [585, 605]; // across the second refresh (tickets renewed around minute 295 renew at 590)
const ROTATIONS = [400, 1000];
const MOVE_AT = 700;
const MOVED = ['Cust1', 'Cust2', 'Cust3', 'Cust4', 'Cust5', 'Cust6', 'Cust7', 'Cust8', 'Cust9', 'Cust10'];
const MAINTENANCE = [800, 860];
const IN_MAINTENANCE = ['Cust11', 'Cust12', 'Cust13', 'Cust14', 'Cust15'];
// After Running again, a client that marked the tenant down asks the state API once its mark ends
// (the stand-in's ValidUntil, 5 minutes): errors may last that long past the window.
const MAINTENANCE_ERRORS_UNTIL = MAINTENANCE[1] + 6;

// A small seeded generator: the failures are random-looking but the same on every run.
function mulberry32(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Counts the cache calls in flight, so the soak can let background work settle before moving the clock.
function tracked(cache, pending) {
  const out = {};
  for (const name of ['get', 'set', 'delete', 'deleteIfTicket', 'lock', 'unlock', 'extendLock']) {
    if (typeof cache[name] !== 'function') continue;
    out[name] = async (...args) => {
      pending.count += 1;
      try {
        return await cache[name](...args);
      } finally {
        pending.count -= 1;
      }
    };
  }
  return out;
}

async function soak({ clientCount, makeCache, everyMinutes = 1 }) {
  const now = fakeClock(Date.UTC(2026, 0, 5, 0, 0));
  const s = await standIn({ tenants: TENANTS, mockOptions: { now, tenantHosts: 2 } });
  const random = mulberry32(20260105);
  const pending = { count: 0 };
  let failRate = 0.05;
  let minute = 0;
  const attempts = { total: 0, failed: 0, inFullOutage: new Map() };

  // The stand-in "failing": an exchange answered 503 by the front door instead of reaching it.
  async function flakyFetch(url, init) {
    pending.count += 1;
    try {
      if (/PartnerSystemUserService\.svc$/i.test(String(url))) {
        attempts.total += 1;
        if (random() < failRate) {
          attempts.failed += 1;
          if (minute >= ALL_FAILING[0] && minute < ALL_FAILING[1]) {
            const ctx = /ContextIdentifier>([^<]+)</.exec(String(init.body))[1];
            attempts.inFullOutage.set(ctx, (attempts.inFullOutage.get(ctx) ?? 0) + 1);
          }
          return new Response('Service Unavailable', { status: 503 });
        }
      }
      return await fetch(url, init);
    } finally {
      pending.count -= 1;
    }
  }

  const background = [];
  const clients = [];
  for (let i = 0; i < clientCount; i += 1) {
    clients.push(
      createSystemUserClient(
        s.options({
          now,
          fetch: flakyFetch,
          systemUserTokens: s.tenants,
          cache: tracked(await makeCache(i, now), pending),
          onBackgroundError: (err, info) => background.push(`${info.during} ${err.code ?? err.name}`),
        }),
      ),
    );
  }
  const tenants = Object.keys(s.tenants);
  const hasTicket = new Set();
  const callerErrors = [];
  const apiRejections = [];
  const unavailable = new Set();
  let heapAt3h = 0;

  const settle = async () => {
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((resolve) => setImmediate(resolve));
      quiet = pending.count === 0 ? quiet + 1 : 0;
      if (pending.count > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };

  try {
    for (minute = 0; minute < 24 * 60; minute += 1) {
      failRate =
        minute >= ALL_FAILING[0] && minute < ALL_FAILING[1]
          ? 1
          : minute >= HALF_FAILING[0] && minute < HALF_FAILING[1]
            ? 0.5
            : 0.05;
      if (ROTATIONS.includes(minute)) s.mock.rotateSigningKey();
      if (minute === MOVE_AT) for (const ctx of MOVED) s.mock.moveTenant(ctx);
      if (minute === MAINTENANCE[0]) for (const ctx of IN_MAINTENANCE) s.mock.setTenantState(ctx, 'OfflineMaintenance');
      if (minute === MAINTENANCE[1]) for (const ctx of IN_MAINTENANCE) s.mock.setTenantState(ctx, 'Running');
      const maintenance = minute >= MAINTENANCE[0] && minute < MAINTENANCE_ERRORS_UNTIL;
      // Every tenant, every minute (or every few with Redis, to keep the run short), in every process.
      if (minute % everyMinutes !== 0) {
        now.advance(MINUTE);
        continue;
      }
      const checkApiNow = minute % 60 === 60 - everyMinutes || minute === ALL_FAILING[1] - everyMinutes;
      await Promise.all(
        clients.flatMap((client) =>
          tenants.map(async (contextIdentifier) => {
            const down = maintenance && IN_MAINTENANCE.includes(contextIdentifier);
            try {
              const result = await client.getTicket({ contextIdentifier });
              hasTicket.add(contextIdentifier);
              // The tenant's API: hourly with the headers handed out (no proven use, so the fixed
              // renewals this soak is built around stay), and through client.fetch (which follows a
              // move, and slides the ticket) for the moved tenants after the move and for the tenants
              // in maintenance, every minute while it lasts.
              const viaClient = down || (minute >= MOVE_AT && MOVED.includes(contextIdentifier));
              if (checkApiNow || down) {
                const res = viaClient
                  ? await client.fetch(contextIdentifier, 'v1/User/currentPrincipal')
                  : await fetch(new URL('v1/User/currentPrincipal', result.webapiUrl), {
                      headers: await client.authHeaders(contextIdentifier),
                    });
                await res.arrayBuffer();
                if (res.status !== 200) apiRejections.push(`${minute} ${contextIdentifier} ${res.status}`);
              }
            } catch (err) {
              if (down && err.code === 'ERR_TENANT_UNAVAILABLE') unavailable.add(contextIdentifier);
              else if (hasTicket.has(contextIdentifier))
                callerErrors.push(`minute ${minute} ${contextIdentifier}: ${err.code}`);
            }
          }),
        ),
      );
      await settle();
      if (minute === 180) {
        gc();
        heapAt3h = process.memoryUsage().heapUsed;
      }
      now.advance(MINUTE);
    }
    await settle();
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapAt3h;
    const issued = s.mock.stats.ticketsIssued;
    const stateLookups = MOVED.map((ctx) => s.mock.stats.tenants[ctx]?.state ?? 0);
    return {
      callerErrors,
      apiRejections,
      attempts,
      issued,
      heapGrowth,
      background,
      hasTicket,
      unavailable,
      stateLookups,
    };
  } finally {
    await s.mock.close();
  }
}

function judge(t, r, label) {
  const most = Math.max(...r.attempts.inFullOutage.values());
  t.diagnostic(
    `${label}: ${r.issued} tickets issued, ${r.attempts.total} exchange attempts (${r.attempts.failed} failed), ` +
      `${r.attempts.inFullOutage.size} tenants in the 20-minute outage with at most ${most} attempts each, heap ${(r.heapGrowth / 1048576).toFixed(2)} MB`,
  );
  assert.equal(r.hasTicket.size, TENANTS, `${label}: every tenant got a ticket`);
  assert.deepEqual(r.callerErrors, [], `${label}: no caller error once a first ticket exists`);
  assert.deepEqual(r.apiRejections, [], `${label}: every ticket handed out was accepted, stale ones too`);
  // 24 h / 4 h 55 min: five renewals per tenant plus the first ticket; a few more where a refresh was
  // replaced during an outage; fewer for the moved tenants, whose tickets slide once client.fetch
  // calls them. Far from one per call (72 000 calls per process).
  assert.ok(
    r.issued >= (TENANTS - MOVED.length) * 5 && r.issued <= TENANTS * 7,
    `${label}: ${r.issued} tickets issued`,
  );
  assert.ok(r.attempts.total <= TENANTS * 12, `${label}: ${r.attempts.total} exchange attempts`);
  // The 20-minute outage fell across refreshes, and each tenant tried a handful of times.
  assert.ok(
    r.attempts.inFullOutage.size >= 10,
    `${label}: ${r.attempts.inFullOutage.size} tenants refreshed during the outage`,
  );
  assert.ok(most <= 7, `${label}: at most ${most} attempts for one tenant during the 20-minute outage`);
  // Failures while a usable ticket existed were reported, not thrown.
  assert.ok(
    r.background.some((b) => b.startsWith('refresh ERR_HTTP_STATUS')),
    `${label}: refresh failures reported`,
  );
  assert.ok(
    r.heapGrowth < 8 * 1024 * 1024,
    `${label}: heap grew ${(r.heapGrowth / 1048576).toFixed(1)} MB from hour 3 to hour 24`,
  );
  // The move: followed by every client with no error (above); the maintenance: failed fast while it
  // lasted, and nothing after (callerErrors above).
  t.diagnostic(`${label}: state lookups of the moved tenants: ${r.stateLookups.join(' ')}`);
  assert.deepEqual(
    [...r.unavailable].sort(),
    [...IN_MAINTENANCE].sort(),
    `${label}: the tenants in maintenance failed fast`,
  );
}

test('24 simulated hours, one process, in-memory cache: stale-if-error with back-off, no caller error', async (t) => {
  const r = await soak({ clientCount: 1, makeCache: (_i, now) => createMemoryCache({ now }) });
  judge(t, r, 'memory');
});

test('24 simulated hours, two processes sharing Redis, every 5 minutes: the same, with refreshes coalesced across the fleet', async (t) => {
  const server = await startRedis();
  const connections = [];
  try {
    const keyPrefix = `soak-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32);
    const r = await soak({
      clientCount: 2,
      everyMinutes: 5,
      makeCache: async (i) => {
        const connection = await connectRedis(i === 0 ? 'node-redis v5' : 'ioredis', server.url);
        connections.push(connection);
        return createRedisTicketCache({ client: connection.client, keyPrefix, encryptionKey });
      },
    });
    judge(t, r, 'redis');
    assert.ok(
      r.background.every((b) => b.startsWith('refresh ')),
      `only refresh failures: ${[...new Set(r.background)]}`,
    );
  } finally {
    for (const c of connections) await c.close();
    await server.close();
  }
});

test('24 simulated hours of calls every 10 minutes: through client.fetch tickets slide (about one exchange per tenant per day), handed out they do not', async (t) => {
  const now = fakeClock(Date.UTC(2026, 0, 5, 0, 0));
  const SLIDING = 20;
  // The stand-in expires a ticket 6 hours after its last use, as SuperOffice does.
  const s = await standIn({ tenants: SLIDING * 2, mockOptions: { now } });
  try {
    const client = createSystemUserClient(s.options({ now, systemUserTokens: s.tenants }));
    const viaFetch = Object.keys(s.tenants).slice(0, SLIDING);
    const handedOut = Object.keys(s.tenants).slice(SLIDING);
    const statuses = new Map();
    const count = (status) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    for (let minute = 0; minute < 24 * 60; minute += 10) {
      await Promise.all([
        ...viaFetch.map(async (contextIdentifier) => {
          const res = await client.fetch(contextIdentifier, 'v1/User/currentPrincipal');
          await res.arrayBuffer();
          count(res.status);
        }),
        ...handedOut.map(async (contextIdentifier) => {
          // authHeaders: the client never learns whether the headers were used.
          const res = await fetch(
            new URL('v1/User/currentPrincipal', (await client.getTicket({ contextIdentifier })).webapiUrl),
            { headers: await client.authHeaders(contextIdentifier) },
          );
          await res.arrayBuffer();
          count(res.status);
        }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 2)); // a slide's write, a background refresh
      now.advance(10 * MINUTE);
    }
    const perDay = (ids) => ids.reduce((n, ctx) => n + s.mock.stats.tenants[ctx].authenticate, 0) / ids.length;
    const sliding = perDay(viaFetch);
    const fixed = perDay(handedOut);
    t.diagnostic(
      `exchanges per tenant per day: ${sliding.toFixed(2)} through client.fetch (sliding), ${fixed.toFixed(2)} handed out (fixed 5 h)`,
    );
    assert.deepEqual([...statuses.keys()], [200], 'every call answered 200');
    assert.ok(sliding <= 1.1, `${sliding} exchanges per tenant per day through client.fetch`);
    assert.ok(fixed >= 4.5 && fixed <= 6, `${fixed} exchanges per tenant per day for tickets handed out`);
  } finally {
    await s.mock.close();
  }
});
