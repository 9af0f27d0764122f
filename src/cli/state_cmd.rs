//! `plinth state list|show|mv|rm|pull|push|history|rollback`: inspect and edit state, always
//! through the state backend, under the lock, writing a new serial (the previous one stays in
//! the history).

use std::collections::BTreeMap;
use std::path::Path;

use plinth_sdk::Diagnostic;
use plinth_state::{State, StateBackend, WriteCheck};

use crate::cli::args::StateCommand;
use crate::cli::setup;
use crate::cli::{Failure, Outcome};
use plinth_state::addr::without_keys;

fn open_backend() -> Result<StateBackend, Failure> {
    let config = crate::config::load(Path::new(".")).map_err(|d| (d, BTreeMap::new()))?;
    Ok(setup::backend(&config)?)
}

/// Whether `address` is `filter` itself or inside it (its instances or a module's contents).
fn within(address: &str, filter: &str) -> bool {
    address == filter
        || (address.starts_with(filter)
            && matches!(
                address.as_bytes().get(filter.len()),
                Some(b'[') | Some(b'.')
            ))
}

/// Runs a `state` subcommand.
pub fn run(command: StateCommand) -> Outcome {
    let backend = open_backend()?;
    match command {
        StateCommand::List { addresses } => {
            let state = setup::load_state(&backend, &None)?;
            for (address, _) in state.objects() {
                if addresses.is_empty() || addresses.iter().any(|f| within(&address, f)) {
                    crate::outln!("{address}");
                }
            }
            Ok(0)
        }
        StateCommand::Show { address } => {
            let state = setup::load_state(&backend, &None)?;
            let objects = state.objects();
            let Some((_, instance)) = objects.iter().find(|(a, _)| a == &address) else {
                return Err(Diagnostic::error(format!("No instance found for the given address {address}"))
                    .with_detail("This command requires that the address references one specific instance. Run `plinth state list` to see the addresses in state.")
                    .into());
            };
            let providers = setup::providers();
            crate::out!(
                "{}",
                crate::cli::info_cmd::render_stored(&address, instance, &providers)
            );
            Ok(0)
        }
        StateCommand::Mv {
            lock,
            source,
            destination,
        } => {
            let lock_guard = setup::lock(&backend, &lock, "state mv")?;
            let mut state = setup::load_state(&backend, &lock_guard)?;
            let moved = move_addresses(&mut state, &source, &destination)?;
            state.serial += 1;
            backend
                .write_as(&state, "state mv", WriteCheck::Continue)
                .map_err(setup::state_error)?;
            crate::outln!(
                "Move \"{source}\" to \"{destination}\"\nSuccessfully moved {moved} object(s)."
            );
            Ok(0)
        }
        StateCommand::Rm { lock, addresses } => {
            let lock_guard = setup::lock(&backend, &lock, "state rm")?;
            let mut state = setup::load_state(&backend, &lock_guard)?;
            let doomed: Vec<String> = state
                .instances
                .keys()
                .filter(|a| addresses.iter().any(|f| within(a, f)))
                .cloned()
                .collect();
            if doomed.is_empty() {
                return Err(Diagnostic::error("Invalid target address")
                    .with_detail(format!(
                        "No matching objects found for {}.",
                        addresses.join(", ")
                    ))
                    .into());
            }
            for address in &doomed {
                state.instances.remove(address);
                crate::outln!("Removed {address}");
            }
            state.deposed.retain(|a, objects| {
                let forget = addresses.iter().any(|f| within(a, f));
                for key in objects.keys().filter(|_| forget) {
                    crate::outln!("Removed {a} (deposed object {key})");
                }
                !forget
            });
            state.serial += 1;
            backend
                .write_as(&state, "state rm", WriteCheck::Continue)
                .map_err(setup::state_error)?;
            crate::outln!(
                "Successfully removed {} resource instance(s).",
                doomed.len()
            );
            Ok(0)
        }
        StateCommand::Pull => {
            let state = setup::load_state(&backend, &None)?;
            let bytes = plinth_state::encode(&state).map_err(setup::state_error)?;
            crate::outln!("{}", String::from_utf8_lossy(&bytes));
            Ok(0)
        }
        StateCommand::Push { force, lock, path } => {
            let bytes = std::fs::read(&path).map_err(|e| {
                Diagnostic::error(format!("Failed to read {}", path.display()))
                    .with_detail(e.to_string())
            })?;
            let mut pushed = plinth_state::tfstate::decode_any(&bytes).map_err(|e| {
                Diagnostic::error(format!("Failed to read state file {}", path.display()))
                    .with_detail(e.to_string())
            })?;
            let lock_guard = setup::lock(&backend, &lock, "state push")?;
            let current = setup::load_state(&backend, &lock_guard)?;
            let existing = current.serial > 0 || !current.instances.is_empty();
            if existing && !force {
                if pushed.lineage != current.lineage {
                    return Err(Diagnostic::error("Failed to write state: lineage mismatch")
                        .with_detail(format!("The state being pushed has lineage {} but the current state has lineage {}: they belong to different infrastructures. Use -force to overwrite anyway.", pushed.lineage, current.lineage))
                        .into());
                }
                if pushed.serial < current.serial {
                    return Err(Diagnostic::error("Failed to write state: serial is older")
                        .with_detail(format!("The state being pushed has serial {} but the current state has serial {}: it is older. Use -force to overwrite anyway.", pushed.serial, current.serial))
                        .into());
                }
            }
            let check = if force || !existing {
                WriteCheck::Force
            } else {
                if pushed.serial == current.serial {
                    pushed.serial += 1;
                }
                WriteCheck::Continue
            };
            backend
                .write_as(&pushed, "state push", check)
                .map_err(setup::state_error)?;
            Ok(0)
        }
        StateCommand::History { json } => {
            let history = backend.history().map_err(setup::state_error)?;
            if json {
                crate::outln!(
                    "{}",
                    serde_json::to_string_pretty(&history).unwrap_or_default()
                );
                return Ok(0);
            }
            if history.is_empty() {
                crate::outln!("No state history in {}.", backend.describe());
                return Ok(0);
            }
            crate::outln!(
                "{:>8}  {:<25}  {:<24}  {:<20}  {:>9}",
                "SERIAL",
                "WRITTEN",
                "WHO",
                "OPERATION",
                "RESOURCES"
            );
            for meta in history {
                crate::outln!(
                    "{:>8}  {:<25}  {:<24}  {:<20}  {:>9}",
                    meta.serial,
                    meta.written.format("%Y-%m-%dT%H:%M:%SZ"),
                    meta.who,
                    meta.operation,
                    meta.resources
                );
            }
            Ok(0)
        }
        StateCommand::Rollback { lock, serial } => {
            let _held = setup::lock(&backend, &lock, "state rollback")?;
            let restored = backend.rollback(serial).map_err(setup::state_error)?;
            crate::outln!(
                "Restored serial {serial} as serial {} ({} resource instance(s)); the history is unchanged.",
                restored.serial,
                restored.instances.len()
            );
            Ok(0)
        }
    }
}

/// Moves every instance at or inside `source` under `destination`, rewriting dependencies.
fn move_addresses(state: &mut State, source: &str, destination: &str) -> Result<usize, Failure> {
    let sources: Vec<String> = state
        .instances
        .keys()
        .filter(|a| within(a, source))
        .cloned()
        .collect();
    if sources.is_empty() {
        return Err(Diagnostic::error("Invalid source address")
            .with_detail(format!(
                "Cannot move {source}: it does not match anything in the current state."
            ))
            .into());
    }
    let renamed: Vec<(String, String)> = sources
        .iter()
        .map(|a| (a.clone(), format!("{destination}{}", &a[source.len()..])))
        .collect();
    for (_, to) in &renamed {
        if state.instances.contains_key(to) && !sources.contains(to) {
            return Err(Diagnostic::error("Invalid target address")
                .with_detail(format!(
                    "Cannot move {source} to {destination}: there is already an object at {to}."
                ))
                .into());
        }
    }
    let (node_from, node_to) = (without_keys(source), without_keys(destination));
    for (from, to) in &renamed {
        if let Some(deposed) = state.deposed.remove(from) {
            state.deposed.insert(to.clone(), deposed);
        }
        if let Some(instance) = state.instances.remove(from) {
            state.instances.insert(to.clone(), instance);
        }
    }
    for instance in state.instances.values_mut() {
        for dep in instance.dependencies.iter_mut() {
            if within(dep, &node_from) {
                *dep = format!("{node_to}{}", &dep[node_from.len()..]);
            }
        }
    }
    Ok(renamed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_matches_instances_and_module_contents_but_not_longer_names() {
        assert!(within("aws_vpc.a[0]", "aws_vpc.a"));
        assert!(within("module.m.aws_vpc.a", "module.m"));
        assert!(!within("aws_vpc.ab", "aws_vpc.a"));
    }
}
