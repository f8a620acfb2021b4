//! JWT validation: RFC 7515 A.2 and RFC 7520 §4.1 reproduced, then a table of hostile tokens (RFC 8725),
//! each with the error code it must produce. Every row is followed by a valid validation to show
//! nothing sticks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use superoffice_auth::{validate_token, Error, KeySet, PrivateKey, ValidationOptions};

const RFC: &str = include_str!("fixtures/rfc/rfc7515-a2.json");
const RFC_PEM: &str = include_str!("fixtures/rfc/rfc7515-a2.pem");
const RFC7520: &str = include_str!("fixtures/rfc/rfc7520-4.1.json");
const RFC7520_PEM: &str = include_str!("fixtures/rfc/rfc7520-4.1.pem");
/// A key that is not in the key set: the attacker's.
const ATTACKER_PEM: &str = include_str!("fixtures/keys/rsa2048.pkcs8.pem");
const ATTACKER_CERT: &str = include_str!("fixtures/keys/rsa2048.cert-v3.pem");

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
    mint_with(RFC_PEM, header.as_bytes(), payload.as_bytes())
}

/// Signs `header.payload` (raw bytes) with the given private key.
fn mint_with(pem: &str, header: &[u8], payload: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = PrivateKey::parse(pem).unwrap();
    let signature = key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(signature))
}

/// HMAC-SHA256 (RFC 2104), for the algorithm-confusion rows: a token "signed" with HS256 keyed by
/// our own public key, which a library that lets the token pick the algorithm would accept.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    block.resize(64, 0);
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

fn hs256(header: &str, payload: &str, key: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    format!("{input}.{}", b64(hmac_sha256(key, input.as_bytes())))
}

/// An RS256 header over an RSASSA-PSS signature by the right key: a different scheme, refused.
fn pss_signed(header: &str, payload: &str) -> String {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{RandomizedSigner, SignatureEncoding};
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = rsa::PrivateKey::from_pkcs8_pem(RFC_PEM).unwrap();
    let signer = rsa::pss::SigningKey::<Sha256>::new(key);
    let signature = signer
        .try_sign_with_rng(&mut getrandom::SysRng, input.as_bytes())
        .unwrap();
    format!("{input}.{}", b64(signature.to_vec()))
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
    assert_eq!(claims.get("iss").and_then(|v| v.as_str()), Some("joe"));
    assert_eq!(
        claims
            .get("http://example.com/is_root")
            .and_then(|v| v.as_bool()),
        Some(true)
    );
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

fn rfc7520() -> Value {
    serde_json::from_str(RFC7520).unwrap()
}

fn rfc7520_keys() -> KeySet {
    let jwk = &rfc7520()["jwk"];
    let jwks = json!({ "keys": [{ "kty": "RSA", "use": "sig", "n": jwk["n"], "e": jwk["e"], "kid": jwk["kid"] }] });
    KeySet::parse(&jwks.to_string()).unwrap()
}

#[test]
fn rfc7520_4_1_signature_is_reproduced_exactly() {
    let compact = rfc7520()["compact"].as_str().unwrap().to_owned();
    let (input, signature) = compact.rsplit_once('.').unwrap();
    let key = PrivateKey::parse(RFC7520_PEM).unwrap();
    assert_eq!(
        b64(key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap()),
        signature
    );
    let payload = Base64UrlUnpadded::decode_vec(input.split('.').nth(1).unwrap()).unwrap();
    assert_eq!(payload, rfc7520()["payload"].as_str().unwrap().as_bytes());
}

/// RFC 7520 §4.1's payload is prose ("It's a dangerous business, Frodo..."), not a claims set. The
/// signature is checked first, so the genuine token fails only on its payload (ERR_JWT_MALFORMED),
/// while a damaged signature fails as a signature, before the payload is ever read.
#[test]
fn rfc7520_4_1_signature_is_checked_before_the_payload() {
    let compact = rfc7520()["compact"].as_str().unwrap().to_owned();
    let (input, signature) = compact.rsplit_once('.').unwrap();
    let keys = rfc7520_keys();
    let [key] = keys.keys() else {
        panic!("one key")
    };
    let signature_bytes = Base64UrlUnpadded::decode_vec(signature).unwrap();
    assert!(key.verify_pkcs1v15_sha256(input.as_bytes(), &signature_bytes));

    let options = ValidationOptions::at(NOW_MS);
    let code = |token: &str| validate_token(token, &keys, &options).unwrap_err().code();
    assert_eq!(code(&compact), "ERR_JWT_MALFORMED");

    let mut tampered = signature_bytes.clone();
    tampered[100] ^= 0x01;
    assert_eq!(
        code(&format!("{input}.{}", b64(&tampered))),
        "ERR_JWT_SIGNATURE_INVALID"
    );
    // A claims set put in its place without the key fails on the signature too, not on its claims.
    let header = input.split('.').next().unwrap();
    let forged = format!("{header}.{}.{signature}", b64(r#"{"exp":1}"#));
    assert_eq!(code(&forged), "ERR_JWT_SIGNATURE_INVALID");
    // The RFC 7515 key does not verify it: no other key is consulted.
    let wrong = validate_token(&compact, &rfc_keys(), &options).unwrap_err();
    assert_eq!(wrong.code(), "ERR_JWT_KEY_NOT_FOUND");
    assert_eq!(code(&compact), "ERR_JWT_MALFORMED", "after the other rows");
}

/// Our public key is the rsa crate's, for its PEM and DER encoders.
fn to_rsa(key: &superoffice_auth::PublicKey) -> rsa::PublicKey {
    key.clone()
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
    let rfc_key = to_rsa(&PrivateKey::parse(RFC_PEM).unwrap().public_key());
    let public_pem = rfc_key.to_public_key_pem(LineEnding::LF).unwrap();
    let public_der = rfc_key.to_public_key_der().unwrap().as_bytes().to_vec();
    let attacker =
        |header: &str| mint_with(ATTACKER_PEM, header.as_bytes(), good_payload().as_bytes());
    let attacker_public = PrivateKey::parse(ATTACKER_PEM).unwrap().public_key();
    let attacker_jwk = json!({
        "kty": "RSA",
        "n": b64(attacker_public.n_bytes()),
        "e": b64(attacker_public.e_bytes()),
    });
    let attacker_x5c = {
        let body: String = ATTACKER_CERT
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        body
    };

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
        // Algorithm confusion (RFC 8725 §2.1): HS256 keyed with our own public key, as PEM and DER.
        (
            "HS256 keyed with the public key PEM",
            hs256(
                r#"{"alg":"HS256","kid":"rfc"}"#,
                &good_payload(),
                public_pem.as_bytes(),
            ),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "HS256 keyed with the public key PEM, no kid",
            hs256(r#"{"alg":"HS256"}"#, &good_payload(), public_pem.as_bytes()),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "HS256 keyed with the public key DER",
            hs256(
                r#"{"alg":"HS256","kid":"rfc"}"#,
                &good_payload(),
                &public_der,
            ),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        (
            "HS256 MAC under an RS256 header",
            hs256(rs, &good_payload(), public_pem.as_bytes()),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "RS256 header over a PSS signature by the right key",
            pss_signed(rs, &good_payload()),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "PS256 header over a PSS signature by the right key",
            pss_signed(r#"{"alg":"PS256","kid":"rfc"}"#, &good_payload()),
            "ERR_JWT_ALG_NOT_ALLOWED",
        ),
        // Keys embedded in the header are never used, even with our own kid.
        (
            "embedded jwk with the attacker's key",
            attacker(&format!(r#"{{"alg":"RS256","jwk":{attacker_jwk}}}"#)),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "embedded jwk with our kid",
            attacker(&format!(
                r#"{{"alg":"RS256","kid":"rfc","jwk":{attacker_jwk}}}"#
            )),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "embedded jwk naming its own kid",
            attacker(&format!(
                r#"{{"alg":"RS256","kid":"attacker","jwk":{attacker_jwk}}}"#
            )),
            "ERR_JWT_KEY_NOT_FOUND",
        ),
        (
            "jku",
            attacker(r#"{"alg":"RS256","jku":"https://attacker.example/jwks.json"}"#),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "x5u",
            attacker(r#"{"alg":"RS256","x5u":"https://attacker.example/cert.pem"}"#),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "x5c with the attacker's certificate",
            attacker(&format!(
                r#"{{"alg":"RS256","kid":"rfc","x5c":["{attacker_x5c}"]}}"#
            )),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "kid path traversal with jwk",
            attacker(&format!(
                r#"{{"alg":"RS256","kid":"../../../../dev/null","jwk":{attacker_jwk}}}"#
            )),
            "ERR_JWT_KEY_NOT_FOUND",
        ),
        (
            "kid SQL injection",
            with_header(r#"{"alg":"RS256","kid":"' OR '1'='1"}"#),
            "ERR_JWT_KEY_NOT_FOUND",
        ),
        (
            "kid empty",
            with_header(r#"{"alg":"RS256","kid":""}"#),
            "ERR_JWT_KEY_NOT_FOUND",
        ),
        (
            "x5t not a string",
            with_header(r#"{"alg":"RS256","x5t":["a"]}"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "crit not an array",
            with_header(r#"{"alg":"RS256","crit":"exp"}"#),
            "ERR_JWT_MALFORMED",
        ),
        // More time claims: types, floats, huge and negative numbers.
        (
            "exp bool",
            with_payload(&format!(r#"{base},"exp":true}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp array",
            with_payload(&format!(r#"{base},"exp":[{EXP}]}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp after year 9999",
            with_payload(&format!(r#"{base},"exp":253402300800}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp u64 max",
            with_payload(&format!(r#"{base},"exp":18446744073709551615}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp beyond f64",
            with_payload(&format!(r#"{base},"exp":1e400}}"#)),
            "ERR_JWT_MALFORMED",
        ),
        (
            "exp negative float",
            with_payload(&format!(r#"{base},"exp":-0.5}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "exp float past",
            with_payload(&format!(r#"{base},"exp":1799999939.9}}"#)),
            "ERR_JWT_EXPIRED",
        ),
        (
            "exp exponent notation",
            with_payload(&format!(r#"{base},"exp":1.8000003e9}}"#)),
            "OK",
        ),
        (
            "nbf float future",
            with_payload(&claims(r#","nbf":1800000060.5"#)),
            "ERR_JWT_NOT_YET_VALID",
        ),
        (
            "nbf negative",
            with_payload(&claims(r#","nbf":-1"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "nbf null",
            with_payload(&claims(r#","nbf":null"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "nbf huge",
            with_payload(&claims(r#","nbf":1e300"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            // Digit strings are SuperOffice's own form (see "iat digit string" above); words are not.
            "iat word",
            with_payload(&claims(r#","iat":"now""#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat float",
            with_payload(&claims(r#","iat":1799999000.25"#)),
            "OK",
        ),
        (
            "iat negative",
            with_payload(&claims(r#","iat":-100"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iat huge",
            with_payload(&claims(r#","iat":9007199254740993"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud null",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":null,"exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud array with a number",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":["spn:1234",5],"exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "aud with trailing space",
            with_payload(&format!(
                r#"{{"iss":"SuperOffice AS","aud":"spn:1234 ","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iss case variant",
            with_payload(&format!(
                r#"{{"iss":"superoffice as","aud":"spn:1234","exp":{EXP}}}"#
            )),
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            "iss null",
            with_payload(&format!(r#"{{"iss":null,"aud":"spn:1234","exp":{EXP}}}"#)),
            "ERR_JWT_CLAIM_INVALID",
        ),
        // More shapes.
        ("payload null", with_payload("null"), "ERR_JWT_MALFORMED"),
        (
            "payload string",
            with_payload(r#""claims""#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "payload number",
            with_payload("1800000300"),
            "ERR_JWT_MALFORMED",
        ),
        (
            "payload empty object",
            with_payload("{}"),
            "ERR_JWT_CLAIM_INVALID",
        ),
        ("header null", with_header("null"), "ERR_JWT_MALFORMED"),
        (
            "header string",
            with_header(r#""RS256""#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "header trailing garbage",
            with_header(r#"{"alg":"RS256"} x"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "duplicate header alg by escape",
            with_header(r#"{"alg":"RS256","\u0061lg":"HS256"}"#),
            "ERR_JWT_MALFORMED",
        ),
        (
            "duplicate claim by escape",
            with_payload(&claims(r#","\u0065xp":1"#)),
            "ERR_JWT_MALFORMED",
        ),
        (
            "duplicate nested claim",
            with_payload(&claims(r#","x":{"a":1,"a":2}"#)),
            "ERR_JWT_MALFORMED",
        ),
        (
            "invalid utf-8 payload",
            mint_with(
                RFC_PEM,
                rs.as_bytes(),
                b"{\"iss\":\"SuperOffice AS\",\"x\":\"\xc3\x28\"}",
            ),
            "ERR_JWT_MALFORMED",
        ),
        (
            "standard-alphabet header, signed as sent",
            {
                // `???` encodes to `Pz8/`: a `/` that base64url does not have.
                let header = Base64::encode_string(br#"{"alg":"RS256","kid":"rfc","x":"???"}"#);
                assert!(header.contains('/'));
                let input = format!("{header}.{good_payload_b64}");
                let signature = PrivateKey::parse(RFC_PEM)
                    .unwrap()
                    .sign_pkcs1v15_sha256(input.as_bytes())
                    .unwrap();
                format!("{input}.{}", b64(signature))
            },
            "ERR_JWT_MALFORMED",
        ),
        (
            "empty header segment",
            format!(".{good_payload_b64}.{good_sig}"),
            "ERR_JWT_MALFORMED",
        ),
        (
            "empty payload segment",
            format!("{}..{good_sig}", good_input.split('.').next().unwrap()),
            "ERR_JWT_MALFORMED",
        ),
        ("only dots", "..".to_owned(), "ERR_JWT_MALFORMED"),
        (
            "truncated header",
            good[..10].to_owned(),
            "ERR_JWT_MALFORMED",
        ),
        (
            "five segments (JWE shape)",
            format!("{good}.e30.e30"),
            "ERR_JWT_MALFORMED",
        ),
        ("trailing space", format!("{good} "), "ERR_JWT_MALFORMED"),
        ("leading newline", format!("\n{good}"), "ERR_JWT_MALFORMED"),
        (
            "whitespace inside the header",
            good.replacen('.', " .", 1),
            "ERR_JWT_MALFORMED",
        ),
        (
            // The header is read first, then the signature checked over the bytes as sent; the payload
            // is decoded only after that, so an unsigned change there is a signature failure.
            "whitespace inside the payload",
            good.replacen('.', ". ", 1),
            "ERR_JWT_SIGNATURE_INVALID",
        ),
        (
            "Bearer prefix",
            format!("Bearer {good}"),
            "ERR_JWT_MALFORMED",
        ),
        (
            "flattened json serialization",
            format!(
                r#"{{"protected":"{}","payload":"{good_payload_b64}","signature":"{good_sig}"}}"#,
                b64(rs)
            ),
            "ERR_JWT_MALFORMED",
        ),
        (
            "just under 16 KiB is read",
            with_payload(&claims(&format!(r#","pad":"{}""#, "x".repeat(11_000)))),
            "OK",
        ),
        (
            "signature of another token",
            format!(
                "{good_input}.{}",
                mint(rs, &claims(r#","other":1"#))
                    .rsplit_once('.')
                    .unwrap()
                    .1
            ),
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

/// RFC 7519 §4.1.3: a token naming an audience is refused when the caller expects none (it cannot be
/// for a caller that names no audience); without `aud` it is fine.
#[test]
fn an_audience_is_refused_when_none_is_expected() {
    let no_audience = ValidationOptions {
        issuer: Some("SuperOffice AS"),
        ..ValidationOptions::at(NOW_MS)
    };
    let with_aud = |aud: &str| {
        mint(
            r#"{"alg":"RS256"}"#,
            &format!(r#"{{"exp":{EXP},"iss":"SuperOffice AS","aud":{aud}}}"#),
        )
    };
    for aud in [r#""someone-else""#, r#"["a","b"]"#, r#""spn:1234""#] {
        let error = validate_token(&with_aud(aud), &rfc_keys(), &no_audience).unwrap_err();
        assert_eq!(error.code(), "ERR_JWT_CLAIM_INVALID", "aud {aud}");
        assert!(matches!(error, Error::JwtClaimInvalid { ref claim, .. } if claim == "aud"));
    }
    let without = mint(
        r#"{"alg":"RS256"}"#,
        &format!(r#"{{"exp":{EXP},"iss":"SuperOffice AS"}}"#),
    );
    assert!(validate_token(&without, &rfc_keys(), &no_audience).is_ok());
    // With an expected audience, the matching one passes as before.
    assert_eq!(code_of(&with_aud(r#""spn:1234""#), &options()), "OK");
}

/// RFC 8725 §3.11: a token typed for another use is refused; `JWT` in any case, or no `typ`, is fine.
#[test]
fn typ_must_be_jwt_when_present() {
    let claims = format!(r#"{{"exp":{EXP},"iss":"SuperOffice AS","aud":"spn:1234"}}"#);
    let rows = [
        (r#"{"alg":"RS256"}"#, "OK"),
        (r#"{"alg":"RS256","typ":"JWT"}"#, "OK"),
        (r#"{"alg":"RS256","typ":"jwt"}"#, "OK"),
        (r#"{"alg":"RS256","typ":"at+jwt"}"#, "ERR_JWT_CLAIM_INVALID"),
        (
            r#"{"alg":"RS256","typ":"application/at+jwt"}"#,
            "ERR_JWT_CLAIM_INVALID",
        ),
        (r#"{"alg":"RS256","typ":"JWS"}"#, "ERR_JWT_CLAIM_INVALID"),
        (r#"{"alg":"RS256","typ":7}"#, "ERR_JWT_CLAIM_INVALID"),
    ];
    for (header, expected) in rows {
        assert_eq!(
            code_of(&mint(header, &claims), &options()),
            expected,
            "{header}"
        );
    }
    let error = validate_token(
        &mint(r#"{"alg":"RS256","typ":"at+jwt"}"#, &claims),
        &rfc_keys(),
        &options(),
    )
    .unwrap_err();
    assert!(matches!(error, Error::JwtClaimInvalid { ref claim, .. } if claim == "typ"));
}
