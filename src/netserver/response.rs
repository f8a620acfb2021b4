//! The agent response: `{Method}Response/Response` as a plain JSON value, the `Succeeded` and
//! `ExtraInfo` headers, and `ExceptionInfo` as an error.
//!
//! Decisions:
//!
//! - Hardening as for ticket responses (`crate::ticket::response`): the size cap first, whatever the status;
//!   then the same hardened XML reader (no DOCTYPE, no entities, depth, element and attribute caps)
//!   and the same envelope rules (SOAP 1.1 or 1.2, names matched by namespace URI, an optional Header
//!   first, exactly one element in the Body). Agent responses are SOAP only: a JSON body is malformed.
//! - Status: 401 and 403 are [`Error::TicketRejected`] before the body is looked at (REST answers a
//!   dead ticket with 401, and a proxy in front of NetServer may too). A 2xx response must be
//!   well-formed. A non-2xx response is searched only for an explicit answer (`ExceptionInfo`, a SOAP
//!   fault); anything else, including a well-formed result, is [`Error::HttpStatus`].
//! - `ExceptionInfo` (not nil) wins over everything else in the envelope, a Fault included: it is
//!   NetServer's own account of the failure. Its `ExceptionType`, `FriendlyText` and `Message` are
//!   kept (trimmed, truncated, credentials redacted by [`Error`]'s constructors); `StackTrace`,
//!   `Source` and `Parameters` never leave this module. It is [`Error::TicketRejected`] when the type
//!   of it or of its `InnerException` is exactly one of NetServer's authentication exception types
//!   ([`TICKET_REJECTION_TYPES`], each with its source); otherwise [`Error::NetServerException`],
//!   which the client does not retry. Messages are never read for this.
//! - `Succeeded` false without `ExceptionInfo` is [`Error::NetServerException`] with no details.
//!   `Succeeded` absent or nil reads as true.
//! - The NetServer namespace is any of Services84 to Services88, and the response element and every
//!   NetServer header must agree on one. Header elements of other namespaces are ignored (SOAP allows
//!   any); each NetServer header may appear once.
//! - The Body holds `{method}Response` (the caller names the method, so a response to another call is
//!   malformed). Its `Response` child may appear once; absent, nil or empty (as void methods answer)
//!   it reads as `null`. Other children are ignored, as WCF ignores unknown members.
//! - A `Response` element becomes JSON as `super::lists` reads it: when the caller names the agent
//!   and the method is in the table drawn from SuperOffice's WSDLs, list-typed results and members are
//!   arrays whether they hold one item or many (a dictionary a list of Key/Value pairs); otherwise an element with
//!   `xsi:nil` true is `null`, one without child elements its text as a string (untrimmed; numbers and
//!   booleans stay strings, since only the WSDL knows their type), one with child elements an object
//!   keyed by local name in which a name that repeats becomes an array, so that a single item of a
//!   list not in the table reads as an object. Attributes other than `xsi:nil` are ignored.
//! - Elements (and `ExtraInfo` keys) named `__proto__`, `constructor` or `prototype` are dropped, as
//!   [`crate::plumbing::json`] drops such members: the result becomes a JS object a caller may merge.
//! - `ExtraInfo` is read as items with `Key` and `Value` children (NetServer's string dictionary) into
//!   an object; a key given twice is malformed.

use super::lists;
use super::names::{is_identifier, namespace_version};
use crate::error::{Error, Result};
use crate::plumbing::http::{self, HttpResponse};
use crate::plumbing::json;
use crate::plumbing::soap::{open_envelope, parse_soap, read_fault};
use crate::plumbing::xml::{self, Element};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct AgentResult {
    /// The `Response` element as JSON; `null` for a void method.
    pub response: Value,
    /// The `Succeeded` header (true when absent).
    pub succeeded: bool,
    /// The `ExtraInfo` header's pairs.
    pub extra_info: Map<String, Value>,
}

/// `agent` (`Associate`) lets the WSDL table say which elements are lists; without it, or for a
/// method the table does not cover, results read as before (see the module documentation).
pub fn parse_agent_response(
    response: &HttpResponse<'_>,
    agent: Option<&str>,
    method: &str,
) -> Result<AgentResult> {
    if agent.is_some_and(|agent| !is_identifier(agent)) {
        return Err(Error::InvalidArgument(
            "agent must be a NetServer agent name such as Associate",
        ));
    }
    if !is_identifier(method) {
        return Err(Error::InvalidArgument(
            "method must be a NetServer method name such as GetAssociate",
        ));
    }
    http::check_size(response.body)?;
    if matches!(response.status, 401 | 403) {
        return Err(Error::ticket_rejected(
            Some(response.status),
            None,
            None,
            None,
        ));
    }
    let covered = agent.and_then(|agent| lists::covered(agent, method));
    let outcome = read(response, method, covered);
    if (200..300).contains(&response.status) {
        return outcome;
    }
    match outcome {
        Err(
            error @ (Error::SoapFault { .. }
            | Error::NetServerException { .. }
            | Error::TicketRejected { .. }),
        ) => Err(error),
        _ => Err(Error::HttpStatus {
            status: response.status,
        }),
    }
}

fn read(response: &HttpResponse<'_>, method: &str, covered: Option<bool>) -> Result<AgentResult> {
    let media_type = response
        .content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media_type == "application/json" || media_type.ends_with("+json") {
        return Err(Error::ResponseMalformed(
            "a NetServer agent response must be SOAP",
        ));
    }
    let body = response
        .body
        .strip_prefix('\u{FEFF}')
        .unwrap_or(response.body);
    let first = body
        .trim_start_matches(xml::is_xml_whitespace)
        .chars()
        .next();
    if first.is_some_and(|c| c != '<') {
        return Err(Error::ResponseMalformed(
            "a NetServer agent response must be SOAP",
        ));
    }
    let root = parse_soap(body)?;
    let envelope = open_envelope(&root)?;
    let headers = read_headers(envelope.header)?;
    if let Some(exception) = headers.exception {
        return Err(exception);
    }
    let entry = envelope.entry;
    if entry.is(envelope.soap, "Fault") {
        return Err(read_fault(entry, envelope.soap)?);
    }
    let response_ns = namespace_version(&entry.ns)
        .filter(|_| entry.local.strip_suffix("Response") == Some(method))
        .ok_or(Error::ResponseMalformed(
            "the SOAP Body holds no response to this method",
        ))?;
    if headers
        .version
        .is_some_and(|version| version != response_ns)
    {
        return Err(Error::ResponseMalformed(
            "the NetServer headers and the response name different versions",
        ));
    }
    if !headers.succeeded {
        return Err(Error::netserver_exception(None, None, None));
    }
    entry.ensure_element_only()?;
    let response = match entry.unique_child(&entry.ns, "Response")? {
        None => Value::Null,
        Some(element) if covered == Some(true) && !element.is_nil()? => {
            lists::items(element, true)?
        }
        Some(element) if is_empty(element) => Value::Null,
        Some(element) => lists::to_value(element, covered.is_some())?,
    };
    Ok(AgentResult {
        response,
        succeeded: headers.succeeded,
        extra_info: headers.extra_info,
    })
}

struct Headers {
    version: Option<u8>,
    exception: Option<Error>,
    succeeded: bool,
    extra_info: Map<String, Value>,
}

fn read_headers(header: Option<&Element>) -> Result<Headers> {
    let mut headers = Headers {
        version: None,
        exception: None,
        succeeded: true,
        extra_info: Map::new(),
    };
    let Some(header) = header else {
        return Ok(headers);
    };
    header.ensure_element_only()?;
    let mut seen: Vec<&str> = Vec::new();
    for child in &header.children {
        let Some(version) = namespace_version(&child.ns) else {
            continue;
        };
        if headers.version.is_some_and(|v| v != version) {
            return Err(Error::ResponseMalformed(
                "the NetServer headers name different versions",
            ));
        }
        headers.version = Some(version);
        if seen.contains(&child.local.as_str()) {
            return Err(Error::ResponseMalformed("a NetServer header appears twice"));
        }
        seen.push(&child.local);
        match child.local.as_str() {
            "ExceptionInfo" => headers.exception = read_exception(child)?,
            "Succeeded" if !child.is_nil()? => {
                headers.succeeded = xml::parse_xs_boolean(child.leaf_text()?)
                    .ok_or(Error::ResponseMalformed("Succeeded is not a boolean"))?;
            }
            "ExtraInfo" => headers.extra_info = read_extra_info(child)?,
            _ => {}
        }
    }
    Ok(headers)
}

/// The error an `ExceptionInfo` header describes; `None` when it is nil.
fn read_exception(info: &Element) -> Result<Option<Error>> {
    if info.is_nil()? {
        return Ok(None);
    }
    info.ensure_element_only()?;
    let exception_type = optional_text(info, "ExceptionType")?;
    let friendly_text = optional_text(info, "FriendlyText")?;
    let message = optional_text(info, "Message")?;
    let mut rejected = is_ticket_rejection(exception_type);
    if let Some(inner) = info.unique_child(&info.ns, "InnerException")? {
        if !inner.is_nil()? {
            inner.ensure_element_only()?;
            rejected |= is_ticket_rejection(optional_text(inner, "ExceptionType")?);
        }
    }
    Ok(Some(if rejected {
        Error::ticket_rejected(None, exception_type, friendly_text, message)
    } else {
        Error::netserver_exception(exception_type, friendly_text, message)
    }))
}

/// NetServer's exception types that mean "these credentials were refused", matched exactly (with or
/// without the `SuperOffice.Exceptions.` namespace). Nothing else counts, and a message never does: a
/// wrong guess drops the fleet's shared ticket, costs an exchange and re-sends a call that may not be
/// idempotent (an `ArgumentException` saying "Unknown ticket id 5" is about a support ticket).
///
/// - `SoSessionException`: what NetServer's authentication pipeline throws when a plugin rejects the
///   credentials it was given (the SoCredentials ticket plugin among them): `throw new
///   SoSessionException("Failed to validate tokens: " + reason)`, SuperOfficeDocs/superoffice-docs
///   `docs/api/authentication/onsite/pipeline.md` (its `includes/auth-plugin.cs`), and the
///   "Authentication failed!" it answers for a failed sign-in,
///   `docs/en/api/authentication/online/troubleshooting/iframe-idp-auth.md`
///   (`SuperOffice.Exceptions.SoSessionException: Authentication failed!`).
///
/// SuperOffice documents no other type for a refused, expired or revoked ticket over SOAP (the
/// Services88 WSDLs declare no fault for it); REST answers those with 401, which
/// [`parse_agent_response`] maps by status.
pub(crate) const TICKET_REJECTION_TYPES: &[&str] = &["SoSessionException"];
const EXCEPTION_NAMESPACE: &str = "SuperOffice.Exceptions.";

/// Whether an exception type is one of [`TICKET_REJECTION_TYPES`].
pub(crate) fn is_ticket_rejection(exception_type: Option<&str>) -> bool {
    exception_type.is_some_and(|t| {
        let name = t.strip_prefix(EXCEPTION_NAMESPACE).unwrap_or(t);
        TICKET_REJECTION_TYPES.contains(&name)
    })
}

/// An optional, nillable string child in the parent's namespace: absent, nil or blank read as `None`.
fn optional_text<'a>(parent: &'a Element, local: &str) -> Result<Option<&'a str>> {
    let Some(element) = parent.unique_child(&parent.ns, local)? else {
        return Ok(None);
    };
    if element.is_nil()? {
        return Ok(None);
    }
    let text = element.leaf_text()?.trim_matches(xml::is_xml_whitespace);
    Ok((!text.is_empty()).then_some(text))
}

fn read_extra_info(info: &Element) -> Result<Map<String, Value>> {
    let mut pairs = Map::new();
    if info.is_nil()? {
        return Ok(pairs);
    }
    info.ensure_element_only()?;
    for item in &info.children {
        item.ensure_element_only()?;
        let key = item
            .unique_child(&info.ns, "Key")?
            .ok_or(Error::ResponseMalformed("an ExtraInfo item has no Key"))?
            .leaf_text()?;
        let value = match item.unique_child(&info.ns, "Value")? {
            None => Value::Null,
            Some(value) if value.is_nil()? => Value::Null,
            Some(value) => Value::String(value.leaf_text()?.to_owned()),
        };
        if pairs.contains_key(key) {
            return Err(Error::ResponseMalformed("an ExtraInfo key appears twice"));
        }
        // A key JS would read as a prototype is dropped (crate::plumbing::json::PROTOTYPE_KEYS).
        if !json::is_prototype_key(key) {
            pairs.insert(key.to_owned(), value);
        }
    }
    Ok(pairs)
}

/// No children and no text (`<Response/>`, as a void method may answer).
fn is_empty(element: &Element) -> bool {
    element.children.is_empty() && element.raw_text().is_empty()
}
