//! Just enough DER to take the SubjectPublicKeyInfo out of an X.509 certificate (v1 or v3).
//!
//! The certificate is pinned by the caller, so its chain, signature (SuperOffice's are SHA-1) and
//! validity dates are not checked: only its key is used.
//!
//! ```text
//! Certificate ::= SEQUENCE { tbsCertificate SEQUENCE {
//!     version [0] EXPLICIT INTEGER OPTIONAL,   -- absent in v1
//!     serialNumber INTEGER, signature SEQUENCE, issuer SEQUENCE, validity SEQUENCE,
//!     subject SEQUENCE, subjectPublicKeyInfo SEQUENCE, ... },
//!   signatureAlgorithm SEQUENCE, signatureValue BIT STRING }
//! ```

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
/// `[0]` constructed, context-specific: the explicit version tag.
const VERSION: u8 = 0xa0;

/// One DER element: its tag, its contents, and its whole encoding (tag and length included).
struct Element<'a> {
    tag: u8,
    contents: &'a [u8],
    encoding: &'a [u8],
}

/// Reads one element from the front of `input`; returns it and what follows.
fn element(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    // High tag numbers (low five bits all set) never occur in the fields we walk.
    if tag & 0x1f == 0x1f {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        // Long form; 0x80 alone would be BER's indefinite length, which DER forbids.
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        (
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b)),
            rest,
        )
    };
    let (contents, after) = rest.split_at_checked(length)?;
    let header = input.len() - rest.len();
    let encoding = input.get(..header + length)?;
    Some((
        Element {
            tag,
            contents,
            encoding,
        },
        after,
    ))
}

fn expect(input: &[u8], tag: u8) -> Option<(Element<'_>, &[u8])> {
    element(input).filter(|(found, _)| found.tag == tag)
}

/// The DER of the certificate's SubjectPublicKeyInfo.
pub(super) fn subject_public_key_info(certificate: &[u8]) -> Option<&[u8]> {
    let (outer, trailing) = expect(certificate, SEQUENCE)?;
    if !trailing.is_empty() {
        return None;
    }
    let (tbs, rest) = expect(outer.contents, SEQUENCE)?;
    // signatureAlgorithm and signatureValue must follow, even though they are not checked.
    let (_, rest) = expect(rest, SEQUENCE)?;
    let (_, rest) = expect(rest, BIT_STRING)?;
    if !rest.is_empty() {
        return None;
    }
    let mut fields = tbs.contents;
    if let Some((version, rest)) = expect(fields, VERSION) {
        // v2 or v3: INTEGER 1 or 2 inside. v1 certificates omit the field entirely.
        let (number, _) = expect(version.contents, INTEGER)?;
        if !matches!(number.contents, [1] | [2]) {
            return None;
        }
        fields = rest;
    }
    let (_, fields) = expect(fields, INTEGER)?; // serialNumber
    let (_, fields) = expect(fields, SEQUENCE)?; // signature
    let (_, fields) = expect(fields, SEQUENCE)?; // issuer
    let (_, fields) = expect(fields, SEQUENCE)?; // validity
    let (_, fields) = expect(fields, SEQUENCE)?; // subject
    let (spki, _) = expect(fields, SEQUENCE)?;
    Some(spki.encoding)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn reads_lengths() {
        let (found, rest) = element(&[0x04, 0x02, 0xaa, 0xbb, 0xcc]).unwrap();
        assert_eq!(
            (found.tag, found.contents, found.encoding),
            (4, &[0xaa, 0xbb][..], &[4, 2, 0xaa, 0xbb][..])
        );
        assert_eq!(rest, [0xcc]);
        let long = [&[0x04, 0x81, 0x03][..], &[1, 2, 3]].concat();
        assert_eq!(element(&long).unwrap().0.contents, [1, 2, 3]);
        assert!(
            element(&[0x04, 0x80, 0x00, 0x00]).is_none(),
            "indefinite length"
        );
        assert!(
            element(&[0x04, 0x05, 0x00]).is_none(),
            "length past the end"
        );
        assert!(
            element(&[0x04, 0x85, 1, 1, 1, 1, 1]).is_none(),
            "length of length too big"
        );
        assert!(element(&[0x1f, 0x01, 0x00]).is_none(), "high tag number");
        assert!(element(&[]).is_none());
        assert!(element(&[0x04]).is_none());
    }

    #[test]
    fn refuses_non_certificates() {
        assert!(subject_public_key_info(&[]).is_none());
        assert!(subject_public_key_info(&[0x30, 0x00]).is_none());
        assert!(subject_public_key_info(&[0x30, 0x02, 0x30, 0x00]).is_none());
    }
}
