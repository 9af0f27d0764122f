//! The local backend: the state in a file (`terraform.tfstate`), with `.backup`, `.journal` and
//! `.lock.info` files beside it.
//!
//! Guarantees:
//! - `write` is atomic and durable: the new snapshot goes to a 0600 temporary file in the same
//!   directory, is fsynced, the previous snapshot is copied to `<path>.backup` (0600), the
//!   temporary file is renamed over the path and the directory is fsynced.
//! - `load` never changes a file it cannot read: a corrupt or newer snapshot is refused as is.
//! - `load` folds a journal left by an interrupted apply into the snapshot (see `journal`), and
//!   should therefore be called while holding the lock.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::backend::Backend;
use crate::error::StateError;
use crate::format;
use crate::fsio;
use crate::journal::{self, Folded};
use crate::lock::{self, LockGuard, LockHandle, LockInfo};
use crate::model::State;

/// A state stored in a local file.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    path: PathBuf,
}

/// A loaded state and how many journalled operations of an interrupted run were replayed into it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The state, with any journal folded in.
    pub state: State,
    /// Number of journal entries replayed (0 when there was no journal to replay).
    pub replayed: usize,
}

impl LocalBackend {
    /// A backend for the state file at `path` (which need not exist yet).
    pub fn new(path: PathBuf) -> Self {
        LocalBackend { path }
    }

    /// The state file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The backup of the previous snapshot: `<path>.backup`.
    pub fn backup_path(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".backup")
    }

    /// The lock file: `<path>.lock.info`.
    pub fn lock_path(&self) -> PathBuf {
        fsio::with_suffix(&self.path, ".lock.info")
    }

    /// Loads the state (a fresh one when there is no file), replaying a leftover journal.
    /// Use [`LocalBackend::load_replaying`] to learn whether a journal was replayed.
    pub fn load(&self) -> Result<State, StateError> {
        self.load_replaying().map(|loaded| loaded.state)
    }

    /// Loads the state and folds in the journal of an interrupted apply, if any: the folded
    /// snapshot is written (serial incremented) and the journal removed. `replayed` tells how
    /// many operations were recovered, so the caller can say so.
    pub fn load_replaying(&self) -> Result<Loaded, StateError> {
        self.fold_journal(true)
    }

    /// Loads the state as `load_replaying` would see it, without writing anything: the
    /// journal of a run that may still be going is folded in memory only. For readers that do
    /// not hold the lock (`output`, `show`, `-lock=false`).
    pub fn peek(&self) -> Result<State, StateError> {
        self.fold_journal(false).map(|loaded| loaded.state)
    }

    fn fold_journal(&self, persist: bool) -> Result<Loaded, StateError> {
        let snapshot = self.read_snapshot()?;
        let journal_path = journal::journal_path(&self.path);
        let Some(contents) = journal::read(&journal_path)? else {
            return Ok(Loaded {
                state: snapshot.unwrap_or_default(),
                replayed: 0,
            });
        };
        let base = match (snapshot, &contents.header) {
            (Some(snapshot), _) => snapshot,
            // The first apply died before any snapshot was written: the journal applies to an
            // empty state of its own lineage.
            (None, Some(header)) if header.serial == 0 => State {
                lineage: header.lineage.clone(),
                ..State::new()
            },
            (None, Some(header)) => {
                return Err(StateError::JournalMismatch {
                    path: journal_path,
                    journal_lineage: header.lineage.clone(),
                    journal_serial: header.serial,
                    state_lineage: String::new(),
                    state_serial: 0,
                })
            }
            (None, None) => State::new(),
        };
        let loaded = match journal::fold(&journal_path, contents, &base)? {
            Folded::Changed { state, applied } => {
                if persist {
                    self.write(&state)?;
                }
                Loaded {
                    state,
                    replayed: applied,
                }
            }
            Folded::Unchanged => Loaded {
                state: base,
                replayed: 0,
            },
        };
        if persist {
            fsio::remove_durably(&journal_path)?;
        }
        Ok(loaded)
    }

    /// Writes `state` atomically and durably, keeping the previous snapshot as `<path>.backup`.
    /// The caller sets the serial (increment it when the content changed).
    pub fn write(&self, state: &State) -> Result<(), StateError> {
        let bytes = format::encode(state)?;
        fsio::replace_atomically(&self.path, &bytes, || {
            fsio::copy_private(&self.path, &self.backup_path()).map(|_| ())
        })
    }

    /// Takes the state lock, waiting up to `timeout` while another run holds it. A lock left by
    /// a dead process on this host is broken and reported by [`LockGuard::broke_stale`].
    pub fn lock(&self, info: LockInfo, timeout: Duration) -> Result<LockGuard, StateError> {
        lock::acquire(&self.lock_path(), info, timeout)
    }

    /// Removes the lock if its id is `id`, returning who held it.
    pub fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        lock::force_unlock(&self.lock_path(), &self.path, id)
    }

    fn read_snapshot(&self) -> Result<Option<State>, StateError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(StateError::io("read", &self.path, error)),
        };
        format::decode(&bytes)
            .map(Some)
            .map_err(|error| match error {
                StateError::Corrupt { detail } => StateError::Corrupt {
                    detail: format!("{}: {detail}", self.path.display()),
                },
                other => other,
            })
    }
}

impl Backend for LocalBackend {
    fn load(&self) -> Result<State, StateError> {
        LocalBackend::load(self)
    }

    fn write(&self, state: &State) -> Result<(), StateError> {
        LocalBackend::write(self, state)
    }

    fn lock(&self, info: LockInfo, timeout: Duration) -> Result<Box<dyn LockHandle>, StateError> {
        LocalBackend::lock(self, info, timeout).map(|guard| Box::new(guard) as Box<dyn LockHandle>)
    }

    fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        LocalBackend::force_unlock(self, id)
    }

    fn describe(&self) -> String {
        format!("local state file {}", self.path.display())
    }
}

#[cfg(test)]
mod tests;
