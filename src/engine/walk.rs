//! The walk over one parsed file: each node meets the entries dispatch files under its kind and
//! name, subtrees that spell no anchor are passed by, statement sequences are tried at every
//! position of every block, and comments meet the comment rules. Where an entry matched, the
//! rule's conditions are tested and a finding is made.

use ruff_python_ast::{
    AnyNodeRef, Expr, ModModule, Stmt,
    token::TokenKind,
    visitor::source_order::{self, SourceOrderVisitor, TraversalSignal},
};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};
use unicode_normalization::UnicodeNormalization;

use super::findings;
use crate::analysis::assignments::{Assignments, async_or_imported_names};
use crate::analysis::flow::Flows;
use crate::analysis::project::InProject;
use crate::analysis::semantic::Semantic;
use crate::analysis::types::Types;
use crate::analysis::uses::{self, Unsupported};
use crate::base::diagnostic::{Diagnostic, Origin};
use crate::base::stack;
use crate::base::words::WordSet;
use crate::condition::{self, Context, Entry, Target, matches_at};
use crate::fix::render::{Bindings, Renderer};
use crate::pack::{Each, Pack, Rule};
use crate::pattern::Pattern;
use crate::pattern::matcher::{Capture, Env};
use crate::pattern::shape::NodeList;
use crate::ruleset::RuleSet;
use crate::ruleset::dispatch::{Anchors, Candidate, FileDispatch};

pub(super) struct Walker<'r, 't> {
    pub(super) rules: &'r RuleSet,
    pub(super) source: &'t str,
    /// The module's statements (for `bound-to`, which looks at module-level assignments).
    pub(super) body: &'t [Stmt],
    pub(super) semantic: &'t Semantic,
    /// The patterns the prefilter found may match in this file, by where: no other is tried.
    pub(super) dispatch: &'r FileDispatch<'r>,
    /// Where the file spells an anchor of a live pattern, sorted; `None` when some live pattern
    /// has none. A node whose range holds none of them holds no match: the walk passes it by.
    pub(super) anchors: Option<Vec<TextSize>>,
    /// The qualified name of the node being dispatched (a buffer kept between nodes).
    pub(super) resolved: String,
    /// What names are assigned, per scope (for `bound-to`), scanned once each.
    pub(super) assignments: Assignments<'t>,
    /// The types of values (for `type` and `unknown-attribute`), worked out once each.
    pub(super) types: Types,
    /// The control flow of functions (for `path`), built once each as conditions ask.
    pub(super) flows: Flows<'t>,
    pub(super) ancestors: Vec<AnyNodeRef<'t>>,
    /// The file's place in the run's project; `None` for a text checked alone.
    pub(super) project: Option<InProject<'r>>,
    /// Where the walk last made sure of its stack.
    pub(super) stack: stack::Checked,
    pub(super) found: Vec<Diagnostic>,
    pub(super) fixes: Renderer<'t>,
}

impl<'r, 't> Walker<'r, 't> {
    /// Whether a node with this range may hold a match: it holds an anchor.
    fn may_hold_match(&self, range: TextRange) -> bool {
        self.anchors.as_ref().is_none_or(|anchors| {
            let first = anchors.partition_point(|&offset| offset < range.start());
            anchors
                .get(first)
                .is_some_and(|&offset| offset < range.end())
        })
    }

    /// Walk one level deeper, on a new stack segment when little stack is left (see
    /// [`stack`](crate::base::stack)).
    fn deeper(&mut self, walk: impl FnOnce(&mut Self)) {
        let depth = self.ancestors.len();
        stack::deeper(self, depth, |walker| &mut walker.stack, walk);
    }

    /// The context conditions of `pack`'s rules are tested in.
    fn context(&self, pack: &'r Pack) -> Context<'r, 't, '_> {
        Context {
            source: self.source,
            semantic: self.semantic,
            module: self.body,
            assignments: &self.assignments,
            modules: &pack.modules,
            libraries: &pack.libraries,
            types: &self.types,
            flows: &self.flows,
            versions: self.rules.versions(),
            options: self.rules.options_of(pack),
            project: self.project,
        }
    }

    /// Match `pattern`, an entry of `rule`, at `node` (or, for a statements pattern, at
    /// `body[start..]`), testing each capture against the rule's conditions that read it alone
    /// as it is bound: a capture that fails makes the matcher try the pattern's next way of
    /// matching (another split of a `$$$` list) instead of losing the match.
    fn match_entry<T>(
        &self,
        pack: &'r Pack,
        rule: &'r Rule,
        pattern: &'r Pattern,
        node: AnyNodeRef<'t>,
        work: impl FnOnce(
            &condition::Context<'r, 't, '_>,
            &crate::pattern::matcher::Matcher<'r, 't, '_>,
        ) -> T,
    ) -> T {
        let cx = self.context(pack);
        let ancestors = &self.ancestors[..];
        let allowed = |name: &str, capture: &Capture<'t>| {
            rule.matching
                .alone_captures()
                .filter(|c| c.metavar == name)
                .all(|c| {
                    let target = Target::below(condition::subject_of(capture), node, ancestors);
                    c.condition.holds(&cx, &target, &mut Env::new())
                })
        };
        let matcher = cx.matcher(pattern, Some(&allowed));
        work(&cx, &matcher)
    }

    /// Write into `name` the qualified name `node` resolves to, or for a call the name its callee
    /// resolves to; false when it does not resolve.
    fn resolve_into(&self, node: AnyNodeRef<'t>, name: &mut String) -> bool {
        let named = match node {
            AnyNodeRef::ExprCall(call) => AnyNodeRef::from(&*call.func),
            node => node,
        };
        self.semantic.qualify_into(named, name)
    }

    /// Try at `node` the patterns it meets (the walk calls this only for a node that meets one).
    #[inline(never)]
    fn try_node(&mut self, node: AnyNodeRef<'t>) {
        let kind = node.kind();
        let keyed = self.dispatch.keyed(kind);
        let plain = self.dispatch.kind(kind);
        let any: &[Candidate] = if node.is_statement() {
            self.dispatch.any_stmt()
        } else if node.as_expr_ref().is_some() {
            self.dispatch.any_expr()
        } else {
            &[]
        };
        let mut resolved = std::mem::take(&mut self.resolved);
        let keyed = keyed.map_or([&[][..]; 5], |keyed| {
            let qualified = (keyed.wants_resolved_name() && self.resolve_into(node, &mut resolved))
                .then_some(resolved.as_str());
            let attribute = match node {
                AnyNodeRef::ExprCall(call) => call.func.as_attribute_expr(),
                node => node.as_expr_attribute().copied(),
            };
            let object = attribute
                .and_then(|a| a.value.as_name_expr())
                .map(|name| name.id.as_str());
            keyed.candidates(qualified, attribute.map(|a| a.attr.as_str()), object)
        });
        self.resolved = resolved;
        let rules = self.rules;
        let mut covered = None;
        for candidate in keyed.into_iter().flatten().chain(plain).chain(any) {
            let pack = rules.pack(candidate.rule);
            let rule = rules.rule(candidate.rule);
            // A fallback's finding here would be this node's, and `finish` would drop it.
            if rule.fallback && *covered.get_or_insert_with(|| self.found_covers(node.range())) {
                continue;
            }
            let mut env = Env::new();
            let matched = match &rule.matching.entries[candidate.pattern as usize] {
                Entry::Pattern(pattern) => {
                    self.match_entry(pack, rule, pattern, node, |_, matcher| {
                        matches_at(matcher, pattern, node, &mut env)
                    })
                }
                // Dispatch tries the entry only at nodes of its kinds.
                Entry::Kinds(_) => true,
            };
            if !matched {
                continue;
            }
            if let Some(bindings) = self.conditions_hold(pack, rule, node, env) {
                let blocked = self.blocking_use(pack, rule, node);
                let diagnostic = findings::finding(
                    self.rules,
                    &mut self.fixes,
                    candidate.rule,
                    node.range(),
                    Some(node),
                    &bindings,
                    blocked.as_ref(),
                );
                self.found.push(diagnostic);
            }
        }
    }

    /// The use of the value `node` gives that the class the rule's fix makes of it does not
    /// support (`fix.becomes`).
    fn blocking_use(
        &self,
        pack: &'r Pack,
        rule: &'r Rule,
        node: AnyNodeRef<'t>,
    ) -> Option<Unsupported> {
        let becomes = rule.becomes.as_ref()?;
        let expr = node.as_expr_ref()?;
        let cx = self.context(pack);
        // An expression pattern stands for the statement that is that expression alone.
        let rewritten = |statement: AnyNodeRef<'t>| {
            let node = match statement {
                AnyNodeRef::StmtExpr(alone) => AnyNodeRef::from(&*alone.value),
                other => other,
            };
            becomes.rewritten_uses.iter().any(|pattern| {
                matches_at(&cx.matcher(pattern, None), pattern, node, &mut Env::new())
            })
        };
        uses::unsupported_use(
            &pack.libraries,
            self.rules.versions(),
            self.body,
            expr,
            &self.ancestors,
            &becomes.class,
            &rewritten,
        )
    }

    /// Whether a finding of a rule other than a fallback, found so far, covers `range`. Only the
    /// last few findings are looked at: the walk visits a node after its ancestors, so a covering
    /// finding is nearly always among them. A miss costs only the work [`finish`] undoes.
    fn found_covers(&self, range: TextRange) -> bool {
        self.found.iter().rev().take(8).any(|found| {
            matches!(found.origin, Origin::Rule(rule) if !self.rules.rule(rule).fallback)
                && found.range.contains_range(range)
        })
    }

    fn try_block(&mut self, body: &'t [Stmt]) {
        let rules = self.rules;
        for candidate in self.dispatch.block() {
            let pack = rules.pack(candidate.rule);
            let rule = rules.rule(candidate.rule);
            let Entry::Pattern(pattern) = &rule.matching.entries[candidate.pattern as usize] else {
                continue;
            };
            for start in 0..body.len() {
                let Some((range, env)) = self.block_match(pack, rule, pattern, body, start) else {
                    continue;
                };
                let first = AnyNodeRef::from(&body[start]);
                if let Some(bindings) = self.conditions_hold(pack, rule, first, env) {
                    let diagnostic = findings::finding(
                        self.rules,
                        &mut self.fixes,
                        candidate.rule,
                        range,
                        None,
                        &bindings,
                        None,
                    );
                    self.found.push(diagnostic);
                }
            }
        }
    }

    /// Match a statements pattern of `rule` at `body[start..]`: the range of the statements it
    /// spans (at least one) and the bindings.
    fn block_match(
        &self,
        pack: &'r Pack,
        rule: &'r Rule,
        pattern: &'r Pattern,
        body: &'t [Stmt],
        start: usize,
    ) -> Option<(TextRange, Env<'r, 't>)> {
        let statements = NodeList::Stmts(pattern.statements());
        let mut env = Env::new();
        let first = AnyNodeRef::from(body.get(start)?);
        let end = self.match_entry(pack, rule, pattern, first, |_, matcher| {
            matcher.list(statements, 0, NodeList::Stmts(body), start, false, &mut env)
        })?;
        (end > start).then(|| {
            (
                TextRange::new(body[start].start(), body[end - 1].end()),
                env,
            )
        })
    }

    /// Report the comments that comment rules match.
    pub(super) fn match_comments(&mut self, parsed: &'t Parsed<ModModule>) {
        let rules = self.rules;
        if rules.comment_rules().is_empty() {
            return;
        }
        let module = AnyNodeRef::from(parsed.syntax());
        for token in parsed
            .tokens()
            .iter()
            .filter(|t| t.kind() == TokenKind::Comment)
        {
            let text = &self.source[token.range()];
            for &rule_ref in rules.comment_rules() {
                let rule = rules.rule(rule_ref);
                let matched = rule.comment.as_ref().is_some_and(|r| r.is_match(text));
                if !matched {
                    continue;
                }
                let cx = self.context(rules.pack(rule_ref));
                let file_holds =
                    rule.matching
                        .rest
                        .holds(&cx, &Target::at(module, &[]), &mut Env::new());
                if file_holds {
                    let bindings = Bindings {
                        env: Env::new(),
                        elements: Vec::new(),
                    };
                    let diagnostic = findings::finding(
                        self.rules,
                        &mut self.fixes,
                        rule_ref,
                        token.range(),
                        None,
                        &bindings,
                        None,
                    );
                    self.found.push(diagnostic);
                }
            }
        }
    }

    /// Whether the conditions of `rule`'s match hold where an entry matched `node` with `env`;
    /// the bindings, with those of every element of its `each` captures, when they do.
    fn conditions_hold(
        &self,
        pack: &'r Pack,
        rule: &'r Rule,
        node: AnyNodeRef<'t>,
        mut env: Env<'r, 't>,
    ) -> Option<Bindings<'r, 't>> {
        let cx = self.context(pack);
        let target = Target::at(node, &self.ancestors);
        if !rule.matching.rest.holds(&cx, &target, &mut env) {
            return None;
        }
        let elements = rule
            .each
            .iter()
            .map(|each| Some((each, self.each_element_env(&cx, each, node, &env)?)))
            .collect::<Option<_>>()?;
        Some(Bindings { env, elements })
    }

    /// The bindings of every element of an `each` capture matched against its `match`, or `None`
    /// when an element does not match.
    fn each_element_env(
        &self,
        cx: &Context<'r, 't, '_>,
        each: &'r Each,
        node: AnyNodeRef<'t>,
        env: &Env<'r, 't>,
    ) -> Option<Vec<Env<'r, 't>>> {
        let elements = match env.get(&each.metavar)? {
            Capture::Seq(nodes) => nodes.clone(),
            Capture::Node(node) => vec![*node],
            Capture::Ident(_) | Capture::Text(_) => return None,
        };
        let Entry::Pattern(pattern) = &each.matching.entries[0] else {
            return None;
        };
        elements
            .into_iter()
            .map(|element| {
                let mut element_env = env.clone();
                let target =
                    Target::below(condition::Subject::Node(element), node, &self.ancestors);
                (matches_at(
                    &cx.matcher(pattern, None),
                    pattern,
                    element,
                    &mut element_env,
                ) && each.matching.rest.holds(cx, &target, &mut element_env))
                .then_some(element_env)
            })
            .collect()
    }
}

impl<'t> SourceOrderVisitor<'t> for Walker<'_, 't> {
    fn enter_node(&mut self, node: AnyNodeRef<'t>) -> TraversalSignal {
        if !self.may_hold_match(node.range()) {
            self.ancestors.push(node);
            return TraversalSignal::Skip;
        }
        if self.dispatch.meets(node) {
            self.try_node(node);
        }
        self.ancestors.push(node);
        TraversalSignal::Traverse
    }

    fn leave_node(&mut self, _node: AnyNodeRef<'t>) {
        self.ancestors.pop();
    }

    fn visit_body(&mut self, body: &'t [Stmt]) {
        if !self.dispatch.block().is_empty() {
            self.try_block(body);
        }
        source_order::walk_body(self, body);
    }

    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        self.deeper(|walker| source_order::walk_stmt(walker, stmt));
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        self.deeper(|walker| source_order::walk_expr(walker, expr));
    }

    fn visit_pattern(&mut self, pattern: &'t ruff_python_ast::Pattern) {
        self.deeper(|walker| source_order::walk_pattern(walker, pattern));
    }
}

/// Where `source` spells one of `anchors`, sorted: the uses of imported names (when wanted), the
/// identifier tokens that are one of the words (or a name an `async def` or import of the file
/// binds, when wanted), and the keyword tokens.
pub(super) fn anchor_offsets(
    anchors: &Anchors<'_>,
    parsed: &Parsed<ModModule>,
    source: &str,
    semantic: &Semantic,
) -> Vec<TextSize> {
    let mut offsets: Vec<TextSize> = Vec::new();
    if anchors.imports {
        offsets.extend(semantic.tracked_uses());
    }
    // With the names an `async def` or an import binds, when they are anchors too.
    let with_bound = anchors.async_or_imported.then(|| {
        let mut words: WordSet<&str> = anchors.words.clone();
        for name in async_or_imported_names(&parsed.syntax().body) {
            words.add(name);
        }
        words
    });
    let words = with_bound.as_ref().unwrap_or(&anchors.words);
    if !words.is_empty() || !anchors.keywords.is_empty() {
        for token in parsed.tokens() {
            let spelled = match token.kind() {
                // A soft keyword standing as a name (`x.match`) is recorded as a name token.
                TokenKind::Name if !words.is_empty() => {
                    let text = &source[token.range()];
                    if text.is_ascii() {
                        words.contains(text)
                    } else {
                        // Python reads the name NFKC-normalised, as the parser does.
                        let normalized: String = text.nfkc().collect();
                        words.contains(&normalized)
                    }
                }
                kind => anchors.keywords.contains(kind),
            };
            if spelled {
                offsets.push(token.start());
            }
        }
    }
    offsets.sort_unstable();
    offsets
}
