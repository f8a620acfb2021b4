//! Response parsing on arbitrary bytes: `extract_token`, `parse_ticket_response`, the OAuth token
//! endpoint's `parse_token_response`, NetServer's `parse_agent_response` and the state API's
//! `parse_tenant_state`, with an arbitrary status and content type. Nothing may panic, every error
//! must carry a known code, a token that comes back must be trimmed and non-empty, and a tenant state
//! must name an endpoint a ticket may be sent to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use superoffice_auth::oauth::{parse_token_response, TokenResponseOptions};
use superoffice_auth::plumbing::http::HttpResponse;
use superoffice_auth::tenant::{parse_tenant_state, TenantStateOptions};
use superoffice_auth::ticket::response::extract_token;
use superoffice_auth::{parse_agent_response, parse_ticket_response, KeySet, TicketOptions, CODES};

const CONTENT_TYPES: [Option<&str>; 8] = [
    None,
    Some("text/xml; charset=utf-8"),
    Some("application/json"),
    Some("application/soap+xml"),
    Some("text/plain"),
    Some("application/problem+json"),
    Some("TEXT/XML"),
    Some(""),
];

fn keys() -> &'static KeySet {
    static KEYS: std::sync::OnceLock<KeySet> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        KeySet::parse(include_str!("../../tests/fixtures/keys/rsa2048.spki.pem"))
            .expect("the fixture key set parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(3));
    let status = match head.first().copied().unwrap_or(0) % 8 {
        0..=3 => 200,
        4 => 500,
        5 => 400,
        _ => 100 + u16::from_le_bytes([head.get(1).copied().unwrap_or(0), 0]) * 2,
    };
    // The last selector reads the content type from the input itself, up to the first newline.
    let selector = usize::from(head.get(2).copied().unwrap_or(0));
    let text = String::from_utf8_lossy(rest);
    let (content_type, body) = if selector % 9 == 8 {
        match text.split_once('\n') {
            Some((content_type, body)) => (Some(content_type), body),
            None => (None, &*text),
        }
    } else {
        (CONTENT_TYPES[selector % 9 % 8], &*text)
    };
    let response = HttpResponse {
        status,
        content_type,
        body,
    };
    match extract_token(&response) {
        Ok(token) => {
            assert!((200..300).contains(&status), "a token from status {status}");
            assert!(!token.is_empty());
            assert_eq!(token.trim(), token);
        }
        Err(error) => {
            assert!(CODES.contains(&error.code()));
            let _ = error.to_string();
        }
    }
    let options = TicketOptions {
        now_ms: 1_800_000_000_000.0,
        leeway_seconds: 60,
        context_identifier: Some("Cust12345"),
    };
    if let Err(error) = parse_ticket_response(&response, keys(), &options) {
        assert!(CODES.contains(&error.code()));
    }
    let token_options = TokenResponseOptions {
        now_ms: 1_800_000_000_000.0,
        id_token: None,
    };
    if let Err(error) = parse_token_response(&response, &token_options) {
        assert!(CODES.contains(&error.code()));
    }
    for base_url in [None, Some("http://127.0.0.1:4000")] {
        let options = TenantStateOptions {
            context_identifier: "Cust12345",
            now_ms: 1_800_000_000_000.0,
            environment: None,
            base_url,
        };
        match parse_tenant_state(&response, &options) {
            Ok(state) => {
                assert!((200..300).contains(&status), "a state from status {status}");
                assert!(state.valid_until_ms >= options.now_ms);
                assert!(state.endpoint.is_some() || !state.is_running);
                if let Some(endpoint) = &state.endpoint {
                    let on_superoffice = endpoint.starts_with("https://")
                        && endpoint["https://".len()..]
                            .split(['/', ':'])
                            .next()
                            .is_some_and(|host| {
                                host == "superoffice.com" || host.ends_with(".superoffice.com")
                            });
                    let on_base = base_url.is_some() && endpoint.starts_with("http://127.0.0.1");
                    assert!(on_superoffice || on_base, "endpoint {endpoint}");
                    assert!(
                        endpoint.to_ascii_lowercase().ends_with("/cust12345"),
                        "endpoint {endpoint}"
                    );
                }
                if let Some(api) = &state.api_url {
                    assert!(
                        api.starts_with(state.endpoint.as_deref().unwrap_or("\u{0}"))
                            && api.ends_with('/')
                    );
                }
            }
            Err(error) => assert!(CODES.contains(&error.code())),
        }
    }
    match parse_agent_response(&response, Some("Associate"), "GetAssociate") {
        Ok(_) => assert!(
            (200..300).contains(&status),
            "a result from status {status}"
        ),
        Err(error) => {
            assert!(CODES.contains(&error.code()));
            let _ = error.to_string();
        }
    }
});
