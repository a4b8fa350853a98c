//! `count` and `non-empty`: how many elements a `$$$` metavariable captured.
//! `count = 2` asks for exactly two, `count = { min = 1, max = 3 }` for a range (either bound may
//! be left out); `non-empty = true` for at least one. On anything but a `$$$` capture they do not
//! apply, and compiling says so.

use super::read::{CompileError, Compiler, Scope, flag};
use super::value::{Kind, Value};
use super::{Atom, Context, Subject, Target};
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct Count {
    min: usize,
    max: Option<usize>,
}

fn on_lists_only(item: &Value, key: &str, scope: Scope) -> Result<(), CompileError> {
    if scope == Scope::List {
        return Ok(());
    }
    Err(CompileError::at(
        item,
        format!("`{key}` tests what a `$$$` metavariable captured"),
    )
    .note("write it under the metavariable: `ARGS.non-empty = true` for `$$$ARGS`"))
}

fn number(item: &Value) -> Result<usize, CompileError> {
    match item.kind {
        Kind::Integer(n) if n >= 0 => Ok(n as usize),
        _ => Err(CompileError::at(
            item,
            format!(
                "expected a count (an integer, 0 or more), found {}",
                item.describe()
            ),
        )),
    }
}

pub(super) fn parse_count(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    on_lists_only(item, "count", scope)?;
    let count = match &item.kind {
        Kind::Integer(_) => {
            let n = number(item)?;
            Count {
                min: n,
                max: Some(n),
            }
        }
        Kind::Table(entries) => {
            let mut count = Count { min: 0, max: None };
            for (key, value) in entries {
                match key.as_str() {
                    "min" => count.min = number(value)?,
                    "max" => count.max = Some(number(value)?),
                    other => {
                        return Err(CompileError::at(
                            value,
                            format!("unknown key `{other}` in `count`: it takes `min` and `max`"),
                        ));
                    }
                }
            }
            if count.max.is_some_and(|max| max < count.min) {
                return Err(CompileError::at(item, "`count`'s `max` is below its `min`"));
            }
            count
        }
        _ => {
            return Err(CompileError::at(
                item,
                "`count` takes a number or `{ min = …, max = … }`",
            ));
        }
    };
    Ok(Box::new(count))
}

pub(super) fn parse_non_empty(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    on_lists_only(item, "non-empty", scope)?;
    flag(item, "non-empty")?;
    Ok(Box::new(Count { min: 1, max: None }))
}

impl Atom for Count {
    fn holds<'r, 't>(
        &'r self,
        _cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Subject::List(elements) = &target.subject else {
            return false;
        };
        elements.len() >= self.min && self.max.is_none_or(|max| elements.len() <= max)
    }
}
