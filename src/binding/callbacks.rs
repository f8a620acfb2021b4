//! Binding of the callbacks door (`crate::callbacks`): each entry takes one options object as JSON
//! text (decoded into a struct that refuses unknown members) plus the raw body bytes and, for the
//! notification, the key set handle. Decode, call, write the result as JSON; nothing else.

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use super::{to_js, to_json, JsResult, WasmKeySet};
use crate::callbacks::{self, TenantStatusOptions, WebhookOptions};
use crate::error::Error;
use crate::oauth::superid::resolve_issuer;

/// The options object, as the JS layer writes it; a member it does not know is an error.
fn options<'a, T: Deserialize<'a>>(json: &'a str) -> JsResult<T> {
    serde_json::from_str(json).map_err(|_| {
        to_js(Error::InvalidArgument(
            "the options are not what this entry takes",
        ))
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct VerifyWebhookArgs {
    headers: Vec<(String, String)>,
    secrets: Vec<String>,
    max_age_seconds: Option<u32>,
    now_ms: f64,
}

/// Webhook secrets are wiped from wasm memory once the call is over (the JS copy is the caller's).
impl Drop for VerifyWebhookArgs {
    fn drop(&mut self) {
        self.secrets.zeroize();
    }
}

#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(options_json: String, body: &[u8]) -> JsResult<String> {
    let mut options_json = options_json;
    let args: JsResult<VerifyWebhookArgs> = options(&options_json);
    options_json.zeroize();
    let args = args?;
    let headers: Vec<(&str, &str)> = args
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let secrets: Vec<&str> = args.secrets.iter().map(String::as_str).collect();
    let event = callbacks::verify_webhook(
        body,
        &WebhookOptions {
            headers: &headers,
            secrets: &secrets,
            max_age_seconds: args.max_age_seconds,
            now_ms: args.now_ms,
        },
    )
    .map_err(to_js)?;
    to_json(&event)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TenantStatusArgs {
    environment: Option<String>,
    issuer: Option<String>,
    client_id: Option<String>,
    now_ms: f64,
    leeway_seconds: u32,
}

#[wasm_bindgen(js_name = parseTenantStatusNotification)]
pub fn parse_tenant_status_notification(
    options_json: &str,
    body: &[u8],
    keys: &WasmKeySet,
) -> JsResult<String> {
    let args: TenantStatusArgs = options(options_json)?;
    let issuer =
        resolve_issuer(args.environment.as_deref(), args.issuer.as_deref()).map_err(to_js)?;
    let notification = callbacks::parse_tenant_status_notification(
        body,
        &keys.0,
        &TenantStatusOptions {
            issuer: &issuer,
            client_id: args.client_id.as_deref(),
            now_ms: args.now_ms,
            leeway_seconds: args.leeway_seconds,
        },
    )
    .map_err(to_js)?;
    to_json(&notification)
}
