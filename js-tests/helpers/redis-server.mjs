// A real redis-server for the tests (Debian's package; `npm test` installs it when missing), started on
// a free loopback port with its own data directory and no persistence, and stopped by the test.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Answers PONG to an inline PING: the server is accepting commands.
function ping(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\r\n')) {
        socket.end();
        resolve(text.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(text.startsWith('+PONG')));
  });
}

/** Starts redis-server; returns { port, url, stop(), start() } (start again on the same port after stop). */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'superoffice-auth-redis-'));
  let child = null;

  async function start() {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.exited = exited;
    const until = Date.now() + 10_000;
    for (;;) {
      if (await ping(port)) return;
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > until) throw new Error('redis-server did not start within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function stop() {
    if (!child) return;
    const current = child;
    child = null;
    if (current.exitCode === null) {
      current.kill('SIGKILL');
      await current.exited;
    }
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The Redis clients are the workspace's devDependencies, not the package's: the scratch project holds
// only superoffice-auth, so they load from the repository (npm test sets SUPEROFFICE_AUTH_REPO).
function repoRequire() {
  const repo = process.env.SUPEROFFICE_AUTH_REPO;
  if (!repo) throw new Error('SUPEROFFICE_AUTH_REPO is not set: run these tests through `npm test`');
  return createRequire(join(repo, 'package.json'));
}

export const CLIENT_KINDS = ['node-redis v4', 'node-redis v5', 'ioredis'];

/** A connected client of the given kind, with an error listener (node-redis throws without one). */
export async function connectRedis(kind, url, { onError = () => {} } = {}) {
  const require = repoRequire();
  if (kind === 'ioredis') {
    const Redis = require('ioredis');
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    client.on('error', onError);
    await client.connect();
    return { client, close: () => client.disconnect() };
  }
  const { createClient } = require(kind === 'node-redis v4' ? 'redis4' : 'redis');
  const client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 500) } });
  client.on('error', onError);
  await client.connect();
  return {
    client,
    close: async () => {
      try {
        // v5 has destroy(); v4 only disconnect().
        if (typeof client.destroy === 'function') client.destroy();
        else if (client.isOpen) await client.disconnect();
      } catch {
        // already closed
      }
    },
  };
}

/** Every key and value in the server (SCAN + GET), through a raw ioredis connection. */
export async function dumpRedis(url) {
  const { client, close } = await connectRedis('ioredis', url);
  try {
    const out = new Map();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) out.set(key, await client.get(key));
    } while (cursor !== '0');
    return out;
  } finally {
    close();
  }
}

/** Empties the server, so a later scan sees only what one test wrote. */
export async function flushRedis(url) {
  const { client, close } = await connectRedis('ioredis', url);
  try {
    await client.flushall();
  } finally {
    close();
  }
}
