//! Strict JSON reading for tokens, key sets and responses: serde_json, with duplicate member names
//! refused.
//!
//! serde_json does the parsing (RFC 8259 grammar, UTF-8, surrogate pairs, numbers, its nesting limit of
//! 128 levels). What it does not do is refuse an object that names a member twice: its `Value` keeps
//! the last copy. Parsers disagree on which copy wins, so a token header saying `"alg"` twice could
//! mean different things to different readers (RFC 8725 §3.1, RFC 7515 §4). [`StrictValue`] is a serde
//! visitor that builds the same `Value` serde_json would and fails on a repeated name, at any depth.
//! Names are compared after unescaping (`"alg"` and `"\u0061lg"` are one name).
//!
//! Objects keep document order (serde_json's `preserve_order`), so the claims handed to JS are listed
//! as the token lists them. Failure is `None`, with no reason: callers map it to their own fixed
//! message, and nothing from the input (a ticket, a key) can reach an error.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
pub use serde_json::{Map, Number, Value};

/// A JSON object, in document order.
pub type Object = Map<String, Value>;

/// Parses a complete JSON text; `None` when it is not valid JSON or repeats a member name.
pub fn parse(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<StrictValue>(bytes)
        .ok()
        .map(|value| value.0)
}

/// [`parse`], for a text that must be an object.
pub fn parse_object(bytes: &[u8]) -> Option<Object> {
    match parse(bytes)? {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// A `serde_json::Value` whose objects, at every depth, name each member once.
pub struct StrictValue(pub Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without repeated member names")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Object::new();
        while let Some(name) = map.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(A::Error::custom("a member name appears twice"));
            }
            let StrictValue(value) = map.next_value()?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_repeated_names_at_any_depth_and_after_unescaping() {
        for text in [
            r#"{"a":1,"a":1}"#,
            r#"{"alg":"RS256","\u0061lg":"none"}"#,
            r#"{"x":[{"k":1,"k":2}]}"#,
            r#"{"x":{"y":{"z":1,"z":1}}}"#,
        ] {
            assert_eq!(parse(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn reads_what_serde_json_reads_in_document_order() {
        let text = r#"{"z":1,"a":[true,null,"s",1.5,-2,18446744073709551615],"m":{}}"#;
        let value = parse(text.as_bytes());
        assert_eq!(value, serde_json::from_str::<Value>(text).ok());
        let names: Vec<_> = parse_object(text.as_bytes())
            .map(|object| object.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(names, ["z", "a", "m"]);
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        for text in [
            "",
            "{",
            "[1,]",
            "{'a':1}",
            "NaN",
            "1e400",
            "\"\\ud800\"",
            &deep,
        ] {
            assert_eq!(parse(text.as_bytes()), None, "{text}");
        }
        assert_eq!(parse_object(b"[]"), None);
    }
}
