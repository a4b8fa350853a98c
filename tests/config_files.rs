//! End to end: rules over configuration files. The files the rules read are found with the Python
//! files (excludes holding), each syntax is read as its readers read it (INI sections, continuation
//! lines and comments; TOML tables and dotted keys), fixes rename, rewrite and remove entries and
//! reach a fixpoint, a fix that would break the file is rolled back, `# noqa` and `--add-noqa`
//! work in both formats, and a malformed file is one clear finding.

mod common;

use std::path::Path;
use std::process::Output;

use common::{findings, project, run, run_stdin, stderr, stdout};

/// The project's anyio, declared so that the rules gated on it are certain to apply.
const CONFIG: &str = "[versions]\nanyio = \"4.16\"\n";

fn concise(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--output-format", "concise"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn the_files_rules_read_are_found_with_the_python_files_and_excludes_hold() {
    let auto = b"[pytest]\nasyncio_mode = auto\n".as_slice();
    let dir = project(&[
        (
            "anyio-lint.toml",
            b"extend-exclude = [\"vendor\"]\n[versions]\nanyio = \"4.16\"\n",
        ),
        ("pytest.ini", auto),
        ("tox.ini", auto),
        ("setup.cfg", b"[tool:pytest]\nasyncio_mode = auto\n"),
        (
            "pyproject.toml",
            b"[tool.pytest.ini_options]\nasyncio_mode = \"auto\"\n",
        ),
        ("pkg/tests/pytest.ini", auto),
        // Not a name any rule reads, nor Python: never checked, though it is no valid INI.
        (
            "other.ini",
            b"[pytest]\nasyncio_mode = auto\nnot an entry\n",
        ),
        ("pytest.ini.bak", auto),
        // Excluded by default, and by the configuration.
        ("build/pytest.ini", auto),
        (".tox/pytest.ini", auto),
        ("vendor/pytest.ini", auto),
        ("app.py", b"import asyncio\n\nasyncio.run(main())\n"),
    ]);
    let output = concise(dir.path(), &["."]);
    assert_eq!(
        findings(&output),
        [
            "app.py:3:1: AIO201",
            "pkg/tests/pytest.ini:2:1: PTA401",
            "pyproject.toml:2:1: PTA401",
            "pytest.ini:2:1: PTA401",
            "setup.cfg:2:1: PTA401",
            "tox.ini:2:1: PTA401",
        ],
        "{}",
        stdout(&output)
    );
    // A file named explicitly is checked, excluded directory or not, unless force-exclude holds.
    let named = concise(dir.path(), &["build/pytest.ini", "vendor/pytest.ini"]);
    assert_eq!(
        findings(&named),
        [
            "build/pytest.ini:2:1: PTA401",
            "vendor/pytest.ini:2:1: PTA401"
        ]
    );
    let forced = concise(dir.path(), &["--force-exclude", "vendor/pytest.ini"]);
    assert!(findings(&forced).is_empty(), "{}", stdout(&forced));
    // With the rules over configuration files off, they are read no more.
    let ignored = concise(dir.path(), &["--ignore", "PTA4", "."]);
    assert_eq!(findings(&ignored), ["app.py:3:1: AIO201"]);
    // An `include` list replaces the default, configuration files included.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "include = [\"*.py\", \"tox.ini\"]\n[versions]\nanyio = \"4.16\"\n",
    )
    .unwrap();
    let included = concise(dir.path(), &["."]);
    assert_eq!(
        findings(&included),
        ["app.py:3:1: AIO201", "tox.ini:2:1: PTA401"]
    );
}

#[test]
fn a_users_pack_reads_the_files_it_names() {
    let pack = r#"[pack]
name = "typing-config"
version = "1"
description = "d"
prefix = "TC"

[[rule]]
code = "TC1"
name = "strict-off"
message = "`$KEY = $VALUE` in `[$SECTION]`; the flag is `$FLAG`"
explain = "e"
match.ini = { file = "mypy.ini", section = "mypy", key = "strict", value = "^(?P<FLAG>false|False)$" }
fix.value = "true"
fix.applicability = "safe"

[[rule.example]]
flagged = "[mypy]\nstrict = false\n"
fixed = "[mypy]\nstrict = true\n"
"#;
    let dir = project(&[
        ("pack.toml", pack.as_bytes()),
        ("mypy.ini", b"[mypy]\nstrict = False\n"),
        ("sub/mypy.ini", b"[mypy]\nstrict = true\n"),
    ]);
    let output = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--no-builtin-packs",
            "--rulepack",
            "pack.toml",
            ".",
        ],
    );
    let found: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(found.len(), 1, "{}", stdout(&output));
    assert_eq!(
        found[0]["filename"]
            .as_str()
            .map(|f| f.ends_with("mypy.ini")),
        Some(true)
    );
    assert_eq!(
        found[0]["message"],
        "`strict = False` in `[mypy]`; the flag is `False`"
    );
    assert_eq!(found[0]["location"]["row"], 2);
    assert_eq!(found[0]["end_location"]["column"], 15);
    assert_eq!(found[0]["fix"]["edits"][0]["content"], "true");
    let tested = run(dir.path(), &["test", "pack.toml"]);
    assert!(tested.status.success(), "{}", stdout(&tested));
    let fixed = run(
        dir.path(),
        &[
            "check",
            "--fix",
            "--no-builtin-packs",
            "--rulepack",
            "pack.toml",
            ".",
        ],
    );
    assert!(fixed.status.success(), "{}", stdout(&fixed));
    assert_eq!(read(dir.path(), "mypy.ini"), "[mypy]\nstrict = true\n");
}

#[test]
fn each_syntax_is_read_as_its_readers_read_it() {
    let dir = project(&[
        ("anyio-lint.toml", CONFIG.as_bytes()),
        (
            "pytest.ini",
            // Comments of both kinds, a value continued over lines with a blank and a comment
            // line inside it, `key: value`, and a `#` that is part of a value.
            b"; pytest's settings\n[pytest]\n# options\naddopts =\n    -ra\n\n    # not a value\n    -q\nasyncio_default_test_loop_scope: module\nasyncio_mode = auto  # not a comment\nasyncio_debug=true\n",
        ),
        // setup.cfg's section is `[tool:pytest]`; its `[pytest]` is not read.
        (
            "setup.cfg",
            b"[metadata]\nname = app\n\n[pytest]\nasyncio_mode = auto\n\n[tool:pytest]\nasyncio_default_fixture_loop_scope =\n    session\n",
        ),
        // tox.ini's section is `[pytest]`; its `[tool:pytest]` is not read.
        (
            "tox.ini",
            b"[tox]\nenvlist = py311\n\n[tool:pytest]\nasyncio_mode = auto\n\n[pytest]\nasyncio_mode = strict\n",
        ),
        // A dotted key and an inline table in pyproject.toml; pytest.toml's table is `[pytest]`.
        (
            "pyproject.toml",
            b"[project]\nname = \"app\"\n\n[tool.pytest]\nini_options.asyncio_mode = \"auto\"\n\n[tool.other]\nasyncio_mode = \"auto\"\n",
        ),
        (
            "pytest.toml",
            b"[pytest]\nasyncio_debug = true\nmarkers = { asyncio_mode = \"auto\" }\n",
        ),
    ]);
    let output = concise(dir.path(), &["."]);
    assert_eq!(
        findings(&output),
        [
            "pyproject.toml:5:1: PTA401",
            "pytest.ini:9:1: PTA403",
            "pytest.ini:11:1: PTA403",
            "pytest.toml:2:1: PTA403",
            "setup.cfg:8:1: PTA403",
            "tox.ini:8:1: PTA404",
        ],
        "{}",
        stdout(&output)
    );
    // The `#` after `auto` belongs to the value, as pytest reads it: the value is not `auto`.
    assert!(!stdout(&output).contains("pytest.ini:10:"));
}

#[test]
fn fixes_rename_rewrite_and_remove_entries_and_a_second_fix_changes_nothing() {
    let dir = project(&[
        ("anyio-lint.toml", CONFIG.as_bytes()),
        (
            "pytest.ini",
            b"[pytest]\n# run async tests without markers\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope =\n    function\naddopts = -ra\n",
        ),
        (
            "setup.cfg",
            b"[metadata]\nname = app\n\n[tool:pytest]\nasyncio_mode = strict\ntestpaths =\n    tests\n",
        ),
        (
            "pyproject.toml",
            b"[project]\nname = \"app\"\n\n[tool.pytest.ini_options]\nasyncio_mode = \"auto\"  # no markers\nasyncio_default_test_loop_scope = \"module\"\nfilterwarnings = [\"error\"]\n",
        ),
    ]);
    // Safe fixes alone change nothing: every one of these is unsafe.
    let safe = run(dir.path(), &["check", "--fix", "."]);
    assert_eq!(safe.status.code(), Some(1), "{}", stdout(&safe));
    assert!(read(dir.path(), "pytest.ini").contains("asyncio_mode = auto"));
    let diff = run(dir.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    let shown = stdout(&diff);
    assert!(
        shown.contains("--- a/pytest.ini") && shown.contains("+anyio_mode = auto\n"),
        "{shown}"
    );
    let fixed = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert!(
        fixed.status.success(),
        "{}{}",
        stdout(&fixed),
        stderr(&fixed)
    );
    assert_eq!(
        read(dir.path(), "pytest.ini"),
        "[pytest]\n# run async tests without markers\nanyio_mode = auto\naddopts = -ra\n"
    );
    assert_eq!(
        read(dir.path(), "setup.cfg"),
        "[metadata]\nname = app\n\n[tool:pytest]\ntestpaths =\n    tests\n"
    );
    assert_eq!(
        read(dir.path(), "pyproject.toml"),
        "[project]\nname = \"app\"\n\n[tool.pytest.ini_options]\nanyio_mode = \"auto\"  # no markers\nfilterwarnings = [\"error\"]\n"
    );
    let before: Vec<String> = ["pytest.ini", "setup.cfg", "pyproject.toml"]
        .iter()
        .map(|name| read(dir.path(), name))
        .collect();
    let again = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert!(again.status.success(), "{}", stdout(&again));
    assert!(
        stdout(&again).contains("All checks passed"),
        "{}",
        stdout(&again)
    );
    let after: Vec<String> = ["pytest.ini", "setup.cfg", "pyproject.toml"]
        .iter()
        .map(|name| read(dir.path(), name))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn before_anyio_4_11_auto_mode_is_reported_with_the_manual_way() {
    let dir = project(&[
        ("anyio-lint.toml", b"[versions]\nanyio = \"4.10\"\n"),
        ("pytest.ini", b"[pytest]\nasyncio_mode = auto\n"),
    ]);
    let output = run(dir.path(), &["check", "."]);
    let shown = stdout(&output);
    assert!(
        shown.contains("PTA402") && !shown.contains("PTA401"),
        "{shown}"
    );
    assert!(shown.contains("pytest.mark.anyio"), "{shown}");
    let fixed = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(fixed.status.code(), Some(1));
    assert_eq!(
        read(dir.path(), "pytest.ini"),
        "[pytest]\nasyncio_mode = auto\n"
    );
}

#[test]
fn a_fix_that_would_break_the_file_is_rolled_back_and_named() {
    // Renaming the key would repeat `anyio_mode`, which neither pytest nor configparser reads.
    let text = "[pytest]\nanyio_mode = auto\nasyncio_mode = auto\n";
    let dir = project(&[
        ("anyio-lint.toml", CONFIG.as_bytes()),
        ("pytest.ini", text.as_bytes()),
    ]);
    let output = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(read(dir.path(), "pytest.ini"), text);
    assert!(
        stderr(&output)
            .contains("the fix of PTA401 (asyncio-mode-auto) would make the file invalid INI"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("PTA401"), "{}", stdout(&output));
}

#[test]
fn suppressions_and_add_noqa_work_in_both_formats() {
    let dir = project(&[
        ("anyio-lint.toml", CONFIG.as_bytes()),
        (
            "pytest.ini",
            // In INI a directive stands on the line above; one at the end of a line is part of
            // the value. A stale one is reported.
            b"[pytest]\n# noqa: PTA401\nasyncio_mode = auto\nasyncio_debug = true  # noqa: PTA403\n# noqa: PTA404\naddopts = -ra\n",
        ),
        (
            "pyproject.toml",
            b"[tool.pytest.ini_options]\nasyncio_mode = \"auto\"  # noqa: PTA401\nasyncio_debug = true\n",
        ),
        (
            "tox.ini",
            b"# anyio-lint: noqa\n[pytest]\nasyncio_mode = auto\n",
        ),
    ]);
    let output = concise(dir.path(), &["."]);
    assert_eq!(
        findings(&output),
        [
            "pyproject.toml:3:1: PTA403",
            "pytest.ini:4:1: PTA403",
            "pytest.ini:5:1: NQA100",
        ],
        "{}",
        stdout(&output)
    );
    let added = run(dir.path(), &["check", "--add-noqa", "."]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(
        read(dir.path(), "pyproject.toml"),
        "[tool.pytest.ini_options]\nasyncio_mode = \"auto\"  # noqa: PTA401\nasyncio_debug = true  # noqa: PTA403\n"
    );
    assert!(
        read(dir.path(), "pytest.ini")
            .contains("# noqa: PTA401\nasyncio_mode = auto\n# noqa: PTA403\nasyncio_debug = true  # noqa: PTA403\n"),
        "{}",
        read(dir.path(), "pytest.ini")
    );
    // The stale directive is removed by its fix, and nothing is left.
    let fixed = run(dir.path(), &["check", "--fix", "."]);
    assert!(fixed.status.success(), "{}", stdout(&fixed));
    assert!(!read(dir.path(), "pytest.ini").contains("PTA404"));
    let clean = concise(dir.path(), &["."]);
    assert!(findings(&clean).is_empty(), "{}", stdout(&clean));
}

#[test]
fn a_malformed_file_is_one_clear_finding_and_the_run_goes_on() {
    let dir = project(&[
        ("anyio-lint.toml", CONFIG.as_bytes()),
        (
            "pytest.ini",
            b"[pytest]\nasyncio_mode = auto\nthis is not an entry\n",
        ),
        ("setup.cfg", b"asyncio_mode = auto\n[tool:pytest]\n"),
        (
            "tox.ini",
            b"[pytest]\nasyncio_mode = auto\nasyncio_mode = strict\n",
        ),
        ("pytest.toml", b"[pytest\nasyncio_mode = \"auto\"\n"),
        ("sub/pytest.ini", b"[pytest]\nasyncio_mode = auto\n"),
    ]);
    let output = concise(dir.path(), &["."]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let shown = stdout(&output);
    for expected in [
        "pytest.ini:3:1: syntax-error invalid INI: this line has neither `=` nor `:`",
        "setup.cfg:1:1: syntax-error invalid INI: this key stands before any `[section]`",
        "tox.ini:3:1: syntax-error invalid INI: this repeats the key `asyncio_mode`",
        "pytest.toml:1:",
        "sub/pytest.ini:2:1: PTA401",
    ] {
        assert!(shown.contains(expected), "{expected}:\n{shown}");
    }
    assert!(shown.contains("invalid TOML"), "{shown}");
    let fixed = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(fixed.status.code(), Some(1));
    assert_eq!(
        read(dir.path(), "pytest.ini"),
        "[pytest]\nasyncio_mode = auto\nthis is not an entry\n"
    );
    assert_eq!(
        read(dir.path(), "sub/pytest.ini"),
        "[pytest]\nanyio_mode = auto\n"
    );
    // A pyproject.toml is also where anyio-lint's configuration may be: one that is not TOML
    // stops the run as an invalid configuration does, pointing at the error.
    std::fs::write(dir.path().join("pyproject.toml"), "[tool.pytest\n").unwrap();
    let refused = concise(dir.path(), &["."]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("pyproject.toml:1:"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn standard_input_is_read_as_the_file_it_is_named() {
    let dir = project(&[("anyio-lint.toml", CONFIG.as_bytes())]);
    let input = b"[pytest]\nasyncio_mode = auto\n";
    let output = run_stdin(
        dir.path(),
        &[
            "check",
            "--fix",
            "--unsafe-fixes",
            "-",
            "--stdin-filename",
            "pytest.ini",
        ],
        input,
    );
    assert_eq!(
        stdout(&output),
        "[pytest]\nanyio_mode = auto\n",
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_rule_over_configuration_files_is_checked_when_its_pack_loads() {
    let header = "[pack]\nname = \"p\"\nversion = \"1\"\ndescription = \"d\"\nprefix = \"P\"\n\n[[rule]]\ncode = \"P1\"\nname = \"r\"\nmessage = \"m $KEY\"\nexplain = \"e\"\n";
    let example = "\n[[rule.example]]\nflagged = \"[a]\\nk = 1\\n\"\n";
    for (rule, error) in [
        (
            "match.ini = { file = \"conftest.py\", section = \"a\", key = \"k\" }\n",
            "a file is named without a directory",
        ),
        (
            "match.ini = { file = \"x.ini\", key = \"k\" }\n",
            "`ini` needs `section`",
        ),
        (
            "match.ini = { file = \"x.ini\", table = \"a\", key = \"k\" }\n",
            "unknown key `table` in `ini`",
        ),
        (
            "match.ini = { file = \"x.ini\", section = \"a\", key = \"k\" }\nmatch.in-async-function = true\n",
            "cannot stand beside `ini` or `toml`",
        ),
        (
            "match.ini = { file = \"x.ini\", section = \"a\", key = \"k\" }\nfix.template = \"x\"\nfix.applicability = \"safe\"\n",
            "unknown key `template` in the `fix` of a rule over configuration files",
        ),
        (
            "match.ini = { file = \"x.ini\", section = \"a\", key = \"k\" }\nfix.value = \"$NEW\"\nfix.applicability = \"safe\"\n",
            "`$NEW` is not bound by this rule's match",
        ),
        (
            "match.ini = { file = \"x.ini\", section = \"a\", key = \"k\" }\nfix.remove = true\nfix.key = \"j\"\nfix.applicability = \"safe\"\n",
            "cannot also rewrite it",
        ),
    ] {
        let pack = format!("{header}{rule}{example}");
        let dir = project(&[("pack.toml", pack.as_bytes())]);
        let output = run(dir.path(), &["test", "pack.toml"]);
        assert_eq!(output.status.code(), Some(2), "{pack}\n{}", stdout(&output));
        assert!(
            stderr(&output).contains(error),
            "{error}:\n{}",
            stderr(&output)
        );
    }
}
