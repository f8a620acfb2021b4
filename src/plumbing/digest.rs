//! SHA-256 for the JS layer outside Node: the ticket client names its cache keys with a truncated
//! SHA-256 (of the login host and application token), which it takes from `node:crypto` on Node. The
//! standards-only entries (Deno, Bun, Workers, browsers) have only WebCrypto's asynchronous digest, and
//! the client computes the key synchronously, so they call this instead: the same sha2 crate the
//! verifier uses, no hand-written hash.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of `data`, as `node:crypto`'s `createHash('sha256').digest('hex')`.
pub fn sha256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(data);
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn matches_the_fips_180_2_examples() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
