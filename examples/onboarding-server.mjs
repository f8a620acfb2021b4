// The two routes a system-user application needs to onboard tenants: one sends a tenant
// administrator to SuperOffice to approve the application, the other receives the approval that
// SuperOffice's page posts back (a SuperIdToken carrying the tenant's system user token).
//
//   GET  /superoffice/approve[?tenant=Cust12345]  ->  302 to SuperOffice's authorize endpoint
//   POST /superoffice/approved                    <-  the approval (form_post: id_token and state)
//
// Run against SuperOffice: SO_ENVIRONMENT=sod SO_CLIENT_ID=... SO_APPLICATION_TOKEN=... \
//   SO_PRIVATE_KEY_FILE=key.xml SO_REDIRECT_URI=https://your.app/superoffice/approved PORT=3000 \
//   node examples/onboarding-server.mjs
// (SO_REDIRECT_URI must be registered for the application and reach this server's second route.)
//
// Where state and nonce are kept: SuperOffice answers with a cross-site POST, and browsers do not send
// SameSite=Lax cookies with those, so a cookie session would need SameSite=None. This server keeps each
// pending approval in memory under its state instead: the post must name a state this server issued in
// the last ten minutes and not used yet, and its id_token must carry that request's nonce. Behind a
// load balancer, keep them in the shared store you keep tenants in.
import http from 'node:http';
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createSystemUserClient } from 'superoffice-auth';

const PENDING_MS = 10 * 60 * 1000;
const MAX_BODY = 64 * 1024;

/**
 * Starts the server. `onTenant(tenant)` receives each onboarded tenant ({ contextIdentifier,
 * systemUserToken, webapiUrl, ... }): store the system user token there. `redirectUri` defaults to this
 * server's own /superoffice/approved. Returns { url, redirectUri, client, close }.
 */
export async function startOnboardingServer({
  baseUrl,
  environment,
  issuer,
  clientId,
  applicationToken,
  privateKey,
  redirectUri,
  onTenant = () => {},
  port = 0,
  host = '127.0.0.1',
  fetch = globalThis.fetch,
}) {
  const client = createSystemUserClient({
    ...(baseUrl !== undefined ? { baseUrl, ...(issuer !== undefined ? { issuer } : {}) } : { environment }),
    clientId,
    applicationToken,
    privateKey,
    fetch,
  });
  const pending = new Map(); // state -> { nonce, expires }

  function startApproval(url) {
    const tenant = url.searchParams.get('tenant');
    const request = client.createOnboardingRequest({
      redirectUri: server.redirectUri,
      ...(tenant ? { contextIdentifier: tenant } : {}),
    });
    const now = Date.now();
    for (const [state, entry] of pending) if (entry.expires <= now) pending.delete(state);
    pending.set(request.state, { nonce: request.nonce, expires: now + PENDING_MS });
    return request.url;
  }

  async function finishApproval(body) {
    const state = new URLSearchParams(body).get('state') ?? '';
    const entry = pending.get(state);
    // Used once, whatever comes of it: a replayed post finds nothing.
    pending.delete(state);
    if (!entry || entry.expires <= Date.now())
      return { status: 400, text: 'Unknown or expired approval. Please start again.' };
    try {
      // Checks state, turns a declined approval into ERR_OAUTH_ERROR, validates the id_token (keys,
      // issuer, audience, nonce, expiry) and requires its system user token.
      const tenant = await client.onboardTenant(body, { state, nonce: entry.nonce });
      await onTenant(tenant);
      return { status: 200, text: `The application is approved for ${tenant.contextIdentifier}.` };
    } catch (err) {
      if (err.code === 'ERR_OAUTH_ERROR')
        return { status: 403, text: `The approval was not given (${err.oauthError}).` };
      // err.code and err.message never carry a token or key.
      return {
        status: 400,
        text: `The approval could not be accepted: ${err.code ?? 'ERR_UNEXPECTED'}: ${err.message}`,
      };
    }
  }

  const server = http.createServer(async (req, res) => {
    const reply = (status, text) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(text);
    };
    const url = new URL(req.url, 'http://localhost');
    try {
      if (req.method === 'GET' && url.pathname === '/superoffice/approve') {
        res.writeHead(302, { Location: startApproval(url), 'Cache-Control': 'no-store' });
        return res.end();
      }
      if (req.method === 'POST' && url.pathname === '/superoffice/approved') {
        const body = await readBody(req);
        if (body === null) return reply(413, 'The request is too large.');
        const outcome = await finishApproval(body);
        return reply(outcome.status, outcome.text);
      }
      return reply(404, 'Not found.');
    } catch (err) {
      return reply(500, `${err.code ?? 'ERR_UNEXPECTED'}: ${err.message}`);
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  server.redirectUri = redirectUri ?? `${url}/superoffice/approved`;
  return {
    url,
    redirectUri: server.redirectUri,
    client,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
    const server = await startOnboardingServer({
      ...(env.SO_BASE_URL ? { baseUrl: env.SO_BASE_URL, issuer: env.SO_ISSUER } : { environment: env.SO_ENVIRONMENT }),
      clientId: env.SO_CLIENT_ID,
      applicationToken: env.SO_APPLICATION_TOKEN,
      privateKey: readFileSync(env.SO_PRIVATE_KEY_FILE ?? '', 'utf8'),
      redirectUri: env.SO_REDIRECT_URI,
      port: Number(env.PORT ?? 3000),
      onTenant(tenant) {
        // Store tenant.systemUserToken (a secret) with tenant.contextIdentifier in your database here.
        console.log(`onboarded ${tenant.contextIdentifier} (${tenant.webapiUrl})`);
      },
    });
    console.log(`listening on ${server.url}; send tenant administrators to ${server.url}/superoffice/approve`);
  } catch (err) {
    console.error(`${err.code ?? 'ERR_CONFIG'}: ${err.message}`);
    console.error(
      'needs SO_ENVIRONMENT (or SO_BASE_URL and SO_ISSUER), SO_CLIENT_ID, SO_APPLICATION_TOKEN, SO_PRIVATE_KEY_FILE, SO_REDIRECT_URI',
    );
    process.exitCode = 1;
  }
}
