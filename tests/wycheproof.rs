//! Wycheproof's RSASSA-PKCS1-v1_5 SHA-256 verification vectors (2048, 3072 and 4096 bits) through the
//! key-set path (`KeySet::parse` of the vector's public key PEM, then `VerifyingKey`, which verifies
//! through jsonwebtoken and our RS256-only provider, exactly as JWT validation does), and through the
//! `rsa` crate's verifier called directly for comparison.
//!
//! Every `valid` vector must verify and every `invalid` one must fail.
//!
//! `acceptable`: the only such vectors here are flagged `MissingNull`, a DigestInfo whose
//! AlgorithmIdentifier omits the NULL parameters. RFC 8017 §9.2 (note 2) lets a verifier accept that
//! form for old signers; we do not. Every signer that matters here (SuperOffice's .NET, OpenSSL,
//! node:crypto, the `rsa` crate, ours) writes the NULL, RFC 7518 §3.3 (RS256) specifies the RFC 8017
//! encoding, and accepting a second encoding of the same hash only widens what a forger may aim at.
//! rsa's verifier builds the one expected encoding and compares it byte for byte, so it rejects them;
//! this test holds the package to that decision.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rsa::signature::Verifier;
use superoffice_auth::KeySet;
use wycheproof::rsa_pkcs1_verify::{TestFlag, TestName, TestSet};
use wycheproof::TestResult;

/// What we do with a vector, given its expected result and flags.
fn must_verify(result: TestResult, flags: &[TestFlag]) -> bool {
    match result {
        TestResult::Valid => true,
        TestResult::Invalid => false,
        TestResult::Acceptable => {
            // The decision documented above; any other kind of `acceptable` vector must be looked at
            // (and decided) by a person rather than silently pass.
            assert_eq!(
                flags,
                [TestFlag::MissingNull],
                "an acceptable vector of a kind not yet decided"
            );
            false
        }
    }
}

fn rsa_crate_verifies(n: &[u8], e: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let key = rsa::PublicKey::new(
        rsa::BoxedUint::from_be_slice_vartime(n),
        rsa::BoxedUint::from_be_slice_vartime(e),
    )
    .expect("Wycheproof keys are valid RSA keys");
    let verifier = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
    rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|signature| verifier.verify(message, &signature).is_ok())
}

struct Counts {
    valid: usize,
    invalid: usize,
    acceptable: usize,
}

fn run(name: TestName, bits: usize) -> Counts {
    let set = TestSet::load(name).expect("the vectors load");
    let mut counts = Counts {
        valid: 0,
        invalid: 0,
        acceptable: 0,
    };
    for group in &set.test_groups {
        assert_eq!(group.key_size, bits);
        let key_set = KeySet::parse(&group.pem).expect("the group's PEM is a usable key set");
        let [verifying_key] = key_set.keys() else {
            panic!("one key per group");
        };
        for test in &group.tests {
            let expected = must_verify(test.result, &test.flags);
            let context = format!(
                "{bits} bits, tcId {} ({}, {:?}, {:?})",
                test.tc_id, test.comment, test.result, test.flags
            );
            assert_eq!(
                verifying_key.verify_pkcs1v15_sha256(&test.msg, &test.sig),
                expected,
                "KeySet/VerifyingKey, {context}"
            );
            // The rsa crate agrees on every valid and invalid vector (it rejects MissingNull too).
            assert_eq!(
                rsa_crate_verifies(&group.key.n, &group.key.e, &test.msg, &test.sig),
                expected,
                "rsa crate, {context}"
            );
            match test.result {
                TestResult::Valid => counts.valid += 1,
                TestResult::Invalid => counts.invalid += 1,
                TestResult::Acceptable => counts.acceptable += 1,
            }
        }
    }
    counts
}

#[test]
fn wycheproof_rsa_2048_sha256() {
    let counts = run(TestName::Rsa2048Sha256, 2048);
    assert!(counts.valid > 0 && counts.invalid > 200 && counts.acceptable > 0);
}

#[test]
fn wycheproof_rsa_3072_sha256() {
    let counts = run(TestName::Rsa3072Sha256, 3072);
    assert!(counts.valid > 0 && counts.invalid > 200 && counts.acceptable > 0);
}

#[test]
fn wycheproof_rsa_4096_sha256() {
    let counts = run(TestName::Rsa4096Sha256, 4096);
    assert!(counts.valid > 0 && counts.invalid > 200 && counts.acceptable > 0);
}

/// The other hashes' vectors are signatures we must never accept as SHA-256 ones: each valid vector
/// there is a real signature over the message with another DigestInfo, which our SHA-256 verifier
/// must refuse.
#[test]
fn wycheproof_other_hashes_never_verify_as_sha256() {
    let mut checked = 0;
    for (name, bits) in [
        (TestName::Rsa2048Sha384, 2048),
        (TestName::Rsa2048Sha512, 2048),
        (TestName::Rsa2048Sha224, 2048),
        (TestName::Rsa2048Sha512_256, 2048),
        (TestName::Rsa2048Sha3_256, 2048),
        (TestName::Rsa3072Sha384, 3072),
        (TestName::Rsa4096Sha512, 4096),
    ] {
        let set = TestSet::load(name).expect("the vectors load");
        for group in &set.test_groups {
            assert_eq!(group.key_size, bits);
            let key_set = KeySet::parse(&group.pem).expect("usable key set");
            let key = &key_set.keys()[0];
            for test in group.tests.iter().filter(|t| t.result == TestResult::Valid) {
                assert!(
                    !key.verify_pkcs1v15_sha256(&test.msg, &test.sig),
                    "{name:?} tcId {}",
                    test.tc_id
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20);
}
