// superoffice-auth/redis through require(), type-checked.
import auth = require('superoffice-auth');
import redis = require('superoffice-auth/redis');

const cache: redis.RedisTicketCache = redis.createRedisTicketCache({
  client: { isReady: true, sendCommand: async () => 'OK' },
});
const client: auth.SystemUserClient = auth.createSystemUserClient({
  environment: 'sod',
  applicationToken: 'a',
  privateKey: 'k',
  cache,
});
void client;
