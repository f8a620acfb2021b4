//! The state API's two entries. Each takes one options object as JSON text (the response body rides
//! beside it, as a string, so that it is not escaped into JSON and read back); results cross as JSON.

use serde::Serialize;

use super::{to_js, to_json, JsResult};
use crate::error::Error;
use crate::plumbing::http::HttpResponse;
use crate::plumbing::json::{self, Object, Value};
use crate::tenant::{self, StateName, TenantStateOptions, TenantStateRequestParams};
use wasm_bindgen::prelude::*;

/// Decodes an options object: a JSON object whose members are all in `allowed` (a misspelled option
/// is refused). Read through the strict JSON reader the core already links rather than a derived
/// serde struct: that costs the module ~15 KB gzipped (serde_json's typed deserializer), until the
/// binding's shared options decoder lands and these structs move onto it. Messages are fixed (a
/// value is never quoted).
pub(super) fn options(json: &str, allowed: &[&str]) -> JsResult<Object> {
    let object = json::parse_object(json.as_bytes())
        .filter(|object| object.keys().all(|key| allowed.contains(&key.as_str())))
        .ok_or_else(bad_options)?;
    Ok(object)
}

pub(super) fn bad_options() -> JsValue {
    to_js(Error::InvalidArgument(
        "options: an unknown option, or an option of the wrong type",
    ))
}

/// An optional string member: absent or null is `None`.
pub(super) fn text(object: &Object, name: &str) -> JsResult<Option<String>> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(bad_options()),
    }
}

fn required_text(object: &Object, name: &str) -> JsResult<String> {
    text(object, name)?.ok_or_else(bad_options)
}

struct StateRequestOptions {
    environment: Option<String>,
    base_url: Option<String>,
    context_identifier: String,
}

/// `{ url, method, headers }`: a GET, so no body (fetch refuses one, even empty).
#[derive(Serialize)]
struct StateRequestJson<'a> {
    url: &'a str,
    method: &'a str,
    headers: serde_json::Map<String, serde_json::Value>,
}

#[wasm_bindgen(js_name = buildTenantStateRequest)]
pub fn build_tenant_state_request(options_json: &str) -> JsResult<String> {
    let object = options(
        options_json,
        &["environment", "baseUrl", "contextIdentifier"],
    )?;
    let options = StateRequestOptions {
        environment: text(&object, "environment")?,
        base_url: text(&object, "baseUrl")?,
        context_identifier: required_text(&object, "contextIdentifier")?,
    };
    let built = tenant::build_tenant_state_request(&TenantStateRequestParams {
        environment: options.environment.as_deref(),
        base_url: options.base_url.as_deref(),
        context_identifier: &options.context_identifier,
    })
    .map_err(to_js)?;
    to_json(&StateRequestJson {
        url: &built.url,
        method: built.method,
        headers: built
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), serde_json::Value::from(value.as_str())))
            .collect(),
    })
}

struct StateParseOptions {
    status: u16,
    content_type: Option<String>,
    context_identifier: String,
    now: f64,
    environment: Option<String>,
    base_url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TenantStateJson<'a> {
    context_identifier: &'a str,
    endpoint: Option<&'a str>,
    api_url: Option<&'a str>,
    state: StateJson<'a>,
    state_code: Option<u32>,
    is_running: bool,
    valid_until: f64,
}

#[derive(Serialize)]
#[serde(untagged)]
enum StateJson<'a> {
    Name(&'a str),
    Number(u32),
}

#[wasm_bindgen(js_name = parseTenantState)]
pub fn parse_tenant_state(options_json: &str, body: &str) -> JsResult<String> {
    let object = options(
        options_json,
        &[
            "status",
            "contentType",
            "contextIdentifier",
            "now",
            "environment",
            "baseUrl",
        ],
    )?;
    let options = StateParseOptions {
        status: object
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|status| u16::try_from(status).ok())
            .ok_or_else(bad_options)?,
        content_type: text(&object, "contentType")?,
        context_identifier: required_text(&object, "contextIdentifier")?,
        now: object
            .get("now")
            .and_then(Value::as_f64)
            .ok_or_else(bad_options)?,
        environment: text(&object, "environment")?,
        base_url: text(&object, "baseUrl")?,
    };
    let response = HttpResponse {
        status: options.status,
        content_type: options.content_type.as_deref(),
        body,
    };
    let state = tenant::parse_tenant_state(
        &response,
        &TenantStateOptions {
            context_identifier: &options.context_identifier,
            now_ms: options.now,
            environment: options.environment.as_deref(),
            base_url: options.base_url.as_deref(),
        },
    )
    .map_err(to_js)?;
    to_json(&TenantStateJson {
        context_identifier: &state.context_identifier,
        endpoint: state.endpoint.as_deref(),
        api_url: state.api_url.as_deref(),
        state: match &state.state {
            StateName::Known(name) => StateJson::Name(name),
            StateName::Other(name) => StateJson::Name(name),
            StateName::Number(code) => StateJson::Number(*code),
        },
        state_code: state.state_code,
        is_running: state.is_running,
        valid_until: state.valid_until_ms,
    })
}
