//! Structural matching of a [`Pattern`](super::Pattern) against a file's AST.
//!
//! The matcher compares a pattern node and a target node through [`shape`], so one algorithm
//! serves every node kind. On top of the plain structure it knows four things: metavariables bind
//! nodes (and must bind equal code when repeated); `$$$` metavariables bind runs of list elements,
//! found by backtracking; call keywords match in any order, with unmatched keywords going to a
//! `**$$$KW` argument, else to the call's last `$$$` argument; and dotted names rooted in a declared module match by the qualified
//! name the file's imports give them.

use std::sync::Arc;

use ruff_python_ast::{AnyNodeRef, AnyParameterRef, Arguments, Expr, Identifier, Parameters};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet;

use super::metavar::{self, Metavar};
use super::shape::{self, Leaf, NodeList, Shape, Slot};
use crate::analysis::semantic::{Resolution, Semantic, in_module};

/// What a metavariable is bound to.
#[derive(Debug, Clone)]
pub enum Capture<'t> {
    Node(AnyNodeRef<'t>),
    Ident(&'t Identifier),
    Seq(Vec<AnyNodeRef<'t>>),
    /// A text a condition made (why it holds) or one from outside the file (a pack option's):
    /// it spans no source.
    Text(Arc<str>),
}

impl<'t> Capture<'t> {
    /// The source ranges of the capture, in source order (one per element for `$$$`; none for
    /// a text).
    pub fn ranges(&self) -> Vec<TextRange> {
        match self {
            Capture::Node(node) => vec![node.range()],
            Capture::Ident(identifier) => vec![identifier.range],
            Capture::Seq(nodes) => nodes.iter().map(Ranged::range).collect(),
            Capture::Text(_) => Vec::new(),
        }
    }

    /// The whole range the capture spans, `None` for an empty `$$$` capture.
    pub fn span(&self) -> Option<TextRange> {
        let ranges = self.ranges();
        Some(TextRange::new(
            ranges.first()?.start(),
            ranges.last()?.end(),
        ))
    }

    /// The single node, if the capture is one.
    pub fn node(&self) -> Option<AnyNodeRef<'t>> {
        match self {
            Capture::Node(node) => Some(*node),
            _ => None,
        }
    }
}

/// Metavariable bindings, undone on backtracking by truncation.
#[derive(Debug, Clone, Default)]
pub struct Env<'p, 't> {
    binds: Vec<(&'p str, Capture<'t>)>,
}

impl<'p, 't> Env<'p, 't> {
    pub fn new() -> Self {
        Env { binds: Vec::new() }
    }

    pub fn get(&self, name: &str) -> Option<&Capture<'t>> {
        self.binds.iter().find(|(n, _)| *n == name).map(|(_, c)| c)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'p str, &Capture<'t>)> {
        self.binds.iter().map(|(n, c)| (*n, c))
    }

    /// Bind `name` to `capture`, replacing what it was bound to.
    pub fn set(&mut self, name: &'p str, capture: Capture<'t>) {
        match self.get_mut(name) {
            Some(bound) => *bound = capture,
            None => self.binds.push((name, capture)),
        }
    }

    fn mark(&self) -> usize {
        self.binds.len()
    }

    fn reset(&mut self, mark: usize) {
        self.binds.truncate(mark);
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Capture<'t>> {
        self.binds
            .iter_mut()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c)
    }
}

/// A dotted name in a pattern rooted in a declared module: `pkg.sleep`, `pkg.$NAME`.
#[derive(Debug)]
pub struct ModuleChain<'p> {
    pub segments: Vec<&'p str>,
    /// A metavariable standing for the last segment.
    pub tail: Option<Metavar<'p>>,
}

/// The module chain `expr` spells, when its root is one of `modules` (or a package of one).
pub fn module_chain<'p>(
    node: AnyNodeRef<'p>,
    modules: &FxHashSet<String>,
) -> Option<ModuleChain<'p>> {
    // Find the root name first: most pattern nodes are not chains, and they cost no allocation.
    let mut root = node;
    while let AnyNodeRef::ExprAttribute(attribute) = root {
        root = AnyNodeRef::from(&*attribute.value);
    }
    let AnyNodeRef::ExprName(root) = root else {
        return None;
    };
    let root = root.id.as_str();
    if metavar::parse_placeholder(root).is_some() {
        return None;
    }
    let declared = modules.iter().any(|m| in_module(m, root));
    if !declared {
        return None;
    }
    let mut segments = Vec::new();
    let mut tail = None;
    let mut current = node;
    loop {
        match current {
            AnyNodeRef::ExprAttribute(attribute) => {
                match metavar::parse_placeholder(attribute.attr.as_str()) {
                    Some(mv) if segments.is_empty() && tail.is_none() && !mv.variadic => {
                        tail = Some(mv)
                    }
                    Some(_) => return None,
                    None => segments.push(attribute.attr.as_str()),
                }
                current = AnyNodeRef::from(&*attribute.value);
            }
            AnyNodeRef::ExprName(name) => {
                segments.push(name.id.as_str());
                segments.reverse();
                return Some(ModuleChain { segments, tail });
            }
            _ => return None,
        }
    }
}

/// Whether `child` (a `$$$` placeholder) stands where `parent` holds a list of nodes.
pub fn holds_list_element(parent: AnyNodeRef<'_>, child: AnyNodeRef<'_>) -> bool {
    match parent {
        AnyNodeRef::Arguments(_)
        | AnyNodeRef::ExprList(_)
        | AnyNodeRef::ExprTuple(_)
        | AnyNodeRef::ExprSet(_)
        | AnyNodeRef::StmtExpr(_)
        | AnyNodeRef::StmtDelete(_)
        | AnyNodeRef::Decorator(_)
        | AnyNodeRef::Alias(_)
        | AnyNodeRef::Parameter(_) => true,
        AnyNodeRef::WithItem(item) => item.optional_vars.is_none(),
        // `**$$$KW`: the keywords a call pattern does not name.
        AnyNodeRef::Keyword(keyword) => keyword.arg.is_none(),
        AnyNodeRef::ExprCall(call) => {
            // The Arguments node is not visited as its own parent for positional arguments.
            call.arguments
                .args
                .iter()
                .any(|arg| AnyNodeRef::from(arg).ptr_eq(child))
        }
        _ => false,
    }
}

/// The `$$$` metavariable a list element of a pattern is, if any.
pub(super) fn variadic_element<'p>(node: AnyNodeRef<'p>) -> Option<&'p str> {
    let name = match node {
        AnyNodeRef::ExprName(name) => name.id.as_str(),
        AnyNodeRef::StmtExpr(stmt) => match &*stmt.value {
            Expr::Name(name) => name.id.as_str(),
            _ => return None,
        },
        AnyNodeRef::WithItem(item) if item.optional_vars.is_none() => match &item.context_expr {
            Expr::Name(name) => name.id.as_str(),
            _ => return None,
        },
        AnyNodeRef::Decorator(decorator) => match &decorator.expression {
            Expr::Name(name) => name.id.as_str(),
            _ => return None,
        },
        AnyNodeRef::Alias(alias) if alias.asname.is_none() => alias.name.as_str(),
        AnyNodeRef::ParameterWithDefault(parameter) if parameter.default.is_none() => {
            parameter.parameter.name.as_str()
        }
        _ => return None,
    };
    metavar::parse_placeholder(name)
        .filter(|mv| mv.variadic)
        .map(|mv| mv.name)
}

/// Whether the text of an `except` clause is an `except*` clause's.
fn is_star_clause(clause: &str) -> bool {
    clause
        .strip_prefix("except")
        .map(|rest| rest.trim_start_matches(|c: char| c.is_whitespace() || c == '\\'))
        .is_some_and(|rest| rest.starts_with('*'))
}

/// The parameters of a pattern written as positional ones ending in a `$$$` metavariable, with
/// no `/`, `*` or `**`: they match a target's parameters in source order, whatever their kinds.
fn open_parameters(parameters: &Parameters) -> Option<NodeList<'_>> {
    let open = parameters.posonlyargs.is_empty()
        && parameters.vararg.is_none()
        && parameters.kwonlyargs.is_empty()
        && parameters.kwarg.is_none()
        && parameters
            .args
            .last()
            .is_some_and(|last| variadic_element(last.into()).is_some());
    open.then_some(NodeList::Params(&parameters.args))
}

/// A list of target nodes a pattern's list is matched against.
pub trait Targets<'t>: Copy {
    fn len(&self) -> usize;
    fn get(&self, index: usize) -> AnyNodeRef<'t>;
}

impl<'t> Targets<'t> for NodeList<'t> {
    fn len(&self) -> usize {
        NodeList::len(self)
    }
    fn get(&self, index: usize) -> AnyNodeRef<'t> {
        NodeList::get(self, index)
    }
}

impl<'t> Targets<'t> for &[AnyNodeRef<'t>] {
    fn len(&self) -> usize {
        <[AnyNodeRef<'t>]>::len(self)
    }
    fn get(&self, index: usize) -> AnyNodeRef<'t> {
        self[index]
    }
}

/// A test of a metavariable's first binding, made while matching: when it fails, the matcher
/// backtracks and tries the next way the pattern can match (another split of a `$$$` list).
pub type BindCheck<'h, 'p, 't> = &'h dyn Fn(&'p str, &Capture<'t>) -> bool;

/// Matches patterns against one file.
pub struct Matcher<'p, 't, 'h> {
    /// Placeholder source of the pattern being matched (for exact-text comparisons).
    pub pattern_source: &'p str,
    pub source: &'t str,
    pub semantic: &'t Semantic,
    pub modules: &'p FxHashSet<String>,
    /// Tests a single-node or identifier capture when a metavariable is first bound (`$$$`
    /// captures are not tested: keyword absorption may still extend them).
    pub on_bind: Option<BindCheck<'h, 'p, 't>>,
}

impl<'p, 't> Matcher<'p, 't, '_> {
    /// Match a pattern node against a target node, extending `env`. On failure `env` is restored.
    pub fn node(&self, p: AnyNodeRef<'p>, t: AnyNodeRef<'t>, env: &mut Env<'p, 't>) -> bool {
        let mark = env.mark();
        let matched =
            stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || self.node_inner(p, t, env));
        if !matched {
            env.reset(mark);
        }
        matched
    }

    fn node_inner(&self, p: AnyNodeRef<'p>, t: AnyNodeRef<'t>, env: &mut Env<'p, 't>) -> bool {
        match p {
            AnyNodeRef::ExprName(name) => {
                if let Some(mv) = metavar::parse_placeholder(name.id.as_str()) {
                    return !mv.variadic
                        && t.as_expr_ref().is_some()
                        && self.bind(env, mv.name, Capture::Node(t));
                }
            }
            AnyNodeRef::StmtExpr(stmt) => {
                if let Some(mv) = super::single_metavar(&stmt.value)
                    && t.is_statement()
                {
                    return self.bind(env, mv.name, Capture::Node(t));
                }
            }
            _ => {}
        }
        if let Some(chain) = module_chain(p, self.modules) {
            return self.chain(&chain, t, env);
        }
        if let (AnyNodeRef::ExprName(pattern_name), AnyNodeRef::ExprName(target_name)) = (p, t) {
            // A plain name never matches a name that is really an import of a declared module.
            return pattern_name.id == target_name.id
                && !matches!(
                    self.semantic.resolve_name(target_name),
                    Resolution::Import(..)
                );
        }
        if p.kind() != t.kind() {
            return false;
        }
        if let (
            AnyNodeRef::ExceptHandlerExceptHandler(_),
            AnyNodeRef::ExceptHandlerExceptHandler(_),
        ) = (p, t)
            && is_star_clause(&self.pattern_source[p.range()])
                != is_star_clause(&self.source[t.range()])
        {
            // `except*` and `except` differ in the `try` the clause belongs to, not in the clause.
            return false;
        }
        if let (AnyNodeRef::Parameters(pattern), AnyNodeRef::Parameters(target)) = (p, t)
            && let Some(open) = open_parameters(pattern)
        {
            // `($$$P)` stands for any parameters, `*args`, keyword-only ones and `**kwargs` too.
            let all: Vec<AnyNodeRef<'t>> = target
                .iter_source_order()
                .map(|parameter| match parameter {
                    AnyParameterRef::NonVariadic(parameter) => AnyNodeRef::from(parameter),
                    AnyParameterRef::Variadic(parameter) => AnyNodeRef::from(parameter),
                })
                .collect();
            return self.list(open, 0, all.as_slice(), 0, true, env).is_some();
        }
        match (shape::shape(p), shape::shape(t)) {
            (
                Shape::Structural {
                    leaves: pl,
                    slots: ps,
                },
                Shape::Structural {
                    leaves: tl,
                    slots: ts,
                },
            ) => {
                pl.len() == tl.len()
                    && ps.len() == ts.len()
                    && pl.iter().zip(tl.iter()).all(|(a, b)| self.leaf(a, b, env))
                    && ps.into_iter().zip(ts).all(|(a, b)| self.slot(a, b, env))
            }
            (Shape::ExactText, Shape::ExactText) => {
                self.pattern_source[p.range()] == self.source[t.range()]
            }
            _ => false,
        }
    }

    fn chain(&self, chain: &ModuleChain<'p>, t: AnyNodeRef<'t>, env: &mut Env<'p, 't>) -> bool {
        let Some((qualified, attrs)) = self.semantic.qualify(t) else {
            return false;
        };
        let mut target = qualified.split('.').chain(attrs.iter().copied());
        if !chain
            .segments
            .iter()
            .all(|segment| target.next() == Some(*segment))
        {
            return false;
        }
        let rest = target.count();
        match chain.tail {
            None => rest == 0,
            Some(mv) if rest == 1 => {
                let capture = match t {
                    AnyNodeRef::ExprAttribute(attribute) => Capture::Ident(&attribute.attr),
                    _ => Capture::Node(t),
                };
                self.bind(env, mv.name, capture)
            }
            Some(_) => false,
        }
    }

    fn leaf(&self, p: &Leaf<'p>, t: &Leaf<'t>, env: &mut Env<'p, 't>) -> bool {
        match (p, t) {
            (Leaf::Ident(pi), Leaf::Ident(ti)) => match metavar::parse_placeholder(pi.as_str()) {
                Some(mv) if !mv.variadic => self.bind(env, mv.name, Capture::Ident(ti)),
                _ => p.same(t),
            },
            (Leaf::OptIdent(Some(pi)), Leaf::OptIdent(Some(ti))) => {
                match metavar::parse_placeholder(pi.as_str()) {
                    Some(mv) if !mv.variadic => self.bind(env, mv.name, Capture::Ident(ti)),
                    _ => p.same(t),
                }
            }
            _ => p.same(t),
        }
    }

    fn slot(&self, p: Slot<'p>, t: Slot<'t>, env: &mut Env<'p, 't>) -> bool {
        match (p, t) {
            (Slot::One(p), Slot::One(t)) => self.node(p, t, env),
            (Slot::Opt(p), Slot::Opt(t)) => match (p, t) {
                (None, None) => true,
                (Some(p), Some(t)) => self.node(p, t, env),
                _ => false,
            },
            (Slot::List(p), Slot::List(t)) => self.list(p, 0, t, 0, true, env).is_some(),
            (Slot::Args(p), Slot::Args(t)) => self.arguments(p, t, env),
            (Slot::OptArgs(p), Slot::OptArgs(t)) => match (p, t) {
                (Some(p), Some(t)) => self.arguments(p, t, env),
                (None, None) => true,
                (None, Some(t)) | (Some(t), None) if t.is_empty() => true,
                _ => false,
            },
            (Slot::Dict(p), Slot::Dict(t)) => {
                p.len() == t.len()
                    && p.iter().zip(t).all(|(p, t)| {
                        let keys = match (&p.key, &t.key) {
                            (None, None) => true,
                            (Some(pk), Some(tk)) => self.node(pk.into(), tk.into(), env),
                            _ => false,
                        };
                        keys && self.node((&p.value).into(), (&t.value).into(), env)
                    })
            }
            _ => false,
        }
    }

    /// Match the pattern list `ps[pi..]` against `ts[ti..]`. With `to_end`, every target element
    /// must be consumed; otherwise the match may stop early. Returns the end index in `ts`.
    pub fn list(
        &self,
        ps: NodeList<'p>,
        pi: usize,
        ts: impl Targets<'t>,
        ti: usize,
        to_end: bool,
        env: &mut Env<'p, 't>,
    ) -> Option<usize> {
        if pi == ps.len() {
            return (!to_end || ti == ts.len()).then_some(ti);
        }
        let element = ps.get(pi);
        if let Some(name) = variadic_element(element) {
            let last = pi + 1 == ps.len();
            let ends: Box<dyn Iterator<Item = usize>> = if last && to_end {
                Box::new(std::iter::once(ts.len()))
            } else {
                Box::new(ti..=ts.len())
            };
            for end in ends {
                let mark = env.mark();
                let seq = (ti..end).map(|i| ts.get(i)).collect();
                if self.bind(env, name, Capture::Seq(seq))
                    && let Some(done) = self.list(ps, pi + 1, ts, end, to_end, env)
                {
                    return Some(done);
                }
                env.reset(mark);
            }
            return None;
        }
        if ti == ts.len() {
            return None;
        }
        let mark = env.mark();
        if self.node(element, ts.get(ti), env)
            && let Some(done) = self.list(ps, pi + 1, ts, ti + 1, to_end, env)
        {
            return Some(done);
        }
        env.reset(mark);
        None
    }

    fn arguments(&self, p: &'p Arguments, t: &'t Arguments, env: &mut Env<'p, 't>) -> bool {
        let mark = env.mark();
        let mut used = vec![false; t.keywords.len()];
        // `**$$$KW` binds the keywords the pattern does not name (and `**kwargs`).
        let mut keyword_absorber = None;
        for keyword in &p.keywords {
            if keyword.arg.is_none()
                && let Some(name) = variadic_element((&keyword.value).into())
            {
                keyword_absorber = Some(name);
                continue;
            }
            let wanted = keyword.arg.as_ref().map(Identifier::as_str);
            let found = t
                .keywords
                .iter()
                .enumerate()
                .find(|(i, k)| !used[*i] && k.arg.as_ref().map(Identifier::as_str) == wanted);
            let Some((index, target)) = found else {
                env.reset(mark);
                return false;
            };
            used[index] = true;
            if !self.node((&keyword.value).into(), (&target.value).into(), env) {
                env.reset(mark);
                return false;
            }
        }
        let extra: Vec<AnyNodeRef<'t>> = t
            .keywords
            .iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|(k, _)| AnyNodeRef::from(k))
            .collect();
        let absorber = p
            .args
            .iter()
            .rev()
            .find_map(|arg| variadic_element(arg.into()));
        if let Some(name) = keyword_absorber {
            let bound = self.bind(env, name, Capture::Seq(extra));
            if !bound {
                env.reset(mark);
                return false;
            }
            return self.positional(p, t, env, mark);
        }
        if !extra.is_empty() && absorber.is_none() {
            env.reset(mark);
            return false;
        }
        if let Some(name) = absorber
            && !extra.is_empty()
            && let Some(index) = env.binds.iter().position(|(n, _)| *n == name)
        {
            return self.rebound_absorber(p, t, env, mark, (name, index), extra);
        }
        if !self.positional(p, t, env, mark) {
            return false;
        }
        if let Some(name) = absorber
            && !extra.is_empty()
            && let Some(Capture::Seq(seq)) = env.get_mut(name)
        {
            seq.extend(extra);
            seq.sort_by_key(|node| node.start());
        }
        true
    }

    /// Match the positional arguments when the `$$$` metavariable that also takes the unmatched
    /// keywords, `extra`, was bound before (at `index`): its whole capture, positional arguments
    /// and keywords in source order, must be the same code as before. On failure restore `env`
    /// to `mark`.
    fn rebound_absorber(
        &self,
        p: &'p Arguments,
        t: &'t Arguments,
        env: &mut Env<'p, 't>,
        mark: usize,
        (name, index): (&'p str, usize),
        extra: Vec<AnyNodeRef<'t>>,
    ) -> bool {
        // Hidden while the positional arguments bind it afresh.
        env.binds[index].0 = metavar::ANONYMOUS;
        let matched = self.positional(p, t, env, mark);
        env.binds[index].0 = name;
        if !matched {
            return false;
        }
        let fresh = env.binds.iter().rposition(|(n, _)| *n == name);
        let Some(fresh) = fresh.filter(|&fresh| fresh > index) else {
            env.reset(mark);
            return false;
        };
        let (_, capture) = env.binds.remove(fresh);
        let Capture::Seq(mut seq) = capture else {
            env.reset(mark);
            return false;
        };
        seq.extend(extra);
        seq.sort_by_key(|node| node.start());
        if !self.same_code(&env.binds[index].1, &Capture::Seq(seq)) {
            env.reset(mark);
            return false;
        }
        true
    }

    /// Match the positional arguments; on failure restore `env` to `mark`.
    fn positional(
        &self,
        p: &'p Arguments,
        t: &'t Arguments,
        env: &mut Env<'p, 't>,
        mark: usize,
    ) -> bool {
        let matched = self
            .list(
                NodeList::Exprs(&p.args),
                0,
                NodeList::Exprs(&t.args),
                0,
                true,
                env,
            )
            .is_some();
        if !matched {
            env.reset(mark);
        }
        matched
    }

    /// Bind `name`, or check that an earlier binding of it is equal code.
    fn bind(&self, env: &mut Env<'p, 't>, name: &'p str, capture: Capture<'t>) -> bool {
        if name == metavar::ANONYMOUS {
            return true;
        }
        match env.get(name) {
            Some(previous) => self.same_code(previous, &capture),
            None => {
                let accepted = matches!(capture, Capture::Seq(_))
                    || self.on_bind.is_none_or(|check| check(name, &capture));
                if accepted {
                    env.binds.push((name, capture));
                }
                accepted
            }
        }
    }

    /// Whether two captures are the same code (structurally, ignoring formatting).
    pub fn same_code(&self, a: &Capture<'t>, b: &Capture<'t>) -> bool {
        match (a, b) {
            (Capture::Seq(a), Capture::Seq(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| self.same_node(*a, *b))
            }
            (Capture::Seq(_), _) | (_, Capture::Seq(_)) => false,
            (Capture::Node(a), Capture::Node(b)) => self.same_node(*a, *b),
            (Capture::Text(a), Capture::Text(b)) => a == b,
            (Capture::Text(_), _) | (_, Capture::Text(_)) => false,
            _ => {
                let text = |c: &Capture<'t>| c.span().map(|r| self.source[r].to_owned());
                text(a) == text(b)
            }
        }
    }

    fn same_node(&self, a: AnyNodeRef<'t>, b: AnyNodeRef<'t>) -> bool {
        shape::equal(a, b, self.source)
    }
}

#[cfg(test)]
mod tests {
    use ruff_python_ast::Stmt;
    use rustc_hash::FxHashSet;

    use super::*;
    use crate::analysis::parse::Analysis;
    use crate::pattern::Pattern;

    /// What `pattern` binds when matched against the first statement of `source` (its value when
    /// it is an expression statement), as `(name, source text)`; `None` when it does not match.
    fn bindings(pattern: &str, source: &str) -> Option<Vec<(String, String)>> {
        let modules: FxHashSet<String> = ["pkg".to_owned()].into_iter().collect();
        let pattern = Pattern::parse(pattern).expect("a valid pattern");
        let analysis = Analysis::of(&modules, source);
        let statement = analysis.parsed.syntax().body.last().expect("a statement");
        let target: AnyNodeRef = match statement {
            Stmt::Expr(expr) if pattern.form == crate::pattern::Form::Expr => (&*expr.value).into(),
            Stmt::Try(node)
                if matches!(pattern.root(), AnyNodeRef::ExceptHandlerExceptHandler(_)) =>
            {
                (&node.handlers[0]).into()
            }
            other => other.into(),
        };
        let matcher = Matcher {
            pattern_source: pattern.python(),
            source,
            semantic: analysis.semantic(),
            modules: &modules,
            on_bind: None,
        };
        let mut env = Env::new();
        if !matcher.node(pattern.root(), target, &mut env) {
            return None;
        }
        Some(
            env.iter()
                .map(|(name, capture)| {
                    let text = capture.span().map_or("", |span| &source[span]);
                    (name.to_owned(), text.to_owned())
                })
                .collect(),
        )
    }

    fn bound(pattern: &str, source: &str) -> Vec<(String, String)> {
        bindings(pattern, source).unwrap_or_else(|| panic!("`{pattern}` does not match {source:?}"))
    }

    fn pair(name: &str, text: &str) -> (String, String) {
        (name.to_owned(), text.to_owned())
    }

    #[test]
    fn an_except_star_clause_matches_only_except_star_clauses() {
        let star = "try:\n    pass\nexcept* OSError as group:\n    pass\n";
        let plain = "try:\n    pass\nexcept OSError as group:\n    pass\n";
        let matches = |pattern: &str, source: &str| bindings(pattern, source).is_some();
        assert!(matches("except* $T as $G:\n    $$$B", star));
        assert!(!matches("except* $T as $G:\n    $$$B", plain));
        assert!(matches("except $T as $G:\n    $$$B", plain));
        assert!(!matches("except $T as $G:\n    $$$B", star));
    }

    #[test]
    fn an_open_parameter_list_stands_for_parameters_of_every_kind() {
        let source =
            "async def serve(port, /, host, *args, task_status=None, **options):\n    pass\n";
        assert_eq!(
            bound("async def $F($$$P):\n    $$$B", source)[1],
            pair("P", "port, /, host, *args, task_status=None, **options")
        );
        assert_eq!(
            bound(
                "async def $F($SELF, $$$REST):\n    $$$B",
                "async def f(self, *, task_status):\n    pass\n"
            )[1..3],
            [pair("SELF", "self"), pair("REST", "task_status")]
        );
        // A pattern that spells `*` or `**` keeps to parameters of those kinds.
        assert!(bindings("def $F($X, *, $Y):\n    $$$B", "def f(a, b):\n    pass\n").is_none());
        assert!(bindings("def $F($X, $$$P):\n    $$$B", "def f(*args):\n    pass\n").is_none());
    }

    #[test]
    fn keywords_match_in_any_order_and_variadics_split_lists() {
        assert_eq!(
            bound("f(b=$B, a=$A)", "f(a=1, b=2)"),
            [pair("B", "2"), pair("A", "1")]
        );
        assert_eq!(
            bound("f($X, $$$REST)", "f(1, 2, 3)"),
            [pair("X", "1"), pair("REST", "2, 3")]
        );
        assert_eq!(bound("f($$$ALL)", "f()"), [pair("ALL", "")]);
        assert!(bindings("f($X)", "f(1, 2)").is_none());
        // `**$$$KW` takes the keywords the pattern does not name (`**more` too).
        let mut keywords = bound("f($A, k=$K, **$$$KW)", "f(1, x=2, k=3, **more)");
        keywords.sort();
        assert_eq!(
            keywords,
            [
                pair("A", "1"),
                pair("K", "3"),
                pair("KW", "x=2, k=3, **more")
            ]
        );
    }

    #[test]
    fn a_metavariable_used_twice_binds_equal_code() {
        assert!(bindings("f($X, $X)", "f(a.b, a.b)").is_some());
        assert!(bindings("f($X, $X)", "f(a.b, a.c)").is_none());
        // Equal code, however it is spaced.
        assert!(bindings("f($X, $X)", "f(g( 1 ), g(1))").is_some());
        // A `$$$` list that takes keywords too equals itself, keywords and all.
        for same in ["g(k=1)(g(k=1))", "g(1, k=2)(g(1, k=2))", "g(**kw)(g(**kw))"] {
            assert!(bindings("g($$$A)(g($$$A))", same).is_some(), "{same}");
        }
        assert!(bindings("g($$$A)(g($$$A))", "g(1, k=2)(g(1, k=3))").is_none());
        assert!(bindings("g($$$A)(g($$$A))", "g(1, k=2)(g(1))").is_none());
    }

    #[test]
    fn dotted_names_of_declared_modules_match_through_imports() {
        assert!(bindings("pkg.sleep($D)", "import pkg\npkg.sleep(1)").is_some());
        assert!(bindings("pkg.sleep($D)", "import pkg as p\np.sleep(1)").is_some());
        assert!(bindings("pkg.sleep($D)", "from pkg import sleep as nap\nnap(1)").is_some());
        // Not the name alone, and not another module's.
        assert!(bindings("pkg.sleep($D)", "sleep(1)").is_none());
        assert!(bindings("pkg.sleep($D)", "import other as pkg\npkg.sleep(1)").is_none());
        assert_eq!(
            bound("pkg.$NAME", "import pkg\npkg.run"),
            [pair("NAME", "run")]
        );
    }

    #[test]
    fn a_failing_bind_check_makes_the_matcher_try_the_next_split() {
        let modules = FxHashSet::default();
        let source = "f(a, b, c)";
        let pattern = Pattern::parse("f($$$BEFORE, $X, $$$AFTER)").expect("valid");
        let analysis = Analysis::of(&modules, source);
        let Stmt::Expr(statement) = &analysis.parsed.syntax().body[0] else {
            panic!("an expression statement")
        };
        let only_b = |name: &str, capture: &Capture<'_>| {
            name != "X" || capture.span().is_some_and(|span| &source[span] == "b")
        };
        let matcher = Matcher {
            pattern_source: pattern.python(),
            source,
            semantic: analysis.semantic(),
            modules: &modules,
            on_bind: Some(&only_b),
        };
        let mut env = Env::new();
        assert!(matcher.node(pattern.root(), (&*statement.value).into(), &mut env));
        let x = env.get("X").and_then(Capture::span).expect("bound");
        assert_eq!(&source[x], "b");
    }
}
