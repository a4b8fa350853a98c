//! `kind`: the node is of one of these kinds (`kind = "Call"`, `kind = ["Name", "Attribute"]`).
//!
//! Kinds are Ruff's node kinds without their `Expr`/`Stmt` prefix (`Expr` is an expression
//! statement, `IfExp` a conditional expression, `ExceptHandler` an `except` clause); `Identifier`
//! is an identifier a metavariable stood for; `AsyncFor`, `AsyncWith`, `AsyncFunctionDef` and
//! `AsyncComprehension` are those written `async` (`For` is either).

use ruff_python_ast::{AnyNodeRef, NodeKind};

use super::needs::{Needle, Needs};
use super::read::{CompileError, Compiler, Scope, node_only, strings};
use super::value::Value;
use super::{Atom, Context, Subject, Target};
use crate::pattern::anchor::{kinds_keywords, rare_keyword};
use crate::pattern::matcher::Env;

/// Every kind a `kind` condition may name, and the node kind it is.
pub const NODE_KINDS: &[(&str, NodeKind)] = &[
    ("BoolOp", NodeKind::ExprBoolOp),
    ("Named", NodeKind::ExprNamed),
    ("BinOp", NodeKind::ExprBinOp),
    ("UnaryOp", NodeKind::ExprUnaryOp),
    ("Lambda", NodeKind::ExprLambda),
    ("IfExp", NodeKind::ExprIf),
    ("Dict", NodeKind::ExprDict),
    ("Set", NodeKind::ExprSet),
    ("ListComp", NodeKind::ExprListComp),
    ("SetComp", NodeKind::ExprSetComp),
    ("DictComp", NodeKind::ExprDictComp),
    ("Generator", NodeKind::ExprGenerator),
    ("Await", NodeKind::ExprAwait),
    ("Yield", NodeKind::ExprYield),
    ("YieldFrom", NodeKind::ExprYieldFrom),
    ("Compare", NodeKind::ExprCompare),
    ("Call", NodeKind::ExprCall),
    ("FString", NodeKind::ExprFString),
    ("TString", NodeKind::ExprTString),
    ("StringLiteral", NodeKind::ExprStringLiteral),
    ("BytesLiteral", NodeKind::ExprBytesLiteral),
    ("NumberLiteral", NodeKind::ExprNumberLiteral),
    ("BooleanLiteral", NodeKind::ExprBooleanLiteral),
    ("NoneLiteral", NodeKind::ExprNoneLiteral),
    ("EllipsisLiteral", NodeKind::ExprEllipsisLiteral),
    ("Attribute", NodeKind::ExprAttribute),
    ("Subscript", NodeKind::ExprSubscript),
    ("Starred", NodeKind::ExprStarred),
    ("Name", NodeKind::ExprName),
    ("List", NodeKind::ExprList),
    ("Tuple", NodeKind::ExprTuple),
    ("Slice", NodeKind::ExprSlice),
    ("FunctionDef", NodeKind::StmtFunctionDef),
    ("ClassDef", NodeKind::StmtClassDef),
    ("Return", NodeKind::StmtReturn),
    ("Delete", NodeKind::StmtDelete),
    ("Assign", NodeKind::StmtAssign),
    ("AugAssign", NodeKind::StmtAugAssign),
    ("AnnAssign", NodeKind::StmtAnnAssign),
    ("For", NodeKind::StmtFor),
    ("While", NodeKind::StmtWhile),
    ("If", NodeKind::StmtIf),
    ("With", NodeKind::StmtWith),
    ("Match", NodeKind::StmtMatch),
    ("Raise", NodeKind::StmtRaise),
    ("Try", NodeKind::StmtTry),
    ("Assert", NodeKind::StmtAssert),
    ("Import", NodeKind::StmtImport),
    ("ImportFrom", NodeKind::StmtImportFrom),
    ("Global", NodeKind::StmtGlobal),
    ("Nonlocal", NodeKind::StmtNonlocal),
    ("Expr", NodeKind::StmtExpr),
    ("Pass", NodeKind::StmtPass),
    ("Break", NodeKind::StmtBreak),
    ("Continue", NodeKind::StmtContinue),
    ("ExceptHandler", NodeKind::ExceptHandlerExceptHandler),
    ("Keyword", NodeKind::Keyword),
    ("Alias", NodeKind::Alias),
    ("Decorator", NodeKind::Decorator),
    ("WithItem", NodeKind::WithItem),
    ("Parameter", NodeKind::Parameter),
    ("ParameterWithDefault", NodeKind::ParameterWithDefault),
    ("Comprehension", NodeKind::Comprehension),
    ("MatchCase", NodeKind::MatchCase),
    ("ElifElseClause", NodeKind::ElifElseClause),
];

/// The kinds that are a node kind written `async` (Python's `ast` names): `AsyncFunctionDef`,
/// `AsyncFor`, `AsyncWith`, and `AsyncComprehension` (a comprehension's `async for`).
const ASYNC_KINDS: &[(&str, NodeKind)] = &[
    ("AsyncFunctionDef", NodeKind::StmtFunctionDef),
    ("AsyncFor", NodeKind::StmtFor),
    ("AsyncWith", NodeKind::StmtWith),
    ("AsyncComprehension", NodeKind::Comprehension),
];

/// The kind an identifier a metavariable stood for has.
const IDENTIFIER: &str = "Identifier";

#[derive(Debug)]
struct KindIs {
    kinds: Vec<NodeKind>,
    /// Kinds whose node must be written `async`.
    async_kinds: Vec<NodeKind>,
    identifier: bool,
}

/// Whether `node` is written `async`.
fn is_async(node: AnyNodeRef<'_>) -> bool {
    match node {
        AnyNodeRef::StmtFunctionDef(function) => function.is_async,
        AnyNodeRef::StmtFor(for_) => for_.is_async,
        AnyNodeRef::StmtWith(with) => with.is_async,
        AnyNodeRef::Comprehension(comprehension) => comprehension.is_async,
        _ => false,
    }
}

pub(super) fn parse(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "kind", scope)?;
    let mut identifier = false;
    let mut kinds = Vec::new();
    let mut async_kinds = Vec::new();
    for (name, value) in strings(item, "a node kind")? {
        if name == IDENTIFIER {
            identifier = true;
        } else if let Some((_, kind)) = ASYNC_KINDS.iter().find(|(known, _)| *known == name) {
            async_kinds.push(*kind);
        } else {
            kinds.push(node_kind(&name, value)?);
        }
    }
    Ok(Box::new(KindIs {
        kinds,
        async_kinds,
        identifier,
    }))
}

/// The node kinds `item` names (a `match` table's `kind` entry: no identifiers); an `Async…`
/// kind gives its node kind, which the rest of the table tests again.
pub(super) fn node_kinds(item: &Value) -> Result<Vec<NodeKind>, CompileError> {
    strings(item, "a node kind")?
        .into_iter()
        .map(
            |(name, value)| match ASYNC_KINDS.iter().find(|(known, _)| *known == name) {
                Some((_, kind)) => Ok(*kind),
                None if name == IDENTIFIER => Err(CompileError::at(
                    value,
                    "`Identifier` is what a metavariable stood for, not a node the walk tries",
                )),
                None => node_kind(&name, value),
            },
        )
        .collect()
}

fn node_kind(name: &str, value: &Value) -> Result<NodeKind, CompileError> {
    NODE_KINDS
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, kind)| *kind)
        .ok_or_else(|| {
            let known: Vec<&str> = NODE_KINDS
                .iter()
                .chain(ASYNC_KINDS)
                .map(|(known, _)| *known)
                .collect();
            CompileError::at(value, format!("unknown node kind `{name}`"))
                .note(format!("known kinds: {}, {IDENTIFIER}", known.join(", ")))
        })
}

impl Atom for KindIs {
    /// Where every kind is written with a keyword many files lack (`async`, `yield`, `except`,
    /// …), the file holds one of those keywords.
    fn needs(&self, _modules: &rustc_hash::FxHashSet<String>) -> Needs {
        let rare = kinds_keywords(&self.kinds).and_then(|keywords| {
            keywords
                .into_iter()
                .map(rare_keyword)
                .collect::<Option<Vec<_>>>()
        });
        let Some(mut words) = rare.filter(|_| !self.identifier) else {
            return Needs::nothing();
        };
        if !self.async_kinds.is_empty() {
            words.push("async");
        }
        if words.is_empty() {
            return Needs::nothing();
        }
        Needs::file(
            words
                .into_iter()
                .map(|word| vec![Needle::of(word.to_owned())])
                .collect(),
        )
    }

    fn holds<'r, 't>(
        &'r self,
        _cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        match &target.subject {
            Subject::Node(node) => {
                self.kinds.contains(&node.kind())
                    || (self.async_kinds.contains(&node.kind()) && is_async(*node))
            }
            Subject::Ident(_) => self.identifier,
            Subject::List(_) | Subject::Text => false,
        }
    }
}
