// The JavaScript layer's shape, read from the installed package's own files: no import circle, nothing
// inside the package imports the public facade, the core module never reaches the clients, its doors
// never reach each other, and the stand-in (testing/) stays independent of everything outside itself.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('superoffice-auth/package.json'));

// Every module of the package (the generated web bundles and wasm glue aside: they are built, not written).
const GENERATED = new Set(['index.web.mjs', 'index.workerd.mjs', 'superoffice_auth_wasm.js']);
const files = readdirSync(packageDir, { recursive: true })
  .map(String)
  .filter((file) => /\.(c|m)?js$/.test(file) && !file.startsWith('node_modules') && !GENERATED.has(file));

/** Each module's relative imports (require, import ... from, import()), as package-relative paths. */
function importsOf(file) {
  const source = readFileSync(join(packageDir, file), 'utf8');
  const out = [];
  for (const m of source.matchAll(/(?:require\(\s*|from\s+|import\(\s*)['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (!spec.startsWith('.')) {
      out.push(spec);
      continue;
    }
    let target = resolve(dirname(join(packageDir, file)), spec);
    if (!existsSync(target))
      target = ['.cjs', '.js', '.mjs', '/index.cjs'].map((x) => target + x).find(existsSync) ?? target;
    out.push(relative(packageDir, target));
  }
  return out;
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));

test('the layout: the modules this test reads are the ones the package has', () => {
  for (const file of ['index.cjs', 'core/index.cjs', 'core/wasm.cjs', 'client/system-user.cjs', 'testing/index.cjs']) {
    assert.ok(graph.has(file), `${file} is in the package`);
  }
  assert.ok(graph.get('index.cjs').includes('core/index.cjs'));
});

test('no import circle among the package modules', () => {
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open')
        assert.fail(`import circle: ${[...stack.slice(stack.indexOf(next)), next].join(' -> ')}`);
      if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
});

test('nothing inside the package imports the facade (index.cjs) but the ESM entry', () => {
  const importers = [...graph].filter(([, imports]) => imports.includes('index.cjs')).map(([file]) => file);
  assert.deepEqual(importers, ['index.mjs']);
});

test('the core module reaches neither the clients nor the stand-in, and its doors not each other', () => {
  const doors = ['core/ticket.cjs', 'core/oauth.cjs', 'core/netserver.cjs', 'core/tenant.cjs', 'core/callbacks.cjs'];
  for (const [file, imports] of graph) {
    if (!file.startsWith('core/')) continue;
    for (const target of imports) {
      assert.ok(
        !target.startsWith('client/') && !target.startsWith('testing/') && target !== 'index.cjs',
        `${file} imports ${target}`,
      );
      if (file !== 'core/index.cjs' && doors.includes(file))
        assert.ok(!doors.includes(target), `${file} imports the sibling door ${target}`);
    }
  }
});

test('the stand-in imports only its own modules and node:http / node:crypto', () => {
  const own = [...graph.keys()].filter((file) => file.startsWith('testing/'));
  assert.ok(own.length >= 5, 'testing/ is a folder of modules');
  for (const file of own) {
    for (const target of graph.get(file)) {
      assert.ok(
        target.startsWith('testing/') || target === 'node:http' || target === 'node:crypto',
        `${file} imports ${target}`,
      );
    }
  }
});

test('the facade, the core module and the clients import no Node built-in (they run in every runtime)', () => {
  const everywhere = [...graph.keys()].filter(
    (file) =>
      file.startsWith('core/') ||
      file.startsWith('client/') ||
      file.startsWith('receiver/') ||
      ['index.cjs', 'index.mjs', 'errors.cjs', 'arguments.cjs', 'inspect.cjs'].includes(file),
  );
  assert.ok(everywhere.length >= 15);
  for (const file of everywhere) {
    for (const target of graph.get(file)) {
      assert.ok(!target.startsWith('node:'), `${file} imports ${target}: give it a standards-only equivalent`);
    }
  }
});
