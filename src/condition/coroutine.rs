//! The conditions on coroutines (see [`coroutines`](crate::analysis::coroutines) for how they are
//! known):
//!
//! - `coroutine-function = true`: the node is a callee (a name or attribute chain; for a call,
//!   its callee) known to be a coroutine function: an `async def` of the file (no decorator, no
//!   `yield`), one the
//!   file imports from a module of the project, a coroutine function of a library model, or a
//!   model's coroutine method of a value whose class is known. Every such callee spells a name an
//!   `async def` or an import binds, or the name of a coroutine method: the walk's anchors.
//! - `coroutine = true`: the node is a value known to be a coroutine object: a call of such a
//!   function, or a name every binding of which in its scope assigns one (and nothing else binds).

use ruff_python_ast::ExprRef;
use rustc_hash::FxHashSet;

use super::needs::Needs;
use super::read::{CompileError, Compiler, Scope, flag, node_only};
use super::typed::type_context;
use super::value::Value;
use super::{Atom, Context, Target};
use crate::analysis::coroutines::{self, CoroutineContext};
use crate::pattern::anchor::Anchor;
use crate::pattern::matcher::Env;

/// `coroutine-function = true`, with the names of the coroutine methods of the pack's models.
#[derive(Debug)]
struct CoroutineFunction {
    methods: Vec<String>,
}

/// `coroutine = true`.
#[derive(Debug)]
struct Coroutine;

pub(super) fn parse_function(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "coroutine-function", scope)?;
    flag(item, "coroutine-function")?;
    let mut methods: Vec<String> = cx
        .libraries
        .0
        .iter()
        .flat_map(|library| library.coroutine_methods())
        .collect();
    methods.sort();
    methods.dedup();
    Ok(Box::new(CoroutineFunction { methods }))
}

pub(super) fn parse_object(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "coroutine", scope)?;
    flag(item, "coroutine")?;
    Ok(Box::new(Coroutine))
}

/// What the answers are worked out from, in the context of a condition.
fn coroutine_context<'a, 't>(cx: &'a Context<'_, 't, '_>) -> CoroutineContext<'a, 't> {
    CoroutineContext {
        file: type_context(cx),
        types: cx.types,
        project: cx.project,
    }
}

impl Atom for CoroutineFunction {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let callee = match target.node().and_then(|node| node.as_expr_ref()) {
            Some(ExprRef::Call(call)) => ExprRef::from(&*call.func),
            Some(callee @ (ExprRef::Name(_) | ExprRef::Attribute(_))) => callee,
            _ => return false,
        };
        let ancestors = target.ancestors();
        coroutines::is_coroutine_function(&coroutine_context(cx), callee, &ancestors)
    }

    /// The callee spells a name an `async def` or an import binds, or a coroutine method's name.
    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        let mut anchors = vec![Anchor::AsyncDefOrImport];
        anchors.extend(self.methods.iter().cloned().map(Anchor::Word));
        Needs {
            anchors,
            ..Needs::nothing()
        }
    }
}

impl Atom for Coroutine {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(value) = target.node().and_then(|node| node.as_expr_ref()) else {
            return false;
        };
        let ancestors = target.ancestors();
        coroutines::is_coroutine(&coroutine_context(cx), value, &ancestors)
    }
}
