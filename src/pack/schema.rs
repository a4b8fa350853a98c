//! The TOML schema of a rule pack, as serde reads it.
//!
//! Every string the engine later interprets (patterns, templates, messages, codes) is kept with its
//! byte span in the pack file, so a validation error can point at the exact line and column.
//! The format is documented for users in `docs/rulepacks.md`; a rule's `match` and `fix` tables are
//! read as [`Value`]s and compiled by `crate::condition` and [`super::rule`].

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub use crate::base::diagnostic::{Applicability, Severity};
use crate::condition::value::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    pub pack: PackMeta,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleDef>,
    #[serde(default, rename = "cleanup")]
    pub cleanups: Vec<CleanupDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackMeta {
    pub name: Spanned<String>,
    pub version: String,
    pub description: String,
    /// Every rule code starts with this prefix.
    pub prefix: Spanned<String>,
    /// Modules whose dotted names match by qualified name, and that templates may import.
    #[serde(default)]
    pub modules: Vec<Spanned<String>>,
    /// Imports of these modules are removed once a fix has made them unused.
    #[serde(default)]
    pub drop_unused_imports: Vec<Spanned<String>>,
    /// Modules a migrated file no longer imports (for `anyio-lint report`).
    #[serde(default)]
    pub migrates_from: Vec<Spanned<String>>,
    /// Modules a migrated file imports instead (for `anyio-lint report`).
    #[serde(default)]
    pub migrates_to: Vec<Spanned<String>>,
    /// Documentation URL of a rule; `{code}` and `{name}` are replaced.
    #[serde(default)]
    pub url: Option<String>,
    /// The version of a distribution to assume when the project declares none (`python = "3.10"`).
    #[serde(default)]
    pub default_versions: BTreeMap<String, Spanned<String>>,
    /// Library models the rules' typed conditions read: built-in ones by name, files by a path
    /// ending in `.toml`, relative to the pack.
    #[serde(default)]
    pub libraries: Vec<Spanned<String>>,
    /// Options a project may set, by name.
    #[serde(default)]
    pub options: BTreeMap<Spanned<String>, OptionDef>,
}

/// An option a pack declares (`[pack.options.NAME]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    /// `names` or `name-map`.
    pub kind: Spanned<String>,
    pub description: String,
    /// The value when the project sets none (empty by default).
    pub default: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDef {
    pub code: Spanned<String>,
    pub name: Spanned<String>,
    /// Other tools' codes for the same check: selectors and suppressions accept them.
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    pub message: Spanned<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    pub help: Option<Spanned<String>>,
    pub explain: Spanned<String>,
    /// What the rule matches: a condition table (see `crate::condition`).
    #[serde(rename = "match")]
    pub matches: Option<Value>,
    /// How a match is rewritten: template, applicability, title and transforms.
    pub fix: Option<Value>,
    /// Report only where no other rule of the pack reports an enclosing range.
    #[serde(default)]
    pub fallback: bool,
    /// Run only when a selector names the rule explicitly (not `ALL` nor a bare prefix).
    #[serde(default)]
    pub opt_in: bool,
    /// The exception the flagged code raises when it runs (`AttributeError`, `TypeError`, …).
    pub fails: Option<Spanned<String>>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<ExampleDef>>,
    // The keys of the language's first form: each is refused with its new spelling.
    pub pattern: Option<Value>,
    pub comment: Option<Value>,
    #[serde(rename = "where")]
    pub constraints: Option<Value>,
    pub inside: Option<Value>,
    pub not_inside: Option<Value>,
    pub not: Option<Value>,
    pub role: Option<Value>,
    pub statement_position: Option<Value>,
    pub in_async_function: Option<Value>,
    pub when_imported: Option<Value>,
    pub requires: Option<Value>,
    pub applicability: Option<Value>,
    pub fix_title: Option<Value>,
    pub default_keywords: Option<Value>,
    pub fresh: Option<Value>,
    pub each: Option<Value>,
}

impl RuleDef {
    /// The first key of the language's first form the rule has, with its value.
    pub fn old_key(&self) -> Option<(&'static str, &Value)> {
        [
            ("pattern", &self.pattern),
            ("comment", &self.comment),
            ("where", &self.constraints),
            ("inside", &self.inside),
            ("not-inside", &self.not_inside),
            ("not", &self.not),
            ("role", &self.role),
            ("statement-position", &self.statement_position),
            ("in-async-function", &self.in_async_function),
            ("when-imported", &self.when_imported),
            ("requires", &self.requires),
            ("applicability", &self.applicability),
            ("fix-title", &self.fix_title),
            ("default-keywords", &self.default_keywords),
            ("fresh", &self.fresh),
            ("each", &self.each),
        ]
        .into_iter()
        .find_map(|(key, value)| value.as_ref().map(|value| (key, value)))
    }
}

fn default_severity() -> Severity {
    Severity::Warning
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleDef {
    pub flagged: Option<String>,
    pub fixed: Option<String>,
    pub clean: Option<String>,
    /// The configuration file the example is (rules over configuration files): by default the
    /// first file the rule reads.
    pub file: Option<String>,
    /// Project versions to check the example under (`lib = "4.12"`).
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
    /// Pack options to check the example with (`name = value`), over their defaults.
    pub options: Option<Value>,
    /// Also apply unsafe fixes when checking `fixed` (default: the rule's own applicability).
    #[serde(default)]
    pub unsafe_fixes: Option<bool>,
}

/// A statement that fixes may leave dead, removed once the variable it binds is no longer read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CleanupDef {
    pub pattern: Spanned<String>,
    /// The metavariable naming the variable the statement binds.
    pub unused: Spanned<String>,
}
