//! jsonwebtoken's cryptography, reduced to RS256 verification by the rsa crate.
//!
//! jsonwebtoken delegates every signature operation to a process-wide `CryptoProvider`. Its own
//! providers bring either aws-lc (C, needs clang) or RustCrypto's whole family (ECDSA, EdDSA, HMAC,
//! PSS). Ours knows one thing: RSASSA-PKCS1-v1_5 with SHA-256, verified by
//! `rsa::pkcs1v15::VerifyingKey<Sha256>`. Any other algorithm or key kind is an error here too, so
//! algorithm confusion is closed twice (the header check in [`super`] refuses non-RS256 first). It
//! signs nothing and offers none of the JWK helpers: those return errors instead of panicking.

use std::cell::RefCell;

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::jwk::{EllipticCurve, ThumbprintHash};
use jsonwebtoken::signature::{self, Verifier};
use jsonwebtoken::{Algorithm, DecodingKey, DecodingKeyKind, EncodingKey};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::BoxedUint;
use sha2::Sha256;

use crate::key::policy::{MAX_BITS, MIN_BITS};

static RS256_ONLY: CryptoProvider = CryptoProvider {
    signer_factory: no_signer,
    verifier_factory: rs256_verifier,
    key_utils: KeyUtils {
        rsa_pub_components_from_private_key: no_components,
        rsa_pub_components_from_public_key: no_components,
        ec_pub_components_from_private_key: no_ec_components,
        ed_pub_components_from_private_key: no_ed_components,
        compute_digest: no_digest,
    },
};

/// Makes our provider jsonwebtoken's default; `false` if another one got there first (nothing in
/// this crate installs one, so that would be a build mistake, and verification must not go on).
pub(crate) fn install() -> bool {
    let _ = RS256_ONLY.install_default();
    CryptoProvider::try_get_default().is_some_and(|installed| std::ptr::eq(installed, &RS256_ONLY))
}

/// Verifying keys by modulus and exponent. Building one computes the modulus' Montgomery parameters,
/// which costs more than the verification itself; a key set registers its keys here as it builds them
/// ([`remember`]), so the provider (which jsonwebtoken hands only the raw numbers) never builds a key
/// twice. Bounded: the oldest entry goes first. Public keys only.
const REMEMBERED_KEYS: usize = 16;

type Remembered = (Vec<u8>, Vec<u8>, VerifyingKey<Sha256>);

thread_local! {
    static VERIFIERS: RefCell<Vec<Remembered>> = const { RefCell::new(Vec::new()) };
}

/// Keeps a verifying key for `key`'s modulus and exponent (see [`VERIFIERS`]).
pub(crate) fn remember(key: &rsa::PublicKey) {
    use rsa::traits::PublicKeyParts as _;
    let (n, e) = (key.n_bytes().into_vec(), key.e_bytes().into_vec());
    VERIFIERS.with_borrow_mut(|verifiers| {
        if verifiers.iter().any(|(kn, ke, _)| *kn == n && *ke == e) {
            return;
        }
        if verifiers.len() >= REMEMBERED_KEYS {
            verifiers.remove(0);
        }
        verifiers.push((n, e, VerifyingKey::new(key.clone())));
    });
}

fn remembered(n: &[u8], e: &[u8]) -> Option<VerifyingKey<Sha256>> {
    VERIFIERS.with_borrow(|verifiers| {
        verifiers
            .iter()
            .find(|(kn, ke, _)| kn == n && ke == e)
            .map(|(_, _, key)| key.clone())
    })
}

struct Rs256Verifier(VerifyingKey<Sha256>);

impl Verifier<Vec<u8>> for Rs256Verifier {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> signature::Result<()> {
        let signature = Signature::try_from(signature.as_slice())?;
        self.0.verify(message, &signature)
    }
}

impl JwtVerifier for Rs256Verifier {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
}

fn rs256_verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::RS256 {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    let DecodingKeyKind::RsaModulusExponent { n, e } = key.kind() else {
        return Err(ErrorKind::InvalidKeyFormat.into());
    };
    if let Some(key) = remembered(n, e) {
        return Ok(Box::new(Rs256Verifier(key)));
    }
    // Public values: variable-time decoding is fine.
    let key = rsa::PublicKey::new_with_size_limits(
        BoxedUint::from_be_slice_vartime(n),
        BoxedUint::from_be_slice_vartime(e),
        MIN_BITS..=MAX_BITS,
    )
    .map_err(|_| ErrorKind::InvalidKeyFormat)?;
    Ok(Box::new(Rs256Verifier(VerifyingKey::new(key))))
}

fn no_signer(_: &Algorithm, _: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    Err(ErrorKind::UnsupportedAlgorithm.into())
}

fn no_components(_: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    Err(ErrorKind::InvalidKeyFormat.into())
}

fn no_ec_components(_: &[u8], _: Algorithm) -> Result<(EllipticCurve, Vec<u8>, Vec<u8>)> {
    Err(ErrorKind::InvalidKeyFormat.into())
}

fn no_ed_components(_: &[u8], _: &EllipticCurve) -> Result<Vec<u8>> {
    Err(ErrorKind::InvalidKeyFormat.into())
}

fn no_digest(_: &[u8], _: ThumbprintHash) -> Result<Vec<u8>> {
    Err(ErrorKind::UnsupportedAlgorithm.into())
}
