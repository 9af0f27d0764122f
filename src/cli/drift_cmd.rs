//! `plinth drift`: a drift check for CI. Refreshes everything, then reports apart what changed
//! outside plinth, what was deleted outside plinth, what exists but no state manages
//! (`-unmanaged`), and configuration changes not applied yet; exits 0 clean, 2 drift,
//! 3 only pending changes, 1 on error. Writes nothing to state.

use std::collections::BTreeSet;
use std::path::Path;

use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::InstanceAddr;
use tokio::runtime::Runtime;

use crate::cli::args::{DriftArgs, PlanArgs};
use crate::cli::plan_cmd::make_plan;
use crate::cli::setup::{self, Loaded};
use crate::cli::{print_warnings, render, Failure, Outcome};
use crate::config::{IgnoreChanges, Module};
use crate::plan::drift::{self, DriftInput, IgnoreRule, IGNORE_FILE};
use crate::plan::{unmanaged, PlanMode};

/// `plinth drift`.
pub fn drift(runtime: &Runtime, args: &DriftArgs, color: bool) -> Outcome {
    let rules = ignore_rules(&args.ignore)?;
    let loaded = setup::load_configuration()?;
    let sources = loaded.config.sources.clone();
    let opened = setup::open_state(&loaded, &args.lock, &args.vars, "drift")?;
    // The configuration's providers, external ones included (the built-in ones alone could not
    // refresh a plugin provider's objects: "Provider configuration not present").
    let providers = setup::providers_for(&loaded.config).map_err(|d| Failure {
        diagnostics: d,
        sources: loaded.config.sources.clone(),
    })?;
    let plan_args = PlanArgs {
        vars: args.vars.clone(),
        lock: args.lock.clone(),
        targets: args.targets.clone(),
        excludes: args.excludes.clone(),
        refresh: true,
        ..PlanArgs::default()
    };
    let refreshed = make_plan(
        runtime,
        &loaded,
        &opened.state,
        &providers,
        &plan_args,
        PlanMode::Normal,
        color,
    )?;
    let configured = make_plan(
        runtime,
        &loaded,
        &opened.state,
        &providers,
        &PlanArgs {
            refresh: false,
            ..plan_args
        },
        PlanMode::Normal,
        false,
    )?;
    let objects = refreshed.refreshed.clone();
    let ignore_changes = |address: &str| ignore_changes_of(&loaded, address);
    let mut report = drift::report(&DriftInput {
        refreshed: &refreshed,
        configured: &configured,
        objects: &objects,
        ignore_changes: &ignore_changes,
        rules: &rules,
    });
    if args.unmanaged {
        let types: BTreeSet<(String, String)> = opened
            .state
            .instances
            .iter()
            .filter(|(address, i)| {
                i.mode == plinth_state::Mode::Managed && objects.contains(*address)
            })
            .map(|(_, i)| (i.provider.clone(), i.type_name.clone()))
            .chain(
                configured
                    .changes
                    .iter()
                    .filter(|c| !c.data)
                    .map(|c| (c.provider.clone(), c.type_name.clone())),
            )
            .collect();
        let listed = runtime.block_on(unmanaged::find(&providers, &types, &opened.state));
        print_warnings(&listed.diagnostics, &sources, color);
        if listed.diagnostics.has_errors() {
            return Err(Failure {
                diagnostics: listed.diagnostics,
                sources,
            });
        }
        for unsupported in &listed.unsupported {
            crate::errln!("Note: {unsupported}: the provider cannot list objects of this type; unmanaged ones are not looked for.");
        }
        if let Some(out) = &args.generate_config_out {
            let first = vec![None; listed.unmanaged.len()];
            let first =
                crate::cli::generate::import_targets(&listed.unmanaged, &configured, &first);
            let targets = crate::cli::rematch::after_imports(
                runtime,
                &loaded,
                &opened.state,
                &providers,
                args,
                &listed.unmanaged,
                first,
            );
            let written =
                crate::cli::generate::for_unmanaged(&listed.unmanaged, &targets, &providers, out)
                    .map_err(|d| Failure {
                    diagnostics: d,
                    sources: sources.clone(),
                })?;
            if written > 0 {
                eprintln!("Wrote import blocks for {written} unmanaged object(s) to {}: review them, then run plinth apply to bring them under management.", out.display());
            }
        }
        report.unmanaged = Some(listed.unmanaged);
    }
    providers.close();
    if let Some(path) = &args.junit {
        write_junit(path, &report)?;
    }
    if args.json {
        crate::outln!("{}", render::drift_to_json(&report));
    } else {
        crate::out!("{}", render::render_drift(&report, color));
    }
    Ok(report.verdict().exit_code())
}

/// The `-ignore` rules and those of `plinth-drift.ignore` in the working directory.
fn ignore_rules(given: &[String]) -> Result<Vec<IgnoreRule>, Failure> {
    let invalid = |rule: &str, place: String| {
        Failure::from(
            Diagnostic::error(format!("Invalid ignore rule {rule:?}"))
                .with_detail(format!("{place}: an ignore rule is a resource or instance address, optionally followed by an attribute path, such as docker_container.web or docker_container.web.env.")),
        )
    };
    let mut rules = Vec::new();
    for text in given {
        rules.push(IgnoreRule::parse(text).ok_or_else(|| invalid(text, "-ignore".into()))?);
    }
    match std::fs::read_to_string(IGNORE_FILE) {
        Ok(text) => rules.extend(
            drift::parse_ignore_file(&text)
                .map_err(|(line, rule)| invalid(&rule, format!("{IGNORE_FILE}, line {line}")))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Diagnostic::error(format!("Failed to read {IGNORE_FILE}"))
                .with_detail(e.to_string())
                .into())
        }
    }
    Ok(rules)
}

/// `lifecycle.ignore_changes` of the resource an instance address belongs to.
fn ignore_changes_of(loaded: &Loaded, address: &str) -> IgnoreChanges {
    let Ok(addr) = address.parse::<InstanceAddr>() else {
        return IgnoreChanges::None;
    };
    let mut module: &Module = &loaded.config.root;
    for step in &addr.module {
        match module.module_calls.iter().find(|c| c.name == step.name) {
            Some(call) => module = &call.module,
            None => return IgnoreChanges::None,
        }
    }
    module
        .resources
        .iter()
        .find(|r| {
            r.mode == crate::config::Mode::Managed
                && r.type_name == addr.type_name
                && r.name == addr.name
        })
        .map(|r| r.lifecycle.ignore_changes.clone())
        .unwrap_or_default()
}

/// Writes the JUnit report, replacing the file atomically (state's own writer: a new 0600 file
/// renamed into place, never written through a symlink).
fn write_junit(path: &Path, report: &drift::DriftReport) -> Result<(), Failure> {
    let fail = |detail: String| {
        Failure::from(Diagnostics::from(
            Diagnostic::error(format!(
                "Failed to write the JUnit report {}",
                path.display()
            ))
            .with_detail(detail),
        ))
    };
    let xml = render::drift_to_junit(report).map_err(fail)?;
    plinth_state::write_private(path, xml.as_bytes()).map_err(|e| fail(e.to_string()))
}
