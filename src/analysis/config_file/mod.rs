//! A project's configuration file (an INI file such as `setup.cfg`, or a TOML file such as
//! `pyproject.toml`) read as its entries: each key with its table and value, where each stands in
//! the text, and the comments and multi-line strings that say where a suppression comment may go.
//!
//! [`ini`] reads INI as pytest's reader (`iniconfig`) does: a value runs to the end of its line
//! (a `#` after the key is part of it), indented lines continue it, whole-line comments start with
//! `#` or `;`, and a repeated section or key is an error. [`toml_doc`] reads TOML with `toml_edit`,
//! which keeps every key's and value's place in the text.

mod ini;
mod toml_doc;

use ruff_text_size::{TextRange, TextSize};

/// The syntax of a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Sections of `key = value` lines (`setup.cfg`, `tox.ini`, `pytest.ini`).
    Ini,
    /// TOML (`pyproject.toml`).
    Toml,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Ini => "INI",
            Format::Toml => "TOML",
        }
    }
}

/// One key of a configuration file, with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where the key stands: an INI file's section (one name); a TOML file's table path, the
    /// leading parts of a dotted key included, each part unquoted.
    pub table: Vec<String>,
    /// The key (a TOML key's last part), unquoted.
    pub key: String,
    /// The value as the file's readers take it: an INI value's lines stripped and joined by
    /// `\n`; a TOML string's contents; any other TOML value as written.
    pub value: String,
    /// Whether the value is a TOML string (a value rewritten in a TOML file is written as one).
    pub string: bool,
    pub key_range: TextRange,
    /// The value as written (an INI value's continuation lines included; empty after a bare
    /// `key =`).
    pub value_range: TextRange,
    /// From the key to the end of the value.
    pub range: TextRange,
    /// The whole lines the entry fills, line breaks included, when nothing else stands on them
    /// but blanks and a comment: what removing the entry deletes.
    pub lines: Option<TextRange>,
    /// The indentation of an INI value's first continuation line (for a rewritten value's lines).
    pub continuation: Option<String>,
}

/// A configuration file read.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub format: Format,
    /// In the order of the text.
    pub entries: Vec<Entry>,
    /// The comments, in order: an INI file's whole-line comments, any TOML comment.
    pub comments: Vec<TextRange>,
    /// The TOML strings that span lines, in order (a comment cannot end a line inside one).
    pub multiline_strings: Vec<TextRange>,
}

/// Why a text is not a valid file of its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub range: TextRange,
    pub message: String,
}

impl ConfigFile {
    /// Read `text` as a file of `format`.
    pub fn parse(format: Format, text: &str) -> Result<ConfigFile, ParseError> {
        match format {
            Format::Ini => ini::parse(text),
            Format::Toml => toml_doc::parse(text),
        }
    }
}

/// The offset of `at` (a byte index of a text the engine reads, below 4 GiB).
fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).unwrap_or_default()
}

/// The range from `start` to `end`, byte indices.
fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(offset(start), offset(end))
}

/// The index after the line break ending the line that holds `at` (the end of the text on its
/// last line).
fn next_line(text: &str, at: usize) -> usize {
    memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |found| at + found + 1)
}

/// The index of the start of the line holding `at`.
fn line_start(text: &str, at: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..at]).map_or(0, |found| found + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(format: Format, text: &str) -> Vec<(String, String, String)> {
        let file = ConfigFile::parse(format, text).unwrap_or_else(|e| panic!("{e:?}"));
        file.entries
            .iter()
            .map(|e| (e.table.join("."), e.key.clone(), e.value.clone()))
            .collect()
    }

    fn spelled(text: &str, range: TextRange) -> &str {
        &text[range]
    }

    #[test]
    fn ini_sections_keys_values_continuations_and_comments() {
        let text = "# top\n[pytest]\nloop_mode = auto\n; note\naddopts =\n    -ra\n\n  # inside\n    -q\nmarkers: slow\n[tool:pytest]\nx=1 # kept\r\ny = \n";
        assert_eq!(
            entries(Format::Ini, text),
            [
                ("pytest".into(), "loop_mode".into(), "auto".into()),
                ("pytest".into(), "addopts".into(), "-ra\n-q".into()),
                ("pytest".into(), "markers".into(), "slow".into()),
                ("tool:pytest".into(), "x".into(), "1 # kept".into()),
                ("tool:pytest".into(), "y".into(), String::new()),
            ]
        );
        let file = ConfigFile::parse(Format::Ini, text).unwrap();
        let comments: Vec<&str> = file.comments.iter().map(|r| spelled(text, *r)).collect();
        assert_eq!(comments, ["# top", "; note", "# inside"]);
        let addopts = &file.entries[1];
        assert_eq!(spelled(text, addopts.key_range), "addopts");
        assert_eq!(
            spelled(text, addopts.range),
            "addopts =\n    -ra\n\n  # inside\n    -q"
        );
        assert_eq!(
            spelled(text, addopts.lines.unwrap()),
            "addopts =\n    -ra\n\n  # inside\n    -q\n"
        );
        assert_eq!(addopts.continuation.as_deref(), Some("    "));
        let first = &file.entries[0];
        assert_eq!(spelled(text, first.value_range), "auto");
        assert_eq!(spelled(text, first.lines.unwrap()), "loop_mode = auto\n");
        let x = &file.entries[3];
        assert_eq!(spelled(text, x.value_range), "1 # kept");
        assert_eq!(spelled(text, x.lines.unwrap()), "x=1 # kept\r\n");
    }

    #[test]
    fn ini_errors_say_what_is_wrong_where() {
        for (text, message, at) in [
            ("key = 1\n", "before any `[section]`", "key = 1"),
            (
                "[a]\nno separator here\n",
                "neither `=` nor `:`",
                "no separator here",
            ),
            ("[a]\n    indented\n", "continues no value", "    indented"),
            ("[a]\n[a]\n", "repeats the section `[a]`", "[a]"),
            ("[a]\nk = 1\nk = 2\n", "repeats the key `k`", "k = 2"),
            ("[]\n", "a section needs a name", "[]"),
            ("[a\n", "does not end with `]`", "[a"),
        ] {
            let error = ConfigFile::parse(Format::Ini, text).unwrap_err();
            assert!(error.message.contains(message), "{text:?}: {error:?}");
            assert_eq!(&text[error.range], at, "{text:?}");
        }
    }

    #[test]
    fn toml_tables_dotted_keys_inline_tables_and_comments() {
        let text = r#"# top
[project]
name = "x"  # the name

[tool.pytest.ini_options]
loop_mode = "auto"
"quoted key" = 'lit'
addopts = """
-ra # not a comment
"""

[tool.other]
sub.flag = true
inline = { a = 1, b.c = "d" }
"#;
        assert_eq!(
            entries(Format::Toml, text),
            [
                ("project".into(), "name".into(), "x".into()),
                (
                    "tool.pytest.ini_options".into(),
                    "loop_mode".into(),
                    "auto".into()
                ),
                (
                    "tool.pytest.ini_options".into(),
                    "quoted key".into(),
                    "lit".into()
                ),
                (
                    "tool.pytest.ini_options".into(),
                    "addopts".into(),
                    "-ra # not a comment\n".into()
                ),
                ("tool.other.sub".into(), "flag".into(), "true".into()),
                ("tool.other.inline".into(), "a".into(), "1".into()),
                ("tool.other.inline.b".into(), "c".into(), "d".into()),
            ]
        );
        let file = ConfigFile::parse(Format::Toml, text).unwrap();
        let comments: Vec<&str> = file.comments.iter().map(|r| spelled(text, *r)).collect();
        assert_eq!(comments, ["# top", "# the name"]);
        assert_eq!(file.multiline_strings.len(), 1);
        let name = &file.entries[0];
        assert_eq!(spelled(text, name.range), "name = \"x\"");
        assert_eq!(
            spelled(text, name.lines.unwrap()),
            "name = \"x\"  # the name\n"
        );
        let quoted = &file.entries[2];
        assert_eq!(spelled(text, quoted.key_range), "\"quoted key\"");
        assert!(!file.entries[4].string);
        assert_eq!(spelled(text, file.entries[4].key_range), "flag");
        assert_eq!(spelled(text, file.entries[4].range), "sub.flag = true");
        assert_eq!(
            spelled(text, file.entries[4].lines.unwrap()),
            "sub.flag = true\n"
        );
        // An entry of an inline table shares its line.
        assert_eq!(file.entries[5].lines, None);
    }

    #[test]
    fn toml_errors_point_into_the_text() {
        let error = ConfigFile::parse(Format::Toml, "[a]\nx = \n").unwrap_err();
        assert!(error.message.contains("string") || !error.message.is_empty());
        let error = ConfigFile::parse(Format::Toml, "a = 1\na = 2\n").unwrap_err();
        assert!(error.message.contains("duplicate"), "{error:?}");
    }
}
