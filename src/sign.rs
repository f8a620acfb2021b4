//! Step 1: sign `systemUserToken.yyyyMMddHHmm`.
use crate::error::{Error, Result};
use crate::key::PrivateKey;

pub fn sign_token(_system_user_token: &str, _key: &PrivateKey, _now_ms: f64) -> Result<String> {
    Err(Error::InvalidArgument("not implemented"))
}
