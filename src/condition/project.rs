//! The conditions on the file and the project, whatever node they are tested on.
//!
//! - `imports = ["pkg"]`: the file imports one of these modules (or a module inside one), in any
//!   import form. Each must be one of the pack's `modules`, whose imports the engine tracks.
//! - `versions = { pkg = ">=4.15", python = "<3.11" }`: the project's versions satisfy every
//!   specifier. A version missing from the run's versions (the project declares none and no
//!   loaded pack's `default-versions` gives one) is taken as the newest. At the top of a rule's
//!   `match`, it decides whether the rule is enabled at all (`anyio-lint rule` shows it).

use rustc_hash::FxHashSet;

use super::needs::{Needle, Needs};
use super::read::{CompileError, Compiler, Scope, strings};
use super::value::Value;
use super::{Atom, Context, Target, Versions};
use crate::analysis::semantic::in_module;
use crate::base::version::VersionSpec;
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct Imports {
    modules: Vec<String>,
}

pub(super) fn parse_imports(
    item: &Value,
    cx: &Compiler<'_>,
    _scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    let mut modules = Vec::new();
    for (module, value) in strings(item, "a module")? {
        if !cx.modules.contains(&module) {
            return Err(CompileError::at(
                value,
                format!("`{module}` is not one of the pack's `modules`"),
            )
            .note("only imports of declared modules are tracked"));
        }
        modules.push(module);
    }
    Ok(Box::new(Imports { modules }))
}

impl Atom for Imports {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        _target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        cx.semantic
            .imported()
            .any(|qualified| self.modules.iter().any(|m| in_module(qualified, m)))
    }

    /// The file spells the top package of one of the modules.
    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        Needs::file(
            self.modules
                .iter()
                .map(|m| vec![Needle::of(m.split('.').next().unwrap_or(m).to_owned())])
                .collect(),
        )
    }

    fn of_the_file(&self) -> bool {
        true
    }
}

/// `versions = { … }`: what the project's versions must satisfy.
#[derive(Debug)]
pub struct VersionsAre {
    pub specs: Vec<(String, VersionSpec)>,
}

impl VersionsAre {
    /// Whether `versions` satisfy every specifier (an undeclared version is the newest).
    pub fn hold(&self, versions: &Versions) -> bool {
        self.specs
            .iter()
            .all(|(distribution, spec)| match versions.get(distribution) {
                Some(version) => spec.contains(version),
                None => spec.contains_newest(),
            })
    }
}

pub(super) fn parse_versions(
    item: &Value,
    _cx: &Compiler<'_>,
    _scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    let Some(entries) = item.as_table() else {
        return Err(CompileError::at(
            item,
            format!(
                "`versions` takes a table such as `{{ python = \">=3.11\" }}`, found {}",
                item.describe()
            ),
        ));
    };
    let mut specs = Vec::new();
    for (distribution, value) in entries {
        let Some(text) = value.as_str() else {
            return Err(CompileError::at(
                value,
                "a version specifier is a string such as \">=4.15\"",
            ));
        };
        let spec = VersionSpec::parse(text).map_err(|message| CompileError::at(value, message))?;
        specs.push((distribution.clone(), spec));
    }
    Ok(Box::new(VersionsAre { specs }))
}

impl Atom for VersionsAre {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        _target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        self.hold(cx.versions)
    }

    fn of_the_file(&self) -> bool {
        true
    }

    fn versions(&self) -> Option<&VersionsAre> {
        Some(self)
    }
}
