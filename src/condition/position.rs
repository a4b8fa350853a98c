//! `in-async-function = true`: the node is in the body of an `async def`: its nearest enclosing
//! function (a lambda counts, and is never async) is one.

use ruff_python_ast::AnyNodeRef;
use rustc_hash::FxHashSet;

use super::needs::{Needle, Needs};
use super::read::{CompileError, Compiler, Scope, flag};
use super::value::Value;
use super::{Atom, Context, Target};
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct InAsyncFunction;

pub(super) fn parse(
    item: &Value,
    _cx: &Compiler<'_>,
    _scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    flag(item, "in-async-function")?;
    Ok(Box::new(InAsyncFunction))
}

impl Atom for InAsyncFunction {
    fn holds<'r, 't>(
        &'r self,
        _cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        target
            .ancestors()
            .iter()
            .rev()
            .find_map(|ancestor| match ancestor {
                AnyNodeRef::StmtFunctionDef(function) => Some(function.is_async),
                AnyNodeRef::ExprLambda(_) => Some(false),
                _ => None,
            })
            == Some(true)
    }

    /// The file spells `async`.
    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        Needs::file(vec![vec![Needle::Word("async".to_owned())]])
    }
}
