//! `plinth recovery-plan`: what a full reprovisioning from nothing would do (as after losing a
//! whole estate, or to build a copy in another region): the order, the parallel waves, the
//! critical path and the estimated time, from each resource type's typical create duration.
//! Touches no state and no infrastructure (data sources are still read).

use std::time::Duration;

use plinth_state::State;
use tokio::runtime::Runtime;

use crate::cli::args::{PlanArgs, RecoveryArgs};
use crate::cli::plan_cmd::make_plan;
use crate::cli::{render, setup, Failure, Outcome};
use crate::plan::schedule::{schedule, UNKNOWN_STEP_DURATION};
use crate::plan::{PlanMode, Step};

/// `plinth recovery-plan`.
pub fn recovery_plan(runtime: &Runtime, args: &RecoveryArgs, color: bool) -> Outcome {
    let loaded = setup::load_configuration()?;
    // The configuration's providers, external ones included (the built-in ones alone could not
    // refresh a plugin provider's objects: "Provider configuration not present").
    let providers = setup::providers_for(&loaded.config).map_err(|d| Failure {
        diagnostics: d,
        sources: loaded.config.sources.clone(),
    })?;
    let plan_args = PlanArgs {
        vars: args.vars.clone(),
        targets: args.targets.clone(),
        excludes: args.excludes.clone(),
        refresh: false,
        ..PlanArgs::default()
    };
    let plan = make_plan(
        runtime,
        &loaded,
        &State::default(),
        &providers,
        &plan_args,
        PlanMode::Normal,
        color,
    )?;
    providers.close();
    let duration_of = |type_name: &str, step: Step| match step {
        Step::Read => Duration::from_secs(1),
        _ => providers
            .schema_by_type(type_name)
            .and_then(|s| s.typical_create)
            .unwrap_or(UNKNOWN_STEP_DURATION),
    };
    let schedule = schedule(&plan, &duration_of, args.parallelism);
    if args.json {
        crate::outln!(
            "{}",
            serde_json::to_string_pretty(&schedule).unwrap_or_default()
        );
    } else {
        crate::out!("{}", render::render_schedule(&schedule));
    }
    Ok(0)
}
