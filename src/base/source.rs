//! Source files as bytes and as text: BOM, UTF-8, binary detection, line endings, indentation.
//!
//! Reading never fails silently: a file that is not UTF-8 text is a [`ReadError`] naming why, and a
//! UTF-8 byte-order mark is remembered so that a fixed file is written back with it.
//!
//! Python reads a bare `\r` as a line break, as it reads `\n` and `\r\n`. The engine sees a file's
//! text with each bare `\r` read as `\n` (one byte for one, so every offset stays the same), and
//! [`SourceText::encode`] gives every line the fixes did not touch its own line break back.

use std::path::Path;

const BOM: &str = "\u{feff}";

/// The text of a Python file and how to write it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text without its byte-order mark, each bare `\r` read as `\n`.
    pub text: String,
    pub bom: bool,
    /// The text as the file spells it, when it breaks a line with a bare `\r` (else `text` is it).
    bare_cr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Io(String),
    Binary,
    NotUtf8 { offset: usize },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(message) => write!(f, "cannot read the file: {message}"),
            ReadError::Binary => f.write_str("the file is binary (it contains NUL bytes); skipped"),
            ReadError::NotUtf8 { offset } => write!(
                f,
                "the file is not valid UTF-8 (first bad byte at offset {offset}); skipped. \
                 Python 3 source is UTF-8: re-encode it, e.g. with `iconv -f latin1 -t utf-8`"
            ),
        }
    }
}

impl SourceText {
    /// Decode the bytes of a file.
    pub fn decode(bytes: Vec<u8>) -> Result<SourceText, ReadError> {
        // `memchr` reads many bytes at a time where `contains` reads one.
        if memchr::memchr(0, &bytes).is_some() {
            return Err(ReadError::Binary);
        }
        let text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })?;
        let (text, bom) = match text.strip_prefix(BOM) {
            Some(rest) => (rest.to_owned(), true),
            None => (text, false),
        };
        Ok(SourceText::of_text(text, bom))
    }

    /// The source of `text` (without a byte-order mark) as the engine reads it.
    pub fn of_text(text: String, bom: bool) -> SourceText {
        if !has_bare_cr(&text) {
            return SourceText {
                text,
                bom,
                bare_cr: None,
            };
        }
        let bytes = text.as_bytes();
        let read: Vec<u8> = bytes
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if b == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
                    b'\n'
                } else {
                    b
                }
            })
            .collect();
        SourceText {
            text: String::from_utf8(read).expect("one ASCII byte replaced by another"),
            bom,
            bare_cr: Some(text),
        }
    }

    pub fn read(path: &Path) -> Result<SourceText, ReadError> {
        let bytes = crate::base::bounded::read(path, crate::base::bounded::SOURCE_LIMIT)
            .map_err(|e| ReadError::Io(e.to_string()))?;
        SourceText::decode(bytes)
    }

    /// The bytes to write for `text` (which replaces this file's text), BOM and line breaks kept.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() + 3);
        if self.bom {
            bytes.extend_from_slice(BOM.as_bytes());
        }
        match &self.bare_cr {
            None => bytes.extend_from_slice(text.as_bytes()),
            Some(spelled) => bytes.extend_from_slice(self.respell(spelled, text).as_bytes()),
        }
        bytes
    }

    /// `text` with the line breaks of the file's own spelling: a line the fixes left as it was
    /// keeps its break; a new line ending in `\n` takes the break the file starts with. A file whose
    /// every break is a bare `\r` needs no more; where a file mixes breaks, a line diff finds the
    /// lines left as they were.
    fn respell(&self, spelled: &str, text: &str) -> String {
        if !spelled.contains('\n') {
            // Every break is a bare `\r`, and so is every break of the new text.
            return text.replace('\n', "\r");
        }
        let old: Vec<&str> = self.text.split_inclusive('\n').collect();
        let new: Vec<&str> = text.split_inclusive('\n').collect();
        let newline = Layout::of(spelled).newline;
        let mut out = String::with_capacity(text.len());
        let mut old_starts = Vec::with_capacity(old.len());
        let mut at = 0;
        for line in &old {
            old_starts.push(at);
            at += line.len();
        }
        for op in similar::capture_diff_slices(similar::Algorithm::Patience, &old, &new) {
            match op {
                similar::DiffOp::Equal { old_index, len, .. } => {
                    let start = old_starts[old_index];
                    let end = old_starts
                        .get(old_index + len)
                        .copied()
                        .unwrap_or(spelled.len());
                    out.push_str(&spelled[start..end]);
                }
                similar::DiffOp::Insert {
                    new_index, new_len, ..
                }
                | similar::DiffOp::Replace {
                    new_index, new_len, ..
                } => {
                    for line in &new[new_index..new_index + new_len] {
                        match line.strip_suffix('\n') {
                            Some(body) if !body.ends_with('\r') => {
                                out.push_str(body);
                                out.push_str(newline);
                            }
                            _ => out.push_str(line),
                        }
                    }
                }
                similar::DiffOp::Delete { .. } => {}
            }
        }
        out
    }
}

/// Whether `text` has a `\r` that is not the first half of `\r\n`.
fn has_bare_cr(text: &str) -> bool {
    memchr::memchr_iter(b'\r', text.as_bytes()).any(|i| text.as_bytes().get(i + 1) != Some(&b'\n'))
}

/// How a file lays out lines and blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub newline: &'static str,
    /// One indentation level: the file's first indented line's leading blanks, or four spaces.
    pub indent_unit: String,
}

impl Layout {
    pub fn of(text: &str) -> Layout {
        // The file's first line break, whichever of the three it is.
        let newline = match memchr::memchr2(b'\n', b'\r', text.as_bytes()) {
            Some(i) if text.as_bytes()[i] == b'\n' => "\n",
            Some(i) if text.as_bytes().get(i + 1) == Some(&b'\n') => "\r\n",
            Some(_) => "\r",
            None => "\n",
        };
        let mut indent_unit = "    ".to_owned();
        let mut after_colon = false;
        for line in text.lines() {
            let trimmed = line.trim_start_matches([' ', '\t']);
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = &line[..line.len() - trimmed.len()];
            if after_colon && !indent.is_empty() {
                indent_unit = indent.to_owned();
                break;
            }
            after_colon = trimmed.trim_end().ends_with(':') && indent.is_empty();
        }
        Layout {
            newline,
            indent_unit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_bom_and_detects_binary_and_bad_utf8() {
        let source = SourceText::decode(b"\xef\xbb\xbfx = 1\n".to_vec()).unwrap();
        assert!(source.bom);
        assert_eq!(source.text, "x = 1\n");
        assert_eq!(source.encode("y\n"), b"\xef\xbb\xbfy\n");
        assert_eq!(SourceText::decode(b"a\0b".to_vec()), Err(ReadError::Binary));
        assert_eq!(
            SourceText::decode(b"ok\xff".to_vec()),
            Err(ReadError::NotUtf8 { offset: 2 })
        );
    }

    #[test]
    fn a_bare_cr_reads_as_a_line_break_and_is_written_back() {
        let source =
            SourceText::decode(b"import a\r\rx = 1\r\ny = \"\"\"\r\"\"\"\r".to_vec()).unwrap();
        assert_eq!(source.text, "import a\n\nx = 1\r\ny = \"\"\"\n\"\"\"\n");
        assert_eq!(
            source.encode(&source.text),
            b"import a\r\rx = 1\r\ny = \"\"\"\r\"\"\"\r"
        );
        // A line the fixes did not touch keeps its break; a new one takes the file's first.
        assert_eq!(
            source.encode("import b\nimport a\n\nx = 2\r\ny = \"\"\"\n\"\"\"\n"),
            b"import b\rimport a\r\rx = 2\r\ny = \"\"\"\r\"\"\"\r"
        );
        let mixed = SourceText::decode(b"a\nb\rc\r\nd".to_vec()).unwrap();
        assert_eq!(mixed.text, "a\nb\nc\r\nd");
        assert_eq!(mixed.encode("a\nb\nz\nc\r\nd!"), b"a\nb\rz\nc\r\nd!");
        let plain = SourceText::decode(b"a\r\nb\n".to_vec()).unwrap();
        assert_eq!(plain.encode("a\r\nb\nc\n"), b"a\r\nb\nc\n");
    }

    #[test]
    fn layout_reads_newline_and_indent_unit() {
        let layout = Layout::of("def f():\r\n\tpass\r\n");
        assert_eq!(layout.newline, "\r\n");
        assert_eq!(layout.indent_unit, "\t");
        assert_eq!(Layout::of("x = 1\n").indent_unit, "    ");
        assert_eq!(Layout::of("if x:\n  y\n").indent_unit, "  ");
    }
}
