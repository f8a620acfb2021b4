// The findings of issue 19 (an outside security review), each shown fixed through the public API
// against real components: the stand-in over HTTP, a real redis-server, and a second HTTP server on
// loopback playing the attacker's host, which must never see a request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import {
  createRefreshTokenClient,
  createSystemUserClient,
  parseAgentResponse,
  parseTicketResponse,
  parseTokenResponse,
  validateToken,
  SuperOfficeAuthError,
} from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';
import { standIn, watchUnhandledRejections } from './helpers/stand-in.mjs';
import { startRedis, connectRedis, dumpRedis } from './helpers/redis-server.mjs';
import { IDENTITY, makeKeyPair, mintJwt, systemUserClaims } from './helpers/independent.mjs';

const unhandled = watchUnhandledRejections();
const HOUR = 60 * 60 * 1000;
const issuerKeys = makeKeyPair(2048);
const JWKS = JSON.stringify({ keys: [{ ...issuerKeys.publicJwk, kid: 'k1', alg: 'RS256' }] });
let redisServer;
let evil;
const closers = [];

/**
 * The attacker's host: records every request it gets, answers 200. On 127.0.0.2, another loopback
 * host name than the stand-in's 127.0.0.1 (the baseUrl's host name is trusted on any port).
 */
async function startEvil() {
  const requests = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.2', resolve));
  return {
    url: `http://127.0.0.2:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

before(async () => {
  redisServer = await startRedis();
  evil = await startEvil();
});
after(async () => {
  for (const close of closers.reverse()) await close();
  await evil?.close();
  await redisServer?.close();
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

async function redisClient() {
  const connection = await connectRedis('node-redis v4', redisServer.url);
  closers.push(connection.close);
  return connection.client;
}

function assertNothingReachedEvil(what) {
  assert.deepEqual(
    evil.requests.map((r) => `${r.method} ${r.url}`),
    [],
    `${what}: the attacker's host got a request`,
  );
}

// What an attacker with write access to a plain Redis can compute: the value's fingerprint is an HMAC
// under a constant everyone knows (it only lets a Lua script match "this ticket" on delete).
function plainValue(name, record) {
  const fingerprint = createHmac('sha256', 'superoffice-auth redis fingerprint v1')
    .update(`${name}\n${record.ticket}`)
    .digest('base64url')
    .slice(0, 22);
  return `p1.${fingerprint}.${JSON.stringify(record)}`;
}

function jsonOfPlain(value) {
  return JSON.parse(value.slice(value.indexOf('.', 3) + 1));
}

// The client's record tag, computed independently (node:crypto): HMAC-SHA-256 under
// HKDF-SHA-256(application token, salt = login host, info = label), over label, store key and the
// record's JSON with sorted members. Only someone holding the application token can do this.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
function tagWithApplicationToken(applicationToken, loginBase, storeKey, record) {
  const label = 'superoffice-auth ticket record v2';
  const key = Buffer.from(hkdfSync('sha256', applicationToken, loginBase, label, 32));
  const { mac, ...fields } = record;
  void mac;
  return {
    ...fields,
    mac: createHmac('sha256', key)
      .update(`${label}\n${storeKey}\n${canonical(fields)}`)
      .digest('base64url'),
  };
}

test('finding 1: a record read back from plain Redis decides nothing: forged, altered or pointing elsewhere, it is a miss reported to onBackgroundError', async () => {
  const s = await standIn({ tenants: 2 });
  try {
    const redis = await redisClient();
    const keyPrefix = `review-${randomBytes(4).toString('hex')}:`;
    const cache = createRedisTicketCache({ client: redis, keyPrefix }); // no encryptionKey: plain values
    const background = [];
    const options = s.options({
      cache,
      systemUserTokens: s.tenants,
      onBackgroundError: (err, info) => background.push({ err, info }),
    });
    const first = await createSystemUserClient(options).getTicket('Cust1');
    const fullKey = [...(await dumpRedis(redisServer.url)).keys()].find(
      (k) => k.startsWith(keyPrefix) && k.endsWith(':Cust1'),
    );
    const genuine = jsonOfPlain((await dumpRedis(redisServer.url)).get(fullKey));
    const storeKey = fullKey.slice(keyPrefix.length);
    const pointingAtEvil = {
      ...genuine,
      webapiUrl: `${evil.url}/Cust1/api/`,
      netserverUrl: `${evil.url}/Cust1/Remote/Services88/`,
    };
    const loginBase = new URL(s.mock.baseUrl).href.replace(/\/$/, '');
    const rows = [
      // The review's reproduction: webapiUrl and netserverUrl rewritten, the public fingerprint recomputed.
      ['the URLs rewritten, tag kept', pointingAtEvil, /authentication tag/],
      [
        'the URLs rewritten, tag removed',
        (({ mac, ...rest }) => {
          void mac;
          return rest;
        })(pointingAtEvil),
        null,
      ],
      ["a ticket of the attacker's choosing", { ...genuine, ticket: '7T:attacker-chosen' }, /authentication tag/],
      ['a claim altered', { ...genuine, isAdministrator: !genuine.isAdministrator }, /authentication tag/],
      // Even with a valid tag (made with the application token, which no store holds), a URL outside
      // SuperOffice's hosts (here: another loopback host name than the baseUrl's) is refused.
      [
        'a valid tag on URLs elsewhere',
        tagWithApplicationToken(s.applicationToken, loginBase, storeKey, pointingAtEvil),
        /outside the tenant's SuperOffice hosts/,
      ],
    ];
    for (const [name, record, reported] of rows) {
      background.length = 0;
      await redis.sendCommand(['SET', fullKey, plainValue(fullKey, record), 'PX', String(HOUR)]);
      const exchanges = s.mock.stats.authenticate;
      const client = createSystemUserClient(options); // a fresh process: nothing held locally
      const res = await client.fetch('Cust1', 'v1/User/currentPrincipal');
      assert.equal(res.status, 200, name);
      await res.text();
      const { response } = await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 });
      assert.ok(response, name);
      assert.equal(s.mock.stats.authenticate, exchanges + 1, `${name}: a miss, so one exchange`);
      assert.notEqual((await client.getTicket('Cust1')).ticket, '7T:attacker-chosen', name);
      assertNothingReachedEvil(name);
      if (reported) {
        // Reported at each read: the lookup's, and the lock holder's second look before it exchanges.
        assert.ok(background.length >= 1, `${name}: reported`);
        for (const { err, info } of background) {
          assert.equal(err.code, 'ERR_RESPONSE_MALFORMED', name);
          assert.match(err.message, reported, name);
          assert.deepEqual(info, { contextIdentifier: 'Cust1', during: 'cache.get' }, name);
        }
      } else {
        assert.deepEqual(background, [], `${name}: not this version's record, a silent miss`);
      }
    }
    assert.notEqual(first.ticket, undefined);
  } finally {
    await s.mock.close();
  }
});

test('finding 1: a custom TicketCache gets the same distrust', async () => {
  const s = await standIn();
  try {
    const entries = new Map();
    const cache = {
      get: async (key) => (entries.has(key) ? structuredClone(entries.get(key)) : undefined),
      set: async (key, value) => {
        entries.set(key, structuredClone(value));
      },
      delete: async (key) => {
        entries.delete(key);
      },
    };
    const background = [];
    const options = s.options({ cache, systemUserTokens: s.tenants, onBackgroundError: (err) => background.push(err) });
    await createSystemUserClient(options).getTicket('Cust1');
    const [key] = entries.keys();
    entries.set(key, {
      ...entries.get(key),
      webapiUrl: `${evil.url}/Cust1/api/`,
      netserverUrl: `${evil.url}/Cust1/Remote/Services88/`,
    });
    const client = createSystemUserClient(options);
    assert.equal((await client.fetch('Cust1', 'v1/User/currentPrincipal')).status, 200);
    await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 });
    assertNothingReachedEvil('custom cache');
    assert.deepEqual(
      background.map((e) => e.code),
      ['ERR_RESPONSE_MALFORMED'],
    );
    // A store that reorders JSON members (as PostgreSQL's jsonb does) keeps the client's own records valid.
    const reorder = (value) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.keys(value)
              .reverse()
              .map((k) => [k, reorder(value[k])]),
          )
        : value;
    const mine = entries.get(key);
    entries.set(key, reorder(mine));
    const exchanges = s.mock.stats.authenticate;
    assert.equal((await createSystemUserClient(options).getTicket('Cust1')).ticket, mine.ticket);
    assert.equal(s.mock.stats.authenticate, exchanges, 'a reordered genuine record is a hit');
  } finally {
    await s.mock.close();
  }
});

test('finding 2: redirect follow is refused by both clients; a redirect comes back unfollowed', async () => {
  const s = await standIn();
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const calls = s.mock.stats.api;
    await assert.rejects(
      client.fetch('Cust1', 'v1/User/currentPrincipal', { redirect: 'follow' }),
      (err) =>
        err instanceof SuperOfficeAuthError && err.code === 'ERR_INVALID_ARGUMENT' && /redirect/.test(err.message),
    );
    assert.equal(s.mock.stats.api, calls, 'nothing was sent');
    // The tenant answering 302 elsewhere: handed back as it came, the Location never requested.
    const seen = [];
    const recording = createSystemUserClient(
      s.options({
        systemUserTokens: s.tenants,
        fetch: (url, init) => {
          seen.push({ url, redirect: init.redirect });
          return fetch(url, init);
        },
      }),
    );
    await recording.getTicket('Cust1');
    s.mock.injectFault('redirect', { endpoint: 'api', times: 1 });
    const res = await recording.fetch('Cust1', 'v1/User/currentPrincipal');
    assert.equal(res.status, 302);
    assert.deepEqual(
      seen.filter((c) => c.url.includes('/api/')).map((c) => c.redirect),
      ['manual'],
    );
    assert.ok(!seen.some((c) => c.url.includes('/elsewhere')));

    registerOAuth(s);
    const users = createRefreshTokenClient({
      baseUrl: s.mock.baseUrl,
      issuer: s.mock.issuer,
      clientId: 'review-client',
      clientSecret: 'review-secret-1',
      refreshToken: s.mock.issueRefreshToken({ clientId: 'review-client', contextIdentifier: 'Cust1' }),
    });
    await assert.rejects(users.fetch('v1/User/currentPrincipal', { redirect: 'follow' }), {
      code: 'ERR_INVALID_ARGUMENT',
    });
  } finally {
    await s.mock.close();
  }
});

function registerOAuth(s) {
  if (!s.oauth) {
    s.mock.registerClient({ clientId: 'review-client', clientSecret: 'review-secret-1' });
    s.oauth = true;
  }
}

test("finding 3: a ticket goes only under the tenant's own path, after normalisation", async () => {
  const s = await standIn({ tenants: 2 });
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const base = s.mock.baseUrl;
    const calls = () => s.mock.stats.api;
    const before = calls();
    // Each of these reaches Cust2 (or might, at a server that decodes once more) with Cust1's ticket.
    for (const input of [
      '../../Cust2/api/v1/User/currentPrincipal',
      '%2e%2e/%2e%2e/Cust2/api/v1/User/currentPrincipal',
      '..%2f..%2fCust2/api/v1/User/currentPrincipal',
      '..%5c..%5cCust2/api/v1/User/currentPrincipal',
      '%252e%252e/%252e%252e/Cust2/api/v1/User/currentPrincipal',
      `${base}/Cust2/api/v1/User/currentPrincipal`,
      `${base}/Cust1/api/../../Cust2/api/v1/User/currentPrincipal`,
      `${base}/Cust1/api/..\\..\\Cust2/api/v1/User/currentPrincipal`,
      `${base}/Cust10/api/v1/User/currentPrincipal`,
      `${base}/Cust1`,
      `${base.replace('http://', 'http://user:pw@')}/Cust1/api/v1/User/currentPrincipal`,
      new URL(`${base}/Cust2/api/v1/User/currentPrincipal`),
    ]) {
      await assert.rejects(
        client.fetch('Cust1', input),
        (err) =>
          err instanceof SuperOfficeAuthError && err.code === 'ERR_INVALID_ARGUMENT' && /tenant/.test(err.message),
        String(input),
      );
    }
    assert.equal(calls(), before, 'nothing was sent');
    // The tenant's own paths still work, relative or absolute, dot segments that stay inside too.
    for (const input of [
      'v1/User/currentPrincipal',
      '/v1/User/currentPrincipal',
      'v1/x/../User/currentPrincipal',
      `${base}/Cust1/api/v1/User/currentPrincipal`,
    ]) {
      assert.equal((await client.fetch('Cust1', input)).status, 200, input);
    }
  } finally {
    await s.mock.close();
  }
});

// The SOAP agents (REST is callAgent's default; these findings are about NetServer's SOAP answers).
const SOAP = { protocol: 'soap' };

test("finding 4: only NetServer's authentication exception drops the ticket and retries; anything else is not retried", async () => {
  const s = await standIn();
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const ticket = (await client.getTicket('Cust1')).ticket;
    const exchanges = s.mock.stats.authenticate;
    const agentCalls = s.mock.stats.netserver;
    s.mock.injectFault('agentException', { times: 1 }); // ArgumentException "Unknown ticket id 5"
    await assert.rejects(
      client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 }, SOAP),
      (err) => err.code === 'ERR_NETSERVER_EXCEPTION' && err.exceptionType === 'ArgumentException',
    );
    assert.equal(s.mock.stats.netserver, agentCalls + 1, 'the call was not re-sent');
    assert.equal(s.mock.stats.authenticate, exchanges, 'no exchange');
    assert.equal((await client.getTicket('Cust1')).ticket, ticket, 'the shared ticket was not dropped');
    for (const exceptionType of ['SoSecurityException', 'InvalidTicketException', 'SoException']) {
      s.mock.injectFault('agentException', {
        times: 1,
        exceptionType,
        message: 'The ticket is invalid or has expired',
      });
      await assert.rejects(client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 }, SOAP), {
        code: 'ERR_NETSERVER_EXCEPTION',
      });
    }
    assert.equal(s.mock.stats.authenticate, exchanges, 'still no exchange');
    // SoSessionException (NetServer's own, by name) is a rejection: dropped, one exchange, one retry.
    s.mock.injectFault('agentException', {
      times: 1,
      exceptionType: 'SuperOffice.Exceptions.SoSessionException',
      message: 'Failed to validate tokens',
    });
    const { response } = await client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 }, SOAP);
    assert.ok(response);
    assert.equal(s.mock.stats.authenticate, exchanges + 1);
    assert.notEqual((await client.getTicket('Cust1')).ticket, ticket);
  } finally {
    await s.mock.close();
  }
});

test('finding 5: server text echoing what the caller holds is redacted, in the pure functions and in the clients', async () => {
  const s = await standIn();
  try {
    const systemUserToken = s.tenants.Cust1;
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const shown = (err) => `${err.message} ${JSON.stringify(err)} ${err.stack} ${Object.values(err).join(' ')}`;
    // An agent echoing the application token and the system user token.
    s.mock.injectFault('agentException', {
      times: 1,
      exceptionType: 'SoException',
      message: `Bad token ${s.applicationToken} for ${systemUserToken}`,
    });
    await assert.rejects(client.callAgent('Cust1', 'Associate', 'GetAssociate', { AssociateId: 5 }, SOAP), (err) => {
      assert.equal(err.code, 'ERR_NETSERVER_EXCEPTION');
      assert.equal(err.serverMessage, 'Bad token [redacted] for [redacted]');
      assert.ok(!shown(err).includes(s.applicationToken) && !shown(err).includes(systemUserToken), shown(err));
      return true;
    });
    // The exchange answering a fault that quotes the application token and the system user token.
    s.mock.injectFault('soapFault', {
      times: 1,
      faultString: `ApplicationToken ${s.applicationToken} / ${systemUserToken} refused`,
    });
    const fresh = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    await assert.rejects(fresh.getTicket('Cust1'), (err) => {
      assert.equal(err.code, 'ERR_SOAP_FAULT');
      assert.equal(err.faultString, 'ApplicationToken [redacted] / [redacted] refused');
      assert.ok(!shown(err).includes(s.applicationToken) && !shown(err).includes(systemUserToken), shown(err));
      return true;
    });
  } finally {
    await s.mock.close();
  }

  // The pure functions, given the secrets (`redact`): also a secret cut by the core's 512-character limit.
  const secret = `app-${randomBytes(16).toString('hex')}`;
  const refreshToken = `rt-${randomBytes(16).toString('hex')}`;
  const fault = (text) => ({
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>${text}</faultstring></s:Fault></s:Body></s:Envelope>`,
  });
  const keys = JWKS;
  for (const text of [
    `echo ${secret} twice ${secret}`,
    `${'x'.repeat(500)} ${secret}`,
    `${'x'.repeat(505)}${secret}`,
  ]) {
    assert.throws(
      () => parseTicketResponse(fault(text), { keys, redact: [secret] }),
      (err) => {
        assert.equal(err.code, 'ERR_SOAP_FAULT');
        for (const piece of [secret, secret.slice(0, 4), secret.slice(0, 7)])
          assert.ok(
            !err.faultString.includes(piece) && !err.message.includes(piece),
            `${text.length}: ${err.faultString}`,
          );
        return true;
      },
    );
  }
  const oauth = {
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: 'invalid_grant',
      error_description: `refresh token ${refreshToken} is revoked (client ${secret})`,
    }),
  };
  assert.throws(
    () => parseTokenResponse(oauth, { redact: [secret, refreshToken] }),
    (err) =>
      err.code === 'ERR_OAUTH_ERROR' &&
      err.errorDescription === 'refresh token [redacted] is revoked (client [redacted])' &&
      !err.message.includes(refreshToken),
  );
  assert.throws(() => parseTokenResponse(oauth, { redact: 'x' }), { code: 'ERR_INVALID_ARGUMENT' });
  const agentFault = {
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>no ${secret}</faultstring></s:Fault></s:Body></s:Envelope>`,
  };
  assert.throws(
    () => parseAgentResponse(agentFault, { protocol: 'soap', method: 'GetAssociate', redact: [secret] }),
    (err) => err.faultString === 'no [redacted]',
  );
});

test("finding 7: the refresh-token client sends its Bearer token only to SuperOffice's hosts (or allowedOrigins) when no id_token names the tenant", async () => {
  const s = await standIn({ tenants: 2 });
  try {
    registerOAuth(s);
    const make = (extra = {}) =>
      createRefreshTokenClient({
        baseUrl: s.mock.baseUrl,
        clientId: 'review-client',
        clientSecret: 'review-secret-1',
        validateIdToken: false,
        refreshToken: s.mock.issueRefreshToken({ clientId: 'review-client', contextIdentifier: 'Cust1' }),
        ...extra,
      });
    const users = make();
    await assert.rejects(users.fetch(`${evil.url}/Cust1/api/v1/User/currentPrincipal`), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    await assert.rejects(users.fetch('https://evil.example/api/v1/x'), { code: 'ERR_INVALID_ARGUMENT' });
    assertNothingReachedEvil('refresh client without an id_token');
    assert.equal(
      (await users.fetch(`${s.mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`)).status,
      200,
      "the baseUrl's host is allowed",
    );
    // allowedOrigins replaces the default.
    const listed = make({ allowedOrigins: [evil.url] });
    assert.equal((await listed.fetch(`${evil.url}/anything`)).status, 200);
    await assert.rejects(listed.fetch(`${s.mock.baseUrl}/Cust1/api/v1/User/currentPrincipal`), {
      code: 'ERR_INVALID_ARGUMENT',
    });
    assert.equal(evil.requests.length, 1);
    assert.match(evil.requests[0].headers.authorization, /^Bearer /);
    evil.requests.length = 0;
    for (const bad of [[], ['https://x.example/path'], ['not a url'], 'https://x.example']) {
      assert.throws(() => make({ allowedOrigins: bad }), { code: 'ERR_INVALID_ARGUMENT' }, JSON.stringify(bad));
    }
    // With a validated id_token, the tenant's own base rules: Cust2's path is refused.
    const validated = createRefreshTokenClient({
      baseUrl: s.mock.baseUrl,
      issuer: s.mock.issuer,
      clientId: 'review-client',
      clientSecret: 'review-secret-1',
      refreshToken: s.mock.issueRefreshToken({ clientId: 'review-client', contextIdentifier: 'Cust1' }),
    });
    assert.equal((await validated.fetch('v1/User/currentPrincipal')).status, 200);
    await assert.rejects(validated.fetch('../../Cust2/api/v1/User/currentPrincipal'), { code: 'ERR_INVALID_ARGUMENT' });
    await assert.rejects(validated.fetch(`${s.mock.baseUrl}/Cust2/api/v1/User/currentPrincipal`), {
      code: 'ERR_INVALID_ARGUMENT',
    });
  } finally {
    await s.mock.close();
  }
});

test('finding 8: no own __proto__, constructor or prototype member in claims, agent results or token responses', () => {
  const now = Date.now();
  const issuer = issuerKeys;
  const jwks = JWKS;
  const claims = systemUserClaims(Math.floor(now / 1000));
  const payload = JSON.stringify(claims).replace(
    /^\{/,
    '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"nested":{"__proto__":{"polluted":true},"ok":1},',
  );
  const token = mintJwt({ alg: 'RS256', kid: 'k1' }, payload, issuer.privateKey);
  const validated = validateToken(token, { keys: jwks, now, issuer: 'SuperOffice AS', audience: 'spn:SERIAL-42' });
  const merged = Object.assign({}, validated);
  assert.equal(merged.polluted, undefined);
  assert.equal(Object.getPrototypeOf(merged), Object.prototype);
  assert.ok(!Object.hasOwn(validated, '__proto__') && !Object.hasOwn(validated, 'constructor'));
  assert.deepEqual(validated.nested, { ok: 1 });
  assert.equal(validated[`${IDENTITY}ticket`], claims[`${IDENTITY}ticket`]);

  const NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
  const agent = parseAgentResponse(
    {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetAssociateResponse xmlns="${NS}"><Response><__proto__><polluted>yes</polluted></__proto__><constructor><prototype>x</prototype></constructor><AssociateId>5</AssociateId></Response></GetAssociateResponse></s:Body></s:Envelope>`,
    },
    { protocol: 'soap', method: 'GetAssociate' },
  );
  assert.deepEqual(agent.response, { AssociateId: '5' });
  assert.equal(Object.assign({}, agent.response).polluted, undefined);

  const tokenResponse = parseTokenResponse(
    {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"__proto__":{"polluted":true},"token_type":"Bearer","access_token":"8A:Cust1.x","expires_in":3600}',
    },
    { now },
  );
  assert.equal(Object.assign({}, tokenResponse).polluted, undefined);
  assert.equal(tokenResponse.accessToken, '8A:Cust1.x');
});
