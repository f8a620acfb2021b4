//! The one list of failures: the table at the `error_table!` call below. Every code the package can raise
//! is spelled there once, with the variant it belongs to and the detail fields it hands JavaScript;
//! the enum, [`Error::code`], [`CODES`], [`Error::details`] and [`DETAIL_FIELDS`] are generated from
//! it. The codes only the JS clients raise (`ERR_FETCH_FAILED`, `ERR_TIMEOUT`,
//! `ERR_TENANT_UNAVAILABLE`) have rows, places in [`CODES`] and detail fields, but no variant. The JS layer reads the codes and the detail fields from the core (the binding's `contract`),
//! and `index.d.ts` is held to them by a test that parses the declaration.
//!
//! Messages are short, fixed strings. They never carry key material, tokens, tickets or secrets; the
//! only values copied from outside are a SOAP fault's code and text and a server's error message, which
//! come from SuperOffice, are truncated, and contain nothing of ours.

use std::fmt;

/// Longest server-provided text (fault string, error message) kept in an error.
const MAX_SERVER_TEXT: usize = 512;

/// Declares the error table: from one list come the enum, [`Error::code`], [`CODES`] (with the codes
/// only the JS layer raises, marked `@raised_by_js`), [`Error::details`] and [`DETAIL_FIELDS`], the
/// fields handed to JS.
///
/// Each row: doc comment, variant (unit, one message, or named fields), `= "ERR_..."`. A named field
/// followed by `=> "jsName"` is a public detail, copied onto the JS error under that name in field
/// order (the order the error's properties then show in); the others stay in Rust (a reason already
/// in the message, for instance).
macro_rules! error_table {
    (
        $(
            $(#[$doc:meta])*
            $name:ident
            $( ( $message:ty ) )?
            $( { $( $(#[$field_doc:meta])* $field:ident : $type:ty $( => $js:literal )? ),* $(,)? } )?
            = $code:literal $( @ $raised_by:ident )?;
        )*
    ) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum Error {
            $(
                // A row marked `@raised_by_js` is a code only the JS layer raises: it keeps its place
                // in CODES, and no Rust variant exists for it.
                $( #[cfg(any())] #[doc = stringify!($raised_by)] )?
                $(#[$doc])*
                $name $( ( $message ) )? $( { $( $(#[$field_doc])* $field: $type ),* } )?,
            )*
        }

        /// Every code, in table order. `index.d.ts` carries the same list, and a test holds the two
        /// equal.
        pub const CODES: &[&str] = &[ $( $code, )* ];

        /// Every detail field any error carries to JS, in table order, each once.
        pub const DETAIL_FIELDS: &[&str] = &dedup::<{ count(&[ $( $( $( $( $js, )? )* )? )* ]) }>(
            &[ $( $( $( $( $js, )? )* )? )* ]
        );

        impl Error {
            pub const fn code(&self) -> &'static str {
                match self {
                    $(
                        $( #[cfg(any())] #[doc = stringify!($raised_by)] )?
                        Error::$name { .. } => $code,
                    )*
                }
            }

            /// The public details of this error under their JS names, in field order; absent
            /// optional ones are left out.
            #[allow(unused_variables)]
            pub fn details(&self) -> Vec<(&'static str, Detail<'_>)> {
                let mut details = Vec::new();
                match self {
                    $(
                        $( #[cfg(any())] #[doc = stringify!($raised_by)] )?
                        Error::$name { $( $( $field, )* )? .. } => {
                            $( $( $(
                                if let Some(value) = ToDetail::to_detail($field) {
                                    details.push(($js, value));
                                }
                            )? )* )?
                        }
                    )*
                }
                details
            }
        }
    };
}

/// A detail's value as JS receives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Detail<'a> {
    Text(&'a str),
    Number(f64),
}

trait ToDetail {
    fn to_detail(&self) -> Option<Detail<'_>>;
}

impl ToDetail for String {
    fn to_detail(&self) -> Option<Detail<'_>> {
        Some(Detail::Text(self))
    }
}

impl ToDetail for &'static str {
    fn to_detail(&self) -> Option<Detail<'_>> {
        Some(Detail::Text(self))
    }
}

impl ToDetail for u16 {
    fn to_detail(&self) -> Option<Detail<'_>> {
        Some(Detail::Number(f64::from(*self)))
    }
}

impl ToDetail for usize {
    fn to_detail(&self) -> Option<Detail<'_>> {
        // Bits and byte limits: far below 2^53.
        #[allow(clippy::cast_precision_loss)]
        Some(Detail::Number(*self as f64))
    }
}

impl<T: ToDetail> ToDetail for Option<T> {
    fn to_detail(&self) -> Option<Detail<'_>> {
        self.as_ref().and_then(ToDetail::to_detail)
    }
}

/// How many distinct names `names` holds.
const fn count(names: &[&str]) -> usize {
    let mut distinct = 0;
    let mut i = 0;
    while i < names.len() {
        if first_at(names, i) {
            distinct += 1;
        }
        i += 1;
    }
    distinct
}

/// The distinct names of `names`, in first-seen order.
const fn dedup<const N: usize>(names: &[&'static str]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut filled = 0;
    let mut i = 0;
    while i < names.len() {
        if first_at(names, i) && filled < N {
            out[filled] = names[i];
            filled += 1;
        }
        i += 1;
    }
    out
}

/// Whether `names[i]` does not occur before `i`.
const fn first_at(names: &[&str], i: usize) -> bool {
    let mut j = 0;
    while j < i {
        if same(names[j], names[i]) {
            return false;
        }
        j += 1;
    }
    true
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut k = 0;
    while k < a.len() {
        if a[k] != b[k] {
            return false;
        }
        k += 1;
    }
    true
}

error_table! {
    /// An argument has the wrong type, is empty where it must not be, or is out of range.
    InvalidArgument(&'static str) = "ERR_INVALID_ARGUMENT";
    /// Key text is not a well-formed key (bad PEM, bad DER, bad base64, inconsistent RSA components).
    KeyInvalid(&'static str) = "ERR_KEY_INVALID";
    /// Well-formed, but not a kind of key we sign with (EC, Ed25519, RSA-PSS, public key, certificate).
    KeyUnsupported(&'static str) = "ERR_KEY_UNSUPPORTED";
    /// Password-protected key: decrypt it first (`openssl pkey -in key.pem -out plain.pem`).
    KeyEncrypted = "ERR_KEY_ENCRYPTED";
    /// RSA key under 2048 bits.
    KeyTooSmall { bits: usize => "bits" } = "ERR_KEY_TOO_SMALL";
    /// The verification keys given (JWKS, certificate, SPKI) cannot be used.
    KeySetInvalid(&'static str) = "ERR_KEYSET_INVALID";
    /// The response body is not what the service sends.
    ResponseMalformed(&'static str) = "ERR_RESPONSE_MALFORMED";
    /// The response body exceeds the size cap.
    ResponseTooLarge { limit: usize => "limit" } = "ERR_RESPONSE_TOO_LARGE";
    /// The XML carries a DOCTYPE, or an entity other than the five predefined ones.
    XmlForbidden(&'static str) = "ERR_XML_FORBIDDEN";
    /// A SOAP 1.1 or 1.2 fault.
    SoapFault {
        fault_code: String => "faultCode",
        fault_string: String => "faultString",
    } = "ERR_SOAP_FAULT";
    /// A non-2xx HTTP status with no parseable fault.
    HttpStatus { status: u16 => "status" } = "ERR_HTTP_STATUS";
    /// `IsSuccessful` was false.
    TicketDenied {
        server_message: Option<String> => "serverMessage",
        reason: Option<&'static str> => "reason",
    } = "ERR_TICKET_DENIED";
    /// The JWT is not a well-formed compact JWS.
    JwtMalformed(&'static str) = "ERR_JWT_MALFORMED";
    /// The JWT names an algorithm other than RS256.
    JwtAlgNotAllowed = "ERR_JWT_ALG_NOT_ALLOWED";
    /// No key given matches the JWT's `kid`/`x5t`.
    JwtKeyNotFound = "ERR_JWT_KEY_NOT_FOUND";
    /// The signature does not verify.
    JwtSignatureInvalid = "ERR_JWT_SIGNATURE_INVALID";
    /// `exp` is in the past (beyond the leeway).
    JwtExpired = "ERR_JWT_EXPIRED";
    /// `nbf` (or `iat`) is in the future (beyond the leeway).
    JwtNotYetValid = "ERR_JWT_NOT_YET_VALID";
    /// A claim is missing, mistyped or has the wrong value. The reason is in the message only.
    JwtClaimInvalid { claim: String => "claim", reason: &'static str } = "ERR_JWT_CLAIM_INVALID";
    /// The validated token carries no ticket claim.
    TicketMissing = "ERR_TICKET_MISSING";
    /// The host's `fetch` failed, or answered a redirect (raised by the JS clients).
    FetchFailed = "ERR_FETCH_FAILED" @raised_by_js;
    /// A request exceeded its timeout (raised by the JS clients).
    Timeout = "ERR_TIMEOUT" @raised_by_js;
    /// The platform's random number generator failed.
    RandomUnavailable = "ERR_RANDOM_UNAVAILABLE";
    /// The OAuth token endpoint answered with an error body (`invalid_grant`, `invalid_client`, ...).
    OAuthError {
        error: String => "oauthError",
        description: Option<String> => "errorDescription",
    } = "ERR_OAUTH_ERROR";
    /// The `state` that came back to the redirect URL is missing or is not the one sent.
    StateMismatch = "ERR_STATE_MISMATCH";
    /// A NetServer agent answered with `ExceptionInfo` (or `Succeeded` false). The server's stack
    /// trace is never kept.
    NetServerException {
        server_message: Option<String> => "serverMessage",
        exception_type: Option<String> => "exceptionType",
        friendly_text: Option<String> => "friendlyText",
    } = "ERR_NETSERVER_EXCEPTION";
    /// The tenant refused the ticket: HTTP 401/403, or an `ExceptionInfo` of NetServer's
    /// authentication exception type (`crate::netserver`'s list). A new ticket may succeed where this
    /// one failed.
    TicketRejected {
        server_message: Option<String> => "serverMessage",
        status: Option<u16> => "status",
        exception_type: Option<String> => "exceptionType",
        friendly_text: Option<String> => "friendlyText",
    } = "ERR_TICKET_REJECTED";
    /// The tenant is not running (the state API says so) until `validUntil`: the client fails fast
    /// rather than exchange or call.
    TenantUnavailable {
        /// The state's name, or its number as text when SuperOffice did not document it.
        state: String => "state",
        /// The state's documented number, when known.
        state_code: Option<u32> => "stateCode",
        /// When the state API says to ask again (a `Date` in JS).
        valid_until: f64 => "validUntil",
    } = "ERR_TENANT_UNAVAILABLE" @raised_by_js;
    /// A webhook delivery failed verification (signature, event id, age) or is not a SuperOffice
    /// webhook event. `reason` is one of [`WEBHOOK_REASONS`]; nothing from the body or secret is kept.
    WebhookInvalid { reason: &'static str => "reason" } = "ERR_WEBHOOK_INVALID";
}

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
            Error::RandomUnavailable,
            Error::oauth("invalid_grant", None),
            Error::StateMismatch,
            Error::netserver_exception(None, None, None),
            Error::ticket_rejected(Some(401), None, None, None),
            Error::WebhookInvalid {
                reason: "signature-mismatch",
            },
        ];
        // Table order, less the codes only the JS layer raises.
        let raised_by_js = ["ERR_FETCH_FAILED", "ERR_TIMEOUT", "ERR_TENANT_UNAVAILABLE"];
        let rust_codes: Vec<&str> = CODES
            .iter()
            .copied()
            .filter(|code| !raised_by_js.contains(code))
            .collect();
        assert_eq!(samples.len() + raised_by_js.len(), CODES.len());
        let sample_codes: Vec<&str> = samples.iter().map(Error::code).collect();
        assert_eq!(sample_codes, rust_codes);
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
