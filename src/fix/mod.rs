//! Fixes: templates, imports, edit application, the fix loop, its verification and atomic writes.
pub mod apply;
pub mod imports;
pub mod template;
pub mod verify;
pub mod write;
