//! What a name means: imports, scopes and qualified names.
//!
//! [`Semantic`] is built once per parsed file. It records, for the modules the loaded packs
//! declare, every import binding (`import m`, `import m.sub`, `import m as x`, `from m import a`,
//! `from m import a as b`, at any depth: inside functions, `try`, `if`), every other binding of the
//! same names (assignments, parameters, `def`/`class`, `for` and `with` targets, comprehension
//! variables, `except … as`) and the scope of every use. A use then resolves to the qualified name
//! it imports (`p.sleep` → `pkg.sleep`) or to nothing when a local binding shadows it.
//!
//! Resolution rules, in order: in the use's own scope, the latest binding textually before the use
//! decides (a binding in an `except` handler only counts inside that handler, so the
//! `try: import m / except ImportError: m = None` idiom keeps resolving); a function scope that
//! binds the name anywhere makes it local there; enclosing function and module scopes (never class
//! scopes) are searched with their last binding; a name bound nowhere is unbound.
//!
//! A binding made on one branch (of an `if`, a `match`, a loop's body or `else`) does not hide the
//! ones before it: a use after the branch may read either. When one of the bindings a use may read
//! is an import, the use resolves to it, and [`Semantic::is_ambiguous`] says that it may read
//! another binding instead (a fix must not assume which).

use std::cell::{Cell, OnceCell};
use std::collections::BTreeSet;

use ruff_python_ast::{
    self as ast, AnyNodeRef, Expr, ExprContext, ModModule, Stmt,
    name::Name,
    visitor::source_order::{self, SourceOrderVisitor},
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

use crate::base::stack;
use crate::base::words::WordSet;

/// Index of a scope in [`Semantic`]; the module scope is 0.
pub type ScopeId = u32;
pub const MODULE_SCOPE: ScopeId = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

#[derive(Debug)]
struct Scope {
    kind: ScopeKind,
    parent: Option<ScopeId>,
    range: TextRange,
    bindings: FxHashMap<String, Vec<BindingId>>,
}

pub type BindingId = u32;

/// One binding of a tracked name.
#[derive(Debug, Clone)]
pub struct Binding {
    pub name: String,
    pub scope: ScopeId,
    /// From this offset on, uses in the same scope see the binding.
    pub effective: TextSize,
    /// The `except` handler the binding stands in, if any.
    pub handler: Option<TextRange>,
    /// The branches the binding is made on (an index into [`Semantic`]'s paths).
    path: PathId,
    pub kind: BindingKind,
}

/// Index of a branch path: the branches, outermost first, that a place in a scope lies on, each
/// as the start of its compound statement and the number of the branch.
type PathId = u32;

/// The path of a place on no branch of its scope.
const NO_BRANCH: PathId = 0;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingKind {
    /// An import; `qualified` is the dotted name it binds (`pkg`, `pkg.sleep`).
    Import {
        qualified: String,
        /// The whole import statement and the alias within it.
        statement: TextRange,
        alias: TextRange,
    },
    /// Any other binding: it shadows imports of the same name.
    Other,
}

/// Whether the dotted name `qualified` is `module` or lies inside it (`pkg.sub.f` in `pkg.sub`).
pub fn in_module(qualified: &str, module: &str) -> bool {
    qualified
        .strip_prefix(module)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// What a name means at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution<'s> {
    Unbound,
    Import(BindingId, &'s str),
    Other,
}

/// The semantic model of one file, limited to the names imports of `modules` bind.
#[derive(Debug)]
pub struct Semantic {
    scopes: Vec<Scope>,
    bindings: Vec<Binding>,
    /// For every use of a tracked name: the start of the `Name` node, its scope and its name.
    uses: FxHashMap<TextSize, (ScopeId, PathId)>,
    use_list: Vec<(TextSize, ScopeId, Name)>,
    /// Branch paths, interned: `paths[0]` is the empty path.
    paths: Vec<Vec<(TextSize, u32)>>,
    /// The uses (starts of names) that resolve to an import but may read another binding, sorted;
    /// found on first use.
    ambiguous: OnceCell<Vec<TextSize>>,
    tracked: WordSet<String>,
    /// The root packages of the declared modules.
    roots: Vec<String>,
    /// The deepest nesting of statements, expressions and `case` patterns.
    depth: usize,
    /// For each dotted name an import binds, the local names it is bound to, once each; found on
    /// first use.
    imported: OnceCell<FxHashMap<String, Vec<String>>>,
    /// What [`Semantic::scope_at`] answers, by offset: sorted starts of the stretches of text over
    /// which the answer stays the same, each with that answer. Built once
    /// [`SCOPE_SCANS`] lookups have scanned the scopes.
    scope_map: OnceCell<Vec<(TextSize, ScopeId)>>,
    /// How many lookups have scanned the scopes.
    scope_scans: Cell<u32>,
}

/// How many times [`Semantic::scope_at`] scans the scopes before it maps them: a file with a
/// few fixes never pays for the map, a file with many pays a binary search for each.
const SCOPE_SCANS: u32 = 16;

/// How many attributes [`Semantic::qualify`] follows from a name.
pub const MAX_QUALIFIED_ATTRIBUTES: usize = 64;

/// The root package of a dotted module name (`pkg.sub` → `pkg`).
fn root_of(dotted: &str) -> &str {
    dotted.split('.').next().unwrap_or(dotted)
}

impl Semantic {
    /// Build the model for `module`, tracking imports whose root module is in `modules`.
    pub fn build(module: &ModModule, modules: &FxHashSet<String>) -> Semantic {
        let roots: Vec<&str> = modules.iter().map(|m| root_of(m)).collect();
        let mut tracked = WordSet::default();
        for root in &roots {
            tracked.add((*root).to_owned());
        }
        let mut collector = ImportNames {
            roots: &roots,
            tracked: &mut tracked,
            depth: 0,
            stack: stack::Checked::default(),
        };
        collector.visit_body(&module.body);
        let mut builder = Builder {
            model: Semantic {
                scopes: vec![Scope {
                    kind: ScopeKind::Module,
                    parent: None,
                    range: module.range(),
                    bindings: FxHashMap::default(),
                }],
                bindings: Vec::new(),
                uses: FxHashMap::default(),
                use_list: Vec::new(),
                paths: vec![Vec::new()],
                ambiguous: OnceCell::new(),
                tracked,
                roots: roots.iter().map(|root| (*root).to_owned()).collect(),
                depth: 0,
                imported: OnceCell::new(),
                scope_map: OnceCell::new(),
                scope_scans: Cell::new(0),
            },
            scope: MODULE_SCOPE,
            handlers: Vec::new(),
            path: Vec::new(),
            path_id: Some(NO_BRANCH),
            path_ids: FxHashMap::default(),
            store_offset: None,
            depth: 0,
            stack: stack::Checked::default(),
        };
        builder.visit_body(&module.body);
        builder.model
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id as usize]
    }

    pub fn bindings(&self) -> impl Iterator<Item = (BindingId, &Binding)> {
        self.bindings
            .iter()
            .enumerate()
            .map(|(i, b)| (i as BindingId, b))
    }

    /// The dotted names the file's imports bind (`pkg`, `pkg.sleep`), once each, in no particular
    /// order.
    pub fn imported(&self) -> impl Iterator<Item = &str> {
        self.imports().keys().map(String::as_str)
    }

    /// For each dotted name an import binds, the local names it is bound to, once each.
    fn imports(&self) -> &FxHashMap<String, Vec<String>> {
        self.imported.get_or_init(|| {
            let mut imported: FxHashMap<String, Vec<String>> = FxHashMap::default();
            for binding in &self.bindings {
                if let BindingKind::Import { qualified, .. } = &binding.kind {
                    imported
                        .entry(qualified.clone())
                        .or_default()
                        .push(binding.name.clone());
                }
            }
            for names in imported.values_mut() {
                names.sort_unstable();
                names.dedup();
            }
            imported
        })
    }

    /// The import binding visible at `at` (in `scope`) that reaches `qualified` most directly, as
    /// its local name and the dotted name it binds: of those binding `qualified` or a dotted prefix
    /// of it, the one binding the shortest (the module rather than a name imported from it), the
    /// first bound on a tie. Only the names bound to such a prefix are resolved, not every import
    /// of the file.
    pub fn import_reaching(
        &self,
        qualified: &str,
        at: TextSize,
        scope: ScopeId,
    ) -> Option<(&str, &str)> {
        let prefixes = qualified
            .match_indices('.')
            .map(|(dot, _)| &qualified[..dot])
            .chain([qualified]);
        let mut best: Option<(usize, BindingId, &str)> = None;
        for prefix in prefixes {
            for name in self.imports().get(prefix).into_iter().flatten() {
                let Resolution::Import(id, bound) = self.lookup(name, at, scope) else {
                    continue;
                };
                let reaches = qualified
                    .strip_prefix(bound)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'));
                if reaches
                    && best.is_none_or(|(length, first, _)| (bound.len(), id) < (length, first))
                {
                    best = Some((bound.len(), id, bound));
                }
            }
        }
        best.map(|(_, id, bound)| (self.binding(id).name.as_str(), bound))
    }

    /// The deepest nesting of statements, expressions and `case` patterns in the file: how much
    /// stack walking or dropping its tree takes.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Where the file uses a name that may resolve to an import (the start of each `Name`), in
    /// no particular order. A node that resolves to an import holds one of them.
    pub fn tracked_uses(&self) -> impl Iterator<Item = TextSize> + '_ {
        self.use_list.iter().map(|(offset, _, _)| *offset)
    }

    /// Whether `name` can ever resolve to an import in this file.
    pub fn is_tracked(&self, name: &str) -> bool {
        self.tracked.contains(name)
    }

    /// The innermost scope whose range contains `offset`: of the scopes that contain it, the one
    /// opened last (the module scope when none does). The first lookups scan the scopes, the
    /// others search a map of them (see [`SCOPE_SCANS`]).
    pub fn scope_at(&self, offset: TextSize) -> ScopeId {
        let map = match self.scope_map.get() {
            Some(map) => map,
            None if self.scope_scans.get() < SCOPE_SCANS => {
                self.scope_scans.set(self.scope_scans.get() + 1);
                return self
                    .scopes
                    .iter()
                    .enumerate()
                    .skip(1)
                    .rev()
                    .find(|(_, scope)| scope.range.contains(offset))
                    .map_or(MODULE_SCOPE, |(id, _)| id as ScopeId);
            }
            None => self.scope_map.get_or_init(|| scope_map(&self.scopes)),
        };
        let after = map.partition_point(|&(start, _)| start <= offset);
        after.checked_sub(1).map_or(MODULE_SCOPE, |at| map[at].1)
    }

    /// Resolve `name` used at `offset` in `scope`.
    pub fn lookup(&self, name: &str, offset: TextSize, scope: ScopeId) -> Resolution<'_> {
        self.lookup_on(name, offset, scope, None).0
    }

    /// Resolve `name` used at `offset` in `scope`, on the branch path `path` when it is known;
    /// with whether the use may read another binding than the import it resolves to.
    fn lookup_on(
        &self,
        name: &str,
        offset: TextSize,
        scope: ScopeId,
        path: Option<PathId>,
    ) -> (Resolution<'_>, bool) {
        if !self.tracked.contains(name) {
            return (Resolution::Unbound, false);
        }
        let own = &self.scopes[scope as usize];
        if let Some(ids) = own.bindings.get(name) {
            let mut visible = ids.iter().rev().copied().filter(|&id| {
                let b = self.binding(id);
                b.effective <= offset && b.handler.is_none_or(|h| h.contains(offset))
            });
            let latest = visible.next();
            if let (Some(latest), Some(path)) = (latest, path)
                && !self.dominates(self.binding(latest).path, path)
            {
                // The latest binding is on a branch the use may not have taken: earlier ones, up
                // to one the use surely follows, may be read instead.
                let mut candidates = vec![latest];
                for id in visible {
                    candidates.push(id);
                    if self.dominates(self.binding(id).path, path) {
                        break;
                    }
                }
                if let Some(import) = self.tracked_import(candidates.into_iter()) {
                    return (self.resolution(import), true);
                }
            }
            match latest {
                Some(id) => return (self.resolution(id), false),
                // Names a function binds anywhere are local to it (unbound before the binding).
                None if own.kind == ScopeKind::Function => return (Resolution::Unbound, false),
                // The element of a comprehension is written before its `for` target.
                None if own.kind == ScopeKind::Comprehension => {
                    if let Some(&last) = ids.last() {
                        return (self.resolution(last), false);
                    }
                }
                None => {}
            }
        }
        let mut current = own.parent;
        while let Some(id) = current {
            let scope = &self.scopes[id as usize];
            if scope.kind != ScopeKind::Class
                && let Some(ids) = scope.bindings.get(name)
            {
                let last = ids
                    .iter()
                    .rev()
                    .copied()
                    .find(|&b| self.binding(b).handler.is_none())
                    .or_else(|| ids.last().copied());
                if let Some(b) = last {
                    // The scope may end with any binding made since the last one on none of its
                    // branches.
                    if self.binding(b).path != NO_BRANCH {
                        let reaching = ids
                            .iter()
                            .rev()
                            .copied()
                            .filter(|&id| self.binding(id).handler.is_none())
                            .scan(false, |done, id| {
                                let this = (!*done).then_some(id);
                                *done |= self.binding(id).path == NO_BRANCH;
                                this
                            });
                        if let Some(import) = self.tracked_import(reaching) {
                            return (self.resolution(import), true);
                        }
                    }
                    return (self.resolution(b), false);
                }
            }
            current = scope.parent;
        }
        (Resolution::Unbound, false)
    }

    /// The first of `bindings` that imports from a declared module.
    fn tracked_import(&self, mut bindings: impl Iterator<Item = BindingId>) -> Option<BindingId> {
        bindings.find(|&id| {
            matches!(&self.binding(id).kind, BindingKind::Import { qualified, .. }
                if self.roots.iter().any(|root| root == root_of(qualified)))
        })
    }

    /// Whether a binding made on `binding`'s branches is surely made before a use on `used`:
    /// the use lies on every branch the binding does.
    fn dominates(&self, binding: PathId, used: PathId) -> bool {
        let binding = &self.paths[binding as usize];
        let used = &self.paths[used as usize];
        used.starts_with(binding)
    }

    /// Whether some use of a name within `range` resolves to an import but may read another
    /// binding (one made on another branch).
    pub fn is_ambiguous(&self, range: TextRange) -> bool {
        let ambiguous = self.ambiguous.get_or_init(|| {
            let mut found: Vec<TextSize> = self
                .use_list
                .iter()
                .filter(|(offset, scope, name)| {
                    let path = self.uses.get(offset).map(|&(_, path)| path);
                    self.lookup_on(name, *offset, *scope, path).1
                })
                .map(|(offset, _, _)| *offset)
                .collect();
            found.sort_unstable();
            found
        });
        let first = ambiguous.partition_point(|&offset| offset < range.start());
        ambiguous
            .get(first)
            .is_some_and(|&offset| offset < range.end())
    }

    fn resolution(&self, id: BindingId) -> Resolution<'_> {
        match &self.binding(id).kind {
            BindingKind::Import { qualified, .. } => Resolution::Import(id, qualified),
            BindingKind::Other => Resolution::Other,
        }
    }

    /// Resolve a `Name` node of the file (its scope and branches were recorded while building).
    pub fn resolve_name(&self, name: &ast::ExprName) -> Resolution<'_> {
        match self.uses.get(&name.range.start()) {
            Some(&(scope, path)) => {
                self.lookup_on(name.id.as_str(), name.range.start(), scope, Some(path))
                    .0
            }
            None => Resolution::Unbound,
        }
    }

    /// The qualified name an expression such as `aio.subprocess.PIPE` or `sleep` refers to,
    /// split into the import's qualified name and the attributes after it.
    ///
    /// A chain of more than [`MAX_QUALIFIED_ATTRIBUTES`] attributes is not followed: no pattern
    /// spells one, and following every link of a long chain from each of its links would take
    /// time quadratic in its length.
    pub fn qualify<'e>(&self, node: AnyNodeRef<'e>) -> Option<(&str, SmallVec<[&'e str; 4]>)> {
        let mut attrs = SmallVec::new();
        let mut current = node;
        loop {
            match current {
                AnyNodeRef::ExprAttribute(_) if attrs.len() == MAX_QUALIFIED_ATTRIBUTES => {
                    return None;
                }
                AnyNodeRef::ExprAttribute(attribute) => {
                    attrs.push(attribute.attr.as_str());
                    current = AnyNodeRef::from(&*attribute.value);
                }
                AnyNodeRef::ExprName(name) => {
                    if !self.tracked.contains(name.id.as_str()) {
                        return None;
                    }
                    return match self.resolve_name(name) {
                        Resolution::Import(_, qualified) => {
                            attrs.reverse();
                            Some((qualified, attrs))
                        }
                        _ => None,
                    };
                }
                _ => return None,
            }
        }
    }

    /// Write into `name` (cleared first) the whole dotted name [`qualify`](Semantic::qualify)
    /// gives `node`: `pkg.sub.attr`. False when `node` refers to no tracked import.
    pub fn qualify_into(&self, node: AnyNodeRef<'_>, name: &mut String) -> bool {
        let Some((qualified, attributes)) = self.qualify(node) else {
            return false;
        };
        name.clear();
        name.push_str(qualified);
        for attribute in attributes {
            name.push('.');
            name.push_str(attribute);
        }
        true
    }

    /// The whole dotted name `node` refers to through the file's imports (see
    /// [`qualify_into`](Semantic::qualify_into)).
    pub fn qualified_name(&self, node: AnyNodeRef<'_>) -> Option<String> {
        let mut name = String::new();
        self.qualify_into(node, &mut name).then_some(name)
    }

    /// Every use of a tracked name resolved to the import binding it reads.
    pub fn import_references(&self) -> FxHashMap<BindingId, usize> {
        let mut counts = FxHashMap::default();
        for (offset, scope, name) in &self.use_list {
            let path = self.uses.get(offset).map(|&(_, path)| path);
            if let (Resolution::Import(id, _), _) = self.lookup_on(name, *offset, *scope, path) {
                *counts.entry(id).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// The answers of [`Semantic::scope_at`] over the whole text: at each offset where a scope other
/// than the module's opens or closes, the last opened of those that contain the offset.
fn scope_map(scopes: &[Scope]) -> Vec<(TextSize, ScopeId)> {
    // (offset, opens, scope): at one offset, scopes open before they close, so an empty range
    // holds nothing.
    let mut events: Vec<(TextSize, bool, ScopeId)> = Vec::with_capacity(2 * scopes.len());
    for (id, scope) in scopes.iter().enumerate().skip(1) {
        events.push((scope.range.start(), true, id as ScopeId));
        events.push((scope.range.end(), false, id as ScopeId));
    }
    events.sort_unstable_by_key(|&(offset, opens, id)| (offset, !opens, id));
    let mut open: BTreeSet<ScopeId> = BTreeSet::new();
    let mut map: Vec<(TextSize, ScopeId)> = Vec::new();
    for (index, &(offset, opens, id)) in events.iter().enumerate() {
        if opens {
            open.insert(id);
        } else {
            open.remove(&id);
        }
        let last_here = events.get(index + 1).is_none_or(|next| next.0 != offset);
        if last_here {
            map.push((offset, open.last().copied().unwrap_or(MODULE_SCOPE)));
        }
    }
    map
}

/// First pass: the local names bound by imports of the tracked modules.
struct ImportNames<'m> {
    /// The root packages of the declared modules.
    roots: &'m [&'m str],
    tracked: &'m mut WordSet<String>,
    /// The nesting of the statement being visited, and where the stack was last checked.
    depth: usize,
    stack: stack::Checked,
}

impl ImportNames<'_> {
    fn is_tracked_module(&self, dotted: &str) -> bool {
        let root = root_of(dotted);
        self.roots.contains(&root)
    }
}

impl<'a> SourceOrderVisitor<'a> for ImportNames<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    if self.is_tracked_module(alias.name.as_str()) {
                        let local = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.tracked.add(root_of(local.as_str()).to_owned());
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                if import.level == 0
                    && let Some(module) = &import.module
                    && self.is_tracked_module(module.as_str())
                {
                    for alias in &import.names {
                        let local = alias.asname.as_ref().unwrap_or(&alias.name);
                        self.tracked.add(local.as_str().to_owned());
                    }
                }
            }
            _ => {
                self.depth += 1;
                stack::deeper(
                    self,
                    self.depth,
                    |names| &mut names.stack,
                    |names| source_order::walk_stmt(names, stmt),
                );
                self.depth -= 1;
            }
        }
    }

    fn visit_expr(&mut self, _expr: &'a Expr) {}
}

/// What entering a scope puts aside, for leaving it.
struct SavedScope {
    scope: ScopeId,
    handlers: Vec<TextRange>,
    path: Vec<(TextSize, u32)>,
    path_id: Option<PathId>,
}

/// Second pass: scopes, bindings and uses of the tracked names.
struct Builder {
    model: Semantic,
    scope: ScopeId,
    handlers: Vec<TextRange>,
    /// The branches of the current scope the visit is on, and that path's id once a binding or
    /// a use has needed it (most branches hold neither).
    path: Vec<(TextSize, u32)>,
    path_id: Option<PathId>,
    path_ids: FxHashMap<Vec<(TextSize, u32)>, PathId>,
    /// While visiting assignment targets: the offset from which the binding is visible.
    store_offset: Option<TextSize>,
    /// The nesting of the node being visited.
    depth: usize,
    /// Where the builder last made sure of its stack.
    stack: stack::Checked,
}

impl Builder {
    fn push_scope(&mut self, kind: ScopeKind, range: TextRange) -> SavedScope {
        let id = self.model.scopes.len() as ScopeId;
        self.model.scopes.push(Scope {
            kind,
            parent: Some(self.scope),
            range,
            bindings: FxHashMap::default(),
        });
        let saved = SavedScope {
            scope: self.scope,
            handlers: std::mem::take(&mut self.handlers),
            path: std::mem::take(&mut self.path),
            path_id: self.path_id,
        };
        self.scope = id;
        self.path_id = Some(NO_BRANCH);
        saved
    }

    fn pop_scope(&mut self, saved: SavedScope) {
        self.scope = saved.scope;
        self.handlers = saved.handlers;
        self.path = saved.path;
        self.path_id = saved.path_id;
    }

    /// Visit `body` as branch `branch` of the compound statement starting at `start`.
    fn visit_branch(&mut self, start: TextSize, branch: u32, body: &[Stmt]) {
        let saved = self.path_id.take();
        self.path.push((start, branch));
        self.visit_body(body);
        self.path.pop();
        self.path_id = saved;
    }

    /// The id of the current branch path, interned the first time it is asked for.
    fn path_id(&mut self) -> PathId {
        if let Some(id) = self.path_id {
            return id;
        }
        let next = self.model.paths.len() as PathId;
        let id = *self.path_ids.entry(self.path.clone()).or_insert(next);
        if id == next {
            self.model.paths.push(self.path.clone());
        }
        self.path_id = Some(id);
        id
    }

    fn bind(&mut self, name: &str, effective: TextSize, kind: BindingKind) {
        self.bind_in(self.scope, name, effective, kind);
    }

    fn bind_in(&mut self, scope: ScopeId, name: &str, effective: TextSize, kind: BindingKind) {
        if !self.model.tracked.contains(name) {
            return;
        }
        let id = self.model.bindings.len() as BindingId;
        // A walrus may bind in an enclosing scope, on none of this scope's branches.
        let path = if scope == self.scope {
            self.path_id()
        } else {
            NO_BRANCH
        };
        self.model.bindings.push(Binding {
            name: name.to_owned(),
            scope,
            effective,
            handler: self.handlers.last().copied(),
            path,
            kind,
        });
        self.model.scopes[scope as usize]
            .bindings
            .entry(name.to_owned())
            .or_default()
            .push(id);
    }

    fn bind_parameters(&mut self, parameters: &ast::Parameters, at: TextSize) {
        for parameter in parameters.iter() {
            self.bind(parameter.name().as_str(), at, BindingKind::Other);
        }
    }

    /// Visit one level deeper (on a new stack segment when little is left), keeping the deepest.
    fn deeper(&mut self, visit: impl FnOnce(&mut Self)) {
        self.depth += 1;
        self.model.depth = self.model.depth.max(self.depth);
        stack::deeper(self, self.depth, |builder| &mut builder.stack, visit);
        self.depth -= 1;
    }

    fn with_store_offset(&mut self, offset: TextSize, f: impl FnOnce(&mut Self)) {
        let saved = self.store_offset.replace(offset);
        f(self);
        self.store_offset = saved;
    }

    fn visit_import(&mut self, stmt: &Stmt) {
        let statement = stmt.range();
        let effective = stmt.end();
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let dotted = alias.name.as_str();
                    let (local, qualified) = match &alias.asname {
                        Some(asname) => (asname.as_str(), dotted),
                        None => (root_of(dotted), root_of(dotted)),
                    };
                    let kind = BindingKind::Import {
                        qualified: qualified.to_owned(),
                        statement,
                        alias: alias.range(),
                    };
                    self.bind(local, effective, kind);
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    let kind = match (&import.module, import.level) {
                        (Some(module), 0) if alias.name.as_str() != "*" => BindingKind::Import {
                            qualified: format!("{}.{}", module.as_str(), alias.name.as_str()),
                            statement,
                            alias: alias.range(),
                        },
                        _ => BindingKind::Other,
                    };
                    self.bind(local, effective, kind);
                }
            }
            _ => {}
        }
    }

    fn visit_stmt_here(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.visit_import(stmt),
            Stmt::FunctionDef(function) => {
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                for parameter in function.parameters.iter() {
                    if let Some(annotation) = parameter.annotation() {
                        self.visit_expr(annotation);
                    }
                    if let Some(default) = parameter.default() {
                        self.visit_expr(default);
                    }
                }
                if let Some(returns) = &function.returns {
                    self.visit_expr(returns);
                }
                self.bind(function.name.as_str(), stmt.end(), BindingKind::Other);
                let saved = self.push_scope(ScopeKind::Function, stmt.range());
                self.bind_parameters(&function.parameters, stmt.start());
                self.visit_body(&function.body);
                self.pop_scope(saved);
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.bind(class.name.as_str(), stmt.end(), BindingKind::Other);
                let saved = self.push_scope(ScopeKind::Class, stmt.range());
                self.visit_body(&class.body);
                self.pop_scope(saved);
            }
            Stmt::Assign(assign) => {
                self.visit_expr(&assign.value);
                self.with_store_offset(stmt.end(), |b| {
                    for target in &assign.targets {
                        b.visit_expr(target);
                    }
                });
            }
            Stmt::AugAssign(assign) => {
                self.visit_expr(&assign.value);
                self.with_store_offset(stmt.end(), |b| b.visit_expr(&assign.target));
            }
            Stmt::AnnAssign(assign) => {
                self.visit_expr(&assign.annotation);
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
                self.with_store_offset(stmt.end(), |b| b.visit_expr(&assign.target));
            }
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.with_store_offset(for_stmt.target.end(), |b| b.visit_expr(&for_stmt.target));
                self.visit_branch(stmt.start(), 0, &for_stmt.body);
                self.visit_branch(stmt.start(), 1, &for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.visit_expr(&while_stmt.test);
                self.visit_branch(stmt.start(), 0, &while_stmt.body);
                self.visit_branch(stmt.start(), 1, &while_stmt.orelse);
            }
            Stmt::If(if_stmt) => {
                self.visit_expr(&if_stmt.test);
                self.visit_branch(stmt.start(), 0, &if_stmt.body);
                for (index, clause) in if_stmt.elif_else_clauses.iter().enumerate() {
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_branch(stmt.start(), index as u32 + 1, &clause.body);
                }
            }
            Stmt::Match(match_stmt) => {
                self.visit_expr(&match_stmt.subject);
                for (index, case) in match_stmt.cases.iter().enumerate() {
                    self.visit_pattern(&case.pattern);
                    if let Some(guard) = &case.guard {
                        self.visit_expr(guard);
                    }
                    self.visit_branch(stmt.start(), index as u32, &case.body);
                }
            }
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr_here(&mut self, expr: &Expr) {
        match expr {
            Expr::Name(name) => {
                if !self.model.tracked.contains(name.id.as_str()) {
                    return;
                }
                match name.ctx {
                    ExprContext::Store => {
                        let at = self.store_offset.unwrap_or(name.end());
                        self.bind(name.id.as_str(), at, BindingKind::Other);
                    }
                    ExprContext::Load => {
                        let path = self.path_id();
                        self.model
                            .uses
                            .insert(name.range.start(), (self.scope, path));
                        self.model
                            .use_list
                            .push((name.range.start(), self.scope, name.id.clone()));
                    }
                    _ => {}
                }
            }
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                // The walrus binds in the nearest scope that is not a comprehension.
                let mut scope = self.scope;
                while self.model.scopes[scope as usize].kind == ScopeKind::Comprehension {
                    scope = self.model.scopes[scope as usize]
                        .parent
                        .unwrap_or(MODULE_SCOPE);
                }
                if let Expr::Name(target) = &*named.target {
                    self.bind_in(scope, target.id.as_str(), expr.end(), BindingKind::Other);
                }
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    for parameter in parameters.iter() {
                        if let Some(default) = parameter.default() {
                            self.visit_expr(default);
                        }
                    }
                }
                let saved = self.push_scope(ScopeKind::Function, expr.range());
                if let Some(parameters) = &lambda.parameters {
                    self.bind_parameters(parameters, expr.start());
                }
                self.visit_expr(&lambda.body);
                self.pop_scope(saved);
            }
            Expr::ListComp(c) => self.visit_comprehension_scope(expr, &c.generators),
            Expr::SetComp(c) => self.visit_comprehension_scope(expr, &c.generators),
            Expr::Generator(c) => self.visit_comprehension_scope(expr, &c.generators),
            Expr::DictComp(c) => self.visit_comprehension_scope(expr, &c.generators),
            _ => source_order::walk_expr(self, expr),
        }
    }

    fn visit_comprehension_scope(&mut self, expr: &Expr, generators: &[ast::Comprehension]) {
        if let Some(first) = generators.first() {
            self.visit_expr(&first.iter);
        }
        let saved = self.push_scope(ScopeKind::Comprehension, expr.range());
        for (index, generator) in generators.iter().enumerate() {
            if index > 0 {
                self.visit_expr(&generator.iter);
            }
            self.with_store_offset(generator.target.end(), |b| b.visit_expr(&generator.target));
            for condition in &generator.ifs {
                self.visit_expr(condition);
            }
        }
        match expr {
            Expr::ListComp(c) => self.visit_expr(&c.elt),
            Expr::SetComp(c) => self.visit_expr(&c.elt),
            Expr::Generator(c) => self.visit_expr(&c.elt),
            Expr::DictComp(c) => {
                if let Some(key) = &c.key {
                    self.visit_expr(key);
                }
                self.visit_expr(&c.value);
            }
            _ => {}
        }
        self.pop_scope(saved);
    }
}

impl<'a> SourceOrderVisitor<'a> for Builder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.deeper(|this| this.visit_stmt_here(stmt));
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        self.deeper(|this| this.visit_expr_here(expr));
    }

    fn visit_pattern(&mut self, pattern: &'a ast::Pattern) {
        self.deeper(|this| source_order::walk_pattern(this, pattern));
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(inner) = handler;
        self.handlers.push(inner.range);
        if let Some(type_) = &inner.type_ {
            self.visit_expr(type_);
        }
        if let Some(name) = &inner.name {
            self.bind(name.as_str(), name.end(), BindingKind::Other);
        }
        self.visit_body(&inner.body);
        self.handlers.pop();
    }

    fn visit_with_item(&mut self, item: &'a ast::WithItem) {
        self.visit_expr(&item.context_expr);
        if let Some(vars) = &item.optional_vars {
            self.with_store_offset(vars.end(), |b| b.visit_expr(vars));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qualified(source: &str) -> Option<String> {
        let parsed = ruff_python_parser::parse_module(source).expect("valid source");
        let modules: FxHashSet<String> = ["pkg".to_owned()].into_iter().collect();
        let semantic = Semantic::build(parsed.syntax(), &modules);
        let Some(Stmt::Expr(statement)) = parsed.syntax().body.last() else {
            panic!("ends with an expression");
        };
        let (name, attributes) = semantic.qualify(AnyNodeRef::from(&*statement.value))?;
        Some(
            std::iter::once(name)
                .chain(attributes)
                .collect::<Vec<_>>()
                .join("."),
        )
    }

    #[test]
    fn qualify_follows_attribute_chains_up_to_the_limit() {
        let chain = |length: usize| {
            format!(
                "import pkg
pkg{}
",
                ".a".repeat(length)
            )
        };
        let longest = qualified(&chain(MAX_QUALIFIED_ATTRIBUTES)).expect("resolves");
        assert_eq!(longest.matches(".a").count(), MAX_QUALIFIED_ATTRIBUTES);
        assert_eq!(qualified(&chain(MAX_QUALIFIED_ATTRIBUTES + 1)), None);
        assert_eq!(
            qualified(
                "import pkg as p
p.run
"
            )
            .as_deref(),
            Some("pkg.run")
        );
    }

    #[test]
    fn the_scope_at_an_offset_is_the_last_opened_that_contains_it() {
        // Defaults, decorators and the first iterable of a comprehension are visited before the
        // scope they stand in is opened: scopes are not numbered in the order they start.
        let source = "import pkg
@d(lambda: pkg)
def f(a=lambda b: [c for c in (e for e in b)], *, g=[h for h in pkg]):
    class C:
        x = [y for y in (z for z in pkg) if (lambda: y)]
    return lambda: (yield)
f()

def g(): pass
";
        let parsed = ruff_python_parser::parse_module(source).expect("valid source");
        let modules: FxHashSet<String> = ["pkg".to_owned()].into_iter().collect();
        let semantic = Semantic::build(parsed.syntax(), &modules);
        assert!(semantic.scopes.len() > 10);
        // The first lookups scan the scopes, the others search the map.
        for offset in 0..=source.len() {
            let offset = TextSize::try_from(offset).expect("small");
            let last_opened = (1..semantic.scopes.len())
                .filter(|&id| semantic.scopes[id].range.contains(offset))
                .max()
                .map_or(MODULE_SCOPE, |id| id as ScopeId);
            assert_eq!(semantic.scope_at(offset), last_opened, "at {offset:?}");
        }
    }

    #[test]
    fn the_depth_is_the_deepest_nesting() {
        let parsed = ruff_python_parser::parse_module("x = -1\nif x:\n    y = [[2]]\n")
            .expect("valid source");
        let semantic = Semantic::build(parsed.syntax(), &FxHashSet::default());
        // `if` → assignment → list → list → 2.
        assert_eq!(semantic.depth(), 5);
    }
}

#[cfg(test)]
mod branch_tests {
    use super::*;

    /// For each use of `name` in `source`, in order: what it resolves to, and whether it may read
    /// another binding.
    fn uses(source: &str, name: &str) -> Vec<(Option<String>, bool)> {
        let parsed = ruff_python_parser::parse_module(source).expect("valid source");
        let modules: FxHashSet<String> = ["pkg".to_owned()].into_iter().collect();
        let semantic = Semantic::build(parsed.syntax(), &modules);
        let mut found: Vec<_> = semantic
            .use_list
            .iter()
            .filter(|(_, _, used)| used.as_str() == name)
            .map(|(offset, scope, _)| {
                let path = semantic.uses.get(offset).map(|&(_, path)| path);
                let (resolution, ambiguous) = semantic.lookup_on(name, *offset, *scope, path);
                let qualified = match resolution {
                    Resolution::Import(_, qualified) => Some(qualified.to_owned()),
                    _ => None,
                };
                (*offset, qualified, ambiguous)
            })
            .collect();
        found.sort_by_key(|(offset, _, _)| *offset);
        found.into_iter().map(|(_, q, a)| (q, a)).collect()
    }

    fn import(name: &str, ambiguous: bool) -> (Option<String>, bool) {
        (Some(name.to_owned()), ambiguous)
    }

    #[test]
    fn a_binding_on_one_branch_does_not_hide_an_import_on_another() {
        let source = "\
if c:
    from pkg import timeout as t
else:
    from other import timeout as t
t(1)
def f():
    t(2)
";
        assert_eq!(
            uses(source, "t"),
            [import("pkg.timeout", true), import("pkg.timeout", true)]
        );
        // On the branch itself, the import there is read, surely.
        let inside = "if c:\n    from pkg import run\n    run()\nelse:\n    run = None\n";
        assert_eq!(uses(inside, "run"), [import("pkg.run", false)]);
        // An unconditional binding after the branches hides them.
        let after = "if c:\n    from pkg import run\nrun = None\nrun()\n";
        assert_eq!(uses(after, "run"), [(None, false)]);
    }

    #[test]
    fn loops_and_matches_are_branches_try_bodies_are_not() {
        let looped = "import pkg\nfor x in y:\n    pkg = None\npkg.run()\n";
        assert_eq!(uses(looped, "pkg"), [import("pkg", true)]);
        let matched =
            "match v:\n    case 1:\n        import pkg\n    case _:\n        pkg = 2\npkg.run()\n";
        assert_eq!(uses(matched, "pkg"), [import("pkg", true)]);
        // The import fallback idiom keeps resolving, surely.
        let idiom = "try:\n    import pkg\nexcept ImportError:\n    pkg = None\npkg.run()\n";
        assert_eq!(uses(idiom, "pkg"), [import("pkg", false)]);
    }
}
