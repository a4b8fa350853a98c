//! The conditions on control flow: what happens on the paths between two places of a function
//! ([`Flow`](crate::analysis::flow)).
//!
//! `path = { from = F, to = T, every = C }` holds when every path from `F` to `T` runs a step
//! satisfying `C` (true when no path gets there); `not-every = C`, when some path gets there
//! without one; `some = C`, when one does; `none = C`, when none does; with none of these, when
//! some path gets from `F` to `T` at all. The steps `C`
//! is tested on are simple statements and the parts of compound statements that run by
//! themselves (tests, iterables, `with` items, `except` types), plus an `async for` statement at
//! each iteration and an `async with` statement at its entry and exit. `C` sees no capture of the
//! match.
//!
//! Places are worked out from the tested node, or from `region`: the nearest enclosing node
//! satisfying that condition, within the function. `from` is `"function"` (the function's entry),
//! `"start"` (where the region's body begins: a loop's body, an `except` clause's body, a `with`
//! body once entered, a function's first statement) or `"here"` (just after the tested node).
//! `to` is `"here"` (just before the tested node), `"after"` (just after it: what it runs itself
//! counts), `"end"` (where the region completes),
//! `"exits"` (leaving the region other than by an exception: completing, or a `return`, `break`
//! or `continue` out of it), `"raises"` (a `raise` statement whose exception leaves the region),
//! `"loop"` (the region's next iteration) or `"function"` (the function's `return`s and its end). `restart = C` starts the paths afresh after each step
//! satisfying `C` (a `yield`, for "since the last yield").
//!
//! `leaves = C` holds of a `return`, `break` or `continue` that takes control out of an enclosing
//! node satisfying `C`: any, within the function, for a `return`; those inside the loop a
//! `break` or `continue` belongs to, for them.
//!
//! A function whose graph is too large is not judged: neither condition holds in it (so a rule
//! asks `not-every` rather than `not.path.every`, which would hold there).

use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{AnyNodeRef, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use super::needs::Needs;
use super::read::{CompileError, Compiler, Scope, node_only};
use super::value::Value;
use super::{Atom, Condition, Context, Target};
use crate::analysis::flow::{Flow, Goal, Quantifier, Vertex};
use crate::pattern::MetavarUse;
use crate::pattern::matcher::Env;

/// Where paths begin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum From {
    Function,
    Start,
    Here,
}

/// Where paths end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum To {
    Here,
    After,
    End,
    Exits,
    Raises,
    Loop,
    Function,
}

const FROM: [(&str, From); 3] = [
    ("function", From::Function),
    ("start", From::Start),
    ("here", From::Here),
];

const TO: [(&str, To); 7] = [
    ("here", To::Here),
    ("after", To::After),
    ("end", To::End),
    ("exits", To::Exits),
    ("raises", To::Raises),
    ("loop", To::Loop),
    ("function", To::Function),
];

const KEYS: [&str; 8] = [
    "from",
    "to",
    "region",
    "every",
    "not-every",
    "some",
    "none",
    "restart",
];

#[derive(Debug)]
struct Path {
    from: From,
    to: To,
    region: Option<Condition>,
    /// The quantifier and the steps it counts; `None`: some path reaches.
    marks: Option<(Quantifier, bool, Condition)>,
    restart: Option<Condition>,
}

fn one_of<T: Copy>(item: &Value, key: &str, known: &[(&str, T)]) -> Result<T, CompileError> {
    item.as_str()
        .and_then(|text| known.iter().find(|(name, _)| *name == text))
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<String> = known
                .iter()
                .map(|(name, _)| format!("\"{name}\""))
                .collect();
            CompileError::at(item, format!("`path.{key}` is one of {}", names.join(", ")))
        })
}

pub(super) fn parse_path(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "path", scope)?;
    let Some(entries) = item.as_table() else {
        return Err(CompileError::at(
            item,
            format!("`path` takes a table, found {}", item.describe()),
        )
        .note(
            "write `path = { from = \"function\", to = \"here\", every = { kind = \"Await\" } }`",
        ));
    };
    let mut path = Path {
        from: From::Function,
        to: To::Here,
        region: None,
        marks: None,
        restart: None,
    };
    let mut from = None;
    let mut to = None;
    for (key, value) in entries {
        match key.as_str() {
            "from" => from = Some(one_of(value, "from", &FROM)?),
            "to" => to = Some(one_of(value, "to", &TO)?),
            "region" => path.region = Some(cx.table(value, Scope::Node, &[])?),
            "restart" => path.restart = Some(cx.table(value, Scope::Node, &[])?),
            "every" | "not-every" | "some" | "none" => {
                if path.marks.is_some() {
                    return Err(CompileError::at(
                        value,
                        "`path` takes one of `every`, `not-every`, `some` and `none`",
                    ));
                }
                let (quantifier, negated) = match key.as_str() {
                    "every" => (Quantifier::Every, false),
                    "not-every" => (Quantifier::Every, true),
                    "some" => (Quantifier::Some, false),
                    _ => (Quantifier::Some, true),
                };
                path.marks = Some((quantifier, negated, cx.table(value, Scope::Node, &[])?));
            }
            other => {
                return Err(CompileError::at(
                    value,
                    format!("`path.{other}` is not a key of `path`"),
                )
                .note(format!("`path` takes {}", KEYS.join(", "))));
            }
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(CompileError::at(
            item,
            "`path` needs `from` (where paths begin) and `to` (where they end)",
        ));
    };
    if from == From::Here && to == To::Here {
        return Err(CompileError::at(
            item,
            "`path` from \"here\" to \"here\" asks about the paths that loop back to the node",
        )
        .note("use `to = \"loop\"` with a loop as the region"));
    }
    path.from = from;
    path.to = to;
    Ok(Box::new(path))
}

pub(super) fn parse_leaves(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "leaves", scope)?;
    Ok(Box::new(Leaves {
        region: cx.table(item, Scope::Node, &[])?,
    }))
}

/// Whether a node is a function or lambda, whose body is another graph.
fn is_function(node: AnyNodeRef<'_>) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) | AnyNodeRef::StmtClassDef(_)
    )
}

/// The function (or module) whose graph holds `node`: its index among `ancestors` (`None` for
/// the module), or why there is none (a lambda's or a class body's node).
fn scope_of(node: AnyNodeRef<'_>, ancestors: &[AnyNodeRef<'_>]) -> Result<Option<usize>, ()> {
    if matches!(node, AnyNodeRef::StmtFunctionDef(_)) {
        return Ok(Some(ancestors.len()));
    }
    match ancestors.iter().rposition(|a| is_function(*a)) {
        None => Ok(None),
        Some(index) => match ancestors[index] {
            AnyNodeRef::StmtFunctionDef(_) => Ok(Some(index)),
            _ => Err(()),
        },
    }
}

impl Path {
    /// The region: the tested node, or its nearest enclosing node satisfying `region`.
    fn region<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        node: AnyNodeRef<'t>,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Option<(AnyNodeRef<'t>, usize)> {
        let Some(condition) = &self.region else {
            return Some((node, ancestors.len()));
        };
        for index in (0..ancestors.len()).rev() {
            let ancestor = ancestors[index];
            let at = Target::at(ancestor, &ancestors[..index]);
            if condition.holds(cx, &at, &mut Env::new()) {
                return Some((ancestor, index));
            }
            if is_function(ancestor) {
                break;
            }
        }
        None
    }

    /// The flags a condition gives each step of `flow` (labels get none): one walk over the
    /// function's body tests each step's node once, with its enclosing nodes at hand.
    fn marks<'r, 't>(
        cx: &Context<'r, 't, '_>,
        condition: &'r Condition,
        flow: &Flow<'t>,
        root: Option<AnyNodeRef<'t>>,
        ancestors: &[AnyNodeRef<'t>],
    ) -> Vec<bool> {
        let mut by_range: FxHashMap<TextRange, Vec<Vertex>> = FxHashMap::default();
        for (index, step) in flow.steps().iter().enumerate() {
            if let Some(node) = step {
                by_range
                    .entry(node.range())
                    .or_default()
                    .push(index as Vertex);
            }
        }
        let mut walk = StepWalk {
            cx,
            condition,
            steps: flow.steps(),
            by_range,
            marks: vec![false; flow.len()],
            path: ancestors.to_vec(),
        };
        match root {
            Some(AnyNodeRef::StmtFunctionDef(function)) => {
                walk.path.push(root.expect("matched"));
                walk.visit_body(&function.body);
            }
            Some(_) => {}
            None => walk.visit_body(cx.module),
        }
        walk.marks
    }
}

/// The walk [`Path::marks`] makes.
struct StepWalk<'r, 't, 'c, 'x> {
    cx: &'x Context<'r, 't, 'c>,
    condition: &'r Condition,
    steps: &'x [Option<AnyNodeRef<'t>>],
    by_range: FxHashMap<TextRange, Vec<Vertex>>,
    marks: Vec<bool>,
    path: Vec<AnyNodeRef<'t>>,
}

impl<'t> SourceOrderVisitor<'t> for StepWalk<'_, 't, '_, '_> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> TraversalSignal {
        if let Some(vertices) = self.by_range.get(&node.range()) {
            let own: Vec<Vertex> = vertices
                .iter()
                .copied()
                .filter(|&v| self.steps[v as usize].is_some_and(|s| s.ptr_eq(node)))
                .collect();
            if !own.is_empty() {
                let at = Target::at(node, &self.path);
                let holds = self.condition.holds(self.cx, &at, &mut Env::new());
                for vertex in own {
                    self.marks[vertex as usize] = holds;
                }
            }
        }
        // A nested function, class or lambda is one step: its body is another graph.
        if is_function(node) {
            return TraversalSignal::Skip;
        }
        self.path.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, node: AnyNodeRef<'t>) {
        if !is_function(node) {
            self.path.pop();
        }
    }
}

impl Atom for Path {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(node) = target.node() else {
            return false;
        };
        let ancestors = target.ancestors();
        let Some((region, region_depth)) = self.region(cx, node, &ancestors) else {
            return false;
        };
        let Ok(scope) = scope_of(region, &ancestors[..region_depth]) else {
            return false;
        };
        let (root, body, root_range, scope_ancestors): (Option<AnyNodeRef<'t>>, &'t [Stmt], _, _) =
            match scope {
                Some(index) => {
                    let function = if index == ancestors.len() {
                        node
                    } else {
                        ancestors[index]
                    };
                    let AnyNodeRef::StmtFunctionDef(def) = function else {
                        return false;
                    };
                    (
                        Some(function),
                        &def.body[..],
                        def.range,
                        &ancestors[..index.min(ancestors.len())],
                    )
                }
                None => (None, cx.module, TextRange::default(), &ancestors[..0]),
            };
        let Some(flow) = cx.flows.graph(body, root_range) else {
            return false;
        };
        let is_root = root.is_some_and(|r| r.ptr_eq(region));
        let places = if is_root {
            Some(flow.root())
        } else {
            flow.places(region.range())
        };
        // The step running the node: its own, or that of the nearest enclosing node that has one
        // (an expression's statement, a test's `if`).
        let here_step = || {
            std::iter::once(node)
                .chain(ancestors.iter().rev().copied())
                .find_map(|n| flow.step_of(n.range()))
        };
        let node_places = if root.is_some_and(|r| r.ptr_eq(node)) {
            Some(flow.root())
        } else {
            flow.places(node.range())
        };
        let start: Vertex = match self.from {
            From::Function => flow.root().start,
            From::Start => match places {
                Some(places) => places.start,
                None => return false,
            },
            From::Here => match node_places {
                Some(places) => places.end,
                None => match here_step() {
                    Some(step) => step,
                    None => return false,
                },
            },
        };
        let goal = match self.to {
            To::Here => match node_places {
                Some(places) => Goal::Before(places.before),
                None => match here_step() {
                    Some(step) => Goal::Before(step),
                    None => return false,
                },
            },
            To::After => match node_places {
                Some(places) => Goal::Before(places.end),
                None => match here_step() {
                    Some(step) => Goal::After(step),
                    None => return false,
                },
            },
            To::End => match places {
                Some(places) => Goal::Before(places.end),
                None => return false,
            },
            To::Exits => {
                if places.is_none() {
                    return false;
                }
                if is_root {
                    Goal::Returns
                } else {
                    Goal::Leaving(region.range())
                }
            }
            To::Raises => match (places, is_root) {
                (None, _) => return false,
                (Some(_), true) => Goal::Raising(root_range),
                (Some(_), false) => Goal::Raising(region.range()),
            },
            To::Loop => match places.and_then(|p| p.head) {
                Some(head) => Goal::Before(head),
                None => return false,
            },
            To::Function => Goal::Returns,
        };
        let marks_of = |condition: &'r Condition| {
            let key = std::ptr::from_ref(condition) as usize;
            cx.flows.marks(root_range, key, || {
                Path::marks(cx, condition, &flow, root, scope_ancestors)
            })
        };
        let restarts = self.restart.as_ref().map(marks_of);
        let restart_key = self
            .restart
            .as_ref()
            .map_or(0, |c| std::ptr::from_ref(c) as usize);
        let goal_kind_after = matches!(goal, Goal::After(_));
        // Many nodes of one function ask the same question with different goals (every `return`
        // of it): the answer for every goal is worked out once.
        if let Goal::Before(goal) | Goal::After(goal) = goal {
            let shared = match &self.marks {
                None => Some((Quantifier::Reaches, None)),
                Some((Quantifier::Every, negated, condition)) => {
                    Some((Quantifier::Every, Some((*negated, condition))))
                }
                Some(_) => None,
            };
            if let Some((quantifier, marked)) = shared {
                let marks = match marked {
                    Some((_, condition)) => marks_of(condition),
                    None => vec![false; flow.len()].into(),
                };
                let marks_key = marked.map_or(0, |(_, c)| std::ptr::from_ref(c) as usize);
                let every = quantifier == Quantifier::Every;
                let key = (root_range, start, every, marks_key, restart_key);
                let arrivals = cx.flows.arrivals(key, || {
                    flow.arrivals(&[start], quantifier, &marks, restarts.as_deref())
                });
                let arrived = match goal_kind_after {
                    true => arrivals[goal as usize].map(|came| came || marks[goal as usize]),
                    false => arrivals[goal as usize],
                };
                return match marked {
                    None => arrived.is_some(),
                    Some((negated, _)) => arrived.unwrap_or(true) != negated,
                };
            }
        }
        match &self.marks {
            None => {
                let marks = vec![false; flow.len()];
                flow.paths(
                    &[start],
                    goal,
                    Quantifier::Reaches,
                    &marks,
                    restarts.as_deref(),
                )
            }
            Some((quantifier, negated, condition)) => {
                let marks = marks_of(condition);
                let holds = flow.paths(&[start], goal, *quantifier, &marks, restarts.as_deref());
                holds != *negated
            }
        }
    }

    fn binds(&self) -> Vec<MetavarUse> {
        Vec::new()
    }
}

#[derive(Debug)]
struct Leaves {
    region: Condition,
}

impl Atom for Leaves {
    /// The node it leaves holds its condition: the file holds what that needs.
    fn needs(&self, modules: &rustc_hash::FxHashSet<String>) -> Needs {
        Needs::file(self.region.needs(modules, &self.region.binds()).needles)
    }

    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(node) = target.node() else {
            return false;
        };
        let is_return = match node {
            AnyNodeRef::StmtReturn(_) => true,
            AnyNodeRef::StmtBreak(_) | AnyNodeRef::StmtContinue(_) => false,
            _ => return false,
        };
        let ancestors = target.ancestors();
        let mut inner = node;
        for index in (0..ancestors.len()).rev() {
            let ancestor = ancestors[index];
            if is_function(ancestor) {
                return false;
            }
            if !is_return && in_loop_body(ancestor, inner) {
                return false;
            }
            let at = Target::at(ancestor, &ancestors[..index]);
            if self.region.holds(cx, &at, &mut Env::new()) {
                return true;
            }
            inner = ancestor;
        }
        false
    }

    fn binds(&self) -> Vec<MetavarUse> {
        Vec::new()
    }
}

/// Whether `inner` is a statement of `node`'s loop body (where `break` and `continue` belong to
/// it; in its `else` they belong to an enclosing loop).
fn in_loop_body(node: AnyNodeRef<'_>, inner: AnyNodeRef<'_>) -> bool {
    let body = match node {
        AnyNodeRef::StmtFor(loop_) => &loop_.body,
        AnyNodeRef::StmtWhile(loop_) => &loop_.body,
        _ => return false,
    };
    body.iter().any(|s| AnyNodeRef::from(s).ptr_eq(inner))
}
