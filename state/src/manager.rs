//! [`StateBackend`]: the one object the command line holds, whatever the backend. It joins a
//! workspace's [`SnapshotStore`], [`Locker`] and [`JournalSink`] with the encoding, encryption
//! and history rules, and offers them as blocking calls driven on the process's async runtime
//! (given by the caller; see [`StateBackend::open_on`]), which also renews the lock's lease in
//! the background while a command works.
//!
//! Rules it enforces for every backend:
//! - a write continues the history it read: same lineage, a larger serial, and (through the
//!   store's compare-and-swap) the version it read is still the current one;
//! - a write, journal append or journal clear carries the held lock's fence; a run whose lease
//!   was taken over is refused with [`StateError::LockLost`];
//! - loading folds the journal of an interrupted run into the snapshot; holding the lock, the
//!   folded snapshot is written and the journal cleared.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::crypto::Codec;
use crate::error::StateError;
use crate::format;
use crate::journal::{self, Folded, JournalEntry};
use crate::local::LocalBackend;
use crate::lock::LockInfo;
use crate::model::State;
use crate::store::{Fence, JournalSink, Locker, SnapshotMeta, SnapshotStore, Version, Workspaces};

/// How long to wait between attempts while another run holds the lock.
const LOCK_POLL: Duration = Duration::from_millis(200);

/// A loaded state and how many journalled operations of an interrupted run were replayed into it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The state, with any journal folded in.
    pub state: State,
    /// Number of journal entries replayed (0 when there was no journal to replay).
    pub replayed: usize,
}

/// Whether a write must continue the stored history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteCheck {
    /// Same lineage and a larger serial than the stored snapshot.
    Continue,
    /// Any lineage and serial (`state push -force`); the compare-and-swap still applies.
    Force,
}

/// What the last read or write saw of the stored snapshot.
#[derive(Debug, Clone)]
struct Known {
    version: Option<Version>,
    lineage: String,
    serial: u64,
}

/// The lock this backend holds.
#[derive(Debug, Clone)]
struct Held {
    fence: Fence,
    lost: Arc<AtomicBool>,
}

/// The runtime the stores' futures run on: the caller's, or one of the backend's own for callers
/// that have none (tests, tools).
enum Driver {
    Own(tokio::runtime::Runtime),
    Shared(tokio::runtime::Handle),
}

impl Driver {
    fn handle(&self) -> &tokio::runtime::Handle {
        match self {
            Driver::Own(runtime) => runtime.handle(),
            Driver::Shared(handle) => handle,
        }
    }
}

struct Inner {
    runtime: Driver,
    workspaces: Box<dyn Workspaces>,
    workspace: String,
    location: String,
    snapshots: Arc<dyn SnapshotStore>,
    locker: Arc<dyn Locker>,
    journal: Arc<dyn JournalSink>,
    codec: Codec,
    known: Mutex<Option<Known>>,
    held: Mutex<Option<Held>>,
}

/// One workspace of one backend, opened: see the module documentation.
#[derive(Clone)]
pub struct StateBackend {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for StateBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateBackend")
            .field("location", &self.inner.location)
            .finish()
    }
}

impl StateBackend {
    /// Opens workspace `workspace` of `workspaces`, sealing and opening data with `codec`, with a
    /// small runtime of its own (for callers that have none).
    pub fn open(
        workspaces: Box<dyn Workspaces>,
        workspace: &str,
        codec: Codec,
    ) -> Result<StateBackend, StateError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("plinth-state")
            .enable_all()
            .build()
            .map_err(|error| StateError::io("start the state runtime for", ".", error))?;
        StateBackend::with_driver(workspaces, workspace, codec, Driver::Own(runtime))
    }

    /// Like [`StateBackend::open`], driving the stores on `runtime`, the process's one runtime.
    /// Its blocking calls must be made outside that runtime's tasks.
    pub fn open_on(
        runtime: tokio::runtime::Handle,
        workspaces: Box<dyn Workspaces>,
        workspace: &str,
        codec: Codec,
    ) -> Result<StateBackend, StateError> {
        StateBackend::with_driver(workspaces, workspace, codec, Driver::Shared(runtime))
    }

    fn with_driver(
        workspaces: Box<dyn Workspaces>,
        workspace: &str,
        codec: Codec,
        runtime: Driver,
    ) -> Result<StateBackend, StateError> {
        let stores = runtime.handle().block_on(workspaces.open(workspace))?;
        let location = workspaces.describe(workspace);
        Ok(StateBackend {
            inner: Arc::new(Inner {
                runtime,
                workspaces,
                workspace: workspace.to_string(),
                location,
                snapshots: Arc::from(stores.snapshots),
                locker: Arc::from(stores.locker),
                journal: Arc::from(stores.journal),
                codec,
                known: Mutex::new(None),
                held: Mutex::new(None),
            }),
        })
    }

    /// The default workspace of a local state file at `path`, unencrypted.
    pub fn local(path: PathBuf) -> Result<StateBackend, StateError> {
        StateBackend::open(Box::new(LocalBackend::new(path)), "default", Codec::plain())
    }

    /// Where the state lives, for messages.
    pub fn describe(&self) -> String {
        self.inner.location.clone()
    }

    /// The workspace this backend was opened for.
    pub fn workspace(&self) -> &str {
        &self.inner.workspace
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.inner.runtime.handle().block_on(future)
    }

    // ----- locking -----

    /// Takes the lock, waiting up to `timeout` while another run holds a live lease. While it is
    /// held, its lease is renewed in the background and every write carries its fence.
    pub fn lock(&self, info: LockInfo, timeout: Duration) -> Result<HeldLock, StateError> {
        let deadline = Instant::now() + timeout;
        let acquired = loop {
            match self.block_on(self.inner.locker.try_acquire(&info))? {
                Ok(acquired) => break acquired,
                Err(holder) if Instant::now() >= deadline => {
                    return Err(StateError::Locked {
                        holder: Box::new(holder),
                    })
                }
                Err(_) => {
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    std::thread::sleep(remaining.min(LOCK_POLL));
                }
            }
        };
        let lost = Arc::new(AtomicBool::new(false));
        *self.inner.held.lock().unwrap_or_else(|p| p.into_inner()) = Some(Held {
            fence: acquired.fence.clone(),
            lost: lost.clone(),
        });
        let renewal = self.inner.locker.renew_every().map(|every| {
            let (locker, info, fence, lost) = (
                self.inner.locker.clone(),
                acquired.info.clone(),
                acquired.fence.clone(),
                lost.clone(),
            );
            self.inner.runtime.handle().spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    match locker.renew(&info, &fence).await {
                        Ok(()) => {}
                        Err(StateError::LockLost { .. }) => {
                            lost.store(true, Ordering::SeqCst);
                            return;
                        }
                        // A passing store error: the next renewal tries again while the
                        // lease lasts; writes check the fence themselves.
                        Err(_) => {}
                    }
                }
            })
        });
        Ok(HeldLock {
            backend: self.clone(),
            info: acquired.info,
            took_over: acquired.took_over,
            fence: acquired.fence,
            renewal,
            released: false,
        })
    }

    /// Removes the lock if its id is `id`, returning who held it.
    pub fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError> {
        self.block_on(self.inner.locker.force_unlock(id))
    }

    /// The current lock holder, if any.
    pub fn lock_holder(&self) -> Result<Option<LockInfo>, StateError> {
        self.block_on(self.inner.locker.holder())
    }

    fn fence(&self) -> Result<Option<Fence>, StateError> {
        let held = self.inner.held.lock().unwrap_or_else(|p| p.into_inner());
        match held.as_ref() {
            Some(held) if held.lost.load(Ordering::SeqCst) => Err(StateError::LockLost {
                location: self.inner.location.clone(),
                lock_id: held.fence.lock_id.clone(),
            }),
            Some(held) => Ok(Some(held.fence.clone())),
            None => Ok(None),
        }
    }

    // ----- reading -----

    /// The state as stored plus any journal folded in memory only, writing nothing: for readers
    /// that do not hold the lock (`output`, `show`, `-lock=false`).
    pub fn peek(&self) -> Result<State, StateError> {
        self.fold_journal(false).map(|loaded| loaded.state)
    }

    /// Loads the state and folds in the journal of an interrupted apply, if any: the folded
    /// snapshot is written (serial incremented) and the journal cleared. `replayed` tells how
    /// many operations were recovered.
    pub fn load_replaying(&self) -> Result<Loaded, StateError> {
        self.fold_journal(true)
    }

    /// [`StateBackend::load_replaying`] without the count.
    pub fn load(&self) -> Result<State, StateError> {
        self.load_replaying().map(|loaded| loaded.state)
    }

    /// Reads and decodes the current snapshot, remembering its version for the next write.
    fn read_snapshot(&self) -> Result<Option<State>, StateError> {
        let stored = self.block_on(self.inner.snapshots.read())?;
        let Some(stored) = stored else {
            *self.inner.known.lock().unwrap_or_else(|p| p.into_inner()) = Some(Known {
                version: None,
                lineage: String::new(),
                serial: 0,
            });
            return Ok(None);
        };
        let state = self.decode(&stored.bytes, &self.inner.location)?;
        *self.inner.known.lock().unwrap_or_else(|p| p.into_inner()) = Some(Known {
            version: Some(stored.version),
            lineage: state.lineage.clone(),
            serial: state.serial,
        });
        Ok(Some(state))
    }

    fn decode(&self, stored: &[u8], what: &str) -> Result<State, StateError> {
        let plain = self.inner.codec.open(stored, what)?;
        crate::tfstate::decode_any(&plain).map_err(|error| match error {
            StateError::Corrupt { detail } => StateError::Corrupt {
                detail: format!("{what}: {detail}"),
            },
            other => other,
        })
    }

    fn fold_journal(&self, persist: bool) -> Result<Loaded, StateError> {
        let snapshot = self.read_snapshot()?;
        let location = format!("of {}", self.inner.location);
        let Some(contents) = self.block_on(self.inner.journal.read())? else {
            return Ok(Loaded {
                state: snapshot.unwrap_or_default(),
                replayed: 0,
            });
        };
        let Some(header) = contents.header else {
            if persist {
                self.block_on(self.inner.journal.clear(self.fence()?.as_ref()))?;
            }
            return Ok(Loaded {
                state: snapshot.unwrap_or_default(),
                replayed: 0,
            });
        };
        let base = match snapshot {
            Some(snapshot) => snapshot,
            // The first apply died before any snapshot was written: the journal applies to an
            // empty state of its own lineage.
            None if header.serial == 0 => State {
                lineage: header.lineage.clone(),
                ..State::new()
            },
            None => {
                return Err(StateError::JournalMismatch {
                    location,
                    journal_lineage: header.lineage.clone(),
                    journal_serial: header.serial,
                    state_lineage: String::new(),
                    state_serial: 0,
                })
            }
        };
        let lines = self.open_lines(&contents.entries, &location)?;
        let entries = journal::decode_entries(&location, &lines)?;
        let loaded = match journal::fold(&location, &header, entries, &base)? {
            Folded::Changed { state, applied } => {
                if persist {
                    self.write_as(&state, "replay journal", WriteCheck::Continue)?;
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
            self.block_on(self.inner.journal.clear(self.fence()?.as_ref()))?;
        }
        Ok(loaded)
    }

    /// Opens (decrypts) journal lines; a last line that does not open is a torn write.
    fn open_lines(&self, lines: &[Vec<u8>], location: &str) -> Result<Vec<Vec<u8>>, StateError> {
        let mut opened = Vec::with_capacity(lines.len());
        for (index, line) in lines.iter().enumerate() {
            match self.inner.codec.open(line, &format!("journal {location}")) {
                Ok(plain) => opened.push(plain),
                Err(_) if index + 1 == lines.len() && crate::crypto::is_sealed(line) => break,
                Err(error) => return Err(error),
            }
        }
        Ok(opened)
    }

    // ----- writing -----

    /// Writes `state` as the new snapshot (the caller increments the serial).
    pub fn write(&self, state: &State) -> Result<(), StateError> {
        self.write_as(state, "write", WriteCheck::Continue)
    }

    /// Writes `state`, recording `operation` in the history, checked as `check` says.
    pub fn write_as(
        &self,
        state: &State,
        operation: &str,
        check: WriteCheck,
    ) -> Result<(), StateError> {
        let fence = self.fence()?;
        let known = self
            .inner
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let known = match known {
            Some(known) => known,
            None => {
                self.read_snapshot()?;
                self.inner
                    .known
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone()
                    .ok_or_else(|| StateError::Corrupt {
                        detail: "the stored snapshot could not be read".to_string(),
                    })?
            }
        };
        if check == WriteCheck::Continue && known.version.is_some() {
            if state.lineage != known.lineage {
                return Err(StateError::Refused {
                    location: self.inner.location.clone(),
                    reason: format!(
                        "the stored state has lineage {} but this state has lineage {}: they \
                         belong to different infrastructures",
                        known.lineage, state.lineage
                    ),
                });
            }
            if state.serial <= known.serial {
                return Err(StateError::Refused {
                    location: self.inner.location.clone(),
                    reason: format!(
                        "the stored state has serial {} and this state serial {}: a new \
                         snapshot must have a larger serial",
                        known.serial, state.serial
                    ),
                });
            }
        }
        let plain = format::encode(state)?;
        let bytes = self.inner.codec.seal(&plain)?;
        let meta = SnapshotMeta {
            lineage: state.lineage.clone(),
            serial: state.serial,
            written: Utc::now(),
            who: LockInfo::current(operation).who,
            operation: operation.to_string(),
            resources: state.instances.len(),
        };
        let version = self.block_on(self.inner.snapshots.write(
            &bytes,
            &meta,
            known.version.as_ref(),
            fence.as_ref(),
        ))?;
        *self.inner.known.lock().unwrap_or_else(|p| p.into_inner()) = Some(Known {
            version: Some(version),
            lineage: state.lineage.clone(),
            serial: state.serial,
        });
        Ok(())
    }

    // ----- the journal -----

    /// Starts (or continues) the journal of changes to `base`.
    pub fn journal(&self, base: &State) -> Result<ApplyJournal, StateError> {
        let fence = self.fence()?;
        self.block_on(
            self.inner
                .journal
                .begin(&journal::header_for(base), fence.as_ref()),
        )?;
        Ok(ApplyJournal {
            backend: self.clone(),
        })
    }

    // ----- history -----

    /// Every snapshot version kept, oldest first.
    pub fn history(&self) -> Result<Vec<SnapshotMeta>, StateError> {
        self.block_on(self.inner.snapshots.history())
    }

    /// The snapshot version with `serial` from the history.
    pub fn version(&self, serial: u64) -> Result<State, StateError> {
        let bytes = self
            .block_on(self.inner.snapshots.read_version(serial))?
            .ok_or_else(|| StateError::Refused {
                location: self.inner.location.clone(),
                reason: format!(
                    "serial {serial} is not in the history (see `plinth state history`)"
                ),
            })?;
        self.decode(
            &bytes,
            &format!("serial {serial} of {}", self.inner.location),
        )
    }

    /// Restores history version `serial` as a new snapshot (the current serial + 1), leaving the
    /// history as it was. Returns the new snapshot.
    pub fn rollback(&self, serial: u64) -> Result<State, StateError> {
        let current = self.read_snapshot()?.ok_or_else(|| StateError::Refused {
            location: self.inner.location.clone(),
            reason: "there is no state to roll back".to_string(),
        })?;
        let mut restored = self.version(serial)?;
        if restored.lineage != current.lineage {
            return Err(StateError::Refused {
                location: self.inner.location.clone(),
                reason: format!(
                    "serial {serial} has lineage {} but the state has lineage {}",
                    restored.lineage, current.lineage
                ),
            });
        }
        restored.serial = current.serial + 1;
        self.write_as(
            &restored,
            &format!("rollback to {serial}"),
            WriteCheck::Continue,
        )?;
        Ok(restored)
    }

    /// Copies every history version of `from` (oldest first) and then its current snapshot
    /// into this backend, re-encrypting with this backend's key; this backend must be empty.
    /// Returns how many versions were copied.
    pub fn migrate_from(&self, from: &StateBackend) -> Result<usize, StateError> {
        if self.read_snapshot()?.is_some() {
            return Err(StateError::Refused {
                location: self.inner.location.clone(),
                reason: "the new backend already has state for this workspace".to_string(),
            });
        }
        let current = from.peek()?;
        let fence = self.fence()?;
        let mut metas = from.history()?;
        metas.retain(|meta| meta.lineage == current.lineage && meta.serial < current.serial);
        let mut copied = 0;
        let mut version = None;
        let mut copy = |state: &State, meta: &SnapshotMeta| -> Result<(), StateError> {
            let bytes = self.inner.codec.seal(&format::encode(state)?)?;
            version = Some(self.block_on(self.inner.snapshots.write(
                &bytes,
                meta,
                version.as_ref(),
                fence.as_ref(),
            ))?);
            copied += 1;
            Ok(())
        };
        for meta in &metas {
            copy(&from.version(meta.serial)?, meta)?;
        }
        let meta = SnapshotMeta {
            lineage: current.lineage.clone(),
            serial: current.serial,
            written: Utc::now(),
            who: LockInfo::current("migrate").who,
            operation: format!("migrate from {}", from.describe()),
            resources: current.instances.len(),
        };
        copy(&current, &meta)?;
        *self.inner.known.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(copied)
    }

    // ----- workspaces -----

    /// The workspaces of this backend (`default` first).
    pub fn workspaces(&self) -> Result<Vec<String>, StateError> {
        self.block_on(self.inner.workspaces.list())
    }

    /// Removes workspace `name` and everything stored for it.
    pub fn delete_workspace(&self, name: &str) -> Result<(), StateError> {
        self.block_on(self.inner.workspaces.delete(name))
    }
}

/// A held lock. Dropping it stops the lease renewal and releases the lock.
pub struct HeldLock {
    backend: StateBackend,
    info: LockInfo,
    took_over: Option<LockInfo>,
    fence: Fence,
    renewal: Option<tokio::task::JoinHandle<()>>,
    released: bool,
}

impl HeldLock {
    /// The lock this handle holds.
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// The lock of a dead holder or an expired lease that was taken over, if any.
    pub fn took_over(&self) -> Option<&LockInfo> {
        self.took_over.as_ref()
    }

    /// Releases the lock now, reporting any failure.
    pub fn release(mut self) -> Result<(), StateError> {
        self.release_now()
    }

    fn release_now(&mut self) -> Result<(), StateError> {
        if self.released {
            return Ok(());
        }
        self.released = true;
        if let Some(renewal) = self.renewal.take() {
            renewal.abort();
        }
        let inner = &self.backend.inner;
        let mut held = inner.held.lock().unwrap_or_else(|p| p.into_inner());
        if held.as_ref().is_some_and(|h| h.fence == self.fence) {
            *held = None;
        }
        drop(held);
        self.backend.block_on(inner.locker.release(&self.fence))
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        // Nothing to report to from a destructor; `release` reports failures.
        let _ = self.release_now();
    }
}

impl std::fmt::Debug for HeldLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldLock")
            .field("info", &self.info)
            .finish()
    }
}

/// The journal of a running apply: each append is durable in the backend when it returns.
#[derive(Clone)]
pub struct ApplyJournal {
    backend: StateBackend,
}

impl ApplyJournal {
    /// Appends `entries` as one batch (group commit).
    pub fn append(&self, entries: &[JournalEntry]) -> Result<(), StateError> {
        if entries.is_empty() {
            return Ok(());
        }
        let inner = &self.backend.inner;
        let mut lines = Vec::with_capacity(entries.len());
        for entry in entries {
            lines.push(inner.codec.seal(&journal::encode_entry(entry)?)?);
        }
        let fence = self.backend.fence()?;
        self.backend
            .block_on(inner.journal.append(&lines, fence.as_ref()))
    }

    /// Writes `state` as the new snapshot, recording `operation`, then clears the journal.
    pub fn finish(self, state: &State, operation: &str) -> Result<(), StateError> {
        self.backend
            .write_as(state, operation, WriteCheck::Continue)?;
        let fence = self.backend.fence()?;
        self.backend
            .block_on(self.backend.inner.journal.clear(fence.as_ref()))
    }
}

#[cfg(test)]
mod tests;
