//! Rendering a finding's fix: the rule's template filled with what the match bound, its `each`
//! elements and fresh names, at the indentation and line ending of the file, with the imports the
//! template's qualified names need; a fix that would delete a comment becomes unsafe.

use ruff_python_ast::{
    AnyNodeRef, ModModule,
    token::{Token, TokenKind},
};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::analysis::semantic::{BindingKind, Resolution, Semantic, in_module};
use crate::analysis::tokens::TokenFacts;
use crate::base::diagnostic::{Applicability, Edit, Fix};
use crate::base::source::Layout;
use crate::fix::imports::{Imports, remove_alias};
use crate::fix::sections::Classifier;
use crate::pack::{Each, Pack, Placement, Rule};
use crate::pattern::matcher::{Capture, Env};
use crate::pattern::template::{Expansion, Expansions, Site};
use crate::ruleset::RuleRef;

/// What rendering fixes in one file needs: the file, and what it works out once per file.
pub struct Renderer<'t> {
    pub source: &'t str,
    pub layout: &'t Layout,
    pub tokens: &'t TokenFacts<'t>,
    pub parsed: &'t Parsed<ModModule>,
    /// Lazily built per pack: how that pack's templates reach qualified names.
    pub imports: Vec<(u32, Imports<'t>)>,
    /// The fresh names worked out so far, by base.
    pub fresh_names: Vec<(String, String)>,
    pub semantic: &'t Semantic,
    pub disabled: &'t [RuleRef],
    /// What tells the sections of the file's imports apart, for placing new ones.
    pub classifier: Classifier<'t>,
}

/// What a match bound: its metavariables, and those of each element of its `each` captures.
pub struct Bindings<'r, 't> {
    pub env: Env<'r, 't>,
    pub elements: Vec<(&'r Each, Vec<Env<'r, 't>>)>,
}

impl<'t> Renderer<'t> {
    fn imports(&mut self, pack_index: u32, pack: &Pack) -> &Imports<'t> {
        if let Some(position) = self.imports.iter().position(|(p, _)| *p == pack_index) {
            return &self.imports[position].1;
        }
        let imports = Imports::new(
            self.source,
            self.parsed.syntax(),
            self.semantic,
            &pack.drop_unused_imports,
            self.classifier,
            self.layout.newline,
        );
        self.imports.push((pack_index, imports));
        &self.imports.last().expect("just pushed").1
    }

    /// The fix of a finding of `rule` at `range` (`node`, when the finding is one node) with
    /// `bindings`; `None` when the template cannot be placed or a name it writes is taken.
    pub fn render(
        &mut self,
        (rule_ref, pack, rule): (RuleRef, &Pack, &Rule),
        mut applicability: Applicability,
        range: TextRange,
        node: Option<AnyNodeRef<'t>>,
        bindings: &Bindings<'_, 't>,
    ) -> Option<Fix> {
        let env = &bindings.env;
        let elements = &bindings.elements;
        let template = rule.fix.as_ref()?;
        // A name there may read an import on one branch and something else on another: which one
        // the rewritten code means cannot be known, so nothing is rewritten.
        if self.semantic.is_ambiguous(range) {
            return None;
        }
        let source = self.source;
        let is_statement = node.is_none_or(|n| n.is_statement());
        let indent = {
            let line = &source[self.tokens.line_start(range.start()).to_usize()..];
            &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
        };
        let starts_line = source[..range.start().to_usize()].ends_with(indent)
            && source[..range.start().to_usize() - indent.len()]
                .chars()
                .next_back()
                .is_none_or(|c| c == '\n' || c == '\r');
        let inserts = rule.fix_placement != Placement::Replace;
        if is_statement && (template.is_multiline() || inserts) && !starts_line {
            // `if x: stmt` or `a; stmt`: a block cannot be placed there.
            return None;
        }
        if inserts && statement_after_semicolon(self.parsed.tokens(), range.end()).is_some() {
            // `stmt; other`: nothing can go between the two on its own line.
            return None;
        }
        let layout = self.layout;
        let strings = self.tokens.multiline_strings();
        let site = Site {
            source,
            tokens: self.parsed.tokens(),
            indent,
            unit: &layout.indent_unit,
            newline: layout.newline,
            strings,
            replaced: range,
        };
        let mut expansions: Expansions = rule
            .fresh
            .iter()
            .map(|(name, base)| (name.clone(), Expansion::Text(self.fresh_name(base))))
            .collect();
        let mut imported: Vec<String> = Vec::new();
        let imports = self.imports(rule_ref.pack, pack);
        let mut spell = |qualified: &str| {
            let (spelling, module) = imports.spell(qualified, range.start(), &pack.modules)?;
            if let Some(module) = module
                && !imported.contains(&module)
            {
                imported.push(module);
            }
            Some(spelling)
        };
        let mut bare_names: Vec<&str> = template.bare_names.iter().map(String::as_str).collect();
        for (each, envs) in elements {
            // Each element is written at the indentation of the line it goes on.
            let each_indent = template
                .indent_of(&each.metavar, &site)
                .unwrap_or_else(|| indent.to_owned());
            let each_site = Site {
                indent: &each_indent,
                ..site
            };
            let rendered: Option<Vec<String>> = envs
                .iter()
                .map(|element_env| {
                    each.fix
                        .render(element_env, &expansions, &each_site, &mut spell)
                })
                .collect();
            bare_names.extend(each.fix.bare_names.iter().map(String::as_str));
            expansions.push((each.metavar.clone(), Expansion::Each(rendered?)));
        }
        let mut content = template.render(env, &expansions, &site, &mut spell)?;
        let mut import_edits = imports.edits(&imported);
        if let Some((metavar, defaults)) = &rule.default_keywords {
            content = add_default_keywords(content, defaults, env.get(metavar))?;
        }
        for name in bare_names {
            if let Some(edit) = self.unshadow(name, range, pack)? {
                import_edits.push(edit);
            }
        }
        let mut title = rule.fix_title.clone().unwrap_or_else(|| {
            let shown: String = content.lines().next().unwrap_or_default().trim().to_owned();
            let more = if content.trim().contains('\n') {
                " …"
            } else {
                ""
            };
            match rule.fix_placement {
                Placement::Replace => format!("Replace with `{shown}{more}`"),
                Placement::Before => format!("Insert `{shown}{more}` before"),
                Placement::After => format!("Insert `{shown}{more}` after"),
            }
        });
        match rule.fix_placement {
            Placement::Replace => {}
            Placement::Before => {
                let mut inserted = content;
                inserted.push_str(layout.newline);
                inserted.push_str(indent);
                let mut edits = vec![Edit::insert(range.start(), inserted)];
                edits.extend(import_edits);
                edits.sort_by(|a, b| a.key().cmp(&b.key()));
                return Some(Fix {
                    applicability,
                    edits,
                    title,
                });
            }
            Placement::After => {
                // After the statement's line, trailing comment included.
                let rest = &source[range.end().to_usize()..];
                let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
                let tail = rest[..line_end].trim();
                if !(tail.is_empty() || tail.starts_with('#')) {
                    return None;
                }
                let at = range.end() + ruff_text_size::TextSize::try_from(line_end).ok()?;
                let mut inserted = String::from(layout.newline);
                inserted.push_str(indent);
                inserted.push_str(&content);
                let mut edits = vec![Edit::insert(at, inserted)];
                edits.extend(import_edits);
                edits.sort_by(|a, b| a.key().cmp(&b.key()));
                return Some(Fix {
                    applicability,
                    edits,
                    title,
                });
            }
        }
        // A fix never silently deletes a comment: if one would go, the fix needs --unsafe-fixes.
        let comments = self.tokens.comments();
        let first = comments.partition_point(|comment| comment.end() <= range.start());
        let lost_comment = comments[first..]
            .iter()
            .take_while(|comment| comment.start() < range.end())
            .any(|&comment| !content.contains(&source[comment]));
        if lost_comment {
            applicability = Applicability::Unsafe;
            title.push_str(" (removes a comment)");
        }
        let mut replaced = range;
        if is_statement && content.trim_end().contains('\n') {
            // `new block; other()`: the statement leaves the line, and `other()` starts the next
            // one at the same indentation, outside the block the fix opened.
            if let Some(next) = statement_after_semicolon(self.parsed.tokens(), range.end()) {
                replaced = TextRange::new(range.start(), next);
                content.push_str(layout.newline);
                content.push_str(indent);
            }
        }
        let mut edits = vec![Edit::replace(replaced, content)];
        edits.extend(import_edits);
        edits.sort_by(|a, b| a.key().cmp(&b.key()));
        Some(Fix {
            applicability,
            edits,
            title,
        })
    }
}

/// Where the statement after `end` starts when only `;` separates the two on one line.
fn statement_after_semicolon(tokens: &[Token], end: TextSize) -> Option<TextSize> {
    let next = tokens.partition_point(|token| token.end() <= end);
    let [semicolon, following, ..] = tokens.get(next..)? else {
        return None;
    };
    let starts_statement = !matches!(
        following.kind(),
        TokenKind::Newline
            | TokenKind::NonLogicalNewline
            | TokenKind::Comment
            | TokenKind::EndOfFile
    );
    (semicolon.kind() == TokenKind::Semi && starts_statement).then(|| following.start())
}

impl Renderer<'_> {
    /// A plain name a template writes must mean the builtin at the site. `Some(None)`: it does;
    /// `Some(Some(edit))`: an import of a module the pack drops shadows it, and `edit` removes
    /// that import; `None`: something else binds it, so the fix is withheld.
    fn unshadow(&self, name: &str, range: TextRange, pack: &Pack) -> Option<Option<Edit>> {
        let scope = self.semantic.scope_at(range.start());
        match self.semantic.lookup(name, range.start(), scope) {
            Resolution::Unbound => Some(None),
            Resolution::Other => None,
            Resolution::Import(id, qualified) => {
                let dropped = pack
                    .drop_unused_imports
                    .iter()
                    .any(|m| in_module(qualified, m));
                if !dropped {
                    return None;
                }
                let BindingKind::Import {
                    statement, alias, ..
                } = &self.semantic.binding(id).kind
                else {
                    return None;
                };
                remove_alias(self.source, self.parsed.syntax(), *statement, *alias).map(Some)
            }
        }
    }

    /// [`fresh_name`] of the source, worked out once per base (each costs a search of the text).
    fn fresh_name(&mut self, base: &str) -> String {
        if let Some((_, name)) = self.fresh_names.iter().find(|(b, _)| b == base) {
            return name.clone();
        }
        let name = fresh_name(self.source, base);
        self.fresh_names.push((base.to_owned(), name.clone()));
        name
    }
}

/// `base`, or `base_1`, `base_2`, … : the first that the source does not already use as a word.
fn fresh_name(source: &str, base: &str) -> String {
    let used = |name: &str| {
        source.match_indices(name).any(|(at, _)| {
            let before = source[..at].chars().next_back();
            let after = source[at + name.len()..].chars().next();
            let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !is_word(before) && !is_word(after)
        })
    };
    if !used(base) {
        return base.to_owned();
    }
    (1..)
        .map(|n| format!("{base}_{n}"))
        .find(|name| !used(name))
        .unwrap_or_else(|| base.to_owned())
}

/// Add `name=value` for each default keyword the `$$$` capture `captured` does not pass, before
/// the closing parenthesis of the rendered call: one a line, after a comma, when that parenthesis
/// stands on a line of its own. `None` when it passes `**kwargs` (which keywords it sets is
/// unknown).
fn add_default_keywords(
    content: String,
    defaults: &[(String, String)],
    captured: Option<&Capture<'_>>,
) -> Option<String> {
    let keywords: Vec<&ruff_python_ast::Keyword> = match captured {
        Some(Capture::Seq(nodes)) => nodes
            .iter()
            .filter_map(|node| match node {
                AnyNodeRef::Keyword(keyword) => Some(*keyword),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    if keywords.iter().any(|k| k.arg.is_none()) {
        return None;
    }
    let missing: Vec<String> = defaults
        .iter()
        .filter(|(name, _)| {
            !keywords
                .iter()
                .any(|k| k.arg.as_ref().is_some_and(|arg| arg.as_str() == name))
        })
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    if missing.is_empty() {
        return Some(content);
    }
    let close = content.rfind(')')?;
    let before = content[..close].trim_end();
    let gap = &content[before.len()..close];
    if gap.contains('\n') && !before.ends_with('(') {
        // The closing parenthesis on a line of its own: each keyword on a line of its own, as
        // indented as the last argument, after a comma.
        let newline = if gap.contains("\r\n") { "\r\n" } else { "\n" };
        let last_line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        let indent =
            &last_line[..last_line.len() - last_line.trim_start_matches([' ', '\t']).len()];
        let comma = if before.ends_with(',') { "" } else { "," };
        let added: String = missing
            .iter()
            .map(|keyword| format!("{newline}{indent}{keyword},"))
            .collect();
        return Some(format!(
            "{before}{comma}{added}{}",
            &content[before.len()..]
        ));
    }
    let separator = if before.ends_with('(') {
        ""
    } else if before.ends_with(',') {
        " "
    } else {
        ", "
    };
    Some(format!(
        "{before}{separator}{}{}",
        missing.join(", "),
        &content[before.len()..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::parse::parse;

    #[test]
    fn a_fresh_name_is_one_the_source_does_not_use_as_a_word() {
        assert_eq!(fresh_name("x = 1\n", "tg"), "tg");
        assert_eq!(fresh_name("tg = 1\n", "tg"), "tg_1");
        assert_eq!(fresh_name("tg = tg_1 = 1\n", "tg"), "tg_2");
        // Part of a longer word is no use of the name.
        assert_eq!(fresh_name("tgx = xtg = 1\n", "tg"), "tg");
    }

    #[test]
    fn a_semicolon_then_a_statement_is_found_and_nothing_else() {
        let at = |source: &str, end: usize| {
            let parsed = parse(source);
            statement_after_semicolon(parsed.tokens(), TextSize::new(end as u32))
                .map(|at| at.to_usize())
        };
        assert_eq!(at("a(); b()\n", 3), Some(5));
        assert_eq!(at("a();\nb()\n", 3), None);
        assert_eq!(at("a(); # note\n", 3), None);
        assert_eq!(at("a()\nb()\n", 3), None);
    }

    /// The keywords of the call in `source`, as a `$$$` capture.
    fn with_keywords(source: &str, defaults: &[(&str, &str)], content: &str) -> Option<String> {
        let parsed = parse(source);
        let ruff_python_ast::Stmt::Expr(statement) = &parsed.syntax().body[0] else {
            panic!("an expression statement")
        };
        let ruff_python_ast::Expr::Call(call) = &*statement.value else {
            panic!("a call")
        };
        let capture = Capture::Seq(call.arguments.keywords.iter().map(Into::into).collect());
        let defaults: Vec<(String, String)> = defaults
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        add_default_keywords(content.to_owned(), &defaults, Some(&capture))
    }

    #[test]
    fn default_keywords_go_before_the_closing_parenthesis() {
        let defaults = [("stdin", "None"), ("stdout", "None")];
        assert_eq!(
            with_keywords("f()\n", &defaults, "g()").as_deref(),
            Some("g(stdin=None, stdout=None)")
        );
        assert_eq!(
            with_keywords("f(stdout=1)\n", &defaults, "g(x, stdout=1)").as_deref(),
            Some("g(x, stdout=1, stdin=None)")
        );
        assert_eq!(
            with_keywords("f()\n", &defaults, "g(\n    x,\n)").as_deref(),
            Some("g(\n    x,\n    stdin=None,\n    stdout=None,\n)")
        );
        assert_eq!(
            with_keywords("f()\n", &defaults, "g(\r\n    x,\r\n)").as_deref(),
            Some("g(\r\n    x,\r\n    stdin=None,\r\n    stdout=None,\r\n)")
        );
        assert_eq!(
            with_keywords("f()\n", &defaults, "g(\n    x\n)").as_deref(),
            Some("g(\n    x,\n    stdin=None,\n    stdout=None,\n)")
        );
        // Every default already passed: the text as it was.
        assert_eq!(
            with_keywords("f(stdin=1, stdout=2)\n", &defaults, "g(1)").as_deref(),
            Some("g(1)")
        );
        // `**kwargs` may pass any of them: no fix.
        assert_eq!(with_keywords("f(**kw)\n", &defaults, "g()"), None);
    }
}
