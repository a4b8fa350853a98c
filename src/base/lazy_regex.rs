//! Regular expressions of packs, checked when read and compiled when first used.
//!
//! A run loads every rule of the built-in packs, and most of their regexes are never tried: the
//! prefilter keeps their rules out of most files, and many runs check a few files. Compiling a
//! regex (its automata) costs far more than reading it, so [`LazyRegex`] reads it at once (a
//! syntax error is reported where the pack wrote it, and what the prefilter derives from a regex
//! comes from its syntax tree, [`LazyRegex::hir`]) and compiles it on first use, once, whichever
//! thread uses it first.
//!
//! Reading a regex is all a compilation checks but one thing: the size of its automata. A regex
//! whose automata may be large (counted repetitions of classes, say) is compiled when read, so
//! that one over the size limit is an error at load too; see [`may_be_large`].

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use regex::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

/// A regex read and checked, compiled on first use. Clones share the compiled regex.
#[derive(Clone)]
pub struct LazyRegex {
    shared: Arc<Shared>,
}

struct Shared {
    text: String,
    hir: Hir,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    /// Read `text` as a regex (the syntax of the `regex` crate); the error is the one compiling
    /// it gives.
    pub fn new(text: &str) -> Result<LazyRegex, regex::Error> {
        let hir = match regex_syntax::Parser::new().parse(text) {
            Ok(hir) => hir,
            // The compiler's own error, word for word.
            Err(_) => return Err(Regex::new(text).expect_err("a regex that does not parse")),
        };
        let compiled = OnceLock::new();
        if may_be_large(&hir) {
            let _ = compiled.set(Regex::new(text)?);
        }
        Ok(LazyRegex {
            shared: Arc::new(Shared {
                text: text.to_owned(),
                hir,
                compiled,
            }),
        })
    }

    /// The regex as written.
    pub fn as_str(&self) -> &str {
        &self.shared.text
    }

    /// The regex's syntax tree.
    pub fn hir(&self) -> &Hir {
        &self.shared.hir
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    /// The compiled regex, compiled now if this is its first use.
    fn deref(&self) -> &Regex {
        self.shared.compiled.get_or_init(|| {
            Regex::new(&self.shared.text).expect("a regex small enough compiles once it parses")
        })
    }
}

impl fmt::Debug for LazyRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyRegex").field(&self.shared.text).finish()
    }
}

/// A bound on the states of a regex's automata past which it is compiled when read. The
/// smallest bound of a regex the `regex` crate's default size limit refuses is above 340,000
/// (`.{10486}`; `\w{210}` is at 2.6 million), so every regex under this one compiles.
const LAZY_STATES: u64 = 100_000;

/// Whether `hir`'s automata may come near the compiler's size limit: an upper bound on their
/// states (a literal byte is one, a class sixteen per range, as its UTF-8 sequences may take, a
/// repetition its body times its largest count, or its least plus one when unbounded) exceeds
/// [`LAZY_STATES`].
fn may_be_large(hir: &Hir) -> bool {
    states(hir) > LAZY_STATES
}

fn states(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(literal) => literal.0.len() as u64,
        HirKind::Class(Class::Unicode(class)) => 16 * class.ranges().len() as u64 + 1,
        HirKind::Class(Class::Bytes(class)) => class.ranges().len() as u64 + 1,
        HirKind::Repetition(repetition) => {
            let count = repetition
                .max
                .unwrap_or(repetition.min.saturating_add(1))
                .max(1);
            states(&repetition.sub).saturating_mul(u64::from(count))
        }
        HirKind::Capture(capture) => states(&capture.sub).saturating_add(2),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            parts.iter().fold(parts.len() as u64, |sum, part| {
                sum.saturating_add(states(part))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regex_is_compiled_on_first_use_and_matches_as_compiled() {
        let regex = LazyRegex::new(r"^(sleep|wait_for)$").unwrap();
        assert!(regex.shared.compiled.get().is_none());
        assert!(regex.is_match("sleep"));
        assert!(!regex.is_match("sleeping"));
        assert!(regex.shared.compiled.get().is_some());
        assert_eq!(regex.as_str(), r"^(sleep|wait_for)$");
    }

    #[test]
    fn a_syntax_error_is_the_compilers() {
        // Built at run time: a literal invalid regex is refused by the linter.
        let unclosed = ["(", "unclosed"].concat();
        let error = LazyRegex::new(&unclosed).unwrap_err();
        assert_eq!(
            error.to_string(),
            Regex::new(&unclosed).unwrap_err().to_string()
        );
    }

    #[test]
    fn a_regex_over_the_size_limit_is_an_error_when_read() {
        // Parses, but its automata exceed the default size limit.
        let text = r"\w{1000}{1000}";
        assert!(regex_syntax::Parser::new().parse(text).is_ok());
        assert!(Regex::new(text).is_err());
        assert!(LazyRegex::new(text).is_err());
    }

    #[test]
    fn small_regexes_wait_and_large_ones_compile_at_once() {
        assert!(!may_be_large(
            &regex_syntax::parse(r"(?i)#\s*todo\b.*").unwrap()
        ));
        assert!(!may_be_large(&regex_syntax::parse(r"^\w+$").unwrap()));
        assert!(!may_be_large(&regex_syntax::parse(r"\w{5}").unwrap()));
        assert!(may_be_large(&regex_syntax::parse(r"\w{100}").unwrap()));
        assert!(may_be_large(&regex_syntax::parse(r".{10000}").unwrap()));
        let large = LazyRegex::new(r"\w{100}").unwrap();
        assert!(large.shared.compiled.get().is_some());
    }
}
