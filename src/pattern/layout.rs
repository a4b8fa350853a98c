//! How a bracketed list is written: its brackets, its items (each with the parentheses around
//! it) and what stands between them, read from the tokens. Fix templates use it to keep the line
//! breaks, trailing commas and comments of the argument lists they paste.

use std::ops::Range;

use ruff_python_ast::token::{Token, TokenKind};
use ruff_text_size::{Ranged, TextRange, TextSize};

/// A bracketed, comma-separated list: a call's arguments, a list, tuple, set or subscript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListLayout {
    /// The opening bracket.
    pub open: TextRange,
    /// The closing bracket.
    pub close: TextRange,
    /// Each item, from its first token to its last (parentheses around it included).
    pub items: Vec<TextRange>,
}

fn opens(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace)
}

fn closes(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace)
}

fn significant(kind: TokenKind) -> bool {
    !matches!(
        kind,
        TokenKind::Comment | TokenKind::NonLogicalNewline | TokenKind::Newline
    )
}

impl ListLayout {
    /// The list whose opening bracket is `tokens[open]`.
    pub fn at(tokens: &[Token], open: usize) -> Option<ListLayout> {
        let open_token = tokens.get(open)?;
        if !opens(open_token.kind()) {
            return None;
        }
        let mut items = Vec::new();
        let mut item: Option<TextRange> = None;
        let mut depth = 0usize;
        let mut lambda_parameters = false;
        for token in &tokens[open + 1..] {
            let kind = token.kind();
            if depth == 0 {
                if closes(kind) {
                    items.extend(item);
                    return Some(ListLayout {
                        open: open_token.range(),
                        close: token.range(),
                        items,
                    });
                }
                match kind {
                    // A lambda's parameters are separated by commas too.
                    TokenKind::Lambda => lambda_parameters = true,
                    TokenKind::Colon if lambda_parameters => lambda_parameters = false,
                    TokenKind::Comma if !lambda_parameters => {
                        items.push(item.take()?);
                        continue;
                    }
                    _ => {}
                }
            }
            if opens(kind) {
                depth += 1;
            } else if closes(kind) {
                depth -= 1;
            }
            if significant(kind) {
                item = Some(match item {
                    Some(range) => TextRange::new(range.start(), token.end()),
                    None => token.range(),
                });
            }
        }
        None
    }

    /// The list `ranges` (the nodes of a capture, in order) are items of, with the items they
    /// are: consecutive, each node one item (in parentheses or not).
    pub fn around(tokens: &[Token], ranges: &[TextRange]) -> Option<(ListLayout, Range<usize>)> {
        let first = ranges.first()?;
        let mut at = tokens.partition_point(|token| token.start() < first.start());
        let open = loop {
            let open = enclosing(tokens, at)?;
            // Parentheses around the first node alone are part of its item: look further out.
            let around_it = tokens[open].kind() == TokenKind::Lpar
                && !(open > 0 && precedes_arguments(tokens[open - 1].kind()))
                && ListLayout::at(tokens, open).is_some_and(|inner| {
                    inner.items.len() == 1
                        && inner.items[0].contains_range(*first)
                        && !inner.trailing_comma_in(tokens)
                });
            if !around_it {
                break open;
            }
            at = open;
        };
        // A replacement field of an f-string or t-string is no list.
        if open > 0
            && matches!(
                tokens[open - 1].kind(),
                TokenKind::FStringStart
                    | TokenKind::FStringMiddle
                    | TokenKind::TStringStart
                    | TokenKind::TStringMiddle
            )
        {
            return None;
        }
        let layout = ListLayout::at(tokens, open)?;
        let start = layout
            .items
            .iter()
            .position(|item| item.contains_range(*first))?;
        let fits = ranges.iter().enumerate().all(|(offset, range)| {
            layout
                .items
                .get(start + offset)
                .is_some_and(|item| is_item(tokens, *item, *range))
        });
        fits.then(|| (layout, start..start + ranges.len()))
    }

    /// Whether a line break stands between the brackets outside the items (`f(\n    a,\n)`,
    /// `f(a,\n  b)`), not only inside one (`f(g(\n    a,\n))`).
    pub fn is_broken(&self, source: &str) -> bool {
        let mut at = self.open.end();
        for item in &self.items {
            if source[TextRange::new(at, item.start())].contains(['\n', '\r']) {
                return true;
            }
            at = item.end();
        }
        source[TextRange::new(at, self.close.start())].contains(['\n', '\r'])
    }

    /// Whether a comma token follows the last item.
    fn trailing_comma_in(&self, tokens: &[Token]) -> bool {
        self.items.last().is_some_and(|last| {
            let from = tokens.partition_point(|token| token.start() < last.end());
            let to = tokens.partition_point(|token| token.start() < self.close.start());
            tokens[from..to]
                .iter()
                .any(|t| t.kind() == TokenKind::Comma)
        })
    }

    /// Whether a comma follows the last item.
    pub fn trailing_comma(&self, source: &str) -> bool {
        self.items.last().is_some_and(|last| {
            source[TextRange::new(last.end(), self.close.start())].contains(',')
        })
    }

    /// Where the text of items `range` starts: the own-line comments right above the first, else
    /// the first. A comment on the line of the separator before it belongs to the item before.
    pub fn leading_comments(
        &self,
        tokens: &[Token],
        source: &str,
        range: &Range<usize>,
    ) -> TextSize {
        let first = self.items[range.start];
        let after = match range.start {
            0 => self.open.end(),
            n => self.items[n - 1].end(),
        };
        let from = tokens.partition_point(|token| token.start() < after);
        let to = tokens.partition_point(|token| token.start() < first.start());
        tokens[from..to]
            .iter()
            .filter(|token| token.kind() == TokenKind::Comment)
            .find(|comment| {
                let before = &source[TextRange::new(after, comment.start())];
                before.contains(['\n', '\r'])
            })
            .map_or(first.start(), Ranged::start)
    }

    /// What follows item `index` on its line: its comma, and a comment after it (as the source
    /// spells it, from the end of the item or the comma). `None` when no comment follows.
    pub fn trailing_comment<'s>(
        &self,
        tokens: &[Token],
        source: &'s str,
        index: usize,
    ) -> Option<&'s str> {
        let item = self.items[index];
        let at = tokens.partition_point(|token| token.start() < item.end());
        let mut from = item.end();
        for token in &tokens[at..] {
            match token.kind() {
                TokenKind::Comma => from = token.end(),
                TokenKind::Comment => return Some(&source[TextRange::new(from, token.end())]),
                _ => return None,
            }
        }
        None
    }
}

/// The index of the bracket that opens the innermost brackets around the token at `at` (`None`
/// when it is in none: a logical line ends first).
fn enclosing(tokens: &[Token], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    for index in (0..at).rev() {
        let kind = tokens[index].kind();
        if closes(kind) {
            depth += 1;
        } else if opens(kind) {
            if depth == 0 {
                return Some(index);
            }
            depth -= 1;
        } else if kind == TokenKind::Newline {
            return None;
        }
    }
    None
}

/// Whether a `(` after a token of this kind opens a call's arguments (after a name, a call, a
/// subscript or a string), not parentheses around an expression.
fn precedes_arguments(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Name
            | TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::String
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd
    )
}

/// Whether the item `item` is the node at `node`, in parentheses or not: only `(` stand before
/// the node in it and only `)` after (comments and line breaks aside).
fn is_item(tokens: &[Token], item: TextRange, node: TextRange) -> bool {
    if !item.contains_range(node) {
        return false;
    }
    let from = tokens.partition_point(|token| token.start() < item.start());
    let to = tokens.partition_point(|token| token.start() < item.end());
    tokens[from..to]
        .iter()
        .filter(|token| !node.contains_range(token.range()))
        .all(|token| match token.kind() {
            TokenKind::Comment | TokenKind::NonLogicalNewline => true,
            TokenKind::Lpar => token.end() <= node.start(),
            TokenKind::Rpar => token.start() >= node.end(),
            _ => false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::parse::parse;

    fn layout(source: &str, needles: &[&str]) -> Option<(Vec<String>, Range<usize>, bool)> {
        let parsed = parse(source);
        let ranges: Vec<TextRange> = needles
            .iter()
            .map(|needle| {
                let at = source.find(needle).expect("needle");
                TextRange::new(
                    TextSize::try_from(at).unwrap(),
                    TextSize::try_from(at + needle.len()).unwrap(),
                )
            })
            .collect();
        let (layout, items) = ListLayout::around(parsed.tokens(), &ranges)?;
        let texts = layout.items.iter().map(|r| source[*r].to_owned()).collect();
        Some((texts, items, layout.is_broken(source)))
    }

    #[test]
    fn items_are_read_with_their_parentheses() {
        let (items, range, broken) = layout("f(a, (b), c=[1, 2])\n", &["b"]).unwrap();
        assert_eq!(items, ["a", "(b)", "c=[1, 2]"]);
        assert_eq!(range, 1..2);
        assert!(!broken);
        let (items, range, _) = layout("f(lambda x, y: x, z)\n", &["z"]).unwrap();
        assert_eq!(items, ["lambda x, y: x", "z"]);
        assert_eq!(range, 1..2);
        // Not an item: part of one.
        assert_eq!(layout("f(a.b, c)\n", &["a"]), None);
        assert_eq!(layout("f(a(), c)\n", &["a"]), None);
        // Not in brackets.
        assert_eq!(layout("x = a\n", &["a"]), None);
    }

    #[test]
    fn a_list_is_broken_by_line_breaks_between_its_items_only() {
        let source = "f(\n    a,  # one\n    # two\n    b,\n)\n";
        let (items, _, broken) = layout(source, &["a", "b"]).unwrap();
        assert_eq!(items, ["a", "b"]);
        assert!(broken);
        let (_, _, broken) = layout("f(g(\n    a,\n))\n", &["g(\n    a,\n)"]).unwrap();
        assert!(!broken);
        let parsed = parse(source);
        let b = TextSize::try_from(source.find('b').unwrap()).unwrap();
        let (layout, range) =
            ListLayout::around(parsed.tokens(), &[TextRange::new(b, b + TextSize::new(1))])
                .unwrap();
        assert_eq!(range, 1..2);
        assert_eq!(
            &source[TextRange::new(
                layout.leading_comments(parsed.tokens(), source, &range),
                layout.items[1].end()
            )],
            "# two\n    b"
        );
        assert_eq!(
            layout.trailing_comment(parsed.tokens(), source, 0),
            Some("  # one")
        );
        assert_eq!(layout.trailing_comment(parsed.tokens(), source, 1), None);
        assert!(layout.trailing_comma(source));
    }

    #[test]
    fn an_f_string_field_is_no_list() {
        assert_eq!(layout("f'{a}'\n", &["a"]), None);
    }
}
