//! The .NET `<RSAKeyValue>` XML form, which is what SuperOffice's developer portal hands out.
//!
//! Reading is lenient about layout (declaration, comments, whitespace and line breaks inside the
//! base64, any element order, leading zero bytes) and strict about content: no DOCTYPE, no entities
//! beyond the five predefined ones, each element once, nothing unknown. quick-xml reads the XML (and
//! checks that it is well-formed); this module is the state machine over its events.

use base64ct::{Base64, Encoding};
use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::Event;
use quick_xml::Reader;
use zeroize::Zeroizing;

use super::components::Components;
use super::policy;
use crate::error::{Error, Result};

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
    // Each field's base64, whitespace removed. Zeroizing: this is the key. quick-xml's events borrow
    // from `text` (we never ask it to normalise or unescape into a copy), so these are the only copies.
    let mut values: [Option<Zeroizing<String>>; 8] = Default::default();
    let mut state = State::BeforeRoot;
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.allow_dangling_amp = false;
    loop {
        match reader.read_event().map_err(to_error)? {
            Event::Start(start) => {
                state = open(&mut values, state, start.local_name().as_ref(), text.len())?
            }
            Event::Empty(start) => {
                state = open(&mut values, state, start.local_name().as_ref(), text.len())?;
                state = close(state);
            }
            Event::End(_) => state = close(state),
            Event::Text(raw) => append(&mut values, state, &raw.into_inner())?,
            Event::CData(raw) => append(&mut values, state, &raw.into_inner())?,
            Event::GeneralRef(reference) => {
                let mut buffer = [0; 4];
                let resolved = if reference.is_char_ref() {
                    match reference.resolve_char_ref() {
                        Ok(Some(c)) => &*c.encode_utf8(&mut buffer),
                        _ => return Err(NOT_WELL_FORMED),
                    }
                } else {
                    let name = reference.borrow().into_inner();
                    resolve_xml_entity(&name).ok_or(Error::KeyInvalid(
                        "the XML key uses an entity other than the five predefined ones",
                    ))?
                };
                append(&mut values, state, resolved)?;
            }
            Event::DocType(_) => return Err(DOCTYPE),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    match state {
        State::AfterRoot => components(&values),
        _ => Err(NOT_WELL_FORMED),
    }
}

const DOCTYPE: Error = Error::KeyInvalid("the XML key must not contain a DOCTYPE");

/// quick-xml's errors carry text from the document (the key); ours are fixed messages.
fn to_error(error: quick_xml::Error) -> Error {
    use quick_xml::errors::SyntaxError;
    use quick_xml::escape::EscapeError;
    match error {
        quick_xml::Error::Syntax(SyntaxError::UnclosedDoctype) => DOCTYPE,
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(..)) => {
            Error::KeyInvalid("the XML key uses an entity other than the five predefined ones")
        }
        _ => NOT_WELL_FORMED,
    }
}

/// The state after an element opens. Prefixes are ignored: .NET writes none, and nothing here depends
/// on a namespace.
fn open(
    values: &mut [Option<Zeroizing<String>>; 8],
    state: State,
    name: &str,
    text_len: usize,
) -> Result<State> {
    Ok(match state {
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
            // No value is longer than the whole text: reserving that much means the zeroizing
            // string never reallocates and leaves no copy of the key behind.
            *slot = Some(Zeroizing::new(String::with_capacity(text_len)));
            State::InField(index)
        }
        State::InField(_) => {
            return Err(Error::KeyInvalid(
                "the XML key has an element inside a value",
            ))
        }
        State::AfterRoot => {
            return Err(Error::KeyInvalid(
                "the XML key has content after </RSAKeyValue>",
            ))
        }
    })
}

/// The state after the innermost open element ends.
fn close(state: State) -> State {
    match state {
        State::InField(_) => State::InRoot,
        State::BeforeRoot | State::InRoot | State::AfterRoot => State::AfterRoot,
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
    let (n, e, p, q, dp, dq, qinv) = (
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
        next()?,
    );
    Ok(Components {
        n,
        e,
        d: next()?,
        p,
        q,
        dp,
        dq,
        qinv,
    })
}

/// Writes the key as .NET does (`RSA.ToXmlString(true)`): one line, fields in .NET's order, Modulus
/// and D as long as the modulus, P, Q, DP, DQ and InverseQ half as long, Exponent minimal. .NET's
/// importers insist on those widths, so the padding matters.
pub(crate) fn to_xml(parts: &Components) -> Result<Zeroizing<String>> {
    let k = policy::trim(&parts.n).len();
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
        .map(|(value, width)| left_pad(value, *width))
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

/// `bytes` left-padded with zeros to `width` (as .NET writes P, Q, D ...). Longer input is kept whole.
fn left_pad(bytes: &[u8], width: usize) -> Zeroizing<Vec<u8>> {
    let bytes = policy::trim(bytes);
    let mut out = Zeroizing::new(Vec::with_capacity(width.max(bytes.len())));
    out.resize(width.saturating_sub(bytes.len()), 0);
    out.extend_from_slice(bytes);
    out
}
