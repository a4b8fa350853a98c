//! Diagnostics, fixes and edits: what a check produces, independent of how it is printed.
//!
//! Modelled on Ruff's `ruff_diagnostics`: a [`Fix`] is a set of [`Edit`]s applied together, with an
//! [`Applicability`] that says whether `--fix` may apply it on its own.

use ruff_text_size::{TextRange, TextSize};

use serde::Deserialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Whether `--fix` may apply a fix on its own (`Safe`), or only with `--unsafe-fixes`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Safe,
    Unsafe,
}

/// A rule by position: pack index and rule index in the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleRef {
    pub pack: u32,
    pub rule: u32,
}

/// The code of the unused-suppression rule, which the engine itself implements.
pub const UNUSED_NOQA: &str = "NQA100";
/// The name of the unused-suppression rule.
pub const UNUSED_NOQA_NAME: &str = "unused-noqa";
/// Codes of the rules the engine itself implements: no pack may take them.
pub const ENGINE_CODES: &[&str] = &[UNUSED_NOQA];

/// Replace `range` with `content` (an insertion when the range is empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replace(range: TextRange, content: impl Into<String>) -> Edit {
        Edit {
            range,
            content: content.into(),
        }
    }

    pub fn insert(at: TextSize, content: impl Into<String>) -> Edit {
        Edit {
            range: TextRange::empty(at),
            content: content.into(),
        }
    }

    pub fn delete(range: TextRange) -> Edit {
        Edit {
            range,
            content: String::new(),
        }
    }

    /// Sort key: by start, then end, then content.
    pub fn key(&self) -> (TextSize, TextSize, &str) {
        (self.range.start(), self.range.end(), &self.content)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    /// Sorted by range, non-overlapping.
    pub edits: Vec<Edit>,
    pub title: String,
}

/// What produced a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Rule(RuleRef),
    /// The file does not parse.
    SyntaxError,
    /// The file could not be read or is not UTF-8 text.
    FileError,
    /// A suppression comment that suppressed nothing (the engine's own rule).
    Suppression,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub origin: Origin,
    /// The rule code (`AIO101`); `None` for syntax and file errors.
    pub code: Option<String>,
    /// Other tools' codes for the rule's check (its `aliases`).
    pub aliases: Vec<String>,
    pub name: Option<String>,
    pub message: String,
    pub severity: Severity,
    pub range: TextRange,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    pub url: Option<String>,
}

impl Diagnostic {
    /// A diagnostic that is not a rule finding (syntax or file error).
    pub fn error(origin: Origin, range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            origin,
            code: None,
            aliases: Vec::new(),
            name: None,
            message: message.into(),
            severity: Severity::Error,
            range,
            help: None,
            fix: None,
            url: None,
        }
    }

    /// Whether the fix would be applied with these settings.
    pub fn fix_applies(&self, unsafe_fixes: bool) -> bool {
        self.fix
            .as_ref()
            .is_some_and(|fix| fix.applicability == Applicability::Safe || unsafe_fixes)
    }
}
