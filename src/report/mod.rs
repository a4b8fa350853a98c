//! Rendering results: `concise`, `grouped`, the summary line and `--statistics` here; `full`
//! (rustc-style, via codespan-reporting) in [`full`], `json` (Ruff's schema) and `json-lines` in
//! [`json`], SARIF in [`sarif`] and the other CI formats in [`ci`]. Rendering is pure: the same
//! results always give the same bytes. The human formats show source text, paths and messages
//! escaped ([`terminal`]); the machine formats keep them exact. Beside the findings' formats:
//! baselines ([`baseline`]), the migration report ([`migration`]) and rule documentation pages
//! ([`rule_docs`]). `--show-fixes` counts fixes per file and rule in [`fixes`].

pub mod baseline;
pub mod ci;
mod fixes;
mod full;
mod json;
pub mod migration;
pub mod rule_docs;
mod sarif;
mod terminal;

pub use fixes::fix_summary;
use full::full;
pub use json::{json, json_lines};
pub use terminal::escape;

use std::collections::BTreeMap;

use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};
use serde_json::{Value, json};

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::config::settings::Format;

/// The results for one file.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// The path as shown to the user.
    pub path: String,
    /// The absolute path (for JSON).
    pub absolute: String,
    /// The text the diagnostics refer to (`None` when there are none, or the file could not be
    /// read).
    pub source: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Fixes applied, per rule code.
    pub fixed: BTreeMap<String, usize>,
    /// Rollbacks, write errors and other problems with this file.
    pub problems: Vec<String>,
    /// What the check left out of this file and why (printed with `--verbose`).
    pub notes: Vec<String>,
}

/// The whole report in `format`.
pub fn render(format: Format, files: &[FileReport], unsafe_fixes: bool, color: bool) -> String {
    match format {
        Format::Full => full(files, unsafe_fixes, color),
        Format::Concise => concise(files, unsafe_fixes),
        Format::Grouped => grouped(files, unsafe_fixes),
        Format::Json => json(files),
        Format::JsonLines => json_lines(files),
        Format::Sarif => sarif::sarif(files, unsafe_fixes),
        Format::Github => ci::github(files),
        Format::Gitlab => ci::gitlab(files),
        Format::Junit => ci::junit(files),
    }
}

/// Row and column (both 1-based, column in characters) of an offset.
pub fn position(index: &LineIndex, source: &str, offset: TextSize) -> (usize, usize) {
    let location = index.line_column(offset, source);
    (location.line.get(), location.column.get())
}

/// Start and end (row, column) of a range, 1-based, columns in characters.
pub(crate) fn span(
    index: &LineIndex,
    source: &str,
    range: TextRange,
) -> ((usize, usize), (usize, usize)) {
    let start = position(index, source, range.start());
    let end = position(index, source, range.end().max(range.start()));
    (start, end)
}

pub(crate) fn fix_marker(diagnostic: &Diagnostic, unsafe_fixes: bool) -> &'static str {
    if diagnostic.fix_applies(unsafe_fixes) {
        "[*] "
    } else {
        ""
    }
}

/// `text` safe inside XML or HTML text and attribute values: markup characters escaped, control
/// characters (which XML forbids) other than newline and tab dropped.
pub fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

pub(crate) fn code_of(diagnostic: &Diagnostic) -> &str {
    diagnostic
        .code
        .as_deref()
        .or(diagnostic.name.as_deref())
        .unwrap_or("error")
}

/// `path:row:col: CODE [*] message`, one line per diagnostic (path, code and message escaped
/// for the terminal: [`escape`]).
pub fn concise(files: &[FileReport], unsafe_fixes: bool) -> String {
    let mut out = String::new();
    for file in files {
        let source = file.source.as_deref().unwrap_or("");
        let index = LineIndex::from_source_text(source);
        let path = escape(&file.path);
        for d in &file.diagnostics {
            let (row, column) = position(&index, source, d.range.start());
            out.push_str(&format!(
                "{path}:{row}:{column}: {} {}{}\n",
                escape(code_of(d)),
                fix_marker(d, unsafe_fixes),
                escape(&d.message)
            ));
        }
    }
    out
}

/// Findings under their file: `  row:col CODE [*] message`, a blank line after each file (path,
/// code and message escaped for the terminal: [`escape`]).
pub fn grouped(files: &[FileReport], unsafe_fixes: bool) -> String {
    let mut out = String::new();
    for file in files.iter().filter(|f| !f.diagnostics.is_empty()) {
        let source = file.source.as_deref().unwrap_or("");
        let index = LineIndex::from_source_text(source);
        out.push_str(&format!("{}:\n", escape(&file.path)));
        for d in &file.diagnostics {
            let (row, column) = position(&index, source, d.range.start());
            out.push_str(&format!(
                "  {row}:{column} {} {}{}\n",
                escape(code_of(d)),
                fix_marker(d, unsafe_fixes),
                escape(&d.message)
            ));
        }
        out.push('\n');
    }
    out
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    /// The files reported on (checked, or that could not be read).
    pub files: usize,
    /// The files named on the command line that are not checked ([`crate::config::discover`]).
    pub skipped: usize,
    pub remaining: usize,
    /// The findings that remain, by severity.
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub fixed: usize,
    pub fixable: usize,
    pub hidden_unsafe: usize,
}

pub fn totals(files: &[FileReport], unsafe_fixes: bool) -> Totals {
    let mut totals = Totals {
        files: files.len(),
        ..Totals::default()
    };
    for file in files {
        totals.fixed += file.fixed.values().sum::<usize>();
        for d in &file.diagnostics {
            totals.remaining += 1;
            match d.severity {
                Severity::Error => totals.errors += 1,
                Severity::Warning => totals.warnings += 1,
                Severity::Info => totals.notes += 1,
            }
            if d.fix_applies(unsafe_fixes) {
                totals.fixable += 1;
            } else if d.fix.is_some() {
                totals.hidden_unsafe += 1;
            }
        }
    }
    totals
}

/// `n` and what it counts, `one` when `n` is 1, else `many` (`1 error`, `2 errors`, `0 files`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `a`, `a and b`, `a, b and c`.
fn enumerate(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The findings that remain, counted by severity in the words the formats label them with
/// (`3 errors and 46 warnings`; `note` for the `info` severity).
fn by_severity(totals: &Totals) -> String {
    let parts: Vec<String> = [
        (totals.errors, "error", "errors"),
        (totals.warnings, "warning", "warnings"),
        (totals.notes, "note", "notes"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| count(n, one, many))
    .collect();
    enumerate(&parts)
}

/// The closing lines, as Ruff words them, with the findings counted by severity: `Found 3
/// errors and 46 warnings.`; with fixes, `Found 49 findings (3 fixed, 46 remaining: …).`
/// "All checks passed!" only when every file named was checked and nothing was found.
pub fn summary(totals: Totals, fix_mode: bool) -> String {
    let mut out = String::new();
    let skipped = match totals.skipped {
        0 => None,
        1 => Some("1 file named was skipped (not a file anyio-lint checks)".to_owned()),
        n => Some(format!(
            "{n} files named were skipped (not files anyio-lint checks)"
        )),
    };
    if totals.remaining == 0 && totals.fixed == 0 {
        match skipped {
            None => out.push_str("All checks passed!\n"),
            Some(skipped) if totals.files == 0 => {
                out.push_str(&format!("No files were checked: {skipped}.\n"));
            }
            Some(skipped) => {
                out.push_str(&format!(
                    "No findings in the {} checked; {skipped}.\n",
                    count(totals.files, "file", "files")
                ));
            }
        }
        return out;
    }
    if fix_mode || totals.fixed > 0 {
        let remaining = match totals.remaining {
            0 => "0 remaining".to_owned(),
            _ => format!("{} remaining: {}", totals.remaining, by_severity(&totals)),
        };
        out.push_str(&format!(
            "Found {} ({} fixed, {remaining}).\n",
            count(totals.remaining + totals.fixed, "finding", "findings"),
            totals.fixed,
        ));
    } else {
        out.push_str(&format!("Found {}.\n", by_severity(&totals)));
    }
    let hidden = |n: usize| {
        format!(
            "{} can be enabled with the `--unsafe-fixes` option",
            count(n, "hidden fix", "hidden fixes")
        )
    };
    if totals.fixable > 0 && !fix_mode {
        out.push_str(&format!(
            "[*] {} fixable with the `--fix` option",
            totals.fixable
        ));
        if totals.hidden_unsafe > 0 {
            out.push_str(&format!(" ({})", hidden(totals.hidden_unsafe)));
        }
        out.push_str(".\n");
    } else if totals.hidden_unsafe > 0 {
        out.push_str(&format!(
            "No fixes available ({}).\n",
            hidden(totals.hidden_unsafe)
        ));
    }
    if let Some(skipped) = skipped {
        out.push_str(&format!("{skipped}.\n"));
    }
    out
}

/// `--statistics`: count, code, fixability and name per rule, most frequent first.
pub fn statistics(files: &[FileReport], unsafe_fixes: bool) -> String {
    let mut counts: BTreeMap<(String, String), (usize, bool)> = BTreeMap::new();
    for d in files.iter().flat_map(|f| &f.diagnostics) {
        let entry = counts
            .entry((code_of(d).to_owned(), d.name.clone().unwrap_or_default()))
            .or_insert((0, false));
        entry.0 += 1;
        entry.1 |= d.fix_applies(unsafe_fixes);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    let width = rows
        .iter()
        .map(|r| r.1.0.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = rows.iter().map(|r| r.0.0.len()).max().unwrap_or(1);
    rows.into_iter()
        .map(|((code, name), (count, fixable))| {
            format!(
                "{count:>width$}\t{code:<code_width$}\t{}{name}\n",
                if fixable { "[*] " } else { "[ ] " }
            )
        })
        .collect()
}

/// `--statistics --output-format json`: per rule, the findings that remain, whether they are
/// fixable, and how many fixes were applied (rules only fixed appear with a count of 0).
pub fn statistics_json(files: &[FileReport], unsafe_fixes: bool) -> String {
    let mut rows: BTreeMap<String, (String, usize, bool, usize)> = BTreeMap::new();
    for file in files {
        for d in &file.diagnostics {
            let row = rows
                .entry(code_of(d).to_owned())
                .or_insert_with(|| (d.name.clone().unwrap_or_default(), 0, false, 0));
            row.1 += 1;
            row.2 |= d.fix_applies(unsafe_fixes);
        }
        for (code, fixed) in &file.fixed {
            rows.entry(code.clone()).or_default().3 += fixed;
        }
    }
    let items: Vec<Value> = rows
        .into_iter()
        .map(|(code, (name, count, fixable, fixed))| {
            json!({ "code": code, "name": name, "count": count, "fixable": fixable, "fixed": fixed })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

/// A range covering a whole file (for file-level errors).
pub fn file_start() -> TextRange {
    TextRange::default()
}
