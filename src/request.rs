//! PartnerSystemUserService request building (SOAP 1.1 envelope or REST JSON).
//!
//! Decisions:
//!
//! - Every argument is validated before anything is built, and refused rather than repaired: empty
//!   (or whitespace-only) tokens, characters XML 1.0 cannot carry (C0 controls other than tab, LF,
//!   CR; U+FFFE, U+FFFF), a base URL that is not absolute `https://` (plain `http://` only for the
//!   loopback hosts `127.0.0.1`, `localhost` and `[::1]`, which the local stand-in and tests use), or
//!   one with user info, a query or a fragment. The same rules apply to both transports, so switching
//!   transport never changes which inputs are accepted. Error messages name the argument, never its
//!   value.
//! - Trailing slashes of the base URL are removed; the path prefix, if any, is kept.
//! - SOAP values are escaped with [`crate::xml::escape`]: the five XML specials become entities and
//!   tab/LF/CR become character references, so that the server's XML reader returns them unchanged.
//! - `SOAPAction` is sent as a quoted string, as SOAP 1.1 (section 6.1.1) specifies; WCF accepts it
//!   quoted or not. `Accept: text/xml` is sent too: WCF's basicHttpBinding ignores it, and it states
//!   what we can read.
//! - The REST body is built with `serde_json`, which escapes every value correctly.

use crate::error::{Error, Result};
use crate::xml;

/// The PartnerSystemUserService namespace (requests and responses).
pub const NS_PARTNER: &str = "http://www.superoffice.com/superid/partnersystemuser/0.1";
/// SOAP 1.1 envelope namespace.
pub const NS_SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const NS_SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
/// The SOAP action of `Authenticate`, from the WSDL's binding.
pub const SOAP_ACTION: &str =
    "http://www.superoffice.com/superid/partnersystemuser/0.1/IPartnerSystemUserService/Authenticate";
/// Path of the SOAP endpoint below the environment's host.
pub const SOAP_PATH: &str = "/login/services/PartnerSystemUserService.svc";
/// Path of the REST endpoint below the environment's host.
pub const REST_PATH: &str = "/Login/api/PartnerSystemUser/Authenticate";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Sod,
    Stage,
    Online,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    #[default]
    Soap,
    Rest,
}

impl Environment {
    /// `sod`, `stage`, `online`; `qaonline` is accepted as `stage`. ASCII case is ignored; nothing
    /// else (not even surrounding whitespace) is.
    pub fn parse(name: &str) -> Result<Environment> {
        let is = |expected: &str| name.eq_ignore_ascii_case(expected);
        if is("sod") {
            Ok(Environment::Sod)
        } else if is("stage") || is("qaonline") {
            Ok(Environment::Stage)
        } else if is("online") {
            Ok(Environment::Online)
        } else {
            Err(Error::InvalidArgument(
                "environment must be one of sod, stage, online",
            ))
        }
    }
    /// `https://sod.superoffice.com` etc.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sod => "https://sod.superoffice.com",
            Environment::Stage => "https://qaonline.superoffice.com",
            Environment::Online => "https://online.superoffice.com",
        }
    }
}

impl Transport {
    /// `soap` or `rest`, ASCII case ignored.
    pub fn parse(name: &str) -> Result<Transport> {
        if name.eq_ignore_ascii_case("soap") {
            Ok(Transport::Soap)
        } else if name.eq_ignore_ascii_case("rest") {
            Ok(Transport::Rest)
        } else {
            Err(Error::InvalidArgument("transport must be soap or rest"))
        }
    }
}

pub struct TicketRequestParams<'a> {
    /// Scheme and host (and optional path prefix), no trailing slash needed.
    pub base_url: &'a str,
    pub transport: Transport,
    pub application_token: &'a str,
    pub context_identifier: &'a str,
    pub signed_system_token: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

pub fn build_ticket_request(params: &TicketRequestParams<'_>) -> Result<HttpRequest> {
    let base = check_base_url(params.base_url)?;
    check_value(
        params.application_token,
        "application token is empty",
        "application token contains a character that cannot be sent",
    )?;
    check_value(
        params.context_identifier,
        "context identifier is empty",
        "context identifier contains a character that cannot be sent",
    )?;
    check_value(
        params.signed_system_token,
        "signed system token is empty",
        "signed system token contains a character that cannot be sent",
    )?;
    match params.transport {
        Transport::Soap => soap_request(base, params),
        Transport::Rest => Ok(rest_request(base, params)),
    }
}

fn soap_request(base: &str, params: &TicketRequestParams<'_>) -> Result<HttpRequest> {
    // The values were checked by `check_value`, so escaping cannot fail here; the error is kept
    // rather than unwrapped so that a future change to the checks cannot turn into a panic.
    let escape = |value: &str| {
        xml::escape(value).ok_or(Error::InvalidArgument(
            "a value contains a character that cannot be sent",
        ))
    };
    let application_token = escape(params.application_token)?;
    let context_identifier = escape(params.context_identifier)?;
    let signed_system_token = escape(params.signed_system_token)?;
    let body = format!(
        concat!(
            r#"<?xml version="1.0" encoding="utf-8"?>"#,
            r#"<s:Envelope xmlns:s="{soap}" xmlns:p="{ns}">"#,
            "<s:Header>",
            "<p:ApplicationToken>{application_token}</p:ApplicationToken>",
            "<p:ContextIdentifier>{context_identifier}</p:ContextIdentifier>",
            "</s:Header>",
            "<s:Body>",
            "<p:AuthenticationRequest>",
            "<p:SignedSystemToken>{signed_system_token}</p:SignedSystemToken>",
            "<p:ReturnTokenType>Jwt</p:ReturnTokenType>",
            "</p:AuthenticationRequest>",
            "</s:Body>",
            "</s:Envelope>",
        ),
        soap = NS_SOAP11,
        ns = NS_PARTNER,
        application_token = application_token,
        context_identifier = context_identifier,
        signed_system_token = signed_system_token,
    );
    Ok(HttpRequest {
        url: format!("{base}{SOAP_PATH}"),
        method: "POST",
        headers: vec![
            ("Content-Type", "text/xml; charset=utf-8".to_owned()),
            ("SOAPAction", format!("\"{SOAP_ACTION}\"")),
            ("Accept", "text/xml".to_owned()),
        ],
        body,
    })
}

fn rest_request(base: &str, params: &TicketRequestParams<'_>) -> HttpRequest {
    // serde_json's default map keeps keys sorted; the order is irrelevant to the server.
    let body = serde_json::json!({
        "SignedSystemToken": params.signed_system_token,
        "ApplicationToken": params.application_token,
        "ContextIdentifier": params.context_identifier,
        "ReturnTokenType": "JWT",
    })
    .to_string();
    HttpRequest {
        url: format!("{base}{REST_PATH}"),
        method: "POST",
        headers: vec![
            ("Content-Type", "application/json".to_owned()),
            ("Accept", "application/json".to_owned()),
        ],
        body,
    }
}

fn check_value(value: &str, empty: &'static str, bad_char: &'static str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument(empty));
    }
    if !value.chars().all(xml::is_xml_char) {
        return Err(Error::InvalidArgument(bad_char));
    }
    Ok(())
}

/// Validates the base URL and returns it without trailing slashes.
fn check_base_url(url: &str) -> Result<&str> {
    const BAD: Error = Error::InvalidArgument(
        "base URL must be an absolute https:// URL without user info, query or fragment",
    );
    if url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '?' | '#'))
    {
        return Err(BAD);
    }
    let (scheme, rest) = url.split_once("://").ok_or(BAD)?;
    let https = scheme.eq_ignore_ascii_case("https");
    if !https && !scheme.eq_ignore_ascii_case("http") {
        return Err(BAD);
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.contains('@') {
        return Err(BAD);
    }
    let host = split_host(authority).ok_or(BAD)?;
    if !https && !is_loopback(host) {
        return Err(Error::InvalidArgument(
            "base URL must use https:// (http:// is allowed only for localhost)",
        ));
    }
    Ok(url.trim_end_matches('/'))
}

/// The host of `host[:port]` or `[v6][:port]`, after checking its characters and the port.
fn split_host(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let inner = authority.get(1..end)?;
        let host = authority.get(..=end)?;
        let after = authority.get(end + 1..)?;
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return None;
        }
        (host, port)
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if !(1..=65535).contains(&port.parse::<u32>().ok()?) {
            return None;
        }
    }
    Some(host)
}

fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost") || host == "[::1]"
}
