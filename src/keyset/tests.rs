#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64, Encoding};
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;

use super::*;
use crate::key::PrivateKey;

/// The key in an SPKI PEM as read by the rsa crate (an independent reader), without our size checks
/// (so that refusals can be tested on keys built this way).
fn rsa_public(spki: &str) -> PublicKey {
    rsa::PublicKey::from_public_key_pem(spki).unwrap()
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/fixtures/keys/", $name))
    };
}

const SPKI: &str = fixture!("rsa2048.spki.pem");
const RSA_PUBLIC: &str = fixture!("rsa2048.rsapub.pem");
const CERT_V3: &str = fixture!("rsa2048.cert-v3.pem");
const CERT_V1: &str = fixture!("rsa2048.cert-v1.pem");
const JWKS: &str = fixture!("rsa2048.jwks.json");
const OTHER_SPKI: &str = fixture!("other2048.spki.pem");
const MESSAGE: &[u8] = include_bytes!("../../tests/fixtures/keys/message.txt");
const SIGNATURE: &[u8] = include_bytes!("../../tests/fixtures/keys/rsa2048.message.sig");

/// base64url of the SHA-1 thumbprint openssl printed in hex.
fn thumbprint(hex: &str) -> String {
    let hex = hex.trim();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    URL_SAFE_NO_PAD.encode(&bytes)
}

fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An RSA JWK for `spki` with extra members.
fn jwk(spki: &str, extra: &str) -> String {
    let key = rsa_public(spki);
    let n = b64url(&key.n_bytes());
    let e = b64url(&key.e_bytes());
    format!(r#"{{"kty":"RSA","n":"{n}","e":"{e}"{extra}}}"#)
}

fn jwks<S: AsRef<str>>(keys: &[S]) -> String {
    let keys: Vec<&str> = keys.iter().map(AsRef::as_ref).collect();
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}

type Row = (&'static str, String, Result<Vec<Option<String>>>);

fn verifies(key: &VerifyingKey) -> bool {
    key.verify_pkcs1v15_sha256(MESSAGE, SIGNATURE)
}

#[test]
fn public_key_forms_give_the_same_key() {
    let expected = rsa_public(SPKI);
    for text in [SPKI, RSA_PUBLIC, CERT_V3, CERT_V1, JWKS] {
        let set = KeySet::parse(text).unwrap();
        assert_eq!(set.len(), 1);
        assert!(!set.is_empty());
        assert_eq!(set.keys()[0].key, expected);
        assert!(verifies(&set.keys()[0]));
    }
    let set = KeySet::parse(SPKI).unwrap();
    assert_eq!(
        (set.keys()[0].kid.as_deref(), set.keys()[0].x5t.as_deref()),
        (None, None)
    );
}

#[test]
fn certificate_thumbprints_match_openssl() {
    let v3 = KeySet::parse(CERT_V3).unwrap();
    assert_eq!(
        v3.keys()[0].x5t,
        Some(thumbprint(fixture!("rsa2048.cert-v3.sha1")))
    );
    assert_eq!(v3.keys()[0].kid, None);
    let v1 = KeySet::parse(CERT_V1).unwrap();
    assert_eq!(
        v1.keys()[0].x5t,
        Some(thumbprint(fixture!("rsa2048.cert-v1.sha1")))
    );
    // The JWKS fixture's x5t was computed by Python from the same certificate.
    let jwks = KeySet::parse(JWKS).unwrap();
    assert_eq!(jwks.keys()[0].x5t, v3.keys()[0].x5t);
    assert_eq!(jwks.keys()[0].kid.as_deref(), Some("test-key-1"));
}

#[test]
fn verification_refuses_what_it_must() {
    let key = &KeySet::parse(SPKI).unwrap().keys()[0].clone();
    assert!(verifies(key));
    assert!(!key.verify_pkcs1v15_sha256(b"MyApp-8k8Q7DmBgo.202611231406", SIGNATURE));
    assert!(!key.verify_pkcs1v15_sha256(MESSAGE, &SIGNATURE[1..]));
    assert!(!key.verify_pkcs1v15_sha256(MESSAGE, &[SIGNATURE, &[0]].concat()));
    assert!(!key.verify_pkcs1v15_sha256(MESSAGE, &[&[0], SIGNATURE].concat()));
    assert!(!key.verify_pkcs1v15_sha256(MESSAGE, &[]));
    assert!(
        !key.verify_pkcs1v15_sha256(MESSAGE, &[0xff; 256]),
        "signature above the modulus"
    );
    assert!(!key.verify_pkcs1v15_sha256(MESSAGE, &[0; 256]));
    let mut flipped = SIGNATURE.to_vec();
    flipped[255] ^= 1;
    assert!(!key.verify_pkcs1v15_sha256(MESSAGE, &flipped));
    assert!(!verifies(&KeySet::parse(OTHER_SPKI).unwrap().keys()[0]));
}

#[test]
fn bundles_hold_several_keys() {
    let text = format!(
        "subject=CN=a\n{CERT_V1}\n\nsubject=CN=b\r\n{}{SPKI}{OTHER_SPKI}{RSA_PUBLIC}",
        CERT_V3.replace('\n', "\r\n")
    );
    let set = KeySet::parse(&text).unwrap();
    assert_eq!(set.len(), 5);
    assert_eq!(set.keys().iter().filter(|key| verifies(key)).count(), 4);
    // An EC key in a bundle cannot verify RS256 and is skipped; alone it leaves nothing usable.
    let ec = fixture!("ec-p256.spki.pem");
    assert_eq!(KeySet::parse(&format!("{ec}{SPKI}")).unwrap().len(), 1);
    assert_eq!(
        KeySet::parse(ec).unwrap_err(),
        Error::KeySetInvalid("no usable RS256 key")
    );
    // BOM and whitespace are fine.
    assert_eq!(
        KeySet::parse(&format!("\u{feff}\n  {SPKI}  \n"))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(KeySet::parse(&format!("\u{feff} {JWKS}")).unwrap().len(), 1);
}

#[test]
fn superoffice_certificates_load() {
    let directory = std::path::Path::new("/work/shared/reference/superoffice-certificates");
    if !directory.is_dir() {
        println!(
            "note: {} is absent; SuperOffice certificate test skipped",
            directory.display()
        );
        return;
    }
    // The Federated Login certificates' thumbprints (hex SHA-1 of each certificate) as SuperOffice
    // lists them; the development one is the `SuperIdCertificate` its docs configure
    // (SuperOfficeDocs/superoffice-docs, docs/api/authentication/online/certificates/index.md).
    let expected = [
        (
            "sod-federated-login.crt",
            "16B7FB8C3F9AB06885A800C64E64C97C4AB5E98C",
        ),
        (
            "stage-federated-login.crt",
            "484903A7732B928C7980A39D38E947EA119F1089",
        ),
        (
            "online-federated-login.crt",
            "60B61583DBB2B7EEC46FD01EC0056E62451D61F3",
        ),
    ];
    assert_eq!(thumbprint(expected[0].1), "Frf7jD-asGiFqADGTmTJfEq16Yw");
    let mut bundle = String::new();
    let mut count = 0;
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("crt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let set =
            KeySet::parse(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert_eq!(set.len(), 1, "{}", path.display());
        assert!(set.keys()[0].key.size() >= 256);
        let name = path.file_name().unwrap().to_str().unwrap();
        if let Some((_, hex)) = expected.iter().find(|(file, _)| *file == name) {
            assert_eq!(set.keys()[0].x5t, Some(thumbprint(hex)), "{name}");
        }
        bundle.push_str(&text);
        bundle.push('\n');
        count += 1;
    }
    assert!(
        count >= 3,
        "expected the three Federated Login certificates"
    );
    let sod = std::fs::read_to_string(directory.join("sod-federated-login.crt")).unwrap();
    assert_eq!(
        KeySet::parse(&sod).unwrap().keys()[0].x5t.as_deref(),
        Some("Frf7jD-asGiFqADGTmTJfEq16Yw")
    );
    assert_eq!(KeySet::parse(&bundle).unwrap().len(), count);
}

#[test]
fn jwks_rules() {
    let good = jwk(SPKI, r#","kid":"a","use":"sig","alg":"RS256""#);
    let other = jwk(OTHER_SPKI, r#","kid":"b""#);
    let small = jwk(fixture!("rsa1024.spki.pem"), "");
    let ec = r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":"ec"}"#.to_owned();
    let with_e = |e: &str| jwk(SPKI, "").replace(r#""e":"AQAB""#, &format!(r#""e":"{e}""#));
    let n_of = |key: &str| {
        key.split(r#""n":""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    let usable = |text: &str| {
        KeySet::parse(text).map(|set| set.keys().iter().map(|k| k.kid.clone()).collect::<Vec<_>>())
    };
    let ok = |kids: &[&str]| {
        Ok(kids
            .iter()
            .map(|kid| Some((*kid).to_owned()))
            .collect::<Vec<_>>())
    };
    let invalid = |message: &'static str| Err(Error::KeySetInvalid(message));

    assert_eq!(
        usable(&jwks(&[good.clone(), other.clone()])),
        ok(&["a", "b"])
    );
    assert_eq!(
        usable(&jwks(&[ec.clone(), good.clone()])),
        ok(&["a"]),
        "other kty skipped"
    );
    assert_eq!(
        usable(&jwks(&[
            good.clone(),
            good.replace(r#""use":"sig""#, r#""use":"enc""#)
                .replace(r#""kid":"a""#, r#""kid":"x""#)
        ])),
        ok(&["a"]),
        "use enc skipped"
    );
    let rows: Vec<Row> = vec![
        (
            "duplicate kid",
            jwks(&[good.clone(), other.replace(r#""kid":"b""#, r#""kid":"a""#)]),
            invalid("two keys in the JWKS have the same kid"),
        ),
        (
            "use enc",
            jwks(&[good.replace(r#""use":"sig""#, r#""use":"enc""#)]),
            invalid("no usable RS256 key"),
        ),
        (
            "key_ops without verify",
            jwks(&[jwk(SPKI, r#","key_ops":["encrypt","sign"]"#)]),
            invalid("no usable RS256 key"),
        ),
        (
            "key_ops with verify",
            jwks(&[jwk(SPKI, r#","kid":"k","key_ops":["verify"]"#)]),
            ok(&["k"]),
        ),
        (
            "alg RS512",
            jwks(&[good.replace("RS256", "RS512")]),
            invalid("no usable RS256 key"),
        ),
        (
            "alg PS256",
            jwks(&[good.replace("RS256", "PS256")]),
            invalid("no usable RS256 key"),
        ),
        ("kty EC", jwks(&[&ec]), invalid("no usable RS256 key")),
        (
            "kty missing",
            jwks(&[good.replace(r#""kty":"RSA","#, "")]),
            invalid("no usable RS256 key"),
        ),
        (
            "kty lower case",
            jwks(&[good.replace(r#""kty":"RSA""#, r#""kty":"rsa""#)]),
            invalid("no usable RS256 key"),
        ),
        (
            "empty keys",
            r#"{"keys":[]}"#.into(),
            invalid("no usable RS256 key"),
        ),
        (
            "under 2048 bits",
            jwks(&[small]),
            invalid("an RSA key is under 2048 bits"),
        ),
        (
            "exponent 1",
            jwks(&[with_e("AQ")]),
            invalid("an RSA public exponent is not odd and greater than 1"),
        ),
        (
            "exponent even",
            jwks(&[with_e("AQAA")]),
            invalid("an RSA public exponent is not odd and greater than 1"),
        ),
        (
            "exponent 0",
            jwks(&[with_e("AA")]),
            invalid("an RSA public exponent is not odd and greater than 1"),
        ),
        (
            "exponent padded",
            jwks(&[with_e("AQAB==")]),
            invalid("an RSA JWK's \"e\" is not base64url"),
        ),
        (
            "n standard base64",
            jwks(&[jwk(SPKI, "").replace(
                &n_of(&good),
                &n_of(&good).replace('-', "+").replace('_', "/"),
            )]),
            invalid("an RSA JWK's \"n\" is not base64url"),
        ),
        (
            "n missing",
            jwks(&[good.replace(&format!(r#""n":"{}","#, n_of(&good)), "")]),
            invalid("an RSA JWK has no \"n\""),
        ),
        (
            "n not a string",
            jwks(&[good.replace(&format!(r#""{}""#, n_of(&good)), "1")]),
            invalid("an RSA JWK's \"n\" is not base64url"),
        ),
        (
            "n even",
            jwks(&[good.replace(
                &n_of(&good),
                &format!("{}A", &n_of(&good)[..n_of(&good).len() - 1]),
            )]),
            invalid("an RSA modulus is not odd"),
        ),
        (
            "use not a string",
            jwks(&[good.replace(r#""use":"sig""#, r#""use":1"#)]),
            invalid("a JWK \"use\" is not a string"),
        ),
        (
            "key_ops not an array",
            jwks(&[jwk(SPKI, r#","key_ops":"verify""#)]),
            invalid("a JWK \"key_ops\" is not an array"),
        ),
        (
            "kid not a string is ignored",
            jwks(&[good.replace(r#""kid":"a""#, r#""kid":7"#)]),
            Ok(vec![None]),
        ),
        (
            "key not an object",
            r#"{"keys":[1]}"#.into(),
            invalid("a JWKS key is not an object"),
        ),
        (
            "no keys",
            r#"{"other":[]}"#.into(),
            invalid("the JWKS has no \"keys\" array"),
        ),
        (
            "keys not an array",
            r#"{"keys":{}}"#.into(),
            invalid("the JWKS has no \"keys\" array"),
        ),
        (
            "not JSON",
            "{nope".into(),
            invalid("the JWKS is not valid JSON, or names a member twice"),
        ),
        (
            "trailing garbage",
            format!("{} x", jwks(&[&good])),
            invalid("the JWKS is not valid JSON, or names a member twice"),
        ),
        (
            "101 keys",
            jwks(&vec![ec.clone(); 101]),
            invalid("the key set has more than 100 keys"),
        ),
        (
            "100 keys",
            jwks(&[vec![ec.clone(); 99], vec![good.clone()]].concat()),
            ok(&["a"]),
        ),
        (
            "over 1 MiB",
            format!("{}{}", jwks(&[&good]), " ".repeat(MAX_TEXT)),
            invalid("the key set text is over 1 MiB"),
        ),
        (
            "neither JSON nor PEM",
            "hello".into(),
            invalid("expected a JWKS (JSON) or PEM certificates or public keys"),
        ),
        (
            "empty",
            String::new(),
            invalid("expected a JWKS (JSON) or PEM certificates or public keys"),
        ),
    ];
    for (name, text, expected) in rows {
        assert_eq!(usable(&text), expected, "{name}");
    }
}

#[test]
fn pem_rules() {
    let rows: Vec<(&str, String, Error)> = vec![
        (
            "private key",
            fixture!("rsa2048.pkcs8.pem").into(),
            Error::KeySetInvalid("expected certificates or public keys, found a private key"),
        ),
        (
            "private key in a bundle",
            format!("{SPKI}{}", fixture!("rsa2048.pkcs1.pem")),
            Error::KeySetInvalid("expected certificates or public keys, found a private key"),
        ),
        (
            "CRL",
            "-----BEGIN X509 CRL-----\nAA==\n-----END X509 CRL-----".into(),
            Error::KeySetInvalid(
                "expected certificates or public keys, found another kind of PEM block",
            ),
        ),
        (
            "1024-bit SPKI",
            fixture!("rsa1024.spki.pem").into(),
            Error::KeySetInvalid("an RSA key is under 2048 bits"),
        ),
        (
            "broken PEM",
            SPKI.replace("-----END PUBLIC KEY-----", ""),
            Error::KeySetInvalid("a PEM block has no END line"),
        ),
        (
            "bad base64",
            SPKI.replacen("MII", "M*I", 1),
            Error::KeySetInvalid("a PEM block is not valid base64"),
        ),
        (
            "SPKI that is a certificate",
            CERT_V3.replace("CERTIFICATE", "PUBLIC KEY"),
            Error::KeySetInvalid("a public key is not well-formed"),
        ),
        (
            "certificate that is an SPKI",
            SPKI.replace("PUBLIC KEY", "CERTIFICATE"),
            Error::KeySetInvalid("a certificate is not well-formed X.509"),
        ),
        (
            "RSA PUBLIC KEY that is an SPKI",
            SPKI.replace("PUBLIC KEY", "RSA PUBLIC KEY"),
            Error::KeySetInvalid("an RSA public key is not well-formed"),
        ),
        (
            "101 blocks",
            SPKI.repeat(101),
            Error::KeySetInvalid("the key set has more than 100 keys"),
        ),
    ];
    for (name, text, expected) in rows {
        assert_eq!(KeySet::parse(&text).unwrap_err(), expected, "{name}");
    }
    assert_eq!(KeySet::parse(&SPKI.repeat(100)).unwrap().len(), 100);
}

#[test]
fn truncated_certificates_are_refused() {
    let der = Base64::decode_vec(
        &CERT_V3
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<String>(),
    )
    .unwrap();
    let pem = |der: &[u8]| {
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            Base64::encode_string(der)
        )
    };
    assert!(KeySet::parse(&pem(&der)).is_ok());
    for cut in [1, 10, 100, der.len() / 2, der.len() - 1] {
        let error = KeySet::parse(&pem(&der[..cut])).unwrap_err();
        assert_eq!(error.code(), "ERR_KEYSET_INVALID", "cut at {cut}");
    }
    let error = KeySet::parse(&pem(&[der.as_slice(), &[0]].concat())).unwrap_err();
    assert_eq!(error.code(), "ERR_KEYSET_INVALID", "trailing byte");
}

fn key(kid: Option<&str>, x5t: Option<&str>, spki: &str) -> VerifyingKey {
    let key = rsa_public(spki);
    VerifyingKey::with_ids(key, kid.map(Into::into), x5t.map(Into::into))
}

#[test]
fn candidates_pick_by_identifier_and_fall_through() {
    let set = KeySet::from_keys(vec![
        key(None, None, SPKI),                  // 0: a pinned PEM key
        key(Some("A"), Some("XA"), OTHER_SPKI), // 1
        key(Some("B"), None, SPKI),             // 2
        key(None, Some("XC"), OTHER_SPKI),      // 3: a certificate
    ])
    .unwrap();
    let picked = |kid: Option<&str>, x5t: Option<&str>| -> Vec<usize> {
        set.candidates(kid, x5t)
            .map(|found| {
                set.keys()
                    .iter()
                    .position(|k| std::ptr::eq(k, found))
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(
        picked(None, None),
        [0, 1, 2, 3],
        "no identifiers: every key"
    );
    assert_eq!(
        picked(Some("A"), None),
        [1, 0, 3],
        "kid A first, then keys without a kid"
    );
    assert_eq!(picked(Some("B"), None), [2, 0, 3]);
    assert_eq!(
        picked(Some("Z"), None),
        [0, 3],
        "unknown kid: only keys without a kid"
    );
    assert_eq!(picked(None, Some("XA")), [1, 0, 2]);
    assert_eq!(picked(None, Some("XC")), [3, 0, 2]);
    assert_eq!(picked(Some("A"), Some("XA")), [1, 0]);
    assert_eq!(
        picked(Some("A"), Some("XC")),
        [3, 0],
        "kid and x5t name different keys"
    );
    assert_eq!(picked(Some("B"), Some("XC")), [2, 3, 0]);
    assert_eq!(picked(Some(""), None), [0, 3]);
}

#[test]
fn sets_from_keys() {
    assert_eq!(
        KeySet::from_keys(vec![]).unwrap_err(),
        Error::KeySetInvalid("no usable RS256 key")
    );
    let mut set = KeySet::from_keys(vec![key(Some("A"), None, SPKI)]).unwrap();
    let before = set.len();
    assert_eq!(
        set.extend(vec![
            key(Some("C"), None, SPKI),
            key(Some("A"), None, OTHER_SPKI)
        ])
        .unwrap_err(),
        Error::KeySetInvalid("two keys have the same kid")
    );
    assert_eq!(set.len(), before, "unchanged on error");
    set.extend(KeySet::parse(CERT_V1).unwrap().keys).unwrap();
    set.extend(KeySet::parse(JWKS).unwrap().keys).unwrap();
    assert_eq!(set.len(), 3);
    let small = rsa_public(fixture!("rsa1024.spki.pem"));
    assert_eq!(
        VerifyingKey::new(small.clone()).unwrap_err(),
        Error::KeySetInvalid("an RSA key is under 2048 bits")
    );
    let small = VerifyingKey::with_ids(small, None, None);
    assert_eq!(
        KeySet::from_keys(vec![small]).unwrap_err(),
        Error::KeySetInvalid("an RSA key is under 2048 bits")
    );
    let pinned = VerifyingKey::new(rsa_public(SPKI)).unwrap();
    assert!(verifies(&pinned));
    let many: Vec<VerifyingKey> = (0..101).map(|_| pinned.clone()).collect();
    assert_eq!(
        KeySet::from_keys(many).unwrap_err(),
        Error::KeySetInvalid("the key set has more than 100 keys")
    );
}

#[test]
fn private_key_signs_for_its_key_set() {
    let private = PrivateKey::parse(fixture!("rsa2048.xml")).unwrap();
    let set = KeySet::from_keys(vec![VerifyingKey::new(private.public_key()).unwrap()]).unwrap();
    let signature = private.sign_pkcs1v15_sha256(b"data").unwrap();
    assert!(set
        .candidates(Some("any"), None)
        .any(|key| key.verify_pkcs1v15_sha256(b"data", &signature)));
}
