'use strict';
// The tenant state API (SuperOffice: docs/en/apps/tenant-status/check-status.md): where a tenant lives
// now and whether it is running. The request goes to the environment's authentication host; the answer
// is read strictly by the core (src/tenant/).

const { wasm, callCore, coreOptions } = require('./wasm.cjs');
const { readResponse } = require('./http.cjs');
const { requireString, optionalString, readOptions, toEpochMs } = require('../arguments.cjs');

const REQUEST_OPTIONS = ['environment', 'baseUrl', 'contextIdentifier'];

/**
 * `GET {authentication host}/api/state/{contextIdentifier}` with `Accept: application/json`, as
 * `{ url, method, headers }` (no body: it is a GET).
 */
function buildTenantStateRequest(params) {
  readOptions(params, REQUEST_OPTIONS, { required: true, message: 'buildTenantStateRequest must be an object' });
  const options = {
    environment: optionalString(params.environment, 'environment'),
    baseUrl: optionalString(params.baseUrl, 'baseUrl'),
    contextIdentifier: requireString(params.contextIdentifier, 'contextIdentifier'),
  };
  return JSON.parse(callCore(() => wasm.buildTenantStateRequest(coreOptions(options))));
}

const PARSE_OPTIONS = ['contextIdentifier', 'now', 'environment', 'baseUrl'];

/**
 * Reads the state API's answer: `{ contextIdentifier, endpoint, apiUrl, state, stateCode, isRunning,
 * validUntil }` (validUntil a Date, never before `now`).
 */
function parseTenantState(response, options) {
  const { status, body, contentType } = readResponse(response);
  readOptions(options, PARSE_OPTIONS, { required: true, message: 'parseTenantState must be an object' });
  const json = coreOptions({
    status,
    contentType,
    contextIdentifier: requireString(options.contextIdentifier, 'contextIdentifier'),
    nowMs: toEpochMs(options.now),
    environment: optionalString(options.environment, 'environment'),
    baseUrl: optionalString(options.baseUrl, 'baseUrl'),
  });
  const result = JSON.parse(callCore(() => wasm.parseTenantState(json, body)));
  result.validUntil = new Date(result.validUntil);
  return result;
}

module.exports = { buildTenantStateRequest, parseTenantState };
