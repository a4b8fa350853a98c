//! Where an import sorter puts an import: the sections of a sorted import block and the order
//! within each, as isort's defaults (and Ruff's `I` rules') have them.
//!
//! A block is a run of consecutive import statements. Its sections come in this order, one blank
//! line between two of them and none within one: `__future__` imports, the standard library,
//! third-party modules, first-party modules (the project's own), relative imports. Within a
//! section every `import x` comes before every `from x import y`; each kind is ordered by module
//! name, compared without case first and in natural order (runs of digits by their value).
//!
//! Which modules are the standard library's is data, `stdlib_modules.txt` beside this file (its
//! header says where it comes from). A module that is the standard library's on some supported
//! Pythons only, or a module the file's project may or may not count as its own, can stand in any
//! of the sections a sorter could give it: a block is read as sorted when some choice of sections
//! for its groups of lines makes it so, the choice that agrees with what is known winning.

use std::cmp::Ordering;
use std::sync::OnceLock;

use ruff_python_ast::Stmt;
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use crate::analysis::project::InProject;
use crate::base::version::Version;

/// The sections of a sorted import block, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Future,
    Stdlib,
    ThirdParty,
    FirstParty,
    Local,
}

const SECTIONS: [Section; 5] = [
    Section::Future,
    Section::Stdlib,
    Section::ThirdParty,
    Section::FirstParty,
    Section::Local,
];

impl Section {
    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The sections an import may stand in, and the one what is known points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sections {
    pub preferred: Section,
    possible: u8,
}

impl Sections {
    fn only(section: Section) -> Sections {
        Sections {
            preferred: section,
            possible: section.bit(),
        }
    }

    fn among(preferred: Section, others: &[Section]) -> Sections {
        Sections {
            preferred,
            possible: others
                .iter()
                .fold(preferred.bit(), |bits, s| bits | s.bit()),
        }
    }

    fn allows(self, section: Section) -> bool {
        self.possible & section.bit() != 0
    }
}

/// The Pythons the standard library list covers, oldest first.
struct StdlibList {
    versions: Vec<(u64, u64)>,
    /// Each module with the first and last of `versions` (indices) it is a module of.
    modules: FxHashMap<&'static str, (usize, usize)>,
}

fn stdlib() -> &'static StdlibList {
    static LIST: OnceLock<StdlibList> = OnceLock::new();
    LIST.get_or_init(|| parse_stdlib(include_str!("stdlib_modules.txt")))
}

fn minor_version(text: &str) -> Option<(u64, u64)> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn parse_stdlib(text: &'static str) -> StdlibList {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'));
    let versions: Vec<(u64, u64)> = lines
        .next()
        .and_then(|line| line.strip_prefix("versions "))
        .map(|list| list.split_whitespace().filter_map(minor_version).collect())
        .unwrap_or_default();
    let last = versions.len().saturating_sub(1);
    let index = |text: &str, default: usize| {
        minor_version(text)
            .and_then(|v| versions.iter().position(|known| *known == v))
            .unwrap_or(default)
    };
    let modules = lines
        .map(|line| match line.split_once(' ') {
            None => (line, (0, last)),
            Some((name, range)) => {
                let (first, end) = range.split_once('-').unwrap_or((range, range));
                (name, (index(first, 0), index(end, last)))
            }
        })
        .collect();
    StdlibList { versions, modules }
}

/// Whether `top` (a top-level module name) is the standard library's on `python` (`None`: on
/// every supported Python); `None` when that depends on the Python and `python` does not say.
fn is_stdlib(top: &str, python: Option<(u64, u64)>) -> Option<bool> {
    let list = stdlib();
    let Some(&(first, last)) = list.modules.get(top) else {
        return Some(false);
    };
    if first == 0 && last + 1 == list.versions.len() {
        return Some(true);
    }
    let python = python?;
    let before = first > 0 && python < list.versions[first];
    let after = list.versions[last] < python && last + 1 < list.versions.len();
    Some(!before && !after)
}

/// What tells the sections of a file's imports apart: the Python it runs on and its project.
#[derive(Clone, Copy, Default)]
pub struct Classifier<'p> {
    python: Option<(u64, u64)>,
    project: Option<InProject<'p>>,
}

impl<'p> Classifier<'p> {
    pub fn new(python: Option<&Version>, project: Option<InProject<'p>>) -> Classifier<'p> {
        Classifier {
            python: python.and_then(|v| minor_version(&v.to_string())),
            project,
        }
    }

    /// Whether the project counts `top` as its own: one of its modules, or the package the
    /// file is in.
    fn first_party(&self, top: &str) -> bool {
        let Some(project) = self.project else {
            return false;
        };
        let own_package = project.module().is_some_and(|module| {
            (module.package || module.dotted.contains('.'))
                && module.dotted.split('.').next() == Some(top)
        });
        own_package || project.project.has_module(top)
    }

    /// The sections an import of `module` (`level` dots before it) may stand in.
    pub fn sections(&self, module: Option<&str>, level: u32) -> Sections {
        use Section::*;
        if level > 0 {
            return Sections::only(Local);
        }
        let Some(module) = module else {
            return Sections::only(Local);
        };
        let top = module.split('.').next().unwrap_or(module);
        if top == "__future__" {
            return Sections::only(Future);
        }
        let party = if self.first_party(top) {
            FirstParty
        } else {
            ThirdParty
        };
        match is_stdlib(top, self.python) {
            Some(true) if stdlib_everywhere(top) => Sections::only(Stdlib),
            Some(true) => Sections::among(Stdlib, &[ThirdParty, FirstParty]),
            None => Sections::among(Stdlib, &[ThirdParty, FirstParty]),
            Some(false) if stdlib().modules.contains_key(top) => {
                Sections::among(party, &[Stdlib, ThirdParty, FirstParty])
            }
            Some(false) => Sections::among(party, &[ThirdParty, FirstParty]),
        }
    }
}

fn stdlib_everywhere(top: &str) -> bool {
    is_stdlib(top, None) == Some(true)
}

/// `a` and `b` in natural order: runs of digits compare by value (`h2` before `h11`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let run = |s: &[u8], at: usize| {
                    at + s[at..].iter().take_while(|c| c.is_ascii_digit()).count()
                };
                let (end_a, end_b) = (run(a, i), run(b, j));
                let (da, db) = (&a[i..end_a], &b[j..end_b]);
                let order = if *x == b'0' || *y == b'0' {
                    // A run with a leading zero is read as a fraction: digit by digit.
                    da.cmp(db)
                } else {
                    da.len().cmp(&db.len()).then_with(|| da.cmp(db))
                };
                if order != Ordering::Equal {
                    return order;
                }
                (i, j) = (end_a, end_b);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                i += 1;
                j += 1;
            }
        }
    }
}

/// The order of two module names in a section: without case, then as written.
pub fn module_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp(&a.to_lowercase(), &b.to_lowercase()).then_with(|| natural_cmp(a, b))
}

/// One import statement of a block.
#[derive(Debug)]
struct Entry {
    /// Where its text starts: the comment lines right above it, else its own line.
    start: usize,
    /// The start of the line after it (or the end of the text).
    end: usize,
    /// `import x`: the module; `from x import y`: none.
    straight: Option<String>,
    /// A `from` import's dots and module.
    from: (u32, Option<String>),
    sections: Sections,
}

/// A sorted import block, with the section of each of its groups of lines.
#[derive(Debug)]
pub struct SortedBlock {
    entries: Vec<Entry>,
    /// Each group's entries (a range of `entries`) and section, in order.
    groups: Vec<(std::ops::Range<usize>, Section)>,
}

fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn next_line_start(source: &str, offset: usize) -> usize {
    source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i + 1)
}

/// The start of the comment lines directly above the line starting at `line`.
fn comments_above(source: &str, mut line: usize) -> usize {
    while line > 0 {
        let previous = line_start(source, line - 1);
        if !source[previous..line].trim_start().starts_with('#') {
            break;
        }
        line = previous;
    }
    line
}

/// Whether a comment in `text` is a directive of an import sorter (`isort: skip`, `ruff: isort: off`).
fn has_sorter_directive(text: &str) -> bool {
    text.lines().any(|line| {
        line.split_once('#')
            .is_some_and(|(_, comment)| comment.contains("isort:"))
    })
}

impl SortedBlock {
    /// The block `statements` (consecutive import statements of the module's top level) when it
    /// is sorted; `None` when it is not, or when it holds what this reading does not follow
    /// (several imports on one line, sorter directives).
    pub fn read(
        source: &str,
        statements: &[Stmt],
        classifier: &Classifier<'_>,
    ) -> Option<SortedBlock> {
        let mut entries: Vec<Entry> = Vec::with_capacity(statements.len());
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut previous_end = None;
        for stmt in statements {
            let start = stmt.start().to_usize();
            let line = line_start(source, start);
            if !source[line..start].trim().is_empty() {
                return None;
            }
            let end = stmt.end().to_usize();
            let end_line = next_line_start(source, end);
            let rest = source[end..end_line].trim();
            if !(rest.is_empty() || rest.starts_with('#')) {
                return None;
            }
            let (straight, from, sections) = match stmt {
                Stmt::Import(import) => {
                    let [alias] = &import.names[..] else {
                        return None;
                    };
                    let name = alias.name.as_str();
                    (
                        Some(name.to_owned()),
                        (0, None),
                        classifier.sections(Some(name), 0),
                    )
                }
                Stmt::ImportFrom(import) => {
                    let module = import.module.as_ref().map(|m| m.as_str().to_owned());
                    let sections = classifier.sections(module.as_deref(), import.level);
                    (None, (import.level, module), sections)
                }
                _ => return None,
            };
            let entry_start = comments_above(source, line);
            match previous_end {
                None => groups.push(vec![entries.len()]),
                Some(previous) => {
                    let gap = &source[previous..line];
                    let blank = gap.lines().filter(|l| l.trim().is_empty()).count();
                    match blank {
                        0 => groups.last_mut().expect("a group").push(entries.len()),
                        1 => groups.push(vec![entries.len()]),
                        _ => return None,
                    }
                }
            }
            previous_end = Some(end_line);
            entries.push(Entry {
                start: entry_start,
                end: end_line,
                straight,
                from,
                sections,
            });
        }
        let first = entries.first()?;
        let last = entries.last()?;
        if has_sorter_directive(&source[first.start..last.end]) {
            return None;
        }
        let sections = assign_sections(&entries, &groups)?;
        let groups: Vec<_> = groups
            .iter()
            .zip(sections)
            .map(|(members, section)| (members[0]..members[members.len() - 1] + 1, section))
            .collect();
        groups
            .iter()
            .all(|(range, section)| in_order(&entries[range.clone()], *section))
            .then_some(SortedBlock { entries, groups })
    }

    /// Where each of `imports` (`import module`, of its section) goes and what to insert there,
    /// with `newline` as the line break: each into its section at its place, or into a new
    /// section between the others. Several imports at one offset are one insertion.
    pub fn place(
        &self,
        imports: &[(&str, Section)],
        newline: &str,
        source: &str,
    ) -> Vec<(usize, String)> {
        /// A line of the block as it will be: an import already there, or a new one.
        #[derive(Clone, Copy)]
        enum Line<'m> {
            Old(usize),
            New(&'m str),
        }
        let mut groups: Vec<(Section, Vec<Line<'_>>)> = self
            .groups
            .iter()
            .map(|(range, section)| (*section, range.clone().map(Line::Old).collect()))
            .collect();
        for &(module, section) in imports {
            let at = groups.partition_point(|(s, _)| *s < section);
            if groups.get(at).is_none_or(|(s, _)| *s != section) {
                groups.insert(at, (section, Vec::new()));
            }
            let lines = &mut groups[at].1;
            let before = lines
                .iter()
                .take_while(|line| {
                    let name = match **line {
                        Line::Old(entry) => self.entries[entry].straight.as_deref(),
                        Line::New(name) => Some(name),
                    };
                    name.is_some_and(|name| module_cmp(name, module) != Ordering::Greater)
                })
                .count();
            let already =
                before > 0 && matches!(lines[before - 1], Line::New(name) if name == module);
            if !already {
                lines.insert(before, Line::New(module));
            }
        }
        // Each new line goes before the next import already there in its section, else after
        // the last one; a new section goes before the next section already there, else at the
        // end of the block.
        let old = |line: &Line<'_>| match line {
            Line::Old(entry) => Some(*entry),
            Line::New(_) => None,
        };
        let last_end = self.entries.last().map_or(source.len(), |entry| entry.end);
        let mut placed: Vec<(usize, String)> = Vec::new();
        let mut push = |at: usize, text: String| match placed.last_mut() {
            Some((last, existing)) if *last == at => existing.push_str(&text),
            _ => placed.push((at, text)),
        };
        for (index, (_, lines)) in groups.iter().enumerate() {
            if !lines.iter().any(|line| old(line).is_some()) {
                let next_old = groups[index + 1..]
                    .iter()
                    .flat_map(|(_, lines)| lines)
                    .find_map(old);
                let mut text = String::new();
                if next_old.is_none() {
                    text.push_str(newline);
                }
                for line in lines {
                    if let Line::New(module) = line {
                        text.push_str(&format!("import {module}{newline}"));
                    }
                }
                if next_old.is_some() {
                    text.push_str(newline);
                }
                push(
                    next_old.map_or(last_end, |entry| self.entries[entry].start),
                    text,
                );
                continue;
            }
            for (position, line) in lines.iter().enumerate() {
                let Line::New(module) = line else {
                    continue;
                };
                let next = lines[position..].iter().find_map(old);
                let previous = lines[..position].iter().rev().find_map(old);
                let at = match (next, previous) {
                    (Some(next), _) => self.entries[next].start,
                    (None, Some(previous)) => self.entries[previous].end,
                    (None, None) => last_end,
                };
                push(at, format!("import {module}{newline}"));
            }
        }
        placed.sort_by_key(|(at, _)| *at);
        // A text without a line break at its end: what goes there starts with one instead.
        for (at, text) in &mut placed {
            if *at == source.len() && !source.is_empty() && !source.ends_with('\n') {
                let body = text.strip_suffix(newline).unwrap_or(text).to_owned();
                *text = format!("{newline}{body}");
            }
        }
        placed
    }
}

/// The section of each group, when the groups can be given strictly increasing sections each
/// of whose members may stand in it: of the choices, the one most members prefer.
fn assign_sections(entries: &[Entry], groups: &[Vec<usize>]) -> Option<Vec<Section>> {
    const NONE: usize = usize::MAX;
    // best[g][s]: the fewest members not in their preferred section, for groups ..=g with group
    // g in SECTIONS[s]; from[g][s] the section of group g - 1 on that choice.
    let mut best = vec![[NONE; 5]; groups.len()];
    let mut from = vec![[0usize; 5]; groups.len()];
    for (g, members) in groups.iter().enumerate() {
        for (s, section) in SECTIONS.iter().enumerate() {
            let mut cost = 0;
            let mut allowed = true;
            for &member in members {
                let sections = entries[member].sections;
                allowed &= sections.allows(*section);
                cost += usize::from(sections.preferred != *section);
            }
            if !allowed {
                continue;
            }
            if g == 0 {
                best[g][s] = cost;
                continue;
            }
            let earlier = (0..s)
                .filter(|&p| best[g - 1][p] != NONE)
                .min_by_key(|&p| best[g - 1][p]);
            if let Some(p) = earlier {
                best[g][s] = best[g - 1][p] + cost;
                from[g][s] = p;
            }
        }
    }
    let last = groups.len().checked_sub(1)?;
    let mut s = (0..5)
        .filter(|&s| best[last][s] != NONE)
        .min_by_key(|&s| best[last][s])?;
    let mut sections = vec![Section::Future; groups.len()];
    for g in (0..groups.len()).rev() {
        sections[g] = SECTIONS[s];
        s = from[g][s];
    }
    Some(sections)
}

/// Whether a section's entries are in a sorter's order: every `import x` first, each kind by
/// module (`from` imports of the future first, relative ones furthest first). Entries that sort
/// alike may come in any order.
fn in_order(entries: &[Entry], section: Section) -> bool {
    let rank = |entry: &Entry| match (&entry.straight, section) {
        (Some(_), Section::Future) => 1,
        (Some(_), _) => 0,
        (None, Section::Future) => 0,
        (None, _) => 1,
    };
    entries.windows(2).all(|pair| {
        let (a, b) = (&pair[0], &pair[1]);
        let order = rank(a)
            .cmp(&rank(b))
            .then_with(|| match (&a.straight, &b.straight) {
                (Some(x), Some(y)) => module_cmp(x, y),
                (None, None) => {
                    let ((level_a, module_a), (level_b, module_b)) = (&a.from, &b.from);
                    level_b
                        .cmp(level_a)
                        .then_with(|| match (module_a, module_b) {
                            (Some(x), Some(y)) => module_cmp(x, y),
                            (x, y) => x.is_some().cmp(&y.is_some()),
                        })
                }
                _ => Ordering::Equal,
            });
        order != Ordering::Greater
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::parse::parse;

    #[test]
    fn natural_order_reads_digits_as_numbers() {
        assert_eq!(natural_cmp("h2", "h11"), Ordering::Less);
        assert_eq!(natural_cmp("a", "a.b"), Ordering::Less);
        assert_eq!(natural_cmp("a_b", "ab"), Ordering::Less);
        assert_eq!(module_cmp("Zebra", "apple"), Ordering::Greater);
        assert_eq!(module_cmp("_thread", "abc"), Ordering::Less);
        assert_eq!(natural_cmp("x01", "x1"), Ordering::Less);
    }

    #[test]
    fn the_standard_library_is_read_per_python() {
        assert_eq!(is_stdlib("os", None), Some(true));
        assert_eq!(is_stdlib("attrs", None), Some(false));
        assert_eq!(is_stdlib("tomllib", Some((3, 10))), Some(false));
        assert_eq!(is_stdlib("tomllib", Some((3, 11))), Some(true));
        assert_eq!(is_stdlib("tomllib", Some((3, 20))), Some(true));
        assert_eq!(is_stdlib("asynchat", Some((3, 11))), Some(true));
        assert_eq!(is_stdlib("asynchat", Some((3, 12))), Some(false));
        assert_eq!(is_stdlib("asynchat", Some((3, 8))), Some(true));
        assert_eq!(is_stdlib("tomllib", None), None);
    }

    fn placed(source: &str, module: &str, section: Section) -> Option<String> {
        let parsed = parse(source);
        let body = &parsed.syntax().body;
        let run = body
            .iter()
            .take_while(|s| matches!(s, Stmt::Import(_) | Stmt::ImportFrom(_)))
            .count();
        let block = SortedBlock::read(source, &body[..run], &Classifier::default())?;
        let mut out = source.to_owned();
        for (at, text) in block
            .place(&[(module, section)], "\n", source)
            .into_iter()
            .rev()
        {
            out.insert_str(at, &text);
        }
        Some(out)
    }

    #[test]
    fn an_import_goes_to_its_place_in_its_section() {
        let third = Section::ThirdParty;
        assert_eq!(
            placed("import os\n\nimport httpx\n", "attrs", third).as_deref(),
            Some("import os\n\nimport attrs\nimport httpx\n")
        );
        assert_eq!(
            placed(
                "import os\n\nimport httpx\nfrom attrs import define\n",
                "attrs",
                third
            )
            .as_deref(),
            Some("import os\n\nimport attrs\nimport httpx\nfrom attrs import define\n")
        );
        assert_eq!(
            placed(
                "import os\n\nimport attr\n# note\nimport httpx\n",
                "b",
                third
            )
            .as_deref(),
            Some("import os\n\nimport attr\nimport b\n# note\nimport httpx\n")
        );
        assert_eq!(
            placed("import os\nimport sys\n", "attrs", third).as_deref(),
            Some("import os\nimport sys\n\nimport attrs\n")
        );
        assert_eq!(
            placed("import os", "attrs", third).as_deref(),
            Some("import os\n\nimport attrs")
        );
        assert_eq!(
            placed("import httpx\n", "functools", Section::Stdlib).as_deref(),
            Some("import functools\n\nimport httpx\n")
        );
        assert_eq!(
            placed(
                "from __future__ import annotations\n\nimport os\n\nfrom . import x\n",
                "attrs",
                third
            )
            .as_deref(),
            Some(
                "from __future__ import annotations\n\nimport os\n\nimport attrs\n\nfrom . import x\n"
            )
        );
    }

    #[test]
    fn an_unsorted_block_is_not_read() {
        let third = Section::ThirdParty;
        // Out of order, a section split or run together, several names in one import.
        assert_eq!(placed("import sys\nimport os\n", "attrs", third), None);
        assert_eq!(placed("import os\n\nimport sys\n", "attrs", third), None);
        assert_eq!(placed("import os\nimport httpx\n", "attrs", third), None);
        assert_eq!(placed("import os, sys\n", "attrs", third), None);
        assert_eq!(
            placed("from os import path\nimport sys\n", "attrs", third),
            None
        );
        assert_eq!(
            placed("import os\n\n\nimport httpx\n", "attrs", third),
            None
        );
        assert_eq!(
            placed("import os  # isort: skip\nimport a\n", "attrs", third),
            None
        );
        // A module that is the standard library's on some Pythons only may stand in either.
        assert!(
            placed(
                "import os\nimport tomllib\n\nimport httpx\n",
                "attrs",
                third
            )
            .is_some()
        );
        assert!(
            placed(
                "import os\n\nimport httpx\nimport tomllib\n",
                "attrs",
                third
            )
            .is_some()
        );
    }
}
