//! PartnerSystemUserService response parsing: SOAP or REST, faults, denials; yields the JWT.
//!
//! Decisions:
//!
//! - Size first: a body over [`http::MAX_RESPONSE_BYTES`] is refused with [`Error::ResponseTooLarge`] before
//!   anything looks at it, whatever the status.
//! - Format: `text/xml`, `application/xml` and `application/soap+xml` are read as SOAP;
//!   `application/json` and `*/*+json` as JSON. With no or another content type, the first
//!   non-whitespace character decides (`<` SOAP, `{` JSON); anything else is not a response we know.
//! - Status: a 2xx response must be well-formed, and its problems are reported as they are
//!   ([`Error::ResponseMalformed`], [`Error::XmlForbidden`]). A non-2xx response is searched only for
//!   an explicit answer: a SOAP fault ([`Error::SoapFault`]) or `IsSuccessful: false`
//!   ([`Error::TicketDenied`]); anything else, including a token, an unparseable or forbidden body
//!   (e.g. a proxy's HTML error page with `<!DOCTYPE html>`), gives [`Error::HttpStatus`]. A SOAP fault
//!   is reported whatever the status, because WCF sends faults with 500 but proxies may not.
//! - SOAP: the envelope may be SOAP 1.1 or 1.2, with any prefixes (names are matched by namespace URI).
//!   The Envelope holds an optional Header (ignored) and exactly one Body; the Body holds exactly one
//!   element, either a Fault or `AuthenticationResponse`. A Fault beside a response is therefore
//!   malformed: both SOAP versions forbid it, and we do not pick one reading of an ambiguous body.
//! - `AuthenticationResponse`: `IsSuccessful` is required and is an `xs:boolean` (`true`, `false`, `1`,
//!   `0`, surrounding XML whitespace allowed). `Token` and `ErrorMessage` may be absent, nil or empty
//!   (all read as absent). Each of the three may appear at most once, may not contain elements or
//!   comments. Their order is not enforced. Other children are ignored, as WCF's own
//!   DataContractSerializer ignores unknown members: a field SuperOffice adds later should not break
//!   every client, and nothing outside the three is ever read.
//! - REST: a strict JSON object; a member name that appears twice is refused (JSON parsers disagree on
//!   which copy wins). Members are read under SuperOffice's PascalCase names and, because ASP.NET's
//!   default serialiser writes camelCase, under camelCase names too; both spellings of one member at
//!   once is malformed. Other members are ignored.
//! - Both: `IsSuccessful` false gives [`Error::ticket_denied`] with the server's message;
//!   `IsSuccessful` true with no token is malformed. The token is returned trimmed.
//! - Errors carry fixed messages; the only text copied from the body is a fault's code and string and a
//!   denial's `ErrorMessage` (truncated by [`Error`]'s constructors).

use super::request::NS_PARTNER;
use crate::error::{Error, Result};
use crate::plumbing::http::{self, HttpResponse};
use crate::plumbing::json::{self, Object, Value};
use crate::plumbing::soap::{open_envelope, parse_soap, read_fault};
use crate::plumbing::xml::{self, Element};

/// Returns the JWT from a successful response, or the error the response describes.
pub fn extract_token(response: &HttpResponse<'_>) -> Result<String> {
    let body = http::body(response)?;
    let outcome = match format(response.content_type, body) {
        Format::Xml => read_soap(body),
        Format::Json => read_json(body),
        Format::Empty => Err(Error::ResponseMalformed("the response body is empty")),
        Format::Unknown => Err(Error::ResponseMalformed(
            "the response is neither SOAP nor JSON",
        )),
    };
    if http::is_success(response.status) {
        return outcome;
    }
    match outcome {
        Err(error @ (Error::SoapFault { .. } | Error::TicketDenied { .. })) => Err(error),
        _ => Err(Error::HttpStatus {
            status: response.status,
        }),
    }
}

enum Format {
    Xml,
    Json,
    Empty,
    Unknown,
}

fn format(content_type: Option<&str>, body: &str) -> Format {
    match http::media_type(content_type).as_str() {
        "text/xml" | "application/xml" | "application/soap+xml" => return Format::Xml,
        "application/json" => return Format::Json,
        t if t.ends_with("+json") => return Format::Json,
        _ => {}
    }
    match body
        .trim_start_matches(xml::is_xml_whitespace)
        .chars()
        .next()
    {
        None => Format::Empty,
        Some('<') => Format::Xml,
        Some('{') => Format::Json,
        Some(_) => Format::Unknown,
    }
}

// ---------------------------------------------------------------------------------------------
// SOAP

fn read_soap(body: &str) -> Result<String> {
    let root = parse_soap(body)?;
    let envelope = open_envelope(&root)?;
    let entry = envelope.entry;
    if entry.is(envelope.soap, "Fault") {
        return Err(read_fault(entry, envelope.soap)?);
    }
    if entry.is(NS_PARTNER, "AuthenticationResponse") {
        return read_authentication_response(entry);
    }
    Err(Error::ResponseMalformed(
        "unexpected element in the SOAP Body",
    ))
}

fn read_authentication_response(response: &Element) -> Result<String> {
    response.ensure_element_only()?;
    let successful = response
        .unique_child(NS_PARTNER, "IsSuccessful")?
        .ok_or(Error::ResponseMalformed("IsSuccessful is missing"))?;
    // IsSuccessful is not nillable in the WSDL.
    if successful.is_nil()? {
        return Err(Error::ResponseMalformed("IsSuccessful is nil"));
    }
    let successful = xml::parse_xs_boolean(successful.leaf_text()?)
        .ok_or(Error::ResponseMalformed("IsSuccessful is not a boolean"))?;
    let token = optional_string(response, "Token")?;
    let message = optional_string(response, "ErrorMessage")?;
    conclude(successful, token, message)
}

/// An optional, nillable `xs:string` child: absent, nil or blank all read as `None`.
fn optional_string<'a>(parent: &'a Element, local: &str) -> Result<Option<&'a str>> {
    let Some(element) = parent.unique_child(NS_PARTNER, local)? else {
        return Ok(None);
    };
    if element.is_nil()? {
        return Ok(None);
    }
    let text = element.leaf_text()?.trim_matches(xml::is_xml_whitespace);
    Ok((!text.is_empty()).then_some(text))
}

fn conclude(successful: bool, token: Option<&str>, message: Option<&str>) -> Result<String> {
    if !successful {
        return Err(Error::ticket_denied(message));
    }
    token.map(str::to_owned).ok_or(Error::ResponseMalformed(
        "the response reports success but carries no token",
    ))
}

// ---------------------------------------------------------------------------------------------
// REST

fn read_json(body: &str) -> Result<String> {
    // Strict parsing: a member named twice (even through an escape such as `\u0053`) is refused,
    // where many JSON parsers would silently keep the last one.
    let object = match json::parse(body.as_bytes()) {
        Some(Value::Object(object)) => object,
        Some(_) => {
            return Err(Error::ResponseMalformed(
                "the JSON response is not an object",
            ))
        }
        None => {
            return Err(Error::ResponseMalformed(
                "the response is not valid JSON, or names a member twice",
            ))
        }
    };
    let object = &object;

    let successful = member(object, "IsSuccessful", "isSuccessful")?
        .ok_or(Error::ResponseMalformed("IsSuccessful is missing"))?
        .as_bool()
        .ok_or(Error::ResponseMalformed("IsSuccessful is not a boolean"))?;
    let token = optional_json_string(object, "Token", "token")?;
    let message = optional_json_string(object, "ErrorMessage", "errorMessage")?;
    conclude(successful, token, message)
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

/// A string-or-null member: absent, null or blank all read as `None`.
fn optional_json_string<'a>(
    object: &'a Object,
    pascal: &str,
    camel: &str,
) -> Result<Option<&'a str>> {
    match member(object, pascal, camel)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            let text = text.trim();
            Ok((!text.is_empty()).then_some(text))
        }
        Some(_) => Err(Error::ResponseMalformed("a JSON member is not a string")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::plumbing::http::MAX_RESPONSE_BYTES;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJTRUNSRVQiOjF9.c2lnbmF0dXJl";
    const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const S12: &str = "http://www.w3.org/2003/05/soap-envelope";
    const P: &str = "http://www.superoffice.com/superid/partnersystemuser/0.1";
    const I: &str = "http://www.w3.org/2001/XMLSchema-instance";
    const XML: Option<&str> = Some("text/xml; charset=utf-8");
    const JSON: Option<&str> = Some("application/json; charset=utf-8");

    /// A SOAP 1.1 envelope around `body`, as WCF writes it.
    fn soap(body: &str) -> String {
        format!(r#"<s:Envelope xmlns:s="{S11}"><s:Body>{body}</s:Body></s:Envelope>"#)
    }

    /// An `AuthenticationResponse` (default namespace, as WCF writes it) around `children`.
    fn auth(children: &str) -> String {
        format!(
            r#"<AuthenticationResponse xmlns="{P}" xmlns:i="{I}">{children}</AuthenticationResponse>"#
        )
    }

    fn wcf_success() -> String {
        soap(&auth(&format!(
            r#"<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token><ErrorMessage i:nil="true"/>"#
        )))
    }

    fn ok_with_token(children: &str) -> String {
        soap(&auth(&format!(
            "<IsSuccessful>true</IsSuccessful>{children}"
        )))
    }

    fn fault11(code: &str, string: &str) -> String {
        soap(&format!(
            r#"<s:Fault><faultcode xmlns:a="urn:a">{code}</faultcode><faultstring xml:lang="en-US">{string}</faultstring></s:Fault>"#
        ))
    }

    fn fault12() -> String {
        format!(
            r#"<env:Envelope xmlns:env="{S12}"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>a:Bad</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Bad request</env:Text><env:Text xml:lang="no">Feil</env:Text></env:Reason><env:Detail/></env:Fault></env:Body></env:Envelope>"#
        )
    }

    fn check(status: u16, content_type: Option<&str>, body: &str, expected: Result<&str, &str>) {
        let result = extract_token(&HttpResponse {
            status,
            content_type,
            body,
        });
        match (&result, expected) {
            (Ok(token), Ok(expected)) => assert_eq!(token, expected),
            (Err(error), Err(code)) => {
                assert_eq!(error.code(), code, "{error}");
                assert!(!error.to_string().contains("SECRET"), "{error}");
                assert!(!error.to_string().contains("eyJ"), "{error}");
            }
            _ => panic!("expected {expected:?}, got {result:?}"),
        }
    }

    /// One line per response: status, content type, body, and the token or error code it must give.
    macro_rules! responses {
        ($($name:ident($status:expr, $content_type:expr, $body:expr) => $expected:expr;)*) => {
            $(
                #[test]
                fn $name() {
                    let body: String = $body.into();
                    check($status, $content_type, &body, $expected);
                }
            )*
        };
    }

    const MALFORMED: Result<&str, &str> = Err("ERR_RESPONSE_MALFORMED");
    const FORBIDDEN: Result<&str, &str> = Err("ERR_XML_FORBIDDEN");
    const FAULT: Result<&str, &str> = Err("ERR_SOAP_FAULT");
    const DENIED: Result<&str, &str> = Err("ERR_TICKET_DENIED");
    const STATUS: Result<&str, &str> = Err("ERR_HTTP_STATUS");
    const TOO_LARGE: Result<&str, &str> = Err("ERR_RESPONSE_TOO_LARGE");

    responses! {
        // SOAP successes.
        soap_wcf_shape(200, XML, wcf_success()) => Ok(TOKEN);
        soap_explicit_prefixes(200, XML, format!(
            r#"<env:Envelope xmlns:env="{S11}"><env:Header/><env:Body><p:AuthenticationResponse xmlns:p="{P}"><p:IsSuccessful>1</p:IsSuccessful><p:Token> {TOKEN}
    </p:Token></p:AuthenticationResponse></env:Body></env:Envelope>"#)) => Ok(TOKEN);
        soap_prefix_declared_on_envelope(200, XML, format!(
            r#"<S:Envelope xmlns:S="{S11}" xmlns:x="{P}"><S:Body><x:AuthenticationResponse><x:IsSuccessful>true</x:IsSuccessful><x:Token>{TOKEN}</x:Token></x:AuthenticationResponse></S:Body></S:Envelope>"#)) => Ok(TOKEN);
        soap_default_namespace_everywhere(200, XML, format!(
            r#"<Envelope xmlns="{S11}"><Body><AuthenticationResponse xmlns="{P}"><IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token></AuthenticationResponse></Body></Envelope>"#)) => Ok(TOKEN);
        soap12_envelope(200, Some("application/soap+xml; charset=utf-8"), format!(
            r#"<e:Envelope xmlns:e="{S12}"><e:Body>{}</e:Body></e:Envelope>"#,
            auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>")))) => Ok(TOKEN);
        soap_declaration_and_bom(200, XML, format!("\u{FEFF}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n{}", wcf_success())) => Ok(TOKEN);
        soap_whitespace_between_elements(200, XML, format!(
            "<s:Envelope xmlns:s=\"{S11}\">\n  <s:Header>\n <x xmlns=\"urn:x\">ignored</x></s:Header>\n  <s:Body>\n    {}\n  </s:Body>\n</s:Envelope>\n",
            auth(&format!("\n <IsSuccessful>\n true \n</IsSuccessful>\n <Token>{TOKEN}</Token>\n")))) => Ok(TOKEN);
        soap_sniffed_without_content_type(200, None, wcf_success()) => Ok(TOKEN);
        soap_sniffed_with_other_content_type(200, Some("text/plain"), format!("  \n{}", wcf_success())) => Ok(TOKEN);
        soap_application_xml(200, Some("application/xml"), wcf_success()) => Ok(TOKEN);
        soap_token_in_cdata(200, XML, ok_with_token(&format!("<Token><![CDATA[{TOKEN}]]></Token>"))) => Ok(TOKEN);
        soap_token_split_by_cdata(200, XML, ok_with_token("<Token>eyJ<![CDATA[abc]]>.def</Token>")) => Ok("eyJabc.def");
        soap_token_with_char_refs(200, XML, ok_with_token("<Token>eyJ&#46;a&#x2E;b</Token>")) => Ok("eyJ.a.b");
        soap_children_reordered(200, XML, soap(&auth(&format!(
            r#"<ErrorMessage i:nil="true"/><Token>{TOKEN}</Token><IsSuccessful>true</IsSuccessful>"#)))) => Ok(TOKEN);
        soap_unknown_child_ignored(200, XML, ok_with_token(&format!(
            "<Token>{TOKEN}</Token><Future>1</Future><x:Token xmlns:x=\"urn:other\">other</x:Token>"))) => Ok(TOKEN);
        soap_nil_false_token(200, XML, ok_with_token(&format!(r#"<Token i:nil="false">{TOKEN}</Token>"#))) => Ok(TOKEN);

        // SOAP denials.
        soap_denied(200, XML, soap(&auth("<IsSuccessful>false</IsSuccessful><Token i:nil=\"true\"/><ErrorMessage>Expired</ErrorMessage>"))) => DENIED;
        soap_denied_zero(200, XML, soap(&auth("<IsSuccessful>0</IsSuccessful>"))) => DENIED;
        soap_denied_ignores_token(200, XML, soap(&auth(&format!("<IsSuccessful>false</IsSuccessful><Token>{TOKEN}</Token>")))) => DENIED;
        soap_denied_with_500(500, XML, soap(&auth("<IsSuccessful>false</IsSuccessful><ErrorMessage>Denied</ErrorMessage>"))) => DENIED;

        // SOAP responses that are not what the service sends.
        soap_nil_token(200, XML, ok_with_token(r#"<Token i:nil="true"/><ErrorMessage i:nil="true"/>"#)) => MALFORMED;
        soap_nil_token_one(200, XML, ok_with_token(r#"<Token i:nil="1"></Token>"#)) => MALFORMED;
        soap_absent_token(200, XML, ok_with_token("")) => MALFORMED;
        soap_empty_token(200, XML, ok_with_token("<Token></Token>")) => MALFORMED;
        soap_blank_token(200, XML, ok_with_token("<Token> \n </Token>")) => MALFORMED;
        soap_nil_token_with_content(200, XML, ok_with_token(&format!(r#"<Token i:nil="true">{TOKEN}</Token>"#))) => MALFORMED;
        soap_bad_nil_value(200, XML, ok_with_token(&format!(r#"<Token i:nil="yes">{TOKEN}</Token>"#))) => MALFORMED;
        soap_is_successful_yes(200, XML, soap(&auth(&format!("<IsSuccessful>yes</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_is_successful_upper(200, XML, soap(&auth(&format!("<IsSuccessful>TRUE</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_is_successful_empty(200, XML, soap(&auth(&format!("<IsSuccessful></IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_is_successful_self_closed(200, XML, soap(&auth(&format!("<IsSuccessful/><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_is_successful_nbsp(200, XML, soap(&auth(&format!("<IsSuccessful>\u{A0}true</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_is_successful_nil(200, XML, soap(&auth(&format!(r#"<IsSuccessful i:nil="true"/><Token>{TOKEN}</Token>"#)))) => MALFORMED;
        soap_is_successful_missing(200, XML, soap(&auth(&format!("<Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_is_successful_twice(200, XML, soap(&auth(&format!("<IsSuccessful>false</IsSuccessful><IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_two_tokens(200, XML, ok_with_token(&format!("<Token>{TOKEN}</Token><Token>eyJother</Token>"))) => MALFORMED;
        soap_two_error_messages(200, XML, ok_with_token(&format!("<Token>{TOKEN}</Token><ErrorMessage/><ErrorMessage/>"))) => MALFORMED;
        soap_token_split_by_comment(200, XML, ok_with_token("<Token>eyJ<!-- x -->abc</Token>")) => MALFORMED;
        soap_token_with_leading_comment(200, XML, ok_with_token(&format!("<Token><!-- x -->{TOKEN}</Token>"))) => MALFORMED;
        soap_token_with_child(200, XML, ok_with_token(&format!("<Token>{TOKEN}<b/></Token>"))) => MALFORMED;
        soap_is_successful_split_by_comment(200, XML, soap(&auth(&format!("<IsSuccessful>tr<!---->ue</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_wrong_envelope_namespace(200, XML, format!(
            r#"<s:Envelope xmlns:s="urn:evil"><s:Body>{}</s:Body></s:Envelope>"#,
            auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_wrong_response_namespace(200, XML, soap(&format!(
            r#"<p:AuthenticationResponse xmlns:p="urn:evil"><p:IsSuccessful>true</p:IsSuccessful><p:Token>{TOKEN}</p:Token></p:AuthenticationResponse>"#))) => MALFORMED;
        soap_wrong_token_namespace(200, XML, soap(&format!(
            r#"<p:AuthenticationResponse xmlns:p="{P}"><p:IsSuccessful>true</p:IsSuccessful><p:Token xmlns:p="urn:evil">{TOKEN}</p:Token></p:AuthenticationResponse>"#))) => MALFORMED;
        soap_unqualified_children(200, XML, soap(&format!(
            r#"<p:AuthenticationResponse xmlns:p="{P}"><IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token></p:AuthenticationResponse>"#))) => MALFORMED;
        soap_mixed_versions(200, XML, format!(
            r#"<s:Envelope xmlns:s="{S11}"><e:Body xmlns:e="{S12}">{}</e:Body></s:Envelope>"#,
            auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_two_responses(200, XML, soap(&format!("{0}{0}", auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>"))))) => MALFORMED;
        soap_empty_body(200, XML, soap("")) => MALFORMED;
        soap_unknown_body_entry(200, XML, soap("<x xmlns=\"urn:x\"/>")) => MALFORMED;
        soap_text_in_body(200, XML, soap(&format!("junk{}", auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>"))))) => MALFORMED;
        soap_text_in_response(200, XML, soap(&auth(&format!("junk<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_no_body(200, XML, format!(r#"<s:Envelope xmlns:s="{S11}"><s:Header/></s:Envelope>"#)) => MALFORMED;
        soap_two_bodies(200, XML, format!(r#"<s:Envelope xmlns:s="{S11}"><s:Body/><s:Body/></s:Envelope>"#)) => MALFORMED;
        soap_header_after_body(200, XML, format!(r#"<s:Envelope xmlns:s="{S11}"><s:Body>{}</s:Body><s:Header/></s:Envelope>"#,
            auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>")))) => MALFORMED;
        soap_fault_beside_token(200, XML, soap(&format!("{}<s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>",
            auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>"))))) => MALFORMED;
        soap_fault_before_token(500, XML, soap(&format!("<s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault>{}",
            auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>"))))) => STATUS;
        soap_truncated(200, XML, { let full = wcf_success(); full[..full.len() - 20].to_owned() }) => MALFORMED;
        soap_two_roots(200, XML, format!("{0}{0}", wcf_success())) => MALFORMED;
        soap_utf16_declaration(200, XML, format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>{}", wcf_success())) => MALFORMED;
        soap_not_soap(200, Some("text/html"), "<html><body>hello</body></html>") => MALFORMED;
        // 80 000 open tags fit under the size cap; the depth cap must stop them (xml.rs tests 100 000).
        soap_deep_nesting(200, XML, soap(&"<a>".repeat(80_000))) => MALFORMED;
        // 100 000 levels with end tags (700 KB) are over the size cap, which comes first.
        soap_deep_100_000(200, XML, soap(&format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000)))) => TOO_LARGE;
        soap_many_elements(200, XML, soap(&auth(&format!("<IsSuccessful>true</IsSuccessful><Token>{TOKEN}</Token>{}", "<x/>".repeat(20_000))))) => MALFORMED;
        xml_content_type_with_json_body(200, XML, format!(r#"{{"IsSuccessful":true,"Token":"{TOKEN}"}}"#)) => MALFORMED;

        // Forbidden XML.
        soap_billion_laughs(200, XML, format!(
            "<?xml version=\"1.0\"?><!DOCTYPE s:Envelope [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>{}",
            ok_with_token("<Token>&c;</Token>"))) => FORBIDDEN;
        soap_xxe(200, XML, format!("<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>{}", ok_with_token("<Token>&xxe;</Token>"))) => FORBIDDEN;
        soap_external_dtd(200, XML, format!("<!DOCTYPE s:Envelope SYSTEM \"http://evil.example/x.dtd\">{}", wcf_success())) => FORBIDDEN;
        soap_unknown_entity(200, XML, ok_with_token("<Token>&token;</Token>")) => FORBIDDEN;
        soap_unknown_entity_in_attribute(200, XML, ok_with_token(&format!(r#"<Token i:nil="&t;">{TOKEN}</Token>"#))) => FORBIDDEN;

        // SOAP faults, whatever the status.
        soap11_fault_500(500, XML, fault11("a:InvalidSecurity", "An error occurred when verifying security.")) => FAULT;
        soap11_fault_200(200, XML, fault11("s:Client", "x")) => FAULT;
        soap11_fault_sniffed(500, None, fault11("s:Client", "x")) => FAULT;
        soap12_fault(500, Some("application/soap+xml"), fault12()) => FAULT;
        soap11_fault_without_string(200, XML, soap("<s:Fault><faultcode>s:Client</faultcode></s:Fault>")) => MALFORMED;
        soap11_fault_without_string_500(500, XML, soap("<s:Fault><faultcode>s:Client</faultcode></s:Fault>")) => STATUS;
        soap11_fault_qualified_children(200, XML, soap("<s:Fault><s:faultcode>s:Client</s:faultcode><s:faultstring>x</s:faultstring></s:Fault>")) => MALFORMED;
        soap11_fault_two_codes(200, XML, soap("<s:Fault><faultcode>a</faultcode><faultcode>b</faultcode><faultstring>x</faultstring></s:Fault>")) => MALFORMED;
        soap12_fault_without_reason(200, XML, format!(r#"<e:Envelope xmlns:e="{S12}"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value></e:Code></e:Fault></e:Body></e:Envelope>"#)) => MALFORMED;

        // Status handling.
        status_500_empty(500, XML, "") => STATUS;
        status_200_empty(200, XML, "") => MALFORMED;
        status_200_blank(200, None, " \r\n") => MALFORMED;
        status_502_html_doctype(502, Some("text/html"), "<!DOCTYPE html><html><body>Bad gateway</body></html>") => STATUS;
        status_503_plain(503, Some("text/plain"), "Service Unavailable") => STATUS;
        status_200_plain(200, Some("text/plain"), "hello") => MALFORMED;
        status_500_token(500, XML, wcf_success()) => STATUS;
        status_500_forbidden(500, XML, format!("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>{}", wcf_success())) => STATUS;
        status_302(302, None, "") => STATUS;
        status_204(204, None, "") => MALFORMED;

        // Size.
        too_large_50_mb(200, XML, " ".repeat(50 * 1024 * 1024)) => TOO_LARGE;
        too_large_by_one(200, XML, format!("{}{}", wcf_success(), " ".repeat(MAX_RESPONSE_BYTES + 1 - wcf_success().len()))) => TOO_LARGE;
        largest_accepted(200, XML, format!("{}{}", wcf_success(), " ".repeat(MAX_RESPONSE_BYTES - wcf_success().len()))) => Ok(TOKEN);
        too_large_even_on_error(500, XML, " ".repeat(MAX_RESPONSE_BYTES + 1)) => TOO_LARGE;

        // REST.
        rest_success(200, JSON, format!(r#"{{"IsSuccessful":true,"Token":"{TOKEN}","ErrorMessage":null}}"#)) => Ok(TOKEN);
        rest_success_camel_case(200, JSON, format!(r#"{{"isSuccessful":true,"token":"{TOKEN}","errorMessage":null}}"#)) => Ok(TOKEN);
        rest_success_sniffed(200, None, format!(" \n{{\"IsSuccessful\": true, \"Token\": \" {TOKEN} \"}}")) => Ok(TOKEN);
        rest_success_bom(200, JSON, format!("\u{FEFF}{{\"IsSuccessful\":true,\"Token\":\"{TOKEN}\"}}")) => Ok(TOKEN);
        rest_success_unknown_members(200, JSON, format!(
            r#"{{"Extra":{{"a":1,"b":[2,{{"}}":"{{"}}]}},"IsSuccessful":true,"Note":"}},\"IsSuccessful\":false","Token":"{TOKEN}"}}"#)) => Ok(TOKEN);
        rest_nested_duplicate(200, JSON, format!(r#"{{"Extra":{{"a":1,"a":2}},"IsSuccessful":true,"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_denied(200, JSON, r#"{"IsSuccessful":false,"Token":null,"ErrorMessage":"InvalidSignature"}"#) => DENIED;
        rest_denied_400(400, JSON, r#"{"IsSuccessful":false,"ErrorMessage":"InvalidTimestamp"}"#) => DENIED;
        rest_denied_without_message(401, JSON, r#"{"IsSuccessful":false}"#) => DENIED;
        rest_400_problem_json(400, Some("application/problem+json"), r#"{"title":"Bad Request","status":400}"#) => STATUS;
        rest_401_garbage(401, JSON, "Unauthorized") => STATUS;
        rest_500_truncated(500, JSON, r#"{"IsSuccessful":false"#) => STATUS;
        rest_500_success(500, JSON, format!(r#"{{"IsSuccessful":true,"Token":"{TOKEN}"}}"#)) => STATUS;
        rest_garbage(200, JSON, "{") => MALFORMED;
        rest_not_json(200, JSON, "IsSuccessful=true") => MALFORMED;
        rest_array(200, JSON, format!(r#"[{{"IsSuccessful":true,"Token":"{TOKEN}"}}]"#)) => MALFORMED;
        rest_null(200, JSON, "null") => MALFORMED;
        rest_trailing_garbage(200, JSON, format!(r#"{{"IsSuccessful":true,"Token":"{TOKEN}"}} x"#)) => MALFORMED;
        rest_two_objects(200, JSON, format!(r#"{{"IsSuccessful":true,"Token":"{TOKEN}"}}{{}}"#)) => MALFORMED;
        rest_duplicate_is_successful(200, JSON, format!(r#"{{"IsSuccessful":false,"IsSuccessful":true,"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_duplicate_token(200, JSON, format!(r#"{{"IsSuccessful":true,"Token":"{TOKEN}","Token":"eyJx"}}"#)) => MALFORMED;
        rest_duplicate_by_escape(200, JSON, format!(r#"{{"IsSuccessful":false,"Is\u0053uccessful":true,"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_both_spellings(200, JSON, format!(r#"{{"IsSuccessful":true,"isSuccessful":false,"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_is_successful_string(200, JSON, format!(r#"{{"IsSuccessful":"true","Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_is_successful_number(200, JSON, format!(r#"{{"IsSuccessful":1,"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_is_successful_missing(200, JSON, format!(r#"{{"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_other_casing(200, JSON, format!(r#"{{"issuccessful":true,"Token":"{TOKEN}"}}"#)) => MALFORMED;
        rest_token_null(200, JSON, r#"{"IsSuccessful":true,"Token":null}"#) => MALFORMED;
        rest_token_empty(200, JSON, r#"{"IsSuccessful":true,"Token":"  "}"#) => MALFORMED;
        rest_token_number(200, JSON, r#"{"IsSuccessful":true,"Token":5}"#) => MALFORMED;
        rest_message_object(200, JSON, r#"{"IsSuccessful":false,"ErrorMessage":{}}"#) => MALFORMED;
        rest_deep_nesting(200, JSON, format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))) => MALFORMED;
        json_content_type_with_xml_body(200, JSON, wcf_success()) => MALFORMED;
    }

    fn extract(status: u16, body: &str) -> Error {
        extract_token(&HttpResponse {
            status,
            content_type: None,
            body,
        })
        .unwrap_err()
    }

    #[test]
    fn soap11_fault_fields() {
        let error = extract(500, &fault11(" a:InvalidSecurity ", "Bad &amp; worse"));
        assert_eq!(error, Error::soap_fault("a:InvalidSecurity", "Bad & worse"));
    }

    #[test]
    fn soap12_fault_fields() {
        assert_eq!(
            extract(500, &fault12()),
            Error::soap_fault("env:Sender", "Bad request")
        );
    }

    #[test]
    fn denial_reasons() {
        let soap_denial = |message: &str| {
            extract(200, &soap(&auth(&format!("<IsSuccessful>false</IsSuccessful><Token i:nil=\"true\"/><ErrorMessage>{message}</ErrorMessage>"))))
        };
        let rest_denial = |message: &str| {
            extract(
                200,
                &serde_json::json!({
                    "IsSuccessful": false,
                    "Token": null,
                    "ErrorMessage": message,
                })
                .to_string(),
            )
        };
        for denial in [soap_denial, rest_denial] {
            let error = denial(" InvalidSignature: the signature did not verify ");
            let Error::TicketDenied {
                server_message,
                reason,
            } = error
            else {
                panic!("{error:?}")
            };
            assert_eq!(
                server_message.as_deref(),
                Some("InvalidSignature: the signature did not verify")
            );
            assert_eq!(reason, Some("InvalidSignature"));
            let error = denial("InvalidTimestamp");
            assert!(matches!(
                error,
                Error::TicketDenied {
                    reason: Some("InvalidTimestamp"),
                    ..
                }
            ));
            let error = denial("something else");
            assert!(matches!(error, Error::TicketDenied { reason: None, .. }));
        }
        let error = extract(
            200,
            &soap(&auth(
                r#"<IsSuccessful>false</IsSuccessful><ErrorMessage i:nil="true"/>"#,
            )),
        );
        assert_eq!(error, Error::ticket_denied(None));
        let error = extract(200, r#"{"IsSuccessful":false,"ErrorMessage":"   "}"#);
        assert_eq!(error, Error::ticket_denied(None));
    }

    #[test]
    fn status_is_reported() {
        assert_eq!(
            extract(503, "Service Unavailable"),
            Error::HttpStatus { status: 503 }
        );
    }

    #[test]
    fn oversized_body_is_refused_before_parsing() {
        // Would be a deep-nesting bomb if parsed; the size check must come first and be quick.
        let body = "<a>".repeat(20 * 1024 * 1024);
        let start = std::time::Instant::now();
        assert_eq!(
            extract(200, &body),
            Error::ResponseTooLarge {
                limit: MAX_RESPONSE_BYTES
            }
        );
        assert!(start.elapsed() < std::time::Duration::from_millis(100));
    }
}
