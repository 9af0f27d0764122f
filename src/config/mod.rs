//! Loading configuration: every `.tf` and `.tf.json` file of a directory, child modules from
//! local `source` paths, with source spans kept for diagnostics.

pub mod model;

pub use model::*;
