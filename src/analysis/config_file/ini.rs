//! INI files read as pytest reads them (`iniconfig`): a line whose first non-blank character is
//! `#` or `;` is a comment; `[name]` (a comment may follow) starts a section; an unindented line is
//! `key = value` or `key: value` (split at the first `=`, unless the key would hold a `:`), its value
//! running to the end of the line; an indented line continues the last value. A value is its lines
//! stripped and joined by `\n`. A key before any section, a line with no separator, a continuation
//! of nothing, and a repeated section or key are errors, as they are to pytest and to Python's
//! `configparser`.

use rustc_hash::FxHashSet;

use super::{ConfigFile, Entry, Format, ParseError, next_line, range};

/// Comment characters, at the start of a line or after a section header.
const COMMENT: [char; 2] = ['#', ';'];

/// The entry being read: the one continuation lines extend.
struct Open {
    entry: Entry,
    /// The end of the last line holding its value, and the index after that line's break.
    data_end: usize,
    lines_end: usize,
}

pub(super) fn parse(text: &str) -> Result<ConfigFile, ParseError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut comments = Vec::new();
    let mut section: Option<String> = None;
    let mut sections: FxHashSet<String> = FxHashSet::default();
    let mut keys: FxHashSet<String> = FxHashSet::default();
    let mut open: Option<Open> = None;
    let error = |start: usize, end: usize, message: String| ParseError {
        range: range(start, end),
        message,
    };
    let mut start = 0;
    while start < text.len() {
        let after = next_line(text, start);
        let line = text[start..after].trim_end_matches(['\n', '\r']);
        let content = line.trim_end();
        let end = start + content.len();
        let blank = content.trim_start();
        if blank.is_empty() {
            start = after;
            continue;
        }
        let indent = content.len() - blank.len();
        if blank.starts_with(COMMENT) {
            comments.push(range(start + indent, start + line.len()));
            start = after;
            continue;
        }
        if let Some(header) = content.strip_prefix('[') {
            let name = header.split(COMMENT).next().unwrap_or_default().trim_end();
            if let Some(name) = name.strip_suffix(']') {
                finish(&mut entries, open.take());
                if name.is_empty() {
                    return Err(error(start, end, "a section needs a name: `[name]`".into()));
                }
                if !sections.insert(name.to_owned()) {
                    return Err(error(
                        start,
                        end,
                        format!("this repeats the section `[{name}]`"),
                    ));
                }
                section = Some(name.to_owned());
                keys.clear();
                start = after;
                continue;
            }
            // A `[` line that is no header is read as a continuation, as pytest reads it.
        }
        if indent > 0 || content.starts_with('[') {
            let Some(current) = open.as_mut() else {
                let message = if indent > 0 {
                    "this indented line continues no value: indent only the lines that continue \
                     the value of the key above"
                } else {
                    "a section header is `[name]`: this line does not end with `]`"
                };
                return Err(error(start, end, message.into()));
            };
            let data = blank;
            let value = &mut current.entry.value;
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(data);
            if current.entry.continuation.is_none() {
                current.entry.continuation = Some(content[..indent].to_owned());
            }
            current.data_end = end;
            current.lines_end = after;
            start = after;
            continue;
        }
        finish(&mut entries, open.take());
        let Some(section) = &section else {
            return Err(error(
                start,
                end,
                "this key stands before any `[section]`: a key belongs to a section".into(),
            ));
        };
        let split = match content.split_once('=') {
            Some((name, _)) if !name.contains(':') => Some(name.len()),
            _ => content.find(':'),
        };
        let Some(separator) = split else {
            return Err(error(
                start,
                end,
                "this line has neither `=` nor `:`: write `key = value`".into(),
            ));
        };
        let key = content[..separator].trim_end();
        if !keys.insert(key.to_owned()) {
            return Err(error(
                start,
                end,
                format!("this repeats the key `{key}` of the section `[{section}]`"),
            ));
        }
        let rest = &content[separator + 1..];
        let data = rest.trim_start();
        let value_start = if data.is_empty() {
            start + separator + 1
        } else {
            end - data.len()
        };
        open = Some(Open {
            entry: Entry {
                table: vec![section.clone()],
                key: key.to_owned(),
                value: data.to_owned(),
                string: false,
                key_range: range(start, start + key.len()),
                value_range: range(value_start, end),
                range: range(start, end),
                lines: None,
                continuation: None,
            },
            data_end: end,
            lines_end: after,
        });
        start = after;
    }
    finish(&mut entries, open);
    Ok(ConfigFile {
        format: Format::Ini,
        entries,
        comments,
        multiline_strings: Vec::new(),
    })
}

/// Close `open`: its value and range end where its last line of value does.
fn finish(entries: &mut Vec<Entry>, open: Option<Open>) {
    let Some(Open {
        mut entry,
        data_end,
        lines_end,
    }) = open
    else {
        return;
    };
    let start = entry.range.start().to_usize();
    let value_start = entry.value_range.start().to_usize();
    entry.value_range = range(value_start, data_end.max(value_start));
    entry.range = range(start, data_end);
    entry.lines = Some(range(start, lines_end));
    entries.push(entry);
}
