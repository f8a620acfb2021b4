//! RSASSA-PKCS1-v1_5 SHA-256 verification with a precomputed Montgomery context.
//!
//! Verification only touches public data (modulus, exponent, signature, message), so it need not be
//! constant time; that frees it to use plain variable-time arithmetic on 32-bit limbs, which is what
//! wasm32 multiplies natively (u32 x u32 -> u64 is one `i64.mul`). The per-key constants (R^2 mod n and
//! -n^-1 mod 2^32) are computed once when the key is loaded, not per token.
//!
//! The check follows RFC 8017 §8.2.2: s^e mod n is compared byte for byte with the encoding we build
//! ourselves, EM = 0x00 01 FF..FF 00 || DigestInfo(SHA-256) || H, rather than parsing the signature's
//! padding (which is where Bleichenbacher-style forgeries live).

use sha2::{Digest, Sha256};

/// DER prefix of DigestInfo for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// A public key prepared for repeated verification.
#[derive(Clone, Debug)]
pub struct PreparedPublicKey {
    /// Modulus, little-endian 32-bit limbs.
    n: Vec<u32>,
    /// -n^-1 mod 2^32.
    n0_inv: u32,
    /// R^2 mod n with R = 2^(32 * limbs).
    r2: Vec<u32>,
    exponent: u64,
    /// Modulus length in bytes (signature length).
    size: usize,
}

impl PreparedPublicKey {
    /// `modulus` big-endian without sign byte; `exponent` odd and > 1. Returns None for a modulus
    /// that is even, shorter than 512 bits or has a leading zero byte.
    pub fn new(modulus: &[u8], exponent: u64) -> Option<Self> {
        let modulus = strip_leading_zeros(modulus);
        if modulus.len() < 64 || modulus.last().is_none_or(|low| low & 1 == 0) {
            return None;
        }
        if exponent < 3 || exponent & 1 == 0 {
            return None;
        }
        let n = limbs_from_be(modulus, modulus.len().div_ceil(4));
        let n0_inv = neg_inverse_mod_2_32(*n.first()?);
        let r2 = r_squared_mod(&n);
        Some(PreparedPublicKey {
            n,
            n0_inv,
            r2,
            exponent,
            size: modulus.len(),
        })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// True when `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub fn verify_pkcs1v15_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        match pkcs1v15_sha256_encoding(message, self.size) {
            Some(expected) => self.recovers(signature, &expected),
            None => false,
        }
    }

    /// True when signature^e mod n equals `em` (the encoded message, `size` bytes).
    pub(crate) fn recovers(&self, signature: &[u8], em: &[u8]) -> bool {
        if signature.len() != self.size || em.len() != self.size {
            return false;
        }
        let k = self.n.len();
        let s = limbs_from_be(signature, k);
        if !less_than(&s, &self.n) {
            return false;
        }
        let m = self.public_op(&s);
        let mut recovered = vec![0u8; self.size];
        limbs_to_be(&m, &mut recovered);
        recovered == em
    }

    /// s^e mod n by left-to-right square-and-multiply in the Montgomery domain.
    fn public_op(&self, s: &[u32]) -> Vec<u32> {
        let k = self.n.len();
        let mut scratch = vec![0u32; k + 2];
        let base = self.mont_mul(s, &self.r2, &mut scratch);
        let mut acc = base.clone();
        let top = 63 - self.exponent.leading_zeros();
        for bit in (0..top).rev() {
            acc = self.mont_mul(&acc, &acc, &mut scratch);
            if (self.exponent >> bit) & 1 == 1 {
                acc = self.mont_mul(&acc, &base, &mut scratch);
            }
        }
        let mut one = vec![0u32; k];
        one[0] = 1;
        self.mont_mul(&acc, &one, &mut scratch)
    }

    /// a * b * R^-1 mod n (CIOS), for a, b < n.
    fn mont_mul(&self, a: &[u32], b: &[u32], t: &mut [u32]) -> Vec<u32> {
        let n = &self.n;
        let k = n.len();
        t.fill(0);
        for &ai in a {
            let ai = u64::from(ai);
            let mut carry = 0u64;
            for (tj, &bj) in t.iter_mut().zip(b) {
                let sum = u64::from(*tj) + ai * u64::from(bj) + carry;
                *tj = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[k]) + carry;
            t[k] = sum as u32;
            t[k + 1] = (sum >> 32) as u32;

            let m = u64::from(t[0].wrapping_mul(self.n0_inv));
            let mut carry = (u64::from(t[0]) + m * u64::from(n[0])) >> 32;
            for j in 1..k {
                let sum = u64::from(t[j]) + m * u64::from(n[j]) + carry;
                t[j - 1] = sum as u32;
                carry = sum >> 32;
            }
            let sum = u64::from(t[k]) + carry;
            t[k - 1] = sum as u32;
            t[k] = t[k + 1] + (sum >> 32) as u32;
        }
        let mut result = t[..k].to_vec();
        if t[k] != 0 || !less_than(&result, n) {
            subtract_in_place(&mut result, n);
        }
        result
    }
}

/// EM for `message` (RFC 8017 §9.2): 00 01 FF.. 00 DigestInfo(SHA-256) H, `size` bytes; None when
/// `size` is too small for the 11-byte minimum padding.
pub(crate) fn pkcs1v15_sha256_encoding(message: &[u8], size: usize) -> Option<Vec<u8>> {
    let hash = Sha256::digest(message);
    let t_len = SHA256_DIGEST_INFO.len() + hash.len();
    if size < t_len + 11 {
        return None;
    }
    let mut em = vec![0xffu8; size];
    em[0] = 0x00;
    em[1] = 0x01;
    let separator = size - t_len - 1;
    em[separator] = 0x00;
    em[separator + 1..separator + 1 + SHA256_DIGEST_INFO.len()]
        .copy_from_slice(&SHA256_DIGEST_INFO);
    em[size - hash.len()..].copy_from_slice(&hash);
    Some(em)
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Big-endian bytes to `k` little-endian limbs (bytes beyond `4k` are ignored by construction).
fn limbs_from_be(bytes: &[u8], k: usize) -> Vec<u32> {
    let mut limbs = vec![0u32; k];
    for (i, &byte) in bytes.iter().rev().enumerate().take(4 * k) {
        limbs[i / 4] |= u32::from(byte) << (8 * (i % 4));
    }
    limbs
}

fn limbs_to_be(limbs: &[u32], out: &mut [u8]) {
    let len = out.len();
    for (i, byte) in out.iter_mut().rev().enumerate() {
        *byte = limbs
            .get(i / 4)
            .map_or(0, |limb| (limb >> (8 * (i % 4))) as u8);
    }
    debug_assert!(len <= limbs.len() * 4);
}

fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

fn subtract_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0i64;
    for (x, &y) in a.iter_mut().zip(b) {
        let diff = i64::from(*x) - i64::from(y) - borrow;
        *x = diff as u32;
        borrow = i64::from(diff < 0);
    }
}

/// -n0^-1 mod 2^32 by Newton iteration (n0 odd).
fn neg_inverse_mod_2_32(n0: u32) -> u32 {
    let mut inverse: u32 = 1;
    for _ in 0..5 {
        inverse = inverse.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inverse)));
    }
    inverse.wrapping_neg()
}

/// R^2 mod n, by doubling 1 modulo n 2 * 32k times.
fn r_squared_mod(n: &[u32]) -> Vec<u32> {
    let k = n.len();
    let mut x = vec![0u32; k];
    x[0] = 1;
    for _ in 0..64 * k {
        let carry = x.last().is_some_and(|top| top >> 31 == 1);
        let mut previous = 0u32;
        for limb in x.iter_mut() {
            let next = *limb >> 31;
            *limb = (*limb << 1) | previous;
            previous = next;
        }
        if carry || !less_than(&x, n) {
            subtract_in_place(&mut x, n);
        }
    }
    x
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn inverse_mod_2_32() {
        for n0 in [1u32, 3, 0xffff_ffff, 0x8000_0001, 12345677] {
            assert_eq!(n0.wrapping_mul(neg_inverse_mod_2_32(n0)), u32::MAX);
        }
    }

    #[test]
    fn refuses_unusable_moduli() {
        assert!(PreparedPublicKey::new(&[0xff; 32], 65537).is_none()); // too short
        let mut even = vec![0xffu8; 256];
        even[255] = 0xfe;
        assert!(PreparedPublicKey::new(&even, 65537).is_none());
        assert!(PreparedPublicKey::new(&[0xff; 256], 1).is_none());
        assert!(PreparedPublicKey::new(&[0xff; 256], 4).is_none());
    }
}
