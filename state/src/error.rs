//! `StateError`: every way reading, writing, journalling or locking state can fail.

use std::path::PathBuf;

use crate::lock::LockInfo;

/// An error from the state crate. Each variant says what the user can do about it.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// A resource instance address that does not follow the `module.x[k].type.name[k]` form.
    #[error("invalid resource instance address {address:?}: {reason}")]
    InvalidAddress {
        /// The text that was parsed.
        address: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An in-memory instance whose fields contradict its address (a bug in the caller).
    #[error("state instance {address} is inconsistent: {reason}")]
    InconsistentInstance {
        /// The instance address (key in `State::instances`).
        address: String,
        /// What contradicts what.
        reason: String,
    },

    /// The state file was written by a newer plinth whose format this one cannot read.
    #[error(
        "the state was written in format version {found}, but this plinth reads versions up to \
         {supported}: upgrade plinth"
    )]
    NewerVersion {
        /// The `version` recorded in the file.
        found: u64,
        /// The newest format version this build understands.
        supported: u64,
    },

    /// The state (or journal, or lock file) is not valid JSON or does not have the expected shape.
    #[error("state data is corrupt: {detail}")]
    Corrupt {
        /// What is wrong, with the JSON line and column where known.
        detail: String,
    },

    /// A file system operation failed.
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "rename", ...).
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// Another run holds the state lock.
    #[error(
        "state is locked by {} (pid {}) for {} since {}, lock id {}",
        holder.who, holder.pid, holder.operation, holder.created.to_rfc3339(), holder.id
    )]
    Locked {
        /// Who holds the lock (boxed to keep the error small).
        holder: Box<LockInfo>,
    },

    /// `force_unlock` was given an id that is not the current lock's.
    #[error(
        "lock id {given} does not match the current lock (id {}, held by {} for {})",
        holder.id, holder.who, holder.operation
    )]
    LockIdMismatch {
        /// The id the user gave.
        given: String,
        /// The lock actually held (boxed to keep the error small).
        holder: Box<LockInfo>,
    },

    /// `force_unlock` found no lock.
    #[error("the state at {location} is not locked")]
    NotLocked {
        /// Where the state lives.
        location: String,
    },

    /// A journal left by an interrupted apply does not belong to the state snapshot beside it.
    /// It is left in place so that nothing it records is lost.
    #[error(
        "the apply journal {location} records changes to state lineage {journal_lineage} serial \
         {journal_serial}, but the state is lineage {state_lineage} serial {state_serial}; \
         inspect the journal and move it away once its changes are accounted for"
    )]
    JournalMismatch {
        /// Where the journal is (a file, an S3 prefix, a table).
        location: String,
        /// Lineage the journal was written against.
        journal_lineage: String,
        /// Serial the journal was written against.
        journal_serial: u64,
        /// Lineage of the snapshot on disk (empty when there is no snapshot).
        state_lineage: String,
        /// Serial of the snapshot on disk.
        state_serial: u64,
    },

    /// A remote store (S3, PostgreSQL) failed or could not be reached.
    #[error("{backend}: could not {action}: {detail}")]
    Remote {
        /// The backend, e.g. `s3://bucket/key` or `pg schema plinth`.
        backend: String,
        /// What was being done.
        action: String,
        /// The store's error, with its cause chain (never credentials).
        detail: String,
    },

    /// A compare-and-swap write found another version than the one it replaces: someone else
    /// wrote the state since it was read. Nothing was written.
    #[error(
        "{location}: the state was changed by another writer since it was read (expected \
         {expected}, found {found}); nothing was written, run the command again"
    )]
    Conflict {
        /// Where the state lives.
        location: String,
        /// What this writer expected to replace.
        expected: String,
        /// What it found.
        found: String,
    },

    /// A write would not continue the stored history: another lineage, or a serial that does
    /// not grow. Nothing was written.
    #[error("{location}: {reason}; nothing was written")]
    Refused {
        /// Where the state lives.
        location: String,
        /// Why the write was refused.
        reason: String,
    },

    /// The lock this run held was taken over (its lease expired) or removed: it may not write.
    #[error(
        "{location}: this run no longer holds the state lock {lock_id} (its lease expired and \
         another run took it over, or it was force-unlocked); nothing more was written"
    )]
    LockLost {
        /// Where the state lives.
        location: String,
        /// The id of the lock that was lost.
        lock_id: String,
    },

    /// Encryption or decryption failed: a wrong or missing key, or damaged data. Nothing was
    /// written.
    #[error("encryption: {detail}")]
    Encryption {
        /// What failed (never the key or passphrase).
        detail: String,
    },

    /// The backend configuration is invalid.
    #[error("backend configuration: {detail}")]
    Config {
        /// What is wrong and how to fix it.
        detail: String,
    },

    /// A workspace that does not exist, or an invalid name.
    #[error("workspace {name:?}: {reason}")]
    Workspace {
        /// The workspace name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

impl StateError {
    /// Builds a [`StateError::Remote`] from a backend description, an action and an error with
    /// its cause chain.
    pub fn remote(
        backend: impl Into<String>,
        action: impl Into<String>,
        error: &(dyn std::error::Error + 'static),
    ) -> Self {
        let mut detail = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            let text = inner.to_string();
            if !detail.contains(&text) {
                detail.push_str(": ");
                detail.push_str(&text);
            }
            cause = inner.source();
        }
        StateError::Remote {
            backend: backend.into(),
            action: action.into(),
            detail,
        }
    }

    /// Builds an [`StateError::Io`] from an action, a path and the OS error.
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        StateError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
