//! An RSA public key as plain numbers: what key sets hold and what a private key exposes.
//!
//! Verification runs on [`crate::verify::PreparedPublicKey`], built from these bytes; this type only
//! carries the values (and compares them, which tests and key-set merging need).

use crate::error::Result;

use super::parts::{self, PublicProblem};

/// An RSA public key: a modulus of 2048 to 8192 bits and an odd exponent from 3 to 2^33-1.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// Big-endian, without leading zeros.
    n: Vec<u8>,
    e: u64,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} bits, e = {})", self.bits(), self.e)
    }
}

impl PublicKey {
    /// A public key from its big-endian modulus and exponent (leading zeros allowed), with the same
    /// checks key sets apply.
    pub fn from_be_bytes(n: &[u8], e: &[u8]) -> Result<PublicKey> {
        parts::public_key(n, e).map_err(PublicProblem::for_key_set)
    }

    /// After [`parts::check_public`]: `n` is trimmed and `e` fits.
    pub(crate) fn new_unchecked(n: Vec<u8>, e: u64) -> PublicKey {
        PublicKey { n, e }
    }

    /// The modulus, big-endian, without leading zeros.
    pub fn n(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent.
    pub fn e(&self) -> u64 {
        self.e
    }

    /// The modulus' length in bits.
    pub fn bits(&self) -> usize {
        parts::bit_len(&self.n)
    }

    /// The modulus' length in bytes (the signature size).
    pub fn size(&self) -> usize {
        self.n.len()
    }
}
