// Runs a Worker in the real workerd, as `wrangler dev` would but without wrangler: esbuild bundles the
// Worker the way wrangler does (export conditions workerd, worker, browser; `.wasm` imports kept as
// separate CompiledWasm modules), then a workerd config lists the modules and serves them on loopback.
// No nodejs_compat flag: the Worker gets web-standard APIs only. Used by the runtime tests, the
// Cloudflare Worker example's test and the benchmark.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { root } from './lib.mjs';

export const WORKERD = join(root, 'node_modules', '.bin', 'workerd');
// A date this workerd knows; newer dates are refused by older binaries.
const COMPATIBILITY_DATE = '2025-09-01';

/**
 * Bundles `entry` (resolving packages from its own folder, as wrangler resolves from the project) into
 * `outDir`/worker.mjs, copying each imported `.wasm` beside it. Returns { modules, inputs }.
 */
export async function bundleWorker({ entry, outDir }) {
  mkdirSync(outDir, { recursive: true });
  const wasm = new Map();
  const result = await build({
    entryPoints: [entry],
    outfile: join(outDir, 'worker.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'compiled-wasm',
        setup(b) {
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            const file = resolve(args.resolveDir, args.path);
            wasm.set(basename(file), file);
            return { path: `./${basename(file)}`, external: true };
          });
        },
      },
    ],
  });
  const modules = [{ name: 'worker.mjs', type: 'esModule' }];
  for (const [name, file] of wasm) {
    copyFileSync(file, join(outDir, name));
    modules.push({ name, type: 'wasm' });
  }
  return { modules, inputs: Object.keys(result.metafile.inputs) };
}

/** A free loopback port (there is a short race before workerd binds it; fine for tests). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function capnpString(value) {
  return JSON.stringify(value);
}

/**
 * Writes `dir`/config.capnp for the bundled modules and starts `workerd serve`. Text bindings become
 * `env.NAME`. Outbound fetches may reach loopback only (the stand-in). Resolves once the socket answers.
 */
export async function startWorkerd({ dir, modules, bindings = {}, port }) {
  port ??= await freePort();
  const moduleList = modules
    .map(({ name, type }) => `(name = ${capnpString(name)}, ${type} = embed ${capnpString(name)})`)
    .join(',\n      ');
  const bindingList = Object.entries(bindings)
    .map(([name, value]) => `(name = ${capnpString(name)}, text = ${capnpString(String(value))})`)
    .join(',\n      ');
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);

const mainWorker :Workerd.Worker = (
  modules = [
      ${moduleList}
  ],
  bindings = [
      ${bindingList}
  ],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  globalOutbound = "loopback",
);
`,
  );
  const child = spawn(WORKERD, ['serve', join(dir, 'config.capnp'), '--verbose'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 10))]);
    if (early !== undefined) throw new Error(`workerd exited (${early}) before serving:\n${output}`);
    try {
      await fetch(url, { method: 'HEAD' });
      break;
    } catch {
      if (Date.now() > until) {
        child.kill();
        throw new Error(`workerd did not answer within 30 s:\n${output}`);
      }
    }
  }
  return {
    url,
    port,
    output: () => output,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
