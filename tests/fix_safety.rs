//! What a fix may never do: lose code, move code it did not match, leave a file Python refuses to
//! compile, or count as done what it undid. End to end with the built-in packs, and through the
//! library with packs written for each test.

mod common;

use std::sync::Arc;

use anyio_lint::{RuleSet, Selection};
use common::{assert_exact_snapshot, project, run, stderr};

/// Rules from `rules` (TOML `[[rule]]` tables) in a pack over the module `m`.
fn rules(rules: &str) -> RuleSet {
    let text = format!(
        r#"[pack]
name = "test-pack"
version = "0"
description = "test"
prefix = "T"
modules = ["m"]
{rules}"#
    );
    let pack =
        anyio_lint::load_pack("test.toml", &text).unwrap_or_else(|e| panic!("{}", e.render(false)));
    RuleSet::new(
        Arc::new(vec![pack]),
        &Selection::default(),
        &Default::default(),
    )
}

fn rule(code: &str, pattern: &str, fix: &str) -> String {
    format!(
        r#"
[[rule]]
code = "{code}"
name = "rule-{}"
message = "found"
explain = "x"
match.pattern = "{pattern}"
fix.template = "{fix}"
fix.applicability = "safe"

[[rule.example]]
flagged = "x"
"#,
        code.to_lowercase()
    )
}

#[test]
fn a_file_whose_lines_end_in_a_bare_cr_is_fixed_like_any_other() {
    let original = "x = 1\rimport asyncio\r\rasync def main():\r    await asyncio.sleep(1)\r\rasyncio.run(main())\r";
    let dir = project(&[("cr.py", original.as_bytes())]);
    let diff = run(dir.path(), &["check", "cr.py", "--diff"]);
    assert!(
        !common::stdout(&diff).contains("-async def main():"),
        "{}",
        common::stdout(&diff)
    );
    let output = run(dir.path(), &["check", "cr.py", "--fix", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let fixed = std::fs::read_to_string(dir.path().join("cr.py")).unwrap();
    assert_eq!(
        fixed,
        "x = 1\r\rimport anyio\r\rasync def main():\r    await anyio.sleep(1)\r\ranyio.run(main)\r"
    );
    // Findings point at the lines Python sees.
    let concise = common::run_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "s.py",
            "--output-format",
            "concise",
        ],
        original.as_bytes(),
    );
    assert!(
        common::stdout(&concise).contains("s.py:5:11: AIO101"),
        "{}",
        common::stdout(&concise)
    );
}

#[test]
fn a_block_fix_takes_only_its_own_statement_off_a_shared_line() {
    let dir = project(&[(
        "m.py",
        b"import asyncio\n\nasync def f(c):\n    x = await asyncio.wait_for(c, 5); other(x)\n    return x\n",
    )]);
    let output = run(dir.path(), &["check", "m.py", "--fix", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_exact_snapshot!(
        "block_fix_off_a_shared_line",
        std::fs::read_to_string(dir.path().join("m.py")).unwrap()
    );
}

#[test]
fn a_fix_that_python_would_refuse_to_compile_is_rolled_back() {
    // Twenty nested loops are CPython's limit; the fix's `with` block would be the 21st.
    let mut source = String::from("import asyncio\n\nasync def f(c):\n");
    for depth in 1..=20 {
        source.push_str(&format!("{}for i{depth} in c:\n", "    ".repeat(depth)));
    }
    source.push_str(&format!(
        "{}x = await asyncio.wait_for(c, 5)\n",
        "    ".repeat(21)
    ));
    let dir = project(&[("deep.py", source.as_bytes())]);
    let output = run(dir.path(), &["check", "deep.py", "--fix", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("too many statically nested blocks"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("deep.py")).unwrap(),
        source
    );

    // `await` where the function is not async.
    let rules = rules(&rule("T1", "m.block_on($X)", "await $X"));
    let outcome = anyio_lint::fix(
        &rules,
        "import m\n\ndef f():\n    return m.block_on(g())\n",
        false,
    );
    assert_eq!(
        outcome.text,
        "import m\n\ndef f():\n    return m.block_on(g())\n"
    );
    assert!(
        outcome.problems[0].contains("outside an async function"),
        "{:?}",
        outcome.problems
    );
    let outcome = anyio_lint::fix(
        &rules,
        "import m\n\nasync def f():\n    return m.block_on(g())\n",
        false,
    );
    assert_eq!(
        outcome.text,
        "import m\n\nasync def f():\n    return await g()\n"
    );
}

#[test]
fn fixes_that_undo_one_another_count_nothing() {
    let rules = rules(&(rule("T1", "m.a($X)", "m.b($X)") + &rule("T2", "m.b($X)", "m.a($X)")));
    let outcome = anyio_lint::fix(&rules, "import m\nm.a(1)\n", false);
    assert_eq!(outcome.text, "import m\nm.a(1)\n");
    assert_eq!(outcome.fixed(), 0, "{:?}", outcome.applied);
    assert!(
        outcome.problems[0].contains("undo one another"),
        "{:?}",
        outcome.problems
    );

    // A → B → C → B: the file keeps B, and only the fix that made B counts.
    let rules = rules_chain();
    let outcome = anyio_lint::fix(&rules, "import m\nm.a(1)\n", false);
    assert_eq!(outcome.text, "import m\nm.b(1)\n");
    assert_eq!(outcome.fixed(), 1, "{:?}", outcome.applied);
}

fn rules_chain() -> RuleSet {
    rules(
        &(rule("T1", "m.a($X)", "m.b($X)")
            + &rule("T2", "m.b($X)", "m.c($X)")
            + &rule("T3", "m.c($X)", "m.b($X)")),
    )
}
