// A small HTTP service that calls tenants' SuperOffice web API with cached system user tickets.
// The pattern to copy: one client per process, getTicket per request (served from the cache), and on
// a 401 forget that one ticket and retry once.
//
//   GET /tenants/{contextIdentifier}/principal  ->  the tenant's v1/User/currentPrincipal
//
// Run against SuperOffice: SO_ENVIRONMENT=sod SO_APPLICATION_TOKEN=... SO_PRIVATE_KEY_FILE=key.xml \
//   SO_TENANTS='{"Cust12345":"MyApp-..."}' PORT=3000 node examples/service.mjs
import http from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { authHeaders, createSystemUserClient } from 'superoffice-auth';

/**
 * Starts the service. `systemUserTokens` maps each tenant to its system user token (or is a function
 * that looks one up). Returns { url, client, close }.
 */
export async function startService({
  baseUrl,
  environment,
  applicationToken,
  privateKey,
  systemUserTokens,
  transport,
  port = 0,
  host = '127.0.0.1',
  fetch = globalThis.fetch,
}) {
  const client = createSystemUserClient({
    ...(baseUrl !== undefined ? { baseUrl } : { environment }),
    applicationToken,
    privateKey,
    systemUserTokens,
    fetch,
    ...(transport ? { transport } : {}),
  });

  async function callTenantApi(contextIdentifier, path) {
    for (let attempt = 1; ; attempt += 1) {
      const ticket = await client.getTicket({ contextIdentifier });
      const res = await fetch(new URL(path, ticket.webapiUrl), {
        headers: { ...authHeaders(ticket.ticket, applicationToken), Accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(10_000),
      });
      // 401: the ticket was revoked or timed out on SuperOffice's side. Forget exactly this ticket
      // (concurrent requests that failed with it cause one new exchange, not one each) and retry once.
      if (res.status === 401 && attempt === 1) {
        await res.body?.cancel();
        await client.invalidate(contextIdentifier, { ticket: ticket.ticket });
        continue;
      }
      return res;
    }
  }

  const server = http.createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/tenants\/([^/]+)\/principal$/.exec(new URL(req.url, 'http://localhost').pathname);
    if (req.method !== 'GET' || !m) return reply(404, { error: 'not found' });
    try {
      const upstream = await callTenantApi(decodeURIComponent(m[1]), 'v1/User/currentPrincipal');
      const text = await upstream.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = { error: 'the tenant API did not answer JSON' };
      }
      return reply(
        upstream.status === 200 ? 200 : 502,
        upstream.status === 200 ? body : { error: `tenant API answered ${upstream.status}` },
      );
    } catch (err) {
      // err.code and err.message are safe to show: they never carry a token, key or ticket.
      const status = err.code === 'ERR_INVALID_ARGUMENT' ? 404 : 502;
      return reply(status, { error: err.code ?? 'ERR_UNEXPECTED', message: err.message });
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address();
  return {
    url: `http://${host}:${actual}`,
    client,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isMain() {
  try {
    return pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  const env = process.env;
  try {
    const service = await startService({
      ...(env.SO_BASE_URL ? { baseUrl: env.SO_BASE_URL } : { environment: env.SO_ENVIRONMENT }),
      applicationToken: env.SO_APPLICATION_TOKEN,
      privateKey: readFileSync(env.SO_PRIVATE_KEY_FILE ?? '', 'utf8'),
      systemUserTokens: JSON.parse(env.SO_TENANTS ?? '{}'),
      transport: env.SO_TRANSPORT,
      port: Number(env.PORT ?? 3000),
    });
    console.log(`listening on ${service.url}; try GET /tenants/{contextIdentifier}/principal`);
  } catch (err) {
    console.error(`${err.code ?? 'ERR_CONFIG'}: ${err.message}`);
    console.error(
      'needs SO_ENVIRONMENT or SO_BASE_URL, SO_APPLICATION_TOKEN, SO_PRIVATE_KEY_FILE, SO_TENANTS (JSON {"Cust12345": "system user token"})',
    );
    process.exitCode = 1;
  }
}
