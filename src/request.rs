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
//! - The REST body is built with [`crate::json`]'s writer, which escapes every value correctly.

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

    /// The `iss` of the environment's OpenID Connect id_tokens (SuperIdTokens).
    ///
    /// Today this is the same text as [`Environment::base_url`], but the two mean different things
    /// (one is where we send requests, the other an identifier compared byte for byte), so each has
    /// its own name: a base URL may gain a path prefix or a proxy, an issuer never does.
    pub fn issuer(self) -> &'static str {
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

/// The host to talk to: a named environment, or an explicit base URL (the local stand-in, a proxy).
/// Exactly one must be given; the URL itself is checked when the request is built.
pub fn resolve_base_url(environment: Option<&str>, base_url: Option<&str>) -> Result<String> {
    match (environment, base_url) {
        (Some(name), None) => Ok(Environment::parse(name)?.base_url().to_owned()),
        (None, Some(url)) => Ok(url.to_owned()),
        (Some(_), Some(_)) => Err(Error::InvalidArgument(
            "give either environment or baseUrl, not both",
        )),
        (None, None) => Err(Error::InvalidArgument("environment or baseUrl is required")),
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
    // The order is irrelevant to the server; serde_json (preserve_order) writes them as listed here.
    let body = serde_json::json!({
        "ApplicationToken": params.application_token,
        "ContextIdentifier": params.context_identifier,
        "ReturnTokenType": "JWT",
        "SignedSystemToken": params.signed_system_token,
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

/// Validates the base URL and returns it without trailing slashes. Shared by every request builder,
/// so that all endpoints accept the same base URLs.
pub(crate) fn check_base_url(url: &str) -> Result<&str> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::xml::Element;

    type SetValue = fn(&mut TicketRequestParams<'static>, &'static str);

    fn params<'a>(base_url: &'a str, transport: Transport) -> TicketRequestParams<'a> {
        TicketRequestParams {
            base_url,
            transport,
            application_token: "app-secret",
            context_identifier: "Cust12345",
            signed_system_token: "MyApp-8k8Q.202611231405.c2ln",
        }
    }

    #[test]
    fn environments() {
        for (name, expected) in [
            ("sod", Ok(Environment::Sod)),
            ("SOD", Ok(Environment::Sod)),
            ("stage", Ok(Environment::Stage)),
            ("qaonline", Ok(Environment::Stage)),
            ("QaOnline", Ok(Environment::Stage)),
            ("online", Ok(Environment::Online)),
            ("production", Err("ERR_INVALID_ARGUMENT")),
            (" sod", Err("ERR_INVALID_ARGUMENT")),
            ("sod2", Err("ERR_INVALID_ARGUMENT")),
            ("", Err("ERR_INVALID_ARGUMENT")),
        ] {
            assert_eq!(
                Environment::parse(name).map_err(|e| e.code()),
                expected,
                "{name:?}"
            );
        }
        assert_eq!(
            Environment::Stage.base_url(),
            "https://qaonline.superoffice.com"
        );
    }

    #[test]
    fn transports() {
        for (name, expected) in [
            ("soap", Ok(Transport::Soap)),
            ("SOAP", Ok(Transport::Soap)),
            ("rest", Ok(Transport::Rest)),
            ("Rest", Ok(Transport::Rest)),
            ("json", Err("ERR_INVALID_ARGUMENT")),
            ("", Err("ERR_INVALID_ARGUMENT")),
        ] {
            assert_eq!(
                Transport::parse(name).map_err(|e| e.code()),
                expected,
                "{name:?}"
            );
        }
    }

    #[test]
    fn base_urls() {
        for (base, expected) in [
            (
                "https://sod.superoffice.com",
                Some("https://sod.superoffice.com"),
            ),
            (
                "https://sod.superoffice.com/",
                Some("https://sod.superoffice.com"),
            ),
            (
                "https://sod.superoffice.com//",
                Some("https://sod.superoffice.com"),
            ),
            (
                "HTTPS://Sod.SuperOffice.com",
                Some("HTTPS://Sod.SuperOffice.com"),
            ),
            (
                "https://proxy.example:8443/prefix/",
                Some("https://proxy.example:8443/prefix"),
            ),
            (
                "https://[2001:db8::1]:443",
                Some("https://[2001:db8::1]:443"),
            ),
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("http://localhost:3000/", Some("http://localhost:3000")),
            ("http://LOCALHOST", Some("http://LOCALHOST")),
            ("http://[::1]:9", Some("http://[::1]:9")),
            ("http://sod.superoffice.com", None),
            ("http://127.0.0.2", None),
            ("http://localhost.evil.example", None),
            ("http://[::2]", None),
            ("ftp://sod.superoffice.com", None),
            ("sod.superoffice.com", None),
            ("//sod.superoffice.com", None),
            ("https://", None),
            ("https:///path", None),
            ("https://sod.superoffice.com?x=1", None),
            ("https://sod.superoffice.com/#frag", None),
            ("https://user:pw@sod.superoffice.com", None),
            ("https://sod.superoffice.com@evil.example", None),
            ("https://sod.superoffice.com:", None),
            ("https://sod.superoffice.com:0", None),
            ("https://sod.superoffice.com:65536", None),
            ("https://sod.superoffice.com:x", None),
            ("https://sod superoffice.com", None),
            ("https://sod.superoffice.com/a b", None),
            ("https://sod.superoffice.com\\evil", None),
            ("https://sod.superoffice.com\n", None),
            ("https://[::1", None),
            ("https://[]", None),
            ("https://[::1]x", None),
            ("", None),
        ] {
            let request = build_ticket_request(&params(base, Transport::Soap));
            match expected {
                Some(prefix) => {
                    assert_eq!(
                        request.unwrap().url,
                        format!("{prefix}{SOAP_PATH}"),
                        "{base:?}"
                    )
                }
                None => {
                    assert_eq!(
                        request.unwrap_err().code(),
                        "ERR_INVALID_ARGUMENT",
                        "{base:?}"
                    )
                }
            }
        }
    }

    #[test]
    fn bad_values_are_refused_without_echoing_them() {
        let secret = "s3cr3t";
        let cases: [(&str, SetValue); 3] = [
            ("application token", |p, v| p.application_token = v),
            ("context identifier", |p, v| p.context_identifier = v),
            ("signed system token", |p, v| p.signed_system_token = v),
        ];
        for transport in [Transport::Soap, Transport::Rest] {
            for (what, set) in cases {
                for value in ["", "   ", "s3cr3t\u{0}", "s3cr3t\u{1B}", "s3cr3t\u{FFFF}"] {
                    let mut p = params("https://sod.superoffice.com", transport);
                    set(&mut p, value);
                    let error = build_ticket_request(&p).unwrap_err();
                    assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{what} {value:?}");
                    let message = error.to_string();
                    assert!(message.contains(what), "{message}");
                    assert!(!message.contains(secret), "{message}");
                }
            }
        }
    }

    /// Builds a SOAP request with awkward values and reads it back with the hardened reader.
    #[test]
    fn soap_request_round_trips() {
        let app = "a&b<c>d\"e'f";
        let ctx = " Cust 12345 ";
        let signed = "My App & Co <x>.202611231405.\r\nline2\ttab é 漢 😀 ]]>";
        let request = build_ticket_request(&TicketRequestParams {
            base_url: "https://sod.superoffice.com/",
            transport: Transport::Soap,
            application_token: app,
            context_identifier: ctx,
            signed_system_token: signed,
        })
        .unwrap();

        assert_eq!(
            request.url,
            "https://sod.superoffice.com/login/services/PartnerSystemUserService.svc"
        );
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.headers,
            vec![
                ("Content-Type", "text/xml; charset=utf-8".to_owned()),
                (
                    "SOAPAction",
                    "\"http://www.superoffice.com/superid/partnersystemuser/0.1/IPartnerSystemUserService/Authenticate\""
                        .to_owned()
                ),
                ("Accept", "text/xml".to_owned()),
            ]
        );

        let envelope = crate::xml::parse(&request.body).unwrap();
        assert!(envelope.is(NS_SOAP11, "Envelope"));
        let names = |e: &Element| {
            e.children
                .iter()
                .map(|c| (c.ns.clone(), c.local.clone()))
                .collect::<Vec<_>>()
        };
        let q = |ns: &str, local: &str| (ns.to_owned(), local.to_owned());
        assert_eq!(
            names(&envelope),
            vec![q(NS_SOAP11, "Header"), q(NS_SOAP11, "Body")]
        );
        let header = &envelope.children[0];
        assert_eq!(
            names(header),
            vec![
                q(NS_PARTNER, "ApplicationToken"),
                q(NS_PARTNER, "ContextIdentifier")
            ]
        );
        assert_eq!(header.children[0].leaf_text().unwrap(), app);
        assert_eq!(header.children[1].leaf_text().unwrap(), ctx);
        let body = &envelope.children[1];
        assert_eq!(names(body), vec![q(NS_PARTNER, "AuthenticationRequest")]);
        let auth = &body.children[0];
        assert_eq!(
            names(auth),
            vec![
                q(NS_PARTNER, "SignedSystemToken"),
                q(NS_PARTNER, "ReturnTokenType")
            ]
        );
        assert_eq!(auth.children[0].leaf_text().unwrap(), signed);
        assert_eq!(auth.children[1].leaf_text().unwrap(), "Jwt");
        for element in [&envelope, header, body, auth] {
            element.ensure_element_only().unwrap();
            assert!(element.attrs.is_empty());
        }
    }

    #[test]
    fn rest_request() {
        let app = "a\"b\\c";
        let request = build_ticket_request(&TicketRequestParams {
            base_url: "https://online.superoffice.com",
            transport: Transport::Rest,
            application_token: app,
            context_identifier: "Cust1",
            signed_system_token: "tok\r\n.1",
        })
        .unwrap();
        assert_eq!(
            request.url,
            "https://online.superoffice.com/Login/api/PartnerSystemUser/Authenticate"
        );
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.headers,
            vec![
                ("Content-Type", "application/json".to_owned()),
                ("Accept", "application/json".to_owned()),
            ]
        );
        let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "SignedSystemToken": "tok\r\n.1",
                "ApplicationToken": app,
                "ContextIdentifier": "Cust1",
                "ReturnTokenType": "JWT",
            })
        );
    }
}
