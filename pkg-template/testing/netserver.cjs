'use strict';
// Door: NetServer's agents (Associate.GetAssociate, Associate.GetAssociateList,
// Contact.GetContactEntity) and the data each tenant starts with, served two ways:
// - SOAP at {base}/{contextIdentifier}/Remote/Services88/{Agent}.svc (endpoint 'netserver'), which
//   takes the ticket in its SOAP headers;
// - REST at {base}/{contextIdentifier}/api/v1/Agents/{Agent}/{Method} (endpoint 'restAgents'), which
//   takes it as the web API does (credentials.cjs). Both endpoints form the group 'agents'.

const { SOAP_ENV_NS, XSI_NS, is, only, parseXml, xmlEscape, soapFault } = require('./xml.cjs');
const { XML_TYPE, JSON_TYPE, send } = require('./http.cjs');
const { checkCredential, unauthorized } = require('./credentials.cjs');
const { safeEqual } = require('./signing.cjs');

const NETSERVER_NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
const ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';

function create(stand) {
  const { applications, tickets, tenants, now } = stand;

  function route(url) {
    const rest = /^\/([^/]+)\/api\/v1\/agents\/([^/]+)\/([^/]+)$/i.exec(url.pathname);
    if (rest)
      return {
        endpoint: 'restAgents',
        contextIdentifier: decodeURIComponent(rest[1]),
        agent: rest[2],
        method: rest[3],
      };
    const agent = /^\/([^/]+)\/remote\/services(\d+)\/([^/]+)\.svc$/i.exec(url.pathname);
    if (!agent) return undefined;
    return {
      endpoint: 'netserver',
      contextIdentifier: decodeURIComponent(agent[1]),
      version: agent[2],
      agent: agent[3],
    };
  }

  function malformed(r) {
    if (r.endpoint === 'restAgents') return [JSON_TYPE, '{"AssociateId": 5, "Name": "SY'];
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
    if (route.endpoint === 'restAgents') return handleRest(req, res, route, body, fault);
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
    const agent = Object.hasOwn(AGENTS, route.agent) ? AGENTS[route.agent] : undefined;
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
      const { params, run, list } = agent[method];
      result = run(readParameters(call, params), tenant);
      result =
        result === null
          ? null
          : list
            ? result.map((item) => `<${list}>${toXml(item)}</${list}>`).join('')
            : toXml(result);
    } catch (err) {
      if (err instanceof DeserializationError) return wcfFault('a:DeserializationFailed', err.message);
      throw err;
    }
    return send(res, 200, xml, agentResponse(method, { result, timeZone }));
  }

  // The Agents WebAPI (SuperOfficeDocs/superoffice-docs, docs/en/api/web-services/endpoints/
  // agents-webapi/index.md): POST only; parameters from the query string and the JSON body, names
  // matched without regard to case as ASP.NET does (a body that is not an object is the value of a
  // method's only parameter, as @superoffice/webapi sends a list); every parameter optional. A missing
  // entity is 200 null; a malformed parameter 400 { Message, MessageDetail }; the agentException fault a
  // 500 error object (ASP.NET's HttpError, whose StackTrace a client must not pass on).
  function handleRest(req, res, route, body, fault) {
    const invalid = (detail) =>
      send(res, 400, JSON_TYPE, JSON.stringify({ Message: 'The request is invalid.', MessageDetail: detail }));
    if (fault && fault.type === 'ticketRejected')
      return unauthorized(stand, res, 'ticket rejected (injected by the stand-in)');
    const credential = checkCredential(stand, req, route.contextIdentifier);
    if (!credential.ok) return unauthorized(stand, res, credential.why);
    const agent = Object.keys(AGENTS).find((name) => name.toLowerCase() === route.agent.toLowerCase());
    const method =
      agent && Object.keys(AGENTS[agent]).find((name) => name.toLowerCase() === route.method.toLowerCase());
    if (!method) {
      return send(
        res,
        404,
        JSON_TYPE,
        JSON.stringify({ Message: `No HTTP resource was found that matches the request URI '${route.url.href}'.` }),
      );
    }
    if (req.method !== 'POST')
      return send(
        res,
        405,
        JSON_TYPE,
        JSON.stringify({ Message: `The requested resource does not support http method '${req.method}'.` }),
        { Allow: 'POST' },
      );
    if (fault && fault.type === 'agentException') {
      return send(
        res,
        500,
        JSON_TYPE,
        JSON.stringify({
          Message: 'An error has occurred.',
          ExceptionMessage: fault.message,
          ExceptionType: fault.exceptionType,
          StackTrace:
            '   at SuperOffice.CRM.Services.Implementation.AgentBase.Invoke() in C:\\Build\\NetServer\\AgentBase.cs:line 42',
        }),
      );
    }
    const { params, run } = AGENTS[agent][method];
    // name (lower case) -> [value, where]; a name given twice, in any case or place, is ambiguous.
    const given = new Map();
    const give = (name, value) => {
      const key = name.toLowerCase();
      if (given.has(key)) return false;
      given.set(key, value);
      return true;
    };
    for (const name of new Set(route.url.searchParams.keys())) {
      const values = route.url.searchParams.getAll(name);
      if (!give(name, values.length === 1 ? values[0] : values))
        return invalid(`The parameter '${name}' is given twice.`);
    }
    if (body.trim() !== '') {
      if (!/^(application|text)\/json\b/i.test(String(req.headers['content-type'] || ''))) {
        return send(
          res,
          415,
          JSON_TYPE,
          JSON.stringify({ Message: "The request entity's media type is not supported for this resource." }),
        );
      }
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        return invalid('The request body is not valid JSON.');
      }
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
        for (const [name, value] of Object.entries(json))
          if (!give(name, value)) return invalid(`The parameter '${name}' is given twice.`);
      } else if (params.length === 1) {
        if (!give(params[0][0], json)) return invalid(`The parameter '${params[0][0]}' is given twice.`);
      } else {
        return invalid('The request body must be a JSON object of the parameters.');
      }
    }
    const values = {};
    for (const [name, type] of params) {
      if (!given.has(name.toLowerCase())) continue;
      const value = given.get(name.toLowerCase());
      if (value === null) continue;
      const int = (v) =>
        typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d{1,10}\s*$/.test(v) ? Number(v) : NaN;
      if (type === 'int') {
        const n = int(value);
        if (!INT32(n)) return invalid(`The value '${String(value)}' is not valid for ${name}.`);
        values[name] = n;
      } else {
        const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
        const ints = items?.map(int);
        if (!ints?.every(INT32)) return invalid(`The value is not valid for ${name}.`);
        values[name] = ints;
      }
    }
    return send(res, 200, JSON_TYPE, JSON.stringify(run(values, tenants.get(route.contextIdentifier))));
  }

  return { route, malformed, seedTenant, handle, methods: {} };
}

// ---- the agents: data and XML ----

class DeserializationError extends Error {}

// The agents both doors serve (SOAP here, REST in agents.cjs), on plain values. Each method lists its
// parameters in the WSDL's order with their types, every one optional (minOccurs="0": a missing one
// is its type's default, as WCF and ASP.NET read it); `list` names the item element of a list result.
// Contact.GetContactEntity's parameter is ContactEntityId (Services88 WSDL,
// docs/en/api/reference/soap/Services88/Services88-Contact.md).
const AGENTS = {
  Associate: {
    GetAssociate: {
      params: [['AssociateId', 'int']],
      run: ({ AssociateId = 0 }, tenant) => tenant.associates.get(AssociateId) ?? null,
    },
    GetAssociateList: {
      params: [['AssociateIds', 'int[]']],
      list: 'Associate',
      run: ({ AssociateIds }, tenant) =>
        (AssociateIds ?? []).filter((id) => tenant.associates.has(id)).map((id) => tenant.associates.get(id)),
    },
  },
  Contact: {
    GetContactEntity: {
      params: [['ContactEntityId', 'int']],
      run: ({ ContactEntityId = 0 }, tenant) => tenant.contacts.get(ContactEntityId) ?? null,
    },
  },
};

const INT32 = (value) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

/** A SOAP call's parameters (Services88 namespace children) by the method's list; absent ones left out. */
function readParameters(call, params) {
  const values = {};
  for (const [name, type] of params) {
    const found = only(call, NETSERVER_NS, name);
    if (!found.ok) throw new DeserializationError(`${name} appears more than once`);
    const el = found.el;
    if (!el || el.attrs[`{${XSI_NS}}nil`] === 'true') continue;
    if (type === 'int') {
      const text = el.children.length ? '' : el.text.trim();
      if (!/^-?\d{1,10}$/.test(text) || !INT32(Number(text))) throw new DeserializationError(`${name} is not an int`);
      values[name] = Number(text);
    } else {
      values[name] = el.children.map((item) => {
        const text = item.text.trim();
        if (!is(item, ARRAYS_NS, 'int') || !/^-?\d{1,10}$/.test(text) || !INT32(Number(text)))
          throw new DeserializationError(`${name} must hold int items of the Arrays namespace`);
        return Number(text);
      });
    }
  }
  return values;
}

// List-typed members of the entities and the element each item is written as (their WSDL types:
// ArrayOfEntityElement, ...). REST writes the same lists as JSON arrays.
const LIST_ITEMS = {
  Emails: 'EntityElement',
  Phones: 'EntityElement',
  Urls: 'EntityElement',
  Faxes: 'EntityElement',
  Persons: 'Person',
};

/** Plain data as WCF's element form: null is i:nil, a list member holds its items' elements. */
function toXml(fields) {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === null) out += `<${name} i:nil="true"/>`;
    else if (Array.isArray(value)) {
      const item = LIST_ITEMS[name];
      if (!item) throw new TypeError(`the stand-in has no item name for the list ${name}`);
      out += `<${name}>${value.map((v) => `<${item}>${toXml(v)}</${item}>`).join('')}</${name}>`;
    } else if (typeof value === 'object') out += `<${name}>${toXml(value)}</${name}>`;
    else out += `<${name}>${xmlEscape(value)}</${name}>`;
  }
  return out;
}

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

// Members in the order of ContactEntity's sequence in the WSDL (Emails before Phones, Category before
// Country): WCF writes them in that order, and order-sensitive readers expect it.
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
        Emails: [
          {
            Value: `post@${companyName.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`,
            StrippedValue: '',
            Description: '',
          },
        ],
        Phones: [
          { Value: '+47 22 00 00 00', StrippedValue: '4722000000', Description: 'Switchboard' },
          { Value: '+47 22 00 00 01', StrippedValue: '4722000001', Description: 'Support & <help>' },
        ],
        Category: null,
        Country: { CountryId: 578, Name: 'Norway', CurrencyId: 1, EnglishName: 'Norway', TwoLetterISOCountry: 'NO' },
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

module.exports = { endpoints: ['netserver', 'restAgents'], group: 'agents', counters: [], perTenant: true, create };
