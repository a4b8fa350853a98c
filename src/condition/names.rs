//! The conditions on what a node names or spells beyond its own identifier.
//!
//! - `qualified = R`: the node (a name or an attribute chain; for a call, its callee) resolves
//!   through the file's imports of declared modules to a qualified name that the regular
//!   expression `R` matches: `qualified = '^pkg(\.\w+)*\._'` finds every private name of `pkg`
//!   and its submodules, however it was imported.
//! - `qualified = { option = "NAME" }`: the node's qualified name, or the dotted name it spells
//!   (an identifier a metavariable stood for: its name), matches a glob of the pack's option
//!   `NAME` ([`super::option`]); with `text = "M"`, the `$M` metavariable holds the text a
//!   `name-map` option maps the first matching glob to.
//! - `string = R`: the node is a string literal (implicitly concatenated parts joined) whose value
//!   `R` matches: `string = '^pkg\.'` finds `"pkg.sleep"` in `mock.patch("pkg.sleep")`.

use ruff_python_ast::AnyNodeRef;
use rustc_hash::FxHashSet;

use super::needs::{self, Needle, Needs};
use super::option::OptionKind;
use super::read::{self, CompileError, Compiler, Scope, node_only};
use super::value::{Kind, Value};
use super::{Atom, Context, Subject, Target, is_metavar_key};
use crate::base::lazy_regex::LazyRegex;
use crate::pattern::MetavarUse;
use crate::pattern::anchor::Anchor;
use crate::pattern::matcher::{Capture, Env};

#[derive(Debug)]
struct Qualified {
    regex: LazyRegex,
}

pub(super) fn parse_qualified(
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    node_only(item, "qualified", scope)?;
    if let Some(entries) = item.as_table() {
        return Ok(Box::new(parse_option(item, entries, cx)?));
    }
    Ok(Box::new(Qualified {
        regex: read::regex(item)?,
    }))
}

/// `qualified = { option = "NAME", text = "M" }`.
fn parse_option(
    item: &Value,
    entries: &[(String, Value)],
    cx: &Compiler<'_>,
) -> Result<QualifiedOption, CompileError> {
    let mut option = None;
    let mut text = None;
    for (key, value) in entries {
        match key.as_str() {
            "option" => option = Some(value),
            "text" => text = Some(value),
            other => {
                return Err(CompileError::at(
                    value,
                    format!("`qualified` takes `option` and `text`, not `{other}`"),
                ));
            }
        }
    }
    let Some(option) = option else {
        return Err(CompileError::at(
            item,
            "`qualified` is a regular expression, or `{ option = \"NAME\" }`: a pack option's names",
        ));
    };
    let Some(name) = option.as_str() else {
        return Err(CompileError::at(
            option,
            format!(
                "`option` names an option of the pack, not {}",
                option.describe()
            ),
        ));
    };
    let Some(slot) = cx.options.iter().position(|decl| decl.name == name) else {
        let declared: Vec<String> = cx.options.iter().map(|d| format!("`{}`", d.name)).collect();
        let note = if declared.is_empty() {
            "the pack declares no options: declare it in `[pack.options.NAME]`".to_owned()
        } else {
            format!("the pack declares {}", declared.join(", "))
        };
        return Err(
            CompileError::at(option, format!("the pack has no option `{name}`")).note(note),
        );
    };
    let text = match text {
        None => None,
        Some(value) => {
            let metavar = value.as_str().filter(|m| is_metavar_key(m));
            let Some(metavar) = metavar else {
                return Err(CompileError::at(
                    value,
                    "`text` names the metavariable that holds the matched entry's text, such as `\"REPLACEMENT\"`",
                ));
            };
            if cx.options[slot].kind != OptionKind::NameMap {
                return Err(CompileError::at(
                    value,
                    format!("`{name}` is a `names` option: its names map to no text"),
                )
                .note("`text` reads the text a `name-map` option maps each name to"));
            }
            if cx.metavars.iter().any(|m| m.name == metavar) {
                return Err(CompileError::at(
                    value,
                    format!(
                        "`${metavar}` is bound by a pattern of the rule: name another metavariable"
                    ),
                ));
            }
            Some(metavar.to_owned())
        }
    };
    Ok(QualifiedOption { slot, text })
}

/// The option form of `qualified`: the option's slot among the pack's, and the metavariable
/// the matched entry's text goes to.
#[derive(Debug)]
struct QualifiedOption {
    slot: usize,
    text: Option<String>,
}

impl Atom for QualifiedOption {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let Some(names) = cx.options.get(self.slot) else {
            return false;
        };
        let (qualified, spelled) = match target.subject {
            Subject::Node(node) => {
                let named = match node {
                    AnyNodeRef::ExprCall(call) => AnyNodeRef::from(&*call.func),
                    node => node,
                };
                (cx.semantic.qualified_name(named), spelled_name(named))
            }
            Subject::Ident(identifier) => (None, Some(identifier.id.to_string())),
            Subject::List(_) | Subject::Text => return false,
        };
        let found = names.find(qualified.iter().chain(&spelled).map(String::as_str));
        let Some(text) = found else {
            return false;
        };
        if let Some(metavar) = &self.text {
            env.set(metavar, Capture::Text(text.clone()));
        }
        true
    }

    fn binds(&self) -> Vec<MetavarUse> {
        self.text
            .iter()
            .map(|name| MetavarUse {
                name: name.clone(),
                variadic: false,
            })
            .collect()
    }

    /// What a file and a node hold where it holds depends on the option's value: the rule set
    /// works it out ([`super::option::NameSet::needs`]).
    fn option(&self) -> Option<usize> {
        Some(self.slot)
    }
}

/// The dotted name a chain of attributes of a name spells (`self.client.get`).
fn spelled_name(node: AnyNodeRef<'_>) -> Option<String> {
    let mut parts = Vec::new();
    let mut current = node;
    loop {
        match current {
            AnyNodeRef::ExprAttribute(attribute) => {
                parts.push(attribute.attr.as_str());
                current = AnyNodeRef::from(&*attribute.value);
            }
            AnyNodeRef::ExprName(name) => {
                parts.push(name.id.as_str());
                break;
            }
            _ => return None,
        }
    }
    parts.reverse();
    Some(parts.join("."))
}

/// The options the `qualified` conditions of a table (and of the tables it holds) read, each
/// with the metavariable its `text` binds.
pub fn options_in(value: &Value, found: &mut Vec<(String, Option<String>)>) {
    match &value.kind {
        Kind::Array(items) => {
            for item in items {
                options_in(item, found);
            }
        }
        Kind::Table(entries) => {
            for (key, item) in entries {
                let read = (key == "qualified").then(|| item.as_table()).flatten();
                let option = read.and_then(|entries| {
                    let get = |name: &str| {
                        entries
                            .iter()
                            .find(|(key, _)| key == name)
                            .and_then(|(_, v)| v.as_str())
                    };
                    Some((get("option")?.to_owned(), get("text").map(str::to_owned)))
                });
                match option {
                    Some(option) => found.push(option),
                    None => options_in(item, found),
                }
            }
        }
        _ => {}
    }
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
    regex: LazyRegex,
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
fn prefix_needs(regex: &LazyRegex) -> Needs {
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
