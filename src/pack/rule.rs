//! Compiling one `[[rule]]` of a pack: its `match` table (by `crate::condition`), its `fix`
//! table (template, applicability, title, and the transforms of metavariables: `fresh`, `each`,
//! `default-keywords`), its versions and examples, each checked against the others (every
//! metavariable a message, help or fix uses must be bound by every way the rule matches).

use std::collections::BTreeMap;
use std::ops::Range;

use rustc_hash::FxHashSet;
use toml::Spanned;

use super::schema::{self, Applicability};
use super::{Becomes, Each, Example, Loader, Placement, Rule, SourceError, is_kebab, setting_fix};
use crate::analysis::library::Libraries;
use crate::base::version::Version;
use crate::condition::value::{Kind, Value};
use crate::condition::{self, CompileError, Entry, OptionDecl, Reads, RuleMatch};
use crate::pattern::template::Template;
use crate::pattern::{Form, MetavarUse, Pattern};

/// What a pack declares that its rules compile against: its modules and its library models.
#[derive(Clone, Copy)]
pub(super) struct Declared<'a> {
    pub modules: &'a FxHashSet<String>,
    pub libraries: &'a Libraries,
    pub options: &'a [OptionDecl],
}

/// Check a rule's code: the pack's prefix and digits, not taken by a rule before it in the pack
/// (`seen_codes`, where each was written).
pub(super) fn check_code(
    loader: &Loader<'_>,
    def: &schema::RuleDef,
    prefix: &str,
    seen_codes: &mut BTreeMap<String, Range<usize>>,
) -> Result<(), SourceError> {
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
    seen_codes.insert(code, def.code.span());
    Ok(())
}

/// Compile one rule of a pack whose code [`check_code`] accepted.
pub(super) fn compile_rule(
    loader: &Loader<'_>,
    def: schema::RuleDef,
    declared: Declared<'_>,
) -> Result<Rule, SourceError> {
    let Declared {
        modules,
        libraries,
        options,
    } = declared;
    let code = def.code.get_ref().clone();
    if !is_kebab(def.name.get_ref()) {
        return Err(loader.error(
            def.name.span(),
            "a rule name is kebab-case: lowercase words joined by `-`",
        ));
    }
    let rule_span = def.code.span();
    if let Some((key, value)) = def.old_key() {
        let new = condition::old_spelling(key).unwrap_or(
            "what a rule matches is its `match` table: `match.pattern = P`, conditions under it",
        );
        return Err(loader
            .error(
                value.span().unwrap_or_else(|| rule_span.clone()),
                format!("`{key}` is a key of the rule language's first form"),
            )
            .label("written in the old form")
            .note(new.to_owned()));
    }
    let compile_error = |error: CompileError| {
        let mut error_out = loader
            .error(
                error.span.unwrap_or_else(|| rule_span.clone()),
                error.message,
            )
            .label("here");
        if let Some(note) = error.note {
            error_out = error_out.note(note);
        }
        error_out
    };
    let Some(match_def) = &def.matches else {
        return Err(loader
            .error(rule_span, format!("rule `{code}` has no `match`"))
            .note("write `match.pattern = \"…\"`: what the rule matches"));
    };
    let (matching, reads) =
        condition::compile_match(match_def, modules, libraries, options).map_err(compile_error)?;
    let mut read_options = Vec::new();
    condition::options_in(match_def, &mut read_options);
    let (comment, setting) = match reads {
        Reads::Nodes => (None, None),
        Reads::Comments(regex) => (Some(regex), None),
        Reads::Settings(setting) => (None, Some(setting)),
    };
    if comment.is_some() && def.fix.is_some() {
        return Err(loader.error(
            def.fix
                .as_ref()
                .and_then(Value::span)
                .unwrap_or(rule_span.clone()),
            format!("rule `{code}` matches comments: it cannot have a fix"),
        ));
    }
    let bound: Vec<Vec<MetavarUse>> = (0..matching.entries.len())
        .map(|index| matching.bound(index))
        .collect();
    let setting_bound = setting.as_ref().map(|s| s.bound());
    let mut setting_fix = None;
    let mut applicability = None;
    let mut fix_title = None;
    let mut fix_placement = Placement::Replace;
    let fix_def = match (&def.fix, &setting_bound) {
        (Some(value), Some(bound)) => {
            let read = setting_fix::read(loader, value, bound, &rule_span)?;
            setting_fix = Some(read.fix);
            applicability = Some(read.applicability);
            fix_title = read.title;
            None
        }
        (Some(value), None) => Some(read_fix(loader, value, &rule_span)?),
        (None, _) => None,
    };
    let fresh: Vec<(String, String)> = fix_def
        .as_ref()
        .map(|f| f.fresh.clone())
        .unwrap_or_default();
    for (name, _) in &fresh {
        if bound.iter().flatten().any(|v| &v.name == name) {
            return Err(loader.error(
                fix_def
                    .as_ref()
                    .map_or(rule_span.clone(), |f| f.span.clone()),
                format!("`${name}` is bound by the match, so it cannot also be a fresh name"),
            ));
        }
    }
    let entry_text = |index: usize| match &matching.entries[index] {
        Entry::Pattern(pattern) => format!("pattern `{}`", pattern.text),
        Entry::Kinds(_) => "the `kind` entry".to_owned(),
    };
    let check_bound = |name: &str, span: Range<usize>, what: &str| -> Result<(), SourceError> {
        if fresh.iter().any(|(f, _)| f == name) {
            return Ok(());
        }
        if let Some(bound) = &setting_bound {
            if bound.iter().any(|b| b == name) {
                return Ok(());
            }
            return Err(loader
                .error(
                    span,
                    format!("`${name}` is used in the {what} but never bound"),
                )
                .label("unbound metavariable")
                .note(setting_fix::binds_note(bound)));
        }
        for (index, vars) in bound.iter().enumerate() {
            if !vars.iter().any(|v| v.name == name) {
                return Err(loader
                    .error(
                        span,
                        format!("`${name}` is used in the {what} but never bound"),
                    )
                    .label("unbound metavariable")
                    .note(format!("{} does not bind `${name}`", entry_text(index))));
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
    let mut fix = None;
    let mut becomes = None;
    let mut each = Vec::new();
    let mut default_keywords = None;
    if let Some(fix_def) = fix_def {
        let template = Template::compile(&fix_def.template, modules).map_err(|message| {
            loader
                .error(fix_def.template_span.clone(), message)
                .label("in this fix")
        })?;
        for var in template.metavars() {
            check_bound(&var.name, fix_def.template_span.clone(), "fix")?;
            if read_options
                .iter()
                .any(|(_, text)| text.as_ref() == Some(&var.name))
            {
                return Err(loader
                    .error(
                        fix_def.template_span.clone(),
                        format!("`${}` holds an option's text: a fix may not use it", var.name),
                    )
                    .note("the project writes the text, and nothing checks it as code; the message and the help may use it"));
            }
        }
        let inserts = fix_def.placement != Placement::Replace;
        for (index, entry) in matching.entries.iter().enumerate() {
            let compatible = match entry {
                Entry::Pattern(pattern) => {
                    pattern.form != Form::Expr || (template.form == Form::Expr && !inserts)
                }
                Entry::Kinds(kinds) => {
                    (template.form == Form::Expr && !inserts)
                        || kinds.iter().all(|k| format!("{k:?}").starts_with("Stmt"))
                }
            };
            if !compatible {
                return Err(loader
                    .error(
                        fix_def.template_span.clone(),
                        "this fix is a statement but the rule matches expressions",
                    )
                    .note(format!(
                        "{} matches expressions, which can stand where no statement can \
                         (`x = with …`); match the statement: a statement pattern, or \
                         `match.kind = \"Expr\"` with the expression under `match.has`",
                        entry_text(index)
                    )));
            }
        }
        let all_bound: Vec<MetavarUse> = bound.iter().flatten().cloned().collect();
        for (metavar, span, transform) in fix_def.transforms {
            let variadic = all_bound
                .iter()
                .find(|v| v.name == metavar)
                .map(|v| v.variadic);
            match transform {
                Transform::Fresh => {}
                Transform::Each(value) => {
                    if variadic != Some(true) {
                        return Err(loader.error(
                            span,
                            format!("`{metavar}.each`: `$$${metavar}` is not a `$$$` metavariable the match binds"),
                        ));
                    }
                    each.push(compile_each(
                        loader, &metavar, &value, &all_bound, &fresh, declared, &rule_span,
                    )?);
                }
                Transform::DefaultKeywords(value) => {
                    if variadic != Some(true) {
                        return Err(loader.error(
                            span,
                            format!("`{metavar}.default-keywords`: `$$${metavar}` is not a `$$$` metavariable the match binds"),
                        ));
                    }
                    if !template.is_call() {
                        return Err(loader.error(
                            span,
                            "`default-keywords` needs a fix template that is one call, to add the keywords to",
                        ));
                    }
                    default_keywords =
                        Some((metavar.clone(), compile_default_keywords(loader, &value)?));
                }
            }
        }
        applicability = Some(fix_def.applicability);
        fix_title = fix_def.title;
        fix_placement = fix_def.placement;
        if let Some((class, span)) = fix_def.becomes {
            if libraries.class(&class).is_none() {
                return Err(loader
                    .error(span, format!("no library model the pack loads has a class `{class}`"))
                    .note("name the model in `[pack] libraries`, and the class as the model spells it"));
            }
            becomes = Some(Becomes {
                class,
                rewritten_uses: fix_def.rewritten_uses,
            });
        }
        fix = Some(template);
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
        let has_fix = fix.is_some() || setting_fix.is_some();
        if example.fixed.is_some() && (!flagged || !has_fix) {
            return Err(loader.error(
                span,
                "`fixed` belongs to a `flagged` example of a rule with a `fix`",
            ));
        }
        let file = match (&setting, example.file) {
            (Some(setting), Some(file)) => {
                if !setting.files().any(|(name, _)| name == file) {
                    return Err(loader.error(
                        span,
                        format!("`file = \"{file}\"`: the rule reads no file of that name"),
                    ));
                }
                Some(file)
            }
            (Some(setting), None) => setting.files().next().map(|(name, _)| name.to_owned()),
            (None, Some(_)) => {
                return Err(loader.error(
                    span,
                    "`file` names the configuration file of an example of a rule over \
                     configuration files (`match.ini`, `match.toml`)",
                ));
            }
            (None, None) => None,
        };
        let mut versions = BTreeMap::new();
        for (distribution, text) in example.versions {
            let version = Version::parse(&text)
                .ok_or_else(|| loader.error(span.clone(), format!("`{text}` is not a version")))?;
            versions.insert(distribution, version);
        }
        let mut example_options = BTreeMap::new();
        for (name, value) in example
            .options
            .as_ref()
            .and_then(Value::as_table)
            .unwrap_or(&[])
        {
            let Some(decl) = options.iter().find(|decl| &decl.name == name) else {
                return Err(loader.error(
                    value.span().unwrap_or_else(|| span.clone()),
                    format!("the pack has no option `{name}`"),
                ));
            };
            let read = decl.kind.read(value, name).map_err(|error| {
                let mut out =
                    loader.error(error.span.unwrap_or_else(|| span.clone()), error.message);
                if let Some(note) = error.note {
                    out = out.note(note);
                }
                out
            })?;
            example_options.insert(name.clone(), read);
        }
        if let Some(value) = &example.options
            && value.as_table().is_none()
        {
            return Err(loader.error(
                value.span().unwrap_or_else(|| span.clone()),
                "an example's `options` is a table: option name → value",
            ));
        }
        examples.push(Example {
            code: code_text,
            file,
            flagged,
            fixed: example.fixed,
            versions,
            options: example_options,
            unsafe_fixes: example.unsafe_fixes,
            line,
        });
    }
    if !examples.iter().any(|e| e.flagged) {
        return Err(loader
            .error(rule_span, format!("rule `{code}` has no `flagged` example"))
            .note("every rule carries at least one `[[rule.example]]` with `flagged = \"…\"`"));
    }
    let fails = match def.fails {
        Some(fails) => {
            let name = fails.get_ref();
            let is_identifier = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !is_identifier {
                return Err(loader.error(
                    fails.span(),
                    "`fails` names the exception the flagged code raises, such as \"AttributeError\"",
                ));
            }
            Some(fails.into_inner())
        }
        None => None,
    };
    let line = loader.line_of(def.code.span().start);
    Ok(Rule {
        fails,
        // The pack fills these in: from its own `url`, and once every rule's aliases are known.
        url: None,
        aliases: Vec::new(),
        code,
        name: def.name.into_inner(),
        message: def.message.into_inner(),
        severity: def.severity,
        help: def.help.map(Spanned::into_inner),
        explain: def.explain.into_inner(),
        requires: matching.rest.required_versions(),
        matching,
        comment,
        setting,
        fix,
        setting_fix,
        applicability,
        fix_title,
        fix_placement,
        becomes,
        fallback: def.fallback,
        opt_in: def.opt_in,
        options: read_options
            .iter()
            .filter_map(|(name, _)| options.iter().position(|decl| &decl.name == name))
            .fold(Vec::new(), |mut slots, slot| {
                if !slots.contains(&slot) {
                    slots.push(slot);
                }
                slots
            }),
        default_keywords,
        fresh,
        each,
        examples,
        line,
    })
}

/// A `fix` table, read.
struct FixDef {
    span: Range<usize>,
    template: String,
    template_span: Range<usize>,
    placement: Placement,
    applicability: Applicability,
    title: Option<String>,
    /// The model class the matched value becomes, and where that was written.
    becomes: Option<(String, Range<usize>)>,
    /// Uses of the value other fixes rewrite (`rewritten-uses`).
    rewritten_uses: Vec<Pattern>,
    fresh: Vec<(String, String)>,
    /// The transforms of metavariables, each with its span.
    transforms: Vec<(String, Range<usize>, Transform)>,
}

enum Transform {
    Fresh,
    Each(Value),
    DefaultKeywords(Value),
}

fn read_fix(
    loader: &Loader<'_>,
    value: &Value,
    rule_span: &Range<usize>,
) -> Result<FixDef, SourceError> {
    let span_of = |v: &Value| v.span().unwrap_or_else(|| rule_span.clone());
    let span = span_of(value);
    let Some(entries) = value.as_table() else {
        return Err(loader
            .error(span, format!("`fix` is a table, not {}", value.describe()))
            .note(
                "write `fix.template = \"…\"` and `fix.applicability = \"safe\"` (or \"unsafe\")",
            ));
    };
    let mut template = None;
    let mut placement = Placement::Replace;
    let mut applicability = None;
    let mut title = None;
    let mut becomes = None;
    let mut rewritten_uses = Vec::new();
    let mut rewritten_span = None;
    let mut fresh = Vec::new();
    let mut transforms = Vec::new();
    for (key, item) in entries {
        match key.as_str() {
            "template" | "before" | "after" => {
                let Some(text) = item.as_str() else {
                    return Err(loader.error(span_of(item), "a fix template is a string"));
                };
                if template.is_some() {
                    return Err(loader.error(
                        span_of(item),
                        "a `fix` has one of `template`, `before` and `after`",
                    ));
                }
                placement = match key.as_str() {
                    "before" => Placement::Before,
                    "after" => Placement::After,
                    _ => Placement::Replace,
                };
                template = Some((text.to_owned(), span_of(item)));
            }
            "applicability" => applicability = Some(loader.applicability(item, span_of(item))?),
            "title" => title = Some(loader.fix_title(item, span_of(item))?),
            "becomes" => {
                let Some(class) = item.as_str() else {
                    return Err(loader.error(
                        span_of(item),
                        "`becomes` names a class of a library model the pack loads",
                    ));
                };
                becomes = Some((class.to_owned(), span_of(item)));
            }
            "rewritten-uses" => {
                rewritten_uses = condition::patterns(item).map_err(|error| {
                    loader
                        .error(error.span.unwrap_or_else(|| span_of(item)), error.message)
                        .label("in `rewritten-uses`")
                })?;
                rewritten_span = Some(span_of(item));
            }
            metavar if condition::is_metavar_key(metavar) => {
                let Some(transform) = item.as_table() else {
                    return Err(loader.error(
                        span_of(item),
                        format!("`{metavar}` in a fix takes a transform: `{metavar}.fresh`, `{metavar}.each` or `{metavar}.default-keywords`"),
                    ));
                };
                let [(kind, inner)] = transform else {
                    return Err(loader.error(
                        span_of(item),
                        format!(
                            "`{metavar}` takes one transform: `fresh`, `each` or `default-keywords`"
                        ),
                    ));
                };
                let transform = match kind.as_str() {
                    "fresh" => {
                        let base = inner.as_str().unwrap_or_default();
                        let is_identifier = base
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                            && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                        if !is_identifier {
                            return Err(
                                loader.error(span_of(inner), "a fresh name is a Python identifier")
                            );
                        }
                        fresh.push((metavar.to_owned(), base.to_owned()));
                        Transform::Fresh
                    }
                    "each" => Transform::Each(inner.clone()),
                    "default-keywords" => Transform::DefaultKeywords(inner.clone()),
                    other => {
                        return Err(loader.error(
                            span_of(inner),
                            format!("unknown transform `{other}`: a metavariable's transform is `fresh`, `each` or `default-keywords`"),
                        ));
                    }
                };
                transforms.push((metavar.to_owned(), span_of(item), transform));
            }
            other => {
                let mut error = loader.error(
                    span_of(item),
                    format!("unknown key `{other}` in `fix`: it takes `template` (or `before`, `after`), `applicability`, `title`, `becomes`, `rewritten-uses` and metavariables' transforms"),
                );
                if other == "default-keywords" || other == "fresh" || other == "each" {
                    error = error.note(
                        condition::old_spelling(other)
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
                return Err(error);
            }
        }
    }
    let Some((template, template_span)) = template else {
        return Err(loader
            .error(span, "a `fix` needs a `template`: what the match becomes")
            .note("or `before` / `after`: statements inserted before or after the matched one"));
    };
    if let (Some(span), None) = (rewritten_span, &becomes) {
        return Err(loader.error(span, "`rewritten-uses` belongs to a fix with `becomes`"));
    }
    let Some(applicability) = applicability else {
        return Err(loader.error(
            span,
            "a `fix` must say its `applicability`: \"safe\" or \"unsafe\"",
        ));
    };
    Ok(FixDef {
        span,
        template,
        template_span,
        placement,
        applicability,
        title,
        becomes,
        rewritten_uses,
        fresh,
        transforms,
    })
}

/// `X.each = { match = { pattern = …, … }, template = … }`: the rewrite of every element of a
/// `$$$` capture.
fn compile_each(
    loader: &Loader<'_>,
    metavar: &str,
    value: &Value,
    bound: &[MetavarUse],
    fresh: &[(String, String)],
    declared: Declared<'_>,
    rule_span: &Range<usize>,
) -> Result<Each, SourceError> {
    let Declared {
        modules,
        libraries,
        options,
    } = declared;
    let span_of = |v: &Value| v.span().unwrap_or_else(|| rule_span.clone());
    let Some(entries) = value.as_table() else {
        return Err(loader.error(
            span_of(value),
            "`each` takes `{ match = { … }, template = \"…\" }`",
        ));
    };
    let mut matching: Option<RuleMatch> = None;
    let mut template = None;
    for (key, item) in entries {
        match key.as_str() {
            "match" => {
                let (compiled, comment) = condition::compile_match(
                    item, modules, libraries, options,
                )
                .map_err(|error| {
                    let mut out =
                        loader.error(error.span.unwrap_or_else(|| span_of(item)), error.message);
                    if let Some(note) = error.note {
                        out = out.note(note);
                    }
                    out
                })?;
                let single_expression = matches!(comment, Reads::Nodes)
                    && matches!(&compiled.entries[..], [Entry::Pattern(p)] if p.form == Form::Expr);
                if !single_expression {
                    return Err(loader.error(
                        span_of(item),
                        "an `each.match` has one `pattern`, an expression",
                    ));
                }
                matching = Some(compiled);
            }
            "template" => {
                let Some(text) = item.as_str() else {
                    return Err(loader.error(span_of(item), "an `each.template` is a string"));
                };
                template = Some((text.to_owned(), span_of(item)));
            }
            other => {
                return Err(loader.error(
                    span_of(item),
                    format!("unknown key `{other}` in `each`: it takes `match` and `template`"),
                ));
            }
        }
    }
    let (Some(matching), Some((text, template_span))) = (matching, template) else {
        return Err(loader.error(span_of(value), "`each` needs a `match` and a `template`"));
    };
    let mut element_bound = matching.bound(0);
    element_bound.extend(bound.iter().cloned());
    let fix = Template::compile(&text, modules).map_err(|message| {
        loader
            .error(template_span.clone(), message)
            .label("in this fix")
    })?;
    if fix.form != Form::Expr || fix.is_multiline() {
        return Err(loader.error(template_span, "an `each` template is a one-line expression"));
    }
    for var in fix.metavars() {
        let known = element_bound.iter().any(|v| v.name == var.name)
            || fresh.iter().any(|(f, _)| *f == var.name);
        if !known {
            return Err(loader
                .error(
                    template_span.clone(),
                    format!(
                        "`${}` is used in the `each` template but never bound",
                        var.name
                    ),
                )
                .label("unbound metavariable"));
        }
    }
    Ok(Each {
        metavar: metavar.to_owned(),
        matching,
        fix,
    })
}

/// `X.default-keywords = ["name=value", …]`.
fn compile_default_keywords(
    loader: &Loader<'_>,
    value: &Value,
) -> Result<Vec<(String, String)>, SourceError> {
    let items: Vec<&Value> = match &value.kind {
        Kind::Array(items) => items.iter().collect(),
        _ => vec![value],
    };
    let mut keywords = Vec::new();
    for item in items {
        let span = item.span().unwrap_or_default();
        let text = item.as_str().unwrap_or_default();
        let parsed = text.split_once('=').and_then(|(name, value)| {
            let name = name.trim();
            let call = format!("f({name}={})", value.trim());
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && ruff_python_parser::parse_expression(&call).is_ok();
            valid.then(|| (name.to_owned(), value.trim().to_owned()))
        });
        let Some(keyword) = parsed else {
            return Err(loader.error(span, "a default keyword is written `name=value`"));
        };
        keywords.push(keyword);
    }
    Ok(keywords)
}
