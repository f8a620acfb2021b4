//! The .NET `<RSAKeyValue>` XML form, which is what SuperOffice's developer portal hands out.
//!
//! Reading is lenient about layout (declaration, comments, whitespace and line breaks inside the
//! base64, any element order, leading zero bytes) and strict about content: no DOCTYPE, no entities
//! beyond the five predefined ones, each element once, nothing unknown. The XML itself is checked by
//! the same tokenizer that reads SOAP responses ([`crate::xml::tokenizer`]).

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::parts::{self, Components};
use crate::error::{Error, Result};
use crate::xml::tokenizer::{split_qname, Token, Tokenizer, XmlError};

struct Field {
    name: &'static str,
    missing: &'static str,
    duplicate: &'static str,
    empty: &'static str,
    bad_base64: &'static str,
}

macro_rules! field {
    ($name:literal) => {
        Field {
            name: $name,
            missing: concat!("the XML key has no <", $name, "> element"),
            duplicate: concat!("the XML key has more than one <", $name, "> element"),
            empty: concat!("the XML key's <", $name, "> element is empty"),
            bad_base64: concat!("the XML key's <", $name, "> element is not valid base64"),
        }
    };
}

/// In .NET's order, which [`to_xml`] keeps. Indexes below follow this table.
const FIELDS: [Field; 8] = [
    field!("Modulus"),
    field!("Exponent"),
    field!("P"),
    field!("Q"),
    field!("DP"),
    field!("DQ"),
    field!("InverseQ"),
    field!("D"),
];
const MODULUS: usize = 0;
const EXPONENT: usize = 1;

const ROOT: &str = "RSAKeyValue";
const NOT_WELL_FORMED: Error = Error::KeyInvalid("the XML key is not well-formed XML");

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeRoot,
    InRoot,
    InField(usize),
    AfterRoot,
}

/// Reads `<RSAKeyValue>` into its components.
pub(crate) fn parse(text: &str) -> Result<Components> {
    // Each field's base64, whitespace removed. Zeroizing: this is the key. The tokenizer only borrows
    // from `text`, so these are the only copies.
    let mut values: [Option<Zeroizing<String>>; 8] = Default::default();
    let mut state = State::BeforeRoot;
    let mut tokens = Tokenizer::new(text).map_err(to_error)?;
    // The tokenizer has checked well-formedness (matching end tags, one root, nothing after it).
    while let Some(token) = tokens.next().map_err(to_error)? {
        match token {
            Token::Start { name, empty } => {
                // Prefixes are ignored: .NET writes none, and nothing here depends on a namespace.
                let (_, name) = split_qname(name);
                state = match state {
                    State::BeforeRoot if name == ROOT => State::InRoot,
                    State::BeforeRoot => {
                        return Err(Error::KeyInvalid(
                            "the XML key is not an <RSAKeyValue> element",
                        ))
                    }
                    State::InRoot => {
                        let (index, field) = FIELDS
                            .iter()
                            .enumerate()
                            .find(|(_, field)| field.name == name)
                            .ok_or(Error::KeyInvalid("the XML key has an unknown element"))?;
                        let slot = values.get_mut(index).ok_or(NOT_WELL_FORMED)?;
                        if slot.is_some() {
                            return Err(Error::KeyInvalid(field.duplicate));
                        }
                        // No value is longer than the whole text: reserving that much means the
                        // zeroizing string never reallocates and leaves no copy of the key behind.
                        *slot = Some(Zeroizing::new(String::with_capacity(text.len())));
                        State::InField(index)
                    }
                    State::InField(_) => {
                        return Err(Error::KeyInvalid(
                            "the XML key has an element inside a value",
                        ))
                    }
                    // The tokenizer refuses a second root already; this keeps the reader correct
                    // on its own.
                    State::AfterRoot => return Err(to_error(XmlError::AfterRoot)),
                };
                if empty {
                    state = close(state);
                }
            }
            Token::End => state = close(state),
            Token::Text(text) => append(&mut values, state, text)?,
            Token::Char(c) => append(&mut values, state, c.encode_utf8(&mut [0; 4]))?,
            Token::Declaration { .. } | Token::Comment | Token::ProcessingInstruction => {}
        }
    }
    components(&values)
}

/// The state after the innermost open element ends.
fn close(state: State) -> State {
    match state {
        State::InField(_) => State::InRoot,
        State::BeforeRoot | State::InRoot | State::AfterRoot => State::AfterRoot,
    }
}

fn to_error(error: XmlError) -> Error {
    match error {
        XmlError::Doctype => Error::KeyInvalid("the XML key must not contain a DOCTYPE"),
        XmlError::UnknownEntity => {
            Error::KeyInvalid("the XML key uses an entity other than the five predefined ones")
        }
        XmlError::AfterRoot => Error::KeyInvalid("the XML key has content after </RSAKeyValue>"),
        XmlError::Malformed(_) => NOT_WELL_FORMED,
    }
}

/// Adds element text to the open field. Outside a field only whitespace is allowed.
fn append(values: &mut [Option<Zeroizing<String>>; 8], state: State, text: &str) -> Result<()> {
    let target = match state {
        State::InField(index) => values.get_mut(index).and_then(Option::as_mut),
        _ => None,
    };
    match target {
        Some(value) => {
            // Base64 split over lines (or indented) is normal in pasted XML.
            value.extend(text.chars().filter(|c| !c.is_ascii_whitespace()));
            Ok(())
        }
        None if text.chars().all(|c| c.is_ascii_whitespace()) => Ok(()),
        None => Err(Error::KeyInvalid("the XML key has text outside its values")),
    }
}

fn components(values: &[Option<Zeroizing<String>>; 8]) -> Result<Components> {
    // Only Modulus and Exponent: an XML public key (what ToXmlString(false) writes).
    let present = |index: usize| values.get(index).is_some_and(Option::is_some);
    let private_present = (EXPONENT + 1..FIELDS.len()).any(present);
    if present(MODULUS) && present(EXPONENT) && !private_present {
        return Err(Error::KeyUnsupported(
            "expected a private key, found an XML public key",
        ));
    }
    let mut decoded: Vec<Zeroizing<Vec<u8>>> = Vec::with_capacity(FIELDS.len());
    for (field, value) in FIELDS.iter().zip(values) {
        let value = value.as_ref().ok_or(Error::KeyInvalid(field.missing))?;
        if value.is_empty() {
            return Err(Error::KeyInvalid(field.empty));
        }
        let bytes = Base64::decode_vec(value).map_err(|_| Error::KeyInvalid(field.bad_base64))?;
        decoded.push(Zeroizing::new(bytes));
    }
    let mut decoded = decoded.into_iter();
    let mut next = || decoded.next().ok_or(NOT_WELL_FORMED);
    Ok(Components {
        n: next()?,
        e: next()?,
        p: next()?,
        q: next()?,
        dp: next()?,
        dq: next()?,
        qinv: next()?,
        d: next()?,
    })
}

/// Writes the key as .NET does (`RSA.ToXmlString(true)`): one line, fields in .NET's order, Modulus
/// and D as long as the modulus, P, Q, DP, DQ and InverseQ half as long, Exponent minimal. .NET's
/// importers insist on those widths, so the padding matters.
pub(crate) fn to_xml(parts: &Components) -> Result<Zeroizing<String>> {
    let k = parts::trim(&parts.n).len();
    let half = k.div_ceil(2);
    let values = [
        (&parts.n, k),
        (&parts.e, 0),
        (&parts.p, half),
        (&parts.q, half),
        (&parts.dp, half),
        (&parts.dq, half),
        (&parts.qinv, half),
        (&parts.d, k),
    ];
    let padded: Vec<Zeroizing<Vec<u8>>> = values
        .iter()
        .map(|(value, width)| parts::left_pad(value, *width))
        .collect();
    // Reserve everything up front so the zeroizing string never reallocates (a reallocation would
    // leave an unzeroized copy of the key behind).
    let capacity = 2 * ROOT.len()
        + 5
        + FIELDS
            .iter()
            .zip(&padded)
            .map(|(field, value)| 2 * field.name.len() + 5 + Base64::encoded_len(value))
            .sum::<usize>();
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    let mut scratch = Zeroizing::new(vec![0u8; capacity]);
    out.push('<');
    out.push_str(ROOT);
    out.push('>');
    for (field, value) in FIELDS.iter().zip(&padded) {
        out.push('<');
        out.push_str(field.name);
        out.push('>');
        // Encoded into our zeroizing scratch buffer, which is large enough.
        let encoded = Base64::encode(value, &mut scratch)
            .map_err(|_| Error::KeyInvalid("the key could not be encoded"))?;
        out.push_str(encoded);
        out.push_str("</");
        out.push_str(field.name);
        out.push('>');
    }
    out.push_str("</");
    out.push_str(ROOT);
    out.push('>');
    Ok(out)
}
