'use strict';
// client.callAgent: a NetServer agent called with the tenant's ticket, over REST by default (SuperOffice
// is retiring SOAP) or over SOAP on request, through the tenant caller (tenant-call.cjs) as client.fetch
// is: a refused ticket is dropped, one coalesced exchange, one retry; a tenant that moved is re-routed
// (the route's webapiUrl or netserverUrl); a 429 tells how long to wait.

const core = require('../core/index.cjs');
const { fail, invalidArgument } = require('./io.cjs');
const { retryAfterOf } = require('./retry-after.cjs');
const { readOptions } = require('../arguments.cjs');

// Agent calls are checked against this URL before a ticket is fetched, so that a call that cannot be
// built costs no exchange.
const PROBE_NETSERVER_URL = 'https://probe.invalid/Remote/Services88/';
const PROBE_WEBAPI_URL = 'https://probe.invalid/probe/api/';
const NETSERVER_URL_CLAIM = 'http://schemes.superoffice.net/identity/netserver_url';
const WEBAPI_URL_CLAIM = 'http://schemes.superoffice.net/identity/webapi_url';
const CALL_OPTIONS = ['protocol', 'timeZone'];

/**
 * @param {object} o
 * @param {string} o.applicationToken
 * @param {(url: string, init: object) => Promise<any>} o.send
 * @param {{ run(call: object): Promise<any> }} o.caller the tenant caller (tenant-call.cjs)
 * @param {(ctx: string, token: string | undefined, previous?: any) => Promise<any>} o.credentialFor
 * @param {(ctx: string, ticket?: string) => Promise<boolean>} o.drop
 * @param {(ctx: string, record: object) => void} o.used a proven use of the ticket
 * @param {(ctx: string) => string} o.systemUserTokenOf the tenant's system user token if known, for redaction
 * @param {() => number} o.now
 */
function createAgentCaller({ applicationToken, send, caller, credentialFor, drop, used, systemUserTokenOf, now }) {
  return async function callAgent(contextIdentifier, systemUserToken, agent, method, parameters, options) {
    const o = readOptions(options, CALL_OPTIONS, { message: 'callAgent options must be an object' });
    const protocol = o.protocol ?? 'rest';
    if (protocol !== 'rest' && protocol !== 'soap') throw invalidArgument("protocol must be 'rest' or 'soap'");
    const rest = protocol === 'rest';
    const at = (url) => (rest ? { webapiUrl: url } : { netserverUrl: url });
    const call = {
      protocol,
      agent,
      method,
      parameters,
      applicationToken,
      ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
    };
    core.buildAgentRequest({ ...call, ...at(rest ? PROBE_WEBAPI_URL : PROBE_NETSERVER_URL), ticket: 'probe' });
    return caller.run({
      contextIdentifier,
      replayable: true,
      via: 'agent',
      acquire: (previous) => credentialFor(contextIdentifier, systemUserToken, previous),
      drop: (ticket) => drop(contextIdentifier, ticket),
      used: (credential) => used(contextIdentifier, credential.record),
      async attempt(credential) {
        const url = rest ? credential.route.webapiUrl : credential.route.netserverUrl;
        if (typeof url !== 'string' || url === '') {
          const claim = rest ? WEBAPI_URL_CLAIM : NETSERVER_URL_CLAIM;
          throw fail(
            'ERR_JWT_CLAIM_INVALID',
            `JWT claim ${claim}: missing, so there is no ${rest ? 'web API' : 'NetServer'} to call`,
            { claim },
          );
        }
        const request = core.buildAgentRequest({ ...call, ...at(url), ticket: credential.token });
        const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
        const retryAfterMs = res.status === 429 ? retryAfterOf(res, now()) : undefined;
        // Server text may echo what we hold: the application token, the ticket, the tenant's system
        // user token (the one its last exchange used, whatever its source).
        const redact = [applicationToken, credential.token, systemUserToken ?? systemUserTokenOf(contextIdentifier)];
        try {
          return {
            status: res.status,
            value: core.parseAgentResponse(res, { protocol, method, agent, redact }),
            retryAfterMs,
          };
        } catch (error) {
          return {
            status: res.status,
            error,
            rejected: Boolean(error) && error.code === 'ERR_TICKET_REJECTED',
            retryAfterMs,
          };
        }
      },
      settle(outcome) {
        if (!outcome.error) return outcome.value;
        // A 429 from the tenant: ERR_HTTP_STATUS with how long it asked us to wait (null: it did not say).
        if (outcome.status === 429 && outcome.error.code === 'ERR_HTTP_STATUS')
          outcome.error.retryAfterMs = outcome.retryAfterMs ?? null;
        throw outcome.error;
      },
    });
  };
}

module.exports = { createAgentCaller };
