//! The paths a run is given: each must exist (else a usage error, before anything is checked or
//! written), standard input goes alone, and a file reached through several paths (symlinks,
//! overlapping or repeated arguments) is checked, fixed and counted once, under one path.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Output;

use common::{findings, project, run, run_stdin, stderr, stdout};

const SLEEP: &str = "import asyncio\n\nasync def f():\n    await asyncio.sleep(1)\n";
const FIXED: &str = "import anyio\n\nasync def f():\n    await anyio.sleep(1)\n";

/// `pkg/mod.py`, also reachable as `alias/mod.py` (a symlinked directory) and as `top.py` (a
/// symlinked file), with AIO101 ignored on the paths matching `ignored`.
fn linked_project(ignored: &str) -> tempfile::TempDir {
    let config = format!("[tool.anyio-lint.per-file-ignores]\n\"{ignored}\" = [\"AIO101\"]\n");
    let dir = project(&[
        ("pyproject.toml", config.as_bytes()),
        ("pkg/mod.py", SLEEP.as_bytes()),
    ]);
    symlink("pkg", dir.path().join("alias")).expect("symlink");
    symlink("pkg/mod.py", dir.path().join("top.py")).expect("symlink");
    dir
}

fn concise(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--output-format", "concise"];
    args.extend(extra);
    run(dir, &args)
}

#[test]
fn a_file_reached_through_symlinks_is_checked_and_fixed_once_under_its_own_path() {
    // AIO101 is ignored on the symlinked paths only: the file's own path decides, every run.
    for _ in 0..3 {
        let dir = linked_project("alias/*");
        let output = concise(dir.path(), &[]);
        assert_eq!(
            findings(&output),
            ["pkg/mod.py:4:11: AIO101"],
            "{}",
            stdout(&output)
        );
        assert!(
            stdout(&output).contains("Found 1 warning."),
            "{}",
            stdout(&output)
        );
        let fixed = concise(dir.path(), &["--fix"]);
        assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
        assert!(
            stdout(&fixed).contains("Found 1 finding (1 fixed, 0 remaining)."),
            "{}",
            stdout(&fixed)
        );
        let real = dir.path().join("pkg/mod.py");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), FIXED);
        let top = dir.path().join("top.py");
        assert!(top.symlink_metadata().unwrap().file_type().is_symlink());
    }
    // AIO101 ignored on the file's own path: ignored however the file is reached.
    let dir = linked_project("pkg/*");
    let output = concise(dir.path(), &[]);
    assert_eq!(
        findings(&output),
        ["pkg/mod.py:4:11: AIO901"],
        "{}",
        stdout(&output)
    );
    // Named directly, through both links, twice and inside a named directory: still once.
    let output = concise(
        dir.path(),
        &["alias", "top.py", "pkg", "./pkg/mod.py", "pkg/mod.py", "."],
    );
    assert_eq!(
        findings(&output),
        ["pkg/mod.py:4:11: AIO901"],
        "{}",
        stdout(&output)
    );
}

/// A usage error: exit 2, a message on standard error naming `named`, nothing on standard
/// output.
fn assert_usage_error(output: &Output, named: &str, args: &[&str]) {
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}\n{}{}",
        stdout(output),
        stderr(output)
    );
    assert_eq!(stdout(output), "", "{args:?}");
    assert!(
        stderr(output).starts_with("error: ") && stderr(output).contains(named),
        "{args:?}\n{}",
        stderr(output)
    );
}

#[test]
fn a_missing_path_is_a_usage_error_and_nothing_is_checked() {
    let dir = project(&[("a.py", SLEEP.as_bytes())]);
    let cases: &[&[&str]] = &[
        &["check", "missing.py"],
        &["check", "--exit-zero", "missing.py"],
        &["check", "--output-format", "json", "a.py", "missing.py"],
        &["check", "--fix", "a.py", "missing"],
        &["report", "missing"],
        &["report", "--format", "json", "a.py", "missing"],
        &["docs", "--check", "missing"],
        &["parse-only", "missing"],
    ];
    for args in cases {
        assert_usage_error(&run(dir.path(), args), "missing", args);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        SLEEP
    );
    // A dangling symlink named on the command line is missing too.
    symlink("gone.py", dir.path().join("dangling.py")).unwrap();
    let args = ["check", "dangling.py"];
    assert_usage_error(&run(dir.path(), &args), "dangling.py", &args);
}

#[test]
fn standard_input_cannot_be_checked_with_other_paths() {
    let dir = project(&[("a.py", SLEEP.as_bytes())]);
    for args in [["check", "-", "a.py"], ["check", "a.py", "-"]] {
        let output = run_stdin(dir.path(), &args, SLEEP.as_bytes());
        assert_usage_error(&output, "standard input", &args);
    }
    let alone = run_stdin(dir.path(), &["check", "-"], SLEEP.as_bytes());
    assert_eq!(alone.status.code(), Some(1), "{}", stderr(&alone));
}

#[test]
fn output_that_cannot_be_written_does_not_end_the_run_in_a_panic() {
    let full = || std::fs::File::create("/dev/full");
    if full().is_err() {
        eprintln!("skipped: /dev/full is not available");
        return;
    }
    let dir = project(&[("a.py", b"import asyncio\nasyncio.run(main())\n")]);
    let status = |args: &[&str]| {
        common::bin()
            .current_dir(dir.path())
            .args(args)
            .stdout(full().unwrap())
            .stderr(full().unwrap())
            .status()
            .expect("the binary runs")
            .code()
    };
    assert_eq!(status(&["check", "--isolated", "missing.py"]), Some(2));
    assert_eq!(status(&["check", "--isolated", "a.py"]), Some(1));
    assert_eq!(status(&["rules"]), Some(0));
    assert_eq!(status(&["rule", "AIO201"]), Some(0));
}
