//! Metavariables: `$X`, `$$$XS` and `$_` in pattern and template source.
//!
//! Python has no `$`, so before a pattern is parsed every metavariable is replaced by a placeholder
//! identifier that Python accepts (`$X` → `__mv_1_X`, `$$$XS` → `__mv_n_XS`). The placeholder
//! keeps the name, so the parsed AST can be asked which names are metavariables and of which kind.

/// Placeholder prefix of a metavariable that binds one node.
const SINGLE: &str = "__mv_1_";
/// Placeholder prefix of a metavariable that binds zero or more nodes.
const MULTI: &str = "__mv_n_";
/// The anonymous metavariable `$_`.
pub const ANONYMOUS: &str = "_";

/// A metavariable found in a placeholder identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metavar<'a> {
    pub name: &'a str,
    pub variadic: bool,
}

impl Metavar<'_> {
    pub fn is_anonymous(&self) -> bool {
        self.name == ANONYMOUS
    }
}

/// One piece of source text with metavariables, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Var { name: &'a str, variadic: bool },
}

/// A metavariable name is `_` or an uppercase letter or `_` followed by uppercase letters, digits
/// and `_`.
fn name_len(rest: &str) -> usize {
    rest.bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        .count()
}

/// Split `source` into text and metavariables. A `$` not followed by a metavariable name is an
/// error, returned with its byte offset.
pub fn split(source: &str) -> Result<Vec<Piece<'_>>, usize> {
    let mut pieces = Vec::new();
    let mut text_start = 0;
    let mut at = 0;
    while let Some(found) = source[at..].find('$') {
        let dollar = at + found;
        let after = &source[dollar..];
        let (variadic, skip) = if after.starts_with("$$$") {
            (true, 3)
        } else {
            (false, 1)
        };
        let len = name_len(&after[skip..]);
        let name = &after[skip..skip + len];
        let starts_well = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase() || b == b'_');
        if len == 0 || !starts_well {
            return Err(dollar);
        }
        if text_start < dollar {
            pieces.push(Piece::Text(&source[text_start..dollar]));
        }
        pieces.push(Piece::Var { name, variadic });
        at = dollar + skip + len;
        text_start = at;
    }
    if text_start < source.len() {
        pieces.push(Piece::Text(&source[text_start..]));
    }
    Ok(pieces)
}

/// The placeholder spelling of a metavariable.
pub fn placeholder(name: &str, variadic: bool) -> String {
    format!("{}{name}", if variadic { MULTI } else { SINGLE })
}

/// Replace every metavariable in `source` by its placeholder identifier.
pub fn to_python(source: &str) -> Result<String, usize> {
    Ok(split(source)?
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.to_owned(),
            Piece::Var { name, variadic } => placeholder(name, variadic),
        })
        .collect())
}

/// The metavariable a placeholder identifier stands for, if it is one.
pub fn parse_placeholder(identifier: &str) -> Option<Metavar<'_>> {
    if let Some(name) = identifier.strip_prefix(SINGLE) {
        Some(Metavar {
            name,
            variadic: false,
        })
    } else {
        identifier.strip_prefix(MULTI).map(|name| Metavar {
            name,
            variadic: true,
        })
    }
}

/// Turn placeholders in a message about pattern source back into `$X` spelling.
pub fn to_dollar(text: &str) -> String {
    text.replace(MULTI, "$$$").replace(SINGLE, "$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_single_variadic_and_anonymous() {
        let pieces = split("f($X, $$$ARGS, $_)").unwrap();
        assert_eq!(
            pieces,
            vec![
                Piece::Text("f("),
                Piece::Var {
                    name: "X",
                    variadic: false
                },
                Piece::Text(", "),
                Piece::Var {
                    name: "ARGS",
                    variadic: true
                },
                Piece::Text(", "),
                Piece::Var {
                    name: "_",
                    variadic: false
                },
                Piece::Text(")"),
            ]
        );
    }

    #[test]
    fn rejects_lowercase_and_bare_dollar() {
        assert_eq!(split("f($x)"), Err(2));
        assert_eq!(split("a $ b"), Err(2));
    }

    #[test]
    fn placeholders_round_trip() {
        let python = to_python("$A.b($$$C)").unwrap();
        assert_eq!(python, "__mv_1_A.b(__mv_n_C)");
        assert_eq!(
            parse_placeholder("__mv_n_C"),
            Some(Metavar {
                name: "C",
                variadic: true
            })
        );
        assert_eq!(parse_placeholder("C"), None);
        assert_eq!(to_dollar(&python), "$A.b($$$C)");
    }
}
