//! Our XML reader against roxmltree, an independent one, on generated and mutated documents. The
//! rules and the list of deliberate differences are in `support/xml_compare.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/xml_compare.rs"]
mod xml_compare;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use xml_compare::{compare, Agreement};

/// Pieces for one part of a document: `clean` ones keep it well-formed (as far as that part goes),
/// `risky` ones often do not. A clean document draws from the first list only.
struct Pool {
    clean: &'static [&'static str],
    risky: &'static [&'static str],
}

impl Pool {
    fn pick(&'static self, clean: bool) -> BoxedStrategy<&'static str> {
        if clean {
            select(self.clean).boxed()
        } else {
            prop_oneof![4 => select(self.clean), 1 => select(self.risky)].boxed()
        }
    }

    /// Concatenations of 0..n pieces.
    fn joined(&'static self, clean: bool, n: usize) -> BoxedStrategy<String> {
        prop::collection::vec(self.pick(clean), 0..n)
            .prop_map(|pieces| pieces.concat())
            .boxed()
    }
}

static PREFIXES: Pool = Pool {
    clean: &["", "", "", "", "p:", "q:"],
    risky: &["xml:", "xmlns:", "r:", ":"],
};
static LOCAL_NAMES: Pool = Pool {
    clean: &[
        "a", "b", "c", "d", "é", "a.b", "_x", "A-1", "n\u{B7}", "漢", "x\u{300}",
    ],
    risky: &["1", "-a", "\u{B7}", "a:b", "xmlns"],
};
static DECLARATIONS: Pool = Pool {
    clean: &[
        "xmlns='urn:d'",
        "xmlns=''",
        "xmlns:p=\"urn:p\"",
        "xmlns:q='urn:q'",
        "xmlns:q='urn:p'",
        "xmlns:xml='http://www.w3.org/XML/1998/namespace'",
        "xmlns:p='urn:p q'",
    ],
    risky: &[
        "xmlns:p=''",
        "xmlns:xmlns='urn:x'",
        "xmlns:xml='urn:x'",
        "xmlns:p='http://www.w3.org/XML/1998/namespace'",
        "xmlns='http://www.w3.org/2000/xmlns/'",
        "xmlns:p='urn&#58;p'",
        "xmlns:p='urn:\tp'",
        "xmlns:r=\"urn:r'",
    ],
};
static VALUE_PIECES: Pool = Pool {
    clean: &[
        "x",
        "x",
        "yz",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "&amp;",
        "&lt;",
        "&#9;",
        "&#10;",
        "&#13;",
        "&#x20;",
        "&#65;",
        ">",
        "]]>",
        "é",
        "&quot;",
        "&apos;",
        "&#x10FFFF;",
    ],
    risky: &[
        "\"",
        "'",
        "&#xD800;",
        "&nbsp;",
        "&",
        "<",
        "&#0;",
        "&#x110000;",
        "&#x;",
    ],
};
static TEXT_PIECES: Pool = Pool {
    clean: &[
        "x",
        "x",
        "yz",
        " ",
        "\n",
        "\r",
        "\r\n",
        "\t",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&#13;",
        "&#10;",
        "&#x1F600;",
        "]]",
        "]",
        ">",
        "é",
        "\u{FEFF}",
        "'\"",
    ],
    risky: &["]]>", "&", "&#0;", "&#xDFFF;", "&x;", "&amp", "<", "\u{1}"],
};
static CDATA_PIECES: Pool = Pool {
    clean: &["x", "\r\n", "]]", "<&>", "]", "\r", "&amp;", ""],
    risky: &["]]>", "\u{FFFE}"],
};
static COMMENT_PIECES: Pool = Pool {
    clean: &["x", " - ", " ", "é", "<a>"],
    risky: &["-", "--", "\u{0}"],
};
static PI_TARGETS: Pool = Pool {
    clean: &["pi", "p-i", "xml-stylesheet", "é"],
    risky: &["xml", "XmL", "a:b", ""],
};
static PI_BODIES: Pool = Pool {
    clean: &["", " x", " ", "\tx?y", " <a>", "\n?"],
    risky: &["#", "x?>y", "?"],
};
static SPACES: Pool = Pool {
    clean: &[" ", " ", "\n", "\t ", "\r\n"],
    risky: &[""],
};
static QUOTES: Pool = Pool {
    clean: &["\"", "'"],
    risky: &[""],
};

fn qname(clean: bool) -> impl Strategy<Value = String> {
    (PREFIXES.pick(clean), LOCAL_NAMES.pick(clean))
        .prop_map(|(prefix, local)| format!("{prefix}{local}"))
}

/// One attribute: a namespace declaration (unless `root`, which has its own) or an ordinary one, quoted
/// either way.
fn attribute(clean: bool, root: bool) -> impl Strategy<Value = String> {
    prop_oneof![
        u32::from(!root) => DECLARATIONS.pick(clean).prop_map(String::from),
        3 => (
            qname(clean),
            VALUE_PIECES.joined(clean, 4),
            QUOTES.pick(clean),
            select(&["=", " = ", "\n=\t"][..]),
        )
            .prop_map(|(name, value, q, eq)| format!("{name}{eq}{q}{value}{q}")),
    ]
}

/// A start tag's name and attributes; `root` declares the prefixes the generator uses, so that clean
/// documents mostly resolve.
fn start_tag_body(clean: bool, root: bool) -> impl Strategy<Value = String> {
    (
        qname(clean),
        prop::collection::vec((attribute(clean, root), SPACES.pick(clean)), 0..3),
        select(&["", "", " ", "\r\n"][..]),
    )
        .prop_map(move |(name, attributes, tail)| {
            let declarations = if root {
                " xmlns:p='urn:p' xmlns:q='urn:q'"
            } else {
                ""
            };
            let attributes: String = attributes
                .into_iter()
                .map(|(attribute, space)| format!("{space}{attribute}"))
                .collect();
            format!("{name}{declarations}{attributes}{tail}")
        })
}

/// Content that is not an element.
fn leaf(clean: bool) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => TEXT_PIECES.joined(clean, 5),
        1 => CDATA_PIECES.joined(clean, 4).prop_map(|c| format!("<![CDATA[{c}]]>")),
        1 => COMMENT_PIECES.joined(clean, 4).prop_map(|c| format!("<!--{c}-->")),
        1 => (PI_TARGETS.pick(clean), PI_BODIES.pick(clean))
            .prop_map(|(target, body)| format!("<?{target}{body}?>")),
        2 => start_tag_body(clean, false).prop_map(|body| format!("<{body}/>")),
    ]
}

fn tag_name(body: &str) -> String {
    body.split([' ', '\n', '\t', '\r'])
        .next()
        .unwrap_or("")
        .to_owned()
}

/// An element with content, recursively.
fn element(clean: bool) -> impl Strategy<Value = String> {
    let content = leaf(clean).prop_recursive(5, 48, 5, move |inner| {
        (
            start_tag_body(clean, false),
            prop::collection::vec(inner, 0..5),
            select(&["", "", " ", "\n"][..]),
        )
            .prop_map(|(body, children, space)| {
                let name = tag_name(&body);
                format!("<{body}>{}</{name}{space}>", children.concat())
            })
    });
    (
        start_tag_body(clean, true),
        prop::collection::vec(content, 0..5),
    )
        .prop_map(|(body, children)| {
            let name = tag_name(&body);
            format!("<{body}>{}</{name}>", children.concat())
        })
}

/// A whole document: maybe a BOM, a declaration, comments and whitespace around one root. Half the
/// documents are drawn from clean pieces only.
fn document() -> impl Strategy<Value = String> {
    static DECLARATION: Pool = Pool {
        clean: &[
            "",
            "",
            "<?xml version=\"1.0\"?>",
            "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n",
            "<?xml\tversion='1.0'?>",
            "<?xml version = '1.0' encoding='UTF-8' ?>",
        ],
        risky: &[
            "<?xml version=\"1.1\"?>",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
            "<?xml version='1.0' standalone='maybe'?>",
            "<?xml encoding='utf-8'?>",
            " <?xml version='1.0'?>",
        ],
    };
    any::<bool>().prop_flat_map(|clean| {
        (
            select(&["", "", "\u{FEFF}"][..]),
            DECLARATION.pick(clean),
            select(&["", "", "\n", "<!-- c -->", "<?pi x?>\r\n", " "][..]),
            element(clean),
            select(&["", "", "\n", "<!--c-->", "<?pi?>", " \r\n"][..]),
        )
            .prop_map(|(bom, declaration, before, root, after)| {
                format!("{bom}{declaration}{before}{root}{after}")
            })
    })
}

const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "/",
    "&",
    "'",
    "\"",
    "=",
    " ",
    ":",
    ";",
    "#",
    "x",
    "\r",
    "\u{0}",
    "é",
    "<!DOCTYPE a>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?",
    "?>",
    "</a>",
    "<a>",
    "<a/>",
    " xmlns:p='urn:p'",
    " p:b='1'",
    "&#",
    "&#x",
    "xmlns",
    "--",
];

/// One edit at a character position: delete some characters, insert a fragment, or repeat a span.
fn mutation() -> impl Strategy<Value = (Index, u8, usize, &'static str)> {
    (any::<Index>(), 0u8..3, 1usize..6, select(FRAGMENTS))
}

fn mutate(document: &str, edits: &[(Index, u8, usize, &'static str)]) -> String {
    let mut chars: Vec<char> = document.chars().collect();
    for (at, kind, len, fragment) in edits {
        let at = at.index(chars.len() + 1);
        match kind {
            0 => {
                let end = (at + len).min(chars.len());
                chars.drain(at..end);
            }
            1 => {
                chars.splice(at..at, fragment.chars());
            }
            _ => {
                let end = (at + len).min(chars.len());
                let span: Vec<char> = chars[at..end].to_vec();
                chars.splice(at..at, span);
            }
        }
    }
    chars.into_iter().collect()
}

fn check(document: &str) -> Agreement {
    match compare(document) {
        Ok(agreement) => agreement,
        Err(problem) => panic!("{document:?}: {problem}"),
    }
}

proptest! {
    // PROPTEST_CASES=100000 for a longer search.
    #![proptest_config(Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(3000),
        ..Config::default()
    })]

    #[test]
    fn generated_documents_agree(document in document()) {
        check(&document);
    }

    #[test]
    fn mutated_documents_agree(
        document in document(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        check(&mutate(&document, &edits));
    }
}

/// The generators must keep producing all three outcomes; a change that made nearly every document
/// invalid (or valid) would make the tests above pass without testing much.
#[test]
fn generators_cover_every_outcome() {
    let mut runner = TestRunner::deterministic();
    let (mut same, mut refused, mut deliberate) = (0, 0, 0);
    let strategy = (document(), prop::collection::vec(mutation(), 0..3));
    for _ in 0..3000 {
        let (document, edits) = strategy.new_tree(&mut runner).unwrap().current();
        match check(&mutate(&document, &edits)) {
            Agreement::SameTree => same += 1,
            Agreement::BothRefuse => refused += 1,
            Agreement::Deliberate(_) => deliberate += 1,
        }
    }
    eprintln!("same tree {same}, both refuse {refused}, deliberate {deliberate}");
    assert!(
        same > 200 && refused > 1000 && deliberate > 100,
        "same tree {same}, both refuse {refused}, deliberate {deliberate}"
    );
}

/// Each deliberate difference, shown once: roxmltree accepts, we refuse (or, for roxmltree's CR bug,
/// read differently).
#[test]
fn deliberate_differences() {
    for (document, reason) in [
        ("<?xml version='1.1'?><a/>", "declaration values"),
        ("<?xml version='1.0' encoding='latin1'?><a/>", "declaration values"),
        ("<?xml version='1.0' standalone='maybe'?><a/>", "declaration values"),
        ("<a><?xml?></a>", "processing instruction target"),
        ("<?XML x?><a/>", "processing instruction target"),
        ("<?a:b?><a/>", "processing instruction target"),
        ("<?pi#x?><a/>", "processing instruction without space"),
        ("<a>&#xD800;</a>", "character reference to no character"),
        ("<a b='&#x110000;'/>", "character reference to no character"),
        ("<a xmlns:p=''/>", "namespace declaration forbidden by Namespaces in XML"),
        ("<a xmlns:xmlns='urn:x'/>", "namespace declaration forbidden by Namespaces in XML"),
        ("<a xmlns:p='urn&#58;p'/>", "namespace URI written with a reference or whitespace"),
        ("<a xmlns='urn:\np'/>", "namespace URI written with a reference or whitespace"),
        ("<a>x\r&amp;</a>", "roxmltree keeps a CR beside a reference"),
        ("<a>&amp;\r<b/></a>", "roxmltree keeps a CR beside a reference"),
        ("<a:b xmlns:a='urn:a' a:xmlns='urn:x'/>", "roxmltree reads p:xmlns as a default namespace declaration"),
        ("<a></:a>", "roxmltree reads an empty prefix as none"),
        ("<a xmlns='urn:d' xmlns=''/>", "roxmltree accepts a repeated declaration"),
        ("<a xmlns:xml='http://www.w3.org/XML/1998/namespace' xmlns:xml='http://www.w3.org/XML/1998/namespace'/>", "roxmltree accepts a repeated declaration"),
    ] {
        assert!(roxmltree::Document::parse(document).is_ok(), "{document:?}");
        assert_eq!(check(document), Agreement::Deliberate(reason), "{document:?}");
    }
    assert_eq!(
        check("<xml:a/>"),
        Agreement::Deliberate("roxmltree does not bind xml on elements")
    );
    let limits = [
        format!("{}{}", "<a>".repeat(65), "</a>".repeat(65)),
        format!("<a>{}</a>", "<b/>".repeat(4096)),
        format!(
            "<a{}/>",
            (0..65).map(|i| format!(" b{i}=''")).collect::<String>()
        ),
    ];
    for document in &limits {
        assert!(superoffice_auth::xml::parse(document).is_err());
        assert!(matches!(check(document), Agreement::Deliberate(_)));
    }
    // And where we read differently from roxmltree because of its bug, we follow XML 1.0.
    let root = superoffice_auth::xml::parse("<a>x\r&amp;\r</a>").unwrap();
    assert_eq!(root.raw_text(), "x\n&\n");
    let root = superoffice_auth::xml::parse("<xml:a/>").unwrap();
    assert!(root.is("http://www.w3.org/XML/1998/namespace", "a"));
}

/// Documents that once disagreed, or that sit right at an edge; each must agree.
#[test]
fn regressions() {
    for document in [
        "<a>&#13;\n</a>",
        "<a b='\r\n&#10;\r'/>",
        "<a xmlns='' b='1'/>",
        "<p:a xmlns:p='urn:p' xmlns:q='urn:p' p:b='1' q:c='2'/>",
        "<xml:a xml:lang='en'/>",
        "<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>",
        "<a><![CDATA[x\r]]>\n</a>",
    ] {
        check(document);
    }
}
