//! plinth: a declarative infrastructure-as-code engine.
//!
//! The modules read as the pipeline: [`config`] (parse) → [`eval`] (evaluate) → [`graph`]
//! (dependencies) → [`plan`] (refresh and diff) → [`apply`] (execute), with [`cli`] on top.
//! The engine knows no cloud: providers plug in through `plinth_sdk::Provider`.

pub mod apply;
pub mod builtin;
pub mod cli;
pub mod config;
pub mod eval;
pub mod graph;
pub mod plan;
