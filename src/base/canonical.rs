//! Canonical directories, memoized for a run.
//!
//! `std::fs::canonicalize` asks the filesystem about every component of a path, so resolving each
//! of a tree's directories costs a system call per directory per level. [`CanonicalDirs`]
//! remembers every directory it resolved: a directory whose parent is known costs one `lstat`
//! (its canonical form is its parent's joined with its name, unless it is a symlink).

use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::base::sync::lock;

/// Absolute directory → its canonical form (`None`: it does not exist or cannot be resolved).
#[derive(Debug, Default)]
pub struct CanonicalDirs {
    known: Mutex<FxHashMap<PathBuf, Option<PathBuf>>>,
}

impl CanonicalDirs {
    /// The canonical form of `directory` (made absolute first), as `std::fs::canonicalize` gives
    /// it; `None` when it does not exist.
    pub fn of(&self, directory: &Path) -> Option<PathBuf> {
        let absolute = std::path::absolute(directory).ok()?;
        // `..` after a symlink leads to the symlink's target's parent: leave it to the system.
        if absolute
            .components()
            .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
        {
            return std::fs::canonicalize(&absolute).ok();
        }
        self.resolve(&absolute)
    }

    fn resolve(&self, absolute: &Path) -> Option<PathBuf> {
        if let Some(known) = lock(&self.known).get(absolute) {
            return known.clone();
        }
        let resolved = match (absolute.parent(), absolute.file_name()) {
            (Some(parent), Some(name)) => match std::fs::symlink_metadata(absolute) {
                Ok(metadata) if metadata.file_type().is_symlink() => {
                    std::fs::canonicalize(absolute).ok()
                }
                Ok(_) => self.resolve(parent).map(|parent| parent.join(name)),
                Err(_) => None,
            },
            // The root (or a prefix on Windows).
            _ => std::fs::canonicalize(absolute).ok(),
        };
        lock(&self.known).insert(absolute.to_path_buf(), resolved.clone());
        resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_system_through_symlinks_and_parent_components() {
        let temporary = tempfile::tempdir().unwrap();
        let root = temporary.path();
        std::fs::create_dir_all(root.join("real/inner/deep")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("real/inner"), root.join("link")).unwrap();
        let dirs = CanonicalDirs::default();
        let mut cases = vec![
            root.join("real/inner/deep"),
            root.join("real/inner"),
            root.join("real/inner/../inner/deep"),
        ];
        if cfg!(unix) {
            cases.extend([
                root.join("link"),
                root.join("link/deep"),
                root.join("link/.."),
            ]);
        }
        for case in cases {
            // Twice: resolved, then remembered.
            for _ in 0..2 {
                assert_eq!(
                    dirs.of(&case),
                    std::fs::canonicalize(&case).ok(),
                    "{}",
                    case.display()
                );
            }
        }
        assert_eq!(dirs.of(&root.join("missing/dir")), None);
    }
}
