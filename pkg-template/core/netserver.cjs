'use strict';
// NetServer SOAP agents: the call, with the ticket in its SOAP headers, and its answer.

const { wasm, callCore, coreOptions, redactOption } = require('./wasm.cjs');
const { readResponse } = require('./http.cjs');
const { invalidArgument } = require('../errors.cjs');
const { INSPECT } = require('../inspect.cjs');
const { requireString, optionalString, readOptions } = require('../arguments.cjs');

const AGENT_REQUEST_PARAMS = [
  'netserverUrl',
  'agent',
  'method',
  'parameters',
  'ticket',
  'applicationToken',
  'timeZone',
];
const AGENT_RESPONSE_OPTIONS = ['method', 'redact'];

const isPlainObject = (value) => {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

function typeName(value) {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object') return typeof value;
  return value.constructor && typeof value.constructor.name === 'string' ? value.constructor.name : 'object';
}

/**
 * The parameters as JSON text for the core: Dates become ISO 8601 UTC strings; every other value must
 * be what JSON carries exactly (finite numbers, strings, booleans, null, plain objects, dense arrays).
 * Anything JSON.stringify would drop or bend in silence (undefined, functions, NaN, Map, Buffer, class
 * instances, cycles) is refused, naming the parameter's path, never its value.
 */
function agentParametersJson(parameters) {
  if (parameters === undefined) return '{}';
  if (!isPlainObject(parameters)) throw invalidArgument('parameters must be a plain object');
  const open = new Set();
  const walk = (value, path) => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalidArgument(`parameter ${path} is not a finite number`);
      return value;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw invalidArgument(`parameter ${path} is an invalid Date`);
      return value.toISOString();
    }
    const array = Array.isArray(value);
    if (!array && !isPlainObject(value))
      throw invalidArgument(`parameter ${path} has an unsupported type (${typeName(value)})`);
    if (open.has(value)) throw invalidArgument(`parameter ${path} refers to itself`);
    open.add(value);
    let out;
    if (array) {
      out = [];
      for (let i = 0; i < value.length; i += 1) {
        if (!(i in value)) throw invalidArgument(`parameter ${path}[${i}] is missing (a sparse array)`);
        out.push(walk(value[i], `${path}[${i}]`));
      }
    } else {
      // No prototype, so a key named __proto__ stays an ordinary member.
      out = Object.create(null);
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, path ? `${path}.${key}` : key);
    }
    open.delete(value);
    return out;
  };
  return JSON.stringify(walk(parameters, ''));
}

const INT32 = (value) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

// The agent request's body holds the ticket and the application token: it prints redacted.
function inspectAgentRequest() {
  const { body, ...rest } = this;
  return { ...rest, body: '[redacted: holds the ticket and the application token]' };
}

/**
 * A NetServer agent call, ready for fetch: SOAP 1.1 to `{netserverUrl}{agent}.svc` with the
 * ApplicationToken, Credentials/Ticket and (when given) TimeZone headers.
 */
function buildAgentRequest(params) {
  readOptions(params, AGENT_REQUEST_PARAMS, { required: true, message: 'buildAgentRequest needs an object' });
  requireString(params.netserverUrl, 'netserverUrl');
  requireString(params.agent, 'agent');
  requireString(params.method, 'method');
  requireString(params.ticket, 'ticket');
  requireString(params.applicationToken, 'applicationToken');
  const parameters = agentParametersJson(params.parameters);
  let timeZoneId;
  let timeZoneCode;
  if (params.timeZone !== undefined) {
    const zone = params.timeZone;
    if (!isPlainObject(zone)) throw invalidArgument('timeZone must be { SoTimeZoneId, SoTimeZoneLocationCode }');
    for (const name of Object.keys(zone)) {
      if (name !== 'SoTimeZoneId' && name !== 'SoTimeZoneLocationCode')
        throw invalidArgument(`unknown timeZone field ${name}`);
    }
    if (zone.SoTimeZoneId !== undefined && !INT32(zone.SoTimeZoneId))
      throw invalidArgument('timeZone.SoTimeZoneId must be a 32-bit integer');
    timeZoneId = zone.SoTimeZoneId;
    timeZoneCode = optionalString(zone.SoTimeZoneLocationCode, 'timeZone.SoTimeZoneLocationCode');
    if (timeZoneId === undefined && timeZoneCode === undefined)
      throw invalidArgument('timeZone needs SoTimeZoneId or SoTimeZoneLocationCode');
  }
  const json = callCore(() =>
    wasm.buildAgentRequest(
      coreOptions({
        netserverUrl: params.netserverUrl,
        agent: params.agent,
        method: params.method,
        parameters,
        ticket: params.ticket,
        applicationToken: params.applicationToken,
        timeZoneId,
        timeZoneLocationCode: timeZoneCode,
      }),
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, INSPECT, { value: inspectAgentRequest });
  return request;
}

/**
 * Reads an agent's answer: `{ response, succeeded, extraInfo }`. ExceptionInfo is ERR_NETSERVER_EXCEPTION
 * (or ERR_TICKET_REJECTED when it says the ticket was refused, as HTTP 401/403 do).
 */
function parseAgentResponse(response, options) {
  const { status, body, contentType } = readResponse(response);
  readOptions(options, AGENT_RESPONSE_OPTIONS, { required: true, message: 'parseAgentResponse needs { method }' });
  requireString(options.method, 'method');
  const secrets = redactOption(options.redact);
  return JSON.parse(
    callCore(
      () => wasm.parseAgentResponse(coreOptions({ status, contentType, method: options.method }), body),
      secrets,
    ),
  );
}

module.exports = { buildAgentRequest, parseAgentResponse };
