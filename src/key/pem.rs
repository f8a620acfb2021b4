//! A small, lenient PEM reader shared by private keys and key sets.
//!
//! pem-rfc7468 is strict about line length and stray text, which is right for a codec but wrong for
//! text a person pasted from a portal, an e-mail or an environment variable. Here any base64 line length
//! (or one long line, or lines joined by spaces), CRLF, and text around the blocks ("Bag Attributes",
//! "subject=") are accepted; the base64 itself is decoded strictly.

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";

/// One `-----BEGIN label-----` ... `-----END label-----` block, not yet decoded.
pub(crate) struct Block<'a> {
    pub label: &'a str,
    /// RFC 1421 headers declared encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`): a legacy
    /// password-protected PKCS#1 key.
    pub encrypted: bool,
    body: &'a str,
}

/// Whether the text holds anything that looks like a PEM block.
pub(crate) fn looks_like_pem(text: &str) -> bool {
    text.contains(BEGIN)
}

/// Every PEM block in `text`, in order. Text outside blocks is ignored. Errors are fixed messages
/// that the caller wraps in its own error code (a private key and a key set fail differently).
pub(crate) fn blocks(text: &str) -> Result<Vec<Block<'_>>, &'static str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some((_, after_begin)) = rest.split_once(BEGIN) {
        let (label, after_label) = after_begin
            .split_once(DASHES)
            .ok_or("a PEM BEGIN line is not closed by -----")?;
        if !is_label(label) {
            return Err("a PEM BEGIN line has an invalid label");
        }
        let (body, after_body) = after_label
            .split_once(END)
            .ok_or("a PEM block has no END line")?;
        if body.contains(BEGIN) {
            // A second BEGIN before this block's END: the first block was cut short.
            return Err("a PEM block has no END line");
        }
        let (end_label, after_end) = after_body
            .split_once(DASHES)
            .ok_or("a PEM END line is not closed by -----")?;
        if end_label != label {
            return Err("a PEM END line does not match its BEGIN line");
        }
        found.push(Block {
            label,
            encrypted: has_encryption_headers(body),
            body,
        });
        rest = after_end;
    }
    Ok(found)
}

impl Block<'_> {
    /// The DER inside the block. Headers (lines with a colon before the base64) are skipped;
    /// whitespace anywhere in the base64 is removed; the base64 must be standard and padded.
    pub fn decode(&self) -> Result<Zeroizing<Vec<u8>>, &'static str> {
        // The base64 of a private key is the key: keep the joined copy in a zeroizing buffer,
        // reserved up front so that it never reallocates and leaves copies behind.
        let mut joined = Zeroizing::new(String::with_capacity(self.body.len()));
        let mut in_headers = true;
        for line in self.body.split(['\n', '\r']) {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if in_headers && line.contains(':') {
                continue;
            }
            in_headers = false;
            joined.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
        }
        if joined.is_empty() {
            return Err("a PEM block is empty");
        }
        Base64::decode_vec(&joined)
            .map(Zeroizing::new)
            .map_err(|_| "a PEM block is not valid base64")
    }
}

/// Labels are upper-case words (`RSA PRIVATE KEY`, `X509 CRL`) separated by single spaces.
fn is_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with(' ')
        && !label.ends_with(' ')
        && !label.contains("  ")
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
}

fn has_encryption_headers(body: &str) -> bool {
    body.split(['\n', '\r']).map(str::trim).any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        let name = name.trim();
        (name.eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED"))
            || name.eq_ignore_ascii_case("DEK-Info")
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn one(text: &str) -> (String, Vec<u8>) {
        let found = blocks(text).unwrap();
        assert_eq!(found.len(), 1);
        (
            found[0].label.to_owned(),
            found[0].decode().unwrap().to_vec(),
        )
    }

    #[test]
    fn reads_lenient_layouts() {
        let expected = (
            String::from("TEST"),
            b"hello world, this is a PEM body".to_vec(),
        );
        for text in [
            "-----BEGIN TEST-----\naGVsbG8gd29ybGQsIHRoaXMgaXMgYSBQRU0gYm9keQ==\n-----END TEST-----\n",
            "-----BEGIN TEST-----\r\naGVsbG8gd29y\r\nbGQsIHRoaXMg\r\naXMgYSBQRU0gYm9keQ==\r\n-----END TEST-----",
            "junk before\n  -----BEGIN TEST-----  \n  aGVsbG8gd29ybGQsIHRoaXMgaXMgYSBQRU0gYm9keQ==  \n -----END TEST----- \njunk after",
            "-----BEGIN TEST----- aGVsbG8gd29ybGQs IHRoaXMgaXMgYSBQRU0gYm9keQ== -----END TEST-----",
            "-----BEGIN TEST-----aGVsbG8gd29ybGQsIHRoaXMgaXMgYSBQRU0gYm9keQ==-----END TEST-----",
            "-----BEGIN TEST-----\nX-Header: value\n\naGVsbG8gd29ybGQsIHRoaXMgaXMgYSBQRU0gYm9keQ==\n-----END TEST-----",
        ] {
            assert_eq!(one(text), expected, "{text:?}");
        }
    }

    #[test]
    fn finds_several_blocks() {
        let text = "-----BEGIN A-----\nAA==\n-----END A-----\nsubject=x\n-----BEGIN B C-----\nAQ==\n-----END B C-----\n";
        let found = blocks(text).unwrap();
        assert_eq!(
            found.iter().map(|b| b.label).collect::<Vec<_>>(),
            ["A", "B C"]
        );
        assert_eq!(*found[1].decode().unwrap(), [1]);
        assert!(blocks("no pem here").unwrap().is_empty());
    }

    #[test]
    fn detects_encryption_headers() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAA==\n-----END RSA PRIVATE KEY-----";
        assert!(blocks(text).unwrap()[0].encrypted);
        assert!(!blocks("-----BEGIN A-----\nAA==\n-----END A-----").unwrap()[0].encrypted);
    }

    #[test]
    fn refuses_broken_blocks() {
        for (text, message) in [
            ("-----BEGIN A-----\nAA==\n", "a PEM block has no END line"),
            (
                "-----BEGIN A-----\nAA==\n-----END B-----",
                "a PEM END line does not match its BEGIN line",
            ),
            (
                "-----BEGIN A-----\n-----BEGIN A-----\nAA==\n-----END A-----",
                "a PEM block has no END line",
            ),
            (
                "-----BEGIN a-----\nAA==\n-----END a-----",
                "a PEM BEGIN line has an invalid label",
            ),
            ("-----BEGIN A", "a PEM BEGIN line is not closed by -----"),
            (
                "-----BEGIN A-----\nAA==\n-----END A",
                "a PEM END line is not closed by -----",
            ),
        ] {
            assert_eq!(blocks(text).err(), Some(message), "{text:?}");
        }
        for (text, message) in [
            (
                "-----BEGIN A-----\n\n-----END A-----",
                "a PEM block is empty",
            ),
            (
                "-----BEGIN A-----\nAA=\n-----END A-----",
                "a PEM block is not valid base64",
            ),
            (
                "-----BEGIN A-----\nA*==\n-----END A-----",
                "a PEM block is not valid base64",
            ),
            (
                "-----BEGIN A-----\nAB==\n-----END A-----",
                "a PEM block is not valid base64",
            ),
            (
                "-----BEGIN A-----\nAA\n-----END A-----",
                "a PEM block is not valid base64",
            ),
        ] {
            assert_eq!(
                blocks(text).unwrap()[0].decode().err(),
                Some(message),
                "{text:?}"
            );
        }
    }
}
