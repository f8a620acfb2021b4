//! Our rules for RSA keys, applied around rsa's own checks: rsa accepts moduli from 1024 bits and any
//! exponent from 2 to 2^33-1; SuperOffice asks for 2048 bits and more, and an even exponent (or one)
//! cannot form an RSA key. Both private keys and key sets use these checks, each wording the
//! problem in its own error code.

use crate::error::Error;

/// Smallest modulus accepted.
pub const MIN_BITS: usize = 2048;
/// Largest modulus accepted (rsa's own upper bound, kept explicit here).
pub const MAX_BITS: usize = 8192;
/// Largest public exponent accepted (rsa's bound).
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;

/// Why a modulus and exponent are refused.
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

/// Whether two big-endian numbers are equal, leading zeros aside. The comparison of the digits does
/// not stop at the first difference (they are secret); only their lengths steer it.
pub(crate) fn same_number(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (trim(a), trim(b));
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_rules() {
        let mut n = vec![0xff; 256];
        assert_eq!(check_public(&n, &[1, 0, 1]), Ok(()));
        assert_eq!(check_public(&n, &[1]), Err(PublicProblem::BadExponent));
        assert_eq!(check_public(&n, &[0]), Err(PublicProblem::BadExponent));
        assert_eq!(check_public(&n, &[]), Err(PublicProblem::BadExponent));
        assert_eq!(check_public(&n, &[4]), Err(PublicProblem::BadExponent));
        assert_eq!(check_public(&n, &[1; 9]), Err(PublicProblem::HugeExponent));
        assert_eq!(
            check_public(&n, &[3, 0, 0, 0, 1]),
            Err(PublicProblem::HugeExponent)
        );
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

    #[test]
    fn numbers_compare_without_leading_zeros() {
        assert!(same_number(&[0, 0, 1, 2], &[1, 2]));
        assert!(!same_number(&[1, 2], &[1, 3]));
        assert!(!same_number(&[1, 2], &[1, 2, 0]));
        assert_eq!(bit_len(&[0, 1, 0]), 9);
    }
}
