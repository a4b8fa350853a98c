//! Reading the values of the rule language: the error a condition's value gets, what compiling
//! a table knows of the rule around it ([`Compiler`]), and the value forms condition kinds share
//! (strings, patterns, flags, regexes).

use std::ops::Range;

use rustc_hash::FxHashSet;

use super::Condition;
use super::option::OptionDecl;
use super::value::{Kind, Value};
use crate::analysis::library::Libraries;
use crate::base::lazy_regex::LazyRegex;
use crate::pattern::{MetavarUse, Pattern};

/// Why a condition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub span: Option<Range<usize>>,
    pub message: String,
    pub note: Option<String>,
}

impl CompileError {
    pub fn at(value: &Value, message: impl Into<String>) -> CompileError {
        CompileError {
            span: value.span(),
            message: message.into(),
            note: None,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> CompileError {
        self.note = Some(note.into());
        self
    }
}

/// What a condition table is tested on, as far as compiling knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One node (or an identifier a metavariable stood for).
    Node,
    /// The elements a `$$$` metavariable captured.
    List,
}

/// What compiling a table needs to know of the rule around it.
pub struct Compiler<'a> {
    /// The pack's declared modules.
    pub modules: &'a FxHashSet<String>,
    /// The options the pack declares.
    pub options: &'a [OptionDecl],
    /// The library models the pack loaded.
    pub libraries: &'a Libraries,
    /// Every metavariable a pattern of the rule binds.
    pub metavars: Vec<MetavarUse>,
    /// How a nested condition table is compiled (a relation's condition).
    pub table: CompileTable,
}

/// How a condition kind is read from its value.
pub type Parse = fn(&Value, &Compiler<'_>, Scope) -> Result<Box<dyn super::Atom>, CompileError>;

/// Compile a condition table tested on a target of a scope, skipping some keys.
pub type CompileTable =
    fn(&Value, Scope, &Compiler<'_>, &[&str]) -> Result<Condition, CompileError>;

impl Compiler<'_> {
    /// Compile a nested condition table.
    pub fn table(
        &self,
        value: &Value,
        scope: Scope,
        skip: &[&str],
    ) -> Result<Condition, CompileError> {
        (self.table)(value, scope, self, skip)
    }
}

/// The error for a node condition written on a `$$$` capture.
pub fn list_error(item: &Value, key: &str) -> CompileError {
    CompileError::at(
        item,
        format!("`{key}` tests one node, and this `$$$` metavariable captured a list"),
    )
    .note(
        "on a list, test its length with `count` or `non-empty`, and its elements with `has` \
         (some element) or `not.has` (no element)",
    )
}

/// Refuse `key` on a `$$$` capture: it tests one node.
pub fn node_only(item: &Value, key: &str, scope: Scope) -> Result<(), CompileError> {
    match scope {
        Scope::Node => Ok(()),
        Scope::List => Err(list_error(item, key)),
    }
}

/// One pattern or an array of patterns.
pub fn patterns(item: &Value) -> Result<Vec<Pattern>, CompileError> {
    strings(item, "a pattern")?
        .into_iter()
        .map(|(text, value)| {
            Pattern::parse(&text)
                .map_err(|error| CompileError::at(value, format!("invalid pattern: {error}")))
        })
        .collect()
}

/// A string, or a non-empty array of strings, each with its value.
pub fn strings<'v>(item: &'v Value, what: &str) -> Result<Vec<(String, &'v Value)>, CompileError> {
    match &item.kind {
        Kind::String(text) => Ok(vec![(text.clone(), item)]),
        Kind::Array(items) if !items.is_empty() => items
            .iter()
            .map(|value| match value.as_str() {
                Some(text) => Ok((text.to_owned(), value)),
                None => Err(CompileError::at(
                    value,
                    format!("expected {what} (a string), found {}", value.describe()),
                )),
            })
            .collect(),
        Kind::Array(_) => Err(CompileError::at(item, "the array is empty")),
        _ => Err(CompileError::at(
            item,
            format!(
                "expected {what} (a string) or an array of them, found {}",
                item.describe()
            ),
        )),
    }
}

/// `true`, the one value of a flag condition (`non-empty = true`); write `not` for the opposite.
pub fn flag(item: &Value, key: &str) -> Result<(), CompileError> {
    match item.kind {
        Kind::Bool(true) => Ok(()),
        Kind::Bool(false) => Err(CompileError::at(
            item,
            format!("`{key} = false` is written `not.{key} = true`"),
        )),
        _ => Err(CompileError::at(
            item,
            format!("`{key}` takes `true`, found {}", item.describe()),
        )),
    }
}

/// A regular expression.
pub fn regex(item: &Value) -> Result<LazyRegex, CompileError> {
    let Some(text) = item.as_str() else {
        return Err(CompileError::at(
            item,
            format!(
                "expected a regular expression (a string), found {}",
                item.describe()
            ),
        ));
    };
    LazyRegex::new(text).map_err(|error| CompileError::at(item, format!("invalid regex: {error}")))
}

/// Every metavariable (with whether it is `$$$`) the `pattern` keys of a table and its nested
/// tables bind, whatever condition they sit in: the names an uppercase key may test.
pub fn metavars_in(value: &Value, found: &mut Vec<MetavarUse>) {
    let Some(entries) = value.as_table() else {
        if let Kind::Array(items) = &value.kind {
            for item in items {
                metavars_in(item, found);
            }
        }
        return;
    };
    for (key, item) in entries {
        if key == "pattern" {
            let texts = match &item.kind {
                Kind::String(text) => vec![text.as_str()],
                Kind::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for text in texts {
                let Ok(pattern) = Pattern::parse(text) else {
                    continue;
                };
                for metavar in pattern.metavars() {
                    if !found.iter().any(|m| m.name == metavar.name) {
                        found.push(metavar);
                    }
                }
            }
        } else {
            metavars_in(item, found);
        }
    }
}
