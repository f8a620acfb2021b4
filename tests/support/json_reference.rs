//! The reference our JSON reader is held against, shared by `tests/json.rs` and the `json` fuzz
//! target: serde_json with a visitor that refuses duplicate member names (the reader `src/json.rs`
//! replaced), and what "the same value" means between the two.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Serde};
use std::fmt;
use superoffice_auth::json::Value;

pub struct Strict(pub Serde);

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
        Ok(Strict(Serde::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Serde::Number(v.into())))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Serde::Number(v.into())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
        Number::from_f64(v)
            .map(|n| Strict(Serde::Number(n)))
            .ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Serde::String(v.to_owned())))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Serde::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element::<Strict>()? {
            items.push(item);
        }
        Ok(Strict(Serde::Array(items)))
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
        Ok(Strict(Serde::Object(map)))
    }
}

pub fn reference(bytes: &[u8]) -> Option<Serde> {
    serde_json::from_slice::<Strict>(bytes)
        .ok()
        .map(|strict| strict.0)
}

/// Equal values: numbers by their f64 bits and integer readings, strings exactly, objects as sets.
pub fn same(ours: &Value, theirs: &Serde) -> bool {
    match (ours, theirs) {
        (Value::Null, Serde::Null) => true,
        (Value::Bool(a), Serde::Bool(b)) => a == b,
        (Value::Number(a), Serde::Number(b)) => {
            // Our conversion agrees with core's correctly rounded parser too.
            let core: Option<f64> = a.as_str().parse().ok();
            core.map(f64::to_bits) == Some(a.as_f64().to_bits())
                && Some(a.as_f64().to_bits()) == b.as_f64().map(f64::to_bits)
                && a.as_u64() == b.as_u64()
                && a.as_i64() == b.as_i64()
        }
        (Value::String(a), Serde::String(b)) => a == b,
        (Value::Array(a), Serde::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Serde::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(name, value)| b.get(name).is_some_and(|other| same(value, other)))
        }
        _ => false,
    }
}
