'use strict';
// `superoffice-auth/testing`: a local stand-in for SuperOffice CRM Online's login, for tests, demos and
// benchmarks: the system-user ticket exchange (SOAP and REST), the JWKS, the authorize endpoint (it
// approves at once, as a person who signs in and agrees would), the OAuth token endpoint's
// authorization-code and refresh-token grants, SuperIdTokens (OpenID Connect id_tokens) as a tenant
// administrator's approval would send them, a tenant web API that takes tickets and bearer access
// tokens, and NetServer's agents (Associate.GetAssociate, Associate.GetAssociateList,
// Contact.GetContactEntity) over SOAP, with tickets in their SOAP headers, and over REST.
//
// It is deliberately an independent implementation: it uses only node:http and node:crypto and never
// the package's own core, so that a test passing against it checks our wasm core against a second
// reading of the protocol, not against itself. Keep it that way: nothing in testing/ requires a module
// outside testing/.
//
// One module per door (ticket.cjs, oauth.cjs, state.cjs, api.cjs, netserver.cjs) on a shared part (server.cjs:
// state, routing, faults, counters); xml.cjs, signing.cjs and http.cjs are their plumbing.

const { createStandIn } = require('./server.cjs');
const { FAULTS } = require('./faults.cjs');

// The doors, in the order requests are routed to them (and their endpoints listed). The agents come
// before the web API: their REST path lies inside it.
const DOORS = [
  require('./ticket.cjs'),
  require('./oauth.cjs'),
  require('./state.cjs'),
  require('./netserver.cjs'),
  require('./api.cjs'),
  require('./callbacks.cjs'),
];

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
 * @param {number} [options.tenantHosts=0] numbered tenant hosts, each on its own port, beside the
 *   authentication host (baseUrl); 0 serves the tenants from baseUrl too, as before.
 * @param {number} [options.stateValidSeconds=300] the state API's ValidUntil, counted from now.
 */
async function startMockSuperOffice(options = {}) {
  return createStandIn(options, DOORS);
}

module.exports = { startMockSuperOffice, FAULTS: Object.freeze({ ...FAULTS }) };
