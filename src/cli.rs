//! The command line: argument definitions, the `check`, `rule`, `rules`, `test` and `parse-only`
//! subcommands, and exit codes (0 clean, 1 findings remain, 2 usage, configuration, pack or
//! internal error).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::check::check;
use crate::diagnostic::{Diagnostic, Origin};
use crate::discover;
use crate::fix::{apply, write};
use crate::migration;
use crate::noqa;
use crate::pack::{self, Pack, SourceError};
use crate::progress::Progress;
use crate::report::{self, FileReport, Format};
use crate::resolve::{Discovery, Overrides, Resolver, Settings, known_selector};
use crate::ruleset::RuleSet;
use crate::source::SourceText;
use crate::version::Version;

#[derive(Debug, Parser)]
#[command(
    name = "anyio-lint",
    version,
    about = "A Python linter and autofixer driven by declarative rule packs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check files (and fix them with --fix).
    Check(Box<CheckArgs>),
    /// Print the documentation of one rule.
    Rule {
        code: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// List every loaded rule.
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        output_format: ListFormat,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Run the examples of rule packs: flagged code must be flagged and fix as expected.
    Test {
        /// Pack files to test; the built-in packs when none are given.
        packs: Vec<PathBuf>,
    },
    /// Report the migration's progress: files migrated and remaining, per directory, findings by
    /// rule and fixability, and the items left to do by hand.
    Report(ReportArgs),
    /// Write the per-rule documentation of the loaded packs into DIR (default `docs/rules`).
    Docs {
        #[arg(default_value = "docs/rules")]
        dir: PathBuf,
        /// Do not write: exit 1 if the pages in DIR are not current.
        #[arg(long)]
        check: bool,
    },
    /// Parse files with Ruff's parser and nothing else (the benchmark floor).
    #[command(hide = true)]
    ParseOnly {
        paths: Vec<PathBuf>,
        /// Parse only the files the built-in packs' prefilter lets through (what `check` parses).
        #[arg(long)]
        prefiltered: bool,
        /// Print each file that does not parse.
        #[arg(long)]
        list_errors: bool,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files or directories to scan (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// markdown (for a pull request or a job summary), json (documented schema) or html (one page).
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// How many directory levels the progress table shows.
    #[arg(long, default_value_t = 2)]
    pub depth: usize,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Use this configuration file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    pub isolated: bool,
    #[command(flatten)]
    pub packs: PackArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args, Default)]
pub struct PackArgs {
    /// Add a rule pack (repeatable).
    #[arg(long = "rulepack", value_name = "FILE")]
    pub rulepacks: Vec<PathBuf>,
    /// Do not load the built-in packs.
    #[arg(long)]
    pub no_builtin_packs: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads standard input).
    pub paths: Vec<PathBuf>,
    /// Apply safe fixes.
    #[arg(long, overrides_with = "no_fix")]
    pub fix: bool,
    #[arg(long, hide = true)]
    pub no_fix: bool,
    /// Also apply (with --fix) or show unsafe fixes.
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,
    #[arg(long, hide = true)]
    pub no_unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change; write nothing.
    #[arg(long)]
    pub diff: bool,
    /// Fix, and report nothing about what remains.
    #[arg(long)]
    pub fix_only: bool,
    /// Rule codes or prefixes to enable (comma-separated; `ALL` for all).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Rule codes or prefixes to enable on top of the selection.
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Rule codes or prefixes to disable.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// How to print findings (default: full).
    #[arg(long, value_enum)]
    pub output_format: Option<Format>,
    /// Write the findings to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print a count per rule instead of each finding.
    #[arg(long)]
    pub statistics: bool,
    /// Exit 0 even when findings remain.
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 1 when any fix was applied, even if nothing remains.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// Print findings only, no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Use this configuration file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    pub isolated: bool,
    /// Skip files the configuration excludes even when they are named explicitly (for pre-commit).
    #[arg(long, overrides_with = "no_force_exclude")]
    pub force_exclude: bool,
    #[arg(long, hide = true)]
    pub no_force_exclude: bool,
    /// Add `# noqa` directives for every current finding, and fix nothing.
    #[arg(long)]
    pub add_noqa: bool,
    /// Record the current findings in FILE (JSON), for `--baseline`.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings not recorded in FILE (written by `--write-baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// The file name to use for standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Project versions, e.g. `--version-of lib=4.12` (overrides configuration).
    #[arg(
        long = "version-of",
        value_name = "DIST=VERSION",
        value_delimiter = ','
    )]
    pub versions: Vec<String>,
    /// Color output: auto, always, never.
    #[arg(long, default_value = "auto")]
    pub color: String,
}

/// A failure that ends the run with exit code 2.
#[derive(Debug)]
pub enum Failure {
    Source(SourceError),
    Message(String),
}

impl From<SourceError> for Failure {
    fn from(error: SourceError) -> Self {
        Failure::Source(error)
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Run the command line; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check(args) => run_check(*args),
        Command::Rule { code, packs } => run_rule(&code, &packs),
        Command::Rules {
            output_format,
            packs,
        } => run_rules(output_format, &packs),
        Command::Test { packs } => crate::packtest::run(&packs),
        Command::Docs { dir, check } => run_docs(&dir, check),
        Command::Report(args) => run_report(&args),
        Command::ParseOnly {
            paths,
            prefiltered,
            list_errors,
        } => run_parse_only(&paths, prefiltered, list_errors),
    };
    match result {
        Ok(code) => code,
        Err(Failure::Source(error)) => {
            eprint!("{}", error.render(stderr_color()));
            2
        }
        Err(Failure::Message(message)) => {
            eprintln!("error: {message}");
            2
        }
    }
}

/// Load the built-in packs (unless disabled) and the user's packs.
pub fn load_packs(args: &PackArgs) -> Result<Vec<Pack>, Failure> {
    Ok(pack::load_all(!args.no_builtin_packs, &args.rulepacks)?)
}

fn parse_versions(items: &[String]) -> Result<BTreeMap<String, Version>, Failure> {
    let mut versions = BTreeMap::new();
    for item in items {
        let (name, version) = item
            .split_once('=')
            .ok_or_else(|| format!("`--version-of {item}`: write DIST=VERSION, e.g. lib=4.12"))?;
        let parsed =
            Version::parse(version).ok_or_else(|| format!("`{version}` is not a version"))?;
        versions.insert(name.trim().to_owned(), parsed);
    }
    Ok(versions)
}

/// `--flag` / `--no-flag`: `Some` when either was given.
fn flag(on: bool, off: bool) -> Option<bool> {
    match (on, off) {
        (_, true) => Some(false),
        (true, _) => Some(true),
        _ => None,
    }
}

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
        discovery(args.isolated, &args.config),
    )))
}

fn discovery(isolated: bool, config: &Option<PathBuf>) -> Discovery {
    match (isolated, config) {
        (true, _) => Discovery::Isolated,
        (false, Some(path)) => Discovery::Fixed(path.clone()),
        (false, None) => Discovery::Nearest,
    }
}

fn run_report(args: &ReportArgs) -> Result<u8, Failure> {
    let overrides = Overrides {
        rulepacks: args.packs.rulepacks.clone(),
        builtin_packs: !args.packs.no_builtin_packs,
        ..Overrides::default()
    };
    let resolver = Arc::new(Resolver::new(
        overrides,
        discovery(args.isolated, &args.config),
    ));
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover::discover(&paths, &resolver)?;
    let mut files: Vec<(FileReport, migration::State)> = found
        .files
        .par_iter()
        .map(|(path, settings)| match SourceText::read(path) {
            Err(error) => (
                file_error(path, error.to_string()),
                migration::State::Outside,
            ),
            Ok(source) => {
                let rules = settings.rules_for(path);
                let (report, _) = process(
                    &rules,
                    (&display_path(path), &absolute(path)),
                    &source.text,
                    false,
                    false,
                );
                let state = migration::Migration::of(&rules.packs).state(&source.text);
                (report, state)
            }
        })
        .collect();
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let governing = resolver.for_path(&paths[0])?;
    let modules = migration::Migration::of(&governing.rules().packs);
    let report = migration::summarize(&files, &modules, args.depth);
    let text = match args.format {
        ReportFormat::Markdown => migration::markdown(&report),
        ReportFormat::Json => migration::json(&report),
        ReportFormat::Html => migration::html(&report),
    };
    match &args.output_file {
        Some(file) => write::create_atomic(file, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?,
        None => print!("{text}"),
    }
    Ok(0)
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

/// Check (and fix) one text; returns the report and the new text when it changed.
fn process(
    rules: &RuleSet,
    (path, absolute): (&str, &str),
    source: &str,
    fix: bool,
    unsafe_fixes: bool,
) -> (FileReport, Option<String>) {
    let mut report = FileReport {
        path: path.to_owned(),
        absolute: absolute.to_owned(),
        ..FileReport::default()
    };
    if fix {
        let outcome = apply::fix(rules, source, unsafe_fixes);
        report.fixed = outcome.applied.clone();
        report.problems = outcome.problems.clone();
        report.diagnostics = outcome.remaining.diagnostics;
        let changed = (outcome.text != source).then_some(outcome.text);
        report.source = Some(changed.clone().unwrap_or_else(|| source.to_owned()));
        (report, changed)
    } else {
        report.diagnostics = check(rules, source, &[]).diagnostics;
        report.source = Some(source.to_owned());
        (report, None)
    }
}

fn file_error(path: &Path, message: String) -> FileReport {
    let shown = display_path(path);
    let mut diagnostic = Diagnostic::error(Origin::FileError, report::file_start(), message);
    diagnostic.name = Some("io-error".to_owned());
    FileReport {
        path: shown,
        absolute: absolute(path),
        source: Some(String::new()),
        diagnostics: vec![diagnostic],
        ..FileReport::default()
    }
}

/// A path as shown to the user: relative paths without a leading `./`.
fn display_path(path: &Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
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

fn run_check(args: CheckArgs) -> Result<u8, Failure> {
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
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover::discover(&paths, &resolver)?;
    let progress = Progress::start(
        found.files.len(),
        !args.quiet && std::io::stderr().is_terminal(),
    );
    let results: Vec<(FileReport, Option<String>, Option<SourceText>)> = found
        .files
        .par_iter()
        .map(|(path, settings)| {
            let shown = display_path(path);
            let result = match SourceText::read(path) {
                Err(error) => (file_error(path, error.to_string()), None, None),
                Ok(source) => {
                    let rules = settings.rules_for(path);
                    let (report, changed) = if args.add_noqa {
                        add_noqa(&rules, (&shown, &absolute(path)), &source.text)
                    } else {
                        process(
                            &rules,
                            (&shown, &absolute(path)),
                            &source.text,
                            settings.fix || args.diff,
                            settings.unsafe_fixes,
                        )
                    };
                    (report, changed, Some(source))
                }
            };
            progress.tick();
            result
        })
        .collect();
    progress.finish();
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
    for ((mut report, changed, source), (path, settings)) in results.into_iter().zip(&found.files) {
        if let (Some(new_text), Some(original)) = (changed, source) {
            changed_files += 1;
            if args.diff {
                diffs.push_str(&unified_diff(&report.path, &original.text, &new_text));
                would_fix += report.fixed.values().sum::<usize>();
                report.fixed.clear();
            } else if let Err(error) = write::write_atomic(path, &original.encode(&new_text)) {
                report.problems.push(format!("fixes not written: {error}"));
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
            eprintln!("{}: {problem}", report.path);
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
        return Ok(0);
    }
    if let Some(file) = &args.write_baseline {
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let (text, count) = Baseline::render(&reports, file);
        write::create_atomic(file, text.as_bytes())
            .map_err(|e| format!("cannot write the baseline {}: {e}", file.display()))?;
        if !args.quiet {
            eprintln!(
                "Wrote a baseline of {count} findings to {}.",
                file.display()
            );
        }
        return Ok(0);
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
        if let Some(file) = &args.output_file {
            let mut body = Vec::new();
            let plain = RunWide {
                color: false,
                ..run
            };
            emit(&mut body, &reports, &plain, &args, totals);
            write::create_atomic(file, &body)
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            return Ok(exit_code(&args, &run, totals));
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
    Ok(exit_code(&args, &run, totals))
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
    let parsed = crate::check::parse(source);
    let strings = crate::check::multiline_strings(&parsed, source);
    let lines = noqa::Lines::new(source, &parsed, &strings);
    let (mut edits, count) = noqa::add_directives(&lines, &checked.diagnostics);
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    let text = apply::apply_edits(source, &edits);
    crate::check::drop_deep(parsed, 10_000);
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
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
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
    let (report, changed) = process(
        rules,
        (&shown, &absolute(&name)),
        &source.text,
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

fn run_rule(code: &str, args: &PackArgs) -> Result<u8, Failure> {
    let packs = load_packs(args)?;
    if code == noqa::UNUSED_NOQA {
        print!("{}", noqa::UNUSED_NOQA_DOC);
        return Ok(0);
    }
    for pack in &packs {
        if let Some(rule) = pack.rules.iter().find(|r| r.code == code) {
            print!("{}", crate::docs::rule_page(pack, rule));
            return Ok(0);
        }
    }
    Err(Failure::Message(format!(
        "no rule `{code}`; `anyio-lint rules` lists them"
    )))
}

fn run_rules(format: ListFormat, args: &PackArgs) -> Result<u8, Failure> {
    let packs = load_packs(args)?;
    let mut out = String::new();
    match format {
        ListFormat::Text => {
            for pack in &packs {
                for rule in &pack.rules {
                    let fix = format!("{} fix", crate::docs::fix_kind(rule.applicability));
                    out.push_str(&format!(
                        "{:<8} {:<40} {:<10} {}\n",
                        rule.code, rule.name, fix, pack.name
                    ));
                }
            }
            out.push_str(&format!(
                "{:<8} {:<40} {:<10} engine\n",
                noqa::UNUSED_NOQA,
                noqa::UNUSED_NOQA_NAME,
                "safe fix"
            ));
        }
        ListFormat::Json => {
            let mut rules: Vec<serde_json::Value> = packs
                .iter()
                .flat_map(|pack| pack.rules.iter().map(move |rule| (pack, rule)))
                .map(|(pack, rule)| {
                    serde_json::json!({
                        "code": rule.code,
                        "name": rule.name,
                        "pack": pack.name,
                        "severity": format!("{:?}", rule.severity).to_lowercase(),
                        "fix": rule.applicability.map(|a| format!("{a:?}").to_lowercase()),
                        "requires": rule.requires.iter().map(|(d, s)| (d.clone(), s.to_string())).collect::<BTreeMap<_, _>>(),
                        "message": rule.message,
                        "help": rule.help,
                    })
                })
                .collect();
            rules.push(serde_json::json!({
                "code": noqa::UNUSED_NOQA,
                "name": noqa::UNUSED_NOQA_NAME,
                "pack": "engine",
                "severity": "warning",
                "fix": "safe",
                "requires": {},
                "message": "unused `noqa` directive",
                "help": null,
            }));
            out = serde_json::to_string_pretty(&rules).unwrap_or_default();
            out.push('\n');
        }
    }
    print!("{out}");
    Ok(0)
}

fn run_docs(dir: &Path, check_only: bool) -> Result<u8, Failure> {
    let packs = load_packs(&PackArgs::default())?;
    let pages = crate::docs::rule_docs(&packs);
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path);
        }
    }
    let expected: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    let extra: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .filter(|p| {
                    !expected
                        .iter()
                        .any(|n| p.file_name().is_some_and(|f| f == *n))
                })
                .collect()
        })
        .unwrap_or_default();
    if check_only {
        for path in stale.iter().chain(&extra) {
            eprintln!("stale: {}", path.display());
        }
        if !stale.is_empty() || !extra.is_empty() {
            eprintln!(
                "the rule docs are not current: run `cargo run -- docs {}`",
                dir.display()
            );
            return Ok(1);
        }
        println!("{} rule pages are current", pages.len());
        return Ok(0);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))?;
    }
    for path in extra {
        let _ = std::fs::remove_file(path);
    }
    println!("wrote {} pages to {}", pages.len(), dir.display());
    Ok(0)
}

fn run_parse_only(paths: &[PathBuf], prefiltered: bool, list_errors: bool) -> Result<u8, Failure> {
    let overrides = Overrides {
        builtin_packs: prefiltered,
        ..Overrides::default()
    };
    let resolver = Arc::new(Resolver::new(overrides, Discovery::Isolated));
    let found = discover::discover(paths, &resolver)?;
    let outcomes: Vec<(bool, bool)> = found
        .files
        .par_iter()
        .map(|(path, settings)| match SourceText::read(path) {
            Ok(source) if prefiltered && !settings.rules().may_match(&source.text) => (false, true),
            Ok(source) => {
                let parsed = crate::check::parse(&source.text);
                let ok = parsed.errors().is_empty();
                crate::check::drop_deep(parsed, 10_000);
                (true, ok)
            }
            Err(_) => (false, false),
        })
        .collect();
    if list_errors {
        for ((path, _), (_, ok)) in found.files.iter().zip(&outcomes) {
            if !ok {
                println!("{}", display_path(path));
            }
        }
    }
    let parsed = outcomes.iter().filter(|(parsed, _)| *parsed).count();
    let errors = outcomes.iter().filter(|(_, ok)| !ok).count();
    eprintln!(
        "parsed {parsed} of {} files, {errors} with errors",
        found.files.len()
    );
    Ok(0)
}
