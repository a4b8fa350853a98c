//! The fix loop of a configuration file, with the guarantees of the Python one: each pass applies
//! the applicable fixes whose edits do not overlap, and keeps the result only when it still reads
//! as its format and every entry no fix touched is still there, as it was. A pass that fails is
//! rolled back: each fix is tried alone, the rules whose fixes fail are named and switched off
//! for the file, and the pass is redone. The loop stops when no fix applies, when a pass gives
//! back a text an earlier pass had, or after [`MAX_PASSES`].

use ruff_text_size::TextRange;

use crate::analysis::config_file::{ConfigFile, Entry, Format};
use crate::base::diagnostic::{Diagnostic, Edit, Origin};
use crate::engine::config_file::check_config;
use crate::fix::edits::{apply_edits, merge};
use crate::ruleset::{RuleRef, RuleSet};

use super::{FixOutcome, MAX_PASSES, Made, count};

/// Fix the text of the configuration file named `name` with the enabled rules that read it;
/// `unsafe_fixes` also applies unsafe fixes.
pub fn fix_config(rules: &RuleSet, name: &str, source: &str, unsafe_fixes: bool) -> FixOutcome {
    let mut outcome = FixOutcome {
        text: source.to_owned(),
        ..FixOutcome::default()
    };
    let formats = formats(rules, name);
    let mut disabled: Vec<RuleRef> = Vec::new();
    let mut made = Made::from(source);
    for _ in 0..MAX_PASSES {
        let checked = check_config(rules, name, &outcome.text, &disabled);
        let fixable: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.fix_applies(unsafe_fixes))
            .collect();
        if checked.syntax_error || fixable.is_empty() {
            outcome.remaining = checked;
            return outcome;
        }
        let groups: Vec<&[Edit]> = fixable
            .iter()
            .map(|d| d.fix.as_ref().expect("fixable").edits.as_slice())
            .collect();
        let (edits, accepted) = merge(&groups);
        let candidate = apply_edits(&outcome.text, &edits);
        if judge(&formats, &outcome.text, &edits, &candidate).is_ok() {
            for &index in &accepted {
                count(&mut outcome.applied, fixable[index]);
            }
            outcome.text = candidate;
        } else {
            let mut broke = false;
            for &index in &accepted {
                let alone = apply_edits(&outcome.text, groups[index]);
                let Err(reason) = judge(&formats, &outcome.text, groups[index], &alone) else {
                    continue;
                };
                broke = true;
                if let Origin::Rule(rule) = fixable[index].origin
                    && !disabled.contains(&rule)
                {
                    disabled.push(rule);
                    let code = fixable[index].code.clone().unwrap_or_default();
                    outcome.problems.push(format!(
                        "the fix of {code} ({}) {reason}; it was rolled back and {code} is \
                         reported without a fix in this file",
                        rules.rule(rule).name
                    ));
                }
            }
            if broke {
                continue;
            }
            // Each fix is valid alone but not together: apply the first one, then check again.
            let first = accepted[0];
            count(&mut outcome.applied, fixable[first]);
            outcome.text = apply_edits(&outcome.text, groups[first]);
        }
        if made.gave_back(&mut outcome) {
            outcome.remaining = check_config(rules, name, &outcome.text, &disabled);
            return outcome;
        }
    }
    outcome.remaining = check_config(rules, name, &outcome.text, &disabled);
    outcome.problems.push(format!(
        "fixes did not converge after {MAX_PASSES} passes; the file keeps the last valid state"
    ));
    outcome
}

/// The formats the loaded rules read a file named `name` in.
fn formats(rules: &RuleSet, name: &str) -> Vec<Format> {
    let mut formats: Vec<Format> = rules
        .packs
        .iter()
        .flat_map(|pack| &pack.setting_files)
        .filter(|(file, _)| file == name)
        .map(|(_, format)| *format)
        .collect();
    formats.sort();
    formats.dedup();
    formats
}

/// Whether `after`, the text `edits` made of `before`, may replace it: it reads as each of
/// `formats`, and every entry of `before` that no edit touched is in it, as it was; else why not.
fn judge(formats: &[Format], before: &str, edits: &[Edit], after: &str) -> Result<(), String> {
    for &format in formats {
        let Ok(old) = ConfigFile::parse(format, before) else {
            continue;
        };
        let new = ConfigFile::parse(format, after).map_err(|error| {
            format!(
                "would make the file invalid {} ({})",
                format.name(),
                error.message
            )
        })?;
        let touched = |entry: &Entry| {
            let extent = entry.lines.unwrap_or(entry.range);
            edits.iter().any(|edit| meets(edit.range, extent))
        };
        let spelled = |entry: &Entry| (entry.table.clone(), entry.key.clone(), entry.value.clone());
        let mut left: Vec<_> = new.entries.iter().map(spelled).collect();
        left.sort();
        for entry in old.entries.iter().filter(|entry| !touched(entry)) {
            let wanted = spelled(entry);
            match left.binary_search(&wanted) {
                Ok(at) => {
                    left.remove(at);
                }
                Err(_) => {
                    return Err(format!(
                        "would change the entry `{}` it was not made for",
                        entry.key
                    ));
                }
            }
        }
        if new.entries.len() > old.entries.len() {
            return Err("would add an entry".to_owned());
        }
    }
    Ok(())
}

/// Whether an edit at `edit` changes text in `extent` (an insertion, when strictly inside).
fn meets(edit: TextRange, extent: TextRange) -> bool {
    if edit.is_empty() {
        return extent.start() < edit.start() && edit.start() < extent.end();
    }
    edit.start() < extent.end() && extent.start() < edit.end()
}
