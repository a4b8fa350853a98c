//! Settings per directory: which configuration file governs a path, and what it resolves to.
//!
//! As in Ruff, every checked file is governed by the nearest configuration at or above its
//! directory (`--config` makes one file govern everything, `--isolated` none). A configuration
//! resolves, with the command line's overrides on top, to [`Settings`]: its rule packs, rule set,
//! file filters, per-file ignores and fix options. Files are matched against globs relative to the
//! directory of the configuration that governs them. Both lookups are cached: each directory is
//! looked in once, however many directories below share it, and a tree with one configuration
//! reads it once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rustc_hash::FxHashMap;
use toml::Spanned;

use crate::canonical::CanonicalDirs;
use crate::discover::Filters;
use crate::migration::Migration;
use crate::pack::{self, Pack, SourceError};
use crate::report::Format;
use crate::ruleset::{FixSelection, RuleSet, Selection};
use crate::settings::{self, Config, Held, SpannedList, strings};
use crate::sync::lock;
use crate::version::Version;

/// What the command line says, over every configuration file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub versions: BTreeMap<String, Version>,
    pub fix: Option<bool>,
    pub unsafe_fixes: Option<bool>,
    pub force_exclude: Option<bool>,
    pub output_format: Option<Format>,
    /// Extra packs (`--rulepack`) and whether the built-in packs load.
    pub rulepacks: Vec<PathBuf>,
    pub builtin_packs: bool,
}

/// Which configuration files apply.
#[derive(Debug, Clone)]
pub enum Discovery {
    /// The nearest configuration of each file.
    Nearest,
    /// One file for everything (`--config`).
    Fixed(PathBuf),
    /// No configuration file (`--isolated`).
    Isolated,
}

/// One configuration, resolved.
#[derive(Debug)]
pub struct Settings {
    /// The configuration file (`None`: defaults).
    pub config: Option<PathBuf>,
    /// The directory globs are relative to.
    pub root: PathBuf,
    pub filters: Filters,
    pub force_exclude: bool,
    pub fix: bool,
    pub unsafe_fixes: bool,
    pub output_format: Option<Format>,
    /// What the packs' migrations move from and to (for `anyio-lint report`).
    pub migration: Migration,
    rules: Arc<RuleSet>,
    per_file_ignores: Vec<(GlobSet, Vec<String>)>,
    packs: Arc<Vec<Pack>>,
    selection: Selection,
    versions: BTreeMap<String, Version>,
    fix_selection: FixSelection,
    /// Rule sets with per-file ignores applied, by the indices of the entries that matched.
    narrowed: Mutex<FxHashMap<Vec<usize>, Arc<RuleSet>>>,
    /// Canonical directories (shared with the resolver): a file outside `root` may lie below it
    /// through a symlinked directory.
    canonical: Arc<CanonicalDirs>,
}

impl Settings {
    /// The rules for `path`: the configuration's, less its per-file ignores for that path.
    pub fn rules_for(&self, path: &Path) -> Arc<RuleSet> {
        if self.per_file_ignores.is_empty() {
            return self.rules.clone();
        }
        let relative = self.relative(path);
        let matched: Vec<usize> = self
            .per_file_ignores
            .iter()
            .enumerate()
            .filter(|(_, (globs, _))| {
                globs.is_match(&relative) || relative.file_name().is_some_and(|n| globs.is_match(n))
            })
            .map(|(index, _)| index)
            .collect();
        if matched.is_empty() {
            return self.rules.clone();
        }
        let mut cache = lock(&self.narrowed);
        cache
            .entry(matched.clone())
            .or_insert_with(|| {
                let mut selection = self.selection.clone();
                for index in &matched {
                    selection
                        .per_file_ignore
                        .extend(self.per_file_ignores[*index].1.iter().cloned());
                }
                Arc::new(
                    RuleSet::new(self.packs.clone(), &selection, &self.versions)
                        .with_fix_selection(&self.fix_selection),
                )
            })
            .clone()
    }

    /// The rules of the configuration, without per-file ignores.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// Whether the walk skips `path` (a file or a directory).
    pub fn excludes(&self, path: &Path) -> bool {
        // Making every walked path relative costs more than the walk itself: it is done only when
        // a glob needs it.
        !self.filters.excludes_nothing() && self.filters.excluded(&self.relative(path))
    }

    /// Whether `path` or a directory between it and the root is excluded (`force-exclude`).
    pub fn excludes_path_or_parent(&self, path: &Path) -> bool {
        let relative = self.relative(path);
        relative.ancestors().any(|part| {
            !part.as_os_str().is_empty()
                && (self.filters.excluded(part)
                    || part
                        .file_name()
                        .is_some_and(crate::discover::is_excluded_by_default))
        })
    }

    /// Whether a walked file is one to check (include globs, or `.py`/`.pyi`).
    pub fn includes(&self, path: &Path) -> bool {
        if self.filters.includes_by_extension() {
            // A relative path has the same extension.
            return self.filters.included(path);
        }
        self.filters.included(&self.relative(path))
    }

    /// `path` relative to the root when it lies below it (made absolute, or through a symlinked
    /// directory), else `path` made absolute.
    fn relative(&self, path: &Path) -> PathBuf {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        if let Ok(relative) = absolute.strip_prefix(&self.root) {
            return relative.to_path_buf();
        }
        let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
            return absolute;
        };
        let below = self
            .canonical
            .of(parent)
            .and_then(|c| c.strip_prefix(&self.root).ok().map(Path::to_path_buf));
        match below {
            Some(directory) => directory.join(name),
            None => absolute,
        }
    }
}

/// The configurations at or above a directory.
#[derive(Debug, Clone, Default)]
struct Nearest {
    configuration: Option<PathBuf>,
    /// A `pyproject.toml` giving versions only, used when there is no configuration.
    project_only: Option<PathBuf>,
}

/// Finds and caches the settings of each directory.
#[derive(Debug)]
pub struct Resolver {
    overrides: Overrides,
    discovery: Discovery,
    /// Directory → the configuration file governing it.
    by_directory: Mutex<FxHashMap<PathBuf, Option<PathBuf>>>,
    /// Canonical directory → the configurations at or above it, so that directories sharing
    /// ancestors look in each of them once.
    nearest: Mutex<FxHashMap<PathBuf, Nearest>>,
    canonical: Arc<CanonicalDirs>,
    /// Configuration file (or `None` for defaults) → its settings.
    by_config: Mutex<FxHashMap<Option<PathBuf>, Arc<Settings>>>,
}

impl Resolver {
    pub fn new(overrides: Overrides, discovery: Discovery) -> Resolver {
        Resolver {
            overrides,
            discovery,
            by_directory: Mutex::default(),
            nearest: Mutex::default(),
            canonical: Arc::default(),
            by_config: Mutex::default(),
        }
    }

    /// The settings governing files in `directory`.
    pub fn for_directory(&self, directory: &Path) -> Result<Arc<Settings>, SourceError> {
        let config = match &self.discovery {
            Discovery::Isolated => None,
            Discovery::Fixed(path) => Some(path.clone()),
            Discovery::Nearest => {
                let directory = if directory.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    directory
                };
                let key = std::path::absolute(directory).unwrap_or_else(|_| directory.into());
                // Not locked while looking: other threads resolve other directories meanwhile.
                let known = lock(&self.by_directory).get(&key).cloned();
                known.unwrap_or_else(|| {
                    let found = self.find(&key);
                    lock(&self.by_directory).insert(key, found.clone());
                    found
                })
            }
        };
        if let Some(found) = lock(&self.by_config).get(&config) {
            return Ok(found.clone());
        }
        let resolved = Arc::new(self.resolve(config.as_deref())?);
        Ok(lock(&self.by_config)
            .entry(config)
            .or_insert(resolved)
            .clone())
    }

    /// The configuration governing the absolute `directory`, as Ruff looks for it: the nearest
    /// configuration at or above it; when there is none, the nearest `pyproject.toml` with a
    /// `[project]` table (it gives versions only). A directory that does not exist (a
    /// `--stdin-filename`) is looked up from where it would be.
    fn find(&self, directory: &Path) -> Option<PathBuf> {
        let start = directory
            .ancestors()
            .find_map(|dir| self.canonical.of(dir))?;
        let nearest = self.nearest(&start);
        nearest.configuration.or(nearest.project_only)
    }

    /// The configurations at or above the canonical `directory`.
    fn nearest(&self, directory: &Path) -> Nearest {
        if let Some(known) = lock(&self.nearest).get(directory) {
            return known.clone();
        }
        let above = directory
            .parent()
            .map(|parent| self.nearest(parent))
            .unwrap_or_default();
        let nearest = match settings::held_in(directory) {
            Some(Held::Configuration(path)) => Nearest {
                configuration: Some(path),
                ..above
            },
            Some(Held::ProjectOnly(path)) => Nearest {
                project_only: Some(path),
                ..above
            },
            None => above,
        };
        lock(&self.nearest).insert(directory.to_path_buf(), nearest.clone());
        nearest
    }

    /// The settings governing the file (or directory) at `path`.
    pub fn for_path(&self, path: &Path) -> Result<Arc<Settings>, SourceError> {
        let directory = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(Path::new("."))
        };
        self.for_directory(directory)
    }

    fn resolve(&self, path: Option<&Path>) -> Result<Settings, SourceError> {
        let config = match path {
            Some(path) => settings::read(path)?,
            None => Config::default(),
        };
        let overrides = &self.overrides;
        let root = config.root();
        let options = &config.options;
        let mut pack_files: Vec<PathBuf> = options
            .rulepacks
            .iter()
            .flatten()
            .map(|p| root.join(p.get_ref()))
            .collect();
        pack_files.extend(overrides.rulepacks.iter().cloned());
        let packs = Arc::new(pack::load_all(overrides.builtin_packs, &pack_files)?);
        let known = |list: &Option<SpannedList>| check_selectors(&config, &packs, list);
        for list in [
            &options.select,
            &options.extend_select,
            &options.ignore,
            &options.extend_safe_fixes,
            &options.extend_unsafe_fixes,
        ] {
            known(list)?;
        }
        let mut versions = config.versions()?;
        versions.extend(overrides.versions.clone());
        let selection = Selection {
            select: if overrides.select.is_empty() {
                strings(&options.select)
            } else {
                overrides.select.clone()
            },
            extend_select: [
                overrides.extend_select.clone(),
                strings(&options.extend_select),
            ]
            .concat(),
            ignore: [overrides.ignore.clone(), strings(&options.ignore)].concat(),
            per_file_ignore: Vec::new(),
        };
        let fix_selection = FixSelection {
            safe: strings(&options.extend_safe_fixes),
            unsafe_: strings(&options.extend_unsafe_fixes),
        };
        let mut per_file_ignores = Vec::new();
        for (glob, codes) in options.per_file_ignores.iter().flatten() {
            known(&Some(codes.clone()))?;
            per_file_ignores.push((glob_set(&config, glob)?, strings(&Some(codes.clone()))));
        }
        let mut exclude = options.exclude.clone().unwrap_or_default();
        exclude.extend(options.extend_exclude.clone().unwrap_or_default());
        let include = options.include.clone().unwrap_or_default();
        for glob in exclude.iter().chain(&include) {
            glob_set(&config, glob)?;
        }
        let filters = Filters::new(&plain(&exclude), &plain(&include))
            .map_err(|message| SourceError::new(&config.shown(), "", None, message))?;
        let output_format = match &options.output_format {
            None => None,
            Some(name) => Some(
                <Format as clap::ValueEnum>::from_str(name.get_ref(), true).map_err(|_| {
                    config.error(
                        name.span(),
                        format!(
                            "`output-format = \"{}\"`: use {}",
                            name.get_ref(),
                            Format::names().join(", ")
                        ),
                    )
                })?,
            ),
        };
        let rules = Arc::new(
            RuleSet::new(packs.clone(), &selection, &versions).with_fix_selection(&fix_selection),
        );
        Ok(Settings {
            canonical: self.canonical.clone(),
            config: config.path.clone(),
            root,
            filters,
            force_exclude: overrides
                .force_exclude
                .or(options.force_exclude)
                .unwrap_or(false),
            fix: overrides.fix.or(options.fix).unwrap_or(false),
            unsafe_fixes: overrides
                .unsafe_fixes
                .or(options.unsafe_fixes)
                .unwrap_or(false),
            output_format: overrides.output_format.or(output_format),
            migration: Migration::of(&packs),
            rules,
            per_file_ignores,
            packs,
            selection,
            versions,
            fix_selection,
            narrowed: Mutex::default(),
        })
    }
}

fn plain(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

/// A glob and, when it has no `/`, the same glob at any depth.
fn glob_set(config: &Config, glob: &Spanned<String>) -> Result<GlobSet, SourceError> {
    let text = glob.get_ref();
    let bad = |e: globset::Error| config.error(glob.span(), format!("invalid glob `{text}`: {e}"));
    let mut builder = GlobSetBuilder::new();
    builder.add(Glob::new(text).map_err(bad)?);
    if !text.contains('/') {
        builder.add(Glob::new(&format!("**/{text}")).map_err(bad)?);
    }
    builder.build().map_err(bad)
}

/// Every selector must be `ALL` or a prefix of some loaded rule's code.
fn check_selectors(
    config: &Config,
    packs: &[Pack],
    list: &Option<SpannedList>,
) -> Result<(), SourceError> {
    for selector in list.iter().flatten() {
        if let Err(message) = known_selector(packs, selector.get_ref()) {
            return Err(config.error(selector.span(), message));
        }
    }
    Ok(())
}

/// `Ok` when `selector` is `ALL` or a prefix of a loaded rule's code; else what to do.
pub fn known_selector(packs: &[Pack], selector: &str) -> Result<(), String> {
    let engine = crate::noqa::ENGINE_CODES.iter().copied();
    let mut codes = packs
        .iter()
        .flat_map(|p| p.rules.iter().map(|r| r.code.as_str()))
        .chain(engine);
    if selector == "ALL" || codes.any(|code| code.starts_with(selector)) {
        Ok(())
    } else {
        Err(format!(
            "unknown rule selector `{selector}`: no loaded rule's code starts with it (`anyio-lint rules` lists them)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_directory_finds_its_nearest_configuration_whatever_was_looked_up_before() {
        let temporary = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(temporary.path()).unwrap();
        let project = "[project]\nname = \"p\"\nversion = \"1\"\n";
        for dir in ["a/b/c", "d/e"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("pyproject.toml"), project).unwrap();
        std::fs::write(root.join("a/anyio-lint.toml"), "").unwrap();
        std::fs::write(root.join("a/b/pyproject.toml"), project).unwrap();
        std::fs::write(root.join("d/pyproject.toml"), "[tool.anyio-lint]\n").unwrap();
        let resolver = Resolver::new(Overrides::default(), Discovery::Nearest);
        let expected = [
            // A configuration above wins over a nearer pyproject.toml giving versions only.
            ("a/b/c", "a/anyio-lint.toml"),
            ("a/b", "a/anyio-lint.toml"),
            ("a", "a/anyio-lint.toml"),
            ("d/e", "d/pyproject.toml"),
            // With no configuration above, the nearest pyproject.toml gives versions.
            ("", "pyproject.toml"),
            // A directory that does not exist is looked up from where it would be.
            ("a/missing/dir", "a/anyio-lint.toml"),
        ];
        for (dir, config) in expected {
            assert_eq!(
                resolver.find(&root.join(dir)),
                Some(root.join(config)),
                "{dir}"
            );
        }
    }
}
