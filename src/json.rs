//! Strict JSON (RFC 8259) for tokens, key sets and responses, and the JSON text handed to JS.
//!
//! Why our own: the whole of serde and serde_json (its visitor machinery, float printing) was a large
//! share of the wasm package, and we need little of it: one strict reader and a small writer.
//!
//! # Reading: [`parse`]
//!
//! - Duplicate member names are refused at any depth. Parsers disagree on which copy of a duplicated
//!   member wins; a token whose header says `"alg"` twice with different values could mean different
//!   things to different readers (RFC 8725 §3.1, RFC 7515 §4). Names are compared after unescaping,
//!   so `"alg"` and `"\u0061lg"` are the same name.
//! - Strict RFC 8259 grammar: no comments, trailing commas, single quotes, `NaN`/`Infinity`, leading
//!   zeros or `+` signs; no raw control characters (U+0000–U+001F) in strings; `\u` escapes of
//!   surrogates must pair (a lone surrogate is refused, as serde_json refuses it); whitespace is
//!   space, tab, LF and CR only; nothing but whitespace may follow the value. Input must be UTF-8
//!   (checked inside strings; anything else non-ASCII is a syntax error anyway).
//! - Nesting: at most 127 levels of arrays and objects, exactly what serde_json accepts (its limit,
//!   "128", counts down to zero), so that callers see the same answers as before. The parser recurses
//!   once per level, so the limit also bounds its stack.
//! - Numbers keep their text (the lexeme, validated against the grammar) and convert on demand:
//!   [`Number::as_f64`] correctly rounded (our own conversion, see `decimal.rs`, as exact as core's
//!   `str::parse` without its 10 KB table), [`Number::as_u64`] and
//!   [`Number::as_i64`] with serde_json's rules (only a lexeme without fraction or exponent is an
//!   integer, so `3600.0` is not; `-0` is not an integer either). A number whose value overflows f64
//!   (`1e400`) is refused, as serde_json refuses it; one that underflows (`1e-400`) reads as zero.
//!   Writing a parsed number back emits its exact original text.
//! - Objects keep document order (a `Vec`, no map): results handed to JS list claims as the token
//!   lists them. Lookup is a linear scan, which is the fastest for objects of a few dozen members.
//! - Cost: one pass over the input; the duplicate check is pairwise for objects of up to 16 members
//!   and a sort of the names above that, so hostile input with many members costs O(n log n), not
//!   O(n²). No allocation per character; strings without escapes are copied in runs.
//! - Failure is `None`, with no reason: callers map it to their own fixed message, and nothing from
//!   the input (a ticket, a key) can leak into an error. For the same reason [`Value`]'s `Debug`
//!   shows the shape of strings (their length), never their text.
//! - Never panics: every read of the input goes through `get`.
//!
//! # Writing: [`ToJson`], [`object`]
//!
//! Strings are escaped as serde_json escapes them: `"` and `\` with a backslash, `\b \f \n \r \t`
//! by name, other C0 controls as `\u00xx` (lowercase hex); everything else, non-ASCII included,
//! passes through as UTF-8. A parsed [`Value`] is written back in document order with its original
//! number text. An `f64` is written as an integer when it is one (below 2^53), otherwise as its exact
//! decimal expansion (every finite double is a finite decimal), which any correct reader, JS's
//! `JSON.parse` included, reads back to the same double; non-finite values are written as `null`,
//! as serde_json writes them. [`object`] builds an object member by member: the names are the
//! caller's literals, which must be distinct (the writer does not check them).

use std::fmt;

/// Containers may nest this many levels, minus one (serde_json's counter, reproduced exactly).
const DEPTH_LIMIT: u32 = 128;

/// Objects up to this many members are checked for duplicates pairwise; larger ones by sorting.
const PAIRWISE_MEMBERS: usize = 16;

/// A JSON value. Objects keep document order and never hold two members with one name.
#[derive(Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Object),
}

/// A JSON number as its validated text; converted when read. Equality compares the text (`1.0` and
/// `1` differ), which is all the crate needs.
#[derive(Clone, PartialEq)]
pub struct Number(String);

/// A JSON object: members in document order, names unique.
#[derive(Clone, PartialEq, Default)]
pub struct Object(Vec<(String, Value)>);

/// Parses `bytes` as one JSON value (see the module documentation for the rules).
pub fn parse(bytes: &[u8]) -> Option<Value> {
    let mut parser = Parser { bytes, pos: 0 };
    let value = parser.value(DEPTH_LIMIT)?;
    parser.skip_whitespace();
    (parser.pos == bytes.len()).then_some(value)
}

/// Parses `bytes` as a JSON object (see [`parse`]).
pub fn parse_object(bytes: &[u8]) -> Option<Object> {
    match parse(bytes)? {
        Value::Object(object) => Some(object),
        _ => None,
    }
}

impl Value {
    /// The member `name` of an object; `None` for a missing member or a value that is no object.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_object()?.get(name)
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(object) => Some(object),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// A number's value as the nearest f64 (always finite: overflowing numbers are not parsed).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(number.as_f64()),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    /// The value as JSON text (see [`ToJson`]).
    pub fn to_json(&self) -> String {
        to_text(self)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.to_owned())
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl Number {
    /// The number's text, exactly as it appeared in the document.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for a lexeme without fraction or exponent (serde_json's notion of an integer).
    fn is_integer_text(&self) -> bool {
        !self.0.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
    }

    /// The nearest f64, correctly rounded. Always finite: the parser refuses numbers that overflow.
    pub fn as_f64(&self) -> f64 {
        decimal::parse(&self.0)
    }

    /// The value as a u64, if the text is a non-negative integer in range (`3600`, not `3600.0`).
    pub fn as_u64(&self) -> Option<u64> {
        if !self.is_integer_text() {
            return None;
        }
        // `-0` fails here (`u64::from_str` takes no minus sign), as serde_json holds it as -0.0.
        self.0.parse().ok()
    }

    /// The value as an i64, if the text is an integer in range (`-5`, not `-5.0`; `-0` is not one,
    /// as serde_json reads it as the float -0.0).
    pub fn as_i64(&self) -> Option<i64> {
        if !self.is_integer_text() || self.0 == "-0" {
            return None;
        }
        self.0.parse().ok()
    }
}

impl Object {
    pub fn new() -> Object {
        Object::default()
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(member, _)| member == name)
            .map(|(_, value)| value)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets member `name`: replaces its value where it exists (keeping its place), appends otherwise.
    pub fn insert(&mut self, name: String, value: Value) {
        match self.0.iter_mut().find(|(member, _)| *member == name) {
            Some((_, old)) => *old = value,
            None => self.0.push((name, value)),
        }
    }

    /// Members in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The object as JSON text (see [`ToJson`]).
    pub fn to_json(&self) -> String {
        to_text(self)
    }
}

// Debug shows structure, never string contents: claims carry tickets, token responses carry tokens.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Number(number) => number.fmt(f),
            Value::String(text) => write!(f, "<string of {} bytes>", text.len()),
            Value::Array(items) => f.debug_list().entries(items).finish(),
            Value::Object(object) => object.fmt(f),
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// One value after optional whitespace. `depth` is what remains of [`DEPTH_LIMIT`].
    fn value(&mut self, depth: u32) -> Option<Value> {
        self.skip_whitespace();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => self.string().map(Value::String),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.pos.checked_add(word.len())?;
        if self.bytes.get(self.pos..end)? != word {
            return None;
        }
        self.pos = end;
        Some(value)
    }

    /// Entering a container: serde_json decrements its counter and fails when it reaches zero.
    fn enter(depth: u32) -> Option<u32> {
        depth.checked_sub(1).filter(|&left| left > 0)
    }

    fn array(&mut self, depth: u32) -> Option<Value> {
        let depth = Self::enter(depth)?;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Some(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.next()? {
                b',' => {}
                b']' => return Some(Value::Array(items)),
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: u32) -> Option<Value> {
        let depth = Self::enter(depth)?;
        self.pos += 1; // `{`
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_whitespace();
        if !self.eat(b'}') {
            loop {
                self.skip_whitespace();
                if self.peek()? != b'"' {
                    return None;
                }
                let name = self.string()?;
                self.skip_whitespace();
                if !self.eat(b':') {
                    return None;
                }
                let value = self.value(depth)?;
                members.push((name, value));
                self.skip_whitespace();
                match self.next()? {
                    b',' => {}
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        if has_duplicate_names(&members) {
            return None;
        }
        Some(Value::Object(Object(members)))
    }

    /// A string; `self.pos` is at its opening quote.
    fn string(&mut self) -> Option<String> {
        self.pos += 1; // `"`
        let mut out = String::new();
        loop {
            // A run of bytes that need no decoding. It ends at an ASCII byte, so it never splits a
            // UTF-8 sequence, and each run can be checked on its own.
            let start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            out.push_str(std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => out.push(self.escape()?),
                _ => return None, // a raw control character
            }
        }
    }

    /// The character of an escape; `self.pos` is just after its backslash.
    fn escape(&mut self) -> Option<char> {
        Some(match self.next()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate must be followed at once by an escaped low surrogate.
                    if !(self.eat(b'\\') && self.eat(b'u')) {
                        return None;
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?
                } else {
                    // `None` for a lone low surrogate.
                    char::from_u32(unit)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            value = value * 16 + char::from(self.next()?).to_digit(16)?;
        }
        Some(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as an f64.
    fn number(&mut self) -> Option<Number> {
        let start = self.pos;
        self.eat(b'-');
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.') {
            self.digits1()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits1()?;
        }
        // Only ASCII was consumed, so this is valid UTF-8.
        let text = std::str::from_utf8(self.bytes.get(start..self.pos)?).ok()?;
        // serde_json refuses a number beyond f64's range; callers saw that refusal, so keep it.
        // Below 10^308 a number is finite; only those near the limit need converting to tell.
        if decimal::magnitude(text).is_some_and(|m| m > 308) && !decimal::parse(text).is_finite() {
            return None;
        }
        Some(Number(text.to_owned()))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    /// One or more digits.
    fn digits1(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }
}

fn has_duplicate_names(members: &[(String, Value)]) -> bool {
    if members.len() <= PAIRWISE_MEMBERS {
        let mut seen = members.iter().map(|(name, _)| name);
        while let Some(name) = seen.next() {
            if seen.clone().any(|other| other == name) {
                return true;
            }
        }
        return false;
    }
    let mut names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    names
        .windows(2)
        .any(|pair| matches!(pair, [a, b] if a == b))
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Something that can be written as JSON text.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(value) => value.write_json(out),
            Value::Number(number) => out.push_str(&number.0),
            Value::String(text) => text.write_json(out),
            Value::Array(items) => items.write_json(out),
            Value::Object(object) => object.write_json(out),
        }
    }
}

impl ToJson for Object {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        for (index, (name, value)) in self.0.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            name.write_json(out);
            out.push(':');
            value.write_json(out);
        }
        out.push('}');
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (index, item) in self.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        decimal::write_u64(*self, out);
    }
}

impl ToJson for usize {
    fn write_json(&self, out: &mut String) {
        // usize is at most 64 bits on every target we build for.
        decimal::write_u64(u64::try_from(*self).unwrap_or(u64::MAX), out);
    }
}

impl ToJson for f64 {
    fn write_json(&self, out: &mut String) {
        decimal::write(*self, out);
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        out.reserve(self.len() + 2);
        out.push('"');
        let mut start = 0;
        for (index, byte) in self.bytes().enumerate() {
            let short = match byte {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            // `index` is at an ASCII byte, a character boundary, so `get` always succeeds.
            out.push_str(self.get(start..index).unwrap_or_default());
            if short.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            } else {
                out.push_str(short);
            }
            start = index + 1;
        }
        out.push_str(self.get(start..).unwrap_or_default());
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

/// `value` as JSON text.
pub fn to_text<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// Starts a JSON object; add members with [`ObjectWriter::member`], end with
/// [`ObjectWriter::finish`] (or pass the writer itself as a member's value).
pub fn object() -> ObjectWriter {
    ObjectWriter {
        text: String::from("{"),
    }
}

/// An object being written (see [`object`]). Member names must be distinct; they are not checked.
pub struct ObjectWriter {
    /// The text so far: `{` and the members written, without the closing `}`.
    text: String,
}

impl ObjectWriter {
    pub fn member(mut self, name: &str, value: impl ToJson) -> ObjectWriter {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        name.write_json(&mut self.text);
        self.text.push(':');
        value.write_json(&mut self.text);
        self
    }

    pub fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

impl ToJson for ObjectWriter {
    fn write_json(&self, out: &mut String) {
        out.push_str(&self.text);
        out.push('}');
    }
}

mod decimal;

#[cfg(test)]
mod tests;
