#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64, Encoding};
use rsa::pkcs1::der::{Decode, Encode};

use super::*;
use crate::keyset::KeySet;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/fixtures/keys/", $name))
    };
}

const PKCS1: &str = fixture!("rsa2048.pkcs1.pem");
const PKCS8: &str = fixture!("rsa2048.pkcs8.pem");
const XML: &str = fixture!("rsa2048.xml");
const OTHER_PKCS8: &str = fixture!("other2048.pkcs8.pem");
const MESSAGE: &[u8] = include_bytes!("../../tests/fixtures/keys/message.txt");
const OPENSSL_SIGNATURE: &[u8] = include_bytes!("../../tests/fixtures/keys/rsa2048.message.sig");

/// The public half as a verification key (the key set's type), to check signatures against.
fn verifier(key: &PrivateKey) -> crate::keyset::VerifyingKey {
    crate::keyset::VerifyingKey::new(key.public_key()).unwrap()
}

fn parse(text: &str) -> PrivateKey {
    PrivateKey::parse(text).unwrap_or_else(|error| panic!("{error} for {text:.80?}"))
}

fn pkcs1_of(key: &PrivateKey) -> String {
    key.to_pem(PemFormat::Pkcs1).unwrap().to_string()
}

/// The base64 body of a PEM text, whitespace removed.
fn body(pem: &str) -> String {
    pem.lines()
        .filter(|line| !line.starts_with("-----"))
        .collect()
}

fn wrap(label: &str, base64: &str, width: usize, newline: &str) -> String {
    let lines: Vec<&str> = base64
        .as_bytes()
        .chunks(width)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----{newline}{}{newline}-----END {label}-----{newline}",
        lines.join(newline)
    )
}

fn xml_value(xml: &str, field: &str) -> String {
    let start = xml.find(&format!("<{field}>")).unwrap() + field.len() + 2;
    let end = xml.find(&format!("</{field}>")).unwrap();
    xml[start..end].to_owned()
}

fn xml_with(xml: &str, field: &str, value: &str) -> String {
    let old = format!("<{field}>{}</{field}>", xml_value(xml, field));
    xml.replace(&old, &format!("<{field}>{value}</{field}>"))
}

fn xml_without(xml: &str, field: &str) -> String {
    xml.replace(&format!("<{field}>{}</{field}>", xml_value(xml, field)), "")
}

fn pkcs1_der() -> Vec<u8> {
    pem::blocks(PKCS1).unwrap()[0].decode().unwrap().to_vec()
}

/// The fixture key with one PKCS#1 field changed, as PEM.
fn pkcs1_with(change: impl FnOnce(&mut rsa::pkcs1::RsaPrivateKeyRef<'_>)) -> String {
    let der = pkcs1_der();
    let mut key = rsa::pkcs1::RsaPrivateKeyRef::from_der(&der).unwrap();
    change(&mut key);
    wrap(
        "RSA PRIVATE KEY",
        &Base64::encode_string(&key.to_der().unwrap()),
        64,
        "\n",
    )
}

#[test]
fn three_forms_are_one_key() {
    let keys = [parse(PKCS1), parse(PKCS8), parse(XML)];
    for key in &keys {
        assert_eq!(key.bits(), 2048);
        assert_eq!(pkcs1_of(key), PKCS1, "PKCS#1 output equals openssl's");
        assert_eq!(
            *key.to_pem(PemFormat::Pkcs8).unwrap(),
            PKCS8,
            "PKCS#8 output equals openssl's"
        );
        assert_eq!(*key.to_xml().unwrap(), XML, "XML output equals the fixture");
        assert_eq!(key.public_key(), keys[0].public_key());
    }
}

#[test]
fn signatures_match_openssl_in_every_form() {
    assert_eq!(OPENSSL_SIGNATURE.len(), 256);
    for text in [PKCS1, PKCS8, XML] {
        let key = parse(text);
        // Blinding is randomized; the signature is not.
        assert_eq!(
            key.sign_pkcs1v15_sha256(MESSAGE).unwrap(),
            OPENSSL_SIGNATURE
        );
        assert_eq!(
            key.sign_pkcs1v15_sha256(MESSAGE).unwrap(),
            OPENSSL_SIGNATURE
        );
        let verifier = verifier(&key);
        assert!(verifier.verify_pkcs1v15_sha256(MESSAGE, OPENSSL_SIGNATURE));
        assert!(!verifier.verify_pkcs1v15_sha256(b"another message", OPENSSL_SIGNATURE));
    }
    let other = parse(OTHER_PKCS8);
    let signature = other.sign_pkcs1v15_sha256(MESSAGE).unwrap();
    assert_ne!(signature, OPENSSL_SIGNATURE);
    assert!(verifier(&other).verify_pkcs1v15_sha256(MESSAGE, &signature));
    assert!(!verifier(&parse(PKCS1)).verify_pkcs1v15_sha256(MESSAGE, &signature));
    let empty = parse(PKCS1).sign_pkcs1v15_sha256(b"").unwrap();
    assert!(verifier(&parse(PKCS1)).verify_pkcs1v15_sha256(b"", &empty));
}

#[test]
fn round_trips() {
    let original = parse(PKCS1);
    for text in [
        original.to_pem(PemFormat::Pkcs8).unwrap(),
        original.to_pem(PemFormat::Pkcs1).unwrap(),
        original.to_xml().unwrap(),
    ] {
        let again = parse(&text);
        assert_eq!(pkcs1_of(&again), PKCS1);
        assert_eq!(*again.to_xml().unwrap(), XML);
    }
    let other = parse(OTHER_PKCS8);
    assert_eq!(
        *parse(&other.to_xml().unwrap())
            .to_pem(PemFormat::Pkcs8)
            .unwrap(),
        OTHER_PKCS8
    );
}

#[test]
fn pem_output_layout() {
    let key = parse(XML);
    for (format, label) in [
        (PemFormat::Pkcs8, "PRIVATE KEY"),
        (PemFormat::Pkcs1, "RSA PRIVATE KEY"),
    ] {
        let pem = key.to_pem(format).unwrap();
        assert!(pem.starts_with(&format!("-----BEGIN {label}-----\n")));
        assert!(pem.ends_with(&format!("-----END {label}-----\n")));
        assert!(!pem.contains('\r'));
        assert!(pem.lines().all(|line| line.len() <= 64));
    }
}

#[test]
fn debug_shows_only_the_size() {
    assert_eq!(format!("{:?}", parse(PKCS1)), "PrivateKey(2048 bits)");
}

/// Layouts a person may paste; each must give the fixture key.
#[test]
fn accepts_what_people_paste() {
    let pkcs1_body = body(PKCS1);
    let pkcs8_body = body(PKCS8);
    let pretty_xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- issued by the portal -->\r\n<RSAKeyValue>\r\n{}\r\n</RSAKeyValue>\r\n",
        ["D", "InverseQ", "DQ", "DP", "Q", "P", "Exponent", "Modulus"]
            .iter()
            .map(|field| {
                let value = xml_value(XML, field);
                let (a, b) = value.split_at(value.len() / 2);
                format!("  <{field}>\r\n    {a}\r\n    {b}\r\n  </{field}>")
            })
            .collect::<Vec<_>>()
            .join("\r\n")
    );
    // Values without .NET's zero padding, as other tools write them.
    let mut unpadded = XML.to_owned();
    for field in ["Modulus", "Exponent", "P", "Q", "DP", "DQ", "InverseQ", "D"] {
        let bytes = Base64::decode_vec(&xml_value(XML, field)).unwrap();
        unpadded = xml_with(
            &unpadded,
            field,
            &Base64::encode_string(policy::trim(&bytes)),
        );
    }
    let cert = include_str!("../../tests/fixtures/keys/rsa2048.cert-v3.pem");
    let rows: Vec<(&str, String)> = vec![
        ("PKCS#1 as is", PKCS1.to_owned()),
        ("PKCS#8 as is", PKCS8.to_owned()),
        ("XML as is", XML.to_owned()),
        ("BOM", format!("\u{feff}{PKCS1}")),
        ("BOM XML", format!("\u{feff}{XML}")),
        ("CRLF", PKCS8.replace('\n', "\r\n")),
        ("76 columns", wrap("RSA PRIVATE KEY", &pkcs1_body, 76, "\n")),
        ("single line", wrap("PRIVATE KEY", &pkcs8_body, usize::MAX, "\n")),
        ("all on one line", wrap("PRIVATE KEY", &pkcs8_body, 64, " ")),
        ("surrounding whitespace", format!("\n\n   {PKCS1}\t\n  \n")),
        ("indented", PKCS8.lines().map(|line| format!("    {line}\n")).collect()),
        (
            "openssl bag attributes",
            format!("Bag Attributes\n    localKeyID: 01 00 00 00\nKey Attributes: <No Attributes>\n{PKCS8}"),
        ),
        ("certificate beside the key", format!("{cert}{PKCS8}")),
        ("pretty XML", pretty_xml),
        ("unpadded XML", unpadded),
        ("XML with CDATA", xml_with(XML, "P", &format!("<![CDATA[{}]]>", xml_value(XML, "P")))),
        ("XML whitespace around", format!("  \n{XML}\n\n")),
    ];
    for (name, text) in rows {
        let key = PrivateKey::parse(&text).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(pkcs1_of(&key), PKCS1, "{name}");
    }
}

/// Inputs that must be refused, each with its code.
#[test]
fn refuses_hostile_and_wrong_keys() {
    let dq = xml_value(XML, "DQ");
    let dp = xml_value(XML, "DP");
    let other_xml = parse(OTHER_PKCS8).to_xml().unwrap().to_string();
    // Flip a middle bit of the modulus: still odd, still 2048 bits, no longer P*Q.
    let mut modulus = Base64::decode_vec(&xml_value(XML, "Modulus")).unwrap();
    modulus[100] ^= 0x10;
    let wrong_modulus = Base64::encode_string(&modulus);
    let half = PKCS1.len() / 2;
    let rows: Vec<(&str, String, Error)> = vec![
        ("empty", String::new(), Error::KeyInvalid("the key text is empty")),
        ("blank", " \n\t ".into(), Error::KeyInvalid("the key text is empty")),
        (
            "garbage",
            "hello world".into(),
            Error::KeyInvalid("not a private key: expected PEM (-----BEGIN ...) or <RSAKeyValue> XML"),
        ),
        ("bare base64", body(PKCS1), Error::KeyInvalid("not a private key: expected PEM (-----BEGIN ...) or <RSAKeyValue> XML")),
        ("too long", " ".repeat(MAX_TEXT + 1), Error::KeyInvalid("the key text is too long")),
        ("encrypted PKCS#8", fixture!("rsa2048.encrypted.pkcs8.pem").into(), Error::KeyEncrypted),
        ("encrypted PKCS#1", fixture!("rsa2048.encrypted.pkcs1.pem").into(), Error::KeyEncrypted),
        ("EC PKCS#8", fixture!("ec-p256.pkcs8.pem").into(), Error::KeyUnsupported("EC keys are not supported; use an RSA key")),
        ("EC SEC1", fixture!("ec-p256.sec1.pem").into(), Error::KeyUnsupported("EC keys are not supported; use an RSA key")),
        (
            "Ed25519",
            fixture!("ed25519.pkcs8.pem").into(),
            Error::KeyUnsupported("Ed25519 and Ed448 keys are not supported; use an RSA key"),
        ),
        (
            "RSA-PSS",
            fixture!("rsa-pss.pkcs8.pem").into(),
            Error::KeyUnsupported("RSA-PSS keys are not supported; SuperOffice needs an rsaEncryption (PKCS#1 v1.5) key"),
        ),
        (
            "OpenSSH",
            fixture!("ed25519.openssh").into(),
            Error::KeyUnsupported("OpenSSH keys are not supported; give the RSA key as PEM or XML"),
        ),
        ("SPKI", fixture!("rsa2048.spki.pem").into(), Error::KeyUnsupported("expected a private key, found a public key")),
        ("RSA PUBLIC KEY", fixture!("rsa2048.rsapub.pem").into(), Error::KeyUnsupported("expected a private key, found a public key")),
        ("certificate", fixture!("rsa2048.cert-v3.pem").into(), Error::KeyUnsupported("expected a private key, found a certificate")),
        (
            "other PEM",
            "-----BEGIN X509 CRL-----\nAA==\n-----END X509 CRL-----".into(),
            Error::KeyUnsupported("expected a private key, found another kind of PEM block"),
        ),
        ("1024 bits", fixture!("rsa1024.pkcs1.pem").into(), Error::KeyTooSmall { bits: 1024 }),
        ("1024 bits XML", fixture!("rsa1024.xml").into(), Error::KeyTooSmall { bits: 1024 }),
        (
            "over 8192 bits",
            xml_with(XML, "Modulus", &Base64::encode_string(&[0xff; 1025])),
            Error::KeyUnsupported("RSA keys over 8192 bits are not supported"),
        ),
        (
            "D longer than the modulus",
            xml_with(XML, "D", &Base64::encode_string(&[0xff; 257])),
            Error::KeyInvalid("a private key component is longer than the modulus"),
        ),
        (
            "multi-prime",
            fixture!("rsa2048-3prime.pkcs8.pem").into(),
            Error::KeyUnsupported("multi-prime RSA keys are not supported"),
        ),
        (
            "EC beside RSA",
            format!("{}{PKCS1}", fixture!("ec-p256.sec1.pem")),
            Error::KeyInvalid("more than one key in the text; give exactly one"),
        ),
        (
            "two keys",
            format!("{PKCS1}{OTHER_PKCS8}"),
            Error::KeyInvalid("more than one key in the text; give exactly one"),
        ),
        ("truncated PEM", PKCS1[..half].into(), Error::KeyInvalid("a PEM block has no END line")),
        (
            "mismatched END",
            PKCS1.replace("END RSA PRIVATE KEY", "END PRIVATE KEY"),
            Error::KeyInvalid("a PEM END line does not match its BEGIN line"),
        ),
        (
            "bad base64",
            PKCS1.replacen("MII", "MI*", 1),
            Error::KeyInvalid("a PEM block is not valid base64"),
        ),
        (
            "body cut short",
            wrap("RSA PRIVATE KEY", &body(PKCS1)[..400], 64, "\n"),
            Error::KeyInvalid("the key is not a well-formed PKCS#1 RSA private key"),
        ),
        (
            "PKCS#8 label on PKCS#1 DER",
            PKCS1.replace("RSA PRIVATE KEY", "PRIVATE KEY"),
            Error::KeyInvalid("the key is not a well-formed PKCS#8 private key"),
        ),
        (
            "PKCS#1 DP damaged",
            pkcs1_with(|key| key.exponent1 = key.exponent2),
            Error::KeyInvalid("DP does not equal D mod (P-1)"),
        ),
        (
            "PKCS#1 InverseQ damaged",
            pkcs1_with(|key| key.coefficient = key.exponent1),
            Error::KeyInvalid("InverseQ does not equal the inverse of Q mod P"),
        ),
        (
            "PKCS#1 e = 1",
            pkcs1_with(|key| key.public_exponent = rsa::pkcs1::UintRef::new(&[1]).unwrap()),
            Error::KeyInvalid("the public exponent must be odd and greater than 1"),
        ),
        (
            "PKCS#1 P and Q swapped",
            pkcs1_with(|key| std::mem::swap(&mut key.prime1, &mut key.prime2)),
            Error::KeyInvalid("DP does not equal D mod (P-1)"),
        ),
        (
            "XML public key",
            "<RSAKeyValue><Modulus>AQAB</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>".into(),
            Error::KeyUnsupported("expected a private key, found an XML public key"),
        ),
        ("XML without DP", xml_without(XML, "DP"), Error::KeyInvalid("the XML key has no <DP> element")),
        ("XML without D", xml_without(XML, "D"), Error::KeyInvalid("the XML key has no <D> element")),
        ("XML without Modulus", xml_without(XML, "Modulus"), Error::KeyInvalid("the XML key has no <Modulus> element")),
        ("XML DP wrong", xml_with(XML, "DP", &dq), Error::KeyInvalid("DP does not equal D mod (P-1)")),
        ("XML DQ wrong", xml_with(XML, "DQ", &dp), Error::KeyInvalid("DQ does not equal D mod (Q-1)")),
        (
            "XML InverseQ wrong",
            xml_with(XML, "InverseQ", &dp),
            Error::KeyInvalid("InverseQ does not equal the inverse of Q mod P"),
        ),
        ("XML P = 1", xml_with(XML, "P", "AQ=="), INCONSISTENT),
        ("XML Q = 0", xml_with(XML, "Q", "AA=="), INCONSISTENT),
        (
            "XML P*Q != N",
            xml_with(XML, "Modulus", &wrong_modulus),
            INCONSISTENT,
        ),
        (
            "XML D of another key",
            xml_with(XML, "D", &xml_value(&other_xml, "D")),
            INCONSISTENT,
        ),
        (
            "XML e = 1",
            xml_with(XML, "Exponent", "AQ=="),
            Error::KeyInvalid("the public exponent must be odd and greater than 1"),
        ),
        (
            "XML e even",
            xml_with(XML, "Exponent", "AQAA"),
            Error::KeyInvalid("the public exponent must be odd and greater than 1"),
        ),
        (
            "XML e huge",
            xml_with(XML, "Exponent", "BAAAAAE="),
            Error::KeyUnsupported("public exponents over 2^33-1 are not supported"),
        ),
        (
            "XML bad base64",
            xml_with(XML, "D", "!!!!"),
            Error::KeyInvalid("the XML key's <D> element is not valid base64"),
        ),
        (
            "XML base64url",
            xml_with(XML, "Modulus", &xml_value(XML, "Modulus").replace('+', "-").replace('/', "_")),
            Error::KeyInvalid("the XML key's <Modulus> element is not valid base64"),
        ),
        (
            "XML unpadded base64",
            XML.replace(&xml_value(XML, "P"), xml_value(XML, "P").trim_end_matches('=')),
            Error::KeyInvalid("the XML key's <P> element is not valid base64"),
        ),
        ("XML empty value", xml_with(XML, "Q", ""), Error::KeyInvalid("the XML key's <Q> element is empty")),
        (
            "XML self-closed value",
            XML.replace(&format!("<Q>{}</Q>", xml_value(XML, "Q")), "<Q/>"),
            Error::KeyInvalid("the XML key's <Q> element is empty"),
        ),
        (
            "XML duplicate",
            XML.replace("<D>", &format!("<P>{}</P><D>", xml_value(XML, "P"))),
            Error::KeyInvalid("the XML key has more than one <P> element"),
        ),
        (
            "XML DOCTYPE",
            format!("<!DOCTYPE RSAKeyValue [<!ENTITY x \"AQAB\">]>{}", xml_with(XML, "Exponent", "&x;")),
            Error::KeyInvalid("the XML key must not contain a DOCTYPE"),
        ),
        (
            "XML entity",
            xml_with(XML, "Exponent", "&x;"),
            Error::KeyInvalid("the XML key uses an entity other than the five predefined ones"),
        ),
        (
            "XML predefined entity",
            xml_with(XML, "Exponent", "AQ&amp;B"),
            Error::KeyInvalid("the XML key's <Exponent> element is not valid base64"),
        ),
        ("XML unknown element", XML.replace("<D>", "<Extra>AA==</Extra><D>"), Error::KeyInvalid("the XML key has an unknown element")),
        (
            "XML nested element",
            xml_with(XML, "D", "<b>AA==</b>"),
            Error::KeyInvalid("the XML key has an element inside a value"),
        ),
        (
            "XML text outside values",
            XML.replace("<D>", "stray<D>"),
            Error::KeyInvalid("the XML key has text outside its values"),
        ),
        (
            "XML wrong root",
            XML.replace("RSAKeyValue", "DSAKeyValue"),
            Error::KeyInvalid("the XML key is not an <RSAKeyValue> element"),
        ),
        ("XML unclosed", XML.replace("</RSAKeyValue>", ""), Error::KeyInvalid("the XML key is not well-formed XML")),
        ("XML mismatched tags", XML.replace("</D>", "</P>"), Error::KeyInvalid("the XML key is not well-formed XML")),
        (
            "XML second root",
            format!("{XML}<RSAKeyValue/>"),
            Error::KeyInvalid("the XML key has content after </RSAKeyValue>"),
        ),
        ("XML not XML", "<<<".into(), Error::KeyInvalid("the XML key is not well-formed XML")),
    ];
    for (name, text, expected) in rows {
        let error = PrivateKey::parse(&text).expect_err(name);
        assert_eq!(error, expected, "{name}");
        assert_no_key_material(name, &error.to_string());
    }
}

/// Messages are fixed strings; check anyway that none carries a base64 run or a long number.
fn assert_no_key_material(name: &str, message: &str) {
    let mut run = 0;
    for c in message.chars() {
        run = if c.is_ascii_alphanumeric() || c == '+' || c == '/' {
            run + 1
        } else {
            0
        };
        assert!(run < 16, "{name}: {message}");
    }
}

#[test]
fn errors_carry_only_the_size() {
    let error = PrivateKey::parse(fixture!("rsa1024.pkcs1.pem")).unwrap_err();
    assert_eq!(error.code(), "ERR_KEY_TOO_SMALL");
    assert_eq!(
        error.to_string(),
        "RSA key of 1024 bits refused; at least 2048 bits are required"
    );
}

#[test]
fn xml_public_key_and_public_pem_verify_the_same() {
    let key = parse(XML);
    let set = KeySet::parse(fixture!("rsa2048.spki.pem")).unwrap();
    assert_eq!(set.keys()[0].key, key.public_key());
}

#[test]
fn key_material_types_wipe_themselves() {
    // Compile-time facts, checked here so that a dependency update that drops them fails the build.
    fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroize_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
    zeroize_on_drop::<zeroize::Zeroizing<String>>();
    // Our outputs are zeroizing types.
    let key = parse(XML);
    let _: zeroize::Zeroizing<String> = key.to_pem(PemFormat::Pkcs8).unwrap();
    let _: zeroize::Zeroizing<String> = key.to_xml().unwrap();
    // rsa's key wipes D, the primes and its CRT values on drop.
    zeroize_on_drop::<rsa::PrivateKey>();
}

#[test]
fn blinded_signatures_are_deterministic_pkcs1v15() {
    // rsa blinds every signature with fresh randomness; PKCS#1 v1.5 is deterministic, so each of
    // many signatures must still be exactly openssl's.
    let key = parse(PKCS8);
    for round in 0..70 {
        assert_eq!(
            key.sign_pkcs1v15_sha256(MESSAGE).unwrap(),
            OPENSSL_SIGNATURE,
            "signature {round}"
        );
    }
}

#[test]
fn signs_keys_that_are_not_a_whole_number_of_limbs() {
    let key = parse(fixture!("odd2056.pkcs8.pem"));
    assert_eq!(key.bits(), 2056);
    let expected = include_bytes!("../../tests/fixtures/keys/odd2056.message.sig");
    for _ in 0..3 {
        assert_eq!(key.sign_pkcs1v15_sha256(MESSAGE).unwrap(), expected);
    }
}
