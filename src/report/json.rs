//! Ruff's JSON schema (`json`, `json-lines`) with the rule's `aliases`, and pretty JSON written
//! in pieces.
//!
//! The JSON formats serialize typed views of the reports, whose fields are declared in
//! alphabetical order: the order serde_json gives an object's keys, and Ruff's. Items are built
//! and serialized file by file in parallel, each on its own, and joined into exactly the bytes
//! serde_json's pretty printer writes for the whole document ([`pretty_at`]).

use rayon::prelude::*;
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;
use serde::Serialize;

use super::{FileReport, position};
use crate::base::diagnostic::{Applicability, Diagnostic, Severity};

/// `value` as serde_json's pretty printer writes it `depth` levels down in a document: its lines
/// after the first are indented `depth` levels more. This is exact because JSON text breaks a
/// line only between tokens: a string escapes its line breaks.
pub(super) fn pretty_at(value: &impl Serialize, depth: usize) -> String {
    let text = serde_json::to_string_pretty(value).expect("typed reports serialize to JSON");
    let indent = "  ".repeat(depth);
    let mut out = String::with_capacity(text.len() * 5 / 4);
    let mut line_start = 0;
    for newline in memchr::memchr_iter(b'\n', text.as_bytes()) {
        out.push_str(&text[line_start..=newline]);
        out.push_str(&indent);
        line_start = newline + 1;
    }
    out.push_str(&text[line_start..]);
    out
}

/// The pretty JSON array of `pieces` standing `depth` levels down, each piece written by
/// [`pretty_at`] at `depth + 1`.
pub(super) fn pretty_array(pieces: &[String], depth: usize) -> String {
    if pieces.is_empty() {
        return "[]".to_owned();
    }
    let indent = "  ".repeat(depth + 1);
    let mut out = String::from("[");
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\n');
        out.push_str(&indent);
        out.push_str(piece);
    }
    out.push('\n');
    out.push_str(&indent[2..]);
    out.push(']');
    out
}

/// Ruff's JSON output format: a list of diagnostics.
pub fn json(files: &[FileReport]) -> String {
    let pieces: Vec<String> = files
        .par_iter()
        .flat_map_iter(|file| items(file).into_iter().map(|item| pretty_at(&item, 1)))
        .collect();
    let mut text = pretty_array(&pieces, 0);
    text.push('\n');
    text
}

/// The JSON objects of [`json`], one per line.
pub fn json_lines(files: &[FileReport]) -> String {
    let lines: Vec<String> = files
        .par_iter()
        .flat_map_iter(|file| {
            items(file).into_iter().map(|item| {
                let mut line =
                    serde_json::to_string(&item).expect("typed reports serialize to JSON");
                line.push('\n');
                line
            })
        })
        .collect();
    lines.concat()
}

/// One finding in Ruff's schema.
#[derive(Serialize)]
struct Item<'a> {
    /// The rule's aliases (other tools' codes for its check), beside Ruff's fields.
    aliases: &'a [String],
    cell: Option<()>,
    code: Option<&'a str>,
    end_location: Location,
    filename: &'a str,
    fix: Option<ItemFix<'a>>,
    help: Option<&'a str>,
    location: Location,
    message: &'a str,
    name: Option<&'a str>,
    noqa_row: usize,
    severity: &'static str,
    /// The rule's documentation, when its pack sets a `url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct ItemFix<'a> {
    applicability: &'static str,
    edits: Vec<ItemEdit<'a>>,
    message: &'a str,
}

#[derive(Serialize)]
struct ItemEdit<'a> {
    content: &'a str,
    end_location: Location,
    location: Location,
}

/// Row and column, both 1-based, the column in characters.
#[derive(Serialize)]
struct Location {
    column: usize,
    row: usize,
}

impl Location {
    fn of(index: &LineIndex, source: &str, offset: TextSize) -> Self {
        let (row, column) = position(index, source, offset);
        Location { column, row }
    }
}

/// One file's findings in Ruff's schema.
fn items(file: &FileReport) -> Vec<Item<'_>> {
    if file.diagnostics.is_empty() {
        return Vec::new();
    }
    let source = file.source.as_deref().unwrap_or("");
    let index = LineIndex::from_source_text(source);
    let at = |offset| Location::of(&index, source, offset);
    file.diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let location = at(d.range.start());
            Item {
                aliases: &d.aliases,
                cell: None,
                code: d.code.as_deref(),
                end_location: at(d.range.end()),
                filename: &file.absolute,
                fix: d.fix.as_ref().map(|fix| ItemFix {
                    applicability: match fix.applicability {
                        Applicability::Safe => "safe",
                        Applicability::Unsafe => "unsafe",
                    },
                    edits: fix
                        .edits
                        .iter()
                        .map(|edit| ItemEdit {
                            content: &edit.content,
                            end_location: at(edit.range.end()),
                            location: at(edit.range.start()),
                        })
                        .collect(),
                    message: &fix.title,
                }),
                help: d.help.as_deref(),
                noqa_row: location.row,
                location,
                message: &d.message,
                name: d.name.as_deref(),
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                },
                url: d.url.as_deref(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{pretty_array, pretty_at};

    /// Pieces written at their depth and joined give the bytes of the whole, at any depth, with
    /// nested and empty containers and strings holding line breaks.
    #[test]
    fn pieces_join_into_the_text_of_the_whole() {
        let items = vec![
            json!({ "b": [1, { "c": "two\nlines" }], "a": {}, "d": [] }),
            json!([]),
            json!("text"),
            json!([[{ "e": null }]]),
        ];
        for depth in 0..4 {
            let mut whole = Value::Array(items.clone());
            for _ in 0..depth {
                whole = json!({ "key": whole });
            }
            let pieces: Vec<String> = items
                .iter()
                .map(|item| pretty_at(item, depth + 1))
                .collect();
            let mut joined = pretty_array(&pieces, depth);
            for level in (0..depth).rev() {
                let indent = "  ".repeat(level);
                joined = format!("{{\n{indent}  \"key\": {joined}\n{indent}}}");
            }
            assert_eq!(
                joined,
                serde_json::to_string_pretty(&whole).unwrap(),
                "depth {depth}"
            );
        }
        assert_eq!(pretty_array(&[], 2), "[]");
    }
}
