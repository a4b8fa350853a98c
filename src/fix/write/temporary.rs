//! Temporary files beside the files they replace, and what cleans them up.
//!
//! On Linux a temporary is created unnamed (`O_TMPFILE`): a run killed while writing it leaves
//! nothing. It is named `.anyio-lint-<pid>-<random>.tmp` only once complete, for the instant
//! between that link and the rename over the file it replaces. Where unnamed files are not
//! supported it carries that name from creation. SIGINT, SIGTERM and SIGHUP wait for any rename
//! or in-place rewrite in progress ([`critical`]), remove the named temporaries, and end the
//! process as the signal would have; a later run removes those a killed run left
//! ([`remove_stale`]).

use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, RwLock, RwLockReadGuard};
use std::time::{Duration, SystemTime};

const PREFIX: &str = ".anyio-lint-";
const SUFFIX: &str = ".tmp";

/// A file being written beside the one it will replace or create.
pub(super) struct Temporary {
    file: File,
    directory: PathBuf,
    /// The name it carries, when unnamed files are not supported.
    name: Option<PathBuf>,
}

impl Temporary {
    /// A new empty temporary in `directory`; `mode` (less the umask) is its permissions.
    pub(super) fn create_in(directory: &Path, mode: u32) -> io::Result<Temporary> {
        if let Some(file) = unnamed_in(directory, mode)? {
            return Ok(Temporary {
                file,
                directory: directory.to_path_buf(),
                name: None,
            });
        }
        Temporary::create_named_in(directory, mode)
    }

    /// [`Temporary::create_in`] where unnamed files are not supported.
    fn create_named_in(directory: &Path, mode: u32) -> io::Result<Temporary> {
        let _critical = critical();
        loop {
            let name = directory.join(fresh_name());
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&name)
            {
                Ok(file) => {
                    in_flight().push(name.clone());
                    return Ok(Temporary {
                        file,
                        directory: directory.to_path_buf(),
                        name: Some(name),
                    });
                }
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        }
    }

    pub(super) fn file(&self) -> &File {
        &self.file
    }

    /// Rename the temporary over `target`, which it replaces.
    pub(super) fn replace(mut self, target: &Path) -> io::Result<()> {
        // One at a time: each name then lives for two system calls, not for as long as the
        // others' take on the same directory.
        let _naming = NAMING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _critical = critical();
        let name = self.named()?;
        let renamed = std::fs::rename(&name, target);
        if renamed.is_err() {
            let _ = std::fs::remove_file(&name);
        }
        forget(&name);
        renamed
    }

    /// Give the temporary the name `target`, which must not exist: an error of kind
    /// `AlreadyExists` when it does.
    pub(super) fn create_as(mut self, target: &Path) -> io::Result<()> {
        let _critical = critical();
        if self.name.is_none() {
            return link_unnamed(&self.file, target);
        }
        let name = self.named()?;
        let linked = std::fs::hard_link(&name, target);
        let _ = std::fs::remove_file(&name);
        forget(&name);
        linked
    }

    /// The temporary's name, giving it one first if it has none. The caller holds [`critical`].
    fn named(&mut self) -> io::Result<PathBuf> {
        if let Some(name) = self.name.take() {
            return Ok(name);
        }
        loop {
            let name = self.directory.join(fresh_name());
            match link_unnamed(&self.file, &name) {
                Ok(()) => return Ok(name),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
        }
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(name) = self.name.take() {
            let _critical = critical();
            let _ = std::fs::remove_file(&name);
            forget(&name);
        }
    }
}

/// `.anyio-lint-<pid>-<random>.tmp`.
fn fresh_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(since) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        hasher.write_u128(since.as_nanos());
    }
    format!(
        "{PREFIX}{}-{:016x}{SUFFIX}",
        std::process::id(),
        hasher.finish()
    )
}

/// An unnamed file in `directory`, or `None` where the system or filesystem has none.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn unnamed_in(directory: &Path, mode: u32) -> io::Result<Option<File>> {
    // Naming it later goes through `/proc/self/fd`.
    static PROC: OnceLock<bool> = OnceLock::new();
    if !*PROC.get_or_init(|| Path::new("/proc/self/fd").is_dir()) {
        return Ok(None);
    }
    let flags = rustix::fs::OFlags::TMPFILE.bits() as i32;
    match OpenOptions::new()
        .write(true)
        .mode(mode)
        .custom_flags(flags)
        .open(directory)
    {
        Ok(file) => Ok(Some(file)),
        // Unsupported by the filesystem, or a kernel that reads the flag as `O_DIRECTORY`.
        Err(error)
            if matches!(
                rustix::io::Errno::from_io_error(&error),
                Some(
                    rustix::io::Errno::OPNOTSUPP
                        | rustix::io::Errno::ISDIR
                        | rustix::io::Errno::INVAL
                )
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn unnamed_in(_directory: &Path, _mode: u32) -> io::Result<Option<File>> {
    Ok(None)
}

/// Give the unnamed `file` the name `target`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn link_unnamed(file: &File, target: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let source = format!("/proc/self/fd/{}", file.as_raw_fd());
    rustix::fs::linkat(
        rustix::fs::CWD,
        source.as_str(),
        rustix::fs::CWD,
        target,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    )
    .map_err(io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn link_unnamed(_file: &File, _target: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Held while a temporary is named, renamed or removed, or a file rewritten in place: a signal
/// that ends the run waits for it to be released.
pub(super) fn critical() -> RwLockReadGuard<'static, ()> {
    CRITICAL
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

static CRITICAL: RwLock<()> = RwLock::new(());

/// Held while a temporary is linked to a name and renamed (taken before [`critical`]).
static NAMING: Mutex<()> = Mutex::new(());

/// The named temporaries that exist now.
fn in_flight() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    static NAMED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    NAMED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn forget(name: &Path) {
    in_flight().retain(|n| n != name);
}

/// From now on, SIGINT, SIGTERM and SIGHUP remove the named temporaries before ending the run as
/// they would have. Called before the first write; later calls do nothing.
pub(super) fn clean_up_on_signals() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        // Without the handler a signal still ends the run; only the cleanup is lost.
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".to_owned())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Never released: no rename or rewrite starts after this.
                    let _exclusive = CRITICAL.write().unwrap_or_else(|p| p.into_inner());
                    for name in in_flight().drain(..) {
                        let _ = std::fs::remove_file(name);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
    });
}

/// Remove from `directories` the temporaries of runs that are over: those whose process is gone
/// (or is this one, which has named none yet), and those of the unnamed-pid form older than a
/// minute. Best effort: what cannot be removed stays.
pub(super) fn remove_stale<'a>(directories: impl IntoIterator<Item = &'a Path>) {
    for directory in directories {
        let Ok(entries) = std::fs::read_dir(directory) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(middle) = name
                .to_str()
                .and_then(|n| n.strip_prefix(PREFIX))
                .and_then(|n| n.strip_suffix(SUFFIX))
            else {
                continue;
            };
            let stale = match parse_pid(middle) {
                Some(pid) => !is_live_other_process(pid),
                None => is_legacy(middle) && older_than(&entry, Duration::from_secs(60)),
            };
            if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// `<pid>-<16 hex digits>` → pid.
fn parse_pid(middle: &str) -> Option<u32> {
    let (pid, random) = middle.split_once('-')?;
    (random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| pid.parse().ok())
        .flatten()
}

/// Six letters or digits: the name an earlier version gave its temporaries.
fn is_legacy(middle: &str) -> bool {
    middle.len() == 6 && middle.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn older_than(entry: &std::fs::DirEntry, age: Duration) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| modified.elapsed().ok())
        .is_some_and(|elapsed| elapsed > age)
}

fn is_live_other_process(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    // A process we may not signal is alive all the same.
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names_in(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn named_and_unnamed_temporaries_replace_create_and_vanish() {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path();
        let target = root.join("target.py");
        std::fs::write(&target, "old").unwrap();
        for named in [false, true] {
            let create = || {
                if named {
                    Temporary::create_named_in(root, 0o600).unwrap()
                } else {
                    Temporary::create_in(root, 0o600).unwrap()
                }
            };
            let dropped = create();
            let mut file = dropped.file();
            file.write_all(b"dropped").unwrap();
            drop(dropped);
            assert_eq!(names_in(root), ["target.py"], "named: {named}");

            let replacing = create();
            let mut file = replacing.file();
            file.write_all(b"new").unwrap();
            replacing.replace(&target).unwrap();
            assert_eq!(std::fs::read(&target).unwrap(), b"new");

            let created = root.join(format!("created-{named}.json"));
            let creating = create();
            let mut file = creating.file();
            file.write_all(b"created").unwrap();
            creating.create_as(&created).unwrap();
            assert_eq!(std::fs::read(&created).unwrap(), b"created");
            let clobbering = create();
            let refused = clobbering.create_as(&created).unwrap_err();
            assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
            std::fs::remove_file(&created).unwrap();
            assert_eq!(names_in(root), ["target.py"], "named: {named}");
            assert!(in_flight().is_empty());
        }
    }

    #[test]
    fn names_carry_the_pid_and_only_stale_ones_are_removed() {
        let name = fresh_name();
        let middle = name
            .strip_prefix(PREFIX)
            .and_then(|n| n.strip_suffix(SUFFIX))
            .unwrap();
        assert_eq!(parse_pid(middle), Some(std::process::id()));
        assert_eq!(parse_pid("12-xyz"), None);
        assert!(is_legacy("a1B2c3"));
        assert!(!is_legacy("12-0123456789abcdef"));

        let directory = tempfile::tempdir().unwrap();
        // The parent of the test process is alive; a child waited for is gone.
        let parent = std::os::unix::process::parent_id();
        let live = format!("{PREFIX}{parent}-0123456789abcdef{SUFFIX}");
        let own = format!("{PREFIX}{}-0123456789abcdef{SUFFIX}", std::process::id());
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        let dead = format!("{PREFIX}{}-0123456789abcdef{SUFFIX}", child.id());
        let fresh_legacy = format!("{PREFIX}a1B2c3{SUFFIX}");
        let other = "x.tmp".to_owned();
        for name in [&live, &own, &dead, &fresh_legacy, &other] {
            std::fs::write(directory.path().join(name), "").unwrap();
        }
        remove_stale([directory.path()]);
        let left = names_in(directory.path());
        let mut expected = vec![live, fresh_legacy, other];
        expected.sort();
        assert_eq!(left, expected);
    }
}
