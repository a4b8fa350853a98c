//! The TOML schema of a rule pack, as serde reads it.
//!
//! Every string the engine later interprets (patterns, templates, messages, codes) is kept with its
//! byte span in the pack file, so a validation error can point at the exact line and column.
//! The format is documented for users in `docs/rulepacks.md`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

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
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// A value that may be written as one string or a list of strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrList {
    One(String),
    Many(Vec<String>),
}

/// One string or a list of strings, each element carrying the span of the whole value (serde
/// cannot keep spans through an untagged enum).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct OneOrMany(Spanned<StringOrList>);

impl OneOrMany {
    pub fn into_vec(self) -> Vec<Spanned<String>> {
        let span = self.0.span();
        match self.0.into_inner() {
            StringOrList::One(one) => vec![Spanned::new(span, one)],
            StringOrList::Many(many) => many
                .into_iter()
                .map(|s| Spanned::new(span.clone(), s))
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDef {
    pub code: Spanned<String>,
    pub name: Spanned<String>,
    pub message: Spanned<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    pub help: Option<Spanned<String>>,
    pub explain: Spanned<String>,
    pub pattern: Option<OneOrMany>,
    /// Instead of a pattern: a regex matched against each comment (`# …`) of the file.
    pub comment: Option<Spanned<String>>,
    /// The rule applies only in files that import one of these modules (any import form).
    #[serde(default)]
    pub when_imported: Vec<Spanned<String>>,
    pub fix: Option<Spanned<String>>,
    pub applicability: Option<Spanned<Applicability>>,
    /// Text shown for the fix (`Replace with …`); defaults to the rendered replacement.
    pub fix_title: Option<String>,
    #[serde(default)]
    pub requires: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub statement_position: bool,
    pub inside: Option<OneOrMany>,
    pub not_inside: Option<OneOrMany>,
    pub not: Option<OneOrMany>,
    /// Report only where no other rule of the pack reports an enclosing range.
    #[serde(default)]
    pub fallback: bool,
    #[serde(default, rename = "where")]
    pub constraints: BTreeMap<String, Spanned<ConstraintDef>>,
    /// Where the matched node must stand in its parent (`except-type`, `decorator`).
    pub role: Option<Spanned<String>>,
    /// The match must be in the body of an `async def` (its nearest enclosing function).
    #[serde(default)]
    pub in_async_function: bool,
    /// Keywords (`name=value`) the fix's call gains when the matched call does not pass them.
    #[serde(default)]
    pub default_keywords: Vec<Spanned<String>>,
    /// Metavariables the fix introduces as new names: `TG = "tg"` becomes `tg`, or `tg_1`, … when
    /// the file already uses the name.
    #[serde(default)]
    pub fresh: BTreeMap<String, Spanned<String>>,
    /// `$$$` captures whose every element is matched and rewritten on its own.
    #[serde(default)]
    pub each: BTreeMap<String, Spanned<EachDef>>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Spanned<ExampleDef>>,
}

fn default_severity() -> Severity {
    Severity::Warning
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConstraintDef {
    /// Ruff node kinds the capture must be (`Call`, `Name`, `Attribute`, `StringLiteral`, …).
    pub kind: Option<Vec<String>>,
    pub not_kind: Option<Vec<String>>,
    pub regex: Option<String>,
    pub not_regex: Option<String>,
    pub pattern: Option<OneOrMany>,
    pub not_pattern: Option<OneOrMany>,
    #[serde(default)]
    pub positional_only: bool,
    /// The capture is a name whose every assignment in its scope matches one of these patterns.
    pub bound_to: Option<OneOrMany>,
    /// The capture is a name that nothing binds where it is used (a module's name that is no
    /// longer imported: a `NameError`). Only names of declared modules are followed.
    #[serde(default)]
    pub unbound: bool,
}

/// The rewrite of each element of a `$$$` capture.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EachDef {
    /// Every element must match this expression pattern, or the rule does not match.
    pub pattern: Spanned<String>,
    /// What each element becomes; the rewritten elements are joined by `, `, or one per line when
    /// the metavariable stands alone on its template line.
    pub fix: Spanned<String>,
    #[serde(default, rename = "where")]
    pub constraints: BTreeMap<String, Spanned<ConstraintDef>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExampleDef {
    pub flagged: Option<String>,
    pub fixed: Option<String>,
    pub clean: Option<String>,
    /// Project versions to check the example under (`lib = "4.12"`).
    #[serde(default)]
    pub versions: BTreeMap<String, String>,
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
