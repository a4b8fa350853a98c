//! The other subcommands: `test`, `docs`, `report` and the hidden `parse-only`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::base::source::SourceText;
use crate::cli::packtest;
use crate::config::discover;
use crate::config::resolve::{Discovery, Overrides, Resolver};
use crate::fix::write::{self, Output};
use crate::report::FileReport;
use crate::report::migration::{self, Migration};
use crate::ruleset::RuleSet;

use super::sources::{Read, read_source, refuse_input_as_output};
use super::{
    Failure, PackArgs, ReportArgs, ReportFormat, absolute, display_path, file_error, load_packs,
    paths_or_current, warn_skipped,
};

pub(super) fn run_report(args: &ReportArgs) -> Result<u8, Failure> {
    let overrides = Overrides {
        rulepacks: args.packs.rulepacks.clone(),
        builtin_packs: !args.packs.no_builtin_packs,
        ..Overrides::default()
    };
    let resolver = Arc::new(Resolver::new(overrides, args.configuration.discovery()));
    let output = args.output_file.as_deref().map(Output::new).transpose()?;
    let paths = paths_or_current(&args.paths);
    let found = discover::discover(&paths, &resolver)?;
    warn_skipped(&found);
    // The migration of each configuration's packs, worked out once per configuration.
    let mut migrations: FxHashMap<Option<&Path>, Migration> = FxHashMap::default();
    for (_, settings) in &found.files {
        migrations
            .entry(settings.config.as_deref())
            .or_insert_with(|| Migration::of(&settings.rules().packs));
    }
    let results: Vec<(FileReport, migration::State, Option<write::Identity>)> = found
        .files
        .par_iter()
        .map(|(path, settings)| {
            let Read {
                source, identity, ..
            } = read_source(path, false);
            let (report, state) = match source {
                Err(error) => (
                    file_error(path, error.to_string()),
                    migration::State::Outside,
                ),
                Ok(source) => {
                    let migration = &migrations[&settings.config.as_deref()];
                    report_file(migration, &settings.rules_for(path), path, source)
                }
            };
            (report, state, identity)
        })
        .collect();
    if let Some(output) = &output {
        let identities = results.iter().map(|(_, _, identity)| *identity);
        let named = args
            .configuration
            .config
            .iter()
            .chain(&args.packs.rulepacks);
        refuse_input_as_output(
            output,
            &found.files,
            identities,
            named.map(PathBuf::as_path),
        )?;
    }
    let mut files: Vec<(FileReport, migration::State)> = results
        .into_iter()
        .map(|(report, state, _)| (report, state))
        .collect();
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let governing = resolver.for_path(&paths[0])?;
    let migration = Migration::of(&governing.rules().packs);
    let report = migration::summarize(&files, &migration, args.depth);
    let text = match args.output_format {
        ReportFormat::Markdown => migration::markdown(&report),
        ReportFormat::Json => migration::json(&report),
        ReportFormat::Html => migration::html(&report),
    };
    match &output {
        Some(output) => output
            .write(text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", output.path().display()))?,
        None => print!("{text}"),
    }
    Ok(0)
}

/// One file of the report: its findings (the report holds its text when it has some) and where
/// it stands in the migration.
fn report_file(
    migration: &Migration,
    rules: &RuleSet,
    path: &Path,
    source: SourceText,
) -> (FileReport, migration::State) {
    let shown = display_path(path);
    let (diagnostics, state) = match rules.config_file_name(&shown) {
        Some(name) => (
            crate::engine::config_file::check_config(rules, name, &source.text, &[]).diagnostics,
            migration::State::Outside,
        ),
        None => migration.check(rules, &source.text),
    };
    let report = FileReport {
        path: shown,
        absolute: absolute(path),
        source: (!diagnostics.is_empty()).then_some(source.text),
        diagnostics,
        ..FileReport::default()
    };
    (report, state)
}

/// `anyio-lint test`: the examples of the packs at `paths` (the built-in packs when none are
/// given), each printed with its outcome; exits 1 when one failed.
pub(super) fn run_test(paths: &[PathBuf]) -> Result<u8, Failure> {
    let args = PackArgs {
        rulepacks: paths.to_vec(),
        no_builtin_packs: !paths.is_empty(),
    };
    let packs = load_packs(&args)?;
    let outcomes = packtest::test_packs(packs);
    let mut failed = 0;
    for outcome in &outcomes {
        match &outcome.failure {
            None => println!("ok    {}", outcome.label),
            Some(why) => {
                failed += 1;
                println!("FAIL  {}\n{}\n", outcome.label, indent(why));
            }
        }
    }
    println!(
        "\nexamples: {} passed, {failed} failed",
        outcomes.len() - failed
    );
    Ok(u8::from(failed > 0))
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `anyio-lint docs DIR`: the built-in packs' rule pages and their index written into `DIR`
/// (created when missing), pages of rules that are gone removed; `check_only`: write nothing,
/// exit 1 when the pages in `DIR` are not current. `DIR` is required, and must be new, empty, or
/// a directory these pages were written to: other files are never overwritten or removed.
pub(super) fn run_docs(dir: &Path, check_only: bool) -> Result<u8, Failure> {
    if check_only && !dir.is_dir() {
        return Err(Failure::Message(format!(
            "{} is not a directory: name the directory holding the rule pages, or write them with `anyio-lint docs {}`",
            dir.display(),
            dir.display()
        )));
    }
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(Failure::Message(format!(
            "{} is not a directory: name the directory to write the rule pages into (created when missing), e.g. `anyio-lint docs docs/rules`",
            dir.display()
        )));
    }
    let packs = load_packs(&PackArgs::default())?;
    let pages = crate::report::rule_docs::rule_docs(&packs);
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path);
        }
    }
    let expected: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    let entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(format!("cannot read {}: {error}", dir.display()).into()),
    };
    // Pages of rules no pack has any more.
    let extra: Vec<PathBuf> = (entries.iter())
        .filter(|p| crate::report::rule_docs::is_rule_page_name(p))
        .filter(|p| {
            !expected
                .iter()
                .any(|n| p.file_name().is_some_and(|f| f == *n))
        })
        .cloned()
        .collect();
    if check_only {
        for path in stale.iter().chain(&extra) {
            eprintln!("stale: {}", path.display());
        }
        if !stale.is_empty() || !extra.is_empty() {
            eprintln!(
                "the rule docs are not current: run `anyio-lint docs {}`",
                dir.display()
            );
            return Ok(1);
        }
        println!("{} rule pages are current", pages.len());
        return Ok(0);
    }
    let index = dir.join(crate::report::rule_docs::INDEX);
    let generated = std::fs::read_to_string(&index)
        .is_ok_and(|text| crate::report::rule_docs::is_generated_index(&text));
    if !entries.is_empty() && !generated {
        return Err(Failure::Message(format!(
            "{} holds files `anyio-lint docs` did not write; nothing was written: name a new or \
             empty directory, e.g. `anyio-lint docs {}`",
            dir.display(),
            dir.join("rules").display()
        )));
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

pub(super) fn run_parse_only(
    paths: &[PathBuf],
    prefiltered: bool,
    list_errors: bool,
    list_parsed: bool,
) -> Result<u8, Failure> {
    let overrides = Overrides {
        builtin_packs: prefiltered,
        ..Overrides::default()
    };
    let resolver = Arc::new(Resolver::new(overrides, Discovery::Isolated));
    let mut found = discover::discover(paths, &resolver)?;
    // Python files only: configuration files are read as INI or TOML.
    found.files.retain(|(path, settings)| {
        settings
            .rules()
            .config_file_name(&path.to_string_lossy())
            .is_none()
    });
    let outcomes: Vec<(bool, bool)> = found
        .files
        .par_iter()
        .map(|(path, settings)| match SourceText::read(path) {
            Ok(source)
                if prefiltered
                    && crate::engine::worth_parsing(settings.rules(), &source.text).is_none() =>
            {
                (false, true)
            }
            Ok(source) => {
                let parsed = crate::analysis::parse::parse(&source.text);
                let ok = parsed.errors().is_empty();
                crate::analysis::parse::drop_deep(parsed, source.text.len());
                (true, ok)
            }
            Err(_) => (false, false),
        })
        .collect();
    for ((path, _), (parsed, ok)) in found.files.iter().zip(&outcomes) {
        if (list_errors && !ok) || (list_parsed && *parsed) {
            println!("{}", display_path(path));
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
