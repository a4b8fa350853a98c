//! `keyword`: a call passes a keyword argument. `keyword = "name"` (or a list: one of them) asks
//! for that name; `keyword = true` for any keyword argument, `**mapping` included. Under `not`,
//! the call lacks it. A node that is not a call does not match.

use ruff_python_ast::AnyNodeRef;
use rustc_hash::FxHashSet;

use super::needs::{Needle, Needs};
use super::read::{CompileError, Compiler, Scope, node_only, strings};
use super::value::{Kind, Value};
use super::{Atom, Context, Subject, Target};
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct Passes {
    /// The names asked for; empty for any keyword argument.
    names: Vec<String>,
}

pub(super) fn parse(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "keyword", scope)?;
    let names = match &item.kind {
        Kind::Bool(true) => Vec::new(),
        Kind::Bool(false) => {
            return Err(CompileError::at(
                item,
                "`keyword = false` is written `not.keyword = true`",
            ));
        }
        _ => strings(item, "a keyword name")?
            .into_iter()
            .map(|(name, value)| {
                let valid = name
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_alphanumeric() || c == '_');
                if valid {
                    Ok(name)
                } else {
                    Err(CompileError::at(
                        value,
                        format!("`{name}` is not a keyword name"),
                    ))
                }
            })
            .collect::<Result<_, _>>()?,
    };
    Ok(Box::new(Passes { names }))
}

impl Atom for Passes {
    fn holds<'r, 't>(
        &'r self,
        _cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Subject::Node(AnyNodeRef::ExprCall(call)) = target.subject else {
            return false;
        };
        let keywords = &call.arguments.keywords;
        if self.names.is_empty() {
            return !keywords.is_empty();
        }
        keywords.iter().any(|keyword| {
            keyword
                .arg
                .as_ref()
                .is_some_and(|arg| self.names.iter().any(|name| name == arg.as_str()))
        })
    }

    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        if self.names.is_empty() {
            return Needs::nothing();
        }
        Needs::file(
            self.names
                .iter()
                .map(|name| vec![Needle::of(name.clone())])
                .collect(),
        )
    }
}
