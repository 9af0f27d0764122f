//! Small durable-file helpers: private (0600) files, atomic replacement, directory fsync.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::error::StateError;

/// Permission bits of every file plinth writes next to the state: owner read/write only.
pub(crate) const PRIVATE_MODE: u32 = 0o600;

/// `path` with `suffix` appended to its file name (`terraform.tfstate` + `.lock.info`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The directory holding `path` (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A unique temporary name in the same directory as `path`, so a rename onto `path` is atomic.
pub(crate) fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(path).join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()))
}

/// Creates a new file with mode 0600; fails if it already exists.
pub(crate) fn create_private(path: &Path) -> Result<File, StateError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_MODE)
        .open(path)
        .map_err(|error| StateError::io("create", path, error))
}

/// Flushes a directory's entries (new names, renames, removals) to disk.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StateError> {
    File::open(dir)
        .and_then(|handle| handle.sync_all())
        .map_err(|error| StateError::io("sync directory", dir, error))
}

/// Removes a file and syncs its directory so the removal survives a crash.
pub(crate) fn remove_durably(path: &Path) -> Result<(), StateError> {
    fs::remove_file(path).map_err(|error| StateError::io("remove", path, error))?;
    sync_dir(&parent_dir(path))
}

/// Writes `bytes` to a new 0600 temporary file beside `path`, fsyncs it and renames it over
/// `path`, then fsyncs the directory. Readers see the old or the new file, never a mix.
/// `before_rename` runs after the data is durable and before the rename (used for the backup).
pub(crate) fn replace_atomically(
    path: &Path,
    bytes: &[u8],
    before_rename: impl FnOnce() -> Result<(), StateError>,
) -> Result<(), StateError> {
    let temp = temp_sibling(path);
    let result = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|error| StateError::io("write", &temp, error))?;
        before_rename()?;
        fs::rename(&temp, path).map_err(|error| StateError::io("rename into place", path, error))
    })();
    if result.is_err() {
        // Best effort: the temporary file is garbage once the write failed.
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_dir(&parent_dir(path))
}

/// Writes `bytes` to `path` as a new 0600 file renamed into place: an existing file's mode is
/// never kept and a symlink at `path` is replaced, never written through. For files holding
/// secrets outside the state (saved plans).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    replace_atomically(path, bytes, || Ok(()))
}

/// Copies `from` to `to` (replacing it atomically) with mode 0600. Returns false when `from`
/// does not exist.
pub(crate) fn copy_private(from: &Path, to: &Path) -> Result<bool, StateError> {
    let mut source = match File::open(from) {
        Ok(source) => source,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(StateError::io("open", from, error)),
    };
    let temp = temp_sibling(to);
    let result = (|| {
        let mut target = create_private(&temp)?;
        std::io::copy(&mut source, &mut target)
            .map_err(|error| StateError::io("copy to", &temp, error))?;
        fs::rename(&temp, to).map_err(|error| StateError::io("rename into place", to, error))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map(|()| true)
}
