'use strict';
// What the clients decide, published as events: to Node's diagnostics_channel (one channel per event,
// named `superoffice-auth:{name}`, the way undici publishes `undici:request:create` and its siblings),
// and to the client's `onEvent` option, which works in every runtime.
//
// Decisions:
// - An event is a plain object `{ name, contextIdentifier?, ...fields }`: durations in milliseconds
//   (`durationMs`), instants as Date (`validUntil`, `until`), outcomes as short words, error codes as
//   codes. Never a ticket, token, key, secret, header or body: the fields are chosen here, per event,
//   from values that are public (tenant ids, host origins, states, status codes).
// - Channels are looked up once per name and published to only when someone subscribes
//   (`hasSubscribers`), so an unobserved client pays one property read per decision.
// - diagnostics_channel is optional: where the runtime does not hand it out (workerd without
//   nodejs_compat, browsers, Node before 20.16) the channels do not exist and onEvent is the only route.
// - An onEvent that throws (or rejects) must not break a call: the error is swallowed here. A channel
//   subscriber that throws is Node's business: diagnostics_channel reports it as an uncaught exception
//   on the next tick, for undici's channels as for ours, and the call goes on.

const CHANNEL_PREFIX = 'superoffice-auth:';

// Every event the clients publish, with what it means; the README's table and index.d.ts list the same.
/** @type {readonly import('superoffice-auth').ClientEventName[]} */
const EVENT_NAMES = Object.freeze([
  'exchange:start', // a ticket exchange (or refresh-token grant) is sent: { reason }
  'exchange:end', // it finished: { durationMs, outcome: 'ok' | 'error', code?, status? }
  'cache:hit', // a caller was served a cached ticket: { ageMs }
  'ticket:stale', // a ticket past its cache life was served because its replacement could not be had
  'ticket:rejected', // the tenant refused a ticket (401 or a security ExceptionInfo): { retried }
  'ticket:slid', // a proven use extended a cached ticket's life: { usableUntil }
  'tenant:state', // the state API answered (or failed): { durationMs, outcome, state?, stateCode?, isRunning?, validUntil? }
  'tenant:moved', // the tenant answered 421 and the state API named another endpoint: { from, to }
  'tenant:unavailable', // a call failed fast, or was stopped, because the tenant is not running: { state, stateCode, validUntil }
  'rate-limited', // SuperOffice asked us to wait (429 or 503 with Retry-After): { where, status, retryAfterMs, until }
  'jwks:fetch', // the key set was fetched: { durationMs, outcome }
]);

let channelModule; // undefined: not looked up yet; null: not available here

function diagnosticsChannel() {
  if (channelModule === undefined) {
    try {
      // Through process.getBuiltinModule rather than require: the clients import no Node built-in (they
      // run in Workers and browsers too), and Node (20.16 and later), Deno and Bun all answer it.
      const load = globalThis.process?.getBuiltinModule;
      const dc = typeof load === 'function' ? load('node:diagnostics_channel') : null;
      channelModule = dc && typeof dc.channel === 'function' ? dc : null;
    } catch {
      channelModule = null;
    }
  }
  return channelModule;
}

const channels = new Map();
function channelFor(name) {
  let channel = channels.get(name);
  if (channel === undefined) {
    const dc = diagnosticsChannel();
    channel = dc ? dc.channel(CHANNEL_PREFIX + name) : null;
    channels.set(name, channel);
  }
  return channel;
}

/**
 * `emit(name, fields)` publishes one event. `onEvent` (optional) receives every event; `source` names
 * the client ('system-user' or 'refresh-token') in each.
 */
function createEmitter({ onEvent, source }) {
  function emit(name, fields) {
    const channel = channelFor(name);
    const observed = Boolean(channel?.hasSubscribers);
    if (!observed && !onEvent) return;
    const event = { name, source, ...fields };
    if (observed) {
      channel.publish(event);
    }
    if (onEvent) {
      try {
        const result = onEvent(event);
        if (result && typeof result.catch === 'function') result.catch(() => {});
      } catch {
        // Likewise: observing the client must not break it.
      }
    }
  }
  /**
   * Times `work()` (a promise) and emits `end` with durationMs and outcome, plus `fields(result)`.
   * @param {string} end
   * @param {object} base
   * @param {() => Promise<any>} work
   * @param {(result: any) => object} [fields]
   * @param {(err: any) => object} [failed]
   */
  async function timed(
    end,
    base,
    work,
    fields = () => ({}),
    failed = (err) => ({ code: err?.code, status: err?.status }),
  ) {
    const started = Date.now();
    try {
      const result = await work();
      emit(end, { ...base, durationMs: Date.now() - started, outcome: 'ok', ...fields(result) });
      return result;
    } catch (err) {
      emit(end, { ...base, durationMs: Date.now() - started, outcome: 'error', ...failed(err) });
      throw err;
    }
  }
  return { emit, timed };
}

module.exports = { createEmitter, EVENT_NAMES, CHANNEL_PREFIX };
