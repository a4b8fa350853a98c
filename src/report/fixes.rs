//! `--show-fixes`: the fixes a run applied, or the fixes its findings offer, counted per file
//! and rule, for the human formats.

use std::collections::BTreeMap;

use super::{FileReport, code_of, escape};

/// Per rule code: how many fixes, and the rule's name.
type PerRule = BTreeMap<String, (usize, String)>;

/// The fixes of a run per file and rule: with `fixed` (the run fixed files), those applied;
/// else those the findings offer that `--fix` would apply (with `unsafe_fixes`, unsafe ones
/// too). `name` gives a rule's name from its code (a fixed finding is gone, and with it the name
/// it carried). Empty when there are none; otherwise a heading with the total, then each file
/// that has some, in the reports' order, with a line per rule: count, code and name.
pub fn fix_summary(
    files: &[FileReport],
    fixed: bool,
    unsafe_fixes: bool,
    name: impl Fn(&str) -> Option<String>,
) -> String {
    let mut per_file: Vec<(&str, PerRule)> = Vec::new();
    for file in files {
        let mut rules = PerRule::new();
        if fixed {
            for (code, count) in &file.fixed {
                let entry = rules.entry(code.clone()).or_default();
                entry.0 += count;
                entry.1 = name(code).unwrap_or_default();
            }
        } else {
            for diagnostic in (file.diagnostics.iter()).filter(|d| d.fix_applies(unsafe_fixes)) {
                let entry = rules.entry(code_of(diagnostic).to_owned()).or_default();
                entry.0 += 1;
                entry.1 = diagnostic.name.clone().unwrap_or_default();
            }
        }
        rules.retain(|_, (count, _)| *count > 0);
        if !rules.is_empty() {
            per_file.push((&file.path, rules));
        }
    }
    let counts = per_file.iter().flat_map(|(_, rules)| rules.values());
    let total: usize = counts.clone().map(|(count, _)| count).sum();
    if total == 0 {
        return String::new();
    }
    let width = counts.map(|(count, _)| count.to_string().len()).max();
    let width = width.unwrap_or(1);
    let fixes = if total == 1 { "fix" } else { "fixes" };
    let mut out = if fixed {
        format!("Applied {total} {fixes}, by file and rule:\n")
    } else {
        format!("{total} {fixes} available with `--fix`, by file and rule:\n")
    };
    for (path, rules) in per_file {
        out.push_str(&format!("  {}\n", escape(path)));
        for (code, (count, name)) in rules {
            let named = if name.is_empty() {
                String::new()
            } else {
                format!(" ({})", escape(&name))
            };
            out.push_str(&format!("    {count:>width$} × {}{named}\n", escape(&code)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::diagnostic::{Applicability, Diagnostic, Fix, Origin};

    fn finding(code: &str, name: &str, fix: Option<Applicability>) -> Diagnostic {
        let mut diagnostic = Diagnostic::error(Origin::FileError, Default::default(), "m");
        diagnostic.code = Some(code.to_owned());
        diagnostic.name = Some(name.to_owned());
        diagnostic.fix = fix.map(|applicability| Fix {
            applicability,
            edits: Vec::new(),
            title: String::new(),
        });
        diagnostic
    }

    #[test]
    fn fixes_are_counted_per_file_and_rule_with_the_rules_names() {
        let files = [
            FileReport {
                path: "b.py".to_owned(),
                fixed: BTreeMap::from([("T1".to_owned(), 12), ("T2".to_owned(), 1)]),
                ..FileReport::default()
            },
            FileReport {
                path: "c.py".to_owned(),
                ..FileReport::default()
            },
        ];
        let name = |code: &str| (code == "T1").then(|| "one".to_owned());
        assert_eq!(
            fix_summary(&files, true, false, name),
            "Applied 13 fixes, by file and rule:\n  b.py\n    12 × T1 (one)\n     1 × T2\n"
        );
        // Without fixing, the findings' fixes that `--fix` would apply.
        let files = [FileReport {
            path: "a.py".to_owned(),
            diagnostics: vec![
                finding("T1", "one", Some(Applicability::Safe)),
                finding("T1", "one", Some(Applicability::Safe)),
                finding("T2", "two", Some(Applicability::Unsafe)),
                finding("T3", "three", None),
            ],
            ..FileReport::default()
        }];
        assert_eq!(
            fix_summary(&files, false, false, |_| None),
            "2 fixes available with `--fix`, by file and rule:\n  a.py\n    2 × T1 (one)\n"
        );
        assert_eq!(
            fix_summary(&files, false, true, |_| None),
            "3 fixes available with `--fix`, by file and rule:\n  a.py\n    2 × T1 (one)\n    1 × T2 (two)\n"
        );
        assert_eq!(fix_summary(&files, true, false, |_| None), "");
    }
}
