//! The agent request: a SOAP 1.1 document/literal envelope with the WSDL's three request headers.
//!
//! Decisions:
//!
//! - `netserver_url` is the ticket's `netserver_url` claim: an absolute `https://` URL (plain `http://`
//!   for loopback only, as for every base URL) whose last path segment is `Services84` to
//!   `Services88` (ASCII case ignored, as IIS does). The namespace and SOAPAction use that version; a
//!   URL naming no version, or another one, is refused rather than guessed.
//! - Agent and method names are .NET identifiers. An agent name ending in `Agent` (`ContactAgent`, the
//!   .NET class) is refused with a hint: the endpoint is `Contact.svc`.
//! - Parameters are a JSON object (the JS layer turns a `Date` into its ISO 8601 UTC string first),
//!   written in the caller's order, every name checked to be an XML NCName and every value escaped:
//!   strings as text, numbers as JSON writes them (an `xs:int`/`xs:double` lexical form), booleans as
//!   `true`/`false`, `null` as `xsi:nil="true"`, objects as nested elements. Arrays:
//!   only strings or only 32-bit integers are a plain array, one element holding `string`/`int` items
//!   in the Serialization/Arrays namespace (`int[]`, `string[]` parameters); only objects are repeated
//!   elements named after the key, which is how `{ Phones: { EntityElement: [a, b] } }` writes
//!   `<Phones><EntityElement>a</EntityElement><EntityElement>b</EntityElement></Phones>`, the same
//!   shape [`super::parse_agent_response`] reads repeated elements into. An empty array is an empty
//!   element. Anything else (mixed items, booleans, nested arrays) is refused: its XML form would be a
//!   guess.
//! - Nesting is capped at [`MAX_PARAMETER_DEPTH`] so that the envelope stays within what our own
//!   reader (and a sane server) accepts, and the writer cannot recurse without bound.
//! - Error messages name the argument or the rule, never a value.

use super::names::{namespace, NS_ARRAYS, VERSIONS};
use crate::error::{Error, Result};
use crate::plumbing::http::HttpRequest;
use crate::plumbing::soap::NS_SOAP11;
use crate::plumbing::xml::{self, NS_XSI};
use serde_json::{Map, Value};

/// Deepest parameter nesting accepted (the method element is level 1).
pub const MAX_PARAMETER_DEPTH: usize = 32;

/// The optional `TimeZone` request header; at least one field when given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone<'a> {
    pub so_time_zone_id: Option<i32>,
    pub so_time_zone_location_code: Option<&'a str>,
}

pub struct AgentRequestParams<'a> {
    /// The ticket's `netserver_url` claim, e.g. `https://sod.superoffice.com/Cust12345/Remote/Services88/`.
    pub netserver_url: &'a str,
    /// `Associate`, `Contact`, ... (the endpoint is `{agent}.svc`).
    pub agent: &'a str,
    /// `GetAssociate`, ...
    pub method: &'a str,
    pub parameters: &'a Map<String, Value>,
    /// The `7T:` ticket (or an `8A:` access token for a user context).
    pub ticket: &'a str,
    pub application_token: &'a str,
    pub time_zone: Option<TimeZone<'a>>,
}

pub fn build_agent_request(params: &AgentRequestParams<'_>) -> Result<HttpRequest> {
    let (base, version) = check_netserver_url(params.netserver_url)?;
    super::names::check_agent_and_method(params.agent, params.method)?;
    let ticket = escape_credential(
        params.ticket,
        "ticket is empty",
        "ticket contains a character that cannot be sent",
    )?;
    let application_token = escape_credential(
        params.application_token,
        "application token is empty",
        "application token contains a character that cannot be sent",
    )?;
    let ns = namespace(version);

    let mut body = String::with_capacity(1024);
    body.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
    body.push_str(&format!(
        r#"<s:Envelope xmlns:s="{NS_SOAP11}" xmlns:ns="{ns}" xmlns:i="{NS_XSI}"><s:Header>"#
    ));
    body.push_str(&format!(
        "<ns:ApplicationToken>{application_token}</ns:ApplicationToken>"
    ));
    body.push_str(&format!(
        "<ns:Credentials><ns:Ticket>{ticket}</ns:Ticket></ns:Credentials>"
    ));
    if let Some(time_zone) = params.time_zone {
        write_time_zone(&mut body, time_zone)?;
    }
    body.push_str("</s:Header><s:Body>");
    let method = params.method;
    body.push_str(&format!("<ns:{method}>"));
    write_members(&mut body, params.parameters, 2)?;
    body.push_str(&format!("</ns:{method}></s:Body></s:Envelope>"));

    Ok(HttpRequest {
        url: format!("{base}/{}.svc", params.agent),
        method: "POST",
        headers: vec![
            ("Content-Type", "text/xml; charset=utf-8".to_owned()),
            ("SOAPAction", format!("\"{ns}/{}/{method}\"", params.agent)),
            ("Accept", "text/xml".to_owned()),
        ],
        body,
    })
}

/// The URL without trailing slashes, and the NetServer version its last segment names.
fn check_netserver_url(url: &str) -> Result<(&str, u8)> {
    const NO_VERSION: Error = Error::InvalidArgument(
        "netserverUrl must end in /Services84/ to /Services88/ (the ticket's netserver_url claim)",
    );
    let (base, segment) = super::names::base_and_last_segment(
        url,
        "netserverUrl must be an absolute https:// URL without user info, query or fragment",
    )?;
    let digits = segment
        .get(..8)
        .filter(|prefix| prefix.eq_ignore_ascii_case("Services"))
        .and_then(|_| segment.get(8..))
        .ok_or(NO_VERSION)?;
    if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NO_VERSION);
    }
    let version = digits.parse::<u8>().map_err(|_| NO_VERSION)?;
    if !VERSIONS.contains(&version) {
        return Err(NO_VERSION);
    }
    Ok((base, version))
}

fn escape_credential(value: &str, empty: &'static str, bad: &'static str) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument(empty));
    }
    xml::escape(value).ok_or(Error::InvalidArgument(bad))
}

fn write_time_zone(out: &mut String, time_zone: TimeZone<'_>) -> Result<()> {
    if time_zone.so_time_zone_id.is_none() && time_zone.so_time_zone_location_code.is_none() {
        return Err(Error::InvalidArgument(
            "timeZone needs SoTimeZoneId or SoTimeZoneLocationCode",
        ));
    }
    out.push_str("<ns:TimeZone>");
    if let Some(id) = time_zone.so_time_zone_id {
        out.push_str(&format!("<ns:SoTimeZoneId>{id}</ns:SoTimeZoneId>"));
    }
    if let Some(code) = time_zone.so_time_zone_location_code {
        let code = xml::escape(code).ok_or(Error::InvalidArgument(
            "timeZone SoTimeZoneLocationCode contains a character that cannot be sent",
        ))?;
        out.push_str(&format!(
            "<ns:SoTimeZoneLocationCode>{code}</ns:SoTimeZoneLocationCode>"
        ));
    }
    out.push_str("</ns:TimeZone>");
    Ok(())
}

fn write_members(out: &mut String, members: &Map<String, Value>, depth: usize) -> Result<()> {
    for (name, value) in members {
        if !is_ncname(name) {
            return Err(Error::InvalidArgument(
                "a parameter name is not an XML name",
            ));
        }
        match value {
            Value::Array(items) => write_array(out, name, items, depth)?,
            value => write_element(out, name, value, depth)?,
        }
    }
    Ok(())
}

fn write_element(out: &mut String, name: &str, value: &Value, depth: usize) -> Result<()> {
    if depth > MAX_PARAMETER_DEPTH {
        return Err(Error::InvalidArgument("parameters are nested too deeply"));
    }
    match value {
        Value::Null => out.push_str(&format!(r#"<ns:{name} i:nil="true"/>"#)),
        Value::Bool(b) => out.push_str(&format!("<ns:{name}>{b}</ns:{name}>")),
        Value::Number(n) => out.push_str(&format!("<ns:{name}>{n}</ns:{name}>")),
        Value::String(text) => {
            let text = xml::escape(text).ok_or(Error::InvalidArgument(
                "a parameter value contains a character that cannot be sent",
            ))?;
            out.push_str(&format!("<ns:{name}>{text}</ns:{name}>"));
        }
        Value::Object(members) => {
            out.push_str(&format!("<ns:{name}>"));
            write_members(out, members, depth + 1)?;
            out.push_str(&format!("</ns:{name}>"));
        }
        Value::Array(_) => {
            return Err(Error::InvalidArgument(
                "an array parameter may not hold arrays",
            ))
        }
    }
    Ok(())
}

fn write_array(out: &mut String, name: &str, items: &[Value], depth: usize) -> Result<()> {
    if depth > MAX_PARAMETER_DEPTH {
        return Err(Error::InvalidArgument("parameters are nested too deeply"));
    }
    if items.is_empty() {
        out.push_str(&format!("<ns:{name}/>"));
    } else if items.iter().all(Value::is_string) {
        out.push_str(&format!(r#"<ns:{name} xmlns:a="{NS_ARRAYS}">"#));
        for item in items {
            let text = item
                .as_str()
                .and_then(xml::escape)
                .ok_or(Error::InvalidArgument(
                    "a parameter value contains a character that cannot be sent",
                ))?;
            out.push_str(&format!("<a:string>{text}</a:string>"));
        }
        out.push_str(&format!("</ns:{name}>"));
    } else if items.iter().all(Value::is_number) {
        out.push_str(&format!(r#"<ns:{name} xmlns:a="{NS_ARRAYS}">"#));
        for item in items {
            let n =
                item.as_i64()
                    .and_then(|n| i32::try_from(n).ok())
                    .ok_or(Error::InvalidArgument(
                        "a plain number array holds 32-bit integers only (sent as int[])",
                    ))?;
            out.push_str(&format!("<a:int>{n}</a:int>"));
        }
        out.push_str(&format!("</ns:{name}>"));
    } else if items.iter().all(Value::is_object) {
        for item in items {
            write_element(out, name, item, depth)?;
        }
    } else {
        return Err(Error::InvalidArgument(
            "an array parameter must hold only strings, only integers or only objects",
        ));
    }
    Ok(())
}

/// An XML NCName (a Name without colons), by the XML 1.0 fifth edition's character classes.
fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if is_name_start(c))
        && chars.all(|c| is_name_start(c) || is_name_rest(c))
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_rest(c: char) -> bool {
    matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}
