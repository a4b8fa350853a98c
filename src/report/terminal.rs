//! Text made safe to print on a terminal: what the human formats show of a file (its source, its
//! path, messages quoting it) must not drive the terminal or reorder what is seen.
//!
//! C0 control characters other than tab and newline, and DEL, are shown as their Unicode control
//! pictures (`␛` for ESC), one character for one; a carriage return is kept only where it ends a
//! line (`\r\n`). C1 control characters and the bidirectional controls (embeddings, overrides,
//! isolates and the marks U+200E, U+200F, U+061C) are shown as `\u{202e}` escapes. Everything else
//! is shown as it is, tabs included. [`Escaped`] keeps the map from the original text's byte
//! offsets to the shown text's, so that ranges and columns still point at the original.

use std::borrow::Cow;
use std::fmt::Write;

/// How one character is shown, when not as itself.
enum Shown {
    Picture(char),
    Escape,
}

/// How `c` is shown; `before_newline` tells whether a newline follows it.
fn shown(c: char, before_newline: bool) -> Option<Shown> {
    match c {
        '\t' | '\n' => None,
        '\r' if before_newline => None,
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).map(Shown::Picture),
        '\x7f' => Some(Shown::Picture('\u{2421}')),
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some(Shown::Escape),
        _ => None,
    }
}

/// Whether `b` may start a character [`shown`] replaces: an ASCII control other than tab and
/// newline, or the lead byte of U+0080–U+00BF, U+0600–U+063F or U+2000–U+2FFF. Lead bytes are
/// never inside a character, so a candidate is always at a character boundary.
fn is_candidate(b: u8) -> bool {
    ((b < 0x20) & (b != b'\t') & (b != b'\n'))
        | (b == 0x7f)
        | (b == 0xc2)
        | (b == 0xd8)
        | (b == 0xe2)
}

/// The offset of the first candidate byte at or after `from`. Whole blocks are tested without a
/// branch per byte (which the compiler vectorizes): most text has no candidate at all.
fn next_candidate(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 64;
    let mut at = from;
    while let Some(block) = bytes.get(at..at + BLOCK) {
        if block.iter().fold(false, |any, &b| any | is_candidate(b)) {
            break;
        }
        at += BLOCK;
    }
    let rest = bytes.get(at..)?;
    rest.iter().position(|&b| is_candidate(b)).map(|i| at + i)
}

/// `text` safe to print: see the [module documentation](self).
pub fn escape(text: &str) -> Cow<'_, str> {
    Escaped::new(text).text
}

/// A text as shown, with the map between its offsets and the original's.
#[derive(Debug)]
pub struct Escaped<'a> {
    pub text: Cow<'a, str>,
    /// Each replaced character: its offset in the original and in the shown text, and its length
    /// in each.
    replaced: Vec<Replacement>,
}

#[derive(Debug, Clone, Copy)]
struct Replacement {
    original: usize,
    shown: usize,
    original_len: usize,
    shown_len: usize,
}

impl<'a> Escaped<'a> {
    pub fn new(original: &'a str) -> Self {
        let mut escaped = Escaped {
            text: Cow::Borrowed(original),
            replaced: Vec::new(),
        };
        let bytes = original.as_bytes();
        let mut out = String::new();
        let (mut copied, mut from) = (0, 0);
        while let Some(at) = next_candidate(bytes, from) {
            let c = original[at..].chars().next().unwrap_or_default();
            from = at + c.len_utf8();
            let Some(how) = shown(c, bytes.get(from) == Some(&b'\n')) else {
                continue;
            };
            if out.is_empty() {
                out.reserve(original.len() + 16);
            }
            out.push_str(&original[copied..at]);
            let start = out.len();
            match how {
                Shown::Picture(picture) => out.push(picture),
                Shown::Escape => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
            escaped.replaced.push(Replacement {
                original: at,
                shown: start,
                original_len: c.len_utf8(),
                shown_len: out.len() - start,
            });
            copied = from;
        }
        if !escaped.replaced.is_empty() {
            out.push_str(&original[copied..]);
            escaped.text = Cow::Owned(out);
        }
        escaped
    }

    /// The offset in the shown text of the original's `offset`; inside a replaced character,
    /// its replacement's.
    pub fn to_shown(&self, offset: usize) -> usize {
        let before = self.replaced.partition_point(|r| r.original < offset);
        match before.checked_sub(1).map(|i| self.replaced[i]) {
            Some(r) if offset < r.original + r.original_len => r.shown,
            Some(r) => r.shown + r.shown_len + (offset - r.original - r.original_len),
            None => offset,
        }
    }

    /// The offset in the original of the shown text's `offset`; inside a replacement, the
    /// replaced character's.
    pub fn to_original(&self, offset: usize) -> usize {
        let before = self.replaced.partition_point(|r| r.shown <= offset);
        match before.checked_sub(1).map(|i| self.replaced[i]) {
            Some(r) if offset < r.shown + r.shown_len => r.original,
            Some(r) => r.original + r.original_len + (offset - r.shown - r.shown_len),
            None => offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_borrowed_and_control_characters_are_shown() {
        assert!(matches!(escape("a\tb\r\n→ é°"), Cow::Borrowed(_)));
        let long = format!("{}\x1b{}\u{202e}", "x".repeat(130), "y".repeat(70));
        assert_eq!(
            escape(&long),
            format!("{}␛{}\\u{{202e}}", "x".repeat(130), "y".repeat(70))
        );
        assert_eq!(
            escape("\x1b[2J\x07a\rb\x7f\u{9b}\u{202e}c\u{2066}"),
            "␛[2J␇a␍b␡\\u{9b}\\u{202e}c\\u{2066}"
        );
    }

    #[test]
    fn offsets_map_both_ways() {
        let original = "a\x1bb\u{202e}c";
        let escaped = Escaped::new(original);
        assert_eq!(escaped.text, "a␛b\\u{202e}c");
        let pairs = [(0, 0), (1, 1), (2, 4), (3, 5), (6, 13), (7, 14)];
        for (original, shown) in pairs {
            assert_eq!(escaped.to_shown(original), shown, "{original}");
            assert_eq!(escaped.to_original(shown), original, "{shown}");
        }
        assert_eq!(escaped.to_original(8), 3);
        assert_eq!(escaped.to_shown(4), 5);
    }
}
