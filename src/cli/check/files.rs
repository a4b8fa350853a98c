//! What every mode of `check` does with the files it found: read and check each (with the mode's
//! own action on one file, at its place in the run's project) in parallel, refuse outputs that are
//! inputs, write the changed files together, and gather the reports.

use std::io::IsTerminal;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::project::{InProject, Project};
use crate::base::source::SourceText;
use crate::cli::progress::Progress;
use crate::cli::sources::{Read, read_source, refuse_input_as_output};
use crate::cli::{Failure, absolute, display_path, file_error};
use crate::config::discover::Found;
use crate::engine::check_named_in;
use crate::fix::write::{self, Output, Snapshot, WriteError};
use crate::linter;
use crate::report::{self, FileReport};
use crate::ruleset::RuleSet;

use super::run::RunWide;

/// One file checked: its report, and its new text when it changed.
pub(super) struct Checked {
    pub report: FileReport,
    pub change: Option<Change>,
}

/// A file's new text, and the source it was made from (to write it with the same encoding and
/// line breaks, or to diff against).
pub(super) struct Change {
    pub text: String,
    pub original: SourceText,
}

/// The files of a run after its mode's action: each file's result (in the order of
/// [`Found::files`]), the files whose changes could not be written, by index, and how many of
/// those failed (a file changed since it was read is left alone, which is no failure); and the
/// run's project, the files as modules.
pub(super) struct Batch<'a> {
    pub files: Vec<Checked>,
    unwritten: FxHashMap<usize, WriteError>,
    failed_writes: usize,
    project: Project<'a>,
}

impl Batch<'_> {
    /// How many files changed.
    fn changed_files(&self) -> usize {
        self.files
            .iter()
            .filter(|file| file.change.is_some())
            .count()
    }
}

/// Run `action`, what the mode does with one readable file (given its rules, its path as shown
/// and absolute, its place in the run's project, and its text), on every file of `found` in
/// parallel (`writes`: snapshot each file, as the changed ones are written), with a progress bar on
/// a terminal unless the run is quiet; refuse an `output` that is one of the sources, their
/// configurations or the inputs `named`; then write the changed files together.
pub(super) fn check_all<'a>(
    found: &'a Found,
    run: &RunWide,
    output: Option<&Output>,
    named: &[&Path],
    writes: bool,
    action: impl Fn(&RuleSet, (&str, &str), Option<InProject<'_>>, SourceText) -> Checked + Sync,
) -> Result<Batch<'a>, Failure> {
    let progress = Progress::start(
        found.files.len(),
        !run.quiet && std::io::stderr().is_terminal(),
    );
    // What the files define is read only when a condition asks.
    let project = Project::new(found.files.iter().map(|(path, _)| path.as_path()).collect());
    let results: Vec<(Checked, Option<Snapshot>, Option<write::Identity>)> = found
        .files
        .par_iter()
        .enumerate()
        .map(|(index, (path, settings))| {
            let Read {
                source,
                identity,
                snapshot,
            } = read_source(path, writes);
            let result = match source {
                Err(error) => {
                    let report = file_error(path, error.to_string());
                    let checked = Checked {
                        report,
                        change: None,
                    };
                    (checked, None, identity)
                }
                Ok(source) => {
                    let rules = settings.rules_for(path);
                    let paths = (display_path(path), absolute(path));
                    let checked = action(&rules, (&paths.0, &paths.1), project.file(index), source);
                    let snapshot = snapshot.filter(|_| checked.change.is_some());
                    (checked, snapshot, identity)
                }
            };
            progress.tick();
            result
        })
        .collect();
    progress.finish();
    if let Some(output) = output {
        let identities = results.iter().map(|(_, _, identity)| *identity);
        refuse_input_as_output(output, &found.files, identities, named.iter().copied())?;
    }
    // The changed files, written together once every file is checked.
    let (numbers, files): (Vec<usize>, Vec<_>) = results
        .iter()
        .zip(&found.files)
        .enumerate()
        .filter_map(|(number, ((checked, snapshot, _), (path, _)))| {
            let (change, snapshot) = (checked.change.as_ref()?, snapshot.as_ref()?);
            let bytes = change.original.encode(&change.text);
            Some((number, (path.as_path(), bytes, snapshot.clone())))
        })
        .unzip();
    let unwritten: FxHashMap<usize, WriteError> = numbers
        .into_iter()
        .zip(write::replace_all(&files))
        .filter_map(|(number, result)| Some((number, result.err()?)))
        .collect();
    let failed_writes = unwritten.values().filter(|e| e.is_failure()).count();
    Ok(Batch {
        files: results.into_iter().map(|(checked, _, _)| checked).collect(),
        unwritten,
        failed_writes,
        project,
    })
}

/// Check one file's text, at its place in the run's `project` when it has one (`fix`: and fix it,
/// with unsafe fixes when `unsafe_fixes`). The report holds the text it reports on when it has
/// findings.
pub(super) fn check_file(
    rules: &RuleSet,
    (path, absolute): (&str, &str),
    project: Option<InProject<'_>>,
    source: SourceText,
    fix: bool,
    unsafe_fixes: bool,
) -> Checked {
    let mut report = FileReport {
        path: path.to_owned(),
        absolute: absolute.to_owned(),
        ..FileReport::default()
    };
    let changed = if fix {
        let outcome = linter::fix_named_in(rules, path, &source.text, unsafe_fixes, project);
        report.fixed = outcome.applied;
        report.problems = outcome.problems;
        report.diagnostics = outcome.remaining.diagnostics;
        report.notes = outcome.remaining.notes;
        (outcome.text != source.text).then_some(outcome.text)
    } else {
        let checked = check_named_in(rules, path, &source.text, &[], project);
        report.diagnostics = checked.diagnostics;
        report.notes = checked.notes;
        None
    };
    let has_findings = !report.diagnostics.is_empty();
    match changed {
        Some(text) => {
            report.source = has_findings.then(|| text.clone());
            let change = Some(Change {
                text,
                original: source,
            });
            Checked { report, change }
        }
        None => {
            report.source = has_findings.then_some(source.text);
            Checked {
                report,
                change: None,
            }
        }
    }
}

/// The reports of a run: one per path that could not be walked, then one per file, sorted by
/// path; each file's problems are printed on standard error, and its notes too when `verbose`. A
/// file whose change could not be written reports why, and the findings of the text it kept.
pub(super) fn reports(found: &Found, batch: Batch<'_>, verbose: bool) -> Reports {
    let changed_files = batch.changed_files();
    let Batch {
        files,
        mut unwritten,
        failed_writes,
        project,
    } = batch;
    let mut reports = Vec::new();
    for (path, message) in &found.errors {
        reports.push(file_error(
            path,
            format!("cannot walk this path: {message}"),
        ));
    }
    for (index, (checked, (path, settings))) in files.into_iter().zip(&found.files).enumerate() {
        let Checked { mut report, change } = checked;
        if let (Some(change), Some(error)) = (change, unwritten.remove(&index)) {
            report.problems.push(match error {
                WriteError::Changed => error.to_string(),
                error => format!("fixes not written: {error}"),
            });
            report.fixed.clear();
            let rules = settings.rules_for(path);
            let path = path.to_string_lossy();
            let text = &change.original.text;
            report.diagnostics =
                check_named_in(&rules, &path, text, &[], project.file(index)).diagnostics;
            report.source = Some(change.original.text);
        }
        reports.push(report);
    }
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    for report in &reports {
        for problem in &report.problems {
            eprintln!(
                "{}: {}",
                report::escape(&report.path),
                report::escape(problem)
            );
        }
        if verbose {
            for note in &report.notes {
                eprintln!(
                    "{}: note: {}",
                    report::escape(&report.path),
                    report::escape(note)
                );
            }
        }
    }
    Reports {
        files: reports,
        changed_files,
        failed_writes,
    }
}

/// The reports of a run's files, sorted by path, and what the run changed.
pub(super) struct Reports {
    pub files: Vec<FileReport>,
    pub changed_files: usize,
    failed_writes: usize,
}

impl Reports {
    /// `code`, unless a write failed: files not written are an I/O error whatever else the run
    /// found.
    pub fn exit(&self, code: u8) -> u8 {
        if self.failed_writes > 0 { 2 } else { code }
    }
}
