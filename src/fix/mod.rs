//! Fixes: rendering a finding's fix ([`render`]), the imports its template needs ([`imports`]) at
//! the place an import sorter gives them ([`sections`]),
//! applying and merging edits ([`edits`]), judging a fixed text before it is kept ([`verify`]),
//! and writing fixed files atomically ([`write`]).

pub mod edits;
pub mod imports;
pub mod render;
pub mod sections;
pub mod verify;
pub mod write;
