//! RSA key components as big-endian bytes, and the checks that turn them into keys.
//!
//! PKCS#1 DER and the .NET XML both carry the same eight numbers; both paths end here so that a key
//! is checked the same way whatever it was pasted as.

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, ConcatenatingMul, CtEq, CtLt, NonZero, Odd, Resize};
use zeroize::{Zeroize, Zeroizing};

pub use super::public::PublicKey;

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
pub(crate) fn public_key(n: &[u8], e: &[u8]) -> Result<PublicKey, PublicProblem> {
    check_public(n, e)?;
    let exponent = trim(e)
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    Ok(PublicKey::new_unchecked(trim(n).to_vec(), exponent))
}

/// A private key's numbers, checked against each other, in the forms the signer works with. The
/// secret values are wiped on drop, except the primes inside the Montgomery parameters (see the
/// module doc of `key`).
pub(crate) struct CheckedKey {
    pub public: PublicKey,
    /// Montgomery parameters modulo N (for blinding), P and Q (at half the modulus' precision,
    /// rounded up, which is where balanced primes fit).
    pub n_params: BoxedMontyParams,
    pub p_params: BoxedMontyParams,
    pub q_params: BoxedMontyParams,
    pub dp: BoxedUint,
    pub dq: BoxedUint,
    /// InverseQ in Montgomery form modulo P, ready for the CRT recombination.
    pub qinv: BoxedMontyForm,
}

impl Drop for CheckedKey {
    fn drop(&mut self) {
        self.dp.zeroize();
        self.dq.zeroize();
        self.qinv.zeroize();
    }
}

/// Checks the eight numbers of a private key against each other, as RFC 8017 §3.2 defines them:
/// P * Q = N with P and Q distinct and no longer than half the modulus, D < N, D * E = 1 mod P-1 and
/// mod Q-1, and the stored CRT values DP = D mod (P-1), DQ = D mod, InverseQ * Q = 1 mod P with
/// InverseQ < P. The CRT values are checked rather than recomputed: the signer uses them as given, and
/// a damaged key file is refused rather than silently repaired (openssl, which uses the stored values,
/// would sign wrongly with it).
///
/// Every step on a secret value is crypto-bigint's constant-time arithmetic (multiplication,
/// division with remainder, Montgomery multiplication, comparisons); only each check's final verdict
/// is branched on, and a failed check ends in an error anyway.
pub(crate) fn private_key(parts: &Components) -> Result<CheckedKey> {
    let public = public_key(&parts.n, &parts.e).map_err(PublicProblem::for_private_key)?;
    for (value, message) in [
        (&parts.p, "prime P must be greater than 1"),
        (&parts.q, "prime Q must be greater than 1"),
        (&parts.d, "private exponent D must be greater than 1"),
    ] {
        if bit_len(value) < 2 {
            return Err(Error::KeyInvalid(message));
        }
    }
    let inconsistent = || Error::KeyInvalid("the RSA key components are inconsistent");
    // check_public bounds the modulus to 8192 bits, so these fit.
    let n_bits = u32::try_from(public.bits()).map_err(|_| inconsistent())?;
    let half_bits = n_bits.div_ceil(2);
    let n = Odd::new(BoxedUint::from_be_slice_vartime(public.n()).resize_unchecked(n_bits))
        .into_option()
        .ok_or_else(inconsistent)?;
    // crypto-bigint's decoder keeps only the low `precision` bits of a longer number, so the length
    // is checked here first: a damaged value must not become a valid one by losing its top bits.
    let secret = |bytes: &[u8], precision: u32| {
        if bit_len(bytes) > precision as usize {
            return None;
        }
        BoxedUint::from_be_slice(trim(bytes), precision)
            .ok()
            .map(Zeroizing::new)
    };
    let too_long = || Error::KeyInvalid("a private key component is longer than the modulus");
    let d = secret(&parts.d, n_bits).ok_or_else(too_long)?;
    let p = secret(&parts.p, n_bits).ok_or_else(too_long)?;
    let q = secret(&parts.q, n_bits).ok_or_else(too_long)?;

    let product = Zeroizing::new(p.concatenating_mul(&*q));
    if !bool::from(product.ct_eq(&n.as_ref().resize_unchecked(product.bits_precision()))) {
        return Err(Error::KeyInvalid("P times Q does not equal the modulus"));
    }
    let unbalanced =
        || Error::KeyInvalid("P and Q are not two distinct, balanced factors of the modulus");
    if p.bit_width() > half_bits || q.bit_width() > half_bits || bool::from(p.ct_eq(&*q)) {
        return Err(unbalanced());
    }
    // N is odd and P * Q = N, so both primes are odd (and, being over 1, at least 3).
    let halve = |value: &BoxedUint| {
        Odd::new(value.clone().resize_unchecked(half_bits))
            .into_option()
            .ok_or_else(unbalanced)
    };
    let (p, q) = (halve(&p)?, halve(&q)?);

    let wrong_d = || Error::KeyInvalid("private exponent D does not match the public exponent");
    if !bool::from(d.ct_lt(n.as_ref())) {
        return Err(wrong_d());
    }
    let de = Zeroizing::new(d.concatenating_mul(&BoxedUint::from(public.e())));
    let minus_1 = |prime: &Odd<BoxedUint>| {
        NonZero::new(prime.as_ref().wrapping_sub(BoxedUint::one()))
            .into_option()
            .map(Zeroizing::new)
            .ok_or_else(unbalanced)
    };
    let (p_minus_1, q_minus_1) = (minus_1(&p)?, minus_1(&q)?);
    for minus_1 in [&p_minus_1, &q_minus_1] {
        if !bool::from(Zeroizing::new(de.rem(&**minus_1)).is_one()) {
            return Err(wrong_d());
        }
    }

    let crt_value = |bytes: &[u8], expected: &BoxedUint, message: &'static str| match secret(
        bytes, half_bits,
    ) {
        Some(given) if bool::from(given.ct_eq(expected)) => Ok(given),
        _ => Err(Error::KeyInvalid(message)),
    };
    let dp = crt_value(
        &parts.dp,
        &Zeroizing::new(d.rem(&*p_minus_1)),
        "DP does not equal D mod (P-1)",
    )?;
    let dq = crt_value(
        &parts.dq,
        &Zeroizing::new(d.rem(&*q_minus_1)),
        "DQ does not equal D mod (Q-1)",
    )?;

    let wrong_qinv = || Error::KeyInvalid("InverseQ does not equal the inverse of Q mod P");
    let qinv = secret(&parts.qinv, half_bits).ok_or_else(wrong_qinv)?;
    if !bool::from(qinv.ct_lt(p.as_ref())) {
        return Err(wrong_qinv());
    }
    let q_mod_p = Zeroizing::new(q.as_ref().rem(p.as_nz_ref()));
    let p_params = BoxedMontyParams::new(p);
    let qinv = BoxedMontyForm::new((*qinv).clone(), &p_params);
    let check = Zeroizing::new(&qinv * &BoxedMontyForm::new((*q_mod_p).clone(), &p_params));
    if !bool::from(check.retrieve().is_one()) {
        return Err(wrong_qinv());
    }
    Ok(CheckedKey {
        public,
        n_params: BoxedMontyParams::new(n),
        p_params,
        q_params: BoxedMontyParams::new(q),
        dp: (*dp).clone(),
        dq: (*dq).clone(),
        qinv,
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/keys/", $name))
        };
    }

    /// Two-prime keys of several shapes: 2048 bits twice, 2050 and 2056 (not a whole number of
    /// limbs), e = 3 at 3072 bits.
    const KEYS: [&str; 5] = [
        fixture!("rsa2048.pkcs8.pem"),
        fixture!("other2048.pkcs8.pem"),
        fixture!("rsa2050.pkcs8.pem"),
        fixture!("odd2056.pkcs8.pem"),
        fixture!("rsa3072-e3.pkcs8.pem"),
    ];

    fn components_of(pem: &str) -> Components {
        let key = crate::key::PrivateKey::parse(pem).unwrap();
        copy(&key.parts)
    }

    fn copy(c: &Components) -> Components {
        let z = |v: &Zeroizing<Vec<u8>>| Zeroizing::new(v.to_vec());
        Components {
            n: z(&c.n),
            e: z(&c.e),
            d: z(&c.d),
            p: z(&c.p),
            q: z(&c.q),
            dp: z(&c.dp),
            dq: z(&c.dq),
            qinv: z(&c.qinv),
        }
    }

    fn field(c: &mut Components, index: usize) -> &mut Zeroizing<Vec<u8>> {
        match index {
            0 => &mut c.n,
            1 => &mut c.e,
            2 => &mut c.d,
            3 => &mut c.p,
            4 => &mut c.q,
            5 => &mut c.dp,
            6 => &mut c.dq,
            _ => &mut c.qinv,
        }
    }

    /// The rsa crate's verdict on the same numbers (an independent implementation): whether it
    /// builds a key from N, E, D, P and Q (its `validate` checks P*Q = N, distinct balanced primes,
    /// D < N and D*E = 1 mod P-1 and Q-1), and whether the stored CRT values equal the ones it
    /// computes from them. Our public-key policy (size, exponent) applies first, as in ours.
    fn rsa_accepts(c: &Components) -> bool {
        use rsa::traits::PrivateKeyParts;
        if check_public(&c.n, &c.e).is_err() {
            return false;
        }
        let n = trim(&c.n);
        let bits = bit_len(n) as u32;
        let number = |bytes: &[u8]| rsa::BoxedUint::from_be_slice(trim(bytes), bits).ok();
        let (Some(d), Some(p), Some(q)) = (number(&c.d), number(&c.p), number(&c.q)) else {
            return false;
        };
        let Ok(key) = rsa::PrivateKey::from_components(
            rsa::BoxedUint::from_be_slice_vartime(n),
            rsa::BoxedUint::from_be_slice_vartime(trim(&c.e)),
            d,
            vec![p, q],
        ) else {
            return false;
        };
        let same =
            |given: &[u8], computed: &rsa::BoxedUint| trim(given) == trim(&computed.to_be_bytes());
        same(&c.dp, key.dp().unwrap())
            && same(&c.dq, key.dq().unwrap())
            && same(&c.qinv, &key.qinv().unwrap().retrieve())
    }

    #[test]
    fn fixture_keys_pass_both_checks() {
        for pem in KEYS {
            let c = components_of(pem);
            assert!(rsa_accepts(&c));
            assert!(private_key(&c).is_ok());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// One component damaged in one of several ways: our checks accept exactly what the rsa
        /// crate accepts, and a key we accept signs (the signer's own check verifies the signature
        /// against the public key).
        #[test]
        fn damaged_keys_are_judged_as_the_rsa_crate_judges_them(
            key in 0..KEYS.len(),
            index in 0usize..8,
            kind in 0u8..8,
            position in any::<prop::sample::Index>(),
            other in 0usize..8,
            small in 0u8..4,
        ) {
            let original = components_of(KEYS[key]);
            let mut c = copy(&original);
            let donor = components_of(KEYS[(key + 1) % KEYS.len()]);
            match kind {
                // One bit flipped.
                0 => {
                    let value = field(&mut c, index);
                    let bit = position.index(value.len() * 8);
                    value[bit / 8] ^= 1 << (bit % 8);
                }
                // The same component of another key.
                1 => *field(&mut c, index) = Zeroizing::new(field(&mut copy(&donor), index).to_vec()),
                // A tiny value.
                2 => *field(&mut c, index) = Zeroizing::new(vec![small]),
                // Another component's value.
                3 => *field(&mut c, index) = Zeroizing::new(field(&mut copy(&original), other).to_vec()),
                // Plus one.
                4 => {
                    let value = field(&mut c, index);
                    for byte in value.iter_mut().rev() {
                        let (sum, carry) = byte.overflowing_add(1);
                        *byte = sum;
                        if !carry {
                            break;
                        }
                    }
                }
                // Leading zero bytes (the same number).
                5 => field(&mut c, index).splice(0..0, [0, 0]).for_each(drop),
                // Last byte dropped.
                6 => {
                    field(&mut c, index).pop();
                }
                // Unchanged.
                _ => {}
            }
            let ours = private_key(&c);
            prop_assert_eq!(ours.is_ok(), rsa_accepts(&c), "kind {} index {}", kind, index);
            if let Ok(checked) = ours {
                let signer = super::super::signer::Signer::new(checked).unwrap();
                prop_assert!(signer.sign(b"message").is_ok());
            }
        }
    }

    #[test]
    fn byte_helpers() {
        assert_eq!(trim(&[0, 0, 1, 0]), &[1, 0]);
        assert_eq!(trim(&[0, 0]), &[] as &[u8]);
        assert_eq!(bit_len(&[0, 1]), 1);
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(*left_pad(&[0, 1, 2], 4), [0, 0, 1, 2]);
        assert_eq!(*left_pad(&[1, 2, 3], 2), [1, 2, 3]);
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
