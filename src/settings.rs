//! Configuration: `[tool.anyio-lint]` in `pyproject.toml`, or `anyio-lint.toml` /
//! `.anyio-lint.toml`, found from the checked path upwards; command-line flags override it.
//!
//! Project versions (`python`, or any distribution a rule names) come from the `versions`
//! table, else from the project's `requires-python` and its dependencies' lower bounds, else they
//! are unknown, which means "the newest" (every rule requirement holds). Every key is documented in
//! `docs/configuration.md`; an unknown key or a bad value is an error pointing into the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::pack::SourceError;
use crate::version::{Version, VersionSpec};

/// The options a configuration file may set.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub include: Option<Vec<String>>,
    pub rulepacks: Option<Vec<String>>,
    pub versions: Option<BTreeMap<String, String>>,
    pub fix: Option<bool>,
    pub unsafe_fixes: Option<bool>,
    pub output_format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
    project: Option<Project>,
}

#[derive(Debug, Default, Deserialize)]
struct PyprojectTool {
    #[serde(rename = "anyio-lint")]
    anyio_lint: Option<Options>,
}

#[derive(Debug, Default, Deserialize)]
struct Project {
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    dependencies: Option<Vec<String>>,
}

/// A configuration file that was found and read.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub options: Options,
    /// Versions inferred from the project metadata of the same `pyproject.toml`.
    pub inferred_versions: BTreeMap<String, Version>,
}

impl Config {
    /// The directory relative paths in the configuration are resolved from.
    pub fn root(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The project versions: explicit `versions` over inferred ones.
    pub fn versions(&self) -> Result<BTreeMap<String, Version>, String> {
        let mut versions = self.inferred_versions.clone();
        for (distribution, text) in self.options.versions.iter().flatten() {
            let version = Version::parse(text).ok_or_else(|| {
                format!("`versions.{distribution}`: `{text}` is not a version such as `4.12`")
            })?;
            versions.insert(distribution.clone(), version);
        }
        Ok(versions)
    }
}

/// Read a configuration file (`pyproject.toml` or an anyio-lint TOML file).
pub fn read(path: &Path) -> Result<Config, SourceError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        SourceError::new(
            &shown,
            "",
            None,
            format!("cannot read the configuration file: {e}"),
        )
    })?;
    let error = |e: toml::de::Error| {
        SourceError::new(&shown, &text, e.span(), e.message().to_owned())
            .label("here")
            .note("see docs/configuration.md for every key")
    };
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    if is_pyproject {
        let pyproject: Pyproject = toml::from_str(&text).map_err(error)?;
        let mut inferred = BTreeMap::new();
        if let Some(project) = &pyproject.project {
            if let Some(lower) = project
                .requires_python
                .as_deref()
                .and_then(|s| VersionSpec::parse(s).ok())
                .and_then(|spec| spec.lower_bound())
            {
                inferred.insert("python".to_owned(), lower);
            }
            for dependency in project.dependencies.iter().flatten() {
                if let Some((name, lower)) = dependency_floor(dependency) {
                    inferred.insert(name, lower);
                }
            }
        }
        let options = pyproject
            .tool
            .and_then(|t| t.anyio_lint)
            .unwrap_or_default();
        Ok(Config {
            path: Some(path.to_path_buf()),
            options,
            inferred_versions: inferred,
        })
    } else {
        let options: Options = toml::from_str(&text).map_err(error)?;
        Ok(Config {
            path: Some(path.to_path_buf()),
            options,
            inferred_versions: BTreeMap::new(),
        })
    }
}

/// `lib[extra]>=4.15,<5; python_version>"3"` → (`lib`, 4.15).
fn dependency_floor(requirement: &str) -> Option<(String, Version)> {
    let requirement = requirement.split(';').next()?.trim();
    let end = requirement
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(requirement.len());
    let name = requirement[..end].to_ascii_lowercase().replace('_', "-");
    let rest = requirement[end..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(extras) => extras.split_once(']')?.1,
        None => rest,
    };
    let spec =
        VersionSpec::parse(rest.trim().trim_start_matches('(').trim_end_matches(')')).ok()?;
    Some((name, spec.lower_bound()?))
}

/// Whether `path` holds anyio-lint configuration.
fn has_config(path: &Path) -> bool {
    if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        return std::fs::read_to_string(path).is_ok_and(|text| {
            toml::from_str::<toml::Table>(&text).is_ok_and(|table| {
                table
                    .get("tool")
                    .and_then(|t| t.get("anyio-lint"))
                    .is_some()
                    || table.get("project").is_some()
            })
        });
    }
    path.is_file()
}

/// The nearest configuration file at or above `start`, as Ruff looks for it: in each directory
/// `.anyio-lint.toml`, then `anyio-lint.toml`, then a `pyproject.toml` with a `[tool.anyio-lint]`
/// table or a `[project]` table (for versions).
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut directory = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(dir) = directory {
        for name in [".anyio-lint.toml", "anyio-lint.toml", "pyproject.toml"] {
            let candidate = dir.join(name);
            if candidate.is_file() && has_config(&candidate) {
                return Some(candidate);
            }
        }
        directory = dir.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_floors() {
        let (name, version) =
            dependency_floor("lib[extra]>=4.15,<5; python_version>'3.9'").unwrap();
        assert_eq!(name, "lib");
        assert_eq!(version, Version::parse("4.15").unwrap());
        assert_eq!(dependency_floor("lib"), None);
        assert_eq!(dependency_floor("Some_Pkg ~= 1.2").unwrap().0, "some-pkg");
    }
}
