//! Finding the files to check: `.gitignore`-aware walking with include and exclude globs.
//!
//! Each entry is judged by the settings of the configuration governing its directory
//! ([`crate::config::resolve`]). Directories are walked (hidden directories, virtual environments and build output skipped,
//! `.gitignore` respected even outside a git checkout); files named explicitly are checked whatever
//! the excludes, when they are files anyio-lint checks (others are skipped, with the reason), and a
//! path that does not exist is an error. Symlinks are followed, and a symlink loop is
//! reported instead of walked forever. A file reached through several paths is found once, under
//! one path chosen whatever the walk order. The result is sorted, so output never depends on
//! directory order.

use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::base::sync::lock;
use crate::config::filters::is_excluded_by_default;
use crate::config::resolve::{Resolver, Settings};
use crate::pack::SourceError;

/// Files found with their settings, paths that could not be walked (with the reason), and files
/// named explicitly that are not checked (with the reason: [`not_checked`]).
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<(PathBuf, Arc<Settings>)>,
    pub errors: Vec<(PathBuf, String)>,
    pub skipped: Vec<(PathBuf, String)>,
}

/// Why discovery stopped.
#[derive(Debug)]
pub enum DiscoverError {
    /// A path to check does not exist or cannot be examined.
    Path {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A configuration file governing a path is invalid.
    Settings(SourceError),
}

impl From<SourceError> for DiscoverError {
    fn from(error: SourceError) -> Self {
        DiscoverError::Settings(error)
    }
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::Path { path, error } if error.kind() == ErrorKind::NotFound => write!(
                f,
                "{} does not exist: name files or directories that do",
                path.display()
            ),
            DiscoverError::Path { path, error } => {
                write!(f, "cannot examine {}: {error}", path.display())
            }
            DiscoverError::Settings(error) => f.write_str(error.message()),
        }
    }
}

/// A path given to [`discover`].
struct Root<'a> {
    path: &'a Path,
    is_dir: bool,
    /// Whether the path itself is a symlink.
    is_link: bool,
}

impl<'a> Root<'a> {
    /// One `lstat` (and a `stat` when the path is a symlink).
    fn examine(path: &'a Path) -> Result<Root<'a>, DiscoverError> {
        let failed = |error| DiscoverError::Path {
            path: path.to_path_buf(),
            error,
        };
        let own = std::fs::symlink_metadata(path).map_err(failed)?;
        let is_link = own.file_type().is_symlink();
        let kind = if is_link {
            std::fs::metadata(path).map_err(failed)?.file_type()
        } else {
            own.file_type()
        };
        if !kind.is_dir() && !kind.is_file() {
            return Err(failed(std::io::Error::new(
                ErrorKind::InvalidInput,
                "it is neither a file nor a directory (a FIFO, socket or device); name files or \
                 directories",
            )));
        }
        let is_dir = kind.is_dir();
        Ok(Root {
            path,
            is_dir,
            is_link,
        })
    }
}

/// How a found file was reached: under which root, and whether through a symlink below it (the
/// file itself, or a directory on its way).
#[derive(Debug, Clone, Copy)]
struct Reach {
    root: usize,
    through_link: bool,
}

/// Find the Python files under `paths`, each with the settings that govern it.
///
/// A walked entry is skipped when the settings of its directory exclude it; a path named
/// explicitly is checked unless its settings have `force-exclude` and exclude it or a parent.
/// A path that does not exist is an error. A file reached through several paths (symlinks,
/// overlapping or repeated paths) is found once: see [`merge_links`].
pub fn discover(paths: &[PathBuf], resolver: &Arc<Resolver>) -> Result<Found, DiscoverError> {
    let roots: Vec<Root> = paths
        .iter()
        .map(|path| Root::examine(path))
        .collect::<Result<_, _>>()?;
    let mut found = Found::default();
    let mut reached: Vec<Reach> = Vec::new();
    let failure: Arc<Mutex<Option<SourceError>>> = Arc::default();
    for (number, root) in roots.iter().enumerate() {
        let path = root.path;
        let settings = resolver.for_path(path)?;
        if settings.force_exclude && settings.excludes_path_or_parent(path) {
            continue;
        }
        if !root.is_dir {
            if let Some(reason) = not_checked(path, &settings) {
                found.skipped.push((path.to_path_buf(), reason));
                continue;
            }
            found.files.push((path.to_path_buf(), settings));
            reached.push(Reach {
                root: number,
                through_link: false,
            });
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
        // The walk is depth first, a directory before its contents: the depth of the symlinked
        // directory being walked, if any, tells whether an entry was reached through a link.
        let mut link_depth: Option<usize> = None;
        for entry in walker.build() {
            match entry {
                Ok(entry) => {
                    let depth = entry.depth();
                    if link_depth.is_some_and(|at| depth <= at) {
                        link_depth = None;
                    }
                    let is_link = depth > 0 && entry.path_is_symlink();
                    let Some(file_type) = entry.file_type() else {
                        continue;
                    };
                    if file_type.is_dir() {
                        if is_link && link_depth.is_none() {
                            link_depth = Some(depth);
                        }
                        continue;
                    }
                    if !file_type.is_file() {
                        continue;
                    }
                    let parent = entry.path().parent().unwrap_or(Path::new("."));
                    let settings = resolver.for_directory(parent)?;
                    if settings.includes(entry.path()) {
                        found.files.push((entry.into_path(), settings));
                        reached.push(Reach {
                            root: number,
                            through_link: is_link || link_depth.is_some(),
                        });
                    }
                }
                Err(error) => {
                    let at = error_path(&error).unwrap_or_else(|| path.to_path_buf());
                    found.errors.push((at, error.to_string()));
                }
            }
        }
    }
    if let Some(error) = lock(&failure).take() {
        return Err(error.into());
    }
    if roots.len() > 1 || reached.iter().any(|reach| reach.through_link) {
        merge_links(&mut found.files, &reached, &roots);
    }
    found.files.sort_by(|a, b| a.0.cmp(&b.0));
    found.files.dedup_by(|a, b| a.0 == b.0);
    found.errors.sort();
    found.skipped.sort();
    found.skipped.dedup();
    Ok(found)
}

/// Why the file `path`, named explicitly, is not checked; `None` when it is. A named file is
/// checked when a walk would take it under `settings` (a `.py` or `.pyi` file, a configuration
/// file the rules read, or a file the configuration's `include` names), or when it has no
/// extension and its first line is a `#!` line that runs Python (a script), or cannot be read
/// (the check reports why). Any other file, a notebook or a text file, would be read as Python
/// and pass or fail for nothing.
fn not_checked(path: &Path, settings: &Settings) -> Option<String> {
    not_checked_named(path, settings, || first_line(path))
}

/// Why a text named `name` (a file named explicitly, or standard input's `--stdin-filename`) is
/// not checked under `settings`, as [`not_checked`] says; `start` gives the text's first bytes
/// (its `#!` line, when it has one), `None` when they cannot be read.
pub fn not_checked_named(
    name: &Path,
    settings: &Settings,
    start: impl FnOnce() -> Option<Vec<u8>>,
) -> Option<String> {
    if settings.includes(name) {
        return None;
    }
    if name.extension().is_none() && start().is_none_or(|start| runs_python(&start)) {
        return None;
    }
    let checked = "anyio-lint checks `.py` and `.pyi` files, scripts whose `#!` line runs \
                   Python, the configuration files its rules read and the files `include` names";
    Some(match name.extension().and_then(|e| e.to_str()) {
        Some("ipynb") => format!(
            "Jupyter notebooks are not supported ({checked}); export the notebook to a script \
             (`jupyter nbconvert --to script`) and check that"
        ),
        _ if name.extension().is_none() => {
            format!("no extension, and no `#!` line that runs Python: {checked}")
        }
        _ => format!("not a Python file: {checked}"),
    })
}

/// The first bytes of the file at `path` (enough for its `#!` line); `None` when it cannot be
/// read.
fn first_line(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut start = [0u8; 256];
    let read = std::fs::File::open(path)
        .and_then(|mut file| file.read(&mut start))
        .ok()?;
    Some(start[..read].to_vec())
}

/// Whether `start`, a text's first bytes, begins with a `#!` line whose command runs Python: an
/// interpreter (`#!/usr/bin/python`, `#!/usr/bin/env python3.12`, `#!/usr/bin/env pypy3`), or a
/// runner of Python scripts (`#!/usr/bin/env -S uv run --script`, `#!/usr/bin/env -S pipx run`).
fn runs_python(start: &[u8]) -> bool {
    let line = start.split(|&b| b == b'\n').next().unwrap_or_default();
    let Some(command) = line.strip_prefix(b"#!") else {
        return false;
    };
    let words: Vec<&[u8]> = command
        .split(|&b| b == b'/' || b.is_ascii_whitespace())
        .filter(|word| !word.is_empty())
        .collect();
    let interpreter = words
        .iter()
        .any(|word| word.starts_with(b"python") || word.starts_with(b"pypy"));
    let runner = words
        .windows(2)
        .any(|pair| matches!(pair, [b"uv" | b"pipx", b"run"]));
    interpreter || runner
}

/// Keep one path per file when files may have been reached through several: the file's own
/// canonical path when it was found there (reached through no symlink), otherwise the first of
/// its paths in sorted order. The file keeps the settings of the path kept, so which rules and
/// per-file ignores apply never depends on walk order.
///
/// Only files reached through a symlink below a root are canonicalized one by one; the others
/// are their root's canonical path (one call per root) joined with the rest of their path, and
/// an explicitly named file is its directory's canonical path (one call per directory) joined
/// with its name.
fn merge_links(files: &mut Vec<(PathBuf, Arc<Settings>)>, reached: &[Reach], roots: &[Root]) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut directories: FxHashMap<PathBuf, Option<PathBuf>> = FxHashMap::default();
    let mut canonical_directory = |directory: &Path| -> Option<PathBuf> {
        let directory = if directory.as_os_str().is_empty() {
            Path::new(".")
        } else {
            directory
        };
        directories
            .entry(directory.to_path_buf())
            .or_insert_with(|| std::fs::canonicalize(directory).ok())
            .clone()
    };
    // Each root's canonical path, and whether the root is it (named without symlinks).
    let canonical_roots: Vec<Option<(PathBuf, bool)>> = roots
        .iter()
        .map(|root| {
            let canonical = match (root.is_dir || root.is_link, root.path.file_name()) {
                (false, Some(name)) => canonical_directory(root.path.parent()?)?.join(name),
                _ => std::fs::canonicalize(root.path).ok()?,
            };
            let direct = lexical_absolute(&cwd, root.path) == canonical;
            Some((canonical, direct))
        })
        .collect();
    // (canonical path, reached through a symlink, index) per file; no canonical path (a
    // dangling symlink) leaves the file alone.
    let mut keyed: Vec<(Option<PathBuf>, bool, usize)> = reached
        .iter()
        .zip(files.iter())
        .enumerate()
        .map(|(index, (reach, (path, _)))| {
            let root = &roots[reach.root];
            let canonical = canonical_roots[reach.root].as_ref();
            let key = match canonical {
                _ if reach.through_link => std::fs::canonicalize(path).ok(),
                Some((canonical, _)) if root.is_dir => path
                    .strip_prefix(root.path)
                    .ok()
                    .map(|rest| canonical.join(rest)),
                Some((canonical, _)) => Some(canonical.clone()),
                None => None,
            };
            let direct = !reach.through_link && canonical.is_some_and(|(_, direct)| *direct);
            (key, !direct, index)
        })
        .collect();
    keyed.sort_by(|a, b| (&a.0, a.1, &files[a.2].0).cmp(&(&b.0, b.1, &files[b.2].0)));
    let mut keep = vec![false; files.len()];
    let mut previous: Option<&Path> = None;
    for (key, _, index) in &keyed {
        match key {
            Some(key) if previous == Some(key.as_path()) => {}
            _ => keep[*index] = true,
        }
        previous = key.as_deref();
    }
    let mut index = 0;
    files.retain(|_| {
        index += 1;
        keep[index - 1]
    });
}

/// `path` made absolute against `cwd`, with `.` components dropped (symlinks and `..` kept).
fn lexical_absolute(cwd: &Path, path: &Path) -> PathBuf {
    cwd.join(path)
        .components()
        .filter(|component| !matches!(component, Component::CurDir))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::runs_python;

    #[test]
    fn shebangs_that_run_python() {
        for line in [
            "#!/usr/bin/python",
            "#!/usr/bin/env python3",
            "#!/usr/bin/env python3.12 -u",
            "#! /usr/local/bin/pypy3",
            "#!/usr/bin/env -S uv run --script",
            "#!/usr/bin/env -S uv run --quiet --script",
            "#!/usr/bin/env -S pipx run",
            "#!/home/me/.local/bin/uv run --script",
        ] {
            assert!(
                runs_python(format!("{line}\nprint(1)\n").as_bytes()),
                "{line}"
            );
        }
        for line in [
            "#!/bin/sh",
            "#!/usr/bin/env bash",
            "#!/usr/bin/env -S uv pip install",
            "# a comment",
            "",
        ] {
            assert!(!runs_python(format!("{line}\nx\n").as_bytes()), "{line}");
        }
    }
}
