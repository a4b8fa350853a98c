//! Fixes proven by running them: every program in `tests/behaviour/programs/` is run on asyncio,
//! migrated with `--fix --unsafe-fixes`, and run again on anyio's asyncio and trio backends; the
//! outputs must be equal. A program whose directive lists fixes that must be withheld is run again
//! on asyncio only, after checking that those findings, naming the uses that block them, are all
//! that remains. The example project is migrated and its own tests run on both backends.
//!
//! The tests make their own virtual environment (pinned anyio, trio and pytest from PyPI) under
//! Cargo's target directory, once, and reuse it.

mod common;

use std::collections::BTreeSet;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::must_succeed;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's Python, created on first use.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(common::backends_python)
}

fn lint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anyio-lint"))
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Run a Python program; its stdout, or a panic naming `what` with everything it printed.
fn run_python(args: &[&Path], dir: &Path, what: &str) -> String {
    let output = must_succeed(
        Command::new(python())
            .args(args)
            .current_dir(dir)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        what,
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a program's leading `# anyio-lint-test: key = value` lines ask for.
struct Directives {
    /// The `anyio-lint.toml` the program is migrated under: every key but `withheld` is a version.
    config: String,
    /// `withheld = ["CODE:LINE", …]`: the fixes that must be withheld, each as the rule's code and
    /// the line of the program (as written) holding the use that blocks it.
    withheld: Vec<(String, u64)>,
}

/// The directives of `program`, named `name` in errors.
fn directives(name: &str, program: &str) -> Directives {
    let lines: Vec<&str> = program
        .lines()
        .map_while(|line| line.strip_prefix("# anyio-lint-test:"))
        .collect();
    let mut table: toml::Table = lines
        .join("\n")
        .parse()
        .unwrap_or_else(|e| panic!("{name}: its `# anyio-lint-test:` lines are not TOML: {e}"));
    let withheld = match table.remove("withheld") {
        None => Vec::new(),
        Some(value) => value
            .as_array()
            .unwrap_or_else(|| panic!("{name}: `withheld` takes a list, not {value}"))
            .iter()
            .map(|entry| {
                entry
                    .as_str()
                    .and_then(|e| e.split_once(':'))
                    .and_then(|(code, line)| Some((code.to_owned(), line.parse().ok()?)))
                    .unwrap_or_else(|| {
                        panic!("{name}: `withheld` takes strings \"CODE:LINE\", not {entry}")
                    })
            })
            .collect(),
    };
    Directives {
        config: format!("[versions]\n{table}"),
        withheld,
    }
}

/// Whether a line uses asyncio, ignoring comments and docstrings (lines of prose).
fn on_asyncio(line: &str) -> bool {
    let code = line.trim_start();
    let prose = code.starts_with('#') || code.starts_with("\"\"\"");
    let uses = code.contains("asyncio.") || code.contains("import asyncio");
    (!prose && uses) || code.starts_with("from asyncio")
}

/// The lines still on asyncio.
fn asyncio_left(source: &str) -> Vec<&str> {
    source.lines().filter(|line| on_asyncio(line)).collect()
}

/// The codes of the rules whose fixes a `check --fix --statistics --output-format json` run
/// applied, in any of its passes.
fn applied_codes(statistics: &[u8]) -> BTreeSet<String> {
    let rules: Vec<serde_json::Value> = serde_json::from_slice(statistics).unwrap_or_default();
    rules
        .iter()
        .filter(|r| r["fixed"].as_u64().is_some_and(|n| n > 0))
        .filter_map(|r| r["code"].as_str().map(str::to_owned))
        .collect()
}

/// A finding, as far as the suite reads it.
#[derive(Debug)]
struct Finding {
    code: String,
    lines: RangeInclusive<u64>,
    fixable: bool,
    /// The use its help names as blocking the fix, and that use's line.
    blocked_by: Option<(String, u64)>,
}

/// The findings of `check` on `name`.
fn findings(dir: &Path, name: &str) -> Vec<Finding> {
    let output = lint(dir, &["check", "--output-format", "json", name]);
    let items: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}\n{}", String::from_utf8_lossy(&output.stderr)));
    let row = |location: &serde_json::Value| location["row"].as_u64().unwrap_or_default();
    items
        .iter()
        .map(|f| Finding {
            code: f["code"].as_str().unwrap_or_default().to_owned(),
            lines: row(&f["location"])..=row(&f["end_location"]),
            fixable: !f["fix"].is_null(),
            blocked_by: f["help"].as_str().and_then(blocking_use),
        })
        .collect()
}

/// The use and line that a help's ``no fix: `USE` at line N needs …`` names.
fn blocking_use(help: &str) -> Option<(String, u64)> {
    let (_, rest) = help.split_once("no fix: `")?;
    let (used, rest) = rest.split_once("` at line ")?;
    let line = rest.split(' ').next()?.parse().ok()?;
    Some((used.to_owned(), line))
}

/// Line `n` (from 1) of `text`.
fn line(text: &str, n: u64) -> &str {
    n.checked_sub(1)
        .and_then(|i| text.lines().nth(i as usize))
        .unwrap_or_default()
}

/// A program whose fixes must be withheld, before and after `--fix --unsafe-fixes`: each finding
/// its directive names offers no fix and names the use on that line as the reason, the same
/// findings are all that remains, and nothing else is left on asyncio.
fn check_withheld(
    name: &str,
    withheld: &[(String, u64)],
    original: &str,
    before: &[Finding],
    migrated: &str,
    after: &[Finding],
) -> Result<(), String> {
    let mut expected = Vec::new();
    for (code, at) in withheld {
        let named = before
            .iter()
            .find(|f| f.code == *code && f.blocked_by.as_ref().is_some_and(|(_, line)| line == at));
        let Some(Finding {
            fixable: false,
            blocked_by: Some((used, _)),
            ..
        }) = named
        else {
            return Err(format!(
                "{name}: no {code} finding withholds its fix for a use at line {at}:\n{before:#?}"
            ));
        };
        if !line(original, *at).contains(used.as_str()) {
            return Err(format!(
                "{name}: {code} names `{used}` at line {at}, which is `{}`",
                line(original, *at)
            ));
        }
        expected.push((code.clone(), used.clone()));
    }
    let mut left: Vec<(String, String)> = after
        .iter()
        .filter_map(|f| match &f.blocked_by {
            Some((used, at)) if !f.fixable && line(migrated, *at).contains(used.as_str()) => {
                Some((f.code.clone(), used.clone()))
            }
            _ => None,
        })
        .collect();
    expected.sort();
    left.sort();
    if left != expected || after.len() != expected.len() {
        return Err(format!(
            "{name}: after --fix --unsafe-fixes, the findings left should be the withheld \
             {expected:?}:\n{after:#?}\n--- migrated ---\n{migrated}"
        ));
    }
    let stray: Vec<&str> = migrated
        .lines()
        .zip(1..)
        .filter(|(text, n)| {
            on_asyncio(text)
                && text.trim() != "import asyncio"
                && !after.iter().any(|f| f.lines.contains(n))
        })
        .map(|(text, _)| text)
        .collect();
    if !stray.is_empty() {
        return Err(format!(
            "{name}: asyncio left outside the withheld findings: {stray:?}\n{migrated}"
        ));
    }
    Ok(())
}

/// Check one program; the codes of the fixes it exercised.
fn check_program(path: &Path) -> Result<BTreeSet<String>, String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let original = std::fs::read_to_string(path).unwrap();
    let Directives { config, withheld } = directives(&name, &original);
    let dir = tempfile::tempdir().unwrap();
    let migrated = dir.path().join(&name);
    std::fs::write(&migrated, &original).unwrap();
    std::fs::write(dir.path().join("anyio-lint.toml"), config).unwrap();

    let expected = run_python(&[path], dir.path(), &format!("{name} on asyncio, before"));
    if expected.trim().is_empty() {
        return Err(format!("{name}: the original program printed nothing"));
    }
    let before = findings(dir.path(), &name);

    let migrate = [
        "check",
        "--fix",
        "--unsafe-fixes",
        "--statistics",
        "--output-format",
        "json",
        &name,
    ];
    let fixed = lint(dir.path(), &migrate);
    let exercised = applied_codes(&fixed.stdout);
    let text = std::fs::read_to_string(&migrated).unwrap();
    if withheld.is_empty() {
        if !fixed.status.success() {
            return Err(format!(
                "{name}: findings remain after --fix --unsafe-fixes (exit {}):\n{}{}\n--- migrated ---\n{text}",
                fixed.status,
                String::from_utf8_lossy(&fixed.stdout),
                String::from_utf8_lossy(&fixed.stderr)
            ));
        }
        let left = asyncio_left(&text);
        if !left.is_empty() {
            return Err(format!(
                "{name}: asyncio left after migration: {left:?}\n{text}"
            ));
        }
    } else {
        let after = findings(dir.path(), &name);
        check_withheld(&name, &withheld, &original, &before, &text, &after)?;
    }
    let again = lint(
        dir.path(),
        &["check", "--fix", "--unsafe-fixes", "-q", &name],
    );
    if std::fs::read_to_string(&migrated).unwrap() != text
        || (withheld.is_empty() && !again.status.success())
    {
        return Err(format!("{name}: a second --fix changed the file"));
    }

    // A program left partly on asyncio runs on the asyncio backend only.
    let backends: &[&str] = if withheld.is_empty() {
        &["asyncio", "trio"]
    } else {
        &["asyncio"]
    };
    let runner = root().join("tests/behaviour/run_on_backend.py");
    for backend in backends {
        let backend_arg = PathBuf::from(backend);
        let got = run_python(
            &[&runner, &backend_arg, &migrated],
            dir.path(),
            &format!("{name} migrated, on {backend}:\n{text}"),
        );
        if got != expected {
            return Err(format!(
                "{name} on {backend}: output differs\n--- asyncio original ---\n{expected}\n--- \
                 migrated on {backend} ---\n{got}\n--- migrated source ---\n{text}"
            ));
        }
    }
    Ok(exercised)
}

#[test]
fn migrated_programs_behave_the_same_on_both_backends() {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/behaviour/programs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "py"))
        .collect();
    programs.sort();
    assert!(
        programs.len() >= 20,
        "the suite has {} programs",
        programs.len()
    );
    python();
    let results = common::run_programs(&programs, 2, check_program);
    common::assert_programs_pass(&results);
    // Every rule with a fix is applied in the migration of some program.
    let exercised: BTreeSet<String> = results.into_iter().flat_map(Result::unwrap).collect();
    let listing = lint(&root(), &["rules", "--output-format", "json"]);
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&listing.stdout).unwrap();
    let missing: Vec<&str> = rules
        .iter()
        .filter(|r| !r["fix"].is_null() && r["pack"] == "asyncio-to-anyio")
        .filter_map(|r| r["code"].as_str())
        .filter(|code| !exercised.contains(*code))
        .collect();
    assert!(
        missing.is_empty(),
        "rules with a fix that no program exercises: {missing:?}"
    );
}

/// Copy a directory tree (the example project has no symlinks).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_example_project_migrates_and_its_tests_pass_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    copy_tree(&root().join("pyproject-example"), &project);

    let fixed = lint(&project, &["check", "--fix", "--unsafe-fixes", "-q", "."]);
    assert!(
        fixed.status.success(),
        "findings remain in the example project:\n{}{}",
        String::from_utf8_lossy(&fixed.stdout),
        String::from_utf8_lossy(&fixed.stderr)
    );
    for file in ["src/fetcher/client.py", "src/fetcher/cli.py"] {
        let text = std::fs::read_to_string(project.join(file)).unwrap();
        assert!(
            asyncio_left(&text).is_empty(),
            "asyncio left in {file}:\n{text}"
        );
    }

    let output = must_succeed(
        Command::new(python())
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "anyio",
                "-p",
                "no:cacheprovider",
                "tests",
            ])
            .current_dir(&project)
            .env("PYTHONPATH", project.join("src"))
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        "the example project's tests after migration",
    );
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(
        summary.contains("[trio]") || summary.contains(" passed"),
        "{summary}"
    );
    let passed: usize = summary
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1].starts_with("passed"))
        .and_then(|w| w[0].parse().ok())
        .unwrap_or(0);
    let tests = std::fs::read_to_string(project.join("tests/test_client.py"))
        .unwrap()
        .matches("@pytest.mark.anyio")
        .count();
    assert_eq!(
        passed,
        tests * 2,
        "every test must pass on asyncio and on trio:\n{summary}"
    );
}

#[test]
fn a_pytest_asyncio_module_runs_under_anyios_plugin_on_both_backends() {
    let original = root().join("tests/behaviour/pytest_suite/test_service.py");
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("test_service.py");
    std::fs::copy(&original, &module).unwrap();
    std::fs::write(dir.path().join("anyio-lint.toml"), "[versions]\n").unwrap();

    let fixed = lint(dir.path(), &["check", "--fix", "--unsafe-fixes", "-q", "."]);
    let text = std::fs::read_to_string(&module).unwrap();
    assert!(
        fixed.status.success(),
        "findings remain:\n{}\n{text}",
        String::from_utf8_lossy(&fixed.stdout)
    );
    assert!(
        !text.contains("pytest_asyncio") && asyncio_left(&text).is_empty(),
        "{text}"
    );

    // The plugin under test is anyio's alone.
    let probe = Command::new(python())
        .args(["-c", "import pytest_asyncio"])
        .output()
        .unwrap();
    assert!(
        !probe.status.success(),
        "pytest-asyncio must not be installed"
    );

    let output = must_succeed(
        Command::new(python())
            .args([
                "-m",
                "pytest",
                "-v",
                "-p",
                "no:cacheprovider",
                "test_service.py",
            ])
            .current_dir(dir.path())
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        &format!("the migrated pytest module:\n{text}"),
    );
    let report = String::from_utf8_lossy(&output.stdout);
    let async_tests = text.matches("async def test_").count();
    for backend in ["asyncio", "trio"] {
        let passed = report
            .lines()
            .filter(|l| l.contains(&format!("[{backend}] PASSED")))
            .count();
        assert_eq!(passed, async_tests, "on {backend}:\n{report}");
    }
    assert!(
        report.contains("test_sync_tests_are_untouched PASSED"),
        "{report}"
    );
}

#[test]
fn a_suite_in_pytest_asyncios_auto_mode_runs_under_anyios_auto_mode_after_migration() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    // pytest-asyncio's auto mode, one of its options, and warnings as errors: left as they are,
    // the unknown options stop pytest and the unmarked async test is not run.
    let ini = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\nfilterwarnings =\n    error\n";
    std::fs::write(project.join("pytest.ini"), ini).unwrap();
    std::fs::write(
        project.join("anyio-lint.toml"),
        "[versions]\nanyio = \"4.16\"\n",
    )
    .unwrap();
    let module = "import asyncio\n\nimport pytest\n\n\n@pytest.fixture\nasync def delay():\n    await asyncio.sleep(0)\n    return 0.001\n\n\nasync def test_sleeps(delay):\n    await asyncio.sleep(delay)\n\n\ndef test_sync():\n    assert True\n";
    std::fs::write(project.join("test_unmarked.py"), module).unwrap();
    let pytest = |what: &str| {
        Command::new(python())
            .args(["-m", "pytest", "-v", "-p", "no:cacheprovider"])
            .current_dir(project)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    };
    let before = pytest("pytest before the migration");
    assert!(
        !before.status.success(),
        "the suite passed before its migration:\n{}",
        String::from_utf8_lossy(&before.stdout)
    );

    let fixed = lint(project, &["check", "--fix", "--unsafe-fixes", "-q", "."]);
    assert!(
        fixed.status.success(),
        "findings remain:\n{}{}",
        String::from_utf8_lossy(&fixed.stdout),
        String::from_utf8_lossy(&fixed.stderr)
    );
    let migrated = std::fs::read_to_string(project.join("pytest.ini")).unwrap();
    assert_eq!(
        migrated,
        "[pytest]\nanyio_mode = auto\nfilterwarnings =\n    error\n"
    );
    let again = lint(project, &["check", "--fix", "--unsafe-fixes", "-q", "."]);
    assert!(again.status.success());
    assert_eq!(
        std::fs::read_to_string(project.join("pytest.ini")).unwrap(),
        migrated
    );

    let after = pytest("pytest after the migration");
    let report = String::from_utf8_lossy(&after.stdout);
    let text = std::fs::read_to_string(project.join("test_unmarked.py")).unwrap();
    assert!(
        after.status.success(),
        "the migrated suite fails:\n{report}{}\n{text}",
        String::from_utf8_lossy(&after.stderr)
    );
    for backend in ["asyncio", "trio"] {
        assert!(
            report.contains(&format!("test_sleeps[{backend}] PASSED")),
            "on {backend}:\n{report}"
        );
    }
    assert!(report.contains("test_sync PASSED"), "{report}");
}
