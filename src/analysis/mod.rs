//! What the engine knows of one parsed file: the tree ([`parse`]), the bindings of the imports of
//! declared modules and the scopes that resolve names ([`semantic`]), the values assigned to a
//! name ([`assignments`]), the types of values as far as the packs' library models tell them
//! ([`library`], [`types`]), which callees are coroutine functions and which values coroutines
//! ([`coroutines`]), with what the run's other modules define ([`project`]), and what the tokens
//! say of lines, comments and strings ([`tokens`]).
//! A configuration file (INI or TOML) is read as its entries instead ([`config_file`]).

pub mod assignments;
pub mod config_file;
pub mod coroutines;
pub mod flow;
pub mod library;
pub mod parse;
pub mod project;
pub mod reads;
pub mod semantic;
pub mod signature;
pub mod tokens;
pub mod types;
pub mod uses;
