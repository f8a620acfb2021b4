//! Private-key checks against the rsa crate. One of the eight numbers of a fixture key is replaced by,
//! or XORed with, fuzzer bytes, and the key is given to `PrivateKey::parse` as .NET XML. Ours must
//! accept exactly what rsa accepts: our public-key policy (2048 to 8192 bits, odd e from 3 to
//! 2^33-1), then rsa's `PrivateKey::from_components` (P*Q = N, distinct balanced primes, D < N,
//! D*E = 1 mod P-1 and Q-1) with the stored DP, DQ and InverseQ equal to the ones rsa computes. A key
//! we accept must sign, and rsa's verifier must accept the signature.
#![no_main]

use std::sync::OnceLock;

use base64ct::{Base64, Encoding};
use libfuzzer_sys::fuzz_target;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::Verifier;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::BoxedUint;
use superoffice_auth::PrivateKey;

/// The eight numbers, in .NET's element order.
const NAMES: [&str; 8] = ["Modulus", "Exponent", "P", "Q", "DP", "DQ", "InverseQ", "D"];

fn fixtures() -> &'static [[Vec<u8>; 8]] {
    static KEYS: OnceLock<Vec<[Vec<u8>; 8]>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            include_str!("../../tests/fixtures/keys/rsa2048.pkcs8.pem"),
            include_str!("../../tests/fixtures/keys/odd2056.pkcs8.pem"),
            include_str!("../../tests/fixtures/keys/rsa3072-e3.pkcs8.pem"),
        ]
        .iter()
        .map(|pem| {
            let key = rsa::PrivateKey::from_pkcs8_pem(pem).expect("fixture key");
            let bytes = |value: &BoxedUint| trim(&value.to_be_bytes()).to_vec();
            [
                bytes(key.n().as_ref()),
                bytes(key.e()),
                bytes(key.primes()[0].as_ref()),
                bytes(key.primes()[1].as_ref()),
                bytes(key.dp().expect("dp")),
                bytes(key.dq().expect("dq")),
                bytes(&key.qinv().expect("qinv").retrieve()),
                bytes(key.d()),
            ]
        })
        .collect()
    })
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn bit_len(bytes: &[u8]) -> u32 {
    let bytes = trim(bytes);
    match bytes.first() {
        Some(first) => (bytes.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
        None => 0,
    }
}

/// rsa's verdict, after our public-key policy (which rsa does not share: it allows 1024 bits).
fn rsa_accepts(v: &[Vec<u8>; 8]) -> Option<rsa::PrivateKey> {
    let [n, e, p, q, dp, dq, qinv, d] = v;
    let bits = bit_len(n);
    let exponent = trim(e);
    if !(2048..=8192).contains(&bits) || n.last().is_none_or(|b| b & 1 == 0) || exponent.len() > 8 {
        return None;
    }
    let e_value = exponent
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if e_value < 3 || e_value & 1 == 0 || e_value > (1 << 33) - 1 {
        return None;
    }
    // At the modulus' precision, as ours reads them (and only when they fit: the decoder would drop
    // the top bits of a longer number).
    let number = |bytes: &[u8]| {
        (bit_len(bytes) <= bits)
            .then(|| BoxedUint::from_be_slice(trim(bytes), bits).ok())
            .flatten()
    };
    let key = rsa::PrivateKey::from_components(
        BoxedUint::from_be_slice_vartime(trim(n)),
        BoxedUint::from_be_slice_vartime(exponent),
        number(d)?,
        vec![number(p)?, number(q)?],
    )
    .ok()?;
    let same = |given: &[u8], computed: &BoxedUint| trim(given) == trim(&computed.to_be_bytes());
    (same(dp, key.dp()?) && same(dq, key.dq()?) && same(qinv, &key.qinv()?.retrieve()))
        .then_some(key)
}

fn to_xml(v: &[Vec<u8>; 8]) -> String {
    let mut xml = String::from("<RSAKeyValue>");
    for (name, value) in NAMES.iter().zip(v) {
        xml += &format!("<{name}>{}</{name}>", Base64::encode_string(value));
    }
    xml + "</RSAKeyValue>"
}

fuzz_target!(|data: &[u8]| {
    let [selector, mode, rest @ ..] = data else {
        return;
    };
    let keys = fixtures();
    let mut values = keys[usize::from(*selector) % keys.len()].clone();
    let field = &mut values[usize::from(*selector / 8) % 8];
    match mode % 3 {
        0 => *field = rest.to_vec(),
        // XOR aligned at the low end, so small inputs damage the low bits of big numbers too.
        1 => {
            for (byte, x) in field.iter_mut().rev().zip(rest.iter().rev()) {
                *byte ^= x;
            }
        }
        // The same number of another fixture key.
        _ => {
            *field = keys[usize::from(rest.first().copied().unwrap_or(0)) % keys.len()]
                [usize::from(*selector / 8) % 8]
                .clone()
        }
    }
    if values.iter().any(|value| value.is_empty()) {
        // An empty XML element is refused before any number is read; nothing to compare.
        return;
    }
    let ours = PrivateKey::parse(&to_xml(&values));
    let theirs = rsa_accepts(&values);
    assert_eq!(
        ours.is_ok(),
        theirs.is_some(),
        "ours: {:?}",
        ours.as_ref().err()
    );
    if let (Ok(ours), Some(theirs)) = (ours, theirs) {
        let signature = ours
            .sign_pkcs1v15_sha256(b"fuzz")
            .expect("an accepted key signs");
        let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(theirs.to_public_key());
        let signature = rsa::pkcs1v15::Signature::try_from(signature.as_slice()).expect("length");
        assert!(verifier.verify(b"fuzz", &signature).is_ok());
    }
});
