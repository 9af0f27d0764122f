//! Rendering plans and state for people and machines: the human plan ([`render_plan`]), the
//! JSON plan ([`plan_to_json`]) and `state show` / `output` text ([`render_instance`],
//! [`render_outputs`]). Sensitive values are never printed, in any of them.
//!
//! Diffing (`diff`, `body`) builds a tree of marked entries; `write` turns it into lines.

mod address;
mod body;
mod diff;
mod drift;
mod json;
mod junit;
mod plan;
mod reason;
mod refactor;
mod schedule;
mod show;
mod write;

#[cfg(test)]
mod tests;

pub use drift::{drift_to_json, render_drift};
pub use json::plan_to_json;
pub use junit::drift_to_junit;
pub use plan::render_plan;
pub use schedule::render_schedule;
pub use show::{render_instance, render_outputs};
