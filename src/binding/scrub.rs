//! The shadow stack, scrubbed after each call (issue 19). The allocator zeroes every heap block it
//! frees (`crate`'s global allocator), but Rust's wasm32 target keeps address-taken locals on a stack in
//! linear memory, and nothing wipes a frame when it returns: a SHA-256 block buffer holding
//! `systemUserToken.yyyyMMddHHmm` was found there after `signToken`. Every call enters wasm at the top of
//! that stack, so a call made right after it, with one large zeroed local, overwrites the frames the
//! previous call left. The JS layer calls this after every core call (`callCore` in core/wasm.cjs).

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// How much of the stack below the entry frame is overwritten: more than any entry uses. Measured
/// with the scrub turned off (zero the stack, make one call, find the deepest byte written): 16.7 KiB
/// for parsing a 4096-bit key, 14.6 KiB for signing with it, 2.1 KiB for validating a token; the
/// deepest recursions (JSON nesting is capped at 128 levels, XML at 64) stay far below this. About
/// 16 000 word writes per call. js-tests/wasm-memory.test.cjs scans the whole memory for secrets.
const SCRUB_WORDS: usize = 16 * 1024; // 128 KiB

#[wasm_bindgen(js_name = scrubStack)]
pub fn scrub_stack() {
    // Zeroize's volatile writes cannot be optimised away, nor can the array, which is passed on.
    let mut frame = [0u64; SCRUB_WORDS];
    frame.zeroize();
    core::hint::black_box(&frame);
}
