//! What a fixed text must satisfy before it replaces the text it was made from, beyond parsing.
//!
//! A fix may rewrite only the code it matched. [`Shape`] records where each statement of a text
//! starts and ends and how deep it stands; [`judge`] compares the shapes before and after a set of
//! edits, and looks at the new text where the edits reach:
//!
//! - every statement that an edit covers whole must lie inside the statement the edit was made for
//!   (its *owner*: the innermost statement around the finding, or, for an edit away from the
//!   finding such as an import's, the first statement the edit covers), so no edit deletes code
//!   beside its own;
//! - every statement that no edit touches must still be there, as it was and as deep as it was, so
//!   no edit moves code it did not match into or out of a block;
//! - where the edits wrote, nothing CPython refuses to compile although it parses: `await`,
//!   `async with` or `async for` outside an async function, more than 20 statically nested blocks
//!   in one function (`too many statically nested blocks`), 100 levels of indentation, brackets
//!   nested more than 200 deep. Below a compound statement whose header an edit changed, all of its
//!   body is looked at, since the header decides what the body may hold.
//!
//! Only the statements an edit reaches are walked for the last check, so its cost follows the size
//! of the fixes, not of the file.

use ruff_python_ast::token::{Token, TokenKind};
use ruff_python_ast::visitor::source_order::{self, SourceOrderVisitor};
use ruff_python_ast::{Expr, ModModule, Stmt};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::base::diagnostic::Edit;

/// CPython's limit on statically nested blocks in one code object (`CO_MAXBLOCKS`).
const MAX_BLOCKS: u32 = 20;
/// CPython's tokenizer refuses this many levels of indentation (`MAXINDENT`).
const MAX_INDENT: u32 = 100;
/// CPython's tokenizer refuses brackets nested deeper than this (`MAXLEVEL`).
const MAX_BRACKETS: u32 = 200;

/// Where the statements of one text stand: what [`judge`] compares.
#[derive(Debug, Default)]
pub struct Shape {
    /// Every statement, in source order (so sorted by start): its range and how many statements
    /// enclose it.
    statements: Vec<(TextRange, u32)>,
}

/// Why a fixed text is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An edit deletes a statement outside the one it was made for (the range is the statement's,
    /// in the text before the edits).
    Deletes(TextRange),
    /// A statement no edit touched moved into or out of a block, or is gone.
    Moves(TextRange),
    /// Where the edits wrote, the new text holds what CPython refuses to compile; the words say
    /// what.
    Rejected(&'static str),
}

const AWAIT_OUTSIDE_ASYNC: &str = "`await`, `async with` or `async for` outside an async function";
const NESTED_BLOCKS: &str = "too many statically nested blocks";
const INDENTATION: &str = "too many levels of indentation";
const BRACKETS: &str = "too many nested brackets";

impl Refusal {
    /// The refusal in words, with lines of `before` (the text the edits apply to).
    pub fn describe(&self, before: &str) -> String {
        let line = |range: TextRange| {
            before[..range.start().to_usize()]
                .bytes()
                .filter(|&b| b == b'\n')
                .count()
                + 1
        };
        match self {
            Refusal::Deletes(range) => {
                format!("would delete code it did not match (line {})", line(*range))
            }
            Refusal::Moves(range) => format!(
                "would move code it did not match into or out of a block (line {})",
                line(*range)
            ),
            Refusal::Rejected(what) => format!("would make the file one Python rejects ({what})"),
        }
    }
}

impl Shape {
    /// The shape of a text that parsed without errors.
    pub fn of(module: &ModModule) -> Shape {
        let mut statements = Vec::with_capacity(module.body.len() * 4);
        collect(&module.body, 0, &mut statements);
        Shape { statements }
    }
}

/// Push every statement of `body` and of the bodies below it, in source order, with its depth.
/// Expressions hold no statements, so only bodies are followed.
fn collect(body: &[Stmt], depth: u32, out: &mut Vec<(TextRange, u32)>) {
    for stmt in body {
        out.push((stmt.range(), depth));
        let inner = depth + 1;
        if first_body_start(stmt).is_none() {
            continue;
        }
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || match stmt {
            Stmt::FunctionDef(s) => collect(&s.body, inner, out),
            Stmt::ClassDef(s) => collect(&s.body, inner, out),
            Stmt::For(s) => {
                collect(&s.body, inner, out);
                collect(&s.orelse, inner, out);
            }
            Stmt::While(s) => {
                collect(&s.body, inner, out);
                collect(&s.orelse, inner, out);
            }
            Stmt::If(s) => {
                collect(&s.body, inner, out);
                for clause in &s.elif_else_clauses {
                    collect(&clause.body, inner, out);
                }
            }
            Stmt::With(s) => collect(&s.body, inner, out),
            Stmt::Match(s) => {
                for case in &s.cases {
                    collect(&case.body, inner, out);
                }
            }
            Stmt::Try(s) => {
                collect(&s.body, inner, out);
                for handler in &s.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    collect(&handler.body, inner, out);
                }
                collect(&s.orelse, inner, out);
                collect(&s.finalbody, inner, out);
            }
            _ => {}
        });
    }
}

/// An edit with the range of the finding it fixes (`None` for a cleanup's edit, which has none).
pub type OwnedEdit<'e> = (&'e Edit, Option<TextRange>);

/// Whether `edits` (sorted, non-overlapping) of `text` may add, remove, move or regroup
/// statements: whether the text they replace or write holds a line break, `:`, `;`, a line
/// continuation, a comment or a quote. Edits that hold none of these stay inside one statement
/// of one line, so only the statement they were made for can change, and [`judge`] needs no
/// shapes for them.
pub fn may_restructure(text: &str, edits: &[OwnedEdit<'_>]) -> bool {
    let structural = |part: &str| {
        part.bytes()
            .any(|b| matches!(b, b'\n' | b'\r' | b':' | b';' | b'\\' | b'#' | b'"' | b'\''))
    };
    edits
        .iter()
        .any(|(edit, _)| structural(&edit.content) || structural(&text[edit.range]))
}

/// Whether `after` (the parse of the new text), made by applying `edits` (sorted,
/// non-overlapping) to the text before, keeps all it must keep. `shapes` (before and after) are
/// needed when [`may_restructure`] says so; without them only what the edits wrote is judged.
pub fn judge(
    shapes: Option<(&Shape, &Shape)>,
    edits: &[OwnedEdit<'_>],
    after: &Parsed<ModModule>,
) -> Result<(), Refusal> {
    if let Some((before, after_shape)) = shapes {
        check_deletions(before, edits)?;
        check_untouched(before, edits, after_shape)?;
    }
    let written = written_ranges(edits);
    if written.is_empty() {
        return Ok(());
    }
    let mut walker = Rejections {
        written: &written,
        frames: vec![Frame {
            is_async_function: false,
            blocks: 0,
        }],
        depth: 0,
        whole: false,
        deep: false,
        found: None,
    };
    walker.visit_body(&after.syntax().body);
    if let Some(what) = walker.found {
        return Err(Refusal::Rejected(what));
    }
    if walker.deep && indentation_too_deep(after.tokens(), &written) {
        return Err(Refusal::Rejected(INDENTATION));
    }
    if brackets_too_deep(after.tokens(), &written) {
        return Err(Refusal::Rejected(BRACKETS));
    }
    Ok(())
}

/// Where each edit's content stands in the new text; a deletion is the empty range where the
/// deleted text was.
fn written_ranges(edits: &[OwnedEdit<'_>]) -> Vec<TextRange> {
    let mut shift = 0i64;
    let mut written = Vec::new();
    for &(edit, _) in edits {
        let start = i64::from(u32::from(edit.range.start())) + shift;
        shift += edit.content.len() as i64 - i64::from(u32::from(edit.range.len()));
        if edit.range.is_empty() && edit.content.is_empty() {
            continue;
        }
        if let (Ok(start), Ok(len)) = (u32::try_from(start), u32::try_from(edit.content.len())) {
            written.push(TextRange::at(TextSize::from(start), TextSize::from(len)));
        }
    }
    written
}

/// Every statement an edit covers whole lies inside the edit's owner statement.
fn check_deletions(before: &Shape, edits: &[OwnedEdit<'_>]) -> Result<(), Refusal> {
    let statements = &before.statements;
    for &(edit, finding) in edits {
        if edit.range.is_empty() {
            continue;
        }
        let first = statements.partition_point(|(range, _)| range.start() < edit.range.start());
        let covered = statements[first..]
            .iter()
            .take_while(|(range, _)| range.start() < edit.range.end())
            .filter(|(range, _)| edit.range.contains_range(*range));
        let mut owner = None;
        for &(range, _) in covered {
            let owner =
                *owner.get_or_insert_with(|| owner_of(statements, edit.range, finding, range));
            if !owner.contains_range(range) {
                return Err(Refusal::Deletes(range));
            }
        }
    }
    Ok(())
}

/// The statement an edit was made for: the innermost statement holding the finding when the edit
/// reaches the finding, else the first statement the edit covers (`first_covered`).
fn owner_of(
    statements: &[(TextRange, u32)],
    edit: TextRange,
    finding: Option<TextRange>,
    first_covered: TextRange,
) -> TextRange {
    if let Some(finding) = finding.filter(|&finding| overlap(edit, finding)) {
        // Statements nest in source order: the innermost one holding the finding is the last to
        // start at or before it that holds it.
        let started = statements.partition_point(|(range, _)| range.start() <= finding.start());
        return statements[..started]
            .iter()
            .rev()
            .find(|(range, _)| range.contains_range(finding))
            .map_or(finding, |(range, _)| *range);
    }
    first_covered
}

/// Whether two ranges share at least one character.
fn overlap(a: TextRange, b: TextRange) -> bool {
    a.start() < b.end() && b.start() < a.end()
}

/// Every statement no edit touches is in `after` where the edits shifted it, at the same depth.
fn check_untouched(before: &Shape, edits: &[OwnedEdit<'_>], after: &Shape) -> Result<(), Refusal> {
    // The shift of an offset that no edit covers: what the edits before it added or removed.
    let mut shifts: Vec<(TextSize, i64)> = Vec::with_capacity(edits.len());
    let mut total = 0i64;
    for &(edit, _) in edits {
        total += edit.content.len() as i64 - i64::from(u32::from(edit.range.len()));
        shifts.push((edit.range.end(), total));
    }
    for &(range, depth) in &before.statements {
        let next = edits.partition_point(|(edit, _)| edit.range.end() <= range.start());
        let touched = edits[next..]
            .iter()
            .take_while(|(edit, _)| edit.range.start() <= range.end())
            .any(|(edit, _)| {
                if edit.range.is_empty() {
                    // An insertion at a statement's end adds to its last line, or to the block
                    // it ends (statements written after it at its indentation or deeper).
                    range.start() < edit.range.start() && edit.range.start() <= range.end()
                } else {
                    edit.range.start() < range.end() && range.start() < edit.range.end()
                }
            });
        if touched {
            continue;
        }
        // Insertions at the statement's start count as before it.
        let applied = shifts.partition_point(|(end, _)| *end <= range.start());
        let shift = applied.checked_sub(1).map_or(0, |i| shifts[i].1);
        let start = i64::from(u32::from(range.start())) + shift;
        let found = u32::try_from(start).ok().and_then(|start| {
            let start = TextSize::from(start);
            let at = after
                .statements
                .partition_point(|(range, _)| range.start() < start);
            after
                .statements
                .get(at)
                .filter(|(range, _)| range.start() == start)
        });
        match found {
            Some(&(moved, moved_depth)) if moved.len() == range.len() && moved_depth == depth => {}
            _ => return Err(Refusal::Moves(range)),
        }
    }
    Ok(())
}

/// One code object being walked: a function, a class body, a lambda or the module.
struct Frame {
    is_async_function: bool,
    blocks: u32,
}

/// Looks, where the edits wrote, for what CPython refuses to compile. It descends only into the
/// statements an edit reaches, and into all of a compound statement whose header an edit reaches.
struct Rejections<'w> {
    written: &'w [TextRange],
    frames: Vec<Frame>,
    /// How many statements enclose the one being walked.
    depth: u32,
    /// Below a header an edit changed: everything counts as written.
    whole: bool,
    /// Whether the edits wrote a statement deep enough for its indentation to need counting.
    deep: bool,
    found: Option<&'static str>,
}

impl Rejections<'_> {
    /// Whether an edit wrote inside `range`, or deleted text there (an empty written range).
    fn reaches(&self, range: TextRange) -> bool {
        let next = self.written.partition_point(|w| w.end() < range.start());
        self.written[next..]
            .iter()
            .take_while(|w| w.start() < range.end())
            .any(|w| w.end() > range.start() || (w.is_empty() && w.start() >= range.start()))
    }

    fn written_at(&self, offset: TextSize) -> bool {
        self.whole || self.reaches(TextRange::at(offset, TextSize::from(1)))
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("the module's frame")
    }

    fn refuse(&mut self, what: &'static str) {
        self.found.get_or_insert(what);
    }

    /// An `await`, `async with` or `async for` at `offset`.
    fn asynchronous(&mut self, offset: TextSize) {
        if !self.frame().is_async_function && self.written_at(offset) {
            self.refuse(AWAIT_OUTSIDE_ASYNC);
        }
    }

    /// Walk `body`, the body of the statement at `header_start`, inside `blocks` more statically
    /// nested blocks.
    fn nested(&mut self, blocks: u32, header_start: TextSize, body: &[Stmt]) {
        let frame = self.frame();
        frame.blocks += blocks;
        if frame.blocks > MAX_BLOCKS && !body.is_empty() && self.written_at(header_start) {
            self.refuse(NESTED_BLOCKS);
        }
        self.visit_body(body);
        self.frame().blocks -= blocks;
    }

    fn in_frame(&mut self, is_async_function: bool, walk: impl FnOnce(&mut Self)) {
        self.frames.push(Frame {
            is_async_function,
            blocks: 0,
        });
        walk(self);
        self.frames.pop();
    }
}

impl<'a> SourceOrderVisitor<'a> for Rejections<'_> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            if self.found.is_some() {
                return;
            }
            if self.whole || self.reaches(stmt.range()) {
                self.visit_stmt(stmt);
            }
        }
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        let whole = self.whole;
        // A header (up to the first statement of the body) that an edit changed governs the body.
        let header = TextRange::new(stmt.start(), first_body_start(stmt).unwrap_or(stmt.end()));
        self.whole = whole || (first_body_start(stmt).is_some() && self.reaches(header));
        // A statement stands at most two indentation levels deeper than the one around it (a
        // `case` body: `match` and `case`), so only one this deep may stand 100 levels in.
        if self.depth >= MAX_INDENT / 2 && self.written_at(stmt.start()) {
            self.deep = true;
        }
        self.depth += 1;
        let start = stmt.start();
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || match stmt {
            Stmt::FunctionDef(function) => {
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameters(&function.parameters);
                if let Some(returns) = &function.returns {
                    self.visit_annotation(returns);
                }
                self.in_frame(function.is_async, |walker| {
                    walker.visit_body(&function.body)
                });
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.in_frame(false, |walker| walker.visit_body(&class.body));
            }
            Stmt::For(each) => {
                if each.is_async {
                    self.asynchronous(start);
                }
                self.visit_expr(&each.target);
                self.visit_expr(&each.iter);
                self.nested(1, start, &each.body);
                self.visit_body(&each.orelse);
            }
            Stmt::While(each) => {
                self.visit_expr(&each.test);
                self.nested(1, start, &each.body);
                self.visit_body(&each.orelse);
            }
            Stmt::With(with) => {
                if with.is_async {
                    self.asynchronous(start);
                }
                for item in &with.items {
                    self.visit_with_item(item);
                }
                let items = u32::try_from(with.items.len()).unwrap_or(u32::MAX);
                self.nested(items, start, &with.body);
            }
            Stmt::Try(each) => {
                // CPython compiles `try`/`except`/`finally` as a `try`/`except` inside a
                // `try`/`finally`; a handler's body stands in two blocks of its own.
                let finally = u32::from(!each.finalbody.is_empty());
                let handled = u32::from(!each.handlers.is_empty());
                self.nested(finally + handled, start, &each.body);
                for handler in &each.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(kind) = &handler.type_ {
                        self.visit_expr(kind);
                    }
                    self.nested(finally + 2, handler.start(), &handler.body);
                }
                self.nested(finally, start, &each.orelse);
                self.nested(1, start, &each.finalbody);
            }
            _ => source_order::walk_stmt(self, stmt),
        });
        self.depth -= 1;
        self.whole = whole;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.whole && !self.reaches(expr.range()) {
            return;
        }
        match expr {
            Expr::Await(_) => self.asynchronous(expr.start()),
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.visit_parameters(parameters);
                }
                let body = &lambda.body;
                self.in_frame(false, |walker| walker.visit_expr(body));
                return;
            }
            // A generator expression that awaits is an asynchronous generator, allowed in any
            // function; only its first iterable is evaluated where it stands.
            Expr::Generator(generator) => {
                if let Some((first, rest)) = generator.generators.split_first() {
                    self.visit_expr(&first.iter);
                    self.in_frame(true, |walker| {
                        walker.visit_expr(&first.target);
                        for condition in &first.ifs {
                            walker.visit_expr(condition);
                        }
                        for comprehension in rest {
                            walker.visit_comprehension(comprehension);
                        }
                        walker.visit_expr(&generator.elt);
                    });
                }
                return;
            }
            Expr::ListComp(ruff_python_ast::ExprListComp { generators, .. })
            | Expr::SetComp(ruff_python_ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ruff_python_ast::ExprDictComp { generators, .. }) => {
                for comprehension in generators.iter().filter(|c| c.is_async) {
                    self.asynchronous(comprehension.start());
                }
            }
            _ => {}
        }
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || {
            source_order::walk_expr(self, expr)
        });
    }
}

/// Where the first statement of a compound statement's body starts (`None` for a simple one).
fn first_body_start(stmt: &Stmt) -> Option<TextSize> {
    let body = match stmt {
        Stmt::FunctionDef(s) => &s.body,
        Stmt::ClassDef(s) => &s.body,
        Stmt::For(s) => &s.body,
        Stmt::While(s) => &s.body,
        Stmt::If(s) => &s.body,
        Stmt::With(s) => &s.body,
        Stmt::Try(s) => &s.body,
        Stmt::Match(s) => return s.cases.first().map(Ranged::start),
        _ => return None,
    };
    body.first().map(Ranged::start)
}

/// Whether one of `written` (sorted, non-overlapping) holds `offset`.
fn holds(written: &[TextRange], offset: TextSize) -> bool {
    let next = written.partition_point(|w| w.end() <= offset);
    written.get(next).is_some_and(|w| w.contains(offset))
}

/// Whether brackets nest more than CPython allows at a token the edits wrote. Depth is counted
/// from the start of the logical line holding each written range, to the end of the logical line
/// holding its end.
fn brackets_too_deep(tokens: &[Token], written: &[TextRange]) -> bool {
    let mut scanned_until = TextSize::from(0);
    for range in written {
        if range.end() < scanned_until {
            continue;
        }
        let first = tokens.partition_point(|t| t.end() <= range.start());
        let line_start = tokens[..first]
            .iter()
            .rposition(|t| t.kind() == TokenKind::Newline)
            .map_or(0, |i| i + 1);
        let mut depth = 0u32;
        for token in &tokens[line_start..] {
            match token.kind() {
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                    depth += 1;
                    if depth > MAX_BRACKETS && holds(written, token.start()) {
                        return true;
                    }
                }
                TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                    depth = depth.saturating_sub(1);
                }
                TokenKind::Newline if token.start() >= range.end() => {
                    scanned_until = token.start();
                    break;
                }
                _ => {}
            }
        }
    }
    false
}

/// Whether a line the edits wrote is indented as deep as CPython refuses: its indentation token
/// opens the 100th level.
fn indentation_too_deep(tokens: &[Token], written: &[TextRange]) -> bool {
    let mut level = 0u32;
    for token in tokens {
        match token.kind() {
            TokenKind::Indent => {
                level += 1;
                if level >= MAX_INDENT && holds(written, token.start()) {
                    return true;
                }
            }
            TokenKind::Dedent => level = level.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::parse::parse;
    use crate::fix::edits::apply_edits;

    fn judged(before: &str, edits: &[(Edit, Option<TextRange>)]) -> Result<(), Refusal> {
        let plain: Vec<Edit> = edits.iter().map(|(edit, _)| edit.clone()).collect();
        let after = apply_edits(before, &plain);
        let owned: Vec<OwnedEdit<'_>> = edits.iter().map(|(edit, f)| (edit, *f)).collect();
        let parsed = parse(&after);
        let shapes = (
            Shape::of(parse(before).syntax()),
            Shape::of(parsed.syntax()),
        );
        judge(Some((&shapes.0, &shapes.1)), &owned, &parsed)
    }

    fn range(text: &str, part: &str) -> TextRange {
        let start = text.find(part).expect("part of the text");
        TextRange::at(
            TextSize::try_from(start).unwrap(),
            TextSize::try_from(part.len()).unwrap(),
        )
    }

    #[test]
    fn an_edit_may_delete_only_the_statement_it_was_made_for() {
        let text = "import a\nasync def main():\n    a.f()\n";
        // Removing the import's line: fine. Removing to the end of the file: not.
        let line = Edit::delete(range(text, "import a\n"));
        assert_eq!(judged(text, &[(line, None)]), Ok(()));
        let everything = Edit::delete(TextRange::up_to(TextSize::try_from(text.len()).unwrap()));
        assert_eq!(
            judged(text, &[(everything, None)]),
            Err(Refusal::Deletes(range(
                text,
                "async def main():\n    a.f()"
            )))
        );
        // An edit at a finding may rewrite the innermost statement that holds the finding.
        let function = range(text, "async def main():\n    a.f()");
        let block = Edit::replace(function, "pass");
        assert_eq!(judged(text, &[(block.clone(), Some(function))]), Ok(()));
        let call = range(text, "a.f()");
        assert_eq!(
            judged(text, &[(block, Some(call))]),
            Err(Refusal::Deletes(function))
        );
    }

    #[test]
    fn a_statement_no_edit_touched_stays_where_it_was() {
        let text = "x = 1\ny = 2\n";
        let renamed = Edit::replace(range(text, "1"), "10");
        assert_eq!(judged(text, &[(renamed, None)]), Ok(()));
        let wrapped = Edit::insert(TextSize::from(0), "if t:\n    ");
        assert_eq!(
            judged(text, &[(wrapped, None)]),
            Err(Refusal::Moves(range(text, "x = 1")))
        );
    }

    #[test]
    fn refuses_what_cpython_refuses_to_compile_where_the_edits_wrote() {
        // The whole text written by one edit.
        let rejected =
            |text: &str| match judged("", &[(Edit::insert(TextSize::from(0), text), None)]) {
                Ok(()) => None,
                Err(Refusal::Rejected(what)) => Some(what),
                Err(other) => panic!("{other:?}"),
            };
        assert_eq!(rejected("async def f():\n    await g()\n"), None);
        assert_eq!(
            rejected("def f():\n    await g()\n"),
            Some(AWAIT_OUTSIDE_ASYNC)
        );
        assert_eq!(rejected("await g()\n"), Some(AWAIT_OUTSIDE_ASYNC));
        assert_eq!(
            rejected("async def f():\n    lambda: await g()\n"),
            Some(AWAIT_OUTSIDE_ASYNC)
        );
        assert_eq!(
            rejected("async def f():\n    class C:\n        async with x: pass\n"),
            Some(AWAIT_OUTSIDE_ASYNC)
        );
        let nested = |blocks: usize, opener: &str| {
            let mut text = String::from("def f():\n");
            for depth in 1..=blocks {
                text.push_str(&format!("{}{opener}\n", " ".repeat(depth)));
            }
            text.push_str(&format!("{}pass\n", " ".repeat(blocks + 1)));
            rejected(&text)
        };
        assert_eq!(nested(20, "for x in y:"), None);
        assert_eq!(nested(21, "while x:"), Some(NESTED_BLOCKS));
        assert_eq!(nested(10, "with a, b:"), None);
        assert_eq!(nested(11, "with a, b:"), Some(NESTED_BLOCKS));
        assert_eq!(nested(10, "try:\n pass\nexcept E:"), None);
        assert_eq!(nested(30, "if x:"), None);
        let indented = |levels: usize| {
            let mut text = String::new();
            for depth in 0..levels {
                text.push_str(&format!("{}if x:\n", " ".repeat(depth)));
            }
            text.push_str(&format!("{}pass\n", " ".repeat(levels)));
            rejected(&text)
        };
        assert_eq!(indented(99), None);
        assert_eq!(indented(100), Some(INDENTATION));
        // A one-line body adds no level; a `case` body adds two.
        let mut one_line = String::new();
        for depth in 0..99 {
            one_line.push_str(&format!("{}if x:\n", " ".repeat(depth)));
        }
        one_line.push_str(&format!("{}if y: pass\n", " ".repeat(99)));
        assert_eq!(rejected(&one_line), None);
        let matched = |levels: usize| {
            let mut text = String::new();
            for depth in 0..levels {
                text.push_str(&format!(
                    "{}match x:\n{} case 1:\n",
                    "  ".repeat(depth),
                    "  ".repeat(depth)
                ));
            }
            text.push_str(&format!("{}pass\n", "  ".repeat(levels)));
            rejected(&text)
        };
        assert_eq!(matched(49), None);
        assert_eq!(matched(50), Some(INDENTATION));
        let brackets =
            |depth: usize| rejected(&format!("x = {}{}\n", "(".repeat(depth), ")".repeat(depth)));
        assert_eq!(brackets(200), None);
        assert_eq!(brackets(201), Some(BRACKETS));
    }

    #[test]
    fn what_was_there_before_the_edits_is_not_held_against_them() {
        // A notebook's top-level `await`, and an edit beside it.
        let text = "await a.f()\nx = 1\n";
        let edit = Edit::replace(range(text, "1"), "2");
        assert_eq!(judged(text, &[(edit, None)]), Ok(()));
        // An edit that makes a function with an `await` in its body synchronous.
        let text = "async def f():\n    await g()\n";
        let edit = Edit::delete(range(text, "async "));
        assert_eq!(
            judged(text, &[(edit, None)]),
            Err(Refusal::Rejected(AWAIT_OUTSIDE_ASYNC))
        );
    }
}
