//! One open document checked, and what the editor asks of the result: its findings as LSP
//! diagnostics, the code actions at a range (a finding's fix, a `# noqa` directive for it, and
//! every fix at once as `--fix` applies them), and the documentation of the rule a position
//! names.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DiagnosticSeverity, DiagnosticTag, Hover,
    HoverContents, MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Url,
    WorkspaceEdit,
};
use ruff_text_size::TextRange;

use crate::analysis::project::{InProject, Project};
use crate::base::diagnostic::{Applicability, Diagnostic, Edit, Origin, Severity};
use crate::base::source::SourceText;
use crate::engine::{self, noqa};
use crate::linter;
use crate::ruleset::RuleSet;

use super::text::{Document, Encoding};
use super::workspace::Governing;

/// The name of the server, as diagnostics give their source.
pub const SOURCE: &str = "anyio-lint";

/// The kind of the code action that applies every fix, as `--fix` does.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.anyio-lint")
}

/// A document checked: the text it was checked as, what governed it, and the findings.
pub struct Linted {
    /// The document's version and the settings' generation the findings are of.
    pub version: i32,
    pub generation: u64,
    /// The file name the document was checked under (a configuration file a rule reads is
    /// checked as its entries).
    name: String,
    path: Option<PathBuf>,
    /// The text as the engine reads it (no byte-order mark, a bare `\r` read as `\n`), and how
    /// many bytes the document's text has before it (a byte-order mark).
    source: SourceText,
    shift: usize,
    rules: Arc<RuleSet>,
    unsafe_fixes: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// The codes of `# noqa` directives that suppress nothing (a directive a quick fix adds a
    /// code to loses them, as with `--add-noqa`).
    stale_codes: Vec<noqa::StaleCodes>,
}

/// What a check of one document needs besides the document.
pub struct Target<'a> {
    pub uri: &'a Url,
    pub path: Option<&'a Path>,
    pub governing: Governing,
    pub generation: u64,
    /// The workspace's Python files: the modules of the project the document is checked in.
    pub project: &'a [PathBuf],
}

/// The name a document is checked under: its file's name, else the last segment of its URI.
pub fn document_name(uri: &Url, path: Option<&Path>) -> String {
    match path {
        Some(path) => path.to_string_lossy().into_owned(),
        None => uri
            .path_segments()
            .and_then(|mut segments| segments.next_back().map(str::to_owned))
            .unwrap_or_else(|| "untitled.py".to_owned()),
    }
}

/// Whether the server checks a document: Python (by its language or its name), or a
/// configuration file that a loaded rule reads.
pub fn is_checked(document: &Document, name: &str, rules: &RuleSet) -> bool {
    document.language == "python"
        || name.ends_with(".py")
        || name.ends_with(".pyi")
        || rules.config_file_name(name).is_some()
}

/// Run `action` with the document at `path` as a file of the project of the workspace's
/// `files` (added to them when it is new).
fn in_project<R>(
    files: &[PathBuf],
    path: Option<&Path>,
    action: impl FnOnce(Option<InProject<'_>>) -> R,
) -> R {
    let Some(path) = path else {
        return action(None);
    };
    let mut paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let index = match paths.iter().position(|p| *p == path) {
        Some(index) => index,
        None => {
            paths.push(path);
            paths.len() - 1
        }
    };
    let project = Project::new(paths);
    action(project.file(index))
}

/// Check `document`.
pub fn lint(document: &Document, target: Target<'_>) -> Linted {
    let name = document_name(target.uri, target.path);
    let (source, shift) = engine_text(&document.text);
    let Governing {
        settings,
        rules,
        unsafe_fixes,
    } = target.governing;
    let excluded = target
        .path
        .is_some_and(|path| settings.excludes_path_or_parent(path));
    let checked = if excluded || !is_checked(document, &name, &rules) {
        engine::Checked::default()
    } else {
        in_project(target.project, target.path, |project| {
            engine::check_named_in(&rules, &name, &source.text, &[], project)
        })
    };
    Linted {
        version: document.version,
        generation: target.generation,
        name,
        path: target.path.map(Path::to_path_buf),
        source,
        shift,
        rules,
        unsafe_fixes,
        diagnostics: checked.diagnostics,
        stale_codes: checked.stale_codes,
    }
}

/// The text the engine reads for a document's text, and how many bytes precede it there.
fn engine_text(text: &str) -> (SourceText, usize) {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => (SourceText::of_text(rest.to_owned(), true), 3),
        None => (SourceText::of_text(text.to_owned(), false), 0),
    }
}

impl Linted {
    fn range(&self, document: &Document, range: TextRange, encoding: Encoding) -> Range {
        let start = usize::from(range.start()) + self.shift;
        let end = usize::from(range.end()) + self.shift;
        document
            .lines()
            .range(&document.text, (start, end), encoding)
    }

    fn text_edit(&self, document: &Document, edit: &Edit, encoding: Encoding) -> TextEdit {
        TextEdit::new(
            self.range(document, edit.range, encoding),
            edit.content.clone(),
        )
    }

    /// The findings as LSP diagnostics.
    pub fn lsp_diagnostics(
        &self,
        document: &Document,
        encoding: Encoding,
    ) -> Vec<lsp_types::Diagnostic> {
        self.diagnostics
            .iter()
            .map(|d| self.lsp_diagnostic(document, d, encoding))
            .collect()
    }

    fn lsp_diagnostic(
        &self,
        document: &Document,
        diagnostic: &Diagnostic,
        encoding: Encoding,
    ) -> lsp_types::Diagnostic {
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        lsp_types::Diagnostic {
            range: self.range(document, diagnostic.range, encoding),
            severity: Some(match diagnostic.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: diagnostic.code.clone().map(NumberOrString::String),
            code_description: diagnostic
                .url
                .as_deref()
                .and_then(|url| Url::parse(url).ok())
                .map(|href| lsp_types::CodeDescription { href }),
            source: Some(SOURCE.to_owned()),
            message,
            related_information: None,
            tags: (diagnostic.origin == Origin::Suppression)
                .then(|| vec![DiagnosticTag::UNNECESSARY]),
            data: None,
        }
    }

    /// The findings whose ranges meet `range` (a position inside a finding, or at either end).
    fn at<'a>(
        &'a self,
        document: &'a Document,
        range: Range,
        encoding: Encoding,
    ) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.diagnostics.iter().filter(move |d| {
            let at = self.range(document, d.range, encoding);
            at.start <= range.end && range.start <= at.end
        })
    }

    /// The code actions at `range`, of the kinds `only` allows (every kind when `None`).
    pub fn code_actions(
        &self,
        document: &Document,
        uri: &Url,
        (range, only): (Range, Option<&[CodeActionKind]>),
        encoding: Encoding,
        project: &[PathBuf],
    ) -> Vec<CodeActionOrCommand> {
        let allows = |kind: &CodeActionKind| {
            only.is_none_or(|only| {
                only.iter().any(|o| {
                    kind.as_str() == o.as_str()
                        || kind.as_str().starts_with(&format!("{}.", o.as_str()))
                })
            })
        };
        let mut actions = Vec::new();
        if allows(&CodeActionKind::QUICKFIX) {
            for diagnostic in self.at(document, range, encoding) {
                actions.extend(self.quick_fix(document, uri, diagnostic, encoding));
                actions.extend(self.suppression(document, uri, diagnostic, encoding));
            }
        }
        let fixable = self
            .diagnostics
            .iter()
            .any(|d| d.fix_applies(self.unsafe_fixes));
        // Asked for by name (on save), or offered beside the quick fixes when one applies.
        let named = only.is_some_and(|only| !only.is_empty());
        if allows(&fix_all_kind()) && (named || fixable) {
            actions.extend(self.fix_all(document, uri, project, encoding));
        }
        actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    fn workspace_edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
        WorkspaceEdit {
            changes: Some([(uri.clone(), edits)].into_iter().collect()),
            ..WorkspaceEdit::default()
        }
    }

    /// A quick fix titled `title` that makes `edits` for `diagnostic`.
    fn quick_fix_action(
        &self,
        (document, uri): (&Document, &Url),
        diagnostic: &Diagnostic,
        (title, edits, preferred): (String, &[Edit], bool),
        encoding: Encoding,
    ) -> CodeAction {
        let edits = edits
            .iter()
            .map(|edit| self.text_edit(document, edit, encoding))
            .collect();
        CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![self.lsp_diagnostic(document, diagnostic, encoding)]),
            edit: Some(Self::workspace_edit(uri, edits)),
            is_preferred: Some(preferred),
            ..CodeAction::default()
        }
    }

    /// The finding's fix, when the settings allow it (an unsafe one only with unsafe fixes).
    fn quick_fix(
        &self,
        document: &Document,
        uri: &Url,
        diagnostic: &Diagnostic,
        encoding: Encoding,
    ) -> Option<CodeAction> {
        if !diagnostic.fix_applies(self.unsafe_fixes) {
            return None;
        }
        let fix = diagnostic.fix.as_ref()?;
        let safe = fix.applicability == Applicability::Safe;
        let code = diagnostic.code.as_deref().unwrap_or("fix");
        let title = if safe {
            format!("{code}: {}", fix.title)
        } else {
            format!("{code}: {} (unsafe fix)", fix.title)
        };
        let action = (title, fix.edits.as_slice(), safe);
        Some(self.quick_fix_action((document, uri), diagnostic, action, encoding))
    }

    /// A `# noqa` directive for the finding of a rule.
    fn suppression(
        &self,
        document: &Document,
        uri: &Url,
        diagnostic: &Diagnostic,
        encoding: Encoding,
    ) -> Option<CodeAction> {
        let code = match (diagnostic.origin, &diagnostic.code) {
            (Origin::Rule(_), Some(code)) => code,
            _ => return None,
        };
        let edits = engine::suppression_edits(
            &self.rules,
            &self.name,
            &self.source.text,
            (std::slice::from_ref(diagnostic), &self.stale_codes),
        );
        if edits.is_empty() {
            return None;
        }
        let title = format!("{code}: suppress with `# noqa: {code}`");
        let action = (title, edits.as_slice(), false);
        Some(self.quick_fix_action((document, uri), diagnostic, action, encoding))
    }

    /// Every fix, applied as `check --fix` applies them (the fix loop, to a fixpoint), as one
    /// edit of the whole document; `None` when nothing would change.
    fn fix_all(
        &self,
        document: &Document,
        uri: &Url,
        project: &[PathBuf],
        encoding: Encoding,
    ) -> Option<CodeAction> {
        let edit = self.fixed_text(project).map(|fixed| {
            let whole = document
                .lines()
                .range(&document.text, (0, document.text.len()), encoding);
            TextEdit::new(whole, fixed)
        })?;
        let title = if self.unsafe_fixes {
            "anyio-lint: apply all fixes (unsafe ones included)"
        } else {
            "anyio-lint: apply all safe fixes"
        };
        Some(CodeAction {
            title: title.to_owned(),
            kind: Some(fix_all_kind()),
            edit: Some(Self::workspace_edit(uri, vec![edit])),
            ..CodeAction::default()
        })
    }

    /// The document's text after `--fix`, as the client holds it (its byte-order mark and line
    /// breaks kept), when it changes.
    pub fn fixed_text(&self, project: &[PathBuf]) -> Option<String> {
        if self.diagnostics.is_empty() {
            return None;
        }
        let outcome = in_project(project, self.path.as_deref(), |project| {
            linter::fix_named_in(
                &self.rules,
                &self.name,
                &self.source.text,
                self.unsafe_fixes,
                project,
            )
        });
        if outcome.text == self.source.text {
            return None;
        }
        let mut bytes = self.source.encode(&outcome.text);
        if self.shift == 0 && bytes.starts_with("\u{feff}".as_bytes()) {
            bytes.drain(..3);
        }
        String::from_utf8(bytes).ok()
    }

    /// The documentation of the rule named at `position`: a code in a `# noqa` directive, else
    /// the rules of the findings there.
    pub fn hover(
        &self,
        document: &Document,
        position: Position,
        encoding: Encoding,
    ) -> Option<Hover> {
        let offset = document.lines().offset(&document.text, position, encoding);
        let codes = match directive_code_at(&document.text, offset) {
            Some(code) => vec![code],
            None => {
                let mut codes: Vec<String> = self
                    .at(document, Range::new(position, position), encoding)
                    .filter_map(|d| d.code.clone())
                    .collect();
                codes.dedup();
                codes
            }
        };
        let pages: Vec<String> = codes
            .iter()
            .filter_map(|c| rule_page(&self.rules, c))
            .collect();
        if pages.is_empty() {
            return None;
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: pages.join("\n---\n\n"),
            }),
            range: None,
        })
    }
}

/// The rule code at `offset` when it stands in a `# noqa` directive of its line.
fn directive_code_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |at| at + 1);
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |at| offset + at);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    let is_code = |c: char| c.is_ascii_alphanumeric();
    let start = line[..at].rfind(|c: char| !is_code(c)).map_or(0, |i| i + 1);
    let end = line[at..]
        .find(|c: char| !is_code(c))
        .map_or(line.len(), |i| at + i);
    if start == end {
        return None;
    }
    let before = line[..start].to_ascii_lowercase();
    let hash = before.rfind('#')?;
    let directive = before[hash + 1..].trim_start();
    let listed = directive
        .strip_prefix("noqa")?
        .trim_start()
        .strip_prefix(':')?;
    listed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ',' || c.is_whitespace())
        .then(|| line[start..end].to_owned())
}

/// The documentation page of the rule with this code or alias.
fn rule_page(rules: &RuleSet, code: &str) -> Option<String> {
    if code == crate::base::diagnostic::UNUSED_NOQA {
        return Some(crate::report::rule_docs::unused_noqa_page());
    }
    rules.packs.iter().find_map(|pack| {
        let rule = pack
            .rules
            .iter()
            .find(|r| r.code == code || r.aliases.iter().any(|a| a == code))?;
        Some(crate::report::rule_docs::rule_page(pack, rule))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_in_a_noqa_directive_is_found_at_any_of_its_characters() {
        let text = "x = 1  # noqa: ASY100, ANY201\n";
        let first = text.find("ASY").unwrap();
        for offset in first..first + 6 {
            assert_eq!(directive_code_at(text, offset).as_deref(), Some("ASY100"));
        }
        let second = text.find("ANY").unwrap() + 2;
        assert_eq!(directive_code_at(text, second).as_deref(), Some("ANY201"));
        assert_eq!(directive_code_at(text, 0), None);
        assert_eq!(directive_code_at("f(ASY100)  # comment\n", 3), None);
        assert_eq!(directive_code_at("x  # type: ASY100\n", 12), None);
    }
}
