//! Our strict JSON reader (`src/json.rs`) against serde_json with a visitor that refuses duplicate
//! member names (the reader it replaced): both accept or both refuse every input, accepted values are
//! equal (numbers by f64 bits and integer readings, strings exactly, objects as sets of members), our
//! number conversion agrees with core's `str::parse`, and our writing of a value reads back equal.
//! The reference and the comparison are `tests/support/json_reference.rs`, shared with `tests/json.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use superoffice_auth::json;

#[path = "../../tests/support/json_reference.rs"]
mod json_reference;

use json_reference::{reference, same};

fuzz_target!(|data: &[u8]| {
    let ours = json::parse(data);
    let theirs = reference(data);
    match (&ours, &theirs) {
        (None, None) => {}
        (Some(ours), Some(theirs)) => {
            assert!(same(ours, theirs), "values differ");
            let written = ours.to_json();
            let back = reference(written.as_bytes()).expect("serde_json reads our writing");
            assert!(same(ours, &back), "our writing reads back different");
            assert_eq!(json::parse(written.as_bytes()).as_ref(), Some(ours));
        }
        (Some(_), None) => panic!("we accept what serde_json refuses"),
        (None, Some(_)) => panic!("we refuse what serde_json accepts"),
    }
});
