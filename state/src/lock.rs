//! State locking with a lock file (`<state>.lock.info`) created exclusively and holding who/where/when.
//!
//! Guarantees and limits:
//! - The lock file is written aside and hard-linked into place (which fails if it exists), so
//!   two runs on one file system never both create it and none reads a half-written one.
//!   While it exists, other runs poll every 100 ms until their timeout.
//! - A lock is stale only when provably dead: its host is this host and its pid no longer exists.
//!   A stale lock is broken by renaming it aside first, so two runs breaking it at once cannot
//!   remove each other's fresh lock; the guard reports the broken lock so the caller can warn.
//! - A lock held on another host is never broken automatically: use `force_unlock` with its id.
//! - Dropping a guard removes the lock file only if it still holds the guard's own id.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::fsio;

/// How long to wait between attempts while another run holds the lock.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Who holds a lock, where, since when and for what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// Unique id of this lock (a UUID), needed by `force-unlock`.
    pub id: String,
    /// What the holder is doing: `plan`, `apply`, `destroy`, ...
    pub operation: String,
    /// `user@host` of the holder.
    pub who: String,
    /// The holder's process id on `host`.
    pub pid: u32,
    /// The holder's host name.
    pub host: String,
    /// When the lock was taken.
    pub created: DateTime<Utc>,
    /// The plinth version of the holder.
    pub version: String,
    /// When the holder's lease ends unless renewed (remote backends); `None` for a lock that
    /// lasts until released (the local lock file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
}

impl LockInfo {
    /// Describes a lock taken now by this process for `operation`.
    pub fn current(operation: impl Into<String>) -> LockInfo {
        let host = current_host();
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.into(),
            who: format!("{}@{host}", current_user()),
            pid: std::process::id(),
            host,
            created: Utc::now(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            expires: None,
        }
    }

    /// Whether the holder's lease ended before `now` without being renewed.
    pub fn lease_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires.is_some_and(|expires| expires < now)
    }

    /// Whether the holder is provably gone: same host and no process with its pid exists, or
    /// its lease expired.
    pub fn is_stale(&self) -> bool {
        (self.host == current_host() && !process_exists(self.pid)) || self.lease_expired(Utc::now())
    }
}

/// A held lock file. Dropping it removes the file if it still holds this guard's id.
#[derive(Debug)]
pub struct LockGuard {
    path: PathBuf,
    info: LockInfo,
    broke_stale: Option<LockInfo>,
    held: bool,
}

impl LockGuard {
    /// The lock this guard holds.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// The stale lock of a dead holder that was broken to take this one, if any.
    pub fn broke_stale(&self) -> Option<&LockInfo> {
        self.broke_stale.as_ref()
    }

    /// Keeps the lock file after this guard is gone (its holder releases it by id later);
    /// returns the stale lock that was broken to take it, if any.
    pub(crate) fn keep(mut self) -> Option<LockInfo> {
        self.held = false;
        self.broke_stale.take()
    }

    /// Releases the lock now, reporting any failure.
    pub fn release(mut self) -> Result<(), StateError> {
        self.held = false;
        remove_if_ours(&self.path, &self.info.id)
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        if self.held {
            // Nothing to report to from a destructor; `release` reports failures.
            let _ = remove_if_ours(&self.path, &self.info.id);
        }
    }
}

/// Takes the lock file at `path`, waiting up to `timeout` for another holder to release it.
pub(crate) fn acquire(
    path: &Path,
    info: LockInfo,
    timeout: Duration,
) -> Result<LockGuard, StateError> {
    let deadline = Instant::now() + timeout;
    let mut broke_stale = None;
    loop {
        if try_create(path, &info)? {
            return Ok(LockGuard {
                path: path.to_path_buf(),
                info,
                broke_stale,
                held: true,
            });
        }
        match read_lock(path) {
            Ok(None) => continue,
            Ok(Some(holder)) if holder.is_stale() => {
                if break_stale(path, &holder)? {
                    broke_stale = Some(holder);
                }
                continue;
            }
            Ok(Some(holder)) if Instant::now() >= deadline => {
                return Err(StateError::Locked {
                    holder: Box::new(holder),
                });
            }
            Ok(Some(_)) => {}
            // A holder may be between creating the file and writing it: wait, then report.
            Err(error) if Instant::now() >= deadline => return Err(error),
            Err(_) => {}
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(remaining.min(POLL_INTERVAL));
    }
}

/// Removes the lock at `path` only if its id is `id`; returns the removed lock.
pub(crate) fn force_unlock(path: &Path, location: &str, id: &str) -> Result<LockInfo, StateError> {
    let holder = read_lock(path)?.ok_or_else(|| StateError::NotLocked {
        location: location.to_string(),
    })?;
    if holder.id != id {
        return Err(StateError::LockIdMismatch {
            given: id.to_string(),
            holder: Box::new(holder),
        });
    }
    fsio::remove_durably(path)?;
    Ok(holder)
}

/// Creates the lock file with `info`; false when it already exists. The info is written to a
/// private file first and then linked into place, so no other run ever reads a lock file that
/// exists but is still empty.
fn try_create(path: &Path, info: &LockInfo) -> Result<bool, StateError> {
    let pending = fsio::with_suffix(path, &format!(".new-{}", uuid::Uuid::new_v4().simple()));
    let mut file = fsio::create_private(&pending)?;
    let written = serde_json::to_vec_pretty(info)
        .map_err(std::io::Error::other)
        .and_then(|bytes| file.write_all(&bytes))
        .and_then(|()| file.sync_all());
    drop(file);
    let linked = written.and_then(|()| fs::hard_link(&pending, path));
    let _ = fs::remove_file(&pending);
    match linked {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(error) => return Err(StateError::io("write", path, error)),
    }
    fsio::sync_dir(&fsio::parent_dir(path))?;
    Ok(true)
}

/// Reads the lock file; `None` when there is none.
pub(crate) fn read_lock(path: &Path) -> Result<Option<LockInfo>, StateError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StateError::io("read", path, error)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|error| StateError::Corrupt {
            detail: format!(
                "lock file {} is unreadable ({error}); if no plinth run is active, remove it",
                path.display()
            ),
        })
}

/// Breaks the stale lock `holder` at `path`. Returns false if the file turned out to be some
/// other lock (which is put back) or was already gone.
fn break_stale(path: &Path, holder: &LockInfo) -> Result<bool, StateError> {
    let aside = fsio::with_suffix(path, &format!(".stale-{}", uuid::Uuid::new_v4().simple()));
    match fs::rename(path, &aside) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(StateError::io("move aside stale lock", path, error)),
    }
    let moved = read_lock(&aside).ok().flatten();
    if moved.as_ref().is_some_and(|moved| moved.id == holder.id) {
        fsio::remove_durably(&aside)?;
        return Ok(true);
    }
    // Someone replaced the stale lock with a live one meanwhile: put it back without clobbering.
    let restored = fs::hard_link(&aside, path);
    let _ = fs::remove_file(&aside);
    match restored {
        Ok(()) => Ok(false),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(StateError::io("restore lock", path, error)),
    }
}

pub(crate) fn remove_if_ours(path: &Path, id: &str) -> Result<(), StateError> {
    match read_lock(path)? {
        Some(holder) if holder.id == id => fsio::remove_durably(path),
        _ => Ok(()),
    }
}

/// Whether a process with `pid` exists on this host (a permission error means it does).
fn process_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// This machine's host name.
pub(crate) fn current_host() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// The user running plinth: `$USER`, `$LOGNAME`, the passwd entry for our uid, or the uid.
pub(crate) fn current_user() -> String {
    for variable in ["USER", "LOGNAME"] {
        if let Ok(user) = std::env::var(variable) {
            if !user.is_empty() {
                return user;
            }
        }
    }
    let uid = rustix::process::getuid().as_raw();
    fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)? == uid.to_string()).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| format!("uid{uid}"))
}

#[cfg(test)]
mod tests;
