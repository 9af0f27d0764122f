//! `plinth plan`: refresh, diff and print (or save) the plan.

use plinth_state::State;
use tokio::runtime::Runtime;

use crate::cli::args::PlanArgs;
use crate::cli::ephemeral_vars;
use crate::cli::setup::{self, Loaded};
use crate::cli::{print_warnings, render, Failure, Outcome};
use crate::engine::providers::Providers;
use crate::plan::file;
use crate::plan::planner::{self, PlanInput, PlanOptions};
use crate::plan::{Plan, PlanMode};

/// Makes a plan from the current directory's configuration and `state`.
pub fn make_plan(
    runtime: &Runtime,
    loaded: &Loaded,
    state: &State,
    providers: &Providers,
    args: &PlanArgs,
    mode: PlanMode,
    color: bool,
) -> Result<Plan, Failure> {
    let sources = loaded.config.sources.clone();
    let (variables, variable_warnings) =
        setup::variables(&loaded.config, &args.vars).map_err(|d| Failure {
            diagnostics: d,
            sources: sources.clone(),
        })?;
    print_warnings(&loaded.config.warnings, &sources, color);
    print_warnings(&variable_warnings, &sources, color);
    let options = PlanOptions {
        mode,
        refresh: args.refresh,
        targets: args.targets.clone(),
        excludes: args.excludes.clone(),
        replace: args.replace.clone(),
        workspace: setup::workspace(),
        import: None,
    };
    let input = PlanInput {
        config: &loaded.config,
        graph: &loaded.graph,
        order: &loaded.order,
        state,
        providers,
        variables: &variables,
        options: &options,
    };
    let (plan, warnings) = runtime
        .block_on(planner::make(&input))
        .map_err(|d| Failure {
            diagnostics: d,
            sources: sources.clone(),
        })?;
    print_warnings(&warnings, &sources, color);
    Ok(plan)
}

/// The plan mode the flags ask for.
pub fn mode_of(args: &PlanArgs, destroy: bool) -> PlanMode {
    if destroy || args.destroy {
        PlanMode::Destroy
    } else if args.refresh_only {
        PlanMode::RefreshOnly
    } else {
        PlanMode::Normal
    }
}

/// Prints a plan for people, with the schemas of the types it shows.
pub fn print_plan(plan: &Plan, providers: &Providers, color: bool) {
    crate::out!(
        "{}",
        render::render_plan(plan, &|t: &str| providers.schema_by_type(t), color)
    );
}

/// `plinth plan`.
pub fn plan(runtime: &Runtime, args: &PlanArgs, color: bool) -> Outcome {
    let mut loaded = setup::load_configuration()?;
    if let Some(out) = &args.generate_config_out {
        if crate::cli::generate::for_import_blocks(runtime, &loaded, &args.vars, out)? {
            loaded = setup::load_configuration()?;
        }
    }
    setup::require_configuration(&loaded, "plan", args.destroy)?;
    let opened = setup::open_state(&loaded, &args.lock, &args.vars, "plan")?;
    let state = opened.state;
    let providers = setup::providers_for(&loaded.config).map_err(|d| crate::cli::Failure {
        diagnostics: d,
        sources: loaded.config.sources.clone(),
    })?;
    let plan = make_plan(
        runtime,
        &loaded,
        &state,
        &providers,
        args,
        mode_of(args, false),
        color,
    )?;
    if args.json {
        crate::outln!("{}", render::plan_to_json(&plan));
    } else {
        print_plan(&plan, &providers, color);
    }
    if let Some(out) = &args.out {
        // The digest of the configuration is only needed by a saved plan (hashing the sources
        // took 4% of a large plan's time).
        let mut stored = ephemeral_vars::stored(&plan, &loaded.config);
        stored.config_digest = file::config_digest(&loaded.config.sources);
        file::save(
            out,
            &stored,
            &crate::cli::backend::codec(&loaded.config, "plan")?,
        )?;
        if !args.json {
            crate::outln!("\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    plinth apply \"{}\"", out.display(), out.display());
        }
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    })
}
