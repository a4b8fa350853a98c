//! The types of values, as far as the loaded library models and the file tell them.
//!
//! A value's type is a class of a model ([`library`](super::library)) or a builtin's name the
//! model gives as a return type (`None`, `bool`, …). It is known when the value is:
//!
//! - a call of something the model describes: a class (an instance of it), a function or a
//!   method of a value of known type (what the model says it returns); for a coroutine function
//!   the call is a coroutine, and awaiting it gives what the model says it returns;
//! - an attribute of a value of known type that the model types;
//! - a name all of whose bindings in its scope give the same type: assignments, `with … as name`
//!   (what the context manager's `__enter__`, or `__aenter__` for `async with`, gives), an
//!   annotation naming a model class (a parameter's too; an unannotated parameter of a function
//!   the file defines and calls by name, what every call passes it), or a function the file
//!   defines, called (its return annotation, else every value it returns);
//! - an attribute of a method's instance (`self.ready`), in the same ways, over every method of
//!   the class and the class body.
//!
//! Anything else has no known type, and no condition judges it. Types are worked out on demand,
//! each expression at most once per file and set of models.

use std::cell::{Cell, RefCell};

use ruff_python_ast::{
    AnyNodeRef, Expr, ExprRef, Stmt, StmtFunctionDef,
    visitor::source_order::{self, SourceOrderVisitor},
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap;

use super::assignments::{Assignments, Sources};
use super::library::{EntryKind, Libraries, Resolved};
use super::reads::argument_for;
use super::semantic::Semantic;

/// What a value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// An instance of the class (or builtin) of this name.
    Instance(String),
    /// A coroutine which, awaited, gives an instance of this.
    Coroutine(String),
}

impl Type {
    /// The class of an instance.
    pub fn instance(&self) -> Option<&str> {
        match self {
            Type::Instance(class) => Some(class),
            Type::Coroutine(_) => None,
        }
    }
}

/// How deep one question may lead through names, calls and returns before the answer is
/// "not known".
const MAX_DEPTH: u32 = 24;

/// The types worked out in one file.
#[derive(Debug, Default)]
pub struct Types {
    /// By the expression's address and the models' address.
    known: RefCell<FxHashMap<(usize, usize), Option<Type>>>,
    /// A name's type in the scope that binds it, the same at every read there: by the scope's
    /// address (0 for the module), the name and the models' address.
    names: RefCell<FxHashMap<(usize, usize), NameTypes>>,
    depth: Cell<u32>,
}

/// The types of the names of one scope.
type NameTypes = FxHashMap<String, Option<Type>>;

/// What types are worked out from: the file and the models.
#[derive(Clone, Copy)]
pub struct TypeContext<'a, 't> {
    pub semantic: &'t Semantic,
    pub assignments: &'a Assignments<'t>,
    pub module: &'t [Stmt],
    pub libraries: &'a Libraries,
}

impl Types {
    /// The type of `expr`, whose enclosing nodes are `ancestors` (outermost first; only the
    /// functions and classes among them matter).
    pub fn of<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        expr: impl Into<ExprRef<'t>>,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<Type> {
        if cx.libraries.is_empty() {
            return None;
        }
        let expr = expr.into();
        if !matches!(
            expr,
            ExprRef::Call(_)
                | ExprRef::Await(_)
                | ExprRef::Attribute(_)
                | ExprRef::Name(_)
                | ExprRef::Named(_)
        ) {
            return None;
        }
        let key = (
            AnyNodeRef::from(expr).as_ptr().as_ptr() as usize,
            std::ptr::from_ref(cx.libraries) as usize,
        );
        if let Some(known) = self.known.borrow().get(&key) {
            return known.clone();
        }
        if self.depth.get() >= MAX_DEPTH {
            return None;
        }
        // A question that leads back to itself has no answer.
        self.known.borrow_mut().insert(key, None);
        self.depth.set(self.depth.get() + 1);
        let found = self.work_out(cx, expr, ancestors);
        self.depth.set(self.depth.get() - 1);
        self.known.borrow_mut().insert(key, found.clone());
        found
    }

    fn work_out<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        expr: ExprRef<'t>,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<Type> {
        match expr {
            ExprRef::Call(call) => self.called(cx, &call.func, ancestors),
            ExprRef::Await(awaited) => match self.of(cx, &*awaited.value, ancestors)? {
                Type::Coroutine(result) => Some(Type::Instance(result)),
                Type::Instance(_) => None,
            },
            ExprRef::Attribute(attribute) => {
                if let Some(class) = self
                    .of(cx, &*attribute.value, ancestors)
                    .and_then(|t| t.instance().map(str::to_owned))
                {
                    let (_, model) = cx.libraries.class(&class)?;
                    return match &model.members.get(attribute.attr.as_str())?.kind {
                        EntryKind::Attribute(Some(class)) => Some(Type::Instance(class.clone())),
                        _ => None,
                    };
                }
                let instance = attribute.value.as_name_expr()?;
                self.of_attribute(cx, instance.id.as_str(), attribute.attr.as_str(), ancestors)
            }
            ExprRef::Name(name) => {
                if cx.semantic.qualify(AnyNodeRef::from(expr)).is_some() {
                    // An import: a module, a class or a function, not an instance.
                    return None;
                }
                self.of_name(cx, name.id.as_str(), ancestors)
            }
            ExprRef::Named(named) => self.of(cx, &*named.value, ancestors),
            _ => None,
        }
    }

    /// The type of calling `func`.
    fn called<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        func: &'t Expr,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<Type> {
        if let Some(kind) = modelled(cx, func) {
            return call_result(&kind);
        }
        match func {
            Expr::Attribute(attribute) => {
                let receiver = self.of(cx, &*attribute.value, ancestors)?;
                let (_, model) = cx.libraries.class(receiver.instance()?)?;
                call_result(&model.members.get(attribute.attr.as_str())?.kind)
            }
            Expr::Name(name) => {
                let sources = cx
                    .assignments
                    .sources(name.id.as_str(), ancestors, cx.module);
                let found = &sources.found;
                let [def] = found.defs[..] else {
                    return None;
                };
                if sources.parameter.is_some()
                    || found.bound_otherwise()
                    || !found.values.is_empty()
                    || !found.entered.is_empty()
                {
                    return None;
                }
                let scope = &ancestors[..sources.function.map_or(0, |index| index + 1)];
                let result = self.returned(cx, def, scope)?;
                Some(match def.is_async {
                    true => Type::Coroutine(result),
                    false => Type::Instance(result),
                })
            }
            _ => None,
        }
    }

    /// What the function `def` (enclosed by `scope`) returns: its annotation's class, else the
    /// one type every `return` gives.
    fn returned<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        def: &'t StmtFunctionDef,
        scope: &[AnyNodeRef<'t>],
    ) -> Option<String> {
        if let Some(annotation) = &def.returns {
            return annotated(cx, annotation);
        }
        let mut returns = Returns::default();
        returns.visit_body(&def.body);
        if returns.bare || returns.values.is_empty() {
            return None;
        }
        let mut inside = scope.to_vec();
        inside.push(AnyNodeRef::from(def));
        let mut agreed: Option<String> = None;
        for value in returns.values {
            let class = self.of(cx, value, &inside)?.instance()?.to_owned();
            if agreed.as_ref().is_some_and(|a| *a != class) {
                return None;
            }
            agreed = Some(class);
        }
        agreed
    }

    /// The type of the name `name` used where `ancestors` enclose it.
    fn of_name<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        name: &str,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<Type> {
        let sources = cx.assignments.sources(name, ancestors, cx.module);
        let found = &sources.found;
        if found.bound_otherwise() || !found.defs.is_empty() {
            return None;
        }
        let scope = &ancestors[..sources.function.map_or(0, |index| index + 1)];
        let key = (
            scope.last().map_or(0, |def| def.as_ptr().as_ptr() as usize),
            std::ptr::from_ref(cx.libraries) as usize,
        );
        if let Some(known) = self.names.borrow().get(&key).and_then(|n| n.get(name)) {
            return known.clone();
        }
        // A name whose type leads back to itself has none.
        let remember = |found: Option<Type>| {
            self.names
                .borrow_mut()
                .entry(key)
                .or_default()
                .insert(name.to_owned(), found);
        };
        remember(None);
        let found = self.name_from_sources(cx, &sources, scope);
        remember(found.clone());
        found
    }

    /// The one type every binding in `sources` gives a name of the scope `scope` ends in.
    fn name_from_sources<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        sources: &Sources<'t>,
        scope: &[AnyNodeRef<'t>],
    ) -> Option<Type> {
        let found = &sources.found;
        let mut agreed = Agreed::default();
        if let Some(parameter) = sources.parameter {
            agreed.add(match parameter.annotation.as_deref() {
                Some(annotation) => annotated(cx, annotation),
                None => self.passed_by_calls(cx, parameter.name.as_str(), scope),
            });
        }
        for annotation in &found.annotations {
            agreed.add(annotated(cx, annotation));
        }
        for value in &found.values {
            agreed.add(
                self.of(cx, *value, scope)
                    .and_then(|t| t.instance().map(str::to_owned)),
            );
        }
        for (manager, is_async) in &found.entered {
            agreed.add(self.entered(cx, manager, *is_async, scope));
        }
        agreed.into_type()
    }

    /// The type of the unannotated parameter `parameter` of the function `scope` ends in, from
    /// the calls of that function by its name where it is defined: the one type every call's
    /// argument for it has.
    fn passed_by_calls<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        parameter: &str,
        scope: &[AnyNodeRef<'t>],
    ) -> Option<String> {
        let (AnyNodeRef::StmtFunctionDef(def), outer) = scope.split_last()? else {
            return None;
        };
        // Its callers are in the scope that defines it: the module, or the enclosing function.
        // A method's, or a function's inside some other statement, are not followed.
        let within = match outer.last() {
            None => TextRange::up_to(TextSize::new(u32::MAX)),
            Some(parent @ AnyNodeRef::StmtFunctionDef(_)) => parent.range(),
            Some(_) => return None,
        };
        let mut agreed = Agreed::default();
        for (call, path) in cx.assignments.calls_named(def.name.as_str(), cx.module) {
            if !within.contains_range(call.range()) {
                continue;
            }
            let class = argument_for(def, call, parameter).and_then(|argument| {
                self.of(cx, argument, path)
                    .and_then(|t| t.instance().map(str::to_owned))
            });
            agreed.add(class);
        }
        agreed
            .into_type()
            .and_then(|t| t.instance().map(str::to_owned))
    }

    /// The type of `instance.attribute` in a method whose first parameter is `instance`.
    fn of_attribute<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        instance: &str,
        attribute: &str,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<Type> {
        let sources = cx
            .assignments
            .attribute_sources(instance, attribute, ancestors)?;
        if sources.other {
            return None;
        }
        let class = &ancestors[..=sources.class];
        let mut agreed = Agreed::default();
        for annotation in &sources.annotations {
            agreed.add(annotated(cx, annotation));
        }
        for (value, method) in &sources.values {
            let mut inside = class.to_vec();
            if let Some(method) = method {
                inside.push(AnyNodeRef::from(*method));
            }
            agreed.add(
                self.of(cx, *value, &inside)
                    .and_then(|t| t.instance().map(str::to_owned)),
            );
        }
        agreed.into_type()
    }

    /// What `with manager as name` (or `async with`) binds to `name`.
    fn entered<'t>(
        &self,
        cx: &TypeContext<'_, 't>,
        manager: &'t Expr,
        is_async: bool,
        scope: &[AnyNodeRef<'t>],
    ) -> Option<String> {
        let class = self.of(cx, manager, scope)?.instance()?.to_owned();
        cx.libraries.entered(&class, is_async).map(str::to_owned)
    }
}

/// What the model says `func` is, when it names something a model describes.
fn modelled(cx: &TypeContext<'_, '_>, func: &Expr) -> Option<EntryKind> {
    let name = cx.semantic.qualified_name(AnyNodeRef::from(func))?;
    let library = cx.libraries.owning(&name)?;
    match library.resolve(&name)? {
        Resolved::Entry(entry) => Some(entry.kind.clone()),
        Resolved::Module(_) => None,
    }
}

/// The type of calling something of this kind.
fn call_result(kind: &EntryKind) -> Option<Type> {
    match kind {
        EntryKind::Class(class) => Some(Type::Instance(class.clone())),
        EntryKind::Callable {
            coroutine,
            returns: Some(result),
        } => Some(match coroutine {
            true => Type::Coroutine(result.clone()),
            false => Type::Instance(result.clone()),
        }),
        _ => None,
    }
}

/// The model class an annotation names.
fn annotated(cx: &TypeContext<'_, '_>, annotation: &Expr) -> Option<String> {
    match modelled(cx, annotation)? {
        EntryKind::Class(class) => Some(class),
        _ => None,
    }
}

/// The one type every binding agrees on.
#[derive(Default)]
struct Agreed {
    class: Option<String>,
    unknown: bool,
}

impl Agreed {
    fn add(&mut self, class: Option<String>) {
        match (class, &self.class) {
            (None, _) => self.unknown = true,
            (Some(class), Some(agreed)) if class != *agreed => self.unknown = true,
            (Some(class), _) => self.class = Some(class),
        }
    }

    fn into_type(self) -> Option<Type> {
        match self.unknown {
            true => None,
            false => self.class.map(Type::Instance),
        }
    }
}

/// The `return` statements of one function (not of functions or classes inside it).
#[derive(Default)]
struct Returns<'t> {
    values: Vec<&'t Expr>,
    /// Whether some `return` gives no value.
    bare: bool,
}

impl<'t> SourceOrderVisitor<'t> for Returns<'t> {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::Return(ret) => match &ret.value {
                Some(value) => self.values.push(value),
                None => self.bare = true,
            },
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, _expr: &'t Expr) {}
}
