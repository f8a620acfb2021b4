// examples/metrics.mjs: the clients' events become OpenTelemetry counters and histograms. The example's
// dependency (@opentelemetry/api) and the SDK that reads the numbers back (@opentelemetry/sdk-metrics)
// are the workspace's dev dependencies, linked into the scratch project the tests run in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = process.env.SUPEROFFICE_AUTH_REPO;
const scratchModules = join(dirname(dirname(fileURLToPath(import.meta.url))), 'node_modules');

test('examples/metrics.mjs counts exchanges and cache hits and times exchanges, from the diagnostics channels', async () => {
  assert.ok(repo, 'SUPEROFFICE_AUTH_REPO names the workspace (scripts/test.mjs sets it)');
  const target = join(scratchModules, '@opentelemetry');
  if (!existsSync(target)) symlinkSync(join(repo, 'node_modules', '@opentelemetry'), target, 'dir');
  const { MeterProvider, MetricReader } = createRequire(join(repo, 'package.json'))('@opentelemetry/sdk-metrics');
  class InMemoryReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const reader = new InMemoryReader();
  const provider = new MeterProvider({ readers: [reader] });
  const { runMetricsExample } = await import('../examples/metrics.mjs');
  const lines = [];
  const { stats } = await runMetricsExample({
    meter: provider.getMeter('superoffice-auth'),
    log: (l) => lines.push(l),
  });
  assert.deepEqual(lines, ['call 1: HTTP 200', 'call 2: HTTP 200', 'call 3: HTTP 200']);
  const { resourceMetrics } = await reader.collect();
  const metrics = new Map(
    resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((m) => [m.descriptor.name, m]),
  );
  const sum = (name) => (metrics.get(name)?.dataPoints ?? []).reduce((total, point) => total + point.value, 0);
  assert.equal(sum('superoffice_auth.exchanges'), stats.authenticate);
  assert.equal(stats.authenticate, 1);
  assert.deepEqual(metrics.get('superoffice_auth.exchanges').dataPoints[0].attributes, {
    source: 'system-user',
    outcome: 'ok',
  });
  assert.equal(sum('superoffice_auth.cache_hits'), 2, 'calls 2 and 3 were served the cached ticket');
  const durations = metrics.get('superoffice_auth.exchange.duration').dataPoints;
  assert.equal(durations[0].value.count, 1);
  assert.ok(durations[0].value.sum >= 0);
  assert.equal(metrics.get('superoffice_auth.jwks.duration').dataPoints[0].value.count, 1);
  await provider.shutdown();
});
