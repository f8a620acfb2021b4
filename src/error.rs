//! The one list of failures. Every code the package can raise is spelled here and nowhere else in Rust;
//! `index.d.ts` mirrors [`CODES`] and a test holds the two equal.
//!
//! Messages are short, fixed strings. They never carry key material, tokens, tickets or secrets; the
//! only values copied from outside are a SOAP fault's code and text and a server's error message, which
//! come from SuperOffice, are truncated, and contain nothing of ours.

use std::fmt;

/// Longest server-provided text (fault string, error message) kept in an error.
const MAX_SERVER_TEXT: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An argument has the wrong type, is empty where it must not be, or is out of range.
    InvalidArgument(&'static str),
    /// Key text is not a well-formed key (bad PEM, bad DER, bad base64, inconsistent RSA components).
    KeyInvalid(&'static str),
    /// Well-formed, but not a kind of key we sign with (EC, Ed25519, RSA-PSS, public key, certificate).
    KeyUnsupported(&'static str),
    /// Password-protected key: decrypt it first (`openssl pkey -in key.pem -out plain.pem`).
    KeyEncrypted,
    /// RSA key under 2048 bits.
    KeyTooSmall { bits: usize },
    /// The verification keys given (JWKS, certificate, SPKI) cannot be used.
    KeySetInvalid(&'static str),
    /// The response body is not what the service sends.
    ResponseMalformed(&'static str),
    /// The response body exceeds the size cap.
    ResponseTooLarge { limit: usize },
    /// The XML carries a DOCTYPE, or an entity other than the five predefined ones.
    XmlForbidden(&'static str),
    /// A SOAP 1.1 or 1.2 fault.
    SoapFault {
        fault_code: String,
        fault_string: String,
    },
    /// A non-2xx HTTP status with no parseable fault.
    HttpStatus { status: u16 },
    /// `IsSuccessful` was false.
    TicketDenied {
        server_message: Option<String>,
        reason: Option<&'static str>,
    },
    /// The JWT is not a well-formed compact JWS.
    JwtMalformed(&'static str),
    /// The JWT names an algorithm other than RS256.
    JwtAlgNotAllowed,
    /// No key given matches the JWT's `kid`/`x5t`.
    JwtKeyNotFound,
    /// The signature does not verify.
    JwtSignatureInvalid,
    /// `exp` is in the past (beyond the leeway).
    JwtExpired,
    /// `nbf` (or `iat`) is in the future (beyond the leeway).
    JwtNotYetValid,
    /// A claim is missing, mistyped or has the wrong value.
    JwtClaimInvalid { claim: String, reason: &'static str },
    /// The validated token carries no ticket claim.
    TicketMissing,
    /// The host's `fetch` failed (raised by the JS client, listed here so the list is one).
    FetchFailed,
    /// A request exceeded its timeout (raised by the JS client).
    Timeout,
    /// The platform's random number generator failed.
    RandomUnavailable,
    /// The OAuth token endpoint answered with an error body (`invalid_grant`, `invalid_client`, ...).
    OAuthError {
        error: String,
        description: Option<String>,
    },
    /// The `state` that came back to the redirect URL is missing or is not the one sent.
    StateMismatch,
    /// A NetServer agent answered with `ExceptionInfo` (or `Succeeded` false). The server's stack
    /// trace is never kept.
    NetServerException {
        exception_type: Option<String>,
        friendly_text: Option<String>,
        server_message: Option<String>,
    },
    /// The tenant refused the ticket: HTTP 401/403, or an `ExceptionInfo` of NetServer's
    /// authentication exception type (`crate::netserver`'s list). A new ticket may succeed where this
    /// one failed.
    TicketRejected {
        status: Option<u16>,
        exception_type: Option<String>,
        friendly_text: Option<String>,
        server_message: Option<String>,
    },
    /// The tenant is not running (the state API says so) until `valid_until_ms`: the client fails
    /// fast rather than exchange or call. Raised by the JS client, listed here so the list is one.
    TenantUnavailable {
        /// The state's name, or its number as text when SuperOffice did not document it.
        state: String,
        state_code: Option<u32>,
        /// Epoch milliseconds.
        valid_until_ms: u64,
    },
    /// A webhook delivery failed verification (signature, event id, age) or is not a SuperOffice
    /// webhook event. `reason` is one of [`WEBHOOK_REASONS`]; nothing from the body or secret is kept.
    WebhookInvalid { reason: &'static str },
}

/// Every code, in declaration order. `index.d.ts` carries the same list.
pub const CODES: &[&str] = &[
    "ERR_INVALID_ARGUMENT",
    "ERR_KEY_INVALID",
    "ERR_KEY_UNSUPPORTED",
    "ERR_KEY_ENCRYPTED",
    "ERR_KEY_TOO_SMALL",
    "ERR_KEYSET_INVALID",
    "ERR_RESPONSE_MALFORMED",
    "ERR_RESPONSE_TOO_LARGE",
    "ERR_XML_FORBIDDEN",
    "ERR_SOAP_FAULT",
    "ERR_HTTP_STATUS",
    "ERR_TICKET_DENIED",
    "ERR_JWT_MALFORMED",
    "ERR_JWT_ALG_NOT_ALLOWED",
    "ERR_JWT_KEY_NOT_FOUND",
    "ERR_JWT_SIGNATURE_INVALID",
    "ERR_JWT_EXPIRED",
    "ERR_JWT_NOT_YET_VALID",
    "ERR_JWT_CLAIM_INVALID",
    "ERR_TICKET_MISSING",
    "ERR_FETCH_FAILED",
    "ERR_TIMEOUT",
    "ERR_RANDOM_UNAVAILABLE",
    "ERR_OAUTH_ERROR",
    "ERR_STATE_MISMATCH",
    "ERR_NETSERVER_EXCEPTION",
    "ERR_TICKET_REJECTED",
    "ERR_TENANT_UNAVAILABLE",
    "ERR_WEBHOOK_INVALID",
];

/// Every `reason` of `ERR_WEBHOOK_INVALID` (index.d.ts says what each means):
/// `missing-signature` (no `X-SuperOffice-Signature`), `malformed-signature` (not the base64 of 32
/// bytes), `signature-mismatch` (not the HMAC-SHA256 of the body under any secret given),
/// `malformed-json` (the body is not a JSON object), `malformed-event` (JSON, but not what SuperOffice
/// sends), `event-id-mismatch` (the `X-SuperOffice-EventId` header names another event than the
/// body), `too-old` and `timestamp-in-future` (the event's `Timestamp` is further than
/// `maxAgeSeconds` from now).
pub const WEBHOOK_REASONS: &[&str] = &[
    "missing-signature",
    "malformed-signature",
    "signature-mismatch",
    "malformed-json",
    "malformed-event",
    "event-id-mismatch",
    "too-old",
    "timestamp-in-future",
];

/// SuperOffice's `AuthorizeErrorCode` names, recognised in a denied response's message.
pub const AUTHORIZE_ERROR_NAMES: &[&str] = &[
    "Revoked",
    "InvalidRedirectUrl",
    "Expired",
    "Denied",
    "NeedsReapproval",
    "InvalidTimestamp",
    "InvalidSignature",
];

impl Error {
    pub const fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "ERR_INVALID_ARGUMENT",
            Error::KeyInvalid(_) => "ERR_KEY_INVALID",
            Error::KeyUnsupported(_) => "ERR_KEY_UNSUPPORTED",
            Error::KeyEncrypted => "ERR_KEY_ENCRYPTED",
            Error::KeyTooSmall { .. } => "ERR_KEY_TOO_SMALL",
            Error::KeySetInvalid(_) => "ERR_KEYSET_INVALID",
            Error::ResponseMalformed(_) => "ERR_RESPONSE_MALFORMED",
            Error::ResponseTooLarge { .. } => "ERR_RESPONSE_TOO_LARGE",
            Error::XmlForbidden(_) => "ERR_XML_FORBIDDEN",
            Error::SoapFault { .. } => "ERR_SOAP_FAULT",
            Error::HttpStatus { .. } => "ERR_HTTP_STATUS",
            Error::TicketDenied { .. } => "ERR_TICKET_DENIED",
            Error::JwtMalformed(_) => "ERR_JWT_MALFORMED",
            Error::JwtAlgNotAllowed => "ERR_JWT_ALG_NOT_ALLOWED",
            Error::JwtKeyNotFound => "ERR_JWT_KEY_NOT_FOUND",
            Error::JwtSignatureInvalid => "ERR_JWT_SIGNATURE_INVALID",
            Error::JwtExpired => "ERR_JWT_EXPIRED",
            Error::JwtNotYetValid => "ERR_JWT_NOT_YET_VALID",
            Error::JwtClaimInvalid { .. } => "ERR_JWT_CLAIM_INVALID",
            Error::TicketMissing => "ERR_TICKET_MISSING",
            Error::FetchFailed => "ERR_FETCH_FAILED",
            Error::Timeout => "ERR_TIMEOUT",
            Error::RandomUnavailable => "ERR_RANDOM_UNAVAILABLE",
            Error::OAuthError { .. } => "ERR_OAUTH_ERROR",
            Error::StateMismatch => "ERR_STATE_MISMATCH",
            Error::NetServerException { .. } => "ERR_NETSERVER_EXCEPTION",
            Error::TicketRejected { .. } => "ERR_TICKET_REJECTED",
            Error::TenantUnavailable { .. } => "ERR_TENANT_UNAVAILABLE",
            Error::WebhookInvalid { .. } => "ERR_WEBHOOK_INVALID",
        }
    }

    /// A claim-name-carrying error. The claim's name is ours or public, never its value.
    pub fn claim(claim: &str, reason: &'static str) -> Self {
        Error::JwtClaimInvalid {
            claim: truncate(claim),
            reason,
        }
    }

    pub fn soap_fault(fault_code: &str, fault_string: &str) -> Self {
        Error::SoapFault {
            fault_code: truncate(fault_code),
            fault_string: truncate(fault_string),
        }
    }

    /// An OAuth error response (RFC 6749 §5.2); both fields come from the server.
    pub fn oauth(error: &str, description: Option<&str>) -> Self {
        Error::OAuthError {
            error: truncate(error),
            description: description.map(truncate),
        }
    }

    /// A NetServer `ExceptionInfo`; all three texts come from the server.
    pub fn netserver_exception(
        exception_type: Option<&str>,
        friendly_text: Option<&str>,
        server_message: Option<&str>,
    ) -> Self {
        Error::NetServerException {
            exception_type: exception_type.map(truncate),
            friendly_text: friendly_text.map(truncate),
            server_message: server_message.map(truncate),
        }
    }

    /// A rejected ticket: by HTTP status, or by an `ExceptionInfo` (texts from the server).
    pub fn ticket_rejected(
        status: Option<u16>,
        exception_type: Option<&str>,
        friendly_text: Option<&str>,
        server_message: Option<&str>,
    ) -> Self {
        Error::TicketRejected {
            status,
            exception_type: exception_type.map(truncate),
            friendly_text: friendly_text.map(truncate),
            server_message: server_message.map(truncate),
        }
    }

    /// `IsSuccessful` false: keep the server's message and recognise SuperOffice's error names in it.
    pub fn ticket_denied(server_message: Option<&str>) -> Self {
        let reason = server_message.and_then(|message| {
            AUTHORIZE_ERROR_NAMES
                .iter()
                .copied()
                .find(|name| message.contains(name))
        });
        Error::TicketDenied {
            server_message: server_message.map(truncate),
            reason,
        }
    }
}

fn truncate(text: &str) -> String {
    let text = redact_credentials(text.trim());
    match text.char_indices().nth(MAX_SERVER_TEXT) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text,
    }
}

/// Server texts may quote the credential they refused ("Ticket 7T:abc... is not valid"). SuperOffice
/// credentials are a digit, a capital letter and a colon before their value (`7T:` tickets, `8A:`
/// access tokens); each such word is replaced, so no error carries one.
fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_credential(rest) {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |n| start + n);
        out.push_str("[redacted]");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Where `rest` has a digit, a capital letter and a colon followed by a value, at a word start.
fn find_credential(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    (0..bytes.len().saturating_sub(3)).find(|&i| {
        bytes[i].is_ascii_digit()
            && bytes[i + 1].is_ascii_uppercase()
            && bytes[i + 2] == b':'
            && !bytes[i + 3].is_ascii_whitespace()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
    })
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument(m)
            | Error::KeyInvalid(m)
            | Error::KeyUnsupported(m)
            | Error::KeySetInvalid(m)
            | Error::ResponseMalformed(m)
            | Error::XmlForbidden(m)
            | Error::JwtMalformed(m) => f.write_str(m),
            Error::KeyEncrypted => f.write_str("the private key is encrypted; decrypt it first"),
            Error::KeyTooSmall { bits } => {
                write!(
                    f,
                    "RSA key of {bits} bits refused; at least 2048 bits are required"
                )
            }
            Error::ResponseTooLarge { limit } => {
                write!(f, "response body exceeds the limit of {limit} bytes")
            }
            Error::SoapFault {
                fault_code,
                fault_string,
            } => {
                write!(f, "SOAP fault {fault_code}: {fault_string}")
            }
            Error::HttpStatus { status } => write!(f, "unexpected HTTP status {status}"),
            Error::TicketDenied { server_message, .. } => match server_message {
                Some(message) => write!(f, "ticket request denied: {message}"),
                None => f.write_str("ticket request denied"),
            },
            Error::JwtAlgNotAllowed => {
                f.write_str("JWT algorithm not allowed; only RS256 is accepted")
            }
            Error::JwtKeyNotFound => f.write_str("no verification key matches the JWT"),
            Error::JwtSignatureInvalid => f.write_str("JWT signature verification failed"),
            Error::JwtExpired => f.write_str("JWT has expired"),
            Error::JwtNotYetValid => f.write_str("JWT is not yet valid"),
            Error::JwtClaimInvalid { claim, reason } => write!(f, "JWT claim {claim}: {reason}"),
            Error::TicketMissing => f.write_str("the token carries no ticket claim"),
            Error::FetchFailed => f.write_str("the request to SuperOffice failed"),
            Error::Timeout => f.write_str("the request to SuperOffice timed out"),
            Error::RandomUnavailable => f.write_str("the platform random number generator failed"),
            Error::OAuthError { error, description } => match description {
                Some(description) => write!(f, "OAuth error {error}: {description}"),
                None => write!(f, "OAuth error {error}"),
            },
            Error::StateMismatch => {
                f.write_str("the authorization response's state is missing or not the one sent")
            }
            Error::NetServerException {
                exception_type,
                friendly_text,
                server_message,
            } => {
                f.write_str("NetServer exception")?;
                if let Some(exception_type) = exception_type {
                    write!(f, " {exception_type}")?;
                }
                match friendly_text.as_ref().or(server_message.as_ref()) {
                    Some(text) => write!(f, ": {text}"),
                    None => Ok(()),
                }
            }
            Error::TicketRejected {
                status,
                exception_type,
                ..
            } => match (status, exception_type) {
                (Some(status), _) => {
                    write!(f, "the tenant rejected the ticket (HTTP {status})")
                }
                (None, Some(exception_type)) => {
                    write!(f, "the tenant rejected the ticket ({exception_type})")
                }
                (None, None) => f.write_str("the tenant rejected the ticket"),
            },
            Error::TenantUnavailable { state, .. } => {
                write!(f, "the tenant is not running (state {state})")
            }
            Error::WebhookInvalid { reason } => write!(f, "webhook refused: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_complete() {
        let mut seen = std::collections::HashSet::new();
        for code in CODES {
            assert!(seen.insert(*code), "duplicate {code}");
            assert!(code.starts_with("ERR_"));
        }
        // One sample of each variant: its code must be in the list.
        let samples = [
            Error::InvalidArgument(""),
            Error::KeyInvalid(""),
            Error::KeyUnsupported(""),
            Error::KeyEncrypted,
            Error::KeyTooSmall { bits: 1024 },
            Error::KeySetInvalid(""),
            Error::ResponseMalformed(""),
            Error::ResponseTooLarge { limit: 1 },
            Error::XmlForbidden(""),
            Error::soap_fault("a", "b"),
            Error::HttpStatus { status: 500 },
            Error::ticket_denied(None),
            Error::JwtMalformed(""),
            Error::JwtAlgNotAllowed,
            Error::JwtKeyNotFound,
            Error::JwtSignatureInvalid,
            Error::JwtExpired,
            Error::JwtNotYetValid,
            Error::claim("iss", ""),
            Error::TicketMissing,
            Error::FetchFailed,
            Error::Timeout,
            Error::RandomUnavailable,
            Error::oauth("invalid_grant", None),
            Error::StateMismatch,
            Error::netserver_exception(None, None, None),
            Error::ticket_rejected(Some(401), None, None, None),
            Error::TenantUnavailable {
                state: "OfflineMaintenance".to_owned(),
                state_code: Some(6),
                valid_until_ms: 0,
            },
            Error::WebhookInvalid {
                reason: "signature-mismatch",
            },
        ];
        assert_eq!(samples.len(), CODES.len());
        for (sample, code) in samples.iter().zip(CODES) {
            assert_eq!(sample.code(), *code);
        }
    }

    #[test]
    fn denied_recognises_authorize_error_names() {
        let e = Error::ticket_denied(Some("InvalidSignature: the signature did not verify"));
        assert!(matches!(
            e,
            Error::TicketDenied {
                reason: Some("InvalidSignature"),
                ..
            }
        ));
        let e = Error::ticket_denied(Some("something else"));
        assert!(matches!(e, Error::TicketDenied { reason: None, .. }));
    }

    #[test]
    fn credentials_in_server_text_are_redacted() {
        for (text, expected) in [
            (
                "Ticket 7T:abc+/=def is not valid",
                "Ticket [redacted] is not valid",
            ),
            ("7T:abc", "[redacted]"),
            (
                "token 8A:Cust1.xyz, ticket 7T:q",
                "token [redacted] ticket [redacted]",
            ),
            ("(7T:abc)", "([redacted]"),
            ("ratio 7T: x", "ratio 7T: x"),
            ("A7T:abc", "A7T:abc"),
            ("no credential here", "no credential here"),
            ("12:30 UTC", "12:30 UTC"),
            ("", ""),
        ] {
            assert_eq!(redact_credentials(text), expected, "{text:?}");
        }
        let Error::NetServerException { server_message, .. } =
            Error::netserver_exception(None, None, Some("bad ticket 7T:SECRET"))
        else {
            unreachable!()
        };
        assert_eq!(server_message.as_deref(), Some("bad ticket [redacted]"));
    }

    #[test]
    fn server_text_is_truncated() {
        let long = "x".repeat(10_000);
        let Error::SoapFault { fault_string, .. } = Error::soap_fault("c", &long) else {
            unreachable!()
        };
        assert!(fault_string.len() < 600);
    }
}
