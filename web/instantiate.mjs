// Instantiates the package's .wasm with the JavaScript half wasm-bindgen wrote for bundlers (its
// `_bg.js`, resolved by the build as `#wasm-bindings`). Both entries call one of these before the
// package's modules first touch the core.
import * as bindings from '#wasm-bindings';

// The import module name wasm-bindgen gives the .wasm's imports; the build checks every import is
// under it and provided by the bindings.
const IMPORT_MODULE = './superoffice_auth_wasm_bg.js';

function start(instance) {
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
}

/** From a compiled module, synchronously (Workers hand a `.wasm` import over as a WebAssembly.Module). */
export function instantiateModule(module) {
  start(new WebAssembly.Instance(module, { [IMPORT_MODULE]: bindings }));
}

/** From a URL, with fetch; the bytes are compiled asynchronously, as browsers require on the main thread. */
export async function instantiateUrl(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`superoffice-auth: cannot load its WebAssembly module (HTTP ${response.status})`);
  const { instance } = await WebAssembly.instantiate(await response.arrayBuffer(), { [IMPORT_MODULE]: bindings });
  start(instance);
}
