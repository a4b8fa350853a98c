//! What every match of a pattern spells inside its own source range: its [`Anchor`].
//!
//! A walk may pass by a subtree whose source holds no anchor of the patterns it tries: nothing in
//! it can match. The analysis follows the matcher. A literal identifier of the pattern only
//! matches an equal identifier of the target, which Ruff's parser keeps as written. A dotted name
//! rooted in a declared module only matches a node that resolves through an import, and such a
//! node holds a use of a name imported from that module (its root). A metavariable standing for
//! a name or an identifier, whose constraint's regex allows only some whole words, matches only
//! where one of those words is written. A statement or expression that Python spells with a
//! keyword (`with`, `for`, `await`, …) holds that keyword token: the last resort, since keywords
//! are common. Other metavariables, `$$$` list elements and the parts compared as exact text
//! (f-strings, `match` patterns) give no anchor.

use ruff_python_ast::{AnyNodeRef, Arguments, Expr, Identifier, NodeKind, token::TokenKind};
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
    /// A use of a name an `async def` or an import (of any module) binds somewhere in the file.
    AsyncDefOrImport,
    /// This keyword token.
    Keyword(TokenKind),
}

/// What every match of a pattern spells, as [`anchors`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spelled {
    /// Alternatives, one of which every match holds: its longest literal identifier (the likeliest
    /// to be rare); else the words a metavariable standing for a name or identifier is limited
    /// to; else an import use. Empty when every part of it is an unconstrained metavariable, a
    /// keyword, or compared as text.
    pub alternatives: Vec<Anchor>,
    /// The keyword of the first node it compares structurally that Python spells with one (its
    /// root's, when that has one): the last resort, since keywords are common.
    pub keyword: Option<Anchor>,
}

/// What every match of `pattern` (in packs declaring `modules`) spells; `words_of` says which
/// words a metavariable is limited to (its constraint's regex).
pub fn anchors(
    pattern: &Pattern,
    modules: &FxHashSet<String>,
    words_of: impl Fn(&str) -> Option<Vec<String>>,
) -> Spelled {
    let mut found = Found {
        modules,
        words: Vec::new(),
        named: Vec::new(),
        import: false,
        keyword: None,
    };
    match pattern.form {
        Form::Expr | Form::Stmt => found.node(pattern.root()),
        Form::Stmts => {
            for statement in pattern.statements() {
                found.element(statement.into());
            }
        }
    }
    let constrained = || {
        found.named.iter().find_map(|metavar| {
            words_of(metavar).filter(|words| words.iter().all(|word| is_name_token(word)))
        })
    };
    let alternatives = if let Some(word) = found.words.iter().max_by_key(|word| word.len()) {
        vec![Anchor::Word((*word).to_owned())]
    } else if let Some(words) = constrained() {
        words.into_iter().map(Anchor::Word).collect()
    } else if found.import {
        vec![Anchor::Import]
    } else {
        Vec::new()
    };
    Spelled {
        alternatives,
        keyword: found.keyword.map(Anchor::Keyword),
    }
}

/// The keyword `node` is spelled with, within its range (a decorated `def` starts at its
/// decorators but holds `def`): `async` for an `async def`, `async with` and `async for`, else
/// the one every node of its kind holds.
fn keyword_of(node: AnyNodeRef<'_>) -> Option<TokenKind> {
    let is_async = match node {
        AnyNodeRef::StmtFunctionDef(def) => def.is_async,
        AnyNodeRef::StmtWith(with) => with.is_async,
        AnyNodeRef::StmtFor(for_) => for_.is_async,
        _ => false,
    };
    if is_async {
        return Some(TokenKind::Async);
    }
    kind_keyword(node.kind())
}

/// The keyword every node of `kind` is spelled with, within its range.
pub fn kind_keyword(kind: NodeKind) -> Option<TokenKind> {
    Some(match kind {
        NodeKind::StmtWith => TokenKind::With,
        NodeKind::StmtFor => TokenKind::For,
        NodeKind::StmtWhile => TokenKind::While,
        NodeKind::StmtIf => TokenKind::If,
        NodeKind::StmtTry => TokenKind::Try,
        NodeKind::StmtFunctionDef => TokenKind::Def,
        NodeKind::StmtClassDef => TokenKind::Class,
        NodeKind::StmtReturn => TokenKind::Return,
        NodeKind::StmtRaise => TokenKind::Raise,
        NodeKind::StmtAssert => TokenKind::Assert,
        NodeKind::StmtDelete => TokenKind::Del,
        NodeKind::StmtGlobal => TokenKind::Global,
        NodeKind::StmtNonlocal => TokenKind::Nonlocal,
        NodeKind::StmtImport => TokenKind::Import,
        NodeKind::StmtImportFrom => TokenKind::From,
        NodeKind::StmtPass => TokenKind::Pass,
        NodeKind::StmtBreak => TokenKind::Break,
        NodeKind::StmtContinue => TokenKind::Continue,
        NodeKind::ExceptHandlerExceptHandler => TokenKind::Except,
        NodeKind::ExprAwait => TokenKind::Await,
        NodeKind::ExprLambda => TokenKind::Lambda,
        NodeKind::ExprYield | NodeKind::ExprYieldFrom => TokenKind::Yield,
        _ => return None,
    })
}

/// The keywords nodes of `kinds` are written with, each once; `None` when one of the kinds is
/// written with none.
pub fn kinds_keywords(kinds: &[NodeKind]) -> Option<Vec<TokenKind>> {
    let mut keywords = Vec::new();
    for &kind in kinds {
        let keyword = kind_keyword(kind)?;
        if !keywords.contains(&keyword) {
            keywords.push(keyword);
        }
    }
    Some(keywords)
}

/// The text of a keyword [`keyword_of`] gives that many files do not spell, so a file's text
/// telling whether it does is worth a scan: `async`, `yield`, `lambda`, `global`, `nonlocal`,
/// `del`, and the `try` and `except` of exception handling. The others (`await`, `with`, `for`,
/// `return`, …) stand in nearly every file.
pub fn rare_keyword(kind: TokenKind) -> Option<&'static str> {
    Some(match kind {
        TokenKind::Async => "async",
        TokenKind::Yield => "yield",
        TokenKind::Lambda => "lambda",
        TokenKind::Global => "global",
        TokenKind::Nonlocal => "nonlocal",
        TokenKind::Del => "del",
        TokenKind::Try => "try",
        TokenKind::Except => "except",
        _ => return None,
    })
}

/// Whether Python reads `word`, written alone, as this very name: an identifier, not a keyword,
/// already normalised. Ruff's parser answers, so its token for `word` is a name token (soft
/// keywords standing as names are recorded as names).
fn is_name_token(word: &str) -> bool {
    ruff_python_parser::parse_expression(word)
        .is_ok_and(|parsed| matches!(parsed.expr(), Expr::Name(name) if name.id.as_str() == word))
}

/// What the walk over a pattern found so far.
struct Found<'p, 'm> {
    modules: &'m FxHashSet<String>,
    words: Vec<&'p str>,
    /// Metavariables standing for a name or an identifier (never for a `$$$` run).
    named: Vec<&'p str>,
    import: bool,
    keyword: Option<TokenKind>,
}

impl<'p> Found<'p, '_> {
    fn word(&mut self, identifier: &'p str) {
        match metavar::parse_placeholder(identifier) {
            None => self.words.push(identifier),
            Some(metavar) if !metavar.variadic => self.named.push(metavar.name),
            Some(_) => {}
        }
    }

    /// A list element: a `$$$` metavariable stands for any run of elements.
    fn element(&mut self, node: AnyNodeRef<'p>) {
        if variadic_element(node).is_none() {
            self.node(node);
        }
    }

    fn node(&mut self, node: AnyNodeRef<'p>) {
        if let AnyNodeRef::StmtExpr(statement) = node
            && single_metavar(&statement.value).is_some()
        {
            return;
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
        if self.keyword.is_none() {
            self.keyword = keyword_of(node);
        }
        for leaf in &leaves {
            match leaf {
                Leaf::Ident(identifier) | Leaf::OptIdent(Some(identifier)) => {
                    self.word(identifier.as_str())
                }
                // The module of `from m import`: each part of it is written as a name.
                Leaf::Text(Some(module)) => self.words.extend(module.split('.').filter(|part| {
                    is_name_token(part) && metavar::parse_placeholder(part).is_none()
                })),
                _ => {}
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

    /// The anchors of `text`, where `$NAME` may only be `event_loop` or `loop`, `$K` only `None`;
    /// else its keyword.
    fn anchors_of(text: &str) -> Vec<Anchor> {
        let modules: FxHashSet<String> = ["pkg".to_owned()].into_iter().collect();
        let pattern = Pattern::parse(text).expect("valid pattern");
        let spelled = anchors(&pattern, &modules, |metavar| match metavar {
            "NAME" => Some(vec!["event_loop".to_owned(), "loop".to_owned()]),
            "K" => Some(vec!["None".to_owned()]),
            _ => None,
        });
        if spelled.alternatives.is_empty() {
            spelled.keyword.into_iter().collect()
        } else {
            spelled.alternatives
        }
    }

    fn anchor_of(text: &str) -> Option<Anchor> {
        let mut alternatives = anchors_of(text);
        assert!(alternatives.len() <= 1, "{text}: {alternatives:?}");
        alternatives.pop()
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
        assert_eq!(anchor_of("$A = $B"), None);
        // A keyword is not written as a name token, so its constraint gives no anchor.
        assert_eq!(anchor_of("[$K]"), None);
        // Nor does a `$$$` run, whatever its constraint.
        assert_eq!(anchor_of("$F($$$NAME)"), None);
    }

    #[test]
    fn a_name_token_is_what_the_parser_reads_as_that_very_name() {
        for word in ["loop", "_", "match", "type", "caf\u{e9}"] {
            assert!(is_name_token(word), "{word}");
        }
        // Keywords, non-identifiers, and a spelling Python normalises to another name.
        for word in [
            "None",
            "await",
            "lambda",
            "a.b",
            "1a",
            "",
            " a",
            "\u{ff53}leep",
        ] {
            assert!(!is_name_token(word), "{word}");
        }
    }

    #[test]
    fn a_keyword_anchors_what_spells_nothing_else() {
        let keyword = |kind| Some(Anchor::Keyword(kind));
        assert_eq!(anchor_of("with $L:\n    $$$B"), keyword(TokenKind::With));
        assert_eq!(
            anchor_of("def $F($$$P, $X, $$$Q): $$$B"),
            keyword(TokenKind::Def)
        );
        assert_eq!(anchor_of("await $X"), keyword(TokenKind::Await));
        assert_eq!(
            anchor_of("$$$A\nfor $X in $Y:\n    $$$B"),
            keyword(TokenKind::For)
        );
        // Below the root, and in a statement of a sequence.
        assert_eq!(anchor_of("$X = await $Y"), keyword(TokenKind::Await));
        assert_eq!(anchor_of("$A = $B\nawait $X"), keyword(TokenKind::Await));
        // A word, or an import use, is preferred: keywords are common.
        assert_eq!(anchor_of("with $X.lock:\n    $$$B"), word("lock"));
        assert_eq!(anchor_of("await pkg.sleep($D)"), Some(Anchor::Import));
    }

    #[test]
    fn the_module_of_a_from_import_anchors_by_its_parts() {
        assert_eq!(anchor_of("from trip import $$$NAMES"), word("trip"));
        assert_eq!(anchor_of("from trip.abc import $$$NAMES"), word("trip"));
        // A relative import's module is a keyword's last resort.
        assert_eq!(
            anchor_of("from . import $$$NAMES"),
            Some(Anchor::Keyword(TokenKind::From))
        );
    }

    #[test]
    fn a_constraint_limiting_a_name_to_some_words_anchors_by_them() {
        let words = vec![
            Anchor::Word("event_loop".to_owned()),
            Anchor::Word("loop".to_owned()),
        ];
        assert_eq!(anchors_of("def $F($$$P, $NAME, $$$Q): $$$B"), words);
        assert_eq!(anchors_of("@$$$D\nasync def $NAME($$$P):\n    $$$B"), words);
        assert_eq!(anchors_of("with $NAME:\n    $$$B"), words);
        assert_eq!(
            anchors_of("$X.run($NAME=$V)"),
            vec![Anchor::Word("run".to_owned())]
        );
        assert_eq!(anchors_of("f($K=$V)"), vec![Anchor::Word("f".to_owned())]);
        // An import use is the last resort.
        assert_eq!(anchors_of("pkg.sleep($NAME)"), words);
    }
}
