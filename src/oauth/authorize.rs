//! The first step of the authorization code flow and of the system-user approval: the URL that sends
//! a person's browser to SuperOffice's authorize endpoint, what comes back at the redirect URL, and
//! the code's exchange at the token endpoint (RFC 6749 §4.1, OpenID Connect Core §3.1 and §3.2,
//! PKCE RFC 7636). The token endpoint's answer is read by [`super::token::parse_token_response`].
//!
//! Decisions, the authorization request:
//!
//! - `GET {base}/login/common/oauth/authorize` with, in this order, `response_type`, `client_id`,
//!   `redirect_uri`, `scope`, `state`, `nonce`, then `code_challenge` and `code_challenge_method`
//!   (code flow), `response_mode`, `prompt`, `login_hint`, `acr_values` when they apply. Encoded by
//!   `form_urlencoded` (the WHATWG serializer: a space becomes `+`, every byte outside
//!   `A-Z a-z 0-9 * - . _` is `%XX`), which every query parser reads back unchanged.
//! - `response_type` is `code` (hybrid and interactive sign-in) or `id_token` (the administrator's
//!   approval of a system-user application, which brings the SuperIdToken). `code id_token` and
//!   others are refused: nothing here would check the extra token.
//! - `state`, `nonce` and the PKCE verifier are 32 bytes each from the platform CSPRNG (`getrandom`),
//!   written as base64url without padding: 43 characters, 256 bits, which also is RFC 7636's
//!   recommended verifier. A nonce is sent for `code` too, so that the id_token of the code exchange
//!   can be bound to this request.
//! - PKCE is always on for `code`, and only `S256`: RFC 7636 §4.2 allows `plain` only when S256 is
//!   impossible, which it never is here, and SuperOffice supports S256. `id_token` has no code to
//!   protect, so no challenge is sent (asking for S256 with it is refused rather than ignored).
//! - `scope` defaults to `openid` and must contain it (SuperOffice requires it, and without it no
//!   id_token comes back to check the nonce against).
//! - `response_mode`: `code` defaults to the endpoint's default (`query`), `id_token` to `form_post`,
//!   so the token goes to the server in a POST body, never into a URL, a log line or a `Referer`.
//!   `query` with `id_token` is refused (OpenID Connect forbids it).
//! - `redirect_uri` must be non-empty, without whitespace, control characters or a fragment (RFC 6749
//!   §3.1.2); it is otherwise not parsed, because native apps register custom schemes.
//!   `context_identifier` becomes `acr_values=tenant:{ctx}`, which skips SuperOffice's tenant choice.
//!
//! Decisions, the authorization response:
//!
//! - It arrives as `application/x-www-form-urlencoded` text: a query string (with or without its
//!   `?`), a fragment (with its `#`), or a form_post body. Parsed by `form_urlencoded`; a name given
//!   twice is [`Error::ResponseMalformed`] (RFC 6749 §3.1), as is anything over
//!   [`http::MAX_RESPONSE_BYTES`] ([`Error::ResponseTooLarge`]).
//! - `state` is checked first, before `error`, as oauth4webapi does: a missing or different `state`
//!   is [`Error::StateMismatch`], whatever else the response says, so a forged error page cannot
//!   pass for SuperOffice's. The comparison does not stop at the first differing byte.
//! - Then `error` (with `error_description`) is [`Error::OAuthError`], e.g. `access_denied` when the
//!   person declines.
//! - Then `code` and/or `id_token`: at least one, non-empty, without control characters. The id_token
//!   is returned as text; validating it (signature, issuer, audience, nonce) is
//!   [`super::superid::parse_super_id_token`]'s job, which needs keys this function does not take.
//!
//! Decisions, the code exchange:
//!
//! - `POST {base}/login/common/oauth/tokens`, form fields `grant_type=authorization_code`,
//!   `client_id`, `client_secret`, `code`, `redirect_uri`, `code_verifier`, authenticated in the body
//!   like the refresh grant ([`super::token`]). `redirect_uri` is required (RFC 6749 §4.1.3: it was in
//!   the authorization request) and so is the verifier (every request made here carries a challenge;
//!   a caller without a verifier has lost the value that makes a stolen code useless).
//! - The verifier must be RFC 7636 §4.1's 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.

use super::token::TOKENS_PATH;
use crate::error::{Error, Result};
use crate::plumbing::args;
use crate::plumbing::environment::check_base_url;
use crate::plumbing::form::form_post;
use crate::plumbing::http::{self, HttpRequest};
// base64ct's encoder (already linked for key material) rather than base64's: with every encoding
// through base64ct, the base64 crate's encoder is not linked into the .wasm at all (1.9 KB
// gzipped); its decoder stays (jsonwebtoken's).
use base64ct::{Base64UrlUnpadded, Encoding as _};
use sha2::{Digest, Sha256};

/// Path of the authorize endpoint below the environment's host.
pub const AUTHORIZE_PATH: &str = "/login/common/oauth/authorize";
/// Bytes of randomness in each of `state`, `nonce` and the PKCE verifier.
pub const RANDOM_BYTES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// The authorization code flow: a code to exchange for tokens (hybrid and interactive sign-in).
    Code,
    /// The system-user approval: the SuperIdToken itself, posted to the redirect URL.
    IdToken,
}

impl ResponseType {
    /// `code` or `id_token`, exactly.
    pub fn parse(name: &str) -> Result<ResponseType> {
        match name {
            "code" => Ok(ResponseType::Code),
            "id_token" => Ok(ResponseType::IdToken),
            _ => Err(Error::InvalidArgument(
                "response type must be 'code' or 'id_token'",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::IdToken => "id_token",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

impl ResponseMode {
    /// `query`, `fragment` or `form_post`, exactly.
    pub fn parse(name: &str) -> Result<ResponseMode> {
        match name {
            "query" => Ok(ResponseMode::Query),
            "fragment" => Ok(ResponseMode::Fragment),
            "form_post" => Ok(ResponseMode::FormPost),
            _ => Err(Error::InvalidArgument(
                "response mode must be 'query', 'fragment' or 'form_post'",
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Query => "query",
            ResponseMode::Fragment => "fragment",
            ResponseMode::FormPost => "form_post",
        }
    }
}

pub struct AuthorizationRequestParams<'a> {
    /// Scheme and host (and optional path prefix), no trailing slash needed.
    pub base_url: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub response_type: ResponseType,
    /// Default `openid`; must contain `openid`.
    pub scope: Option<&'a str>,
    /// Default: none for `code` (the endpoint's `query`), `form_post` for `id_token`.
    pub response_mode: Option<ResponseMode>,
    /// OpenID Connect `prompt` (`login`, `consent`, `select_account`, `none`), sent as given.
    pub prompt: Option<&'a str>,
    /// A SuperID user name to prefill.
    pub login_hint: Option<&'a str>,
    /// The tenant, sent as `acr_values=tenant:{ctx}` to skip the tenant choice.
    pub context_identifier: Option<&'a str>,
    /// Only `S256` is accepted; `None` means S256 for `code` and no PKCE for `id_token`.
    pub code_challenge_method: Option<&'a str>,
}

/// The values an authorization request is made of besides its parameters. Fresh for every request:
/// [`AuthorizationSecrets::generate`]. Tests give fixed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationSecrets {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
}

impl AuthorizationSecrets {
    /// Three independent 256-bit values from the platform CSPRNG, base64url without padding.
    pub fn generate() -> Result<AuthorizationSecrets> {
        Ok(AuthorizationSecrets {
            state: random_value()?,
            nonce: random_value()?,
            code_verifier: random_value()?,
        })
    }
}

fn random_value() -> Result<String> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| Error::RandomUnavailable)?;
    Ok(Base64UrlUnpadded::encode_string(&bytes))
}

/// The URL to send the browser to, and what to keep until the redirect comes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub nonce: String,
    /// The PKCE verifier for the code exchange; `None` for `id_token`.
    pub code_verifier: Option<String>,
}

/// Builds an authorization request with fresh `state`, `nonce` and PKCE verifier.
pub fn create_authorization_request(
    params: &AuthorizationRequestParams<'_>,
) -> Result<AuthorizationRequest> {
    // Arguments first: a bad one is reported as such, not after drawing randomness.
    check_authorization_params(params)?;
    build_authorization_request(params, AuthorizationSecrets::generate()?)
}

/// Builds an authorization request from given secrets (tests; callers use
/// [`create_authorization_request`]).
pub fn build_authorization_request(
    params: &AuthorizationRequestParams<'_>,
    secrets: AuthorizationSecrets,
) -> Result<AuthorizationRequest> {
    let response_mode = check_authorization_params(params)?;
    let base = check_base_url(params.base_url)?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("response_type", params.response_type.as_str())
        .append_pair("client_id", params.client_id)
        .append_pair("redirect_uri", params.redirect_uri)
        .append_pair("scope", params.scope.unwrap_or("openid"))
        .append_pair("state", &secrets.state)
        .append_pair("nonce", &secrets.nonce);
    let code_verifier = match params.response_type {
        ResponseType::Code => {
            check_code_verifier(&secrets.code_verifier)?;
            query
                .append_pair("code_challenge", &code_challenge(&secrets.code_verifier))
                .append_pair("code_challenge_method", "S256");
            Some(secrets.code_verifier)
        }
        ResponseType::IdToken => None,
    };
    if let Some(mode) = response_mode {
        query.append_pair("response_mode", mode.as_str());
    }
    if let Some(prompt) = params.prompt {
        query.append_pair("prompt", prompt);
    }
    if let Some(hint) = params.login_hint {
        query.append_pair("login_hint", hint);
    }
    if let Some(ctx) = params.context_identifier {
        query.append_pair("acr_values", &format!("tenant:{ctx}"));
    }
    Ok(AuthorizationRequest {
        url: format!("{base}{AUTHORIZE_PATH}?{}", query.finish()),
        state: secrets.state,
        nonce: secrets.nonce,
        code_verifier,
    })
}

/// Checks the parameters and returns the response mode to send, if any.
fn check_authorization_params(
    params: &AuthorizationRequestParams<'_>,
) -> Result<Option<ResponseMode>> {
    check_base_url(params.base_url)?;
    check_plain(
        params.client_id,
        "client id must be non-empty, without control characters",
    )?;
    args::redirect_uri(params.redirect_uri)?;
    if let Some(scope) = params.scope {
        check_plain(scope, "scope must be non-empty, without control characters")?;
        if !scope.split(' ').any(|item| item == "openid") {
            return Err(Error::InvalidArgument("scope must include openid"));
        }
    }
    for (value, message) in [
        (
            params.prompt,
            "prompt must be non-empty, without control characters",
        ),
        (
            params.login_hint,
            "login hint must be non-empty, without control characters",
        ),
        (
            params.context_identifier,
            "context identifier must be non-empty, without control characters",
        ),
    ] {
        if let Some(value) = value {
            check_plain(value, message)?;
        }
    }
    match (params.response_type, params.code_challenge_method) {
        (_, None) | (ResponseType::Code, Some("S256")) => {}
        (ResponseType::Code, Some(_)) => {
            return Err(Error::InvalidArgument(
                "code challenge method must be S256 (plain is not offered)",
            ))
        }
        (ResponseType::IdToken, Some(_)) => {
            return Err(Error::InvalidArgument(
                "PKCE applies to response type code; id_token has no code to protect",
            ))
        }
    }
    match (params.response_type, params.response_mode) {
        (ResponseType::IdToken, Some(ResponseMode::Query)) => Err(Error::InvalidArgument(
            "an id_token must not travel in a query string: use form_post or fragment",
        )),
        (ResponseType::IdToken, None) => Ok(Some(ResponseMode::FormPost)),
        (_, mode) => Ok(mode),
    }
}

/// Non-empty, not only whitespace, no control characters.
fn check_plain(value: &str, message: &'static str) -> Result<()> {
    args::plain(value, message, message)
}

/// RFC 7636 §4.1: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.
pub fn check_code_verifier(verifier: &str) -> Result<()> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(unreserved) {
        return Err(Error::InvalidArgument(
            "code verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
        ));
    }
    Ok(())
}

/// RFC 7636 §4.2, S256: `BASE64URL(SHA256(ASCII(verifier)))`, no padding.
pub fn code_challenge(verifier: &str) -> String {
    Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()))
}

/// What arrived at the redirect URL, once `state` matched and no error was reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    pub code: Option<String>,
    /// Not yet validated: see [`super::superid::parse_super_id_token`].
    pub id_token: Option<String>,
}

/// Reads the parameters the redirect brought (query string, fragment or form_post body) and checks
/// `state` against the one kept from [`create_authorization_request`].
pub fn parse_authorization_response(
    parameters: &str,
    expected_state: &str,
) -> Result<AuthorizationResponse> {
    if expected_state.is_empty() {
        return Err(Error::InvalidArgument(
            "state must be the non-empty value kept from the authorization request",
        ));
    }
    http::check_size(parameters)?;
    let text = parameters
        .strip_prefix('?')
        .or_else(|| parameters.strip_prefix('#'))
        .unwrap_or(parameters);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(text.as_bytes()) {
        if pairs.iter().any(|(seen, _)| *seen == name) {
            return Err(Error::ResponseMalformed(
                "the authorization response names a parameter twice",
            ));
        }
        pairs.push((name.into_owned(), value.into_owned()));
    }
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(seen, _)| seen == name)
            .map(|(_, value)| value.as_str())
    };
    match get("state") {
        Some(state) if same_text(state, expected_state) => {}
        _ => return Err(Error::StateMismatch),
    }
    if let Some(error) = get("error").filter(|error| !error.trim().is_empty()) {
        return Err(Error::oauth(error, get("error_description")));
    }
    let code = response_value(
        get("code"),
        "the authorization code contains a control character",
    )?;
    let id_token = response_value(get("id_token"), "the id_token contains a control character")?;
    if code.is_none() && id_token.is_none() {
        return Err(Error::ResponseMalformed(
            "the authorization response has neither a code nor an id_token",
        ));
    }
    Ok(AuthorizationResponse { code, id_token })
}

/// An optional value of the response: absent or empty is `None`; control characters are refused.
fn response_value(value: Option<&str>, control: &'static str) -> Result<Option<String>> {
    match value {
        None | Some("") => Ok(None),
        Some(value) if value.chars().any(char::is_control) => {
            Err(Error::ResponseMalformed(control))
        }
        Some(value) => Ok(Some(value.to_owned())),
    }
}

/// Equal text, compared without stopping at the first difference.
fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

pub struct AuthorizationCodeRequestParams<'a> {
    /// Scheme and host (and optional path prefix), no trailing slash needed.
    pub base_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub code: &'a str,
    /// Exactly the one sent in the authorization request.
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
}

/// The authorization code grant request (RFC 6749 §4.1.3 with RFC 7636 §4.5).
pub fn build_authorization_code_request(
    params: &AuthorizationCodeRequestParams<'_>,
) -> Result<HttpRequest> {
    let base = check_base_url(params.base_url)?;
    check_plain(
        params.client_id,
        "client id must be non-empty, without control characters",
    )?;
    check_plain(
        params.client_secret,
        "client secret must be non-empty, without control characters",
    )?;
    check_plain(
        params.code,
        "authorization code must be non-empty, without control characters",
    )?;
    args::redirect_uri(params.redirect_uri)?;
    check_code_verifier(params.code_verifier)?;
    Ok(form_post(
        format!("{base}{TOKENS_PATH}"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", params.client_id),
            ("client_secret", params.client_secret),
            ("code", params.code),
            ("redirect_uri", params.redirect_uri),
            ("code_verifier", params.code_verifier),
        ],
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::plumbing::http::MAX_RESPONSE_BYTES;

    /// RFC 7636 Appendix B: the verifier's 32 octets, the verifier, and its S256 challenge.
    const RFC7636_OCTETS: [u8; 32] = [
        116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37,
        77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const RFC7636_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC7636_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn params(response_type: ResponseType) -> AuthorizationRequestParams<'static> {
        AuthorizationRequestParams {
            base_url: "https://sod.superoffice.com",
            client_id: "my client",
            redirect_uri: "https://app.example/callback?x=1&y=2",
            response_type,
            scope: None,
            response_mode: None,
            prompt: None,
            login_hint: None,
            context_identifier: None,
            code_challenge_method: None,
        }
    }

    fn fixed() -> AuthorizationSecrets {
        AuthorizationSecrets {
            state: "st&te=1".to_owned(),
            nonce: "n+nce".to_owned(),
            code_verifier: RFC7636_VERIFIER.to_owned(),
        }
    }

    /// The query of a URL as name/value pairs, decoded by form_urlencoded.
    fn query(url: &str) -> Vec<(String, String)> {
        let (_, query) = url.split_once('?').unwrap();
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            Base64UrlUnpadded::encode_string(&RFC7636_OCTETS),
            RFC7636_VERIFIER
        );
        assert_eq!(code_challenge(RFC7636_VERIFIER), RFC7636_CHALLENGE);
        let request = build_authorization_request(&params(ResponseType::Code), fixed()).unwrap();
        let pairs = query(&request.url);
        assert!(pairs.contains(&("code_challenge".into(), RFC7636_CHALLENGE.into())));
        assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
        assert_eq!(request.code_verifier.as_deref(), Some(RFC7636_VERIFIER));
    }

    #[test]
    fn code_request_url() {
        let request = build_authorization_request(
            &AuthorizationRequestParams {
                prompt: Some("login"),
                login_hint: Some("ada@example.com"),
                context_identifier: Some("Cust12345"),
                ..params(ResponseType::Code)
            },
            fixed(),
        )
        .unwrap();
        assert!(request
            .url
            .starts_with("https://sod.superoffice.com/login/common/oauth/authorize?response_type=code&client_id=my+client&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback%3Fx%3D1%26y%3D2&scope=openid&state=st%26te%3D1&nonce=n%2Bnce&"));
        let expected: Vec<(String, String)> = [
            ("response_type", "code"),
            ("client_id", "my client"),
            ("redirect_uri", "https://app.example/callback?x=1&y=2"),
            ("scope", "openid"),
            ("state", "st&te=1"),
            ("nonce", "n+nce"),
            ("code_challenge", RFC7636_CHALLENGE),
            ("code_challenge_method", "S256"),
            ("prompt", "login"),
            ("login_hint", "ada@example.com"),
            ("acr_values", "tenant:Cust12345"),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        assert_eq!(query(&request.url), expected);
        assert_eq!(request.state, "st&te=1");
        assert_eq!(request.nonce, "n+nce");
    }

    #[test]
    fn id_token_request_url() {
        let request = build_authorization_request(&params(ResponseType::IdToken), fixed()).unwrap();
        let pairs = query(&request.url);
        assert!(pairs.contains(&("response_type".into(), "id_token".into())));
        assert!(pairs.contains(&("response_mode".into(), "form_post".into())));
        assert!(!pairs.iter().any(|(name, _)| name.starts_with("code_")));
        assert_eq!(request.code_verifier, None);
        let fragment = build_authorization_request(
            &AuthorizationRequestParams {
                response_mode: Some(ResponseMode::Fragment),
                ..params(ResponseType::IdToken)
            },
            fixed(),
        )
        .unwrap();
        assert!(query(&fragment.url).contains(&("response_mode".into(), "fragment".into())));
    }

    #[test]
    fn generated_values_are_fresh_and_long() {
        let a = create_authorization_request(&params(ResponseType::Code)).unwrap();
        let b = create_authorization_request(&params(ResponseType::Code)).unwrap();
        let verifier = a.code_verifier.clone().unwrap();
        for value in [&a.state, &a.nonce, &verifier] {
            // 43 base64url characters carry 258 bits, of which 256 are random.
            assert_eq!(value.len(), 43);
            assert!(check_code_verifier(value).is_ok());
        }
        assert_ne!(a.state, a.nonce);
        assert_ne!(a.state, b.state);
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.code_verifier, b.code_verifier);
        let challenge = query(&a.url)
            .into_iter()
            .find(|(name, _)| name == "code_challenge")
            .unwrap()
            .1;
        assert_eq!(challenge, code_challenge(&verifier));
    }

    #[test]
    fn refused_request_parameters() {
        let code = || params(ResponseType::Code);
        let id = || params(ResponseType::IdToken);
        let rows: Vec<(&str, AuthorizationRequestParams<'static>)> = vec![
            (
                "client id",
                AuthorizationRequestParams {
                    client_id: "",
                    ..code()
                },
            ),
            (
                "client id",
                AuthorizationRequestParams {
                    client_id: "a\nb",
                    ..code()
                },
            ),
            (
                "redirect URI",
                AuthorizationRequestParams {
                    redirect_uri: "",
                    ..code()
                },
            ),
            (
                "redirect URI",
                AuthorizationRequestParams {
                    redirect_uri: "https://a/b c",
                    ..code()
                },
            ),
            (
                "redirect URI",
                AuthorizationRequestParams {
                    redirect_uri: "https://a/b#f",
                    ..code()
                },
            ),
            (
                "scope",
                AuthorizationRequestParams {
                    scope: Some(""),
                    ..code()
                },
            ),
            (
                "openid",
                AuthorizationRequestParams {
                    scope: Some("profile"),
                    ..code()
                },
            ),
            (
                "openid",
                AuthorizationRequestParams {
                    scope: Some("openidx"),
                    ..code()
                },
            ),
            (
                "S256",
                AuthorizationRequestParams {
                    code_challenge_method: Some("plain"),
                    ..code()
                },
            ),
            (
                "S256",
                AuthorizationRequestParams {
                    code_challenge_method: Some("s256"),
                    ..code()
                },
            ),
            (
                "PKCE",
                AuthorizationRequestParams {
                    code_challenge_method: Some("S256"),
                    ..id()
                },
            ),
            (
                "query string",
                AuthorizationRequestParams {
                    response_mode: Some(ResponseMode::Query),
                    ..id()
                },
            ),
            (
                "prompt",
                AuthorizationRequestParams {
                    prompt: Some(" "),
                    ..code()
                },
            ),
            (
                "login hint",
                AuthorizationRequestParams {
                    login_hint: Some("a\u{0}"),
                    ..code()
                },
            ),
            (
                "context identifier",
                AuthorizationRequestParams {
                    context_identifier: Some(""),
                    ..code()
                },
            ),
            (
                "https",
                AuthorizationRequestParams {
                    base_url: "http://sod.superoffice.com",
                    ..code()
                },
            ),
        ];
        for (what, row) in rows {
            let error = create_authorization_request(&row).unwrap_err();
            assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{what}");
            assert!(error.to_string().contains(what), "{what}: {error}");
        }
        // Scope lists that include openid are fine.
        let ok = AuthorizationRequestParams {
            scope: Some("openid offline_access"),
            ..code()
        };
        assert!(create_authorization_request(&ok).is_ok());
        // A fixed verifier outside RFC 7636's alphabet or length is refused too.
        let short = AuthorizationSecrets {
            code_verifier: "abc".into(),
            ..fixed()
        };
        assert!(build_authorization_request(&code(), short).is_err());
    }

    #[test]
    fn response_table() {
        type Expected =
            std::result::Result<(Option<&'static str>, Option<&'static str>), &'static str>;
        let rows: Vec<(&str, Expected)> = vec![
            ("code=abc&state=s1", Ok((Some("abc"), None))),
            ("?code=abc&state=s1", Ok((Some("abc"), None))),
            ("#id_token=a.b.c&state=s1", Ok((None, Some("a.b.c")))),
            (
                "state=s1&code=a%2Bb+c&session_state=x",
                Ok((Some("a+b c"), None)),
            ),
            (
                "code=c&id_token=a.b.c&state=s1",
                Ok((Some("c"), Some("a.b.c"))),
            ),
            ("code=abc", Err("ERR_STATE_MISMATCH")),
            ("code=abc&state=", Err("ERR_STATE_MISMATCH")),
            ("code=abc&state=s2", Err("ERR_STATE_MISMATCH")),
            ("code=abc&state=s1x", Err("ERR_STATE_MISMATCH")),
            ("code=abc&state=S1", Err("ERR_STATE_MISMATCH")),
            ("error=access_denied", Err("ERR_STATE_MISMATCH")),
            ("error=access_denied&state=s2", Err("ERR_STATE_MISMATCH")),
            ("error=access_denied&state=s1", Err("ERR_OAUTH_ERROR")),
            (
                "error=access_denied&code=abc&state=s1",
                Err("ERR_OAUTH_ERROR"),
            ),
            ("state=s1", Err("ERR_RESPONSE_MALFORMED")),
            ("code=&state=s1", Err("ERR_RESPONSE_MALFORMED")),
            ("code=a&code=b&state=s1", Err("ERR_RESPONSE_MALFORMED")),
            ("code=a&state=s1&state=s1", Err("ERR_RESPONSE_MALFORMED")),
            ("code=a%0Ab&state=s1", Err("ERR_RESPONSE_MALFORMED")),
            ("", Err("ERR_STATE_MISMATCH")),
        ];
        for (input, expected) in rows {
            let got = parse_authorization_response(input, "s1");
            match (got, expected) {
                (Ok(response), Ok((code, id_token))) => {
                    assert_eq!(response.code.as_deref(), code, "{input}");
                    assert_eq!(response.id_token.as_deref(), id_token, "{input}");
                }
                (Err(error), Err(code)) => assert_eq!(error.code(), code, "{input}"),
                (got, _) => panic!("{input}: unexpected {got:?}"),
            }
        }
    }

    #[test]
    fn response_error_details_and_limits() {
        let error = parse_authorization_response(
            "error=access_denied&error_description=The+user+declined&state=s1",
            "s1",
        )
        .unwrap_err();
        assert_eq!(
            error,
            Error::oauth("access_denied", Some("The user declined"))
        );
        assert_eq!(
            parse_authorization_response("code=a&state=s1", "")
                .unwrap_err()
                .code(),
            "ERR_INVALID_ARGUMENT"
        );
        let huge = format!("code={}&state=s1", "a".repeat(MAX_RESPONSE_BYTES));
        assert_eq!(
            parse_authorization_response(&huge, "s1")
                .unwrap_err()
                .code(),
            "ERR_RESPONSE_TOO_LARGE"
        );
    }

    use proptest::prelude::*;

    /// Text a caller may pass as a parameter: any characters but controls, whitespace and `#`, which
    /// the checks refuse in a redirect URI (and controls everywhere).
    fn value() -> impl Strategy<Value = String> {
        "[^\\p{Cc}\\s#]{1,40}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the values, the URL's query decodes back to exactly the parameters given.
        #[test]
        fn request_parameters_survive_encoding(
            client_id in value(), redirect_uri in value(), login_hint in value(), ctx in value(),
        ) {
            let request = build_authorization_request(
                &AuthorizationRequestParams {
                    client_id: &client_id,
                    redirect_uri: &redirect_uri,
                    login_hint: Some(&login_hint),
                    context_identifier: Some(&ctx),
                    ..params(ResponseType::Code)
                },
                fixed(),
            )
            .unwrap();
            let pairs = query(&request.url);
            let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
            prop_assert_eq!(get("client_id"), Some(client_id));
            prop_assert_eq!(get("redirect_uri"), Some(redirect_uri));
            prop_assert_eq!(get("login_hint"), Some(login_hint));
            prop_assert_eq!(get("acr_values"), Some(format!("tenant:{ctx}")));
            prop_assert_eq!(pairs.len(), 10);
        }

        /// Any text at the redirect gives an answer or a coded error, never a panic; a code comes back
        /// only with the expected state.
        #[test]
        fn any_redirect_text_is_answered(text in ".{0,200}", state in "[a-zA-Z0-9_-]{1,20}") {
            match parse_authorization_response(&text, &state) {
                Ok(response) => {
                    let decoded: Vec<(String, String)> =
                        form_urlencoded::parse(text.trim_start_matches(['?', '#']).as_bytes()).into_owned().collect();
                    prop_assert!(decoded.contains(&("state".to_owned(), state.clone())));
                    prop_assert!(response.code.is_some() || response.id_token.is_some());
                }
                Err(error) => prop_assert!(crate::error::CODES.contains(&error.code())),
            }
        }

        /// A code and a state, encoded: read back exactly when the states agree.
        #[test]
        fn codes_come_back_with_their_state(code in ".{1,60}", sent in ".{1,20}", kept in ".{1,20}") {
            let text = form_urlencoded::Serializer::new(String::new())
                .append_pair("code", &code)
                .append_pair("state", &sent)
                .finish();
            match parse_authorization_response(&text, &kept) {
                Ok(response) => {
                    prop_assert_eq!(&sent, &kept);
                    prop_assert_eq!(response.code, Some(code));
                }
                Err(Error::StateMismatch) => prop_assert_ne!(&sent, &kept),
                Err(error) => {
                    prop_assert_eq!(&sent, &kept);
                    prop_assert!(code.chars().any(char::is_control), "{error:?}");
                }
            }
        }
    }

    #[test]
    fn code_exchange_request() {
        let request = build_authorization_code_request(&AuthorizationCodeRequestParams {
            base_url: "https://online.superoffice.com/",
            client_id: "my client",
            client_secret: "s&cret=",
            code: "c+d/e",
            redirect_uri: "http://127.0.0.1:8080/cb",
            code_verifier: RFC7636_VERIFIER,
        })
        .unwrap();
        assert_eq!(
            request.url,
            "https://online.superoffice.com/login/common/oauth/tokens"
        );
        assert_eq!(request.method, "POST");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(request.body.as_bytes())
            .into_owned()
            .collect();
        let expected: Vec<(String, String)> = [
            ("grant_type", "authorization_code"),
            ("client_id", "my client"),
            ("client_secret", "s&cret="),
            ("code", "c+d/e"),
            ("redirect_uri", "http://127.0.0.1:8080/cb"),
            ("code_verifier", RFC7636_VERIFIER),
        ]
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
        assert_eq!(pairs, expected);
        assert!(request.headers.contains(&(
            "Content-Type",
            "application/x-www-form-urlencoded".to_owned()
        )));
    }

    #[test]
    fn refused_code_exchange_parameters() {
        let good = || AuthorizationCodeRequestParams {
            base_url: "https://sod.superoffice.com",
            client_id: "c",
            client_secret: "s",
            code: "code",
            redirect_uri: "https://app.example/cb",
            code_verifier: RFC7636_VERIFIER,
        };
        let long = "a".repeat(129);
        let long: &'static str = Box::leak(long.into_boxed_str());
        for (what, params) in [
            (
                "client id",
                AuthorizationCodeRequestParams {
                    client_id: "",
                    ..good()
                },
            ),
            (
                "client secret",
                AuthorizationCodeRequestParams {
                    client_secret: "x\r",
                    ..good()
                },
            ),
            (
                "authorization code",
                AuthorizationCodeRequestParams {
                    code: " ",
                    ..good()
                },
            ),
            (
                "redirect URI",
                AuthorizationCodeRequestParams {
                    redirect_uri: "a b",
                    ..good()
                },
            ),
            (
                "code verifier",
                AuthorizationCodeRequestParams {
                    code_verifier: "",
                    ..good()
                },
            ),
            (
                "code verifier",
                AuthorizationCodeRequestParams {
                    code_verifier: &RFC7636_VERIFIER[1..],
                    ..good()
                },
            ),
            (
                "code verifier",
                AuthorizationCodeRequestParams {
                    code_verifier: long,
                    ..good()
                },
            ),
            (
                "code verifier",
                AuthorizationCodeRequestParams {
                    code_verifier: "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk",
                    ..good()
                },
            ),
        ] {
            let error = build_authorization_code_request(&params).unwrap_err();
            assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{what}");
            assert!(error.to_string().contains(what), "{what}: {error}");
            assert!(!error.to_string().contains("s&cret"));
        }
        assert!(
            build_authorization_code_request(&AuthorizationCodeRequestParams {
                code_verifier: &long[..128],
                ..good()
            })
            .is_ok()
        );
    }
}
