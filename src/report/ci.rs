//! Formats for CI systems: GitHub workflow commands, GitLab Code Quality JSON, JUnit XML and SARIF
//! 2.1.0 (GitHub code scanning and most other dashboards). Each is a pure function of the reports.

use std::collections::BTreeMap;

use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;
use serde_json::{Value, json};

use super::{FileReport, code_of, escape_markup, position};
use crate::diagnostic::{Applicability, Diagnostic, Severity};

/// A path as CI systems want it: relative, with `/` separators.
fn uri(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
}

/// A path as a SARIF artifact URI: a relative reference, or a `file://` URI for an absolute path,
/// percent-encoded outside the unreserved characters and `/`.
fn sarif_uri(path: &str) -> String {
    let path = uri(path);
    let encoded: String = path
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// Start and end (row, column), 1-based, columns in characters.
fn span(index: &LineIndex, source: &str, d: &Diagnostic) -> ((usize, usize), (usize, usize)) {
    let start = position(index, source, d.range.start());
    let end = position(index, source, d.range.end().max(d.range.start()));
    (start, end)
}

/// Each diagnostic with its file, source and line index.
fn each(files: &[FileReport], mut visit: impl FnMut(&FileReport, &str, &LineIndex, &Diagnostic)) {
    for file in files {
        let source = file.source.as_deref().unwrap_or("");
        let index = LineIndex::from_source_text(source);
        for d in &file.diagnostics {
            visit(file, source, &index, d);
        }
    }
}

/// GitHub Actions workflow commands: one annotation per finding.
pub fn github(files: &[FileReport]) -> String {
    // Workflow commands escape `%`, CR and LF in messages, and also `,` and `:` in properties.
    let data = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |text: &str| data(text).replace(',', "%2C").replace(':', "%3A");
    let mut out = String::new();
    each(files, |file, source, index, d| {
        let ((row, column), (end_row, end_column)) = span(index, source, d);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        out.push_str(&format!(
            "::{level} title={},file={},line={row},col={column},endLine={end_row},endColumn={end_column}::{}\n",
            property(&format!("anyio-lint ({})", code_of(d))),
            property(&uri(&file.path)),
            data(&format!("{}: {}", code_of(d), d.message)),
        ));
    });
    out
}

/// FNV-1a, 64 bits, as hex: a stable fingerprint.
fn fingerprint(parts: &[&str]) -> String {
    let hash = parts
        .iter()
        .flat_map(|p| p.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{hash:016x}")
}

/// GitLab Code Quality report (a JSON array). Fingerprints are stable across runs: file, code,
/// the covered text and the occurrence among identical findings; never line numbers.
pub fn gitlab(files: &[FileReport]) -> String {
    let mut items = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    each(files, |file, source, index, d| {
        let ((row, _), (end_row, _)) = span(index, source, d);
        let covered = source
            .get(d.range.start().to_usize()..d.range.end().to_usize())
            .unwrap_or("");
        let base = fingerprint(&[&uri(&file.path), code_of(d), covered]);
        let occurrence = seen.entry(base.clone()).or_insert(0);
        *occurrence += 1;
        let severity = match d.severity {
            Severity::Error => "major",
            Severity::Warning => "minor",
            Severity::Info => "info",
        };
        items.push(json!({
            "description": format!("{}: {}", code_of(d), d.message),
            "check_name": code_of(d),
            "fingerprint": fingerprint(&[&base, &occurrence.to_string()]),
            "severity": severity,
            "location": {
                "path": uri(&file.path),
                "lines": { "begin": row, "end": end_row },
            },
        }));
    });
    let mut text = serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default();
    text.push('\n');
    text
}

/// JUnit XML: a test suite per file with findings, a failing test case per finding; a single
/// passing test case when there are none.
pub fn junit(files: &[FileReport]) -> String {
    let total: usize = files.iter().map(|f| f.diagnostics.len()).sum();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"anyio-lint\" tests=\"{}\" failures=\"{total}\">\n",
        total.max(1)
    );
    if total == 0 {
        out.push_str("  <testsuite name=\"anyio-lint\" tests=\"1\" failures=\"0\">\n    <testcase name=\"No errors found\" classname=\"anyio-lint\"/>\n  </testsuite>\n");
    }
    for file in files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let source = file.source.as_deref().unwrap_or("");
        let index = LineIndex::from_source_text(source);
        let path = escape_markup(&uri(&file.path));
        out.push_str(&format!(
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\">\n",
            n = file.diagnostics.len()
        ));
        for d in &file.diagnostics {
            let ((row, column), _) = span(&index, source, d);
            out.push_str(&format!(
                "    <testcase name=\"anyio-lint.{code}\" classname=\"{path}\" file=\"{path}\" line=\"{row}\">\n      <failure message=\"{message}\" type=\"{code}\">line {row}, col {column}, {message}</failure>\n    </testcase>\n",
                code = escape_markup(code_of(d)),
                message = escape_markup(&d.message),
            ));
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn region(index: &LineIndex, source: &str, start: TextSize, end: TextSize) -> Value {
    let (row, column) = position(index, source, start);
    let (end_row, end_column) = position(index, source, end.max(start));
    json!({ "startLine": row, "startColumn": column, "endLine": end_row, "endColumn": end_column })
}

/// SARIF 2.1.0: one run, the rules that produced findings, results with locations and fixes.
pub fn sarif(files: &[FileReport], unsafe_fixes: bool) -> String {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    each(files, |_, _, _, d| {
        let id = code_of(d).to_owned();
        rules.entry(id.clone()).or_insert_with(|| {
            let mut rule = json!({
                "id": id,
                "name": d.name.clone().unwrap_or_else(|| id.clone()),
                "shortDescription": { "text": d.name.clone().unwrap_or_else(|| id.clone()) },
                "defaultConfiguration": { "level": level(d.severity) },
            });
            if let Some(url) = &d.url {
                rule["helpUri"] = json!(url);
            }
            rule
        });
    });
    let rule_index: BTreeMap<&str, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut results = Vec::new();
    each(files, |file, source, index, d| {
        let location = json!({
            "physicalLocation": {
                "artifactLocation": { "uri": sarif_uri(&file.path) },
                "region": region(index, source, d.range.start(), d.range.end()),
            }
        });
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let mut result = json!({
            "ruleId": code_of(d),
            "ruleIndex": rule_index[code_of(d)],
            "level": level(d.severity),
            "message": { "text": message },
            "locations": [location],
        });
        if let Some(fix) = &d.fix {
            let applies = fix.applicability == Applicability::Safe || unsafe_fixes;
            result["fixes"] = json!([{
                "description": { "text": format!("{}{}", fix.title, if applies { "" } else { " (unsafe)" }) },
                "artifactChanges": [{
                    "artifactLocation": { "uri": sarif_uri(&file.path) },
                    "replacements": fix.edits.iter().map(|e| json!({
                        "deletedRegion": region(index, source, e.range.start(), e.range.end()),
                        "insertedContent": { "text": e.content },
                    })).collect::<Vec<_>>(),
                }],
            }]);
        }
        results.push(result);
    });
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "anyio-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/anyio-lint/anyio-lint",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}
