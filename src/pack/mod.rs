//! Rule packs: loading, validation and compilation.
//!
//! A pack is a TOML file (schema in [`schema`], reference in `docs/rulepacks.md`). Loading parses it,
//! checks every rule (codes, names, patterns, templates, metavariables, constraints, versions,
//! examples) and compiles patterns and templates once. Any problem is a [`SourceError`] that points
//! at the line and column in the pack file; a pack is either entirely valid or refused.

pub mod error;
mod library;
mod rule;
pub mod schema;
mod setting_fix;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use toml::Spanned;

pub use error::SourceError;
pub use schema::{Applicability, Severity};

use crate::analysis::config_file::Format;
use crate::analysis::library::Libraries;
use crate::base::lazy_regex::LazyRegex;
use crate::base::version::{Version, VersionSpec};
use crate::condition::setting::SettingMatch;
use crate::condition::{OptionDecl, OptionValue, RuleMatch, option};
use crate::pattern::template::Template;
use crate::pattern::{Form, Pattern};

/// The packs compiled into the binary: every `rulepacks/*.toml` of the source tree.
pub const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

/// A loaded, validated pack.
#[derive(Debug)]
pub struct Pack {
    pub name: String,
    pub version: String,
    pub description: String,
    pub prefix: String,
    pub modules: FxHashSet<String>,
    pub drop_unused_imports: Vec<String>,
    /// Modules a migrated file no longer imports, and the ones it imports instead.
    pub migrates_from: Vec<String>,
    pub migrates_to: Vec<String>,
    pub url: Option<String>,
    /// The versions to assume for distributions the project does not declare (`default-versions`).
    pub default_versions: BTreeMap<String, Version>,
    /// The library models its typed conditions read (`libraries`).
    pub libraries: Libraries,
    /// The options a project may set (`[pack.options.NAME]`), by name.
    pub options: Vec<OptionDecl>,
    /// Where the pack came from: a path, or `builtin:NAME` for the embedded packs.
    pub origin: String,
    pub source: String,
    pub rules: Vec<Rule>,
    pub cleanups: Vec<Cleanup>,
    /// The configuration files its rules read, by name, each with the format read, once each.
    pub setting_files: Vec<(String, Format)>,
}

impl Pack {
    /// The distributions the pack speaks of: those it gives a default version
    /// (`default-versions`), and those its rules, conditions and examples test (`requires`,
    /// `versions`), by name.
    pub fn distributions(&self) -> BTreeSet<String> {
        let mut names: BTreeSet<String> = self.default_versions.keys().cloned().collect();
        for rule in &self.rules {
            names.extend(rule.requires.iter().map(|(name, _)| name.clone()));
            for example in &rule.examples {
                names.extend(example.versions.keys().cloned());
            }
        }
        if let Ok(value) = toml::from_str::<toml::Value>(&self.source) {
            version_tables(&value, &mut names);
        }
        names
    }
}

/// The keys of every `versions`, `requires` and `default-versions` table in `value`.
fn version_tables(value: &toml::Value, names: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, inner) in table {
                if let ("versions" | "requires" | "default-versions", toml::Value::Table(specs)) =
                    (key.as_str(), inner)
                {
                    names.extend(specs.keys().cloned());
                }
                version_tables(inner, names);
            }
        }
        toml::Value::Array(items) => items.iter().for_each(|item| version_tables(item, names)),
        _ => {}
    }
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub code: String,
    pub name: String,
    /// Other tools' codes for the same check (`aliases`): selectors, suppressions and
    /// `anyio-lint rule` accept them, and the reports name them.
    pub aliases: Vec<String>,
    pub message: String,
    pub severity: Severity,
    pub help: Option<String>,
    pub explain: String,
    /// What the rule matches: the entries the walk tries, and the conditions tested where one
    /// matched.
    pub matching: RuleMatch,
    /// For comment rules: the regex each comment is matched against (the rule has no entries).
    pub comment: Option<LazyRegex>,
    /// For rules over configuration files: the entries they match (the rule has no entries).
    pub setting: Option<SettingMatch>,
    pub fix: Option<Template>,
    /// The fix of a rule over configuration files.
    pub setting_fix: Option<SettingFix>,
    pub applicability: Option<Applicability>,
    pub fix_title: Option<String>,
    /// Where the fix's text goes: in place of the match, or as statements before or after it.
    pub fix_placement: Placement,
    /// The library model class the matched value becomes (`fix.becomes`): the fix is withheld
    /// where a use of the value needs what that class lacks.
    pub becomes: Option<Becomes>,
    /// The versions the project must have for the rule to be enabled (the `versions` condition at
    /// the top of its `match`).
    pub requires: Vec<(String, VersionSpec)>,
    pub fallback: bool,
    /// The pack's options (their indices) its conditions match names against.
    pub options: Vec<usize>,
    /// Whether the rule runs only when selected explicitly: by a selector naming digits of its
    /// code or of an alias (`opt-in`), never by `ALL`, a bare prefix or the default selection.
    pub opt_in: bool,
    /// The exception the flagged code raises when it runs, when it surely fails (`NameError`,
    /// `AttributeError`, `TypeError`, …): a migrated file holding such a finding is broken.
    pub fails: Option<String>,
    /// The rule's documentation: the pack's `url` with `{code}` and `{name}` filled in.
    pub url: Option<String>,
    /// The `$$$` metavariable whose keywords gain defaults, and the `(name, value)` keywords the
    /// fix's call gains when the match lacks them.
    pub default_keywords: Option<(String, Vec<(String, String)>)>,
    /// `(metavariable, base name)` of the new names the fix introduces.
    pub fresh: Vec<(String, String)>,
    pub each: Vec<Each>,
    pub examples: Vec<Example>,
    /// Line of the rule's `code` in the pack file (for `anyio-lint test` messages).
    pub line: usize,
}

/// What a fix makes of the value it matched: an instance of a model's class, and the uses of it
/// that other fixes rewrite (which do not withhold it).
#[derive(Debug)]
pub struct Becomes {
    pub class: String,
    pub rewritten_uses: Vec<Pattern>,
}

/// How a rule over configuration files rewrites the entry it matched: a new key, a new value
/// (templates of the match's captures), or its removal.
#[derive(Debug)]
pub struct SettingFix {
    pub key: Option<String>,
    pub value: Option<String>,
    pub remove: bool,
}

/// The rewrite of every element of a `$$$` capture: each element must match `matching` (one
/// pattern entry and its conditions) and becomes `fix`.
#[derive(Debug)]
pub struct Each {
    pub metavar: String,
    pub matching: RuleMatch,
    pub fix: Template,
}

/// Where a fix's rendered template goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In place of the matched text (`fix.template`).
    Replace,
    /// As statements on their own lines before the matched statement (`fix.before`).
    Before,
    /// As statements on their own lines after it (`fix.after`).
    After,
}

#[derive(Debug, Clone)]
pub struct Example {
    pub code: String,
    /// The name of the configuration file the code is checked as (rules over configuration
    /// files); Python otherwise.
    pub file: Option<String>,
    /// Whether the rule must flag `code`.
    pub flagged: bool,
    pub fixed: Option<String>,
    pub versions: BTreeMap<String, Version>,
    /// The pack options it is checked with, over their defaults.
    pub options: BTreeMap<String, OptionValue>,
    pub unsafe_fixes: Option<bool>,
    pub line: usize,
}

/// A statement to remove once the variable it binds is no longer read.
#[derive(Debug)]
pub struct Cleanup {
    pub pattern: Pattern,
    pub unused: String,
}

struct Loader<'a> {
    origin: &'a str,
    source: &'a str,
    /// The offset of every line's start, for [`Loader::line_of`].
    line_starts: Vec<usize>,
}

impl Loader<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> SourceError {
        SourceError::new(self.origin, self.source, Some(span), message)
    }

    fn pattern(&self, text: &Spanned<String>, what: &str) -> Result<Pattern, SourceError> {
        Pattern::parse(text.get_ref()).map_err(|error| {
            self.error(text.span(), format!("invalid {what}: {error}"))
                .label("in this pattern")
        })
    }

    /// A fix's `applicability`: "safe" or "unsafe".
    fn applicability(
        &self,
        item: &crate::condition::value::Value,
        span: Range<usize>,
    ) -> Result<Applicability, SourceError> {
        match item.as_str() {
            Some("safe") => Ok(Applicability::Safe),
            Some("unsafe") => Ok(Applicability::Unsafe),
            _ => Err(self.error(span, "a fix's `applicability` is \"safe\" or \"unsafe\"")),
        }
    }

    /// A fix's `title`: a string.
    fn fix_title(
        &self,
        item: &crate::condition::value::Value,
        span: Range<usize>,
    ) -> Result<String, SourceError> {
        item.as_str()
            .map(str::to_owned)
            .ok_or_else(|| self.error(span, "a fix's `title` is a string"))
    }

    /// A rule's `aliases`: each a code (uppercase letters, then digits) outside the pack's own
    /// codes, and given to no other rule of the pack (`seen`: alias -> rule code and line).
    fn aliases(
        &self,
        def: &schema::RuleDef,
        prefix: &str,
        seen: &mut BTreeMap<String, (String, usize)>,
    ) -> Result<Vec<String>, SourceError> {
        let mut aliases = Vec::new();
        for alias in &def.aliases {
            let text = alias.get_ref();
            let Some(letters) = code_letters(text) else {
                return Err(self
                    .error(
                        alias.span(),
                        format!("`{text}` is not a code: uppercase ASCII letters, then digits"),
                    )
                    .note(
                        "an alias is another tool's code for the same check, such as `ASYNC115`",
                    ));
            };
            if letters == prefix {
                return Err(self
                    .error(
                        alias.span(),
                        format!("the alias `{text}` has the pack's prefix `{prefix}`"),
                    )
                    .note(
                        "an alias is another tool's code for the same check; a code of this \
                         pack is the rule's `code`: remove the alias",
                    ));
            }
            let code = def.code.get_ref();
            if let Some((owner, line)) = seen.get(text) {
                return Err(self
                    .error(alias.span(), format!("duplicate alias `{text}`"))
                    .label("given again here")
                    .note(format!(
                        "`{text}` is already an alias of `{owner}` on line {line}; an alias names \
                         one rule: keep it on the rule that makes that check"
                    )));
            }
            let line = self.line_of(def.code.span().start);
            seen.insert(text.clone(), (code.clone(), line));
            aliases.push(text.clone());
        }
        Ok(aliases)
    }

    /// An option the pack declares: a kebab-case name, a kind, and a default of that kind.
    fn option(
        &self,
        name: &Spanned<String>,
        def: &schema::OptionDef,
    ) -> Result<OptionDecl, SourceError> {
        if !is_kebab(name.get_ref()) {
            return Err(self.error(
                name.span(),
                "an option name is kebab-case: lowercase words joined by `-`",
            ));
        }
        let kind = option::KINDS
            .iter()
            .find(|(written, _)| written == def.kind.get_ref())
            .map(|(_, kind)| *kind)
            .ok_or_else(|| {
                self.error(
                    def.kind.span(),
                    format!(
                        "an option's `kind` is \"names\" or \"name-map\", not \"{}\"",
                        def.kind.get_ref()
                    ),
                )
            })?;
        let default = match &def.default {
            None => OptionValue::default(),
            Some(value) => kind.read(value, name.get_ref()).map_err(|error| {
                let span = error.span.unwrap_or_else(|| def.kind.span());
                let mut out = self.error(span, error.message);
                if let Some(note) = error.note {
                    out = out.note(note);
                }
                out
            })?,
        };
        Ok(OptionDecl {
            name: name.get_ref().clone(),
            kind,
            description: def.description.clone(),
            default,
        })
    }

    /// The 1-based line of a byte offset of the pack's text.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }
}

/// Load the built-in packs (when `builtin`) and the pack files, in that order; rule codes must be
/// unique across them and must not take an engine rule's code.
pub fn load_all(builtin: bool, files: &[std::path::PathBuf]) -> Result<Vec<Pack>, SourceError> {
    let mut sources: Vec<(String, std::borrow::Cow<'static, str>)> = Vec::new();
    if builtin {
        for (name, text) in BUILTIN {
            sources.push((format!("builtin:{name}"), (*text).into()));
        }
    }
    for path in files {
        let text = error::read_text(path, "rule pack")?;
        sources.push((path.display().to_string(), text.into()));
    }
    // Packs compile independently, each on its own thread; the first failure in order is told.
    let loaded: Vec<Result<Pack, SourceError>> = sources
        .par_iter()
        .map(|(origin, text)| load(origin, text))
        .collect();
    let packs = loaded.into_iter().collect::<Result<Vec<_>, _>>()?;
    check_unique_codes(&packs)?;
    Ok(packs)
}

/// Rule codes are unique across packs and the engine; so are aliases, and an alias lies outside
/// every loaded pack's codes (its letters are no pack's prefix, nor the engine's).
fn check_unique_codes(packs: &[Pack]) -> Result<(), SourceError> {
    let engine = crate::base::diagnostic::ENGINE_CODES;
    let mut seen: BTreeMap<&str, &str> = engine.iter().map(|code| (*code, "the engine")).collect();
    let quoted = |pack: &Pack, code: &str, message: String, label: &str| {
        let needle = format!("\"{code}\"");
        let start = pack.source.find(&needle);
        SourceError::new(
            &pack.origin,
            &pack.source,
            start.map(|s| s..s + needle.len()),
            message,
        )
        .label(label.to_owned())
    };
    for pack in packs {
        for rule in &pack.rules {
            if let Some(first) = seen.insert(&rule.code, &pack.origin) {
                return Err(quoted(
                    pack,
                    &rule.code,
                    format!("duplicate rule code `{}`", rule.code),
                    "already defined",
                )
                .note(format!(
                    "`{}` is also defined in {first}; rule codes are unique across packs",
                    rule.code
                )));
            }
        }
    }
    let mut prefixes: BTreeMap<&str, &str> = engine
        .iter()
        .filter_map(|code| code_letters(code))
        .map(|letters| (letters, "the engine"))
        .collect();
    for pack in packs {
        prefixes.entry(&pack.prefix).or_insert(&pack.origin);
    }
    let mut aliases: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for pack in packs {
        for rule in &pack.rules {
            for alias in &rule.aliases {
                let letters = code_letters(alias).unwrap_or(alias);
                if let Some(owner) = prefixes.get(letters) {
                    return Err(quoted(
                        pack,
                        alias,
                        format!("the alias `{alias}` has the prefix `{letters}` of {owner}"),
                        "here",
                    )
                    .note(
                        "an alias is another tool's code for the same check; it may not take \
                         the codes of a loaded pack or of the engine: remove the alias",
                    ));
                }
                if let Some((code, origin)) = aliases.insert(alias, (&rule.code, &pack.origin)) {
                    return Err(quoted(
                        pack,
                        alias,
                        format!("duplicate alias `{alias}`"),
                        "given again here",
                    )
                    .note(format!(
                        "`{alias}` is already an alias of `{code}` in {origin}; an alias names \
                         one rule: keep it on the rule that makes that check"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The letters of a code (`AIO` of `AIO101`): uppercase ASCII letters, then at least one digit.
pub fn code_letters(code: &str) -> Option<&str> {
    let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
    let well_formed = !letters.is_empty()
        && letters.len() < code.len()
        && letters.chars().all(|c| c.is_ascii_uppercase());
    well_formed.then_some(letters)
}

/// Table headers only a rule pack has: a file without one is not quoted in errors.
const PACK_MARKERS: &[&str] = &["[pack]", "[pack.", "[[rule]]", "[[rule.", "[[cleanup]]"];

/// What a pack holds, on an error in one.
const PACK_FORMAT: &str = "a pack has a `[pack]` table (`name`, `version`, `description`, \
                           `prefix`, `modules`) and `[[rule]]` tables (`code`, `name`, `message`, \
                           `explain`, `match`, `[[rule.example]]`)";

/// Load and validate a pack from its TOML text. `origin` names it in errors. A file that does not
/// parse is quoted in the error only when it has a pack's tables: a path leading to some other
/// file (a secret, the process's environment) never has its content printed.
pub fn load(origin: &str, source: &str) -> Result<Pack, SourceError> {
    let file: schema::PackFile = toml::from_str(source).map_err(|error| {
        if !error::looks_like(source, PACK_MARKERS) {
            return SourceError::unquoted(
                origin,
                source,
                error.span(),
                "this file is not a rule pack (a pack is TOML with a `[pack]` table)",
            )
            .note(PACK_FORMAT);
        }
        SourceError::new(origin, source, error.span(), error.message().to_owned())
            .label("here")
            .note(PACK_FORMAT)
    })?;
    let line_starts = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let loader = Loader {
        origin,
        source,
        line_starts,
    };
    let meta = file.pack;
    let prefix = meta.prefix.get_ref().clone();
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(loader.error(
            meta.prefix.span(),
            "a pack prefix is one or more uppercase ASCII letters",
        ));
    }
    let name = meta.name.get_ref().clone();
    if !is_kebab(&name) {
        return Err(loader.error(
            meta.name.span(),
            "a pack name is kebab-case: lowercase words joined by `-`",
        ));
    }
    let mut modules = FxHashSet::default();
    for module in &meta.modules {
        if !is_dotted_name(module.get_ref()) {
            return Err(loader.error(
                module.span(),
                "a module is a dotted Python name such as `pkg.sub`",
            ));
        }
        modules.insert(module.get_ref().clone());
    }
    let mut drop_unused_imports = Vec::new();
    for module in &meta.drop_unused_imports {
        if !modules.contains(module.get_ref()) {
            return Err(loader
                .error(
                    module.span(),
                    format!("`{}` is not one of the pack's `modules`", module.get_ref()),
                )
                .note(
                    "only imports of declared modules are tracked, so only they can be dropped",
                ));
        }
        drop_unused_imports.push(module.get_ref().clone());
    }
    let mut migration = [Vec::new(), Vec::new()];
    for (list, names) in migration
        .iter_mut()
        .zip([&meta.migrates_from, &meta.migrates_to])
    {
        for module in names {
            if !is_dotted_name(module.get_ref()) {
                return Err(loader.error(
                    module.span(),
                    "a module is a dotted Python name such as `pkg.sub`",
                ));
            }
            list.push(module.get_ref().clone());
        }
    }
    let [migrates_from, migrates_to] = migration;
    let mut default_versions = BTreeMap::new();
    for (distribution, text) in &meta.default_versions {
        let version = Version::parse(text.get_ref()).ok_or_else(|| {
            loader.error(
                text.span(),
                format!(
                    "`default-versions.{distribution}`: `{}` is not a version such as `3.10`",
                    text.get_ref()
                ),
            )
        })?;
        default_versions.insert(distribution.clone(), version);
    }
    let mut libraries = Libraries::default();
    for name in &meta.libraries {
        let library = library::load_named(name.get_ref(), origin).map_err(|error| match error {
            library::NamedError::Entry(message) => loader.error(name.span(), message),
            library::NamedError::Model(error) => error.note(format!(
                "the model `{}` that {origin} names in `libraries`",
                name.get_ref()
            )),
        })?;
        libraries.0.push(library);
    }
    let mut options = Vec::new();
    for (name, def) in &meta.options {
        options.push(loader.option(name, def)?);
    }
    let declared = rule::Declared {
        modules: &modules,
        libraries: &libraries,
        options: &options,
    };
    let mut seen_codes: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut seen_aliases: BTreeMap<String, (String, usize)> = BTreeMap::new();
    // A rule's code and aliases are checked against those before it, in order; the rules then
    // compile in parallel, and the first error in the pack's order is the one told.
    let headers: Vec<Result<Vec<String>, SourceError>> = (file.rules.iter())
        .map(|def| {
            let aliases = loader.aliases(def, &prefix, &mut seen_aliases)?;
            rule::check_code(&loader, def, &prefix, &mut seen_codes)?;
            Ok(aliases)
        })
        .collect();
    let compiled: Vec<Result<Rule, SourceError>> = (file.rules.into_par_iter())
        .map(|def| rule::compile_rule(&loader, def, declared))
        .collect();
    let mut rules = Vec::new();
    for (header, rule) in headers.into_iter().zip(compiled) {
        let aliases = header?;
        let mut rule = rule?;
        rule.aliases = aliases;
        rules.push(rule);
    }
    let mut cleanups = Vec::new();
    for cleanup in file.cleanups {
        let pattern = loader.pattern(&cleanup.pattern, "cleanup pattern")?;
        if pattern.form != Form::Stmt {
            return Err(loader.error(cleanup.pattern.span(), "a cleanup pattern is one statement"));
        }
        let unused = cleanup.unused.get_ref().trim_start_matches('$').to_owned();
        if !pattern
            .metavars()
            .iter()
            .any(|m| m.name == unused && !m.variadic)
        {
            return Err(loader.error(
                cleanup.unused.span(),
                format!("`${unused}` is not a metavariable of the cleanup pattern"),
            ));
        }
        cleanups.push(Cleanup { pattern, unused });
    }
    let mut setting_files: Vec<(String, Format)> = rules
        .iter()
        .filter_map(|rule| rule.setting.as_ref())
        .flat_map(|setting| {
            setting
                .files()
                .map(|(name, format)| (name.to_owned(), format))
        })
        .collect();
    setting_files.sort();
    setting_files.dedup();
    let mut rules = rules;
    if let Some(url) = &meta.url {
        for rule in &mut rules {
            rule.url = Some(
                url.replace("{code}", &rule.code)
                    .replace("{name}", &rule.name),
            );
        }
    }
    Ok(Pack {
        name,
        version: meta.version,
        description: meta.description,
        prefix,
        modules,
        drop_unused_imports,
        migrates_from,
        migrates_to,
        url: meta.url,
        default_versions,
        libraries,
        options,
        origin: origin.to_owned(),
        source: source.to_owned(),
        rules,
        cleanups,
        setting_files,
    })
}

fn is_kebab(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

fn is_dotted_name(text: &str) -> bool {
    text.split('.').all(|part| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_alphanumeric() || c == '_')
    })
}
