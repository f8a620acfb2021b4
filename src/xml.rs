//! Hardened, namespace-aware XML reading on top of quick-xml.
//! OWNER: xml helper.
