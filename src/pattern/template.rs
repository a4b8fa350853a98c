//! Fix templates: Python with metavariables, rendered into replacement text.
//!
//! A template is compiled once: parsed (so a template that is not Python is refused when the pack
//! loads), split into literal text, metavariables and *qualified names* (dotted names rooted in a
//! module the pack declares, such as `pkg.scope`). Rendering pastes each capture back as the
//! user's original text, spells each qualified name the way the file can reach it (asking the
//! caller, which also plans the import), re-indents template lines to the site with the file's own
//! indentation unit and line ending, and re-bases multi-line captures to their new indentation
//! (never touching lines inside multi-line strings).

use ruff_python_ast::{
    AnyNodeRef, Expr, Stmt,
    visitor::source_order::{self, SourceOrderVisitor},
};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashSet;

use crate::pattern::matcher::{Capture, Env, module_chain};
use crate::pattern::metavar::{self, Piece as MetaPiece};
use crate::pattern::{Form, MetavarUse};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var { name: String, variadic: bool },
    Qualified(String),
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
        let call = matches!(&parsed.suite()[..], [Stmt::Expr(stmt)] if stmt.value.is_call_expr());
        let mut pieces = Vec::new();
        let mut at = 0usize;
        for (range, qualified) in chains.chains {
            push_text(&mut pieces, &python[at..range.start().to_usize()]);
            pieces.push(Piece::Qualified(qualified));
            at = range.end().to_usize();
        }
        push_text(&mut pieces, &python[at..]);
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
        for piece in &self.pieces {
            if let Piece::Var { name, variadic } = piece
                && !uses.iter().any(|u| &u.name == name)
            {
                uses.push(MetavarUse {
                    name: name.clone(),
                    variadic: *variadic,
                });
            }
        }
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

    /// Render the template. `spell` returns how a qualified name is written at the site, or
    /// `None` when it cannot be made reachable (the fix is then withheld).
    pub fn render(
        &self,
        env: &Env<'_, '_>,
        expansions: &Expansions,
        site: &Site<'_>,
        spell: &mut dyn FnMut(&str) -> Option<String>,
    ) -> Option<String> {
        let mut out = String::new();
        let mut line_indent = site.indent.to_owned();
        let mut skip_leading_comma = false;
        for (index, piece) in self.pieces.iter().enumerate() {
            if let Piece::Var { name, .. } = piece
                && let Some((_, expansion)) = expansions.iter().find(|(n, _)| n == name)
            {
                let text = match expansion {
                    Expansion::Text(text) => text.clone(),
                    Expansion::Each(items) => {
                        let own_line = out.rsplit('\n').next().is_some_and(|l| l.trim().is_empty())
                            && match self.pieces.get(index + 1) {
                                Some(Piece::Text(next)) => next.starts_with(['\n', '\r']),
                                None => true,
                                _ => false,
                            };
                        let separator = if own_line {
                            format!("{}{line_indent}", site.newline)
                        } else {
                            ", ".to_owned()
                        };
                        items.join(&separator)
                    }
                };
                if text.is_empty() {
                    drop_separator(&mut out, &mut skip_leading_comma);
                } else {
                    out.push_str(&text);
                }
                continue;
            }
            match piece {
                Piece::Text(text) => {
                    let mut text = text.as_str();
                    if std::mem::take(&mut skip_leading_comma) {
                        let trimmed = text.trim_start();
                        if let Some(rest) = trimmed.strip_prefix(',') {
                            text = rest.trim_start_matches([' ', '\t']);
                        }
                    }
                    self.push_template_text(&mut out, text, site, &mut line_indent);
                }
                Piece::Qualified(qualified) => out.push_str(&spell(qualified)?),
                Piece::Var { name, .. } => {
                    let capture = env.get(name)?;
                    if matches!(capture, Capture::Text(_)) {
                        // A condition's text is for messages: a fix using it has no code to write.
                        return None;
                    }
                    if capture.span().is_none() {
                        drop_separator(&mut out, &mut skip_leading_comma);
                        continue;
                    }
                    out.push_str(&capture_text(capture, site, &line_indent));
                }
            }
        }
        Some(out)
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
            let width = line.len() - content.len();
            let levels = width / self.unit;
            let extra = width % self.unit;
            *line_indent = format!(
                "{}{}{}",
                site.indent,
                site.unit.repeat(levels),
                " ".repeat(extra)
            );
            out.push_str(line_indent);
            out.push_str(content);
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
