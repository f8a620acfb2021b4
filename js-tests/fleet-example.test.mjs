// examples/fleet.mjs: node:cluster workers sharing tickets through a real redis-server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runFleet } from '../examples/fleet.mjs';
import { standIn } from './helpers/stand-in.mjs';
import { startRedis, dumpRedis } from './helpers/redis-server.mjs';

test('fleet example: 4 cluster workers x 5 tenants share one ticket per tenant through Redis, sealed', async () => {
  const server = await startRedis();
  const s = await standIn({ tenants: 5 });
  process.env.FLEET_REDIS_FROM = join(process.env.SUPEROFFICE_AUTH_REPO, 'package.json');
  try {
    const { calls, background } = await runFleet({
      redisUrl: server.url,
      baseUrl: s.mock.baseUrl,
      applicationToken: s.applicationToken,
      privateKey: s.keys.pkcs8,
      tenants: s.tenants,
      workers: 4,
      encryptionKey: randomBytes(32).toString('base64'),
    });
    assert.deepEqual(background, []);
    assert.equal(calls.length, 20);
    for (const call of calls) assert.equal(call.status, 200, JSON.stringify(call));
    for (const ctx of Object.keys(s.tenants)) {
      const fingerprints = new Set(calls.filter((c) => c.contextIdentifier === ctx).map((c) => c.fingerprint));
      assert.equal(fingerprints.size, 1, `${ctx}: one ticket in all workers`);
    }
    assert.equal(s.mock.stats.authenticate, 5, 'one exchange per tenant');
    const values = [...(await dumpRedis(server.url)).values()];
    assert.equal(values.length, 5);
    for (const value of values) assert.ok(value.startsWith('s1.') && !value.includes('7T:'));
  } finally {
    delete process.env.FLEET_REDIS_FROM;
    await s.mock.close();
    await server.close();
  }
});
