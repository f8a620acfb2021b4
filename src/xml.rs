//! Hardened, namespace-aware XML reading on top of quick-xml, plus the escaping the request needs.
//!
//! The documents we read are a few hundred bytes, so [`parse`] checks everything up front and builds a
//! small tree of [`Element`]s; callers then query the tree by namespace URI and local name (never by
//! prefix). Building the tree iteratively, with an explicit stack, means depth is bounded by
//! [`MAX_DEPTH`] before anything could recurse.
//!
//! What is refused, and with which error:
//!
//! - any `<!DOCTYPE`, with or without an internal or external subset: [`Error::XmlForbidden`]. Without a
//!   DTD there are no entity declarations, so no entity expansion (billion laughs) and no external
//!   entity (XXE) can exist;
//! - any entity reference other than `&lt; &gt; &amp; &quot; &apos;`: [`Error::XmlForbidden`]. Numeric
//!   character references are resolved, and must name a character XML 1.0 allows;
//! - an XML declaration naming an encoding other than UTF-8, or a version other than 1.0:
//!   [`Error::ResponseMalformed`] (the body reaches us as a Rust string, i.e. already UTF-8; a
//!   declaration claiming otherwise means the body is not what the service sends). A leading UTF-8
//!   BOM is accepted;
//! - characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF), nesting
//!   deeper than [`MAX_DEPTH`], more than [`MAX_ELEMENTS`] elements, unbound prefixes, duplicate
//!   attributes, a second root element, non-whitespace text outside the root, mismatched or missing
//!   end tags, a truncated document: [`Error::ResponseMalformed`].
//!
//! Processing instructions and comments are skipped, except inside a value read with
//! [`Element::leaf_text`]: there a comment or processing instruction is refused, because it splits the
//! text into pieces that XML readers join differently (some return only the first piece), and a value
//! that different readers see differently is not one we should trust. CDATA sections are plain text in
//! the XML data model, so they are joined with the surrounding text. Text is line-end normalised as XML
//! 1.0 requires (`\r\n` and `\r` become `\n`); a `&#13;` reference survives as `\r`.
//!
//! The size of the input is capped by the caller (see `response::MAX_RESPONSE_BYTES`).

use quick_xml::events::attributes::Attribute as QAttribute;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;

use crate::error::{Error, Result};

/// Deepest element nesting accepted. A SOAP response needs 5 levels.
pub const MAX_DEPTH: usize = 64;
/// Most elements accepted in one document. A SOAP response needs fewer than 10.
pub const MAX_ELEMENTS: usize = 4096;

/// The XML Schema instance namespace (`xsi:nil`).
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One element: its expanded name, attributes (namespace declarations excluded), text and children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Namespace URI; empty for no namespace.
    pub ns: String,
    pub local: String,
    pub attrs: Vec<Attribute>,
    pub children: Vec<Element>,
    /// Concatenation of the element's own text and CDATA pieces (not its children's).
    text: String,
    /// A comment or processing instruction appeared directly inside this element.
    has_markup: bool,
}

/// One attribute with its expanded name and its normalised value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Namespace URI; empty for unprefixed attributes (which are in no namespace).
    pub ns: String,
    pub local: String,
    pub value: String,
}

impl Element {
    /// Whether this element has the given namespace URI and local name.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }

    /// Child elements with the given namespace URI and local name, in document order.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |child| child.is(ns, local))
    }

    /// The one child with this name: `Ok(None)` when absent, malformed when repeated.
    pub fn unique_child(&self, ns: &str, local: &str) -> Result<Option<&Element>> {
        let mut found = None;
        for child in self.children.iter().filter(|child| child.is(ns, local)) {
            if found.replace(child).is_some() {
                return Err(Error::ResponseMalformed(
                    "an element appears more than once",
                ));
            }
        }
        Ok(found)
    }

    /// The value of the attribute with this expanded name.
    pub fn attr(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|attr| attr.ns == ns && attr.local == local)
            .map(|attr| attr.value.as_str())
    }

    /// The element's own text and CDATA, concatenated, untrimmed; child elements are not included.
    pub fn raw_text(&self) -> &str {
        &self.text
    }

    /// The text of an element that is read as a value: no child elements, no comments or processing
    /// instructions inside (see the module documentation), untrimmed.
    pub fn leaf_text(&self) -> Result<&str> {
        if !self.children.is_empty() {
            return Err(Error::ResponseMalformed(
                "a value element contains elements",
            ));
        }
        if self.has_markup {
            return Err(Error::ResponseMalformed(
                "a value element contains a comment",
            ));
        }
        Ok(&self.text)
    }

    /// For an element holding only elements: refuses non-whitespace text beside them.
    pub fn ensure_element_only(&self) -> Result<()> {
        if self.text.chars().all(is_xml_whitespace) {
            Ok(())
        } else {
            Err(Error::ResponseMalformed("unexpected text between elements"))
        }
    }

    /// `xsi:nil`, read as an `xs:boolean`. A nil element must be empty.
    pub fn is_nil(&self) -> Result<bool> {
        let Some(value) = self.attr(NS_XSI, "nil") else {
            return Ok(false);
        };
        let nil =
            parse_xs_boolean(value).ok_or(Error::ResponseMalformed("xsi:nil is not a boolean"))?;
        if nil && (!self.children.is_empty() || !self.text.is_empty()) {
            return Err(Error::ResponseMalformed("a nil element has content"));
        }
        Ok(nil)
    }
}

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

/// Parses a whole document into its root element, applying every check listed in the module
/// documentation.
pub fn parse(document: &str) -> Result<Element> {
    // The BOM is removed here rather than left to quick-xml so that the character check below sees
    // exactly what the parser sees.
    let document = document.strip_prefix('\u{FEFF}').unwrap_or(document);
    if !document.chars().all(is_xml_char) {
        return Err(Error::ResponseMalformed(
            "the XML contains a forbidden character",
        ));
    }

    let mut reader = NsReader::from_str(document);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.allow_unmatched_ends = false;
    config.allow_dangling_amp = false;
    config.expand_empty_elements = false;
    config.trim_text(false);

    // Open elements, innermost last; the root once closed.
    let mut open: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let mut first_event = true;

    loop {
        let event = reader.read_event().map_err(map_quick_xml_error)?;
        let was_first = std::mem::replace(&mut first_event, false);
        match event {
            Event::Decl(decl) => {
                if !was_first {
                    return Err(Error::ResponseMalformed("misplaced XML declaration"));
                }
                check_declaration(&decl)?;
            }
            Event::DocType(_) => return Err(Error::XmlForbidden("DOCTYPE is not allowed")),
            Event::Start(start) => {
                elements = count_element(elements, open.len(), root.is_some())?;
                open.push(new_element(&reader, &start)?);
            }
            Event::Empty(start) => {
                elements = count_element(elements, open.len(), root.is_some())?;
                let element = new_element(&reader, &start)?;
                close(element, &mut open, &mut root);
            }
            Event::End(_) => {
                // quick-xml has already matched the name against the start tag (check_end_names).
                let element = open
                    .pop()
                    .ok_or(Error::ResponseMalformed("unexpected end tag"))?;
                close(element, &mut open, &mut root);
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                match open.last_mut() {
                    Some(element) => element.text.push_str(&text),
                    None if text.chars().all(is_xml_whitespace) => {}
                    None => return Err(Error::ResponseMalformed("text outside the root element")),
                }
            }
            Event::CData(cdata) => match open.last_mut() {
                Some(element) => element.text.push_str(&cdata.xml10_content()),
                None => return Err(Error::ResponseMalformed("CDATA outside the root element")),
            },
            Event::GeneralRef(reference) => {
                let c = resolve_reference(&reference)?;
                match open.last_mut() {
                    Some(element) => element.text.push(c),
                    None => return Err(Error::ResponseMalformed("text outside the root element")),
                }
            }
            Event::Comment(_) | Event::PI(_) => {
                if let Some(element) = open.last_mut() {
                    element.has_markup = true;
                }
            }
            Event::Eof => break,
        }
    }

    if !open.is_empty() {
        return Err(Error::ResponseMalformed("the XML is truncated"));
    }
    root.ok_or(Error::ResponseMalformed("the XML has no root element"))
}

/// Counts one more element about to open at `depth`; refuses a second root and runaway documents.
fn count_element(count: usize, depth: usize, root_closed: bool) -> Result<usize> {
    if depth == 0 && root_closed {
        return Err(Error::ResponseMalformed(
            "the XML has more than one root element",
        ));
    }
    if depth >= MAX_DEPTH {
        return Err(Error::ResponseMalformed("the XML is nested too deeply"));
    }
    if count >= MAX_ELEMENTS {
        return Err(Error::ResponseMalformed("the XML has too many elements"));
    }
    Ok(count + 1)
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(element: Element, open: &mut [Element], root: &mut Option<Element>) {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn check_declaration(decl: &quick_xml::events::BytesDecl<'_>) -> Result<()> {
    let version = decl
        .version()
        .map_err(|_| Error::ResponseMalformed("bad XML declaration"))?;
    if version.as_ref() != "1.0" {
        return Err(Error::ResponseMalformed("only XML 1.0 is accepted"));
    }
    if let Some(encoding) = decl.encoding() {
        let encoding = encoding.map_err(|_| Error::ResponseMalformed("bad XML declaration"))?;
        if !encoding.eq_ignore_ascii_case("utf-8") {
            return Err(Error::ResponseMalformed(
                "the XML declares an encoding other than UTF-8",
            ));
        }
    }
    Ok(())
}

/// A reference in text: one of the five predefined entities or a character reference.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<char> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c),
            _ => Err(Error::ResponseMalformed("bad character reference")),
        };
    }
    match reference.as_ref() {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => Err(Error::XmlForbidden("unknown entity reference")),
    }
}

fn new_element(reader: &NsReader<&[u8]>, start: &BytesStart<'_>) -> Result<Element> {
    let resolver = reader.resolver();
    let (ns, local) = resolver.resolve_element(start.name());
    let ns = namespace(ns)?;
    let local = qname_local(local.as_ref())?;

    let mut attrs: Vec<Attribute> = Vec::new();
    for attr in start.attributes().with_checks(true) {
        let attr = attr.map_err(|_| Error::ResponseMalformed("bad attribute"))?;
        let value = attribute_value(&attr)?;
        if attr.key.as_namespace_binding().is_some() {
            // quick-xml binds the raw (unescaped) value; a declaration whose value changes when
            // unescaped would be read differently by other parsers, so it is refused.
            if value.as_str() != attr.value.as_ref() {
                return Err(Error::ResponseMalformed("escaped namespace name"));
            }
            continue;
        }
        let (attr_ns, attr_local) = resolver.resolve_attribute(attr.key);
        let attr_ns = namespace(attr_ns)?;
        let attr_local = qname_local(attr_local.as_ref())?;
        if attrs
            .iter()
            .any(|a| a.ns == attr_ns && a.local == attr_local)
        {
            return Err(Error::ResponseMalformed("duplicate attribute"));
        }
        attrs.push(Attribute {
            ns: attr_ns,
            local: attr_local,
            value,
        });
    }

    Ok(Element {
        ns,
        local,
        attrs,
        children: Vec::new(),
        text: String::new(),
        has_markup: false,
    })
}

fn qname_local(local: &str) -> Result<String> {
    if local.is_empty() {
        return Err(Error::ResponseMalformed("empty name"));
    }
    Ok(local.to_owned())
}

/// An attribute value with references resolved and whitespace normalised as XML 1.0 requires.
fn attribute_value(attr: &QAttribute<'_>) -> Result<String> {
    if attr.value.contains('<') {
        return Err(Error::ResponseMalformed("'<' in an attribute value"));
    }
    let value = attr
        .normalized_value(XmlVersion::Explicit1_0)
        .map_err(|e| match e {
            quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(..)) => {
                Error::XmlForbidden("unknown entity reference")
            }
            _ => Error::ResponseMalformed("bad attribute value"),
        })?;
    if !value.chars().all(is_xml_char) {
        return Err(Error::ResponseMalformed("bad character reference"));
    }
    Ok(value.into_owned())
}

fn namespace(result: ResolveResult<'_>) -> Result<String> {
    match result {
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Bound(ns) => Ok(ns.into_inner().to_owned()),
        ResolveResult::Unknown(_) => Err(Error::ResponseMalformed("undeclared namespace prefix")),
    }
}

fn map_quick_xml_error(error: quick_xml::Error) -> Error {
    match error {
        quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(..)) => {
            Error::XmlForbidden("unknown entity reference")
        }
        quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedDoctype) => {
            Error::XmlForbidden("DOCTYPE is not allowed")
        }
        quick_xml::Error::Syntax(_) => Error::ResponseMalformed("the XML is not well-formed"),
        quick_xml::Error::IllFormed(_) => Error::ResponseMalformed("the XML is not well-formed"),
        quick_xml::Error::Namespace(_) => Error::ResponseMalformed("bad namespace declaration"),
        _ => Error::ResponseMalformed("the XML cannot be read"),
    }
}
