// Runs the cargo-fuzz targets in fuzz/. `npm test` calls runFuzzSmoke() when CI=true; run it by hand for
// longer sessions:
//
//   node scripts/fuzz.mjs                 every target for 45 s (what CI does)
//   node scripts/fuzz.mjs 900 --grow      every target for 15 min, adding new inputs to fuzz/corpus/
//   node scripts/fuzz.mjs 60 jwt key      only the named targets
//
//   node scripts/fuzz.mjs --minimize     minimise every committed corpus (after a --grow session)
//
// Without --grow the committed corpus is only read: new inputs go to a scratch directory, so a run leaves
// the work tree clean. --minimize keeps, by libFuzzer's set-cover merge over edge coverage, a small set
// of inputs covering every edge the corpus reaches (a few hundred files; `cargo fuzz cmin`'s greedy
// merge over finer features keeps thousands). Never run it while that target is being fuzzed.
// A crash stops the run with a non-zero exit and leaves the input in fuzz/artifacts/<target>/.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capture, root, run, step } from './lib.mjs';

const fuzzDir = join(root, 'fuzz');

/**
 * Each target with its sanitizer. The crate forbids unsafe code, so AddressSanitizer watches only the
 * dependencies' unsafe code (base64ct, crypto-bigint, sha2); it is kept where it costs little. The jwt and
 * key_check targets run RSA on most inputs (jwt signs tokens for its structured mutations, key_check
 * checks and signs with keys), and RSA under ASan runs about four times slower, so they run without a
 * sanitizer to reach useful depth.
 */
export const TARGETS = {
  response: 'address',
  jwt: 'none',
  key: 'address',
  request_roundtrip: 'address',
  webhook: 'address',
};

/** Largest input libFuzzer makes: above every real response, token and key we expect. */
const MAX_LEN = 16384;
/**
 * An input that takes longer than this is reported like a crash. Every input here is small and every
 * parser is linear (or capped), so a slow input is a denial-of-service bug: a 256 KiB start tag with
 * 25 000 attributes once took 35 s.
 */
const TIMEOUT_SECONDS = 10;

/** Installs the nightly toolchain and cargo-fuzz when they are missing. */
export function ensureFuzzTools() {
  const toolchains = capture('rustup', ['toolchain', 'list']) ?? '';
  if (!toolchains.split('\n').some((line) => line.startsWith('nightly'))) {
    step('installing the nightly toolchain (cargo-fuzz needs it)');
    run('rustup', ['toolchain', 'install', 'nightly', '--profile', 'minimal']);
  }
  if (capture('cargo', ['fuzz', '--version']) === null) {
    step('installing cargo-fuzz (takes a minute or two once)');
    run('cargo', ['install', 'cargo-fuzz']);
  }
}

/**
 * Runs each target for `seconds`, one after another in one process each (libFuzzer's default; its
 * -jobs/-workers modes would fork and write logs into the work tree); throws on the first crash.
 */
export function runFuzz({ seconds, targets = Object.keys(TARGETS), grow = false }) {
  ensureFuzzTools();
  for (const target of targets) {
    const sanitizer = TARGETS[target];
    if (!sanitizer) throw new Error(`unknown fuzz target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
    const corpus = join(fuzzDir, 'corpus', target);
    // libFuzzer writes new inputs to the first directory and only reads the others.
    const scratch = grow ? null : mkdtempSync(join(tmpdir(), `fuzz-${target}-`));
    const dirs = grow ? [corpus] : [scratch, corpus];
    step(`fuzz ${target}: ${seconds} s (sanitizer: ${sanitizer})`);
    try {
      run(
        'cargo',
        [
          '+nightly',
          'fuzz',
          'run',
          '--sanitizer',
          sanitizer,
          target,
          ...dirs,
          '--',
          `-max_total_time=${seconds}`,
          `-max_len=${MAX_LEN}`,
          `-timeout=${TIMEOUT_SECONDS}`,
          '-print_final_stats=1',
        ],
        { cwd: fuzzDir },
      );
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** Replaces each target's corpus with a set-cover-minimised copy. */
export function minimizeCorpora(targets = Object.keys(TARGETS)) {
  ensureFuzzTools();
  for (const target of targets) {
    const sanitizer = TARGETS[target];
    if (!sanitizer) throw new Error(`unknown fuzz target ${target}`);
    step(`minimise the ${target} corpus`);
    run('cargo', ['+nightly', 'fuzz', 'build', '--sanitizer', sanitizer, target], { cwd: fuzzDir });
    const corpus = join(fuzzDir, 'corpus', target);
    const out = mkdtempSync(join(tmpdir(), `fuzz-min-${target}-`));
    const binary = join(fuzzDir, 'target', 'x86_64-unknown-linux-gnu', 'release', target);
    run(
      binary,
      ['-set_cover_merge=1', '-use_counters=0', `-max_len=${MAX_LEN}`, `-timeout=${TIMEOUT_SECONDS}`, out, corpus],
      { cwd: fuzzDir },
    );
    const before = readdirSync(corpus).length;
    rmSync(corpus, { recursive: true, force: true });
    cpSync(out, corpus, { recursive: true });
    rmSync(out, { recursive: true, force: true });
    console.log(`${target}: ${before} -> ${readdirSync(corpus).length} inputs`);
  }
}

/** What CI runs: every target briefly (7 x 45 s plus the builds). */
export function runFuzzSmoke() {
  runFuzz({ seconds: 45 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--minimize') {
    minimizeCorpora(args.length > 1 ? args.slice(1) : undefined);
    process.exit(0);
  }
  const grow = args.includes('--grow');
  const rest = args.filter((arg) => arg !== '--grow');
  const seconds = /^\d+$/.test(rest[0] ?? '') ? Number(rest.shift()) : 45;
  runFuzz({ seconds, targets: rest.length > 0 ? rest : undefined, grow });
}
