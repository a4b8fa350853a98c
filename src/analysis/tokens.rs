//! What a parsed text's tokens say about where line-based edits may go: its multi-line strings
//! and its comments; and where its lines start.
//!
//! Most files need none of it (a file without `noqa` has no directive to read, a file without a
//! multi-line fix has no line to re-indent), so [`TokenFacts`] finds the strings and comments in
//! one pass over the tokens the first time either is asked for. The line holding an offset is
//! found by looking a little way around it for a line break, or, on a long line, among the line
//! starts, found in one pass over the text the first time: asking for the lines of many findings
//! takes time linear in their number, however long the lines.

use std::cell::OnceCell;

use ruff_python_ast::ModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};

/// The multi-line strings and comments of one parsed text, found on first use.
pub struct TokenFacts<'a> {
    parsed: &'a Parsed<ModModule>,
    source: &'a str,
    found: OnceCell<Found>,
    /// The offset after every `\n` and every `\r`, in order; found the first time a line break
    /// is further than [`NEAR`] bytes away.
    line_starts: OnceCell<Vec<TextSize>>,
}

/// How far from an offset a line break is looked for directly: most lines are shorter, and a
/// longer line is looked up among the line starts.
const NEAR: usize = 256;

#[derive(Default)]
struct Found {
    multiline_strings: Vec<TextRange>,
    comments: Vec<TextRange>,
}

impl<'a> TokenFacts<'a> {
    /// The facts of `source`, parsed as `parsed`.
    pub fn new(parsed: &'a Parsed<ModModule>, source: &'a str) -> Self {
        TokenFacts {
            parsed,
            source,
            found: OnceCell::new(),
            line_starts: OnceCell::new(),
        }
    }

    /// The start of the line holding `offset`: just after the last `\n` or `\r` before it.
    pub fn line_start(&self, offset: TextSize) -> TextSize {
        let at = offset.to_usize();
        let near = &self.source.as_bytes()[at.saturating_sub(NEAR)..at];
        match memchr::memrchr2(b'\n', b'\r', near) {
            Some(found) => {
                return offset - TextSize::try_from(near.len() - found - 1).unwrap_or_default();
            }
            None if near.len() == at => return TextSize::default(),
            None => {}
        }
        let starts = self.line_starts();
        let after = starts.partition_point(|&start| start <= offset);
        after
            .checked_sub(1)
            .map_or(TextSize::default(), |at| starts[at])
    }

    /// The end of the line holding `offset`: the first `\n` or `\r` at or after it, else the end
    /// of the text.
    pub fn line_end(&self, offset: TextSize) -> TextSize {
        let at = offset.to_usize();
        let near = &self.source.as_bytes()[at..(at + NEAR).min(self.source.len())];
        match memchr::memchr2(b'\n', b'\r', near) {
            Some(found) => return offset + TextSize::try_from(found).unwrap_or_default(),
            None if at + near.len() == self.source.len() => {
                return TextSize::try_from(self.source.len()).unwrap_or_default();
            }
            None => {}
        }
        let starts = self.line_starts();
        let next = starts.partition_point(|&start| start <= offset);
        starts.get(next).map_or_else(
            || TextSize::try_from(self.source.len()).unwrap_or_default(),
            |&start| start - TextSize::from(1),
        )
    }

    fn line_starts(&self) -> &[TextSize] {
        self.line_starts.get_or_init(|| {
            memchr::memchr2_iter(b'\n', b'\r', self.source.as_bytes())
                .map(|at| TextSize::try_from(at + 1).unwrap_or_default())
                .collect()
        })
    }

    /// The string tokens (or the literal parts of f- and t-strings) that span lines, in order.
    pub fn multiline_strings(&self) -> &[TextRange] {
        &self.found().multiline_strings
    }

    /// The comment tokens, in order.
    pub fn comments(&self) -> &[TextRange] {
        &self.found().comments
    }

    fn found(&self) -> &Found {
        self.found.get_or_init(|| {
            let mut found = Found::default();
            for token in self.parsed.tokens() {
                match token.kind() {
                    TokenKind::Comment => found.comments.push(token.range()),
                    TokenKind::String | TokenKind::FStringMiddle | TokenKind::TStringMiddle
                        if self.source[token.range()].contains('\n') =>
                    {
                        found.multiline_strings.push(token.range());
                    }
                    _ => {}
                }
            }
            found
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_span_lines_and_comments_are_found() {
        let source = "x = '''a\nb'''  # one\ny = 'c'\nz = f\"\"\"{x}\nd\"\"\"\n# two\n";
        let parsed = crate::analysis::parse::parse(source);
        let facts = TokenFacts::new(&parsed, source);
        let spelled =
            |ranges: &[TextRange]| -> Vec<&str> { ranges.iter().map(|r| &source[*r]).collect() };
        assert_eq!(spelled(facts.comments()), ["# one", "# two"]);
        assert_eq!(spelled(facts.multiline_strings()), ["'''a\nb'''", "\nd"]);
    }

    #[test]
    fn lines_are_found_as_a_scan_of_the_text_finds_them() {
        let long = format!("x = '{}'", "y".repeat(2 * NEAR));
        let source = format!("a = 1\r\nb = 2\rc = 3\n\n  d = 4\n{long}\n{long}\r\n{long}");
        let source = source.as_str();
        let parsed = crate::analysis::parse::parse(source);
        let facts = TokenFacts::new(&parsed, source);
        for offset in 0..=source.len() {
            let start = source[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let end = source[offset..]
                .find(['\n', '\r'])
                .map_or(source.len(), |i| offset + i);
            let at = TextSize::try_from(offset).expect("small");
            assert_eq!(facts.line_start(at).to_usize(), start, "start at {offset}");
            assert_eq!(facts.line_end(at).to_usize(), end, "end at {offset}");
        }
    }
}
