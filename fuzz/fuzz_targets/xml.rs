//! Our XML reader against roxmltree on arbitrary text. The rules (what must agree, and the deliberate
//! differences that excuse a document) live in `tests/support/xml_compare.rs`, shared with the
//! property test `tests/xml_differential.rs`. A disagreement panics with the document.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/xml_compare.rs"]
mod xml_compare;

fuzz_target!(|data: &[u8]| {
    let document = String::from_utf8_lossy(data);
    if let Err(problem) = xml_compare::compare(&document) {
        panic!("{document:?}: {problem}");
    }
});
