//! The Python wheel: `pip wheel` builds the binary with maturin (from PyPI, per `pyproject.toml`),
//! the wheel installs into a fresh virtual environment, and the `anyio-lint` it puts on PATH works.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{must_succeed, pip, project};

#[test]
fn the_wheel_installs_a_working_anyio_lint() {
    let scratch = tempfile::tempdir().unwrap();
    let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let builder = scratch.path().join("build-venv");
    must_succeed(
        Command::new(&interpreter)
            .args(["-m", "venv"])
            .arg(&builder),
        "creating the build environment",
    );
    let wheels = scratch.path().join("wheels");
    // pre-commit's builds share this target directory, so the dependencies compile once.
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rust-builds");
    must_succeed(
        pip(&builder.join("bin/python"), "wheel")
            .args(["--no-deps", "-w"])
            .arg(&wheels)
            .arg(env!("CARGO_MANIFEST_DIR"))
            .env("CARGO_TARGET_DIR", &target),
        "building the wheel with maturin",
    );
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("a wheel was built");
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with(&format!("anyio_lint-{}-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );

    let fresh = scratch.path().join("fresh-venv");
    must_succeed(
        Command::new(&interpreter).args(["-m", "venv"]).arg(&fresh),
        "creating a fresh environment",
    );
    must_succeed(
        pip(&fresh.join("bin/python"), "install")
            .arg("--no-index")
            .arg(&wheel),
        "installing the wheel",
    );
    let installed = fresh.join("bin/anyio-lint");
    let version = must_succeed(
        Command::new(&installed).arg("--version"),
        "anyio-lint --version",
    );
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("anyio-lint {}", env!("CARGO_PKG_VERSION"))
    );
    let dir = project(&[("app.py", b"import asyncio\nasyncio.run(main())\n")]);
    let checked = Command::new(&installed)
        .current_dir(dir.path())
        .args(["check", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(checked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("app.py:2:1: AIO201"));
}
