//! Which paths a configuration takes: its include and exclude globs (its own, those of the
//! configurations it extends and the command line's, each relative to its own directory), and the
//! directories no walk enters. A configuration's settings judge paths with them, and the walk
//! skips those directories.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Directories never walked into (they are still checked when named explicitly).
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pypackages__",
    "__pycache__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Include and exclude globs, each matched against a path relative to the directory it is
/// relative to (the directory of the configuration file that wrote it, or the current directory
/// for the command line's; a path outside it starts with `..`) and, when it has no `/`, against
/// the file or directory name at any depth. Globs are kept in one set per directory.
#[derive(Debug, Clone)]
pub struct Filters {
    exclude: Vec<(PathBuf, GlobSet)>,
    include: Vec<(PathBuf, GlobSet)>,
    include_default: bool,
}

/// Globs by the directory they are relative to, in their first directory's order.
fn by_directory(globs: &[(PathBuf, String)]) -> Result<Vec<(PathBuf, GlobSet)>, String> {
    let mut builders: Vec<(PathBuf, GlobSetBuilder)> = Vec::new();
    for (directory, glob) in globs {
        let glob = unprefixed(glob);
        let at = match builders.iter().position(|(d, _)| d == directory) {
            Some(at) => at,
            None => {
                builders.push((directory.clone(), GlobSetBuilder::new()));
                builders.len() - 1
            }
        };
        let builder = &mut builders[at].1;
        builder.add(Glob::new(glob).map_err(|e| format!("invalid glob `{glob}`: {e}"))?);
        if !glob.contains('/') {
            builder.add(Glob::new(&format!("**/{glob}")).map_err(|e| e.to_string())?);
        }
    }
    builders
        .into_iter()
        .map(|(directory, builder)| Ok((directory, builder.build().map_err(|e| e.to_string())?)))
        .collect()
}

/// `glob` without the `./` it may start with: the paths it is matched against never start so.
pub fn unprefixed(glob: &str) -> &str {
    glob.trim_start_matches("./")
}

/// Whether `set` matches the relative `path` or its name.
fn matches(set: &GlobSet, path: &Path) -> bool {
    set.is_match(path) || path.file_name().is_some_and(|n| set.is_match(n))
}

impl Filters {
    /// Filters of `exclude` and `include` globs, each with the directory it is relative to.
    pub fn new(
        exclude: &[(PathBuf, String)],
        include: &[(PathBuf, String)],
    ) -> Result<Filters, String> {
        Ok(Filters {
            exclude: by_directory(exclude)?,
            include: by_directory(include)?,
            include_default: include.is_empty(),
        })
    }

    /// Whether no glob excludes anything (the default): then no path needs judging.
    pub fn excludes_nothing(&self) -> bool {
        self.exclude.is_empty()
    }

    /// Whether files are included by their extension alone (the default), wherever they lie.
    pub fn includes_by_extension(&self) -> bool {
        self.include_default
    }

    /// Whether an exclude glob matches the path `relative` makes relative to the glob's
    /// directory.
    pub fn excluded(&self, relative: impl Fn(&Path) -> PathBuf) -> bool {
        (self.exclude.iter()).any(|(directory, set)| matches(set, &relative(directory)))
    }

    /// Whether an exclude glob matches the path `relative` makes relative to the glob's
    /// directory, or one of its parents up to that directory.
    pub fn excluded_or_parent(&self, relative: impl Fn(&Path) -> PathBuf) -> bool {
        self.exclude.iter().any(|(directory, set)| {
            let path = relative(directory);
            (path.ancestors()).any(|part| !part.as_os_str().is_empty() && matches(set, part))
        })
    }

    /// Whether a walked file is included: by its extension (`path`'s) when no include glob is
    /// set, else when one matches the path `relative` makes relative to the glob's directory.
    pub fn included(&self, path: &Path, relative: impl Fn(&Path) -> PathBuf) -> bool {
        if self.include_default {
            return path.extension().is_some_and(|e| e == "py" || e == "pyi");
        }
        (self.include.iter()).any(|(directory, set)| matches(set, &relative(directory)))
    }
}

/// A directory name never walked into.
pub fn is_excluded_by_default(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    DEFAULT_EXCLUDES.contains(&name.as_ref()) || name.ends_with(".egg-info")
}
