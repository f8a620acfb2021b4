//! PartnerSystemUserService request building (SOAP 1.1 envelope or REST JSON).
//! OWNER: xml helper. Interface below is fixed; the body is to be written.

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Sod,
    Stage,
    Online,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    #[default]
    Soap,
    Rest,
}

impl Environment {
    /// `sod`, `stage`, `online`; `qaonline` is accepted as `stage`.
    pub fn parse(_name: &str) -> Result<Environment> {
        Err(Error::InvalidArgument("not implemented"))
    }
    /// `https://sod.superoffice.com` etc.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sod => "https://sod.superoffice.com",
            Environment::Stage => "https://qaonline.superoffice.com",
            Environment::Online => "https://online.superoffice.com",
        }
    }
}

impl Transport {
    pub fn parse(_name: &str) -> Result<Transport> {
        Err(Error::InvalidArgument("not implemented"))
    }
}

pub struct TicketRequestParams<'a> {
    /// Scheme and host (and optional path prefix), no trailing slash needed.
    pub base_url: &'a str,
    pub transport: Transport,
    pub application_token: &'a str,
    pub context_identifier: &'a str,
    pub signed_system_token: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

pub fn build_ticket_request(_params: &TicketRequestParams<'_>) -> Result<HttpRequest> {
    Err(Error::InvalidArgument("not implemented"))
}
