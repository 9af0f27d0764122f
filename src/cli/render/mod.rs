//! Rendering plans and state for people and machines: the human plan ([`render_plan`]), the
//! JSON plan ([`plan_to_json`]) and `state show` / `output` text ([`render_instance`],
//! [`render_outputs`]). Sensitive values are never printed, in any of them.
//!
//! Diffing (`diff`, `body`) builds a tree of marked entries; `write` turns it into lines.

mod address;
mod body;
mod diff;
mod json;
mod plan;
mod reason;
mod show;
mod write;

#[cfg(test)]
mod tests;

pub use json::plan_to_json;
pub use plan::render_plan;
pub use show::{render_instance, render_outputs};
