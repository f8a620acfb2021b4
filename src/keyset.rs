//! Verification keys: a JWKS, PEM certificates (X.509 v1 or v3) or an SPKI public key.
//!
//! Every key is RSA, 2048 to 8192 bits, with an odd exponent above 1. A JWKS may hold other keys
//! (EC, encryption keys, other algorithms); those are skipped, not refused, because servers publish
//! them for other clients. What we cannot use in PEM is refused, since the caller chose it.
//!
//! The readers are the crates': serde_json for the JWKS (through [`crate::plumbing::json`], which refuses
//! repeated member names), x509-cert for certificates, spki and pkcs1 (through rsa) for public keys,
//! sha1 for certificate thumbprints. Each key is held as rsa's `PublicKey` and as the jsonwebtoken
//! `DecodingKey` it verifies with ([`VerifyingKey::verify_jws_signature`], which [`crate::jwt`]
//! calls): jsonwebtoken's `crypto::verify` through our RS256-only provider ([`provider`]).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
// Encoding through base64ct (see src/oauth/authorize.rs): base64's encoder stays out of the .wasm.
use base64ct::{Base64UrlUnpadded, Encoding as _};
use jsonwebtoken::{Algorithm, DecodingKey};
use rsa::pkcs8::der::Decode as _;
use rsa::pkcs8::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use rsa::traits::PublicKeyParts as _;
use sha1::{Digest as _, Sha1};

use crate::error::{Error, Result};
use crate::key::pem;
use crate::key::policy::{self, PublicProblem};
use crate::key::PublicKey;
use crate::plumbing::json::{self, Value};

/// Largest key set text accepted.
pub const MAX_TEXT: usize = 1024 * 1024;
/// Most keys a set may hold (and most entries a JWKS `keys` array may have).
pub const MAX_KEYS: usize = 100;

/// One RSA public key of at least 2048 bits with the identifiers a JWT header may name.
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    pub kid: Option<String>,
    /// base64url SHA-1 thumbprint of the certificate (from JWKS `x5t`, or computed for a PEM cert).
    pub x5t: Option<String>,
    pub key: PublicKey,
    /// The same key as jsonwebtoken takes it (modulus and exponent).
    decoding: DecodingKey,
}

#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// JWKS JSON (starts with `{`) or one or more PEM blocks.
    pub fn parse(text: &str) -> Result<KeySet> {
        if text.len() > MAX_TEXT {
            return Err(Error::KeySetInvalid("the key set text is over 1 MiB"));
        }
        let text = text.trim_start_matches('\u{feff}').trim();
        let keys = if text.starts_with('{') {
            from_jwks(text)?
        } else if pem::looks_like_pem(text) {
            from_pem(text)?
        } else {
            return Err(Error::KeySetInvalid(
                "expected a JWKS (JSON) or PEM certificates or public keys",
            ));
        };
        KeySet::from_keys(keys)
    }

    /// A set from keys built elsewhere, with the same rules as [`KeySet::parse`]: at least one key,
    /// at most [`MAX_KEYS`], each RSA of 2048 to 8192 bits with a sound exponent, no two with one kid.
    pub fn from_keys(keys: Vec<VerifyingKey>) -> Result<KeySet> {
        if keys.is_empty() {
            return Err(Error::KeySetInvalid("no usable RS256 key"));
        }
        let mut set = KeySet::default();
        set.extend(keys)?;
        Ok(set)
    }

    /// Adds keys, keeping the rules of [`KeySet::from_keys`]. On error the set is unchanged.
    pub fn extend(&mut self, keys: impl IntoIterator<Item = VerifyingKey>) -> Result<()> {
        let mut all = self.keys.clone();
        for key in keys {
            check_public(&key.key)?;
            if key.kid.is_some() && all.iter().any(|other| other.kid == key.kid) {
                return Err(Error::KeySetInvalid("two keys have the same kid"));
            }
            all.push(key);
            if all.len() > MAX_KEYS {
                return Err(Error::KeySetInvalid("the key set has more than 100 keys"));
            }
        }
        self.keys = all;
        Ok(())
    }

    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Keys a token with these header identifiers may be verified with: keys whose identifiers agree
    /// with the token's, those that match first, then keys with none of the token's identifiers.
    ///
    /// A key is ruled out only by a conflict: it has a kid and the token names another, or it has an
    /// x5t and the token names another. So a token's kid picks among JWKS keys and still falls
    /// through to a pinned PEM key, which has no kid.
    pub fn candidates<'a>(
        &'a self,
        kid: Option<&'a str>,
        x5t: Option<&'a str>,
    ) -> impl Iterator<Item = &'a VerifyingKey> + 'a {
        let agrees = |own: &Option<String>, token: Option<&str>| match (own, token) {
            (Some(own), Some(token)) => own == token,
            _ => true,
        };
        let names = |own: &Option<String>, token: Option<&str>| match (own, token) {
            (Some(own), Some(token)) => own == token,
            _ => false,
        };
        let compatible = move |key: &&VerifyingKey| agrees(&key.kid, kid) && agrees(&key.x5t, x5t);
        let matched = move |key: &&VerifyingKey| names(&key.kid, kid) || names(&key.x5t, x5t);
        let first = self.keys.iter().filter(compatible).filter(matched);
        let then = self
            .keys
            .iter()
            .filter(compatible)
            .filter(move |key| !matched(key));
        first.chain(then)
    }
}

impl VerifyingKey {
    /// A key without identifiers (a pinned key), checked like the keys of a set.
    pub fn new(key: PublicKey) -> Result<VerifyingKey> {
        check_public(&key)?;
        Ok(VerifyingKey::with_ids(key, None, None))
    }

    /// A key already checked by [`check_public`], with the identifiers a token may name.
    fn with_ids(key: PublicKey, kid: Option<String>, x5t: Option<String>) -> Self {
        let decoding = DecodingKey::from_rsa_raw_components(&key.n_bytes(), &key.e_bytes());
        provider::remember(&key);
        VerifyingKey {
            kid,
            x5t,
            key,
            decoding,
        }
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 verification of `signature` over `message`, by the same path JWT
    /// validation takes: jsonwebtoken, our RS256-only provider, rsa's verifier.
    pub fn verify_pkcs1v15_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        // RFC 8017 8.2.2 step 1: the signature is exactly as long as the modulus.
        if signature.len() != self.key.size() {
            return false;
        }
        let signature = Base64UrlUnpadded::encode_string(signature);
        self.verify_jws_signature(message, &signature)
            .unwrap_or(false)
    }

    /// RS256 over a JWS signing input, with the signature as the token carries it (base64url):
    /// jsonwebtoken's `crypto::verify`, which decodes it and hands our RS256-only provider
    /// ([`provider`]) the key's modulus and exponent.
    pub(crate) fn verify_jws_signature(&self, message: &[u8], signature: &str) -> Result<bool> {
        if !provider::install() {
            return Err(Error::JwtSignatureInvalid);
        }
        jsonwebtoken::crypto::verify(signature, message, &self.decoding, Algorithm::RS256)
            .map_err(|error| from_jsonwebtoken(error.kind()))
    }
}

/// jsonwebtoken's failures: a signature segment that is not base64url, or a key our provider cannot
/// use. Its messages may quote the input, so ours are fixed.
fn from_jsonwebtoken(kind: &ErrorKind) -> Error {
    match kind {
        ErrorKind::Base64(_) => Error::JwtMalformed("JWT segment is not unpadded base64url"),
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => Error::JwtAlgNotAllowed,
        _ => Error::JwtSignatureInvalid,
    }
}

/// Our size and exponent rules ([`policy::check_public`]) on a key rsa has read.
fn check_public(key: &PublicKey) -> Result<()> {
    policy::check_public(&key.n_bytes(), &key.e_bytes()).map_err(PublicProblem::for_key_set)
}

/// A public key from its big-endian modulus and exponent: our rules first (they word the refusals),
/// then rsa's own checks.
fn public_key(n: &[u8], e: &[u8]) -> Result<PublicKey> {
    policy::check_public(n, e).map_err(PublicProblem::for_key_set)?;
    let n = policy::trim(n);
    let e = policy::trim(e);
    let unusable = || Error::KeySetInvalid("an RSA public key is not usable");
    let width = |bytes: &[u8]| u32::try_from(bytes.len() * 8).map_err(|_| unusable());
    let n = rsa::BoxedUint::from_be_slice(n, width(n)?).map_err(|_| unusable())?;
    let e = rsa::BoxedUint::from_be_slice(e, width(e)?).map_err(|_| unusable())?;
    PublicKey::new_with_size_limits(n, e, policy::MIN_BITS..=policy::MAX_BITS)
        .map_err(|_| unusable())
}

/// `{"keys": [...]}`: RSA signature keys for RS256; others are skipped.
fn from_jwks(text: &str) -> Result<Vec<VerifyingKey>> {
    // Strict: a JWK naming `n` or `kid` twice could mean different keys to different readers.
    let document = json::parse(text.as_bytes()).ok_or(Error::KeySetInvalid(
        "the JWKS is not valid JSON, or names a member twice",
    ))?;
    let entries = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(Error::KeySetInvalid("the JWKS has no \"keys\" array"))?;
    if entries.len() > MAX_KEYS {
        return Err(Error::KeySetInvalid("the key set has more than 100 keys"));
    }
    let mut keys: Vec<VerifyingKey> = Vec::new();
    for entry in entries {
        let Some(key) = from_jwk(entry)? else {
            continue;
        };
        if key.kid.is_some() && keys.iter().any(|other| other.kid == key.kid) {
            return Err(Error::KeySetInvalid(
                "two keys in the JWKS have the same kid",
            ));
        }
        keys.push(key);
    }
    if keys.is_empty() {
        return Err(Error::KeySetInvalid("no usable RS256 key"));
    }
    Ok(keys)
}

/// One JWK: `Ok(None)` when it is not meant for RS256 verification.
fn from_jwk(entry: &Value) -> Result<Option<VerifyingKey>> {
    let jwk = entry
        .as_object()
        .ok_or(Error::KeySetInvalid("a JWKS key is not an object"))?;
    let member = |name: &str, message: &'static str| -> Result<Option<&str>> {
        match jwk.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_str()
                .map(Some)
                .ok_or(Error::KeySetInvalid(message)),
        }
    };
    if member("kty", "a JWK \"kty\" is not a string")? != Some("RSA") {
        return Ok(None);
    }
    if member("use", "a JWK \"use\" is not a string")?.is_some_and(|usage| usage != "sig") {
        return Ok(None);
    }
    if let Some(operations) = jwk.get("key_ops") {
        let operations = operations
            .as_array()
            .ok_or(Error::KeySetInvalid("a JWK \"key_ops\" is not an array"))?;
        if !operations
            .iter()
            .any(|operation| operation.as_str() == Some("verify"))
        {
            return Ok(None);
        }
    }
    if member("alg", "a JWK \"alg\" is not a string")?.is_some_and(|alg| alg != "RS256") {
        return Ok(None);
    }
    let number = |name: &str, missing: &'static str, bad: &'static str| -> Result<Vec<u8>> {
        let text = member(name, bad)?.ok_or(Error::KeySetInvalid(missing))?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| Error::KeySetInvalid(bad))
    };
    let n = number(
        "n",
        "an RSA JWK has no \"n\"",
        "an RSA JWK's \"n\" is not base64url",
    )?;
    let e = number(
        "e",
        "an RSA JWK has no \"e\"",
        "an RSA JWK's \"e\" is not base64url",
    )?;
    let key = public_key(&n, &e)?;
    let text_member = |name: &str| jwk.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(Some(VerifyingKey::with_ids(
        key,
        text_member("kid"),
        text_member("x5t"),
    )))
}

/// PEM certificates, SPKI public keys and PKCS#1 public keys, in any number and order.
fn from_pem(text: &str) -> Result<Vec<VerifyingKey>> {
    let blocks = pem::blocks(text).map_err(Error::KeySetInvalid)?;
    if blocks.len() > MAX_KEYS {
        return Err(Error::KeySetInvalid("the key set has more than 100 keys"));
    }
    let mut keys = Vec::new();
    for block in &blocks {
        let key = match block.label {
            "CERTIFICATE" => {
                let der = block.decode().map_err(Error::KeySetInvalid)?;
                let certificate = x509_cert::Certificate::from_der(&der)
                    .map_err(|_| Error::KeySetInvalid("a certificate is not well-formed X.509"))?;
                let x5t = Base64UrlUnpadded::encode_string(&Sha1::digest(&der[..]));
                let spki = certificate.tbs_certificate().subject_public_key_info();
                from_spki(spki.algorithm.oid, spki.subject_public_key.as_bytes())?
                    .map(|key| VerifyingKey::with_ids(key, None, Some(x5t)))
            }
            "PUBLIC KEY" => {
                let der = block.decode().map_err(Error::KeySetInvalid)?;
                let spki = SubjectPublicKeyInfoRef::from_der(&der)
                    .map_err(|_| Error::KeySetInvalid("a public key is not well-formed"))?;
                from_spki(spki.algorithm.oid, spki.subject_public_key.as_bytes())?
                    .map(|key| VerifyingKey::with_ids(key, None, None))
            }
            "RSA PUBLIC KEY" => {
                let der = block.decode().map_err(Error::KeySetInvalid)?;
                Some(VerifyingKey::with_ids(from_pkcs1_public(&der)?, None, None))
            }
            label if label.contains("PRIVATE KEY") => {
                return Err(Error::KeySetInvalid(
                    "expected certificates or public keys, found a private key",
                ));
            }
            _ => {
                return Err(Error::KeySetInvalid(
                    "expected certificates or public keys, found another kind of PEM block",
                ));
            }
        };
        keys.extend(key);
    }
    if keys.is_empty() {
        return Err(Error::KeySetInvalid("no usable RS256 key"));
    }
    Ok(keys)
}

/// The `rsaEncryption` object identifier (RFC 8017 A.1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// An RSA key from a SubjectPublicKeyInfo; `None` for other algorithms (an EC certificate in a
/// bundle), which cannot verify RS256.
/// `key` is the subjectPublicKey BIT STRING's bytes, `None` when it has unused bits.
fn from_spki(algorithm: ObjectIdentifier, key: Option<&[u8]>) -> Result<Option<PublicKey>> {
    // Only rsaEncryption: an RSA-PSS key must not be used for PKCS#1 v1.5 signatures.
    if algorithm != RSA_ENCRYPTION {
        return Ok(None);
    }
    // The key is a whole number of bytes: no unused bits.
    let bits = key.ok_or(Error::KeySetInvalid("a public key is not well-formed"))?;
    from_pkcs1_public(bits).map(Some)
}

fn from_pkcs1_public(der: &[u8]) -> Result<PublicKey> {
    let malformed = || Error::KeySetInvalid("an RSA public key is not well-formed");
    let key = rsa::pkcs1::RsaPublicKeyRef::from_der(der).map_err(|_| malformed())?;
    public_key(key.modulus.as_bytes(), key.public_exponent.as_bytes())
}

mod provider;

#[cfg(test)]
mod tests;
