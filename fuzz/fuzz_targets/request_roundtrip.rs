//! Request building round trip: any values the builder accepts come back identical when the SOAP body
//! is read with our own XML reader and the REST body with serde_json; both transports accept and refuse
//! the same inputs; a refusal is explained by a blank value or a character XML cannot carry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use superoffice_auth::plumbing::soap::NS_SOAP11;
use superoffice_auth::plumbing::xml::{self, Element};
use superoffice_auth::ticket::request::{NS_PARTNER, REST_PATH, SOAP_PATH};
use superoffice_auth::{build_ticket_request, TicketRequestParams, Transport};

const BASE: &str = "https://sod.superoffice.com";

fn child<'a>(parent: &'a Element, ns: &str, local: &str) -> &'a Element {
    parent
        .unique_child(ns, local)
        .expect("unique")
        .unwrap_or_else(|| panic!("no {local}"))
}

fn leaf<'a>(parent: &'a Element, local: &str) -> &'a str {
    child(parent, NS_PARTNER, local).leaf_text().expect("leaf")
}

fuzz_target!(|data: &[u8]| {
    // 0xFF never occurs in UTF-8, so it separates the values without limiting what they contain.
    let mut parts = data.split(|&b| b == 0xff).map(String::from_utf8_lossy);
    let application_token = parts.next().unwrap_or_default();
    let context_identifier = parts.next().unwrap_or_default();
    let signed_system_token = parts.next().unwrap_or_default();
    let base_url = parts.next();
    let base = base_url.as_deref().unwrap_or(BASE);
    let params = |transport| TicketRequestParams {
        base_url: base,
        transport,
        application_token: &application_token,
        context_identifier: &context_identifier,
        signed_system_token: &signed_system_token,
    };
    let soap = build_ticket_request(&params(Transport::Soap));
    let rest = build_ticket_request(&params(Transport::Rest));
    assert_eq!(soap.is_ok(), rest.is_ok(), "transports disagree");
    let values = [
        &*application_token,
        &*context_identifier,
        &*signed_system_token,
    ];
    let (soap, rest) = match (soap, rest) {
        (Ok(soap), Ok(rest)) => (soap, rest),
        (Err(soap), Err(rest)) => {
            assert_eq!(soap, rest);
            assert_eq!(soap.code(), "ERR_INVALID_ARGUMENT");
            let explained = base_url.is_some()
                || values
                    .iter()
                    .any(|value| value.trim().is_empty() || !value.chars().all(xml::is_xml_char));
            assert!(explained, "refused without reason: {soap}");
            return;
        }
        _ => unreachable!(),
    };
    let trimmed = base.trim_end_matches('/');
    assert_eq!(soap.url, format!("{trimmed}{SOAP_PATH}"));
    assert_eq!(rest.url, format!("{trimmed}{REST_PATH}"));

    let envelope = xml::parse(&soap.body).expect("our SOAP body parses");
    assert!(envelope.is(NS_SOAP11, "Envelope"));
    let header = child(&envelope, NS_SOAP11, "Header");
    let body = child(&envelope, NS_SOAP11, "Body");
    let request = child(body, NS_PARTNER, "AuthenticationRequest");
    assert_eq!(leaf(header, "ApplicationToken"), values[0]);
    assert_eq!(leaf(header, "ContextIdentifier"), values[1]);
    assert_eq!(leaf(request, "SignedSystemToken"), values[2]);
    assert_eq!(leaf(request, "ReturnTokenType"), "Jwt");

    let json: serde_json::Value = serde_json::from_str(&rest.body).expect("our REST body parses");
    assert_eq!(json["ApplicationToken"], values[0]);
    assert_eq!(json["ContextIdentifier"], values[1]);
    assert_eq!(json["SignedSystemToken"], values[2]);
    assert_eq!(json["ReturnTokenType"], "JWT");
});
