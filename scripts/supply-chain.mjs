// Supply-chain checks, run by `npm test`:
//
// - cargo deny (deny.toml): licenses, banned crates, crate sources, and RustSec advisories. The advisory
//   database is a git repository on GitHub; where it cannot be fetched (this project's machines reach
//   only package registries) the advisories check says so loudly and is skipped, unless a copy fetched
//   earlier is on the machine, which is then used as it is (with its age printed). The other checks
//   need no network and always run.
// - The npm package: no runtime dependencies at all (dependencies, optional, peer, bundled), and the
//   scratch install holds exactly our package. `npm audit` runs too where the registry's audit endpoint
//   answers; with zero dependencies there is nothing for it to find.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { capture, root, run, step } from './lib.mjs';

const CARGO_DENY_VERSION = '0.20.2';

function banner(lines) {
  const width = Math.max(...lines.map((line) => line.length));
  console.log(`\n${'!'.repeat(width + 4)}`);
  for (const line of lines) console.log(`! ${line.padEnd(width)} !`);
  console.log(`${'!'.repeat(width + 4)}\n`);
}

export function ensureCargoDeny() {
  const have = capture('cargo', ['deny', '--version'])?.trim().split(' ')[1];
  if (have !== CARGO_DENY_VERSION) {
    step(`installing cargo-deny ${CARGO_DENY_VERSION} (found ${have ?? 'none'}; takes several minutes once)`);
    run('cargo', ['install', 'cargo-deny', '--locked', '--version', CARGO_DENY_VERSION]);
  }
}

/** Advisory databases cargo-deny fetched before, newest first: [{ path, ageDays }]. */
function localAdvisoryDatabases() {
  const dir = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'advisory-dbs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'crates')))
    .map((path) => ({ path, ageDays: (Date.now() - statSync(join(path, 'crates')).mtimeMs) / 86_400_000 }))
    .sort((a, b) => a.ageDays - b.ageDays);
}

/** The most telling line of a failed fetch, shortened. */
function fetchError(result) {
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((line) => line.trim());
  const line = lines.find((l) => /^fatal:/.test(l)) ?? lines.find((l) => /error/i.test(l)) ?? 'fetch failed';
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

export function checkCrates() {
  ensureCargoDeny();
  step('cargo deny: licenses, bans, sources');
  run('cargo', ['deny', 'check', 'bans', 'licenses', 'sources']);

  step('cargo deny: advisories (RustSec)');
  const fetched = spawnSync('cargo', ['deny', 'fetch', 'db'], { cwd: root, encoding: 'utf8' });
  if (fetched.status === 0) {
    run('cargo', ['deny', 'check', 'advisories']);
    return;
  }
  const [local] = localAdvisoryDatabases();
  if (local) {
    banner([
      'The RustSec advisory database could not be fetched; using the copy on this machine,',
      `${local.ageDays.toFixed(0)} days old (${local.path}). Newer advisories are not seen.`,
    ]);
    run('cargo', ['deny', 'check', '--disable-fetch', 'advisories']);
    return;
  }
  banner([
    'ADVISORIES NOT CHECKED: the RustSec advisory database (a git repository on github.com)',
    'cannot be fetched from this machine, and no earlier copy exists. Licenses, bans and',
    'sources were checked. Run `cargo deny check advisories` where github.com is reachable.',
    `(${fetchError(fetched)})`,
  ]);
}

/** The installed package declares no dependency of any kind, and the scratch tree holds only it. */
export function checkPackage(scratch) {
  step('npm package: zero runtime dependencies');
  const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules', 'superoffice-auth', 'package.json'), 'utf8'));
  for (const field of [
    'dependencies',
    'optionalDependencies',
    'peerDependencies',
    'bundleDependencies',
    'bundledDependencies',
  ]) {
    const value = manifest[field];
    if (value !== undefined && Object.keys(value).length > 0) {
      throw new Error(`the package declares ${field}: ${JSON.stringify(value)}`);
    }
  }
  const installed = readdirSync(join(scratch, 'node_modules')).filter((name) => !name.startsWith('.'));
  if (installed.join(',') !== 'superoffice-auth') {
    throw new Error(`the scratch install holds more than the package: ${installed.join(', ')}`);
  }
  console.log('no dependencies declared; node_modules holds superoffice-auth only');

  step('npm audit (scratch project)');
  const audit = spawnSync('npm', ['audit', '--json', '--omit=dev'], { cwd: scratch, encoding: 'utf8' });
  let report;
  try {
    report = JSON.parse(audit.stdout);
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts) {
    if (counts.total !== 0) throw new Error(`npm audit: ${JSON.stringify(counts)}`);
    console.log('npm audit: 0 vulnerabilities');
    return;
  }
  banner([
    "npm audit did not run: the registry's audit endpoint did not answer",
    `(${report?.message ?? (audit.stderr || '').trim().split('\n').pop()}).`,
    'The package has zero dependencies (checked above), so there is nothing it could report.',
  ]);
}
