// The README's first command: builds the package (installing the wasm toolchain pieces if missing),
// installs the packed tarball into a scratch project as a partner would, and runs the whole ticket
// flow against the local SuperOffice stand-in (examples/demo.mjs).
import { join } from 'node:path';
import { buildPackage, installIntoScratch, run, step, useMachineNode } from './lib.mjs';

useMachineNode();

buildPackage();
step('installing the packed package into a scratch project');
const { scratch } = installIntoScratch({ copy: ['examples'] });
step('running examples/demo.mjs');
run(process.execPath, [join(scratch, 'examples', 'demo.mjs')], { cwd: scratch });
