'use strict';
// Door: the tenant's web API at {base}/{contextIdentifier}/api/..., which takes a ticket
// (`Authorization: SOTicket` with `SO-AppToken`, sliding its expiry on each use) or a bearer access
// token from the token endpoint. It answers v1/User/currentPrincipal; anything else is 404.

const { JSON_TYPE, send } = require('./http.cjs');
const { safeEqual } = require('./signing.cjs');

function create(stand) {
  const { tickets, tenants, accessTokens, now } = stand;

  function route(url) {
    const m = /^\/([^/]+)\/api\/(.*)$/.exec(url.pathname);
    return m ? { endpoint: 'api', contextIdentifier: decodeURIComponent(m[1]) } : undefined;
  }

  function handle(req, res, r, _body, fault) {
    if (fault && fault.type === 'ticketRejected') {
      res.setHeader('WWW-Authenticate', 'SOTicket, Bearer');
      stand.stats.unauthorized += 1;
      return send(
        res,
        401,
        JSON_TYPE,
        JSON.stringify({ Error: 'Unauthorized', Reason: 'ticket rejected (injected by the stand-in)' }),
      );
    }
    return handleApi(req, res, r.contextIdentifier, r.url);
  }

  function handleApi(req, res, contextIdentifier, url) {
    const unauthorized = (why) => {
      res.setHeader('WWW-Authenticate', 'SOTicket, Bearer');
      stand.stats.unauthorized += 1;
      return send(res, 401, JSON_TYPE, JSON.stringify({ Error: 'Unauthorized', Reason: why }));
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
    if (t - record.lastUsed > stand.options.ticketLifetimeSeconds * 1000) return unauthorized('ticket expired');
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
        JSON_TYPE,
        JSON.stringify({
          ContextIdentifier: contextIdentifier,
          CompanyName: tenant ? tenant.companyName : null,
          AssociateId: tenant ? tenant.associateId : null,
          UserName: userName,
          IsSystemUser: isSystemUser,
        }),
      );
    }
    return send(res, 404, JSON_TYPE, JSON.stringify({ Error: 'Not found' }));
  }

  return { route, handle, methods: {} };
}

module.exports = { endpoints: ['api'], counters: [], perTenant: true, create };
