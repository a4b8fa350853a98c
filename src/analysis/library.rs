//! Library models: what a library's modules export, what its classes have, and what its callables
//! return, across the versions the model covers.
//!
//! A model is data a pack loads (`[pack] libraries`); the engine knows no library of its own. The
//! [`types`](super::types) of values are the model's class names, and the conditions on typed values
//! ask a [`Library`] whether a class has a member at the project's version, what a call binds to
//! ([`signature`](super::signature)), and which modules importing one loads.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::base::version::Version;

/// One library's model.
#[derive(Debug, Default)]
pub struct Library {
    pub name: String,
    /// The versions the model was read from, oldest first.
    pub versions: Vec<Version>,
    pub modules: FxHashMap<String, Module>,
    classes: FxHashMap<String, ClassSlot>,
    /// The names of the coroutine methods of its classes, gathered on first use.
    coroutine_methods: OnceLock<FxHashSet<String>>,
}

/// A module of the library and the names it exports.
#[derive(Debug, Default)]
pub struct Module {
    pub lifetime: Lifetime,
    pub names: FxHashMap<String, Entry>,
    /// The modules importing this one loads besides itself, its parent packages and what they
    /// load (each an attribute of its parent package from then on), with the versions that do.
    pub loads: Vec<(String, Lifetime)>,
}

/// A class of the library and its public members, inherited ones included.
#[derive(Debug, Default)]
pub struct Class {
    pub members: FxHashMap<String, Entry>,
    /// Whether it may have members the model does not list (a base outside the library, a
    /// `__getattr__`): only listed members are then known, none is known to be missing.
    pub open: bool,
    /// What calling the class binds to.
    pub signature: Signature,
}

/// A class as the model holds it: read, or its text, read on first use by `read` (a built-in
/// model's classes, which its tests read in full).
enum ClassSlot {
    Read(Class),
    Later {
        text: &'static str,
        read: fn(&'static str) -> Option<Class>,
        class: OnceLock<Option<Class>>,
    },
}

impl std::fmt::Debug for ClassSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClassSlot::Read(class) => class.fmt(f),
            ClassSlot::Later { class, .. } => f.debug_tuple("Later").field(&class.get()).finish(),
        }
    }
}

impl ClassSlot {
    fn get(&self) -> Option<&Class> {
        match self {
            ClassSlot::Read(class) => Some(class),
            ClassSlot::Later { text, read, class } => class.get_or_init(|| read(text)).as_ref(),
        }
    }
}

/// What a callable's calls bind to, per run of versions: each a signature as
/// [`signature`](super::signature) reads it. Empty when the model does not know.
#[derive(Debug, Clone, Default)]
pub struct Signature(pub Vec<(Lifetime, Box<str>)>);

impl Signature {
    /// The signature at `version`, when the model knows it.
    pub fn at(&self, version: &Version) -> Option<&str> {
        self.0
            .iter()
            .find(|(lifetime, _)| lifetime.includes(version))
            .map(|(_, text)| &**text)
    }
}

impl Class {
    /// Whether an instance surely lacks `name` at `version`: the class is not open, and the
    /// model lists no such member in that version. Dunder names are never judged.
    pub fn lacks(&self, name: &str, version: &Version) -> bool {
        if self.open || (name.starts_with("__") && name.ends_with("__")) {
            return false;
        }
        self.members
            .get(name)
            .is_none_or(|member| !member.lifetime.includes(version))
    }
}

/// A name a module exports or a member a class has, and the versions that have it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    pub lifetime: Lifetime,
    /// What calling a function or method binds to (a method's as called on its instance).
    pub signature: Signature,
}

/// What a name or member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A class, by its name in the model.
    Class(String),
    /// A function or method: whether it is a coroutine function, and what it (or, for a
    /// coroutine function, awaiting its call) gives when the model knows.
    Callable {
        coroutine: bool,
        returns: Option<String>,
    },
    /// A submodule, by its dotted name.
    Module(String),
    /// An attribute or property, with its type when the model knows.
    Attribute(Option<String>),
    /// Any other value.
    Value,
}

/// The versions that have something: from `since` (the model's first version when `None`) up to,
/// not including, `until`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifetime {
    pub since: Option<Version>,
    pub until: Option<Version>,
}

impl Lifetime {
    /// Whether `version` (compared on its major and minor parts) has it.
    pub fn includes(&self, version: &Version) -> bool {
        let minor = minor_of(version);
        self.since.as_ref().is_none_or(|since| *since <= minor)
            && self.until.as_ref().is_none_or(|until| minor < *until)
    }
}

/// The major and minor parts of a version: models are kept per minor release.
fn minor_of(version: &Version) -> Version {
    let text = version.to_string();
    let minor: Vec<&str> = text.split('.').take(2).collect();
    Version::parse(&minor.join(".")).unwrap_or_else(|| version.clone())
}

/// What a dotted name resolves to in a model.
#[derive(Debug, Clone, Copy)]
pub enum Resolved<'l> {
    Module(&'l str),
    Entry(&'l Entry),
}

impl Library {
    /// The version to judge code against, of the project's `versions`: the library's, when the
    /// project declares one, else the newest the model covers. `None` when the project's is
    /// older than any the model covers.
    pub fn version_in<'v>(
        &'v self,
        versions: &'v BTreeMap<String, Version>,
    ) -> Option<&'v Version> {
        match versions.get(&self.name) {
            Some(version) => {
                let oldest = self.versions.first()?;
                (minor_of(version) >= *oldest).then_some(version)
            }
            None => self.versions.last(),
        }
    }

    /// What the dotted name `qualified` is in the model, at any version.
    pub fn resolve(&self, qualified: &str) -> Option<Resolved<'_>> {
        if let Some((name, _)) = self.modules.get_key_value(qualified) {
            return Some(Resolved::Module(name));
        }
        let (module, name) = qualified.rsplit_once('.')?;
        match self.resolve(module)? {
            Resolved::Module(module) => self.modules[module].names.get(name).map(Resolved::Entry),
            Resolved::Entry(entry) => match &entry.kind {
                EntryKind::Class(class) => self
                    .class(class)
                    .and_then(|class| class.members.get(name))
                    .map(Resolved::Entry),
                _ => None,
            },
        }
    }

    /// Whether the dotted name `qualified` surely does not exist at `version`: a module of the
    /// model that the version lacks, or a public name a module of the model does not export in
    /// it. A private or dunder name, and an attribute of something other than a module, are not
    /// judged.
    pub fn lacks_name(&self, qualified: &str, version: &Version) -> bool {
        if let Some(module) = self.modules.get(qualified) {
            return !module.lifetime.includes(version);
        }
        let Some((parent, name)) = qualified.rsplit_once('.') else {
            return false;
        };
        if name.starts_with('_') {
            return false;
        }
        let Some(module) = self.modules.get(parent) else {
            return false;
        };
        !module.lifetime.includes(version)
            || module
                .names
                .get(name)
                .is_none_or(|entry| !entry.lifetime.includes(version))
    }

    /// The member `name` of the class `class`, at any version.
    pub fn member(&self, class: &str, name: &str) -> Option<&Entry> {
        self.class(class)?.members.get(name)
    }

    /// Whether some class of the model has a coroutine method `name`.
    pub fn has_coroutine_method(&self, name: &str) -> bool {
        self.coroutine_method_names().contains(name)
    }

    /// The names of the coroutine methods of the model's classes.
    pub fn coroutine_methods(&self) -> impl Iterator<Item = String> + '_ {
        self.coroutine_method_names().iter().cloned()
    }

    fn coroutine_method_names(&self) -> &FxHashSet<String> {
        self.coroutine_methods.get_or_init(|| {
            let classes = self.classes.values().filter_map(ClassSlot::get);
            let members = classes.flat_map(|class| &class.members);
            members
                .filter(|(_, member)| {
                    matches!(
                        member.kind,
                        EntryKind::Callable {
                            coroutine: true,
                            ..
                        }
                    )
                })
                .map(|(name, _)| name.clone())
                .collect()
        })
    }

    /// Whether the model describes `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.classes.contains_key(class)
    }

    /// The class named `class`.
    pub fn class(&self, class: &str) -> Option<&Class> {
        self.classes.get(class)?.get()
    }

    /// The names of the classes the model describes, in no particular order.
    pub fn class_names(&self) -> impl Iterator<Item = &str> {
        self.classes.keys().map(String::as_str)
    }

    /// Add a class the model describes.
    pub fn add_class(&mut self, name: String, class: Class) {
        self.classes.insert(name, ClassSlot::Read(class));
    }

    /// Add a class whose table `text` is read by `read` on first use.
    pub fn add_class_later(
        &mut self,
        name: String,
        text: &'static str,
        read: fn(&'static str) -> Option<Class>,
    ) {
        let class = OnceLock::new();
        self.classes
            .insert(name, ClassSlot::Later { text, read, class });
    }

    /// What calling the module-level name `qualified` (a function, or a class) binds to at
    /// `version`, when the model knows; a name the version lacks has none.
    pub fn call_signature(&self, qualified: &str, version: &Version) -> Option<&str> {
        let (module, name) = qualified.rsplit_once('.')?;
        let entry = self.modules.get(module)?.names.get(name)?;
        if !entry.lifetime.includes(version) {
            return None;
        }
        match &entry.kind {
            EntryKind::Callable { .. } => entry.signature.at(version),
            EntryKind::Class(class) => self.class(class)?.signature.at(version),
            _ => None,
        }
    }

    /// The modules of the model that importing each of `imported` loads at `version`: each of
    /// them and its parent packages, and what any of those loads, followed.
    pub fn loaded<'a>(
        &'a self,
        imported: impl IntoIterator<Item = &'a str>,
        version: &Version,
    ) -> FxHashSet<&'a str> {
        let mut loaded: FxHashSet<&str> = FxHashSet::default();
        let mut pending: Vec<&str> = Vec::new();
        for module in imported {
            pending.extend(module.match_indices('.').map(|(dot, _)| &module[..dot]));
            pending.push(module);
        }
        while let Some(module) = pending.pop() {
            if !loaded.insert(module) {
                continue;
            }
            if let Some(model) = self.modules.get(module) {
                for (name, lifetime) in &model.loads {
                    if lifetime.includes(version) {
                        pending.extend(name.match_indices('.').map(|(dot, _)| &name[..dot]));
                        pending.push(name);
                    }
                }
            }
        }
        loaded
    }
}

/// The models a pack loaded.
#[derive(Debug, Default)]
pub struct Libraries(pub Vec<std::sync::Arc<Library>>);

impl Libraries {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The library whose model holds the dotted name `qualified` (a module, a name or a class).
    pub fn owning(&self, qualified: &str) -> Option<&Library> {
        let root = qualified.split('.').next()?;
        self.0
            .iter()
            .map(|library| &**library)
            .find(|library| library.name == root)
    }

    /// The class named `class` and the library that describes it.
    pub fn class(&self, class: &str) -> Option<(&Library, &Class)> {
        self.0
            .iter()
            .find_map(|library| Some((&**library, library.class(class)?)))
    }

    /// What a call of the method `name` on an instance of the model class `class` binds to in
    /// the project's `versions`, when the model knows (a class the model marks open is not
    /// judged: a base outside the library may answer instead).
    pub fn method_signature(
        &self,
        class: &str,
        name: &str,
        versions: &BTreeMap<String, Version>,
    ) -> Option<&str> {
        let (library, model) = self.class(class)?;
        if model.open {
            return None;
        }
        let version = library.version_in(versions)?;
        let member = model.members.get(name)?;
        if !member.lifetime.includes(version) {
            return None;
        }
        match member.kind {
            EntryKind::Callable { .. } => member.signature.at(version),
            _ => None,
        }
    }

    /// Whether an instance of the model class `class` surely lacks `name` in the project's
    /// `versions` (see [`Class::lacks`] and [`Library::version_in`]); false for a class no model
    /// describes.
    pub fn lacks(&self, class: &str, name: &str, versions: &BTreeMap<String, Version>) -> bool {
        self.class(class).is_some_and(|(library, model)| {
            library
                .version_in(versions)
                .is_some_and(|version| model.lacks(name, version))
        })
    }

    /// The class `with value as target` binds to `target` for a `value` of class `class`: what
    /// its `__aenter__` (for `async with`) or `__enter__` returns, when the model says.
    pub fn entered(&self, class: &str, is_async: bool) -> Option<&str> {
        let (_, model) = self.class(class)?;
        let enter = if is_async { "__aenter__" } else { "__enter__" };
        match &model.members.get(enter)?.kind {
            EntryKind::Callable {
                returns: Some(result),
                ..
            } => Some(result),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_compare_minor_versions() {
        let v = |text| Version::parse(text).unwrap();
        let lifetime = Lifetime {
            since: Some(v("4.5")),
            until: Some(v("4.9")),
        };
        assert!(!lifetime.includes(&v("4.4.2")));
        assert!(lifetime.includes(&v("4.5.0")));
        assert!(lifetime.includes(&v("4.8.9")));
        assert!(!lifetime.includes(&v("4.9")));
        assert!(Lifetime::default().includes(&v("4.0")));
    }
}
