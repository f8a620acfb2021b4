#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::plumbing::http::MAX_RESPONSE_BYTES;

const CTX: &str = "Cust12345";
/// 2026-02-23T09:52:01.934Z
const VALID_UNTIL_MS: f64 = 1_771_840_321_934.0;
const NOW: f64 = 1_771_830_000_000.0;

/// SuperOffice's own example (docs/en/developer-portal/best-practices/tenant-status/check-status.md).
const DOCUMENTED: &str = r#"{
    "ContextIdentifier": "Cust12345",
    "Endpoint": "https://online2.superoffice.com/Cust12345",
    "State": "Running",
    "IsRunning": true,
    "ValidUntil": "2026-02-23T09:52:01.9342965Z",
    "Api": "https://online2.superoffice.com/Cust12345/api",
    "Version": "Release_11.10_2026.02.24-02"
}"#;

fn options() -> TenantStateOptions<'static> {
    TenantStateOptions {
        context_identifier: CTX,
        now_ms: NOW,
        environment: None,
        base_url: None,
    }
}

fn request(environment: Option<&str>, base_url: Option<&str>, ctx: &str) -> Result<HttpRequest> {
    build_tenant_state_request(&TenantStateRequestParams {
        environment,
        base_url,
        context_identifier: ctx,
    })
}

fn parse(status: u16, body: &str) -> Result<TenantState> {
    parse_with(status, body, &options())
}

fn parse_with(status: u16, body: &str, options: &TenantStateOptions<'_>) -> Result<TenantState> {
    parse_tenant_state(
        &HttpResponse {
            status,
            content_type: Some("application/json; charset=utf-8"),
            body,
        },
        options,
    )
}

/// A state answer with the given members replaced (`None` removes one).
fn answer(changes: &[(&str, Option<&str>)]) -> String {
    let mut object: Object = serde_json::from_str(DOCUMENTED).unwrap();
    for (name, value) in changes {
        match value {
            Some(value) => {
                object.insert((*name).to_owned(), serde_json::from_str(value).unwrap());
            }
            None => {
                object.remove(*name);
            }
        }
    }
    Value::Object(object).to_string()
}

#[test]
fn builds_the_documented_request() {
    let built = request(Some("online"), None, CTX).unwrap();
    assert_eq!(
        built.url,
        "https://online.superoffice.com/api/state/Cust12345"
    );
    assert_eq!(built.method, "GET");
    assert_eq!(
        built.headers,
        vec![("Accept", "application/json".to_owned())]
    );
    assert_eq!(built.body, "");
    let local = request(None, Some("http://127.0.0.1:4000/"), "Cust_1-2").unwrap();
    assert_eq!(local.url, "http://127.0.0.1:4000/api/state/Cust_1-2");
}

#[test]
fn refuses_bad_request_arguments() {
    for (base, ctx) in [
        ("https://online.superoffice.com", ""),
        ("https://online.superoffice.com", "Cust 1"),
        ("https://online.superoffice.com", "../x"),
        ("https://online.superoffice.com", "Cust/1"),
        ("https://online.superoffice.com", "Cust%2F1"),
        ("https://online.superoffice.com", "Cust1?x"),
        ("https://online.superoffice.com", "Cüst1"),
        ("https://online.superoffice.com", &"C".repeat(65)),
        ("http://online.superoffice.com", CTX),
        ("https://user@online.superoffice.com", CTX),
        ("online.superoffice.com", CTX),
        ("", CTX),
    ] {
        assert_eq!(
            request(None, Some(base), ctx).map_err(|e| e.code()),
            Err("ERR_INVALID_ARGUMENT"),
            "{base} {ctx}"
        );
    }
}

#[test]
fn request_hosts() {
    for (environment, expected) in [
        ("sod", "https://sod.superoffice.com/api/state/Cust12345"),
        (
            "stage",
            "https://qaonline.superoffice.com/api/state/Cust12345",
        ),
        (
            "online",
            "https://online.superoffice.com/api/state/Cust12345",
        ),
    ] {
        assert_eq!(request(Some(environment), None, CTX).unwrap().url, expected);
    }
    for (environment, base_url) in [
        (Some("online"), Some("https://online.superoffice.com")),
        (None, None),
        (Some("online2"), None),
    ] {
        assert_eq!(
            request(environment, base_url, CTX).map_err(|e| e.code()),
            Err("ERR_INVALID_ARGUMENT"),
            "{environment:?} {base_url:?}"
        );
    }
}

#[test]
fn reads_superoffice_s_example() {
    let state = parse(200, DOCUMENTED).unwrap();
    assert_eq!(
        state,
        TenantState {
            context_identifier: CTX.to_owned(),
            endpoint: Some("https://online2.superoffice.com/Cust12345".to_owned()),
            api_url: Some("https://online2.superoffice.com/Cust12345/api/".to_owned()),
            state: StateName::Known("Running"),
            state_code: Some(2),
            is_running: true,
            valid_until_ms: VALID_UNTIL_MS,
        }
    );
}

#[test]
fn reads_every_documented_state_by_name_and_number() {
    for &(code, name) in STATES {
        let running = RUNNING_STATES.contains(&code);
        for state in [
            format!("\"{name}\""),
            code.to_string(),
            format!("\"{code}\""),
        ] {
            let body = answer(&[
                ("State", Some(&state)),
                ("IsRunning", Some(if running { "true" } else { "false" })),
            ]);
            let parsed = parse(200, &body).unwrap();
            assert_eq!(parsed.state, StateName::Known(name), "{state}");
            assert_eq!(parsed.state_code, Some(code), "{state}");
            assert_eq!(parsed.is_running, running, "{state}");
        }
    }
    let lower = parse(200, &answer(&[("State", Some("\"onlinemaintenance\""))])).unwrap();
    assert_eq!(lower.state, StateName::Known("OnlineMaintenance"));
}

#[test]
fn keeps_undocumented_states() {
    let other = |name: &str| StateName::Other(name.to_owned());
    for (state, running, expected, code) in [
        ("7", "false", StateName::Number(7), Some(7)),
        ("13", "true", StateName::Number(13), Some(13)),
        ("\"9\"", "false", StateName::Number(9), Some(9)),
        ("\"Hibernating\"", "false", other("Hibernating"), None),
        ("\"Rebalancing2\"", "true", other("Rebalancing2"), None),
    ] {
        let body = answer(&[("State", Some(state)), ("IsRunning", Some(running))]);
        let parsed = parse(200, &body).unwrap();
        assert_eq!(parsed.state, expected, "{state}");
        assert_eq!(parsed.state_code, code, "{state}");
        assert_eq!(parsed.is_running, running == "true", "{state}");
    }
}

#[test]
fn a_tenant_that_is_not_running_may_name_no_endpoint() {
    for (endpoint, api) in [
        (None, None),
        (Some("null"), Some("null")),
        (Some("\"\""), Some("\"\"")),
    ] {
        let body = answer(&[
            ("State", Some("\"Deleted\"")),
            ("IsRunning", Some("false")),
            ("Endpoint", endpoint),
            ("Api", api),
        ]);
        let parsed = parse(200, &body).unwrap();
        assert_eq!(parsed.endpoint, None);
        assert_eq!(parsed.api_url, None);
        assert_eq!(parsed.state_code, Some(3));
    }
}

#[test]
fn normalises_urls() {
    for (endpoint, api, expected_endpoint, expected_api) in [
        (
            "https://SOD2.SuperOffice.com:443/Cust12345/",
            Some("https://sod2.superoffice.com/Cust12345/api/"),
            "https://sod2.superoffice.com/Cust12345",
            Some("https://sod2.superoffice.com/Cust12345/api/"),
        ),
        (
            "https://app.superoffice.com/cust12345",
            None,
            "https://app.superoffice.com/cust12345",
            None,
        ),
        (
            "https://app-stage.superoffice.com:8443/Cust12345",
            Some("https://app-stage.superoffice.com:8443/Cust12345/api"),
            "https://app-stage.superoffice.com:8443/Cust12345",
            Some("https://app-stage.superoffice.com:8443/Cust12345/api/"),
        ),
    ] {
        let endpoint_json = format!("\"{endpoint}\"");
        let api_json = api.map(|api| format!("\"{api}\""));
        let body = answer(&[
            ("Endpoint", Some(&endpoint_json)),
            ("Api", api_json.as_deref()),
        ]);
        let parsed = parse(200, &body).unwrap();
        assert_eq!(parsed.endpoint.as_deref(), Some(expected_endpoint));
        assert_eq!(parsed.api_url.as_deref(), expected_api);
    }
}

#[test]
fn a_custom_base_allows_its_own_host_and_superoffice_s_domain() {
    let base = TenantStateOptions {
        base_url: Some("http://127.0.0.1:4000"),
        ..options()
    };
    let local = answer(&[
        ("Endpoint", Some("\"http://127.0.0.1:4002/Cust12345\"")),
        ("Api", Some("\"http://127.0.0.1:4002/Cust12345/api\"")),
    ]);
    let parsed = parse_with(200, &local, &base).unwrap();
    assert_eq!(
        parsed.endpoint.as_deref(),
        Some("http://127.0.0.1:4002/Cust12345")
    );
    assert_eq!(
        parsed.api_url.as_deref(),
        Some("http://127.0.0.1:4002/Cust12345/api/")
    );
    assert!(parse_with(200, DOCUMENTED, &base).is_ok());
    // Without the custom base, the loopback endpoint is refused.
    assert_eq!(
        parse(200, &local).map_err(|e| e.code()),
        Err("ERR_RESPONSE_MALFORMED")
    );
    // Another loopback name, or https where the base is http, is not the base's host.
    for endpoint in [
        "\"http://localhost:4002/Cust12345\"",
        "\"https://127.0.0.1:4002/Cust12345\"",
    ] {
        let body = answer(&[("Endpoint", Some(endpoint)), ("Api", None)]);
        assert_eq!(
            parse_with(200, &body, &base).map_err(|e| e.code()),
            Err("ERR_RESPONSE_MALFORMED"),
            "{endpoint}"
        );
    }
    let proxy = TenantStateOptions {
        base_url: Some("https://proxy.example:8443/prefix"),
        ..options()
    };
    let body = answer(&[
        (
            "Endpoint",
            Some("\"https://proxy.example/prefix/Cust12345\""),
        ),
        ("Api", None),
    ]);
    assert_eq!(
        parse_with(200, &body, &proxy).unwrap().endpoint.as_deref(),
        Some("https://proxy.example/prefix/Cust12345")
    );
}

#[test]
fn valid_until() {
    for (value, expected) in [
        (Some("\"2026-02-23T09:52:01.9342965Z\""), VALID_UNTIL_MS),
        (Some("\"2026-02-23T09:52:01Z\""), 1_771_840_321_000.0),
        (Some("\"2026-02-23T09:52:01.9z\""), 1_771_840_321_900.0),
        (Some("\"2026-02-23T10:52:01.934+01:00\""), VALID_UNTIL_MS),
        (Some("\"2026-02-23T08:22:01.934-01:30\""), VALID_UNTIL_MS),
        // Past, absent or null: ask again now.
        (Some("\"2020-10-05T09:52:01.9342965Z\""), NOW),
        (Some("null"), NOW),
        (None, NOW),
    ] {
        let body = answer(&[("ValidUntil", value)]);
        assert_eq!(
            parse(200, &body).unwrap().valid_until_ms,
            expected,
            "{value:?}"
        );
    }
    assert_eq!(
        parse_rfc3339_ms("2024-02-29T00:00:00Z"),
        Some(1_709_164_800_000.0)
    );
    assert_eq!(parse_rfc3339_ms("1970-01-01T00:00:00Z"), Some(0.0));
    assert_eq!(
        parse_rfc3339_ms("9999-12-31T23:59:59.999Z"),
        Some(253_402_300_799_999.0)
    );
}

#[test]
fn hostile_state_responses() {
    let too_large = format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_RESPONSE_BYTES));
    let long_name = format!("\"{}\"", "A".repeat(65));
    let rows: Vec<(&str, u16, String, &str)> = vec![
        ("not found", 404, DOCUMENTED.to_owned(), "ERR_HTTP_STATUS"),
        ("server error", 503, "<html>".to_owned(), "ERR_HTTP_STATUS"),
        (
            "misdirected",
            421,
            "Wrong subdomain used to access tenant".to_owned(),
            "ERR_HTTP_STATUS",
        ),
        ("too large", 200, too_large, "ERR_RESPONSE_TOO_LARGE"),
        ("empty", 200, String::new(), "ERR_RESPONSE_MALFORMED"),
        (
            "html",
            200,
            "<!DOCTYPE html><html></html>".to_owned(),
            "ERR_RESPONSE_MALFORMED",
        ),
        ("array", 200, "[]".to_owned(), "ERR_RESPONSE_MALFORMED"),
        (
            "trailing text",
            200,
            format!("{DOCUMENTED}x"),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "duplicate member",
            200,
            DOCUMENTED.replacen('{', r#"{"State":"Deleted","#, 1),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "duplicate through an escape",
            200,
            DOCUMENTED.replacen('{', r#"{"\u0053tate":"Deleted","#, 1),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "two spellings",
            200,
            answer(&[("isRunning", Some("true"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "no context",
            200,
            answer(&[("ContextIdentifier", None)]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "another tenant",
            200,
            answer(&[("ContextIdentifier", Some("\"Cust99999\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "tenant in another case",
            200,
            answer(&[("ContextIdentifier", Some("\"cust12345\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "context not a string",
            200,
            answer(&[("ContextIdentifier", Some("12345"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "no state",
            200,
            answer(&[("State", None)]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "null state",
            200,
            answer(&[("State", Some("null"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "empty state",
            200,
            answer(&[("State", Some("\"\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "negative state",
            200,
            answer(&[("State", Some("-1"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "fractional state",
            200,
            answer(&[("State", Some("2.5"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "huge state",
            200,
            answer(&[("State", Some("4294967296"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "state beyond i32",
            200,
            answer(&[("State", Some("2147483648"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "state with a space",
            200,
            answer(&[("State", Some("\"Running \""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "state with markup",
            200,
            answer(&[("State", Some("\"<b>\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "long state name",
            200,
            answer(&[("State", Some(&long_name))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "state object",
            200,
            answer(&[("State", Some("{}"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "no IsRunning",
            200,
            answer(&[("IsRunning", None)]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "IsRunning as text",
            200,
            answer(&[("IsRunning", Some("\"true\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "running but deleted",
            200,
            answer(&[("State", Some("\"Deleted\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "not running but running",
            200,
            answer(&[("IsRunning", Some("false"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "running without endpoint",
            200,
            answer(&[("Endpoint", None)]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint not a string",
            200,
            answer(&[("Endpoint", Some("1"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint http",
            200,
            answer(&[(
                "Endpoint",
                Some("\"http://online2.superoffice.com/Cust12345\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint elsewhere",
            200,
            answer(&[("Endpoint", Some("\"https://evil.example/Cust12345\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint on a look-alike domain",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://online2.evilsuperoffice.com/Cust12345\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint on a domain that ends like it",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://superoffice.com.evil.example/Cust12345\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint with user info",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://a@online2.superoffice.com/Cust12345\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint with a query",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://online2.superoffice.com/Cust12345?x=1\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint with a fragment",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://online2.superoffice.com/Cust12345#x\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint relative",
            200,
            answer(&[("Endpoint", Some("\"/Cust12345\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint of another tenant",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://online2.superoffice.com/Cust99999\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint without the tenant",
            200,
            answer(&[("Endpoint", Some("\"https://online2.superoffice.com\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint with a bad port",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://online2.superoffice.com:99999/Cust12345\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "endpoint with a space",
            200,
            answer(&[(
                "Endpoint",
                Some("\"https://online2.superoffice.com/Cust 12345\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "api elsewhere",
            200,
            answer(&[("Api", Some("\"https://evil.example/Cust12345/api\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "api on another host",
            200,
            answer(&[(
                "Api",
                Some("\"https://online3.superoffice.com/Cust12345/api\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "api beside the endpoint",
            200,
            answer(&[(
                "Api",
                Some("\"https://online2.superoffice.com/Cust123456/api\""),
            )]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "api not a string",
            200,
            answer(&[("Api", Some("{}"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "api without endpoint",
            200,
            answer(&[
                ("State", Some("\"Deleted\"")),
                ("IsRunning", Some("false")),
                ("Endpoint", None),
            ]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until a number",
            200,
            answer(&[("ValidUntil", Some("1771840321934"))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until without a zone",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T09:52:01.934\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until a date only",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until a space for T",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23 09:52:01Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until Feb 30",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-30T09:52:01Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until hour 24",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T24:00:00Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until a leap second",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T09:52:60Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until an empty fraction",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T09:52:01.Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until a bad offset",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T09:52:01+24:00\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until a short offset",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T09:52:01+0100\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until year 10000",
            200,
            answer(&[("ValidUntil", Some("\"10000-01-01T00:00:00Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until before 1970",
            200,
            answer(&[("ValidUntil", Some("\"1969-12-31T23:59:59Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until before 1970 by offset",
            200,
            answer(&[("ValidUntil", Some("\"1970-01-01T00:30:00+01:00\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
        (
            "valid until non-ASCII",
            200,
            answer(&[("ValidUntil", Some("\"2026-02-23T09:52:0١Z\""))]),
            "ERR_RESPONSE_MALFORMED",
        ),
    ];
    for (name, status, body, code) in rows {
        assert_eq!(
            parse(status, &body).map(|_| ()).map_err(|e| e.code()),
            Err(code),
            "{name}"
        );
    }
}

#[test]
fn refuses_bad_parse_options() {
    for options in [
        TenantStateOptions {
            now_ms: f64::NAN,
            ..options()
        },
        TenantStateOptions {
            now_ms: -1.0,
            ..options()
        },
        TenantStateOptions {
            context_identifier: "",
            ..options()
        },
        TenantStateOptions {
            base_url: Some("ftp://127.0.0.1"),
            ..options()
        },
        TenantStateOptions {
            environment: Some("production"),
            ..options()
        },
        TenantStateOptions {
            environment: Some("online"),
            base_url: Some("http://127.0.0.1:4000"),
            ..options()
        },
    ] {
        assert_eq!(
            parse_with(200, DOCUMENTED, &options).map_err(|e| e.code()),
            Err("ERR_INVALID_ARGUMENT")
        );
    }
}

#[test]
fn a_byte_order_mark_is_dropped() {
    assert!(parse(200, &format!("\u{FEFF}{DOCUMENTED}")).is_ok());
}
