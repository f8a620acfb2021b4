// The package in the real runtimes: one smoke suite (runtimes/smoke.mjs) run in Node, Deno, Bun and
// workerd against the installed tarball, with the stand-in on loopback started here. Deno, Bun and
// workerd are devDependencies of the workspace (their npm packages ship the binaries); scripts/test.mjs
// installs them and says where the workspace is (SUPEROFFICE_AUTH_REPO). Nothing here needs the network:
// Deno runs with --cached-only, Bun with --no-install, workerd may reach loopback only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import * as lib from 'superoffice-auth';
import { makeFixtures } from './runtimes/fixtures.mjs';
import { CHECKS, INSPECT_CHECK, runSmoke } from './runtimes/smoke.mjs';
import { watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
const repo = process.env.SUPEROFFICE_AUTH_REPO;
const here = dirname(fileURLToPath(import.meta.url));
const scratch = join(here, '..');
const installed = dirname(createRequire(import.meta.url).resolve('superoffice-auth/package.json'));
const bin = (name) => join(repo, 'node_modules', '.bin', name);

let mock;
let fx;
before(async () => {
  assert.ok(repo, 'SUPEROFFICE_AUTH_REPO names the workspace (scripts/test.mjs sets it)');
  ({ mock, fx } = await makeFixtures());
});
after(async () => {
  await mock?.close();
  assert.deepEqual(unhandled, [], 'no unhandled rejections');
});

/** Every check of the suite ran and passed; the runtime reported which entry it loaded. */
function assertAllPassed(report, { inspectable }) {
  const failures = report.results.filter((r) => !r.ok).map((r) => `${r.name}:\n${r.error}`);
  assert.deepEqual(failures, [], `${report.runtime}: failed checks`);
  assert.deepEqual(
    report.results.map((r) => r.name),
    inspectable ? [...CHECKS, INSPECT_CHECK] : CHECKS,
    `${report.runtime}: checks run`,
  );
}

/** Runs a child to completion (asynchronously: the stand-in in this process must keep answering). */
function runChild(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
}

function smokeReport({ code, stdout, stderr }, what) {
  const line = stdout.split('\n').find((l) => l.startsWith('SMOKE_RESULT '));
  assert.ok(line, `${what} printed no result (exit ${code}):\n${stdout}\n${stderr}`);
  assert.equal(code, 0, `${what} exit code:\n${stderr}`);
  return JSON.parse(line.slice('SMOKE_RESULT '.length));
}

const driver = join(here, 'runtimes', 'cli-driver.mjs');
const entryUrl = (file) => pathToFileURL(join(installed, file)).href;

test('node: the smoke suite through the ESM entry, inspect output redacted', async () => {
  const results = await runSmoke(lib, fx, { inspect: (value) => inspect(value, { depth: 4 }) });
  assertAllPassed({ runtime: `node ${process.version}`, results }, { inspectable: true });
});

test('the standards-only entries import nothing from Node', () => {
  for (const file of ['index.web.mjs', 'index.workerd.mjs']) {
    const text = readFileSync(join(installed, file), 'utf8');
    assert.doesNotMatch(text, /\brequire\(\s*["'](node:|fs|path|util|crypto)/, `${file}: a Node require`);
    assert.doesNotMatch(text, /\bfrom\s+["']node:/, `${file}: a node: import`);
    // Node globals that workerd (without nodejs_compat) and browsers lack; setImmediate included.
    assert.doesNotMatch(text, /\bBuffer\b|\bprocess\.|__dirname|\bsetImmediate\b/, `${file}: a Node global`);
  }
});

test('deno: the smoke suite through the deno condition (index.web.mjs)', async () => {
  const out = await runChild(
    bin('deno'),
    [
      'run',
      '--cached-only',
      '--no-prompt',
      '--allow-read',
      '--allow-env=SMOKE_FIXTURES',
      '--allow-net=127.0.0.1',
      driver,
    ],
    {
      cwd: scratch,
      env: {
        ...process.env,
        SMOKE_FIXTURES: JSON.stringify(fx),
        DENO_DIR: join(scratch, '.deno'),
        DENO_NO_UPDATE_CHECK: '1',
        NO_COLOR: '1',
      },
    },
  );
  const report = smokeReport(out, 'deno');
  assert.match(report.runtime, /^deno 2\./);
  assert.equal(report.entry, entryUrl('index.web.mjs'));
  assertAllPassed(report, { inspectable: true });
});

test('bun: the smoke suite through the bun condition (index.web.mjs)', async () => {
  const out = await runChild(bin('bun'), ['--no-install', 'run', driver], {
    cwd: scratch,
    env: {
      ...process.env,
      SMOKE_FIXTURES: JSON.stringify(fx),
      BUN_INSTALL_CACHE_DIR: join(scratch, '.bun'),
      DO_NOT_TRACK: '1',
      NO_COLOR: '1',
    },
  });
  const report = smokeReport(out, 'bun');
  assert.match(report.runtime, /^bun 1\./);
  assert.equal(report.entry, entryUrl('index.web.mjs'));
  assertAllPassed(report, { inspectable: true });
});

test('workerd: the smoke suite as a Worker bundled like wrangler, driven over HTTP', async () => {
  const { bundleWorker, startWorkerd } = await import(pathToFileURL(join(repo, 'scripts', 'workerd.mjs')).href);
  const dir = mkdtempSync(join(tmpdir(), 'superoffice-auth-workerd-'));
  const { modules, inputs } = await bundleWorker({ entry: join(here, 'runtimes', 'worker.mjs'), outDir: dir });
  assert.ok(
    inputs.some((input) => input.endsWith('node_modules/superoffice-auth/index.workerd.mjs')),
    'the workerd condition picked index.workerd.mjs',
  );
  assert.deepEqual(
    modules.map((m) => m.type),
    ['esModule', 'wasm'],
  );
  const worker = await startWorkerd({ dir, modules });
  try {
    const res = await fetch(worker.url, {
      method: 'POST',
      body: JSON.stringify(fx),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200, await res.clone().text());
    const report = await res.json();
    assert.match(report.runtime, /^workerd /);
    assertAllPassed(report, { inspectable: false });
  } catch (error) {
    error.message += `\nworkerd output:\n${worker.output()}`;
    throw error;
  } finally {
    await worker.close();
  }
});

test('the runtimes are the pinned devDependencies', () => {
  const versions = {
    deno: spawnSync(bin('deno'), ['--version'], { encoding: 'utf8' }).stdout,
    bun: spawnSync(bin('bun'), ['--version'], { encoding: 'utf8' }).stdout,
    workerd: spawnSync(bin('workerd'), ['--version'], { encoding: 'utf8' }).stdout,
  };
  const pinned = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies;
  assert.ok(versions.deno.startsWith(`deno ${pinned.deno}`), versions.deno);
  assert.equal(versions.bun.trim(), pinned.bun);
  // workerd's npm version is 1.YYYYMMDD.N; the binary prints the date.
  const date = pinned.workerd.split('.')[1];
  assert.equal(versions.workerd.trim(), `workerd ${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`);
});
