//! `rule` and `rules`: the documentation of one rule or of all, and the list of loaded rules, as
//! text or JSON. A rule is named by its code, an alias (either in any case) or its name; a name
//! that matches nothing is answered with the rules whose code, alias or name is closest.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::engine::noqa;
use crate::pack::{Pack, Rule};
use crate::report::rule_docs::{fix_kind, rule_page, unused_noqa_page};

use super::{Failure, ListFormat, PackArgs, load_packs};

/// A rule `rule` and `rules` show: one of a pack's, or the engine's own ([`noqa::UNUSED_NOQA`]).
#[derive(Clone, Copy)]
enum Shown<'a> {
    Pack(&'a Pack, &'a Rule),
    Engine,
}

impl Shown<'_> {
    fn code(&self) -> &str {
        match self {
            Shown::Pack(_, rule) => &rule.code,
            Shown::Engine => noqa::UNUSED_NOQA,
        }
    }

    fn name(&self) -> &str {
        match self {
            Shown::Pack(_, rule) => &rule.name,
            Shown::Engine => noqa::UNUSED_NOQA_NAME,
        }
    }

    fn aliases(&self) -> &[String] {
        match self {
            Shown::Pack(_, rule) => &rule.aliases,
            Shown::Engine => &[],
        }
    }

    /// Its Markdown page.
    fn page(&self) -> String {
        match self {
            Shown::Pack(pack, rule) => rule_page(pack, rule),
            Shown::Engine => unused_noqa_page(),
        }
    }

    /// What `rules --output-format json` says of it; `explain`: with its explanation too (`rule`).
    fn json(&self, explain: bool) -> Value {
        let mut value = match self {
            Shown::Pack(pack, rule) => json!({
                "code": rule.code,
                "aliases": rule.aliases,
                "opt_in": rule.opt_in,
                "name": rule.name,
                "pack": pack.name,
                "severity": format!("{:?}", rule.severity).to_lowercase(),
                "fix": rule.applicability.map(|a| format!("{a:?}").to_lowercase()),
                "requires": (rule.requires.iter())
                    .map(|(d, s)| (d.clone(), s.to_string()))
                    .collect::<BTreeMap<_, _>>(),
                "message": rule.message,
                "help": rule.help,
            }),
            Shown::Engine => json!({
                "code": noqa::UNUSED_NOQA,
                "aliases": [],
                "opt_in": false,
                "name": noqa::UNUSED_NOQA_NAME,
                "pack": "engine",
                "severity": "warning",
                "fix": "safe",
                "requires": {},
                "message": "unused `noqa` directive",
                "help": null,
            }),
        };
        if explain {
            let explanation = match self {
                Shown::Pack(_, rule) => rule.explain.trim(),
                Shown::Engine => noqa::UNUSED_NOQA_EXPLAIN.trim(),
            };
            value["explanation"] = Value::from(explanation);
        }
        value
    }
}

/// Every rule of `packs`, pack by pack in their order and by code within a pack (`ASY912`
/// before `ASY913`, `AIO99` before `AIO100`), then the engine's.
fn every_rule(packs: &[Pack]) -> Vec<Shown<'_>> {
    packs
        .iter()
        .flat_map(|pack| {
            let mut rules: Vec<&Rule> = pack.rules.iter().collect();
            rules.sort_by_key(|rule| code_order(&rule.code));
            rules.into_iter().map(move |rule| Shown::Pack(pack, rule))
        })
        .chain([Shown::Engine])
        .collect()
}

/// A code's place among codes: its letters, then its number as a number.
fn code_order(code: &str) -> (&str, usize, u64, &str) {
    let digits = code.trim_start_matches(|c: char| !c.is_ascii_digit());
    let letters = &code[..code.len() - digits.len()];
    (
        letters,
        digits.len(),
        digits.parse().unwrap_or(u64::MAX),
        code,
    )
}

/// `anyio-lint rule RULE` (`all`: every rule's, one page after another) in `format`.
pub(super) fn run_rule(
    query: Option<&str>,
    all: bool,
    format: ListFormat,
    args: &PackArgs,
) -> Result<u8, Failure> {
    let packs = load_packs(args)?;
    let rules = every_rule(&packs);
    let shown: Vec<Shown> = match query {
        Some(query) if !all => vec![find(&rules, query)?],
        _ => rules,
    };
    let text = match format {
        ListFormat::Text => shown.iter().map(Shown::page).collect::<Vec<_>>().join("\n"),
        ListFormat::Json => {
            let mut values: Vec<Value> = shown.iter().map(|rule| rule.json(true)).collect();
            let value = match all {
                true => Value::from(values),
                false => values.remove(0),
            };
            let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    print!("{text}");
    Ok(0)
}

/// The rule `query` names: by code or alias in any case, or by name; else an error naming the
/// closest rules.
fn find<'a>(rules: &[Shown<'a>], query: &str) -> Result<Shown<'a>, Failure> {
    let query = query.trim();
    let names = |rule: &Shown| {
        rule.code().eq_ignore_ascii_case(query)
            || rule.name().eq_ignore_ascii_case(query)
            || rule.aliases().iter().any(|a| a.eq_ignore_ascii_case(query))
    };
    if let Some(rule) = rules.iter().find(|rule| names(rule)) {
        return Ok(*rule);
    }
    let close = closest(rules, query);
    let hint = match close.as_slice() {
        [] => String::new(),
        close => {
            let listed: Vec<String> = close
                .iter()
                .map(|rule| format!("`{}` ({})", rule.code(), rule.name()))
                .collect();
            format!(": did you mean {}?", listed.join(", "))
        }
    };
    Err(Failure::Message(format!(
        "no rule has the code, alias or name `{query}`{hint} (`anyio-lint rules` lists every rule)"
    )))
}

/// At most five rules whose code, an alias or the name is close to `query` (in any case): codes
/// it starts (`AIO30` for `AIO301`), and codes, aliases and names within a few edits of it,
/// closest first.
fn closest<'a>(rules: &[Shown<'a>], query: &str) -> Vec<Shown<'a>> {
    let query = query.to_lowercase();
    let mut scored: Vec<(usize, usize, Shown)> = Vec::new();
    for (order, rule) in rules.iter().enumerate() {
        let words = [rule.code(), rule.name()]
            .into_iter()
            .chain(rule.aliases().iter().map(String::as_str));
        let best = words
            .map(|word| {
                let word = word.to_lowercase();
                if query.len() >= 3 && word.starts_with(&query) {
                    return 1;
                }
                let limit = (word.chars().count().max(query.chars().count()) / 3).max(1);
                let distance = edit_distance(&query, &word);
                if distance <= limit {
                    distance
                } else {
                    usize::MAX
                }
            })
            .min()
            .unwrap_or(usize::MAX);
        if best != usize::MAX {
            scored.push((best, order, *rule));
        }
    }
    scored.sort_by_key(|(distance, order, _)| (*distance, *order));
    scored
        .into_iter()
        .take(5)
        .map(|(_, _, rule)| rule)
        .collect()
}

/// The Levenshtein distance between `a` and `b`, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `anyio-lint rules`: every loaded rule, one line each or as JSON.
pub(super) fn run_rules(format: ListFormat, args: &PackArgs) -> Result<u8, Failure> {
    let packs = load_packs(args)?;
    let rules = every_rule(&packs);
    let text = match format {
        ListFormat::Text => rules
            .iter()
            .map(|rule| {
                let (fix, pack, opt_in) = match rule {
                    Shown::Pack(pack, rule) => (
                        rule.applicability.map(|a| fix_kind(Some(a))),
                        pack.name.as_str(),
                        rule.opt_in,
                    ),
                    Shown::Engine => (Some("safe"), "engine", false),
                };
                let fix = fix.map_or_else(|| "no fix".to_owned(), |kind| format!("{kind} fix"));
                let line = format!(
                    "{:<8} {:<40} {:<10} {pack:<24} {}",
                    rule.code(),
                    rule.name(),
                    fix,
                    if opt_in { "opt-in" } else { "" }
                );
                format!("{}\n", line.trim_end())
            })
            .collect(),
        ListFormat::Json => {
            let values: Vec<Value> = rules.iter().map(|rule| rule.json(false)).collect();
            let mut text = serde_json::to_string_pretty(&values).unwrap_or_default();
            text.push('\n');
            text
        }
    };
    print!("{text}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ordered_by_their_number() {
        let mut codes = ["ASY913", "AIO100", "ASY912", "AIO99", "AIO101"];
        codes.sort_by_key(|code| code_order(code));
        assert_eq!(codes, ["AIO99", "AIO100", "AIO101", "ASY912", "ASY913"]);
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("aio301", "aio301"), 0);
        assert_eq!(edit_distance("aio310", "aio301"), 2);
        assert_eq!(edit_distance("pack-rule", "pack-rules"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
