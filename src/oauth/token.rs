//! The refresh-token flow (RFC 6749 §6): the request to SuperOffice's token endpoint and its answer.
//!
//! Decisions, request:
//!
//! - `POST {base}/login/common/oauth/tokens`, `application/x-www-form-urlencoded`, fields in the order
//!   `grant_type`, `client_id`, `client_secret`, `refresh_token`, then `redirect_uri` when given. The
//!   client authenticates with body parameters, as SuperOffice's documentation shows, not HTTP Basic.
//! - The body is written by the one token-endpoint writer ([`crate::plumbing::form`]).
//! - The base URL is checked by the same rules as the ticket request's
//!   ([`crate::plumbing::environment::check_base_url`]). Client id, client secret and refresh token must be
//!   non-blank and free of control characters (a refresh token read from a file with its newline is
//!   refused here, rather than turning into `invalid_grant` later); other characters are encoded.
//!   `redirect_uri`, when given, follows the one redirect-URI rule ([`args::redirect_uri`]: no
//!   whitespace, control characters or fragment, RFC 6749 §3.1.2), the same as the authorization
//!   request's, since the server compares the two.
//!   Messages name the argument, never its value.
//!
//! Decisions, response:
//!
//! - Size first: over [`http::MAX_RESPONSE_BYTES`] is [`Error::ResponseTooLarge`], whatever the status.
//! - The body is read as strict JSON whatever the `Content-Type` says: the token endpoint speaks
//!   only JSON, and proxies mislabel. A leading byte order mark is skipped. Duplicate member names are
//!   refused (see [`crate::plumbing::json`]).
//! - An OAuth error body (RFC 6749 §5.2: an object whose `error` is a non-empty string) is
//!   [`Error::oauth`] with `error` and, when it is a string, `error_description`, whatever the status:
//!   the RFC says 400, SuperOffice may answer 401, and a proxy may change it. `error` wins over an
//!   `access_token` in the same body: a body that claims both is not a success we can trust.
//! - A non-2xx status without such a body is [`Error::HttpStatus`] (a proxy's HTML error page, an
//!   empty 502); a 2xx without it must be a token response, or it is [`Error::ResponseMalformed`].
//! - Success: `access_token` a non-empty string of visible ASCII (it becomes an `Authorization`
//!   header value, so CR, LF or a space in it would be header injection or breakage; SuperOffice's
//!   tokens, `8A:Cust12345...`, are not RFC 6750 `b64token`s, so that narrower syntax is not
//!   required). `token_type` must be `Bearer` in any ASCII case (RFC 6749 §5.1 says case-insensitive)
//!   and is returned as `Bearer`. `expires_in` is required (RFC 6749 only recommends it, but without
//!   it we cannot tell when to refresh, and SuperOffice sends it): a positive integer, as a JSON number
//!   or a string of digits; a lifetime over [`MAX_EXPIRES_IN_SECONDS`] is read as that maximum, which
//!   costs an early refresh at worst, while believing an absurd lifetime could pin a token in a cache
//!   for years. `refresh_token`, when present and non-blank, is returned: SuperOffice may rotate it,
//!   and the caller must then store the new one. Absent, null or blank reads as absent; another type
//!   is malformed.
//! - `id_token`: with [`TokenResponseOptions::id_token`] given, a present id_token is validated as a
//!   SuperIdToken ([`super::superid::parse_super_id_token`]) and its claims returned; a response without
//!   one is still a success (a refresh need not re-issue it), unless a nonce is expected: that is the
//!   answer to a code exchange, which OpenID Connect says always carries one. Without expectations the id_token is not
//!   read, and no claims are returned: unvalidated claims are never handed out. Its type is checked
//!   either way.
//! - No error message carries the client secret, the refresh token or the access token; the only
//!   text copied from a response is an OAuth error's `error` and `error_description`, which are the
//!   server's words, truncated by [`Error::oauth`].

use super::superid::{self, SuperIdClaims, SuperIdOptions};
use crate::error::{Error, Result};
use crate::jwt;
use crate::keyset::KeySet;
use crate::plumbing::args;
use crate::plumbing::environment::check_base_url;
use crate::plumbing::form::form_post;
use crate::plumbing::http::{self, HttpRequest, HttpResponse};
use crate::plumbing::json::{self, Object, Value};

/// Path of the token endpoint below the environment's host.
pub const TOKENS_PATH: &str = "/login/common/oauth/tokens";
/// Longest access-token lifetime believed: one day (SuperOffice issues one hour).
pub const MAX_EXPIRES_IN_SECONDS: u64 = 86_400;

pub struct RefreshRequestParams<'a> {
    /// Scheme and host (and optional path prefix), no trailing slash needed.
    pub base_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub refresh_token: &'a str,
    /// Sent when given; some registrations require the one used when the token was issued.
    pub redirect_uri: Option<&'a str>,
}

/// Builds the refresh-token grant request.
pub fn build_refresh_token_request(params: &RefreshRequestParams<'_>) -> Result<HttpRequest> {
    let base = check_base_url(params.base_url)?;
    args::plain(
        params.client_id,
        "client id is empty",
        "client id contains a control character",
    )?;
    args::plain(
        params.client_secret,
        "client secret is empty",
        "client secret contains a control character",
    )?;
    args::plain(
        params.refresh_token,
        "refresh token is empty",
        "refresh token contains a control character",
    )?;
    if let Some(redirect_uri) = params.redirect_uri {
        args::redirect_uri(redirect_uri)?;
    }
    let mut fields = vec![
        ("grant_type", "refresh_token"),
        ("client_id", params.client_id),
        ("client_secret", params.client_secret),
        ("refresh_token", params.refresh_token),
    ];
    if let Some(redirect_uri) = params.redirect_uri {
        fields.push(("redirect_uri", redirect_uri));
    }
    Ok(form_post(format!("{base}{TOKENS_PATH}"), &fields))
}

/// How to validate an id_token found in a token response.
#[derive(Debug, Clone)]
pub struct IdTokenExpectations<'a> {
    pub keys: &'a KeySet,
    /// The exact `iss` ([`super::superid::resolve_issuer`]).
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce of the original authorization request, when the caller kept it.
    pub nonce: Option<&'a str>,
    pub leeway_seconds: u32,
}

#[derive(Debug, Clone)]
pub struct TokenResponseOptions<'a> {
    /// Current time, epoch milliseconds: `expires_at_ms` is counted from it.
    pub now_ms: f64,
    /// `None`: an id_token in the response is not read, and no claims are returned.
    pub id_token: Option<IdTokenExpectations<'a>>,
}

/// A successful token response.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenResult {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// `now + expires_in`, epoch milliseconds.
    pub expires_at_ms: f64,
    /// A new refresh token, when the server rotated it: store it in place of the old one.
    pub refresh_token: Option<String>,
    /// The validated id_token's claims, when there was one and expectations were given.
    pub id_token_claims: Option<SuperIdClaims>,
}

/// Reads the token endpoint's answer: the tokens, or the error it describes.
pub fn parse_token_response(
    response: &HttpResponse<'_>,
    options: &TokenResponseOptions<'_>,
) -> Result<TokenResult> {
    jwt::checked_now_seconds(options.now_ms)?;
    let body = http::body(response)?;
    let object = json::parse_object(body.as_bytes());
    if let Some(error) = object.as_ref().and_then(oauth_error) {
        return Err(error);
    }
    if !http::is_success(response.status) {
        return Err(Error::HttpStatus {
            status: response.status,
        });
    }
    let object = object.ok_or(Error::ResponseMalformed(
        "the token response is not a JSON object, or names a member twice",
    ))?;
    read_success(&object, options)
}

/// An RFC 6749 §5.2 error body, if this is one.
fn oauth_error(object: &Object) -> Option<Error> {
    let error = object.get("error")?.as_str()?;
    if error.trim().is_empty() {
        return None;
    }
    // A mistyped description does not hide the error code, which is what callers act on.
    let description = object.get("error_description").and_then(Value::as_str);
    Some(Error::oauth(error, description))
}

fn read_success(object: &Object, options: &TokenResponseOptions<'_>) -> Result<TokenResult> {
    let access_token = match object.get("access_token") {
        Some(Value::String(token)) if !token.is_empty() => token,
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(Error::ResponseMalformed(
                "the token response has no access_token",
            ))
        }
        Some(_) => {
            return Err(Error::ResponseMalformed(
                "the token response's access_token is not a string",
            ))
        }
    };
    if !access_token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::ResponseMalformed(
            "the access token contains characters a header cannot carry",
        ));
    }
    match object.get("token_type") {
        Some(Value::String(kind)) if kind.eq_ignore_ascii_case("bearer") => {}
        Some(_) => {
            return Err(Error::ResponseMalformed(
                "the token response's token_type is not Bearer",
            ))
        }
        None => {
            return Err(Error::ResponseMalformed(
                "the token response has no token_type",
            ))
        }
    }
    let expires_in = expires_in(object.get("expires_in"))?;
    let refresh_token = match object.get("refresh_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(token)) if token.trim().is_empty() => None,
        Some(Value::String(token)) => Some(token.clone()),
        Some(_) => {
            return Err(Error::ResponseMalformed(
                "the token response's refresh_token is not a string",
            ))
        }
    };
    let id_token = match object.get("id_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(token)) if token.trim().is_empty() => None,
        Some(Value::String(token)) => Some(token.as_str()),
        Some(_) => {
            return Err(Error::ResponseMalformed(
                "the token response's id_token is not a string",
            ))
        }
    };
    let id_token_claims = match (id_token, &options.id_token) {
        (Some(token), Some(expect)) => Some(superid::parse_super_id_token(
            token,
            expect.keys,
            &SuperIdOptions {
                issuer: expect.issuer,
                client_id: expect.client_id,
                nonce: expect.nonce,
                now_ms: options.now_ms,
                leeway_seconds: expect.leeway_seconds,
            },
        )?),
        // A caller that gives a nonce is answering its own authorization request: OpenID Connect's
        // code flow always returns an id_token, and without one the nonce would go unchecked.
        (None, Some(expect)) if expect.nonce.is_some() => {
            return Err(Error::ResponseMalformed(
                "the token response has no id_token to check the nonce against",
            ))
        }
        _ => None,
    };
    // Both are small integers (now before year 10000, lifetime at most a day): the sum is exact.
    #[allow(clippy::cast_precision_loss)]
    let expires_at_ms = options.now_ms + (expires_in * 1000) as f64;
    Ok(TokenResult {
        access_token: access_token.clone(),
        token_type: "Bearer",
        expires_at_ms,
        refresh_token,
        id_token_claims,
    })
}

/// `expires_in`: a positive integer, as a JSON number or a digit string; capped at
/// [`MAX_EXPIRES_IN_SECONDS`].
fn expires_in(value: Option<&Value>) -> Result<u64> {
    const BAD: Error =
        Error::ResponseMalformed("the token response's expires_in is not a positive integer");
    let seconds = match value {
        None => {
            return Err(Error::ResponseMalformed(
                "the token response has no expires_in",
            ))
        }
        Some(Value::Number(number)) => match number.as_u64() {
            Some(seconds) => seconds,
            // Written with a fraction or exponent, or beyond u64: read as an f64.
            // A whole positive one is accepted (`3600.0`, `1e300`), capped like any other.
            None => match number.as_f64() {
                Some(value) if value.is_finite() && value >= 1.0 && value.fract() == 0.0 => {
                    // The cap is far below 2^53, so both conversions are exact where they matter.
                    #[allow(
                        clippy::cast_precision_loss,
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss
                    )]
                    if value >= MAX_EXPIRES_IN_SECONDS as f64 {
                        MAX_EXPIRES_IN_SECONDS
                    } else {
                        value as u64
                    }
                }
                _ => return Err(BAD),
            },
        },
        Some(Value::String(text)) => {
            if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BAD);
            }
            // All digits, so a parse failure can only be overflow: huge, not wrong.
            text.parse::<u64>().unwrap_or(MAX_EXPIRES_IN_SECONDS)
        }
        Some(_) => return Err(BAD),
    };
    if seconds == 0 {
        return Err(BAD);
    }
    Ok(seconds.min(MAX_EXPIRES_IN_SECONDS))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_expected_requires_the_id_token() {
        let keys = KeySet::default();
        let expect = |nonce| TokenResponseOptions {
            now_ms: 0.0,
            id_token: Some(IdTokenExpectations {
                keys: &keys,
                issuer: "https://sod.superoffice.com",
                client_id: "app",
                nonce,
                leeway_seconds: 60,
            }),
        };
        let response = HttpResponse {
            status: 200,
            content_type: None,
            body: r#"{"access_token":"8A:x","token_type":"Bearer","expires_in":3600}"#,
        };
        // A refresh answer need not carry an id_token; the answer to a code exchange (a nonce kept) must.
        assert!(parse_token_response(&response, &expect(None)).is_ok());
        assert_eq!(
            parse_token_response(&response, &expect(Some("n"))).unwrap_err(),
            Error::ResponseMalformed(
                "the token response has no id_token to check the nonce against"
            )
        );
    }

    #[test]
    fn expires_in_table() {
        let cap = Ok(MAX_EXPIRES_IN_SECONDS);
        for (json, expected) in [
            ("3600", Ok(3600)),
            ("\"3600\"", Ok(3600)),
            ("\"03600\"", Ok(3600)),
            ("1", Ok(1)),
            ("86400", Ok(86_400)),
            ("86401", cap),
            ("\"99999999999999999999999\"", cap),
            ("18446744073709551616", cap),
            ("1e300", cap),
            ("0", Err(())),
            ("\"0\"", Err(())),
            ("-1", Err(())),
            ("-1e300", Err(())),
            ("3600.0", Ok(3600)),
            ("3.6e3", Ok(3600)),
            ("3600.5", Err(())),
            ("\"3600.0\"", Err(())),
            ("\"-3600\"", Err(())),
            ("\" 3600\"", Err(())),
            ("\"\"", Err(())),
            ("\"1h\"", Err(())),
            ("null", Err(())),
            ("true", Err(())),
            ("[3600]", Err(())),
        ] {
            let value = json::parse(json.as_bytes()).unwrap();
            assert_eq!(expires_in(Some(&value)).map_err(|_| ()), expected, "{json}");
        }
        assert!(expires_in(None).is_err());
    }
}
