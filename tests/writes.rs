//! End to end: how the tool writes files. A file changed during a run is not overwritten; outputs
//! go where asked and never over an input, a device or a FIFO; owner, hard links, extended
//! attributes and ACLs survive a fix; a killed run leaves no partial file and the next one clears
//! what it left; a write that fails is exit 2.
//!
//! Several tests need root or a mount namespace; where those are missing they print that they
//! were skipped and pass.

mod common;

use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, project, run, stderr, stdout};

const UNFIXED: &str = "import asyncio\n\n\nasync def f():\n    await asyncio.sleep(1)\n";
const FIXED: &str = "import anyio\n\n\nasync def f():\n    await anyio.sleep(1)\n";

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

fn skipped(test: &str, why: &str) {
    println!("{test}: skipped: {why}");
}

/// The temporaries of the tool left in `dir`.
fn temporaries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".anyio-lint-")
        })
        .collect()
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        path,
        rustix::fs::Mode::from_raw_mode(0o644),
    )
    .unwrap();
}

#[test]
fn a_file_changed_on_disk_while_the_run_fixes_it_is_not_overwritten() {
    // One worker thread reads the files in order: `a.py` is read and fixed first, then the run
    // spends a while on the large `b.py`. Meanwhile another process appends to `a.py`. Should the
    // run end before the append, it is tried again with a larger `b.py`; should the append come
    // before the run read `a.py` (a loaded machine starts the binary slowly), it is tried again
    // later in the run.
    let appended: String = (0..5000).map(|i| format!("x{i} = {i}\n")).collect();
    let attempts = [
        (50_000, 300),
        (200_000, 300),
        (200_000, 1500),
        (800_000, 3000),
    ];
    for (functions, delay) in attempts {
        let large: String = (0..functions)
            .map(|i| format!("async def f{i}():\n    await asyncio.sleep({i})\n"))
            .collect();
        let dir = project(&[
            ("a.py", UNFIXED.as_bytes()),
            ("b.py", format!("import asyncio\n{large}").as_bytes()),
        ]);
        let mut child = bin()
            .current_dir(dir.path())
            .env("RAYON_NUM_THREADS", "1")
            .args(["check", "--isolated", "--fix", "a.py", "b.py"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("a.py"))
            .unwrap()
            .write_all(appended.as_bytes())
            .unwrap();
        let ended_before = child.try_wait().unwrap().is_some();
        let output = child.wait_with_output().unwrap();
        if ended_before {
            continue;
        }
        let text = std::fs::read_to_string(dir.path().join("a.py")).unwrap();
        if text == format!("{FIXED}{appended}") {
            // The run read `a.py` with the lines appended: it had changed nothing yet.
            continue;
        }
        assert!(
            text == format!("{UNFIXED}{appended}"),
            "the lines another process appended must survive; a.py is now {} bytes, starting {:?}",
            text.len(),
            &text[..text.len().min(60)]
        );
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("a.py: changed on disk while it was being fixed; not written"),
            "{}",
            stderr(&output)
        );
        assert!(temporaries(dir.path()).is_empty());
        return;
    }
    panic!("no run read `a.py` before the test changed it and ended after");
}

#[test]
fn outputs_go_into_fifos_and_devices_without_replacing_them() {
    let dir = project(&[("a.py", UNFIXED.as_bytes())]);
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    // Opened before the run, non-blocking: the run's open for writing then finds a reader, and
    // what it writes waits in the pipe until read below.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(&fifo)
        .unwrap();
    let output = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "a.py",
            "-o",
            "report.fifo",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO was replaced"
    );
    let mut report = String::new();
    let _ = reader.read_to_string(&mut report);
    assert!(report.contains("a.py:5:11: AIO101"), "{report:?}");

    let output = run(
        dir.path(),
        &["report", "--isolated", "a.py", "-o", "report.fifo"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    let mut report = String::new();
    let _ = reader.read_to_string(&mut report);
    assert!(report.starts_with("# Migration report"), "{report:?}");

    // As root the device could be replaced: it must not be.
    for args in [
        &["check", "--isolated", "a.py", "-o", "/dev/null"][..],
        &[
            "check",
            "--isolated",
            "a.py",
            "--write-baseline",
            "/dev/null",
        ],
        &["report", "--isolated", "a.py", "-o", "/dev/null"],
    ] {
        let output = run(dir.path(), args);
        assert!(
            output.status.code() != Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        let null = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(
            null.file_type().is_char_device(),
            "{args:?} replaced /dev/null"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
        UNFIXED
    );
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn dev_stdout_as_the_output_writes_into_the_pipe() {
    let dir = project(&[("a.py", UNFIXED.as_bytes())]);
    let output = run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--output-format",
            "concise",
            "a.py",
            "-o",
            "/dev/stdout",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("a.py:5:11: AIO101"),
        "{}",
        stdout(&output)
    );
    let output = run(
        dir.path(),
        &["report", "--isolated", "a.py", "-o", "/dev/stdout"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("# Migration report"));
}

#[test]
fn an_output_naming_one_of_the_inputs_is_refused_before_anything_is_written() {
    let config = "[tool.anyio-lint]\nselect = [\"AIO\"]\n";
    let dir = project(&[
        ("a.py", UNFIXED.as_bytes()),
        ("b.py", UNFIXED.as_bytes()),
        ("pyproject.toml", config.as_bytes()),
    ]);
    std::fs::hard_link(dir.path().join("b.py"), dir.path().join("b-link.txt")).unwrap();
    let cases: [&[&str]; 7] = [
        &["check", "--fix", ".", "-o", "a.py"],
        &["check", ".", "-o", "./b.py"],
        // Another name of the same file.
        &["check", "--fix", ".", "-o", "b-link.txt"],
        &["check", ".", "--write-baseline", "a.py"],
        &["report", ".", "-o", "a.py"],
        // The configuration is read too.
        &["check", "--fix", ".", "-o", "pyproject.toml"],
        &["report", ".", "-o", "pyproject.toml"],
    ];
    for args in cases {
        let output = run(dir.path(), args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("is a file this run reads"),
            "{args:?}: {}",
            stderr(&output)
        );
        for name in ["a.py", "b.py"] {
            assert_eq!(
                std::fs::read_to_string(dir.path().join(name)).unwrap(),
                UNFIXED,
                "{args:?} wrote {name}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("pyproject.toml")).unwrap(),
            config,
            "{args:?}"
        );
    }
}

#[test]
fn owner_hard_links_extended_attributes_and_acls_are_kept() {
    if !is_root() {
        return skipped(
            "owner_hard_links_extended_attributes_and_acls_are_kept",
            "needs root to give files another owner",
        );
    }
    let dir = project(&[
        ("src/owned.py", UNFIXED.as_bytes()),
        ("src/linked.py", UNFIXED.as_bytes()),
        ("src/attributed.py", UNFIXED.as_bytes()),
    ]);
    let src = dir.path().join("src");
    let owned = src.join("owned.py");
    std::os::unix::fs::chown(&owned, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&owned, std::fs::Permissions::from_mode(0o640)).unwrap();
    // The other link is outside the checked directory.
    let other_link = dir.path().join("elsewhere.py");
    std::fs::hard_link(src.join("linked.py"), &other_link).unwrap();
    let inode = std::fs::metadata(&other_link).unwrap().ino();

    let attributed = src.join("attributed.py");
    let xattrs = match rustix::fs::setxattr(
        &attributed,
        "user.origin",
        b"kept",
        rustix::fs::XattrFlags::empty(),
    ) {
        Ok(()) => true,
        Err(error) => {
            skipped(
                "owner_hard_links_extended_attributes_and_acls_are_kept (xattr part)",
                &format!("this filesystem takes no user.* attributes: {error}"),
            );
            false
        }
    };
    // An ACL granting user 65534 read and write: version 2, then (tag, permissions, id) for the
    // owner, that user, the group, the mask and others.
    let mut acl = 2u32.to_le_bytes().to_vec();
    for (tag, permissions, id) in [
        (0x01u16, 6u16, u32::MAX),
        (0x02, 6, 65534),
        (0x04, 4, u32::MAX),
        (0x10, 6, u32::MAX),
        (0x20, 4, u32::MAX),
    ] {
        acl.extend(tag.to_le_bytes());
        acl.extend(permissions.to_le_bytes());
        acl.extend(id.to_le_bytes());
    }
    let acls = xattrs
        && match rustix::fs::setxattr(
            &attributed,
            "system.posix_acl_access",
            &acl,
            rustix::fs::XattrFlags::empty(),
        ) {
            Ok(()) => true,
            Err(error) => {
                skipped(
                    "owner_hard_links_extended_attributes_and_acls_are_kept (ACL part)",
                    &format!("this filesystem takes no POSIX ACLs: {error}"),
                );
                false
            }
        };
    let acl_before = acls.then(|| xattr(&attributed, "system.posix_acl_access"));

    let output = run(dir.path(), &["check", "--isolated", "--fix", "src"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for name in ["owned.py", "linked.py", "attributed.py"] {
        assert_eq!(
            std::fs::read_to_string(src.join(name)).unwrap(),
            FIXED,
            "{name}"
        );
    }

    let metadata = std::fs::metadata(&owned).unwrap();
    assert_eq!(
        (metadata.uid(), metadata.gid()),
        (65534, 65534),
        "owner kept"
    );
    assert_eq!(metadata.mode() & 0o7777, 0o640, "permissions kept");

    assert_eq!(
        std::fs::read_to_string(&other_link).unwrap(),
        FIXED,
        "the other link sees the fix"
    );
    let metadata = std::fs::metadata(src.join("linked.py")).unwrap();
    assert_eq!(
        (metadata.ino(), metadata.nlink()),
        (inode, 2),
        "the hard link is kept"
    );

    if xattrs {
        assert_eq!(xattr(&attributed, "user.origin"), b"kept");
    }
    if let Some(before) = acl_before {
        assert_eq!(
            xattr(&attributed, "system.posix_acl_access"),
            before,
            "the ACL is kept"
        );
    }
    assert!(temporaries(&src).is_empty());
}

fn xattr(path: &Path, name: &str) -> Vec<u8> {
    let mut value = vec![0; 4096];
    let length = rustix::fs::getxattr(path, name, &mut value[..])
        .unwrap_or_else(|e| panic!("{name} on {}: {e}", path.display()));
    value.truncate(length);
    value
}

/// A project of many files to fix, named so that they sort apart from temporaries.
fn many_files(dir: &Path, count: usize) {
    for i in 0..count {
        std::fs::write(dir.join(format!("m{i:03}.py")), UNFIXED).unwrap();
    }
}

/// Every source is the original or the fixed text, never a mix; returns how many were fixed.
fn every_file_whole(dir: &Path, count: usize) -> usize {
    (0..count)
        .filter(|i| {
            let text = std::fs::read_to_string(dir.join(format!("m{i:03}.py"))).unwrap();
            assert!(
                text == UNFIXED || text == FIXED,
                "m{i:03}.py is partial: {text:?}"
            );
            text == FIXED
        })
        .count()
}

#[test]
fn killed_and_interrupted_runs_leave_no_partial_file_and_the_next_run_clears_their_temporaries() {
    const FILES: usize = 150;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    many_files(root, FILES);
    let fix = || {
        let mut command = bin();
        command
            .current_dir(root)
            .args(["check", "--isolated", "--fix", "-q", "."])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    };
    // How long a whole run takes here (the quicker of two): the signals land across it.
    let whole = (0..2)
        .map(|_| {
            many_files(root, FILES);
            let started = Instant::now();
            assert_eq!(fix().status().unwrap().code(), Some(0));
            started.elapsed()
        })
        .min()
        .unwrap();
    let runs = 10u32;
    let (mut signalled, mut mid_write, mut leftovers) = (0, 0, 0);
    let signals = [
        (rustix::process::Signal::KILL, "SIGKILL"),
        (rustix::process::Signal::INT, "SIGINT"),
    ];
    for (signal, name) in signals {
        for run in 0..runs {
            many_files(root, FILES);
            let mut child = fix().spawn().unwrap();
            std::thread::sleep(whole * run / (runs + 1));
            let pid = rustix::process::Pid::from_child(&child);
            let _ = rustix::process::kill_process(pid, signal);
            let status = child.wait().unwrap();
            if !status.success() {
                signalled += 1;
            }
            assert!(
                status.signal() == Some(signal.as_raw())
                    || status.code() == Some(128 + signal.as_raw())
                    || status.success(),
                "{name}: {status:?}"
            );
            if (1..FILES).contains(&every_file_whole(root, FILES)) {
                mid_write += 1;
            }
            for temporary in temporaries(root) {
                assert_eq!(
                    signal,
                    rustix::process::Signal::KILL,
                    "{name} left {}",
                    temporary.display()
                );
                // Only a complete file ever carries a name.
                assert_eq!(
                    std::fs::read_to_string(&temporary).unwrap(),
                    FIXED,
                    "{name} left a partial {}",
                    temporary.display()
                );
                leftovers += 1;
            }
            // The next run clears what a killed one left, and finishes its work.
            assert_eq!(fix().status().unwrap().code(), Some(0));
            assert!(
                temporaries(root).is_empty(),
                "{name}: {:?}",
                temporaries(root)
            );
            assert_eq!(every_file_whole(root, FILES), FILES);
        }
    }
    println!(
        "{signalled} of {} runs ended by their signal, {mid_write} of them while writing; \
         {leftovers} complete temporaries left by SIGKILL, all cleared",
        2 * runs
    );
    assert!(
        signalled >= runs,
        "the signals came too late to test much: {signalled} of {} runs",
        2 * runs
    );
}

/// Run `script` with `sh` in a new mount namespace, or `None` where that is not allowed.
fn in_mount_namespace(script: &str, env: &[(&str, &Path)]) -> Option<std::process::Output> {
    if !is_root() {
        return None;
    }
    let probe = Command::new("unshare").args(["-m", "true"]).output().ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut command = Command::new("unshare");
    command.args(["-m", "sh", "-euc", script]);
    for (name, value) in env {
        command.env(name, value);
    }
    Some(command.output().unwrap())
}

#[test]
fn a_write_that_fails_is_exit_2_with_one_line_per_file_not_written() {
    let dir = project(&[
        ("src/a.py", UNFIXED.as_bytes()),
        ("src/b.py", UNFIXED.as_bytes()),
        ("src/clean.py", b"x = 1\n"),
    ]);
    let src = dir.path().join("src");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_anyio-lint"));
    // A read-only bind mount of the sources.
    let script = r#"
        mount --bind "$SRC" "$SRC"
        mount -o remount,bind,ro "$SRC"
        cd "$SRC"
        for flags in --fix --fix-only; do
            set +e
            NO_COLOR=1 "$BIN" check --isolated $flags . >/dev/null 2>"$SRC.$flags.err"
            echo "$flags $?"
            set -e
        done
    "#;
    let Some(output) = in_mount_namespace(script, &[("SRC", &src), ("BIN", &binary)]) else {
        return skipped(
            "a_write_that_fails_is_exit_2_with_one_line_per_file_not_written",
            "needs root and `unshare -m` for a read-only mount",
        );
    };
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "--fix 2\n--fix-only 2\n");
    for flags in ["--fix", "--fix-only"] {
        let errors = std::fs::read_to_string(dir.path().join(format!("src.{flags}.err"))).unwrap();
        let mut lines: Vec<&str> = errors.lines().collect();
        lines.sort();
        assert_eq!(
            lines,
            [
                "a.py: fixes not written: Read-only file system (os error 30)",
                "b.py: fixes not written: Read-only file system (os error 30)",
            ],
            "{flags}"
        );
    }
    for name in ["a.py", "b.py"] {
        assert_eq!(std::fs::read_to_string(src.join(name)).unwrap(), UNFIXED);
    }

    // A full disk: a small filesystem, filled up once the sources are on it.
    let script = r#"
        mount -t tmpfs -o size=256k tmpfs "$SRC"
        cp "$ORIGINALS"/*.py "$SRC"/
        cd "$SRC"
        dd if=/dev/zero of=fill bs=4k 2>/dev/null || true
        set +e
        NO_COLOR=1 "$BIN" check --isolated --fix-only a.py b.py >/dev/null 2>"$SRC.errors"
        echo "exit $?"
        set -e
        cat "$SRC.errors" a.py
    "#;
    let originals = tempfile::tempdir().unwrap();
    for name in ["a.py", "b.py"] {
        std::fs::write(originals.path().join(name), UNFIXED).unwrap();
    }
    let output = in_mount_namespace(
        script,
        &[
            ("SRC", &src),
            ("BIN", &binary),
            ("ORIGINALS", originals.path()),
        ],
    )
    .expect("a mount namespace, as above");
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("exit 2\n"), "{text}");
    assert!(
        text.contains("a.py: fixes not written: No space left on device"),
        "{text}"
    );
    assert!(
        text.contains("b.py: fixes not written: No space left on device"),
        "{text}"
    );
    assert!(text.ends_with(UNFIXED), "the source is intact: {text}");
}
