//! `check -`: one text read from standard input, checked under the settings of
//! `--stdin-filename` (or of the current directory). With fix, the fixed text goes to standard
//! output and the findings to standard error.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::base::source::SourceText;
use crate::cli::{Failure, absolute, file_error, stderr_color};
use crate::config::discover::not_checked_named;
use crate::config::resolve::Settings;
use crate::fix::write::Output;
use crate::report;
use crate::ruleset::RuleSet;

use super::files::check_file;
use super::modes::{
    RuleNames, add_noqa_to, added_summary, apply_baseline, emit, exit_code, rule_names,
    unified_diff,
};
use super::run::{Mode, RunWide};

/// Check standard input, named `name` (`--stdin-filename`), with the `settings` governing that
/// name (or the current directory).
pub(super) fn check_stdin(
    run: &RunWide,
    name: Option<&Path>,
    settings: &Settings,
    output: Option<&Output>,
) -> Result<u8, Failure> {
    let bytes =
        crate::base::bounded::read_stream(std::io::stdin(), crate::base::bounded::SOURCE_LIMIT, 0)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
    let skipped = name.and_then(|name| {
        not_checked_named(name, settings, || {
            Some(bytes[..bytes.len().min(256)].to_vec())
        })
    });
    if let (Some(name), Some(reason)) = (name, skipped) {
        eprintln!(
            "warning: {} (standard input) is skipped, not checked: {reason}",
            report::escape(&name.display().to_string())
        );
        // What prints the text it read prints it unchanged.
        if run.fix || run.mode == Mode::AddNoqa {
            let _ = std::io::stdout().write_all(&bytes);
        } else if run.mode == Mode::Check {
            let totals = report::Totals {
                skipped: 1,
                ..report::Totals::default()
            };
            let names = rule_names([settings]);
            emit_to(output, &[], run, totals, &names)?;
        }
        return Ok(0);
    }
    let rules = settings.rules_for(name.unwrap_or(Path::new(".")));
    let named = name.is_some();
    let name = name.map_or_else(|| PathBuf::from("-"), Path::to_path_buf);
    let shown = name.display().to_string();
    let source = match SourceText::decode(bytes) {
        Ok(source) => source,
        Err(error) => {
            let report = file_error(&name, error.to_string());
            eprint!("{}", report::concise(&[report], false));
            return Ok(1);
        }
    };
    if named && settings.force_exclude && settings.excludes_path_or_parent(&name) {
        if run.fix || run.mode == Mode::AddNoqa {
            let _ = std::io::stdout().write_all(&source.encode(&source.text));
        }
        return Ok(0);
    }
    if run.mode == Mode::AddNoqa {
        return add_noqa(run, &rules, (&shown, &absolute(&name)), source);
    }
    let diff = run.mode == Mode::Diff;
    // A text from standard input is checked alone: what it imports is not read.
    let checked = check_file(
        &rules,
        (&shown, &absolute(&name)),
        None,
        source.clone(),
        run.fixes_files(),
        run.unsafe_fixes,
    );
    let changed = checked.change.map(|change| change.text);
    let mut reports = vec![checked.report];
    apply_baseline(run, &mut reports)?;
    let totals = report::totals(&reports, run.unsafe_fixes);
    let names = rule_names([settings]);
    if diff {
        let text = changed.as_ref().map_or_else(String::new, |new_text| {
            unified_diff(&shown, &source.text, new_text)
        });
        match output {
            Some(output) => write_to(output, text.as_bytes())?,
            None => print!("{text}"),
        }
        return Ok(u8::from(changed.is_some() && !run.exit_zero));
    }
    if run.fix {
        let text = changed.unwrap_or_else(|| source.text.clone());
        let _ = std::io::stdout().write_all(&source.encode(&text));
        if !run.fix_only {
            if output.is_some() {
                emit_to(output, &reports, run, totals, &names)?;
            } else {
                let on_stderr = RunWide {
                    color: run.color && stderr_color(),
                    ..run.clone()
                };
                emit(&mut std::io::stderr(), &reports, &on_stderr, totals, &names);
            }
        }
        return Ok(exit_code(run, totals));
    }
    emit_to(output, &reports, run, totals, &names)?;
    Ok(exit_code(run, totals))
}

/// Print the findings in `output` (`-o FILE`, without colors), or on standard output.
fn emit_to(
    output: Option<&Output>,
    reports: &[report::FileReport],
    run: &RunWide,
    totals: report::Totals,
    names: &RuleNames,
) -> Result<(), Failure> {
    let Some(output) = output else {
        emit(&mut std::io::stdout().lock(), reports, run, totals, names);
        return Ok(());
    };
    let plain = RunWide {
        color: false,
        ..run.clone()
    };
    let mut body = Vec::new();
    emit(&mut body, reports, &plain, totals, names);
    write_to(output, &body)
}

fn write_to(output: &Output, bytes: &[u8]) -> Result<(), Failure> {
    output
        .write(bytes)
        .map_err(|e| Failure::Message(format!("cannot write {}: {e}", output.path().display())))
}

/// `check - --add-noqa`: the text with a `noqa` directive for every finding on standard output
/// (the input unchanged when it has none), and how many were added on standard error.
fn add_noqa(
    run: &RunWide,
    rules: &RuleSet,
    path: (&str, &str),
    source: SourceText,
) -> Result<u8, Failure> {
    let checked = add_noqa_to(rules, path, None, source.clone());
    let text = checked
        .change
        .map_or(source.text.clone(), |change| change.text);
    let _ = std::io::stdout().write_all(&source.encode(&text));
    for problem in &checked.report.problems {
        eprintln!("{}: {}", report::escape(path.0), report::escape(problem));
    }
    if !run.quiet {
        eprintln!("{}.", added_summary(std::slice::from_ref(&checked.report)));
    }
    Ok(0)
}
