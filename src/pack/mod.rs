//! Rule packs: loading, validation and compilation.
//!
//! A pack is a TOML file (schema in [`schema`], reference in `docs/rulepacks.md`). Loading parses it,
//! checks every rule (codes, names, patterns, templates, metavariables, constraints, versions,
//! examples) and compiles patterns and templates once. Any problem is a [`SourceError`] that points
//! at the line and column in the pack file; a pack is either entirely valid or refused.

pub mod error;
pub mod schema;

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use rustc_hash::FxHashSet;
use toml::Spanned;

pub use error::SourceError;
pub use schema::{Applicability, Severity};

use crate::fix::template::Template;
use crate::pattern::{Form, MetavarUse, Pattern};
use crate::version::{Version, VersionSpec};

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
    pub url: Option<String>,
    /// Where the pack came from: a path, or `builtin:NAME` for the embedded packs.
    pub origin: String,
    pub source: String,
    pub rules: Vec<Rule>,
    pub cleanups: Vec<Cleanup>,
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub code: String,
    pub name: String,
    pub message: String,
    pub severity: Severity,
    pub help: Option<String>,
    pub explain: String,
    pub patterns: Vec<Pattern>,
    pub fix: Option<Template>,
    pub applicability: Option<Applicability>,
    pub fix_title: Option<String>,
    pub requires: Vec<(String, VersionSpec)>,
    pub statement_position: bool,
    pub inside: Vec<Pattern>,
    pub not_inside: Vec<Pattern>,
    pub not: Vec<Pattern>,
    pub fallback: bool,
    pub constraints: Vec<Constraint>,
    pub examples: Vec<Example>,
    /// Line of the rule's `code` in the pack file (for `anyio-lint test` messages).
    pub line: usize,
}

/// A declarative condition on one metavariable's capture.
#[derive(Debug)]
pub struct Constraint {
    pub metavar: String,
    pub kinds: Vec<String>,
    pub not_kinds: Vec<String>,
    pub regex: Option<Regex>,
    pub not_regex: Option<Regex>,
    pub patterns: Vec<Pattern>,
    pub not_patterns: Vec<Pattern>,
    pub positional_only: bool,
}

#[derive(Debug, Clone)]
pub struct Example {
    pub code: String,
    /// Whether the rule must flag `code`.
    pub flagged: bool,
    pub fixed: Option<String>,
    pub versions: BTreeMap<String, Version>,
    pub unsafe_fixes: Option<bool>,
    pub line: usize,
}

/// A statement to remove once the variable it binds is no longer read.
#[derive(Debug)]
pub struct Cleanup {
    pub pattern: Pattern,
    pub unused: String,
}

/// Node kinds a `kind` constraint may name (Ruff's, without the `Expr`/`Stmt` prefix).
pub const NODE_KINDS: &[&str] = &[
    "BoolOp",
    "Named",
    "BinOp",
    "UnaryOp",
    "Lambda",
    "If",
    "Dict",
    "Set",
    "ListComp",
    "SetComp",
    "DictComp",
    "Generator",
    "Await",
    "Yield",
    "YieldFrom",
    "Compare",
    "Call",
    "FString",
    "TString",
    "StringLiteral",
    "BytesLiteral",
    "NumberLiteral",
    "BooleanLiteral",
    "NoneLiteral",
    "EllipsisLiteral",
    "Attribute",
    "Subscript",
    "Starred",
    "Name",
    "List",
    "Tuple",
    "Slice",
    "FunctionDef",
    "ClassDef",
    "Return",
    "Delete",
    "Assign",
    "AugAssign",
    "AnnAssign",
    "For",
    "While",
    "With",
    "Match",
    "Raise",
    "Try",
    "Assert",
    "Import",
    "ImportFrom",
    "Global",
    "Nonlocal",
    "Expr",
    "Pass",
    "Break",
    "Continue",
    "Keyword",
];

/// The kind name of a node as constraints spell it.
pub fn kind_name(node: ruff_python_ast::AnyNodeRef<'_>) -> String {
    let debug = format!("{:?}", node.kind());
    debug
        .strip_prefix("Expr")
        .filter(|rest| !rest.is_empty())
        .or_else(|| debug.strip_prefix("Stmt"))
        .unwrap_or(&debug)
        .to_owned()
}

struct Loader<'a> {
    origin: &'a str,
    source: &'a str,
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

    fn patterns(
        &self,
        value: Option<schema::OneOrMany>,
        what: &str,
    ) -> Result<Vec<Pattern>, SourceError> {
        value
            .map(schema::OneOrMany::into_vec)
            .unwrap_or_default()
            .iter()
            .map(|text| self.pattern(text, what))
            .collect()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.source[..offset.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }
}

/// Load and validate a pack from its TOML text. `origin` names it in errors.
pub fn load(origin: &str, source: &str) -> Result<Pack, SourceError> {
    let file: schema::PackFile = toml::from_str(source).map_err(|error| {
        SourceError::new(origin, source, error.span(), error.message().to_owned())
            .label("here")
            .note("see docs/rulepacks.md for the pack format")
    })?;
    let loader = Loader { origin, source };
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
    let mut seen_codes: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut rules = Vec::new();
    for def in file.rules {
        let rule = compile_rule(&loader, def, &prefix, &modules, &mut seen_codes)?;
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
    Ok(Pack {
        name,
        version: meta.version,
        description: meta.description,
        prefix,
        modules,
        drop_unused_imports,
        url: meta.url,
        origin: origin.to_owned(),
        source: source.to_owned(),
        rules,
        cleanups,
    })
}

fn compile_rule(
    loader: &Loader<'_>,
    def: schema::RuleDef,
    prefix: &str,
    modules: &FxHashSet<String>,
    seen_codes: &mut BTreeMap<String, Range<usize>>,
) -> Result<Rule, SourceError> {
    let code = def.code.get_ref().clone();
    let code_ok = code.starts_with(prefix)
        && code.len() > prefix.len()
        && code[prefix.len()..].chars().all(|c| c.is_ascii_digit());
    if !code_ok {
        return Err(loader.error(
            def.code.span(),
            format!("rule code `{code}` must be the pack prefix `{prefix}` followed by digits"),
        ));
    }
    if let Some(first) = seen_codes.get(&code) {
        let line = loader.line_of(first.start);
        return Err(loader
            .error(def.code.span(), format!("duplicate rule code `{code}`"))
            .label("used again here")
            .note(format!("`{code}` is first defined on line {line}")));
    }
    seen_codes.insert(code.clone(), def.code.span());
    if !is_kebab(def.name.get_ref()) {
        return Err(loader.error(
            def.name.span(),
            "a rule name is kebab-case: lowercase words joined by `-`",
        ));
    }
    let rule_span = def.code.span();
    let Some(pattern_def) = def.pattern else {
        return Err(loader.error(rule_span, format!("rule `{code}` has no `pattern`")));
    };
    let pattern_texts = pattern_def.into_vec();
    if pattern_texts.is_empty() {
        return Err(loader.error(
            rule_span,
            format!("rule `{code}` has an empty `pattern` list"),
        ));
    }
    let patterns: Vec<Pattern> = pattern_texts
        .iter()
        .map(|text| loader.pattern(text, "pattern"))
        .collect::<Result<_, _>>()?;
    let inside = loader.patterns(def.inside, "`inside` pattern")?;
    let not_inside = loader.patterns(def.not_inside, "`not-inside` pattern")?;
    let not = loader.patterns(def.not, "`not` pattern")?;
    for (index, pattern) in patterns.iter().enumerate() {
        if pattern.form == Form::Stmts && (!inside.is_empty() || !not_inside.is_empty()) {
            return Err(loader.error(
                pattern_texts[index].span(),
                "`inside`/`not-inside` apply to expression and single-statement patterns only",
            ));
        }
        if def.statement_position && pattern.form != Form::Expr {
            return Err(loader.error(
                pattern_texts[index].span(),
                "`statement-position` applies to expression patterns only",
            ));
        }
    }
    // Metavariables every pattern binds (plus those `inside` patterns bind).
    let bound_by = |pattern: &Pattern| -> Vec<MetavarUse> {
        let mut all = pattern.metavars();
        for outer in &inside {
            all.extend(outer.metavars());
        }
        all
    };
    let bound: Vec<Vec<MetavarUse>> = patterns.iter().map(bound_by).collect();
    let check_bound = |name: &str, span: Range<usize>, what: &str| -> Result<(), SourceError> {
        for (index, vars) in bound.iter().enumerate() {
            if !vars.iter().any(|v| v.name == name) {
                return Err(loader
                    .error(
                        span.clone(),
                        format!("`${name}` is used in the {what} but never bound"),
                    )
                    .label("unbound metavariable")
                    .note(format!(
                        "pattern `{}` does not bind `${name}`",
                        pattern_texts[index].get_ref()
                    )));
            }
        }
        Ok(())
    };
    for (text, what) in [(Some(&def.message), "message"), (def.help.as_ref(), "help")] {
        if let Some(text) = text
            && let Ok(pieces) = crate::pattern::metavar::split(text.get_ref())
        {
            for piece in pieces {
                if let crate::pattern::metavar::Piece::Var { name, .. } = piece {
                    check_bound(&name, text.span(), what)?;
                }
            }
        }
    }
    let fix = match &def.fix {
        None => None,
        Some(text) => {
            let template = Template::compile(text.get_ref(), modules)
                .map_err(|message| loader.error(text.span(), message).label("in this fix"))?;
            for var in template.metavars() {
                check_bound(&var.name, text.span(), "fix")?;
            }
            for (index, pattern) in patterns.iter().enumerate() {
                let compatible = match pattern.form {
                    Form::Expr => template.form == Form::Expr || def.statement_position,
                    Form::Stmt | Form::Stmts => true,
                };
                if !compatible {
                    return Err(loader
                        .error(text.span(), "this fix is a statement but the pattern is an expression")
                        .note(format!(
                            "pattern `{}` matches expressions, which can stand where no statement can \
                             (`x = with …`); write a statement pattern to rewrite statements",
                            pattern_texts[index].get_ref()
                        )));
                }
            }
            Some(template)
        }
    };
    let applicability = match (&fix, def.applicability) {
        (Some(_), None) => {
            return Err(loader.error(
                def.fix.as_ref().map_or(rule_span.clone(), Spanned::span),
                "a rule with a `fix` must say its `applicability`: \"safe\" or \"unsafe\"",
            ));
        }
        (None, Some(applicability)) => {
            return Err(loader.error(applicability.span(), "`applicability` without a `fix`"));
        }
        (_, applicability) => applicability.map(Spanned::into_inner),
    };
    let mut requires = Vec::new();
    for (distribution, spec) in def.requires {
        let parsed = VersionSpec::parse(spec.get_ref())
            .map_err(|message| loader.error(spec.span(), message))?;
        requires.push((distribution, parsed));
    }
    let mut constraints = Vec::new();
    for (name, constraint) in def.constraints {
        let span = constraint.span();
        let metavar = name.trim_start_matches('$').to_owned();
        let variadic = bound
            .iter()
            .flatten()
            .find(|v| v.name == metavar)
            .map(|v| v.variadic);
        let Some(variadic) = variadic else {
            return Err(loader.error(
                span,
                format!("`where.{name}`: `${metavar}` is not bound by the pattern"),
            ));
        };
        let constraint = constraint.into_inner();
        for kind in constraint.kind.iter().chain(&constraint.not_kind).flatten() {
            if !NODE_KINDS.contains(&kind.as_str()) {
                return Err(loader
                    .error(span.clone(), format!("unknown node kind `{kind}`"))
                    .note(format!("known kinds: {}", NODE_KINDS.join(", "))));
            }
        }
        if constraint.positional_only && !variadic {
            return Err(loader.error(span, "`positional-only` applies to `$$$` metavariables"));
        }
        let regex = |text: &Option<String>| -> Result<Option<Regex>, SourceError> {
            text.as_ref()
                .map(|r| {
                    Regex::new(r)
                        .map_err(|e| loader.error(span.clone(), format!("invalid regex: {e}")))
                })
                .transpose()
        };
        constraints.push(Constraint {
            metavar,
            kinds: constraint.kind.clone().unwrap_or_default(),
            not_kinds: constraint.not_kind.clone().unwrap_or_default(),
            regex: regex(&constraint.regex)?,
            not_regex: regex(&constraint.not_regex)?,
            patterns: loader.patterns(constraint.pattern, "constraint pattern")?,
            not_patterns: loader.patterns(constraint.not_pattern, "constraint pattern")?,
            positional_only: constraint.positional_only,
        });
    }
    let mut examples = Vec::new();
    for example in def.examples {
        let span = example.span();
        let line = loader.line_of(span.start);
        let example = example.into_inner();
        let (code_text, flagged) = match (example.flagged, example.clean) {
            (Some(code), None) => (code, true),
            (None, Some(code)) => (code, false),
            _ => {
                return Err(
                    loader.error(span, "an example has exactly one of `flagged` or `clean`")
                );
            }
        };
        if example.fixed.is_some() && (!flagged || fix.is_none()) {
            return Err(loader.error(
                span,
                "`fixed` belongs to a `flagged` example of a rule with a `fix`",
            ));
        }
        let mut versions = BTreeMap::new();
        for (distribution, text) in example.versions {
            let version = Version::parse(&text)
                .ok_or_else(|| loader.error(span.clone(), format!("`{text}` is not a version")))?;
            versions.insert(distribution, version);
        }
        examples.push(Example {
            code: code_text,
            flagged,
            fixed: example.fixed,
            versions,
            unsafe_fixes: example.unsafe_fixes,
            line,
        });
    }
    if !examples.iter().any(|e| e.flagged) {
        return Err(loader
            .error(rule_span, format!("rule `{code}` has no `flagged` example"))
            .note("every rule carries at least one `[[rule.example]]` with `flagged = \"…\"`"));
    }
    let line = loader.line_of(def.code.span().start);
    Ok(Rule {
        code,
        name: def.name.into_inner(),
        message: def.message.into_inner(),
        severity: def.severity,
        help: def.help.map(Spanned::into_inner),
        explain: def.explain.into_inner(),
        patterns,
        fix,
        applicability,
        fix_title: def.fix_title,
        requires,
        statement_position: def.statement_position,
        inside,
        not_inside,
        not,
        fallback: def.fallback,
        constraints,
        examples,
        line,
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
