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
pub mod filters;
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
