//! What a parsed text's tokens say about where line-based edits may go: its multi-line strings
//! and its comments.
//!
//! Most files need neither (a file without `noqa` has no directive to read, a file without a
//! multi-line fix has no line to re-indent), so [`TokenFacts`] finds both in one pass over the
//! tokens the first time either is asked for.

use std::cell::OnceCell;

use ruff_python_ast::ModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange};

/// The multi-line strings and comments of one parsed text, found on first use.
pub struct TokenFacts<'a> {
    parsed: &'a Parsed<ModModule>,
    source: &'a str,
    found: OnceCell<Found>,
}

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
        }
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
        let parsed = crate::check::parse(source);
        let facts = TokenFacts::new(&parsed, source);
        let spelled =
            |ranges: &[TextRange]| -> Vec<&str> { ranges.iter().map(|r| &source[*r]).collect() };
        assert_eq!(spelled(facts.comments()), ["# one", "# two"]);
        assert_eq!(spelled(facts.multiline_strings()), ["'''a\nb'''", "\nd"]);
    }
}
