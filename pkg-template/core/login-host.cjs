'use strict';
// The login host of an environment or a base URL (`https://sod.superoffice.com`), from the core
// (src/plumbing/environment.rs, the same checks every request builder applies): every login endpoint
// (the ticket exchange, the token and authorize endpoints, the JWKS) lives below it.

const { wasm, callCore, coreOptions } = require('./wasm.cjs');
const { optionalString } = require('../arguments.cjs');

/**
 * @param {{ environment?: string, baseUrl?: string }} where exactly one of the two
 * @returns {string} the host's URL, without a trailing slash
 */
function loginHost(where) {
  const options = {
    environment: optionalString(where.environment, 'environment'),
    baseUrl: optionalString(where.baseUrl, 'baseUrl'),
  };
  return callCore(() => wasm.loginHost(coreOptions(options)));
}

module.exports = { loginHost };
