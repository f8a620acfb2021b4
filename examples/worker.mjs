// A multi-tenant worker: each round it calls every tenant's web API, a few tenants at a time. One client
// serves all tenants: each tenant's ticket is fetched once and reused across rounds, tenants are
// fetched in parallel, and a tenant that fails (approval revoked, say) is reported without stopping
// the others.
//
// Run against SuperOffice: SO_ENVIRONMENT=sod SO_APPLICATION_TOKEN=... SO_PRIVATE_KEY_FILE=key.xml \
//   SO_TENANTS='{"Cust12345":"MyApp-...","Cust67890":"MyApp-..."}' node examples/worker.mjs
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { authHeaders, createSystemUserClient } from 'superoffice-auth';

async function callOnce(client, applicationToken, contextIdentifier, fetch) {
  for (let attempt = 1; ; attempt += 1) {
    const ticket = await client.getTicket({ contextIdentifier });
    const res = await fetch(new URL('v1/User/currentPrincipal', ticket.webapiUrl), {
      headers: { ...authHeaders(ticket.ticket, applicationToken), Accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 401 && attempt === 1) {
      await res.body?.cancel();
      await client.invalidate(contextIdentifier, { ticket: ticket.ticket });
      continue;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw Object.assign(new Error(`tenant API answered ${res.status}`), { code: 'ERR_API_STATUS' });
    }
    return res.json();
  }
}

/**
 * Runs `rounds` rounds over `tenants` ({ contextIdentifier: systemUserToken }), `concurrency` tenants at
 * a time. Resolves to { calls, succeeded, failures: [{ round, contextIdentifier, code }] }.
 */
export async function runWorker({
  baseUrl,
  environment,
  applicationToken,
  privateKey,
  tenants,
  transport,
  rounds = 3,
  concurrency = 4,
  fetch = globalThis.fetch,
  log = () => {},
}) {
  const client = createSystemUserClient({
    ...(baseUrl !== undefined ? { baseUrl } : { environment }),
    applicationToken,
    privateKey,
    fetch,
    systemUserTokens: tenants,
    ...(transport ? { transport } : {}),
  });
  const ids = Object.keys(tenants);
  const summary = { calls: 0, succeeded: 0, failures: [] };
  for (let round = 1; round <= rounds; round += 1) {
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const contextIdentifier = ids[next];
        next += 1;
        summary.calls += 1;
        try {
          const principal = await callOnce(client, applicationToken, contextIdentifier, fetch);
          summary.succeeded += 1;
          log(`round ${round}: ${contextIdentifier}: ${principal.UserName ?? 'ok'}`);
        } catch (err) {
          summary.failures.push({ round, contextIdentifier, code: err.code ?? 'ERR_UNEXPECTED' });
          log(`round ${round}: ${contextIdentifier}: ${err.code ?? 'ERR_UNEXPECTED'}: ${err.message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, lane));
  }
  return summary;
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
    const summary = await runWorker({
      ...(env.SO_BASE_URL ? { baseUrl: env.SO_BASE_URL } : { environment: env.SO_ENVIRONMENT }),
      applicationToken: env.SO_APPLICATION_TOKEN,
      privateKey: readFileSync(env.SO_PRIVATE_KEY_FILE ?? '', 'utf8'),
      tenants: JSON.parse(env.SO_TENANTS ?? '{}'),
      transport: env.SO_TRANSPORT,
      rounds: Number(env.ROUNDS ?? 1),
      log: console.log,
    });
    console.log(JSON.stringify(summary));
    if (summary.failures.length) process.exitCode = 1;
  } catch (err) {
    console.error(`${err.code ?? 'ERR_CONFIG'}: ${err.message}`);
    process.exitCode = 1;
  }
}
