//! The shadow stack, scrubbed after each call (issue 19). The allocator zeroes every heap block it
//! frees (`crate`'s global allocator), but Rust's wasm32 target keeps address-taken locals on a stack in
//! linear memory, and nothing wipes a frame when it returns: a SHA-256 block buffer holding
//! `systemUserToken.yyyyMMddHHmm` was found there after `signToken`. Every call enters wasm at the top of
//! that stack, so a call made right after it, with one large zeroed local, overwrites the frames the
//! previous call left. The JS layer calls this after every core call (`callCore` in core/wasm.cjs).

use wasm_bindgen::prelude::*;

/// How much of the stack below the entry frame is overwritten: more than any entry uses. Measured
/// with the scrub turned off (zero the stack, make one call, find the deepest byte written): 16.7 KiB
/// for parsing a 4096-bit key, 14.6 KiB for signing with it, 2.1 KiB for validating a token; the
/// deepest recursions (JSON nesting is capped at 128 levels, XML at 64) stay far below this. About
/// js-tests/wasm-memory.test.cjs scans the whole memory for secrets.
const SCRUB_WORDS: usize = 16 * 1024; // 128 KiB

#[wasm_bindgen(js_name = scrubStack)]
pub fn scrub_stack() {
    // One bulk fill (a `memory.fill`), kept by `black_box`, which takes the array's address and so
    // must find all of it written: the same fill-then-barrier zeroize uses on targets with inline
    // assembly. Zeroize's wasm fallback, a volatile store per word after the array's own fill, cost
    // ~10 µs a call, ~3% of a `validateToken`; this is ~1 µs (measured with the stack top filled
    // with a pattern: the same 128 KiB band comes back zeroed either way).
    let frame = [0u64; SCRUB_WORDS];
    core::hint::black_box(&frame);
}
