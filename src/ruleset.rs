//! The rules of one run: selected, filtered by project versions, compiled for dispatch.
//!
//! [`RuleSet`] indexes every pattern of every enabled rule by the node kind its root can match, so
//! a file is walked once and each node only meets the patterns that can match it. It also builds
//! the [`Prefilter`]: a file that contains none of the identifiers some pattern needs (its own
//! names, `^word$` constraint regexes, one alternative of a constraint's pattern list), and that no
//! comment rule's regex matches, is never parsed.

use std::collections::BTreeMap;

use std::sync::Arc;

use aho_corasick::AhoCorasick;
use ruff_python_ast::NodeKind;
use rustc_hash::{FxHashMap, FxHashSet};

use regex::Regex;

use crate::noqa;
use crate::pack::{Applicability, Pack, Rule};
use crate::pattern::RootKinds;
use crate::version::Version;

/// A rule by position: pack index and rule index in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleRef {
    pub pack: u32,
    pub rule: u32,
}

/// One pattern of one rule, as dispatch stores it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub rule: RuleRef,
    pub pattern: u32,
}

/// The length of the longest of `selectors` that `code` starts with (`ALL` counts as empty).
fn longest_match(selectors: &[String], code: &str) -> Option<usize> {
    selectors
        .iter()
        .map(|s| if s == "ALL" { "" } else { s.as_str() })
        .filter(|s| code.starts_with(s))
        .map(str::len)
        .max()
}

/// `--select` / `--ignore` codes and prefixes. The longest matching prefix decides; `ALL` is the
/// empty prefix; on a tie `ignore` wins. Per-file ignores then remove rules whatever selected them.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub per_file_ignore: Vec<String>,
}

impl Selection {
    pub fn enables(&self, code: &str) -> bool {
        longest_match(&self.per_file_ignore, code).is_none() && self.selects(code)
    }

    fn selects(&self, code: &str) -> bool {
        let best = |selectors: &[String]| longest_match(selectors, code);
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        let selected = selected.max(best(&self.extend_select));
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }
}

/// `extend-safe-fixes` / `extend-unsafe-fixes`: rule selectors whose fixes become safe or unsafe.
/// The longest matching selector decides; on a tie the fix stays unsafe.
#[derive(Debug, Clone, Default)]
pub struct FixSelection {
    pub safe: Vec<String>,
    pub unsafe_: Vec<String>,
}

impl FixSelection {
    fn applicability(&self, code: &str, declared: Applicability) -> Applicability {
        let best = |selectors: &[String]| longest_match(selectors, code);
        match (best(&self.safe), best(&self.unsafe_)) {
            (Some(s), Some(u)) if s > u => Applicability::Safe,
            (Some(_), Some(_)) | (None, Some(_)) => Applicability::Unsafe,
            (Some(_), None) => Applicability::Safe,
            (None, None) => declared,
        }
    }
}

/// Which rules a file is checked with.
#[derive(Debug)]
pub struct RuleSet {
    pub packs: Arc<Vec<Pack>>,
    /// Every module any enabled rule's pack declares.
    pub modules: FxHashSet<String>,
    pub enabled: Vec<RuleRef>,
    by_kind: FxHashMap<NodeKind, Vec<Candidate>>,
    any_expr: Vec<Candidate>,
    any_stmt: Vec<Candidate>,
    block: Vec<Candidate>,
    comments: Vec<RuleRef>,
    prefilter: Prefilter,
    /// Fix applicability per enabled rule, after `extend-safe-fixes` / `extend-unsafe-fixes`.
    applicability: FxHashMap<RuleRef, Applicability>,
    /// Whether the unused-suppression rule is enabled; then the pattern of a directive that
    /// names one of the loaded packs' prefixes, which makes a file worth parsing.
    unused_noqa: Option<Regex>,
}

impl RuleSet {
    /// Enable the rules `selection` selects whose `requires` hold for `versions` (a distribution
    /// missing from `versions` is taken to be the newest: requirements with only lower bounds hold).
    pub fn new(
        packs: Arc<Vec<Pack>>,
        selection: &Selection,
        versions: &BTreeMap<String, Version>,
    ) -> RuleSet {
        let mut set = RuleSet {
            packs,
            modules: FxHashSet::default(),
            enabled: Vec::new(),
            by_kind: FxHashMap::default(),
            any_expr: Vec::new(),
            any_stmt: Vec::new(),
            block: Vec::new(),
            comments: Vec::new(),
            prefilter: Prefilter::default(),
            applicability: FxHashMap::default(),
            unused_noqa: None,
        };
        let mut literal_sets = Vec::new();
        for (pack_index, pack) in set.packs.iter().enumerate() {
            for (rule_index, rule) in pack.rules.iter().enumerate() {
                if !selection.enables(&rule.code) || !requirements_hold(rule, versions) {
                    continue;
                }
                let rule_ref = RuleRef {
                    pack: pack_index as u32,
                    rule: rule_index as u32,
                };
                set.enabled.push(rule_ref);
                if let Some(applicability) = rule.applicability {
                    set.applicability.insert(rule_ref, applicability);
                }
                set.modules.extend(pack.modules.iter().cloned());
                if rule.comment.is_some() {
                    set.comments.push(rule_ref);
                }
                let required_words = anchored_words(rule);
                for (pattern_index, pattern) in rule.patterns.iter().enumerate() {
                    let candidate = Candidate {
                        rule: rule_ref,
                        pattern: pattern_index as u32,
                    };
                    match pattern.root_kinds(&pack.modules) {
                        RootKinds::Kinds(kinds) => {
                            for kind in kinds {
                                set.by_kind.entry(kind).or_default().push(candidate);
                            }
                        }
                        RootKinds::AnyExpr => set.any_expr.push(candidate),
                        RootKinds::AnyStmt => set.any_stmt.push(candidate),
                        RootKinds::Block => set.block.push(candidate),
                    }
                    let mut literals = pattern.literals();
                    let binds = |name: &str| {
                        std::iter::once(pattern)
                            .chain(&rule.inside)
                            .any(|p| p.metavars().iter().any(|m| m.name == name))
                    };
                    literals.extend(
                        required_words
                            .iter()
                            .filter(|(metavar, _)| binds(metavar))
                            .map(|(_, word)| word.clone()),
                    );
                    // A capture that must match one of some patterns brings one of their literal sets.
                    let alternatives = rule
                        .constraints
                        .iter()
                        .find(|c| !c.patterns.is_empty() && binds(&c.metavar));
                    match alternatives {
                        Some(constraint) => {
                            for alternative in &constraint.patterns {
                                let mut set = literals.clone();
                                set.extend(alternative.literals());
                                literal_sets.push(set);
                            }
                        }
                        None => literal_sets.push(literals),
                    }
                }
            }
        }
        set.prefilter = Prefilter::new(&literal_sets);
        if selection.enables(noqa::UNUSED_NOQA) {
            set.unused_noqa = Some(directive_scan(&set.packs));
        }
        set
    }

    /// Re-decide fix applicability with `extend-safe-fixes` / `extend-unsafe-fixes`.
    pub fn with_fix_selection(mut self, fixes: &FixSelection) -> RuleSet {
        if fixes.safe.is_empty() && fixes.unsafe_.is_empty() {
            return self;
        }
        let packs = self.packs.clone();
        for (rule_ref, applicability) in self.applicability.iter_mut() {
            let code = &packs[rule_ref.pack as usize].rules[rule_ref.rule as usize].code;
            *applicability = fixes.applicability(code, *applicability);
        }
        self
    }

    /// The applicability of a rule's fix in this run.
    pub fn applicability(&self, rule: RuleRef) -> Applicability {
        self.applicability
            .get(&rule)
            .copied()
            .unwrap_or(Applicability::Safe)
    }

    /// Whether unused suppressions are reported.
    pub fn reports_unused_noqa(&self) -> bool {
        self.unused_noqa.is_some()
    }

    /// Whether a file the prefilter skips must still be parsed: it has a suppression directive
    /// that the unused-suppression rule may report.
    pub fn may_have_stale_directive(&self, source: &str) -> bool {
        self.unused_noqa
            .as_ref()
            .is_some_and(|scan| scan.is_match(source))
    }

    /// The prefixes of the loaded packs.
    pub fn pack_prefixes(&self) -> impl Iterator<Item = &str> {
        self.packs.iter().map(|p| p.prefix.as_str())
    }

    /// The codes of the enabled rules, the engine's included.
    pub fn enabled_codes(&self) -> impl Iterator<Item = &str> {
        self.enabled
            .iter()
            .map(|&r| self.rule(r).code.as_str())
            .chain(self.unused_noqa.iter().map(|_| noqa::UNUSED_NOQA))
    }

    /// The codes of every loaded rule, the engine's included.
    pub fn loaded_codes(&self) -> impl Iterator<Item = &str> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| r.code.as_str()))
            .chain(noqa::ENGINE_CODES.iter().copied())
    }

    pub fn pack(&self, rule: RuleRef) -> &Pack {
        &self.packs[rule.pack as usize]
    }

    pub fn rule(&self, rule: RuleRef) -> &Rule {
        &self.packs[rule.pack as usize].rules[rule.rule as usize]
    }

    pub fn candidates(&self, kind: NodeKind) -> &[Candidate] {
        self.by_kind.get(&kind).map_or(&[], Vec::as_slice)
    }

    pub fn any_expr(&self) -> &[Candidate] {
        &self.any_expr
    }

    pub fn any_stmt(&self) -> &[Candidate] {
        &self.any_stmt
    }

    pub fn block(&self) -> &[Candidate] {
        &self.block
    }

    /// Rules that match comments.
    pub fn comment_rules(&self) -> &[RuleRef] {
        &self.comments
    }

    /// Whether a file with this text can match any enabled rule.
    pub fn may_match(&self, source: &str) -> bool {
        self.prefilter.may_match(source)
            || self.comments.iter().any(|&rule| {
                self.rule(rule)
                    .comment
                    .as_ref()
                    .is_some_and(|regex| regex.is_match(source))
            })
    }

    /// Find a rule by code.
    pub fn find(&self, code: &str) -> Option<RuleRef> {
        self.packs.iter().enumerate().find_map(|(p, pack)| {
            pack.rules
                .iter()
                .position(|r| r.code == code)
                .map(|r| RuleRef {
                    pack: p as u32,
                    rule: r as u32,
                })
        })
    }
}

/// `(metavariable, word)`: a `where` regex written `^word$` requires the capture's text, and so
/// the file, to contain that word wherever the metavariable is bound.
fn anchored_words(rule: &Rule) -> Vec<(String, String)> {
    rule.constraints
        .iter()
        .filter_map(|c| {
            let word = c
                .regex
                .as_ref()?
                .as_str()
                .strip_prefix('^')?
                .strip_suffix('$')?;
            let plain =
                !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            plain.then(|| (c.metavar.clone(), word.to_owned()))
        })
        .collect()
}

/// A directive naming a loaded pack's prefix, or a file-level directive.
fn directive_scan(packs: &[Pack]) -> Regex {
    let mut prefixes: Vec<String> = packs.iter().map(|p| regex::escape(&p.prefix)).collect();
    prefixes.push(
        noqa::UNUSED_NOQA
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_owned(),
    );
    Regex::new(&format!(
        r"anyio-lint\s*:\s*(?i:noqa)|(?i:noqa)\s*:[\sA-Z0-9,]*\b(?:{})",
        prefixes.join("|")
    ))
    .expect("valid directive scan")
}

fn requirements_hold(rule: &Rule, versions: &BTreeMap<String, Version>) -> bool {
    rule.requires
        .iter()
        .all(|(distribution, spec)| match versions.get(distribution) {
            Some(version) => spec.contains(version),
            None => spec.contains_newest(),
        })
}

/// The identifiers a file must contain for some pattern to match.
#[derive(Debug, Default)]
pub enum Prefilter {
    /// No rule is enabled: no file can match.
    #[default]
    Nothing,
    /// Some pattern needs no identifier: every file must be parsed.
    Everything,
    /// Each pattern needs all of its literals; a file passes if some pattern's are all present.
    Literals {
        automaton: AhoCorasick,
        needs: Vec<Vec<usize>>,
        count: usize,
    },
}

impl Prefilter {
    fn new(literal_sets: &[Vec<String>]) -> Prefilter {
        if literal_sets.is_empty() {
            return Prefilter::Nothing;
        }
        if literal_sets.iter().any(Vec::is_empty) {
            return Prefilter::Everything;
        }
        let mut literals: Vec<String> = literal_sets.iter().flatten().cloned().collect();
        literals.sort();
        literals.dedup();
        let needs = literal_sets
            .iter()
            .map(|set| {
                set.iter()
                    .filter_map(|l| literals.binary_search(l).ok())
                    .collect()
            })
            .collect();
        match AhoCorasick::new(&literals) {
            Ok(automaton) => Prefilter::Literals {
                automaton,
                needs,
                count: literals.len(),
            },
            Err(_) => Prefilter::Everything,
        }
    }

    pub fn may_match(&self, source: &str) -> bool {
        match self {
            Prefilter::Nothing => false,
            Prefilter::Everything => true,
            Prefilter::Literals {
                automaton,
                needs,
                count,
            } => {
                let mut present = vec![false; *count];
                for found in automaton.find_overlapping_iter(source) {
                    present[found.pattern().as_usize()] = true;
                }
                needs.iter().any(|need| need.iter().all(|&i| present[i]))
            }
        }
    }
}
