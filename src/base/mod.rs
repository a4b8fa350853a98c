//! The types and utilities every stage shares, depending on no other stage: diagnostics, edits,
//! fixes, applicability, severity and rule references ([`diagnostic`]); source text and its
//! layout ([`source`]); versions ([`version`]); bounded reading of files ([`bounded`]); canonical
//! paths ([`canonical`]); word sets and the identifier scan ([`words`], [`scan`]); stack growth
//! for deep trees ([`stack`]); lock helpers ([`sync`]); packs' regexes, compiled on first use
//! ([`lazy_regex`]).

pub mod bounded;
pub mod canonical;
pub mod diagnostic;
pub mod lazy_regex;
pub mod scan;
pub mod source;
pub mod stack;
pub mod sync;
pub mod version;
pub mod words;
