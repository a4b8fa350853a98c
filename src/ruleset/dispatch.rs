//! Which patterns each node of a walked file meets.
//!
//! [`Dispatch`] files every enabled pattern under the node kinds its root can match, and, for a
//! pattern that names what it matches (by its own dotted name or through a constraint), under
//! that name too ([`Keyed`]). A rule set holds one for all its patterns; each file's walk uses a
//! [`FileDispatch`], the dispatch [narrowed](Dispatch::narrowed) to the patterns the prefilter
//! found may match in that file, so a node whose kind no live pattern can match costs one array
//! index. The file's dispatch also says what every match of its patterns spells ([`Anchors`]),
//! so the walk can pass by subtrees that spell none of it.

use std::borrow::Borrow;
use std::hash::Hash;

use ruff_python_ast::{AnyNodeRef, NodeKind, token::TokenKind};
use rustc_hash::FxHashMap;

use crate::base::words::WordSet;
use crate::condition::Plan;
use crate::pattern::anchor::Anchor;
use crate::pattern::{DispatchKey, RootKinds};
use crate::ruleset::RuleRef;
use crate::ruleset::prefilter::Live;

/// One pattern of one rule, as dispatch stores it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub rule: RuleRef,
    pub pattern: u32,
    /// The pattern's number among the enabled patterns: what a [`Live`] set holds.
    pub number: u32,
}

/// Patterns looked up by a node's name (see [`DispatchKey`]).
#[derive(Debug)]
pub struct Keyed<K> {
    qualified: FxHashMap<K, Vec<Candidate>>,
    under: FxHashMap<K, Vec<Candidate>>,
    below: FxHashMap<K, Vec<Candidate>>,
    attribute: FxHashMap<K, Vec<Candidate>>,
    object: FxHashMap<K, Vec<Candidate>>,
}

impl<K> Default for Keyed<K> {
    fn default() -> Self {
        Keyed {
            qualified: FxHashMap::default(),
            under: FxHashMap::default(),
            below: FxHashMap::default(),
            attribute: FxHashMap::default(),
            object: FxHashMap::default(),
        }
    }
}

impl<K: Borrow<str> + Hash + Eq> Keyed<K> {
    /// Whether any pattern here needs the node's resolved qualified name.
    pub fn wants_resolved_name(&self) -> bool {
        !self.qualified.is_empty() || !self.under.is_empty() || !self.below.is_empty()
    }

    /// The patterns for a node resolving to `qualified` (or not resolving), whose attribute (for a
    /// call, its callee's) is `attribute`, taken of a plain name `object`.
    pub fn candidates(
        &self,
        qualified: Option<&str>,
        attribute: Option<&str>,
        object: Option<&str>,
    ) -> [&[Candidate]; 5] {
        fn get<'k, K: Borrow<str> + Hash + Eq>(
            map: &'k FxHashMap<K, Vec<Candidate>>,
            name: Option<&str>,
        ) -> &'k [Candidate] {
            match name {
                Some(name) if !map.is_empty() => map.get(name).map_or(&[], Vec::as_slice),
                _ => &[],
            }
        }
        let parent = qualified
            .and_then(|q| q.rsplit_once('.'))
            .map(|(parent, _)| parent);
        let grandparent = parent
            .and_then(|p| p.rsplit_once('.'))
            .map(|(grandparent, _)| grandparent);
        [
            get(&self.qualified, qualified),
            get(&self.under, parent),
            get(&self.below, grandparent),
            get(&self.attribute, attribute),
            get(&self.object, object),
        ]
    }
}

impl<'r> Keyed<&'r str> {
    fn add(&mut self, key: &'r DispatchKey, candidate: Candidate) {
        let (map, name) = match key {
            DispatchKey::Qualified(name) => (&mut self.qualified, name),
            DispatchKey::Under(name) => (&mut self.under, name),
            DispatchKey::Below(name) => (&mut self.below, name),
            DispatchKey::Attribute(name) => (&mut self.attribute, name),
            DispatchKey::Object(name) => (&mut self.object, name),
        };
        map.entry(name.as_str()).or_default().push(candidate);
    }
}

/// Patterns filed by where they can match: under node kinds (indexed by `NodeKind as usize`),
/// under names, at any expression, at any statement, or at every position of every block.
#[derive(Debug)]
struct Tables<K> {
    by_kind: Vec<Vec<Candidate>>,
    by_key: Vec<Option<Keyed<K>>>,
    any_expr: Vec<Candidate>,
    any_stmt: Vec<Candidate>,
    block: Vec<Candidate>,
}

impl<K> Default for Tables<K> {
    fn default() -> Self {
        Tables {
            by_kind: Vec::new(),
            by_key: Vec::new(),
            any_expr: Vec::new(),
            any_stmt: Vec::new(),
            block: Vec::new(),
        }
    }
}

/// A slot of a table indexed by node kind, grown as needed.
fn slot<T: Default>(table: &mut Vec<T>, kind: NodeKind) -> &mut T {
    let index = kind as usize;
    if table.len() <= index {
        table.resize_with(index + 1, T::default);
    }
    &mut table[index]
}

/// Every enabled pattern of a rule set, by number: where it can match, and what its matches spell.
/// A file's [`FileDispatch`] is built from its live patterns alone, so it costs as much as they
/// do, however many patterns the rule set holds.
#[derive(Debug, Default)]
pub struct Dispatch {
    /// By pattern number: the pattern and where it is filed.
    places: Vec<Option<(Candidate, Vec<Place>)>>,
    /// By pattern number: what every match spells, one of (empty when nothing is known).
    anchors: Vec<Vec<Anchor>>,
}

/// Where a pattern is filed: under a node kind, under a node kind and a name, at any expression,
/// at any statement, or at every position of every block.
#[derive(Debug)]
enum Place {
    Kind(NodeKind),
    Keyed(NodeKind, DispatchKey),
    AnyExpr,
    AnyStmt,
    Block,
}

/// What every match of the patterns of a [`FileDispatch`] holds in its source range: one of
/// `words` as a whole identifier, or one of the `keywords` tokens, or, with `imports`, a use of a
/// name an import of a declared module binds, or, with `async_or_imported`, a use of a name an
/// `async def` or any import binds.
#[derive(Debug)]
pub struct Anchors<'r> {
    pub words: WordSet<&'r str>,
    pub keywords: TokenKinds,
    pub imports: bool,
    pub async_or_imported: bool,
}

/// A set of token kinds, asked about every token of a file: one bit per kind.
#[derive(Debug, Clone, Default)]
pub struct TokenKinds {
    bits: [u64; 4],
}

impl TokenKinds {
    pub fn insert(&mut self, kind: TokenKind) {
        let index = kind as usize;
        self.bits[index / 64] |= 1 << (index % 64);
    }

    #[inline]
    pub fn contains(&self, kind: TokenKind) -> bool {
        let index = kind as usize;
        self.bits[index / 64] & (1 << (index % 64)) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&word| word == 0)
    }
}

/// The patterns one file's walk tries: a [`Dispatch`] narrowed to the file's live patterns.
#[derive(Debug)]
pub struct FileDispatch<'r> {
    tables: Tables<&'r str>,
    /// By node kind: whether a node of the kind meets a pattern filed under kind or name.
    filed: Vec<bool>,
    /// What every match spells; `None` when some live pattern has no anchor.
    anchors: Option<Anchors<'r>>,
}

impl Dispatch {
    /// File `candidate`, an entry of a rule, where its [`Plan`] says it can match.
    pub fn add(&mut self, candidate: Candidate, plan: Plan) {
        let number = candidate.number as usize;
        if self.anchors.len() <= number {
            self.anchors.resize_with(number + 1, Vec::new);
            self.places.resize_with(number + 1, || None);
        }
        self.anchors[number] = plan.anchors;
        let places = match (plan.root, plan.keys) {
            (RootKinds::Kinds(kinds), Some(keys)) => kinds
                .into_iter()
                .flat_map(|kind| keys.iter().map(move |key| Place::Keyed(kind, key.clone())))
                .collect(),
            (RootKinds::Kinds(kinds), None) => kinds.into_iter().map(Place::Kind).collect(),
            (RootKinds::AnyExpr, _) => vec![Place::AnyExpr],
            (RootKinds::AnyStmt, _) => vec![Place::AnyStmt],
            (RootKinds::Block, _) => vec![Place::Block],
        };
        self.places[number] = Some((candidate, places));
    }

    /// The patterns of `live` only: what one file's walk tries. Each table lists its patterns in
    /// the order of their numbers.
    /// The rule pattern number `number` belongs to.
    pub fn rule_of(&self, number: u32) -> Option<RuleRef> {
        let (candidate, _) = self.places.get(number as usize)?.as_ref()?;
        Some(candidate.rule)
    }

    pub fn narrowed(&self, live: &Live) -> FileDispatch<'_> {
        let mut tables: Tables<&str> = Tables::default();
        for number in live.iter() {
            let Some(Some((candidate, places))) = self.places.get(number as usize) else {
                continue;
            };
            for place in places {
                match place {
                    Place::Kind(kind) => slot(&mut tables.by_kind, *kind).push(*candidate),
                    Place::Keyed(kind, key) => slot(&mut tables.by_key, *kind)
                        .get_or_insert_with(Keyed::default)
                        .add(key, *candidate),
                    Place::AnyExpr => tables.any_expr.push(*candidate),
                    Place::AnyStmt => tables.any_stmt.push(*candidate),
                    Place::Block => tables.block.push(*candidate),
                }
            }
        }
        let filed = (0..tables.by_kind.len().max(tables.by_key.len()))
            .map(|kind| {
                tables.by_kind.get(kind).is_some_and(|c| !c.is_empty())
                    || tables.by_key.get(kind).is_some_and(Option::is_some)
            })
            .collect();
        FileDispatch {
            tables,
            filed,
            anchors: self.live_anchors(live),
        }
    }

    /// What every match of a live pattern spells: `None` when one of them has no anchor.
    fn live_anchors(&self, live: &Live) -> Option<Anchors<'_>> {
        let mut anchors = Anchors {
            words: WordSet::default(),
            keywords: TokenKinds::default(),
            imports: false,
            async_or_imported: false,
        };
        for number in live.iter() {
            let Some(alternatives) = self.anchors.get(number as usize) else {
                continue;
            };
            if alternatives.is_empty() {
                return None;
            }
            for alternative in alternatives {
                match alternative {
                    Anchor::Word(word) => {
                        anchors.words.add(word.as_str());
                    }
                    Anchor::Keyword(kind) => anchors.keywords.insert(*kind),
                    Anchor::Import => anchors.imports = true,
                    Anchor::AsyncDefOrImport => anchors.async_or_imported = true,
                }
            }
        }
        Some(anchors)
    }
}

impl<'r> FileDispatch<'r> {
    /// Whether `node` meets any pattern: false for most nodes, which the walk then passes by.
    pub fn meets(&self, node: AnyNodeRef) -> bool {
        self.filed
            .get(node.kind() as usize)
            .copied()
            .unwrap_or(false)
            || (!self.tables.any_stmt.is_empty() && node.is_statement())
            || (!self.tables.any_expr.is_empty() && node.as_expr_ref().is_some())
    }

    /// The patterns for nodes of `kind` that are not looked up by name.
    pub fn kind(&self, kind: NodeKind) -> &[Candidate] {
        self.tables
            .by_kind
            .get(kind as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The patterns for nodes of `kind` that are looked up by the node's name.
    pub fn keyed(&self, kind: NodeKind) -> Option<&Keyed<&'r str>> {
        self.tables.by_key.get(kind as usize)?.as_ref()
    }

    pub fn any_expr(&self) -> &[Candidate] {
        &self.tables.any_expr
    }

    pub fn any_stmt(&self) -> &[Candidate] {
        &self.tables.any_stmt
    }

    pub fn block(&self) -> &[Candidate] {
        &self.tables.block
    }

    /// What every match spells; `None` when some live pattern has no anchor.
    pub fn anchors(&self) -> Option<&Anchors<'r>> {
        self.anchors.as_ref()
    }
}

#[cfg(test)]
mod tests {
    /// A pattern without an anchor makes the walk of every file where it may match visit every
    /// node: every built-in pattern has one, or its rule only runs in files that spell a word
    /// (what a value's type is known from, such as an import of the library).
    #[test]
    fn every_builtin_pattern_has_an_anchor_or_a_word_its_file_needs() {
        let packs = crate::pack::load_all(true, &[]).expect("the built-in packs load");
        let mut patterns = 0;
        for pack in &packs {
            for rule in &pack.rules {
                // A rule matching names against a pack option has the anchors of the option's
                // value, which the rule set adds.
                if !rule.matching.options_needed().is_empty() {
                    continue;
                }
                for entry in 0..rule.matching.entries.len() {
                    let plan = rule.matching.plan(entry, &pack.modules);
                    let needs_a_word = plan.needles.iter().all(|words| !words.is_empty())
                        && !plan.needles.is_empty();
                    assert!(
                        !plan.anchors.is_empty() || needs_a_word,
                        "{}: entry {entry} has no anchor",
                        rule.code,
                    );
                    patterns += 1;
                }
            }
        }
        assert!(patterns > 100, "{patterns} patterns");
    }
}
