//! Writing files: fixed sources, and the reports and baselines the user asks for (Unix).
//!
//! A fixed source replaces the file only while that file is still what was read: [`read`] notes
//! its identity (device and inode), size and modification time, a [`Snapshot`] adds a hash of its
//! bytes, and [`replace_all`] compares them again, re-reading the file, just before the rename. A
//! file changed meanwhile is left alone ([`WriteError::Changed`]).
//!
//! The new bytes go to a temporary file in the same directory (see `temporary`: unnamed until
//! complete, cleaned up on SIGINT, SIGTERM and SIGHUP and by the next run after a kill), are
//! flushed to disk, get the original's owner, group, permissions and (on Linux) extended
//! attributes, POSIX ACLs among them, and only then are renamed over the original: a run that dies
//! leaves the old file or the new one, never a mix. A file with more than one hard link, or one
//! whose owner or attributes a new file may not be given (another user's file, when not running as
//! root), is rewritten in place instead, which keeps its inode and all it carries but is not
//! atomic. A symlink is written through to its target; a read-only file is refused.
//!
//! An [`Output`] (a report or a baseline) is written where asked and nowhere else: an existing
//! regular file is replaced as above, a character device, FIFO or socket is written to as it is (a
//! block device or a directory is refused), and `/dev/stdout` or `/dev/stderr` is the run's own
//! standard output or error. Whether it is one of the run's inputs is for the caller to ask
//! ([`Output::is`], [`Output::is_file_at`]) before anything is written.

mod attributes;
mod temporary;

use std::collections::hash_map::Entry;
use std::fs::{File, Metadata};
use std::hash::Hasher;
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use temporary::Temporary;

/// How many files [`replace_all`] writes at once. Flushing a file waits on the disk, not the
/// CPU, and the filesystem commits concurrent flushes together: 232 files flushed one by one take
/// 0.1 s longer on the corpus (measured; writing them while other files are still being fixed was
/// slower still, as flushes then come one at a time).
const CONCURRENT_WRITES: usize = 16;

/// Which file a path named, and its size and modification time, when it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    file: FileId,
    len: u64,
    modified: (i64, i64),
}

/// A file: its device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FileId {
    device: u64,
    inode: u64,
}

impl Identity {
    fn of(metadata: &Metadata) -> Identity {
        Identity {
            file: FileId::of(metadata),
            len: metadata.len(),
            modified: (metadata.mtime(), metadata.mtime_nsec()),
        }
    }
}

impl FileId {
    fn of(metadata: &Metadata) -> FileId {
        FileId {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    }
}

/// What a file was when read, to tell whether it changed since: its [`Identity`] and a hash of
/// its bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    identity: Identity,
    hash: u64,
}

impl Snapshot {
    /// The snapshot of a file [`read`] as `bytes` with `identity`.
    pub fn new(identity: Identity, bytes: &[u8]) -> Snapshot {
        Snapshot {
            identity: Identity {
                len: bytes.len() as u64,
                ..identity
            },
            hash: hash(bytes),
        }
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(bytes);
    hasher.finish()
}

/// The bytes of the source file at `path` (a regular file, within the size limit of sources),
/// with the identity to compare before writing it back.
pub fn read(path: &Path) -> Result<(Vec<u8>, Identity), crate::base::bounded::ReadFailure> {
    let (bytes, metadata) =
        crate::base::bounded::read_with_metadata(path, crate::base::bounded::SOURCE_LIMIT)?;
    Ok((bytes, Identity::of(&metadata)))
}

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file is read-only: left alone on purpose.
    ReadOnly,
    /// The file changed on disk after it was read.
    Changed,
    Io(io::Error),
}

impl WriteError {
    /// Whether this is a failure (as opposed to a file left alone on purpose).
    pub fn is_failure(&self) -> bool {
        !matches!(self, WriteError::ReadOnly)
    }

    /// The same error, for another path to the same file.
    fn again(&self) -> WriteError {
        match self {
            WriteError::ReadOnly => WriteError::ReadOnly,
            WriteError::Changed => WriteError::Changed,
            WriteError::Io(error) => {
                WriteError::Io(io::Error::new(error.kind(), error.to_string()))
            }
        }
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::ReadOnly => f.write_str(
                "the file is read-only; not modified (make it writable to apply fixes)",
            ),
            WriteError::Changed => f.write_str(
                "changed on disk while it was being fixed; not written (run again to fix it as it is now)",
            ),
            WriteError::Io(error) => error.fmt(f),
        }
    }
}

impl From<io::Error> for WriteError {
    fn from(error: io::Error) -> Self {
        WriteError::Io(error)
    }
}

/// Replace each file with its new bytes, provided it is still as its snapshot says (see the
/// module doc), many at once; the results are in the order of `files`. A file reached by several
/// paths (hard links, symlinks) is written once, and each path gets that result when its bytes are
/// the same (else it has changed since it was read, by the first write).
///
/// Before the first write, SIGINT, SIGTERM and SIGHUP are made to clean up temporaries, and
/// temporaries that killed runs left in the directories written are removed.
pub fn replace_all(files: &[(&Path, Vec<u8>, Snapshot)]) -> Vec<Result<(), WriteError>> {
    if files.is_empty() {
        return Vec::new();
    }
    temporary::clean_up_on_signals();
    let directories: FxHashSet<&Path> = files.iter().map(|(path, _, _)| parent(path)).collect();
    temporary::remove_stale(directories);
    let mut first: FxHashMap<FileId, usize> = FxHashMap::default();
    let same_as: Vec<Option<usize>> = files
        .iter()
        .enumerate()
        .map(
            |(index, (_, _, read))| match first.entry(read.identity.file) {
                Entry::Occupied(entry) => Some(*entry.get()),
                Entry::Vacant(entry) => {
                    entry.insert(index);
                    None
                }
            },
        )
        .collect();
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<(), WriteError>>>> =
        files.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENT_WRITES.min(files.len()) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((path, bytes, read)) = files.get(index) else {
                        break;
                    };
                    if same_as[index].is_none() {
                        *results[index].lock().expect("not poisoned") =
                            Some(replace(path, bytes, read));
                    }
                }
            });
        }
    });
    let mut results: Vec<Option<Result<(), WriteError>>> = results
        .into_iter()
        .map(|slot| slot.into_inner().expect("not poisoned"))
        .collect();
    for (index, first) in same_as.iter().enumerate() {
        if let Some(first) = *first {
            let result = match &results[first] {
                _ if files[index].1 != files[first].1 => Err(WriteError::Changed),
                Some(Ok(())) => Ok(()),
                Some(Err(error)) => Err(error.again()),
                None => unreachable!("a first write is done"),
            };
            results[index] = Some(result);
        }
    }
    results
        .into_iter()
        .map(|result| result.expect("every file written"))
        .collect()
}

/// Replace the file at `path` with `bytes` if it is still as `read` says.
fn replace(path: &Path, bytes: &[u8], read: &Snapshot) -> Result<(), WriteError> {
    let target = through_symlink(path)?;
    let original = File::open(&target)?;
    let metadata = original.metadata()?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    if is_read_only(&metadata) {
        return Err(WriteError::ReadOnly);
    }
    if Identity::of(&metadata) != read.identity {
        return Err(WriteError::Changed);
    }
    let unchanged = |file: &File| -> Result<(), WriteError> {
        if is_as_read(file, read)? {
            Ok(())
        } else {
            Err(WriteError::Changed)
        }
    };
    if metadata.nlink() > 1 {
        return rewrite_in_place(&target, bytes, unchanged);
    }
    let Some(temporary) = prepared(&target, &original, &metadata, bytes)? else {
        return rewrite_in_place(&target, bytes, unchanged);
    };
    // As late as can be: after the flush, which takes longest.
    unchanged(&original)?;
    // The path still names the file read (not one renamed there, nor none).
    match std::fs::metadata(&target) {
        Ok(now) if FileId::of(&now) == read.identity.file => {}
        Ok(_) => return Err(WriteError::Changed),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Err(WriteError::Changed),
        Err(error) => return Err(error.into()),
    }
    temporary.replace(&target)?;
    Ok(())
}

/// A complete, flushed temporary beside `target` holding `bytes` and what `original` has besides
/// its bytes; `None` when a new file may not be given all of that.
fn prepared(
    target: &Path,
    original: &File,
    metadata: &Metadata,
    bytes: &[u8],
) -> io::Result<Option<Temporary>> {
    let temporary = Temporary::create_in(parent(target), 0o600)?;
    let mut file = temporary.file();
    file.write_all(bytes)?;
    match attributes::copy(original, metadata, file) {
        Ok(()) => {}
        Err(error) if is_not_allowed(&error) => return Ok(None),
        Err(error) => return Err(error),
    }
    file.sync_all()?;
    Ok(Some(temporary))
}

/// Whether `error` says an operation is not permitted or not supported, rather than failed.
fn is_not_allowed(error: &io::Error) -> bool {
    use rustix::io::Errno;
    matches!(
        Errno::from_io_error(error),
        Some(Errno::PERM | Errno::ACCESS | Errno::NOTSUP)
    )
}

/// Whether the open `file` still has the identity and bytes `read` noted.
fn is_as_read(file: &File, read: &Snapshot) -> io::Result<bool> {
    if Identity::of(&file.metadata()?) != read.identity {
        return Ok(false);
    }
    let Ok(len) = usize::try_from(read.identity.len) else {
        return Ok(false);
    };
    // One byte more than was read, to see a file that grew. By offset, from the start, whatever
    // the file's position.
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(len + 1)?;
    bytes.resize(len + 1, 0);
    let mut filled = 0;
    while filled < bytes.len() {
        match file.read_at(&mut bytes[filled..], filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled == len && hash(&bytes[..len]) == read.hash)
}

/// Overwrite `target` with `bytes` where it is, once `check` accepts the open file: not atomic,
/// but keeps the inode, so its hard links, owner and attributes. The space is reserved first, so
/// that a full disk fails before the file is touched.
fn rewrite_in_place(
    target: &Path,
    bytes: &[u8],
    check: impl Fn(&File) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .read(true)
        .open(target)?;
    check(&file)?;
    reserve(&file, bytes.len() as u64)?;
    let _critical = temporary::critical();
    file.write_all_at(bytes, 0)?;
    file.set_len(bytes.len() as u64)?;
    file.sync_all()?;
    Ok(())
}

/// Reserve disk space for `len` bytes of `file` without changing its size, where the filesystem
/// can.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn reserve(file: &File, len: u64) -> io::Result<()> {
    use rustix::fs::FallocateFlags;
    match rustix::fs::fallocate(file, FallocateFlags::KEEP_SIZE, 0, len) {
        Err(rustix::io::Errno::NOSPC) => Err(rustix::io::Errno::NOSPC.into()),
        _ => Ok(()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn reserve(_file: &File, _len: u64) -> io::Result<()> {
    Ok(())
}

/// The target of `path` if it is a symlink, else `path`. Resolving only symlinks spares a system
/// call per path component of every other file.
fn through_symlink(path: &Path) -> io::Result<PathBuf> {
    if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
        std::fs::canonicalize(path)
    } else {
        Ok(path.to_path_buf())
    }
}

fn parent(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
}

fn not_regular() -> WriteError {
    WriteError::Io(io::Error::other("not a regular file"))
}

fn is_read_only(metadata: &Metadata) -> bool {
    metadata.mode() & 0o222 == 0
}

/// A file a report or a baseline goes to, checked before the run writes anything.
#[derive(Debug)]
pub struct Output {
    path: PathBuf,
    /// The file it names now, if any.
    existing: Option<FileId>,
}

impl Output {
    /// The output `path`; an error saying what to do if nothing can be written there.
    pub fn new(path: &Path) -> Result<Output, String> {
        let existing = match std::fs::metadata(path) {
            Ok(metadata) => {
                let kind = metadata.file_type();
                if kind.is_dir() {
                    return Err(format!(
                        "{} is a directory: name a file to write to",
                        path.display()
                    ));
                }
                if kind.is_block_device() {
                    return Err(format!(
                        "{} is a block device; refusing to write to it: name a file",
                        path.display()
                    ));
                }
                Some(FileId::of(&metadata))
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(format!("cannot write {}: {error}", path.display())),
        };
        Ok(Output {
            path: path.to_path_buf(),
            existing,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this output is the file that had `identity` when read.
    pub fn is(&self, identity: &Identity) -> bool {
        self.existing == Some(identity.file)
    }

    /// Whether this output is the file `path` names (false if there is none).
    pub fn is_file_at(&self, path: &Path) -> bool {
        self.existing.is_some()
            && std::fs::metadata(path).is_ok_and(|m| Some(FileId::of(&m)) == self.existing)
    }

    /// Write `bytes` to the output (see the module doc).
    pub fn write(&self, bytes: &[u8]) -> io::Result<()> {
        if let Some(descriptor) = standard_stream(&self.path) {
            return match descriptor {
                Stream::Out => {
                    let mut out = io::stdout().lock();
                    out.write_all(bytes)?;
                    out.flush()
                }
                Stream::Err => io::stderr().lock().write_all(bytes),
            };
        }
        let metadata = match std::fs::metadata(&self.path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return self.create(bytes),
            Err(error) => return Err(error),
        };
        let kind = metadata.file_type();
        if kind.is_dir() || kind.is_block_device() {
            return Err(io::Error::other(
                "not a regular file, character device or FIFO",
            ));
        }
        if !kind.is_file() {
            // A character device, FIFO or socket: written to as it is.
            let mut file = std::fs::OpenOptions::new().write(true).open(&self.path)?;
            return file.write_all(bytes);
        }
        let target = through_symlink(&self.path)?;
        let original = File::open(&target)?;
        let metadata = original.metadata()?;
        if is_read_only(&metadata) {
            return Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the file is read-only; not modified (make it writable, or name another file)",
            ));
        }
        let in_place = |target: &Path| {
            rewrite_in_place(target, bytes, |_| Ok(())).map_err(|error| match error {
                WriteError::Io(error) => error,
                other => io::Error::other(other.to_string()),
            })
        };
        if metadata.nlink() > 1 {
            return in_place(&target);
        }
        temporary::clean_up_on_signals();
        temporary::remove_stale([parent(&target)]);
        match prepared(&target, &original, &metadata, bytes)? {
            Some(temporary) => temporary.replace(&target),
            None => in_place(&target),
        }
    }

    /// Create the output, which does not exist: a complete file or none, and never over a file
    /// that appears meanwhile (that one is written as [`Output::write`] would).
    fn create(&self, bytes: &[u8]) -> io::Result<()> {
        if std::fs::symlink_metadata(&self.path).is_ok() {
            return Err(io::Error::other(
                "it is a symbolic link to a missing file; create the file, or name another",
            ));
        }
        temporary::clean_up_on_signals();
        temporary::remove_stale([parent(&self.path)]);
        let temporary = Temporary::create_in(parent(&self.path), 0o666)?;
        let mut file = temporary.file();
        file.write_all(bytes)?;
        file.sync_all()?;
        match temporary.create_as(&self.path) {
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => self.write(bytes),
            other => other,
        }
    }
}

enum Stream {
    Out,
    Err,
}

/// The run's own standard output or error, when `path` names it.
fn standard_stream(path: &Path) -> Option<Stream> {
    match path.to_str()? {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(Stream::Out),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(Stream::Err),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    fn snapshot(path: &Path) -> Snapshot {
        let (bytes, identity) = read(path).unwrap();
        Snapshot::new(identity, &bytes)
    }

    #[test]
    fn a_symlink_is_written_through_and_permissions_are_kept() {
        let temporary = tempfile::tempdir().unwrap();
        let root = temporary.path();
        std::fs::create_dir(root.join("real")).unwrap();
        let file = root.join("real/mod.py");
        std::fs::write(&file, "old\n").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o750)).unwrap();
        symlink(root.join("real/mod.py"), root.join("link.py")).unwrap();
        symlink(root.join("real"), root.join("linked_dir")).unwrap();

        let read = snapshot(&root.join("link.py"));
        replace(&root.join("link.py"), b"through the link\n", &read).unwrap();
        assert!(
            std::fs::symlink_metadata(root.join("link.py"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"through the link\n");

        let read = snapshot(&root.join("linked_dir/mod.py"));
        replace(
            &root.join("linked_dir/mod.py"),
            b"through the directory\n",
            &read,
        )
        .unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"through the directory\n");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o750);
        let leftovers: Vec<_> = std::fs::read_dir(root.join("real"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, ["mod.py"]);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_left_alone() {
        let temporary = tempfile::tempdir().unwrap();
        let file = temporary.path().join("mod.py");
        std::fs::write(&file, "old\n").unwrap();
        let read = snapshot(&file);
        // Same size, same modification time: only the bytes tell.
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, "new\n").unwrap();
        File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert!(matches!(
            replace(&file, b"fixed\n", &read),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read(&file).unwrap(), b"new\n");
    }
}
