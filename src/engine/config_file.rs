//! One configuration file (INI or TOML): read as its entries, each entry tried against the
//! enabled rules that read a file of its name, findings made with their messages and fixes
//! (rename the key, rewrite the value, remove the entry's lines), then `# noqa` suppressions.
//! A file that does not read as its format is one finding, as a Python syntax error is.

use ruff_text_size::{TextRange, TextSize};

use crate::analysis::config_file::{ConfigFile, Entry, Format};
use crate::base::diagnostic::{Applicability, Diagnostic, Edit, Fix, Origin};
use crate::condition::setting::Captured;
use crate::pack::SettingFix;
use crate::ruleset::{RuleRef, RuleSet};

use super::Checked;
use super::findings::{self, interpolate_with};
use super::noqa::{self, Lines};

/// The enabled rules that read a file named `name`, and the formats they read it in.
fn live(rules: &RuleSet, name: &str) -> (Vec<RuleRef>, Vec<Format>) {
    let mut live = Vec::new();
    let mut formats = Vec::new();
    for &rule_ref in rules.setting_rules() {
        let rule = rules.rule(rule_ref);
        let Some(setting) = &rule.setting else {
            continue;
        };
        let mut reads = false;
        for (file, format) in setting.files() {
            if file == name {
                reads = true;
                if !formats.contains(&format) {
                    formats.push(format);
                }
            }
        }
        if reads && rule.matching.rest.holds_for_project(rules.versions()) {
            live.push(rule_ref);
        }
    }
    formats.sort();
    (live, formats)
}

/// Check the text of the configuration file named `name` (its file name) with the enabled rules
/// that read it; `disabled_fixes` lists rules whose fixes are not offered.
pub fn check_config(
    rules: &RuleSet,
    name: &str,
    source: &str,
    disabled_fixes: &[RuleRef],
) -> Checked {
    read_and_check(rules, name, source, disabled_fixes).0
}

/// [`check_config`], with the file as read in its first format (for `noqa` directives).
pub fn read_and_check(
    rules: &RuleSet,
    name: &str,
    source: &str,
    disabled_fixes: &[RuleRef],
) -> (Checked, Option<ConfigFile>) {
    let (live, formats) = live(rules, name);
    if live.is_empty() {
        return (Checked::default(), None);
    }
    let mut diagnostics = Vec::new();
    let mut first: Option<ConfigFile> = None;
    for format in formats {
        let file = match ConfigFile::parse(format, source) {
            Ok(file) => file,
            Err(error) => {
                let mut diagnostic = Diagnostic::error(
                    Origin::SyntaxError,
                    error.range,
                    format!("invalid {}: {}", format.name(), error.message),
                );
                diagnostic.name = Some("syntax-error".to_owned());
                let checked = Checked {
                    diagnostics: vec![diagnostic],
                    parsed: true,
                    syntax_error: true,
                    ..Checked::default()
                };
                return (checked, None);
            }
        };
        for entry in &file.entries {
            for &rule_ref in &live {
                let Some(setting) = &rules.rule(rule_ref).setting else {
                    continue;
                };
                if let Some(captured) = setting.matches(name, format, entry) {
                    let fixes = !disabled_fixes.contains(&rule_ref) && rules.fixable(rule_ref);
                    diagnostics.push(finding(
                        rules, rule_ref, &file, entry, &captured, source, fixes,
                    ));
                }
            }
        }
        first.get_or_insert(file);
    }
    findings::finish(rules, &mut diagnostics);
    let stale_codes = match &first {
        Some(file) => noqa::suppress(rules, &Lines::of_config(source, file), &mut diagnostics),
        None => Vec::new(),
    };
    let checked = Checked {
        diagnostics,
        parsed: true,
        syntax_error: false,
        stale_codes,
        ..Checked::default()
    };
    (checked, first)
}

/// The finding of `rule_ref` on `entry` of `file`, with what its match `captured`; its fix unless
/// `fixes` is false.
fn finding(
    rules: &RuleSet,
    rule_ref: RuleRef,
    file: &ConfigFile,
    entry: &Entry,
    captured: &Captured,
    source: &str,
    fixes: bool,
) -> Diagnostic {
    let rule = rules.rule(rule_ref);
    let text = |name: &str| -> &str {
        captured
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, text)| text.as_str())
    };
    let fix = rule.setting_fix.as_ref().filter(|_| fixes).and_then(|fix| {
        render(
            fix,
            (rules.applicability(rule_ref), rule.fix_title.as_deref()),
            file,
            entry,
            &text,
            source,
        )
    });
    Diagnostic {
        origin: Origin::Rule(rule_ref),
        code: Some(rule.code.clone()),
        aliases: rule.aliases.clone(),
        name: Some(rule.name.clone()),
        message: interpolate_with(&rule.message, text),
        severity: rule.severity,
        range: entry.range,
        help: rule.help.as_ref().map(|h| interpolate_with(h, text)),
        fix,
        url: rule.url.clone(),
    }
}

/// A template with each metavariable replaced by what the match captured, as it is.
fn fill<'s>(template: &str, text: &impl Fn(&str) -> &'s str) -> String {
    let Ok(pieces) = crate::pattern::metavar::split(template) else {
        return template.to_owned();
    };
    pieces
        .into_iter()
        .map(|piece| match piece {
            crate::pattern::metavar::Piece::Text(t) => t,
            crate::pattern::metavar::Piece::Var { name, .. } => text(name),
        })
        .collect()
}

/// The fix of `entry`: its edits, with the rule's applicability (unsafe when an edit would delete
/// a comment) and title. An entry that shares its line gets no removal.
fn render<'s>(
    fix: &SettingFix,
    (applicability, title): (Applicability, Option<&str>),
    file: &ConfigFile,
    entry: &Entry,
    text: &impl Fn(&str) -> &'s str,
    source: &str,
) -> Option<Fix> {
    let mut edits = Vec::new();
    let mut described = Vec::new();
    if fix.remove {
        edits.push(Edit::delete(entry.lines?));
        described.push(format!("Remove `{}`", entry.key));
    }
    if let Some(key) = &fix.key {
        let key = fill(key, text);
        if key.is_empty() || key.contains(['\n', '\r']) {
            return None;
        }
        described.push(format!("Rename `{}` to `{key}`", entry.key));
        let written = match file.format {
            Format::Ini => {
                if key.contains(['=', ':']) || key.starts_with(['[', '#', ';']) {
                    return None;
                }
                key
            }
            Format::Toml => toml_key(&key),
        };
        edits.push(Edit::replace(entry.key_range, written));
    }
    if let Some(value) = &fix.value {
        let value = fill(value, text);
        described.push(format!(
            "Set `{}` to `{}`",
            entry.key,
            value.replace('\n', " ")
        ));
        edits.push(value_edit(file.format, entry, &value, source)?);
    }
    let mut applicability = applicability;
    let mut title = title.map_or_else(|| described.join("; "), str::to_owned);
    let removes_comment = edits.iter().any(|edit| {
        file.comments
            .iter()
            .any(|comment| edit.range.contains_range(*comment) && !edit.range.is_empty())
    });
    if removes_comment {
        applicability = Applicability::Unsafe;
        title.push_str(" (removes a comment)");
    }
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    Some(Fix {
        applicability,
        edits,
        title,
    })
}

/// A TOML key: bare when it may be, else a quoted string.
fn toml_key(key: &str) -> String {
    let bare = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The edit writing `value` as the value of `entry`: a TOML string, or INI text whose lines after
/// the first are indented as the entry's continuation lines are (four spaces when it has none).
/// An INI value with a later line that would read as blank or as a comment has no such edit.
fn value_edit(format: Format, entry: &Entry, value: &str, source: &str) -> Option<Edit> {
    match format {
        Format::Toml => Some(Edit::replace(entry.value_range, toml_string(value))),
        Format::Ini => {
            let unwritable = value
                .lines()
                .skip(1)
                .any(|line| line.trim().is_empty() || line.trim().starts_with(['#', ';']));
            if unwritable {
                return None;
            }
            let indent = entry.continuation.as_deref().unwrap_or("    ");
            let indent = if indent.is_empty() { "    " } else { indent };
            let newline = if source.contains("\r\n") {
                "\r\n"
            } else {
                "\n"
            };
            let mut written = value
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(&format!("{newline}{indent}"));
            // Right after the separator (`key =`), a value is set off by a space.
            let start = entry.value_range.start();
            let after_separator = start > TextSize::default()
                && matches!(source.as_bytes()[start.to_usize() - 1], b'=' | b':');
            if after_separator && !written.is_empty() {
                written.insert(0, ' ');
            }
            Some(Edit::replace(
                TextRange::new(start, entry.value_range.end()),
                written,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keys_and_strings_are_written_as_toml_reads_them() {
        assert_eq!(toml_key("run_mode"), "run_mode");
        assert_eq!(toml_key("a.b"), "\"a.b\"");
        assert_eq!(
            toml_string("say \"hi\"\\\n\u{1}"),
            "\"say \\\"hi\\\"\\\\\\n\\u0001\""
        );
        let text = format!("k = {}\n", toml_string("a\"b\\c\nd"));
        let file = ConfigFile::parse(Format::Toml, &text).unwrap();
        assert_eq!(file.entries[0].value, "a\"b\\c\nd");
    }

    #[test]
    fn an_ini_value_of_several_lines_is_indented_as_its_continuations() {
        let text = "[s]\nk =\n  one\n  two\nl = x\n";
        let file = ConfigFile::parse(Format::Ini, text).unwrap();
        let edit = value_edit(Format::Ini, &file.entries[0], "three\nfour", text).unwrap();
        let written = crate::fix::edits::apply_edits(text, &[edit]);
        assert_eq!(written, "[s]\nk = three\n  four\nl = x\n");
        let again = ConfigFile::parse(Format::Ini, &written).unwrap();
        assert_eq!(again.entries[0].value, "three\nfour");
        // A later line that would read as a comment or a blank has no faithful spelling.
        assert!(value_edit(Format::Ini, &file.entries[1], "a\n# b", text).is_none());
        assert!(value_edit(Format::Ini, &file.entries[1], "a\n\nb", text).is_none());
    }
}
