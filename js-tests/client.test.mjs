// createSystemUserClient end to end: real fetch over loopback against the node:crypto stand-in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createHash } from 'node:crypto';
import {
  createSystemUserClient,
  createMemoryCache,
  createRefreshTokenClient,
  SuperOfficeAuthError,
  authHeaders,
} from 'superoffice-auth';
import { standIn, assertNoSecrets, fakeClock, eventually, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { makeKeyPair } from './helpers/independent.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const HOUR = 60 * 60 * 1000;

async function expectCode(promise, code, extra = {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${err?.stack}`);
    assert.equal(err.code, code, err.message);
    for (const [name, value] of Object.entries(extra)) assert.equal(err[name], value, name);
    return true;
  });
}

async function callApi(result, headers) {
  const res = await fetch(new URL('v1/User/currentPrincipal', result.webapiUrl), { headers });
  return { status: res.status, body: await res.json() };
}

for (const transport of ['soap', 'rest']) {
  test(`${transport}: a ticket over loopback, accepted by the tenant API`, async () => {
    const s = await standIn();
    try {
      const client = createSystemUserClient(s.options({ transport }));
      const result = await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
      assert.match(result.ticket, /^7T:/);
      assert.equal(result.contextIdentifier, 'Cust1');
      assert.equal(result.webapiUrl, `${s.mock.baseUrl}/Cust1/api/`);
      assert.equal(result.isAdministrator, false);
      assert.ok(result.expiresAt instanceof Date && result.expiresAt > Date.now());
      assert.ok(result.obtainedAt instanceof Date);
      const headers = await client.authHeaders('Cust1');
      assert.deepEqual(headers, authHeaders(result.ticket, s.applicationToken));
      const api = await callApi(result, headers);
      assert.equal(api.status, 200);
      assert.equal(api.body.ContextIdentifier, 'Cust1');
      const { stats } = s.mock;
      assert.equal(stats[transport], 1);
      assert.equal(stats.authenticate, 1);
      assert.equal(stats.jwks, 1);
    } finally {
      await s.mock.close();
    }
  });
}

test('the key works as PKCS#8, PKCS#1 and .NET XML', async () => {
  const s = await standIn();
  try {
    for (const privateKey of [s.keys.pkcs8, s.keys.pkcs1, s.keys.xml]) {
      const client = createSystemUserClient(s.options({ privateKey }));
      const result = await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
      assert.match(result.ticket, /^7T:/);
    }
    assert.equal(s.mock.stats.authenticate, 3);
  } finally {
    await s.mock.close();
  }
});

test('1000 concurrent getTicket calls for 5 tenants make exactly 5 exchanges', async () => {
  const s = await standIn({ tenants: 5 });
  try {
    const client = createSystemUserClient(s.options());
    const ids = Object.keys(s.tenants);
    const calls = Array.from({ length: 1000 }, (_, i) => {
      const contextIdentifier = ids[i % ids.length];
      return client.getTicket({ contextIdentifier, systemUserToken: s.tenants[contextIdentifier] });
    });
    const results = await Promise.all(calls);
    const { stats } = s.mock;
    assert.equal(stats.authenticate, 5);
    assert.equal(stats.jwks, 1, 'one key set fetch shared by all tenants');
    for (const id of ids) assert.equal(stats.tenants[id].authenticate, 1, id);
    const byTenant = new Map();
    results.forEach((result, i) => {
      const id = ids[i % ids.length];
      assert.equal(result.contextIdentifier, id);
      if (!byTenant.has(id)) byTenant.set(id, result.ticket);
      assert.equal(result.ticket, byTenant.get(id), 'one ticket per tenant');
    });
    assert.equal(new Set(byTenant.values()).size, 5);
    assert.notEqual(results[0], results[5], 'each caller gets its own result object');
    // Later calls come from the cache.
    await Promise.all(ids.map((id) => client.getTicket({ contextIdentifier: id })));
    assert.equal(s.mock.stats.authenticate, 5);
  } finally {
    await s.mock.close();
  }
});

test('refresh-ahead: in the refresh window the cached ticket is served and renewed in the background', async () => {
  const now = fakeClock();
  const s = await standIn({ mockOptions: { now } });
  try {
    const client = createSystemUserClient(s.options({ now, ticketTtlSeconds: 3600, refreshAheadSeconds: 600 }));
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    const first = await client.getTicket(params);
    now.advance(49 * 60 * 1000); // before the window: cache
    assert.equal((await client.getTicket(params)).ticket, first.ticket);
    assert.equal(s.mock.stats.authenticate, 1);
    now.advance(2 * 60 * 1000); // 51 min: inside the last 10 minutes
    const during = await client.getTicket(params);
    assert.equal(during.ticket, first.ticket, 'answered at once with the cached ticket');
    await eventually(() => s.mock.stats.authenticate === 2);
    let renewed;
    for (let i = 0; i < 100; i += 1) {
      renewed = await client.getTicket(params);
      if (renewed.ticket !== first.ticket) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.notEqual(renewed.ticket, first.ticket);
    assert.equal(s.mock.stats.authenticate, 2, 'one background exchange');
  } finally {
    await s.mock.close();
  }
});

test('past its cache lifetime a ticket is fetched again before answering', async () => {
  const now = fakeClock();
  const s = await standIn({ mockOptions: { now } });
  try {
    const client = createSystemUserClient(s.options({ now, ticketTtlSeconds: 3600, refreshAheadSeconds: 0 }));
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    const first = await client.getTicket(params);
    now.advance(HOUR);
    const second = await client.getTicket(params);
    assert.notEqual(second.ticket, first.ticket);
    assert.equal(s.mock.stats.authenticate, 2);
  } finally {
    await s.mock.close();
  }
});

test('the default cache lifetime stays inside the 6-hour sliding window of an unused ticket', async () => {
  const now = fakeClock();
  const s = await standIn({ mockOptions: { now } });
  try {
    const client = createSystemUserClient(s.options({ now }));
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    const first = await client.getTicket(params);
    // Never used, served from the cache until just before its cache lifetime ends: SuperOffice still takes it.
    now.advance(5 * HOUR - 6 * 60 * 1000);
    const cached = await client.getTicket(params);
    assert.equal(cached.ticket, first.ticket);
    assert.equal((await callApi(cached, await client.authHeaders('Cust1'))).status, 200);
    // The stand-in slides like SuperOffice: unused for 6 hours, the ticket is dead; the client had moved on.
    now.advance(6 * HOUR + 1000);
    assert.equal((await callApi(cached, authHeaders(cached.ticket, s.applicationToken))).status, 401);
    const fresh = await client.getTicket(params);
    assert.notEqual(fresh.ticket, first.ticket);
    assert.equal((await callApi(fresh, await client.authHeaders('Cust1'))).status, 200);
  } finally {
    await s.mock.close();
  }
});

test('invalidate forgets the ticket; invalidate with an outdated ticket does nothing', async () => {
  const s = await standIn();
  try {
    const client = createSystemUserClient(s.options());
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    const first = await client.getTicket(params);
    s.mock.revokeTicket(first.ticket);
    assert.equal((await callApi(first, await client.authHeaders('Cust1'))).status, 401);
    assert.equal(await client.invalidate('Cust1', { ticket: first.ticket }), true);
    const second = await client.getTicket(params);
    assert.notEqual(second.ticket, first.ticket);
    assert.equal((await callApi(second, await client.authHeaders('Cust1'))).status, 200);
    // A late 401 for the old ticket must not throw away the new one.
    assert.equal(await client.invalidate('Cust1', { ticket: first.ticket }), false);
    assert.equal((await client.getTicket(params)).ticket, second.ticket);
    assert.equal(s.mock.stats.authenticate, 2);
    // Without a ticket, whatever is cached goes.
    assert.equal(await client.invalidate('Cust1'), true);
    assert.notEqual((await client.getTicket(params)).ticket, second.ticket);
    assert.equal(s.mock.stats.authenticate, 3);
  } finally {
    await s.mock.close();
  }
});

// Each injected fault, once, and the code the client must turn it into.
const FAULT_TABLE = [
  ['soap', 'httpError', {}, 'ERR_HTTP_STATUS', { status: 500 }],
  ['rest', 'httpError', { status: 503 }, 'ERR_HTTP_STATUS', { status: 503 }],
  ['soap', 'soapFault', { faultString: 'boom' }, 'ERR_SOAP_FAULT', { faultCode: 's:Client', faultString: 'boom' }],
  ['soap', 'malformed', {}, 'ERR_RESPONSE_MALFORMED', {}],
  ['rest', 'malformed', {}, 'ERR_RESPONSE_MALFORMED', {}],
  ['soap', 'expiredJwt', {}, 'ERR_JWT_EXPIRED', {}],
  ['rest', 'expiredJwt', {}, 'ERR_JWT_EXPIRED', {}],
  ['soap', 'badSignature', {}, 'ERR_JWT_SIGNATURE_INVALID', {}],
  ['rest', 'badSignature', {}, 'ERR_JWT_SIGNATURE_INVALID', {}],
  ['soap', 'noTicket', {}, 'ERR_TICKET_MISSING', {}],
  ['soap', 'deny', { reason: 'Revoked' }, 'ERR_TICKET_DENIED', { reason: 'Revoked' }],
  ['rest', 'deny', { reason: 'NeedsReapproval' }, 'ERR_TICKET_DENIED', { reason: 'NeedsReapproval' }],
  ['soap', 'drop', {}, 'ERR_FETCH_FAILED', {}],
  ['rest', 'drop', {}, 'ERR_FETCH_FAILED', {}],
  ['soap', 'redirect', {}, 'ERR_FETCH_FAILED', { status: 302 }], // redirect: 'manual', 3xx refused
  ['soap', 'latency', { ms: 1500 }, 'ERR_TIMEOUT', {}],
  ['rest', 'latency', { ms: 1500 }, 'ERR_TIMEOUT', {}],
  ['soap', 'httpError', { endpoint: 'jwks', status: 500 }, 'ERR_HTTP_STATUS', { status: 500 }],
  ['soap', 'malformed', { endpoint: 'jwks' }, 'ERR_KEYSET_INVALID', {}],
  ['soap', 'latency', { endpoint: 'jwks', ms: 1500 }, 'ERR_TIMEOUT', {}],
  ['soap', 'drop', { endpoint: 'jwks' }, 'ERR_FETCH_FAILED', {}],
];

test('every injected fault ends in its error code, is not cached, and leaks nothing', async () => {
  const s = await standIn();
  try {
    for (const [transport, type, faultOptions, code, extra] of FAULT_TABLE) {
      const label = `${transport} ${type} ${JSON.stringify(faultOptions)}`;
      const client = createSystemUserClient(s.options({ transport, timeoutMs: 400 }));
      const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
      s.mock.injectFault(type, { times: 1, ...faultOptions });
      let caught;
      await assert.rejects(
        client.getTicket(params),
        (err) => {
          caught = err;
          return true;
        },
        label,
      );
      assert.ok(caught instanceof SuperOfficeAuthError, `${label}: ${caught?.stack}`);
      assert.equal(caught.code, code, `${label}: ${caught.message}`);
      for (const [name, value] of Object.entries(extra)) assert.equal(caught[name], value, `${label}: ${name}`);
      assertNoSecrets(assert, `${caught.message} ${inspect(caught, { depth: 5 })}`, s.secrets, label);
      // Not cached: the next call asks again and succeeds.
      const result = await client.getTicket(params);
      assert.match(result.ticket, /^7T:/, label);
    }
  } finally {
    await s.mock.close();
  }
});

test("SuperOffice's refusals arrive as ERR_TICKET_DENIED with the reason", async () => {
  const s = await standIn({ tenants: 2 });
  try {
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    const other = makeKeyPair(2048);
    await expectCode(
      createSystemUserClient(s.options({ privateKey: other.pkcs8 })).getTicket(params),
      'ERR_TICKET_DENIED',
      { reason: 'InvalidSignature' },
    );
    // A clock 10 minutes off signs a timestamp outside the server's window.
    const skewed = () => Date.now() - 10 * 60 * 1000;
    await expectCode(
      createSystemUserClient(s.options({ now: skewed, leewaySeconds: 900 })).getTicket(params),
      'ERR_TICKET_DENIED',
      { reason: 'InvalidTimestamp' },
    );
    await expectCode(
      createSystemUserClient(s.options({ applicationToken: 'not-registered' })).getTicket(params),
      'ERR_TICKET_DENIED',
      { reason: 'Denied' },
    );
    await expectCode(
      createSystemUserClient(s.options()).getTicket({ contextIdentifier: 'Cust1', systemUserToken: 'wrong' }),
      'ERR_TICKET_DENIED',
      { reason: 'Denied' },
    );
    s.mock.setTenantStatus('Cust2', 'NeedsReapproval');
    await expectCode(
      createSystemUserClient(s.options({ transport: 'rest' })).getTicket({
        contextIdentifier: 'Cust2',
        systemUserToken: s.tenants.Cust2,
      }),
      'ERR_TICKET_DENIED',
      { reason: 'NeedsReapproval' },
    );
  } finally {
    await s.mock.close();
  }
});

test('a failed exchange rejects every waiter with the same error and is not cached', async () => {
  const s = await standIn();
  try {
    const client = createSystemUserClient(s.options());
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    s.mock.injectFault('httpError', { times: 1, endpoint: 'authenticate' });
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => client.getTicket(params)));
    assert.ok(settled.every((r) => r.status === 'rejected'));
    const [first] = settled;
    assert.equal(first.reason.code, 'ERR_HTTP_STATUS');
    for (const r of settled) assert.equal(r.reason, first.reason, 'the same error object');
    assert.equal(s.mock.stats.authenticate, 1);
    await client.getTicket(params);
    assert.equal(s.mock.stats.authenticate, 2);
  } finally {
    await s.mock.close();
  }
});

test('timeouts fire at timeoutMs', async () => {
  const s = await standIn();
  try {
    const client = createSystemUserClient(s.options({ timeoutMs: 100 }));
    s.mock.injectFault('latency', { ms: 2000, times: 1, endpoint: 'authenticate' });
    const started = Date.now();
    await expectCode(client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 }), 'ERR_TIMEOUT');
    const took = Date.now() - started;
    assert.ok(took < 1500, `took ${took} ms`);
  } finally {
    await s.mock.close();
  }
});

test('a rotated signing key is picked up through a JWKS refetch, at most once per cooldown', async () => {
  const now = fakeClock();
  const s = await standIn({ tenants: 3, mockOptions: { now } });
  try {
    const client = createSystemUserClient(s.options({ now, jwksCooldownMs: 30_000 }));
    const t = (id) => ({ contextIdentifier: id, systemUserToken: s.tenants[id] });
    await client.getTicket(t('Cust1'));
    assert.equal(s.mock.stats.jwks, 1);
    s.mock.rotateSigningKey();
    now.advance(10_000);
    // Within the cooldown: the unknown kid is an error, and the JWKS is not fetched again.
    await expectCode(client.getTicket(t('Cust2')), 'ERR_JWT_KEY_NOT_FOUND');
    assert.equal(s.mock.stats.jwks, 1);
    now.advance(21_000);
    // Cooldown over: one refetch, and the same response is validated again (no second exchange).
    const before = s.mock.stats.authenticate;
    await client.getTicket(t('Cust2'));
    assert.equal(s.mock.stats.jwks, 2);
    assert.equal(s.mock.stats.authenticate, before + 1);
    // Known key now: no more fetches.
    await client.getTicket(t('Cust3'));
    assert.equal(s.mock.stats.jwks, 2);
  } finally {
    await s.mock.close();
  }
});

test("the JWKS is fetched again once older than jwksMaxAgeMs (default 10 minutes), on the client's clock", async () => {
  const now = fakeClock();
  const s = await standIn({ tenants: 6, mockOptions: { now } });
  try {
    const t = (id) => ({ contextIdentifier: id, systemUserToken: s.tenants[id] });
    const client = createSystemUserClient(s.options({ now }));
    await client.getTicket(t('Cust1'));
    assert.equal(s.mock.stats.jwks, 1);
    now.advance(10 * 60_000 - 1);
    await client.getTicket(t('Cust2'));
    assert.equal(s.mock.stats.jwks, 1, 'younger than 10 minutes: reused');
    now.advance(1);
    await client.getTicket(t('Cust3'));
    assert.equal(s.mock.stats.jwks, 2, '10 minutes old: fetched again');
    // Past its age and the refetch fails: the JWKS is not used, the caller gets the fetch's error, and
    // the next call fetches again.
    now.advance(10 * 60_000);
    s.mock.injectFault('httpError', { endpoint: 'jwks', times: 1, status: 503 });
    await expectCode(client.getTicket(t('Cust4')), 'ERR_HTTP_STATUS');
    assert.equal(s.mock.stats.authenticate, 3, 'no exchange without keys');
    await client.getTicket(t('Cust4'));
    assert.equal(s.mock.stats.jwks, 4);

    const minute = createSystemUserClient(s.options({ now, jwksMaxAgeMs: 60_000 }));
    await minute.getTicket(t('Cust5'));
    const fetched = s.mock.stats.jwks;
    now.advance(60_000);
    await minute.getTicket(t('Cust6'));
    assert.equal(s.mock.stats.jwks, fetched + 1);

    const forever = createSystemUserClient(s.options({ now, jwksMaxAgeMs: Infinity }));
    await forever.getTicket(t('Cust1'));
    now.advance(24 * 60 * 60_000);
    await forever.getTicket(t('Cust2'));
    assert.equal(s.mock.stats.jwks, fetched + 2, 'Infinity: only an unknown key refetches');

    for (const jwksMaxAgeMs of [999, -1, Number.NaN, '600000', -Infinity]) {
      assert.throws(
        () => createSystemUserClient(s.options({ jwksMaxAgeMs })),
        { code: 'ERR_INVALID_ARGUMENT' },
        String(jwksMaxAgeMs),
      );
      const refreshOptions = {
        baseUrl: s.mock.baseUrl,
        issuer: s.mock.issuer,
        clientId: 'c',
        clientSecret: 's',
        refreshToken: 'r',
        jwksMaxAgeMs,
      };
      assert.throws(
        () => createRefreshTokenClient(refreshOptions),
        { code: 'ERR_INVALID_ARGUMENT' },
        String(jwksMaxAgeMs),
      );
    }
  } finally {
    await s.mock.close();
  }
});

test('concurrent tenants meeting a rotated key share one JWKS refetch', async () => {
  const s = await standIn({ tenants: 5 });
  try {
    const client = createSystemUserClient(s.options({ jwksCooldownMs: 0 }));
    await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
    s.mock.rotateSigningKey({ keepOld: true });
    const ids = ['Cust2', 'Cust3', 'Cust4', 'Cust5'];
    await Promise.all(ids.map((id) => client.getTicket({ contextIdentifier: id, systemUserToken: s.tenants[id] })));
    assert.equal(s.mock.stats.jwks, 2);
    assert.equal(s.mock.stats.authenticate, 5);
  } finally {
    await s.mock.close();
  }
});

test('pinned keys: no JWKS fetch at all', async () => {
  const s = await standIn();
  try {
    for (const keys of [
      s.mock.signingPublicKeyPem(),
      await (await fetch(`${s.mock.baseUrl}/login/.well-known/jwks`)).json(),
    ]) {
      s.mock.resetStats();
      const client = createSystemUserClient(s.options({ keys }));
      await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
      assert.equal(s.mock.stats.jwks, 0);
      assert.equal(s.mock.stats.authenticate, 1);
    }
  } finally {
    await s.mock.close();
  }
});

/** A store like Redis: values go through JSON, so Dates and functions would not survive. */
function jsonStore() {
  const data = new Map();
  return {
    data,
    async get(key) {
      return data.has(key) ? JSON.parse(data.get(key)) : undefined;
    },
    async set(key, value, ttlMs) {
      assert.ok(Number.isFinite(ttlMs) && ttlMs > 0);
      data.set(key, JSON.stringify(value));
    },
    async delete(key) {
      data.delete(key);
    },
  };
}

test('a shared cache: a second client (another process) reuses the ticket; dates revive', async () => {
  const s = await standIn();
  try {
    const store = jsonStore();
    const a = createSystemUserClient(s.options({ cache: store }));
    const first = await a.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
    const b = createSystemUserClient(s.options({ cache: store }));
    // No system user token needed when the ticket is cached.
    const second = await b.getTicket({ contextIdentifier: 'Cust1' });
    assert.equal(second.ticket, first.ticket);
    assert.ok(second.expiresAt instanceof Date);
    assert.equal(second.expiresAt.getTime(), first.expiresAt.getTime());
    assert.equal(second.obtainedAt.getTime(), first.obtainedAt.getTime());
    assert.equal(s.mock.stats.authenticate, 1);
    const [key] = store.data.keys();
    assert.match(key, /^superoffice-auth:v1:[0-9a-f]{16}:Cust1$/);
    // The name is SHA-256 of login host and application token (the core's, checked against node:crypto),
    // so records written by earlier versions are still found.
    const appHash = createHash('sha256').update(`${s.mock.baseUrl}\n${s.applicationToken}`).digest('hex').slice(0, 16);
    assert.equal(key, `superoffice-auth:v1:${appHash}:Cust1`);
    assertNoSecrets(assert, key, s.secrets, 'cache key');
    // invalidate from one process is seen by the other.
    await b.invalidate('Cust1');
    assert.equal(store.data.size, 0);
    // Another application using the same store gets its own entry.
    const other = createSystemUserClient(s.options({ cache: store, applicationToken: 'another-app' }));
    await assert.rejects(other.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 }));
    await a.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
    // One ticket (the other application's denied exchange asked the state API, whose answer sits beside
    // the tickets under its own application's name).
    assert.equal([...store.data.keys()].filter((k) => k.startsWith('superoffice-auth:v1:')).length, 1);
    // Garbage in the store is a miss, not a crash.
    const ticketKey = [...store.data.keys()].find((k) => k.startsWith('superoffice-auth:v1:'));
    store.data.set(ticketKey, JSON.stringify({ something: 'else' }));
    assert.match((await a.getTicket({ contextIdentifier: 'Cust1' })).ticket, /^7T:/);
  } finally {
    await s.mock.close();
  }
});

test('a failing background refresh keeps serving the cached ticket and is reported, not thrown', async () => {
  const now = fakeClock();
  const s = await standIn({ mockOptions: { now } });
  try {
    const reported = [];
    const client = createSystemUserClient(
      s.options({
        now,
        ticketTtlSeconds: 3600,
        refreshAheadSeconds: 600,
        onBackgroundError: (err, info) => reported.push([err.code, info.during]),
      }),
    );
    const params = { contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 };
    const first = await client.getTicket(params);
    now.advance(55 * 60 * 1000);
    s.mock.injectFault('httpError', { times: 1 });
    assert.equal((await client.getTicket(params)).ticket, first.ticket);
    await eventually(() => reported.length === 1);
    assert.deepEqual(reported, [['ERR_HTTP_STATUS', 'refresh']]);
    // No retry storm: the next calls within the back-off are served from the cache without a request.
    const before = s.mock.stats.authenticate;
    for (let i = 0; i < 20; i += 1) assert.equal((await client.getTicket(params)).ticket, first.ticket);
    assert.equal(s.mock.stats.authenticate, before);
  } finally {
    await s.mock.close();
  }
});

test('systemUserTokens option: authHeaders(contextIdentifier) alone is enough', async () => {
  const s = await standIn({ tenants: 2 });
  try {
    const lookups = [];
    const client = createSystemUserClient(
      s.options({
        systemUserTokens: async (id) => {
          lookups.push(id);
          return s.tenants[id];
        },
      }),
    );
    const headers = await client.authHeaders('Cust2');
    assert.match(headers.Authorization, /^SOTicket 7T:/);
    assert.equal(headers['SO-AppToken'], s.applicationToken);
    assert.deepEqual(lookups, ['Cust2']);
    const byObject = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    assert.match((await byObject.getTicket({ contextIdentifier: 'Cust1' })).ticket, /^7T:/);
    await expectCode(createSystemUserClient(s.options()).authHeaders('Cust1'), 'ERR_INVALID_ARGUMENT');
  } finally {
    await s.mock.close();
  }
});

test('a caller-supplied fetch is used, with redirect: manual and a timeout signal', async () => {
  const s = await standIn();
  try {
    const seen = [];
    const client = createSystemUserClient(
      s.options({
        fetch: (url, init) => {
          seen.push({ url: String(url), redirect: init.redirect, signal: init.signal instanceof AbortSignal });
          return fetch(url, init);
        },
      }),
    );
    await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
    assert.deepEqual(
      seen.map((r) => r.url),
      [`${s.mock.baseUrl}/login/.well-known/jwks`, `${s.mock.baseUrl}/login/services/PartnerSystemUserService.svc`],
    );
    assert.ok(seen.every((r) => r.redirect === 'manual' && r.signal));
    // A fetch that throws synchronously or returns an oversized body.
    const throwing = createSystemUserClient(
      s.options({
        fetch: () => {
          throw new Error('no network');
        },
      }),
    );
    await expectCode(
      throwing.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 }),
      'ERR_FETCH_FAILED',
    );
    const huge = createSystemUserClient(
      s.options({
        fetch: async () =>
          new Response('x'.repeat(2 * 1024 * 1024), { headers: { 'content-type': 'application/json' } }),
      }),
    );
    await expectCode(
      huge.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 }),
      'ERR_RESPONSE_TOO_LARGE',
    );
  } finally {
    await s.mock.close();
  }
});

test('no secret is reachable through inspect, console.log or JSON', async () => {
  const s = await standIn();
  try {
    for (const privateKey of [s.keys.pkcs8, s.keys.xml]) {
      const client = createSystemUserClient(s.options({ privateKey, systemUserTokens: s.tenants }));
      const result = await client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: s.tenants.Cust1 });
      const views = [
        inspect(client, { depth: Infinity, showHidden: true }),
        JSON.stringify(client),
        String(Object.keys(client)),
        inspect(createMemoryCache(), { depth: Infinity }),
      ];
      for (const view of views) {
        assertNoSecrets(assert, view, s.secrets, 'client view');
        assert.ok(!view.includes(result.ticket), 'client view shows the ticket');
      }
      // The result prints without its ticket, yet JSON (an explicit request) has it.
      assert.ok(!inspect(result, { depth: Infinity }).includes(result.ticket));
      assert.ok(JSON.stringify(result).includes(result.ticket));
    }
  } finally {
    await s.mock.close();
  }
});

// Each entry builds the options from the stand-in set-up `s`.
const BAD_OPTIONS = [
  ['no options', () => undefined],
  ['no applicationToken', (s) => ({ baseUrl: s.mock.baseUrl, privateKey: s.keys.pkcs8 })],
  ['no privateKey', (s) => ({ baseUrl: s.mock.baseUrl, applicationToken: 'a' })],
  ['both environment and baseUrl', (s) => s.options({ environment: 'sod' })],
  ['neither environment nor baseUrl', (s) => ({ applicationToken: 'a', privateKey: s.keys.pkcs8 })],
  ['baseUrl not a URL', (s) => s.options({ baseUrl: 'not a url' })],
  ['ftp baseUrl', (s) => s.options({ baseUrl: 'ftp://example.com' })],
  ['unknown environment', (s) => ({ environment: 'moon', applicationToken: 'a', privateKey: s.keys.pkcs8 })],
  ['unknown option (typo)', (s) => s.options({ timeout: 5 })],
  ['bad transport', (s) => s.options({ transport: 'xml' })],
  ['ttl over 6 hours', (s) => s.options({ ticketTtlSeconds: 6 * 3600 + 1 })],
  ['refresh-ahead not below ttl', (s) => s.options({ ticketTtlSeconds: 600, refreshAheadSeconds: 600 })],
  ['negative timeout', (s) => s.options({ timeoutMs: -1 })],
  ['cache without delete', (s) => s.options({ cache: { get() {}, set() {} } })],
  ['fetch not a function', (s) => s.options({ fetch: 'yes' })],
];

test('bad options are refused with ERR_INVALID_ARGUMENT, a bad key with its key code', async () => {
  const s = await standIn();
  try {
    for (const [label, build] of BAD_OPTIONS) {
      assert.throws(
        () => createSystemUserClient(build(s)),
        (err) => err instanceof SuperOfficeAuthError && err.code === 'ERR_INVALID_ARGUMENT',
        label,
      );
    }
    assert.throws(
      () => createSystemUserClient(s.options({ privateKey: 'not a key' })),
      (err) => err.code === 'ERR_KEY_INVALID' || err.code === 'ERR_KEY_UNSUPPORTED',
    );
    const client = createSystemUserClient(s.options());
    await expectCode(client.getTicket({}), 'ERR_INVALID_ARGUMENT');
    await expectCode(client.getTicket({ contextIdentifier: 'Cust1' }), 'ERR_INVALID_ARGUMENT');
    await expectCode(client.getTicket({ contextIdentifier: 'Cust1', systemUserToken: '' }), 'ERR_INVALID_ARGUMENT');
    await expectCode(client.invalidate(''), 'ERR_INVALID_ARGUMENT');
    assert.equal(s.mock.stats.authenticate, 0);
  } finally {
    await s.mock.close();
  }
});
