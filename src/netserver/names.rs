//! NetServer's names: its namespaces and versions, and what an agent or method name may be. Shared
//! by the request writer and the response reader.

/// The NetServer namespace without its version number.
pub const NS_NETSERVER_PREFIX: &str = "http://www.superoffice.net/ws/crm/NetServer/Services";
/// Where plain arrays' items (`int`, `string`) live.
pub const NS_ARRAYS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
/// The NetServer versions SuperOffice Online serves (older ones were retired around 2020).
pub const VERSIONS: std::ops::RangeInclusive<u8> = 84..=88;

/// `http://www.superoffice.net/ws/crm/NetServer/Services{version}`.
pub fn namespace(version: u8) -> String {
    format!("{NS_NETSERVER_PREFIX}{version}")
}

/// The version a NetServer namespace names, if it is one of [`VERSIONS`].
pub(crate) fn namespace_version(ns: &str) -> Option<u8> {
    let digits = ns.strip_prefix(NS_NETSERVER_PREFIX)?;
    if digits.len() != 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version = digits.parse::<u8>().ok()?;
    VERSIONS.contains(&version).then_some(version)
}

/// An agent or method name: a .NET identifier (`Associate`, `GetAssociateList`). These become a URL
/// path segment, a SOAPAction segment and an element name, so nothing else is accepted.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 128
}

/// Agent and method names, checked the same way for SOAP and REST: both become URL path segments.
pub(crate) fn check_agent_and_method(agent: &str, method: &str) -> crate::error::Result<()> {
    use crate::error::Error;
    if !is_identifier(agent) {
        return Err(Error::InvalidArgument(
            "agent must be a NetServer agent name such as Associate",
        ));
    }
    if agent.len() > "Agent".len() && agent.ends_with("Agent") {
        return Err(Error::InvalidArgument(
            "agent is the service name without Agent (Contact, not ContactAgent)",
        ));
    }
    if !is_identifier(method) {
        return Err(Error::InvalidArgument(
            "method must be a NetServer method name such as GetAssociate",
        ));
    }
    Ok(())
}

/// A base URL (the checks every base URL gets, trailing slashes dropped) and its last path segment
/// (empty when it has no path), for the SOAP and REST URLs, which each name their door there.
pub(crate) fn base_and_last_segment<'a>(
    url: &'a str,
    bad_url: &'static str,
) -> crate::error::Result<(&'a str, &'a str)> {
    let base = crate::plumbing::environment::check_base_url(url)
        .map_err(|_| crate::error::Error::InvalidArgument(bad_url))?;
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let last = after_scheme
        .split_once('/')
        .map_or("", |(_, path)| path.rsplit('/').next().unwrap_or(path));
    Ok((base, last))
}
