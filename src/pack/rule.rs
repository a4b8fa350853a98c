//! Compiling one `[[rule]]` of a pack: patterns, fix template, constraints, element rewrites,
//! fresh names, versions and examples, each checked against the others (every metavariable a
//! message, fix or constraint uses must be bound by every pattern).

use std::collections::BTreeMap;
use std::ops::Range;

use regex::Regex;
use rustc_hash::FxHashSet;
use toml::Spanned;

use super::schema::{self, ConstraintDef, EachDef};
use super::{Constraint, Each, Example, Loader, NODE_KINDS, Role, Rule, SourceError, is_kebab};
use crate::fix::template::Template;
use crate::pattern::{Form, MetavarUse, Pattern};
use crate::version::{Version, VersionSpec};

pub(super) fn compile_rule(
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
    let comment = compile_comment(loader, &def, &code)?;
    let pattern_texts = match (def.pattern, &comment) {
        (Some(pattern_def), None) => pattern_def.into_vec(),
        (None, Some(_)) => Vec::new(),
        (Some(_), Some(_)) => {
            return Err(loader.error(
                rule_span,
                format!("rule `{code}` has both a `pattern` and a `comment`: a rule matches one or the other"),
            ));
        }
        (None, None) => {
            return Err(loader.error(
                rule_span,
                format!("rule `{code}` has no `pattern` (or `comment`)"),
            ));
        }
    };
    if pattern_texts.is_empty() && comment.is_none() {
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
    let fresh = compile_fresh(loader, def.fresh, &bound)?;
    let check_bound = |name: &str, span: Range<usize>, what: &str| -> Result<(), SourceError> {
        if fresh.iter().any(|(f, _)| f == name) {
            return Ok(());
        }
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
                    check_bound(name, text.span(), what)?;
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
    let all_bound: Vec<MetavarUse> = bound.iter().flatten().cloned().collect();
    let constraints = compile_constraints(loader, def.constraints, &all_bound)?;
    let each = compile_each(loader, def.each, &all_bound, &fresh, modules)?;
    let role = def
        .role
        .map(|text| {
            Role::parse(text.get_ref()).ok_or_else(|| {
                loader
                    .error(text.span(), format!("unknown role `{}`", text.get_ref()))
                    .note(format!("known roles: {}", Role::NAMES.join(", ")))
            })
        })
        .transpose()?;
    let default_keywords = compile_default_keywords(loader, def.default_keywords, fix.as_ref())?;
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
        // The pack fills it in from its own `url`.
        url: None,
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
        role,
        in_async_function: def.in_async_function,
        comment,
        when_imported: compile_when_imported(loader, def.when_imported, modules)?,
        default_keywords,
        fresh,
        each,
        examples,
        line,
    })
}

fn compile_constraints(
    loader: &Loader<'_>,
    defs: BTreeMap<String, Spanned<ConstraintDef>>,
    bound: &[MetavarUse],
) -> Result<Vec<Constraint>, SourceError> {
    let mut constraints = Vec::new();
    for (name, constraint) in defs {
        let span = constraint.span();
        let metavar = name.trim_start_matches('$').to_owned();
        let variadic = bound.iter().find(|v| v.name == metavar).map(|v| v.variadic);
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
        let patterns = loader.patterns(constraint.pattern, "constraint pattern")?;
        let not_patterns = loader.patterns(constraint.not_pattern, "constraint pattern")?;
        let bound_to = loader.patterns(constraint.bound_to, "`bound-to` pattern")?;
        let tests_capture_alone = [&patterns, &not_patterns, &bound_to]
            .into_iter()
            .flatten()
            .all(|pattern| pattern.metavars().is_empty());
        constraints.push(Constraint {
            metavar,
            kinds: constraint.kind.clone().unwrap_or_default(),
            not_kinds: constraint.not_kind.clone().unwrap_or_default(),
            regex: regex(&constraint.regex)?,
            not_regex: regex(&constraint.not_regex)?,
            patterns,
            not_patterns,
            positional_only: constraint.positional_only,
            bound_to,
            unbound: constraint.unbound,
            tests_capture_alone,
        });
    }
    Ok(constraints)
}

/// `fresh = { TG = "tg" }`: new names the fix introduces.
fn compile_fresh(
    loader: &Loader<'_>,
    defs: BTreeMap<String, Spanned<String>>,
    bound: &[Vec<MetavarUse>],
) -> Result<Vec<(String, String)>, SourceError> {
    let mut fresh = Vec::new();
    for (name, base) in defs {
        let metavar = name.trim_start_matches('$').to_owned();
        if bound.iter().flatten().any(|v| v.name == metavar) {
            return Err(loader.error(
                base.span(),
                format!("`${metavar}` is bound by the pattern, so it cannot also be a fresh name"),
            ));
        }
        let is_identifier = base
            .get_ref()
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && base
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !is_identifier {
            return Err(loader.error(base.span(), "a fresh name is a Python identifier"));
        }
        fresh.push((metavar, base.into_inner()));
    }
    Ok(fresh)
}

/// `each.XS = { pattern, fix, where }`: the rewrite of every element of a `$$$` capture.
fn compile_each(
    loader: &Loader<'_>,
    defs: BTreeMap<String, Spanned<EachDef>>,
    bound: &[MetavarUse],
    fresh: &[(String, String)],
    modules: &FxHashSet<String>,
) -> Result<Vec<Each>, SourceError> {
    let mut compiled = Vec::new();
    for (name, def) in defs {
        let span = def.span();
        let metavar = name.trim_start_matches('$').to_owned();
        if !bound.iter().any(|v| v.name == metavar && v.variadic) {
            return Err(loader.error(
                span,
                format!("`each.{name}`: `$$${metavar}` is not a `$$$` metavariable of the pattern"),
            ));
        }
        let def = def.into_inner();
        let pattern = loader.pattern(&def.pattern, "`each` pattern")?;
        if pattern.form != Form::Expr {
            return Err(loader.error(def.pattern.span(), "an `each` pattern is an expression"));
        }
        let mut element_bound = pattern.metavars();
        element_bound.extend(bound.iter().cloned());
        let fix = Template::compile(def.fix.get_ref(), modules)
            .map_err(|message| loader.error(def.fix.span(), message).label("in this fix"))?;
        if fix.form != Form::Expr || fix.is_multiline() {
            return Err(loader.error(def.fix.span(), "an `each` fix is a one-line expression"));
        }
        for var in fix.metavars() {
            let known = element_bound.iter().any(|v| v.name == var.name)
                || fresh.iter().any(|(f, _)| *f == var.name);
            if !known {
                return Err(loader
                    .error(
                        def.fix.span(),
                        format!("`${}` is used in the `each` fix but never bound", var.name),
                    )
                    .label("unbound metavariable"));
            }
        }
        let constraints = compile_constraints(loader, def.constraints, &element_bound)?;
        compiled.push(Each {
            metavar,
            pattern,
            fix,
            constraints,
        });
    }
    Ok(compiled)
}

/// `default-keywords = ["name=value", …]`, checked against the fix: it must be a call.
fn compile_default_keywords(
    loader: &Loader<'_>,
    defs: Vec<Spanned<String>>,
    fix: Option<&Template>,
) -> Result<Vec<(String, String)>, SourceError> {
    let mut keywords = Vec::new();
    for def in defs {
        if !fix.is_some_and(Template::is_call) {
            return Err(loader.error(
                def.span(),
                "`default-keywords` needs a `fix` that is one call, to add the keywords to",
            ));
        }
        let text = def.get_ref();
        let parsed = text.split_once('=').and_then(|(name, value)| {
            let name = name.trim();
            let call = format!("f({name}={})", value.trim());
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && ruff_python_parser::parse_expression(&call).is_ok();
            valid.then(|| (name.to_owned(), value.trim().to_owned()))
        });
        let Some(keyword) = parsed else {
            return Err(loader.error(def.span(), "a default keyword is written `name=value`"));
        };
        keywords.push(keyword);
    }
    Ok(keywords)
}

/// `comment = "regex"`: a rule that reports comments. It has nothing to bind, so it takes no
/// fix, metavariables or structural constraints.
fn compile_comment(
    loader: &Loader<'_>,
    def: &schema::RuleDef,
    code: &str,
) -> Result<Option<Regex>, SourceError> {
    let Some(text) = &def.comment else {
        return Ok(None);
    };
    let structural = def.fix.is_some()
        || def.inside.is_some()
        || def.not_inside.is_some()
        || def.not.is_some()
        || def.statement_position
        || def.role.is_some()
        || def.in_async_function
        || !def.constraints.is_empty()
        || !def.each.is_empty()
        || !def.fresh.is_empty()
        || !def.default_keywords.is_empty();
    if structural {
        return Err(loader.error(
            text.span(),
            format!(
                "rule `{code}` matches comments: it cannot have a fix, metavariables or structural \
                 constraints (`inside`, `where`, `role`, …)"
            ),
        ));
    }
    let uses_metavar = [Some(&def.message), def.help.as_ref()]
        .into_iter()
        .flatten()
        .any(|t| t.get_ref().contains('$'));
    if uses_metavar {
        return Err(loader.error(
            def.message.span(),
            "a comment rule binds no metavariables, so its message and help cannot use `$`",
        ));
    }
    Regex::new(text.get_ref())
        .map(Some)
        .map_err(|e| loader.error(text.span(), format!("invalid regex: {e}")))
}

/// `when-imported = ["pkg"]`: every module must be one of the pack's `modules`, whose imports
/// the engine tracks.
fn compile_when_imported(
    loader: &Loader<'_>,
    defs: Vec<Spanned<String>>,
    modules: &FxHashSet<String>,
) -> Result<Vec<String>, SourceError> {
    defs.into_iter()
        .map(|module| {
            if modules.contains(module.get_ref()) {
                Ok(module.into_inner())
            } else {
                Err(loader
                    .error(
                        module.span(),
                        format!("`{}` is not one of the pack's `modules`", module.get_ref()),
                    )
                    .note("only imports of declared modules are tracked"))
            }
        })
        .collect()
}
