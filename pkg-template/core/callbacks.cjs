'use strict';
// When SuperOffice calls the partner (SuperOfficeDocs/superoffice-docs): a webhook delivery, verified
// by its HMAC-SHA256 signature over the raw body (docs/en/automation/webhook/security.md; the core's
// src/callbacks/), and a tenant status notification, whose one signed part is its Token, a JWT the
// key/JWT layer validates (docs/en/apps/tenant-status/notifications.md). Both pure: the receiver hands
// over the body and headers it read.

const { wasm, LIMITS, callCore } = require('./wasm.cjs');
const { validateToken } = require('./jwt.cjs');
const { SuperOfficeAuthError, invalidArgument } = require('../errors.cjs');
const { optionalString, readOptions, toEpochMs } = require('../arguments.cjs');

const RAW_BODY_HINT =
  'pass the raw request body (a string, Uint8Array or ArrayBuffer), not a parsed object: ' +
  "the signature covers the exact bytes SuperOffice sent (with Express, use express.raw({ type: 'application/json' }))";
const MAX_SECRETS = 8;
const MAX_SECRET_BYTES = 1024;
const MAX_AGE_SECONDS = 7 * 24 * 3600;
const CONTEXT_CLAIM = 'http://schemes.superoffice.net/identity/ctx';
// CustomerStateChangeNotificationType (docs/en/apps/tenant-status/includes/CustomerStateChangeNotificationType.cs).
const CHANGE_TYPES = ['Upgrade', 'BackupRestored', 'Suspend', 'Resume', 'Delete'];

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function tooLarge() {
  return new SuperOfficeAuthError(
    'ERR_RESPONSE_TOO_LARGE',
    `response body exceeds the limit of ${LIMITS.responseBytes} bytes`,
    { limit: LIMITS.responseBytes },
  );
}

/** The body's bytes, capped before they are copied into wasm memory. */
function rawBody(body) {
  let bytes;
  if (typeof body === 'string') {
    if (body.length > LIMITS.responseBytes) throw tooLarge(); // UTF-16 units never outnumber UTF-8 bytes
    bytes = encoder.encode(body);
  } else if (body instanceof Uint8Array) {
    bytes = body;
  } else if (body instanceof ArrayBuffer) {
    bytes = new Uint8Array(body);
  } else {
    throw invalidArgument(RAW_BODY_HINT);
  }
  if (bytes.byteLength > LIMITS.responseBytes) throw tooLarge();
  return bytes;
}

/**
 * A header's value from a Fetch `Headers`, Node's `req.headers` (values may be arrays) or a plain
 * object, the name matched in any case. A header sent twice comes back joined by `, `, as HTTP joins
 * it (and so a doubled signature is malformed rather than either copy).
 */
function header(headers, name) {
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers.get === 'function' && typeof headers.forEach === 'function') return headers.get(name) ?? undefined;
  if (typeof headers !== 'object') throw invalidArgument('headers must be an object or Headers');
  const values = [];
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || key.toLowerCase() !== name) continue;
    values.push(Array.isArray(value) ? value.join(', ') : String(value));
  }
  return values.length === 0 ? undefined : values.join(', ');
}

function secretList(secret) {
  const list = typeof secret === 'string' ? [secret] : secret;
  const fits = (item) => typeof item === 'string' && item !== '' && encoder.encode(item).byteLength <= MAX_SECRET_BYTES;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SECRETS || !list.every(fits)) {
    throw invalidArgument(
      `secret must be the webhook's shared secret (a non-empty string of at most ${MAX_SECRET_BYTES} bytes) or a list of 1 to ${MAX_SECRETS} of them`,
    );
  }
  return list;
}

const VERIFY_OPTIONS = ['body', 'headers', 'secret', 'maxAgeSeconds', 'now'];

/**
 * Verifies a webhook delivery: `X-SuperOffice-Signature` over the exact raw body, then the event read
 * strictly. Returns the event, `timestamp` a Date.
 */
function verifyWebhook(options) {
  readOptions(options, VERIFY_OPTIONS, {
    required: true,
    message: 'verifyWebhook needs an options object',
    entry: 'verifyWebhook',
  });
  const secrets = secretList(options.secret);
  const { maxAgeSeconds } = options;
  if (
    maxAgeSeconds !== undefined &&
    !(Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 1 && maxAgeSeconds <= MAX_AGE_SECONDS)
  ) {
    throw invalidArgument(`maxAgeSeconds must be an integer from 1 to ${MAX_AGE_SECONDS}`);
  }
  const body = rawBody(options.body);
  const args = JSON.stringify({
    signature: header(options.headers, 'x-superoffice-signature'),
    eventId: header(options.headers, 'x-superoffice-eventid'),
    secrets,
    maxAgeSeconds,
    nowMs: toEpochMs(options.now),
  });
  const { timestamp, test, payload } = JSON.parse(callCore(() => wasm.verifyWebhook(args, body)));
  // The core checked every member's type; here they take JavaScript's names.
  return {
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
}

const NOTIFICATION_OPTIONS = ['keys', 'environment', 'issuer', 'clientId', 'now', 'leewaySeconds'];

function refusedNotification(reason) {
  return new SuperOfficeAuthError('ERR_WEBHOOK_INVALID', `webhook refused: ${reason}`, { reason });
}

/**
 * Reads a tenant status notification's raw body and validates its Token: signature first, the
 * environment's issuer, expiry, the audience when `clientId` is given (a Token naming an audience is
 * refused without it, as validateToken refuses it), and that it names the tenant of `ContextIdentifier`.
 *
 * Decisions where SuperOffice's pages are silent: the Token is the only signed part, so the other
 * members are read as plain JSON (repeated names are no threat to what nobody signed) and their types
 * checked; an undocumented ChangeType number is kept as its number, not refused.
 */
function parseTenantStatusNotification(body, options) {
  readOptions(options, NOTIFICATION_OPTIONS, {
    required: true,
    message: 'parseTenantStatusNotification needs an options object',
    entry: 'parseTenantStatusNotification',
  });
  if (options.keys === undefined) throw invalidArgument('keys is required');
  const environment = optionalString(options.environment, 'environment');
  let issuer = optionalString(options.issuer, 'issuer');
  if ((environment === undefined) === (issuer === undefined))
    throw invalidArgument('give either environment or issuer');
  if (environment !== undefined) issuer = callCore(() => wasm.environmentIssuer(environment));
  let text;
  try {
    text = utf8.decode(rawBody(body));
  } catch (error) {
    if (error instanceof SuperOfficeAuthError) throw error;
    throw refusedNotification('malformed-json');
  }
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    throw refusedNotification('malformed-json');
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message))
    throw refusedNotification('malformed-json');
  const { ChangeType: code, ContextIdentifier: contextIdentifier, VersionName, FileVersion, Token } = message;
  const optionalText = (value) => value === undefined || value === null || typeof value === 'string';
  const wellFormed =
    Number.isInteger(code) &&
    code >= -(2 ** 31) &&
    code < 2 ** 31 &&
    typeof contextIdentifier === 'string' &&
    contextIdentifier !== '' &&
    typeof Token === 'string' &&
    Token !== '' &&
    optionalText(VersionName) &&
    optionalText(FileVersion);
  if (!wellFormed) throw refusedNotification('malformed-event');
  const claims = validateToken(Token, {
    keys: options.keys,
    issuer,
    audience: options.clientId,
    now: options.now,
    leewaySeconds: options.leewaySeconds,
  });
  const tenant = claims[CONTEXT_CLAIM];
  if (tenant !== contextIdentifier) {
    const why =
      tenant === undefined
        ? 'missing'
        : typeof tenant === 'string'
          ? 'names another tenant than ContextIdentifier'
          : 'must be a string';
    throw new SuperOfficeAuthError('ERR_JWT_CLAIM_INVALID', `JWT claim ${CONTEXT_CLAIM}: ${why}`, {
      claim: CONTEXT_CLAIM,
    });
  }
  const result = {
    changeType: CHANGE_TYPES[code] ?? code,
    changeTypeCode: code,
    contextIdentifier,
  };
  if (typeof VersionName === 'string') result.versionName = VersionName;
  if (typeof FileVersion === 'string') result.fileVersion = FileVersion;
  return result;
}

// tooLarge: the receiver's cap on a request it reads is this same limit, refused the same way.
module.exports = { verifyWebhook, parseTenantStatusNotification, RAW_BODY_HINT, tooLarge };
