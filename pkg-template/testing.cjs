'use strict';
// A local stand-in for SuperOffice CRM Online's login, for tests, demos and benchmarks: the system-user
// ticket exchange (SOAP and REST), the JWKS, the authorize endpoint (it approves at once, as a person
// who signs in and agrees would), the OAuth token endpoint's authorization-code and refresh-token grants,
// SuperIdTokens (OpenID Connect id_tokens) as a tenant administrator's approval would send them, a
// tenant web API that takes tickets and bearer access tokens, and NetServer SOAP agents
// (Associate.GetAssociate, Associate.GetAssociateList, Contact.GetContactEntity) that take tickets in
// their SOAP headers.
//
// It is deliberately an independent implementation: it uses only node:http and node:crypto and never
// the package's own core, so that a test passing against it checks our wasm core against a second
// reading of the protocol (PROTOCOL.md), not against itself. Keep it that way: do not require
// './index.cjs' from this file.

const http = require('node:http');
const crypto = require('node:crypto');

const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const PSU_NS = 'http://www.superoffice.com/superid/partnersystemuser/0.1';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const SOAP_ACTION = `${PSU_NS}/IPartnerSystemUserService/Authenticate`;
const NETSERVER_NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
const ARRAYS_NS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
const CLAIM = 'http://schemes.superoffice.net/identity/';
const SIX_HOURS_MS = 6 * 60 * 60 * 1000;
const MAX_BODY = 256 * 1024;

// Every fault the stand-in can inject. `endpoint` says where a fault applies by default.
const FAULTS = {
  latency: 'delay the response by `ms` milliseconds',
  httpError: 'answer with HTTP `status` (default 500) and a plain-text body',
  soapFault: 'answer HTTP 500 with a SOAP 1.1 Fault (s:Client / `faultString`)',
  malformed: 'answer 200 with a truncated body (broken XML for SOAP, broken JSON for REST and JWKS)',
  expiredJwt: 'issue a JWT whose exp lies `ageSeconds` (default 3600) in the past',
  badSignature: 'sign the JWT with a key that is not in the JWKS, under the current kid',
  deny: "answer IsSuccessful=false with `reason` (one of SuperOffice's AuthorizeErrorCode names); at the authorize endpoint, redirect with error=access_denied (the person declined)",
  noTicket: 'issue a valid JWT that carries no ticket claim',
  drop: 'destroy the connection without answering',
  redirect: 'answer 302 to another path',
  ticketRejected:
    'refuse the ticket as if revoked: a NetServer agent answers ExceptionInfo SoSecurityException (HTTP 200, Succeeded false), the tenant API 401',
};
const ENDPOINTS = [
  'authenticate',
  'soap',
  'rest',
  'jwks',
  'openidConfiguration',
  'authorize',
  'tokens',
  'api',
  'netserver',
  'any',
];
const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Start the stand-in on 127.0.0.1.
 * @param {object} [options]
 * @param {number} [options.port=0] 0 picks a free port.
 * @param {number} [options.timestampWindowSeconds=300] accepted clock difference for signed tokens.
 * @param {number} [options.jwtLifetimeSeconds=300] exp - iat of issued JWTs (SuperOffice's are minutes).
 * @param {number} [options.ticketLifetimeSeconds=21600] sliding lifetime of a ticket (6 hours).
 * @param {number} [options.accessTokenLifetimeSeconds=3600] expires_in of access tokens from the token endpoint.
 * @param {number} [options.codeLifetimeSeconds=60] how long an authorization code can be exchanged.
 * @param {boolean} [options.idTokenIatAsString=true] write id_tokens' iat as a string of digits, as
 *   SuperOffice does; false writes a number (for OAuth clients that insist on RFC 7519's NumericDate).
 * @param {string} [options.issuer] `iss` of id_tokens; default the stand-in's base URL. Set it to
 *   `https://sod.superoffice.com` (or another environment's) to test environment issuer checks.
 * @param {() => number} [options.now] clock in epoch ms; tests share one fake clock with the client.
 */
async function startMockSuperOffice(options = {}) {
  const {
    port = 0,
    timestampWindowSeconds = 300,
    jwtLifetimeSeconds = 300,
    ticketLifetimeSeconds = SIX_HOURS_MS / 1000,
    accessTokenLifetimeSeconds = 3600,
    codeLifetimeSeconds = 60,
    idTokenIatAsString = true,
    issuer: issuerOption,
    now = Date.now,
  } = options;
  if (!Number.isInteger(accessTokenLifetimeSeconds) || accessTokenLifetimeSeconds < 1)
    throw new TypeError('accessTokenLifetimeSeconds must be a positive integer');
  if (issuerOption !== undefined) requireString('issuer', issuerOption);
  if (!Number.isInteger(codeLifetimeSeconds) || codeLifetimeSeconds < 1)
    throw new TypeError('codeLifetimeSeconds must be a positive integer');
  if (typeof idTokenIatAsString !== 'boolean') throw new TypeError('idTokenIatAsString must be a boolean');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer 0..65535');
  if (typeof now !== 'function') throw new TypeError('now must be a function returning epoch milliseconds');

  const applications = new Map(); // applicationToken -> { publicKey }
  const tenants = new Map(); // contextIdentifier -> tenant record
  const tickets = new Map(); // ticket -> { contextIdentifier, applicationToken, lastUsed, revoked }
  const clients = new Map(); // OAuth client id -> { clientSecret, redirectUris }; a system-user app's secret is its application token
  const codes = new Map(); // authorization code -> { clientId, redirectUri, codeChallenge, contextIdentifier, nonce, expiresAt, used, issued }
  const refreshTokens = new Map(); // refresh token -> { clientId, contextIdentifier, status, expiresAt, rotate, redirectUri }
  const accessTokens = new Map(); // access token -> { clientId, contextIdentifier, expiresAt, revoked }
  let faults = [];
  let stats = emptyStats();
  let signing = newSigningKey();
  const retiredKeys = []; // still published after a rotation with keepOld
  let baseUrl = '';
  let impostor = null;
  // Generated when a badSignature fault is injected, not on every start: RSA key generation is slow,
  // and inside a request it would trip a short client timeout on a loaded machine.
  const impostorKey = () => {
    impostor ??= newSigningKey().privateKey;
    return impostor;
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A bug in the stand-in must show up as a 500 in the test, not crash the test process.
      if (!res.headersSent) send(res, 500, 'text/plain', `stand-in error: ${err?.message}`);
      else res.destroy();
    });
  });
  // Keep-alive sockets would hold close() open for seconds after a test.
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  const issuer = issuerOption ?? baseUrl;

  async function handle(req, res) {
    const url = new URL(req.url, baseUrl);
    const path = url.pathname;
    const lower = path.toLowerCase();
    // IIS paths are case-insensitive; SuperOffice's samples spell /Login and /login both ways.
    let endpoint;
    let contextIdentifier;
    let route;
    if (lower === '/login/services/partnersystemuserservice.svc') endpoint = 'soap';
    else if (lower === '/login/api/partnersystemuser/authenticate') endpoint = 'rest';
    else if (lower === '/login/.well-known/jwks') endpoint = 'jwks';
    else if (lower === '/login/.well-known/openid-configuration') endpoint = 'openidConfiguration';
    else if (lower === '/login/common/oauth/tokens') endpoint = 'tokens';
    else if (lower === '/login/common/oauth/authorize') endpoint = 'authorize';
    else {
      const m = /^\/([^/]+)\/api\/(.*)$/.exec(path);
      const agent = /^\/([^/]+)\/remote\/services(\d+)\/([^/]+)\.svc$/i.exec(path);
      if (m) {
        endpoint = 'api';
        contextIdentifier = decodeURIComponent(m[1]);
      } else if (agent) {
        endpoint = 'netserver';
        contextIdentifier = decodeURIComponent(agent[1]);
        route = { version: agent[2], agent: agent[3] };
      }
    }
    if (!endpoint) {
      stats.other += 1;
      return send(res, 404, 'text/plain', 'not found');
    }

    const body = await readBody(req);
    if (body === null) return send(res, 413, 'text/plain', 'request body too large');

    // Requests are parsed before counting so that per-tenant stats of the login endpoints know the tenant.
    let soapRequest;
    let restRequest;
    if (endpoint === 'soap') {
      soapRequest = parseSoapRequest(body);
      contextIdentifier = soapRequest.ok ? soapRequest.contextIdentifier : undefined;
    } else if (endpoint === 'rest') {
      restRequest = parseRestRequest(body);
      contextIdentifier = restRequest.ok ? restRequest.contextIdentifier : undefined;
    }
    count(endpoint, contextIdentifier);

    const active = takeFaults(endpoint, contextIdentifier);
    for (const f of active) if (f.type === 'latency') await sleep(f.ms);
    const fault = active.find((f) => f.type !== 'latency');
    if (fault) {
      if (fault.type === 'drop') return void req.socket.destroy();
      if (fault.type === 'redirect') {
        res.writeHead(302, { Location: `${baseUrl}/elsewhere${path}` });
        return void res.end();
      }
      if (fault.type === 'httpError') return send(res, fault.status, 'text/plain', 'Internal Server Error');
      if (fault.type === 'soapFault')
        return send(res, 500, 'text/xml; charset=utf-8', soapFault('s:Client', fault.faultString));
      if (fault.type === 'malformed') {
        if (endpoint === 'soap')
          return send(
            res,
            200,
            'text/xml; charset=utf-8',
            `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><AuthenticationResponse xmlns="${PSU_NS}"><IsSuccessful>true</IsSucc`,
          );
        if (endpoint === 'netserver')
          return send(
            res,
            200,
            'text/xml; charset=utf-8',
            `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><GetAssociateResponse xmlns="${NETSERVER_NS}"><Response><Associ`,
          );
        return send(res, 200, 'application/json; charset=utf-8', '{"IsSuccessful": true, "Token": "ey');
      }
    }

    switch (endpoint) {
      case 'openidConfiguration':
        return send(
          res,
          200,
          'application/json; charset=utf-8',
          JSON.stringify({
            issuer,
            jwks_uri: `${baseUrl}/login/.well-known/jwks`,
            authorization_endpoint: `${baseUrl}/login/common/oauth/authorize`,
            token_endpoint: `${baseUrl}/login/common/oauth/tokens`,
            response_types_supported: ['code', 'id_token'],
            response_modes_supported: ['query', 'fragment', 'form_post'],
            code_challenge_methods_supported: ['S256'],
            scopes_supported: ['openid'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            grant_types_supported: ['authorization_code', 'refresh_token'],
            token_endpoint_auth_methods_supported: ['client_secret_post'],
          }),
        );
      case 'jwks':
        if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
        return send(
          res,
          200,
          'application/json; charset=utf-8',
          JSON.stringify({
            keys: [signing, ...retiredKeys].map((k) => k.jwk),
          }),
        );
      case 'soap':
        return handleSoap(req, res, soapRequest, fault);
      case 'rest':
        return handleRest(req, res, restRequest, fault);
      case 'tokens':
        return handleTokens(req, res, body);
      case 'authorize':
        return handleAuthorize(req, res, url, fault);
      case 'api':
        if (fault && fault.type === 'ticketRejected') {
          res.setHeader('WWW-Authenticate', 'SOTicket, Bearer');
          stats.unauthorized += 1;
          return send(
            res,
            401,
            'application/json; charset=utf-8',
            JSON.stringify({ Error: 'Unauthorized', Reason: 'ticket rejected (injected by the stand-in)' }),
          );
        }
        return handleApi(req, res, contextIdentifier, url);
      case 'netserver':
        return handleNetServer(req, res, contextIdentifier, route, body, fault);
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
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
        'text/xml; charset=utf-8',
        soapFault('a:ActionNotSupported', 'The message with Action cannot be processed at the receiver.'),
      );
    }
    if (!parsed.ok)
      return send(res, 500, 'text/xml; charset=utf-8', soapFault('a:DeserializationFailed', parsed.error));
    const outcome = authenticate(parsed, fault);
    return send(res, 200, 'text/xml; charset=utf-8', soapResponse(outcome));
  }

  function handleRest(req, res, parsed, fault) {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] || ''))) {
      return send(res, 415, 'application/json; charset=utf-8', JSON.stringify({ Message: 'Unsupported media type' }));
    }
    // A bad request comes back as a non-2xx status rather than IsSuccessful=false (PROTOCOL.md, step 2b).
    if (!parsed.ok) return send(res, 400, 'application/json; charset=utf-8', JSON.stringify({ Message: parsed.error }));
    const outcome = authenticate(parsed, fault);
    return send(
      res,
      200,
      'application/json; charset=utf-8',
      JSON.stringify({
        IsSuccessful: outcome.ok,
        Token: outcome.ok ? outcome.token : null,
        ErrorMessage: outcome.ok ? null : outcome.message,
      }),
    );
  }

  function handleApi(req, res, contextIdentifier, url) {
    const unauthorized = (why) => {
      res.setHeader('WWW-Authenticate', 'SOTicket, Bearer');
      stats.unauthorized += 1;
      return send(res, 401, 'application/json; charset=utf-8', JSON.stringify({ Error: 'Unauthorized', Reason: why }));
    };
    const authorization = String(req.headers.authorization || '');
    const bearer = /^Bearer (\S+)$/.exec(authorization);
    if (bearer) {
      // An access token from the token endpoint: no SO-AppToken needed, it names its client itself.
      const access = accessTokens.get(bearer[1]);
      if (!access) return unauthorized('unknown access token');
      if (access.revoked) return unauthorized('access token revoked');
      if (access.contextIdentifier !== contextIdentifier) return unauthorized('access token belongs to another tenant');
      if (now() >= access.expiresAt) return unauthorized('access token expired');
      return answerApi(req, res, contextIdentifier, url, {
        userName: `user@${contextIdentifier.toLowerCase()}`,
        isSystemUser: false,
      });
    }
    const m = /^SOTicket (\S+)$/.exec(authorization);
    if (!m) return unauthorized('missing SOTicket or Bearer authorization');
    const record = tickets.get(m[1]);
    if (!record) return unauthorized('unknown ticket');
    if (record.revoked) return unauthorized('ticket revoked');
    if (record.contextIdentifier !== contextIdentifier) return unauthorized('ticket belongs to another tenant');
    if (!safeEqual(String(req.headers['so-apptoken'] || ''), record.applicationToken))
      return unauthorized('wrong or missing SO-AppToken');
    const t = now();
    if (t - record.lastUsed > ticketLifetimeSeconds * 1000) return unauthorized('ticket expired');
    record.lastUsed = t; // sliding expiry: every use resets the window
    return answerApi(req, res, contextIdentifier, url, { userName: 'SYSTEM', isSystemUser: true });
  }

  function answerApi(req, res, contextIdentifier, url, { userName, isSystemUser }) {
    const tenant = tenants.get(contextIdentifier);
    const rest = url.pathname.slice(`/${encodeURIComponent(contextIdentifier)}/api/`.length).toLowerCase();
    if (req.method === 'GET' && rest === 'v1/user/currentprincipal') {
      return send(
        res,
        200,
        'application/json; charset=utf-8',
        JSON.stringify({
          ContextIdentifier: contextIdentifier,
          CompanyName: tenant ? tenant.companyName : null,
          AssociateId: tenant ? tenant.associateId : null,
          UserName: userName,
          IsSystemUser: isSystemUser,
        }),
      );
    }
    return send(res, 404, 'application/json; charset=utf-8', JSON.stringify({ Error: 'Not found' }));
  }

  // NetServer's SOAP agents at {base}/{ctx}/Remote/Services88/{Agent}.svc, shaped like WCF's
  // BasicHttpBinding: SOAP 1.1, the request headers ApplicationToken, Credentials/Ticket and TimeZone
  // as the WSDL defines them, and the response headers ExceptionInfo, ExtraInfo, Succeeded, TimeZone.
  // A missing, unknown, revoked, expired or foreign ticket is ExceptionInfo SoSecurityException; a
  // missing or wrong application token is ExceptionInfo SoApplicationTokenException (the stand-in's
  // name: NetServer's own is not documented).
  function handleNetServer(req, res, contextIdentifier, route, body, fault) {
    const xml = 'text/xml; charset=utf-8';
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
      return failWith('SoSecurityException', 'The ticket is not valid (injected by the stand-in)');
    const applicationToken = headerText('ApplicationToken');
    if (!applicationToken || !applications.has(applicationToken)) {
      return failWith('SoApplicationTokenException', 'The application token is missing or not valid');
    }
    const credentials = headers.filter((c) => is(c, NETSERVER_NS, 'Credentials'));
    const ticketEl = credentials.length === 1 ? only(credentials[0], NETSERVER_NS, 'Ticket') : { ok: false };
    if (!ticketEl.ok || !ticketEl.el || ticketEl.el.children.length)
      return failWith('SoSecurityException', 'No ticket in the Credentials header');
    const record = tickets.get(ticketEl.el.text);
    const t = now();
    if (
      !record ||
      record.revoked ||
      record.contextIdentifier !== contextIdentifier ||
      !safeEqual(applicationToken, record.applicationToken) ||
      t - record.lastUsed > ticketLifetimeSeconds * 1000
    ) {
      stats.unauthorized += 1;
      return failWith('SoSecurityException', 'The ticket is invalid or has expired');
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

  // The Authenticate operation proper, shared by SOAP and REST. Returns { ok, token } or { ok: false, message }.
  function authenticate(request, fault) {
    const deny = (reason, text) => ({ ok: false, message: `${reason}: ${text}` });
    if (fault && fault.type === 'deny') return deny(fault.reason, 'injected by the stand-in');
    if (!/^jwt$/i.test(request.returnTokenType || ''))
      return deny('Denied', 'only ReturnTokenType Jwt is supported by the stand-in');
    const app = applications.get(request.applicationToken);
    if (!app) return deny('Denied', 'unknown application token');
    const tenant = tenants.get(request.contextIdentifier);
    if (!tenant) return deny('Denied', 'unknown context identifier');
    const grant = tenant.grants.get(request.applicationToken);
    if (!grant) return deny('Denied', 'the application is not approved for this tenant');
    if (grant.status !== 'active') return deny(grant.status, `the application's approval is ${grant.status}`);

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
    const window = timestampWindowSeconds * 1000;
    const t = now();
    if (at < t - window - 60_000 || at > t + window)
      return deny('InvalidTimestamp', 'the timestamp is outside the accepted window');
    if (!safeEqual(systemUserToken, grant.systemUserToken)) return deny('Denied', 'unknown system user token');

    const ticket = `7T:${crypto.randomBytes(48).toString('base64')}`;
    if (!(fault && fault.type === 'noTicket')) {
      tickets.set(ticket, {
        contextIdentifier: tenant.contextIdentifier,
        applicationToken: request.applicationToken,
        lastUsed: t,
        revoked: false,
      });
    }
    const iat = Math.floor(t / 1000);
    const expiredBy = fault && fault.type === 'expiredJwt' ? fault.ageSeconds : 0;
    const claims = {
      [`${CLAIM}ticket`]: ticket,
      [`${CLAIM}ctx`]: tenant.contextIdentifier,
      [`${CLAIM}serial`]: tenant.serial,
      [`${CLAIM}netserver_url`]: `${baseUrl}/${encodeURIComponent(tenant.contextIdentifier)}/Remote/Services88/`,
      [`${CLAIM}webapi_url`]: `${baseUrl}/${encodeURIComponent(tenant.contextIdentifier)}/api/`,
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
      exp: iat - expiredBy + jwtLifetimeSeconds,
    };
    if (fault && fault.type === 'noTicket') delete claims[`${CLAIM}ticket`];
    // badSignature: same kid and x5t as the real key, so the client finds a key and the signature fails.
    const key = fault && fault.type === 'badSignature' ? { ...signing, privateKey: impostorKey() } : signing;
    stats.ticketsIssued += 1;
    return { ok: true, token: signJwt(claims, key) };
  }

  // The OAuth token endpoint: the refresh-token grant only (RFC 6749 §6), client authentication by
  // client_id and client_secret in the form, errors as RFC 6749 §5.2 bodies.
  function handleTokens(req, res, body) {
    const oauthError = (status, error, description) =>
      send(
        res,
        status,
        'application/json; charset=utf-8',
        JSON.stringify({ error, error_description: description }),
        NO_STORE,
      );
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'method not allowed');
    const type = String(req.headers['content-type'] || '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (type !== FORM_TYPE) return oauthError(400, 'invalid_request', `the body must be ${FORM_TYPE}`);
    const form = new URLSearchParams(body);
    const field = {};
    for (const name of new Set(form.keys())) {
      // RFC 6749 §3.2: request parameters must not be included more than once.
      if (form.getAll(name).length > 1) return oauthError(400, 'invalid_request', `${name} is repeated`);
      field[name] = form.get(name);
    }
    if (!field.grant_type) return oauthError(400, 'invalid_request', 'grant_type is missing');
    if (field.grant_type !== 'refresh_token' && field.grant_type !== 'authorization_code') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'the stand-in supports grant_type refresh_token and authorization_code',
      );
    }
    const client = field.client_id ? clients.get(field.client_id) : undefined;
    if (!client || !safeEqual(field.client_secret ?? '', client.clientSecret)) {
      return oauthError(401, 'invalid_client', 'unknown client or wrong client secret');
    }
    if (field.grant_type === 'authorization_code') return redeemCode(res, field, oauthError);
    if (!field.refresh_token) return oauthError(400, 'invalid_request', 'refresh_token is missing');
    const grant = refreshTokens.get(field.refresh_token);
    const t = now();
    if (!grant || grant.clientId !== field.client_id) return oauthError(400, 'invalid_grant', 'unknown refresh token');
    if (grant.status === 'revoked') return oauthError(400, 'invalid_grant', 'the refresh token has been revoked');
    if (grant.status === 'rotated') return oauthError(400, 'invalid_grant', 'the refresh token has already been used');
    if (t >= grant.expiresAt) return oauthError(400, 'invalid_grant', 'the refresh token has expired');
    if (
      grant.redirectUri !== undefined &&
      field.redirect_uri !== undefined &&
      field.redirect_uri !== grant.redirectUri
    ) {
      return oauthError(400, 'invalid_grant', 'redirect_uri does not match the one the token was issued for');
    }
    const tenant = tenants.get(grant.contextIdentifier);
    if (!tenant) return oauthError(400, 'invalid_grant', 'the tenant no longer exists');

    const accessToken = newAccessToken(tenant, grant.clientId, t);
    const answer = {
      token_type: 'Bearer',
      access_token: accessToken,
      expires_in: accessTokenLifetimeSeconds,
      id_token: issueIdToken(tenant, grant.clientId, {}),
    };
    if (grant.rotate) {
      grant.status = 'rotated';
      answer.refresh_token = newRefreshToken({ ...grant, status: 'active' });
    }
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(answer), NO_STORE);
  }

  // The authorization-code grant (RFC 6749 §4.1.3, PKCE RFC 7636 §4.6). A code is consumed by the
  // first attempt of its own client, whatever the outcome, and a second attempt also revokes the tokens
  // the first one got (RFC 6749 §4.1.2: the code may have been stolen).
  function redeemCode(res, field, oauthError) {
    if (!field.code) return oauthError(400, 'invalid_request', 'code is missing');
    const record = codes.get(field.code);
    if (!record || record.clientId !== field.client_id)
      return oauthError(400, 'invalid_grant', 'unknown authorization code');
    if (record.used) {
      if (record.issued) {
        refreshTokens.get(record.issued.refreshToken).status = 'revoked';
        accessTokens.get(record.issued.accessToken).revoked = true;
      }
      return oauthError(400, 'invalid_grant', 'the authorization code has already been used');
    }
    record.used = true;
    const t = now();
    if (t >= record.expiresAt) return oauthError(400, 'invalid_grant', 'the authorization code has expired');
    if (field.redirect_uri !== record.redirectUri)
      return oauthError(400, 'invalid_grant', 'redirect_uri is not the one the code was issued for');
    const verifier = field.code_verifier;
    if (record.codeChallenge === undefined) {
      if (verifier !== undefined)
        return oauthError(
          400,
          'invalid_grant',
          'code_verifier given, but the authorization request sent no code_challenge',
        );
    } else {
      if (verifier === undefined) return oauthError(400, 'invalid_grant', 'code_verifier is missing');
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
        return oauthError(400, 'invalid_grant', 'code_verifier is not 43-128 unreserved characters');
      const challenge = crypto.createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (!safeEqual(challenge, record.codeChallenge))
        return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    }
    const tenant = tenants.get(record.contextIdentifier);
    if (!tenant) return oauthError(400, 'invalid_grant', 'the tenant no longer exists');
    const accessToken = newAccessToken(tenant, record.clientId, t);
    const refreshToken = newRefreshToken({
      clientId: record.clientId,
      contextIdentifier: tenant.contextIdentifier,
      status: 'active',
      rotate: false,
      redirectUri: record.redirectUri,
      expiresAt: Infinity,
    });
    record.issued = { accessToken, refreshToken };
    return send(
      res,
      200,
      'application/json; charset=utf-8',
      JSON.stringify({
        token_type: 'Bearer',
        access_token: accessToken,
        expires_in: accessTokenLifetimeSeconds,
        refresh_token: refreshToken,
        id_token: issueIdToken(tenant, record.clientId, { nonce: record.nonce }),
        scope: 'openid',
      }),
      NO_STORE,
    );
  }

  function newAccessToken(tenant, clientId, t) {
    const accessToken = `8A:${tenant.contextIdentifier}.${crypto.randomBytes(32).toString('base64url')}`;
    accessTokens.set(accessToken, {
      clientId,
      contextIdentifier: tenant.contextIdentifier,
      expiresAt: t + accessTokenLifetimeSeconds * 1000,
      revoked: false,
    });
    stats.accessTokensIssued += 1;
    return accessToken;
  }

  // The authorize endpoint (OpenID Connect Core §3.1.2, §3.2.2): it checks the request, then approves at
  // once, as a person who signs in and agrees would, unless a `deny` fault makes them decline. Errors
  // about the client or the redirect URI are answered here (400), never redirected (RFC 6749 §4.1.2.1);
  // the rest go back to the redirect URI. The tenant is acr_values=tenant:{ctx}, or the only tenant.
  function handleAuthorize(req, res, url, fault) {
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    const names = [...url.searchParams.keys()];
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated) return send(res, 400, 'text/plain', `${repeated} is repeated`);
    const q = Object.fromEntries(url.searchParams);
    const client = q.client_id ? clients.get(q.client_id) : undefined;
    if (!client) return send(res, 400, 'text/plain', 'unknown client_id');
    if (!q.redirect_uri) return send(res, 400, 'text/plain', 'redirect_uri is missing');
    if (client.redirectUris && !client.redirectUris.includes(q.redirect_uri)) {
      return send(res, 400, 'text/plain', 'redirect_uri is not registered for the client');
    }
    const isCode = q.response_type === 'code';
    const mode = q.response_mode ?? (isCode ? 'query' : 'fragment');
    const back = (params) =>
      deliver(res, q.redirect_uri, ['query', 'fragment', 'form_post'].includes(mode) ? mode : 'query', {
        ...params,
        ...(q.state !== undefined ? { state: q.state } : {}),
      });
    const refuse = (error, description) => back({ error, error_description: description });
    if (!['query', 'fragment', 'form_post'].includes(mode))
      return refuse('invalid_request', 'unsupported response_mode');
    if (!isCode && q.response_type !== 'id_token')
      return refuse('unsupported_response_type', 'response_type must be code or id_token');
    if (!isCode && mode === 'query') return refuse('invalid_request', 'an id_token is not sent in a query string');
    if (!(q.scope ?? '').split(' ').includes('openid')) return refuse('invalid_scope', 'scope must include openid');
    if (!isCode && !q.nonce) return refuse('invalid_request', 'nonce is required with response_type id_token');
    if (q.code_challenge !== undefined || q.code_challenge_method !== undefined) {
      if (!isCode) return refuse('invalid_request', 'code_challenge goes with response_type code');
      if (q.code_challenge_method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256');
      if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? ''))
        return refuse('invalid_request', 'code_challenge is not a base64url SHA-256');
    }
    let contextIdentifier;
    const acr = /^tenant:(\S+)$/.exec(q.acr_values ?? '');
    if (acr) contextIdentifier = acr[1];
    else if (tenants.size === 1) [contextIdentifier] = tenants.keys();
    else
      return refuse(
        'invalid_request',
        'the stand-in has several tenants: name one with acr_values=tenant:{contextIdentifier}',
      );
    const tenant = tenants.get(contextIdentifier);
    if (!tenant) return refuse('invalid_request', 'unknown tenant');
    if (fault && fault.type === 'deny') return refuse('access_denied', 'The user declined the request');
    if (isCode) {
      const code = crypto.randomBytes(32).toString('base64url');
      codes.set(code, {
        clientId: q.client_id,
        redirectUri: q.redirect_uri,
        codeChallenge: q.code_challenge,
        contextIdentifier,
        nonce: q.nonce,
        expiresAt: now() + codeLifetimeSeconds * 1000,
        used: false,
        issued: null,
      });
      stats.codesIssued += 1;
      return back({ code });
    }
    // The administrator approves the application for the tenant: a system-user application gets its
    // system user token now, if the tenant had not approved it before.
    if (applications.has(client.clientSecret) && !tenant.grants.has(client.clientSecret)) {
      tenant.grants.set(client.clientSecret, {
        systemUserToken: `Approved-${crypto.randomBytes(9).toString('base64url')}`,
        status: 'active',
      });
    }
    return back({ id_token: issueIdToken(tenant, q.client_id, { nonce: q.nonce }) });
  }

  function newRefreshToken(grant) {
    const token = crypto.randomBytes(32).toString('base64url');
    refreshTokens.set(token, grant);
    return token;
  }

  // A SuperIdToken with SuperOffice's claim set for the tenant's (administrator) user. The system user
  // token is included when the client belongs to a system-user application the tenant approved.
  function issueIdToken(tenant, clientId, { nonce, systemToken = true, claims: extra = {} }) {
    const client = clients.get(clientId);
    const grant = client ? tenant.grants.get(client.clientSecret) : undefined;
    const t = Math.floor(now() / 1000);
    const ctx = tenant.contextIdentifier;
    const user = ctx.toLowerCase();
    const claims = {
      iss: issuer,
      aud: clientId,
      sub: crypto.createHash('sha256').update(`${ctx}\n${tenant.associateId}`).digest('hex').slice(0, 32),
      // SuperOffice writes iat as a string of digits; the other times are numbers.
      iat: idTokenIatAsString ? String(t) : t,
      nbf: t,
      exp: t + jwtLifetimeSeconds,
      ...(nonce !== undefined ? { nonce } : {}),
      [`${CLAIM}associateid`]: String(tenant.associateId),
      [`${CLAIM}identityprovider`]: 'central',
      [`${CLAIM}email`]: `admin@${user}.example`,
      [`${CLAIM}so_primary_email_address`]: `admin@${user}.example`,
      [`${CLAIM}upn`]: `admin@${user}.example`,
      [`${CLAIM}is_administrator`]: 'True',
      [`${CLAIM}firstname`]: 'Ada',
      [`${CLAIM}lastname`]: 'Admin',
      [`${CLAIM}initials`]: 'AA',
      [`${CLAIM}personid`]: String(tenant.associateId),
      [`${CLAIM}company_name`]: tenant.companyName,
      [`${CLAIM}ctx`]: ctx,
      [`${CLAIM}serial`]: tenant.serial,
      [`${CLAIM}netserver_url`]: `${baseUrl}/${encodeURIComponent(ctx)}/Remote/Services88/`,
      [`${CLAIM}webapi_url`]: `${baseUrl}/${encodeURIComponent(ctx)}/api/`,
    };
    if (systemToken && grant && grant.status === 'active') claims[`${CLAIM}system_token`] = grant.systemUserToken;
    for (const [name, value] of Object.entries(extra)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    stats.idTokensIssued += 1;
    return signJwt(claims, signing);
  }

  function count(endpoint, contextIdentifier) {
    stats[endpoint] += 1;
    if (endpoint === 'soap' || endpoint === 'rest') stats.authenticate += 1;
    if (contextIdentifier !== undefined) {
      stats.tenants[contextIdentifier] ??= { authenticate: 0, soap: 0, rest: 0, api: 0, netserver: 0 };
      const t = stats.tenants[contextIdentifier];
      t[endpoint] += 1;
      if (endpoint === 'soap' || endpoint === 'rest') t.authenticate += 1;
    }
  }

  function takeFaults(endpoint, contextIdentifier) {
    const hit = [];
    for (const f of faults) {
      if (f.remaining <= 0) continue;
      const where =
        f.endpoint === 'any' ||
        f.endpoint === endpoint ||
        (f.endpoint === 'authenticate' && (endpoint === 'soap' || endpoint === 'rest'));
      if (!where) continue;
      if (f.contextIdentifier !== undefined && f.contextIdentifier !== contextIdentifier) continue;
      f.remaining -= 1;
      hit.push(f);
    }
    faults = faults.filter((f) => f.remaining > 0);
    return hit;
  }

  const mock = {
    get baseUrl() {
      return baseUrl;
    },
    get issuer() {
      return issuer;
    },
    /**
     * Register an application: its token (client secret) and the public half of its RSA key. With
     * `clientId`, the application is also an OAuth client (secret = the application token), whose
     * id_tokens carry the system user token of each tenant that approved it; an approval at the
     * authorize endpoint (response_type id_token) gives a tenant that had not approved it one.
     * `redirectUris`: as for registerClient.
     */
    registerApplication({ applicationToken, publicKey, clientId, redirectUris } = {}) {
      requireString('applicationToken', applicationToken);
      if (clientId !== undefined) requireString('clientId', clientId);
      checkRedirectUris(redirectUris);
      let key;
      try {
        // createPublicKey also derives the public half from a private key or accepts a KeyObject.
        key =
          publicKey instanceof crypto.KeyObject && publicKey.type === 'public'
            ? publicKey
            : crypto.createPublicKey(publicKey);
      } catch (cause) {
        throw new TypeError('publicKey must be a PEM public key, private key or KeyObject', { cause });
      }
      if (key.asymmetricKeyType !== 'rsa') throw new TypeError('publicKey must be an RSA key');
      applications.set(applicationToken, { publicKey: key });
      if (clientId !== undefined) clients.set(clientId, { clientSecret: applicationToken, redirectUris });
      return mock;
    },
    /**
     * Register an OAuth client (for the authorize and token endpoints and id_tokens) by its id and
     * secret. With `redirectUris`, the authorize endpoint accepts only those, exactly; without, any.
     */
    registerClient({ clientId, clientSecret, redirectUris } = {}) {
      requireString('clientId', clientId);
      requireString('clientSecret', clientSecret);
      checkRedirectUris(redirectUris);
      clients.set(clientId, { clientSecret, redirectUris });
      return mock;
    },
    /**
     * The SuperIdToken a tenant administrator's approval sends to the application's redirect URL:
     * iss = the stand-in's issuer, aud = clientId, the nonce given, SuperOffice's identity claims, and
     * the system user token when the client's application is approved for the tenant (unless
     * `systemToken: false`). `claims` adds or replaces claims (undefined removes one), for tests.
     */
    issueSuperIdToken({ contextIdentifier, clientId, nonce, systemToken = true, claims = {} } = {}) {
      requireString('contextIdentifier', contextIdentifier);
      requireString('clientId', clientId);
      if (nonce !== undefined) requireString('nonce', nonce);
      const tenant = tenants.get(contextIdentifier);
      if (!tenant) throw new TypeError('unknown tenant');
      if (!clients.has(clientId)) throw new TypeError('clientId is not registered');
      return issueIdToken(tenant, clientId, { nonce, systemToken, claims });
    },
    /**
     * A refresh token for a user of the tenant, as the authorization-code grant would have issued it.
     * `rotate`: each refresh answers with a new refresh token and retires the one used.
     * `lifetimeSeconds`: default unlimited. `redirectUri`: a refresh naming another one is refused.
     */
    issueRefreshToken({ clientId, contextIdentifier, rotate = false, lifetimeSeconds, redirectUri } = {}) {
      requireString('clientId', clientId);
      requireString('contextIdentifier', contextIdentifier);
      if (!clients.has(clientId)) throw new TypeError('clientId is not registered');
      if (!tenants.has(contextIdentifier)) throw new TypeError('unknown tenant');
      if (lifetimeSeconds !== undefined && !(Number.isFinite(lifetimeSeconds) && lifetimeSeconds > 0))
        throw new TypeError('lifetimeSeconds must be positive');
      if (redirectUri !== undefined) requireString('redirectUri', redirectUri);
      return newRefreshToken({
        clientId,
        contextIdentifier,
        status: 'active',
        rotate: Boolean(rotate),
        redirectUri,
        expiresAt: lifetimeSeconds === undefined ? Infinity : now() + lifetimeSeconds * 1000,
      });
    },
    /** Revoke a refresh token (the user withdrew consent): the token endpoint answers invalid_grant. */
    revokeRefreshToken(token) {
      const grant = refreshTokens.get(token);
      if (grant) grant.status = 'revoked';
      return Boolean(grant);
    },
    /** Make a refresh token expired now: the token endpoint answers invalid_grant. */
    expireRefreshToken(token) {
      const grant = refreshTokens.get(token);
      if (grant) grant.expiresAt = now();
      return Boolean(grant);
    },
    /** Make the tenant API answer 401 for an access token. */
    revokeAccessToken(token) {
      const access = accessTokens.get(token);
      if (access) access.revoked = true;
      return Boolean(access);
    },
    /**
     * Add a tenant that approved an application. `status` other than 'active' (e.g. 'Revoked',
     * 'NeedsReapproval', 'Expired', 'Denied') makes Authenticate answer IsSuccessful=false with that name.
     * With `systemUser: false` (and no systemUserToken), the tenant approved no system-user
     * application: it serves the OAuth flows (refresh tokens, id_tokens) only.
     */
    addTenant({
      contextIdentifier,
      systemUserToken,
      applicationToken,
      serial,
      isAdministrator = false,
      companyName,
      associateId = 5,
      status = 'active',
      systemUser = true,
    } = {}) {
      requireString('contextIdentifier', contextIdentifier);
      const grantless = systemUser === false;
      if (grantless && (systemUserToken !== undefined || applicationToken !== undefined)) {
        throw new TypeError('systemUser: false takes no systemUserToken or applicationToken');
      }
      if (!grantless) requireString('systemUserToken', systemUserToken);
      if (grantless) {
        // No grant: fall through to create the tenant record only.
      } else if (applicationToken === undefined) {
        // Convenient for the common single-application case; ambiguous otherwise, so refused.
        if (applications.size !== 1)
          throw new TypeError('applicationToken is required when not exactly one application is registered');
        [applicationToken] = applications.keys();
      }
      if (!grantless && !applications.has(applicationToken)) throw new TypeError('applicationToken is not registered');
      const tenant = tenants.get(contextIdentifier) ?? {
        contextIdentifier,
        serial: serial ?? String(crypto.randomInt(1e9, 1e10)),
        isAdministrator: Boolean(isAdministrator),
        companyName: companyName ?? `${contextIdentifier} AS`,
        associateId,
        grants: new Map(),
        associates: seedAssociates(contextIdentifier, associateId),
        contacts: seedContacts(companyName ?? `${contextIdentifier} AS`),
      };
      if (!grantless) tenant.grants.set(applicationToken, { systemUserToken, status });
      tenants.set(contextIdentifier, tenant);
      return mock;
    },
    /** Change a tenant's approval status for an application (e.g. to 'Revoked'). */
    setTenantStatus(contextIdentifier, status, applicationToken) {
      const tenant = tenants.get(contextIdentifier);
      if (!tenant) throw new TypeError('unknown tenant');
      for (const [app, grant] of tenant.grants)
        if (applicationToken === undefined || app === applicationToken) grant.status = status;
    },
    /**
     * Inject a fault. `type` is one of FAULTS; it applies to `times` requests (default: until cleared)
     * at `endpoint` (default 'authenticate', i.e. SOAP and REST), optionally only for one tenant.
     * Returns a function that removes it.
     */
    injectFault(
      type,
      {
        times = Infinity,
        endpoint,
        contextIdentifier,
        ms,
        status = 500,
        reason = 'Denied',
        ageSeconds = 3600,
        faultString = 'The creator of this fault did not specify a Reason.',
      } = {},
    ) {
      if (!Object.hasOwn(FAULTS, type))
        throw new TypeError(`unknown fault ${type}; known: ${Object.keys(FAULTS).join(', ')}`);
      const where =
        endpoint ??
        (type === 'latency' || type === 'httpError' || type === 'drop' || type === 'redirect'
          ? 'any'
          : type === 'ticketRejected'
            ? 'netserver'
            : 'authenticate');
      if (!ENDPOINTS.includes(where)) throw new TypeError(`unknown endpoint ${where}; known: ${ENDPOINTS.join(', ')}`);
      if (type === 'latency' && !(Number.isFinite(ms) && ms >= 0)) throw new TypeError('latency needs ms >= 0');
      if (!(times > 0)) throw new TypeError('times must be positive');
      // The impostor key is made now, not when the faulty request arrives: on a busy machine RSA key
      // generation inside the request outlasts a short client timeout (ERR_TIMEOUT instead of the fault).
      if (type === 'badSignature') impostorKey();
      const fault = {
        type,
        endpoint: where,
        contextIdentifier,
        remaining: times,
        ms,
        status,
        reason,
        ageSeconds,
        faultString,
      };
      if (type === 'badSignature') impostorKey();
      faults.push(fault);
      return () => {
        faults = faults.filter((f) => f !== fault);
      };
    },
    clearFaults() {
      faults = [];
    },
    /**
     * Replace the JWT signing key with a new one under a new kid. With `keepOld`, the old key stays in
     * the JWKS (as SuperOffice would during a rollover); without it, it disappears at once.
     */
    rotateSigningKey({ keepOld = false } = {}) {
      if (keepOld) retiredKeys.push(signing);
      signing = newSigningKey();
      return signing.jwk.kid;
    },
    /** The current signing key's public half as SPKI PEM (for pinned-key tests). */
    signingPublicKeyPem() {
      return signing.publicKey.export({ type: 'spki', format: 'pem' });
    },
    /** Make the tenant API answer 401 for one ticket, or for every ticket of a tenant. */
    revokeTicket(ticket) {
      const record = tickets.get(ticket);
      if (record) record.revoked = true;
      return Boolean(record);
    },
    revokeTickets(contextIdentifier) {
      let n = 0;
      for (const record of tickets.values()) {
        if (record.contextIdentifier === contextIdentifier && !record.revoked) {
          record.revoked = true;
          n += 1;
        }
      }
      return n;
    },
    /** A snapshot of the request counters. */
    get stats() {
      return structuredClone(stats);
    },
    resetStats() {
      stats = emptyStats();
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    [Symbol.for('nodejs.util.inspect.custom')]() {
      return `MockSuperOffice { baseUrl: '${baseUrl}', issuer: '${issuer}', applications: ${applications.size}, clients: ${clients.size}, tenants: ${tenants.size} }`;
    },
    toJSON() {
      return { baseUrl, issuer, applications: applications.size, clients: clients.size, tenants: tenants.size };
    },
  };
  return mock;
}

// ---- NetServer agents: data and XML ----

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

/** Plain data as WCF's element form: null is i:nil, an array is the element repeated. */
function toXml(fields) {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    if (value === null) out += `<${name} i:nil="true"/>`;
    else if (Array.isArray(value)) out += value.map((item) => `<${name}>${toXml(item)}</${name}>`).join('');
    else if (typeof value === 'object') out += `<${name}>${toXml(value)}</${name}>`;
    else out += `<${name}>${xmlEscape(value)}</${name}>`;
  }
  return out;
}

// A response as WCF writes one: each header with its own default namespace, i:nil for absent ones.
function agentResponse(method, { result = null, exception, timeZone }) {
  const nil = (name) => `<${name} i:nil="true" xmlns="${NETSERVER_NS}" xmlns:i="${XSI_NS}"/>`;
  const exceptionInfo = exception
    ? `<ExceptionInfo xmlns="${NETSERVER_NS}" xmlns:i="${XSI_NS}"><Message>${xmlEscape(exception.message)}</Message><StackTrace>   at SuperOffice.CRM.Security.SoCredentials.Check() in C:\\Build\\NetServer\\SoCredentials.cs:line 42</StackTrace><FriendlyText>${xmlEscape(exception.message)}</FriendlyText><ExceptionType>${exception.type}</ExceptionType><Source>SoCore</Source><InnerException i:nil="true"/><Parameters i:nil="true"/></ExceptionInfo>`
    : nil('ExceptionInfo');
  const zone = timeZone
    ? `<TimeZone xmlns="${NETSERVER_NS}">${timeZone.id !== null ? `<SoTimeZoneId>${xmlEscape(timeZone.id)}</SoTimeZoneId>` : ''}${timeZone.code !== null ? `<SoTimeZoneLocationCode>${xmlEscape(timeZone.code)}</SoTimeZoneLocationCode>` : ''}</TimeZone>`
    : nil('TimeZone');
  const response = exception || result === null ? '<Response i:nil="true"/>' : `<Response>${result}</Response>`;
  return `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Header>${exceptionInfo}${nil('ExtraInfo')}<Succeeded xmlns="${NETSERVER_NS}">${!exception}</Succeeded>${zone}</s:Header><s:Body><${method}Response xmlns="${NETSERVER_NS}" xmlns:i="${XSI_NS}">${response}</${method}Response></s:Body></s:Envelope>`;
}

function emptyStats() {
  return {
    authenticate: 0,
    soap: 0,
    rest: 0,
    jwks: 0,
    openidConfiguration: 0,
    authorize: 0,
    tokens: 0,
    api: 0,
    netserver: 0,
    other: 0,
    unauthorized: 0,
    ticketsIssued: 0,
    accessTokensIssued: 0,
    idTokensIssued: 0,
    codesIssued: 0,
    tenants: {},
  };
}

function newSigningKey() {
  // Re-imported from PEM: Node 20 can deadlock exporting a freshly generated key as JWK when a garbage
  // collection finalises the generation job mid-export (both lock the key's mutex).
  const generated = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = crypto.createPrivateKey(generated.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const publicKey = crypto.createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  // No certificate exists for a generated key, so kid and x5t are both the SHA-1 thumbprint of the
  // SPKI DER: stable, unique per key, and shaped like SuperOffice's (base64url of 20 bytes).
  const thumb = crypto
    .createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
  return {
    privateKey,
    publicKey,
    jwk: { kty: 'RSA', use: 'sig', alg: 'RS256', kid: thumb, x5t: thumb, n: jwk.n, e: jwk.e },
  };
}

function signJwt(claims, key) {
  const header = { alg: 'RS256', typ: 'JWT', kid: key.jwk.kid, x5t: key.jwk.x5t };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), {
    key: key.privateKey,
    padding: crypto.constants.RSA_PKCS1_PADDING,
  });
  return `${input}.${signature.toString('base64url')}`;
}

function b64url(text) {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function checkRedirectUris(redirectUris) {
  if (redirectUris === undefined) return;
  if (!Array.isArray(redirectUris) || redirectUris.some((uri) => typeof uri !== 'string' || uri === '')) {
    throw new TypeError('redirectUris must be an array of non-empty strings');
  }
}

// Sends the authorization response back through the browser: a 302 to the redirect URI with the
// parameters in its query or fragment, or (form_post, OpenID Connect Form Post Response Mode) a page
// whose form the browser posts to it at once.
function deliver(res, redirectUri, mode, params) {
  const encoded = new URLSearchParams(params).toString();
  if (mode === 'form_post') {
    const inputs = Object.entries(params)
      .map(([name, value]) => `<input type="hidden" name="${htmlEscape(name)}" value="${htmlEscape(value)}"/>`)
      .join('');
    const page = `<!DOCTYPE html><html><head><title>Submit</title></head><body onload="document.forms[0].submit()"><form method="post" action="${htmlEscape(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
    return send(res, 200, 'text/html; charset=utf-8', page, { 'Cache-Control': 'no-store' });
  }
  const location =
    mode === 'fragment'
      ? `${redirectUri}#${encoded}`
      : `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${encoded}`;
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 });
  return res.end();
}

function htmlEscape(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

function requireString(name, value) {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Token responses must not be cached (RFC 6749 §5.1).
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function send(res, status, type, body, extraHeaders = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...extraHeaders });
  res.end(body);
}

function xmlEscape(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c],
  );
}

function soapFault(code, text) {
  return `<s:Envelope xmlns:s="${SOAP_ENV_NS}"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">${xmlEscape(code)}</faultcode><faultstring xml:lang="en-US">${xmlEscape(text)}</faultstring></s:Fault></s:Body></s:Envelope>`;
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
  return {
    ok: true,
    applicationToken: fields.ApplicationToken,
    contextIdentifier: fields.ContextIdentifier,
    signedSystemToken: fields.SignedSystemToken,
    returnTokenType: fields.ReturnTokenType,
  };
}

function is(el, ns, local) {
  return el.ns === ns && el.local === local;
}

function only(parent, ns, local) {
  const found = parent.children.filter((c) => is(c, ns, local));
  return { ok: found.length <= 1, el: found[0] };
}

// A small XML parser for the request shape: elements, attributes, namespaces, text, CDATA, comments,
// processing instructions, the five predefined entities and character references. DOCTYPE is refused
// (no entity expansion, no external fetches). Produces { ns, local, attrs, children, text }.
function parseXml(input) {
  let i = 0;
  const s = input.replace(/^\uFEFF/, '');
  const stack = [];
  let root = null;
  const fail = (what) => {
    throw new Error(`${what} at offset ${i}`);
  };
  const decode = (text) =>
    text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);|&/g, (_match, ref) => {
      if (ref === undefined) fail('bare &');
      if (ref[0] === '#') {
        const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!(cp > 0 && cp <= 0x10ffff)) fail('bad character reference');
        return String.fromCodePoint(cp);
      }
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[ref];
    });
  const resolve = (prefix, scopes, isAttr) => {
    if (prefix === 'xml') return 'http://www.w3.org/XML/1998/namespace';
    if (isAttr && prefix === '') return '';
    for (let k = scopes.length - 1; k >= 0; k -= 1) if (Object.hasOwn(scopes[k], prefix)) return scopes[k][prefix];
    if (prefix === '') return '';
    return fail(`undeclared prefix ${prefix}`);
  };
  const scopes = [];
  while (i < s.length) {
    if (s.startsWith('<?', i)) {
      const end = s.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      const end = s.indexOf(']]>', i);
      if (end < 0 || !stack.length) fail('bad CDATA');
      stack[stack.length - 1].text += s.slice(i + 9, end);
      i = end + 3;
    } else if (s.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are refused');
    } else if (s.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*>/.exec(s.slice(i, i + 512));
      if (!m) fail('bad end tag');
      const el = stack.pop();
      scopes.pop();
      if (!el || el.qname !== m[1]) fail('mismatched end tag');
      i += m[0].length;
    } else if (s[i] === '<') {
      const m =
        /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
          s.slice(i, i + 65536),
        );
      if (!m) fail('bad start tag');
      if (root && !stack.length) fail('content after the root element');
      const rawAttrs = {};
      for (const a of m[2].matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
        if (Object.hasOwn(rawAttrs, a[1])) fail('duplicate attribute');
        rawAttrs[a[1]] = decode(a[2] ?? a[3]);
      }
      const scope = {};
      for (const [name, value] of Object.entries(rawAttrs)) {
        if (name === 'xmlns') scope[''] = value;
        else if (name.startsWith('xmlns:')) scope[name.slice(6)] = value;
      }
      scopes.push(scope);
      const [prefix, local] = m[1].includes(':') ? m[1].split(':') : ['', m[1]];
      const attrs = {};
      for (const [name, value] of Object.entries(rawAttrs)) {
        if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
        const [ap, al] = name.includes(':') ? name.split(':') : ['', name];
        attrs[`{${resolve(ap, scopes, true)}}${al}`] = value;
      }
      const el = { qname: m[1], ns: resolve(prefix, scopes, false), local, attrs, children: [], text: '' };
      if (stack.length) stack[stack.length - 1].children.push(el);
      else root = el;
      i += m[0].length;
      if (m[3]) scopes.pop();
      else stack.push(el);
    } else {
      const end = s.indexOf('<', i);
      const raw = s.slice(i, end < 0 ? s.length : end);
      if (stack.length) stack[stack.length - 1].text += decode(raw);
      else if (raw.trim()) fail('text outside the root element');
      i = end < 0 ? s.length : end;
    }
  }
  if (!root || stack.length) fail('unterminated document');
  return root;
}

module.exports = { startMockSuperOffice, FAULTS: Object.freeze({ ...FAULTS }) };
