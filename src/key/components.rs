//! The numbers a two-prime RSA key file stores, shared by the readers ([`super::xml`], the DER path
//! in the parent) and the XML writer: a module of its own so that the readers depend on it rather
//! than on their parent.

use zeroize::Zeroizing;

/// The eight numbers of a two-prime key as a file stores them, big-endian (zeroizing).
pub(crate) struct Components {
    pub n: Zeroizing<Vec<u8>>,
    pub e: Zeroizing<Vec<u8>>,
    pub d: Zeroizing<Vec<u8>>,
    pub p: Zeroizing<Vec<u8>>,
    pub q: Zeroizing<Vec<u8>>,
    pub dp: Zeroizing<Vec<u8>>,
    pub dq: Zeroizing<Vec<u8>>,
    pub qinv: Zeroizing<Vec<u8>>,
}
