//! Suppression comments and the rule that reports stale ones.
//!
//! - `# noqa` on a line suppresses every finding whose *directive line* is that line;
//!   `# noqa: AIO101, ANY2` only findings whose code, or one of whose rule's aliases, starts
//!   with one of the codes.
//! - `# anyio-lint: noqa` on a line of its own suppresses every finding in the file;
//!   `# anyio-lint: noqa: CODES` the findings of those codes.
//!
//! A finding's directive line is the line it starts on, moved down to the last line of a
//! multi-line string or a backslash-continued line that it starts in, since a comment can only end
//! a line there (Ruff does the same). [`UNUSED_NOQA`] reports a code in a directive that suppressed
//! nothing, among the enabled rules (by code or alias) or the unknown codes of a loaded pack's
//! prefix; a blanket file directive that suppressed nothing; never a bare `# noqa` (flake8 and Ruff
//! read it too) nor codes of other tools that name no enabled rule's alias. Its fix removes the stale codes, or the directive when none is left.
//!
//! In a configuration file the same directives apply: in TOML a directive ends the line as in
//! Python; in INI, where the rest of a line is the value (pytest reads `x = 1  # c` as `1  # c`),
//! a line directive is a comment line of its own and covers the line below it.

use std::sync::LazyLock;

use regex::Regex;
use ruff_text_size::{Ranged, TextLen, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::config_file::{ConfigFile, Format};
use crate::analysis::tokens::TokenFacts;
use crate::base::diagnostic::{Applicability, Diagnostic, Edit, Fix, Origin, Severity};
use crate::ruleset::RuleSet;

pub use crate::base::diagnostic::{ENGINE_CODES, UNUSED_NOQA, UNUSED_NOQA_NAME};

/// One code: letters, then digits (`AIO101`, `AIO2`, `ANY`).
const CODE: &str = r"[A-Z]+[0-9]*\b";

static LINE_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"#\s*(?i:noqa)(?:\s*:\s*(?P<codes>{CODE}(?:(?:\s*,\s*|\s+){CODE})*)|\s*:|\b)"
    ))
    .expect("valid directive regex")
});

static FILE_DIRECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^#\s*anyio-lint\s*:\s*(?i:noqa)(?:\s*:\s*(?P<codes>{CODE}(?:(?:\s*,\s*|\s+){CODE})*))?\s*$"
    ))
    .expect("valid file directive regex")
});

static ONE_CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(CODE).expect("valid code regex"));

/// A suppression comment.
#[derive(Debug, Clone)]
pub struct Directive {
    /// The comment token holding it.
    pub comment: TextRange,
    /// From its `#` to the end of its last code (or of `noqa`).
    pub range: TextRange,
    pub file_level: bool,
    /// The codes and where each stands; empty for a blanket directive.
    pub codes: Vec<(String, TextRange)>,
    /// Start of the line it covers.
    pub line: TextSize,
}

/// Where comments may go: line starts, multi-line strings and comments of one parsed text.
pub struct Lines<'a> {
    source: &'a str,
    layout: Layout<'a>,
}

/// What says where a text's comments and strings are.
enum Layout<'a> {
    Python(&'a TokenFacts<'a>),
    Config(&'a ConfigFile),
}

impl<'a> Lines<'a> {
    pub fn new(source: &'a str, tokens: &'a TokenFacts<'a>) -> Self {
        Lines {
            source,
            layout: Layout::Python(tokens),
        }
    }

    /// The lines of a configuration file read as `file`.
    pub fn of_config(source: &'a str, file: &'a ConfigFile) -> Self {
        Lines {
            source,
            layout: Layout::Config(file),
        }
    }

    fn line_start(&self, offset: TextSize) -> TextSize {
        match self.layout {
            Layout::Python(tokens) => tokens.line_start(offset),
            Layout::Config(_) => {
                let before = &self.source.as_bytes()[..offset.to_usize()];
                memchr::memrchr2(b'\n', b'\r', before).map_or(TextSize::default(), |at| {
                    TextSize::try_from(at + 1).unwrap_or_default()
                })
            }
        }
    }

    /// The end of the line holding `offset` (before its line break).
    pub fn line_end(&self, offset: TextSize) -> TextSize {
        match self.layout {
            Layout::Python(tokens) => tokens.line_end(offset),
            Layout::Config(_) => {
                let after = &self.source.as_bytes()[offset.to_usize()..];
                let end = memchr::memchr2(b'\n', b'\r', after).unwrap_or(after.len());
                offset + TextSize::try_from(end).unwrap_or_default()
            }
        }
    }

    fn comments(&self) -> &[TextRange] {
        match self.layout {
            Layout::Python(tokens) => tokens.comments(),
            Layout::Config(file) => &file.comments,
        }
    }

    fn multiline_strings(&self) -> &[TextRange] {
        match self.layout {
            Layout::Python(tokens) => tokens.multiline_strings(),
            Layout::Config(file) => &file.multiline_strings,
        }
    }

    /// Whether a line directive stands on a line of its own, above the line it covers (INI).
    fn above(&self) -> bool {
        matches!(self.layout, Layout::Config(file) if file.format == Format::Ini)
    }

    /// The start of the line a directive in `comment` covers.
    fn covered_line(&self, comment: TextRange) -> TextSize {
        let line = self.line_start(comment.start());
        if !self.above() {
            return line;
        }
        let end = self.line_end(comment.start());
        self.next_line(end).unwrap_or(end)
    }

    fn next_line(&self, line_end: TextSize) -> Option<TextSize> {
        let rest = &self.source[line_end.to_usize()..];
        let skip = if rest.starts_with("\r\n") {
            2
        } else if rest.is_empty() {
            return None;
        } else {
            1
        };
        Some(line_end + TextSize::from(skip))
    }

    /// The start of the line a comment for a finding at `offset` must end.
    pub fn directive_line(&self, mut offset: TextSize) -> TextSize {
        loop {
            let end = self.line_end(offset);
            // Both lists are sorted and their ranges disjoint: only the last range starting
            // before an offset may hold it.
            let strings = self.multiline_strings();
            let before_end = strings.partition_point(|s| s.start() < end);
            if let Some(string) = before_end
                .checked_sub(1)
                .map(|at| strings[at])
                .filter(|s| end < s.end())
            {
                offset = string.end();
                continue;
            }
            let python = matches!(self.layout, Layout::Python(_));
            let continued = python && self.source[..end.to_usize()].ends_with('\\') && {
                let backslash = end - TextSize::from(1);
                let comments = self.comments();
                let up_to = comments.partition_point(|c| c.start() <= backslash);
                !up_to
                    .checked_sub(1)
                    .is_some_and(|at| comments[at].contains(backslash))
            };
            match self.next_line(end) {
                Some(next) if continued => offset = next,
                _ => return self.line_start(offset),
            }
        }
    }

    /// Every suppression directive in the comments.
    pub fn directives(&self) -> Vec<Directive> {
        let mut directives = Vec::new();
        // Most texts have none, and need not have their comments found.
        if !spells_noqa(self.source) {
            return directives;
        }
        for &comment in self.comments() {
            let text = &self.source[comment];
            // Both directives spell `noqa`; most comments do not, and need no regex.
            if !spells_noqa(text) {
                continue;
            }
            if let Some(found) = FILE_DIRECTIVE.captures(text) {
                let own_line = self.source
                    [self.line_start(comment.start()).to_usize()..comment.start().to_usize()]
                    .trim()
                    .is_empty();
                if own_line {
                    directives.push(Directive {
                        comment,
                        range: comment,
                        file_level: true,
                        codes: codes(found.name("codes"), comment.start()),
                        line: self.line_start(comment.start()),
                    });
                }
                continue;
            }
            if let Some(found) = LINE_DIRECTIVE.captures(text) {
                let whole = found.get(0).expect("match");
                let end = found.name("codes").map_or(whole.end(), |c| c.end());
                directives.push(Directive {
                    comment,
                    range: TextRange::new(
                        comment.start() + TextSize::try_from(whole.start()).unwrap_or_default(),
                        comment.start() + TextSize::try_from(end).unwrap_or_default(),
                    ),
                    file_level: false,
                    codes: codes(found.name("codes"), comment.start()),
                    line: self.covered_line(comment),
                });
            }
        }
        directives
    }
}

/// Whether `text` holds `noqa` in any case, as the directives' `(?i:noqa)` matches it: only the
/// ASCII spellings of these four letters fold to them (a test checks this against the regex).
/// It looks around each `q`, a rare letter, found by `memchr`.
fn spells_noqa(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'q', b'Q', bytes).any(|at| {
        at >= 2
            && bytes
                .get(at - 2..at + 2)
                .is_some_and(|word| word.eq_ignore_ascii_case(b"noqa"))
    })
}

fn codes(found: Option<regex::Match>, base: TextSize) -> Vec<(String, TextRange)> {
    let Some(found) = found else {
        return Vec::new();
    };
    ONE_CODE
        .find_iter(found.as_str())
        .map(|code| {
            let start = base + TextSize::try_from(found.start() + code.start()).unwrap_or_default();
            (
                code.as_str().to_owned(),
                TextRange::at(start, code.as_str().text_len()),
            )
        })
        .collect()
}

/// What became of a code of a directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Used,
    /// No enabled rule's finding matched it.
    Unused,
    /// No loaded rule has such a code, but its letters are a loaded pack's prefix.
    Unknown,
    /// Not ours (another tool's code), or ours but disabled here: never reported.
    Kept,
}

/// The codes of a line directive that suppressed nothing and that [`UNUSED_NOQA`] reports when
/// enabled (codes of enabled rules, and unknown codes of a loaded pack's prefix): `--add-noqa`
/// drops them from a directive it adds codes to ([`add_directives`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleCodes {
    /// The directive's range ([`Directive::range`]).
    pub directive: TextRange,
    pub codes: Vec<String>,
}

/// Drop the findings that directives suppress, then (when [`UNUSED_NOQA`] is enabled) report the
/// directives that suppressed nothing. Returns the stale codes of the line directives, whether
/// the rule is enabled or not.
pub fn suppress(
    rules: &RuleSet,
    lines: &Lines,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<StaleCodes> {
    let directives = lines.directives();
    let mut stale_codes = Vec::new();
    if directives.is_empty() {
        return stale_codes;
    }
    let mut used: Vec<Vec<bool>> = directives
        .iter()
        .map(|d| vec![false; d.codes.len()])
        .collect();
    let mut blanket_used = vec![false; directives.len()];
    // The directives that may suppress a finding: the file's, and those of its directive line.
    let mut file_level: Vec<usize> = Vec::new();
    let mut by_line: FxHashMap<TextSize, Vec<usize>> = FxHashMap::default();
    for (index, directive) in directives.iter().enumerate() {
        if directive.file_level {
            file_level.push(index);
        } else {
            by_line.entry(directive.line).or_default().push(index);
        }
    }
    diagnostics.retain(|diagnostic| {
        let (Origin::Rule(_), Some(code)) = (diagnostic.origin, diagnostic.code.as_deref()) else {
            return true;
        };
        let line = lines.directive_line(diagnostic.range.start());
        let on_line = by_line.get(&line).map_or(&[][..], Vec::as_slice);
        let mut suppressed = false;
        for &index in file_level.iter().chain(on_line) {
            let directive = &directives[index];
            if directive.codes.is_empty() {
                blanket_used[index] = true;
                suppressed = true;
            }
            for (slot, (prefix, _)) in directive.codes.iter().enumerate() {
                let names_rule = code.starts_with(prefix.as_str())
                    || (diagnostic.aliases.iter()).any(|alias| alias.starts_with(prefix.as_str()));
                if names_rule {
                    used[index][slot] = true;
                    suppressed = true;
                }
            }
        }
        !suppressed
    });
    let reports = rules.reports_unused_noqa();
    for (index, directive) in directives.iter().enumerate() {
        if directive
            .codes
            .iter()
            .any(|(code, _)| UNUSED_NOQA.starts_with(code.as_str()))
        {
            continue;
        }
        if directive.codes.is_empty() {
            if reports && directive.file_level && !blanket_used[index] {
                diagnostics.push(unused(
                    lines,
                    directive,
                    &[],
                    "unused blanket `anyio-lint: noqa` directive".to_owned(),
                ));
            }
            continue;
        }
        let uses: Vec<Use> = directive
            .codes
            .iter()
            .zip(&used[index])
            .map(|((code, _), &used)| {
                if used {
                    Use::Used
                } else {
                    classify(rules, code)
                }
            })
            .collect();
        let describe = |kind: Use, word: &str| {
            let listed: Vec<String> = directive
                .codes
                .iter()
                .zip(&uses)
                .filter(|(_, u)| **u == kind)
                .map(|((code, _), _)| format!("`{code}`"))
                .collect();
            (!listed.is_empty()).then(|| format!("{word}: {}", listed.join(", ")))
        };
        let parts: Vec<String> = [
            describe(Use::Unused, "unused"),
            describe(Use::Unknown, "unknown"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            continue;
        }
        let stale: Vec<bool> = uses
            .iter()
            .map(|u| matches!(u, Use::Unused | Use::Unknown))
            .collect();
        if !directive.file_level {
            stale_codes.push(StaleCodes {
                directive: directive.range,
                codes: (directive.codes.iter().zip(&stale))
                    .filter(|(_, stale)| **stale)
                    .map(|((code, _), _)| code.clone())
                    .collect(),
            });
        }
        if !reports {
            continue;
        }
        diagnostics.push(unused(
            lines,
            directive,
            &stale,
            format!("unused `noqa` directive ({})", parts.join("; ")),
        ));
    }
    if !rules.unused_noqa_fixable() {
        for diagnostic in diagnostics.iter_mut() {
            if diagnostic.origin == Origin::Suppression {
                diagnostic.fix = None;
            }
        }
    }
    if reports {
        diagnostics.sort_by_key(|d| (d.range.start(), d.range.end()));
    }
    stale_codes
}

fn classify(rules: &RuleSet, code: &str) -> Use {
    let letters = code.trim_end_matches(|c: char| c.is_ascii_digit());
    let ours =
        rules.pack_prefixes().any(|prefix| letters == prefix) || UNUSED_NOQA.starts_with(code);
    if !ours {
        // Another tool's code: stale only where it names an enabled rule's alias, as the rule's
        // own code would be.
        let names_alias = |alias: &str| {
            alias.starts_with(code)
                && alias.trim_end_matches(|c: char| c.is_ascii_digit()) == letters
        };
        return if rules.enabled_aliases().any(names_alias) {
            Use::Unused
        } else {
            Use::Kept
        };
    }
    if rules.enabled_codes().any(|c| c.starts_with(code)) {
        Use::Unused
    } else if rules.loaded_codes().any(|c| c.starts_with(code)) {
        Use::Kept
    } else {
        Use::Unknown
    }
}

/// The [`UNUSED_NOQA`] finding for `directive`, whose codes flagged in `stale` (all, when empty)
/// are to go.
fn unused(lines: &Lines, directive: &Directive, stale: &[bool], message: String) -> Diagnostic {
    let keep: Vec<&str> = directive
        .codes
        .iter()
        .zip(stale)
        .filter(|(_, stale)| !**stale)
        .map(|((code, _), _)| code.as_str())
        .collect();
    let (edit, title) = if keep.is_empty() {
        (
            remove_directive(lines, directive),
            "Remove the unused suppression",
        )
    } else {
        let first = directive.codes[0].1.start();
        let last = directive.codes[directive.codes.len() - 1].1.end();
        (
            Edit::replace(TextRange::new(first, last), keep.join(", ")),
            "Remove the unused codes",
        )
    };
    Diagnostic {
        origin: Origin::Suppression,
        code: Some(UNUSED_NOQA.to_owned()),
        aliases: Vec::new(),
        name: Some(UNUSED_NOQA_NAME.to_owned()),
        message,
        severity: Severity::Warning,
        range: directive.range,
        help: None,
        fix: Some(Fix {
            applicability: Applicability::Safe,
            edits: vec![edit],
            title: title.to_owned(),
        }),
        url: None,
    }
}

/// The edit removing a directive: its whole line when the comment stands alone and is only the
/// directive, the comment and the blanks before it when it ends a line of code, or just the
/// directive when the comment says more.
fn remove_directive(lines: &Lines, directive: &Directive) -> Edit {
    let source = lines.source;
    let comment = directive.comment;
    let after = source[directive.range.end().to_usize()..comment.end().to_usize()].trim();
    let line = lines.line_start(comment.start());
    let before_text = &source[line.to_usize()..directive.range.start().to_usize()];
    let blanks = before_text.len() - before_text.trim_end_matches([' ', '\t']).len();
    let from = directive.range.start() - TextSize::try_from(blanks).unwrap_or_default();
    if !after.is_empty() {
        if directive.range.start() == comment.start() {
            // `# noqa: X  explanation` keeps `# explanation`.
            let rest = source[directive.range.end().to_usize()..].len()
                - source[directive.range.end().to_usize()..]
                    .trim_start_matches([' ', '\t'])
                    .len();
            return Edit::replace(
                TextRange::new(
                    directive.range.start(),
                    directive.range.end() + TextSize::try_from(rest).unwrap_or_default(),
                ),
                "# ",
            );
        }
        return Edit::delete(TextRange::new(from, directive.range.end()));
    }
    if before_text.trim().is_empty() {
        let end = lines.line_end(comment.end());
        let end = lines.next_line(end).unwrap_or(end);
        return Edit::delete(TextRange::new(line, end));
    }
    Edit::delete(TextRange::new(from, comment.end()))
}

/// Suppress every finding of `diagnostics` (rule findings only) by adding its code to a `# noqa`
/// directive on its directive line: a new one at the line's end, or the line's existing one, whose
/// codes listed in `stale` (what [`suppress`] returned) go, as the unused-suppression rule would
/// have them go. Returns the edits and the number of lines changed.
pub fn add_directives(
    lines: &Lines,
    diagnostics: &[Diagnostic],
    stale: &[StaleCodes],
) -> (Vec<Edit>, usize) {
    let mut by_line: std::collections::BTreeMap<TextSize, Vec<String>> = Default::default();
    for diagnostic in diagnostics {
        if let (Origin::Rule(_), Some(code)) = (diagnostic.origin, &diagnostic.code) {
            let codes = by_line
                .entry(lines.directive_line(diagnostic.range.start()))
                .or_default();
            if !codes.contains(code) {
                codes.push(code.clone());
            }
        }
    }
    let existing = lines.directives();
    // The first line directive of each line.
    let mut first_on_line: FxHashMap<TextSize, &Directive> = FxHashMap::default();
    for directive in existing.iter().filter(|d| !d.file_level) {
        first_on_line.entry(directive.line).or_insert(directive);
    }
    let mut edits = Vec::new();
    for (line, mut codes) in by_line {
        codes.sort();
        match first_on_line.get(&line).copied() {
            Some(directive) if directive.codes.is_empty() => continue,
            Some(directive) => {
                let missing: Vec<String> = codes
                    .into_iter()
                    .filter(|c| {
                        !directive
                            .codes
                            .iter()
                            .any(|(have, _)| c.starts_with(have.as_str()))
                    })
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let stale = (stale.iter())
                    .find(|s| s.directive == directive.range)
                    .map_or(&[][..], |s| s.codes.as_slice());
                let last = directive.codes[directive.codes.len() - 1].1.end();
                if stale.is_empty() {
                    edits.push(Edit::insert(last, format!(", {}", missing.join(", "))));
                    continue;
                }
                let kept = (directive.codes.iter())
                    .map(|(code, _)| code)
                    .filter(|code| !stale.contains(code));
                let codes: Vec<&str> = kept.chain(&missing).map(String::as_str).collect();
                let first = directive.codes[0].1.start();
                edits.push(Edit::replace(TextRange::new(first, last), codes.join(", ")));
            }
            None if lines.above() => {
                let end = lines.line_end(line);
                let newline = if lines.source[end.to_usize()..].starts_with("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                edits.push(Edit::insert(
                    line,
                    format!("# noqa: {}{newline}", codes.join(", ")),
                ));
            }
            None => {
                let end = lines.line_end(line);
                let content = &lines.source[line.to_usize()..end.to_usize()];
                let trimmed = content.trim_end_matches([' ', '\t']).len();
                let at = line + TextSize::try_from(trimmed).unwrap_or_default();
                edits.push(Edit::insert(at, format!("  # noqa: {}", codes.join(", "))));
            }
        }
    }
    let count = edits.len();
    (edits, count)
}

/// The fixes of the [`UNUSED_NOQA`] findings among `diagnostics` for directives on lines without
/// a rule finding (those [`add_directives`] leaves alone): with them, `--add-noqa` leaves nothing
/// for the next check to report. The findings the rule's settings keep from fixing (it is
/// unfixable) give none.
pub fn stale_directive_edits(lines: &Lines, diagnostics: &[Diagnostic]) -> Vec<Edit> {
    let finding_lines: FxHashSet<TextSize> = diagnostics
        .iter()
        .filter(|d| matches!(d.origin, Origin::Rule(_)) && d.code.is_some())
        .map(|d| lines.directive_line(d.range.start()))
        .collect();
    let directives = lines.directives();
    diagnostics
        .iter()
        .filter(|d| d.origin == Origin::Suppression)
        .filter(|d| {
            let directive = directives.iter().find(|x| x.range == d.range);
            directive.is_none_or(|x| x.file_level || !finding_lines.contains(&x.line))
        })
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|fix| fix.edits.iter().cloned())
        .collect()
}

/// What [`UNUSED_NOQA`] does and why, in the sections of the packs' `explain` (the rule's page
/// adds its header above).
pub const UNUSED_NOQA_EXPLAIN: &str = "## What it does
Reports a suppression comment that suppresses nothing: a code in `# noqa: CODES` or in
`# anyio-lint: noqa: CODES` that matched no finding, a code that no loaded rule has although its
letters are a loaded pack's prefix (a typo, or a rule that was renamed), and a blanket
`# anyio-lint: noqa` in a file with no findings.

## Why is this bad?
A stale suppression hides the next real finding on its line. During a migration most suppressions
mark code still to be ported; once it is ported, the comment should go too.

## Example
```python
# The call this suppressed was ported; the directive stayed.
total = compute(items)  # noqa: AIO101
```

## Use instead
```python
total = compute(items)
```

## Fix safety
Safe: the fix removes only the stale codes, or the whole directive when no code is left; a comment
that says more than the directive keeps its text.

## What it leaves alone
- A bare `# noqa`: flake8 and Ruff read it too, so it may suppress their findings.
- Codes of other tools (`E501`, `F401`): their letters are no loaded pack's prefix. A code that
  is an enabled rule's alias (another tool's code for the same check) counts as the rule's own
  code, and is reported when it suppressed nothing.
- Codes of rules that are loaded but disabled for the file (by `select`, `ignore`,
  `per-file-ignores` or `versions`): they may be enabled elsewhere.
- A directive that lists `NQA100` itself (or a prefix of it).
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_forms() {
        let codes_of = |text: &str| {
            LINE_DIRECTIVE.captures(text).map(|c| {
                codes(c.name("codes"), TextSize::default())
                    .into_iter()
                    .map(|c| c.0)
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(codes_of("# noqa"), Some(vec![]));
        assert_eq!(
            codes_of("# NOQA:AIO101,AIO2"),
            Some(vec!["AIO101".into(), "AIO2".into()])
        );
        assert_eq!(
            codes_of("# noqa: AIO101 because of X"),
            Some(vec!["AIO101".into()])
        );
        assert_eq!(
            codes_of("# type: ignore  # noqa: E501"),
            Some(vec!["E501".into()])
        );
        assert_eq!(codes_of("# noqaxyz"), None);
        assert!(FILE_DIRECTIVE.is_match("# anyio-lint: noqa"));
        assert!(FILE_DIRECTIVE.is_match("#anyio-lint:noqa: AIO1, ANY"));
        assert!(!FILE_DIRECTIVE.is_match("# anyio-lint: noqa because"));
    }

    #[test]
    fn only_a_comment_spelling_noqa_can_hold_a_directive() {
        // `spells_noqa` stands in front of both regexes: every character their case-insensitive
        // `noqa` accepts must be one it accepts.
        let letter = Regex::new("^(?i:[noqa])$").expect("valid");
        let mut buffer = [0u8; 4];
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if letter.is_match(c.encode_utf8(&mut buffer)) {
                assert!(c.is_ascii(), "{c:?} folds to a letter of `noqa`");
            }
        }
        for comment in ["# NoQa: AIO1", "#noqa", "# anyio-lint: NOQA", "# x  # nOqA"] {
            assert!(spells_noqa(comment), "{comment}");
            assert!(LINE_DIRECTIVE.is_match(comment) || FILE_DIRECTIVE.is_match(comment));
        }
        assert!(spells_noqa("noqa") && spells_noqa("NOQA") && spells_noqa("q = 1  # noqa"));
        for other in ["# no qa", "# nqa", "q", "qa", "oq", "# noq", "# oqa"] {
            assert!(!spells_noqa(other), "{other}");
        }
    }
}
