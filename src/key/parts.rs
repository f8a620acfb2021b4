//! RSA key components as big-endian bytes, and the checks that turn them into keys.
//!
//! PKCS#1 DER and the .NET XML both carry the same eight numbers; both paths end here so that a key
//! is checked the same way whatever it was pasted as.

use rsa::traits::PrivateKeyParts;
use rsa::BoxedUint;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Smallest modulus accepted for signing and for verification.
pub(crate) const MIN_BITS: usize = 2048;
/// Largest modulus accepted (rsa's own ceiling; bigger keys also make parsing a denial-of-service).
pub(crate) const MAX_BITS: usize = 8192;
/// rsa refuses larger public exponents (RSADoS); say so before it does.
const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// The eight numbers of a two-prime RSA private key, big-endian unsigned, leading zeros allowed.
pub(crate) struct Components {
    pub n: Zeroizing<Vec<u8>>,
    pub e: Zeroizing<Vec<u8>>,
    pub d: Zeroizing<Vec<u8>>,
    pub p: Zeroizing<Vec<u8>>,
    pub q: Zeroizing<Vec<u8>>,
    pub dp: Zeroizing<Vec<u8>>,
    pub dq: Zeroizing<Vec<u8>>,
    pub qinv: Zeroizing<Vec<u8>>,
}

/// Why a modulus and exponent are refused; private keys and key sets word it in their own codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PublicProblem {
    EvenModulus,
    TooSmall { bits: usize },
    TooLarge,
    BadExponent,
    HugeExponent,
}

impl PublicProblem {
    pub fn for_private_key(self) -> Error {
        match self {
            PublicProblem::EvenModulus => Error::KeyInvalid("the RSA modulus is not odd"),
            PublicProblem::TooSmall { bits } => Error::KeyTooSmall { bits },
            PublicProblem::TooLarge => {
                Error::KeyUnsupported("RSA keys over 8192 bits are not supported")
            }
            PublicProblem::BadExponent => {
                Error::KeyInvalid("the public exponent must be odd and greater than 1")
            }
            PublicProblem::HugeExponent => {
                Error::KeyUnsupported("public exponents over 2^33-1 are not supported")
            }
        }
    }

    pub fn for_key_set(self) -> Error {
        Error::KeySetInvalid(match self {
            PublicProblem::EvenModulus => "an RSA modulus is not odd",
            PublicProblem::TooSmall { .. } => "an RSA key is under 2048 bits",
            PublicProblem::TooLarge => "an RSA key is over 8192 bits",
            PublicProblem::BadExponent => "an RSA public exponent is not odd and greater than 1",
            PublicProblem::HugeExponent => "an RSA public exponent is over 2^33-1",
        })
    }
}

/// `bytes` without leading zero bytes.
pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Bit length of a big-endian unsigned number.
pub(crate) fn bit_len(bytes: &[u8]) -> usize {
    let bytes = trim(bytes);
    match bytes.first() {
        Some(first) => (bytes.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

/// `bytes` left-padded with zeros to `width` (as .NET writes P, Q, D ...). Longer input is kept whole.
pub(crate) fn left_pad(bytes: &[u8], width: usize) -> Zeroizing<Vec<u8>> {
    let bytes = trim(bytes);
    let mut out = Zeroizing::new(Vec::with_capacity(width.max(bytes.len())));
    out.resize(width.saturating_sub(bytes.len()), 0);
    out.extend_from_slice(bytes);
    out
}

/// Checks a public modulus and exponent: odd modulus of 2048 to 8192 bits, odd exponent from 3 to
/// 2^33-1 (e = 1 would make "signatures" equal to the padded message).
pub(crate) fn check_public(n: &[u8], e: &[u8]) -> Result<(), PublicProblem> {
    let n = trim(n);
    if n.last().is_none_or(|last| last & 1 == 0) {
        return Err(PublicProblem::EvenModulus);
    }
    let bits = bit_len(n);
    if bits < MIN_BITS {
        return Err(PublicProblem::TooSmall { bits });
    }
    if bits > MAX_BITS {
        return Err(PublicProblem::TooLarge);
    }
    let e = trim(e);
    if e.len() > 8 {
        return Err(PublicProblem::HugeExponent);
    }
    let value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if value <= 1 || value & 1 == 0 {
        return Err(PublicProblem::BadExponent);
    }
    if value > MAX_EXPONENT {
        return Err(PublicProblem::HugeExponent);
    }
    Ok(())
}

/// A public key from its modulus and exponent, after [`check_public`].
pub(crate) fn public_key(n: &[u8], e: &[u8]) -> Result<rsa::PublicKey, PublicProblem> {
    check_public(n, e)?;
    // Public values: the variable-time decoder is fine.
    let n = BoxedUint::from_be_slice_vartime(trim(n));
    let e = BoxedUint::from_be_slice_vartime(trim(e));
    // check_public already enforced what rsa enforces; a refusal here means an odd modulus that rsa
    // still dislikes, which is reported like an even one.
    rsa::PublicKey::new(n, e).map_err(|_| PublicProblem::EvenModulus)
}

/// Builds and validates a private key. rsa recomputes DP, DQ and InverseQ from D, P and Q and ignores
/// the given ones, so they are compared here: a damaged key file is refused rather than silently
/// repaired (openssl, which uses the stored values, would sign wrongly with it).
pub(crate) fn private_key(parts: &Components) -> Result<rsa::PrivateKey> {
    check_public(&parts.n, &parts.e).map_err(PublicProblem::for_private_key)?;
    let n = trim(&parts.n);
    for (value, message) in [
        (&parts.p, "prime P must be greater than 1"),
        (&parts.q, "prime Q must be greater than 1"),
        (&parts.d, "private exponent D must be greater than 1"),
    ] {
        if bit_len(value) < 2 {
            return Err(Error::KeyInvalid(message));
        }
    }
    // Secret values share the modulus' precision; anything longer than the modulus is malformed.
    let precision = u32::try_from(n.len() * 8)
        .map_err(|_| Error::KeyUnsupported("RSA keys over 8192 bits are not supported"))?;
    let secret = |bytes: &[u8]| {
        BoxedUint::from_be_slice(trim(bytes), precision)
            .map_err(|_| Error::KeyInvalid("a private key component is longer than the modulus"))
    };
    let key = rsa::PrivateKey::from_components(
        BoxedUint::from_be_slice_vartime(n),
        BoxedUint::from_be_slice_vartime(trim(&parts.e)),
        secret(&parts.d)?,
        vec![secret(&parts.p)?, secret(&parts.q)?],
    )
    .map_err(|error| match error {
        rsa::Error::InvalidModulus => Error::KeyInvalid("P times Q does not equal the modulus"),
        rsa::Error::InvalidPrime => {
            Error::KeyInvalid("P and Q are not two distinct, balanced factors of the modulus")
        }
        rsa::Error::InvalidExponent => {
            Error::KeyInvalid("private exponent D does not match the public exponent")
        }
        _ => Error::KeyInvalid("the RSA key components are inconsistent"),
    })?;
    // from_components has run rsa's validate() (d < n, P*Q = N, de = 1 mod P-1 and Q-1); the CRT
    // values are what is left. rsa's precompute() has just computed them; read them rather than
    // re-encoding the key (to_pkcs1_der recomputes InverseQ with a second constant-time inversion).
    let (dp, dq, qinv) = match (key.dp(), key.dq(), key.qinv()) {
        (Some(dp), Some(dq), Some(qinv)) => (dp, dq, qinv),
        _ => return Err(Error::KeyInvalid("the RSA key components are inconsistent")),
    };
    let secret_bytes = |value: &BoxedUint| Zeroizing::new(value.to_be_bytes().into_vec());
    let expected_dp = secret_bytes(dp);
    let expected_dq = secret_bytes(dq);
    let expected_qinv = secret_bytes(&Zeroizing::new(qinv.retrieve()));
    for (given, computed, message) in [
        (&parts.dp, &expected_dp, "DP does not equal D mod (P-1)"),
        (&parts.dq, &expected_dq, "DQ does not equal D mod (Q-1)"),
        (
            &parts.qinv,
            &expected_qinv,
            "InverseQ does not equal the inverse of Q mod P",
        ),
    ] {
        if !same_number(given, computed, n.len()) {
            return Err(Error::KeyInvalid(message));
        }
    }
    Ok(key)
}

/// All eight components of a key, as its PKCS#1 encoding carries them (the CRT values are the ones
/// rsa precomputed when the key was built).
pub(crate) fn components(key: &rsa::PrivateKey) -> Result<Components> {
    use rsa::traits::PublicKeyParts;
    let missing = || Error::KeyInvalid("the key could not be encoded");
    let bytes = |value: &BoxedUint| Zeroizing::new(value.to_be_bytes().into_vec());
    let (p, q) = match key.primes() {
        [p, q] => (p, q),
        _ => return Err(missing()),
    };
    let qinv = Zeroizing::new(key.qinv().ok_or_else(missing)?.retrieve());
    Ok(Components {
        n: bytes(key.n().as_ref()),
        e: bytes(key.e()),
        d: bytes(key.d()),
        p: bytes(p.as_ref()),
        q: bytes(q.as_ref()),
        dp: bytes(key.dp().ok_or_else(missing)?),
        dq: bytes(key.dq().ok_or_else(missing)?),
        qinv: bytes(&qinv),
    })
}

/// The components of a PKCS#1 `RSAPrivateKey`. Multi-prime keys are refused.
pub(crate) fn from_pkcs1_der(der: &[u8]) -> Result<Components> {
    let malformed = || Error::KeyInvalid("the key is not a well-formed PKCS#1 RSA private key");
    let mut key = crate::der::outer_sequence(der).ok_or_else(malformed)?;
    let version = key.unsigned().ok_or_else(malformed)?;
    let mut next = || {
        key.unsigned()
            .map(|value| Zeroizing::new(value.to_vec()))
            .ok_or_else(malformed)
    };
    let parts = Components {
        n: next()?,
        e: next()?,
        d: next()?,
        p: next()?,
        q: next()?,
        dp: next()?,
        dq: next()?,
        qinv: next()?,
    };
    match version {
        // Two-prime: nothing may follow.
        [0] if key.is_empty() => Ok(parts),
        // Multi-prime: otherPrimeInfos follows.
        [1] if key.sequence().is_some() && key.is_empty() => Err(Error::KeyUnsupported(
            "multi-prime RSA keys are not supported",
        )),
        _ => Err(malformed()),
    }
}

/// Whether two big-endian numbers are equal, comparing fixed-width copies without early exit (these
/// are secret values).
fn same_number(a: &[u8], b: &[u8], width: usize) -> bool {
    if trim(a).len() > width || trim(b).len() > width {
        return false;
    }
    let (a, b) = (left_pad(a, width), left_pad(b, width));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn byte_helpers() {
        assert_eq!(trim(&[0, 0, 1, 0]), &[1, 0]);
        assert_eq!(trim(&[0, 0]), &[] as &[u8]);
        assert_eq!(bit_len(&[0, 1]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(*left_pad(&[0, 1, 2], 4), [0, 0, 1, 2]);
        assert_eq!(*left_pad(&[1, 2, 3], 2), [1, 2, 3]);
        assert!(same_number(&[0, 5], &[5], 4));
        assert!(!same_number(&[6], &[5], 4));
        assert!(!same_number(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 5], 4));
    }

    #[test]
    fn public_checks() {
        let mut n = vec![0xff; 256];
        assert_eq!(check_public(&n, &[1, 0, 1]), Ok(()));
        assert_eq!(check_public(&n, &[3]), Ok(()));
        assert_eq!(check_public(&n, &[1]), Err(PublicProblem::BadExponent));
        assert_eq!(check_public(&n, &[0]), Err(PublicProblem::BadExponent));
        assert_eq!(check_public(&n, &[]), Err(PublicProblem::BadExponent));
        assert_eq!(
            check_public(&n, &[1, 0, 0]),
            Err(PublicProblem::BadExponent)
        );
        assert_eq!(
            check_public(&n, &[2, 0, 0, 0, 1]),
            Err(PublicProblem::HugeExponent)
        );
        assert_eq!(check_public(&n, &[1; 9]), Err(PublicProblem::HugeExponent));
        assert_eq!(
            check_public(&n[..128], &[3]),
            Err(PublicProblem::TooSmall { bits: 1024 })
        );
        assert_eq!(
            check_public(&vec![0xff; 1025], &[3]),
            Err(PublicProblem::TooLarge)
        );
        n[255] = 0xfe;
        assert_eq!(check_public(&n, &[3]), Err(PublicProblem::EvenModulus));
        assert_eq!(check_public(&[], &[3]), Err(PublicProblem::EvenModulus));
    }
}
