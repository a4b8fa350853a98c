//! Maps keyed by identifiers that are looked up once per token of a file.
//!
//! A file spells tens of thousands of names and the few words a [`WordMap`] holds are rarely among
//! them, so a lookup first reads two tables, of the lengths of the words with each first byte and
//! with each last byte: they turn most tokens away without hashing them.

use std::borrow::Borrow;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A map from words to values, fast to ask about words it does not hold.
#[derive(Debug, Clone)]
pub struct WordMap<K, V> {
    /// For each first byte, the lengths of the words starting with it (bit `min(length, 63)`).
    shapes: Box<[u64; 256]>,
    /// For each last byte, the lengths of the words ending with it.
    ends: Box<[u64; 256]>,
    words: FxHashMap<K, V>,
}

/// A set of words.
pub type WordSet<K> = WordMap<K, ()>;

/// A word's length as a bit of [`WordMap::shapes`].
fn shape(length: usize) -> u64 {
    1 << length.min(63)
}

/// A word's first byte as an index of [`WordMap::shapes`] (0 for the empty word).
fn first_byte(word: &str) -> u8 {
    word.as_bytes().first().copied().unwrap_or(0)
}

/// A word's last byte as an index of [`WordMap::ends`] (0 for the empty word).
fn last_byte(word: &str) -> u8 {
    word.as_bytes().last().copied().unwrap_or(0)
}

impl<K, V> Default for WordMap<K, V> {
    fn default() -> Self {
        WordMap {
            shapes: Box::new([0; 256]),
            ends: Box::new([0; 256]),
            words: FxHashMap::default(),
        }
    }
}

impl<K: Borrow<str> + Hash + Eq, V> WordMap<K, V> {
    /// Insert `word` with `value`; returns the value it had.
    pub fn insert(&mut self, word: K, value: V) -> Option<V> {
        let spelled: &str = word.borrow();
        self.shapes[usize::from(first_byte(spelled))] |= shape(spelled.len());
        self.ends[usize::from(last_byte(spelled))] |= shape(spelled.len());
        self.words.insert(word, value)
    }

    /// The value of `word`.
    #[inline]
    pub fn get(&self, word: &str) -> Option<&V> {
        if !self.may_hold(first_byte(word), last_byte(word), word.len()) {
            return None;
        }
        self.words.get(word)
    }

    /// Whether the map may hold a word of `length` bytes starting with `first` and ending with
    /// `last`: the test [`get`](Self::get) makes first, for a caller that has bytes and has not
    /// yet sliced them into a `str` (which checks character boundaries) for
    /// [`get_unfiltered`](Self::get_unfiltered).
    #[inline]
    pub fn may_hold(&self, first: u8, last: u8, length: usize) -> bool {
        let shape = shape(length);
        self.shapes[usize::from(first)] & shape != 0 && self.ends[usize::from(last)] & shape != 0
    }

    /// The value of `word`, without the test of [`may_hold`](Self::may_hold).
    #[inline]
    pub fn get_unfiltered(&self, word: &str) -> Option<&V> {
        self.words.get(word)
    }

    /// Whether the map holds `word`.
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        self.get(word).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }
}

impl<K: Borrow<str> + Hash + Eq> WordSet<K> {
    /// Add `word`; returns whether it was new.
    pub fn add(&mut self, word: K) -> bool {
        self.insert(word, ()).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_found_exactly() {
        let mut set = WordSet::default();
        for word in [
            "sleep",
            "s",
            "run_until_complete",
            "",
            "x".repeat(80).as_str(),
        ] {
            assert!(set.add(word.to_owned()));
        }
        assert!(!set.add("sleep".to_owned()));
        for held in ["sleep", "s", "run_until_complete", "", &"x".repeat(80)] {
            assert!(set.contains(held), "{held:?}");
        }
        // Same first byte and length as a held word, or a length past the table's last bit.
        for other in [
            "sleeq",
            "t",
            "slee",
            "sleepy",
            &"x".repeat(70),
            &"x".repeat(81),
        ] {
            assert!(!set.contains(other), "{other:?}");
        }
        assert_eq!(set.len(), 5);
        // What a caller holding bytes asks first, then without the table.
        assert!(set.may_hold(b's', b'p', 5) && set.may_hold(b's', b's', 1));
        assert!(!set.may_hold(b's', b'p', 6) && !set.may_hold(b's', b'q', 5));
        assert_eq!(set.get_unfiltered("sleep"), Some(&()));
        assert_eq!(set.get_unfiltered("sleeq"), None);
    }
}
