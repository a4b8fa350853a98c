//! What a condition asks of a file's text and of the source of the node it holds of.
//!
//! Every condition kind declares its [`Needs`]; the combinators combine them. The rule set
//! derives from them, for each way a rule can match, the prefilter's needle sets (a file without
//! one whole set is not parsed), the dispatch keys (a node of another name is not tried) and the
//! anchors (a subtree whose source spells none is passed by).

pub use regex_syntax::hir::literal::ExtractKind;
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Hir, HirKind, Look};

use crate::base::lazy_regex::LazyRegex;
use crate::base::scan;
use crate::pattern::anchor::Anchor;
use crate::pattern::{DispatchKey, Pattern};

/// Something a file's text must contain for a condition to hold in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Needle {
    /// An identifier, as a whole token.
    Word(String),
    /// Any text, as a substring.
    Text(String),
}

impl Needle {
    /// `text` as a word when it is an identifier, else [`Needle::within`].
    pub fn of(text: String) -> Needle {
        if is_identifier(&text) {
            Needle::Word(text)
        } else {
            Needle::within(text)
        }
    }

    /// The longest identifier `text` holds between two other characters (`"pkg"` holds the token
    /// `pkg`, whatever comes before and after `text`), else `text` as a substring.
    pub fn within(text: String) -> Needle {
        let runs: Vec<&str> = text
            .split(|c: char| !u8::try_from(c).is_ok_and(scan::is_word_byte))
            .collect();
        let inner = runs.len().saturating_sub(1);
        let enclosed = runs
            .iter()
            .take(inner)
            .skip(1)
            .filter(|run| is_identifier(run))
            .max_by_key(|run| run.len());
        match enclosed {
            Some(word) => Needle::Word((*word).to_owned()),
            None => Needle::Text(text),
        }
    }
}

fn is_identifier(word: &str) -> bool {
    let mut bytes = word.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(scan::is_word_byte)
}

/// How many needle sets one condition may bring (conjunctions that would multiply beyond it keep
/// the sets they have, which only weakens the filter).
pub const MAX_NEEDLE_SETS: usize = 256;

/// What a condition asks of the text.
#[derive(Debug, Clone)]
pub struct Needs {
    /// A file where the condition holds somewhere holds every needle of one of these sets;
    /// `[[]]` when nothing is known.
    pub needles: Vec<Vec<Needle>>,
    /// The spellings the node it holds of is limited to (a name or identifier), when it is.
    pub words: Option<Vec<String>>,
    /// The names the node it holds of is limited to (a dotted name a pattern spells), when it is.
    pub keys: Option<Vec<DispatchKey>>,
    /// What the source of the node it holds of spells, one of; empty when nothing is known.
    pub anchors: Vec<Anchor>,
}

impl Needs {
    /// Nothing is known.
    pub fn nothing() -> Needs {
        Needs {
            needles: vec![Vec::new()],
            words: None,
            keys: None,
            anchors: Vec::new(),
        }
    }

    /// Needs of the file alone: one of `alternatives` (each a set of needles).
    pub fn file(alternatives: Vec<Vec<Needle>>) -> Needs {
        Needs {
            needles: alternatives,
            ..Needs::nothing()
        }
    }

    /// What a file needs for both to hold: every union of a set of each (kept within
    /// [`MAX_NEEDLE_SETS`]); the node facts of the first that knows them.
    pub fn and(self, other: Needs) -> Needs {
        let needles = if self.needles.len() * other.needles.len() <= MAX_NEEDLE_SETS {
            product(&self.needles, &other.needles)
        } else {
            self.needles
        };
        Needs {
            needles,
            words: self.words.or(other.words),
            keys: self.keys.or(other.keys),
            // The first that knows any, a word before a keyword (keywords are common).
            anchors: if self.anchors.is_empty()
                || (only_keywords(&self.anchors)
                    && !other.anchors.is_empty()
                    && !only_keywords(&other.anchors))
            {
                other.anchors
            } else {
                self.anchors
            },
        }
    }

    /// What a file needs for one of several to hold: what each needs, as alternatives; node
    /// facts only when every alternative knows them.
    pub fn or(alternatives: impl IntoIterator<Item = Needs>) -> Needs {
        let mut joined = Needs {
            needles: Vec::new(),
            words: Some(Vec::new()),
            keys: Some(Vec::new()),
            anchors: Vec::new(),
        };
        let mut anchors_known = true;
        let mut any = false;
        for needs in alternatives {
            any = true;
            joined.needles.extend(needs.needles);
            joined.words = joined.words.zip(needs.words).map(|(mut a, b)| {
                a.extend(b);
                a
            });
            joined.keys = joined.keys.zip(needs.keys).map(|(mut a, b)| {
                a.extend(b);
                a
            });
            anchors_known &= !needs.anchors.is_empty();
            joined.anchors.extend(needs.anchors);
        }
        if !any {
            return Needs::nothing();
        }
        if !anchors_known {
            joined.anchors.clear();
        }
        if joined.needles.iter().any(Vec::is_empty) {
            joined.needles = vec![Vec::new()];
        }
        joined
    }
}

/// Whether every anchor is a keyword.
fn only_keywords(anchors: &[Anchor]) -> bool {
    anchors
        .iter()
        .all(|anchor| matches!(anchor, Anchor::Keyword(_)))
}

/// Every union of one set of `sets` with one of `alternatives`.
fn product(sets: &[Vec<Needle>], alternatives: &[Vec<Needle>]) -> Vec<Vec<Needle>> {
    sets.iter()
        .flat_map(|set| {
            alternatives.iter().map(move |alternative| {
                let mut joined = set.clone();
                joined.extend(alternative.iter().cloned());
                joined
            })
        })
        .collect()
}

/// A pattern's identifiers as words (the parts of a dotted module name each one).
pub fn identifiers(pattern: &Pattern) -> Vec<Needle> {
    pattern
        .literals()
        .iter()
        .flat_map(|literal| literal.split('.'))
        .filter(|part| !part.is_empty())
        .map(|part| Needle::of(part.to_owned()))
        .collect()
}

/// The whole set of texts `regex` matches, when it is anchored at both ends (`^(a|b)$`) and that
/// set is finite and small.
pub fn regex_words(regex: &LazyRegex) -> Option<Vec<String>> {
    bounded_literals(regex, false)
}

/// The literals a regex is made of between `^` and `$` (or, with `word_boundaries`, between two
/// `\b`), when they are finitely many and each is all the regex matches between them.
pub fn bounded_literals(regex: &LazyRegex, word_boundaries: bool) -> Option<Vec<String>> {
    let HirKind::Concat(parts) = regex.hir().kind() else {
        return None;
    };
    let [first, inner @ .., last] = &parts[..] else {
        return None;
    };
    let (HirKind::Look(start), HirKind::Look(end)) = (first.kind(), last.kind()) else {
        return None;
    };
    let is_word_boundary = |look: &Look| matches!(look, Look::WordAscii | Look::WordUnicode);
    let whole = *start == Look::Start && *end == Look::End;
    let words = word_boundaries && is_word_boundary(start) && is_word_boundary(end);
    if !(whole || words) {
        return None;
    }
    let sequence = Extractor::new().extract(&Hir::concat(inner.to_vec()));
    let literals = sequence.literals()?;
    if literals.is_empty() || !literals.iter().all(|l| l.is_exact()) {
        return None;
    }
    literals
        .iter()
        .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
        .filter(|l| l.as_ref().is_none_or(|l| !l.is_empty()))
        .collect()
}

/// Strings one of which starts (with [`ExtractKind::Prefix`]) or ends every match of `regex`, when
/// there are finitely many non-empty ones.
pub fn regex_affixes(regex: &LazyRegex, kind: ExtractKind) -> Option<Vec<String>> {
    let mut extractor = Extractor::new();
    extractor.kind(kind);
    let sequence = extractor.extract(regex.hir());
    let literals = sequence.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    literals
        .iter()
        .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
        .collect()
}

/// The identifier each literal prefix of `regex` starts with (empty where a prefix starts with
/// anything else), when it has finitely many prefixes: what a name or string it matches begins
/// with.
pub fn prefix_words(regex: &LazyRegex) -> Option<Vec<String>> {
    let prefixes = regex_affixes(regex, ExtractKind::Prefix)?;
    Some(
        prefixes
            .iter()
            .map(|prefix| {
                prefix
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Needle {
        Needle::Word(w.to_owned())
    }

    #[test]
    fn needles_keep_the_words_they_enclose() {
        assert_eq!(Needle::of("\"pkg\"".to_owned()), word("pkg"));
        assert_eq!(Needle::within("'a.bc'".to_owned()), word("bc"));
        // A run at either end may continue outside the needle: it is not a whole token.
        assert_eq!(
            Needle::within("on_".to_owned()),
            Needle::Text("on_".to_owned())
        );
    }

    #[test]
    fn bounded_regexes_give_their_words() {
        let regex = |r: &str| LazyRegex::new(r).unwrap();
        assert_eq!(
            regex_words(&regex("^(a|bc)$")),
            Some(vec!["a".into(), "bc".into()])
        );
        assert_eq!(regex_words(&regex(r"\b(a|bc)\b")), None);
        let tokens = bounded_literals(&regex(r"\b(a|bc)\b"), true);
        assert_eq!(tokens, Some(vec!["a".into(), "bc".into()]));
        assert_eq!(regex_words(&regex("^on_")), None);
        assert_eq!(regex_words(&regex("^(a|b+)$")), None);
    }

    #[test]
    fn conjunctions_multiply_and_alternatives_join() {
        let a = Needs::file(vec![vec![word("a")], vec![word("b")]]);
        let c = Needs::file(vec![vec![word("c")]]);
        let both = a.clone().and(c.clone());
        assert_eq!(
            both.needles,
            [vec![word("a"), word("c")], vec![word("b"), word("c")]]
        );
        let either = Needs::or([a, c]);
        assert_eq!(either.needles.len(), 3);
        // An alternative that needs nothing makes the whole need nothing.
        let open = Needs::or([Needs::file(vec![vec![word("x")]]), Needs::nothing()]);
        assert_eq!(open.needles, [Vec::<Needle>::new()]);
    }
}
