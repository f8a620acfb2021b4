//! The system-user ticket exchange: sign the system user token ([`sign`]), build the
//! PartnerSystemUserService request ([`request`]), read its response ([`response`]) and validate the
//! JWT inside into a ticket (this module).

pub mod request;
pub mod response;
pub mod sign;

use crate::error::{Error, Result};
use crate::jwt::{self, Claims, ValidationOptions};
use crate::keyset::KeySet;
pub use crate::plumbing::claims::{claim_name, CLAIM_PREFIX};
use crate::plumbing::claims::{is_administrator, optional_string, required_string};
use crate::plumbing::http::HttpResponse;
use crate::plumbing::json::Value;

/// Issuer of system-user tokens, as SuperOffice's own .NET client checks it.
pub const SYSTEM_USER_ISSUER: &str = "SuperOffice AS";

#[derive(Debug, Clone)]
pub struct TicketOptions<'a> {
    pub now_ms: f64,
    pub leeway_seconds: u32,
    /// When given, the token's `ctx` claim must equal it (the tenant we asked for).
    pub context_identifier: Option<&'a str>,
}

/// What a partner needs from a successful exchange.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketResult {
    /// The `7T:...` credential.
    pub ticket: String,
    pub context_identifier: String,
    pub serial: String,
    pub netserver_url: Option<String>,
    pub webapi_url: Option<String>,
    pub is_administrator: bool,
    /// The JWT's `exp`, epoch milliseconds.
    pub expires_at_ms: f64,
    pub claims: Claims,
}

pub fn parse_ticket_response(
    response: &HttpResponse<'_>,
    keys: &KeySet,
    options: &TicketOptions<'_>,
) -> Result<TicketResult> {
    let token = response::extract_token(response)?;
    let validation = ValidationOptions {
        now_ms: options.now_ms,
        leeway_seconds: options.leeway_seconds,
        issuer: Some(SYSTEM_USER_ISSUER),
        audience: None,
        nonce: None,
    };
    let claims = jwt::validate_token_leaving_audience(&token, keys, &validation)?;
    ticket_from_claims(claims, options.context_identifier)
}

/// Checks the system-user specific claims of an already validated token and extracts the ticket.
pub fn ticket_from_claims(claims: Claims, expected_context: Option<&str>) -> Result<TicketResult> {
    // The audience is `spn:` + the token's own serial claim, so it is checked once the serial is read.
    let serial = required_string(&claims, "serial")?;
    jwt::check_audience(&claims, &format!("spn:{serial}"))?;
    let context_identifier = required_string(&claims, "ctx")?;
    if expected_context.is_some_and(|expected| expected != context_identifier) {
        return Err(Error::claim(
            &claim_name("ctx"),
            "does not name the requested tenant",
        ));
    }
    let ticket = match claims.get(&claim_name("ticket")) {
        Some(Value::String(ticket)) if !ticket.trim().is_empty() => ticket.clone(),
        None | Some(Value::String(_)) | Some(Value::Null) => return Err(Error::TicketMissing),
        Some(_) => return Err(Error::claim(&claim_name("ticket"), "must be a string")),
    };
    let is_administrator = is_administrator(&claims)?;
    let expires_at_ms = claims
        .get("exp")
        .and_then(Value::as_f64)
        .map(|exp| exp * 1000.0)
        .ok_or_else(|| Error::claim("exp", "missing"))?;
    Ok(TicketResult {
        ticket,
        context_identifier,
        serial,
        netserver_url: optional_string(&claims, "netserver_url")?,
        webapi_url: optional_string(&claims, "webapi_url")?,
        is_administrator,
        expires_at_ms,
        claims,
    })
}
