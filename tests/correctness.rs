//! Rules proven by running them: each program in `tests/correctness/programs/` shows the bug a
//! rule finds. As written, it misbehaves the same way on anyio's asyncio and trio backends (hangs,
//! swallows a cancellation, loses an error) and the rule reports it at the lines its directive
//! names. Fixed by `check --fix --unsafe-fixes`, or for a rule without a fix replaced by its
//! corrected form beside it (`NAME.corrected.py`), it behaves on both backends and the rule
//! reports nothing. Every rule ported from flake8-async is demonstrated, or listed in
//! [`NOT_DEMONSTRATED`] with the reason it has no program.
//!
//! The programs run in the virtual environment of `tests/behaviour.rs` (pinned anyio and trio
//! from PyPI), made once under Cargo's target directory.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The backends every program runs on.
const BACKENDS: [&str; 2] = ["asyncio", "trio"];

/// How many programs are checked at once (each runs on both backends at once).
const WORKERS: usize = 3;

/// A program still running this long after it started is killed: the watchdog of `run.py`
/// stops a hung program after two seconds, and this catches a watchdog that failed.
const HARD_LIMIT: Duration = Duration::from_secs(20);

/// Rules ported from flake8-async that no program here shows, with the reason.
const NOT_DEMONSTRATED: &[(&str, &str)] = &[
    (
        "ASY109",
        "a `timeout` parameter works as written; the rule asks for the caller's cancel scope instead, a matter of design",
    ),
    (
        "ASY114",
        "a finding about the project's configuration: the behaviour it protects is ASY113's, which its program shows",
    ),
    (
        "ASY115",
        "`anyio.sleep(0)` is a checkpoint, as `anyio.lowlevel.checkpoint()` is: the fix changes no behaviour",
    ),
    (
        "ASY116",
        "a sleep longer than a day differs from `anyio.sleep_forever()` only after that day",
    ),
    (
        "ASY124",
        "an async function that never awaits behaves as the plain function would; only its cost and its callers' syntax differ",
    ),
    (
        "ASY200",
        "it reports the blocking calls the project names; the blocking itself is ASY251's program (`time.sleep`)",
    ),
    (
        "ASY211",
        "the blocking request of ASY210's program, made with urllib3, which the test environment does not install",
    ),
    (
        "ASY212",
        "the blocking request of ASY210's program, made with httpx, which the test environment does not install",
    ),
    (
        "ASY220",
        "starting a process blocks only while it forks; waiting for it is what blocks for long, as ASY221's and ASY222's programs show",
    ),
    (
        "ASY240",
        "a local file system answers at once: the blocking shows only on a slow or network file system",
    ),
    (
        "ASY300",
        "`asyncio.create_task` is asyncio's own, which a program on the trio backend cannot call, and whether the unkept task is lost depends on when the garbage collector runs",
    ),
    (
        "ASY401",
        "a test's check that passes too easily: what changes is which mistakes the test suite catches, not what a program does",
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(common::backends_python)
}

/// What a program's leading `# anyio-lint-test: key = value` lines (TOML) say.
#[derive(Debug)]
struct Directives {
    /// `findings = ["CODE:LINE", …]`: what `check --select` with those codes reports on the
    /// program as written, sorted.
    findings: Vec<String>,
    /// `before = [lines]`: the program's output as written, on either backend.
    before: Vec<String>,
    /// `after = [lines]`: its output once fixed (or corrected), on either backend.
    after: Vec<String>,
}

fn directives(name: &str, program: &str) -> Result<Directives, String> {
    let lines: Vec<&str> = program
        .lines()
        .map_while(|line| line.strip_prefix("# anyio-lint-test:"))
        .collect();
    let mut table: toml::Table = lines
        .join("\n")
        .parse()
        .map_err(|e| format!("{name}: its `# anyio-lint-test:` lines are not TOML: {e}"))?;
    let mut strings = |key: &str| -> Result<Vec<String>, String> {
        let value = table
            .remove(key)
            .ok_or_else(|| format!("{name}: no `{key}` directive"))?;
        value
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| format!("{name}: `{key}` takes a list of strings, not {value}"))
    };
    let mut findings = strings("findings")?;
    let before = strings("before")?;
    let after = strings("after")?;
    if let Some(key) = table.keys().next() {
        return Err(format!(
            "{name}: unknown directive `{key}` (findings, before, after)"
        ));
    }
    if findings.is_empty() || findings.iter().any(|f| !is_finding(f)) {
        return Err(format!(
            "{name}: `findings` takes one or more \"CODE:LINE\", not {findings:?}"
        ));
    }
    if before == after {
        return Err(format!(
            "{name}: `before` and `after` are the same: the program shows no misbehaviour"
        ));
    }
    findings.sort();
    Ok(Directives {
        findings,
        before,
        after,
    })
}

fn is_finding(text: &str) -> bool {
    text.split_once(':')
        .is_some_and(|(code, line)| !code.is_empty() && line.parse::<u64>().is_ok())
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    common::run(dir, args)
}

/// The findings of `check --select SELECT` on `name` in `dir`, as sorted `CODE:LINE`, and
/// whether each offers a fix.
fn findings(dir: &Path, name: &str, select: &str) -> Result<Vec<(String, bool)>, String> {
    let output = lint(
        dir,
        &["check", "--output-format", "json", "--select", select, name],
    );
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{name}: check printed no JSON ({e}):\n{}",
            common::stderr(&output)
        )
    })?;
    let mut found: Vec<(String, bool)> = items
        .iter()
        .map(|f| {
            let code = f["code"].as_str().unwrap_or_default();
            let row = f["location"]["row"].as_u64().unwrap_or_default();
            (format!("{code}:{row}"), !f["fix"].is_null())
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Run `program` on `backend` with `run.py`; its output lines, or what went wrong.
fn run_program(program: &Path, backend: &str) -> Result<Vec<String>, String> {
    let mut child = Command::new(python())
        .arg(root().join("tests/correctness/run.py"))
        .arg(backend)
        .arg(program)
        .current_dir(program.parent().expect("in a directory"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", python().display()))?;
    let started = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if started.elapsed() > HARD_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "still running after {HARD_LIMIT:?}, past its watchdog: killed"
            ));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "run.py failed ({}):\n{}{}",
            output.status,
            common::stdout(&output),
            common::stderr(&output)
        ));
    }
    Ok(common::stdout(&output).lines().map(str::to_owned).collect())
}

/// Run `program` on both backends at once; each must print `expected`.
fn expect_output(program: &Path, expected: &[String], what: &str) -> Result<(), String> {
    let outputs: Vec<Result<Vec<String>, String>> = std::thread::scope(|scope| {
        let runs: Vec<_> = BACKENDS
            .iter()
            .map(|backend| scope.spawn(move || run_program(program, backend)))
            .collect();
        runs.into_iter().map(|run| run.join().unwrap()).collect()
    });
    for (backend, output) in BACKENDS.iter().zip(outputs) {
        let got = output.map_err(|e| format!("{what} on {backend}: {e}"))?;
        if got != expected {
            let source = std::fs::read_to_string(program).unwrap_or_default();
            return Err(format!(
                "{what} on {backend} printed\n{got:#?}\nnot\n{expected:#?}\n--- program ---\n{source}"
            ));
        }
    }
    Ok(())
}

/// Check one program; the codes it demonstrates.
fn check_case(path: &Path) -> Result<BTreeSet<String>, String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let source = std::fs::read_to_string(path).unwrap();
    let expected = directives(&name, &source)?;
    let codes: BTreeSet<String> = expected
        .findings
        .iter()
        .filter_map(|f| f.split_once(':').map(|(code, _)| code.to_owned()))
        .collect();
    let select = codes.iter().cloned().collect::<Vec<_>>().join(",");

    let dir = tempfile::tempdir().unwrap();
    let config = "[versions]\nanyio = \"4.16\"\npython = \"3.11\"\n";
    std::fs::write(dir.path().join("anyio-lint.toml"), config).unwrap();
    let program = dir.path().join(&name);
    std::fs::write(&program, &source).unwrap();

    expect_output(&program, &expected.before, &format!("{name} as written"))?;
    let found = findings(dir.path(), &name, &select)?;
    let reported: Vec<&String> = found.iter().map(|(finding, _)| finding).collect();
    if reported != expected.findings.iter().collect::<Vec<_>>() {
        return Err(format!(
            "{name}: `check --select {select}` reports {reported:?}, not {:?}",
            expected.findings
        ));
    }

    let stem = name.strip_suffix(".py").unwrap_or(&name);
    let corrected = path.with_file_name(format!("{stem}.corrected.py"));
    let (after, what) = if corrected.exists() {
        if found.iter().any(|(_, fixable)| *fixable) {
            return Err(format!(
                "{name}: {select} offers a fix here; demonstrate the fix, not a corrected copy"
            ));
        }
        let corrected_dir = dir.path().join("corrected");
        std::fs::create_dir(&corrected_dir).unwrap();
        let copy = corrected_dir.join(&name);
        std::fs::copy(&corrected, &copy).unwrap();
        let left = findings(&corrected_dir, &name, &select)?;
        if !left.is_empty() {
            return Err(format!(
                "{name}: its corrected form is still reported: {left:?}"
            ));
        }
        (copy, "corrected")
    } else {
        if found.iter().any(|(_, fixable)| !fixable) {
            return Err(format!(
                "{name}: {select} offers no fix here; add its corrected form as {}",
                corrected.file_name().unwrap().to_string_lossy()
            ));
        }
        let fixed = lint(
            dir.path(),
            &[
                "check",
                "--fix",
                "--unsafe-fixes",
                "--select",
                &select,
                &name,
            ],
        );
        let text = std::fs::read_to_string(&program).unwrap();
        if !fixed.status.success() {
            return Err(format!(
                "{name}: findings remain after --fix --unsafe-fixes --select {select} (exit {}):\n{}{}\n--- fixed ---\n{text}",
                fixed.status,
                common::stdout(&fixed),
                common::stderr(&fixed)
            ));
        }
        (program, "fixed")
    };
    expect_output(&after, &expected.after, &format!("{name} {what}"))?;
    Ok(codes)
}

#[test]
fn each_program_misbehaves_as_written_and_behaves_once_fixed_on_both_backends() {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/correctness/programs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.ends_with(".py") && !name.ends_with(".corrected.py")
        })
        .collect();
    programs.sort();
    python();
    // A hung program waits out its watchdog, so more programs run at once than there are cores.
    let results = common::run_programs(&programs, WORKERS, check_case);
    common::assert_programs_pass(&results);

    // Every rule ported from flake8-async (it carries an `ASYNC` alias) is demonstrated, or
    // listed with the reason it cannot be.
    let demonstrated: BTreeSet<String> = results.into_iter().flat_map(Result::unwrap).collect();
    let listing = lint(&root(), &["rules", "--output-format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&listing.stdout).unwrap();
    let ported: BTreeMap<&str, &serde_json::Value> = rules
        .iter()
        .filter(|r| {
            r["aliases"].as_array().is_some_and(|aliases| {
                aliases
                    .iter()
                    .any(|a| a.as_str().is_some_and(|a| a.starts_with("ASYNC")))
            })
        })
        .filter_map(|r| Some((r["code"].as_str()?, r)))
        .collect();
    let missing: Vec<&str> = ported
        .keys()
        .copied()
        .filter(|code| {
            !demonstrated.contains(*code) && !NOT_DEMONSTRATED.iter().any(|(c, _)| c == code)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "rules ported from flake8-async with no program: {missing:?}"
    );
    // docs/robustness.md lists every program.
    let docs = std::fs::read_to_string(root().join("docs/robustness.md")).unwrap();
    let unlisted: Vec<String> = programs
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|stem| !docs.contains(&format!("| `{stem}` |")))
        .collect();
    assert!(
        unlisted.is_empty(),
        "programs missing from the table in docs/robustness.md: {unlisted:?}"
    );
    let stale: Vec<&str> = NOT_DEMONSTRATED
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| !ported.contains_key(code) || demonstrated.contains(*code))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as not demonstrated, but unknown or demonstrated: {stale:?}"
    );
}
