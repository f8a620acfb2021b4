'use strict';
// How results, keys and clients print without their secrets. `Symbol.for('nodejs.util.inspect.custom')`
// is the symbol util.inspect.custom names, registered globally: Node's console and util.inspect honour
// it, and so do Bun's and Deno's, without any module importing node:util.

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * `label` followed by `value` as the runtime prints it: Node hands its inspect to the hook as the third
 * argument; where none is given, JSON (only plain descriptions reach this).
 * @param {string} label
 * @param {unknown} value
 * @param {unknown} [inspect] the third argument of an inspect hook
 */
function describe(label, value, inspect) {
  return `${label} ${typeof inspect === 'function' ? inspect(value) : JSON.stringify(value)}`;
}

module.exports = { INSPECT, describe };
