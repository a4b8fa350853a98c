//! A uniform view of Ruff's AST nodes for structural matching.
//!
//! [`shape`] describes any node as its *leaves* (identifiers, operators, literal values, flags) and
//! its *slots* (child nodes, optional children, child lists, call arguments, dict items). The
//! matcher walks a pattern and a target side by side through this view, so it needs no code per
//! node kind and no code per rule. Kinds the pattern language does not look inside (f-strings,
//! `match` statements, type parameters) are compared by their exact source text.

use ruff_python_ast::{
    self as ast, AnyNodeRef, Arguments, DictItem, Expr, Identifier, Number, Stmt,
};
use ruff_text_size::Ranged;
use smallvec::SmallVec;

/// A non-node part of a node that must be equal for two nodes to match.
#[derive(Debug)]
pub enum Leaf<'a> {
    /// An identifier that a metavariable may stand for in a pattern.
    Ident(&'a Identifier),
    /// An optional identifier (`except E as name`, `import a as b`, `**kwargs` keyword name).
    OptIdent(Option<&'a Identifier>),
    /// A string literal, compared by value (so quoting style does not matter).
    Str(&'a str),
    Bytes(Vec<u8>),
    Num(&'a Number),
    Flag(bool),
    /// An operator (of one node kind: the kind decides which operator enum it is).
    Op(u8),
    /// The comparison operators of a chained comparison.
    CmpOps(&'a [ast::CmpOp]),
    /// The relative-import level of `from ... import`.
    Level(u32),
    /// The names of `global` / `nonlocal`.
    Names(&'a [Identifier]),
    /// A name compared as text: the module of `from m import`, or a variable that is not a
    /// metavariable.
    Text(Option<&'a str>),
}

impl Leaf<'_> {
    /// Equality of two leaves when neither is a metavariable.
    pub fn same(&self, other: &Leaf<'_>) -> bool {
        match (self, other) {
            (Leaf::Ident(a), Leaf::Ident(b)) => a.id == b.id,
            (Leaf::OptIdent(a), Leaf::OptIdent(b)) => match (a, b) {
                (Some(a), Some(b)) => a.id == b.id,
                (None, None) => true,
                _ => false,
            },
            (Leaf::Str(a), Leaf::Str(b)) => a == b,
            (Leaf::Bytes(a), Leaf::Bytes(b)) => a == b,
            (Leaf::Num(a), Leaf::Num(b)) => a == b,
            (Leaf::Flag(a), Leaf::Flag(b)) => a == b,
            (Leaf::Op(a), Leaf::Op(b)) => a == b,
            (Leaf::CmpOps(a), Leaf::CmpOps(b)) => a == b,
            (Leaf::Level(a), Leaf::Level(b)) => a == b,
            (Leaf::Names(a), Leaf::Names(b)) => {
                a.len() == b.len() && a.iter().zip(*b).all(|(a, b)| a.id == b.id)
            }
            (Leaf::Text(a), Leaf::Text(b)) => a == b,
            _ => false,
        }
    }
}

/// A list of child nodes, borrowed from the AST without copying.
#[derive(Debug, Clone, Copy)]
pub enum NodeList<'a> {
    Exprs(&'a [Expr]),
    Stmts(&'a [Stmt]),
    Keywords(&'a [ast::Keyword]),
    Aliases(&'a [ast::Alias]),
    WithItems(&'a [ast::WithItem]),
    Handlers(&'a [ast::ExceptHandler]),
    Comprehensions(&'a [ast::Comprehension]),
    Decorators(&'a [ast::Decorator]),
    ElifElse(&'a [ast::ElifElseClause]),
    Params(&'a [ast::ParameterWithDefault]),
}

impl<'a> NodeList<'a> {
    pub fn len(&self) -> usize {
        match self {
            NodeList::Exprs(s) => s.len(),
            NodeList::Stmts(s) => s.len(),
            NodeList::Keywords(s) => s.len(),
            NodeList::Aliases(s) => s.len(),
            NodeList::WithItems(s) => s.len(),
            NodeList::Handlers(s) => s.len(),
            NodeList::Comprehensions(s) => s.len(),
            NodeList::Decorators(s) => s.len(),
            NodeList::ElifElse(s) => s.len(),
            NodeList::Params(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, index: usize) -> AnyNodeRef<'a> {
        match self {
            NodeList::Exprs(s) => AnyNodeRef::from(&s[index]),
            NodeList::Stmts(s) => AnyNodeRef::from(&s[index]),
            NodeList::Keywords(s) => AnyNodeRef::from(&s[index]),
            NodeList::Aliases(s) => AnyNodeRef::from(&s[index]),
            NodeList::WithItems(s) => AnyNodeRef::from(&s[index]),
            NodeList::Handlers(s) => AnyNodeRef::from(&s[index]),
            NodeList::Comprehensions(s) => AnyNodeRef::from(&s[index]),
            NodeList::Decorators(s) => AnyNodeRef::from(&s[index]),
            NodeList::ElifElse(s) => AnyNodeRef::from(&s[index]),
            NodeList::Params(s) => AnyNodeRef::from(&s[index]),
        }
    }

    pub fn iter(self) -> impl Iterator<Item = AnyNodeRef<'a>> {
        (0..self.len()).map(move |i| self.get(i))
    }
}

/// One child position of a node.
#[derive(Debug)]
pub enum Slot<'a> {
    One(AnyNodeRef<'a>),
    Opt(Option<AnyNodeRef<'a>>),
    List(NodeList<'a>),
    /// Call arguments: positional arguments in order, keywords in any order.
    Args(&'a Arguments),
    OptArgs(Option<&'a Arguments>),
    Dict(&'a [DictItem]),
}

/// How two nodes of a kind are compared.
#[derive(Debug)]
pub enum Shape<'a> {
    /// Compare leaves, then slots, pairwise.
    Structural {
        leaves: SmallVec<[Leaf<'a>; 2]>,
        slots: SmallVec<[Slot<'a>; 4]>,
    },
    /// Compare by exact source text: no metavariables are recognised inside.
    ExactText,
}

fn opt_expr(expr: Option<&Expr>) -> Slot<'_> {
    Slot::Opt(expr.map(AnyNodeRef::from))
}

fn one(expr: &Expr) -> Slot<'_> {
    Slot::One(AnyNodeRef::from(expr))
}

/// Describe `node` for the matcher.
pub fn shape<'a>(node: AnyNodeRef<'a>) -> Shape<'a> {
    use AnyNodeRef as N;
    let mut leaves: SmallVec<[Leaf<'a>; 2]> = SmallVec::new();
    let mut slots: SmallVec<[Slot<'a>; 4]> = SmallVec::new();
    match node {
        N::ModModule(m) => slots.push(Slot::List(NodeList::Stmts(&m.body))),
        N::ModExpression(m) => slots.push(one(&m.body)),
        N::StmtFunctionDef(f) => {
            leaves.push(Leaf::Flag(f.is_async));
            leaves.push(Leaf::Ident(&f.name));
            slots.push(Slot::List(NodeList::Decorators(&f.decorator_list)));
            slots.push(Slot::Opt(f.type_params.as_deref().map(AnyNodeRef::from)));
            slots.push(Slot::One(AnyNodeRef::from(&*f.parameters)));
            slots.push(opt_expr(f.returns.as_deref()));
            slots.push(Slot::List(NodeList::Stmts(&f.body)));
        }
        N::StmtClassDef(c) => {
            leaves.push(Leaf::Ident(&c.name));
            slots.push(Slot::List(NodeList::Decorators(&c.decorator_list)));
            slots.push(Slot::Opt(c.type_params.as_deref().map(AnyNodeRef::from)));
            slots.push(Slot::OptArgs(c.arguments.as_deref()));
            slots.push(Slot::List(NodeList::Stmts(&c.body)));
        }
        N::StmtReturn(r) => slots.push(opt_expr(r.value.as_deref())),
        N::StmtDelete(d) => slots.push(Slot::List(NodeList::Exprs(&d.targets))),
        N::StmtAssign(a) => {
            slots.push(Slot::List(NodeList::Exprs(&a.targets)));
            slots.push(one(&a.value));
        }
        N::StmtAugAssign(a) => {
            leaves.push(Leaf::Op(a.op as u8));
            slots.push(one(&a.target));
            slots.push(one(&a.value));
        }
        N::StmtAnnAssign(a) => {
            slots.push(one(&a.target));
            slots.push(one(&a.annotation));
            slots.push(opt_expr(a.value.as_deref()));
        }
        N::StmtFor(f) => {
            leaves.push(Leaf::Flag(f.is_async));
            slots.push(one(&f.target));
            slots.push(one(&f.iter));
            slots.push(Slot::List(NodeList::Stmts(&f.body)));
            slots.push(Slot::List(NodeList::Stmts(&f.orelse)));
        }
        N::StmtWhile(w) => {
            slots.push(one(&w.test));
            slots.push(Slot::List(NodeList::Stmts(&w.body)));
            slots.push(Slot::List(NodeList::Stmts(&w.orelse)));
        }
        N::StmtIf(i) => {
            slots.push(one(&i.test));
            slots.push(Slot::List(NodeList::Stmts(&i.body)));
            slots.push(Slot::List(NodeList::ElifElse(&i.elif_else_clauses)));
        }
        N::ElifElseClause(c) => {
            slots.push(opt_expr(c.test.as_ref()));
            slots.push(Slot::List(NodeList::Stmts(&c.body)));
        }
        N::StmtWith(w) => {
            leaves.push(Leaf::Flag(w.is_async));
            slots.push(Slot::List(NodeList::WithItems(&w.items)));
            slots.push(Slot::List(NodeList::Stmts(&w.body)));
        }
        N::WithItem(w) => {
            slots.push(one(&w.context_expr));
            slots.push(opt_expr(w.optional_vars.as_deref()));
        }
        N::StmtRaise(r) => {
            slots.push(opt_expr(r.exc.as_deref()));
            slots.push(opt_expr(r.cause.as_deref()));
        }
        N::StmtTry(t) => {
            leaves.push(Leaf::Flag(t.is_star));
            slots.push(Slot::List(NodeList::Stmts(&t.body)));
            slots.push(Slot::List(NodeList::Handlers(&t.handlers)));
            slots.push(Slot::List(NodeList::Stmts(&t.orelse)));
            slots.push(Slot::List(NodeList::Stmts(&t.finalbody)));
        }
        N::ExceptHandlerExceptHandler(h) => {
            leaves.push(Leaf::OptIdent(h.name.as_ref()));
            slots.push(opt_expr(h.type_.as_deref()));
            slots.push(Slot::List(NodeList::Stmts(&h.body)));
        }
        N::StmtAssert(a) => {
            slots.push(one(&a.test));
            slots.push(opt_expr(a.msg.as_deref()));
        }
        N::StmtImport(i) => slots.push(Slot::List(NodeList::Aliases(&i.names))),
        N::StmtImportFrom(i) => {
            leaves.push(Leaf::Text(i.module.as_ref().map(Identifier::as_str)));
            leaves.push(Leaf::Level(i.level));
            slots.push(Slot::List(NodeList::Aliases(&i.names)));
        }
        N::Alias(a) => {
            leaves.push(Leaf::Ident(&a.name));
            leaves.push(Leaf::OptIdent(a.asname.as_ref()));
        }
        N::StmtGlobal(g) => {
            leaves.push(Leaf::Names(&g.names));
        }
        N::StmtNonlocal(g) => {
            leaves.push(Leaf::Names(&g.names));
        }
        N::StmtExpr(e) => slots.push(one(&e.value)),
        N::StmtPass(_) | N::StmtBreak(_) | N::StmtContinue(_) => {}
        N::ExprBoolOp(b) => {
            leaves.push(Leaf::Op(b.op as u8));
            slots.push(Slot::List(NodeList::Exprs(&b.values)));
        }
        N::ExprNamed(n) => {
            slots.push(one(&n.target));
            slots.push(one(&n.value));
        }
        N::ExprBinOp(b) => {
            leaves.push(Leaf::Op(b.op as u8));
            slots.push(one(&b.left));
            slots.push(one(&b.right));
        }
        N::ExprUnaryOp(u) => {
            leaves.push(Leaf::Op(u.op as u8));
            slots.push(one(&u.operand));
        }
        N::ExprLambda(l) => {
            slots.push(Slot::Opt(l.parameters.as_deref().map(AnyNodeRef::from)));
            slots.push(one(&l.body));
        }
        N::ExprIf(i) => {
            slots.push(one(&i.test));
            slots.push(one(&i.body));
            slots.push(one(&i.orelse));
        }
        N::ExprDict(d) => slots.push(Slot::Dict(&d.items)),
        N::ExprSet(s) => slots.push(Slot::List(NodeList::Exprs(&s.elts))),
        N::ExprList(l) => slots.push(Slot::List(NodeList::Exprs(&l.elts))),
        N::ExprTuple(t) => slots.push(Slot::List(NodeList::Exprs(&t.elts))),
        N::ExprListComp(c) => {
            slots.push(one(&c.elt));
            slots.push(Slot::List(NodeList::Comprehensions(&c.generators)));
        }
        N::ExprSetComp(c) => {
            slots.push(one(&c.elt));
            slots.push(Slot::List(NodeList::Comprehensions(&c.generators)));
        }
        N::ExprGenerator(c) => {
            slots.push(one(&c.elt));
            slots.push(Slot::List(NodeList::Comprehensions(&c.generators)));
        }
        N::ExprDictComp(c) => {
            slots.push(opt_expr(c.key.as_deref()));
            slots.push(one(&c.value));
            slots.push(Slot::List(NodeList::Comprehensions(&c.generators)));
        }
        N::Comprehension(c) => {
            leaves.push(Leaf::Flag(c.is_async));
            slots.push(one(&c.target));
            slots.push(one(&c.iter));
            slots.push(Slot::List(NodeList::Exprs(&c.ifs)));
        }
        N::ExprAwait(a) => slots.push(one(&a.value)),
        N::ExprYield(y) => slots.push(opt_expr(y.value.as_deref())),
        N::ExprYieldFrom(y) => slots.push(one(&y.value)),
        N::ExprCompare(c) => {
            leaves.push(Leaf::CmpOps(&c.ops));
            slots.push(one(&c.left));
            slots.push(Slot::List(NodeList::Exprs(&c.comparators)));
        }
        N::ExprCall(c) => {
            slots.push(one(&c.func));
            slots.push(Slot::Args(&c.arguments));
        }
        N::ExprStringLiteral(s) => leaves.push(Leaf::Str(s.value.to_str())),
        N::ExprBytesLiteral(b) => leaves.push(Leaf::Bytes(b.value.bytes().collect())),
        N::ExprNumberLiteral(n) => leaves.push(Leaf::Num(&n.value)),
        N::ExprBooleanLiteral(b) => leaves.push(Leaf::Flag(b.value)),
        N::ExprNoneLiteral(_) | N::ExprEllipsisLiteral(_) => {}
        N::ExprAttribute(a) => {
            leaves.push(Leaf::Ident(&a.attr));
            slots.push(one(&a.value));
        }
        N::ExprSubscript(s) => {
            slots.push(one(&s.value));
            slots.push(one(&s.slice));
        }
        N::ExprStarred(s) => slots.push(one(&s.value)),
        N::ExprName(n) => leaves.push(Leaf::Text(Some(n.id.as_str()))),
        N::ExprSlice(s) => {
            slots.push(opt_expr(s.lower.as_deref()));
            slots.push(opt_expr(s.upper.as_deref()));
            slots.push(opt_expr(s.step.as_deref()));
        }
        N::Decorator(d) => slots.push(one(&d.expression)),
        N::Keyword(k) => {
            leaves.push(Leaf::OptIdent(k.arg.as_ref()));
            slots.push(one(&k.value));
        }
        N::Parameters(p) => {
            slots.push(Slot::List(NodeList::Params(&p.posonlyargs)));
            slots.push(Slot::List(NodeList::Params(&p.args)));
            slots.push(Slot::Opt(p.vararg.as_deref().map(AnyNodeRef::from)));
            slots.push(Slot::List(NodeList::Params(&p.kwonlyargs)));
            slots.push(Slot::Opt(p.kwarg.as_deref().map(AnyNodeRef::from)));
        }
        N::ParameterWithDefault(p) => {
            slots.push(Slot::One(AnyNodeRef::from(&p.parameter)));
            slots.push(opt_expr(p.default.as_deref()));
        }
        N::Parameter(p) => {
            leaves.push(Leaf::Ident(&p.name));
            slots.push(opt_expr(p.annotation.as_deref()));
        }
        N::Arguments(a) => slots.push(Slot::Args(a)),
        N::Identifier(i) => leaves.push(Leaf::Ident(i)),
        // f-strings, t-strings, `match`, type aliases and parameters, IPython escapes.
        _ => return Shape::ExactText,
    }
    Shape::Structural { leaves, slots }
}

/// Structural equality of two nodes of one file, ignoring formatting, comments and parentheses.
pub fn equal(a: AnyNodeRef<'_>, b: AnyNodeRef<'_>, source: &str) -> bool {
    if a.kind() != b.kind() {
        return false;
    }
    stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || match (shape(a), shape(b)) {
        (
            Shape::Structural {
                leaves: al,
                slots: as_,
            },
            Shape::Structural {
                leaves: bl,
                slots: bs,
            },
        ) => {
            al.len() == bl.len()
                && as_.len() == bs.len()
                && al.iter().zip(bl.iter()).all(|(a, b)| a.same(b))
                && as_
                    .into_iter()
                    .zip(bs)
                    .all(|(a, b)| slots_equal(a, b, source))
        }
        _ => source[a.range()] == source[b.range()],
    })
}

fn lists_equal(a: NodeList<'_>, b: NodeList<'_>, source: &str) -> bool {
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| equal(a, b, source))
}

fn arguments_equal(a: &Arguments, b: &Arguments, source: &str) -> bool {
    lists_equal(NodeList::Exprs(&a.args), NodeList::Exprs(&b.args), source)
        && lists_equal(
            NodeList::Keywords(&a.keywords),
            NodeList::Keywords(&b.keywords),
            source,
        )
}

fn slots_equal(a: Slot<'_>, b: Slot<'_>, source: &str) -> bool {
    match (a, b) {
        (Slot::One(a), Slot::One(b)) => equal(a, b, source),
        (Slot::Opt(None), Slot::Opt(None)) | (Slot::OptArgs(None), Slot::OptArgs(None)) => true,
        (Slot::Opt(Some(a)), Slot::Opt(Some(b))) => equal(a, b, source),
        (Slot::List(a), Slot::List(b)) => lists_equal(a, b, source),
        (Slot::Args(a), Slot::Args(b)) | (Slot::OptArgs(Some(a)), Slot::OptArgs(Some(b))) => {
            arguments_equal(a, b, source)
        }
        (Slot::Dict(a), Slot::Dict(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|(a, b)| {
                    let keys = match (&a.key, &b.key) {
                        (None, None) => true,
                        (Some(ak), Some(bk)) => equal(ak.into(), bk.into(), source),
                        _ => false,
                    };
                    keys && equal((&a.value).into(), (&b.value).into(), source)
                })
        }
        _ => false,
    }
}
