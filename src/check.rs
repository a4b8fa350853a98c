//! Checking one file: prefilter → parse → bind → one walk that matches every enabled pattern →
//! position checks (`statement-position`, `role`, `in-async-function`, `when-imported`) →
//! constraints and `each` elements → diagnostics with rendered messages and fixes; then the comment
//! rules over the file's comments, and fallback findings that another finding covers are dropped.

use ruff_python_ast::{
    AnyNodeRef, Expr, ModModule, Stmt,
    token::{Token, TokenKind},
    visitor::source_order::{self, SourceOrderVisitor, TraversalSignal},
};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashSet;
use unicode_normalization::UnicodeNormalization;

use crate::assignments::Assignments;
use crate::condition::{self, Context, Entry, Target, matches_at};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Origin};
use crate::dispatch::{Anchors, Candidate, FileDispatch};
use crate::fix::imports::Imports;
use crate::fix::imports::remove_alias;
use crate::fix::template::{Expansion, Expansions, Site};
use crate::noqa::{self, Lines};
use crate::pack::{Each, Pack, Rule};
use crate::pattern::Pattern;
use crate::pattern::matcher::{Capture, Env};
use crate::pattern::metavar::{self, Piece};
use crate::pattern::shape::NodeList;
use crate::prefilter::Live;
use crate::ruleset::{RuleRef, RuleSet};
use crate::semantic::{BindingKind, Resolution, Semantic, in_module};
use crate::source::Layout;
use crate::stack;
use crate::tokens::TokenFacts;

/// The result of checking one source text.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the file was parsed (false when the prefilter skipped it).
    pub parsed: bool,
    /// Whether the file has syntax errors.
    pub syntax_error: bool,
}

/// Parse Python source the way the checker does.
pub fn parse(source: &str) -> Parsed<ModModule> {
    ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python)
}

/// Drop a parsed tree on a stack deep enough for its nesting. `depth` bounds the nesting: the
/// depth the semantic model measured ([`Analysis::drop_deep`]), or else the length in bytes of
/// the text it was parsed from (every level of nesting spells at least one byte). The tree is
/// dropped in place when the stack left suffices, else on a new stack segment.
pub fn drop_deep<T: Send>(value: T, depth: usize) {
    let needed = depth
        .saturating_mul(DROP_STACK_PER_LEVEL)
        .saturating_add(DROP_STACK_SLACK);
    match stacker::remaining_stack() {
        Some(left) if left >= needed => drop(value),
        _ => stacker::grow(needed, move || drop(value)),
    }
}

/// Stack one level of nesting may take to drop: several times what a release build takes
/// (about 70 bytes), for debug builds.
const DROP_STACK_PER_LEVEL: usize = 512;
const DROP_STACK_SLACK: usize = 1 << 20;

/// Check `source` with every enabled rule of `rules`. `disabled_fixes` lists rules whose fixes are
/// not offered (the fix loop turns off a rule whose fix broke the file).
pub fn check(rules: &RuleSet, source: &str, disabled_fixes: &[RuleRef]) -> Checked {
    let Some(scan) = worth_parsing(rules, source) else {
        return Checked::default();
    };
    let analysis = Analysis::of(rules, source);
    let checked = check_parsed(rules, source, &analysis, scan, disabled_fixes);
    analysis.drop_deep(source);
    checked
}

/// A text's parse and, when it parsed without errors, the bindings of its imports: what checking
/// needs, built once per text (the fix loop hands the analysis of a text it verified to its next
/// step).
pub struct Analysis {
    pub parsed: Parsed<ModModule>,
    pub semantic: Option<Semantic>,
}

impl Analysis {
    pub fn of(rules: &RuleSet, source: &str) -> Analysis {
        Analysis::of_parsed(rules, parse(source))
    }

    pub fn of_parsed(rules: &RuleSet, parsed: Parsed<ModModule>) -> Analysis {
        let semantic = parsed
            .errors()
            .is_empty()
            .then(|| Semantic::build(parsed.syntax(), &rules.modules));
        Analysis { parsed, semantic }
    }

    /// Drop the analysis of `source` with [`drop_deep`], its depth bounded by the one the semantic
    /// model measured when the text parsed, else by the text's length.
    pub fn drop_deep(self, source: &str) {
        let depth = self.semantic.as_ref().map_or(source.len(), Semantic::depth);
        drop_deep(self, depth);
    }

    /// The bindings of a text that parsed without errors.
    pub fn semantic(&self) -> &Semantic {
        self.semantic
            .as_ref()
            .expect("analysed a text without syntax errors")
    }
}

/// What the prefilter says of a text that is worth parsing.
#[derive(Debug, Clone)]
pub struct Scan {
    /// The patterns that may match: the walk tries no other.
    live: Live,
    /// Whether a comment rule may match.
    comments: bool,
}

/// Whether [`check`] parses `source` at all: some pattern or comment rule may match, or it has a
/// suppression directive the unused-suppression rule may report.
pub fn worth_parsing(rules: &RuleSet, source: &str) -> Option<Scan> {
    let live = rules.live_patterns(source);
    // A file parsed anyway has its comments matched; another is parsed for them only when a
    // comment rule may match.
    let comments =
        !rules.comment_rules().is_empty() && (!live.is_empty() || rules.comments_may_match(source));
    let scan = Scan { live, comments };
    let worth = !scan.live.is_empty() || scan.comments || rules.may_have_stale_directive(source);
    worth.then_some(scan)
}

/// [`check`] on a text already analysed (the fix loop parses each text once), which
/// [`worth_parsing`] scanned.
pub fn check_parsed(
    rules: &RuleSet,
    source: &str,
    analysis: &Analysis,
    scan: Scan,
    disabled_fixes: &[RuleRef],
) -> Checked {
    let parsed = &analysis.parsed;
    if let Some(error) = parsed.errors().first() {
        let mut diagnostics = vec![Diagnostic::error(
            Origin::SyntaxError,
            error.location,
            format!("SyntaxError: {}", error.error),
        )];
        diagnostics[0].name = Some("syntax-error".to_owned());
        return Checked {
            diagnostics,
            parsed: true,
            syntax_error: true,
        };
    }
    let module = parsed.syntax();
    let semantic = analysis.semantic();
    let layout = Layout::of(source);
    let tokens = TokenFacts::new(parsed, source);
    let dispatch = rules.dispatch(&scan.live);
    let anchors = dispatch
        .anchors()
        .map(|anchors| anchor_offsets(anchors, parsed, source, semantic));
    let mut walker = Walker {
        rules,
        source,
        body: &module.body,
        semantic,
        dispatch: &dispatch,
        anchors,
        resolved: String::new(),
        assignments: Assignments::default(),
        ancestors: Vec::new(),
        stack: stack::Checked::default(),
        found: Vec::new(),
        fixes: FixContext {
            source,
            layout: &layout,
            tokens: &tokens,
            parsed,
            imports: Vec::new(),
            fresh_names: Vec::new(),
            semantic,
            disabled: disabled_fixes,
        },
    };
    if !scan.live.is_empty() {
        walker.visit_body(&module.body);
    }
    if scan.comments {
        walker.match_comments(parsed);
    }
    let mut diagnostics = std::mem::take(&mut walker.found);
    drop(walker);
    finish(rules, &mut diagnostics);
    noqa::suppress(rules, &Lines::new(source, &tokens), &mut diagnostics);
    Checked {
        diagnostics,
        parsed: true,
        syntax_error: false,
    }
}

/// Remove duplicates and fallback findings covered by a non-fallback finding (of any pack) or
/// repeating the range of another fallback finding; sort.
fn finish(rules: &RuleSet, diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.range.start(), &a.code, a.range.end()).cmp(&(b.range.start(), &b.code, b.range.end()))
    });
    diagnostics.dedup_by(|a, b| a.code == b.code && a.range == b.range);
    // Primary ranges by start, with the furthest end reached so far: a range is covered when some
    // primary range starting at or before it ends at or after it.
    let mut primary: Vec<(TextSize, TextSize)> = diagnostics
        .iter()
        .filter_map(|d| match d.origin {
            Origin::Rule(r) if !rules.rule(r).fallback => Some((d.range.start(), d.range.end())),
            _ => None,
        })
        .collect();
    primary.sort();
    let mut furthest = TextSize::default();
    for (_, end) in &mut primary {
        furthest = furthest.max(*end);
        *end = furthest;
    }
    let covered = |range: TextRange| {
        let before = primary.partition_point(|(start, _)| *start <= range.start());
        before > 0 && primary[before - 1].1 >= range.end()
    };
    let mut fallback_ranges: FxHashSet<TextRange> = FxHashSet::default();
    diagnostics.retain(|d| match d.origin {
        Origin::Rule(r) if rules.rule(r).fallback => {
            let shown = !covered(d.range) && !fallback_ranges.contains(&d.range);
            fallback_ranges.insert(d.range);
            shown
        }
        _ => true,
    });
}

/// Where `source` spells one of `anchors`, sorted: the uses of imported names (when wanted), the
/// identifier tokens that are one of the words, and the keyword tokens.
fn anchor_offsets(
    anchors: &Anchors<'_>,
    parsed: &Parsed<ModModule>,
    source: &str,
    semantic: &Semantic,
) -> Vec<TextSize> {
    let mut offsets: Vec<TextSize> = Vec::new();
    if anchors.imports {
        offsets.extend(semantic.tracked_uses());
    }
    if !anchors.words.is_empty() || !anchors.keywords.is_empty() {
        for token in parsed.tokens() {
            let spelled = match token.kind() {
                // A soft keyword standing as a name (`x.match`) is recorded as a name token.
                TokenKind::Name if !anchors.words.is_empty() => {
                    let text = &source[token.range()];
                    if text.is_ascii() {
                        anchors.words.contains(text)
                    } else {
                        // Python reads the name NFKC-normalised, as the parser does.
                        let normalized: String = text.nfkc().collect();
                        anchors.words.contains(&normalized)
                    }
                }
                kind => anchors.keywords.contains(&kind),
            };
            if spelled {
                offsets.push(token.start());
            }
        }
    }
    offsets.sort_unstable();
    offsets
}

struct FixContext<'t> {
    source: &'t str,
    layout: &'t Layout,
    tokens: &'t TokenFacts<'t>,
    parsed: &'t Parsed<ModModule>,
    /// Lazily built per pack: how that pack's templates reach qualified names.
    imports: Vec<(u32, Imports<'t>)>,
    /// The fresh names worked out so far, by base.
    fresh_names: Vec<(String, String)>,
    semantic: &'t Semantic,
    disabled: &'t [RuleRef],
}

/// What a match bound: its metavariables, and those of each element of its `each` captures.
struct Bindings<'r, 't> {
    env: Env<'r, 't>,
    elements: Vec<(&'r Each, Vec<Env<'r, 't>>)>,
}

struct Walker<'r, 't> {
    rules: &'r RuleSet,
    source: &'t str,
    /// The module's statements (for `bound-to`, which looks at module-level assignments).
    body: &'t [Stmt],
    semantic: &'t Semantic,
    /// The patterns the prefilter found may match in this file, by where: no other is tried.
    dispatch: &'r FileDispatch<'r>,
    /// Where the file spells an anchor of a live pattern, sorted; `None` when some live pattern
    /// has none. A node whose range holds none of them holds no match: the walk passes it by.
    anchors: Option<Vec<TextSize>>,
    /// The qualified name of the node being dispatched (a buffer kept between nodes).
    resolved: String,
    /// What names are assigned, per scope (for `bound-to`), scanned once each.
    assignments: Assignments<'t>,
    ancestors: Vec<AnyNodeRef<'t>>,
    /// Where the walk last made sure of its stack.
    stack: stack::Checked,
    found: Vec<Diagnostic>,
    fixes: FixContext<'t>,
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
    /// [`stack`](crate::stack)).
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
            versions: self.rules.versions(),
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
        let Some((qualified, attributes)) = self.semantic.qualify(named) else {
            return false;
        };
        name.clear();
        name.push_str(qualified);
        for attribute in attributes {
            name.push('.');
            name.push_str(attribute);
        }
        true
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
        let keyed = keyed.map_or([&[][..]; 4], |keyed| {
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
                let diagnostic =
                    self.diagnostic(candidate.rule, node.range(), Some(node), &bindings);
                self.found.push(diagnostic);
            }
        }
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
                    let diagnostic = self.diagnostic(candidate.rule, range, None, &bindings);
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
    fn match_comments(&mut self, parsed: &'t Parsed<ModModule>) {
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
                    let diagnostic = self.diagnostic(rule_ref, token.range(), None, &bindings);
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
            Capture::Ident(_) => return None,
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

    fn diagnostic(
        &mut self,
        rule_ref: RuleRef,
        range: TextRange,
        node: Option<AnyNodeRef<'t>>,
        bindings: &Bindings<'r, 't>,
    ) -> Diagnostic {
        let pack = self.rules.pack(rule_ref);
        let rule = self.rules.rule(rule_ref);
        let env = &bindings.env;
        let fix = if self.fixes.disabled.contains(&rule_ref) {
            None
        } else {
            let applicability = self.rules.applicability(rule_ref);
            rule.fix.as_ref().and_then(|_| {
                self.fixes.render(
                    (rule_ref, pack, rule),
                    applicability,
                    range,
                    node,
                    env,
                    &bindings.elements,
                )
            })
        };
        Diagnostic {
            origin: Origin::Rule(rule_ref),
            code: Some(rule.code.clone()),
            name: Some(rule.name.clone()),
            message: interpolate(&rule.message, env, self.source),
            severity: rule.severity,
            range,
            help: rule.help.as_ref().map(|h| interpolate(h, env, self.source)),
            fix,
            url: rule.url.clone(),
        }
    }
}

/// Replace `$X` in a message with the capture's text: on one line, words single-spaced, cut to
/// 57 characters and `...` when longer than 60.
fn interpolate(text: &str, env: &Env<'_, '_>, source: &str) -> String {
    let Ok(pieces) = metavar::split(text) else {
        return text.to_owned();
    };
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Var { name, .. } => {
                let captured = env
                    .get(name)
                    .and_then(Capture::span)
                    .map_or("", |s| &source[s]);
                // On one line, words single-spaced; over 60 characters, cut to 57 and `...`.
                let start = out.len();
                for (index, word) in captured.split_whitespace().enumerate() {
                    if index > 0 {
                        out.push(' ');
                    }
                    out.push_str(word);
                }
                let mut chars = out[start..].char_indices().map(|(at, _)| start + at);
                if let Some(cut) = chars.nth(57)
                    && chars.nth(2).is_some()
                {
                    out.truncate(cut);
                    out.push_str("...");
                }
            }
        }
    }
    out
}

impl<'t> FixContext<'t> {
    fn imports(&mut self, pack_index: u32, pack: &Pack) -> &Imports<'t> {
        if let Some(position) = self.imports.iter().position(|(p, _)| *p == pack_index) {
            return &self.imports[position].1;
        }
        let imports = Imports::new(
            self.source,
            self.parsed.syntax(),
            self.semantic,
            &pack.drop_unused_imports,
            self.layout.newline,
        );
        self.imports.push((pack_index, imports));
        &self.imports.last().expect("just pushed").1
    }

    fn render(
        &mut self,
        (rule_ref, pack, rule): (RuleRef, &Pack, &Rule),
        mut applicability: Applicability,
        range: TextRange,
        node: Option<AnyNodeRef<'t>>,
        env: &Env<'_, 't>,
        elements: &[(&Each, Vec<Env<'_, 't>>)],
    ) -> Option<Fix> {
        let template = rule.fix.as_ref()?;
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
        if is_statement && template.is_multiline() && !starts_line {
            // `if x: stmt` or `a; stmt`: a block cannot be placed there.
            return None;
        }
        let layout = self.layout;
        let strings = self.tokens.multiline_strings();
        let site = Site {
            source,
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
        let mut import_edits: Vec<Edit> = Vec::new();
        let imports = self.imports(rule_ref.pack, pack);
        let mut spell = |qualified: &str| {
            let (spelling, edit) = imports.spell(qualified, range.start(), &pack.modules)?;
            if let Some(edit) = edit
                && !import_edits.contains(&edit)
            {
                import_edits.push(edit);
            }
            Some(spelling)
        };
        let mut bare_names: Vec<&str> = template.bare_names.iter().map(String::as_str).collect();
        for (each, envs) in elements {
            let rendered: Option<Vec<String>> = envs
                .iter()
                .map(|element_env| each.fix.render(element_env, &expansions, &site, &mut spell))
                .collect();
            bare_names.extend(each.fix.bare_names.iter().map(String::as_str));
            expansions.push((each.metavar.clone(), Expansion::Each(rendered?)));
        }
        let mut content = template.render(env, &expansions, &site, &mut spell)?;
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
            if content.trim().contains('\n') {
                format!("Replace with `{shown} …`")
            } else {
                format!("Replace with `{shown}`")
            }
        });
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

impl FixContext<'_> {
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
/// the closing parenthesis of the rendered call. `None` when it passes `**kwargs` (which keywords
/// it sets is unknown).
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
