//! Imports as part of fixes: reaching a qualified name, adding an import, dropping unused ones.
//!
//! A template that says `pkg.scope` is written the way the file already reaches it
//! (`p.scope` after `import pkg as p`, `scope` after `from pkg import scope`), else an
//! `import pkg` is planned. It goes into the top-level import block beside the import the pack
//! will drop (when there is one), else the block after the module docstring and `__future__`
//! imports. When that block is sorted as an import sorter leaves it ([`sections`]), the new import
//! takes the place the sorter would give it: its section, at its place there, or a section of its
//! own; otherwise it goes right after the import the pack will drop, else at the end of the block.
//! A file without such a block gets one before its first statement, followed by the blank lines
//! a sorter wants there. After a fix pass, imports of the pack's `drop-unused-imports` modules
//! that the fixes made unused are removed: the whole statement, or just the unused names of
//! `import a, b` / `from m import a, b`.

use ruff_python_ast::{ModModule, Stmt, visitor::source_order::SourceOrderVisitor};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::semantic::{BindingKind, Resolution, Semantic, in_module};
use crate::base::diagnostic::Edit;
use crate::fix::sections::{Classifier, Section, SortedBlock, module_cmp};

/// The key of an import binding that survives edits: its local name and qualified name.
pub type ImportKey = (String, String);

/// How the file reaches qualified names, and where a new import goes.
pub struct Imports<'t> {
    source: &'t str,
    semantic: &'t Semantic,
    placement: Placement,
    classifier: Classifier<'t>,
    newline: &'t str,
}

/// Where new imports go.
enum Placement {
    /// Into a sorted block, where a sorter would put them.
    Sorted(SortedBlock),
    /// Into a block that is not sorted: at this offset.
    At(TextSize),
    /// A new block before the statement at this offset (or at the end of the text), with this
    /// many blank lines after it.
    Fresh(TextSize, usize),
}

impl<'t> Imports<'t> {
    pub fn new(
        source: &'t str,
        module: &ModModule,
        semantic: &'t Semantic,
        drop_modules: &[String],
        classifier: Classifier<'t>,
        newline: &'t str,
    ) -> Imports<'t> {
        let placement = placement(source, module, drop_modules, &classifier);
        Imports {
            source,
            semantic,
            placement,
            classifier,
            newline,
        }
    }
    /// How to write `qualified` at offset `at`, with the module to import to make it reachable
    /// when one is needed ([`Imports::edits`]). `modules` are the modules the pack declares (the
    /// longest one that prefixes `qualified` is imported). `None` when the name cannot be reached
    /// without a conflict.
    pub fn spell(
        &self,
        qualified: &str,
        at: TextSize,
        modules: &FxHashSet<String>,
    ) -> Option<(String, Option<String>)> {
        let scope = self.semantic.scope_at(at);
        if let Some((name, bound)) = self.semantic.import_reaching(qualified, at, scope) {
            let spelling = match qualified[bound.len()..].strip_prefix('.') {
                Some(rest) if !rest.is_empty() => format!("{name}.{rest}"),
                _ => name.to_owned(),
            };
            return Some((spelling, None));
        }
        let module = modules
            .iter()
            .filter(|m| in_module(qualified, m))
            .max_by_key(|m| m.len())
            .cloned()
            .unwrap_or_else(|| qualified.split('.').next().unwrap_or(qualified).to_owned());
        let root = module.split('.').next().unwrap_or(&module);
        let free_here = self.semantic.lookup(root, at, scope) == Resolution::Unbound;
        let free_at_top = self.semantic.lookup(
            root,
            TextSize::from(u32::MAX),
            crate::analysis::semantic::MODULE_SCOPE,
        ) == Resolution::Unbound;
        if !(free_here && free_at_top && self.semantic.is_tracked(root)) {
            return None;
        }
        Some((qualified.to_owned(), Some(module)))
    }

    /// The edits adding `import module` for each of `modules`: one insertion per place.
    pub fn edits(&self, modules: &[String]) -> Vec<Edit> {
        if modules.is_empty() {
            return Vec::new();
        }
        let newline = self.newline;
        let mut sorted: Vec<(&str, Section)> = modules
            .iter()
            .map(|m| (m.as_str(), self.classifier.sections(Some(m), 0).preferred))
            .collect();
        sorted.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| module_cmp(a.0, b.0)));
        sorted.dedup_by(|a, b| a.0 == b.0);
        let lines = |modules: &[(&str, Section)]| -> String {
            modules
                .iter()
                .map(|(module, _)| format!("import {module}{newline}"))
                .collect()
        };
        let (at, content) = match &self.placement {
            Placement::Sorted(block) => {
                return block
                    .place(&sorted, newline, self.source)
                    .into_iter()
                    .map(|(at, content)| Edit::insert(offset(at), content))
                    .collect();
            }
            Placement::At(at) => {
                let at_usize = at.to_usize();
                let at_line_start = at_usize == 0
                    || self.source[..at_usize].ends_with('\n')
                    || self.source[..at_usize].ends_with('\r');
                let mut content = lines(&sorted);
                if !at_line_start {
                    content.truncate(content.len() - newline.len());
                    content.insert_str(0, newline);
                }
                (*at, content)
            }
            Placement::Fresh(at, blank_lines) => {
                // The new block's sections, a blank line between two.
                let mut content = String::new();
                for (index, section) in sorted.chunk_by(|a, b| a.1 == b.1).enumerate() {
                    if index > 0 {
                        content.push_str(newline);
                    }
                    content.push_str(&lines(section));
                }
                let at_usize = at.to_usize();
                if at_usize < self.source.len() {
                    content.push_str(&newline.repeat(*blank_lines));
                } else if at_usize > 0 && !self.source.ends_with('\n') {
                    content.insert_str(0, newline);
                }
                (*at, content)
            }
        };
        vec![Edit::insert(at, content)]
    }
}

fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).unwrap_or_default()
}

/// The start of the line after `offset`'s line, or the end of the file.
fn next_line_start(source: &str, offset: usize) -> usize {
    match source[offset..].find('\n') {
        Some(i) => offset + i + 1,
        None => source.len(),
    }
}

fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn is_docstring(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr())
}

fn imports_module(stmt: &Stmt, modules: &[String]) -> bool {
    let hit = |name: &str| modules.iter().any(|m| in_module(name, m));
    match stmt {
        Stmt::Import(import) => import.names.iter().any(|a| hit(a.name.as_str())),
        Stmt::ImportFrom(import) => {
            import.level == 0 && import.module.as_ref().is_some_and(|m| hit(m.as_str()))
        }
        _ => false,
    }
}

fn is_import(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_))
}

fn is_future_import(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::ImportFrom(import) if import.module.as_ref().is_some_and(|m| m.as_str() == "__future__"))
}

/// Where new top-level imports go: the block holding the first import of a module the pack
/// drops, else the block after the docstring (its `__future__` imports included).
fn placement(
    source: &str,
    module: &ModModule,
    drop_modules: &[String],
    classifier: &Classifier<'_>,
) -> Placement {
    let body = &module.body;
    let mut index = usize::from(body.first().is_some_and(is_docstring));
    let docstring = index;
    while body.get(index).is_some_and(is_future_import) {
        index += 1;
    }
    let after = |stmt: &Stmt| offset(next_line_start(source, stmt.end().to_usize()));
    let dropped = body[index..]
        .iter()
        .position(|s| imports_module(s, drop_modules))
        .map(|i| index + i);
    let chosen = match dropped {
        Some(at) => Some(at),
        None if body.get(index).is_some_and(is_import) => Some(index),
        None if index > docstring => Some(index - 1),
        None => None,
    };
    let Some(chosen) = chosen else {
        // No import there: a new block before the first statement, the blank lines a sorter
        // wants after it (two before a function or class, one before anything else). After a
        // docstring and blank lines, it goes among them.
        return match body.get(index) {
            Some(next) => {
                let wanted: usize = match next {
                    Stmt::FunctionDef(_) | Stmt::ClassDef(_) => 2,
                    _ => 1,
                };
                let statement = line_start(source, next.start().to_usize());
                let gap_start = match index.checked_sub(1) {
                    Some(previous) => next_line_start(source, body[previous].end().to_usize()),
                    None => statement,
                };
                let gap = &source[gap_start..statement];
                let blank = gap.lines().count();
                if blank > 0 && gap.lines().all(|line| line.trim().is_empty()) {
                    // Past one blank line, or as many as leave the wanted ones after it.
                    let skip = blank.saturating_sub(wanted).max(1);
                    let at = (0..skip).fold(gap_start, |at, _| next_line_start(source, at));
                    Placement::Fresh(offset(at), wanted.saturating_sub(blank - skip))
                } else {
                    Placement::Fresh(offset(statement), wanted)
                }
            }
            None => Placement::Fresh(offset(source.len()), 0),
        };
    };
    let first = body[..chosen]
        .iter()
        .rposition(|s| !is_import(s))
        .map_or(0, |i| i + 1);
    let last = chosen + body[chosen..].iter().take_while(|s| is_import(s)).count();
    if let Some(block) = SortedBlock::read(source, &body[first..last], classifier) {
        return Placement::Sorted(block);
    }
    Placement::At(match dropped {
        Some(at) => after(&body[at]),
        None => after(&body[last - 1]),
    })
}

/// References to each import binding of `drop_modules`, keyed so the count survives edits.
pub fn import_reference_counts(
    semantic: &Semantic,
    drop_modules: &[String],
) -> FxHashMap<ImportKey, usize> {
    let references = semantic.import_references();
    let mut counts = FxHashMap::default();
    for (id, binding) in semantic.bindings() {
        if let BindingKind::Import { qualified, .. } = &binding.kind
            && drop_modules.iter().any(|m| in_module(qualified, m))
        {
            *counts
                .entry((binding.name.clone(), qualified.clone()))
                .or_insert(0) += references.get(&id).copied().unwrap_or(0);
        }
    }
    counts
}

/// Edits removing the imports of `drop_modules` that were referenced before the fixes
/// (`before`) and are referenced no more.
pub fn drop_unused_imports(
    source: &str,
    module: &ModModule,
    semantic: &Semantic,
    drop_modules: &[String],
    before: &FxHashMap<ImportKey, usize>,
) -> Vec<Edit> {
    let now = import_reference_counts(semantic, drop_modules);
    let exported = exported_names(module);
    let mut unused_aliases: FxHashMap<TextRange, Vec<TextRange>> = FxHashMap::default();
    for (_, binding) in semantic.bindings() {
        let BindingKind::Import {
            qualified,
            statement,
            alias,
        } = &binding.kind
        else {
            continue;
        };
        let key = (binding.name.clone(), qualified.clone());
        let was_used = before.get(&key).copied().unwrap_or(0) > 0;
        let is_used = now.get(&key).copied().unwrap_or(0) > 0;
        if was_used && !is_used && !exported.contains(&binding.name) {
            unused_aliases.entry(*statement).or_default().push(*alias);
        }
    }
    let mut edits = Vec::new();
    // Whole lines removed, in runs of lines that meet: the blank line after a run of imports that
    // all go is judged once for the run.
    let mut lines: Vec<Vec<(usize, usize, bool)>> = Vec::new();
    let mut statements: Vec<_> = unused_aliases.into_iter().collect();
    statements.sort_by_key(|(range, _)| range.start());
    for (statement, aliases) in statements {
        let Some(stmt) = find_statement(module, statement) else {
            continue;
        };
        let total = match stmt.stmt {
            Stmt::Import(import) => import.names.len(),
            Stmt::ImportFrom(import) => import.names.len(),
            _ => continue,
        };
        if aliases.len() >= total {
            match statement_removal(source, &stmt) {
                Removal::Lines { begin, end, opens } => match lines.last_mut() {
                    Some(run)
                        if run
                            .last()
                            .is_some_and(|(_, last_end, _)| *last_end == begin) =>
                    {
                        run.push((begin, end, opens));
                    }
                    _ => lines.push(vec![(begin, end, opens)]),
                },
                Removal::Edit(edit) => edits.push(edit),
            }
        } else {
            for alias in aliases {
                edits.push(remove_list_element(source, alias));
            }
        }
    }
    // One edit a statement (each is judged as the removal of its own statement).
    for run in lines {
        let (run_begin, _, run_opens) = run[0];
        let last = run.len() - 1;
        for (index, (begin, end, _)) in run.into_iter().enumerate() {
            let end = if index == last {
                without_blank_gap(source, run_begin, end, run_opens)
            } else {
                end
            };
            edits.push(Edit::delete(TextRange::new(offset(begin), offset(end))));
        }
    }
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    edits
}

/// Names listed in a module-level `__all__`, which count as used.
fn exported_names(module: &ModModule) -> FxHashSet<String> {
    let mut names = FxHashSet::default();
    for stmt in &module.body {
        let value = match stmt {
            Stmt::Assign(assign)
                if assign
                    .targets
                    .iter()
                    .any(|t| t.as_name_expr().is_some_and(|n| n.id.as_str() == "__all__")) =>
            {
                &*assign.value
            }
            Stmt::AugAssign(assign)
                if assign
                    .target
                    .as_name_expr()
                    .is_some_and(|n| n.id.as_str() == "__all__") =>
            {
                &*assign.value
            }
            _ => continue,
        };
        let elements: &[ruff_python_ast::Expr] = match value {
            ruff_python_ast::Expr::List(list) => &list.elts,
            ruff_python_ast::Expr::Tuple(tuple) => &tuple.elts,
            _ => continue,
        };
        for element in elements {
            if let Some(string) = element.as_string_literal_expr() {
                names.insert(string.value.to_str().to_owned());
            }
        }
    }
    names
}

/// A statement with the block it stands in.
pub struct Located<'a> {
    pub stmt: &'a Stmt,
    pub siblings: usize,
    /// Whether it is the first statement of its block.
    pub first: bool,
}

/// Find the statement with exactly `range` and the size of its block.
pub fn find_statement(module: &ModModule, range: TextRange) -> Option<Located<'_>> {
    struct Finder<'a> {
        range: TextRange,
        found: Option<Located<'a>>,
    }
    impl<'a> SourceOrderVisitor<'a> for Finder<'a> {
        fn visit_body(&mut self, body: &'a [Stmt]) {
            if self.found.is_some() {
                return;
            }
            // A block's statements are in order and do not overlap: the only one that can be or
            // hold the range is the first that ends after its start.
            let at = body.partition_point(|stmt| stmt.end() <= self.range.start());
            let Some(stmt) = body.get(at) else {
                return;
            };
            if stmt.range() == self.range {
                self.found = Some(Located {
                    stmt,
                    siblings: body.len(),
                    first: at == 0,
                });
            } else if stmt.range().contains_range(self.range) {
                self.visit_stmt(stmt);
            }
        }
        fn visit_expr(&mut self, _expr: &'a ruff_python_ast::Expr) {}
    }
    let mut finder = Finder { range, found: None };
    finder.visit_body(&module.body);
    finder.found
}

/// An edit removing a statement: its whole line(s) when it stands alone on them, `pass` when it
/// is the only statement of its block, only its text (and `;`) when it shares a line.
pub fn remove_statement(source: &str, located: &Located<'_>) -> Edit {
    match statement_removal(source, located) {
        Removal::Lines { begin, end, opens } => Edit::delete(TextRange::new(
            offset(begin),
            offset(without_blank_gap(source, begin, end, opens)),
        )),
        Removal::Edit(edit) => edit,
    }
}

/// How a statement goes: its whole lines (from the start of its first to the start of the line
/// after it; `opens`: the first statement of an indented block), or an edit within its line(s).
enum Removal {
    Lines {
        begin: usize,
        end: usize,
        opens: bool,
    },
    Edit(Edit),
}

/// The end of a removal of the whole lines `begin..end`, past the blank line after them when
/// they stand at the top of the file or of an indented block (`opens`) or after a blank line: what
/// is left has no blank line at its top or a block's, nor two blank lines in a row where there was
/// one.
fn without_blank_gap(source: &str, begin: usize, end: usize, opens: bool) -> usize {
    let blank_before = begin == 0
        || opens
        || source[..begin]
            .trim_end_matches([' ', '\t'])
            .ends_with("\n\n")
        || source[line_start(source, begin.saturating_sub(1))..begin]
            .trim()
            .is_empty();
    let next = &source[end..next_line_start(source, end)];
    if blank_before && !next.is_empty() && next.trim().is_empty() {
        next_line_start(source, end)
    } else {
        end
    }
}

fn statement_removal(source: &str, located: &Located<'_>) -> Removal {
    let range = located.stmt.range();
    let start = range.start().to_usize();
    let end = range.end().to_usize();
    let line_begin = line_start(source, start);
    let before = &source[line_begin..start];
    let rest_of_line = &source[end..next_line_start(source, end)];
    let after_code = rest_of_line.trim_start_matches([' ', '\t']);
    let alone = before.trim().is_empty()
        && (after_code.is_empty()
            || after_code.starts_with('#')
            || after_code.starts_with(['\n', '\r']));
    if located.siblings == 1 {
        return Removal::Edit(Edit::replace(range, "pass"));
    }
    if alone {
        return Removal::Lines {
            begin: line_begin,
            end: next_line_start(source, end),
            opens: located.first && line_begin < start,
        };
    }
    // Shares its line with other statements: remove it with one adjacent `;`.
    if let Some(semi) = after_code.strip_prefix(';') {
        let skip = rest_of_line.len() - semi.trim_start_matches([' ', '\t']).len();
        return Removal::Edit(Edit::delete(TextRange::new(
            range.start(),
            TextSize::try_from(end + skip).unwrap_or_default(),
        )));
    }
    let trimmed = before.trim_end_matches([' ', '\t']);
    if let Some(without) = trimmed.strip_suffix(';') {
        let from = line_begin + without.len();
        return Removal::Edit(Edit::delete(TextRange::new(
            TextSize::try_from(from).unwrap_or_default(),
            range.end(),
        )));
    }
    Removal::Edit(Edit::replace(range, "pass"))
}

/// An edit removing one element of a comma-separated list, with one adjacent comma (its whole line
/// when it stands alone on one in brackets).
pub fn remove_list_element(source: &str, element: TextRange) -> Edit {
    let start = element.start().to_usize();
    let end = element.end().to_usize();
    // Alone on its line in a bracketed list (with its comma): the whole line goes.
    let line_begin = line_start(source, start);
    let rest_of_line = &source[end..next_line_start(source, end)];
    let rest = rest_of_line.trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    let in_brackets = source[..line_begin]
        .trim_end()
        .ends_with([',', '(', '[', '{']);
    if source[line_begin..start].trim().is_empty()
        && rest.trim().is_empty()
        && in_brackets
        && line_begin > 0
    {
        return Edit::delete(TextRange::new(
            offset(line_begin),
            offset(next_line_start(source, end)),
        ));
    }
    let after = &source[end..];
    let after_trimmed = after.trim_start();
    if let Some(rest) = after_trimmed.strip_prefix(',') {
        let skip = after.len() - rest.trim_start_matches([' ', '\t']).len();
        let rest_trimmed = rest.trim_start();
        // A trailing comma before `)` with nothing after: keep the list tidy.
        let skip = if rest_trimmed.starts_with(')') {
            after.len() - rest_trimmed.len()
        } else {
            skip
        };
        return Edit::delete(TextRange::new(
            element.start(),
            TextSize::try_from(end + skip).unwrap_or_default(),
        ));
    }
    let before = &source[..start];
    let before_trimmed = before.trim_end();
    match before_trimmed.strip_suffix(',') {
        Some(without) => Edit::delete(TextRange::new(
            TextSize::try_from(without.trim_end().len()).unwrap_or_default(),
            element.end(),
        )),
        None => Edit::delete(element),
    }
}

/// An edit removing one name (`alias`) from the import `statement`: the whole statement when it
/// is the statement's only name.
pub fn remove_alias(
    source: &str,
    module: &ModModule,
    statement: TextRange,
    alias: TextRange,
) -> Option<Edit> {
    let located = find_statement(module, statement)?;
    let names = match located.stmt {
        Stmt::Import(import) => import.names.len(),
        Stmt::ImportFrom(import) => import.names.len(),
        _ => return None,
    };
    Some(if names == 1 {
        remove_statement(source, &located)
    } else {
        remove_list_element(source, alias)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn without(source: &str, element: &str) -> String {
        let at = source.rfind(element).expect("element");
        let range = TextRange::new(offset(at), offset(at + element.len()));
        let edit = remove_list_element(source, range);
        crate::fix::edits::apply_edits(source, &[edit])
    }

    #[test]
    fn a_list_element_goes_with_one_comma_or_its_whole_line() {
        assert_eq!(without("from m import a, b\n", "b"), "from m import a\n");
        assert_eq!(without("from m import a, b\n", "a"), "from m import b\n");
        assert_eq!(
            without("from m import (\n    a,\n    b,\n)\n", "b"),
            "from m import (\n    a,\n)\n"
        );
        assert_eq!(
            without("from m import (\n    a,\n    b,\n)\n", "a"),
            "from m import (\n    b,\n)\n"
        );
        assert_eq!(
            without("from m import (\n    a,\n    b\n)\n", "b"),
            "from m import (\n    a,\n)\n"
        );
    }
}
