// NetServer SOAP agents and the authorized fetch: envelopes read back by fast-xml-parser (not our
// reader) and held against the WSDL's shapes; parseAgentResponse's error paths; callAgent, client.fetch
// and the refresh client's fetch against the stand-in over real HTTP, with the retry-once rule.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import {
  SuperOfficeAuthError,
  buildAgentRequest,
  parseAgentResponse,
  createSystemUserClient,
  createRefreshTokenClient,
} from 'superoffice-auth';
import { standIn, assertNoSecrets, watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

// fast-xml-parser is a devDependency of the repository, not of the scratch project the tests run in.
const requireDev = createRequire(join(process.env.SUPEROFFICE_AUTH_REPO ?? process.cwd(), 'package.json'));
const { XMLParser } = requireDev('fast-xml-parser');

const S11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
const ARRAYS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NETSERVER_URL = 'https://sod.superoffice.com/Cust12345/Remote/Services88/';
const TICKET = '7T:dGlja2V0LXNlY3JldA==';
const APP = 'app-token-secret';

/**
 * fast-xml-parser's ordered output, with namespaces resolved on top (it leaves prefixes as written):
 * { ns, local, attrs: { '{ns}local': value }, children, text }.
 */
function readXml(text) {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
  });
  const nodes = parser.parse(text, true);
  const convert = (node, scopes) => {
    const name = Object.keys(node).find((key) => key !== ':@');
    const rawAttrs = node[':@'] ?? {};
    const scope = { ...scopes };
    for (const [key, value] of Object.entries(rawAttrs)) {
      if (key === 'xmlns') scope[''] = value;
      else if (key.startsWith('xmlns:')) scope[key.slice(6)] = value;
    }
    const [prefix, local] = name.includes(':') ? name.split(':') : ['', name];
    const attrs = {};
    for (const [key, value] of Object.entries(rawAttrs)) {
      if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
      const [p, l] = key.includes(':') ? key.split(':') : ['', key];
      attrs[`{${p ? scope[p] : ''}}${l}`] = value;
    }
    const children = [];
    let text = '';
    for (const child of node[name]) {
      if (Object.hasOwn(child, '#text')) text += child['#text'];
      else children.push(convert(child, scope));
    }
    return { ns: scope[prefix] ?? '', local, attrs, children, text };
  };
  const roots = nodes.filter((node) => !Object.keys(node).some((key) => key.startsWith('?')));
  assert.equal(roots.length, 1);
  return convert(roots[0], {});
}

const names = (el) => el.children.map((c) => `{${c.ns}}${c.local}`);
const childOf = (el, local) => {
  const found = el.children.filter((c) => c.local === local);
  assert.equal(found.length, 1, `one ${local}`);
  return found[0];
};

test('buildAgentRequest: the envelope of the WSDL, read back by fast-xml-parser', () => {
  const awkward = 'a&b<c>d"e\'f é 漢 😀 ]]>';
  const updated = new Date(Date.UTC(2026, 10, 23, 14, 5, 0));
  const request = buildAgentRequest({
    protocol: 'soap',
    netserverUrl: NETSERVER_URL,
    agent: 'Contact',
    method: 'SaveContactEntity',
    parameters: {
      Name: awkward,
      Count: 3,
      Ratio: 0.25,
      Active: true,
      Category: null,
      Updated: updated,
      Country: { CountryId: 578, Name: 'Norway' },
      AssociateIds: [1, 2, 3],
      Tags: ['x', '<y>'],
      Phones: { EntityElement: [{ Value: '1' }, { Value: '2' }] },
    },
    ticket: TICKET,
    applicationToken: APP,
    timeZone: { SoTimeZoneId: 2, SoTimeZoneLocationCode: 'NO' },
  });
  assert.equal(request.url, 'https://sod.superoffice.com/Cust12345/Remote/Services88/Contact.svc');
  assert.equal(request.method, 'POST');
  assert.deepEqual(request.headers, {
    'Content-Type': 'text/xml; charset=utf-8',
    SOAPAction: `"${NS}/Contact/SaveContactEntity"`,
    Accept: 'text/xml',
  });

  const envelope = readXml(request.body);
  assert.equal(`{${envelope.ns}}${envelope.local}`, `{${S11}}Envelope`);
  assert.deepEqual(names(envelope), [`{${S11}}Header`, `{${S11}}Body`]);
  const header = childOf(envelope, 'Header');
  assert.deepEqual(names(header), [`{${NS}}ApplicationToken`, `{${NS}}Credentials`, `{${NS}}TimeZone`]);
  assert.equal(childOf(header, 'ApplicationToken').text, APP);
  assert.deepEqual(names(childOf(header, 'Credentials')), [`{${NS}}Ticket`]);
  assert.equal(childOf(childOf(header, 'Credentials'), 'Ticket').text, TICKET);
  const zone = childOf(header, 'TimeZone');
  assert.deepEqual(names(zone), [`{${NS}}SoTimeZoneId`, `{${NS}}SoTimeZoneLocationCode`]);
  assert.equal(childOf(zone, 'SoTimeZoneId').text, '2');

  const body = childOf(envelope, 'Body');
  assert.deepEqual(names(body), [`{${NS}}SaveContactEntity`]);
  const call = childOf(body, 'SaveContactEntity');
  assert.deepEqual(
    call.children.map((c) => c.local),
    ['Name', 'Count', 'Ratio', 'Active', 'Category', 'Updated', 'Country', 'AssociateIds', 'Tags', 'Phones'],
  );
  assert.ok(call.children.every((c) => c.ns === NS));
  assert.equal(childOf(call, 'Name').text, awkward);
  assert.equal(childOf(call, 'Count').text, '3');
  assert.equal(childOf(call, 'Ratio').text, '0.25');
  assert.equal(childOf(call, 'Active').text, 'true');
  assert.equal(childOf(call, 'Category').attrs[`{${XSI}}nil`], 'true');
  assert.equal(childOf(call, 'Updated').text, '2026-11-23T14:05:00.000Z');
  assert.deepEqual(names(childOf(call, 'Country')), [`{${NS}}CountryId`, `{${NS}}Name`]);
  const ids = childOf(call, 'AssociateIds');
  assert.deepEqual(names(ids), [`{${ARRAYS}}int`, `{${ARRAYS}}int`, `{${ARRAYS}}int`]);
  assert.deepEqual(
    ids.children.map((c) => c.text),
    ['1', '2', '3'],
  );
  const tags = childOf(call, 'Tags');
  assert.deepEqual(names(tags), [`{${ARRAYS}}string`, `{${ARRAYS}}string`]);
  assert.equal(tags.children[1].text, '<y>');
  // An array of objects is the element repeated, as responses read repeated elements back.
  const phones = call.children.filter((c) => c.local === 'Phones');
  assert.equal(phones.length, 1);
  assert.deepEqual(names(phones[0]), [`{${NS}}EntityElement`, `{${NS}}EntityElement`]);

  // No TimeZone unless given; the body holds credentials, so inspect() hides it.
  const plain = buildAgentRequest({
    protocol: 'soap',
    netserverUrl: NETSERVER_URL,
    agent: 'Associate',
    method: 'GetAssociate',
    parameters: { AssociateId: 5 },
    ticket: TICKET,
    applicationToken: APP,
  });
  assert.deepEqual(names(childOf(readXml(plain.body), 'Header')), [`{${NS}}ApplicationToken`, `{${NS}}Credentials`]);
  const shown = inspect(plain, { depth: 5 });
  assert.ok(!shown.includes(TICKET) && !shown.includes(APP), shown);
});

test('buildAgentRequest: bad arguments are ERR_INVALID_ARGUMENT and never echo a value', () => {
  class Thing {}
  const cyclic = {};
  cyclic.self = cyclic;
  // biome-ignore lint/suspicious/noSparseArray: the hole is the hostile input under test
  const sparse = [1, , 3];
  const base = {
    protocol: 'soap',
    netserverUrl: NETSERVER_URL,
    agent: 'Associate',
    method: 'GetAssociate',
    ticket: TICKET,
    applicationToken: APP,
  };
  const rows = [
    ['no version in the URL', { netserverUrl: 'https://sod.superoffice.com/Cust12345/Remote/' }],
    ['a retired version', { netserverUrl: 'https://sod.superoffice.com/Cust12345/Remote/Services83/' }],
    ['plain http', { netserverUrl: 'http://sod.superoffice.com/Cust12345/Remote/Services88/' }],
    ['agent not an XML name', { agent: 'Asso ciate' }],
    ['agent with a path', { agent: '../Associate' }],
    ['agent with the class suffix', { agent: 'AssociateAgent' }],
    ['method not an XML name', { method: 'Get<Associate>' }],
    ['parameter name not an XML name', { parameters: { 'Associate Id': 5 } }],
    ['parameter name with a prefix', { parameters: { 'x:AssociateId': 5 } }],
    ['undefined', { parameters: { AssociateId: undefined } }],
    ['function', { parameters: { AssociateId: () => 5 } }],
    ['symbol', { parameters: { AssociateId: Symbol('x') } }],
    ['bigint', { parameters: { AssociateId: 5n } }],
    ['NaN', { parameters: { AssociateId: NaN } }],
    ['Infinity', { parameters: { AssociateId: Infinity } }],
    ['invalid Date', { parameters: { When: new Date(NaN) } }],
    ['Map', { parameters: { AssociateId: new Map() } }],
    ['Buffer', { parameters: { Data: Buffer.from('x') } }],
    ['class instance', { parameters: { Thing: new Thing() } }],
    ['cycle', { parameters: cyclic }],
    ['sparse array', { parameters: { Ids: sparse } }],
    ['mixed array', { parameters: { Ids: [1, 'secret-value'] } }],
    ['boolean array', { parameters: { Ids: [true] } }],
    ['fractional int array', { parameters: { Ids: [1.5] } }],
    ['array of arrays', { parameters: { Ids: [[1]] } }],
    ['parameters an array', { parameters: [1] }],
    ['a control character', { parameters: { Name: 'secret-value\u0000' } }],
    ['empty ticket', { ticket: '' }],
    ['ticket not sendable', { ticket: '7T:\u0001secret-value' }],
    ['timeZone with an unknown field', { timeZone: { Id: 1 } }],
    ['timeZone empty', { timeZone: {} }],
    ['timeZone id not int32', { timeZone: { SoTimeZoneId: 2 ** 31 } }],
  ];
  for (const [name, override] of rows) {
    assert.throws(
      () => buildAgentRequest({ ...base, ...override }),
      (err) => {
        assert.ok(err instanceof SuperOfficeAuthError, `${name}: ${err}`);
        assert.equal(err.code, 'ERR_INVALID_ARGUMENT', `${name}: ${err.message}`);
        assert.ok(!err.message.includes('secret-value') && !err.message.includes(TICKET), `${name}: ${err.message}`);
        return true;
      },
      name,
    );
  }
  // A key named __proto__ is an ordinary parameter.
  const request = buildAgentRequest({ ...base, parameters: JSON.parse('{"__proto__": 1}') });
  assert.equal(childOf(childOf(readXml(request.body), 'Body'), 'GetAssociate').children[0].local, '__proto__');
});

const xmlResponse = (body, status = 200) => ({ status, headers: { 'content-type': 'text/xml; charset=utf-8' }, body });
const envelope = (headers, body) =>
  `<s:Envelope xmlns:s="${S11}"><s:Header>${headers}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
const result = (inner) =>
  envelope(
    `<Succeeded xmlns="${NS}">true</Succeeded>`,
    `<GetAssociateResponse xmlns="${NS}" xmlns:i="${XSI}">${inner}</GetAssociateResponse>`,
  );
const exceptionInfo = (type, message) =>
  envelope(
    `<ExceptionInfo xmlns="${NS}" xmlns:i="${XSI}"><Message>${message}</Message><StackTrace>at Secret.Frame() in C:\\STACK.cs</StackTrace><FriendlyText>Friendly text</FriendlyText><ExceptionType>${type}</ExceptionType><Source>SoCore</Source><InnerException i:nil="true"/></ExceptionInfo><Succeeded xmlns="${NS}">false</Succeeded>`,
    `<GetAssociateResponse xmlns="${NS}" xmlns:i="${XSI}"><Response i:nil="true"/></GetAssociateResponse>`,
  );

test('parseAgentResponse: results as plain objects', () => {
  const parsed = parseAgentResponse(
    xmlResponse(
      result(
        '<Response><AssociateId>5</AssociateId><FullName i:nil="true"/><Roles><Role>a</Role><Role>b</Role></Roles></Response>',
      ),
    ),
    { protocol: 'soap', method: 'GetAssociate' },
  );
  assert.deepEqual(parsed, {
    response: { AssociateId: '5', FullName: null, Roles: { Role: ['a', 'b'] } },
    succeeded: true,
    extraInfo: {},
  });
  assert.equal(
    parseAgentResponse(xmlResponse(result('')), { protocol: 'soap', method: 'GetAssociate' }).response,
    null,
  );
  assert.equal(
    parseAgentResponse(
      { status: 200, body: Buffer.from(result('<Response>x</Response>')) },
      { protocol: 'soap', method: 'GetAssociate' },
    ).response,
    'x',
  );
});

test('parseAgentResponse: every error path, with its code and details', () => {
  const rows = [
    [
      'ExceptionInfo',
      xmlResponse(exceptionInfo('SoDatabaseException', 'Row missing')),
      'ERR_NETSERVER_EXCEPTION',
      { exceptionType: 'SoDatabaseException', friendlyText: 'Friendly text', serverMessage: 'Row missing' },
    ],
    [
      'ExceptionInfo with 500',
      xmlResponse(exceptionInfo('SoDatabaseException', 'Row missing'), 500),
      'ERR_NETSERVER_EXCEPTION',
      { exceptionType: 'SoDatabaseException' },
    ],
    [
      'security exception',
      xmlResponse(exceptionInfo('SoSessionException', `Ticket ${TICKET} is not valid`)),
      'ERR_TICKET_REJECTED',
      { exceptionType: 'SoSessionException', serverMessage: 'Ticket [redacted] is not valid' },
    ],
    [
      'SoSessionException by its full name',
      xmlResponse(exceptionInfo('SuperOffice.Exceptions.SoSessionException', 'Authentication failed!')),
      'ERR_TICKET_REJECTED',
      { exceptionType: 'SuperOffice.Exceptions.SoSessionException' },
    ],
    // Issue 19: words in a type or a message never make a rejection (NetServer's exact types only).
    [
      'expired-ticket message',
      xmlResponse(exceptionInfo('SoException', 'The ticket has expired')),
      'ERR_NETSERVER_EXCEPTION',
      { exceptionType: 'SoException' },
    ],
    [
      'a support ticket id',
      xmlResponse(exceptionInfo('ArgumentException', 'Unknown ticket id 5')),
      'ERR_NETSERVER_EXCEPTION',
      { exceptionType: 'ArgumentException' },
    ],
    [
      'a security-sounding type',
      xmlResponse(exceptionInfo('SoSecurityException', 'Access denied')),
      'ERR_NETSERVER_EXCEPTION',
      { exceptionType: 'SoSecurityException' },
    ],
    ['HTTP 401', xmlResponse('', 401), 'ERR_TICKET_REJECTED', { status: 401 }],
    [
      'HTTP 403 with a result',
      xmlResponse(result('<Response>x</Response>'), 403),
      'ERR_TICKET_REJECTED',
      { status: 403 },
    ],
    [
      'Succeeded false alone',
      xmlResponse(envelope(`<Succeeded xmlns="${NS}">false</Succeeded>`, `<GetAssociateResponse xmlns="${NS}"/>`)),
      'ERR_NETSERVER_EXCEPTION',
      {},
    ],
    [
      'SOAP fault',
      xmlResponse(
        envelope(
          '',
          `<s:Fault><faultcode>a:ActionNotSupported</faultcode><faultstring>No ${TICKET}</faultstring></s:Fault>`,
        ),
        500,
      ),
      'ERR_SOAP_FAULT',
      { faultCode: 'a:ActionNotSupported', faultString: 'No [redacted]' },
    ],
    [
      'HTTP 500 plain',
      { status: 500, headers: { 'content-type': 'text/plain' }, body: 'oops' },
      'ERR_HTTP_STATUS',
      { status: 500 },
    ],
    [
      'HTTP 502 HTML',
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><p>bad gateway</p>' },
      'ERR_HTTP_STATUS',
      { status: 502 },
    ],
    [
      'response to another method',
      xmlResponse(result('').replaceAll('GetAssociateResponse', 'GetContactResponse')),
      'ERR_RESPONSE_MALFORMED',
      {},
    ],
    [
      'JSON',
      { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' },
      'ERR_RESPONSE_MALFORMED',
      {},
    ],
    ['empty', xmlResponse(''), 'ERR_RESPONSE_MALFORMED', {}],
    ['not UTF-8', { status: 200, body: Buffer.from([0x3c, 0xff, 0x3e]) }, 'ERR_RESPONSE_MALFORMED', {}],
    ['too large', xmlResponse(' '.repeat(300 * 1024)), 'ERR_RESPONSE_TOO_LARGE', { limit: 256 * 1024 }],
    [
      'DOCTYPE',
      xmlResponse(`<!DOCTYPE s:Envelope [<!ENTITY e "x">]>${result('<Response>&e;</Response>')}`),
      'ERR_XML_FORBIDDEN',
      {},
    ],
    ['bad status', { status: 99, body: '' }, 'ERR_INVALID_ARGUMENT', {}],
  ];
  for (const [name, response, code, details] of rows) {
    assert.throws(
      () => parseAgentResponse(response, { protocol: 'soap', method: 'GetAssociate' }),
      (err) => {
        assert.ok(err instanceof SuperOfficeAuthError, `${name}: ${err}`);
        assert.equal(err.code, code, `${name}: ${err.message}`);
        for (const [field, value] of Object.entries(details)) assert.equal(err[field], value, `${name}: ${field}`);
        const shown = `${err.message} ${inspect(err)} ${JSON.stringify(err)}`;
        assert.ok(!shown.includes(TICKET), `${name}: the ticket leaks`);
        assert.ok(!shown.includes('STACK'), `${name}: the stack trace leaks`);
        return true;
      },
      name,
    );
  }
  assert.throws(() => parseAgentResponse(xmlResponse(result('')), { protocol: 'soap' }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
  assert.throws(() => parseAgentResponse(xmlResponse(result('')), { protocol: 'soap', method: 'Get Associate' }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
});

// ---- the client against the stand-in ----

async function withStandIn(run, { tenants = 1 } = {}) {
  const s = await standIn({ tenants });
  try {
    await run(s);
  } finally {
    await s.mock.close();
  }
}

const SOAP = { protocol: 'soap' };
const tenant = (s, id = 'Cust1') => ({ contextIdentifier: id, systemUserToken: s.tenants[id] });

test('callAgent: GetAssociate, GetAssociateList with an int array, GetContactEntity, TimeZone', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    const { response, succeeded, extraInfo } = await client.callAgent(
      tenant(s),
      'Associate',
      'GetAssociate',
      { AssociateId: 5 },
      SOAP,
    );
    assert.equal(succeeded, true);
    assert.deepEqual(extraInfo, {});
    assert.equal(response.AssociateId, '5');
    assert.equal(response.Name, 'SYSTEM');
    assert.equal(response.FormalName, null);
    const list = await client.callAgent('Cust1', 'Associate', 'GetAssociateList', { AssociateIds: [1, 2, 99] }, SOAP);
    assert.deepEqual(
      list.response.map((a) => a.Name),
      ['AA', 'BB'],
    );
    const missing = await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 99 }, SOAP);
    assert.equal(missing.response, null);
    const contact = await client.callAgent(
      'Cust1',
      'Contact',
      'GetContactEntity',
      { ContactEntityId: 2 },
      { protocol: 'soap', timeZone: { SoTimeZoneId: 2 } },
    );
    assert.equal(contact.response.Country.Name, 'Norway');
    assert.equal(contact.response.Category, null);
    assert.equal(contact.response.Phones[1].Description, 'Support & <help>');
    const { stats } = s.mock;
    assert.equal(stats.netserver, 4);
    assert.equal(stats.ticketsIssued, 1, 'one ticket for every call');
    // A call the stand-in does not know is a SOAP fault; one that cannot be built costs no exchange.
    await assert.rejects(client.callAgent('Cust1', 'Associate', 'DropAllTables', {}, SOAP), {
      code: 'ERR_SOAP_FAULT',
      faultCode: 'a:ActionNotSupported',
    });
    await assert.rejects(client.callAgent(tenant(s), 'Associate', 'GetAssociate', { AssociateId: () => 5 }, SOAP), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(client.callAgent(tenant(s), 'Associate', 'GetAssociate', {}, { zone: 1 }), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    assert.equal(s.mock.stats.ticketsIssued, 1);
  }));

test('callAgent: a wrong application token is an ExceptionInfo, not a ticket rejection', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    const ticket = await client.getTicket(tenant(s));
    const request = buildAgentRequest({
      protocol: 'soap',
      netserverUrl: ticket.netserverUrl,
      agent: 'Associate',
      method: 'GetAssociate',
      parameters: { AssociateId: 5 },
      ticket: ticket.ticket,
      applicationToken: 'not-the-token',
    });
    const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    const response = { status: res.status, headers: res.headers, body: await res.text() };
    assert.throws(() => parseAgentResponse(response, { protocol: 'soap', method: 'GetAssociate' }), {
      code: 'ERR_NETSERVER_EXCEPTION',
      exceptionType: 'SoApplicationTokenException',
    });
  }));

test('callAgent: a revoked ticket is replaced once; concurrent callers share one exchange; never a loop', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    const first = await client.getTicket(tenant(s));
    s.mock.revokeTicket(first.ticket);
    s.mock.resetStats();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }, SOAP),
      ),
    );
    assert.ok(results.every((r) => r.response.Name === 'AA'));
    assert.equal(s.mock.stats.ticketsIssued, 1, 'one new exchange for twenty rejected calls');
    assert.equal(s.mock.stats.netserver, 40, 'each call: one rejected attempt, one retry');
    assert.notEqual((await client.getTicket('Cust1')).ticket, first.ticket);

    // Rejected every time: one retry, then the error, with no ticket in it.
    s.mock.resetStats();
    const remove = s.mock.injectFault('ticketRejected');
    await assert.rejects(client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 1 }, SOAP), (err) => {
      assert.equal(err.code, 'ERR_TICKET_REJECTED');
      assert.equal(err.exceptionType, 'SoSessionException');
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
    assert.equal(s.mock.stats.netserver, 2);
    assert.equal(s.mock.stats.ticketsIssued, 1);
  }));

test('client.fetch: the tenant API with ticket headers, relative to webapiUrl, retried once after a 401', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    const res = await client.fetch(tenant(s), 'v1/User/currentPrincipal');
    assert.equal(res.status, 200);
    assert.equal((await res.json()).ContextIdentifier, 'Cust1');
    const slash = await client.fetch('Cust1', '/v1/User/currentPrincipal', {
      headers: { Authorization: 'Basic x', 'X-Trace': '1' },
    });
    assert.equal(slash.status, 200, "a leading slash stays under webapiUrl; the caller's Authorization is replaced");
    await slash.arrayBuffer();
    const absolute = await client.fetch('Cust1', new URL('v1/User/currentPrincipal', `${s.mock.baseUrl}/Cust1/api/`));
    assert.equal(absolute.status, 200);
    await absolute.arrayBuffer();
    await assert.rejects(client.fetch('Cust1', 'https://attacker.example/steal'), { code: 'ERR_INVALID_ARGUMENT' });
    await assert.rejects(
      client.fetch('Cust1', 'http://localhost:1/x'),
      { code: 'ERR_INVALID_ARGUMENT' },
      'another origin on loopback',
    );
    await assert.rejects(client.fetch('Cust1', 42), { code: 'ERR_INVALID_ARGUMENT' });

    // Revoked: one new exchange for many concurrent requests, each retried once.
    const old = await client.getTicket('Cust1');
    s.mock.revokeTicket(old.ticket);
    s.mock.resetStats();
    const many = await Promise.all(Array.from({ length: 20 }, () => client.fetch('Cust1', 'v1/User/currentPrincipal')));
    assert.ok(many.every((r) => r.status === 200));
    await Promise.all(many.map((r) => r.arrayBuffer()));
    assert.equal(s.mock.stats.ticketsIssued, 1);
    assert.equal(s.mock.stats.api, 40);

    // Refused every time: the second 401 is the caller's response, after exactly one retry.
    s.mock.resetStats();
    const remove = s.mock.injectFault('ticketRejected', { endpoint: 'api' });
    const refused = await client.fetch('Cust1', 'v1/User/currentPrincipal', { method: 'POST', body: 'replayable' });
    assert.equal(refused.status, 401);
    await refused.arrayBuffer();
    remove();
    assert.equal(s.mock.stats.api, 2);
    assert.equal(s.mock.stats.ticketsIssued, 1);
  }));

test('client.fetch: a stream body is not sent twice, and the rejection says so', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    const old = await client.getTicket(tenant(s));
    s.mock.revokeTicket(old.ticket);
    s.mock.resetStats();
    const body = Readable.toWeb(Readable.from([Buffer.from('{"a":1}')]));
    await assert.rejects(
      client.fetch('Cust1', 'v1/User/currentPrincipal', { method: 'POST', body, duplex: 'half' }),
      (err) => {
        assert.equal(err.code, 'ERR_TICKET_REJECTED');
        assert.equal(err.status, 401);
        assert.equal(err.retried, false);
        assert.match(err.message, /stream/);
        assert.ok(!err.message.includes(old.ticket));
        return true;
      },
    );
    assert.equal(s.mock.stats.api, 1, 'not retried');
    assert.equal(s.mock.stats.ticketsIssued, 0);
    // The dead ticket was dropped: the next request gets a fresh one.
    const res = await client.fetch('Cust1', 'v1/User/currentPrincipal');
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.equal(s.mock.stats.ticketsIssued, 1);
  }));

test('client.fetch: a fetch replacement sees plain headers and redirect manual; failures are coded', async () => {
  await withStandIn(async (s) => {
    const seen = [];
    const client = createSystemUserClient(
      s.options({
        fetch: (url, init) => {
          seen.push({ url, init });
          return fetch(url, init);
        },
      }),
    );
    const res = await client.fetch(tenant(s), 'v1/User/currentPrincipal', {
      headers: new Headers({ accept: 'text/plain' }),
    });
    await res.arrayBuffer();
    const last = seen.at(-1);
    assert.equal(last.url, `${s.mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`);
    assert.equal(last.init.redirect, 'manual');
    assert.equal(last.init.headers.accept, 'text/plain');
    assert.match(last.init.headers.Authorization, /^SOTicket 7T:/);
    assert.equal(last.init.headers['SO-AppToken'], s.applicationToken);
  });
  await withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    await client.getTicket(tenant(s));
    const failing = createSystemUserClient(
      s.options({
        fetch: (url, init) =>
          String(url).includes('/api/') ? Promise.reject(new TypeError('boom')) : fetch(url, init),
      }),
    );
    await assert.rejects(failing.fetch(tenant(s), 'v1/User/currentPrincipal'), { code: 'ERR_FETCH_FAILED' });
  });
});

test('refresh client: fetch with Bearer, retried once after a 401 with a refreshed access token', () =>
  withStandIn(async (s) => {
    const clientId = 'refresh-app';
    s.mock.registerClient({ clientId, clientSecret: 'refresh-secret' });
    const refreshToken = s.mock.issueRefreshToken({ clientId, contextIdentifier: 'Cust1' });
    const seen = [];
    const client = createRefreshTokenClient({
      baseUrl: s.mock.baseUrl,
      issuer: s.mock.issuer,
      clientId,
      clientSecret: 'refresh-secret',
      refreshToken,
      fetch: (url, init) => {
        seen.push(init.headers?.Authorization);
        return fetch(url, init);
      },
    });
    const res = await client.fetch('v1/User/currentPrincipal');
    assert.equal(res.status, 200);
    assert.equal((await res.json()).IsSystemUser, false);
    const token = await client.getAccessToken();
    assert.equal(seen.at(-1), `Bearer ${token}`);
    s.mock.revokeAccessToken(token);
    const before = s.mock.stats.tokens;
    const again = await client.fetch('v1/User/currentPrincipal');
    assert.equal(again.status, 200);
    await again.arrayBuffer();
    assert.equal(s.mock.stats.tokens, before + 1, 'one refresh');
    assert.notEqual(await client.getAccessToken(), token);
    await assert.rejects(client.fetch('https://attacker.example/'), { code: 'ERR_INVALID_ARGUMENT' });
  }));

test('stand-in agents: headers checked as the WSDL defines them, by hand-written envelopes', () =>
  withStandIn(async (s) => {
    const client = createSystemUserClient(s.options());
    const { ticket, netserverUrl } = await client.getTicket(tenant(s));
    const url = `${netserverUrl}Associate.svc`;
    const action = (method) => `"${NS}/Associate/${method}"`;
    const envelopeOf = (headers, call) =>
      `<?xml version="1.0"?><e:Envelope xmlns:e="${S11}" xmlns:n="${NS}"><e:Header>${headers}</e:Header><e:Body>${call}</e:Body></e:Envelope>`;
    const credentials = (appToken, t) =>
      `<n:ApplicationToken>${appToken}</n:ApplicationToken><n:Credentials><n:Ticket>${t}</n:Ticket></n:Credentials>`;
    const getAssociate = '<n:GetAssociate><n:AssociateId>1</n:AssociateId></n:GetAssociate>';
    const post = async (
      body,
      { soapAction = action('GetAssociate'), contentType = 'text/xml; charset=utf-8', target = url } = {},
    ) => {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': contentType, SOAPAction: soapAction },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    const exceptionType = (text) => (/<ExceptionType>([^<]*)<\/ExceptionType>/.exec(text) ?? [])[1];

    const good = await post(envelopeOf(credentials(s.applicationToken, ticket), getAssociate));
    assert.equal(good.status, 200);
    assert.match(good.text, /<Succeeded xmlns="[^"]+">true<\/Succeeded>/);
    assert.match(good.text, /<Name>AA<\/Name>/);
    assert.equal(
      exceptionType((await post(envelopeOf(credentials('wrong', ticket), getAssociate))).text),
      'SoApplicationTokenException',
    );
    assert.equal(
      exceptionType(
        (await post(envelopeOf(`<n:ApplicationToken>${s.applicationToken}</n:ApplicationToken>`, getAssociate))).text,
      ),
      'SoSessionException',
    );
    assert.equal(
      exceptionType((await post(envelopeOf(credentials(s.applicationToken, '7T:unknown'), getAssociate))).text),
      'SoSessionException',
    );
    // Header elements in no namespace are not the WSDL's headers.
    assert.equal(
      exceptionType(
        (
          await post(
            envelopeOf(
              `<ApplicationToken>${s.applicationToken}</ApplicationToken><Credentials><Ticket>${ticket}</Ticket></Credentials>`,
              getAssociate,
            ),
          )
        ).text,
      ),
      'SoApplicationTokenException',
    );
    const wrongAction = await post(envelopeOf(credentials(s.applicationToken, ticket), getAssociate), {
      soapAction: action('GetAssociateList'),
    });
    assert.equal(wrongAction.status, 500);
    assert.match(wrongAction.text, /ActionNotSupported/);
    assert.equal(
      (
        await post(envelopeOf(credentials(s.applicationToken, ticket), getAssociate), {
          contentType: 'application/soap+xml',
        })
      ).status,
      415,
    );
    const plainItems = await post(
      envelopeOf(
        credentials(s.applicationToken, ticket),
        '<n:GetAssociateList><n:AssociateIds><n:int>1</n:int></n:AssociateIds></n:GetAssociateList>',
      ),
      { soapAction: action('GetAssociateList') },
    );
    assert.equal(plainItems.status, 500, 'int items must be in the Arrays namespace');
    assert.match(plainItems.text, /DeserializationFailed/);
    const otherVersion = await post(envelopeOf(credentials(s.applicationToken, ticket), getAssociate), {
      target: url.replace('Services88', 'Services87'),
    });
    assert.equal(otherVersion.status, 404);
    // A ticket of another tenant, and a revoked one, are refused over SOAP as over REST.
    s.mock.addTenant({ contextIdentifier: 'Cust9', systemUserToken: 'other' });
    assert.equal(
      exceptionType(
        (
          await post(envelopeOf(credentials(s.applicationToken, ticket), getAssociate), {
            target: url.replace('/Cust1/', '/Cust9/'),
          })
        ).text,
      ),
      'SoSessionException',
    );
    s.mock.revokeTicket(ticket);
    assert.equal(
      exceptionType((await post(envelopeOf(credentials(s.applicationToken, ticket), getAssociate))).text),
      'SoSessionException',
    );
    const rest = await fetch(`${s.mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`, {
      headers: { Authorization: `SOTicket ${ticket}`, 'SO-AppToken': s.applicationToken },
    });
    assert.equal(rest.status, 401);
    await rest.arrayBuffer();
  }));
