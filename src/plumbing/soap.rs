//! SOAP as every SOAP protocol here speaks it: the envelope namespaces, opening a response envelope,
//! and reading a fault. Shared by the ticket exchange (`crate::ticket`) and NetServer agents
//! (`crate::netserver`).
//!
//! Decisions:
//!
//! - An envelope may be SOAP 1.1 or 1.2, with any prefixes (names are matched by namespace URI).
//!   It holds an optional Header (first) and exactly one Body; the Body holds exactly one element,
//!   which may be a Fault. Both SOAP versions forbid a Fault beside another element, and we do not
//!   pick one reading of an ambiguous body.
//! - A SOAP 1.1 fault needs unqualified `faultcode` and `faultstring`; a SOAP 1.2 fault `Code/Value`
//!   and a `Reason/Text` (the first is read). The code is trimmed; both are truncated by
//!   [`Error::soap_fault`].

use crate::error::{Error, Result};
use crate::plumbing::xml::{self, Element};

/// SOAP 1.1 envelope namespace.
pub const NS_SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelope namespace.
pub const NS_SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";

/// Parses a SOAP response body with the hardened reader (an empty body is malformed).
pub fn parse_soap(body: &str) -> Result<Element> {
    if body.trim_matches(xml::is_xml_whitespace).is_empty() {
        return Err(Error::ResponseMalformed("the response body is empty"));
    }
    xml::parse(body)
}

/// A SOAP envelope taken apart: its version's namespace, its optional Header and the one element
/// of its Body. Shared with the NetServer agent responses (`crate::netserver`).
pub struct Envelope<'a> {
    pub soap: &'static str,
    pub header: Option<&'a Element>,
    pub entry: &'a Element,
}

/// Checks the envelope's structure: SOAP 1.1 or 1.2, an optional Header first, exactly one Body
/// holding exactly one element. The entry is not interpreted (it may be a Fault).
pub fn open_envelope(envelope: &Element) -> Result<Envelope<'_>> {
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
    let mut header = None;
    for child in &envelope.children {
        if child.is(soap, "Header") && header.is_none() && soap_body.is_none() {
            header = Some(child);
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
    Ok(Envelope {
        soap,
        header,
        entry,
    })
}

/// The [`Error::SoapFault`] a Fault element describes, or the error that it is malformed.
pub fn read_fault(fault: &Element, soap: &str) -> Result<Error> {
    let (code, string) = if soap == NS_SOAP11 {
        read_fault_11(fault)?
    } else {
        read_fault_12(fault)?
    };
    Ok(Error::soap_fault(code, string))
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
