//! superoffice-auth: SuperOffice CRM Online system-user authentication without I/O.
//!
//! The core signs the system user token, builds the PartnerSystemUserService request, parses its
//! response and validates the RS256 JWT inside. It also validates the SuperIdToken (the OpenID
//! Connect id_token that carries the system user token), speaks the authorization and token
//! endpoints, and builds and reads NetServer SOAP agent calls made with a ticket. It reads no clock
//! (every time-dependent function takes `now` in epoch milliseconds) and touches no network or file;
//! the host moves the bytes.
//!
//! The layers, top to bottom (each depends only on the ones below it; `tests/layers.rs` holds this):
//!
//! - the binding (`binding`, wasm32 only): decodes one options object per entry, calls one core
//!   function, writes the result as JSON;
//! - protocols, one module per door, none depending on another: [`ticket`] (the system-user ticket
//!   exchange), [`oauth`] (authorization, token and refresh, SuperIdToken), [`netserver`] (SOAP
//!   agents called with a ticket), [`tenant`] (the state API: where a tenant lives and whether it
//!   runs), [`callbacks`] (what SuperOffice posts to the partner: webhook deliveries);
//! - the key/JWT layer: [`key`] (private keys, over rsa), [`keyset`] (verification keys, over rsa,
//!   x509-cert and serde_json), [`jwt`] (RS256 validation, over jsonwebtoken with an rsa-only
//!   provider);
//! - [`plumbing`]: HTTP shapes, environments and base URLs, argument checks, the token-endpoint form
//!   writer, SOAP envelopes and faults, identity claims, strict JSON, hardened XML, SHA-256;
//! - [`error`], the one list of failures, and [`limits`], the defaults and ranges of the options.

pub mod callbacks;
pub mod error;
pub mod jwt;
pub mod key;
pub mod keyset;
pub mod limits;
pub mod netserver;
pub mod oauth;
pub mod plumbing;
pub mod tenant;
pub mod ticket;

#[cfg(any(target_arch = "wasm32", test))]
mod binding;

/// In the wasm module, every block is zeroed before it is freed (zalloc's `ZeroizingAlloc` over the
/// default allocator; realloc frees, and so zeroes, the block it grows out of). Secrets reach wasm
/// memory as arguments (the application token, system user tokens, client secrets, refresh tokens,
/// key text), are copied while requests are built and responses read, and leave it as results; rsa
/// cannot wipe the Montgomery forms of P and Q nor a signature's blinding intermediates. Wiping each
/// buffer by hand would miss the copies made inside the crates; this wipes them all once they are
/// freed, for the price of a write per byte freed (issue 19; docs/security.md, "Key material in
/// memory").
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: zalloc::ZeroizingAlloc<std::alloc::System> =
    zalloc::ZeroizingAlloc(std::alloc::System);

pub use error::{Error, Result, CODES};
pub use jwt::Claims;
pub use jwt::{validate_token, ValidationOptions};
pub use key::{PemFormat, PrivateKey, PublicKey};
pub use keyset::KeySet;
pub use netserver::{
    build_agent_request, parse_agent_response, AgentRequestParams, AgentResult, TimeZone,
};
pub use oauth::authorize::{
    build_authorization_code_request, create_authorization_request, parse_authorization_response,
    AuthorizationCodeRequestParams, AuthorizationRequest, AuthorizationRequestParams,
    AuthorizationResponse, ResponseMode, ResponseType,
};
pub use oauth::superid::{parse_super_id_token, resolve_issuer, SuperIdClaims, SuperIdOptions};
pub use oauth::token::{
    build_refresh_token_request, parse_token_response, IdTokenExpectations, RefreshRequestParams,
    TokenResponseOptions, TokenResult,
};
pub use plumbing::environment::{resolve_base_url, Environment};
pub use plumbing::http::{HttpRequest, HttpResponse};
pub use tenant::{
    build_tenant_state_request, parse_tenant_state, StateName, TenantState, TenantStateOptions,
};
pub use ticket::request::{build_ticket_request, TicketRequestParams, Transport};
pub use ticket::sign::sign_token;
pub use ticket::{parse_ticket_response, TicketOptions, TicketResult};
