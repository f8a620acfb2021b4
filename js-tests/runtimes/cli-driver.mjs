// Runs the smoke suite in Deno or Bun: imports the package by name (each runtime picks its own export
// condition), reads the fixtures from SMOKE_FIXTURES and prints one line `SMOKE_RESULT {json}`.
import * as lib from 'superoffice-auth';
import { runSmoke } from './smoke.mjs';

const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : `bun ${Bun.version}`;
const fixtures = JSON.parse(globalThis.Deno ? Deno.env.get('SMOKE_FIXTURES') : process.env.SMOKE_FIXTURES);
const inspect = globalThis.Deno ? (value) => Deno.inspect(value, { depth: 4 }) : (value) => Bun.inspect(value);
const results = await runSmoke(lib, fixtures, { inspect });
console.log(`SMOKE_RESULT ${JSON.stringify({ runtime, entry: import.meta.resolve('superoffice-auth'), results })}`);
