'use strict';
// Door: the tenant's web API at {base}/{contextIdentifier}/api/..., which takes a ticket
// (`Authorization: SOTicket` with `SO-AppToken`, sliding its expiry on each use) or a bearer access
// token from the token endpoint. It answers v1/User/currentPrincipal; anything else is 404.

const { JSON_TYPE, send } = require('./http.cjs');
const { checkCredential, unauthorized } = require('./credentials.cjs');

function create(stand) {
  const { tenants } = stand;

  function route(url) {
    const m = /^\/([^/]+)\/api\/(.*)$/.exec(url.pathname);
    return m ? { endpoint: 'api', contextIdentifier: decodeURIComponent(m[1]) } : undefined;
  }

  function handle(req, res, r, _body, fault) {
    if (fault && fault.type === 'ticketRejected')
      return unauthorized(stand, res, 'ticket rejected (injected by the stand-in)');
    const credential = checkCredential(stand, req, r.contextIdentifier);
    if (!credential.ok) return unauthorized(stand, res, credential.why);
    return answerApi(req, res, r.contextIdentifier, r.url, credential);
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
