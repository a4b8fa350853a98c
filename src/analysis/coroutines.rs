//! Which callees are coroutine functions, and which values are coroutine objects.
//!
//! A callee is a coroutine function when it is:
//!
//! - a name whose only binding in its scope is an `async def` of the file with no decorator (a
//!   decorator may return anything) and no `yield` (which makes it an asynchronous generator
//!   function);
//! - a name or attribute chain that resolves through the file's imports to a coroutine function
//!   of a library model, or of a module of the project ([`project`](super::project): a name the
//!   file imports, `from .impl import fetch` or `import pkg.impl` and `pkg.impl.fetch`, that the
//!   module defines as an undecorated `async def` or imports in turn);
//! - a method the model gives as a coroutine function, of a value whose model class is known
//!   ([`types`](super::types)).
//!
//! A value is a coroutine object when it is a call of a coroutine function, or a name every
//! binding of which in its scope assigns one. Without the project (one text checked alone), only
//! the file and the models tell.

use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{Alias, AnyNodeRef, Expr, ExprRef, Stmt};

use super::assignments::Sources;
use super::library::{EntryKind, Libraries, Resolved};
use super::project::{InProject, Relative, What};
use super::types::{Type, TypeContext, Types};

/// How many names a value is followed through before it is not known.
const MAX_DEPTH: u32 = 8;

/// What the answers are worked out from: the file, its types, the models and the project.
#[derive(Clone, Copy)]
pub struct CoroutineContext<'a, 't> {
    pub file: TypeContext<'a, 't>,
    pub types: &'a Types,
    /// The file's place in the run's project; `None` for a text checked alone.
    pub project: Option<InProject<'a>>,
}

/// Whether `callee`, whose enclosing nodes are `ancestors` (outermost first), is known to be a
/// coroutine function.
pub fn is_coroutine_function<'t>(
    cx: &CoroutineContext<'_, 't>,
    callee: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
) -> bool {
    let file = &cx.file;
    if let Some(qualified) = file.semantic.qualified_name(AnyNodeRef::from(callee)) {
        return names_coroutine_function(cx, &qualified);
    }
    match callee {
        ExprRef::Name(name) => {
            if !file
                .assignments
                .async_or_imported(name.id.as_str(), file.module)
            {
                return false;
            }
            let sources = file
                .assignments
                .sources(name.id.as_str(), ancestors, file.module);
            let found = &sources.found;
            match (&found.defs[..], &found.imports[..]) {
                ([def], []) if defs_and_imports_alone(&sources) => {
                    def.is_async && def.decorator_list.is_empty() && !yields(&def.body)
                }
                ([], [_, ..]) => imported(cx, &sources)
                    .is_some_and(|qualified| names_coroutine_function(cx, &qualified)),
                _ => false,
            }
        }
        ExprRef::Attribute(attribute) => {
            let method = attribute.attr.as_str();
            let libraries = &file.libraries.0;
            if libraries.iter().any(|l| l.has_coroutine_method(method))
                && let Some(Type::Instance(class)) = cx.types.of(file, &*attribute.value, ancestors)
            {
                return file.libraries.class(&class).is_some_and(|(_, model)| {
                    model
                        .members
                        .get(method)
                        .is_some_and(|member| is_coroutine_kind(&member.kind))
                });
            }
            let mut chain = vec![attribute.attr.as_str()];
            let mut value = &*attribute.value;
            while let Expr::Attribute(outer) = value {
                chain.push(outer.attr.as_str());
                value = &*outer.value;
            }
            let Expr::Name(root) = value else {
                return false;
            };
            if !file
                .assignments
                .async_or_imported(root.id.as_str(), file.module)
            {
                return false;
            }
            let sources = file
                .assignments
                .sources(root.id.as_str(), ancestors, file.module);
            let Some(mut qualified) = imported(cx, &sources) else {
                return false;
            };
            for attribute in chain.iter().rev() {
                qualified.push('.');
                qualified.push_str(attribute);
            }
            names_coroutine_function(cx, &qualified)
        }
        _ => false,
    }
}

/// Whether a function whose body is `body` yields: an `async def` that does is an asynchronous
/// generator function, whose call makes no coroutine.
fn yields(body: &[Stmt]) -> bool {
    let mut finder = Yields(false);
    finder.visit_body(body);
    finder.0
}

/// Finds a `yield` of one function's own body (not of functions, lambdas or classes inside it).
struct Yields(bool);

impl<'t> SourceOrderVisitor<'t> for Yields {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            _ if self.0 => {}
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        match expr {
            Expr::Yield(_) | Expr::YieldFrom(_) => self.0 = true,
            Expr::Lambda(_) => {}
            _ if self.0 => {}
            _ => source_order::walk_expr(self, expr),
        }
    }
}

/// Whether `value`, whose enclosing nodes are `ancestors`, is known to be a coroutine object: a
/// call of a coroutine function, or a name every binding of which assigns one.
pub fn is_coroutine<'t>(
    cx: &CoroutineContext<'_, 't>,
    value: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
) -> bool {
    is_coroutine_within(cx, value, ancestors, 0)
}

fn is_coroutine_within<'t>(
    cx: &CoroutineContext<'_, 't>,
    value: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
    depth: u32,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        ExprRef::Call(call) => is_coroutine_function(cx, (&*call.func).into(), ancestors),
        ExprRef::Named(named) => {
            is_coroutine_within(cx, (&*named.value).into(), ancestors, depth + 1)
        }
        ExprRef::Name(name) => {
            let file = &cx.file;
            if file.semantic.qualify(AnyNodeRef::from(value)).is_some() {
                return false;
            }
            let sources = file
                .assignments
                .sources(name.id.as_str(), ancestors, file.module);
            let found = &sources.found;
            if sources.parameter.is_some()
                || found.bound_otherwise()
                || !found.defs.is_empty()
                || !found.entered.is_empty()
                || found.values.is_empty()
            {
                return false;
            }
            let scope = &ancestors[..sources.function.map_or(0, |index| index + 1)];
            found
                .values
                .iter()
                .all(|value| is_coroutine_within(cx, (*value).into(), scope, depth + 1))
        }
        _ => false,
    }
}

/// Whether nothing but `def`s and imports binds the name of `sources` in its scope (no parameter,
/// assignment, annotation, `with … as` or other binding).
fn defs_and_imports_alone(sources: &Sources<'_>) -> bool {
    let found = &sources.found;
    sources.parameter.is_none()
        && !found.other
        && found.values.is_empty()
        && found.entered.is_empty()
        && found.annotations.is_empty()
}

/// The absolute dotted name the imports binding a name give it, when imports alone bind it and
/// agree (`import pkg.a` and `import pkg.b` both bind `pkg`).
fn imported(cx: &CoroutineContext<'_, '_>, sources: &Sources<'_>) -> Option<String> {
    let found = &sources.found;
    if !defs_and_imports_alone(sources) || !found.defs.is_empty() {
        return None;
    }
    let mut names = found
        .imports
        .iter()
        .map(|(statement, alias)| import_binds(cx, statement, alias));
    let first = names.next()??;
    names
        .all(|name| name.as_ref() == Some(&first))
        .then_some(first)
}

/// The absolute dotted name one import binds (`from .impl import fetch` in `pkg.api`:
/// `pkg.impl.fetch`; `import a.b as m`: `a.b`; `import a.b`: `a`). A relative import needs the
/// file's place in the project.
fn import_binds(cx: &CoroutineContext<'_, '_>, statement: &Stmt, alias: &Alias) -> Option<String> {
    match statement {
        Stmt::Import(_) => Some(match &alias.asname {
            Some(_) => alias.name.to_string(),
            None => alias.name.split('.').next()?.to_owned(),
        }),
        Stmt::ImportFrom(from) => {
            let relative = Relative {
                level: from.level,
                module: from
                    .module
                    .as_ref()
                    .map_or_else(String::new, |m| m.to_string()),
            };
            let base = match cx.project {
                Some(project) => project.absolute(&relative)?,
                None if relative.level == 0 => relative.module,
                None => return None,
            };
            Some(format!("{base}.{}", alias.name))
        }
        _ => None,
    }
}

/// Whether the absolute dotted name `qualified` names a coroutine function of the project or of a
/// library model.
fn names_coroutine_function(cx: &CoroutineContext<'_, '_>, qualified: &str) -> bool {
    let Some(project) = cx.project else {
        return modelled_coroutine(cx.file.libraries, qualified);
    };
    match project.project.what(qualified) {
        What::Coroutine => true,
        What::Outside(name) => modelled_coroutine(cx.file.libraries, &name),
        What::Module(_) | What::Unknown => false,
    }
}

/// Whether a library model gives `qualified` as a coroutine function.
fn modelled_coroutine(libraries: &Libraries, qualified: &str) -> bool {
    libraries
        .owning(qualified)
        .and_then(|library| library.resolve(qualified))
        .is_some_and(|resolved| match resolved {
            Resolved::Entry(entry) => is_coroutine_kind(&entry.kind),
            Resolved::Module(_) => false,
        })
}

fn is_coroutine_kind(kind: &EntryKind) -> bool {
    matches!(
        kind,
        EntryKind::Callable {
            coroutine: true,
            ..
        }
    )
}
