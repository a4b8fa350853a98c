//! Settings per directory: which configuration file governs a path, and what it resolves to.
//!
//! As in Ruff, every checked file is governed by the nearest configuration at or above its
//! directory (`--config` makes one file govern everything, `--isolated` none). A configuration
//! resolves, over the configurations it extends and with the command line's overrides on top, to
//! [`Settings`]: its rule packs, rule set (fix applicability and fixability included), file
//! filters, per-file ignores and the project's versions, and for each setting where it came from
//! ([`Provenance`], for `--show-settings`). Through `extend`, a key the configuration sets
//! replaces the one it extends; the rule selectors (`select`, `extend-select`, `ignore`, and
//! `fixable`, `extend-fixable`, `unfixable`) apply file after file, base first, as Ruff's do; the
//! `extend-exclude`, `extend-safe-fixes` and `extend-unsafe-fixes` of every file add up; pack
//! options and `versions` are replaced one by one. Its run-wide keys ([`RunKeys`]: `fix`,
//! `unsafe-fixes`, `show-fixes`, `output-format`) are checked with the rest, but a run takes them
//! from the configuration governing its root only ([`Resolver::for_root`]). A glob is matched
//! against paths relative to the directory of the file that wrote it (the current directory for
//! `--exclude` and `--extend-exclude`). Both lookups are cached: each directory is looked in
//! once, however many directories below share it, and a tree with one configuration reads it
//! once.
//!
//! The project's versions, each with where it came from ([`VersionSource`]), are in order of
//! precedence: `--version-of`, the configuration's `versions`, what the packaging files beside it
//! declare ([`crate::config::project`]), and last the `default-versions` of the loaded packs (the
//! oldest where packs differ). A distribution none of these gives is taken as the newest by the
//! rules.
//!
//! A configuration can change what a run writes, so the search trusts only what the project
//! earned, as git's `safe.directory` does. It stops at the repository root (the directory holding
//! `.git`, itself included) and takes a configuration only when it is owned by the running user,
//! by root, or by the owner of the directory being checked; any other is skipped with a warning
//! (`--config` names a file to use whoever owns it). A configuration's rule packs lie at or below
//! its directory, symlinks resolved, and are refused before they are read otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rustc_hash::{FxHashMap, FxHashSet};
use toml::Spanned;

use crate::base::canonical::CanonicalDirs;
use crate::base::sync::lock;
use crate::base::version::Version;
use crate::condition::OptionValues;
use crate::condition::value::Value;
use crate::config::filters::{Filters, is_excluded_by_default, unprefixed};
use crate::config::project::{ProjectVersion, ProjectVersions, VersionSource};
use crate::config::settings::{
    self, Config, Held, Options, RunKeys, Source, SpannedList, lexical, strings,
};
use crate::pack::{self, Pack, SourceError};
use crate::ruleset::{FixSelection, RuleSet, Selection, Selectors};

/// What the command line says of the settings of every directory, over every configuration file.
/// Its globs are relative to the current directory.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `--fixable` (replacing the configuration's `fixable` when not empty), `--extend-fixable`,
    /// `--unfixable`.
    pub fixable: Vec<String>,
    pub extend_fixable: Vec<String>,
    pub unfixable: Vec<String>,
    /// `--exclude` (replacing the configuration's `exclude`) and `--extend-exclude`.
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    pub versions: BTreeMap<String, Version>,
    pub force_exclude: Option<bool>,
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

/// One configuration, resolved: what applies to the files it governs.
#[derive(Debug)]
pub struct Settings {
    /// The configuration file (`None`: defaults), or the packaging file giving versions when
    /// `project_only`.
    pub config: Option<PathBuf>,
    /// Whether `config` is a packaging file found where no configuration is, giving versions only.
    pub project_only: bool,
    /// The configurations `config` extends, the one it names first.
    pub extends: Vec<PathBuf>,
    /// The directory of the configuration (the current directory when there is none).
    pub root: PathBuf,
    pub filters: Filters,
    pub force_exclude: bool,
    rules: Arc<RuleSet>,
    /// Each glob of `per-file-ignores`, compiled, with the directory it is relative to and its
    /// rule selectors.
    per_file_ignores: Vec<(PathBuf, GlobSet, Vec<String>)>,
    /// Every setting with its values and where they came from, for `--show-settings`.
    provenance: Vec<Provenance>,
    packs: Arc<Vec<Pack>>,
    selection: Selection,
    versions: BTreeMap<String, Version>,
    /// `versions` and where each came from.
    project_versions: ProjectVersions,
    fix_selection: FixSelection,
    /// The pack options the configuration sets.
    options: OptionValues,
    /// Rule sets with per-file ignores applied, by the indices of the entries that matched.
    narrowed: Mutex<FxHashMap<Vec<usize>, Arc<RuleSet>>>,
    /// Canonical directories (shared with the resolver): a file outside `root` may lie below it
    /// through a symlinked directory.
    canonical: Arc<CanonicalDirs>,
}

/// One setting of a resolved configuration as `--show-settings` lists it: its key, its values
/// (as written, or as the default is), and where they came from. A setting several layers of
/// configuration add to (`ignore` through `extend`, and on the command line) has one
/// `Provenance` per layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub key: &'static str,
    pub values: Vec<String>,
    pub source: Source,
}

impl Settings {
    /// The rules for `path`: the configuration's, less its per-file ignores for that path.
    pub fn rules_for(&self, path: &Path) -> Arc<RuleSet> {
        if self.per_file_ignores.is_empty() {
            return self.rules.clone();
        }
        let absolute = lexical(path);
        let matched: Vec<usize> = self
            .per_file_ignores
            .iter()
            .enumerate()
            .filter(|(_, (directory, globs, _))| {
                let relative = self.relative_to(directory, &absolute);
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
                        .extend(self.per_file_ignores[*index].2.iter().cloned());
                }
                let packs = self.packs.clone();
                Arc::new(
                    RuleSet::configured(packs, &selection, &self.versions, &self.options)
                        .with_fix_selection(&self.fix_selection),
                )
            })
            .clone()
    }

    /// The rules of the configuration, without per-file ignores.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    /// The project's versions, each with where it came from.
    pub fn versions(&self) -> &ProjectVersions {
        &self.project_versions
    }

    /// Every setting with its values and where they came from, in a fixed order: rule packs,
    /// the rule selection, per-file ignores, fix selection, file filters, pack options.
    pub fn provenance(&self) -> &[Provenance] {
        &self.provenance
    }

    /// Whether the walk skips `path` (a file or a directory).
    pub fn excludes(&self, path: &Path) -> bool {
        // Making every walked path relative costs more than the walk itself: it is done only when
        // a glob needs it.
        if self.filters.excludes_nothing() {
            return false;
        }
        let absolute = lexical(path);
        self.filters
            .excluded(|directory| self.relative_to(directory, &absolute))
    }

    /// Whether `path` or a directory between it and the root is excluded (`force-exclude`).
    pub fn excludes_path_or_parent(&self, path: &Path) -> bool {
        let absolute = lexical(path);
        let relative = self.relative_to(&self.root, &absolute);
        let by_default = relative.ancestors().any(|part| {
            !part.as_os_str().is_empty() && part.file_name().is_some_and(is_excluded_by_default)
        });
        by_default
            || self
                .filters
                .excluded_or_parent(|directory| self.relative_to(directory, &absolute))
    }

    /// Whether a walked file is one to check (include globs, or `.py`/`.pyi` and the
    /// configuration files the rules read).
    pub fn includes(&self, path: &Path) -> bool {
        if self.filters.includes_by_extension() {
            // A relative path has the same extension.
            return self.filters.included(path, |_| PathBuf::new())
                || path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| self.rules.config_file_name(name).is_some());
        }
        let absolute = lexical(path);
        self.filters
            .included(path, |directory| self.relative_to(directory, &absolute))
    }

    /// The absolute `path` (`..` folded) relative to the absolute `directory`: below it as
    /// written or through a symlinked directory, else through the directories they share
    /// (`../other/file.py`).
    fn relative_to(&self, directory: &Path, path: &Path) -> PathBuf {
        if let Ok(relative) = path.strip_prefix(directory) {
            return relative.to_path_buf();
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return path.to_path_buf();
        };
        let below = self
            .canonical
            .of(parent)
            .and_then(|c| c.strip_prefix(directory).ok().map(Path::to_path_buf));
        if let Some(below) = below {
            return below.join(name);
        }
        let Some(shared) = directory.ancestors().find(|a| path.starts_with(a)) else {
            return path.to_path_buf();
        };
        let up = directory
            .strip_prefix(shared)
            .map_or(0, |d| d.components().count());
        let mut relative: PathBuf = std::iter::repeat_n("..", up).collect();
        relative.push(path.strip_prefix(shared).unwrap_or(path));
        relative
    }
}

/// A configuration file the upward search found, and who owns it: the file, and the symlink
/// that leads to it when there is one (none where files have no owner id).
#[derive(Debug, Clone)]
struct Candidate {
    held: Held,
    owners: Vec<u32>,
}

/// The configuration files at or above a canonical directory, nearest first, up to and including
/// the repository root.
type Candidates = Arc<Vec<Candidate>>;

/// A configuration resolved: its settings, and the run-wide keys it sets.
type Resolved = (Arc<Settings>, RunKeys);

/// Finds and caches the settings of each directory.
#[derive(Debug)]
pub struct Resolver {
    overrides: Overrides,
    discovery: Discovery,
    /// Directory → the configuration file governing it.
    by_directory: Mutex<FxHashMap<PathBuf, Option<PathBuf>>>,
    /// Canonical directory → the configurations at or above it, so that directories sharing
    /// ancestors look in each of them once.
    candidates: Mutex<FxHashMap<PathBuf, Candidates>>,
    canonical: Arc<CanonicalDirs>,
    /// Configuration file (or `None` for defaults) → its settings and run-wide keys.
    by_config: Mutex<FxHashMap<Option<PathBuf>, Resolved>>,
    /// The pack files a configuration loads (with the built-in packs) → the packs, loaded once
    /// however many configurations name the same (most name none).
    packs: Mutex<FxHashMap<Vec<PathBuf>, Arc<Vec<Pack>>>>,
    /// The user running (`None` where files have no owner id).
    running_user: Option<u32>,
    /// Warnings printed, each once per run.
    warned: Mutex<FxHashSet<String>>,
}

impl Resolver {
    pub fn new(overrides: Overrides, discovery: Discovery) -> Resolver {
        Resolver {
            overrides,
            discovery,
            by_directory: Mutex::default(),
            candidates: Mutex::default(),
            canonical: Arc::default(),
            by_config: Mutex::default(),
            packs: Mutex::default(),
            running_user: running_user(),
            warned: Mutex::default(),
        }
    }

    /// Print `message` on standard error unless it was printed already.
    fn warn_once(&self, message: String) {
        if lock(&self.warned).insert(message.clone()) {
            eprintln!("warning: {message}");
        }
    }

    /// The settings governing files in `directory`.
    pub fn for_directory(&self, directory: &Path) -> Result<Arc<Settings>, SourceError> {
        Ok(self.resolved(directory)?.0)
    }

    /// The settings governing the file (or directory) at `path`.
    pub fn for_path(&self, path: &Path) -> Result<Arc<Settings>, SourceError> {
        Ok(self.resolved(directory_of(path))?.0)
    }

    /// The settings governing the root of a run, the file (or directory) at `path`, and the
    /// run-wide keys of their configuration: the only configuration a run takes them from.
    pub fn for_root(&self, path: &Path) -> Result<(Arc<Settings>, RunKeys), SourceError> {
        self.resolved(directory_of(path))
    }

    /// The settings governing `directory`, and the run-wide keys of their configuration.
    fn resolved(&self, directory: &Path) -> Result<Resolved, SourceError> {
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
        let (settings, keys) = self.resolve(config.as_deref())?;
        let resolved = (Arc::new(settings), keys);
        Ok(lock(&self.by_config)
            .entry(config)
            .or_insert(resolved)
            .clone())
    }

    /// The configuration governing the absolute `directory`, as Ruff looks for it: the nearest
    /// configuration at or above it; when there is none, the nearest `pyproject.toml` with a
    /// `[project]` table (it gives versions only). The search stops at the repository root and
    /// skips files owned by others than the project ([`Resolver::trusted`]). A directory that
    /// does not exist (a `--stdin-filename`) is looked up from where it would be.
    fn find(&self, directory: &Path) -> Option<PathBuf> {
        let start = directory
            .ancestors()
            .find_map(|dir| self.canonical.of(dir))?;
        let mut project_only = None;
        for candidate in self.candidates(&start).iter() {
            if !self.trusted(candidate, &start) {
                continue;
            }
            match &candidate.held {
                Held::Configuration(path) => return Some(path.clone()),
                Held::ProjectOnly(path) => {
                    project_only.get_or_insert_with(|| path.clone());
                }
            }
        }
        project_only
    }

    /// The configurations at or above the canonical `directory`, up to and including the first
    /// directory holding `.git` (a directory, or a file in a worktree or submodule).
    fn candidates(&self, directory: &Path) -> Candidates {
        if let Some(known) = lock(&self.candidates).get(directory) {
            return known.clone();
        }
        let is_repository_root = std::fs::symlink_metadata(directory.join(".git")).is_ok();
        let above = match directory.parent() {
            Some(parent) if !is_repository_root => self.candidates(parent),
            _ => Candidates::default(),
        };
        let candidates = match settings::held_in(directory) {
            Some(held) => {
                let owners = owners_of(held.path());
                let mut all = vec![Candidate { held, owners }];
                all.extend(above.iter().cloned());
                Arc::new(all)
            }
            None => above,
        };
        lock(&self.candidates).insert(directory.to_path_buf(), candidates.clone());
        candidates
    }

    /// Whether a configuration found above the canonical directory `start` may govern it: when it
    /// (and the symlink leading to it, if any) is owned by the running user, by root, or by the
    /// owner of `start`. Another user's file (in a shared or world-writable parent, say) is
    /// skipped with a warning.
    fn trusted(&self, candidate: &Candidate, start: &Path) -> bool {
        let mut project_owner = None;
        let Some(owner) = candidate.owners.iter().copied().find(|&owner| {
            if Some(owner) == self.running_user || owner == 0 {
                return false;
            }
            *project_owner.get_or_insert_with(|| owner_of(start)) != Some(owner)
        }) else {
            return true;
        };
        let project_owner = project_owner.flatten();
        let path = candidate.held.path();
        self.warn_once(format!(
            "{} is not used: it is owned by user id {owner}, not by you ({}), root or the owner of {} ({}); \
             a configuration another user could have written does not govern your files. \
             To use it, name it: `--config {}`",
            path.display(),
            self.running_user.map_or("unknown".to_owned(), |id| id.to_string()),
            start.display(),
            project_owner.map_or("unknown".to_owned(), |id| id.to_string()),
            path.display(),
        ));
        false
    }

    /// The packs of a configuration: the built-in ones (unless disabled) and `files`.
    fn packs(&self, files: Vec<PathBuf>) -> Result<Arc<Vec<Pack>>, SourceError> {
        let mut known = lock(&self.packs);
        if let Some(packs) = known.get(&files) {
            return Ok(packs.clone());
        }
        let packs = Arc::new(pack::load_all(self.overrides.builtin_packs, &files)?);
        known.insert(files, packs.clone());
        Ok(packs)
    }

    /// The configuration at `path` (`None`: the defaults) resolved, with the configurations it
    /// extends under it and the command line's overrides on top, and its run-wide keys.
    fn resolve(&self, path: Option<&Path>) -> Result<(Settings, RunKeys), SourceError> {
        check_command_line(&self.overrides)?;
        let config = match path {
            Some(path) => settings::read(path)?,
            None => Config::default(),
        };
        if let (Discovery::Fixed(_), Some(path)) = (&self.discovery, path)
            && config.project_only
        {
            // As `extend` refuses it: `--config` names a configuration, not packaging metadata.
            let shown = path.display();
            let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
            let message = match is_pyproject {
                true => format!(
                    "`--config` names {shown}, which has no `[tool.anyio-lint]` table: there is nothing to use; add the table, or name an anyio-lint TOML file"
                ),
                false => format!(
                    "`--config` names {shown}, which is not a configuration: name a `pyproject.toml` with a `[tool.anyio-lint]` table or an anyio-lint TOML file"
                ),
            };
            return Err(SourceError::new(&shown.to_string(), "", None, message));
        }
        let overrides = &self.overrides;
        let layers = config.layers();
        let mut shown = Shown::default();
        // The nearest configuration naming packs names them all, each relative to its directory.
        let configured = config.last(|o| o.rulepacks.as_ref());
        let mut pack_files = Vec::new();
        if let Some((layer, entries)) = configured {
            for entry in entries {
                pack_files.push(confined_pack(layer, entry)?);
            }
        }
        let from_config = pack_files.len();
        pack_files.extend(overrides.rulepacks.iter().cloned());
        let named = pack_files.len();
        let packs = self.packs(pack_files)?;
        let builtin = packs.len() - named;
        let origins = |packs: &[Pack]| packs.iter().map(|p| p.origin.clone()).collect();
        if overrides.builtin_packs {
            shown.push("rule packs", origins(&packs[..builtin]), Source::Default);
        }
        if let Some((layer, _)) = configured {
            let these = origins(&packs[builtin..builtin + from_config]);
            shown.push("rule packs", these, layer.source("rulepacks"));
        }
        if !overrides.rulepacks.is_empty() {
            let these = origins(&packs[builtin + from_config..]);
            shown.push("rule packs", these, Source::CommandLine("--rulepack"));
        }
        if packs.is_empty() {
            let source = Source::CommandLine("--no-builtin-packs");
            shown.push("rule packs", Vec::new(), source);
        }
        // Every layer's values are checked, those another layer overrides too.
        for layer in &layers {
            check_layer(layer, &packs)?;
        }
        for warning in &config.warnings {
            self.warn_once(warning.clone());
        }
        let project_versions = project_versions(&config, overrides, &packs)?;
        let versions: BTreeMap<String, Version> = project_versions
            .iter()
            .map(|(distribution, known)| (distribution.clone(), known.version.clone()))
            .collect();
        let selection = selection(&layers, overrides, &mut shown);
        let per_file = config.last(|o| o.per_file_ignores.as_ref());
        let mut per_file_ignores = Vec::new();
        let mut listed = Vec::new();
        for (layer, table) in per_file.iter() {
            for (glob, codes) in table.iter() {
                let selectors = strings(&Some(codes.clone()));
                listed.push(format!("{:?} = {}", glob.get_ref(), selectors.join(" ")));
                per_file_ignores.push((layer.root(), glob_set(layer, glob)?, selectors));
            }
        }
        let source = per_file.map_or(Source::Default, |(layer, _)| {
            layer.source("per-file-ignores")
        });
        shown.push("per-file-ignores", listed, source);
        let fix_selection = fix_selection(&layers, overrides, &mut shown);
        let filters = filters(&config, &layers, overrides, &packs, &mut shown)?;
        let force_exclude = match overrides.force_exclude {
            Some(on) => {
                let option = if on {
                    "--force-exclude"
                } else {
                    "--no-force-exclude"
                };
                (on, Source::CommandLine(option))
            }
            None => config
                .last(|o| o.force_exclude.as_ref())
                .map_or((false, Source::Default), |(layer, on)| {
                    (*on, layer.source("force-exclude"))
                }),
        };
        shown.push(
            "force-exclude",
            vec![force_exclude.0.to_string()],
            force_exclude.1,
        );
        let pack_options = pack_options(&layers, &packs, &mut shown)?;
        let run_keys = config.run_keys()?;
        let rules = Arc::new(
            RuleSet::configured(packs.clone(), &selection, &versions, &pack_options)
                .with_fix_selection(&fix_selection),
        );
        let settings = Settings {
            canonical: self.canonical.clone(),
            config: config.path.clone(),
            project_only: config.project_only,
            extends: (layers.iter().rev().skip(1))
                .filter_map(|layer| layer.path.clone())
                .collect(),
            root: config.root(),
            filters,
            force_exclude: force_exclude.0,
            rules,
            per_file_ignores,
            provenance: shown.0,
            packs,
            selection,
            versions,
            project_versions,
            fix_selection,
            options: pack_options,
            narrowed: Mutex::default(),
        };
        Ok((settings, run_keys))
    }
}

/// The settings of a configuration being resolved, with where each came from.
#[derive(Default)]
struct Shown(Vec<Provenance>);

impl Shown {
    fn push(&mut self, key: &'static str, values: Vec<String>, source: Source) {
        self.0.push(Provenance {
            key,
            values,
            source,
        });
    }

    /// A list each layer may add to: one line per layer (and the command line's `option`) that
    /// sets it, else `default`.
    fn layered(
        &mut self,
        key: &'static str,
        layers: &[&Config],
        pick: impl Fn(&Options) -> &Option<SpannedList>,
        command_line: (&'static str, &[String]),
        default: &[&str],
    ) {
        let before = self.0.len();
        for layer in layers {
            if let Some(list) = pick(&layer.options) {
                self.push(key, plain(list), layer.source(key));
            }
        }
        let (option, values) = command_line;
        if !values.is_empty() {
            self.push(key, values.to_vec(), Source::CommandLine(option));
        }
        if self.0.len() == before {
            let default = default.iter().map(|s| (*s).to_owned()).collect();
            self.push(key, default, Source::Default);
        }
    }
}

/// The project's versions under `config`: the command line's over the configuration's, and the
/// loaded packs' `default-versions` for distributions neither gives (the oldest, where packs
/// differ).
fn project_versions(
    config: &Config,
    overrides: &Overrides,
    packs: &[Pack],
) -> Result<ProjectVersions, SourceError> {
    let mut versions = config.versions()?;
    for (distribution, version) in &overrides.versions {
        let source = VersionSource::CommandLine;
        let version = version.clone();
        versions.insert(distribution.clone(), ProjectVersion { version, source });
    }
    for pack in packs {
        for (distribution, version) in &pack.default_versions {
            let replaces = match versions.get(distribution) {
                None => true,
                Some(known) => {
                    matches!(known.source, VersionSource::PackDefault { .. })
                        && *version < known.version
                }
            };
            if replaces {
                let source = VersionSource::PackDefault {
                    pack: pack.name.clone(),
                };
                let version = version.clone();
                versions.insert(distribution.clone(), ProjectVersion { version, source });
            }
        }
    }
    Ok(versions)
}

/// The directory whose settings govern the file (or directory) at `path`.
fn directory_of(path: &Path) -> &Path {
    if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    }
}

fn plain(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|s| s.get_ref().clone()).collect()
}

/// A glob and, when it has no `/`, the same glob at any depth.
fn glob_set(config: &Config, glob: &Spanned<String>) -> Result<GlobSet, SourceError> {
    let text = unprefixed(glob.get_ref());
    let bad = |e: globset::Error| {
        let written = glob.get_ref();
        config.error(glob.span(), format!("invalid glob `{written}`: {e}"))
    };
    let mut builder = GlobSetBuilder::new();
    builder.add(Glob::new(text).map_err(bad)?);
    if !text.contains('/') {
        builder.add(Glob::new(&format!("**/{text}")).map_err(bad)?);
    }
    builder.build().map_err(bad)
}

/// The pack options the configurations set (`[tool.anyio-lint.options.PACK]`), each layer's over
/// the layers it extends, option by option: each pack loaded, each option one it declares, each
/// value of the option's kind. Each option set is shown with the file and key that set it.
fn pack_options(
    layers: &[&Config],
    packs: &[Pack],
    shown: &mut Shown,
) -> Result<OptionValues, SourceError> {
    let mut values = OptionValues::new();
    let mut sources: BTreeMap<(String, String), Source> = BTreeMap::new();
    for config in layers {
        for (pack_name, table) in config.options.pack_options.iter().flatten() {
            let pack = options_pack(config, packs, pack_name)?;
            let named = pack_name.get_ref();
            let span = |value: &Value| value.span().unwrap_or_else(|| pack_name.span());
            let Some(entries) = table.as_table() else {
                return Err(config.error(
                    span(table),
                    format!("`options.{named}` is a table: option name → value"),
                ));
            };
            for (name, value) in entries {
                let Some(declared) = pack.options.iter().find(|option| &option.name == name) else {
                    let known: Vec<String> = pack
                        .options
                        .iter()
                        .map(|o| format!("`{}`", o.name))
                        .collect();
                    let note = if known.is_empty() {
                        format!("the pack `{named}` declares no options")
                    } else {
                        format!("the options of `{named}` are {}", known.join(", "))
                    };
                    return Err(config
                        .error(
                            span(value),
                            format!("the pack `{named}` has no option `{name}`"),
                        )
                        .note(note));
                };
                let read = declared.kind.read(value, name).map_err(|error| {
                    let mut out =
                        config.error(error.span.unwrap_or_else(|| span(value)), error.message);
                    if let Some(note) = error.note {
                        out = out.note(note);
                    }
                    out
                })?;
                values
                    .entry(pack.name.clone())
                    .or_default()
                    .insert(name.clone(), read);
                let key = format!("options.{}.{name}", pack.name);
                sources.insert((pack.name.clone(), name.clone()), config.source(&key));
            }
        }
    }
    for ((pack, name), source) in sources {
        let value = &values[&pack][&name];
        let entries: Vec<String> = (value.entries.iter())
            .map(|(glob, text)| match text.is_empty() {
                true => format!("{glob:?}"),
                false => format!("{glob:?} = {text:?}"),
            })
            .collect();
        let line = format!("{pack}.{name} = [{}]", entries.join(", "));
        shown.push("options", vec![line], source);
    }
    if !shown.0.iter().any(|line| line.key == "options") {
        shown.push("options", Vec::new(), Source::Default);
    }
    Ok(values)
}

/// The loaded pack a table of `options` is named after; else an error at the name saying how
/// options are set.
fn options_pack<'p>(
    config: &Config,
    packs: &'p [Pack],
    pack_name: &Spanned<String>,
) -> Result<&'p Pack, SourceError> {
    let named = pack_name.get_ref();
    if let Some(pack) = packs.iter().find(|pack| &pack.name == named) {
        return Ok(pack);
    }
    let error = config.error(
        pack_name.span(),
        format!("no loaded pack is named `{named}`"),
    );
    let owner = packs
        .iter()
        .find(|pack| pack.options.iter().any(|option| &option.name == named));
    let names: Vec<String> = packs.iter().map(|p| format!("`{}`", p.name)).collect();
    Err(match owner {
        Some(pack) => error.note(format!(
            "options are set per pack: `{named}` is an option of `{}`, set in \
             `[tool.anyio-lint.options.{}]`",
            pack.name, pack.name
        )),
        None => error.note(format!(
            "options are set per pack, `[tool.anyio-lint.options.PACK]`; the loaded packs \
             are {}",
            names.join(", ")
        )),
    })
}

/// The selectors and globs of one configuration file: every selector names a loaded rule, every
/// glob is valid; an error points at the value.
fn check_layer(layer: &Config, packs: &[Pack]) -> Result<(), SourceError> {
    let options = &layer.options;
    for list in [
        &options.select,
        &options.extend_select,
        &options.ignore,
        &options.extend_safe_fixes,
        &options.extend_unsafe_fixes,
        &options.fixable,
        &options.extend_fixable,
        &options.unfixable,
    ] {
        check_selectors(layer, packs, list)?;
    }
    for (glob, codes) in options.per_file_ignores.iter().flatten() {
        check_selectors(layer, packs, &Some(codes.clone()))?;
        glob_set(layer, glob)?;
    }
    for list in [&options.exclude, &options.extend_exclude, &options.include] {
        for glob in list.iter().flatten() {
            glob_set(layer, glob)?;
        }
    }
    Ok(())
}

/// The rule selection of `layers` (the configurations a configuration extends, then itself) with
/// the command line's selectors joining the last layer: `--select` replaces its `select`.
fn selection(layers: &[&Config], overrides: &Overrides, shown: &mut Shown) -> Selection {
    let mut inherited: Vec<Selectors> = (layers.iter())
        .map(|layer| Selectors {
            select: strings(&layer.options.select),
            extend: strings(&layer.options.extend_select),
            ignore: strings(&layer.options.ignore),
        })
        .collect();
    let last = inherited.pop().unwrap_or_default();
    let replaced = !overrides.select.is_empty();
    // `--select` replaces the last layer's `select`: only the layers before it show theirs.
    let shown_layers = match replaced {
        true => &layers[..layers.len().saturating_sub(1)],
        false => layers,
    };
    let cli = ("--select", &overrides.select[..]);
    shown.layered("select", shown_layers, |o| &o.select, cli, &["ALL"]);
    let extend = &overrides.extend_select;
    shown.layered(
        "extend-select",
        layers,
        |o| &o.extend_select,
        ("--extend-select", extend),
        &[],
    );
    shown.layered(
        "ignore",
        layers,
        |o| &o.ignore,
        ("--ignore", &overrides.ignore),
        &[],
    );
    Selection {
        select: if replaced {
            overrides.select.clone()
        } else {
            last.select
        },
        extend_select: [overrides.extend_select.clone(), last.extend].concat(),
        ignore: [overrides.ignore.clone(), last.ignore].concat(),
        per_file_ignore: Vec::new(),
        inherited,
    }
}

/// The fix selection of `layers`: `extend-safe-fixes` and `extend-unsafe-fixes` of every layer;
/// `fixable`, `extend-fixable` and `unfixable` layer by layer, the command line's joining the
/// last (`--fixable` replaces its `fixable`).
fn fix_selection(layers: &[&Config], overrides: &Overrides, shown: &mut Shown) -> FixSelection {
    let mut fixable: Vec<Selectors> = (layers.iter())
        .map(|layer| Selectors {
            select: strings(&layer.options.fixable),
            extend: strings(&layer.options.extend_fixable),
            ignore: strings(&layer.options.unfixable),
        })
        .collect();
    let replaced = !overrides.fixable.is_empty();
    if let Some(last) = fixable.last_mut() {
        if replaced {
            last.select = overrides.fixable.clone();
        }
        last.extend = [
            overrides.extend_fixable.clone(),
            std::mem::take(&mut last.extend),
        ]
        .concat();
        last.ignore = [
            overrides.unfixable.clone(),
            std::mem::take(&mut last.ignore),
        ]
        .concat();
    }
    if fixable.iter().all(|layer| *layer == Selectors::default()) {
        fixable.clear();
    }
    let before_last = &layers[..layers.len().saturating_sub(1)];
    let fixable_layers = if replaced { before_last } else { layers };
    let cli = &overrides.fixable;
    shown.layered(
        "fixable",
        fixable_layers,
        |o| &o.fixable,
        ("--fixable", cli),
        &["ALL"],
    );
    let cli = &overrides.extend_fixable;
    shown.layered(
        "extend-fixable",
        layers,
        |o| &o.extend_fixable,
        ("--extend-fixable", cli),
        &[],
    );
    let cli = &overrides.unfixable;
    shown.layered(
        "unfixable",
        layers,
        |o| &o.unfixable,
        ("--unfixable", cli),
        &[],
    );
    let none = ("", &[][..]);
    shown.layered(
        "extend-safe-fixes",
        layers,
        |o| &o.extend_safe_fixes,
        none,
        &[],
    );
    shown.layered(
        "extend-unsafe-fixes",
        layers,
        |o| &o.extend_unsafe_fixes,
        none,
        &[],
    );
    let all = |pick: fn(&Options) -> &Option<SpannedList>| {
        (layers.iter())
            .flat_map(|layer| strings(pick(&layer.options)))
            .collect()
    };
    FixSelection {
        safe: all(|o| &o.extend_safe_fixes),
        unsafe_: all(|o| &o.extend_unsafe_fixes),
        fixable,
    }
}

/// The file filters of `config` (with the `layers` it extends) and the command line, each glob
/// relative to the directory of the file that wrote it (the command line's to the current
/// directory): `--exclude`, else the nearest `exclude`; every layer's `extend-exclude` and
/// `--extend-exclude`; the nearest `include` (shown, when none is set, as the default: Python
/// files and the configuration files the rules of `packs` read).
fn filters(
    config: &Config,
    layers: &[&Config],
    overrides: &Overrides,
    packs: &[Pack],
    shown: &mut Shown,
) -> Result<Filters, SourceError> {
    let current = std::env::current_dir().unwrap_or_else(|_| config.root());
    let mut exclude: Vec<(PathBuf, String)> = Vec::new();
    let from_command_line = |globs: &[String]| -> Vec<(PathBuf, String)> {
        (globs.iter())
            .map(|glob| (current.clone(), glob.clone()))
            .collect()
    };
    match (&overrides.exclude, config.last(|o| o.exclude.as_ref())) {
        (Some(globs), _) => {
            exclude.extend(from_command_line(globs));
            shown.push("exclude", globs.clone(), Source::CommandLine("--exclude"));
        }
        (None, Some((layer, globs))) => {
            exclude.extend(globs.iter().map(|g| (layer.root(), g.get_ref().clone())));
            shown.push("exclude", plain(globs), layer.source("exclude"));
        }
        (None, None) => shown.push("exclude", Vec::new(), Source::Default),
    }
    for layer in layers {
        let globs = layer.options.extend_exclude.iter().flatten();
        exclude.extend(globs.map(|g| (layer.root(), g.get_ref().clone())));
    }
    exclude.extend(from_command_line(&overrides.extend_exclude));
    let cli = ("--extend-exclude", &overrides.extend_exclude[..]);
    shown.layered("extend-exclude", layers, |o| &o.extend_exclude, cli, &[]);
    let include: Vec<(PathBuf, String)> = match config.last(|o| o.include.as_ref()) {
        Some((layer, globs)) => {
            shown.push("include", plain(globs), layer.source("include"));
            (globs.iter())
                .map(|g| (layer.root(), g.get_ref().clone()))
                .collect()
        }
        None => {
            // Python files, and the configuration files the loaded packs' rules read.
            let mut read: Vec<String> = (packs.iter())
                .flat_map(|pack| pack.setting_files.iter().map(|(name, _)| name.clone()))
                .collect();
            read.sort();
            read.dedup();
            let default = ["*.py".to_owned(), "*.pyi".to_owned()]
                .into_iter()
                .chain(read);
            shown.push("include", default.collect(), Source::Default);
            Vec::new()
        }
    };
    Filters::new(&exclude, &include)
        .map_err(|message| SourceError::new(&config.shown(), "", None, message))
}

/// Every selector must be `ALL` or a prefix of some loaded rule's code or alias.
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

/// Command-line selectors must not be empty: `--ignore ""` or `--ignore AIO1,` would hold a
/// selector matching every rule. Command-line globs must not be empty either, and must be valid.
fn check_command_line(overrides: &Overrides) -> Result<(), SourceError> {
    let error = |message: String| SourceError::new("command line", "", None, message);
    for (flag, list) in [
        ("--select", &overrides.select),
        ("--extend-select", &overrides.extend_select),
        ("--ignore", &overrides.ignore),
        ("--fixable", &overrides.fixable),
        ("--extend-fixable", &overrides.extend_fixable),
        ("--unfixable", &overrides.unfixable),
    ] {
        if list.iter().any(|selector| selector.trim().is_empty()) {
            return Err(error(format!(
                "`{flag}` has an empty rule selector (from `\"\"` or a stray comma): \
                 name rule codes or prefixes, e.g. `{flag} AIO1,AIO201`, or `ALL`"
            )));
        }
    }
    let no_globs = Vec::new();
    for (flag, list) in [
        ("--exclude", overrides.exclude.as_ref().unwrap_or(&no_globs)),
        ("--extend-exclude", &overrides.extend_exclude),
    ] {
        for glob in list {
            if glob.trim().is_empty() {
                return Err(error(format!(
                    "`{flag}` has an empty glob (from `\"\"` or a stray comma): name globs, \
                     e.g. `{flag} 'legacy/*,*_pb2.py'`"
                )));
            }
            Glob::new(glob).map_err(|e| error(format!("`{flag}`: invalid glob `{glob}`: {e}")))?;
        }
    }
    Ok(())
}

/// The pack a configuration's `rulepacks` entry names, refused before it is read unless it lies
/// at or below the configuration's directory both as written (`../x`, `/etc/x` do not) and with
/// symlinks resolved. Returns the resolved path, so the file read is the file checked.
fn confined_pack(config: &Config, entry: &Spanned<String>) -> Result<PathBuf, SourceError> {
    let root = config.root();
    let named = root.join(entry.get_ref());
    let outside = || {
        config
            .error(
                entry.span(),
                format!(
                    "the rule pack {} is outside {}, the directory of this configuration: pass `--rulepack {}` on the command line instead",
                    lexical(&named).display(),
                    root.display(),
                    lexical(&named).display()
                ),
            )
            .note(
                "a configuration names rule packs at or below its own directory, symlinks resolved",
            )
    };
    if !lexical(&named).starts_with(lexical(&root)) {
        return Err(outside());
    }
    let unreadable = |e: std::io::Error| {
        config.error(
            entry.span(),
            format!("cannot read the rule pack {}: {e}", named.display()),
        )
    };
    let canonical_root = std::fs::canonicalize(&root).map_err(unreadable)?;
    let canonical = std::fs::canonicalize(&named).map_err(unreadable)?;
    if !canonical.starts_with(&canonical_root) {
        return Err(outside());
    }
    Ok(canonical)
}

/// The owner of the file or directory at `path` (symlinks followed).
#[cfg(unix)]
fn owner_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|metadata| metadata.uid())
}

#[cfg(not(unix))]
fn owner_of(_: &Path) -> Option<u32> {
    None
}

/// The owners of the file at `path`, and of the symlink at `path` when it is one: whoever made
/// the link chose what it leads to.
#[cfg(unix)]
fn owners_of(path: &Path) -> Vec<u32> {
    use std::os::unix::fs::MetadataExt;
    let mut owners = Vec::new();
    if let Ok(link) = std::fs::symlink_metadata(path) {
        owners.push(link.uid());
        if link.file_type().is_symlink() {
            owners.extend(owner_of(path));
        }
    }
    owners
}

#[cfg(not(unix))]
fn owners_of(_: &Path) -> Vec<u32> {
    Vec::new()
}

#[cfg(unix)]
fn running_user() -> Option<u32> {
    Some(rustix::process::geteuid().as_raw())
}

#[cfg(not(unix))]
fn running_user() -> Option<u32> {
    None
}

/// `Ok` when `selector` is `ALL` or a prefix of a loaded rule's code or alias, in any case; else
/// what to do.
pub fn known_selector(packs: &[Pack], selector: &str) -> Result<(), String> {
    if selector.trim().is_empty() {
        return Err(
            "an empty rule selector would match every rule: name a rule code or prefix such as `AIO1`, or `ALL`"
                .to_owned(),
        );
    }
    let upper = selector.to_ascii_uppercase();
    let selector = upper.as_str();
    let engine = crate::engine::noqa::ENGINE_CODES.iter().copied();
    let rules = packs.iter().flat_map(|p| &p.rules);
    let mut codes = rules
        .flat_map(|r| std::iter::once(&r.code).chain(&r.aliases))
        .map(String::as_str)
        .chain(engine);
    if selector == "ALL" || codes.any(|code| code.starts_with(selector)) {
        Ok(())
    } else {
        Err(format!(
            "unknown rule selector `{selector}`: no loaded rule's code or alias starts with it (`anyio-lint rules` lists them)"
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
