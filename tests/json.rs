//! Our JSON reader and writer (`src/json.rs`) against serde_json, the parser it replaced.
//!
//! The reference is serde_json with a visitor that refuses duplicate member names (the code we used
//! before), so "serde_json accepts" below means "accepts, and names no member twice". serde_json is
//! built with `float_roundtrip`, which makes its float parsing correctly rounded like ours; without
//! it serde_json may be one ulp off on long inputs.
//!
//! Properties:
//! - generated values, written by serde_json, read back equal (numbers compared as f64 bit patterns
//!   and by their integer readings, strings exactly, objects as sets of members);
//! - generated and then mutated texts, including invalid UTF-8, lone surrogates and duplicate names:
//!   we accept exactly what the reference accepts, with the same value;
//! - our writing of anything we read is read back by serde_json as the same value;
//! - numbers: our conversion to f64 agrees with core's `str::parse` bit for bit, and a number is
//!   refused exactly when it overflows;
//! - f64 written by us reads back (core and serde_json) as the same bits.
//!
//! Deliberate differences: none known. (serde_json without `float_roundtrip` rounds some long
//! numbers one ulp away from the nearest double; we round correctly.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use serde_json::{Number, Value as Serde};
use superoffice_auth::json::{self, Value};

#[path = "support/json_reference.rs"]
mod json_reference;

use json_reference::{reference, same};

/// The whole differential check on one input.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let ours = json::parse(bytes);
    let theirs = reference(bytes);
    let shown = String::from_utf8_lossy(bytes);
    match (&ours, &theirs) {
        (None, None) => {}
        (Some(ours), Some(theirs)) => {
            prop_assert!(same(ours, theirs), "values differ for {shown:?}");
            // Our writing is read back by serde_json as the same value.
            let written = ours.to_json();
            let back = reference(written.as_bytes());
            prop_assert!(
                back.as_ref().is_some_and(|back| same(ours, back)),
                "{shown:?} written as {written:?}"
            );
            // And by us, identically (document order and number text are kept).
            let again = json::parse(written.as_bytes());
            prop_assert_eq!(again.as_ref(), Some(ours));
        }
        _ => prop_assert!(
            false,
            "ours {} but serde_json {} {shown:?}",
            if ours.is_some() { "accepts" } else { "refuses" },
            if theirs.is_some() {
                "accepts"
            } else {
                "refuses"
            }
        ),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generators

fn serde_value() -> impl Strategy<Value = Serde> {
    let leaf = prop_oneof![
        Just(Serde::Null),
        any::<bool>().prop_map(Serde::Bool),
        any::<i64>().prop_map(|n| Serde::Number(n.into())),
        any::<u64>().prop_map(|n| Serde::Number(n.into())),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Serde::Number)),
        any::<String>().prop_map(Serde::String),
        "[\\x00-\\x7f]{0,8}".prop_map(Serde::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Serde::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|members| Serde::Object(members.into_iter().collect())),
        ]
    })
}

/// Number texts in and around the grammar.
fn number_text() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?"
}

/// JSON-ish text built from fragments, with few distinct member names so that duplicates (also
/// through escapes) are common, and fragments that are often invalid.
fn text() -> impl Strategy<Value = String> {
    let string = prop::collection::vec(
        prop::sample::select(vec![
            "a",
            "b",
            "é",
            "😀",
            "\\\"",
            "\\\\",
            "\\/",
            "\\b",
            "\\f",
            "\\n",
            "\\r",
            "\\t",
            "\\u0061",
            "\\u0000",
            "\\u001f",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\uD83D\\uDE00",
            "\\ud800",
            "\\udc00",
            "\\ud800\\u0061",
            "\\ud800\\ud800",
            "\\x",
            "\\u12",
            "\u{7f}",
            "\t",
            "\u{1}",
        ]),
        0..4,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()));
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number_text(),
        string,
        prop::sample::select(vec![
            "nul", "tru", "NaN", "-", "01", "1.", ".1", "1e", "+1", "'a'", "1e400", "-1e999",
            "0e99999", "1e-999", "\u{feff}", "",
        ])
        .prop_map(str::to_owned),
    ];
    let space = prop::sample::select(vec!["", "", " ", "\n", "\t", "\r", "\u{b}", "\u{a0}"]);
    leaf.prop_recursive(5, 48, 5, move |inner| {
        let name = prop::sample::select(vec![
            "\"a\"",
            "\"b\"",
            "\"\\u0061\"",
            "\"\\u0062\"",
            "\"é\"",
            "\"\\u00e9\"",
            "\"\"",
            "a",
        ]);
        prop_oneof![
            (
                prop::collection::vec(inner.clone(), 0..5),
                space.clone(),
                any::<bool>()
            )
                .prop_map(|(items, space, trailing)| {
                    let comma = if trailing { "," } else { "" };
                    format!("[{space}{}{comma}]", items.join(","))
                }),
            (prop::collection::vec((name, inner), 0..5), space.clone()).prop_map(
                |(members, space)| {
                    let members: Vec<String> = members
                        .into_iter()
                        .map(|(name, value)| format!("{name}{space}:{value}"))
                        .collect();
                    format!("{{{space}{}}}", members.join(","))
                }
            ),
        ]
    })
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Replace(usize, u8),
    /// Copy a slice of the text to another place (duplicates members, breaks nesting).
    Copy(usize, usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let fragment = prop::sample::select(vec![
        &b"\""[..],
        b"\\",
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b"0",
        b"-",
        b"e",
        b".",
        b" ",
        b"\n",
        b"\x00",
        b"\x1f",
        b"\x7f",
        b"\xff",
        b"\xc3",
        b"\xed\xa0\x80",
        b"\\u",
        b"\\ud800",
        b"\\udc00",
        b"null",
        b"\"a\":1",
    ]);
    prop_oneof![
        (any::<usize>(), fragment).prop_map(|(at, bytes)| Edit::Insert(at, bytes.to_vec())),
        (any::<usize>(), 1..4usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), 1..12usize, any::<usize>()).prop_map(|(a, n, b)| Edit::Copy(a, n, b)),
    ]
}

fn apply(text: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |position: usize| if len == 0 { 0 } else { position % (len + 1) };
        match edit {
            Edit::Insert(position, fragment) => {
                let at = at(*position);
                bytes.splice(at..at, fragment.iter().copied());
            }
            Edit::Delete(position, n) => {
                let at = at(*position).min(len);
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
            Edit::Replace(position, byte) => {
                if len > 0 {
                    bytes[position % len] = *byte;
                }
            }
            Edit::Copy(from, n, to) => {
                let start = at(*from).min(len);
                let end = (start + n).min(len);
                let piece: Vec<u8> = bytes[start..end].to_vec();
                let to = at(*to);
                bytes.splice(to..to, piece);
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn serde_written_values_read_back_equal(value in serde_value()) {
        let text = serde_json::to_string(&value).unwrap();
        let ours = json::parse(text.as_bytes());
        prop_assert!(ours.as_ref().is_some_and(|ours| same(ours, &value)), "{}", text);
        check(text.as_bytes())?;
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        check(pretty.as_bytes())?;
    }

    #[test]
    fn generated_texts_agree(text in text()) {
        check(text.as_bytes())?;
    }

    #[test]
    fn mutated_texts_agree(text in text(), edits in prop::collection::vec(edit(), 1..4)) {
        check(&apply(text.as_bytes(), &edits))?;
    }

    #[test]
    fn mutated_serde_texts_agree(value in serde_value(), edits in prop::collection::vec(edit(), 1..4)) {
        let text = serde_json::to_string(&value).unwrap();
        check(&apply(text.as_bytes(), &edits))?;
    }

    #[test]
    fn arbitrary_bytes_agree(bytes in prop::collection::vec(any::<u8>(), 0..24)) {
        check(&bytes)?;
    }

    #[test]
    fn numbers_convert_like_core(text in number_text()) {
        check(text.as_bytes())?;
        let core: f64 = text.parse().unwrap();
        match json::parse(text.as_bytes()) {
            Some(Value::Number(number)) => {
                prop_assert!(core.is_finite());
                prop_assert_eq!(number.as_f64().to_bits(), core.to_bits(), "{}", text);
            }
            None => prop_assert!(!core.is_finite(), "{} refused", text),
            Some(_) => prop_assert!(false),
        }
    }

    #[test]
    fn f64_written_reads_back_the_same(value in any::<f64>()) {
        let written = json::to_text(&value);
        if !value.is_finite() {
            prop_assert_eq!(written, "null");
        } else {
            let core: f64 = written.parse().unwrap();
            prop_assert_eq!(core.to_bits(), value.to_bits(), "{}", written);
            let theirs: f64 = serde_json::from_str(&written).unwrap();
            prop_assert_eq!(theirs.to_bits(), value.to_bits(), "{}", written);
            let Some(Value::Number(ours)) = json::parse(written.as_bytes()) else {
                panic!("{written}")
            };
            prop_assert_eq!(ours.as_f64().to_bits(), value.to_bits(), "{}", written);
        }
    }

    #[test]
    fn f64_bit_patterns_read_back_the_same(bits in any::<u64>()) {
        let value = f64::from_bits(bits);
        if value.is_finite() {
            let written = json::to_text(&value);
            let Some(Value::Number(ours)) = json::parse(written.as_bytes()) else {
                panic!("{written}")
            };
            prop_assert_eq!(ours.as_f64().to_bits(), bits, "{}", written);
        }
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them(text in any::<String>()) {
        prop_assert_eq!(json::to_text(text.as_str()), serde_json::to_string(&text).unwrap());
    }
}

/// Numbers where correct rounding is hard: halfway cases, the ends of the subnormal and normal
/// ranges, the overflow boundary, and inputs longer than the digits the division keeps.
#[test]
fn hard_numbers_convert_like_core() {
    let mut cases: Vec<String> = [
        "9007199254740993",
        "9007199254740993.0000000000000000000000001",
        "9007199254740992.9999999999999999999999999",
        "9007199254740995",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "2.2250738585072014e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.47032822920623272088e-324",
        "1e-324",
        "3e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623158079e308",
        "1.797693134862315807937289714053e308",
        "1.7976931348623159e308",
        "1.8e308",
        "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791",
        "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792",
        "0.1",
        "0.3",
        "123456789012345678901234567890e-30",
        "1e23",
        "8.98846567431158e307",
        "1448997445238699",
        "1e22",
        "1e-22",
        "4294967296e-22",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "7.038531e-26",
        "0.000000000000000000000000000000000000000000000000000000000000001e63",
        "0e-99999999999",
        "-0e99999999999",
        "1e-99999999999",
        "1e99999999999",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Exact halfway points, then pushed just above by a digit far past the 800 kept.
    let half_above_one = "1.00000000000000011102230246251565404236316680908203125";
    cases.push(format!("{half_above_one}{}1", "0".repeat(2000)));
    cases.push(format!("{half_above_one}{}", "0".repeat(2000)));
    let smallest_half = "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125e-324";
    cases.push(smallest_half.to_owned());
    cases.push(smallest_half.replace("125e-324", "126e-324"));
    cases.push(format!(
        "{}e-324",
        smallest_half.trim_end_matches("e-324").to_owned() + &"0".repeat(500) + "1"
    ));
    cases.push(format!("0.{}1", "0".repeat(400)));
    cases.push(format!("1{}", "0".repeat(308)));
    cases.push(format!("1{}", "0".repeat(309)));
    cases.push(format!("{}e-5000", "9".repeat(5000)));
    cases.push(format!("{}e-4692", "9".repeat(5000)));
    for text in &cases {
        let negated = match text.strip_prefix('-') {
            Some(positive) => positive.to_owned(),
            None => format!("-{text}"),
        };
        for text in [text.clone(), negated] {
            let core: f64 = text.parse().unwrap();
            match json::parse(text.as_bytes()) {
                Some(Value::Number(number)) => {
                    assert!(core.is_finite(), "{text}");
                    assert_eq!(number.as_f64().to_bits(), core.to_bits(), "{text}");
                }
                None => assert!(!core.is_finite(), "{text} refused"),
                Some(_) => unreachable!(),
            }
            check(text.as_bytes()).unwrap();
        }
    }
}

#[test]
fn nesting_limit_agrees() {
    for levels in 120..136 {
        for (open, close) in [("[", "]"), ("{\"a\":", "}"), ("[{\"a\":", "}]")] {
            let text = format!("{}1{}", open.repeat(levels), close.repeat(levels));
            check(text.as_bytes()).unwrap();
        }
    }
}
