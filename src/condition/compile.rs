//! Compiling a condition table ([`Value`]) into a [`Condition`], and a rule's `match` table into a
//! [`RuleMatch`]. Every error carries the span of the key or value at fault.

use rustc_hash::FxHashSet;

use super::option::OptionDecl;
pub use super::read::{CompileError, Compiler, Scope};
use super::read::{Parse, list_error, metavars_in, patterns, regex};
use super::setting::{self, SettingMatch};
use super::value::{Kind, Value};
use super::{
    CaptureCondition, Condition, Entry, RuleMatch, arguments, binding, coroutine, count, keyword,
    kind, names, path, position, project, regex as regex_atom, relation, typed, uses,
};
use crate::analysis::library::Libraries;
use crate::base::lazy_regex::LazyRegex;

/// Every condition kind by its key, the relations aside ([`relation::KINDS`]). Adding a kind is a
/// file of its own and a line here.
const ATOMS: &[(&str, Parse)] = &[
    ("kind", kind::parse),
    ("regex", regex_atom::parse),
    ("keyword", keyword::parse),
    ("count", count::parse_count),
    ("non-empty", count::parse_non_empty),
    ("bound-to", binding::parse_bound_to),
    ("unbound", binding::parse_unbound),
    ("in-async-function", position::parse),
    ("imports", project::parse_imports),
    ("versions", project::parse_versions),
    ("qualified", names::parse_qualified),
    ("string", names::parse_string),
    ("type", typed::parse_type),
    ("unknown-attribute", typed::parse_unknown_attribute),
    ("unknown-name", typed::parse_unknown_name),
    ("unimported-submodule", typed::parse_unimported_submodule),
    ("wrong-arguments", arguments::parse),
    ("uses", uses::parse),
    ("path", path::parse_path),
    ("leaves", path::parse_leaves),
    ("coroutine-function", coroutine::parse_function),
    ("coroutine", coroutine::parse_object),
];

/// The keys a condition table may hold besides the condition kinds.
const COMBINATORS: &[&str] = &["all", "any", "not", "pattern"];

/// Whether `key` names a metavariable (`ARGS`, `_X1`).
pub fn is_metavar_key(key: &str) -> bool {
    key.chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Compile one condition table tested on a target of `scope`. Keys other than `skip` are read.
pub fn compile_table(
    value: &Value,
    scope: Scope,
    cx: &Compiler<'_>,
    skip: &[&str],
) -> Result<Condition, CompileError> {
    let Some(entries) = value.as_table() else {
        return Err(CompileError::at(
            value,
            format!("a condition is a table, not {}", value.describe()),
        )
        .note("write `{ pattern = \"…\" }`, `{ kind = \"Call\" }`, …"));
    };
    let mut conditions = Vec::new();
    let mut captures = Vec::new();
    for (key, item) in entries {
        if skip.contains(&key.as_str()) {
            continue;
        }
        if is_metavar_key(key) {
            captures.push(compile_capture(key, item, cx)?);
            continue;
        }
        let condition = match key.as_str() {
            "all" | "any" => {
                let Kind::Array(items) = &item.kind else {
                    return Err(CompileError::at(
                        item,
                        format!("`{key}` takes an array of condition tables"),
                    ));
                };
                let compiled = items
                    .iter()
                    .map(|item| compile_table(item, scope, cx, &[]))
                    .collect::<Result<Vec<_>, _>>()?;
                if compiled.is_empty() {
                    return Err(CompileError::at(item, format!("`{key}` is empty")));
                }
                if key == "all" {
                    Condition::All(compiled)
                } else {
                    Condition::Any(compiled)
                }
            }
            "not" => Condition::Not(Box::new(compile_table(item, scope, cx, &[])?)),
            "pattern" => {
                if scope == Scope::List {
                    return Err(list_error(item, "pattern"));
                }
                Condition::Pattern(patterns(item)?)
            }
            other => {
                let known = ATOMS.iter().chain(&relation::KINDS);
                let Some((_, parse)) = known.into_iter().find(|(name, _)| *name == other) else {
                    return Err(unknown_key(item, other));
                };
                Condition::Atom(parse(item, cx, scope)?)
            }
        };
        conditions.push(condition);
    }
    // Conditions on captures come last: they may read what the others bound.
    conditions.extend(captures);
    Ok(match conditions.len() {
        1 => conditions.pop().expect("one"),
        _ => Condition::All(conditions),
    })
}

fn compile_capture(key: &str, item: &Value, cx: &Compiler<'_>) -> Result<Condition, CompileError> {
    let Some(metavar) = cx.metavars.iter().find(|m| m.name == key) else {
        return Err(CompileError::at(
            item,
            format!("`{key}` is not a metavariable a pattern of this rule binds"),
        )
        .note(
            "an uppercase key tests what that metavariable captured; \
             condition kinds are lowercase (`kind`, `regex`, `has`, …)",
        ));
    };
    let scope = if metavar.variadic {
        Scope::List
    } else {
        Scope::Node
    };
    let condition = compile_table(item, scope, cx, &[])?;
    let alone = condition.alone();
    Ok(Condition::Capture(Box::new(CaptureCondition {
        metavar: key.to_owned(),
        condition,
        alone,
    })))
}

/// The error for a key that is no condition.
fn unknown_key(item: &Value, key: &str) -> CompileError {
    let mut known: Vec<&str> = COMBINATORS.to_vec();
    known.extend(ATOMS.iter().chain(&relation::KINDS).map(|(name, _)| *name));
    let error = CompileError::at(item, format!("unknown condition `{key}`"));
    match old_spelling(key) {
        Some(new) => error.note(new),
        None => error.note(format!(
            "conditions are {}, or an uppercase metavariable name",
            known.join(", ")
        )),
    }
}

/// What a rule reads: the nodes its entries match, comments, or configuration files' entries.
#[derive(Debug)]
pub enum Reads {
    Nodes,
    /// Each comment the regex matches.
    Comments(LazyRegex),
    /// The entries of configuration files (`ini`, `toml`).
    Settings(SettingMatch),
}

/// Compile a rule's `match` table. Its `pattern`s, else its `kind`, are what the walk tries;
/// the rest is tested where one matched. A `comment` regex makes a rule that reports comments;
/// `ini` or `toml` tables one that reports keys of configuration files.
pub fn compile_match(
    value: &Value,
    modules: &FxHashSet<String>,
    libraries: &Libraries,
    options: &[OptionDecl],
) -> Result<(RuleMatch, Reads), CompileError> {
    let Some(entries) = value.as_table() else {
        return Err(CompileError::at(
            value,
            format!("`match` is a table, not {}", value.describe()),
        )
        .note("write `match.pattern = \"…\"`"));
    };
    let mut metavars = Vec::new();
    metavars_in(value, &mut metavars);
    let cx = Compiler {
        modules,
        options,
        libraries,
        metavars,
        table: compile_table,
    };
    let find = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    if let Some(settings) = setting::compile(entries)? {
        let formats = setting::FORMATS.map(|(key, _)| key);
        let own = entries
            .iter()
            .filter(|(key, _)| formats.contains(&key.as_str()))
            .count();
        let rest = if entries.len() > own {
            compile_table(value, Scope::Node, &cx, &formats)?
        } else {
            Condition::All(Vec::new())
        };
        if !of_the_project(&rest) {
            let (key, item) = entries
                .iter()
                .find(|(key, _)| !formats.contains(&key.as_str()))
                .expect("a key beside `ini` and `toml`");
            return Err(CompileError::at(
                item,
                format!(
                    "`{key}` cannot stand beside `ini` or `toml`: a rule over configuration files \
                     holds its `ini` and `toml` tables, and conditions on the project's \
                     `versions` only"
                ),
            ));
        }
        return Ok((
            RuleMatch {
                entries: Vec::new(),
                rest,
            },
            Reads::Settings(settings),
        ));
    }
    if let Some(comment) = find("comment") {
        let regex = regex(comment)?;
        let rest = compile_table(value, Scope::Node, &cx, &["comment"]);
        let rest = match rest {
            Ok(rest) => rest,
            // A table holding only `comment` is an empty `all`.
            Err(_) if entries.len() == 1 => Condition::All(Vec::new()),
            Err(error) => return Err(error),
        };
        if !of_the_file(&rest) {
            return Err(CompileError::at(
                comment,
                "a comment rule's `match` holds its `comment` regex and conditions on the file \
                 only (`imports`, `versions`)",
            ));
        }
        return Ok((
            RuleMatch {
                entries: Vec::new(),
                rest,
            },
            Reads::Comments(regex),
        ));
    }
    let (entries, skip) = if let Some(item) = find("pattern") {
        let entries = patterns(item)?.into_iter().map(Entry::Pattern).collect();
        (entries, &["pattern"][..])
    } else if let Some(item) = find("kind") {
        // The rest tests `kind` again: an `Async…` kind's entry is its plain node kind.
        (vec![Entry::Kinds(kind::node_kinds(item)?)], &[][..])
    } else {
        return Err(CompileError::at(
            value,
            "a rule's `match` needs a `pattern` (or a `kind`): what the walk tries at each node",
        )
        .note("conditions beside it are tested where it matched"));
    };
    let rest = if value.as_table().is_some_and(|t| t.len() > skip.len()) {
        compile_table(value, Scope::Node, &cx, skip)?
    } else {
        Condition::All(Vec::new())
    };
    Ok((RuleMatch { entries, rest }, Reads::Nodes))
}

/// Whether a condition tests only the file.
fn of_the_file(condition: &Condition) -> bool {
    match condition {
        Condition::All(conditions) | Condition::Any(conditions) => {
            conditions.iter().all(of_the_file)
        }
        Condition::Not(condition) => of_the_file(condition),
        Condition::Atom(atom) => atom.of_the_file(),
        Condition::Pattern(_) | Condition::Capture(_) => false,
    }
}

/// Whether a condition tests only the project's versions.
fn of_the_project(condition: &Condition) -> bool {
    match condition {
        Condition::All(conditions) | Condition::Any(conditions) => {
            conditions.iter().all(of_the_project)
        }
        Condition::Not(condition) => of_the_project(condition),
        Condition::Atom(atom) => atom.versions().is_some(),
        Condition::Pattern(_) | Condition::Capture(_) => false,
    }
}

/// How a key of the rule language's first form is written now, for the error that meets it.
pub fn old_spelling(key: &str) -> Option<&'static str> {
    Some(match key {
        "where" => {
            "conditions on a metavariable sit in `match` under its name: `where.X = { kind = … }` \
             is `match.X = { kind = … }`"
        }
        "not-inside" => "`not-inside = P` is `not.inside.pattern = P`",
        "not-kind" => "`not-kind = K` is `not.kind = K`",
        "not-pattern" => "`not-pattern = P` is `not.pattern = P`",
        "not-regex" => {
            "`not-regex = R` is `not.regex = R`; a regex tests a name's spelling only: test a \
             call's keywords with `keyword`, a list with `non-empty` or `has`"
        }
        "positional-only" => {
            "`positional-only = true` is `not.has = { kind = \"Keyword\", within = \"children\" }`"
        }
        "role" => {
            "`role = \"decorator\"` is `inside = { kind = \"Decorator\", within = \"parent\" }`; \
             `role = \"except-type\"` is an `any` of `inside = { kind = \"ExceptHandler\", within = \
             \"parent\" }` and the same through a `Tuple`"
        }
        "statement-position" => {
            "`statement-position = true` is `match.kind = \"Expr\"` (an expression statement) with \
             the expression's pattern under `match.has = { pattern = …, within = \"children\" }`"
        }
        "in-async-function" => {
            "`in-async-function` is a condition: `match.in-async-function = true`"
        }
        "when-imported" => "`when-imported = [M]` is `match.imports = [M]`",
        "requires" => "`requires = { lib = S }` is `match.versions = { lib = S }`",
        "inside" => "`inside = P` is `match.inside.pattern = P`",
        "not" => "`not = P` is `match.not.pattern = P`",
        "pattern" => "`pattern = P` is `match.pattern = P`",
        "comment" => "`comment = R` is `match.comment = R`",
        "applicability" => "`applicability` sits in the fix: `fix.applicability`",
        "fix-title" => "`fix-title` is `fix.title`",
        "default-keywords" => {
            "`default-keywords = [K]` is a transform of the `$$$` metavariable holding the \
             call's keywords: `fix.KW.default-keywords = [K]`"
        }
        "fresh" => "`fresh = { X = \"name\" }` is `fix.X.fresh = \"name\"`",
        "each" => {
            "`each.X = { pattern, fix, where }` is `fix.X.each = { match = { pattern = …, … }, \
             template = … }`"
        }
        _ => return None,
    })
}
