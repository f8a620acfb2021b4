//! RSASSA-PKCS1-v1_5 SHA-256 verification with a precomputed Montgomery context.
//!
//! Verification only touches public data (modulus, exponent, signature, message), so it need not be
//! constant time; that frees it to use plain variable-time arithmetic tuned for wasm32, where the
//! widest multiply is `i64.mul` and there is no add-with-carry:
//!
//! - **27-bit limbs in u64 words** with **product scanning** (Comba): each column of the product
//!   and of the Montgomery reduction is summed in one u64 with no carry handling inside the loop
//!   (a product is below 2^54, and even an 8192-bit modulus sums at most 610 of them per column,
//!   below 2^64). The inner loop is then one multiply and one add per term, where 32-bit limbs
//!   need a carry chain of several operations per term.
//! - **Lazy reduction**: R = 2^(27k) > 4n, so Montgomery products of values below 2n stay below
//!   2n without a conditional subtraction; one subtraction at the end.
//! - A **dedicated squaring** computes each cross product once (e = 65537 is 16 squarings and
//!   one multiplication).
//! - No conversion out of the Montgomery domain: the last multiplication (e is odd) takes the
//!   plain signature, Mont(s^(e-1) R, s) = s^e.
//!
//! The per-key constants (R^2 mod n and -n^-1 mod 2^27) are computed once when the key is loaded.
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

/// Bits per limb.
const W: u32 = 27;
const MASK: u64 = (1 << W) - 1;
/// Largest modulus accepted here: keeps every column sum below 2^64 (see the module docs).
const MAX_MODULUS_BYTES: usize = 1024;

/// A public key prepared for repeated verification.
#[derive(Clone, Debug)]
pub struct PreparedPublicKey {
    /// Modulus, little-endian 27-bit limbs; k limbs with 27k >= bits(n) + 2, so R > 4n.
    n: Vec<u64>,
    /// -n^-1 mod 2^27.
    n0_inv: u64,
    /// R^2 mod n.
    r2: Vec<u64>,
    exponent: u64,
    /// Modulus length in bytes (signature length).
    size: usize,
}

impl PreparedPublicKey {
    /// `modulus` big-endian without sign byte; `exponent` odd and > 1. Returns None for a modulus
    /// that is even, shorter than 512 bits or longer than 8192 bits.
    pub fn new(modulus: &[u8], exponent: u64) -> Option<Self> {
        let modulus = strip_leading_zeros(modulus);
        if modulus.len() < 64
            || modulus.len() > MAX_MODULUS_BYTES
            || modulus.last().is_none_or(|low| low & 1 == 0)
        {
            return None;
        }
        if exponent < 3 || exponent & 1 == 0 {
            return None;
        }
        let bits = modulus.len() * 8;
        let k = (bits + 2).div_ceil(W as usize);
        let n = limbs_from_be(modulus, k);
        // The top byte is non-zero, so bits(n) is its bit length plus the rest.
        let bits = bits - modulus.first()?.leading_zeros() as usize;
        let n0_inv = u64::from(neg_inverse_mod_2_32(*n.first()? as u32)) & MASK;
        let mut key = PreparedPublicKey {
            n,
            n0_inv,
            r2: Vec::new(),
            exponent,
            size: modulus.len(),
        };
        key.r2 = key.r_squared_mod(bits);
        Some(key)
    }

    /// R^2 mod n. In the Montgomery domain 2^a is represented by 2^a R, and Mont(2^a R, 2^b R) =
    /// 2^(a+b) R; so raising the representation of 2 (2R mod n, from a few doublings) to the power
    /// 27k gives 2^(27k) R = R^2, in about 12 squarings instead of 54k modular doublings.
    fn r_squared_mod(&self, modulus_bits: usize) -> Vec<u64> {
        let k = self.n.len();
        // 2R = 2^(27k + 1) mod n: start from 2^(bits - 1) < n and double with reduction.
        let mut two = vec![0u64; k];
        let top = modulus_bits - 1;
        two[top / W as usize] = 1 << (top % W as usize);
        for _ in top..W as usize * k + 1 {
            let mut carry = 0u64;
            for limb in two.iter_mut() {
                let doubled = (*limb << 1) | carry;
                carry = doubled >> W;
                *limb = doubled & MASK;
            }
            if !less_than(&two, &self.n) {
                subtract_in_place(&mut two, &self.n);
            }
        }
        let power = W as u64 * k as u64;
        let mut scratch = vec![0u64; k];
        let mut acc = two.clone();
        let mut tmp = vec![0u64; k];
        for bit in (0..63 - power.leading_zeros()).rev() {
            self.mont_sqr(&acc, &mut tmp, &mut scratch);
            std::mem::swap(&mut acc, &mut tmp);
            if (power >> bit) & 1 == 1 {
                self.mont_mul(&acc, &two, &mut tmp, &mut scratch);
                std::mem::swap(&mut acc, &mut tmp);
            }
        }
        if !less_than(&acc, &self.n) {
            subtract_in_place(&mut acc, &self.n);
        }
        acc
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
        let s = limbs_from_be(signature, self.n.len());
        if !less_than(&s, &self.n) {
            return false;
        }
        let m = self.public_op(&s);
        let mut recovered = vec![0u8; self.size];
        limbs_to_be(&m, &mut recovered);
        recovered == em
    }

    /// s^e mod n (s < n): left-to-right square-and-multiply in the Montgomery domain.
    fn public_op(&self, s: &[u64]) -> Vec<u64> {
        let k = self.n.len();
        let mut scratch = vec![0u64; k];
        let mut acc = vec![0u64; k];
        let mut tmp = vec![0u64; k];
        // base = s R mod n (below 2n).
        self.mont_mul(s, &self.r2, &mut acc, &mut scratch);
        let base = acc.clone();
        let top = 63 - self.exponent.leading_zeros();
        // Every bit but the last; e is odd, so its last step is a multiplication.
        for bit in (1..top).rev() {
            self.mont_sqr(&acc, &mut tmp, &mut scratch);
            std::mem::swap(&mut acc, &mut tmp);
            if (self.exponent >> bit) & 1 == 1 {
                self.mont_mul(&acc, &base, &mut tmp, &mut scratch);
                std::mem::swap(&mut acc, &mut tmp);
            }
        }
        self.mont_sqr(&acc, &mut tmp, &mut scratch);
        // (s^(e-1) R) * s * R^-1 = s^e, below 2n.
        self.mont_mul(&tmp, s, &mut acc, &mut scratch);
        if !less_than(&acc, &self.n) {
            subtract_in_place(&mut acc, &self.n);
        }
        acc
    }

    /// out = a b R^-1 for a, b < 2n (so out < 2n), by product scanning; `m` is scratch.
    fn mont_mul(&self, a: &[u64], b: &[u64], out: &mut [u64], m: &mut [u64]) {
        let n = &self.n;
        let k = n.len();
        let mut acc: u64 = 0;
        for i in 0..k {
            for (&aj, &bj) in a[..i].iter().zip(b[1..=i].iter().rev()) {
                acc += aj * bj;
            }
            acc += a[i] * b[0];
            acc = self.reduce_column(acc, i, m);
        }
        for i in k..2 * k - 1 {
            let lo = i + 1 - k;
            for (&aj, &bj) in a[lo..k].iter().zip(b[lo..k].iter().rev()) {
                acc += aj * bj;
            }
            acc = self.finish_column(acc, i, out, m);
        }
        out[k - 1] = acc;
    }

    /// out = a^2 R^-1 for a < 2n, computing each cross product once.
    fn mont_sqr(&self, a: &[u64], out: &mut [u64], m: &mut [u64]) {
        let k = self.n.len();
        let mut acc: u64 = 0;
        for i in 0..2 * k - 1 {
            let lo = (i + 1).saturating_sub(k);
            // Pairs (j, i - j) with j < i - j, each counted twice; the middle term once.
            let mut cross: u64 = 0;
            if i >= 1 {
                let hi = (i - 1) / 2;
                if hi >= lo {
                    for (&x, &y) in a[lo..=hi].iter().zip(a[i - hi..=i - lo].iter().rev()) {
                        cross += x * y;
                    }
                }
            }
            acc += 2 * cross;
            if i % 2 == 0 {
                acc += a[i / 2] * a[i / 2];
            }
            acc = if i < k {
                self.reduce_column(acc, i, m)
            } else {
                self.finish_column(acc, i, out, m)
            };
        }
        out[k - 1] = acc;
    }

    /// Columns 0..k: adds m_j n_(i-j) for j < i, picks m_i so the column's low limb is zero, shifts.
    #[inline(always)]
    fn reduce_column(&self, mut acc: u64, i: usize, m: &mut [u64]) -> u64 {
        let n = &self.n;
        for (&mj, &nj) in m[..i].iter().zip(n[1..=i].iter().rev()) {
            acc += mj * nj;
        }
        let mi = ((acc & MASK) * self.n0_inv) & MASK;
        m[i] = mi;
        acc += mi * n[0];
        acc >> W
    }

    /// Columns k..2k-1: adds m_j n_(i-j), writes the low limb of the result, shifts.
    #[inline(always)]
    fn finish_column(&self, mut acc: u64, i: usize, out: &mut [u64], m: &[u64]) -> u64 {
        let n = &self.n;
        let k = n.len();
        let lo = i + 1 - k;
        for (&mj, &nj) in m[lo..k].iter().zip(n[lo..k].iter().rev()) {
            acc += mj * nj;
        }
        out[i - k] = acc & MASK;
        acc >> W
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

/// Big-endian bytes to `k` little-endian 27-bit limbs (bits beyond 27k are dropped; callers size k).
fn limbs_from_be(bytes: &[u8], k: usize) -> Vec<u64> {
    let mut limbs = vec![0u64; k];
    for (i, &byte) in bytes.iter().rev().enumerate() {
        let bit = i * 8;
        let (limb, shift) = (bit / W as usize, bit % W as usize);
        if let Some(slot) = limbs.get_mut(limb) {
            *slot |= (u64::from(byte) << shift) & MASK;
        }
        if shift + 8 > W as usize {
            if let Some(slot) = limbs.get_mut(limb + 1) {
                *slot |= u64::from(byte) >> (W as usize - shift);
            }
        }
    }
    limbs
}

/// Limbs (each below 2^27) to `out.len()` big-endian bytes; higher bits are dropped.
fn limbs_to_be(limbs: &[u64], out: &mut [u8]) {
    let mut window: u64 = 0;
    let mut filled = 0u32;
    let mut limbs = limbs.iter();
    for byte in out.iter_mut().rev() {
        if filled < 8 {
            window |= limbs.next().copied().unwrap_or(0) << filled;
            filled += W;
        }
        *byte = window as u8;
        window >>= 8;
        filled -= 8;
    }
}

fn less_than(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// a -= b for a >= b (limbwise with borrow, 27-bit limbs).
fn subtract_in_place(a: &mut [u64], b: &[u64]) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let diff = x.wrapping_sub(y).wrapping_sub(borrow);
        borrow = diff >> 63;
        *x = diff & MASK;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// xorshift64*: deterministic test bytes.
    fn bytes(state: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *state ^= *state >> 12;
                *state ^= *state << 25;
                *state ^= *state >> 27;
                (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
            })
            .collect()
    }

    /// s^e mod n by crypto-bigint, as an independent reference.
    fn reference(n: &[u8], s: &[u8], e: u64) -> Vec<u8> {
        use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
        use crypto_bigint::{BoxedUint, Odd};
        let bits = (n.len() * 8) as u32;
        let n = Odd::new(BoxedUint::from_be_slice(n, bits).unwrap()).unwrap();
        let params = BoxedMontyParams::new_vartime(n);
        let s = BoxedMontyForm::new(BoxedUint::from_be_slice(s, bits).unwrap(), &params);
        let e = BoxedUint::from(e);
        let out = s.pow(&e).retrieve().to_be_bytes();
        out[out.len() - n_len(bits)..].to_vec()
    }

    fn n_len(bits: u32) -> usize {
        (bits / 8) as usize
    }

    #[test]
    fn exponentiation_matches_crypto_bigint() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in [64usize, 65, 127, 128, 255, 256, 257, 384, 512, 1024] {
            for e in [3u64, 17, 65537, (1 << 33) - 1] {
                let mut n = bytes(&mut state, len);
                n[0] |= 0x80;
                n[len - 1] |= 1;
                let key = PreparedPublicKey::new(&n, e).unwrap();
                for round in 0..4 {
                    let mut s = bytes(&mut state, len);
                    match round {
                        0 => s[0] &= 0x7f,       // below n
                        1 => s = vec![0u8; len], // zero
                        2 => {
                            // n - 1
                            s = n.clone();
                            s[len - 1] -= 1;
                        }
                        _ => s[0] = n[0].saturating_sub(1), // near n
                    }
                    let limbs = limbs_from_be(&s, key.n.len());
                    assert!(less_than(&limbs, &key.n));
                    let mut ours = vec![0u8; len];
                    limbs_to_be(&key.public_op(&limbs), &mut ours);
                    assert_eq!(ours, reference(&n, &s, e), "len {len} e {e} round {round}");
                }
            }
        }
    }

    #[test]
    fn limb_conversions_round_trip() {
        let mut state = 7u64;
        for len in [1usize, 3, 4, 27, 64, 255, 256, 1024] {
            let b = bytes(&mut state, len);
            let k = (len * 8 + 2).div_ceil(W as usize);
            let limbs = limbs_from_be(&b, k);
            assert!(limbs.iter().all(|&l| l <= MASK));
            let mut back = vec![0u8; len];
            limbs_to_be(&limbs, &mut back);
            assert_eq!(back, b);
        }
    }

    #[test]
    fn inverse_mod_2_32() {
        for n0 in [1u32, 3, 0xffff_ffff, 0x8000_0001, 12345677] {
            assert_eq!(n0.wrapping_mul(neg_inverse_mod_2_32(n0)), u32::MAX);
        }
    }

    use num_bigint::BigUint;
    use proptest::prelude::*;

    /// An odd modulus of 64 to 520 bytes with a non-zero top byte, as a verifier may be given.
    fn modulus() -> impl Strategy<Value = Vec<u8>> {
        (64usize..=520).prop_flat_map(|len| {
            proptest::collection::vec(any::<u8>(), len).prop_map(|mut bytes| {
                bytes[0] = bytes[0].max(1);
                let last = bytes.len() - 1;
                bytes[last] |= 1;
                bytes
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The Montgomery exponentiation against num-bigint's, an independent implementation, for
        /// moduli of every length (whole and partial top limbs) and exponents from 3 to 2^33 - 1.
        #[test]
        fn public_op_matches_num_bigint(
            n in modulus(),
            s_bytes in proptest::collection::vec(any::<u8>(), 1..=520),
            e in prop_oneof![Just(3u64), Just(65537u64), (1u64..(1 << 32)).prop_map(|e| 2 * e + 1)],
        ) {
            let key = PreparedPublicKey::new(&n, e).unwrap();
            let big_n = BigUint::from_bytes_be(&n);
            let s = BigUint::from_bytes_be(&s_bytes) % &big_n;
            let expected = s.modpow(&BigUint::from(e), &big_n);
            let limbs = limbs_from_be(&s.to_bytes_be(), key.n.len());
            let mut ours = vec![0u8; key.size];
            limbs_to_be(&key.public_op(&limbs), &mut ours);
            prop_assert_eq!(BigUint::from_bytes_be(&ours), expected);
        }

        /// Edge values of s: 0, 1, n - 1 and n - 2.
        #[test]
        fn public_op_edges(n in modulus()) {
            let key = PreparedPublicKey::new(&n, 65537).unwrap();
            let big_n = BigUint::from_bytes_be(&n);
            for s in [BigUint::from(0u8), BigUint::from(1u8), &big_n - 1u8, &big_n - 2u8] {
                let limbs = limbs_from_be(&s.to_bytes_be(), key.n.len());
                let mut ours = vec![0u8; key.size];
                limbs_to_be(&key.public_op(&limbs), &mut ours);
                prop_assert_eq!(
                    BigUint::from_bytes_be(&ours),
                    s.modpow(&BigUint::from(65537u32), &big_n)
                );
            }
        }
    }

    #[test]
    fn refuses_unusable_moduli() {
        assert!(PreparedPublicKey::new(&[0xff; 32], 65537).is_none()); // too short
        assert!(PreparedPublicKey::new(&[0xff; 1025], 65537).is_none()); // over 8192 bits
        let mut even = vec![0xffu8; 256];
        even[255] = 0xfe;
        assert!(PreparedPublicKey::new(&even, 65537).is_none());
        assert!(PreparedPublicKey::new(&[0xff; 256], 1).is_none());
        assert!(PreparedPublicKey::new(&[0xff; 256], 4).is_none());
    }
}
