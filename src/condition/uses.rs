//! The condition on where a value goes.
//!
//! `uses = { every = C }` (or `some`, or `none`) holds when the subject is an expression and the
//! places its value ends up used all satisfy `C` (one does; none does). The value is followed
//! through the plain names and instance attributes it is assigned to, the callers of a function
//! returning it and the parameters of the file's functions it is passed to
//! ([`uses_of`](crate::analysis::uses::uses_of)); each place it stops is a use, and `C` is tested
//! on the node the value is read in there (an attribute read, a call it is passed to, an
//! unpacking assignment, the expression statement that drops it, …). A value followed too far
//! satisfies none of them.

use ruff_python_ast::AnyNodeRef;

use super::read::{CompileError, Compiler, Scope, node_only};
use super::value::Value;
use super::{Atom, Condition, Context, Target};
use crate::analysis::uses::uses_of;
use crate::pattern::MetavarUse;
use crate::pattern::matcher::Env;

/// How many of the uses must satisfy the condition.
#[derive(Debug, Clone, Copy)]
enum Quantifier {
    Every,
    Some,
    None,
}

#[derive(Debug)]
struct Uses {
    quantifier: Quantifier,
    condition: Condition,
}

const QUANTIFIERS: [(&str, Quantifier); 3] = [
    ("every", Quantifier::Every),
    ("some", Quantifier::Some),
    ("none", Quantifier::None),
];

pub(super) fn parse(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "uses", scope)?;
    let entries = match item.as_table() {
        Some([(key, inner)]) => Some((key, inner)),
        _ => None,
    };
    let Some((key, inner)) = entries else {
        return Err(CompileError::at(
            item,
            "`uses` takes one of `every`, `some` or `none`, with a condition: `uses.every = { kind = \"Subscript\" }`",
        ));
    };
    let Some(&(_, quantifier)) = QUANTIFIERS.iter().find(|(name, _)| name == key) else {
        return Err(CompileError::at(
            inner,
            format!("`uses.{key}`: `uses` takes `every`, `some` or `none`"),
        ));
    };
    Ok(Box::new(Uses {
        quantifier,
        condition: cx.table(inner, Scope::Node, &[])?,
    }))
}

impl Atom for Uses {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(expr) = target.node().and_then(AnyNodeRef::as_expr_ref) else {
            return false;
        };
        let ancestors = target.ancestors();
        let Some(uses) = uses_of(cx.module, expr, &ancestors) else {
            return false;
        };
        let mut satisfied = uses.iter().map(|used| {
            let Some((parent, outer)) = used.ancestors.split_last() else {
                return false;
            };
            let at = Target::at(*parent, outer);
            self.condition.holds(cx, &at, &mut env.clone())
        });
        match self.quantifier {
            Quantifier::Every => satisfied.all(|holds| holds),
            Quantifier::Some => satisfied.any(|holds| holds),
            Quantifier::None => !satisfied.any(|holds| holds),
        }
    }

    /// What the uses satisfy binds nothing outside them.
    fn binds(&self) -> Vec<MetavarUse> {
        Vec::new()
    }

    /// Following a value may scan a scope: tested once the match is whole.
    fn alone(&self) -> bool {
        false
    }
}
