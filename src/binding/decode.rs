//! Options text to an options struct. The text is parsed once by the strict reader
//! ([`crate::plumbing::json`]: a member named twice is refused); [`options!`] declares each struct
//! with its fields' JS names and writes its decoder: every field is taken out of the object by name
//! and converted by its type ([`Field`]), and a member left over is an unknown option, refused. So
//! a new option is one line, and a misspelled one is an error, as with serde's
//! `deny_unknown_fields`.
//!
//! Why not `#[derive(Deserialize)]` with `deny_unknown_fields`: measured on this module, serde's
//! derived visitors cost about 1.5 KB of wasm per options struct (a field-name matcher, a visitor
//! loop with duplicate and missing checks, drop paths), 25 KB for the binding's sixteen structs and
//! about 8 KB of the gzipped `.wasm`; this decoder is a few calls per field on code every struct
//! shares. The values themselves are serde_json's (`Value` and its accessors); nothing is parsed here.
//!
//! Failures carry no message of their own: [`decode`] reports one fixed message for all of them,
//! because a message naming the field could quote its value, and values here are credentials.

use crate::error::{Error, Result};
use crate::plumbing::json::{self, Object, Value};

/// A decoding failure, without a message.
#[derive(Debug)]
pub(crate) struct Refused;

type Decoded<T> = std::result::Result<T, Refused>;

/// An options struct: decoded from a JSON object, refusing members it does not know.
pub(crate) trait Options: Sized {
    fn from_object(object: Object) -> Decoded<Self>;
}

/// One option's value, by its type. `None` is an absent member.
pub(crate) trait Field: Sized {
    fn from_member(value: Option<Value>) -> Decoded<Self>;
    /// A stand-in for a value that failed, so that a decoder reads on and fails once at the end
    /// (returning at the first failure would put a path dropping the fields read so far into every
    /// decoder, once per field).
    fn stand_in() -> Self;
}

impl Field for String {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        match value {
            Some(Value::String(text)) => Ok(text),
            _ => Err(Refused),
        }
    }

    fn stand_in() -> Self {
        String::new()
    }
}

impl Field for bool {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        match value {
            Some(Value::Bool(flag)) => Ok(flag),
            _ => Err(Refused),
        }
    }

    fn stand_in() -> Self {
        false
    }
}

/// Absent and `null` alike are "not given".
impl<T: Field> Field for Option<T> {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        match value {
            None | Some(Value::Null) => Ok(None),
            value => T::from_member(value).map(Some),
        }
    }

    fn stand_in() -> Self {
        None
    }
}

/// A JSON number that is a whole number in range (`1.5`, `-1` or `70000` for a `u16` are refused).
fn whole<T: TryFrom<i64>>(value: Option<Value>) -> Decoded<T> {
    match value {
        Some(Value::Number(number)) => number
            .as_i64()
            .and_then(|whole| T::try_from(whole).ok())
            .ok_or(Refused),
        _ => Err(Refused),
    }
}

impl Field for u16 {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        whole(value)
    }

    fn stand_in() -> Self {
        0
    }
}

impl Field for u32 {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        whole(value)
    }

    fn stand_in() -> Self {
        0
    }
}

impl Field for i32 {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        whole(value)
    }

    fn stand_in() -> Self {
        0
    }
}

/// A list, each item converted by its type.
impl<T: Field> Field for Vec<T> {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        match value {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| T::from_member(Some(item)))
                .collect(),
            _ => Err(Refused),
        }
    }

    fn stand_in() -> Self {
        Vec::new()
    }
}

/// Times in epoch milliseconds: any JSON number (the core checks the range).
impl Field for f64 {
    fn from_member(value: Option<Value>) -> Decoded<Self> {
        match value {
            Some(Value::Number(number)) => number.as_f64().ok_or(Refused),
            _ => Err(Refused),
        }
    }

    fn stand_in() -> Self {
        0.0
    }
}

/// Takes the member `name` out of `object`, converted to its field's type; on a failure, notes it in
/// `failed` and gives the type's stand-in.
#[inline(never)]
pub(crate) fn take<T: Field>(object: &mut Object, name: &str, failed: &mut bool) -> T {
    T::from_member(object.remove(name)).unwrap_or_else(|Refused| {
        *failed = true;
        T::stand_in()
    })
}

/// The decoded struct, unless a field failed or a member is left over (an option the struct does
/// not know).
pub(crate) fn finish<T>(object: &Object, failed: bool, value: T) -> Decoded<T> {
    if failed || !object.is_empty() {
        Err(Refused)
    } else {
        Ok(value)
    }
}

/// A nested options object (`idToken` inside the token response's options).
pub(crate) fn nested<T: Options>(value: Option<Value>) -> Decoded<T> {
    match value {
        Some(Value::Object(object)) => T::from_object(object),
        _ => Err(Refused),
    }
}

/// Declares an options struct: each field with its type and its name in the JS options object.
/// A struct used nested inside another also gets [`Field`].
macro_rules! options {
    (
        $(#[$doc:meta])*
        struct $name:ident {
            $( $(#[$field_doc:meta])* $field:ident : $type:ty = $js:literal ),* $(,)?
        }
    ) => {
        $(#[$doc])*
        struct $name {
            $( $(#[$field_doc])* $field: $type ),*
        }

        impl $crate::binding::decode::Options for $name {
            fn from_object(
                mut object: $crate::plumbing::json::Object,
            ) -> std::result::Result<Self, $crate::binding::decode::Refused> {
                let mut failed = false;
                let value = $name {
                    $( $field: $crate::binding::decode::take(&mut object, $js, &mut failed) ),*
                };
                $crate::binding::decode::finish(&object, failed, value)
            }
        }

        impl $crate::binding::decode::Field for $name {
            fn from_member(
                value: Option<$crate::plumbing::json::Value>,
            ) -> std::result::Result<Self, $crate::binding::decode::Refused> {
                $crate::binding::decode::nested(value)
            }

            fn stand_in() -> Self {
                $name {
                    $( $field: <$type as $crate::binding::decode::Field>::stand_in() ),*
                }
            }
        }
    };
}
pub(crate) use options;

/// Decodes an options object. One fixed message for every failure (see the module documentation).
pub(crate) fn decode<T: Options>(options: &str) -> Result<T> {
    const BAD: Error =
        Error::InvalidArgument("options hold an unknown field, or a field of the wrong type");
    // As given: an option named `__proto__` is an unknown option, not one to drop in silence.
    let object = json::parse_object_as_given(options.as_bytes()).ok_or(BAD)?;
    T::from_object(object).map_err(|Refused| BAD)
}
