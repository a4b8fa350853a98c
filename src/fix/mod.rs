//! Fixes: templates, imports, edit application, the fix loop and atomic writes.
pub mod apply;
pub mod imports;
pub mod template;
pub mod write;
