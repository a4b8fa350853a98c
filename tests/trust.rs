//! End to end: what a repository's files may make the tool do. Configurations name packs only
//! inside their directory and are quoted in errors only when they look like configurations; the
//! upward search stops at the repository root and skips other users' files; empty selectors,
//! undecodable configurations, FIFOs, devices and oversized files are errors, never a hang.

#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{bin, findings, project, run, stderr, stdout};

const SLEEP: &str = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n";
const SECRET: &str = "ghp_0123456789abcdefSECRET";

fn concise(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--output-format", "concise"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// Run in `dir`, killing the run (and failing) if it has not ended after ten seconds.
fn run_or_hang(dir: &Path, args: &[&str]) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let started = Instant::now();
    while child.try_wait().expect("the run is waited for").is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`anyio-lint {}` hung", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the run ends")
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink made");
}

fn mkfifo(path: &Path) -> bool {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    made.is_ok_and(|status| status.success())
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[test]
fn a_configuration_names_packs_only_inside_its_directory() {
    let outside = project(&[("secret.txt", format!("token = {SECRET}\n").as_bytes())]);
    let secret = outside.path().join("secret.txt");
    let dir = project(&[("app.py", SLEEP.as_bytes())]);
    std::fs::create_dir(dir.path().join("packs")).unwrap();
    symlink(&secret, &dir.path().join("packs/team.toml"));
    let relative_outside = format!(
        "../{}/secret.txt",
        outside.path().file_name().unwrap().to_string_lossy()
    );
    for named in [
        "/proc/self/environ",
        secret.to_str().unwrap(),
        relative_outside.as_str(),
        // Inside as written, outside once the symlink is resolved.
        "packs/team.toml",
    ] {
        std::fs::write(
            dir.path().join("anyio-lint.toml"),
            format!("rulepacks = [\"{named}\"]\n"),
        )
        .unwrap();
        let output = bin()
            .current_dir(dir.path())
            .args(["check", "app.py"])
            .env("CI_TOKEN", SECRET)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{named}: {err}");
        assert!(!err.contains(SECRET), "{named} was printed:\n{err}");
        assert!(
            err.contains("is outside") && err.contains("`--rulepack "),
            "{named}: {err}"
        );
        assert!(
            err.contains("┌─ "),
            "the error points into the configuration: {err}"
        );
    }
}

#[test]
fn a_file_that_is_not_a_pack_or_a_configuration_is_never_quoted() {
    let outside = project(&[("secret.txt", format!("token: {SECRET}\n").as_bytes())]);
    let secret = outside.path().join("secret.txt");
    let dir = project(&[("app.py", SLEEP.as_bytes())]);
    // A pack named on the command line through a symlink the repository holds.
    symlink(&secret, &dir.path().join("team.toml"));
    let output = run(dir.path(), &["check", "--rulepack", "team.toml", "app.py"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    assert!(
        err.contains("team.toml:1:") && err.contains("not a rule pack"),
        "{err}"
    );
    // A configuration the search finds, and one named with --config.
    symlink(&secret, &dir.path().join(".anyio-lint.toml"));
    for args in [
        &["check", "app.py"][..],
        &["check", "--config", "team.toml", "app.py"],
    ] {
        let output = run(dir.path(), args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(!err.contains(SECRET), "{err}");
        assert!(err.contains("not a configuration"), "{err}");
    }
    // A pack or configuration with a syntax error is still quoted at its line.
    std::fs::remove_file(dir.path().join(".anyio-lint.toml")).unwrap();
    std::fs::write(dir.path().join("anyio-lint.toml"), "select = [AIO1]\n").unwrap();
    let err = stderr(&run(dir.path(), &["check", "app.py"]));
    assert!(err.contains("1 │ select = [AIO1]"), "{err}");
}

#[test]
fn the_search_stops_at_the_repository_root() {
    for git in ["directory", "file"] {
        let dir = project(&[
            ("anyio-lint.toml", b"ignore = [\"ALL\"]\n"),
            ("repo/app.py", SLEEP.as_bytes()),
        ]);
        let git_path = dir.path().join("repo/.git");
        if git == "directory" {
            std::fs::create_dir(&git_path).unwrap();
        } else {
            std::fs::write(&git_path, "gitdir: /elsewhere/.git/worktrees/repo\n").unwrap();
        }
        let output = concise(&dir.path().join("repo"), &[]);
        assert_eq!(findings(&output), ["app.py:4:11: AIO101"], "{git}");
        // A configuration at the repository root itself governs it.
        std::fs::rename(
            dir.path().join("anyio-lint.toml"),
            dir.path().join("repo/anyio-lint.toml"),
        )
        .unwrap();
        let output = concise(&dir.path().join("repo"), &[]);
        assert_eq!(findings(&output), Vec::<String>::new(), "{git}");
    }
}

#[test]
fn a_configuration_owned_by_another_user_is_skipped() {
    if !is_root() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let dir = project(&[
        ("shared/anyio-lint.toml", b"fix = true\n"),
        ("shared/project/app.py", SLEEP.as_bytes()),
    ]);
    let shared = dir.path().join("shared");
    let config = shared.join("anyio-lint.toml");
    let chown = |args: &[&str], path: &Path| {
        let status = std::process::Command::new("chown")
            .args(args)
            .arg(path)
            .status()
            .expect("chown runs");
        assert!(status.success());
    };
    chown(&["65534"], &config);
    let project_dir = shared.join("project");
    let output = concise(&project_dir, &[]);
    let err = stderr(&output);
    assert_eq!(findings(&output), ["app.py:4:11: AIO101"], "{err}");
    assert_eq!(
        std::fs::read_to_string(project_dir.join("app.py")).unwrap(),
        SLEEP,
        "another user's `fix = true` rewrote the file"
    );
    assert!(
        err.contains("is not used: it is owned by user id 65534") && err.contains("`--config "),
        "{err}"
    );
    // A symlink another user made, to a file of ours, is not ours either.
    chown(&["0"], &config);
    std::fs::rename(&config, dir.path().join("real.toml")).unwrap();
    symlink(&dir.path().join("real.toml"), &config);
    chown(&["-h", "65534"], &config);
    let output = concise(&project_dir, &[]);
    assert_eq!(
        findings(&output),
        ["app.py:4:11: AIO101"],
        "{}",
        stderr(&output)
    );
    // Named with --config, it is used, whoever owns it.
    let output = concise(&project_dir, &["--config", config.to_str().unwrap()]);
    assert_eq!(
        findings(&output),
        Vec::<String>::new(),
        "{}",
        stderr(&output)
    );
    assert_ne!(
        std::fs::read_to_string(project_dir.join("app.py")).unwrap(),
        SLEEP
    );
}

#[test]
fn a_configuration_that_fixes_says_so() {
    let dir = project(&[
        ("anyio-lint.toml", b"fix = true\n"),
        ("app.py", SLEEP.as_bytes()),
    ]);
    let output = concise(dir.path(), &[]);
    let err = stderr(&output);
    assert!(
        err.contains("anyio-lint.toml sets `fix = true`: the files it governs are fixed in place"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(dir.path().join("app.py"))
            .unwrap()
            .contains("anyio.sleep")
    );
    // The command line deciding, nothing is said.
    std::fs::write(dir.path().join("app.py"), SLEEP).unwrap();
    for flag in ["--fix", "--no-fix"] {
        let output = concise(dir.path(), &[flag]);
        assert!(!stderr(&output).contains("fix = true"), "{flag}");
    }
}

#[test]
fn empty_selectors_are_errors() {
    let dir = project(&[("app.py", SLEEP.as_bytes())]);
    for args in [
        &["--ignore", ""][..],
        &["--ignore", ","],
        &["--ignore=AIO9,"],
        &["--select", ""],
        &["--extend-select", ""],
    ] {
        let output = concise(dir.path(), args);
        let err = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stdout(&output)
        );
        let flag = args[0].split('=').next().unwrap();
        assert!(
            err.contains(&format!("`{flag}` has an empty rule selector")),
            "{args:?}: {err}"
        );
    }
    for (config, line) in [
        ("ignore = [\"\"]\n", "1:11"),
        (
            "select = [\"ALL\"]\nextend-select = [\"AIO1\", \"\"]\n",
            "2:26",
        ),
        ("[per-file-ignores]\n\"*.py\" = [\"\"]\n", "2:11"),
    ] {
        std::fs::write(dir.path().join("anyio-lint.toml"), config).unwrap();
        let output = concise(dir.path(), &[]);
        let err = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{config}: {}",
            stdout(&output)
        );
        assert!(err.contains("an empty rule selector"), "{config}: {err}");
        assert!(
            err.contains(&format!("anyio-lint.toml:{line}")),
            "{config}: {err}"
        );
    }
}

#[test]
fn a_configuration_that_cannot_be_decoded_is_an_error() {
    let vendored = "import asyncio\nasyncio.run(main())\n";
    let dir = project(&[
        (
            "pyproject.toml",
            b"[tool.anyio-lint]\nextend-exclude = [\"vendor\"]\n# Fran\xe7ois\n",
        ),
        ("vendor/lib.py", vendored.as_bytes()),
        ("app.py", SLEEP.as_bytes()),
    ]);
    let output = concise(dir.path(), &["--fix"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pyproject.toml") && err.contains("not UTF-8"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("vendor/lib.py")).unwrap(),
        vendored
    );
    // The pyproject.toml beside an anyio-lint.toml gives versions: the same holds for it.
    std::fs::write(dir.path().join("anyio-lint.toml"), "select = [\"AIO1\"]\n").unwrap();
    let output = concise(dir.path(), &[]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pyproject.toml") && err.contains("not UTF-8"),
        "{err}"
    );
}

#[test]
fn fifos_devices_and_oversized_files_are_refused_not_read() {
    let dir = project(&[("app.py", SLEEP.as_bytes())]);
    let fifo = dir.path().join("pipe.toml");
    if !mkfifo(&fifo) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    for args in [
        &["check", "--config", "pipe.toml", "app.py"][..],
        &["check", "--rulepack", "pipe.toml", "app.py"],
        &["check", "--baseline", "pipe.toml", "app.py"],
        &["test", "pipe.toml"],
    ] {
        let output = run_or_hang(dir.path(), args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("it is a FIFO (named pipe), not a regular file"),
            "{args:?}: {err}"
        );
    }
    // Named as a path to check, it is a usage error; met by the walk, it is skipped.
    let output = run_or_hang(
        dir.path(),
        &["check", "--output-format", "concise", "pipe.toml"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("FIFO"), "{}", stderr(&output));
    std::fs::rename(&fifo, dir.path().join("pipe.py")).unwrap();
    let output = run_or_hang(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(findings(&output), ["app.py:4:11: AIO101"]);
    // A device, and a configuration larger than the limit (4 MiB).
    let output = run_or_hang(
        dir.path(),
        &["check", "--output-format", "concise", "/dev/null"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("device"), "{}", stderr(&output));
    let large = std::fs::File::create(dir.path().join("large.toml")).unwrap();
    large.set_len(5 << 20).unwrap();
    let output = run_or_hang(dir.path(), &["check", "--config", "large.toml", "app.py"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("larger than 4 MiB"), "{err}");
}
