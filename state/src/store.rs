//! The three small async traits every backend implements, and the records they exchange.
//!
//! - [`SnapshotStore`]: the current snapshot of one workspace and its history. A write is a
//!   compare-and-swap: it names the version it replaces ([`Version`], from the last read), so a
//!   second writer is refused with [`StateError::Conflict`] instead of silently overwriting.
//! - [`Locker`]: a lock with a lease. The holder renews the lease while it works; a lease that
//!   is not renewed expires and may be taken over. Every lock carries a fencing token
//!   ([`Fence`]) that the stores check on each write, so a holder whose lease was taken over
//!   cannot write any more.
//! - [`JournalSink`]: the apply journal, stored as opaque, ordered batches of entries (one line
//!   of bytes per entry, no newline inside) under a header naming the snapshot they apply to.
//!
//! The stores see bytes only: encoding, decoding, encryption and the lineage/serial rules live
//! in [`crate::manager`], so the stores do not depend on the document's fields.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::lock::LockInfo;

/// An opaque token naming one stored version of a snapshot (an S3 ETag, a file digest, a
/// database serial). Writes name the version they replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

/// Who wrote a snapshot version, when, why and how big it is: shown by `state history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    /// The state's lineage.
    pub lineage: String,
    /// The snapshot's serial.
    pub serial: u64,
    /// When it was written.
    pub written: DateTime<Utc>,
    /// `user@host` of the writer.
    pub who: String,
    /// The command that wrote it: `apply`, `state rm`, `rollback to 3`, ...
    pub operation: String,
    /// How many resource instances it holds.
    pub resources: usize,
}

/// The current snapshot as stored: its bytes and the version a write must name to replace it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The stored bytes (possibly encrypted).
    pub bytes: Vec<u8>,
    /// The version of these bytes.
    pub version: Version,
}

/// The fencing token of a held lock: the lock's id and a number that grows with every new
/// holder. A store refuses a write whose fence is not the current lock's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    /// The id of the lock (a UUID).
    pub lock_id: String,
    /// A number larger than every earlier holder's (where the store can count; else 0).
    pub token: u64,
}

/// A lock as taken by [`Locker::try_acquire`].
#[derive(Debug, Clone)]
pub struct Acquired {
    /// The lock now held.
    pub info: LockInfo,
    /// Its fencing token.
    pub fence: Fence,
    /// The lock of an earlier holder whose lease had expired and that was taken over.
    pub took_over: Option<LockInfo>,
}

/// A snapshot store for one workspace.
#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// The current snapshot, or `None` when the workspace has none yet.
    async fn read(&self) -> Result<Option<Stored>, StateError>;

    /// Replaces the snapshot whose version is `expected` (`None`: there must be none) with
    /// `bytes`, described by `meta`, and records it in the history. Fails with
    /// [`StateError::Conflict`] when the current version is another, and with
    /// [`StateError::LockLost`] when `fence` (if given) is no longer the lock's.
    async fn write(
        &self,
        bytes: &[u8],
        meta: &SnapshotMeta,
        expected: Option<&Version>,
        fence: Option<&Fence>,
    ) -> Result<Version, StateError>;

    /// Every version kept in the history, oldest first.
    async fn history(&self) -> Result<Vec<SnapshotMeta>, StateError>;

    /// The stored bytes of the history version with `serial`, if kept.
    async fn read_version(&self, serial: u64) -> Result<Option<Vec<u8>>, StateError>;
}

/// A lock with a lease for one workspace.
#[async_trait]
pub trait Locker: Send + Sync {
    /// Takes the lock for `info` unless another holder's lease is live. A lock whose lease has
    /// expired (or, on one host, whose process is gone) is taken over and reported.
    /// `Ok(Err(holder))` names the live holder.
    async fn try_acquire(&self, info: &LockInfo) -> Result<Result<Acquired, LockInfo>, StateError>;

    /// How often the holder renews its lease; `None` when the lock has no lease.
    fn renew_every(&self) -> Option<std::time::Duration> {
        None
    }

    /// Extends the lease of the held lock `fence`; [`StateError::LockLost`] when it is no
    /// longer ours.
    async fn renew(&self, info: &LockInfo, fence: &Fence) -> Result<(), StateError>;

    /// Releases the lock `fence` if it is still ours.
    async fn release(&self, fence: &Fence) -> Result<(), StateError>;

    /// Removes the lock if its id is `id`, returning who held it.
    async fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError>;

    /// The current lock, if any (for messages and tests).
    async fn holder(&self) -> Result<Option<LockInfo>, StateError>;
}

/// Names the snapshot a journal's entries apply to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHeader {
    /// Journal format version.
    pub journal: u64,
    /// Lineage of the snapshot the entries apply to.
    pub lineage: String,
    /// Serial of that snapshot.
    pub serial: u64,
}

/// A journal as read back: its header and every entry in append order.
#[derive(Debug, Clone)]
pub struct JournalContents {
    /// The header, `None` when nothing was journalled beyond a torn header.
    pub header: Option<JournalHeader>,
    /// The entries, each one line of opaque bytes.
    pub entries: Vec<Vec<u8>>,
}

/// Where the apply journal of one workspace lives.
#[async_trait]
pub trait JournalSink: Send + Sync {
    /// Starts a journal for `header` or continues the one with the same header. Fails with
    /// [`StateError::JournalMismatch`] when a journal for another snapshot is there.
    async fn begin(&self, header: &JournalHeader, fence: Option<&Fence>) -> Result<(), StateError>;

    /// Appends one batch (group commit) durably: when this returns, the entries survive the
    /// loss of this process and this machine. O(size of the batch).
    async fn append(&self, entries: &[Vec<u8>], fence: Option<&Fence>) -> Result<(), StateError>;

    /// The journal, or `None` when there is none.
    async fn read(&self) -> Result<Option<JournalContents>, StateError>;

    /// Removes the journal (after its entries reached a snapshot).
    async fn clear(&self, fence: Option<&Fence>) -> Result<(), StateError>;
}

/// The workspaces of a backend: one snapshot store, locker and journal each.
#[async_trait]
pub trait Workspaces: Send + Sync {
    /// The names of the workspaces that have state, `default` always included.
    async fn list(&self) -> Result<Vec<String>, StateError>;

    /// Removes every stored object of workspace `name` (state, history, journal, lock).
    async fn delete(&self, name: &str) -> Result<(), StateError>;

    /// The three stores of workspace `name`.
    async fn open(&self, name: &str) -> Result<WorkspaceStores, StateError>;

    /// A short description for messages, e.g. `s3://bucket/key`.
    fn describe(&self, name: &str) -> String;
}

/// The stores of one workspace.
pub struct WorkspaceStores {
    /// Its snapshots.
    pub snapshots: Box<dyn SnapshotStore>,
    /// Its lock.
    pub locker: Box<dyn Locker>,
    /// Its journal.
    pub journal: Box<dyn JournalSink>,
}

/// Whether `name` is a valid workspace name: letters, digits, `-`, `_` and `.`, not empty.
pub fn valid_workspace_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 90
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
