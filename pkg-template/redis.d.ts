// Types for `superoffice-auth/redis`: a TicketCache on Redis for a fleet of processes (Node only).
/**
 * A `TicketCache` on Redis: one exchange per tenant across a fleet of processes (Node only).
 *
 * @module superoffice-auth/redis
 */

import type { TicketCache, WebhookEventStore } from './index.js';

/**
 * What the adapter needs of node-redis (v4, v5): `sendCommand([name, ...args])` and `isReady`.
 * A connected `createClient()` result fits.
 */
export interface NodeRedisLike {
  /** Sends one command, `[name, ...args]`. */
  sendCommand(args: string[]): Promise<unknown>;
  readonly isReady: boolean;
}

/** What the adapter needs of ioredis: `call(name, ...args)` and `status` (`'ready'` once connected). */
export interface IoRedisLike {
  /** Sends one command. */
  call(command: string, ...args: string[]): Promise<unknown>;
  readonly status: string;
}

/** Options of `createRedisTicketCache`. */
export interface RedisTicketCacheOptions {
  /** A client the caller creates and connects; the adapter never connects, quits or duplicates it. */
  client: NodeRedisLike | IoRedisLike;
  /** Put before every key (a namespace in a shared Redis); default ''. */
  keyPrefix?: string;
  /**
   * 32 bytes (e.g. `Buffer.from(process.env.TICKET_CACHE_KEY, 'base64')`): values are sealed with
   * AES-256-GCM, bound to their key name. Without it the ticket records sit in Redis as plain JSON:
   * readable by whoever can read Redis, yet never usable by a writer to steer a client, which accepts
   * only records carrying its own tag (keyed from the application token) and naming SuperOffice's hosts.
   */
  encryptionKey?: Uint8Array;
  /** Bound on every Redis command; default 1000. */
  commandTimeoutMs?: number;
}

/** A TicketCache with every optional method: fleet-wide locks and atomic compare-and-delete. */
export interface RedisTicketCache extends TicketCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  deleteIfTicket(key: string, ticket: string): Promise<boolean>;
  lock(key: string, ttlMs: number): Promise<string | null>;
  extendLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  unlock(key: string, token: string): Promise<boolean>;
  /** Settings only (client kind, prefix, whether values are sealed); never a key or value. */
  toJSON(): Record<string, unknown>;
}

/** Pass the result as `createSystemUserClient({ cache })`. */
export declare function createRedisTicketCache(options: RedisTicketCacheOptions): RedisTicketCache;

/** What reaches onBackgroundError when Redis fails: the command's name and Redis's reason, never its arguments. */
export declare class RedisTicketCacheError extends Error {
  name: 'RedisTicketCacheError';
}

/** Options of `createRedisWebhookEventStore`. */
export interface RedisWebhookEventStoreOptions {
  /** A client the caller creates and connects; the store never connects, quits or duplicates it. */
  client: NodeRedisLike | IoRedisLike;
  /** Put before every key (`{keyPrefix}webhook-event:{EventId}`); default ''. */
  keyPrefix?: string;
  /** Bound on every Redis command; default 1000. */
  commandTimeoutMs?: number;
}

/** A WebhookEventStore on Redis: one atomic SET NX PX per claim, so a fleet handles each event once. */
export interface RedisWebhookEventStore extends WebhookEventStore {
  claim(eventId: string, ttlMs: number): Promise<boolean>;
  release(eventId: string): Promise<void>;
  /** Settings only (client kind, prefix). */
  toJSON(): Record<string, unknown>;
}

/** Pass the result as `createWebhookHandler({ eventStore })` in every process of the fleet. */
export declare function createRedisWebhookEventStore(options: RedisWebhookEventStoreOptions): RedisWebhookEventStore;

/** What reaches the webhook handler's onError when the event store's Redis fails: never an argument. */
export declare class RedisWebhookEventStoreError extends Error {
  name: 'RedisWebhookEventStoreError';
}
