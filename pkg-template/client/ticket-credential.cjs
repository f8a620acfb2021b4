'use strict';
// The credential for one attempt at a tenant call: the cached ticket and where to send it (its claims,
// re-based when the tenant moved). Given the previous credential, the same ticket re-routed.

const { authHeaders } = require('../core/index.cjs');
const { tenantScope } = require('./authorized-fetch.cjs');

/** `credentialFor(contextIdentifier, givenToken, previous)` → `{ token, record, headers, route }`. */
function createCredentialSource({ tickets, directory, applicationToken }) {
  return async function credentialFor(contextIdentifier, givenToken, previous) {
    const record = previous ? previous.record : await tickets.resolve(contextIdentifier, givenToken);
    const route = await directory.route(contextIdentifier, record);
    // Only under the tenant's own base (tenant-url.cjs), the moved one after a move.
    route.allows = tenantScope(contextIdentifier, route.webapiUrl, route.netserverUrl);
    return { token: record.ticket, record, headers: authHeaders(record.ticket, applicationToken), route };
  };
}

module.exports = { createCredentialSource };
