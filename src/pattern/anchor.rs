//! What every match of a pattern spells inside its own source range: its [`Anchor`].
//!
//! A walk may pass by a subtree whose source holds no anchor of the patterns it tries: nothing in
//! it can match. The analysis follows the matcher. A literal identifier of the pattern only
//! matches an equal identifier of the target, which Ruff's parser keeps as written. A dotted name
//! rooted in a declared module only matches a node that resolves through an import, and such a
//! node holds a use of a name imported from that module (its root). Metavariables, `$$$` list
//! elements and the parts compared as exact text (f-strings, `match` patterns) give no anchor.

use ruff_python_ast::{AnyNodeRef, Arguments, Identifier};
use rustc_hash::FxHashSet;

use super::matcher::{module_chain, variadic_element};
use super::metavar;
use super::shape::{self, Leaf, Shape, Slot};
use super::{Form, Pattern, single_metavar};

/// What the source of every match of a pattern holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// This identifier, as a whole word.
    Word(String),
    /// A use of a name an import of a declared module binds.
    Import,
}

/// The anchor of `pattern` in packs declaring `modules`: its longest literal identifier (the
/// likeliest to be rare), else an import use when it spells a dotted name of a declared module;
/// `None` when every part of it is a metavariable or compared as text.
pub fn anchor(pattern: &Pattern, modules: &FxHashSet<String>) -> Option<Anchor> {
    let mut found = Found {
        modules,
        words: Vec::new(),
        import: false,
    };
    match pattern.form {
        Form::Expr | Form::Stmt => found.node(pattern.root()),
        Form::Stmts => {
            for statement in pattern.statements() {
                found.element(statement.into());
            }
        }
    }
    let longest = found.words.iter().max_by_key(|word| word.len());
    match longest {
        Some(word) => Some(Anchor::Word((*word).to_owned())),
        None => found.import.then_some(Anchor::Import),
    }
}

/// What the walk over a pattern found so far.
struct Found<'p, 'm> {
    modules: &'m FxHashSet<String>,
    words: Vec<&'p str>,
    import: bool,
}

impl<'p> Found<'p, '_> {
    fn word(&mut self, identifier: &'p str) {
        if metavar::parse_placeholder(identifier).is_none() {
            self.words.push(identifier);
        }
    }

    /// A list element: a `$$$` metavariable stands for any run of elements.
    fn element(&mut self, node: AnyNodeRef<'p>) {
        if variadic_element(node).is_none() {
            self.node(node);
        }
    }

    fn node(&mut self, node: AnyNodeRef<'p>) {
        match node {
            AnyNodeRef::ExprName(name)
                if metavar::parse_placeholder(name.id.as_str()).is_some() =>
            {
                return;
            }
            AnyNodeRef::StmtExpr(statement) if single_metavar(&statement.value).is_some() => {
                return;
            }
            _ => {}
        }
        if module_chain(node, self.modules).is_some() {
            self.import = true;
            return;
        }
        if let AnyNodeRef::ExprName(name) = node {
            return self.word(name.id.as_str());
        }
        let Shape::Structural { leaves, slots } = shape::shape(node) else {
            return;
        };
        for leaf in &leaves {
            if let Leaf::Ident(identifier) | Leaf::OptIdent(Some(identifier)) = leaf {
                self.word(identifier.as_str());
            }
        }
        for slot in slots {
            match slot {
                Slot::One(child) | Slot::Opt(Some(child)) => self.node(child),
                Slot::Opt(None) | Slot::OptArgs(None) => {}
                Slot::List(list) => list.iter().for_each(|child| self.element(child)),
                Slot::Args(arguments) | Slot::OptArgs(Some(arguments)) => self.arguments(arguments),
                Slot::Dict(items) => {
                    for item in items {
                        if let Some(key) = &item.key {
                            self.node(key.into());
                        }
                        self.node((&item.value).into());
                    }
                }
            }
        }
    }

    fn arguments(&mut self, arguments: &'p Arguments) {
        for argument in &arguments.args {
            self.element(argument.into());
        }
        for keyword in &arguments.keywords {
            if let Some(name) = keyword.arg.as_ref().map(Identifier::as_str) {
                self.word(name);
            }
            self.element((&keyword.value).into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor_of(text: &str) -> Option<Anchor> {
        let modules: FxHashSet<String> = ["pkg".to_owned()].into_iter().collect();
        let pattern = Pattern::parse(text).expect("valid pattern");
        anchor(&pattern, &modules)
    }

    fn word(text: &str) -> Option<Anchor> {
        Some(Anchor::Word(text.to_owned()))
    }

    #[test]
    fn the_longest_literal_identifier_anchors_a_pattern() {
        assert_eq!(anchor_of("$X.run_later($$$A, delay=$D)"), word("run_later"));
        assert_eq!(anchor_of("$X.stop(timeout=$T)"), word("timeout"));
        assert_eq!(anchor_of("def handler($A): $$$B"), word("handler"));
    }

    #[test]
    fn a_dotted_name_of_a_declared_module_anchors_by_its_import() {
        assert_eq!(anchor_of("pkg.sleep($D)"), Some(Anchor::Import));
        assert_eq!(anchor_of("pkg.$NAME"), Some(Anchor::Import));
        assert_eq!(anchor_of("await pkg.gather($$$C)"), Some(Anchor::Import));
        // A literal identifier beside it is preferred.
        assert_eq!(anchor_of("pkg.wait($F, timeout=$T)"), word("timeout"));
    }

    #[test]
    fn metavariables_and_exact_text_give_no_anchor() {
        assert_eq!(anchor_of("$F($$$A)"), None);
        assert_eq!(anchor_of("$X.$M()"), None);
        assert_eq!(anchor_of("f\"{pkg.x}\""), None);
        assert_eq!(anchor_of("$A\n$$$B"), None);
        assert_eq!(anchor_of("def $F($$$P, $NAME, $$$Q): $$$B"), None);
    }
}
