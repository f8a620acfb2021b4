//! DER and PEM writers for `PrivateKey::to_pem`: PKCS#1 `RSAPrivateKey` and its PKCS#8 wrapper.
//!
//! Writing two fixed structures of INTEGERs takes a few dozen lines; rsa's encoders (pkcs1, pkcs8,
//! der's writer, pem-rfc7468's encoder) cost ~29 KB of the .wasm (9 KB gzipped). Every buffer is
//! sized exactly before anything is written, so the zeroizing buffers never reallocate (which would
//! leave an unwiped copy of the key behind).
//!
//! ```text
//! RSAPrivateKey ::= SEQUENCE { version INTEGER (0), modulus, publicExponent, privateExponent,
//!     prime1, prime2, exponent1, exponent2, coefficient INTEGER }            -- RFC 8017 A.1.2
//! PrivateKeyInfo ::= SEQUENCE { version INTEGER (0),
//!     privateKeyAlgorithm SEQUENCE { rsaEncryption OID, NULL }, privateKey OCTET STRING } -- RFC 5208
//! ```

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::parts::{trim, Components};

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
/// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }.
const RSA_ENCRYPTION: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
/// INTEGER 0.
const VERSION_0: [u8; 3] = [0x02, 0x01, 0x00];
const PEM_COLUMNS: usize = 64;

/// Bytes of a DER length field for `len`.
fn length_len(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + (usize::BITS - len.leading_zeros()).div_ceil(8) as usize
    }
}

fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let count = length_len(len) - 1;
        out.push(0x80 | count as u8);
        for i in (0..count).rev() {
            out.push((len >> (8 * i)) as u8);
        }
    }
}

/// Content bytes of the minimal DER INTEGER for an unsigned big-endian value.
fn integer_content_len(value: &[u8]) -> usize {
    match trim(value).first() {
        None => 1,
        Some(&first) => trim(value).len() + usize::from(first >= 0x80),
    }
}

fn integer_len(value: &[u8]) -> usize {
    let content = integer_content_len(value);
    1 + length_len(content) + content
}

fn push_integer(out: &mut Vec<u8>, value: &[u8]) {
    let value = trim(value);
    out.push(INTEGER);
    push_length(out, integer_content_len(value));
    match value.first() {
        None => out.push(0),
        Some(&first) => {
            if first >= 0x80 {
                out.push(0);
            }
            out.extend_from_slice(value);
        }
    }
}

/// PKCS#1 `RSAPrivateKey` DER.
pub(crate) fn pkcs1_der(parts: &Components) -> Zeroizing<Vec<u8>> {
    let values: [&[u8]; 8] = [
        &parts.n,
        &parts.e,
        &parts.d,
        &parts.p,
        &parts.q,
        &parts.dp,
        &parts.dq,
        &parts.qinv,
    ];
    let content = VERSION_0.len() + values.iter().map(|v| integer_len(v)).sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(1 + length_len(content) + content));
    out.push(SEQUENCE);
    push_length(&mut out, content);
    out.extend_from_slice(&VERSION_0);
    for value in values {
        push_integer(&mut out, value);
    }
    out
}

/// PKCS#8 `PrivateKeyInfo` DER around a PKCS#1 key.
pub(crate) fn pkcs8_der(pkcs1: &[u8]) -> Zeroizing<Vec<u8>> {
    let octets = 1 + length_len(pkcs1.len()) + pkcs1.len();
    let content = VERSION_0.len() + RSA_ENCRYPTION.len() + octets;
    let mut out = Zeroizing::new(Vec::with_capacity(1 + length_len(content) + content));
    out.push(SEQUENCE);
    push_length(&mut out, content);
    out.extend_from_slice(&VERSION_0);
    out.extend_from_slice(&RSA_ENCRYPTION);
    out.push(OCTET_STRING);
    push_length(&mut out, pkcs1.len());
    out.extend_from_slice(pkcs1);
    out
}

/// RFC 7468 PEM: LF line endings, 64 base64 characters per line, a final newline.
pub(crate) fn pem(label: &str, der: &[u8]) -> Zeroizing<String> {
    let encoded_len = Base64::encoded_len(der);
    let lines = encoded_len.div_ceil(PEM_COLUMNS);
    let frame = "-----BEGIN -----\n".len() + "-----END -----\n".len() + 2 * label.len();
    let mut out = Zeroizing::new(String::with_capacity(frame + encoded_len + lines));
    let mut encoded = Zeroizing::new(vec![0u8; encoded_len]);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    if let Ok(text) = Base64::encode(der, &mut encoded) {
        let mut rest = text;
        while !rest.is_empty() {
            let (line, tail) = rest.split_at(rest.len().min(PEM_COLUMNS));
            out.push_str(line);
            out.push('\n');
            rest = tail;
        }
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_minimal_and_positive() {
        let encode = |value: &[u8]| {
            let mut out = Vec::new();
            push_integer(&mut out, value);
            assert_eq!(out.len(), integer_len(value));
            out
        };
        assert_eq!(encode(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(encode(&[0, 0]), [0x02, 0x01, 0x00]);
        assert_eq!(encode(&[0, 0x7f]), [0x02, 0x01, 0x7f]);
        assert_eq!(encode(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(encode(&[1, 0, 1]), [0x02, 0x03, 1, 0, 1]);
        let long = encode(&[0xff; 200]);
        assert_eq!(&long[..4], [0x02, 0x81, 201, 0x00]);
        let longer = encode(&[0x01; 300]);
        assert_eq!(&longer[..4], [0x02, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn lengths() {
        for (len, expected) in [
            (0usize, &[0u8][..]),
            (0x7f, &[0x7f]),
            (0x80, &[0x81, 0x80]),
            (0xff, &[0x81, 0xff]),
            (0x100, &[0x82, 0x01, 0x00]),
            (0x1_0000, &[0x83, 0x01, 0x00, 0x00]),
        ] {
            let mut out = Vec::new();
            push_length(&mut out, len);
            assert_eq!(out, expected);
            assert_eq!(length_len(len), expected.len());
        }
    }
}
