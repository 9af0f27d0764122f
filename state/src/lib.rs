//! plinth-state: the state model, its file format, the apply journal, locking, encryption and
//! the backends that store them (local files, S3, PostgreSQL).
//!
//! Neighbours: the engine (`plinth`) opens a [`StateBackend`] for the configured backend and
//! workspace, loads a [`State`] through it, shares it behind an `Arc` while planning, appends
//! each finished apply operation to an [`ApplyJournal`] and writes the final snapshot once.
//! Nothing outside this crate reads or writes stored state.

pub mod addr;
pub mod crypto;
pub mod error;
pub mod format;
mod fsio;
pub mod journal;
pub mod local;
pub mod lock;
pub mod manager;
pub mod model;
pub mod pg;
pub mod remote;
pub mod s3;
pub mod settings;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod tfstate;

pub use addr::{DeposedKey, InstanceAddr, InstanceKey, Mode, ModuleStep, ObjectAddr};
pub use crypto::Codec;
pub use error::StateError;
pub use format::{decode, encode, FORMAT_VERSION, MAX_SERIAL};
pub use fsio::write_private;
pub use journal::JournalEntry;
pub use local::LocalBackend;
pub use lock::{LockGuard, LockInfo};
pub use manager::{ApplyJournal, HeldLock, Loaded, StateBackend, WriteCheck};
pub use model::{Instance, OutputValue, PendingCreate, State, Status};
pub use store::{SnapshotMeta, Workspaces};
