'use strict';
// Door: NetServer's SOAP agents at {base}/{contextIdentifier}/Remote/Services88/{Agent}.svc
// (Associate.GetAssociate, Associate.GetAssociateList, Contact.GetContactEntity), which take the ticket
// in their SOAP headers, and the data each tenant starts with.

const { SOAP_ENV_NS, XSI_NS, is, only, parseXml, xmlEscape, toXml, soapFault } = require('./xml.cjs');
const { XML_TYPE, send } = require('./http.cjs');
const { safeEqual } = require('./signing.cjs');

const NETSERVER_NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
const ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';

function create(stand) {
  const { applications, tickets, tenants, now } = stand;

  function route(url) {
    const agent = /^\/([^/]+)\/remote\/services(\d+)\/([^/]+)\.svc$/i.exec(url.pathname);
    if (!agent) return undefined;
    return {
      endpoint: 'netserver',
      contextIdentifier: decodeURIComponent(agent[1]),
      version: agent[2],
      agent: agent[3],
    };
  }

  function malformed() {
    return [
      XML_TYPE,
      `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><GetAssociateResponse xmlns="${NETSERVER_NS}"><Response><Associ`,
    ];
  }

  /** A new tenant's associates and contacts, for the agents to answer from. */
  function seedTenant(tenant) {
    tenant.associates = seedAssociates(tenant.contextIdentifier, tenant.associateId);
    tenant.contacts = seedContacts(tenant.companyName);
  }

  // NetServer's SOAP agents at {base}/{ctx}/Remote/Services88/{Agent}.svc, shaped like WCF's
  // BasicHttpBinding: SOAP 1.1, the request headers ApplicationToken, Credentials/Ticket and TimeZone
  // as the WSDL defines them, and the response headers ExceptionInfo, ExtraInfo, Succeeded, TimeZone.
  // A missing, unknown, revoked, expired or foreign ticket is ExceptionInfo SoSessionException (what
  // NetServer's authentication pipeline throws for refused credentials: SuperOfficeDocs/superoffice-docs
  // docs/api/authentication/onsite/pipeline.md); a missing or wrong application token is ExceptionInfo SoApplicationTokenException (the stand-in's
  // name: NetServer's own is not documented).
  function handle(req, res, route, body, fault) {
    const { contextIdentifier } = route;
    const xml = XML_TYPE;
    const wcfFault = (code, text) => send(res, 500, xml, soapFault(code, text));
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    if (!/^text\/xml\b/i.test(String(req.headers['content-type'] || ''))) {
      return send(
        res,
        415,
        'text/plain',
        'Cannot process the message because the content type was not the expected type text/xml; charset=utf-8.',
      );
    }
    const agent = AGENTS[route.agent];
    if (route.version !== '88' || !agent) return send(res, 404, 'text/plain', 'not found');
    let root;
    try {
      root = parseXml(body);
    } catch (err) {
      return wcfFault('a:DeserializationFailed', `the message is not well-formed XML: ${err.message}`);
    }
    if (!is(root, SOAP_ENV_NS, 'Envelope'))
      return wcfFault('a:DeserializationFailed', 'the root element is not a SOAP 1.1 Envelope');
    const header = only(root, SOAP_ENV_NS, 'Header');
    const bodyEl = only(root, SOAP_ENV_NS, 'Body');
    if (!header.ok || !bodyEl.ok || !bodyEl.el)
      return wcfFault('a:DeserializationFailed', 'the envelope needs at most one Header and one Body');
    const calls = bodyEl.el.children;
    if (calls.length !== 1 || calls[0].ns !== NETSERVER_NS)
      return wcfFault('a:DeserializationFailed', 'the Body must hold one element in the Services88 namespace');
    const call = calls[0];
    const method = call.local;
    const action = String(req.headers.soapaction || '').replace(/^"|"$/g, '');
    if (action !== `${NETSERVER_NS}/${route.agent}/${method}` || !Object.hasOwn(agent, method)) {
      return wcfFault('a:ActionNotSupported', 'The message with Action cannot be processed at the receiver.');
    }
    const headers = header.el ? header.el.children : [];
    const headerText = (name) => {
      const found = headers.filter((c) => is(c, NETSERVER_NS, name));
      if (found.length !== 1 || found[0].children.length) return undefined;
      return found[0].text;
    };
    let timeZone = null;
    const zones = headers.filter((c) => is(c, NETSERVER_NS, 'TimeZone'));
    if (zones.length > 1) return wcfFault('a:DeserializationFailed', 'TimeZone appears twice');
    if (zones.length === 1) {
      const id = only(zones[0], NETSERVER_NS, 'SoTimeZoneId');
      const code = only(zones[0], NETSERVER_NS, 'SoTimeZoneLocationCode');
      if (!id.ok || !code.ok || (id.el && !/^-?\d+$/.test(id.el.text)))
        return wcfFault('a:DeserializationFailed', 'TimeZone is not an SoTimeZone');
      timeZone = { id: id.el ? id.el.text : null, code: code.el ? code.el.text : null };
    }
    const failWith = (type, message) =>
      send(res, 200, xml, agentResponse(method, { exception: { type, message }, timeZone }));
    if (fault && fault.type === 'ticketRejected')
      return failWith('SoSessionException', 'The ticket is not valid (injected by the stand-in)');
    if (fault && fault.type === 'agentException') return failWith(fault.exceptionType, fault.message);
    const applicationToken = headerText('ApplicationToken');
    if (!applicationToken || !applications.has(applicationToken)) {
      return failWith('SoApplicationTokenException', 'The application token is missing or not valid');
    }
    const credentials = headers.filter((c) => is(c, NETSERVER_NS, 'Credentials'));
    const ticketEl = credentials.length === 1 ? only(credentials[0], NETSERVER_NS, 'Ticket') : { ok: false };
    if (!ticketEl.ok || !ticketEl.el || ticketEl.el.children.length)
      return failWith('SoSessionException', 'No ticket in the Credentials header');
    const record = tickets.get(ticketEl.el.text);
    const t = now();
    if (
      !record ||
      record.revoked ||
      record.contextIdentifier !== contextIdentifier ||
      !safeEqual(applicationToken, record.applicationToken) ||
      t - record.lastUsed > stand.options.ticketLifetimeSeconds * 1000
    ) {
      stand.stats.unauthorized += 1;
      return failWith('SoSessionException', 'The ticket is invalid or has expired');
    }
    record.lastUsed = t; // sliding expiry, as for the REST API
    const tenant = tenants.get(contextIdentifier);
    let result;
    try {
      result = agent[method](call, tenant);
    } catch (err) {
      if (err instanceof DeserializationError) return wcfFault('a:DeserializationFailed', err.message);
      throw err;
    }
    return send(res, 200, xml, agentResponse(method, { result, timeZone }));
  }

  return { route, malformed, seedTenant, handle, methods: {} };
}

// ---- the agents: data and XML ----

class DeserializationError extends Error {}

/** The one child `local` (Services88 namespace) of a request element, as text. */
function paramText(call, local) {
  const found = only(call, NETSERVER_NS, local);
  if (!found.ok || !found.el || found.el.children.length)
    throw new DeserializationError(`${local} is missing or not a value`);
  return found.el.text;
}

function paramInt(call, local) {
  const text = paramText(call, local).trim();
  if (!/^-?\d{1,10}$/.test(text) || Math.abs(Number(text)) > 2147483647)
    throw new DeserializationError(`${local} is not an int`);
  return Number(text);
}

// What the stand-in's agents answer: the XML inside <Response>, or null for a nil Response.
const AGENTS = {
  Associate: {
    GetAssociate(call, tenant) {
      const associate = tenant.associates.get(paramInt(call, 'AssociateId'));
      return associate ? toXml(associate) : null;
    },
    GetAssociateList(call, tenant) {
      const ids = only(call, NETSERVER_NS, 'AssociateIds');
      if (!ids.ok || !ids.el) throw new DeserializationError('AssociateIds is missing');
      const items = ids.el.children.map((item) => {
        if (!is(item, ARRAYS_NS, 'int') || !/^-?\d+$/.test(item.text.trim()))
          throw new DeserializationError('AssociateIds must hold int items of the Arrays namespace');
        return Number(item.text.trim());
      });
      return items
        .filter((id) => tenant.associates.has(id))
        .map((id) => `<Associate>${toXml(tenant.associates.get(id))}</Associate>`)
        .join('');
    },
  },
  Contact: {
    GetContactEntity(call, tenant) {
      const contact = tenant.contacts.get(paramInt(call, 'ContactId'));
      return contact ? toXml(contact) : null;
    },
  },
};

function seedAssociates(contextIdentifier, systemAssociateId) {
  const associate = (id, name, fullName, type) => ({
    AssociateId: id,
    Name: name,
    PersonId: id,
    Rank: id,
    Tooltip: fullName,
    Type: type,
    GroupIdx: 1,
    FullName: fullName,
    FormalName: fullName,
    Deleted: false,
    EjUserId: 0,
    UserName: name.toLowerCase(),
  });
  const associates = new Map();
  associates.set(1, associate(1, 'AA', 'Ada Admin', 'InternalAssociate'));
  associates.set(2, associate(2, 'BB', 'Bob Builder', 'InternalAssociate'));
  associates.set(Number(systemAssociateId), {
    ...associate(Number(systemAssociateId), 'SYSTEM', `${contextIdentifier} system user`, 'SystemAssociate'),
    PersonId: 0,
    FormalName: null,
  });
  return associates;
}

function seedContacts(companyName) {
  return new Map([
    [
      2,
      {
        ContactId: 2,
        Name: companyName,
        Department: '',
        OrgNr: '123456789',
        Number1: '10002',
        UpdatedDate: '2026-11-23T14:05:00',
        Country: { CountryId: 578, Name: 'Norway', CurrencyId: 1, EnglishName: 'Norway', TwoLetterISOCountry: 'NO' },
        Category: null,
        Phones: {
          EntityElement: [
            { Value: '+47 22 00 00 00', StrippedValue: '4722000000', Description: 'Switchboard' },
            { Value: '+47 22 00 00 01', StrippedValue: '4722000001', Description: 'Support & <help>' },
          ],
        },
        Emails: {
          EntityElement: [
            {
              Value: `post@${companyName.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`,
              StrippedValue: '',
              Description: '',
            },
          ],
        },
      },
    ],
  ]);
}

// A response as WCF writes one: each header with its own default namespace, i:nil for absent ones.
function agentResponse(method, { result = null, exception, timeZone }) {
  const nil = (name) => `<${name} i:nil="true" xmlns="${NETSERVER_NS}" xmlns:i="${XSI_NS}"/>`;
  const exceptionInfo = exception
    ? `<ExceptionInfo xmlns="${NETSERVER_NS}" xmlns:i="${XSI_NS}"><Message>${xmlEscape(exception.message)}</Message><StackTrace>   at SuperOffice.CRM.Security.SoCredentials.Check() in C:\\Build\\NetServer\\SoCredentials.cs:line 42</StackTrace><FriendlyText>${xmlEscape(exception.message)}</FriendlyText><ExceptionType>${xmlEscape(exception.type)}</ExceptionType><Source>SoCore</Source><InnerException i:nil="true"/><Parameters i:nil="true"/></ExceptionInfo>`
    : nil('ExceptionInfo');
  const zone = timeZone
    ? `<TimeZone xmlns="${NETSERVER_NS}">${timeZone.id !== null ? `<SoTimeZoneId>${xmlEscape(timeZone.id)}</SoTimeZoneId>` : ''}${timeZone.code !== null ? `<SoTimeZoneLocationCode>${xmlEscape(timeZone.code)}</SoTimeZoneLocationCode>` : ''}</TimeZone>`
    : nil('TimeZone');
  const response = exception || result === null ? '<Response i:nil="true"/>' : `<Response>${result}</Response>`;
  return `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Header>${exceptionInfo}${nil('ExtraInfo')}<Succeeded xmlns="${NETSERVER_NS}">${!exception}</Succeeded>${zone}</s:Header><s:Body><${method}Response xmlns="${NETSERVER_NS}" xmlns:i="${XSI_NS}">${response}</${method}Response></s:Body></s:Envelope>`;
}

module.exports = { endpoints: ['netserver'], counters: [], perTenant: true, create };
