//! The local backend: the state in a file (`plinth.tfstate`), with `.backup`, `.journal`,
//! `.lock.info` and `.history/` beside it; other workspaces under `<path>.d/<name>/`.
//!
//! Guarantees:
//! - A write is atomic and durable: the new snapshot goes to a 0600 temporary file in the same
//!   directory, is fsynced, the previous snapshot is copied to `<path>.backup` (0600), the
//!   temporary file is renamed over the path and the directory is fsynced.
//! - A write is a compare-and-swap on the file's SHA-256 digest, checked just before the rename,
//!   and refused when the lock file no longer holds the writer's lock id (the fence). Between
//!   two writers on one file system the lock file makes this exact; the digest check catches a
//!   writer that ran with `-lock=false`.
//! - The history keeps the newest [`HISTORY_LIMIT`] versions (`<path>.history/<serial>.tfstate`
//!   and a `.json` description beside each).
//! - The lock is the lock file of [`crate::lock`]: a lock of a dead process on this host is
//!   broken; a lock from another host lasts until released or force-unlocked.

mod journal_file;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::error::StateError;
use crate::fsio;
use crate::lock::{self, LockInfo};
use crate::store::{
    valid_workspace_name, Acquired, Fence, Locker, SnapshotMeta, SnapshotStore, Stored, Version,
    WorkspaceStores, Workspaces,
};

pub use journal_file::LocalJournal;

/// How many snapshot versions the local history keeps.
pub const HISTORY_LIMIT: usize = 100;

/// The local backend: the default workspace's state file path (which need not exist yet).
#[derive(Debug, Clone)]
pub struct LocalBackend {
    path: PathBuf,
}

impl LocalBackend {
    /// A backend whose default workspace lives at `path`.
    pub fn new(path: PathBuf) -> Self {
        LocalBackend { path }
    }

    /// The default workspace's state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory holding the other workspaces: `<path>.d`.
    pub fn workspaces_dir(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".d")
    }

    /// The state file of workspace `name`.
    pub fn state_path(&self, name: &str) -> PathBuf {
        if name == "default" {
            return self.path.clone();
        }
        let file = self
            .path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("plinth.tfstate"));
        self.workspaces_dir().join(name).join(file)
    }
}

#[async_trait]
impl Workspaces for LocalBackend {
    async fn list(&self) -> Result<Vec<String>, StateError> {
        let mut names = vec!["default".to_string()];
        let dir = self.workspaces_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(names),
            Err(error) => return Err(StateError::io("list", dir, error)),
        };
        for entry in entries {
            let entry = entry.map_err(|error| StateError::io("list", &dir, error))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if valid_workspace_name(&name) && entry.path().is_dir() && name != "default" {
                names.push(name);
            }
        }
        names[1..].sort();
        Ok(names)
    }

    async fn delete(&self, name: &str) -> Result<(), StateError> {
        let state = self.state_path(name);
        let dir = fsio::parent_dir(&state);
        fs::remove_dir_all(&dir).map_err(|error| StateError::io("remove", dir, error))
    }

    async fn open(&self, name: &str) -> Result<WorkspaceStores, StateError> {
        let path = self.state_path(name);
        if name != "default" {
            let dir = fsio::parent_dir(&path);
            fs::create_dir_all(&dir).map_err(|error| StateError::io("create", dir, error))?;
        }
        Ok(WorkspaceStores {
            snapshots: Box::new(LocalSnapshots { path: path.clone() }),
            locker: Box::new(LocalLocker { path: path.clone() }),
            journal: Box::new(LocalJournal::new(path)),
        })
    }

    fn describe(&self, name: &str) -> String {
        format!("local state file {}", self.state_path(name).display())
    }
}

/// The snapshots of one local state file.
#[derive(Debug)]
pub struct LocalSnapshots {
    path: PathBuf,
}

impl LocalSnapshots {
    /// The snapshots stored at `path`.
    pub fn new(path: PathBuf) -> Self {
        LocalSnapshots { path }
    }

    /// The backup of the previous snapshot: `<path>.backup`.
    pub fn backup_path(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".backup")
    }

    /// The history folder: `<path>.history`.
    pub fn history_dir(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".history")
    }

    fn read_current(&self) -> Result<Option<Vec<u8>>, StateError> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(StateError::io("read", &self.path, error)),
        }
    }

    fn keep_in_history(&self, bytes: &[u8], meta: &SnapshotMeta) -> Result<(), StateError> {
        let dir = self.history_dir();
        fs::create_dir_all(&dir).map_err(|error| StateError::io("create", &dir, error))?;
        let stem = format!("{:020}", meta.serial);
        let described = serde_json::to_vec_pretty(meta).map_err(|error| StateError::Corrupt {
            detail: format!("could not encode history metadata: {error}"),
        })?;
        fsio::replace_atomically(&dir.join(format!("{stem}.tfstate")), bytes, || Ok(()))?;
        fsio::replace_atomically(&dir.join(format!("{stem}.json")), &described, || Ok(()))?;
        let kept = self.history_serials()?;
        for serial in kept.iter().take(kept.len().saturating_sub(HISTORY_LIMIT)) {
            for extension in ["tfstate", "json"] {
                let old = dir.join(format!("{serial:020}.{extension}"));
                fs::remove_file(&old).map_err(|error| StateError::io("remove", old, error))?;
            }
        }
        Ok(())
    }

    fn history_serials(&self) -> Result<Vec<u64>, StateError> {
        let dir = self.history_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => return Err(StateError::io("list", dir, error)),
        };
        let mut serials = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| StateError::io("list", &dir, error))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(serial) = name
                .strip_suffix(".json")
                .and_then(|stem| stem.parse::<u64>().ok())
            {
                serials.push(serial);
            }
        }
        serials.sort_unstable();
        Ok(serials)
    }
}

/// The version token of local bytes: their SHA-256 digest.
fn digest(bytes: &[u8]) -> Version {
    let hash = Sha256::digest(bytes);
    Version(hash.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Refuses a write whose fence is not the lock file's current lock.
fn check_fence(state_path: &Path, fence: Option<&Fence>) -> Result<(), StateError> {
    let Some(fence) = fence else { return Ok(()) };
    let lock_path = fsio::with_suffix(state_path, ".lock.info");
    match lock::read_lock(&lock_path)? {
        Some(holder) if holder.id == fence.lock_id => Ok(()),
        _ => Err(StateError::LockLost {
            location: state_path.display().to_string(),
            lock_id: fence.lock_id.clone(),
        }),
    }
}

#[async_trait]
impl SnapshotStore for LocalSnapshots {
    async fn read(&self) -> Result<Option<Stored>, StateError> {
        Ok(self.read_current()?.map(|bytes| Stored {
            version: digest(&bytes),
            bytes,
        }))
    }

    async fn write(
        &self,
        bytes: &[u8],
        meta: &SnapshotMeta,
        expected: Option<&Version>,
        fence: Option<&Fence>,
    ) -> Result<Version, StateError> {
        check_fence(&self.path, fence)?;
        let check_unchanged = || {
            let found = self.read_current()?.map(|current| digest(&current));
            if found.as_ref() != expected {
                return Err(StateError::Conflict {
                    location: self.path.display().to_string(),
                    expected: describe_version(expected),
                    found: describe_version(found.as_ref()),
                });
            }
            Ok(())
        };
        check_unchanged()?;
        fsio::replace_atomically(&self.path, bytes, || {
            check_unchanged()?;
            fsio::copy_private(&self.path, &self.backup_path()).map(|_| ())
        })?;
        self.keep_in_history(bytes, meta)?;
        Ok(digest(bytes))
    }

    async fn history(&self) -> Result<Vec<SnapshotMeta>, StateError> {
        let dir = self.history_dir();
        let mut metas = Vec::new();
        for serial in self.history_serials()? {
            let path = dir.join(format!("{serial:020}.json"));
            let bytes = fs::read(&path).map_err(|error| StateError::io("read", &path, error))?;
            let meta = serde_json::from_slice(&bytes).map_err(|error| StateError::Corrupt {
                detail: format!("{}: {error}", path.display()),
            })?;
            metas.push(meta);
        }
        Ok(metas)
    }

    async fn read_version(&self, serial: u64) -> Result<Option<Vec<u8>>, StateError> {
        let path = self.history_dir().join(format!("{serial:020}.tfstate"));
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(StateError::io("read", path, error)),
        }
    }
}

/// A version for messages: a short digest, or "no state".
fn describe_version(version: Option<&Version>) -> String {
    match version {
        Some(Version(token)) => format!("version {}", &token[..token.len().min(12)]),
        None => "no state".to_string(),
    }
}

/// The lock file of one local state file: `<path>.lock.info`.
#[derive(Debug)]
pub struct LocalLocker {
    path: PathBuf,
}

impl LocalLocker {
    fn lock_path(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".lock.info")
    }
}

#[async_trait]
impl Locker for LocalLocker {
    async fn try_acquire(&self, info: &LockInfo) -> Result<Result<Acquired, LockInfo>, StateError> {
        match lock::acquire(&self.lock_path(), info.clone(), Duration::ZERO) {
            Ok(guard) => Ok(Ok(Acquired {
                fence: Fence {
                    lock_id: info.id.clone(),
                    token: 0,
                },
                info: info.clone(),
                took_over: guard.keep(),
            })),
            Err(StateError::Locked { holder }) => Ok(Err(*holder)),
            Err(error) => Err(error),
        }
    }

    async fn renew(&self, _info: &LockInfo, fence: &Fence) -> Result<(), StateError> {
        check_fence(&self.path, Some(fence))
    }

    async fn release(&self, fence: &Fence) -> Result<(), StateError> {
        lock::remove_if_ours(&self.lock_path(), &fence.lock_id)
    }

    async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        lock::force_unlock(&self.lock_path(), &self.path.display().to_string(), id)
    }

    async fn holder(&self) -> Result<Option<LockInfo>, StateError> {
        lock::read_lock(&self.lock_path())
    }
}

#[cfg(test)]
mod tests;
