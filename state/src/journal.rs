//! The apply journal: each finished operation is appended durably to the backend's journal
//! sink, so a run that dies mid-apply loses nothing it created.
//!
//! Layout, whatever the sink: a header naming the lineage and serial of the snapshot the entries
//! apply to, then one line per [`JournalEntry`] (JSON, or its encrypted envelope). The sinks
//! store the lines as opaque bytes; this module encodes, decodes and folds them.
//!
//! Guarantees:
//! - A sink's `append` writes a batch durably (group commit); when it returns the batch survives
//!   a crash of this process or machine.
//! - A process killed mid-write leaves at most a torn last line, which replay ignores (its
//!   operation was never acknowledged). An unreadable line anywhere else is corruption.
//! - Entries are absolute (put this instance, remove that one, set the outputs), so replaying a
//!   journal onto a snapshot that already contains it changes nothing.
//! - A journal is never silently dropped: one that belongs to another lineage or to a snapshot it
//!   cannot be matched with is refused with [`StateError::JournalMismatch`] and left in place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::StateError;
use crate::model::{DeposedKey, Instance, OutputValue, PendingCreate, State};
use crate::store::JournalHeader;

/// The journal format version written in the header.
pub const JOURNAL_VERSION: u64 = 1;

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
    /// A create of `address` is about to be asked of the provider (its outcome follows as a
    /// `Put`, or as `CreateFailed` when nothing was made).
    Intent {
        /// Instance address in `InstanceAddr` display form.
        address: String,
        /// What identifies the object the create makes.
        create: PendingCreate,
    },
    /// The create of `address` failed and made nothing.
    CreateFailed {
        /// Instance address in `InstanceAddr` display form.
        address: String,
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
                state.pending.remove(&address);
                state.instances.insert(address, instance);
            }
            JournalEntry::Intent { address, create } => {
                state.pending.insert(address, create);
            }
            JournalEntry::CreateFailed { address } => {
                state.pending.remove(&address);
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

/// The header of a journal of changes to `base`.
pub fn header_for(base: &State) -> JournalHeader {
    JournalHeader {
        journal: JOURNAL_VERSION,
        lineage: base.lineage.clone(),
        serial: base.serial,
    }
}

/// Encodes one entry as a single line of JSON (no newline).
pub fn encode_entry(entry: &JournalEntry) -> Result<Vec<u8>, StateError> {
    serde_json::to_vec(entry).map_err(|error| StateError::Corrupt {
        detail: format!("could not encode a journal entry: {error}"),
    })
}

/// Decodes journal lines. An unreadable last line is a torn write and is ignored; an unreadable
/// line before it is corruption, reported with its line number (the header is line 1) in
/// `location`.
pub fn decode_entries(location: &str, lines: &[Vec<u8>]) -> Result<Vec<JournalEntry>, StateError> {
    let mut entries = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        match serde_json::from_slice::<JournalEntry>(line) {
            Ok(entry) => entries.push(entry),
            Err(_) if index + 1 == lines.len() => break,
            Err(error) => {
                return Err(StateError::Corrupt {
                    detail: format!("journal {location} line {}: {error}", index + 2),
                })
            }
        }
    }
    Ok(entries)
}

/// Refuses a journal header of a newer format.
pub(crate) fn check_header(header: &JournalHeader) -> Result<(), StateError> {
    if header.journal > JOURNAL_VERSION {
        return Err(StateError::NewerVersion {
            found: header.journal,
            supported: JOURNAL_VERSION,
        });
    }
    Ok(())
}

/// The outcome of folding a journal into a snapshot.
#[derive(Debug)]
pub enum Folded {
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

/// Folds journal `entries` written against `header` into `snapshot`; `location` names the
/// journal in errors.
pub fn fold(
    location: &str,
    header: &JournalHeader,
    entries: Vec<JournalEntry>,
    snapshot: &State,
) -> Result<Folded, StateError> {
    if header.lineage != snapshot.lineage || header.serial > snapshot.serial {
        return Err(mismatch(location, header, snapshot));
    }
    let applied = entries.len();
    let mut state = snapshot.clone();
    for entry in entries {
        entry.apply_to(&mut state);
    }
    // Intents and deposed objects count: a run killed after journalling only intents left
    // creates in flight that the next plan must look for.
    let changed = state.instances != snapshot.instances
        || state.outputs != snapshot.outputs
        || state.pending != snapshot.pending
        || state.deposed != snapshot.deposed;
    if header.serial < snapshot.serial {
        // A newer snapshot was written after this journal began. That is expected only when a
        // run wrote its final snapshot and died before deleting the journal: then nothing changes.
        return match changed {
            false => Ok(Folded::Unchanged),
            true => Err(mismatch(location, header, snapshot)),
        };
    }
    if !changed {
        return Ok(Folded::Unchanged);
    }
    state.serial += 1;
    Ok(Folded::Changed { state, applied })
}

/// The error for a journal that does not belong to `snapshot`.
pub(crate) fn mismatch(location: &str, header: &JournalHeader, snapshot: &State) -> StateError {
    StateError::JournalMismatch {
        location: location.to_string(),
        journal_lineage: header.lineage.clone(),
        journal_serial: header.serial,
        state_lineage: snapshot.lineage.clone(),
        state_serial: snapshot.serial,
    }
}

#[cfg(test)]
mod tests;
