// Issue 20 on the client side, over HTTP against the stand-in: tickets kept while in use (their life
// slides with each proven use, as SuperOffice's do), events on diagnostics_channel and onEvent, and
// (with the stand-in's hosts) the tenant followed when it moves or is down, and Retry-After honoured.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createSystemUserClient, createMemoryCache, EVENT_NAMES } from 'superoffice-auth';
import { standIn, assertNoSecrets, fakeClock, watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A memory cache that counts its writes: the slide is written at most every few minutes. */
function countingCache(now) {
  const inner = createMemoryCache({ now });
  const counts = { set: 0 };
  return {
    counts,
    cache: {
      get: (key) => inner.get(key),
      set: (key, value, ttl) => {
        counts.set += 1;
        return inner.set(key, value, ttl);
      },
      delete: (key) => inner.delete(key),
      deleteIfTicket: (key, ticket) => inner.deleteIfTicket(key, ticket),
    },
  };
}

async function principal(client, contextIdentifier) {
  const res = await client.fetch(contextIdentifier, 'v1/User/currentPrincipal');
  await res.arrayBuffer();
  return res.status;
}

test('tickets used through client.fetch slide: 48 hours of a call every 30 minutes cost one exchange a day, never a 401', async () => {
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn({ mockOptions: { now } });
  try {
    const { cache, counts } = countingCache(now);
    const client = createSystemUserClient(s.options({ now, cache, systemUserTokens: s.tenants }));
    const statuses = new Set();
    for (let minute = 0; minute < 48 * 60; minute += 30) {
      statuses.add(await principal(client, 'Cust1'));
      // Background work (a slide's write, a refresh) settles before the clock moves on.
      await new Promise((resolve) => setTimeout(resolve, 5));
      now.advance(30 * MINUTE);
    }
    assert.deepEqual([...statuses], [200], 'every call answered 200: the stand-in slid the ticket as SuperOffice does');
    // One ticket a day: the first, and the daily renewal (a used ticket is renewed 24 hours after it was
    // obtained). With the fixed 5-hour life it would be ten.
    const exchanges = s.mock.stats.authenticate;
    assert.ok(exchanges >= 2 && exchanges <= 3, `${exchanges} exchanges in 48 hours`);
    assert.equal(s.mock.stats.tenants.Cust1.authenticate, exchanges);
    // Each call is 30 minutes after the last, past the 5-minute write interval: one slide per call.
    assert.ok(counts.set <= 96 + exchanges, `${counts.set} cache writes`);
  } finally {
    await s.mock.close();
  }
});

test('a slide is written at most every 5 minutes, and tickets only handed out keep the fixed life', async () => {
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn({ tenants: 2, mockOptions: { now } });
  try {
    const { cache, counts } = countingCache(now);
    const events = [];
    const client = createSystemUserClient(
      s.options({ now, cache, systemUserTokens: s.tenants, onEvent: (e) => events.push(e) }),
    );
    // Cust2 only through getTicket: its ticket keeps the fixed ticketTtlSeconds (5 h) whatever happens.
    const first = await client.getTicket({ contextIdentifier: 'Cust2' });
    const setsBefore = counts.set;
    for (let minute = 0; minute < 60; minute += 1) {
      assert.equal(await principal(client, 'Cust1'), 200);
      await new Promise((resolve) => setTimeout(resolve, 2));
      now.advance(MINUTE);
    }
    // One write for Cust1's exchange, then one per 5 minutes of use.
    const sets = counts.set - setsBefore;
    assert.ok(sets >= 12 && sets <= 14, `${sets} writes for 60 calls in an hour`);
    const slid = events.filter((e) => e.name === 'ticket:slid');
    assert.ok(slid.length >= 11 && slid.length <= 13, `${slid.length} slides`);
    assert.ok(slid.every((e) => e.contextIdentifier === 'Cust1' && e.expiresAt instanceof Date));

    // Five hours after both were obtained: Cust2's ticket is replaced, Cust1's (last used 5 minutes
    // before the hour) is still fresh.
    now.advance(4 * HOUR);
    const second = await client.getTicket({ contextIdentifier: 'Cust2' });
    assert.notEqual(second.ticket, first.ticket, 'a ticket only handed out is replaced after ticketTtlSeconds');
    assert.equal(s.mock.stats.tenants.Cust2.authenticate, 2);
    assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(s.mock.stats.tenants.Cust1.authenticate, 1, 'the used ticket slid: no second exchange');
  } finally {
    await s.mock.close();
  }
});

test('a ticket unused for longer than SuperOffice keeps it is replaced before it is sent, not after a 401', async () => {
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn({ mockOptions: { now } });
  try {
    const client = createSystemUserClient(s.options({ now, systemUserTokens: s.tenants }));
    assert.equal(await principal(client, 'Cust1'), 200);
    now.advance(7 * HOUR); // the stand-in forgot the ticket after 6 hours without use
    assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(s.mock.stats.authenticate, 2);
    assert.equal(s.mock.stats.tenants.Cust1.api, 2, 'no 401 and no retry: the expired ticket was never sent');
  } finally {
    await s.mock.close();
  }
});

test('events: every decision reaches onEvent and the superoffice-auth:* channels, with durations and no secret', async () => {
  const s = await standIn();
  const fromChannels = [];
  const listener = (event) => fromChannels.push(event);
  for (const name of EVENT_NAMES) diagnosticsChannel.subscribe(`superoffice-auth:${name}`, listener);
  try {
    const events = [];
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants, onEvent: (e) => events.push(e) }));
    const ticket = await client.getTicket({ contextIdentifier: 'Cust1' });
    assert.equal(await principal(client, 'Cust1'), 200);
    // A rejected ticket, retried once with a fresh one.
    s.mock.injectFault('ticketRejected', { endpoint: 'api', times: 1 });
    assert.equal(await principal(client, 'Cust1'), 200);
    await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }).catch(() => {});

    const names = events.map((e) => e.name);
    for (const name of ['exchange:start', 'exchange:end', 'cache:hit', 'ticket:rejected', 'jwks:fetch']) {
      assert.ok(names.includes(name), `${name} emitted (${[...new Set(names)].join(', ')})`);
    }
    assert.ok(
      names.every((name) => EVENT_NAMES.includes(name)),
      'every event is a documented one',
    );
    const ends = events.filter((e) => e.name === 'exchange:end');
    assert.equal(ends.length, 2);
    for (const e of ends) {
      assert.equal(e.outcome, 'ok');
      assert.equal(e.contextIdentifier, 'Cust1');
      assert.equal(e.source, 'system-user');
      assert.ok(Number.isFinite(e.durationMs) && e.durationMs >= 0);
    }
    assert.deepEqual(
      events.find((e) => e.name === 'ticket:rejected'),
      {
        name: 'ticket:rejected',
        source: 'system-user',
        contextIdentifier: 'Cust1',
        via: 'fetch',
        status: 401,
        retried: true,
      },
    );
    // The same events on the channels, one channel per name.
    assert.deepEqual(
      fromChannels.map((e) => e.name),
      names,
    );
    const text = JSON.stringify(events);
    assertNoSecrets(assert, text, [...s.secrets, ticket.ticket], 'events');
    assert.ok(!text.includes('7T:'), 'no ticket in any event');
  } finally {
    for (const name of EVENT_NAMES) diagnosticsChannel.unsubscribe(`superoffice-auth:${name}`, listener);
    await s.mock.close();
  }
});

test('a throwing onEvent does not break a call, and onEvent must be a function', async () => {
  const s = await standIn();
  try {
    const throwing = () => {
      throw new Error('observer failed');
    };
    const rejecting = async () => {
      throw new Error('observer failed later');
    };
    for (const onEvent of [throwing, rejecting]) {
      const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants, onEvent }));
      assert.equal(await principal(client, 'Cust1'), 200);
    }
    assert.throws(() => createSystemUserClient(s.options({ onEvent: 'log' })), { code: 'ERR_INVALID_ARGUMENT' });
  } finally {
    await s.mock.close();
  }
});
