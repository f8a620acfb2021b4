'use strict';
// The system-user ticket exchange (PartnerSystemUserService): sign the system user token, build the
// request, read the answer; and the two headers a ticket is then sent with.

const { wasm, cappedKeyText, callCore, coreOptions, redactOption } = require('./wasm.cjs');
const { PrivateKey, KeySet, withKeySet } = require('./keys.cjs');
const { readResponse } = require('./http.cjs');
const { invalidArgument } = require('../errors.cjs');
const { INSPECT } = require('../inspect.cjs');
const { requireString, optionalString, readOptions, toEpochMs, toLeeway, toTransport } = require('../arguments.cjs');

const SIGN_OPTIONS = ['now'];
const TICKET_REQUEST_PARAMS = [
  'environment',
  'baseUrl',
  'transport',
  'applicationToken',
  'contextIdentifier',
  'signedSystemToken',
];
const PARSE_TICKET_OPTIONS = ['keys', 'now', 'leewaySeconds', 'contextIdentifier', 'redact'];

/** Signs `systemUserToken.yyyyMMddHHmm` (UTC) and returns `token.timestamp.base64(signature)`. */
function signToken(systemUserToken, privateKey, options) {
  requireString(systemUserToken, 'systemUserToken');
  const nowMs = toEpochMs(readOptions(options, SIGN_OPTIONS).now);
  if (privateKey instanceof PrivateKey) return PrivateKey.signWith(privateKey, systemUserToken, nowMs);
  requireString(privateKey, 'privateKey');
  cappedKeyText(privateKey);
  return callCore(() => wasm.signTokenWithText(coreOptions({ systemUserToken, nowMs }), privateKey));
}

/** The PartnerSystemUserService request, ready for `fetch(url, { method, headers, body })`. */
function buildTicketRequest(params) {
  readOptions(params, TICKET_REQUEST_PARAMS, { required: true, message: 'buildTicketRequest needs an object' });
  const environment = optionalString(params.environment, 'environment');
  const baseUrl = optionalString(params.baseUrl, 'baseUrl');
  const transport = toTransport(params.transport);
  requireString(params.applicationToken, 'applicationToken');
  requireString(params.contextIdentifier, 'contextIdentifier');
  requireString(params.signedSystemToken, 'signedSystemToken');
  const json = callCore(() =>
    wasm.buildTicketRequest(
      coreOptions({
        environment,
        baseUrl,
        transport,
        applicationToken: params.applicationToken,
        contextIdentifier: params.contextIdentifier,
        signedSystemToken: params.signedSystemToken,
      }),
    ),
  );
  return JSON.parse(json);
}

// Ticket results print without their credentials (console.log, util.inspect), yet serialise in
// full with JSON.stringify, which is an explicit request for the data.
function inspectTicketResult() {
  const { ticket, claims, ...rest } = this;
  return { ...rest, ticket: ticket ? '[redacted]' : ticket, claims: '[claims redacted]' };
}

/** Parses the service's SOAP or REST response, validates the JWT and extracts the ticket. */
function parseTicketResponse(response, options) {
  const { status, body, contentType } = readResponse(response);
  options = readOptions(options, PARSE_TICKET_OPTIONS);
  const nowMs = toEpochMs(options.now);
  const leeway = toLeeway(options.leewaySeconds);
  const context = optionalString(options.contextIdentifier, 'contextIdentifier');
  const secrets = redactOption(options.redact);
  const json = withKeySet(options.keys, (keySet) =>
    callCore(
      () =>
        wasm.parseTicketResponse(
          coreOptions({ status, contentType, nowMs, leewaySeconds: leeway, contextIdentifier: context }),
          body,
          KeySet.handle(keySet),
        ),
      secrets,
    ),
  );
  const result = JSON.parse(json);
  result.expiresAt = new Date(result.expiresAt);
  Object.defineProperty(result, INSPECT, { value: inspectTicketResult });
  return result;
}

const HEADER_UNSAFE = /[\r\n\0]/;

/** The two headers a tenant API call needs. */
function authHeaders(ticket, applicationToken) {
  requireString(ticket, 'ticket');
  requireString(applicationToken, 'applicationToken');
  if (HEADER_UNSAFE.test(ticket) || HEADER_UNSAFE.test(applicationToken)) {
    throw invalidArgument('ticket and applicationToken must not contain line breaks');
  }
  return { Authorization: `SOTicket ${ticket}`, 'SO-AppToken': applicationToken };
}

module.exports = { signToken, buildTicketRequest, parseTicketResponse, authHeaders };
