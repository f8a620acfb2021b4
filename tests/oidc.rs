//! SuperIdToken (OpenID Connect id_token) validation: a table of tokens minted with the RFC 7515 A.2
//! key, shaped like SuperOffice's documented example, each with the claims or error it must give.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{json, Map, Value};
use superoffice_auth::{
    parse_super_id_token, resolve_issuer, Environment, Error, KeySet, PrivateKey, SuperIdClaims,
    SuperIdOptions,
};

const RFC: &str = include_str!("fixtures/rfc/rfc7515-a2.json");
const RFC_PEM: &str = include_str!("fixtures/rfc/rfc7515-a2.pem");

const NOW_MS: f64 = 1_800_000_000_000.0;
const EXP: u64 = 1_800_000_300;
const CLIENT_ID: &str = "6cf25376616343b38d14ddcd804f2891";
const NONCE: &str = "637172620046685267.NmU2ZmRj";
const SOD: &str = "https://sod.superoffice.com";
const P: &str = "http://schemes.superoffice.net/identity/";

fn keys() -> KeySet {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let jwk = &rfc["jwk"];
    let jwks = json!({ "keys": [{ "kty": "RSA", "n": jwk["n"], "e": jwk["e"], "kid": "rfc" }] });
    KeySet::parse(&jwks.to_string()).unwrap()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    Base64UrlUnpadded::encode_string(bytes.as_ref())
}

fn mint(payload: &Map<String, Value>) -> String {
    let header = r#"{"alg":"RS256","kid":"rfc","typ":"JWT"}"#;
    let input = format!(
        "{}.{}",
        b64(header),
        b64(Value::Object(payload.clone()).to_string())
    );
    let key = PrivateKey::parse(RFC_PEM).unwrap();
    let signature = key.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(signature))
}

/// SuperOffice's documented example id_token, with our times (`iat` a string, as SuperOffice sends it).
fn payload() -> Map<String, Value> {
    let Value::Object(map) = json!({
        "sub": "tony@superoffice.com",
        format!("{P}associateid"): "5",
        format!("{P}identityprovider"): "central-superid",
        format!("{P}email"): "tony@superoffice.com",
        format!("{P}upn"): "tony@superoffice.com",
        format!("{P}is_administrator"): "False",
        format!("{P}ctx"): "Cust26759",
        format!("{P}company_name"): "Tonys Developer Network",
        format!("{P}serial"): "1801550193",
        format!("{P}netserver_url"): "https://sod.superoffice.com/Cust26759/Remote/Services86/",
        format!("{P}webapi_url"): "https://sod.superoffice.com/Cust26759/api/",
        format!("{P}system_token"): "SuperOffice DevNet Node OIDC-8k8Q7DmBgo",
        "iat": "1799999900",
        "nonce": NONCE,
        "nbf": 1_799_999_840,
        "exp": EXP,
        "iss": SOD,
        "aud": CLIENT_ID,
    }) else {
        unreachable!()
    };
    map
}

fn options() -> SuperIdOptions<'static> {
    SuperIdOptions {
        issuer: SOD,
        client_id: CLIENT_ID,
        nonce: Some(NONCE),
        now_ms: NOW_MS,
        leeway_seconds: 60,
    }
}

fn with(changes: &[(&str, Value)]) -> Map<String, Value> {
    let mut map = payload();
    for (name, value) in changes {
        let name = name
            .strip_prefix('/')
            .map_or_else(|| (*name).to_owned(), |short| format!("{P}{short}"));
        if value.is_null() {
            map.remove(&name);
        } else {
            map.insert(name, value.clone());
        }
    }
    map
}

#[test]
fn documented_example_validates_to_typed_claims() {
    let claims = parse_super_id_token(&mint(&payload()), &keys(), &options()).unwrap();
    let SuperIdClaims {
        system_user_token,
        context_identifier,
        email,
        upn,
        associate_id,
        is_administrator,
        netserver_url,
        webapi_url,
        serial,
        claims,
    } = claims;
    assert_eq!(
        system_user_token.as_deref(),
        Some("SuperOffice DevNet Node OIDC-8k8Q7DmBgo")
    );
    assert_eq!(context_identifier, "Cust26759");
    assert_eq!(email.as_deref(), Some("tony@superoffice.com"));
    assert_eq!(upn.as_deref(), Some("tony@superoffice.com"));
    assert_eq!(associate_id.as_deref(), Some("5"));
    assert!(!is_administrator);
    assert_eq!(
        netserver_url.as_deref(),
        Some("https://sod.superoffice.com/Cust26759/Remote/Services86/")
    );
    assert_eq!(
        webapi_url.as_deref(),
        Some("https://sod.superoffice.com/Cust26759/api/")
    );
    assert_eq!(serial.as_deref(), Some("1801550193"));
    // Every claim comes back, as serde_json reads our writing of them.
    let written: Value = serde_json::to_value(&claims).unwrap();
    assert_eq!(written, Value::Object(payload()));
}

type Check = fn(&SuperIdClaims) -> bool;
/// Name, payload, options, and the check or error the token must give.
type Row = (
    &'static str,
    Map<String, Value>,
    SuperIdOptions<'static>,
    Result<Check, Error>,
);

#[test]
fn id_token_table() {
    let stage = Environment::Stage.issuer();
    let rows: Vec<Row> = vec![
        // Nonce.
        (
            "nonce mismatch",
            with(&[("nonce", "other".into())]),
            options(),
            Err(Error::claim("nonce", "unexpected value")),
        ),
        (
            "nonce missing when expected",
            with(&[("nonce", Value::Null)]),
            options(),
            Err(Error::claim("nonce", "missing")),
        ),
        (
            "nonce number",
            with(&[("nonce", 1.into())]),
            options(),
            Err(Error::claim("nonce", "must be a string")),
        ),
        (
            "nonce present, not expected",
            payload(),
            SuperIdOptions {
                nonce: None,
                ..options()
            },
            Ok(|_| true),
        ),
        (
            "nonce absent, not expected",
            with(&[("nonce", Value::Null)]),
            SuperIdOptions {
                nonce: None,
                ..options()
            },
            Ok(|_| true),
        ),
        // Audience and authorized party.
        (
            "wrong audience",
            with(&[("aud", "someone-else".into())]),
            options(),
            Err(Error::claim("aud", "unexpected value")),
        ),
        (
            "audience case differs",
            with(&[("aud", CLIENT_ID.to_uppercase().into())]),
            options(),
            Err(Error::claim("aud", "unexpected value")),
        ),
        (
            "audience array containing us",
            with(&[("aud", json!(["other", CLIENT_ID]))]),
            options(),
            Ok(|_| true),
        ),
        (
            "audience array without us",
            with(&[("aud", json!(["other"]))]),
            options(),
            Err(Error::claim("aud", "unexpected value")),
        ),
        (
            "audience missing",
            with(&[("aud", Value::Null)]),
            options(),
            Err(Error::claim("aud", "missing")),
        ),
        (
            "azp us",
            with(&[("azp", CLIENT_ID.into())]),
            options(),
            Ok(|_| true),
        ),
        (
            "azp other",
            with(&[("azp", "other".into())]),
            options(),
            Err(Error::claim("azp", "unexpected value")),
        ),
        // Issuer.
        (
            "stage token checked against sod",
            with(&[("iss", stage.into())]),
            options(),
            Err(Error::claim("iss", "unexpected value")),
        ),
        (
            "stage token checked against stage",
            with(&[("iss", stage.into())]),
            SuperIdOptions {
                issuer: stage,
                ..options()
            },
            Ok(|_| true),
        ),
        (
            "system-user issuer",
            with(&[("iss", "SuperOffice AS".into())]),
            options(),
            Err(Error::claim("iss", "unexpected value")),
        ),
        (
            "issuer trailing slash",
            with(&[("iss", "https://sod.superoffice.com/".into())]),
            options(),
            Err(Error::claim("iss", "unexpected value")),
        ),
        (
            "issuer missing",
            with(&[("iss", Value::Null)]),
            options(),
            Err(Error::claim("iss", "missing")),
        ),
        // Times.
        (
            "expired",
            with(&[("exp", 1_799_999_000.into())]),
            options(),
            Err(Error::JwtExpired),
        ),
        (
            "expired within leeway",
            with(&[("exp", 1_799_999_950.into())]),
            options(),
            Ok(|_| true),
        ),
        (
            "exp missing",
            with(&[("exp", Value::Null)]),
            options(),
            Err(Error::claim("exp", "missing")),
        ),
        (
            "iat number",
            with(&[("iat", 1_799_999_900.into())]),
            options(),
            Ok(|_| true),
        ),
        (
            "iat string in the future",
            with(&[("iat", "1800001000".into())]),
            options(),
            Err(Error::JwtNotYetValid),
        ),
        // Typed claims.
        (
            "administrator True",
            with(&[("/is_administrator", "True".into())]),
            options(),
            Ok(|c| c.is_administrator),
        ),
        (
            "administrator absent",
            with(&[("/is_administrator", Value::Null)]),
            options(),
            Ok(|c| !c.is_administrator),
        ),
        (
            "administrator maybe",
            with(&[("/is_administrator", "Maybe".into())]),
            options(),
            Err(Error::claim(
                &format!("{P}is_administrator"),
                "must be True or False",
            )),
        ),
        (
            "associateid number",
            with(&[("/associateid", 5.into())]),
            options(),
            Ok(|c| c.associate_id.as_deref() == Some("5")),
        ),
        (
            "associateid string",
            with(&[("/associateid", "17".into())]),
            options(),
            Ok(|c| c.associate_id.as_deref() == Some("17")),
        ),
        (
            "associateid fraction",
            with(&[("/associateid", 5.5.into())]),
            options(),
            Err(Error::claim(
                &format!("{P}associateid"),
                "must be an integer or a string",
            )),
        ),
        (
            "no system token (not a system-user app)",
            with(&[("/system_token", Value::Null)]),
            options(),
            Ok(|c| {
                c.system_user_token.is_none()
                    && c.require_system_user_token().unwrap_err()
                        == Error::claim(
                            &format!("{P}system_token"),
                            "missing (is the application registered as a system-user application?)",
                        )
            }),
        ),
        (
            "missing ctx",
            with(&[("/ctx", Value::Null)]),
            options(),
            Err(Error::claim(&format!("{P}ctx"), "missing")),
        ),
        (
            "ctx not a string",
            with(&[("/ctx", 26759.into())]),
            options(),
            Err(Error::claim(&format!("{P}ctx"), "must be a string")),
        ),
        (
            "optional claims absent",
            with(&[
                ("/email", Value::Null),
                ("/upn", Value::Null),
                ("/associateid", Value::Null),
                ("/netserver_url", Value::Null),
                ("/webapi_url", Value::Null),
                ("/serial", Value::Null),
            ]),
            options(),
            Ok(|c| {
                c.email.is_none()
                    && c.upn.is_none()
                    && c.associate_id.is_none()
                    && c.netserver_url.is_none()
                    && c.webapi_url.is_none()
                    && c.serial.is_none()
            }),
        ),
        // Arguments.
        (
            "empty nonce argument",
            payload(),
            SuperIdOptions {
                nonce: Some(""),
                ..options()
            },
            Err(Error::InvalidArgument(
                "nonce is empty; leave it out to skip the nonce check",
            )),
        ),
        (
            "empty client id argument",
            payload(),
            SuperIdOptions {
                client_id: "",
                ..options()
            },
            Err(Error::InvalidArgument("client id is empty")),
        ),
    ];
    let keys = keys();
    for (name, payload, options, expected) in rows {
        let result = parse_super_id_token(&mint(&payload), &keys, &options);
        match (result, expected) {
            (Ok(claims), Ok(check)) => assert!(check(&claims), "{name}: {claims:?}"),
            (Err(error), Err(expected)) => {
                assert_eq!(error, expected, "{name}");
                let message = error.to_string();
                assert!(!message.contains("8k8Q7DmBgo"), "{name}: {message}");
                assert!(!message.contains(NONCE), "{name}: {message}");
            }
            (result, expected) => panic!("{name}: expected {expected:?}, got {result:?}"),
        }
    }
}

#[test]
fn signature_is_checked_before_claims() {
    let token = mint(&payload());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let (header, _) = input.split_once('.').unwrap();
    // Another payload under the original signature.
    let forged = format!(
        "{header}.{}.{signature}",
        b64(Value::Object(with(&[("/ctx", "Cust99999".into())])).to_string())
    );
    assert_eq!(
        parse_super_id_token(&forged, &keys(), &options()).unwrap_err(),
        Error::JwtSignatureInvalid
    );
    // An unsigned token is refused as well.
    let unsigned = format!(
        "{}.{}.",
        b64(r#"{"alg":"none"}"#),
        b64(Value::Object(payload()).to_string())
    );
    assert_eq!(
        parse_super_id_token(&unsigned, &keys(), &options())
            .unwrap_err()
            .code(),
        "ERR_JWT_MALFORMED"
    );
}

#[test]
fn issuer_from_environment() {
    for (environment, issuer) in [
        ("sod", "https://sod.superoffice.com"),
        ("stage", "https://qaonline.superoffice.com"),
        ("online", "https://online.superoffice.com"),
    ] {
        assert_eq!(resolve_issuer(Some(environment), None).unwrap(), issuer);
        let token = mint(&with(&[("iss", issuer.into())]));
        let resolved = resolve_issuer(Some(environment), None).unwrap();
        let options = SuperIdOptions {
            issuer: &resolved,
            ..options()
        };
        assert!(
            parse_super_id_token(&token, &keys(), &options).is_ok(),
            "{environment}"
        );
    }
}

#[test]
fn token_signed_by_another_key_is_refused() {
    let other = PrivateKey::parse(include_str!("fixtures/keys/other2048.pkcs8.pem")).unwrap();
    let header = r#"{"alg":"RS256","kid":"rfc"}"#;
    let input = format!(
        "{}.{}",
        b64(header),
        b64(Value::Object(payload()).to_string())
    );
    let signature = other.sign_pkcs1v15_sha256(input.as_bytes()).unwrap();
    let token = format!("{input}.{}", b64(signature));
    assert_eq!(
        parse_super_id_token(&token, &keys(), &options()).unwrap_err(),
        Error::JwtSignatureInvalid
    );
}
