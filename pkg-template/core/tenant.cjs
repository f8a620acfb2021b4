'use strict';
// The tenant state API (SuperOffice: docs/en/apps/tenant-status/check-status.md): where a tenant lives
// now and whether it is running. The request goes to the environment's authentication host; the answer
// is read strictly by the core (src/tenant/).

const { wasm, callCore, coreOptions } = require('./wasm.cjs');
const { headerValue, bodyText } = require('./http.cjs');
const { invalidArgument } = require('../errors.cjs');
const { requireString, optionalString, toEpochMs } = require('../arguments.cjs');

/** Refuses an options object with a member this function does not know (a misspelled option). */
function knownOptions(options, allowed, name) {
  if (options === null || typeof options !== 'object') throw invalidArgument(`${name} must be an object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw invalidArgument(`${name}: unknown option ${key}`);
  }
  return options;
}

const REQUEST_OPTIONS = ['environment', 'baseUrl', 'contextIdentifier'];

/**
 * `GET {authentication host}/api/state/{contextIdentifier}` with `Accept: application/json`, as
 * `{ url, method, headers }` (no body: it is a GET).
 */
function buildTenantStateRequest(params) {
  knownOptions(params, REQUEST_OPTIONS, 'buildTenantStateRequest');
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
  if (response === null || typeof response !== 'object') throw invalidArgument('response must be an object');
  const { status } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw invalidArgument('response.status must be an HTTP status code');
  }
  const body = bodyText(response.body);
  const contentType = headerValue(response.headers, 'content-type');
  knownOptions(options, PARSE_OPTIONS, 'parseTenantState');
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
