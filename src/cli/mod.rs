//! The command line: argument definitions, dispatch to the subcommands, the helpers they share,
//! and exit codes (0 clean, 1 findings remain, 2 usage, configuration, pack or internal error).
//! `check` lives in [`check`]; `rule` and `rules` in [`rules`]; `test`, `docs`, `report` and
//! `parse-only` in [`commands`]; reading sources, for `check` and `report`, in [`sources`];
//! running packs' examples in [`packtest`]; the progress line in [`progress`].

mod check;
mod commands;
pub mod packtest;
pub mod progress;
mod rules;
mod sources;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::base::diagnostic::{Diagnostic, Origin};
use crate::base::version::Version;
use crate::config::discover::{DiscoverError, Found};
use crate::config::resolve::Discovery;
use crate::config::settings::Format;
use crate::pack::{self, Pack, SourceError};
use crate::report::{self, FileReport};

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
    /// Print the documentation of a rule, or of every rule with --all.
    #[command(
        override_usage = "anyio-lint rule [OPTIONS] <RULE>\n       anyio-lint rule [OPTIONS] --all"
    )]
    Rule {
        /// The rule: its code or an alias (in any case), or its name.
        #[arg(required_unless_present = "all", value_name = "RULE")]
        rule: Option<String>,
        /// Print the documentation of every rule.
        #[arg(long, conflicts_with = "rule")]
        all: bool,
        /// text (the Markdown page) or json (the rule's entry in `rules --output-format json`,
        /// with its explanation; an array with --all).
        #[arg(long, value_enum, default_value = "text")]
        output_format: ListFormat,
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
    /// Write the documentation of the built-in rules into DIR: a page per rule and an index.
    Docs {
        /// The directory to write into (created when missing): a new or empty one, or one
        /// `anyio-lint docs` wrote before (e.g. `docs/rules`).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        /// Do not write: exit 1 if the pages in DIR are not current.
        #[arg(long)]
        check: bool,
    },
    /// Run the language server (the Language Server Protocol over standard input and output),
    /// for editors: see docs/editors.md.
    Server,
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
        /// Print each file parsed (with `--prefiltered`, each file `check` parses).
        #[arg(long)]
        list_parsed: bool,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files or directories to scan (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// md (Markdown, for a pull request or a job summary; also `markdown`), json (documented
    /// schema) or html (one page).
    #[arg(long, visible_alias = "format", value_enum, default_value = "md")]
    pub output_format: ReportFormat,
    /// How many directory levels the progress table shows.
    #[arg(long, default_value_t = 2)]
    pub depth: usize,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    #[command(flatten)]
    pub configuration: ConfigArgs,
    #[command(flatten)]
    pub packs: PackArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    #[value(name = "md", alias = "markdown")]
    Markdown,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// Which configuration files apply (shared by `check` and `report`).
#[derive(Debug, Clone, Args, Default)]
pub struct ConfigArgs {
    /// Use this configuration file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files (not with `--config`).
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
}

impl ConfigArgs {
    fn discovery(&self) -> Discovery {
        match (self.isolated, &self.config) {
            (true, _) => Discovery::Isolated,
            (false, Some(path)) => Discovery::Fixed(path.clone()),
            (false, None) => Discovery::Nearest,
        }
    }
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
    /// Do not apply fixes (overrides `fix = true` and an earlier `--fix`).
    #[arg(long)]
    pub no_fix: bool,
    /// Also apply (with --fix) or show unsafe fixes.
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    pub unsafe_fixes: bool,
    /// Neither apply nor show unsafe fixes (overrides `unsafe-fixes = true`).
    #[arg(long)]
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
    /// Also print what the check left out of each file and why (a function too large for
    /// control-flow analysis, for one).
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub configuration: ConfigArgs,
    /// Skip files the configuration excludes even when they are named explicitly (for pre-commit).
    #[arg(long, overrides_with = "no_force_exclude")]
    pub force_exclude: bool,
    /// Check files named explicitly whatever the excludes (overrides `force-exclude = true`).
    #[arg(long)]
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
    /// Print the settings in force for PATH (a file or directory; default `.`) and where each
    /// project version came from; check nothing.
    #[arg(
        long,
        conflicts_with_all = ["fix", "fix_only", "diff", "add_noqa", "write_baseline"]
    )]
    pub show_settings: bool,
    /// Print the files the run would check (after discovery, excludes and `--force-exclude`),
    /// one per line, sorted; check nothing.
    #[arg(
        long,
        conflicts_with_all = ["show_settings", "fix", "fix_only", "diff", "add_noqa", "write_baseline"]
    )]
    pub show_files: bool,
    /// After the findings, list the fixes applied (with --fix), or the fixes available, per file
    /// and rule.
    #[arg(long, overrides_with = "no_show_fixes")]
    pub show_fixes: bool,
    /// Do not list the fixes (overrides `show-fixes = true`).
    #[arg(long)]
    pub no_show_fixes: bool,
    /// Rule codes or prefixes whose fixes are offered and applied (comma-separated; `ALL` for all,
    /// the default).
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub fixable: Vec<String>,
    /// Rule codes or prefixes whose fixes are offered and applied, on top of `--fixable`.
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub extend_fixable: Vec<String>,
    /// Rule codes or prefixes whose fixes are neither offered nor applied (their findings stay).
    #[arg(long, value_delimiter = ',', value_name = "SELECTORS")]
    pub unfixable: Vec<String>,
    /// Globs of paths not to check, replacing the configuration's `exclude` (comma-separated,
    /// relative to the current directory).
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    pub exclude: Option<Vec<String>>,
    /// Globs of paths not to check, on top of the configuration's (comma-separated, relative to
    /// the current directory).
    #[arg(long, value_delimiter = ',', value_name = "GLOBS")]
    pub extend_exclude: Vec<String>,
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

impl From<DiscoverError> for Failure {
    fn from(error: DiscoverError) -> Self {
        match error {
            DiscoverError::Settings(error) => Failure::Source(error),
            path => Failure::Message(path.to_string()),
        }
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
        Command::Check(args) => check::run_check(*args),
        Command::Rule {
            rule,
            all,
            output_format,
            packs,
        } => rules::run_rule(rule.as_deref(), all, output_format, &packs),
        Command::Rules {
            output_format,
            packs,
        } => rules::run_rules(output_format, &packs),
        Command::Test { packs } => commands::run_test(&packs),
        Command::Docs { dir, check } => commands::run_docs(&dir, check),
        Command::Report(args) => commands::run_report(&args),
        Command::Server => Ok(crate::server::serve_stdio()),
        Command::ParseOnly {
            paths,
            prefiltered,
            list_errors,
            list_parsed,
        } => commands::run_parse_only(&paths, prefiltered, list_errors, list_parsed),
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
        let parsed = Version::parse(version).ok_or_else(|| {
            format!("`--version-of {item}`: `{version}` is not a version such as `4.12`")
        })?;
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

/// Say on standard error which files named on the command line are skipped, and why.
fn warn_skipped(found: &Found) {
    for (path, reason) in &found.skipped {
        eprintln!(
            "warning: {} is skipped, not checked: {}",
            report::escape(&display_path(path)),
            reason
        );
    }
}

/// A path as shown to the user: relative paths without a leading `./`.
fn display_path(path: &Path) -> String {
    path.strip_prefix(".").unwrap_or(path).display().to_string()
}

/// The paths to walk: those given, or the current directory.
fn paths_or_current(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
