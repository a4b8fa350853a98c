//! End to end: run the binary on fixture files and compare what it prints, writes and returns.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{assert_exact_snapshot, bin, project, run, stderr, stdout};

const SAMPLE: &str = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n    lock = asyncio.Lock()\n\nasyncio.run(main())\n";

#[test]
fn concise_output_and_exit_codes() {
    let dir = project(&[("app.py", SAMPLE.as_bytes()), ("clean.py", b"print(1)\n")]);
    let output = run(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(output.status.code(), Some(1));
    assert_exact_snapshot!("concise", stdout(&output));
    let clean = run(dir.path(), &["check", "clean.py"]);
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(stdout(&clean), "All checks passed!\n");
    assert_eq!(
        run(dir.path(), &["check", "--exit-zero"]).status.code(),
        Some(0)
    );
}

#[test]
fn full_output_is_rustc_style() {
    let dir = project(&[("app.py", SAMPLE.as_bytes())]);
    let text = stdout(&run(dir.path(), &["check", "app.py"]));
    assert!(
        text.contains("warning[AIO101]: `asyncio.sleep(1)` becomes `anyio.sleep(1)`"),
        "{text}"
    );
    assert!(text.contains("┌─ app.py:4:11"), "{text}");
    assert!(text.contains("4 │     await asyncio.sleep(1)"), "{text}");
    assert!(
        text.contains("= help: anyio.sleep takes the same delay"),
        "{text}"
    );
    assert!(
        text.contains("= safe fix: Replace with `anyio.sleep(1)`"),
        "{text}"
    );
}

#[test]
fn json_output_follows_ruffs_schema() {
    let dir = project(&[("app.py", SAMPLE.as_bytes())]);
    let output = run(dir.path(), &["check", "--output-format", "json"]);
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &items[0];
    assert_eq!(first["code"], "AIO101");
    assert_eq!(
        first["location"],
        serde_json::json!({"row": 4, "column": 11})
    );
    assert_eq!(
        first["end_location"],
        serde_json::json!({"row": 4, "column": 27})
    );
    assert_eq!(first["noqa_row"], 4);
    assert!(first["filename"].as_str().unwrap().ends_with("app.py"));
    let fix = &first["fix"];
    assert_eq!(fix["applicability"], "safe");
    let edits = fix["edits"].as_array().unwrap();
    assert!(edits.iter().any(|e| e["content"] == "anyio.sleep(1)"));
    assert!(edits.iter().any(|e| e["content"] == "\nimport anyio\n"));
    assert_eq!(items[1]["fix"]["applicability"], "unsafe");
}

#[test]
fn output_is_deterministic_across_thread_counts() {
    let files: Vec<(String, String)> = (0..40)
        .map(|i| (format!("m{i:02}.py"), SAMPLE.to_owned()))
        .collect();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_bytes()))
        .collect();
    let dir = project(&borrowed);
    let one = bin()
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", "1")
        .args(["check", "--output-format", "json"])
        .output()
        .unwrap();
    let many = bin()
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", "8")
        .args(["check", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(one.stdout, many.stdout);
}

#[test]
fn diff_writes_nothing_and_fix_is_idempotent() {
    let dir = project(&[("app.py", SAMPLE.as_bytes())]);
    let diff = run(dir.path(), &["check", "--diff"]);
    assert_eq!(diff.status.code(), Some(1));
    assert!(
        stdout(&diff).contains("-    await asyncio.sleep(1)\n+    await anyio.sleep(1)\n"),
        "{}",
        stdout(&diff)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        SAMPLE
    );

    let fix = run(
        dir.path(),
        &["check", "--fix", "--output-format", "concise"],
    );
    assert_eq!(
        fix.status.code(),
        Some(1),
        "the unsafe Lock and run fixes remain"
    );
    assert!(
        stdout(&fix).contains("Found 3 errors (1 fixed, 2 remaining)."),
        "{}",
        stdout(&fix)
    );
    let unsafe_fix = run(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(unsafe_fix.status.code(), Some(0), "{}", stdout(&unsafe_fix));
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_exact_snapshot!("sample_fixed_with_unsafe_fixes", fixed);
    let again = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "--diff"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout(&again), "");
}

#[test]
fn fix_keeps_bom_crlf_and_tabs() {
    let source = b"\xef\xbb\xbfimport asyncio\r\n\r\nasync def f():\r\n\tif x:\r\n\t\tdata = await asyncio.wait_for(g(), 1)\r\n\treturn data\r\n";
    let dir = project(&[("win.py", source)]);
    let output = run(dir.path(), &["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let fixed = std::fs::read(dir.path().join("win.py")).unwrap();
    assert_eq!(
        fixed,
        b"\xef\xbb\xbfimport anyio\r\n\r\nasync def f():\r\n\tif x:\r\n\t\twith anyio.fail_after(1):\r\n\t\t\tdata = await g()\r\n\treturn data\r\n"
    );
}

#[test]
fn bad_input_is_reported_and_the_rest_is_checked() {
    let deep_lists = format!(
        "import asyncio\nx = {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let parens = format!(
        "import asyncio\nx = {}1{}\n",
        "(".repeat(20000),
        ")".repeat(20000)
    );
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let dir = project(&[
        ("a_syntax.py", b"import asyncio\nx = (\n"),
        // Spells nothing a rule looks for: not parsed, so its syntax error is not reported
        // (docs/integrations.md).
        ("a_unparsed.py", b"x = (\n"),
        ("b_latin1.py", b"import asyncio\nx = '\xe9'\n"),
        ("c_binary.py", &random),
        ("d_lists.py", deep_lists.as_bytes()),
        ("e_parens.py", parens.as_bytes()),
        ("z_good.py", b"import asyncio\nasyncio.sleep(1)\n"),
    ]);
    std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("missing.py", dir.path().join("f_dangling.py")).unwrap();
    let output = run(dir.path(), &["check", "--output-format", "concise"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert!(
        text.contains("a_syntax.py:3:1: syntax-error SyntaxError:"),
        "{text}"
    );
    assert!(
        text.contains("b_latin1.py:1:1: io-error the file is not valid UTF-8"),
        "{text}"
    );
    assert!(
        text.contains("c_binary.py:1:1: io-error the file is binary"),
        "{text}"
    );
    assert!(text.contains("f_dangling.py:1:1: io-error"), "{text}");
    assert!(
        text.contains("loop:1:1: io-error cannot walk this path: File system loop found"),
        "{text}"
    );
    assert!(text.contains("z_good.py:2:1: AIO101"), "{text}");
    assert!(
        !text.contains("a_unparsed.py")
            && !text.contains("d_lists.py")
            && !text.contains("e_parens.py"),
        "{text}"
    );
}

#[test]
fn fix_never_touches_a_file_with_a_syntax_error_or_a_read_only_file() {
    let broken = "import asyncio\nasyncio.sleep(1)\nx = (\n";
    let writable = "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n";
    // Many files are written at once: one refused write must not stop the others.
    let names: Vec<String> = (0..40).map(|i| format!("w{i:02}.py")).collect();
    let mut files: Vec<(&str, &[u8])> = vec![
        ("broken.py", broken.as_bytes()),
        ("ro.py", b"import asyncio\nasyncio.sleep(1)\n"),
    ];
    files.extend(
        names
            .iter()
            .map(|name| (name.as_str(), writable.as_bytes())),
    );
    let dir = project(&files);
    let ro = dir.path().join("ro.py");
    let mut permissions = std::fs::metadata(&ro).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o444);
    std::fs::set_permissions(&ro, permissions).unwrap();
    let output = run(dir.path(), &["check", "--fix"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.py")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(&ro).unwrap(),
        "import asyncio\nasyncio.sleep(1)\n"
    );
    assert!(
        stderr(&output).contains("ro.py: fixes not written: the file is read-only"),
        "{}",
        stderr(&output)
    );
    // The unwritten file's findings are those of its original text.
    assert!(stdout(&output).contains("ro.py:2:1"), "{}", stdout(&output));
    for name in &names {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(text.contains("await anyio.sleep(1)"), "{name}: {text}");
    }
}

#[test]
fn stdin_with_and_without_fix() {
    use std::io::Write;
    let mut child = bin()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "pkg/mod.py",
            "--fix",
            "--output-format",
            "concise",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"import asyncio\nasyncio.sleep(1)\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(stdout(&output), "import anyio\nanyio.sleep(1)\n");
    assert!(
        stderr(&output).contains("Found 1 error (1 fixed, 0 remaining)."),
        "{}",
        stderr(&output)
    );
}

fn broken_pack(dir: &Path, text: &str) -> Output {
    std::fs::write(dir.join("pack.toml"), text).unwrap();
    run(
        dir,
        &[
            "check",
            "--rulepack",
            "pack.toml",
            "--no-builtin-packs",
            ".",
        ],
    )
}

const PACK_HEAD: &str = "[pack]\nname = \"mine\"\nversion = \"1\"\ndescription = \"d\"\nprefix = \"MY\"\nmodules = [\"m\"]\n";

fn rule(body: &str) -> String {
    format!(
        "{PACK_HEAD}\n[[rule]]\ncode = \"MY1\"\nname = \"my-rule\"\nmessage = \"m\"\nexplain = \"e\"\n{body}\n[[rule.example]]\nflagged = \"m.f()\"\n"
    )
}

#[test]
fn broken_packs_point_at_the_toml_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            format!("{PACK_HEAD}\n[[rule]\n"),
            "pack.toml:8:",
            "invalid table header",
        ),
        (
            rule("match.pattern = \"m.f()\"\ncolour = 1"),
            "pack.toml:14:1",
            "unknown field `colour`",
        ),
        (
            rule("match.pattern = \"m.f(\""),
            "pack.toml:13:17",
            "invalid pattern: not valid Python",
        ),
        (
            rule(
                "match.pattern = \"m.f()\"\nfix.template = \"n.g(\"\nfix.applicability = \"safe\"",
            ),
            "pack.toml:14:16",
            "the fix is not valid Python",
        ),
        (
            rule(
                "match.pattern = \"m.f($X)\"\nfix.template = \"n.g($Y)\"\nfix.applicability = \"safe\"",
            ),
            "pack.toml:14:16",
            "`$Y` is used in the fix but never bound",
        ),
        (
            rule("match.pattern = \"m.f()\"\nhelp = \"use $Z\""),
            "pack.toml:14:8",
            "`$Z` is used in the help but never bound",
        ),
        (
            rule("match.pattern = \"m.f($$$A).x\"\nmatch.A.count = \"three\""),
            "pack.toml:14:17",
            "`count` takes a number",
        ),
        (
            rule("match.pattern = \"m.f($$$A).x\"\nmatch.A.kind = \"Name\""),
            "pack.toml:14:16",
            "`kind` tests one node, and this `$$$` metavariable captured a list",
        ),
        (
            rule("match.pattern = \"m.f($X)\"\nmatch.X.colour = 1"),
            "pack.toml:14:18",
            "unknown condition `colour`",
        ),
        (
            rule("match.pattern = \"m.f($X)\"\nmatch.Y.kind = \"Name\""),
            "pack.toml:14:16",
            "`Y` is not a metavariable a pattern of this rule binds",
        ),
        (
            rule(
                "match.pattern = \"m.f($X)\"\nmatch.inside = { pattern = \"m.g()\", within = \"far\" }",
            ),
            "pack.toml:14:46",
            "`inside.within` is one of module, parent, statement, function, class",
        ),
        (
            rule("pattern = \"m.f($$$A)\"\nwhere.A = { positional-only = true }"),
            "pack.toml:13:11",
            "`pattern` is a key of the rule language's first form",
        ),
        (
            rule("match.pattern = \"m.f($$$A)\"\nwhere.A = { positional-only = true }"),
            "pack.toml:14:11",
            "conditions on a metavariable sit in `match` under its name",
        ),
        (
            rule("match.pattern = \"m.f($$$A)\"\nmatch.A.positional-only = true"),
            "pack.toml:14:27",
            "`positional-only = true` is `not.has = { kind = \"Keyword\", within = \"children\" }`",
        ),
        (
            format!(
                "{}\n[[rule]]\ncode = \"MY1\"\nname = \"again\"\nmessage = \"m\"\nexplain = \"e\"\nmatch.pattern = \"m.g()\"\n[[rule.example]]\nflagged = \"x\"\n",
                rule("match.pattern = \"m.f()\"")
            ),
            "pack.toml:18:8",
            "duplicate rule code `MY1`",
        ),
        (
            rule("match.pattern = \"m.f()\"\naliases = [\"async1\"]"),
            "pack.toml:14:12",
            "`async1` is not a code: uppercase ASCII letters, then digits",
        ),
        (
            rule("match.pattern = \"m.f()\"\naliases = [\"MY7\"]"),
            "pack.toml:14:12",
            "the alias `MY7` has the pack's prefix `MY`",
        ),
        (
            rule("match.pattern = \"m.f()\"\naliases = [\"NQA100\"]"),
            "pack.toml:14:12",
            "the alias `NQA100` has the prefix `NQA` of the engine",
        ),
        (
            format!(
                "{}\n[[rule]]\ncode = \"MY2\"\nname = \"again\"\naliases = [\"OTHER1\"]\nmessage = \"m\"\nexplain = \"e\"\nmatch.pattern = \"m.g()\"\n[[rule.example]]\nflagged = \"x\"\n",
                rule("match.pattern = \"m.f()\"\naliases = [\"OTHER1\"]")
            ),
            "pack.toml:21:12",
            "duplicate alias `OTHER1`",
        ),
        (
            rule("match.pattern = \"m.f()\"\nmatch.qualified = { option = \"calls\" }"),
            "pack.toml:14:30",
            "the pack has no option `calls`",
        ),
        (
            format!(
                "{PACK_HEAD}[pack.options.calls]\nkind = \"list\"\ndescription = \"d\"\n"
            ),
            "pack.toml:8:8",
            "an option's `kind` is \"names\" or \"name-map\", not \"list\"",
        ),
        (
            format!(
                "{PACK_HEAD}[pack.options.calls]\nkind = \"names\"\ndescription = \"d\"\ndefault = [\"a b\"]\n"
            ),
            "pack.toml:10:12",
            "`a b` is not a dotted name",
        ),
        (
            rule("match.pattern = \"$F()\"\nmatch.qualified = { option = \"calls\", text = \"T\" }")
                .replace("[[rule]]", "[pack.options.calls]\nkind = \"names\"\ndescription = \"d\"\n\n[[rule]]"),
            "pack.toml:18:46",
            "`calls` is a `names` option: its names map to no text",
        ),
        (
            rule("match.pattern = \"$F()\"\nmatch.qualified = { option = \"calls\", text = \"T\" }\nfix.template = \"$T()\"\nfix.applicability = \"unsafe\"")
                .replace("[[rule]]", "[pack.options.calls]\nkind = \"name-map\"\ndescription = \"d\"\n\n[[rule]]"),
            "pack.toml:19:16",
            "`$T` holds an option's text: a fix may not use it",
        ),
    ];
    for (text, location, message) in cases {
        let output = broken_pack(dir.path(), &text);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(message), "expected `{message}` in:\n{err}");
        assert!(
            err.contains(&format!("┌─ {location}")),
            "expected `{location}` in:\n{err}"
        );
    }
}

#[test]
fn builtin_pack_examples_pass() {
    let output = bin().args(["test"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains(" 0 failed"));
}

#[test]
fn user_pack_examples_run_and_failures_show_expected_and_actual() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        rule("match.pattern = \"m.f()\"\nfix.template = \"m.g()\"\nfix.applicability = \"safe\"")
            .replace(
                "flagged = \"m.f()\"\n",
                "flagged = \"import m\\nm.f()\\n\"\nfixed = \"import m\\nm.h()\\n\"\n",
            );
    std::fs::write(dir.path().join("pack.toml"), text).unwrap();
    let output = run(dir.path(), &["test", "pack.toml"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  MY1 my-rule example 1"), "{text}");
    assert!(text.contains("-m.h()") && text.contains("+m.g()"), "{text}");
}

#[test]
fn rule_and_rules_commands() {
    let output = bin().args(["rule", "AIO301"]).output().unwrap();
    assert!(stdout(&output).starts_with("# asyncio-wait-for-statement (AIO301)"));
    // A rule is shown by an alias too, and its page names its aliases.
    let dir = tempfile::tempdir().unwrap();
    let pack = rule("match.pattern = \"m.f()\"\naliases = [\"OTHER1\", \"OTHER22\"]");
    std::fs::write(dir.path().join("pack.toml"), pack).unwrap();
    let by_alias = run(dir.path(), &["rule", "--rulepack", "pack.toml", "OTHER22"]);
    let page = stdout(&by_alias);
    assert!(page.starts_with("# my-rule (MY1)"), "{page}");
    assert!(page.contains("Aliases: `OTHER1`, `OTHER22`"), "{page}");
    // An opt-in rule's page says how to turn it on.
    let pack = rule("match.pattern = \"m.f()\"\nopt-in = true");
    std::fs::write(dir.path().join("pack.toml"), pack).unwrap();
    let page = stdout(&run(
        dir.path(),
        &["rule", "--rulepack", "pack.toml", "MY1"],
    ));
    assert!(
        page.contains("Opt-in: the rule runs only when selected explicitly")
            && page.contains("`--extend-select MY1`"),
        "{page}"
    );
    let listing = stdout(
        &bin()
            .args(["rules", "--output-format", "json"])
            .output()
            .unwrap(),
    );
    let rules: serde_json::Value = serde_json::from_str(&listing).unwrap();
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "AIO101" && r["fix"] == "safe")
    );
    assert_eq!(
        bin()
            .args(["rule", "NOPE1"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn rule_docs_are_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = run(&root, &["docs", "--check", "docs/rules"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn example_project_is_checked_with_its_configuration() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let output = run(
        &root,
        &["check", "pyproject-example", "--output-format", "concise"],
    );
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1));
    for code in [
        "AIO101", "AIO103", "AIO104", "AIO201", "AIO204", "AIO301", "AIO302", "AIO901",
    ] {
        assert!(text.contains(code), "{code} missing in:\n{text}");
    }
}

#[test]
fn select_and_ignore_by_prefix() {
    let dir = project(&[("app.py", SAMPLE.as_bytes())]);
    let only_renames = stdout(&run(
        dir.path(),
        &["check", "--select", "AIO1", "--output-format", "concise"],
    ));
    assert!(
        only_renames.contains("AIO101") && !only_renames.contains("AIO201"),
        "{only_renames}"
    );
    let ignored = stdout(&run(
        dir.path(),
        &[
            "check",
            "--ignore",
            "AIO1",
            "--extend-select",
            "AIO104",
            "--output-format",
            "concise",
        ],
    ));
    assert!(
        !ignored.contains("AIO101") && ignored.contains("AIO104") && ignored.contains("AIO201"),
        "{ignored}"
    );
}

#[test]
fn the_engine_names_no_library() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut offenders = Vec::new();
    let mut stack = vec![root.join("src")];
    stack.push(root.join("build.rs"));
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace("anyio_lint", "")
                .replace("anyio-lint", "");
            for name in ["asyncio", "anyio", "trio"] {
                if text.contains(name) {
                    offenders.push(format!("{} names {name}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

/// The codes of `check --output-format json` in `dir` (after `extra` arguments).
fn codes(dir: &Path, extra: &[&str]) -> std::collections::BTreeSet<String> {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend_from_slice(extra);
    args.push(".");
    let output = run(dir, &args);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("syntax-error").to_owned())
        .collect()
}

#[test]
fn pitfalls_fixture_project_shows_every_mistake_and_fixes_the_exact_ones() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pitfalls-project");
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "anyio-lint.toml",
        "app/__init__.py",
        "app/service.py",
        "app/leftover.py",
        "app/handles.py",
    ] {
        let target = dir.path().join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(fixture.join(file), target).unwrap();
    }
    let listing = run(dir.path(), &["rules", "--output-format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&listing.stdout).unwrap();
    let pack_rules: Vec<&serde_json::Value> = rules
        .iter()
        .filter(|r| r["pack"] == "anyio-pitfalls")
        .collect();
    let all: std::collections::BTreeSet<String> = pack_rules
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    let without_fix: std::collections::BTreeSet<String> = pack_rules
        .iter()
        .filter(|r| r["fix"].is_null())
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();

    assert_eq!(
        codes(dir.path(), &[]),
        all,
        "every pitfall is in the fixture"
    );
    let fixed = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "-q"]);
    assert_eq!(fixed.status.code(), Some(1), "{}", stdout(&fixed));
    assert_eq!(
        codes(dir.path(), &[]),
        without_fix,
        "exactly the rules without a fix remain, and nothing broke the syntax"
    );
    let service = std::fs::read_to_string(dir.path().join("app/service.py")).unwrap();
    for expected in [
        "anyio.run(serve)\n",
        "tg.start_soon(fetch, \"a\")",
        "tg.start_soon(functools.partial(fetch, \"b\", retries=2))",
        "    async with anyio.create_task_group() as tg:\n        pass",
        "    async with lock:\n",
        "    with anyio.move_on_after(1) as scope:\n",
        "await anyio.to_thread.run_sync(read_file, \"h\")",
        "    await anyio.sleep(1)\n",
        "    except TimeoutError:\n",
        "first = anyio.from_thread.run(fetch, \"r\")",
        "tg.start_soon(functools.partial(fetch, \"u\", retries=3))",
        "third = anyio.from_thread.run(functools.partial(fetch, \"v\", retries=2))",
    ] {
        assert!(
            service.contains(expected),
            "missing {expected:?} in:\n{service}"
        );
    }
    let leftover = std::fs::read_to_string(dir.path().join("app/leftover.py")).unwrap();
    assert!(
        leftover.contains("    await fetch(\"w\")\n"),
        "a coroutine function of another module is awaited:\n{leftover}"
    );
    let again = run(dir.path(), &["check", "--fix", "--unsafe-fixes", "--diff"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second --fix would change something:\n{}",
        stdout(&again)
    );
}

/// 200,000 lines, every one a finding: all are found and fixed, in seconds (the fallback filter,
/// `bound-to` scans and the fix merge were quadratic once).
#[test]
fn a_200000_line_file_is_checked_and_fixed_in_full() {
    let mut source = String::from("import asyncio\n\nasync def main():\n");
    for _ in 0..199_997 {
        source.push_str("    await asyncio.sleep(1)\n");
    }
    let dir = project(&[("huge.py", source.as_bytes())]);
    let started = std::time::Instant::now();
    let output = run(dir.path(), &["check", "--statistics", "--select", "AIO1"]);
    assert_eq!(stdout(&output), "199997\tAIO101\t[*] asyncio-sleep\n");
    let output = run(dir.path(), &["check", "--fix", "--select", "AIO1"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let fixed = std::fs::read_to_string(dir.path().join("huge.py")).unwrap();
    assert_eq!(fixed.matches("await anyio.sleep(1)\n").count(), 199_997);
    let elapsed = started.elapsed();
    assert!(
        elapsed < std::time::Duration::from_secs(60),
        "took {elapsed:?}"
    );
}

/// A file that cannot be read (here `/proc/self/mem`, which no one can read from offset 0, not
/// even root) is an `io-error` finding; the other files are still checked.
#[test]
fn an_unreadable_file_is_reported_and_the_rest_is_checked() {
    let dir = project(&[("good.py", b"import asyncio\nasyncio.sleep(1)\n")]);
    let output = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "/proc/self/mem",
            "good.py",
        ],
    );
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("/proc/self/mem:1:1: io-error"), "{text}");
    assert!(text.contains("good.py:2:1: AIO101"), "{text}");
}

/// The benchmark's floor: `parse-only --prefiltered --list-parsed` names the files `check` parses
/// (those that spell what a pattern needs), and `--list-errors` those that do not parse.
#[test]
fn parse_only_lists_the_files_it_parses_and_those_that_fail() {
    let dir = project(&[
        ("uses.py", b"import asyncio\nasyncio.sleep(1)\n"),
        ("plain.py", b"print(1)\n"),
        ("broken.py", b"import asyncio\ndef (:\n"),
    ]);
    let listed = |flags: &[&str]| {
        let mut args = vec!["parse-only", "."];
        args.extend_from_slice(flags);
        let output = run(dir.path(), &args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let mut lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
        lines.sort();
        (lines, stderr(&output))
    };
    let (parsed, summary) = listed(&["--prefiltered", "--list-parsed"]);
    assert_eq!(parsed, ["broken.py", "uses.py"]);
    assert_eq!(summary, "parsed 2 of 3 files, 1 with errors\n");
    let (parsed, _) = listed(&["--list-parsed"]);
    assert_eq!(parsed, ["broken.py", "plain.py", "uses.py"]);
    let (errors, _) = listed(&["--list-errors"]);
    assert_eq!(errors, ["broken.py"]);
}

// ---------------------------------------------------------------------------------------------
// Terminal safety: the human formats escape control and bidirectional characters in what they
// quote (source lines, messages, paths); the machine formats keep them exact.
// ---------------------------------------------------------------------------------------------

/// A line with an escape sequence and a right-to-left override before a finding whose message
/// quotes an escape sequence and a bell.
const HOSTILE_LINE: &str =
    "    s = \"\x1b[2J\u{202e}\"; await asyncio.sleep(len(\"\x1b]0;x\x07\"))";

/// The carets under the line ending with `shown` in full output must start under `under` and
/// cover `width` characters.
fn assert_carets_under(text: &str, shown: &str, under: &str, width: usize) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.ends_with(shown))
        .unwrap_or_else(|| panic!("no line ending with {shown:?} in:\n{text}"));
    let line = lines[at];
    let column = line[..line.find(under).expect("shown")].chars().count();
    let carets = lines[at + 1];
    assert!(
        carets.chars().position(|c| c == '^') == Some(column)
            && carets.trim_end().chars().count() == column + width
            && carets.matches('^').count() == width,
        "carets misplaced:\n{line}\n{carets}"
    );
}

#[test]
fn human_formats_escape_control_and_bidi_characters_and_keep_carets_right() {
    let short = format!("import asyncio\n\nasync def f():\n{HOSTILE_LINE}\n");
    let long_line = HOSTILE_LINE.replacen("s = \"", &format!("s = \"{}", "x".repeat(450)), 1);
    let long = format!("import asyncio\n\nasync def f():\n{long_line}\n");
    let dir = project(&[
        ("a.py", short.as_bytes()),
        ("b.py", long.as_bytes()),
        ("c\x1b[2J.py", short.as_bytes()),
    ]);
    let quoted = "asyncio.sleep(len(\"␛]0;x␇\"))";
    for format in ["full", "concise", "grouped"] {
        let text = stdout(&run(dir.path(), &["check", "--output-format", format]));
        for raw in ['\x1b', '\x07', '\u{202e}'] {
            assert!(!text.contains(raw), "{format}: raw {raw:?} in:\n{text}");
        }
        assert!(text.contains(&format!("`{quoted}`")), "{format}:\n{text}");
        assert!(text.contains("c␛[2J.py"), "{format}:\n{text}");
        // Columns count the original characters.
        assert!(text.contains("4:24"), "{format}:\n{text}");
        assert!(text.contains("4:474"), "{format}:\n{text}");
    }
    let full = stdout(&run(dir.path(), &["check", "a.py", "b.py"]));
    let width = quoted.chars().count();
    assert_carets_under(
        &full,
        "    s = \"␛[2J\\u{202e}\"; await asyncio.sleep(len(\"␛]0;x␇\"))",
        "asyncio.sleep",
        width,
    );
    // The long line is shown as an excerpt: its carets are right too.
    assert_carets_under(
        &full,
        "xxxx␛[2J\\u{202e}\"; await asyncio.sleep(len(\"␛]0;x␇\"))",
        "asyncio.sleep",
        width,
    );
    let json = run(dir.path(), &["check", "--output-format", "json", "a.py"]);
    let items: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let message = items[0]["message"].as_str().unwrap();
    assert!(message.contains("len(\"\x1b]0;x\x07\")"), "{message:?}");
}
