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
        stdout(&fix).contains("Found 3 findings (1 fixed, 2 remaining: 2 warnings)."),
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
        stderr(&output).contains("Found 1 finding (1 fixed, 0 remaining)."),
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

/// A pack of three rules on `m.f()`, `m.g()` and `m.h()`: an error, a warning (with a safe fix)
/// and an info.
const SEVERITIES_PACK: &str = r#"[pack]
name = "levels"
version = "1"
description = "d"
prefix = "LV"
modules = ["m"]

[[rule]]
code = "LV1"
name = "level-error"
message = "an error"
explain = "e"
severity = "error"
match.pattern = "m.f()"

[[rule.example]]
flagged = "import m\nm.f()\n"

[[rule]]
code = "LV2"
name = "level-warning"
message = "a warning"
explain = "e"
match.pattern = "m.g()"
fix.template = "m.gg()"
fix.applicability = "safe"

[[rule.example]]
flagged = "import m\nm.g()\n"
fixed = "import m\nm.gg()\n"

[[rule]]
code = "LV3"
name = "level-info"
message = "a note"
explain = "e"
severity = "info"
match.pattern = "m.h()"

[[rule.example]]
flagged = "import m\nm.h()\n"
"#;

#[test]
fn the_summary_counts_the_findings_by_the_severity_they_are_labelled_with() {
    let dir = project(&[
        ("pack.toml", SEVERITIES_PACK.as_bytes()),
        ("a.py", b"import m\nm.f()\nm.g()\nm.g()\nm.h()\n"),
        ("b.py", b"import m\nm.f()\n"),
        ("c.py", b"import m\nm.g()\n"),
    ]);
    let check = |args: &[&str]| {
        let mut all = vec!["check", "--isolated", "--no-builtin-packs"];
        all.extend_from_slice(&["--rulepack", "pack.toml"]);
        all.extend_from_slice(args);
        run(dir.path(), &all)
    };
    // Every human format ends with the same summary, its words those of the labels.
    let mut summaries = Vec::new();
    for format in ["full", "concise", "grouped"] {
        let text = stdout(&check(&["--output-format", format, "a.py"]));
        let summary = text[text.find("Found ").expect("a summary")..].to_owned();
        summaries.push(summary);
        if format == "full" {
            assert!(text.contains("error[LV1]: an error"), "{text}");
            assert!(text.contains("warning[LV2]: a warning"), "{text}");
            assert!(text.contains("note[LV3]: a note"), "{text}");
        }
    }
    assert_eq!(
        summaries[0],
        "Found 1 error, 2 warnings and 1 note.\n[*] 2 fixable with the `--fix` option.\n"
    );
    assert!(
        summaries.iter().all(|s| s == &summaries[0]),
        "{summaries:?}"
    );
    // One of a kind is singular.
    assert_eq!(
        stdout(&check(&["--output-format", "concise", "b.py"]))
            .lines()
            .last(),
        Some("Found 1 error.")
    );
    // With fixes, the total is counted as findings, and what remains by severity.
    let fixed = stdout(&check(&[
        "--output-format",
        "concise",
        "--fix",
        "a.py",
        "c.py",
    ]));
    assert!(
        fixed.ends_with("Found 5 findings (3 fixed, 2 remaining: 1 error and 1 note).\n"),
        "{fixed}"
    );
    let clean = stdout(&check(&["--output-format", "concise", "--fix", "c.py"]));
    assert_eq!(clean, "All checks passed!\n", "c.py was fixed before");
}

#[test]
fn a_hidden_fix_is_counted_in_the_singular() {
    let dir = project(&[("app.py", b"import asyncio\nasyncio.Lock()\n")]);
    let text = stdout(&run(dir.path(), &["check", "--output-format", "concise"]));
    assert!(
        text.ends_with(
            "Found 1 warning.\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
        ),
        "{text}"
    );
}

#[test]
fn a_replacement_of_several_lines_is_shown_at_the_indentation_it_gets() {
    let code = "import asyncio\n\nasync def main(c):\n    if c:\n        x = await asyncio.wait_for(c, 3)\n        print(x)\n";
    let dir = project(&[("app.py", code.as_bytes())]);
    let text = stdout(&run(dir.path(), &["check", "--select", "AIO301"]));
    // The note's block is indented eight columns, then the statement's own eight.
    assert!(
        text.contains(
            "  = suggested replacement:\n                with anyio.fail_after(3):\n                    x = await c\n"
        ),
        "{text}"
    );
    // A replacement of one line is shown as it is.
    let dir = project(&[("app.py", SAMPLE.as_bytes())]);
    let text = stdout(&run(dir.path(), &["check", "--select", "AIO101"]));
    assert!(
        text.contains("  = suggested replacement:\n        anyio.sleep(1)\n"),
        "{text}"
    );
}

#[test]
fn a_file_named_that_anyio_lint_does_not_check_is_skipped_with_a_warning() {
    let notebook = br#"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    let dir = project(&[
        ("nb.ipynb", notebook),
        ("notes.txt", b"import asyncio\nasyncio.sleep(1)\n"),
        ("plain", b"import asyncio\nasyncio.sleep(1)\n"),
        (
            "script",
            b"#!/usr/bin/env python3\nimport asyncio\nasyncio.sleep(1)\n",
        ),
        ("clean.py", b"print(1)\n"),
    ]);
    // Named alone, a notebook is not reported as passing.
    let output = run(dir.path(), &["check", "nb.ipynb"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "No files were checked: 1 file named was skipped (not a file anyio-lint checks).\n"
    );
    let err = stderr(&output);
    assert!(
        err.starts_with(
            "warning: nb.ipynb is skipped, not checked: Jupyter notebooks are not supported"
        ),
        "{err}"
    );
    // Beside a clean file, the summary says so instead of "All checks passed!".
    let output = run(dir.path(), &["check", "clean.py", "notes.txt", "plain"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "No findings in the 1 file checked; 2 files named were skipped (not files anyio-lint checks).\n"
    );
    let err = stderr(&output);
    assert!(
        err.contains("warning: notes.txt is skipped, not checked: not a Python file: anyio-lint checks `.py` and `.pyi` files"),
        "{err}"
    );
    assert!(
        err.contains("warning: plain is skipped, not checked: no extension, and no `#!` line that runs Python"),
        "{err}"
    );
    // A script is checked; the summary of its findings says what was skipped.
    let output = run(
        dir.path(),
        &["check", "--output-format", "concise", "script", "nb.ipynb"],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("script:3:1: AIO101"), "{text}");
    assert!(
        text.ends_with("1 file named was skipped (not a file anyio-lint checks).\n"),
        "{text}"
    );
    // The configuration's `include` makes a file one to check; a walk never meets the others.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "include = [\"*.py\", \"*.txt\"]\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &["check", "--output-format", "concise", "notes.txt"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("notes.txt:2:1: AIO101"));
    let output = run(dir.path(), &["check", "--output-format", "concise", "."]);
    assert!(!stderr(&output).contains("skipped"), "{}", stderr(&output));
    // `report` warns the same way.
    let output = run(dir.path(), &["report", "nb.ipynb"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stderr(&output).starts_with("warning: nb.ipynb is skipped, not checked"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn docs_writes_only_into_the_directory_it_is_given() {
    let dir = project(&[("notes.md", b"mine\n"), ("AB12.md", b"mine too\n")]);
    // No directory: an error saying how to call it, and nothing written.
    let output = run(dir.path(), &["docs"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Usage: anyio-lint docs <DIR>"),
        "{}",
        stderr(&output)
    );
    let help = stdout(&run(dir.path(), &["docs", "--help"]));
    assert!(
        help.contains("Usage: anyio-lint docs [OPTIONS] <DIR>\n"),
        "{help}"
    );
    // A file is no directory to write into.
    let output = run(dir.path(), &["docs", "notes.md"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "notes.md is not a directory: name the directory to write the rule pages into"
        ),
        "{}",
        stderr(&output)
    );
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(dir.path()), ["AB12.md", "notes.md"]);
    // A directory holding other files is refused, whatever they are named.
    let output = run(dir.path(), &["docs", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("holds files `anyio-lint docs` did not write; nothing was written"),
        "{}",
        stderr(&output)
    );
    assert_eq!(names(dir.path()), ["AB12.md", "notes.md"]);
    // A new directory is created; written again, pages of rules that are gone go, other files stay.
    let output = run(dir.path(), &["docs", "out/rules"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = dir.path().join("out/rules");
    assert!(out.join("AIO101.md").is_file() && out.join("NQA100.md").is_file());
    std::fs::write(out.join("ZZ999.md"), "a rule that is gone\n").unwrap();
    std::fs::write(out.join("notes.txt"), "mine\n").unwrap();
    let check = run(dir.path(), &["docs", "--check", "out/rules"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(stderr(&check).contains("stale: out/rules/ZZ999.md"));
    assert!(stderr(&check).contains("run `anyio-lint docs out/rules`"));
    let output = run(dir.path(), &["docs", "out/rules"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!out.join("ZZ999.md").exists() && out.join("notes.txt").is_file());
    let check = run(dir.path(), &["docs", "--check", "out/rules"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn rule_takes_a_code_in_any_case_an_alias_or_a_name_and_all_rules() {
    let page = |args: &[&str]| {
        let output = bin().arg("rule").args(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        stdout(&output)
    };
    let by_code = page(&["AIO301"]);
    assert!(by_code.starts_with("# asyncio-wait-for-statement (AIO301)"));
    assert_eq!(page(&["aio301"]), by_code);
    assert_eq!(page(&["asyncio-wait-for-statement"]), by_code);
    assert_eq!(page(&["Asyncio-Wait-For-Statement"]), by_code);
    assert!(page(&["unused-noqa"]).starts_with("# unused-noqa (NQA100)"));
    assert!(
        page(&["async115"]).contains("(ASY115)"),
        "an alias, in lower case"
    );
    // Nothing matches: the closest rules are named.
    let output = bin()
        .args(["rule", "asyncio-wait-for-statment"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: no rule has the code, alias or name `asyncio-wait-for-statment`: did you mean `AIO301` (asyncio-wait-for-statement)"
        ),
        "{}",
        stderr(&output)
    );
    let output = bin().args(["rule", "aio30"]).output().unwrap();
    assert!(stderr(&output).contains("`AIO301` (asyncio-wait-for-statement)"));
    let output = bin().args(["rule", "qqqqqqqq"]).output().unwrap();
    assert_eq!(
        stderr(&output),
        "error: no rule has the code, alias or name `qqqqqqqq` (`anyio-lint rules` lists every rule)\n"
    );
    // Neither a rule nor --all, or both: usage errors.
    let output = bin().arg("rule").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("anyio-lint rule [OPTIONS] --all"),
        "{}",
        stderr(&output)
    );
    let output = bin().args(["rule", "--all", "AIO301"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    // --all: every page, in the order `rules` lists them.
    let listed: Vec<String> = stdout(&bin().arg("rules").output().unwrap())
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    let all = page(&["--all"]);
    let mut at = 0;
    for code in &listed {
        let heading = format!(" ({code})\n\nPack: ");
        let found = all[at..].find(&heading).unwrap_or_else(|| panic!("{code}"));
        at += found + heading.len();
    }
    assert!(all.contains(&format!("\n{by_code}")), "each page whole");
    // JSON: the listing's entry with the explanation; an array with --all.
    let one: serde_json::Value =
        serde_json::from_str(&page(&["aio301", "--output-format", "json"])).unwrap();
    assert_eq!(one["code"], "AIO301");
    assert_eq!(one["name"], "asyncio-wait-for-statement");
    assert!(
        one["explanation"]
            .as_str()
            .unwrap()
            .starts_with("## What it does")
    );
    let every: serde_json::Value =
        serde_json::from_str(&page(&["--all", "--output-format", "json"])).unwrap();
    let codes: Vec<&str> = every
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, listed);
    assert_eq!(every[codes.len() - 1]["code"], "NQA100");
    assert!(every[codes.len() - 1]["explanation"].is_string());
}

/// Every text file under `dir` whose name ends with one of `suffixes`, recursively.
fn files_under(dir: &Path, suffixes: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if suffixes.iter().any(|s| path.to_string_lossy().ends_with(s)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[test]
fn no_document_or_output_names_what_does_not_exist() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts = vec![
        root.join("README.md"),
        root.join("pyproject.toml"),
        root.join(".pre-commit-hooks.yaml"),
    ];
    texts.extend(files_under(&root.join("docs"), &[".md"]));
    texts.extend(files_under(&root.join("rulepacks"), &[".toml"]));
    texts.extend(files_under(&root.join("src"), &[".rs"]));
    let tags = std::process::Command::new("git")
        .current_dir(&root)
        .arg("tag")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    // A repository path in what the binary prints (a message, a rule's text): an installed wheel
    // ships neither `docs/` nor `rulepacks/`.
    let repository_file = regex::Regex::new(r"\b(docs|rulepacks)/[\w./-]*\.(md|toml)").unwrap();
    let tag = regex::Regex::new(r"rev: v\d").unwrap();
    let mut wrong = Vec::new();
    for path in &texts {
        let text = std::fs::read_to_string(path).unwrap();
        let shown = path.strip_prefix(&root).unwrap().display().to_string();
        for (number, line) in text.lines().enumerate() {
            let at = format!("{shown}:{}", number + 1);
            let lower = line.to_lowercase();
            for promise in [
                "github.com/owner",
                "pip install anyio-lint",
                "once published",
            ] {
                if lower.contains(promise) {
                    wrong.push(format!("{at}: `{promise}`"));
                }
            }
            if line.contains("github.com/anyio-lint") {
                wrong.push(format!("{at}: a made-up repository URL"));
            }
            if tags.is_empty() && tag.is_match(line) {
                wrong.push(format!("{at}: a `rev:` tag the repository does not have"));
            }
            let comment = line.trim_start().starts_with("//") || line.trim_start().starts_with('#');
            let printed = match path.extension().and_then(|e| e.to_str()) {
                Some("rs") => !comment && line.contains('"'),
                Some("toml") => shown.starts_with("rulepacks") && !comment,
                _ => false,
            };
            if printed && repository_file.is_match(line) {
                wrong.push(format!("{at}: points at a repository file: {line}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn stdin_filename_without_paths_reads_standard_input() {
    let other = "import asyncio\nasyncio.sleep(1)\n";
    let dir = project(&[("other.py", other.as_bytes())]);
    // As Ruff: `--stdin-filename` and no path read standard input, and leave the directory alone.
    let output = common::run_stdin(
        dir.path(),
        &["check", "--stdin-filename", "x.py", "--fix"],
        b"import asyncio\nasyncio.sleep(2)\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "import anyio\nanyio.sleep(2)\n");
    let kept = std::fs::read_to_string(dir.path().join("other.py")).unwrap();
    assert_eq!(kept, other);
    // Paths and `--stdin-filename` without `-`: which one was meant is asked, nothing is read.
    let output = common::run_stdin(
        dir.path(),
        &["check", "other.py", "--stdin-filename", "x.py", "--fix"],
        b"x = 1\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("pass `-` to check standard input under that name, or drop `--stdin-filename` to check the paths"),
        "{}",
        stderr(&output)
    );
    let kept = std::fs::read_to_string(dir.path().join("other.py")).unwrap();
    assert_eq!(kept, other);
}

#[test]
fn standard_input_named_as_a_file_anyio_lint_does_not_check_is_skipped() {
    let dir = project(&[]);
    let notebook = br#"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    let output = common::run_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "nb.ipynb"],
        notebook,
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "No files were checked: 1 file named was skipped (not a file anyio-lint checks).\n"
    );
    assert!(
        stderr(&output).starts_with("warning: nb.ipynb (standard input) is skipped, not checked: Jupyter notebooks are not supported"),
        "{}",
        stderr(&output)
    );
    // With --fix (and --add-noqa), the text comes back unchanged, not checked as Python.
    let text = b"import asyncio\nasyncio.sleep(1)\n";
    for flag in ["--fix", "--add-noqa"] {
        let output = common::run_stdin(
            dir.path(),
            &["check", "-", "--stdin-filename", "notes.txt", flag],
            text,
        );
        assert_eq!(output.status.code(), Some(0), "{flag}");
        assert_eq!(output.stdout, text, "{flag}");
        assert!(
            stderr(&output)
                .contains("notes.txt (standard input) is skipped, not checked: not a Python file"),
            "{}",
            stderr(&output)
        );
    }
    // A name without an extension is checked when its `#!` line runs Python.
    let script = b"#!/usr/bin/env -S uv run --script\nimport asyncio\nasyncio.sleep(1)\n";
    let output = common::run_stdin(
        dir.path(),
        &[
            "check",
            "--stdin-filename",
            "tool",
            "--output-format",
            "concise",
        ],
        script,
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("tool:3:1: AIO101"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn scripts_run_by_uv_or_pipx_are_checked() {
    let dir = project(&[
        (
            "uv-script",
            b"#!/usr/bin/env -S uv run --script\nimport asyncio\nasyncio.sleep(1)\n",
        ),
        (
            "pipx-script",
            b"#!/usr/bin/env -S pipx run\nimport asyncio\nasyncio.sleep(1)\n",
        ),
        (
            "versioned",
            b"#!/usr/bin/python3.12\nimport asyncio\nasyncio.sleep(1)\n",
        ),
        ("shell", b"#!/bin/sh\necho hi\n"),
    ]);
    let output = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "uv-script",
            "pipx-script",
            "versioned",
            "shell",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    for name in ["uv-script", "pipx-script", "versioned"] {
        assert!(
            text.contains(&format!("{name}:3:1: AIO101")),
            "{name}: {text}"
        );
    }
    assert!(
        stderr(&output).contains("warning: shell is skipped, not checked: no extension"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn add_noqa_on_standard_input_prints_the_text_and_a_baseline_is_refused() {
    let dir = project(&[]);
    let output = common::run_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "m.py", "--add-noqa"],
        b"import asyncio\nasyncio.sleep(1)\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "import asyncio\nasyncio.sleep(1)  # noqa: AIO101\n"
    );
    assert_eq!(stderr(&output), "Added 1 noqa directive.\n");
    // The text it printed checks clean.
    let again = common::run_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "m.py"],
        &output.stdout,
    );
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    let output = common::run_stdin(
        dir.path(),
        &["check", "-", "--write-baseline", "b.json"],
        b"x = 1\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "`--write-baseline` records the findings of files, and standard input is no file"
        ),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("b.json").exists());
}

#[test]
fn exit_zero_applies_to_diff() {
    let dir = project(&[("app.py", b"import asyncio\nasyncio.sleep(1)\n")]);
    let output = run(dir.path(), &["check", "--diff", "app.py"]);
    assert_eq!(output.status.code(), Some(1));
    let output = run(dir.path(), &["check", "--diff", "--exit-zero", "app.py"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("+import anyio"),
        "{}",
        stdout(&output)
    );
    let output = common::run_stdin(
        dir.path(),
        &["check", "-", "--diff", "--exit-zero"],
        b"import asyncio\nasyncio.sleep(1)\n",
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("+import anyio"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn output_file_takes_what_each_mode_prints_or_is_refused() {
    let source = "import asyncio\nasyncio.sleep(1)\n";
    let dir = project(&[("app.py", source.as_bytes())]);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    // --diff: the diff goes to the file, the summary stays on standard error.
    let output = run(
        dir.path(),
        &["check", "--diff", "app.py", "-o", "fix.patch"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    assert!(read("fix.patch").starts_with("--- a/app.py\n+++ b/app.py\n"));
    assert!(stderr(&output).contains("Would fix 1 finding in 1 file."));
    // --show-files and --show-settings: their listing.
    let output = run(dir.path(), &["check", "--show-files", "-o", "files.txt"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).is_empty());
    assert_eq!(read("files.txt"), "app.py\n");
    let output = run(
        dir.path(),
        &["check", "--show-settings", "app.py", "-o", "settings.txt"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(read("settings.txt").starts_with("settings for         app.py\n"));
    // Never over a file the run reads.
    let output = run(dir.path(), &["check", "--show-files", "-o", "app.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(read("app.py"), source);
    // Standard input: the findings go to the file.
    let output = common::run_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--output-format",
            "concise",
            "-o",
            "stdin.txt",
        ],
        source.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(
        read("stdin.txt").starts_with("-:2:1: AIO101"),
        "{}",
        read("stdin.txt")
    );
    // --add-noqa and --write-baseline report nothing: `-o` is refused, nothing is written.
    for (args, says) in [
        (&["--add-noqa"][..], "`--add-noqa` reports nothing"),
        (
            &["--write-baseline", "b.json"][..],
            "`--write-baseline FILE` writes the findings to FILE",
        ),
    ] {
        let args = [&["check", "app.py", "-o", "out.txt"][..], args].concat();
        let output = run(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(says), "{}", stderr(&output));
        assert!(!dir.path().join("out.txt").exists());
        assert!(!dir.path().join("b.json").exists());
        assert_eq!(read("app.py"), source);
    }
    // --fix-only: what it prints.
    let output = run(
        dir.path(),
        &["check", "--fix-only", "app.py", "-o", "fixed.txt"],
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).is_empty());
    assert_eq!(read("fixed.txt"), "Fixed 1 finding.\n");
    assert_eq!(read("app.py"), "import anyio\nanyio.sleep(1)\n");
}

#[test]
fn config_and_isolated_are_refused_together() {
    let dir = project(&[("app.py", b"import asyncio\nasyncio.sleep(1)\n")]);
    for command in ["check", "report"] {
        let output = run(
            dir.path(),
            &[command, "--config", "nope.toml", "--isolated", "app.py"],
        );
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert!(
            stderr(&output).contains("'--config <PATH>' cannot be used with '--isolated'"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn check_help_shows_the_negative_flags() {
    let help = stdout(&bin().args(["check", "--help"]).output().unwrap());
    for flag in [
        "--no-fix",
        "--no-unsafe-fixes",
        "--no-show-fixes",
        "--no-force-exclude",
    ] {
        assert!(
            help.contains(&format!("      {flag}\n          ")),
            "{flag}:\n{help}"
        );
    }
}

#[test]
fn rules_lists_fixes_opt_in_rules_and_codes_in_order() {
    let text = stdout(&bin().arg("rules").output().unwrap());
    let line = |code: &str| {
        text.lines()
            .find(|line| line.starts_with(&format!("{code} ")))
            .unwrap_or_else(|| panic!("{code} in:\n{text}"))
            .to_owned()
    };
    assert!(!text.contains("none fix"), "{text}");
    assert!(line("ANY111").contains(" no fix "), "{}", line("ANY111"));
    assert!(line("AIO101").contains(" safe fix "), "{}", line("AIO101"));
    // Opt-in rules (not enabled by default) say so; others do not.
    assert!(line("ASY913").ends_with(" opt-in"), "{}", line("ASY913"));
    assert!(!line("AIO101").contains("opt-in"), "{}", line("AIO101"));
    // Within a pack, by code.
    let codes: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let at = |code: &str| codes.iter().position(|c| *c == code).unwrap();
    assert!(at("ASY912") < at("ASY913"));
    for pair in codes.windows(2) {
        let prefix = |c: &str| c.trim_end_matches(|d: char| d.is_ascii_digit()).to_owned();
        if prefix(pair[0]) == prefix(pair[1]) {
            assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
        }
    }
}

#[test]
fn rule_selectors_are_taken_in_any_case() {
    let code = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n    lock = asyncio.Lock()\n";
    let dir = project(&[("app.py", code.as_bytes())]);
    let codes = |output: &Output| -> Vec<String> {
        stdout(output)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_owned))
            .filter(|c| c.starts_with("AIO"))
            .collect()
    };
    let upper = run(
        dir.path(),
        &["check", "--output-format", "concise", "--select", "AIO101"],
    );
    let lower = run(
        dir.path(),
        &["check", "--output-format", "concise", "--select", "aio101"],
    );
    assert_eq!(lower.status.code(), Some(1), "{}", stderr(&lower));
    assert_eq!(codes(&lower), ["AIO101"]);
    assert_eq!(codes(&lower), codes(&upper));
    let output = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--ignore",
            "aio1",
            "--unfixable",
            "aio",
        ],
    );
    assert!(
        !codes(&output).iter().any(|c| c.starts_with("AIO1")),
        "{}",
        stdout(&output)
    );
    // A configuration's lists too.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "select = [\"aio1\"]\nignore = [\"Aio101\"]\n[per-file-ignores]\n\"other.py\" = [\"aio\"]\n",
    )
    .unwrap();
    let output = run(dir.path(), &["check", "--output-format", "concise"]);
    assert!(output.status.code() != Some(2), "{}", stderr(&output));
    let found = codes(&output);
    assert!(
        !found.is_empty() && found.iter().all(|c| c.starts_with("AIO1") && c != "AIO101"),
        "{found:?}"
    );
    // A selector that names nothing is still refused, as written.
    let output = run(dir.path(), &["check", "--select", "xyz9"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown rule selector `XYZ9`"),
        "{}",
        stderr(&output)
    );
}
