//! The project's versions: each packaging file that declares them, their precedence, the packs'
//! `default-versions` where the project declares none, `check --show-settings`, and packaging
//! files that cannot be read.

mod common;

use std::path::Path;

use common::{assert_exact_snapshot, findings, project, run, stderr, stdout};

/// A file whose one finding is AIO106 (Python 3.11 and later: a safe fix) or AIO107 (older: an
/// unsafe one).
const TIMEOUT_ERROR: &[u8] =
    b"import asyncio\n\ntry:\n    pass\nexcept asyncio.TimeoutError:\n    pass\n";

/// A file whose one finding is AIO306 (anyio 4.15 and later) or AIO307 (older).
const TIMEOUT_AT: &[u8] = b"import asyncio\n\nasync def main(deadline):\n    async with asyncio.timeout_at(deadline):\n        await work()\n";

/// The codes found in `dir` (`path: CODE` lines).
fn codes(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--output-format", "concise"];
    all.extend(args);
    findings(&run(dir, &all))
}

/// `check --show-settings` in `dir`, the directory's path written `[ROOT]`.
fn show_settings(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["check", "--show-settings"];
    all.extend(args);
    let output = run(dir, &all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let canonical = std::fs::canonicalize(dir).unwrap();
    stdout(&output)
        .replace(&canonical.display().to_string(), "[ROOT]")
        .replace(&dir.display().to_string(), "[ROOT]")
}

/// The lines of `--show-settings` giving versions: `name = version  from source`.
fn versions_shown(dir: &Path, args: &[&str]) -> Vec<String> {
    show_settings(dir, args)
        .lines()
        .skip_while(|line| !line.starts_with("versions"))
        .skip(1)
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn an_undeclared_python_is_the_oldest_the_packs_assume_and_its_fix_is_unsafe() {
    let dir = project(&[("app.py", TIMEOUT_ERROR)]);
    assert_eq!(codes(dir.path(), &[]), ["app.py:5:8: AIO107"]);
    assert_eq!(
        versions_shown(dir.path(), &[]),
        [
            "python = 3.10 from `default-versions` of the pack anyio-pitfalls (the project declares none)"
        ]
    );
    // The fix is unsafe: `--fix` alone leaves the file as it was.
    let fixed = run(dir.path(), &["check", "--fix", "app.py"]);
    assert_eq!(fixed.status.code(), Some(1));
    let text = std::fs::read(dir.path().join("app.py")).unwrap();
    assert_eq!(text, TIMEOUT_ERROR);
    // A project on Python 3.11 gets AIO106 and its safe fix.
    assert_eq!(
        codes(dir.path(), &["--version-of", "python=3.11"]),
        ["app.py:5:8: AIO106"]
    );
    let fixed = run(
        dir.path(),
        &["check", "--fix", "--version-of", "python=3.11", "app.py"],
    );
    assert_eq!(fixed.status.code(), Some(0), "{}", stdout(&fixed));
    let text = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(text.contains("except TimeoutError:"), "{text}");
}

#[test]
fn setup_cfg_declares_python_and_requirements() {
    let setup_cfg = b"[metadata]\nname = app\n\n[options]\npython_requires = >=3.11\ninstall_requires =\n    anyio>=4.12,<5\n    httpx\n";
    let dir = project(&[
        ("setup.cfg", setup_cfg),
        ("app.py", TIMEOUT_ERROR),
        ("deadline.py", TIMEOUT_AT),
    ]);
    assert_eq!(
        codes(dir.path(), &[]),
        ["app.py:5:8: AIO106", "deadline.py:4:16: AIO307"]
    );
    assert_eq!(
        versions_shown(dir.path(), &[]),
        [
            r#"anyio = 4.12 from [ROOT]/setup.cfg: [options] install_requires "anyio>=4.12,<5""#,
            r#"python = 3.11 from [ROOT]/setup.cfg: [options] python_requires ">=3.11""#,
        ]
    );
}

#[test]
fn setup_py_declares_with_string_literals_only() {
    let setup_py = br#"from setuptools import setup

REQUIREMENTS = ["anyio>=4.0"]

if __name__ == "__main__":
    setup(
        name="app",
        python_requires=">=3.11",
        install_requires=["anyio>=4.15", *REQUIREMENTS],
    )
"#;
    let dir = project(&[
        ("setup.py", setup_py),
        ("app.py", TIMEOUT_ERROR),
        ("deadline.py", TIMEOUT_AT),
    ]);
    assert_eq!(
        codes(dir.path(), &[]),
        ["app.py:5:8: AIO106", "deadline.py:4:5: AIO306"]
    );
    assert_eq!(
        versions_shown(dir.path(), &[]),
        [
            r#"anyio = 4.15 from [ROOT]/setup.py: setup(install_requires=…) "anyio>=4.15""#,
            r#"python = 3.11 from [ROOT]/setup.py: setup(python_requires=…) ">=3.11""#,
        ]
    );
}

#[test]
fn a_requirements_pin_declares_the_anyio_version() {
    let dir = project(&[
        (
            "pyproject.toml",
            b"[tool.anyio-lint]\nselect = [\"AIO3\"]\n",
        ),
        (
            "requirements.txt",
            b"# pinned\nanyio==4.12.0 \\\n    --hash=sha256:0123\nsniffio==1.3.1\n",
        ),
        (
            "requirements-dev.txt",
            b"-r requirements.txt\nanyio>=4.14\n",
        ),
        ("deadline.py", TIMEOUT_AT),
    ]);
    assert_eq!(codes(dir.path(), &[]), ["deadline.py:4:16: AIO307"]);
    assert_eq!(
        versions_shown(dir.path(), &[]),
        [
            r#"anyio = 4.14 from [ROOT]/requirements-dev.txt: line 2 "anyio>=4.14""#,
            "python = 3.10 from `default-versions` of the pack anyio-pitfalls (the project declares none)",
            r#"sniffio = 1.3.1 from [ROOT]/requirements.txt: line 4 "sniffio==1.3.1""#,
        ]
    );
}

#[test]
fn pyproject_dependencies_optional_dependencies_and_poetry() {
    let pyproject = br#"[project]
name = "app"
version = "1"
dependencies = ["sniffio>=1.3"]

[project.optional-dependencies]
trio = ["trio>=0.26"]
async = ["AnyIO[trio] >= 4.15 ; python_version >= '3.10'", "anyio>=4.13"]

[tool.poetry.dependencies]
python = "^3.11"
anyio = { version = "^4.0", optional = true }
"#;
    let dir = project(&[("pyproject.toml", pyproject), ("deadline.py", TIMEOUT_AT)]);
    // The lowest bound the file gives anyio counts: 4.13.
    assert_eq!(codes(dir.path(), &[]), ["deadline.py:4:16: AIO307"]);
    assert_eq!(
        versions_shown(dir.path(), &[]),
        [
            r#"anyio = 4.13 from [ROOT]/pyproject.toml: project.optional-dependencies.async "anyio>=4.13""#,
            r#"python = 3.11 from [ROOT]/pyproject.toml: tool.poetry.dependencies.python "^3.11""#,
            r#"sniffio = 1.3 from [ROOT]/pyproject.toml: project.dependencies "sniffio>=1.3""#,
            r#"trio = 0.26 from [ROOT]/pyproject.toml: project.optional-dependencies.trio "trio>=0.26""#,
        ]
    );
}

#[test]
fn precedence_command_line_configuration_pyproject_setup_cfg_setup_py_requirements() {
    let files: [(&str, &[u8]); 5] = [
        (
            "pyproject.toml",
            b"[project]\nname = \"app\"\nversion = \"1\"\nrequires-python = \">=3.12\"\n",
        ),
        ("setup.cfg", b"[options]\npython_requires = >=3.11\ninstall_requires = anyio>=4.13\n"),
        (
            "setup.py",
            b"import setuptools\nsetuptools.setup(python_requires='>=3.9', install_requires=['anyio>=4.1', 'sniffio>=1.2'])\n",
        ),
        ("requirements.txt", b"anyio==4.16.0\nsniffio==1.3.1\nidna==3.7\n"),
        ("app.py", TIMEOUT_ERROR),
    ];
    let dir = project(&files);
    assert_eq!(
        versions_shown(dir.path(), &[]),
        [
            r#"anyio = 4.13 from [ROOT]/setup.cfg: [options] install_requires "anyio>=4.13""#,
            r#"idna = 3.7 from [ROOT]/requirements.txt: line 3 "idna==3.7""#,
            r#"python = 3.12 from [ROOT]/pyproject.toml: project.requires-python ">=3.12""#,
            r#"sniffio = 1.2 from [ROOT]/setup.py: setup(install_requires=…) "sniffio>=1.2""#,
        ]
    );
    // A configuration's `versions` comes before the packaging files, `--version-of` before both.
    let configured = project(&files);
    std::fs::write(
        configured.path().join("anyio-lint.toml"),
        "[versions]\npython = \"3.10\"\nanyio = \"4.14\"\n",
    )
    .unwrap();
    assert_eq!(codes(configured.path(), &[]), ["app.py:5:8: AIO107"]);
    assert_eq!(
        versions_shown(configured.path(), &["--version-of", "anyio=4.16"]),
        [
            "anyio = 4.16 from --version-of",
            r#"idna = 3.7 from [ROOT]/requirements.txt: line 3 "idna==3.7""#,
            r#"python = 3.10 from [ROOT]/anyio-lint.toml: versions.python "3.10""#,
            r#"sniffio = 1.2 from [ROOT]/setup.py: setup(install_requires=…) "sniffio>=1.2""#,
        ]
    );
}

#[test]
fn packaging_files_that_cannot_be_read_are_skipped_with_a_warning() {
    let dir = project(&[
        (
            "bad-cfg/setup.cfg",
            b"[options]\npython_requires = >=3.11\nnot an entry\n",
        ),
        ("bad-cfg/app.py", TIMEOUT_ERROR),
        ("bad-py/setup.py", b"setup(python_requires='>=3.11',\n"),
        ("bad-py/requirements.txt", b"anyio==4.12\xff\n"),
        ("bad-py/app.py", TIMEOUT_ERROR),
        (
            "bad-spec/setup.cfg",
            b"[options]\npython_requires = three eleven\n",
        ),
        ("bad-spec/app.py", TIMEOUT_ERROR),
    ]);
    let output = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "bad-cfg",
            "bad-py",
            "bad-spec",
        ],
    );
    // Nothing was read from them: Python is the packs' default, and the run goes on. The
    // malformed setup.cfg, checked as a configuration file, is also reported where it is wrong.
    assert_eq!(
        findings(&output),
        [
            "bad-cfg/app.py:5:8: AIO107",
            "bad-cfg/setup.cfg:3:1: syntax-error",
            "bad-py/app.py:5:8: AIO107",
            "bad-spec/app.py:5:8: AIO107"
        ]
    );
    assert_eq!(output.status.code(), Some(1));
    let canonical = std::fs::canonicalize(dir.path()).unwrap();
    let warnings = stderr(&output).replace(&canonical.display().to_string(), "[ROOT]");
    for expected in [
        "warning: [ROOT]/bad-cfg/setup.cfg:3: this line has neither `=` nor `:`: write `key = value`; it is not read for the project's versions",
        "warning: [ROOT]/bad-py/setup.py:2: ",
        "warning: [ROOT]/bad-py/requirements.txt is not read for the project's versions: it is not UTF-8 text",
        "warning: [ROOT]/bad-spec/setup.cfg: [options] python_requires \"three eleven\" is not understood",
    ] {
        assert!(
            warnings.contains(expected),
            "{expected}\nnot in:\n{warnings}"
        );
    }
}

/// A pack of one rule gated on Python, declaring the Python it assumes.
const PACK: &[u8] = br#"[pack]
name = "tiny"
version = "1.0.0"
description = "One rule gated on Python."
prefix = "TY"
modules = ["asyncio"]
default-versions = { python = "3.9" }

[[rule]]
code = "TY1"
name = "timeout-error"
message = "`asyncio.TimeoutError` is the builtin"
explain = "Finds `asyncio.TimeoutError` where it is the builtin."
match.pattern = "asyncio.TimeoutError"
match.versions = { python = ">=3.11" }

[[rule.example]]
versions = { python = "3.11" }
flagged = "import asyncio\nasyncio.TimeoutError\n"
"#;

#[test]
fn show_settings_prints_the_settings_and_where_each_version_came_from() {
    let config = br#"[project]
name = "app"
version = "1"
dependencies = ["anyio>=4.12"]

[tool.anyio-lint]
ignore = ["TY2"]
extend-exclude = ["legacy"]
extend-unsafe-fixes = ["TY"]
rulepacks = ["tiny.toml"]

[tool.anyio-lint.per-file-ignores]
"tests/*" = ["TY1"]

[tool.anyio-lint.versions]
sniffio = "1.3"
"#;
    let mut pack = PACK.to_vec();
    pack.extend_from_slice(
        b"\n[[rule]]\ncode = \"TY2\"\nname = \"two\"\nmessage = \"m\"\nexplain = \"e\"\nmatch.pattern = \"asyncio.sleep\"\n\n[[rule.example]]\nflagged = \"import asyncio\\nasyncio.sleep\\n\"\n",
    );
    let dir = project(&[
        ("pyproject.toml", config),
        ("tiny.toml", &pack),
        ("requirements.txt", b"anyio==4.16.0\n"),
        ("tests/test_app.py", TIMEOUT_ERROR),
    ]);
    let args = [
        "--no-builtin-packs",
        "--version-of",
        "trio=0.30",
        "tests/test_app.py",
    ];
    assert_exact_snapshot!("show_settings", show_settings(dir.path(), &args));
    // With nothing configured, and for a directory.
    let bare = project(&[("tiny.toml", PACK)]);
    let args = ["--no-builtin-packs", "--rulepack", "tiny.toml"];
    assert_exact_snapshot!("show_settings_defaults", show_settings(bare.path(), &args));
    // One path only, and no mode that writes.
    for args in [
        &["check", "--show-settings", "a.py", "b.py"][..],
        &["check", "--show-settings", "--fix"],
        &["check", "--show-settings", "--diff"],
    ] {
        let output = run(bare.path(), args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn pack_default_versions_are_the_oldest_the_loaded_packs_assume() {
    let dir = project(&[("tiny.toml", PACK), ("app.py", TIMEOUT_ERROR)]);
    // The built-in packs assume 3.10, this one 3.9: the oldest counts.
    assert_eq!(
        versions_shown(dir.path(), &["--rulepack", "tiny.toml"]),
        ["python = 3.9 from `default-versions` of the pack tiny (the project declares none)"]
    );
    // `anyio-lint test` checks a pack's examples under its defaults: TY1's example declares 3.11.
    let tested = run(dir.path(), &["test", "tiny.toml"]);
    assert_eq!(tested.status.code(), Some(0), "{}", stdout(&tested));
    let undeclared = String::from_utf8(PACK.to_vec())
        .unwrap()
        .replace("versions = { python = \"3.11\" }\n", "");
    std::fs::write(dir.path().join("tiny.toml"), undeclared).unwrap();
    let tested = run(dir.path(), &["test", "tiny.toml"]);
    assert_eq!(tested.status.code(), Some(1), "{}", stdout(&tested));
    assert!(
        stdout(&tested).contains("expected a TY1 finding, got none"),
        "{}",
        stdout(&tested)
    );
    // A default that is not a version is refused where it is written.
    let bad = String::from_utf8(PACK.to_vec())
        .unwrap()
        .replace("python = \"3.9\"", "python = \"three\"");
    std::fs::write(dir.path().join("tiny.toml"), bad).unwrap();
    let output = run(dir.path(), &["check", "--rulepack", "tiny.toml", "app.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`default-versions.python`: `three` is not a version"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_version_of_a_distribution_no_pack_tests_is_warned_about() {
    let dir = common::project(&[("a.py", b"x = 1\n")]);
    let output = common::run(dir.path(), &["check", "--version-of", "anyo=4.12", "a.py"]);
    assert_eq!(output.status.code(), Some(0));
    let err = common::stderr(&output);
    assert!(
        err.contains("warning: `--version-of anyo=4.12`: no loaded pack declares or tests the distribution `anyo`, so it changes nothing; the loaded packs know `anyio`, `python`"),
        "{err}"
    );
    // A distribution a pack tests is taken silently.
    let output = common::run(
        dir.path(),
        &["check", "--version-of", "anyio=4.12,python=3.12", "a.py"],
    );
    assert_eq!(common::stderr(&output), "");
    // A version that is none names the option.
    let output = common::run(dir.path(), &["check", "--version-of", "anyio=abc", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        common::stderr(&output),
        "error: `--version-of anyio=abc`: `abc` is not a version such as `4.12`\n"
    );
}
