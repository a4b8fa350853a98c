//! Reading library models: the TOML files a pack's `libraries` names (a built-in model by name,
//! or a file beside the pack), checked as strictly as packs are, each error pointing at its line.
//!
//! The format is documented in `docs/rulepacks.md` ("Library models").

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rustc_hash::FxHashMap;

use super::error::{self, SourceError};
use crate::analysis::library::{Class, Entry, EntryKind, Library, Lifetime, Module, Signature};
use crate::analysis::signature;
use crate::base::version::Version;
use crate::condition::value::Value;

/// The models compiled into the binary: every `rulepacks/libraries/*.toml` of the source tree.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_libraries.rs"));

/// Table headers only a model has: a file without one is not quoted in errors.
const MODEL_MARKERS: &[&str] = &["[library]", "[modules.", "[classes."];

/// Why a pack's `libraries` entry names no model.
pub enum NamedError {
    /// The entry itself is wrong (what to write instead).
    Entry(String),
    /// The model it names cannot be read or is refused, at its own line.
    Model(SourceError),
}

/// The model a pack's `libraries` entry names: `name` for a built-in model, a path ending in
/// `.toml` for a file, relative to the pack's (`pack_origin`).
pub fn load_named(name: &str, pack_origin: &str) -> Result<Arc<Library>, NamedError> {
    if !name.ends_with(".toml") {
        return builtin(name);
    }
    if pack_origin.starts_with("builtin:") {
        return Err(NamedError::Entry(format!(
            "a built-in pack names built-in models only, not `{name}`"
        )));
    }
    let base = Path::new(pack_origin).parent().unwrap_or(Path::new(""));
    let path = base.join(name);
    let shown = path.display().to_string();
    let text = error::read_text(&path, "library model").map_err(NamedError::Model)?;
    load(&shown, &text).map(Arc::new).map_err(NamedError::Model)
}

/// A built-in model, read once per process.
fn builtin(name: &str) -> Result<Arc<Library>, NamedError> {
    static LOADED: OnceLock<Mutex<FxHashMap<String, Arc<Library>>>> = OnceLock::new();
    let loaded = LOADED.get_or_init(Default::default);
    if let Some(library) = loaded.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return Ok(library.clone());
    }
    let file = format!("{name}.toml");
    let Some((_, text)) = BUILTIN.iter().find(|(f, _)| *f == file) else {
        let known: Vec<&str> = BUILTIN
            .iter()
            .map(|(f, _)| f.trim_end_matches(".toml"))
            .collect();
        return Err(NamedError::Entry(format!(
            "no built-in library model `{name}` (built-in: {}); a model file is named by a path \
             ending in `.toml`",
            known.join(", ")
        )));
    };
    let library = Arc::new(
        load_lazily(&format!("builtin:libraries/{file}"), text).map_err(NamedError::Model)?,
    );
    loaded
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_owned(), library.clone());
    Ok(library)
}

/// Read a model from its TOML text; `origin` names it in errors.
pub fn load(origin: &str, source: &str) -> Result<Library, SourceError> {
    let root: Value = toml::from_str(source).map_err(|e| {
        if !error::looks_like(source, MODEL_MARKERS) {
            return SourceError::unquoted(
                origin,
                source,
                e.span(),
                "this file is not a library model (a model is TOML with a `[library]` table)",
            );
        }
        SourceError::new(origin, source, e.span(), e.message().to_owned()).label("here")
    })?;
    let reader = Reader { origin, source };
    reader.library(&root)
}

/// A built-in model, its `[classes."…"]` tables read on first use: they are most of the text, and
/// a run reads few of them. The tables follow every other one, each from its header line to the
/// next; a text laid out otherwise is read whole. The tests read every table of every built-in
/// model, so none fails to read later.
fn load_lazily(origin: &str, text: &'static str) -> Result<Library, SourceError> {
    let Some((start, tables)) = class_tables(text) else {
        return load(origin, text);
    };
    let mut library = load(origin, &text[..start])?;
    for (name, table) in tables {
        library.add_class_later(name, table, read_class_table);
    }
    Ok(library)
}

/// Where the class tables start, and each by its class name; `None` unless every table from the
/// first `[classes."…"]` on is one, named by a plain quoted key.
fn class_tables(text: &str) -> Option<(usize, Vec<(String, &str)>)> {
    const HEADER: &str = "[classes.\"";
    let start = if text.starts_with(HEADER) {
        0
    } else {
        text.find(&format!("\n{HEADER}"))? + 1
    };
    let mut tables = Vec::new();
    let mut rest = &text[start..];
    while !rest.is_empty() {
        let header_end = rest.find('\n').map_or(rest.len(), |end| end + 1);
        let name = rest[..header_end]
            .trim_end()
            .strip_prefix(HEADER)?
            .strip_suffix("\"]")?;
        if name.contains(['"', '\\']) {
            return None;
        }
        let body = &rest[header_end..];
        let end = if body.starts_with('[') {
            header_end
        } else {
            body.find("\n[")
                .map_or(rest.len(), |at| header_end + at + 1)
        };
        tables.push((name.to_owned(), &rest[..end]));
        rest = &rest[end..];
    }
    Some((start, tables))
}

/// One class table of a built-in model, read on first use; `None` when it does not read (which
/// the tests rule out).
fn read_class_table(text: &'static str) -> Option<Class> {
    let root: Value = toml::from_str(text).ok()?;
    let reader = Reader {
        origin: "builtin",
        source: text,
    };
    let [(key, classes)] = root.as_table()? else {
        return None;
    };
    let [(_, class)] = classes.as_table()? else {
        return None;
    };
    (key == "classes").then(|| reader.class(class).ok())?
}

struct Reader<'a> {
    origin: &'a str,
    source: &'a str,
}

impl Reader<'_> {
    fn error(&self, at: &Value, message: impl Into<String>) -> SourceError {
        SourceError::new(self.origin, self.source, at.span(), message)
    }

    fn table<'v>(
        &self,
        value: &'v Value,
        what: &str,
    ) -> Result<&'v [(String, Value)], SourceError> {
        value.as_table().ok_or_else(|| {
            self.error(
                value,
                format!("{what} is a table, not {}", value.describe()),
            )
        })
    }

    fn string<'v>(&self, value: &'v Value, what: &str) -> Result<&'v str, SourceError> {
        value.as_str().ok_or_else(|| {
            self.error(
                value,
                format!("{what} is a string, not {}", value.describe()),
            )
        })
    }

    fn version(&self, value: &Value, what: &str) -> Result<Version, SourceError> {
        let text = self.string(value, what)?;
        Version::parse(text).ok_or_else(|| {
            self.error(
                value,
                format!("{what}: `{text}` is not a version such as `4.5`"),
            )
        })
    }

    fn library(&self, root: &Value) -> Result<Library, SourceError> {
        let mut library = Library::default();
        let mut has_header = false;
        for (key, value) in self.table(root, "a library model")? {
            match key.as_str() {
                "library" => {
                    has_header = true;
                    for (key, item) in self.table(value, "`library`")? {
                        match key.as_str() {
                            "name" => {
                                library.name = self.string(item, "`library.name`")?.to_owned()
                            }
                            "versions" => {
                                let Some(items) = item.as_array() else {
                                    return Err(self.error(
                                        item,
                                        "`library.versions` is an array of versions",
                                    ));
                                };
                                for version in items {
                                    library.versions.push(self.version(version, "a version")?);
                                }
                                if !library.versions.is_sorted() {
                                    return Err(self.error(
                                        item,
                                        "`library.versions` lists versions oldest first",
                                    ));
                                }
                            }
                            other => {
                                return Err(self.unknown(
                                    item,
                                    other,
                                    "`library`",
                                    &["name", "versions"],
                                ));
                            }
                        }
                    }
                }
                "modules" => {
                    for (name, module) in self.table(value, "`modules`")? {
                        library.modules.insert(name.clone(), self.module(module)?);
                    }
                }
                "classes" => {
                    for (name, class) in self.table(value, "`classes`")? {
                        library.add_class(name.clone(), self.class(class)?);
                    }
                }
                other => {
                    return Err(self.unknown(
                        value,
                        other,
                        "a library model",
                        &["library", "modules", "classes"],
                    ));
                }
            }
        }
        if !has_header || library.name.is_empty() || library.versions.is_empty() {
            return Err(SourceError::new(
                self.origin,
                self.source,
                None,
                "a library model starts with `[library]`, giving its `name` and the `versions` it covers",
            ));
        }
        for (name, _) in library.modules.iter() {
            if name.split('.').next() != Some(library.name.as_str()) {
                return Err(self.error(
                    root,
                    format!("module `{name}` is not inside `{}`", library.name),
                ));
            }
        }
        Ok(library)
    }

    fn class(&self, value: &Value) -> Result<Class, SourceError> {
        let mut class = Class::default();
        for (key, item) in self.table(value, "a class")? {
            match key.as_str() {
                "open" => {
                    class.open = item
                        .as_bool()
                        .ok_or_else(|| self.error(item, "`open` is true or false"))?;
                }
                "since" | "until" => {}
                "signature" => class.signature = self.signature(item)?,
                "members" => {
                    for (member, entry) in self.table(item, "`members`")? {
                        class.members.insert(member.clone(), self.entry(entry)?);
                    }
                }
                other => {
                    return Err(self.unknown(
                        item,
                        other,
                        "a class",
                        &["members", "open", "signature", "since", "until"],
                    ));
                }
            }
        }
        Ok(class)
    }

    /// `signature = "…"`, or `[{ parameters = "…", since = "…", until = "…" }, …]` where it
    /// changes between versions; each checked as [`signature::parse`] reads it.
    fn signature(&self, value: &Value) -> Result<Signature, SourceError> {
        let check = |item: &Value, text: &str| {
            signature::parse(text)
                .map(|_| text.into())
                .map_err(|message| self.error(item, format!("this signature: {message}")))
        };
        if let Some(text) = value.as_str() {
            return Ok(Signature(vec![(Lifetime::default(), check(value, text)?)]));
        }
        let Some(items) = value.as_array() else {
            return Err(self.error(
                value,
                "`signature` is a string of parameters, or an array of `{ parameters = \"…\", since = \"…\", until = \"…\" }`",
            ));
        };
        let mut runs = Vec::new();
        for item in items {
            let entries = self.table(item, "a signature's version range")?;
            let mut text = None;
            for (key, part) in entries {
                match key.as_str() {
                    "parameters" => text = Some(check(part, self.string(part, "`parameters`")?)?),
                    "since" | "until" => {}
                    other => {
                        return Err(self.unknown(
                            part,
                            other,
                            "a signature's version range",
                            &["parameters", "since", "until"],
                        ));
                    }
                }
            }
            let Some(text) = text else {
                return Err(self.error(item, "a signature's version range gives its `parameters`"));
            };
            runs.push((self.lifetime(entries)?, text));
        }
        Ok(Signature(runs))
    }

    /// `loads = ["pkg.sub", { module = "pkg.other", since = "…", until = "…" }, …]`.
    fn loads(&self, value: &Value) -> Result<Vec<(String, Lifetime)>, SourceError> {
        let Some(items) = value.as_array() else {
            return Err(self.error(value, "`loads` is an array of module names"));
        };
        let mut loads = Vec::with_capacity(items.len());
        for item in items {
            if let Some(name) = item.as_str() {
                loads.push((name.to_owned(), Lifetime::default()));
                continue;
            }
            let entries = self.table(item, "an entry of `loads`")?;
            let mut name = None;
            for (key, part) in entries {
                match key.as_str() {
                    "module" => name = Some(self.string(part, "`module`")?.to_owned()),
                    "since" | "until" => {}
                    other => {
                        return Err(self.unknown(
                            part,
                            other,
                            "an entry of `loads`",
                            &["module", "since", "until"],
                        ));
                    }
                }
            }
            let Some(name) = name else {
                return Err(self.error(item, "an entry of `loads` names its `module`"));
            };
            loads.push((name, self.lifetime(entries)?));
        }
        Ok(loads)
    }

    fn unknown(&self, at: &Value, key: &str, what: &str, known: &[&str]) -> SourceError {
        self.error(at, format!("unknown key `{key}` in {what}"))
            .label(format!("expected one of: {}", known.join(", ")))
    }

    fn lifetime(&self, entries: &[(String, Value)]) -> Result<Lifetime, SourceError> {
        let mut lifetime = Lifetime::default();
        for (key, item) in entries {
            match key.as_str() {
                "since" => lifetime.since = Some(self.version(item, "`since`")?),
                "until" => lifetime.until = Some(self.version(item, "`until`")?),
                _ => {}
            }
        }
        Ok(lifetime)
    }

    fn module(&self, value: &Value) -> Result<Module, SourceError> {
        let entries = self.table(value, "a module")?;
        let mut module = Module {
            lifetime: self.lifetime(entries)?,
            ..Module::default()
        };
        for (key, item) in entries {
            match key.as_str() {
                "since" | "until" => {}
                "loads" => module.loads = self.loads(item)?,
                "names" => {
                    for (name, entry) in self.table(item, "`names`")? {
                        module.names.insert(name.clone(), self.entry(entry)?);
                    }
                }
                other => {
                    return Err(self.unknown(
                        item,
                        other,
                        "a module",
                        &["loads", "names", "since", "until"],
                    ));
                }
            }
        }
        Ok(module)
    }

    /// One name or member: `{ class = "C" }`, `{ function = "sync" | "async", returns = "C",
    /// signature = "…" }` (`method` for members), `{ module = "m" }`, `{ attribute = "C" }` (`""`
    /// when not known), `{}`; each with `since` and `until`.
    fn entry(&self, value: &Value) -> Result<Entry, SourceError> {
        let entries = self.table(value, "a name's entry")?;
        let lifetime = self.lifetime(entries)?;
        let mut kind = EntryKind::Value;
        let mut returns = None;
        let mut coroutine = None;
        let mut signature = None;
        for (key, item) in entries {
            match key.as_str() {
                "since" | "until" => {}
                "signature" => signature = Some((item, self.signature(item)?)),
                "class" => kind = EntryKind::Class(self.string(item, "`class`")?.to_owned()),
                "module" => kind = EntryKind::Module(self.string(item, "`module`")?.to_owned()),
                "attribute" => {
                    let class = self.string(item, "`attribute`")?;
                    kind = EntryKind::Attribute((!class.is_empty()).then(|| class.to_owned()));
                }
                "function" | "method" => {
                    coroutine = Some(match self.string(item, key)? {
                        "sync" => false,
                        "async" => true,
                        _ => {
                            return Err(
                                self.error(item, format!("`{key}` is \"sync\" or \"async\""))
                            );
                        }
                    });
                }
                "returns" => returns = Some(self.string(item, "`returns`")?.to_owned()),
                other => {
                    return Err(self.unknown(
                        item,
                        other,
                        "a name's entry",
                        &[
                            "class",
                            "function",
                            "method",
                            "returns",
                            "signature",
                            "module",
                            "attribute",
                            "since",
                            "until",
                        ],
                    ));
                }
            }
        }
        if let Some(coroutine) = coroutine {
            kind = EntryKind::Callable { coroutine, returns };
        } else if returns.is_some() {
            return Err(self.error(value, "`returns` belongs to a `function` or `method`"));
        } else if let Some((item, _)) = signature {
            return Err(self.error(
                item,
                "`signature` belongs to a `function` or `method` (a class's is in its own table)",
            ));
        }
        Ok(Entry {
            kind,
            lifetime,
            signature: signature.map(|(_, s)| s).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"
[library]
name = "pkg"
versions = ["1.0", "1.1"]

[modules."pkg"]
loads = ["pkg.core", { module = "pkg.extra", since = "1.1" }]
names.Thing = { class = "pkg.Thing" }
names.make = { function = "async", returns = "pkg.Thing", since = "1.1" }
names.run = { function = "sync", signature = [{ parameters = "func", until = "1.1" }, { parameters = "func, *, backend=", since = "1.1" }] }

[modules."pkg.core"]
loads = ["pkg.deep"]

[modules."pkg.deep"]
[modules."pkg.extra"]
[modules."pkg.lazy"]

[classes."pkg.Thing"]
signature = "size=, *items"
members.go = { method = "sync", returns = "None", signature = "" }
members.size = { attribute = "" }
"#;

    #[test]
    fn a_model_is_read_with_lifetimes() {
        let library = load("model.toml", MODEL).expect("reads");
        assert_eq!(library.name, "pkg");
        let make = &library.modules["pkg"].names["make"];
        assert_eq!(
            make.kind,
            EntryKind::Callable {
                coroutine: true,
                returns: Some("pkg.Thing".into())
            }
        );
        assert!(!make.lifetime.includes(&Version::parse("1.0").unwrap()));
        assert_eq!(
            library.member("pkg.Thing", "size").unwrap().kind,
            EntryKind::Attribute(None)
        );
    }

    #[test]
    fn a_name_is_missing_where_its_module_does_not_export_it() {
        let library = load("model.toml", MODEL).expect("reads");
        let v = |text| Version::parse(text).unwrap();
        assert!(library.lacks_name("pkg.gone", &v("1.1")));
        assert!(library.lacks_name("pkg.make", &v("1.0")));
        assert!(!library.lacks_name("pkg.make", &v("1.1")));
        assert!(!library.lacks_name("pkg", &v("1.0")));
        // Private names, and attributes of what is not a module, are not judged.
        assert!(!library.lacks_name("pkg._private", &v("1.1")));
        assert!(!library.lacks_name("pkg.Thing.anything", &v("1.1")));
        assert!(!library.lacks_name("other.name", &v("1.1")));
    }

    #[test]
    fn signatures_are_read_per_version() {
        let library = load("model.toml", MODEL).expect("reads");
        let v = |text| Version::parse(text).unwrap();
        assert_eq!(library.call_signature("pkg.run", &v("1.0")), Some("func"));
        assert_eq!(
            library.call_signature("pkg.run", &v("1.1")),
            Some("func, *, backend=")
        );
        assert_eq!(
            library.call_signature("pkg.Thing", &v("1.0")),
            Some("size=, *items")
        );
        // A name the version lacks, or one the model gives no signature, has none.
        assert_eq!(library.call_signature("pkg.make", &v("1.0")), None);
        assert_eq!(library.call_signature("pkg.make", &v("1.1")), None);
        assert_eq!(
            library
                .member("pkg.Thing", "go")
                .unwrap()
                .signature
                .at(&v("1.0")),
            Some("")
        );
        for (wrong, message) in [
            ("signature = \"size=, *items\"", "signature = \"a, a\""),
            ("signature = \"size=, *items\"", "signature = 3"),
            (
                "members.size = { attribute = \"\" }",
                "members.size = { attribute = \"\", signature = \"\" }",
            ),
        ] {
            let broken = MODEL.replace(wrong, message);
            assert!(load("model.toml", &broken).is_err(), "{message}");
        }
    }

    #[test]
    fn loading_follows_what_each_module_loads() {
        let library = load("model.toml", MODEL).expect("reads");
        let v = |text| Version::parse(text).unwrap();
        let loaded = library.loaded(["pkg"], &v("1.0"));
        for module in ["pkg", "pkg.core", "pkg.deep"] {
            assert!(loaded.contains(module), "{module}");
        }
        assert!(!loaded.contains("pkg.extra") && !loaded.contains("pkg.lazy"));
        assert!(library.loaded(["pkg"], &v("1.1")).contains("pkg.extra"));
        // Importing a submodule runs its packages first.
        assert!(library.loaded(["pkg.lazy"], &v("1.0")).contains("pkg.deep"));
    }

    #[test]
    fn mistakes_point_at_their_line() {
        let broken = MODEL.replace("method = \"sync\"", "method = \"maybe\"");
        let error = load("model.toml", &broken).expect_err("refused");
        assert!(
            error.message().contains("\"sync\" or \"async\""),
            "{}",
            error.message()
        );
        assert!(error.location().contains(":21:"), "{}", error.location());
        let unknown = MODEL.replace("members.size", "members.size = 1\nextra");
        assert!(load("model.toml", &unknown).is_err());
    }

    #[test]
    fn every_builtin_model_loads() {
        for (file, text) in BUILTIN {
            let library = match builtin(file.trim_end_matches(".toml")) {
                Ok(library) => library,
                Err(NamedError::Entry(message)) => panic!("{file}: {message}"),
                Err(NamedError::Model(error)) => panic!("{file}: {}", error.message()),
            };
            // Its classes, read on first use, read as a whole reading reads them.
            let whole = load(file, text).unwrap_or_else(|e| panic!("{file}: {}", e.message()));
            let mut names: Vec<&str> = library.class_names().collect();
            names.sort_unstable();
            let mut whole_names: Vec<&str> = whole.class_names().collect();
            whole_names.sort_unstable();
            assert_eq!(names, whole_names, "{file}");
            for name in names {
                let (lazy, eager) = (library.class(name), whole.class(name));
                let (Some(lazy), Some(eager)) = (lazy, eager) else {
                    panic!("{file}: class `{name}` does not read");
                };
                assert_eq!(lazy.members.len(), eager.members.len(), "{file}: {name}");
                assert_eq!(lazy.open, eager.open, "{file}: {name}");
                assert_eq!(
                    lazy.signature.0.len(),
                    eager.signature.0.len(),
                    "{file}: {name}"
                );
            }
        }
    }

    #[test]
    fn class_tables_are_found_by_their_headers() {
        let text =
            "[library]\nname = \"p\"\n\n[classes.\"p.A\"]\nopen = true\n\n[classes.\"p.B\"]\n";
        let (start, tables) = class_tables(text).expect("laid out as a built-in model");
        assert_eq!(&text[..start], "[library]\nname = \"p\"\n\n");
        let names: Vec<&str> = tables.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["p.A", "p.B"]);
        assert_eq!(tables[0].1, "[classes.\"p.A\"]\nopen = true\n\n");
        // Any other table after the classes: read whole.
        assert!(class_tables(&format!("{text}[modules.\"p\"]\n")).is_none());
    }
}
