//! Private keys: PEM PKCS#1, PEM PKCS#8 and the .NET `<RSAKeyValue>` XML SuperOffice issues, parsed,
//! validated, written and used for signing by the rsa crate.
//!
//! [`PrivateKey::parse`] sniffs the form. PEM blocks are found by [`pem`] (lenient about layout, as
//! pasted keys need); their DER is read by rsa's `pkcs8`/`pkcs1` decoders. The XML form is read by
//! [`xml`] on quick-xml. Whatever the form, the key is built by `rsa::PrivateKey::from_components`,
//! which validates it (P·Q = N, D against E, P and Q balanced), and then held to two rules of ours that
//! rsa does not apply ([`policy`]): 2048 to 8192 bits with an odd exponent from 3 to 2^33-1, and the
//! CRT values stored in the file equal to the ones rsa computes (rsa recomputes them and ignores the
//! stored ones; a damaged file is refused rather than silently repaired).
//!
//! Where key material lives, and how it is wiped:
//!
//! - the parsed key: rsa's `PrivateKey` zeroizes D, the primes and its CRT values on drop. What it
//!   cannot wipe: the Montgomery parameters of P and Q inside its precomputed values and of N
//!   (`BoxedMontyParams`, which has no `Zeroize`; rsa's own code notes it as a TODO), and the blinding
//!   factors and intermediates of each signature, freed unwiped inside rsa and crypto-bigint;
//! - on the way in: the joined PEM base64 and the decoded DER ([`pem`]), the XML values ([`xml`]) are
//!   `Zeroizing`; the big integers handed to rsa move into the key;
//! - on the way out: `to_pem` (rsa's encoders) and `to_xml` return `Zeroizing<String>`;
//! - across the wasm boundary: the binding wipes the key text it is given and hands output to JS
//!   straight from the zeroizing buffer (`js-tests/wasm-memory.test.cjs` scans wasm memory for the
//!   key's text and for its raw D, P and Q).
//!
//! What cannot be wiped at all: the caller's own JS strings.

mod components;
pub(crate) mod pem;
pub(crate) mod policy;
mod xml;

use components::Components;

use rsa::pkcs1::{EncodeRsaPrivateKey as _, RsaPrivateKeyRef};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::der::Decode as _;
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding, ObjectIdentifier, PrivateKeyInfoRef};
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use rsa::BoxedUint;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub use rsa::PublicKey;

/// Which PEM form [`PrivateKey::to_pem`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemFormat {
    /// `-----BEGIN PRIVATE KEY-----`
    Pkcs8,
    /// `-----BEGIN RSA PRIVATE KEY-----`
    Pkcs1,
}

impl PemFormat {
    /// `pkcs8` or `pkcs1`, exactly.
    pub fn parse(name: &str) -> Result<PemFormat> {
        match name {
            "pkcs8" => Ok(PemFormat::Pkcs8),
            "pkcs1" => Ok(PemFormat::Pkcs1),
            _ => Err(Error::InvalidArgument("format must be 'pkcs8' or 'pkcs1'")),
        }
    }
}

/// A parsed RSA private key of 2048 to 8192 bits. Zeroized on drop (see the module documentation for
/// what rsa cannot wipe); `Debug` shows only the size.
pub struct PrivateKey {
    signing: SigningKey<Sha256>,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({} bits)", self.bits())
    }
}

/// Longest key text looked at. A 8192-bit key in XML is about 6 KiB; a PEM file with a certificate
/// chain beside the key stays far below this.
pub const MAX_TEXT: usize = 256 * 1024;

impl PrivateKey {
    /// Parses any of the three accepted forms, sniffing which one it is.
    pub fn parse(text: &str) -> Result<PrivateKey> {
        if text.len() > MAX_TEXT {
            return Err(Error::KeyInvalid("the key text is too long"));
        }
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return Err(Error::KeyInvalid("the key text is empty"));
        }
        let key = if text.starts_with('<') {
            from_components(&xml::parse(text)?)?
        } else if pem::looks_like_pem(text) {
            from_pem(text)?
        } else {
            return Err(Error::KeyInvalid(
                "not a private key: expected PEM (-----BEGIN ...) or <RSAKeyValue> XML",
            ));
        };
        Ok(PrivateKey {
            signing: SigningKey::new(key),
        })
    }

    fn rsa(&self) -> &rsa::PrivateKey {
        self.signing.as_ref()
    }

    pub fn bits(&self) -> usize {
        self.rsa().n().bit_width() as usize
    }

    /// Writes the key as PEM (LF line endings, 64 columns), with rsa's encoders.
    pub fn to_pem(&self, format: PemFormat) -> Result<Zeroizing<String>> {
        let written = match format {
            PemFormat::Pkcs8 => self.rsa().to_pkcs8_pem(LineEnding::LF).ok(),
            PemFormat::Pkcs1 => self.rsa().to_pkcs1_pem(LineEnding::LF).ok(),
        };
        written.ok_or(Error::KeyInvalid("the key could not be encoded"))
    }

    /// Writes the key as .NET's `<RSAKeyValue>` XML, the form SuperOffice's portal issues.
    pub fn to_xml(&self) -> Result<Zeroizing<String>> {
        let key = self.rsa();
        let unavailable = || Error::KeyInvalid("the key could not be encoded");
        let [p, q] = key.primes() else {
            return Err(unavailable());
        };
        let bytes = |value: &BoxedUint| Zeroizing::new(value.to_be_bytes().into_vec());
        let components = Components {
            n: bytes(key.n().as_ref()),
            e: bytes(key.e()),
            d: bytes(key.d()),
            p: bytes(p.as_ref()),
            q: bytes(q.as_ref()),
            dp: bytes(key.dp().ok_or_else(unavailable)?),
            dq: bytes(key.dq().ok_or_else(unavailable)?),
            qinv: bytes(&key.crt_coefficient().ok_or_else(unavailable)?),
        };
        xml::to_xml(&components)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`: rsa's signer, blinded with the platform CSPRNG.
    pub fn sign_pkcs1v15_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.signing
            .try_sign_with_rng(&mut getrandom::SysRng, message)
            .map(|signature| signature.to_vec())
            .map_err(|_| Error::RandomUnavailable)
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        self.rsa().to_public_key()
    }
}

/// Labels that hold a private key of some kind; exactly one of them may appear.
const PRIVATE_LABELS: &[&str] = &[
    "RSA PRIVATE KEY",
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY",
    "DSA PRIVATE KEY",
    "OPENSSH PRIVATE KEY",
];

fn from_pem(text: &str) -> Result<rsa::PrivateKey> {
    let blocks = pem::blocks(text).map_err(Error::KeyInvalid)?;
    let mut private = blocks
        .iter()
        .filter(|block| PRIVATE_LABELS.contains(&block.label));
    let Some(block) = private.next() else {
        // No private key at all: say what was found instead.
        let label = blocks.first().map(|block| block.label).unwrap_or_default();
        return Err(Error::KeyUnsupported(match label {
            "PUBLIC KEY" | "RSA PUBLIC KEY" => "expected a private key, found a public key",
            "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
                "expected a private key, found a certificate"
            }
            _ => "expected a private key, found another kind of PEM block",
        }));
    };
    // Certificates beside the key (a .pem exported from a .pfx) are fine; two keys are ambiguous.
    if private.next().is_some() {
        return Err(Error::KeyInvalid(
            "more than one key in the text; give exactly one",
        ));
    }
    match block.label {
        "ENCRYPTED PRIVATE KEY" => Err(Error::KeyEncrypted),
        "RSA PRIVATE KEY" if block.encrypted => Err(Error::KeyEncrypted),
        "RSA PRIVATE KEY" => from_pkcs1_der(&block.decode().map_err(Error::KeyInvalid)?),
        "PRIVATE KEY" => from_pkcs8_der(&block.decode().map_err(Error::KeyInvalid)?),
        "EC PRIVATE KEY" => Err(Error::KeyUnsupported(
            "EC keys are not supported; use an RSA key",
        )),
        "DSA PRIVATE KEY" => Err(Error::KeyUnsupported(
            "DSA keys are not supported; use an RSA key",
        )),
        _ => Err(Error::KeyUnsupported(
            "OpenSSH keys are not supported; give the RSA key as PEM or XML",
        )),
    }
}

/// Object identifiers of the key algorithms a PKCS#8 key may name, for the refusal messages.
mod oid {
    use rsa::pkcs8::ObjectIdentifier;
    pub const RSA_ENCRYPTION: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    pub const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
    pub const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    pub const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
    pub const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
    pub const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
    pub const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
    pub const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
}

/// `PrivateKeyInfo` (RFC 5208) or `OneAsymmetricKey` (RFC 5958), read by the pkcs8 crate.
fn from_pkcs8_der(der: &[u8]) -> Result<rsa::PrivateKey> {
    let info = PrivateKeyInfoRef::from_der(der)
        .map_err(|_| Error::KeyInvalid("the key is not a well-formed PKCS#8 private key"))?;
    let algorithm: ObjectIdentifier = info.algorithm.oid;
    match algorithm {
        oid::RSA_ENCRYPTION => {
            // RFC 8017 says NULL parameters; some encoders omit them. Anything else is malformed.
            let parameters_ok = info
                .algorithm
                .parameters
                .is_none_or(|parameters| parameters.is_null());
            if !parameters_ok {
                return Err(Error::KeyInvalid(
                    "the PKCS#8 RSA key has unexpected parameters",
                ));
            }
            from_pkcs1_der(info.private_key.as_bytes())
        }
        oid::RSASSA_PSS => Err(Error::KeyUnsupported(
            "RSA-PSS keys are not supported; SuperOffice needs an rsaEncryption (PKCS#1 v1.5) key",
        )),
        oid::EC_PUBLIC_KEY => Err(Error::KeyUnsupported(
            "EC keys are not supported; use an RSA key",
        )),
        oid::ED25519 | oid::ED448 => Err(Error::KeyUnsupported(
            "Ed25519 and Ed448 keys are not supported; use an RSA key",
        )),
        oid::X25519 | oid::X448 => Err(Error::KeyUnsupported(
            "X25519 and X448 keys cannot sign; use an RSA key",
        )),
        oid::DSA => Err(Error::KeyUnsupported(
            "DSA keys are not supported; use an RSA key",
        )),
        _ => Err(Error::KeyUnsupported("only RSA keys are supported")),
    }
}

/// `RSAPrivateKey` (RFC 8017 A.1.2), read by the pkcs1 crate.
fn from_pkcs1_der(der: &[u8]) -> Result<rsa::PrivateKey> {
    let key = RsaPrivateKeyRef::from_der(der)
        .map_err(|_| Error::KeyInvalid("the key is not a well-formed PKCS#1 RSA private key"))?;
    if key.other_prime_infos.is_some() {
        return Err(Error::KeyUnsupported(
            "multi-prime RSA keys are not supported",
        ));
    }
    let bytes = |value: &rsa::pkcs1::UintRef<'_>| Zeroizing::new(value.as_bytes().to_vec());
    from_components(&Components {
        n: bytes(&key.modulus),
        e: bytes(&key.public_exponent),
        d: bytes(&key.private_exponent),
        p: bytes(&key.prime1),
        q: bytes(&key.prime2),
        dp: bytes(&key.exponent1),
        dq: bytes(&key.exponent2),
        qinv: bytes(&key.coefficient),
    })
}

/// Builds and validates the key with rsa, around our size policy and the stored CRT values.
fn from_components(parts: &Components) -> Result<rsa::PrivateKey> {
    policy::check_public(&parts.n, &parts.e).map_err(policy::PublicProblem::for_private_key)?;
    let n = policy::trim(&parts.n);
    // Every number of the key is held at the modulus' width, as rsa's own DER decoder holds them.
    let width = u32::try_from(n.len() * 8).map_err(|_| INCONSISTENT)?;
    let number = |bytes: &[u8]| {
        let bytes = policy::trim(bytes);
        if bytes.len() > n.len() {
            return Err(Error::KeyInvalid(
                "a private key component is longer than the modulus",
            ));
        }
        BoxedUint::from_be_slice(bytes, width).map_err(|_| INCONSISTENT)
    };
    let e_bytes = policy::trim(&parts.e);
    let e_width = u32::try_from(e_bytes.len() * 8).map_err(|_| INCONSISTENT)?;
    let e = BoxedUint::from_be_slice(e_bytes, e_width).map_err(|_| INCONSISTENT)?;
    let key = rsa::PrivateKey::from_components(
        number(n)?,
        e,
        number(&parts.d)?,
        vec![number(&parts.p)?, number(&parts.q)?],
    )
    .map_err(|_| INCONSISTENT)?;
    check_stored_crt_values(&key, parts)?;
    Ok(key)
}

const INCONSISTENT: Error = Error::KeyInvalid("the RSA key components are inconsistent");

/// rsa computes DP, DQ and InverseQ itself; a file whose stored values differ is damaged, and a key
/// that other software reads differently is not one to sign with.
fn check_stored_crt_values(key: &rsa::PrivateKey, parts: &Components) -> Result<()> {
    let computed = |value: Option<&BoxedUint>| {
        value.map(|value| Zeroizing::new(value.to_be_bytes().into_vec()))
    };
    let qinv = key.crt_coefficient();
    let checks = [
        (
            computed(key.dp()),
            &parts.dp,
            "DP does not equal D mod (P-1)",
        ),
        (
            computed(key.dq()),
            &parts.dq,
            "DQ does not equal D mod (Q-1)",
        ),
        (
            computed(qinv.as_ref()),
            &parts.qinv,
            "InverseQ does not equal the inverse of Q mod P",
        ),
    ];
    for (computed, stored, message) in checks {
        let computed = computed.ok_or(INCONSISTENT)?;
        if !policy::same_number(&computed, stored) {
            return Err(Error::KeyInvalid(message));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
