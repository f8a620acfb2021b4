//! The caps, characters and escaping XML reading and writing share (the tree builder in `tree` and
//! the request writers), kept apart from the module's front so that `tree` depends on them and not on
//! its parent.

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
