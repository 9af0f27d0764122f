//! plinth: a declarative infrastructure-as-code engine.
//!
//! The modules read as the pipeline: [`config`] (parse) → [`eval`] (evaluate) → [`graph`]
//! (dependencies) → [`engine`] (the evaluation walk plan and apply share) → [`plan`] (refresh,
//! diff and the action graph) → [`apply`] (execute the action graph), with [`cli`] on top.
//! The engine knows no cloud: providers plug in through `plinth_sdk::Provider`.

pub mod apply;
pub mod builtin;
pub mod cli;
pub mod config;
pub mod engine;
pub mod eval;
pub mod graph;
pub mod plan;
