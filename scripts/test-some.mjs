// While you work: builds the package, installs the packed tarball into a scratch project, and runs only
// the js-tests files named on the command line (paths or substrings of their names), as `npm test`
// runs them. `npm test` stays the one command that runs everything.
// Usage: node scripts/test-some.mjs netserver client.test.mjs   (--no-build reuses pkg/; --node=24 runs
// them under that Node of the optionalDependencies instead of the machine's own)
import { join } from 'node:path';
import {
  buildPackage,
  ensureDevDependencies,
  ensureRedisServer,
  installIntoScratch,
  listFiles,
  root,
  run,
  step,
  testedNodes,
} from './lib.mjs';

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const nodeMajor = args.find((arg) => arg.startsWith('--node='))?.slice('--node='.length);
const wanted = args.filter((arg) => !arg.startsWith('--'));
if (wanted.length === 0) {
  console.error('usage: node scripts/test-some.mjs [--no-build] [--node=<major>] <test file or part of its name>...');
  process.exit(2);
}
ensureDevDependencies();
ensureRedisServer();
if (!noBuild) buildPackage();
const { scratch } = installIntoScratch({ copy: ['js-tests', 'examples'] });
const files = listFiles(join(scratch, 'js-tests'), /\.test\.(mjs|cjs)$/).filter((file) =>
  wanted.some((name) => file.includes(name.replace(/^js-tests\//, ''))),
);
if (files.length === 0) throw new Error(`no js-tests file matches ${wanted.join(', ')}`);
const { nodes } = testedNodes();
const node = nodeMajor ? nodes.find((candidate) => String(candidate.major) === nodeMajor) : nodes[0];
if (!node) throw new Error(`no Node ${nodeMajor} here; these are: ${nodes.map((n) => n.major).join(', ')}`);
step(`node --test ${files.length} file(s) under Node ${node.version} in ${scratch}`);
run(node.path, ['--test', '--test-reporter=spec', ...files], {
  cwd: scratch,
  env: { ...process.env, SUPEROFFICE_AUTH_REPO: root },
});
