//! What governs an open document: the configuration that would govern its file on disk (found
//! as `check` finds it, nested configurations and per-file ignores included), resolved once and
//! kept until a configuration, packaging or pack file changes; and the workspace's Python files,
//! the modules of the project a document is checked in.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::discover;
use crate::config::resolve::{Discovery, Overrides, Resolver, Settings};
use crate::pack::SourceError;
use crate::ruleset::RuleSet;

/// What the client may set at initialisation (`initializationOptions`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientOptions {
    /// Offer and apply unsafe fixes, whatever the configuration's `unsafe-fixes` says.
    pub unsafe_fixes: Option<bool>,
    /// One configuration file for every document (as `check --config`).
    pub configuration: Option<PathBuf>,
    /// Ignore all configuration files (as `check --isolated`).
    pub isolated: bool,
}

/// The settings of one document.
pub struct Governing {
    pub settings: Arc<Settings>,
    pub rules: Arc<RuleSet>,
    /// Whether unsafe fixes are offered and applied: the client's option, else the
    /// configuration's `unsafe-fixes`.
    pub unsafe_fixes: bool,
}

/// The workspace: its folders, how settings are found, and the Python files in it.
pub struct Workspace {
    pub roots: Vec<PathBuf>,
    options: ClientOptions,
    resolver: Arc<Resolver>,
    /// The workspace's Python files (found on first use, again after one is created or deleted).
    files: Option<Vec<PathBuf>>,
}

impl Workspace {
    pub fn new(roots: Vec<PathBuf>, options: ClientOptions) -> Workspace {
        let resolver = new_resolver(&options);
        Workspace {
            roots,
            options,
            resolver,
            files: None,
        }
    }

    /// Forget every resolved configuration: they are read again on the next check.
    pub fn reload_settings(&mut self) {
        self.resolver = new_resolver(&self.options);
    }

    /// Forget the list of the workspace's files.
    pub fn forget_files(&mut self) {
        self.files = None;
    }

    /// The settings governing the file at `path` (a document without a file on disk: the
    /// first workspace folder's, else the current directory's).
    pub fn governing(&self, path: Option<&Path>) -> Result<Governing, SourceError> {
        let fallback;
        let path = match path {
            Some(path) => path,
            None => {
                fallback = self
                    .roots
                    .first()
                    .map_or_else(|| PathBuf::from("."), |root| root.join("untitled.py"));
                &fallback
            }
        };
        let (settings, keys) = self.resolver.for_root(path)?;
        let rules = settings.rules_for(path);
        let unsafe_fixes = self
            .options
            .unsafe_fixes
            .or(keys.unsafe_fixes.map(|(value, _)| value))
            .unwrap_or(false);
        Ok(Governing {
            settings,
            rules,
            unsafe_fixes,
        })
    }

    /// The workspace's Python files, found as `check` finds them in its folders.
    pub fn files(&mut self) -> &[PathBuf] {
        self.files.get_or_insert_with(|| {
            let roots: Vec<PathBuf> = self.roots.iter().filter(|r| r.is_dir()).cloned().collect();
            if roots.is_empty() {
                return Vec::new();
            }
            match discover::discover(&roots, &self.resolver) {
                Ok(found) => found.files.into_iter().map(|(path, _)| path).collect(),
                Err(_) => Vec::new(),
            }
        })
    }
}

fn new_resolver(options: &ClientOptions) -> Arc<Resolver> {
    let overrides = Overrides {
        builtin_packs: true,
        ..Overrides::default()
    };
    let discovery = if options.isolated {
        Discovery::Isolated
    } else if let Some(path) = &options.configuration {
        Discovery::Fixed(path.clone())
    } else {
        Discovery::Nearest
    };
    Arc::new(Resolver::new(overrides, discovery))
}

/// Whether a change to the file at `path` may change what governs documents: a configuration,
/// a packaging file that declares versions, or a rule pack (any TOML file).
pub fn is_settings_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".toml")
        || name == "setup.cfg"
        || name == "setup.py"
        || (name.starts_with("requirements") && name.ends_with(".txt"))
}
