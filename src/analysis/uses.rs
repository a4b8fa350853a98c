//! Where a value goes, and whether every place it goes to suits a class of a library model.
//!
//! A fix that turns a value into an instance of another class (`fix.becomes`) must not leave a
//! use behind that the new class does not support. [`unsupported_use`] follows the value of an
//! expression to its uses:
//!
//! - the expression itself (`make().attribute`);
//! - a plain name it is assigned to: every read of that name in the scope that binds it,
//!   functions nested in that scope included unless they bind the name themselves;
//! - an attribute of a method's instance it is assigned to (`self.ready = …`): every read of
//!   that attribute of the instance in every method of the class;
//! - the name `with … as name` binds it (or what the class's `__enter__` / `__aenter__` gives);
//! - a function returning it: the calls of that function by its name where it is defined (a
//!   method's callers are not followed);
//! - an argument of a call of a function the file defines (in the module's body or an enclosing
//!   function's): the reads of the parameter it binds;
//!
//! and at each use: an attribute read needs the class to have it at the library version in
//! force, an `await` needs `__await__`, a test for truth needs a value that is not always `None`; what a method call or an attribute of a model class gives
//! is followed in turn (so `tg.create_task(c)` leads on to the uses of the task it returns). Where
//! the expression is a coroutine function's call that is awaited, the value followed is what the
//! `await` gives. The first use that fails is the answer.

use ruff_python_ast::{
    AnyNodeRef, Expr, ExprContext, ExprRef, Stmt, visitor::source_order::SourceOrderVisitor,
};
use ruff_text_size::{Ranged, TextRange};

use super::assignments::{first_parameter, instance_class};
use super::library::{EntryKind, Libraries};
use super::reads::{Reads, defined, parameter_for};
use crate::base::version::Version;

/// How many values deep a question follows results of calls and attributes.
const MAX_DEPTH: u32 = 4;

/// A use the class does not support: the attribute read, and the class that lacks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The use: an attribute read, an `await`, a test.
    pub range: TextRange,
    /// Why it fails, completing "`<use>` at line N …": "needs `clear`, which `pkg.Event` does
    /// not have".
    pub reason: String,
}

/// The first use of the value of `expr` (enclosed by `ancestors`, outermost first, in a module
/// with `module` statements) that an instance of `class` does not support at `versions`' version
/// of its library. A use whose statement `rewritten` accepts is left to the fix that rewrites it.
pub fn unsupported_use<'t>(
    libraries: &Libraries,
    versions: &std::collections::BTreeMap<String, Version>,
    module: &'t [Stmt],
    expr: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
    class: &str,
    rewritten: &dyn Fn(AnyNodeRef<'t>) -> bool,
) -> Option<Unsupported> {
    let follower = Follower {
        libraries,
        versions,
        module,
        rewritten,
    };
    follower.value(expr, ancestors, class, 0)
}

struct Follower<'a, 't> {
    libraries: &'a Libraries,
    versions: &'a std::collections::BTreeMap<String, Version>,
    module: &'t [Stmt],
    /// Whether another fix rewrites the statement a use stands in: the use is then not judged.
    rewritten: &'a dyn Fn(AnyNodeRef<'t>) -> bool,
}

impl<'t> Follower<'_, 't> {
    /// Check every use of the value of `expr`, an instance of `class`.
    fn value(
        &self,
        expr: ExprRef<'t>,
        ancestors: &[AnyNodeRef<'t>],
        class: &str,
        depth: u32,
    ) -> Option<Unsupported> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (parent, outer) = ancestors.split_last()?;
        if let (AnyNodeRef::ExprAwait(awaited), 0) = (parent, depth) {
            // The value of a coroutine function's call is what awaiting it gives.
            return self.value(ExprRef::from(*awaited), outer, class, depth + 1);
        }
        if let Some(found) = self.used(expr, ancestors, class, depth) {
            return Some(found);
        }
        if let AnyNodeRef::WithItem(item) = parent
            && AnyNodeRef::from(&item.context_expr).ptr_eq(AnyNodeRef::from(expr))
        {
            return self.entered(item, outer, class, depth);
        }
        let reads = onward_reads(self.module, expr, ancestors)?;
        reads
            .into_iter()
            .find_map(|(read, path)| self.value(read, &path, class, depth + 1))
    }

    /// Check the uses of what `with value as target` binds, `value` an instance of `class`.
    fn entered(
        &self,
        item: &'t ruff_python_ast::WithItem,
        outer: &[AnyNodeRef<'t>],
        class: &str,
        depth: u32,
    ) -> Option<Unsupported> {
        let target = item.optional_vars.as_deref()?;
        let (AnyNodeRef::StmtWith(with), statement_outer) = outer.split_last()? else {
            return None;
        };
        let entered = self.libraries.entered(class, with.is_async)?;
        stored_reads(self.module, target, statement_outer)?
            .into_iter()
            .find_map(|(read, path)| self.value(read, &path, entered, depth + 1))
    }

    /// Check the one use `expr` stands in (its parent): an attribute read must exist on `class`,
    /// and what it gives is followed.
    fn used(
        &self,
        expr: ExprRef<'t>,
        ancestors: &[AnyNodeRef<'t>],
        class: &str,
        depth: u32,
    ) -> Option<Unsupported> {
        let parent = ancestors.last()?;
        let statement = ancestors.iter().rev().find(|a| a.is_statement());
        if statement.is_some_and(|statement| (self.rewritten)(*statement)) {
            return None;
        }
        if class == NONE && is_tested(*parent, AnyNodeRef::from(expr)) {
            return Some(Unsupported {
                range: AnyNodeRef::from(expr).range(),
                reason: "is tested, and it is always None".to_owned(),
            });
        }
        let attribute = match parent {
            AnyNodeRef::ExprAttribute(attribute) => attribute,
            AnyNodeRef::ExprAwait(awaited) => {
                let (library, model) = self.libraries.class(class)?;
                library.version_in(self.versions)?;
                if model.open || model.members.contains_key("__await__") {
                    return None;
                }
                return Some(Unsupported {
                    range: awaited.range(),
                    reason: format!("awaits a `{class}`, which cannot be awaited"),
                });
            }
            _ => return None,
        };
        if !AnyNodeRef::from(&*attribute.value).ptr_eq(AnyNodeRef::from(expr))
            || attribute.ctx != ExprContext::Load
        {
            return None;
        }
        let name = attribute.attr.as_str();
        if self.libraries.lacks(class, name, self.versions) {
            return Some(Unsupported {
                range: attribute.range(),
                reason: format!("needs `{name}`, which `{class}` does not have"),
            });
        }
        let (_, model) = self.libraries.class(class)?;
        let member = model.members.get(name)?;
        let outer = &ancestors[..ancestors.len() - 1];
        match &member.kind {
            EntryKind::Attribute(Some(next)) => {
                self.value(ExprRef::from(*attribute), outer, next, depth + 1)
            }
            EntryKind::Callable {
                coroutine,
                returns: Some(next),
            } => {
                let (AnyNodeRef::ExprCall(call), call_outer) = outer.split_last()? else {
                    return None;
                };
                if !*coroutine {
                    return self.value(ExprRef::from(*call), call_outer, next, depth + 1);
                }
                let (AnyNodeRef::ExprAwait(awaited), await_outer) = call_outer.split_last()? else {
                    return None;
                };
                self.value(ExprRef::from(*awaited), await_outer, next, depth + 1)
            }
            _ => None,
        }
    }
}

/// A value read again: the read and the nodes enclosing it.
type Onward<'t> = Vec<(ExprRef<'t>, Vec<AnyNodeRef<'t>>)>;

/// Where the value of `expr` is read again, when its parent hands it on: the reads of the name
/// or instance attribute it is assigned to, the calls of the function returning it, the reads of
/// the parameter it is passed to. `None` when the parent uses it.
fn onward_reads<'t>(
    module: &'t [Stmt],
    expr: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
) -> Option<Onward<'t>> {
    let (parent, outer) = ancestors.split_last()?;
    let node = AnyNodeRef::from(expr);
    match parent {
        AnyNodeRef::StmtAssign(assign)
            if assign.targets.len() == 1 && AnyNodeRef::from(&*assign.value).ptr_eq(node) =>
        {
            stored_reads(module, &assign.targets[0], outer)
        }
        AnyNodeRef::StmtAnnAssign(assign)
            if assign
                .value
                .as_deref()
                .is_some_and(|v| AnyNodeRef::from(v).ptr_eq(node)) =>
        {
            stored_reads(module, &assign.target, outer)
        }
        AnyNodeRef::StmtReturn(_) => returned_reads(module, outer),
        AnyNodeRef::Arguments(_) | AnyNodeRef::Keyword(_) => passed_reads(module, node, ancestors),
        _ => None,
    }
}

/// The reads of the target a value is stored to in the statement `ancestors` enclose: a plain
/// name's in the scope that binds it (functions nested in it included unless they bind the name
/// themselves), or an attribute of a method's instance in every method of the class.
fn stored_reads<'t>(
    module: &'t [Stmt],
    target: &'t Expr,
    ancestors: &[AnyNodeRef<'t>],
) -> Option<Onward<'t>> {
    match target {
        Expr::Name(name) => {
            let function = ancestors
                .iter()
                .rposition(|a| matches!(a, AnyNodeRef::StmtFunctionDef(_)));
            let (scope, body): (&[AnyNodeRef<'t>], &'t [Stmt]) = match function {
                Some(index) => {
                    let AnyNodeRef::StmtFunctionDef(def) = ancestors[index] else {
                        return None;
                    };
                    (&ancestors[..=index], &def.body)
                }
                None => (&[], module),
            };
            let mut reads = Reads::of_name(name.id.as_str(), scope);
            reads.visit_body(body);
            Some(reads.found)
        }
        Expr::Attribute(attribute) => {
            let instance = attribute.value.as_name_expr()?.id.as_str();
            let (class_index, owner) = instance_class(instance, ancestors)?;
            let mut found = Vec::new();
            for statement in &owner.body {
                let Stmt::FunctionDef(method) = statement else {
                    continue;
                };
                let Some(instance) = first_parameter(method) else {
                    continue;
                };
                let mut scope = ancestors[..=class_index].to_vec();
                scope.push(AnyNodeRef::from(method));
                let mut reads = Reads::of_attribute(instance, attribute.attr.as_str(), &scope);
                reads.visit_body(&method.body);
                found.extend(reads.found);
            }
            Some(found)
        }
        _ => None,
    }
}

/// What the calls of the function `ancestors` end in give, when it returns a value: its calls by
/// its name in the scope that defines it (for a coroutine function, the `await` of each, or the
/// call itself where the coroutine is handed on unawaited). A method's callers are not followed.
fn returned_reads<'t>(module: &'t [Stmt], ancestors: &[AnyNodeRef<'t>]) -> Option<Onward<'t>> {
    let index = ancestors
        .iter()
        .rposition(|a| matches!(a, AnyNodeRef::StmtFunctionDef(_)))?;
    let AnyNodeRef::StmtFunctionDef(def) = ancestors[index] else {
        return None;
    };
    let outer = &ancestors[..index];
    let (scope, body): (&[AnyNodeRef<'t>], &'t [Stmt]) = match outer.last() {
        None => (&[], module),
        Some(AnyNodeRef::StmtFunctionDef(parent)) => (outer, &parent.body),
        Some(_) => return None,
    };
    let mut reads = Reads::of_name(def.name.as_str(), scope);
    reads.visit_body(body);
    let mut calls = Vec::new();
    for (read, path) in reads.found {
        let Some((AnyNodeRef::ExprCall(call), call_outer)) = path.split_last() else {
            continue;
        };
        if !AnyNodeRef::from(&*call.func).ptr_eq(AnyNodeRef::from(read)) {
            continue;
        }
        match call_outer.split_last() {
            Some((AnyNodeRef::ExprAwait(awaited), await_outer)) if def.is_async => {
                calls.push((ExprRef::from(*awaited), await_outer.to_vec()));
            }
            // A coroutine handed on unawaited: where it goes is a use of what it returns.
            _ => calls.push((ExprRef::from(*call), call_outer.to_vec())),
        }
    }
    Some(calls)
}

/// The reads of the parameter the argument `argument` (enclosed by `ancestors`) binds in a
/// function the file defines and the call names: one defined in the module's body or in the body
/// of an enclosing function.
fn passed_reads<'t>(
    module: &'t [Stmt],
    argument: AnyNodeRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
) -> Option<Onward<'t>> {
    let at = ancestors
        .iter()
        .rposition(|a| matches!(a, AnyNodeRef::ExprCall(_)))?;
    if ancestors.len() - at > 3 {
        return None;
    }
    let AnyNodeRef::ExprCall(call) = ancestors[at] else {
        return None;
    };
    let name = call.func.as_name_expr()?.id.as_str();
    let mut scopes = ancestors[..at]
        .iter()
        .enumerate()
        .rev()
        .filter_map(|(index, node)| match node {
            AnyNodeRef::StmtFunctionDef(function) => Some((index + 1, &function.body[..])),
            _ => None,
        })
        .chain(std::iter::once((0, module)));
    let (end, def) = scopes.find_map(|(end, body)| Some((end, defined(name, body).last()?)))?;
    let parameter = parameter_for(def, call, argument)?;
    let mut scope = ancestors[..end].to_vec();
    scope.push(AnyNodeRef::from(def));
    let mut reads = Reads::of_name(parameter.name.as_str(), &scope);
    reads.visit_body(&def.body);
    Some(reads.found)
}

/// The class name models give `None`, the value of a call that returns nothing.
const NONE: &str = "None";

/// Whether `parent` tests `child` for truth: the condition of an `if`, `elif`, `while` or
/// `assert`, the operand of `not`, an operand of `and` / `or`.
fn is_tested(parent: AnyNodeRef<'_>, child: AnyNodeRef<'_>) -> bool {
    let test = match parent {
        AnyNodeRef::StmtIf(node) => AnyNodeRef::from(&*node.test),
        AnyNodeRef::StmtWhile(node) => AnyNodeRef::from(&*node.test),
        AnyNodeRef::StmtAssert(node) => AnyNodeRef::from(&*node.test),
        AnyNodeRef::ElifElseClause(node) => match &node.test {
            Some(test) => AnyNodeRef::from(test),
            None => return false,
        },
        AnyNodeRef::ExprUnaryOp(node) => {
            return node.op == ruff_python_ast::UnaryOp::Not;
        }
        AnyNodeRef::ExprBoolOp(_) => return true,
        _ => return false,
    };
    test.ptr_eq(child)
}

/// A place the value of an expression is used: the nodes enclosing a read of it (the expression
/// itself, or a read of a name or attribute it reached), its parent (where it is used) last.
#[derive(Debug, Clone)]
pub struct Use<'t> {
    pub ancestors: Vec<AnyNodeRef<'t>>,
}

/// Every place the value of `expr` (enclosed by `ancestors`) ends up used, following it through
/// plain names and attributes of a method's instance it is assigned to, the callers of a
/// function returning it and the parameters it is passed to in functions of the file; `None`
/// when it is followed further than a few steps.
pub fn uses_of<'t>(
    module: &'t [Stmt],
    expr: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
) -> Option<Vec<Use<'t>>> {
    let mut found = Vec::new();
    flow(module, expr, ancestors, 0, &mut found).then_some(found)
}

/// Add the uses of `expr`'s value to `found`; false when the value goes deeper than
/// [`MAX_DEPTH`] steps.
fn flow<'t>(
    module: &'t [Stmt],
    expr: ExprRef<'t>,
    ancestors: &[AnyNodeRef<'t>],
    depth: u32,
    found: &mut Vec<Use<'t>>,
) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match onward_reads(module, expr, ancestors) {
        Some(reads) => reads
            .into_iter()
            .all(|(read, path)| flow(module, read, &path, depth + 1, found)),
        None => {
            if !ancestors.is_empty() {
                found.push(Use {
                    ancestors: ancestors.to_vec(),
                });
            }
            true
        }
    }
}
