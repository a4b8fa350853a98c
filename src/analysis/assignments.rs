//! What binds a plain name, or an attribute of a method's instance: for the `bound-to` condition
//! and for the types of values.
//!
//! [`Assignments::sources`] finds the scope that binds a name at a use (the innermost enclosing
//! function that binds it, else the module; class bodies are skipped, as Python skips them for
//! names used in methods) and lists what binds it there: plain `name = value` (or
//! `name: T = value`) assignments, `with … as name` items, `def name`, annotations, imports, and
//! whether anything else does (a `for` target, tuple unpacking, `except … as`, a walrus).
//! [`Assignments::assigned_values`] is the values alone, when plain assignments are all that bind
//! the name: otherwise its value is not known from one expression.
//!
//! [`Assignments::attribute_sources`] does the same for `self.attr` in a method: every
//! `self.attr = value` in the methods of the class (each method's own first parameter standing
//! for the instance) and every `attr = value` in the class body; any other binding of it (an
//! augmented assignment, an unpacking, a `for` or `with` target, `del`) counts as other.

use std::cell::RefCell;
use std::rc::Rc;

use ruff_python_ast::{
    Alias, AnyNodeRef, Expr, ExprContext, Stmt, StmtFunctionDef,
    visitor::source_order::{self, SourceOrderVisitor},
};
use rustc_hash::{FxHashMap, FxHashSet};

/// What one scope binds to one name: the values of plain assignments, the context managers of
/// `with … as name`, the functions `def name` defines, the annotations of `name: T`, the imports
/// that bind it, and whether it binds the name some other way.
#[derive(Debug, Clone, Default)]
pub struct Found<'t> {
    pub values: Vec<&'t Expr>,
    /// Each `with` item's context manager, and whether the `with` is `async`.
    pub entered: Vec<(&'t Expr, bool)>,
    pub defs: Vec<&'t StmtFunctionDef>,
    /// Annotations of the name (`name: T` and `name: T = value`).
    pub annotations: Vec<&'t Expr>,
    /// Each `import` or `from … import` alias binding the name, with its statement.
    pub imports: Vec<(&'t Stmt, &'t Alias)>,
    pub other: bool,
}

impl<'t> Found<'t> {
    /// The values, when plain assignments are all that bind the name.
    fn into_values(self) -> Option<Vec<&'t Expr>> {
        (!self.bound_otherwise()
            && self.entered.is_empty()
            && self.defs.is_empty()
            && !self.values.is_empty())
        .then_some(self.values)
    }

    /// Whether anything binds the name.
    fn binds(&self) -> bool {
        self.bound_otherwise()
            || !self.values.is_empty()
            || !self.entered.is_empty()
            || !self.defs.is_empty()
    }

    /// Whether an import or some binding with no value of its own (a `for` target, an unpacking,
    /// `except … as`, a walrus, a class) binds the name.
    pub fn bound_otherwise(&self) -> bool {
        self.other || !self.imports.is_empty()
    }
}

/// How a name is bound where it is used: what binds it in its scope, and that scope's function
/// (`None` for the module) with its parameter of that name, when it has one.
#[derive(Debug, Clone)]
pub struct Sources<'t> {
    pub found: Rc<Found<'t>>,
    /// Where the scope's function stands in the use's enclosing nodes.
    pub function: Option<usize>,
    pub parameter: Option<&'t ruff_python_ast::Parameter>,
}

/// The assignments of one file, scanned at most once per scope and name.
#[derive(Debug, Default)]
pub struct Assignments<'t> {
    /// By the scope's body's address, then the name.
    scanned: RefCell<FxHashMap<usize, FxHashMap<String, Rc<Found<'t>>>>>,
    attributes: RefCell<FxHashMap<(usize, String), AttributeSources<'t>>>,
    calls: std::cell::OnceCell<FxHashMap<&'t str, Vec<NamedCall<'t>>>>,
    /// The names an `async def` or an import binds anywhere in the file.
    async_or_imported: std::cell::OnceCell<FxHashSet<&'t str>>,
}

/// A call whose callee is a plain name, and the nodes enclosing it (outermost first).
pub type NamedCall<'t> = (&'t ruff_python_ast::ExprCall, Vec<AnyNodeRef<'t>>);

/// What binds one attribute of a class's instances (see [`Assignments::attribute_sources`]).
#[derive(Debug, Clone, Default)]
pub struct AttributeSources<'t> {
    pub values: Vec<(&'t Expr, Option<&'t StmtFunctionDef>)>,
    pub annotations: Vec<&'t Expr>,
    /// Whether it is bound some other way.
    pub other: bool,
    /// Where the class stands in the use's enclosing nodes.
    pub class: usize,
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
        let sources = self.sources(name, ancestors, body);
        if sources.parameter.is_some() {
            return None;
        }
        Found::clone(&sources.found).into_values()
    }

    /// What binds `name` in the scope that binds it for a use whose enclosing nodes are
    /// `ancestors` (outermost first) in a module with `body`: the innermost enclosing function
    /// that binds it (a parameter or anything in its body), else the module.
    pub fn sources(
        &self,
        name: &str,
        ancestors: &[AnyNodeRef<'t>],
        body: &'t [Stmt],
    ) -> Sources<'t> {
        for (index, ancestor) in ancestors.iter().enumerate().rev() {
            let AnyNodeRef::StmtFunctionDef(function) = ancestor else {
                continue;
            };
            let parameter = function
                .parameters
                .iter()
                .find(|parameter| parameter.name().as_str() == name)
                .map(|parameter| parameter.as_parameter());
            let found = self.scan(name, &function.body);
            if parameter.is_some() || found.binds() {
                return Sources {
                    found,
                    function: Some(index),
                    parameter,
                };
            }
        }
        Sources {
            found: self.scan(name, body),
            function: None,
            parameter: None,
        }
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
        let sources = self.attribute_sources(instance, attribute, ancestors)?;
        if sources.other || sources.values.is_empty() {
            return None;
        }
        Some(sources.values.into_iter().map(|(value, _)| value).collect())
    }

    /// What binds the attribute `attribute` of `instance` where `ancestors` (outermost first)
    /// enclose a use of it, when `instance` is the first parameter of the enclosing method: each
    /// value with the method that assigns it (`None` for the class body), the class body's
    /// annotations of it, and where the class stands in `ancestors`.
    pub fn attribute_sources(
        &self,
        instance: &str,
        attribute: &str,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<AttributeSources<'t>> {
        let (class_index, class) = instance_class(instance, ancestors)?;
        let key = (class.body.as_ptr() as usize, attribute.to_owned());
        if let Some(found) = self.attributes.borrow().get(&key) {
            return Some(found.clone());
        }
        let mut found = AttributeSources {
            class: class_index,
            ..AttributeSources::default()
        };
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
                    found
                        .values
                        .extend(finder.found.values.into_iter().map(|v| (v, Some(method))));
                    found.annotations.extend(finder.found.annotations);
                    found.other |= finder.found.other;
                }
                Stmt::Assign(assign)
                    if assign.targets.len() == 1
                        && assign.targets[0]
                            .as_name_expr()
                            .is_some_and(|n| n.id.as_str() == attribute) =>
                {
                    found.values.push((&assign.value, None));
                }
                Stmt::AnnAssign(assign)
                    if assign
                        .target
                        .as_name_expr()
                        .is_some_and(|n| n.id.as_str() == attribute) =>
                {
                    found.annotations.push(&assign.annotation);
                    if let Some(value) = &assign.value {
                        found.values.push((value, None));
                    }
                }
                _ => {}
            }
        }
        self.attributes.borrow_mut().insert(key, found.clone());
        Some(found)
    }

    /// The calls in the module with statements `body` whose callee is the plain name `name`,
    /// found in one walk of the module on first use.
    pub fn calls_named(&self, name: &str, body: &'t [Stmt]) -> &[NamedCall<'t>] {
        let calls = self.calls.get_or_init(|| {
            let mut finder = CallFinder::default();
            finder.visit_body(body);
            finder.calls
        });
        calls.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether an `async def` or an import binds `name` anywhere in the module with statements
    /// `body` (found in one walk of its statements on first use): a cheap test before
    /// [`Assignments::sources`] for the questions only those bindings answer.
    pub fn async_or_imported(&self, name: &str, body: &'t [Stmt]) -> bool {
        self.async_or_imported
            .get_or_init(|| async_or_imported_names(body))
            .contains(name)
    }

    fn scan(&self, name: &str, body: &'t [Stmt]) -> Rc<Found<'t>> {
        let scope = body.as_ptr() as usize;
        if let Some(found) = self.scanned.borrow().get(&scope).and_then(|n| n.get(name)) {
            return found.clone();
        }
        let mut finder = Finder {
            name,
            found: Found::default(),
        };
        finder.visit_body(body);
        let found = Rc::new(finder.found);
        self.scanned
            .borrow_mut()
            .entry(scope)
            .or_default()
            .insert(name.to_owned(), found.clone());
        found
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
                if def.name.as_str() == self.name {
                    self.found.defs.push(def);
                }
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
                self.found.annotations.push(&assign.annotation);
                if let Some(value) = &assign.value {
                    self.found.values.push(value);
                    self.visit_expr(value);
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                    match &item.optional_vars {
                        Some(target) if self.is_name(target) => {
                            self.found.entered.push((&item.context_expr, with.is_async));
                        }
                        Some(target) => self.visit_expr(target),
                        None => {}
                    }
                }
                self.visit_body(&with.body);
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.as_str().split('.').next().unwrap_or_default(),
                        |a| a.as_str(),
                    );
                    if bound == self.name {
                        self.found.imports.push((stmt, alias));
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    if bound.as_str() == self.name {
                        self.found.imports.push((stmt, alias));
                    }
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

/// The class whose instance `instance` is where `ancestors` (outermost first) enclose a use of
/// it: `instance` is the first parameter of the innermost enclosing function, a method of that
/// class. With where the class stands in `ancestors`.
pub fn instance_class<'t>(
    instance: &str,
    ancestors: &[AnyNodeRef<'t>],
) -> Option<(usize, &'t ruff_python_ast::StmtClassDef)> {
    let method = ancestors
        .iter()
        .rposition(|a| matches!(a, AnyNodeRef::StmtFunctionDef(_)))?;
    let AnyNodeRef::StmtFunctionDef(function) = ancestors[method] else {
        return None;
    };
    if first_parameter(function)? != instance {
        return None;
    }
    let class_index = method.checked_sub(1)?;
    let AnyNodeRef::StmtClassDef(class) = ancestors[class_index] else {
        return None;
    };
    Some((class_index, class))
}

/// The name of a function's first positional parameter (the instance, in a method).
pub fn first_parameter(function: &ruff_python_ast::StmtFunctionDef) -> Option<&str> {
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
                self.found.annotations.push(&assign.annotation);
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

/// The names an `async def` or an import binds in the module with statements `body`, in every
/// scope.
pub fn async_or_imported_names(body: &[Stmt]) -> FxHashSet<&str> {
    let mut finder = AsyncOrImported::default();
    finder.visit_body(body);
    finder.names
}

/// Finds the names `async def`s and imports bind, in every scope.
#[derive(Default)]
struct AsyncOrImported<'t> {
    names: FxHashSet<&'t str>,
}

impl<'t> SourceOrderVisitor<'t> for AsyncOrImported<'t> {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::FunctionDef(def) if def.is_async => {
                self.names.insert(def.name.as_str());
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().map_or_else(
                        || alias.name.as_str().split('.').next().unwrap_or_default(),
                        |a| a.as_str(),
                    );
                    self.names.insert(bound);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    self.names
                        .insert(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            _ => {}
        }
        source_order::walk_stmt(self, stmt);
    }

    // Statements hold no statements inside their expressions.
    fn visit_expr(&mut self, _expr: &'t Expr) {}
}

/// Finds the calls of plain names, with the nodes enclosing each.
#[derive(Default)]
struct CallFinder<'t> {
    path: Vec<AnyNodeRef<'t>>,
    calls: FxHashMap<&'t str, Vec<NamedCall<'t>>>,
}

impl<'t> SourceOrderVisitor<'t> for CallFinder<'t> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> source_order::TraversalSignal {
        if let AnyNodeRef::ExprCall(call) = node
            && let Expr::Name(callee) = &*call.func
        {
            self.calls
                .entry(callee.id.as_str())
                .or_default()
                .push((call, self.path.clone()));
        }
        self.path.push(node);
        source_order::TraversalSignal::Traverse
    }

    fn leave_node(&mut self, _node: AnyNodeRef<'t>) {
        self.path.pop();
    }
}
