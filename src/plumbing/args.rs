//! Argument checks shared by the request builders. Each refuses rather than repairs, and its message
//! names the argument, never its value (the values are credentials).

use crate::error::{Error, Result};
use crate::plumbing::xml;

/// Non-blank, and every character one XML 1.0 can carry (values that go into a SOAP envelope or a
/// JSON body the server reads as XML-safe text).
pub fn sendable(value: &str, empty: &'static str, bad_char: &'static str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument(empty));
    }
    if !value.chars().all(xml::is_xml_char) {
        return Err(Error::InvalidArgument(bad_char));
    }
    Ok(())
}

/// Non-blank, and no control characters (values that are form-encoded: every other character is
/// encoded, but a control character is a pasting mistake, such as a token read with its newline).
pub fn plain(value: &str, empty: &'static str, control: &'static str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument(empty));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::InvalidArgument(control));
    }
    Ok(())
}

/// A redirect URI: non-empty, without whitespace, control characters or a fragment (RFC 6749
/// §3.1.2: "The endpoint URI MUST NOT include a fragment component"). It is otherwise not parsed,
/// because native and local applications register custom schemes.
pub fn redirect_uri(redirect_uri: &str) -> Result<()> {
    if redirect_uri.is_empty()
        || redirect_uri
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '#')
    {
        return Err(Error::InvalidArgument(
            "redirect URI must be non-empty, without whitespace, control characters or a fragment",
        ));
    }
    Ok(())
}
