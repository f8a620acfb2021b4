//! A small XML 1.0 tokenizer over `&str`, shared by the SOAP tree reader ([`super::tree`]) and the .NET
//! `<RSAKeyValue>` key reader (`crate::key::xml`).
//!
//! It passes on only what is well-formed: every [`Token`] it returns has been checked against the XML
//! 1.0 grammar, with names restricted to the `QName` syntax of Namespaces in XML (at most one colon,
//! neither part empty). Beyond single tokens it checks what needs no knowledge of namespaces: end tags
//! match their start tags, there is exactly one root element, nothing but whitespace, comments and
//! processing instructions stands outside it, the declaration comes first, no attribute name repeats
//! within a tag, and the document does not end early. Namespaces are left to the consumer: the key
//! reader ignores them, the tree reader resolves them.
//!
//! Text comes as pieces: [`Token::Text`] for literal runs, [`Token::Char`] for each reference and each
//! line end, already resolved and normalised. The consumer appends them; nothing is copied here.
//!
//! Refused outright: a DOCTYPE ([`XmlError::Doctype`]), an entity other than the five predefined ones
//! ([`XmlError::UnknownEntity`]), a character XML 1.0 cannot carry, nesting deeper than
//! [`MAX_DEPTH`] and more than [`MAX_ATTRIBUTES`] attributes on one tag.
//!
//! Every step looks at each byte a bounded number of times (a failed search ends the parse), so the
//! time is linear in the input; nothing indexes or slices in a way that can panic.

use super::{is_xml_char, is_xml_whitespace, MAX_ATTRIBUTES, MAX_DEPTH};

/// Why a document was refused. The consumer maps this to its own error and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// A `<!DOCTYPE`, anywhere.
    Doctype,
    /// An entity reference other than `&lt; &gt; &amp; &quot; &apos;`.
    UnknownEntity,
    /// An element or text after the root element closed.
    AfterRoot,
    /// Anything else that is not well-formed, or over a limit; the text says what.
    Malformed(&'static str),
}

const TRUNCATED: XmlError = XmlError::Malformed("the XML is truncated");
const NOT_WELL_FORMED: XmlError = XmlError::Malformed("the XML is not well-formed");
const BAD_NAME: XmlError = XmlError::Malformed("bad name");
const BAD_DECLARATION: XmlError = XmlError::Malformed("bad XML declaration");
const BAD_CHAR_REF: XmlError = XmlError::Malformed("bad character reference");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<?xml ...?>`, only ever as the first thing in the document; syntax checked, values unjudged.
    Declaration {
        version: &'a str,
        encoding: Option<&'a str>,
    },
    /// A start tag (`empty` false) or an empty-element tag. Its attributes are in
    /// [`Tokenizer::attributes`] until the next call.
    Start {
        name: &'a str,
        empty: bool,
    },
    /// The end tag matching the innermost open start tag.
    End,
    /// A run of literal character data (from text or CDATA) with no references and no line ends.
    Text(&'a str),
    /// One character of character data: a resolved reference or a normalised line end (`\n`; a space
    /// in attribute values, where tab and LF also become a space).
    Char(char),
    Comment,
    ProcessingInstruction,
}

/// An attribute as written: its qualified name and its value between the quotes, unresolved but
/// checked (see [`attribute_value`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawAttribute<'a> {
    pub name: &'a str,
    pub raw: &'a str,
}

pub(crate) struct Tokenizer<'a> {
    /// What is left of the document.
    rest: &'a str,
    /// Length of the whole document (BOM excluded): the declaration is allowed only at that point.
    len: usize,
    /// Character data still to hand out, one piece per call.
    pending: Pieces<'a>,
    /// Names of the open elements, innermost last.
    open: Vec<&'a str>,
    /// The current start tag's attributes; reused so a tag costs no allocation once it has grown.
    attributes: Vec<RawAttribute<'a>>,
    root_seen: bool,
}

impl<'a> Tokenizer<'a> {
    /// Starts on a document; a leading BOM is skipped. Checks every character first, so that the
    /// rest of the code need not.
    pub(crate) fn new(document: &'a str) -> Result<Self, XmlError> {
        let document = document.strip_prefix('\u{FEFF}').unwrap_or(document);
        if !document.chars().all(is_xml_char) {
            return Err(XmlError::Malformed(
                "the XML contains a forbidden character",
            ));
        }
        Ok(Tokenizer {
            rest: document,
            len: document.len(),
            pending: Pieces::default(),
            open: Vec::new(),
            attributes: Vec::new(),
            root_seen: false,
        })
    }

    /// The attributes of the last [`Token::Start`].
    pub(crate) fn attributes(&self) -> &[RawAttribute<'a>] {
        &self.attributes
    }

    /// The next token; `Ok(None)` once the whole document has been read and found complete.
    #[allow(clippy::should_implement_trait)] // `Iterator` would hide that the attributes borrow `self`
    pub(crate) fn next(&mut self) -> Result<Option<Token<'a>>, XmlError> {
        loop {
            if let Some(piece) = self.pending.next() {
                return piece.map(Some);
            }
            let token = match self.rest.strip_prefix('<') {
                Some(markup) => self.markup(markup)?,
                None if self.rest.is_empty() => return self.finish().map(|()| None),
                None => self.character_data()?,
            };
            if token.is_some() {
                return Ok(token);
            }
        }
    }

    /// At the end of the input: was the document complete?
    fn finish(&self) -> Result<(), XmlError> {
        if !self.open.is_empty() {
            Err(TRUNCATED)
        } else if !self.root_seen {
            Err(XmlError::Malformed("the XML has no root element"))
        } else {
            Ok(())
        }
    }

    /// Text up to the next `<`: queued as pieces inside the root, skipped if whitespace outside it.
    fn character_data(&mut self) -> Result<Option<Token<'a>>, XmlError> {
        let end = self.rest.find('<').unwrap_or(self.rest.len());
        let (text, rest) = split(self.rest, end)?;
        self.rest = rest;
        if !self.open.is_empty() {
            self.pending = Pieces::new(text, Mode::Text);
        } else if !text.chars().all(is_xml_whitespace) {
            return Err(self.outside_root());
        }
        Ok(None)
    }

    fn outside_root(&self) -> XmlError {
        if self.root_seen {
            XmlError::AfterRoot
        } else {
            XmlError::Malformed("text outside the root element")
        }
    }

    /// Whatever starts with `<`; `s` is what follows it. `None` for a CDATA section, whose content is
    /// queued as pieces.
    fn markup(&mut self, s: &'a str) -> Result<Option<Token<'a>>, XmlError> {
        let at_start = self.rest.len() == self.len;
        if let Some(s) = s.strip_prefix('/') {
            return self.end_tag(s).map(Some);
        }
        if let Some(s) = s.strip_prefix('?') {
            return self.processing_instruction(s, at_start).map(Some);
        }
        if let Some(s) = s.strip_prefix("!--") {
            // Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->': the first `--` must end it.
            let (_, rest) = s.split_once("--").ok_or(TRUNCATED)?;
            self.rest = rest
                .strip_prefix('>')
                .ok_or(XmlError::Malformed("'--' inside a comment"))?;
            return Ok(Some(Token::Comment));
        }
        if let Some(s) = s.strip_prefix("![CDATA[") {
            if self.open.is_empty() {
                return Err(self.outside_root());
            }
            let (content, rest) = s.split_once("]]>").ok_or(TRUNCATED)?;
            self.rest = rest;
            self.pending = Pieces::new(content, Mode::CData);
            return Ok(None);
        }
        if s.starts_with('!') {
            // Any spelling, anywhere: nothing of a DTD is ever read.
            let doctype = s
                .as_bytes()
                .get(1..8)
                .is_some_and(|word| word.eq_ignore_ascii_case(b"DOCTYPE"));
            return Err(if doctype {
                XmlError::Doctype
            } else {
                NOT_WELL_FORMED
            });
        }
        self.start_tag(s).map(Some)
    }

    /// STag ::= '<' QName (S Attribute)* S? '>'; EmptyElemTag ends in '/>' instead.
    fn start_tag(&mut self, s: &'a str) -> Result<Token<'a>, XmlError> {
        if self.open.is_empty() && self.root_seen {
            return Err(XmlError::AfterRoot);
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(XmlError::Malformed("the XML is nested too deeply"));
        }
        let (name, mut rest) = qname(s)?;
        self.attributes.clear();
        while let (Some(attr), after) = attribute(rest)? {
            rest = after;
            if self.attributes.len() >= MAX_ATTRIBUTES {
                return Err(XmlError::Malformed("an element has too many attributes"));
            }
            // At most MAX_ATTRIBUTES names to compare: bounded, not quadratic in the input.
            if self.attributes.iter().any(|seen| seen.name == attr.name) {
                return Err(XmlError::Malformed("duplicate attribute"));
            }
            self.attributes.push(attr);
        }
        let rest = rest.trim_start_matches(is_xml_whitespace);
        let (empty, rest) = match rest.strip_prefix("/>") {
            Some(rest) => (true, rest),
            None => (
                false,
                rest.strip_prefix('>').ok_or_else(|| incomplete(rest))?,
            ),
        };
        self.rest = rest;
        self.root_seen = true;
        if !empty {
            self.open.push(name);
        }
        Ok(Token::Start { name, empty })
    }

    /// ETag ::= '</' QName S? '>', naming the innermost open element.
    fn end_tag(&mut self, s: &'a str) -> Result<Token<'a>, XmlError> {
        let (name, rest) = qname(s)?;
        let rest = rest.trim_start_matches(is_xml_whitespace);
        self.rest = rest.strip_prefix('>').ok_or_else(|| incomplete(rest))?;
        match self.open.pop() {
            Some(open) if open == name => Ok(Token::End),
            Some(_) => Err(XmlError::Malformed("mismatched end tag")),
            None => Err(XmlError::Malformed("unexpected end tag")),
        }
    }

    /// PI ::= '<?' PITarget (S (Char* - (Char* '?>' Char*)))? '?>', where the target is no spelling of
    /// `xml`; `<?xml` is the declaration, and only as the very first thing.
    fn processing_instruction(
        &mut self,
        s: &'a str,
        at_start: bool,
    ) -> Result<Token<'a>, XmlError> {
        // Namespaces in XML: a processing instruction target contains no colon.
        let (target, rest) = split(s, name_len(s, false))?;
        if target.is_empty() {
            return Err(BAD_NAME);
        }
        let (body, rest) = rest.split_once("?>").ok_or(TRUNCATED)?;
        if !body.is_empty() && !body.starts_with(is_xml_whitespace) {
            return Err(NOT_WELL_FORMED);
        }
        self.rest = rest;
        if !target.eq_ignore_ascii_case("xml") {
            Ok(Token::ProcessingInstruction)
        } else if target == "xml" && at_start {
            declaration(body)
        } else {
            Err(XmlError::Malformed("misplaced XML declaration"))
        }
    }
}

/// The "unexpected character" error, or truncation when there is no character.
fn incomplete(rest: &str) -> XmlError {
    if rest.is_empty() {
        TRUNCATED
    } else {
        NOT_WELL_FORMED
    }
}

/// XMLDecl ::= '<?xml' VersionInfo EncodingDecl? SDDecl? S? '?>', given what stands between `<?xml`
/// and `?>`. The pseudo-attributes must come in that order, each at most once.
fn declaration(body: &str) -> Result<Token<'_>, XmlError> {
    const NAMES: [&str; 3] = ["version", "encoding", "standalone"];
    let mut values: [Option<&str>; 3] = [None; 3];
    let mut next_index = 0;
    let mut rest = body;
    while let (Some(attr), after) = attribute(rest)? {
        rest = after;
        let index = NAMES
            .iter()
            .position(|name| *name == attr.name)
            .filter(|index| *index >= next_index)
            .ok_or(BAD_DECLARATION)?;
        *values.get_mut(index).ok_or(BAD_DECLARATION)? = Some(attr.raw);
        next_index = index + 1;
    }
    let [version, encoding, standalone] = values;
    let version = version.ok_or(BAD_DECLARATION)?;
    // VersionNum ::= '1.' [0-9]+
    let minor = version.strip_prefix("1.").unwrap_or("");
    // EncName ::= [A-Za-z] ([A-Za-z0-9._] | '-')*
    let encoding_ok = encoding.is_none_or(|name| {
        name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    });
    if !rest.trim_start_matches(is_xml_whitespace).is_empty()
        || minor.is_empty()
        || !minor.chars().all(|c| c.is_ascii_digit())
        || !encoding_ok
        || !matches!(standalone, None | Some("yes" | "no"))
    {
        return Err(BAD_DECLARATION);
    }
    Ok(Token::Declaration { version, encoding })
}

/// Attribute ::= QName Eq AttValue, preceded by the whitespace that must separate it from what comes
/// before. Returns `None` (and the input) when no attribute follows: `s` holds only whitespace, or
/// whitespace and then `>` or `/`.
fn attribute(s: &str) -> Result<(Option<RawAttribute<'_>>, &str), XmlError> {
    let trimmed = s.trim_start_matches(is_xml_whitespace);
    if trimmed.is_empty() || trimmed.starts_with(['>', '/']) {
        return Ok((None, s));
    }
    if trimmed.len() == s.len() {
        return Err(XmlError::Malformed(
            "attributes must be separated by whitespace",
        ));
    }
    let (name, rest) = qname(trimmed)?;
    // Eq ::= S? '=' S?
    let rest = rest
        .trim_start_matches(is_xml_whitespace)
        .strip_prefix('=')
        .ok_or_else(|| incomplete(rest))?
        .trim_start_matches(is_xml_whitespace);
    let quote = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => quote,
        _ => return Err(incomplete(rest)),
    };
    let (raw, rest) = rest
        .get(1..)
        .and_then(|value| value.split_once(quote))
        .ok_or(TRUNCATED)?;
    Pieces::new(raw, Mode::Attribute).try_for_each(|piece| piece.map(drop))?;
    Ok((Some(RawAttribute { name, raw }), rest))
}

/// An attribute value with references resolved and whitespace normalised, as XML 1.0 (3.3.3) does for
/// CDATA-typed attributes, which without a DTD all attributes are.
pub(crate) fn attribute_value(raw: &str) -> Result<String, XmlError> {
    let mut value = String::with_capacity(raw.len());
    for piece in Pieces::new(raw, Mode::Attribute) {
        match piece? {
            Token::Text(text) => value.push_str(text),
            Token::Char(c) => value.push(c),
            _ => return Err(NOT_WELL_FORMED),
        }
    }
    Ok(value)
}

/// QName ::= NCName (':' NCName)?, at the start of `s`; returns it and what follows.
fn qname(s: &str) -> Result<(&str, &str), XmlError> {
    let prefix = name_len(s, false);
    let len = match s.get(prefix..).and_then(|rest| rest.strip_prefix(':')) {
        Some(local) if prefix > 0 => match name_len(local, false) {
            0 => return Err(BAD_NAME),
            local => prefix + 1 + local,
        },
        _ => prefix,
    };
    if len == 0 {
        return Err(BAD_NAME);
    }
    split(s, len)
}

/// Splits a QName the tokenizer returned into prefix (empty when there is none) and local part.
pub(crate) fn split_qname(name: &str) -> (&str, &str) {
    name.split_once(':').unwrap_or(("", name))
}

/// Length in bytes of the XML `Name` (with `colon`) or `NCName` (without) that starts `s`; 0 if none.
fn name_len(s: &str, colon: bool) -> usize {
    let mut chars = s.char_indices();
    match chars.next() {
        Some((_, c)) if is_name_start_char(c) || (colon && c == ':') => {}
        _ => return 0,
    }
    chars
        .find(|&(_, c)| !(is_name_char(c) || (colon && c == ':')))
        .map_or(s.len(), |(index, _)| index)
}

/// NameStartChar of XML 1.0 (fifth edition), without the colon.
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// NameChar of XML 1.0 (fifth edition), without the colon.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `s.split_at(at)` that reports a bad index as malformed rather than panicking.
fn split(s: &str, at: usize) -> Result<(&str, &str), XmlError> {
    s.split_at_checked(at).ok_or(NOT_WELL_FORMED)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Mode {
    /// Element content: references resolved, `]]>` refused.
    #[default]
    Text,
    /// A CDATA section's content: taken literally.
    CData,
    /// An attribute value: references resolved, `<` refused, whitespace becomes a space.
    Attribute,
}

impl Mode {
    /// Whether a piece of literal text ends before this byte.
    fn stops_at(self, byte: u8) -> bool {
        match self {
            Mode::Text => matches!(byte, b'&' | b'\r'),
            Mode::CData => byte == b'\r',
            Mode::Attribute => matches!(byte, b'&' | b'\r' | b'\t' | b'\n' | b'<'),
        }
    }
}

/// Character data as [`Token::Text`] and [`Token::Char`] pieces, checked as they are produced. After
/// an error it yields nothing more.
#[derive(Debug, Clone, Copy, Default)]
struct Pieces<'a> {
    rest: &'a str,
    mode: Mode,
}

impl<'a> Pieces<'a> {
    fn new(rest: &'a str, mode: Mode) -> Self {
        Pieces { rest, mode }
    }

    fn piece(&mut self, first: char, after: &'a str) -> Result<Token<'a>, XmlError> {
        let attribute = self.mode == Mode::Attribute;
        let (token, rest) = match first {
            // Line ends: `\r\n` and a lone `\r` are one `\n` (2.11), which an attribute makes a space.
            '\r' => (
                Token::Char(if attribute { ' ' } else { '\n' }),
                after.strip_prefix('\n').unwrap_or(after),
            ),
            '\t' | '\n' if attribute => (Token::Char(' '), after),
            '<' if attribute => return Err(XmlError::Malformed("'<' in an attribute value")),
            '&' if self.mode != Mode::CData => {
                let (c, rest) = reference(after)?;
                (Token::Char(c), rest)
            }
            _ => {
                // The first character is not a stop, so the run is never empty.
                let len = first.len_utf8()
                    + after
                        .bytes()
                        .position(|byte| self.mode.stops_at(byte))
                        .unwrap_or(after.len());
                let (run, rest) = split(self.rest, len)?;
                // `]]>` holds no stop byte, so it cannot straddle two runs.
                if self.mode == Mode::Text && run.contains("]]>") {
                    return Err(XmlError::Malformed("']]>' in text"));
                }
                (Token::Text(run), rest)
            }
        };
        self.rest = rest;
        Ok(token)
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Result<Token<'a>, XmlError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut chars = self.rest.chars();
        let first = chars.next()?;
        let piece = self.piece(first, chars.as_str());
        if piece.is_err() {
            self.rest = "";
        }
        Some(piece)
    }
}

/// Reference ::= '&' Name ';' | '&#' [0-9]+ ';' | '&#x' [0-9a-fA-F]+ ';', given what follows the `&`.
/// Returns the character and what follows the `;`.
fn reference(s: &str) -> Result<(char, &str), XmlError> {
    const BARE_AMPERSAND: XmlError = XmlError::Malformed("'&' that starts no reference");
    // A failed search ends the parse, and a successful one consumes what it scanned: linear.
    let (body, rest) = s.split_once(';').ok_or(BARE_AMPERSAND)?;
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => match body.strip_prefix('#') {
            Some(number) => {
                let (digits, radix) = match number.strip_prefix('x') {
                    Some(hex) => (hex, 16),
                    None => (number, 10),
                };
                // from_str_radix alone would also take a sign.
                if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                    return Err(BAD_CHAR_REF);
                }
                u32::from_str_radix(digits, radix)
                    .ok()
                    .and_then(char::from_u32)
                    .filter(|c| is_xml_char(*c))
                    .ok_or(BAD_CHAR_REF)?
            }
            None if !body.is_empty() && name_len(body, true) == body.len() => {
                return Err(XmlError::UnknownEntity)
            }
            None => return Err(BARE_AMPERSAND),
        },
    };
    Ok((c, rest))
}

#[cfg(test)]
mod tests;
