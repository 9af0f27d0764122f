//! The apply journal (`<state>.journal`): each finished operation is appended and synced, so a
//! run that dies mid-apply loses nothing it created.
//!
//! File layout: JSON lines. The first line is a header naming the lineage and serial of the
//! snapshot the entries apply to; every further line is one [`JournalEntry`].
//!
//! Guarantees:
//! - `append` writes a batch with one `write` and one `fdatasync` (group commit); when it returns
//!   the batch survives a crash.
//! - A process killed mid-write leaves at most a torn last line, which replay ignores (its
//!   operation was never acknowledged). An unreadable line anywhere else is corruption.
//! - Entries are absolute (put this instance, remove that one, set the outputs), so replaying a
//!   journal onto a snapshot that already contains it changes nothing.
//! - A journal is never silently dropped: one that belongs to another lineage or to a snapshot it
//!   cannot be matched with is refused with [`StateError::JournalMismatch`] and left in place.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::fsio;
use crate::local::LocalBackend;
use crate::model::{DeposedKey, Instance, OutputValue, State};

/// The journal format version written in the header.
const JOURNAL_VERSION: u64 = 1;

/// One finished operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum JournalEntry {
    /// The instance at `address` now is `instance` (created, updated, tainted, read).
    Put {
        /// Instance address in `InstanceAddr` display form.
        address: String,
        /// The instance as it now is.
        instance: Instance,
    },
    /// The instance at `address` no longer exists.
    Remove {
        /// Instance address in `InstanceAddr` display form.
        address: String,
    },
    /// The deposed object `key` of `address` now is `instance` (written with a `Remove` of the
    /// current object in one batch when a replacement deposes it).
    PutDeposed {
        /// Instance address in `InstanceAddr` display form.
        address: String,
        /// The deposed key.
        key: DeposedKey,
        /// The object as it now is.
        instance: Instance,
    },
    /// The deposed object `key` of `address` no longer exists.
    RemoveDeposed {
        /// Instance address in `InstanceAddr` display form.
        address: String,
        /// The deposed key.
        key: DeposedKey,
    },
    /// The root module outputs are now exactly these.
    Outputs {
        /// All outputs by name.
        outputs: BTreeMap<String, OutputValue>,
    },
}

impl JournalEntry {
    /// Applies this entry to `state`.
    pub fn apply_to(self, state: &mut State) {
        match self {
            JournalEntry::Put { address, instance } => {
                state.instances.insert(address, instance);
            }
            JournalEntry::Remove { address } => {
                state.instances.remove(&address);
            }
            JournalEntry::PutDeposed {
                address,
                key,
                instance,
            } => {
                state
                    .deposed
                    .entry(address)
                    .or_default()
                    .insert(key, instance);
            }
            JournalEntry::RemoveDeposed { address, key } => {
                if let Some(objects) = state.deposed.get_mut(&address) {
                    objects.remove(&key);
                    if objects.is_empty() {
                        state.deposed.remove(&address);
                    }
                }
            }
            JournalEntry::Outputs { outputs } => state.outputs = outputs,
        }
    }
}

/// An open journal being appended to during an apply.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    state_path: PathBuf,
    file: File,
}

impl Journal {
    /// Opens the journal beside `state_path` for changes to `base` (the snapshot being applied
    /// to), creating it (mode 0600) with a header, or appending to an existing journal for the
    /// same lineage and serial (a torn last line is cut off first).
    pub fn open(state_path: &Path, base: &State) -> Result<Journal, StateError> {
        let path = journal_path(state_path);
        let header = Header {
            journal: JOURNAL_VERSION,
            lineage: base.lineage.clone(),
            serial: base.serial,
        };
        let valid_len = match read(&path)? {
            None => {
                let mut line = serde_json::to_vec(&header)
                    .map_err(|error| StateError::io("encode header for", &path, error.into()))?;
                line.push(b'\n');
                let mut file = fsio::create_private(&path)?;
                file.write_all(&line)
                    .and_then(|()| file.sync_data())
                    .map_err(|error| StateError::io("write", &path, error))?;
                fsio::sync_dir(&fsio::parent_dir(&path))?;
                None
            }
            Some(existing) => match &existing.header {
                Some(found) if found.lineage == header.lineage && found.serial == header.serial => {
                    Some(existing.valid_len)
                }
                Some(found) => return Err(mismatch(&path, found, base)),
                None => {
                    // Only a torn header: nothing was ever journalled. Start over.
                    fs::remove_file(&path)
                        .map_err(|error| StateError::io("remove", &path, error))?;
                    return Journal::open(state_path, base);
                }
            },
        };
        let file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|error| StateError::io("open", &path, error))?;
        if let Some(valid_len) = valid_len {
            file.set_len(valid_len)
                .map_err(|error| StateError::io("truncate torn tail of", &path, error))?;
        }
        Ok(Journal {
            path,
            state_path: state_path.to_path_buf(),
            file,
        })
    }

    /// Appends `entries` as JSON lines with one write and one `fdatasync`.
    pub fn append(&mut self, entries: &[JournalEntry]) -> Result<(), StateError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut batch = Vec::with_capacity(entries.len() * 512);
        for entry in entries {
            serde_json::to_writer(&mut batch, entry)
                .map_err(|error| StateError::io("encode entry for", &self.path, error.into()))?;
            batch.push(b'\n');
        }
        self.file
            .write_all(&batch)
            .and_then(|()| self.file.sync_data())
            .map_err(|error| StateError::io("append to", &self.path, error))
    }

    /// Writes `state` as the new snapshot, then deletes the journal.
    pub fn finish(self, state: &State) -> Result<(), StateError> {
        LocalBackend::new(self.state_path.clone()).write(state)?;
        drop(self.file);
        fsio::remove_durably(&self.path)
    }
}

/// The journal file for a state file: `<state>.journal`.
pub fn journal_path(state_path: &Path) -> PathBuf {
    fsio::with_suffix(state_path, ".journal")
}

/// The first line of a journal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Header {
    journal: u64,
    pub(crate) lineage: String,
    pub(crate) serial: u64,
}

/// What a journal file holds.
pub(crate) struct Contents {
    /// `None` when even the header line is torn (nothing was journalled).
    pub(crate) header: Option<Header>,
    entries: Vec<JournalEntry>,
    /// Length of the prefix made of complete, readable lines.
    valid_len: u64,
}

/// The outcome of folding a journal into a snapshot.
pub(crate) enum Folded {
    /// The entries changed the snapshot: this is the new state (serial incremented).
    Changed {
        /// The snapshot with the entries applied.
        state: State,
        /// How many entries were applied.
        applied: usize,
    },
    /// The snapshot already reflects every entry (or there were none).
    Unchanged,
}

/// Reads the journal at `path`; `None` when there is none.
pub(crate) fn read(path: &Path) -> Result<Option<Contents>, StateError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StateError::io("read", path, error)),
    };
    let mut contents = Contents {
        header: None,
        entries: Vec::new(),
        valid_len: 0,
    };
    let complete_lines: Vec<&[u8]> = match bytes.iter().rposition(|&byte| byte == b'\n') {
        Some(end) => bytes[..end].split(|&byte| byte == b'\n').collect(),
        None => Vec::new(),
    };
    let count = complete_lines.len();
    for (index, line) in complete_lines.into_iter().enumerate() {
        let is_last = index + 1 == count;
        let parsed = if index == 0 {
            serde_json::from_slice::<Header>(line).map(|header| {
                contents.header = Some(header);
            })
        } else {
            serde_json::from_slice::<JournalEntry>(line).map(|entry| contents.entries.push(entry))
        };
        match parsed {
            Ok(()) => contents.valid_len += line.len() as u64 + 1,
            // A synced line never reads back wrong; an unreadable last line is a torn write.
            Err(_) if is_last => break,
            Err(error) => {
                return Err(StateError::Corrupt {
                    detail: format!("journal {} line {}: {error}", path.display(), index + 1),
                })
            }
        }
    }
    if let Some(header) = &contents.header {
        if header.journal > JOURNAL_VERSION {
            return Err(StateError::NewerVersion {
                found: header.journal,
                supported: JOURNAL_VERSION,
            });
        }
    }
    Ok(Some(contents))
}

/// Folds the journal `contents` (read from `path`) into `snapshot`.
pub(crate) fn fold(
    path: &Path,
    contents: Contents,
    snapshot: &State,
) -> Result<Folded, StateError> {
    let Some(header) = contents.header else {
        return Ok(Folded::Unchanged);
    };
    if header.lineage != snapshot.lineage || header.serial > snapshot.serial {
        return Err(mismatch(path, &header, snapshot));
    }
    let applied = contents.entries.len();
    let mut state = snapshot.clone();
    for entry in contents.entries {
        entry.apply_to(&mut state);
    }
    let changed = state.instances != snapshot.instances || state.outputs != snapshot.outputs;
    if header.serial < snapshot.serial {
        // A newer snapshot was written after this journal began. That is expected only when a
        // run wrote its final snapshot and died before deleting the journal: then nothing changes.
        return match changed {
            false => Ok(Folded::Unchanged),
            true => Err(mismatch(path, &header, snapshot)),
        };
    }
    if !changed {
        return Ok(Folded::Unchanged);
    }
    state.serial += 1;
    Ok(Folded::Changed { state, applied })
}

fn mismatch(path: &Path, header: &Header, snapshot: &State) -> StateError {
    StateError::JournalMismatch {
        path: path.to_path_buf(),
        journal_lineage: header.lineage.clone(),
        journal_serial: header.serial,
        state_lineage: snapshot.lineage.clone(),
        state_serial: snapshot.serial,
    }
}

#[cfg(test)]
mod tests;
