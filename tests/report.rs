//! End to end: `anyio-lint report` in its three formats. The HTML page is laid out by
//! WeasyPrint, a CSS layout engine (pinned, from PyPI, in a virtual environment under Cargo's
//! target directory; it needs the Pango library), which measures every progress bar: the drawn
//! width must be the percentage the report states (`tests/report/measure_bars.py`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{must_succeed, project, run, stdout, venv};

/// WeasyPrint and everything it imports, pinned.
const LAYOUT: &[&str] = &[
    "weasyprint==70.0",
    "pydyf==0.13.0",
    "cffi==2.1.1",
    "pycparser==3.12",
    "tinycss2==1.5.1",
    "cssselect2==0.10.1",
    "tinyhtml5==2.1.0",
    "webencodings==0.6.1",
    "pyphen==0.18.1",
    "fonttools==4.69.1",
    "brotli==1.2.1",
    "zopfli==0.4.3",
    "pillow==13.0.0",
];

fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| venv("layout-venv", LAYOUT).join("bin").join("python"))
}

fn fixture() -> tempfile::TempDir {
    project(&[
        // src/core: one migrated, one remaining; src/core/deep: remaining; docs: outside.
        (
            "src/core/done.py",
            b"import anyio\n\nasync def main():\n    await anyio.sleep(1)\n",
        ),
        (
            "src/core/todo.py",
            b"import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n    loop = asyncio.get_running_loop()\n",
        ),
        (
            "src/core/deep/more.py",
            b"import asyncio\nlock = asyncio.Lock()\n",
        ),
        ("src/api/ok.py", b"from anyio import to_thread\n"),
        ("docs/conf.py", b"project = 'x'\n"),
    ])
}

fn report(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    let output = run(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    stdout(&output)
}

#[test]
fn markdown_report_counts_files_findings_and_manual_items() {
    let dir = fixture();
    let text = report(dir.path(), &["--isolated"]);
    assert!(
        text.contains("**2** of **4** files that take part in the migration are migrated (50%): they import `anyio` and none of `asyncio`, `pytest_asyncio`, and hold nothing that fails at run time. **0** files import `anyio` but still hold code that fails at run time (their findings are below). **2** files still import one of `asyncio`, `pytest_asyncio`. 5 files scanned."),
        "{text}"
    );
    assert!(
        text.contains("| `src/api` | 1 | 0 | 0 | ██████████ 100% |"),
        "{text}"
    );
    assert!(
        text.contains("| `src/core` | 1 | 0 | 2 | ███░░░░░░░ 33% |"),
        "{text}"
    );
    assert!(
        text.contains("| AIO101 | asyncio-sleep | 1 | safe |"),
        "{text}"
    );
    assert!(
        text.contains("- [ ] `src/core/todo.py:5:12` AIO901:"),
        "{text}"
    );
    // Depth 3 separates src/core/deep.
    let deeper = report(dir.path(), &["--isolated", "--depth", "3"]);
    assert!(
        deeper.contains("| `src/core/deep` | 0 | 0 | 1 | ░░░░░░░░░░ 0% |"),
        "{deeper}"
    );
    assert!(
        deeper.contains("| `src/core` | 1 | 0 | 1 | █████░░░░░ 50% |"),
        "{deeper}"
    );
}

#[test]
fn a_migrated_file_holding_code_that_fails_at_run_time_is_broken_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("done.py"),
        "import anyio\n\nasync def main():\n    await anyio.sleep(1)\n",
    )
    .unwrap();
    // `anyio.run` wants the function: this raises a TypeError when it runs.
    std::fs::write(
        dir.path().join("broken.py"),
        "import anyio\n\nasync def main():\n    pass\n\nanyio.run(main())\n",
    )
    .unwrap();
    let value: serde_json::Value =
        serde_json::from_str(&report(dir.path(), &["--isolated", "--format", "json"])).unwrap();
    assert_eq!(value["files_migrated"], 1);
    assert_eq!(value["files_broken"], 1);
    assert_eq!(value["directories"][0]["percent"], 50);
    let text = report(dir.path(), &["--isolated", "--format", "md"]);
    assert!(
        text.contains("**1** of **2** files that take part in the migration are migrated (50%)"),
        "{text}"
    );
}

#[test]
fn json_report_follows_the_documented_schema() {
    let dir = fixture();
    let value: serde_json::Value =
        serde_json::from_str(&report(dir.path(), &["--isolated", "--format", "json"])).unwrap();
    assert_eq!(value["schema_version"], 2);
    assert_eq!(value["files_broken"], 0);
    assert_eq!(
        value["migrates_from"],
        serde_json::json!(["asyncio", "pytest_asyncio"])
    );
    assert_eq!(value["migrates_to"], serde_json::json!(["anyio"]));
    assert_eq!(value["files_scanned"], 5);
    assert_eq!(value["files_migrated"], 2);
    assert_eq!(value["files_remaining"], 2);
    let findings = value["findings"].as_u64().unwrap();
    let parts = ["fixable_safely", "fixable_unsafely", "manual"]
        .iter()
        .map(|k| value[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(findings, parts);
    let by_rule: u64 = value["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(findings, by_rule);
    let directories = value["directories"].as_array().unwrap();
    assert_eq!(directories.len(), 2, "{directories:?}");
    assert_eq!(directories[1]["directory"], "src/core");
    assert_eq!(directories[1]["percent"], 33);
    let item = &value["manual_items"][0];
    for key in ["path", "line", "column", "code", "message", "help"] {
        assert!(!item[key].is_null(), "{key} in {item}");
    }
}

#[test]
fn html_report_renders_its_progress_bars_at_their_stated_widths() {
    let dir = fixture();
    let page = dir.path().join("report.html");
    report(
        dir.path(),
        &[
            "--isolated",
            "--format",
            "html",
            "--depth",
            "3",
            "-o",
            "report.html",
        ],
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["src=", "href=", "<link", "<script"] {
        assert!(
            !html.contains(external),
            "the page is self-contained: {external}"
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/report/measure_bars.py");
    let output = must_succeed(
        Command::new(python()).arg(script).arg(&page),
        "laying out the HTML report with WeasyPrint",
    );
    let measured = String::from_utf8_lossy(&output.stdout);
    let bars: Vec<(u32, u32)> = measured
        .lines()
        .map(|line| {
            let (stated, drawn) = line.split_once(' ').expect("`STATED DRAWN`");
            (stated.parse().unwrap(), drawn.parse().unwrap())
        })
        .collect();
    // The total, src/api, src/core, src/core/deep.
    assert_eq!(bars.len(), 4, "{measured}");
    for (stated, drawn) in &bars {
        assert!(
            stated.abs_diff(*drawn) <= 1,
            "stated {stated}% drawn {drawn}%: {bars:?}"
        );
    }
    assert_eq!(
        bars.iter().map(|b| b.0).collect::<Vec<_>>(),
        [50, 100, 50, 0]
    );
}

#[test]
fn the_documented_report_of_the_example_project_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let current = report(root, &["pyproject-example"]);
    let doc = std::fs::read_to_string(root.join("docs/report.md")).unwrap();
    let embedded = doc
        .split("<!-- report:start -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- report:end -->").next())
        .expect("docs/report.md has the report markers");
    assert_eq!(
        embedded, current,
        "docs/report.md is stale: paste `anyio-lint report pyproject-example` between the markers"
    );
}

#[test]
fn the_format_is_chosen_by_output_format_or_format_and_md_is_markdown() {
    let dir = fixture();
    let markdown = report(dir.path(), &["--isolated"]);
    assert!(markdown.starts_with("# Migration report\n"), "{markdown}");
    for args in [
        &["--output-format", "md"][..],
        &["--output-format", "markdown"],
        &["--format", "md"],
        &["--format=markdown"],
    ] {
        let args = [&["--isolated"][..], args].concat();
        assert_eq!(report(dir.path(), &args), markdown, "{args:?}");
    }
    let json = report(dir.path(), &["--isolated", "--output-format", "json"]);
    assert_eq!(
        report(dir.path(), &["--isolated", "--format", "json"]),
        json
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["files_scanned"], 5, "{value}");
    let html = report(dir.path(), &["--isolated", "--output-format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    // The help names the values; an unknown one is refused with them.
    let help = stdout(&run(dir.path(), &["report", "--help"]));
    assert!(
        help.contains("--output-format <OUTPUT_FORMAT>") && help.contains("[alias: --format]"),
        "{help}"
    );
    assert!(help.contains("[possible values: md, json, html]"), "{help}");
    let output = run(dir.path(), &["report", "--output-format", "txt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains("[possible values: md, json, html]"),
        "{}",
        common::stderr(&output)
    );
}

#[test]
fn the_counts_of_one_are_in_the_singular() {
    let dir = project(&[("one.py", b"import asyncio\nasyncio.Lock()\n")]);
    let text = report(dir.path(), &["--isolated"]);
    assert!(
        text.contains("**0** files import `anyio` but still hold code that fails at run time (their findings are below). **1** file still imports one of `asyncio`, `pytest_asyncio`. 1 file scanned.\n\n1 finding: 0 fixable by `--fix`, 1 by `--fix --unsafe-fixes`, 0 by hand."),
        "{text}"
    );
}

#[test]
fn a_report_with_no_file_in_the_migration_says_so() {
    let notebook = br#"{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    let dir = common::project(&[("nb.ipynb", notebook), ("plain.py", b"x = 1\n")]);
    let output = common::run(dir.path(), &["report", "--isolated", "nb.ipynb"]);
    assert_eq!(output.status.code(), Some(0));
    let text = common::stdout(&output);
    assert!(
        text.starts_with("# Migration report\n\nNo files to report on: no file was scanned.\n"),
        "{text}"
    );
    assert!(!text.contains("(100%)"), "{text}");
    assert!(
        common::stderr(&output).starts_with("warning: nb.ipynb is skipped, not checked"),
        "{}",
        common::stderr(&output)
    );
    let text = report(dir.path(), &["--isolated", "plain.py"]);
    assert!(
        text.contains("No files to report on: no file imports any of `asyncio`, `pytest_asyncio`, `anyio` (1 file scanned).\n"),
        "{text}"
    );
    let page = report(dir.path(), &["--isolated", "--format", "html", "plain.py"]);
    assert!(
        page.contains("<p class=\"summary\">No files to report on: no file imports any of <code>asyncio</code>"),
        "{page}"
    );
}
