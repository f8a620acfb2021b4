//! RS256 JWT validation (RFC 7519, following RFC 8725's advice), on jsonwebtoken.
//!
//! jsonwebtoken verifies the signature (`crypto::verify`: base64url decoding of the signature, then our
//! RS256-only provider, which is rsa's verifier; both through [`crate::keyset::VerifyingKey`]) before
//! any claim is decoded. Around it, ours:
//!
//! - size first ([`MAX_TOKEN_BYTES`]), then the shape: three non-empty segments;
//! - the header, read strictly before jsonwebtoken sees it ([`header`]): `alg` must be `RS256` (the
//!   algorithm is ours, never the token's), `crit` is refused, `typ` if present must be `JWT`, and
//!   `kid`/`x5t` only choose among the keys the caller gave (`jwk`, `jku`, `x5u`, `x5c` never select a
//!   key); repeated member names are refused ([`crate::plumbing::json`]);
//! - claims decoded only after the signature verified, with repeated member names refused, kept in
//!   token order ([`verify`] says why not through `jsonwebtoken::decode`);
//! - time: jsonwebtoken's `exp`/`nbf` checks read the clock; ours run on the caller's `now`. `iss`,
//!   `aud` and `nonce` are ours too, with errors that name the claim.

mod header;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Error, Result};
use crate::keyset::KeySet;
use crate::plumbing::json::{self, Object, Value};

/// Tokens longer than this are refused before decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock-skew allowance when the caller gives none ([`crate::limits::LEEWAY_SECONDS`]).
#[allow(clippy::cast_possible_truncation)]
pub const DEFAULT_LEEWAY_SECONDS: u32 = crate::limits::LEEWAY_SECONDS.default as u32;
/// Largest leeway accepted: beyond this a "leeway" is really switching expiry off.
#[allow(clippy::cast_possible_truncation)]
pub const MAX_LEEWAY_SECONDS: u32 = crate::limits::LEEWAY_SECONDS.max as u32;
/// NumericDates past 9999-12-31 are not real times.
const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// A payload's claims, in the token's order.
pub type Claims = Object;

#[derive(Debug, Clone)]
pub struct ValidationOptions<'a> {
    /// Current time, epoch milliseconds.
    pub now_ms: f64,
    pub leeway_seconds: u32,
    /// Required `iss`, when given.
    pub issuer: Option<&'a str>,
    /// Required member of `aud`, when given.
    pub audience: Option<&'a str>,
    /// Required `nonce`, when given.
    pub nonce: Option<&'a str>,
}

impl ValidationOptions<'_> {
    pub fn at(now_ms: f64) -> Self {
        ValidationOptions {
            now_ms,
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
            issuer: None,
            audience: None,
            nonce: None,
        }
    }
}

/// Validates a compact RS256 JWS and its registered claims; returns the payload's claims.
///
/// Without `options.audience`, a token that names any audience is refused (RFC 7519 §4.1.3: a token
/// whose `aud` does not name us is not for us, and without an expected audience nothing names us).
pub fn validate_token(jwt: &str, keys: &KeySet, options: &ValidationOptions<'_>) -> Result<Claims> {
    let claims = validate_token_leaving_audience(jwt, keys, options)?;
    if options.audience.is_none() && claims.contains_key("aud") {
        return Err(Error::claim("aud", "unexpected value"));
    }
    Ok(claims)
}

/// [`validate_token`], except that without `options.audience` the `aud` claim is left to the caller,
/// which must check it: for the system-user token it is `spn:` + the token's own `serial` claim, known
/// only once the claims are read ([`crate::ticket`]).
pub(crate) fn validate_token_leaving_audience(
    jwt: &str,
    keys: &KeySet,
    options: &ValidationOptions<'_>,
) -> Result<Claims> {
    let now = checked_now_seconds(options.now_ms)?;
    if options.leeway_seconds > MAX_LEEWAY_SECONDS {
        return Err(Error::InvalidArgument(
            "leewaySeconds must be between 0 and 3600",
        ));
    }
    let parts = split_compact(jwt)?;
    let header = header::read(parts.header)?;
    let claims = verify(&parts, &header, keys)?;
    check_times(&claims, now, f64::from(options.leeway_seconds))?;
    if let Some(issuer) = options.issuer {
        check_issuer(&claims, issuer)?;
    }
    if let Some(audience) = options.audience {
        check_audience(&claims, audience)?;
    }
    if let Some(nonce) = options.nonce {
        check_string_claim(&claims, "nonce", nonce)?;
    }
    Ok(claims)
}

/// `now` in seconds, after checking it is a real time (finite, not negative, before year 10000).
pub(crate) fn checked_now_seconds(now_ms: f64) -> Result<f64> {
    if !now_ms.is_finite() || now_ms < 0.0 || now_ms / 1000.0 > MAX_NUMERIC_DATE {
        return Err(Error::InvalidArgument("now must be a valid time"));
    }
    Ok(now_ms / 1000.0)
}

struct Compact<'a> {
    header: &'a str,
    payload: &'a str,
    /// `header.payload`, the bytes the signature covers.
    signing_input: &'a str,
    signature: &'a str,
}

/// The shape of a compact JWS, checked before anything is decoded so that errors say what is wrong.
fn split_compact(jwt: &str) -> Result<Compact<'_>> {
    if jwt.len() > MAX_TOKEN_BYTES {
        return Err(Error::JwtMalformed("JWT exceeds 16 KiB"));
    }
    if jwt.starts_with('{') {
        return Err(Error::JwtMalformed(
            "JWT must use the compact serialization",
        ));
    }
    let segments: Vec<&str> = jwt.splitn(4, '.').collect();
    let [header, payload, signature] = segments[..] else {
        return Err(Error::JwtMalformed("JWT must have three segments"));
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(Error::JwtMalformed("JWT has an empty segment"));
    }
    let signing_input = jwt
        .get(..header.len() + 1 + payload.len())
        .ok_or(Error::JwtMalformed("JWT must have three segments"))?;
    Ok(Compact {
        header,
        payload,
        signing_input,
        signature,
    })
}

/// Verifies the signature with each candidate key in turn (jsonwebtoken's `crypto::verify`, which
/// decodes the signature and calls our provider), then decodes the claims: only once a signature has
/// verified.
///
/// Why not `jsonwebtoken::decode`: after verifying, it deserialises the claims into its own
/// `ClaimsForValidation`, which fails on an `exp`, `nbf` or `aud` of an unexpected JSON type with an
/// error that does not name the claim, before our checks could word it; and it cannot refuse repeated
/// member names. Splitting the token is three lines; the rest is the crate's.
fn verify(parts: &Compact<'_>, header: &header::Header, keys: &KeySet) -> Result<Claims> {
    let mut candidates = keys
        .candidates(header.kid.as_deref(), header.x5t.as_deref())
        .peekable();
    if candidates.peek().is_none() {
        return Err(Error::JwtKeyNotFound);
    }
    let message = parts.signing_input.as_bytes();
    let mut verified = false;
    for key in candidates {
        if key.verify_jws_signature(message, parts.signature)? {
            verified = true;
            break;
        }
    }
    if !verified {
        return Err(Error::JwtSignatureInvalid);
    }
    let payload = URL_SAFE_NO_PAD
        .decode(parts.payload)
        .map_err(|_| Error::JwtMalformed("JWT segment is not unpadded base64url"))?;
    json::parse_object(&payload).ok_or(Error::JwtMalformed("JWT payload is not a JSON object"))
}

/// A NumericDate claim, if present: a finite, non-negative JSON number no later than year 9999.
fn numeric_date(claims: &Claims, name: &'static str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => match number.as_f64() {
            Some(value) if value.is_finite() && (0.0..=MAX_NUMERIC_DATE).contains(&value) => {
                Ok(Some(value))
            }
            _ => Err(Error::claim(name, "must be a NumericDate")),
        },
        Some(_) => Err(Error::claim(name, "must be a NumericDate")),
    }
}

/// `iat`, if present: a NumericDate, or a string of decimal digits read as one.
///
/// SuperOffice's id_tokens carry `"iat": "1581665207"`, a string (its documentation's decoded example
/// id_token shows it; System.IdentityModel writes a claim added as text that way). Refusing it would
/// refuse every real SuperIdToken. `iat` only guards against a token from the future, so reading its
/// string form weakens nothing; `exp` and `nbf`, which decide validity, stay strict. Only plain digits
/// are read (no sign, space, fraction or exponent), at most 12 of them.
fn issued_at(claims: &Claims) -> Result<Option<f64>> {
    match claims.get("iat") {
        Some(Value::String(text)) => {
            let digits =
                !text.is_empty() && text.len() <= 12 && text.bytes().all(|b| b.is_ascii_digit());
            match text.parse::<u64>() {
                // At most 12 digits, so the conversion to f64 is exact.
                #[allow(clippy::cast_precision_loss)]
                Ok(value) if digits && (value as f64) <= MAX_NUMERIC_DATE => Ok(Some(value as f64)),
                _ => Err(Error::claim("iat", "must be a NumericDate")),
            }
        }
        _ => numeric_date(claims, "iat"),
    }
}

fn check_times(claims: &Claims, now: f64, leeway: f64) -> Result<()> {
    let exp = numeric_date(claims, "exp")?.ok_or_else(|| Error::claim("exp", "missing"))?;
    let nbf = numeric_date(claims, "nbf")?;
    let iat = issued_at(claims)?;
    if now >= exp + leeway {
        return Err(Error::JwtExpired);
    }
    // A token issued or valid only in the future means one of the clocks is wrong; refuse it.
    if nbf.is_some_and(|nbf| nbf > now + leeway) || iat.is_some_and(|iat| iat > now + leeway) {
        return Err(Error::JwtNotYetValid);
    }
    Ok(())
}

fn check_issuer(claims: &Claims, expected: &str) -> Result<()> {
    check_string_claim(claims, "iss", expected)
}

fn check_string_claim(claims: &Claims, name: &'static str, expected: &str) -> Result<()> {
    match claims.get(name) {
        None => Err(Error::claim(name, "missing")),
        Some(Value::String(value)) if value == expected => Ok(()),
        Some(Value::String(_)) => Err(Error::claim(name, "unexpected value")),
        Some(_) => Err(Error::claim(name, "must be a string")),
    }
}

/// `aud` is a string or a non-empty array of strings; `expected` must be one of them, exactly.
pub fn check_audience(claims: &Claims, expected: &str) -> Result<()> {
    match claims.get("aud") {
        None => Err(Error::claim("aud", "missing")),
        Some(Value::String(aud)) if aud == expected => Ok(()),
        Some(Value::String(_)) => Err(Error::claim("aud", "unexpected value")),
        Some(Value::Array(items)) => {
            if items.is_empty() || !items.iter().all(Value::is_string) {
                return Err(Error::claim(
                    "aud",
                    "must be a string or an array of strings",
                ));
            }
            if items.iter().any(|item| item.as_str() == Some(expected)) {
                Ok(())
            } else {
                Err(Error::claim("aud", "unexpected value"))
            }
        }
        Some(_) => Err(Error::claim(
            "aud",
            "must be a string or an array of strings",
        )),
    }
}
