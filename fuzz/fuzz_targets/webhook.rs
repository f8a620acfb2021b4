//! Webhook deliveries on arbitrary bytes: `verify_webhook` with the input as the body, signed with
//! the target's own HMAC-SHA256 (hmac over sha2, as SuperOffice signs) so that most inputs get past
//! the signature into the strict event reader, and with header values and a maximum age taken from
//! the input. Nothing may panic, every error must carry a known code and one of the listed reasons,
//! and an accepted event must carry what was checked: a printable EventId the header agrees with, and
//! a Timestamp within the window.
#![no_main]

use base64ct::{Base64, Encoding};
use hmac::{KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use superoffice_auth::callbacks::{verify_webhook, WebhookOptions};
use superoffice_auth::error::WEBHOOK_REASONS;
use superoffice_auth::{Error, CODES};

const SECRET: &str = "fuzz secret";
const NOW_MS: f64 = 1_800_000_000_000.0;

fn sign(body: &[u8]) -> String {
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    Base64::encode_string(&mac.finalize().into_bytes())
}

fuzz_target!(|data: &[u8]| {
    let (head, body) = data.split_at(data.len().min(2));
    let mode = head.first().copied().unwrap_or(0);
    let good = sign(body);
    // Mostly a good signature; sometimes a damaged, missing or doubled one.
    let signature = match mode % 8 {
        0 => None,
        1 => Some(format!("{good}, {good}")),
        2 => Some(good.replacen('A', "B", 1)),
        _ => Some(good),
    };
    // The event id header: none, or the text between the first two quotes of the body.
    let text = String::from_utf8_lossy(body);
    let event_id = (mode & 0x10 != 0).then(|| text.split('"').nth(1).unwrap_or("").to_owned());
    let max_age_seconds =
        (mode & 0x20 != 0).then(|| u32::from(head.get(1).copied().unwrap_or(1)).max(1) * 3600);
    let secrets = if mode & 0x40 != 0 {
        vec!["another secret", SECRET]
    } else {
        vec![SECRET]
    };
    let options = WebhookOptions {
        signature: signature.as_deref(),
        event_id: event_id.as_deref(),
        secrets: &secrets,
        max_age_seconds,
        now_ms: NOW_MS,
    };
    match verify_webhook(body, &options) {
        Ok(event) => {
            let id = event.event_id();
            assert!(
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()),
                "EventId {id:?}"
            );
            if let (Some(named), false) = (event_id.as_deref(), event.test) {
                assert!(
                    named.trim().eq_ignore_ascii_case(id),
                    "the header named another event"
                );
            }
            if let Some(age) = max_age_seconds {
                assert!(
                    (event.timestamp_ms - NOW_MS).abs() <= f64::from(age) * 1000.0,
                    "outside the window"
                );
            }
            assert!(event.timestamp_ms.is_finite());
        }
        Err(error) => {
            assert!(
                CODES.contains(&error.code()),
                "unknown code {}",
                error.code()
            );
            if let Error::WebhookInvalid { reason } = error {
                assert!(WEBHOOK_REASONS.contains(&reason), "unknown reason {reason}");
            }
        }
    }
});
