//! The refresh-token grant: the request's form encoding (read back with an independent decoder), its
//! URL and argument checks, then a table of token endpoint answers, each with the result or error
//! code it must give.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{json, Value};
use superoffice_auth::{
    build_refresh_token_request, parse_token_response, resolve_base_url, Error,
    IdTokenExpectations, KeySet, PrivateKey, RefreshRequestParams, TokenResponseOptions,
};
use superoffice_auth::{HttpResponse, TokenResult};

const NOW_MS: f64 = 1_800_000_000_000.0;
const CLIENT_ID: &str = "6cf25376616343b38d14ddcd804f2891";
const SECRET: &str = "s3cr3t-client";
const REFRESH: &str = "r3fr3sh-token";
const ACCESS: &str = "8A:Cust12345.AccEss";
const SOD: &str = "https://sod.superoffice.com";
const KEY_PEM: &str = include_str!("fixtures/keys/rsa2048.pkcs8.pem");
const JWKS: &str = include_str!("fixtures/keys/rsa2048.jwks.json");

// ---------------------------------------------------------------------------------------------
// Request

fn params(base_url: &str) -> RefreshRequestParams<'_> {
    RefreshRequestParams {
        base_url,
        client_id: CLIENT_ID,
        client_secret: SECRET,
        refresh_token: REFRESH,
        redirect_uri: None,
    }
}

/// An `application/x-www-form-urlencoded` decoder written from the WHATWG URL standard's parser,
/// independent of our encoder: `+` is a space, `%XX` a byte, everything else itself.
fn form_decode(body: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                byte => out.push(byte),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    };
    body.split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (decode(name), decode(value))
        })
        .collect()
}

#[test]
fn request_shape() {
    let request = build_refresh_token_request(&params(SOD)).unwrap();
    assert_eq!(
        request.url,
        "https://sod.superoffice.com/login/common/oauth/tokens"
    );
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.headers,
        vec![
            (
                "Content-Type",
                "application/x-www-form-urlencoded".to_owned()
            ),
            ("Accept", "application/json".to_owned()),
        ]
    );
    assert_eq!(
        request.body,
        format!(
            "grant_type=refresh_token&client_id={CLIENT_ID}&client_secret={SECRET}&refresh_token={REFRESH}"
        )
    );
}

#[test]
fn awkward_values_round_trip() {
    let secret = "a&b=c+d e%f/g?h#i";
    let refresh = "r%2F~é漢😀\"'<>";
    let request = build_refresh_token_request(&RefreshRequestParams {
        client_secret: secret,
        refresh_token: refresh,
        redirect_uri: Some("https://app.example/callback?x=1&y=a%20b"),
        ..params(SOD)
    })
    .unwrap();
    // Only unreserved characters, `%`, `+`, `=` and `&` appear in the body.
    assert!(request
        .body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~%+=&".contains(&b)));
    assert_eq!(
        form_decode(&request.body),
        vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("client_id".to_owned(), CLIENT_ID.to_owned()),
            ("client_secret".to_owned(), secret.to_owned()),
            ("refresh_token".to_owned(), refresh.to_owned()),
            (
                "redirect_uri".to_owned(),
                "https://app.example/callback?x=1&y=a%20b".to_owned()
            ),
        ]
    );
    // The exact bytes for the characters the brief names.
    let request = build_refresh_token_request(&RefreshRequestParams {
        client_secret: "& = + é %",
        ..params(SOD)
    })
    .unwrap();
    assert!(request
        .body
        .contains("&client_secret=%26+%3D+%2B+%C3%A9+%25&"));
}

#[test]
fn urls_from_environment_and_base_url() {
    for (environment, base_url, expected) in [
        (
            Some("sod"),
            None,
            Ok("https://sod.superoffice.com/login/common/oauth/tokens"),
        ),
        (
            Some("stage"),
            None,
            Ok("https://qaonline.superoffice.com/login/common/oauth/tokens"),
        ),
        (
            Some("online"),
            None,
            Ok("https://online.superoffice.com/login/common/oauth/tokens"),
        ),
        (
            None,
            Some("http://127.0.0.1:8080/"),
            Ok("http://127.0.0.1:8080/login/common/oauth/tokens"),
        ),
        (
            None,
            Some("https://proxy.example/so"),
            Ok("https://proxy.example/so/login/common/oauth/tokens"),
        ),
        (
            None,
            Some("http://sod.superoffice.com"),
            Err("ERR_INVALID_ARGUMENT"),
        ),
        (
            None,
            Some("https://sod.superoffice.com?x=1"),
            Err("ERR_INVALID_ARGUMENT"),
        ),
        (
            None,
            Some("https://user@sod.superoffice.com"),
            Err("ERR_INVALID_ARGUMENT"),
        ),
        (Some("sod2"), None, Err("ERR_INVALID_ARGUMENT")),
        (Some("sod"), Some(SOD), Err("ERR_INVALID_ARGUMENT")),
        (None, None, Err("ERR_INVALID_ARGUMENT")),
    ] {
        let url = resolve_base_url(environment, base_url)
            .and_then(|base| build_refresh_token_request(&params(&base)).map(|r| r.url));
        assert_eq!(
            url.as_deref().map_err(Error::code),
            expected,
            "{environment:?} {base_url:?}"
        );
    }
}

type SetValue = fn(&mut RefreshRequestParams<'static>, &'static str);

#[test]
fn refused_arguments_are_named_not_echoed() {
    let credentials: [(&str, SetValue); 3] = [
        ("client id", |p, v| p.client_id = v),
        ("client secret", |p, v| p.client_secret = v),
        ("refresh token", |p, v| p.refresh_token = v),
    ];
    for (what, set) in credentials {
        for value in [
            "",
            "   ",
            "\t",
            "s3cr3t\n",
            "s3cr3t\r",
            "s3\u{0}cr3t",
            "s3cr3t\u{7F}",
            "s3cr3t\u{85}",
        ] {
            let mut p = params(SOD);
            set(&mut p, value);
            let error = build_refresh_token_request(&p).unwrap_err();
            assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{what} {value:?}");
            let message = error.to_string();
            assert!(message.contains(what), "{message}");
            assert!(!message.contains("s3cr3t"), "{message}");
        }
    }
    for redirect in [
        "",
        " ",
        "https://app.example/a b",
        "https://app.example/\n",
        "https://app.example/\u{0}",
        "https://app.example/callback#frag",
        "#",
    ] {
        let error = build_refresh_token_request(&RefreshRequestParams {
            redirect_uri: Some(redirect),
            ..params(SOD)
        })
        .unwrap_err();
        assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{redirect:?}");
        assert!(error.to_string().contains("redirect URI"), "{error}");
    }
}

// ---------------------------------------------------------------------------------------------
// Response

fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

fn keys() -> KeySet {
    KeySet::parse(JWKS).unwrap()
}

fn id_token(aud: &str) -> String {
    let header = r#"{"alg":"RS256","kid":"test-key-1"}"#;
    let payload = json!({
        "iss": SOD,
        "aud": aud,
        "exp": 1_800_000_300,
        "iat": "1799999900",
        "http://schemes.superoffice.net/identity/ctx": "Cust12345",
        "http://schemes.superoffice.net/identity/system_token": "MyApp-8k8Q7DmBgo",
    });
    let input = format!("{}.{}", b64(header), b64(payload.to_string()));
    let key = PrivateKey::parse(KEY_PEM).unwrap();
    let signature = key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(signature))
}

fn success(extra: Value) -> String {
    let mut body = json!({ "access_token": ACCESS, "token_type": "Bearer", "expires_in": 3600 });
    for (name, value) in extra.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(name);
        } else {
            body[name] = value.clone();
        }
    }
    body.to_string()
}

fn parse(status: u16, body: &str, with_id_token: bool) -> Result<TokenResult, Error> {
    let keys = keys();
    let options = TokenResponseOptions {
        now_ms: NOW_MS,
        id_token: with_id_token.then_some(IdTokenExpectations {
            keys: &keys,
            issuer: SOD,
            client_id: CLIENT_ID,
            nonce: None,
            leeway_seconds: 60,
        }),
    };
    parse_token_response(
        &HttpResponse {
            status,
            content_type: Some("application/json; charset=utf-8"),
            body,
        },
        &options,
    )
}

#[test]
fn success_without_id_token() {
    let result = parse(200, &success(json!({})), true).unwrap();
    assert_eq!(
        result,
        TokenResult {
            access_token: ACCESS.to_owned(),
            token_type: "Bearer",
            expires_at_ms: NOW_MS + 3_600_000.0,
            refresh_token: None,
            id_token_claims: None,
        }
    );
}

#[test]
fn success_with_id_token_and_rotated_refresh_token() {
    let body = success(json!({ "id_token": id_token(CLIENT_ID), "refresh_token": "new-refresh" }));
    let result = parse(200, &body, true).unwrap();
    assert_eq!(result.refresh_token.as_deref(), Some("new-refresh"));
    let claims = result.id_token_claims.unwrap();
    assert_eq!(claims.context_identifier, "Cust12345");
    assert_eq!(
        claims.require_system_user_token().unwrap(),
        "MyApp-8k8Q7DmBgo"
    );
    // Without expectations the id_token is not read, and no claims are handed out.
    assert_eq!(parse(200, &body, false).unwrap().id_token_claims, None);
    // An id_token for another client fails the whole response.
    let body = success(json!({ "id_token": id_token("another-client") }));
    assert_eq!(
        parse(200, &body, true).unwrap_err(),
        Error::claim("aud", "unexpected value")
    );
}

#[test]
fn oauth_errors_carry_their_fields() {
    let body =
        r#"{"error":"invalid_grant","error_description":"The refresh token has been revoked"}"#;
    let error = parse(400, body, true).unwrap_err();
    assert_eq!(error.code(), "ERR_OAUTH_ERROR");
    assert_eq!(
        error,
        Error::OAuthError {
            error: "invalid_grant".to_owned(),
            description: Some("The refresh token has been revoked".to_owned()),
        }
    );
    assert_eq!(
        parse(401, r#"{"error":"invalid_client"}"#, true).unwrap_err(),
        Error::OAuthError {
            error: "invalid_client".to_owned(),
            description: None,
        }
    );
}

/// One row per answer: status, body, and the error code it must give.
#[test]
fn token_response_table() {
    let huge = format!("{{\"access_token\":\"{}\"}}", "a".repeat(300 * 1024));
    let rows: Vec<(&str, u16, String, Result<f64, &str>)> = vec![
        // Successes and their expiry.
        (
            "bearer lower case",
            200,
            success(json!({ "token_type": "bearer" })),
            Ok(3600.0),
        ),
        (
            "expires_in string",
            200,
            success(json!({ "expires_in": "3600" })),
            Ok(3600.0),
        ),
        (
            "expires_in huge capped",
            200,
            success(json!({ "expires_in": 10_000_000_000u64 })),
            Ok(86_400.0),
        ),
        (
            "expires_in huge string capped",
            200,
            success(json!({ "expires_in": "99999999999999999999999" })),
            Ok(86_400.0),
        ),
        (
            "byte order mark",
            200,
            format!("\u{FEFF}{}", success(json!({}))),
            Ok(3600.0),
        ),
        ("201", 201, success(json!({})), Ok(3600.0)),
        (
            "no content type needed",
            200,
            success(json!({ "scope": "openid" })),
            Ok(3600.0),
        ),
        (
            "null refresh token",
            200,
            success(json!({ "refresh_token": null })),
            Ok(3600.0),
        ),
        // OAuth errors, whatever the status.
        (
            "invalid_grant 400",
            400,
            r#"{"error":"invalid_grant"}"#.into(),
            Err("ERR_OAUTH_ERROR"),
        ),
        (
            "invalid_client 401",
            401,
            r#"{"error":"invalid_client","error_description":"bad"}"#.into(),
            Err("ERR_OAUTH_ERROR"),
        ),
        (
            "error with 200",
            200,
            r#"{"error":"server_error"}"#.into(),
            Err("ERR_OAUTH_ERROR"),
        ),
        (
            "error beside a token",
            200,
            success(json!({ "error": "invalid_grant" })),
            Err("ERR_OAUTH_ERROR"),
        ),
        (
            "error with 500",
            500,
            r#"{"error":"temporarily_unavailable"}"#.into(),
            Err("ERR_OAUTH_ERROR"),
        ),
        (
            "mistyped description",
            400,
            r#"{"error":"invalid_grant","error_description":7}"#.into(),
            Err("ERR_OAUTH_ERROR"),
        ),
        // Non-2xx without an OAuth error body.
        (
            "html 502",
            502,
            "<!DOCTYPE html><html><body>Bad Gateway</body></html>".into(),
            Err("ERR_HTTP_STATUS"),
        ),
        ("empty 500", 500, String::new(), Err("ERR_HTTP_STATUS")),
        (
            "error not a string",
            400,
            r#"{"error":400}"#.into(),
            Err("ERR_HTTP_STATUS"),
        ),
        (
            "error empty",
            400,
            r#"{"error":""}"#.into(),
            Err("ERR_HTTP_STATUS"),
        ),
        (
            "duplicate error members",
            400,
            r#"{"error":"invalid_grant","error":"x"}"#.into(),
            Err("ERR_HTTP_STATUS"),
        ),
        (
            "token with 400",
            400,
            success(json!({})),
            Err("ERR_HTTP_STATUS"),
        ),
        ("redirect", 302, String::new(), Err("ERR_HTTP_STATUS")),
        // Malformed successes.
        (
            "not json",
            200,
            "access_token=x".into(),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "json array",
            200,
            "[]".into(),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        ("empty", 200, String::new(), Err("ERR_RESPONSE_MALFORMED")),
        (
            "duplicate access_token",
            200,
            format!(
                r#"{{"access_token":"{ACCESS}","access_token":"other","token_type":"Bearer","expires_in":3600}}"#
            ),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "duplicate through an escape",
            200,
            format!(
                r#"{{"access_token":"{ACCESS}","token_type":"Bearer","expires_in":3600,"expires\u005fin":1}}"#
            ),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "missing access_token",
            200,
            success(json!({ "access_token": null })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "empty access_token",
            200,
            success(json!({ "access_token": "" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "access_token number",
            200,
            success(json!({ "access_token": 1 })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "access_token with CRLF",
            200,
            success(json!({ "access_token": "8A:x\r\nX-Evil: 1" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "access_token with space",
            200,
            success(json!({ "access_token": "8A:x y" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "access_token non-ascii",
            200,
            success(json!({ "access_token": "8A:é" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "token_type missing",
            200,
            success(json!({ "token_type": null })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "token_type mac",
            200,
            success(json!({ "token_type": "mac" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "token_type bearer with space",
            200,
            success(json!({ "token_type": "Bearer " })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "token_type number",
            200,
            success(json!({ "token_type": 1 })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "expires_in missing",
            200,
            success(json!({ "expires_in": null })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "expires_in negative",
            200,
            success(json!({ "expires_in": -1 })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "expires_in zero",
            200,
            success(json!({ "expires_in": 0 })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "expires_in fraction",
            200,
            success(json!({ "expires_in": 3600.5 })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "expires_in words",
            200,
            success(json!({ "expires_in": "one hour" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "expires_in negative string",
            200,
            success(json!({ "expires_in": "-3600" })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "refresh_token number",
            200,
            success(json!({ "refresh_token": 1 })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "id_token object",
            200,
            success(json!({ "id_token": {} })),
            Err("ERR_RESPONSE_MALFORMED"),
        ),
        (
            "id_token garbage",
            200,
            success(json!({ "id_token": "abc" })),
            Err("ERR_JWT_MALFORMED"),
        ),
        // Size, before anything else.
        (
            "too large",
            200,
            huge.clone(),
            Err("ERR_RESPONSE_TOO_LARGE"),
        ),
        ("too large error", 400, huge, Err("ERR_RESPONSE_TOO_LARGE")),
    ];
    for (name, status, body, expected) in rows {
        match (parse(status, &body, true), expected) {
            (Ok(result), Ok(seconds)) => {
                assert_eq!(result.expires_at_ms, NOW_MS + seconds * 1000.0, "{name}");
                assert_eq!(result.access_token, ACCESS, "{name}");
                assert_eq!(result.token_type, "Bearer", "{name}");
            }
            (Err(error), Err(code)) => {
                assert_eq!(error.code(), code, "{name}: {error}");
                let message = error.to_string();
                for secret in [ACCESS, SECRET, REFRESH, "8A:"] {
                    assert!(!message.contains(secret), "{name}: {message}");
                }
                if let Error::HttpStatus { status: got } = error {
                    assert_eq!(got, status, "{name}");
                }
            }
            (result, expected) => panic!("{name}: expected {expected:?}, got {result:?}"),
        }
    }
}

#[test]
fn bad_now_is_refused() {
    for now_ms in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
        let error = parse_token_response(
            &HttpResponse {
                status: 200,
                content_type: None,
                body: &success(json!({})),
            },
            &TokenResponseOptions {
                now_ms,
                id_token: None,
            },
        )
        .unwrap_err();
        assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{now_ms}");
    }
}
