//! `docs/rulepacks.md`, the rule language's reference, is tested: every rule it shows whole passes
//! `anyio-lint test`, every error it shows is the error the engine gives, and every condition kind,
//! `within` reach, fix key, key of a configuration rule's `ini` and `toml` tables, node kind and
//! key of the first form the engine knows appears in it, so a kind added without its
//! documentation fails here.
//!
//! A ```` ```toml ```` block holding a `[[rule]]` header is a rule to test: a whole pack when it has
//! its own `[pack]`, else it stands under [`HEADER`], which the reference shows. Such a block after
//! an `<!-- error -->` line is a pack that must be refused with exactly the error in the
//! ```` ```text ```` block that follows it (the file named `pack.toml`). Other blocks are snippets.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, project, stderr, stdout};

/// The `[pack]` table the reference's rules stand under.
const HEADER: &str = r#"[pack]
name = "examples"
version = "1.0.0"
description = "The rules of the rule pack reference."
prefix = "EX"
modules = ["asyncio", "anyio", "functools"]
drop-unused-imports = ["asyncio"]
"#;

const ERROR_MARKER: &str = "<!-- error -->";

/// A fenced block of the reference.
struct Block {
    /// The 1-based line of its opening fence.
    line: usize,
    info: String,
    text: String,
    /// Whether the line before it (blank lines aside) is [`ERROR_MARKER`].
    refused: bool,
}

impl Block {
    fn is_rule(&self) -> bool {
        self.info == "toml" && self.text.lines().any(|line| line.trim() == "[[rule]]")
    }

    /// The pack the block stands for.
    fn pack(&self) -> String {
        if self.text.lines().any(|line| line.trim() == "[pack]") {
            self.text.clone()
        } else {
            format!("{HEADER}\n{}", self.text)
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reference() -> String {
    std::fs::read_to_string(root().join("docs/rulepacks.md")).expect("docs/rulepacks.md is read")
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    let mut last_text_line = "";
    for (index, line) in doc.lines().enumerate() {
        match &mut open {
            Some(_) if line.trim_end() == "```" => {
                blocks.push(open.take().expect("a block is open"));
                last_text_line = "";
            }
            Some(block) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block {
                        line: index + 1,
                        info: info.trim().to_owned(),
                        text: String::new(),
                        refused: last_text_line.trim() == ERROR_MARKER,
                    });
                } else if !line.trim().is_empty() {
                    last_text_line = line;
                }
            }
        }
    }
    assert!(
        open.is_none(),
        "docs/rulepacks.md: a code block is not closed"
    );
    blocks
}

/// The rule blocks that must load and pass their examples.
fn tested(blocks: &[Block]) -> impl Iterator<Item = &Block> {
    blocks.iter().filter(|b| b.is_rule() && !b.refused)
}

/// Run the binary with `args` in a directory holding `pack` as `pack.toml`.
fn run_on_pack(pack: &str, args: &[&str]) -> Output {
    let dir = project(&[("pack.toml", pack.as_bytes())]);
    bin()
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn every_rule_shown_passes_its_examples() {
    let doc = reference();
    let blocks = blocks(&doc);
    let mut failures = Vec::new();
    let mut count = 0;
    for block in tested(&blocks) {
        count += 1;
        let output = run_on_pack(&block.pack(), &["test", "pack.toml"]);
        let out = stdout(&output);
        let passed = out
            .lines()
            .find_map(|l| l.strip_prefix("examples: "))
            .and_then(|rest| rest.strip_suffix(" passed, 0 failed"))
            .and_then(|n| n.parse::<usize>().ok());
        if output.status.code() != Some(0) || passed.is_none_or(|n| n == 0) {
            failures.push(format!(
                "docs/rulepacks.md:{}: the block's rules do not pass `anyio-lint test`:\n{out}{}",
                block.line,
                stderr(&output)
            ));
        }
    }
    assert!(
        count >= 10,
        "only {count} rule blocks found in docs/rulepacks.md"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_shown_is_the_error_given() {
    let doc = reference();
    let blocks = blocks(&doc);
    let mut shown = 0;
    for (index, block) in blocks.iter().enumerate() {
        if !block.refused {
            continue;
        }
        shown += 1;
        assert!(
            block.is_rule(),
            "docs/rulepacks.md:{}: `{ERROR_MARKER}` stands before a block that is no rule",
            block.line
        );
        let expected = blocks
            .get(index + 1)
            .filter(|next| next.info == "text")
            .unwrap_or_else(|| {
                panic!(
                    "docs/rulepacks.md:{}: a refused pack is followed by its error, a ```text block",
                    block.line
                )
            });
        let output = run_on_pack(&block.pack(), &["test", "pack.toml"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "docs/rulepacks.md:{}: the pack loads",
            block.line
        );
        let tidy = |text: &str| {
            let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
            lines.join("\n").trim().to_owned()
        };
        assert_eq!(
            tidy(&stderr(&output)),
            tidy(&expected.text),
            "docs/rulepacks.md:{}: the error shown is not the error given",
            expected.line
        );
    }
    assert!(shown >= 2, "docs/rulepacks.md shows {shown} refused packs");
}

/// The text of the source file under `src/` holding `needle` (found wherever modules move).
fn source_with(needle: &str) -> String {
    fn walk(dir: &Path, needle: &str) -> Option<String> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("src/ is read")
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                if let Some(found) = walk(&path, needle) {
                    return Some(found);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file is read");
                if text.contains(needle) {
                    return Some(text);
                }
            }
        }
        None
    }
    walk(&root().join("src"), needle)
        .unwrap_or_else(|| panic!("no file under src/ holds `{needle}`: update this test"))
}

/// The string literals of the source from `start` to the first `end` after it.
fn quoted_in(source: &str, start: &str, end: &str) -> Vec<String> {
    let from = source
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` is not in the source"));
    let item = &source[from..];
    let item = &item[..item.find(end).unwrap_or(item.len())];
    item.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Every key written in a condition table and the tables it holds, with every `within` value.
fn condition_keys(value: &toml::Value, keys: &mut BTreeSet<String>, within: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) => {
            for (key, item) in table {
                keys.insert(key.clone());
                if key == "within"
                    && let Some(reach) = item.as_str()
                {
                    within.insert(reach.to_owned());
                }
                condition_keys(item, keys, within);
            }
        }
        toml::Value::Array(items) => {
            for item in items {
                condition_keys(item, keys, within);
            }
        }
        _ => {}
    }
}

/// What the tested rules write: the keys of their conditions, `within` values and `fix` keys.
struct Used {
    conditions: BTreeSet<String>,
    within: BTreeSet<String>,
    fix: BTreeSet<String>,
}

fn used(blocks: &[Block]) -> Used {
    let mut used = Used {
        conditions: BTreeSet::new(),
        within: BTreeSet::new(),
        fix: BTreeSet::new(),
    };
    for block in tested(blocks) {
        let pack: toml::Value = toml::from_str(&block.pack())
            .unwrap_or_else(|e| panic!("docs/rulepacks.md:{}: {e}", block.line));
        let rules = pack.get("rule").and_then(toml::Value::as_array);
        for rule in rules.into_iter().flatten() {
            if let Some(matching) = rule.get("match") {
                condition_keys(matching, &mut used.conditions, &mut used.within);
            }
            let Some(fix) = rule.get("fix").and_then(toml::Value::as_table) else {
                continue;
            };
            for (key, item) in fix {
                used.fix.insert(key.clone());
                let Some(transforms) = item.as_table() else {
                    continue;
                };
                for (transform, inner) in transforms {
                    used.fix.insert(transform.clone());
                    if let Some(each_match) = inner.get("match") {
                        condition_keys(each_match, &mut used.conditions, &mut used.within);
                    }
                }
            }
        }
    }
    used
}

#[test]
fn every_condition_kind_reach_and_transform_is_in_a_tested_rule() {
    let doc = reference();
    let used = used(&blocks(&doc));
    let compile = source_with("const ATOMS: &[(&str, Parse)]");
    let mut kinds = quoted_in(&compile, "const ATOMS: &[(&str, Parse)]", "];");
    kinds.extend(quoted_in(&compile, "const COMBINATORS: &[&str]", "];"));
    let relations = source_with("const KINDS: [(&str, Parse);");
    kinds.extend(quoted_in(&relations, "const KINDS: [(&str, Parse);", "];"));
    // A rule over configuration files: its `match` keys and the keys of their tables.
    let settings = source_with("pub const FORMATS: [(&str, Format); 2]");
    kinds.extend(quoted_in(
        &settings,
        "pub const FORMATS: [(&str, Format); 2]",
        "];",
    ));
    kinds.extend(quoted_in(&settings, "pub const KEYS: [&str; 5]", "];"));
    assert!(
        kinds.len() > 10,
        "the condition kinds were not read: {kinds:?}"
    );
    let mut missing: Vec<String> = kinds
        .iter()
        .filter(|kind| !used.conditions.contains(*kind))
        .map(|kind| format!("condition `{kind}`"))
        .collect();
    let relation = source_with("fn reaches(self)");
    let reaches: BTreeSet<String> = quoted_in(&relation, "fn reaches(self)", "\n    }\n")
        .into_iter()
        .collect();
    assert!(reaches.len() >= 5, "the reaches were not read: {reaches:?}");
    missing.extend(
        reaches
            .iter()
            .filter(|reach| !used.within.contains(*reach))
            .map(|reach| format!("`within = \"{reach}\"`")),
    );
    let transforms = [
        "template",
        "applicability",
        "title",
        "fresh",
        "each",
        "default-keywords",
        "becomes",
        "rewritten-uses",
        "key",
        "value",
        "remove",
    ];
    missing.extend(
        transforms
            .iter()
            .filter(|key| !used.fix.contains(**key))
            .map(|key| format!("`fix` key `{key}`")),
    );
    assert!(
        missing.is_empty(),
        "docs/rulepacks.md has no tested rule writing: {}",
        missing.join(", ")
    );
}

/// The lines of the section of `doc` under the heading `heading`, up to the next heading of its
/// level or above.
fn section<'d>(doc: &'d str, heading: &str) -> Vec<&'d str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = doc.lines().skip_while(|line| *line != heading);
    assert!(
        lines.next().is_some(),
        "docs/rulepacks.md has no `{heading}`"
    );
    lines
        .take_while(|line| {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            !(hashes > 0 && hashes <= level && line[hashes..].starts_with(' '))
        })
        .collect()
}

#[test]
fn every_node_kind_and_first_form_key_is_listed() {
    let doc = reference();
    let kinds_source = source_with("const NODE_KINDS: &[(&str, NodeKind)]");
    let mut kinds = quoted_in(&kinds_source, "const NODE_KINDS: &[(&str, NodeKind)]", "];");
    kinds.extend(quoted_in(
        &kinds_source,
        "const ASYNC_KINDS: &[(&str, NodeKind)]",
        "];",
    ));
    kinds.push("Identifier".to_owned());
    assert!(kinds.len() > 60, "the node kinds were not read: {kinds:?}");
    let kind_section = section(&doc, "### `kind`").join("\n");
    let unlisted: Vec<&String> = kinds
        .iter()
        .filter(|kind| !kind_section.contains(&format!("`{kind}`")))
        .collect();
    assert!(
        unlisted.is_empty(),
        "docs/rulepacks.md's `kind` section does not list {unlisted:?}"
    );

    let spelling = source_with("pub fn old_spelling(");
    let start = spelling.find("pub fn old_spelling(").expect("found");
    let keys: Vec<&str> = spelling[start..]
        .lines()
        .take_while(|line| !line.starts_with('}'))
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix('"')?;
            let (key, after) = rest.split_once('"')?;
            after.trim_start().starts_with("=>").then_some(key)
        })
        .collect();
    assert!(
        keys.len() > 10,
        "the first form's keys were not read: {keys:?}"
    );
    let table = section(&doc, "## From the first form");
    let absent: Vec<&&str> = keys
        .iter()
        .filter(|key| {
            !table.iter().any(|row| {
                row.strip_prefix(&format!("| `{key}"))
                    .is_some_and(|rest| rest.starts_with(['`', ' ', '.']))
            })
        })
        .collect();
    assert!(
        absent.is_empty(),
        "docs/rulepacks.md's \"From the first form\" table has no row for {absent:?}"
    );
}

#[test]
fn versions_directly_in_match_show_in_the_rules_documentation() {
    let doc = reference();
    let blocks = blocks(&doc);
    let mut enabling = 0;
    let mut outputs = String::new();
    for block in tested(&blocks) {
        let pack = block.pack();
        let parsed: toml::Value = toml::from_str(&pack).expect("parsed");
        let rules = parsed.get("rule").and_then(toml::Value::as_array);
        for rule in rules.into_iter().flatten() {
            let code = rule["code"].as_str().expect("a code");
            let requires = rule.get("match").and_then(|m| m.get("versions")).is_some();
            let output = run_on_pack(
                &pack,
                &[
                    "rule",
                    code,
                    "--rulepack",
                    "pack.toml",
                    "--no-builtin-packs",
                ],
            );
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            outputs.push_str(&stdout(&output));
            let shown = stdout(&output).contains("Applies when the project uses");
            assert_eq!(
                shown,
                requires,
                "docs/rulepacks.md:{}: `anyio-lint rule {code}` {} the versions the rule requires",
                block.line,
                if shown { "shows" } else { "does not show" }
            );
            enabling += usize::from(requires);
        }
    }
    assert!(
        enabling > 0,
        "no rule of docs/rulepacks.md requires versions"
    );
    // The sentence the reference quotes is the one a rule of it shows.
    let quoted = "Applies when the project uses `python >=3.11`.";
    let words = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains(quoted) && outputs.contains(quoted),
        "{quoted}"
    );
}

/// The model the "Library models" section shows is read as a model: a pack beside it names it,
/// its rules' typed conditions read it, and a mistake in it is refused at its line.
#[test]
fn the_library_model_shown_is_one_a_pack_loads() {
    let doc = reference();
    let all = blocks(&doc);
    let model = all
        .iter()
        .find(|b| b.info == "toml" && b.text.lines().any(|line| line.trim() == "[library]"))
        .expect("docs/rulepacks.md shows a library model");
    let pack = r#"[pack]
name = "model-user"
version = "1.0.0"
description = "Rules on the values of the model the reference shows."
prefix = "EX"
modules = ["pkg"]
libraries = ["model.toml"]

[[rule]]
code = "EX1"
name = "thing-lacks"
message = "`$ATTR` is not an attribute of a `pkg.Thing`"
explain = "Finds attribute reads a thing does not have."
match.pattern = "$OBJ.$ATTR"
match.unknown-attribute = true
match.OBJ.type = "pkg.Thing"

[[rule.example]]
versions = { pkg = "1.2" }
flagged = """
import pkg

async def main():
    thing = await pkg.make()
    thing.legacy
"""

[[rule.example]]
versions = { pkg = "1.1" }
clean = """
import pkg

async def main():
    thing = await pkg.make()
    print(thing.legacy, thing.size)
    async with pkg.Thing() as entered:
        entered.go()
"""
"#;
    let dir = project(&[
        ("pack.toml", pack.as_bytes()),
        ("model.toml", model.text.as_bytes()),
    ]);
    let tested = bin()
        .current_dir(dir.path())
        .args(["test", "pack.toml"])
        .output()
        .expect("the binary runs");
    assert!(
        tested.status.success(),
        "docs/rulepacks.md:{}: {}{}",
        model.line,
        stdout(&tested),
        stderr(&tested)
    );
    let broken = model
        .text
        .replace("method = \"sync\"", "method = \"maybe\"");
    std::fs::write(dir.path().join("model.toml"), broken).expect("written");
    let refused = bin()
        .current_dir(dir.path())
        .args(["test", "pack.toml"])
        .output()
        .expect("the binary runs");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("model.toml:")
            && stderr(&refused).contains("\"sync\" or \"async\""),
        "{}",
        stderr(&refused)
    );
}
