//! Rule documentation generated from the packs: `anyio-lint rule CODE` and `docs/rules/`.
//!
//! A page is the rule's header (code, name, pack, fix safety, aliases, whether it is opt-in, the
//! pack options it reads, version requirements), its `explain` Markdown (which carries Ruff's headings: What it does,
//! Why is this bad?, Example, Use instead, Fix safety) and the pack's own examples, before and
//! after. The engine's own rule ([`noqa::UNUSED_NOQA`]) has a hand-written page in the same
//! layout.

use crate::condition::OptionKind;
use crate::engine::noqa;
use crate::pack::{Applicability, Pack, Rule};

/// How a rule's fix is described: `safe`, `unsafe`, or none.
pub fn fix_kind(applicability: Option<Applicability>) -> &'static str {
    match applicability {
        Some(Applicability::Safe) => "safe",
        Some(Applicability::Unsafe) => "unsafe",
        None => "none",
    }
}

/// The Markdown page of one rule.
pub fn rule_page(pack: &Pack, rule: &Rule) -> String {
    let mut page = format!("# {} ({})\n\n", rule.name, rule.code);
    let fix = match rule.applicability {
        Some(Applicability::Safe) => "safe fix (applied by `--fix`)",
        Some(Applicability::Unsafe) => "unsafe fix (applied by `--fix --unsafe-fixes`)",
        None => "no automatic fix",
    };
    let severity = format!("{:?}", rule.severity).to_lowercase();
    page.push_str(&format!(
        "Pack: `{}` · Severity: {severity} · Fix: {fix}\n",
        pack.name
    ));
    if !rule.aliases.is_empty() {
        let aliases: Vec<String> = rule.aliases.iter().map(|a| format!("`{a}`")).collect();
        page.push_str(&format!(
            "\nAliases: {} (other tools' codes for this check: selectors and `# noqa` accept them)\n",
            aliases.join(", ")
        ));
    }
    if rule.opt_in {
        page.push_str(&opt_in_note(pack, rule));
    }
    if !rule.options.is_empty() {
        page.push_str(&format!(
            "\nOptions, set in `[tool.anyio-lint.options.{0}]` of `pyproject.toml` (`[options.{0}]` \
             of `anyio-lint.toml`):\n\n",
            pack.name
        ));
        for &slot in &rule.options {
            let option = &pack.options[slot];
            let default: Vec<String> = (option.default.entries.iter())
                .map(|(glob, text)| match option.kind {
                    OptionKind::Names => format!("`{glob}`"),
                    OptionKind::NameMap => format!("`{glob}` → {text}"),
                })
                .collect();
            let default = match default.is_empty() {
                true => "none".to_owned(),
                false => default.join(", "),
            };
            page.push_str(&format!(
                "- `{}` ({}): {} Default: {default}.\n",
                option.name,
                option.kind.name(),
                option.description.trim()
            ));
        }
    }
    if !rule.requires.is_empty() {
        let requires: Vec<String> = rule
            .requires
            .iter()
            .map(|(d, s)| format!("`{d} {s}`"))
            .collect();
        page.push_str(&format!(
            "\nApplies when the project uses {}.\n",
            requires.join(" and ")
        ));
    }
    if let Some(fails) = &rule.fails {
        page.push_str(&format!(
            "\nThe code it flags fails when it runs (`{fails}`): a migrated file holding it is \
             counted as broken by `anyio-lint report`.\n"
        ));
    }
    page.push_str(&format!("\nMessage: {}\n", rule.message));
    if let Some(help) = &rule.help {
        page.push_str(&format!("\nHelp: {help}\n"));
    }
    page.push('\n');
    page.push_str(rule.explain.trim());
    page.push_str("\n\n## Examples from the pack\n");
    for example in &rule.examples {
        // A configuration rule's example is the file it names.
        let (language, file) = match &example.file {
            Some(file) if file.ends_with(".toml") => ("toml", format!(" (`{file}`)")),
            Some(file) => ("ini", format!(" (`{file}`)")),
            None => ("python", String::new()),
        };
        if example.flagged {
            page.push_str(&format!("\nFlagged{file}:\n\n```{language}\n"));
            page.push_str(example.code.trim_end());
            page.push_str("\n```\n");
            if let Some(fixed) = &example.fixed {
                page.push_str(&format!("\nFixed:\n\n```{language}\n"));
                page.push_str(fixed.trim_end());
                page.push_str("\n```\n");
            }
        } else {
            page.push_str(&format!("\nNot flagged{file}:\n\n```{language}\n"));
            page.push_str(example.code.trim_end());
            page.push_str("\n```\n");
        }
        if !example.versions.is_empty() {
            let versions: Vec<String> = example
                .versions
                .iter()
                .map(|(d, v)| format!("{d} {v}"))
                .collect();
            page.push_str(&format!("\n(with {})\n", versions.join(", ")));
        }
    }
    page
}

/// The page of the engine's own rule, [`noqa::UNUSED_NOQA`], in the layout of the packs' pages.
pub fn unused_noqa_page() -> String {
    format!(
        "# {name} ({code})\n\nPack: engine (built in) · Severity: warning · Fix: safe fix (applied \
         by `--fix`)\n\nMessage: unused `noqa` directive (unused: `CODE`)\n\n{explain}",
        name = noqa::UNUSED_NOQA_NAME,
        code = noqa::UNUSED_NOQA,
        explain = noqa::UNUSED_NOQA_EXPLAIN
    )
}

/// How an opt-in rule is turned on.
fn opt_in_note(pack: &Pack, rule: &Rule) -> String {
    let code = &rule.code;
    let by_alias = match rule.aliases.first() {
        Some(alias) => format!(", an alias (`{alias}`)"),
        None => String::new(),
    };
    format!(
        "\nOpt-in: the rule runs only when selected explicitly, by its code{by_alias} or a prefix \
         naming digits of one (`{}`): `--extend-select {code}`, or `extend-select = [\"{code}\"]` \
         in the configuration. The default selection, `ALL` and `{}` alone leave it off.\n",
        &code[..pack.prefix.len() + 1],
        pack.prefix
    )
}

/// The name of the index among the pages [`rule_docs`] makes.
pub const INDEX: &str = "README.md";

/// How the index [`rule_docs`] makes begins.
const INDEX_START: &str = "# Rules\n\nGenerated from the packs by ";

/// Whether `text` is an index [`rule_docs`] made: a directory holding one holds its pages.
pub fn is_generated_index(text: &str) -> bool {
    text.starts_with(INDEX_START)
}

/// Whether `path` is named as a rule's page is: `CODE.md`, the code letters then digits.
pub fn is_rule_page_name(path: &std::path::Path) -> bool {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".md"))
    else {
        return false;
    };
    let digits = stem.trim_start_matches(|c: char| c.is_ascii_uppercase());
    digits.len() < stem.len() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Every generated file of the rule pages (`docs/rules/` here): one page per rule and an index.
pub fn rule_docs(packs: &[Pack]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut index = format!(
        "{INDEX_START}`anyio-lint docs DIR` (do not edit by hand; `anyio-lint docs --check DIR` \
         tells whether they are current).\n"
    );
    for pack in packs {
        index.push_str(&format!(
            "\n## {} ({})\n\n{}\n\n| Code | Name | Fix |\n| --- | --- | --- |\n",
            pack.name,
            pack.prefix,
            pack.description.trim()
        ));
        for rule in &pack.rules {
            let fix = fix_kind(rule.applicability);
            let aliases = if rule.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", rule.aliases.join(", "))
            };
            let opt_in = if rule.opt_in { " (opt-in)" } else { "" };
            index.push_str(&format!(
                "| [{}]({}.md){aliases} | {}{opt_in} | {fix} |\n",
                rule.code, rule.code, rule.name
            ));
            files.push((format!("{}.md", rule.code), rule_page(pack, rule)));
        }
    }
    index.push_str(&format!(
        "\n## engine\n\nRules of the engine itself, whatever packs are loaded.\n\n\
         | Code | Name | Fix |\n| --- | --- | --- |\n| [{code}]({code}.md) | {name} | safe |\n",
        code = noqa::UNUSED_NOQA,
        name = noqa::UNUSED_NOQA_NAME
    ));
    files.push((format!("{}.md", noqa::UNUSED_NOQA), unused_noqa_page()));
    files.push((INDEX.to_owned(), index));
    files
}
