//! Private keys: PEM PKCS#1, PEM PKCS#8 and the .NET `<RSAKeyValue>` XML SuperOffice issues.
//! OWNER: keys helper. Interface below is fixed; the body is to be written.

use crate::error::{Error, Result};

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
    inner: rsa::RsaPrivateKey,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({} bits)", self.bits())
    }
}

impl PrivateKey {
    /// Parses any of the three accepted forms, sniffing which one it is.
    pub fn parse(_text: &str) -> Result<PrivateKey> {
        Err(Error::KeyInvalid("not implemented"))
    }

    pub fn bits(&self) -> usize {
        use rsa::traits::PublicKeyParts;
        self.inner.n().bits() as usize
    }

    /// Writes the key as PEM (LF line endings, 64 columns).
    pub fn to_pem(&self, _format: PemFormat) -> Result<zeroize::Zeroizing<String>> {
        Err(Error::KeyInvalid("not implemented"))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`, blinded with the platform CSPRNG.
    pub fn sign_pkcs1v15_sha256(&self, _message: &[u8]) -> Result<Vec<u8>> {
        Err(Error::KeyInvalid("not implemented"))
    }
}
