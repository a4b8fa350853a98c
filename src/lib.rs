//! anyio-lint: a Python linter and autofixer driven by declarative rule packs.
//!
//! The engine knows no library: packs (TOML) say what to find and how to rewrite it. See
//! `docs/architecture.md` for the data flow and what each module owns.
// What the run prints is printed through these, which ignore a failed write: a full disk or a
// closed pipe (`anyio-lint rules | head -1`) on standard output or error must not end a run in a
// panic, as the standard library's macros would; the exit code still says what the run found.
// Defined before the modules, they stand for the standard ones in all of them.
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

// The stages, in the order the data flows: each uses only those listed before it. `base` holds
// the shared types; `analysis` what is known of one parsed file; `pattern` the pattern and
// template language; `condition` the rule language's conditions; `pack` loads and compiles
// packs; `ruleset` selects rules and derives the prefilter and dispatch; `fix` renders, applies,
// judges and writes fixes; `engine` checks one file; `linter` is the check-and-fix loop;
// `config` says what governs each file; `report` renders results; `server` is the language
// server; `cli` is the command line.
mod analysis;
mod base;
pub mod cli;
mod condition;
mod config;
mod engine;
mod fix;
mod linter;
mod pack;
mod pattern;
mod report;
mod ruleset;
mod server;

// What an embedder (a test, a tool of its own) needs: load packs, build a rule set, check a
// text, run the fix loop on it (`check_named` and `fix_named` read a configuration file a rule
// reads as one).
pub use analysis::parse::{drop_deep, parse};
pub use base::diagnostic::{Applicability, Diagnostic, Edit, Fix, Origin, RuleRef, Severity};
pub use base::source::SourceText;
pub use base::version::Version;
pub use condition::{OptionValue, OptionValues};
pub use engine::{Checked, check, check_named};
pub use linter::{FixOutcome, fix, fix_named};
pub use pack::{Pack, SourceError, load as load_pack, load_all as load_packs};
pub use ruleset::{FixSelection, RuleSet, Selection, Selectors};
// Running packs' examples, and rendering results in an output format.
pub use cli::packtest::{Outcome as ExampleOutcome, test_packs};
pub use config::settings::Format;
pub use report::{FileReport, render};
// The language server, on any pair of streams (`anyio-lint server` serves standard input and
// output).
pub use server::{serve as serve_lsp, serve_stdio as serve_lsp_stdio};
