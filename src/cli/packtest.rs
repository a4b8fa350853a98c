//! Running the examples of any pack, built-in or a user's (`anyio-lint test`).
//!
//! A `flagged` example must be flagged by its rule and, when it gives `fixed`, fix to exactly that
//! text (with only that rule's fixes, plus the pack's import cleanups), re-parse, and stay the same
//! under a second fix. A `clean` example must not be flagged by its rule. Each example is checked
//! with the pack's other rules enabled too, so `fallback` rules are tested as users run them, and
//! under its own versions over the pack's `default-versions`, as a project declaring only those
//! would be, and with its own pack options over their defaults.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::base::diagnostic::Origin;
use crate::base::version::Version;
use crate::condition::OptionValues;
use crate::engine::check_named;
use crate::linter;
use crate::pack::{Applicability, Example, Pack};
use crate::ruleset::{RuleRef, RuleSet};

/// The result of one example.
pub struct Outcome {
    pub label: String,
    pub failure: Option<String>,
}

/// Run every example of every pack in `packs`. The rule set of a pack's rules is built once per
/// set of project versions its examples give, and the rule set of one rule holds only that rule,
/// so the time taken grows in proportion to the examples, however many rules the packs hold.
pub fn test_packs(packs: Vec<Pack>) -> Vec<Outcome> {
    let packs = Arc::new(packs);
    let mut outcomes = Vec::new();
    for (pack_index, pack) in packs.iter().enumerate() {
        let mut pack_rules: BTreeMap<(BTreeMap<String, Version>, OptionValues), RuleSet> =
            BTreeMap::new();
        for (rule_index, rule) in pack.rules.iter().enumerate() {
            let rule_ref = RuleRef {
                pack: pack_index as u32,
                rule: rule_index as u32,
            };
            for (number, example) in rule.examples.iter().enumerate() {
                let label = format!(
                    "{} {} example {} ({}:{})",
                    rule.code,
                    rule.name,
                    number + 1,
                    pack.origin,
                    example.line
                );
                let mut versions = pack.default_versions.clone();
                versions.extend(example.versions.clone());
                let mut options = OptionValues::new();
                if !example.options.is_empty() {
                    options.insert(pack.name.clone(), example.options.clone());
                }
                let key = (versions.clone(), options.clone());
                let everything = pack_rules.entry(key).or_insert_with(|| {
                    let all = (0..pack.rules.len()).map(|rule| RuleRef {
                        pack: pack_index as u32,
                        rule: rule as u32,
                    });
                    RuleSet::of_rules_with(packs.clone(), all, &versions, false, &options)
                });
                let failure = run_example(
                    everything,
                    rule_ref,
                    rule.applicability,
                    example,
                    (&versions, &options),
                );
                outcomes.push(Outcome { label, failure });
            }
        }
    }
    outcomes
}

/// Run `example` of the rule `rule_ref`, checked with `everything` (its pack's rules) under
/// `versions` (the example's, over the pack's `default-versions`).
fn run_example(
    everything: &RuleSet,
    rule_ref: RuleRef,
    applicability: Option<Applicability>,
    example: &Example,
    (versions, options): (&BTreeMap<String, Version>, &OptionValues),
) -> Option<String> {
    let code = everything.rule(rule_ref).code.as_str();
    // A configuration rule's example is the file it names; any other is Python.
    let path = example.file.as_deref().unwrap_or("example.py");
    let checked = check_named(everything, path, &example.code, &[]);
    if checked.syntax_error {
        return Some(format!("the example does not parse:\n{}", example.code));
    }
    let hits: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| matches!(d.origin, Origin::Rule(r) if r == rule_ref))
        .collect();
    if !example.flagged {
        return (!hits.is_empty()).then(|| {
            format!(
                "expected no {code} finding, got {} in:\n{}",
                hits.len(),
                example.code
            )
        });
    }
    if hits.is_empty() {
        return Some(format!(
            "expected a {code} finding, got none in:\n{}",
            example.code
        ));
    }
    let expected = example.fixed.as_ref()?;
    let unsafe_fixes = example
        .unsafe_fixes
        .unwrap_or(applicability == Some(Applicability::Unsafe));
    let rules = RuleSet::of_rules_with(
        everything.packs.clone(),
        [rule_ref],
        versions,
        false,
        options,
    );
    let outcome = linter::fix_named(&rules, path, &example.code, unsafe_fixes);
    if &outcome.text != expected {
        return Some(format!(
            "the fix differs from `fixed`:\n{}",
            similar::TextDiff::from_lines(expected.as_str(), outcome.text.as_str())
                .unified_diff()
                .header("expected", "actual")
        ));
    }
    if !outcome.problems.is_empty() {
        return Some(outcome.problems.join("\n"));
    }
    let again = linter::fix_named(&rules, path, &outcome.text, unsafe_fixes);
    if again.text != outcome.text {
        return Some(format!(
            "a second fix changed the result again:\n{}",
            again.text
        ));
    }
    None
}
