//! TOML files read with `toml_edit`, which keeps the place of every key and value: every key with a
//! value is an entry, under the path of the tables that hold it (standard and array-of-tables
//! headers, the leading parts of a dotted key, inline tables). The comments and multi-line strings
//! are found by a scan of the text, which `toml_edit` has checked.

use toml_edit::{ImDocument, Item, Key, Table, Value};

use super::{ConfigFile, Entry, Format, ParseError, line_start, next_line, range};

pub(super) fn parse(text: &str) -> Result<ConfigFile, ParseError> {
    let document = ImDocument::parse(text).map_err(|error| {
        let span = error.span().unwrap_or(0..0);
        ParseError {
            range: range(span.start, span.end),
            message: error
                .message()
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(": "),
        }
    })?;
    let mut walk = Walk {
        text,
        path: Vec::new(),
        entries: Vec::new(),
    };
    walk.table(document.as_table(), None);
    let mut entries = walk.entries;
    entries.sort_by_key(|entry| entry.range.start());
    let (comments, multiline_strings) = scan(text);
    Ok(ConfigFile {
        format: Format::Toml,
        entries,
        comments,
        multiline_strings,
    })
}

struct Walk<'t> {
    text: &'t str,
    path: Vec<String>,
    entries: Vec<Entry>,
}

impl Walk<'_> {
    /// The entries of `table`; `dotted_from` is where the dotted key leading to it starts, when it
    /// is one.
    fn table(&mut self, table: &Table, dotted_from: Option<usize>) {
        for (name, _) in table.iter() {
            let Some((key, item)) = table.get_key_value(name) else {
                continue;
            };
            let start = dotted_from.or_else(|| key.span().map(|span| span.start));
            match item {
                Item::Value(value) => self.value(key, value, start, false),
                Item::Table(inner) => {
                    self.path.push(name.to_owned());
                    self.table(inner, start.filter(|_| inner.is_dotted()));
                    self.path.pop();
                }
                Item::ArrayOfTables(array) => {
                    self.path.push(name.to_owned());
                    for inner in array.iter() {
                        self.table(inner, None);
                    }
                    self.path.pop();
                }
                Item::None => {}
            }
        }
    }

    /// The entry of `key = value` (starting at `start`), or the entries of an inline table;
    /// `inline` when it stands inside an inline table.
    fn value(&mut self, key: &Key, value: &Value, start: Option<usize>, inline: bool) {
        if let Some(table) = value.as_inline_table() {
            self.path.push(key.get().to_owned());
            let dotted = table.is_dotted();
            for (name, _) in table.iter() {
                let Some((inner_key, Item::Value(inner))) = table.get_key_value(name) else {
                    continue;
                };
                let inner_start = if dotted {
                    start
                } else {
                    inner_key.span().map(|span| span.start)
                };
                self.value(inner_key, inner, inner_start, inline || !dotted);
            }
            self.path.pop();
            return;
        }
        let (Some(start), Some(key_span), Some(value_span)) = (start, key.span(), value.span())
        else {
            return;
        };
        let text = self.text;
        let own_line = !inline && text[line_start(text, start)..start].trim().is_empty() && {
            let rest = &text[value_span.end..next_line(text, value_span.end)];
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with('#')
        };
        let lines =
            own_line.then(|| range(line_start(text, start), next_line(text, value_span.end)));
        let (value_text, string) = match value.as_str() {
            Some(string) => (string.to_owned(), true),
            None => (text[value_span.clone()].trim().to_owned(), false),
        };
        self.entries.push(Entry {
            table: self.path.clone(),
            key: key.get().to_owned(),
            value: value_text,
            string,
            key_range: range(key_span.start, key_span.end),
            value_range: range(value_span.start, value_span.end),
            range: range(start, value_span.end),
            lines,
            continuation: None,
        });
    }
}

/// The comments and the strings spanning lines of a valid TOML text.
fn scan(
    text: &str,
) -> (
    Vec<ruff_text_size::TextRange>,
    Vec<ruff_text_size::TextRange>,
) {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut multiline = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'#' => {
                let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |e| at + e);
                let end = if end > at && bytes[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                comments.push(range(at, end));
                at = end;
            }
            quote @ (b'"' | b'\'') => {
                let triple = bytes[at..].starts_with(&[quote; 3]);
                let start = at;
                at += if triple { 3 } else { 1 };
                let escapes = quote == b'"';
                while at < bytes.len() {
                    if escapes && bytes[at] == b'\\' {
                        at += 2;
                        continue;
                    }
                    if bytes[at] == quote && (!triple || bytes[at..].starts_with(&[quote; 3])) {
                        at += if triple { 3 } else { 1 };
                        // Up to two quotes may end the contents before the closing three.
                        while triple && bytes.get(at) == Some(&quote) {
                            at += 1;
                        }
                        break;
                    }
                    at += 1;
                }
                let end = at.min(bytes.len());
                if text[start..end].contains('\n') {
                    multiline.push(range(start, end));
                }
            }
            _ => at += 1,
        }
    }
    (comments, multiline)
}
