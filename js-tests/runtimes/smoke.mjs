// The one smoke suite every runtime runs (Node, Deno, Bun, workerd) against the installed package. It
// uses only web-standard APIs (no node:assert, no node:*), takes the package's exports as `lib` and the
// test material as `fx` (made with node:crypto and the stand-in by fixtures.mjs on the Node side), and
// returns one result per check: the Node side compares the names with EXPECTED_CHECKS, so a check that
// did not run fails as surely as one that did not pass.

/** Every check, in order. `inspect` runs only where the runtime has an inspector (not workerd). */
export const CHECKS = [
  'the wasm core loads and lists its error codes',
  'a key parses as PEM PKCS#1, PEM PKCS#8 and .NET XML',
  'signToken matches node:crypto for all three key formats',
  'buildTicketRequest builds the same SOAP and REST requests as Node',
  'parseTicketResponse reads stand-in SOAP and REST responses with their JWKS',
  'validateToken accepts a node:crypto RS256 token and returns its claims',
  'parseSuperIdToken, buildRefreshTokenRequest and createMemoryCache agree with Node',
  'every error code without network, secrets kept out of errors',
  'createSystemUserClient().getTicket() over loopback, SOAP and REST, cached; onboardTenant',
  'createRefreshTokenClient().getAccessToken() over loopback',
  'secrets stay out of toString and JSON',
  'handleWebhookRequest: a signed delivery, its repeat, a tampered one and a tenant status notification (Fetch API)',
];
export const INSPECT_CHECK = 'inspect output is redacted';

/**
 * Codes no check here can reach yet. A code listed here that a case reaches fails the check below, so
 * the entry goes when its case comes.
 */
export const UNREACHABLE_CODES = [];

class CheckFailed extends Error {}

function ok(condition, what) {
  if (!condition) throw new CheckFailed(what);
}

function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new CheckFailed(`${what}: expected ${e}, got ${a}`);
}

function noSecrets(text, secrets, where) {
  for (const secret of secrets) ok(!String(text).includes(secret), `${where} leaks a secret`);
}

/** Runs `fn` (sync or async) and checks it fails with SuperOfficeAuthError `code`, leaking nothing. */
async function expectCode(lib, fx, code, fn) {
  let error;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  ok(error !== undefined, `${code}: nothing was thrown`);
  ok(error instanceof lib.SuperOfficeAuthError, `${code}: got ${error?.stack}`);
  equal(error.code, code, `code (message: ${error.message})`);
  equal(error.name, 'SuperOfficeAuthError', `${code}: name`);
  for (const [where, text] of [
    ['message', error.message],
    ['toString', String(error)],
    ['JSON', JSON.stringify(error)],
    ['stack', error.stack],
  ]) {
    noSecrets(text, fx.secrets, `${code} ${where}`);
  }
  return error;
}

// Cases whose input needs no network: [code, (lib, fx) => call]. fx carries the hostile material.
/** A NetServer agent's answer carrying ExceptionInfo in its SOAP header, as WCF writes it. */
const AGENT_EXCEPTION =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header>' +
  '<ExceptionInfo xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88"><Message>Row not found</Message>' +
  '<FriendlyText>Not found</FriendlyText><ExceptionType>SoDatabaseException</ExceptionType></ExceptionInfo>' +
  '<Succeeded xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88">false</Succeeded></s:Header>' +
  '<s:Body><GetAssociateResponse xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88"/></s:Body></s:Envelope>';

const ERROR_CASES = [
  ['ERR_INVALID_ARGUMENT', (lib, fx) => lib.signToken(42, fx.keys.pkcs8, { now: fx.now })],
  ['ERR_KEY_INVALID', (lib) => lib.PrivateKey.parse('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')],
  ['ERR_KEY_UNSUPPORTED', (lib, fx) => lib.PrivateKey.parse(fx.hostile.publicKeyPem)],
  ['ERR_KEY_ENCRYPTED', (lib, fx) => lib.PrivateKey.parse(fx.hostile.encryptedKey)],
  ['ERR_KEY_TOO_SMALL', (lib, fx) => lib.PrivateKey.parse(fx.hostile.smallKey)],
  ['ERR_KEYSET_INVALID', (lib) => lib.KeySet.from('{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}')],
  [
    'ERR_RESPONSE_MALFORMED',
    (lib, fx) =>
      lib.parseTicketResponse(
        { status: 200, headers: { 'content-type': 'text/xml' }, body: '<not-xml' },
        { keys: fx.jwks, now: fx.now },
      ),
  ],
  [
    'ERR_RESPONSE_TOO_LARGE',
    (lib, fx) =>
      lib.parseTicketResponse(
        { status: 200, headers: {}, body: 'x'.repeat(4 * 1024 * 1024) },
        { keys: fx.jwks, now: fx.now },
      ),
  ],
  [
    'ERR_XML_FORBIDDEN',
    (lib, fx) =>
      lib.parseTicketResponse(
        { status: 200, headers: { 'content-type': 'text/xml' }, body: '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>' },
        { keys: fx.jwks, now: fx.now },
      ),
  ],
  ['ERR_SOAP_FAULT', (lib, fx) => lib.parseTicketResponse(fx.hostile.soapFault, { keys: fx.jwks, now: fx.now })],
  [
    'ERR_HTTP_STATUS',
    (lib, fx) =>
      lib.parseTicketResponse(
        { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>bad gateway</html>' },
        { keys: fx.jwks, now: fx.now },
      ),
  ],
  ['ERR_TICKET_DENIED', (lib, fx) => lib.parseTicketResponse(fx.hostile.denied, { keys: fx.jwks, now: fx.now })],
  ['ERR_JWT_MALFORMED', (lib, fx) => lib.validateToken('a.b', { keys: fx.token.keys, now: fx.now })],
  [
    'ERR_JWT_ALG_NOT_ALLOWED',
    (lib, fx) => lib.validateToken(fx.hostile.hs256Token, { keys: fx.token.keys, now: fx.now }),
  ],
  ['ERR_JWT_KEY_NOT_FOUND', (lib, fx) => lib.validateToken(fx.hostile.unknownKidToken, { keys: fx.jwks, now: fx.now })],
  [
    'ERR_JWT_SIGNATURE_INVALID',
    (lib, fx) => lib.validateToken(fx.hostile.badSignatureToken, { keys: fx.token.keys, now: fx.now }),
  ],
  ['ERR_JWT_EXPIRED', (lib, fx) => lib.validateToken(fx.token.jwt, { keys: fx.token.keys, now: fx.now + 86_400_000 })],
  [
    'ERR_JWT_NOT_YET_VALID',
    (lib, fx) => lib.validateToken(fx.token.jwt, { keys: fx.token.keys, now: fx.now - 86_400_000 }),
  ],
  [
    'ERR_JWT_CLAIM_INVALID',
    (lib, fx) => lib.validateToken(fx.token.jwt, { keys: fx.token.keys, now: fx.now, issuer: 'someone else' }),
  ],
  [
    'ERR_TICKET_MISSING',
    (lib, fx) => lib.parseTicketResponse(fx.hostile.noTicket, { keys: fx.token.keys, now: fx.now }),
  ],
  [
    'ERR_FETCH_FAILED',
    (lib, fx) =>
      clientWith(lib, fx, () => {
        throw new TypeError('no network');
      }).getTicket(fx.tenant),
  ],
  [
    'ERR_FETCH_FAILED',
    (lib, fx) =>
      clientWith(
        lib,
        fx,
        async () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.invalid/' } }),
      ).getTicket(fx.tenant),
  ],
  ['ERR_TIMEOUT', (lib, fx) => clientWith(lib, fx, neverAnswers, { timeoutMs: 50 }).getTicket(fx.tenant)],
  [
    'ERR_RANDOM_UNAVAILABLE',
    (lib, fx) =>
      withoutRandomness(() => lib.signToken(fx.systemUserToken, lib.PrivateKey.parse(fx.keys.pkcs8), { now: fx.now })),
  ],
  [
    'ERR_NETSERVER_EXCEPTION',
    (lib) =>
      lib.parseAgentResponse(
        { status: 200, headers: { 'content-type': 'text/xml' }, body: AGENT_EXCEPTION },
        { protocol: 'soap', method: 'GetAssociate' },
      ),
  ],
  [
    'ERR_TICKET_REJECTED',
    (lib) => lib.parseAgentResponse({ status: 401, headers: {}, body: '' }, { method: 'GetAssociate' }),
  ],
  ['ERR_STATE_MISMATCH', (lib) => lib.parseAuthorizationResponse('code=c&state=theirs', { state: 'ours' })],
  [
    'ERR_TENANT_UNAVAILABLE',
    async (lib, fx) => {
      // A suspension notification marks the tenant down: the next call fails fast, without the network.
      const client = clientWith(lib, fx, neverAnswers);
      const { contextIdentifier } = fx.tenant;
      await client.applyTenantStatus({ contextIdentifier, changeType: 'Suspend', changeTypeCode: 2 });
      return client.getTicket(fx.tenant);
    },
  ],
  [
    'ERR_OAUTH_ERROR',
    (lib, fx) =>
      lib.parseTokenResponse(
        {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: '{"error":"invalid_grant","error_description":"revoked"}',
        },
        { now: fx.now },
      ),
  ],
  [
    'ERR_WEBHOOK_INVALID',
    (lib, fx) => lib.verifyWebhook({ body: fx.webhook.body, headers: {}, secret: fx.webhook.secret }),
  ],
];

function clientWith(lib, fx, fetch, extra = {}) {
  return lib.createSystemUserClient({
    baseUrl: fx.baseUrl,
    applicationToken: fx.applicationToken,
    privateKey: fx.keys.pkcs8,
    keys: fx.jwks,
    fetch,
    ...extra,
  });
}

function neverAnswers(_url, init) {
  return new Promise((_resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(init.signal.reason));
  });
}

// The core draws RSA blinding from crypto.getRandomValues; without it, signing must fail cleanly.
async function withoutRandomness(fn) {
  const { crypto } = globalThis;
  const original = crypto.getRandomValues;
  Object.defineProperty(crypto, 'getRandomValues', {
    configurable: true,
    writable: true,
    value: () => {
      throw new Error('no entropy here');
    },
  });
  try {
    ok(crypto.getRandomValues !== original, 'crypto.getRandomValues could not be replaced');
    return await fn();
  } finally {
    delete crypto.getRandomValues; // the prototype's method shows through again
    if (crypto.getRandomValues !== original) crypto.getRandomValues = original;
  }
}

async function checkClient(lib, fx, transport) {
  let requests = 0;
  const events = [];
  const client = lib.createSystemUserClient({
    baseUrl: fx.baseUrl,
    applicationToken: fx.applicationToken,
    privateKey: fx.keys.xml,
    transport,
    fetch: (url, init) => {
      requests += 1;
      return fetch(url, init);
    },
    // issue 20: the clients' events reach onEvent in every runtime
    onEvent: (event) => events.push(event),
  });
  const result = await client.getTicket(fx.tenant);
  ok(/^7T:/.test(result.ticket), `${transport}: a 7T: ticket`);
  equal(result.contextIdentifier, fx.tenant.contextIdentifier, `${transport}: contextIdentifier`);
  ok(result.expiresAt instanceof Date && result.obtainedAt instanceof Date, `${transport}: Dates`);
  equal(requests, 2, `${transport}: the JWKS and one exchange`);
  const again = await client.getTicket(fx.tenant.contextIdentifier);
  equal(again.ticket, result.ticket, `${transport}: cached ticket`);
  equal(requests, 2, `${transport}: no request for a cached ticket`);
  const headers = await client.authHeaders(fx.tenant.contextIdentifier);
  equal(headers, lib.authHeaders(result.ticket, fx.applicationToken), `${transport}: authHeaders`);
  const api = await fetch(new URL('v1/User/currentPrincipal', result.webapiUrl), { headers });
  equal(api.status, 200, `${transport}: the tenant API accepts the ticket`);
  equal((await api.json()).ContextIdentifier, fx.tenant.contextIdentifier, `${transport}: current principal`);
  noSecrets(JSON.stringify(client), fx.secrets, `${transport}: JSON.stringify(client)`);
  noSecrets(String(client), fx.secrets, `${transport}: String(client)`);
  equal(
    events.map((e) => e.name),
    ['jwks:fetch', 'exchange:start', 'exchange:end', 'cache:hit', 'cache:hit'],
    `${transport}: the events, in order`,
  );
  ok(
    events.every((e) => e.source === 'system-user') && events[2].outcome === 'ok' && events[2].durationMs >= 0,
    `${transport}: events name their client, and the exchange its outcome and duration`,
  );
  noSecrets(JSON.stringify(events), [...fx.secrets, result.ticket], `${transport}: events`);
  return result;
}

/**
 * Runs every check. `inspect`: the runtime's inspector (util.inspect, Deno.inspect, Bun.inspect), or
 * undefined where there is none.
 */
export async function runSmoke(lib, fx, { inspect } = {}) {
  const results = [];
  const context = {};
  const check = async (name, fn) => {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: String(error?.stack || error) });
    }
  };

  await check(CHECKS[0], () => {
    equal(lib.ERROR_CODES, fx.errorCodes, 'ERROR_CODES');
  });

  await check(CHECKS[1], () => {
    const pems = ['pkcs1', 'pkcs8', 'xml'].map((format) => {
      const key = lib.PrivateKey.parse(fx.keys[format]);
      equal(key.bits, 2048, `${format}: bits`);
      return key.toPem('pkcs1');
    });
    equal(new Set(pems).size, 1, 'the three forms are one key');
    equal(
      lib.PrivateKey.parse(lib.PrivateKey.parse(fx.keys.pkcs8).toXml()).toPem('pkcs1'),
      pems[0],
      'toXml round trip',
    );
  });

  await check(CHECKS[2], () => {
    for (const format of ['pkcs1', 'pkcs8', 'xml']) {
      equal(lib.signToken(fx.systemUserToken, fx.keys[format], { now: fx.now }), fx.signedToken, `${format} text`);
      equal(
        lib.signToken(fx.systemUserToken, lib.PrivateKey.parse(fx.keys[format]), { now: new Date(fx.now) }),
        fx.signedToken,
        `${format} parsed`,
      );
    }
  });

  await check(CHECKS[3], () => {
    for (const transport of ['soap', 'rest']) {
      const request = lib.buildTicketRequest({
        baseUrl: fx.baseUrl,
        transport,
        applicationToken: fx.applicationToken,
        contextIdentifier: fx.tenant.contextIdentifier,
        signedSystemToken: fx.signedToken,
      });
      equal(request, fx.requests[transport], transport);
      ok(request.body.includes(fx.signedToken), `${transport}: the body carries the signed token`);
    }
  });

  await check(CHECKS[4], () => {
    equal(lib.KeySet.from(fx.jwks).size, fx.jwksSize, 'JWKS size');
    for (const transport of ['soap', 'rest']) {
      const result = lib.parseTicketResponse(fx.responses[transport], {
        keys: fx.jwks,
        now: fx.responsesAt,
        contextIdentifier: fx.tenant.contextIdentifier,
      });
      const expected = fx.parsed[transport];
      equal(result.ticket, expected.ticket, `${transport}: ticket`);
      equal(result.expiresAt.getTime(), expected.expiresAt, `${transport}: expiresAt`);
      equal(result.webapiUrl, expected.webapiUrl, `${transport}: webapiUrl`);
      equal(result.claims, expected.claims, `${transport}: claims`);
      context.parsed = result;
    }
  });

  await check(CHECKS[5], () => {
    const claims = lib.validateToken(fx.token.jwt, {
      keys: fx.token.keys,
      now: fx.now,
      issuer: fx.token.claims.iss,
      audience: fx.token.claims.aud,
    });
    equal(claims, fx.token.claims, 'claims');
    equal(
      lib.validateToken(fx.token.jwt, { keys: [fx.token.keys], now: new Date(fx.now), audience: fx.token.claims.aud }),
      fx.token.claims,
      'claims, keys as a PEM array',
    );
  });

  await check(CHECKS[6], async () => {
    const { superId } = fx;
    const result = lib.parseSuperIdToken(superId.idToken, {
      keys: fx.jwks,
      issuer: superId.issuer,
      clientId: superId.clientId,
      nonce: superId.nonce,
      now: fx.now,
    });
    equal(result, superId.expected, 'SuperIdToken result');
    equal(result.systemUserToken, fx.systemUserToken, 'the system user token it carries');
    equal(lib.buildRefreshTokenRequest(fx.refreshRequest.params), fx.refreshRequest.expected, 'refresh request');
    const cache = lib.createMemoryCache();
    await cache.set('k', { v: 1 }, 60_000);
    equal(await cache.get('k'), { v: 1 }, 'memory cache get');
    await cache.delete('k');
    equal(await cache.get('k'), undefined, 'memory cache delete');
  });

  await check(CHECKS[7], async () => {
    const seen = new Set();
    for (const [code, call] of ERROR_CASES) {
      await expectCode(lib, fx, code, () => call(lib, fx));
      seen.add(code);
    }
    const missing = lib.ERROR_CODES.filter((code) => !seen.has(code) && !UNREACHABLE_CODES.includes(code));
    equal(missing, [], 'codes without a case in ERROR_CASES');
    const stale = UNREACHABLE_CODES.filter((code) => seen.has(code) || !lib.ERROR_CODES.includes(code));
    equal(stale, [], 'UNREACHABLE_CODES listing a code a case reaches, or no code at all');
  });

  await check(CHECKS[8], async () => {
    context.ticket = await checkClient(lib, fx, 'soap');
    await checkClient(lib, fx, 'rest');
    const onboarding = lib.createSystemUserClient({
      baseUrl: fx.baseUrl,
      applicationToken: fx.applicationToken,
      privateKey: fx.keys.pkcs1,
      clientId: fx.superId.clientId,
      issuer: fx.superId.issuer,
    });
    const onboarded = await onboarding.onboardTenant(fx.superId.onboardToken, { nonce: fx.superId.nonce });
    equal(onboarded.contextIdentifier, fx.tenant.contextIdentifier, 'onboarded tenant');
    ok(
      /^7T:/.test((await onboarding.getTicket(fx.tenant.contextIdentifier)).ticket),
      'a ticket by context identifier alone',
    );
  });

  await check(CHECKS[9], async () => {
    const client = lib.createRefreshTokenClient({ ...fx.oauth.options, baseUrl: fx.baseUrl, issuer: fx.oauth.issuer });
    const accessToken = await client.getAccessToken();
    ok(/^8A:/.test(accessToken), 'an 8A: access token');
    const headers = await client.authHeaders();
    const api = await fetch(`${fx.baseUrl}/${fx.oauth.contextIdentifier}/api/v1/User/currentPrincipal`, { headers });
    equal(api.status, 200, 'the tenant API accepts the access token');
    noSecrets(JSON.stringify(client), fx.secrets, 'JSON.stringify(refresh client)');
  });

  await check(CHECKS[10], () => {
    const key = lib.PrivateKey.parse(fx.keys.pkcs8);
    equal(JSON.parse(JSON.stringify(key)), { type: 'PrivateKey', bits: 2048 }, 'JSON.stringify(key)');
    noSecrets(String(key), fx.secrets, 'String(key)');
    noSecrets(`${key}`, fx.secrets, 'template literal');
    const clients = [
      clientWith(lib, fx, fetch),
      lib.createRefreshTokenClient({ ...fx.oauth.options, baseUrl: fx.baseUrl, issuer: fx.oauth.issuer }),
      lib.createMemoryCache(),
    ];
    for (const object of clients) {
      noSecrets(String(object), fx.secrets, 'String(client)');
      noSecrets(JSON.stringify(object), fx.secrets, 'JSON.stringify(client)');
      noSecrets(JSON.stringify(Object.entries(object)), fx.secrets, "the client's own properties");
    }
  });

  await check(CHECKS[11], async () => {
    const events = [];
    const notifications = [];
    const options = {
      secret: fx.webhook.secret,
      onEvent: (event) => events.push(event),
      onTenantStatus: (notification) => notifications.push(notification),
      keys: fx.jwks,
      issuer: fx.webhook.issuer,
    };
    const post = (headers, body) =>
      new Request('https://partner.example/superoffice', { method: 'POST', headers, body });
    const signed = {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Superoffice-Event': 'contact.changed',
      'X-Superoffice-Eventid': fx.webhook.eventId,
      'X-Superoffice-Signature': fx.webhook.signature,
    };
    const first = await lib.handleWebhookRequest(post(signed, fx.webhook.body), options);
    equal(first.status, 200, 'a signed delivery');
    equal(events.length, 1, 'handed to onEvent');
    equal(events[0].eventId, fx.webhook.eventId, 'its EventId');
    equal(events[0].webhookName, 'Ødegård — smoke', 'non-ASCII read from the raw bytes');
    ok(events[0].timestamp instanceof Date && events[0].timestamp.getTime() === fx.now, 'Timestamp as a Date');
    const again = await lib.handleWebhookRequest(post(signed, fx.webhook.body), options);
    equal(again.status, 200, 'the repeat');
    equal(events.length, 1, 'the repeat is not handed over again');
    const tampered = await lib.handleWebhookRequest(post(signed, fx.webhook.body.replace('18', '19')), options);
    equal(tampered.status, 401, 'a tampered body');
    noSecrets(await tampered.text(), fx.secrets, 'the refusal');
    const note = await lib.handleWebhookRequest(
      post({ 'Content-Type': 'application/json' }, fx.webhook.notification),
      options,
    );
    equal(note.status, 200, 'a tenant status notification');
    equal(notifications[0]?.changeType, 'Suspend', 'its change type');
    equal(notifications[0]?.contextIdentifier, 'Cust1', 'its tenant');
  });

  if (inspect) {
    await check(INSPECT_CHECK, () => {
      const { ticket } = context.ticket ?? {};
      ok(typeof ticket === 'string', 'a ticket from the client check');
      const shown = inspect(context.ticket);
      ok(!shown.includes(ticket), 'the ticket result prints without its ticket');
      ok(shown.includes('[redacted]'), 'and says so');
      noSecrets(inspect(lib.PrivateKey.parse(fx.keys.pkcs8)), fx.secrets, 'inspect(key)');
      noSecrets(inspect(clientWith(lib, fx, fetch)), fx.secrets, 'inspect(client)');
    });
  }
  return results;
}
