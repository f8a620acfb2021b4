// superoffice-auth/redis against a real redis-server (started here on a free loopback port, stopped at
// the end), with node-redis v4, node-redis v5 and ioredis: the adapter's contract, hostile values read
// back, a fleet of 8 processes x 50 tenants making exactly 50 exchanges, kill -9 of a lock holder, and
// Redis stopped, paused and restarted under load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createSystemUserClient, SuperOfficeAuthError } from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';
import { standIn, eventually, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { startRedis, connectRedis, dumpRedis, flushRedis, CLIENT_KINDS } from './helpers/redis-server.mjs';

const unhandled = watchUnhandledRejections();
let server;
const closers = [];
before(async () => {
  server = await startRedis();
});
after(async () => {
  for (const close of closers.reverse()) await close();
  await server?.close();
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

const HOUR = 60 * 60 * 1000;
const WORKER = fileURLToPath(new URL('./helpers/fleet-worker.mjs', import.meta.url));

async function connect(kind, options) {
  const connection = await connectRedis(kind, server.url, options);
  closers.push(connection.close);
  return connection.client;
}

async function callApi(result, headers) {
  const res = await fetch(new URL('v1/User/currentPrincipal', result.webapiUrl), { headers });
  return res.status;
}

function expectInvalid(fn, pattern) {
  assert.throws(
    fn,
    (err) => err instanceof SuperOfficeAuthError && err.code === 'ERR_INVALID_ARGUMENT' && pattern.test(err.message),
  );
}

for (const kind of CLIENT_KINDS) {
  test(`${kind}: values round-trip sealed; locks, compare-and-delete and expiry behave`, async () => {
    const redis = await connect(kind);
    const keyPrefix = `contract-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32);
    const cache = createRedisTicketCache({ client: redis, keyPrefix, encryptionKey });
    const record = { v: 1, ticket: '7T:secret-ticket-text', claims: { a: 'b' }, obtainedAt: 1 };
    await cache.set('k', record, 60_000);
    assert.deepEqual(await cache.get('k'), record);
    const raw = (await dumpRedis(server.url)).get(`${keyPrefix}k`);
    assert.match(raw, /^s1\.[\w-]{22}\.[\w-]+\.[\w-]+$/);
    assert.ok(!raw.includes('secret-ticket-text'));
    assert.equal(await cache.get('missing'), undefined);

    // Compare-and-delete: another ticket leaves the record alone.
    assert.equal(await cache.deleteIfTicket('k', '7T:another'), false);
    assert.deepEqual(await cache.get('k'), record);
    assert.equal(await cache.deleteIfTicket('k', record.ticket), true);
    assert.equal(await cache.get('k'), undefined);

    // Locks: one holder, released only by its token, renewable, expiring by themselves.
    const token = await cache.lock('k', 1000);
    assert.equal(typeof token, 'string');
    assert.equal(await cache.lock('k', 1000), null);
    assert.equal(await cache.unlock('k', 'not-the-token'), false);
    assert.equal(await cache.extendLock('k', 'not-the-token', 5000), false);
    assert.equal(await cache.extendLock('k', token, 5000), true);
    assert.equal(await cache.unlock('k', token), true);
    const second = await cache.lock('k', 50);
    assert.ok(second && second !== token, 'a fresh random token');
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(typeof (await cache.lock('k', 1000)), 'string', 'an abandoned lock expires by itself');

    // Without encryptionKey the value is readable JSON (the README says so), still bound to its key.
    const plain = createRedisTicketCache({ client: redis, keyPrefix });
    await plain.set('p', record, 60_000);
    assert.deepEqual(await plain.get('p'), record);
    assert.ok((await dumpRedis(server.url)).get(`${keyPrefix}p`).includes('secret-ticket-text'));
    assert.equal(await cache.get('p'), undefined, 'a plain value is a miss for a sealing cache');
    assert.equal(await plain.get('k'), undefined);

    // Settings only in inspect and JSON.
    const shown = `${inspect(cache)} ${JSON.stringify(cache)}`;
    assert.ok(!shown.includes(encryptionKey.toString('base64')) && !shown.includes(encryptionKey.toString('hex')));
    assert.match(shown, /encrypted: true/);
  });
}

test('bad options are refused with ERR_INVALID_ARGUMENT; require() gives the same entry', async () => {
  const redis = await connect('node-redis v5');
  assert.equal(createRequire(import.meta.url)('superoffice-auth/redis').createRedisTicketCache, createRedisTicketCache);
  expectInvalid(() => createRedisTicketCache({ client: {} }), /node-redis .* or ioredis/);
  expectInvalid(() => createRedisTicketCache({ client: null }), /client/);
  expectInvalid(() => createRedisTicketCache({ client: redis, encryptionKey: randomBytes(31) }), /32 bytes/);
  expectInvalid(
    () => createRedisTicketCache({ client: redis, encryptionKey: randomBytes(32).toString('base64') }),
    /32 bytes/,
  );
  expectInvalid(() => createRedisTicketCache({ client: redis, keyPrefix: 5 }), /keyPrefix/);
  expectInvalid(() => createRedisTicketCache({ client: redis, commandTimeoutMs: 0 }), /commandTimeoutMs/);
  expectInvalid(() => createRedisTicketCache({ client: redis, ttl: 5 }), /unknown option ttl/);
  expectInvalid(
    () =>
      createSystemUserClient({
        baseUrl: 'http://127.0.0.1:1',
        applicationToken: 'a',
        privateKey: 'k',
        cache: { get() {}, set() {}, delete() {}, lock() {} },
      }),
    /lock and unlock/,
  );
});

test('whatever Redis hands back is untrusted: a broken, moved, foreign or expired value is a miss', async () => {
  const s = await standIn({ tenants: 2 });
  try {
    const redis = await connect('node-redis v5');
    const keyPrefix = `hostile-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32);
    const cache = createRedisTicketCache({ client: redis, keyPrefix, encryptionKey });
    const plainCache = createRedisTicketCache({ client: redis, keyPrefix });
    const otherKeyCache = createRedisTicketCache({ client: redis, keyPrefix, encryptionKey: randomBytes(32) });
    const background = [];
    const client = createSystemUserClient(
      s.options({ cache, systemUserTokens: s.tenants, onBackgroundError: (e) => background.push(e) }),
    );
    const cust1 = await client.getTicket({ contextIdentifier: 'Cust1' });
    const cust2 = await client.getTicket({ contextIdentifier: 'Cust2' });
    const dump = await dumpRedis(server.url);
    const rawKey = (ctx) => [...dump.keys()].find((k) => k.startsWith(keyPrefix) && k.endsWith(`:${ctx}`));
    const key1 = rawKey('Cust1').slice(keyPrefix.length);
    const key2 = rawKey('Cust2').slice(keyPrefix.length);
    const raw1 = dump.get(rawKey('Cust1'));
    const raw2 = dump.get(rawKey('Cust2'));
    const record1 = await cache.get(key1);
    const record2 = await cache.get(key2);
    const flip = (text, at) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const setRaw = (value) => redis.sendCommand(['SET', keyPrefix + key1, value]);
    const TABLE = [
      ['garbage', () => setRaw('not a value')],
      ['an empty string', () => setRaw('')],
      ['truncated', () => setRaw(raw1.slice(0, -5))],
      ['one ciphertext character changed', () => setRaw(flip(raw1, raw1.length - 30))],
      ['its fingerprint changed', () => setRaw(flip(raw1, 5))],
      ['huge', () => setRaw('s1.'.padEnd(200_000, 'A'))],
      ["Cust2's sealed value moved under Cust1's key", () => setRaw(raw2)],
      ['sealed with another encryption key', () => otherKeyCache.set(key1, record1, HOUR)],
      ['a plain value where sealed ones are expected', () => plainCache.set(key1, record1, HOUR)],
      ["Cust2's record sealed for Cust1's key", () => cache.set(key1, record2, HOUR)],
      ['expired: obtained 6 hours ago', () => cache.set(key1, { ...record1, obtainedAt: Date.now() - 6 * HOUR }, HOUR)],
      ['obtained an hour from now', () => cache.set(key1, { ...record1, obtainedAt: Date.now() + HOUR }, HOUR)],
      ['a ticket with CR LF', () => cache.set(key1, { ...record1, ticket: '7T:abc\r\nX-Injected: 1' }, HOUR)],
      ['a ticket that is not a string', () => cache.set(key1, { ...record1, ticket: ['7T:x'] }, HOUR)],
      ['claims not an object', () => cache.set(key1, { ...record1, claims: 'x' }, HOUR)],
      ['an older record version', () => cache.set(key1, { ...record1, v: 1 }, HOUR)],
      [
        'a record of this version without its tag',
        () =>
          cache.set(
            key1,
            (({ mac, ...rest }) => {
              void mac;
              return rest;
            })(record1),
            HOUR,
          ),
      ],
      ['JSON null', () => cache.set(key1, null, HOUR)],
      ['an array', () => cache.set(key1, [record1], HOUR)],
    ];
    let exchanges = s.mock.stats.authenticate;
    for (const [name, plant] of TABLE) {
      await plant();
      const got = await client.getTicket({ contextIdentifier: 'Cust1' });
      exchanges += 1;
      assert.equal(s.mock.stats.authenticate, exchanges, `${name}: a miss, so one exchange`);
      assert.notEqual(got.ticket, cust1.ticket, name);
      assert.notEqual(got.ticket, cust2.ticket, name);
      assert.equal(got.contextIdentifier, 'Cust1', name);
      assert.equal(await callApi(got, await client.authHeaders('Cust1')), 200, name);
    }
    assert.deepEqual(background, [], 'a bad value is a miss, not a failure');

    // Without encryption, a record moved under another tenant's key is refused by the client itself.
    const plainClient = createSystemUserClient(s.options({ cache: plainCache, systemUserTokens: s.tenants }));
    const p2 = await plainClient.getTicket({ contextIdentifier: 'Cust2' });
    await plainCache.set(key1, { ...(await plainCache.get(key2)) }, HOUR);
    const p1 = await plainClient.getTicket({ contextIdentifier: 'Cust1' });
    assert.notEqual(p1.ticket, p2.ticket);
    assert.equal(p1.contextIdentifier, 'Cust1');
  } finally {
    await s.mock.close();
  }
});

test('invalidate reaches the fleet, and a late 401 for an old ticket never drops the new one', async () => {
  const s = await standIn();
  try {
    const keyPrefix = `inv-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32);
    const make = async (kind) =>
      createSystemUserClient(
        s.options({
          cache: createRedisTicketCache({ client: await connect(kind), keyPrefix, encryptionKey }),
          systemUserTokens: s.tenants,
        }),
      );
    const a = await make('ioredis');
    const b = await make('node-redis v4');
    const first = await a.getTicket({ contextIdentifier: 'Cust1' });
    assert.equal((await b.getTicket({ contextIdentifier: 'Cust1' })).ticket, first.ticket);
    s.mock.revokeTicket(first.ticket);
    assert.equal(await a.invalidate('Cust1', { ticket: first.ticket }), true);
    const second = await b.getTicket({ contextIdentifier: 'Cust1' });
    assert.notEqual(second.ticket, first.ticket);
    assert.equal(await callApi(second, await b.authHeaders('Cust1')), 200);
    // b's late 401 for the first ticket: the shared second ticket stays.
    assert.equal(await b.invalidate('Cust1', { ticket: first.ticket }), false);
    assert.equal((await a.getTicket({ contextIdentifier: 'Cust1' })).ticket, second.ticket);
    assert.equal(s.mock.stats.authenticate, 2);
  } finally {
    await s.mock.close();
  }
});

// Starts `count` worker processes; resolves when all are ready. Each { child, result } settles on 'done'.
async function startWorkers(count, configFor) {
  const workers = [];
  for (let i = 0; i < count; i += 1) {
    const child = fork(WORKER, [], {
      env: { ...process.env, FLEET_WORKER_CONFIG: JSON.stringify(configFor(i)) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => reject(new Error(`worker ${i} exited (${code ?? signal}) before ready`)));
      child.on('message', (m) => m.ready && resolve());
    });
    const result = new Promise((resolve) => {
      child.on('message', (m) => m.done && resolve(m));
      child.once('exit', (code, signal) => resolve({ exited: code ?? signal }));
    });
    result.catch(() => {});
    workers.push({ child, ready, result });
  }
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.removeAllListeners('exit');
  for (const w of workers) w.child.once('exit', () => {});
  closers.push(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  });
  return workers;
}

test('8 processes x 50 tenants x 4 callers, three client kinds, sealed: exactly 50 exchanges, no ticket text in Redis', async () => {
  await flushRedis(server.url); // the scan below then sees this fleet's values only, every one of them
  const s = await standIn({ tenants: 50 });
  try {
    const keyPrefix = `fleet-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32).toString('base64');
    const workers = await startWorkers(8, (i) => ({
      clientKind: CLIENT_KINDS[i % CLIENT_KINDS.length],
      redisUrl: server.url,
      keyPrefix,
      encryptionKey,
      baseUrl: s.mock.baseUrl,
      applicationToken: s.applicationToken,
      privateKey: s.keys.pkcs8,
      // A generous timeoutMs: on a loaded 2-core machine a process that holds many locks signs for
      // seconds, and a waiter that gives up would exchange on its own (correct, but not exactly 50).
      tenants: s.tenants,
      callers: 4,
      timeoutMs: 30_000,
      checkApi: true,
    }));
    for (const w of workers) w.child.send('go');
    const results = await Promise.all(workers.map((w) => w.result));
    const handedOut = new Map();
    for (const [i, r] of results.entries()) {
      assert.deepEqual(r.errors, [], `worker ${i}: no caller error`);
      assert.deepEqual(r.background, [], `worker ${i}: no background error`);
      assert.equal(Object.keys(r.tickets).length, 50);
      for (const [ctx, tickets] of Object.entries(r.tickets)) {
        assert.equal(tickets.length, 1, `worker ${i}: one ticket for ${ctx}`);
        if (handedOut.has(ctx))
          assert.equal(tickets[0], handedOut.get(ctx), `${ctx}: the same ticket in every process`);
        handedOut.set(ctx, tickets[0]);
        assert.equal(r.statuses[ctx], 200, `worker ${i}: ${ctx}'s ticket accepted by its tenant API`);
      }
    }
    assert.equal(s.mock.stats.authenticate, 50, 'one exchange per tenant across the fleet');
    for (const ctx of Object.keys(s.tenants)) assert.equal(s.mock.stats.tenants[ctx].authenticate, 1, ctx);

    // Every value in Redis: no ticket, no claim, nothing readable.
    const dump = await dumpRedis(server.url);
    assert.equal(dump.size, 50, 'one record per tenant; no lock or retry record left behind');
    for (const key of dump.keys()) assert.ok(key.startsWith(keyPrefix), key);
    for (const [key, value] of dump) {
      for (const ticket of handedOut.values()) {
        assert.ok(!value.includes(ticket) && !value.includes(ticket.slice(3, 40)), `${key} holds ticket text`);
      }
      // Base64url has no ':' and no '/', so neither can appear by chance.
      assert.ok(
        !value.includes('7T:') && !value.includes('schemes.superoffice.net/') && !value.includes('://'),
        `${key} holds readable text`,
      );
    }
  } finally {
    await s.mock.close();
  }
});

test('kill -9 of the lock holder in the middle of a slow exchange: another process finishes within lock TTL + timeoutMs', async (t) => {
  const s = await standIn();
  try {
    const timeoutMs = 4000;
    const lockTtlMs = timeoutMs / 2; // the client's choice for this timeoutMs
    const keyPrefix = `kill-${randomBytes(4).toString('hex')}:`;
    const config = (i) => ({
      clientKind: CLIENT_KINDS[i % CLIENT_KINDS.length],
      redisUrl: server.url,
      keyPrefix,
      baseUrl: s.mock.baseUrl,
      applicationToken: s.applicationToken,
      privateKey: s.keys.pkcs8,
      tenants: s.tenants,
      callers: 2,
      timeoutMs,
      checkApi: true,
    });
    // Everyone connected first; then the holder's exchange hangs (3 s of stand-in latency, once) and
    // the holder dies inside it, while the others wait for it.
    const [holder, ...others] = await startWorkers(4, config);
    s.mock.injectFault('latency', { ms: 3000, times: 1, endpoint: 'authenticate' });
    holder.child.send('go');
    await eventually(() => s.mock.stats.authenticate === 1, 10_000);
    for (const w of others) w.child.send('go');
    await new Promise((resolve) => setTimeout(resolve, 200)); // they find the lock taken and wait
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    const results = await Promise.all(others.map((w) => w.result));
    const took = Date.now() - killedAt;
    t.diagnostic(
      `the survivors had their ticket ${took} ms after the kill (lock TTL ${lockTtlMs} + timeoutMs ${timeoutMs})`,
    );
    assert.ok(took <= lockTtlMs + timeoutMs, `finished ${took} ms after the kill`);
    const tickets = new Set();
    for (const r of results) {
      assert.deepEqual(r.errors, []);
      assert.equal(r.statuses.Cust1, 200);
      for (const t of r.tickets.Cust1) tickets.add(t);
    }
    assert.equal(tickets.size, 1, 'the survivors share one ticket');
    assert.equal(s.mock.stats.authenticate, 2, "the dead holder's exchange and one more");
  } finally {
    await s.mock.close();
  }
});

test('Redis paused, stopped and restarted under load: no caller fails or waits past timeoutMs, sharing resumes', async () => {
  const s = await standIn({ tenants: 10 });
  try {
    const timeoutMs = 3000;
    const keyPrefix = `restart-${randomBytes(4).toString('hex')}:`;
    const encryptionKey = randomBytes(32);
    const background = [];
    const clients = [];
    for (const kind of CLIENT_KINDS) {
      const redis = await connect(kind);
      clients.push(
        createSystemUserClient(
          s.options({
            cache: createRedisTicketCache({ client: redis, keyPrefix, encryptionKey }),
            systemUserTokens: s.tenants,
            timeoutMs,
            onBackgroundError: (err, info) => background.push(`${info.during} ${err.name}: ${err.message}`),
          }),
        ),
      );
    }
    const tenants = Object.keys(s.tenants);
    const failures = [];
    let slowest = 0;
    let running = true;
    // Callers in every "process", all the time, for the first 8 tenants.
    const load = clients.map(async (client) => {
      while (running) {
        await Promise.all(
          tenants.slice(0, 8).map(async (contextIdentifier) => {
            const started = Date.now();
            try {
              const result = await client.getTicket({ contextIdentifier });
              if (!result.ticket.startsWith('7T:')) failures.push('not a ticket');
            } catch (err) {
              failures.push(`${contextIdentifier}: ${err.code}`);
            }
            slowest = Math.max(slowest, Date.now() - started);
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    await eventually(() => s.mock.stats.authenticate >= 8, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(s.mock.stats.authenticate, 8, 'shared while Redis is up');

    // Slow: the server stops answering (SIGSTOP), every command hangs until its timeout.
    const pid = await dumpRedisPid();
    process.kill(pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // A tenant nobody asked for yet, while Redis hangs: obtained locally, within timeoutMs.
    const startedNew = Date.now();
    await clients[0].getTicket({ contextIdentifier: 'Cust9' });
    assert.ok(Date.now() - startedNew < timeoutMs);
    process.kill(pid, 'SIGCONT');

    // Down: stopped, then started again (empty: no persistence).
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server.start();
    running = false;
    await Promise.all(load);
    assert.deepEqual(failures, [], 'no caller failed');
    assert.ok(slowest < timeoutMs, `slowest call ${slowest} ms`);
    assert.ok(background.length > 0 && background.every((d) => d.startsWith('cache.')), 'the trouble was reported');
    for (const line of background)
      assert.ok(!line.includes('7T:') && !line.includes(s.applicationToken), `no secret in ${line}`);

    // Sharing resumes by itself: once the clients reconnect and their pause ends, a new tenant asked by
    // all three "processes" at once costs one exchange, and its record is in Redis.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    const before = s.mock.stats.authenticate;
    const results = await Promise.all(clients.map((client) => client.getTicket({ contextIdentifier: 'Cust10' })));
    assert.equal(new Set(results.map((r) => r.ticket)).size, 1);
    assert.equal(s.mock.stats.authenticate, before + 1);
    const keys = [...(await dumpRedis(server.url)).keys()].filter((k) => k.startsWith(keyPrefix));
    assert.ok(keys.some((k) => k.endsWith(':Cust10')));
  } finally {
    await s.mock.close();
  }
});

async function dumpRedisPid() {
  const { client, close } = await connectRedis('ioredis', server.url);
  try {
    const info = await client.info('server');
    return Number(/process_id:(\d+)/.exec(info)[1]);
  } finally {
    close();
  }
}
