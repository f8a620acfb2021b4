//! JWT validation with a fixed key set: arbitrary strings, and structured mutations of a valid token
//! (re-signed headers and payloads, tampered segments, arbitrary options). Nothing may panic, every
//! error carries a known code, and no token whose bytes we did not sign ever validates.
#![no_main]

use base64ct::{Base64UrlUnpadded, Encoding};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use superoffice_auth::{validate_token, KeySet, PrivateKey, ValidationOptions, CODES};

const NOW_MS: f64 = 1_800_000_000_000.0;
const HEADER: &str = r#"{"alg":"RS256","kid":"test-key-1"}"#;
const PAYLOAD: &str = r#"{"iss":"SuperOffice AS","aud":"spn:1234","exp":1800000300,"nbf":1799999000,"iat":1799999000,"nonce":"n"}"#;

struct Fixture {
    key: PrivateKey,
    keys: KeySet,
    /// `header.payload.signature` of HEADER and PAYLOAD.
    valid: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = PrivateKey::parse(include_str!("../../tests/fixtures/keys/rsa2048.pkcs8.pem"))
            .expect("fixture key");
        // The same key as a JWKS (kid test-key-1, with x5t) and as a pinned SPKI key without ids.
        let mut keys = KeySet::parse(include_str!("../../tests/fixtures/keys/rsa2048.jwks.json"))
            .expect("fixture JWKS");
        keys.extend(
            KeySet::parse(include_str!("../../tests/fixtures/keys/other2048.spki.pem"))
                .expect("fixture SPKI")
                .keys()
                .iter()
                .cloned(),
        )
        .expect("extend");
        let valid = sign(&key, HEADER.as_bytes(), PAYLOAD.as_bytes());
        Fixture { key, keys, valid }
    })
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

fn sign(key: &PrivateKey, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let signature = key.sign_pkcs1v15_sha256(input.as_bytes()).expect("signing");
    format!("{input}.{}", b64(&signature))
}

fn options(now_ms: f64) -> ValidationOptions<'static> {
    ValidationOptions {
        issuer: Some("SuperOffice AS"),
        audience: Some("spn:1234"),
        nonce: Some("n"),
        ..ValidationOptions::at(now_ms)
    }
}

/// Validates and checks what must hold whatever the input. `signed`: whether we signed exactly this
/// token's signing input, so that success is possible.
fn check(token: &str, options: &ValidationOptions<'_>, signed: bool) {
    match validate_token(token, &fixture().keys, options) {
        Ok(claims) => {
            assert!(
                signed || token == fixture().valid,
                "forged token validated: {token:?}"
            );
            let exp = claims.get("exp").and_then(|exp| exp.as_f64()).expect("exp");
            assert!(options.now_ms / 1000.0 < exp + f64::from(options.leeway_seconds));
            if let Some(issuer) = options.issuer {
                assert_eq!(claims.get("iss").and_then(|iss| iss.as_str()), Some(issuer));
            }
        }
        Err(error) => {
            assert!(CODES.contains(&error.code()));
            let _ = error.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let (valid_input, valid_signature) = fixture.valid.rsplit_once('.').expect("three segments");
    let (valid_header, valid_payload) = valid_input.split_once('.').expect("three segments");
    match mode % 8 {
        // Any string.
        0 => check(&text, &options(NOW_MS), false),
        // Any header bytes, correctly signed.
        1 => check(
            &sign(&fixture.key, rest, PAYLOAD.as_bytes()),
            &options(NOW_MS),
            true,
        ),
        // Any payload bytes, correctly signed.
        2 => check(
            &sign(&fixture.key, HEADER.as_bytes(), rest),
            &options(NOW_MS),
            true,
        ),
        // One segment of the valid token replaced by any text, not re-signed.
        3 => {
            let token = match rest.first().copied().unwrap_or(0) % 3 {
                0 => format!("{text}.{valid_payload}.{valid_signature}"),
                1 => format!("{valid_header}.{text}.{valid_signature}"),
                _ => format!("{valid_input}.{text}"),
            };
            check(&token, &options(NOW_MS), false);
        }
        // The valid token with bytes overwritten at a position.
        4 => {
            let mut bytes = fixture.valid.clone().into_bytes();
            if let [position, replacement @ ..] = rest {
                let at = usize::from(*position) * bytes.len() / 256;
                for (offset, &byte) in replacement.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + offset) {
                        *slot = byte;
                    }
                }
            }
            let token = String::from_utf8_lossy(&bytes);
            check(&token, &options(NOW_MS), token == fixture.valid);
        }
        // The valid token with text inserted at a position.
        5 => {
            let at = usize::from(rest.first().copied().unwrap_or(0)) * fixture.valid.len() / 256;
            let text = String::from_utf8_lossy(rest.get(1..).unwrap_or_default());
            let token = format!("{}{text}{}", &fixture.valid[..at], &fixture.valid[at..]);
            check(&token, &options(NOW_MS), token == fixture.valid);
        }
        // The valid token under arbitrary options.
        6 => {
            let mut fields = text.split('\n');
            let (issuer, audience, nonce) = (fields.next(), fields.next(), fields.next());
            let number = rest
                .get(..8)
                .and_then(|bytes| bytes.try_into().ok())
                .map(f64::from_le_bytes)
                .unwrap_or(NOW_MS);
            let options = ValidationOptions {
                now_ms: number,
                leeway_seconds: u32::from(rest.get(8).copied().unwrap_or(0)) * 16,
                issuer,
                audience,
                nonce,
            };
            check(&fixture.valid, &options, true);
        }
        // A header and payload separated by a newline, both signed: structure-aware JSON mutations.
        _ => {
            let (header, payload) = text.split_once('\n').unwrap_or((HEADER, &text));
            check(
                &sign(&fixture.key, header.as_bytes(), payload.as_bytes()),
                &options(NOW_MS),
                true,
            );
        }
    }
});
