//! Parsing a source text the way the engine does, and the analysis checking needs of one parsed
//! text ([`Analysis`]: the tree and, when it parsed without errors, the bindings of its imports).
//! Trees of any depth are dropped without overflowing the stack ([`drop_deep`]).

use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use rustc_hash::FxHashSet;

use super::semantic::Semantic;

/// Parse Python source the way the checker does.
pub fn parse(source: &str) -> Parsed<ModModule> {
    ruff_python_parser::parse_unchecked_source(source, ruff_python_ast::PySourceType::Python)
}

/// Drop a parsed tree on a stack deep enough for its nesting. `depth` bounds the nesting: the
/// depth the semantic model measured ([`Analysis::drop_deep`]), or else the length in bytes of
/// the text it was parsed from (every level of nesting spells at least one byte). The tree is
/// dropped in place when the stack left suffices, else on a new stack segment.
pub fn drop_deep<T: Send>(value: T, depth: usize) {
    let needed = depth
        .saturating_mul(DROP_STACK_PER_LEVEL)
        .saturating_add(DROP_STACK_SLACK);
    match stacker::remaining_stack() {
        Some(left) if left >= needed => drop(value),
        _ => stacker::grow(needed, move || drop(value)),
    }
}

/// Stack one level of nesting may take to drop: several times what a release build takes
/// (about 70 bytes), for debug builds.
const DROP_STACK_PER_LEVEL: usize = 512;
const DROP_STACK_SLACK: usize = 1 << 20;

/// A text's parse and, when it parsed without errors, the bindings of its imports: what checking
/// needs, built once per text (the fix loop hands the analysis of a text it verified to its next
/// step).
pub struct Analysis {
    pub parsed: Parsed<ModModule>,
    pub semantic: Option<Semantic>,
}

impl Analysis {
    /// Parse `source` and bind the imports of `modules` (the modules of the rules it is checked
    /// with).
    pub fn of(modules: &FxHashSet<String>, source: &str) -> Analysis {
        Analysis::of_parsed(modules, parse(source))
    }

    pub fn of_parsed(modules: &FxHashSet<String>, parsed: Parsed<ModModule>) -> Analysis {
        let semantic = parsed
            .errors()
            .is_empty()
            .then(|| Semantic::build(parsed.syntax(), modules));
        Analysis { parsed, semantic }
    }

    /// Drop the analysis of `source` with [`drop_deep`], its depth bounded by the one the semantic
    /// model measured when the text parsed, else by the text's length.
    pub fn drop_deep(self, source: &str) {
        let depth = self.semantic.as_ref().map_or(source.len(), Semantic::depth);
        drop_deep(self, depth);
    }

    /// The bindings of a text that parsed without errors.
    pub fn semantic(&self) -> &Semantic {
        self.semantic
            .as_ref()
            .expect("analysed a text without syntax errors")
    }
}
