//! Planning: refresh through `read_many`, evaluate the configuration with unknowns, diff every
//! instance against state, and order the resulting steps into the action graph of a [`Plan`].

pub mod actions;
pub mod consistency;
pub mod diff;
pub mod drift;
pub mod file;
pub mod generate;
pub mod imports;
pub mod model;
pub mod moves;
pub mod orphans;
pub mod outputs;
pub mod planner;
pub mod refresh;
pub mod removed;
pub mod schedule;
pub mod targets;
pub mod unmanaged;
pub mod validate;
pub mod wire;
pub mod write_only;

pub use model::{
    Action, Adopted, Drift, Imported, OutputChange, Plan, PlanMode, PlannedAction, Reason,
    ResourceChange, Step,
};
