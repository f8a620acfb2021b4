// A fleet on one machine: node:cluster workers that share their tickets through Redis, so however many
// workers call a tenant's API, the tenant costs one exchange per ticket lifetime (each exchange creates a
// credential record at SuperOffice). Each worker has its own Redis connection and its own client; the
// cache created by superoffice-auth/redis makes them one: one exchange per tenant across all workers,
// the others wait for it, values sealed with AES-256-GCM.
//
// Run against SuperOffice (Redis running, the `redis` package installed beside this file):
//   REDIS_URL=redis://127.0.0.1:6379 TICKET_CACHE_KEY=$(openssl rand -base64 32) \
//   SO_ENVIRONMENT=sod SO_APPLICATION_TOKEN=... SO_PRIVATE_KEY_FILE=key.xml \
//   SO_TENANTS='{"Cust12345":"MyApp-...","Cust67890":"MyApp-..."}' node examples/fleet.mjs
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createSystemUserClient } from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';

const self = fileURLToPath(import.meta.url);

// node-redis (v4 or v5) from beside this file; FLEET_REDIS_FROM names another place to load it from
// (the tests load the workspace's copy).
function loadRedis() {
  return createRequire(process.env.FLEET_REDIS_FROM ?? import.meta.url)('redis');
}

async function workerMain() {
  const config = JSON.parse(process.env.FLEET_CONFIG);
  const redis = loadRedis().createClient({ url: config.redisUrl });
  // node-redis emits 'error' while Redis is away; without a listener that would end the process. The
  // client itself keeps working without Redis (tickets are then this worker's own).
  redis.on('error', () => {});
  await redis.connect();
  const client = createSystemUserClient({
    ...(config.environment ? { environment: config.environment } : { baseUrl: config.baseUrl }),
    applicationToken: config.applicationToken,
    privateKey: config.privateKey,
    systemUserTokens: config.tenants,
    cache: createRedisTicketCache({
      client: redis,
      keyPrefix: 'fleet-example:',
      ...(config.encryptionKey ? { encryptionKey: Buffer.from(config.encryptionKey, 'base64') } : {}),
    }),
    onBackgroundError: (err, info) => process.send({ background: `${info.during}: ${err.message}` }),
  });
  const calls = await Promise.all(
    Object.keys(config.tenants).map(async (contextIdentifier) => {
      try {
        const ticket = await client.getTicket({ contextIdentifier });
        const res = await fetch(new URL('v1/User/currentPrincipal', ticket.webapiUrl), {
          headers: { ...(await client.authHeaders(contextIdentifier)), Accept: 'application/json' },
          redirect: 'error',
          signal: AbortSignal.timeout(10_000),
        });
        await res.body?.cancel();
        // A short fingerprint, so the primary can see the workers shared a ticket without seeing it.
        const fingerprint = createHash('sha256').update(ticket.ticket).digest('hex').slice(0, 12);
        return { contextIdentifier, status: res.status, fingerprint };
      } catch (err) {
        return { contextIdentifier, error: err.code ?? err.message };
      }
    }),
  );
  process.send({ calls }, async () => {
    // v5 calls it close(), v4 quit().
    await (typeof redis.close === 'function' ? redis.close() : redis.quit()).catch(() => {});
    process.exit(0);
  });
}

/**
 * Starts `workers` cluster workers that each ask every tenant in `tenants` ({ ctx: systemUserToken }) for
 * a ticket and call its API once. Resolves to { calls: [{ worker, contextIdentifier, status,
 * fingerprint } | { worker, contextIdentifier, error }], background: [...] }.
 */
export async function runFleet({
  redisUrl,
  environment,
  baseUrl,
  applicationToken,
  privateKey,
  tenants,
  workers = 4,
  encryptionKey,
  log = () => {},
}) {
  cluster.setupPrimary({ exec: self, silent: false });
  const config = JSON.stringify({
    redisUrl,
    environment,
    baseUrl,
    applicationToken,
    privateKey,
    tenants,
    encryptionKey,
  });
  const calls = [];
  const background = [];
  await Promise.all(
    Array.from(
      { length: workers },
      (_, index) =>
        new Promise((resolve, reject) => {
          const worker = cluster.fork({ FLEET_CONFIG: config });
          worker.on('message', (message) => {
            if (message.background) background.push(message.background);
            if (message.calls) {
              for (const call of message.calls) calls.push({ worker: index, ...call });
              log(`worker ${index}: ${message.calls.length} tenants done`);
            }
          });
          worker.on('exit', (code, signal) =>
            code === 0 ? resolve() : reject(new Error(`worker ${index} exited with ${code ?? signal}`)),
          );
        }),
    ),
  );
  return { calls, background };
}

if (cluster.isWorker && process.env.FLEET_CONFIG) {
  await workerMain();
} else if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(self)) {
  const result = await runFleet({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    environment: process.env.SO_ENVIRONMENT,
    applicationToken: process.env.SO_APPLICATION_TOKEN,
    privateKey: readFileSync(process.env.SO_PRIVATE_KEY_FILE, 'utf8'),
    tenants: JSON.parse(process.env.SO_TENANTS),
    workers: Number(process.env.WORKERS ?? 4),
    encryptionKey: process.env.TICKET_CACHE_KEY,
    log: console.log,
  });
  for (const call of result.calls) console.log(JSON.stringify(call));
}
