//! The `#[wasm_bindgen]` shells: each export hands its options text (and a handle) to [`super::entries`]
//! and maps an error to a JS `Error` carrying `code` and the variant's detail fields; the JS layer turns
//! it into a `SuperOfficeAuthError`. Nothing else happens here.

use super::entries;
use crate::error::{Detail, Error};
use crate::key::{PemFormat, PrivateKey};
use crate::keyset::KeySet;
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

fn to_js(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    let set = |name: &str, value: JsValue| {
        // Setting a property on a fresh Error cannot fail; if it ever did, the code below still holds.
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str(name), &value);
    };
    set("code", JsValue::from_str(error.code()));
    for (name, value) in error.details() {
        match value {
            Detail::Text(text) => set(name, JsValue::from_str(text)),
            Detail::Number(number) => set(name, JsValue::from(number)),
        }
    }
    js.into()
}

type JsResult<T> = Result<T, JsValue>;

#[wasm_bindgen]
pub struct WasmPrivateKey(PrivateKey);

// Key text and key output cross the boundary through wasm memory. Taken as an owned `String` (the
// buffer the JS glue filled) and wrapped in `Zeroizing`, the key text is wiped before its memory is
// freed; a `&str` parameter would be freed by the generated glue as it is. Output goes to JS as a
// `JsString` read straight from the zeroizing buffer, rather than as a `String` copy that the glue
// would free unwiped. (JS strings themselves cannot be wiped; that copy is the caller's.)
fn wiped(text: String) -> Zeroizing<String> {
    Zeroizing::new(text)
}

#[wasm_bindgen]
impl WasmPrivateKey {
    pub fn parse(text: String) -> JsResult<WasmPrivateKey> {
        let text = wiped(text);
        PrivateKey::parse(&text).map(WasmPrivateKey).map_err(to_js)
    }

    #[wasm_bindgen(getter)]
    pub fn bits(&self) -> u32 {
        self.0.bits() as u32
    }

    #[wasm_bindgen(js_name = toPem)]
    pub fn to_pem(&self, format: &str) -> JsResult<JsString> {
        let format = PemFormat::parse(format).map_err(to_js)?;
        self.0
            .to_pem(format)
            .map(|pem| JsString::from(pem.as_str()))
            .map_err(to_js)
    }

    #[wasm_bindgen(js_name = toXml)]
    pub fn to_xml(&self) -> JsResult<JsString> {
        self.0
            .to_xml()
            .map(|xml| JsString::from(xml.as_str()))
            .map_err(to_js)
    }

    /// `{ systemUserToken, nowMs }`.
    #[wasm_bindgen(js_name = signToken)]
    pub fn sign_token(&self, options: &str) -> JsResult<String> {
        entries::sign_token(options, &self.0).map_err(to_js)
    }
}

/// Parses and signs in one call, for callers that pass key text each time: `{ systemUserToken, nowMs }`
/// and the key text (kept out of the options so that it can be wiped).
#[wasm_bindgen(js_name = signTokenWithText)]
pub fn sign_token_with_text(options: &str, key_text: String) -> JsResult<String> {
    let key_text = wiped(key_text);
    let key = PrivateKey::parse(&key_text).map_err(to_js)?;
    entries::sign_token(options, &key).map_err(to_js)
}

#[wasm_bindgen]
pub struct WasmKeySet(KeySet);

#[wasm_bindgen]
impl WasmKeySet {
    pub fn parse(text: &str) -> JsResult<WasmKeySet> {
        KeySet::parse(text).map(WasmKeySet).map_err(to_js)
    }

    #[wasm_bindgen(getter)]
    pub fn size(&self) -> u32 {
        self.0.keys().len() as u32
    }
}

#[wasm_bindgen(js_name = buildTicketRequest)]
pub fn build_ticket_request(options: &str) -> JsResult<String> {
    entries::build_ticket_request(options).map_err(to_js)
}

/// The response body rides beside the options (every parse entry's does).
#[wasm_bindgen(js_name = parseTicketResponse)]
pub fn parse_ticket_response(options: &str, body: &str, keys: &WasmKeySet) -> JsResult<String> {
    entries::parse_ticket_response(options, body, &keys.0).map_err(to_js)
}

#[wasm_bindgen(js_name = validateToken)]
pub fn validate_token(options: &str, keys: &WasmKeySet) -> JsResult<String> {
    entries::validate_token(options, &keys.0).map_err(to_js)
}

#[wasm_bindgen(js_name = parseSuperIdToken)]
pub fn parse_super_id_token(options: &str, keys: &WasmKeySet) -> JsResult<String> {
    entries::parse_super_id_token(options, &keys.0).map_err(to_js)
}

#[wasm_bindgen(js_name = buildRefreshTokenRequest)]
pub fn build_refresh_token_request(options: &str) -> JsResult<String> {
    entries::build_refresh_token_request(options).map_err(to_js)
}

/// Without `idToken` expectations: an id_token in the answer is not read.
#[wasm_bindgen(js_name = parseTokenResponse)]
pub fn parse_token_response(options: &str, body: &str) -> JsResult<String> {
    entries::parse_token_response(options, body, None).map_err(to_js)
}

/// With `idToken` expectations, validated against `keys`. Two exports rather than one with an
/// optional key set: wasm-bindgen cannot take `Option<&WasmKeySet>`, and taking the key set by value
/// would consume the caller's JS object.
#[wasm_bindgen(js_name = parseTokenResponseWithIdToken)]
pub fn parse_token_response_with_id_token(
    options: &str,
    body: &str,
    keys: &WasmKeySet,
) -> JsResult<String> {
    entries::parse_token_response(options, body, Some(&keys.0)).map_err(to_js)
}

#[wasm_bindgen(js_name = createAuthorizationRequest)]
pub fn create_authorization_request(options: &str) -> JsResult<String> {
    entries::create_authorization_request(options).map_err(to_js)
}

#[wasm_bindgen(js_name = parseAuthorizationResponse)]
pub fn parse_authorization_response(options: &str) -> JsResult<String> {
    entries::parse_authorization_response(options).map_err(to_js)
}

#[wasm_bindgen(js_name = buildAuthorizationCodeRequest)]
pub fn build_authorization_code_request(options: &str) -> JsResult<String> {
    entries::build_authorization_code_request(options).map_err(to_js)
}

#[wasm_bindgen(js_name = buildAgentRequest)]
pub fn build_agent_request(options: &str) -> JsResult<String> {
    entries::build_agent_request(options).map_err(to_js)
}

#[wasm_bindgen(js_name = parseAgentResponse)]
pub fn parse_agent_response(options: &str, body: &str) -> JsResult<String> {
    entries::parse_agent_response(options, body).map_err(to_js)
}

#[wasm_bindgen(js_name = buildTenantStateRequest)]
pub fn build_tenant_state_request(options: &str) -> JsResult<String> {
    entries::build_tenant_state_request(options).map_err(to_js)
}

/// The body rides beside the options.
#[wasm_bindgen(js_name = parseTenantState)]
pub fn parse_tenant_state(options: &str, body: &str) -> JsResult<String> {
    entries::parse_tenant_state(options, body).map_err(to_js)
}

/// `{ signature?, eventId?, secrets, maxAgeSeconds?, nowMs }` and the body's raw bytes. The options
/// text holds the secrets: wiped once decoded.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(options: String, body: &[u8]) -> JsResult<String> {
    let options = wiped(options);
    entries::verify_webhook(&options, body).map_err(to_js)
}

/// The issuer of an environment's tokens (`https://online.superoffice.com`, ...), for the JS layer's
/// `parseTenantStatusNotification`, which validates the notification's Token with `validateToken`.
#[wasm_bindgen(js_name = environmentIssuer)]
pub fn environment_issuer(environment: &str) -> JsResult<String> {
    crate::oauth::superid::resolve_issuer(Some(environment), None).map_err(to_js)
}

/// `{ environment }` or `{ baseUrl }`: the login host, as plain text.
#[wasm_bindgen(js_name = loginHost)]
pub fn login_host(options: &str) -> JsResult<String> {
    entries::login_host(options).map_err(to_js)
}

/// The core's contract for the JS layer, as JSON text: `{ codes, detailFields, limits }`.
#[wasm_bindgen(js_name = contract)]
pub fn contract() -> String {
    entries::contract()
}

/// Size of the wasm linear memory in bytes (for the benchmark's "memory flat after warm-up" check;
/// linear memory only ever grows, so this is its high-water mark).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// Lowercase hex SHA-256 of a string's UTF-8 bytes.
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(text: &str) -> String {
    crate::plumbing::digest::sha256_hex(text.as_bytes())
}
