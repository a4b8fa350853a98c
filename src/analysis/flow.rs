//! Control flow inside one function, or the module's top level: the orders its statements may run
//! in, for conditions that ask what happens on the paths between two places.
//!
//! A [`Flow`] is a graph of *steps* and *labels*. A step is something that runs by itself: a
//! simple statement, or the part of a compound statement that runs on its own (an `if`, `elif`
//! or `while` test, a `for` loop's iterable, a `with` item, a `match` subject or case guard, an
//! `except` clause's type). An `async for` loop's next iteration, and an `async with`'s entry and
//! exit, are steps of the statement itself. A nested function, class or lambda is one step: its
//! definition runs, not its body. A label runs nothing: it marks where a compound statement
//! begins ([`Places::before`]), where its body begins ([`Places::start`]), where it completes
//! ([`Places::end`]) and, for a loop, where each iteration begins ([`Places::head`]).
//!
//! Edges follow branches and loops (`while True:` never falls out at its test), `return`,
//! `break`, `continue` and `raise`, `try`/`except`/`else`/`finally` (the `finally` body, and an
//! `async with`'s exit, laid out once for each way control leaves through it: falling through, an
//! exception, each jump), and `match` cases. Any step in a `try` body may raise into its
//! handlers; elsewhere only a `raise` raises.
//!
//! A graph larger than [`MAX_VERTICES`], or nested deeper than [`MAX_NESTING`], is not built:
//! [`Flow::of`] says why, and a condition asking about it does not hold.
//!
//! [`Flow::paths`] answers the questions: over the paths from a set of starts to a place, does a
//! marked step occur on every one, on some, or is the place reached at all.

use ruff_python_ast::{
    AnyNodeRef, ExceptHandler, Expr, Pattern, Stmt, StmtFor, StmtTry, StmtWhile, StmtWith,
};
use std::cell::RefCell;
use std::rc::Rc;

use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

/// The most vertices one graph may have.
pub const MAX_VERTICES: usize = 200_000;

/// The deepest nesting of compound statements a graph is built for.
pub const MAX_NESTING: usize = 200;

/// A vertex's index.
pub type Vertex = u32;

/// Why a function has no graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLarge {
    Vertices,
    Nesting,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TooLarge::Vertices => write!(f, "its control flow has over {MAX_VERTICES} steps"),
            TooLarge::Nesting => {
                write!(f, "its statements are nested more than {MAX_NESTING} deep")
            }
        }
    }
}

/// The labels of one compound statement (or function).
#[derive(Debug, Clone, Copy)]
pub struct Places {
    /// Before anything of it runs.
    pub before: Vertex,
    /// Where its body begins: a loop's body, a `with` body once entered, an `except` clause's
    /// body once its type matched, a function's first statement; the same as `before` for others.
    pub start: Vertex,
    /// Where it completes and control goes on to the next statement.
    pub end: Vertex,
    /// A loop's next iteration, before its test or its next item.
    pub head: Option<Vertex>,
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    to: Vertex,
    /// Whether control goes this way by an exception.
    raises: bool,
}

/// The control-flow graph of one function or module body.
#[derive(Debug)]
pub struct Flow<'t> {
    /// The node each step runs; `None` for a label.
    steps: Vec<Option<AnyNodeRef<'t>>>,
    /// The source each vertex belongs to: a step's node, a label's statement; `None` for the
    /// function's own labels and exits.
    ranges: Vec<Option<TextRange>>,
    successors: Vec<Vec<Edge>>,
    places: FxHashMap<TextRange, Places>,
    /// The first step of each node that has one, by its range.
    first_steps: FxHashMap<TextRange, Vertex>,
    /// The labels of the function (or module) itself.
    root: Places,
    /// Where the function's normal exits (a `return`, falling off the end) meet.
    returns: Vertex,
    /// Where exceptions leaving the function go.
    raised: Vertex,
}

/// Where the paths a question asks about end.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    /// Just before this vertex runs.
    Before(Vertex),
    /// Just after this vertex runs (its own mark counts; a restart there does not).
    After(Vertex),
    /// Leaving the statement of this range by anything but an exception: completing it, or a
    /// `return`, `break` or `continue` that takes control out of it.
    Leaving(TextRange),
    /// The function's normal exits.
    Returns,
    /// A `raise` statement inside the statement of this range whose exception leaves it.
    Raising(TextRange),
}

/// What is asked of the paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// A marked step occurs on every path (true when no path reaches the goal).
    Every,
    /// A marked step occurs on some path.
    Some,
    /// Some path reaches the goal.
    Reaches,
}

impl<'t> Flow<'t> {
    /// The graph of a function's body (or the module's statements).
    pub fn of(body: &'t [Stmt]) -> Result<Self, TooLarge> {
        let mut builder = Builder {
            flow: Flow {
                steps: Vec::new(),
                ranges: Vec::new(),
                successors: Vec::new(),
                places: FxHashMap::default(),
                first_steps: FxHashMap::default(),
                root: Places {
                    before: 0,
                    start: 0,
                    end: 0,
                    head: None,
                },
                returns: 0,
                raised: 0,
            },
            frames: Vec::new(),
            nesting: 0,
            too_large: None,
        };
        let returns = builder.vertex(None, None);
        builder.flow.returns = returns;
        builder.flow.raised = builder.vertex(None, None);
        // The function's own labels lie outside every statement of it.
        let entry = builder.vertex(None, None);
        let end = builder.block(body, vec![entry]);
        let fall_off = builder.vertex(None, None);
        builder.connect(&end, fall_off);
        builder.connect(&[fall_off], returns);
        builder.flow.root = Places {
            before: entry,
            start: entry,
            end: fall_off,
            head: None,
        };
        match builder.too_large {
            Some(reason) => Err(reason),
            None => Ok(builder.flow),
        }
    }

    /// The labels of the compound statement or `except` clause of this range.
    pub fn places(&self, range: TextRange) -> Option<Places> {
        self.places.get(&range).copied()
    }

    /// The labels of the function (or module) itself: `start` is its entry, `end` where it
    /// falls off its last statement.
    pub fn root(&self) -> Places {
        self.root
    }

    /// The number of vertices.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether it has no vertex (never: every graph has its entry and exits).
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The steps, by vertex: the node each runs (`None` for labels).
    pub fn steps(&self) -> &[Option<AnyNodeRef<'t>>] {
        &self.steps
    }

    /// The first step that runs the node of this range (an `async with`'s entry, not its exit).
    pub fn step_of(&self, range: TextRange) -> Option<Vertex> {
        self.first_steps.get(&range).copied()
    }

    /// What the paths from `starts` say at every vertex, as [`Flow::paths`] asks with `Before`
    /// goals, for all goals at once: `None` where no path arrives, else whether the mark occurred
    /// (on every path for `Every`; `Some` is not answered here, since a path may pass a goal and
    /// come back to it, which does not change `Every` or `Reaches`).
    pub fn arrivals(
        &self,
        starts: &[Vertex],
        quantifier: Quantifier,
        marks: &[bool],
        restarts: Option<&[bool]>,
    ) -> Vec<Option<bool>> {
        debug_assert!(quantifier != Quantifier::Some);
        let count = self.steps.len();
        let mut came: Vec<Option<bool>> = vec![None; count];
        let mut is_start = vec![false; count];
        let mut queued = vec![false; count];
        for &start in starts {
            is_start[start as usize] = true;
            queued[start as usize] = true;
        }
        let mut pending: Vec<Vertex> = starts.to_vec();
        while let Some(vertex) = pending.pop() {
            let index = vertex as usize;
            queued[index] = false;
            let out = if is_start[index] {
                false
            } else {
                let Some(came_in) = came[index] else {
                    continue;
                };
                if restarts.is_some_and(|r| r[index]) {
                    false
                } else {
                    came_in || marks[index]
                }
            };
            for edge in &self.successors[index] {
                let to = edge.to as usize;
                let before = came[to];
                let after = Some(before.map_or(out, |b| b && out));
                if after != before {
                    came[to] = after;
                    if !queued[to] {
                        queued[to] = true;
                        pending.push(edge.to);
                    }
                }
            }
        }
        came
    }

    /// Over the paths that begin just after one of `starts` (or, past a vertex `restarts`
    /// marks, again from there) and end at `goal`, whether a vertex `marks` marks occurs as
    /// `quantifier` asks. `marks` and `restarts` hold one flag per vertex.
    pub fn paths(
        &self,
        starts: &[Vertex],
        goal: Goal,
        quantifier: Quantifier,
        marks: &[bool],
        restarts: Option<&[bool]>,
    ) -> bool {
        // Per vertex, what the paths reaching it say: `None` when none does, else whether the
        // mark occurred (on every path for `Every`, on some for the others).
        let every = quantifier == Quantifier::Every;
        let join = |a: Option<bool>, b: bool| -> bool {
            match a {
                None => b,
                Some(a) if every => a && b,
                Some(a) => a || b,
            }
        };
        let count = self.steps.len();
        let mut came: Vec<Option<bool>> = vec![None; count];
        let mut is_start = vec![false; count];
        for &start in starts {
            is_start[start as usize] = true;
        }
        let mut result: Option<bool> = None;
        let mut pending: Vec<Vertex> = starts.to_vec();
        let mut queued = vec![false; count];
        for &start in starts {
            queued[start as usize] = true;
        }
        while let Some(vertex) = pending.pop() {
            let index = vertex as usize;
            queued[index] = false;
            let out = if is_start[index] {
                false
            } else {
                let Some(came_in) = came[index] else {
                    continue;
                };
                if restarts.is_some_and(|r| r[index]) {
                    false
                } else {
                    came_in || marks[index]
                }
            };
            if let Goal::Before(goal) = goal
                && goal == vertex
                && !is_start[index]
            {
                continue;
            }
            if let Goal::After(goal) = goal
                && goal == vertex
            {
                if let Some(came_in) = came[index] {
                    result = Some(join(result, came_in || marks[index]));
                }
                continue;
            }
            for edge in &self.successors[index] {
                let to = edge.to as usize;
                match goal {
                    Goal::Before(goal) if goal == edge.to => {
                        result = Some(join(result, out));
                        // The goal's own arrival is recorded; paths end there.
                        continue;
                    }
                    Goal::Returns if edge.to == self.returns => {
                        result = Some(join(result, out));
                        continue;
                    }
                    Goal::Leaving(region) | Goal::Raising(region) => {
                        let inside =
                            |v: usize| self.ranges[v].is_some_and(|r| region.contains_range(r));
                        if inside(index) && !inside(to) {
                            let counts = match goal {
                                Goal::Leaving(_) => !edge.raises,
                                _ => {
                                    edge.raises
                                        && matches!(
                                            self.steps[index],
                                            Some(AnyNodeRef::StmtRaise(_))
                                        )
                                }
                            };
                            if counts {
                                result = Some(join(result, out));
                            }
                            continue;
                        }
                    }
                    _ => {}
                }
                let before = came[to];
                let after = Some(join(before, out));
                if after != before {
                    came[to] = after;
                    if !queued[to] {
                        queued[to] = true;
                        pending.push(edge.to);
                    }
                }
            }
        }
        match quantifier {
            Quantifier::Every => result.unwrap_or(true),
            Quantifier::Some => result == Some(true),
            Quantifier::Reaches => result.is_some(),
        }
    }
}

/// The graphs of one file's functions, built as conditions ask, and what conditions marked in
/// them.
#[derive(Debug, Default)]
pub struct Flows<'t> {
    graphs: RefCell<FxHashMap<TextRange, Option<Rc<Flow<'t>>>>>,
    marks: RefCell<MarksByQuestion>,
    arrivals: RefCell<FxHashMap<ArrivalsKey, Rc<[Option<bool>]>>>,
    skipped: RefCell<Vec<(TextRange, TooLarge)>>,
}

impl<'t> Flows<'t> {
    /// The graph of the body of the function at `root` (the module's at an empty range), built
    /// once.
    pub fn graph(&self, body: &'t [Stmt], root: TextRange) -> Option<Rc<Flow<'t>>> {
        if let Some(known) = self.graphs.borrow().get(&root) {
            return known.clone();
        }
        let built = match Flow::of(body) {
            Ok(flow) => Some(Rc::new(flow)),
            Err(reason) => {
                self.skipped.borrow_mut().push((root, reason));
                None
            }
        };
        self.graphs.borrow_mut().insert(root, built.clone());
        built
    }

    /// The flags `mark` gives each vertex of the graph at `root`, worked out once per `key`.
    pub fn marks(
        &self,
        root: TextRange,
        key: usize,
        mark: impl FnOnce() -> Vec<bool>,
    ) -> Rc<[bool]> {
        if let Some(known) = self.marks.borrow().get(&(root, key)) {
            return known.clone();
        }
        let marks: Rc<[bool]> = mark().into();
        self.marks.borrow_mut().insert((root, key), marks.clone());
        marks
    }

    /// [`Flow::arrivals`] in the graph at `root`, worked out once per `key`.
    pub fn arrivals(
        &self,
        key: ArrivalsKey,
        work_out: impl FnOnce() -> Vec<Option<bool>>,
    ) -> Rc<[Option<bool>]> {
        if let Some(known) = self.arrivals.borrow().get(&key) {
            return known.clone();
        }
        let arrivals: Rc<[Option<bool>]> = work_out().into();
        self.arrivals.borrow_mut().insert(key, arrivals.clone());
        arrivals
    }

    /// The functions whose graphs were too large to build, and why.
    pub fn skipped(&self) -> Vec<(TextRange, TooLarge)> {
        self.skipped.borrow().clone()
    }
}

/// The marks of each graph (by its root) and condition (by its key).
type MarksByQuestion = FxHashMap<(TextRange, usize), Rc<[bool]>>;

/// What identifies one [`Flow::arrivals`] question in a file: the graph's root, the start, whether
/// it asks `Every` (else `Reaches`), and the keys of its marks and restarts.
pub type ArrivalsKey = (TextRange, Vertex, bool, usize, usize);

/// How a jump or an exception leaving a statement passes through it.
#[derive(Debug, Clone, Copy)]
enum Frame<'t> {
    /// A loop: `break` goes to its end, `continue` to its head.
    Loop { end: Vertex, head: Vertex },
    /// Exceptions raised here go to this vertex (a `try`'s handlers, or what runs before the
    /// exception goes on: a `finally` body, an `async with`'s exit).
    Catch(Vertex),
    /// Control leaving through here runs this first: a `finally` body.
    Finally(&'t [Stmt]),
    /// Control leaving through here runs this `async with`'s exit first.
    Exit(&'t StmtWith),
}

#[derive(Debug, Clone, Copy)]
enum Jump {
    Return,
    Break,
    Continue,
}

struct Builder<'t> {
    flow: Flow<'t>,
    frames: Vec<Frame<'t>>,
    nesting: usize,
    too_large: Option<TooLarge>,
}

impl<'t> Builder<'t> {
    fn vertex(&mut self, step: Option<AnyNodeRef<'t>>, range: Option<TextRange>) -> Vertex {
        if self.flow.steps.len() >= MAX_VERTICES {
            self.too_large.get_or_insert(TooLarge::Vertices);
        }
        if let (Some(node), Some(range)) = (step, range) {
            let next = self.flow.steps.len() as Vertex;
            debug_assert_eq!(node.range(), range);
            self.flow.first_steps.entry(range).or_insert(next);
        }
        self.flow.steps.push(step);
        self.flow.ranges.push(range);
        self.flow.successors.push(Vec::new());
        (self.flow.steps.len() - 1) as Vertex
    }

    fn label(&mut self, range: TextRange) -> Vertex {
        self.vertex(None, Some(range))
    }

    fn connect(&mut self, from: &[Vertex], to: Vertex) {
        for &vertex in from {
            self.flow.successors[vertex as usize].push(Edge { to, raises: false });
        }
    }

    fn raise_to(&mut self, from: Vertex, to: Vertex) {
        self.flow.successors[from as usize].push(Edge { to, raises: true });
    }

    /// Where an exception raised here goes, if anywhere in the function.
    fn catcher(&self) -> Option<Vertex> {
        self.frames.iter().rev().find_map(|frame| match frame {
            Frame::Catch(vertex) => Some(*vertex),
            _ => None,
        })
    }

    /// A step running `node`, after `preds`; inside a `try` it may raise into the handlers.
    fn step(&mut self, node: AnyNodeRef<'t>, preds: &[Vertex]) -> Vertex {
        let vertex = self.vertex(Some(node), Some(node.range()));
        self.connect(preds, vertex);
        if let Some(catcher) = self.catcher() {
            self.raise_to(vertex, catcher);
        }
        vertex
    }

    fn block(&mut self, body: &'t [Stmt], mut preds: Vec<Vertex>) -> Vec<Vertex> {
        for stmt in body {
            if self.too_large.is_some() {
                return Vec::new();
            }
            preds = self.statement(stmt, preds);
        }
        preds
    }

    /// Lay out `stmt` after `preds`; what falls through to the next statement.
    fn statement(&mut self, stmt: &'t Stmt, preds: Vec<Vertex>) -> Vec<Vertex> {
        match stmt {
            Stmt::If(_)
            | Stmt::While(_)
            | Stmt::For(_)
            | Stmt::With(_)
            | Stmt::Try(_)
            | Stmt::Match(_) => {
                self.nesting += 1;
                let after = if self.nesting > MAX_NESTING {
                    self.too_large.get_or_insert(TooLarge::Nesting);
                    Vec::new()
                } else {
                    self.compound(stmt, preds)
                };
                self.nesting -= 1;
                after
            }
            Stmt::Return(_) => {
                let step = self.step(stmt.into(), &preds);
                self.jump(Jump::Return, vec![step]);
                Vec::new()
            }
            Stmt::Break(_) => {
                let step = self.step(stmt.into(), &preds);
                self.jump(Jump::Break, vec![step]);
                Vec::new()
            }
            Stmt::Continue(_) => {
                let step = self.step(stmt.into(), &preds);
                self.jump(Jump::Continue, vec![step]);
                Vec::new()
            }
            Stmt::Raise(_) => {
                let step = self.vertex(Some(stmt.into()), Some(stmt.range()));
                self.connect(&preds, step);
                self.raise(step);
                Vec::new()
            }
            _ => vec![self.step(stmt.into(), &preds)],
        }
    }

    /// An exception raised at `from`: to the nearest handlers, through what runs on the way, or
    /// out of the function.
    fn raise(&mut self, from: Vertex) {
        let to = self.catcher().unwrap_or(self.flow.raised);
        self.raise_to(from, to);
    }

    fn compound(&mut self, stmt: &'t Stmt, preds: Vec<Vertex>) -> Vec<Vertex> {
        let range = stmt.range();
        let before = self.label(range);
        self.connect(&preds, before);
        let end = self.label(range);
        let mut places = Places {
            before,
            start: before,
            end,
            head: None,
        };
        let after = match stmt {
            Stmt::If(node) => {
                let test = self.step((&*node.test).into(), &[before]);
                let mut falls = self.block(&node.body, vec![test]);
                let mut otherwise = vec![test];
                let mut covered = false;
                for clause in &node.elif_else_clauses {
                    match &clause.test {
                        Some(test) => {
                            let test = self.step(test.into(), &otherwise);
                            falls.extend(self.block(&clause.body, vec![test]));
                            otherwise = vec![test];
                        }
                        None => {
                            falls.extend(self.block(&clause.body, otherwise.clone()));
                            covered = true;
                        }
                    }
                }
                if !covered {
                    falls.extend(otherwise);
                }
                falls
            }
            Stmt::While(node) => self.while_loop(node, &mut places),
            Stmt::For(node) => self.for_loop(node, &mut places),
            Stmt::With(node) => self.with(node, &mut places),
            Stmt::Try(node) => self.try_statement(node, before),
            Stmt::Match(node) => {
                let subject = self.step((&*node.subject).into(), &[before]);
                let mut tried = vec![subject];
                let mut falls = Vec::new();
                for case in &node.cases {
                    let label = self.label(case.range());
                    self.connect(&tried, label);
                    let matched = match &case.guard {
                        Some(guard) => self.step((&**guard).into(), &[label]),
                        None => label,
                    };
                    falls.extend(self.block(&case.body, vec![matched]));
                    // The next case is tried when this one's pattern or guard fails.
                    tried = if case.guard.is_none() && is_irrefutable(&case.pattern) {
                        Vec::new()
                    } else if case.guard.is_some() {
                        vec![label, matched]
                    } else {
                        vec![label]
                    };
                }
                falls.extend(tried);
                falls
            }
            _ => Vec::new(),
        };
        self.connect(&after, end);
        self.flow.places.insert(range, places);
        vec![end]
    }

    fn while_loop(&mut self, node: &'t StmtWhile, places: &mut Places) -> Vec<Vertex> {
        let head = self.label(node.range);
        self.connect(&[places.before], head);
        let test = self.step((&*node.test).into(), &[head]);
        let start = self.label(node.range);
        self.connect(&[test], start);
        places.start = start;
        places.head = Some(head);
        self.frames.push(Frame::Loop {
            end: places.end,
            head,
        });
        let falls = self.block(&node.body, vec![start]);
        self.frames.pop();
        self.connect(&falls, head);
        if is_always_true(&node.test) {
            Vec::new()
        } else {
            self.block(&node.orelse, vec![test])
        }
    }

    fn for_loop(&mut self, node: &'t StmtFor, places: &mut Places) -> Vec<Vertex> {
        let iter = self.step((&*node.iter).into(), &[places.before]);
        let head = self.label(node.range);
        self.connect(&[iter], head);
        let next = if node.is_async {
            self.step(node.into(), &[head])
        } else {
            head
        };
        let start = self.label(node.range);
        self.connect(&[next], start);
        places.start = start;
        places.head = Some(head);
        self.frames.push(Frame::Loop {
            end: places.end,
            head,
        });
        let falls = self.block(&node.body, vec![start]);
        self.frames.pop();
        self.connect(&falls, head);
        self.block(&node.orelse, vec![next])
    }

    fn with(&mut self, node: &'t StmtWith, places: &mut Places) -> Vec<Vertex> {
        let mut preds = vec![places.before];
        for item in &node.items {
            preds = vec![self.step((&item.context_expr).into(), &preds)];
        }
        if node.is_async {
            preds = vec![self.step(node.into(), &preds)];
        }
        let start = self.label(node.range);
        self.connect(&preds, start);
        places.start = start;
        if !node.is_async {
            return self.block(&node.body, vec![start]);
        }
        // An exception leaving the body runs the exit first, then goes on.
        let exit_on_raise = self.vertex(Some(node.into()), Some(node.range));
        self.raise(exit_on_raise);
        self.frames.push(Frame::Exit(node));
        self.frames.push(Frame::Catch(exit_on_raise));
        let falls = self.block(&node.body, vec![start]);
        self.frames.pop();
        self.frames.pop();
        vec![self.step(node.into(), &falls)]
    }

    fn try_statement(&mut self, node: &'t StmtTry, before: Vertex) -> Vec<Vertex> {
        let range = node.range;
        let start = self.label(range);
        self.connect(&[before], start);
        // Where an exception goes on from this statement: through `finally` when there is one.
        let finally = (!node.finalbody.is_empty()).then_some(&node.finalbody[..]);
        let reraise = match finally {
            Some(body) => {
                let entry = self.label(range);
                let falls = self.block(body, vec![entry]);
                for vertex in falls {
                    self.raise(vertex);
                }
                Some(entry)
            }
            None => None,
        };
        let dispatch = (!node.handlers.is_empty()).then(|| self.label(range));
        let catch = dispatch.or(reraise);
        if let Some(finally) = finally {
            self.frames.push(Frame::Finally(finally));
        }
        if let Some(catch) = catch {
            self.frames.push(Frame::Catch(catch));
            self.raise_to(start, catch);
        }
        let mut falls = self.block(&node.body, vec![start]);
        if catch.is_some() {
            self.frames.pop();
        }
        // `else` and the handlers raise past this statement's handlers, into `finally`.
        if let Some(reraise) = reraise {
            self.frames.push(Frame::Catch(reraise));
        }
        falls = self.block(&node.orelse, falls);
        if let Some(dispatch) = dispatch {
            let mut next = vec![dispatch];
            for handler in &node.handlers {
                let ExceptHandler::ExceptHandler(clause) = handler;
                let before = self.label(clause.range);
                self.connect(&next, before);
                let matched = match &clause.type_ {
                    Some(kind) => {
                        let step = self.step((&**kind).into(), &[before]);
                        next = vec![step];
                        step
                    }
                    None => {
                        next = Vec::new();
                        before
                    }
                };
                let body_start = self.label(clause.range);
                self.connect(&[matched], body_start);
                let body_falls = self.block(&clause.body, vec![body_start]);
                let handler_end = self.label(clause.range);
                self.connect(&body_falls, handler_end);
                self.flow.places.insert(
                    clause.range,
                    Places {
                        before,
                        start: body_start,
                        end: handler_end,
                        head: None,
                    },
                );
                falls.push(handler_end);
            }
            // No handler matched: the exception goes on.
            for vertex in next {
                self.raise(vertex);
            }
        }
        if reraise.is_some() {
            self.frames.pop();
        }
        if let Some(finally) = finally {
            self.frames.pop();
            if !falls.is_empty() {
                falls = self.block(finally, falls);
            }
        }
        falls
    }

    /// A `return`, `break` or `continue` from `preds`: through every `finally` body and `async
    /// with` exit it leaves, to its target.
    fn jump(&mut self, jump: Jump, mut preds: Vec<Vertex>) {
        let mut depth = self.frames.len();
        while depth > 0 {
            depth -= 1;
            match self.frames[depth] {
                Frame::Loop { end, head } => match jump {
                    Jump::Break => return self.connect(&preds, end),
                    Jump::Continue => return self.connect(&preds, head),
                    Jump::Return => {}
                },
                Frame::Catch(_) => {}
                Frame::Finally(body) => {
                    let inner = self.frames.split_off(depth);
                    preds = self.block(body, preds);
                    self.frames.extend(inner);
                }
                Frame::Exit(with) => {
                    let inner = self.frames.split_off(depth);
                    preds = vec![self.step(with.into(), &preds)];
                    self.frames.extend(inner);
                }
            }
            if self.too_large.is_some() {
                return;
            }
        }
        if let Jump::Return = jump {
            let returns = self.flow.returns;
            self.connect(&preds, returns);
        }
    }
}

/// Whether a `while` test is a constant that is always true.
fn is_always_true(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(literal) => literal.value,
        Expr::NumberLiteral(number) => match &number.value {
            ruff_python_ast::Number::Int(int) => int.as_u64() != Some(0),
            _ => false,
        },
        _ => false,
    }
}

/// Whether a case pattern matches every subject: a capture or `_` with no sub-pattern.
fn is_irrefutable(pattern: &Pattern) -> bool {
    match pattern {
        Pattern::MatchAs(node) => node.pattern.is_none(),
        Pattern::MatchOr(node) => node.patterns.iter().any(is_irrefutable),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_parser::parse_module;

    /// Whether every path from the function's entry to its exits passes a step whose source
    /// contains `marked`.
    fn every_exit_passes(source: &str, marked: &str) -> bool {
        let parsed = parse_module(source).unwrap();
        let module = parsed.syntax();
        let Stmt::FunctionDef(function) = &module.body[0] else {
            panic!("not a function")
        };
        let flow = Flow::of(&function.body).unwrap();
        let marks: Vec<bool> = flow
            .steps()
            .iter()
            .map(|step| step.is_some_and(|node| source[node.range()].contains(marked)))
            .collect();
        let entry = flow.root().start;
        flow.paths(&[entry], Goal::Returns, Quantifier::Every, &marks, None)
    }

    #[test]
    fn a_branch_without_the_mark_is_a_path_without_it() {
        let both = "def f(x):\n    if x:\n        mark()\n    else:\n        mark()\n";
        assert!(every_exit_passes(both, "mark"));
        let one = "def f(x):\n    if x:\n        mark()\n";
        assert!(!every_exit_passes(one, "mark"));
        let early = "def f(x):\n    if x:\n        return\n    mark()\n";
        assert!(!every_exit_passes(early, "mark"));
    }

    #[test]
    fn loops_may_run_no_time_unless_endless() {
        let maybe = "def f(xs):\n    for x in xs:\n        mark()\n";
        assert!(!every_exit_passes(maybe, "mark"));
        let endless =
            "def f():\n    while True:\n        mark()\n        if x:\n            break\n";
        assert!(every_exit_passes(endless, "mark"));
        let skip = "def f():\n    while True:\n        if x:\n            break\n        mark()\n";
        assert!(!every_exit_passes(skip, "mark"));
    }

    #[test]
    fn finally_runs_on_every_way_out() {
        let finally = "def f(x):\n    try:\n        if x:\n            return 1\n        g()\n    finally:\n        mark()\n";
        assert!(every_exit_passes(finally, "mark"));
        let handler = "def f():\n    try:\n        mark()\n    except E:\n        return\n";
        assert!(!every_exit_passes(handler, "mark"));
        let raises = "def f(x):\n    if x:\n        raise E\n    mark()\n";
        assert!(every_exit_passes(raises, "mark"));
    }

    #[test]
    fn leaving_a_handler_counts_jumps_out_of_it() {
        let source = "def f():\n    while x:\n        try:\n            g()\n        except E:\n            if y:\n                break\n            raise\n";
        let parsed = parse_module(source).unwrap();
        let Stmt::FunctionDef(function) = &parsed.syntax().body[0] else {
            unreachable!()
        };
        let flow = Flow::of(&function.body).unwrap();
        let Stmt::While(loop_) = &function.body[0] else {
            unreachable!()
        };
        let Stmt::Try(try_) = &loop_.body[0] else {
            unreachable!()
        };
        let handler = try_.handlers[0].range();
        let start = flow.places(handler).unwrap().start;
        let marks = vec![false; flow.len()];
        assert!(flow.paths(
            &[start],
            Goal::Leaving(handler),
            Quantifier::Reaches,
            &marks,
            None
        ));
        let always =
            "def f():\n    try:\n        g()\n    except E:\n        log()\n        raise\n";
        let parsed = parse_module(always).unwrap();
        let Stmt::FunctionDef(function) = &parsed.syntax().body[0] else {
            unreachable!()
        };
        let flow = Flow::of(&function.body).unwrap();
        let Stmt::Try(try_) = &function.body[0] else {
            unreachable!()
        };
        let handler = try_.handlers[0].range();
        let start = flow.places(handler).unwrap().start;
        let marks = vec![false; flow.len()];
        assert!(!flow.paths(
            &[start],
            Goal::Leaving(handler),
            Quantifier::Reaches,
            &marks,
            None
        ));
    }

    #[test]
    fn huge_and_deep_functions_have_no_graph() {
        let mut deep = String::from("def f():\n");
        for depth in 0..=MAX_NESTING {
            deep.push_str(&" ".repeat(4 * (depth + 1)));
            deep.push_str("if x:\n");
        }
        deep.push_str(&" ".repeat(4 * (MAX_NESTING + 2)));
        deep.push_str("pass\n");
        let parsed = parse_module(&deep).unwrap();
        let Stmt::FunctionDef(function) = &parsed.syntax().body[0] else {
            unreachable!()
        };
        assert_eq!(Flow::of(&function.body).err(), Some(TooLarge::Nesting));
        let mut wide = String::from("def f(x):\n    if x == 0:\n        pass\n");
        for branch in 1..10_000 {
            wide.push_str(&format!("    elif x == {branch}:\n        pass\n"));
        }
        let parsed = parse_module(&wide).unwrap();
        let Stmt::FunctionDef(function) = &parsed.syntax().body[0] else {
            unreachable!()
        };
        assert!(Flow::of(&function.body).is_ok());
    }
}
