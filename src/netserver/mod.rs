//! NetServer agents: calling the tenant with a ticket over SOAP (`Associate.svc`, `Contact.svc`,
//! ...). [`build_agent_request`] writes the envelope, [`parse_agent_response`] reads the answer. Like
//! the ticket functions, neither does I/O. The same agents over REST are in `rest.rs`
//! ([`build_rest_agent_request`], [`parse_rest_agent_response`]); SOAP lists stay lists by the table of
//! `lists.rs`.
//!
//! What the Services88 WSDLs say (SuperOfficeDocs/superoffice-docs, e.g.
//! `docs/api/api-reference/soap/Services88/Services88-CustomerService.md`): WCF `BasicHttpBinding`, so
//! SOAP 1.1 document/literal; the endpoint is `{netserver_url}{Agent}.svc`; everything lives in the
//! namespace `http://www.superoffice.net/ws/crm/NetServer/Services88` (the version follows the
//! endpoint's); `SOAPAction` is `{namespace}/{Agent}/{Method}`; the request carries the headers
//! `ApplicationToken`, `Credentials/Ticket` and an optional `TimeZone`; the response body is
//! `{Method}Response/Response`, and its headers `ExceptionInfo`, `ExtraInfo`, `Succeeded`, `TimeZone`.

mod lists;
mod names;
mod request;
mod response;
mod rest;
mod soap_types;

#[cfg(test)]
mod tests;

pub use names::{namespace, NS_ARRAYS, NS_NETSERVER_PREFIX, VERSIONS};
pub use request::{build_agent_request, AgentRequestParams, TimeZone};
pub use response::{parse_agent_response, AgentResult};
pub use rest::{
    build_rest_agent_request, parse_rest_agent_response, RestAgentRequestParams, TIME_ZONE_HEADER,
};
