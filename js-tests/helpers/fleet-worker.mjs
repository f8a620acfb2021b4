// One process of a fleet (run by redis.test.mjs with child_process.fork): a system-user client on a
// Redis ticket cache. It connects, says 'ready', and on 'go' asks for every tenant's ticket with several
// concurrent callers, checks each ticket at the tenant API, and sends back what it got.
import { createSystemUserClient } from 'superoffice-auth';
import { createRedisTicketCache } from 'superoffice-auth/redis';
import { connectRedis } from './redis-server.mjs';

const config = JSON.parse(process.env.FLEET_WORKER_CONFIG);
const background = [];
const { client: redis, close } = await connectRedis(config.clientKind, config.redisUrl);
const cache = createRedisTicketCache({
  client: redis,
  keyPrefix: config.keyPrefix,
  ...(config.encryptionKey ? { encryptionKey: Buffer.from(config.encryptionKey, 'base64') } : {}),
});
const client = createSystemUserClient({
  baseUrl: config.baseUrl,
  applicationToken: config.applicationToken,
  privateKey: config.privateKey,
  cache,
  systemUserTokens: config.tenants,
  timeoutMs: config.timeoutMs,
  onBackgroundError: (err, info) => background.push(`${info.during}: ${err?.message}`),
});

async function checkAtApi(result) {
  const res = await fetch(new URL('v1/User/currentPrincipal', result.webapiUrl), {
    headers: await client.authHeaders(result.contextIdentifier),
  });
  return res.status;
}

process.on('message', async (message) => {
  if (message !== 'go') return;
  const tenants = Object.keys(config.tenants);
  const errors = [];
  const tickets = {};
  const calls = [];
  for (const contextIdentifier of tenants) {
    for (let i = 0; i < config.callers; i += 1) {
      calls.push(
        client.getTicket({ contextIdentifier }).then(
          (result) => {
            tickets[contextIdentifier] ??= new Set();
            tickets[contextIdentifier].add(result.ticket);
            return result;
          },
          (err) => {
            errors.push(`${contextIdentifier}: ${err.code} ${err.message}`);
            return null;
          },
        ),
      );
    }
  }
  const results = await Promise.all(calls);
  const statuses = {};
  if (config.checkApi) {
    for (const contextIdentifier of tenants) {
      const result = results.find((r) => r && r.contextIdentifier === contextIdentifier);
      if (result) statuses[contextIdentifier] = await checkAtApi(result);
    }
  }
  process.send(
    {
      done: true,
      errors,
      background,
      statuses,
      tickets: Object.fromEntries(Object.entries(tickets).map(([ctx, set]) => [ctx, [...set]])),
    },
    async () => {
      await close();
      process.exit(0);
    },
  );
});
process.send({ ready: true });
