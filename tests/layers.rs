//! The shape of `src/`, read from the source itself (parsed by syn, Rust's own grammar): every module
//! (one file) and the modules it refers to, through `use` and through paths in its code. Test code
//! (`#[cfg(test)]` items and the `tests.rs` files) is left out: tests may reach across.
//!
//! Held here:
//! - no module cycle anywhere in `src/` (a module's own children included: a parent that re-exports a
//!   child and a child that imports from its parent is a cycle too);
//! - the layers, bottom to top: the contract (`error`, `limits`), `plumbing`, the key/JWT layer
//!   (`key`, `keyset`, `jwt`), the protocols (`ticket`, `oauth`, `netserver`, `tenant`, `callbacks`),
//!   the binding.
//!   A module refers only to its own layer or those below; a protocol never to another protocol.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module's path below the crate (`ticket::response`); the crate root is `""`.
type Module = String;

/// Which layer a top-level module belongs to, lowest first; protocols share a layer but may not refer
/// to each other.
const LAYERS: &[&[&str]] = &[
    &["error", "limits"],
    &["plumbing"],
    &["key", "keyset", "jwt"],
    &["ticket", "oauth", "netserver", "tenant", "callbacks"],
    &["binding"],
];
const PROTOCOLS: &[&str] = &["ticket", "oauth", "netserver", "tenant", "callbacks"];

fn layer_of(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    LAYERS.iter().position(|layer| layer.contains(&top))
}

/// Every module of `src/`: its path and its file. `tests.rs` files are test code.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts.last().map(String::as_str) == Some("tests") {
                continue;
            }
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// Whether an item is test code (`#[cfg(test)]`).
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Meta>()
                .is_ok_and(|meta| meta.path().is_ident("test"))
    })
}

/// The paths a module's (non-test) code names: each `use` leaf and each path in its code, as
/// segments.
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl Paths {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut full = prefix.clone();
                full.push(name.ident.to_string());
                self.0.push(full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                full.push(rename.ident.to_string());
                self.0.push(full);
            }
            syn::UseTree::Glob(_) => self.0.push(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix, tree);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(item) => &item.attrs,
            syn::Item::Fn(item) => &item.attrs,
            syn::Item::Impl(item) => &item.attrs,
            syn::Item::Use(item) => &item.attrs,
            syn::Item::Const(item) => &item.attrs,
            syn::Item::Struct(item) => &item.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    /// `pub(crate)` and `pub(super)` name a module but refer to nothing.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.0
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// The module a path leads to, seen from `from`: `crate::`, `super::`, `self::` or a child's name
/// start it; it goes down while the segments name modules. `None` for paths outside the crate.
fn resolve(from: &str, segments: &[String], modules: &BTreeMap<Module, PathBuf>) -> Option<Module> {
    let join = |base: &str, name: &str| {
        if base.is_empty() {
            name.to_owned()
        } else {
            format!("{base}::{name}")
        }
    };
    let parent = |module: &str| {
        module
            .rsplit_once("::")
            .map_or(String::new(), |(p, _)| p.to_owned())
    };
    let (mut at, rest) = match segments.first().map(String::as_str) {
        Some("crate") => (String::new(), &segments[1..]),
        Some("self") => (from.to_owned(), &segments[1..]),
        Some("super") => {
            let mut at = parent(from);
            let mut rest = &segments[1..];
            while rest.first().map(String::as_str) == Some("super") {
                at = parent(&at);
                rest = &rest[1..];
            }
            (at, rest)
        }
        Some(first) if modules.contains_key(&join(from, first)) => (from.to_owned(), segments),
        _ => return None,
    };
    for segment in rest {
        let next = join(&at, segment);
        if modules.contains_key(&next) {
            at = next;
        } else {
            break;
        }
    }
    Some(at)
}

/// Every module and the other modules its non-test code refers to.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let mut graph = BTreeMap::new();
    for (module, path) in &modules {
        let file = syn::parse_file(&fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut paths = Paths::default();
        for item in &file.items {
            paths.visit_item(item);
        }
        let targets: BTreeSet<Module> = paths
            .0
            .iter()
            .filter_map(|segments| resolve(module, segments, &modules))
            .filter(|target| target != module)
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

#[test]
fn the_graph_sees_the_known_edges() {
    // The reader must see what is plainly there, or the checks below would pass on an empty graph.
    let graph = graph();
    for (from, to) in [
        ("ticket::response", "plumbing::soap"),
        ("ticket::response", "ticket::request"),
        ("jwt", "keyset"),
        ("keyset", "key::policy"),
        ("oauth::token", "oauth::superid"),
        ("binding::entries", "binding::decode"),
        ("netserver::request", "netserver::names"),
    ] {
        assert!(
            graph.get(from).is_some_and(|targets| targets.contains(to)),
            "{from} -> {to} missing from {:?}",
            graph.get(from)
        );
    }
    assert!(graph.len() > 40, "{} modules", graph.len());
}

#[test]
fn no_module_cycle_in_src() {
    let graph = graph();
    // Depth-first search; a module met again while still open closes a cycle.
    fn visit(
        module: &str,
        graph: &BTreeMap<Module, BTreeSet<Module>>,
        open: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(start) = open.iter().position(|m| m == module) {
            let mut cycle = open[start..].to_vec();
            cycle.push(module.to_owned());
            panic!("module cycle: {}", cycle.join(" -> "));
        }
        if done.contains(module) {
            return;
        }
        open.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, open, done);
        }
        open.pop();
        done.insert(module.to_owned());
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn each_layer_refers_only_to_itself_and_below_and_protocols_not_to_each_other() {
    let graph = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        if from.is_empty() {
            continue; // the crate root declares and re-exports everything
        }
        let Some(from_layer) = layer_of(from) else {
            wrong.push(format!("{from} is in no layer"));
            continue;
        };
        let from_top = from.split("::").next().unwrap_or_default();
        for to in targets {
            if to.is_empty() {
                wrong.push(format!(
                    "{from} -> the crate root (name the module instead)"
                ));
                continue;
            }
            let to_top = to.split("::").next().unwrap_or_default();
            match layer_of(to) {
                Some(to_layer) if to_layer > from_layer => {
                    wrong.push(format!("{from} -> {to} (a higher layer)"))
                }
                Some(_)
                    if from_top != to_top
                        && PROTOCOLS.contains(&from_top)
                        && PROTOCOLS.contains(&to_top) =>
                {
                    wrong.push(format!("{from} -> {to} (a sibling protocol)"))
                }
                Some(_) => {}
                None => wrong.push(format!("{from} -> {to} (in no layer)")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
