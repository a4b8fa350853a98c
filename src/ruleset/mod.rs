//! The rules of one run: selected, filtered by project versions, compiled for dispatch.
//!
//! [`RuleSet`] files every pattern of every enabled rule in a [`Dispatch`] by where it can match,
//! so a file is walked once and each node only meets the patterns that can match it. It also
//! builds the [`Prefilter`] of the enabled patterns: a file that no pattern can match and no
//! comment rule's regex matches is never parsed, and a parsed file's walk tries only the patterns
//! whose needles its text holds.

pub mod dispatch;
pub mod prefilter;

use std::collections::BTreeMap;

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use regex::Regex;

use crate::base::diagnostic as codes;
use crate::base::version::Version;
use crate::condition::{NameSet, Needs, OptionValues, Versions};
use crate::pack::{Applicability, Cleanup, Pack, Rule};
use crate::ruleset::dispatch::{Candidate, Dispatch, FileDispatch};
use crate::ruleset::prefilter::{Live, Prefilter, RegexNeeds, SubstringNeeds};

pub use crate::base::diagnostic::RuleRef;

/// The length of the longest of `selectors` that one of `names` starts with (`ALL` counts as
/// empty). With `explicit`, only a selector longer than the letters of the name it starts counts:
/// a code, or a prefix naming digits (`AIO1`), never `ALL` or a bare prefix (`AIO`).
fn longest_match(selectors: &[String], names: &[&str], explicit: bool) -> Option<usize> {
    let counts = |selector: &str, name: &str| {
        name.starts_with(selector)
            && (!explicit
                || selector.len() > name.trim_end_matches(|c: char| c.is_ascii_digit()).len())
    };
    selectors
        .iter()
        .map(|s| if s == "ALL" { "" } else { s.as_str() })
        .filter(|s| names.iter().any(|name| counts(s, name)))
        .map(str::len)
        .max()
}

/// The names selectors match a rule by: its code, then its aliases.
fn names(rule: &Rule) -> Vec<&str> {
    std::iter::once(rule.code.as_str())
        .chain(rule.aliases.iter().map(String::as_str))
        .collect()
}

/// The rule selectors of one layer of configuration: a file of an `extend` chain (the command
/// line joins the last). `select` (or `fixable`), when given, decides alone what the layers
/// before it said; `extend` adds to it and `ignore` (or `unfixable`) takes away. Within a layer
/// the longest matching selector decides, `ALL` being the empty prefix; on a tie `ignore` wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selectors {
    pub select: Vec<String>,
    pub extend: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selectors {
    /// Whether a rule named `names` is on after this layer, `before` being what the layers before
    /// it decided. With `explicit` (an opt-in rule's selection), only selectors naming digits
    /// select.
    fn decide(&self, names: &[&str], explicit: bool, before: bool) -> bool {
        decide(
            [&self.select, &self.extend, &self.ignore],
            names,
            explicit,
            before,
        )
    }
}

/// [`Selectors::decide`] for the lists `select`, `extend` and `ignore` of one layer.
fn decide(
    [select, extend, ignore]: [&[String]; 3],
    names: &[&str],
    explicit: bool,
    before: bool,
) -> bool {
    let best = |selectors: &[String]| longest_match(selectors, names, explicit);
    let selected = best(select).max(best(extend));
    match (selected, longest_match(ignore, names, false)) {
        (Some(s), Some(i)) => s > i,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => select.is_empty() && before,
    }
}

/// `--select` / `--ignore` codes and prefixes, matched against a rule's code and its aliases. The
/// longest matching prefix decides; `ALL` is the empty prefix; on a tie `ignore` wins. An opt-in
/// rule is selected only by a selector naming digits of its code or of an alias (`AIO9`,
/// `AIO910`), never by the default selection, `ALL` or a bare prefix; `ignore` then decides as
/// for any rule. The layers a configuration inherits through `extend` ([`Selectors`]) decide
/// first, base first; `select`, `extend_select` and `ignore` are the last layer. Per-file ignores
/// then remove rules whatever selected them.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub per_file_ignore: Vec<String>,
    /// The selectors of the configurations `extend` named, base first.
    pub inherited: Vec<Selectors>,
}

impl Selection {
    /// Whether the rule of this code (no alias, not opt-in) is enabled.
    pub fn enables(&self, code: &str) -> bool {
        self.enables_names(&[code], false)
    }

    /// Whether a pack's rule is enabled.
    pub fn enables_rule(&self, rule: &Rule) -> bool {
        self.enables_names(&names(rule), rule.opt_in)
    }

    fn enables_names(&self, names: &[&str], opt_in: bool) -> bool {
        longest_match(&self.per_file_ignore, names, false).is_none() && self.selects(names, opt_in)
    }

    fn selects(&self, names: &[&str], opt_in: bool) -> bool {
        let inherited = (self.inherited.iter())
            .fold(!opt_in, |before, layer| layer.decide(names, opt_in, before));
        let last = [&self.select[..], &self.extend_select, &self.ignore];
        decide(last, names, opt_in, inherited)
    }
}

/// `extend-safe-fixes` / `extend-unsafe-fixes`: rule selectors whose fixes become safe or unsafe.
/// The longest matching selector decides; on a tie the fix stays unsafe. `fixable` /
/// `extend-fixable` / `unfixable`, per layer of configuration ([`Selectors`], base first): which
/// rules' fixes are offered and applied at all (every rule's when there are none).
#[derive(Debug, Clone, Default)]
pub struct FixSelection {
    pub safe: Vec<String>,
    pub unsafe_: Vec<String>,
    pub fixable: Vec<Selectors>,
}

impl FixSelection {
    fn applicability(&self, rule: &Rule, declared: Applicability) -> Applicability {
        let names = names(rule);
        let best = |selectors: &[String]| longest_match(selectors, &names, false);
        match (best(&self.safe), best(&self.unsafe_)) {
            (Some(s), Some(u)) if s > u => Applicability::Safe,
            (Some(_), Some(_)) | (None, Some(_)) => Applicability::Unsafe,
            (Some(_), None) => Applicability::Safe,
            (None, None) => declared,
        }
    }

    /// Whether the fixes of a rule named `names` are offered and applied.
    fn fixes(&self, names: &[&str]) -> bool {
        (self.fixable.iter()).fold(true, |before, layer| layer.decide(names, false, before))
    }
}

/// Which rules a file is checked with.
#[derive(Debug)]
pub struct RuleSet {
    pub packs: Arc<Vec<Pack>>,
    /// Every module any enabled rule's pack declares.
    pub modules: FxHashSet<String>,
    pub enabled: Vec<RuleRef>,
    /// Where each enabled pattern can match.
    dispatch: Dispatch,
    comments: Vec<RuleRef>,
    /// Rules over configuration files.
    settings: Vec<RuleRef>,
    /// What a file must contain for each comment rule's regex to match, in `comments` order.
    comment_needs: Vec<RegexNeeds>,
    prefilter: Prefilter,
    /// Every pack's cleanups (pack, cleanup), with what a text needs for each to match.
    cleanups: Vec<(u32, u32, SubstringNeeds)>,
    /// Every pack's `drop-unused-imports` modules, sorted, once each.
    drop_unused_imports: Vec<String>,
    /// Fix applicability per enabled rule, after `extend-safe-fixes` / `extend-unsafe-fixes`.
    applicability: FxHashMap<RuleRef, Applicability>,
    /// The enabled rules whose fixes are neither offered nor applied (`unfixable`), and whether
    /// the unused-suppression rule's are not.
    unfixable: FxHashSet<RuleRef>,
    unused_noqa_unfixable: bool,
    /// Whether the unused-suppression rule is enabled; then the pattern of a directive that
    /// names one of the loaded packs' prefixes, which makes a file worth parsing.
    unused_noqa: Option<Regex>,
    /// The project's versions the rules were enabled for (`versions` conditions read them).
    versions: Versions,
    /// The value of every option of every pack, by pack and in the pack's order: the project's,
    /// else the pack's default.
    options: Vec<Vec<NameSet>>,
}

impl RuleSet {
    /// Enable the rules `selection` selects whose `requires` hold for `versions` (a distribution
    /// missing from `versions` is taken to be the newest: requirements with only lower bounds hold).
    pub fn new(
        packs: Arc<Vec<Pack>>,
        selection: &Selection,
        versions: &BTreeMap<String, Version>,
    ) -> RuleSet {
        RuleSet::configured(packs, selection, versions, &OptionValues::default())
    }

    /// [`RuleSet::new`], with the pack options the project sets.
    pub fn configured(
        packs: Arc<Vec<Pack>>,
        selection: &Selection,
        versions: &BTreeMap<String, Version>,
        options: &OptionValues,
    ) -> RuleSet {
        let selected: Vec<RuleRef> = packs
            .iter()
            .enumerate()
            .flat_map(|(pack_index, pack)| {
                pack.rules
                    .iter()
                    .enumerate()
                    .filter(|(_, rule)| selection.enables_rule(rule))
                    .map(move |(rule_index, _)| RuleRef {
                        pack: pack_index as u32,
                        rule: rule_index as u32,
                    })
            })
            .collect();
        let unused_noqa = selection.enables(codes::UNUSED_NOQA);
        RuleSet::of_rules_with(packs, selected, versions, unused_noqa, options)
    }

    /// Enable `rules`, in that order, whose `requires` hold for `versions`, and the
    /// unused-suppression rule when `unused_noqa`. Takes time in proportion to the rules enabled,
    /// not to the rules loaded.
    pub fn of_rules(
        packs: Arc<Vec<Pack>>,
        rules: impl IntoIterator<Item = RuleRef>,
        versions: &BTreeMap<String, Version>,
        unused_noqa: bool,
    ) -> RuleSet {
        RuleSet::of_rules_with(
            packs,
            rules,
            versions,
            unused_noqa,
            &OptionValues::default(),
        )
    }

    /// [`RuleSet::of_rules`], with the pack options the project sets. A rule that matches names
    /// against an option holding none is not enabled: it can match nowhere.
    pub fn of_rules_with(
        packs: Arc<Vec<Pack>>,
        rules: impl IntoIterator<Item = RuleRef>,
        versions: &BTreeMap<String, Version>,
        unused_noqa: bool,
        options: &OptionValues,
    ) -> RuleSet {
        let option_sets = packs
            .iter()
            .map(|pack| {
                let set = options.get(&pack.name);
                (pack.options.iter())
                    .map(|decl| {
                        let value = set.and_then(|set| set.get(&decl.name));
                        NameSet::new(value.unwrap_or(&decl.default))
                    })
                    .collect()
            })
            .collect();
        let mut set = RuleSet {
            packs,
            modules: FxHashSet::default(),
            enabled: Vec::new(),
            dispatch: Dispatch::default(),
            comments: Vec::new(),
            settings: Vec::new(),
            comment_needs: Vec::new(),
            prefilter: Prefilter::default(),
            cleanups: Vec::new(),
            drop_unused_imports: Vec::new(),
            applicability: FxHashMap::default(),
            unfixable: FxHashSet::default(),
            unused_noqa_unfixable: false,
            unused_noqa: None,
            versions: versions.clone(),
            options: option_sets,
        };
        let mut needle_sets: Vec<Vec<Vec<crate::condition::Needle>>> = Vec::new();
        let packs = set.packs.clone();
        for rule_ref in rules {
            let pack = &packs[rule_ref.pack as usize];
            let rule = &pack.rules[rule_ref.rule as usize];
            if !requirements_hold(rule, versions) {
                continue;
            }
            let option_sets = &set.options[rule_ref.pack as usize];
            let needed = rule.matching.options_needed();
            if needed.iter().any(|&slot| option_sets[slot].is_empty()) {
                continue;
            }
            for &slot in &rule.options {
                let packages = option_sets[slot].packages().map(str::to_owned);
                set.modules.extend(packages);
            }
            set.enabled.push(rule_ref);
            if let Some(applicability) = rule.applicability {
                set.applicability.insert(rule_ref, applicability);
            }
            set.modules.extend(pack.modules.iter().cloned());
            if let Some(regex) = &rule.comment {
                set.comments.push(rule_ref);
                set.comment_needs.push(RegexNeeds::of(regex));
            }
            if rule.setting.is_some() {
                set.settings.push(rule_ref);
            }
            for entry in 0..rule.matching.entries.len() {
                let candidate = Candidate {
                    rule: rule_ref,
                    pattern: entry as u32,
                    number: needle_sets.len() as u32,
                };
                let mut plan = rule.matching.plan(entry, &pack.modules);
                for &slot in &needed {
                    let names = option_sets[slot].needs();
                    plan.needles = Needs::file(plan.needles).and(names.clone()).needles;
                    if plan.anchors.is_empty() {
                        plan.anchors = names.anchors;
                    }
                }
                needle_sets.push(plan.needles.clone());
                set.dispatch.add(candidate, plan);
            }
        }
        set.prefilter = Prefilter::new(&needle_sets);
        for (pack_index, pack) in set.packs.iter().enumerate() {
            for (cleanup_index, cleanup) in pack.cleanups.iter().enumerate() {
                let needs = SubstringNeeds::of(&cleanup.pattern);
                set.cleanups
                    .push((pack_index as u32, cleanup_index as u32, needs));
            }
            set.drop_unused_imports
                .extend(pack.drop_unused_imports.iter().cloned());
        }
        set.drop_unused_imports.sort();
        set.drop_unused_imports.dedup();
        if unused_noqa {
            set.unused_noqa = Some(directive_scan(&set.packs));
        }
        set
    }

    /// Re-decide fix applicability with `extend-safe-fixes` / `extend-unsafe-fixes`, and which
    /// rules' fixes are offered at all with `fixable` / `extend-fixable` / `unfixable`.
    pub fn with_fix_selection(mut self, fixes: &FixSelection) -> RuleSet {
        let packs = self.packs.clone();
        if !fixes.safe.is_empty() || !fixes.unsafe_.is_empty() {
            for (rule_ref, applicability) in self.applicability.iter_mut() {
                let rule = &packs[rule_ref.pack as usize].rules[rule_ref.rule as usize];
                *applicability = fixes.applicability(rule, *applicability);
            }
        }
        if !fixes.fixable.is_empty() {
            self.unfixable = (self.enabled.iter().copied())
                .filter(|r| !fixes.fixes(&names(&packs[r.pack as usize].rules[r.rule as usize])))
                .collect();
            self.unused_noqa_unfixable = !fixes.fixes(&[codes::UNUSED_NOQA]);
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

    /// Whether a rule's fixes are offered and applied (`unfixable` takes them away).
    pub fn fixable(&self, rule: RuleRef) -> bool {
        !self.unfixable.contains(&rule)
    }

    /// Whether the unused-suppression rule's fixes are offered and applied.
    pub fn unused_noqa_fixable(&self) -> bool {
        !self.unused_noqa_unfixable
    }

    /// The project's versions the rules were enabled for.
    pub fn versions(&self) -> &Versions {
        &self.versions
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
            .chain(self.unused_noqa.iter().map(|_| codes::UNUSED_NOQA))
    }

    /// The aliases of the enabled rules.
    pub fn enabled_aliases(&self) -> impl Iterator<Item = &str> {
        (self.enabled.iter()).flat_map(|&r| self.rule(r).aliases.iter().map(String::as_str))
    }

    /// The codes of every loaded rule, the engine's included.
    pub fn loaded_codes(&self) -> impl Iterator<Item = &str> {
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter().map(|r| r.code.as_str()))
            .chain(codes::ENGINE_CODES.iter().copied())
    }

    /// The values of `pack`'s options, in its order (`pack` is one of the rule set's).
    pub fn options_of(&self, pack: &Pack) -> &[NameSet] {
        let index = self.packs.iter().position(|p| std::ptr::eq(p, pack));
        index.map_or(&[], |index| &self.options[index])
    }

    pub fn pack(&self, rule: RuleRef) -> &Pack {
        &self.packs[rule.pack as usize]
    }

    pub fn rule(&self, rule: RuleRef) -> &Rule {
        &self.packs[rule.pack as usize].rules[rule.rule as usize]
    }

    /// The patterns of `live` (a file's [`RuleSet::live_patterns`]) by where they can match.
    /// The live patterns of the rules `keep` accepts (asked once per rule).
    pub fn live_of_rules(&self, live: &Live, mut keep: impl FnMut(RuleRef) -> bool) -> Live {
        let mut decided: FxHashMap<RuleRef, bool> = FxHashMap::default();
        live.retained(|number| match self.dispatch.rule_of(number) {
            Some(rule) => *decided.entry(rule).or_insert_with(|| keep(rule)),
            None => true,
        })
    }

    pub fn dispatch(&self, live: &Live) -> FileDispatch<'_> {
        self.dispatch.narrowed(live)
    }

    /// Rules that match comments.
    pub fn comment_rules(&self) -> &[RuleRef] {
        &self.comments
    }

    /// Rules over configuration files.
    pub fn setting_rules(&self) -> &[RuleRef] {
        &self.settings
    }

    /// The file name of `path` when it is a configuration file some loaded rule reads (enabled
    /// or not: such a file is never checked as Python).
    pub fn config_file_name<'p>(&self, path: &'p str) -> Option<&'p str> {
        let name = path.rsplit(['/', std::path::MAIN_SEPARATOR]).next()?;
        self.packs
            .iter()
            .any(|pack| pack.setting_files.iter().any(|(file, _)| file == name))
            .then_some(name)
    }

    /// The patterns that may match in a file with this text (by [`Candidate::number`]).
    pub fn live_patterns(&self, source: &str) -> Live {
        self.prefilter.live(source)
    }

    /// The packs' cleanups whose patterns may match in a text.
    pub fn live_cleanups(&self, source: &str) -> Vec<(&Pack, &Cleanup)> {
        self.cleanups
            .iter()
            .filter(|(_, _, needs)| needs.may_match(source))
            .map(|&(pack, cleanup, _)| {
                let pack = &self.packs[pack as usize];
                (pack, &pack.cleanups[cleanup as usize])
            })
            .collect()
    }

    /// The modules whose imports the fix loop removes when fixes made them unused.
    pub fn drop_unused_imports(&self) -> &[String] {
        &self.drop_unused_imports
    }

    /// Whether a comment rule may match in a file with this text.
    pub fn comments_may_match(&self, source: &str) -> bool {
        self.comment_needs
            .iter()
            .any(|needs| needs.may_match(source))
    }

    /// Find a rule by code or alias.
    pub fn find(&self, code: &str) -> Option<RuleRef> {
        self.packs.iter().enumerate().find_map(|(p, pack)| {
            pack.rules
                .iter()
                .position(|r| r.code == code || r.aliases.iter().any(|a| a == code))
                .map(|r| RuleRef {
                    pack: p as u32,
                    rule: r as u32,
                })
        })
    }
}

/// A directive naming a loaded pack's prefix or the letters of a loaded rule's alias, or a
/// file-level directive.
fn directive_scan(packs: &[Pack]) -> Regex {
    let mut prefixes: Vec<String> = packs.iter().map(|p| regex::escape(&p.prefix)).collect();
    let aliases = packs.iter().flat_map(|p| &p.rules).flat_map(|r| &r.aliases);
    prefixes
        .extend(aliases.filter_map(|alias| crate::pack::code_letters(alias).map(regex::escape)));
    prefixes.sort();
    prefixes.dedup();
    prefixes.push(
        codes::UNUSED_NOQA
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_owned(),
    );
    Regex::new(&format!(
        r"anyio-lint\s*:\s*(?i:noqa)|(?i:noqa)\s*:[\sA-Z0-9,]*\b(?:{})",
        prefixes.join("|")
    ))
    .expect("valid directive scan")
}

/// Whether the versions a rule requires (the `versions` condition at the top of its `match`) hold.
fn requirements_hold(rule: &Rule, versions: &BTreeMap<String, Version>) -> bool {
    rule.requires
        .iter()
        .all(|(distribution, spec)| match versions.get(distribution) {
            Some(version) => spec.contains(version),
            None => spec.contains_newest(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(select: &[&str], extend: &[&str], ignore: &[&str]) -> Selectors {
        let owned = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        Selectors {
            select: owned(select),
            extend: owned(extend),
            ignore: owned(ignore),
        }
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_layer_of_selectors_decides_over_the_layers_before_it() {
        // The base ignores AIO1; the file extending it selects AIO101 again.
        let selection = Selection {
            extend_select: strings(&["AIO101"]),
            inherited: vec![layer(&[], &[], &["AIO1"])],
            ..Selection::default()
        };
        let enabled = |code| selection.enables(code);
        assert!(enabled("AIO101") && !enabled("AIO102") && enabled("AIO201"));
        // A later `select` decides alone: the base's `ignore` no longer applies.
        let selection = Selection {
            select: strings(&["AIO"]),
            inherited: vec![layer(&[], &[], &["AIO1"])],
            ..Selection::default()
        };
        assert!(selection.enables("AIO102") && !selection.enables("ANY101"));
        // The base's `select` stands where later layers say nothing of a rule.
        let selection = Selection {
            extend_select: strings(&["ANY1"]),
            ignore: strings(&["AIO2"]),
            inherited: vec![layer(&["AIO"], &[], &[])],
            ..Selection::default()
        };
        let enabled = |code| selection.enables(code);
        assert!(enabled("AIO101") && !enabled("AIO201"));
        assert!(enabled("ANY101") && !enabled("ANY201"));
        // Within a layer the longest selector decides, and `ignore` wins a tie.
        let selection = Selection {
            inherited: vec![layer(&[], &["AIO101"], &["AIO1"]), layer(&[], &[], &[])],
            ..Selection::default()
        };
        assert!(selection.enables("AIO101") && !selection.enables("AIO102"));
        let tie = Selection {
            inherited: vec![layer(&[], &["AIO1"], &["AIO1"])],
            ..Selection::default()
        };
        assert!(!tie.enables("AIO101"));
    }

    #[test]
    fn fixability_is_decided_layer_by_layer_and_every_rule_is_fixable_by_default() {
        let fixes = |layers: Vec<Selectors>, code: &str| {
            FixSelection {
                fixable: layers,
                ..FixSelection::default()
            }
            .fixes(&[code])
        };
        assert!(fixes(Vec::new(), "AIO101"));
        assert!(!fixes(vec![layer(&[], &[], &["AIO1"])], "AIO101"));
        assert!(fixes(vec![layer(&[], &[], &["AIO1"])], "AIO201"));
        // `fixable` names the only fixable rules; `extend-fixable` adds to them.
        let only = vec![layer(&["AIO2"], &["AIO101"], &[])];
        assert!(fixes(only.clone(), "AIO201") && fixes(only.clone(), "AIO101"));
        assert!(!fixes(only, "AIO102"));
        // A later layer's `extend-fixable` gives back what an earlier `unfixable` took.
        let given_back = vec![layer(&[], &[], &["ALL"]), layer(&[], &["AIO101"], &[])];
        assert!(fixes(given_back.clone(), "AIO101") && !fixes(given_back, "AIO102"));
    }
}
