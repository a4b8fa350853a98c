//! Configuration files: `[tool.anyio-lint]` in `pyproject.toml`, or `anyio-lint.toml` /
//! `.anyio-lint.toml` with the same keys at top level. This module reads one file and says what a
//! directory holds; [`crate::config::resolve`] decides which file governs a directory and turns files into
//! per-directory settings.
//!
//! A configuration that cannot be read (not a regular file, too large, not UTF-8) is an error
//! naming it, never skipped: skipping would drop its excludes. A file that does not parse is
//! quoted in the error only when it has a configuration's keys or tables, so that a path leading
//! to some other file never has its content printed.
//!
//! Values that can be wrong after TOML accepted them (globs, rule selectors, versions, formats)
//! keep their spans, so every error points into the file. Project versions (`python`, or any
//! distribution a rule names) come from the `versions` table, else from what the packaging files
//! beside the configuration declare ([`crate::config::project`]); each keeps where it came from.
//! The keys that apply to a run as a whole ([`RunKeys`]: `fix`, `unsafe-fixes`, `show-fixes`,
//! `output-format`) are read and checked here like the others; a run takes them from one
//! configuration only, the one governing its root. Every key is documented in
//! `docs/configuration.md`.
//!
//! A configuration's `extend` names another file, read with it ([`Config::base`]) and in turn
//! with the one it extends: each file keeps its own text, directory and spans, so an error points
//! into the file that holds the value, its relative paths stay relative to it, and a value's
//! [`Source`] names the file and key that set it. A cycle, a missing file or one that is no
//! configuration is an error at the `extend` line naming it.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::base::version::Version;
use crate::condition::value::Value;
use crate::config::project::{
    self, PoetryTable, ProjectTable, ProjectVersion, ProjectVersions, Pyproject as PyprojectTables,
    VersionSource,
};
use crate::pack::SourceError;

/// A list of strings whose positions in the file are kept for error messages.
pub type SpannedList = Vec<Spanned<String>>;

/// The options a configuration file may set.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub select: Option<SpannedList>,
    pub extend_select: Option<SpannedList>,
    pub ignore: Option<SpannedList>,
    /// Glob → rule selectors ignored in the files the glob matches.
    pub per_file_ignores: Option<BTreeMap<Spanned<String>, SpannedList>>,
    pub exclude: Option<SpannedList>,
    pub extend_exclude: Option<SpannedList>,
    pub include: Option<SpannedList>,
    pub force_exclude: Option<bool>,
    pub rulepacks: Option<SpannedList>,
    pub versions: Option<BTreeMap<String, Spanned<String>>>,
    pub fix: Option<bool>,
    pub unsafe_fixes: Option<bool>,
    pub output_format: Option<Spanned<String>>,
    pub extend_safe_fixes: Option<SpannedList>,
    pub extend_unsafe_fixes: Option<SpannedList>,
    pub fixable: Option<SpannedList>,
    pub extend_fixable: Option<SpannedList>,
    pub unfixable: Option<SpannedList>,
    pub show_fixes: Option<bool>,
    /// Another configuration file to read first, relative to this one's directory: this file's
    /// keys override its keys.
    pub extend: Option<Spanned<String>>,
    /// Pack name → its options' values (`[tool.anyio-lint.options.PACK]`), checked against the
    /// loaded packs' declarations by [`crate::config::resolve`].
    #[serde(rename = "options")]
    pub pack_options: Option<BTreeMap<Spanned<String>, Value>>,
}

/// How `check` prints findings (`output-format`, `--output-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style, with the annotated source (the default).
    Full,
    /// One line per finding.
    Concise,
    /// Findings grouped under their file.
    Grouped,
    /// Ruff's JSON schema: one array.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// Every format.
    pub fn all() -> &'static [Format] {
        <Format as clap::ValueEnum>::value_variants()
    }

    /// The names `--output-format` and `output-format` accept (clap's, from the variants).
    pub fn names() -> Vec<String> {
        Format::all()
            .iter()
            .filter_map(clap::ValueEnum::to_possible_value)
            .map(|value| value.get_name().to_owned())
            .collect()
    }

    /// Whether the format is for people (and so gets the summary lines).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Full | Format::Concise | Format::Grouped)
    }
}

/// The keys of one configuration that apply to a run as a whole rather than to the files it
/// governs, each with the file and key that set it. A run takes them from the configuration
/// governing its root only, under the command line; every configuration's are checked all the
/// same.
#[derive(Debug, Clone, Default)]
pub struct RunKeys {
    pub fix: Option<(bool, Source)>,
    pub unsafe_fixes: Option<(bool, Source)>,
    pub show_fixes: Option<(bool, Source)>,
    pub output_format: Option<(Format, Source)>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Nothing set it.
    Default,
    /// A command-line option (`--ignore`).
    CommandLine(&'static str),
    /// A key of a configuration file (`tool.anyio-lint.ignore`).
    File { path: PathBuf, key: String },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::CommandLine(option) => f.write_str(option),
            Source::File { path, key } => write!(f, "{}: {key}", path.display()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
    project: Option<ProjectTable>,
}

#[derive(Debug, Default, Deserialize)]
struct PyprojectTool {
    #[serde(rename = "anyio-lint")]
    anyio_lint: Option<Options>,
    poetry: Option<PoetryTable>,
}

impl Pyproject {
    /// Its version tables, as read from `path`.
    fn tables<'a>(&'a self, path: &'a Path) -> PyprojectTables<'a> {
        PyprojectTables {
            path,
            project: self.project.as_ref(),
            poetry: self.tool.as_ref().and_then(|tool| tool.poetry.as_ref()),
        }
    }
}

/// A configuration file that was found and read (or the empty default).
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file, as found (absolute when found by discovery).
    pub path: Option<PathBuf>,
    /// The file's text, for errors that point into it.
    pub text: String,
    pub options: Options,
    /// Whether the file is a packaging file giving versions only, not a configuration.
    pub project_only: bool,
    /// The versions the packaging files beside the file declare.
    pub inferred_versions: ProjectVersions,
    /// Why a packaging file beside the file was not read, or a requirement in it not understood.
    pub warnings: Vec<String>,
    /// The configuration this one's `extend` names, read with the ones it extends in turn.
    pub base: Option<Box<Config>>,
}

impl Config {
    /// The directory relative paths in the configuration are resolved from (absolute, `..`
    /// folded).
    pub fn root(&self) -> PathBuf {
        let directory = self
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        lexical(&directory)
    }

    /// The file's name as shown in errors.
    pub fn shown(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "configuration".to_owned(), |p| p.display().to_string())
    }

    /// An error at `span` of this file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> SourceError {
        SourceError::new(&self.shown(), &self.text, Some(span), message).label("here")
    }

    /// The run-wide keys this file sets, or the configurations it extends (the nearest that
    /// sets each); an unknown `output-format` is an error pointing at it.
    pub fn run_keys(&self) -> Result<RunKeys, SourceError> {
        let output_format = match self.last(|o| o.output_format.as_ref()) {
            None => None,
            Some((layer, name)) => {
                let format =
                    <Format as clap::ValueEnum>::from_str(name.get_ref(), true).map_err(|_| {
                        layer.error(
                            name.span(),
                            format!(
                                "`output-format = \"{}\"`: use {}",
                                name.get_ref(),
                                Format::names().join(", ")
                            ),
                        )
                    })?;
                Some((format, layer.source("output-format")))
            }
        };
        let flag = |pick: fn(&Options) -> Option<&bool>, key: &str| {
            self.last(pick)
                .map(|(layer, value)| (*value, layer.source(key)))
        };
        Ok(RunKeys {
            fix: flag(|o| o.fix.as_ref(), "fix"),
            unsafe_fixes: flag(|o| o.unsafe_fixes.as_ref(), "unsafe-fixes"),
            show_fixes: flag(|o| o.show_fixes.as_ref(), "show-fixes"),
            output_format,
        })
    }

    /// The project versions: explicit `versions` (this file's over those of the configurations
    /// it extends) over inferred ones.
    pub fn versions(&self) -> Result<ProjectVersions, SourceError> {
        let mut versions = self.inferred_versions.clone();
        for layer in self.layers() {
            for (distribution, text) in layer.options.versions.iter().flatten() {
                let version = Version::parse(text.get_ref()).ok_or_else(|| {
                    layer.error(
                        text.span(),
                        format!(
                            "`versions.{distribution}`: `{}` is not a version such as `4.12`",
                            text.get_ref()
                        ),
                    )
                })?;
                let source = VersionSource::File {
                    path: layer.path.clone().unwrap_or_default(),
                    key: layer.key(&format!("versions.{distribution}")),
                    declared: text.get_ref().clone(),
                };
                versions.insert(distribution.clone(), ProjectVersion { version, source });
            }
        }
        Ok(versions)
    }

    /// This configuration and those it extends, the last extended first and this one last.
    pub fn layers(&self) -> Vec<&Config> {
        let mut layers = vec![self];
        while let Some(base) = &layers[layers.len() - 1].base {
            layers.push(base);
        }
        layers.reverse();
        layers
    }

    /// The value `pick` takes from this configuration, else from the nearest configuration it
    /// extends that sets it, with the configuration that set it.
    pub fn last<'a, T>(
        &'a self,
        pick: impl Fn(&'a Options) -> Option<&'a T>,
    ) -> Option<(&'a Config, &'a T)> {
        let mut layer = Some(self);
        while let Some(config) = layer {
            if let Some(value) = pick(&config.options) {
                return Some((config, value));
            }
            layer = config.base.as_deref();
        }
        None
    }

    /// `key` as this file spells it: under `tool.anyio-lint` in a `pyproject.toml`.
    pub fn key(&self, key: &str) -> String {
        if self.is_pyproject() {
            format!("tool.anyio-lint.{key}")
        } else {
            key.to_owned()
        }
    }

    /// The source of a value this file's `key` sets.
    pub fn source(&self, key: &str) -> Source {
        Source::File {
            path: self.path.clone().unwrap_or_default(),
            key: self.key(key),
        }
    }

    fn is_pyproject(&self) -> bool {
        self.path
            .as_ref()
            .is_some_and(|path| path.file_name().is_some_and(|n| n == "pyproject.toml"))
    }
}

/// The rule selectors of a spanned list, upper-cased: codes are upper-case, and selectors are
/// taken in any case (`aio1` selects `AIO1`), as Ruff takes them.
pub fn strings(list: &Option<SpannedList>) -> Vec<String> {
    (list.iter().flatten())
        .map(|s| s.get_ref().to_ascii_uppercase())
        .collect()
}

/// Keys and table headers a configuration (or the `pyproject.toml` holding one) has.
const CONFIG_MARKERS: &[&str] = &[
    "[tool",
    "[project",
    "[build-system",
    "[per-file-ignores",
    "[versions",
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "include",
    "force-exclude",
    "rulepacks",
    "versions",
    "fix",
    "unsafe-fixes",
    "output-format",
    "extend-safe-fixes",
    "extend-unsafe-fixes",
    "fixable",
    "extend-fixable",
    "unfixable",
    "show-fixes",
    "extend",
];

/// An error for TOML that `path` holds and serde refused: quoted when the file looks like a
/// configuration, else located only.
fn toml_error(shown: &str, text: &str, error: &toml::de::Error) -> SourceError {
    if !crate::pack::error::looks_like(text, CONFIG_MARKERS) {
        return SourceError::unquoted(
            shown,
            text,
            error.span(),
            "this file is not a configuration (TOML with anyio-lint's keys)",
        );
    }
    let message = error.message();
    let located = SourceError::new(shown, text, error.span(), message.to_owned()).label("here");
    // Where a key is unknown, the keys a configuration may set help; elsewhere they are noise.
    if message.starts_with("unknown field") {
        located.note(SHOW_SETTINGS)
    } else {
        located
    }
}

/// Where the keys of a configuration are shown, on an unknown key's error.
const SHOW_SETTINGS: &str = "`anyio-lint check --isolated --show-settings` prints every key a \
                             configuration sets, with its default";

/// Read a configuration file (`pyproject.toml` or an anyio-lint TOML file), or the packaging
/// file (`setup.cfg`, `setup.py`) of a project without one, and the versions the packaging files
/// beside it declare; then the configurations its `extend` names, in turn.
pub fn read(path: &Path) -> Result<Config, SourceError> {
    let mut config = read_file(path, true)?;
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| lexical(path));
    config.base = read_base(&config, &mut vec![canonical])?;
    Ok(config)
}

/// Read one configuration file; `project`: with the versions the packaging files beside it
/// declare (a configuration another one extends gives only its own keys).
fn read_file(path: &Path, project: bool) -> Result<Config, SourceError> {
    let directory = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default();
    if name == "setup.cfg" || name == "setup.py" {
        let declared = project::declared(directory, None);
        return Ok(Config {
            path: Some(path.to_path_buf()),
            project_only: true,
            inferred_versions: declared.versions,
            warnings: declared.warnings,
            ..Config::default()
        });
    }
    let shown = path.display().to_string();
    let text = crate::pack::error::read_text(path, "configuration file")?;
    let error = |e: toml::de::Error| toml_error(&shown, &text, &e);
    let (options, project_only, declared) = if name == "pyproject.toml" {
        let mut pyproject: Pyproject = toml::from_str(&text).map_err(error)?;
        let options = pyproject.tool.as_mut().and_then(|t| t.anyio_lint.take());
        let declared = match project {
            true => project::declared(directory, Some(pyproject.tables(path))),
            false => Default::default(),
        };
        let project_only = options.is_none();
        (options.unwrap_or_default(), project_only, declared)
    } else {
        let options: Options = toml::from_str(&text).map_err(error)?;
        let sibling = directory.join("pyproject.toml");
        let declared = match project {
            false => Default::default(),
            true => match sibling_pyproject(&sibling)? {
                Some(pyproject) => project::declared(directory, Some(pyproject.tables(&sibling))),
                None => project::declared(directory, None),
            },
        };
        (options, false, declared)
    };
    Ok(Config {
        path: Some(path.to_path_buf()),
        text,
        options,
        project_only,
        inferred_versions: declared.versions,
        warnings: declared.warnings,
        base: None,
    })
}

/// The configuration `config`'s `extend` names (relative to `config`'s directory, `..` taken as
/// written), read with those it extends in turn. `chain` holds the canonical paths of the files
/// extending it, nearest last: naming one of them again is a cycle. Every error points at the
/// `extend` line that names the file at fault.
fn read_base(
    config: &Config,
    chain: &mut Vec<PathBuf>,
) -> Result<Option<Box<Config>>, SourceError> {
    let Some(extend) = &config.options.extend else {
        return Ok(None);
    };
    let at = |message: String| config.error(extend.span(), message);
    let expanded = expand_path(extend.get_ref()).map_err(|name| {
        at(format!(
            "`extend` uses the environment variable `{name}`, which is not set: set it, or name the file without it"
        ))
    })?;
    let named = lexical(&config.root().join(&expanded));
    if extend.get_ref().trim().is_empty() {
        return Err(at(
            "`extend` is empty: name the configuration file to extend, e.g. `extend = \"../pyproject.toml\"`".to_owned(),
        ));
    }
    let canonical = std::fs::canonicalize(&named).map_err(|error| {
        at(match error.kind() {
            std::io::ErrorKind::NotFound => format!(
                "`extend` names {}, which does not exist: name a configuration file, relative to {}",
                named.display(),
                config.root().display()
            ),
            _ => format!("cannot read {}, which `extend` names: {error}", named.display()),
        })
    })?;
    if let Some(first) = chain.iter().position(|path| *path == canonical) {
        let mut cycle: Vec<String> = chain[first..]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        cycle.push(canonical.display().to_string());
        return Err(at(format!(
            "`extend` makes a cycle: {}; remove one of these `extend` keys",
            cycle.join(" extends ")
        )));
    }
    let name = named.file_name().unwrap_or_default();
    if name == "setup.cfg"
        || name == "setup.py"
        || std::fs::metadata(&named).is_ok_and(|m| m.is_dir())
    {
        return Err(at(format!(
            "`extend` names {}, which is not a configuration: name a `pyproject.toml` with a \
             `[tool.anyio-lint]` table or an anyio-lint TOML file",
            named.display()
        )));
    }
    let mut base = read_file(&named, false)?;
    if base.project_only {
        return Err(at(format!(
            "`extend` names {}, which has no `[tool.anyio-lint]` table: there is nothing to extend",
            named.display()
        )));
    }
    chain.push(canonical);
    base.base = read_base(&base, chain)?;
    Ok(Some(Box::new(base)))
}

/// `path` with a leading `~` (`~/x`) made the home directory and `$VAR` / `${VAR}` made the
/// variable's value, as a shell (and Ruff) expands them; `Err` names a variable that is not set.
fn expand_path(path: &str) -> Result<String, String> {
    let var = |name: &str| std::env::var(name).map_err(|_| name.to_owned());
    let mut out = String::new();
    let mut rest = path;
    if rest == "~" || rest.starts_with("~/") {
        out.push_str(&var("HOME")?);
        rest = &rest[1..];
    }
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, next) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => ("", after),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        if name.is_empty() {
            // A `$` that starts no variable name is kept as written.
            out.push('$');
            rest = after;
            continue;
        }
        out.push_str(&var(name)?);
        rest = next;
    }
    out.push_str(rest);
    Ok(out)
}

/// The absolute `path` with `.` and `..` folded as written, symlinks not resolved.
pub fn lexical(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut folded = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    folded
}

/// The `pyproject.toml` beside an `anyio-lint.toml`, if there is one. It is part of the
/// configuration: one that exists but cannot be read or parsed is an error.
fn sibling_pyproject(sibling: &Path) -> Result<Option<Pyproject>, SourceError> {
    if std::fs::metadata(sibling).is_err() {
        return Ok(None);
    }
    let shown = sibling.display().to_string();
    let text = crate::pack::error::read_text(sibling, "configuration file")?;
    let pyproject: Pyproject = toml::from_str(&text).map_err(|e| toml_error(&shown, &text, &e))?;
    Ok(Some(pyproject))
}

/// What a `pyproject.toml` holds for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PyprojectKind {
    /// A `[tool.anyio-lint]` table: a configuration.
    Configuration,
    /// Only a `[project]` table: versions, used when no configuration is found.
    ProjectOnly,
    Nothing,
}

/// A `pyproject.toml` that cannot be read, or is not UTF-8 and mentions us, counts as a
/// configuration: reading it then reports why, instead of its settings silently not applying.
fn pyproject_kind(path: &Path) -> PyprojectKind {
    let Ok(bytes) = crate::base::bounded::read(path, crate::base::bounded::TOML_LIMIT) else {
        return PyprojectKind::Configuration;
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) if memchr::memmem::find(error.as_bytes(), b"anyio-lint").is_some() => {
            return PyprojectKind::Configuration;
        }
        Err(_) => return PyprojectKind::Nothing,
    };
    // A pyproject.toml that does not parse is reported when read, so it counts as a configuration
    // if it mentions us at all.
    let Ok(table) = toml::from_str::<toml::Table>(&text) else {
        return if text.contains("anyio-lint") {
            PyprojectKind::Configuration
        } else {
            PyprojectKind::Nothing
        };
    };
    if table
        .get("tool")
        .and_then(|t| t.get("anyio-lint"))
        .is_some()
    {
        PyprojectKind::Configuration
    } else if table.get("project").is_some()
        || table.get("tool").and_then(|t| t.get("poetry")).is_some()
    {
        PyprojectKind::ProjectOnly
    } else {
        PyprojectKind::Nothing
    }
}

/// A configuration file one directory holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Held {
    /// `.anyio-lint.toml`, `anyio-lint.toml`, or a `pyproject.toml` with a `[tool.anyio-lint]` table.
    Configuration(PathBuf),
    /// A packaging file and no configuration: a `pyproject.toml` with a `[project]` or
    /// `[tool.poetry]` table, else a `setup.cfg` or `setup.py`. It gives versions, used when no
    /// configuration is found at or above.
    ProjectOnly(PathBuf),
}

impl Held {
    pub fn path(&self) -> &Path {
        match self {
            Held::Configuration(path) | Held::ProjectOnly(path) => path,
        }
    }
}

/// What `directory` holds, looked for as Ruff does: `.anyio-lint.toml`, then `anyio-lint.toml`,
/// then `pyproject.toml`. Anything of these names but a directory counts, so that reading a FIFO
/// or a device reports it.
pub fn held_in(directory: &Path) -> Option<Held> {
    let present =
        |candidate: &Path| std::fs::metadata(candidate).is_ok_and(|metadata| !metadata.is_dir());
    for name in [".anyio-lint.toml", "anyio-lint.toml"] {
        let candidate = directory.join(name);
        if present(&candidate) {
            return Some(Held::Configuration(candidate));
        }
    }
    let candidate = directory.join("pyproject.toml");
    let kind = if present(&candidate) {
        pyproject_kind(&candidate)
    } else {
        PyprojectKind::Nothing
    };
    match kind {
        PyprojectKind::Configuration => Some(Held::Configuration(candidate)),
        PyprojectKind::ProjectOnly => Some(Held::ProjectOnly(candidate)),
        PyprojectKind::Nothing => project::packaging_file_in(directory).map(Held::ProjectOnly),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_paths_expand_the_home_directory_and_variables() {
        let home = std::env::var("HOME").unwrap();
        assert_eq!(expand_path("base.toml").unwrap(), "base.toml");
        assert_eq!(expand_path("~/b.toml").unwrap(), format!("{home}/b.toml"));
        assert_eq!(expand_path("~").unwrap(), home);
        assert_eq!(
            expand_path("${HOME}/b.toml").unwrap(),
            format!("{home}/b.toml")
        );
        assert_eq!(
            expand_path("$HOME/b.toml").unwrap(),
            format!("{home}/b.toml")
        );
        // Not a variable, not a home directory: kept as written.
        assert_eq!(expand_path("a$/~b.toml").unwrap(), "a$/~b.toml");
        assert_eq!(
            expand_path("$ANYIO_LINT_NOT_SET_ANYWHERE/b.toml"),
            Err("ANYIO_LINT_NOT_SET_ANYWHERE".to_owned())
        );
    }

    #[test]
    fn spanned_keys_of_per_file_ignores_point_into_the_file() {
        let text = "[per-file-ignores]\n\"tests/*\" = [\"AIO1\"]\n";
        let options: Options = toml::from_str(text).unwrap();
        let (glob, codes) = options
            .per_file_ignores
            .unwrap()
            .into_iter()
            .next()
            .unwrap();
        assert_eq!(&text[glob.span()], "\"tests/*\"");
        assert_eq!(&text[codes[0].span()], "\"AIO1\"");
    }
}
