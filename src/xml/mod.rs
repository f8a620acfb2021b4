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
//!   deeper than [`MAX_DEPTH`], more than [`MAX_ELEMENTS`] elements or [`MAX_ATTRIBUTES`] attributes
//!   on one element, unbound prefixes, duplicate
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
//! The size of the input is capped by the caller (see [`crate::response::MAX_RESPONSE_BYTES`]).

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
/// Most attributes (namespace declarations included) accepted on one element. A SOAP response's
/// elements carry a handful. Without a cap, one start tag of 256 KiB holds 25 000 attributes, and the
/// duplicate check (quadratic in their number) kept a core busy for over half a minute.
pub const MAX_ATTRIBUTES: usize = 64;

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
    for (index, attr) in start.attributes().with_checks(true).enumerate() {
        if index >= MAX_ATTRIBUTES {
            return Err(Error::ResponseMalformed(
                "an element has too many attributes",
            ));
        }
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const P: &str = "urn:p";

    /// One line per hostile or odd input: the error code `parse` must give.
    macro_rules! refused {
        ($($name:ident($input:expr) => $code:literal;)*) => {
            $(
                #[test]
                fn $name() {
                    let input: String = $input.into();
                    match parse(&input) {
                        Ok(tree) => panic!("accepted: {tree:?}"),
                        Err(error) => assert_eq!(error.code(), $code, "{error}"),
                    }
                }
            )*
        };
    }

    refused! {
        doctype_plain("<!DOCTYPE a><a/>") => "ERR_XML_FORBIDDEN";
        doctype_internal_subset("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>") => "ERR_XML_FORBIDDEN";
        doctype_billion_laughs(concat!(
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">",
            "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">",
            "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>",
            "<lolz>&lol3;</lolz>")) => "ERR_XML_FORBIDDEN";
        doctype_xxe("<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>") => "ERR_XML_FORBIDDEN";
        doctype_external_dtd("<!DOCTYPE a SYSTEM \"http://evil.example/a.dtd\"><a/>") => "ERR_XML_FORBIDDEN";
        doctype_after_root("<a/><!DOCTYPE a>") => "ERR_XML_FORBIDDEN";
        doctype_unclosed("<!DOCTYPE a [") => "ERR_XML_FORBIDDEN";
        doctype_gt_in_entity_value("<!DOCTYPE a [<!ENTITY x \"a>b\"><!-- > -->]><a>&x;</a>") => "ERR_XML_FORBIDDEN";
        doctype_parameter_entity("<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://evil.example/p\"> %p;]><a/>") => "ERR_XML_FORBIDDEN";
        doctype_inside_root("<a><!DOCTYPE a></a>") => "ERR_XML_FORBIDDEN";
        unknown_entity_in_text("<a>&xxe;</a>") => "ERR_XML_FORBIDDEN";
        unknown_entity_in_attribute("<a b=\"&xxe;\"/>") => "ERR_XML_FORBIDDEN";
        html_entity("<a>&nbsp;</a>") => "ERR_XML_FORBIDDEN";
        dangling_ampersand("<a>a & b</a>") => "ERR_RESPONSE_MALFORMED";
        char_ref_nul("<a>&#0;</a>") => "ERR_RESPONSE_MALFORMED";
        char_ref_control("<a>&#x1;</a>") => "ERR_RESPONSE_MALFORMED";
        char_ref_fffe("<a>&#xFFFE;</a>") => "ERR_RESPONSE_MALFORMED";
        char_ref_surrogate("<a>&#xD800;</a>") => "ERR_RESPONSE_MALFORMED";
        char_ref_in_attribute("<a b=\"&#1;\"/>") => "ERR_RESPONSE_MALFORMED";
        raw_control_char("<a>\u{1}</a>") => "ERR_RESPONSE_MALFORMED";
        raw_nul("<a>\u{0}</a>") => "ERR_RESPONSE_MALFORMED";
        utf16_declaration("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>") => "ERR_RESPONSE_MALFORMED";
        latin1_declaration("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>") => "ERR_RESPONSE_MALFORMED";
        xml11_declaration("<?xml version=\"1.1\"?><a/>") => "ERR_RESPONSE_MALFORMED";
        late_declaration("<a/><?xml version=\"1.0\"?>") => "ERR_RESPONSE_MALFORMED";
        two_roots("<a/><b/>") => "ERR_RESPONSE_MALFORMED";
        two_roots_with_content("<a>x</a><a>y</a>") => "ERR_RESPONSE_MALFORMED";
        text_after_root("<a/>junk") => "ERR_RESPONSE_MALFORMED";
        text_before_root("junk<a/>") => "ERR_RESPONSE_MALFORMED";
        empty_document("") => "ERR_RESPONSE_MALFORMED";
        only_whitespace("  \n ") => "ERR_RESPONSE_MALFORMED";
        only_comment("<!-- x -->") => "ERR_RESPONSE_MALFORMED";
        truncated_in_tag("<a><b") => "ERR_RESPONSE_MALFORMED";
        truncated_open_elements("<a><b>text") => "ERR_RESPONSE_MALFORMED";
        truncated_attribute("<a b=\"x") => "ERR_RESPONSE_MALFORMED";
        truncated_comment("<a><!-- x") => "ERR_RESPONSE_MALFORMED";
        truncated_cdata("<a><![CDATA[x") => "ERR_RESPONSE_MALFORMED";
        mismatched_end("<a><b></a></b>") => "ERR_RESPONSE_MALFORMED";
        unmatched_end("<a></a></b>") => "ERR_RESPONSE_MALFORMED";
        unbound_prefix("<x:a/>") => "ERR_RESPONSE_MALFORMED";
        unbound_attribute_prefix("<a x:b=\"1\"/>") => "ERR_RESPONSE_MALFORMED";
        prefix_out_of_scope("<a><b xmlns:x=\"urn:x\"/><x:c/></a>") => "ERR_RESPONSE_MALFORMED";
        duplicate_attribute("<a b=\"1\" b=\"2\"/>") => "ERR_RESPONSE_MALFORMED";
        duplicate_expanded_attribute("<a xmlns:x=\"urn:n\" xmlns:y=\"urn:n\" x:b=\"1\" y:b=\"2\"/>") => "ERR_RESPONSE_MALFORMED";
        lt_in_attribute("<a b=\"<\"/>") => "ERR_RESPONSE_MALFORMED";
        escaped_namespace_name("<x:a xmlns:x=\"urn&#58;p\"/>") => "ERR_RESPONSE_MALFORMED";
        rebind_xmlns_prefix("<a xmlns:xmlns=\"urn:x\"/>") => "ERR_RESPONSE_MALFORMED";
        double_hyphen_comment("<a><!-- a -- b --></a>") => "ERR_RESPONSE_MALFORMED";
        too_deep(format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1))) => "ERR_RESPONSE_MALFORMED";
        deep_100_000(format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000))) => "ERR_RESPONSE_MALFORMED";
        deep_100_000_unclosed("<a>".repeat(100_000)) => "ERR_RESPONSE_MALFORMED";
        too_many_elements(format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS))) => "ERR_RESPONSE_MALFORMED";
        lowercase_doctype("<!doctype a><a/>") => "ERR_XML_FORBIDDEN";
        too_many_attributes(format!("<a{}/>", (0..=MAX_ATTRIBUTES).map(|i| format!(" b{i}=\"\"")).collect::<String>())) => "ERR_RESPONSE_MALFORMED";
        too_many_namespace_declarations(format!("<a{}/>", (0..=MAX_ATTRIBUTES).map(|i| format!(" xmlns:p{i}=\"urn:{i}\"")).collect::<String>())) => "ERR_RESPONSE_MALFORMED";
        attribute_flood_250_kib(format!("<a{}/>", (0..25_000).map(|i| format!(" b{i}=\"\"")).collect::<String>())) => "ERR_RESPONSE_MALFORMED";
    }

    #[test]
    fn attribute_limit_is_exact() {
        let attrs: String = (1..MAX_ATTRIBUTES).map(|i| format!(" b{i}=\"\"")).collect();
        let doc = format!("<a xmlns:x=\"urn:x\"{attrs}/>");
        assert_eq!(parse(&doc).unwrap().attrs.len(), MAX_ATTRIBUTES - 1);
    }

    #[test]
    fn depth_limit_is_exact() {
        let doc = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        let mut element = parse(&doc).unwrap();
        let mut depth = 1;
        while let Some(child) = element.children.pop() {
            element = child;
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH);
    }

    #[test]
    fn element_limit_is_exact() {
        let doc = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS - 1));
        assert_eq!(parse(&doc).unwrap().children.len(), MAX_ELEMENTS - 1);
    }

    #[test]
    fn names_resolve_by_namespace_not_prefix() {
        for doc in [
            "<x:a xmlns:x=\"urn:p\"><x:b>1</x:b></x:a>",
            "<y:a xmlns:y=\"urn:p\"><y:b>1</y:b></y:a>",
            "<a xmlns=\"urn:p\"><b>1</b></a>",
            "<x:a xmlns:x=\"urn:p\"><b xmlns=\"urn:p\">1</b></x:a>",
            "<x:a xmlns:x=\"urn:q\"><x:b xmlns:x=\"urn:p\">1</x:b></x:a>",
        ] {
            let root = parse(doc).unwrap();
            let b = root.children.first().unwrap();
            assert!(b.is(P, "b"), "{doc}");
            assert_eq!(b.leaf_text().unwrap(), "1", "{doc}");
        }
        let root = parse("<x:a xmlns:x=\"urn:p\"><b/></x:a>").unwrap();
        assert!(root.is(P, "a"));
        assert!(
            root.children[0].is("", "b"),
            "unprefixed child without default namespace"
        );
        let root = parse("<a xmlns=\"urn:p\"><b xmlns=\"\"/></a>").unwrap();
        assert!(root.children[0].is("", "b"), "default namespace undeclared");
    }

    #[test]
    fn text_is_unescaped_and_joined() {
        let root =
            parse("<a>&lt;&gt;&amp;&quot;&apos; &#65;&#x42;<![CDATA[<&]]>c\r\nd\re&#13;&#10;</a>")
                .unwrap();
        assert_eq!(root.leaf_text().unwrap(), "<>&\"' AB<&c\nd\ne\r\n");
    }

    #[test]
    fn attributes_are_resolved_and_normalised() {
        let root = parse(
            "<a xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:nil=\"true\" b=\"x&amp;&#x9;y\tz\"/>",
        )
        .unwrap();
        assert_eq!(root.attr(NS_XSI, "nil"), Some("true"));
        assert_eq!(root.attr("", "b"), Some("x&\ty z"));
        assert_eq!(
            root.attrs.len(),
            2,
            "namespace declarations are not attributes"
        );
        assert!(root.is_nil().unwrap());
    }

    #[test]
    fn comments_and_pis_are_refused_only_in_values() {
        let root =
            parse("<?xml version='1.0'?><!--c--><?pi x?><a><!--c--><?pi?><b>1</b></a><!--c-->")
                .unwrap();
        assert!(root.children[0].leaf_text().is_ok());
        for doc in [
            "<a>ab<!--c-->cd</a>",
            "<a><!--c-->abcd</a>",
            "<a>abcd<?pi?></a>",
        ] {
            let error = parse(doc).unwrap().leaf_text().unwrap_err();
            assert_eq!(error.code(), "ERR_RESPONSE_MALFORMED", "{doc}");
        }
        assert_eq!(
            parse("<a>ab<![CDATA[cd]]>ef</a>")
                .unwrap()
                .leaf_text()
                .unwrap(),
            "abcdef"
        );
        let error = parse("<a>x<b/></a>").unwrap().leaf_text().unwrap_err();
        assert_eq!(error.code(), "ERR_RESPONSE_MALFORMED");
    }

    #[test]
    fn declaration_and_bom_are_accepted() {
        for doc in [
            "\u{FEFF}<a/>",
            "<?xml version=\"1.0\"?><a/>",
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>",
            "\u{FEFF}<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\r\n<a/>\n",
        ] {
            assert!(parse(doc).unwrap().is("", "a"), "{doc:?}");
        }
    }

    #[test]
    fn nil_and_booleans() {
        for (value, expected) in [
            ("true", Some(true)),
            ("1", Some(true)),
            (" \t\r\ntrue\n ", Some(true)),
            ("false", Some(false)),
            ("0", Some(false)),
            ("TRUE", None),
            ("True", None),
            ("yes", None),
            ("", None),
            ("01", None),
            ("\u{A0}true", None),
        ] {
            assert_eq!(parse_xs_boolean(value), expected, "{value:?}");
        }
        let nil = |doc: &str| {
            parse(doc)
                .and_then(|root| root.is_nil())
                .map_err(|e| e.code())
        };
        let i = "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"";
        assert_eq!(nil(&format!("<a {i} i:nil=\"1\"/>")), Ok(true));
        assert_eq!(nil(&format!("<a {i} i:nil=\"false\">x</a>")), Ok(false));
        assert_eq!(
            nil("<a nil=\"true\"/>"),
            Ok(false),
            "unqualified nil is not xsi:nil"
        );
        assert_eq!(
            nil(&format!("<a {i} i:nil=\"yes\"/>")),
            Err("ERR_RESPONSE_MALFORMED")
        );
        assert_eq!(
            nil(&format!("<a {i} i:nil=\"true\">x</a>")),
            Err("ERR_RESPONSE_MALFORMED")
        );
    }

    #[test]
    fn unique_child_refuses_repeats() {
        let root = parse("<a><b/><c/><b/></a>").unwrap();
        assert!(root.unique_child("", "c").unwrap().is_some());
        assert!(root.unique_child("", "d").unwrap().is_none());
        assert_eq!(
            root.unique_child("", "b").unwrap_err().code(),
            "ERR_RESPONSE_MALFORMED"
        );
    }

    #[test]
    fn escape_round_trips() {
        let value = "a&b<c>d\"e'f g\th\ni\r\nj\rk é 漢 😀 ]]> &amp;";
        let escaped = escape(value).unwrap();
        assert!(!escaped.contains(['<', '>', '"', '\'', '\t', '\n', '\r']));
        let root = parse(&format!("<a b=\"{escaped}\">{escaped}</a>")).unwrap();
        assert_eq!(root.leaf_text().unwrap(), value);
        assert_eq!(root.attr("", "b"), Some(value));
        for bad in ["\u{0}", "a\u{1F}", "\u{B}", "\u{FFFE}", "\u{FFFF}"] {
            assert_eq!(escape(bad), None, "{bad:?}");
        }
    }
}
