//! Conditions tested on real trees: a `match` table is compiled, every node of a source is tried
//! against its entries, and the rest is tested where one matched.

use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{AnyNodeRef, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashSet;

use super::value::Value;
use super::{Context, Entry, Target, Versions, compile_match, matches_at};
use crate::analysis::assignments::Assignments;
use crate::analysis::library::Libraries;
use crate::analysis::parse::Analysis;
use crate::analysis::types::Types;
use crate::base::version::Version;
use crate::pattern::matcher::Env;

#[derive(serde::Deserialize)]
struct Holder {
    #[serde(rename = "match")]
    table: Value,
}

fn modules() -> FxHashSet<String> {
    ["m", "n"].into_iter().map(str::to_owned).collect()
}

/// Every node with its enclosing nodes, in source order.
struct Nodes<'t> {
    path: Vec<AnyNodeRef<'t>>,
    found: Vec<(AnyNodeRef<'t>, Vec<AnyNodeRef<'t>>)>,
}

impl<'t> SourceOrderVisitor<'t> for Nodes<'t> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> TraversalSignal {
        self.found.push((node, self.path.clone()));
        self.path.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, _node: AnyNodeRef<'t>) {
        self.path.pop();
    }
}

/// The source of every node where `table` (a `match` table, TOML) matches, with `versions`.
fn matched_with(table: &str, source: &str, versions: &[(&str, &str)]) -> Vec<String> {
    let holder: Holder = toml::from_str(&format!("match = {table}")).unwrap_or_else(|error| {
        panic!("{error}");
    });
    let modules = modules();
    let libraries = Libraries::default();
    let (matching, _) =
        compile_match(&holder.table, &modules, &libraries, &[]).unwrap_or_else(|e| panic!("{e:?}"));
    let analysis = Analysis::of(&modules, source);
    let module = analysis.parsed.syntax();
    let body: &[Stmt] = &module.body;
    let assignments = Assignments::default();
    let versions: Versions = versions
        .iter()
        .map(|(d, v)| ((*d).to_owned(), Version::parse(v).expect("a version")))
        .collect();
    let cx = Context {
        source,
        semantic: analysis.semantic(),
        module: body,
        assignments: &assignments,
        modules: &modules,
        libraries: &libraries,
        types: &Types::default(),
        flows: &Default::default(),
        versions: &versions,
        options: &[],
        project: None,
    };
    let mut nodes = Nodes {
        path: Vec::new(),
        found: Vec::new(),
    };
    nodes.visit_body(body);
    let mut found = Vec::new();
    for (node, ancestors) in &nodes.found {
        for entry in &matching.entries {
            let mut env = Env::new();
            let entered = match entry {
                Entry::Pattern(pattern) => {
                    matches_at(&cx.matcher(pattern, None), pattern, *node, &mut env)
                }
                Entry::Kinds(kinds) => kinds.contains(&node.kind()),
            };
            if entered
                && matching
                    .rest
                    .holds(&cx, &Target::at(*node, ancestors), &mut env)
            {
                found.push(source[node.range()].to_owned());
                break;
            }
        }
    }
    found
}

fn matched(table: &str, source: &str) -> Vec<String> {
    matched_with(table, source, &[])
}

#[test]
fn all_any_and_not_combine() {
    let source = "import m\nm.f(1)\nm.f(x)\nm.f('s')\n";
    let any = r#"{ pattern = "m.f($X)", X.any = [{ kind = "NumberLiteral" }, { kind = "StringLiteral" }] }"#;
    assert_eq!(matched(any, source), ["m.f(1)", "m.f('s')"]);
    let not = r#"{ pattern = "m.f($X)", X.not.kind = "Name" }"#;
    assert_eq!(matched(not, source), ["m.f(1)", "m.f('s')"]);
    let all = r#"{ pattern = "m.f($X)", X.all = [{ not.kind = "Name" }, { not.kind = "StringLiteral" }] }"#;
    assert_eq!(matched(all, source), ["m.f(1)"]);
}

#[test]
fn a_capture_the_match_did_not_bind_satisfies_any_condition() {
    let source = "import m\nm.f()\nloop.f()\n";
    let table = r#"{ pattern = ["m.f()", "$L.f()"], L.regex = "^loop$" }"#;
    assert_eq!(matched(table, source), ["m.f()", "loop.f()"]);
}

#[test]
fn lists_are_tested_by_count_non_empty_and_their_elements() {
    let source = "import m\nm.f()\nm.f(1)\nm.f(1, 2)\nm.f(1, k=2)\nm.f(g(k=1))\n";
    let count = |table: &str| matched(&format!(r#"{{ pattern = "m.f($$$A)", {table} }}"#), source);
    assert_eq!(count("A.count = 1"), ["m.f(1)", "m.f(g(k=1))"]);
    assert_eq!(count("A.count = { min = 2 }"), ["m.f(1, 2)", "m.f(1, k=2)"]);
    assert_eq!(count("A.count = { max = 0 }"), ["m.f()"]);
    assert_eq!(count("A.non-empty = true").len(), 4);
    // `has` on a list: an element (within `children`), or a node inside one.
    let children = r#"A.has = { kind = "Keyword", within = "children" }"#;
    assert_eq!(count(children), ["m.f(1, k=2)"]);
    assert_eq!(
        count(r#"A.has.kind = "Keyword""#),
        ["m.f(1, k=2)", "m.f(g(k=1))"]
    );
    assert_eq!(
        count(r#"A.not.has = { kind = "Keyword", within = "children" }"#),
        ["m.f()", "m.f(1)", "m.f(1, 2)", "m.f(g(k=1))"]
    );
}

#[test]
fn keyword_asks_what_a_call_passes() {
    let source = "import m\nm.f(1)\nm.f(a=1)\nm.f(b=1)\nm.f(**kw)\n";
    let keyword =
        |table: &str| matched(&format!(r#"{{ pattern = "m.f($$$A)", {table} }}"#), source);
    assert_eq!(keyword(r#"keyword = "a""#), ["m.f(a=1)"]);
    assert_eq!(keyword(r#"keyword = ["a", "b"]"#), ["m.f(a=1)", "m.f(b=1)"]);
    assert_eq!(
        keyword("keyword = true"),
        ["m.f(a=1)", "m.f(b=1)", "m.f(**kw)"]
    );
    assert_eq!(keyword("not.keyword = true"), ["m.f(1)"]);
}

#[test]
fn kinds_include_identifiers_and_what_is_written_async() {
    let source = "import m\nasync def f(a):\n    async with a:\n        pass\n    with a:\n        pass\n    for x in a:\n        pass\n    return [y async for y in a]\n";
    assert_eq!(
        matched(r#"{ kind = ["AsyncWith", "AsyncFor"] }"#, source),
        ["async with a:\n        pass"]
    );
    assert_eq!(
        matched(r#"{ kind = "AsyncComprehension" }"#, source).len(),
        1
    );
    assert_eq!(matched(r#"{ kind = "With" }"#, source).len(), 2);
    assert_eq!(matched(r#"{ kind = "AsyncFunctionDef" }"#, source).len(), 1);
    let identifier = r#"{ pattern = "m.$NAME", NAME.kind = "Identifier" }"#;
    assert_eq!(matched(identifier, "import m\nm.sleep\n"), ["m.sleep"]);
}

#[test]
fn a_regex_tests_a_name_never_the_text_of_a_larger_node() {
    let source = "import m\nm.f(x)\nm.f(x.y)\nm.f(g(x))\nm.f('x')\n";
    let regex = r#"{ pattern = "m.f($X)", X.regex = "^[xy]$" }"#;
    // A name, and an attribute's name; not a call or a string, whatever they spell.
    assert_eq!(matched(regex, source), ["m.f(x)", "m.f(x.y)"]);
    // The names of keyword arguments, imported names and parameters.
    let keyword =
        r#"{ pattern = "m.f($$$A)", A.has = { regex = "^timeout$", within = "children" } }"#;
    assert_eq!(
        matched(keyword, "import m\nm.f(timeout=1)\nm.f(1, 'timeout')\n"),
        ["m.f(timeout=1)"]
    );
    let imported =
        r#"{ pattern = "from m import $$$N", N.has = { regex = "^sleep$", within = "children" } }"#;
    assert_eq!(
        matched(
            imported,
            "from m import sleep as wait\nfrom m import wait as sleep\n"
        ),
        ["from m import sleep as wait"]
    );
}

#[test]
fn inside_looks_as_far_as_its_reach() {
    let source = "\
import m
class C:
    def f(self):
        with m.scope():
            g(m.x)
";
    let inside = |within: &str, kind: &str| {
        matched(
            &format!(
                r#"{{ pattern = "m.x", inside = {{ kind = "{kind}", within = "{within}" }} }}"#
            ),
            source,
        )
        .len()
    };
    assert_eq!(inside("parent", "Call"), 1);
    assert_eq!(inside("parent", "Expr"), 0);
    assert_eq!(inside("statement", "Expr"), 1);
    assert_eq!(inside("statement", "With"), 0);
    assert_eq!(inside("function", "With"), 1);
    assert_eq!(inside("function", "FunctionDef"), 1);
    assert_eq!(inside("function", "ClassDef"), 0);
    assert_eq!(inside("class", "ClassDef"), 1);
    assert_eq!(inside("module", "ClassDef"), 1);
    // What an enclosing pattern binds is bound for the conditions after it.
    let bound = r#"{ pattern = "$T.start($C)", inside.pattern = "with m.group() as $T:\n    $$$_", C.kind = "Call" }"#;
    let grouped = "import m\nwith m.group() as tg:\n    tg.start(w())\n    other.start(w())\n";
    assert_eq!(matched(bound, grouped), ["tg.start(w())"]);
}

#[test]
fn has_looks_as_deep_as_its_reach() {
    let source = "\
import m
def a():
    with m.scope():
        x = 1
def b():
    with m.scope():
        def inner():
            await g()
def c():
    with m.scope():
        if x:
            await g()
";
    let has = |within: &str| {
        matched(
            &format!(r#"{{ pattern = "with m.scope():\n    $$$B", has = {{ kind = "Await", within = "{within}" }} }}"#),
            source,
        )
        .len()
    };
    assert_eq!(has("module"), 2);
    assert_eq!(has("function"), 1);
    assert_eq!(has("statement"), 0);
    assert_eq!(has("children"), 0);
    let statement = r#"{ kind = "Expr", has = { pattern = "m.f()", within = "children" } }"#;
    assert_eq!(
        matched(statement, "import m\nm.f()\nx = m.f()\n"),
        ["m.f()"]
    );
}

#[test]
fn relations_under_has_on_a_list_see_where_its_elements_stand() {
    let source = "\
try:
    pass
except OSError as g:
    log(g.errno)
try:
    pass
except OSError as g:
    g = g.errors[0]
    log(g.errno)
";
    // The statements of an `except` clause's body: `follows` finds the assignment before the
    // attribute read in the clause that has one.
    let table = r#"{ pattern = "except $T as $G:\n    $$$H", H.has = { pattern = "$G.$A", within = "function", A.not.regex = "^errors$", not.follows = { pattern = "$G = $_", within = "function" } } }"#;
    assert_eq!(
        matched(table, source),
        ["except OSError as g:\n    log(g.errno)"]
    );
}

#[test]
fn follows_and_precedes_look_along_the_block() {
    let source = "\
import m
def f():
    m.open()
    x = 1
    if x:
        m.use()
    m.close()
m.use(2)
";
    let follows = |within: &str| {
        matched(
            &format!(
                r#"{{ pattern = "m.use($$$A)", follows = {{ has.pattern = "m.open()", within = "{within}" }} }}"#
            ),
            source,
        )
    };
    // At the module's level, `def f` (which holds the call) is the statement before.
    assert_eq!(follows("sibling"), ["m.use(2)"]);
    assert_eq!(follows("block"), ["m.use(2)"]);
    // In the `if`, nothing comes before; up to the function, `m.open()` does.
    assert_eq!(follows("function"), ["m.use()", "m.use(2)"]);
    assert_eq!(follows("module"), ["m.use()", "m.use(2)"]);
    let sibling = r#"{ pattern = "m.close()", follows = { kind = "If", within = "sibling" } }"#;
    assert_eq!(matched(sibling, source), ["m.close()"]);
    let precedes = r#"{ pattern = "m.open()", precedes = { has.pattern = "m.close()" } }"#;
    assert_eq!(matched(precedes, source), ["m.open()"]);
    let nothing_after = r#"{ pattern = "m.close()", precedes = { kind = "Expr" } }"#;
    assert!(matched(nothing_after, source).is_empty());
}

#[test]
fn bound_to_and_unbound_follow_names() {
    let source = "\
import m
def f():
    l = m.loop()
    l.time()
def g(l):
    l.time()
def h():
    m.a()
";
    let bound = r#"{ pattern = "$L.time()", L.bound-to = "m.loop()" }"#;
    assert_eq!(matched(bound, source), ["l.time()"]);
    let unbound = r#"{ pattern = "$M.$N()", M = { regex = "^m$", unbound = true } }"#;
    assert!(matched(unbound, source).is_empty());
    assert_eq!(matched(unbound, "def h():\n    m.a()\n"), ["m.a()"]);
}

#[test]
fn the_file_and_the_project_are_conditions_too() {
    let source = "import n\nx.run()\n";
    assert_eq!(
        matched(r#"{ pattern = "$X.run()", imports = "n" }"#, source),
        ["x.run()"]
    );
    assert!(matched(r#"{ pattern = "$X.run()", imports = "m" }"#, source).is_empty());
    let versions =
        r#"{ pattern = "$X.run()", any = [{ versions = { n = "<2" } }, { imports = "m" }] }"#;
    assert_eq!(matched_with(versions, source, &[("n", "1.5")]), ["x.run()"]);
    assert!(matched_with(versions, source, &[("n", "2.0")]).is_empty());
    // An undeclared version is the newest.
    assert!(matched(versions, source).is_empty());
    assert_eq!(
        matched(
            r#"{ pattern = "$X.run()", in-async-function = true }"#,
            "async def f():\n    x.run()\nx.run()\n"
        ),
        ["x.run()"]
    );
}

#[test]
fn what_a_match_must_contain_is_derived_from_each_condition() {
    let holder: Holder = toml::from_str(
        r#"match = { pattern = "$X.$M()", M.regex = "^(halt|pause)$", X.bound-to = ["m.loop()", "n.loop()"] }"#,
    )
    .expect("valid");
    let (matching, _) =
        compile_match(&holder.table, &modules(), &Libraries::default(), &[]).expect("compiles");
    let plan = matching.plan(0, &modules());
    // Dispatch by the attribute's words; the walk's anchors are those words.
    assert_eq!(
        plan.keys,
        Some(vec![
            crate::pattern::DispatchKey::Attribute("halt".to_owned()),
            crate::pattern::DispatchKey::Attribute("pause".to_owned()),
        ])
    );
    assert_eq!(plan.anchors.len(), 2);
    // The file holds one word of the regex and the words of one `bound-to` value.
    assert_eq!(plan.needles.len(), 4);
    assert!(plan.needles.iter().all(|set| set.len() == 3));
}

#[test]
fn a_follows_or_precedes_of_an_expression_pattern_is_refused() {
    let holder: Holder =
        toml::from_str(r#"match = { pattern = "m.f()", follows.pattern = "m.g()" }"#)
            .expect("valid");
    let error =
        compile_match(&holder.table, &modules(), &Libraries::default(), &[]).expect_err("refused");
    assert!(
        error.message.contains("`follows` tests statements"),
        "{error:?}"
    );
    let holder: Holder =
        toml::from_str(r#"match = { pattern = "m.f()", precedes.has.pattern = "m.g()" }"#)
            .expect("valid");
    assert!(compile_match(&holder.table, &modules(), &Libraries::default(), &[]).is_ok());
}

#[test]
fn bound_to_follows_an_attribute_of_the_instance_through_the_class() {
    let source = "\
import m
class Worker:
    def __init__(self):
        self.loop = m.loop()
    def later(this):
        this.loop.time()
class Reassigned:
    def __init__(self):
        self.loop = m.loop()
    def swap(self):
        self.loop += 1
    def later(self):
        self.loop.time()
class Injected:
    def __init__(self, loop):
        self.loop = loop
    def later(self):
        self.loop.time()
def outside(worker):
    worker.loop.time()
";
    let bound = r#"{ pattern = "$L.time()", L.bound-to = "m.loop()" }"#;
    // Each method's own first parameter is the instance.
    assert_eq!(matched(bound, source), ["this.loop.time()"]);
}

#[test]
fn uses_follow_a_value_through_names_returns_and_parameters() {
    let source = "\
import m
def make():
    return m.thing()
def take(t):
    t.close()
def f():
    a = m.thing()
    x, y = a
    b = make()
    b.open()
    take(m.thing())
    m.thing()
";
    let unpacked = r#"{ pattern = "m.thing()", uses.every = { pattern = "$A, $B = $_" } }"#;
    assert_eq!(matched(unpacked, source), ["m.thing()"]);
    let opened = r#"{ pattern = "m.thing()", uses.some = { pattern = "$T.open" } }"#;
    assert_eq!(matched(opened, source), ["m.thing()"]);
    let closed = r#"{ pattern = "m.thing()", uses.some = { pattern = "$T.close" } }"#;
    assert_eq!(matched(closed, source), ["m.thing()"]);
    let never_dropped = r#"{ pattern = "m.thing()", uses.none = { kind = "Expr" } }"#;
    assert_eq!(matched(never_dropped, source).len(), 3);
}
