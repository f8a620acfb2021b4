//! Holds our XML reader (`superoffice_auth::xml::parse`) against roxmltree on one document. Shared by
//! `tests/xml_differential.rs` and the `xml` fuzz target (`fuzz/fuzz_targets/xml.rs`), so both apply
//! the same rules:
//!
//! - roxmltree refuses: we must refuse too (one exception: difference 7 below);
//! - roxmltree accepts and the document uses none of the features we refuse on purpose (below): we must
//!   accept, with the same tree (namespace URIs, local names, attributes in order with their values,
//!   each element's own text, whether comments or processing instructions sit beside that text);
//! - roxmltree accepts a document using one of those features: nothing is required beyond not
//!   panicking.
//!
//! The deliberate differences, each found by `deliberate_difference`:
//!
//! 1. the XML declaration: we accept only version 1.0, encoding UTF-8 (or none), `standalone` yes or
//!    no; roxmltree does not look at the values;
//! 2. processing instructions: we refuse a target spelled `xml` in any case (other than the
//!    declaration), a target with a colon, and content not separated from the target by whitespace;
//!    roxmltree accepts all three;
//! 3. character references to surrogates or past U+10FFFF: we refuse them (XML 1.0's Char
//!    production); roxmltree reads them as U+FFFD;
//! 4. namespace declarations: we refuse `xmlns:p=""` and `xmlns:xmlns="..."` (both forbidden by
//!    Namespaces in XML 1.0) and a URI written with a reference, tab, LF or CR (our rule: the URI as
//!    written must be the URI); roxmltree accepts them;
//! 5. our limits: depth [`MAX_DEPTH`], [`MAX_ELEMENTS`] elements, [`MAX_ATTRIBUTES`] attributes
//!    (namespace declarations included) on one element;
//! 6. a roxmltree bug, not a choice: a literal CR right before a reference in text, or right after one
//!    at the end of a text run, stays a CR in roxmltree (`a\r&amp;` reads as `a\r&`, `&amp;\r<b/>` as
//!    `&\r`), where XML 1.0 makes it a LF, as we do;
//! 7. another roxmltree bug: it refuses the `xml` prefix on an element name (`<xml:a/>`) as unbound;
//!    Namespaces in XML binds it by definition, and we (like quick-xml before us) accept it. roxmltree
//!    stops at that error, so such a document is not compared any further;
//! 8. roxmltree reads a name with an empty prefix (`:a`) as unprefixed, so `<a></:a>` passes; `:a` is
//!    not a QName, and we refuse it;
//! 9. roxmltree takes any attribute whose local part is `xmlns` (`p:xmlns="urn:x"`) for a default
//!    namespace declaration; we resolve its prefix like any other (and refuse it when unbound);
//! 10. roxmltree accepts some repeated namespace declarations on one tag (`xmlns` twice, `xmlns:xml`
//!     twice); XML 1.0 forbids any attribute twice, and we refuse them.

use superoffice_auth::xml::{self, Element, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS};

/// How the two readers agreed on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// Both accept, with the same tree.
    SameTree,
    /// Both refuse.
    BothRefuse,
    /// roxmltree accepts a document that uses a deliberate difference; the text says which.
    Deliberate(&'static str),
}

/// Compares the readers on `document`; `Err` describes a disagreement that is not deliberate.
pub fn compare(document: &str) -> Result<Agreement, String> {
    let ours = xml::parse(document);
    let theirs = match roxmltree::Document::parse(document) {
        Ok(theirs) => theirs,
        // roxmltree binds `xml` only for attributes; Namespaces in XML binds it everywhere.
        Err(roxmltree::Error::UnknownNamespace(prefix, _)) if prefix == "xml" => {
            return Ok(Agreement::Deliberate(
                "roxmltree does not bind xml on elements",
            ));
        }
        Err(error) => {
            return match ours {
                Err(_) => Ok(Agreement::BothRefuse),
                Ok(tree) => Err(format!(
                    "we accept what roxmltree refuses ({error}): {tree:?}"
                )),
            };
        }
    };
    if let Some(reason) = deliberate_difference(document, &theirs) {
        return Ok(Agreement::Deliberate(reason));
    }
    match ours {
        Err(error) => Err(format!(
            "we refuse what roxmltree accepts: {} ({error})",
            error.code()
        )),
        Ok(tree) => same_element(&tree, theirs.root_element()).map(|()| Agreement::SameTree),
    }
}

fn same_element(ours: &Element, theirs: roxmltree::Node<'_, '_>) -> Result<(), String> {
    let name = theirs.tag_name();
    let their_attrs: Vec<(&str, &str, &str)> = theirs
        .attributes()
        .map(|a| (a.namespace().unwrap_or(""), a.name(), a.value()))
        .collect();
    let our_attrs: Vec<(&str, &str, &str)> = ours
        .attrs
        .iter()
        .map(|a| (a.ns.as_str(), a.local.as_str(), a.value.as_str()))
        .collect();
    let their_text: String = theirs
        .children()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    let their_markup = theirs.children().any(|n| n.is_comment() || n.is_pi());
    let their_children: Vec<roxmltree::Node<'_, '_>> =
        theirs.children().filter(|n| n.is_element()).collect();

    let mut problems = Vec::new();
    if (ours.ns.as_str(), ours.local.as_str()) != (name.namespace().unwrap_or(""), name.name()) {
        problems.push(format!(
            "name {{{}}}{} vs {{{}}}{}",
            ours.ns,
            ours.local,
            name.namespace().unwrap_or(""),
            name.name()
        ));
    }
    if our_attrs != their_attrs {
        problems.push(format!("attributes {our_attrs:?} vs {their_attrs:?}"));
    }
    if ours.raw_text() != their_text {
        problems.push(format!("text {:?} vs {their_text:?}", ours.raw_text()));
    }
    // `leaf_text` refuses a comment or processing instruction; it can only be asked without children.
    if their_children.is_empty()
        && ours.children.is_empty()
        && ours.leaf_text().is_err() != their_markup
    {
        problems.push(format!(
            "comment or PI inside: ours no, roxmltree {their_markup}"
        ));
    }
    if ours.children.len() != their_children.len() {
        problems.push(format!(
            "{} children vs {}",
            ours.children.len(),
            their_children.len()
        ));
    }
    if !problems.is_empty() {
        return Err(format!("<{}>: {}", ours.local, problems.join("; ")));
    }
    for (ours, theirs) in ours.children.iter().zip(their_children) {
        same_element(ours, theirs)?;
    }
    Ok(())
}

/// Which deliberate difference (see the module documentation) `document` uses, if any. Checks that
/// read the text may see markup inside a comment or a value: that only skips a document, never
/// excuses one wrongly accepted.
fn deliberate_difference(document: &str, doc: &roxmltree::Document<'_>) -> Option<&'static str> {
    let body = document.strip_prefix('\u{FEFF}').unwrap_or(document);
    if let Some(declaration) = body.strip_prefix("<?xml ") {
        let end = declaration.find("?>").unwrap_or(declaration.len());
        if !plain_declaration(declaration.get(..end).unwrap_or("")) {
            return Some("declaration values");
        }
    }
    for node in doc.descendants() {
        if let Some(pi) = node.pi() {
            if pi.target.eq_ignore_ascii_case("xml") || pi.target.contains(':') {
                return Some("processing instruction target");
            }
            let written = document.get(node.range()).unwrap_or("");
            let after_target = written.get(2 + pi.target.len()..).unwrap_or("");
            if !after_target.starts_with([' ', '\t', '\n', '\r']) && after_target != "?>" {
                return Some("processing instruction without space");
            }
        }
        if node.is_element() {
            if node.ancestors().filter(|a| a.is_element()).count() > MAX_DEPTH {
                return Some("depth limit");
            }
            let start_tag = document.get(node.range().start..).unwrap_or("");
            let names = attribute_names(start_tag);
            if names.len() > MAX_ATTRIBUTES {
                return Some("attribute limit");
            }
            if names
                .iter()
                .enumerate()
                .any(|(i, name)| names.get(..i).is_some_and(|before| before.contains(name)))
            {
                return Some("roxmltree accepts a repeated declaration");
            }
            for ns in node.namespaces() {
                if ns.name() == Some("xmlns") || (ns.name().is_some() && ns.uri().is_empty()) {
                    return Some("namespace declaration forbidden by Namespaces in XML");
                }
            }
        }
    }
    if doc.descendants().filter(|n| n.is_element()).count() > MAX_ELEMENTS {
        return Some("element limit");
    }
    if escaped_namespace_uri(document) {
        return Some("namespace URI written with a reference or whitespace");
    }
    if char_refs(document).any(|n| char::from_u32(n).is_none()) {
        return Some("character reference to no character");
    }
    if document.match_indices(':').any(|(at, _)| {
        document
            .get(..at)
            .is_some_and(|before| before.ends_with(['<', '/', ' ', '\t', '\n', '\r']))
    }) {
        return Some("roxmltree reads an empty prefix as none");
    }
    if document.match_indices(":xmlns").any(|(at, _)| {
        document.get(at + 6..).is_some_and(|rest| {
            rest.trim_start_matches([' ', '\t', '\n', '\r'])
                .starts_with('=')
        })
    }) {
        return Some("roxmltree reads p:xmlns as a default namespace declaration");
    }
    if document.contains("\r&") || document.contains(";\r") {
        return Some("roxmltree keeps a CR beside a reference");
    }
    None
}

/// The pseudo-attributes of a declaration roxmltree accepted: version 1.0, encoding UTF-8 if any,
/// standalone yes or no if any.
fn plain_declaration(declaration: &str) -> bool {
    let mut rest = declaration;
    while let Some((name, after)) = rest.split_once('=') {
        let after = after.trim_start();
        let Some(quote) = after.chars().next() else {
            return false;
        };
        let Some((value, after)) = after.get(1..).and_then(|v| v.split_once(quote)) else {
            return false;
        };
        let ok = match name.trim() {
            "version" => value == "1.0",
            "encoding" => value.eq_ignore_ascii_case("utf-8"),
            "standalone" => value == "yes" || value == "no",
            _ => false,
        };
        if !ok {
            return false;
        }
        rest = after;
    }
    true
}

/// The attribute names in the start tag that begins `tag` (one roxmltree accepted).
fn attribute_names(tag: &str) -> Vec<&str> {
    let mut quote = None;
    let mut names = Vec::new();
    let mut name_start = 0;
    for (at, c) in tag.char_indices() {
        match (quote, c) {
            (None, '>') => break,
            (None, '"' | '\'') => quote = Some(c),
            (None, '=') => {
                let before = tag.get(name_start..at).unwrap_or("").trim_end();
                let name = before.rsplit([' ', '\t', '\n', '\r']).next().unwrap_or("");
                names.push(name);
            }
            (Some(q), c) if q == c => {
                quote = None;
                name_start = at + 1;
            }
            _ => {}
        }
    }
    names
}

/// Whether some `xmlns` or `xmlns:p` attribute's value holds `&`, tab, LF or CR.
fn escaped_namespace_uri(document: &str) -> bool {
    document.match_indices("xmlns").any(|(at, _)| {
        let rest = document.get(at + 5..).unwrap_or("");
        let rest = rest
            .strip_prefix(':')
            .map(|r| {
                r.trim_start_matches(|c: char| !matches!(c, '=' | ' ' | '\t' | '\n' | '\r' | '>'))
            })
            .unwrap_or(rest);
        let rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let Some(rest) = rest.strip_prefix('=') else {
            return false;
        };
        let rest = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        let Some(quote) = rest.chars().next().filter(|q| matches!(q, '"' | '\'')) else {
            return false;
        };
        let value = rest.get(1..).unwrap_or("");
        let value = value.split(quote).next().unwrap_or("");
        value.contains(['&', '\t', '\n', '\r'])
    })
}

/// The code points of every `&#...;` reference in the text (unparseable ones as `u32::MAX`).
fn char_refs(document: &str) -> impl Iterator<Item = u32> + '_ {
    document.match_indices("&#").filter_map(|(at, _)| {
        let rest = document.get(at + 2..)?;
        let (body, _) = rest.split_once(';')?;
        let n = match body.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => body.parse::<u32>(),
        };
        Some(n.unwrap_or(u32::MAX))
    })
}
