//! `regex`: the node's name, as Python reads it, matches a regular expression.
//!
//! A regex tests a spelling, never the source text of a larger node: the identifier a
//! metavariable stood for, a name, an attribute's name, an imported name (`from m import x`), the
//! module of a `from m import …`, a keyword argument's name, or a parameter's name. Names are tested NFKC-normalised, as the
//! parser keeps them. Any other node does not match.

use regex_syntax::hir::literal::ExtractKind;
use ruff_python_ast::AnyNodeRef;

use super::needs::{self, Needle, Needs};
use super::read::{self, CompileError, Compiler, Scope, node_only};
use super::value::Value;
use super::{Atom, Context, Subject, Target};
use crate::base::lazy_regex::LazyRegex;
use crate::pattern::anchor::Anchor;
use crate::pattern::matcher::Env;

#[derive(Debug)]
struct Spelled {
    regex: LazyRegex,
}

pub(super) fn parse(
    item: &Value,
    _cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "regex", scope)?;
    Ok(Box::new(Spelled {
        regex: read::regex(item)?,
    }))
}

/// The name a node spells, for `regex`.
pub fn spelling<'t>(subject: &Subject<'t>) -> Option<&'t str> {
    Some(match subject {
        Subject::Ident(identifier) => identifier.as_str(),
        Subject::Node(node) => match node {
            AnyNodeRef::ExprName(name) => name.id.as_str(),
            AnyNodeRef::ExprAttribute(attribute) => attribute.attr.as_str(),
            AnyNodeRef::Alias(alias) => alias.name.as_str(),
            AnyNodeRef::StmtImportFrom(import) => import.module.as_ref()?.as_str(),
            AnyNodeRef::Keyword(keyword) => keyword.arg.as_ref()?.as_str(),
            AnyNodeRef::Parameter(parameter) => parameter.name.as_str(),
            AnyNodeRef::ParameterWithDefault(parameter) => parameter.parameter.name.as_str(),
            _ => return None,
        },
        Subject::List(_) | Subject::Text => return None,
    })
}

impl Atom for Spelled {
    fn holds<'r, 't>(
        &'r self,
        _cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        _env: &mut Env<'r, 't>,
    ) -> bool {
        spelling(&target.subject).is_some_and(|name| self.regex.is_match(name))
    }

    /// The words the regex allows when it is anchored (`^(a|b)$`); else a literal prefix every
    /// match starts with.
    fn needs(&self, _modules: &rustc_hash::FxHashSet<String>) -> Needs {
        let words = needs::regex_words(&self.regex);
        let needles = match needs::bounded_literals(&self.regex, true) {
            Some(words) => Some(words.into_iter().map(Needle::of).collect::<Vec<_>>()),
            None => needs::regex_affixes(&self.regex, ExtractKind::Prefix)
                .map(|prefixes| prefixes.into_iter().map(Needle::within).collect()),
        };
        // The node's source spells its name: a literal prefix's leading word is written there.
        let anchors = needs::prefix_words(&self.regex)
            .filter(|words| words.iter().all(|word| !word.is_empty()))
            .map(|words| words.into_iter().map(Anchor::Word).collect())
            .unwrap_or_default();
        Needs {
            needles: match needles {
                Some(needles) => needles.into_iter().map(|needle| vec![needle]).collect(),
                None => vec![Vec::new()],
            },
            words,
            keys: None,
            anchors,
        }
    }
}
