//! The tokenizer on its own: one line per input, with the tokens it must give or the error it must
//! raise. Tokens are written compactly: `<a b=raw>` / `<a/>` a start tag with its attributes as
//! written, `</>` an end tag, `"text"` a literal run, `'c'` one resolved character, `#` a comment,
//! `?` a processing instruction, `xml 1.0 utf-8` a declaration.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn tokens(document: &str) -> Result<Vec<String>, XmlError> {
    let mut tokenizer = Tokenizer::new(document)?;
    let mut out = Vec::new();
    while let Some(token) = tokenizer.next()? {
        out.push(match token {
            Token::Declaration { version, encoding } => {
                format!("xml {version} {}", encoding.unwrap_or("-"))
            }
            Token::Start { name, empty } => {
                let attributes: String = tokenizer
                    .attributes()
                    .iter()
                    .map(|a| format!(" {}={}", a.name, a.raw))
                    .collect();
                format!("<{name}{attributes}{}>", if empty { "/" } else { "" })
            }
            Token::End => "</>".into(),
            Token::Text(text) => format!("{text:?}"),
            Token::Char(c) => format!("{c:?}"),
            Token::Comment => "#".into(),
            Token::ProcessingInstruction => "?".into(),
        });
        assert!(out.len() <= document.len(), "no progress");
    }
    Ok(out)
}

macro_rules! accepted {
    ($($name:ident($input:expr) => [$($token:expr),* $(,)?];)*) => {
        $(
            #[test]
            fn $name() {
                let expected: Vec<String> = vec![$(String::from($token)),*];
                let input: String = $input.into();
                assert_eq!(tokens(&input), Ok(expected));
            }
        )*
    };
}

macro_rules! refused {
    ($($name:ident($input:expr) => $error:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let input: String = $input.into();
                assert_eq!(tokens(&input), Err($error));
            }
        )*
    };
}

const M: fn(&'static str) -> XmlError = XmlError::Malformed;
const BAD_NAME_: XmlError = XmlError::Malformed("bad name");
const NOT_WF: XmlError = XmlError::Malformed("the XML is not well-formed");
const TRUNC: XmlError = XmlError::Malformed("the XML is truncated");
const DECL: XmlError = XmlError::Malformed("bad XML declaration");
const CHAR_REF: XmlError = XmlError::Malformed("bad character reference");
const BARE: XmlError = XmlError::Malformed("'&' that starts no reference");

accepted! {
    // Names: NameStartChar and NameChar of XML 1.0 (5th edition), QName of Namespaces in XML.
    name_ascii("<a_1-.b/>") => ["<a_1-.b/>"];
    name_underscore("<_/>") => ["<_/>"];
    name_latin1("<é/>") => ["<é/>"];
    name_middle_dot_inside("<a\u{B7}/>") => ["<a\u{B7}/>"];
    name_combining_inside("<a\u{300}/>") => ["<a\u{300}/>"];
    name_superscript_block("<\u{2070}/>") => ["<\u{2070}/>"];
    name_cjk("<漢字/>") => ["<漢字/>"];
    name_astral("<\u{10000}/>") => ["<\u{10000}/>"];
    name_prefixed("<p:a/>") => ["<p:a/>"];

    // Tags: whitespace around `=` and before `>` or `/>`; either quote.
    spaces_in_tags("<a \t\r\nb \n= \t'1'\n c=\"2\"  ></a \n>") => ["<a b=1 c=2>", "</>"];
    space_before_empty_end("<a b='1' />") => ["<a b=1/>"];
    quotes_inside_other_quotes("<a b=\"'\" c='\"'/>") => ["<a b=' c=\"/>"];
    gt_in_attribute("<a b='>'/>") => ["<a b=>/>"];
    cdata_end_in_attribute("<a b=']]>'/>") => ["<a b=]]>/>"];
    references_in_attribute("<a b='&lt;&#65;'/>") => ["<a b=&lt;&#65;/>"];
    nested("<a><b><c/></b></a>") => ["<a>", "<b>", "<c/>", "</>", "</>"];

    // Character data in pieces.
    text_plain("<a>hello</a>") => ["<a>", "\"hello\"", "</>"];
    text_gt_and_brackets("<a>a>b]]c]>d</a>") => ["<a>", "\"a>b]]c]>d\"", "</>"];
    text_escaped_cdata_end("<a>]]&gt;</a>") => ["<a>", "\"]]\"", "'>'", "</>"];
    predefined_entities("<a>&lt;&gt;&amp;&quot;&apos;</a>") => ["<a>", "'<'", "'>'", "'&'", "'\"'", "'\\''", "</>"];
    char_refs("<a>&#65;&#x42;&#x0063;&#0000100;&#x1F600;</a>") => ["<a>", "'A'", "'B'", "'c'", "'d'", "'😀'", "</>"];
    char_ref_tab("<a>&#9;</a>") => ["<a>", "'\\t'", "</>"];
    line_ends("<a>a\r\nb\rc\nd\r</a>") => ["<a>", "\"a\"", "'\\n'", "\"b\"", "'\\n'", "\"c\\nd\"", "'\\n'", "</>"];
    cr_before_reference("<a>a\r&amp;</a>") => ["<a>", "\"a\"", "'\\n'", "'&'", "</>"];
    referenced_cr_survives("<a>&#13;\n&#13;&#10;</a>") => ["<a>", "'\\r'", "\"\\n\"", "'\\r'", "'\\n'", "</>"];
    cdata("<a><![CDATA[<&>&amp;]]]></a>") => ["<a>", "\"<&>&amp;]\"", "</>"];
    cdata_line_ends("<a><![CDATA[a\r\nb\r]]></a>") => ["<a>", "\"a\"", "'\\n'", "\"b\"", "'\\n'", "</>"];
    cdata_empty("<a><![CDATA[]]></a>") => ["<a>", "</>"];
    whitespace_outside_root(" \r\n\t<a/>\n \r\n") => ["<a/>"];

    // Comments and processing instructions.
    comments("<!----><!-- - --><a><!--x-y--></a><!--é-->") => ["#", "#", "<a>", "#", "</>", "#"];
    processing_instructions("<?a?><?b  x ?x? ?><a><?c\t?></a><?xml-stylesheet href='x'?>") => ["?", "?", "<a>", "?", "</>", "?"];
    pi_may_contain_gt("<a><?p > ? >?></a>") => ["<a>", "?", "</>"];

    // The declaration.
    declaration("<?xml version=\"1.0\"?><a/>") => ["xml 1.0 -", "<a/>"];
    declaration_full("<?xml version='1.0' encoding='UTF-8' standalone='no' ?><a/>") => ["xml 1.0 UTF-8", "<a/>"];
    declaration_spaces("<?xml\n version = '1.0'\tstandalone=\"yes\"?><a/>") => ["xml 1.0 -", "<a/>"];
    declaration_other_values("<?xml version='1.1' encoding='Latin_1.x-y'?><a/>") => ["xml 1.1 Latin_1.x-y", "<a/>"];
    declaration_after_bom("\u{FEFF}<?xml version='1.0'?><a/>") => ["xml 1.0 -", "<a/>"];
}

refused! {
    // Names.
    name_digit_first("<1a/>") => BAD_NAME_;
    name_hyphen_first("<-a/>") => BAD_NAME_;
    name_middle_dot_first("<\u{B7}a/>") => BAD_NAME_;
    name_combining_first("<\u{300}/>") => BAD_NAME_;
    name_greek_question_mark("<\u{37E}/>") => BAD_NAME_;
    name_plane_15("<\u{F0000}/>") => BAD_NAME_;
    name_empty("</>") => BAD_NAME_;
    name_space_after_lt("< a/>") => BAD_NAME_;
    name_empty_prefix("<:a/>") => BAD_NAME_;
    name_empty_local("<a:/>") => BAD_NAME_;
    name_two_colons("<a:b:c/>") => M("attributes must be separated by whitespace");
    end_name_two_colons("<a:b></a:b:c>") => NOT_WF;
    attribute_name_two_colons("<a b:c:d='1'/>") => NOT_WF;
    attribute_name_colon_first("<a :b='1'/>") => BAD_NAME_;
    end_tag_space_before_name("<a></ a>") => BAD_NAME_;

    // Tags.
    attributes_not_separated("<a b='1'c='2'/>") => M("attributes must be separated by whitespace");
    attribute_unquoted("<a b=1/>") => NOT_WF;
    attribute_without_value("<a b/>") => NOT_WF;
    attribute_without_value_end("<a b>") => NOT_WF;
    attribute_empty_value_missing("<a b=>") => NOT_WF;
    attribute_mixed_quotes("<a b=\"1'/>") => TRUNC;
    space_inside_empty_end("<a/ >") => NOT_WF;
    lt_in_attribute("<a b='<'/>") => M("'<' in an attribute value");
    bare_ampersand_in_attribute("<a b='&'/>") => BARE;
    unknown_entity_in_attribute("<a b='&x;'/>") => XmlError::UnknownEntity;
    bad_char_ref_in_attribute("<a b='&#1;'/>") => CHAR_REF;
    duplicate_attribute("<a b='1' b='2'/>") => M("duplicate attribute");
    duplicate_default_namespace("<a xmlns='u' xmlns='u'/>") => M("duplicate attribute");
    duplicate_prefixed_attribute("<a p:b='1' p:b='1'/>") => M("duplicate attribute");
    too_many_attributes(format!("<a{}/>", (0..=MAX_ATTRIBUTES).map(|i| format!(" b{i}=''")).collect::<String>())) => M("an element has too many attributes");
    too_deep(format!("{}{}", "<a>".repeat(MAX_DEPTH), "<b/>")) => M("the XML is nested too deeply");

    // Character data.
    cdata_end_in_text("<a>a]]>b</a>") => M("']]>' in text");
    cdata_end_after_cr("<a>\r]]></a>") => M("']]>' in text");
    bare_ampersand("<a>a & b</a>") => BARE;
    ampersand_without_semicolon("<a>&amp</a>") => BARE;
    empty_reference("<a>&;</a>") => BARE;
    reference_with_space("<a>&a b;</a>") => BARE;
    reference_digit_name("<a>&1;</a>") => BARE;
    unknown_entity("<a>&nbsp;</a>") => XmlError::UnknownEntity;
    unknown_prefixed_entity("<a>&a:b;</a>") => XmlError::UnknownEntity;
    unknown_entity_non_ascii("<a>&é;</a>") => XmlError::UnknownEntity;
    char_ref_empty("<a>&#;</a>") => CHAR_REF;
    char_ref_empty_hex("<a>&#x;</a>") => CHAR_REF;
    char_ref_upper_x("<a>&#X41;</a>") => CHAR_REF;
    char_ref_sign("<a>&#+65;</a>") => CHAR_REF;
    char_ref_negative("<a>&#-65;</a>") => CHAR_REF;
    char_ref_space("<a>&#65 ;</a>") => CHAR_REF;
    char_ref_nul("<a>&#0;</a>") => CHAR_REF;
    char_ref_control("<a>&#x1F;</a>") => CHAR_REF;
    char_ref_surrogate("<a>&#xDFFF;</a>") => CHAR_REF;
    char_ref_fffe("<a>&#xFFFE;</a>") => CHAR_REF;
    char_ref_above_unicode("<a>&#x110000;</a>") => CHAR_REF;
    char_ref_overflow("<a>&#99999999999999999999999;</a>") => CHAR_REF;
    forbidden_char_in_text("<a>\u{1}</a>") => M("the XML contains a forbidden character");
    forbidden_char_in_comment("<a/><!--\u{FFFF}-->") => M("the XML contains a forbidden character");
    forbidden_char_in_attribute("<a b='\u{B}'/>") => M("the XML contains a forbidden character");
    cdata_outside_root("<![CDATA[ ]]><a/>") => M("text outside the root element");
    cdata_after_root("<a/><![CDATA[ ]]>") => XmlError::AfterRoot;
    cdata_lowercase("<a><![cdata[x]]></a>") => NOT_WF;
    cdata_unterminated("<a><![CDATA[x]]</a>") => TRUNC;

    // Comments and processing instructions.
    comment_double_hyphen("<a><!-- a -- b --></a>") => M("'--' inside a comment");
    comment_ending_in_hyphen("<a><!-- a ---></a>") => M("'--' inside a comment");
    comment_three_hyphens("<!---><a/>") => TRUNC;
    comment_unterminated("<a><!-- x") => TRUNC;
    pi_without_space("<?pi#x?><a/>") => NOT_WF;
    pi_unicode_space_is_not_s("<?pi\u{2028}?><a/>") => NOT_WF;
    pi_without_target("<??><a/>") => BAD_NAME_;
    pi_colon_in_target("<?a:b?><a/>") => NOT_WF;
    pi_unterminated("<a><?pi x</a>") => TRUNC;
    pi_xml_uppercase("<?XML version='1.0'?><a/>") => M("misplaced XML declaration");
    pi_xml_mixed_case("<a><?xMl?></a>") => M("misplaced XML declaration");
    declaration_after_space(" <?xml version='1.0'?><a/>") => M("misplaced XML declaration");
    declaration_after_comment("<!----><?xml version='1.0'?><a/>") => M("misplaced XML declaration");
    declaration_in_root("<a><?xml version='1.0'?></a>") => M("misplaced XML declaration");

    // The declaration's own syntax (its values are the consumer's business).
    declaration_empty("<?xml?><a/>") => DECL;
    declaration_space_only("<?xml ?><a/>") => DECL;
    declaration_no_version("<?xml encoding='UTF-8'?><a/>") => DECL;
    declaration_order("<?xml version='1.0' standalone='yes' encoding='UTF-8'?><a/>") => DECL;
    declaration_repeated("<?xml version='1.0' version='1.0'?><a/>") => DECL;
    declaration_unknown("<?xml version='1.0' foo='x'?><a/>") => DECL;
    declaration_version_2("<?xml version='2.0'?><a/>") => DECL;
    declaration_version_dot("<?xml version='1.'?><a/>") => DECL;
    declaration_standalone_maybe("<?xml version='1.0' standalone='maybe'?><a/>") => DECL;
    declaration_encoding_digit("<?xml version='1.0' encoding='8bit'?><a/>") => DECL;
    declaration_encoding_space("<?xml version='1.0' encoding='utf 8'?><a/>") => DECL;
    declaration_not_separated("<?xml version='1.0'encoding='UTF-8'?><a/>") => M("attributes must be separated by whitespace");
    declaration_gt("<?xml version='1.0'>?><a/>") => DECL;

    // DOCTYPE, in any spelling, anywhere.
    doctype("<!DOCTYPE a><a/>") => XmlError::Doctype;
    doctype_lowercase("<!doctype a><a/>") => XmlError::Doctype;
    doctype_in_root("<a><!DocType a></a>") => XmlError::Doctype;
    doctype_after_root("<a/><!DOCTYPE a>") => XmlError::Doctype;
    doctype_truncated_keyword("<!DOCTY") => NOT_WF;
    other_declaration("<a><!ELEMENT a ANY></a>") => NOT_WF;

    // Document structure.
    empty("") => M("the XML has no root element");
    bom_only("\u{FEFF}") => M("the XML has no root element");
    misc_only("<!-- x --> <?pi?>") => M("the XML has no root element");
    text_before_root("x<a/>") => M("text outside the root element");
    reference_before_root("&#32;<a/>") => M("text outside the root element");
    second_root("<a/><b/>") => XmlError::AfterRoot;
    text_after_root("<a/>x") => XmlError::AfterRoot;
    reference_after_root("<a/>&#32;") => XmlError::AfterRoot;
    mismatched_end("<a><b></a></b>") => M("mismatched end tag");
    prefix_matters_in_end("<p:a></q:a>") => M("mismatched end tag");
    end_without_start("</a>") => M("unexpected end tag");
    end_after_root("<a/></a>") => M("unexpected end tag");
    unclosed("<a><b></b>") => TRUNC;
    unclosed_start_tag("<a") => TRUNC;
    unclosed_start_tag_space("<a ") => TRUNC;
    unclosed_attribute("<a b='1") => TRUNC;
    unclosed_end_tag("<a></a") => TRUNC;
    lone_lt("<") => BAD_NAME_;
    lt_non_ascii("<é") => TRUNC;
    bang_non_ascii("<a><!é></a>") => NOT_WF;
}

#[test]
fn attribute_values_are_normalised() {
    for (raw, expected) in [
        ("x\ty\nz\r\nw\rv", "x y z w v"),
        ("\r\n\r\n", "  "),
        ("&#9;&#10;&#13;&#32;", "\t\n\r "),
        ("a&amp;b&lt;c&gt;d&quot;e&apos;f", "a&b<c>d\"e'f"),
        ("  two  spaces  ", "  two  spaces  "),
        ("é漢😀", "é漢😀"),
        ("", ""),
    ] {
        assert_eq!(attribute_value(raw).as_deref(), Ok(expected), "{raw:?}");
    }
}

#[test]
fn attribute_limit_and_depth_limit_are_exact() {
    let attributes: String = (0..MAX_ATTRIBUTES).map(|i| format!(" b{i}=''")).collect();
    assert!(tokens(&format!("<a{attributes}/>")).is_ok());
    let nested = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
    assert!(tokens(&nested).is_ok());
}

#[test]
fn attributes_are_replaced_per_tag() {
    let mut tokenizer = Tokenizer::new("<a x='1' y='2'><b/></a>").unwrap();
    tokenizer.next().unwrap();
    assert_eq!(
        tokenizer.attributes(),
        [
            RawAttribute {
                name: "x",
                raw: "1"
            },
            RawAttribute {
                name: "y",
                raw: "2"
            }
        ]
    );
    tokenizer.next().unwrap();
    assert!(tokenizer.attributes().is_empty());
}

#[test]
fn finished_stays_finished() {
    let mut tokenizer = Tokenizer::new("<a/>").unwrap();
    assert!(tokenizer.next().unwrap().is_some());
    assert_eq!(tokenizer.next(), Ok(None));
    assert_eq!(tokenizer.next(), Ok(None));
}

/// Inputs of the size the caller allows (256 KiB) built to make a careless tokenizer rescan: each
/// must finish fast (a quadratic step would take minutes here).
#[test]
fn long_inputs_take_linear_time() {
    const N: usize = 256 * 1024;
    let started = std::time::Instant::now();
    let inputs = [
        format!("<a>{}</a>", "]".repeat(N)),
        format!("<a>{}</a>", "]]".repeat(N / 2) + ">"),
        format!("<a>{}</a>", "&amp;".repeat(N / 5)),
        format!("<a>{}</a>", "\r".repeat(N)),
        format!("<a>{}", "&".repeat(N)),
        format!("<a>&{};</a>", "a".repeat(N)),
        format!("<a>&#{};</a>", "0".repeat(N)),
        format!("<a b='{}'/>", "&#9;".repeat(N / 4)),
        format!("<a{}/>", " ".repeat(N)),
        format!("<a>{}</a>", "<!---->".repeat(N / 7)),
        format!("<a>{}</a>", "<?p?>".repeat(N / 5)),
        format!("<a>{}", "<![CDATA[".repeat(N / 9)),
        format!("<a>{}", "<!--".repeat(N / 4)),
        format!("<a>{}", "<?p ".repeat(N / 4)),
        format!("<{}/>", "a".repeat(N)),
        format!("<a {}='1'/>", "b".repeat(N)),
        format!("<a>{}</a>", "<b/>".repeat(N / 4)),
        format!("{}<a/>", " ".repeat(N)),
        "<a>".repeat(N / 3),
    ];
    for input in &inputs {
        let _ = tokens(input);
    }
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}
