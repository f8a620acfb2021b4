//! The SuperIdToken: the OpenID Connect id_token SuperOffice sends to the application's redirect URL
//! when a user signs in or a tenant's administrator approves the application. For a system-user
//! application it carries the system user token, the one input the system-user flow cannot make.
//!
//! Decisions:
//!
//! - Validation is [`jwt::validate_token`] (RS256 only, signature before claims, `exp` required) plus
//!   what OpenID Connect Core §3.1.3.7 asks of an id_token: `iss` equals the environment's issuer
//!   exactly (`https://sod.superoffice.com`, no trailing slash; a stage token checked against `sod`
//!   fails), `aud` is the client id or an array containing it, and `nonce` equals the one the caller
//!   sent when it gives one. A token carrying a nonce the caller did not ask about is accepted: the
//!   caller decides whether it keeps nonces.
//! - `azp`, when present, must be the client id. It is not required when `aud` lists several
//!   audiences (OIDC says SHOULD): SuperOffice sends a single audience, and a check that no real
//!   token exercises would only break on the day one does.
//! - `sub` and `iat`, required by OIDC, are not required here: SuperOffice's claim set is documented
//!   loosely, and neither is needed for anything we return. Both stay in `claims`.
//! - Required claims: only `ctx`, the tenant: a SuperIdToken without it identifies nothing. The
//!   system user token is present only for system-user applications, so it is optional here;
//!   [`SuperIdClaims::require_system_user_token`] gives the one error for "this is not a system-user
//!   application" (`ERR_JWT_CLAIM_INVALID` naming the claim, with a hint about the application's
//!   registration); JS reaches it through parseSuperIdToken's `requireSystemUserToken` option, which
//!   the client's onboarding sets. `email`, `upn`, `associateid`, URLs and `serial` are optional
//!   strings; empty reads as absent, as for the ticket ([`crate::plumbing::claims`]).
//! - `associateid` arrives as a string (`"5"` in SuperOffice's example) or could be a JSON number;
//!   both are accepted, an integer number is written in decimal, anything else is refused.
//! - `is_administrator` is .NET's `"True"`/`"False"` (ASCII case ignored) or a JSON boolean; absent
//!   reads as false.
//! - Arguments are refused, never defaulted: an empty issuer, client id or nonce is an error (a
//!   nonce of `""` would otherwise match a token whose nonce is `""`).
//! - The claim prefix is `http://schemes.superoffice.net/identity/` ("schemes", as SuperOffice
//!   spells it), see [`crate::plumbing::claims::CLAIM_PREFIX`].

use crate::error::{Error, Result};
use crate::jwt::{self, Claims, ValidationOptions};
use crate::keyset::KeySet;
use crate::plumbing::claims::{self as identity, claim_name};
use crate::plumbing::environment::Environment;
use crate::plumbing::json::Value;

/// What an id_token must match, besides its signature.
#[derive(Debug, Clone)]
pub struct SuperIdOptions<'a> {
    /// The exact `iss`: [`Environment::issuer`], or an explicit one (a local stand-in).
    pub issuer: &'a str,
    /// The application's client id: must be the `aud` (or one of them).
    pub client_id: &'a str,
    /// The nonce sent in the authorization request, when the caller kept one.
    pub nonce: Option<&'a str>,
    /// Current time, epoch milliseconds.
    pub now_ms: f64,
    pub leeway_seconds: u32,
}

/// The typed claims of a validated SuperIdToken.
#[derive(Debug, Clone, PartialEq)]
pub struct SuperIdClaims {
    /// `.../system_token`: present only when the application is a system-user application.
    pub system_user_token: Option<String>,
    /// `.../ctx`: the tenant, e.g. `Cust12345`.
    pub context_identifier: String,
    pub email: Option<String>,
    pub upn: Option<String>,
    /// `.../associateid`, written as a decimal string whether it arrived as a string or a number.
    pub associate_id: Option<String>,
    pub is_administrator: bool,
    pub netserver_url: Option<String>,
    pub webapi_url: Option<String>,
    pub serial: Option<String>,
    /// Every claim of the token, as validated.
    pub claims: Claims,
}

impl SuperIdClaims {
    /// The system user token, or the error onboarding a tenant should raise when the application is
    /// not registered as a system-user application (the token then has no such claim).
    pub fn require_system_user_token(&self) -> Result<&str> {
        self.system_user_token.as_deref().ok_or_else(|| {
            Error::claim(
                &claim_name("system_token"),
                "missing (is the application registered as a system-user application?)",
            )
        })
    }
}

/// The issuer to expect: a named environment's, or an explicit one. Exactly one must be given.
pub fn resolve_issuer(environment: Option<&str>, issuer: Option<&str>) -> Result<String> {
    match (environment, issuer) {
        (Some(name), None) => Ok(Environment::parse(name)?.issuer().to_owned()),
        (None, Some(issuer)) => Ok(issuer.to_owned()),
        (Some(_), Some(_)) => Err(Error::InvalidArgument(
            "give either environment or issuer, not both",
        )),
        (None, None) => Err(Error::InvalidArgument("environment or issuer is required")),
    }
}

/// Validates a SuperIdToken (OpenID Connect id_token) and returns its typed claims.
pub fn parse_super_id_token(
    id_token: &str,
    keys: &KeySet,
    options: &SuperIdOptions<'_>,
) -> Result<SuperIdClaims> {
    check_options(options)?;
    let validation = ValidationOptions {
        now_ms: options.now_ms,
        leeway_seconds: options.leeway_seconds,
        issuer: Some(options.issuer),
        audience: Some(options.client_id),
        nonce: options.nonce,
    };
    let claims = jwt::validate_token(id_token, keys, &validation)?;
    check_authorized_party(&claims, options.client_id)?;
    super_id_from_claims(claims)
}

fn check_options(options: &SuperIdOptions<'_>) -> Result<()> {
    if options.issuer.trim().is_empty() {
        return Err(Error::InvalidArgument("issuer is empty"));
    }
    if options.client_id.trim().is_empty() {
        return Err(Error::InvalidArgument("client id is empty"));
    }
    if options.nonce.is_some_and(str::is_empty) {
        return Err(Error::InvalidArgument(
            "nonce is empty; leave it out to skip the nonce check",
        ));
    }
    Ok(())
}

/// `azp`, when present, names the party the token was issued to: it must be us.
fn check_authorized_party(claims: &Claims, client_id: &str) -> Result<()> {
    match claims.get("azp") {
        None => Ok(()),
        Some(Value::String(azp)) if azp == client_id => Ok(()),
        Some(Value::String(_)) => Err(Error::claim("azp", "unexpected value")),
        Some(_) => Err(Error::claim("azp", "must be a string")),
    }
}

/// Reads the typed claims of an already validated id_token.
fn super_id_from_claims(claims: Claims) -> Result<SuperIdClaims> {
    Ok(SuperIdClaims {
        system_user_token: identity::optional_string(&claims, "system_token")?,
        context_identifier: identity::required_string(&claims, "ctx")?,
        email: identity::optional_string(&claims, "email")?,
        upn: identity::optional_string(&claims, "upn")?,
        associate_id: associate_id(&claims)?,
        is_administrator: identity::is_administrator(&claims)?,
        netserver_url: identity::optional_string(&claims, "netserver_url")?,
        webapi_url: identity::optional_string(&claims, "webapi_url")?,
        serial: identity::optional_string(&claims, "serial")?,
        claims,
    })
}

/// `associateid` as a string: SuperOffice writes `"5"`; a JSON integer is accepted too.
fn associate_id(claims: &Claims) -> Result<Option<String>> {
    let name = claim_name("associateid");
    match claims.get(&name) {
        Some(Value::Number(number)) => match (number.as_u64(), number.as_i64()) {
            (Some(value), _) => Ok(Some(value.to_string())),
            (None, Some(value)) => Ok(Some(value.to_string())),
            _ => Err(Error::claim(&name, "must be an integer or a string")),
        },
        Some(Value::Bool(_) | Value::Array(_) | Value::Object(_)) => {
            Err(Error::claim(&name, "must be an integer or a string"))
        }
        None | Some(Value::Null | Value::String(_)) => {
            identity::optional_string(claims, "associateid")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn issuers() {
        for (environment, issuer, expected) in [
            (Some("sod"), None, Ok("https://sod.superoffice.com")),
            (Some("stage"), None, Ok("https://qaonline.superoffice.com")),
            (
                Some("qaonline"),
                None,
                Ok("https://qaonline.superoffice.com"),
            ),
            (Some("online"), None, Ok("https://online.superoffice.com")),
            (
                None,
                Some("http://127.0.0.1:8080"),
                Ok("http://127.0.0.1:8080"),
            ),
            (Some("sod2"), None, Err("ERR_INVALID_ARGUMENT")),
            (
                Some("sod"),
                Some("https://sod.superoffice.com"),
                Err("ERR_INVALID_ARGUMENT"),
            ),
            (None, None, Err("ERR_INVALID_ARGUMENT")),
        ] {
            assert_eq!(
                resolve_issuer(environment, issuer)
                    .as_deref()
                    .map_err(Error::code),
                expected,
                "{environment:?} {issuer:?}"
            );
        }
    }

    /// Claims from JSON text.
    fn claims(json: &str) -> Claims {
        crate::plumbing::json::parse_object(json.as_bytes()).unwrap()
    }

    #[test]
    fn typed_claims_table() {
        let p = |short: &str| claim_name(short);
        // The minimal claims plus one member, whose value is JSON text.
        let base = |extra: &[(String, &str)]| {
            let mut members = vec![format!(r#""{}":"Cust1""#, p("ctx"))];
            members.extend(
                extra
                    .iter()
                    .map(|(name, value)| format!(r#""{name}":{value}"#)),
            );
            claims(&format!("{{{}}}", members.join(",")))
        };
        type Check = fn(&SuperIdClaims) -> bool;
        let rows: Vec<(&str, Claims, Result<Check, &str>)> = vec![
            (
                "minimal",
                base(&[]),
                Ok(|c| {
                    c.context_identifier == "Cust1"
                        && c.system_user_token.is_none()
                        && c.associate_id.is_none()
                        && !c.is_administrator
                }),
            ),
            (
                "associateid string",
                base(&[(p("associateid"), r#""5""#)]),
                Ok(|c| c.associate_id.as_deref() == Some("5")),
            ),
            (
                "associateid number",
                base(&[(p("associateid"), "5")]),
                Ok(|c| c.associate_id.as_deref() == Some("5")),
            ),
            (
                "associateid negative",
                base(&[(p("associateid"), "-5")]),
                Ok(|c| c.associate_id.as_deref() == Some("-5")),
            ),
            (
                "associateid null",
                base(&[(p("associateid"), "null")]),
                Ok(|c| c.associate_id.is_none()),
            ),
            (
                "associateid float",
                base(&[(p("associateid"), "5.5")]),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
            (
                "associateid bool",
                base(&[(p("associateid"), "true")]),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
            (
                "admin True",
                base(&[(p("is_administrator"), r#""True""#)]),
                Ok(|c| c.is_administrator),
            ),
            (
                "admin False",
                base(&[(p("is_administrator"), r#""False""#)]),
                Ok(|c| !c.is_administrator),
            ),
            (
                "admin bool",
                base(&[(p("is_administrator"), "true")]),
                Ok(|c| c.is_administrator),
            ),
            (
                "admin yes",
                base(&[(p("is_administrator"), r#""yes""#)]),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
            (
                "system token",
                base(&[(p("system_token"), r#""My App-8k8Q""#)]),
                Ok(|c| {
                    c.system_user_token.as_deref() == Some("My App-8k8Q")
                        && c.require_system_user_token().ok() == Some("My App-8k8Q")
                }),
            ),
            (
                "system token empty",
                base(&[(p("system_token"), r#""""#)]),
                Ok(|c| c.system_user_token.is_none()),
            ),
            (
                "system token number",
                base(&[(p("system_token"), "1")]),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
            (
                "email number",
                base(&[(p("email"), "1")]),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
            ("ctx missing", claims("{}"), Err("ERR_JWT_CLAIM_INVALID")),
            (
                "ctx empty",
                claims(&format!(r#"{{"{}":""}}"#, p("ctx"))),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
            (
                "ctx number",
                claims(&format!(r#"{{"{}":12345}}"#, p("ctx"))),
                Err("ERR_JWT_CLAIM_INVALID"),
            ),
        ];
        for (name, claims, expected) in rows {
            match (super_id_from_claims(claims), expected) {
                (Ok(result), Ok(check)) => assert!(check(&result), "{name}: {result:?}"),
                (Err(error), Err(code)) => assert_eq!(error.code(), code, "{name}"),
                (result, _) => panic!("{name}: unexpected {result:?}"),
            }
        }
    }

    #[test]
    fn missing_system_user_token_names_the_claim() {
        let result =
            super_id_from_claims(claims(&format!(r#"{{"{}":"Cust1"}}"#, claim_name("ctx"))))
                .unwrap();
        let error = result.require_system_user_token().unwrap_err();
        assert_eq!(
            error,
            Error::claim(
                "http://schemes.superoffice.net/identity/system_token",
                "missing (is the application registered as a system-user application?)"
            )
        );
    }

    #[test]
    fn authorized_party() {
        let with = |azp: &str| claims(&format!(r#"{{"azp":{azp}}}"#));
        assert!(check_authorized_party(&claims("{}"), "app").is_ok());
        assert!(check_authorized_party(&with(r#""app""#), "app").is_ok());
        assert_eq!(
            check_authorized_party(&with(r#""other""#), "app").unwrap_err(),
            Error::claim("azp", "unexpected value")
        );
        assert_eq!(
            check_authorized_party(&with("1"), "app").unwrap_err(),
            Error::claim("azp", "must be a string")
        );
    }

    #[test]
    fn bad_options_are_refused_before_the_token_is_read() {
        let keys = KeySet::default();
        let good = SuperIdOptions {
            issuer: "https://sod.superoffice.com",
            client_id: "app",
            nonce: None,
            now_ms: 0.0,
            leeway_seconds: 60,
        };
        for (what, options) in [
            (
                "issuer",
                SuperIdOptions {
                    issuer: "",
                    ..good.clone()
                },
            ),
            (
                "issuer",
                SuperIdOptions {
                    issuer: "  ",
                    ..good.clone()
                },
            ),
            (
                "client id",
                SuperIdOptions {
                    client_id: "",
                    ..good.clone()
                },
            ),
            (
                "nonce",
                SuperIdOptions {
                    nonce: Some(""),
                    ..good.clone()
                },
            ),
        ] {
            let error = parse_super_id_token("not a token", &keys, &options).unwrap_err();
            assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{what}");
            assert!(error.to_string().contains(what), "{error}");
        }
        // With good options, the token itself is what fails.
        assert_eq!(
            parse_super_id_token("not a token", &keys, &good)
                .unwrap_err()
                .code(),
            "ERR_JWT_MALFORMED"
        );
    }
}
