// The examples run against the stand-in: the demo (also as the README runs it), the HTTP service with
// its retry after a 401, and the multi-tenant worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runDemo } from '../examples/demo.mjs';
import { startService } from '../examples/service.mjs';
import { runWorker } from '../examples/worker.mjs';
import { startOnboardingServer } from '../examples/onboarding-server.mjs';
import { openAuthorizeUrl, deliver } from './helpers/browser.mjs';
import { runTenantCalls } from '../examples/tenant-calls.mjs';
import { startWebhookReceiver } from '../examples/webhook-receiver.mjs';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { standIn, assertNoSecrets, watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

test('demo: a ticket over real HTTP, the tenant API answers; a tenant onboarded from an id_token gets its ticket', async () => {
  const lines = [];
  const result = await runDemo({ log: (line) => lines.push(line) });
  assert.equal(result.status, 200);
  assert.match(result.ticket, /^7T:/);
  assert.equal(result.principal.ContextIdentifier, 'Cust12345');
  assert.equal(result.onboarded.status, 200);
  assert.equal(result.onboarded.contextIdentifier, 'Cust67890');
  assert.equal(result.onboarded.principal.ContextIdentifier, 'Cust67890');
  assert.match(result.onboarded.ticket, /^7T:/);
  assert.equal(result.stats.authenticate, 2, 'one exchange per tenant');
  assert.equal(result.stats.jwks, 1, 'the id_token is checked with the keys already fetched');
  assert.equal(result.stats.idTokensIssued, 1);
  const text = lines.join('\n');
  assert.ok(text.includes(result.ticket), 'the demo prints the ticket');
  assert.ok(!/<D>|<P>|PRIVATE KEY/.test(text), 'the demo never prints the private key');
  assert.ok(!/DemoApp-/.test(text), 'the demo never prints a system user token');
  const rest = await runDemo({ log: () => {}, transport: 'rest' });
  assert.equal(rest.stats.rest, 2);
});

test('demo: `node examples/demo.mjs` exits 0 and prints each step', async () => {
  const file = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url));
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(process.execPath, [file], { timeout: 60_000 }, (error, out, err) =>
      resolve({ code: error ? error.code : 0, stdout: out, stderr: err }),
    );
  });
  assert.equal(code, 0, stderr);
  for (const step of ['1. ', '2. ', '3. ', '4. ', '5. ', '6. ', '7. ', '8. '])
    assert.ok(stdout.includes(`\n${step}`) || stdout.startsWith(step), step);
  assert.match(stdout, /ticket: +7T:/);
  assert.match(stdout, /HTTP 200/);
  assert.equal(stderr, '');
});

test('service: cached ticket per tenant; after a 401 it invalidates once and retries', async () => {
  const s = await standIn({ tenants: 2 });
  const service = await startService({
    baseUrl: s.mock.baseUrl,
    applicationToken: s.applicationToken,
    privateKey: s.keys.xml,
    systemUserTokens: s.tenants,
  });
  try {
    const get = async (path) => {
      const res = await fetch(`${service.url}${path}`);
      return { status: res.status, body: await res.json() };
    };
    for (let i = 0; i < 3; i += 1) {
      const r = await get('/tenants/Cust1/principal');
      assert.equal(r.status, 200);
      assert.equal(r.body.ContextIdentifier, 'Cust1');
    }
    assert.equal(s.mock.stats.authenticate, 1, 'one exchange for three requests');
    assert.equal((await get('/tenants/Cust2/principal')).status, 200);
    assert.equal(s.mock.stats.authenticate, 2);

    // SuperOffice drops the tickets: 20 concurrent requests, those that meet a 401 retry, all succeed,
    // with one new exchange between them (invalidate names the failed ticket, so late 401s are no-ops).
    s.mock.revokeTickets('Cust1');
    const results = await Promise.all(Array.from({ length: 20 }, () => get('/tenants/Cust1/principal')));
    assert.ok(
      results.every((r) => r.status === 200),
      JSON.stringify(results.find((r) => r.status !== 200)),
    );
    assert.equal(s.mock.stats.authenticate, 3);
    assert.ok(s.mock.stats.unauthorized >= 1);

    // An unknown tenant and SuperOffice being down come back as errors with codes, no secrets.
    const unknown = await get('/tenants/Cust9/principal');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'ERR_INVALID_ARGUMENT');
    await service.client.invalidate('Cust2');
    s.mock.injectFault('httpError', { times: 1, endpoint: 'authenticate' });
    const down = await get('/tenants/Cust2/principal');
    assert.equal(down.status, 502);
    assert.equal(down.body.error, 'ERR_HTTP_STATUS');
    assertNoSecrets(assert, JSON.stringify([unknown, down]), s.secrets, 'service errors');
    // A 401 that persists after the retry is passed on, not retried forever.
    s.mock.injectFault('httpError', { endpoint: 'api', status: 401 });
    const stuck = await get('/tenants/Cust1/principal');
    assert.equal(stuck.status, 502);
    assert.equal(s.mock.stats.authenticate, 5, 'exactly one retry');
  } finally {
    await service.close();
    await s.mock.close();
  }
});

test('worker: 5 tenants, 3 rounds, one exchange per tenant; a revoked tenant fails alone', async () => {
  const s = await standIn({ tenants: 5 });
  try {
    const lines = [];
    const summary = await runWorker({
      baseUrl: s.mock.baseUrl,
      applicationToken: s.applicationToken,
      privateKey: s.keys.pkcs1,
      tenants: s.tenants,
      rounds: 3,
      concurrency: 3,
      transport: 'rest',
      log: (line) => lines.push(line),
    });
    assert.deepEqual(summary, { calls: 15, succeeded: 15, failures: [] });
    assert.equal(s.mock.stats.authenticate, 5);
    assert.equal(s.mock.stats.rest, 5);
    assert.equal(s.mock.stats.api, 15);
    assert.equal(lines.length, 15);

    s.mock.setTenantStatus('Cust3', 'Revoked');
    const second = await runWorker({
      baseUrl: s.mock.baseUrl,
      applicationToken: s.applicationToken,
      privateKey: s.keys.pkcs8,
      tenants: s.tenants,
      rounds: 2,
    });
    assert.equal(second.calls, 10);
    assert.equal(second.succeeded, 8);
    assert.deepEqual(second.failures, [
      { round: 1, contextIdentifier: 'Cust3', code: 'ERR_TICKET_DENIED' },
      { round: 2, contextIdentifier: 'Cust3', code: 'ERR_TICKET_DENIED' },
    ]);
  } finally {
    await s.mock.close();
  }
});

test('onboarding server: approve -> SuperOffice -> posted approval -> tenant stored -> ticket; declined and replayed posts refused', async () => {
  const s = await standIn({ tenants: 1 });
  const stored = new Map();
  const server = await startOnboardingServer({
    baseUrl: s.mock.baseUrl,
    issuer: s.mock.issuer,
    clientId: 'onboarding-app',
    applicationToken: s.applicationToken,
    privateKey: s.keys.pkcs1,
    onTenant: (tenant) => stored.set(tenant.contextIdentifier, tenant.systemUserToken),
  });
  try {
    s.mock.registerApplication({
      applicationToken: s.applicationToken,
      publicKey: s.keys.publicKey,
      clientId: 'onboarding-app',
      redirectUris: [server.redirectUri],
    });
    s.mock.addTenant({ contextIdentifier: 'CustNew', systemUser: false });
    const approve = async () => {
      const start = await fetch(`${server.url}/superoffice/approve?tenant=CustNew`, { redirect: 'manual' });
      assert.equal(start.status, 302);
      return openAuthorizeUrl(start.headers.get('location'));
    };

    const approval = await approve();
    assert.equal(approval.method, 'POST');
    assert.equal(approval.url, server.redirectUri);
    const done = await deliver(approval);
    const page = await done.text();
    assert.equal(done.status, 200, page);
    assert.match(page, /approved for CustNew/);
    assertNoSecrets(assert, page, [stored.get('CustNew')], 'the page');
    assert.match(stored.get('CustNew'), /^Approved-/);
    // The client that onboarded the tenant has its ticket at once.
    const ticket = await server.client.getTicket({ contextIdentifier: 'CustNew' });
    const res = await fetch(`${ticket.webapiUrl}v1/User/currentPrincipal`, {
      headers: await server.client.authHeaders('CustNew'),
    });
    assert.equal(res.status, 200);

    // The same post again: its state is used up.
    const replayed = await deliver(approval);
    assert.equal(replayed.status, 400);
    assert.match(await replayed.text(), /Unknown or expired/);
    // The administrator declines.
    s.mock.injectFault('deny', { endpoint: 'authorize', times: 1 });
    const declined = await deliver(await approve());
    assert.equal(declined.status, 403);
    assert.match(await declined.text(), /access_denied/);
    assert.equal((await fetch(`${server.url}/elsewhere`)).status, 404);
  } finally {
    await server.close();
    await s.mock.close();
  }
});

test('tenant-calls: the current principal over REST and its associate over SOAP, one client, one ticket', async () => {
  const lines = [];
  const { principal, associate, stats } = await runTenantCalls({ log: (line) => lines.push(line) });
  assert.equal(principal.ContextIdentifier, 'Cust12345');
  assert.equal(associate.AssociateId, String(principal.AssociateId));
  assert.equal(associate.Name, 'SYSTEM');
  assert.equal(stats.ticketsIssued, 1);
  assert.equal(stats.api, 1);
  assert.equal(stats.netserver, 1);
  assert.equal(lines.length, 2);
  assert.ok(!lines.join('\n').includes('7T:'), 'no ticket printed');
});

test('webhook-receiver: the stand-in delivers the test event, events and a notification; a forgery is refused', async () => {
  const mock = await startMockSuperOffice();
  const lines = [];
  const secret = 'example secret';
  const receiver = await startWebhookReceiver({
    secret,
    keys: mock.signingPublicKeyPem(),
    issuer: mock.issuer,
    log: (line) => lines.push(line),
  });
  try {
    assert.equal((await mock.sendWebhook({ url: receiver.url, secret, test: true })).delivered, true);
    const sent = await mock.sendWebhook({
      url: receiver.url,
      secret,
      event: 'sale.sold',
      primaryKey: 77,
      contextIdentifier: 'Cust9',
    });
    assert.deepEqual(
      sent.attempts.map((a) => a.status),
      [200],
    );
    const forged = await mock.sendWebhook({ url: receiver.url, secret: 'a guess', attempts: 1 });
    assert.deepEqual(
      forged.attempts.map((a) => a.status),
      [401],
    );
    const note = await mock.notifyTenantStatus({ url: receiver.url, contextIdentifier: 'Cust9', changeType: 'Delete' });
    assert.equal(note.status, 200);
    assert.equal((await fetch(receiver.url.replace('/superoffice', '/other'), { method: 'POST' })).status, 404);
    assert.deepEqual(
      lines.filter((line) => !line.startsWith('refused')),
      ['event sale.sold 77 in Cust9', 'tenant Cust9: Delete'],
    );
    assert.match(
      lines.find((line) => line.startsWith('refused')),
      /ERR_WEBHOOK_INVALID: webhook refused: signature-mismatch/,
    );
    assertNoSecrets(assert, lines.join('\n'), [secret], 'the receiver log');
  } finally {
    await receiver.close();
    await mock.close();
  }
});

test('webhook-receiver: `node examples/webhook-receiver.mjs --demo` exits 0', async () => {
  const file = fileURLToPath(new URL('../examples/webhook-receiver.mjs', import.meta.url));
  const { code, stdout, stderr } = await new Promise((resolve) => {
    execFile(process.execPath, [file, '--demo'], { timeout: 60_000 }, (error, out, err) =>
      resolve({ code: error ? error.code : 0, stdout: out, stderr: err }),
    );
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /a forged delivery got HTTP 401/);
  assert.match(stdout, /tenant Cust12345: Suspend/);
});
