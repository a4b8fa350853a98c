//! Baselines for gradual adoption: `--write-baseline FILE` records the current findings, and
//! `--baseline FILE` reports only the findings not recorded.
//!
//! A finding is identified by its file (relative to the baseline's directory), its rule code and a
//! fingerprint of the code and the source text it covers, whitespace-collapsed: never by line
//! number, so edits elsewhere in the file keep it baselined. Identical findings in one file are
//! counted; with a count of two, a third identical finding is new. Syntax and file errors are never
//! baselined.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::FileReport;

/// The format's version, written into every baseline.
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    path: String,
    code: String,
    fingerprint: String,
    count: usize,
    /// The first finding's message, for people reading the file.
    message: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// `(path, code, fingerprint)`.
type Key = (String, String, String);

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    counts: BTreeMap<Key, usize>,
}

/// FNV-1a, 64 bits: stable across platforms and releases, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `path` made absolute, symlinks resolved where it exists, `.` and `..` folded where it does not.
fn normalized(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `directory`, with `..` where needed and `/` separators.
fn relative_path(path: &Path, directory: &Path) -> String {
    let (path, directory) = (normalized(path), normalized(directory));
    let path: Vec<_> = path.components().collect();
    let directory: Vec<_> = directory.components().collect();
    let common = path
        .iter()
        .zip(&directory)
        .take_while(|(a, b)| a == b)
        .count();
    let ups = std::iter::repeat_n("..".to_owned(), directory.len() - common);
    let downs = path[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

/// The baselined findings of `report`, keyed relative to `directory`.
fn keys(report: &FileReport, directory: &Path) -> Vec<Option<(Key, String)>> {
    let path = relative_path(Path::new(&report.absolute), directory);
    let source = report.source.as_deref().unwrap_or("");
    report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let code = diagnostic.code.as_ref()?;
            let covered = source
                .get(diagnostic.range.start().to_usize()..diagnostic.range.end().to_usize())
                .filter(|text| !text.trim().is_empty())
                .unwrap_or(&diagnostic.message);
            let collapsed = covered.split_whitespace().collect::<Vec<_>>().join(" ");
            let fingerprint = format!("{:016x}", fnv1a(format!("{code}\0{collapsed}").as_bytes()));
            Some((
                (path.clone(), code.clone(), fingerprint),
                diagnostic.message.clone(),
            ))
        })
        .collect()
}

fn directory_of(file: &Path) -> PathBuf {
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty());
    normalized(parent.unwrap_or(Path::new(".")))
}

impl Baseline {
    /// Read a baseline file.
    pub fn read(file: &Path) -> Result<Baseline, String> {
        let shown = file.display();
        let text = crate::base::bounded::read_text(file, crate::base::bounded::BASELINE_LIMIT)
            .map_err(|e| format!("cannot read the baseline {shown}: {e}"))?;
        let parsed: File = serde_json::from_str(&text).map_err(|e| {
            // serde counts columns from 1 but says 0 just after a line break.
            let (line, column) = (e.line(), e.column().max(1));
            let message = e.to_string();
            let message = message
                .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
                .unwrap_or(&message);
            let why = match e.classify() {
                // A syntax error never quotes the file.
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    format!("invalid JSON: {message}")
                }
                // serde's message may quote the file: only a file with a baseline's key is
                // quoted.
                _ if text.contains("\"findings\"") => message.to_owned(),
                _ => "it has no `findings`; its content is not shown".to_owned(),
            };
            format!(
                "{shown}:{line}:{column}: not a baseline: {why} (write one with `--write-baseline`)"
            )
        })?;
        if parsed.version != VERSION {
            return Err(format!(
                "{shown}: baseline version {} is not {VERSION}; write it again with `--write-baseline`",
                parsed.version
            ));
        }
        let mut counts = BTreeMap::new();
        for entry in parsed.findings {
            *counts
                .entry((entry.path, entry.code, entry.fingerprint))
                .or_insert(0) += entry.count;
        }
        Ok(Baseline { counts })
    }

    /// Remove the baselined findings from `reports` (the baseline file is at `file`); returns how
    /// many were removed.
    pub fn filter(mut self, reports: &mut [FileReport], file: &Path) -> usize {
        let directory = directory_of(file);
        let mut removed = 0;
        for report in reports.iter_mut() {
            let keys = keys(report, &directory);
            let mut index = 0;
            report.diagnostics.retain(|_| {
                let key = &keys[index];
                index += 1;
                let Some((key, _)) = key else { return true };
                match self.counts.get_mut(key) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        removed += 1;
                        false
                    }
                    _ => true,
                }
            });
        }
        removed
    }

    /// The baseline file recording every finding of `reports`, as JSON; and how many it records.
    pub fn render(reports: &[FileReport], file: &Path) -> (String, usize) {
        let directory = directory_of(file);
        let mut entries: BTreeMap<Key, (usize, String)> = BTreeMap::new();
        for report in reports {
            for (key, message) in keys(report, &directory).into_iter().flatten() {
                entries.entry(key).or_insert((0, message)).0 += 1;
            }
        }
        let total = entries.values().map(|(count, _)| count).sum();
        let findings = entries
            .into_iter()
            .map(|((path, code, fingerprint), (count, message))| Entry {
                path,
                code,
                fingerprint,
                count,
                message,
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&File {
            version: VERSION,
            findings,
        })
        .unwrap_or_default();
        text.push('\n');
        (text, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative_path(Path::new("/p/src/a.py"), Path::new("/p/ci")),
            "../src/a.py"
        );
        assert_eq!(relative_path(Path::new("/p/a.py"), Path::new("/p")), "a.py");
        assert_eq!(
            relative_path(Path::new("/p/a.py"), Path::new("/p/x/y")),
            "../../a.py"
        );
    }
}
