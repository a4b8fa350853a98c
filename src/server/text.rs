//! An open document's text as the client holds it, and positions in it: the LSP counts a line's
//! characters in UTF-16 code units unless the client and server agree on UTF-8 (or UTF-32), and
//! ends lines at `\n`, `\r\n` or a bare `\r`, as Python does. The engine speaks in byte offsets.

use lsp_types::{Position, PositionEncodingKind, Range, TextDocumentContentChangeEvent};

/// How a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The encoding to use: UTF-8 when the client offers it (no conversion), else UTF-16, which
    /// every client supports; UTF-32 only when it is all the client offers besides UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else if offered.first() == Some(&PositionEncodingKind::UTF32) {
            Encoding::Utf32
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// How many units of this encoding `c` takes.
    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn of(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut at = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[at..]) {
            let end = at + found;
            let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
            starts.push(next);
            at = next;
        }
        Lines { starts }
    }

    /// The position of byte `offset` of `text` (clamped to the text, and back to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let character = match encoding {
            Encoding::Utf8 => (offset - start) as u32,
            _ => text[start..offset].chars().map(|c| encoding.width(c)).sum(),
        };
        Position::new(line as u32, character)
    }

    /// The byte offset of `position` in `text`. As the protocol says, a character past the end
    /// of its line means the line's end, and a line past the last means the end of the text; a
    /// position inside a character (half of a UTF-16 surrogate pair, inside a UTF-8 sequence)
    /// means that character's start.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |&next| line_content_end(text, start, next));
        let mut units = 0u32;
        for (index, c) in text[start..end].char_indices() {
            let width = encoding.width(c);
            if units + width > position.character {
                return start + index;
            }
            units += width;
        }
        end
    }

    pub fn range(&self, text: &str, (start, end): (usize, usize), encoding: Encoding) -> Range {
        Range::new(
            self.position(text, start, encoding),
            self.position(text, end, encoding),
        )
    }
}

/// Where the content of the line from `start` ends, given where the next line starts: before
/// its line break.
fn line_content_end(text: &str, start: usize, next: usize) -> usize {
    let line = &text.as_bytes()[start..next];
    let break_length = if line.ends_with(b"\r\n") {
        2
    } else {
        usize::from(line.ends_with(b"\n") || line.ends_with(b"\r"))
    };
    next - break_length
}

/// An open document: its text as the client has it, the version the client gave it, and the
/// language the client says it is in.
#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
    pub language: String,
    lines: Lines,
}

impl Document {
    pub fn new(text: String, version: i32, language: String) -> Document {
        let lines = Lines::of(&text);
        Document {
            text,
            version,
            language,
            lines,
        }
    }

    pub fn lines(&self) -> &Lines {
        &self.lines
    }

    /// Apply the client's changes in order: a change with a range replaces that range, one
    /// without replaces the whole text.
    pub fn apply(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: Encoding,
    ) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let start = self.lines.offset(&self.text, range.start, encoding);
                    let end = self.lines.offset(&self.text, range.end, encoding);
                    let (start, end) = (start.min(end), start.max(end));
                    self.text.replace_range(start..end, &change.text);
                }
            }
            self.lines = Lines::of(&self.text);
        }
        self.version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, encoding: Encoding) {
        let lines = Lines::of(text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let position = lines.position(text, offset, encoding);
            assert_eq!(
                lines.offset(text, position, encoding),
                offset.min(line_end_at(text, offset)),
                "{text:?} at {offset} ({position:?}, {encoding:?})"
            );
        }
    }

    /// Where an offset inside a line break lands: a position cannot point between `\r` and `\n`.
    fn line_end_at(text: &str, offset: usize) -> usize {
        if offset > 0 && text.as_bytes()[offset - 1] == b'\r' && text[offset..].starts_with('\n') {
            offset - 1
        } else {
            offset
        }
    }

    #[test]
    fn positions_count_utf16_units_utf8_bytes_or_characters() {
        let text = "x = 'é😀'\tend\n";
        let lines = Lines::of(text);
        let end = text.find("end").unwrap();
        assert_eq!(
            lines.position(text, end, Encoding::Utf16),
            Position::new(0, 10)
        );
        assert_eq!(
            lines.position(text, end, Encoding::Utf8),
            Position::new(0, 13)
        );
        assert_eq!(
            lines.position(text, end, Encoding::Utf32),
            Position::new(0, 9)
        );
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            round_trip(text, encoding);
        }
    }

    #[test]
    fn lines_end_at_lf_crlf_and_a_bare_cr() {
        let text = "a\r\nb\rc\nd";
        let lines = Lines::of(text);
        assert_eq!(
            lines.position(text, 3, Encoding::Utf16),
            Position::new(1, 0)
        );
        assert_eq!(
            lines.position(text, 5, Encoding::Utf16),
            Position::new(2, 0)
        );
        assert_eq!(
            lines.position(text, 7, Encoding::Utf16),
            Position::new(3, 0)
        );
        // Past the end of a line: its end, before the line break.
        assert_eq!(lines.offset(text, Position::new(0, 9), Encoding::Utf16), 1);
        assert_eq!(lines.offset(text, Position::new(1, 9), Encoding::Utf16), 4);
        // Past the last line: the end of the text.
        assert_eq!(
            lines.offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            round_trip(text, encoding);
        }
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_means_its_character() {
        let text = "😀x";
        let lines = Lines::of(text);
        assert_eq!(lines.offset(text, Position::new(0, 1), Encoding::Utf16), 0);
        assert_eq!(lines.offset(text, Position::new(0, 2), Encoding::Utf16), 4);
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut document = Document::new("é = 1\nb = 2\n".into(), 1, "python".into());
        let change =
            |(l0, c0, l1, c1): (u32, u32, u32, u32), text: &str| TextDocumentContentChangeEvent {
                range: Some(Range::new(Position::new(l0, c0), Position::new(l1, c1))),
                range_length: None,
                text: text.into(),
            };
        document.apply(
            vec![change((0, 4, 0, 5), "10"), change((1, 0, 1, 1), "bb")],
            2,
            Encoding::Utf16,
        );
        assert_eq!(document.text, "é = 10\nbb = 2\n");
        assert_eq!(document.version, 2);
        let full = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new\n".into(),
        };
        document.apply(vec![full], 3, Encoding::Utf16);
        assert_eq!(document.text, "new\n");
        assert_eq!(document.lines().starts, vec![0, 4]);
    }

    #[test]
    fn negotiation_prefers_utf8_then_utf16() {
        use PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF16, K::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF32, K::UTF16])),
            Encoding::Utf32
        );
        assert_eq!(Encoding::negotiate(Some(&[K::UTF16])), Encoding::Utf16);
    }
}
