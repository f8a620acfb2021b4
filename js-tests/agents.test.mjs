// NetServer agents over REST (the default) and SOAP (on request): the pure pair, callAgent against the
// stand-in over HTTP, the stand-in's REST agents as SuperOffice documents them, and SOAP lists that
// stay lists.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { buildAgentRequest, parseAgentResponse, createSystemUserClient } from 'superoffice-auth';
import { standIn, assertNoSecrets, watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const WEBAPI_URL = 'https://sod2.superoffice.com/Cust12345/api/';
const TICKET = '7T:dGlja2V0LXNlY3JldA==';
const APP = 'app-token-secret';
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

test('buildAgentRequest: REST by default, the documented call', () => {
  const request = buildAgentRequest({
    webapiUrl: WEBAPI_URL,
    agent: 'Associate',
    method: 'GetAssociateList',
    parameters: { AssociateIds: [1, 2], Since: new Date(Date.UTC(2026, 10, 23, 14, 5)) },
    ticket: TICKET,
    applicationToken: APP,
    timeZone: { SoTimeZoneLocationCode: 'NO' },
  });
  assert.equal(request.url, 'https://sod2.superoffice.com/Cust12345/api/v1/Agents/Associate/GetAssociateList');
  assert.equal(request.method, 'POST');
  assert.deepEqual(request.headers, {
    Authorization: `SOTicket ${TICKET}`,
    'SO-AppToken': APP,
    Accept: 'application/json',
    'Content-Type': 'application/json; charset=utf-8',
    'SO-TimeZone': 'NO',
  });
  assert.deepEqual(JSON.parse(request.body), { AssociateIds: [1, 2], Since: '2026-11-23T14:05:00.000Z' });
  // Printed, the credentials are redacted.
  const printed = inspect(request);
  assert.ok(!printed.includes(TICKET) && !printed.includes(APP), printed);
  assert.match(printed, /GetAssociateList/);

  const byId = buildAgentRequest({
    protocol: 'rest',
    webapiUrl: WEBAPI_URL,
    agent: 'Contact',
    method: 'GetContactEntity',
    parameters: { ContactEntityId: 2 },
    ticket: TICKET,
    applicationToken: APP,
    timeZone: { SoTimeZoneId: 261 },
  });
  assert.equal(byId.headers['SO-TimeZone'], '261');
  const soap = buildAgentRequest({
    protocol: 'soap',
    netserverUrl: 'https://sod.superoffice.com/Cust12345/Remote/Services88/',
    agent: 'Associate',
    method: 'GetAssociate',
    parameters: { AssociateId: 5 },
    ticket: TICKET,
    applicationToken: APP,
  });
  assert.equal(soap.headers['Content-Type'], 'text/xml; charset=utf-8');
});

test('buildAgentRequest: bad arguments are ERR_INVALID_ARGUMENT and never echo a value', () => {
  const ok = {
    webapiUrl: WEBAPI_URL,
    agent: 'Associate',
    method: 'GetAssociate',
    ticket: TICKET,
    applicationToken: APP,
  };
  for (const [what, params] of [
    [
      'a SOAP URL under REST',
      { ...ok, webapiUrl: undefined, netserverUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/' },
    ],
    ['the NetServer URL as webapiUrl', { ...ok, webapiUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/' }],
    ['a misspelled option', { ...ok, timezone: { SoTimeZoneId: 1 } }],
    ['an unknown protocol', { ...ok, protocol: 'grpc' }],
    ['ContactAgent', { ...ok, agent: 'ContactAgent' }],
    ['a path in the method', { ...ok, method: '../User' }],
    ['a line break in the ticket', { ...ok, ticket: `${TICKET}\r\nX-Evil: 1` }],
    ['both time zone fields', { ...ok, timeZone: { SoTimeZoneId: 261, SoTimeZoneLocationCode: 'NO' } }],
    ['a comma in the time zone', { ...ok, timeZone: { SoTimeZoneLocationCode: 'NO, includeTZOffset' } }],
    ['a function parameter', { ...ok, parameters: { AssociateId: () => 5 } }],
  ]) {
    assert.throws(
      () => buildAgentRequest(params),
      (err) => {
        assert.equal(err.code, 'ERR_INVALID_ARGUMENT', what);
        assert.ok(!err.message.includes(TICKET) && !err.message.includes('Evil'), `${what}: ${err.message}`);
        return true;
      },
    );
  }
});

test("parseAgentResponse: REST answers with JSON's own types, errors with their fields", () => {
  const ok = (body, status = 200) => parseAgentResponse({ status, headers: JSON_TYPE, body }, { protocol: 'rest' });
  assert.deepEqual(ok('[{"AssociateId":5,"Deleted":false,"FormalName":null}]'), {
    response: [{ AssociateId: 5, Deleted: false, FormalName: null }],
  });
  assert.deepEqual(ok('null'), { response: null });
  assert.deepEqual(parseAgentResponse({ status: 204, headers: {}, body: '' }), { response: null });
  // Beyond 2^53: the nearest double, as JSON.parse reads it (and as token claims are read).
  assert.deepEqual(ok('[9007199254740993]').response, JSON.parse('[9007199254740993]'));
  assert.throws(() => ok('{"AssociateId":5,"AssociateId":6}'), { code: 'ERR_RESPONSE_MALFORMED' });
  assert.throws(() => ok('x'.repeat(300 * 1024)), { code: 'ERR_RESPONSE_TOO_LARGE' });
  assert.throws(
    () =>
      ok(
        '{"Message":"The request is invalid.","MessageDetail":"The value \'glops\' is not valid for contactEntityId."}',
        400,
      ),
    (err) => {
      assert.equal(err.code, 'ERR_NETSERVER_EXCEPTION');
      assert.equal(err.friendlyText, 'The request is invalid.');
      assert.equal(err.serverMessage, "The value 'glops' is not valid for contactEntityId.");
      return true;
    },
  );
  assert.throws(
    () =>
      ok(
        '{"Message":"An error has occurred.","ExceptionMessage":"Boom","ExceptionType":"System.Exception","StackTrace":"   at SuperOffice.Secret()"}',
        500,
      ),
    (err) => {
      assert.equal(err.code, 'ERR_NETSERVER_EXCEPTION');
      assert.equal(err.exceptionType, 'System.Exception');
      assert.equal(err.serverMessage, 'Boom');
      assert.ok(
        !`${err.message} ${inspect(err)} ${JSON.stringify(err)}`.includes('SuperOffice.Secret'),
        'no stack trace',
      );
      return true;
    },
  );
  assert.throws(() => ok('{"Error":"Unauthorized"}', 401), { code: 'ERR_TICKET_REJECTED', status: 401 });
  assert.throws(() => ok('<html/>', 502), { code: 'ERR_HTTP_STATUS', status: 502 });
  assert.throws(
    () => parseAgentResponse({ status: 200, headers: JSON_TYPE, body: '1' }, { protocol: 'rest', methd: 'x' }),
    { code: 'ERR_INVALID_ARGUMENT' },
  );
  // SOAP needs the method.
  assert.throws(() => parseAgentResponse({ status: 200, headers: {}, body: '' }, { protocol: 'soap' }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
});

async function withStandIn(run, tenants = 1) {
  const s = await standIn({ tenants });
  try {
    await run(s);
  } finally {
    await s.mock.close();
  }
}

test('callAgent: REST by default, with JSON types and lists; SOAP on request, with the same names and lists', () =>
  withStandIn(async (s) => {
    const seen = [];
    const recording = (url, init) => {
      seen.push({ url: String(url), headers: init.headers });
      return fetch(url, init);
    };
    const client = createSystemUserClient(s.options({ fetch: recording, systemUserTokens: s.tenants }));
    const { response: associate } = await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 });
    assert.equal(associate.AssociateId, 5);
    assert.equal(associate.Name, 'SYSTEM');
    assert.equal(associate.Deleted, false);
    assert.equal(associate.FormalName, null);
    assert.ok(seen.at(-1).url.endsWith('/Cust1/api/v1/Agents/Associate/GetAssociate'));

    const one = await client.callAgent('Cust1', 'Associate', 'GetAssociateList', { AssociateIds: [1] });
    assert.deepEqual(
      one.response.map((a) => a.Name),
      ['AA'],
      'a list of one is an array',
    );
    const two = await client.callAgent('Cust1', 'Associate', 'GetAssociateList', { AssociateIds: [1, 2, 99] });
    assert.deepEqual(
      two.response.map((a) => a.Name),
      ['AA', 'BB'],
    );
    assert.deepEqual((await client.callAgent('Cust1', 'Associate', 'GetAssociateList', {})).response, []);
    assert.equal(
      (await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 99 })).response,
      null,
      'a missing entity is null',
    );

    const contact = await client.callAgent(
      'Cust1',
      'Contact',
      'GetContactEntity',
      { ContactEntityId: 2 },
      { timeZone: { SoTimeZoneLocationCode: 'NO' } },
    );
    assert.equal(seen.at(-1).headers['SO-TimeZone'], 'NO');
    assert.equal(contact.response.Country.Name, 'Norway');
    assert.equal(contact.response.Emails.length, 1);
    assert.equal(contact.response.Phones[1].Description, 'Support & <help>');

    // The same calls over SOAP: the same names, lists from the WSDL table, values as strings.
    const soapOne = await client.callAgent(
      'Cust1',
      'Associate',
      'GetAssociateList',
      { AssociateIds: [1] },
      { protocol: 'soap' },
    );
    assert.equal(soapOne.succeeded, true);
    assert.deepEqual(
      soapOne.response.map((a) => a.Name),
      ['AA'],
      'over SOAP too',
    );
    assert.deepEqual(
      (await client.callAgent('Cust1', 'Associate', 'GetAssociateList', { AssociateIds: [99] }, { protocol: 'soap' }))
        .response,
      [],
    );
    const soapContact = await client.callAgent(
      'Cust1',
      'Contact',
      'GetContactEntity',
      { ContactEntityId: 2 },
      { protocol: 'soap' },
    );
    assert.equal(soapContact.response.ContactId, '2');
    assert.deepEqual(
      soapContact.response.Emails.map((e) => e.Description),
      [''],
      'one email is an array of one',
    );
    assert.deepEqual(Object.keys(soapContact.response), Object.keys(contact.response));
    assert.equal(s.mock.stats.ticketsIssued, 1, 'one ticket for every call, both protocols');
    assert.equal(s.mock.stats.restAgents, 6);
    assert.equal(s.mock.stats.netserver, 3);
    assert.equal(s.mock.stats.agents, 9);
  }));

test('callAgent over REST: errors as SuperOffice answers them; a refused ticket retried once', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    await assert.rejects(
      client.callAgent('Cust1', 'Contact', 'GetContactEntity', { ContactEntityId: 'glops' }),
      (err) => {
        assert.equal(err.code, 'ERR_NETSERVER_EXCEPTION');
        assert.equal(err.friendlyText, 'The request is invalid.');
        assert.match(err.serverMessage, /ContactEntityId/);
        return true;
      },
    );
    const failing = s.mock.injectFault('agentException', {
      exceptionType: 'SoDatabaseException',
      message: 'The database is having a day',
      times: 1,
    });
    await assert.rejects(client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }), (err) => {
      assert.equal(err.code, 'ERR_NETSERVER_EXCEPTION');
      assert.equal(err.exceptionType, 'SoDatabaseException');
      assert.equal(err.serverMessage, 'The database is having a day');
      assert.ok(!`${err.message} ${inspect(err)}`.includes('AgentBase.cs'), 'no stack trace');
      return true;
    });
    failing();
    await assert.rejects(client.callAgent('Cust1', 'Associate', 'NoSuchMethod', {}), {
      code: 'ERR_HTTP_STATUS',
      status: 404,
    });

    const first = await client.getTicket('Cust1');
    s.mock.revokeTicket(first.ticket);
    s.mock.resetStats();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 })),
    );
    assert.ok(results.every((r) => r.response.Name === 'AA'));
    assert.equal(s.mock.stats.ticketsIssued, 1, 'one new exchange for ten rejected calls');
    assert.equal(s.mock.stats.restAgents, 20, 'each call: one rejected attempt, one retry');

    s.mock.resetStats();
    const remove = s.mock.injectFault('ticketRejected');
    await assert.rejects(client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }), (err) => {
      assert.equal(err.code, 'ERR_TICKET_REJECTED');
      assert.equal(err.status, 401);
      assertNoSecrets(
        assert,
        `${err.message} ${inspect(err)} ${JSON.stringify(err)}`,
        [...s.secrets, first.ticket],
        'the error',
      );
      assert.ok(!/7T:/.test(`${err.message} ${inspect(err)}`));
      return true;
    });
    remove();
    assert.equal(s.mock.stats.restAgents, 2, 'one retry, never a loop');
    assert.equal(s.mock.stats.ticketsIssued, 1);
  }));

test('stand-in REST agents: POST only, parameters from query and body with names in any case', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const post = (path, init = {}) => client.fetch('Cust1', path, { method: 'POST', ...init });
    const json = async (res) => ({ status: res.status, body: await res.json() });
    assert.equal((await json(await post('v1/Agents/Associate/GetAssociate?associateid=1'))).body.Name, 'AA');
    assert.equal(
      (
        await json(
          await post('v1/agents/associate/getassociate', {
            headers: { 'content-type': 'application/json' },
            body: '{"associateID":2}',
          }),
        )
      ).body.Name,
      'BB',
    );
    // A body that is not an object is the value of the only parameter (what @superoffice/webapi sends).
    assert.deepEqual(
      (
        await json(
          await post('v1/Agents/Associate/GetAssociateList', {
            headers: { 'content-type': 'application/json' },
            body: '[2,1]',
          }),
        )
      ).body.map((a) => a.Name),
      ['BB', 'AA'],
    );
    assert.deepEqual(
      (await json(await post('v1/Agents/Associate/GetAssociateList?associateIds=1&associateIds=2'))).body.length,
      2,
    );
    const twice = await json(
      await post('v1/Agents/Associate/GetAssociate?AssociateId=1', {
        headers: { 'content-type': 'application/json' },
        body: '{"associateId":2}',
      }),
    );
    assert.equal(twice.status, 400);
    assert.deepEqual(Object.keys(twice.body), ['Message', 'MessageDetail']);
    assert.equal((await client.fetch('Cust1', 'v1/Agents/Associate/GetAssociate')).status, 405);
    assert.equal(
      (
        await post('v1/Agents/Associate/GetAssociate', {
          headers: { 'content-type': 'text/plain' },
          body: 'AssociateId=1',
        })
      ).status,
      415,
    );
    // No ticket, no answer.
    assert.equal(
      (await fetch(`${s.mock.baseUrl}/Cust1/api/v1/Agents/Associate/GetAssociate`, { method: 'POST' })).status,
      401,
    );
  }));
