//! Property tests: sign-then-verify (the package's signing and its key-set verification, which goes
//! through jsonwebtoken and our RS256-only provider, against the `rsa` crate's verifier called
//! directly, which must agree on every input), and escaping (any string the XML writer or the request
//! builder accepts comes back identical when read).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use std::sync::OnceLock;
use superoffice_auth::plumbing::soap::NS_SOAP11;
use superoffice_auth::plumbing::xml::{self, Element};
use superoffice_auth::ticket::request::NS_PARTNER;
use superoffice_auth::{build_ticket_request, PrivateKey, TicketRequestParams, Transport};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/keys/", $name))
    };
}

/// Keys of several shapes: 2048 bits, a top byte of 0x02/0x03, lengths that do and do not fill the
/// last 32-bit limb, e = 3, and 4096 bits.
const KEYS: [&str; 6] = [
    fixture!("rsa2048.pkcs8.pem"),
    fixture!("rsa2050.pkcs8.pem"),
    fixture!("rsa2056.pkcs8.pem"),
    fixture!("rsa2080.pkcs8.pem"),
    fixture!("rsa3072-e3.pkcs8.pem"),
    fixture!("rsa4096.pkcs8.pem"),
];

struct Signer {
    key: PrivateKey,
    rsa: rsa::pkcs1v15::VerifyingKey<sha2::Sha256>,
}

fn signers() -> &'static [Signer] {
    static SIGNERS: OnceLock<Vec<Signer>> = OnceLock::new();
    SIGNERS.get_or_init(|| {
        KEYS.iter()
            .map(|pem| {
                let key = PrivateKey::parse(pem).unwrap();
                // The public key read back from our PEM output by rsa's own decoder.
                let rsa_public: rsa::PublicKey = rsa::pkcs1::DecodeRsaPrivateKey::from_pkcs1_pem(
                    &key.to_pem(superoffice_auth::PemFormat::Pkcs1).unwrap(),
                )
                .map(|private: rsa::PrivateKey| private.to_public_key())
                .unwrap();
                Signer {
                    key,
                    rsa: rsa::pkcs1v15::VerifyingKey::new(rsa_public),
                }
            })
            .collect()
    })
}

fn rsa_verifies(signer: &Signer, message: &[u8], signature: &[u8]) -> bool {
    rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|signature| signer.rsa.verify(message, &signature).is_ok())
}

/// The key set's `VerifyingKey` (jsonwebtoken and our RS256-only provider, as JWT validation
/// verifies) against the `rsa` crate's verifier called directly.
fn verdicts(signer: &Signer, message: &[u8], signature: &[u8]) -> (bool, bool) {
    let through_key_set = superoffice_auth::keyset::VerifyingKey::new(signer.key.public_key())
        .unwrap()
        .verify_pkcs1v15_sha256(message, signature);
    (through_key_set, rsa_verifies(signer, message, signature))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn sign_then_verify(
        index in 0..KEYS.len(),
        message in proptest::collection::vec(any::<u8>(), 0..512),
        flip in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let signer = &signers()[index];
        let signature = signer.key.sign_pkcs1v15_sha256(&message).unwrap();
        prop_assert_eq!(signature.len(), signer.key.public_key().size());
        prop_assert_eq!(verdicts(signer, &message, &signature), (true, true));

        // One flipped bit in the signature, or in the message, and every verifier refuses.
        let mut bad_signature = signature.clone();
        bad_signature[flip.index(signature.len())] ^= 1 << bit;
        prop_assert_eq!(verdicts(signer, &message, &bad_signature), (false, false));
        if !message.is_empty() {
            let mut bad_message = message.clone();
            bad_message[flip.index(message.len())] ^= 1 << bit;
            prop_assert_eq!(verdicts(signer, &bad_message, &signature), (false, false));
        }
        // A signature shortened or lengthened by a leading zero byte is not the same signature.
        prop_assert_eq!(verdicts(signer, &message, &signature[1..]).0, false);
        let longer = [&[0u8][..], &signature].concat();
        prop_assert_eq!(verdicts(signer, &message, &longer).0, false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary signatures (of the right length, of random lengths, and at or above the modulus):
    /// our verifier and the rsa crate's always agree.
    #[test]
    fn verifiers_agree_on_arbitrary_signatures(
        index in 0..KEYS.len(),
        message in proptest::collection::vec(any::<u8>(), 0..64),
        fill in proptest::collection::vec(any::<u8>(), 0..600),
        shape in 0u8..4,
    ) {
        let signer = &signers()[index];
        let k = signer.key.public_key().size();
        let signature: Vec<u8> = match shape {
            // Exactly k bytes, below the modulus most of the time.
            0 => fill.iter().copied().cycle().take(k).collect::<Vec<_>>(),
            // The modulus itself and beyond: out of range.
            1 => {
                let n = signer.key.public_key().n_bytes().to_vec();
                let mut n = n.iter().copied().skip_while(|&b| b == 0).collect::<Vec<_>>();
                let last = n.len() - 1;
                n[last] = n[last].wrapping_add(fill.first().copied().unwrap_or(0) & 1);
                n
            }
            2 => vec![0xff; k],
            _ => fill.clone(),
        };
        let (through_key_set, theirs) = verdicts(signer, &message, &signature);
        prop_assert_eq!(through_key_set, theirs);
        // None of these can be a valid signature by chance.
        prop_assert!(!through_key_set);
    }
}

/// Characters XML cannot carry, the five specials, line ends and tabs, text that looks like markup, and
/// anything else, so that the interesting cases are common rather than rare.
fn tricky_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => any::<char>().prop_map(String::from),
        2 => prop::sample::select(vec!['&', '<', '>', '"', '\'', '\t', '\n', '\r', ' ', ']', '\u{FFFD}', '\u{FFFE}', '\u{0}', '\u{1F600}', '\u{85}', '\u{2028}'])
            .prop_map(String::from),
        1 => prop::sample::select(vec!["&amp;", "&#10;", "]]>", "<![CDATA[", "<!--", "-->", "\r\n", "&lt;x&gt;", "<?xml", "<!DOCTYPE"])
            .prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn unique<'a>(parent: &'a Element, ns: &str, local: &str) -> &'a Element {
    parent.unique_child(ns, local).unwrap().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `xml::escape` then `xml::parse`: the text and the attribute value come back identical, and
    /// escaping refuses exactly the strings with a character XML 1.0 cannot carry.
    #[test]
    fn escape_then_parse_is_identity(value in prop_oneof![tricky_string(), any::<String>()]) {
        match xml::escape(&value) {
            Some(escaped) => {
                let root = xml::parse(&format!("<a b=\"{escaped}\" c='{escaped}'>{escaped}</a>")).unwrap();
                prop_assert_eq!(root.leaf_text().unwrap(), value.as_str());
                prop_assert_eq!(root.attr("", "b"), Some(value.as_str()));
                prop_assert_eq!(root.attr("", "c"), Some(value.as_str()));
            }
            None => prop_assert!(!value.chars().all(xml::is_xml_char)),
        }
    }

    /// Values through build_ticket_request (SOAP and REST) and back.
    #[test]
    fn ticket_request_values_round_trip(
        application_token in tricky_string(),
        context_identifier in tricky_string(),
        signed_system_token in prop_oneof![tricky_string(), any::<String>()],
    ) {
        let values = [&*application_token, &*context_identifier, &*signed_system_token];
        let acceptable = values
            .iter()
            .all(|value| !value.trim().is_empty() && value.chars().all(xml::is_xml_char));
        for transport in [Transport::Soap, Transport::Rest] {
            let built = build_ticket_request(&TicketRequestParams {
                base_url: "https://sod.superoffice.com/",
                transport,
                application_token: &application_token,
                context_identifier: &context_identifier,
                signed_system_token: &signed_system_token,
            });
            let request = match built {
                Ok(request) => request,
                Err(error) => {
                    prop_assert!(!acceptable, "refused {:?}: {}", values, error);
                    prop_assert_eq!(error.code(), "ERR_INVALID_ARGUMENT");
                    continue;
                }
            };
            prop_assert!(acceptable, "accepted {:?}", values);
            let read: [String; 3] = match transport {
                Transport::Soap => {
                    let envelope = xml::parse(&request.body).unwrap();
                    let header = unique(&envelope, NS_SOAP11, "Header");
                    let body = unique(&envelope, NS_SOAP11, "Body");
                    let auth = unique(body, NS_PARTNER, "AuthenticationRequest");
                    let text = |parent: &Element, local: &str| {
                        unique(parent, NS_PARTNER, local).leaf_text().unwrap().to_owned()
                    };
                    [
                        text(header, "ApplicationToken"),
                        text(header, "ContextIdentifier"),
                        text(auth, "SignedSystemToken"),
                    ]
                }
                Transport::Rest => {
                    let json: serde_json::Value = serde_json::from_str(&request.body).unwrap();
                    let text = |name: &str| json[name].as_str().unwrap().to_owned();
                    [text("ApplicationToken"), text("ContextIdentifier"), text("SignedSystemToken")]
                }
            };
            prop_assert_eq!(read, values.map(str::to_owned));
        }
    }
}
