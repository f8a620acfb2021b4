'use strict';
// The stand-in's shared part: its options, the state every door reads (applications, OAuth clients,
// tenants, tickets, access tokens, the signing keys), the HTTP server that routes each request to the
// door whose route matches, the faults and the request counters. The doors (ticket.cjs, oauth.cjs,
// api.cjs, netserver.cjs) are given this state as `stand`; index.cjs lists them.
//
// Adding a door: a module exporting { endpoints, group?, counters, perTenant, create(stand) }, where
// create returns { route(url), tenantOf?(route, body), malformed?(route), seedTenant?(tenant),
// handle(req, res, route, body, fault), methods }, and one line in index.cjs. Its endpoints become
// fault targets and counters in `stats`; its methods join the stand-in's.
// Adding a host: tenantUrls() below is the one place a tenant's URLs are made.

const http = require('node:http');
const crypto = require('node:crypto');
const { send, readBody, sleep, requireString, checkRedirectUris } = require('./http.cjs');
const { newSigningKey } = require('./signing.cjs');
const { createFaults } = require('./faults.cjs');
const { soapFault } = require('./xml.cjs');

const SIX_HOURS_MS = 6 * 60 * 60 * 1000;

/** Starts the stand-in with the given doors (see index.cjs for the options). */
async function createStandIn(options, doors) {
  const {
    port = 0,
    timestampWindowSeconds = 300,
    jwtLifetimeSeconds = 300,
    ticketLifetimeSeconds = SIX_HOURS_MS / 1000,
    accessTokenLifetimeSeconds = 3600,
    codeLifetimeSeconds = 60,
    idTokenIatAsString = true,
    issuer: issuerOption,
    now = Date.now,
  } = options;
  if (!Number.isInteger(accessTokenLifetimeSeconds) || accessTokenLifetimeSeconds < 1)
    throw new TypeError('accessTokenLifetimeSeconds must be a positive integer');
  if (issuerOption !== undefined) requireString('issuer', issuerOption);
  if (!Number.isInteger(codeLifetimeSeconds) || codeLifetimeSeconds < 1)
    throw new TypeError('codeLifetimeSeconds must be a positive integer');
  if (typeof idTokenIatAsString !== 'boolean') throw new TypeError('idTokenIatAsString must be a boolean');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer 0..65535');
  if (typeof now !== 'function') throw new TypeError('now must be a function returning epoch milliseconds');

  const signingKeys = { current: newSigningKey(), retired: [] }; // retired: still published after a rotation with keepOld
  let impostor = null;
  const stand = {
    options: {
      timestampWindowSeconds,
      jwtLifetimeSeconds,
      ticketLifetimeSeconds,
      accessTokenLifetimeSeconds,
      codeLifetimeSeconds,
      idTokenIatAsString,
    },
    now,
    applications: new Map(), // applicationToken -> { publicKey }
    clients: new Map(), // OAuth client id -> { clientSecret, redirectUris }; a system-user app's secret is its application token
    tenants: new Map(), // contextIdentifier -> tenant record
    tickets: new Map(), // ticket -> { contextIdentifier, applicationToken, lastUsed, revoked }
    accessTokens: new Map(), // access token -> { clientId, contextIdentifier, expiresAt, revoked }
    stats: null,
    baseUrl: '',
    issuer: '',
    mock: null,
    signingKey: () => signingKeys.current,
    publishedKeys: () => [signingKeys.current, ...signingKeys.retired],
    // Generated when a badSignature fault is injected, not on every start: RSA key generation is slow,
    // and inside a request it would trip a short client timeout on a loaded machine.
    impostorKey() {
      impostor ??= newSigningKey().privateKey;
      return impostor;
    },
    /** The tenant's NetServer and web API URLs, as its tickets and id_tokens name them. */
    tenantUrls(contextIdentifier) {
      const tenantBase = `${stand.baseUrl}/${encodeURIComponent(contextIdentifier)}`;
      return { netserverUrl: `${tenantBase}/Remote/Services88/`, webapiUrl: `${tenantBase}/api/` };
    },
  };
  const opened = doors.map((door) => ({ door, ...door.create(stand) }));
  const groupOf = (endpoint) => doors.find((door) => door.endpoints.includes(endpoint))?.group;
  const emptyStats = () => statsShape(doors);
  stand.stats = emptyStats();
  const faults = createFaults({
    endpoints: [
      ...new Set(doors.flatMap((door) => (door.group ? [door.group, ...door.endpoints] : door.endpoints))),
      'any',
    ],
    groupOf,
    // The impostor key is made now, not when the faulty request arrives: on a busy machine RSA key
    // generation inside the request outlasts a short client timeout (ERR_TIMEOUT instead of the fault).
    prepare: (fault) => {
      if (fault.type === 'badSignature') stand.impostorKey();
    },
  });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      // A bug in the stand-in must show up as a 500 in the test, not crash the test process.
      if (!res.headersSent) send(res, 500, 'text/plain', `stand-in error: ${err?.message}`);
      else res.destroy();
    });
  });
  // Keep-alive sockets would hold close() open for seconds after a test.
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  stand.baseUrl = `http://127.0.0.1:${server.address().port}`;
  stand.issuer = issuerOption ?? stand.baseUrl;

  async function handle(req, res) {
    const url = new URL(req.url, stand.baseUrl);
    // IIS paths are case-insensitive; SuperOffice's samples spell /Login and /login both ways: each
    // door's route() matches accordingly.
    let route;
    let door;
    for (const candidate of opened) {
      route = candidate.route(url);
      if (route) {
        door = candidate;
        break;
      }
    }
    if (!door) {
      stand.stats.other += 1;
      return send(res, 404, 'text/plain', 'not found');
    }
    route.url = url;

    const body = await readBody(req);
    if (body === null) return send(res, 413, 'text/plain', 'request body too large');

    const { endpoint } = route;
    const contextIdentifier = door.tenantOf ? door.tenantOf(route, body) : route.contextIdentifier;
    count(door.door, endpoint, contextIdentifier);

    const active = faults.take(endpoint, contextIdentifier);
    for (const f of active) if (f.type === 'latency') await sleep(f.ms);
    const fault = active.find((f) => f.type !== 'latency');
    if (fault) {
      if (fault.type === 'drop') return void req.socket.destroy();
      if (fault.type === 'redirect') {
        res.writeHead(302, { Location: `${stand.baseUrl}/elsewhere${url.pathname}` });
        return void res.end();
      }
      if (fault.type === 'httpError') return send(res, fault.status, 'text/plain', 'Internal Server Error');
      if (fault.type === 'soapFault')
        return send(res, 500, 'text/xml; charset=utf-8', soapFault('s:Client', fault.faultString));
      if (fault.type === 'malformed') {
        const [type, text] = door.malformed?.(route) ?? [
          'application/json; charset=utf-8',
          '{"IsSuccessful": true, "Token": "ey',
        ];
        return send(res, 200, type, text);
      }
    }
    return door.handle(req, res, route, body, fault);
  }

  function count(door, endpoint, contextIdentifier) {
    const { stats } = stand;
    stats[endpoint] += 1;
    if (door.group) stats[door.group] += 1;
    if (contextIdentifier !== undefined && door.perTenant) {
      stats.tenants[contextIdentifier] ??= tenantStatsShape(doors);
      const t = stats.tenants[contextIdentifier];
      t[endpoint] += 1;
      if (door.group) t[door.group] += 1;
    }
  }

  const { applications, clients, tenants } = stand;
  const mock = {
    get baseUrl() {
      return stand.baseUrl;
    },
    get issuer() {
      return stand.issuer;
    },
    /**
     * Register an application: its token (client secret) and the public half of its RSA key. With
     * `clientId`, the application is also an OAuth client (secret = the application token), whose
     * id_tokens carry the system user token of each tenant that approved it; an approval at the
     * authorize endpoint (response_type id_token) gives a tenant that had not approved it one.
     * `redirectUris`: as for registerClient.
     */
    registerApplication({ applicationToken, publicKey, clientId, redirectUris } = {}) {
      requireString('applicationToken', applicationToken);
      if (clientId !== undefined) requireString('clientId', clientId);
      checkRedirectUris(redirectUris);
      let key;
      try {
        // createPublicKey also derives the public half from a private key or accepts a KeyObject.
        key =
          publicKey instanceof crypto.KeyObject && publicKey.type === 'public'
            ? publicKey
            : crypto.createPublicKey(publicKey);
      } catch (cause) {
        throw new TypeError('publicKey must be a PEM public key, private key or KeyObject', { cause });
      }
      if (key.asymmetricKeyType !== 'rsa') throw new TypeError('publicKey must be an RSA key');
      applications.set(applicationToken, { publicKey: key });
      if (clientId !== undefined) clients.set(clientId, { clientSecret: applicationToken, redirectUris });
      return mock;
    },
    /**
     * Add a tenant that approved an application. `status` other than 'active' (e.g. 'Revoked',
     * 'NeedsReapproval', 'Expired', 'Denied') makes Authenticate answer IsSuccessful=false with that name.
     * With `systemUser: false` (and no systemUserToken), the tenant approved no system-user
     * application: it serves the OAuth flows (refresh tokens, id_tokens) only.
     */
    addTenant({
      contextIdentifier,
      systemUserToken,
      applicationToken,
      serial,
      isAdministrator = false,
      companyName,
      associateId = 5,
      status = 'active',
      systemUser = true,
    } = {}) {
      requireString('contextIdentifier', contextIdentifier);
      const grantless = systemUser === false;
      if (grantless && (systemUserToken !== undefined || applicationToken !== undefined)) {
        throw new TypeError('systemUser: false takes no systemUserToken or applicationToken');
      }
      if (!grantless) requireString('systemUserToken', systemUserToken);
      if (grantless) {
        // No grant: fall through to create the tenant record only.
      } else if (applicationToken === undefined) {
        // Convenient for the common single-application case; ambiguous otherwise, so refused.
        if (applications.size !== 1)
          throw new TypeError('applicationToken is required when not exactly one application is registered');
        [applicationToken] = applications.keys();
      }
      if (!grantless && !applications.has(applicationToken)) throw new TypeError('applicationToken is not registered');
      const tenant = tenants.get(contextIdentifier) ?? {
        contextIdentifier,
        serial: serial ?? String(crypto.randomInt(1e9, 1e10)),
        isAdministrator: Boolean(isAdministrator),
        companyName: companyName ?? `${contextIdentifier} AS`,
        associateId,
        grants: new Map(),
      };
      if (!tenants.has(contextIdentifier)) for (const door of opened) door.seedTenant?.(tenant);
      if (!grantless) tenant.grants.set(applicationToken, { systemUserToken, status });
      tenants.set(contextIdentifier, tenant);
      return mock;
    },
    /** Change a tenant's approval status for an application (e.g. to 'Revoked'). */
    setTenantStatus(contextIdentifier, status, applicationToken) {
      const tenant = tenants.get(contextIdentifier);
      if (!tenant) throw new TypeError('unknown tenant');
      for (const [app, grant] of tenant.grants)
        if (applicationToken === undefined || app === applicationToken) grant.status = status;
    },
    injectFault(type, options) {
      return faults.inject(type, options);
    },
    clearFaults() {
      faults.clear();
    },
    /**
     * Replace the JWT signing key with a new one under a new kid. With `keepOld`, the old key stays in
     * the JWKS (as SuperOffice would during a rollover); without it, it disappears at once.
     */
    rotateSigningKey({ keepOld = false } = {}) {
      if (keepOld) signingKeys.retired.push(signingKeys.current);
      signingKeys.current = newSigningKey();
      return signingKeys.current.jwk.kid;
    },
    /** The current signing key's public half as SPKI PEM (for pinned-key tests). */
    signingPublicKeyPem() {
      return signingKeys.current.publicKey.export({ type: 'spki', format: 'pem' });
    },
    /** A snapshot of the request counters. */
    get stats() {
      return structuredClone(stand.stats);
    },
    resetStats() {
      stand.stats = emptyStats();
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    [Symbol.for('nodejs.util.inspect.custom')]() {
      return `MockSuperOffice { baseUrl: '${stand.baseUrl}', issuer: '${stand.issuer}', applications: ${applications.size}, clients: ${clients.size}, tenants: ${tenants.size} }`;
    },
    toJSON() {
      return {
        baseUrl: stand.baseUrl,
        issuer: stand.issuer,
        applications: applications.size,
        clients: clients.size,
        tenants: tenants.size,
      };
    },
  };
  for (const { methods } of opened) Object.defineProperties(mock, Object.getOwnPropertyDescriptors(methods));
  stand.mock = mock;
  return mock;
}

// The counters: each door's group and endpoints, requests no door took (other), refusals of a
// credential (unauthorized), each door's own counters, and per tenant the endpoints that know one.
function statsShape(doors) {
  const stats = {};
  for (const door of doors)
    for (const name of door.group ? [door.group, ...door.endpoints] : door.endpoints) stats[name] = 0;
  stats.other = 0;
  stats.unauthorized = 0;
  for (const door of doors) for (const name of door.counters) stats[name] = 0;
  stats.tenants = {};
  return stats;
}

function tenantStatsShape(doors) {
  const stats = {};
  for (const door of doors) {
    if (!door.perTenant) continue;
    for (const name of door.group ? [door.group, ...door.endpoints] : door.endpoints) stats[name] = 0;
  }
  return stats;
}

module.exports = { createStandIn };
