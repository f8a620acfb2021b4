//! The one writer of token-endpoint requests: `POST`, `application/x-www-form-urlencoded`, JSON
//! expected back (RFC 6749 §3.2 and §4.1.3, §6). Every grant (refresh, authorization code) goes
//! through [`form_post`], so they encode alike.
//!
//! Decisions:
//!
//! - Encoded by `form_urlencoded` (the WHATWG serializer: a space becomes `+`, every byte outside
//!   `A-Z a-z 0-9 * - . _` is `%XX`), which every form decoder reads back unchanged.
//! - Fields are written in the order given; the token endpoint does not care, and a fixed order keeps
//!   the bodies comparable in tests.

use crate::plumbing::http::HttpRequest;

/// A form POST of `fields` to `url`, asking for JSON.
pub fn form_post(url: String, fields: &[(&str, &str)]) -> HttpRequest {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        body.append_pair(name, value);
    }
    HttpRequest {
        url,
        method: "POST",
        headers: vec![
            (
                "Content-Type",
                "application/x-www-form-urlencoded".to_owned(),
            ),
            ("Accept", "application/json".to_owned()),
        ],
        body: body.finish(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn encoding_table() {
        for (input, expected) in [
            ("", ""),
            ("AZaz09-._*", "AZaz09-._*"),
            ("~", "%7E"),
            ("a b", "a+b"),
            ("a&b=c", "a%26b%3Dc"),
            ("a+b", "a%2Bb"),
            ("100%", "100%25"),
            (
                "/?#[]@!$'(),;:",
                "%2F%3F%23%5B%5D%40%21%24%27%28%29%2C%3B%3A",
            ),
            ("é", "%C3%A9"),
            ("漢", "%E6%BC%A2"),
            ("😀", "%F0%9F%98%80"),
            ("\"<>\\^`{|}", "%22%3C%3E%5C%5E%60%7B%7C%7D"),
            ("\u{7F}", "%7F"),
        ] {
            let request = form_post("https://x.example/t".to_owned(), &[("v", input)]);
            assert_eq!(request.body, format!("v={expected}"), "{input:?}");
        }
    }

    #[test]
    fn fields_in_order() {
        let request = form_post(
            "https://x.example/t".to_owned(),
            &[("grant_type", "refresh_token"), ("client_id", "a b")],
        );
        assert_eq!(request.body, "grant_type=refresh_token&client_id=a+b");
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.headers,
            vec![
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_owned()
                ),
                ("Accept", "application/json".to_owned()),
            ]
        );
    }
}
