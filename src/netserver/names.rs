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
