//! Finding the files to check: `.gitignore`-aware walking with include and exclude globs.
//!
//! Each entry is judged by the settings of the configuration governing its directory
//! ([`crate::resolve`]). Directories are walked (hidden directories, virtual environments and build output skipped,
//! `.gitignore` respected even outside a git checkout); files named explicitly are always checked.
//! Symlinks are followed, and a symlink loop is reported instead of walked forever. The result is
//! sorted, so output never depends on directory order.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::pack::SourceError;
use crate::resolve::{Resolver, Settings};
use crate::sync::lock;

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

/// Files found with their settings, and paths that could not be walked (with the reason).
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<(PathBuf, Arc<Settings>)>,
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

/// Find the Python files under `paths`, each with the settings that govern it.
///
/// A walked entry is skipped when the settings of its directory exclude it; a path named
/// explicitly is checked unless its settings have `force-exclude` and exclude it or a parent.
pub fn discover(paths: &[PathBuf], resolver: &Arc<Resolver>) -> Result<Found, SourceError> {
    let mut found = Found::default();
    let failure: Arc<Mutex<Option<SourceError>>> = Arc::default();
    for path in paths {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) => {
                found.errors.push((path.clone(), error.to_string()));
                continue;
            }
        };
        let settings = resolver.for_path(path)?;
        if settings.force_exclude && settings.excludes_path_or_parent(path) {
            continue;
        }
        if !metadata.is_dir() {
            found.files.push((path.clone(), settings));
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
        let (walk_resolver, walk_failure) = (resolver.clone(), failure.clone());
        walker.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && is_excluded_by_default(entry.file_name()) {
                return false;
            }
            let parent = entry.path().parent().unwrap_or(Path::new("."));
            match walk_resolver.for_directory(parent) {
                Ok(settings) => !settings.excludes(entry.path()),
                Err(error) => {
                    lock(&walk_failure).get_or_insert(error);
                    false
                }
            }
        });
        for entry in walker.build() {
            match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    let parent = entry.path().parent().unwrap_or(Path::new("."));
                    let settings = resolver.for_directory(parent)?;
                    if settings.includes(entry.path()) {
                        found.files.push((entry.into_path(), settings));
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    let at = error_path(&error).unwrap_or_else(|| path.clone());
                    found.errors.push((at, error.to_string()));
                }
            }
        }
    }
    if let Some(error) = lock(&failure).take() {
        return Err(error);
    }
    found.files.sort_by(|a, b| a.0.cmp(&b.0));
    found.files.dedup_by(|a, b| a.0 == b.0);
    found.errors.sort();
    Ok(found)
}

/// A directory name never walked into.
pub fn is_excluded_by_default(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    DEFAULT_EXCLUDES.contains(&name.as_ref()) || name.ends_with(".egg-info")
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
