//! `plinth apply` and `plinth destroy`: plan (or read a saved plan), ask, execute, and write
//! the new state once, with every finished operation journalled on the way.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::Arc;

use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::{State, StateBackend};
use tokio::runtime::Runtime;

use crate::apply::interrupt::{self, Interrupt};
use crate::apply::journal::JournalWriter;
use crate::apply::progress::Printer;
use crate::apply::{self, ApplyInput, Counts};
use crate::cli::args::ApplyArgs;
use crate::cli::ephemeral_vars;
use crate::cli::plan_cmd::{make_plan, mode_of, print_plan};
use crate::cli::setup::{self, Loaded};
use crate::cli::{print_warnings, render, Failure, Outcome};
use crate::engine::providers::Providers;
use crate::plan::file;
use crate::plan::{Plan, PlanMode};

/// `plinth apply [PLANFILE]` (and `plinth destroy` when `destroy`).
pub fn apply(runtime: &Runtime, args: &ApplyArgs, destroy: bool, color: bool) -> Outcome {
    if args.plan.generate_config_out.is_some() {
        return Err(plinth_sdk::Diagnostic::error("-generate-config-out is a flag of plan")
            .with_detail("Generate the configuration with `plinth plan -generate-config-out=FILE`, review the file, then apply.")
            .into());
    }
    let loaded = setup::load_configuration()?;
    if args.planfile.is_none() {
        setup::require_configuration(&loaded, "apply", destroy || args.plan.destroy)?;
    }
    let sources = loaded.config.sources.clone();
    // Read (and decrypt) a saved plan before the state is locked or touched: a plan file that
    // cannot be read leaves everything as it was.
    let saved = match &args.planfile {
        Some(path) => Some(file::load(
            path,
            &crate::cli::backend::codec(&loaded.config, "plan")?,
        )?),
        None => None,
    };
    let operation = if destroy { "destroy" } else { "apply" };
    let setup::Opened {
        backend,
        lock: _lock,
        mut state,
    } = setup::open_state(&loaded, &args.plan.lock, &args.plan.vars, operation)?;
    let providers = setup::providers_for(&loaded.config).map_err(|d| crate::cli::Failure {
        diagnostics: d,
        sources: loaded.config.sources.clone(),
    })?;
    let plan = match saved {
        Some(plan) => {
            check_saved_plan(&plan, &loaded, &mut state)?;
            ephemeral_vars::restore(plan, &loaded.config, &args.plan.vars)?
        }
        None => {
            let plan = make_plan(
                runtime,
                &loaded,
                &state,
                &providers,
                &args.plan,
                mode_of(&args.plan, destroy),
                color,
            )?;
            print_plan(&plan, &providers, color);
            if plan.has_changes() && !args.auto_approve && !confirm(destroy) {
                crate::outln!("\n{} cancelled.", if destroy { "Destroy" } else { "Apply" });
                return Ok(1);
            }
            plan
        }
    };
    let (counts, diags) = execute(
        runtime,
        &loaded,
        &providers,
        &plan,
        state,
        &backend,
        args.plan.parallelism,
    )?;
    print_warnings(&diags, &sources, color);
    if diags.has_errors() {
        return Err(Failure {
            diagnostics: diags,
            sources,
        });
    }
    if plan.mode == PlanMode::Destroy {
        crate::outln!(
            "\nDestroy complete! Resources: {} destroyed.",
            counts.destroyed
        );
    } else {
        let imported = match plan.imported.len() {
            0 => String::new(),
            n => format!("{n} imported, "),
        };
        crate::outln!(
            "\nApply complete! Resources: {imported}{} added, {} changed, {} destroyed.",
            counts.added,
            counts.changed,
            counts.destroyed
        );
        print_outputs(&backend);
    }
    Ok(0)
}

/// Refuses a saved plan made against another state or configuration.
fn check_saved_plan(plan: &Plan, loaded: &Loaded, state: &mut State) -> Result<(), Failure> {
    let fresh = state.serial == 0 && state.instances.is_empty() && state.outputs.is_empty();
    if fresh && plan.serial == 0 {
        state.lineage = plan.lineage.clone();
    }
    if plan.lineage != state.lineage || plan.serial != state.serial {
        return Err(Diagnostic::error("Saved plan is stale")
            .with_detail(format!(
                "The given plan file can no longer be applied because the state was changed by another operation after the plan was created (plan: lineage {} serial {}; state: lineage {} serial {}). Create a new plan.",
                plan.lineage, plan.serial, state.lineage, state.serial
            ))
            .into());
    }
    if plan.config_digest != file::config_digest(&loaded.config.sources) {
        return Err(Diagnostic::error("Saved plan does not match the configuration")
            .with_detail("The configuration files changed after the plan was created. Create a new plan.")
            .into());
    }
    Ok(())
}

fn confirm(destroy: bool) -> bool {
    if destroy {
        crate::out!("\nDo you really want to destroy all resources?\n  plinth will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: ");
    } else {
        crate::out!("\nDo you want to perform these actions?\n  plinth will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    }
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    answer.trim() == "yes"
}

/// Executes a plan: journal open, apply, snapshot written once, journal removed. Returns what
/// was done and the diagnostics of the run (errors included: state holds everything finished).
pub fn execute(
    runtime: &Runtime,
    loaded: &Loaded,
    providers: &Providers,
    plan: &Plan,
    state: State,
    backend: &StateBackend,
    parallelism: usize,
) -> Result<(Counts, Diagnostics), Failure> {
    if !plan.has_changes() && plan.drift.is_empty() {
        return Ok((Counts::default(), Diagnostics::new()));
    }
    let journal = backend.journal(&state).map_err(setup::state_error)?;
    let for_writer = journal.clone();
    let writer = JournalWriter::start(Box::new(move |entries| {
        for_writer.append(entries).map_err(|e| e.to_string())
    }));
    let workspace = setup::workspace();
    let interrupt = Arc::new(Interrupt::default());
    let input = ApplyInput {
        config: &loaded.config,
        graph: &loaded.graph,
        order: &loaded.order,
        providers,
        plan,
        workspace: &workspace,
        parallelism,
        printer: Printer::default(),
        interrupt: &interrupt,
    };
    let applied = runtime.block_on(async {
        let listener = interrupt::listen(interrupt.clone());
        let applied = apply::run(&input, state, &writer).await;
        listener.abort();
        applied
    });
    drop(writer);
    let mut new_state = applied.state;
    new_state.serial += 1;
    let operation = if plan.mode == PlanMode::Destroy {
        "destroy"
    } else {
        "apply"
    };
    journal
        .finish(&new_state, operation)
        .map_err(setup::state_error)?;
    Ok((applied.counts, applied.diagnostics))
}

/// Prints the root outputs after an apply, sensitive ones hidden.
pub fn print_outputs(backend: &StateBackend) {
    let Ok(state) = backend.peek() else { return };
    if state.outputs.is_empty() {
        return;
    }
    let outputs: BTreeMap<String, (Value, bool)> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), (Value::from_json(&o.value), o.sensitive)))
        .collect();
    crate::outln!("\nOutputs:\n\n{}", render::render_outputs(&outputs));
}
