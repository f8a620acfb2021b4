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
//! as the token lists them.
//!
//! Members named `__proto__`, `constructor` or `prototype` ([`PROTOTYPE_KEYS`]) are dropped from every
//! object read from a server (issue 19): `JSON.parse` makes `"__proto__"` an own member, and a caller
//! who merges a result (`Object.assign({}, claims)`, a spread into a class instance, a deep merge) would
//! change the target's prototype. None of them is a claim, a token field or a key parameter we read.
//! A repeated one is still refused. Text the caller wrote (agent parameters) is read with
//! [`parse_object_as_given`], which keeps every member. Failure is `None`, with no reason: callers map it to their own fixed
//! message, and nothing from the input (a ticket, a key) can reach an error.

use std::fmt;

use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
pub use serde_json::{Map, Number, Value};

/// A JSON object, in document order.
pub type Object = Map<String, Value>;

/// Member names that would reach a JavaScript object's prototype when the object is merged.
pub const PROTOTYPE_KEYS: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// Whether `name` is one of [`PROTOTYPE_KEYS`].
pub fn is_prototype_key(name: &str) -> bool {
    PROTOTYPE_KEYS.contains(&name)
}

/// Parses a complete JSON text from a server; `None` when it is not valid JSON or repeats a member
/// name. [`PROTOTYPE_KEYS`] are dropped at every depth.
pub fn parse(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<StrictValue<true>>(bytes)
        .ok()
        .map(|value| value.0)
}

/// [`parse_object`] for text the caller wrote: every member kept.
pub fn parse_object_as_given(bytes: &[u8]) -> Option<Object> {
    match serde_json::from_slice::<StrictValue<false>>(bytes).ok()?.0 {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// [`parse`], for a text that must be an object.
pub fn parse_object(bytes: &[u8]) -> Option<Object> {
    match parse(bytes)? {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

/// A `serde_json::Value` whose objects, at every depth, name each member once; with `DROP`, without
/// [`PROTOTYPE_KEYS`].
pub struct StrictValue<const DROP: bool>(pub Value);

impl<'de, const DROP: bool> Deserialize<'de> for StrictValue<DROP> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(StrictVisitor::<DROP>)
            .map(StrictValue)
    }
}

struct StrictVisitor<const DROP: bool>;

impl<'de, const DROP: bool> Visitor<'de> for StrictVisitor<DROP> {
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
        while let Some(StrictValue::<DROP>(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Object::new();
        let mut dropped: Vec<String> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if object.contains_key(&name) || dropped.contains(&name) {
                return Err(A::Error::custom("a member name appears twice"));
            }
            let StrictValue::<DROP>(value) = map.next_value()?;
            if DROP && is_prototype_key(&name) {
                dropped.push(name);
            } else {
                object.insert(name, value);
            }
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
    fn drops_prototype_keys_from_server_text_at_any_depth() {
        let text = r#"{"a":1,"__proto__":{"x":1},"b":{"constructor":{"prototype":{}},"c":[{"prototype":2,"d":3}]},"constructor ":4}"#;
        assert_eq!(
            parse(text.as_bytes()),
            serde_json::from_str::<Value>(r#"{"a":1,"b":{"c":[{"d":3}]},"constructor ":4}"#).ok()
        );
        // Names compare after unescaping.
        assert_eq!(
            parse(br#"{"\u005f_proto__":{"x":1},"a":1}"#),
            serde_json::from_str::<Value>(r#"{"a":1}"#).ok()
        );
        // Still one name each: a repeated dropped name is refused like any other.
        assert_eq!(parse(br#"{"__proto__":1,"__proto__":2}"#), None);
        // What the caller wrote is kept as written.
        let given = parse_object_as_given(br#"{"constructor":1,"a":2}"#).unwrap_or_default();
        assert_eq!(given.keys().collect::<Vec<_>>(), ["constructor", "a"]);
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
