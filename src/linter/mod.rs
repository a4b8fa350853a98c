//! The fix loop: apply non-overlapping fixes, verify, clean up, repeat until nothing is left.
//!
//! Each pass checks the text, takes every applicable fix whose edits do not overlap an earlier one,
//! applies them together, re-parses the result and judges it against the text it came from
//! ([`verify`]: no code deleted or moved that no fix matched, nothing more that CPython refuses to
//! compile). A pass that fails is rolled back: each of its fixes is tried alone, the rules whose
//! fixes fail are named and switched off for this file, and the pass is redone without them. After
//! a good pass the cleanups run, judged the same way: imports of `drop-unused-imports` modules that
//! the fixes made unused, and statements a pack's `[[cleanup]]` names whose variable is no longer
//! read. The loop stops when no fix applies; when a pass gives back a text an earlier pass had
//! (fixes that undo one another: the fixes in between are not counted); or after [`MAX_PASSES`]
//! (reported as not converging). A configuration file has a loop of its own, with the same
//! guarantees ([`config_file`]).

mod config_file;

use std::collections::BTreeMap;

use ruff_python_ast::{
    Expr, ExprContext, ModModule, Stmt,
    visitor::source_order::{self, SourceOrderVisitor},
};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashMap;

use crate::analysis::parse::{Analysis, drop_deep, parse};
use crate::analysis::project::InProject;
use crate::analysis::semantic::Semantic;
use crate::base::diagnostic::{Diagnostic, Edit};
use crate::engine::{Checked, check_in, check_parsed};
use crate::fix::edits::{apply_edits, merge};
use crate::fix::imports::{self, ImportKey};
use crate::fix::verify::{self, OwnedEdit, Shape};
use crate::pattern::matcher::{Capture, Env, Matcher};
use crate::ruleset::{RuleRef, RuleSet};

pub const MAX_PASSES: usize = 12;

/// What fixing one text did.
#[derive(Debug, Default)]
pub struct FixOutcome {
    pub text: String,
    /// Fixes applied, per rule code.
    pub applied: BTreeMap<String, usize>,
    /// Rollbacks and non-convergence, as messages.
    pub problems: Vec<String>,
    /// The diagnostics of the final text.
    pub remaining: Checked,
}

impl FixOutcome {
    pub fn fixed(&self) -> usize {
        self.applied.values().sum()
    }
}

/// The analysis of `text` when it parses without errors (with its shape when `shaped`); else why
/// not.
fn parsed_whole(
    rules: &RuleSet,
    text: &str,
    shaped: bool,
) -> Result<(Analysis, Option<Shape>), String> {
    let parsed = parse(text);
    if !parsed.errors().is_empty() {
        drop_deep(parsed, text.len());
        return Err("would make the file invalid Python".to_owned());
    }
    let shape = shaped.then(|| Shape::of(parsed.syntax()));
    Ok((Analysis::of_parsed(&rules.modules, parsed), shape))
}

/// Judge `after` (the text `edits` made of `before`, which has the shape `shape`, needed when
/// the edits may restructure it): its analysis and shape when it may replace `before`, else why
/// not.
fn judged(
    rules: &RuleSet,
    before: &str,
    shape: Option<&Shape>,
    edits: &[OwnedEdit<'_>],
    after: &str,
) -> Result<(Analysis, Option<Shape>), String> {
    let restructures = shape.is_some();
    let (analysis, after_shape) = parsed_whole(rules, after, restructures)?;
    let shapes = shape.zip(after_shape.as_ref());
    match verify::judge(shapes, edits, &analysis.parsed) {
        Ok(()) => Ok((analysis, after_shape)),
        Err(refusal) => {
            analysis.drop_deep(after);
            Err(refusal.describe(before))
        }
    }
}

/// The shape of `text` (parsed, without errors).
fn shape_of(text: &str) -> Shape {
    let parsed = parse(text);
    let shape = Shape::of(parsed.syntax());
    drop_deep(parsed, text.len());
    shape
}

/// The texts a fix loop has made, to stop at one it made before: each one's hash and length, and
/// the fixes counted when it was made.
struct Made(Vec<(u64, usize, BTreeMap<String, usize>)>);

impl Made {
    /// A loop that starts from `source`, nothing counted.
    fn from(source: &str) -> Made {
        Made(vec![(text_hash(source), source.len(), BTreeMap::new())])
    }

    /// Whether the pass just done gave back a text the loop made before: then the fixes counted
    /// for that text are what `outcome` counts (what the passes in between did is undone) and the
    /// reason the loop stops is among its problems. Otherwise the text is remembered.
    fn gave_back(&mut self, outcome: &mut FixOutcome) -> bool {
        let hash = text_hash(&outcome.text);
        let length = outcome.text.len();
        let Some(at) = self
            .0
            .iter()
            .position(|(h, l, _)| *h == hash && *l == length)
        else {
            self.0.push((hash, length, outcome.applied.clone()));
            return false;
        };
        let undone = if at + 1 == self.0.len() {
            "fixes left the text as it was; the file keeps it"
        } else {
            "fixes undo one another: a pass gave back a text an earlier pass had; the file keeps \
             that text"
        };
        outcome.applied = self.0.swap_remove(at).2;
        outcome.problems.push(undone.to_owned());
        true
    }
}

/// Fix the text of the file at `path`: as a configuration file when the loaded packs' rules read
/// files of its name, else as Python ([`fix`]).
pub fn fix_named(rules: &RuleSet, path: &str, source: &str, unsafe_fixes: bool) -> FixOutcome {
    fix_named_in(rules, path, source, unsafe_fixes, None)
}

/// [`fix_named`], for a file at its place in the run's `project` when it has one.
pub fn fix_named_in(
    rules: &RuleSet,
    path: &str,
    source: &str,
    unsafe_fixes: bool,
    project: Option<InProject<'_>>,
) -> FixOutcome {
    match rules.config_file_name(path) {
        Some(name) => config_file::fix_config(rules, name, source, unsafe_fixes),
        None => fix_in(rules, source, unsafe_fixes, project),
    }
}

/// Fix `source`, a text alone, with the enabled rules; `unsafe_fixes` also applies unsafe fixes.
pub fn fix(rules: &RuleSet, source: &str, unsafe_fixes: bool) -> FixOutcome {
    fix_in(rules, source, unsafe_fixes, None)
}

/// [`fix`] the text of a file, at its place in the run's `project` when it has one.
fn fix_in(
    rules: &RuleSet,
    source: &str,
    unsafe_fixes: bool,
    project: Option<InProject<'_>>,
) -> FixOutcome {
    let mut outcome = FixOutcome {
        text: source.to_owned(),
        ..FixOutcome::default()
    };
    let mut disabled: Vec<RuleRef> = Vec::new();
    let mut baseline: Option<Baseline> = None;
    let mut converged = false;
    let mut made = Made::from(source);
    // The analysis of `outcome.text` (and its shape, if one was needed) when the last pass
    // already made them.
    let mut known: Option<(Analysis, Option<Shape>)> = None;
    for _ in 0..MAX_PASSES {
        let reused = known.take();
        let Some(scan) = crate::engine::worth_parsing(rules, &outcome.text) else {
            if let Some((analysis, _)) = reused {
                analysis.drop_deep(&outcome.text);
            }
            converged = true;
            outcome.remaining = Checked::default();
            break;
        };
        let (analysis, shape) =
            reused.unwrap_or_else(|| (Analysis::of(&rules.modules, &outcome.text), None));
        let checked = check_parsed(rules, &outcome.text, &analysis, scan, &disabled, project);
        if checked.syntax_error {
            analysis.drop_deep(&outcome.text);
            outcome.remaining = checked;
            return outcome;
        }
        let fixable: Vec<&Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.fix_applies(unsafe_fixes))
            .collect();
        if fixable.is_empty() {
            analysis.drop_deep(&outcome.text);
            converged = true;
            outcome.remaining = checked;
            break;
        }
        let baseline =
            baseline.get_or_insert_with(|| Baseline::of(rules, &outcome.text, &analysis));
        let groups: Vec<&[Edit]> = fixable
            .iter()
            .map(|d| d.fix.as_ref().expect("fixable").edits.as_slice())
            .collect();
        let (edits, accepted) = merge(&groups);
        let owned = owned_edits(accepted.iter().map(|&i| (groups[i], fixable[i].range)));
        let restructures = verify::may_restructure(&outcome.text, &owned);
        let shape = match shape {
            None if restructures => Some(Shape::of(analysis.parsed.syntax())),
            shape => shape,
        };
        analysis.drop_deep(&outcome.text);
        let candidate = apply_edits(&outcome.text, &edits);
        let before_shape = shape.as_ref().filter(|_| restructures);
        let (text, analysis, shape) =
            match judged(rules, &outcome.text, before_shape, &owned, &candidate) {
                Ok((analysis, candidate_shape)) => {
                    for &index in &accepted {
                        count(&mut outcome.applied, fixable[index]);
                    }
                    (candidate, analysis, candidate_shape)
                }
                Err(_) => {
                    let shape = shape.unwrap_or_else(|| shape_of(&outcome.text));
                    let mut broke = false;
                    for &index in &accepted {
                        let edits =
                            owned_edits(std::iter::once((groups[index], fixable[index].range)));
                        let alone = apply_edits(&outcome.text, groups[index]);
                        let Err(reason) =
                            judged(rules, &outcome.text, Some(&shape), &edits, &alone)
                                .map(|(analysis, _)| analysis.drop_deep(&alone))
                        else {
                            continue;
                        };
                        broke = true;
                        if let crate::base::diagnostic::Origin::Rule(rule) = fixable[index].origin
                            && !disabled.contains(&rule)
                        {
                            disabled.push(rule);
                            let code = fixable[index].code.clone().unwrap_or_default();
                            outcome.problems.push(format!(
                                "the fix of {code} ({}) {reason}; it was rolled back and \
                                 {code} is reported without a fix in this file",
                                rules.rule(rule).name
                            ));
                        }
                    }
                    if broke {
                        continue;
                    }
                    // Each fix is valid alone but not together: apply the first one, then re-check.
                    let first = accepted[0];
                    count(&mut outcome.applied, fixable[first]);
                    let text = apply_edits(&outcome.text, groups[first]);
                    let Ok((analysis, shape)) = parsed_whole(rules, &text, false) else {
                        break;
                    };
                    (text, analysis, shape)
                }
            };
        let (text, analysis, shape) = cleanup(rules, text, analysis, shape, baseline);
        outcome.text = text;
        known = Some((analysis, shape));
        if made.gave_back(&mut outcome) {
            if let Some((analysis, _)) = known.take() {
                analysis.drop_deep(&outcome.text);
            }
            outcome.remaining = check_in(rules, &outcome.text, &disabled, project);
            return outcome;
        }
    }
    if let Some((analysis, _)) = known.take() {
        analysis.drop_deep(&outcome.text);
    }
    if !converged {
        outcome.remaining = check_in(rules, &outcome.text, &disabled, project);
        outcome.problems.push(format!(
            "fixes did not converge after {MAX_PASSES} passes; the file keeps the last valid state"
        ));
    }
    outcome
}

/// The edits of `groups` (each with the range of its finding), sorted, each once (with the finding
/// of the first group that holds it).
fn owned_edits<'e>(groups: impl Iterator<Item = (&'e [Edit], TextRange)>) -> Vec<OwnedEdit<'e>> {
    let mut owned: Vec<OwnedEdit<'e>> = groups
        .flat_map(|(edits, finding)| edits.iter().map(move |edit| (edit, Some(finding))))
        .collect();
    // A stable sort keeps the first group's finding first among equal edits.
    owned.sort_by(|a, b| a.0.key().cmp(&b.0.key()));
    owned.dedup_by(|later, earlier| later.0 == earlier.0);
    owned
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

fn count(applied: &mut BTreeMap<String, usize>, diagnostic: &Diagnostic) {
    *applied
        .entry(diagnostic.code.clone().unwrap_or_default())
        .or_insert(0) += 1;
}

/// What the original text used, so cleanups only remove what the fixes made unused.
struct Baseline {
    imports: FxHashMap<ImportKey, usize>,
    reads: FxHashMap<String, usize>,
}

impl Baseline {
    fn of(rules: &RuleSet, text: &str, analysis: &Analysis) -> Baseline {
        let semantic = analysis.semantic();
        Baseline {
            imports: imports::import_reference_counts(semantic, rules.drop_unused_imports()),
            reads: dead_candidates(rules, text, analysis.parsed.syntax(), semantic)
                .into_iter()
                .map(|c| (c.key, c.reads))
                .collect(),
        }
    }
}

/// Remove what the fixes made unused (imports, dead statements) from `text`, whose analysis (of a
/// parse without errors) and shape are given, until nothing more goes. Returns the cleaned text
/// with its analysis and shape.
fn cleanup(
    rules: &RuleSet,
    mut text: String,
    mut analysis: Analysis,
    mut shape: Option<Shape>,
    baseline: &Baseline,
) -> (String, Analysis, Option<Shape>) {
    let modules = rules.drop_unused_imports();
    for _ in 0..4 {
        let (parsed, Some(semantic)) = (&analysis.parsed, &analysis.semantic) else {
            break;
        };
        let mut edits = imports::drop_unused_imports(
            &text,
            parsed.syntax(),
            semantic,
            modules,
            &baseline.imports,
        );
        for candidate in dead_candidates(rules, &text, parsed.syntax(), semantic) {
            if candidate.reads == 0
                && baseline
                    .reads
                    .get(&candidate.key)
                    .is_some_and(|&before| before > 0)
                && let Some(located) = imports::find_statement(parsed.syntax(), candidate.statement)
            {
                edits.push(imports::remove_statement(&text, &located));
            }
        }
        if edits.is_empty() {
            break;
        }
        let groups: Vec<&[Edit]> = edits.iter().map(std::slice::from_ref).collect();
        let (merged, _) = merge(&groups);
        let owned: Vec<OwnedEdit<'_>> = merged.iter().map(|edit| (edit, None)).collect();
        let before_shape = verify::may_restructure(&text, &owned)
            .then(|| shape.take().unwrap_or_else(|| Shape::of(parsed.syntax())));
        let cleaned = apply_edits(&text, &merged);
        let Ok((cleaned_analysis, cleaned_shape)) =
            judged(rules, &text, before_shape.as_ref(), &owned, &cleaned)
        else {
            shape = before_shape;
            break;
        };
        std::mem::replace(&mut analysis, cleaned_analysis).drop_deep(&text);
        text = cleaned;
        shape = cleaned_shape;
    }
    (text, analysis, shape)
}

/// A statement a pack's cleanup matches, with the reads of the variable it binds.
struct DeadCandidate {
    key: String,
    statement: TextRange,
    reads: usize,
}

fn dead_candidates(
    rules: &RuleSet,
    source: &str,
    module: &ModModule,
    semantic: &Semantic,
) -> Vec<DeadCandidate> {
    let cleanups = rules.live_cleanups(source);
    if cleanups.is_empty() {
        return Vec::new();
    }
    let mut finder = DeadFinder {
        rules: &cleanups,
        source,
        semantic,
        path: Vec::new(),
        bodies: vec![&module.body],
        found: Vec::new(),
    };
    finder.visit_body(&module.body);
    finder.found
}

struct DeadFinder<'a, 'r> {
    rules: &'a [(&'r crate::pack::Pack, &'r crate::pack::Cleanup)],
    source: &'a str,
    semantic: &'a Semantic,
    path: Vec<String>,
    bodies: Vec<&'a [Stmt]>,
    found: Vec<DeadCandidate>,
}

impl<'a> SourceOrderVisitor<'a> for DeadFinder<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        for (pack, cleanup) in self.rules {
            let matcher = Matcher {
                pattern_source: cleanup.pattern.python(),
                source: self.source,
                semantic: self.semantic,
                modules: &pack.modules,
                on_bind: None,
            };
            let mut env = Env::new();
            if !matcher.node(cleanup.pattern.root(), stmt.into(), &mut env) {
                continue;
            }
            let Some(Capture::Node(ruff_python_ast::AnyNodeRef::ExprName(name))) =
                env.get(&cleanup.unused)
            else {
                continue;
            };
            let body = self.bodies.last().copied().unwrap_or_default();
            let mut reads = ReadCounter {
                name: name.id.as_str(),
                count: 0,
            };
            reads.visit_body(body);
            self.found.push(DeadCandidate {
                key: format!("{}:{}", self.path.join("."), name.id),
                statement: stmt.range(),
                reads: reads.count,
            });
        }
        match stmt {
            Stmt::FunctionDef(function) => {
                self.path.push(function.name.to_string());
                self.bodies.push(&function.body);
                source_order::walk_stmt(self, stmt);
                self.bodies.pop();
                self.path.pop();
            }
            Stmt::ClassDef(class) => {
                self.path.push(class.name.to_string());
                source_order::walk_stmt(self, stmt);
                self.path.pop();
            }
            _ => source_order::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, _expr: &'a Expr) {}
}

struct ReadCounter<'n> {
    name: &'n str,
    count: usize,
}

impl<'a> SourceOrderVisitor<'a> for ReadCounter<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Name(name) = expr
            && name.ctx == ExprContext::Load
            && name.id.as_str() == self.name
        {
            self.count += 1;
        }
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || {
            source_order::walk_expr(self, expr)
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pack;
    use crate::ruleset::Selection;

    /// A rule set of `rules` (TOML `[[rule]]` tables) over the modules `m` and `n`.
    fn rules(rules: &str) -> RuleSet {
        let text = format!(
            "[pack]\nname = \"loop\"\nversion = \"0\"\ndescription = \"d\"\nprefix = \"L\"\n\
             modules = [\"m\", \"n\"]\ndrop-unused-imports = [\"m\"]\n{rules}"
        );
        let pack = pack::load("loop.toml", &text).unwrap_or_else(|e| panic!("{}", e.render(false)));
        RuleSet::new(
            Arc::new(vec![pack]),
            &Selection::default(),
            &BTreeMap::new(),
        )
    }

    fn rule(code: &str, pattern: &str, template: &str) -> String {
        format!(
            "[[rule]]\ncode = \"{code}\"\nname = \"r-{}\"\nmessage = \"m\"\nexplain = \"e\"\n\
             match.pattern = \"{pattern}\"\nfix.template = \"{template}\"\n\
             fix.applicability = \"safe\"\n[[rule.example]]\nflagged = \"x\"\n",
            code.to_lowercase()
        )
    }

    #[test]
    fn fixes_apply_until_nothing_is_left_and_imports_follow() {
        // The second rule's finding appears only once the first rule's fix has been applied.
        let rules = rules(&(rule("L1", "m.a($X)", "n.b($X)") + &rule("L2", "n.b($X)", "n.c($X)")));
        let outcome = fix(&rules, "import m\nm.a(1)\nm.a(2)\n", false);
        assert_eq!(outcome.text, "import n\nn.c(1)\nn.c(2)\n");
        assert_eq!(outcome.fixed(), 4);
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
        assert!(outcome.remaining.diagnostics.is_empty());
        // A second run finds nothing to do.
        let again = fix(&rules, &outcome.text, false);
        assert_eq!(again.text, outcome.text);
        assert_eq!(again.fixed(), 0);
    }

    #[test]
    fn a_fix_that_breaks_the_file_is_rolled_back_and_named() {
        // `*m.a` as a `del` target: the template parses alone, not in place.
        let rules = rules(&rule("L1", "m.a", "*n.b"));
        let outcome = fix(&rules, "import m\ndel m.a\n", false);
        assert_eq!(outcome.text, "import m\ndel m.a\n");
        assert_eq!(outcome.fixed(), 0);
        assert!(
            outcome.problems.iter().any(|p| p.contains("L1")),
            "{:?}",
            outcome.problems
        );
    }

    #[test]
    fn fixes_that_undo_one_another_stop_the_loop() {
        let rules = rules(&(rule("L1", "m.a()", "m.b()") + &rule("L2", "m.b()", "m.a()")));
        let outcome = fix(&rules, "import m\nm.a()\n", false);
        assert!(outcome.fixed() < MAX_PASSES, "{}", outcome.fixed());
        assert_eq!(outcome.text, "import m\nm.a()\n");
    }
}
