//! anyio-lint: a linter and autofixer driven by declarative rule packs.
pub mod check;
pub mod diagnostic;
pub mod fix;
pub mod pack;
pub mod pattern;
pub mod ruleset;
pub mod semantic;
pub mod source;
pub mod version;
