//! `plinth workspace new|select|list|show|delete`: one state per workspace in every backend;
//! the selection is kept in `.plinth/environment` (`TF_WORKSPACE` overrides it).

use std::collections::BTreeMap;
use std::path::Path;

use plinth_sdk::Diagnostic;
use plinth_state::{State, WriteCheck};

use crate::cli::args::WorkspaceCommand;
use crate::cli::backend;
use crate::cli::setup;
use crate::cli::{Failure, Outcome};

/// Runs a `workspace` subcommand.
pub fn run(command: WorkspaceCommand) -> Outcome {
    let config = crate::config::load(Path::new(".")).map_err(|d| (d, BTreeMap::new()))?;
    let settings = backend::settings_from_config(&config, &backend::saved().overrides)?;
    let current = backend::current_workspace();
    let open = |name: &str| backend::open_settings(&config, &settings, name);
    let existing = || -> Result<Vec<String>, Failure> {
        Ok(open("default")?.workspaces().map_err(setup::state_error)?)
    };
    match command {
        WorkspaceCommand::Show => {
            crate::outln!("{current}");
            Ok(0)
        }
        WorkspaceCommand::List => {
            for name in existing()? {
                let mark = if name == current { "*" } else { " " };
                crate::outln!("{mark} {name}");
            }
            Ok(0)
        }
        WorkspaceCommand::New { name } => {
            if existing()?.contains(&name) {
                return Err(
                    Diagnostic::error(format!("Workspace \"{name}\" already exists"))
                        .with_detail("Use `plinth workspace select` to switch to it.")
                        .into(),
                );
            }
            let created = open(&name)?;
            created
                .write_as(&State::new(), "workspace new", WriteCheck::Continue)
                .map_err(setup::state_error)?;
            backend::select_workspace(&name)?;
            crate::outln!("Created and switched to workspace \"{name}\"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"plinth plan\" plinth will not see any existing state\nfor this configuration.");
            Ok(0)
        }
        WorkspaceCommand::Select { name } => {
            if !existing()?.contains(&name) {
                return Err(
                    Diagnostic::error(format!("Workspace \"{name}\" doesn't exist"))
                        .with_detail("Use `plinth workspace new` to create it.")
                        .into(),
                );
            }
            backend::select_workspace(&name)?;
            crate::outln!("Switched to workspace \"{name}\".");
            Ok(0)
        }
        WorkspaceCommand::Delete { force, name } => {
            if name == "default" {
                return Err(Diagnostic::error("Cannot delete the default workspace").into());
            }
            if name == current {
                return Err(Diagnostic::error(format!(
                    "Workspace \"{name}\" is your active workspace"
                ))
                .with_detail("Select another workspace before deleting this one.")
                .into());
            }
            if !existing()?.contains(&name) {
                return Err(
                    Diagnostic::error(format!("Workspace \"{name}\" doesn't exist")).into(),
                );
            }
            let doomed = open(&name)?;
            let held = setup::lock(
                &doomed,
                &crate::cli::args::LockArgs {
                    lock: true,
                    lock_timeout: "0s".into(),
                },
                "workspace delete",
            )?;
            let state = doomed.peek().map_err(setup::state_error)?;
            if !state.instances.is_empty() && !force {
                return Err(Diagnostic::error(format!("Workspace \"{name}\" is not empty"))
                    .with_detail(format!(
                        "Its state still tracks {} resource instance(s); deleting it would lose track of them. Destroy them first, or use -force.",
                        state.instances.len()
                    ))
                    .into());
            }
            drop(held);
            doomed.delete_workspace(&name).map_err(setup::state_error)?;
            crate::outln!("Deleted workspace \"{name}\"!");
            Ok(0)
        }
    }
}
