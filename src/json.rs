//! Strict JSON for tokens and key sets.
//!
//! serde_json keeps the last of two members with the same name; a token whose header says `"alg":"RS256"`
//! twice with different values could then mean different things to different parsers (RFC 8725 §3.1,
//! RFC 7515 §4). Here every object is checked for duplicate names while it is read.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `bytes` as one JSON value, refusing duplicate member names at any depth.
/// serde_json's recursion limit (128) bounds nesting.
pub fn parse_strict(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Strict>(bytes)
        .ok()
        .map(|strict| strict.0)
}

/// Parses `bytes` as a JSON object (see [`parse_strict`]).
pub fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match parse_strict(bytes)? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::Number(v.into())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        Number::from_f64(v)
            .map(|n| Strict(Value::Number(n)))
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element::<Strict>()? {
            items.push(item);
        }
        Ok(Strict(Value::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Strict, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            if map.contains_key(&name) {
                return Err(de::Error::custom("duplicate member name"));
            }
            let Strict(value) = access.next_value::<Strict>()?;
            map.insert(name, value);
        }
        Ok(Strict(Value::Object(map)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_json() {
        let v = parse_strict(br#"{"a":[1,2.5,"x",null,true,{"b":{}}]}"#);
        assert_eq!(
            v,
            Some(serde_json::json!({"a":[1,2.5,"x",null,true,{"b":{}}]}))
        );
    }

    #[test]
    fn refuses_duplicates_at_any_depth() {
        assert_eq!(parse_strict(br#"{"a":1,"a":1}"#), None);
        assert_eq!(parse_strict(br#"{"x":[{"a":1,"b":2,"a":3}]}"#), None);
        // Escapes that decode to the same name are the same name.
        assert_eq!(parse_strict(br#"{"alg":1,"\u0061lg":2}"#), None);
    }

    #[test]
    fn refuses_non_json_and_trailing_data() {
        for input in [&b""[..], b"{", b"{} {}", b"nul", b"\xff", b"{\"a\":1,}"] {
            assert_eq!(parse_strict(input), None, "{input:?}");
        }
        assert_eq!(parse_object(b"[1]"), None);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = "[".repeat(100_000);
        assert_eq!(parse_strict(deep.as_bytes()), None);
    }
}
