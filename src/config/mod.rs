//! Loading configuration: every `.tf` and `.tf.json` file of a directory, child modules from
//! local `source` paths, with source spans kept for diagnostics.

pub mod model;

pub use model::*;

// TEMPORARY stubs, replaced by the config branch.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
/// Loads.
pub fn load(_dir: &Path) -> Result<Config, plinth_sdk::Diagnostics> {
    Ok(Config::default())
}
/// Var options.
#[derive(Debug, Default, Clone)]
pub struct VarOptions {
    /// files
    pub var_files: Vec<PathBuf>,
    /// vars
    pub vars: Vec<String>,
    /// interactive
    pub interactive: bool,
}
/// Root variables.
pub fn root_variables(_root: &Module, _dir: &Path, _opts: &VarOptions) -> Result<BTreeMap<String, plinth_sdk::Value>, plinth_sdk::Diagnostics> {
    Ok(BTreeMap::new())
}
/// Formats.
pub fn format_source(text: &str) -> Result<String, plinth_sdk::Diagnostics> {
    Ok(text.to_string())
}
