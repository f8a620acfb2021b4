//! OAuth 2.0 and OpenID Connect against SuperOffice's login host: the authorization request and the
//! code exchange ([`authorize`]), the token endpoint's refresh grant and answers ([`token`]), and the
//! SuperIdToken, the id_token that carries the system user token ([`superid`]).

pub mod authorize;
pub mod superid;
pub mod token;

pub use authorize::{
    build_authorization_code_request, create_authorization_request, parse_authorization_response,
    AuthorizationCodeRequestParams, AuthorizationRequest, AuthorizationRequestParams,
    AuthorizationResponse, ResponseMode, ResponseType,
};
pub use superid::{parse_super_id_token, resolve_issuer, SuperIdClaims, SuperIdOptions};
pub use token::{
    build_refresh_token_request, parse_token_response, IdTokenExpectations, RefreshRequestParams,
    TokenResponseOptions, TokenResult,
};
