//! End to end: daily use. Configuration discovery and every key, suppressions and the
//! unused-suppression rule, `--add-noqa`, baselines, stdin, exit-code flags, `--statistics`, the
//! progress bar.

mod common;

use std::path::Path;

use common::{assert_exact_snapshot, findings, project, run, run_stdin, stderr, stdout};

const SLEEP: &str = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n";
const RUN: &str = "import asyncio\n\nasyncio.run(main())\n";

fn concise(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["check", "--output-format", "concise"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

#[test]
fn the_nearest_configuration_governs_each_file() {
    let dir = project(&[
        (
            "pyproject.toml",
            b"[tool.anyio-lint]\nselect = [\"AIO1\"]\n",
        ),
        ("top.py", format!("{SLEEP}{RUN}").as_bytes()),
        // A nested project with its own configuration: only AIO2 there.
        ("nested/anyio-lint.toml", b"select = [\"AIO2\"]\n"),
        ("nested/mod.py", format!("{SLEEP}{RUN}").as_bytes()),
        // `.anyio-lint.toml` wins over `anyio-lint.toml` in the same directory.
        ("dotted/anyio-lint.toml", b"select = [\"AIO2\"]\n"),
        ("dotted/.anyio-lint.toml", b"select = [\"AIO101\"]\n"),
        ("dotted/mod.py", format!("{SLEEP}{RUN}").as_bytes()),
        // A pyproject.toml without [tool.anyio-lint] is not a configuration: the root's applies.
        (
            "plain/pyproject.toml",
            b"[project]\nname = \"plain\"\nversion = \"1\"\n",
        ),
        ("plain/mod.py", format!("{SLEEP}{RUN}").as_bytes()),
    ]);
    let output = concise(dir.path(), &[]);
    assert_eq!(
        findings(&output),
        [
            "dotted/mod.py:4:11: AIO101",
            "nested/mod.py:7:1: AIO201",
            "plain/mod.py:4:11: AIO101",
            "top.py:4:11: AIO101",
        ],
        "{}",
        stdout(&output)
    );
    // Checking from inside the nested project, or naming its file from outside, is the same.
    let inside = concise(&dir.path().join("nested"), &[]);
    assert_eq!(findings(&inside), ["mod.py:7:1: AIO201"]);
    let named = concise(dir.path(), &["nested/mod.py"]);
    assert_eq!(findings(&named), ["nested/mod.py:7:1: AIO201"]);
    // --config makes one file govern everything; --isolated uses none.
    let fixed = concise(dir.path(), &["--config", "nested/anyio-lint.toml"]);
    assert_eq!(
        findings(&fixed),
        [
            "dotted/mod.py:7:1: AIO201",
            "nested/mod.py:7:1: AIO201",
            "plain/mod.py:7:1: AIO201",
            "top.py:7:1: AIO201",
        ]
    );
    let isolated = concise(dir.path(), &["--isolated", "top.py"]);
    assert_eq!(
        findings(&isolated),
        ["top.py:4:11: AIO101", "top.py:7:1: AIO201"]
    );
    // The command line overrides every configuration.
    let overridden = concise(dir.path(), &["--select", "AIO201", "nested", "top.py"]);
    assert_eq!(
        findings(&overridden),
        ["nested/mod.py:7:1: AIO201", "top.py:7:1: AIO201"]
    );
}

#[test]
fn selection_keys_and_per_file_ignores() {
    let config = br#"[tool.anyio-lint]
select = ["AIO1"]
extend-select = ["AIO201"]
ignore = ["AIO104"]

[tool.anyio-lint.per-file-ignores]
"tests/*" = ["AIO101"]
"conftest.py" = ["AIO2"]
"#;
    let code = format!("{SLEEP}    lock = asyncio.Lock()\n{RUN}");
    let dir = project(&[
        ("pyproject.toml", config),
        ("app.py", code.as_bytes()),
        ("tests/test_app.py", code.as_bytes()),
        ("tests/deep/conftest.py", code.as_bytes()),
    ]);
    let output = concise(dir.path(), &[]);
    assert_eq!(
        findings(&output),
        [
            "app.py:4:11: AIO101",
            "app.py:8:1: AIO201",
            // `tests/*` matches below tests/ too (globs match across `/`, as in Ruff), and
            // `conftest.py` at any depth; a per-file ignore wins over a more specific select.
            "tests/test_app.py:8:1: AIO201",
        ],
        "{}",
        stdout(&output)
    );
}

#[test]
fn file_keys_exclude_include_and_force_exclude() {
    let config = br#"[tool.anyio-lint]
exclude = ["generated"]
extend-exclude = ["legacy_*.py"]
include = ["*.py", "*.pyw"]
"#;
    let dir = project(&[
        ("pyproject.toml", config),
        ("app.py", SLEEP.as_bytes()),
        ("gui.pyw", SLEEP.as_bytes()),
        ("stub.pyi", SLEEP.as_bytes()),
        ("legacy_io.py", SLEEP.as_bytes()),
        ("generated/api.py", SLEEP.as_bytes()),
        ("pkg/generated/api.py", SLEEP.as_bytes()),
    ]);
    let output = concise(dir.path(), &["--select", "AIO101"]);
    assert_eq!(
        findings(&output),
        ["app.py:4:11: AIO101", "gui.pyw:4:11: AIO101"],
        "{}",
        stdout(&output)
    );
    // Named explicitly, an excluded file is checked, unless force-exclude is on.
    let named = concise(dir.path(), &["--select", "AIO101", "legacy_io.py"]);
    assert_eq!(findings(&named), ["legacy_io.py:4:11: AIO101"]);
    let forced = concise(
        dir.path(),
        &[
            "--select",
            "AIO101",
            "--force-exclude",
            "legacy_io.py",
            "generated/api.py",
        ],
    );
    assert_eq!(forced.status.code(), Some(0), "{}", stdout(&forced));
    assert!(findings(&forced).is_empty());
    // The same from the configuration key, as pre-commit runs it.
    let mut keyed = String::from_utf8(config.to_vec()).unwrap();
    keyed.push_str("force-exclude = true\n");
    std::fs::write(dir.path().join("pyproject.toml"), keyed).unwrap();
    let forced = concise(
        dir.path(),
        &[
            "--select",
            "AIO101",
            "legacy_io.py",
            "pkg/generated/api.py",
            "app.py",
        ],
    );
    assert_eq!(findings(&forced), ["app.py:4:11: AIO101"]);
    // Globs naming a directory match from the configuration's directory.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[tool.anyio-lint]\ninclude = [\"pkg/*.py\"]\nexclude = [\"pkg/generated\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("pkg/tool.py"), SLEEP).unwrap();
    let anchored = concise(dir.path(), &["--select", "AIO101"]);
    assert_eq!(
        findings(&anchored),
        ["pkg/tool.py:4:11: AIO101"],
        "{}",
        stdout(&anchored)
    );
}

#[test]
fn fix_keys_and_fix_applicability() {
    // AIO101 (sleep) has a safe fix and AIO201 (run) an unsafe one: extend-unsafe-fixes demotes
    // AIO101's, extend-safe-fixes promotes AIO201's.
    let config = br#"
select = ["AIO101", "AIO201"]
fix = true
extend-unsafe-fixes = ["AIO1"]
extend-safe-fixes = ["AIO201"]
"#;
    let dir = project(&[
        ("anyio-lint.toml", config),
        ("app.py", format!("{SLEEP}{RUN}").as_bytes()),
    ]);
    let output = concise(dir.path(), &[]);
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(fixed.contains("anyio.run(main)"), "{fixed}");
    assert!(fixed.contains("asyncio.sleep(1)"), "{fixed}");
    assert_eq!(findings(&output), ["app.py:6:11: AIO101"]);
    // The same rule promoted back by the more specific extend-safe-fixes, with unsafe-fixes off.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "select = [\"AIO101\"]\nfix = true\nunsafe-fixes = false\nextend-unsafe-fixes = [\"AIO1\"]\nextend-safe-fixes = [\"AIO101\"]\n",
    )
    .unwrap();
    let output = concise(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(fixed.contains("await anyio.sleep(1)"), "{fixed}");
    // `unsafe-fixes = true` applies unsafe fixes; `--no-fix` overrides `fix = true`.
    std::fs::write(dir.path().join("app.py"), SLEEP).unwrap();
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "select = [\"AIO101\"]\nfix = true\nunsafe-fixes = true\nextend-unsafe-fixes = [\"AIO1\"]\n",
    )
    .unwrap();
    let output = concise(dir.path(), &["--no-fix"]);
    assert_eq!(findings(&output), ["app.py:4:11: AIO101"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        SLEEP
    );
    concise(dir.path(), &[]);
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(fixed.contains("await anyio.sleep(1)"), "{fixed}");
}

#[test]
fn versions_rulepacks_and_output_format_keys() {
    let pack = br#"[pack]
name = "team"
version = "1"
description = "Team rules."
prefix = "TM"
modules = ["legacy"]

[[rule]]
code = "TM001"
name = "legacy-call"
message = "`legacy.call()` is gone"
match.pattern = "legacy.call()"
explain = """
## What it does
Flags `legacy.call()`.
## Why is this bad?
It is gone.
## Example
```python
legacy.call()
```
## Use instead
Nothing.
## Fix safety
No fix.
"""

[[rule.example]]
flagged = "import legacy\nlegacy.call()\n"
"#;
    let config = br#"[tool.anyio-lint]
select = ["TM", "AIO2", "AIO4"]
rulepacks = ["packs/team.toml"]
output-format = "json"

[tool.anyio-lint.versions]
anyio = "4.12"
"#;
    let tg = "import anyio\nimport asyncio\n\nasync def main():\n    async with asyncio.TaskGroup() as tg:\n        pass\n    async with anyio.create_task_group() as tg:\n        tg.create_task(work())\n";
    let dir = project(&[
        ("pyproject.toml", config),
        ("packs/team.toml", pack),
        ("app.py", b"import legacy\nlegacy.call()\n"),
        ("tg.py", tg.as_bytes()),
    ]);
    let output = run(dir.path(), &["check"]);
    let parsed: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json output");
    let codes: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"TM001"), "{codes:?}");
    // anyio 4.12 from the configuration: `tg.create_task` needs 4.14, so AIO405 applies; the
    // command line's newer version turns it off.
    assert_eq!(parsed_codes(&parsed, "tg.py"), ["AIO214", "AIO405"]);
    let newest = run(
        dir.path(),
        &["check", "--version-of", "anyio=4.16", "tg.py"],
    );
    let newest: serde_json::Value = serde_json::from_str(&stdout(&newest)).expect("json output");
    assert_eq!(parsed_codes(&newest, "tg.py"), ["AIO214"]);
}

/// The codes of the findings in `file` of a JSON report.
fn parsed_codes(report: &serde_json::Value, file: &str) -> Vec<String> {
    report
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["filename"].as_str().unwrap().ends_with(file))
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn unknown_keys_and_bad_values_point_into_the_configuration() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "[tool.anyio-lint]\nselect = [\"AIO1\"]\nselct = [\"AIO\"]\n",
            "unknown field `selct`",
            "pyproject.toml:3:1",
        ),
        (
            "[tool.anyio-lint]\nselect = [\"AIO1\", \"XYZ9\"]\n",
            "unknown rule selector `XYZ9`",
            "pyproject.toml:2:19",
        ),
        (
            "[tool.anyio-lint]\nexclude = [\"a[\"]\n",
            "invalid glob `a[`",
            "pyproject.toml:2:12",
        ),
        (
            "[tool.anyio-lint.per-file-ignores]\n\"tests/*\" = [\"NOPE\"]\n",
            "unknown rule selector `NOPE`",
            "pyproject.toml:2:14",
        ),
        (
            "[tool.anyio-lint.versions]\nanyio = \"four\"\n",
            "is not a version",
            "pyproject.toml:2:9",
        ),
        (
            "[tool.anyio-lint]\noutput-format = \"xml\"\n",
            "`output-format = \"xml\"`",
            "pyproject.toml:2:17",
        ),
        (
            "[tool.anyio-lint]\nfix = \"yes\"\n",
            "invalid type",
            "pyproject.toml:2:7",
        ),
        (
            "[tool.anyio-lint]\nextend-safe-fixes = [\"AIO9999\"]\n",
            "unknown rule selector `AIO9999`",
            "pyproject.toml:2:22",
        ),
    ];
    for (config, message, location) in cases {
        let dir = project(&[("pyproject.toml", config.as_bytes()), ("a.py", b"x = 1\n")]);
        let output = run(dir.path(), &["check"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{config}\n{err}");
        assert!(err.contains(message), "{config}\nwanted {message}:\n{err}");
        assert!(
            err.contains(location),
            "{config}\nwanted {location}:\n{err}"
        );
    }
    // A broken configuration in a nested project is found while walking.
    let dir = project(&[
        ("sub/anyio-lint.toml", b"ignore = 3\n"),
        ("sub/a.py", b"x = 1\n"),
    ]);
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("anyio-lint.toml:1:10"),
        "{}",
        stderr(&output)
    );
    // Command-line selectors are checked too.
    let output = run(dir.path(), &["check", "--isolated", "--select", "AIOX"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown rule selector `AIOX`"));
}

#[test]
fn every_suppression_form() {
    let code = r#"import asyncio

async def main():
    await asyncio.sleep(1)  # noqa
    await asyncio.sleep(2)  # noqa: AIO101
    await asyncio.sleep(3)  # NOQA:AIO1,E501
    await asyncio.sleep(4)  # noqa: AIO102
    await asyncio.sleep(5)  # type: ignore  # noqa: AIO101
    text = """first
    {}""".format(asyncio.sleep(6))  # noqa: AIO101
    await asyncio.sleep(7) if text \
        else None  # noqa: AIO101
    await asyncio.sleep(8)
"#;
    let dir = project(&[("app.py", code.as_bytes())]);
    let output = concise(dir.path(), &["--select", "AIO1,NQA"]);
    assert_eq!(
        findings(&output),
        [
            "app.py:7:11: AIO101",
            "app.py:7:29: NQA100",
            "app.py:13:11: AIO101",
        ],
        "{}",
        stdout(&output)
    );
    // File-level: every finding, or the findings of some codes.
    let blanket = format!("# anyio-lint: noqa\n{SLEEP}{RUN}");
    std::fs::write(dir.path().join("app.py"), &blanket).unwrap();
    let output = concise(dir.path(), &["--select", "AIO1,NQA"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let by_code = format!("{SLEEP}    lock = asyncio.Lock()\n# anyio-lint: noqa: AIO104\n");
    std::fs::write(dir.path().join("app.py"), &by_code).unwrap();
    let output = concise(dir.path(), &["--select", "AIO1,NQA"]);
    assert_eq!(findings(&output), ["app.py:4:11: AIO101"]);
}

#[test]
fn unused_suppressions_are_reported_and_removed() {
    let code = "import os\n\
x = os.getcwd()  # noqa: AIO101\n\
y = 2  # noqa: AIO101, E501\n\
z = 3  # noqa: AIO999\n\
w = 4  # noqa: AIO101 kept for the 2.0 release\n\
# noqa: AIO101\n\
v = 5  # noqa\n\
u = 6  # noqa: F401\n\
t = 7  # noqa: PTA101\n";
    let dir = project(&[("app.py", code.as_bytes())]);
    // PTA101 is a loaded rule disabled here by --select: kept, like the bare and foreign ones.
    let output = concise(dir.path(), &["--select", "AIO,NQA"]);
    let text = stdout(&output);
    assert_eq!(
        findings(&output),
        [
            "app.py:2:18: NQA100",
            "app.py:3:8: NQA100",
            "app.py:4:8: NQA100",
            "app.py:5:8: NQA100",
            "app.py:6:1: NQA100",
        ],
        "{text}"
    );
    assert!(
        text.contains("unused `noqa` directive (unused: `AIO101`)"),
        "{text}"
    );
    assert!(text.contains("(unknown: `AIO999`)"), "{text}");
    let fixed_run = concise(dir.path(), &["--select", "AIO,NQA", "--fix"]);
    assert_eq!(fixed_run.status.code(), Some(0), "{}", stdout(&fixed_run));
    assert_exact_snapshot!(
        "unused_suppressions_removed",
        std::fs::read_to_string(dir.path().join("app.py")).unwrap()
    );
    // An unused file-level directive is reported too, even in a file with no pattern's words.
    std::fs::write(dir.path().join("app.py"), "# anyio-lint: noqa\nx = 1\n").unwrap();
    let output = concise(dir.path(), &[]);
    assert_eq!(
        findings(&output),
        ["app.py:1:1: NQA100"],
        "{}",
        stdout(&output)
    );
    // Ignoring NQA100 turns the check off.
    let output = concise(dir.path(), &["--ignore", "NQA100"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn add_noqa_suppresses_every_current_finding() {
    let code = r#"import asyncio

async def main():
    await asyncio.sleep(1); lock = asyncio.Lock()
    lock = asyncio.Lock(); await asyncio.sleep(2)  # noqa: AIO104
    await asyncio.sleep(3)  # explained
    text = """a
    b""".join([asyncio.Lock()])
    await asyncio.sleep(4) if text \
        else None
"#;
    let dir = project(&[("app.py", code.as_bytes())]);
    let output = run(dir.path(), &["check", "--add-noqa", "--select", "AIO1"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Added 5 noqa directives in 1 file."),
        "{}",
        stderr(&output)
    );
    assert_exact_snapshot!(
        "noqa_added",
        std::fs::read_to_string(dir.path().join("app.py")).unwrap()
    );
    let output = concise(dir.path(), &["--select", "AIO1,NQA"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let again = run(dir.path(), &["check", "--add-noqa", "--select", "AIO1"]);
    assert!(stderr(&again).contains("Added 0 noqa directives in 0 files."));
}

#[test]
fn a_baseline_survives_edits_and_reports_only_new_findings() {
    let code = format!("{SLEEP}    await asyncio.sleep(1)\n{RUN}");
    let dir = project(&[("src/app.py", code.as_bytes())]);
    let output = run(
        dir.path(),
        &["check", "--write-baseline", "ci/baseline.json"],
    );
    assert!(
        stderr(&output).contains("Wrote a baseline of 3 findings"),
        "{}",
        stderr(&output)
    );
    let baseline = std::fs::read_to_string(dir.path().join("ci/baseline.json")).unwrap();
    assert!(
        baseline.contains("\"path\": \"../src/app.py\""),
        "{baseline}"
    );
    assert!(!baseline.contains("\"line\""), "{baseline}");
    let check = |dir: &Path| concise(dir, &["--baseline", "ci/baseline.json"]);
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("3 findings in the baseline are not shown."));
    // Edit above the findings: they move down and stay baselined.
    let edited = format!("\"\"\"Module doc.\"\"\"\n\nimport os\n{code}");
    std::fs::write(dir.path().join("src/app.py"), &edited).unwrap();
    assert_eq!(check(dir.path()).status.code(), Some(0));
    // A third identical sleep is new; so is another finding.
    let grown = edited.replace(
        "async def main():\n",
        "async def main():\n    await asyncio.sleep(1)\n    lock = asyncio.Lock()\n",
    );
    std::fs::write(dir.path().join("src/app.py"), &grown).unwrap();
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        findings(&output),
        // Identical findings are counted, not placed: the last of the three sleeps is the new one.
        ["src/app.py:8:12: AIO104", "src/app.py:10:11: AIO101"],
        "{}",
        stdout(&output)
    );
    // From another directory the baseline still resolves paths from its own location.
    let elsewhere = run(
        &dir.path().join("src"),
        &[
            "check",
            "--baseline",
            "../ci/baseline.json",
            "--output-format",
            "concise",
            "app.py",
        ],
    );
    assert_eq!(findings(&elsewhere).len(), 2, "{}", stdout(&elsewhere));
    // A broken baseline is an error, not an empty baseline.
    std::fs::write(dir.path().join("ci/baseline.json"), "{").unwrap();
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a baseline"),
        "{}",
        stderr(&output)
    );
    // Truncated: invalid JSON, located with 1-based columns.
    std::fs::write(dir.path().join("ci/baseline.json"), "{\n").unwrap();
    let output = check(dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "baseline.json:2:1: not a baseline: invalid JSON: EOF while parsing an object (write one with `--write-baseline`)"
        ),
        "{}",
        stderr(&output)
    );
    // Valid JSON without a baseline's keys is not quoted.
    std::fs::write(dir.path().join("ci/baseline.json"), "{\"secret\": 1}").unwrap();
    let output = check(dir.path());
    assert!(
        stderr(&output).contains("not a baseline: it has no `findings`; its content is not shown"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn stdin_resolves_configuration_from_its_file_name() {
    let config = b"[tool.anyio-lint]\nselect = [\"AIO1\"]\n\n[tool.anyio-lint.per-file-ignores]\n\"tests/*\" = [\"AIO101\"]\n";
    let dir = project(&[("pyproject.toml", config)]);
    let input = format!("{SLEEP}{RUN}");
    let checked = run_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "src/app.py",
            "--output-format",
            "concise",
        ],
        input.as_bytes(),
    );
    assert_eq!(findings(&checked), ["src/app.py:4:11: AIO101"]);
    let ignored = run_stdin(
        dir.path(),
        &["check", "-", "--stdin-filename", "tests/test_app.py"],
        input.as_bytes(),
    );
    assert_eq!(ignored.status.code(), Some(0), "{}", stdout(&ignored));
    let fixed = run_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "src/app.py",
            "--fix",
            "--output-format",
            "concise",
        ],
        input.as_bytes(),
    );
    assert_exact_snapshot!("stdin_fixed", stdout(&fixed));
    assert!(
        stderr(&fixed).contains("Found 1 finding (1 fixed, 0 remaining)."),
        "{}",
        stderr(&fixed)
    );
    assert_eq!(fixed.status.code(), Some(0));
}

#[test]
fn exit_code_flags_statistics_and_quiet() {
    let dir = project(&[(
        "app.py",
        format!("{SLEEP}    lock = asyncio.Lock()\n{RUN}").as_bytes(),
    )]);
    let statistics = run(dir.path(), &["check", "--statistics"]);
    assert_exact_snapshot!("statistics", stdout(&statistics));
    assert_eq!(statistics.status.code(), Some(1));
    let quiet = run(
        dir.path(),
        &["check", "--quiet", "--output-format", "concise"],
    );
    assert!(!stdout(&quiet).contains("Found"), "{}", stdout(&quiet));
    assert_eq!(
        run(dir.path(), &["check", "--exit-zero"]).status.code(),
        Some(0)
    );
    // Fixing everything fixable leaves AIO104: exit 1 either way.
    let fixed = run(dir.path(), &["check", "--fix", "--select", "AIO101"]);
    assert_eq!(fixed.status.code(), Some(0), "{}", stdout(&fixed));
    std::fs::write(dir.path().join("app.py"), SLEEP).unwrap();
    let flagged = run(
        dir.path(),
        &[
            "check",
            "--fix",
            "--select",
            "AIO101",
            "--exit-non-zero-on-fix",
        ],
    );
    assert_eq!(flagged.status.code(), Some(1), "{}", stdout(&flagged));
}

#[test]
fn a_progress_bar_is_drawn_only_on_a_terminal() {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for index in 0..50 {
        files.push((format!("pkg/m{index}.py"), SLEEP.as_bytes().to_vec()));
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let dir = project(&borrowed);
    let binary = env!("CARGO_BIN_EXE_anyio-lint");
    // `script` gives the command a terminal; the bar appears at once with the delay set to 0.
    let output = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{binary} check --output-format concise pkg"),
            "/dev/null",
        ])
        .current_dir(dir.path())
        .env("ANYIO_LINT_PROGRESS_DELAY_MS", "0")
        .env("NO_COLOR", "1")
        .output()
        .expect("script runs");
    let text = stdout(&output);
    assert!(text.contains("/50 files"), "{text}");
    let piped = run(dir.path(), &["check", "pkg"]);
    assert!(!stderr(&piped).contains("files"), "{}", stderr(&piped));
}

#[test]
fn the_engine_rule_is_documented_and_listed() {
    let dir = project(&[]);
    let page = run(dir.path(), &["rule", "NQA100"]);
    assert_eq!(page.status.code(), Some(0));
    for heading in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
    ] {
        assert!(stdout(&page).contains(heading), "{heading}");
    }
    let listed = run(dir.path(), &["rules"]);
    assert!(
        stdout(&listed).contains("NQA100   unused-noqa"),
        "{}",
        stdout(&listed)
    );
}

/// A pack whose rules carry other tools' codes as aliases: `FX1` is also `OTHER101`, `FX2` is
/// `OTHER102` and `OTHER202`, `FX3` has none.
const ALIASED_PACK: &str = r#"[pack]
name = "aliased"
version = "1"
description = "Rules with aliases."
prefix = "FX"
modules = ["m"]

[[rule]]
code = "FX1"
name = "first"
aliases = ["OTHER101"]
message = "first"
explain = "e"
match.pattern = "m.f()"
[[rule.example]]
flagged = "import m\nm.f()\n"

[[rule]]
code = "FX2"
name = "second"
aliases = ["OTHER102", "OTHER202"]
message = "second"
explain = "e"
match.pattern = "m.g()"
[[rule.example]]
flagged = "import m\nm.g()\n"

[[rule]]
code = "FX3"
name = "third"
message = "third"
explain = "e"
match.pattern = "m.h()"
[[rule.example]]
flagged = "import m\nm.h()\n"
"#;

#[test]
fn an_alias_names_its_rule_in_selectors_suppressions_and_configuration() {
    let code = "import m\nm.f()\nm.g()\nm.h()\n";
    let dir = project(&[
        ("pack.toml", ALIASED_PACK.as_bytes()),
        ("app.py", code.as_bytes()),
    ]);
    let with = |extra: &[&str]| {
        let mut args = vec!["--no-builtin-packs", "--rulepack", "pack.toml"];
        args.extend_from_slice(extra);
        findings(&concise(dir.path(), &args))
    };
    let all = ["app.py:2:1: FX1", "app.py:3:1: FX2", "app.py:4:1: FX3"];
    assert_eq!(with(&[]), all);
    // A selector matches a rule's code or any of its aliases; an alias prefix selects the rules
    // whose aliases it starts.
    assert_eq!(with(&["--select", "OTHER101"]), ["app.py:2:1: FX1"]);
    assert_eq!(with(&["--select", "OTHER2"]), ["app.py:3:1: FX2"]);
    assert_eq!(
        with(&["--select", "OTHER"]),
        ["app.py:2:1: FX1", "app.py:3:1: FX2"]
    );
    assert_eq!(with(&["--ignore", "OTHER1"]), ["app.py:4:1: FX3"]);
    // The longest selector decides, whichever name it matches.
    assert_eq!(
        with(&["--select", "OTHER", "--ignore", "FX"]),
        ["app.py:2:1: FX1", "app.py:3:1: FX2"]
    );
    assert_eq!(
        with(&["--select", "FX3", "--extend-select", "OTHER202"]),
        ["app.py:3:1: FX2", "app.py:4:1: FX3"]
    );
    let unknown = concise(
        dir.path(),
        &[
            "--no-builtin-packs",
            "--rulepack",
            "pack.toml",
            "--select",
            "OTHER9",
        ],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no loaded rule's code or alias starts with it"),
        "{}",
        stderr(&unknown)
    );

    // `# noqa` with an alias (or an alias prefix) suppresses the rule, and is not reported as
    // unused; one that suppressed nothing is, as the rule's own code would be. Another tool's
    // code that is no rule's alias is left alone.
    let suppressed = "import m\n\
m.f()  # noqa: OTHER101\n\
m.g()  # noqa: OTHER2\n\
m.h()  # noqa: OTHER101, FX3\n\
x = 1  # noqa: OTHER103\n";
    std::fs::write(dir.path().join("app.py"), suppressed).unwrap();
    let output = concise(
        dir.path(),
        &["--no-builtin-packs", "--rulepack", "pack.toml"],
    );
    assert_eq!(
        findings(&output),
        ["app.py:4:8: NQA100"],
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("unused `noqa` directive (unused: `OTHER101`)"),
        "{}",
        stdout(&output)
    );
    // A file-level directive takes aliases too.
    std::fs::write(
        dir.path().join("app.py"),
        "# anyio-lint: noqa: OTHER101\nimport m\nm.f()\n",
    )
    .unwrap();
    assert_eq!(with(&[]), Vec::<String>::new());

    // `--add-noqa` writes the rule's own code.
    std::fs::write(dir.path().join("app.py"), code).unwrap();
    let added = run(
        dir.path(),
        &[
            "check",
            "--no-builtin-packs",
            "--rulepack",
            "pack.toml",
            "--add-noqa",
            "--select",
            "OTHER101",
        ],
    );
    assert_eq!(added.status.code(), Some(0), "{}", stderr(&added));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        "import m\nm.f()  # noqa: FX1\nm.g()\nm.h()\n"
    );

    // The configuration's selectors and per-file ignores take aliases as well.
    std::fs::write(dir.path().join("app.py"), code).unwrap();
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    std::fs::write(dir.path().join("tests/test_app.py"), code).unwrap();
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "rulepacks = [\"pack.toml\"]\nselect = [\"OTHER\", \"FX3\"]\nignore = [\"OTHER202\"]\n\n\
         [per-file-ignores]\n\"tests/*\" = [\"OTHER101\"]\n",
    )
    .unwrap();
    let output = concise(dir.path(), &["--no-builtin-packs"]);
    assert_eq!(
        findings(&output),
        [
            "app.py:2:1: FX1",
            "app.py:4:1: FX3",
            "tests/test_app.py:4:1: FX3"
        ],
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_opt_in_rule_runs_only_when_selected_explicitly() {
    // FX2 is opt-in: only a selector naming digits of its code or alias turns it on.
    let pack = ALIASED_PACK.replace(
        "aliases = [\"OTHER102\", \"OTHER202\"]\n",
        "aliases = [\"OTHER102\", \"OTHER202\"]\nopt-in = true\n",
    );
    let code = "import m\nm.f()\nm.g()\nm.h()\n";
    let dir = project(&[("pack.toml", pack.as_bytes()), ("app.py", code.as_bytes())]);
    let with = |extra: &[&str]| {
        let mut args = vec!["--no-builtin-packs", "--rulepack", "pack.toml"];
        args.extend_from_slice(extra);
        findings(&concise(dir.path(), &args))
    };
    let without = ["app.py:2:1: FX1", "app.py:4:1: FX3"];
    let with_it = ["app.py:2:1: FX1", "app.py:3:1: FX2", "app.py:4:1: FX3"];
    // The default selection, `ALL`, the pack's prefix and an alias's letters leave it off.
    assert_eq!(with(&[]), without);
    assert_eq!(with(&["--select", "ALL"]), without);
    assert_eq!(with(&["--select", "FX"]), without);
    assert_eq!(
        with(&["--select", "FX", "--extend-select", "OTHER"]),
        without
    );
    // Its code, an alias, or a prefix naming digits of either turns it on.
    assert_eq!(with(&["--extend-select", "FX2"]), with_it);
    assert_eq!(with(&["--extend-select", "OTHER202"]), with_it);
    assert_eq!(with(&["--select", "FX2"]), ["app.py:3:1: FX2"]);
    assert_eq!(
        with(&["--select", "OTHER1"]),
        ["app.py:2:1: FX1", "app.py:3:1: FX2"]
    );
    // `ignore` then decides as for any rule: the longest selector wins.
    assert_eq!(
        with(&["--select", "FX2", "--ignore", "FX"]),
        ["app.py:3:1: FX2"]
    );
    assert_eq!(
        with(&["--extend-select", "FX2", "--ignore", "OTHER102"]),
        without
    );
    // A suppression naming it where it is off is left alone (it may be on elsewhere).
    std::fs::write(
        dir.path().join("app.py"),
        "import m\nm.g()  # noqa: FX2\nm.g()  # noqa: OTHER102\n",
    )
    .unwrap();
    assert_eq!(with(&[]), Vec::<String>::new());
    // The configuration's `extend-select` turns it on as the command line does.
    std::fs::write(dir.path().join("app.py"), code).unwrap();
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        "rulepacks = [\"pack.toml\"]\nextend-select = [\"OTHER2\"]\n",
    )
    .unwrap();
    let output = concise(dir.path(), &["--no-builtin-packs"]);
    assert_eq!(findings(&output), with_it, "{}", stdout(&output));
}

/// A pack declaring an option of each kind, with a rule reading each.
const OPTIONS_PACK: &str = r#"[pack]
name = "optioned"
version = "1"
description = "Rules reading options."
prefix = "OP"
modules = ["m"]

[pack.options.slow-calls]
kind = "name-map"
description = "Slow calls, each mapped to the fast one."
default = { "m.slow" = "m.fast" }

[pack.options.allowed]
kind = "names"
description = "Functions whose name may start with `tmp`."

[[rule]]
code = "OP1"
name = "slow-call"
message = "`$F(...)` is slow"
help = "call $FAST"
explain = "e"
match.pattern = "$F($$$ARGS)"
match.qualified = { option = "slow-calls", text = "FAST" }
[[rule.example]]
flagged = "import m\nm.slow()\n"

[[rule]]
code = "OP2"
name = "temporary-function"
message = "`$F` looks temporary"
explain = "e"
match.pattern = "def $F($$$P): $$$B"
match.F.regex = "^tmp"
match.F.not.qualified = { option = "allowed" }
[[rule.example]]
flagged = "def tmp_x():\n    pass\n"
"#;

#[test]
fn pack_options_are_set_per_pack_and_checked_against_the_packs() {
    let code = "import m\nfrom other import api as remote\n\nm.slow()\nremote.call()\nclient.fetch()\n\ndef tmp_a():\n    pass\n\ndef tmp_b():\n    pass\n";
    let config =
        |options: &str| format!("rulepacks = [\"pack.toml\"]\n\n[options.optioned]\n{options}\n");
    let dir = project(&[
        ("pack.toml", OPTIONS_PACK.as_bytes()),
        ("app.py", code.as_bytes()),
        ("anyio-lint.toml", config("").as_bytes()),
    ]);
    let check = || concise(dir.path(), &["--no-builtin-packs"]);
    // The defaults: `m.slow` only, no function allowed.
    let output = check();
    assert_eq!(
        findings(&output),
        ["app.py:4:1: OP1", "app.py:8:1: OP2", "app.py:11:1: OP2"],
        "{}",
        stdout(&output)
    );
    // A value replaces the default; a name matches by qualified name or as spelled.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        config(
            "slow-calls = { \"other.api.*\" = \"other.fast_api\", \"*.fetch\" = \"client.get\" }\n\
             allowed = [\"tmp_a\"]",
        ),
    )
    .unwrap();
    let output = check();
    assert_eq!(
        findings(&output),
        ["app.py:5:1: OP1", "app.py:6:1: OP1", "app.py:11:1: OP2"],
        "{}",
        stdout(&output)
    );
    let text = stdout(&run(
        dir.path(),
        &["check", "--no-builtin-packs", "--output-format", "full"],
    ));
    assert!(
        text.contains("help: call other.fast_api") && text.contains("help: call client.get"),
        "{text}"
    );
    let settings = stdout(&run(
        dir.path(),
        &["check", "--no-builtin-packs", "--show-settings", "app.py"],
    ));
    let canonical = std::fs::canonicalize(dir.path()).unwrap();
    let file = canonical.join("anyio-lint.toml").display().to_string();
    let expected = format!(
        "options              optioned.allowed = [\"tmp_a\"]  from {file}: options.optioned.allowed\n\
         options              optioned.slow-calls = [\"other.api.*\" = \"other.fast_api\", \"*.fetch\" = \"client.get\"]  from {file}: options.optioned.slow-calls\n"
    );
    assert!(
        settings.contains(&expected),
        "{expected}not in:\n{settings}"
    );
    // An empty value turns off the rule matching names against it.
    std::fs::write(
        dir.path().join("anyio-lint.toml"),
        config("slow-calls = {}"),
    )
    .unwrap();
    assert_eq!(findings(&check()), ["app.py:8:1: OP2", "app.py:11:1: OP2"]);
    // Mistakes stop the run at their line.
    let cases = [
        (
            config("fast = []"),
            "anyio-lint.toml:4:8",
            "the pack `optioned` has no option `fast`",
        ),
        (
            config("allowed = { \"a\" = \"b\" }"),
            "anyio-lint.toml:4:11",
            "`allowed` is a `names` option",
        ),
        (
            config("slow-calls = { m.slow = \"m.fast\" }"),
            "anyio-lint.toml:4:25",
            "the value of `m` is a table",
        ),
        (
            "rulepacks = [\"pack.toml\"]\n\n[options.other]\nx = []\n".to_owned(),
            "anyio-lint.toml:3:10",
            "no loaded pack is named `other`",
        ),
        (
            "rulepacks = [\"pack.toml\"]\n\n[options]\nallowed = [\"x\"]\n".to_owned(),
            "anyio-lint.toml:4:1",
            "`allowed` is an option of `optioned`, set in `[tool.anyio-lint.options.optioned]`",
        ),
    ];
    for (text, location, message) in cases {
        std::fs::write(dir.path().join("anyio-lint.toml"), text).unwrap();
        let output = check();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(message), "expected `{message}` in:\n{err}");
        assert!(
            err.contains(&format!("/{location}\n")),
            "expected `{location}` in:\n{err}"
        );
    }
}

#[test]
fn add_noqa_drops_the_stale_codes_of_a_directive_it_adds_to() {
    let code = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)  # noqa: AIO302, AIO999, E501\n    await asyncio.sleep(2)  # noqa: AIO302  explained\n    await asyncio.sleep(3)  # noqa: AIO302\n";
    let dir = project(&[("app.py", code.as_bytes())]);
    let before = concise(dir.path(), &["--select", "ALL"]);
    assert!(
        stdout(&before).contains("app.py:4:29: NQA100"),
        "{}",
        stdout(&before)
    );
    // Whether the unused-suppression rule is enabled or not, the codes it would report go.
    for ignore in [&["--ignore", "NQA100"][..], &[]] {
        std::fs::write(dir.path().join("app.py"), code).unwrap();
        let args = [&["check", "--add-noqa", "app.py"][..], ignore].concat();
        let output = run(dir.path(), &args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("Added 3 noqa directives in 1 file."),
            "{}",
            stderr(&output)
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
            "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)  # noqa: E501, AIO101\n    await asyncio.sleep(2)  # noqa: AIO101  explained\n    await asyncio.sleep(3)  # noqa: AIO101\n"
        );
        // The next check, with the unused-suppression rule, reports nothing.
        let after = concise(dir.path(), &["--select", "ALL"]);
        assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
        assert_eq!(stdout(&after), "All checks passed!\n");
    }
}

#[test]
fn add_noqa_cleans_stale_directives_on_lines_without_findings() {
    let code = "import asyncio\nx = 1  # noqa: AIO101\ny = 2  # noqa: AIO101, E501\n# anyio-lint: noqa: AIO302\nasyncio.sleep(1)  # noqa: AIO999\n";
    let dir = project(&[("app.py", code.as_bytes())]);
    let before = concise(dir.path(), &[]);
    assert!(
        stdout(&before).contains("app.py:2:8: NQA100"),
        "{}",
        stdout(&before)
    );
    let output = run(dir.path(), &["check", "--add-noqa", "app.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "Added 1 noqa directive and removed the unused codes of 3 directives in 1 file.\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        "import asyncio\nx = 1\ny = 2  # noqa: E501\nasyncio.sleep(1)  # noqa: AIO101\n"
    );
    // Adopted in one commit: the next check reports nothing.
    let after = concise(dir.path(), &[]);
    assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
    assert_eq!(stdout(&after), "All checks passed!\n");
    // With the unused-suppression rule off, the directives it would report stay.
    let stale_only = "x = 1  # noqa: AIO101\n";
    std::fs::write(dir.path().join("app.py"), stale_only).unwrap();
    let output = run(
        dir.path(),
        &["check", "--add-noqa", "--ignore", "NQA100", "app.py"],
    );
    assert_eq!(stderr(&output), "Added 0 noqa directives in 0 files.\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        stale_only
    );
}
