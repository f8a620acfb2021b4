//! Binding of the callbacks door (`crate::callbacks`): each entry takes one options object as JSON
//! text plus the raw body bytes and, for the notification, the key set handle. Decode, call, write
//! the result as JSON; nothing else.
//!
//! The options are read with the core's strict JSON reader, and a member this entry does not take is
//! refused (as `deny_unknown_fields` would). Not through a `#[derive(Deserialize)]` struct: measured
//! here, serde_json's derived-struct path (its struct and sequence visitors, typed errors) added
//! 16 KB gzipped to the .wasm for these two entries, where reading the already-linked `Value` costs
//! almost nothing.

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use super::{to_js, to_json, JsResult, WasmKeySet};
use crate::callbacks::{self, TenantStatusOptions, WebhookOptions};
use crate::error::Error;
use crate::oauth::superid::resolve_issuer;
use crate::plumbing::json::{self, Object, Value};

/// One message for any option the JS layer wrote wrongly: it checks the types first, so this is a bug
/// between the two layers, not something a caller can cause.
fn bad() -> JsValue {
    to_js(Error::InvalidArgument(
        "the options are not what this entry takes",
    ))
}

/// One options object: its members, each name one the entry takes. Members are moved out as read.
struct Args(Object);

impl Args {
    fn parse(text: &str, names: &[&str]) -> JsResult<Args> {
        let object = json::parse_object(text.as_bytes()).ok_or_else(bad)?;
        if object.keys().any(|name| !names.contains(&name.as_str())) {
            return Err(bad());
        }
        Ok(Args(object))
    }

    fn take(&mut self, name: &str) -> Option<Value> {
        self.0
            .get_mut(name)
            .map(Value::take)
            .filter(|value| !value.is_null())
    }

    fn string(&mut self, name: &str) -> JsResult<Option<String>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(bad()),
        }
    }

    fn number(&mut self, name: &str) -> JsResult<f64> {
        self.take(name).and_then(|v| v.as_f64()).ok_or_else(bad)
    }

    fn small(&mut self, name: &str) -> JsResult<Option<u32>> {
        match self.take(name) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(bad),
        }
    }

    /// A list of strings.
    fn strings(&mut self, name: &str) -> JsResult<Vec<String>> {
        let Some(Value::Array(items)) = self.take(name) else {
            return Err(bad());
        };
        items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err(bad()),
            })
            .collect()
    }
}

/// Webhook secrets are wiped from wasm memory once the call is over (the JS copy is the caller's).
struct Secrets(Vec<String>);

impl Drop for Secrets {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// `{ headers: [name, value, ...], secrets: [..], maxAgeSeconds?, nowMs }` and the body's bytes.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(options_json: String, body: &[u8]) -> JsResult<String> {
    let mut options_json = options_json;
    let args = Args::parse(
        &options_json,
        &["headers", "secrets", "maxAgeSeconds", "nowMs"],
    );
    options_json.zeroize();
    let mut args = args?;
    let secrets = Secrets(args.strings("secrets")?);
    // Names and values alternate: `[name, value, name, value, ...]`.
    let headers = args.strings("headers")?;
    let headers: Vec<(&str, &str)> = headers
        .chunks_exact(2)
        .map(|pair| (pair[0].as_str(), pair[1].as_str()))
        .collect();
    let secret_refs: Vec<&str> = secrets.0.iter().map(String::as_str).collect();
    let event = callbacks::verify_webhook(
        body,
        &WebhookOptions {
            headers: &headers,
            secrets: &secret_refs,
            max_age_seconds: args.small("maxAgeSeconds")?,
            now_ms: args.number("nowMs")?,
        },
    )
    .map_err(to_js)?;
    to_json(&event)
}

/// `{ environment? | issuer?, clientId?, nowMs, leewaySeconds }`, the body's bytes and the key set.
#[wasm_bindgen(js_name = parseTenantStatusNotification)]
pub fn parse_tenant_status_notification(
    options_json: &str,
    body: &[u8],
    keys: &WasmKeySet,
) -> JsResult<String> {
    let mut args = Args::parse(
        options_json,
        &[
            "environment",
            "issuer",
            "clientId",
            "nowMs",
            "leewaySeconds",
        ],
    )?;
    let environment = args.string("environment")?;
    let issuer = args.string("issuer")?;
    let issuer = resolve_issuer(environment.as_deref(), issuer.as_deref()).map_err(to_js)?;
    let client_id = args.string("clientId")?;
    let notification = callbacks::parse_tenant_status_notification(
        body,
        &keys.0,
        &TenantStatusOptions {
            issuer: &issuer,
            client_id: client_id.as_deref(),
            now_ms: args.number("nowMs")?,
            leeway_seconds: args
                .small("leewaySeconds")?
                .unwrap_or(crate::jwt::DEFAULT_LEEWAY_SECONDS),
        },
    )
    .map_err(to_js)?;
    to_json(&notification)
}
