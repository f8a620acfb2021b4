//! PartnerSystemUserService response parsing: SOAP or REST, faults, denials; yields the JWT.
//!
//! Decisions:
//!
//! - Size first: a body over [`MAX_RESPONSE_BYTES`] is refused with [`Error::ResponseTooLarge`] before
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

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::request::{NS_PARTNER, NS_SOAP11, NS_SOAP12};
use crate::xml::{self, Element};

pub struct HttpResponse<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a str,
}

/// Largest body accepted (bytes).
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// Returns the JWT from a successful response, or the error the response describes.
pub fn extract_token(response: &HttpResponse<'_>) -> Result<String> {
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    let body = response
        .body
        .strip_prefix('\u{FEFF}')
        .unwrap_or(response.body);
    let outcome = match format(response.content_type, body) {
        Format::Xml => read_soap(body),
        Format::Json => read_json(body),
        Format::Empty => Err(Error::ResponseMalformed("the response body is empty")),
        Format::Unknown => Err(Error::ResponseMalformed(
            "the response is neither SOAP nor JSON",
        )),
    };
    if (200..300).contains(&response.status) {
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
    let media_type = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media_type.as_str() {
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
    if body.trim_matches(xml::is_xml_whitespace).is_empty() {
        return Err(Error::ResponseMalformed("the response body is empty"));
    }
    let envelope = xml::parse(body)?;
    let soap = if envelope.is(NS_SOAP11, "Envelope") {
        NS_SOAP11
    } else if envelope.is(NS_SOAP12, "Envelope") {
        NS_SOAP12
    } else {
        return Err(Error::ResponseMalformed(
            "the response is not a SOAP envelope",
        ));
    };
    envelope.ensure_element_only()?;

    let mut soap_body = None;
    let mut header_seen = false;
    for child in &envelope.children {
        if child.is(soap, "Header") && !header_seen && soap_body.is_none() {
            header_seen = true;
        } else if child.is(soap, "Body") && soap_body.is_none() {
            soap_body = Some(child);
        } else {
            return Err(Error::ResponseMalformed(
                "unexpected element in the SOAP envelope",
            ));
        }
    }
    let soap_body = soap_body.ok_or(Error::ResponseMalformed("the SOAP envelope has no Body"))?;
    soap_body.ensure_element_only()?;

    let [entry] = soap_body.children.as_slice() else {
        return Err(Error::ResponseMalformed(
            "the SOAP Body must hold exactly one element",
        ));
    };
    if entry.is(soap, "Fault") {
        let (code, string) = if soap == NS_SOAP11 {
            read_fault_11(entry)?
        } else {
            read_fault_12(entry)?
        };
        return Err(Error::soap_fault(code, string));
    }
    if entry.is(NS_PARTNER, "AuthenticationResponse") {
        return read_authentication_response(entry);
    }
    Err(Error::ResponseMalformed(
        "unexpected element in the SOAP Body",
    ))
}

/// SOAP 1.1: unqualified `faultcode` and `faultstring`, both required.
fn read_fault_11(fault: &Element) -> Result<(&str, &str)> {
    fault.ensure_element_only()?;
    let code = required_leaf(fault, "", "faultcode")?;
    let string = required_leaf(fault, "", "faultstring")?;
    Ok((code.trim_matches(xml::is_xml_whitespace), string))
}

/// SOAP 1.2: `Code/Value` and the first `Reason/Text`, all required.
fn read_fault_12(fault: &Element) -> Result<(&str, &str)> {
    let soap = NS_SOAP12;
    fault.ensure_element_only()?;
    let code = fault
        .unique_child(soap, "Code")?
        .ok_or(Error::ResponseMalformed("the SOAP fault has no Code"))?;
    code.ensure_element_only()?;
    let value = required_leaf(code, soap, "Value")?;
    let reason = fault
        .unique_child(soap, "Reason")?
        .ok_or(Error::ResponseMalformed("the SOAP fault has no Reason"))?;
    reason.ensure_element_only()?;
    let text = reason
        .children_named(soap, "Text")
        .next()
        .ok_or(Error::ResponseMalformed(
            "the SOAP fault has no Reason text",
        ))?
        .leaf_text()?;
    Ok((value.trim_matches(xml::is_xml_whitespace), text))
}

fn required_leaf<'a>(parent: &'a Element, ns: &str, local: &str) -> Result<&'a str> {
    parent
        .unique_child(ns, local)?
        .ok_or(Error::ResponseMalformed(
            "the SOAP fault lacks a required element",
        ))?
        .leaf_text()
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
    let value: Value = serde_json::from_str(body)
        .map_err(|_| Error::ResponseMalformed("the response is not valid JSON"))?;
    let object = value.as_object().ok_or(Error::ResponseMalformed(
        "the JSON response is not an object",
    ))?;
    let names = top_level_member_names(body)
        .ok_or(Error::ResponseMalformed("the response is not valid JSON"))?;
    for (i, name) in names.iter().enumerate() {
        if names.iter().skip(i + 1).any(|other| other == name) {
            return Err(Error::ResponseMalformed(
                "a JSON member appears more than once",
            ));
        }
    }

    let successful = member(object, "IsSuccessful", "isSuccessful")?
        .ok_or(Error::ResponseMalformed("IsSuccessful is missing"))?
        .as_bool()
        .ok_or(Error::ResponseMalformed("IsSuccessful is not a boolean"))?;
    let token = optional_json_string(object, "Token", "token")?;
    let message = optional_json_string(object, "ErrorMessage", "errorMessage")?;
    conclude(successful, token, message)
}

/// A member under its PascalCase or camelCase name; both at once is ambiguous.
fn member<'a>(
    object: &'a Map<String, Value>,
    pascal: &str,
    camel: &str,
) -> Result<Option<&'a Value>> {
    match (object.get(pascal), object.get(camel)) {
        (Some(_), Some(_)) => Err(Error::ResponseMalformed(
            "a JSON member appears under two spellings",
        )),
        (value, None) | (None, value) => Ok(value),
    }
}

/// A string-or-null member: absent, null or blank all read as `None`.
fn optional_json_string<'a>(
    object: &'a Map<String, Value>,
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

/// The decoded member names of a JSON object, in order, duplicates kept (`serde_json`'s map keeps only
/// the last). Only called on text `serde_json` has already accepted, so it need not report where
/// the text is wrong, only refuse to go on (`None`).
fn top_level_member_names(json: &str) -> Option<Vec<String>> {
    let bytes = json.as_bytes();
    let mut names = Vec::new();
    let mut i = skip_json_whitespace(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_json_whitespace(bytes, i);
        match bytes.get(i)? {
            b'}' => return Some(names),
            b',' => i += 1,
            b'"' => {
                let end = json_string_end(bytes, i)?;
                names.push(serde_json::from_str::<String>(json.get(i..=end)?).ok()?);
                i = skip_json_whitespace(bytes, end + 1);
                if bytes.get(i) != Some(&b':') {
                    return None;
                }
                i = skip_json_value(bytes, i + 1)?;
            }
            _ => return None,
        }
    }
}

fn skip_json_whitespace(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Index of the quote closing the string whose opening quote is at `start`.
fn json_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
}

/// Index of the `,` or `}` that ends the member value starting at `i`.
fn skip_json_value(bytes: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match bytes.get(i)? {
            b'"' => {
                i = json_string_end(bytes, i)?;
            }
            b'{' | b'[' => depth += 1,
            b',' | b'}' if depth == 0 => return Some(i),
            b'}' | b']' => depth = depth.checked_sub(1)?,
            _ => {}
        }
        i += 1;
    }
}
