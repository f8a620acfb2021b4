//! The wasm-bindgen binding: decode arguments, call the core, map errors. No logic lives here.
//!
//! Errors become a JS `Error` carrying `code` and the variant's public details; the package's JS layer
//! turns it into a `SuperOfficeAuthError`. Structured results cross the boundary once, as JSON text
//! written by serde_json from the shapes below, which the JS layer reads with `JSON.parse`: claims keep
//! JS's own number semantics that way (serde-wasm-bindgen would refuse or turn into a BigInt an
//! integer claim beyond 2^53, which `JSON.parse` reads as the nearest double).

mod callbacks;

use serde::Serialize;

use crate::error::Error;
use crate::jwt;
use crate::key::{PemFormat, PrivateKey};
use crate::keyset::KeySet;
use crate::netserver::{self, AgentRequestParams};
use crate::oauth::authorize::{
    self, AuthorizationCodeRequestParams, AuthorizationRequestParams, ResponseMode, ResponseType,
};
use crate::oauth::superid::{self as oidc, SuperIdClaims, SuperIdOptions};
use crate::oauth::token::{
    self as oauth, IdTokenExpectations, RefreshRequestParams, TokenResponseOptions,
};
use crate::plumbing::environment as request;
use crate::plumbing::http::{HttpRequest, HttpResponse};
use crate::plumbing::json::Object;
use crate::ticket::request::{TicketRequestParams, Transport};
use crate::ticket::sign;
use crate::ticket::{self, TicketOptions, TicketResult};
use js_sys::JsString;
use wasm_bindgen::prelude::*;

mod scrub;
mod tenant;
use zeroize::Zeroizing;

fn to_js(error: Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    let set = |name: &str, value: JsValue| {
        // Setting a property on a fresh Error cannot fail; if it ever did, the code below still holds.
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str(name), &value);
    };
    set("code", JsValue::from_str(error.code()));
    let set_texts = |exception_type: &Option<String>,
                     friendly_text: &Option<String>,
                     server_message: &Option<String>| {
        for (name, value) in [
            ("exceptionType", exception_type),
            ("friendlyText", friendly_text),
            ("serverMessage", server_message),
        ] {
            if let Some(value) = value {
                set(name, JsValue::from_str(value));
            }
        }
    };
    match &error {
        Error::JwtClaimInvalid { claim, .. } => set("claim", JsValue::from_str(claim)),
        Error::SoapFault {
            fault_code,
            fault_string,
        } => {
            set("faultCode", JsValue::from_str(fault_code));
            set("faultString", JsValue::from_str(fault_string));
        }
        Error::HttpStatus { status } => set("status", JsValue::from(*status)),
        Error::TicketDenied {
            server_message,
            reason,
        } => {
            if let Some(message) = server_message {
                set("serverMessage", JsValue::from_str(message));
            }
            if let Some(reason) = reason {
                set("reason", JsValue::from_str(reason));
            }
        }
        Error::WebhookInvalid { reason } => set("reason", JsValue::from_str(reason)),
        Error::OAuthError { error, description } => {
            set("oauthError", JsValue::from_str(error));
            if let Some(description) = description {
                set("errorDescription", JsValue::from_str(description));
            }
        }
        Error::KeyTooSmall { bits } => set("bits", JsValue::from(*bits as u32)),
        Error::ResponseTooLarge { limit } => set("limit", JsValue::from(*limit as u32)),
        Error::NetServerException {
            exception_type,
            friendly_text,
            server_message,
        } => {
            set_texts(exception_type, friendly_text, server_message);
        }
        Error::TicketRejected {
            status,
            exception_type,
            friendly_text,
            server_message,
        } => {
            if let Some(status) = status {
                set("status", JsValue::from(*status));
            }
            set_texts(exception_type, friendly_text, server_message);
        }
        _ => {}
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
        let format = match format {
            "pkcs8" => PemFormat::Pkcs8,
            "pkcs1" => PemFormat::Pkcs1,
            _ => {
                return Err(to_js(Error::InvalidArgument(
                    "format must be 'pkcs8' or 'pkcs1'",
                )))
            }
        };
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

    #[wasm_bindgen(js_name = signToken)]
    pub fn sign_token(&self, system_user_token: &str, now_ms: f64) -> JsResult<String> {
        sign::sign_token(system_user_token, &self.0, now_ms).map_err(to_js)
    }
}

/// Parses and signs in one call, for callers that pass key text each time.
#[wasm_bindgen(js_name = signTokenWithText)]
pub fn sign_token_with_text(
    system_user_token: &str,
    key_text: String,
    now_ms: f64,
) -> JsResult<String> {
    let key_text = wiped(key_text);
    let key = PrivateKey::parse(&key_text).map_err(to_js)?;
    sign::sign_token(system_user_token, &key, now_ms).map_err(to_js)
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
pub fn build_ticket_request(
    environment: Option<String>,
    base_url: Option<String>,
    transport: &str,
    application_token: &str,
    context_identifier: &str,
    signed_system_token: &str,
) -> JsResult<String> {
    let base_url =
        request::resolve_base_url(environment.as_deref(), base_url.as_deref()).map_err(to_js)?;
    let transport = Transport::parse(transport).map_err(to_js)?;
    let built = ticket::request::build_ticket_request(&TicketRequestParams {
        base_url: &base_url,
        transport,
        application_token,
        context_identifier,
        signed_system_token,
    })
    .map_err(to_js)?;
    request_json(built)
}

/// Writes a result as JSON text. Serialising these shapes (strings, numbers, claims already read from
/// JSON) cannot fail; if it ever did, the caller gets an error rather than a trap.
fn to_json(value: &impl Serialize) -> JsResult<String> {
    serde_json::to_string(value).map_err(|_| {
        to_js(Error::InvalidArgument(
            "the result could not be written as JSON",
        ))
    })
}

/// `{ url, method, headers: { name: value }, body }`, ready for `fetch`.
#[derive(Serialize)]
struct RequestJson<'a> {
    url: &'a str,
    method: &'a str,
    headers: serde_json::Map<String, serde_json::Value>,
    body: &'a str,
}

fn request_json(built: HttpRequest) -> JsResult<String> {
    let headers = built
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), serde_json::Value::from(value.as_str())))
        .collect();
    to_json(&RequestJson {
        url: &built.url,
        method: built.method,
        headers,
        body: &built.body,
    })
}

#[wasm_bindgen(js_name = parseTicketResponse)]
pub fn parse_ticket_response(
    status: u16,
    content_type: Option<String>,
    body: &str,
    keys: &WasmKeySet,
    now_ms: f64,
    leeway_seconds: u32,
    context_identifier: Option<String>,
) -> JsResult<String> {
    let response = HttpResponse {
        status,
        content_type: content_type.as_deref(),
        body,
    };
    let options = TicketOptions {
        now_ms,
        leeway_seconds,
        context_identifier: context_identifier.as_deref(),
    };
    let result = ticket::parse_ticket_response(&response, &keys.0, &options).map_err(to_js)?;
    to_json(&TicketJson::from(&result))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TicketJson<'a> {
    ticket: &'a str,
    context_identifier: &'a str,
    serial: &'a str,
    netserver_url: Option<&'a str>,
    webapi_url: Option<&'a str>,
    is_administrator: bool,
    expires_at: f64,
    claims: &'a Object,
}

impl<'a> From<&'a TicketResult> for TicketJson<'a> {
    fn from(result: &'a TicketResult) -> Self {
        TicketJson {
            ticket: &result.ticket,
            context_identifier: &result.context_identifier,
            serial: &result.serial,
            netserver_url: result.netserver_url.as_deref(),
            webapi_url: result.webapi_url.as_deref(),
            is_administrator: result.is_administrator,
            expires_at: result.expires_at_ms,
            claims: &result.claims,
        }
    }
}

#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = validateToken)]
pub fn validate_token(
    token: &str,
    keys: &WasmKeySet,
    now_ms: f64,
    leeway_seconds: u32,
    issuer: Option<String>,
    audience: Option<String>,
    nonce: Option<String>,
) -> JsResult<String> {
    let options = jwt::ValidationOptions {
        now_ms,
        leeway_seconds,
        issuer: issuer.as_deref(),
        audience: audience.as_deref(),
        nonce: nonce.as_deref(),
    };
    let claims = jwt::validate_token(token, &keys.0, &options).map_err(to_js)?;
    to_json(&claims)
}

/// Validates a SuperIdToken (OpenID Connect id_token); `environment` or `issuer` gives the issuer.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = parseSuperIdToken)]
pub fn parse_super_id_token(
    id_token: &str,
    keys: &WasmKeySet,
    environment: Option<String>,
    issuer: Option<String>,
    client_id: &str,
    nonce: Option<String>,
    now_ms: f64,
    leeway_seconds: u32,
) -> JsResult<String> {
    let issuer = oidc::resolve_issuer(environment.as_deref(), issuer.as_deref()).map_err(to_js)?;
    let options = SuperIdOptions {
        issuer: &issuer,
        client_id,
        nonce: nonce.as_deref(),
        now_ms,
        leeway_seconds,
    };
    let claims = oidc::parse_super_id_token(id_token, &keys.0, &options).map_err(to_js)?;
    to_json(&SuperIdJson::from(&claims))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SuperIdJson<'a> {
    system_user_token: Option<&'a str>,
    context_identifier: &'a str,
    email: Option<&'a str>,
    upn: Option<&'a str>,
    associate_id: Option<&'a str>,
    is_administrator: bool,
    netserver_url: Option<&'a str>,
    webapi_url: Option<&'a str>,
    serial: Option<&'a str>,
    claims: &'a Object,
}

impl<'a> From<&'a SuperIdClaims> for SuperIdJson<'a> {
    fn from(claims: &'a SuperIdClaims) -> Self {
        SuperIdJson {
            system_user_token: claims.system_user_token.as_deref(),
            context_identifier: &claims.context_identifier,
            email: claims.email.as_deref(),
            upn: claims.upn.as_deref(),
            associate_id: claims.associate_id.as_deref(),
            is_administrator: claims.is_administrator,
            netserver_url: claims.netserver_url.as_deref(),
            webapi_url: claims.webapi_url.as_deref(),
            serial: claims.serial.as_deref(),
            claims: &claims.claims,
        }
    }
}

/// The refresh-token grant request; `environment` or `baseUrl` gives the host.
#[wasm_bindgen(js_name = buildRefreshTokenRequest)]
pub fn build_refresh_token_request(
    environment: Option<String>,
    base_url: Option<String>,
    client_id: &str,
    client_secret: &str,
    refresh_token: &str,
    redirect_uri: Option<String>,
) -> JsResult<String> {
    let base_url =
        request::resolve_base_url(environment.as_deref(), base_url.as_deref()).map_err(to_js)?;
    oauth::build_refresh_token_request(&RefreshRequestParams {
        base_url: &base_url,
        client_id,
        client_secret,
        refresh_token,
        redirect_uri: redirect_uri.as_deref(),
    })
    .map_err(to_js)
    .and_then(request_json)
}

/// The token endpoint's answer, without reading its id_token (`idToken` is null). For callers that
/// only want the access token; see [`parse_token_response_with_id_token`] otherwise.
#[wasm_bindgen(js_name = parseTokenResponse)]
pub fn parse_token_response(
    status: u16,
    content_type: Option<String>,
    body: &str,
    now_ms: f64,
) -> JsResult<String> {
    token_response(status, content_type, body, now_ms, None)
}

/// The token endpoint's answer; an id_token in it is validated (issuer from `environment` or
/// `issuer`, audience `clientId`) and returned as `idToken`.
///
/// Two functions rather than one with optional keys: wasm-bindgen cannot take `Option<&WasmKeySet>`,
/// and taking the key set by value would consume the caller's JS object.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = parseTokenResponseWithIdToken)]
pub fn parse_token_response_with_id_token(
    status: u16,
    content_type: Option<String>,
    body: &str,
    now_ms: f64,
    keys: &WasmKeySet,
    environment: Option<String>,
    issuer: Option<String>,
    client_id: &str,
    nonce: Option<String>,
    leeway_seconds: u32,
) -> JsResult<String> {
    let issuer = oidc::resolve_issuer(environment.as_deref(), issuer.as_deref()).map_err(to_js)?;
    let expectations = IdTokenExpectations {
        keys: &keys.0,
        issuer: &issuer,
        client_id,
        nonce: nonce.as_deref(),
        leeway_seconds,
    };
    token_response(status, content_type, body, now_ms, Some(expectations))
}

fn token_response(
    status: u16,
    content_type: Option<String>,
    body: &str,
    now_ms: f64,
    id_token: Option<IdTokenExpectations<'_>>,
) -> JsResult<String> {
    let response = HttpResponse {
        status,
        content_type: content_type.as_deref(),
        body,
    };
    let options = TokenResponseOptions { now_ms, id_token };
    let result = oauth::parse_token_response(&response, &options).map_err(to_js)?;
    to_json(&TokenJson {
        access_token: &result.access_token,
        token_type: result.token_type,
        expires_at: result.expires_at_ms,
        refresh_token: result.refresh_token.as_deref(),
        id_token: result.id_token_claims.as_ref().map(SuperIdJson::from),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenJson<'a> {
    access_token: &'a str,
    token_type: &'a str,
    expires_at: f64,
    refresh_token: Option<&'a str>,
    id_token: Option<SuperIdJson<'a>>,
}

/// An authorization request with fresh `state`, `nonce` and (for `code`) PKCE verifier:
/// `{ url, state, nonce, codeVerifier }` as JSON text.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = createAuthorizationRequest)]
pub fn create_authorization_request(
    environment: Option<String>,
    base_url: Option<String>,
    client_id: &str,
    redirect_uri: &str,
    response_type: &str,
    scope: Option<String>,
    response_mode: Option<String>,
    prompt: Option<String>,
    login_hint: Option<String>,
    context_identifier: Option<String>,
    code_challenge_method: Option<String>,
) -> JsResult<String> {
    let base_url =
        request::resolve_base_url(environment.as_deref(), base_url.as_deref()).map_err(to_js)?;
    let response_type = ResponseType::parse(response_type).map_err(to_js)?;
    let response_mode = response_mode
        .as_deref()
        .map(ResponseMode::parse)
        .transpose()
        .map_err(to_js)?;
    let created = authorize::create_authorization_request(&AuthorizationRequestParams {
        base_url: &base_url,
        client_id,
        redirect_uri,
        response_type,
        scope: scope.as_deref(),
        response_mode,
        prompt: prompt.as_deref(),
        login_hint: login_hint.as_deref(),
        context_identifier: context_identifier.as_deref(),
        code_challenge_method: code_challenge_method.as_deref(),
    })
    .map_err(to_js)?;
    Ok(serde_json::json!({
        "url": created.url,
        "state": created.state,
        "nonce": created.nonce,
        "codeVerifier": created.code_verifier,
    })
    .to_string())
}

/// What arrived at the redirect URL, as form-encoded text: `{ code, idToken }` (absent ones null).
#[wasm_bindgen(js_name = parseAuthorizationResponse)]
pub fn parse_authorization_response(parameters: &str, state: &str) -> JsResult<String> {
    let response = authorize::parse_authorization_response(parameters, state).map_err(to_js)?;
    Ok(serde_json::json!({
        "code": response.code,
        "idToken": response.id_token,
    })
    .to_string())
}

/// The authorization code grant request; `environment` or `baseUrl` gives the host.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = buildAuthorizationCodeRequest)]
pub fn build_authorization_code_request(
    environment: Option<String>,
    base_url: Option<String>,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> JsResult<String> {
    let base_url =
        request::resolve_base_url(environment.as_deref(), base_url.as_deref()).map_err(to_js)?;
    authorize::build_authorization_code_request(&AuthorizationCodeRequestParams {
        base_url: &base_url,
        client_id,
        client_secret,
        code,
        redirect_uri,
        code_verifier,
    })
    .map_err(to_js)
    .and_then(request_json)
}

/// A NetServer agent call: `{ url, method, headers, body }`. `parameters` is a JSON object (the JS
/// layer has turned Dates into ISO 8601 strings and refused other types).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = buildAgentRequest)]
pub fn build_agent_request(
    netserver_url: &str,
    agent: &str,
    method: &str,
    parameters: &str,
    ticket: &str,
    application_token: &str,
    time_zone_id: Option<i32>,
    time_zone_location_code: Option<String>,
) -> JsResult<String> {
    let parameters = crate::plumbing::json::parse_object_as_given(parameters.as_bytes())
        .ok_or_else(|| to_js(Error::InvalidArgument("parameters must be a plain object")))?;
    let time_zone = (time_zone_id.is_some() || time_zone_location_code.is_some()).then_some(
        netserver::TimeZone {
            so_time_zone_id: time_zone_id,
            so_time_zone_location_code: time_zone_location_code.as_deref(),
        },
    );
    netserver::build_agent_request(&AgentRequestParams {
        netserver_url,
        agent,
        method,
        parameters: &parameters,
        ticket,
        application_token,
        time_zone,
    })
    .map_err(to_js)
    .and_then(request_json)
}

/// A NetServer agent response: `{ response, succeeded, extraInfo }` as JSON text.
#[wasm_bindgen(js_name = parseAgentResponse)]
pub fn parse_agent_response(
    status: u16,
    content_type: Option<String>,
    body: &str,
    method: &str,
) -> JsResult<String> {
    let response = HttpResponse {
        status,
        content_type: content_type.as_deref(),
        body,
    };
    let result = netserver::parse_agent_response(&response, method).map_err(to_js)?;
    Ok(serde_json::json!({
        "response": result.response,
        "succeeded": result.succeeded,
        "extraInfo": result.extra_info,
    })
    .to_string())
}

/// The core's size caps, in UTF-8 bytes, so that the JS layer can refuse oversized text before copying
/// it into wasm memory (which grows to hold each argument and never shrinks).
#[wasm_bindgen(js_name = sizeLimits)]
pub fn size_limits() -> String {
    serde_json::json!({
        "responseBytes": crate::plumbing::http::MAX_RESPONSE_BYTES,
        "tokenBytes": crate::jwt::MAX_TOKEN_BYTES,
        "keyTextBytes": crate::key::MAX_TEXT,
        "keySetTextBytes": crate::keyset::MAX_TEXT,
    })
    .to_string()
}

/// Every error code, in the order of the Rust enum (the JS tests compare it with `index.d.ts`).
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> String {
    serde_json::json!(crate::error::CODES).to_string()
}

/// Size of the wasm linear memory in bytes (for the benchmark's "memory flat after warm-up" check;
/// linear memory only ever grows, so this is its high-water mark).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}

/// Hex SHA-256 of a string's UTF-8 bytes: `createHash('sha256')` for the standards-only entries, where
/// `node:crypto` is absent (see src/plumbing/digest.rs).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(text: &str) -> String {
    crate::plumbing::digest::sha256_hex(text.as_bytes())
}
