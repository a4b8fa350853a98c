//! The modes of `check` on the files it found ([`Mode`]), each from reading the files to the exit
//! code, and what they share to show findings. `--baseline` drops the findings it records from
//! what check and fix report ([`apply_baseline`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use crate::analysis::project::InProject;
use crate::analysis::tokens::TokenFacts;
use crate::base::source::SourceText;
use crate::cli::Failure;
use crate::config::discover::Found;
use crate::config::resolve::Settings;
use crate::config::settings::Format;
use crate::engine::noqa;
use crate::fix::write::Output;
use crate::pack::Pack;
use crate::report::baseline::Baseline;
use crate::report::{self, FileReport};
use crate::ruleset::RuleSet;

use super::files::{self, Change, Checked, check_file};
use super::run::{Mode, RunWide};

/// `check`, and `check --fix` (or `--fix-only`): with fix, every file is fixed and the changed
/// ones are written; the findings that remain, less those the baseline records, are reported in
/// the run's format, on standard output or in `output` (`-o FILE`).
pub(super) fn check_or_fix(
    run: &RunWide,
    found: &Found,
    named: &[&Path],
    output: Option<&Output>,
) -> Result<u8, Failure> {
    let named: Vec<&Path> = named
        .iter()
        .copied()
        .chain(run.baseline.as_deref())
        .collect();
    let action = |rules: &RuleSet,
                  path: (&str, &str),
                  project: Option<InProject<'_>>,
                  source: SourceText| {
        check_file(rules, path, project, source, run.fix, run.unsafe_fixes)
    };
    let batch = files::check_all(found, run, output, &named, run.mode == Mode::Fix, action)?;
    let mut reports = files::reports(found, batch, run.verbose);
    let baselined = apply_baseline(run, &mut reports.files)?;
    let totals = report::Totals {
        skipped: found.skipped.len(),
        ..report::totals(&reports.files, run.unsafe_fixes)
    };
    let code = reports.exit(exit_code(run, totals));
    let names = match run.show_fixes {
        true => rule_names(found.files.iter().map(|(_, settings)| &**settings)),
        false => RuleNames::new(),
    };
    if run.fix_only {
        let mut body = String::new();
        if !run.quiet && run.show_fixes && run.format.is_human() {
            body.push_str(&fix_summary(&reports.files, run, &names));
        }
        if !run.quiet && totals.fixed > 0 {
            body.push_str(&format!("Fixed {}.\n", findings(totals.fixed)));
        }
        match output {
            Some(output) => output
                .write(body.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", output.path().display()))?,
            None => print!("{body}"),
        }
        return Ok(code);
    }
    if let Some(output) = output {
        let mut body = Vec::new();
        let plain = RunWide {
            color: false,
            ..run.clone()
        };
        emit(&mut body, &reports.files, &plain, totals, &names);
        output
            .write(&body)
            .map_err(|e| format!("cannot write {}: {e}", output.path().display()))?;
        return Ok(code);
    }
    let mut stdout = std::io::stdout().lock();
    emit(&mut stdout, &reports.files, run, totals, &names);
    if baselined > 0 && !run.quiet && run.format.is_human() {
        let _ = writeln!(
            stdout,
            "{} in the baseline {} not shown.",
            findings(baselined),
            if baselined == 1 { "is" } else { "are" }
        );
    }
    Ok(code)
}

/// `check --diff`: every file is fixed in memory, and a unified diff of each change printed on
/// standard output, or in `output` (`-o FILE`), with how many fixes they hold on standard error;
/// no source is written. Exits 1 when a file would change (0 with `--exit-zero`). A baseline
/// named is read all the same (it must be valid).
pub(super) fn diff(
    run: &RunWide,
    found: &Found,
    named: &[&Path],
    output: Option<&Output>,
) -> Result<u8, Failure> {
    let action = |rules: &RuleSet,
                  path: (&str, &str),
                  project: Option<InProject<'_>>,
                  source: SourceText| {
        check_file(rules, path, project, source, true, run.unsafe_fixes)
    };
    let named: Vec<&Path> = named
        .iter()
        .copied()
        .chain(run.baseline.as_deref())
        .collect();
    let mut batch = files::check_all(found, run, output, &named, false, action)?;
    let mut diffs = String::new();
    let mut would_fix = 0usize;
    for file in &mut batch.files {
        if let Some(change) = &file.change {
            let path = &file.report.path;
            diffs.push_str(&unified_diff(path, &change.original.text, &change.text));
            would_fix += file.report.fixed.values().sum::<usize>();
            file.report.fixed.clear();
        }
    }
    let mut reports = files::reports(found, batch, run.verbose);
    apply_baseline(run, &mut reports.files)?;
    match output {
        Some(output) => output
            .write(diffs.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", output.path().display()))?,
        None => {
            let _ = std::io::stdout().lock().write_all(diffs.as_bytes());
        }
    }
    let changed_files = reports.changed_files;
    if !run.quiet {
        eprintln!(
            "Would fix {} in {}.",
            findings(would_fix),
            report::count(changed_files, "file", "files")
        );
    }
    Ok(u8::from(changed_files > 0 && !run.exit_zero))
}

/// `check --add-noqa`: a `noqa` directive written for every finding, and nothing fixed; how many
/// were added is said on standard error.
pub(super) fn add_noqa(run: &RunWide, found: &Found) -> Result<u8, Failure> {
    let batch = files::check_all(found, run, None, &[], true, add_noqa_to)?;
    let reports = files::reports(found, batch, run.verbose);
    let changed_files = reports.changed_files;
    if !run.quiet {
        eprintln!(
            "{} in {}.",
            added_summary(&reports.files),
            report::count(changed_files, "file", "files")
        );
    }
    Ok(reports.exit(0))
}

/// `--add-noqa` on one file: its findings, and the text with their directives added; the report
/// counts the directives. The text is parsed once, for the findings and the lines they go on.
pub(super) fn add_noqa_to(
    rules: &RuleSet,
    (path, absolute): (&str, &str),
    project: Option<InProject<'_>>,
    source: SourceText,
) -> Checked {
    let mut report = FileReport {
        path: path.to_owned(),
        absolute: absolute.to_owned(),
        source: Some(source.text.clone()),
        ..FileReport::default()
    };
    let text = source.text.as_str();
    if let Some(name) = rules.config_file_name(path) {
        let (checked, file) = crate::engine::config_file::read_and_check(rules, name, text, &[]);
        let added = match &file {
            Some(file) if !checked.diagnostics.is_empty() => {
                let lines = noqa::Lines::of_config(text, file);
                directives_added(text, &lines, &checked.diagnostics, &checked.stale_codes)
            }
            _ => None,
        };
        if added.is_none() {
            report.diagnostics = checked.diagnostics;
        }
        return with_directives(report, source, added);
    }
    let Some(scan) = crate::engine::worth_parsing(rules, text) else {
        return Checked {
            report,
            change: None,
        };
    };
    let analysis = crate::analysis::parse::Analysis::of(&rules.modules, text);
    let checked = crate::engine::check_parsed(rules, text, &analysis, scan, &[], project);
    let added = if checked.syntax_error || checked.diagnostics.is_empty() {
        report.diagnostics = checked.diagnostics;
        None
    } else {
        let tokens = TokenFacts::new(&analysis.parsed, text);
        let lines = noqa::Lines::new(text, &tokens);
        directives_added(text, &lines, &checked.diagnostics, &checked.stale_codes)
    };
    analysis.drop_deep(text);
    with_directives(report, source, added)
}

/// What `--add-noqa` makes of `text` with these findings: the new text, the number of lines
/// given a directive (or codes), and the number of stale directives cleaned on lines without a
/// finding (as the unused-suppression rule's fix cleans them, so the next check reports nothing);
/// `None` when nothing changes.
fn directives_added(
    text: &str,
    lines: &noqa::Lines,
    diagnostics: &[crate::base::diagnostic::Diagnostic],
    stale: &[noqa::StaleCodes],
) -> Option<Added> {
    let (mut edits, added) = noqa::add_directives(lines, diagnostics, stale);
    let cleaned = noqa::stale_directive_edits(lines, diagnostics);
    let cleaned_count = cleaned.len();
    edits.extend(cleaned);
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    (!edits.is_empty()).then(|| Added {
        text: crate::fix::edits::apply_edits(text, &edits),
        added,
        cleaned: cleaned_count,
    })
}

/// A text `--add-noqa` changed: see [`directives_added`].
struct Added {
    text: String,
    added: usize,
    cleaned: usize,
}

/// The keys of [`FileReport::fixed`] under which `--add-noqa` counts the directives it added and
/// the stale ones it cleaned.
pub(super) const NOQA_ADDED: &str = "noqa";
pub(super) const NOQA_CLEANED: &str = "noqa-cleaned";

/// `Added 2 noqa directives`, and the stale directives cleaned when there are any.
pub(super) fn added_summary(reports: &[FileReport]) -> String {
    let sum = |key: &str| -> usize { reports.iter().filter_map(|r| r.fixed.get(key)).sum() };
    let (added, cleaned) = (sum(NOQA_ADDED), sum(NOQA_CLEANED));
    let mut summary = format!(
        "Added {}",
        report::count(added, "noqa directive", "noqa directives")
    );
    if cleaned > 0 {
        summary.push_str(&format!(
            " and removed the unused codes of {}",
            report::count(cleaned, "directive", "directives")
        ));
    }
    summary
}

/// The result of `--add-noqa` on a file whose text became `added`, if it changed.
fn with_directives(mut report: FileReport, source: SourceText, added: Option<Added>) -> Checked {
    let Some(Added {
        text: new_text,
        added,
        cleaned,
    }) = added
    else {
        return Checked {
            report,
            change: None,
        };
    };
    if added > 0 {
        report.fixed.insert(NOQA_ADDED.to_owned(), added);
    }
    if cleaned > 0 {
        report.fixed.insert(NOQA_CLEANED.to_owned(), cleaned);
    }
    let change = Change {
        text: new_text,
        original: source,
    };
    Checked {
        report,
        change: Some(change),
    }
}

/// `check --write-baseline FILE`: the findings recorded in `output`, and nothing reported.
pub(super) fn write_baseline(
    run: &RunWide,
    found: &Found,
    named: &[&Path],
    output: &Output,
) -> Result<u8, Failure> {
    let action =
        |rules: &RuleSet,
         path: (&str, &str),
         project: Option<InProject<'_>>,
         source: SourceText| { check_file(rules, path, project, source, false, false) };
    let batch = files::check_all(found, run, Some(output), named, false, action)?;
    let reports = files::reports(found, batch, run.verbose);
    let file = output.path();
    if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let (text, count) = Baseline::render(&reports.files, file);
    output
        .write(text.as_bytes())
        .map_err(|e| format!("cannot write the baseline {}: {e}", file.display()))?;
    if !run.quiet {
        eprintln!(
            "Wrote a baseline of {} to {}.",
            findings(count),
            file.display()
        );
    }
    Ok(reports.exit(0))
}

/// Drop the findings `--baseline FILE` records; returns how many.
pub(super) fn apply_baseline(run: &RunWide, reports: &mut [FileReport]) -> Result<usize, Failure> {
    let Some(file) = &run.baseline else {
        return Ok(0);
    };
    Ok(Baseline::read(file)?.filter(reports, file))
}

pub(super) fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// `1 finding`, `2 findings`: the word the summaries use for findings of any severity.
fn findings(n: usize) -> String {
    report::count(n, "finding", "findings")
}

/// Rule names by code, for the rules of every configuration of a run (and the engine's).
pub(super) type RuleNames = BTreeMap<String, String>;

/// The names of the rules the `settings` load, by code.
pub(super) fn rule_names<'a>(settings: impl IntoIterator<Item = &'a Settings>) -> RuleNames {
    let mut names = RuleNames::new();
    names.insert(
        noqa::UNUSED_NOQA.to_owned(),
        noqa::UNUSED_NOQA_NAME.to_owned(),
    );
    let mut seen: Vec<*const Vec<Pack>> = Vec::new();
    for settings in settings {
        let packs = &settings.rules().packs;
        if seen.contains(&Arc::as_ptr(packs)) {
            continue;
        }
        seen.push(Arc::as_ptr(packs));
        for rule in packs.iter().flat_map(|pack| &pack.rules) {
            names.insert(rule.code.clone(), rule.name.clone());
        }
    }
    names
}

/// `--show-fixes`: the fixes the run applied (or, when it fixes nothing, those available) per
/// file and rule, followed by a blank line; nothing when there are none.
fn fix_summary(reports: &[FileReport], run: &RunWide, names: &RuleNames) -> String {
    let name = |code: &str| names.get(code).cloned();
    let summary = report::fix_summary(reports, run.fix, run.unsafe_fixes, name);
    if summary.is_empty() {
        summary
    } else {
        summary + "\n"
    }
}

/// Print the findings in the run's format (or their statistics), with the summary lines when the
/// format is for people (and, with `--show-fixes`, the fixes per file and rule before them).
pub(super) fn emit(
    out: &mut impl Write,
    reports: &[FileReport],
    run: &RunWide,
    totals: report::Totals,
    names: &RuleNames,
) {
    if run.statistics {
        let table = if run.format == Format::Json {
            report::statistics_json(reports, run.unsafe_fixes)
        } else {
            report::statistics(reports, run.unsafe_fixes)
        };
        let _ = out.write_all(table.as_bytes());
        return;
    }
    let body = report::render(run.format, reports, run.unsafe_fixes, run.color);
    let _ = out.write_all(body.as_bytes());
    if run.format.is_human() && !run.quiet {
        if run.show_fixes {
            let fixes = fix_summary(reports, run, names);
            // Apart from the findings, as the full and grouped formats end.
            if !fixes.is_empty() && !body.is_empty() && !body.ends_with("\n\n") {
                let _ = out.write_all(b"\n");
            }
            let _ = out.write_all(fixes.as_bytes());
        }
        let _ = out.write_all(report::summary(totals, run.fix).as_bytes());
    }
}

/// The exit code of a run that reported `totals`.
pub(super) fn exit_code(run: &RunWide, totals: report::Totals) -> u8 {
    if run.exit_zero {
        return 0;
    }
    if run.exit_non_zero_on_fix && totals.fixed > 0 {
        return 1;
    }
    if run.fix && run.fix_only {
        return 0;
    }
    u8::from(totals.remaining > 0)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::ruleset::Selection;

    const PACK: &str = r#"[pack]
    name = "test-pack"
    version = "0"
    description = "test"
    prefix = "T"
    modules = ["legacy", "modern"]
    migrates-from = ["legacy"]
    migrates-to = ["modern"]
    
    [[rule]]
    code = "T1"
    name = "legacy-wait"
    message = "found"
    explain = "x"
    match.pattern = "legacy.wait($X)"
    
    [[rule.example]]
    flagged = "x"
    "#;

    #[test]
    fn add_noqa_suppresses_every_finding_of_its_one_check() {
        let packs = Arc::new(vec![crate::pack::load("test.toml", PACK).unwrap()]);
        let rules = RuleSet::new(packs, &Selection::default(), &BTreeMap::new());
        let text = "import legacy\n\nlegacy.wait(1)\nlegacy.wait(2)\n";
        let findings = crate::engine::check(&rules, text, &[]).diagnostics.len();
        assert_eq!(findings, 2);
        let source = SourceText::decode(text.as_bytes().to_vec()).unwrap();
        let checked = add_noqa_to(&rules, ("a.py", "/a.py"), None, source);
        let change = checked.change.expect("directives added");
        assert_eq!(change.original.text, text);
        assert_eq!(checked.report.fixed[NOQA_ADDED], 2);
        let after = crate::engine::check(&rules, &change.text, &[]);
        assert!(after.diagnostics.is_empty(), "{:?}", after.diagnostics);
        // A text without findings is left alone.
        let clean = SourceText::decode(b"x = 1\n".to_vec()).unwrap();
        let checked = add_noqa_to(&rules, ("b.py", "/b.py"), None, clean);
        assert!(checked.change.is_none() && checked.report.diagnostics.is_empty());
    }
}
