//! Finding the word runs of a text fast: its maximal runs of ASCII letters, digits and `_`.
//!
//! The prefilter reads every byte of every file, most of which it then never parses, so this loop
//! is one of the largest costs of `check` outside the parser. [`word_runs`] classifies the bytes
//! eight at a time with integer arithmetic (no lookup table, no `unsafe`), gathers them into one
//! bit per byte for each 64-byte block, and then walks the runs of set bits: the cost is a few
//! instructions per byte and per run, not a branch per byte.
//!
//! Non-ASCII bytes end runs (as the byte-at-a-time reference below does): a run is only a
//! candidate identifier, and the prefilter treats non-ASCII text on its own.

/// Whether a byte belongs to a word run: an ASCII letter, digit or `_`. Other bytes end runs,
/// non-ASCII letters included: a needle word found in `éword` is a harmless extra pass of the
/// prefilter, while a word after `→` (a word boundary to a regex) must not be missed.
pub fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The bytes of a block at once.
const BLOCK: usize = 64;

/// Call `found(start, end)` for every maximal run `bytes[start..end]` of
/// [word bytes](is_word_byte), in order.
pub fn word_runs(bytes: &[u8], mut found: impl FnMut(usize, usize)) {
    let mut open: Option<usize> = None;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut base = 0;
    for block in blocks.by_ref() {
        runs_in_block(block_mask(block), base, &mut open, &mut found);
        base += BLOCK;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // Zeros are not word bytes: the padding ends any run at the text's end.
        let mut padded = [0; BLOCK];
        padded[..rest.len()].copy_from_slice(rest);
        runs_in_block(block_mask(&padded), base, &mut open, &mut found);
    } else if let Some(start) = open {
        found(start, base);
    }
}

/// Report the runs of one block, whose word bytes are the set bits of `mask` and which starts at
/// `base`. `open` is where a run still open at the block's start began, and becomes where a run
/// still open at its end begins.
#[inline(always)]
fn runs_in_block(
    mut mask: u64,
    base: usize,
    open: &mut Option<usize>,
    found: &mut impl FnMut(usize, usize),
) {
    if let Some(start) = *open {
        let continued = mask.trailing_ones() as usize;
        if continued == BLOCK {
            return;
        }
        found(start, base + continued);
        *open = None;
        // The bits below `continued` are all set; clear them.
        mask &= mask.wrapping_add(1);
    }
    while mask != 0 {
        let start = mask.trailing_zeros() as usize;
        let length = (!(mask >> start)).trailing_zeros() as usize;
        if start + length == BLOCK {
            *open = Some(base + start);
            return;
        }
        found(base + start, base + start + length);
        // Clear the run (its length is below 64: it ends inside the block).
        mask &= !(((1u64 << length) - 1) << start);
    }
}

/// One bit per byte of a 64-byte block: whether it is an ASCII letter, digit or `_`.
#[inline(always)]
fn block_mask(block: &[u8]) -> u64 {
    let mut mask = 0;
    for (index, chunk) in block.chunks_exact(8).enumerate() {
        let bytes = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        mask |= word_bytes(bytes) << (8 * index);
    }
    mask
}

/// Eight copies of a byte in a word.
const fn splat(byte: u8) -> u64 {
    byte as u64 * 0x0101_0101_0101_0101
}

const LOW_SEVEN: u64 = splat(0x7f);
const HIGH: u64 = splat(0x80);

/// For eight bytes (little-endian in `bytes`), eight bits: whether each is an ASCII letter, digit
/// or `_`.
///
/// With the high bit of each byte cleared, adding `0x80 - low` sets it exactly when the byte is at
/// least `low`, and no addition carries into the next byte (both terms are below `0x80`). A byte
/// whose high bit was set is not ASCII and never a word byte.
#[inline(always)]
fn word_bytes(bytes: u64) -> u64 {
    let ascii = bytes & LOW_SEVEN;
    let at_least = |low: u8, value: u64| value.wrapping_add(splat(0x80 - low));
    let above = |high: u8, value: u64| value.wrapping_add(splat(0x7f - high));
    let digit = at_least(b'0', ascii) & !above(b'9', ascii);
    let folded = ascii | splat(0x20);
    let letter = at_least(b'a', folded) & !above(b'z', folded);
    // `ascii ^ '_'` is zero exactly at an underscore; adding 0x7f sets the high bit elsewhere.
    let underscore = !(ascii ^ splat(b'_')).wrapping_add(LOW_SEVEN);
    let high_bits = (digit | letter | underscore) & !bytes & HIGH;
    // Gather the eight high bits into the low byte.
    (high_bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time definition [`word_runs`] must agree with.
    fn reference(bytes: &[u8]) -> Vec<(usize, usize)> {
        let word = |b: &u8| is_word_byte(*b);
        let mut runs = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            if !word(&bytes[at]) {
                at += 1;
                continue;
            }
            let start = at;
            while at < bytes.len() && word(&bytes[at]) {
                at += 1;
            }
            runs.push((start, at));
        }
        runs
    }

    fn runs(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut runs = Vec::new();
        word_runs(bytes, |start, end| runs.push((start, end)));
        runs
    }

    #[test]
    fn every_byte_is_classified_as_the_reference_does() {
        for byte in 0..=255u8 {
            for at in [0, 7, 8, 63, 64, 65] {
                let mut text = vec![b' '; at + 3];
                text[at] = byte;
                assert_eq!(runs(&text), reference(&text), "byte {byte:#04x} at {at}");
            }
        }
    }

    #[test]
    fn runs_across_and_up_to_block_edges_are_whole() {
        for length in 0..200 {
            for shift in [0, 1, 62, 63, 64, 65] {
                let mut text = vec![b'.'; shift];
                text.extend(std::iter::repeat_n(b'x', length));
                for tail in [&b""[..], b".", b"._a"] {
                    let mut text = text.clone();
                    text.extend_from_slice(tail);
                    assert_eq!(runs(&text), reference(&text), "{length} after {shift}");
                }
            }
        }
    }

    #[test]
    fn pseudo_random_texts_agree_with_the_reference() {
        // Bytes drawn mostly from word characters and separators, with some non-ASCII.
        let alphabet = b"aZ_09 .(\n\t\xc3\xa9\xff\x80`{@[/:";
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for length in 0..600 {
            let text: Vec<u8> = (0..length)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(runs(&text), reference(&text), "{text:?}");
        }
    }
}
