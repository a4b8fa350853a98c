//! The project's versions, as its packaging files declare them, each with where it came from.
//!
//! A project directory's files are read in this order, and the first to declare a distribution's
//! version gives it: `pyproject.toml` (`[project] requires-python`, `dependencies` and
//! `optional-dependencies`, then `[tool.poetry.dependencies]`), `setup.cfg` (`[options]
//! python_requires` and `install_requires`), `setup.py` (the string literals given to a `setup(…)`
//! call as `python_requires=` and `install_requires=[…]`, read from its syntax tree, never run),
//! then the `requirements*.txt` files beside them. A requirement's version is its lower bound
//! (`lib>=4.12,<5` → 4.12); where one file declares a distribution several times, the lowest
//! bound counts. A requirement without a lower bound declares nothing.
//!
//! These files belong to the project, not to the linter: one that cannot be read or parsed is
//! skipped with a warning saying why, and a requirement that is not understood is passed over.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ruff_python_ast::{Expr, Stmt};
use serde::Deserialize;

use crate::analysis::config_file::{ConfigFile, Format};
use crate::base::bounded;
use crate::base::version::{Version, VersionSpec};

/// Where a project version came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `--version-of DIST=VERSION`.
    CommandLine,
    /// A key of a file: a configuration's `versions`, or a packaging file's requirement.
    File {
        path: PathBuf,
        /// Where in the file: `project.requires-python`, `[options] install_requires`, `line 3`.
        key: String,
        /// The text declared there (`>=3.10`, `lib>=4.12`).
        declared: String,
    },
    /// The `default-versions` of a loaded pack: the project declares no version.
    PackDefault { pack: String },
}

impl fmt::Display for VersionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSource::CommandLine => f.write_str("--version-of"),
            VersionSource::File {
                path,
                key,
                declared,
            } => write!(f, "{}: {key} {declared:?}", path.display()),
            VersionSource::PackDefault { pack } => write!(
                f,
                "`default-versions` of the pack {pack} (the project declares none)"
            ),
        }
    }
}

/// A project's version of one distribution, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectVersion {
    pub version: Version,
    pub source: VersionSource,
}

/// The project's versions by distribution (`python`, or a normalised distribution name).
pub type ProjectVersions = BTreeMap<String, ProjectVersion>;

/// The keys of a `pyproject.toml`'s `[project]` table that declare versions.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ProjectTable {
    pub requires_python: Option<String>,
    pub dependencies: Option<Vec<String>>,
    pub optional_dependencies: Option<BTreeMap<String, Vec<String>>>,
}

/// `[tool.poetry]`: only its dependencies, whose values take many forms; the simple ones are read.
#[derive(Debug, Default, Deserialize)]
pub struct PoetryTable {
    pub dependencies: Option<BTreeMap<String, toml::Value>>,
}

/// The version tables of a `pyproject.toml` that was read.
#[derive(Debug)]
pub struct Pyproject<'a> {
    pub path: &'a Path,
    pub project: Option<&'a ProjectTable>,
    pub poetry: Option<&'a PoetryTable>,
}

/// What the packaging files of a project directory declare, and what could not be read.
#[derive(Debug, Default)]
pub struct Declared {
    pub versions: ProjectVersions,
    pub warnings: Vec<String>,
}

/// The versions the packaging files of `directory` declare: `pyproject`, already read by the
/// caller, then `setup.cfg`, `setup.py` and `requirements*.txt`.
pub fn declared(directory: &Path, pyproject: Option<Pyproject<'_>>) -> Declared {
    let mut declared = Declared::default();
    if let Some(pyproject) = pyproject {
        if let Some(project) = pyproject.project {
            let found = project_table(pyproject.path, project, &mut declared.warnings);
            declared.merge(found);
        }
        if let Some(poetry) = pyproject.poetry {
            declared.merge(poetry_table(pyproject.path, poetry));
        }
    }
    let setup_cfg = directory.join("setup.cfg");
    if let Some(text) = read_packaging_file(&setup_cfg, &mut declared.warnings) {
        let found = setup_cfg_versions(&setup_cfg, &text, &mut declared.warnings);
        declared.merge(found);
    }
    let setup_py = directory.join("setup.py");
    if let Some(text) = read_packaging_file(&setup_py, &mut declared.warnings) {
        let found = setup_py_versions(&setup_py, &text, &mut declared.warnings);
        declared.merge(found);
    }
    for path in requirements_files(directory) {
        if let Some(text) = read_packaging_file(&path, &mut declared.warnings) {
            declared.merge(requirements_versions(&path, &text));
        }
    }
    declared
}

impl Declared {
    /// Add what one file declares, under what earlier files declared.
    fn merge(&mut self, found: ProjectVersions) {
        for (distribution, version) in found {
            self.versions.entry(distribution).or_insert(version);
        }
    }
}

/// Whether `directory` holds a packaging file other than `pyproject.toml` that may declare
/// versions (`setup.cfg`, `setup.py`): anything of these names but a directory.
pub fn packaging_file_in(directory: &Path) -> Option<PathBuf> {
    ["setup.cfg", "setup.py"]
        .into_iter()
        .map(|name| directory.join(name))
        .find(|path| std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_dir()))
}

/// The text of a packaging file, or `None` with a warning when it exists but cannot be read
/// (not a regular file, larger than 4 MiB, not UTF-8).
fn read_packaging_file(path: &Path, warnings: &mut Vec<String>) -> Option<String> {
    if std::fs::symlink_metadata(path).is_err() {
        return None;
    }
    match bounded::read_text(path, bounded::TOML_LIMIT) {
        Ok(text) => Some(text),
        Err(error) => {
            warnings.push(format!(
                "{} is not read for the project's versions: {error}",
                path.display()
            ));
            None
        }
    }
}

/// Record `version` of `distribution` from `source`, unless the file gave a lower one already.
fn lowest(
    found: &mut ProjectVersions,
    distribution: String,
    version: Version,
    source: VersionSource,
) {
    match found.get(&distribution) {
        Some(known) if known.version <= version => {}
        _ => {
            found.insert(distribution, ProjectVersion { version, source });
        }
    }
}

/// A source naming `key` of `path`, where `declared` was written.
fn file_source(path: &Path, key: impl Into<String>, declared: &str) -> VersionSource {
    VersionSource::File {
        path: path.to_path_buf(),
        key: key.into(),
        declared: declared.trim().to_owned(),
    }
}

/// The Python floor a `requires-python` / `python_requires` specifier gives; a specifier that is
/// not understood is said in a warning.
fn python_floor(
    found: &mut ProjectVersions,
    path: &Path,
    key: &str,
    specifier: &str,
    warnings: &mut Vec<String>,
) {
    match VersionSpec::parse(specifier) {
        Ok(spec) => {
            if let Some(floor) = spec.lower_bound() {
                lowest(
                    found,
                    "python".to_owned(),
                    floor,
                    file_source(path, key, specifier),
                );
            }
        }
        Err(message) => warnings.push(format!(
            "{}: {key} {:?} is not understood ({message}); the Python version is not taken from it",
            path.display(),
            specifier.trim()
        )),
    }
}

/// Record the lower bound of each requirement of `requirements` declared at `key`.
fn requirement_floors<'a>(
    found: &mut ProjectVersions,
    path: &Path,
    key: &str,
    requirements: impl IntoIterator<Item = &'a str>,
) {
    for requirement in requirements {
        if let Some((name, floor)) = dependency_floor(requirement) {
            lowest(found, name, floor, file_source(path, key, requirement));
        }
    }
}

fn project_table(
    path: &Path,
    project: &ProjectTable,
    warnings: &mut Vec<String>,
) -> ProjectVersions {
    let mut found = ProjectVersions::new();
    if let Some(specifier) = &project.requires_python {
        python_floor(
            &mut found,
            path,
            "project.requires-python",
            specifier,
            warnings,
        );
    }
    let dependencies = project.dependencies.iter().flatten();
    requirement_floors(
        &mut found,
        path,
        "project.dependencies",
        dependencies.map(String::as_str),
    );
    for (extra, requirements) in project.optional_dependencies.iter().flatten() {
        let key = format!("project.optional-dependencies.{extra}");
        requirement_floors(
            &mut found,
            path,
            &key,
            requirements.iter().map(String::as_str),
        );
    }
    found
}

/// `[tool.poetry.dependencies]`: `python = "^3.9"`, `lib = "^4.2"`, `lib = { version = ">=4.2" }`.
fn poetry_table(path: &Path, poetry: &PoetryTable) -> ProjectVersions {
    let mut found = ProjectVersions::new();
    for (name, value) in poetry.dependencies.iter().flatten() {
        let constraint = match value {
            toml::Value::String(text) => text.as_str(),
            toml::Value::Table(table) => match table.get("version") {
                Some(toml::Value::String(text)) => text.as_str(),
                _ => continue,
            },
            _ => continue,
        };
        let Some(floor) = poetry_floor(constraint) else {
            continue;
        };
        let key = format!("tool.poetry.dependencies.{name}");
        let distribution = if name == "python" {
            "python".to_owned()
        } else {
            normalised(name)
        };
        lowest(
            &mut found,
            distribution,
            floor,
            file_source(path, key, constraint),
        );
    }
    found
}

/// The lower bound of a Poetry constraint (`^4.2`, `~4.2`, `>=4.2,<5`, `4.2.*`, `>=3.9 || ^4`):
/// the highest bound of each alternative, the lowest over alternatives; `None` when one has none.
fn poetry_floor(constraint: &str) -> Option<Version> {
    let mut floor: Option<Version> = None;
    for alternative in constraint.split("||") {
        // `>= 4.2` is one clause: no blank after an operator.
        let mut compact = String::new();
        for c in alternative.trim().chars() {
            let after_operator = compact.ends_with(['>', '<', '=', '^', '~', '!']);
            if !(c.is_whitespace() && after_operator) {
                compact.push(c);
            }
        }
        let clauses = compact.split(|c: char| c == ',' || c.is_whitespace());
        let lower = clauses
            .filter(|clause| !clause.is_empty())
            .filter_map(|clause| {
                let version = [">=", "==", "~=", "^", "~", "=", ">"]
                    .iter()
                    .find_map(|operator| clause.strip_prefix(operator))
                    .or_else(|| {
                        clause
                            .starts_with(|c: char| c.is_ascii_digit())
                            .then_some(clause)
                    })?;
                Version::parse(version.trim_end_matches(".*"))
            })
            .max()?;
        floor = Some(match floor {
            Some(known) if known <= lower => known,
            _ => lower,
        });
    }
    floor
}

/// `[options] python_requires` and `install_requires` of a `setup.cfg` (an INI file; a list is
/// one item a line, or `;`-separated on one line, as setuptools reads it).
fn setup_cfg_versions(path: &Path, text: &str, warnings: &mut Vec<String>) -> ProjectVersions {
    let mut found = ProjectVersions::new();
    let file = match ConfigFile::parse(Format::Ini, text) {
        Ok(file) => file,
        Err(error) => {
            let offset = usize::from(error.range.start()).min(text.len());
            let line = text[..offset].matches('\n').count() + 1;
            warnings.push(format!(
                "{}:{line}: {}; it is not read for the project's versions",
                path.display(),
                error.message
            ));
            return found;
        }
    };
    let options = file
        .entries
        .iter()
        .filter(|entry| entry.table == ["options"]);
    for entry in options {
        let value = entry.value.as_str();
        match entry.key.to_ascii_lowercase().replace('-', "_").as_str() {
            "python_requires" => {
                let key = "[options] python_requires";
                python_floor(&mut found, path, key, value, warnings);
            }
            "install_requires" => {
                let items: Vec<&str> = if value.trim().contains('\n') {
                    value.lines().collect()
                } else {
                    value.split(';').collect()
                };
                let requirements = items
                    .into_iter()
                    .map(str::trim)
                    .filter(|item| !item.is_empty() && !item.starts_with('#'));
                requirement_floors(&mut found, path, "[options] install_requires", requirements);
            }
            _ => {}
        }
    }
    found
}

/// The string literals a `setup.py` gives its `setup(…)` calls as `python_requires=` and
/// `install_requires=[…]`. A file that does not parse is skipped with a warning.
fn setup_py_versions(path: &Path, text: &str, warnings: &mut Vec<String>) -> ProjectVersions {
    let mut found = ProjectVersions::new();
    let parsed = crate::analysis::parse::parse(text);
    if let Some(error) = parsed.errors().first() {
        let offset = usize::from(error.location.start()).min(text.len());
        let line = text[..offset].matches('\n').count() + 1;
        warnings.push(format!(
            "{}:{line}: {}; it is not read for the project's versions",
            path.display(),
            error.error
        ));
    } else {
        // The statements of every block, without recursion: `setup(…)` may sit under
        // `if __name__ == "__main__":`, in a `try`, a `with` or a function.
        let mut blocks: Vec<&[Stmt]> = vec![&parsed.syntax().body];
        while let Some(block) = blocks.pop() {
            for statement in block {
                match statement {
                    Stmt::Expr(expression) => {
                        if let Expr::Call(call) = expression.value.as_ref() {
                            setup_call(&mut found, path, call, warnings);
                        }
                    }
                    Stmt::If(branch) => {
                        blocks.push(&branch.body);
                        blocks.extend(branch.elif_else_clauses.iter().map(|c| &c.body[..]));
                    }
                    Stmt::Try(attempt) => {
                        blocks.extend([&attempt.body[..], &attempt.orelse, &attempt.finalbody]);
                        blocks.extend(attempt.handlers.iter().map(|handler| {
                            let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                            &handler.body[..]
                        }));
                    }
                    Stmt::With(with) => blocks.push(&with.body),
                    Stmt::FunctionDef(function) => blocks.push(&function.body),
                    _ => {}
                }
            }
        }
    }
    crate::analysis::parse::drop_deep(parsed, text.len());
    found
}

/// The versions a call of `setup` (or `….setup`) declares with string literals.
fn setup_call(
    found: &mut ProjectVersions,
    path: &Path,
    call: &ruff_python_ast::ExprCall,
    warnings: &mut Vec<String>,
) {
    let is_setup = match call.func.as_ref() {
        Expr::Name(name) => name.id.as_str() == "setup",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "setup",
        _ => false,
    };
    if !is_setup {
        return;
    }
    for keyword in &call.arguments.keywords {
        let Some(name) = &keyword.arg else { continue };
        match (name.as_str(), &keyword.value) {
            ("python_requires", Expr::StringLiteral(literal)) => {
                let key = "setup(python_requires=…)";
                python_floor(found, path, key, literal.value.to_str(), warnings);
            }
            ("install_requires", Expr::List(ruff_python_ast::ExprList { elts, .. }))
            | ("install_requires", Expr::Tuple(ruff_python_ast::ExprTuple { elts, .. })) => {
                let literals = elts.iter().filter_map(|element| match element {
                    Expr::StringLiteral(literal) => Some(literal.value.to_str()),
                    _ => None,
                });
                requirement_floors(found, path, "setup(install_requires=…)", literals);
            }
            _ => {}
        }
    }
}

/// The `requirements*.txt` files of `directory`, by name.
fn requirements_files(directory: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("requirements") && name.ends_with(".txt")
        })
        .filter(|entry| entry.file_type().is_ok_and(|kind| !kind.is_dir()))
        .map(|entry| entry.path())
        .collect();
    files.sort();
    files
}

/// The requirements of a pip requirements file, each with its line: continuation lines joined,
/// comments, options (`-r`, `--hash=…`) and blank lines dropped.
fn requirements_versions(path: &Path, text: &str) -> ProjectVersions {
    let mut found = ProjectVersions::new();
    let mut logical = String::new();
    let mut first_line = 0;
    for (number, line) in text.lines().enumerate() {
        if logical.is_empty() {
            first_line = number + 1;
        }
        let line = match line.find('#') {
            Some(hash) if hash == 0 || line[..hash].ends_with([' ', '\t']) => &line[..hash],
            _ => line,
        };
        if let Some(joined) = line.trim_end().strip_suffix('\\') {
            logical.push_str(joined);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let requirement = match logical.find(" -").or_else(|| logical.find("\t-")) {
            Some(option) => &logical[..option],
            None => &logical,
        };
        let requirement = requirement.trim();
        if !requirement.is_empty() && !requirement.starts_with('-') {
            let key = format!("line {first_line}");
            requirement_floors(&mut found, path, &key, [requirement]);
        }
        logical.clear();
    }
    found
}

/// `lib[extra]>=4.15,<5; python_version>"3"` → (`lib`, 4.15).
fn dependency_floor(requirement: &str) -> Option<(String, Version)> {
    let requirement = requirement.split(';').next()?.trim();
    let end = requirement
        .find(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(requirement.len());
    let name = normalised(&requirement[..end]);
    let rest = requirement[end..].trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(extras) => extras.split_once(']')?.1,
        None => rest,
    };
    let spec =
        VersionSpec::parse(rest.trim().trim_start_matches('(').trim_end_matches(')')).ok()?;
    Some((name, spec.lower_bound()?))
}

/// A distribution name as PEP 503 compares it: lowercase, runs of `-`, `_` and `.` one `-`.
fn normalised(name: &str) -> String {
    let mut normal = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !normal.ends_with('-') {
                normal.push('-');
            }
        } else {
            normal.push(c.to_ascii_lowercase());
        }
    }
    normal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn versions(found: &ProjectVersions) -> Vec<(String, String)> {
        found
            .iter()
            .map(|(name, version)| (name.clone(), version.version.to_string()))
            .collect()
    }

    #[test]
    fn dependency_floors() {
        let (name, version) =
            dependency_floor("lib[extra]>=4.15,<5; python_version>'3.9'").unwrap();
        assert_eq!(name, "lib");
        assert_eq!(version, v("4.15"));
        assert_eq!(dependency_floor("lib"), None);
        assert_eq!(dependency_floor("lib<5"), None);
        assert_eq!(dependency_floor("Some_Pkg ~= 1.2").unwrap().0, "some-pkg");
        assert_eq!(
            dependency_floor("zope.Interface__x>=1").unwrap().0,
            "zope-interface-x"
        );
        assert_eq!(dependency_floor("lib @ https://example.org/lib.whl"), None);
    }

    #[test]
    fn poetry_floors() {
        assert_eq!(poetry_floor("^4.2"), Some(v("4.2")));
        assert_eq!(poetry_floor("~4.2.1"), Some(v("4.2.1")));
        assert_eq!(poetry_floor(">= 4.2, < 5"), Some(v("4.2")));
        assert_eq!(poetry_floor(">=4.2 <5"), Some(v("4.2")));
        assert_eq!(poetry_floor("4.2.*"), Some(v("4.2")));
        assert_eq!(poetry_floor("4.2"), Some(v("4.2")));
        assert_eq!(poetry_floor("^3.10 || ^4.1"), Some(v("3.10")));
        assert_eq!(poetry_floor("*"), None);
        assert_eq!(poetry_floor("<5"), None);
        assert_eq!(poetry_floor("^4 || <3"), None);
    }

    #[test]
    fn setup_cfg_lists_and_specifiers() {
        let text = "[metadata]\nname = x\n\n[options]\npython_requires = >=3.9\ninstall_requires =\n    lib>=4.3,<5\n    # comment\n\n    other>=0.25; python_version>'3.9'\n    lib>=4.1\n[options.extras_require]\nfast = lib>=4.8\n";
        let mut warnings = Vec::new();
        let found = setup_cfg_versions(Path::new("setup.cfg"), text, &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            versions(&found),
            [
                ("lib".into(), "4.1".into()),
                ("other".into(), "0.25".into()),
                ("python".into(), "3.9".into())
            ]
        );
        let one_line = "[options]\ninstall-requires = lib>=4.4; other>=0.26\n";
        let found = setup_cfg_versions(Path::new("setup.cfg"), one_line, &mut warnings);
        assert_eq!(found["lib"].version, v("4.4"));
        assert_eq!(found["other"].version, v("0.26"));
    }

    #[test]
    fn malformed_setup_cfg_is_skipped_with_the_line() {
        for (text, line) in [
            ("[options]\npython_requires = >=3.9\nnot an entry\n", 3),
            ("[options\npython_requires = >=3.9\n", 1),
            ("python_requires = >=3.9\n", 1),
        ] {
            let mut warnings = Vec::new();
            let found = setup_cfg_versions(Path::new("setup.cfg"), text, &mut warnings);
            assert!(found.is_empty());
            assert!(
                warnings[0].starts_with(&format!("setup.cfg:{line}: ")),
                "{warnings:?}"
            );
        }
        let mut warnings = Vec::new();
        let text = "[options]\npython_requires = three\n";
        assert!(setup_cfg_versions(Path::new("setup.cfg"), text, &mut warnings).is_empty());
        assert!(warnings[0].contains("is not understood"), "{warnings:?}");
    }

    #[test]
    fn setup_py_literals_only() {
        let text = r#"
import setuptools
REQUIRES = ["other>=0.25"]
if __name__ == "__main__":
    setuptools.setup(
        name="x",
        python_requires=">=3.8, <4",
        install_requires=["lib>=4.2", dependency, *REQUIRES],
    )
setup(install_requires=REQUIRES, python_requires=PYTHON)
other(python_requires=">=3.13")
"#;
        let mut warnings = Vec::new();
        let found = setup_py_versions(Path::new("setup.py"), text, &mut warnings);
        assert!(warnings.is_empty());
        assert_eq!(
            versions(&found),
            [
                ("lib".into(), "4.2".into()),
                ("python".into(), "3.8".into())
            ]
        );
        let found = setup_py_versions(
            Path::new("setup.py"),
            "setup(\n  python_requires='>=3.9'\n",
            &mut warnings,
        );
        assert!(found.is_empty());
        assert!(warnings[0].starts_with("setup.py:"), "{warnings:?}");
    }

    #[test]
    fn requirements_lines() {
        let text = "# pinned\n-r base.txt\nlib==4.12.0 \\\n    --hash=sha256:abc\nhttpx>=0.27  # comment\n--index-url https://example.org\n";
        let found = requirements_versions(Path::new("requirements.txt"), text);
        assert_eq!(
            versions(&found),
            [
                ("httpx".into(), "0.27".into()),
                ("lib".into(), "4.12.0".into())
            ]
        );
        assert_eq!(
            found["lib"].source.to_string(),
            "requirements.txt: line 3 \"lib==4.12.0\""
        );
    }
}
