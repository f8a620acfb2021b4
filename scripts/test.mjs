// Runs every test: Rust lints and native tests, then the wasm package packed, installed into a scratch
// project and exercised with node --test through both import and require, plus a tsc check of the types.
// js-tests/runtimes.test.mjs also runs one smoke suite in Deno, Bun and workerd (devDependencies whose
// npm packages ship the binaries, installed by ensureDevDependencies).
// Usage: npm test            (set CI=true to also run each fuzz target briefly)
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildPackage,
  ensureDevDependencies,
  ensureRedisServer,
  ensureToolchain,
  installIntoScratch,
  listFiles,
  root,
  run,
  step,
} from './lib.mjs';
import { checkCrates, checkPackage } from './supply-chain.mjs';

ensureToolchain();
ensureDevDependencies();
ensureRedisServer();

step('biome ci: JS and TypeScript formatted, no lint finding (npm run format, npm run lint)');
run(join(root, 'node_modules', '.bin', 'biome'), ['ci', '--error-on-warnings', '--colors=off']);

step('API reference and links (docs/api/ current, every export, option and error code documented)');
run(process.execPath, [join(root, 'scripts', 'api-docs.mjs'), '--check']);

step('runtimes for the smoke suite');
for (const name of ['deno', 'bun', 'workerd']) run(join(root, 'node_modules', '.bin', name), ['--version']);

step('cargo fmt --check (the crate, and fuzz/, its own workspace)');
run('cargo', ['fmt', '--all', '--', '--check']);
run('cargo', ['fmt', '--all', '--manifest-path', join(root, 'fuzz', 'Cargo.toml'), '--', '--check']);
step('cargo clippy (native and wasm32)');
run('cargo', ['clippy', '--all-targets', '--', '-D', 'warnings']);
run('cargo', ['clippy', '--lib', '--target', 'wasm32-unknown-unknown', '--', '-D', 'warnings']);
step('cargo test');
run('cargo', ['test']);

checkCrates();

buildPackage();

step('installing the packed tarball into a scratch project');
const { scratch } = installIntoScratch({ copy: ['js-tests', 'examples'] });
console.log(`scratch project: ${scratch}`);
checkPackage(scratch);

step('tsc --module nodenext against index.d.ts');
cpSync(join(root, 'js-tests', 'types'), join(scratch, 'types'), { recursive: true });
writeFileSync(
  join(scratch, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: [],
        skipLibCheck: false,
      },
      include: ['types/**/*.ts', 'types/**/*.mts', 'types/**/*.cts'],
    },
    null,
    2,
  ),
);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(scratch, 'tsconfig.json')], { cwd: scratch });

step('node --test (js-tests against the installed package)');
const testFiles = listFiles(join(scratch, 'js-tests'), /\.test\.(mjs|cjs)$/);
run(process.execPath, ['--test', '--test-reporter=spec', ...testFiles], {
  cwd: scratch,
  env: { ...process.env, SUPEROFFICE_AUTH_REPO: root },
});

if (process.env.CI === 'true') {
  const { runFuzzSmoke } = await import('./fuzz.mjs');
  step('fuzz targets, briefly');
  runFuzzSmoke();
}
console.log('\nall tests passed');
