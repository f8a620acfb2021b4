//! Verification keys: a JWKS, PEM certificates (X.509 v1 or v3) or an SPKI public key.
//! OWNER: keys helper. Interface below is fixed; the body is to be written.

use crate::error::{Error, Result};

/// One RSA public key of at least 2048 bits with the identifiers a JWT header may name.
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    pub kid: Option<String>,
    /// base64url SHA-1 thumbprint of the certificate (from JWKS `x5t`, or computed for a PEM cert).
    pub x5t: Option<String>,
    pub key: rsa::RsaPublicKey,
}

#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    /// JWKS JSON (starts with `{`) or one or more PEM blocks.
    pub fn parse(_text: &str) -> Result<KeySet> {
        Err(Error::KeySetInvalid("not implemented"))
    }

    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// Keys a token with these header identifiers may be verified with: keys whose identifiers agree
    /// with the token's, those that match first, then keys with none of the token's identifiers.
    pub fn candidates<'a>(
        &'a self,
        _kid: Option<&'a str>,
        _x5t: Option<&'a str>,
    ) -> impl Iterator<Item = &'a VerifyingKey> + 'a {
        self.keys.iter()
    }
}

impl VerifyingKey {
    /// RSASSA-PKCS1-v1_5 SHA-256 verification of `signature` over `message`.
    pub fn verify_pkcs1v15_sha256(&self, _message: &[u8], _signature: &[u8]) -> bool {
        false
    }
}
