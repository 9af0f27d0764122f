//! Planning: refresh through `read_many`, evaluate the configuration with unknowns, and diff
//! every instance against state into a [`Plan`].

pub mod deps;
pub mod diff;
pub mod expand;
pub mod file;
pub mod model;
pub mod planner;
pub mod providers;
pub mod refresh;
pub mod results;
pub mod validate;
pub mod walker;
pub mod wire;

pub use model::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};
