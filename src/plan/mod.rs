//! Planning: refresh through `read_many`, evaluate the configuration with unknowns, and diff
//! every instance against state into a [`Plan`].

pub mod diff;
pub mod file;
pub mod model;
pub mod planner;
pub mod refresh;
pub mod validate;
pub mod wire;

pub use model::{Action, Drift, OutputChange, Plan, PlanMode, ResourceChange};
