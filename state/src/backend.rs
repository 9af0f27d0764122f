//! The `Backend` trait: where a state snapshot lives and how it is locked (local file; S3 and
//! Postgres later).

use std::time::Duration;

use crate::error::StateError;
use crate::lock::{LockHandle, LockInfo};
use crate::model::State;

/// A place that stores one state snapshot and a lock for it.
pub trait Backend: Send + Sync {
    /// Reads the current snapshot (a fresh state when none exists yet).
    fn load(&self) -> Result<State, StateError>;
    /// Replaces the snapshot atomically with `state`.
    fn write(&self, state: &State) -> Result<(), StateError>;
    /// Takes the lock, waiting up to `timeout` while someone else holds it.
    fn lock(&self, info: LockInfo, timeout: Duration) -> Result<Box<dyn LockHandle>, StateError>;
    /// Removes the lock if its id is `id`, returning who held it.
    fn force_unlock(&self, id: &str) -> Result<LockInfo, StateError>;
    /// A short description for messages, e.g. `local state file terraform.tfstate`.
    fn describe(&self) -> String;
}
