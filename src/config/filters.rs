//! Which paths a configuration takes: its include and exclude globs, and the directories no walk
//! enters. A configuration's settings judge paths with them, and the walk skips those
//! directories.

use std::ffi::OsStr;
use std::path::Path;

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

/// Globs matched against paths relative to the project root and against file names.
#[derive(Debug, Clone)]
pub struct Filters {
    exclude: GlobSet,
    include: GlobSet,
    include_default: bool,
}

impl Filters {
    pub fn new(exclude: &[String], include: &[String]) -> Result<Filters, String> {
        let build = |globs: &[String]| -> Result<GlobSet, String> {
            let mut builder = GlobSetBuilder::new();
            for glob in globs {
                builder.add(Glob::new(glob).map_err(|e| format!("invalid glob `{glob}`: {e}"))?);
                if !glob.contains('/') {
                    builder.add(Glob::new(&format!("**/{glob}")).map_err(|e| e.to_string())?);
                }
            }
            builder.build().map_err(|e| e.to_string())
        };
        Ok(Filters {
            exclude: build(exclude)?,
            include: build(include)?,
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

    pub fn excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(path) || path.file_name().is_some_and(|n| self.exclude.is_match(n))
    }

    pub fn included(&self, path: &Path) -> bool {
        if self.include_default {
            return path.extension().is_some_and(|e| e == "py" || e == "pyi");
        }
        self.include.is_match(path) || path.file_name().is_some_and(|n| self.include.is_match(n))
    }
}

/// A directory name never walked into.
pub fn is_excluded_by_default(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    DEFAULT_EXCLUDES.contains(&name.as_ref()) || name.ends_with(".egg-info")
}
