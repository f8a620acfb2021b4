//! Options text to an options struct: parsed once by the strict reader ([`crate::plumbing::json`]:
//! a member named twice is refused), then handed to the struct's derived `Deserialize` through serde's
//! own value deserializer for maps (`MapDeserializer`).
//!
//! Why not `serde_json::from_str`: its errors are built from formatted text (`invalid type: floating
//! point 1.5, expected u32`), which links core's float formatting (~15 KB of wasm) only for messages
//! we never show (they may quote a value, and values here are credentials). The error type here keeps
//! no message, so that code is never reached and is left out of the module.

use serde::de::value::MapDeserializer;
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::error::{Error, Result};
use crate::plumbing::json::{self, Value};

/// A decoding failure, without a message.
#[derive(Debug)]
pub(crate) struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

impl std::error::Error for Refused {}

impl de::Error for Refused {
    fn custom<T: std::fmt::Display>(_message: T) -> Self {
        Refused
    }
}

/// One JSON value as a serde `Deserializer` whose error is [`Refused`].
struct Json(Value);

impl<'de> IntoDeserializer<'de, Refused> for Json {
    type Deserializer = Json;

    fn into_deserializer(self) -> Json {
        self
    }
}

impl<'de> Deserializer<'de> for Json {
    type Error = Refused;

    fn deserialize_any<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, Refused> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(value) => visitor.visit_bool(value),
            Value::Number(number) => {
                if let Some(value) = number.as_u64() {
                    visitor.visit_u64(value)
                } else if let Some(value) = number.as_i64() {
                    visitor.visit_i64(value)
                } else {
                    visitor.visit_f64(number.as_f64().ok_or(Refused)?)
                }
            }
            Value::String(text) => visitor.visit_string(text),
            // No option is a list or a free-form object (agent parameters travel as JSON text, read
            // by the strict reader); an object is only ever a struct, read by `deserialize_struct`.
            Value::Array(_) | Value::Object(_) => Err(Refused),
        }
    }

    /// `null` (and an absent field, which serde treats alike) is `None`.
    fn deserialize_option<V: Visitor<'de>>(
        self,
        visitor: V,
    ) -> std::result::Result<V::Value, Refused> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Json(value)),
        }
    }

    /// An options struct is a JSON object, never an array: serde's derive also accepts a struct
    /// written as an array of its fields, and refusing that here keeps its code out of the module.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> std::result::Result<V::Value, Refused> {
        match self.0 {
            Value::Object(members) => {
                let mut members =
                    MapDeserializer::new(members.into_iter().map(|(k, v)| (k, Json(v))));
                let value = visitor.visit_map(&mut members)?;
                members.end()?;
                Ok(value)
            }
            _ => Err(Refused),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// Decodes an options object. One fixed message for every failure: serde's would name the field, but
/// can quote a value too.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(options: &str) -> Result<T> {
    const BAD: Error =
        Error::InvalidArgument("options hold an unknown field, or a field of the wrong type");
    let value = json::parse(options.as_bytes()).ok_or(BAD)?;
    T::deserialize(Json(value)).map_err(|Refused| BAD)
}
