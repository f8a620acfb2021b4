//! RS256 JWT validation (RFC 7519, following RFC 8725's advice).
//!
//! The algorithm is ours, never the token's: only `RS256` is accepted and `jwk`, `jku`, `x5u`, `x5c`
//! never select a key; `kid`/`x5t` only choose among the keys the caller gave. The signature is checked
//! before any claim is read, so an unsigned payload cannot steer validation.

use crate::error::{Error, Result};
use crate::json::{self, Object, Value};
use crate::keyset::KeySet;

/// Tokens longer than this are refused before decoding.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Clock-skew allowance when the caller gives none.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 60;
/// Largest leeway accepted: beyond this a "leeway" is really switching expiry off.
pub const MAX_LEEWAY_SECONDS: u32 = 3600;
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
pub fn validate_token(jwt: &str, keys: &KeySet, options: &ValidationOptions<'_>) -> Result<Claims> {
    let now = checked_now_seconds(options.now_ms)?;
    if options.leeway_seconds > MAX_LEEWAY_SECONDS {
        return Err(Error::InvalidArgument(
            "leewaySeconds must be between 0 and 3600",
        ));
    }
    let parts = split_compact(jwt)?;
    let header = decode_header(parts.header)?;
    verify_signature(&parts, &header, keys)?;

    let payload = decode_segment(parts.payload)?;
    let claims = json::parse_object(&payload)
        .ok_or(Error::JwtMalformed("JWT payload is not a JSON object"))?;
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

fn split_compact(jwt: &str) -> Result<Compact<'_>> {
    if jwt.len() > MAX_TOKEN_BYTES {
        return Err(Error::JwtMalformed("JWT exceeds 16 KiB"));
    }
    if jwt.starts_with('{') {
        return Err(Error::JwtMalformed(
            "JWT must use the compact serialization",
        ));
    }
    let mut segments = jwt.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
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

/// base64url without padding, as RFC 7515 requires; anything else (padding, `+`, `/`, whitespace,
/// non-canonical trailing bits) is refused.
fn decode_segment(segment: &str) -> Result<Vec<u8>> {
    decode_base64url(segment.as_bytes())
        .ok_or(Error::JwtMalformed("JWT segment is not unpadded base64url"))
}

/// Value of each base64url character, 0xff for anything else.
const BASE64URL: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Strict unpadded base64url (RFC 7515 §2): the alphabet only, no padding or whitespace, and the
/// unused low bits of the last character zero. Table-driven and variable time, which is fine for a
/// token's segments (public data); base64ct's constant-time decoder, meant for secrets, was ~10% of a
/// whole validation.
fn decode_base64url(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut chunks = input.chunks_exact(4);
    for chunk in &mut chunks {
        let word = sextets(chunk)?;
        out.extend_from_slice(&word.to_be_bytes()[1..]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let word = sextets(rest)?;
        // 2 characters carry 1 byte (4 spare bits), 3 carry 2 bytes (2 spare bits).
        let spare = if rest.len() == 2 { 4 } else { 2 };
        if word & ((1 << spare) - 1) != 0 {
            return None;
        }
        let bytes = (word >> spare).to_be_bytes();
        out.extend_from_slice(&bytes[4 - (rest.len() - 1)..]);
    }
    Some(out)
}

/// Up to four base64url characters as their 6-bit values packed into a word; `None` for any
/// character outside the alphabet.
fn sextets(chars: &[u8]) -> Option<u32> {
    chars.iter().try_fold(0u32, |word, &c| {
        let v = BASE64URL[usize::from(c)];
        (v != 0xff).then(|| (word << 6) | u32::from(v))
    })
}

struct Header {
    kid: Option<String>,
    x5t: Option<String>,
}

fn decode_header(segment: &str) -> Result<Header> {
    let bytes = decode_segment(segment)?;
    let header =
        json::parse_object(&bytes).ok_or(Error::JwtMalformed("JWT header is not a JSON object"))?;
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "RS256" => {}
        _ => return Err(Error::JwtAlgNotAllowed),
    }
    // We implement no extension, so any critical one is one we do not understand (RFC 7515 §4.1.11),
    // including `b64` (RFC 7797), which would change what the signature covers.
    if header.contains_key("crit") {
        return Err(Error::JwtMalformed(
            "JWT names a critical header extension we do not support",
        ));
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

fn verify_signature(parts: &Compact<'_>, header: &Header, keys: &KeySet) -> Result<()> {
    let signature = decode_segment(parts.signature)?;
    let mut candidates = keys
        .candidates(header.kid.as_deref(), header.x5t.as_deref())
        .peekable();
    if candidates.peek().is_none() {
        return Err(Error::JwtKeyNotFound);
    }
    let message = parts.signing_input.as_bytes();
    if candidates.any(|key| key.verify_pkcs1v15_sha256(message, &signature)) {
        Ok(())
    } else {
        Err(Error::JwtSignatureInvalid)
    }
}

/// A NumericDate claim, if present: a finite, non-negative JSON number no later than year 9999.
fn numeric_date(claims: &Claims, name: &'static str) -> Result<Option<f64>> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(number)) => match number.as_f64() {
            value if value.is_finite() && (0.0..=MAX_NUMERIC_DATE).contains(&value) => {
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

#[cfg(test)]
mod base64_tests {
    #![allow(clippy::unwrap_used)]
    use super::decode_base64url;
    use base64ct::{Base64UrlUnpadded, Encoding};

    #[test]
    fn agrees_with_base64ct_on_every_short_input_shape() {
        let alphabet = b"AQgw_-+/=. \nzZ09";
        // Every string of length 0..=5 over a mixed alphabet (valid, invalid, padding, whitespace).
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let next: Vec<Vec<u8>> = inputs
                .iter()
                .flat_map(|prefix| {
                    alphabet.iter().map(move |&c| {
                        let mut longer = prefix.clone();
                        longer.push(c);
                        longer
                    })
                })
                .collect();
            inputs.extend(next.iter().filter(|s| s.len() <= 5).cloned());
            inputs.dedup();
        }
        inputs.sort();
        inputs.dedup();
        for input in &inputs {
            let text = std::str::from_utf8(input).unwrap();
            assert_eq!(
                decode_base64url(input),
                Base64UrlUnpadded::decode_vec(text).ok(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for len in 0..data.len() {
            let encoded = Base64UrlUnpadded::encode_string(&data[..len]);
            assert_eq!(decode_base64url(encoded.as_bytes()).unwrap(), &data[..len]);
        }
    }
}
