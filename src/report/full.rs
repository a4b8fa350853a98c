//! The `full` format: rustc-style reports with the annotated source, rendered by
//! codespan-reporting.
//!
//! Source text, paths and messages are shown escaped ([`super::terminal`]); line and column
//! numbers and carets still point at the original text.
//!
//! A finding on a very long line (minified or generated code) is shown with an excerpt of that
//! line around it ([`Excerpt`]): printed whole, the line would be repeated for every finding on
//! it, which on a megabyte-long line with hundreds of findings means minutes and gigabytes.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor::Buffer};
use rayon::prelude::*;

use super::terminal::{Escaped, escape};
use super::{FileReport, code_of};
use crate::base::diagnostic::{Applicability, Severity};

/// A finding touching a line longer than this many bytes is shown with an [`Excerpt`].
const LONG_LINE: usize = 400;
/// How many bytes of a long line an excerpt shows on either side of the finding (and of the
/// finding itself, at most [`LONG_LINE`]).
const EXCERPT_CONTEXT: usize = 80;
/// Marks where an excerpt cuts its line.
const CUT: &str = "…";

/// rustc-style reports with the annotated source.
pub fn full(files: &[FileReport], unsafe_fixes: bool, color: bool) -> String {
    // Files render independently, so they render in parallel and are joined in order.
    files
        .par_iter()
        .map(|file| full_file(file, unsafe_fixes, color))
        .collect::<Vec<String>>()
        .concat()
}

/// One file's source as codespan-reporting sees it: lines end at `\n`. Its offsets are the
/// original source's; codespan-reporting is given the escaped text and offsets into it.
struct Snippet<'a> {
    name: &'a str,
    source: &'a str,
    shown: Escaped<'a>,
    line_starts: Vec<usize>,
}

impl<'a> Snippet<'a> {
    fn new(name: &'a str, source: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', source.as_bytes()).map(|i| i + 1))
            .collect();
        Snippet {
            name,
            source,
            shown: Escaped::new(source),
            line_starts,
        }
    }

    /// The index of the line holding `offset`.
    fn index_of(&self, offset: usize) -> usize {
        self.line_starts
            .binary_search(&offset)
            .unwrap_or_else(|next_line| next_line - 1)
    }

    /// The line holding `offset`: its index, and its range without the line ending.
    fn line_of(&self, offset: usize) -> (usize, std::ops::Range<usize>) {
        let index = self.index_of(offset);
        let start = self.line_starts[index];
        let end = self.line_start(index + 1).unwrap_or(self.source.len());
        let text = &self.source[start..end];
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        (index, start..start + text.len())
    }

    fn line_start(&self, line_index: usize) -> Result<usize, FilesError> {
        match line_index.cmp(&self.line_starts.len()) {
            std::cmp::Ordering::Less => Ok(self.line_starts[line_index]),
            std::cmp::Ordering::Equal => Ok(self.source.len()),
            std::cmp::Ordering::Greater => Err(FilesError::LineTooLarge {
                given: line_index,
                max: self.line_starts.len() - 1,
            }),
        }
    }
}

impl<'a> Files<'a> for Snippet<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(&self.shown.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.index_of(self.shown.to_original(byte_index)))
    }

    fn column_number(
        &'a self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let start = self.line_start(line_index)?;
        let end = self.line_start(line_index + 1)?;
        let original = self.shown.to_original(byte_index).clamp(start, end);
        Ok(self.source[start..original].chars().count() + 1)
    }

    fn line_range(
        &'a self,
        (): (),
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let start = self.shown.to_shown(self.line_start(line_index)?);
        Ok(start..self.shown.to_shown(self.line_start(line_index + 1)?))
    }
}

/// A finding's long line as codespan-reporting is shown it: an excerpt around the finding, cut
/// at character boundaries and marked `…` where cut, standing for the original line (the line
/// and column numbers shown are the original's). A finding spanning several lines is shown on
/// its first line.
struct Excerpt<'a> {
    snippet: &'a Snippet<'a>,
    /// The original line's index, start and (cut) shown range.
    line_index: usize,
    line_start: usize,
    shown_start: usize,
    /// The excerpt line, escaped, with its `…` marks and a newline.
    text: String,
    /// Bytes before the shown text in `text` (the leading `…`, if any).
    lead: usize,
    /// The shown part of the line (original, escaped) with its offset map.
    shown: Escaped<'a>,
    /// The finding's range in `text`.
    label: std::ops::Range<usize>,
}

impl<'a> Excerpt<'a> {
    /// The excerpt for a finding covering `range` of the snippet, when a line it touches is
    /// longer than [`LONG_LINE`].
    fn of_long_line(snippet: &'a Snippet<'a>, range: std::ops::Range<usize>) -> Option<Self> {
        let (line_index, line) = snippet.line_of(range.start);
        let long = (line_index..=snippet.index_of(range.end)).any(|index| {
            let line = (snippet.line_start(index), snippet.line_start(index + 1));
            matches!(line, (Ok(start), Ok(end)) if end - start > LONG_LINE)
        });
        if !long {
            return None;
        }
        let source = snippet.source;
        let floor = |mut at: usize| {
            while !source.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let label_end = range.end.min(line.end).max(range.start);
        let shown_start = floor(range.start.saturating_sub(EXCERPT_CONTEXT).max(line.start));
        let shown_end = floor(
            (label_end + EXCERPT_CONTEXT)
                .min(range.start + LONG_LINE)
                .min(line.end),
        );
        let lead = if shown_start > line.start { CUT } else { "" };
        let trail = if shown_end < line.end { CUT } else { "" };
        let shown = Escaped::new(&source[shown_start..shown_end]);
        let text = format!("{lead}{}{trail}\n", shown.text);
        let at = |offset: usize| {
            lead.len() + shown.to_shown(offset.clamp(shown_start, shown_end) - shown_start)
        };
        Some(Excerpt {
            snippet,
            line_index,
            line_start: line.start,
            shown_start,
            label: at(range.start)..at(label_end),
            lead: lead.len(),
            shown,
            text,
        })
    }
}

impl<'a> Files<'a> for Excerpt<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(self.snippet.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), _byte_index: usize) -> Result<usize, FilesError> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), _line_index: usize) -> Result<usize, FilesError> {
        Ok(self.line_index + 1)
    }

    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let original =
            self.shown_start + self.shown.to_original(byte_index.saturating_sub(self.lead));
        let source = self.snippet.source;
        Ok(source[self.line_start..original.min(source.len())]
            .chars()
            .count()
            + 1)
    }

    fn line_range(
        &'a self,
        (): (),
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        match line_index {
            0 => Ok(0..self.text.len()),
            _ => Err(FilesError::LineTooLarge {
                given: line_index,
                max: 0,
            }),
        }
    }
}

/// [`full`] for one file.
fn full_file(file: &FileReport, unsafe_fixes: bool, color: bool) -> String {
    if file.diagnostics.is_empty() {
        return String::new();
    }
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = term::Config::default();
    let source = file.source.as_deref().unwrap_or("");
    let name = escape(&file.path);
    let snippet = Snippet::new(&name, source);
    for d in &file.diagnostics {
        let base = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
            Severity::Info => CsDiagnostic::note(),
        };
        let mut rendered = base
            .with_message(escape(&d.message))
            .with_code(escape(code_of(d)));
        let start = d.range.start().to_usize().min(source.len());
        let end = d.range.end().to_usize().min(source.len()).max(start);
        let excerpt = Excerpt::of_long_line(&snippet, start..end);
        let label = match &excerpt {
            Some(excerpt) => excerpt.label.clone(),
            None => snippet.shown.to_shown(start)..snippet.shown.to_shown(end),
        };
        rendered = rendered.with_labels(vec![Label::primary((), label)]);
        let mut notes = Vec::new();
        if let Some(help) = &d.help {
            notes.push(format!("help: {}", escape(help)));
        }
        if let Some(fix) = &d.fix {
            let kind = match (fix.applicability, unsafe_fixes) {
                (Applicability::Safe, _) => "safe fix",
                (Applicability::Unsafe, true) => "unsafe fix",
                (Applicability::Unsafe, false) => "unsafe fix, available with `--unsafe-fixes`",
            };
            notes.push(format!("{kind}: {}", escape(&fix.title)));
            if let Some(main) = fix
                .edits
                .iter()
                .find(|e| !e.range.is_empty() || fix.edits.len() == 1)
            {
                let start = main.range.start().to_usize().min(source.len());
                notes.push(format!(
                    "suggested replacement:\n{}",
                    replacement(source, start, &escape(&main.content))
                ));
            }
        }
        rendered = rendered.with_notes(notes);
        let _ = match &excerpt {
            Some(excerpt) => term::emit(&mut buffer, &config, excerpt, &rendered),
            None => term::emit(&mut buffer, &config, &snippet, &rendered),
        };
    }
    String::from_utf8(buffer.into_inner())
        .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

/// A fix's replacement `content`, which goes at offset `start` of `source`, as a block under its
/// note: a replacement of several lines has every line at the indentation it will have in the
/// file (its first line is shifted right by the text before `start` on that line, as blanks;
/// the others carry their own indentation), so that its lines line up as they will in the file.
fn replacement(source: &str, start: usize, content: &str) -> String {
    let shift: String = if content.contains('\n') {
        let line_start = source[..start].rfind('\n').map_or(0, |at| at + 1);
        (source[line_start..start].chars())
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect()
    } else {
        String::new()
    };
    content
        .lines()
        .enumerate()
        .map(|(number, line)| match number {
            0 => format!("    {shift}{line}"),
            _ => format!("    {line}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
