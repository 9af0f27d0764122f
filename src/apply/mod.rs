//! The executor: runs a plan's actions in dependency order with bounded parallelism,
//! journalling each result before its dependents start.

pub mod executor;
pub mod journal;
pub mod progress;

pub use executor::{run, Applied, ApplyInput, Counts};
