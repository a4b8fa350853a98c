//! Recursion over trees of any depth: where a recursive visitor checks that stack is left.
//!
//! Checking costs a call, so a visitor checks only every [`CHECK_EVERY`] levels down the path from
//! the root, and the check asks for room for those levels and for the work done at the deepest.
//! When too little is left, the rest of the recursion runs on a new stack segment.

/// How many levels a visitor descends between two checks.
pub const CHECK_EVERY: usize = 8;

/// Stack a visitor asks to have left at a check: [`CHECK_EVERY`] levels and the work at the
/// deepest of them (matching a pattern there), with room to spare in debug builds.
pub const RED_ZONE: usize = 256 * 1024;

/// The size of a new stack segment.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Where, on the path from the root, a visitor last checked its stack.
#[derive(Debug, Default, Clone, Copy)]
pub struct Checked {
    at: usize,
}

/// Descend to `depth` (the nesting of the node `descend` visits) in `visitor`: on the current
/// stack, or on a new segment when a check is due and too little is left. `checked` says where
/// `visitor` keeps its [`Checked`].
pub fn deeper<V>(
    visitor: &mut V,
    depth: usize,
    checked: fn(&mut V) -> &mut Checked,
    descend: impl FnOnce(&mut V),
) {
    if depth < checked(visitor).at + CHECK_EVERY {
        return descend(visitor);
    }
    let above = std::mem::replace(&mut checked(visitor).at, depth);
    stacker::maybe_grow(RED_ZONE, SEGMENT, || descend(visitor));
    checked(visitor).at = above;
}
