'use strict';
// When SuperOffice calls the partner: verifying a webhook delivery (its HMAC-SHA256 signature over the
// raw body) and a tenant status notification (its Token, a JWT signed by SuperOffice). Both are pure:
// the receiver hands over the body and headers it read; the core (src/callbacks/) does the checking.

const { wasm, LIMITS, callCore } = require('./wasm.cjs');
const { KeySet, withKeySet } = require('./keys.cjs');
const { SuperOfficeAuthError, invalidArgument } = require('../errors.cjs');
const { optionalString, toEpochMs, toLeeway } = require('../arguments.cjs');

const RAW_BODY_HINT = 'pass the raw request body (a string, Uint8Array or ArrayBuffer), not a parsed object: '
  + 'the signature covers the exact bytes SuperOffice sent (with Express, use express.raw({ type: \'application/json\' }))';

const encoder = new TextEncoder();

/** Refuses options it does not know: a misspelled option is an error, never silently ignored. */
function knownOptions(options, names, what) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalidArgument(`${what} needs an options object`);
  for (const name of Object.keys(options)) {
    if (!names.includes(name)) throw invalidArgument(`${what}: unknown option ${name}`);
  }
  return options;
}

/** The body's bytes, capped before they are copied into wasm memory. */
function rawBody(body) {
  const tooLarge = (length) => {
    if (length > LIMITS.responseBytes) {
      throw new SuperOfficeAuthError('ERR_RESPONSE_TOO_LARGE', `response body exceeds the limit of ${LIMITS.responseBytes} bytes`,
        { limit: LIMITS.responseBytes });
    }
  };
  let bytes;
  if (typeof body === 'string') {
    tooLarge(body.length); // UTF-16 units never outnumber UTF-8 bytes
    bytes = encoder.encode(body);
  } else if (body instanceof Uint8Array) {
    bytes = body;
  } else if (body instanceof ArrayBuffer) {
    bytes = new Uint8Array(body);
  } else {
    throw invalidArgument(RAW_BODY_HINT);
  }
  tooLarge(bytes.byteLength);
  return bytes;
}

/**
 * The SuperOffice headers of a delivery as `[name, value, name, value, ...]`: from a Fetch `Headers`,
 * Node's `req.headers` (values may be arrays) or a plain object. Only `X-SuperOffice-*` travel to the
 * core; a name given twice in different case travels twice, and the core refuses the pair.
 */
function superOfficeHeaders(headers) {
  if (headers === undefined || headers === null) return [];
  const pairs = [];
  const add = (name, value) => {
    if (/^x-superoffice-/i.test(name)) pairs.push(name, Array.isArray(value) ? value.join(', ') : String(value));
  };
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    headers.forEach((value, name) => add(name, value));
  } else if (typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) add(name, value);
  } else {
    throw invalidArgument('headers must be an object or Headers');
  }
  return pairs;
}

function secretList(secret) {
  const list = typeof secret === 'string' ? [secret] : secret;
  if (!Array.isArray(list) || list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) {
    throw invalidArgument('secret must be the webhook\'s shared secret (a non-empty string) or a non-empty array of them');
  }
  return list;
}

const VERIFY_OPTIONS = ['body', 'headers', 'secret', 'maxAgeSeconds', 'now'];

/**
 * Verifies a webhook delivery: `X-SuperOffice-Signature` over the exact raw body, then the event read
 * strictly. Returns the event, `timestamp` a Date.
 */
function verifyWebhook(options) {
  knownOptions(options, VERIFY_OPTIONS, 'verifyWebhook');
  const secrets = secretList(options.secret);
  const { maxAgeSeconds } = options;
  if (maxAgeSeconds !== undefined && !Number.isInteger(maxAgeSeconds)) throw invalidArgument('maxAgeSeconds must be an integer');
  const body = rawBody(options.body);
  const args = JSON.stringify({
    headers: superOfficeHeaders(options.headers),
    secrets,
    maxAgeSeconds,
    nowMs: toEpochMs(options.now),
  });
  const { timestamp, test, payload } = JSON.parse(callCore(() => wasm.verifyWebhook(args, body)));
  // The core checked every member's type; here they only take JavaScript's names.
  const event = {
    eventId: payload.EventId,
    timestamp: new Date(timestamp),
    event: payload.Event,
    entity: payload.Entity ?? undefined,
    primaryKey: payload.PrimaryKey,
    contextIdentifier: payload.ContextIdentifier,
    changedByAssociateId: payload.ChangedByAssociateId,
    webhookName: payload.WebhookName,
    changes: payload.Changes,
    fieldValues: payload.FieldValues ?? undefined,
    test,
    payload,
  };
  return event;
}

const NOTIFICATION_OPTIONS = ['keys', 'environment', 'issuer', 'clientId', 'now', 'leewaySeconds'];

/**
 * Reads a tenant status notification's raw body and validates its Token: signature first, the
 * environment's issuer, expiry, and that it names the tenant of `ContextIdentifier`.
 */
function parseTenantStatusNotification(body, options) {
  knownOptions(options, NOTIFICATION_OPTIONS, 'parseTenantStatusNotification');
  if (options.keys === undefined) throw invalidArgument('keys is required');
  const bytes = rawBody(body);
  const args = JSON.stringify({
    environment: optionalString(options.environment, 'environment'),
    issuer: optionalString(options.issuer, 'issuer'),
    clientId: optionalString(options.clientId, 'clientId'),
    nowMs: toEpochMs(options.now),
    leewaySeconds: toLeeway(options.leewaySeconds),
  });
  return JSON.parse(withKeySet(options.keys, (keySet) =>
    callCore(() => wasm.parseTenantStatusNotification(args, bytes, KeySet.handle(keySet)))));
}

module.exports = { verifyWebhook, parseTenantStatusNotification, rawBody, RAW_BODY_HINT };
