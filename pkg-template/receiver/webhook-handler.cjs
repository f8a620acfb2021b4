'use strict';
// The receiver: an HTTP endpoint for what SuperOffice posts to the partner. One handler serves both
// kinds of call (SuperOfficeDocs/superoffice-docs):
//
// - webhook deliveries (docs/en/automation/webhook/): carry `X-SuperOffice-*` headers and, with a
//   secret, `X-SuperOffice-Signature`; verified by verifyWebhook. Registration sends a `test` event
//   that "must" be answered 200 OK (reference/test-event.md); SuperOffice retries a delivery that
//   does not get a 200 and stops the webhook after seven failed attempts (webhook/index.md).
// - tenant status notifications (docs/en/apps/tenant-status/notifications.md), to the State Change
//   URL: no `X-SuperOffice-*` header, a JSON body whose Token authenticates it; read, when
//   `onTenantStatus` is given, by parseTenantStatusNotification.
//
// Answers: 200 to the test event and to a verified event once `onEvent` resolves (and to a repeat of
// an event already handled), 401 to a delivery that fails verification (signature, event id, age,
// the notification's Token), 400 to a body that is not the JSON SuperOffice sends, 413 to a body over
// the cap, 405 to anything but POST, 500 when `onEvent`/`onTenantStatus` throws (SuperOffice then
// retries, and the repeat is not dropped). Nothing from the request is ever echoed back.
//
// Two ways in: createWebhookHandler(options) gives `(req, res, next?)` for node:http and Express or
// Connect, and the same function takes a Fetch API Request and resolves to a Response (Workers, Deno,
// Bun); handleWebhookRequest(request, options) is the Fetch form, one handler per options object.

const { verifyWebhook, parseTenantStatusNotification, RAW_BODY_HINT, tooLarge } = require('../core/callbacks.cjs');
const { LIMITS } = require('../core/wasm.cjs');
const { SuperOfficeAuthError, invalidArgument } = require('../errors.cjs');
const { readOptions } = require('../arguments.cjs');
const { createMemoryWebhookEventStore } = require('./event-store.cjs');

const OPTION_NAMES = [
  'secret',
  'onEvent',
  'onTenantStatus',
  'onError',
  'keys',
  'environment',
  'issuer',
  'clientId',
  'maxAgeSeconds',
  'eventStore',
  'duplicateWindowSeconds',
  'now',
];
const DEFAULT_WINDOW_SECONDS = 3600;
const encoder = new TextEncoder();
const MAX_WINDOW_SECONDS = 7 * 24 * 3600;

// A verification failure is the sender's fault, and which kind decides the status.
const BAD_REQUEST_REASONS = new Set(['malformed-json', 'malformed-event']);

function answer(status, text, extraHeaders = {}) {
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extraHeaders },
    body: text,
  };
}

function checkOptions(options) {
  readOptions(options, OPTION_NAMES, {
    required: true,
    message: 'the webhook handler needs an options object',
    entry: 'createWebhookHandler',
  });
  const {
    secret,
    onEvent,
    onTenantStatus,
    onError,
    keys,
    maxAgeSeconds,
    eventStore,
    duplicateWindowSeconds = Math.max(DEFAULT_WINDOW_SECONDS, maxAgeSeconds ?? 0),
    now = Date.now,
  } = options;
  if (secret === undefined && onTenantStatus === undefined) {
    throw invalidArgument(
      'give secret and onEvent (webhooks), onTenantStatus and keys (tenant status notifications), or both',
    );
  }
  if (secret !== undefined && typeof onEvent !== 'function')
    throw invalidArgument('onEvent must be a function when secret is given');
  if (secret === undefined && onEvent !== undefined)
    throw invalidArgument('onEvent needs secret: webhooks are verified with it');
  if (onTenantStatus !== undefined) {
    if (typeof onTenantStatus !== 'function') throw invalidArgument('onTenantStatus must be a function');
    if (keys === undefined)
      throw invalidArgument("keys is required with onTenantStatus (SuperOffice's federated-login certificate or JWKS)");
    if ((options.environment === undefined) === (options.issuer === undefined)) {
      throw invalidArgument('give environment or issuer with onTenantStatus, not both');
    }
  }
  if (onError !== undefined && typeof onError !== 'function') throw invalidArgument('onError must be a function');
  if (typeof now !== 'function') throw invalidArgument('now must be a function returning epoch milliseconds');
  if (
    !Number.isInteger(duplicateWindowSeconds) ||
    duplicateWindowSeconds < 1 ||
    duplicateWindowSeconds > MAX_WINDOW_SECONDS
  ) {
    throw invalidArgument(`duplicateWindowSeconds must be an integer from 1 to ${MAX_WINDOW_SECONDS}`);
  }
  if (maxAgeSeconds !== undefined && duplicateWindowSeconds < maxAgeSeconds) {
    // Within maxAge a replayed delivery is still accepted, so the window must cover it.
    throw invalidArgument('duplicateWindowSeconds must be at least maxAgeSeconds');
  }
  if (
    eventStore !== undefined &&
    (eventStore === null || typeof eventStore.claim !== 'function' || typeof eventStore.release !== 'function')
  ) {
    throw invalidArgument('eventStore must have claim(eventId, ttlMs) and release(eventId)');
  }
  return { duplicateWindowSeconds, now };
}

/** What every entry shares: from a request's method, headers and raw body to the answer. */
function createProcessor(options) {
  const { duplicateWindowSeconds, now } = checkOptions(options);
  const store = options.eventStore ?? createMemoryWebhookEventStore({ now });
  const report = (error, context) => {
    if (!options.onError) return;
    try {
      options.onError(error, context);
    } catch {
      // A failing error reporter must not change the answer SuperOffice gets.
    }
  };

  async function webhook(headers, body) {
    let event;
    try {
      event = verifyWebhook({
        body,
        headers,
        secret: options.secret,
        maxAgeSeconds: options.maxAgeSeconds,
        now: now(),
      });
    } catch (error) {
      return refusal(error, 'webhook');
    }
    if (event.test) return answer(200, 'OK');
    let claimed = true;
    try {
      claimed = await store.claim(event.eventId, duplicateWindowSeconds * 1000);
    } catch (error) {
      // A store that fails degrades to handling the event (at least once beats at most once).
      report(error, { stage: 'eventStore', eventId: event.eventId });
    }
    if (!claimed) return answer(200, 'OK (already handled)');
    try {
      await options.onEvent(event);
    } catch (error) {
      report(error, { stage: 'onEvent', eventId: event.eventId });
      try {
        await store.release(event.eventId);
      } catch (releaseError) {
        report(releaseError, { stage: 'eventStore', eventId: event.eventId });
      }
      return answer(500, 'the event could not be handled');
    }
    return answer(200, 'OK');
  }

  async function tenantStatus(body) {
    let notification;
    try {
      notification = parseTenantStatusNotification(body, {
        keys: options.keys,
        environment: options.environment,
        issuer: options.issuer,
        clientId: options.clientId,
        now: now(),
      });
    } catch (error) {
      return refusal(error, 'tenantStatus');
    }
    try {
      await options.onTenantStatus(notification);
    } catch (error) {
      report(error, { stage: 'onTenantStatus', contextIdentifier: notification.contextIdentifier });
      return answer(500, 'the notification could not be handled');
    }
    return answer(200, 'OK');
  }

  function refusal(error, stage) {
    report(error, { stage });
    if (!(error instanceof SuperOfficeAuthError)) return answer(500, 'the request could not be handled');
    if (error.code === 'ERR_RESPONSE_TOO_LARGE') return answer(413, 'the body is too large');
    if (error.code === 'ERR_WEBHOOK_INVALID') {
      return BAD_REQUEST_REASONS.has(/** @type {{ reason?: string }} */ (error).reason)
        ? answer(400, 'not a SuperOffice request')
        : answer(401, 'verification failed');
    }
    if (error.code.startsWith('ERR_JWT_')) return answer(401, 'verification failed');
    return answer(500, 'the request could not be handled');
  }

  /** `headers`: Node's req.headers or a Fetch Headers; `readBody()` -> raw bytes (or throws). */
  return async function processRequest(method, headers, readBody) {
    if (method !== 'POST') return answer(405, 'POST only', { Allow: 'POST' });
    const webhookCall = isWebhook(headers);
    if (webhookCall && options.secret === undefined) return answer(404, 'webhooks are not received here');
    if (!webhookCall && options.onTenantStatus === undefined)
      return refusal(
        new SuperOfficeAuthError(
          'ERR_WEBHOOK_INVALID',
          'webhook refused (missing-signature): no X-SuperOffice-Signature header',
          { reason: 'missing-signature' },
        ),
        'webhook',
      );
    let body;
    try {
      body = await readBody();
    } catch (error) {
      return refusal(error, webhookCall ? 'webhook' : 'tenantStatus');
    }
    return webhookCall ? webhook(headers, body) : tenantStatus(body);
  };
}

/** A webhook delivery names itself with `X-SuperOffice-*` headers; a tenant status notification has none. */
function isWebhook(headers) {
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    let found = false;
    headers.forEach((_, name) => {
      if (/^x-superoffice-/i.test(name)) found = true;
    });
    return found;
  }
  return Object.keys(headers).some((name) => /^x-superoffice-/i.test(name));
}

/** Reads a node:http request's body up to the cap; a body parser may have read it already. */
function nodeBody(req) {
  if (req.body !== undefined && (req.readableEnded || req.complete)) {
    // Express or Connect with a body parser: raw (Buffer) or text is usable, a parsed object is not.
    if (typeof req.body === 'string' || req.body instanceof Uint8Array) return Promise.resolve(req.body);
    return Promise.reject(invalidArgument(RAW_BODY_HINT));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > LIMITS.responseBytes) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > LIMITS.responseBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(concat(chunks, size)));
    req.on('error', reject);
  });
}

function concat(chunks, size) {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Reads a Fetch API Request's body up to the cap, without buffering more than the cap. */
async function fetchBody(request) {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > LIMITS.responseBytes) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > LIMITS.responseBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

function isFetchRequest(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.arrayBuffer === 'function' &&
    typeof value.method === 'string' &&
    value.headers !== null &&
    typeof value.headers?.get === 'function'
  );
}

function toResponse({ status, headers, body }) {
  return new Response(body, { status, headers });
}

/**
 * A request handler for what SuperOffice posts to you: `(req, res, next?)` for node:http, Express and
 * Connect; called with one Fetch API Request instead, it resolves to a Response.
 * @returns {import('superoffice-auth').WebhookHandler}
 */
function createWebhookHandler(options) {
  const processRequest = createProcessor(options);
  // One function for both call shapes (WebhookHandler's two overloads), told apart at run time.
  return /** @type {import('superoffice-auth').WebhookHandler} */ (
    function superOfficeWebhookHandler(req, res) {
      if (res === undefined && isFetchRequest(req)) {
        return processRequest(req.method, req.headers, () => fetchBody(req)).then(toResponse);
      }
      if (
        req === null ||
        typeof req !== 'object' ||
        res === null ||
        typeof res !== 'object' ||
        typeof res.end !== 'function'
      ) {
        throw invalidArgument('call the handler as (req, res) from node:http or Express, or with a Fetch API Request');
      }
      return processRequest(req.method, req.headers, () => nodeBody(req)).then(({ status, headers, body }) => {
        if (res.headersSent) return;
        res.writeHead(status, { ...headers, 'Content-Length': encoder.encode(body).byteLength });
        res.end(body);
      });
    }
  );
}

// handleWebhookRequest keeps one handler (and so one duplicate window) per options object: keep the
// options in module scope, as a Worker keeps its state.
const handlers = new WeakMap();

/** Handles one Fetch API Request (Workers, Deno, Bun) and resolves to the Response to send. */
function handleWebhookRequest(request, options) {
  if (!isFetchRequest(request)) throw invalidArgument('request must be a Fetch API Request');
  if (options === null || typeof options !== 'object')
    throw invalidArgument('the webhook handler needs an options object');
  let handler = handlers.get(options);
  if (!handler) {
    handler = createWebhookHandler(options);
    handlers.set(options, handler);
  }
  return handler(request);
}

module.exports = { createWebhookHandler, handleWebhookRequest };
