//! Settings per directory: which configuration file governs a path, and what it resolves to.
//!
//! As in Ruff, every checked file is governed by the nearest configuration at or above its
//! directory (`--config` makes one file govern everything, `--isolated` none). A configuration
//! resolves, with the command line's overrides on top, to [`Settings`]: its rule packs, rule set
//! (fix applicability included), file filters, per-file ignores and the project's versions. Its
//! run-wide keys
//! ([`RunKeys`]: `fix`, `unsafe-fixes`, `output-format`) are checked with the rest, but a run
//! takes them from the configuration governing its root only ([`Resolver::for_root`]). Files are
//! matched against globs relative to the directory of the configuration that governs them. Both
//! lookups are cached: each directory is looked in once, however many directories below share
//! it, and a tree with one configuration reads it once.
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
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rustc_hash::{FxHashMap, FxHashSet};
use toml::Spanned;

use crate::base::canonical::CanonicalDirs;
use crate::base::sync::lock;
use crate::base::version::Version;
use crate::condition::OptionValues;
use crate::condition::value::Value;
use crate::config::filters::{Filters, is_excluded_by_default};
use crate::config::project::{ProjectVersion, ProjectVersions, VersionSource};
use crate::config::settings::{self, Config, Held, RunKeys, SpannedList, strings};
use crate::pack::{self, Pack, SourceError};
use crate::ruleset::{FixSelection, RuleSet, Selection};

/// What the command line says of the settings of every directory, over every configuration file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
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
    /// The directory globs are relative to.
    pub root: PathBuf,
    pub filters: Filters,
    pub force_exclude: bool,
    rules: Arc<RuleSet>,
    /// Each glob of `per-file-ignores`, as written and compiled, with its rule selectors.
    per_file_ignores: Vec<(String, GlobSet, Vec<String>)>,
    /// The `exclude` (with `extend-exclude`) and `include` globs, as written.
    globs: [Vec<String>; 2],
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
            .filter(|(_, (_, globs, _))| {
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

    /// The rule selectors: the command line's with the configuration's.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// `extend-safe-fixes` and `extend-unsafe-fixes`.
    pub fn fix_selection(&self) -> &FixSelection {
        &self.fix_selection
    }

    /// The pack options the configuration sets.
    pub fn options(&self) -> &OptionValues {
        &self.options
    }

    /// Each glob of `per-file-ignores` with the selectors it ignores.
    pub fn per_file_ignores(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.per_file_ignores
            .iter()
            .map(|(glob, _, selectors)| (glob.as_str(), selectors.as_slice()))
    }

    /// The `exclude` globs (with `extend-exclude`) and the `include` globs, as written.
    pub fn globs(&self) -> (&[String], &[String]) {
        (&self.globs[0], &self.globs[1])
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
                    || part.file_name().is_some_and(is_excluded_by_default))
        })
    }

    /// Whether a walked file is one to check (include globs, or `.py`/`.pyi` and the
    /// configuration files the rules read).
    pub fn includes(&self, path: &Path) -> bool {
        if self.filters.includes_by_extension() {
            // A relative path has the same extension.
            return self.filters.included(path)
                || path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| self.rules.config_file_name(name).is_some());
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

    /// The configuration at `path` (`None`: the defaults) resolved, with the command line's
    /// overrides on top, and its run-wide keys.
    fn resolve(&self, path: Option<&Path>) -> Result<(Settings, RunKeys), SourceError> {
        check_command_line_selectors(&self.overrides)?;
        let config = match path {
            Some(path) => settings::read(path)?,
            None => Config::default(),
        };
        let overrides = &self.overrides;
        let root = config.root();
        let options = &config.options;
        let mut pack_files = Vec::new();
        for entry in options.rulepacks.iter().flatten() {
            pack_files.push(confined_pack(&config, entry)?);
        }
        pack_files.extend(overrides.rulepacks.iter().cloned());
        let packs = self.packs(pack_files)?;
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
        let pack_options = pack_options(&config, &packs)?;
        for warning in &config.warnings {
            self.warn_once(warning.clone());
        }
        let project_versions = project_versions(&config, overrides, &packs)?;
        let versions: BTreeMap<String, Version> = project_versions
            .iter()
            .map(|(distribution, known)| (distribution.clone(), known.version.clone()))
            .collect();
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
            per_file_ignores.push((
                glob.get_ref().clone(),
                glob_set(&config, glob)?,
                strings(&Some(codes.clone())),
            ));
        }
        let mut exclude = options.exclude.clone().unwrap_or_default();
        exclude.extend(options.extend_exclude.clone().unwrap_or_default());
        let include = options.include.clone().unwrap_or_default();
        for glob in exclude.iter().chain(&include) {
            glob_set(&config, glob)?;
        }
        let filters = Filters::new(&plain(&exclude), &plain(&include))
            .map_err(|message| SourceError::new(&config.shown(), "", None, message))?;
        let run_keys = config.run_keys()?;
        let rules = Arc::new(
            RuleSet::configured(packs.clone(), &selection, &versions, &pack_options)
                .with_fix_selection(&fix_selection),
        );
        let settings = Settings {
            canonical: self.canonical.clone(),
            config: config.path.clone(),
            project_only: config.project_only,
            root,
            filters,
            force_exclude: overrides
                .force_exclude
                .or(options.force_exclude)
                .unwrap_or(false),
            rules,
            per_file_ignores,
            globs: [plain(&exclude), plain(&include)],
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
    let text = glob.get_ref();
    let bad = |e: globset::Error| config.error(glob.span(), format!("invalid glob `{text}`: {e}"));
    let mut builder = GlobSetBuilder::new();
    builder.add(Glob::new(text).map_err(bad)?);
    if !text.contains('/') {
        builder.add(Glob::new(&format!("**/{text}")).map_err(bad)?);
    }
    builder.build().map_err(bad)
}

/// The pack options `config` sets (`[tool.anyio-lint.options.PACK]`): each pack loaded, each
/// option one it declares, each value of the option's kind.
fn pack_options(config: &Config, packs: &[Pack]) -> Result<OptionValues, SourceError> {
    let mut values = OptionValues::new();
    for (pack_name, table) in config.options.pack_options.iter().flatten() {
        let named = pack_name.get_ref();
        let Some(pack) = packs.iter().find(|pack| &pack.name == named) else {
            let error = config.error(
                pack_name.span(),
                format!("no loaded pack is named `{named}`"),
            );
            let owner = packs
                .iter()
                .find(|pack| pack.options.iter().any(|option| &option.name == named));
            let names: Vec<String> = packs.iter().map(|p| format!("`{}`", p.name)).collect();
            return Err(match owner {
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
            });
        };
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
        }
    }
    Ok(values)
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
/// selector matching every rule.
fn check_command_line_selectors(overrides: &Overrides) -> Result<(), SourceError> {
    for (flag, list) in [
        ("--select", &overrides.select),
        ("--extend-select", &overrides.extend_select),
        ("--ignore", &overrides.ignore),
    ] {
        if list.iter().any(|selector| selector.trim().is_empty()) {
            return Err(SourceError::new(
                "command line",
                "",
                None,
                format!(
                    "`{flag}` has an empty rule selector (from `\"\"` or a stray comma): \
                     name rule codes or prefixes, e.g. `{flag} AIO1,AIO201`, or `ALL`"
                ),
            ));
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
                    "the rule pack {} is outside {}, the directory of this configuration",
                    named.display(),
                    root.display()
                ),
            )
            .note(
                "a configuration names rule packs at or below its own directory, symlinks resolved",
            )
            .note(format!(
                "to use this pack anyway, name it on the command line: `--rulepack {}`",
                named.display()
            ))
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

/// The absolute `path` with `.` and `..` folded as written, symlinks not resolved.
fn lexical(path: &Path) -> PathBuf {
    let mut folded = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    folded
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

/// `Ok` when `selector` is `ALL` or a prefix of a loaded rule's code or alias; else what to do.
pub fn known_selector(packs: &[Pack], selector: &str) -> Result<(), String> {
    if selector.trim().is_empty() {
        return Err(
            "an empty rule selector would match every rule: name a rule code or prefix such as `AIO1`, or `ALL`"
                .to_owned(),
        );
    }
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
