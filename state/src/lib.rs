//! plinth-state: the state model, its file format, the apply journal, locking and backends.
//!
//! Neighbours: the engine (`plinth`) loads a [`State`] through a [`Backend`], shares it behind an
//! `Arc` while planning, appends each finished apply operation to a [`Journal`] and writes the
//! final snapshot once. Nothing outside this crate reads or writes state files.

pub mod addr;
pub mod backend;
pub mod error;
pub mod format;
mod fsio;
pub mod journal;
pub mod local;
pub mod lock;
pub mod model;
#[cfg(test)]
mod test_support;

pub use addr::{DeposedKey, InstanceAddr, InstanceKey, Mode, ModuleStep, ObjectAddr};
pub use backend::Backend;
pub use error::StateError;
pub use format::{decode, encode, FORMAT_VERSION};
pub use journal::{Journal, JournalEntry};
pub use local::{Loaded, LocalBackend};
pub use lock::{LockGuard, LockHandle, LockInfo};
pub use model::{Instance, OutputValue, State, Status};
