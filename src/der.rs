//! A strict DER reader for the structures keys arrive in: PKCS#1 `RSAPrivateKey` and `RSAPublicKey`,
//! PKCS#8 `PrivateKeyInfo` and X.509 `SubjectPublicKeyInfo`.
//!
//! It replaces the der/pkcs1/pkcs8/spki decoders, which cost ~39 KB of the .wasm (12 KB gzipped),
//! and keeps their strictness: definite lengths in their shortest form, INTEGERs in their shortest
//! two's-complement form and non-negative, no trailing bytes after an element or inside a SEQUENCE,
//! low tag numbers only. It borrows from the input and never copies key material.

pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OBJECT_IDENTIFIER: u8 = 0x06;

/// The elements of one DER value, read front to back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element, whatever its tag: (tag, contents).
    pub(crate) fn any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, after_tag) = self.rest.split_first()?;
        // High tag numbers (low five bits all set) occur in none of these structures; tag 0 is BER's
        // end-of-contents marker, meaningless in DER.
        if tag & 0x1f == 0x1f || tag == 0 {
            return None;
        }
        let (&first, after_first) = after_tag.split_first()?;
        let (length, body) = if first < 0x80 {
            (usize::from(first), after_first)
        } else {
            // Long form: 0x80 alone is BER's indefinite length; DER wants the fewest length bytes.
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 {
                return None;
            }
            let (bytes, body) = after_first.split_at_checked(count)?;
            if bytes.first() == Some(&0) {
                return None;
            }
            let length = bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if length < 0x80 {
                return None;
            }
            (length, body)
        };
        let (contents, rest) = body.split_at_checked(length)?;
        self.rest = rest;
        Some((tag, contents))
    }

    /// The next element's contents when it has `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let mut probe = *self;
        let (found, contents) = probe.any()?;
        if found != tag {
            return None;
        }
        *self = probe;
        Some(contents)
    }

    /// A SEQUENCE, as a reader over its elements.
    pub(crate) fn sequence(&mut self) -> Option<Reader<'a>> {
        self.read(SEQUENCE).map(Reader::new)
    }

    /// A non-negative INTEGER in its minimal encoding; its magnitude, big-endian, without the sign
    /// byte (`[0]` for zero).
    pub(crate) fn unsigned(&mut self) -> Option<&'a [u8]> {
        let contents = self.read(INTEGER)?;
        match contents {
            [] => None,
            [first, ..] if first & 0x80 != 0 => None, // negative
            [0, second, ..] if second & 0x80 == 0 => None, // a needless leading zero
            [0, magnitude @ ..] if !magnitude.is_empty() => Some(magnitude),
            _ => Some(contents),
        }
    }

    /// Succeeds only when nothing is left.
    pub(crate) fn finish(self) -> Option<()> {
        self.is_empty().then_some(())
    }
}

/// Reads exactly one SEQUENCE spanning all of `input`.
pub(crate) fn outer_sequence(input: &[u8]) -> Option<Reader<'_>> {
    let mut reader = Reader::new(input);
    let sequence = reader.sequence()?;
    reader.finish()?;
    Some(sequence)
}

/// `AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`:
/// the OID's encoded contents and the parameters as (tag, contents) when present.
pub(crate) type Parameters<'a> = Option<(u8, &'a [u8])>;

pub(crate) fn algorithm_identifier<'a>(
    reader: &mut Reader<'a>,
) -> Option<(&'a [u8], Parameters<'a>)> {
    let mut algorithm = reader.sequence()?;
    let oid = algorithm.read(OBJECT_IDENTIFIER)?;
    // Base-128 subidentifiers: each minimal (no leading 0x80 byte), the last one complete.
    let minimal = oid
        .iter()
        .enumerate()
        .all(|(i, &b)| b != 0x80 || (i > 0 && oid[i - 1] & 0x80 != 0));
    if oid.last().is_none_or(|last| last & 0x80 != 0) || !minimal {
        return None;
    }
    let parameters = if algorithm.is_empty() {
        None
    } else {
        Some(algorithm.any()?)
    };
    algorithm.finish()?;
    Some((oid, parameters))
}

/// Encoded OIDs (contents octets) the key readers recognise.
pub(crate) mod oid {
    /// rsaEncryption, 1.2.840.113549.1.1.1
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// id-RSASSA-PSS, 1.2.840.113549.1.1.10
    pub(crate) const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// id-ecPublicKey, 1.2.840.10045.2.1
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// id-X25519, id-X448, id-Ed25519, id-Ed448: 1.3.101.110 to 113
    pub(crate) const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
    pub(crate) const X448: &[u8] = &[0x2b, 0x65, 0x6f];
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    pub(crate) const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    /// id-dsa, 1.2.840.10040.4.1
    pub(crate) const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
}

/// Single-byte changes (to values that are tags, length bytes or edges), truncations and an appended
/// byte of a DER document: the inputs the readers built on this module are held against the der crate
/// with (`key::tests`, `keyset::tests`).
#[cfg(test)]
pub(crate) fn mutations(der: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, &byte) in der.iter().enumerate() {
        for value in [
            0x00,
            0x01,
            0x02,
            0x03,
            0x30,
            0x7f,
            0x80,
            0x81,
            0x82,
            0xff,
            byte ^ 1,
        ] {
            if value != byte {
                let mut changed = der.to_vec();
                changed[i] = value;
                out.push(changed);
            }
        }
        out.push(der[..i].to_vec());
    }
    out.push([der, &[0]].concat());
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn one(input: &[u8]) -> Option<(u8, &[u8])> {
        let mut reader = Reader::new(input);
        let found = reader.any()?;
        reader.finish()?;
        Some(found)
    }

    #[test]
    fn lengths_must_be_definite_and_minimal() {
        assert_eq!(one(&[0x04, 0x02, 0xaa, 0xbb]), Some((4, &[0xaa, 0xbb][..])));
        let long: Vec<u8> = [&[0x04, 0x81, 0x80][..], &[7; 0x80]].concat();
        assert_eq!(one(&long).map(|(_, c)| c.len()), Some(0x80));
        assert_eq!(
            one(&[0x04, 0x81, 0x03, 1, 2, 3]),
            None,
            "long form for a short length"
        );
        assert_eq!(
            one(&[0x04, 0x82, 0x00, 0x80]),
            None,
            "leading zero length byte"
        );
        assert_eq!(one(&[0x04, 0x80, 0x00, 0x00]), None, "indefinite length");
        assert_eq!(one(&[0x04, 0x85, 1, 1, 1, 1, 1]), None, "five length bytes");
        assert_eq!(one(&[0x04, 0x05, 0x00]), None, "length past the end");
        assert_eq!(one(&[0x1f, 0x01, 0x00]), None, "high tag number");
        assert_eq!(one(&[0x00, 0x00]), None, "end-of-contents");
        assert_eq!(one(&[0x04, 0x00, 0x00]), None, "trailing byte");
        assert_eq!(one(&[]), None);
        assert_eq!(one(&[0x04]), None);
    }

    #[test]
    fn integers_must_be_minimal_and_non_negative() {
        let unsigned = |input: &[u8]| Reader::new(input).unsigned().map(<[u8]>::to_vec);
        assert_eq!(unsigned(&[0x02, 0x01, 0x00]), Some(vec![0]));
        assert_eq!(unsigned(&[0x02, 0x01, 0x7f]), Some(vec![0x7f]));
        assert_eq!(unsigned(&[0x02, 0x02, 0x00, 0x80]), Some(vec![0x80]));
        assert_eq!(
            unsigned(&[0x02, 0x03, 0x01, 0x00, 0x01]),
            Some(vec![1, 0, 1])
        );
        assert_eq!(unsigned(&[0x02, 0x02, 0x00, 0x7f]), None, "needless zero");
        assert_eq!(unsigned(&[0x02, 0x01, 0x80]), None, "negative");
        assert_eq!(unsigned(&[0x02, 0x02, 0xff, 0x80]), None, "negative");
        assert_eq!(unsigned(&[0x02, 0x00]), None, "empty");
        assert_eq!(unsigned(&[0x04, 0x01, 0x01]), None, "not an INTEGER");
    }

    #[test]
    fn algorithm_identifiers() {
        let rsa_null = [
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05,
            0x00,
        ];
        let (oid, parameters) = algorithm_identifier(&mut Reader::new(&rsa_null)).unwrap();
        assert_eq!(oid, oid::RSA_ENCRYPTION);
        assert_eq!(parameters, Some((NULL, &[][..])));
        let absent = [0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70];
        assert_eq!(
            algorithm_identifier(&mut Reader::new(&absent)),
            Some((oid::ED25519, None))
        );
        for bad_oid in [
            &[0x30, 0x02, 0x06, 0x00][..],
            &[0x30, 0x03, 0x06, 0x01, 0x86],
            &[0x30, 0x04, 0x06, 0x02, 0x80, 0x01],
        ] {
            assert_eq!(
                algorithm_identifier(&mut Reader::new(bad_oid)),
                None,
                "{bad_oid:02x?}"
            );
        }
        let extra = [0x30, 0x07, 0x06, 0x01, 0x2b, 0x05, 0x00, 0x05, 0x00];
        assert_eq!(algorithm_identifier(&mut Reader::new(&extra)), None);
        assert_eq!(outer_sequence(&[0x30, 0x00, 0x00]).map(|_| ()), None);
    }
}
