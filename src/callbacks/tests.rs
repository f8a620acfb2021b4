#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{KeyInit, Mac};

use super::webhook::{verify_webhook, WebhookOptions};
use crate::error::{Error, WEBHOOK_REASONS};
use crate::plumbing::time::parse_rfc3339_ms;

const SECRET: &str = "Something Super Secret";
const EVENT_ID: &str = "8337ae4a-1dd6-40fd-8dc7-a050664a0af7";
/// 2018-04-24T07:50:50.681Z
const TIMESTAMP_MS: f64 = 1_524_556_250_681.0;

/// The `contact.changed` payload of SuperOffice's register page, members as documented.
fn body() -> String {
    format!(
        r#"{{"EventId":"{EVENT_ID}","Timestamp":"2018-04-24T07:50:50.6812131Z","Changes":["contact_id","associate_id"],"Event":"contact.changed","PrimaryKey":994863,"Entity":"contact","ContextIdentifier":"Cust1234","ChangedByAssociateId":316,"WebhookName":"Name you provided"}}"#
    )
}

/// What SuperOffice sends: base64 of HMAC-SHA256 over the bytes, keyed by the secret's UTF-8.
fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The header's value as a receiver hands it over: names matched in any case, a header sent twice
/// joined by `, ` (as HTTP joins it).
fn header(headers: &[(&str, &str)], name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn verify(
    body: &[u8],
    headers: &[(&str, &str)],
    secrets: &[&str],
    max_age: Option<u32>,
    now_ms: f64,
) -> crate::error::Result<super::WebhookEvent> {
    let signature = header(headers, "X-SuperOffice-Signature");
    let event_id = header(headers, "X-SuperOffice-EventId");
    verify_webhook(
        body,
        &WebhookOptions {
            signature: signature.as_deref(),
            event_id: event_id.as_deref(),
            secrets,
            max_age_seconds: max_age,
            now_ms,
        },
    )
}

#[test]
fn a_signed_event_is_read_with_its_members() {
    let body = body();
    let signature = sign(SECRET, body.as_bytes());
    let event = verify(
        body.as_bytes(),
        &[
            ("X-SuperOffice-Signature", &signature),
            ("X-Superoffice-Eventid", EVENT_ID),
            ("X-SuperOffice-Event", "contact.changed"),
        ],
        &[SECRET],
        Some(300),
        TIMESTAMP_MS + 1000.0,
    )
    .unwrap();
    assert_eq!(event.event_id(), EVENT_ID);
    assert_eq!(event.timestamp_ms, TIMESTAMP_MS);
    assert!(!event.test);
    // The members as sent, in the body's order.
    assert_eq!(
        serde_json::Value::Object(event.payload),
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    );
}

/// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". A signature from an outside
/// vector passes the signature check (and then the body, not JSON, is what fails).
#[test]
fn hmac_matches_rfc_4231() {
    let tag = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    let bytes: Vec<u8> = (0..tag.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&tag[i..i + 2], 16).unwrap())
        .collect();
    let signature = STANDARD.encode(bytes);
    let data = b"what do ya want for nothing?";
    let result = verify(
        data,
        &[("x-superoffice-signature", &signature)],
        &["Jefe"],
        None,
        0.0,
    );
    assert_eq!(
        result.unwrap_err(),
        Error::WebhookInvalid {
            reason: "malformed-json"
        }
    );
    let wrong = verify(
        data,
        &[("x-superoffice-signature", &signature)],
        &["jefe"],
        None,
        0.0,
    );
    assert_eq!(
        wrong.unwrap_err(),
        Error::WebhookInvalid {
            reason: "signature-mismatch"
        }
    );
}

#[test]
fn the_raw_bytes_are_what_count() {
    let body = body();
    let signature = sign(SECRET, body.as_bytes());
    // The same JSON, re-serialised with other whitespace, line breaks or member order.
    let reformatted = [
        body.replace(',', ", "),
        body.replace(',', ",\r\n"),
        format!("{body}\n"),
        body.replacen(r#""Changes":["contact_id","associate_id"],"#, "", 1)
            .replacen('{', r#"{"Changes":["contact_id","associate_id"],"#, 1),
    ];
    for variant in reformatted {
        let refused = verify(
            variant.as_bytes(),
            &[("x-superoffice-signature", &signature)],
            &[SECRET],
            None,
            0.0,
        );
        assert_eq!(
            refused.unwrap_err(),
            Error::WebhookInvalid {
                reason: "signature-mismatch"
            },
            "{variant}"
        );
        // Signed as sent, each reads the same.
        let own = sign(SECRET, variant.as_bytes());
        let event = verify(
            variant.as_bytes(),
            &[("x-superoffice-signature", &own)],
            &[SECRET],
            None,
            0.0,
        )
        .unwrap();
        assert_eq!(event.event_id(), EVENT_ID);
    }
}

#[test]
fn rotation_accepts_any_listed_secret() {
    let body = body();
    let signature = sign("new secret", body.as_bytes());
    let headers = [("x-superoffice-signature", signature.as_str())];
    for secrets in [
        &["old secret", "new secret"][..],
        &["new secret", "old secret"],
    ] {
        assert!(verify(body.as_bytes(), &headers, secrets, None, 0.0).is_ok());
    }
    assert_eq!(
        verify(body.as_bytes(), &headers, &["old secret"], None, 0.0).unwrap_err(),
        Error::WebhookInvalid {
            reason: "signature-mismatch"
        }
    );
}

#[test]
fn the_test_event_is_flagged_and_its_header_id_may_differ() {
    // SuperOffice's documented test event: header Eventid f0a473ae-..., body EventId 4b5ce038-...
    let body = r#"{"EventId":"4b5ce038-50f2-4796-bdb2-f96908cf31c2","Timestamp":"2018-04-24T08:52:59.0005158Z","Changes":[],"Event":"test","PrimaryKey":0,"Entity":"test","ContextIdentifier":"Default","ChangedByAssociateId":316,"WebhookName":"Name you provided"}"#;
    let signature = sign(SECRET, body.as_bytes());
    let event = verify(
        body.as_bytes(),
        &[
            ("X-Superoffice-Signature", &signature),
            ("X-Hook-Test", "true"),
            (
                "X-Superoffice-Eventid",
                "f0a473ae-6194-4701-8fd1-49caf355067a",
            ),
        ],
        &[SECRET],
        None,
        0.0,
    )
    .unwrap();
    assert!(event.test);
    assert_eq!(event.event_id(), "4b5ce038-50f2-4796-bdb2-f96908cf31c2");
}

#[test]
fn state_events_without_entity_and_with_field_values() {
    let body = r#"{"EventId":"1848cc1f-d395-49ba-9b35-04a9269996d4","Timestamp":"2018-07-05T11:58:18.5809908Z","Changes":[],"Event":"webhook.started","PrimaryKey":66,"ContextIdentifier":"Cust12345","ChangedByAssociateId":0,"WebhookName":"Name you provided","FieldValues":{"events":1,"state":2,"updated":"0001-01-01T00:00:00"}}"#;
    let signature = sign(SECRET, body.as_bytes());
    let event = verify(
        body.as_bytes(),
        &[
            ("x-superoffice-signature", &signature),
            ("x-superoffice-event", "webhook66.started"),
        ],
        &[SECRET],
        None,
        0.0,
    )
    .unwrap();
    assert!(!event.payload.contains_key("Entity"));
    let values = event.payload["FieldValues"].as_object().unwrap();
    assert_eq!(values.get("state").and_then(|v| v.as_i64()), Some(2));
}

/// Every refusal with the reason it must give.
#[test]
fn refusals_table() {
    let good = body();
    let good_signature = sign(SECRET, good.as_bytes());
    let with = |from: &str, to: &str| good.replacen(from, to, 1);
    let now = TIMESTAMP_MS;
    type Row<'a> = (
        &'a str,
        String,
        Vec<(&'a str, String)>,
        Option<u32>,
        f64,
        &'a str,
    );
    let signed = |body: String| {
        let signature = sign(SECRET, body.as_bytes());
        (body, vec![("x-superoffice-signature", signature)])
    };
    let mut rows: Vec<Row<'_>> = vec![
        (
            "no signature",
            good.clone(),
            vec![],
            None,
            now,
            "missing-signature",
        ),
        (
            "signature header twice",
            good.clone(),
            vec![
                ("X-SuperOffice-Signature", good_signature.clone()),
                ("x-superoffice-signature", good_signature.clone()),
            ],
            None,
            now,
            "malformed-signature",
        ),
        (
            "hex signature",
            good.clone(),
            vec![("x-superoffice-signature", "ab".repeat(32))],
            None,
            now,
            "malformed-signature",
        ),
        (
            "unpadded",
            good.clone(),
            vec![(
                "x-superoffice-signature",
                good_signature.trim_end_matches('=').to_owned(),
            )],
            None,
            now,
            "malformed-signature",
        ),
        (
            "base64url alphabet",
            good.clone(),
            vec![(
                "x-superoffice-signature",
                good_signature.replace('+', "-").replace('/', "_"),
            )],
            None,
            now,
            "malformed-signature",
        ),
        (
            "empty",
            good.clone(),
            vec![("x-superoffice-signature", String::new())],
            None,
            now,
            "malformed-signature",
        ),
        (
            "other secret",
            good.clone(),
            vec![("x-superoffice-signature", sign("other", good.as_bytes()))],
            None,
            now,
            "signature-mismatch",
        ),
        (
            "last byte flipped",
            good.clone(),
            vec![("x-superoffice-signature", {
                let mut bytes = STANDARD.decode(&good_signature).unwrap();
                bytes[31] ^= 1;
                STANDARD.encode(bytes)
            })],
            None,
            now,
            "signature-mismatch",
        ),
        (
            "body changed after signing",
            with("994863", "994864"),
            vec![("x-superoffice-signature", good_signature.clone())],
            None,
            now,
            "signature-mismatch",
        ),
        (
            "event id header disagrees",
            good.clone(),
            vec![
                ("x-superoffice-signature", good_signature.clone()),
                (
                    "x-superoffice-eventid",
                    "00000000-0000-0000-0000-000000000000".to_owned(),
                ),
            ],
            None,
            now,
            "event-id-mismatch",
        ),
        (
            "event id header twice",
            good.clone(),
            vec![
                ("x-superoffice-signature", good_signature.clone()),
                ("x-superoffice-eventid", EVENT_ID.to_owned()),
                ("X-SuperOffice-EventId", EVENT_ID.to_owned()),
            ],
            None,
            now,
            "event-id-mismatch",
        ),
        (
            "older than maxAge",
            good.clone(),
            vec![("x-superoffice-signature", good_signature.clone())],
            Some(60),
            now + 60_001.0,
            "too-old",
        ),
        (
            "ahead of now beyond maxAge",
            good.clone(),
            vec![("x-superoffice-signature", good_signature.clone())],
            Some(60),
            now - 60_001.0,
            "timestamp-in-future",
        ),
    ];
    for (what, body) in [
        ("not JSON", "EventId=1".to_owned()),
        ("a JSON array", "[]".to_owned()),
        (
            "duplicate member",
            good.replacen('{', r#"{"Event":"x","#, 1),
        ),
    ] {
        let (body, headers) = signed(body);
        rows.push((what, body, headers, None, now, "malformed-json"));
    }
    for (what, body) in [
        (
            "no EventId",
            with(&format!(r#""EventId":"{EVENT_ID}","#), ""),
        ),
        ("numeric EventId", with(&format!(r#""{EVENT_ID}""#), "1")),
        ("EventId with a space", with(EVENT_ID, "8337ae4a 1dd6")),
        ("empty Event", with(r#""contact.changed""#, r#""""#)),
        (
            "no Timestamp",
            with(r#""Timestamp":"2018-04-24T07:50:50.6812131Z","#, ""),
        ),
        ("Timestamp without zone", with("0.6812131Z", "0.6812131")),
        (
            "Timestamp as a number",
            with(r#""2018-04-24T07:50:50.6812131Z""#, "1524556250"),
        ),
        ("Timestamp February 30", with("2018-04-24", "2018-02-30")),
        (
            "Changes not strings",
            with(r#"["contact_id","associate_id"]"#, "[1]"),
        ),
        (
            "Changes missing",
            with(r#""Changes":["contact_id","associate_id"],"#, ""),
        ),
        ("PrimaryKey a string", with("994863", r#""994863""#)),
        ("PrimaryKey a fraction", with("994863", "994863.5")),
        ("ChangedByAssociateId null", with(":316", ":null")),
        (
            "ContextIdentifier missing",
            with(r#""ContextIdentifier":"Cust1234","#, ""),
        ),
        ("WebhookName a number", with(r#""Name you provided""#, "7")),
        (
            "Entity a number",
            with(r#""contact","Context"#, r#"5,"Context"#),
        ),
        ("FieldValues an array", with("}", r#","FieldValues":[]}"#)),
    ] {
        let (body, headers) = signed(body);
        rows.push((what, body, headers, None, now, "malformed-event"));
    }
    for (what, body, headers, max_age, now_ms, reason) in rows {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let error = verify(body.as_bytes(), &headers, &[SECRET], max_age, now_ms).unwrap_err();
        assert_eq!(error, Error::WebhookInvalid { reason }, "{what}");
        assert!(
            WEBHOOK_REASONS.contains(&reason),
            "{what}: {reason} is not listed"
        );
        let message = error.to_string();
        assert!(
            !message.contains(SECRET) && !message.contains("Cust1234"),
            "{message}"
        );
    }
}

#[test]
fn invalid_utf8_is_malformed_json_once_signed() {
    let mut body = body().into_bytes();
    body.insert(10, 0xFF);
    let signature = sign(SECRET, &body);
    let error = verify(
        &body,
        &[("x-superoffice-signature", &signature)],
        &[SECRET],
        None,
        0.0,
    );
    assert_eq!(
        error.unwrap_err(),
        Error::WebhookInvalid {
            reason: "malformed-json"
        }
    );
}

#[test]
fn arguments_are_refused_before_anything_is_read() {
    let body = body();
    let signature = sign(SECRET, body.as_bytes());
    let headers = [("x-superoffice-signature", signature.as_str())];
    let long = "s".repeat(1025);
    for (secrets, max_age, now) in [
        (&[][..], None, 0.0),
        (&[""][..], None, 0.0),
        (&[long.as_str()][..], None, 0.0),
        (
            &["a", "b", "c", "d", "e", "f", "g", "h", "i"][..],
            None,
            0.0,
        ),
        (&[SECRET][..], Some(0), 0.0),
        (&[SECRET][..], Some(604_801), 0.0),
        (&[SECRET][..], Some(60), f64::NAN),
    ] {
        let error = verify(body.as_bytes(), &headers, secrets, max_age, now).unwrap_err();
        assert_eq!(
            error.code(),
            "ERR_INVALID_ARGUMENT",
            "{secrets:?} {max_age:?}"
        );
    }
    let large = vec![b' '; crate::plumbing::http::MAX_RESPONSE_BYTES + 1];
    assert_eq!(
        verify(&large, &headers, &[SECRET], None, 0.0)
            .unwrap_err()
            .code(),
        "ERR_RESPONSE_TOO_LARGE"
    );
}

#[test]
fn timestamps() {
    for (text, expected) in [
        ("1970-01-01T00:00:00Z", Some(0.0)),
        ("2018-04-24T07:50:50.6812131Z", Some(TIMESTAMP_MS)),
        ("2018-04-24T07:50:50.6Z", Some(TIMESTAMP_MS - 81.0)),
        ("2018-04-24T09:50:50.681+02:00", Some(TIMESTAMP_MS)),
        ("2018-04-24T02:20:50.681-05:30", Some(TIMESTAMP_MS)),
        ("2024-02-29T00:00:00Z", Some(1_709_164_800_000.0)),
        ("2023-02-29T00:00:00Z", None),
        ("2018-04-24T07:50:50", None),
        ("2018-04-24 07:50:50Z", None),
        ("2018-04-24T07:50:50.Z", None),
        ("2018-04-24T24:00:00Z", None),
        ("2018-04-24T07:50:50+24:00", None),
        ("2018-4-24T07:50:50Z", None),
        ("+2018-04-24T07:50:50Z", None),
        ("", None),
    ] {
        assert_eq!(parse_rfc3339_ms(text), expected, "{text}");
    }
}
