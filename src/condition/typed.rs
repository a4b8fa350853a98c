//! The conditions on typed values: what the pack's library models say a value is and has (see
//! [`types`](crate::analysis::types) for how a value's type is known).
//!
//! - `type = "pkg.Class"` (or a list; `"pkg.*"` for any class of a model whose names start so):
//!   the node is an expression whose value is known to be an instance of one of these classes.
//! - `unknown-attribute = true`: the node is an attribute read, `value.name`, where `value` is
//!   known to be an instance of a model's class that has no public member `name` at the project's
//!   version of that library (the newest the model covers when the project declares none; a
//!   version older than the model's oldest is not judged). Private names count as missing: the
//!   model lists the public API. Dunder names are never judged, and neither are the classes the
//!   model marks open (their members may not all be listed).
//! - `unknown-name = true`: the node names something in a modelled library that does not exist at
//!   the project's version of it: a name or attribute chain that resolves through the file's
//!   imports (`pkg.missing`, `pkg.sub.Missing`), or a name a `from pkg import …` takes (its
//!   `Alias`). Only a module's public names are judged.

use ruff_python_ast::{AnyNodeRef, ExprContext};
use rustc_hash::FxHashSet;

use super::needs::{Needle, Needs};
use super::read::{CompileError, Compiler, Scope, flag, node_only, strings};
use super::value::Value;
use super::{Atom, Context, Target};
use crate::analysis::types::TypeContext;
use crate::pattern::matcher::Env;

/// One class name of `type`, or a prefix ending in `.*`.
#[derive(Debug)]
enum ClassName {
    Exact(String),
    Prefix(String),
}

#[derive(Debug)]
struct TypeIs {
    classes: Vec<ClassName>,
    /// The names of the libraries whose modules values get their types from.
    libraries: Vec<String>,
}

/// A value has a known type only where the file uses a library a model describes: it spells
/// one of their names.
fn library_needs(libraries: &[String]) -> Needs {
    Needs::file(vec![
        libraries
            .iter()
            .map(|name| Needle::of(name.clone()))
            .collect(),
    ])
}

/// The names of the libraries whose models have modules (a model of classes alone gives no value
/// a type by itself).
fn named_libraries(cx: &Compiler<'_>) -> Vec<String> {
    cx.libraries
        .0
        .iter()
        .filter(|library| !library.modules.is_empty())
        .map(|library| library.name.clone())
        .collect()
}

/// Read `key = true`, a kind tested on one node that the pack's models decide: the libraries a
/// file must spell for it to hold there.
fn model_flag(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
    key: &str,
) -> Result<Vec<String>, CompileError> {
    node_only(item, key, scope)?;
    flag(item, key)?;
    Ok(named_libraries(cx))
}

pub(super) fn parse_type(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "type", scope)?;
    let mut classes = Vec::new();
    for (name, value) in strings(item, "a class name")? {
        let class = match name.strip_suffix(".*") {
            Some(prefix) => ClassName::Prefix(format!("{prefix}.")),
            None => ClassName::Exact(name.clone()),
        };
        let known = match &class {
            ClassName::Exact(name) => cx.libraries.class(name).is_some(),
            ClassName::Prefix(prefix) => cx.libraries.0.iter().any(|library| {
                library
                    .classes
                    .keys()
                    .any(|class| class.starts_with(prefix.as_str()))
            }),
        };
        if !known {
            return Err(CompileError::at(
                value,
                format!("no library model the pack loads has a class `{name}`"),
            )
            .note("name the model in `[pack] libraries`, and the class as the model spells it"));
        }
        classes.push(class);
    }
    Ok(Box::new(TypeIs {
        classes,
        libraries: named_libraries(cx),
    }))
}

/// The type context of a condition context.
pub(super) fn type_context<'a, 't>(cx: &'a Context<'_, 't, '_>) -> TypeContext<'a, 't> {
    TypeContext {
        semantic: cx.semantic,
        assignments: cx.assignments,
        module: cx.module,
        libraries: cx.libraries,
    }
}

impl Atom for TypeIs {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(expr) = target.node().and_then(|node| node.as_expr_ref()) else {
            return false;
        };
        let ancestors = target.ancestors();
        let Some(found) = cx.types.of(&type_context(cx), expr, &ancestors) else {
            return false;
        };
        let Some(class) = found.instance() else {
            return false;
        };
        self.classes.iter().any(|name| match name {
            ClassName::Exact(name) => name == class,
            ClassName::Prefix(prefix) => class.starts_with(prefix.as_str()),
        })
    }

    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        library_needs(&self.libraries)
    }

    /// Working out a type may scan a scope: it is tested once the match is whole, after the
    /// conditions tested while matching have pruned it.
    fn alone(&self) -> bool {
        false
    }
}

#[derive(Debug)]
struct UnknownAttribute {
    libraries: Vec<String>,
}

pub(super) fn parse_unknown_attribute(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    Ok(Box::new(UnknownAttribute {
        libraries: model_flag(item, cx, scope, "unknown-attribute")?,
    }))
}

impl Atom for UnknownAttribute {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(AnyNodeRef::ExprAttribute(attribute)) = target.node() else {
            return false;
        };
        if attribute.ctx != ExprContext::Load {
            return false;
        }
        let ancestors = target.ancestors();
        let Some(found) = cx
            .types
            .of(&type_context(cx), &*attribute.value, &ancestors)
        else {
            return false;
        };
        found.instance().is_some_and(|class| {
            cx.libraries
                .lacks(class, attribute.attr.as_str(), cx.versions)
        })
    }

    /// As `type`: tested once the match is whole.
    fn alone(&self) -> bool {
        false
    }

    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        library_needs(&self.libraries)
    }
}

#[derive(Debug)]
struct UnknownName {
    libraries: Vec<String>,
}

pub(super) fn parse_unknown_name(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    Ok(Box::new(UnknownName {
        libraries: model_flag(item, cx, scope, "unknown-name")?,
    }))
}

impl Atom for UnknownName {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let qualified = match target.node() {
            Some(AnyNodeRef::Alias(alias)) => {
                let ancestors = target.ancestors();
                let Some(AnyNodeRef::StmtImportFrom(import)) = ancestors.last() else {
                    return false;
                };
                let Some(module) = import.module.as_ref().filter(|_| import.level == 0) else {
                    return false;
                };
                format!("{}.{}", module.as_str(), alias.name.as_str())
            }
            Some(node @ (AnyNodeRef::ExprAttribute(_) | AnyNodeRef::ExprName(_))) => {
                let Some(name) = cx.semantic.qualified_name(node) else {
                    return false;
                };
                name
            }
            _ => return false,
        };
        let Some(library) = cx.libraries.owning(&qualified) else {
            return false;
        };
        library
            .version_in(cx.versions)
            .is_some_and(|version| library.lacks_name(&qualified, version))
    }

    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        library_needs(&self.libraries)
    }
}
