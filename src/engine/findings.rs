//! Findings: what a match says (its message and help with the captures filled in, its fix), and
//! which findings of a file are kept ([`finish`]: duplicates, covered fallbacks and fallbacks
//! nested in another go).

use ruff_python_ast::AnyNodeRef;
use ruff_text_size::{TextRange, TextSize};
use rustc_hash::FxHashSet;

use crate::analysis::uses::Unsupported;
use crate::base::diagnostic::{Diagnostic, Origin};
use crate::fix::render::{Bindings, Renderer};
use crate::pattern::matcher::{Capture, Env};
use crate::pattern::metavar::{self, Piece};
use crate::ruleset::{RuleRef, RuleSet};

/// The finding of `rule_ref` at `range` with `bindings`, its fix rendered by `fixes` unless the
/// rule's fixes are switched off for this file or not fixable in this run (`unfixable`).
pub(super) fn finding<'t>(
    rules: &RuleSet,
    fixes: &mut Renderer<'t>,
    rule_ref: RuleRef,
    range: TextRange,
    node: Option<AnyNodeRef<'t>>,
    bindings: &Bindings<'_, 't>,
    blocked: Option<&Unsupported>,
) -> Diagnostic {
    let pack = rules.pack(rule_ref);
    let rule = rules.rule(rule_ref);
    let env = &bindings.env;
    let source = fixes.source;
    let fix = if fixes.disabled.contains(&rule_ref) || blocked.is_some() || !rules.fixable(rule_ref)
    {
        None
    } else {
        let applicability = rules.applicability(rule_ref);
        rule.fix.as_ref().and_then(|_| {
            fixes.render((rule_ref, pack, rule), applicability, range, node, bindings)
        })
    };
    Diagnostic {
        origin: Origin::Rule(rule_ref),
        code: Some(rule.code.clone()),
        aliases: rule.aliases.clone(),
        name: Some(rule.name.clone()),
        message: interpolate(&rule.message, env, source),
        severity: rule.severity,
        range,
        help: with_blocked(
            rule.help.as_ref().map(|h| interpolate(h, env, source)),
            blocked,
            source,
        ),
        fix,
        url: rule.url.clone(),
    }
}

/// The help, followed by why the fix is withheld when a use of the value blocks it.
fn with_blocked(
    help: Option<String>,
    blocked: Option<&Unsupported>,
    source: &str,
) -> Option<String> {
    let Some(blocked) = blocked else {
        return help;
    };
    let line = source[..blocked.range.start().to_usize()]
        .matches('\n')
        .count()
        + 1;
    let text = interpolate_with("$USE", |_| &source[blocked.range]);
    let reason = format!("no fix: `{text}` at line {line} {}", blocked.reason);
    Some(match help {
        Some(help) => format!("{help}; {reason}"),
        None => reason,
    })
}

/// Replace `$X` in a message with the capture's text: on one line, words single-spaced, cut to
/// 57 characters and `...` when longer than 60 (a text a condition bound is written whole).
fn interpolate<'s>(text: &str, env: &'s Env<'_, '_>, source: &'s str) -> String {
    interpolate_spelled(text, |name| match env.get(name) {
        Some(Capture::Text(made)) => (&**made, true),
        captured => (
            captured.and_then(Capture::span).map_or("", |s| &source[s]),
            false,
        ),
    })
}

/// [`interpolate`] with the text of each metavariable given by `captured`.
pub(super) fn interpolate_with<'s>(text: &str, captured: impl Fn(&str) -> &'s str) -> String {
    interpolate_spelled(text, |name| (captured(name), false))
}

/// Fill in each metavariable with its text and whether it is written whole (else on one line,
/// cut when long).
fn interpolate_spelled<'s>(text: &str, captured: impl Fn(&str) -> (&'s str, bool)) -> String {
    let Ok(pieces) = metavar::split(text) else {
        return text.to_owned();
    };
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var { name, .. } => {
                let (captured, whole) = captured(name);
                if whole {
                    out.push_str(captured);
                    continue;
                }
                // On one line, words single-spaced; over 60 characters, cut to 57 and `...`.
                let start = out.len();
                for (index, word) in captured.split_whitespace().enumerate() {
                    if index > 0 {
                        out.push(' ');
                    }
                    out.push_str(word);
                }
                let mut chars = out[start..].char_indices().map(|(at, _)| start + at);
                if let Some(cut) = chars.nth(57)
                    && chars.nth(2).is_some()
                {
                    out.truncate(cut);
                    out.push_str("...");
                }
            }
        }
    }
    out
}

/// Remove duplicates and fallback findings covered by a non-fallback finding (of any pack),
/// repeating the range of another fallback finding, or nested inside one; sort.
pub(super) fn finish(rules: &RuleSet, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.range.start(), &a.code, a.range.end()).cmp(&(b.range.start(), &b.code, b.range.end()))
    });
    diagnostics.dedup_by(|a, b| a.code == b.code && a.range == b.range);
    // Primary ranges by start, with the furthest end reached so far: a range is covered when some
    // primary range starting at or before it ends at or after it.
    let mut primary: Vec<(TextSize, TextSize)> = diagnostics
        .iter()
        .filter_map(|d| match d.origin {
            Origin::Rule(r) if !rules.rule(r).fallback => Some((d.range.start(), d.range.end())),
            _ => None,
        })
        .collect();
    primary.sort();
    let mut furthest = TextSize::default();
    for (_, end) in &mut primary {
        furthest = furthest.max(*end);
        *end = furthest;
    }
    let covered = |range: TextRange| {
        let before = primary.partition_point(|(start, _)| *start <= range.start());
        before > 0 && primary[before - 1].1 >= range.end()
    };
    let mut fallback_ranges: FxHashSet<TextRange> = FxHashSet::default();
    diagnostics.retain(|d| match d.origin {
        Origin::Rule(r) if rules.rule(r).fallback => {
            let shown = !covered(d.range) && !fallback_ranges.contains(&d.range);
            fallback_ranges.insert(d.range);
            shown
        }
        _ => true,
    });
    // Of fallbacks nested in one another, the outermost tells the problem.
    let mut outer: Vec<TextRange> = fallback_ranges.into_iter().collect();
    outer.sort_by_key(|range| (range.start(), std::cmp::Reverse(range.end())));
    let nested: FxHashSet<TextRange> = outer
        .iter()
        .scan(TextSize::default(), |furthest, range| {
            let inside = range.end() <= *furthest;
            *furthest = (*furthest).max(range.end());
            Some((*range, inside))
        })
        .filter_map(|(range, inside)| inside.then_some(range))
        .collect();
    if !nested.is_empty() {
        diagnostics.retain(|d| match d.origin {
            Origin::Rule(r) if rules.rule(r).fallback => !nested.contains(&d.range),
            _ => true,
        });
    }
}
