//! What a callable's calls bind to, as a library model writes it, and whether a call's arguments
//! bind to it (Python's own rules, judged only where the call's text makes them certain).
//!
//! A signature is Python's parameter list without annotations or default values: `name=` for a
//! parameter that has a default, `/` and `*` as Python writes them, `*args` and `**kwargs` by
//! their names (`a, /, b, c=, *rest, d, **options`); alternatives (a function's overloads) are
//! joined by `|`, and a call binds when it binds to any of them. The empty text takes no
//! arguments.

use std::fmt;

/// How an argument can reach a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Passed {
    PositionalOnly,
    Either,
    KeywordOnly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Parameter {
    name: String,
    passed: Passed,
    default: bool,
}

/// One way a callable takes its arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parameters {
    /// Every named parameter, in order: positional ones first.
    parameters: Vec<Parameter>,
    /// `*args`: it takes any number of further positional arguments.
    var_positional: bool,
    /// `**kwargs`: it takes any other keyword argument.
    var_keyword: bool,
}

/// Read a signature: its alternatives. The error says what is wrong.
pub fn parse(text: &str) -> Result<Vec<Parameters>, String> {
    text.split('|').map(parse_one).collect()
}

fn parse_one(text: &str) -> Result<Parameters, String> {
    let mut out = Parameters::default();
    let mut keyword_only = false;
    let mut slash = false;
    let mut seen_default = false;
    let items: Vec<&str> = text.split(',').map(str::trim).collect();
    if items == [""] {
        return Ok(out);
    }
    for item in items {
        if out.var_keyword {
            return Err(format!("`{item}` follows `**`: `**name` comes last"));
        }
        if item == "/" {
            if slash || keyword_only || out.parameters.is_empty() {
                return Err(
                    "`/` comes once, after a positional parameter and before `*`".to_owned(),
                );
            }
            slash = true;
            for parameter in &mut out.parameters {
                parameter.passed = Passed::PositionalOnly;
            }
            continue;
        }
        if let Some(name) = item.strip_prefix("**") {
            identifier(name)?;
            out.var_keyword = true;
            continue;
        }
        if let Some(name) = item.strip_prefix('*') {
            if keyword_only {
                return Err("`*` comes once".to_owned());
            }
            if !name.is_empty() {
                identifier(name)?;
                out.var_positional = true;
            }
            keyword_only = true;
            continue;
        }
        let (name, default) = match item.strip_suffix('=') {
            Some(name) => (name.trim_end(), true),
            None => (item, false),
        };
        identifier(name)?;
        if out.parameters.iter().any(|p| p.name == name) {
            return Err(format!("`{name}` is listed twice"));
        }
        if !keyword_only {
            if seen_default && !default {
                return Err(format!(
                    "`{name}` has no default but follows a positional parameter that has one"
                ));
            }
            seen_default |= default;
        }
        out.parameters.push(Parameter {
            name: name.to_owned(),
            passed: if keyword_only {
                Passed::KeywordOnly
            } else {
                Passed::Either
            },
            default,
        });
    }
    Ok(out)
}

fn identifier(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a parameter: write `name`, `name=`, `/`, `*`, `*name` or `**name`"
        ))
    }
}

/// What a call's text says of its arguments.
#[derive(Debug, Default)]
pub struct Arguments<'a> {
    /// Plain positional arguments (not `*x`).
    pub positional: usize,
    /// Whether it unpacks `*x`: any number of positional arguments more.
    pub unpacks_positional: bool,
    /// The names of its keyword arguments, in order.
    pub keywords: Vec<&'a str>,
    /// Whether it unpacks `**x`: any keyword arguments more.
    pub unpacks_keywords: bool,
}

/// Why a call's arguments surely do not bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    TooManyPositional {
        takes: usize,
        given: usize,
    },
    UnknownKeyword(String),
    PositionalOnlyByKeyword(String),
    GivenTwice(String),
    Missing(Vec<String>),
    /// None of several alternatives binds, for different reasons.
    NoAlternative(usize),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::TooManyPositional { takes: 0, given } => {
                write!(f, "it takes no positional arguments, {given} given")
            }
            Mismatch::TooManyPositional { takes, given } => {
                let plural = if *takes == 1 { "" } else { "s" };
                write!(
                    f,
                    "it takes at most {takes} positional argument{plural}, {given} given"
                )
            }
            Mismatch::UnknownKeyword(name) => write!(f, "it has no parameter `{name}`"),
            Mismatch::PositionalOnlyByKeyword(name) => {
                write!(f, "`{name}` is positional-only, given by keyword")
            }
            Mismatch::GivenTwice(name) => {
                write!(f, "`{name}` is given both by position and by keyword")
            }
            Mismatch::Missing(names) => {
                let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                let verb = if names.len() == 1 { "is" } else { "are" };
                write!(f, "{} {verb} required and not given", names.join(", "))
            }
            Mismatch::NoAlternative(count) => {
                write!(f, "the arguments fit none of its {count} signatures")
            }
        }
    }
}

impl Parameters {
    /// Why `call` surely does not bind to these parameters; `None` when it binds, or may (an
    /// unpacked `*x` or `**x` could supply what is missing).
    pub fn mismatch(&self, call: &Arguments<'_>) -> Option<Mismatch> {
        let positional: Vec<&Parameter> = self
            .parameters
            .iter()
            .filter(|p| p.passed != Passed::KeywordOnly)
            .collect();
        if !self.var_positional && call.positional > positional.len() {
            return Some(Mismatch::TooManyPositional {
                takes: positional.len(),
                given: call.positional,
            });
        }
        let mut given: Vec<&str> = positional
            .iter()
            .take(call.positional)
            .map(|p| p.name.as_str())
            .collect();
        for &keyword in &call.keywords {
            let parameter = self.parameters.iter().find(|p| p.name == keyword);
            match parameter {
                Some(p) if p.passed == Passed::PositionalOnly => {
                    if !self.var_keyword {
                        return Some(Mismatch::PositionalOnlyByKeyword(keyword.to_owned()));
                    }
                }
                Some(p) => {
                    if given.contains(&p.name.as_str()) {
                        return Some(Mismatch::GivenTwice(keyword.to_owned()));
                    }
                    given.push(keyword);
                }
                None if self.var_keyword => {}
                None => return Some(Mismatch::UnknownKeyword(keyword.to_owned())),
            }
        }
        if call.unpacks_keywords {
            return None;
        }
        let missing: Vec<String> = self
            .parameters
            .iter()
            .filter(|p| !p.default && !given.contains(&p.name.as_str()))
            // An unpacked `*x` may fill any positional parameter.
            .filter(|p| !call.unpacks_positional || p.passed == Passed::KeywordOnly)
            .map(|p| p.name.clone())
            .collect();
        (!missing.is_empty()).then_some(Mismatch::Missing(missing))
    }
}

/// Why `call` surely binds to none of `alternatives`; `None` when it binds to one, or may.
pub fn mismatch(alternatives: &[Parameters], call: &Arguments<'_>) -> Option<Mismatch> {
    let mut reasons = Vec::with_capacity(alternatives.len());
    for parameters in alternatives {
        reasons.push(parameters.mismatch(call)?);
    }
    let first = reasons.first()?.clone();
    if reasons.iter().all(|reason| *reason == first) {
        Some(first)
    } else {
        Some(Mismatch::NoAlternative(reasons.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(positional: usize, keywords: &[&'a str]) -> Arguments<'a> {
        Arguments {
            positional,
            keywords: keywords.to_vec(),
            ..Arguments::default()
        }
    }

    fn reason(signature: &str, arguments: &Arguments<'_>) -> Option<String> {
        let alternatives = parse(signature).expect("parses");
        mismatch(&alternatives, arguments).map(|m| m.to_string())
    }

    #[test]
    fn signatures_read_as_python_writes_parameters() {
        let parsed = parse("a, /, b=, *rest, c, **options").expect("parses");
        let [one] = &parsed[..] else {
            panic!("one alternative")
        };
        assert!(one.var_positional && one.var_keyword);
        let passed: Vec<Passed> = one.parameters.iter().map(|p| p.passed).collect();
        assert_eq!(
            passed,
            [Passed::PositionalOnly, Passed::Either, Passed::KeywordOnly]
        );
        assert_eq!(parse("").expect("parses"), vec![Parameters::default()]);
        assert_eq!(parse("a | a, b=").expect("parses").len(), 2);
        for wrong in ["a b", "**k, a", "/, a", "a, a", "a=, b", "*, *", "1a"] {
            assert!(parse(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn calls_that_cannot_bind_say_why() {
        let process = "command, *, stdin=, stdout=";
        assert_eq!(
            reason(process, &call(2, &[])).as_deref(),
            Some("it takes at most 1 positional argument, 2 given")
        );
        assert_eq!(
            reason(process, &call(1, &["shell"])).as_deref(),
            Some("it has no parameter `shell`")
        );
        assert_eq!(
            reason(process, &call(1, &["command"])).as_deref(),
            Some("`command` is given both by position and by keyword")
        );
        assert_eq!(
            reason(process, &call(0, &["stdin"])).as_deref(),
            Some("`command` is required and not given")
        );
        assert_eq!(
            reason("func, /, **kwargs", &call(1, &["func"])),
            None,
            "a positional-only name may go to **kwargs"
        );
        assert_eq!(
            reason("func, /", &call(1, &["func"])).as_deref(),
            Some("`func` is positional-only, given by keyword")
        );
        assert_eq!(
            reason("", &call(1, &[])).as_deref(),
            Some("it takes no positional arguments, 1 given")
        );
        assert_eq!(reason(process, &call(1, &["stdout"])), None);
        assert_eq!(reason("func, *args", &call(5, &[])), None);
    }

    #[test]
    fn unpacked_arguments_leave_only_what_is_certain() {
        let unpacked = |positional, keywords: &[&'static str], star, double| Arguments {
            positional,
            keywords: keywords.to_vec(),
            unpacks_positional: star,
            unpacks_keywords: double,
        };
        let signature = "a, b, *, c";
        // `*x` may fill `a` and `b`, not the keyword-only `c`.
        assert_eq!(
            reason(signature, &unpacked(0, &[], true, false)).as_deref(),
            Some("`c` is required and not given")
        );
        assert_eq!(reason(signature, &unpacked(0, &[], true, true)), None);
        // Plain positional arguments alone are already too many.
        assert!(reason(signature, &unpacked(3, &[], true, false)).is_some());
        // An explicit unknown keyword is wrong whatever `**x` holds.
        assert!(reason(signature, &unpacked(2, &["d"], false, true)).is_some());
    }

    #[test]
    fn overloads_bind_when_any_does() {
        assert_eq!(reason("a | a, b", &call(2, &[])), None);
        assert_eq!(
            reason("a | a, b", &call(3, &[])).as_deref(),
            Some("the arguments fit none of its 2 signatures")
        );
        assert_eq!(
            reason("a | b", &call(0, &["c"])).as_deref(),
            Some("it has no parameter `c`")
        );
    }
}
