//! The namespace-aware tree reader: [`parse`] reads quick-xml's event stream into [`Element`]s, with
//! prefixes resolved to namespace URIs by quick-xml's `NsReader`, and puts the rules listed in the
//! module documentation of [`crate::plumbing::xml`] around it: caps on depth, elements and attributes, DOCTYPE
//! and entity refusal, and the few well-formedness checks quick-xml leaves to its caller.

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};
use quick_xml::{NsReader, XmlVersion};

use super::rules::{is_xml_char, is_xml_whitespace, parse_xs_boolean, MAX_ATTRIBUTES, MAX_DEPTH};
use super::rules::{MAX_ELEMENTS, NS_XSI};
use crate::error::{Error, Result};

/// The namespace the `xml` prefix is bound to, always.
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes themselves, which nothing may be bound to.
const NS_XMLNS: &str = "http://www.w3.org/2000/xmlns/";

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

/// Parses a whole document into its root element, applying every check listed in the module
/// documentation of [`crate::plumbing::xml`].
pub fn parse(document: &str) -> Result<Element> {
    // quick-xml passes any character through; XML 1.0 cannot carry C0 controls, U+FFFE or U+FFFF.
    if !document.chars().all(|c| is_xml_char(c) || c == '\u{feff}') {
        return Err(malformed(
            "the XML contains a character XML 1.0 does not allow",
        ));
    }
    let document = document.strip_prefix('\u{feff}').unwrap_or(document);
    let mut reader = NsReader::from_str(document);
    let config = reader.config_mut();
    config.check_comments = true;
    config.check_end_names = true;
    config.allow_dangling_amp = false;
    config.allow_unmatched_ends = false;
    config.expand_empty_elements = false;
    config.trim_text(false);

    // Open elements, innermost last.
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    let mut elements = 0usize;
    let mut first = true;
    loop {
        let event = reader.read_event().map_err(to_error)?;
        let at_start = std::mem::replace(&mut first, false);
        match event {
            Event::Decl(declaration) if at_start => {
                let version = declaration.version().map_err(to_error)?;
                let encoding = declaration
                    .encoding()
                    .transpose()
                    .map_err(|_| NOT_WELL_FORMED)?;
                check_declaration(&version, encoding.as_deref())?;
            }
            Event::Decl(_) => return Err(malformed("an XML declaration must come first")),
            Event::DocType(_) => return Err(Error::XmlForbidden("DOCTYPE is not allowed")),
            Event::PI(pi) => {
                if pi.target().eq_ignore_ascii_case("xml") {
                    return Err(malformed("an XML declaration must come first"));
                }
                mark_markup(&mut open);
            }
            Event::Comment(_) => mark_markup(&mut open),
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(malformed("content after the root element"));
            }
            Event::Start(start) => {
                let element = new_element(&reader, &start, &mut elements, open.len())?;
                open.push(element);
            }
            Event::Empty(start) => {
                let element = new_element(&reader, &start, &mut elements, open.len())?;
                attach(element, &mut open, &mut root);
            }
            Event::End(_) => {
                let element = open.pop().ok_or(malformed("unexpected end tag"))?;
                attach(element, &mut open, &mut root);
            }
            Event::Text(text) => {
                let text = text.xml10_content();
                // `]]>` may not appear in character data (XML 1.0 §2.4); quick-xml does not look.
                if text.contains("]]>") {
                    return Err(NOT_WELL_FORMED);
                }
                match open.last_mut() {
                    Some(element) => element.text.push_str(&text),
                    None if text.chars().all(is_xml_whitespace) => {}
                    None if root.is_some() => {
                        return Err(malformed("content after the root element"))
                    }
                    None => return Err(malformed("text outside the root element")),
                }
            }
            Event::CData(cdata) => current(&mut open, &root)?
                .text
                .push_str(&cdata.xml10_content()),
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)?;
                current(&mut open, &root)?.text.push_str(&resolved);
            }
            Event::Eof => break,
        }
    }
    if !open.is_empty() {
        return Err(malformed("the XML ends inside an element"));
    }
    root.ok_or(malformed("the XML has no root element"))
}

const fn malformed(message: &'static str) -> Error {
    Error::ResponseMalformed(message)
}

const NOT_WELL_FORMED: Error = malformed("the XML is not well-formed");

/// quick-xml's errors carry text from the document; ours are fixed messages.
fn to_error(error: quick_xml::Error) -> Error {
    use quick_xml::errors::SyntaxError;
    use quick_xml::escape::EscapeError;
    match error {
        quick_xml::Error::Syntax(SyntaxError::UnclosedDoctype) => {
            Error::XmlForbidden("DOCTYPE is not allowed")
        }
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(..)) => {
            Error::XmlForbidden("unknown entity reference")
        }
        quick_xml::Error::Namespace(_) => malformed("bad namespace declaration"),
        _ => NOT_WELL_FORMED,
    }
}

/// `&lt;`-style and `&#...;` references. Only the five predefined entities exist without a DTD, and a
/// DTD is refused, so any other name is an attempt at one.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<String> {
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(c)) if is_xml_char(c) => Ok(c.to_string()),
            _ => Err(malformed(
                "a character reference names a character XML does not allow",
            )),
        };
    }
    let name = reference.borrow().into_inner();
    resolve_xml_entity(&name)
        .map(str::to_owned)
        .ok_or(Error::XmlForbidden("unknown entity reference"))
}

/// The body reaches us as a Rust string, i.e. already UTF-8: a declaration claiming otherwise means
/// the body is not what the service sends.
fn check_declaration(version: &str, encoding: Option<&str>) -> Result<()> {
    if version != "1.0" {
        return Err(malformed("only XML 1.0 is accepted"));
    }
    if encoding.is_some_and(|encoding| !encoding.eq_ignore_ascii_case("utf-8")) {
        return Err(malformed("the XML declares an encoding other than UTF-8"));
    }
    Ok(())
}

/// A comment or processing instruction directly inside the innermost open element.
fn mark_markup(open: &mut [Element]) {
    if let Some(element) = open.last_mut() {
        element.has_markup = true;
    }
}

/// The element character data belongs to: the innermost open one.
fn current<'a>(open: &'a mut [Element], root: &Option<Element>) -> Result<&'a mut Element> {
    match open.last_mut() {
        Some(element) => Ok(element),
        None if root.is_some() => Err(malformed("content after the root element")),
        None => Err(malformed("text outside the root element")),
    }
}

/// Attaches a finished element to its parent, or makes it the root.
fn attach(element: Element, open: &mut [Element], root: &mut Option<Element>) {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

/// Builds an element from its start tag, after the caps on elements, depth and attributes. The
/// reader has already taken the tag's namespace declarations into scope.
fn new_element(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    elements: &mut usize,
    depth: usize,
) -> Result<Element> {
    if *elements >= MAX_ELEMENTS {
        return Err(malformed("the XML has too many elements"));
    }
    *elements += 1;
    if depth >= MAX_DEPTH {
        return Err(malformed("the XML nests elements too deeply"));
    }
    let resolver = reader.resolver();
    let (ns, local) = resolver.resolve_element(start.name());
    let ns = namespace(ns)?;
    if start.name().prefix().is_some_and(|p| p.as_ref() == "xmlns") {
        return Err(malformed("an element uses the xmlns prefix"));
    }

    let mut attrs: Vec<Attribute> = Vec::new();
    // With checks on, quick-xml refuses attributes repeated by qualified name, values without quotes
    // and attributes not separated by whitespace.
    for (count, attribute) in start.attributes().with_checks(true).enumerate() {
        if count >= MAX_ATTRIBUTES {
            return Err(malformed("an element has too many attributes"));
        }
        let attribute = attribute.map_err(|_| NOT_WELL_FORMED)?;
        let raw: &str = &attribute.value;
        if raw.contains('<') {
            return Err(NOT_WELL_FORMED);
        }
        if let Some(declaration) = attribute.key.as_namespace_binding() {
            check_namespace_declaration(&declaration, raw)?;
            continue;
        }
        let (attribute_ns, attribute_local) = resolver.resolve_attribute(attribute.key);
        let attribute_ns = namespace(attribute_ns)?;
        let attribute_local: &str = attribute_local.as_ref();
        // By expanded name: two prefixes bound to one URI name the same attribute.
        if attrs
            .iter()
            .any(|a| a.ns == attribute_ns && a.local == attribute_local)
        {
            return Err(malformed("duplicate attribute"));
        }
        let value = attribute
            .normalized_value_with(XmlVersion::Implicit1_0, 1, resolve_xml_entity)
            .map_err(to_error)?;
        if !value.chars().all(is_xml_char) {
            return Err(malformed(
                "a character reference names a character XML does not allow",
            ));
        }
        attrs.push(Attribute {
            ns: attribute_ns,
            local: attribute_local.to_owned(),
            value: value.into_owned(),
        });
    }

    Ok(Element {
        ns,
        local: local.as_ref().to_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        has_markup: false,
    })
}

/// The namespace URI of a resolved name; empty for none. An undeclared prefix is malformed.
fn namespace(resolved: ResolveResult<'_>) -> Result<String> {
    match resolved {
        ResolveResult::Bound(ns) => Ok(ns.as_ref().to_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(_) => Err(malformed("undeclared namespace prefix")),
    }
}

/// The rules of Namespaces in XML 1.0 (section 3), and one of ours: the URI must be written plainly.
fn check_namespace_declaration(declaration: &PrefixDeclaration<'_>, uri: &str) -> Result<()> {
    // A reference or a whitespace character that normalisation would turn into a space: the URI as
    // written is not the URI, and an unusual way of writing one is not something the service does.
    if uri.contains(['&', '\t', '\n', '\r']) {
        return Err(malformed("escaped namespace name"));
    }
    let allowed = match declaration {
        // `xmlns=""` undeclares the default namespace.
        PrefixDeclaration::Default => uri != NS_XML && uri != NS_XMLNS,
        PrefixDeclaration::Named(prefix) => match *prefix {
            "xmlns" => false,
            "xml" => uri == NS_XML,
            // A prefix cannot be undeclared in XML 1.0.
            _ => !uri.is_empty() && uri != NS_XML && uri != NS_XMLNS,
        },
    };
    if allowed {
        Ok(())
    } else {
        Err(malformed("bad namespace declaration"))
    }
}
