//! Helpers shared by the end-to-end tests: run the binary, build throwaway projects.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
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
