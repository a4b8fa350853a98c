//! The rule language's conditions: one small algebra, tested on the node a rule matched and on
//! any metavariable's capture alike.
//!
//! A condition is a TOML table ([`compile`]); its keys all hold (`all`). `all`, `any` and `not`
//! combine conditions; an uppercase key (`ARGS = { … }`) tests what that metavariable captured;
//! every other key is a condition kind ([`Atom`]), each in a file of its own (or a few related
//! ones together) that says how it
//! is written, when it holds and what a match must contain ([`Needs`]). Where a condition sits
//! says what it is tested on.
//!
//! A rule's `match` table is compiled to a [`RuleMatch`]: its `pattern`s (or `kind`) are what the
//! walk tries at a node ([`Entry`]), and the rest of the table is tested where one matched. From
//! an entry and the rest, [`RuleMatch::plan`] derives what dispatch, the prefilter and the walk's
//! anchors need. A `match` of `ini` or `toml` tables reads configuration files instead
//! ([`setting`]).

mod arguments;
mod compile;
pub mod needs;
mod read;
pub mod value;

mod binding;
mod coroutine;
mod count;
mod keyword;
mod kind;
mod names;
pub mod option;
mod path;
mod position;
mod project;
mod regex;
mod relation;
pub mod setting;
#[cfg(test)]
mod tests;
mod typed;
mod uses;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{AnyNodeRef, Identifier, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashSet;

use crate::analysis::assignments::Assignments;
use crate::analysis::flow::Flows;
use crate::analysis::library::Libraries;
use crate::analysis::project::InProject;
use crate::analysis::semantic::Semantic;
use crate::analysis::types::Types;
use crate::base::version::Version;
use crate::pattern::anchor::{Anchor, Spelled, anchors, kinds_keywords, rare_keyword};
use crate::pattern::matcher::{BindCheck, Capture, Env, Matcher};
use crate::pattern::{DispatchKey, Form, MetavarUse, Named, Pattern, RootKinds};

pub use compile::{CompileError, Reads, compile_match, is_metavar_key, old_spelling};
pub use names::options_in;
pub use needs::{Needle, Needs};
pub use option::{NameSet, OptionDecl, OptionKind, OptionValue, OptionValues};
pub use read::patterns;

/// A compiled condition.
#[derive(Debug)]
pub enum Condition {
    /// Every one holds, tested in order, each seeing what the ones before bound.
    All(Vec<Condition>),
    /// One holds: the first that does gives its bindings.
    Any(Vec<Condition>),
    /// It does not hold; it binds nothing.
    Not(Box<Condition>),
    /// The node matches one of these patterns, binding their metavariables.
    Pattern(Vec<Pattern>),
    /// What a metavariable captured satisfies the condition (a capture the match did not bind
    /// satisfies any).
    Capture(Box<CaptureCondition>),
    /// A condition kind.
    Atom(Box<dyn Atom>),
}

/// A condition on one metavariable's capture.
#[derive(Debug)]
pub struct CaptureCondition {
    pub metavar: String,
    pub condition: Condition,
    /// Whether the condition reads the capture alone (no other metavariable, no position in the
    /// file): the matcher may then test it as soon as the capture is bound, and backtrack.
    pub alone: bool,
}

/// What a condition is tested on.
#[derive(Debug, Clone)]
pub enum Subject<'t> {
    Node(AnyNodeRef<'t>),
    /// An identifier a metavariable stood for (`pkg.$NAME`, `def $F(): …`).
    Ident(&'t Identifier),
    /// The elements a `$$$` metavariable captured.
    List(Vec<AnyNodeRef<'t>>),
    /// A text a condition bound (why it held): no condition holds of it.
    Text,
}

/// A subject and where it stands in the file.
#[derive(Debug, Clone)]
pub struct Target<'t, 'a> {
    pub subject: Subject<'t>,
    place: Place<'t, 'a>,
}

/// How the enclosing nodes of a target are known.
#[derive(Debug, Clone)]
enum Place<'t, 'a> {
    /// These, outermost first.
    Known(Cow<'a, [AnyNodeRef<'t>]>),
    /// The target lies inside `root`, whose enclosing nodes are these.
    Below(&'a [AnyNodeRef<'t>], AnyNodeRef<'t>),
}

impl<'t, 'a> Target<'t, 'a> {
    /// `node`, enclosed by `ancestors` (outermost first).
    pub fn at(node: AnyNodeRef<'t>, ancestors: &'a [AnyNodeRef<'t>]) -> Self {
        Target {
            subject: Subject::Node(node),
            place: Place::Known(Cow::Borrowed(ancestors)),
        }
    }

    /// `subject`, found inside `root`, which `ancestors` enclose.
    pub fn below(
        subject: Subject<'t>,
        root: AnyNodeRef<'t>,
        ancestors: &'a [AnyNodeRef<'t>],
    ) -> Self {
        Target {
            subject,
            place: Place::Below(ancestors, root),
        }
    }

    /// The node, when the subject is one.
    pub fn node(&self) -> Option<AnyNodeRef<'t>> {
        match &self.subject {
            Subject::Node(node) => Some(*node),
            _ => None,
        }
    }

    /// The nodes enclosing the subject, outermost first (for a list, those of its elements).
    pub fn ancestors(&self) -> Cow<'_, [AnyNodeRef<'t>]> {
        match &self.place {
            Place::Known(ancestors) => Cow::Borrowed(ancestors),
            Place::Below(ancestors, root) => {
                let first = match &self.subject {
                    Subject::Node(node) => Some(*node),
                    Subject::List(nodes) => nodes.first().copied(),
                    Subject::Ident(_) | Subject::Text => None,
                };
                let mut all = ancestors.to_vec();
                let range = match (&self.subject, first) {
                    (_, Some(node)) => node.range(),
                    (Subject::Ident(identifier), None) => identifier.range,
                    _ => return Cow::Owned(all),
                };
                let mut path = PathTo {
                    range,
                    target: first,
                    path: Vec::new(),
                    done: false,
                };
                if root.range().contains_range(range) && !first.is_some_and(|f| f.ptr_eq(*root)) {
                    path.enter(*root);
                }
                all.extend(path.path);
                Cow::Owned(all)
            }
        }
    }

    /// The same subject with its enclosing nodes worked out (for conditions that hand it on).
    pub fn placed(&self) -> Target<'t, '_> {
        Target {
            subject: self.subject.clone(),
            place: Place::Known(self.ancestors()),
        }
    }
}

/// The nodes from a root down to (not including) the node at `range`.
struct PathTo<'t> {
    range: ruff_text_size::TextRange,
    target: Option<AnyNodeRef<'t>>,
    path: Vec<AnyNodeRef<'t>>,
    done: bool,
}

impl<'t> PathTo<'t> {
    fn enter(&mut self, root: AnyNodeRef<'t>) {
        self.path.push(root);
        root.visit_source_order(self);
        if !self.done {
            self.path.clear();
        }
    }
}

impl<'t> SourceOrderVisitor<'t> for PathTo<'t> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> TraversalSignal {
        if self.done {
            return TraversalSignal::Skip;
        }
        let is_target = match self.target {
            Some(target) => node.ptr_eq(target),
            None => false,
        };
        if is_target {
            self.done = true;
            return TraversalSignal::Skip;
        }
        if !node.range().contains_range(self.range) {
            return TraversalSignal::Skip;
        }
        self.path.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, node: AnyNodeRef<'t>) {
        // A node skipped on entry is left too, but was never pushed.
        if !self.done && self.path.last().is_some_and(|last| last.ptr_eq(node)) {
            self.path.pop();
        }
    }

    fn visit_identifier(&mut self, identifier: &'t Identifier) {
        if self.target.is_none() && identifier.range == self.range {
            self.done = true;
        }
    }
}

/// The project's versions a run checks against (`python`, a library's, …).
pub type Versions = BTreeMap<String, Version>;

/// What conditions are tested in: the file and the run.
pub struct Context<'r, 't, 'c> {
    pub source: &'t str,
    pub semantic: &'t Semantic,
    /// The module's statements.
    pub module: &'t [Stmt],
    pub assignments: &'c Assignments<'t>,
    /// The modules of the rule's pack: dotted names rooted in them match by qualified name.
    pub modules: &'r FxHashSet<String>,
    /// The library models of the rule's pack.
    pub libraries: &'r Libraries,
    /// The types of the file's values, worked out as conditions ask.
    pub types: &'c Types,
    /// The control flow of the file's functions, built as conditions ask.
    pub flows: &'c Flows<'t>,
    pub versions: &'c Versions,
    /// The values of the rule's pack's options, in the order the pack declares them.
    pub options: &'c [NameSet],
    /// The file's place in the run's project (`coroutine-function` asks what other modules
    /// define); `None` for a text checked alone.
    pub project: Option<InProject<'c>>,
}

impl<'r, 't> Context<'r, 't, '_> {
    /// A matcher of `pattern` in this file.
    pub fn matcher<'h>(
        &self,
        pattern: &'r Pattern,
        on_bind: Option<BindCheck<'h, 'r, 't>>,
    ) -> Matcher<'r, 't, 'h> {
        Matcher {
            pattern_source: pattern.python(),
            source: self.source,
            semantic: self.semantic,
            modules: self.modules,
            on_bind,
        }
    }
}

/// A condition kind: how it is tested, and what a match must contain for it to hold.
pub trait Atom: fmt::Debug + Send + Sync {
    /// Whether it holds of `target`. It may bind metavariables in `env`; when it does not hold,
    /// the caller discards `env`.
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool;

    /// What the text must contain where it holds; nothing known by default.
    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        Needs::nothing()
    }

    /// The metavariables it binds wherever it holds.
    fn binds(&self) -> Vec<MetavarUse> {
        Vec::new()
    }

    /// Whether it reads no capture but its target's (what most kinds read); one that may, through
    /// a pattern naming other metavariables, says so.
    fn alone(&self) -> bool {
        true
    }

    /// Whether it tests the file rather than a node (it may stand beside a comment rule's regex).
    fn of_the_file(&self) -> bool {
        false
    }

    /// The versions it asks of the project, when it is a `versions` condition.
    fn versions(&self) -> Option<&project::VersionsAre> {
        None
    }

    /// The pack option (its index among the pack's) whose names it matches: what a file and a
    /// node hold where it holds then depends on the option's value.
    fn option(&self) -> Option<usize> {
        None
    }
}

impl Condition {
    /// Whether the condition holds of `target`, binding metavariables into `env` (left as it
    /// was bound so far when it does not hold, which callers discard).
    pub fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        match self {
            Condition::All(conditions) => conditions.iter().all(|c| c.holds(cx, target, env)),
            Condition::Any(conditions) => conditions
                .iter()
                .any(|c| attempt(env, |tried| c.holds(cx, target, tried))),
            Condition::Not(condition) => !condition.holds(cx, target, &mut env.clone()),
            Condition::Pattern(patterns) => {
                let Subject::Node(node) = target.subject else {
                    return false;
                };
                // The matcher leaves `env` as it was when a pattern does not match.
                patterns
                    .iter()
                    .any(|pattern| matches_at(&cx.matcher(pattern, None), pattern, node, env))
            }
            Condition::Capture(capture) => {
                let Some(captured) = env.get(&capture.metavar) else {
                    return true;
                };
                let subject = subject_of(captured);
                let root = target.node();
                match root {
                    Some(root) => {
                        let ancestors = target.ancestors();
                        let inner = Target::below(subject, root, &ancestors);
                        capture.condition.holds(cx, &inner, env)
                    }
                    None => {
                        let inner = Target {
                            subject,
                            place: target.place.clone(),
                        };
                        capture.condition.holds(cx, &inner, env)
                    }
                }
            }
            Condition::Atom(atom) => atom.holds(cx, target, env),
        }
    }

    /// What the text must contain where the condition holds, given the metavariables the match
    /// has bound before it is tested (a condition on another capture holds and needs nothing).
    pub fn needs(&self, modules: &FxHashSet<String>, bound: &[MetavarUse]) -> Needs {
        match self {
            Condition::All(conditions) => {
                let words_of = |metavar: &str| capture_words(conditions, metavar, modules, bound);
                let mut needs = Needs::nothing();
                for condition in conditions {
                    let more = match condition {
                        Condition::Pattern(patterns) => pattern_needs(patterns, modules, &words_of),
                        other => other.needs(modules, bound),
                    };
                    needs = needs.and(more);
                }
                needs
            }
            Condition::Any(conditions) => {
                Needs::or(conditions.iter().map(|c| c.needs(modules, bound)))
            }
            Condition::Not(_) => Needs::nothing(),
            Condition::Pattern(patterns) => pattern_needs(patterns, modules, &|_| None),
            Condition::Capture(capture) => {
                if !bound.iter().any(|m| m.name == capture.metavar) {
                    return Needs::nothing();
                }
                let inner = capture.condition.needs(modules, bound);
                // What the capture needs, the file needs; the capture's own spelling says nothing
                // of the node holding it.
                Needs::file(inner.needles)
            }
            Condition::Atom(atom) => atom.needs(modules),
        }
    }

    /// The metavariables bound wherever the condition holds.
    pub fn binds(&self) -> Vec<MetavarUse> {
        match self {
            Condition::All(conditions) => {
                let mut bound = Vec::new();
                for condition in conditions {
                    for metavar in condition.binds() {
                        if !bound.contains(&metavar) {
                            bound.push(metavar);
                        }
                    }
                }
                bound
            }
            Condition::Any(conditions) => {
                let mut alternatives = conditions.iter().map(Condition::binds);
                let first = alternatives.next().unwrap_or_default();
                alternatives.fold(first, |mut common, next| {
                    common.retain(|m| next.contains(m));
                    common
                })
            }
            Condition::Not(_) => Vec::new(),
            Condition::Pattern(patterns) => {
                let mut alternatives = patterns.iter().map(Pattern::metavars);
                let first = alternatives.next().unwrap_or_default();
                alternatives.fold(first, |mut common, next| {
                    common.retain(|m| next.contains(m));
                    common
                })
            }
            Condition::Capture(capture) => capture.condition.binds(),
            Condition::Atom(atom) => atom.binds(),
        }
    }

    /// Whether it reads nothing but its target.
    pub fn alone(&self) -> bool {
        match self {
            Condition::All(conditions) | Condition::Any(conditions) => {
                conditions.iter().all(Condition::alone)
            }
            Condition::Not(condition) => condition.alone(),
            Condition::Pattern(patterns) => patterns.iter().all(|p| p.metavars().is_empty()),
            Condition::Capture(_) => false,
            Condition::Atom(atom) => atom.alone(),
        }
    }

    /// Whether a condition on the project's versions alone (what a rule over configuration files
    /// may test) holds for `versions`.
    pub fn holds_for_project(&self, versions: &Versions) -> bool {
        match self {
            Condition::All(conditions) => conditions.iter().all(|c| c.holds_for_project(versions)),
            Condition::Any(conditions) => conditions.iter().any(|c| c.holds_for_project(versions)),
            Condition::Not(condition) => !condition.holds_for_project(versions),
            Condition::Atom(atom) => atom.versions().is_none_or(|v| v.hold(versions)),
            Condition::Pattern(_) | Condition::Capture(_) => false,
        }
    }

    /// The version specifiers among the conjuncts of this condition: the project's versions must
    /// satisfy them for it to hold anywhere.
    pub fn required_versions(&self) -> Vec<(String, crate::base::version::VersionSpec)> {
        let conjuncts: &[Condition] = match self {
            Condition::All(conditions) => conditions,
            other => std::slice::from_ref(other),
        };
        conjuncts
            .iter()
            .filter_map(|c| match c {
                Condition::Atom(atom) => atom.versions(),
                _ => None,
            })
            .flat_map(|versions| versions.specs.iter().cloned())
            .collect()
    }

    /// The conditions on captures among the conjuncts of this condition.
    fn captures(&self) -> impl Iterator<Item = &CaptureCondition> {
        let conjuncts: &[Condition] = match self {
            Condition::All(conditions) => conditions,
            other => std::slice::from_ref(other),
        };
        conjuncts.iter().filter_map(|c| match c {
            Condition::Capture(capture) => Some(&**capture),
            _ => None,
        })
    }
}

/// The words the conditions on `metavar` among `conjuncts` limit it to.
fn capture_words(
    conjuncts: &[Condition],
    metavar: &str,
    modules: &FxHashSet<String>,
    bound: &[MetavarUse],
) -> Option<Vec<String>> {
    conjuncts.iter().find_map(|c| match c {
        Condition::Capture(capture) if capture.metavar == metavar => {
            capture.condition.needs(modules, bound).words
        }
        _ => None,
    })
}

/// What a node matching one of `patterns` spells and is named, and what the file holds. A
/// pattern that spells no word is anchored by its keyword, as an entry is.
fn pattern_needs(
    patterns: &[Pattern],
    modules: &FxHashSet<String>,
    words_of: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Needs {
    Needs::or(patterns.iter().map(|pattern| {
        let spelled = anchors(pattern, modules, words_of);
        let needles = needles_of(pattern, &spelled);
        let anchors = if spelled.alternatives.is_empty() {
            spelled.keyword.into_iter().collect()
        } else {
            spelled.alternatives
        };
        Needs {
            needles: vec![needles],
            words: None,
            keys: pattern.chain_key(modules).map(|key| vec![key]),
            anchors,
        }
    }))
}

/// What the text of a file holding a match of `pattern` holds: its identifiers, or when it spells
/// none, the keyword it is written with if that keyword is rare enough to tell files apart.
fn needles_of(pattern: &Pattern, spelled: &Spelled) -> Vec<Needle> {
    let mut needles = needs::identifiers(pattern);
    if needles.is_empty()
        && let Some(Anchor::Keyword(kind)) = &spelled.keyword
        && let Some(word) = rare_keyword(*kind)
    {
        needles.push(Needle::of(word.to_owned()));
    }
    needles
}

/// Run `test` on a copy of `env`, and keep what it bound only when it holds.
fn attempt<'r, 't>(env: &mut Env<'r, 't>, test: impl FnOnce(&mut Env<'r, 't>) -> bool) -> bool {
    let mut tried = env.clone();
    let held = test(&mut tried);
    if held {
        *env = tried;
    }
    held
}

/// What a capture is, as a subject.
pub fn subject_of<'t>(capture: &Capture<'t>) -> Subject<'t> {
    match capture {
        Capture::Node(node) => Subject::Node(*node),
        Capture::Ident(identifier) => Subject::Ident(identifier),
        Capture::Seq(nodes) => Subject::List(nodes.clone()),
        Capture::Text(_) => Subject::Text,
    }
}

/// Match `pattern` (expression or one statement) at `node`; a statements pattern matches no
/// single node.
pub fn matches_at<'r, 't>(
    matcher: &Matcher<'r, 't, '_>,
    pattern: &'r Pattern,
    node: AnyNodeRef<'t>,
    env: &mut Env<'r, 't>,
) -> bool {
    match pattern.form {
        Form::Expr | Form::Stmt => matcher.node(pattern.root(), node, env),
        Form::Stmts => false,
    }
}

/// What the walk tries at a node for a rule: a pattern, or any node of some kinds.
#[derive(Debug)]
pub enum Entry {
    Pattern(Pattern),
    Kinds(Vec<ruff_python_ast::NodeKind>),
}

/// A compiled `match` table: the entries the walk tries, and the rest of the table, tested where
/// an entry matched.
#[derive(Debug)]
pub struct RuleMatch {
    pub entries: Vec<Entry>,
    pub rest: Condition,
}

/// What the rule set needs to know of one entry: where to try it, what a file must hold for it
/// to match there, and what every match spells.
#[derive(Debug)]
pub struct Plan {
    pub root: RootKinds,
    /// The names a node must have for the entry to match it, when they are known.
    pub keys: Option<Vec<DispatchKey>>,
    pub needles: Vec<Vec<Needle>>,
    /// What every match spells in its own source, one of; empty when nothing is known.
    pub anchors: Vec<Anchor>,
}

impl RuleMatch {
    /// Whether the conditions on the file the rule's match requires (its top-level `imports`
    /// and `versions`) hold in the file of `cx`: a rule whose do not can match nowhere in it.
    pub fn file_conditions_hold<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        module: AnyNodeRef<'t>,
    ) -> bool {
        let top: &[Condition] = match &self.rest {
            Condition::All(conditions) => conditions,
            other => std::slice::from_ref(other),
        };
        top.iter().all(|condition| match condition {
            Condition::Atom(atom) if atom.of_the_file() => {
                atom.holds(cx, &Target::at(module, &[]), &mut Env::new())
            }
            _ => true,
        })
    }

    /// The metavariables entry `index` binds, with those the rest binds.
    pub fn bound(&self, index: usize) -> Vec<MetavarUse> {
        let mut bound = match &self.entries[index] {
            Entry::Pattern(pattern) => pattern.metavars(),
            Entry::Kinds(_) => Vec::new(),
        };
        for metavar in self.rest.binds() {
            if !bound.contains(&metavar) {
                bound.push(metavar);
            }
        }
        bound
    }

    /// What dispatch, the prefilter and the walk need of entry `index`.
    pub fn plan(&self, index: usize, modules: &FxHashSet<String>) -> Plan {
        let bound = self.bound(index);
        let rest = self.rest.needs(modules, &bound);
        let conjuncts: &[Condition] = match &self.rest {
            Condition::All(conditions) => conditions,
            other => std::slice::from_ref(other),
        };
        let words_of = |metavar: &str| capture_words(conjuncts, metavar, modules, &bound);
        match &self.entries[index] {
            Entry::Pattern(pattern) => {
                let keys = dispatch_keys(pattern, conjuncts, modules, &bound, &words_of);
                let spelled = anchors(pattern, modules, words_of);
                let own = Needs::file(vec![needles_of(pattern, &spelled)]);
                let anchors = if !spelled.alternatives.is_empty() {
                    spelled.alternatives
                } else if let Some(keys) = &keys {
                    // Dispatch only tries the pattern at a node of one of these names.
                    keys.iter().map(key_anchor).collect()
                } else {
                    spelled.keyword.into_iter().collect()
                };
                Plan {
                    root: pattern.root_kinds(modules),
                    keys,
                    needles: own.and(Needs::file(rest.needles)).needles,
                    anchors,
                }
            }
            Entry::Kinds(kinds) => {
                // Without anchors from its conditions, an entry whose every kind is written with
                // a keyword spells one of them.
                let anchors = match kinds_keywords(kinds) {
                    Some(keywords) if rest.anchors.is_empty() => {
                        keywords.into_iter().map(Anchor::Keyword).collect()
                    }
                    _ => rest.anchors,
                };
                Plan {
                    root: RootKinds::Kinds(kinds.clone()),
                    keys: None,
                    needles: rest.needles,
                    anchors,
                }
            }
        }
    }

    /// The pack options (their indices) that conditions among the conjuncts of the rest, or of
    /// the conditions on captures among them, match names against: the rule holds nowhere
    /// where one of them holds no name, and what a match spells comes from their names.
    pub fn options_needed(&self) -> Vec<usize> {
        let conjuncts = |condition: &Condition| -> Vec<usize> {
            let all: &[Condition] = match condition {
                Condition::All(conditions) => conditions,
                other => std::slice::from_ref(other),
            };
            all.iter()
                .filter_map(|c| match c {
                    Condition::Atom(atom) => atom.option(),
                    _ => None,
                })
                .collect()
        };
        let mut needed = conjuncts(&self.rest);
        for capture in self.rest.captures() {
            needed.extend(conjuncts(&capture.condition));
        }
        needed.sort_unstable();
        needed.dedup();
        needed
    }

    /// The conditions on captures of the rest that read their capture alone: the matcher tests
    /// them as soon as a capture is bound.
    pub fn alone_captures(&self) -> impl Iterator<Item = &CaptureCondition> {
        self.rest.captures().filter(|c| c.alone)
    }
}

/// What a node dispatched by `key` spells: the root of the name it resolves to is a use of an
/// import; an attribute or an object name is written in it.
fn key_anchor(key: &DispatchKey) -> Anchor {
    match key {
        DispatchKey::Qualified(_) | DispatchKey::Under(_) | DispatchKey::Below(_) => Anchor::Import,
        DispatchKey::Attribute(word) | DispatchKey::Object(word) => Anchor::Word(word.clone()),
    }
}

/// The names a node must have for `pattern` to match it: the one the pattern spells, or those the
/// conditions on the metavariable standing there allow (`F.pattern = ["pkg.a", "pkg.b"]` for
/// `$F(...)`, `M.regex = "^(a|b)$"` for `$X.$M(...)`).
fn dispatch_keys(
    pattern: &Pattern,
    conjuncts: &[Condition],
    modules: &FxHashSet<String>,
    bound: &[MetavarUse],
    words_of: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Option<Vec<DispatchKey>> {
    match pattern.named(modules)? {
        Named::Key(key) => Some(vec![key]),
        Named::Metavar(metavar) => conjuncts.iter().find_map(|c| match c {
            Condition::Capture(capture) if capture.metavar == metavar => {
                capture.condition.needs(modules, bound).keys
            }
            _ => None,
        }),
        Named::AttributeMetavar { attribute, object } => {
            match (words_of(attribute), object.and_then(words_of)) {
                (Some(words), _) => Some(words.into_iter().map(DispatchKey::Attribute).collect()),
                (None, Some(words)) => Some(words.into_iter().map(DispatchKey::Object).collect()),
                (None, None) => None,
            }
        }
    }
}
