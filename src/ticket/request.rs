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
//! - SOAP values are escaped with [`crate::plumbing::xml::escape`]: the five XML specials become entities and
//!   tab/LF/CR become character references, so that the server's XML reader returns them unchanged.
//! - `SOAPAction` is sent as a quoted string, as SOAP 1.1 (section 6.1.1) specifies; WCF accepts it
//!   quoted or not. `Accept: text/xml` is sent too: WCF's basicHttpBinding ignores it, and it states
//!   what we can read.
//! - The REST body is written by serde_json, which escapes every value correctly.

use crate::error::{Error, Result};
use crate::plumbing::environment::check_base_url;
use crate::plumbing::http::HttpRequest;
use crate::plumbing::soap::NS_SOAP11;
use crate::plumbing::{args, xml};

/// The PartnerSystemUserService namespace (requests and responses).
pub const NS_PARTNER: &str = "http://www.superoffice.com/superid/partnersystemuser/0.1";
/// The SOAP action of `Authenticate`, from the WSDL's binding.
pub const SOAP_ACTION: &str =
    "http://www.superoffice.com/superid/partnersystemuser/0.1/IPartnerSystemUserService/Authenticate";
/// Path of the SOAP endpoint below the environment's host.
pub const SOAP_PATH: &str = "/login/services/PartnerSystemUserService.svc";
/// Path of the REST endpoint below the environment's host.
pub const REST_PATH: &str = "/Login/api/PartnerSystemUser/Authenticate";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    #[default]
    Soap,
    Rest,
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

pub fn build_ticket_request(params: &TicketRequestParams<'_>) -> Result<HttpRequest> {
    let base = check_base_url(params.base_url)?;
    args::sendable(
        params.application_token,
        "application token is empty",
        "application token contains a character that cannot be sent",
    )?;
    args::sendable(
        params.context_identifier,
        "context identifier is empty",
        "context identifier contains a character that cannot be sent",
    )?;
    args::sendable(
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::plumbing::xml::Element;

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

        let envelope = crate::plumbing::xml::parse(&request.body).unwrap();
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
