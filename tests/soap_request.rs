//! The SOAP request we build, read back by an XML parser that is not ours (roxmltree), element by
//! element, with values that break naive string interpolation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use superoffice_auth::{build_ticket_request, TicketRequestParams, Transport};

const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const PSU: &str = "http://www.superoffice.com/superid/partnersystemuser/0.1";

fn element_children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
) -> Vec<roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(roxmltree::Node::is_element)
        .collect()
}

fn assert_name(node: roxmltree::Node<'_, '_>, ns: &str, local: &str) {
    assert_eq!(
        node.tag_name().namespace(),
        Some(ns),
        "namespace of {local}"
    );
    assert_eq!(node.tag_name().name(), local);
}

#[test]
fn soap_envelope_reads_back_with_an_independent_parser() {
    let values = [
        (
            "plain",
            "Cust12345",
            "MyApp-8k8Q7DmBgo.202611231405.c2ln+bmF/0dXJl==",
        ),
        (
            "xml specials",
            "a&b<c>d\"e'f",
            "]]><![CDATA[ & </SignedSystemToken>",
        ),
        (
            "whitespace",
            "  leading and trailing  ",
            "tab\there\r\nnew line",
        ),
        (
            "unicode",
            "Kunde-æøå-日本-😀",
            "token with spaces . and dots",
        ),
    ];
    for (name, context, signed) in values {
        let app = format!("app-token-{name}-&<>");
        let request = build_ticket_request(&TicketRequestParams {
            base_url: "https://sod.superoffice.com",
            transport: Transport::Soap,
            application_token: &app,
            context_identifier: context,
            signed_system_token: signed,
        })
        .unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url,
            "https://sod.superoffice.com/login/services/PartnerSystemUserService.svc"
        );
        let header = |wanted: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(wanted))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("Content-Type"), Some("text/xml; charset=utf-8"));
        assert_eq!(
            header("SOAPAction"),
            Some("\"http://www.superoffice.com/superid/partnersystemuser/0.1/IPartnerSystemUserService/Authenticate\"")
        );

        let doc =
            roxmltree::Document::parse(&request.body).unwrap_or_else(|e| panic!("{name}: {e}"));
        let envelope = doc.root_element();
        assert_name(envelope, SOAP_ENV, "Envelope");
        let parts = element_children(envelope);
        assert_eq!(parts.len(), 2, "{name}: Header and Body");
        assert_name(parts[0], SOAP_ENV, "Header");
        assert_name(parts[1], SOAP_ENV, "Body");

        let headers = element_children(parts[0]);
        assert_eq!(headers.len(), 2);
        assert_name(headers[0], PSU, "ApplicationToken");
        assert_eq!(headers[0].text(), Some(app.as_str()), "{name}");
        assert_name(headers[1], PSU, "ContextIdentifier");
        assert_eq!(headers[1].text(), Some(context), "{name}");

        let body = element_children(parts[1]);
        assert_eq!(body.len(), 1);
        assert_name(body[0], PSU, "AuthenticationRequest");
        let fields = element_children(body[0]);
        assert_eq!(fields.len(), 2);
        assert_name(fields[0], PSU, "SignedSystemToken");
        assert_eq!(fields[0].text(), Some(signed), "{name}");
        assert_name(fields[1], PSU, "ReturnTokenType");
        assert_eq!(fields[1].text(), Some("Jwt"));
    }
}

#[test]
fn rest_body_reads_back_with_serde_json() {
    let request = build_ticket_request(&TicketRequestParams {
        base_url: "https://online.superoffice.com/",
        transport: Transport::Rest,
        application_token: "app\"\\token",
        context_identifier: "Cust1",
        signed_system_token: "t.202611231405.sig==",
    })
    .unwrap();
    assert_eq!(
        request.url,
        "https://online.superoffice.com/Login/api/PartnerSystemUser/Authenticate"
    );
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "SignedSystemToken": "t.202611231405.sig==",
            "ApplicationToken": "app\"\\token",
            "ContextIdentifier": "Cust1",
            "ReturnTokenType": "JWT",
        })
    );
}
