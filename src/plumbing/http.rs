//! The HTTP shapes every protocol shares: the request a builder hands the host to send, the response
//! the host hands back, and the rules every reader applies to a body before looking inside it.
//!
//! Decisions:
//!
//! - Size first: a body over [`MAX_RESPONSE_BYTES`] is [`Error::ResponseTooLarge`] before anything
//!   reads it, whatever the status, so a hostile or broken server cannot make a parser walk megabytes.
//! - One leading byte order mark is skipped: .NET's writers may emit one, and no protocol here gives
//!   it a meaning.
//! - The media type is the part of `Content-Type` before any `;`, trimmed and lower-cased
//!   (RFC 9110 §8.3.1: type and subtype are case-insensitive).

use crate::error::{Error, Result};

/// A request for the host to send: `fetch`-ready once the binding writes it as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// What the host received.
pub struct HttpResponse<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a str,
}

/// Largest body accepted (bytes).
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// Refuses text over [`MAX_RESPONSE_BYTES`].
pub fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_RESPONSE_BYTES {
        return Err(Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES,
        });
    }
    Ok(())
}

/// The body after the size check, without a leading byte order mark.
pub fn body<'a>(response: &HttpResponse<'a>) -> Result<&'a str> {
    check_size(response.body)?;
    Ok(response
        .body
        .strip_prefix('\u{FEFF}')
        .unwrap_or(response.body))
}

/// The media type of a `Content-Type` value (`text/xml; charset=utf-8` -> `text/xml`); empty when
/// there is none.
pub fn media_type(content_type: Option<&str>) -> String {
    content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `2xx`.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}
