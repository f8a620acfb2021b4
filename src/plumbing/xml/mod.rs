//! Hardened, namespace-aware XML reading on quick-xml, plus the escaping the requests need.
//!
//! quick-xml's `NsReader` tokenizes and resolves prefixes; [`tree`] builds a small tree of
//! [`Element`]s from its events, which callers query by namespace URI and local name (never by
//! prefix). The documents we read are a few hundred bytes, so everything is checked up front. The tree
//! is built iteratively, and depth is bounded by [`MAX_DEPTH`] before anything could recurse.
//!
//! What is refused, and with which error (quick-xml refuses the first group of malformed input on
//! its own; the rest are our checks around its event stream):
//!
//! - any `<!DOCTYPE`, with or without an internal or external subset, anywhere:
//!   [`Error::XmlForbidden`]. Without a DTD there are no entity declarations, so no entity expansion
//!   (billion laughs) and no external entity (XXE) can exist;
//! - any entity reference other than `&lt; &gt; &amp; &quot; &apos;`: [`Error::XmlForbidden`]. Numeric
//!   character references are resolved, and must name a character XML 1.0 allows;
//! - an XML declaration naming an encoding other than UTF-8, or a version other than 1.0, or not at
//!   the very start: [`Error::ResponseMalformed`] (the body reaches us as a Rust string, i.e. already
//!   UTF-8). A leading UTF-8 BOM is accepted;
//! - by quick-xml: mismatched or missing end tags, unclosed markup, a bare `&`, `--` inside a
//!   comment, attributes repeated by qualified name or not separated by whitespace, unquoted values,
//!   unbound prefixes and bindings Namespaces in XML forbids for `xml` and `xmlns`;
//! - by us: characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF),
//!   nesting deeper than [`MAX_DEPTH`], more than [`MAX_ELEMENTS`] elements or [`MAX_ATTRIBUTES`]
//!   attributes on one element, attributes repeated by expanded name, `<` in an attribute value,
//!   `]]>` in text, `xmlns:p=""` and namespace names written with references or whitespace, a second
//!   root element and non-whitespace text outside the root: [`Error::ResponseMalformed`].
//!
//! Processing instructions and comments are skipped, except inside a value read with
//! [`Element::leaf_text`]: there a comment or processing instruction is refused, because it splits the
//! text into pieces that XML readers join differently (some return only the first piece), and a value
//! that different readers see differently is not one we should trust. CDATA sections are plain text in
//! the XML data model, so they are joined with the surrounding text. Text is line-end normalised as XML
//! 1.0 requires (`\r\n` and `\r` become `\n`); a `&#13;` reference survives as `\r`. Attribute values
//! are normalised as XML 1.0 does for CDATA-typed attributes.
//!
//! The size of the input is capped by the caller (see [`crate::plumbing::http::MAX_RESPONSE_BYTES`]).

mod tree;

pub use tree::{parse, Attribute, Element};

/// Deepest element nesting accepted. A SOAP response needs 5 levels.
pub const MAX_DEPTH: usize = 64;
/// Most elements accepted in one document. A SOAP response needs fewer than 10.
pub const MAX_ELEMENTS: usize = 4096;
/// Most attributes (namespace declarations included) accepted on one element. A SOAP response's
/// elements carry a handful. Without a cap, one start tag of 256 KiB holds 25 000 attributes, and the
/// duplicate check (quadratic in their number) kept a core busy for over half a minute.
pub const MAX_ATTRIBUTES: usize = 64;

/// The XML Schema instance namespace (`xsi:nil`).
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// `xs:boolean` after whitespace collapse: `true`, `false`, `1`, `0`, nothing else.
pub fn parse_xs_boolean(value: &str) -> Option<bool> {
    match value.trim_matches(is_xml_whitespace) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// XML's whitespace (`S` in the grammar): space, tab, LF, CR. Narrower than `char::is_whitespace`.
pub fn is_xml_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Whether XML 1.0 can carry this character (the `Char` production).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes a value for element content or an attribute value. `& < > " '` become the predefined
/// entities, and tab, LF and CR become character references so that they survive the line-end and
/// attribute normalisation of the reader. `None` when the value holds a character XML 1.0 cannot
/// carry at all.
pub fn escape(value: &str) -> Option<String> {
    let mut out = String::with_capacity(value.len() + value.len() / 8);
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
