'use strict';
// client.callAgent: a NetServer SOAP agent called with the tenant's ticket, and the retry rule of
// client.fetch (a refused ticket is dropped, one coalesced exchange, one retry).

const core = require('../core/index.cjs');
const { fail } = require('./io.cjs');
const { readOptions } = require('../arguments.cjs');

// Agent calls are checked against this URL before a ticket is fetched, so that a call that cannot be
// built costs no exchange.
const PROBE_NETSERVER_URL = 'https://probe.invalid/Remote/Services88/';
const NETSERVER_URL_CLAIM = 'http://schemes.superoffice.net/identity/netserver_url';
const CALL_OPTIONS = ['timeZone'];

/**
 * @param {object} o
 * @param {string} o.applicationToken
 * @param {(url: string, init: object) => Promise<object>} o.send
 * @param {{ resolve(ctx: string, token?: string): Promise<object>, drop(ctx: string, ticket?: string): Promise<boolean> }} o.tickets
 * @param {(ctx: string) => string} o.systemUserTokenOf the tenant's system user token if known, for redaction
 */
function createAgentCaller({ applicationToken, send, tickets, systemUserTokenOf }) {
  return async function callAgent(contextIdentifier, systemUserToken, agent, method, parameters, options) {
    const o = readOptions(options, CALL_OPTIONS, { message: 'callAgent options must be an object' });
    const call = {
      agent,
      method,
      parameters,
      applicationToken,
      ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
    };
    core.buildAgentRequest({ ...call, netserverUrl: PROBE_NETSERVER_URL, ticket: 'probe' });
    const once = async (record) => {
      if (typeof record.netserverUrl !== 'string' || record.netserverUrl === '') {
        throw fail(
          'ERR_JWT_CLAIM_INVALID',
          `JWT claim ${NETSERVER_URL_CLAIM}: missing, so there is no NetServer to call`,
          { claim: NETSERVER_URL_CLAIM },
        );
      }
      const request = core.buildAgentRequest({ ...call, netserverUrl: record.netserverUrl, ticket: record.ticket });
      const res = await send(request.url, { method: request.method, headers: request.headers, body: request.body });
      // Server text may echo what we hold: the application token, the ticket, the tenant's system user
      // token (the one its last exchange used, whatever its source).
      const redact = [applicationToken, record.ticket, systemUserToken ?? systemUserTokenOf(contextIdentifier)];
      return core.parseAgentResponse(res, { method, redact });
    };
    const record = await tickets.resolve(contextIdentifier, systemUserToken);
    try {
      return await once(record);
    } catch (err) {
      if (err?.code !== 'ERR_TICKET_REJECTED') throw err;
      // The same rule as fetch: drop this ticket (if still cached), one coalesced exchange, one retry.
      await tickets.drop(contextIdentifier, record.ticket);
      return once(await tickets.resolve(contextIdentifier, systemUserToken));
    }
  };
}

module.exports = { createAgentCaller };
