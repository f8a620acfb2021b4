//! Verifying a SuperOffice webhook delivery and reading its event.
//!
//! What SuperOffice sends (SuperOfficeDocs/superoffice-docs):
//!
//! - `docs/en/automation/webhook/security.md` ("Webhook secrets"): when the webhook definition has a
//!   secret, `X-SuperOffice-Signature` is the base64 of HMAC-SHA256 over the body, keyed by the
//!   secret's UTF-8 bytes (its C# example: `Encoding.UTF8.GetBytes(storedSecret)`, `HMACSHA256`,
//!   `Convert.ToBase64String`). Its Node example hashes `buf.toString()` and compares with `===`;
//!   whitespace and line breaks are significant, so the raw bytes are what we sign, and the
//!   comparison is `hmac`'s constant-time `verify_slice`.
//! - `docs/en/automation/webhook/notification.md`: the payload members `EventId` (a GUID), `Timestamp`,
//!   `Changes` (database field names), `Event`, `PrimaryKey`, `Entity`, `ContextIdentifier`,
//!   `ChangedByAssociateId`, `WebhookName`; headers `X-SuperOffice-Event`, `X-SuperOffice-EventId`,
//!   `X-SuperOffice-Retry`, `X-SuperOffice-Signature`. The event id is the same on every attempt of a
//!   delivery cycle (three attempts, 1 s and 4 s apart).
//! - `docs/en/automation/webhook/reference/*-events.md`: `FieldValues`, an object of field values, on
//!   newer payloads; the `webhook{id}.started|stopped|errors` events carry no `Entity`
//!   (`reference/state-events.md`), so `Entity` is optional here.
//! - `docs/en/automation/webhook/reference/test-event.md`: registration sends event `test` with
//!   `X-Hook-Test: true`, to be answered 200 OK. In that documented example the
//!   `X-Superoffice-Eventid` header (`f0a473ae-...`) differs from the body's `EventId` (`4b5ce038-...`),
//!   so the header/body agreement is checked for every event except `test`.
//!
//! Decisions where the pages are silent:
//!
//! - Order: size, signature over the raw bytes, then JSON. Nothing of an unsigned body is read.
//! - `test` is taken from the signed body (`Event` is `test`), not from the unsigned `X-Hook-Test`.
//! - The `X-SuperOffice-Event` header is not compared with the body: the state-event page shows the
//!   header `webhook{webhookId}.started` beside the body's `webhook.started`.
//! - Required members are those every documented payload carries: `EventId`, `Timestamp`, `Event`,
//!   `Changes`, `PrimaryKey`, `ContextIdentifier`, `ChangedByAssociateId`, `WebhookName`. Members we
//!   do not know are ignored (SuperOffice adds some, e.g. `Values` on older deleted events).
//! - `Timestamp` is RFC 3339 with `Z` or an offset (.NET writes seven fractional digits), read by the
//!   plumbing's `time`; a time without zone is refused rather than guessed.
//! - Several secrets may be given (rotation): each is tried, all of them, whatever the outcome.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::plumbing::http::MAX_RESPONSE_BYTES;
use crate::plumbing::json::{self, Object, Value};
use crate::plumbing::time::parse_rfc3339_ms;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Most secrets accepted at once (rotation needs two; a few more cost little).
pub const MAX_SECRETS: usize = 8;
/// Longest secret accepted, in bytes.
pub const MAX_SECRET_BYTES: usize = 1024;
/// Longest `maxAgeSeconds` accepted: a week. Beyond that the check is not a check.
pub const MAX_AGE_LIMIT_SECONDS: u32 = 7 * 24 * 3600;
/// Longest `EventId` and `Event` accepted (a GUID is 36 characters; event names are short).
const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, Clone)]
pub struct WebhookOptions<'a> {
    /// `X-SuperOffice-Signature`, as received (a header sent twice arrives joined by `, `, as HTTP
    /// joins it, and so is malformed).
    pub signature: Option<&'a str>,
    /// `X-SuperOffice-EventId`, when sent.
    pub event_id: Option<&'a str>,
    /// The webhook's shared secret, or several while one replaces another.
    pub secrets: &'a [&'a str],
    /// When given, an event whose `Timestamp` is further than this from `now` is refused.
    pub max_age_seconds: Option<u32>,
    /// Current time, epoch milliseconds (read only with `max_age_seconds`).
    pub now_ms: f64,
}

/// A verified webhook event: its members as SuperOffice sent them, each checked (see [`verify_webhook`]),
/// with the `Timestamp` read and the test event recognised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebhookEvent {
    /// `Timestamp`, epoch milliseconds.
    #[serde(rename = "timestamp")]
    pub timestamp_ms: f64,
    /// The registration's test event (`Event` is `test`): answer 200 and do nothing else.
    pub test: bool,
    /// `EventId` (a GUID), `Event`, `Changes` (strings), `PrimaryKey`, `ContextIdentifier`,
    /// `ChangedByAssociateId`, `WebhookName`, and `Entity` and `FieldValues` when sent; members we do
    /// not know are kept as sent.
    pub payload: Object,
}

impl WebhookEvent {
    /// `EventId`, checked to be a non-empty printable ASCII string.
    pub fn event_id(&self) -> &str {
        self.payload
            .get("EventId")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

fn refused(reason: &'static str) -> Error {
    Error::WebhookInvalid { reason }
}

/// Verifies a webhook delivery's signature over the raw `body` and returns its event.
pub fn verify_webhook(body: &[u8], options: &WebhookOptions<'_>) -> Result<WebhookEvent> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    let secrets = options.secrets;
    if secrets.is_empty()
        || secrets.len() > MAX_SECRETS
        || secrets
            .iter()
            .any(|s| s.is_empty() || s.len() > MAX_SECRET_BYTES)
    {
        return Err(Error::InvalidArgument(
            "secret: 1 to 8 non-empty secrets of at most 1024 bytes",
        ));
    }
    if options.max_age_seconds.is_some_and(|age| {
        age == 0
            || age > MAX_AGE_LIMIT_SECONDS
            || !options.now_ms.is_finite()
            || options.now_ms < 0.0
    }) {
        return Err(Error::InvalidArgument(
            "maxAgeSeconds must be from 1 to 604800, with a valid now",
        ));
    }
    let signature = options
        .signature
        .ok_or_else(|| refused("missing-signature"))?;
    let signature = decode_signature(signature.trim())?;
    if !signed_by_any(body, &signature, secrets) {
        return Err(refused("signature-mismatch"));
    }
    let event = read_event(body)?;
    let named = options.event_id.map(str::trim);
    if !event.test && named.is_some_and(|id| !id.eq_ignore_ascii_case(event.event_id())) {
        return Err(refused("event-id-mismatch"));
    }
    if let Some(max_age) = options.max_age_seconds {
        check_age(event.timestamp_ms, options.now_ms, max_age)?;
    }
    Ok(event)
}

/// Standard base64 with padding of exactly 32 bytes (an HMAC-SHA256 tag), as `Convert.ToBase64String`
/// writes it; the base64 crate refuses non-canonical trailing bits.
fn decode_signature(value: &str) -> Result<Vec<u8>> {
    match STANDARD.decode(value) {
        Ok(tag) if tag.len() == 32 => Ok(tag),
        _ => Err(refused("malformed-signature")),
    }
}

/// Whether `signature` is the HMAC-SHA256 of `body` under one of `secrets`. Every secret is tried
/// (no early exit), and each comparison is `hmac`'s constant-time `verify_slice`: how long this takes
/// says nothing about how much of the signature was right, nor which secret matched.
fn signed_by_any(body: &[u8], signature: &[u8], secrets: &[&str]) -> bool {
    let mut any = false;
    for secret in secrets {
        // HMAC takes a key of any length; new_from_slice cannot fail for it.
        let verified = HmacSha256::new_from_slice(secret.as_bytes())
            .map(|mac| mac.chain_update(body).verify_slice(signature).is_ok())
            .unwrap_or(false);
        any |= verified;
    }
    any
}

fn read_event(body: &[u8]) -> Result<WebhookEvent> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let payload = json::parse_object(body).ok_or_else(|| refused("malformed-json"))?;
    let member = |name: &str| payload.get(name).filter(|value| !value.is_null());
    let string = |name: &str| member(name).and_then(Value::as_str);
    let integer = |name: &str| member(name).is_some_and(Value::is_i64);
    let identifier = |name: &str| {
        string(name).filter(|text| {
            !text.is_empty()
                && text.len() <= MAX_NAME_CHARS
                && text.bytes().all(|b| b.is_ascii_graphic())
        })
    };
    let event = identifier("Event");
    let changes = member("Changes")
        .and_then(Value::as_array)
        .is_some_and(|items| items.iter().all(Value::is_string));
    let optional = |name: &str, kind: fn(&Value) -> bool| member(name).is_none_or(kind);
    let timestamp_ms = string("Timestamp").and_then(parse_rfc3339_ms);
    let (Some(event), Some(timestamp_ms)) = (event, timestamp_ms) else {
        return Err(malformed());
    };
    let well_formed = identifier("EventId").is_some()
        && changes
        && integer("PrimaryKey")
        && string("ContextIdentifier").is_some()
        && integer("ChangedByAssociateId")
        && string("WebhookName").is_some()
        && optional("Entity", Value::is_string)
        && optional("FieldValues", Value::is_object);
    if !well_formed {
        return Err(malformed());
    }
    let test = event == "test";
    Ok(WebhookEvent {
        timestamp_ms,
        test,
        payload,
    })
}

fn malformed() -> Error {
    refused("malformed-event")
}

fn check_age(timestamp_ms: f64, now_ms: f64, max_age_seconds: u32) -> Result<()> {
    let window_ms = f64::from(max_age_seconds) * 1000.0;
    if timestamp_ms + window_ms < now_ms {
        return Err(refused("too-old"));
    }
    if timestamp_ms - window_ms > now_ms {
        return Err(refused("timestamp-in-future"));
    }
    Ok(())
}
