//! The crate's layout: each folder of `src/` is one stage of the data flow, and a stage's code
//! names only the stages below it (`crate::…` paths outside comments); within a folder, no two
//! files import each other, directly or through others (a module's own `mod.rs` aside, which
//! holds what its files share).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, from the bottom up: what `lib.rs` declares, in the order `docs/architecture.md`
/// gives.
const STAGES: &[&str] = &[
    "base",
    "analysis",
    "pattern",
    "condition",
    "pack",
    "ruleset",
    "fix",
    "engine",
    "linter",
    "config",
    "report",
    "server",
    "cli",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The code of a file without its comments (a doc comment may name any module).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("a readable file")
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers that follow each occurrence of `prefix` in `text` (`crate::x` gives `x`).
fn names_after<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn lib_declares_the_stages_and_nothing_else() {
    let lib = code(&src().join("lib.rs"));
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            line.strip_prefix("mod ")?.strip_suffix(';')
        })
        .collect();
    let stages: BTreeSet<&str> = STAGES.iter().copied().collect();
    assert_eq!(declared, stages);
    for stage in STAGES {
        assert!(
            src().join(stage).join("mod.rs").is_file(),
            "`{stage}` is a folder with a mod.rs"
        );
    }
}

#[test]
fn no_stage_names_a_stage_above_it() {
    let rank = |name: &str| STAGES.iter().position(|stage| *stage == name);
    let mut upward = Vec::new();
    for (index, stage) in STAGES.iter().enumerate() {
        for file in rust_files(&src().join(stage)) {
            for name in names_after(&code(&file), "crate::") {
                if rank(name).is_some_and(|other| other > index) {
                    upward.push(format!("{} names `crate::{name}`", file.display()));
                }
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "{upward:#?}");
}

#[test]
fn no_two_files_of_a_folder_import_each_other() {
    for stage in STAGES {
        for folder in folders(&src().join(stage)) {
            let modules = sibling_modules(&folder);
            let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (name, path) in &modules {
                let text = code(path);
                let prefix = format!("crate::{}::", module_path(&folder));
                let mut named: Vec<&str> = names_after(&text, &prefix);
                // `use super::x` from a file of the folder, and `use super::{x, y}`.
                named.extend(names_after(&text, "super::"));
                for start in text.match_indices("super::{").map(|(at, _)| at + 8) {
                    let end = text[start..].find('}').map_or(text.len(), |e| start + e);
                    named.extend(
                        text[start..end]
                            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                            .filter(|word| !word.is_empty()),
                    );
                }
                for other in named {
                    if other != name && modules.contains_key(other) {
                        edges
                            .entry(name.clone())
                            .or_default()
                            .insert(other.to_owned());
                    }
                }
            }
            if let Some(cycle) = find_cycle(&edges) {
                panic!("{}: {}", folder.display(), cycle.join(" -> "));
            }
        }
    }
}

/// `folder` and every folder below it.
fn folders(folder: &Path) -> Vec<PathBuf> {
    let mut all = vec![folder.to_path_buf()];
    for entry in std::fs::read_dir(folder).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            all.extend(folders(&path));
        }
    }
    all
}

/// The module path of a folder under `src/` (`fix::write`).
fn module_path(folder: &Path) -> String {
    folder
        .strip_prefix(src())
        .expect("under src")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("::")
}

/// The modules a folder holds other than its `mod.rs`: each file, or a folder's `mod.rs`, by name.
fn sibling_modules(folder: &Path) -> BTreeMap<String, PathBuf> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(folder).expect("a readable directory") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .expect("a name")
            .to_string_lossy()
            .into_owned();
        if path.is_dir() && path.join("mod.rs").is_file() {
            modules.insert(name, path.join("mod.rs"));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "mod" {
            // A file with a folder of its own (`write.rs` beside `write/`) is that module.
            modules.insert(name, path);
        }
    }
    modules
}

/// A cycle among `edges`, as the names along it, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            edges
                .entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
        }
        edges
    };
    assert!(find_cycle(&edges(&[("a", "b"), ("b", "c")])).is_none());
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
