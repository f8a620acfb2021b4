// examples/cloudflare-worker: the Worker in the real workerd (bundled as wrangler does, no
// nodejs_compat) against the stand-in, as `npm run worker` runs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLocal } from '../examples/cloudflare-worker/local.mjs';
import { assertNoSecrets } from './helpers/stand-in.mjs';

let local;
before(async () => {
  const repo = process.env.SUPEROFFICE_AUTH_REPO;
  assert.ok(repo, 'SUPEROFFICE_AUTH_REPO names the workspace (scripts/test.mjs sets it)');
  const harness = await import(pathToFileURL(join(repo, 'scripts', 'workerd.mjs')).href);
  local = await startLocal({ harness, tenants: ['Cust1', 'Cust2'] });
});
after(() => local?.close());

async function get(path) {
  const res = await fetch(`${local.url}${path}`);
  const text = await res.text();
  assertNoSecrets(assert, text, local.secrets, `GET ${path}`);
  return { status: res.status, body: JSON.parse(text) };
}

test("a tenant's current principal; tickets cached in the isolate, renewed after a 401", async () => {
  const first = await get('/Cust1');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.principal.ContextIdentifier, 'Cust1');
  assert.equal(first.body.contextIdentifier, 'Cust1');
  const [again, other] = await Promise.all([get('/Cust1'), get('/Cust2')]);
  assert.equal(again.status, 200);
  assert.equal(again.body.obtainedAt, first.body.obtainedAt, 'the same cached ticket');
  assert.equal(other.body.principal.ContextIdentifier, 'Cust2');
  assert.equal(local.mock.stats.authenticate, 2, 'one exchange per tenant');
  assert.equal(local.mock.stats.jwks, 1);
  // SuperOffice drops the tickets early: the Worker's API call gets a 401, invalidates, exchanges again.
  assert.ok(local.mock.revokeTickets('Cust1') >= 1);
  const renewed = await get('/Cust1');
  assert.equal(renewed.status, 200);
  assert.equal(renewed.body.principal.ContextIdentifier, 'Cust1');
  assert.equal(local.mock.stats.authenticate, 3);
  assert.ok(local.mock.stats.unauthorized >= 1);
});

test('unknown tenants, failing exchanges and other methods answer without secrets', async () => {
  assert.equal((await get('/Nobody')).status, 404);
  assert.equal((await get('/../etc')).status, 404);
  assert.equal((await fetch(`${local.url}/Cust1`, { method: 'POST' })).status, 405);
  local.mock.revokeTickets('Cust2');
  local.mock.setTenantStatus('Cust2', 'Revoked');
  const denied = await get('/Cust2');
  assert.equal(denied.status, 502);
  assert.equal(denied.body.error, 'ERR_TICKET_DENIED');
});

test('POST /webhook in workerd through the Fetch API entry: deliveries, the test event, repeats, forgeries, a notification', async () => {
  const url = `${local.url}/webhook`;
  const secret = local.webhookSecret;
  assert.deepEqual(
    (await local.mock.sendWebhook({ url, secret, test: true })).attempts.map((a) => a.status),
    [200],
  );
  const eventId = '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
  const first = await local.mock.sendWebhook({
    url,
    secret,
    eventId,
    event: 'contact.changed',
    primaryKey: 18,
    contextIdentifier: 'Cust1',
  });
  assert.deepEqual(
    first.attempts.map((a) => a.status),
    [200],
  );
  const repeat = await local.mock.sendWebhook({
    url,
    secret,
    eventId,
    event: 'contact.changed',
    primaryKey: 18,
    contextIdentifier: 'Cust1',
  });
  assert.deepEqual(
    repeat.attempts.map((a) => a.status),
    [200],
  );
  const forged = await local.mock.sendWebhook({ url, secret: 'a guess', attempts: 1 });
  assert.deepEqual(
    forged.attempts.map((a) => a.status),
    [401],
  );
  const unsigned = await local.mock.sendWebhook({ url, attempts: 1 });
  assert.deepEqual(
    unsigned.attempts.map((a) => a.status),
    [401],
  );
  // A first call caches Cust1's ticket. Its suspension stops the Worker's calls for it without an
  // exchange; its resumption lets them go on, with a new ticket.
  assert.equal((await get('/Cust1')).status, 200);
  const before = local.mock.stats.authenticate;
  const suspended = await local.mock.notifyTenantStatus({ url, contextIdentifier: 'Cust1', changeType: 'Suspend' });
  assert.equal(suspended.status, 200, suspended.body);
  const refused = await get('/Cust1');
  assert.equal(refused.status, 502);
  assert.equal(refused.body.error, 'ERR_TENANT_UNAVAILABLE');
  assert.equal(local.mock.stats.authenticate, before, 'no exchange for a suspended tenant');
  const resumed = await local.mock.notifyTenantStatus({ url, contextIdentifier: 'Cust1', changeType: 'Resume' });
  assert.equal(resumed.status, 200, resumed.body);
  assert.equal((await get('/Cust1')).status, 200);
  assert.equal(local.mock.stats.authenticate, before + 1, 'the suspension dropped the ticket: one new exchange');
  const { body } = await get('/webhook/events');
  assert.deepEqual(body.accepted.slice(0, 3), [
    { contextIdentifier: 'Cust1', changeType: 'Resume' },
    { contextIdentifier: 'Cust1', changeType: 'Suspend' },
    { eventId, event: 'contact.changed', primaryKey: 18, contextIdentifier: 'Cust1' },
  ]);
  assert.equal(body.accepted.filter((entry) => entry.eventId === eventId).length, 1, 'the repeat was dropped');
  assertNoSecrets(assert, local.output(), local.secrets, 'workerd output');
});
