'use strict';
// The tenant web API's credential check, shared by its doors (api.cjs: the REST API; netserver.cjs:
// the REST agents): a ticket (`Authorization: SOTicket` with `SO-AppToken`, sliding its expiry on each
// use) or a bearer access token from the token endpoint.

const { JSON_TYPE, send } = require('./http.cjs');
const { safeEqual } = require('./signing.cjs');

/**
 * `{ ok: true, userName, isSystemUser }`, or `{ ok: false, why }` for a request the tenant refuses.
 */
function checkCredential(stand, req, contextIdentifier) {
  const { tickets, accessTokens, now } = stand;
  const refuse = (why) => ({ ok: false, why });
  const authorization = String(req.headers.authorization || '');
  const bearer = /^Bearer (\S+)$/.exec(authorization);
  if (bearer) {
    // An access token from the token endpoint: no SO-AppToken needed, it names its client itself.
    const access = accessTokens.get(bearer[1]);
    if (!access) return refuse('unknown access token');
    if (access.revoked) return refuse('access token revoked');
    if (access.contextIdentifier !== contextIdentifier) return refuse('access token belongs to another tenant');
    if (now() >= access.expiresAt) return refuse('access token expired');
    return { ok: true, userName: `user@${contextIdentifier.toLowerCase()}`, isSystemUser: false };
  }
  const m = /^SOTicket (\S+)$/.exec(authorization);
  if (!m) return refuse('missing SOTicket or Bearer authorization');
  const record = tickets.get(m[1]);
  if (!record) return refuse('unknown ticket');
  if (record.revoked) return refuse('ticket revoked');
  if (record.contextIdentifier !== contextIdentifier) return refuse('ticket belongs to another tenant');
  if (!safeEqual(String(req.headers['so-apptoken'] || ''), record.applicationToken))
    return refuse('wrong or missing SO-AppToken');
  const t = now();
  if (t - record.lastUsed > stand.options.ticketLifetimeSeconds * 1000) return refuse('ticket expired');
  record.lastUsed = t; // sliding expiry: every use resets the window
  return { ok: true, userName: 'SYSTEM', isSystemUser: true };
}

/** The 401 the web API answers a refused credential with. */
function unauthorized(stand, res, why) {
  res.setHeader('WWW-Authenticate', 'SOTicket, Bearer');
  stand.stats.unauthorized += 1;
  return send(res, 401, JSON_TYPE, JSON.stringify({ Error: 'Unauthorized', Reason: why }));
}

module.exports = { checkCredential, unauthorized };
