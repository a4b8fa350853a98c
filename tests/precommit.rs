//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` from PyPI with
//! `pre-commit try-repo` against a throwaway git repository holding an asyncio file: the checking
//! hook fails and changes nothing, the fixing hook rewrites the file.
//!
//! pre-commit builds the hook with `cargo install`; its target directory is kept under Cargo's
//! target directory so later runs only rebuild this crate.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{assert_exact_snapshot, must_succeed, venv};

const PRE_COMMIT: &[&str] = &["pre-commit==4.7.0"];
const SOURCE: &str = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n";

fn git(dir: &Path, args: &[&str]) {
    must_succeed(
        Command::new("git")
            .current_dir(dir)
            .args([
                "-c",
                "user.name=test",
                "-c",
                "user.email=test@example.invalid",
            ])
            .args(args),
        &format!("git {}", args.join(" ")),
    );
}

fn try_repo(pre_commit: &Path, dir: &Path, hook: &str) -> Output {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    Command::new(pre_commit)
        .current_dir(dir)
        .args(["try-repo", env!("CARGO_MANIFEST_DIR"), hook, "--all-files"])
        .env("PRE_COMMIT_HOME", scratch.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", scratch.join("rust-builds"))
        .env("NO_COLOR", "1")
        .output()
        .expect("pre-commit runs")
}

#[test]
fn the_check_hook_fails_and_the_fix_hook_rewrites() {
    let pre_commit = venv("pre-commit-venv", PRE_COMMIT)
        .join("bin")
        .join("pre-commit");
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("app.py"), SOURCE).unwrap();
    std::fs::write(repo.path().join("notes.txt"), "asyncio.sleep(1)\n").unwrap();
    git(repo.path(), &["init", "--quiet"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "--quiet", "-m", "asyncio code"]);

    let checked = try_repo(&pre_commit, repo.path(), "anyio-lint");
    let text = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(1), "{text}");
    assert!(
        text.contains("anyio-lint...") && text.contains("Failed"),
        "{text}"
    );
    assert!(text.contains("AIO101"), "{text}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("app.py")).unwrap(),
        SOURCE
    );

    let fixed = try_repo(&pre_commit, repo.path(), "anyio-lint-fix");
    let text = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(1), "{text}");
    assert!(text.contains("files were modified by this hook"), "{text}");
    assert_exact_snapshot!(
        "fixed_by_the_hook",
        std::fs::read_to_string(repo.path().join("app.py")).unwrap()
    );
    // Only Python files are passed: the text file is untouched.
    assert_eq!(
        std::fs::read_to_string(repo.path().join("notes.txt")).unwrap(),
        "asyncio.sleep(1)\n"
    );

    // With the file fixed, both hooks pass.
    git(repo.path(), &["add", "."]);
    let clean = try_repo(&pre_commit, repo.path(), "anyio-lint");
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
}
