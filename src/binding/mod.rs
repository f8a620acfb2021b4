//! The binding to JavaScript: thin by rule, no logic of its own.
//!
//! - [`entries`]: one function per wasm entry. Each decodes ONE options object (JSON text written by
//!   the JS layer, times already epoch ms) into a `#[serde(deny_unknown_fields)]` struct, so a
//!   misspelled or mistyped option is an error and a new option is one field; hands it to one core
//!   function; writes the result as JSON text (read by one `JSON.parse`, which keeps JS's number
//!   semantics for claims). Handles (a key set, a private key) and key text are extra parameters.
//!   Compiled for wasm32 and for the native tests, which drive it without a JS engine.
//! - `wasm` (wasm32 only): the `#[wasm_bindgen]` shells around the entries, the two handle classes,
//!   and the error mapping to a JS `Error` with `code` and the variant's detail fields.
//!
//! It stays a module of the core crate rather than a crate of its own: see docs/architecture.md
//! ("Why the binding is a module").

mod decode;
pub(crate) mod entries;
#[cfg(target_arch = "wasm32")]
mod scrub;
#[cfg(target_arch = "wasm32")]
mod wasm;
