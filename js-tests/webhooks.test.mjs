// Webhooks and tenant status notifications (issue 22): verifyWebhook against signatures computed here
// with node:crypto (never by the package) over the exact bytes, every refusal with its reason, the
// receiver in node:http and in Express with the stand-in delivering as SuperOffice does (retries,
// the test event, the duplicate window), and tenant status notifications signed by the stand-in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import {
  SuperOfficeAuthError,
  verifyWebhook,
  parseTenantStatusNotification,
  createWebhookHandler,
  handleWebhookRequest,
  createMemoryWebhookEventStore,
} from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';
import { createRedisWebhookEventStore } from 'superoffice-auth/redis';
import { startRedis, connectRedis, CLIENT_KINDS } from './helpers/redis-server.mjs';
import { IDENTITY, makeKeyPair, mintJwt } from './helpers/independent.mjs';
import { watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
const SECRET = `whsec-${randomBytes(12).toString('hex')}`;
const NOW = Date.UTC(2026, 10, 23, 14, 5, 30, 123);
const NOW_S = Math.floor(NOW / 1000);

/** SuperOffice's signature, computed independently: base64 HMAC-SHA256 of the bytes, UTF-8 key. */
const sign = (body, secret = SECRET) =>
  createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('base64');

function payload(overrides = {}) {
  return {
    EventId: 'c0a8f3e2-5b1d-4e7a-9f00-123456789abc',
    Timestamp: new Date(NOW).toISOString().replace('Z', '0000Z'),
    Changes: ['contact_id', 'name', 'updated'],
    Event: 'contact.changed',
    PrimaryKey: 18,
    Entity: 'contact',
    ContextIdentifier: 'Cust54321',
    ChangedByAssociateId: 5,
    WebhookName: 'Tonys Contact Handler',
    ...overrides,
  };
}

function headersFor(body, extra = {}) {
  return { 'x-superoffice-signature': sign(body), 'x-superoffice-eventid': JSON.parse(body).EventId, ...extra };
}

function refused(fn, reason) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof SuperOfficeAuthError, `expected SuperOfficeAuthError, got ${error}`);
    assert.equal(error.code, 'ERR_WEBHOOK_INVALID', error.message);
    assert.equal(error.reason, reason, error.message);
    assert.ok(!error.message.includes(SECRET), 'no secret in the message');
    assert.ok(
      !error.message.includes('Cust54321') && !error.message.includes('Tonys'),
      'nothing of the body in the message',
    );
    return true;
  });
}

test('the raw bytes are what is signed: non-ASCII, CRLF, whitespace and member order', () => {
  const base = payload({ WebhookName: 'Kundebehandler for Åse Ødegård — 営業 🚀' });
  const bodies = [
    JSON.stringify(base),
    JSON.stringify(base, null, 2),
    JSON.stringify(base, null, 2).replace(/\n/g, '\r\n'),
    `\t ${JSON.stringify(base, null, '\t')} \n`,
    JSON.stringify(Object.fromEntries(Object.entries(base).reverse())),
    JSON.stringify(base).replace('Åse', '\\u00c5se'), // the same text, escaped differently
  ];
  for (const body of bodies) {
    for (const form of [body, Buffer.from(body, 'utf8'), new Uint8Array(Buffer.from(body, 'utf8')).buffer]) {
      const event = verifyWebhook({ body: form, headers: headersFor(body), secret: SECRET, now: NOW });
      assert.equal(event.eventId, base.EventId);
      assert.equal(event.webhookName, 'Kundebehandler for Åse Ødegård — 営業 🚀');
      assert.equal(event.event, 'contact.changed');
      assert.equal(event.entity, 'contact');
      assert.equal(event.primaryKey, 18);
      assert.equal(event.contextIdentifier, 'Cust54321');
      assert.equal(event.changedByAssociateId, 5);
      assert.deepEqual(event.changes, ['contact_id', 'name', 'updated']);
      assert.ok(event.timestamp instanceof Date);
      assert.equal(event.timestamp.getTime(), NOW);
      assert.equal(event.test, false);
      assert.equal(event.fieldValues, undefined);
    }
    // Any other serialisation of the same object has another signature.
    for (const other of bodies.filter((b) => b !== body)) {
      refused(
        () => verifyWebhook({ body: other, headers: headersFor(body), secret: SECRET, now: NOW }),
        'signature-mismatch',
      );
    }
  }
  // A body decoded and re-encoded through a lossy path no longer verifies.
  const latin1 = Buffer.from(Buffer.from(bodies[0], 'utf8').toString('latin1'), 'utf8');
  refused(
    () => verifyWebhook({ body: latin1, headers: headersFor(bodies[0]), secret: SECRET, now: NOW }),
    'signature-mismatch',
  );
});

test('headers in any case, a Fetch Headers, arrays; FieldValues; rotation; the test event', () => {
  const body = JSON.stringify(
    payload({ FieldValues: { contact_id: 18, name: 'Ødegård AS', updated: '2026-11-23T15:05:30+01:00' } }),
  );
  const signature = sign(body);
  for (const headers of [
    { 'X-SuperOffice-Signature': signature },
    { 'X-SUPEROFFICE-SIGNATURE': [signature] },
    new Headers({ 'x-superoffice-signature': signature, 'x-superoffice-eventid': payload().EventId }),
  ]) {
    const event = verifyWebhook({ body, headers, secret: SECRET, now: NOW });
    assert.deepEqual(event.fieldValues, { contact_id: 18, name: 'Ødegård AS', updated: '2026-11-23T15:05:30+01:00' });
  }
  // Rotation: the old and the new secret both verify while both are listed.
  const rotated = sign(body, 'the new secret');
  assert.equal(
    verifyWebhook({
      body,
      headers: { 'x-superoffice-signature': rotated },
      secret: [SECRET, 'the new secret'],
      now: NOW,
    }).primaryKey,
    18,
  );
  refused(
    () => verifyWebhook({ body, headers: { 'x-superoffice-signature': rotated }, secret: [SECRET], now: NOW }),
    'signature-mismatch',
  );
  // SuperOffice's documented test event: its Eventid header is not its body's EventId.
  const testBody = JSON.stringify(
    payload({ Event: 'test', Entity: 'test', PrimaryKey: 0, Changes: [], ContextIdentifier: 'Default' }),
    null,
    2,
  );
  const event = verifyWebhook({
    body: testBody,
    headers: {
      'X-Superoffice-Signature': sign(testBody),
      'X-Hook-Test': 'true',
      'X-Superoffice-Eventid': randomUUID(),
    },
    secret: SECRET,
    now: NOW,
  });
  assert.equal(event.test, true);
});

test('every refusal, with its reason', () => {
  const body = JSON.stringify(payload());
  const good = headersFor(body);
  const signature = good['x-superoffice-signature'];
  const flipped = Buffer.from(signature, 'base64');
  flipped[0] ^= 0x80;
  const cases = [
    ['missing-signature', body, { 'x-superoffice-eventid': payload().EventId }],
    [
      'malformed-signature',
      body,
      { 'x-superoffice-signature': createHmac('sha256', SECRET).update(body).digest('hex') },
    ],
    ['malformed-signature', body, { 'x-superoffice-signature': signature.slice(0, -1) }],
    ['malformed-signature', body, { 'x-superoffice-signature': `sha256=${signature}` }],
    ['malformed-signature', body, { 'X-SuperOffice-Signature': signature, 'x-superoffice-signature': signature }],
    ['signature-mismatch', body, { 'x-superoffice-signature': flipped.toString('base64') }],
    ['signature-mismatch', body, { 'x-superoffice-signature': sign(body, `${SECRET} `) }],
    ['signature-mismatch', `${body} `, good],
    ['event-id-mismatch', body, { ...good, 'x-superoffice-eventid': randomUUID() }],
  ];
  for (const [text, reason] of [
    ['not json', 'malformed-json'],
    ['[1,2]', 'malformed-json'],
    [body.replace('{', '{"Event":"contact.deleted",'), 'malformed-json'],
    [JSON.stringify(payload({ EventId: 1 })), 'malformed-event'],
    [JSON.stringify(payload({ Timestamp: '2026-11-23T14:05:30' })), 'malformed-event'],
    [JSON.stringify(payload({ Timestamp: '23.11.2026 14:05' })), 'malformed-event'],
    [JSON.stringify(payload({ PrimaryKey: '18' })), 'malformed-event'],
    [JSON.stringify(payload({ Changes: 'name' })), 'malformed-event'],
    [JSON.stringify(payload({ WebhookName: undefined })), 'malformed-event'],
  ]) {
    // Signed correctly, so what is refused is the body itself.
    cases.push([reason, text, { 'x-superoffice-signature': sign(text) }]);
  }
  for (const [reason, sent, headers] of cases) {
    refused(() => verifyWebhook({ body: sent, headers, secret: SECRET, now: NOW }), reason);
  }
  refused(
    () => verifyWebhook({ body, headers: good, secret: SECRET, maxAgeSeconds: 300, now: NOW + 300_001 }),
    'too-old',
  );
  refused(
    () => verifyWebhook({ body, headers: good, secret: SECRET, maxAgeSeconds: 300, now: new Date(NOW - 300_001) }),
    'timestamp-in-future',
  );
  assert.equal(
    verifyWebhook({ body, headers: good, secret: SECRET, maxAgeSeconds: 300, now: NOW + 300_000 }).primaryKey,
    18,
  );
  // The signature is checked before anything else is read: a tampered, malformed body is a mismatch.
  refused(() => verifyWebhook({ body: 'not json', headers: good, secret: SECRET, now: NOW }), 'signature-mismatch');
});

test('arguments: a parsed body is refused with a hint, misspelled options and bad secrets too', () => {
  const body = JSON.stringify(payload());
  const invalid = (fn, pattern) =>
    assert.throws(fn, (error) => error.code === 'ERR_INVALID_ARGUMENT' && pattern.test(error.message));
  invalid(
    () => verifyWebhook({ body: JSON.parse(body), headers: headersFor(body), secret: SECRET }),
    /raw request body.*express\.raw/,
  );
  invalid(
    () => verifyWebhook({ body, headers: headersFor(body), secret: SECRET, maxAge: 60 }),
    /unknown option maxAge/,
  );
  invalid(() => verifyWebhook({ body, headers: headersFor(body) }), /secret/);
  invalid(() => verifyWebhook({ body, headers: headersFor(body), secret: [] }), /secret/);
  invalid(() => verifyWebhook({ body, headers: headersFor(body), secret: [SECRET, ''] }), /secret/);
  invalid(
    () => verifyWebhook({ body, headers: headersFor(body), secret: SECRET, maxAgeSeconds: 1.5 }),
    /maxAgeSeconds/,
  );
  invalid(() => verifyWebhook({ body, headers: headersFor(body), secret: SECRET, maxAgeSeconds: 0 }), /maxAgeSeconds/);
  assert.throws(
    () => verifyWebhook({ body: 'x'.repeat(256 * 1024 + 1), headers: headersFor(body), secret: SECRET }),
    (error) => error.code === 'ERR_RESPONSE_TOO_LARGE' && error.limit === 256 * 1024,
  );
});

// ---- tenant status notifications ----

const issuerKey = makeKeyPair(2048);
const JWKS = { keys: [{ ...issuerKey.publicJwk, kid: 'fl', use: 'sig', alg: 'RS256' }] };
const SOD = 'https://sod.superoffice.com';

function notification({ changeType = 2, context = 'Cust12345', claims = {} } = {}) {
  const token = mintJwt(
    { alg: 'RS256', typ: 'JWT', kid: 'fl' },
    {
      iss: SOD,
      iat: String(NOW_S),
      nbf: NOW_S,
      exp: NOW_S + 300,
      [`${IDENTITY}ctx`]: 'Cust12345',
      ...claims,
    },
    issuerKey.privateKey,
  );
  return JSON.stringify({
    ChangeType: changeType,
    ContextIdentifier: context,
    VersionName: 'Release 10.5',
    FileVersion: '10.5.2026.1117',
    Token: token,
  });
}

test('parseTenantStatusNotification: every change type, an unknown one kept, every refusal', () => {
  const names = ['Upgrade', 'BackupRestored', 'Suspend', 'Resume', 'Delete'];
  for (const [code, name] of names.entries()) {
    assert.deepEqual(
      parseTenantStatusNotification(notification({ changeType: code }), { keys: JWKS, environment: 'sod', now: NOW }),
      {
        changeType: name,
        changeTypeCode: code,
        contextIdentifier: 'Cust12345',
        versionName: 'Release 10.5',
        fileVersion: '10.5.2026.1117',
      },
    );
  }
  assert.equal(
    parseTenantStatusNotification(notification({ changeType: 7 }), { keys: JWKS, issuer: SOD, now: NOW }).changeType,
    7,
  );
  const code = (fn, expected, detail = {}) =>
    assert.throws(fn, (error) => {
      assert.equal(error.code, expected, error.message);
      for (const [name, value] of Object.entries(detail)) assert.equal(error[name], value);
      return true;
    });
  const opts = { keys: JWKS, environment: 'sod', now: NOW };
  code(() => parseTenantStatusNotification(notification({ context: 'Cust99999' }), opts), 'ERR_JWT_CLAIM_INVALID', {
    claim: `${IDENTITY}ctx`,
  });
  code(
    () => parseTenantStatusNotification(notification(), { ...opts, environment: 'online' }),
    'ERR_JWT_CLAIM_INVALID',
    { claim: 'iss' },
  );
  code(() => parseTenantStatusNotification(notification(), { ...opts, now: NOW + 3_600_000 }), 'ERR_JWT_EXPIRED');
  code(() => parseTenantStatusNotification(notification(), { ...opts, clientId: 'my-app' }), 'ERR_JWT_CLAIM_INVALID', {
    claim: 'aud',
  });
  assert.equal(
    parseTenantStatusNotification(notification({ claims: { aud: 'my-app' } }), { ...opts, clientId: 'my-app' })
      .changeType,
    'Suspend',
  );
  const other = makeKeyPair(2048);
  code(
    () =>
      parseTenantStatusNotification(notification(), { ...opts, keys: { keys: [{ ...other.publicJwk, kid: 'fl' }] } }),
    'ERR_JWT_SIGNATURE_INVALID',
  );
  code(() => parseTenantStatusNotification('{"ChangeType":"Suspend"}', opts), 'ERR_WEBHOOK_INVALID', {
    reason: 'malformed-event',
  });
  code(() => parseTenantStatusNotification('Suspend', opts), 'ERR_WEBHOOK_INVALID', { reason: 'malformed-json' });
  code(() => parseTenantStatusNotification(JSON.parse(notification()), opts), 'ERR_INVALID_ARGUMENT');
  code(() => parseTenantStatusNotification(notification(), { ...opts, environmnet: 'sod' }), 'ERR_INVALID_ARGUMENT');
});

// ---- the receiver, over real HTTP, with the stand-in sending ----

let mock;
before(async () => {
  mock = await startMockSuperOffice();
});
after(async () => {
  await mock?.close();
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

async function listen(listener) {
  const server = createServer(listener);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.keepAliveTimeout = 100;
  return {
    url: `http://127.0.0.1:${server.address().port}/superoffice`,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

async function receiverChecks(t, url, received, failNext) {
  await t.test("the registration's test event: 200, not handed to onEvent", async () => {
    const result = await mock.sendWebhook({ url, secret: SECRET, test: true });
    assert.equal(result.delivered, true);
    assert.deepEqual(
      result.attempts.map((a) => a.status),
      [200],
    );
    assert.equal(received.events.length, 0);
  });
  await t.test('a verified event reaches onEvent once, with its members', async () => {
    const result = await mock.sendWebhook({
      url,
      secret: SECRET,
      event: 'person.changed',
      primaryKey: 4711,
      contextIdentifier: 'Cust12345',
      changes: ['firstname', 'lastname'],
      fieldValues: { person_id: 4711, firstname: 'Åsa' },
    });
    assert.equal(result.delivered, true);
    assert.equal(received.events.length, 1);
    const [event] = received.events;
    assert.equal(event.eventId, result.attempts[0].eventId);
    assert.equal(event.event, 'person.changed');
    assert.equal(event.entity, 'person');
    assert.deepEqual(event.fieldValues, { person_id: 4711, firstname: 'Åsa' });
  });
  await t.test('onEvent failing: 500, SuperOffice retries the same EventId, the retry is handled', async () => {
    failNext.count = 2;
    const result = await mock.sendWebhook({ url, secret: SECRET, delaysMs: [0] });
    assert.equal(result.delivered, true);
    assert.deepEqual(
      result.attempts.map((a) => a.status),
      [500, 500, 200],
    );
    assert.equal(new Set(result.attempts.map((a) => a.eventId)).size, 1, 'one EventId within a cycle');
    assert.equal(received.events.at(-1).eventId, result.attempts[0].eventId);
  });
  await t.test('a repeated EventId within the window: 200, onEvent not called again', async () => {
    const before = received.events.length;
    const eventId = randomUUID();
    for (let i = 0; i < 3; i += 1)
      assert.equal((await mock.sendWebhook({ url, secret: SECRET, eventId })).delivered, true);
    assert.equal(received.events.length, before + 1);
  });
  await t.test('a wrong secret: 401 on every one of seven attempts, the webhook stopped', async () => {
    const before = received.events.length;
    const result = await mock.sendWebhook({ url, secret: 'not the secret', delaysMs: [0] });
    assert.equal(result.delivered, false);
    assert.equal(result.state, 'TooManyErrors');
    assert.deepEqual(
      result.attempts.map((a) => a.status),
      [401, 401, 401, 401, 401, 401, 401],
    );
    assert.equal(new Set(result.attempts.map((a) => a.eventId)).size, 3, 'a new EventId each cycle of three');
    assert.equal(received.events.length, before);
    assert.equal(received.errors.at(-1).reason, 'signature-mismatch');
  });
  await t.test('unsigned, not JSON, too large, not POST', async () => {
    assert.deepEqual(
      (await mock.sendWebhook({ url, attempts: 1 })).attempts.map((a) => a.status),
      [401],
    );
    assert.deepEqual(
      (await mock.sendWebhook({ url, secret: SECRET, body: '{"EventId":', attempts: 1 })).attempts.map((a) => a.status),
      [400],
    );
    const big = await fetch(url, {
      method: 'POST',
      headers: { 'x-superoffice-signature': 'x' },
      body: 'x'.repeat(300 * 1024),
    });
    assert.equal(big.status, 413);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });
  await t.test('tenant status notifications signed by the stand-in reach onTenantStatus', async () => {
    for (const changeType of ['Suspend', 'Resume', 'Delete', 9]) {
      const sent = await mock.notifyTenantStatus({ url, contextIdentifier: 'Cust12345', changeType });
      assert.equal(sent.status, 200, sent.body);
    }
    assert.deepEqual(
      received.notifications.map((n) => n.changeType),
      ['Suspend', 'Resume', 'Delete', 9],
    );
    // A Token naming another tenant than the body, or expired: 401, nothing handed over.
    const forged = await mock.notifyTenantStatus({
      url,
      contextIdentifier: 'Cust12345',
      changeType: 'Delete',
      claims: { [`${IDENTITY}ctx`]: 'Cust1' },
    });
    assert.equal(forged.status, 401);
    const expired = await mock.notifyTenantStatus({
      url,
      contextIdentifier: 'Cust12345',
      changeType: 'Delete',
      claims: { exp: 1_000_000_000 },
    });
    assert.equal(expired.status, 401);
    assert.equal(received.notifications.length, 4);
  });
}

function receiverOptions(received, failNext) {
  return {
    secret: SECRET,
    keys: mock.signingPublicKeyPem(),
    issuer: mock.issuer,
    async onEvent(event) {
      if (failNext.count > 0) {
        failNext.count -= 1;
        throw new Error('the database is down');
      }
      received.events.push(event);
    },
    onTenantStatus(notification) {
      received.notifications.push(notification);
    },
    onError(error) {
      received.errors.push(error);
    },
  };
}

test('createWebhookHandler as a node:http request listener', async (t) => {
  const received = { events: [], notifications: [], errors: [] };
  const failNext = { count: 0 };
  const server = await listen(createWebhookHandler(receiverOptions(received, failNext)));
  try {
    await receiverChecks(t, server.url, received, failNext);
  } finally {
    await server.close();
  }
});

test('createWebhookHandler as Express middleware (express.raw) and refusing a parsed body', async (t) => {
  const express = createRequire(
    process.env.SUPEROFFICE_AUTH_REPO ? `${process.env.SUPEROFFICE_AUTH_REPO}/` : import.meta.url,
  )('express');
  const received = { events: [], notifications: [], errors: [] };
  const failNext = { count: 0 };
  const app = express();
  app.all(
    '/superoffice',
    express.raw({ type: 'application/json' }),
    createWebhookHandler(receiverOptions(received, failNext)),
  );
  const parsed = { events: [], notifications: [], errors: [] };
  app.post('/parsed', express.json(), createWebhookHandler(receiverOptions(parsed, { count: 0 })));
  const server = await listen(app);
  try {
    await receiverChecks(t, server.url, received, failNext);
    await t.test('behind express.json(): 500 and an error that says to pass the raw body', async () => {
      const result = await mock.sendWebhook({
        url: server.url.replace('/superoffice', '/parsed'),
        secret: SECRET,
        attempts: 1,
      });
      assert.deepEqual(
        result.attempts.map((a) => a.status),
        [500],
      );
      assert.match(parsed.errors[0].message, /raw request body/);
      assert.equal(parsed.events.length, 0);
    });
  } finally {
    await server.close();
  }
});

test('handleWebhookRequest with Fetch API Requests: one duplicate window per options object', async () => {
  const events = [];
  const options = { secret: SECRET, onEvent: (event) => events.push(event) };
  const body = JSON.stringify(payload());
  const request = () =>
    new Request('https://partner.example/superoffice', { method: 'POST', headers: headersFor(body), body });
  assert.equal((await handleWebhookRequest(request(), options)).status, 200);
  assert.equal((await handleWebhookRequest(request(), options)).status, 200);
  assert.equal(events.length, 1, 'the repeat was dropped');
  const tampered = new Request('https://partner.example/superoffice', {
    method: 'POST',
    headers: headersFor(body),
    body: body.replace('18', '19'),
  });
  const answer = await handleWebhookRequest(tampered, options);
  assert.equal(answer.status, 401);
  assert.equal(await answer.text(), 'verification failed');
});

test('a fleet on Redis: two receivers, each with its own connection, hand each event over once', async () => {
  const redis = await startRedis();
  const closers = [];
  try {
    for (const kind of CLIENT_KINDS) {
      const handled = [];
      const errors = [];
      const receivers = [];
      for (const name of ['one', 'two']) {
        const connection = await connectRedis(kind, redis.url);
        closers.push(connection.close);
        const eventStore = createRedisWebhookEventStore({ client: connection.client, keyPrefix: `${kind}:` });
        receivers.push(
          await listen(
            createWebhookHandler({
              secret: SECRET,
              eventStore,
              onEvent: async (event) => {
                // Slow enough that both receivers are inside the handler at once when racing.
                await new Promise((resolve) => setTimeout(resolve, 20));
                if (
                  event.webhookName === 'fails once' &&
                  !handled.some((h) => h.event.eventId === event.eventId && h.failed)
                ) {
                  handled.push({ name, event, failed: true });
                  throw new Error('down');
                }
                handled.push({ name, event });
              },
              onError: (error) => errors.push(error),
            }),
          ),
        );
      }
      closers.push(...receivers.map((r) => r.close));
      // The same delivery reaching both receivers at once (a load balancer retrying, say): handled once.
      const eventId = randomUUID();
      const results = await Promise.all(
        receivers.map((r) => mock.sendWebhook({ url: r.url, secret: SECRET, eventId, attempts: 1 })),
      );
      assert.deepEqual(
        results.map((r) => r.attempts[0].status),
        [200, 200],
        kind,
      );
      assert.equal(handled.filter((h) => h.event.eventId === eventId).length, 1, `${kind}: handled once`);
      // A failure releases the claim in Redis: the retry, at the other receiver, is handled.
      const retried = randomUUID();
      const first = await mock.sendWebhook({
        url: receivers[0].url,
        secret: SECRET,
        eventId: retried,
        webhookName: 'fails once',
        attempts: 1,
      });
      assert.deepEqual(
        first.attempts.map((a) => a.status),
        [500],
      );
      const second = await mock.sendWebhook({
        url: receivers[1].url,
        secret: SECRET,
        eventId: retried,
        webhookName: 'fails once',
        attempts: 1,
      });
      assert.deepEqual(
        second.attempts.map((a) => a.status),
        [200],
      );
      assert.equal(
        handled.filter((h) => h.event.eventId === retried && !h.failed).length,
        1,
        `${kind}: the retry handled`,
      );
      assert.deepEqual(
        errors.map((e) => e.message),
        ['down'],
      );
    }
    // Redis gone: the receivers degrade to handling every event (at least once), and say why.
    const connection = await connectRedis('ioredis', redis.url);
    closers.push(connection.close);
    const errors = [];
    const events = [];
    const handler = createWebhookHandler({
      secret: SECRET,
      eventStore: createRedisWebhookEventStore({ client: connection.client, commandTimeoutMs: 200 }),
      onEvent: (event) => events.push(event),
      onError: (error, context) => errors.push({ error, context }),
    });
    await redis.stop();
    const body = JSON.stringify(payload({ EventId: randomUUID() }));
    const answer = await handler(
      new Request('https://partner.example/', { method: 'POST', headers: headersFor(body), body }),
    );
    assert.equal(answer.status, 200);
    assert.equal(events.length, 1);
    assert.equal(errors[0].context.stage, 'eventStore');
    assert.equal(errors[0].error.name, 'RedisWebhookEventStoreError');
  } finally {
    for (const close of closers.reverse()) await close();
    await redis.close();
  }
});

test('the memory event store is bounded and forgets after its window', () => {
  let t = 0;
  const store = createMemoryWebhookEventStore({ maxEntries: 3, now: () => t });
  assert.equal(store.claim('a', 1000), true);
  assert.equal(store.claim('a', 1000), false);
  for (const id of ['b', 'c', 'd']) assert.equal(store.claim(id, 1000), true);
  assert.equal(store.size, 3);
  assert.equal(store.claim('a', 1000), true, 'the oldest claim made room');
  t = 1001;
  assert.equal(store.claim('b', 1000), true, 'forgotten after the window');
  store.release('b');
  assert.equal(store.claim('b', 1000), true, 'released');
  assert.throws(() => createMemoryWebhookEventStore({ maxEntries: 0 }), /maxEntries/);
  assert.throws(() => createMemoryWebhookEventStore({ max: 3 }), /unknown option/);
});

test('createWebhookHandler refuses incomplete or misspelled options', () => {
  const invalid = (options, pattern) =>
    assert.throws(
      () => createWebhookHandler(options),
      (error) => error.code === 'ERR_INVALID_ARGUMENT' && pattern.test(error.message),
    );
  invalid({ onEvent() {} }, /give secret/);
  invalid({ secret: SECRET }, /onEvent/);
  invalid({ secret: SECRET, onEvent() {}, onEvnt() {} }, /unknown option onEvnt/);
  invalid({ onTenantStatus() {} }, /keys/);
  invalid({ onTenantStatus() {}, keys: JWKS }, /environment or issuer/);
  invalid({ secret: SECRET, onEvent() {}, maxAgeSeconds: 7200, duplicateWindowSeconds: 600 }, /at least maxAgeSeconds/);
  invalid({ secret: SECRET, onEvent() {}, eventStore: {} }, /claim/);
});
