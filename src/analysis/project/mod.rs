//! What the modules of a run's project define: the facts a condition may ask of a name one file
//! imports from another, read only from the files of the run and only when asked.
//!
//! A [`Project`] is the run's Python files. Each file is a module named from its path: its stem
//! under the packages it lies in, a package being a directory that holds an `__init__.py`
//! (`src/pkg/sub/mod.py` is `pkg.sub.mod` when `pkg` and `pkg/sub` are packages, and
//! `pkg/__init__.py` is `pkg`), so a `src/` layout names its modules as Python imports them. A
//! file's name is worked out when a question may concern it (its stem is the last part of the
//! name asked about), with one look for an `__init__.py` per directory. What a module binds at its
//! top level ([`ModuleFacts`]) is read from its file on the first question about it, by a light
//! tokenizer ([`scan`]), never a second parse; a file that cannot be read tells nothing. Several
//! files of one module name (`a/util.py`, `b/util.py`, both outside packages) must agree for an
//! answer to count.
//!
//! [`Project::what`] follows a dotted name through these facts: `pkg.api.fetch` is a coroutine
//! function when the module `pkg.api` defines `async def fetch` (undecorated, its only binding),
//! or imports `fetch` from a module that does (`from .impl import fetch`, or `from .impl import *`
//! where `impl` exports it: its literal `__all__` lists it, or it has none and `fetch` is public),
//! within bounds: a few steps of imports, and a few hundred bindings looked at per question.

pub mod scan;

use std::cell::Cell;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;

use crate::base::source::SourceText;
use crate::base::sync::lock;
pub use scan::{Bound, ModuleFacts, Relative};

/// How many imports one question follows before the answer is "not known" (a cycle of imports
/// among modules ends there too).
const MAX_STEPS: u32 = 16;

/// How many module bindings one question looks at, at most (`*` imports may branch).
const MAX_VISITS: u32 = 256;

/// The Python files of a run, as the modules of one project.
#[derive(Debug)]
pub struct Project<'f> {
    files: Vec<&'f Path>,
    /// The files by the last part of their module's name, gathered on first use.
    by_last_name: OnceLock<FxHashMap<String, Vec<u32>>>,
    /// Each file's module, worked out on first use.
    names: Box<[OnceLock<Option<ModuleName>>]>,
    /// The package each directory is, for [`module_name`].
    packages: Mutex<Packages>,
    facts: Box<[OnceLock<Option<ModuleFacts>>]>,
}

/// A module's dotted name, and whether it is a package (an `__init__.py`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleName {
    pub dotted: String,
    pub package: bool,
}

/// What a dotted name is, as far as the project's modules tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A coroutine function a module of the project defines.
    Coroutine,
    /// A module of the project.
    Module(String),
    /// A name of a module outside the project (a library's), by its qualified name.
    Outside(String),
    /// Something else, or not known.
    Unknown,
}

/// One file of a project: the one being checked.
#[derive(Debug, Clone, Copy)]
pub struct InProject<'p> {
    pub project: &'p Project<'p>,
    pub file: u32,
}

impl<'f> Project<'f> {
    /// The project of these files (Python sources; other files are never asked about).
    pub fn new(files: Vec<&'f Path>) -> Project<'f> {
        Project {
            by_last_name: OnceLock::new(),
            names: unset(files.len()),
            packages: Mutex::default(),
            facts: unset(files.len()),
            files,
        }
    }

    /// The file `index` (in the order the project was given its files).
    pub fn file(&'f self, index: usize) -> Option<InProject<'f>> {
        (index < self.files.len()).then_some(InProject {
            project: self,
            file: index as u32,
        })
    }

    /// The module of the file `index`, worked out on first use.
    fn name(&self, index: u32) -> Option<&ModuleName> {
        self.names[index as usize]
            .get_or_init(|| module_name(self.files[index as usize], &mut lock(&self.packages)))
            .as_ref()
    }

    /// The files of the module `dotted`: among those whose stem (or, for an `__init__.py`,
    /// directory) is its last part, those that are that module.
    fn files_of<'a>(&'a self, dotted: &'a str) -> impl Iterator<Item = u32> + 'a {
        let by_last_name = self.by_last_name.get_or_init(|| {
            let mut by_last_name: FxHashMap<String, Vec<u32>> = FxHashMap::default();
            for (index, path) in self.files.iter().enumerate() {
                let Some(last) = last_name(path) else {
                    continue;
                };
                match by_last_name.get_mut(last) {
                    Some(files) => files.push(index as u32),
                    None => {
                        by_last_name.insert(last.to_owned(), vec![index as u32]);
                    }
                }
            }
            by_last_name
        });
        let last = dotted.rsplit('.').next().unwrap_or(dotted);
        let candidates = by_last_name.get(last).map_or(&[][..], Vec::as_slice);
        candidates
            .iter()
            .copied()
            .filter(move |&file| self.name(file).is_some_and(|name| name.dotted == dotted))
    }

    /// What the file `index` binds at its top level, read on first use.
    fn facts(&self, index: u32) -> Option<&ModuleFacts> {
        self.facts[index as usize]
            .get_or_init(|| {
                let source = SourceText::read(self.files[index as usize]).ok()?;
                Some(ModuleFacts::scan(&source.text))
            })
            .as_ref()
    }

    /// Whether `dotted` names a module of the project.
    fn is_module(&self, dotted: &str) -> bool {
        self.files_of(dotted).next().is_some()
    }

    /// Whether the top-level module `name` is one of the project's (a file of the run is that
    /// module, `name.py` or `name/__init__.py`): an import of it is first-party.
    pub fn has_module(&self, name: &str) -> bool {
        self.is_module(name)
    }

    /// What the absolute dotted name `qualified` is.
    pub fn what(&self, qualified: &str) -> What {
        self.what_within(qualified, 0, &Cell::new(0))
    }

    fn what_within(&self, qualified: &str, steps: u32, visits: &Cell<u32>) -> What {
        if steps > MAX_STEPS {
            return What::Unknown;
        }
        let module = || match self.is_module(qualified) {
            true => Some(What::Module(qualified.to_owned())),
            false => None,
        };
        let Some((parent, name)) = qualified.rsplit_once('.') else {
            return module().unwrap_or_else(|| What::Outside(qualified.to_owned()));
        };
        match self.what_within(parent, steps + 1, visits) {
            // What a module binds is what its attribute is, even where a submodule has the name
            // (`from .fetch import fetch` in `pkg/__init__.py`).
            What::Module(parent) => self
                .member(&parent, name, steps + 1, visits)
                .or_else(module)
                .unwrap_or(What::Unknown),
            What::Outside(outer) => module().unwrap_or(What::Outside(format!("{outer}.{name}"))),
            What::Coroutine | What::Unknown => What::Unknown,
        }
    }

    /// What `from module import name` takes: what the module binds to `name`, else its submodule
    /// of that name.
    fn imported_from(&self, module: &str, name: &str, steps: u32, visits: &Cell<u32>) -> What {
        match self.module_named(module, steps, visits) {
            What::Module(module) => {
                let submodule = format!("{module}.{name}");
                self.member(&module, name, steps, visits)
                    .or_else(|| {
                        self.is_module(&submodule)
                            .then_some(What::Module(submodule))
                    })
                    .unwrap_or(What::Unknown)
            }
            What::Outside(module) => What::Outside(format!("{module}.{name}")),
            What::Coroutine | What::Unknown => What::Unknown,
        }
    }

    /// What the module an import names (`import module`, `from module import …`) is: a module of
    /// the project, one outside it, or, where the project has the package but not the module,
    /// nothing known.
    fn module_named(&self, module: &str, steps: u32, visits: &Cell<u32>) -> What {
        if self.is_module(module) {
            return What::Module(module.to_owned());
        }
        match self.what_within(module, steps, visits) {
            What::Outside(outside) => What::Outside(outside),
            _ => What::Unknown,
        }
    }

    /// What the module `module` of the project binds `name` to at its top level (`None` when it
    /// does not bind it): the one answer every file of that module name gives.
    fn member(&self, module: &str, name: &str, steps: u32, visits: &Cell<u32>) -> Option<What> {
        visits.set(visits.get() + 1);
        if steps > MAX_STEPS || visits.get() > MAX_VISITS {
            return Some(What::Unknown);
        }
        let mut answers = self
            .files_of(module)
            .map(|file| self.member_in(file, module, name, steps, visits));
        let first = answers.next()?;
        match answers.all(|answer| answer == first) {
            true => first,
            false => Some(What::Unknown),
        }
    }

    fn member_in(
        &self,
        file: u32,
        module: &str,
        name: &str,
        steps: u32,
        visits: &Cell<u32>,
    ) -> Option<What> {
        let Some(facts) = self.facts(file) else {
            return Some(What::Unknown);
        };
        let package = self.name(file).is_some_and(|m| m.package);
        let at = |from: &Relative| absolute(module, package, from);
        match facts.names.get(name) {
            Some(Bound::Coroutine) => Some(What::Coroutine),
            Some(Bound::From(from, imported)) => Some(match at(from) {
                Some(base) => self.imported_from(&base, imported, steps + 1, visits),
                None => What::Unknown,
            }),
            Some(Bound::Module(dotted)) => Some(self.module_named(dotted, steps + 1, visits)),
            Some(Bound::Other) => Some(What::Unknown),
            None => {
                // A name not bound may come from a `*` import of a module of the project that
                // exports it (one outside the project is taken not to bind it).
                for star in &facts.stars {
                    let Some(base) = at(star) else {
                        return Some(What::Unknown);
                    };
                    if !self.is_module(&base) || !self.exports(&base, name) {
                        continue;
                    }
                    if let Some(found) = self.member(&base, name, steps + 1, visits) {
                        return Some(found);
                    }
                }
                None
            }
        }
    }
}

impl Project<'_> {
    /// Whether `from module import *` takes `name` from the project's module `module`: every file
    /// of it exports it.
    fn exports(&self, module: &str, name: &str) -> bool {
        self.files_of(module).all(|file| {
            self.facts(file)
                .is_some_and(|facts| facts.exports.may_export(name))
        })
    }
}

impl<'p> InProject<'p> {
    /// The file's module, when its path names one.
    pub fn module(&self) -> Option<&'p ModuleName> {
        self.project.name(self.file)
    }

    /// The absolute name of the module an import in this file names (`from ..m import x`: its
    /// `..m`), when it has one.
    pub fn absolute(&self, from: &Relative) -> Option<String> {
        if from.level == 0 {
            return Some(from.module.clone());
        }
        let module = self.module()?;
        absolute(&module.dotted, module.package, from)
    }
}

/// The absolute name of the module `from` names in the module `module` (a package when
/// `package`): a relative import goes up from the module's package, one level per dot past the
/// first; `None` when it goes above the top.
fn absolute(module: &str, package: bool, from: &Relative) -> Option<String> {
    if from.level == 0 {
        return Some(from.module.clone());
    }
    let mut base = module;
    let mut up = from.level - u32::from(package);
    while up > 0 {
        base = base.rsplit_once('.')?.0;
        up -= 1;
    }
    Some(match from.module.as_str() {
        "" => base.to_owned(),
        inner => format!("{base}.{inner}"),
    })
}

/// `count` cells, none set.
fn unset<T>(count: usize) -> Box<[OnceLock<T>]> {
    (0..count).map(|_| OnceLock::new()).collect()
}

/// The last part of the name of the module the file at `path` would be: its stem, or for an
/// `__init__.py` the name of its directory; `None` for a file that is no Python module.
fn last_name(path: &Path) -> Option<&str> {
    let file = path.file_name()?.to_str()?;
    let stem = file
        .strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))?;
    match stem {
        "__init__" => path.parent()?.file_name()?.to_str(),
        stem => Some(stem),
    }
}

/// The module the file at `path` is: its stem, under the packages it lies in (`packages`
/// remembers the package each directory is, by its path). `None` for a file that no import names
/// (a stem that is not an identifier).
fn module_name(path: &Path, packages: &mut Packages) -> Option<ModuleName> {
    let extension = path.extension()?.to_str()?;
    if !matches!(extension, "py" | "pyi") {
        return None;
    }
    let stem = path.file_stem()?.to_str()?;
    let directory = path.parent()?;
    let package = package_of(directory, packages);
    let dotted = match (stem, package) {
        ("__init__", package) => package?,
        (stem, _) if !is_identifier(stem) => return None,
        (stem, Some(package)) => format!("{package}.{stem}"),
        (stem, None) => stem.to_owned(),
    };
    Some(ModuleName {
        dotted,
        package: stem == "__init__",
    })
}

/// The dotted name of the package each directory is (`None`: not a package), by its path as
/// given and made absolute.
type Packages = FxHashMap<std::ffi::OsString, Option<String>>;

/// The dotted name of the package the directory `directory` is: it holds an `__init__.py` and its
/// name is an identifier; under the package its parent is, if any.
fn package_of(directory: &Path, packages: &mut Packages) -> Option<String> {
    if let Some(known) = packages.get(directory.as_os_str()) {
        return known.clone();
    }
    let here = match directory.as_os_str().is_empty() {
        true => Path::new("."),
        false => directory,
    };
    let found = std::path::absolute(here).ok().and_then(|absolute| {
        let name = absolute.file_name()?.to_str()?;
        if !is_identifier(name) || !absolute.join("__init__.py").is_file() {
            return None;
        }
        Some(
            match absolute.parent().and_then(|p| package_of(p, packages)) {
                Some(parent) => format!("{parent}.{name}"),
                None => name.to_owned(),
            },
        )
    });
    packages.insert(directory.as_os_str().to_owned(), found.clone());
    found
}

/// Whether `word` is a Python identifier (ASCII, as module names are in practice).
fn is_identifier(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A temporary directory holding `files`, and their paths.
    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut paths = Vec::new();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("directories");
            std::fs::write(&path, text).expect("written");
            paths.push(path);
        }
        (dir, paths)
    }

    fn of(paths: &[PathBuf]) -> Project<'_> {
        Project::new(paths.iter().map(PathBuf::as_path).collect())
    }

    #[test]
    fn modules_are_named_by_their_packages() {
        let (_dir, paths) = project(&[
            ("src/pkg/__init__.py", ""),
            ("src/pkg/sub/__init__.py", ""),
            ("src/pkg/sub/mod.py", ""),
            ("tests/test_x.py", ""),
            ("my-scripts/run.py", ""),
            ("setup.cfg", ""),
        ]);
        let project = of(&paths);
        let names: Vec<Option<(String, bool)>> = (0..6)
            .map(|i| {
                let file = project.file(i).expect("a file");
                file.module().map(|m| (m.dotted.clone(), m.package))
            })
            .collect();
        assert_eq!(
            names,
            vec![
                Some(("pkg".to_owned(), true)),
                Some(("pkg.sub".to_owned(), true)),
                Some(("pkg.sub.mod".to_owned(), false)),
                Some(("test_x".to_owned(), false)),
                Some(("run".to_owned(), false)),
                None,
            ]
        );
    }

    #[test]
    fn relative_imports_go_up_from_the_package() {
        let module = |level, name: &str| Relative {
            level,
            module: name.to_owned(),
        };
        assert_eq!(
            absolute("pkg.sub.mod", false, &module(1, "impl")),
            Some("pkg.sub.impl".to_owned())
        );
        assert_eq!(
            absolute("pkg.sub", true, &module(1, "impl")),
            Some("pkg.sub.impl".to_owned())
        );
        assert_eq!(
            absolute("pkg.sub.mod", false, &module(2, "")),
            Some("pkg".to_owned())
        );
        assert_eq!(absolute("mod", false, &module(1, "x")), None);
    }

    #[test]
    fn names_are_followed_through_re_exports() {
        let (_dir, paths) = project(&[
            (
                "pkg/__init__.py",
                "from .impl import fetch\nfrom .api import *\n",
            ),
            ("pkg/impl.py", "async def fetch(): pass\ndef sync(): pass\n"),
            (
                "pkg/api.py",
                "from pkg.impl import fetch as get, sync\nimport extlib\n",
            ),
            ("pkg/hidden/__init__.py", "from .impl import *\n"),
            (
                "pkg/hidden/impl.py",
                "__all__ = ['shown']\nasync def shown(): pass\nasync def kept(): pass\n",
            ),
            ("pkg/loop.py", "from .loop2 import f\n"),
            ("pkg/same/__init__.py", "from .same import same\n"),
            ("pkg/same/same.py", "async def same(): pass\n"),
            ("pkg/loop2.py", "from .loop import f\n"),
        ]);
        let project = of(&paths);
        assert_eq!(project.what("pkg.impl.fetch"), What::Coroutine);
        assert_eq!(project.what("pkg.fetch"), What::Coroutine);
        assert_eq!(project.what("pkg.api.get"), What::Coroutine);
        assert_eq!(project.what("pkg.get"), What::Coroutine);
        assert_eq!(project.what("pkg.api.sync"), What::Unknown);
        assert_eq!(
            project.what("pkg.impl"),
            What::Module("pkg.impl".to_owned())
        );
        assert_eq!(
            project.what("pkg.api.extlib.sleep"),
            What::Outside("extlib.sleep".to_owned())
        );
        assert_eq!(project.what("pkg.loop.f"), What::Unknown);
        assert_eq!(project.what("pkg.hidden.shown"), What::Coroutine);
        assert_eq!(project.what("pkg.hidden.kept"), What::Unknown);
        // The package binds `same`, which its attribute is, not the submodule of that name.
        assert_eq!(project.what("pkg.same.same"), What::Coroutine);
        assert_eq!(project.what("pkg.same.same.same"), What::Unknown);
        assert_eq!(
            project.what("os.path.join"),
            What::Outside("os.path.join".to_owned())
        );
    }

    #[test]
    fn star_imports_that_branch_stay_within_bounds() {
        // Each module star-imports every later one: a name bound nowhere would be looked for
        // along 2^30 paths without a bound on the whole question.
        let texts: Vec<(String, String)> = (0..30)
            .map(|i| {
                let imports: String = (i + 1..30)
                    .map(|j| format!("from .m{j} import *\n"))
                    .collect();
                (format!("pkg/m{i}.py"), imports)
            })
            .collect();
        let mut files: Vec<(&str, &str)> = vec![("pkg/__init__.py", "")];
        files.extend(
            texts
                .iter()
                .map(|(name, text)| (name.as_str(), text.as_str())),
        );
        let (_dir, paths) = project(&files);
        let project = of(&paths);
        let started = std::time::Instant::now();
        assert_eq!(project.what("pkg.m0.absent"), What::Unknown);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn modules_of_one_name_must_agree() {
        let (_dir, paths) = project(&[
            ("a/util.py", "async def f(): pass\nasync def g(): pass\n"),
            ("b/util.py", "async def f(): pass\ndef g(): pass\n"),
        ]);
        let project = of(&paths);
        assert_eq!(project.what("util.f"), What::Coroutine);
        assert_eq!(project.what("util.g"), What::Unknown);
    }
}
