'use strict';
// `node:diagnostics_channel` in the standards-only entries. The clients publish their events there
// when the runtime has it (Deno and Bun implement Node's module and hand it out through
// process.getBuiltinModule); elsewhere (workerd without nodejs_compat, browsers) this is an empty
// object, and the clients' onEvent option is the only route for events.

let dc = null;
try {
  const builtin = globalThis.process?.getBuiltinModule;
  if (typeof builtin === 'function') dc = builtin('node:diagnostics_channel') ?? null;
} catch {
  dc = null;
}

module.exports = dc && typeof dc.channel === 'function' ? dc : {};
