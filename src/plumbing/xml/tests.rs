//! The tree reader's behaviour, one hostile input per line; the tokenizer's own cases are in
//! `tokenizer/tests.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
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
    let root = parse("<?xml version='1.0'?><!--c--><?pi x?><a><!--c--><?pi?><b>1</b></a><!--c-->")
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
