//! The tenant state API: where a tenant lives now, and whether it is running.
//!
//! SuperOffice moves tenants between hosts "routinely to balance the load" and during incidents
//! (`sod2` -> `sod3`, `online2` -> `app`), and since 17 November 2023 a call to the wrong host answers
//! HTTP 421 "Wrong subdomain used to access tenant"; hosts without a number (`sod.`, `online.`,
//! `qaonline.`) are reserved for authentication. The state API on the environment's authentication
//! host says where the tenant is and in which state:
//! `GET https://{env}.superoffice.com/api/state/{ContextIdentifier}` answers
//! `{ ContextIdentifier, Endpoint, State, IsRunning, ValidUntil, Api }`. Sources (SuperOfficeDocs/
//! superoffice-docs): `docs/en/apps/tenant-status/check-status.md` and `status-page.md`,
//! `docs/en/developer-portal/best-practices/tenant-status/check-status.md` (the 421 note, the 2026
//! example with `online2` -> `app`), `docs/en/developer-portal/includes/app-envir-intro.md` (the
//! environments and their tenant hosts `sod2`/`app-sod`, `stage`/`app-stage`, `online2`/`app`, and
//! "Use State URL to get tenant URL"), `common/includes/variable/table-service-in-sales.md` (tenants
//! "may move between hosts (for example: online2.superoffice.com/Cust1234 to app.superoffice.com/Cust1234)").
//!
//! Decisions (the documentation is silent on each):
//!
//! - The request is a plain `GET` with `Accept: application/json`; the state API takes no credential.
//!   The context identifier goes into the path, so it is limited to what context identifiers are
//!   (`Cust12345`): 1 to 64 ASCII letters, digits, `-` and `_`. Nothing needs escaping, and no
//!   value can add a path segment.
//! - The response is read like the ticket service's REST answer: size cap first, a byte order mark
//!   dropped, a non-2xx status is [`Error::HttpStatus`], the body a strict JSON object (a member
//!   named twice is refused), members under SuperOffice's PascalCase names or ASP.NET's camelCase
//!   ones (both spellings at once is malformed), other members (`Version`, ...) ignored.
//! - `ContextIdentifier` is required and must equal the one asked for, byte for byte, as the
//!   ticket's `ctx` claim must.
//! - `State` is a name (`Running`) or a number (`2`), as .NET may write an enum either way. A known
//!   name (ASCII case ignored) or number gives both `state` (the name) and `state_code`; an unknown
//!   number is kept as the number (and is the code), an unknown name as the name with no code: a
//!   state SuperOffice adds later must not make every lookup fail. An unknown name must look like an enum name (1 to 64
//!   ASCII letters and digits); anything else is malformed.
//! - `IsRunning` is a required boolean. For a known state it must agree with the documentation
//!   (true exactly for Running and OnlineMaintenance); a contradiction is malformed rather than
//!   resolved either way. For an unknown state it is taken as given.
//! - `Endpoint` is required when the tenant is running and may be absent, null or empty otherwise.
//!   When present it must be a URL the ticket may be sent to: `https://` on SuperOffice's domain
//!   (`superoffice.com` or a host below it), or, with a custom base URL (the local stand-in, a
//!   proxy), on that base's host with that base's scheme, any port. Its last path segment must be
//!   the context identifier (ASCII case ignored: SuperOffice's own examples write `cust1234`), so an
//!   answer cannot send one tenant's ticket to another tenant's path. It is returned with scheme and
//!   host in lower case, the default port and trailing slashes removed.
//! - `Api` may be absent or null; when present it must lie below the endpoint (same origin, path
//!   starting with the endpoint's), and it is returned ending in `/`, the shape of the ticket's
//!   `webapi_url` claim, so that `${apiUrl}v1/...` works with either.
//! - `ValidUntil` ("when to check next time") is an RFC 3339 UTC time, `Z` or a numeric offset, with
//!   any number of fraction digits (.NET writes seven); the calendar arithmetic is `der`'s
//!   `DateTime`. Absent or null, or earlier than `now`, it reads as `now`: ask again at the next
//!   need. How long to trust an answer at most and at least is the caller's policy.

use crate::error::{Error, Result};
use crate::plumbing::environment::{check_base_url, login_host, Environment};
use crate::plumbing::http::{self, HttpRequest, HttpResponse};
use crate::plumbing::json::{self, Object, Value};

/// Path of the state API below the environment's authentication host.
pub const STATE_PATH: &str = "/api/state/";
/// SuperOffice's domain: every host SuperOffice serves a tenant from is this or below it.
pub const SUPEROFFICE_DOMAIN: &str = "superoffice.com";
/// Longest context identifier accepted in a state request.
const MAX_CONTEXT_IDENTIFIER: usize = 64;
/// Longest unknown state name kept.
const MAX_STATE_NAME: usize = 64;

/// SuperOffice's documented states: (code, name). Codes 7 and 9 are not documented.
pub const STATES: &[(u32, &str)] = &[
    (0, "Unknown"),
    (1, "Provisioning"),
    (2, "Running"),
    (3, "Deleted"),
    (4, "Suspended"),
    (5, "OnlineMaintenance"),
    (6, "OfflineMaintenance"),
    (8, "ProvisioningFailed"),
    (10, "Deleting"),
    (11, "DeleteFailed"),
    (12, "MigrationPending"),
];

/// The states in which the tenant's APIs answer (`IsRunning`).
const RUNNING_STATES: &[u32] = &[2, 5];

/// What a state request needs: the environment (or a custom base URL) and the tenant.
#[derive(Debug, Clone, Copy)]
pub struct TenantStateRequestParams<'a> {
    /// `sod`, `stage` or `online`: the request goes to the environment's authentication host.
    pub environment: Option<&'a str>,
    /// A custom base URL instead (the local stand-in, a proxy): its authentication host.
    pub base_url: Option<&'a str>,
    pub context_identifier: &'a str,
}

/// Builds `GET {authentication host}/api/state/{contextIdentifier}`; never a tenant host.
pub fn build_tenant_state_request(params: &TenantStateRequestParams<'_>) -> Result<HttpRequest> {
    let base = login_host(params.environment, params.base_url)?;
    check_context_identifier(params.context_identifier)?;
    Ok(HttpRequest {
        url: format!("{base}{STATE_PATH}{}", params.context_identifier),
        method: "GET",
        headers: vec![("Accept", "application/json".to_owned())],
        body: String::new(),
    })
}

fn check_context_identifier(context_identifier: &str) -> Result<()> {
    if context_identifier.is_empty() {
        return Err(Error::InvalidArgument("context identifier is empty"));
    }
    if context_identifier.len() > MAX_CONTEXT_IDENTIFIER
        || !context_identifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::InvalidArgument(
            "context identifier must be up to 64 ASCII letters, digits, - or _",
        ));
    }
    Ok(())
}

/// How to read a state response.
#[derive(Debug, Clone, Copy)]
pub struct TenantStateOptions<'a> {
    /// The tenant asked for.
    pub context_identifier: &'a str,
    /// Current time, epoch milliseconds.
    pub now_ms: f64,
    /// The environment the request went to (checked, not otherwise needed: endpoints must then be on
    /// SuperOffice's domain).
    pub environment: Option<&'a str>,
    /// The custom base URL the request went to, instead of an environment: endpoints on its host are
    /// accepted besides SuperOffice's domain. With neither, only SuperOffice's domain is.
    pub base_url: Option<&'a str>,
}

/// The state's name: a documented one, or what an undocumented answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateName {
    Known(&'static str),
    /// An undocumented name, as sent.
    Other(String),
    /// An undocumented number.
    Number(u32),
}

/// A tenant's state, as the state API describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantState {
    pub context_identifier: String,
    /// The tenant's root (`https://online2.superoffice.com/Cust12345`), normalised; `None` when the
    /// tenant is not running and the answer names none.
    pub endpoint: Option<String>,
    /// The REST base (`.../Cust12345/api/`), ending in `/`; `None` when the answer names none.
    pub api_url: Option<String>,
    pub state: StateName,
    /// The state's number: a documented state's, or an undocumented number as sent; `None` for an
    /// undocumented name.
    pub state_code: Option<u32>,
    pub is_running: bool,
    /// When to ask again, epoch milliseconds; never before `now`.
    pub valid_until_ms: f64,
}

/// Reads the state API's answer.
pub fn parse_tenant_state(
    response: &HttpResponse<'_>,
    options: &TenantStateOptions<'_>,
) -> Result<TenantState> {
    if !options.now_ms.is_finite() || options.now_ms < 0.0 {
        return Err(Error::InvalidArgument("now must be a valid time"));
    }
    check_context_identifier(options.context_identifier)?;
    let custom = match (options.environment, options.base_url) {
        (Some(_), Some(_)) => {
            return Err(Error::InvalidArgument(
                "give either environment or baseUrl, not both",
            ))
        }
        (Some(name), None) => {
            Environment::parse(name)?;
            None
        }
        (None, base_url) => base_url.map(Origin::of_base).transpose()?,
    };
    let body = http::body(response)?;
    if !http::is_success(response.status) {
        return Err(Error::HttpStatus {
            status: response.status,
        });
    }
    let object = json::parse_object(body.as_bytes()).ok_or(Error::ResponseMalformed(
        "the state response is not a JSON object, or names a member twice",
    ))?;
    let object = &object;

    match member(object, "ContextIdentifier", "contextIdentifier")? {
        Some(Value::String(ctx)) if ctx == options.context_identifier => {}
        Some(Value::String(_)) => {
            return Err(Error::ResponseMalformed(
                "the state response names another tenant",
            ))
        }
        _ => {
            return Err(Error::ResponseMalformed(
                "the state response has no ContextIdentifier",
            ))
        }
    }
    let (state, state_code) = read_state(member(object, "State", "state")?)?;
    let is_running = match member(object, "IsRunning", "isRunning")? {
        Some(Value::Bool(running)) => *running,
        _ => {
            return Err(Error::ResponseMalformed(
                "the state response's IsRunning is missing or not a boolean",
            ))
        }
    };
    if let StateName::Known(_) = state {
        let documented_running = state_code.is_some_and(|code| RUNNING_STATES.contains(&code));
        if documented_running != is_running {
            return Err(Error::ResponseMalformed(
                "the state response's State and IsRunning disagree",
            ));
        }
    }
    let endpoint = match optional_text(object, "Endpoint", "endpoint")? {
        Some(text) => Some(read_endpoint(
            text,
            options.context_identifier,
            custom.as_ref(),
        )?),
        None if is_running => {
            return Err(Error::ResponseMalformed(
                "the state response names no Endpoint for a running tenant",
            ))
        }
        None => None,
    };
    let api_url = match (optional_text(object, "Api", "api")?, &endpoint) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(Error::ResponseMalformed(
                "the state response names an Api but no Endpoint",
            ))
        }
        (Some(text), Some(endpoint)) => Some(read_api(text, endpoint, custom.as_ref())?),
    };
    let valid_until_ms = match member(object, "ValidUntil", "validUntil")? {
        None | Some(Value::Null) => options.now_ms,
        Some(Value::String(text)) => parse_rfc3339_ms(text)
            .ok_or(Error::ResponseMalformed(
                "the state response's ValidUntil is not an RFC 3339 time",
            ))?
            .max(options.now_ms),
        Some(_) => {
            return Err(Error::ResponseMalformed(
                "the state response's ValidUntil is not a string",
            ))
        }
    };
    Ok(TenantState {
        context_identifier: options.context_identifier.to_owned(),
        endpoint,
        api_url,
        state,
        state_code,
        is_running,
        valid_until_ms,
    })
}

/// A member under its PascalCase or camelCase name; both at once is ambiguous.
fn member<'a>(object: &'a Object, pascal: &str, camel: &str) -> Result<Option<&'a Value>> {
    match (object.get(pascal), object.get(camel)) {
        (Some(_), Some(_)) => Err(Error::ResponseMalformed(
            "a JSON member appears under two spellings",
        )),
        (value, None) | (None, value) => Ok(value),
    }
}

/// A string-or-null member: absent, null or empty read as `None`.
fn optional_text<'a>(object: &'a Object, pascal: &str, camel: &str) -> Result<Option<&'a str>> {
    match member(object, pascal, camel)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(Error::ResponseMalformed(
            "a URL in the state response is not a string",
        )),
    }
}

fn read_state(value: Option<&Value>) -> Result<(StateName, Option<u32>)> {
    const BAD: Error =
        Error::ResponseMalformed("the state response's State is not a state name or number");
    let code = match value {
        Some(Value::Number(number)) => number.as_u64(),
        Some(Value::String(name))
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name.parse::<u64>().ok()
        }
        Some(Value::String(name)) => {
            if let Some(&(code, known)) = STATES
                .iter()
                .find(|(_, known)| known.eq_ignore_ascii_case(name))
            {
                return Ok((StateName::Known(known), Some(code)));
            }
            if name.is_empty()
                || name.len() > MAX_STATE_NAME
                || !name.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(BAD);
            }
            return Ok((StateName::Other(name.clone()), None));
        }
        _ => return Err(BAD),
    };
    let code = code
        .and_then(|code| u32::try_from(code).ok())
        .filter(|&code| code <= i32::MAX as u32)
        .ok_or(BAD)?;
    Ok(match STATES.iter().find(|(known, _)| *known == code) {
        Some(&(code, name)) => (StateName::Known(name), Some(code)),
        None => (StateName::Number(code), Some(code)),
    })
}

/// Scheme, host and port of a URL, normalised: lower case, default port dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    https: bool,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// The origin and the path (without trailing slashes) of a URL [`check_base_url`] accepts.
    fn split(url: &str) -> Result<(Origin, &str)> {
        let url = check_base_url(url)?;
        // check_base_url has seen `scheme://authority[/path]`, http(s) only, no user info.
        let (scheme, rest) = url.split_once("://").ok_or(Error::InvalidArgument(
            "base URL must be an absolute https:// URL without user info, query or fragment",
        ))?;
        let https = scheme.eq_ignore_ascii_case("https");
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        let (host, port) = match authority.rfind(':') {
            Some(at) if !authority[at..].contains(']') => {
                let port = authority[at + 1..]
                    .parse::<u16>()
                    .map_err(|_| Error::InvalidArgument("base URL has an invalid port"))?;
                (&authority[..at], Some(port))
            }
            _ => (authority, None),
        };
        let default_port = if https { 443 } else { 80 };
        let origin = Origin {
            https,
            host: host.to_ascii_lowercase(),
            port: port.filter(|&port| port != default_port),
        };
        Ok((origin, path))
    }

    fn of_base(base_url: &str) -> Result<Origin> {
        Origin::split(base_url).map(|(origin, _)| origin)
    }

    fn is_superoffice(&self) -> bool {
        self.https
            && (self.host == SUPEROFFICE_DOMAIN
                || self
                    .host
                    .strip_suffix(SUPEROFFICE_DOMAIN)
                    .is_some_and(|below| below.ends_with('.') && below.len() > 1))
    }

    /// May a ticket be sent here: SuperOffice's domain, or the custom base's host and scheme.
    fn is_allowed(&self, custom: Option<&Origin>) -> bool {
        self.is_superoffice()
            || custom.is_some_and(|base| base.https == self.https && base.host == self.host)
    }

    fn write(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{}:{port}{path}", self.host),
            None => format!("{scheme}://{}{path}", self.host),
        }
    }
}

const BAD_ENDPOINT: Error = Error::ResponseMalformed(
    "the state response's Endpoint is not a tenant URL on SuperOffice's domain or the base URL's host",
);

fn read_endpoint(text: &str, context_identifier: &str, custom: Option<&Origin>) -> Result<String> {
    let (origin, path) = Origin::split(text).map_err(|_| BAD_ENDPOINT)?;
    let last = path.rsplit('/').next().unwrap_or_default();
    if !origin.is_allowed(custom) || !last.eq_ignore_ascii_case(context_identifier) {
        return Err(BAD_ENDPOINT);
    }
    Ok(origin.write(path))
}

fn read_api(text: &str, endpoint: &str, custom: Option<&Origin>) -> Result<String> {
    const BAD: Error =
        Error::ResponseMalformed("the state response's Api is not a URL below its Endpoint");
    let (origin, path) = Origin::split(text).map_err(|_| BAD)?;
    let api = origin.write(path);
    let below = api
        .strip_prefix(endpoint)
        .is_some_and(|rest| rest.starts_with('/'));
    if !origin.is_allowed(custom) || !below {
        return Err(BAD);
    }
    Ok(format!("{api}/"))
}

/// Shared with the callbacks door (webhook Timestamps), so it lives in the plumbing.
pub use crate::plumbing::time::parse_rfc3339_ms;

#[cfg(test)]
mod tests;
