'use strict';
// The stand-in's shared part: its options, the state every door reads (applications, OAuth clients,
// tenants, tickets, access tokens, the signing keys), the HTTP server that routes each request to the
// door whose route matches, the faults and the request counters. The doors (ticket.cjs, oauth.cjs,
// api.cjs, netserver.cjs) are given this state as `stand`; index.cjs lists them.
//
// Adding a door: a module exporting { endpoints, group?, counters, perTenant, host?, create(stand) }, where
// create returns { route(url), tenantOf?(route, body), malformed?(route), seedTenant?(tenant),
// handle(req, res, route, body, fault), methods }, and one line in index.cjs; host 'login' keeps it on the
// authentication host when there are tenant hosts (otherwise it is a tenant door). Its endpoints become
// fault targets and counters in `stats`; its methods join the stand-in's.
// Hosts (option tenantHosts): by default one host serves everything, as the stand-in always did. With
// tenantHosts N >= 1 the authentication host (baseUrl) serves the login doors (door.host 'login':
// ticket, oauth, state) and N numbered tenant hosts, each on its own port, serve the tenant doors
// (api, netserver), each tenant on one of them. As SuperOffice does since 17 November 2023
// (SuperOfficeDocs/superoffice-docs, docs/en/developer-portal/best-practices/tenant-status/
// check-status.md), a tenant path on the authentication host, or on a host that is not the tenant's,
// answers 421 Misdirected Request with the description "Wrong subdomain used to access tenant"; a
// login path on a tenant host is 404. tenantEndpoint() below is the one place a tenant's URLs are made.

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
    tenantBaseUrl,
    now = Date.now,
    tenantHosts = 0,
    stateValidSeconds = 300,
  } = options;
  if (!Number.isInteger(accessTokenLifetimeSeconds) || accessTokenLifetimeSeconds < 1)
    throw new TypeError('accessTokenLifetimeSeconds must be a positive integer');
  if (issuerOption !== undefined) requireString('issuer', issuerOption);
  if (tenantBaseUrl !== undefined) requireString('tenantBaseUrl', tenantBaseUrl);
  if (!Number.isInteger(codeLifetimeSeconds) || codeLifetimeSeconds < 1)
    throw new TypeError('codeLifetimeSeconds must be a positive integer');
  if (typeof idTokenIatAsString !== 'boolean') throw new TypeError('idTokenIatAsString must be a boolean');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer 0..65535');
  if (typeof now !== 'function') throw new TypeError('now must be a function returning epoch milliseconds');
  if (!Number.isInteger(tenantHosts) || tenantHosts < 0 || tenantHosts > 9)
    throw new TypeError('tenantHosts must be an integer 0..9');
  if (!Number.isInteger(stateValidSeconds) || stateValidSeconds < 0)
    throw new TypeError('stateValidSeconds must be an integer >= 0');

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
      stateValidSeconds,
    },
    now,
    applications: new Map(), // applicationToken -> { publicKey }
    clients: new Map(), // OAuth client id -> { clientSecret, redirectUris }; a system-user app's secret is its application token
    tenants: new Map(), // contextIdentifier -> tenant record
    tickets: new Map(), // ticket -> { contextIdentifier, applicationToken, lastUsed, revoked }
    accessTokens: new Map(), // access token -> { clientId, contextIdentifier, expiresAt, revoked }
    stats: null,
    baseUrl: '',
    /** The tenant hosts' base URLs (tenantHosts of them); empty when baseUrl serves the tenants too. */
    hosts: [],
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
    /** The tenant's root on the host that serves it now: `{host}/{contextIdentifier}`. */
    tenantEndpoint(contextIdentifier) {
      const tenant = stand.tenants.get(contextIdentifier);
      const host = stand.hosts.length > 0 && tenant ? stand.hosts[tenant.host] : stand.baseUrl;
      return `${host}/${encodeURIComponent(contextIdentifier)}`;
    },
    /** The tenant's NetServer and web API URLs, as its tickets and id_tokens name them. */
    tenantUrls(contextIdentifier) {
      const tenantBase =
        tenantBaseUrl === undefined
          ? stand.tenantEndpoint(contextIdentifier)
          : `${tenantBaseUrl.replace(/\/$/, '')}/${encodeURIComponent(contextIdentifier)}`;
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

  // host: -1 for the authentication host, else the tenant host's index.
  const listen = async (host, listenPort) => {
    const server = http.createServer((req, res) => {
      handle(req, res, host).catch((err) => {
        // A bug in the stand-in must show up as a 500 in the test, not crash the test process.
        if (!res.headersSent) send(res, 500, 'text/plain', `stand-in error: ${err?.message}`);
        else res.destroy();
      });
    });
    // Keep-alive sockets would hold close() open for seconds after a test.
    server.keepAliveTimeout = 1000;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server;
  };
  const servers = [await listen(-1, port)];
  for (let i = 0; i < tenantHosts; i += 1) servers.push(await listen(i, 0));
  stand.baseUrl = `http://127.0.0.1:${servers[0].address().port}`;
  stand.hosts = servers.slice(1).map((server) => `http://127.0.0.1:${server.address().port}`);
  stand.issuer = issuerOption ?? stand.baseUrl;

  async function handle(req, res, host) {
    const url = new URL(req.url, host < 0 ? stand.baseUrl : stand.hosts[host]);
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
    const onTenantHost = host >= 0;
    // With tenant hosts, a login door answers on the authentication host only.
    if (!door || (onTenantHost && door.door.host === 'login')) {
      stand.stats.other += 1;
      return send(res, 404, 'text/plain', 'not found');
    }
    route.url = url;

    const body = await readBody(req);
    if (body === null) return send(res, 413, 'text/plain', 'request body too large');

    const { endpoint } = route;
    const contextIdentifier = door.tenantOf ? door.tenantOf(route, body) : route.contextIdentifier;
    count(door.door, endpoint, contextIdentifier);

    const tenant = contextIdentifier === undefined ? undefined : stand.tenants.get(contextIdentifier);
    if (stand.hosts.length > 0 && door.door.host !== 'login') {
      // A tenant door: on the authentication host, or on a host that does not serve the tenant.
      if (!onTenantHost || (tenant && tenant.host !== host)) {
        tally('misdirected', contextIdentifier);
        return send(
          res,
          421,
          'text/plain; charset=utf-8',
          'Misdirected Request: Wrong subdomain used to access tenant',
        );
      }
    }

    const active = faults.take(endpoint, contextIdentifier);
    for (const f of active) if (f.type === 'latency') await sleep(f.ms);
    const fault = active.find((f) => f.type !== 'latency');
    if (fault) {
      if (fault.type === 'drop') return void req.socket.destroy();
      if (fault.type === 'redirect') {
        res.writeHead(302, { Location: `${stand.baseUrl}/elsewhere${url.pathname}` });
        return void res.end();
      }
      if (fault.type === 'httpError') {
        return send(res, fault.status, 'text/plain', 'Internal Server Error', retryAfter(fault));
      }
      if (fault.type === 'rateLimit') {
        tally('rateLimited', contextIdentifier);
        return send(res, 429, 'text/plain', 'Too Many Requests', retryAfter(fault));
      }
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
    // The tenant's APIs are "not available" in every state but Running and OnlineMaintenance.
    if (door.door.host !== 'login' && tenant?.state && !tenant.state.isRunning) {
      tally('unavailable', contextIdentifier);
      return send(
        res,
        503,
        'application/json; charset=utf-8',
        JSON.stringify({ Error: 'Service Unavailable', Reason: `the tenant is ${tenant.state.name}` }),
      );
    }
    return door.handle(req, res, route, body, fault);
  }

  /** `Retry-After` for a fault that gives `retryAfter` seconds: as seconds, or (retryAfterDate) a date. */
  function retryAfter(fault) {
    if (fault.retryAfter === undefined) return {};
    const value = fault.retryAfterDate
      ? new Date(now() + fault.retryAfter * 1000).toUTCString()
      : String(fault.retryAfter);
    return { 'Retry-After': value };
  }

  /** A counter of the stand-in's own answers (421, 429, 503), overall and per tenant. */
  function tally(name, contextIdentifier) {
    stand.stats[name] += 1;
    if (contextIdentifier !== undefined && stand.stats.tenants[contextIdentifier]) {
      stand.stats.tenants[contextIdentifier][name] += 1;
    }
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
    /** The tenant hosts' base URLs (option tenantHosts); [baseUrl] when that one host serves the tenants. */
    get hosts() {
      return stand.hosts.length > 0 ? [...stand.hosts] : [stand.baseUrl];
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
     * application: it serves the OAuth flows (refresh tokens, id_tokens) only. `host`: the index of the
     * tenant host that serves it (option tenantHosts; default 0).
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
      host = 0,
    } = {}) {
      requireString('contextIdentifier', contextIdentifier);
      if (!Number.isInteger(host) || host < 0 || host >= Math.max(stand.hosts.length, 1)) {
        throw new TypeError(`host must be a tenant host index 0..${Math.max(stand.hosts.length, 1) - 1}`);
      }
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
        host,
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
      return Promise.all(
        servers.map(
          (server) =>
            new Promise((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      ).then(() => undefined);
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
  for (const name of OWN_ANSWERS) stats[name] = 0;
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
  for (const name of OWN_ANSWERS) stats[name] = 0;
  return stats;
}

// What the stand-in answers before a door does: 421 (a misdirected tenant call), 429 (a rateLimit
// fault), 503 (a tenant that is not running).
const OWN_ANSWERS = ['misdirected', 'rateLimited', 'unavailable'];

module.exports = { createStandIn };
