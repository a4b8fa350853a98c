//! End to end: every `--output-format`, and `--output-file`. SARIF is validated against the
//! official SARIF 2.1.0 schema with `jsonschema` from PyPI, JUnit parsed as XML
//! (`tests/outputs/validate.py`).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{assert_exact_snapshot, must_succeed, project, run, stdout, venv};

const APP: &str = "import asyncio\n\nasync def main():\n    await asyncio.sleep(1)\n    lock = asyncio.Lock()\n\nasyncio.run(main())\n";

fn fixture() -> tempfile::TempDir {
    project(&[
        ("app.py", APP.as_bytes()),
        ("my dir/other.py", b"import asyncio\nasyncio.sleep(2)\n"),
        ("broken.py", b"import asyncio\nx = (\n"),
    ])
}

fn format(dir: &Path, name: &str) -> String {
    let output = run(dir, &["check", "--output-format", name]);
    assert_eq!(output.status.code(), Some(1), "{name}");
    stdout(&output)
}

fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        venv("outputs-venv", &["jsonschema==4.26.0"])
            .join("bin")
            .join("python")
    })
}

fn validate(kind: &str, report: &Path) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/outputs/validate.py");
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sarif-schema");
    let output = must_succeed(
        Command::new(python())
            .arg(script)
            .arg(kind)
            .arg(report)
            .arg(cache),
        &format!("validating the {kind} report"),
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn grouped_lists_findings_under_their_file() {
    let dir = fixture();
    assert_exact_snapshot!("grouped", format(dir.path(), "grouped"));
}

#[test]
fn json_lines_holds_the_json_objects_one_per_line() {
    let dir = fixture();
    let array: serde_json::Value = serde_json::from_str(&format(dir.path(), "json")).unwrap();
    let lines: Vec<serde_json::Value> = format(dir.path(), "json-lines")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(array.as_array().unwrap(), &lines);
    assert_eq!(lines.len(), 5);
}

/// The JSON reports are written in pieces, file by file in parallel; the pieces must join into
/// exactly the text serde_json writes for the whole value (keys in its order, its indentation).
#[test]
fn json_reports_are_the_text_serde_json_writes_for_them_whole() {
    let dir = fixture();
    for name in ["json", "gitlab", "sarif"] {
        let text = format(dir.path(), name);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let whole = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(text, whole, "{name}");
    }
    let clean = project(&[("ok.py", b"x = 1\n")]);
    for name in ["json", "gitlab"] {
        assert_eq!(format_clean(clean.path(), name), "[]\n", "{name}");
    }
    for line in format(dir.path(), "json-lines").lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(line, serde_json::to_string(&value).unwrap());
    }
}

fn format_clean(dir: &Path, name: &str) -> String {
    let output = run(dir, &["check", "--output-format", name]);
    assert_eq!(output.status.code(), Some(0), "{name}");
    stdout(&output)
}

#[test]
fn github_annotations() {
    let dir = fixture();
    let text = format(dir.path(), "github");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        lines[0],
        "::warning title=anyio-lint (AIO101),file=app.py,line=4,col=11,endLine=4,endColumn=27::AIO101: `asyncio.sleep(1)` becomes `anyio.sleep(1)`"
    );
    assert!(
        lines[3]
            .starts_with("::error title=anyio-lint (syntax-error),file=broken.py,line=3,col=1,"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].contains("file=my dir/other.py,line=2"),
        "{}",
        lines[4]
    );
}

#[test]
fn gitlab_code_quality_with_stable_fingerprints() {
    let dir = fixture();
    let report = |dir: &Path| -> Vec<serde_json::Value> {
        serde_json::from_str::<serde_json::Value>(&format(dir, "gitlab"))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let before = report(dir.path());
    assert_eq!(before.len(), 5);
    for item in &before {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(item[key].is_string(), "{key} in {item}");
        }
        assert!(item["location"]["path"].is_string(), "{item}");
        assert!(item["location"]["lines"]["begin"].is_u64(), "{item}");
    }
    let fingerprints = |items: &[serde_json::Value]| -> std::collections::BTreeSet<String> {
        items
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(fingerprints(&before).len(), 5, "fingerprints are unique");
    assert_eq!(before[0]["severity"], "minor");
    assert_eq!(before[3]["severity"], "major");
    // Lines added above move the findings; their fingerprints stay.
    std::fs::write(
        dir.path().join("app.py"),
        format!("\"\"\"Doc.\"\"\"\n\n{APP}"),
    )
    .unwrap();
    let after = report(dir.path());
    assert_eq!(after[0]["location"]["lines"]["begin"], 6);
    assert_eq!(fingerprints(&before), fingerprints(&after));
}

#[test]
fn junit_is_well_formed_xml_with_a_failure_per_finding() {
    let dir = fixture();
    let path = dir.path().join("report.xml");
    std::fs::write(&path, format(dir.path(), "junit")).unwrap();
    assert_eq!(validate("junit", &path).trim(), "5");
    let clean = project(&[("ok.py", b"x = 1\n")]);
    let output = run(clean.path(), &["check", "--output-format", "junit"]);
    assert!(stdout(&output).contains("<testcase name=\"No errors found\""));
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let dir = fixture();
    let path = dir.path().join("report.sarif");
    let output = run(
        dir.path(),
        &["check", "--output-format", "sarif", "-o", "report.sarif"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "", "-o writes nothing to standard output");
    let text = std::fs::read_to_string(&path).unwrap();
    validate("sarif", &path);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let sleep = &results[0];
    assert_eq!(sleep["ruleId"], "AIO101");
    assert_eq!(
        sleep["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    let replacements = &sleep["fixes"][0]["artifactChanges"][0]["replacements"];
    assert!(
        replacements
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["insertedContent"]["text"] == "anyio.sleep(1)"),
        "{replacements}"
    );
    assert_eq!(
        results[4]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20dir/other.py"
    );
}

#[test]
fn a_finding_on_a_very_long_line_shows_an_excerpt_of_it() {
    // 300 findings on one line of 600 kB (generated or minified code): printed whole, the line
    // would be repeated for each of them.
    let terms: Vec<&str> = (0..300_000)
        .map(|i| {
            if i % 1000 == 999 {
                "asyncio.sleep(1)"
            } else {
                "1"
            }
        })
        .collect();
    let source = format!("import asyncio\nx = {}\n", terms.join("+"));
    let dir = project(&[("long.py", source.as_bytes())]);
    let full = format(dir.path(), "full");
    assert_eq!(full.matches("warning[AIO101]").count(), 300);
    assert!(full.len() < 300 * 1_000, "{} bytes", full.len());
    // The first finding: its line and column, the excerpt cut with `…` after it only.
    let column = 5 + 999 * 2;
    assert!(
        full.contains(&format!("long.py:2:{column}\n")),
        "{}",
        &full[..600]
    );
    let first_line = full
        .lines()
        .find(|line| line.starts_with("2 │ "))
        .expect("the source line");
    assert!(first_line.starts_with("2 │ …1+1+") && first_line.ends_with("+1+1…"));
    assert!(first_line.contains("+asyncio.sleep(1)+"));
    // A short line is shown whole.
    let short = format(fixture().path(), "full");
    assert!(short.contains("4 │     await asyncio.sleep(1)\n"));
}

/// A pack with one rule carrying two aliases, and one without.
const ALIASED_PACK: &str = r#"[pack]
name = "aliased"
version = "1"
description = "Rules with aliases."
prefix = "FX"
modules = ["m"]

[[rule]]
code = "FX1"
name = "first"
aliases = ["OTHER101", "THIRD7"]
message = "first"
explain = "e"
match.pattern = "m.f()"
[[rule.example]]
flagged = "import m\nm.f()\n"

[[rule]]
code = "FX2"
name = "second"
message = "second"
explain = "e"
match.pattern = "m.g()"
[[rule.example]]
flagged = "import m\nm.g()\n"
"#;

#[test]
fn the_machine_formats_name_a_rules_aliases() {
    let dir = project(&[
        ("pack.toml", ALIASED_PACK.as_bytes()),
        ("app.py", b"import m\nm.f()\nm.g()\n"),
    ]);
    let report = |name: &str| -> serde_json::Value {
        let output = run(
            dir.path(),
            &[
                "check",
                "--no-builtin-packs",
                "--rulepack",
                "pack.toml",
                "--output-format",
                name,
                "app.py",
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{name}");
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    // JSON: every finding lists its rule's aliases (none: an empty list).
    let json = report("json");
    assert_eq!(json[0]["code"], "FX1");
    assert_eq!(
        json[0]["aliases"],
        serde_json::json!(["OTHER101", "THIRD7"])
    );
    assert_eq!(json[1]["aliases"], serde_json::json!([]));
    // SARIF: the rule descriptor's property bag holds them; a rule without has no bag.
    let sarif = report("sarif");
    let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
    assert_eq!(rules[0]["id"], "FX1");
    assert_eq!(
        rules[0]["properties"]["aliases"],
        serde_json::json!(["OTHER101", "THIRD7"])
    );
    assert!(rules[1].get("properties").is_none(), "{}", rules[1]);
    let path = dir.path().join("report.sarif");
    std::fs::write(&path, serde_json::to_string_pretty(&sarif).unwrap()).unwrap();
    validate("sarif", &path);
    // GitLab: `check_name` is the code; the description names the aliases.
    let gitlab = report("gitlab");
    assert_eq!(gitlab[0]["check_name"], "FX1");
    assert_eq!(gitlab[0]["description"], "FX1 (OTHER101, THIRD7): first");
    assert_eq!(gitlab[1]["description"], "FX2: second");
}

#[test]
fn a_rules_url_is_given_only_when_its_pack_sets_one() {
    let dir = fixture();
    // The built-in packs set none: no `url`, no `helpUri`, and the tool names no web page.
    let json: serde_json::Value = serde_json::from_str(&format(dir.path(), "json")).unwrap();
    for item in json.as_array().unwrap() {
        assert!(item.get("url").is_none(), "{item}");
    }
    let sarif: serde_json::Value = serde_json::from_str(&format(dir.path(), "sarif")).unwrap();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert!(driver.get("informationUri").is_none(), "{driver}");
    for rule in driver["rules"].as_array().unwrap() {
        assert!(rule.get("helpUri").is_none(), "{rule}");
    }
    // A pack that sets one: each rule's, with its code and name filled in.
    let pack = ALIASED_PACK.replacen(
        "modules = [\"m\"]",
        "modules = [\"m\"]\nurl = \"https://example.org/rules/{code}-{name}.html\"",
        1,
    );
    std::fs::write(dir.path().join("pack.toml"), pack).unwrap();
    std::fs::write(dir.path().join("m.py"), "import m\nm.f()\n").unwrap();
    let report = |name: &str| -> serde_json::Value {
        let args = ["check", "--no-builtin-packs", "--rulepack", "pack.toml"];
        let output = run(
            dir.path(),
            &[&args[..], &["--output-format", name, "m.py"]].concat(),
        );
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let url = "https://example.org/rules/FX1-first.html";
    assert_eq!(report("json")[0]["url"], url);
    assert_eq!(
        report("sarif")["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"],
        url
    );
}

/// Run the binary under `umask` in `dir`.
fn run_under_umask(dir: &Path, umask: &str, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_anyio-lint"))
        .args(args)
        .output()
        .expect("sh runs")
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn output_files_are_created_with_the_users_umask_and_fixed_files_keep_their_mode() {
    let dir = fixture();
    for (umask, expected) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let outputs = [
            ("findings.txt", vec!["check", "-o", "findings.txt"]),
            (
                "findings.json",
                vec![
                    "check",
                    "--output-format",
                    "json",
                    "--output-file",
                    "findings.json",
                ],
            ),
            ("report.md", vec!["report", "-o", "report.md"]),
            (
                "baseline/b.json",
                vec!["check", "--write-baseline", "baseline/b.json"],
            ),
        ];
        for (file, args) in outputs {
            let output = run_under_umask(dir.path(), umask, &args);
            assert!(
                output.status.code().is_some_and(|c| c < 2),
                "{args:?}: {output:?}"
            );
            let path = dir.path().join(file);
            assert_eq!(mode(&path), expected, "{file} under umask {umask}");
            std::fs::remove_file(path).unwrap();
        }
    }
    // A file written again keeps its mode; a fixed file keeps its own, whatever the umask.
    let existing = dir.path().join("findings.txt");
    std::fs::write(&existing, "old").unwrap();
    std::fs::set_permissions(
        &existing,
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    run_under_umask(dir.path(), "077", &["check", "-o", "findings.txt"]);
    assert_eq!(mode(&existing), 0o640);
    assert_ne!(std::fs::read_to_string(&existing).unwrap(), "old");
    let app = dir.path().join("app.py");
    std::fs::set_permissions(&app, std::os::unix::fs::PermissionsExt::from_mode(0o754)).unwrap();
    let output = run_under_umask(dir.path(), "077", &["check", "--fix", "app.py"]);
    assert!(output.status.code().is_some_and(|c| c < 2), "{output:?}");
    assert!(
        std::fs::read_to_string(&app)
            .unwrap()
            .contains("anyio.sleep(1)")
    );
    assert_eq!(mode(&app), 0o754);
}
