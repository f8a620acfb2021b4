// ESM entry for `superoffice-auth/redis` (Node only: it seals with node:crypto).
import redis from './redis.cjs';

export const {
  createRedisTicketCache,
  RedisTicketCacheError,
  createRedisWebhookEventStore,
  RedisWebhookEventStoreError,
} = redis;
export default redis;
