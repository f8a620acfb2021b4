//! Edge cases of the reader and writer, one line each. The differential tests against serde_json are
//! in `tests/json.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn parses(text: &str) -> bool {
    parse(text.as_bytes()).is_some()
}

/// Parses and writes back: the writer keeps order and number text, so this is the canonical form.
fn canonical(text: &str) -> Option<String> {
    parse(text.as_bytes()).map(|value| value.to_json())
}

#[test]
fn accepted_table() {
    for (input, written) in [
        ("null", "null"),
        ("true", "true"),
        (" \t\r\nfalse \t\r\n", "false"),
        ("0", "0"),
        ("-0", "-0"),
        ("-0.0e-0", "-0.0e-0"),
        ("1E+2", "1E+2"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567890",
        ),
        ("1e-400", "1e-400"),
        ("0e999999999999999999999", "0e999999999999999999999"),
        ("1.7976931348623157e308", "1.7976931348623157e308"),
        (r#""""#, r#""""#),
        (r#""\"\\\/\b\f\n\r\t""#, r#""\"\\/\b\f\n\r\t""#),
        (r#""\u0000\u001F\u007f\u00e9""#, "\"\\u0000\\u001f\u{7f}é\""),
        (r#""\uD83D\uDE00""#, "\"😀\""),
        (r#""\ud83d\ude00""#, "\"😀\""),
        ("\"😀 é \u{7f}\"", "\"😀 é \u{7f}\""),
        ("[]", "[]"),
        ("[ ]", "[]"),
        ("{ }", "{}"),
        (
            r#"[1, "a", [null], {"b": {}}]"#,
            r#"[1,"a",[null],{"b":{}}]"#,
        ),
        // Document order, not sorted order.
        (r#"{"z":1,"a":2,"m":3}"#, r#"{"z":1,"a":2,"m":3}"#),
        // The same name in different objects is not a duplicate.
        (
            r#"{"a":{"a":1},"b":{"a":2}}"#,
            r#"{"a":{"a":1},"b":{"a":2}}"#,
        ),
        (r#"{"a":1,"A":2,"a ":3}"#, r#"{"a":1,"A":2,"a ":3}"#),
    ] {
        assert_eq!(canonical(input).as_deref(), Some(written), "{input:?}");
    }
}

#[test]
fn refused_table() {
    for input in [
        "",
        " ",
        "nul",
        "nulll",
        "True",
        "NaN",
        "Infinity",
        "-Infinity",
        "+1",
        "01",
        "-01",
        "00",
        "1.",
        ".5",
        "1.e5",
        "1e",
        "1e+",
        "-",
        "0x10",
        "1 2",
        "1e400",
        "-1e400",
        &"9".repeat(400),
        "'a'",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\u12G4\"",
        "\"\\U0041\"",
        "\"\u{0}\"",
        "\"\t\"",
        "\"\n\"",
        "\"\u{1f}\"",
        r#""\uD800""#,
        r#""\uDC00""#,
        r#""\uD800\u0041""#,
        r#""\uD800\uD800""#,
        r#""\uD800x""#,
        r#""\uD800\n""#,
        r#""\uDE00\uD83D""#,
        "[",
        "]",
        "[1,]",
        "[,1]",
        "[1 2]",
        "[1,,2]",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,}",
        "{a:1}",
        "{'a':1}",
        "{1:1}",
        "{\"a\" 1}",
        "{\"a\":1 \"b\":2}",
        "{} {}",
        "{}x",
        "/* c */ {}",
        "{} // c",
        "\u{feff}{}",
        "\u{a0}{}",
        "\u{b}1",
        "\u{c}1",
        // Duplicates, at any depth and through escapes.
        r#"{"a":1,"a":1}"#,
        r#"{"a":1,"b":2,"a":3}"#,
        r#"{"x":[{"a":1,"b":2,"a":3}]}"#,
        r#"{"alg":1,"\u0061lg":2}"#,
        r#"{"😀":1,"\ud83d\ude00":2}"#,
    ] {
        assert!(!parses(input), "{input:?}");
    }
}

#[test]
fn invalid_utf8_is_refused() {
    for input in [
        &b"\"\xff\""[..],
        b"\"\xc3\"",
        b"\"\xed\xa0\x80\"", // an encoded surrogate
        b"\"\xc0\xaf\"",     // overlong
        b"\xff",
        b"[\"a\",\xc3\xa9]",
    ] {
        assert_eq!(parse(input), None, "{input:?}");
    }
    assert!(parse(b"\"\xc3\xa9\"").is_some());
}

#[test]
fn duplicates_in_large_objects_are_found() {
    // Above the pairwise threshold the names are sorted; the duplicate may be anywhere.
    for members in [PAIRWISE_MEMBERS, PAIRWISE_MEMBERS + 1, 1000] {
        let names: Vec<String> = (0..members).map(|i| format!("\"m{i}\":{i}")).collect();
        let unique = format!("{{{}}}", names.join(","));
        assert!(parses(&unique), "{members}");
        for position in [0, members / 2, members - 1] {
            let mut with = names.clone();
            with.insert(position, "\"m0\":null".to_owned());
            assert!(
                !parses(&format!("{{{}}}", with.join(","))),
                "{members} {position}"
            );
        }
    }
}

#[test]
fn many_members_take_linearithmic_time() {
    // 40 000 members: pairwise comparison would be 800 million string comparisons.
    let body: Vec<String> = (0..40_000).map(|i| format!("\"{i}\":0")).collect();
    let text = format!("{{{}}}", body.join(","));
    let start = std::time::Instant::now();
    assert!(parses(&text));
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn nesting_limit_is_serde_jsons() {
    // 127 levels are accepted, 128 are not (serde_json counts down from 128 and fails at zero).
    for (open, close, levels, ok) in [
        ("[", "]", 127, true),
        ("[", "]", 128, false),
        ("{\"a\":", "}", 127, true),
        ("{\"a\":", "}", 128, false),
    ] {
        let text = format!("{}0{}", open.repeat(levels), close.repeat(levels));
        assert_eq!(parses(&text), ok, "{open} x {levels}");
    }
    let deep = "[".repeat(1_000_000);
    assert_eq!(parse(deep.as_bytes()), None);
    let deep = "{\"a\":".repeat(1_000_000);
    assert_eq!(parse(deep.as_bytes()), None);
}

#[test]
fn parse_object_wants_an_object() {
    assert!(parse_object(b"{}").is_some());
    for input in [&b"[]"[..], b"null", b"\"{}\"", b"1"] {
        assert_eq!(parse_object(input), None);
    }
}

#[test]
fn number_conversions_table() {
    // text, as_u64, as_i64, as_f64
    for (text, unsigned, signed, float) in [
        ("0", Some(0), Some(0), 0.0),
        ("-0", None, None, -0.0),
        ("3600", Some(3600), Some(3600), 3600.0),
        ("3600.0", None, None, 3600.0),
        ("3.6e3", None, None, 3600.0),
        ("-5", None, Some(-5), -5.0),
        (
            "18446744073709551615",
            Some(u64::MAX),
            None,
            18_446_744_073_709_551_615.0,
        ),
        (
            "18446744073709551616",
            None,
            None,
            18_446_744_073_709_551_616.0,
        ),
        (
            "9223372036854775807",
            Some(i64::MAX as u64),
            Some(i64::MAX),
            9.223_372_036_854_776e18,
        ),
        (
            "-9223372036854775808",
            None,
            Some(i64::MIN),
            -9.223_372_036_854_776e18,
        ),
        (
            "-9223372036854775809",
            None,
            None,
            -9.223_372_036_854_776e18,
        ),
        (
            "9007199254740993",
            Some(9_007_199_254_740_993),
            Some(9_007_199_254_740_993),
            9_007_199_254_740_992.0,
        ),
        ("1e-400", None, None, 0.0),
    ] {
        let Some(Value::Number(number)) = parse(text.as_bytes()) else {
            panic!("{text}")
        };
        assert_eq!(number.as_u64(), unsigned, "{text}");
        assert_eq!(number.as_i64(), signed, "{text}");
        assert_eq!(number.as_f64().to_bits(), f64::to_bits(float), "{text}");
        assert_eq!(number.as_str(), text);
    }
}

#[test]
fn string_escaping_matches_serde_json() {
    let mut all: String = (0u8..0x80).map(char::from).collect();
    all.push_str("é😀\u{2028}\u{fffe}");
    for text in [
        all.as_str(),
        "",
        "plain",
        "\"",
        "\\",
        "a\u{0}b",
        "\u{1f}\u{7f}",
    ] {
        let mut ours = String::new();
        text.write_json(&mut ours);
        assert_eq!(ours, serde_json::to_string(text).unwrap(), "{text:?}");
        assert_eq!(parse(ours.as_bytes()), Some(Value::String(text.to_owned())));
    }
}

#[test]
fn f64_is_written_exactly() {
    for value in [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        0.1,
        1.5e9,
        1_700_000_000_123.0,
        1_700_000_000_123.5,
        1_700_000_000_000.123,
        253_402_300_799_000.0,
        9_007_199_254_740_992.0,
        9_007_199_254_740_994.0,
        1e300,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        2.225_073_858_507_201e-308,
        123.456,
        1.0 / 3.0,
    ] {
        let mut text = String::new();
        value.write_json(&mut text);
        let back: f64 = text.parse().unwrap();
        assert_eq!(back.to_bits(), value.to_bits(), "{value:e} -> {text}");
        // Valid JSON, and serde_json reads the same double.
        let Some(Value::Number(number)) = parse(text.as_bytes()) else {
            panic!("{text}")
        };
        assert_eq!(number.as_f64().to_bits(), value.to_bits());
        let serde: f64 = serde_json::from_str(&text).unwrap();
        assert_eq!(serde.to_bits(), value.to_bits(), "{text}");
    }
    for (value, text) in [
        (0.0, "0"),
        (-0.0, "-0"),
        (1_700_000_000_123.0, "1700000000123"),
        (1_700_000_000_123.5, "1700000000123.5"),
        (0.5, "0.5"),
        (
            0.1,
            "0.1000000000000000055511151231257827021181583404541015625",
        ),
        (1e23, "99999999999999991611392"),
        (
            5e-324,
            &format!(
                "0.{}49406564584124654417656879286822137236505980",
                "0".repeat(323)
            ),
        ),
        (f64::NAN, "null"),
        (f64::INFINITY, "null"),
        (f64::NEG_INFINITY, "null"),
    ] {
        let mut written = String::new();
        value.write_json(&mut written);
        assert!(
            written.starts_with(text) || written == text,
            "{value:e}: {written}"
        );
    }
}

#[test]
fn object_writer() {
    let inner = object().member("x", "y");
    let text = object()
        .member("s", "a\"b")
        .member("n", 5u64)
        .member("size", 7usize)
        .member("f", 1.5)
        .member("t", true)
        .member("none", None::<&str>)
        .member("some", Some("v"))
        .member("list", ["a", "b"].as_slice())
        .member("inner", inner)
        .member("no object", None::<ObjectWriter>)
        .member("value", parse(br#"{"z":[1.0e1,-0]}"#).unwrap())
        .finish();
    assert_eq!(
        text,
        r#"{"s":"a\"b","n":5,"size":7,"f":1.5,"t":true,"none":null,"some":"v","list":["a","b"],"inner":{"x":"y"},"no object":null,"value":{"z":[1.0e1,-0]}}"#
    );
    assert_eq!(object().finish(), "{}");
    assert_eq!(to_text(&u64::MAX), "18446744073709551615");
    assert_eq!(to_text(["a", "b\n"].as_slice()), r#"["a","b\n"]"#);
}

#[test]
fn debug_never_shows_string_contents() {
    let value = parse(br#"{"ticket":"7T:SECRET","n":[1,true,null]}"#).unwrap();
    let debug = format!("{value:?}");
    assert!(!debug.contains("SECRET"), "{debug}");
    assert!(debug.contains("\"ticket\""), "{debug}");
    assert!(debug.contains("[1, true, null]"), "{debug}");
}

#[test]
fn object_access() {
    let mut object = parse_object(br#"{"b":1,"a":"x"}"#).unwrap();
    assert_eq!(object.len(), 2);
    assert!(object.contains_key("a") && !object.contains_key("c"));
    assert_eq!(object.get("a").and_then(Value::as_str), Some("x"));
    object.insert("b".to_owned(), Value::Null);
    object.insert("c".to_owned(), true.into());
    let names: Vec<&str> = object.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["b", "a", "c"]);
    assert_eq!(
        Value::Object(object).to_json(),
        r#"{"b":null,"a":"x","c":true}"#
    );
}
