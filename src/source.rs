//! Source files as bytes and as text: BOM, UTF-8, binary detection, line endings, indentation.
//!
//! Reading never fails silently: a file that is not UTF-8 text is a [`ReadError`] naming why, and a
//! UTF-8 byte-order mark is remembered so that a fixed file is written back with it.

use std::path::Path;

const BOM: &str = "\u{feff}";

/// The text of a Python file and how to write it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceText {
    /// The text without its byte-order mark.
    pub text: String,
    pub bom: bool,
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
        Ok(match text.strip_prefix(BOM) {
            Some(rest) => SourceText {
                text: rest.to_owned(),
                bom: true,
            },
            None => SourceText { text, bom: false },
        })
    }

    pub fn read(path: &Path) -> Result<SourceText, ReadError> {
        let bytes = crate::bounded::read(path, crate::bounded::SOURCE_LIMIT)
            .map_err(|e| ReadError::Io(e.to_string()))?;
        SourceText::decode(bytes)
    }

    /// The bytes to write for `text` (which replaces this file's text), BOM kept.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() + 3);
        if self.bom {
            bytes.extend_from_slice(BOM.as_bytes());
        }
        bytes.extend_from_slice(text.as_bytes());
        bytes
    }
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
        let newline = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            Some(_) => "\n",
            None if text.contains('\r') => "\r",
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
    fn layout_reads_newline_and_indent_unit() {
        let layout = Layout::of("def f():\r\n\tpass\r\n");
        assert_eq!(layout.newline, "\r\n");
        assert_eq!(layout.indent_unit, "\t");
        assert_eq!(Layout::of("x = 1\n").indent_unit, "    ");
        assert_eq!(Layout::of("if x:\n  y\n").indent_unit, "  ");
    }
}
