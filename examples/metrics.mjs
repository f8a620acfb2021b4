// The clients' events as OpenTelemetry metrics: counters for what the clients decide (exchanges, cache
// hits, stale tickets served, tickets rejected, tenants moved or unavailable, rate limits) and
// histograms for how long exchanges, state lookups and JWKS fetches take.
//
// Two ways in, both shown: subscribe to the `superoffice-auth:*` diagnostics channels (Node, Deno,
// Bun: every client in the process, nothing to pass), or give a client `onEvent` (every runtime,
// Workers included). Events carry the tenant's context identifier, durations and outcomes, never a
// ticket or a secret; the tenant becomes an attribute only if you ask for it (`perTenant`), since a
// metric attribute per tenant multiplies series.
//
// @opentelemetry/api is this example's dependency, not the package's (which has none): install it
// beside your OpenTelemetry SDK. With no SDK registered the API's meter records nothing.
//
//   node examples/metrics.mjs      runs a few calls against the stand-in and prints what was counted
import crypto from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { metrics } from '@opentelemetry/api';
import { createSystemUserClient, EVENT_NAMES } from 'superoffice-auth';
import { startMockSuperOffice } from 'superoffice-auth/testing';

/**
 * A recorder for the clients' events on `meter` (default: the global meter provider's
 * `superoffice-auth` meter). Returns `{ onEvent, subscribe, unsubscribe }`: pass `onEvent` to a
 * client, or call `subscribe()` once to take every client's events from the diagnostics channels.
 */
export function createEventMetrics({ meter = metrics.getMeter('superoffice-auth'), perTenant = false } = {}) {
  const counters = {
    exchanges: meter.createCounter('superoffice_auth.exchanges', {
      description: 'ticket exchanges and token refreshes, by outcome',
    }),
    cacheHits: meter.createCounter('superoffice_auth.cache_hits', { description: 'callers served a cached ticket' }),
    staleServed: meter.createCounter('superoffice_auth.stale_tickets_served', {
      description: 'tickets served past their cache life while the exchange failed',
    }),
    rejected: meter.createCounter('superoffice_auth.tickets_rejected', {
      description: 'tickets the tenant refused (401 or a security exception)',
    }),
    slid: meter.createCounter('superoffice_auth.tickets_slid', {
      description: 'cached tickets whose life a proven use extended',
    }),
    moved: meter.createCounter('superoffice_auth.tenants_moved', {
      description: '421 answers followed to a new endpoint',
    }),
    unavailable: meter.createCounter('superoffice_auth.tenant_unavailable', {
      description: 'calls stopped because the tenant is not running, by state',
    }),
    rateLimited: meter.createCounter('superoffice_auth.rate_limited', {
      description: '429/503 answers asking to wait, by where',
    }),
  };
  const durations = {
    exchange: meter.createHistogram('superoffice_auth.exchange.duration', {
      unit: 'ms',
      description: 'ticket exchange and token refresh time',
    }),
    state: meter.createHistogram('superoffice_auth.tenant_state.duration', {
      unit: 'ms',
      description: 'state API lookup time',
    }),
    jwks: meter.createHistogram('superoffice_auth.jwks.duration', { unit: 'ms', description: 'JWKS fetch time' }),
  };
  const tenant = (event) => (perTenant && event.contextIdentifier ? { tenant: event.contextIdentifier } : {});

  function onEvent(event) {
    const base = { source: event.source, ...tenant(event) };
    switch (event.name) {
      case 'exchange:end':
        counters.exchanges.add(1, { ...base, outcome: event.outcome, ...(event.code ? { code: event.code } : {}) });
        durations.exchange.record(event.durationMs, { ...base, outcome: event.outcome });
        break;
      case 'cache:hit':
        counters.cacheHits.add(1, base);
        break;
      case 'ticket:stale':
        counters.staleServed.add(1, base);
        break;
      case 'ticket:rejected':
        counters.rejected.add(1, { ...base, via: event.via });
        break;
      case 'ticket:slid':
        counters.slid.add(1, base);
        break;
      case 'tenant:moved':
        counters.moved.add(1, base);
        break;
      case 'tenant:unavailable':
        counters.unavailable.add(1, { ...base, state: String(event.state) });
        break;
      case 'rate-limited':
        counters.rateLimited.add(1, { ...base, where: event.where });
        break;
      case 'tenant:state':
        durations.state.record(event.durationMs, { ...base, outcome: event.outcome });
        break;
      case 'jwks:fetch':
        durations.jwks.record(event.durationMs, { ...base, outcome: event.outcome });
        break;
      default:
        break; // an event added in a later version: not counted here
    }
  }

  const subscribed = [];
  return {
    onEvent,
    /** Takes every client's events from the `superoffice-auth:{name}` diagnostics channels. */
    subscribe() {
      for (const name of EVENT_NAMES) {
        const channel = `superoffice-auth:${name}`;
        diagnosticsChannel.subscribe(channel, onEvent);
        subscribed.push(channel);
      }
    },
    unsubscribe() {
      for (const channel of subscribed.splice(0)) diagnosticsChannel.unsubscribe(channel, onEvent);
    },
  };
}

/** Against the stand-in: a client subscribed through the channels makes a few calls; `meter` records them. */
export async function runMetricsExample({ meter, log = console.log } = {}) {
  const mock = await startMockSuperOffice();
  const recorder = createEventMetrics({ meter });
  recorder.subscribe();
  try {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const applicationToken = `example-app-${crypto.randomBytes(12).toString('hex')}`;
    const tenant = {
      contextIdentifier: 'Cust12345',
      systemUserToken: `Example-${crypto.randomBytes(8).toString('base64url')}`,
    };
    mock.registerApplication({ applicationToken, publicKey });
    mock.addTenant(tenant);
    const client = createSystemUserClient({
      baseUrl: mock.baseUrl,
      applicationToken,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    for (let i = 0; i < 3; i += 1) {
      const res = await client.fetch(tenant, 'v1/User/currentPrincipal');
      log(`call ${i + 1}: HTTP ${res.status}`);
      await res.arrayBuffer();
    }
    return { stats: mock.stats };
  } finally {
    recorder.unsubscribe();
    await mock.close();
  }
}

function isMain() {
  try {
    return pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMain()) {
  // No SDK here: print the events as they come, to show what a meter would be given.
  const shown = [];
  const printer = { createCounter: () => ({ add: () => {} }), createHistogram: () => ({ record: () => {} }) };
  for (const name of EVENT_NAMES)
    diagnosticsChannel.subscribe(`superoffice-auth:${name}`, (event) => shown.push(event));
  runMetricsExample({ meter: printer }).then(
    () => {
      for (const event of shown) console.log(JSON.stringify(event));
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
