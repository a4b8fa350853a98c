//! Options a pack declares and a project sets: what each holds, how a value is read, and the
//! names it matches.
//!
//! A pack declares an option (`[pack.options.NAME]`) with a kind, a description and a default;
//! a configuration sets it (`[tool.anyio-lint.options.PACK]`), replacing the default. Both kinds
//! hold dotted-name globs (`pkg.sleep`, `pkg.sub.*`): `names` a list of them, `name-map` a table
//! mapping each to a text. The `qualified` condition's option form
//! (`qualified = { option = "NAME" }`) tests a node against them; a rule set compiles each
//! value once ([`NameSet`]), and derives from its names what a file must hold for a rule reading
//! it to match ([`NameSet::needs`]).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use regex::RegexSet;

use super::needs::{Needle, Needs};
use super::value::{Kind, Value};
use crate::pattern::anchor::Anchor;

/// What an option holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// A list of dotted-name globs.
    Names,
    /// A table mapping dotted-name globs to texts.
    NameMap,
}

/// The option kinds by the names packs write.
pub const KINDS: [(&str, OptionKind); 2] = [
    ("names", OptionKind::Names),
    ("name-map", OptionKind::NameMap),
];

impl OptionKind {
    /// The name a pack writes.
    pub fn name(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, kind)| *kind == self)
            .map_or("", |(name, _)| name)
    }

    /// A value of this kind, checked: an array of globs (`names`), a table of globs to texts
    /// (`name-map`).
    pub fn read(self, value: &Value, option: &str) -> Result<OptionValue, OptionError> {
        let mut entries = Vec::new();
        match (self, &value.kind) {
            (OptionKind::Names, Kind::Array(items)) => {
                for item in items {
                    let Some(glob) = item.as_str() else {
                        return Err(OptionError::at(
                            item,
                            format!(
                                "`{option}` lists dotted names: strings, not {}",
                                item.describe()
                            ),
                        ));
                    };
                    check_glob(glob, item)?;
                    entries.push((glob.to_owned(), String::new()));
                }
            }
            (OptionKind::NameMap, Kind::Table(items)) => {
                for (glob, item) in items {
                    let Some(text) = item.as_str() else {
                        let error = OptionError::at(
                            item,
                            format!(
                                "`{option}` maps dotted names to texts: the value of `{glob}` is {}",
                                item.describe()
                            ),
                        );
                        return Err(match &item.kind {
                            Kind::Table(inner) => {
                                let next = inner.first().map_or("…", |(key, _)| key.as_str());
                                error.note(format!(
                                    "TOML reads an unquoted dotted key as nested tables: quote \
                                     the name, `\"{glob}.{next}\" = …`"
                                ))
                            }
                            _ => error,
                        });
                    };
                    check_glob(glob, item)?;
                    entries.push((glob.clone(), text.to_owned()));
                }
            }
            (kind, _) => {
                let example = match kind {
                    OptionKind::Names => "[\"pkg.sleep\", \"pkg.sub.*\"]",
                    OptionKind::NameMap => "{ \"pkg.sleep\" = \"pkg.wait\" }",
                };
                return Err(OptionError::at(
                    value,
                    format!(
                        "`{option}` is a `{}` option: write {example}, not {}",
                        kind.name(),
                        value.describe()
                    ),
                ));
            }
        }
        Ok(OptionValue { entries })
    }
}

/// Why a value was refused: where, what is wrong, and what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionError {
    pub span: Option<Range<usize>>,
    pub message: String,
    pub note: Option<String>,
}

impl OptionError {
    fn at(value: &Value, message: impl Into<String>) -> OptionError {
        OptionError {
            span: value.span(),
            message: message.into(),
            note: None,
        }
    }

    fn note(mut self, note: impl Into<String>) -> OptionError {
        self.note = Some(note.into());
        self
    }
}

/// A name glob: dotted Python names, where `*` stands for any run of characters (dots included)
/// and `?` for one.
fn check_glob(glob: &str, at: &Value) -> Result<(), OptionError> {
    let segment_ok = |segment: &str| {
        !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '*' | '?'))
    };
    if glob.split('.').all(segment_ok) {
        return Ok(());
    }
    Err(OptionError::at(
        at,
        format!("`{glob}` is not a dotted name such as `pkg.sleep` or `pkg.sub.*`"),
    )
    .note("`*` stands for any run of characters, dots included, and `?` for one character"))
}

/// One option a pack declares.
#[derive(Debug, Clone)]
pub struct OptionDecl {
    pub name: String,
    pub kind: OptionKind,
    pub description: String,
    /// The value when the project sets none.
    pub default: OptionValue,
}

/// An option's value: its globs in the order written, each with its text (empty for `names`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct OptionValue {
    pub entries: Vec<(String, String)>,
}

/// The options a project sets: pack name → option name → value.
pub type OptionValues = BTreeMap<String, BTreeMap<String, OptionValue>>;

/// An option's value, compiled: which entry a name matches.
#[derive(Debug)]
pub struct NameSet {
    globs: Vec<String>,
    texts: Vec<Arc<str>>,
    set: RegexSet,
}

impl NameSet {
    pub fn new(value: &OptionValue) -> NameSet {
        let regexes = value.entries.iter().map(|(glob, _)| {
            let mut regex = String::from("^");
            for c in glob.chars() {
                match c {
                    '*' => regex.push_str(".*"),
                    '?' => regex.push('.'),
                    c => regex.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
                }
            }
            regex.push('$');
            regex
        });
        NameSet {
            globs: value.entries.iter().map(|(glob, _)| glob.clone()).collect(),
            texts: value
                .entries
                .iter()
                .map(|(_, text)| Arc::from(text.as_str()))
                .collect(),
            set: RegexSet::new(regexes).expect("globs are checked when read"),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// The text of the first entry (in the order written) whose glob matches one of `names`.
    pub fn find<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<&Arc<str>> {
        names
            .into_iter()
            .filter_map(|name| self.set.matches(name).into_iter().next())
            .min()
            .map(|entry| &self.texts[entry])
    }

    /// The top-level packages the globs name (`pkg` of `pkg.sub.*`): a file's imports of them
    /// give the qualified names the globs are matched against.
    pub fn packages(&self) -> impl Iterator<Item = &str> {
        self.globs
            .iter()
            .filter_map(|glob| glob.split('.').next())
            .filter(|root| literal(root))
    }

    /// What a file holds where a node matches one of the globs: every literal segment of one
    /// (in its imports or in the node); and what the node spells: the last literal segment of
    /// that glob, or a use of an import.
    pub fn needs(&self) -> Needs {
        let mut needles = Vec::new();
        let mut anchors = vec![Anchor::Import];
        for glob in &self.globs {
            let words: Vec<&str> = glob.split('.').filter(|s| literal(s)).collect();
            let Some(last) = words.last() else {
                // A glob with no literal segment matches anything: nothing is known.
                return Needs::nothing();
            };
            let anchor = Anchor::Word((*last).to_owned());
            if !anchors.contains(&anchor) {
                anchors.push(anchor);
            }
            needles.push(words.iter().map(|w| Needle::of((*w).to_owned())).collect());
        }
        Needs {
            needles,
            anchors,
            ..Needs::nothing()
        }
    }
}

/// Whether a glob's segment is a plain identifier.
fn literal(segment: &str) -> bool {
    !segment.is_empty() && !segment.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Value {
        #[derive(serde::Deserialize)]
        struct Holder {
            value: Value,
        }
        toml::from_str::<Holder>(&format!("value = {text}"))
            .expect("TOML")
            .value
    }

    #[test]
    fn the_first_glob_written_that_matches_gives_the_text() {
        let read = OptionKind::NameMap
            .read(
                &value(r#"{ "pkg.sub.*" = "first", "pkg.*" = "second", "*.get" = "third", "a?c" = "fourth" }"#),
                "o",
            )
            .expect("a name-map");
        let names = NameSet::new(&read);
        let text = |names_: &[&str]| names.find(names_.iter().copied()).map(|t| t.to_string());
        assert_eq!(text(&["pkg.sub.deep.fn"]).as_deref(), Some("first"));
        assert_eq!(text(&["pkg.other"]).as_deref(), Some("second"));
        assert_eq!(
            text(&["self.client.get", "pkg.x"]).as_deref(),
            Some("second")
        );
        assert_eq!(text(&["client.get"]).as_deref(), Some("third"));
        assert_eq!(text(&["abc"]).as_deref(), Some("fourth"));
        assert_eq!(text(&["abbc", "pkgx", "get"]), None);
        // Dots and other regex characters in a glob are literal.
        let dotted = NameSet::new(&OptionKind::Names.read(&value(r#"["a.b"]"#), "o").unwrap());
        assert!(dotted.find(["axb"]).is_none() && dotted.find(["a.b"]).is_some());
    }

    #[test]
    fn a_glob_gives_its_literal_segments_to_the_file_and_its_last_to_the_node() {
        let read = OptionKind::Names
            .read(&value(r#"["time.sleep", "*.session.*"]"#), "o")
            .unwrap();
        let names = NameSet::new(&read);
        let needs = names.needs();
        let words = |set: &Vec<Needle>| -> Vec<String> {
            set.iter()
                .map(|needle| match needle {
                    Needle::Word(word) | Needle::Text(word) => word.clone(),
                })
                .collect()
        };
        let sets: Vec<Vec<String>> = needs.needles.iter().map(words).collect();
        assert_eq!(sets, [vec!["time", "sleep"], vec!["session"]]);
        assert_eq!(
            needs.anchors,
            [
                Anchor::Import,
                Anchor::Word("sleep".into()),
                Anchor::Word("session".into())
            ]
        );
        assert_eq!(names.packages().collect::<Vec<_>>(), ["time"]);
        // A glob with no literal segment can match anything.
        let any = NameSet::new(&OptionKind::Names.read(&value(r#"["*"]"#), "o").unwrap());
        assert_eq!(any.needs().needles, vec![Vec::<Needle>::new()]);
    }

    #[test]
    fn values_of_the_wrong_kind_or_names_that_are_no_dotted_names_are_refused() {
        let refused = |kind: OptionKind, text: &str| {
            kind.read(&value(text), "o").expect_err("refused").message
        };
        assert!(refused(OptionKind::Names, r#"{ "a" = "b" }"#).contains("a `names` option"));
        assert!(refused(OptionKind::NameMap, r#"["a"]"#).contains("a `name-map` option"));
        assert!(refused(OptionKind::Names, r#"["a b"]"#).contains("not a dotted name"));
        assert!(refused(OptionKind::Names, r#"["a..b"]"#).contains("not a dotted name"));
        assert!(refused(OptionKind::Names, "[1]").contains("strings, not an integer"));
        let nested = OptionKind::NameMap
            .read(&value(r#"{ time.sleep = "x" }"#), "o")
            .expect_err("refused");
        assert!(nested.note.unwrap().contains("\"time.sleep\" = …"));
    }
}
