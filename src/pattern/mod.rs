//! The pattern language: Python source with metavariables, parsed by Ruff's parser.
//!
//! A [`Pattern`] is an expression (`pkg.sleep($D)`), one statement
//! (`$X = await pkg.wait_for($C, $T)`) or several statements. It is parsed once, validated
//! (`$$$` only where a list of nodes stands) and then matched against files by [`matcher`].

pub mod anchor;
pub mod layout;
pub mod matcher;
pub mod metavar;
pub mod shape;
pub mod template;

use ruff_python_ast::{
    AnyNodeRef, Expr, Identifier, ModModule, NodeKind, Stmt,
    visitor::source_order::{self, SourceOrderVisitor, TraversalSignal},
};
use ruff_python_parser::Parsed;
use rustc_hash::FxHashSet;

pub use metavar::Metavar;

/// What a pattern stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// An expression: matches any expression node.
    Expr,
    /// One statement.
    Stmt,
    /// Several consecutive statements of one block.
    Stmts,
}

/// What an `except` pattern is parsed after.
const HANDLER_PREFIX: &str = "try:\n    pass\n";

/// A parsed pattern.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern as the pack wrote it, with `$` metavariables.
    pub text: String,
    /// The pattern as parsed, with placeholder identifiers.
    python: String,
    parsed: Parsed<ModModule>,
    pub form: Form,
    /// Whether it is one `except` clause (parsed after a `try: pass` that is not part of it).
    handler: bool,
}

/// Why a pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The node kinds a pattern's root can match, for dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootKinds {
    Kinds(Vec<NodeKind>),
    AnyExpr,
    AnyStmt,
    /// A statement sequence: tried at every position of every block.
    Block,
}

/// Where a metavariable may stand: one node, a list element, or an identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetavarUse {
    pub name: String,
    pub variadic: bool,
}

impl Pattern {
    /// Parse `text` as a pattern.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let python = metavar::to_python(text).map_err(|offset| PatternError {
            message: format!(
                "`$` at offset {offset} does not start a metavariable: write `$NAME`, `$$$NAME` or `$_` (uppercase)"
            ),
        })?;
        // An `except` clause is parsed as the handler of a `try` written before it.
        let handler = text
            .trim_start()
            .strip_prefix("except")
            .is_some_and(|rest| {
                !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
            });
        let python = if handler {
            format!("{HANDLER_PREFIX}{python}")
        } else {
            python
        };
        let parsed = ruff_python_parser::parse_module(&python).map_err(|error| PatternError {
            message: format!(
                "not valid Python: {}",
                metavar::to_dollar(&error.error.to_string())
            ),
        })?;
        let form = match &parsed.suite()[..] {
            [Stmt::Try(node)] if handler && node.handlers.len() == 1 => Form::Stmt,
            _ if handler => {
                return Err(PatternError {
                    message: "an `except` pattern is one `except` clause".to_owned(),
                });
            }
            [] => {
                return Err(PatternError {
                    message: "the pattern is empty".to_owned(),
                });
            }
            [Stmt::Expr(_)] => Form::Expr,
            [_] => Form::Stmt,
            _ => Form::Stmts,
        };
        let pattern = Pattern {
            text: text.to_owned(),
            python,
            parsed,
            form,
            handler,
        };
        pattern.check_variadics()?;
        Ok(pattern)
    }

    /// The placeholder source the AST was parsed from.
    pub fn python(&self) -> &str {
        &self.python
    }

    pub fn statements(&self) -> &[Stmt] {
        self.parsed.suite()
    }

    /// The root node for expression and single-statement patterns.
    pub fn root(&self) -> AnyNodeRef<'_> {
        match (&self.form, &self.parsed.suite()[..]) {
            (_, [Stmt::Try(node)]) if self.handler => AnyNodeRef::from(&node.handlers[0]),
            (Form::Expr, [Stmt::Expr(expr)]) => AnyNodeRef::from(&*expr.value),
            (_, [first, ..]) => AnyNodeRef::from(first),
            _ => unreachable!("patterns are never empty"),
        }
    }

    /// Every metavariable the pattern binds, in source order, without repeats or `$_`.
    pub fn metavars(&self) -> Vec<MetavarUse> {
        let mut collector = Collector::default();
        collector.visit_body(self.parsed.suite());
        collector.metavars
    }

    /// The node kinds that can match the pattern's root.
    pub fn root_kinds(&self, modules: &FxHashSet<String>) -> RootKinds {
        match self.form {
            Form::Stmts => RootKinds::Block,
            Form::Stmt => match self.root() {
                AnyNodeRef::StmtExpr(stmt) if single_metavar(&stmt.value).is_some() => {
                    RootKinds::AnyStmt
                }
                node => RootKinds::Kinds(vec![node.kind()]),
            },
            Form::Expr => {
                let AnyNodeRef::StmtExpr(stmt) = AnyNodeRef::from(&self.parsed.suite()[0]) else {
                    unreachable!("expression patterns are expression statements")
                };
                let expr = &*stmt.value;
                if single_metavar(expr).is_some() {
                    RootKinds::AnyExpr
                } else if matcher::module_chain(AnyNodeRef::from(expr), modules).is_some() {
                    RootKinds::Kinds(vec![NodeKind::ExprName, NodeKind::ExprAttribute])
                } else {
                    RootKinds::Kinds(vec![AnyNodeRef::from(expr).kind()])
                }
            }
        }
    }

    /// How this expression pattern names the node it matches (for a call, its callee), when it
    /// does; dispatch then looks the pattern up by the node's name instead of trying it on every
    /// node of its kind.
    pub fn named(&self, modules: &FxHashSet<String>) -> Option<Named<'_>> {
        if self.form != Form::Expr {
            return None;
        }
        let named = match self.root() {
            AnyNodeRef::ExprCall(call) => AnyNodeRef::from(&*call.func),
            node => node,
        };
        if let Some(key) = chain_key(named, modules) {
            return Some(Named::Key(key));
        }
        fn named_metavar(id: &str) -> Option<&str> {
            metavar::parse_placeholder(id)
                .filter(|mv| !mv.variadic && !mv.is_anonymous())
                .map(|mv| mv.name)
        }
        match named {
            AnyNodeRef::ExprAttribute(attribute) => match named_metavar(attribute.attr.as_str()) {
                Some(name) => Some(Named::AttributeMetavar {
                    attribute: name,
                    object: single_metavar(&attribute.value).map(|mv| mv.name),
                }),
                None if metavar::parse_placeholder(attribute.attr.as_str()).is_none() => Some(
                    Named::Key(DispatchKey::Attribute(attribute.attr.to_string())),
                ),
                None => None,
            },
            AnyNodeRef::ExprName(name) => named_metavar(name.id.as_str()).map(Named::Metavar),
            _ => None,
        }
    }

    /// The key of every node this pattern matches when the pattern is a dotted name rooted in one
    /// of `modules` (`pkg.sleep`, `pkg.$NAME`), as a constraint's pattern often is.
    pub fn chain_key(&self, modules: &FxHashSet<String>) -> Option<DispatchKey> {
        (self.form == Form::Expr)
            .then(|| chain_key(self.root(), modules))
            .flatten()
    }

    /// Identifiers every match must contain in its source text (used by the prefilter).
    pub fn literals(&self) -> Vec<String> {
        let mut collector = Collector::default();
        collector.visit_body(self.parsed.suite());
        let mut literals: Vec<String> = collector.literals.into_iter().collect();
        literals.sort();
        literals
    }

    fn check_variadics(&self) -> Result<(), PatternError> {
        let mut checker = VariadicPlacement {
            parents: Vec::new(),
            error: None,
        };
        checker.visit_body(self.parsed.suite());
        match checker.error {
            Some(name) => Err(PatternError {
                message: format!(
                    "`$$${name}` stands where one node is expected; `$$$` metavariables only stand \
                     for elements of a list (call arguments, `**$$$KW` for unnamed keywords, list/tuple/set \
                     elements, statements of a block, `with` items, decorators, imported names)"
                ),
            }),
            None => Ok(()),
        }
    }
}

/// The key of the nodes a module chain matches (`pkg.sleep`, `pkg.$NAME`, `pkg.$SUB.$NAME`).
fn chain_key(node: AnyNodeRef<'_>, modules: &FxHashSet<String>) -> Option<DispatchKey> {
    let Some(chain) = matcher::module_chain(node, modules) else {
        // `pkg.$SUB.$NAME`: a metavariable's attribute of a chain ending in one.
        let AnyNodeRef::ExprAttribute(attribute) = node else {
            return None;
        };
        metavar::parse_placeholder(attribute.attr.as_str()).filter(|mv| !mv.variadic)?;
        let inner = matcher::module_chain(AnyNodeRef::from(&*attribute.value), modules)?;
        inner.tail?;
        return Some(DispatchKey::Below(inner.segments.join(".")));
    };
    let joined = chain.segments.join(".");
    Some(match chain.tail {
        None => DispatchKey::Qualified(joined),
        Some(_) => DispatchKey::Under(joined),
    })
}

/// How a pattern names the node it matches (for a call, its callee).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named<'p> {
    /// By a name the pattern spells.
    Key(DispatchKey),
    /// By a metavariable standing for the whole node (`$F(...)`): a constraint on it may name it.
    Metavar(&'p str),
    /// By a metavariable standing for its attribute (`$X.$METHOD(...)`), and the one standing for
    /// the object when the object is one.
    AttributeMetavar {
        attribute: &'p str,
        object: Option<&'p str>,
    },
}

/// The name a node (or, for a call, its callee) must have for a pattern to match it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DispatchKey {
    /// It resolves to this qualified name (`pkg.sleep`).
    Qualified(String),
    /// It resolves to a name one segment below this one (`pkg.$NAME`).
    Under(String),
    /// It resolves to a name two segments below this one (`pkg.$SUB.$NAME`).
    Below(String),
    /// It is an attribute access of this attribute (`$X.time`), whatever the object.
    Attribute(String),
    /// It is an attribute access on a plain name spelled so (`$M.$NAME` with `$M` constrained to
    /// `^pkg$`).
    Object(String),
}

/// The metavariable an expression is, when it is nothing else.
pub fn single_metavar(expr: &Expr) -> Option<Metavar<'_>> {
    match expr {
        Expr::Name(name) => metavar::parse_placeholder(name.id.as_str()).filter(|m| !m.variadic),
        _ => None,
    }
}

#[derive(Default)]
struct Collector {
    metavars: Vec<MetavarUse>,
    literals: FxHashSet<String>,
}

impl Collector {
    fn identifier(&mut self, id: &str) {
        match metavar::parse_placeholder(id) {
            Some(mv) if mv.is_anonymous() => {}
            Some(mv) => {
                if !self.metavars.iter().any(|m| m.name == mv.name) {
                    self.metavars.push(MetavarUse {
                        name: mv.name.to_owned(),
                        variadic: mv.variadic,
                    });
                }
            }
            None => {
                self.literals.insert(id.to_owned());
            }
        }
    }
}

impl<'a> SourceOrderVisitor<'a> for Collector {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr {
            self.identifier(name.id.as_str());
        }
        source_order::walk_expr(self, expr);
    }

    fn visit_identifier(&mut self, identifier: &'a Identifier) {
        self.identifier(identifier.as_str());
    }
}

/// Finds a `$$$` metavariable whose parent cannot hold a list of nodes.
struct VariadicPlacement<'a> {
    parents: Vec<AnyNodeRef<'a>>,
    error: Option<String>,
}

impl<'a> SourceOrderVisitor<'a> for VariadicPlacement<'a> {
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        let variadic_name = match node {
            AnyNodeRef::ExprName(name) => metavar::parse_placeholder(name.id.as_str()),
            AnyNodeRef::Identifier(identifier) => metavar::parse_placeholder(identifier.as_str()),
            _ => None,
        }
        .filter(|mv| mv.variadic);
        if let Some(mv) = variadic_name {
            let allowed = match self.parents.last() {
                Some(parent) => matcher::holds_list_element(*parent, node),
                None => false,
            };
            if !allowed && self.error.is_none() {
                self.error = Some(mv.name.to_owned());
            }
        }
        self.parents.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, _node: AnyNodeRef<'a>) {
        self.parents.pop();
    }

    fn visit_identifier(&mut self, identifier: &'a Identifier) {
        source_order::walk_identifier(self, identifier);
    }
}

#[cfg(test)]
mod tests {
    use super::{Pattern, RootKinds};
    use ruff_python_ast::NodeKind;
    use rustc_hash::FxHashSet;

    fn root(text: &str) -> RootKinds {
        Pattern::parse(text)
            .unwrap_or_else(|error| panic!("{text}: {}", error.message))
            .root_kinds(&FxHashSet::default())
    }

    #[test]
    fn an_except_clause_is_a_pattern_and_a_name_starting_with_except_is_a_name() {
        assert!(matches!(
            root("except $T as $E:\n    $$$B"),
            RootKinds::Kinds(kinds) if kinds == [NodeKind::ExceptHandlerExceptHandler]
        ));
        assert!(matches!(
            root("except* $T:\n    $$$B"),
            RootKinds::Kinds(kinds) if kinds == [NodeKind::ExceptHandlerExceptHandler]
        ));
        for name in [
            "exceptiongroup.ExceptionGroup",
            "exceptions",
            "except_hook($X)",
        ] {
            assert!(
                !matches!(root(name), RootKinds::Kinds(kinds) if kinds == [NodeKind::ExceptHandlerExceptHandler]),
                "{name}"
            );
        }
    }
}
