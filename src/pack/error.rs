//! Errors in rule packs and configuration files, rendered like rustc with the offending line.

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::Buffer};

use crate::base::bounded::TOML_LIMIT;

/// An error located in a TOML file (a rule pack or a configuration file). Boxed: one pointer wide.
#[derive(Debug, Clone)]
pub struct SourceError {
    inner: Box<Details>,
}

/// What a [`SourceError`] says and where.
#[derive(Debug, Clone)]
pub struct Details {
    pub path: String,
    pub source: String,
    pub span: Option<Range<usize>>,
    pub message: String,
    pub label: String,
    pub notes: Vec<String>,
}

impl std::ops::Deref for SourceError {
    type Target = Details;

    fn deref(&self) -> &Details {
        &self.inner
    }
}

impl SourceError {
    pub fn new(
        path: &str,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        SourceError {
            inner: Box::new(Details {
                path: path.to_owned(),
                source: source.to_owned(),
                span,
                message: message.into(),
                label: String::new(),
                notes: Vec::new(),
            }),
        }
    }

    /// An error at `span` of `text` that names the line and column but quotes nothing of the
    /// file: for a file that does not look like what it was read as, which may be anything a
    /// path can lead to (a secret, the process's environment).
    pub fn unquoted(
        path: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: impl std::fmt::Display,
    ) -> Self {
        let located = SourceError::new(path, text, span, "").location();
        SourceError::new(
            path,
            "",
            None,
            format!("{located}: {message}; its content is not shown"),
        )
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.inner.label = label.into();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.inner.notes.push(note.into());
        self
    }

    /// The error message, without location.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// `path:line:column` of the error's start.
    pub fn location(&self) -> String {
        match &self.span {
            Some(span) => {
                let before = &self.source[..span.start.min(self.source.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("{}:{line}:{column}", self.path)
            }
            None => self.path.clone(),
        }
    }

    /// Render the error with the annotated source line.
    pub fn render(&self, color: bool) -> String {
        let file = SimpleFile::new(self.path.as_str(), self.source.as_str());
        let mut diagnostic = Diagnostic::error().with_message(&self.message);
        if let Some(span) = &self.span {
            let end = span.end.min(self.source.len());
            let start = span.start.min(end);
            diagnostic = diagnostic.with_labels(vec![
                Label::primary((), start..end).with_message(&self.label),
            ]);
        }
        diagnostic = diagnostic.with_notes(self.notes.clone());
        let mut buffer = if color {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        let config = term::Config::default();
        if term::emit(&mut buffer, &config, &file, &diagnostic).is_err() {
            return format!("error: {}: {}", self.location(), self.message);
        }
        String::from_utf8_lossy(buffer.as_slice()).into_owned()
    }
}

/// The text of `path`, a regular UTF-8 file of at most [`TOML_LIMIT`] bytes, or an error naming
/// `what` it is (`rule pack`, `configuration file`).
pub fn read_text(path: &std::path::Path, what: &str) -> Result<String, SourceError> {
    crate::base::bounded::read_text(path, TOML_LIMIT).map_err(|e| {
        let shown = path.display().to_string();
        SourceError::new(
            &shown,
            "",
            None,
            format!("cannot read the {what} {shown}: {e}"),
        )
    })
}

/// Whether a line of `text` starts (after blanks) with one of `markers`, table headers (`[pack]`)
/// or keys (`select`, then `=` or `.`) that only a file of the expected kind has. An error quotes
/// a file's lines only when it does.
pub fn looks_like(text: &str, markers: &[&str]) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        markers
            .iter()
            .any(|marker| match line.strip_prefix(marker) {
                Some(_) if marker.starts_with('[') => true,
                Some(rest) => rest.trim_start().starts_with(['=', '.']),
                None => false,
            })
    })
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

impl std::error::Error for SourceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_with_the_expected_headers_or_keys_look_like_them() {
        let markers = &["[pack]", "select"];
        assert!(looks_like("# a pack\n  [pack]\nname = 1", markers));
        assert!(looks_like("select = [\"A\"]", markers));
        assert!(looks_like("select.x = 1", markers));
        assert!(!looks_like(
            "selected: yes\nroot:$6$salt$hash:19000::",
            markers
        ));
        assert!(!looks_like("PATH=/bin\0TOKEN=secret", markers));
    }
}
