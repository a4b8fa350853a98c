//! The options of a `check` run as a whole, resolved once, before any file is read.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{CheckArgs, Failure, flag};
use crate::config::resolve::{Settings, known_selector};
use crate::config::settings::{Format, RunKeys, Source};
use crate::pack::Pack;

/// What a run does with the files it checks. Exactly one applies: the options that would make
/// two apply are refused ([`RunWide::resolve`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Mode {
    /// Report the findings.
    Check,
    /// Write the fixed files, and report what remains (`--fix`, `--fix-only`, `fix = true`).
    Fix,
    /// Print what fixing would change, and write nothing (`--diff`).
    Diff,
    /// Write a `noqa` directive for every finding (`--add-noqa`).
    AddNoqa,
    /// Record the findings in this file (`--write-baseline`).
    WriteBaseline(PathBuf),
}

/// What applies to a `check` run as a whole rather than to each file, and nothing else: the
/// command line over the run-wide keys of the configuration governing the run's root (its first
/// path, or `--stdin-filename`), over the defaults. Built once per run; no other place reads
/// these options, from the command line or from a configuration.
#[derive(Debug, Clone)]
pub(super) struct RunWide {
    pub mode: Mode,
    /// Whether fixes are applied: `--fix` (or `--fix-only`) / `--no-fix`, else `fix`.
    pub fix: bool,
    /// Whether unsafe fixes are applied and shown: `--unsafe-fixes` / `--no-unsafe-fixes`, else
    /// `unsafe-fixes`.
    pub unsafe_fixes: bool,
    /// `--fix-only`: report nothing about what remains.
    pub fix_only: bool,
    /// `--output-format`, else `output-format`, else `full`.
    pub format: Format,
    /// `--show-fixes` / `--no-show-fixes`, else `show-fixes`: after the findings, the fixes
    /// applied or available per file and rule.
    pub show_fixes: bool,
    /// Where `fix`, `unsafe-fixes`, `show-fixes` and `output-format` came from.
    pub sources: RunSources,
    /// Whether standard output gets colors (`--color`, else whether it is a terminal).
    pub color: bool,
    pub statistics: bool,
    pub quiet: bool,
    /// `--verbose`: also print what the check left out of each file and why.
    pub verbose: bool,
    pub exit_zero: bool,
    pub exit_non_zero_on_fix: bool,
    /// `-o FILE`: where what the run prints on standard output goes instead (the findings, the
    /// diff with `--diff`, the list of `--show-files` or the settings of `--show-settings`).
    pub output_file: Option<PathBuf>,
    /// `--baseline FILE`: the findings not to report.
    pub baseline: Option<PathBuf>,
}

/// Where each run-wide option came from: the command line, the configuration governing the
/// run's root (or one it extends), or the default.
#[derive(Debug, Clone)]
pub(super) struct RunSources {
    pub fix: Source,
    pub unsafe_fixes: Source,
    pub show_fixes: Source,
    pub format: Source,
}

/// A run-wide option: the command line's (`Some` with the option given), else the
/// configuration's, else `default`; with where it came from.
fn decided<T>(
    command_line: Option<(T, &'static str)>,
    configured: Option<(T, Source)>,
    default: T,
) -> (T, Source) {
    match (command_line, configured) {
        (Some((value, option)), _) => (value, Source::CommandLine(option)),
        (None, Some(configured)) => configured,
        (None, None) => (default, Source::Default),
    }
}

/// `--flag` / `--no-flag` as [`flag`] reads them, with the option that decided.
fn flag_option(
    (on, on_name): (bool, &'static str),
    (off, off_name): (bool, &'static str),
) -> Option<(bool, &'static str)> {
    flag(on, off).map(|value| (value, if value { on_name } else { off_name }))
}

impl RunWide {
    /// Resolve the run-wide options of `args` over `keys`, the run-wide keys of the configuration
    /// governing the run's root, whose settings are `root`. A configuration's `fix = true` the
    /// command line does not decide is said on standard error. Refuses command-line selectors
    /// that name no rule of the root's packs, and options that contradict one another.
    pub fn resolve(args: &CheckArgs, keys: RunKeys, root: &Settings) -> Result<RunWide, Failure> {
        let fix_option = if args.fix_only { "--fix-only" } else { "--fix" };
        let fix = flag_option(
            (args.fix || args.fix_only, fix_option),
            (args.no_fix, "--no-fix"),
        );
        let quiet_about_fix = args.show_settings || args.show_files;
        if let (None, Some((true, source))) = (fix, &keys.fix)
            && !quiet_about_fix
        {
            let config = match source {
                Source::File { path, .. } => path.display().to_string(),
                _ => "configuration".to_owned(),
            };
            eprintln!(
                "warning: {config} sets `fix = true`: the files it governs are fixed in place, \
                 as with `--fix`; pass `--no-fix` to only report, or `--fix` to fix without this \
                 warning"
            );
        }
        check_cli_selectors(args, &root.rules().packs)?;
        let (fix, fix_source) = decided(fix, keys.fix, false);
        if args.write_baseline.is_some() && (fix || args.diff || args.add_noqa) {
            return Err(Failure::Message(
                "`--write-baseline` records findings; it cannot be combined with `--fix`, `--diff` or `--add-noqa`".to_owned(),
            ));
        }
        if args.add_noqa && (fix || args.diff) {
            return Err(Failure::Message(
                "`--add-noqa` cannot be combined with `--fix` or `--diff`".to_owned(),
            ));
        }
        if args.output_file.is_some() && args.add_noqa {
            return Err(Failure::Message(
                "`-o`/`--output-file` takes what a run reports, and `--add-noqa` reports nothing: it writes its directives into the files checked; drop `-o`".to_owned(),
            ));
        }
        if args.output_file.is_some() && args.write_baseline.is_some() {
            return Err(Failure::Message(
                "`--write-baseline FILE` writes the findings to FILE and reports nothing: drop `-o`/`--output-file`".to_owned(),
            ));
        }
        let mode = match &args.write_baseline {
            _ if args.add_noqa => Mode::AddNoqa,
            Some(file) => Mode::WriteBaseline(file.clone()),
            None if args.diff => Mode::Diff,
            None if fix => Mode::Fix,
            None => Mode::Check,
        };
        let unsafe_fixes = flag_option(
            (args.unsafe_fixes, "--unsafe-fixes"),
            (args.no_unsafe_fixes, "--no-unsafe-fixes"),
        );
        let (unsafe_fixes, unsafe_source) = decided(unsafe_fixes, keys.unsafe_fixes, false);
        let show_fixes = flag_option(
            (args.show_fixes, "--show-fixes"),
            (args.no_show_fixes, "--no-show-fixes"),
        );
        let (show_fixes, show_fixes_source) = decided(show_fixes, keys.show_fixes, false);
        let format = args.output_format.map(|f| (f, "--output-format"));
        let (format, format_source) = decided(format, keys.output_format, Format::Full);
        Ok(RunWide {
            mode,
            fix,
            unsafe_fixes,
            fix_only: args.fix_only,
            format,
            show_fixes,
            sources: RunSources {
                fix: fix_source,
                unsafe_fixes: unsafe_source,
                show_fixes: show_fixes_source,
                format: format_source,
            },
            color: match args.color.as_str() {
                "always" => true,
                "never" => false,
                _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            },
            statistics: args.statistics,
            quiet: args.quiet,
            verbose: args.verbose,
            exit_zero: args.exit_zero,
            exit_non_zero_on_fix: args.exit_non_zero_on_fix,
            output_file: args.output_file.clone(),
            baseline: args.baseline.clone(),
        })
    }

    /// Whether each file is fixed (in memory at least): with `--fix`, or to show `--diff`.
    pub fn fixes_files(&self) -> bool {
        self.fix || self.mode == Mode::Diff
    }
}

/// Command-line rule selectors must name loaded rules.
fn check_cli_selectors(args: &CheckArgs, packs: &[Pack]) -> Result<(), Failure> {
    for selector in args
        .select
        .iter()
        .chain(&args.extend_select)
        .chain(&args.ignore)
        .chain(&args.fixable)
        .chain(&args.extend_fixable)
        .chain(&args.unfixable)
    {
        known_selector(packs, selector).map_err(Failure::Message)?;
    }
    Ok(())
}
