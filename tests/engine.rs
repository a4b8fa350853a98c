//! The engine through its library API, with small packs written for each test: binding forms,
//! shadowing, keyword order, variadic captures, every constraint, templates and imports.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use anyio_lint::Version;
use anyio_lint::check;
use anyio_lint::{RuleSet, Selection};
use common::assert_exact_snapshot;

/// A pack with one rule matching `pattern`; `extra` is TOML added to the rule table.
fn pack_with(pattern: &str, extra: &str) -> String {
    pack_matching(&format!("match.pattern = {pattern}"), extra)
}

/// A pack with one rule whose match is `matching` (TOML lines); `extra` is TOML added to the rule.
fn pack_matching(matching: &str, extra: &str) -> String {
    format!(
        r#"[pack]
name = "test-pack"
version = "0"
description = "test"
prefix = "T"
modules = ["m", "n"]
drop-unused-imports = ["m"]

[[rule]]
code = "T1"
name = "test-rule"
message = "found"
explain = "x"
{matching}
{extra}

[[rule.example]]
flagged = "x"
"#
    )
}

fn rules(pack_text: &str, versions: &[(&str, &str)]) -> RuleSet {
    let pack = anyio_lint::load_pack("test.toml", pack_text)
        .unwrap_or_else(|e| panic!("{}", e.render(false)));
    let versions: BTreeMap<String, Version> = versions
        .iter()
        .map(|(d, v)| (d.to_string(), Version::parse(v).unwrap()))
        .collect();
    RuleSet::new(Arc::new(vec![pack]), &Selection::default(), &versions)
}

/// The source text of every finding.
fn found(pattern: &str, extra: &str, source: &str) -> Vec<String> {
    let rules = rules(&pack_with(pattern, extra), &[]);
    check(&rules, source, &[])
        .diagnostics
        .iter()
        .map(|d| source[d.range].to_owned())
        .collect()
}

fn fixed(pattern: &str, extra: &str, source: &str) -> String {
    let rules = rules(&pack_with(pattern, extra), &[]);
    let outcome = anyio_lint::fix(&rules, source, true);
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let again = anyio_lint::fix(&rules, &outcome.text, true);
    assert_eq!(again.text, outcome.text, "a second fix changed the text");
    outcome.text
}

#[test]
fn every_binding_form_resolves() {
    let source = "\
import m
import m as alias
import m.sub
from m import f
from m import f as g
def inner():
    import m as local
    local.f()
try:
    from m import f as tried
except ImportError:
    tried = None
if True:
    import m as conditional
m.f()
alias.f()
f()
g()
tried()
conditional.f()
";
    let hits = found("\"m.f()\"", "", source);
    assert_eq!(
        hits,
        [
            "local.f()",
            "m.f()",
            "alias.f()",
            "f()",
            "g()",
            "tried()",
            "conditional.f()"
        ]
    );
}

#[test]
fn submodule_imports_resolve() {
    let source = "import m.sub\nimport m.sub as s\nfrom m import sub\nfrom m.sub import PIPE\nm.sub.PIPE\ns.PIPE\nsub.PIPE\nPIPE\n";
    assert_eq!(
        found("\"m.sub.PIPE\"", "", source),
        ["m.sub.PIPE", "s.PIPE", "sub.PIPE", "PIPE"]
    );
}

#[test]
fn unimported_and_other_modules_do_not_match() {
    assert!(found("\"m.f()\"", "", "m.f()\n").is_empty());
    assert!(found("\"m.f()\"", "", "import n as m\nm.f()\n").is_empty());
    assert!(found("\"m.f()\"", "", "from n import f\nf()\n").is_empty());
}

#[test]
fn local_rebinding_shadows_the_import() {
    let source = "\
from m import f
def parameter(f):
    f()
def assignment():
    f = other
    f()
def for_target(items):
    for f in items:
        f()
def with_target():
    with ctx() as f:
        f()
def nested_def():
    def f():
        pass
    f()
comprehension = [f() for f in items]
lam = lambda f: f()
def still_the_import():
    f()
";
    assert_eq!(found("\"m.f()\"", "", source), ["f()"]);
    let module_level = "from m import f\nf = None\nf()\n";
    assert!(found("\"m.f()\"", "", module_level).is_empty());
}

#[test]
fn keyword_arguments_match_in_any_order_and_literals_by_value() {
    let hits = found(
        "\"m.f(a=$A, b=$B)\"",
        "",
        "import m\nm.f(b=2, a=1)\nm.f(a=1)\nm.f(a=1, b=2, c=3)\n",
    );
    assert_eq!(hits, ["m.f(b=2, a=1)"]);
    let strings = found(
        "\"m.f('x')\"",
        "",
        "import m\nm.f(\"x\")\nm.f('''x''')\nm.f('y')\n",
    );
    assert_eq!(strings, ["m.f(\"x\")", "m.f('''x''')"]);
}

#[test]
fn formatting_comments_and_parentheses_do_not_matter() {
    let source = "import m\n(m.f)(\n    1,  # one\n    (2),\n)\n";
    assert_eq!(found("\"m.f(1, 2)\"", "", source).len(), 1);
}

#[test]
fn variadic_captures() {
    let source = "import m\nm.f()\nm.f(1)\nm.f(1, 2, k=3)\n";
    assert_eq!(found("\"m.f($$$ARGS)\"", "", source).len(), 3);
    assert_eq!(
        found("\"m.f($X, $$$REST)\"", "", source),
        ["m.f(1)", "m.f(1, 2, k=3)"]
    );
    let repeated = "import m\nm.f(a, a)\nm.f(a, b)\nm.f(x.y(1), x.y( 1 ))\n";
    assert_eq!(
        found("\"m.f($X, $X)\"", "", repeated),
        ["m.f(a, a)", "m.f(x.y(1), x.y( 1 ))"]
    );
}

#[test]
fn statement_and_sequence_patterns() {
    let source = "import m\nx = m.f()\nm.f()\nif c:\n    a = 1\n    b = m.g(a)\n";
    assert_eq!(found("\"$X = m.f()\"", "", source), ["x = m.f()"]);
    let sequence = found("\"\"\"\n$A = 1\n$B = m.g($A)\n\"\"\"", "", source);
    assert_eq!(sequence, ["a = 1\n    b = m.g(a)"]);
}

#[test]
fn kind_regex_and_positional_only_constraints() {
    let source = "import m\nm.f(1)\nm.f(x)\nm.f(k=1)\nm.f(*args)\n";
    assert_eq!(
        found("\"m.f($X)\"", "match.X.kind = \"NumberLiteral\"", source),
        ["m.f(1)"]
    );
    assert_eq!(
        found(
            "\"m.f($X)\"",
            "match.X.not.kind = \"NumberLiteral\"",
            source
        ),
        ["m.f(x)", "m.f(*args)"]
    );
    assert_eq!(
        found("\"m.f($X)\"", "match.X.regex = \"^x$\"", source),
        ["m.f(x)"]
    );
    let positional = found(
        "\"m.f($$$A)\"",
        "match.A.not.has = { kind = \"Keyword\", within = \"children\" }",
        source,
    );
    assert_eq!(positional, ["m.f(1)", "m.f(x)", "m.f(*args)"]);
}

#[test]
fn a_capture_failing_its_constraint_makes_the_matcher_try_the_next_split() {
    // `$X` first binds `a`, which the constraint refuses; the match must go on to `b` (and to the
    // parameter after `self`), not be lost.
    let source = "\
import m
m.f(a, b, c)
m.f(a, c)
def test(self, tmp, b):
    pass
";
    let constraint = "match.X.regex = \"^b$\"";
    assert_eq!(
        found("\"m.f($$$BEFORE, $X, $$$AFTER)\"", constraint, source),
        ["m.f(a, b, c)"]
    );
    let function = "\"\"\"\ndef $F($$$BEFORE, $X, $$$AFTER):\n    $$$BODY\n\"\"\"";
    assert_eq!(found(function, constraint, source).len(), 1);
    // A constraint naming another metavariable is tested once the whole match is bound.
    let related = "match.X.pattern = \"$Y\"";
    assert_eq!(
        found("\"m.f($Y, $X, $$$AFTER)\"", related, source),
        Vec::<String>::new()
    );
}

#[test]
fn not_inside_and_not_inside_constraints() {
    let source = "\
import m
async def a():
    async with m.TaskGroup() as tg:
        tg.spawn(work())
        other.spawn(work())
    tg.spawn(work())
";
    let inside =
        "match.inside.pattern = \"\"\"\nasync with m.TaskGroup() as $TG:\n    $$$BODY\n\"\"\"";
    assert_eq!(
        found("\"$TG.spawn($C)\"", inside, source),
        ["tg.spawn(work())"]
    );
    let not_inside =
        "match.not.inside.pattern = \"\"\"\nasync with m.TaskGroup() as $G:\n    $$$BODY\n\"\"\"";
    assert_eq!(
        found("\"$TG.spawn($C)\"", not_inside, source),
        ["tg.spawn(work())"]
    );
    let not = "match.not.pattern = \"other.spawn($C)\"";
    assert_eq!(found("\"$TG.spawn($C)\"", not, source).len(), 2);
}

#[test]
fn statement_position_constraint() {
    let source = "import m\nm.f()\nx = m.f()\n";
    let rules = rules(
        &pack_matching(
            "match.kind = \"Expr\"\nmatch.has = { pattern = \"m.f()\", within = \"children\" }",
            "",
        ),
        &[],
    );
    let found: Vec<&str> = check(&rules, source, &[])
        .diagnostics
        .iter()
        .map(|d| &source[d.range])
        .collect();
    assert_eq!(found, ["m.f()"]);
}

#[test]
fn version_requirements_filter_rules() {
    let text = pack_with("\"m.f()\"", "match.versions = { n = \">=2.0\" }");
    let source = "import m\nm.f()\n";
    assert_eq!(
        check(&rules(&text, &[("n", "1.5")]), source, &[])
            .diagnostics
            .len(),
        0
    );
    assert_eq!(
        check(&rules(&text, &[("n", "2.1")]), source, &[])
            .diagnostics
            .len(),
        1
    );
    assert_eq!(check(&rules(&text, &[]), source, &[]).diagnostics.len(), 1);
}

#[test]
fn templates_reuse_existing_imports() {
    let fix = "fix.template = \"n.g($$$A)\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed("\"m.f($$$A)\"", fix, "import m\nimport n as nn\nm.f(1)\n"),
        "import nn\nnn.g(1)\n".replace("import nn\n", "import n as nn\n")
    );
    assert_eq!(
        fixed("\"m.f($$$A)\"", fix, "import m\nfrom n import g\nm.f(1)\n"),
        "from n import g\ng(1)\n"
    );
    assert_eq!(
        fixed("\"m.f($$$A)\"", fix, "import os, m\nm.f()\n"),
        "import os\nimport n\nn.g()\n"
    );
    assert_exact_snapshot!(
        "import_placed_after_docstring_and_future",
        fixed(
            "\"m.f($$$A)\"",
            fix,
            "\"\"\"Doc.\"\"\"\nfrom __future__ import annotations\nfrom m import f, h\nf(1, 2)\nh()\n"
        )
    );
}

#[test]
fn a_file_without_top_level_imports_gets_a_block_with_the_blank_lines_a_sorter_wants() {
    let fix = "fix.template = \"n.g()\"\nfix.applicability = \"safe\"";
    // Before a function: two blank lines after it.
    assert_eq!(
        fixed("\"m.f()\"", fix, "def f():\n    import m\n\n    m.f()\n"),
        "import n\n\n\ndef f():\n    n.g()\n"
    );
    // After a docstring and blank lines: among them, one blank line before anything else.
    assert_eq!(
        fixed(
            "\"m.f()\"",
            fix,
            "\"\"\"Doc.\"\"\"\n\n\n\nx = 1\ndef f():\n    import m\n    m.f()\n"
        ),
        "\"\"\"Doc.\"\"\"\n\n\nimport n\n\nx = 1\ndef f():\n    n.g()\n"
    );
}

#[test]
fn empty_variadic_never_leaves_a_separator() {
    let fix = "fix.template = \"n.g($X, $$$A)\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed("\"m.f($X, $$$A)\"", fix, "import m, n\nm.f(1)\nm.f(1, 2)\n"),
        "import n\nn.g(1)\nn.g(1, 2)\n"
    );
    let before = "fix.template = \"n.g($$$A, $X)\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed("\"m.f($$$A, $X)\"", before, "import m, n\nm.f(1)\n"),
        "import n\nn.g(1)\n"
    );
}

#[test]
fn multiline_templates_are_reindented_with_the_file_style() {
    let fix = "fix.template = \"\"\"\nwith n.scope($T):\n    $X = await $C\n\"\"\"\nfix.applicability = \"safe\"";
    let pattern = "\"$X = await m.wait($C, $T)\"";
    let spaces = "import m\nasync def f():\n    if x:\n        y = await m.wait(g(\n            1,\n        ), 3)\n";
    assert_exact_snapshot!("template_reindented_in_spaces", fixed(pattern, fix, spaces));
    let tabs = "import m\r\nasync def f():\r\n\ty = await m.wait(g(), 3)\r\n";
    assert_eq!(
        fixed(pattern, fix, tabs),
        "import n\r\nasync def f():\r\n\twith n.scope(3):\r\n\t\ty = await g()\r\n"
    );
    let string = "import m\nasync def f():\n    y = await m.wait(g('''a\n    b'''), 3)\n";
    assert_exact_snapshot!("template_keeps_a_string", fixed(pattern, fix, string));
}

#[test]
fn block_templates_only_where_a_statement_stands() {
    let fix = "fix.template = \"\"\"\nwith n.scope($T):\n    $X = await $C\n\"\"\"\nfix.applicability = \"safe\"";
    let source = "import m\nasync def f():\n    if c: y = await m.wait(g(), 3)\n";
    let rules = rules(&pack_with("\"$X = await m.wait($C, $T)\"", fix), &[]);
    let checked = check(&rules, source, &[]);
    assert_eq!(checked.diagnostics.len(), 1);
    assert!(checked.diagnostics[0].fix.is_none());
}

#[test]
fn a_fix_that_breaks_syntax_is_rolled_back_and_named() {
    let fix = "fix.template = \"n.g(\"\nfix.applicability = \"safe\"";
    let error = anyio_lint::load_pack("t.toml", &pack_with("\"m.f()\"", fix)).unwrap_err();
    assert!(
        error.message.contains("not valid Python"),
        "{}",
        error.message
    );
    // A template that parses alone but not in place: a starred expression as a subscript target.
    let fix = "fix.template = \"*n.g\"\nfix.applicability = \"safe\"";
    let rules = rules(&pack_with("\"m.f\"", fix), &[]);
    let outcome = anyio_lint::fix(&rules, "import m\ndel m.f\n", true);
    assert_eq!(outcome.text, "import m\ndel m.f\n");
    assert!(outcome.problems[0].contains("T1"), "{:?}", outcome.problems);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let source = format!(
        "import m\nx = {}{}\nm.f()\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert_eq!(found("\"m.f()\"", "", &source), ["m.f()"]);
    let parens = format!(
        "import m\nx = {}1{}\nm.f()\n",
        "(".repeat(20000),
        ")".repeat(20000)
    );
    assert_eq!(found("\"m.f()\"", "", &parens), ["m.f()"]);
}

#[test]
fn prefilter_skips_files_without_the_identifiers() {
    let rules = rules(&pack_with("\"m.f()\"", ""), &[]);
    assert!(!check(&rules, "x = 1\nprint(x)\n", &[]).parsed);
    assert!(check(&rules, "import m\nm.g(f)\n", &[]).parsed);
}

#[test]
fn keyword_capture_takes_the_keywords_the_pattern_does_not_name() {
    let pattern = r#""m.f($A, $$$REST, **$$$KW)""#;
    let fix = r#"fix.template = "n.g([$A, $$$REST], $$$KW)"
fix.applicability = "safe""#;
    assert_eq!(
        fixed(pattern, fix, "import m\nm.f(1, 2, x=3, **extra)\nm.f(1)\n"),
        "import n\nn.g([1, 2], x=3, **extra)\nn.g([1])\n"
    );
    // With a `**$$$KW`, the positional `$$$` no longer takes keywords.
    let found = found(
        pattern,
        r#"match.REST.not.has = { kind = "Keyword", within = "children" }"#,
        "import m\nm.f(1, k=2)\n",
    );
    assert_eq!(found, ["m.f(1, k=2)"]);
}

#[test]
fn default_keywords_fill_in_what_the_call_did_not_pass() {
    let extra = r#"fix.template = "n.g($$$ARGS)"
fix.applicability = "safe"
fix.ARGS.default-keywords = ["a=None", "b=1"]"#;
    assert_exact_snapshot!(
        "default_keywords_filled_in",
        fixed(
            r#""m.f($$$ARGS)""#,
            extra,
            "import m\nm.f()\nm.f(0, b=2)\nm.f(\n    0,\n)\n"
        )
    );
    // `**kwargs` may set them: no fix.
    let rules = rules(&pack_with(r#""m.f($$$ARGS)""#, extra), &[]);
    let result = check(&rules, "import m\nm.f(**kw)\n", &[]);
    assert!(result.diagnostics[0].fix.is_none());
}

#[test]
fn each_rewrites_every_element_or_the_rule_does_not_match() {
    let extra = r#"fix.G.fresh = "group"
fix.CALLS.each.match = { pattern = "$F($$$A)", A.not.has = { kind = "Keyword", within = "children" } }
fix.CALLS.each.template = "$G.spawn($F, $$$A)"
fix.template = """
with n.group() as $G:
    $$$CALLS
"""
fix.applicability = "safe""#;
    let matching = r#"match.kind = "Expr"
match.has = { pattern = "m.run($$$CALLS)", within = "children" }"#;
    let rules = rules(&pack_matching(matching, extra), &[]);
    let fixed = |source: &str| {
        let outcome = anyio_lint::fix(&rules, source, true);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        outcome.text
    };
    assert_exact_snapshot!(
        "each_call_spawned",
        fixed("import m\ndef f():\n    m.run(a(1), b())\n")
    );
    // `group` is taken: the fresh name moves on.
    assert_exact_snapshot!(
        "each_fresh_name_moves_on",
        fixed("import m\ngroup = 1\nm.run(a())\n")
    );
    // An element that is not a positional call: no match at all.
    assert!(
        check(&rules, "import m\nm.run(a(k=1), b())\nm.run(x)\n", &[])
            .diagnostics
            .is_empty()
    );
}

#[test]
fn a_list_pasted_whole_keeps_its_layout() {
    let fix = "fix.template = \"n.g($$$A)\"\nfix.applicability = \"unsafe\"";
    let source =
        "import m\nif x:\n    y = m.f(\n        1,  # one\n        # two\n        (2),\n    )\n";
    assert_eq!(
        fixed("\"m.f($$$A)\"", fix, source),
        "import n\nif x:\n    y = n.g(\n        1,  # one\n        # two\n        (2),\n    )\n"
    );
    // At a deeper indentation: re-based, its closing bracket too.
    let deeper = "fix.template = \"\"\"\nwith n.scope():\n    $Y = n.g($$$A)\n\"\"\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed(
            "\"$Y = m.f($$$A)\"",
            deeper,
            "import m\ny = m.f(\n    1,\n    2,\n)\n"
        ),
        "import n\nwith n.scope():\n    y = n.g(\n        1,\n        2,\n    )\n"
    );
    // Its items one by one, in order: the same.
    let fix = "fix.template = \"n.g($X, $$$A)\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed("\"m.f($X, $$$A)\"", fix, "import m\nm.f( 1, 2, )\n"),
        "import n\nn.g( 1, 2, )\n"
    );
}

#[test]
fn a_list_taking_items_of_a_broken_list_is_written_one_item_a_line() {
    let reorder = "fix.template = \"n.g($$$A, key=$X)\"\nfix.applicability = \"safe\"";
    let pattern = "\"m.f($X, $$$A)\"";
    // The source's hanging indentation is kept, comments too.
    assert_eq!(
        fixed(
            pattern,
            reorder,
            "import m\nif x:\n    m.f(\n            1,\n            # two\n            2,\n            3,  # three\n    )\n"
        ),
        "import n\nif x:\n    n.g(\n            # two\n            2,\n            3,  # three\n            key=1,\n    )\n"
    );
    // Items that did not each start a line: one a line.
    assert_eq!(
        fixed(pattern, reorder, "import m\nm.f(1, 2,\n    3)\n"),
        "import n\nn.g(\n    2,\n    3,\n    key=1,\n)\n"
    );
    // Not broken between its items: as the template spells it.
    assert_eq!(
        fixed(pattern, reorder, "import m\nm.f(1, g(\n    2,\n))\n"),
        "import n\nn.g(g(\n    2,\n), key=1)\n"
    );
    // One item: on one line.
    let one = "fix.template = \"n.g($X)\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed(
            "\"m.f($X, $_)\"",
            one,
            "import m\nm.f(\n    1,\n    2,\n)\n"
        ),
        "import n\nn.g(1)\n"
    );
    // A list inside one written one item a line for the same source list: its own line.
    let nested = "fix.template = \"n.g([$X, $$$A], k=1)\"\nfix.applicability = \"safe\"";
    assert_eq!(
        fixed(pattern, nested, "import m\nm.f(\n    1,\n    2,\n)\n"),
        "import n\nn.g(\n    [1, 2],\n    k=1,\n)\n"
    );
}

#[test]
fn each_element_is_indented_for_the_line_it_goes_on() {
    let extra = r#"fix.G.fresh = "group"
fix.CALLS.each.match = { pattern = "$F($$$A)" }
fix.CALLS.each.template = "$G.spawn($F, $$$A)"
fix.template = """
with n.group() as $G:
    $$$CALLS
"""
fix.applicability = "safe""#;
    let rules = rules(
        &pack_matching(
            "match.kind = \"Expr\"\nmatch.has = { pattern = \"m.run($$$CALLS)\", within = \"children\" }",
            extra,
        ),
        &[],
    );
    let outcome = anyio_lint::fix(
        &rules,
        "import m\ndef f():\n    m.run(\n        a(\n            1,\n            2,\n        ),\n        b(),\n    )\n",
        true,
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    assert_eq!(
        outcome.text,
        "import n\ndef f():\n    with n.group() as group:\n        group.spawn(\n            a,\n            1,\n            2,\n        )\n        group.spawn(b)\n"
    );
}

#[test]
fn each_joins_with_commas_inside_an_expression() {
    let extra = r#"fix.XS.each = { match.pattern = "$X", template = "str($X)" }
fix.template = "n.join($$$XS)"
fix.applicability = "safe""#;
    assert_eq!(
        fixed(
            r#""m.concat($$$XS)""#,
            extra,
            "import m\nm.concat(a, b + 1)\n"
        ),
        "import n\nn.join(str(a), str(b + 1))\n"
    );
}

#[test]
fn inside_with_parent_reach_says_where_the_node_stands() {
    let source = "import m\ntry:\n    pass\nexcept m.E:\n    pass\nexcept (m.E, KeyError):\n    pass\nraise m.E\n@m.E\ndef f(): pass\n";
    let except_type = r#"match.any = [
    { inside = { kind = "ExceptHandler", within = "parent" } },
    { inside = { kind = "Tuple", within = "parent", inside = { kind = "ExceptHandler", within = "parent" } } },
]"#;
    assert_eq!(found(r#""m.E""#, except_type, source).len(), 2);
    let decorator = r#"match.inside = { kind = "Decorator", within = "parent" }"#;
    assert_eq!(found(r#""m.E""#, decorator, source).len(), 1);
}

#[test]
fn bound_to_follows_the_assignments_of_the_name_in_its_scope() {
    let extra = r#"match.L.bound-to = "m.loop()""#;
    let source = "\
import m
def direct():
    l = m.loop()
    l.time()
def parameter(l):
    l.time()
def reassigned():
    l = m.loop()
    l = other()
    l.time()
def unpacked():
    l, k = m.loop(), 1
    l.time()
g = m.loop()
def module_level():
    g.time()
";
    let found = found(r#""$L.time()""#, extra, source);
    assert_eq!(found, ["l.time()", "g.time()"]);
}

#[test]
fn a_builtin_the_template_writes_is_unshadowed_or_the_fix_withheld() {
    let extra = r#"fix.template = "KeyError"
fix.applicability = "safe""#;
    // An import of a dropped module shadows the builtin: the import goes.
    assert_eq!(
        fixed(
            r#""m.KeyError""#,
            extra,
            "from m import KeyError, other\nother(KeyError)\n"
        ),
        "from m import other\nother(KeyError)\n"
    );
    // Anything else that binds the name: no fix.
    let rules = rules(&pack_with(r#""m.KeyError""#, extra), &[]);
    let source = "import m\nfrom n import KeyError\nm.KeyError\n";
    assert!(check(&rules, source, &[]).diagnostics[0].fix.is_none());
}

#[test]
fn an_unset_version_is_the_newest() {
    let pack = pack_with(r#""m.f()""#, r#"match.versions = { lib = "<4.14" }"#);
    let source = "import m\nm.f()\n";
    assert!(
        check(&rules(&pack, &[]), source, &[])
            .diagnostics
            .is_empty()
    );
    assert_eq!(
        check(&rules(&pack, &[("lib", "4.12")]), source, &[])
            .diagnostics
            .len(),
        1
    );
}

/// A pack with one comment rule matching `regex`.
fn comment_pack(regex: &str) -> String {
    format!(
        r##"[pack]
name = "test-pack"
version = "0"
description = "test"
prefix = "T"
modules = ["m"]

[[rule]]
code = "T1"
name = "marker"
message = "marker"
explain = "x"
match.comment = '{regex}'

[[rule.example]]
flagged = "# todo"
"##
    )
}

/// The comments `regex` reports in `source`.
fn comments_found<'s>(regex: &str, source: &'s str) -> Vec<&'s str> {
    check(&rules(&comment_pack(regex), &[]), source, &[])
        .diagnostics
        .iter()
        .map(|d| &source[d.range])
        .collect()
}

#[test]
fn comment_rules_match_comments_only() {
    let source = "x = '# TODO in a string'\n# todo: port\ny = 1  # TODO later\n";
    assert_eq!(
        comments_found(r"(?i)#\s*todo\b", source),
        ["# todo: port", "# TODO later"]
    );
    let with_fix = comment_pack(r"(?i)#\s*todo\b").replace(
        "match.comment = ",
        "fix.template = \"y\"\nfix.applicability = \"safe\"\nmatch.comment = ",
    );
    let error = anyio_lint::load_pack("p.toml", &with_fix)
        .unwrap_err()
        .render(false);
    assert!(error.contains("cannot have a fix"), "{error}");
}

#[test]
fn an_anchored_comment_regex_is_matched_against_each_comment_not_the_file() {
    // `^` and `$` hold at the comment's ends, not at the file's: the file must still be parsed.
    let source = "x = 1\n# todo\ny = 2\n";
    assert_eq!(comments_found(r"^#\s*todo$", source), ["# todo"]);
}

#[test]
fn each_pattern_is_tried_only_in_files_holding_its_words() {
    // Two alternatives; the file holds the words of the second only. Both must still be found
    // where their words are, and the first is never tried where they are not.
    let patterns = r#"["m.first($X)", "m.second($X)"]"#;
    assert_eq!(
        found(patterns, "", "import m\nm.second(1)\n"),
        ["m.second(1)"]
    );
    assert_eq!(
        found(patterns, "", "import m\nm.first(1)\nm.second(2)\n"),
        ["m.first(1)", "m.second(2)"]
    );
    // An alias spells neither word at the call, but the import holds it.
    assert_eq!(
        found(patterns, "", "from m import first as f\nf(1)\n"),
        ["f(1)"]
    );
}

#[test]
fn when_imported_and_unbound() {
    let imported = found(
        r#""$X.run()""#,
        r#"match.imports = ["n"]"#,
        "import n\nx.run()\n",
    );
    assert_eq!(imported, ["x.run()"]);
    assert!(found(r#""$X.run()""#, r#"match.imports = ["n"]"#, "x.run()\n").is_empty());
    // `m` used where nothing binds it, but not where it is imported or assigned.
    let extra = r#"match.M = { regex = "^m$", unbound = true }"#;
    let source = "def f():\n    m.a()\ndef g():\n    import m\n    m.b()\ndef h(m):\n    m.c()\n";
    assert_eq!(found(r#""$M.$N()""#, extra, source), ["m.a()"]);
}

#[test]
fn constraint_pattern_lists_are_alternatives() {
    let extra = r#"match.F.pattern = ["m.f", "m.g"]"#;
    let source = "import m\nm.f(1)\nm.g(2)\nm.h(3)\n";
    assert_eq!(found(r#""$F($X)""#, extra, source), ["m.f(1)", "m.g(2)"]);
}

#[test]
fn the_walk_passes_by_subtrees_without_an_anchor_yet_finds_every_match() {
    // A dotted name of a declared module: the match holds a use of the name its import binds,
    // here an alias deep in a class and a function.
    let aliased = "from m import first as go\nclass C:\n    def f(self):\n        x = [1, 2]\n        return go(x)\n";
    assert_eq!(found(r#""m.first($X)""#, "", aliased), ["go(x)"]);
    // The longest literal identifier (`timeout`), wherever the call spreads its arguments.
    let keyword =
        "def f(a):\n    if a:\n        a.stop(\n            timeout=1,\n        )\n    a.stop(2)\n";
    assert_eq!(
        found(r#""$X.stop(timeout=$T)""#, "", keyword),
        ["a.stop(\n            timeout=1,\n        )"]
    );
    // The words a constraint allows a metavariable dispatched by name, one of them a soft
    // keyword standing as a name.
    let extra = r#"match.M.regex = "^(halt|match)$""#;
    let source = "def f(a, b):\n    if a:\n        a.halt()\n    return [b.match() for _ in a]\n";
    assert_eq!(
        found(r#""$X.$M()""#, extra, source),
        ["a.halt()", "b.match()"]
    );
    // The words a constraint allows a metavariable standing for an identifier (a function's
    // name, a parameter), beside a pattern anchored by the parts of a `from` import's module.
    let patterns = r#"["def $F($$$P, $NAME, $$$Q): $$$B", "from m.sub import $$$N"]"#;
    let extra = r#"match.NAME.regex = "^(fixture|case)$""#;
    let source = "class T:\n    def test(self, case):\n        pass\n    def other(self, x):\n        from m.sub import y\n";
    assert_eq!(
        found(patterns, extra, source),
        ["def test(self, case):\n        pass", "from m.sub import y"]
    );
    // A pattern that spells nothing else is anchored by its keyword: `with` (also in
    // `async with`) deep in a class, a function and a loop, and nowhere else.
    let source = "class C:\n    async def f(self, a):\n        for x in a:\n            with x:\n                pass\n        async with a:\n            pass\n    y = [z for z in f(1)]\n";
    assert_eq!(
        found(r#""with $L:\n    $$$B""#, "", source),
        ["with x:\n                pass"]
    );
    assert_eq!(
        found(r#""async with $L:\n    $$$B""#, "", source),
        ["async with a:\n            pass"]
    );
    // A pattern that spells nothing of its own makes the walk visit everything.
    let patterns = r#"["m.first($X)", "$F($X, $X)"]"#;
    let source = "import m\ndef g():\n    return [h(1, 1)]\n";
    assert_eq!(found(patterns, "", source), ["h(1, 1)"]);
}

#[test]
fn identifiers_match_as_python_reads_them_nfkc_normalised() {
    // `ｓleep` (a fullwidth `s`) is `sleep` to Python: the prefilter must let the file through,
    // the walk must not pass the subtree by, and a constraint's regex sees `halt`.
    let source = "import m\ndef f(a):\n    if a:\n        m.\u{ff53}leep(1)\n";
    assert_eq!(found(r#""m.sleep($X)""#, "", source), ["m.\u{ff53}leep(1)"]);
    let source = "def f(a):\n    if a:\n        a.stop(\u{ff54}imeout=1)\n";
    assert_eq!(
        found(r#""$X.stop(timeout=$T)""#, "", source),
        ["a.stop(\u{ff54}imeout=1)"]
    );
    let extra = r#"match.M.regex = "^(halt|pause)$""#;
    let source = "def f(a):\n    if a:\n        a.\u{ff48}alt()\n";
    assert_eq!(found(r#""$X.$M()""#, extra, source), ["a.\u{ff48}alt()"]);
}

#[test]
fn a_tree_deeper_than_the_stack_allows_is_dropped_on_a_new_segment() {
    // A left-nested chain of 300,000 additions: parsed without recursion, but dropping it
    // recurses once per level, far beyond this thread's 4 MiB.
    let source = format!("x = {}\n", vec!["1"; 300_000].join("+"));
    std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(move || {
            let parsed = anyio_lint::parse(&source);
            assert!(parsed.errors().is_empty());
            anyio_lint::drop_deep(parsed, source.len());
        })
        .expect("thread starts")
        .join()
        .expect("no overflow");
}

#[test]
fn a_message_shows_a_capture_on_one_line_and_shortens_a_long_one() {
    let pack =
        pack_with(r#""m.f($X)""#, "").replace(r#"message = "found""#, r#"message = "found $X""#);
    let rules = rules(&pack, &[]);
    let messages = |source: &str| -> Vec<String> {
        check(&rules, source, &[])
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    };
    assert_eq!(
        messages("import m\nm.f(g(\n    1,\n    2))\n"),
        ["found g( 1, 2)"]
    );
    let long = format!("import m\nm.f(é{})\n", "x".repeat(70));
    assert_eq!(messages(&long), [format!("found é{}...", "x".repeat(56))]);
    let sixty = format!("import m\nm.f({})\n", "y".repeat(60));
    assert_eq!(messages(&sixty), [format!("found {}", "y".repeat(60))]);
}

#[test]
fn a_fallback_finding_shows_only_where_no_other_finding_covers_it() {
    let fallback = "\n[[rule]]\ncode = \"T2\"\nname = \"any-use\"\nmessage = \"any\"\nexplain = \"x\"\n\
                    match.pattern = \"m.$NAME\"\nfallback = true\n\n[[rule.example]]\nflagged = \"x\"\n";
    let rules = rules(&(pack_with(r#""m.sleep($X)""#, "") + fallback), &[]);
    let source = "import m\nm.sleep(m.a)\nx = m.b\ndef f():\n    y = [m.sleep(2), m.c]\n    \
                  return m.sleep(m.sleep(m.d)), m.e\n";
    let shown: Vec<(String, &str)> = check(&rules, source, &[])
        .diagnostics
        .iter()
        .map(|d| (d.code.clone().unwrap_or_default(), &source[d.range]))
        .collect();
    let expected = [
        ("T1", "m.sleep(m.a)"),
        ("T2", "m.b"),
        ("T1", "m.sleep(2)"),
        ("T2", "m.c"),
        ("T1", "m.sleep(m.sleep(m.d))"),
        ("T1", "m.sleep(m.d)"),
        ("T2", "m.e"),
    ];
    assert_eq!(
        shown,
        expected
            .map(|(code, text)| (code.to_owned(), text))
            .to_vec()
    );
}

#[test]
fn of_fallback_findings_nested_in_one_another_only_the_outermost_shows() {
    let outer = "\n[[rule]]\ncode = \"T2\"\nname = \"any-use\"\nmessage = \"any\"\nexplain = \"x\"\n\
                 match.pattern = \"m.$NAME\"\nfallback = true\n\n[[rule.example]]\nflagged = \"x\"\n\
                 \n[[rule]]\ncode = \"T3\"\nname = \"deep-use\"\nmessage = \"deep\"\nexplain = \"x\"\n\
                 match.pattern = \"m.$SUB.$NAME\"\nfallback = true\n\n[[rule.example]]\nflagged = \"x\"\n";
    let rules = rules(&(pack_with(r#""m.sleep($X)""#, "") + outer), &[]);
    let source = "import m\nx = m.sub._private\ny = m.other\n";
    let shown: Vec<(String, &str)> = check(&rules, source, &[])
        .diagnostics
        .iter()
        .map(|d| (d.code.clone().unwrap_or_default(), &source[d.range]))
        .collect();
    assert_eq!(
        shown,
        [
            ("T3".to_owned(), "m.sub._private"),
            ("T2".to_owned(), "m.other")
        ]
    );
}
