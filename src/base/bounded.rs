//! Reading the files a run is given or finds (sources, configurations, rule packs, baselines):
//! regular files only, each within a size limit.
//!
//! A path may name something other than a file to read: a FIFO blocks until a writer comes, a
//! device such as `/dev/zero` never ends, a huge file exhausts memory. [`read`] opens without
//! blocking, checks on the opened handle that it is a regular file, and reads at most its limit,
//! so each of these is an error naming what the path is or the limit, never a hang or a crash. It
//! costs what `std::fs::read` costs: an open, an `fstat` and the reads.

use std::fs::{File, FileType};
use std::io::Read;
use std::path::Path;

/// The largest Python source file read: 256 MiB.
pub const SOURCE_LIMIT: u64 = 256 << 20;
/// The largest configuration file or rule pack read: 4 MiB (the built-in packs are under 100 KiB).
pub const TOML_LIMIT: u64 = 4 << 20;
/// The largest baseline read: 64 MiB (about 300,000 findings).
pub const BASELINE_LIMIT: u64 = 64 << 20;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadFailure {
    Io(std::io::Error),
    /// The path names something else than a regular file: what it names ("a FIFO", …).
    NotRegular(&'static str),
    /// The file holds more than `limit` bytes.
    TooLarge {
        limit: u64,
    },
    /// The file is not UTF-8 (from [`read_text`]).
    NotUtf8 {
        offset: usize,
    },
}

impl std::fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadFailure::Io(error) => write!(f, "{error}"),
            ReadFailure::NotRegular(kind) => {
                write!(
                    f,
                    "it is {kind}, not a regular file; only regular files are read"
                )
            }
            ReadFailure::TooLarge { limit } => write!(
                f,
                "it is larger than {} MiB, the most read from such a file",
                limit >> 20
            ),
            ReadFailure::NotUtf8 { offset } => write!(
                f,
                "it is not UTF-8 text (first bad byte at offset {offset}); re-encode it as UTF-8"
            ),
        }
    }
}

impl std::error::Error for ReadFailure {}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadFailure> {
    read_with_metadata(path, limit).map(|(bytes, _)| bytes)
}

/// [`read`], with the metadata of the file that was read (taken from the opened handle).
pub fn read_with_metadata(
    path: &Path,
    limit: u64,
) -> Result<(Vec<u8>, std::fs::Metadata), ReadFailure> {
    let file = open(path).map_err(ReadFailure::Io)?;
    let metadata = file.metadata().map_err(ReadFailure::Io)?;
    if !metadata.is_file() {
        return Err(ReadFailure::NotRegular(kind(metadata.file_type())));
    }
    if metadata.len() > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    // Files of `/proc` say they are empty: the size is a hint only.
    let bytes = read_stream(file, limit, metadata.len())?;
    Ok((bytes, metadata))
}

/// The text of the regular file at `path`, at most `limit` bytes of UTF-8.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadFailure> {
    String::from_utf8(read(path, limit)?).map_err(|e| ReadFailure::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// All of `reader` (standard input, say), at most `limit` bytes; `expected` sizes the buffer.
pub fn read_stream(reader: impl Read, limit: u64, expected: u64) -> Result<Vec<u8>, ReadFailure> {
    let capacity = usize::try_from(expected.min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFailure::TooLarge { limit });
    }
    Ok(bytes)
}

/// Open for reading without waiting: opening a FIFO blocks until a writer comes, unless
/// non-blocking, and a terminal must not become the process's controlling terminal.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use rustix::fs::OFlags;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((OFlags::NONBLOCK | OFlags::NOCTTY).bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// What a path that is not a regular file names, for errors.
fn kind(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "neither a file nor a directory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_within_the_limit_only() {
        let temporary = tempfile::tempdir().unwrap();
        let file = temporary.path().join("f.txt");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read(&file, 4),
            Err(ReadFailure::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read(temporary.path(), 5),
            Err(ReadFailure::NotRegular("a directory"))
        ));
        std::fs::write(&file, b"ok\xff").unwrap();
        assert!(matches!(
            read_text(&file, 5),
            Err(ReadFailure::NotUtf8 { offset: 2 })
        ));
        // A stream that says nothing of its size is cut at the limit all the same.
        assert!(matches!(
            read_stream(std::io::repeat(0), 10, 0),
            Err(ReadFailure::TooLarge { limit: 10 })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        assert!(matches!(
            read(Path::new("/dev/zero"), 10),
            Err(ReadFailure::NotRegular("a device"))
        ));
        let temporary = tempfile::tempdir().unwrap();
        let fifo = temporary.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped the FIFO case: mkfifo is not available");
            return;
        }
        assert!(matches!(
            read(&fifo, 10),
            Err(ReadFailure::NotRegular("a FIFO (named pipe)"))
        ));
    }
}
