//! The per-file engine: a text the prefilter lets through is parsed and bound
//! ([`crate::analysis`]), walked once ([`walk`]) so each node meets only the entries that can match
//! it, the conditions of a rule tested where one matched, and findings made with their messages
//! and fixes ([`findings`]); comment rules meet the file's comments; then covered fallbacks and
//! duplicates go and `# noqa` suppressions apply ([`noqa`]). A file of a run is checked at its
//! place in the run's project, whose other modules conditions may ask about; a text alone is
//! checked by what it says. A configuration file that rules read (INI, TOML) is checked as its
//! entries instead ([`config_file`]).

pub mod config_file;
mod findings;
pub mod noqa;
mod walk;

use ruff_python_ast::AnyNodeRef;
use ruff_python_ast::visitor::source_order::SourceOrderVisitor;

use crate::analysis::assignments::Assignments;
use crate::analysis::flow::Flows;
use crate::analysis::parse::Analysis;
use crate::analysis::project::InProject;
use crate::analysis::tokens::TokenFacts;
use crate::analysis::types::Types;
use crate::base::diagnostic::{Diagnostic, Origin};
use crate::base::source::Layout;
use crate::base::stack;
use crate::condition::Context;
use crate::fix::render::Renderer;
use crate::fix::sections::Classifier;
use crate::ruleset::prefilter::Live;
use crate::ruleset::{RuleRef, RuleSet};
use noqa::Lines;
use walk::{Walker, anchor_offsets};

/// The result of checking one source text.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the file was parsed (false when the prefilter skipped it).
    pub parsed: bool,
    /// Whether the file has syntax errors.
    pub syntax_error: bool,
    /// What the check left out of this file and why (shown with `--verbose`).
    pub notes: Vec<String>,
    /// The stale codes of its `# noqa` directives (for `--add-noqa`).
    pub stale_codes: Vec<noqa::StaleCodes>,
}

/// Check `source`, a text alone, with every enabled rule of `rules`. `disabled_fixes` lists rules
/// whose fixes are not offered (the fix loop turns off a rule whose fix broke the file).
pub fn check(rules: &RuleSet, source: &str, disabled_fixes: &[RuleRef]) -> Checked {
    check_in(rules, source, disabled_fixes, None)
}

/// [`check`] the text of a file, at its place in the run's `project` when it has one.
pub fn check_in(
    rules: &RuleSet,
    source: &str,
    disabled_fixes: &[RuleRef],
    project: Option<InProject<'_>>,
) -> Checked {
    let Some(scan) = worth_parsing(rules, source) else {
        return Checked::default();
    };
    let analysis = Analysis::of(&rules.modules, source);
    let checked = check_parsed(rules, source, &analysis, scan, disabled_fixes, project);
    analysis.drop_deep(source);
    checked
}

/// Check the text of the file at `path`: as a configuration file when the loaded packs' rules
/// read files of its name, else as Python ([`check`]).
pub fn check_named(
    rules: &RuleSet,
    path: &str,
    source: &str,
    disabled_fixes: &[RuleRef],
) -> Checked {
    check_named_in(rules, path, source, disabled_fixes, None)
}

/// [`check_named`], for a file at its place in the run's `project` when it has one.
pub fn check_named_in(
    rules: &RuleSet,
    path: &str,
    source: &str,
    disabled_fixes: &[RuleRef],
    project: Option<InProject<'_>>,
) -> Checked {
    match rules.config_file_name(path) {
        Some(name) => config_file::check_config(rules, name, source, disabled_fixes),
        None => check_in(rules, source, disabled_fixes, project),
    }
}

/// The edits that suppress `diagnostics` (findings of the text of the file at `path`, whose
/// check found the `stale` codes) with `# noqa` directives, as `check --add-noqa` writes them:
/// each code added to the directive of the finding's line (its stale codes dropped), or a new
/// directive at the line's end. Empty when the text does not parse (or read as its
/// configuration format).
pub fn suppression_edits(
    rules: &RuleSet,
    path: &str,
    source: &str,
    (diagnostics, stale): (&[Diagnostic], &[noqa::StaleCodes]),
) -> Vec<crate::base::diagnostic::Edit> {
    let mut edits = if let Some(name) = rules.config_file_name(path) {
        match config_file::read_and_check(rules, name, source, &[]).1 {
            Some(file) => {
                noqa::add_directives(&Lines::of_config(source, &file), diagnostics, stale).0
            }
            None => Vec::new(),
        }
    } else {
        let analysis = Analysis::of(&rules.modules, source);
        let edits = if analysis.parsed.errors().is_empty() {
            let tokens = TokenFacts::new(&analysis.parsed, source);
            noqa::add_directives(&Lines::new(source, &tokens), diagnostics, stale).0
        } else {
            Vec::new()
        };
        analysis.drop_deep(source);
        edits
    };
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    edits
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

/// [`check_in`] on a text already analysed (the fix loop parses each text once), which
/// [`worth_parsing`] scanned.
pub fn check_parsed(
    rules: &RuleSet,
    source: &str,
    analysis: &Analysis,
    scan: Scan,
    disabled_fixes: &[RuleRef],
    project: Option<InProject<'_>>,
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
            ..Checked::default()
        };
    }
    let module = parsed.syntax();
    let semantic = analysis.semantic();
    let layout = Layout::of(source);
    let tokens = TokenFacts::new(parsed, source);
    // A rule whose match needs an import or a version the file or project lacks matches nowhere
    // in it: its patterns leave the walk (and its anchors with them).
    let live = {
        let assignments = Assignments::default();
        let types = Types::default();
        let flows = Flows::default();
        let module_node = AnyNodeRef::from(module);
        rules.live_of_rules(&scan.live, |rule_ref| {
            let pack = rules.pack(rule_ref);
            let cx = Context {
                source,
                semantic,
                module: &module.body,
                assignments: &assignments,
                modules: &pack.modules,
                libraries: &pack.libraries,
                types: &types,
                flows: &flows,
                versions: rules.versions(),
                options: rules.options_of(pack),
                project,
            };
            rules
                .rule(rule_ref)
                .matching
                .file_conditions_hold(&cx, module_node)
        })
    };
    let dispatch = rules.dispatch(&live);
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
        types: Default::default(),
        flows: Default::default(),
        ancestors: Vec::new(),
        project,
        stack: stack::Checked::default(),
        found: Vec::new(),
        fixes: Renderer {
            source,
            layout: &layout,
            tokens: &tokens,
            parsed,
            imports: Vec::new(),
            fresh_names: Vec::new(),
            semantic,
            disabled: disabled_fixes,
            classifier: Classifier::new(rules.versions().get("python"), project),
        },
    };
    if !live.is_empty() {
        walker.visit_body(&module.body);
    }
    if scan.comments {
        walker.match_comments(parsed);
    }
    let mut diagnostics = std::mem::take(&mut walker.found);
    let notes = walker
        .flows
        .skipped()
        .into_iter()
        .map(|(range, reason)| {
            let line = source[..range.start().to_usize()].matches('\n').count() + 1;
            format!(
                "line {line}: the control flow of this function is not analysed ({reason}); \
                 rules asking about its paths do not report in it"
            )
        })
        .collect();
    drop(walker);
    findings::finish(rules, &mut diagnostics);
    let stale_codes = noqa::suppress(rules, &Lines::new(source, &tokens), &mut diagnostics);
    Checked {
        diagnostics,
        parsed: true,
        syntax_error: false,
        notes,
        stale_codes,
    }
}
