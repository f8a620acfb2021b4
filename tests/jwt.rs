//! JWT validation: RFC 7515 A.2 reproduced, then a table of hostile tokens (RFC 8725), each with the
//! error code it must produce. Every row is followed by a valid validation to show nothing sticks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{json, Value};
use superoffice_auth::{validate_token, KeySet, PrivateKey, ValidationOptions};

const RFC: &str = include_str!("fixtures/rfc/rfc7515-a2.json");
const RFC_PEM: &str = include_str!("fixtures/rfc/rfc7515-a2.pem");

fn rfc() -> Value {
    serde_json::from_str(RFC).unwrap()
}

fn rfc_keys() -> KeySet {
    let jwk = &rfc()["jwk"];
    let jwks = json!({ "keys": [{ "kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": "rfc" }] });
    KeySet::parse(&jwks.to_string()).unwrap()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

/// Signs `header.payload` (raw JSON text) with the RFC key.
fn mint(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = PrivateKey::parse(RFC_PEM).unwrap();
    let signature = key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(signature))
}

const NOW_MS: f64 = 1_800_000_000_000.0;
const EXP: u64 = 1_800_000_300;

fn options() -> ValidationOptions<'static> {
    ValidationOptions {
        issuer: Some("SuperOffice AS"),
        audience: Some("spn:1234"),
        ..ValidationOptions::at(NOW_MS)
    }
}

fn good_payload() -> String {
    format!(
        r#"{{"iss":"SuperOffice AS","aud":"spn:1234","exp":{EXP},"nbf":1799999000,"iat":1799999000}}"#
    )
}

fn code_of(token: &str, options: &ValidationOptions<'_>) -> &'static str {
    match validate_token(token, &rfc_keys(), options) {
        Ok(_) => "OK",
        Err(error) => error.code(),
    }
}

#[test]
fn rfc7515_a2_signature_is_reproduced_exactly() {
    let compact = rfc()["compact"].as_str().unwrap().to_owned();
    let (input, signature) = compact.rsplit_once('.').unwrap();
    let key = PrivateKey::parse(RFC_PEM).unwrap();
    let ours = key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    assert_eq!(b64(ours), signature);
}

#[test]
fn rfc7515_a2_validates_then_expires() {
    let compact = rfc()["compact"].as_str().unwrap().to_owned();
    let exp = rfc()["exp"].as_f64().unwrap();
    let claims = validate_token(
        &compact,
        &rfc_keys(),
        &ValidationOptions::at((exp - 1.0) * 1000.0),
    )
    .expect("valid before exp");
    assert_eq!(claims["iss"], "joe");
    assert_eq!(claims["http://example.com/is_root"], true);
    // Signature first, then claims: at the RFC's own time plus a day, the token is merely expired.
    let later = ValidationOptions::at((exp + 86_400.0) * 1000.0);
    assert_eq!(
        validate_token(&compact, &rfc_keys(), &later)
            .unwrap_err()
            .code(),
        "ERR_JWT_EXPIRED"
    );
    // And a leeway covers a little skew.
    let skewed = ValidationOptions {
        leeway_seconds: 60,
        ..ValidationOptions::at((exp + 30.0) * 1000.0)
    };
    assert!(validate_token(&compact, &rfc_keys(), &skewed).is_ok());
}

#[test]
fn hostile_tokens_table() {
    let rs = r#"{"alg":"RS256","kid":"rfc"}"#;
    let good = mint(rs, &good_payload());
    assert_eq!(code_of(&good, &options()), "OK");
    let (good_input, good_sig) = good.rsplit_once('.').unwrap();
    let good_payload_b64 = good_input.split('.').nth(1).unwrap();
    let with_payload = |payload: &str| mint(rs, payload);
    let with_header = |header: &str| mint(header, &good_payload());
    let claims =
        |extra: &str| format!(r#"{{"iss":"SuperOffice AS","aud":"spn:1234","exp":{EXP}{extra}}}"#);
    let base = r#"{"iss":"SuperOffice AS","aud":"spn:1234""#.to_owned();

    let rows: Vec<(&str, String, &str)> = vec![
        // Algorithms: ours, never the token's.
        (
            "alg none",
            format!("{}.{good_payload_b64}.", b64(r#"{"alg":"none"}"#)),
            "ERR_JWT_MALFORMED",
        ),
        (
            "alg none signed",
            format!("{}.{good_payload_b64}.{good_sig}", b64(r#"{"alg":"none"}"#)),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg None",
            with_header(r#"{"alg":"None"}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg HS256",
            with_header(r#"{"alg":"HS256"}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg RS384",
            with_header(r#"{"alg":"RS384"}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg PS256",
            with_header(r#"{"alg":"PS256"}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg rs256",
            with_header(r#"{"alg":"rs256"}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg missing",
            with_header(r#"{"kid":"rfc"}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "alg array",
            with_header(r#"{"alg":["RS256"]}"#),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        // Keys never come from the token.
        (
            "kid injection",
            with_header(r#"{"alg":"RS256","kid":"../../dev/null"}"#),
            "ERR_JWT_KEY_NOT_FOUND",
        ),
        (
            "kid not a string",
            with_header(r#"{"alg":"RS256","kid":7}"#),
            "ERR_JWT_MALFORMED",
        ),
        // crit: we understand no extension.
        (
            "crit unknown",
            with_header(r#"{"alg":"RS256","crit":["exp"],"exp":1}"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "crit empty",
            with_header(r#"{"alg":"RS256","crit":[]}"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "crit b64",
            with_header(r#"{"alg":"RS256","b64":false,"crit":["b64"]}"#),
            "ERR_JWT_MALFORMED",
        ),
        // Time claims.
        (
            "exp string",
            with_payload(&format!(r#"{base},"exp":"{EXP}"}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp null",
            with_payload(&format!(r#"{base},"exp":null}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp missing",
            with_payload(&format!(r#"{base}}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp negative",
            with_payload(&format!(r#"{base},"exp":-1}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp huge",
            with_payload(&format!(r#"{base},"exp":1e300}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp past",
            with_payload(&format!(r#"{base},"exp":1700000000}}"#)),
            "ERR_JWT_EXPIRED",
        ),
        (
            "exp float ok",
            with_payload(&format!(r#"{base},"exp":{EXP}.5}}"#)),
            "OK",
        ),
        (
            "nbf future",
            with_payload(&claims(r#","nbf":1900000000"#)),
            "ERR_JWT_NOT_YET_VALID",
        ),
        (
            "nbf string",
            with_payload(&claims(r#","nbf":"0""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat future",
            with_payload(&claims(r#","iat":1900000000"#)),
            "ERR_JWT_NOT_YET_VALID",
        ),
        (
            "iat null",
            with_payload(&claims(r#","iat":null"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        // SuperOffice writes `iat` as a digit string; only plain digits are read.
        (
            "iat digit string",
            with_payload(&claims(r#","iat":"1799999000""#)),
            "OK",
        ),
        (
            "iat digit string future",
            with_payload(&claims(r#","iat":"1900000000""#)),
            "ERR_JWT_NOT_YET_VALID",
        ),
        (
            "iat string signed",
            with_payload(&claims(r#","iat":"+1799999000""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat string fraction",
            with_payload(&claims(r#","iat":"1799999000.5""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat string space",
            with_payload(&claims(r#","iat":" 1799999000""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat string empty",
            with_payload(&claims(r#","iat":"""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat string too long",
            with_payload(&claims(r#","iat":"0000000000001""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        // Audience.
        (
            "aud mismatch",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":"spn:9","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud array match",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":["x","spn:1234"],"exp":{EXP}}}"#
            )),
            "OK",
        ),
        (
            "aud array no match",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":["x"],"exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud empty array",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":[],"exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud number",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":1234,"exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud missing",
            with_payload(&format!(r#"{{"iss":"SuperOffice AS","exp":{EXP}}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud case",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":"SPN:1234","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        // Issuer.
        (
            "iss mismatch",
            with_payload(&format!(
                r#"{{"iss":"Evil AS","aud":"spn:1234","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iss trailing slash",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS/","aud":"spn:1234","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iss array",
            with_payload(&format!(
                r#"{{"iss":["SuperOffice AS"],"aud":"spn:1234","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iss missing",
            with_payload(&format!(r#"{{"aud":"spn:1234","exp":{EXP}}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        // Shapes.
        ("payload array", with_payload("[1]"), "ERR_JWT_MALFORMED"),
        (
            "payload not json",
            with_payload("not json"),
            "ERR_JWT_MALFORMED",
        ),
        (
            "header array",
            with_header(r#"["RS256"]"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "header not json",
            with_header("{alg:RS256}"),
            "ERR_JWT_MALFORMED",
        ),
        (
            "duplicate header alg",
            with_header(r#"{"alg":"RS256","alg":"none"}"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "duplicate claim",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":"spn:1234","exp":{EXP},"exp":1}}"#
            )),
            "ERR_JWT_MALFORMED",
        ),
        ("padded base64", format!("{good}="), "ERR_JWT_MALFORMED"),
        (
            "padded header",
            good.replacen('.', "=.", 1),
            "ERR_JWT_MALFORMED",
        ),
        (
            "standard alphabet",
            format!(
                "{good_input}.{}",
                good_sig.replace('-', "+").replace('_', "/")
            ),
            if good_sig.contains(['-', '_']) {
                "ERR_JWT_MALFORMED"
            } else {
                "OK"
            },
        ),
        ("empty", String::new(), "ERR_JWT_MALFORMED"),
        ("two segments", good_input.to_owned(), "ERR_JWT_MALFORMED"),
        (
            "empty signature",
            format!("{good_input}."),
            "ERR_JWT_MALFORMED",
        ),
        (
            "truncated signature",
            format!(
                "{good_input}.{}",
                b64(&Base64UrlUnpadded::decode_vec(good_sig).unwrap()[1..])
            ),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "non-canonical base64 tail",
            good[..good.len() - 4].to_owned(),
            "ERR_JWT_MALFORMED",
        ),
        ("extra segment", format!("{good}.e30"), "ERR_JWT_MALFORMED"),
        (
            "leading whitespace",
            format!(" {good}"),
            "ERR_JWT_MALFORMED",
        ),
        ("trailing newline", format!("{good}\n"), "ERR_JWT_MALFORMED"),
        (
            "invalid utf-8 header",
            mint("{\"alg\":\"RS256\",\"x\":\"\u{fffd}\"}", &good_payload()).replacen(
                &b64("{\"alg\":\"RS256\",\"x\":\"\u{fffd}\"}"),
                &b64(b"{\"alg\":\"RS256\",\"x\":\"\xff\"}"),
                1,
            ),
            "ERR_JWT_MALFORMED",
        ),
        (
            "64 KiB payload",
            with_payload(&claims(&format!(r#","pad":"{}""#, "x".repeat(64 * 1024)))),
            "ERR_JWT_MALFORMED",
        ),
        (
            "json serialization",
            format!(r#"{{"payload":"{good_payload_b64}","signatures":[]}}"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "tampered payload",
            format!("{}.{}.{good_sig}", b64(rs), b64(claims(r#","admin":true"#))),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
    ];
    for (name, token, expected) in rows {
        assert_eq!(code_of(&token, &options()), expected, "row: {name}");
        assert_eq!(code_of(&good, &options()), "OK", "after row: {name}");
    }
}

#[test]
fn nonce_is_checked_when_expected() {
    let token = mint(
        r#"{"alg":"RS256"}"#,
        &format!(r#"{{"exp":{EXP},"nonce":"abc"}}"#),
    );
    let with_nonce = |nonce| ValidationOptions {
        nonce: Some(nonce),
        ..ValidationOptions::at(NOW_MS)
    };
    assert_eq!(code_of(&token, &with_nonce("abc")), "OK");
    assert_eq!(code_of(&token, &with_nonce("abd")), "ERR_JWT_CLAIM_INVALID");
    let no_nonce = mint(r#"{"alg":"RS256"}"#, &format!(r#"{{"exp":{EXP}}}"#));
    assert_eq!(
        code_of(&no_nonce, &with_nonce("abc")),
        "ERR_JWT_CLAIM_INVALID"
    );
}

#[test]
fn bad_options_are_invalid_arguments() {
    let token = mint(r#"{"alg":"RS256"}"#, &good_payload());
    for now in [f64::NAN, -1.0, f64::INFINITY] {
        assert_eq!(
            code_of(&token, &ValidationOptions::at(now)),
            "ERR_INVALID_ARGUMENT"
        );
    }
    let huge_leeway = ValidationOptions {
        leeway_seconds: 3601,
        ..ValidationOptions::at(NOW_MS)
    };
    assert_eq!(code_of(&token, &huge_leeway), "ERR_INVALID_ARGUMENT");
}
