//! Loading configuration: every `.tf` and `.tf.json` file of a directory, child modules from
//! local `source` paths, with source spans kept for diagnostics; root variable values from
//! defaults, the environment, tfvars files and the command line; and `plinth fmt`.

mod blocks;
mod check_block;
pub(crate) mod checks;
mod conditions;
pub mod constant;
pub mod ephemeral;
pub mod format;
mod heredoc;
mod imports;
mod json;
mod json_strings;
pub mod literals;
mod load;
pub mod model;
mod moved;
mod parse;
mod provisioner;
mod removed;
mod resource;
pub mod spans;
pub mod templates;
pub mod types;
pub mod variables;

#[cfg(test)]
mod tests_errors;
#[cfg(test)]
pub(crate) mod tests_load;

pub use format::{format_named, format_source};
pub use load::{load, load_with_sources};
pub use model::*;
pub use types::parse_type;
pub use variables::{root_variables, CliVariable, VarOptions};
