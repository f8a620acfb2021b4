// `npm run worker`: the Cloudflare Worker example (examples/cloudflare-worker/) served locally by the
// real workerd against the stand-in. Builds the package, installs the packed tarball into a scratch
// project as a partner would, then runs examples/cloudflare-worker/local.mjs there until Ctrl-C.
import { join } from 'node:path';
import { buildPackage, ensureDevDependencies, installIntoScratch, root, run, step, useMachineNode } from './lib.mjs';

useMachineNode();

ensureDevDependencies();
buildPackage();
step('installing the packed package into a scratch project');
const { scratch } = installIntoScratch({ copy: ['examples'] });
step('serving examples/cloudflare-worker in workerd (Ctrl-C stops)');
run(process.execPath, [join(scratch, 'examples', 'cloudflare-worker', 'local.mjs')], {
  cwd: scratch,
  env: { ...process.env, SUPEROFFICE_AUTH_REPO: root },
});
