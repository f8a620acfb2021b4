// superoffice-auth/redis, ESM side, type-checked: clients by shape, the result as a client's cache.
import {
  createSystemUserClient,
  createMemoryCache,
  type TicketCache,
  type BackgroundErrorDuring,
} from 'superoffice-auth';
import { createRedisTicketCache, RedisTicketCacheError, type RedisTicketCache } from 'superoffice-auth/redis';

// What a node-redis client offers (the real one has much more).
const nodeRedis = { isReady: true, sendCommand: async (args: string[]) => args.length };
// What an ioredis client offers.
const ioredis = { status: 'ready', call: async (command: string, ...args: string[]) => [command, ...args] };

const cache: RedisTicketCache = createRedisTicketCache({
  client: nodeRedis,
  keyPrefix: 'app:',
  encryptionKey: new Uint8Array(32),
});
const other: TicketCache = createRedisTicketCache({ client: ioredis, commandTimeoutMs: 500 });
const token: string | null = await cache.lock('k', 1000);
const removed: boolean = await cache.deleteIfTicket('k', '7T:x');
const client = createSystemUserClient({
  environment: 'sod',
  applicationToken: 'a',
  privateKey: 'k',
  cache,
  onBackgroundError: (error, info) => {
    const during: BackgroundErrorDuring = info.during;
    if (error instanceof RedisTicketCacheError) void [during, error.message];
  },
});
const memory: TicketCache = createMemoryCache({ now: () => 0 });
// A plain get/set/delete store still fits.
const plain: TicketCache = { get: () => undefined, set: () => {}, delete: () => {} };
// @ts-expect-error: encryptionKey is bytes, not text
createRedisTicketCache({ client: nodeRedis, encryptionKey: 'a key' });
// @ts-expect-error: not a Redis client
createRedisTicketCache({ client: { get: () => 1 } });
void [other, token, removed, client, memory, plain];
