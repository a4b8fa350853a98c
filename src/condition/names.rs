//! The conditions on what a node names or spells beyond its own identifier.
//!
//! - `qualified = R`: the node (a name or an attribute chain; for a call, its callee) resolves
//!   through the file's imports of declared modules to a qualified name that the regular
//!   expression `R` matches: `qualified = '^pkg(\.\w+)*\._'` finds every private name of `pkg`
//!   and its submodules, however it was imported.
//! - `string = R`: the node is a string literal (implicitly concatenated parts joined) whose value
//!   `R` matches: `string = '^pkg\.'` finds `"pkg.sleep"` in `mock.patch("pkg.sleep")`.

use regex::Regex;
use ruff_python_ast::AnyNodeRef;
use rustc_hash::FxHashSet;

use super::needs::{self, Needle, Needs};
use super::read::{self, CompileError, Compiler, Scope, node_only};
use super::value::Value;
use super::{Atom, Context, Subject, Target};
use crate::pattern::anchor::Anchor;
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct Qualified {
    regex: Regex,
}

pub(super) fn parse_qualified(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "qualified", scope)?;
    Ok(Box::new(Qualified {
        regex: read::regex(item)?,
    }))
}

impl Atom for Qualified {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let named = match target.subject {
            Subject::Node(AnyNodeRef::ExprCall(call)) => AnyNodeRef::from(&*call.func),
            Subject::Node(node) => node,
            _ => return false,
        };
        cx.semantic
            .qualified_name(named)
            .is_some_and(|name| self.regex.is_match(&name))
    }

    /// A use of an imported name; the file holds one of the regex's literal prefixes' words.
    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        Needs {
            anchors: vec![Anchor::Import],
            ..prefix_needs(&self.regex)
        }
    }
}

#[derive(Debug)]
struct StringValue {
    regex: Regex,
}

pub(super) fn parse_string(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "string", scope)?;
    Ok(Box::new(StringValue {
        regex: read::regex(item)?,
    }))
}

impl Atom for StringValue {
    fn holds<'r, 't>(
        &'r self,
        _cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        let Subject::Node(AnyNodeRef::ExprStringLiteral(literal)) = target.subject else {
            return false;
        };
        self.regex.is_match(literal.value.to_str())
    }

    fn needs(&self, _modules: &FxHashSet<String>) -> Needs {
        prefix_needs(&self.regex)
    }
}

/// The file holds one of the identifiers a regex's literal prefixes enclose, when it has them.
fn prefix_needs(regex: &Regex) -> Needs {
    match needs::prefix_words(regex) {
        Some(words) => Needs::file(
            words
                .into_iter()
                .map(|word| match word.is_empty() {
                    true => Vec::new(),
                    false => vec![Needle::of(word)],
                })
                .collect(),
        ),
        None => Needs::nothing(),
    }
}
