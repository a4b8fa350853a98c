//! `check --show-settings [PATH]`: the settings in force for one file or directory, and for each
//! project version where it came from. Nothing is checked. The layout is documented in
//! `docs/configuration.md`; every list is in a fixed order, so the output depends on the
//! settings only.

use std::fmt::Write;
use std::path::Path;

use crate::cli::display_path;
use crate::config::resolve::Settings;

use super::run::RunWide;

/// The settings governing `path` (`settings`, and the run-wide options `run`), as text.
pub(super) fn show_settings(path: &Path, settings: &Settings, run: &RunWide) -> String {
    let mut out = String::new();
    let list = |items: &[String], default: &str| {
        if items.is_empty() {
            default.to_owned()
        } else {
            items.join(", ")
        }
    };
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
    let origins: Vec<String> = settings
        .rules()
        .packs
        .iter()
        .map(|pack| pack.origin.clone())
        .collect();
    line("rule packs", &list(&origins, "(none)"));
    let selection = settings.selection();
    line("select", &list(&selection.select, "ALL (default)"));
    line("extend-select", &list(&selection.extend_select, "(none)"));
    line("ignore", &list(&selection.ignore, "(none)"));
    let per_file: Vec<String> = settings
        .per_file_ignores()
        .map(|(glob, selectors)| format!("{glob:?} = {}", selectors.join(" ")))
        .collect();
    line("per-file-ignores", &list(&per_file, "(none)"));
    let fixes = settings.fix_selection();
    line("extend-safe-fixes", &list(&fixes.safe, "(none)"));
    line("extend-unsafe-fixes", &list(&fixes.unsafe_, "(none)"));
    let (exclude, include) = settings.globs();
    line("exclude", &list(exclude, "(none)"));
    line("include", &list(include, "*.py, *.pyi (default)"));
    line("force-exclude", &settings.force_exclude.to_string());
    line("fix", &run.fix.to_string());
    line("unsafe-fixes", &run.unsafe_fixes.to_string());
    let format = clap::ValueEnum::to_possible_value(&run.format)
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default();
    line("output-format", &format);
    let options: Vec<String> = (settings.options().iter())
        .flat_map(|(pack, options)| {
            options.iter().map(move |(name, value)| {
                let entries: Vec<String> = (value.entries.iter())
                    .map(|(glob, text)| match text.is_empty() {
                        true => format!("{glob:?}"),
                        false => format!("{glob:?} = {text:?}"),
                    })
                    .collect();
                format!("{pack}.{name} = [{}]", entries.join(", "))
            })
        })
        .collect();
    if !options.is_empty() {
        line("options", &options.join("; "));
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
