//! Key parsing on arbitrary text: `PrivateKey::parse` and `KeySet::parse`. Nothing may panic; a key
//! that parses must survive its own PEM and XML output unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use superoffice_auth::{KeySet, PemFormat, PrivateKey};

/// The only codes `PrivateKey::parse` may give.
const PRIVATE_KEY_CODES: [&str; 4] = [
    "ERR_KEY_INVALID",
    "ERR_KEY_UNSUPPORTED",
    "ERR_KEY_ENCRYPTED",
    "ERR_KEY_TOO_SMALL",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match PrivateKey::parse(&text) {
        Ok(key) => {
            let pkcs1 = key.to_pem(PemFormat::Pkcs1).expect("PKCS#1 output");
            let pkcs8 = key.to_pem(PemFormat::Pkcs8).expect("PKCS#8 output");
            let xml = key.to_xml().expect("XML output");
            for again in [&*pkcs1, &*pkcs8, &*xml] {
                let reparsed = PrivateKey::parse(again).expect("our own output parses");
                assert_eq!(
                    *reparsed.to_pem(PemFormat::Pkcs1).expect("PKCS#1 output"),
                    *pkcs1
                );
            }
        }
        Err(error) => assert!(
            PRIVATE_KEY_CODES.contains(&error.code()),
            "{}",
            error.code()
        ),
    }
    match KeySet::parse(&text) {
        Ok(set) => assert!(!set.is_empty() && set.len() <= 100),
        Err(error) => assert_eq!(error.code(), "ERR_KEYSET_INVALID"),
    }
});
