//! Reads of a name in a scope, each with the nodes enclosing it, and the calls of a function the
//! file defines: for following a value to its uses and a parameter to its arguments.

use ruff_python_ast::{
    AnyNodeRef, Expr, ExprCall, ExprContext, ExprRef, Stmt, StmtFunctionDef,
    visitor::source_order::{self, SourceOrderVisitor, TraversalSignal},
};

/// The parameter of `def` that the argument `argument` of `call` binds: a positional one (none
/// before it starred) or a keyword one. `None` for anything else (`*args`, `**kwargs`, a starred
/// argument, a method's call).
pub fn parameter_for<'t>(
    def: &'t StmtFunctionDef,
    call: &ExprCall,
    argument: AnyNodeRef<'_>,
) -> Option<&'t ruff_python_ast::Parameter> {
    let parameters = &def.parameters;
    for (index, arg) in call.arguments.args.iter().enumerate() {
        if arg.is_starred_expr() {
            return None;
        }
        if AnyNodeRef::from(arg).ptr_eq(argument) {
            return parameters
                .posonlyargs
                .iter()
                .chain(&parameters.args)
                .nth(index)
                .map(|p| &p.parameter);
        }
    }
    let keyword = call
        .arguments
        .keywords
        .iter()
        .find(|k| AnyNodeRef::from(&k.value).ptr_eq(argument))?;
    let name = keyword.arg.as_ref()?.as_str();
    parameters
        .args
        .iter()
        .chain(&parameters.kwonlyargs)
        .map(|p| &p.parameter)
        .find(|p| p.name.as_str() == name)
}

/// The argument of `call` that binds the parameter `parameter` of `def` (see [`parameter_for`]).
pub fn argument_for<'c>(
    def: &StmtFunctionDef,
    call: &'c ExprCall,
    parameter: &str,
) -> Option<&'c Expr> {
    let position = def
        .parameters
        .posonlyargs
        .iter()
        .chain(&def.parameters.args)
        .position(|p| p.parameter.name.as_str() == parameter);
    if let Some(position) = position {
        let before = &call.arguments.args[..position.min(call.arguments.args.len())];
        if before.iter().any(Expr::is_starred_expr) {
            return None;
        }
        if let Some(argument) = call.arguments.args.get(position) {
            return (!argument.is_starred_expr()).then_some(argument);
        }
    }
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == parameter))
        .map(|k| &k.value)
}

/// The functions defined by `def name` among `body`'s statements (not nested ones).
pub fn defined<'t>(name: &str, body: &'t [Stmt]) -> impl Iterator<Item = &'t StmtFunctionDef> {
    body.iter().filter_map(move |statement| match statement {
        Stmt::FunctionDef(def) if def.name.as_str() == name => Some(def),
        _ => None,
    })
}

/// The reads of a name (or of an attribute of a name) in a scope's body, each with the nodes
/// enclosing it.
pub struct Reads<'t, 'n> {
    name: &'n str,
    attribute: Option<&'n str>,
    path: Vec<AnyNodeRef<'t>>,
    pub found: Vec<(ExprRef<'t>, Vec<AnyNodeRef<'t>>)>,
}

impl<'t, 'n> Reads<'t, 'n> {
    pub fn of_name(name: &'n str, scope: &[AnyNodeRef<'t>]) -> Self {
        Reads {
            name,
            attribute: None,
            path: scope.to_vec(),
            found: Vec::new(),
        }
    }

    pub fn of_attribute(instance: &'n str, attribute: &'n str, scope: &[AnyNodeRef<'t>]) -> Self {
        Reads {
            name: instance,
            attribute: Some(attribute),
            path: scope.to_vec(),
            found: Vec::new(),
        }
    }

    /// Whether a function nested in the scope binds the name itself (a parameter of it).
    fn shadows(&self, def: &StmtFunctionDef) -> bool {
        def.parameters
            .iter()
            .any(|parameter| parameter.name().as_str() == self.name)
    }
}

impl<'t> SourceOrderVisitor<'t> for Reads<'t, '_> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> TraversalSignal {
        match node {
            AnyNodeRef::StmtFunctionDef(def) if self.shadows(def) => TraversalSignal::Skip,
            _ => {
                self.path.push(node);
                TraversalSignal::Traverse
            }
        }
    }

    fn leave_node(&mut self, node: AnyNodeRef<'t>) {
        if self.path.last().is_some_and(|last| last.ptr_eq(node)) {
            self.path.pop();
        }
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        let is_read = match (expr, self.attribute) {
            (Expr::Name(name), None) => {
                name.ctx == ExprContext::Load && name.id.as_str() == self.name
            }
            (Expr::Attribute(attribute), Some(wanted)) => {
                attribute.ctx == ExprContext::Load
                    && attribute.attr.as_str() == wanted
                    && attribute
                        .value
                        .as_name_expr()
                        .is_some_and(|n| n.id.as_str() == self.name)
            }
            _ => false,
        };
        if is_read {
            self.found.push((ExprRef::from(expr), self.path.clone()));
        }
        source_order::walk_expr(self, expr);
    }
}
