//! The `fix` of a rule over configuration files: rename the key (`key`), rewrite the value
//! (`value`), or remove the entry (`remove = true`), with its `applicability` and `title`. `key`
//! and `value` are templates: `$KEY`, `$VALUE`, `$SECTION` and the value regex's named groups are
//! replaced by what the match captured.

use std::ops::Range;

use super::{Applicability, Loader, SettingFix, SourceError};
use crate::condition::value::{Kind, Value};
use crate::pattern::metavar::{self, Piece};

/// What a configuration rule's `fix` table says.
pub(super) struct Read {
    pub fix: SettingFix,
    pub applicability: Applicability,
    pub title: Option<String>,
}

/// Read a configuration rule's `fix` table; its templates may use the metavariables of `bound`.
pub(super) fn read(
    loader: &Loader<'_>,
    value: &Value,
    bound: &[String],
    rule_span: &Range<usize>,
) -> Result<Read, SourceError> {
    let span_of = |v: &Value| v.span().unwrap_or_else(|| rule_span.clone());
    let span = span_of(value);
    let usage = "write `fix.key = \"new_name\"`, `fix.value = \"new value\"` or `fix.remove = true`, \
                 with `fix.applicability = \"safe\"` (or \"unsafe\")";
    let Some(entries) = value.as_table() else {
        return Err(loader
            .error(span, format!("`fix` is a table, not {}", value.describe()))
            .note(usage));
    };
    let mut fix = SettingFix {
        key: None,
        value: None,
        remove: false,
    };
    let mut applicability = None;
    let mut title = None;
    for (key, item) in entries {
        match key.as_str() {
            "key" | "value" => {
                let Some(text) = item.as_str() else {
                    return Err(loader.error(span_of(item), format!("`fix.{key}` is a string")));
                };
                check_template(loader, text, bound, span_of(item))?;
                if key == "key" {
                    let literal: String = metavar::split(text)
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|piece| match piece {
                            Piece::Text(text) => Some(text),
                            Piece::Var { .. } => None,
                        })
                        .collect();
                    let bad = text.trim().is_empty()
                        || literal.contains(['=', ':', '[', ']', '#', ';', '\n', '\r'])
                        || text.trim() != text;
                    if bad {
                        return Err(loader.error(
                            span_of(item),
                            "a key is a name: no blanks around it, no `=`, `:`, `[`, `]`, `#`, \
                             `;` or line break",
                        ));
                    }
                    fix.key = Some(text.to_owned());
                } else {
                    fix.value = Some(text.to_owned());
                }
            }
            "remove" => match item.kind {
                Kind::Bool(true) => fix.remove = true,
                _ => {
                    return Err(loader.error(
                        span_of(item),
                        "`fix.remove` takes `true`: the entry is removed (its whole lines)",
                    ));
                }
            },
            "applicability" => applicability = Some(loader.applicability(item, span_of(item))?),
            "title" => title = Some(loader.fix_title(item, span_of(item))?),
            other => {
                let mut error = loader.error(
                    span_of(item),
                    format!(
                        "unknown key `{other}` in the `fix` of a rule over configuration files"
                    ),
                );
                if other == "template" {
                    error = error.note(
                        "a configuration entry is rewritten with `key`, `value` or `remove`, not a \
                         Python template",
                    );
                }
                return Err(error.note(usage));
            }
        }
    }
    if fix.remove && (fix.key.is_some() || fix.value.is_some()) {
        return Err(loader
            .error(
                span.clone(),
                "a fix that removes the entry cannot also rewrite it",
            )
            .note("keep `remove = true`, or `key` and `value`"));
    }
    if !fix.remove && fix.key.is_none() && fix.value.is_none() {
        return Err(loader
            .error(span.clone(), "this `fix` changes nothing")
            .note(usage));
    }
    let Some(applicability) = applicability else {
        return Err(loader.error(
            span,
            "a `fix` must say its `applicability`: \"safe\" or \"unsafe\"",
        ));
    };
    Ok(Read {
        fix,
        applicability,
        title,
    })
}

/// A template of a key or value uses only metavariables every match binds.
/// The note on an unbound metavariable in a rule over configuration files: what such a rule binds.
pub(super) fn binds_note(bound: &[String]) -> String {
    let names: Vec<String> = bound.iter().map(|b| format!("`${b}`")).collect();
    format!("a rule over configuration files binds {}", names.join(", "))
}

fn check_template(
    loader: &Loader<'_>,
    text: &str,
    bound: &[String],
    span: Range<usize>,
) -> Result<(), SourceError> {
    let pieces = metavar::split(text).map_err(|_| {
        loader
            .error(
                span.clone(),
                "a `$` in a template starts a metavariable name such as `$KEY`",
            )
            .label("here")
    })?;
    for piece in pieces {
        let Piece::Var { name, variadic } = piece else {
            continue;
        };
        if variadic || !bound.iter().any(|b| b == name) {
            return Err(loader
                .error(
                    span.clone(),
                    format!("`${name}` is not bound by this rule's match"),
                )
                .label("unbound metavariable")
                .note(binds_note(bound)));
        }
    }
    Ok(())
}
