// Issue 20, items 2, 3 and 5 over HTTP against the stand-in with several hosts: the tenant followed
// when it moves (421, one state lookup, the same ticket), tenants that are down (fail fast until
// ValidUntil, no exchange), Retry-After honoured across a fleet on Redis.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import {
  createSystemUserClient,
  createRefreshTokenClient,
  createMemoryCache,
  createWebhookHandler,
  SuperOfficeAuthError,
} from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';
import { standIn, assertNoSecrets, fakeClock, eventually, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { startRedis, connectRedis } from './helpers/redis-server.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const MINUTE = 60_000;

async function expectCode(promise, code, extra = {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${err?.stack}`);
    assert.equal(err.code, code, err.message);
    for (const [name, value] of Object.entries(extra)) assert.deepEqual(err[name], value, name);
    return true;
  });
}

async function principal(client, contextIdentifier, init) {
  const res = await client.fetch(contextIdentifier, 'v1/User/currentPrincipal', init);
  await res.arrayBuffer();
  return res.status;
}

const hosts = ({ tenants = 1, ...extra } = {}) => ({ tenants, mockOptions: { tenantHosts: 3, ...extra } });

test('a move in the middle of a run of calls costs one state lookup and no exchange; the ticket stays', async () => {
  const s = await standIn(hosts());
  try {
    const events = [];
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants, onEvent: (e) => events.push(e) }));
    const before = await client.getTicket({ contextIdentifier: 'Cust1' });
    for (let i = 0; i < 5; i += 1) assert.equal(await principal(client, 'Cust1'), 200);
    const oldEndpoint = s.mock.tenantEndpoint('Cust1');
    const newEndpoint = s.mock.moveTenant('Cust1');
    assert.notEqual(newEndpoint, oldEndpoint);
    for (let i = 0; i < 5; i += 1) assert.equal(await principal(client, 'Cust1'), 200);
    const agent = await client.callAgent(
      'Cust1',
      'Associate',
      'GetAssociate',
      { AssociateId: 1 },
      { protocol: 'soap' },
    );
    assert.ok(agent.response, 'the SOAP agent is reached on the new host too');
    assert.equal(s.mock.stats.state, 1, 'one state lookup');
    assert.equal(s.mock.stats.authenticate, 1, 'no exchange: the ticket is good on any host');
    assert.equal((await client.getTicket({ contextIdentifier: 'Cust1' })).ticket, before.ticket);
    const moved = events.filter((e) => e.name === 'tenant:moved');
    assert.equal(moved.length, 1);
    assert.deepEqual(
      { from: moved[0].from, to: moved[0].to },
      { from: new URL(oldEndpoint).origin, to: new URL(newEndpoint).origin },
    );
  } finally {
    await s.mock.close();
  }
});

test('concurrent callers after a move share one lookup; SOAP agents follow as REST calls do', async () => {
  const s = await standIn(hosts());
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }, { protocol: 'soap' });
    s.mock.moveTenant('Cust1');
    const calls = [];
    for (let i = 0; i < 20; i += 1) {
      calls.push(
        i % 2
          ? principal(client, 'Cust1')
          : client
              .callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }, { protocol: 'soap' })
              .then(() => 200),
      );
    }
    assert.deepEqual(new Set(await Promise.all(calls)), new Set([200]));
    assert.equal(s.mock.stats.state, 1, 'twenty callers, one state lookup');
    assert.equal(s.mock.stats.authenticate, 1);
  } finally {
    await s.mock.close();
  }
});

test('a second 421 after re-basing goes back to the caller (fetch) or is ERR_HTTP_STATUS (callAgent): no loop', async () => {
  const s = await standIn(hosts());
  try {
    // The tenant moves again right after each state answer: the re-based call is misdirected too.
    const movingFetch = async (url, init) => {
      const res = await fetch(url, init);
      if (String(url).includes('/api/state/')) s.mock.moveTenant('Cust1');
      return res;
    };
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants, fetch: movingFetch }));
    assert.equal(await principal(client, 'Cust1'), 200);
    s.mock.moveTenant('Cust1');
    assert.equal(await principal(client, 'Cust1'), 421, "the second 421 is the caller's");
    assert.equal(s.mock.stats.state, 1);
    await expectCode(client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }), 'ERR_HTTP_STATUS', {
      status: 421,
    });
    assert.ok(s.mock.stats.state <= 2, `${s.mock.stats.state} lookups: at most one per call`);
    assert.equal(s.mock.stats.authenticate, 1);
  } finally {
    await s.mock.close();
  }
});

test('a stream body is not sent twice after a 421: the call says so, and the next one goes to the new host', async () => {
  const s = await standIn(hosts());
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    assert.equal(await principal(client, 'Cust1'), 200);
    s.mock.moveTenant('Cust1');
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{}'));
        controller.close();
      },
    });
    await expectCode(principal(client, 'Cust1', { method: 'POST', body: stream, duplex: 'half' }), 'ERR_HTTP_STATUS', {
      status: 421,
      retried: false,
    });
    assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(s.mock.stats.state, 1);
  } finally {
    await s.mock.close();
  }
});

test('a fleet of two processes on Redis learns the move once', async () => {
  const server = await startRedis();
  const connections = [];
  const s = await standIn(hosts());
  try {
    const keyPrefix = `moves-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32); // one key for the fleet: each process opens the others' values
    const clients = [];
    for (const kind of ['node-redis v5', 'ioredis']) {
      const connection = await connectRedis(kind, server.url);
      connections.push(connection);
      const cache = createRedisTicketCache({ client: connection.client, keyPrefix, encryptionKey });
      clients.push(createSystemUserClient(s.options({ cache, systemUserTokens: s.tenants })));
    }
    for (const client of clients) assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(s.mock.stats.authenticate, 1, 'one exchange for the fleet');
    s.mock.moveTenant('Cust1');
    for (const client of clients) assert.equal(await principal(client, 'Cust1'), 200);
    for (const client of clients) assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(s.mock.stats.state, 1, "one state lookup for the fleet: the second process read the first one's");
    assert.equal(s.mock.stats.authenticate, 1);
  } finally {
    for (const c of connections) await c.close();
    await server.close();
    await s.mock.close();
  }
});

test("the refresh-token client follows its user's tenant too", async () => {
  const s = await standIn(hosts());
  try {
    const clientId = 'refresh-app';
    s.mock.registerClient({ clientId, clientSecret: 'refresh-secret' });
    const refreshToken = s.mock.issueRefreshToken({ clientId, contextIdentifier: 'Cust1' });
    const client = createRefreshTokenClient({
      baseUrl: s.mock.baseUrl,
      issuer: s.mock.issuer,
      clientId,
      clientSecret: 'refresh-secret',
      refreshToken,
    });
    const first = await client.fetch('v1/User/currentPrincipal');
    assert.equal(first.status, 200);
    await first.arrayBuffer();
    s.mock.moveTenant('Cust1');
    const tokens = s.mock.stats.tokens;
    const moved = await client.fetch('v1/User/currentPrincipal');
    assert.equal(moved.status, 200);
    assert.equal((await moved.json()).ContextIdentifier, 'Cust1');
    assert.equal(s.mock.stats.state, 1);
    assert.equal(s.mock.stats.tokens, tokens, 'no refresh: the access token is good on the new host');
  } finally {
    await s.mock.close();
  }
});

test('OfflineMaintenance: calls fail fast with ERR_TENANT_UNAVAILABLE until ValidUntil, no exchange; Running resumes', async () => {
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn(hosts({ now }));
  try {
    const events = [];
    const client = createSystemUserClient(
      s.options({ now, systemUserTokens: s.tenants, onEvent: (e) => events.push(e) }),
    );
    assert.equal(await principal(client, 'Cust1'), 200);
    s.mock.setTenantState('Cust1', 'OfflineMaintenance', { validForSeconds: 120 });
    const validUntil = new Date(now() + 120_000);
    await expectCode(principal(client, 'Cust1'), 'ERR_TENANT_UNAVAILABLE', {
      state: 'OfflineMaintenance',
      stateCode: 6,
      validUntil,
    });
    const seen = { api: s.mock.stats.api, state: s.mock.stats.state };
    for (let i = 0; i < 10; i += 1) {
      await expectCode(principal(client, 'Cust1'), 'ERR_TENANT_UNAVAILABLE');
      await expectCode(client.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_TENANT_UNAVAILABLE');
      await expectCode(
        client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }),
        'ERR_TENANT_UNAVAILABLE',
      );
    }
    assert.deepEqual(
      { api: s.mock.stats.api, state: s.mock.stats.state },
      seen,
      'failing fast: neither the tenant nor the state API asked',
    );
    // Past ValidUntil, still in maintenance: one lookup, and failing fast again.
    now.advance(121_000);
    await expectCode(principal(client, 'Cust1'), 'ERR_TENANT_UNAVAILABLE');
    assert.equal(s.mock.stats.state, seen.state + 1);
    // Past the ticket's life as well: still no exchange while the tenant is down.
    now.advance(6 * 60 * MINUTE);
    await expectCode(client.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_TENANT_UNAVAILABLE');
    s.mock.setTenantState('Cust1', 'Running');
    now.advance(5 * MINUTE);
    assert.equal(await principal(client, 'Cust1'), 200, 'Running again: the next call goes through');
    assert.equal(s.mock.stats.authenticate, 2, 'one exchange for the ticket that ran out meanwhile');
    assert.ok(events.some((e) => e.name === 'tenant:unavailable' && e.state === 'OfflineMaintenance'));
  } finally {
    await s.mock.close();
  }
});

test('a tenant down before its first ticket: the denied exchange asks the state API, and no further exchange follows', async () => {
  const s = await standIn(hosts());
  try {
    s.mock.setTenantState('Cust1', 'Suspended', { validForSeconds: 3600 });
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    await expectCode(client.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_TENANT_UNAVAILABLE', {
      state: 'Suspended',
      stateCode: 4,
    });
    for (let i = 0; i < 5; i += 1) await expectCode(principal(client, 'Cust1'), 'ERR_TENANT_UNAVAILABLE');
    assert.equal(s.mock.stats.authenticate, 1, 'one denied exchange, then none');
    assert.equal(s.mock.stats.state, 1);
    // tenantState answers from what the lookup learnt, without asking again; no endpoint while down.
    const state = await client.tenantState('Cust1');
    assert.deepEqual([state.state, state.stateCode, state.isRunning, state.endpoint], ['Suspended', 4, false, null]);
    assert.equal(s.mock.stats.state, 1);
  } finally {
    await s.mock.close();
  }
});

test("Deleted drops the tenant's cached ticket; tenantState is cached until ValidUntil", async () => {
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn(hosts({ now }));
  try {
    const client = createSystemUserClient(s.options({ now, systemUserTokens: s.tenants }));
    const state = await client.tenantState('Cust1');
    assert.equal(state.state, 'Running');
    assert.equal(state.isRunning, true);
    assert.equal(state.endpoint, s.mock.tenantEndpoint('Cust1'));
    assert.ok(state.validUntil instanceof Date);
    await client.tenantState('Cust1');
    assert.equal(s.mock.stats.state, 1, 'the second answer came from the cache');
    const { ticket } = await client.getTicket({ contextIdentifier: 'Cust1' });
    s.mock.setTenantState('Cust1', 'Deleted');
    await expectCode(principal(client, 'Cust1'), 'ERR_TENANT_UNAVAILABLE', { state: 'Deleted', stateCode: 3 });
    s.mock.setTenantState('Cust1', 'Running');
    now.advance(6 * MINUTE);
    const fresh = await client.getTicket({ contextIdentifier: 'Cust1' });
    assert.notEqual(fresh.ticket, ticket, "the deleted tenant's ticket was forgotten");
    assert.equal(s.mock.stats.authenticate, 2);
  } finally {
    await s.mock.close();
  }
});

test("Retry-After on an exchange holds the whole fleet; the ticket in hand keeps serving; the tenant's 429 goes to the caller", async () => {
  const server = await startRedis();
  const connections = [];
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn(hosts({ now }));
  try {
    const keyPrefix = `hold-${randomBytes(4).toString('hex')}:`;
    const events = [];
    const encryptionKey = randomBytes(32);
    const clients = [];
    for (const kind of ['node-redis v5', 'ioredis']) {
      const connection = await connectRedis(kind, server.url);
      connections.push(connection);
      const cache = createRedisTicketCache({ client: connection.client, keyPrefix, encryptionKey });
      clients.push(
        createSystemUserClient(s.options({ now, cache, systemUserTokens: s.tenants, onEvent: (e) => events.push(e) })),
      );
    }
    const [a, b] = clients;
    s.mock.injectFault('rateLimit', { retryAfter: 120 });
    await expectCode(a.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_HTTP_STATUS', {
      status: 429,
      retryAfterMs: 120_000,
    });
    await expectCode(b.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_HTTP_STATUS', { status: 429 });
    await expectCode(a.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_HTTP_STATUS', { status: 429 });
    assert.equal(s.mock.stats.authenticate, 1, 'one exchange asked to wait; nobody asked again');
    s.mock.clearFaults();
    now.advance(121_000);
    const first = await b.getTicket({ contextIdentifier: 'Cust1' });
    assert.equal(s.mock.stats.authenticate, 2);

    // Past the ticket's cache life, rate limited again: the ticket in hand is served (stale-if-error),
    // and one attempt is made for the whole fleet until Retry-After has passed.
    now.advance(5 * 60 * MINUTE);
    s.mock.injectFault('rateLimit', { retryAfter: 600 });
    for (const client of [a, b, a, b])
      assert.equal((await client.getTicket({ contextIdentifier: 'Cust1' })).ticket, first.ticket);
    assert.equal(s.mock.stats.authenticate, 3, 'one refresh attempt, then the fleet waited');
    const limited = events.filter((e) => e.name === 'rate-limited' && e.where === 'exchange');
    assert.deepEqual(
      limited.map((e) => [e.status, e.retryAfterMs]),
      [
        [429, 120_000],
        [429, 600_000],
      ],
    );
    assert.ok(
      events.some((e) => e.name === 'ticket:stale' && e.contextIdentifier === 'Cust1'),
      'the stale ticket served',
    );
    s.mock.clearFaults();

    // A 429 from the tenant itself: fetch returns it; callAgent is ERR_HTTP_STATUS with retryAfterMs.
    s.mock.injectFault('rateLimit', { endpoint: 'api', retryAfter: 30, times: 1 });
    assert.equal(await principal(a, 'Cust1'), 429);
    s.mock.injectFault('rateLimit', { endpoint: 'agents', retryAfter: 30, times: 1 });
    await expectCode(a.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }), 'ERR_HTTP_STATUS', {
      status: 429,
      retryAfterMs: 30_000,
    });
    assert.equal(s.mock.stats.authenticate, 3, 'a 429 from the tenant costs no exchange and no retry');
  } finally {
    for (const c of connections) await c.close();
    await server.close();
    await s.mock.close();
  }
});

test('no secret in ERR_TENANT_UNAVAILABLE, the 421 and 429 errors, or the events of a move', async () => {
  const now = fakeClock(Date.UTC(2026, 0, 5));
  const s = await standIn(hosts({ now }));
  try {
    const events = [];
    const client = createSystemUserClient(
      s.options({ now, systemUserTokens: s.tenants, onEvent: (e) => events.push(e) }),
    );
    const { ticket } = await client.getTicket({ contextIdentifier: 'Cust1' });
    s.mock.moveTenant('Cust1');
    assert.equal(await principal(client, 'Cust1'), 200);
    now.advance(MINUTE); // past the state API's 10-second rate limit per tenant
    s.mock.setTenantState('Cust1', 'OfflineMaintenance');
    const err = await principal(client, 'Cust1').catch((e) => e);
    assert.equal(err.code, 'ERR_TENANT_UNAVAILABLE');
    const text = [JSON.stringify(events), err.message, JSON.stringify(err), String(err.stack)].join('\n');
    assertNoSecrets(assert, text, [...s.secrets, ticket]);
    await eventually(() => events.some((e) => e.name === 'tenant:unavailable'));
  } finally {
    await s.mock.close();
  }
});

test('a notification that suspends a tenant stops its exchanges in a fleet of two processes on Redis; Resume lets them go on', async () => {
  const server = await startRedis();
  const connections = [];
  const s = await standIn(hosts({ tenants: 2 }));
  const receiver = createServer();
  try {
    const keyPrefix = `notify-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32);
    const clients = [];
    for (const kind of ['node-redis v5', 'ioredis']) {
      const connection = await connectRedis(kind, server.url);
      connections.push(connection);
      const cache = createRedisTicketCache({ client: connection.client, keyPrefix, encryptionKey });
      clients.push(createSystemUserClient(s.options({ cache, systemUserTokens: s.tenants })));
    }
    const [a, b] = clients;
    // Process a receives SuperOffice's notifications (verified: the Token signed by the stand-in).
    const applied = [];
    receiver.on(
      'request',
      createWebhookHandler({
        keys: s.mock.signingPublicKeyPem(),
        issuer: s.mock.issuer,
        onTenantStatus: async (notification) => applied.push(await a.applyTenantStatus(notification)),
      }),
    );
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${receiver.address().port}/superoffice/state`;
    for (const client of clients) assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(s.mock.stats.authenticate, 1);

    const sent = await s.mock.notifyTenantStatus({ url, contextIdentifier: 'Cust1', changeType: 'Suspend' });
    assert.equal(sent.status, 200, sent.body);
    assert.deepEqual(applied, ['suspended']);
    const before = { authenticate: s.mock.stats.authenticate, api: s.mock.stats.api };
    for (const client of [a, b, a, b]) {
      await expectCode(client.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_TENANT_UNAVAILABLE', {
        state: 'Suspended',
      });
      await expectCode(principal(client, 'Cust1'), 'ERR_TENANT_UNAVAILABLE');
    }
    assert.deepEqual(
      { authenticate: s.mock.stats.authenticate, api: s.mock.stats.api },
      before,
      'neither process exchanged nor called the suspended tenant',
    );
    // Another tenant is not touched.
    assert.equal(await principal(b, 'Cust2'), 200);

    const resumed = await s.mock.notifyTenantStatus({ url, contextIdentifier: 'Cust1', changeType: 'Resume' });
    assert.equal(resumed.status, 200, resumed.body);
    assert.deepEqual(applied, ['suspended', 'resumed']);
    for (const client of [a, b]) assert.equal(await principal(client, 'Cust1'), 200);
    assert.equal(
      s.mock.stats.tenants.Cust1.authenticate,
      2,
      'the suspension dropped the ticket: one new exchange for the fleet',
    );
  } finally {
    receiver.close();
    for (const c of connections) await c.close();
    await server.close();
    await s.mock.close();
  }
});

test("an endpoint read back from the store is untrusted: another host, or another tenant's path, is ignored", async () => {
  const s = await standIn(hosts({ tenants: 2 }));
  try {
    const cache = createMemoryCache();
    const appHash = createHash('sha256').update(`${s.mock.baseUrl}\n${s.applicationToken}`).digest('hex').slice(0, 16);
    const key = `superoffice-auth:tenant:v1:${appHash}:Cust1`;
    const tenantHost = new URL(s.mock.tenantEndpoint('Cust1')).origin;
    for (const url of ['https://attacker.example/Cust1', `${tenantHost}/Cust2`, `${tenantHost}/Cust1/../Cust2`]) {
      const client = createSystemUserClient(s.options({ cache, systemUserTokens: s.tenants }));
      await cache.set(
        key,
        { v: 1, contextIdentifier: 'Cust1', endpoint: { url, apiUrl: null, learnedAt: Date.now() } },
        60_000,
      );
      const res = await client.fetch('Cust1', 'v1/User/currentPrincipal');
      assert.equal(res.status, 200, url);
      assert.equal((await res.json()).ContextIdentifier, 'Cust1', `${url}: the ticket went to its own tenant`);
    }
  } finally {
    await s.mock.close();
  }
});
