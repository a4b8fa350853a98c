//! `anyio-lint report`: the migration progress of a codebase, from one scan.
//!
//! Packs say what a migration moves away from and to (`migrates-from`, `migrates-to`). A checked
//! file that imports a `migrates-from` module still has work left; one that imports a
//! `migrates-to` module and none of the others is migrated, unless a finding of a rule that says
//! the code `fails` at run time is left in it: then it is broken; any other file is outside the
//! migration. The report counts files and findings (by rule, and fixable safely, unsafely or only by
//! hand), shows progress per directory down to a depth, and lists the manual items. It renders as
//! Markdown, JSON (a stable, documented schema: `docs/report.md`) or one self-contained HTML page.

use std::collections::BTreeMap;

use ruff_python_ast::{
    ModModule, Stmt,
    visitor::source_order::{self, SourceOrderVisitor},
};
use ruff_source_file::LineIndex;
use serde::Serialize;

use crate::analysis::parse::Analysis;
use crate::analysis::semantic::in_module;
use crate::base::diagnostic::{Applicability, Diagnostic, Origin};
use crate::pack::Pack;
use crate::report::{FileReport, count, escape_markup, position};
use crate::ruleset::RuleSet;

/// Where a file stands in the migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// It imports a module the migration moves away from.
    Remaining,
    /// It imports a module the migration moves to, and none it moves away from.
    Migrated,
    /// It is migrated by its imports, but holds code that fails at run time (a finding of a rule
    /// with `fails`).
    Broken,
    /// Neither.
    Outside,
}

/// The modules of all loaded packs' migrations.
#[derive(Debug, Default, Clone)]
pub struct Migration {
    pub from: Vec<String>,
    pub to: Vec<String>,
}

impl Migration {
    pub fn of(packs: &[Pack]) -> Migration {
        let mut migration = Migration::default();
        for pack in packs {
            migration.from.extend(pack.migrates_from.iter().cloned());
            migration.to.extend(pack.migrates_to.iter().cloned());
        }
        for list in [&mut migration.from, &mut migration.to] {
            list.sort();
            list.dedup();
        }
        migration
    }

    /// Check `source` with `rules` for the report, and say where it stands. The text is parsed
    /// at most once, for both: when a rule may match it, or it names one of the modules.
    pub fn check(&self, rules: &RuleSet, source: &str) -> (Vec<Diagnostic>, State) {
        let scan = crate::engine::worth_parsing(rules, source);
        let named = self.named_in(source);
        if scan.is_none() && !named {
            return (Vec::new(), State::Outside);
        }
        let parsed = crate::analysis::parse::parse(source);
        let Some(scan) = scan else {
            let state = self.state(parsed.syntax());
            crate::analysis::parse::drop_deep(parsed, source.len());
            return (Vec::new(), state);
        };
        let analysis = Analysis::of_parsed(&rules.modules, parsed);
        let diagnostics =
            crate::engine::check_parsed(rules, source, &analysis, scan, &[], None).diagnostics;
        let state = if named {
            self.state(analysis.parsed.syntax())
        } else {
            State::Outside
        };
        let fails =
            |d: &Diagnostic| matches!(d.origin, Origin::Rule(r) if rules.rule(r).fails.is_some());
        let state = if state == State::Migrated && diagnostics.iter().any(fails) {
            State::Broken
        } else {
            state
        };
        analysis.drop_deep(source);
        (diagnostics, state)
    }

    /// Whether `source` spells one of the modules: only such a text can import one.
    fn named_in(&self, source: &str) -> bool {
        let named = |modules: &[String]| modules.iter().any(|m| source.contains(m.as_str()));
        named(&self.from) || named(&self.to)
    }

    /// Where the file parsed as `module` stands.
    fn state(&self, module: &ModModule) -> State {
        let mut imports = Imports::default();
        imports.visit_body(&module.body);
        let imports_any = |modules: &[String]| {
            imports
                .modules
                .iter()
                .any(|imported| modules.iter().any(|m| in_module(imported, m)))
        };
        if imports_any(&self.from) {
            State::Remaining
        } else if imports_any(&self.to) {
            State::Migrated
        } else {
            State::Outside
        }
    }
}

/// Every absolute module an `import` or `from … import` names, anywhere in the file.
#[derive(Default)]
struct Imports {
    modules: Vec<String>,
}

impl<'a> SourceOrderVisitor<'a> for Imports {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => self
                .modules
                .extend(import.names.iter().map(|alias| alias.name.to_string())),
            Stmt::ImportFrom(from) if from.level == 0 => {
                if let Some(module) = &from.module {
                    self.modules.push(module.to_string());
                }
            }
            _ => {}
        }
        source_order::walk_stmt(self, stmt);
    }
}

/// Findings of one rule.
#[derive(Debug, Serialize)]
pub struct RuleCount {
    pub code: String,
    pub name: String,
    pub count: usize,
    /// `safe`, `unsafe` or `manual`.
    pub fix: &'static str,
}

/// Progress of one directory (and everything below it, when it is at the depth limit).
#[derive(Debug, Serialize)]
pub struct DirectoryProgress {
    pub directory: String,
    pub migrated: usize,
    pub broken: usize,
    pub remaining: usize,
    /// `migrated / (migrated + broken + remaining)`, in percent, rounded down.
    pub percent: usize,
}

/// A finding only a person can resolve.
#[derive(Debug, Serialize)]
pub struct ManualItem {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub code: String,
    pub message: String,
    pub help: Option<String>,
}

/// The report (its JSON form is the documented schema).
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    /// The modules the migration moves away from and to (from the packs).
    pub migrates_from: Vec<String>,
    pub migrates_to: Vec<String>,
    pub files_scanned: usize,
    pub files_remaining: usize,
    pub files_migrated: usize,
    pub files_broken: usize,
    pub findings: usize,
    pub fixable_safely: usize,
    pub fixable_unsafely: usize,
    pub manual: usize,
    pub rules: Vec<RuleCount>,
    pub directories: Vec<DirectoryProgress>,
    pub manual_items: Vec<ManualItem>,
}

/// The directory of a `/`-separated path, cut to `depth` components (`.` for the top).
fn directory_at(path: &str, depth: usize) -> String {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let directories = &parts[..parts.len().saturating_sub(1)];
    let cut = &directories[..directories.len().min(depth)];
    if cut.is_empty() {
        ".".to_owned()
    } else {
        cut.join("/")
    }
}

/// Summarise the scan: each file's report and state.
pub fn summarize(files: &[(FileReport, State)], migration: &Migration, depth: usize) -> Report {
    let mut rules: BTreeMap<String, RuleCount> = BTreeMap::new();
    let mut directories: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut manual_items = Vec::new();
    let (mut safe, mut unsafe_, mut manual) = (0, 0, 0);
    for (file, state) in files {
        let path = file.path.replace('\\', "/");
        let counts = directories.entry(directory_at(&path, depth)).or_default();
        match state {
            State::Migrated => counts.0 += 1,
            State::Remaining => counts.1 += 1,
            State::Broken => counts.2 += 1,
            State::Outside => {}
        }
        let source = file.source.as_deref().unwrap_or("");
        let index = LineIndex::from_source_text(source);
        for d in &file.diagnostics {
            let code = d
                .code
                .clone()
                .or_else(|| d.name.clone())
                .unwrap_or_default();
            let fix = match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => "safe",
                Some(Applicability::Unsafe) => "unsafe",
                None => "manual",
            };
            match fix {
                "safe" => safe += 1,
                "unsafe" => unsafe_ += 1,
                _ => manual += 1,
            }
            rules
                .entry(code.clone())
                .or_insert_with(|| RuleCount {
                    code: code.clone(),
                    name: d.name.clone().unwrap_or_default(),
                    count: 0,
                    fix,
                })
                .count += 1;
            if fix == "manual" && matches!(d.origin, Origin::Rule(_)) {
                let (line, column) = position(&index, source, d.range.start());
                manual_items.push(ManualItem {
                    path: path.clone(),
                    line,
                    column,
                    code,
                    message: d.message.clone(),
                    help: d.help.clone(),
                });
            }
        }
    }
    let mut rules: Vec<RuleCount> = rules.into_values().collect();
    rules.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    Report {
        schema_version: 2,
        migrates_from: migration.from.clone(),
        migrates_to: migration.to.clone(),
        files_scanned: files.len(),
        files_remaining: files.iter().filter(|(_, s)| *s == State::Remaining).count(),
        files_migrated: files.iter().filter(|(_, s)| *s == State::Migrated).count(),
        files_broken: files.iter().filter(|(_, s)| *s == State::Broken).count(),
        findings: safe + unsafe_ + manual,
        fixable_safely: safe,
        fixable_unsafely: unsafe_,
        manual,
        rules,
        directories: directories
            .into_iter()
            .filter(|(_, (migrated, remaining, broken))| migrated + remaining + broken > 0)
            .map(
                |(directory, (migrated, remaining, broken))| DirectoryProgress {
                    directory,
                    migrated,
                    broken,
                    remaining,
                    percent: (migrated * 100) / (migrated + remaining + broken),
                },
            )
            .collect(),
        manual_items,
    }
}

/// The report as JSON.
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// `one` when `n` is 1, else `many`.
fn agree<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The report as Markdown (for a pull request or a CI job summary).
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("# Migration report\n\n");
    let total = report.files_migrated + report.files_broken + report.files_remaining;
    let names = |modules: &[String]| {
        modules
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if total == 0 {
        out.push_str(&format!(
            "No files to report on: {}.\n\n",
            nothing_to_report(report, &names)
        ));
    } else {
        out.push_str(&format!(
        "**{}** of **{}** files that take part in the migration are migrated ({}%): they import {} and none of {}, and hold nothing that fails at run time. **{}** {} {} but still {} code that fails at run time (their findings are below). **{}** {} still {} one of {}. {} scanned.\n\n",
        report.files_migrated,
        total,
        (report.files_migrated * 100).checked_div(total).unwrap_or(100),
        names(&report.migrates_to),
        names(&report.migrates_from),
        report.files_broken,
        agree(report.files_broken, "file imports", "files import"),
        names(&report.migrates_to),
        agree(report.files_broken, "holds", "hold"),
        report.files_remaining,
        agree(report.files_remaining, "file", "files"),
        agree(report.files_remaining, "imports", "import"),
        names(&report.migrates_from),
        count(report.files_scanned, "file", "files")
    ));
    }
    out.push_str(&format!(
        "{}: {} fixable by `--fix`, {} by `--fix --unsafe-fixes`, {} by hand.\n\n",
        count(report.findings, "finding", "findings"),
        report.fixable_safely,
        report.fixable_unsafely,
        report.manual
    ));
    out.push_str("## Progress by directory\n\n| Directory | Migrated | Broken | Remaining | Progress |\n| --- | ---: | ---: | ---: | --- |\n");
    for d in &report.directories {
        let filled = d.percent / 10;
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {}{} {}% |\n",
            cell(&d.directory),
            d.migrated,
            d.broken,
            d.remaining,
            "█".repeat(filled),
            "░".repeat(10 - filled),
            d.percent
        ));
    }
    out.push_str(
        "\n## Findings by rule\n\n| Rule | Name | Findings | Fix |\n| --- | --- | ---: | --- |\n",
    );
    for r in &report.rules {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            r.code,
            cell(&r.name),
            r.count,
            r.fix
        ));
    }
    out.push_str("\n## Manual items\n\n");
    if report.manual_items.is_empty() {
        out.push_str("None.\n");
    }
    for item in &report.manual_items {
        out.push_str(&format!(
            "- [ ] `{}:{}:{}` {}: {}",
            item.path,
            item.line,
            item.column,
            item.code,
            cell(&item.message)
        ));
        if let Some(help) = &item.help {
            out.push_str(&format!(" (help: {})", cell(help)));
        }
        out.push('\n');
    }
    out
}

/// Why a report with no file taking part in the migration has nothing to say, `names` listing
/// modules as the format writes them.
fn nothing_to_report(report: &Report, names: &dyn Fn(&[String]) -> String) -> String {
    if report.files_scanned == 0 {
        return "no file was scanned".to_owned();
    }
    let modules: Vec<String> = (report.migrates_from.iter())
        .chain(&report.migrates_to)
        .cloned()
        .collect();
    format!(
        "no file imports any of {} ({} scanned)",
        names(&modules),
        count(report.files_scanned, "file", "files")
    )
}

/// The report as one self-contained HTML page (inline style, no scripts, no external assets).
pub fn html(report: &Report) -> String {
    let total = report.files_migrated + report.files_broken + report.files_remaining;
    let percent = (report.files_migrated * 100)
        .checked_div(total)
        .unwrap_or(100);
    let names = |modules: &[String]| {
        modules
            .iter()
            .map(|m| format!("<code>{}</code>", escape_markup(m)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut body = if total == 0 {
        format!(
            "<h1>Migration report</h1>\n<p class=\"summary\">No files to report on: {}.</p>\n",
            nothing_to_report(report, &names)
        )
    } else {
        format!(
            "<h1>Migration report</h1>\n<p class=\"summary\"><strong>{}</strong> of <strong>{}</strong> files migrated ({}%); <strong>{}</strong> migrated but holding code that fails at run time; {} scanned; {}: {} fixable safely, {} unsafely, {} by hand.</p>\n",
            report.files_migrated,
            total,
            percent,
            report.files_broken,
            count(report.files_scanned, "file", "files"),
            count(report.findings, "finding", "findings"),
            report.fixable_safely,
            report.fixable_unsafely,
            report.manual
        )
    };
    body.push_str(&format!(
        "<div class=\"bar total\" data-percent=\"{percent}\"><div class=\"done\" style=\"width: {percent}%\"></div></div>\n<h2>Progress by directory</h2>\n<table class=\"directories\">\n<tr><th>Directory</th><th>Migrated</th><th>Broken</th><th>Remaining</th><th>Progress</th></tr>\n"
    ));
    for d in &report.directories {
        body.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td><div class=\"bar\" data-percent=\"{p}\"><div class=\"done\" style=\"width: {p}%\"></div></div> {p}%</td></tr>\n",
            escape_markup(&d.directory),
            d.migrated,
            d.broken,
            d.remaining,
            p = d.percent
        ));
    }
    body.push_str("</table>\n<h2>Findings by rule</h2>\n<table>\n<tr><th>Rule</th><th>Name</th><th>Findings</th><th>Fix</th></tr>\n");
    for r in &report.rules {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_markup(&r.code),
            escape_markup(&r.name),
            r.count,
            r.fix
        ));
    }
    body.push_str("</table>\n<h2>Manual items</h2>\n<ul class=\"manual\">\n");
    for item in &report.manual_items {
        body.push_str(&format!(
            "<li><code>{}:{}:{}</code> <strong>{}</strong> {}{}</li>\n",
            escape_markup(&item.path),
            item.line,
            item.column,
            escape_markup(&item.code),
            escape_markup(&item.message),
            item.help
                .as_ref()
                .map(|h| format!("<br><em>help: {}</em>", escape_markup(h)))
                .unwrap_or_default()
        ));
    }
    body.push_str("</ul>\n");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Migration report</title>\n<style>\nbody {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}\ntable {{ border-collapse: collapse; margin: 1em 0; }}\nth, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }}\n.bar {{ display: inline-block; width: 200px; height: 14px; background: #eee; border: 1px solid #999; vertical-align: middle; }}\n.bar.total {{ width: 400px; height: 20px; }}\n.done {{ height: 100%; background: #2a8a3a; }}\n.manual li {{ margin: 0.4em 0; }}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_cut_to_the_depth() {
        assert_eq!(directory_at("a.py", 2), ".");
        assert_eq!(directory_at("src/pkg/sub/m.py", 2), "src/pkg");
        assert_eq!(directory_at("src/m.py", 2), "src");
        assert_eq!(directory_at("./src/pkg/m.py", 1), "src");
    }

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

    [[rule]]
    code = "T2"
    name = "modern-missing"
    fails = "AttributeError"
    message = "modern has no `gone`"
    explain = "x"
    match.pattern = "modern.gone($$$X)"

    [[rule.example]]
    flagged = "x"
    "#;

    #[test]
    fn one_parse_gives_the_findings_and_the_state() {
        let packs = std::sync::Arc::new(vec![crate::pack::load("test.toml", PACK).unwrap()]);
        let selection = crate::ruleset::Selection::default();
        let rules = RuleSet::new(packs.clone(), &selection, &BTreeMap::new());
        let migration = Migration::of(&packs);
        for (text, state) in [
            ("import legacy\nlegacy.wait(1)\n", State::Remaining),
            ("import modern\nmodern.wait(1)\n", State::Migrated),
            // Migrated by its imports, but holding code that fails when it runs.
            ("import modern\nmodern.gone(1)\n", State::Broken),
            // Named in a comment only, and not worth parsing for the rules.
            ("# no modern here\nx = 1\n", State::Outside),
            ("x = 1\n", State::Outside),
            ("import legacy\ndef (:\n", State::Remaining),
        ] {
            let (diagnostics, found) = migration.check(&rules, text);
            assert_eq!(found, state, "{text}");
            let alone = crate::engine::check(&rules, text, &[]).diagnostics;
            assert_eq!(diagnostics, alone, "{text}");
        }
        let (diagnostics, _) = migration.check(&rules, "import legacy\nlegacy.wait(1)\n");
        assert_eq!(diagnostics.len(), 1);
    }
}

#[cfg(test)]
mod headline_tests {
    use super::*;

    #[test]
    fn a_broken_file_is_neither_migrated_nor_counted_as_progress() {
        let file = |path: &str| FileReport {
            path: path.to_owned(),
            ..FileReport::default()
        };
        let files = [
            (file("a/done.py"), State::Migrated),
            (file("a/broken.py"), State::Broken),
            (file("a/left.py"), State::Remaining),
        ];
        let report = summarize(&files, &Migration::default(), 1);
        assert_eq!(
            (
                report.files_migrated,
                report.files_broken,
                report.files_remaining
            ),
            (1, 1, 1)
        );
        assert_eq!(report.directories[0].percent, 33);
        assert!(
            markdown(&report)
                .contains("**1** file imports  but still holds code that fails at run time"),
            "{}",
            markdown(&report)
        );
    }
}
