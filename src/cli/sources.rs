//! The sources `check` and `report` read, and the outputs they must not write over: a file a run
//! reads is never one it writes a report or a baseline to.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::source::{ReadError, SourceText};
use crate::config::resolve::Settings;
use crate::fix::write::{self, Output, Snapshot};

use super::{Failure, display_path};

/// A source file as a run read it: its text, or why it has none; which file it was, whenever it
/// could be read (an output must not be it, even when its text cannot be decoded); and, when the
/// run may write it, what it held.
pub(super) struct Read {
    pub source: Result<SourceText, ReadError>,
    pub identity: Option<write::Identity>,
    pub snapshot: Option<Snapshot>,
}

/// Read the source file at `path`; `writes`: take its snapshot.
pub(super) fn read_source(path: &Path, writes: bool) -> Read {
    match write::read(path) {
        Err(error) => Read {
            source: Err(ReadError::Io(error.to_string())),
            identity: None,
            snapshot: None,
        },
        Ok((bytes, identity)) => Read {
            snapshot: writes.then(|| Snapshot::new(identity, &bytes)),
            source: SourceText::decode(bytes),
            identity: Some(identity),
        },
    }
}

/// An output must not be a file the run reads: one of its sources (`identities` are theirs, in the
/// order of `files`), their configuration files, or the inputs `named` on the command line. Checked
/// once the sources are read, before anything is written.
pub(super) fn refuse_input_as_output<'a>(
    output: &Output,
    files: &'a [(PathBuf, Arc<Settings>)],
    identities: impl Iterator<Item = Option<write::Identity>>,
    named: impl IntoIterator<Item = &'a Path>,
) -> Result<(), Failure> {
    let source = files
        .iter()
        .zip(identities)
        .find(|(_, identity)| identity.is_some_and(|i| output.is(&i)))
        .map(|((path, _), _)| path.as_path());
    let mut seen = rustc_hash::FxHashSet::default();
    let mut configurations = files
        .iter()
        .filter(|(_, settings)| seen.insert(Arc::as_ptr(settings)))
        .filter_map(|(_, settings)| settings.config.as_deref());
    let input = source.or_else(|| {
        named
            .into_iter()
            .chain(&mut configurations)
            .find(|input| output.is_file_at(input))
    });
    match input {
        Some(input) => Err(Failure::Message(format!(
            "the output file {} is a file this run reads ({}); nothing was written: name another output file",
            output.path().display(),
            display_path(input)
        ))),
        None => Ok(()),
    }
}
