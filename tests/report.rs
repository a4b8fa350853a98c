//! End to end: `anyio-lint report` in its three formats. The HTML page is rendered in a real
//! headless Chromium (Debian's `chromium`; `.ci/run` installs it), which measures every progress
//! bar: the drawn width must be the percentage the report states.

mod common;

use std::path::Path;
use std::process::Command;

use common::{project, run, stdout};

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
        text.contains("**2** of **4** files that take part in the migration are migrated (50%): they import `anyio` and none of `asyncio`, `pytest_asyncio`. **2** files still import one of `asyncio`, `pytest_asyncio`. 5 files scanned."),
        "{text}"
    );
    assert!(
        text.contains("| `src/api` | 1 | 0 | ██████████ 100% |"),
        "{text}"
    );
    assert!(
        text.contains("| `src/core` | 1 | 2 | ███░░░░░░░ 33% |"),
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
        deeper.contains("| `src/core/deep` | 0 | 1 | ░░░░░░░░░░ 0% |"),
        "{deeper}"
    );
    assert!(
        deeper.contains("| `src/core` | 1 | 1 | █████░░░░░ 50% |"),
        "{deeper}"
    );
}

#[test]
fn json_report_follows_the_documented_schema() {
    let dir = fixture();
    let value: serde_json::Value =
        serde_json::from_str(&report(dir.path(), &["--isolated", "--format", "json"])).unwrap();
    assert_eq!(value["schema_version"], 1);
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
fn html_report_renders_its_progress_bars_in_a_real_browser() {
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
    // The test's own script measures what the browser drew.
    let measure = "<script>document.querySelectorAll('.bar').forEach(function (bar) {\
        var done = bar.querySelector('.done');\
        bar.setAttribute('data-measured', Math.round(100 * done.getBoundingClientRect().width / bar.clientWidth));\
        });</script></body>";
    let probe = dir.path().join("probe.html");
    std::fs::write(&probe, html.replace("</body>", measure)).unwrap();
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
        .expect("a headless Chromium (Debian: apt-get install chromium; .ci/run installs it)");
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1200,900",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", probe.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let bars: Vec<(u32, u32)> = dom
        .split("class=\"bar")
        .skip(1)
        .map(|rest| {
            let attribute = |name: &str| -> u32 {
                let start = rest.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                rest[start..].split('"').next().unwrap().parse().unwrap()
            };
            (attribute("data-percent"), attribute("data-measured"))
        })
        .collect();
    // The total, src/api, src/core, src/core/deep.
    assert_eq!(bars.len(), 4, "{dom}");
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
