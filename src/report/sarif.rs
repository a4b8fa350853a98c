//! SARIF 2.1.0, for GitHub code scanning and most other dashboards: one run, the rules that
//! produced findings (a rule's aliases in its property bag), and a result per finding with its
//! location and fix.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rayon::prelude::*;
use ruff_source_file::LineIndex;
use ruff_text_size::TextRange;
use serde::Serialize;

use super::ci::uri;
use super::json::{pretty_array, pretty_at};
use super::{FileReport, code_of, span};
use crate::base::diagnostic::{Applicability, Diagnostic, Severity};

/// The SARIF log of the reports. Results are built and written file by file, in parallel.
pub fn sarif(files: &[FileReport], unsafe_fixes: bool) -> String {
    let mut rules: BTreeMap<&str, SarifRule<'_>> = BTreeMap::new();
    for d in files.iter().flat_map(|file| &file.diagnostics) {
        let id = code_of(d);
        rules.entry(id).or_insert_with(|| {
            let name = d.name.as_deref().unwrap_or(id);
            SarifRule {
                default_configuration: SarifLevel {
                    level: level(d.severity),
                },
                help_uri: d.url.as_deref(),
                id,
                name,
                properties: (!d.aliases.is_empty()).then_some(SarifRuleProperties {
                    aliases: &d.aliases,
                }),
                short_description: SarifText { text: name.into() },
            }
        });
    }
    let rule_index: BTreeMap<&str, usize> =
        rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    // Results are written four levels down (the log, `runs`, the run, `results`), in parallel.
    let results: Vec<String> = files
        .par_iter()
        .flat_map_iter(|file| {
            let source = file.source.as_deref().unwrap_or("");
            let index = LineIndex::from_source_text(source);
            let uri = sarif_uri(&file.path);
            let results: Vec<_> = file
                .diagnostics
                .iter()
                .map(|d| {
                    let result = sarif_result(&uri, source, &index, d, &rule_index, unsafe_fixes);
                    pretty_at(&result, 4)
                })
                .collect();
            results
        })
        .collect();
    let log = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [SarifRun {
            column_kind: "unicodeCodePoints",
            results: [],
            tool: SarifTool {
                driver: SarifDriver {
                    name: "anyio-lint",
                    rules: rules.into_values().collect(),
                    version: env!("CARGO_PKG_VERSION"),
                },
            },
        }],
        version: "2.1.0",
    };
    // The log is written with no results, and the results put in place of its empty array: the
    // first `"results": []` in the text, since only constant keys and values come before it.
    let mut text = pretty_at(&log, 0).replacen(
        "\"results\": []",
        &format!("\"results\": {}", pretty_array(&results, 3)),
        1,
    );
    text.push('\n');
    text
}

/// One finding as a SARIF result.
fn sarif_result<'a>(
    uri: &str,
    source: &str,
    index: &LineIndex,
    d: &'a Diagnostic,
    rule_index: &BTreeMap<&str, usize>,
    unsafe_fixes: bool,
) -> SarifResult<'a> {
    let region = |range: TextRange| {
        let ((start_line, start_column), (end_line, end_column)) = span(index, source, range);
        SarifRegion {
            end_column,
            end_line,
            start_column,
            start_line,
        }
    };
    let artifact = || SarifArtifact {
        uri: uri.to_owned(),
    };
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let fixes = d.fix.as_ref().map(|fix| {
        let applies = fix.applicability == Applicability::Safe || unsafe_fixes;
        [SarifFix {
            artifact_changes: [SarifChange {
                artifact_location: artifact(),
                replacements: fix
                    .edits
                    .iter()
                    .map(|edit| SarifReplacement {
                        deleted_region: region(edit.range),
                        inserted_content: SarifText {
                            text: edit.content.as_str().into(),
                        },
                    })
                    .collect(),
            }],
            description: SarifText {
                text: format!("{}{}", fix.title, if applies { "" } else { " (unsafe)" }).into(),
            },
        }]
    });
    SarifResult {
        fixes,
        level: level(d.severity),
        locations: [SarifLocation {
            physical_location: SarifPhysicalLocation {
                artifact_location: artifact(),
                region: region(d.range),
            },
        }],
        message: SarifText {
            text: message.into(),
        },
        rule_id: code_of(d),
        rule_index: rule_index[code_of(d)],
    }
}

// The SARIF log's parts, fields in the order serde_json gives keys (`$schema` first).

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [SarifRun<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    column_kind: &'static str,
    /// Always empty: the results are written on their own (see [`sarif`]).
    results: [(); 0],
    tool: SarifTool<'a>,
}

#[derive(Serialize)]
struct SarifTool<'a> {
    driver: SarifDriver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver<'a> {
    name: &'static str,
    rules: Vec<SarifRule<'a>>,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule<'a> {
    default_configuration: SarifLevel,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SarifRuleProperties<'a>>,
    short_description: SarifText<'a>,
}

/// A rule's property bag: its aliases, other tools' codes for its check (SARIF has no field of
/// its own for them: `deprecatedIds` are this tool's former ids).
#[derive(Serialize)]
struct SarifRuleProperties<'a> {
    aliases: &'a [String],
}

#[derive(Serialize)]
struct SarifLevel {
    level: &'static str,
}

#[derive(Serialize)]
struct SarifText<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[SarifFix<'a>; 1]>,
    level: &'static str,
    locations: [SarifLocation; 1],
    message: SarifText<'a>,
    rule_id: &'a str,
    rule_index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: SarifPhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifact,
    region: SarifRegion,
}

#[derive(Serialize)]
struct SarifArtifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    end_column: usize,
    end_line: usize,
    start_column: usize,
    start_line: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    artifact_changes: [SarifChange<'a>; 1],
    description: SarifText<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifChange<'a> {
    artifact_location: SarifArtifact,
    replacements: Vec<SarifReplacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifReplacement<'a> {
    deleted_region: SarifRegion,
    inserted_content: SarifText<'a>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a SARIF artifact URI: a relative reference, or a `file://` URI for an absolute path,
/// percent-encoded outside the unreserved characters and `/`.
fn sarif_uri(path: &str) -> String {
    let path = uri(path);
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(char::from(b));
            }
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}
