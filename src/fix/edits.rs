//! Applying edits to a text, and merging the edits of several fixes into one set that does not
//! overlap (nor inserts two texts at one offset).

use std::collections::BTreeMap;

use ruff_text_size::TextSize;

use crate::base::diagnostic::Edit;

/// Apply edits (sorted, non-overlapping) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for edit in edits {
        let start = edit.range.start().to_usize();
        out.push_str(&text[at..start]);
        out.push_str(&edit.content);
        at = edit.range.end().to_usize();
    }
    out.push_str(&text[at..]);
    out
}

/// Whether two edits cannot both be applied: their ranges overlap, or they insert different
/// texts at one offset (which goes first would be a guess: the later fix waits for the next pass,
/// made against the text the earlier one left).
fn overlaps(a: &Edit, b: &Edit) -> bool {
    if a == b {
        return false;
    }
    let (a, b) = (a.range, b.range);
    if a.is_empty() && b.is_empty() {
        return a.start() == b.start();
    }
    if a.is_empty() {
        return b.start() < a.start() && a.start() < b.end();
    }
    if b.is_empty() {
        return a.start() < b.start() && b.start() < a.end();
    }
    a.start() < b.end() && b.start() < a.end()
}

/// Merge edit groups, skipping any group that overlaps an accepted one. Returns the accepted
/// edits (sorted, without duplicates) and the indices of the accepted groups.
///
/// Accepted edits never overlap one another, so an edit can only overlap the accepted edits that
/// start inside it or the last ones starting before it: each check looks at those alone.
pub fn merge(groups: &[&[Edit]]) -> (Vec<Edit>, Vec<usize>) {
    let mut accepted: BTreeMap<TextSize, Vec<Edit>> = BTreeMap::new();
    let mut indices = Vec::new();
    let clashes = |accepted: &BTreeMap<TextSize, Vec<Edit>>, edit: &Edit| {
        let before = accepted.range(..edit.range.start()).next_back();
        let inside = accepted.range(edit.range.start()..=edit.range.end());
        before
            .into_iter()
            .chain(inside)
            .flat_map(|(_, edits)| edits)
            .any(|other| overlaps(other, edit))
    };
    for (index, group) in groups.iter().enumerate() {
        if group.iter().any(|edit| clashes(&accepted, edit)) {
            continue;
        }
        for edit in group.iter() {
            let at = accepted.entry(edit.range.start()).or_default();
            if !at.contains(edit) {
                at.push(edit.clone());
            }
        }
        indices.push(index);
    }
    let mut edits: Vec<Edit> = accepted.into_values().flatten().collect();
    edits.sort_by(|a, b| a.key().cmp(&b.key()));
    (edits, indices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::TextRange;

    fn insert(at: u32, text: &str) -> Edit {
        Edit::insert(TextSize::new(at), text.to_owned())
    }

    #[test]
    fn different_texts_inserted_at_one_offset_clash_and_the_same_one_is_kept_once() {
        let first = [insert(0, "import a\n")];
        let same = [insert(0, "import a\n")];
        let other = [insert(0, "import b\n\n")];
        let elsewhere = [insert(4, "x")];
        let (edits, accepted) = merge(&[&first, &same, &other, &elsewhere]);
        assert_eq!(accepted, [0, 1, 3]);
        assert_eq!(edits, [insert(0, "import a\n"), insert(4, "x")]);
        // An insertion inside a replaced range clashes; one at its edge does not.
        let replaced = [Edit::delete(TextRange::new(
            TextSize::new(2),
            TextSize::new(6),
        ))];
        let (_, accepted) = merge(&[&replaced, &elsewhere, &[insert(2, "y")]]);
        assert_eq!(accepted, [0, 2]);
    }
}
