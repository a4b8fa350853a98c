//! Rules over configuration files: a `match` whose entry is `ini` or `toml` tables finds keys of
//! the files they name instead of Python code.
//!
//! ```toml
//! match.ini = { file = ["tox.ini", "setup.cfg"], section = ["pytest", "tool:pytest"], key = "k", value = "^on$" }
//! match.toml = { file = "pyproject.toml", table = "tool.x", key = ["k", "l"] }
//! ```
//!
//! `file` names the files (by name, wherever they lie; the run checks them with the Python files);
//! `section` (INI) or `table` (TOML, a dotted path; the top level without it) and `key` are
//! matched exactly, one of a list; `value`, a regex, is searched in the value as the file's
//! readers take it. A table or a list of them: the rule matches an entry any of them matches.
//! Every match binds `$SECTION` (the section, or the table's dotted path), `$KEY` and `$VALUE`,
//! and the `value` regex's named groups with uppercase names (`(?P<MODE>…)`).

use super::is_metavar_key;
use super::read::{CompileError, regex, strings};
use super::value::Value;
use crate::analysis::config_file::{Entry, Format};
use crate::base::lazy_regex::LazyRegex;

/// The keys of `match` that make a rule one over configuration files, with their formats.
pub const FORMATS: [(&str, Format); 2] = [("ini", Format::Ini), ("toml", Format::Toml)];

/// The keys an `ini` or `toml` table may hold.
pub const KEYS: [&str; 5] = ["file", "section", "table", "key", "value"];

/// What every match of a configuration rule binds.
pub const CAPTURES: [&str; 3] = ["SECTION", "KEY", "VALUE"];

/// A configuration rule's entry: it matches an entry any of its places matches.
#[derive(Debug)]
pub struct SettingMatch {
    pub places: Vec<Place>,
}

/// One `ini` or `toml` table: which files, tables, keys and values it matches.
#[derive(Debug)]
pub struct Place {
    pub format: Format,
    pub files: Vec<String>,
    /// An INI section's name (one part), or a TOML table's path (none: the top level).
    pub tables: Vec<Vec<String>>,
    pub keys: Vec<String>,
    pub value: Option<LazyRegex>,
}

/// What a match captured, by metavariable name.
pub type Captured = Vec<(String, String)>;

impl SettingMatch {
    /// The files it reads, each with the format it reads it in.
    pub fn files(&self) -> impl Iterator<Item = (&str, Format)> {
        self.places.iter().flat_map(|place| {
            place
                .files
                .iter()
                .map(move |file| (file.as_str(), place.format))
        })
    }

    /// Whether it reads a file named `name` in `format`.
    pub fn reads(&self, name: &str, format: Format) -> bool {
        self.files()
            .any(|(file, read)| file == name && read == format)
    }

    /// The captures of the first place matching `entry`, of a file named `name` read in
    /// `format`.
    pub fn matches(&self, name: &str, format: Format, entry: &Entry) -> Option<Captured> {
        self.places
            .iter()
            .find_map(|place| place.matches(name, format, entry))
    }

    /// The metavariables every match binds.
    pub fn bound(&self) -> Vec<String> {
        let mut bound: Vec<String> = CAPTURES.iter().map(|name| (*name).to_owned()).collect();
        let groups = |place: &Place| -> Vec<String> {
            place.value.as_ref().map_or_else(Vec::new, |regex| {
                regex
                    .capture_names()
                    .flatten()
                    .filter(|name| is_metavar_key(name))
                    .map(str::to_owned)
                    .collect()
            })
        };
        let mut places = self.places.iter().map(groups);
        let mut common = places.next().unwrap_or_default();
        for next in places {
            common.retain(|name| next.contains(name));
        }
        bound.extend(common);
        bound
    }
}

impl Place {
    fn matches(&self, name: &str, format: Format, entry: &Entry) -> Option<Captured> {
        if format != self.format
            || !self.files.iter().any(|file| file == name)
            || !self.keys.contains(&entry.key)
            || !self.tables.contains(&entry.table)
        {
            return None;
        }
        let mut captured: Captured = vec![
            ("SECTION".to_owned(), entry.table.join(".")),
            ("KEY".to_owned(), entry.key.clone()),
            ("VALUE".to_owned(), entry.value.clone()),
        ];
        if let Some(regex) = &self.value {
            let found = regex.captures(&entry.value)?;
            for group in regex.capture_names().flatten() {
                if is_metavar_key(group) {
                    let text = found.name(group).map_or("", |m| m.as_str());
                    captured.push((group.to_owned(), text.to_owned()));
                }
            }
        }
        Some(captured)
    }
}

/// Compile the `ini` and `toml` keys of a `match` table (`entries`), when it has one.
pub fn compile(entries: &[(String, Value)]) -> Result<Option<SettingMatch>, CompileError> {
    let mut places = Vec::new();
    // The places of one rule often share their `value` regex: it is compiled once.
    let mut compiled: Vec<(String, LazyRegex)> = Vec::new();
    for (key, item) in entries {
        let Some((_, format)) = FORMATS.iter().find(|(name, _)| name == key) else {
            continue;
        };
        let tables: Vec<&Value> = match &item.kind {
            super::value::Kind::Array(items) if !items.is_empty() => items.iter().collect(),
            super::value::Kind::Table(_) => vec![item],
            _ => {
                return Err(CompileError::at(
                    item,
                    format!(
                        "`{key}` takes a table (or an array of them) such as \
                         `{{ file = \"setup.cfg\", {} = \"…\", key = \"…\" }}`",
                        place_word(*format)
                    ),
                ));
            }
        };
        for table in tables {
            places.push(place(table, *format, &mut compiled)?);
        }
    }
    Ok((!places.is_empty()).then_some(SettingMatch { places }))
}

/// The key naming where a format's keys stand.
fn place_word(format: Format) -> &'static str {
    match format {
        Format::Ini => "section",
        Format::Toml => "table",
    }
}

fn place(
    table: &Value,
    format: Format,
    compiled: &mut Vec<(String, LazyRegex)>,
) -> Result<Place, CompileError> {
    let Some(entries) = table.as_table() else {
        return Err(CompileError::at(
            table,
            format!("expected a table, found {}", table.describe()),
        ));
    };
    let own = place_word(format);
    let mut files = None;
    let mut tables = None;
    let mut keys = None;
    let mut value = None;
    for (key, item) in entries {
        match key.as_str() {
            "file" => {
                let mut names = Vec::new();
                for (name, at) in strings(item, "a file name")? {
                    let refused = name.is_empty()
                        || name.contains(['/', '\\'])
                        || name.ends_with(".py")
                        || name.ends_with(".pyi");
                    if refused {
                        return Err(CompileError::at(
                            at,
                            "a file is named without a directory (`setup.cfg`), and is not a \
                             Python file",
                        ));
                    }
                    names.push(name);
                }
                files = Some(names);
            }
            "key" => {
                let mut names = Vec::new();
                for (name, at) in strings(item, "a key")? {
                    if name.trim().is_empty() || name.trim() != name {
                        return Err(CompileError::at(
                            at,
                            "a key is a name without blanks around it",
                        ));
                    }
                    names.push(name);
                }
                keys = Some(names);
            }
            "value" => {
                let text = item.as_str().unwrap_or_default();
                let known = compiled.iter().find(|(written, _)| written == text);
                value = Some(match known {
                    Some((_, regex)) => regex.clone(),
                    None => {
                        let regex = regex(item)?;
                        compiled.push((text.to_owned(), regex.clone()));
                        regex
                    }
                });
            }
            word if word == own => {
                let mut paths = Vec::new();
                for (text, at) in strings(item, &format!("a {own}"))? {
                    let path: Vec<String> = match format {
                        Format::Ini => vec![text.clone()],
                        Format::Toml => text.split('.').map(str::to_owned).collect(),
                    };
                    if path.iter().any(|part| part.trim().is_empty()) {
                        return Err(CompileError::at(
                            at,
                            match format {
                                Format::Ini => "a section has a name",
                                Format::Toml => "a table is a dotted path such as `tool.pytest`",
                            },
                        ));
                    }
                    paths.push(path);
                }
                tables = Some(paths);
            }
            other => {
                let error = CompileError::at(
                    item,
                    format!("unknown key `{other}` in `{}`", format_key(format)),
                );
                let note = if KEYS.contains(&other) {
                    format!("a {} file's keys stand in a `{own}`", format.name())
                } else {
                    format!("it takes `file`, `{own}`, `key` and `value` (a regex on the value)")
                };
                return Err(error.note(note));
            }
        }
    }
    let missing = |what: &str| {
        CompileError::at(table, format!("`{}` needs `{what}`", format_key(format))).note(format!(
            "write `{{ file = \"…\", {own} = \"…\", key = \"…\" }}` (`value`, a regex, is optional)"
        ))
    };
    let files = files.ok_or_else(|| missing("file"))?;
    let keys = keys.ok_or_else(|| missing("key"))?;
    let tables = match (tables, format) {
        (Some(tables), _) => tables,
        (None, Format::Toml) => vec![Vec::new()],
        (None, Format::Ini) => return Err(missing("section")),
    };
    Ok(Place {
        format,
        files,
        tables,
        keys,
        value,
    })
}

fn format_key(format: Format) -> &'static str {
    match format {
        Format::Ini => "ini",
        Format::Toml => "toml",
    }
}
