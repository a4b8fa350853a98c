//! `check --show-settings [PATH]`: the settings in force for one file or directory, each with
//! where it came from (a configuration file and key, the command line, or the default), and for
//! each project version where it came from. `check --show-files`: the files a run would check.
//! Nothing is checked. The layouts are documented in `docs/configuration.md`; every list is in a
//! fixed order, so the output depends on the settings only.

use std::fmt::Write;
use std::path::Path;

use crate::cli::display_path;
use crate::config::discover::Found;
use crate::config::resolve::Settings;
use crate::config::settings::Source;

use super::run::RunWide;

/// The settings governing `path` (`settings`, and the run-wide options `run`), as text: one line
/// per setting and source, `KEY  VALUES  from SOURCE`, or `KEY  VALUES (default)`.
pub(super) fn show_settings(path: &Path, settings: &Settings, run: &RunWide) -> String {
    let mut out = String::new();
    let mut line = |key: &str, value: &str| {
        let _ = writeln!(out, "{key:<20} {value}");
    };
    let shown = display_path(path);
    line("settings for", if shown.is_empty() { "." } else { &shown });
    let configuration = match &settings.config {
        None => "none (defaults)".to_owned(),
        Some(file) if settings.project_only => {
            format!("none (project versions from {})", file.display())
        }
        Some(file) => file.display().to_string(),
    };
    line("configuration", &configuration);
    for base in &settings.extends {
        line("extends", &base.display().to_string());
    }
    for setting in settings.provenance() {
        line(setting.key, &sourced(&setting.values, &setting.source));
    }
    let format = clap::ValueEnum::to_possible_value(&run.format)
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default();
    let sources = &run.sources;
    for (key, value, source) in [
        ("fix", run.fix.to_string(), &sources.fix),
        (
            "unsafe-fixes",
            run.unsafe_fixes.to_string(),
            &sources.unsafe_fixes,
        ),
        (
            "show-fixes",
            run.show_fixes.to_string(),
            &sources.show_fixes,
        ),
        ("output-format", format, &sources.format),
    ] {
        line(key, &sourced(&[value], source));
    }
    let rules = if path.is_dir() {
        settings.rules().clone()
    } else {
        settings.rules_for(path)
    };
    let mut codes: Vec<&str> = rules.enabled_codes().collect();
    codes.sort_unstable();
    line(
        "enabled rules",
        &format!("{} ({})", codes.len(), codes.join(" ")),
    );
    let _ = writeln!(
        out,
        "versions             (a distribution not listed is taken as the newest)"
    );
    let pairs: Vec<(String, String)> = settings
        .versions()
        .iter()
        .map(|(distribution, known)| {
            (
                format!("{distribution} = {}", known.version),
                known.source.to_string(),
            )
        })
        .collect();
    let width = pairs.iter().map(|(pair, _)| pair.len()).max().unwrap_or(0);
    for (pair, source) in pairs {
        let _ = writeln!(out, "  {pair:<width$}  from {source}");
    }
    out
}

/// `values` (`(none)` when empty) and where they came from: nothing more for an empty default,
/// `(default)` for another default, `from SOURCE` otherwise.
fn sourced(values: &[String], source: &Source) -> String {
    let listed = if values.is_empty() {
        "(none)".to_owned()
    } else {
        values.join(", ")
    };
    match source {
        Source::Default if values.is_empty() => listed,
        Source::Default => format!("{listed} (default)"),
        source => format!("{listed}  from {source}"),
    }
}

/// `--show-files`: each file found, as the run's reports name it, one per line in sorted order.
pub(super) fn show_files(found: &Found) -> String {
    let mut shown: Vec<String> = (found.files.iter())
        .map(|(path, _)| display_path(path))
        .collect();
    shown.sort();
    shown.into_iter().map(|path| path + "\n").collect()
}
