//! Helpers shared by the end-to-end tests: run the binary, build throwaway projects, compare
//! texts with snapshot files.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod snapshot;

pub(crate) use snapshot::assert_exact_snapshot;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_anyio-lint"));
    command.env("NO_COLOR", "1");
    command
}

pub fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Run with `input` on standard input.
pub fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input)
        .expect("stdin written");
    child.wait_with_output().expect("the binary ends")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A temporary directory holding `files` (paths relative to it).
pub fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("directories");
        std::fs::write(path, content).expect("file written");
    }
    dir
}

/// The concise findings of a run as `path:row:col: CODE` (messages dropped).
pub fn findings(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter(|l| l.contains(": ") && !l.starts_with("Found"))
        .filter_map(|l| {
            let (location, rest) = l.split_once(": ")?;
            Some(format!("{location}: {}", rest.split_whitespace().next()?))
        })
        .collect()
}

/// A virtual environment under Cargo's target directory holding exactly `requirements` (pinned,
/// from PyPI), created on first use and rebuilt when the requirements change. Returns its
/// directory. Callers create it once per test binary (behind a `OnceLock`).
pub fn venv(name: &str, requirements: &[&str]) -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let python = venv.join("bin").join("python");
    let marker = venv.join("requirements.txt");
    let wanted = requirements.join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return venv;
    }
    let _ = std::fs::remove_dir_all(&venv);
    let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    must_succeed(
        Command::new(&interpreter).args(["-m", "venv"]).arg(&venv),
        "creating the virtual environment (set PYTHON to a Python 3.11+ interpreter)",
    );
    must_succeed(
        pip(&python, "install").args(requirements),
        &format!("installing {} from PyPI", requirements.join(", ")),
    );
    std::fs::write(&marker, wanted).expect("marker written");
    venv
}

/// What the virtual environment that runs programs on anyio's asyncio and trio backends holds
/// (`tests/behaviour.rs`, `tests/correctness.rs`); a change here rebuilds it.
pub const BACKENDS_REQUIREMENTS: &[&str] = &["anyio==4.16.0", "trio==0.35.0", "pytest==9.2.0"];

/// The Python of that virtual environment, created on first use.
pub fn backends_python() -> PathBuf {
    venv("behaviour-venv", BACKENDS_REQUIREMENTS)
        .join("bin")
        .join("python")
}

/// Run `command`; panic with its output unless it succeeds.
pub fn must_succeed(command: &mut Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `python -m pip SUBCOMMAND --quiet --disable-pip-version-check`, to be given more arguments.
pub fn pip(python: &Path, subcommand: &str) -> Command {
    let mut command = Command::new(python);
    command.args([
        "-m",
        "pip",
        subcommand,
        "--quiet",
        "--disable-pip-version-check",
    ]);
    command
}

/// `check` of every program, `workers` programs at a time (each takes the next one left), in the
/// programs' order.
pub fn run_programs<T: Send>(
    programs: &[PathBuf],
    workers: usize,
    check: impl Fn(&Path) -> T + Sync,
) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(program) = programs.get(index) else {
                            return done;
                        };
                        done.push((index, check(program)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Fail with the message of every program that failed, when one did.
pub fn assert_programs_pass<T>(results: &[Result<T, String>]) {
    let failures: Vec<&str> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(String::as_str))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n\n{}",
        failures.len(),
        results.len(),
        failures.join("\n\n")
    );
}
