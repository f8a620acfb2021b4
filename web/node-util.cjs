'use strict';
// `node:util` in the standards-only entries. The package uses it only for `inspect.custom`, to print
// results, keys and clients without their secrets. Outside Node the same registered symbol still works
// where the console honours it (Bun, Deno); elsewhere nothing prints objects by that route, and the
// secrets stay out of toString, JSON and error messages by construction.

const custom = Symbol.for('nodejs.util.inspect.custom');

/** What the package's own inspect hooks call for nested values: only plain descriptions reach it. */
function inspect(value) {
  return JSON.stringify(value);
}
inspect.custom = custom;

const available = { inspect };

// Anything else the package's modules might start to use fails loudly here (see node-crypto.cjs).
module.exports = new Proxy(available, {
  get(target, name) {
    if (Object.hasOwn(target, name)) return target[name];
    if (typeof name === 'symbol' || name === '__esModule' || name === 'default') return undefined;
    throw new Error(`superoffice-auth: node:util ${String(name)} is not available outside Node (web/node-util.cjs)`);
  },
});
