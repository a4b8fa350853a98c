//! `anyio-lint check`: resolve settings, discover files, check or fix them in parallel (or add
//! `noqa` directives, or write or apply a baseline), and print the findings in the chosen format.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::base::source::{ReadError, SourceText};
use crate::baseline::Baseline;
use crate::discover;
use crate::engine::check;
use crate::engine::noqa;
use crate::fix::write::{self, Output, Snapshot, WriteError};
use crate::linter;
use crate::pack::Pack;
use crate::progress::Progress;
use crate::report::{self, FileReport, Format};
use crate::resolve::{Overrides, Resolver, Settings, known_selector};
use crate::ruleset::RuleSet;

use super::{
    CheckArgs, Failure, absolute, display_path, file_error, flag, parse_versions, paths_or_current,
    stderr_color,
};

/// The resolver of this run's settings: configuration discovery with the command line on top.
fn resolver(args: &CheckArgs) -> Result<Arc<Resolver>, Failure> {
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        versions: parse_versions(&args.versions)?,
        fix: flag(args.fix || args.fix_only, args.no_fix),
        unsafe_fixes: flag(args.unsafe_fixes, args.no_unsafe_fixes),
        force_exclude: flag(args.force_exclude, args.no_force_exclude),
        output_format: args.output_format,
        rulepacks: args.packs.rulepacks.clone(),
        builtin_packs: !args.packs.no_builtin_packs,
    };
    Ok(Arc::new(Resolver::new(
        overrides,
        args.configuration.discovery(),
    )))
}

/// Command-line rule selectors must name loaded rules.
fn check_cli_selectors(args: &CheckArgs, packs: &[Pack]) -> Result<(), Failure> {
    for selector in args
        .select
        .iter()
        .chain(&args.extend_select)
        .chain(&args.ignore)
    {
        known_selector(packs, selector).map_err(Failure::Message)?;
    }
    Ok(())
}

/// Check (and fix) one file's text. Returns the report, which holds the text it reports on when it
/// has findings; the new text when it changed; and then the original (to write or diff against).
pub(super) fn process(
    rules: &RuleSet,
    (path, absolute): (&str, &str),
    source: SourceText,
    fix: bool,
    unsafe_fixes: bool,
) -> (FileReport, Option<String>, Option<SourceText>) {
    let mut report = FileReport {
        path: path.to_owned(),
        absolute: absolute.to_owned(),
        ..FileReport::default()
    };
    let changed = if fix {
        let outcome = linter::fix(rules, &source.text, unsafe_fixes);
        report.fixed = outcome.applied;
        report.problems = outcome.problems;
        report.diagnostics = outcome.remaining.diagnostics;
        (outcome.text != source.text).then_some(outcome.text)
    } else {
        report.diagnostics = check(rules, &source.text, &[]).diagnostics;
        None
    };
    let has_findings = !report.diagnostics.is_empty();
    match changed {
        Some(text) => {
            report.source = has_findings.then(|| text.clone());
            (report, Some(text), Some(source))
        }
        None => {
            report.source = has_findings.then_some(source.text);
            (report, None, None)
        }
    }
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// What applies to the whole run rather than to each file: the settings of the configuration
/// governing the first path (or `--stdin-filename`), as Ruff takes them.
#[derive(Debug, Clone, Copy)]
struct RunWide {
    format: Format,
    fix: bool,
    unsafe_fixes: bool,
    color: bool,
}

pub(super) fn run_check(args: CheckArgs) -> Result<u8, Failure> {
    if args.paths.len() > 1 && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(Failure::Message(
            "`-` (standard input) cannot be checked together with other paths: check them in separate runs".to_owned(),
        ));
    }
    let resolver = resolver(&args)?;
    let start = args
        .stdin_filename
        .clone()
        .or_else(|| args.paths.iter().find(|p| p.as_os_str() != "-").cloned())
        .unwrap_or_else(|| PathBuf::from("."));
    let governing = resolver.for_path(&start)?;
    check_cli_selectors(&args, &governing.rules().packs)?;
    let run = RunWide {
        format: governing.output_format.unwrap_or(Format::Full),
        fix: governing.fix,
        unsafe_fixes: governing.unsafe_fixes,
        color: match args.color.as_str() {
            "always" => true,
            "never" => false,
            _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        },
    };
    if args.write_baseline.is_some() && (run.fix || args.diff || args.add_noqa) {
        return Err(Failure::Message(
            "`--write-baseline` records findings; it cannot be combined with `--fix`, `--diff` or `--add-noqa`".to_owned(),
        ));
    }
    if args.add_noqa && (run.fix || args.diff) {
        return Err(Failure::Message(
            "`--add-noqa` cannot be combined with `--fix` or `--diff`".to_owned(),
        ));
    }
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let rules = governing.rules_for(&start);
        return check_stdin(&args, &run, &rules, &governing);
    }
    let outputs = outputs(&args)?;
    let paths = paths_or_current(&args.paths);
    let found = discover::discover(&paths, &resolver)?;
    let progress = Progress::start(
        found.files.len(),
        !args.quiet && std::io::stderr().is_terminal(),
    );
    let results: Vec<(Checked, Option<write::Identity>)> = found
        .files
        .par_iter()
        .map(|(path, settings)| {
            let shown = display_path(path);
            let writes = (settings.fix || args.add_noqa) && !args.diff;
            let Read {
                source,
                identity,
                snapshot,
            } = read_source(path, writes);
            let result = match source {
                Err(error) => (
                    (file_error(path, error.to_string()), None, None, None),
                    identity,
                ),
                Ok(source) => {
                    let rules = settings.rules_for(path);
                    let (report, changed, original) = if args.add_noqa {
                        let (report, changed) =
                            add_noqa(&rules, (&shown, &absolute(path)), &source.text);
                        let original = changed.is_some().then_some(source);
                        (report, changed, original)
                    } else {
                        process(
                            &rules,
                            (&shown, &absolute(path)),
                            source,
                            settings.fix || args.diff,
                            settings.unsafe_fixes,
                        )
                    };
                    let snapshot = snapshot.filter(|_| changed.is_some());
                    ((report, changed, original, snapshot), identity)
                }
            };
            progress.tick();
            result
        })
        .collect();
    progress.finish();
    let named_inputs = || {
        let configuration = args.configuration.config.iter();
        configuration
            .chain(&args.packs.rulepacks)
            .map(PathBuf::as_path)
    };
    let identities = || results.iter().map(|(_, identity)| *identity);
    if let Some(report) = &outputs.report {
        let baseline = args.baseline.as_deref();
        let named = named_inputs().chain(baseline);
        refuse_input_as_output(report, &found.files, identities(), named)?;
    }
    if let Some(baseline) = &outputs.baseline {
        refuse_input_as_output(baseline, &found.files, identities(), named_inputs())?;
    }
    let results: Vec<Checked> = results.into_iter().map(|(checked, _)| checked).collect();
    // The changed files, written together once every file is fixed.
    let (numbers, files): (Vec<usize>, Vec<_>) = results
        .iter()
        .zip(&found.files)
        .enumerate()
        .filter_map(|(number, ((_, changed, source, snapshot), (path, _)))| {
            let (new_text, original, snapshot) =
                (changed.as_ref()?, source.as_ref()?, snapshot.as_ref()?);
            (!args.diff).then(|| {
                let bytes = original.encode(new_text);
                (number, (path.as_path(), bytes, snapshot.clone()))
            })
        })
        .unzip();
    let mut failed: FxHashMap<usize, WriteError> = numbers
        .into_iter()
        .zip(write::replace_all(&files))
        .filter_map(|(number, result)| Some((number, result.err()?)))
        .collect();
    let failed_writes = failed.values().filter(|e| e.is_failure()).count();
    // Files not written are an I/O error whatever else the run found.
    let exit = |code: u8| if failed_writes > 0 { 2 } else { code };
    let mut reports = Vec::new();
    let mut diffs = String::new();
    let mut changed_files = 0usize;
    let mut would_fix = 0usize;
    for (path, message) in &found.errors {
        reports.push(file_error(
            path,
            format!("cannot walk this path: {message}"),
        ));
    }
    for (index, ((mut report, changed, source, _), (path, settings))) in
        results.into_iter().zip(&found.files).enumerate()
    {
        if let (Some(new_text), Some(original)) = (changed, source) {
            changed_files += 1;
            if args.diff {
                diffs.push_str(&unified_diff(&report.path, &original.text, &new_text));
                would_fix += report.fixed.values().sum::<usize>();
                report.fixed.clear();
            } else if let Some(error) = failed.remove(&index) {
                report.problems.push(match error {
                    WriteError::Changed => error.to_string(),
                    error => format!("fixes not written: {error}"),
                });
                report.fixed.clear();
                report.source = Some(original.text.clone());
                report.diagnostics =
                    check(&settings.rules_for(path), &original.text, &[]).diagnostics;
            }
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
    }
    if args.add_noqa {
        let added: usize = reports
            .iter()
            .map(|r| r.fixed.values().sum::<usize>())
            .sum();
        if !args.quiet {
            eprintln!(
                "Added {added} noqa directive{} in {changed_files} file{}.",
                if added == 1 { "" } else { "s" },
                if changed_files == 1 { "" } else { "s" }
            );
        }
        return Ok(exit(0));
    }
    if let Some(output) = &outputs.baseline {
        let file = output.path();
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let (text, count) = Baseline::render(&reports, file);
        output
            .write(text.as_bytes())
            .map_err(|e| format!("cannot write the baseline {}: {e}", file.display()))?;
        if !args.quiet {
            eprintln!(
                "Wrote a baseline of {count} findings to {}.",
                file.display()
            );
        }
        return Ok(exit(0));
    }
    let baselined = apply_baseline(&args, &mut reports)?;
    let totals = report::totals(&reports, run.unsafe_fixes);
    let mut stdout = std::io::stdout().lock();
    if args.diff {
        let _ = stdout.write_all(diffs.as_bytes());
        if !args.quiet {
            eprintln!(
                "Would fix {} in {} file{}.",
                plural_errors(would_fix),
                changed_files,
                if changed_files == 1 { "" } else { "s" }
            );
        }
        return Ok(u8::from(changed_files > 0));
    }
    if !args.fix_only {
        if let Some(output) = &outputs.report {
            let mut body = Vec::new();
            let plain = RunWide {
                color: false,
                ..run
            };
            emit(&mut body, &reports, &plain, &args, totals);
            output
                .write(&body)
                .map_err(|e| format!("cannot write {}: {e}", output.path().display()))?;
            return Ok(exit(exit_code(&args, &run, totals)));
        }
        emit(&mut stdout, &reports, &run, &args, totals);
        if baselined > 0 && !args.quiet && run.format.is_human() {
            let _ = writeln!(
                stdout,
                "{baselined} findings in the baseline are not shown."
            );
        }
    } else if !args.quiet && totals.fixed > 0 {
        let _ = writeln!(stdout, "Fixed {}.", plural_errors(totals.fixed));
    }
    Ok(exit(exit_code(&args, &run, totals)))
}

/// One file checked: its report; its new text and original when it changed; and, when the run
/// writes it, what it was when read.
type Checked = (
    FileReport,
    Option<String>,
    Option<SourceText>,
    Option<Snapshot>,
);

/// A source file as a run read it: its text, or why it has none; which file it was, whenever it
/// could be read (an output must not be it, even when its text cannot be decoded); and, when the
/// run may write it, what it held.
pub(super) struct Read {
    pub source: Result<SourceText, ReadError>,
    pub identity: Option<write::Identity>,
    pub snapshot: Option<Snapshot>,
}

/// Read the source file at `path`; `writes`: take its snapshot.
pub(super) fn read_source(path: &Path, writes: bool) -> Read {
    match write::read(path) {
        Err(error) => Read {
            source: Err(ReadError::Io(error.to_string())),
            identity: None,
            snapshot: None,
        },
        Ok((bytes, identity)) => Read {
            snapshot: writes.then(|| Snapshot::new(identity, &bytes)),
            source: SourceText::decode(bytes),
            identity: Some(identity),
        },
    }
}

/// The files this run writes besides the sources it fixes.
struct Outputs {
    /// `--output-file`.
    report: Option<Output>,
    /// `--write-baseline`.
    baseline: Option<Output>,
}

/// The outputs this run will write, checked before anything is read or written.
fn outputs(args: &CheckArgs) -> Result<Outputs, Failure> {
    let writes_report =
        args.write_baseline.is_none() && !args.add_noqa && !args.diff && !args.fix_only;
    Ok(Outputs {
        report: match &args.output_file {
            Some(path) if writes_report => Some(Output::new(path)?),
            _ => None,
        },
        baseline: args
            .write_baseline
            .as_deref()
            .map(Output::new)
            .transpose()?,
    })
}

/// An output must not be a file the run reads: one of its sources (`identities` are theirs, in the
/// order of `files`), their configuration files, or the inputs `named` on the command line. Checked
/// once the sources are read, before anything is written.
pub(super) fn refuse_input_as_output<'a>(
    output: &Output,
    files: &'a [(PathBuf, Arc<Settings>)],
    identities: impl Iterator<Item = Option<write::Identity>>,
    named: impl IntoIterator<Item = &'a Path>,
) -> Result<(), Failure> {
    let source = files
        .iter()
        .zip(identities)
        .find(|(_, identity)| identity.is_some_and(|i| output.is(&i)))
        .map(|((path, _), _)| path.as_path());
    let mut seen = rustc_hash::FxHashSet::default();
    let mut configurations = files
        .iter()
        .filter(|(_, settings)| seen.insert(Arc::as_ptr(settings)))
        .filter_map(|(_, settings)| settings.config.as_deref());
    let input = source.or_else(|| {
        named
            .into_iter()
            .chain(&mut configurations)
            .find(|input| output.is_file_at(input))
    });
    match input {
        Some(input) => Err(Failure::Message(format!(
            "the output file {} is a file this run reads ({}); nothing was written: name another output file",
            output.path().display(),
            display_path(input)
        ))),
        None => Ok(()),
    }
}

/// Drop the findings `--baseline FILE` records; returns how many.
fn apply_baseline(args: &CheckArgs, reports: &mut [FileReport]) -> Result<usize, Failure> {
    let Some(file) = &args.baseline else {
        return Ok(0);
    };
    Ok(Baseline::read(file)?.filter(reports, file))
}

/// `--add-noqa` on one text: the report counts the directives added.
fn add_noqa(
    rules: &RuleSet,
    (path, absolute): (&str, &str),
    source: &str,
) -> (FileReport, Option<String>) {
    let mut report = FileReport {
        path: path.to_owned(),
        absolute: absolute.to_owned(),
        source: Some(source.to_owned()),
        ..FileReport::default()
    };
    let checked = check(rules, source, &[]);
    if checked.syntax_error || checked.diagnostics.is_empty() {
        report.diagnostics = checked.diagnostics;
        return (report, None);
    }
    let parsed = crate::analysis::parse::parse(source);
    let tokens = crate::analysis::tokens::TokenFacts::new(&parsed, source);
    let lines = noqa::Lines::new(source, &tokens);
    let (mut edits, count) = noqa::add_directives(&lines, &checked.diagnostics);
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    let text = crate::fix::edits::apply_edits(source, &edits);
    crate::analysis::parse::drop_deep(parsed, source.len());
    if count == 0 {
        return (report, None);
    }
    report.fixed.insert("noqa".to_owned(), count);
    (report, Some(text))
}

fn plural_errors(n: usize) -> String {
    if n == 1 {
        "1 error".to_owned()
    } else {
        format!("{n} errors")
    }
}

fn emit(
    out: &mut impl Write,
    reports: &[FileReport],
    run: &RunWide,
    args: &CheckArgs,
    totals: report::Totals,
) {
    if args.statistics {
        let table = if run.format == Format::Json {
            report::statistics_json(reports, run.unsafe_fixes)
        } else {
            report::statistics(reports, run.unsafe_fixes)
        };
        let _ = out.write_all(table.as_bytes());
        return;
    }
    let body = run.format.render(reports, run.unsafe_fixes, run.color);
    let _ = out.write_all(body.as_bytes());
    if run.format.is_human() && !args.quiet {
        let _ = out.write_all(report::summary(totals, run.fix).as_bytes());
    }
}

fn exit_code(args: &CheckArgs, run: &RunWide, totals: report::Totals) -> u8 {
    if args.exit_zero {
        return 0;
    }
    if args.exit_non_zero_on_fix && totals.fixed > 0 {
        return 1;
    }
    if run.fix && args.fix_only {
        return 0;
    }
    u8::from(totals.remaining > 0)
}

fn check_stdin(
    args: &CheckArgs,
    run: &RunWide,
    rules: &RuleSet,
    settings: &Settings,
) -> Result<u8, Failure> {
    let bytes =
        crate::base::bounded::read_stream(std::io::stdin(), crate::base::bounded::SOURCE_LIMIT, 0)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    let name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    let shown = name.display().to_string();
    let source = match SourceText::decode(bytes) {
        Ok(source) => source,
        Err(error) => {
            let report = file_error(&name, error.to_string());
            eprint!("{}", report::concise(&[report], false));
            return Ok(1);
        }
    };
    if args.stdin_filename.is_some()
        && settings.force_exclude
        && settings.excludes_path_or_parent(&name)
    {
        if run.fix {
            let _ = std::io::stdout().write_all(&source.encode(&source.text));
        }
        return Ok(0);
    }
    let fix = settings.fix || args.diff;
    let (report, changed, _) = process(
        rules,
        (&shown, &absolute(&name)),
        source.clone(),
        fix,
        settings.unsafe_fixes,
    );
    let mut reports = vec![report];
    apply_baseline(args, &mut reports)?;
    let totals = report::totals(&reports, run.unsafe_fixes);
    if args.diff {
        if let Some(new_text) = &changed {
            print!("{}", unified_diff(&shown, &source.text, new_text));
        }
        return Ok(u8::from(changed.is_some()));
    }
    if run.fix {
        let text = changed.unwrap_or_else(|| source.text.clone());
        let _ = std::io::stdout().write_all(&source.encode(&text));
        if !args.fix_only {
            let on_stderr = RunWide {
                color: run.color && stderr_color(),
                ..*run
            };
            emit(&mut std::io::stderr(), &reports, &on_stderr, args, totals);
        }
        return Ok(exit_code(args, run, totals));
    }
    emit(&mut std::io::stdout().lock(), &reports, run, args, totals);
    Ok(exit_code(args, run, totals))
}
