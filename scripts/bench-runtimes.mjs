// The benchmark's runtime section: each entry's size, and cold start (the first validateToken) in Node,
// Deno, Bun and workerd, all against the same installed package. Called by scripts/bench.mjs.
//
// Cold start is measured two ways:
// - processToFirstCallMs: from spawning the runtime to its first validateToken answer, timed by this
//   process (the same clock for every runtime; includes the runtime's own start-up).
// - importAndCallMs: inside the runtime, from before the import to after the call (Node, Deno, Bun).
//   workerd has none: a Worker's clock only advances on I/O, so it cannot time its own start.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from './lib.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// The files each entry loads (the CLI and the stand-in are not part of any).
const NODE_MODULES = [
  'index.cjs',
  'errors.cjs',
  'arguments.cjs',
  ...['index', 'wasm', 'keys', 'jwt', 'http', 'ticket', 'oauth', 'netserver'].map((name) => `core/${name}.cjs`),
  ...['io', 'ticket-store', 'authorized-fetch', 'system-user', 'refresh-token'].map((name) => `client/${name}.cjs`),
  'superoffice_auth_wasm.js',
];
const ENTRIES = [
  { entry: 'index.cjs (Node require)', files: NODE_MODULES },
  { entry: 'index.mjs (Node import)', files: ['index.mjs', ...NODE_MODULES] },
  { entry: 'index.web.mjs (deno, bun, browser, worker)', files: ['index.web.mjs'] },
  { entry: 'index.workerd.mjs (workerd)', files: ['index.workerd.mjs'] },
];

export function entrySizes(installed) {
  const wasm = readFileSync(join(installed, 'superoffice_auth_wasm_bg.wasm'));
  return ENTRIES.map(({ entry, files }) => {
    const js = Buffer.concat(files.map((file) => readFileSync(join(installed, file))));
    return {
      entry,
      jsBytes: js.length,
      jsGzipBytes: gzipSync(js, { level: 9 }).length,
      wasmBytes: wasm.length,
      wasmGzipBytes: gzipSync(wasm, { level: 9 }).length,
    };
  });
}

const COLD_SCRIPT = `
const t0 = performance.now();
const { validateToken } = await import('superoffice-auth');
const env = globalThis.Deno ? Deno.env.toObject() : process.env;
const claims = validateToken(env.BENCH_JWT, { keys: env.BENCH_SPKI, now: Number(env.BENCH_NOW), audience: env.BENCH_AUD });
const t1 = performance.now();
if (!claims.exp) throw new Error('no claims');
console.log(JSON.stringify({ importAndCallMs: t1 - t0 }));
`;

const WORKER_SCRIPT = `
import { validateToken } from 'superoffice-auth';
export default {
  fetch(request, env) {
    if (request.method === 'HEAD') return new Response(null);
    const claims = validateToken(env.BENCH_JWT, { keys: env.BENCH_SPKI, now: Number(env.BENCH_NOW), audience: env.BENCH_AUD });
    return Response.json({ exp: claims.exp });
  },
};
`;

function timeChild(command, args, options) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr}`));
      return resolve({ wallMs, ...JSON.parse(stdout.trim().split('\n').pop()) });
    });
  });
}

function version(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', () => resolve(out.split('\n')[0].trim()));
  });
}

/** Runs every runtime `runs` times; returns { sizes, coldStart: [{ runtime, version, entry, ... }] }. */
export async function benchRuntimes({ scratch, installed, jwt, spki, audience, now, runs }) {
  const dir = mkdtempSync(join(scratch, 'bench-runtimes-'));
  const script = join(dir, 'cold.mjs');
  writeFileSync(script, COLD_SCRIPT);
  const env = {
    ...process.env,
    BENCH_JWT: jwt,
    BENCH_SPKI: spki,
    BENCH_AUD: audience,
    BENCH_NOW: String(now),
    NO_COLOR: '1',
    DENO_NO_UPDATE_CHECK: '1',
  };
  const cli = [
    { runtime: 'node', version: process.version, entry: 'index.mjs', command: process.execPath, args: [script] },
    {
      runtime: 'deno',
      version: await version(bin('deno'), ['--version']),
      entry: 'index.web.mjs',
      command: bin('deno'),
      args: ['run', '--cached-only', '--no-prompt', '--allow-read', '--allow-env', script],
    },
    {
      runtime: 'bun',
      version: `bun ${await version(bin('bun'), ['--version'])}`,
      entry: 'index.web.mjs',
      command: bin('bun'),
      args: ['--no-install', 'run', script],
    },
  ];
  const coldStart = [];
  for (const { command, args, ...row } of cli) {
    const samples = [];
    for (let i = 0; i < runs; i++)
      samples.push(await timeChild(command, args, { cwd: scratch, env: { ...env, DENO_DIR: join(dir, '.deno') } }));
    coldStart.push({
      ...row,
      runs,
      processToFirstCallMs: median(samples.map((s) => s.wallMs)),
      importAndCallMs: median(samples.map((s) => s.importAndCallMs)),
    });
  }

  const { bundleWorker, startWorkerd } = await import('./workerd.mjs');
  const workerEntry = join(dir, 'bench-worker.mjs');
  writeFileSync(workerEntry, WORKER_SCRIPT);
  const workerDir = join(dir, 'workerd');
  const { modules } = await bundleWorker({ entry: workerEntry, outDir: workerDir });
  const workerSamples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const worker = await startWorkerd({
      dir: workerDir,
      modules,
      bindings: { BENCH_JWT: jwt, BENCH_SPKI: spki, BENCH_AUD: audience, BENCH_NOW: now },
    });
    try {
      const res = await fetch(worker.url);
      if (res.status !== 200) throw new Error(`the bench Worker answered ${res.status}: ${await res.text()}`);
      await res.json();
      workerSamples.push(performance.now() - started);
    } finally {
      await worker.close();
    }
  }
  coldStart.push({
    runtime: 'workerd',
    version: await version(bin('workerd'), ['--version']),
    entry: 'index.workerd.mjs',
    runs,
    processToFirstCallMs: median(workerSamples),
    importAndCallMs: null,
  });
  return { sizes: entrySizes(installed), coldStart };
}
