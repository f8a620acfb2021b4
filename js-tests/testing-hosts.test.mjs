// The stand-in's hosts, tenant state API and rate limits, driven over HTTP by hand-built requests (the
// exchange signed with node:crypto, calls made with node:http so that each is exactly one request:
// Node's fetch repeats a request by itself on a 421). What SuperOffice documents and the stand-in
// follows (SuperOfficeDocs/superoffice-docs): docs/en/apps/tenant-status/check-status.md and
// status-page.md (the state API), docs/en/developer-portal/best-practices/tenant-status/check-status.md
// (the 421 note, hosts that change), docs/en/developer-portal/includes/app-envir-intro.md (login and
// tenant hosts per environment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createPublicKey, sign, verify } from 'node:crypto';
import { startMockSuperOffice, FAULTS } from 'superoffice-auth/testing';
import { parseTenantState } from 'superoffice-auth';
import { IDENTITY, makeKeyPair } from './helpers/independent.mjs';
import { fakeClock } from './helpers/stand-in.mjs';

const keys = makeKeyPair(2048);
const APP = 'app-token-for-host-tests';
const TOKEN = 'MyApp-hosts';
const HOUR = 3600 * 1000;

/** One HTTP request, exactly: { status, headers, text }. */
function call(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function signed(at) {
  const data = `${TOKEN}.${new Date(at).toISOString().replace(/[-T:]/g, '').slice(0, 12)}`;
  return `${data}.${sign('sha256', Buffer.from(data), keys.privateKey).toString('base64')}`;
}

/** The REST exchange; returns the verified claims, or { denied: ErrorMessage }. */
async function exchange(mock, now, ctx = 'Cust1') {
  const res = await call(`${mock.baseUrl}/Login/api/PartnerSystemUser/Authenticate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      SignedSystemToken: signed(now()),
      ApplicationToken: APP,
      ContextIdentifier: ctx,
      ReturnTokenType: 'JWT',
    }),
  });
  if (res.status !== 200) return { status: res.status, headers: res.headers };
  const answer = JSON.parse(res.text);
  if (!answer.IsSuccessful) return { denied: answer.ErrorMessage };
  const [h, p, s] = answer.Token.split('.');
  const { keys: jwks } = JSON.parse((await call(`${mock.baseUrl}/login/.well-known/jwks`)).text);
  const jwk = jwks.find((k) => k.kid === JSON.parse(Buffer.from(h, 'base64url')).kid);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')), 'the token verifies');
  return JSON.parse(Buffer.from(p, 'base64url'));
}

async function start(options = {}) {
  const mock = await startMockSuperOffice(options);
  mock.registerApplication({ applicationToken: APP, publicKey: keys.spki });
  mock.addTenant({ contextIdentifier: 'Cust1', systemUserToken: TOKEN });
  return mock;
}

const rest = (base, ticket) =>
  call(`${base}/v1/User/currentPrincipal`, { headers: { Authorization: `SOTicket ${ticket}`, 'SO-AppToken': APP } });

const NETSERVER_NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
const agent = (netserverUrl, ticket) =>
  call(`${netserverUrl}Associate.svc`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${NETSERVER_NS}/Associate/GetAssociate"` },
    body:
      `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><ApplicationToken xmlns="${NETSERVER_NS}">${APP}</ApplicationToken>` +
      `<Credentials xmlns="${NETSERVER_NS}"><Ticket>${ticket}</Ticket></Credentials></s:Header>` +
      `<s:Body><GetAssociate xmlns="${NETSERVER_NS}"><AssociateId>5</AssociateId></GetAssociate></s:Body></s:Envelope>`,
  });

const state = async (mock, ctx = 'Cust1') => {
  const res = await call(`${mock.baseUrl}/api/state/${ctx}`, { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^application\/json/);
  return JSON.parse(res.text);
};

test('by default one host serves login, the state API and the tenants, as before', async () => {
  const now = fakeClock(Date.UTC(2026, 1, 23, 9, 0, 0));
  const mock = await start({ now });
  try {
    assert.deepEqual(mock.hosts, [mock.baseUrl]);
    assert.equal(mock.tenantEndpoint('Cust1'), `${mock.baseUrl}/Cust1`);
    const claims = await exchange(mock, now);
    assert.equal(claims[`${IDENTITY}webapi_url`], `${mock.baseUrl}/Cust1/api/`);
    assert.equal((await rest(`${mock.baseUrl}/Cust1/api`, claims[`${IDENTITY}ticket`])).status, 200);
    // The state API as SuperOffice's example shapes it, ValidUntil written as .NET writes a UTC time.
    const answer = await state(mock);
    assert.deepEqual(answer, {
      ContextIdentifier: 'Cust1',
      Endpoint: `${mock.baseUrl}/Cust1`,
      State: 'Running',
      IsRunning: true,
      ValidUntil: '2026-02-23T09:05:00.0000000Z',
      Api: `${mock.baseUrl}/Cust1/api`,
      Version: 'Release_11.10_stand-in',
    });
    // The package's strict reader accepts it, with the stand-in as the custom base.
    const read = parseTenantState(
      { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) },
      { contextIdentifier: 'Cust1', now: now(), baseUrl: mock.baseUrl },
    );
    assert.equal(read.endpoint, `${mock.baseUrl}/Cust1`);
    assert.equal(read.validUntil.getTime(), now() + 300_000);
    // An unknown tenant: State Unknown, nowhere.
    assert.deepEqual(
      { ...(await state(mock, 'Cust404')), ValidUntil: undefined },
      {
        ContextIdentifier: 'Cust404',
        Endpoint: null,
        State: 'Unknown',
        IsRunning: false,
        ValidUntil: undefined,
        Api: null,
      },
    );
    assert.equal((await call(`${mock.baseUrl}/api/state/Cust1`, { method: 'POST' })).status, 405);
    assert.equal(mock.stats.state, 3);
    assert.equal(mock.stats.tenants.Cust1.state, 2);
    assert.throws(() => mock.moveTenant('Cust1'), /tenantHosts of 2 or more/);
  } finally {
    await mock.close();
  }
});

test('tenant hosts: each tenant on its own host; the authentication host and other hosts answer 421', async () => {
  const now = fakeClock();
  const mock = await start({ now, tenantHosts: 2 });
  try {
    const [first, second] = mock.hosts;
    assert.equal(mock.hosts.length, 2);
    for (const host of [first, second]) assert.match(host, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(first, mock.baseUrl);
    assert.notEqual(first, second);
    mock.addTenant({ contextIdentifier: 'Cust2', systemUserToken: TOKEN, host: 1 });
    assert.equal(mock.tenantEndpoint('Cust1'), `${first}/Cust1`);
    assert.equal(mock.tenantEndpoint('Cust2'), `${second}/Cust2`);

    const claims = await exchange(mock, now);
    const ticket = claims[`${IDENTITY}ticket`];
    assert.equal(claims[`${IDENTITY}webapi_url`], `${first}/Cust1/api/`);
    assert.equal(claims[`${IDENTITY}netserver_url`], `${first}/Cust1/Remote/Services88/`);
    assert.equal((await rest(`${first}/Cust1/api`, ticket)).status, 200);
    assert.equal((await agent(`${first}/Cust1/Remote/Services88/`, ticket)).status, 200);

    // SuperOffice's answer to the wrong host: 421 with its description, before any credential is read.
    for (const base of [mock.baseUrl, second]) {
      const misdirected = await rest(`${base}/Cust1/api`, ticket);
      assert.equal(misdirected.status, 421, base);
      assert.match(misdirected.text, /Wrong subdomain used to access tenant/);
      assert.equal((await agent(`${base}/Cust1/Remote/Services88/`, ticket)).status, 421, base);
    }
    assert.equal((await rest(`${mock.baseUrl}/Cust404/api`, ticket)).status, 421, 'the login host serves no tenant');
    // Login endpoints and the state API live on the authentication host only.
    assert.equal((await call(`${first}/login/.well-known/jwks`)).status, 404);
    assert.equal((await call(`${first}/api/state/Cust1`)).status, 404);
    const { stats } = mock;
    assert.equal(stats.misdirected, 5);
    assert.equal(stats.tenants.Cust1.misdirected, 4);
    assert.equal(stats.tenants.Cust1.authenticate, 1);
  } finally {
    await mock.close();
  }
});

test('moveTenant: the old host answers 421, the state API and new tickets name the new one, the old ticket works there', async () => {
  const now = fakeClock();
  const mock = await start({ now, tenantHosts: 3 });
  try {
    const before = await exchange(mock, now);
    const ticket = before[`${IDENTITY}ticket`];
    const oldApi = before[`${IDENTITY}webapi_url`];
    assert.equal((await state(mock)).Endpoint, `${mock.hosts[0]}/Cust1`);

    assert.equal(mock.moveTenant('Cust1'), `${mock.hosts[1]}/Cust1`);
    assert.equal((await rest(oldApi.slice(0, -1), ticket)).status, 421);
    const answer = await state(mock);
    assert.equal(answer.Endpoint, `${mock.hosts[1]}/Cust1`);
    assert.equal(answer.Api, `${mock.hosts[1]}/Cust1/api`);
    // The same ticket is good on the new host: no exchange is needed after a move.
    assert.equal((await rest(`${answer.Endpoint}/api`, ticket)).status, 200);
    assert.equal((await agent(`${answer.Endpoint}/Remote/Services88/`, ticket)).status, 200);
    const after = await exchange(mock, now);
    assert.equal(after[`${IDENTITY}webapi_url`], `${mock.hosts[1]}/Cust1/api/`);
    assert.equal(after[`${IDENTITY}netserver_url`], `${mock.hosts[1]}/Cust1/Remote/Services88/`);

    assert.equal(mock.moveTenant('Cust1', { to: 0 }), `${mock.hosts[0]}/Cust1`);
    assert.equal(mock.moveTenant('Cust1'), `${mock.hosts[1]}/Cust1`, 'the next host by default');
    assert.throws(() => mock.moveTenant('Cust1', { to: 3 }), /to must be a tenant host index/);
    assert.throws(() => mock.moveTenant('Cust404'), /unknown tenant/);
    assert.equal(mock.stats.tenants.Cust1.authenticate, 2);
  } finally {
    await mock.close();
  }
});

test('setTenantState: while the tenant is not running its APIs answer 503 and the exchange is denied; Running resumes', async () => {
  const now = fakeClock(Date.UTC(2026, 10, 23, 14, 0, 0));
  const mock = await start({ now, tenantHosts: 1, stateValidSeconds: 60 });
  try {
    const claims = await exchange(mock, now);
    const ticket = claims[`${IDENTITY}ticket`];
    const base = `${mock.tenantEndpoint('Cust1')}`;
    assert.equal((await state(mock)).ValidUntil, '2026-11-23T14:01:00.0000000Z');

    mock.setTenantState('Cust1', 'OfflineMaintenance', { validForSeconds: 3600 });
    const down = await rest(`${base}/api`, ticket);
    assert.equal(down.status, 503);
    assert.match(down.text, /OfflineMaintenance/);
    assert.equal((await agent(`${base}/Remote/Services88/`, ticket)).status, 503);
    assert.match((await exchange(mock, now)).denied, /^Denied: the tenant is OfflineMaintenance/);
    assert.deepEqual(await state(mock), {
      ContextIdentifier: 'Cust1',
      Endpoint: base,
      State: 'OfflineMaintenance',
      IsRunning: false,
      ValidUntil: '2026-11-23T15:00:00.0000000Z',
      Api: `${base}/api`,
      Version: 'Release_11.10_stand-in',
    });
    assert.equal(mock.stats.tenants.Cust1.unavailable, 2);

    // OnlineMaintenance: the APIs answer ("nothing preventing customers from performing normal operations").
    mock.setTenantState('Cust1', 5);
    assert.deepEqual([(await state(mock)).State, (await state(mock)).IsRunning], ['OnlineMaintenance', true]);
    assert.equal((await rest(`${base}/api`, ticket)).status, 200);

    // An undocumented number is reported as a number.
    mock.setTenantState('Cust1', 13, { isRunning: false });
    assert.deepEqual([(await state(mock)).State, (await state(mock)).IsRunning], [13, false]);
    assert.equal((await rest(`${base}/api`, ticket)).status, 503);

    mock.setTenantState('Cust1', 'Deleted');
    assert.equal((await state(mock)).State, 'Deleted');
    mock.setTenantState('Cust1', 'Running');
    assert.equal((await rest(`${base}/api`, ticket)).status, 200, 'the ticket still slides: it was never refused');
    assert.ok((await exchange(mock, now))[`${IDENTITY}ticket`]);

    assert.throws(() => mock.setTenantState('Cust1', 'Sleeping'), /state must be one of/);
    assert.throws(() => mock.setTenantState('Cust1', 'Running', { isRunning: true }), /isRunning/);
    assert.throws(() => mock.setTenantState('Cust1', 'Running', { validForSeconds: -1 }), /validForSeconds/);
  } finally {
    await mock.close();
  }
});

test('rateLimit: 429 with Retry-After in seconds or as an HTTP date, at the exchange or a tenant endpoint', async () => {
  const now = fakeClock(Date.UTC(2026, 10, 23, 14, 0, 0));
  const mock = await start({ now, tenantHosts: 1 });
  try {
    assert.match(FAULTS.rateLimit, /429/);
    mock.injectFault('rateLimit', { times: 1 });
    const limited = await exchange(mock, now);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], '30');
    mock.injectFault('rateLimit', { times: 1, retryAfter: 90, retryAfterDate: true });
    assert.equal((await exchange(mock, now)).headers['retry-after'], 'Mon, 23 Nov 2026 14:01:30 GMT');
    // 503 with Retry-After, as a service that is overloaded may answer.
    mock.injectFault('httpError', { times: 1, status: 503, retryAfter: 120, endpoint: 'authenticate' });
    const busy = await exchange(mock, now);
    assert.deepEqual([busy.status, busy.headers['retry-after']], [503, '120']);

    const claims = await exchange(mock, now);
    const ticket = claims[`${IDENTITY}ticket`];
    mock.injectFault('rateLimit', { endpoint: 'api', contextIdentifier: 'Cust1', times: 1, retryAfter: 5 });
    const api = await rest(`${mock.tenantEndpoint('Cust1')}/api`, ticket);
    assert.deepEqual([api.status, api.headers['retry-after']], [429, '5']);
    assert.equal((await rest(`${mock.tenantEndpoint('Cust1')}/api`, ticket)).status, 200);
    mock.injectFault('rateLimit', { endpoint: 'netserver', times: 1 });
    assert.equal((await agent(`${mock.tenantEndpoint('Cust1')}/Remote/Services88/`, ticket)).status, 429);
    assert.equal(mock.stats.rateLimited, 4);
    assert.equal(mock.stats.tenants.Cust1.rateLimited, 4);
    assert.throws(() => mock.injectFault('rateLimit', { retryAfter: -1 }), /retryAfter/);
  } finally {
    await mock.close();
  }
});

test('a ticket expires 6 hours after its last use, on the injected clock, whichever host serves the tenant', async () => {
  const now = fakeClock();
  const mock = await start({ now, tenantHosts: 2 });
  try {
    const ticket = (await exchange(mock, now))[`${IDENTITY}ticket`];
    const use = async () => (await rest(`${mock.tenantEndpoint('Cust1')}/api`, ticket)).status;
    // Used every 5 h 59 min for a day, across a move: it never expires.
    for (let i = 0; i < 5; i += 1) {
      now.advance(6 * HOUR - 60_000);
      assert.equal(await use(), 200, `use ${i}`);
      if (i === 2) mock.moveTenant('Cust1');
    }
    // A misdirected call is no use: it does not slide the ticket.
    now.advance(3 * HOUR);
    assert.equal((await rest(`${mock.hosts[0]}/Cust1/api`, ticket)).status, 421);
    now.advance(3 * HOUR + 1000);
    assert.equal(await use(), 401, 'idle for 6 hours: expired');
  } finally {
    await mock.close();
  }
});
