//! Private keys: PEM PKCS#1, PEM PKCS#8 and the .NET `<RSAKeyValue>` XML SuperOffice issues.
//!
//! [`PrivateKey::parse`] sniffs the form. Whatever the form, the eight RSA numbers go through the same
//! checks ([`parts::private_key`]): size, exponent, P*Q = N, D against E, and the stored CRT values.
//!
//! Where key material lives, and how it is wiped:
//!
//! - the parsed key: its eight numbers as given ([`parts::Components`], kept for `to_pem` and
//!   `to_xml`), the checked working values ([`parts::CheckedKey`]) and the signer's blinding pair and
//!   p - 1, q - 1, all wiped on drop ([`signer`]); the signer's temporaries are `Zeroizing`;
//! - on the way in: the joined PEM base64 and the decoded DER ([`pem`]), the XML values ([`xml`]) and
//!   the eight numbers ([`parts::Components`]) are `Zeroizing`, reserved up front so that they never
//!   reallocate (a reallocation would leave an unwiped copy behind);
//! - on the way out: `to_pem` and `to_xml` return `Zeroizing<String>`;
//! - across the wasm boundary: the binding wipes the key text it is given and hands output to JS
//!   straight from the zeroizing buffer (`js-tests/wasm-memory.test.cjs` scans wasm memory for it).
//!
//! What cannot be wiped: the caller's own JS strings, and the primes inside the Montgomery parameters
//! (`BoxedMontyParams`, shared behind an `Arc` with no `Zeroize`; the rsa crate's precomputed values
//! have the same limit).

mod encode;
pub(crate) mod parts;
pub(crate) mod pem;
mod public;
mod signer;
mod xml;

pub use public::PublicKey;

use crate::error::{Error, Result};
use crate::keyset::VerifyingKey;

/// Which PEM form [`PrivateKey::to_pem`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemFormat {
    /// `-----BEGIN PRIVATE KEY-----`
    Pkcs8,
    /// `-----BEGIN RSA PRIVATE KEY-----`
    Pkcs1,
}

/// A parsed RSA private key of at least 2048 bits. Zeroized on drop; `Debug` shows only the size.
pub struct PrivateKey {
    /// The eight numbers as given, after they were checked against each other (zeroizing).
    parts: parts::Components,
    /// The checked key in working form (Montgomery parameters, CRT values) and the blinding state.
    signer: signer::Signer,
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
        let parts = if text.starts_with('<') {
            xml::parse(text)?
        } else if pem::looks_like_pem(text) {
            from_pem(text)?
        } else {
            return Err(Error::KeyInvalid(
                "not a private key: expected PEM (-----BEGIN ...) or <RSAKeyValue> XML",
            ));
        };
        let signer = signer::Signer::new(parts::private_key(&parts)?)?;
        Ok(PrivateKey { parts, signer })
    }

    pub fn bits(&self) -> usize {
        self.signer.public_key().bits()
    }

    /// Writes the key as PEM (LF line endings, 64 columns).
    pub fn to_pem(&self, format: PemFormat) -> Result<zeroize::Zeroizing<String>> {
        let pkcs1 = encode::pkcs1_der(&self.parts);
        Ok(match format {
            PemFormat::Pkcs8 => encode::pem("PRIVATE KEY", &encode::pkcs8_der(&pkcs1)),
            PemFormat::Pkcs1 => encode::pem("RSA PRIVATE KEY", &pkcs1),
        })
    }

    /// Writes the key as .NET's `<RSAKeyValue>` XML, the form SuperOffice's portal issues.
    pub fn to_xml(&self) -> Result<zeroize::Zeroizing<String>> {
        xml::to_xml(&self.parts)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, blinded with the platform CSPRNG (see
    /// `signer.rs` for what is blinded and how).
    pub fn sign_pkcs1v15_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.signer.sign(message)
    }

    /// The public half.
    pub fn public_key(&self) -> PublicKey {
        self.signer.public_key().clone()
    }

    /// The public half as a verification key without identifiers (a pinned key).
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        VerifyingKey::new(self.public_key())
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

fn from_pem(text: &str) -> Result<parts::Components> {
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
        "RSA PRIVATE KEY" => {
            let der = block.decode().map_err(Error::KeyInvalid)?;
            parts::from_pkcs1_der(&der)
        }
        "PRIVATE KEY" => {
            let der = block.decode().map_err(Error::KeyInvalid)?;
            from_pkcs8_der(&der)
        }
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

/// `PrivateKeyInfo` (RFC 5208) or `OneAsymmetricKey` (RFC 5958): version 0 without, version 1 with
/// the optional public key; attributes and later context-specific fields are skipped.
fn pkcs8_parts(der: &[u8]) -> Option<(&[u8], crate::der::Parameters<'_>, &[u8])> {
    use crate::der::{algorithm_identifier, outer_sequence, OCTET_STRING};
    const ATTRIBUTES: u8 = 0xa0;
    const PUBLIC_KEY: u8 = 0x81;
    let mut info = outer_sequence(der)?;
    let version = info.unsigned()?;
    let (oid, parameters) = algorithm_identifier(&mut info)?;
    let private_key = info.read(OCTET_STRING)?;
    if info.peek_tag() == Some(ATTRIBUTES) {
        info.any()?;
    }
    let has_public_key = info.peek_tag() == Some(PUBLIC_KEY) && info.any().is_some();
    match (version, has_public_key) {
        ([0], false) | ([1], true) => {}
        _ => return None,
    }
    while !info.is_empty() {
        let (tag, _) = info.any()?;
        if tag & 0xc0 != 0x80 {
            return None;
        }
    }
    Some((oid, parameters, private_key))
}

fn from_pkcs8_der(der: &[u8]) -> Result<parts::Components> {
    use crate::der::{oid, NULL};
    let (algorithm, parameters, private_key) = pkcs8_parts(der).ok_or(Error::KeyInvalid(
        "the key is not a well-formed PKCS#8 private key",
    ))?;
    match algorithm {
        oid::RSA_ENCRYPTION => {
            // RFC 8017 says NULL parameters; some encoders omit them. Anything else is malformed.
            if parameters.is_some_and(|parameters| parameters != (NULL, &[][..])) {
                return Err(Error::KeyInvalid(
                    "the PKCS#8 RSA key has unexpected parameters",
                ));
            }
            parts::from_pkcs1_der(private_key)
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

#[cfg(test)]
mod tests;
