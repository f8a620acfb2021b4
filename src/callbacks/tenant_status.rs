//! Tenant status notifications: what SuperOffice posts to the application's State Change URL.
//!
//! What SuperOffice documents (SuperOfficeDocs/superoffice-docs):
//!
//! - `docs/en/apps/tenant-status/notifications.md`: the JSON body
//!   `{ ChangeType, ContextIdentifier, VersionName, FileVersion, Token }`, where `Token` is "a JWT to
//!   verify it was sent by SuperOffice", and the change types Upgrade (0), BackupRestored (1),
//!   Suspend (2), Resume (3), Delete (4) (`includes/CustomerStateChangeNotificationType.cs`).
//! - `docs/en/apps/tenant-status/includes/ApiController.cs`: the Token is validated as a SuperIdToken:
//!   the environment's federated-login certificate, `ValidIssuer = "https://sod.superoffice.com"` (the
//!   environment's issuer, as for the OpenID Connect id_token).
//! - `docs/en/developer-portal/best-practices/tenant-status/tenant-status-webhook.md`: the application
//!   "must" use these notifications to stop calling a tenant that cannot answer.
//!
//! Decisions where the pages are silent:
//!
//! - The Token is checked by the key/JWT layer (RS256 only, signature before claims, `exp` required),
//!   then its tenant claim (`http://schemes.superoffice.net/identity/ctx`) must equal the body's
//!   `ContextIdentifier`: a Token for one tenant does not vouch for a notification about another.
//! - The audience: SuperOffice names none for this Token and its sample checks none. With `client_id`
//!   given, `aud` must name it (a Token issued to another application is refused); without it, `aud`
//!   is not read.
//! - Only the Token is signed. `ChangeType`, `VersionName` and `FileVersion` are not covered by it
//!   (no documented claim carries them), so a notification proves "SuperOffice spoke about this
//!   tenant just now", and what it says should be confirmed (the state API) before data is destroyed.
//! - An unknown `ChangeType` number is kept as its number, not refused: SuperOffice may add kinds, and
//!   refusing would make SuperOffice retry a notification the application could have logged.
//!   `ChangeType` must be an integer (the page says "a number value"); `VersionName` and `FileVersion`
//!   are optional strings.

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::jwt::{self, ValidationOptions};
use crate::keyset::KeySet;
use crate::plumbing::claims::claim_name;
use crate::plumbing::http::MAX_RESPONSE_BYTES;
use crate::plumbing::json::{self, Object, Value};

/// `CustomerStateChangeNotificationType`, by the numbers SuperOffice documents.
const CHANGE_TYPES: [&str; 5] = ["Upgrade", "BackupRestored", "Suspend", "Resume", "Delete"];

#[derive(Debug, Clone)]
pub struct TenantStatusOptions<'a> {
    /// The exact `iss` of the Token: the environment's issuer, e.g. `https://online.superoffice.com`.
    pub issuer: &'a str,
    /// When given, the Token's `aud` must name this client id.
    pub client_id: Option<&'a str>,
    /// Current time, epoch milliseconds.
    pub now_ms: f64,
    pub leeway_seconds: u32,
}

/// What happened to the tenant: a documented change type by name, or an undocumented number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Known(&'static str),
    Unknown(i32),
}

impl Serialize for ChangeType {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ChangeType::Known(name) => serializer.serialize_str(name),
            ChangeType::Unknown(code) => serializer.serialize_i32(*code),
        }
    }
}

/// A verified tenant status notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantStatusNotification {
    /// `Suspend`, `Resume`, ... or the number when SuperOffice sends one it has not documented.
    pub change_type: ChangeType,
    /// `ChangeType` as sent.
    pub change_type_code: i32,
    pub context_identifier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_version: Option<String>,
}

fn malformed() -> Error {
    Error::WebhookInvalid {
        reason: "malformed-event",
    }
}

/// Reads a notification's raw body and validates its Token (signature first, issuer, expiry, tenant).
pub fn parse_tenant_status_notification(
    body: &[u8],
    keys: &KeySet,
    options: &TenantStatusOptions<'_>,
) -> Result<TenantStatusNotification> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    if options.issuer.trim().is_empty() {
        return Err(Error::InvalidArgument("issuer is empty"));
    }
    if options.client_id.is_some_and(|id| id.trim().is_empty()) {
        return Err(Error::InvalidArgument(
            "clientId is empty; leave it out to skip the audience check",
        ));
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let object = json::parse_object(body).ok_or(Error::WebhookInvalid {
        reason: "malformed-json",
    })?;
    let notification = read_notification(&object)?;
    let token = match object.get("Token") {
        Some(Value::String(token)) if !token.is_empty() => token,
        _ => return Err(malformed()),
    };
    let validation = ValidationOptions {
        now_ms: options.now_ms,
        leeway_seconds: options.leeway_seconds,
        issuer: Some(options.issuer),
        audience: options.client_id,
        nonce: None,
    };
    let claims = jwt::validate_token_leaving_audience(token, keys, &validation)?;
    let context_claim = claim_name("ctx");
    match claims.get(&context_claim) {
        None => Err(Error::claim(&context_claim, "missing")),
        Some(Value::String(ctx)) if *ctx == notification.context_identifier => Ok(notification),
        Some(Value::String(_)) => Err(Error::claim(
            &context_claim,
            "names another tenant than ContextIdentifier",
        )),
        Some(_) => Err(Error::claim(&context_claim, "must be a string")),
    }
}

fn read_notification(object: &Object) -> Result<TenantStatusNotification> {
    let code = object
        .get("ChangeType")
        .and_then(Value::as_i64)
        .and_then(|code| i32::try_from(code).ok())
        .ok_or_else(malformed)?;
    let change_type = usize::try_from(code)
        .ok()
        .and_then(|index| CHANGE_TYPES.get(index))
        .map_or(ChangeType::Unknown(code), |name| ChangeType::Known(name));
    let context_identifier = match object.get("ContextIdentifier") {
        Some(Value::String(ctx)) if !ctx.is_empty() => ctx.clone(),
        _ => return Err(malformed()),
    };
    Ok(TenantStatusNotification {
        change_type,
        change_type_code: code,
        context_identifier,
        version_name: optional_string(object, "VersionName")?,
        file_version: optional_string(object, "FileVersion")?,
    })
}

fn optional_string(object: &Object, member: &str) -> Result<Option<String>> {
    match object.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(malformed()),
    }
}
