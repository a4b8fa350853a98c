//! What a plain name, or an attribute of a method's instance, is assigned: for the `bound-to`
//! condition.
//!
//! [`Assignments::assigned_values`] finds the scope that binds a name at a use (the innermost enclosing
//! function that binds it, else the module; class bodies are skipped, as Python skips them for
//! names used in methods) and lists every binding of the name in that scope. A binding that is a
//! plain `name = value` (or `name: T = value`) gives its value; any other binding (a parameter, a
//! `for` or `with` target, tuple unpacking, an import, `def`, `except … as`, a walrus) makes the
//! answer `None`, because the name's value is then not known from one expression.
//!
//! [`Assignments::assigned_attribute_values`] does the same for `self.attr` in a method: every
//! `self.attr = value` in the methods of the class (each method's own first parameter standing
//! for the instance) and every `attr = value` in the class body; any other binding of it (an
//! augmented assignment, an unpacking, a `for` or `with` target, `del`) makes the answer `None`.

use std::cell::RefCell;

use ruff_python_ast::{
    AnyNodeRef, Expr, ExprContext, Stmt,
    visitor::source_order::{self, SourceOrderVisitor},
};
use rustc_hash::FxHashMap;

/// What one scope assigns to one name: the values of plain assignments, and whether it binds
/// the name some other way.
#[derive(Debug, Clone, Default)]
struct Found<'t> {
    values: Vec<&'t Expr>,
    other: bool,
}

impl<'t> Found<'t> {
    fn into_values(self) -> Option<Vec<&'t Expr>> {
        (!self.other && !self.values.is_empty()).then_some(self.values)
    }
}

/// The assignments of one file, scanned at most once per scope and name.
#[derive(Debug, Default)]
pub struct Assignments<'t> {
    scanned: RefCell<FxHashMap<(usize, String), Found<'t>>>,
}

impl<'t> Assignments<'t> {
    /// The values assigned to `name` in the scope that binds it for a use whose enclosing nodes
    /// are `ancestors` (outermost first) in a module with `body`. `None` when the name is bound
    /// some other way, or not at all.
    pub fn assigned_values(
        &self,
        name: &str,
        ancestors: &[AnyNodeRef<'t>],
        body: &'t [Stmt],
    ) -> Option<Vec<&'t Expr>> {
        for ancestor in ancestors.iter().rev() {
            let AnyNodeRef::StmtFunctionDef(function) = ancestor else {
                continue;
            };
            let is_parameter = function
                .parameters
                .iter()
                .any(|parameter| parameter.name().as_str() == name);
            if is_parameter {
                return None;
            }
            let found = self.scan(name, &function.body);
            if found.other || !found.values.is_empty() {
                return found.into_values();
            }
        }
        self.scan(name, body).into_values()
    }

    /// The values assigned to the attribute `attribute` of `instance`, used where `ancestors`
    /// (outermost first) enclose it: when `instance` is the first parameter of the enclosing
    /// method, the values every method of its class and the class body assign to that attribute.
    /// `None` when the use is not in such a method, or the attribute is bound some other way, or
    /// not at all.
    pub fn assigned_attribute_values(
        &self,
        instance: &str,
        attribute: &str,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<Vec<&'t Expr>> {
        let method = ancestors
            .iter()
            .rposition(|a| matches!(a, AnyNodeRef::StmtFunctionDef(_)))?;
        let AnyNodeRef::StmtFunctionDef(function) = ancestors[method] else {
            return None;
        };
        if first_parameter(function)? != instance {
            return None;
        }
        let AnyNodeRef::StmtClassDef(class) = ancestors[..method].last()? else {
            return None;
        };
        let key = (class.body.as_ptr() as usize, format!(".{attribute}"));
        if let Some(found) = self.scanned.borrow().get(&key) {
            return found.clone().into_values();
        }
        let mut found = Found::default();
        for statement in &class.body {
            match statement {
                Stmt::FunctionDef(method) => {
                    let Some(instance) = first_parameter(method) else {
                        continue;
                    };
                    let mut finder = AttributeFinder {
                        instance,
                        attribute,
                        found: Found::default(),
                    };
                    finder.visit_body(&method.body);
                    found.values.extend(finder.found.values);
                    found.other |= finder.found.other;
                }
                Stmt::Assign(assign)
                    if assign.targets.len() == 1
                        && assign.targets[0]
                            .as_name_expr()
                            .is_some_and(|n| n.id.as_str() == attribute) =>
                {
                    found.values.push(&assign.value);
                }
                Stmt::AnnAssign(assign)
                    if assign
                        .target
                        .as_name_expr()
                        .is_some_and(|n| n.id.as_str() == attribute) =>
                {
                    if let Some(value) = &assign.value {
                        found.values.push(value);
                    }
                }
                _ => {}
            }
        }
        self.scanned.borrow_mut().insert(key, found.clone());
        found.into_values()
    }

    fn scan(&self, name: &str, body: &'t [Stmt]) -> Found<'t> {
        let key = (body.as_ptr() as usize, name.to_owned());
        if let Some(found) = self.scanned.borrow().get(&key) {
            return found.clone();
        }
        let mut finder = Finder {
            name,
            found: Found::default(),
        };
        finder.visit_body(body);
        self.scanned.borrow_mut().insert(key, finder.found.clone());
        finder.found
    }
}

struct Finder<'t, 'n> {
    name: &'n str,
    found: Found<'t>,
}

impl<'t> Finder<'t, '_> {
    fn is_name(&self, expr: &Expr) -> bool {
        expr.as_name_expr()
            .is_some_and(|n| n.id.as_str() == self.name)
    }
}

impl<'t> SourceOrderVisitor<'t> for Finder<'t, '_> {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                // A nested function is its own scope; only its name binds here.
                self.found.other |= def.name.as_str() == self.name;
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
            }
            Stmt::ClassDef(class) => self.found.other |= class.name.as_str() == self.name,
            Stmt::Assign(assign)
                if assign.targets.len() == 1 && self.is_name(&assign.targets[0]) =>
            {
                self.found.values.push(&assign.value);
                self.visit_expr(&assign.value);
            }
            Stmt::AnnAssign(assign) if self.is_name(&assign.target) => {
                if let Some(value) = &assign.value {
                    self.found.values.push(value);
                    self.visit_expr(value);
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.as_str().split('.').next().unwrap_or_default(),
                        |a| a.as_str(),
                    );
                    self.found.other |= bound == self.name;
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.found.other |= bound.as_str() == self.name;
                }
            }
            Stmt::Global(_) | Stmt::Nonlocal(_) => {}
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        match expr {
            Expr::Name(name) if name.ctx == ExprContext::Store && name.id.as_str() == self.name => {
                self.found.other = true;
            }
            Expr::Named(named) if self.is_name(&named.target) => self.found.other = true,
            // Lambdas and comprehensions have scopes of their own.
            Expr::Lambda(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
            | Expr::Generator(_) => {}
            _ => source_order::walk_expr(self, expr),
        }
    }

    fn visit_except_handler(&mut self, handler: &'t ruff_python_ast::ExceptHandler) {
        let ruff_python_ast::ExceptHandler::ExceptHandler(inner) = handler;
        self.found.other |= inner.name.as_ref().is_some_and(|n| n.as_str() == self.name);
        source_order::walk_except_handler(self, handler);
    }
}

/// The name of a function's first positional parameter (the instance, in a method).
fn first_parameter(function: &ruff_python_ast::StmtFunctionDef) -> Option<&str> {
    let parameters = &function.parameters;
    parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .next()
        .map(|parameter| parameter.parameter.name.as_str())
}

/// Finds what a method assigns to `instance.attribute`.
struct AttributeFinder<'t, 'n> {
    instance: &'n str,
    attribute: &'n str,
    found: Found<'t>,
}

impl AttributeFinder<'_, '_> {
    fn is_target(&self, expr: &Expr) -> bool {
        expr.as_attribute_expr().is_some_and(|a| {
            a.attr.as_str() == self.attribute
                && a.value
                    .as_name_expr()
                    .is_some_and(|n| n.id.as_str() == self.instance)
        })
    }
}

impl<'t> SourceOrderVisitor<'t> for AttributeFinder<'t, '_> {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::Assign(assign)
                if assign.targets.len() == 1 && self.is_target(&assign.targets[0]) =>
            {
                self.found.values.push(&assign.value);
                self.visit_expr(&assign.value);
            }
            Stmt::AnnAssign(assign) if self.is_target(&assign.target) => {
                if let Some(value) = &assign.value {
                    self.found.values.push(value);
                    self.visit_expr(value);
                }
            }
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        match expr {
            // Any other store to it: an augmented assignment, an unpacking, a loop or `with`
            // target, a `del`.
            Expr::Attribute(attribute)
                if attribute.ctx != ExprContext::Load && self.is_target(expr) =>
            {
                self.found.other = true;
            }
            _ => source_order::walk_expr(self, expr),
        }
    }
}
