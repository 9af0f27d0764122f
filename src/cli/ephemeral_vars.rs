//! Ephemeral root variables and saved plans: a plan file never holds their values, so applying
//! a saved plan takes them again from `-var`, `-var-file`, the environment or their defaults.

use crate::cli::args::VarArgs;
use crate::cli::{setup, Failure};
use crate::config::Config;
use crate::plan::Plan;

/// The plan as a plan file stores it: without the values of ephemeral variables.
pub fn stored(plan: &Plan, config: &Config) -> Plan {
    let mut stored = plan.clone();
    for variable in config.root.variables.iter().filter(|v| v.ephemeral) {
        stored.variables.remove(&variable.name);
    }
    stored
}

/// A saved plan with the ephemeral variables' values given to this run.
pub fn restore(mut plan: Plan, config: &Config, vars: &VarArgs) -> Result<Plan, Failure> {
    if !config.root.variables.iter().any(|v| v.ephemeral) {
        return Ok(plan);
    }
    let mut ephemeral_only = config.clone();
    ephemeral_only.root.variables.retain(|v| v.ephemeral);
    let (values, _) = setup::variables(&ephemeral_only, vars).map_err(|d| Failure {
        diagnostics: d,
        sources: config.sources.clone(),
    })?;
    plan.variables.extend(values);
    Ok(plan)
}
