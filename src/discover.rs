//! Finding the files to check: `.gitignore`-aware walking with include and exclude globs.
//!
//! Directories are walked (hidden directories, virtual environments and build output skipped,
//! `.gitignore` respected even outside a git checkout); files named explicitly are always checked.
//! Symlinks are followed, and a symlink loop is reported instead of walked forever. The result is
//! sorted, so output never depends on directory order.

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

/// Files found, and paths that could not be walked (with the reason).
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    pub errors: Vec<(PathBuf, String)>,
}

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

    fn excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(path) || path.file_name().is_some_and(|n| self.exclude.is_match(n))
    }

    fn included(&self, path: &Path) -> bool {
        if self.include_default {
            return path.extension().is_some_and(|e| e == "py" || e == "pyi");
        }
        self.include.is_match(path) || path.file_name().is_some_and(|n| self.include.is_match(n))
    }
}

/// Find the Python files under `paths`.
pub fn discover(paths: &[PathBuf], filters: &Filters) -> Found {
    let mut found = Found::default();
    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => {
                found.errors.push((path.clone(), error.to_string()));
                continue;
            }
        };
        if !metadata.is_dir() {
            found.files.push(path.clone());
            continue;
        }
        let mut walker = ignore::WalkBuilder::new(path);
        walker
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .ignore(true)
            .follow_links(true);
        let filters_for_dirs = filters.clone();
        walker.filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.depth() > 0 {
                let name = entry.file_name().to_string_lossy();
                if DEFAULT_EXCLUDES.contains(&name.as_ref()) || name.ends_with(".egg-info") {
                    return false;
                }
            }
            entry.depth() == 0 || !filters_for_dirs.excluded(entry.path())
        });
        for entry in walker.build() {
            match entry {
                Ok(entry) => {
                    if entry.file_type().is_some_and(|t| t.is_file())
                        && filters.included(entry.path())
                    {
                        found.files.push(entry.into_path());
                    }
                }
                Err(error) => {
                    let at = error_path(&error).unwrap_or_else(|| path.clone());
                    found.errors.push((at, error.to_string()));
                }
            }
        }
    }
    found.files.sort();
    found.files.dedup();
    found.errors.sort();
    found
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}
