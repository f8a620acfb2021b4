// SuperOffice's own typed client, @superoffice/webapi (pinned dev dependency), on this package's
// system-user tickets through client.webApiOptions, against the stand-in over HTTP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createSystemUserClient } from 'superoffice-auth';
import { standIn, assertNoSecrets, watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

// Dev dependencies of the repository, not of the scratch project the tests run in.
const requireDev = createRequire(join(process.env.SUPEROFFICE_AUTH_REPO ?? process.cwd(), 'package.json'));
const axios = requireDev('axios');
const { AssociateAgent, ContactAgent } = requireDev('@superoffice/webapi');

async function withStandIn(run, tenants = 1) {
  const s = await standIn({ tenants });
  try {
    await run(s);
  } finally {
    await s.mock.close();
  }
}

test("webApiOptions: typed agents on the tenant's tickets, one exchange for every call", () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const options = await client.webApiOptions('Cust1', { axios });
    assert.equal(options.baseUrl, `${s.mock.baseUrl}/Cust1/api/`);

    const associates = new AssociateAgent(options);
    const system = await associates.getAssociateAsync(5);
    assert.equal(system.associateId, 5);
    assert.equal(system.name, 'SYSTEM');
    assert.equal(system.fullName, 'Cust1 system user');
    const one = await associates.getAssociateListAsync([1]);
    assert.ok(Array.isArray(one));
    assert.deepEqual(
      one.map((a) => a.name),
      ['AA'],
    );
    assert.equal(await associates.getAssociateAsync(99), null, 'a missing entity is null');

    const contact = await new ContactAgent(options).getContactEntityAsync(2);
    assert.equal(contact.contactId, 2);
    assert.equal(contact.country.name, 'Norway');
    assert.deepEqual(
      contact.phones.map((p) => p.description),
      ['Switchboard', 'Support & <help>'],
    );
    assert.equal(s.mock.stats.ticketsIssued, 1);
    assert.equal(s.mock.stats.restAgents, 4);
    assertNoSecrets(assert, inspect(options, { depth: 4 }), s.secrets, 'the options');
  }));

test('webApiOptions: a rejected ticket is dropped and the call retried once; a second 401 is the AxiosError', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const agent = new AssociateAgent(await client.webApiOptions('Cust1', { axios }));
    const first = await client.getTicket('Cust1');
    s.mock.revokeTicket(first.ticket);
    s.mock.resetStats();
    assert.equal((await agent.getAssociateAsync(1)).name, 'AA');
    assert.equal(s.mock.stats.ticketsIssued, 1, 'one new exchange');
    assert.equal(s.mock.stats.restAgents, 2, 'the rejected attempt and one retry');
    assert.notEqual((await client.getTicket('Cust1')).ticket, first.ticket);

    s.mock.resetStats();
    const remove = s.mock.injectFault('ticketRejected');
    const second = (await client.getTicket('Cust1')).ticket;
    await assert.rejects(agent.getAssociateAsync(1), (err) => {
      assert.equal(axios.isAxiosError(err), true);
      assert.equal(err.response.status, 401);
      // The ticket is added after axios is done with the config: no error field carries it.
      const text = `${err.message} ${inspect(err, { depth: 6 })} ${JSON.stringify(err.toJSON())}`;
      assertNoSecrets(assert, text, [...s.secrets, first.ticket, second], 'the AxiosError');
      assert.ok(!/7T:/.test(text), 'no ticket in the AxiosError');
      return true;
    });
    remove();
    assert.equal(s.mock.stats.restAgents, 2, 'one retry, never a loop');
  }));

test("webApiOptions: two tenants side by side, each request with its own tenant's ticket", () =>
  withStandIn(async (s) => {
    const seen = [];
    const recording = (url, init) => {
      seen.push({ url: String(url), authorization: init.headers.Authorization ?? init.headers.authorization });
      return fetch(url, init);
    };
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants, fetch: recording }));
    const [one, two] = await Promise.all([
      client.webApiOptions('Cust1', { axios }),
      client.webApiOptions('Cust2', { axios }),
    ]);
    const [ticket1, ticket2] = [(await client.getTicket('Cust1')).ticket, (await client.getTicket('Cust2')).ticket];
    seen.length = 0;
    const agents = [new AssociateAgent(one), new AssociateAgent(two)];
    const names = await Promise.all(
      [0, 1, 0, 1, 1, 0].map((i) => agents[i].getAssociateAsync(5).then((a) => a.fullName)),
    );
    assert.deepEqual(names, [
      'Cust1 system user',
      'Cust2 system user',
      'Cust1 system user',
      'Cust2 system user',
      'Cust2 system user',
      'Cust1 system user',
    ]);
    assert.equal(seen.length, 6);
    for (const { url, authorization } of seen) {
      const ctx = /\/(Cust\d)\/api\//.exec(url)[1];
      assert.equal(authorization, `SOTicket ${ctx === 'Cust1' ? ticket1 : ticket2}`, url);
    }
    assert.equal(s.mock.stats.unauthorized, 0, 'no ticket ever reached the other tenant');
    assert.equal(s.mock.stats.ticketsIssued, 2);
  }, 2));

test('webApiOptions: its options are checked; an axios without AxiosError is refused', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    await assert.rejects(client.webApiOptions('Cust1'), { code: 'ERR_INVALID_ARGUMENT' });
    await assert.rejects(client.webApiOptions('Cust1', { axios, timeout: 5 }), { code: 'ERR_INVALID_ARGUMENT' });
    await assert.rejects(client.webApiOptions('Cust1', { axios: { create: () => ({}) } }), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(client.webApiOptions('Cust1', { axios: fetch }), { code: 'ERR_INVALID_ARGUMENT' });
    // A timeout of axios's own is axios's ECONNABORTED; the caller's abort is a cancellation.
    const options = await client.webApiOptions('Cust1', { axios });
    const remove = s.mock.injectFault('latency', { ms: 400, endpoint: 'restAgents' });
    await assert.rejects(
      options.axios.post('v1/Agents/Associate/GetAssociate?associateId=1', null, {
        baseURL: options.baseUrl,
        timeout: 50,
      }),
      { code: 'ECONNABORTED' },
    );
    const controller = new AbortController();
    const pending = options.axios.post('v1/Agents/Associate/GetAssociate?associateId=1', null, {
      baseURL: options.baseUrl,
      signal: controller.signal,
    });
    controller.abort();
    await assert.rejects(pending, (err) => axios.isCancel(err));
    remove();
    // A URL off the tenant is refused before anything is sent.
    await assert.rejects(options.axios.get('https://example.invalid/steal'), { code: 'ERR_INVALID_ARGUMENT' });
  }));

test('webApiOptions and REST agents follow a tenant that moves: one state lookup, no new exchange, no new options', async () => {
  const s = await standIn({ mockOptions: { tenantHosts: 3 } });
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const options = await client.webApiOptions('Cust1', { axios });
    const agent = new AssociateAgent(options);
    assert.equal((await agent.getAssociateAsync(1)).name, 'AA');
    const ticket = (await client.getTicket('Cust1')).ticket;
    s.mock.moveTenant('Cust1');
    // The options name the old host; the calls are re-based onto the new one.
    assert.equal((await agent.getAssociateAsync(2)).name, 'BB');
    assert.equal(
      (await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 })).response.Name,
      'AA',
    );
    assert.equal(s.mock.stats.state, 1, 'one state lookup');
    assert.equal(s.mock.stats.authenticate, 1, 'no exchange: the ticket is good on any host');
    assert.equal((await client.getTicket('Cust1')).ticket, ticket);
  } finally {
    await s.mock.close();
  }
});
