//! Binding of the callbacks door (`crate::callbacks`): `verifyWebhook` takes one options object as
//! JSON text plus the raw body bytes. Decode, call, write the result as JSON; nothing else. (Tenant
//! status notifications need no entry of their own: the JS layer validates their Token with
//! `validateToken`, the JWT layer's entry.)
//!
//! The options are read as the state API's entries read theirs (`super::tenant::options`: the strict
//! JSON reader, a member this entry does not take refused), not through a `#[derive(Deserialize)]`
//! struct: measured here, serde_json's derived-struct path added 16 KB gzipped to the .wasm.

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use super::tenant::{bad_options, options, text};
use super::{to_js, to_json, JsResult};
use crate::callbacks::{self, WebhookOptions};
use crate::plumbing::json::{Object, Value};

/// `secrets`: a list of strings (taken out of the options, to be wiped with them).
fn secrets(object: &mut Object) -> JsResult<Vec<String>> {
    let Some(Value::Array(items)) = object.get_mut("secrets").map(Value::take) else {
        return Err(bad_options());
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => Ok(text),
            _ => Err(bad_options()),
        })
        .collect()
}

/// Webhook secrets are wiped from wasm memory once the call is over (the JS copy is the caller's).
struct Secrets(Vec<String>);

impl Drop for Secrets {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `{ signature?, eventId?, secrets: [..], maxAgeSeconds?, nowMs }` and the body's bytes.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(options_json: String, body: &[u8]) -> JsResult<String> {
    let mut options_json = options_json;
    let object = options(
        &options_json,
        &["signature", "eventId", "secrets", "maxAgeSeconds", "nowMs"],
    );
    options_json.zeroize();
    let mut object = object?;
    let secrets = Secrets(secrets(&mut object)?);
    let signature = text(&object, "signature")?;
    let event_id = text(&object, "eventId")?;
    let max_age_seconds = match object.get("maxAgeSeconds") {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(bad_options)?,
        ),
    };
    let now_ms = object
        .get("nowMs")
        .and_then(Value::as_f64)
        .ok_or_else(bad_options)?;
    let secret_refs: Vec<&str> = secrets.0.iter().map(String::as_str).collect();
    let event = callbacks::verify_webhook(
        body,
        &WebhookOptions {
            signature: signature.as_deref(),
            event_id: event_id.as_deref(),
            secrets: &secret_refs,
            max_age_seconds,
            now_ms,
        },
    )
    .map_err(to_js)?;
    to_json(&event)
}

/// The issuer of an environment's tokens (`https://online.superoffice.com`, ...), for the JS layer's
/// `parseTenantStatusNotification`, which validates the notification's Token with `validateToken`.
#[wasm_bindgen(js_name = environmentIssuer)]
pub fn environment_issuer(environment: &str) -> JsResult<String> {
    crate::oauth::superid::resolve_issuer(Some(environment), None).map_err(to_js)
}
