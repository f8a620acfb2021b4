//! The namespace-aware tree reader: [`parse`] turns the [`Tokenizer`]'s tokens into [`Element`]s,
//! resolving prefixes to namespace URIs, and applies the response-specific rules (declaration values,
//! element count, namespace declarations) listed in the module documentation of [`crate::xml`].

use super::tokenizer::{attribute_value, split_qname, RawAttribute, Token, Tokenizer, XmlError};
use super::{is_xml_whitespace, parse_xs_boolean, MAX_ELEMENTS, NS_XSI};
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
/// documentation of [`crate::xml`].
pub fn parse(document: &str) -> Result<Element> {
    let mut tokens = Tokenizer::new(document).map_err(to_error)?;
    // Open elements, innermost last, each with the length `scope` had before its declarations.
    let mut open: Vec<(Element, usize)> = Vec::new();
    // In-scope namespace declarations as written (prefix, URI), innermost last; "" is the default.
    let mut scope: Vec<(&str, &str)> = Vec::new();
    let mut root = None;
    let mut elements = 0usize;
    while let Some(token) = tokens.next().map_err(to_error)? {
        match token {
            Token::Declaration { version, encoding } => check_declaration(version, encoding)?,
            Token::Start { name, empty } => {
                if elements >= MAX_ELEMENTS {
                    return Err(Error::ResponseMalformed("the XML has too many elements"));
                }
                elements += 1;
                let mark = scope.len();
                let element = new_element(name, tokens.attributes(), &mut scope)?;
                if empty {
                    scope.truncate(mark);
                    attach(element, &mut open, &mut root);
                } else {
                    open.push((element, mark));
                }
            }
            Token::End => {
                let (element, mark) = open
                    .pop()
                    .ok_or(Error::ResponseMalformed("unexpected end tag"))?;
                scope.truncate(mark);
                attach(element, &mut open, &mut root);
            }
            // The tokenizer hands out character data only inside the root element.
            Token::Text(text) => current(&mut open)?.text.push_str(text),
            Token::Char(c) => current(&mut open)?.text.push(c),
            Token::Comment | Token::ProcessingInstruction => {
                if let Some((element, _)) = open.last_mut() {
                    element.has_markup = true;
                }
            }
        }
    }
    root.ok_or(Error::ResponseMalformed("the XML has no root element"))
}

fn to_error(error: XmlError) -> Error {
    match error {
        XmlError::Doctype => Error::XmlForbidden("DOCTYPE is not allowed"),
        XmlError::UnknownEntity => Error::XmlForbidden("unknown entity reference"),
        XmlError::AfterRoot => Error::ResponseMalformed("content after the root element"),
        XmlError::Malformed(message) => Error::ResponseMalformed(message),
    }
}

/// The body reaches us as a Rust string, i.e. already UTF-8: a declaration claiming otherwise means
/// the body is not what the service sends.
fn check_declaration(version: &str, encoding: Option<&str>) -> Result<()> {
    if version != "1.0" {
        return Err(Error::ResponseMalformed("only XML 1.0 is accepted"));
    }
    if encoding.is_some_and(|encoding| !encoding.eq_ignore_ascii_case("utf-8")) {
        return Err(Error::ResponseMalformed(
            "the XML declares an encoding other than UTF-8",
        ));
    }
    Ok(())
}

fn current(open: &mut [(Element, usize)]) -> Result<&mut Element> {
    open.last_mut()
        .map(|(element, _)| element)
        .ok_or(Error::ResponseMalformed("text outside the root element"))
}

/// Attaches a finished element to its parent, or makes it the root.
fn attach(element: Element, open: &mut [(Element, usize)], root: &mut Option<Element>) {
    match open.last_mut() {
        Some((parent, _)) => parent.children.push(element),
        None => *root = Some(element),
    }
}

/// Builds an element from its start tag: first its namespace declarations join `scope` (they apply to
/// the element carrying them, wherever they stand among its attributes), then names are resolved.
fn new_element<'a>(
    name: &'a str,
    attributes: &[RawAttribute<'a>],
    scope: &mut Vec<(&'a str, &'a str)>,
) -> Result<Element> {
    for attribute in attributes {
        if let Some(prefix) = declared_prefix(attribute.name) {
            check_namespace_declaration(prefix, attribute.raw)?;
            scope.push((prefix, attribute.raw));
        }
    }
    let (prefix, local) = split_qname(name);
    if prefix == "xmlns" {
        return Err(Error::ResponseMalformed("an element uses the xmlns prefix"));
    }
    let ns = resolve(scope, prefix)?;

    let mut attrs: Vec<Attribute> = Vec::with_capacity(attributes.len());
    for attribute in attributes {
        if declared_prefix(attribute.name).is_some() {
            continue;
        }
        let (prefix, local) = split_qname(attribute.name);
        // An unprefixed attribute is in no namespace, whatever the default namespace.
        let ns = if prefix.is_empty() {
            ""
        } else {
            resolve(scope, prefix)?
        };
        // The tokenizer caps the attributes per element, so this stays small.
        if attrs.iter().any(|a| a.ns == ns && a.local == local) {
            return Err(Error::ResponseMalformed("duplicate attribute"));
        }
        attrs.push(Attribute {
            ns: ns.to_owned(),
            local: local.to_owned(),
            value: attribute_value(attribute.raw).map_err(to_error)?,
        });
    }

    Ok(Element {
        ns: ns.to_owned(),
        local: local.to_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        has_markup: false,
    })
}

/// `Some(prefix)` for a namespace declaration (`""` for `xmlns` itself), `None` for other attributes.
fn declared_prefix(name: &str) -> Option<&str> {
    match split_qname(name) {
        ("", "xmlns") => Some(""),
        ("xmlns", prefix) => Some(prefix),
        _ => None,
    }
}

/// The rules of Namespaces in XML 1.0 (section 3), and one of ours: the URI must be written plainly.
fn check_namespace_declaration(prefix: &str, uri: &str) -> Result<()> {
    // A reference or a whitespace character that normalisation would turn into a space: the URI as
    // written is not the URI, and an unusual way of writing one is not something the service does.
    if uri.contains(['&', '\t', '\n', '\r']) {
        return Err(Error::ResponseMalformed("escaped namespace name"));
    }
    let allowed = match prefix {
        "xmlns" => false,
        "xml" => uri == NS_XML,
        // `xmlns=""` undeclares the default namespace; a prefix cannot be undeclared in XML 1.0.
        "" => uri != NS_XML && uri != NS_XMLNS,
        _ => !uri.is_empty() && uri != NS_XML && uri != NS_XMLNS,
    };
    if allowed {
        Ok(())
    } else {
        Err(Error::ResponseMalformed("bad namespace declaration"))
    }
}

/// The namespace URI a prefix stands for here; the empty prefix gives the default namespace.
fn resolve<'a>(scope: &[(&'a str, &'a str)], prefix: &str) -> Result<&'a str> {
    if prefix == "xml" {
        return Ok(NS_XML);
    }
    match scope.iter().rev().find(|(declared, _)| *declared == prefix) {
        Some((_, uri)) => Ok(uri),
        None if prefix.is_empty() => Ok(""),
        None => Err(Error::ResponseMalformed("undeclared namespace prefix")),
    }
}
