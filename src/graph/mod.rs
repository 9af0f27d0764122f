//! The dependency graph of configuration objects, built with petgraph: building from references
//! and depends_on, cycle checks, and DOT output.

pub mod build;
pub mod check;
pub mod dot;
pub mod node;
pub mod walk;

pub use build::{build, default_provider, provider_key, Graph};
pub use node::{ModulePath, Node, NodeKind};
