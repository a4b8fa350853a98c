//! anyio-lint: a Python linter and autofixer driven by declarative rule packs.
//!
//! The engine knows no library: packs (TOML) say what to find and how to rewrite it. See
//! `docs/architecture.md` for the data flow and what each module owns.
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
