//! Locks shared by the threads of a run.
//!
//! A thread that panics while holding one of these locks poisons it. What they guard (caches and
//! first-error slots) is whole after every write, and the panic is reported by the run, so
//! [`lock`] takes a poisoned lock as it is rather than panicking again.

use std::sync::{Mutex, MutexGuard};

/// Lock `mutex`, poisoned or not.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
