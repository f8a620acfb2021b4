//! SuperOffice's identity claims in a validated token: the claim prefix and typed readers. Shared by
//! the system-user ticket (`crate::ticket`) and the SuperIdToken (`crate::oauth::superid`), which
//! carry the same claims under the same names.
//!
//! Decisions:
//!
//! - The prefix is `http://schemes.superoffice.net/identity/` ("schemes", as SuperOffice spells it).
//! - A string claim that is absent, null or empty reads as absent; another type is refused, naming the
//!   claim.
//! - `is_administrator` is .NET's `Boolean.ToString()` (`"True"`/`"False"`, ASCII case ignored) or a
//!   JSON boolean; absent or null reads as false.

use crate::error::{Error, Result};
use crate::plumbing::json::{Object, Value};

/// Prefix of every SuperOffice identity claim.
pub const CLAIM_PREFIX: &str = "http://schemes.superoffice.net/identity/";

pub fn claim_name(short: &str) -> String {
    format!("{CLAIM_PREFIX}{short}")
}

/// The `is_administrator` claim; absent or null reads as false.
pub fn is_administrator(claims: &Object) -> Result<bool> {
    match claims.get(&claim_name("is_administrator")) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        // SuperOffice writes .NET's Boolean.ToString(): "True" / "False".
        Some(Value::String(value)) if value.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(value)) if value.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(Error::claim(
            &claim_name("is_administrator"),
            "must be True or False",
        )),
    }
}

/// A SuperOffice string claim that must be present and non-empty.
pub fn required_string(claims: &Object, short: &str) -> Result<String> {
    optional_string(claims, short)?.ok_or_else(|| Error::claim(&claim_name(short), "missing"))
}

/// A SuperOffice string claim; absent, null and empty all read as `None`.
pub fn optional_string(claims: &Object, short: &str) -> Result<Option<String>> {
    let name = claim_name(short);
    match claims.get(&name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) if value.is_empty() => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(Error::claim(&name, "must be a string")),
    }
}
