//! Step 3: from response to ticket.
use crate::error::{Error, Result};
use crate::keyset::KeySet;
use crate::response::HttpResponse;

pub struct TicketOptions {
    pub now_ms: f64,
    pub leeway_seconds: u32,
}

#[derive(Debug, Clone)]
pub struct TicketResult {
    pub ticket: String,
}

pub fn parse_ticket_response(
    _response: &HttpResponse<'_>,
    _keys: &KeySet,
    _options: &TicketOptions,
) -> Result<TicketResult> {
    Err(Error::ResponseMalformed("not implemented"))
}
