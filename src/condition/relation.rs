//! The relational conditions: where the node stands among others.
//!
//! - `inside`: an enclosing node satisfies the condition (the nearest first);
//! - `has`: a node inside it does (in source order; on a `$$$` capture, an element or a node
//!   inside one);
//! - `follows` / `precedes`: a statement before / after the node's statement does.
//!
//! Each takes a condition table, plus `within`: how far to look (and `inside`, `field`: the
//! enclosing node must hold the target in that field, by Ruff's name: `body`, `orelse`,
//! `finalbody`, `handlers`, `test`, `items`, `type`, `decorators`). For `inside`: `parent` (the
//! direct parent only), `statement` (up to the enclosing statement), `function` (up to the
//! enclosing function or lambda), `class`, or `module` (the default). For `has`: `children` (the
//! direct children only), `statement` (not into nested statements), `function` (not into
//! nested functions, lambdas and classes), `class` (not into nested classes), or `module` (the
//! default: everything). For `follows` / `precedes`: `sibling` (the statement right before /
//! after), `block` (any of the same block: the default), `function` (also those around the
//! enclosing statements, up to the function's body) or `module`.
//!
//! The nodes that only group a call's arguments or a function's parameters are passed through:
//! an argument's parent is the call, a parameter's the function.

use ruff_python_ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use ruff_python_ast::{AnyNodeRef, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashSet;

use super::needs::Needs;
use super::read::{CompileError, Compiler, Parse, Scope, list_error};
use super::value::Value;
use super::{Atom, Condition, Context, Subject, Target, attempt};
use crate::pattern::MetavarUse;
use crate::pattern::matcher::Env;

/// Which way a relation looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Inside,
    Has,
    Follows,
    Precedes,
}

impl Direction {
    fn key(self) -> &'static str {
        match self {
            Direction::Inside => "inside",
            Direction::Has => "has",
            Direction::Follows => "follows",
            Direction::Precedes => "precedes",
        }
    }

    /// The `within` values it takes, the default first.
    fn reaches(self) -> &'static [(&'static str, Reach)] {
        match self {
            Direction::Inside => &[
                ("module", Reach::Module),
                ("parent", Reach::One),
                ("statement", Reach::Statement),
                ("function", Reach::Function),
                ("class", Reach::Class),
            ],
            Direction::Has => &[
                ("module", Reach::Module),
                ("children", Reach::One),
                ("statement", Reach::Statement),
                ("function", Reach::Function),
                ("class", Reach::Class),
            ],
            Direction::Follows | Direction::Precedes => &[
                ("block", Reach::Block),
                ("sibling", Reach::One),
                ("function", Reach::Function),
                ("module", Reach::Module),
            ],
        }
    }
}

/// How far a relation looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// One step: the parent, the children, the next sibling.
    One,
    Statement,
    Block,
    Function,
    Class,
    Module,
}

#[derive(Debug)]
struct Relation {
    direction: Direction,
    reach: Reach,
    condition: Condition,
    /// For `inside`: the field of the enclosing node the target must lie in (`finalbody`).
    field: Option<&'static str>,
}

/// The fields `inside.field` may name.
const FIELDS: [&str; 8] = [
    "body",
    "orelse",
    "finalbody",
    "handlers",
    "test",
    "items",
    "type",
    "decorators",
];

/// The field of `parent` that holds `child`, by Ruff's name for it (an `elif`/`else` clause is
/// `orelse`; a `while` or `if` test, `test`; a `for` loop's iterable and target, `test`).
fn field_of(parent: AnyNodeRef<'_>, child: AnyNodeRef<'_>) -> Option<&'static str> {
    let holds = |body: &[Stmt]| body.iter().any(|s| AnyNodeRef::from(s).ptr_eq(child));
    let within = |range: ruff_text_size::TextRange| range.contains_range(child.range());
    Some(match parent {
        AnyNodeRef::StmtTry(node) => {
            if holds(&node.body) {
                "body"
            } else if holds(&node.orelse) {
                "orelse"
            } else if holds(&node.finalbody) {
                "finalbody"
            } else {
                "handlers"
            }
        }
        AnyNodeRef::StmtFor(node) => {
            if holds(&node.body) {
                "body"
            } else if holds(&node.orelse) {
                "orelse"
            } else {
                "test"
            }
        }
        AnyNodeRef::StmtWhile(node) => {
            if holds(&node.body) {
                "body"
            } else if holds(&node.orelse) {
                "orelse"
            } else {
                "test"
            }
        }
        AnyNodeRef::StmtIf(node) => {
            if holds(&node.body) {
                "body"
            } else if within(node.test.range()) {
                "test"
            } else {
                "orelse"
            }
        }
        AnyNodeRef::StmtWith(node) => {
            if holds(&node.body) {
                "body"
            } else {
                "items"
            }
        }
        AnyNodeRef::ExceptHandlerExceptHandler(node) => {
            if holds(&node.body) {
                "body"
            } else {
                "type"
            }
        }
        AnyNodeRef::StmtFunctionDef(node) => {
            if holds(&node.body) {
                "body"
            } else if node.decorator_list.iter().any(|d| within(d.range())) {
                "decorators"
            } else {
                return None;
            }
        }
        AnyNodeRef::StmtClassDef(node) => {
            if holds(&node.body) {
                "body"
            } else if node.decorator_list.iter().any(|d| within(d.range())) {
                "decorators"
            } else {
                return None;
            }
        }
        AnyNodeRef::MatchCase(node) if holds(&node.body) => "body",
        _ => return None,
    })
}

fn parse(
    direction: Direction,
    item: &Value,
    cx: &Compiler<'_>,
    scope: Scope,
) -> Result<Box<dyn Atom>, CompileError> {
    let key = direction.key();
    if scope == Scope::List && direction != Direction::Has {
        return Err(list_error(item, key));
    }
    let Some(entries) = item.as_table() else {
        return Err(CompileError::at(
            item,
            format!("`{key}` takes a condition table, found {}", item.describe()),
        )
        .note(format!("write `{key} = {{ pattern = \"…\" }}`")));
    };
    let reaches = direction.reaches();
    let mut reach = reaches[0].1;
    let mut field = None;
    for (name, value) in entries {
        if name == "field" {
            let known = value
                .as_str()
                .and_then(|text| FIELDS.iter().find(|f| **f == text));
            match known {
                Some(known) if direction == Direction::Inside => field = Some(*known),
                Some(_) => {
                    return Err(CompileError::at(
                        value,
                        format!("`{key}.field`: only `inside` takes a field"),
                    ));
                }
                None => {
                    return Err(CompileError::at(
                        value,
                        format!("`{key}.field` is one of {}", FIELDS.join(", ")),
                    ));
                }
            }
            continue;
        }
        if name != "within" {
            continue;
        }
        let found = value
            .as_str()
            .and_then(|text| reaches.iter().find(|(known, _)| *known == text));
        let Some((_, found)) = found else {
            let known: Vec<&str> = reaches.iter().map(|(known, _)| *known).collect();
            return Err(CompileError::at(
                value,
                format!("`{key}.within` is one of {}", known.join(", ")),
            ));
        };
        reach = *found;
    }
    let condition = cx.table(item, Scope::Node, &["within", "field"])?;
    if matches!(direction, Direction::Follows | Direction::Precedes)
        && tests_expressions(&condition)
    {
        return Err(CompileError::at(
            item,
            format!("`{key}` tests statements, and this pattern is an expression: it matches none"),
        )
        .note(format!(
            "look inside the statement: `{key}.has.pattern = …`, or `{key} = {{ kind = \"Expr\", \
             has = {{ pattern = …, within = \"children\" }} }}` for an expression statement"
        )));
    }
    Ok(Box::new(Relation {
        direction,
        reach,
        condition,
        field,
    }))
}

/// Whether a condition's patterns, at its top, are all expressions (no statement matches one).
fn tests_expressions(condition: &Condition) -> bool {
    let conjuncts: &[Condition] = match condition {
        Condition::All(conditions) => conditions,
        other => std::slice::from_ref(other),
    };
    conjuncts.iter().any(|c| {
        matches!(c, Condition::Pattern(patterns)
            if patterns.iter().all(|p| p.form == crate::pattern::Form::Expr))
    })
}

/// The relations by their keys, for the table of condition kinds.
pub(super) const KINDS: [(&str, Parse); 4] = [
    ("inside", |item, cx, scope| {
        parse(Direction::Inside, item, cx, scope)
    }),
    ("has", |item, cx, scope| {
        parse(Direction::Has, item, cx, scope)
    }),
    ("follows", |item, cx, scope| {
        parse(Direction::Follows, item, cx, scope)
    }),
    ("precedes", |item, cx, scope| {
        parse(Direction::Precedes, item, cx, scope)
    }),
];

/// Whether `node` only groups others (a call's arguments, a function's parameters), and so is
/// passed through: no kind names it.
fn is_grouping(node: AnyNodeRef<'_>) -> bool {
    matches!(node, AnyNodeRef::Arguments(_) | AnyNodeRef::Parameters(_))
}

/// Whether `node` opens a scope of its own: what `function` does not look into.
fn is_function(node: AnyNodeRef<'_>) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_)
    )
}

impl Relation {
    /// Try the condition on `node` (enclosed by `ancestors`), keeping its bindings when it holds.
    fn try_at<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        node: AnyNodeRef<'t>,
        ancestors: &[AnyNodeRef<'t>],
        env: &mut Env<'r, 't>,
    ) -> bool {
        attempt(env, |tried| {
            self.condition
                .holds(cx, &Target::at(node, ancestors), tried)
        })
    }

    fn inside<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let ancestors = target.ancestors();
        for index in (0..ancestors.len()).rev() {
            let ancestor = ancestors[index];
            if is_grouping(ancestor) {
                continue;
            }
            let in_field = self.field.is_none_or(|field| {
                let child = match ancestors.get(index + 1) {
                    Some(child) => Some(*child),
                    None => target.node(),
                };
                child.and_then(|child| field_of(ancestor, child)) == Some(field)
            });
            if in_field && self.try_at(cx, ancestor, &ancestors[..index], env) {
                return true;
            }
            let last = match self.reach {
                Reach::One => true,
                Reach::Statement => ancestor.is_statement(),
                Reach::Function => is_function(ancestor),
                Reach::Class => matches!(ancestor, AnyNodeRef::StmtClassDef(_)),
                Reach::Block | Reach::Module => false,
            };
            if last {
                break;
            }
        }
        false
    }

    fn has<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let ancestors = target.ancestors();
        let mut search = Descendants {
            relation: self,
            cx,
            env: env.clone(),
            path: ancestors.to_vec(),
            found: false,
            depth: 0,
        };
        match &target.subject {
            Subject::Node(node) => {
                search.path.push(*node);
                search.depth = 1;
                node.visit_source_order(&mut search);
            }
            Subject::List(elements) => {
                for element in elements {
                    if search.found {
                        break;
                    }
                    search.visit(*element);
                }
            }
            Subject::Ident(_) | Subject::Text => {}
        }
        if search.found {
            *env = search.env;
        }
        search.found
    }

    /// The statements before (`follows`) or after (`precedes`) the target's statement, nearest
    /// first, each with its enclosing nodes.
    fn siblings<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        let ancestors = target.ancestors();
        let mut statement = match target.node() {
            Some(node) if node.is_statement() => Some((node, ancestors.len())),
            _ => ancestors
                .iter()
                .rposition(|a| a.is_statement())
                .map(|index| (ancestors[index], index)),
        };
        while let Some((node, depth)) = statement {
            let parent = depth.checked_sub(1).map(|index| ancestors[index]);
            let suite = match parent {
                Some(parent) => suite_of(node, parent),
                None => Some(cx.module),
            };
            let Some(suite) = suite else {
                return false;
            };
            let position = suite.iter().position(|s| AnyNodeRef::from(s).ptr_eq(node));
            let Some(position) = position else {
                return false;
            };
            let enclosing = &ancestors[..depth];
            let others: Box<dyn Iterator<Item = &Stmt>> = match self.direction {
                Direction::Follows => Box::new(suite[..position].iter().rev()),
                _ => Box::new(suite[position + 1..].iter()),
            };
            for (step, other) in others.enumerate() {
                if self.reach == Reach::One && step > 0 {
                    return false;
                }
                if self.try_at(cx, other.into(), enclosing, env) {
                    return true;
                }
            }
            let go_on = match self.reach {
                Reach::One | Reach::Block => false,
                Reach::Function => parent.is_some_and(|p| !is_function(p)),
                _ => parent.is_some(),
            };
            if !go_on {
                return false;
            }
            statement = ancestors[..depth]
                .iter()
                .rposition(|a| a.is_statement())
                .map(|index| (ancestors[index], index));
        }
        false
    }
}

/// The block of `parent` that holds `statement`.
fn suite_of<'t>(statement: AnyNodeRef<'t>, parent: AnyNodeRef<'t>) -> Option<&'t [Stmt]> {
    let holds = |suite: &&'t [Stmt]| suite.iter().any(|s| AnyNodeRef::from(s).ptr_eq(statement));
    let suites: Vec<&'t [Stmt]> = match parent {
        AnyNodeRef::ModModule(module) => vec![&module.body],
        AnyNodeRef::StmtFunctionDef(function) => vec![&function.body],
        AnyNodeRef::StmtClassDef(class) => vec![&class.body],
        AnyNodeRef::StmtFor(for_) => vec![&for_.body, &for_.orelse],
        AnyNodeRef::StmtWhile(while_) => vec![&while_.body, &while_.orelse],
        AnyNodeRef::StmtIf(if_) => vec![&if_.body],
        AnyNodeRef::ElifElseClause(clause) => vec![&clause.body],
        AnyNodeRef::StmtWith(with) => vec![&with.body],
        AnyNodeRef::MatchCase(case) => vec![&case.body],
        AnyNodeRef::StmtTry(try_) => vec![&try_.body, &try_.orelse, &try_.finalbody],
        AnyNodeRef::ExceptHandlerExceptHandler(handler) => vec![&handler.body],
        _ => Vec::new(),
    };
    suites.into_iter().find(holds)
}

/// A depth-first search of a node's descendants for one where the relation's condition holds.
struct Descendants<'r, 't, 'c, 'x> {
    relation: &'r Relation,
    cx: &'x Context<'r, 't, 'c>,
    env: Env<'r, 't>,
    /// The enclosing nodes of the node being visited.
    path: Vec<AnyNodeRef<'t>>,
    found: bool,
    /// How deep below the target the walk is.
    depth: usize,
}

impl<'r, 't> Descendants<'r, 't, '_, '_> {
    /// Test `node` and, as far as the reach allows, what it holds.
    fn visit(&mut self, node: AnyNodeRef<'t>) {
        if self.found {
            return;
        }
        if is_grouping(node) {
            self.path.push(node);
            node.visit_source_order(self);
            self.path.pop();
            return;
        }
        if self
            .relation
            .try_at(self.cx, node, &self.path, &mut self.env)
        {
            self.found = true;
            return;
        }
        let deeper = match self.relation.reach {
            Reach::One => false,
            Reach::Statement => !node.is_statement() || self.depth == 0,
            Reach::Function => {
                !(is_function(node) || matches!(node, AnyNodeRef::StmtClassDef(_)))
                    || self.depth == 0
            }
            Reach::Class => !matches!(node, AnyNodeRef::StmtClassDef(_)) || self.depth == 0,
            Reach::Block | Reach::Module => true,
        };
        if deeper {
            self.path.push(node);
            self.depth += 1;
            node.visit_source_order(self);
            self.depth -= 1;
            self.path.pop();
        }
    }
}

impl<'t> SourceOrderVisitor<'t> for Descendants<'_, 't, '_, '_> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> TraversalSignal {
        self.visit(node);
        TraversalSignal::Skip
    }
}

impl Atom for Relation {
    fn holds<'r, 't>(
        &'r self,
        cx: &Context<'r, 't, '_>,
        target: &Target<'t, '_>,
        env: &mut Env<'r, 't>,
    ) -> bool {
        match self.direction {
            Direction::Inside => self.inside(cx, target, env),
            Direction::Has => self.has(cx, target, env),
            Direction::Follows | Direction::Precedes => self.siblings(cx, target, env),
        }
    }

    /// The file holds what the condition needs; a node inside the target spells what the
    /// condition's node spells.
    fn needs(&self, modules: &FxHashSet<String>) -> Needs {
        let inner = self.condition.needs(modules, &self.condition.binds());
        match self.direction {
            Direction::Has => Needs {
                needles: inner.needles,
                anchors: inner.anchors,
                ..Needs::nothing()
            },
            _ => Needs::file(inner.needles),
        }
    }

    fn binds(&self) -> Vec<MetavarUse> {
        self.condition.binds()
    }

    fn alone(&self) -> bool {
        self.condition.alone()
    }
}
