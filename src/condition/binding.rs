//! The conditions on what a name is bound to.
//!
//! - `bound-to = P` (or a list of patterns): the node is a name, and every value assigned to it in
//!   the scope that binds it (the enclosing functions', else the module's) matches one of the
//!   patterns. A name bound some other way (a parameter, a `for` target, an import) is not. The
//!   node may also be an attribute of a method's instance (`self.ready`): every value the methods
//!   of its class assign to `self.ready`, and the class body to `ready`, must match.
//! - `unbound = true`: the node is a name that nothing binds where it is used, and one that an
//!   import of a declared module would bind (a module's name no longer imported: a `NameError`).

use ruff_python_ast::AnyNodeRef;
use rustc_hash::FxHashSet;

use super::needs::{self, Needs};
use super::read::{CompileError, Compiler, Scope, flag, node_only, patterns};
use super::value::Value;
use super::{Atom, Context, Target, matches_at};
use crate::analysis::semantic::Resolution;
use crate::pattern::Pattern;
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct BoundTo {
    patterns: Vec<Pattern>,
}

pub(super) fn parse_bound_to(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "bound-to", scope)?;
    Ok(Box::new(BoundTo {
        patterns: patterns(item)?,
    }))
}

impl Atom for BoundTo {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let ancestors = target.ancestors();
        let values = match target.node() {
            Some(AnyNodeRef::ExprName(name)) => {
                cx.assignments
                    .assigned_values(name.id.as_str(), &ancestors, cx.module)
            }
            Some(AnyNodeRef::ExprAttribute(attribute)) => match &*attribute.value {
                ruff_python_ast::Expr::Name(instance) => cx.assignments.assigned_attribute_values(
                    instance.id.as_str(),
                    attribute.attr.as_str(),
                    &ancestors,
                ),
                _ => None,
            },
            _ => None,
        };
        let Some(values) = values else {
            return false;
        };
        values.into_iter().all(|value| {
            self.patterns.iter().any(|pattern| {
                matches_at(
                    &cx.matcher(pattern, None),
                    pattern,
                    value.into(),
                    &mut env.clone(),
                )
            })
        })
    }

    /// The file holds one of the values: a pattern's identifiers.
    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        Needs::file(self.patterns.iter().map(needs::identifiers).collect())
    }

    fn alone(&self) -> bool {
        self.patterns.iter().all(|p| p.metavars().is_empty())
    }
}

#[derive(Debug)]
struct Unbound;

pub(super) fn parse_unbound(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "unbound", scope)?;
    flag(item, "unbound")?;
    Ok(Box::new(Unbound))
}

impl Atom for Unbound {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(AnyNodeRef::ExprName(name)) = target.node() else {
            return false;
        };
        cx.semantic.is_tracked(name.id.as_str())
            && cx.semantic.resolve_name(name) == Resolution::Unbound
    }
}
