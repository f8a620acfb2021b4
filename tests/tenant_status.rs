//! Tenant status notifications: bodies shaped like SuperOffice's documented payload
//! (docs/en/apps/tenant-status/notifications.md), Tokens minted with the RFC 7515 A.2 key, each row
//! with the result or the error it must give.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{json, Map, Value};
use superoffice_auth::callbacks::{
    parse_tenant_status_notification, ChangeType, TenantStatusNotification, TenantStatusOptions,
};
use superoffice_auth::{Error, KeySet, PrivateKey};

const RFC: &str = include_str!("fixtures/rfc/rfc7515-a2.json");
const RFC_PEM: &str = include_str!("fixtures/rfc/rfc7515-a2.pem");

const NOW_MS: f64 = 1_800_000_000_000.0;
const SOD: &str = "https://sod.superoffice.com";
const CTX: &str = "http://schemes.superoffice.net/identity/ctx";
const CLIENT_ID: &str = "6cf25376616343b38d14ddcd804f2891";

fn keys() -> KeySet {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let jwk = &rfc["jwk"];
    let jwks = json!({ "keys": [{ "kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": "rfc" }] });
    KeySet::parse(&jwks.to_string()).unwrap()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

fn mint(payload: &Value) -> String {
    let header = r#"{"alg":"RS256","kid":"rfc","typ":"JWT"}"#;
    let input = format!("{}.{}", b64(header), b64(payload.to_string()));
    let key = PrivateKey::parse(RFC_PEM).unwrap();
    let signature = key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(signature))
}

fn claims() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "iss": SOD,
        "aud": CLIENT_ID,
        CTX: "Cust12345",
        "iat": "1799999900",
        "nbf": 1_799_999_840,
        "exp": 1_800_000_300,
    }) else {
        unreachable!()
    };
    map
}

fn body(change_type: Value, token: &str) -> String {
    json!({
        "ChangeType": change_type,
        "ContextIdentifier": "Cust12345",
        "VersionName": "Release 8.4 R08",
        "FileVersion": "8.4.12.1234",
        "Token": token,
    })
    .to_string()
}

fn options() -> TenantStatusOptions<'static> {
    TenantStatusOptions {
        issuer: SOD,
        client_id: None,
        now_ms: NOW_MS,
        leeway_seconds: 60,
    }
}

fn parse(body: &str, options: &TenantStatusOptions<'_>) -> Result<TenantStatusNotification, Error> {
    parse_tenant_status_notification(body.as_bytes(), &keys(), options)
}

#[test]
fn every_documented_change_type_and_an_unknown_one() {
    let token = mint(&Value::Object(claims()));
    for (code, expected) in [
        (0, ChangeType::Known("Upgrade")),
        (1, ChangeType::Known("BackupRestored")),
        (2, ChangeType::Known("Suspend")),
        (3, ChangeType::Known("Resume")),
        (4, ChangeType::Known("Delete")),
        (5, ChangeType::Unknown(5)),
        (-1, ChangeType::Unknown(-1)),
    ] {
        let notification = parse(&body(json!(code), &token), &options()).unwrap();
        assert_eq!(notification.change_type, expected);
        assert_eq!(notification.change_type_code, code);
        assert_eq!(notification.context_identifier, "Cust12345");
        assert_eq!(
            notification.version_name.as_deref(),
            Some("Release 8.4 R08")
        );
        assert_eq!(notification.file_version.as_deref(), Some("8.4.12.1234"));
    }
    let json = serde_json::to_value(parse(&body(json!(2), &token), &options()).unwrap()).unwrap();
    assert_eq!(
        json,
        json!({ "changeType": "Suspend", "changeTypeCode": 2, "contextIdentifier": "Cust12345",
                "versionName": "Release 8.4 R08", "fileVersion": "8.4.12.1234" })
    );
    let json = serde_json::to_value(parse(&body(json!(9), &token), &options()).unwrap()).unwrap();
    assert_eq!(json["changeType"], json!(9));
}

#[test]
fn refusals_table() {
    let good = claims();
    let with = |name: &str, value: Value| {
        let mut claims = good.clone();
        claims.insert(name.to_owned(), value);
        mint(&Value::Object(claims))
    };
    let without = |name: &str| {
        let mut claims = good.clone();
        claims.remove(name);
        mint(&Value::Object(claims))
    };
    let good_token = mint(&Value::Object(good.clone()));
    // One character of the signature segment changed (not the last, whose spare bits must be zero).
    let at = good_token.rfind('.').unwrap() + 10;
    let swapped = if &good_token[at..=at] == "A" {
        "B"
    } else {
        "A"
    };
    let tampered = format!("{}{swapped}{}", &good_token[..at], &good_token[at + 1..]);
    let audience = TenantStatusOptions {
        client_id: Some(CLIENT_ID),
        ..options()
    };
    let other_audience = TenantStatusOptions {
        client_id: Some("another-app"),
        ..options()
    };
    let rows: Vec<(&str, String, TenantStatusOptions<'_>, &str, Option<&str>)> = vec![
        (
            "not JSON",
            "ChangeType=2".into(),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-json"),
        ),
        (
            "duplicate member",
            body(json!(2), &good_token).replacen('{', r#"{"ChangeType":4,"#, 1),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-json"),
        ),
        (
            "ChangeType a string",
            body(json!("Suspend"), &good_token),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "ChangeType a fraction",
            body(json!(2.5), &good_token),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "ChangeType beyond int32",
            body(json!(4_294_967_296_i64), &good_token),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "no Token",
            body(json!(2), &good_token).replace(&format!(r#","Token":"{good_token}""#), ""),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "Token empty",
            body(json!(2), ""),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "ContextIdentifier empty",
            body(json!(2), &good_token).replace(r#""Cust12345""#, r#""""#),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "VersionName a number",
            body(json!(2), &good_token).replace(r#""Release 8.4 R08""#, "8"),
            options(),
            "ERR_WEBHOOK_INVALID",
            Some("malformed-event"),
        ),
        (
            "Token not a JWT",
            body(json!(2), "ejy234ASD...1234#"),
            options(),
            "ERR_JWT_MALFORMED",
            None,
        ),
        (
            "Token signature",
            body(json!(2), &tampered),
            options(),
            "ERR_JWT_SIGNATURE_INVALID",
            None,
        ),
        (
            "Token expired",
            body(json!(2), &with("exp", json!(1_799_999_000))),
            options(),
            "ERR_JWT_EXPIRED",
            None,
        ),
        (
            "Token without exp",
            body(json!(2), &without("exp")),
            options(),
            "ERR_JWT_CLAIM_INVALID",
            Some("exp"),
        ),
        (
            "Token of another environment",
            body(
                json!(2),
                &with("iss", json!("https://online.superoffice.com")),
            ),
            options(),
            "ERR_JWT_CLAIM_INVALID",
            Some("iss"),
        ),
        (
            "Token for another tenant",
            body(json!(2), &with(CTX, json!("Cust99999"))),
            options(),
            "ERR_JWT_CLAIM_INVALID",
            Some(CTX),
        ),
        (
            "Token without a tenant",
            body(json!(2), &without(CTX)),
            options(),
            "ERR_JWT_CLAIM_INVALID",
            Some(CTX),
        ),
        (
            "Token for another application",
            body(json!(2), &good_token),
            other_audience,
            "ERR_JWT_CLAIM_INVALID",
            Some("aud"),
        ),
        (
            "audience expected, none",
            body(json!(2), &without("aud")),
            audience.clone(),
            "ERR_JWT_CLAIM_INVALID",
            Some("aud"),
        ),
        (
            "empty clientId",
            body(json!(2), &good_token),
            TenantStatusOptions {
                client_id: Some(""),
                ..options()
            },
            "ERR_INVALID_ARGUMENT",
            None,
        ),
        (
            "empty issuer",
            body(json!(2), &good_token),
            TenantStatusOptions {
                issuer: " ",
                ..options()
            },
            "ERR_INVALID_ARGUMENT",
            None,
        ),
    ];
    for (what, body, options, code, detail) in rows {
        let error = parse(&body, &options).unwrap_err();
        assert_eq!(error.code(), code, "{what}: {error}");
        match (&error, detail) {
            (Error::WebhookInvalid { reason }, Some(expected)) => {
                assert_eq!(*reason, expected, "{what}")
            }
            (Error::JwtClaimInvalid { claim, .. }, Some(expected)) => {
                assert_eq!(claim, expected, "{what}")
            }
            (_, None) => {}
            (other, Some(expected)) => panic!("{what}: {other:?}, expected {expected}"),
        }
    }
    // With the client id expected, the Token naming it passes.
    assert!(parse(&body(json!(2), &good_token), &audience).is_ok());
    let large = format!("{}{}", " ".repeat(256 * 1024), body(json!(2), &good_token));
    assert_eq!(
        parse(&large, &options()).unwrap_err().code(),
        "ERR_RESPONSE_TOO_LARGE"
    );
}
