//! The prefilter: which files are worth parsing, and which patterns are worth trying in them.
//!
//! Every entry of a rule needs some things in a file's text before it can match there: its own
//! identifiers, and what the conditions tested where it matched need (the identifiers of one of a
//! capture's patterns, one word of an anchored word regex, a literal prefix of another regex), as
//! the entry's plan (`crate::condition::Plan`) gives them as needle sets. [`Prefilter`] holds
//! these needs for every enabled entry ("pattern" below) and tells,
//! from one scan of the text, which patterns have all of their needs ([`Live`]): if none does, the
//! file is not parsed, and the walk of a parsed file tries no other pattern.
//!
//! Identifiers are looked up as whole tokens (a pattern's `sleep` is not found in `sleeping`), so
//! short names that are parts of longer ones cost nothing; only the rare needles that are not
//! identifiers (a regex's prefix such as `"pkg`) are searched for as substrings. Most files hold
//! no whole set, and most of those not even one of a few needles every set has: a SIMD search
//! for these (the gate) rejects them before the scan reads every byte. After the scan, a set is
//! tested only when its rarest needle was found, so a needle that most sets hold (a module name)
//! costs no more with thousands of rules than with a few.

use aho_corasick::{AhoCorasick, MatchKind};
use regex_syntax::hir::Look;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

use crate::base::lazy_regex::LazyRegex;
use crate::base::scan;
use crate::base::words::WordMap;
use crate::condition::needs::{ExtractKind, Needle, identifiers, regex_affixes};
use crate::pattern::Pattern;

/// The identifiers a pattern without conditions (a pack's cleanup) needs in a text, searched for
/// as substrings: cheaper than a scan for a few patterns, where a substring hit only costs a try.
#[derive(Debug)]
pub struct SubstringNeeds {
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl SubstringNeeds {
    pub fn of(pattern: &Pattern) -> SubstringNeeds {
        let finders = identifiers(pattern)
            .into_iter()
            .map(|needle| match needle {
                Needle::Word(text) | Needle::Text(text) => {
                    memchr::memmem::Finder::new(text.as_bytes()).into_owned()
                }
            })
            .collect();
        SubstringNeeds { finders }
    }

    /// Whether `text` holds every identifier.
    pub fn may_match(&self, text: &str) -> bool {
        self.finders
            .iter()
            .all(|finder| finder.find(text.as_bytes()).is_some())
    }
}

/// How many literals aho-corasick's packed (Teddy) searcher takes.
const PACKED_LITERALS: usize = 64;

/// A search for any of `literals` that only needs to tell whether one occurs: up to
/// [`PACKED_LITERALS`] of them, and not `case_blind`, it is aho-corasick's SIMD searcher.
fn any_of<L: AsRef<[u8]>>(literals: &[L], case_blind: bool) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        // Only leftmost searches use the packed searcher; any match will do here.
        .match_kind(MatchKind::LeftmostFirst)
        .ascii_case_insensitive(case_blind)
        .build(literals)
        .ok()
}

/// Whether a comment rule's regex may match one of a text's comments: the text holds one of the
/// regex's literal prefixes and one of its literal suffixes (when it has finitely many), and the
/// regex matches the whole text. Searching for the affixes is much cheaper than running the regex
/// over every file.
///
/// Running the regex on the whole text only says something of its comments when every match in a
/// comment is a match in the text. Anchors (`^`, `$`) and a `\B` or half boundary at a comment's
/// `#` can hold in the comment and not in the text, so such a regex is not run on the whole text.
#[derive(Debug)]
pub struct RegexNeeds {
    prefixes: Option<AhoCorasick>,
    suffixes: Option<AhoCorasick>,
    /// The regex, when a match in a comment is a match in the text.
    whole_text: Option<LazyRegex>,
}

impl RegexNeeds {
    pub fn of(regex: &LazyRegex) -> RegexNeeds {
        // Up to [`PACKED_LITERALS`] literals are searched for as they are, with a SIMD search that
        // skips most of a text. Beyond, the case variants of one literal (under `(?i)`, `newlib`
        // is 64 literals) become one needle to a case-blind search, which reads every byte.
        let automaton = |kind| {
            let mut literals = regex_affixes(regex, kind)?;
            let case_blind = literals.len() > PACKED_LITERALS;
            if case_blind {
                literals.iter_mut().for_each(|l| l.make_ascii_lowercase());
            }
            literals.sort();
            literals.dedup();
            any_of(&literals, case_blind)
        };
        RegexNeeds {
            prefixes: automaton(ExtractKind::Prefix),
            suffixes: automaton(ExtractKind::Suffix),
            whole_text: holds_in_context(regex).then(|| regex.clone()),
        }
    }

    /// Whether `regex` may match one of the comments of `text`.
    pub fn may_match(&self, text: &str) -> bool {
        [&self.prefixes, &self.suffixes]
            .into_iter()
            .flatten()
            .all(|automaton| automaton.is_match(text))
            && self
                .whole_text
                .as_ref()
                .is_none_or(|regex| regex.is_match(text))
    }
}

/// Whether every match of `regex` in a comment is also a match in the text around it: the regex
/// asserts nothing that changes when the comment's start gets a character before it. A comment
/// starts with `#` and ends at a line end, so full word boundaries and word-end assertions agree;
/// line anchors, negated boundaries and start-half boundaries may not.
fn holds_in_context(regex: &LazyRegex) -> bool {
    regex.hir().properties().look_set().iter().all(|look| {
        matches!(
            look,
            Look::WordAscii
                | Look::WordUnicode
                | Look::WordStartAscii
                | Look::WordStartUnicode
                | Look::WordEndAscii
                | Look::WordEndUnicode
                | Look::WordEndHalfAscii
                | Look::WordEndHalfUnicode
        )
    })
}

/// The needs of every enabled pattern, compiled for one scan of a file. Patterns are numbered
/// `0..n` by the caller; a scan tells which of them may match in the text.
#[derive(Debug, Default)]
pub struct Prefilter {
    /// The patterns that need nothing: they may match in every file.
    always: Live,
    needles: Option<Needles>,
}

/// The patterns that may match in one text, as a set of pattern numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    bits: Vec<u64>,
}

impl Live {
    fn with_capacity(patterns: usize) -> Live {
        Live {
            bits: vec![0; patterns.div_ceil(64)],
        }
    }

    fn insert(&mut self, pattern: usize) {
        self.bits[pattern / 64] |= 1 << (pattern % 64);
    }

    /// Whether pattern number `pattern` may match.
    pub fn contains(&self, pattern: u32) -> bool {
        let pattern = pattern as usize;
        self.bits
            .get(pattern / 64)
            .is_some_and(|word| word & (1 << (pattern % 64)) != 0)
    }

    /// The same set without the patterns `keep` refuses.
    pub fn retained(&self, mut keep: impl FnMut(u32) -> bool) -> Live {
        let mut kept = Live {
            bits: vec![0; self.bits.len()],
        };
        for pattern in self.iter() {
            if keep(pattern) {
                kept.insert(pattern as usize);
            }
        }
        kept
    }

    /// Whether no pattern may match.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&word| word == 0)
    }

    /// The numbers of the patterns that may match, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.bits.iter().enumerate().flat_map(|(index, &word)| {
            let mut left = word;
            std::iter::from_fn(move || {
                if left == 0 {
                    return None;
                }
                let bit = left.trailing_zeros();
                left &= left - 1;
                Some(index as u32 * 64 + bit)
            })
        })
    }
}

/// Up to this many substring needles are each searched for on their own.
const SEPARATE_SUBSTRINGS: usize = 8;

/// The needles that are not whole tokens, searched for as substrings: only whether each occurs
/// matters, so a search ends at a needle's first occurrence.
#[derive(Debug)]
enum Substrings {
    /// A few, each with a SIMD search of its own (with its number).
    Each(Vec<(memchr::memmem::Finder<'static>, usize)>),
    /// More: one automaton over all of them (with their numbers), read until each was seen.
    All(AhoCorasick, Vec<usize>),
}

/// The needles, numbered, and the sets that need them.
#[derive(Debug)]
struct Needles {
    words: WordMap<String, usize>,
    /// The substring needles.
    texts: Option<Substrings>,
    count: usize,
    sets: Vec<Vec<usize>>,
    /// The pattern each set belongs to.
    owners: Vec<usize>,
    /// For each needle, the sets it is the rarest needle of (each set is listed under one): after
    /// a scan, only the sets of the needles found are tested, and a needle most sets hold (a
    /// module name) is rarely the rarest of any.
    watched_by: Vec<Vec<usize>>,
    /// A few needles one of which every set holds, searched for as substrings before the scan.
    gate: Option<AhoCorasick>,
}

impl Prefilter {
    /// A prefilter for the patterns numbered by their index in `patterns`, each given by its
    /// needle sets (a [`Plan`](crate::condition::Plan)'s).
    pub fn new(patterns: &[Vec<Vec<Needle>>]) -> Prefilter {
        let mut always = Live::with_capacity(patterns.len());
        let mut needle_sets: Vec<(&[Needle], usize)> = Vec::new();
        for (number, sets) in patterns.iter().enumerate() {
            if sets.iter().any(Vec::is_empty) {
                always.insert(number);
            } else {
                needle_sets.extend(sets.iter().map(|set| (set.as_slice(), number)));
            }
        }
        let mut needles: Vec<&Needle> = needle_sets.iter().flat_map(|(set, _)| *set).collect();
        needles.sort();
        needles.dedup();
        let number = |needle: &Needle| needles.binary_search(&needle).expect("collected");
        let sets: Vec<Vec<usize>> = needle_sets
            .iter()
            .map(|(set, _)| set.iter().map(number).collect())
            .collect();
        let mut holders = vec![0_usize; needles.len()];
        for &needle in sets.iter().flatten() {
            holders[needle] += 1;
        }
        let mut watched_by = vec![Vec::new(); needles.len()];
        for (index, set) in sets.iter().enumerate() {
            // The needle fewest sets hold; of equals, the first.
            if let Some(&rarest) = set.iter().min_by_key(|&&needle| (holders[needle], needle)) {
                watched_by[rarest].push(index);
            }
        }
        let mut words = WordMap::default();
        let mut texts = (Vec::new(), Vec::new());
        for (index, needle) in needles.iter().enumerate() {
            match needle {
                Needle::Word(word) => {
                    words.insert(word.clone(), index);
                }
                Needle::Text(text) => {
                    texts.0.push(text.as_str());
                    texts.1.push(index);
                }
            }
        }
        let texts = if texts.0.is_empty() {
            None
        } else if texts.0.len() <= SEPARATE_SUBSTRINGS {
            let finders = texts
                .0
                .iter()
                .map(|text| memchr::memmem::Finder::new(text.as_bytes()).into_owned());
            Some(Substrings::Each(finders.zip(texts.1).collect()))
        } else {
            match AhoCorasick::new(&texts.0) {
                Ok(automaton) => Some(Substrings::All(automaton, texts.1)),
                // Too many substrings to search for: every pattern that needs one may match.
                Err(_) => {
                    for (_, owner) in &needle_sets {
                        always.insert(*owner);
                    }
                    return Prefilter {
                        always,
                        needles: None,
                    };
                }
            }
        };
        let needles = (!sets.is_empty()).then(|| Needles {
            words,
            texts,
            gate: gate(&needles, &sets),
            count: needles.len(),
            owners: needle_sets.iter().map(|(_, owner)| *owner).collect(),
            sets,
            watched_by,
        });
        Prefilter { always, needles }
    }

    /// The patterns that may match in `source`.
    pub fn live(&self, source: &str) -> Live {
        let mut live = self.always.clone();
        if let Some(needles) = &self.needles {
            needles.scan(source, &mut live);
        }
        live
    }
}

impl Needles {
    /// Add to `live` the patterns one of whose needle sets `source` holds.
    fn scan(&self, source: &str, live: &mut Live) {
        if !self.may_complete_a_set(source) {
            return;
        }
        let mut present = vec![false; self.count];
        let mut seen: Vec<usize> = Vec::new();
        let mut found = |needle: usize| {
            if !present[needle] {
                present[needle] = true;
                seen.push(needle);
            }
        };
        self.scan_words(source, &mut found);
        self.scan_substrings(source, &mut found);
        // Python reads identifiers NFKC-normalised (`ｓleep` is `sleep`): what a run of non-ASCII
        // characters and letters stands for is scanned too.
        if !source.is_ascii() {
            for run in non_ascii_runs(source) {
                if is_nfkc_quick(run.chars()) != IsNormalized::Yes {
                    self.scan_normalized(run, &mut found);
                }
            }
        }
        // A set whose needles are all present holds its rarest one, which was seen.
        for needle in seen {
            for &set in &self.watched_by[needle] {
                if self.sets[set].iter().all(|&n| present[n]) {
                    live.insert(self.owners[set]);
                }
            }
        }
    }

    /// Whether `source` may hold every needle of some set: it holds one of the gate's needles, or
    /// it is not all ASCII (where a needle may be spelled otherwise than Python reads it).
    fn may_complete_a_set(&self, source: &str) -> bool {
        self.gate
            .as_ref()
            .is_none_or(|gate| gate.is_match(source) || !source.is_ascii())
    }

    /// Report to `found` the needles that `run` holds once NFKC-normalised (rare: out of line).
    #[inline(never)]
    fn scan_normalized(&self, run: &str, found: &mut impl FnMut(usize)) {
        let normalized: String = run.nfkc().collect();
        self.scan_words(&normalized, found);
        self.scan_substrings(&normalized, found);
    }

    /// Report to `found` every substring needle that `text` holds.
    fn scan_substrings(&self, text: &str, found: &mut impl FnMut(usize)) {
        match &self.texts {
            None => {}
            Some(Substrings::Each(finders)) => {
                for (finder, number) in finders {
                    if finder.find(text.as_bytes()).is_some() {
                        found(*number);
                    }
                }
            }
            Some(Substrings::All(automaton, numbers)) => {
                let mut seen = vec![false; numbers.len()];
                let mut left = numbers.len();
                for text in automaton.find_overlapping_iter(text) {
                    let index = text.pattern().as_usize();
                    if !std::mem::replace(&mut seen[index], true) {
                        found(numbers[index]);
                        left -= 1;
                        if left == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Report to `found` every needle word that `text` holds as an ASCII token.
    fn scan_words(&self, text: &str, found: &mut impl FnMut(usize)) {
        let bytes = text.as_bytes();
        scan::word_runs(bytes, |start, end| {
            // Most runs fail this test; the rest of the work stays out of the loop.
            if self
                .words
                .may_hold(bytes[start], bytes[end - 1], end - start)
            {
                // Runs are ASCII, so the slice is on character boundaries.
                self.look_up_word(&text[start..end], found);
            }
        });
    }

    /// Report `word` to `found` if it is a needle.
    #[inline(never)]
    fn look_up_word(&self, word: &str, found: &mut impl FnMut(usize)) {
        if let Some(&needle) = self.words.get_unfiltered(word) {
            found(needle);
        }
    }
}

/// The gate of a scan: needles one of which every set holds (a file holding none of them, as
/// substrings, holds no whole set), chosen greedily by how many sets still lack one, and
/// searched for with aho-corasick's SIMD searcher, which skips through most texts without one.
/// There is none when that takes more needles than the SIMD searcher handles: then the scan,
/// which reads every byte anyway, is cheaper alone.
fn gate(needles: &[&Needle], sets: &[Vec<usize>]) -> Option<AhoCorasick> {
    let mut unmet: Vec<&[usize]> = sets.iter().map(Vec::as_slice).collect();
    let mut chosen = Vec::new();
    while !unmet.is_empty() {
        let mut counts = vec![0_usize; needles.len()];
        for needle in unmet.iter().flat_map(|set| set.iter()) {
            counts[*needle] += 1;
        }
        // The most shared needle; of equals, the first, so the choice does not vary.
        let (best, _) = counts
            .iter()
            .enumerate()
            .max_by_key(|&(needle, &count)| (count, std::cmp::Reverse(needle)))?;
        chosen.push(match needles[best] {
            Needle::Word(text) | Needle::Text(text) => text.as_str(),
        });
        if chosen.len() > PACKED_LITERALS {
            return None;
        }
        unmet.retain(|set| !set.contains(&best));
    }
    any_of(&chosen, false)
}

/// The maximal runs of ASCII word characters and non-ASCII characters in `text` that hold a
/// non-ASCII character: where an identifier may be spelled other than as Python reads it.
fn non_ascii_runs(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        // The run around the next non-ASCII byte (a character's first byte: ASCII precedes it).
        let mut start = at + first_non_ascii(&bytes[at..])?;
        let mut end = start;
        while start > at && scan::is_word_byte(bytes[start - 1]) {
            start -= 1;
        }
        while end < bytes.len() && (!bytes[end].is_ascii() || scan::is_word_byte(bytes[end])) {
            end += 1;
        }
        at = end;
        Some(&text[start..end])
    })
}

/// The offset of the first non-ASCII byte of `bytes`, looked for eight bytes at a time.
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut offset = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_ne_bytes(chunk.try_into().expect("eight bytes"));
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|position| offset + position)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prefilter with one pattern per set of words.
    fn words(sets: &[&[&str]]) -> Prefilter {
        let patterns: Vec<Vec<Vec<Needle>>> = sets
            .iter()
            .map(|set| vec![set.iter().map(|w| Needle::of((*w).to_owned())).collect()])
            .collect();
        Prefilter::new(&patterns)
    }

    /// Whether some pattern of `prefilter` may match in `text`.
    fn passes(prefilter: &Prefilter, text: &str) -> bool {
        !prefilter.live(text).is_empty()
    }

    #[test]
    fn words_are_found_as_python_reads_identifiers() {
        let prefilter = words(&[&["pkg", "sleep"]]);
        // A fullwidth `ｓ`, and a mathematical bold `𝐩`: NFKC makes them ASCII.
        assert!(passes(&prefilter, "import pkg\npkg.\u{ff53}leep(1)\n"));
        assert!(passes(
            &prefilter,
            "import \u{1d429}kg\n\u{1d429}kg.sleep(1)\n"
        ));
        // Accented words stay what they are, and a separator still separates.
        assert!(!passes(&prefilter, "import pkg\npkg.sl\u{e9}ep(1)\n"));
        assert!(passes(&prefilter, "# pkg\u{2192}sleep\n"));
        let runs: Vec<&str> =
            non_ascii_runs("a = \u{ff53}leep + caf\u{e9}(x) # \u{2192}b").collect();
        assert_eq!(runs, ["\u{ff53}leep", "caf\u{e9}", "\u{2192}b"]);
        // A word that is not ASCII is a substring needle: found however it is composed.
        let accented = words(&[&["caf\u{e9}"]]);
        assert!(passes(&accented, "caf\u{e9}()\n"));
        assert!(passes(&accented, "cafe\u{301}()\n"));
        for at in 0..20 {
            let text = format!("{}\u{e9}", "a".repeat(at));
            assert_eq!(first_non_ascii(text.as_bytes()), Some(at));
        }
        assert_eq!(first_non_ascii(b"all ascii, longer than eight"), None);
    }

    #[test]
    fn words_are_whole_tokens_and_a_file_needs_every_word_of_one_set() {
        let prefilter = words(&[&["pkg", "sleep"], &["gather"]]);
        assert!(passes(&prefilter, "import pkg\nawait pkg.sleep(1)"));
        assert!(passes(&prefilter, "x = gather"));
        assert!(!passes(&prefilter, "import pkg\nsleeping = 1"));
        assert!(!passes(&prefilter, "sleep(1)"));
        // A non-ASCII character ends a token: a word after it is found, never lost.
        assert!(passes(&prefilter, "\"→gather\""));
        assert!(!passes(&words(&[]), "anything"));
        assert!(passes(&words(&[&[]]), ""));
    }

    #[test]
    fn the_gate_lets_through_every_text_that_may_hold_a_whole_set() {
        let sets: &[&[&str]] = &[
            &["pkg", "sleep"],
            &["pkg", "wait"],
            &["other", "gather"],
            &["gather"],
            &["\"x"],
        ];
        let gated = words(sets);
        let gate = gated.needles.as_ref().and_then(|n| n.gate.as_ref());
        // `pkg`, `gather` and `"x` meet every set.
        assert_eq!(gate.map(AhoCorasick::patterns_len), Some(3));
        let mut ungated = words(sets);
        ungated.needles.as_mut().expect("needles").gate = None;
        let fragments = [
            "pkg",
            "sleep",
            "wait",
            "other",
            "gather",
            "\"x",
            " ",
            "\n",
            ".",
            "sleeping",
            "ga",
            "ther",
            "\u{ff50}kg",
            "\u{ff53}leep",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let mut passed = 0;
        for _ in 0..5_000 {
            let text: String = (0..next(6))
                .map(|_| fragments[next(fragments.len())])
                .collect();
            let live = gated.live(&text);
            assert_eq!(live, ungated.live(&text), "{text:?}");
            passed += usize::from(!live.is_empty());
        }
        // Both outcomes were tried many times.
        assert!((500..4_500).contains(&passed), "{passed}");
    }

    #[test]
    fn sets_that_need_more_needles_than_the_simd_search_takes_have_no_gate() {
        let names: Vec<String> = (0..=PACKED_LITERALS).map(|n| format!("w{n}")).collect();
        let sets: Vec<[&str; 1]> = names.iter().map(|name| [name.as_str()]).collect();
        let sets: Vec<&[&str]> = sets.iter().map(|set| set.as_slice()).collect();
        let prefilter = words(&sets);
        assert!(prefilter.needles.as_ref().is_some_and(|n| n.gate.is_none()));
        assert!(prefilter.live("x = w64").contains(64));
        assert!(prefilter.live("x = w65").is_empty());
    }

    #[test]
    fn a_scan_tells_which_patterns_may_match() {
        let prefilter = words(&[&["pkg", "sleep"], &["gather"], &[], &["pkg", "wait"]]);
        let live = prefilter.live("import pkg\nawait pkg.sleep(1)\n");
        let numbers: Vec<u32> = (0..5).filter(|&n| live.contains(n)).collect();
        // The pattern that needs nothing is always live; a pattern with a missing word is not.
        assert_eq!(numbers, [0, 2]);
        let live = prefilter.live("gather(pkg.wait())");
        assert_eq!(
            (0..5).filter(|&n| live.contains(n)).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(!words(&[&["x"]]).live("y").contains(0));
        assert!(words(&[&["x"]]).live("y").is_empty());
    }

    #[test]
    fn a_comment_regex_runs_only_where_its_affixes_are() {
        let needs = RegexNeeds::of(&LazyRegex::new(r"(?i)#\s*TODO\b.*\b(newlib|other)\b").unwrap());
        assert!(needs.may_match("x = 1  # todo: move to NewLib"));
        assert!(!needs.may_match("x = 1  # todo: later"));
        assert!(!needs.may_match("import newlib"));
        // An anchored regex is not run on the whole text: it may hold in a comment only.
        let anchored = RegexNeeds::of(&LazyRegex::new(r"^#\s*todo").unwrap());
        assert!(anchored.may_match("x = 1  # todo"));
    }

    #[test]
    fn case_blind_affixes_are_found_in_any_case_however_many_variants_they_have() {
        // `(alpha|beta)` spells 48 literals under `(?i)`, searched for as they are; `polling`
        // spells 128, folded into one case-blind needle.
        for (word, variants) in [("(alpha|beta)", 48), ("polling", 128)] {
            let regex = LazyRegex::new(&format!(r"(?i)#.*\b{word}\b")).unwrap();
            let literals = regex_affixes(&regex, ExtractKind::Suffix).unwrap();
            assert_eq!(literals.len(), variants, "{word}");
            let needs = RegexNeeds::of(&regex);
            for spelled in &literals {
                assert!(needs.may_match(&format!("x = 1  # {spelled}")), "{spelled}");
            }
            assert!(!needs.may_match("x = 1  # nothing to see"), "{word}");
        }
    }
}
