'use strict';
// Door: SuperOffice calling the partner. Nothing is routed here; the door's methods send, as
// SuperOffice does (SuperOfficeDocs/superoffice-docs):
//
// - sendWebhook: a webhook delivery (docs/en/automation/webhook/). JSON body `{ EventId, Timestamp,
//   Changes, Event, PrimaryKey, Entity, ContextIdentifier, ChangedByAssociateId, WebhookName,
//   FieldValues? }` (notification.md), written indented as the documented examples are; headers
//   `Content-Type: application/json; charset=utf-8`, `User-Agent: NetServer-Webhook/...`,
//   `X-Superoffice-Event`, `X-Superoffice-Eventid` and, with a secret, `X-Superoffice-Signature`: the
//   base64 HMAC-SHA256 of the body bytes keyed by the secret's UTF-8 (security.md). The registration's
//   test event adds `X-Hook-Test: true` and, as in reference/test-event.md, an Eventid header that is
//   not the body's EventId. A delivery not answered 200 is tried again: three attempts a cycle, 1 s and
//   4 s apart, the same EventId within a cycle and a new one for the next (notification.md), until a
//   200 or seven attempts (index.md: "after seven attempts" the webhook is set to TooManyErrors).
// - notifyTenantStatus: a tenant status notification (docs/en/apps/tenant-status/notifications.md):
//   `{ ChangeType, ContextIdentifier, VersionName, FileVersion, Token }`, the Token a JWT signed by the
//   stand-in's federated-login key (the key its JWKS publishes), issuer the stand-in's, naming the
//   tenant in SuperOffice's `ctx` claim.
//
// Like the rest of the stand-in it uses node:http and node:crypto only, never the package's core.

const crypto = require('node:crypto');
const http = require('node:http');
const { CLAIM, signJwt } = require('./signing.cjs');
const { requireString, sleep } = require('./http.cjs');

const USER_AGENT = 'NetServer-Webhook/8.8.6684.1719'; // as in SuperOffice's documented examples
const CHANGE_TYPES = { Upgrade: 0, BackupRestored: 1, Suspend: 2, Resume: 3, Delete: 4 };
const ATTEMPTS_PER_CYCLE = 3;
const DEFAULT_ATTEMPTS = 7;
// Within a cycle 1 s then 4 s (documented); between cycles the event goes "to the back of the queue",
// for which 10 s stands in.
const DEFAULT_DELAYS_MS = [1000, 4000, 10_000, 1000, 4000, 10_000];
const WEBHOOK_OPTIONS = new Set([
  'url',
  'secret',
  'event',
  'entity',
  'primaryKey',
  'contextIdentifier',
  'changedByAssociateId',
  'webhookName',
  'changes',
  'fieldValues',
  'eventId',
  'timestamp',
  'test',
  'body',
  'attempts',
  'delaysMs',
  'timeoutMs',
]);
const NOTIFY_OPTIONS = new Set([
  'url',
  'contextIdentifier',
  'changeType',
  'versionName',
  'fileVersion',
  'clientId',
  'claims',
  'timeoutMs',
]);

/** SuperOffice insists on HTTPS; the stand-in, on loopback, speaks plain HTTP (node:http) only. */
function requireUrl(url) {
  requireString('url', url);
  if (new URL(url).protocol !== 'http:')
    throw new TypeError('url must be an http: URL (the stand-in delivers over plain HTTP)');
}

function checkNames(options, allowed, what) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${what} needs an options object`);
  for (const name of Object.keys(options)) {
    if (!allowed.has(name)) throw new TypeError(`${what}: unknown option ${name}`);
  }
}

/** POSTs `body` (a Buffer) and resolves to `{ status, body }`; a failed connection is status 0. */
function post(url, headers, body, timeoutMs) {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = http.request(
      target,
      { method: 'POST', headers: { ...headers, 'Content-Length': body.length }, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(body);
  });
}

/** A UTC time as .NET's round-trip format writes it: seven fraction digits and `Z`. */
function dotNetTime(ms) {
  return new Date(ms).toISOString().replace('Z', '0000Z');
}

function create(stand) {
  const { now } = stand;

  /** The payload SuperOffice would send for these options (a test event is SuperOffice's own). */
  function payload(options, eventId) {
    if (options.test) {
      return {
        EventId: eventId,
        Timestamp: dotNetTime(options.timestamp ?? now()),
        Changes: [],
        Event: 'test',
        PrimaryKey: 0,
        Entity: 'test',
        ContextIdentifier: options.contextIdentifier ?? 'Default',
        ChangedByAssociateId: options.changedByAssociateId ?? 316,
        WebhookName: options.webhookName ?? 'stand-in webhook',
      };
    }
    const event = options.event ?? 'contact.changed';
    const body = {
      EventId: eventId,
      Timestamp: dotNetTime(options.timestamp ?? now()),
      Changes: options.changes ?? ['contact_id', 'updated', 'updated_associate_id'],
      Event: event,
      PrimaryKey: options.primaryKey ?? 1,
      Entity: options.entity ?? event.split('.')[0],
      ContextIdentifier: options.contextIdentifier ?? 'Cust12345',
      ChangedByAssociateId: options.changedByAssociateId ?? 5,
      WebhookName: options.webhookName ?? 'stand-in webhook',
    };
    if (options.fieldValues !== undefined) body.FieldValues = options.fieldValues;
    return body;
  }

  const methods = {
    /**
     * Delivers a webhook event to `url` as SuperOffice does, signed with `secret` (none: unsigned, as a
     * webhook registered without a secret), retrying a non-200 answer. `body` (string) replaces the
     * JSON the stand-in would write, sent and signed as given. Resolves to `{ delivered, state,
     * attempts: [{ eventId, status }], body, signature }`; `state` is `TooManyErrors` when every
     * attempt failed.
     */
    async sendWebhook(options = {}) {
      checkNames(options, WEBHOOK_OPTIONS, 'sendWebhook');
      requireUrl(options.url);
      if (options.secret !== undefined) requireString('secret', options.secret);
      if (options.body !== undefined && typeof options.body !== 'string') throw new TypeError('body must be a string');
      const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
      if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20)
        throw new TypeError('attempts must be an integer from 1 to 20');
      const delaysMs = options.delaysMs ?? DEFAULT_DELAYS_MS;
      if (!Array.isArray(delaysMs) || delaysMs.some((ms) => !(Number.isFinite(ms) && ms >= 0)))
        throw new TypeError('delaysMs must be an array of milliseconds');
      const timeoutMs = options.timeoutMs ?? 10_000;
      const tried = [];
      let eventId;
      let text;
      let signature;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        if (attempt % ATTEMPTS_PER_CYCLE === 0) {
          // A new cycle: a new EventId (the documented behaviour after three failed attempts).
          eventId = attempt === 0 && options.eventId !== undefined ? options.eventId : crypto.randomUUID();
          text = options.body ?? JSON.stringify(payload(options, eventId), null, 2);
          signature =
            options.secret === undefined
              ? undefined
              : crypto
                  .createHmac('sha256', Buffer.from(options.secret, 'utf8'))
                  .update(Buffer.from(text, 'utf8'))
                  .digest('base64');
        }
        if (attempt > 0) await sleep(delaysMs[Math.min(attempt - 1, delaysMs.length - 1)] ?? 0);
        const headers = {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': USER_AGENT,
          'X-Superoffice-Event': options.test ? 'test' : (options.event ?? 'contact.changed'),
          // The documented test event carries an Eventid header unlike its body's EventId.
          'X-Superoffice-Eventid': options.test ? crypto.randomUUID() : eventId,
        };
        if (options.test) headers['X-Hook-Test'] = 'true';
        if (attempt % ATTEMPTS_PER_CYCLE > 0) headers['X-Superoffice-Retry'] = String(attempt % ATTEMPTS_PER_CYCLE);
        if (signature !== undefined) headers['X-Superoffice-Signature'] = signature;
        const { status } = await post(options.url, headers, Buffer.from(text, 'utf8'), timeoutMs);
        stand.stats.webhooksSent += 1;
        tried.push({ eventId, status });
        if (status === 200) return { delivered: true, state: 'Active', attempts: tried, body: text, signature };
      }
      return { delivered: false, state: 'TooManyErrors', attempts: tried, body: text, signature };
    },

    /**
     * Posts a tenant status notification to `url`: `changeType` a name (Upgrade, BackupRestored,
     * Suspend, Resume, Delete) or a number. The Token is signed with the stand-in's signing key (the
     * one its JWKS publishes), `iss` the stand-in's issuer, the tenant in the `ctx` claim, `aud` the
     * `clientId` when given; `claims` adds or replaces claims (undefined removes one). Resolves to
     * `{ status, body, token }`.
     */
    async notifyTenantStatus(options = {}) {
      checkNames(options, NOTIFY_OPTIONS, 'notifyTenantStatus');
      requireUrl(options.url);
      requireString('contextIdentifier', options.contextIdentifier);
      const code = typeof options.changeType === 'number' ? options.changeType : CHANGE_TYPES[options.changeType];
      if (!Number.isInteger(code))
        throw new TypeError(`changeType must be one of ${Object.keys(CHANGE_TYPES).join(', ')} or an integer`);
      const t = Math.floor(now() / 1000);
      const claims = {
        iss: stand.issuer,
        ...(options.clientId !== undefined ? { aud: options.clientId } : {}),
        iat: stand.options.idTokenIatAsString ? String(t) : t,
        nbf: t,
        exp: t + stand.options.jwtLifetimeSeconds,
        [`${CLAIM}ctx`]: options.contextIdentifier,
      };
      for (const [name, value] of Object.entries(options.claims ?? {})) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      const token = signJwt(claims, stand.signingKey());
      const tenant = stand.tenants.get(options.contextIdentifier);
      const body = JSON.stringify({
        ChangeType: code,
        ContextIdentifier: options.contextIdentifier,
        VersionName: options.versionName ?? (tenant ? 'Release 10.5' : null),
        FileVersion: options.fileVersion ?? (tenant ? '10.5.2026.1117' : null),
        Token: token,
      });
      stand.stats.notificationsSent += 1;
      const answer = await post(
        options.url,
        { 'Content-Type': 'application/json; charset=utf-8' },
        Buffer.from(body, 'utf8'),
        options.timeoutMs ?? 10_000,
      );
      return { ...answer, token };
    },
  };

  return { route: () => undefined, handle: () => {}, methods };
}

module.exports = { endpoints: [], counters: ['webhooksSent', 'notificationsSent'], perTenant: false, create };
