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

mod rules;
mod tree;

pub use rules::{
    escape, is_xml_char, is_xml_whitespace, parse_xs_boolean, MAX_ATTRIBUTES, MAX_DEPTH,
    MAX_ELEMENTS, NS_XSI,
};
pub use tree::{parse, Attribute, Element};

#[cfg(test)]
mod tests;
