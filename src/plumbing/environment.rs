//! SuperOffice's environments and the base URLs every request builder accepts.
//!
//! Decisions:
//!
//! - `sod`, `stage` (also spelled `qaonline`, its host's name) and `online`, ASCII case ignored.
//! - A base URL is absolute `https://` (plain `http://` only for the loopback hosts `127.0.0.1`,
//!   `localhost` and `[::1]`, which the local stand-in and tests use), without user info, a query or a
//!   fragment. Trailing slashes are removed; a path prefix (a proxy's) is kept. Every builder uses
//!   [`check_base_url`], so every endpoint accepts the same base URLs.
//! - Error messages name the argument, never its value.

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Sod,
    Stage,
    Online,
}

impl Environment {
    /// `sod`, `stage`, `online`; `qaonline` is accepted as `stage`. ASCII case is ignored; nothing
    /// else (not even surrounding whitespace) is.
    pub fn parse(name: &str) -> Result<Environment> {
        let is = |expected: &str| name.eq_ignore_ascii_case(expected);
        if is("sod") {
            Ok(Environment::Sod)
        } else if is("stage") || is("qaonline") {
            Ok(Environment::Stage)
        } else if is("online") {
            Ok(Environment::Online)
        } else {
            Err(Error::InvalidArgument(
                "environment must be one of sod, stage, online",
            ))
        }
    }
    /// `https://sod.superoffice.com` etc.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sod => "https://sod.superoffice.com",
            Environment::Stage => "https://qaonline.superoffice.com",
            Environment::Online => "https://online.superoffice.com",
        }
    }

    /// The `iss` of the environment's OpenID Connect id_tokens (SuperIdTokens).
    ///
    /// Today this is the same text as [`Environment::base_url`], but the two mean different things
    /// (one is where we send requests, the other an identifier compared byte for byte), so each has
    /// its own name: a base URL may gain a path prefix or a proxy, an issuer never does.
    pub fn issuer(self) -> &'static str {
        match self {
            Environment::Sod => "https://sod.superoffice.com",
            Environment::Stage => "https://qaonline.superoffice.com",
            Environment::Online => "https://online.superoffice.com",
        }
    }
}

/// The host to talk to: a named environment, or an explicit base URL (the local stand-in, a proxy).
/// Exactly one must be given; the URL itself is checked when the request is built.
pub fn resolve_base_url(environment: Option<&str>, base_url: Option<&str>) -> Result<String> {
    match (environment, base_url) {
        (Some(name), None) => Ok(Environment::parse(name)?.base_url().to_owned()),
        (None, Some(url)) => Ok(url.to_owned()),
        (Some(_), Some(_)) => Err(Error::InvalidArgument(
            "give either environment or baseUrl, not both",
        )),
        (None, None) => Err(Error::InvalidArgument("environment or baseUrl is required")),
    }
}

/// The login host of an environment or base URL, checked, without trailing slashes:
/// `https://sod.superoffice.com`, or the base URL with its path prefix. Every login endpoint (ticket,
/// token, authorize, JWKS) lives below it.
pub fn login_host(environment: Option<&str>, base_url: Option<&str>) -> Result<String> {
    let base = resolve_base_url(environment, base_url)?;
    Ok(check_base_url(&base)?.to_owned())
}

/// Validates the base URL and returns it without trailing slashes. Shared by every request builder,
/// so that all endpoints accept the same base URLs.
pub fn check_base_url(url: &str) -> Result<&str> {
    const BAD: Error = Error::InvalidArgument(
        "base URL must be an absolute https:// URL without user info, query or fragment",
    );
    if url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '\\' | '?' | '#'))
    {
        return Err(BAD);
    }
    let (scheme, rest) = url.split_once("://").ok_or(BAD)?;
    let https = scheme.eq_ignore_ascii_case("https");
    if !https && !scheme.eq_ignore_ascii_case("http") {
        return Err(BAD);
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.contains('@') {
        return Err(BAD);
    }
    let host = split_host(authority).ok_or(BAD)?;
    if !https && !is_loopback(host) {
        return Err(Error::InvalidArgument(
            "base URL must use https:// (http:// is allowed only for localhost)",
        ));
    }
    Ok(url.trim_end_matches('/'))
}

/// The host of `host[:port]` or `[v6][:port]`, after checking its characters and the port.
fn split_host(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let inner = authority.get(1..end)?;
        let host = authority.get(..=end)?;
        let after = authority.get(end + 1..)?;
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (host, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return None;
        }
        (host, port)
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if !(1..=65535).contains(&port.parse::<u32>().ok()?) {
            return None;
        }
    }
    Some(host)
}

fn is_loopback(host: &str) -> bool {
    host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost") || host == "[::1]"
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn environments() {
        for (name, expected) in [
            ("sod", Ok(Environment::Sod)),
            ("SOD", Ok(Environment::Sod)),
            ("stage", Ok(Environment::Stage)),
            ("qaonline", Ok(Environment::Stage)),
            ("QaOnline", Ok(Environment::Stage)),
            ("online", Ok(Environment::Online)),
            ("production", Err("ERR_INVALID_ARGUMENT")),
            (" sod", Err("ERR_INVALID_ARGUMENT")),
            ("sod2", Err("ERR_INVALID_ARGUMENT")),
            ("", Err("ERR_INVALID_ARGUMENT")),
        ] {
            assert_eq!(
                Environment::parse(name).map_err(|e| e.code()),
                expected,
                "{name:?}"
            );
        }
        assert_eq!(
            Environment::Stage.base_url(),
            "https://qaonline.superoffice.com"
        );
    }

    #[test]
    fn login_hosts() {
        for (environment, base_url, expected) in [
            (Some("sod"), None, Ok("https://sod.superoffice.com")),
            (
                Some("QAONLINE"),
                None,
                Ok("https://qaonline.superoffice.com"),
            ),
            (
                None,
                Some("http://127.0.0.1:8080//"),
                Ok("http://127.0.0.1:8080"),
            ),
            (
                None,
                Some("https://proxy.example/so/"),
                Ok("https://proxy.example/so"),
            ),
            (
                None,
                Some("http://example.com"),
                Err("ERR_INVALID_ARGUMENT"),
            ),
            (
                Some("sod"),
                Some("https://x.example"),
                Err("ERR_INVALID_ARGUMENT"),
            ),
            (None, None, Err("ERR_INVALID_ARGUMENT")),
        ] {
            assert_eq!(
                login_host(environment, base_url).map_err(|e| e.code()),
                expected.map(str::to_owned),
                "{environment:?} {base_url:?}"
            );
        }
    }
}
