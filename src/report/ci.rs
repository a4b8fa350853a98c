//! Formats for CI systems: GitHub workflow commands, GitLab Code Quality JSON and JUnit XML (SARIF
//! is in [`super::sarif`]). Each is a pure function of the reports.

use std::collections::BTreeMap;

use ruff_source_file::LineIndex;
use serde::Serialize;

use super::json::{pretty_array, pretty_at};
use super::{FileReport, code_of, escape_markup, span};
use crate::base::diagnostic::{Diagnostic, Severity};

/// A path as CI systems want it: relative, with `/` separators.
pub(super) fn uri(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/")
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
        let ((row, column), (end_row, end_column)) = span(index, source, d.range);
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

/// GitLab Code Quality report (a JSON array). `check_name` is the rule's code; the description
/// names its aliases too. Fingerprints are stable across runs: file, code, the covered text and
/// the occurrence among identical findings; never line numbers.
pub fn gitlab(files: &[FileReport]) -> String {
    let mut pieces = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    each(files, |file, source, index, d| {
        let ((row, _), (end_row, _)) = span(index, source, d.range);
        let covered = source
            .get(d.range.start().to_usize()..d.range.end().to_usize())
            .unwrap_or("");
        let base = fingerprint(&[&uri(&file.path), code_of(d), covered]);
        let occurrence = seen.entry(base.clone()).or_insert(0);
        *occurrence += 1;
        let issue = CodeQualityIssue {
            check_name: code_of(d),
            description: format!("{}: {}", code_and_aliases(d), d.message),
            fingerprint: fingerprint(&[&base, &occurrence.to_string()]),
            location: CodeQualityLocation {
                lines: CodeQualityLines {
                    begin: row,
                    end: end_row,
                },
                path: uri(&file.path),
            },
            severity: match d.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Info => "info",
            },
        };
        pieces.push(pretty_at(&issue, 1));
    });
    let mut text = pretty_array(&pieces, 0);
    text.push('\n');
    text
}

/// A finding's code, followed by its rule's aliases in parentheses when it has some:
/// `ASY115 (ASYNC115)`.
fn code_and_aliases(d: &Diagnostic) -> String {
    if d.aliases.is_empty() {
        return code_of(d).to_owned();
    }
    format!("{} ({})", code_of(d), d.aliases.join(", "))
}

/// One finding in GitLab's Code Quality schema (fields in the order serde_json gives keys).
#[derive(Serialize)]
struct CodeQualityIssue<'a> {
    check_name: &'a str,
    description: String,
    fingerprint: String,
    location: CodeQualityLocation,
    severity: &'static str,
}

#[derive(Serialize)]
struct CodeQualityLocation {
    lines: CodeQualityLines,
    path: String,
}

#[derive(Serialize)]
struct CodeQualityLines {
    begin: usize,
    end: usize,
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
            let ((row, column), _) = span(&index, source, d.range);
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
