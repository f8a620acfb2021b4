//! superoffice-auth: SuperOffice CRM Online system-user authentication without I/O.
//!
//! The core signs the system user token, builds the PartnerSystemUserService request, parses its
//! response and validates the RS256 JWT inside. It also validates the SuperIdToken (the OpenID
//! Connect id_token that carries the system user token), speaks the refresh-token grant, and builds
//! and reads NetServer SOAP agent calls made with a ticket. It reads
//! no clock (every time-dependent function takes `now` in epoch milliseconds) and touches no network
//! or file; the host moves the bytes.
//!
//! The layers, top to bottom:
//!
//! - protocol: [`sign`], [`request`], [`response`] and [`ticket`] (the system-user ticket exchange),
//!   [`oidc`] (the SuperIdToken), [`oauth`] (the refresh-token grant), [`authorize`] (the
//!   authorization request and code exchange that start the hybrid, interactive and onboarding
//!   flows; their random values come from the platform CSPRNG);
//! - a thin layer of our rules over the crates: [`key`] (private keys, over rsa), [`keyset`]
//!   (verification keys, over rsa, x509-cert and serde_json), [`jwt`] (RS256 validation, over
//!   jsonwebtoken with an rsa-only provider), [`xml`] (hardened reading, over quick-xml), [`json`]
//!   (strict reading, over serde_json);
//! - [`error`], the one list of failures, and the wasm binding (`wasm.rs`, wasm32 only).

pub mod authorize;
pub mod callbacks;
pub mod digest;
pub mod error;
pub mod json;
pub mod jwt;
pub mod key;
pub mod keyset;
pub mod netserver;
pub mod oauth;
pub mod oidc;
pub mod request;
pub mod response;
pub mod sign;
pub mod ticket;
pub mod xml;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use authorize::{
    build_authorization_code_request, create_authorization_request, parse_authorization_response,
    AuthorizationCodeRequestParams, AuthorizationRequest, AuthorizationRequestParams,
    AuthorizationResponse, ResponseMode, ResponseType,
};
pub use error::{Error, Result, CODES};
pub use jwt::Claims;
pub use jwt::{validate_token, ValidationOptions};
pub use key::{PemFormat, PrivateKey, PublicKey};
pub use keyset::KeySet;
pub use netserver::{
    build_agent_request, parse_agent_response, AgentRequestParams, AgentResult, TimeZone,
};
pub use oauth::{
    build_refresh_token_request, parse_token_response, IdTokenExpectations, RefreshRequestParams,
    TokenResponseOptions, TokenResult,
};
pub use oidc::{parse_super_id_token, resolve_issuer, SuperIdClaims, SuperIdOptions};
pub use request::{
    build_ticket_request, resolve_base_url, Environment, HttpRequest, TicketRequestParams,
    Transport,
};
pub use response::HttpResponse;
pub use sign::sign_token;
pub use ticket::{parse_ticket_response, TicketOptions, TicketResult};
