//! NetServer agents over REST: the same agents and methods, served as JSON by the tenant's web API.
//! [`build_rest_agent_request`] writes the call, [`parse_rest_agent_response`] reads the answer; like
//! the SOAP pair, neither does I/O.
//!
//! What SuperOffice documents (SuperOfficeDocs/superoffice-docs):
//! `docs/en/api/web-services/endpoints/agents-webapi/index.md` (the Agents WebAPI: every operation is
//! `POST /api/v1/Agents/{Agent}/{Method}`, parameters in the JSON body or the query string; a missing
//! entity answers 200 with `null`; a malformed request 400; an invalid one an error object with
//! `Message` and `MessageDetail`, even with 200), `docs/en/api/web-services/endpoints/http-headers.md`
//! (the `SO-TimeZone` request header: a time zone's id, e.g. `261`, or its name, e.g. `NO`) and the
//! reference pages under `docs/en/api/reference/restful/agent/` (request headers `Authorization:
//! SOTicket ...` and `SO-AppToken`).
//!
//! Decisions:
//!
//! - `webapi_url` is the ticket's `webapi_url` claim (`https://sod2.superoffice.com/Cust12345/api/`):
//!   an absolute `https://` URL (plain `http://` for loopback only, as for every base URL) whose last
//!   path segment is `api` (ASCII case ignored). Anything else, the `netserver_url` claim included,
//!   is refused rather than guessed at.
//! - Agent and method names are .NET identifiers and `ContactAgent` is refused with the same hint as
//!   over SOAP. Parameters are the JSON object's text as given (names as the caller wrote them:
//!   ASP.NET matches them without regard to case; the JS layer has turned each `Date` into ISO 8601
//!   UTC), accepted by the strict reader before it is sent.
//! - The ticket and the application token become header values, so they must hold no control
//!   character (a CR or LF would split the header; the rule of `authHeaders`); the time zone is an
//!   `SoTimeZoneId` (sent as its
//!   digits) or an `SoTimeZoneLocationCode` (letters, digits, `-`, `_`, `+`, `.`), one of the two:
//!   the header carries one value.
//! - Responses: the size cap first, whatever the status. 401 and 403 are [`Error::TicketRejected`].
//!   A 2xx with no body (204, or an empty 200) is `null`; otherwise the body must be JSON, read by
//!   the strict reader (`crate::json`: duplicate member names refused) into JSON's own types, so a
//!   list is an array and a number a number (an integer beyond 2^53 reaches JS as the nearest double,
//!   as token claims do).
//! - Error objects become [`Error::NetServerException`] (or [`Error::TicketRejected`] when their type
//!   is NetServer's authentication exception, by the same rule as SOAP's `ExceptionInfo`: see
//!   `super::response::TICKET_REJECTION_TYPES`): in a non-2xx
//!   answer, any JSON object carrying a detail (`MessageDetail`, `ExceptionMessage`), a type
//!   (`ExceptionType`, `ErrorType`) or `Error: true` (ASP.NET's bare `{ Message }`, as for an unknown
//!   method's 404, says no more than the status, which it stays); in a 2xx answer, only
//!   an object made of nothing but error members (see [`ERROR_MEMBERS`]) with a `Message` and a
//!   detail or type, or with `Error: true`, so that a result that merely has a `Message` member is
//!   not mistaken for one. Kept: the type (`ExceptionType` or `ErrorType`), `Message` as the friendly
//!   text, `MessageDetail` or `ExceptionMessage` as the server message, truncated and with
//!   credentials redacted by [`Error`]'s constructors. A stack trace or source never leaves here.
//!   Any other non-2xx answer is [`Error::HttpStatus`].

use super::names::check_agent_and_method;
use super::request::TimeZone;
use super::response::is_ticket_rejection;
use crate::error::{Error, Result};
use crate::plumbing::args;
use crate::plumbing::http::HttpRequest;
use crate::plumbing::http::{self, HttpResponse};
use crate::plumbing::json;
use serde_json::Value;

/// The header SuperOffice's web API reads a time zone from
/// (`docs/en/api/web-services/endpoints/http-headers.md`).
pub const TIME_ZONE_HEADER: &str = "SO-TimeZone";

/// The members an error object may have (ASP.NET's `HttpError` and SuperOffice's own error object).
pub const ERROR_MEMBERS: [&str; 11] = [
    "Message",
    "MessageDetail",
    "ExceptionMessage",
    "ExceptionType",
    "StackTrace",
    "InnerException",
    "Error",
    "ErrorType",
    "ErrorId",
    "Source",
    "Stack",
];

pub struct RestAgentRequestParams<'a> {
    /// The ticket's `webapi_url` claim, e.g. `https://sod2.superoffice.com/Cust12345/api/`.
    pub webapi_url: &'a str,
    /// `Associate`, `Contact`, ...
    pub agent: &'a str,
    /// `GetAssociate`, ...
    pub method: &'a str,
    /// The parameters as a JSON object's text (what the JS layer's JSON.stringify wrote); sent as it
    /// is once the strict reader has accepted it as an object.
    pub parameters: &'a str,
    /// The `7T:` ticket (or an `8A:` access token for a user context).
    pub ticket: &'a str,
    pub application_token: &'a str,
    pub time_zone: Option<TimeZone<'a>>,
}

pub fn build_rest_agent_request(params: &RestAgentRequestParams<'_>) -> Result<HttpRequest> {
    let base = check_webapi_url(params.webapi_url)?;
    check_agent_and_method(params.agent, params.method)?;
    let (ticket, application_token) = (params.ticket, params.application_token);
    args::plain(
        ticket,
        "ticket is empty",
        "ticket contains a character that cannot be sent",
    )?;
    args::plain(
        application_token,
        "application token is empty",
        "application token contains a character that cannot be sent",
    )?;
    if json::parse_object_as_given(params.parameters.as_bytes()).is_none() {
        return Err(Error::InvalidArgument(
            "parameters must be a JSON object (with no name given twice)",
        ));
    }
    let body = params.parameters.to_owned();
    let mut headers = vec![
        ("Authorization", format!("SOTicket {ticket}")),
        ("SO-AppToken", application_token.to_owned()),
        ("Accept", "application/json".to_owned()),
        ("Content-Type", "application/json; charset=utf-8".to_owned()),
    ];
    if let Some(time_zone) = params.time_zone {
        headers.push((TIME_ZONE_HEADER, time_zone_value(time_zone)?));
    }
    Ok(HttpRequest {
        url: format!("{base}/v1/Agents/{}/{}", params.agent, params.method),
        method: "POST",
        headers,
        body,
    })
}

/// The URL without trailing slashes; its last path segment must be `api`.
fn check_webapi_url(url: &str) -> Result<&str> {
    let (base, last) = super::names::base_and_last_segment(
        url,
        "webapiUrl must be an absolute https:// URL without user info, query or fragment",
    )?;
    if !last.eq_ignore_ascii_case("api") {
        return Err(Error::InvalidArgument(
            "webapiUrl must end in /api/ (the ticket's webapi_url claim)",
        ));
    }
    Ok(base)
}

fn time_zone_value(time_zone: TimeZone<'_>) -> Result<String> {
    match (
        time_zone.so_time_zone_id,
        time_zone.so_time_zone_location_code,
    ) {
        // serde_json's number writer, which the module links already (`i32::to_string` would add
        // core's own).
        (Some(id), None) => Ok(Value::from(id).to_string()),
        (None, Some(code))
            if !code.is_empty()
                && code.len() <= 64
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'.')) =>
        {
            Ok(code.to_owned())
        }
        (None, Some(_)) => Err(Error::InvalidArgument(
            "timeZone SoTimeZoneLocationCode must be a time zone name such as NO or US-NY",
        )),
        (Some(_), Some(_)) => Err(Error::InvalidArgument(
            "timeZone over REST takes SoTimeZoneId or SoTimeZoneLocationCode, not both (SO-TimeZone carries one)",
        )),
        (None, None) => Err(Error::InvalidArgument(
            "timeZone needs SoTimeZoneId or SoTimeZoneLocationCode",
        )),
    }
}

pub fn parse_rest_agent_response(response: &HttpResponse<'_>) -> Result<Value> {
    let body = http::body(response)?.trim();
    let status = response.status;
    if matches!(status, 401 | 403) {
        return Err(Error::ticket_rejected(Some(status), None, None, None));
    }
    let media_type = http::media_type(response.content_type);
    let is_json = media_type == "application/json"
        || media_type == "text/json"
        || media_type.ends_with("+json");
    let success = http::is_success(status);
    if success && (status == 204 || body.is_empty()) {
        return Ok(Value::Null);
    }
    if !is_json {
        return Err(if success {
            Error::ResponseMalformed("a REST agent response must be JSON")
        } else {
            Error::HttpStatus { status }
        });
    }
    let Some(value) = json::parse(body.as_bytes()) else {
        return Err(if success {
            Error::ResponseMalformed("the response is not valid JSON (or names a member twice)")
        } else {
            Error::HttpStatus { status }
        });
    };
    match error_object(&value, success) {
        Some(error) => Err(error),
        None if success => Ok(value),
        None => Err(Error::HttpStatus { status }),
    }
}

/// The error an object describes, if it is one (see the module documentation).
fn error_object(value: &Value, in_success: bool) -> Option<Error> {
    let object = value.as_object()?;
    let text = |name: &str| {
        object
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
    };
    let exception_type = text("ExceptionType").or_else(|| text("ErrorType"));
    let message = text("Message");
    let detail = text("MessageDetail").or_else(|| text("ExceptionMessage"));
    let said = matches!(object.get("Error"), Some(Value::Bool(true)))
        || detail.is_some()
        || exception_type.is_some();
    // In a success, only an object of error members, and with a message, is one.
    if !said
        || (in_success
            && (message.is_none()
                || object
                    .keys()
                    .any(|name| !ERROR_MEMBERS.contains(&name.as_str()))))
    {
        return None;
    }
    Some(if is_ticket_rejection(exception_type) {
        Error::ticket_rejected(None, exception_type, message, detail)
    } else {
        Error::netserver_exception(exception_type, message, detail)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::plumbing::http::MAX_RESPONSE_BYTES;
    use serde_json::json;

    const BASE: &str = "https://sod2.superoffice.com/Cust12345/api/";

    fn params(parameters: &str) -> RestAgentRequestParams<'_> {
        RestAgentRequestParams {
            webapi_url: BASE,
            agent: "Associate",
            method: "GetAssociate",
            parameters,
            ticket: "7T:abc==",
            application_token: "app-token",
            time_zone: None,
        }
    }

    #[test]
    fn builds_the_documented_call() {
        let parameters = r#"{"AssociateId":5,"When":"2026-11-23T14:05:00.000Z","Ids":[1,2]}"#;
        let request = build_rest_agent_request(&RestAgentRequestParams {
            time_zone: Some(TimeZone {
                so_time_zone_id: None,
                so_time_zone_location_code: Some("US-NY"),
            }),
            ..params(parameters)
        });
        let request = request.expect("built");
        assert_eq!(
            request.url,
            "https://sod2.superoffice.com/Cust12345/api/v1/Agents/Associate/GetAssociate"
        );
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.headers,
            vec![
                ("Authorization", "SOTicket 7T:abc==".to_owned()),
                ("SO-AppToken", "app-token".to_owned()),
                ("Accept", "application/json".to_owned()),
                ("Content-Type", "application/json; charset=utf-8".to_owned()),
                ("SO-TimeZone", "US-NY".to_owned()),
            ]
        );
        assert_eq!(
            request.body,
            r#"{"AssociateId":5,"When":"2026-11-23T14:05:00.000Z","Ids":[1,2]}"#
        );
        let by_id = build_rest_agent_request(&RestAgentRequestParams {
            webapi_url: "http://127.0.0.1:8080/Cust1/API",
            time_zone: Some(TimeZone {
                so_time_zone_id: Some(261),
                so_time_zone_location_code: None,
            }),
            ..params(parameters)
        })
        .expect("built");
        assert_eq!(
            by_id.url,
            "http://127.0.0.1:8080/Cust1/API/v1/Agents/Associate/GetAssociate"
        );
        assert_eq!(by_id.headers[4], ("SO-TimeZone", "261".to_owned()));
    }

    #[test]
    fn refuses_bad_arguments() {
        let empty = "{}";
        let zone = |id, code| {
            Some(TimeZone {
                so_time_zone_id: id,
                so_time_zone_location_code: code,
            })
        };
        let base = params(empty);
        for (case, p) in [
            (
                "netserver url",
                RestAgentRequestParams {
                    webapi_url: "https://sod.superoffice.com/Cust1/Remote/Services88/",
                    ..params(empty)
                },
            ),
            (
                "no path",
                RestAgentRequestParams {
                    webapi_url: "https://sod.superoffice.com",
                    ..params(empty)
                },
            ),
            (
                "http",
                RestAgentRequestParams {
                    webapi_url: "http://sod.superoffice.com/Cust1/api/",
                    ..params(empty)
                },
            ),
            (
                "query",
                RestAgentRequestParams {
                    webapi_url: "https://sod.superoffice.com/Cust1/api/?x=1",
                    ..params(empty)
                },
            ),
            (
                "agent suffix",
                RestAgentRequestParams {
                    agent: "AssociateAgent",
                    ..params(empty)
                },
            ),
            (
                "agent path",
                RestAgentRequestParams {
                    agent: "../Associate",
                    ..params(empty)
                },
            ),
            (
                "method",
                RestAgentRequestParams {
                    method: "Get Associate",
                    ..params(empty)
                },
            ),
            (
                "ticket line break",
                RestAgentRequestParams {
                    ticket: "7T:a\r\nX-Evil: 1",
                    ..params(empty)
                },
            ),
            (
                "ticket blank",
                RestAgentRequestParams {
                    ticket: " ",
                    ..params(empty)
                },
            ),
            (
                "token tab",
                RestAgentRequestParams {
                    application_token: "a\tb",
                    ..params(empty)
                },
            ),
            (
                "zone both",
                RestAgentRequestParams {
                    time_zone: zone(Some(1), Some("NO")),
                    ..params(empty)
                },
            ),
            (
                "zone none",
                RestAgentRequestParams {
                    time_zone: zone(None, None),
                    ..params(empty)
                },
            ),
            (
                "zone comma",
                RestAgentRequestParams {
                    time_zone: zone(None, Some("NO, includeTZOffset")),
                    ..params(empty)
                },
            ),
            (
                "parameters not an object",
                RestAgentRequestParams {
                    parameters: "[1]",
                    ..params(empty)
                },
            ),
            (
                "parameters naming a member twice",
                RestAgentRequestParams {
                    parameters: r#"{"a":1,"a":2}"#,
                    ..params(empty)
                },
            ),
            (
                "zone empty",
                RestAgentRequestParams {
                    time_zone: zone(None, Some("")),
                    ..params(empty)
                },
            ),
        ] {
            let error = build_rest_agent_request(&p).expect_err(case);
            assert_eq!(error.code(), "ERR_INVALID_ARGUMENT", "{case}");
            // No message repeats a value it refused.
            let text = error.to_string();
            assert!(
                !text.contains("7T:") && !text.contains("Evil"),
                "{case}: {text}"
            );
        }
        assert!(build_rest_agent_request(&base).is_ok());
    }

    fn parse(status: u16, content_type: Option<&str>, body: &str) -> Result<Value> {
        parse_rest_agent_response(&HttpResponse {
            status,
            content_type,
            body,
        })
    }

    const JSON: Option<&str> = Some("application/json; charset=utf-8");

    #[test]
    fn reads_json_with_its_own_types() {
        assert_eq!(
            parse(
                200,
                JSON,
                r#"[{"AssociateId":5,"Deleted":false,"Name":null}]"#
            ),
            Ok(json!([{ "AssociateId": 5, "Deleted": false, "Name": null }]))
        );
        assert_eq!(parse(200, JSON, "null"), Ok(Value::Null));
        assert_eq!(parse(204, None, ""), Ok(Value::Null));
        assert_eq!(parse(200, JSON, " \r\n"), Ok(Value::Null));
        assert_eq!(parse(200, Some("text/json"), "\u{FEFF}7"), Ok(json!(7)));
        assert_eq!(
            parse(200, JSON, "[9007199254740993]"),
            Ok(json!([9_007_199_254_740_993_u64]))
        );
        // A result that merely has a Message member is a result.
        assert_eq!(
            parse(200, JSON, r#"{"Message":"hi","Id":1}"#),
            Ok(json!({ "Message": "hi", "Id": 1 }))
        );
        assert_eq!(
            parse(200, JSON, r#"{"Message":"hi"}"#),
            Ok(json!({ "Message": "hi" }))
        );
    }

    #[test]
    fn error_objects_and_statuses() {
        let invalid = r#"{"Message":"The request is invalid.","MessageDetail":"The parameters dictionary contains a null entry for parameter 'contactEntityId'."}"#;
        for status in [200, 400] {
            assert_eq!(
                parse(status, JSON, invalid),
                Err(Error::netserver_exception(
                    None,
                    Some("The request is invalid."),
                    Some("The parameters dictionary contains a null entry for parameter 'contactEntityId'.")
                )),
                "{status}"
            );
        }
        let server = r#"{"Message":"An error has occurred.","ExceptionMessage":"Boom for 7T:secret","ExceptionType":"System.InvalidOperationException","StackTrace":"   at SuperOffice.Secret.Place()"}"#;
        let error = parse(500, JSON, server).expect_err("error");
        assert_eq!(
            error,
            Error::netserver_exception(
                Some("System.InvalidOperationException"),
                Some("An error has occurred."),
                Some("Boom for [redacted]")
            )
        );
        assert!(!format!("{error:?}").contains("Secret.Place"));
        let own = r#"{"Error":true,"ErrorType":"SoSessionException","Message":"The ticket is not valid","Source":"SoCore"}"#;
        assert_eq!(
            parse(500, JSON, own),
            Err(Error::ticket_rejected(
                None,
                Some("SoSessionException"),
                Some("The ticket is not valid"),
                None
            ))
        );
        assert_eq!(
            parse(200, JSON, own).map_err(|e| e.code()),
            Err("ERR_TICKET_REJECTED")
        );
        for status in [401, 403] {
            assert_eq!(
                parse(status, JSON, r#"{"Error":"Unauthorized"}"#),
                Err(Error::ticket_rejected(Some(status), None, None, None))
            );
        }
        assert_eq!(
            parse(404, Some("text/html"), "<h1>x</h1>"),
            Err(Error::HttpStatus { status: 404 })
        );
        assert_eq!(
            parse(500, JSON, "[1]"),
            Err(Error::HttpStatus { status: 500 })
        );
        assert_eq!(
            parse(502, JSON, "{not json"),
            Err(Error::HttpStatus { status: 502 })
        );
    }

    #[test]
    fn hostile_responses() {
        let big = format!("[{}1]", "1,".repeat(MAX_RESPONSE_BYTES / 2));
        for (case, status, content_type, body, code) in [
            (
                "too large",
                200,
                JSON,
                big.as_str(),
                "ERR_RESPONSE_TOO_LARGE",
            ),
            (
                "too large 500",
                500,
                JSON,
                big.as_str(),
                "ERR_RESPONSE_TOO_LARGE",
            ),
            (
                "duplicate names",
                200,
                JSON,
                r#"{"a":1,"a":2}"#,
                "ERR_RESPONSE_MALFORMED",
            ),
            (
                "nested duplicate",
                200,
                JSON,
                r#"[{"x":{"b":1,"b":1}}]"#,
                "ERR_RESPONSE_MALFORMED",
            ),
            (
                "truncated",
                200,
                JSON,
                r#"{"AssociateId": 5"#,
                "ERR_RESPONSE_MALFORMED",
            ),
            (
                "xml",
                200,
                Some("text/xml"),
                "<Associate/>",
                "ERR_RESPONSE_MALFORMED",
            ),
            ("no type", 200, None, "{}", "ERR_RESPONSE_MALFORMED"),
            (
                "too deep",
                200,
                JSON,
                &"[".repeat(200),
                "ERR_RESPONSE_MALFORMED",
            ),
            (
                "number out of range",
                200,
                JSON,
                "1e400",
                "ERR_RESPONSE_MALFORMED",
            ),
            (
                "lone surrogate",
                200,
                JSON,
                r#""\ud800""#,
                "ERR_RESPONSE_MALFORMED",
            ),
        ] {
            assert_eq!(
                parse(status, content_type, body).map_err(|e| e.code()),
                Err(code),
                "{case}"
            );
        }
    }
}
