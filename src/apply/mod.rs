//! The executor: runs a plan's action graph in its order with bounded parallelism, journalling
//! each result before the actions after it start.

pub mod evaluation;
pub mod executor;
pub mod interrupt;
pub mod journal;
pub mod operations;
pub mod progress;
pub mod provision;
pub mod refactor;

pub use executor::{run, Applied, ApplyInput};
pub use interrupt::Interrupt;
pub use operations::Counts;
