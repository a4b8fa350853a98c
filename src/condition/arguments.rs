//! `wrong-arguments`: a call whose arguments surely do not bind to what the pack's library
//! models say the callee takes at the project's version.
//!
//! `wrong-arguments = true`, or `wrong-arguments = { reason = "WHY" }` to bind the metavariable
//! `$WHY` to why (for the message): the subject is a call of a function or class a model
//! describes, named through the file's imports (`pkg.f(…)`, `f(…)` after `from pkg import f`,
//! `pkg.Class[T](…)`), or of a method of a value whose model class is known (as `type` knows it;
//! not a class the model marks open), and the model gives its signature at the project's version
//! of that library. The call does not bind when it passes more positional arguments than the
//! callee takes, a keyword no parameter has, a positional-only parameter by keyword, a parameter
//! both by position and by keyword, or leaves a parameter without a default unset. With `*x` or
//! `**x` in the call, only what they cannot change is judged.
//!
//! `wrong-arguments = { callee = "pkg.f" }` judges the call's arguments against the signature of
//! the model's `pkg.f` instead, whatever the call calls: a rule rewriting `other.f(…)` into
//! `pkg.f(…)` can ask whether the rewritten call would bind (`not.wrong-arguments`). Both keys may
//! stand together.

use ruff_python_ast::{AnyNodeRef, Expr, ExprCall};
use rustc_hash::FxHashSet;

use super::needs::Needs;
use super::read::{CompileError, Compiler, Scope, node_only};
use super::typed::{library_needs, named_libraries, type_context};
use super::value::{Kind, Value};
use super::{Atom, Context, Target};
use crate::analysis::signature::{self, Arguments};
use crate::pattern::MetavarUse;
use crate::pattern::matcher::{Capture, Env};

#[derive(Debug)]
struct WrongArguments {
    /// The metavariable bound to why the call does not bind.
    reason: Option<String>,
    /// The callable whose signature the arguments are judged against, when not the callee.
    callee: Option<String>,
    libraries: Vec<String>,
}

pub(super) fn parse(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    const FORMS: &str = "`wrong-arguments` takes `true`, or a table of `reason = \"WHY\"` (bind `$WHY` to why the call does not bind) and `callee = \"pkg.f\"` (judge against `pkg.f`)";
    node_only(item, "wrong-arguments", scope)?;
    let mut atom = WrongArguments {
        reason: None,
        callee: None,
        libraries: named_libraries(cx),
    };
    if let Kind::Bool(true) = &item.kind {
        return Ok(Box::new(atom));
    }
    let Some(entries) = item.as_table().filter(|entries| !entries.is_empty()) else {
        return Err(CompileError::at(item, FORMS));
    };
    for (key, value) in entries {
        match key.as_str() {
            "reason" => {
                let metavar = value
                    .as_str()
                    .filter(|name| super::is_metavar_key(name))
                    .ok_or_else(|| {
                        CompileError::at(value, "`reason` names a metavariable: `\"WHY\"`")
                    })?;
                atom.reason = Some(metavar.to_owned());
            }
            "callee" => {
                let name = value
                    .as_str()
                    .ok_or_else(|| CompileError::at(value, "`callee` is a dotted name"))?;
                let known = cx.libraries.owning(name).is_some_and(|library| {
                    library
                        .versions
                        .iter()
                        .any(|version| library.call_signature(name, version).is_some())
                });
                if !known {
                    return Err(CompileError::at(
                        value,
                        format!("no library model the pack loads gives a signature of `{name}`"),
                    )
                    .note("name the model in `[pack] libraries`, and a function or class of one of its modules"));
                }
                atom.callee = Some(name.to_owned());
            }
            _ => return Err(CompileError::at(value, FORMS)),
        }
    }
    Ok(Box::new(atom))
}

/// What a call's text says of its arguments.
fn arguments_of(call: &ExprCall) -> Arguments<'_> {
    let mut arguments = Arguments::default();
    for argument in &call.arguments.args {
        if argument.is_starred_expr() {
            arguments.unpacks_positional = true;
        } else {
            arguments.positional += 1;
        }
    }
    for keyword in &call.arguments.keywords {
        match &keyword.arg {
            Some(name) => arguments.keywords.push(name.as_str()),
            None => arguments.unpacks_keywords = true,
        }
    }
    arguments
}

/// The signature the model gives the callee of `call` at the project's version.
fn callee_signature<'r, 't>(
    cx: &Context<'r, 't, '_>,
    call: &'t ExprCall,
    target: &Target<'t, '_>,
) -> Option<&'r str> {
    let callee = match &*call.func {
        Expr::Subscript(subscript) => &*subscript.value,
        callee => callee,
    };
    if let Some(qualified) = cx.semantic.qualified_name(AnyNodeRef::from(callee)) {
        let library = cx.libraries.owning(&qualified)?;
        let version = library.version_in(cx.versions)?;
        return library.call_signature(&qualified, version);
    }
    let Expr::Attribute(method) = callee else {
        return None;
    };
    let ancestors = target.ancestors();
    let found = cx.types.of(&type_context(cx), &method.value, &ancestors)?;
    cx.libraries
        .method_signature(found.instance()?, method.attr.as_str(), cx.versions)
}

impl Atom for WrongArguments {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(AnyNodeRef::ExprCall(call)) = target.node() else {
            return false;
        };
        let signature = match &self.callee {
            Some(callee) => cx.libraries.owning(callee).and_then(|library| {
                library.call_signature(callee, library.version_in(cx.versions)?)
            }),
            None => callee_signature(cx, call, target),
        };
        let Some(text) = signature else {
            return false;
        };
        let Ok(alternatives) = signature::parse(text) else {
            return false;
        };
        let Some(mismatch) = signature::mismatch(&alternatives, &arguments_of(call)) else {
            return false;
        };
        if let Some(reason) = &self.reason {
            env.set(reason, Capture::Text(mismatch.to_string().into()));
        }
        true
    }

    fn binds(&self) -> Vec<MetavarUse> {
        self.reason
            .iter()
            .map(|name| MetavarUse {
                name: name.clone(),
                variadic: false,
            })
            .collect()
    }

    /// A method's callee may need its receiver's type: tested once the match is whole.
    fn alone(&self) -> bool {
        false
    }

    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        library_needs(&self.libraries)
    }
}
