//! The JOSE header, read before jsonwebtoken is given the token.
//!
//! jsonwebtoken parses the header into its `Header` struct, which ignores members it does not know
//! (so it cannot see `crit`) and keeps the last copy of a repeated member. We read it first, strictly:
//! base64url without padding (the base64 crate's canonical decoder), a JSON object with each member
//! once ([`crate::plumbing::json`]), `alg` exactly `RS256`, no `crit` (we implement no extension, so any critical
//! one is one we do not understand, RFC 7515 §4.1.11, including `b64` of RFC 7797), `typ` absent or
//! `JWT` in any case (RFC 8725 §3.11: a token typed for another use, `at+jwt` say, is not an id token or
//! a ticket token), and `kid`/`x5t` strings when present.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Error, Result};
use crate::plumbing::json::{self, Value};

/// What the header tells us: only which of the caller's keys to try first.
pub(crate) struct Header {
    pub kid: Option<String>,
    pub x5t: Option<String>,
}

pub(crate) fn read(segment: &str) -> Result<Header> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Error::JwtMalformed("JWT segment is not unpadded base64url"))?;
    let header =
        json::parse_object(&bytes).ok_or(Error::JwtMalformed("JWT header is not a JSON object"))?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => {}
        _ => return Err(Error::JwtAlgNotAllowed),
    }
    if header.contains_key("crit") {
        return Err(Error::JwtMalformed(
            "JWT names a critical header extension we do not support",
        ));
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err(Error::claim("typ", "unexpected token type")),
    }
    let optional_string = |name: &str| match header.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(Error::JwtMalformed("JWT header kid/x5t must be strings")),
    };
    Ok(Header {
        kid: optional_string("kid")?,
        x5t: optional_string("x5t")?,
    })
}
