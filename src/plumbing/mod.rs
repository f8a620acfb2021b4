//! Shared plumbing: what every protocol builds on and none owns. Nothing here knows a protocol.
//!
//! - [`http`]: request and response shapes, the body's size cap and byte order mark, media types;
//! - [`environment`]: SuperOffice's environments, base URLs and their one set of rules;
//! - [`args`]: argument checks (non-blank, sendable characters, redirect URIs);
//! - [`form`]: the one `application/x-www-form-urlencoded` token-endpoint request writer;
//! - [`soap`]: SOAP envelope namespaces, opening an envelope, reading a fault;
//! - [`claims`]: SuperOffice's identity claims (prefix and typed readers) in a validated token;
//! - [`json`] (strict reading, over serde_json), [`xml`] (hardened reading, over quick-xml),
//!   [`digest`] (SHA-256), [`time`] (RFC 3339 date-times, over der's `DateTime`).

pub mod args;
pub mod claims;
pub mod digest;
pub mod environment;
pub mod form;
pub mod http;
pub mod json;
pub mod soap;
pub mod time;
pub mod xml;
