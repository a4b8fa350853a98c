//! Fix templates: Python with metavariables, rendered into replacement text.
//!
//! A template is compiled once: parsed (so a template that is not Python is refused when the pack
//! loads), split into literal text, metavariables, *qualified names* (dotted names rooted in a
//! module the pack declares, such as `pkg.scope`) and the bracketed lists that hold a metavariable
//! in their items (`pkg.run($F, $$$ARGS)`). Rendering pastes each capture back as the user's original
//! text, spells each qualified name the way the file can reach it (asking the caller, which also
//! plans the import), re-indents template lines to the site with the file's own indentation unit
//! and line ending, and re-bases multi-line captures to their new indentation (never touching
//! lines inside multi-line strings).
//!
//! A list keeps the layout of the source list its items come from ([`ListLayout`]). When its
//! items are, in order, every item of one source list, it is written as that list was between its
//! brackets: line breaks, comments, trailing comma. Otherwise, when it has several items and a
//! source list it takes items from breaks its lines, it is written one item a line at the
//! source's indentation, with a trailing comma, the closing bracket on a line of its own (items
//! taken together keep the text between them when each starts its own line there, and their
//! comments). Else it is written as the template spells it.

use std::ops::Range;

use ruff_python_ast::{
    AnyNodeRef, Expr, Stmt,
    token::Token,
    visitor::source_order::{self, SourceOrderVisitor},
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashSet;

use crate::pattern::layout::ListLayout;
use crate::pattern::matcher::{Capture, Env, module_chain};
use crate::pattern::metavar::{self, Piece as MetaPiece};
use crate::pattern::{Form, MetavarUse};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var { name: String, variadic: bool },
    Qualified(String),
    List(Box<ListPiece>),
}

/// A bracketed list of the template that holds a metavariable in its items.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListPiece {
    open: String,
    /// The template's text between the opening bracket and the first item.
    lead: String,
    items: Vec<Vec<Piece>>,
    /// The template's text between two items.
    separators: Vec<String>,
    /// The template's text between the last item and the closing bracket.
    trail: String,
    close: String,
    /// A tuple: with one item, it needs its trailing comma.
    tuple: bool,
}

/// A compiled fix template.
#[derive(Debug, Clone)]
pub struct Template {
    pub text: String,
    pub form: Form,
    pieces: Vec<Piece>,
    /// Width of one indentation level in the template text.
    unit: usize,
    /// Plain names the template writes (not metavariables, not qualified names): at the site they
    /// must mean what they mean in a fresh module (a builtin), not an import.
    pub bare_names: Vec<String>,
    /// Whether the template is one call expression.
    call: bool,
}

/// Text for a metavariable that is not a capture of the match.
#[derive(Debug, Clone)]
pub enum Expansion {
    /// A fresh name.
    Text(String),
    /// The rewritten elements of a `$$$` capture: joined by `, `, or one per line when the
    /// metavariable stands alone on its template line.
    Each(Vec<String>),
}

pub type Expansions = Vec<(String, Expansion)>;

/// Where and how a template is rendered in a file.
pub struct Site<'a> {
    pub source: &'a str,
    /// The tokens of the source.
    pub tokens: &'a [Token],
    /// Indentation of the line the replaced node starts on.
    pub indent: &'a str,
    /// The file's indentation unit (four spaces, a tab, …).
    pub unit: &'a str,
    pub newline: &'a str,
    /// Ranges of multi-line string tokens: lines starting inside them are never re-indented.
    pub strings: &'a [TextRange],
    /// The range the rendered text replaces.
    pub replaced: TextRange,
}

/// What rendering has written so far.
struct Output {
    out: String,
    /// Indentation of the template line being written, at the site.
    line_indent: String,
    /// Indentation of the line `out` starts on.
    base_indent: String,
    skip_leading_comma: bool,
}

impl Output {
    fn new(indent: &str) -> Output {
        Output {
            out: String::new(),
            line_indent: indent.to_owned(),
            base_indent: indent.to_owned(),
            skip_leading_comma: false,
        }
    }

    /// The indentation of the line being written.
    fn current_indent(&self) -> String {
        match self.out.rfind('\n') {
            Some(at) => {
                let line = &self.out[at + 1..];
                line[..line.len() - line.trim_start_matches([' ', '\t']).len()].to_owned()
            }
            None => self.base_indent.clone(),
        }
    }
}

/// What a template is rendered with.
struct Fill<'f, 'r, 't> {
    env: &'f Env<'r, 't>,
    expansions: &'f Expansions,
    site: &'f Site<'f>,
    spell: &'f mut dyn FnMut(&str) -> Option<String>,
    /// The source lists an enclosing list of the template is written one item a line for (by
    /// their opening brackets): a list inside it need not break its lines for them too.
    exploding: Vec<TextSize>,
}

impl Template {
    /// Compile `text`, resolving dotted names rooted in `modules` as qualified names.
    pub fn compile(text: &str, modules: &FxHashSet<String>) -> Result<Template, String> {
        // TOML multi-line strings end with a newline that is not part of the replacement.
        let text = text.trim_end_matches(['\n', '\r']);
        let python = metavar::to_python(text).map_err(|offset| {
            format!("`$` at offset {offset} does not start a metavariable (`$NAME`, `$$$NAME`)")
        })?;
        let parsed = ruff_python_parser::parse_module(&python).map_err(|error| {
            format!(
                "the fix is not valid Python: {}",
                metavar::to_dollar(&error.error.to_string())
            )
        })?;
        let form = match &parsed.suite()[..] {
            [] => return Err("the fix is empty".to_owned()),
            [Stmt::Expr(_)] => Form::Expr,
            [_] => Form::Stmt,
            _ => Form::Stmts,
        };
        let mut chains = ChainFinder {
            modules,
            chains: Vec::new(),
            bare_names: Vec::new(),
        };
        chains.visit_body(parsed.suite());
        let mut lists = ListFinder { lists: Vec::new() };
        lists.visit_body(parsed.suite());
        let lists: Vec<TemplateList> = lists
            .lists
            .into_iter()
            .filter_map(|(open, tuple)| {
                let index = parsed.tokens().partition_point(|t| t.start() < open);
                let layout = ListLayout::at(parsed.tokens(), index)?;
                Some(TemplateList { layout, tuple })
            })
            .collect();
        let call = matches!(&parsed.suite()[..], [Stmt::Expr(stmt)] if stmt.value.is_call_expr());
        let pieces = build(&python, 0..python.len(), &lists, &chains.chains);
        let unit = text
            .lines()
            .skip(1)
            .map(|line| line.len() - line.trim_start_matches(' ').len())
            .filter(|width| *width > 0)
            .min()
            .unwrap_or(4);
        Ok(Template {
            text: text.to_owned(),
            form,
            pieces,
            unit,
            bare_names: chains.bare_names,
            call,
        })
    }

    /// The metavariables the template uses.
    pub fn metavars(&self) -> Vec<MetavarUse> {
        let mut uses: Vec<MetavarUse> = Vec::new();
        for_each_text(&self.pieces, &mut |piece| {
            if let Flat::Var(name, variadic) = piece
                && !uses.iter().any(|u| u.name == name)
            {
                uses.push(MetavarUse {
                    name: name.to_owned(),
                    variadic,
                });
            }
        });
        uses
    }

    /// Whether the template is one call expression (keywords can be added to it).
    pub fn is_call(&self) -> bool {
        self.call
    }

    /// Whether the rendered text spans several lines.
    pub fn is_multiline(&self) -> bool {
        self.text.trim_end().contains('\n')
    }

    /// The indentation at `site` of the template line where the metavariable `name` stands.
    pub fn indent_of(&self, name: &str, site: &Site<'_>) -> Option<String> {
        let mut width: Option<usize> = None;
        let mut found: Option<Option<usize>> = None;
        for_each_text(&self.pieces, &mut |piece| match piece {
            Flat::Text(text) => {
                if let Some(at) = text.rfind('\n') {
                    let line = &text[at + 1..];
                    width = Some(line.len() - line.trim_start_matches(' ').len());
                }
            }
            Flat::Var(var, _) if var == name && found.is_none() => found = Some(width),
            Flat::Var(..) => {}
        });
        Some(match found? {
            None => site.indent.to_owned(),
            Some(width) => self.indentation(width, site),
        })
    }

    /// The indentation at `site` of a template line indented by `width` spaces.
    fn indentation(&self, width: usize, site: &Site<'_>) -> String {
        format!(
            "{}{}{}",
            site.indent,
            site.unit.repeat(width / self.unit),
            " ".repeat(width % self.unit)
        )
    }

    /// Render the template. `spell` returns how a qualified name is written at the site, or
    /// `None` when it cannot be made reachable (the fix is then withheld).
    pub fn render(
        &self,
        env: &Env<'_, '_>,
        expansions: &Expansions,
        site: &Site<'_>,
        spell: &mut dyn FnMut(&str) -> Option<String>,
    ) -> Option<String> {
        let mut output = Output::new(site.indent);
        let mut fill = Fill {
            env,
            expansions,
            site,
            spell,
            exploding: Vec::new(),
        };
        self.render_pieces(&self.pieces, &mut output, &mut fill)?;
        Some(output.out)
    }

    fn render_pieces(
        &self,
        pieces: &[Piece],
        output: &mut Output,
        fill: &mut Fill<'_, '_, '_>,
    ) -> Option<()> {
        let site = fill.site;
        for (index, piece) in pieces.iter().enumerate() {
            if let Piece::Var { name, .. } = piece
                && let Some((_, expansion)) = fill.expansions.iter().find(|(n, _)| n == name)
            {
                let text = match expansion {
                    Expansion::Text(text) => text.clone(),
                    Expansion::Each(items) => {
                        let own_line = output
                            .out
                            .rsplit('\n')
                            .next()
                            .is_some_and(|l| l.trim().is_empty())
                            && match pieces.get(index + 1) {
                                Some(Piece::Text(next)) => next.starts_with(['\n', '\r']),
                                None => true,
                                _ => false,
                            };
                        let separator = if own_line {
                            format!("{}{}", site.newline, output.line_indent)
                        } else {
                            ", ".to_owned()
                        };
                        items.join(&separator)
                    }
                };
                if text.is_empty() {
                    drop_separator(&mut output.out, &mut output.skip_leading_comma);
                } else {
                    output.out.push_str(&text);
                }
                continue;
            }
            match piece {
                Piece::Text(text) => self.push_text_piece(output, text, site),
                Piece::Qualified(qualified) => output.out.push_str(&(fill.spell)(qualified)?),
                Piece::Var { name, .. } => {
                    let capture = fill.env.get(name)?;
                    if matches!(capture, Capture::Text(_)) {
                        // A condition's text is for messages: a fix using it has no code to write.
                        return None;
                    }
                    if capture.span().is_none() {
                        drop_separator(&mut output.out, &mut output.skip_leading_comma);
                        continue;
                    }
                    output
                        .out
                        .push_str(&capture_text(capture, site, &output.line_indent));
                }
                Piece::List(list) => self.render_list(list, output, fill)?,
            }
        }
        Some(())
    }

    fn push_text_piece(&self, output: &mut Output, text: &str, site: &Site<'_>) {
        let mut text = text;
        if std::mem::take(&mut output.skip_leading_comma) {
            let trimmed = text.trim_start();
            if let Some(rest) = trimmed.strip_prefix(',') {
                text = rest.trim_start_matches([' ', '\t']);
            }
        }
        self.push_template_text(&mut output.out, text, site, &mut output.line_indent);
    }

    /// A list: as its one source list was, one item a line, or as the template spells it.
    fn render_list(
        &self,
        list: &ListPiece,
        output: &mut Output,
        fill: &mut Fill<'_, '_, '_>,
    ) -> Option<()> {
        let site = fill.site;
        let sources: Vec<Option<ItemSource<'_, '_>>> = list
            .items
            .iter()
            .map(|item| item_source(item, fill, site))
            .collect();
        if let Some(layout) = whole_list(list, &sources, site.source)
            .filter(|layout| !fill.exploding.contains(&layout.open.start()))
        {
            // Every item of one source list, in order: that list as it was written, its closing
            // bracket as indented past the line it opens on as it was.
            let interior = TextRange::new(layout.open.end(), layout.close.start());
            output.out.push_str(&list.open);
            let indent = output.current_indent();
            let mut text = rebase(site, interior, &indent);
            if interior.len() > TextSize::new(0) && starts_line(site.source, layout.close.start()) {
                let opened = line_indent_at(site.source, layout.open.start());
                let closing = line_indent_at(site.source, layout.close.start());
                if let Some(deeper) = closing.strip_prefix(opened) {
                    let line = text.rfind('\n').map_or(0, |at| at + 1);
                    text.truncate(line);
                    text.push_str(&indent);
                    text.push_str(deeper);
                }
            }
            output.out.push_str(&text);
            output.out.push_str(&list.close);
            output.skip_leading_comma = false;
            return Some(());
        }
        // The source lists its items come from, and those the items of lists inside it come
        // from: one that breaks its lines (and that no enclosing list is written one item a line
        // for) makes this list one item a line.
        let mut nested: Vec<ItemSource<'_, '_>> = Vec::new();
        for item in &list.items {
            nested_sources(item, fill, site, &mut nested);
        }
        let broken = sources
            .iter()
            .flatten()
            .chain(&nested)
            .filter_map(|source| source.layout.as_ref())
            .find(|(layout, _)| {
                !fill.exploding.contains(&layout.open.start()) && layout.is_broken(site.source)
            })
            .map(|(layout, _)| layout.clone());
        let generator = sources.iter().flatten().any(|source| {
            matches!(source.capture, Capture::Seq(nodes) if nodes.iter().any(is_bare_generator))
                || matches!(source.capture, Capture::Node(node) if is_bare_generator(node))
        });
        // A list of one item is written on one line unless it is its source list whole.
        let items: usize = sources
            .iter()
            .map(|source| match source {
                Some(ItemSource {
                    layout: Some((_, range)),
                    ..
                }) => range.len(),
                Some(ItemSource { capture, .. }) => usize::from(capture.span().is_some()),
                None => 1,
            })
            .sum();
        let Some(layout) = broken.filter(|_| !generator && items > 1) else {
            // As the template spells it.
            self.push_text_piece(output, &list.open, site);
            self.push_text_piece(output, &list.lead, site);
            for (index, item) in list.items.iter().enumerate() {
                if index > 0 {
                    self.push_text_piece(output, &list.separators[index - 1], site);
                }
                self.render_pieces(item, output, fill)?;
            }
            self.push_text_piece(output, &list.trail, site);
            self.push_text_piece(output, &list.close, site);
            return Some(());
        };
        // One item a line, at the source list's indentation past the line it opens on.
        let close_indent = output.current_indent();
        let item_indent = format!("{close_indent}{}", hanging_indent(&layout, site));
        fill.exploding.push(layout.open.start());
        let mut lines: Vec<String> = Vec::new();
        for (item, source) in list.items.iter().zip(&sources) {
            match source {
                Some(ItemSource {
                    layout: Some((layout, range)),
                    ..
                }) => lines.extend(source_items(layout, range, site, &item_indent)),
                Some(ItemSource { capture, .. }) => {
                    if capture.span().is_some() {
                        lines.push(format!("{},", capture_text(capture, site, &item_indent)));
                    }
                }
                None => {
                    let mut part = Output::new(&item_indent);
                    self.render_pieces(item, &mut part, fill)?;
                    if !part.out.trim().is_empty() {
                        lines.push(format!("{},", part.out));
                    }
                }
            }
        }
        fill.exploding.pop();
        output.out.push_str(&list.open);
        for line in &lines {
            output.out.push_str(site.newline);
            output.out.push_str(&item_indent);
            output.out.push_str(line);
        }
        if !lines.is_empty() {
            output.out.push_str(site.newline);
            output.out.push_str(&close_indent);
        }
        output.out.push_str(&list.close);
        output.skip_leading_comma = false;
        Some(())
    }

    fn push_template_text(
        &self,
        out: &mut String,
        text: &str,
        site: &Site<'_>,
        line_indent: &mut String,
    ) {
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            out.push_str(first);
        }
        let mut lines = lines.peekable();
        while let Some(line) = lines.next() {
            out.push_str(site.newline);
            let content = line.trim_start_matches(' ');
            // A blank line inside the text stays blank; the last line's indentation is kept,
            // because a metavariable or qualified name follows it.
            if content.is_empty() && lines.peek().is_some() {
                continue;
            }
            *line_indent = self.indentation(line.len() - content.len(), site);
            out.push_str(line_indent);
            out.push_str(content);
        }
    }
}

/// Where a list item of the template comes from, when it is one capture.
struct ItemSource<'c, 't> {
    capture: &'c Capture<'t>,
    /// The source list the captured nodes are items of, and which items they are.
    layout: Option<(ListLayout, Range<usize>)>,
}

fn item_source<'c, 't>(
    item: &[Piece],
    fill: &Fill<'c, '_, 't>,
    site: &Site<'_>,
) -> Option<ItemSource<'c, 't>> {
    let [Piece::Var { name, .. }] = item else {
        return None;
    };
    if fill.expansions.iter().any(|(n, _)| n == name) {
        return None;
    }
    let capture = fill.env.get(name)?;
    if matches!(capture, Capture::Text(_)) {
        return None;
    }
    let ranges = capture.ranges();
    let layout = match capture {
        Capture::Node(_) | Capture::Seq(_) if !ranges.is_empty() => {
            ListLayout::around(site.tokens, &ranges)
        }
        _ => None,
    };
    Some(ItemSource { capture, layout })
}

/// The sources of the items of the lists inside `pieces` (an item of a list), at any depth.
fn nested_sources<'c, 't>(
    pieces: &[Piece],
    fill: &Fill<'c, '_, 't>,
    site: &Site<'_>,
    found: &mut Vec<ItemSource<'c, 't>>,
) {
    for piece in pieces {
        if let Piece::List(list) = piece {
            for item in &list.items {
                found.extend(item_source(item, fill, site));
                nested_sources(item, fill, site, found);
            }
        }
    }
}

/// The source list whose items the template list's items are, all of them in order (empty
/// captures aside), when there is one and its text can stand between the template's brackets.
fn whole_list<'l>(
    list: &ListPiece,
    sources: &'l [Option<ItemSource<'_, '_>>],
    source: &str,
) -> Option<&'l ListLayout> {
    let mut whole: Option<&ListLayout> = None;
    let mut next = 0;
    for item in sources {
        let item = item.as_ref()?;
        match &item.layout {
            Some((layout, range)) => {
                if whole.is_some_and(|w| w.open != layout.open) || range.start != next {
                    return None;
                }
                whole = Some(layout);
                next = range.end;
            }
            None if item.capture.span().is_none() => {}
            None => return None,
        }
    }
    let whole = whole?;
    let one_item_tuple = list.tuple && whole.items.len() == 1 && !whole.trailing_comma(source);
    (next == whole.items.len() && !one_item_tuple).then_some(whole)
}

/// A generator expression without its own parentheses: in a call, the only argument it can be,
/// and with no comma after it.
fn is_bare_generator(node: &AnyNodeRef<'_>) -> bool {
    matches!(node, AnyNodeRef::ExprGenerator(generator) if !generator.parenthesized)
}

/// How far past the line it opens on a list's items stand: as in the source, when its first item
/// starts a line deeper than the opening bracket's, else one indentation unit.
fn hanging_indent(layout: &ListLayout, site: &Site<'_>) -> String {
    let source = site.source;
    let opened = line_indent_at(source, layout.open.start());
    layout
        .items
        .first()
        .filter(|first| starts_line(source, first.start()))
        .and_then(|first| line_indent_at(source, first.start()).strip_prefix(opened))
        .filter(|deeper| !deeper.is_empty())
        .unwrap_or(site.unit)
        .to_owned()
}

/// Whether only blanks stand before `offset` on its line. Reads back from `offset` to the first
/// character that is not a blank: never the whole of a long line.
fn starts_line(source: &str, offset: TextSize) -> bool {
    source[..offset.to_usize()]
        .chars()
        .rev()
        .find(|c| !(c.is_whitespace() && *c != '\n' && *c != '\r'))
        .is_none_or(|c| c == '\n' || c == '\r')
}

/// The lines (each ending with its comma, and its comment) of the source items `range` of
/// `layout`, at `indent`: taken together, with what stands between them, when each starts its own
/// line (or there is one); else one a line.
fn source_items(
    layout: &ListLayout,
    range: &Range<usize>,
    site: &Site<'_>,
    indent: &str,
) -> Vec<String> {
    let (tokens, source) = (site.tokens, site.source);
    let line = |items: Range<usize>| {
        let start = layout.leading_comments(tokens, source, &items);
        let end = layout.items[items.end - 1].end();
        let mut text = rebase(site, TextRange::new(start, end), indent);
        text.push(',');
        if let Some(comment) = layout.trailing_comment(tokens, source, items.end - 1) {
            text.push_str(comment);
        }
        text
    };
    if range.is_empty() {
        return Vec::new();
    }
    let own_lines = range.len() == 1
        || layout.items[range.clone()]
            .iter()
            .all(|item| starts_line(source, item.start()));
    if own_lines {
        vec![line(range.clone())]
    } else {
        range.clone().map(|index| line(index..index + 1)).collect()
    }
}

/// Splitting the template text `python[range]` into pieces: the outermost lists in it, the
/// qualified names outside them, text and metavariables.
fn build(
    python: &str,
    range: Range<usize>,
    lists: &[TemplateList],
    chains: &[(TextRange, String)],
) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut at = range.start;
    loop {
        let within = |r: TextRange| r.start().to_usize() >= at && r.end().to_usize() <= range.end;
        let list = lists
            .iter()
            .filter(|list| within(list.span()))
            .min_by_key(|list| list.span().start());
        let chain = chains
            .iter()
            .filter(|(r, _)| within(*r))
            .min_by_key(|(r, _)| r.start());
        match (list, chain) {
            (Some(list), chain) if chain.is_none_or(|(r, _)| list.span().start() < r.start()) => {
                let layout = &list.layout;
                push_text(&mut pieces, &python[at..layout.open.start().to_usize()]);
                let text =
                    |from: TextSize, to: TextSize| python[TextRange::new(from, to)].to_owned();
                let items = &layout.items;
                pieces.push(Piece::List(Box::new(ListPiece {
                    open: python[layout.open].to_owned(),
                    lead: text(layout.open.end(), items[0].start()),
                    items: items
                        .iter()
                        .map(|item| {
                            build(
                                python,
                                item.start().to_usize()..item.end().to_usize(),
                                lists,
                                chains,
                            )
                        })
                        .collect(),
                    separators: items
                        .windows(2)
                        .map(|pair| text(pair[0].end(), pair[1].start()))
                        .collect(),
                    trail: text(items[items.len() - 1].end(), layout.close.start()),
                    close: python[layout.close].to_owned(),
                    tuple: list.tuple,
                })));
                at = layout.close.end().to_usize();
            }
            (_, Some((r, qualified))) => {
                push_text(&mut pieces, &python[at..r.start().to_usize()]);
                pieces.push(Piece::Qualified(qualified.clone()));
                at = r.end().to_usize();
            }
            (_, None) => {
                push_text(&mut pieces, &python[at..range.end]);
                return pieces;
            }
        }
    }
}

/// A list of the template that holds a metavariable in its items.
struct TemplateList {
    layout: ListLayout,
    tuple: bool,
}

impl TemplateList {
    fn span(&self) -> TextRange {
        TextRange::new(self.layout.open.start(), self.layout.close.end())
    }
}

/// Finds the lists of a template that hold a metavariable in their items: their opening
/// brackets, and whether each is a tuple.
struct ListFinder {
    lists: Vec<(TextSize, bool)>,
}

/// Whether a metavariable stands in `expr`.
fn has_metavar(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'a> SourceOrderVisitor<'a> for Finder {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Name(name) = expr
                && metavar::parse_placeholder(&name.id).is_some()
            {
                self.0 = true;
            }
            if !self.0 {
                source_order::walk_expr(self, expr);
            }
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

impl<'a> SourceOrderVisitor<'a> for ListFinder {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let found = match expr {
            Expr::Call(call)
                if call.arguments.args.iter().any(has_metavar)
                    || call
                        .arguments
                        .keywords
                        .iter()
                        .any(|k| has_metavar(&k.value)) =>
            {
                Some((call.arguments.start(), false))
            }
            Expr::List(list) if list.elts.iter().any(has_metavar) => Some((list.start(), false)),
            Expr::Set(set) if set.elts.iter().any(has_metavar) => Some((set.start(), false)),
            Expr::Tuple(tuple) if tuple.parenthesized && tuple.elts.iter().any(has_metavar) => {
                Some((tuple.start(), true))
            }
            _ => None,
        };
        self.lists.extend(found);
        source_order::walk_expr(self, expr);
    }
}

/// A piece as text or a metavariable, lists spelled out.
enum Flat<'p> {
    Text(&'p str),
    Var(&'p str, bool),
}

/// Each piece in order, as text (qualified names are none) or a metavariable.
fn for_each_text<'p>(pieces: &'p [Piece], f: &mut dyn FnMut(Flat<'p>)) {
    for piece in pieces {
        match piece {
            Piece::Text(text) => f(Flat::Text(text)),
            Piece::Var { name, variadic } => f(Flat::Var(name, *variadic)),
            Piece::Qualified(_) => {}
            Piece::List(list) => {
                f(Flat::Text(&list.open));
                f(Flat::Text(&list.lead));
                for (index, item) in list.items.iter().enumerate() {
                    if index > 0 {
                        f(Flat::Text(&list.separators[index - 1]));
                    }
                    for_each_text(item, f);
                }
                f(Flat::Text(&list.trail));
                f(Flat::Text(&list.close));
            }
        }
    }
}

/// An empty list takes one separating comma with it: the one before it, else the one after.
fn drop_separator(out: &mut String, skip_leading_comma: &mut bool) {
    let kept = out.trim_end_matches([' ', '\t']);
    if let Some(before_comma) = kept.strip_suffix(',') {
        out.truncate(before_comma.trim_end_matches([' ', '\t']).len());
    } else {
        *skip_leading_comma = true;
    }
}

fn push_text(pieces: &mut Vec<Piece>, python: &str) {
    if python.is_empty() {
        return;
    }
    let dollar = metavar::to_dollar(python);
    for piece in metavar::split(&dollar).unwrap_or_else(|_| vec![MetaPiece::Text(&dollar)]) {
        pieces.push(match piece {
            MetaPiece::Text(text) => Piece::Text(text.to_owned()),
            MetaPiece::Var { name, variadic } => Piece::Var {
                name: name.to_owned(),
                variadic,
            },
        });
    }
}

/// Finds the outermost dotted names rooted in a declared module, and the plain names.
struct ChainFinder<'m> {
    modules: &'m FxHashSet<String>,
    chains: Vec<(TextRange, String)>,
    bare_names: Vec<String>,
}

impl<'a> SourceOrderVisitor<'a> for ChainFinder<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Some(chain) = module_chain(AnyNodeRef::from(expr), self.modules) {
            let range = match (chain.tail, expr) {
                (Some(_), Expr::Attribute(attribute)) => attribute.value.range(),
                _ => expr.range(),
            };
            self.chains.push((range, chain.segments.join(".")));
            return;
        }
        if let Expr::Name(name) = expr
            && metavar::parse_placeholder(&name.id).is_none()
            && !self.bare_names.iter().any(|n| n == name.id.as_str())
        {
            self.bare_names.push(name.id.to_string());
        }
        source_order::walk_expr(self, expr);
    }
}

/// The indentation (leading blanks) of the line containing `offset`.
pub fn line_indent_at(source: &str, offset: TextSize) -> &str {
    let start = source[..offset.to_usize()]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let line = &source[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Whether the text between two list elements is only a separator, blanks and comments.
fn is_separator_gap(gap: &str) -> bool {
    let mut separators = 0;
    for line in gap.split('\n') {
        let code = match line.find('#') {
            Some(hash) => &line[..hash],
            None => line,
        };
        for c in code.chars() {
            match c {
                ',' | ';' => separators += 1,
                c if c.is_whitespace() || c == '\\' => {}
                _ => return false,
            }
        }
    }
    separators <= 1
}

/// The text of a capture, re-based from its own indentation to `indent`.
fn capture_text(capture: &Capture<'_>, site: &Site<'_>, indent: &str) -> String {
    let mut ranges = capture.ranges();
    if let Capture::Seq(nodes) = capture
        && nodes.first().is_some_and(|n| n.is_statement())
    {
        // Own-line comments right above the first statement belong to the block: keep them.
        let start = leading_comments_start(site.source, ranges[0].start());
        if start >= site.replaced.start() {
            ranges[0] = TextRange::new(start, ranges[0].end());
        }
    }
    // Parameters are written in one list, where `*` and `/` may stand between two of them.
    let parameters = matches!(capture, Capture::Seq(nodes) if nodes.first().is_some_and(|n| {
        matches!(n, AnyNodeRef::ParameterWithDefault(_) | AnyNodeRef::Parameter(_))
    }));
    let contiguous = parameters
        || ranges.windows(2).all(|pair| {
            is_separator_gap(&site.source[TextRange::new(pair[0].end(), pair[1].start())])
        });
    let rebase = |range: TextRange| rebase(site, range, indent);
    if contiguous {
        let span = TextRange::new(ranges[0].start(), ranges[ranges.len() - 1].end());
        rebase(span)
    } else {
        let parts: Vec<String> = ranges.into_iter().map(rebase).collect();
        parts.join(", ")
    }
}

/// The start of the comment-only lines directly above the line of `offset` (or `offset`).
fn leading_comments_start(source: &str, offset: TextSize) -> TextSize {
    let mut start = offset.to_usize();
    let mut line_begin = source[..start].rfind('\n').map_or(0, |i| i + 1);
    if !source[line_begin..start].trim().is_empty() {
        return offset;
    }
    while line_begin > 0 {
        let previous_begin = source[..line_begin - 1].rfind('\n').map_or(0, |i| i + 1);
        let previous = source[previous_begin..line_begin].trim();
        if !previous.starts_with('#') {
            break;
        }
        start = previous_begin
            + (source[previous_begin..].len() - source[previous_begin..].trim_start().len());
        line_begin = previous_begin;
    }
    TextSize::try_from(start).unwrap_or(offset)
}

fn rebase(site: &Site<'_>, range: TextRange, indent: &str) -> String {
    let text = &site.source[range];
    if !text.contains('\n') {
        return text.to_owned();
    }
    let base = line_indent_at(site.source, range.start());
    if base == indent {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut offset = range.start().to_usize();
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let in_string = site
            .strings
            .iter()
            .any(|s| s.start().to_usize() < offset && offset < s.end().to_usize());
        let rebased = (index > 0 && !in_string && !line.trim().is_empty())
            .then(|| line.strip_prefix(base))
            .flatten();
        match rebased {
            Some(rest) => {
                out.push_str(indent);
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
        offset += line.len();
    }
    out
}
