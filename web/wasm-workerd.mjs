// `./superoffice_auth_wasm.js` in the workerd entry: the core, instantiated at load from the compiled
// module the runtime hands over for the `.wasm` import (kept as an import by the build, so wrangler and
// workerd's own module list resolve it beside the bundle).
import wasmModule from './superoffice_auth_wasm_bg.wasm';
import { instantiateModule } from './instantiate.mjs';

instantiateModule(wasmModule);

export * from '#wasm-bindings';
