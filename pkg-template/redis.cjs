'use strict';
// `superoffice-auth/redis`: a TicketCache on a Redis client the caller creates and connects (node-redis
// v4 or v5, or ioredis), so a fleet of processes shares one ticket per tenant and one exchange at a time.
//
// Node only: it seals values with node:crypto (AES-256-GCM). The package keeps zero runtime
// dependencies: the Redis client is the caller's, told apart by its shape, and spoken to through its
// generic command call (node-redis `sendCommand([...])`, ioredis `call(name, ...args)`), so no
// client-version-specific helper (`set(k, v, { PX })` vs `set(k, v, 'PX', ms)`) is needed.
//
// What sits in Redis, per tenant (`{keyPrefix}{client key}`): the ticket record the client stores (the
// ticket, its claims, when it was obtained), for as long as the ticket is usable (at most 6 hours), as
// `p1.{fingerprint}.{JSON}` or, with `encryptionKey`, as `s1.{fingerprint}.{iv}.{ciphertext+tag}`
// sealed with AES-256-GCM and bound to its key name (associated data), so a value copied under another
// key does not open. The fingerprint (an HMAC of the ticket, keyed by the encryption key when there is
// one) lets a Lua script delete "this ticket and no other" without reading the value. Beside it, for
// seconds at a time, a lock (`{keyPrefix}lock:{client key}`, a random token) and, after a failed
// refresh, a retry record (when the fleet may try again).
//
// Everything read back is untrusted: a value that does not parse, does not open or was sealed for
// another key is a miss. The fingerprint of a plain value is keyed by a public constant (it only lets
// the Lua script match "this ticket"), so a plain value proves nothing: the client checks every record
// itself (tenant, types, age, its own authentication tag under a key derived from the application
// token, which this store never sees, and URLs on SuperOffice's hosts).

const crypto = require('node:crypto');
const { inspect } = require('node:util');
const { invalidArgument } = require('./errors.cjs');

const SEALED = 's1';
const PLAIN = 'p1';
// Values are a few KiB (a ticket and its claims); anything far larger is not ours.
const MAX_VALUE_LENGTH = 64 * 1024;
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
const OPTION_NAMES = new Set(['client', 'keyPrefix', 'encryptionKey', 'commandTimeoutMs']);

// Only the holder may release or extend a lock: compare the token and act in one step.
const UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const EXTEND =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
// Delete the record only while it still holds the ticket whose fingerprint starts the value.
const DELETE_IF =
  "local v = redis.call('GET', KEYS[1]) if v and string.sub(v, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** The Redis failure the client reports to onBackgroundError: the command's name, never its arguments. */
class RedisTicketCacheError extends Error {
  /** @type {'RedisTicketCacheError'} */
  name = 'RedisTicketCacheError';
}

/**
 * The one place that knows the two client families. Returns `send(args)` -> Promise<reply> and
 * `ready()` -> boolean, or throws when `client` is neither.
 */
function adapt(client) {
  if (client === null || (typeof client !== 'object' && typeof client !== 'function')) {
    throw invalidArgument('client must be a node-redis or ioredis client');
  }
  // ioredis: `call(name, ...args)`, `status` a string ('ready' once connected).
  if (typeof client.call === 'function' && typeof client.status === 'string') {
    return {
      kind: 'ioredis',
      ready: () => client.status === 'ready',
      send: (args) => client.call(...args),
    };
  }
  // node-redis v4 and v5: `sendCommand([name, ...args])`, `isReady` a boolean.
  if (typeof client.sendCommand === 'function' && typeof client.isReady === 'boolean') {
    return {
      kind: 'node-redis',
      ready: () => client.isReady,
      send: (args) => client.sendCommand(args),
    };
  }
  throw invalidArgument('client must be a node-redis (v4, v5) or ioredis client');
}

/**
 * `command(args)` for one client: refused at once when the client is not connected (so nothing piles
 * up in the client's offline queue to run, stale, after a reconnect), bounded by commandTimeoutMs,
 * and its failure reworded without the arguments (ioredis attaches them, and they can hold a ticket).
 */
function commander(redis, commandTimeoutMs, ErrorClass) {
  return async function command(args) {
    const name = args[0];
    if (!redis.ready()) throw new ErrorClass(`Redis ${name}: the client is not connected`);
    let timer;
    const timeout = new Promise((_, reject) => {
      // One setImmediate more: when the event loop was busy, timers run before pending socket reads,
      // and an answer that did arrive in time must win.
      timer = setTimeout(
        () => setImmediate(() => reject(new ErrorClass(`Redis ${name}: no answer within ${commandTimeoutMs} ms`))),
        commandTimeoutMs,
      );
    });
    const sent = Promise.resolve().then(() => redis.send(args));
    sent.catch(() => {}); // settles after the timeout won: nobody listens any more
    try {
      return await Promise.race([sent, timeout]);
    } catch (err) {
      if (err instanceof ErrorClass) throw err;
      const reason = String(err?.message || err).slice(0, 200);
      throw new ErrorClass(`Redis ${name} failed: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  };
}

function checkTimeout(commandTimeoutMs) {
  if (
    typeof commandTimeoutMs !== 'number' ||
    !Number.isFinite(commandTimeoutMs) ||
    commandTimeoutMs < 1 ||
    commandTimeoutMs > 60_000
  ) {
    throw invalidArgument('commandTimeoutMs must be a number from 1 to 60000');
  }
}

function toKeyBytes(encryptionKey) {
  if (encryptionKey === undefined) return null;
  if (!(encryptionKey instanceof Uint8Array) || encryptionKey.byteLength !== 32) {
    throw invalidArgument('encryptionKey must be 32 bytes (a Buffer or Uint8Array)');
  }
  return Buffer.from(encryptionKey);
}

/**
 * @param {object} options
 * @param {object} options.client a connected node-redis (v4, v5) or ioredis client
 * @param {string} [options.keyPrefix=''] put before every key (a namespace in a shared Redis)
 * @param {Uint8Array} [options.encryptionKey] 32 bytes: seal values with AES-256-GCM
 * @param {number} [options.commandTimeoutMs=1000] bound on every Redis command
 */
function createRedisTicketCache(options) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw invalidArgument(`unknown option ${name}`);
  }
  const { client, keyPrefix = '', encryptionKey, commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS } = options;
  const redis = adapt(client);
  if (typeof keyPrefix !== 'string') throw invalidArgument('keyPrefix must be a string');
  checkTimeout(commandTimeoutMs);
  const secret = toKeyBytes(encryptionKey);
  // Two keys from one: the cipher's and the fingerprint's (never use one key for two jobs).
  const sealKey =
    secret && Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'superoffice-auth redis seal v1', 32));
  const fingerprintKey = secret
    ? Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'superoffice-auth redis fingerprint v1', 32))
    : Buffer.from('superoffice-auth redis fingerprint v1');

  const recordKey = (key) => `${keyPrefix}${key}`;
  const lockKey = (key) => `${keyPrefix}lock:${key}`;

  const command = commander(redis, commandTimeoutMs, RedisTicketCacheError);

  function fingerprint(name, ticket) {
    return crypto.createHmac('sha256', fingerprintKey).update(`${name}\n${ticket}`).digest('base64url').slice(0, 22);
  }

  function encode(name, value) {
    const json = JSON.stringify(value);
    const ticket = value && typeof value === 'object' && typeof value.ticket === 'string' ? value.ticket : '';
    const fp = fingerprint(name, ticket);
    if (!sealKey) return `${PLAIN}.${fp}.${json}`;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', sealKey, iv);
    // The key name and the fingerprint are bound to the ciphertext: a value moved to another key, or
    // given another fingerprint, does not open.
    cipher.setAAD(Buffer.from(`${SEALED}\n${name}\n${fp}`));
    const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED}.${fp}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  // Anything that is not exactly what encode() writes, for this key and this configuration, is a miss.
  function decode(name, text) {
    if (typeof text !== 'string' || text.length > MAX_VALUE_LENGTH) return undefined;
    const parts = text.split('.');
    let json;
    if (sealKey) {
      if (parts.length !== 4 || parts[0] !== SEALED) return undefined;
      const [, fp, ivText, bodyText] = parts;
      const iv = Buffer.from(ivText, 'base64url');
      const body = Buffer.from(bodyText, 'base64url');
      if (iv.length !== 12 || body.length < 17) return undefined;
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', sealKey, iv);
        decipher.setAAD(Buffer.from(`${SEALED}\n${name}\n${fp}`));
        decipher.setAuthTag(body.subarray(body.length - 16));
        json = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    } else {
      // JSON holds dots: the prefix is the first two parts, the rest is the value.
      if (parts.length < 3 || parts[0] !== PLAIN) return undefined;
      json = text.slice(PLAIN.length + parts[1].length + 2);
    }
    try {
      const value = JSON.parse(json);
      // The fingerprint must belong to the ticket inside: deleteIfTicket trusts it.
      const ticket = value && typeof value === 'object' && typeof value.ticket === 'string' ? value.ticket : '';
      if (parts[1] !== fingerprint(name, ticket)) return undefined;
      return value;
    } catch {
      return undefined;
    }
  }

  const description = () => ({
    client: redis.kind,
    keyPrefix,
    encrypted: Boolean(sealKey),
    commandTimeoutMs,
  });

  const cache = {
    async get(key) {
      const name = recordKey(key);
      return decode(name, await command(['GET', name]));
    },
    async set(key, value, ttlMs) {
      const name = recordKey(key);
      await command(['SET', name, encode(name, value), 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
    },
    async delete(key) {
      await command(['DEL', recordKey(key)]);
    },
    /** Deletes the record only while it holds `ticket` (one Lua script, so a newer ticket survives). */
    async deleteIfTicket(key, ticket) {
      const name = recordKey(key);
      const prefix = `${sealKey ? SEALED : PLAIN}.${fingerprint(name, ticket)}.`;
      return Number(await command(['EVAL', DELETE_IF, '1', name, prefix])) === 1;
    },
    /** SET NX PX with a random token: the token when taken, null when someone else holds it. */
    async lock(key, ttlMs) {
      const token = crypto.randomBytes(16).toString('base64url');
      const reply = await command(['SET', lockKey(key), token, 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
      return reply === 'OK' ? token : null;
    },
    async extendLock(key, token, ttlMs) {
      return (
        Number(await command(['EVAL', EXTEND, '1', lockKey(key), token, String(Math.max(1, Math.ceil(ttlMs)))])) === 1
      );
    },
    async unlock(key, token) {
      return Number(await command(['EVAL', UNLOCK, '1', lockKey(key), token])) === 1;
    },
    [inspect.custom]() {
      return `RedisTicketCache ${inspect(description())}`;
    },
    toJSON() {
      return description();
    },
  };
  return Object.freeze(cache);
}

/** What a webhook handler's onError receives when the event store's Redis fails: never an argument. */
class RedisWebhookEventStoreError extends Error {
  /** @type {'RedisWebhookEventStoreError'} */
  name = 'RedisWebhookEventStoreError';
}

const STORE_OPTION_NAMES = new Set(['client', 'keyPrefix', 'commandTimeoutMs']);

/**
 * The webhook receiver's duplicate window on Redis, shared by a fleet: a claimed EventId is the key
 * `{keyPrefix}webhook-event:{EventId}`, set with NX and an expiry (one atomic SET: of two processes
 * given the same delivery, one handles it), deleted again when handling fails so SuperOffice's retry
 * is handled. EventIds are printable ASCII (the core checks), so they make safe key names.
 * @param {object} options
 * @param {object} options.client a connected node-redis (v4, v5) or ioredis client
 * @param {string} [options.keyPrefix=''] put before every key
 * @param {number} [options.commandTimeoutMs=1000] bound on every Redis command
 */
function createRedisWebhookEventStore(options) {
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object');
  for (const name of Object.keys(options)) {
    if (!STORE_OPTION_NAMES.has(name)) throw invalidArgument(`unknown option ${name}`);
  }
  const { client, keyPrefix = '', commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS } = options;
  const redis = adapt(client);
  if (typeof keyPrefix !== 'string') throw invalidArgument('keyPrefix must be a string');
  checkTimeout(commandTimeoutMs);
  const command = commander(redis, commandTimeoutMs, RedisWebhookEventStoreError);
  const key = (eventId) => `${keyPrefix}webhook-event:${eventId}`;
  const description = () => ({ client: redis.kind, keyPrefix, commandTimeoutMs });
  return Object.freeze({
    async claim(eventId, ttlMs) {
      const reply = await command(['SET', key(eventId), '1', 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
      return reply === 'OK';
    },
    async release(eventId) {
      await command(['DEL', key(eventId)]);
    },
    [inspect.custom]() {
      return `RedisWebhookEventStore ${inspect(description())}`;
    },
    toJSON() {
      return description();
    },
  });
}

module.exports = /** @satisfies {typeof import('superoffice-auth/redis')} */ ({
  createRedisTicketCache,
  RedisTicketCacheError,
  createRedisWebhookEventStore,
  RedisWebhookEventStoreError,
});
