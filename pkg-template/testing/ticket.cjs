'use strict';
// Door: the system-user ticket exchange, PartnerSystemUserService's Authenticate over SOAP
// (/login/Services/PartnerSystemUserService.svc) and REST (/login/api/PartnerSystemUser/Authenticate).
// It checks the signed system user token against the application's registered public key and answers
// with a JWT carrying the ticket, which the tenant API and NetServer doors then accept.

const crypto = require('node:crypto');
const { SOAP_ENV_NS, XSI_NS, is, only, parseXml, xmlEscape, soapFault } = require('./xml.cjs');
const { XML_TYPE, JSON_TYPE, send } = require('./http.cjs');
const { CLAIM, signJwt, safeEqual } = require('./signing.cjs');

const PSU_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1';
const SOAP_ACTION = `${PSU_NS}/IPartnerSystemUserService/Authenticate`;

function create(stand) {
  function route(url) {
    const lower = url.pathname.toLowerCase();
    if (lower === '/login/services/partnersystemuserservice.svc') return { endpoint: 'soap' };
    if (lower === '/login/api/partnersystemuser/authenticate') return { endpoint: 'rest' };
    return undefined;
  }

  // Requests are parsed before counting so that per-tenant stats of the login endpoints know the tenant.
  function tenantOf(r, body) {
    r.parsed = r.endpoint === 'soap' ? parseSoapRequest(body) : parseRestRequest(body);
    return r.parsed.ok ? r.parsed.contextIdentifier : undefined;
  }

  function malformed(r) {
    if (r.endpoint !== 'soap') return undefined;
    return [
      XML_TYPE,
      `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><AuthenticationResponse xmlns="${PSU_NS}"><IsSuccessful>true</IsSucc`,
    ];
  }

  function handle(req, res, r, _body, fault) {
    return r.endpoint === 'soap' ? handleSoap(req, res, r.parsed, fault) : handleRest(req, res, r.parsed, fault);
  }

  function handleSoap(req, res, parsed, fault) {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    const type = String(req.headers['content-type'] || '');
    if (!/^text\/xml\b/i.test(type)) {
      // WCF's BasicHttpBinding answers a wrong content type with 415.
      return send(
        res,
        415,
        'text/plain',
        'Cannot process the message because the content type was not the expected type text/xml; charset=utf-8.',
      );
    }
    const action = String(req.headers.soapaction || '').replace(/^"|"$/g, '');
    if (action !== SOAP_ACTION) {
      return send(
        res,
        500,
        XML_TYPE,
        soapFault('a:ActionNotSupported', 'The message with Action cannot be processed at the receiver.'),
      );
    }
    if (!parsed.ok) return send(res, 500, XML_TYPE, soapFault('a:DeserializationFailed', parsed.error));
    const outcome = authenticate(parsed, fault);
    return send(res, 200, XML_TYPE, soapResponse(outcome));
  }

  function handleRest(req, res, parsed, fault) {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] || ''))) {
      return send(res, 415, JSON_TYPE, JSON.stringify({ Message: 'Unsupported media type' }));
    }
    // A bad request comes back as a non-2xx status rather than IsSuccessful=false: the stand-in's reading;
    // SuperOffice documents the request (docs/en/api/authentication/online/auth-application/
    // get-system-user-ticket.md in SuperOfficeDocs/superoffice-docs), not its errors.
    if (!parsed.ok) return send(res, 400, JSON_TYPE, JSON.stringify({ Message: parsed.error }));
    const outcome = authenticate(parsed, fault);
    return send(
      res,
      200,
      JSON_TYPE,
      JSON.stringify({
        IsSuccessful: outcome.ok,
        Token: outcome.ok ? outcome.token : null,
        ErrorMessage: outcome.ok ? null : outcome.message,
      }),
    );
  }

  // The Authenticate operation proper, shared by SOAP and REST. Returns { ok, token } or { ok: false, message }.
  function authenticate(request, fault) {
    const deny = (reason, text) => ({ ok: false, message: `${reason}: ${text}` });
    if (fault && fault.type === 'deny') return deny(fault.reason, 'injected by the stand-in');
    if (!/^jwt$/i.test(request.returnTokenType))
      return deny('Denied', 'only ReturnTokenType Jwt is supported by the stand-in');
    const app = stand.applications.get(request.applicationToken);
    if (!app) return deny('Denied', 'unknown application token');
    const tenant = stand.tenants.get(request.contextIdentifier);
    if (!tenant) return deny('Denied', 'unknown context identifier');
    const grant = tenant.grants.get(request.applicationToken);
    if (!grant) return deny('Denied', 'the application is not approved for this tenant');
    if (grant.status !== 'active') return deny(grant.status, `the application's approval is ${grant.status}`);
    // The stand-in's reading: a tenant whose APIs are not available (setTenantState) gets no ticket.
    if (tenant.state && !tenant.state.isRunning) return deny('Denied', `the tenant is ${tenant.state.name}`);

    // signed = systemUserToken "." yyyyMMddHHmm "." base64(signature); the token itself may contain dots.
    const signed = request.signedSystemToken || '';
    const last = signed.lastIndexOf('.');
    const second = last > 0 ? signed.lastIndexOf('.', last - 1) : -1;
    if (second <= 0) return deny('InvalidSignature', 'the signed system user token is not token.timestamp.signature');
    const data = signed.slice(0, last);
    const stamp = signed.slice(second + 1, last);
    const systemUserToken = signed.slice(0, second);
    const signature = signed.slice(last + 1);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature) || signature.length % 4 !== 0)
      return deny('InvalidSignature', 'the signature is not base64');
    let verified = false;
    try {
      verified = crypto.verify(
        'sha256',
        Buffer.from(data, 'utf8'),
        { key: app.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING },
        Buffer.from(signature, 'base64'),
      );
    } catch {
      verified = false;
    }
    if (!verified) return deny('InvalidSignature', 'the signature does not verify with the registered public key');
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp);
    if (!m) return deny('InvalidTimestamp', 'the timestamp is not yyyyMMddHHmm');
    const [year, month, day, hour, minute] = m.slice(1).map(Number);
    const at = Date.UTC(year, month - 1, day, hour, minute);
    const check = new Date(at);
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
      return deny('InvalidTimestamp', 'the timestamp is not a valid date');
    }
    // The stamp is truncated to the minute, so it may trail the real time by up to 59.999 s.
    const window = stand.options.timestampWindowSeconds * 1000;
    const t = stand.now();
    if (at < t - window - 60_000 || at > t + window)
      return deny('InvalidTimestamp', 'the timestamp is outside the accepted window');
    if (!safeEqual(systemUserToken, grant.systemUserToken)) return deny('Denied', 'unknown system user token');

    const ticket = `7T:${crypto.randomBytes(48).toString('base64')}`;
    if (!(fault && fault.type === 'noTicket')) {
      stand.tickets.set(ticket, {
        contextIdentifier: tenant.contextIdentifier,
        applicationToken: request.applicationToken,
        lastUsed: t,
        revoked: false,
      });
    }
    const iat = Math.floor(t / 1000);
    const urls = stand.tenantUrls(tenant.contextIdentifier);
    const expiredBy = fault && fault.type === 'expiredJwt' ? fault.ageSeconds : 0;
    const claims = {
      [`${CLAIM}ticket`]: ticket,
      [`${CLAIM}ctx`]: tenant.contextIdentifier,
      [`${CLAIM}serial`]: tenant.serial,
      [`${CLAIM}netserver_url`]: urls.netserverUrl,
      [`${CLAIM}webapi_url`]: urls.webapiUrl,
      [`${CLAIM}is_administrator`]: tenant.isAdministrator ? 'True' : 'False',
      [`${CLAIM}associateid`]: String(tenant.associateId),
      [`${CLAIM}company_name`]: tenant.companyName,
      [`${CLAIM}identityprovider`]: 'central',
      [`${CLAIM}initials`]: 'SYS',
      [`${CLAIM}upn`]: `system@${tenant.contextIdentifier.toLowerCase()}`,
      iss: 'SuperOffice AS',
      aud: `spn:${tenant.serial}`,
      iat: iat - expiredBy,
      nbf: iat - expiredBy,
      exp: iat - expiredBy + stand.options.jwtLifetimeSeconds,
    };
    if (fault && fault.type === 'noTicket') delete claims[`${CLAIM}ticket`];
    // badSignature: same kid and x5t as the real key, so the client finds a key and the signature fails.
    const signing = stand.signingKey();
    const key = fault && fault.type === 'badSignature' ? { ...signing, privateKey: stand.impostorKey() } : signing;
    stand.stats.ticketsIssued += 1;
    return { ok: true, token: signJwt(claims, key) };
  }

  const methods = {
    /** Make the tenant API answer 401 for one ticket, or for every ticket of a tenant. */
    revokeTicket(ticket) {
      const record = stand.tickets.get(ticket);
      if (record) record.revoked = true;
      return Boolean(record);
    },
    revokeTickets(contextIdentifier) {
      let n = 0;
      for (const record of stand.tickets.values()) {
        if (record.contextIdentifier === contextIdentifier && !record.revoked) {
          record.revoked = true;
          n += 1;
        }
      }
      return n;
    },
  };

  return { route, tenantOf, malformed, handle, methods };
}

// Shaped like WCF's output: default namespace on the response element, i:nil for absent values.
function soapResponse(outcome) {
  const token = outcome.ok ? `<Token>${xmlEscape(outcome.token)}</Token>` : '<Token i:nil="true"/>';
  const message = outcome.ok
    ? '<ErrorMessage i:nil="true"/>'
    : `<ErrorMessage>${xmlEscape(outcome.message)}</ErrorMessage>`;
  return `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><AuthenticationResponse xmlns="${PSU_NS}" xmlns:i="${XSI_NS}"><IsSuccessful>${outcome.ok}</IsSuccessful>${token}${message}</AuthenticationResponse></s:Body></s:Envelope>`;
}

function parseRestRequest(body) {
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'the request body is not JSON' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    return { ok: false, error: 'the request body is not a JSON object' };
  for (const name of ['SignedSystemToken', 'ApplicationToken', 'ContextIdentifier', 'ReturnTokenType']) {
    if (typeof json[name] !== 'string') return { ok: false, error: `${name} is missing` };
  }
  return {
    ok: true,
    signedSystemToken: json.SignedSystemToken,
    applicationToken: json.ApplicationToken,
    contextIdentifier: json.ContextIdentifier,
    returnTokenType: json.ReturnTokenType,
  };
}

// Reads the Authenticate envelope by namespace URI and local name, whatever the prefixes.
function parseSoapRequest(body) {
  let root;
  try {
    root = parseXml(body);
  } catch (err) {
    return { ok: false, error: `the message is not well-formed XML: ${err.message}` };
  }
  if (!is(root, SOAP_ENV_NS, 'Envelope')) return { ok: false, error: 'the root element is not a SOAP 1.1 Envelope' };
  const header = only(root, SOAP_ENV_NS, 'Header');
  const bodyEl = only(root, SOAP_ENV_NS, 'Body');
  if (!header.ok || !header.el) return { ok: false, error: 'the envelope has no single Header' };
  if (!bodyEl.ok || !bodyEl.el) return { ok: false, error: 'the envelope has no single Body' };
  const request = only(bodyEl.el, PSU_NS, 'AuthenticationRequest');
  if (!request.ok || !request.el) return { ok: false, error: 'the Body has no single AuthenticationRequest' };
  const fields = {};
  for (const [el, name] of [
    [header.el, 'ApplicationToken'],
    [header.el, 'ContextIdentifier'],
    [request.el, 'SignedSystemToken'],
    [request.el, 'ReturnTokenType'],
  ]) {
    const found = only(el, PSU_NS, name);
    if (!found.ok) return { ok: false, error: `${name} appears more than once` };
    if (!found.el) return { ok: false, error: `${name} is missing` };
    if (found.el.children.length) return { ok: false, error: `${name} must hold text only` };
    fields[name] = found.el.text;
  }
  // The WSDL's TokenType enumeration: exactly Jwt or Saml (WCF refuses any other spelling, JWT included).
  if (fields.ReturnTokenType !== 'Jwt' && fields.ReturnTokenType !== 'Saml') {
    return { ok: false, error: 'ReturnTokenType must be one of the enumeration values Jwt, Saml' };
  }
  return {
    ok: true,
    applicationToken: fields.ApplicationToken,
    contextIdentifier: fields.ContextIdentifier,
    signedSystemToken: fields.SignedSystemToken,
    returnTokenType: fields.ReturnTokenType,
  };
}

module.exports = {
  endpoints: ['soap', 'rest'],
  group: 'authenticate',
  counters: ['ticketsIssued'],
  perTenant: true,
  host: 'login',
  create,
};
