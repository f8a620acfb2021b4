//! One function per wasm entry: options in (JSON text), one core call, JSON text out. The structs
//! below are the options objects the JS layer writes, field for field; `deny_unknown_fields` makes a
//! misspelled field an error rather than a silently ignored one. Absent and `null` read alike as
//! "not given" for the optional fields.

use serde::Serialize;

use zeroize::Zeroize;

use super::decode::{decode, options, Field, Refused};
use crate::callbacks::{self, WebhookOptions};
use crate::error::{Error, Result};
use crate::jwt::{self, ValidationOptions};
use crate::key::PrivateKey;
use crate::keyset::KeySet;
use crate::limits;
use crate::netserver::{self, AgentRequestParams, RestAgentRequestParams, TimeZone};
use crate::oauth::authorize::{
    self, AuthorizationCodeRequestParams, AuthorizationRequestParams, ResponseMode, ResponseType,
};
use crate::oauth::superid::{self, SuperIdClaims, SuperIdOptions};
use crate::oauth::token::{self, IdTokenExpectations, RefreshRequestParams, TokenResponseOptions};
use crate::plumbing::environment::{login_host as resolve_login_host, resolve_base_url};
use crate::plumbing::http::{HttpRequest, HttpResponse};
use crate::plumbing::json::{Object, Value};
use crate::tenant::{self, StateName, TenantStateOptions, TenantStateRequestParams};
use crate::ticket::request::{TicketRequestParams, Transport};
use crate::ticket::{self, sign, TicketOptions, TicketResult};

/// Writes a result as JSON text. Serialising these shapes (strings, numbers, claims already read from
/// JSON) cannot fail; if it ever did, the caller gets an error rather than a trap.
fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|_| Error::InvalidArgument("the result could not be written as JSON"))
}

/// `{ url, method, headers: { name: value }, body }`, ready for `fetch`.
fn request_json(built: HttpRequest) -> Result<String> {
    #[derive(Serialize)]
    struct RequestJson<'a> {
        url: &'a str,
        method: &'a str,
        headers: serde_json::Map<String, Value>,
        body: &'a str,
    }
    let headers = built
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::from(value.as_str())))
        .collect();
    to_json(&RequestJson {
        url: &built.url,
        method: built.method,
        headers,
        body: &built.body,
    })
}

// ---------------------------------------------------------------------------------------------
// Keys and the ticket exchange

options! {
    struct SignTokenOptions {
        system_user_token: String = "systemUserToken",
        now_ms: f64 = "nowMs",
    }
}

/// `PrivateKey#signToken` and `signToken` with key text.
pub(crate) fn sign_token(options: &str, key: &PrivateKey) -> Result<String> {
    let options: SignTokenOptions = decode(options)?;
    sign::sign_token(&options.system_user_token, key, options.now_ms)
}

options! {
    struct TicketRequestOptions {
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
        transport: Option<String> = "transport",
        application_token: String = "applicationToken",
        context_identifier: String = "contextIdentifier",
        signed_system_token: String = "signedSystemToken",
    }
}

pub(crate) fn build_ticket_request(options: &str) -> Result<String> {
    let o: TicketRequestOptions = decode(options)?;
    let base_url = resolve_base_url(o.environment.as_deref(), o.base_url.as_deref())?;
    let transport = match o.transport.as_deref() {
        Some(name) => Transport::parse(name)?,
        None => Transport::default(),
    };
    request_json(ticket::request::build_ticket_request(
        &TicketRequestParams {
            base_url: &base_url,
            transport,
            application_token: &o.application_token,
            context_identifier: &o.context_identifier,
            signed_system_token: &o.signed_system_token,
        },
    )?)
}

options! {
    struct TicketResponseOptions {
        status: u16 = "status",
        content_type: Option<String> = "contentType",
        now_ms: f64 = "nowMs",
        leeway_seconds: u32 = "leewaySeconds",
        context_identifier: Option<String> = "contextIdentifier",
    }
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

/// The response body rides beside the options, as every response body does: a string argument, not
/// escaped into JSON and read back.
pub(crate) fn parse_ticket_response(options: &str, body: &str, keys: &KeySet) -> Result<String> {
    let o: TicketResponseOptions = decode(options)?;
    let response = HttpResponse {
        status: o.status,
        content_type: o.content_type.as_deref(),
        body,
    };
    let result = ticket::parse_ticket_response(
        &response,
        keys,
        &TicketOptions {
            now_ms: o.now_ms,
            leeway_seconds: o.leeway_seconds,
            context_identifier: o.context_identifier.as_deref(),
        },
    )?;
    to_json(&TicketJson::from(&result))
}

options! {
    struct ValidateTokenOptions {
        token: String = "token",
        now_ms: f64 = "nowMs",
        leeway_seconds: u32 = "leewaySeconds",
        issuer: Option<String> = "issuer",
        audience: Option<String> = "audience",
        nonce: Option<String> = "nonce",
    }
}

pub(crate) fn validate_token(options: &str, keys: &KeySet) -> Result<String> {
    let o: ValidateTokenOptions = decode(options)?;
    let claims = jwt::validate_token(
        &o.token,
        keys,
        &ValidationOptions {
            now_ms: o.now_ms,
            leeway_seconds: o.leeway_seconds,
            issuer: o.issuer.as_deref(),
            audience: o.audience.as_deref(),
            nonce: o.nonce.as_deref(),
        },
    )?;
    to_json(&claims)
}

// ---------------------------------------------------------------------------------------------
// OAuth and OpenID Connect

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

options! {
    struct SuperIdTokenOptions {
        id_token: String = "idToken",
        environment: Option<String> = "environment",
        issuer: Option<String> = "issuer",
        client_id: String = "clientId",
        nonce: Option<String> = "nonce",
        now_ms: f64 = "nowMs",
        leeway_seconds: u32 = "leewaySeconds",
        require_system_user_token: Option<bool> = "requireSystemUserToken",
    }
}

/// Validates a SuperIdToken; `environment` or `issuer` gives the issuer. With
/// `requireSystemUserToken`, a token without the system user token claim is the error onboarding raises
/// (the application is not a system-user application).
pub(crate) fn parse_super_id_token(options: &str, keys: &KeySet) -> Result<String> {
    let o: SuperIdTokenOptions = decode(options)?;
    let issuer = superid::resolve_issuer(o.environment.as_deref(), o.issuer.as_deref())?;
    let claims = superid::parse_super_id_token(
        &o.id_token,
        keys,
        &SuperIdOptions {
            issuer: &issuer,
            client_id: &o.client_id,
            nonce: o.nonce.as_deref(),
            now_ms: o.now_ms,
            leeway_seconds: o.leeway_seconds,
        },
    )?;
    if o.require_system_user_token == Some(true) {
        claims.require_system_user_token()?;
    }
    to_json(&SuperIdJson::from(&claims))
}

options! {
    struct RefreshRequestOptions {
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
        client_id: String = "clientId",
        client_secret: String = "clientSecret",
        refresh_token: String = "refreshToken",
        redirect_uri: Option<String> = "redirectUri",
    }
}

pub(crate) fn build_refresh_token_request(options: &str) -> Result<String> {
    let o: RefreshRequestOptions = decode(options)?;
    let base_url = resolve_base_url(o.environment.as_deref(), o.base_url.as_deref())?;
    request_json(token::build_refresh_token_request(&RefreshRequestParams {
        base_url: &base_url,
        client_id: &o.client_id,
        client_secret: &o.client_secret,
        refresh_token: &o.refresh_token,
        redirect_uri: o.redirect_uri.as_deref(),
    })?)
}

options! {
    /// The token endpoint's answer; with `idToken` expectations (and the key set), an id_token in it is
    /// validated and returned as `idToken`.
    struct TokenResponseEntryOptions {
        status: u16 = "status",
        content_type: Option<String> = "contentType",
        now_ms: f64 = "nowMs",
        id_token: Option<IdTokenEntryOptions> = "idToken",
    }
}

options! {
    struct IdTokenEntryOptions {
        environment: Option<String> = "environment",
        issuer: Option<String> = "issuer",
        client_id: String = "clientId",
        nonce: Option<String> = "nonce",
        leeway_seconds: u32 = "leewaySeconds",
    }
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

/// `keys` is required exactly when the options carry `idToken` expectations.
pub(crate) fn parse_token_response(
    options: &str,
    body: &str,
    keys: Option<&KeySet>,
) -> Result<String> {
    let o: TokenResponseEntryOptions = decode(options)?;
    let issuer = match &o.id_token {
        Some(expect) => Some(superid::resolve_issuer(
            expect.environment.as_deref(),
            expect.issuer.as_deref(),
        )?),
        None => None,
    };
    let id_token = match (&o.id_token, &issuer, keys) {
        (Some(expect), Some(issuer), Some(keys)) => Some(IdTokenExpectations {
            keys,
            issuer,
            client_id: &expect.client_id,
            nonce: expect.nonce.as_deref(),
            leeway_seconds: expect.leeway_seconds,
        }),
        (None, _, None) => None,
        _ => {
            return Err(Error::InvalidArgument(
                "keys go with idToken expectations, and only with them",
            ))
        }
    };
    let response = HttpResponse {
        status: o.status,
        content_type: o.content_type.as_deref(),
        body,
    };
    let result = token::parse_token_response(
        &response,
        &TokenResponseOptions {
            now_ms: o.now_ms,
            id_token,
        },
    )?;
    to_json(&TokenJson {
        access_token: &result.access_token,
        token_type: result.token_type,
        expires_at: result.expires_at_ms,
        refresh_token: result.refresh_token.as_deref(),
        id_token: result.id_token_claims.as_ref().map(SuperIdJson::from),
    })
}

options! {
    struct AuthorizationRequestOptions {
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
        client_id: String = "clientId",
        redirect_uri: String = "redirectUri",
        response_type: String = "responseType",
        scope: Option<String> = "scope",
        response_mode: Option<String> = "responseMode",
        prompt: Option<String> = "prompt",
        login_hint: Option<String> = "loginHint",
        context_identifier: Option<String> = "contextIdentifier",
        code_challenge_method: Option<String> = "codeChallengeMethod",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationRequestJson<'a> {
    url: &'a str,
    state: &'a str,
    nonce: &'a str,
    code_verifier: Option<&'a str>,
}

/// An authorization request with fresh `state`, `nonce` and (for `code`) PKCE verifier.
pub(crate) fn create_authorization_request(options: &str) -> Result<String> {
    let o: AuthorizationRequestOptions = decode(options)?;
    let base_url = resolve_base_url(o.environment.as_deref(), o.base_url.as_deref())?;
    let response_mode = o.response_mode.as_deref().map(ResponseMode::parse);
    let created = authorize::create_authorization_request(&AuthorizationRequestParams {
        base_url: &base_url,
        client_id: &o.client_id,
        redirect_uri: &o.redirect_uri,
        response_type: ResponseType::parse(&o.response_type)?,
        scope: o.scope.as_deref(),
        response_mode: response_mode.transpose()?,
        prompt: o.prompt.as_deref(),
        login_hint: o.login_hint.as_deref(),
        context_identifier: o.context_identifier.as_deref(),
        code_challenge_method: o.code_challenge_method.as_deref(),
    })?;
    to_json(&AuthorizationRequestJson {
        url: &created.url,
        state: &created.state,
        nonce: &created.nonce,
        code_verifier: created.code_verifier.as_deref(),
    })
}

options! {
    struct AuthorizationResponseOptions {
        parameters: String = "parameters",
        state: String = "state",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuthorizationResponseJson<'a> {
    code: Option<&'a str>,
    id_token: Option<&'a str>,
}

/// What arrived at the redirect URL, as form-encoded text: `{ code, idToken }` (absent ones null).
pub(crate) fn parse_authorization_response(options: &str) -> Result<String> {
    let o: AuthorizationResponseOptions = decode(options)?;
    let response = authorize::parse_authorization_response(&o.parameters, &o.state)?;
    to_json(&AuthorizationResponseJson {
        code: response.code.as_deref(),
        id_token: response.id_token.as_deref(),
    })
}

options! {
    struct AuthorizationCodeRequestOptions {
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
        client_id: String = "clientId",
        client_secret: String = "clientSecret",
        code: String = "code",
        redirect_uri: String = "redirectUri",
        code_verifier: String = "codeVerifier",
    }
}

pub(crate) fn build_authorization_code_request(options: &str) -> Result<String> {
    let o: AuthorizationCodeRequestOptions = decode(options)?;
    let base_url = resolve_base_url(o.environment.as_deref(), o.base_url.as_deref())?;
    request_json(authorize::build_authorization_code_request(
        &AuthorizationCodeRequestParams {
            base_url: &base_url,
            client_id: &o.client_id,
            client_secret: &o.client_secret,
            code: &o.code,
            redirect_uri: &o.redirect_uri,
            code_verifier: &o.code_verifier,
        },
    )?)
}

// ---------------------------------------------------------------------------------------------
// NetServer

options! {
    struct AgentRequestOptions {
        /// SOAP's endpoint base, the ticket's netserver_url; or
        netserver_url: Option<String> = "netserverUrl",
        /// REST's, the ticket's webapi_url: exactly one of the two, which names the protocol.
        webapi_url: Option<String> = "webapiUrl",
        agent: String = "agent",
        method: String = "method",
        /// A JSON object as text, read by the strict reader (a member named twice is refused); over
        /// REST it is then sent as it is.
        parameters: String = "parameters",
        ticket: String = "ticket",
        application_token: String = "applicationToken",
        time_zone_id: Option<i32> = "timeZoneId",
        time_zone_location_code: Option<String> = "timeZoneLocationCode",
    }
}

/// A NetServer agent call: `{ url, method, headers, body }`, over SOAP (`netserverUrl`) or REST
/// (`webapiUrl`). One entry for both protocols: a second costs the module about 1 KB gzipped.
pub(crate) fn build_agent_request(options: &str) -> Result<String> {
    let o: AgentRequestOptions = decode(options)?;
    let time_zone =
        (o.time_zone_id.is_some() || o.time_zone_location_code.is_some()).then_some(TimeZone {
            so_time_zone_id: o.time_zone_id,
            so_time_zone_location_code: o.time_zone_location_code.as_deref(),
        });
    request_json(match (&o.netserver_url, &o.webapi_url) {
        (None, Some(webapi_url)) => netserver::build_rest_agent_request(&RestAgentRequestParams {
            webapi_url,
            agent: &o.agent,
            method: &o.method,
            parameters: &o.parameters,
            ticket: &o.ticket,
            application_token: &o.application_token,
            time_zone,
        })?,
        (Some(netserver_url), None) => {
            let parameters = crate::plumbing::json::parse_object_as_given(o.parameters.as_bytes())
                .ok_or(Error::InvalidArgument("parameters must be a plain object"))?;
            netserver::build_agent_request(&AgentRequestParams {
                netserver_url,
                agent: &o.agent,
                method: &o.method,
                parameters: &parameters,
                ticket: &o.ticket,
                application_token: &o.application_token,
                time_zone,
            })?
        }
        _ => {
            return Err(Error::InvalidArgument(
                "give netserverUrl (SOAP) or webapiUrl (REST), one of them",
            ))
        }
    })
}

options! {
    struct AgentResponseOptions {
        status: u16 = "status",
        content_type: Option<String> = "contentType",
        /// `rest` for a REST agent's answer; absent for SOAP, which needs `method`.
        protocol: Option<String> = "protocol",
        method: Option<String> = "method",
        /// SOAP: the agent, so that the WSDL table can keep lists lists.
        agent: Option<String> = "agent",
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AgentJson<'a> {
    response: &'a Value,
    succeeded: bool,
    extra_info: &'a Object,
}

/// A NetServer agent response: over SOAP `{ response, succeeded, extraInfo }`, over REST
/// `{ response }`.
pub(crate) fn parse_agent_response(options: &str, body: &str) -> Result<String> {
    let o: AgentResponseOptions = decode(options)?;
    let response = HttpResponse {
        status: o.status,
        content_type: o.content_type.as_deref(),
        body,
    };
    if o.protocol.as_deref() == Some("rest") {
        let response = netserver::parse_rest_agent_response(&response)?;
        return Ok(format!("{{\"response\":{response}}}"));
    }
    let method = o.method.ok_or(Error::InvalidArgument(
        "method is required for a SOAP answer",
    ))?;
    let result = netserver::parse_agent_response(&response, o.agent.as_deref(), &method)?;
    to_json(&AgentJson {
        response: &result.response,
        succeeded: result.succeeded,
        extra_info: &result.extra_info,
    })
}

// ---------------------------------------------------------------------------------------------
// The tenant state API

options! {
    struct TenantStateRequestOptions {
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
        context_identifier: String = "contextIdentifier",
    }
}

/// `{ url, method, headers }`: a GET, so no body (fetch refuses one, even empty).
#[derive(Serialize)]
struct StateRequestJson<'a> {
    url: &'a str,
    method: &'a str,
    headers: serde_json::Map<String, Value>,
}

pub(crate) fn build_tenant_state_request(options: &str) -> Result<String> {
    let o: TenantStateRequestOptions = decode(options)?;
    let built = tenant::build_tenant_state_request(&TenantStateRequestParams {
        environment: o.environment.as_deref(),
        base_url: o.base_url.as_deref(),
        context_identifier: &o.context_identifier,
    })?;
    to_json(&StateRequestJson {
        url: &built.url,
        method: built.method,
        headers: built
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), Value::from(value.as_str())))
            .collect(),
    })
}

options! {
    struct TenantStateResponseOptions {
        status: u16 = "status",
        content_type: Option<String> = "contentType",
        context_identifier: String = "contextIdentifier",
        now_ms: f64 = "nowMs",
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
    }
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

/// The state API's answer; the body rides beside the options, as a string, so that it is not escaped
/// into JSON and read back.
pub(crate) fn parse_tenant_state(options: &str, body: &str) -> Result<String> {
    let o: TenantStateResponseOptions = decode(options)?;
    let response = HttpResponse {
        status: o.status,
        content_type: o.content_type.as_deref(),
        body,
    };
    let state = tenant::parse_tenant_state(
        &response,
        &TenantStateOptions {
            context_identifier: &o.context_identifier,
            now_ms: o.now_ms,
            environment: o.environment.as_deref(),
            base_url: o.base_url.as_deref(),
        },
    )?;
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

// ---------------------------------------------------------------------------------------------
// Callbacks: webhook deliveries

/// Webhook secrets, wiped from wasm memory when the call is over (the JS copy is the caller's).
struct Secrets(Vec<String>);

impl Drop for Secrets {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl Field for Secrets {
    fn from_member(value: Option<Value>) -> std::result::Result<Self, Refused> {
        Vec::<String>::from_member(value).map(Secrets)
    }

    fn stand_in() -> Self {
        Secrets(Vec::new())
    }
}

options! {
    struct WebhookEntryOptions {
        signature: Option<String> = "signature",
        event_id: Option<String> = "eventId",
        secrets: Secrets = "secrets",
        max_age_seconds: Option<u32> = "maxAgeSeconds",
        now_ms: f64 = "nowMs",
    }
}

/// `{ signature?, eventId?, secrets: [..], maxAgeSeconds?, nowMs }` and the body's raw bytes.
pub(crate) fn verify_webhook(options: &str, body: &[u8]) -> Result<String> {
    let o: WebhookEntryOptions = decode(options)?;
    let secrets: Vec<&str> = o.secrets.0.iter().map(String::as_str).collect();
    let event = callbacks::verify_webhook(
        body,
        &WebhookOptions {
            signature: o.signature.as_deref(),
            event_id: o.event_id.as_deref(),
            secrets: &secrets,
            max_age_seconds: o.max_age_seconds,
            now_ms: o.now_ms,
        },
    )?;
    to_json(&event)
}

// ---------------------------------------------------------------------------------------------
// Plumbing the JS layer reads from the core

options! {
    struct LoginHostOptions {
        environment: Option<String> = "environment",
        base_url: Option<String> = "baseUrl",
    }
}

/// The login host of an environment or base URL (`https://sod.superoffice.com`), checked by the
/// rules every request builder applies. Plain text, not JSON.
pub(crate) fn login_host(options: &str) -> Result<String> {
    let o: LoginHostOptions = decode(options)?;
    resolve_login_host(o.environment.as_deref(), o.base_url.as_deref())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Sizes {
    response_bytes: usize,
    token_bytes: usize,
    key_text_bytes: usize,
    key_set_text_bytes: usize,
    system_user_token_bytes: usize,
}

#[derive(Serialize)]
struct RangeJson {
    default: u64,
    min: u64,
    max: u64,
}

/// `{ leewaySeconds: { default, min, max }, ... }`.
struct Options;

impl Serialize for Options {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(limits::OPTIONS.iter().map(|(name, range)| {
            let range = RangeJson {
                default: range.default,
                min: range.min,
                max: range.max,
            };
            (name, range)
        }))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Contract {
    codes: &'static [&'static str],
    detail_fields: &'static [&'static str],
    /// The core's size caps in UTF-8 bytes, so that the JS layer can refuse oversized text before
    /// copying it into wasm memory (which grows to hold each argument and never shrinks).
    sizes: Sizes,
    options: Options,
    ticket_lifetime_seconds: u64,
}

/// What the JS layer reads from the core instead of keeping a copy: the error codes (table order),
/// the detail fields errors carry, the size caps, and every numeric option's default and range.
pub(crate) fn contract() -> String {
    let contract = Contract {
        codes: crate::error::CODES,
        detail_fields: crate::error::DETAIL_FIELDS,
        sizes: Sizes {
            response_bytes: crate::plumbing::http::MAX_RESPONSE_BYTES,
            token_bytes: jwt::MAX_TOKEN_BYTES,
            key_text_bytes: crate::key::MAX_TEXT,
            key_set_text_bytes: crate::keyset::MAX_TEXT,
            system_user_token_bytes: sign::MAX_SYSTEM_USER_TOKEN,
        },
        options: Options,
        ticket_lifetime_seconds: limits::TICKET_LIFETIME_SECONDS,
    };
    // Only strings and numbers: writing cannot fail.
    serde_json::to_string(&contract).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    type Entry = fn(&str) -> Result<String>;
    type KeyedEntry = fn(&str, &KeySet) -> Result<String>;

    fn code(result: Result<String>) -> &'static str {
        result.unwrap_err().code()
    }

    /// Every entry refuses a misspelled option, a wrongly typed one and a non-object, with the same
    /// fixed message, which never quotes the value.
    #[test]
    fn options_are_exact() {
        let keys = KeySet::default();
        let entries: [(&str, Entry); 12] = [
            ("verifyWebhook", |o| verify_webhook(o, b"{}")),
            ("buildTenantStateRequest", build_tenant_state_request),
            ("parseTenantState", |o| parse_tenant_state(o, "{}")),
            ("buildTicketRequest", build_ticket_request),
            ("buildRefreshTokenRequest", build_refresh_token_request),
            ("createAuthorizationRequest", create_authorization_request),
            ("parseAuthorizationResponse", parse_authorization_response),
            (
                "buildAuthorizationCodeRequest",
                build_authorization_code_request,
            ),
            ("buildAgentRequest", build_agent_request),
            ("parseAgentResponse", |o| parse_agent_response(o, "")),
            ("loginHost", login_host),
            ("parseTokenResponse", |o| parse_token_response(o, "", None)),
        ];
        let with_keys: [(&str, KeyedEntry); 3] = [
            ("parseTicketResponse", |o, k| {
                parse_ticket_response(o, "", k)
            }),
            ("validateToken", validate_token),
            ("parseSuperIdToken", parse_super_id_token),
        ];
        let secret = "s3cr3t-value";
        let bad = [
            format!(r#"{{"environmnet":"{secret}"}}"#),
            format!(r#"{{"environment":["{secret}"]}}"#),
            "[]".to_owned(),
            "null".to_owned(),
            String::new(),
        ];
        for options in &bad {
            let mut results: Vec<(&str, Result<String>)> = entries
                .iter()
                .map(|(name, entry)| (*name, entry(options)))
                .collect();
            results.extend(
                with_keys
                    .iter()
                    .map(|(name, entry)| (*name, entry(options, &keys))),
            );
            for (name, result) in results {
                let error = result.unwrap_err();
                assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{name} {options}");
                assert!(!error.to_string().contains(secret), "{name}: {error}");
            }
        }
    }

    #[test]
    fn signing_through_options() {
        let key =
            PrivateKey::parse(include_str!("../../tests/fixtures/keys/rsa2048.pkcs8.pem")).unwrap();
        let signed = sign_token(r#"{"systemUserToken":"MyApp-1","nowMs":0}"#, &key).unwrap();
        assert!(signed.starts_with("MyApp-1.197001010000."), "{signed}");
        assert_eq!(
            code(sign_token(r#"{"systemUserToken":"MyApp-1","now":0}"#, &key)),
            "ERR_INVALID_ARGUMENT"
        );
    }

    #[test]
    fn a_ticket_request_through_options() {
        let json = build_ticket_request(
            r#"{"environment":"sod","applicationToken":"app","contextIdentifier":"Cust1","signedSystemToken":"t.1.s"}"#,
        )
        .unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value["url"],
            "https://sod.superoffice.com/login/services/PartnerSystemUserService.svc"
        );
        assert_eq!(value["headers"]["Content-Type"], "text/xml; charset=utf-8");
        let rest = build_ticket_request(
            r#"{"baseUrl":"http://127.0.0.1:9/","transport":"REST","applicationToken":"app","contextIdentifier":"Cust1","signedSystemToken":"t.1.s","environment":null}"#,
        )
        .unwrap();
        assert!(
            rest.contains(r#""url":"http://127.0.0.1:9/Login/api/PartnerSystemUser/Authenticate""#)
        );
        // The core's own checks still answer, through the options.
        assert_eq!(
            code(build_ticket_request(
                r#"{"applicationToken":"app","contextIdentifier":"Cust1","signedSystemToken":"t.1.s"}"#
            )),
            "ERR_INVALID_ARGUMENT"
        );
    }

    #[test]
    fn keys_go_with_id_token_expectations() {
        let keys = KeySet::default();
        let body = r#"{"access_token":"8A:x","token_type":"Bearer","expires_in":3600}"#;
        let plain = r#"{"status":200,"nowMs":0}"#;
        let json = parse_token_response(plain, body, None).unwrap();
        assert!(json.contains(r#""accessToken":"8A:x""#), "{json}");
        assert!(json.contains(r#""idToken":null"#), "{json}");
        assert_eq!(
            code(parse_token_response(plain, body, Some(&keys))),
            "ERR_INVALID_ARGUMENT"
        );
        let expecting = r#"{"status":200,"nowMs":0,"idToken":{"environment":"sod","clientId":"app","leewaySeconds":60}}"#;
        assert_eq!(
            code(parse_token_response(expecting, body, None)),
            "ERR_INVALID_ARGUMENT"
        );
        assert!(parse_token_response(expecting, body, Some(&keys)).is_ok());
    }

    #[test]
    fn agent_parameters_are_read_strictly() {
        let options = |parameters: &str| {
            serde_json::json!({
                "netserverUrl": "https://sod.superoffice.com/Cust1/Remote/Services88/",
                "agent": "Associate",
                "method": "GetAssociate",
                "parameters": parameters,
                "ticket": "7T:x",
                "applicationToken": "app",
            })
            .to_string()
        };
        assert!(build_agent_request(&options(r#"{"associateId":5}"#)).is_ok());
        assert_eq!(
            code(build_agent_request(&options(
                r#"{"associateId":5,"associateId":6}"#
            ))),
            "ERR_INVALID_ARGUMENT"
        );
        assert_eq!(
            code(build_agent_request(&options("[5]"))),
            "ERR_INVALID_ARGUMENT"
        );
    }

    #[test]
    fn login_hosts() {
        assert_eq!(
            login_host(r#"{"environment":"online"}"#).unwrap(),
            "https://online.superoffice.com"
        );
        assert_eq!(
            login_host(r#"{"baseUrl":"http://localhost:3000/"}"#).unwrap(),
            "http://localhost:3000"
        );
        assert_eq!(code(login_host("{}")), "ERR_INVALID_ARGUMENT");
    }

    #[test]
    fn the_contract_names_every_code_detail_and_option() {
        let contract: serde_json::Value = serde_json::from_str(&contract()).unwrap();
        let codes: Vec<&str> = contract["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(codes, crate::error::CODES);
        assert_eq!(
            contract["detailFields"],
            serde_json::json!([
                "bits",
                "limit",
                "faultCode",
                "faultString",
                "status",
                "serverMessage",
                "reason",
                "claim",
                "oauthError",
                "errorDescription",
                "exceptionType",
                "friendlyText",
                "state",
                "stateCode",
                "validUntil"
            ])
        );
        assert_eq!(
            contract["options"]["leewaySeconds"],
            serde_json::json!({ "default": 60, "min": 0, "max": 3600 })
        );
        assert_eq!(contract["options"]["ticketTtlSeconds"]["max"], 21_600);
        assert_eq!(contract["sizes"]["responseBytes"], 262_144);
        assert_eq!(contract["ticketLifetimeSeconds"], 21_600);
    }

    #[test]
    fn a_webhook_through_options() {
        let options = r#"{"signature":"AAAA","secrets":["s3cr3t"],"nowMs":0}"#;
        let error = verify_webhook(options, b"{}").unwrap_err();
        assert_eq!(error.code(), "ERR_WEBHOOK_INVALID");
        assert_eq!(
            error.details(),
            [("reason", crate::error::Detail::Text("malformed-signature"))]
        );
        assert_eq!(
            code(verify_webhook(r#"{"secrets":"s3cr3t","nowMs":0}"#, b"{}")),
            "ERR_INVALID_ARGUMENT"
        );
    }
}
