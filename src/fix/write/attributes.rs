//! What a file has besides its bytes, given to the new file that replaces it: owner and group,
//! permission bits, and (on Linux) extended attributes, POSIX ACLs among them.

use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// Give `to`, a new file, the owner, group, permissions and extended attributes of `from`, whose
/// metadata is `metadata`. An error means one of them cannot be given (e.g. another user's file
/// when not running as root): the caller then rewrites `from` in place instead.
pub(super) fn copy(from: &File, metadata: &Metadata, to: &File) -> io::Result<()> {
    let made = to.metadata()?;
    // Before the permissions: changing the owner clears the set-user-ID and set-group-ID bits.
    if (made.uid(), made.gid()) != (metadata.uid(), metadata.gid()) {
        std::os::unix::fs::fchown(to, Some(metadata.uid()), Some(metadata.gid()))?;
    }
    to.set_permissions(std::fs::Permissions::from_mode(metadata.mode() & 0o7777))?;
    copy_extended(from, to)
}

/// Make the extended attributes of `to` those of `from`: set each of `from`'s, remove those it
/// lacks (e.g. an ACL inherited from the directory's default ACL). After the permissions, which
/// would otherwise rewrite an ACL's mask.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn copy_extended(from: &File, to: &File) -> io::Result<()> {
    let wanted = names(from)?;
    for name in names(to)? {
        if !wanted.contains(&name) {
            rustix::fs::fremovexattr(to, name.as_slice())?;
        }
    }
    for name in &wanted {
        let value = value(from, name)?;
        rustix::fs::fsetxattr(to, name.as_slice(), &value, rustix::fs::XattrFlags::empty())?;
    }
    Ok(())
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn copy_extended(_from: &File, _to: &File) -> io::Result<()> {
    Ok(())
}

/// The names of `file`'s extended attributes (none where the filesystem has none).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn names(file: &File) -> io::Result<Vec<Vec<u8>>> {
    let list = read_sized(
        || rustix::fs::flistxattr_query(file),
        |buffer| rustix::fs::flistxattr(file, buffer),
    );
    let list = match list {
        Err(error)
            if rustix::io::Errno::from_io_error(&error) == Some(rustix::io::Errno::NOTSUP) =>
        {
            return Ok(Vec::new());
        }
        other => other?,
    };
    Ok(list
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(<[u8]>::to_vec)
        .collect())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn value(file: &File, name: &[u8]) -> io::Result<Vec<u8>> {
    read_sized(
        || rustix::fs::fgetxattr_query(file, name),
        |buffer| rustix::fs::fgetxattr(file, name, buffer),
    )
}

/// Ask the size, then read; again if it grew in between.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn read_sized(
    size: impl Fn() -> rustix::io::Result<usize>,
    read: impl Fn(&mut [u8]) -> rustix::io::Result<usize>,
) -> io::Result<Vec<u8>> {
    loop {
        let mut buffer = vec![0; size()?];
        if buffer.is_empty() {
            return Ok(buffer);
        }
        match read(&mut buffer) {
            Ok(length) => {
                buffer.truncate(length);
                return Ok(buffer);
            }
            Err(rustix::io::Errno::RANGE) => continue,
            Err(error) => return Err(error.into()),
        }
    }
}
