'use strict';
// NetServer agents, over REST (the default) or SOAP: the call, with the ticket in its headers, and its answer.

const { wasm, callCore, coreOptions, redactOption } = require('./wasm.cjs');
const { readResponse } = require('./http.cjs');
const { invalidArgument } = require('../errors.cjs');
const { INSPECT } = require('../inspect.cjs');
const { requireString, optionalString, readOptions, nameOf } = require('../arguments.cjs');

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
      for (const [key, item] of Object.entries(value))
        out[key] = walk(item, path ? `${path}.${nameOf(key)}` : nameOf(key));
    }
    open.delete(value);
    return out;
  };
  return JSON.stringify(walk(parameters, ''));
}

const INT32 = (value) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;

// The agent request holds the ticket and the application token (SOAP: in the body; REST: in two
// headers): it prints redacted.
function inspectAgentRequest() {
  const { body, headers, ...rest } = this;
  if (this.headers.Authorization === undefined)
    return { ...rest, headers, body: '[redacted: holds the ticket and the application token]' };
  return { ...rest, headers: { ...headers, Authorization: 'SOTicket [redacted]', 'SO-AppToken': '[redacted]' }, body };
}

const PROTOCOLS = ['rest', 'soap'];
const BUILD_OPTIONS = {
  rest: new Set(['protocol', 'webapiUrl', 'agent', 'method', 'parameters', 'ticket', 'applicationToken', 'timeZone']),
  soap: new Set([
    'protocol',
    'netserverUrl',
    'agent',
    'method',
    'parameters',
    'ticket',
    'applicationToken',
    'timeZone',
  ]),
};
const PARSE_OPTIONS = new Set(['protocol', 'method', 'agent', 'redact']);

function protocolOf(options) {
  const protocol = options.protocol ?? 'rest';
  if (!PROTOCOLS.includes(protocol)) throw invalidArgument("protocol must be 'rest' or 'soap'");
  return protocol;
}

function checkNames(options, known, what) {
  for (const name of ['netserverUrl', 'webapiUrl']) {
    if (Object.hasOwn(options, name) && !known.has(name)) {
      throw invalidArgument(
        `unknown ${what} option ${name} (it belongs to protocol '${name === 'netserverUrl' ? 'soap' : 'rest'}')`,
      );
    }
  }
  readOptions(options, known, { entry: what });
}

/** The timeZone option, checked: `{ SoTimeZoneId?, SoTimeZoneLocationCode? }` with at least one. */
function timeZoneOf(zone) {
  if (zone === undefined) return undefined;
  if (!isPlainObject(zone)) throw invalidArgument('timeZone must be { SoTimeZoneId, SoTimeZoneLocationCode }');
  for (const name of Object.keys(zone)) {
    if (name !== 'SoTimeZoneId' && name !== 'SoTimeZoneLocationCode')
      throw invalidArgument(`unknown timeZone field ${name}`);
  }
  if (zone.SoTimeZoneId !== undefined && !INT32(zone.SoTimeZoneId))
    throw invalidArgument('timeZone.SoTimeZoneId must be a 32-bit integer');
  const id = zone.SoTimeZoneId;
  const code = optionalString(zone.SoTimeZoneLocationCode, 'timeZone.SoTimeZoneLocationCode');
  if (id === undefined && code === undefined)
    throw invalidArgument('timeZone needs SoTimeZoneId or SoTimeZoneLocationCode');
  return { id, code };
}

/**
 * A NetServer agent call, ready for fetch. REST (the default): `POST {webapiUrl}v1/Agents/{agent}/{method}`
 * with the parameters as JSON and the ticket in `Authorization: SOTicket` and `SO-AppToken`. SOAP:
 * SOAP 1.1 to `{netserverUrl}{agent}.svc` with the ApplicationToken, Credentials/Ticket and (when
 * given) TimeZone headers.
 */
function buildAgentRequest(params) {
  if (params === null || typeof params !== 'object') throw invalidArgument('buildAgentRequest needs an object');
  const protocol = protocolOf(params);
  checkNames(params, BUILD_OPTIONS[protocol], 'buildAgentRequest');
  requireString(
    protocol === 'rest' ? params.webapiUrl : params.netserverUrl,
    protocol === 'rest' ? 'webapiUrl' : 'netserverUrl',
  );
  requireString(params.agent, 'agent');
  requireString(params.method, 'method');
  requireString(params.ticket, 'ticket');
  requireString(params.applicationToken, 'applicationToken');
  const parameters = agentParametersJson(params.parameters);
  const zone = timeZoneOf(params.timeZone);
  // One wasm entry for both protocols (the parameters' JSON text is sent as it is over REST).
  const rest = protocol === 'rest';
  const json = callCore(() =>
    wasm.buildAgentRequest(
      coreOptions({
        ...(rest ? { webapiUrl: params.webapiUrl } : { netserverUrl: params.netserverUrl }),
        agent: params.agent,
        method: params.method,
        parameters,
        ticket: params.ticket,
        applicationToken: params.applicationToken,
        timeZoneId: zone?.id,
        timeZoneLocationCode: zone?.code,
      }),
    ),
  );
  const request = JSON.parse(json);
  Object.defineProperty(request, INSPECT, { value: inspectAgentRequest });
  return request;
}

/**
 * Reads an agent's answer. REST (the default): `{ response }` with JSON's own types; an error object
 * is ERR_NETSERVER_EXCEPTION. SOAP: `{ response, succeeded, extraInfo }`; ExceptionInfo is
 * ERR_NETSERVER_EXCEPTION; with `agent`, lists in the WSDL table are arrays. Both: a refused ticket
 * (HTTP 401/403, or an exception that says so) is ERR_TICKET_REJECTED.
 */
function parseAgentResponse(response, options) {
  const { status, body, contentType } = readResponse(response);
  const o = readOptions(options, PARSE_OPTIONS, { message: 'parseAgentResponse options must be an object' });
  const protocol = protocolOf(o);
  if (o.agent !== undefined) requireString(o.agent, 'agent');
  const secrets = redactOption(o.redact);
  if (protocol === 'rest') {
    if (o.method !== undefined) requireString(o.method, 'method');
  } else {
    requireString(o.method, 'method');
  }
  const coreOpts =
    protocol === 'rest'
      ? coreOptions({ status, contentType, protocol })
      : coreOptions({ status, contentType, method: o.method, agent: o.agent });
  return JSON.parse(callCore(() => wasm.parseAgentResponse(coreOpts, body), secrets));
}

module.exports = { buildAgentRequest, parseAgentResponse };
