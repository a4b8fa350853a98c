//! anyio-lint: a Python linter and autofixer driven by declarative rule packs.
//!
//! The engine knows no library: packs (TOML) say what to find and how to rewrite it. See
//! `docs/architecture.md` for the data flow and what each module owns.
// What the run says on standard error is said through these, which ignore a failed write: a full
// or closed standard error must not end a run (the standard library's macros panic then). Defined
// before the modules, they stand for the standard ones in all of them.
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

pub mod assignments;
pub mod baseline;
pub mod bounded;
pub mod canonical;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod dispatch;
pub mod docs;
pub mod fix;
pub mod migration;
pub mod noqa;
pub mod pack;
pub mod packtest;
pub mod pattern;
pub mod prefilter;
pub mod progress;
pub mod report;
pub mod resolve;
pub mod ruleset;
pub mod scan;
pub mod semantic;
pub mod settings;
pub mod source;
pub mod stack;
pub mod sync;
pub mod tokens;
pub mod version;
pub mod words;
