//! The settings of a run and where they come from: `extend` (configuration inheritance),
//! `--show-settings` naming the source of every value, `--show-files`, `--show-fixes`,
//! `fixable` / `unfixable` (`--fixable`, `--unfixable`, `--extend-fixable`) and `--exclude` /
//! `--extend-exclude`.

mod common;

use std::path::Path;
use std::process::Output;

use common::{assert_exact_snapshot, findings, project, run, stderr, stdout};

/// Three rules with fixes (TY1 and TY2 safe, TY3 unsafe) and one reporting the calls its option
/// `blocking` names.
const PACK: &[u8] = br#"[pack]
name = "tiny"
version = "1.0.0"
description = "Three rules with fixes, and one reading an option."
prefix = "TY"
modules = ["legacy", "modern"]

[pack.options.blocking]
kind = "names"
description = "Calls to report."
default = ["legacy.block"]

[[rule]]
code = "TY1"
name = "legacy-wait"
message = "`legacy.wait` becomes `modern.wait`"
explain = "Finds `legacy.wait`."
match.pattern = "legacy.wait($X)"
fix.template = "modern.wait($X)"
fix.applicability = "safe"

[[rule.example]]
flagged = "import legacy\nlegacy.wait(1)\n"

[[rule]]
code = "TY2"
name = "legacy-stop"
message = "`legacy.stop` becomes `modern.stop`"
explain = "Finds `legacy.stop`."
match.pattern = "legacy.stop($X)"
fix.template = "modern.stop($X)"
fix.applicability = "safe"

[[rule.example]]
flagged = "import legacy\nlegacy.stop(1)\n"

[[rule]]
code = "TY3"
name = "legacy-go"
message = "`legacy.go` becomes `modern.go`"
explain = "Finds `legacy.go`."
match.pattern = "legacy.go($X)"
fix.template = "modern.go($X)"
fix.applicability = "unsafe"

[[rule.example]]
flagged = "import legacy\nlegacy.go(1)\n"

[[rule]]
code = "TY4"
name = "blocking-call"
message = "blocking call `$F(...)`"
explain = "Finds the calls the project names."
match.pattern = "$F($$$ARGS)"
match.qualified = { option = "blocking" }

[[rule.example]]
flagged = "import legacy\nlegacy.block()\n"
"#;

/// One finding of each rule: TY1 on line 3, TY2 on 4, TY3 on 5, TY4 on 6.
const CODE: &[u8] =
    b"import legacy\n\nlegacy.wait(1)\nlegacy.stop(2)\nlegacy.go(3)\nlegacy.block()\n";

/// `check` with the tiny pack only, concise, in `dir`, with `args`.
fn check(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "check",
        "--no-builtin-packs",
        "--rulepack",
        "tiny.toml",
        "--output-format",
        "concise",
    ];
    all.extend(args);
    run(dir, &all)
}

/// The `path:row:col: CODE` lines of a run, a `[*]` after the code when the finding offers a fix.
fn marked(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter(|line| line.contains(": TY") || line.contains(": NQA"))
        .map(|line| {
            let mut words = line.split(' ');
            let location = words.next().unwrap_or_default();
            let code = words.next().unwrap_or_default();
            let fix = if words.next() == Some("[*]") {
                " [*]"
            } else {
                ""
            };
            format!("{location} {code}{fix}")
        })
        .collect()
}

/// `text` with the directory `dir` (as given and canonical) written `[ROOT]`.
fn rooted(dir: &Path, text: &str) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap();
    text.replace(&canonical.display().to_string(), "[ROOT]")
        .replace(&dir.display().to_string(), "[ROOT]")
}

#[test]
fn show_settings_names_the_file_and_key_the_command_line_or_the_default_of_every_value() {
    let base = br#"rulepacks = ["packs/tiny.toml"]
ignore = ["TY3"]
extend-exclude = ["generated"]
unfixable = ["TY2"]
extend-safe-fixes = ["TY3"]
output-format = "concise"
unsafe-fixes = true

[per-file-ignores]
"tests/*" = ["TY1"]

[versions]
python = "3.11"

[options.tiny]
blocking = ["legacy.halt"]
"#;
    let child = br#"[tool.anyio-lint]
extend = "../shared/base.toml"
extend-select = ["TY3"]
ignore = ["TY4"]
extend-exclude = ["old_*.py"]
fix = false

[tool.anyio-lint.versions]
legacy = "2.0"
"#;
    let dir = project(&[
        ("shared/base.toml", base),
        ("shared/packs/tiny.toml", PACK),
        ("app/pyproject.toml", child),
        ("app/a.py", CODE),
    ]);
    let app = dir.path().join("app");
    let output = run(
        &app,
        &[
            "check",
            "--show-settings",
            "--no-builtin-packs",
            "--select",
            "TY",
            "--unfixable",
            "TY1",
            "--extend-fixable",
            "TY2",
            "--exclude",
            "build2",
            "--extend-exclude",
            "tmp_*",
            "--show-fixes",
            "--force-exclude",
            "a.py",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_exact_snapshot!(
        "show_settings_with_sources",
        rooted(dir.path(), &stdout(&output))
    );
    // Without the command line, each value comes from the file that sets it, or the default.
    let output = run(&app, &["check", "--show-settings", "a.py"]);
    let shown = rooted(dir.path(), &stdout(&output));
    for expected in [
        "select               ALL (default)\n",
        "fixable              ALL (default)\n",
        "unfixable            TY2  from [ROOT]/shared/base.toml: unfixable\n",
        "exclude              (none)\n",
        "force-exclude        false (default)\n",
        "fix                  false  from [ROOT]/app/pyproject.toml: tool.anyio-lint.fix\n",
        "unsafe-fixes         true  from [ROOT]/shared/base.toml: unsafe-fixes\n",
        "show-fixes           false (default)\n",
    ] {
        assert!(shown.contains(expected), "{expected}not in:\n{shown}");
    }
    // `--no-builtin-packs` alone leaves no pack, and says why.
    let bare = project(&[]);
    let output = run(
        bare.path(),
        &["check", "--show-settings", "--no-builtin-packs"],
    );
    assert!(
        stdout(&output).contains("rule packs           (none)  from --no-builtin-packs\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn extend_reads_the_base_first_and_the_extending_file_overrides_it() {
    // The base's paths are relative to its own directory: its pack, its exclude, its per-file
    // ignores' globs.
    let base = br#"rulepacks = ["tiny.toml"]
ignore = ["TY2"]
extend-exclude = ["app/generated"]
output-format = "grouped"

[per-file-ignores]
"app/tests/*" = ["TY1"]
"#;
    let child = br#"extend = "../base.toml"
extend-select = ["TY2"]
ignore = ["TY4"]
extend-exclude = ["vendored.py"]
"#;
    let dir = project(&[
        ("base.toml", base),
        ("tiny.toml", PACK),
        ("app/anyio-lint.toml", child),
        ("app/a.py", CODE),
        ("app/tests/t.py", CODE),
        ("app/generated/g.py", CODE),
        ("app/vendored.py", CODE),
    ]);
    let app = dir.path().join("app");
    let codes = |args: &[&str]| {
        let mut all = vec!["check", "--no-builtin-packs", "--output-format", "concise"];
        all.extend(args);
        findings(&run(&app, &all))
    };
    // The base ignores TY2, the extending file selects it again (the later file decides) and
    // ignores TY4; the base's per-file ignores hold for app/tests, both files' excludes hold.
    assert_eq!(
        codes(&[]),
        [
            "a.py:3:1: TY1",
            "a.py:4:1: TY2",
            "a.py:5:1: TY3",
            "tests/t.py:4:1: TY2",
            "tests/t.py:5:1: TY3",
        ]
    );
    // The base's run-wide keys apply where the extending file sets none.
    let output = run(&app, &["check", "--no-builtin-packs", "a.py"]);
    assert!(
        stdout(&output).starts_with("a.py:\n  3:1 TY1"),
        "{}",
        stdout(&output)
    );
    // A key the extending file sets replaces the base's: its own per-file ignores, its own
    // `select` (after which the base's `ignore` no longer counts).
    std::fs::write(
        app.join("anyio-lint.toml"),
        "extend = \"../base.toml\"\nselect = [\"TY1\", \"TY2\"]\n\n[per-file-ignores]\n\"a.py\" = [\"TY1\"]\n",
    )
    .unwrap();
    assert_eq!(
        codes(&[]),
        [
            "a.py:4:1: TY2",
            "tests/t.py:3:1: TY1",
            "tests/t.py:4:1: TY2",
            "vendored.py:3:1: TY1",
            "vendored.py:4:1: TY2",
        ]
    );
    // Chains work: the base extends another file, in its own directory.
    std::fs::create_dir_all(dir.path().join("org")).unwrap();
    std::fs::write(
        dir.path().join("org/root.toml"),
        "extend-exclude = [\"../app/tests\"]\n[options.tiny]\nblocking = [\"legacy.go\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        [b"extend = \"org/root.toml\"\n".as_slice(), base].concat(),
    )
    .unwrap();
    std::fs::write(
        app.join("anyio-lint.toml"),
        "extend = \"../base.toml\"\nignore = [\"TY3\"]\n",
    )
    .unwrap();
    // The grandparent's option makes TY4 report `legacy.go` (line 5) rather than
    // `legacy.block`; its exclude (a path relative to it) skips app/tests.
    assert_eq!(
        codes(&[]),
        [
            "a.py:3:1: TY1",
            "a.py:5:1: TY4",
            "vendored.py:3:1: TY1",
            "vendored.py:5:1: TY4"
        ]
    );
    let output = run(&app, &["check", "--show-settings", "--no-builtin-packs"]);
    let shown = rooted(dir.path(), &stdout(&output));
    for expected in [
        "configuration        [ROOT]/app/anyio-lint.toml\n",
        "extends              [ROOT]/base.toml\n",
        "extends              [ROOT]/org/root.toml\n",
        "rule packs           [ROOT]/tiny.toml  from [ROOT]/base.toml: rulepacks\n",
        "ignore               TY2  from [ROOT]/base.toml: ignore\n",
        "ignore               TY3  from [ROOT]/app/anyio-lint.toml: ignore\n",
        "extend-exclude       ../app/tests  from [ROOT]/org/root.toml: extend-exclude\n",
        "extend-exclude       app/generated  from [ROOT]/base.toml: extend-exclude\n",
        "options              tiny.blocking = [\"legacy.go\"]  from [ROOT]/org/root.toml: options.tiny.blocking\n",
        "output-format        grouped  from [ROOT]/base.toml: output-format\n",
    ] {
        assert!(shown.contains(expected), "{expected}not in:\n{shown}");
    }
}

#[test]
fn extend_errors_point_at_the_extend_line() {
    let dir = project(&[("a.py", CODE), ("tiny.toml", PACK)]);
    let error = |config: &[u8], others: &[(&str, &[u8])]| {
        for (name, text) in others {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        std::fs::write(dir.path().join("anyio-lint.toml"), config).unwrap();
        let output = check(dir.path(), &[]);
        assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
        rooted(dir.path(), &stderr(&output))
    };
    let missing = error(
        b"select = [\"TY\"]\nextend = \"../nowhere/base.toml\"\n",
        &[],
    );
    let parent = dir.path().parent().unwrap().display().to_string();
    assert!(
        missing.contains(&format!(
            "error: `extend` names {parent}/nowhere/base.toml, which does not exist: name a configuration file, relative to [ROOT]"
        )),
        "{missing}"
    );
    assert!(missing.contains("[ROOT]/anyio-lint.toml:2:10"), "{missing}");
    assert!(
        missing.contains("2 │ extend = \"../nowhere/base.toml\""),
        "{missing}"
    );
    // A cycle names each file on it, at the line that closes it.
    let cycle = error(
        b"extend = \"one.toml\"\n",
        &[
            ("one.toml", b"extend = \"two.toml\"\n"),
            (
                "two.toml",
                b"ignore = [\"TY1\"]\nextend = \"anyio-lint.toml\"\n",
            ),
        ],
    );
    assert!(
        cycle.contains(
            "error: `extend` makes a cycle: [ROOT]/anyio-lint.toml extends [ROOT]/one.toml extends [ROOT]/two.toml extends [ROOT]/anyio-lint.toml"
        ),
        "{cycle}"
    );
    assert!(cycle.contains("[ROOT]/two.toml:2:10"), "{cycle}");
    let itself = error(b"extend = \"./anyio-lint.toml\"\n", &[]);
    assert!(
        itself.contains(
            "`extend` makes a cycle: [ROOT]/anyio-lint.toml extends [ROOT]/anyio-lint.toml"
        ),
        "{itself}"
    );
    // A packaging file is no configuration to extend.
    let packaging = error(
        b"extend = \"pyproject.toml\"\n",
        &[("pyproject.toml", b"[project]\nname = \"p\"\n")],
    );
    assert!(
        packaging.contains("which has no `[tool.anyio-lint]` table: there is nothing to extend"),
        "{packaging}"
    );
    // A directory neither.
    std::fs::create_dir_all(dir.path().join("conf")).unwrap();
    let directory = error(b"extend = \"conf\"\n", &[]);
    assert!(
        directory.contains("which is not a configuration"),
        "{directory}"
    );
    // An error in the base points into the base.
    let inside = error(
        b"extend = \"one.toml\"\n",
        &[("one.toml", b"ignore = [\"XYZ9\"]\n")],
    );
    assert!(
        inside.contains("unknown rule selector `XYZ9`") && inside.contains("[ROOT]/one.toml:1:11"),
        "{inside}"
    );
    let wrong_type = error(
        b"extend = \"one.toml\"\n",
        &[("one.toml", b"ignore = \"TY1\"\n")],
    );
    assert!(
        wrong_type.contains("invalid type: string \"TY1\", expected a sequence")
            && wrong_type.contains("[ROOT]/one.toml:1:10"),
        "{wrong_type}"
    );
    // A base's pack is confined to the base's directory, as a configuration's own.
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    let confined = error(
        b"extend = \"sub/base.toml\"\n",
        &[("sub/base.toml", b"rulepacks = [\"../tiny.toml\"]\n")],
    );
    assert!(
        confined.contains("is outside [ROOT]/sub, the directory of this configuration"),
        "{confined}"
    );
    assert!(confined.contains("[ROOT]/sub/base.toml:1:14"), "{confined}");
    let empty = error(b"extend = \"\"\n", &[]);
    assert!(empty.contains("`extend` is empty"), "{empty}");
}

#[test]
fn show_files_lists_the_files_a_run_would_check_and_checks_nothing() {
    let config = b"[tool.anyio-lint]\nexclude = [\"skipped\"]\n";
    let dir = project(&[
        ("pyproject.toml", config),
        ("tiny.toml", PACK),
        ("b.py", CODE),
        ("a.py", CODE),
        ("pkg/c.py", CODE),
        ("pkg/legacy.py", CODE),
        ("pkg/pytest.ini", b"[pytest]\n"),
        ("pkg/notes.txt", b"text\n"),
        ("skipped/d.py", CODE),
        (".venv/e.py", CODE),
    ]);
    let show = |args: &[&str]| {
        let mut all = vec!["check", "--show-files"];
        all.extend(args);
        let output = run(dir.path(), &all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    // Sorted, walked with the excludes (the configuration's, the default ones), with the
    // configuration files rules read; findings are not looked for.
    assert_eq!(
        show(&[]),
        "a.py\nb.py\npkg/c.py\npkg/legacy.py\npkg/pytest.ini\npyproject.toml\n"
    );
    assert_eq!(
        show(&["pkg", "b.py", "--extend-exclude", "legacy.py"]),
        "b.py\npkg/c.py\npkg/pytest.ini\n"
    );
    // A file named is listed, unless `--force-exclude` and an exclude say otherwise.
    assert_eq!(show(&["skipped/d.py", "a.py"]), "a.py\nskipped/d.py\n");
    assert_eq!(show(&["skipped/d.py", "a.py", "--force-exclude"]), "a.py\n");
    // Standard input is no file; a mode that checks is refused.
    for args in [
        &["check", "--show-files", "-"][..],
        &["check", "--show-files", "--fix"],
        &["check", "--show-files", "--show-settings"],
    ] {
        let output = run(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
    // A path that cannot be walked is said on standard error, and the run exits 2.
    std::os::unix::fs::symlink(".", dir.path().join("pkg/loop")).unwrap();
    let output = run(dir.path(), &["check", "--show-files", "pkg"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "pkg/c.py\npkg/legacy.py\npkg/pytest.ini\n");
    assert!(
        stderr(&output).contains("error: cannot walk pkg/loop: File system loop found"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn show_fixes_lists_the_fixes_applied_or_available_per_file_and_rule() {
    let dir = project(&[("tiny.toml", PACK), ("a.py", CODE), ("b/c.py", CODE)]);
    // Without `--fix`: the fixes `--fix` would apply, before the summary line.
    let output = check(dir.path(), &["--show-fixes"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).ends_with(
            "b/c.py:6:1: TY4 blocking call `legacy.block(...)`\n\n4 fixes available with `--fix`, by file and rule:\n  a.py\n    1 × TY1 (legacy-wait)\n    1 × TY2 (legacy-stop)\n  b/c.py\n    1 × TY1 (legacy-wait)\n    1 × TY2 (legacy-stop)\n\nFound 8 warnings.\n[*] 4 fixable with the `--fix` option (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
        ),
        "{}",
        stdout(&output)
    );
    // With unsafe fixes shown, those too.
    let text = stdout(&check(
        dir.path(),
        &["--show-fixes", "--unsafe-fixes", "a.py"],
    ));
    assert!(
        text.contains("\n\n3 fixes available with `--fix`, by file and rule:\n  a.py\n    1 × TY1 (legacy-wait)\n    1 × TY2 (legacy-stop)\n    1 × TY3 (legacy-go)\n\nFound 4 warnings.\n"),
        "{text}"
    );
    // Not in the machine formats, nor with `--quiet`, nor without `--show-fixes`.
    let json = run(
        dir.path(),
        &[
            "check",
            "--no-builtin-packs",
            "--rulepack",
            "tiny.toml",
            "--show-fixes",
            "--output-format",
            "json",
        ],
    );
    serde_json::from_slice::<serde_json::Value>(&json.stdout).expect("JSON alone");
    for args in [&["--show-fixes", "--quiet"][..], &[]] {
        let text = stdout(&check(dir.path(), args));
        assert!(!text.contains("by file and rule"), "{args:?}: {text}");
    }
    // With `--fix`: the fixes applied, per file and rule, the rules' names included.
    let output = check(dir.path(), &["--show-fixes", "--fix", "b/c.py"]);
    assert_eq!(
        stdout(&output),
        "b/c.py:6:1: TY3 `legacy.go` becomes `modern.go`\nb/c.py:7:1: TY4 blocking call `legacy.block(...)`\n\nApplied 2 fixes, by file and rule:\n  b/c.py\n    1 × TY1 (legacy-wait)\n    1 × TY2 (legacy-stop)\n\nFound 4 findings (2 fixed, 2 remaining: 2 warnings).\nNo fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
    );
    // `--fix-only` says what it applied before how many.
    let output = check(
        dir.path(),
        &["--show-fixes", "--fix-only", "--unsafe-fixes", "a.py"],
    );
    assert_eq!(
        stdout(&output),
        "Applied 3 fixes, by file and rule:\n  a.py\n    1 × TY1 (legacy-wait)\n    1 × TY2 (legacy-stop)\n    1 × TY3 (legacy-go)\n\nFixed 3 findings.\n"
    );
    // Nothing to fix: nothing listed.
    let text = stdout(&check(dir.path(), &["--show-fixes", "--fix", "a.py"]));
    assert!(!text.contains("by file and rule"), "{text}");
    // `show-fixes = true` in the configuration; `--no-show-fixes` overrides it.
    std::fs::write(dir.path().join("x.py"), CODE).unwrap();
    std::fs::write(dir.path().join("anyio-lint.toml"), "show-fixes = true\n").unwrap();
    let text = stdout(&check(dir.path(), &["x.py"]));
    assert!(text.contains("2 fixes available with `--fix`"), "{text}");
    let text = stdout(&check(dir.path(), &["x.py", "--no-show-fixes"]));
    assert!(!text.contains("fixes available"), "{text}");
    // Standard input, fixed: on standard error with the findings.
    let output = common::run_stdin(
        dir.path(),
        &[
            "check",
            "--no-builtin-packs",
            "--rulepack",
            "tiny.toml",
            "--output-format",
            "concise",
            "--fix",
            "-",
            "--stdin-filename",
            "s.py",
        ],
        CODE,
    );
    assert!(
        stderr(&output)
            .contains("Applied 2 fixes, by file and rule:\n  s.py\n    1 × TY1 (legacy-wait)\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unfixable_rules_keep_their_findings_but_offer_and_apply_no_fix() {
    let dir = project(&[("tiny.toml", PACK), ("a.py", CODE)]);
    let all = [
        "a.py:3:1: TY1 [*]",
        "a.py:4:1: TY2 [*]",
        "a.py:5:1: TY3",
        "a.py:6:1: TY4",
    ];
    assert_eq!(marked(&check(dir.path(), &[])), all);
    let without = |code: &str| -> Vec<String> {
        all.iter()
            .map(|line| match line.contains(code) {
                true => line.trim_end_matches(" [*]").to_owned(),
                false => (*line).to_owned(),
            })
            .collect()
    };
    assert_eq!(
        marked(&check(dir.path(), &["--unfixable", "TY1"])),
        without("TY1")
    );
    assert_eq!(
        marked(&check(dir.path(), &["--fixable", "TY2"])),
        without("TY1")
    );
    assert_eq!(
        marked(&check(
            dir.path(),
            &["--fixable", "ALL", "--unfixable", "TY"]
        )),
        without("TY")
    );
    // The longest selector decides: `--extend-fixable TY1` against `--unfixable TY`.
    assert_eq!(
        marked(&check(
            dir.path(),
            &["--unfixable", "TY", "--extend-fixable", "TY1"]
        )),
        without("TY2")
    );
    // `--fix` leaves an unfixable rule's findings as they are; `--diff` shows no change for it.
    let diff = stdout(&check(dir.path(), &["--unfixable", "TY1", "--diff"]));
    assert!(
        diff.contains("+modern.stop(2)") && !diff.contains("modern.wait"),
        "{diff}"
    );
    let output = check(
        dir.path(),
        &["--unfixable", "TY1", "--fix", "--unsafe-fixes"],
    );
    assert_eq!(findings(&output), ["a.py:4:1: TY1", "a.py:7:1: TY4"]);
    let fixed = std::fs::read_to_string(dir.path().join("a.py")).unwrap();
    assert!(
        fixed.contains("legacy.wait(1)\nmodern.stop(2)\nmodern.go(3)\n"),
        "{fixed}"
    );
    // The configuration keys, which the command line joins.
    std::fs::write(dir.path().join("a.py"), CODE).unwrap();
    let configured = |keys: &str, args: &[&str]| {
        std::fs::write(dir.path().join("anyio-lint.toml"), keys).unwrap();
        marked(&check(dir.path(), args))
    };
    assert_eq!(configured("unfixable = [\"TY1\"]\n", &[]), without("TY1"));
    assert_eq!(configured("fixable = [\"TY1\"]\n", &[]), without("TY2"));
    assert_eq!(
        configured("fixable = [\"TY1\"]\nextend-fixable = [\"TY2\"]\n", &[]),
        all
    );
    assert_eq!(
        configured("fixable = [\"TY1\"]\n", &["--fixable", "TY2"]),
        without("TY1")
    );
    assert_eq!(
        configured("fixable = [\"TY1\"]\n", &["--extend-fixable", "TY2"]),
        all
    );
    // The engine's own rule too: its finding stays, its fix goes.
    std::fs::write(dir.path().join("n.py"), "x = 1  # noqa: TY1\n").unwrap();
    std::fs::remove_file(dir.path().join("anyio-lint.toml")).unwrap();
    assert_eq!(
        marked(&check(dir.path(), &["n.py"])),
        ["n.py:1:8: NQA100 [*]"]
    );
    assert_eq!(
        marked(&check(dir.path(), &["n.py", "--unfixable", "NQA"])),
        ["n.py:1:8: NQA100"]
    );
    // Selectors must name loaded rules, on the command line and in a file.
    let output = check(dir.path(), &["--unfixable", "XYZ"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown rule selector `XYZ`"),
        "{}",
        stderr(&output)
    );
    let output = check(dir.path(), &["--fixable", "TY1,"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`--fixable` has an empty rule selector"),
        "{}",
        stderr(&output)
    );
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "extend-fixable = [\"TY9\"]\n",
    )
    .unwrap();
    let output = check(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown rule selector `TY9`")
            && stderr(&output).contains("anyio-lint.toml:1:19"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn exclude_on_the_command_line_replaces_the_configured_one_and_extend_exclude_adds() {
    let config = b"exclude = [\"a.py\"]\nextend-exclude = [\"pkg/gen\"]\n";
    let dir = project(&[
        ("anyio-lint.toml", config),
        ("tiny.toml", PACK),
        ("a.py", CODE),
        ("b.py", CODE),
        ("pkg/c.py", CODE),
        ("pkg/gen/d.py", CODE),
    ]);
    let files = |dir: &Path, args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--show-files"];
        all.extend(args);
        let output = run(dir, &all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output).lines().map(str::to_owned).collect()
    };
    assert_eq!(files(dir.path(), &[]), ["b.py", "pkg/c.py"]);
    // `--exclude` replaces `exclude`; `extend-exclude` still holds.
    assert_eq!(
        files(dir.path(), &["--exclude", "b.py"]),
        ["a.py", "pkg/c.py"]
    );
    assert_eq!(
        files(dir.path(), &["--exclude", "b.py,z.py", "--exclude", "c.py"]),
        ["a.py"]
    );
    // `--extend-exclude` adds to both.
    assert_eq!(files(dir.path(), &["--extend-exclude", "pkg/*"]), ["b.py"]);
    // The command line's globs are relative to the current directory, the configuration's to
    // its own: from `pkg`, `gen` is excluded by the configuration and `c.py` by `--exclude`.
    let pkg = dir.path().join("pkg");
    assert_eq!(files(&pkg, &["."]), ["c.py"]);
    assert_eq!(
        files(&pkg, &[".", "--extend-exclude", "./c.py"]),
        Vec::<String>::new()
    );
    assert_eq!(
        files(&pkg, &[".", "--extend-exclude", "pkg/c.py"]),
        ["c.py"]
    );
    assert_eq!(
        files(&pkg, &["--extend-exclude", "../b.py", ".."]),
        ["../pkg/c.py"]
    );
    // Checked files follow the same filters, and `--force-exclude` applies them to named ones.
    let output = check(dir.path(), &["--exclude", "b.py", "a.py", "b.py"]);
    assert_eq!(findings(&output).len(), 8, "{}", stdout(&output));
    let output = check(
        dir.path(),
        &["--exclude", "b.py", "--force-exclude", "a.py", "b.py"],
    );
    assert_eq!(findings(&output).len(), 4, "{}", stdout(&output));
    assert!(
        findings(&output)
            .iter()
            .all(|line| line.starts_with("a.py"))
    );
    // An empty or invalid glob is an error naming the option.
    for (args, message) in [
        (&["--exclude", ""][..], "`--exclude` has an empty glob"),
        (
            &["--extend-exclude", "a.py,"],
            "`--extend-exclude` has an empty glob",
        ),
        (
            &["--extend-exclude", "a[.py"],
            "`--extend-exclude`: invalid glob `a[.py`",
        ),
    ] {
        let output = check(dir.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn only_an_unknown_key_points_to_show_settings() {
    const NOTE: &str = "`anyio-lint check --isolated --show-settings` prints every key";
    let dir = project(&[("a.py", b"x = 1\n")]);
    let error = |config: &str| {
        std::fs::write(dir.path().join("anyio-lint.toml"), config).unwrap();
        let output = run(dir.path(), &["check", "a.py"]);
        assert_eq!(output.status.code(), Some(2), "{config}");
        stderr(&output)
    };
    let unknown = error("select = [\"AIO\"]\nignre = [\"AIO1\"]\n");
    assert!(unknown.contains("unknown field `ignre`"), "{unknown}");
    assert!(unknown.contains(NOTE), "{unknown}");
    for config in [
        "extend = \"missing.toml\"\n",
        "extend = 5\n",
        "extend = \"anyio-lint.toml\"\n",
        "exclude = [\"a[b\"]\n",
        "select = [\"AIO\"]\nrulepacks = [\"../x.toml\"]\n",
    ] {
        let text = error(config);
        assert!(!text.contains(NOTE), "{config}: {text}");
    }
    let outside = error("select = [\"AIO\"]\nrulepacks = [\"../x.toml\"]\n");
    let pack = dir.path().parent().unwrap().join("x.toml");
    assert!(
        outside.contains(&format!(
            "the directory of this configuration: pass `--rulepack {}` on the command line instead",
            pack.display()
        )),
        "{outside}"
    );
}

#[test]
fn show_settings_names_the_default_include_with_the_files_rules_read() {
    let dir = project(&[("a.py", b"x = 1\n"), ("pytest.ini", b"[pytest]\n")]);
    let output = run(dir.path(), &["check", "--isolated", "--show-settings"]);
    let text = stdout(&output);
    let line = text
        .lines()
        .find(|line| line.starts_with("include "))
        .expect("an include line");
    assert_eq!(
        line,
        "include              *.py, *.pyi, .pytest.ini, .pytest.toml, pyproject.toml, pytest.ini, pytest.toml, setup.cfg, tox.ini (default)"
    );
    // What it says is what a walk takes.
    let files = stdout(&run(dir.path(), &["check", "--isolated", "--show-files"]));
    assert_eq!(files, "a.py\npytest.ini\n");
}

#[test]
fn config_naming_a_file_without_our_table_is_an_error_as_extend_is() {
    let dir = project(&[
        ("a.py", b"x = 1\n"),
        ("pyproject.toml", b"[project]\nname = \"p\"\n"),
        ("setup.cfg", b"[metadata]\nname = p\n"),
    ]);
    let output = run(dir.path(), &["check", "--config", "pyproject.toml", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("`--config` names pyproject.toml, which has no `[tool.anyio-lint]` table"),
        "{}",
        stderr(&output)
    );
    let output = run(dir.path(), &["check", "--config", "setup.cfg", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`--config` names setup.cfg, which is not a configuration"),
        "{}",
        stderr(&output)
    );
    // With the table, it is the configuration.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"p\"\n[tool.anyio-lint]\nselect = [\"AIO\"]\n",
    )
    .unwrap();
    let output = run(dir.path(), &["check", "--config", "pyproject.toml", "a.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn extend_expands_the_home_directory_and_environment_variables() {
    let shared = project(&[("base.toml", b"ignore = [\"AIO\"]\n")]);
    let dir = project(&[
        ("a.py", b"import asyncio\nasyncio.sleep(1)\n"),
        ("anyio-lint.toml", b"extend = \"${SHARED}/base.toml\"\n"),
    ]);
    let output = common::bin()
        .current_dir(dir.path())
        .env("SHARED", shared.path())
        .args(["check", "a.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // `~` is the home directory.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "extend = \"~/base.toml\"\n",
    )
    .unwrap();
    let output = common::bin()
        .current_dir(dir.path())
        .env("HOME", shared.path())
        .args(["check", "a.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // A variable that is not set is named.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "extend = \"$ANYIO_LINT_NOT_SET_ANYWHERE/base.toml\"\n",
    )
    .unwrap();
    let output = run(dir.path(), &["check", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "`extend` uses the environment variable `ANYIO_LINT_NOT_SET_ANYWHERE`, which is not set"
        ),
        "{}",
        stderr(&output)
    );
}
