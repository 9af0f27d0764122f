//! The command line: clap commands, flags, exit codes, human and JSON rendering.
//!
//! Exit codes are Terraform's: 0 success, 1 error, and for `plan -detailed-exitcode` 2 when
//! there are changes; `fmt -check` exits 3 when a file needs formatting.

pub mod apply_cmd;
pub mod args;
pub mod backend;
pub mod console_cmd;
pub mod diagnostics;
pub mod drift_cmd;
pub mod ephemeral_vars;
pub mod generate;
pub mod info_cmd;
pub mod misc_cmd;
pub mod plan_cmd;
pub mod providers_cmd;
pub mod recovery_cmd;
pub mod rematch;
pub mod render;
pub mod required;
pub mod setup;
pub mod state_cmd;
pub mod stdout;
pub mod values;
pub mod version_cmd;
pub mod workspace_cmd;

use std::collections::BTreeMap;

use clap::Parser;
use plinth_sdk::Diagnostics;

use crate::cli::args::{Cli, Command};

/// A failed command: its diagnostics and the sources to show them against.
pub struct Failure {
    /// What went wrong.
    pub diagnostics: Diagnostics,
    /// File name → text, for source excerpts.
    pub sources: BTreeMap<String, String>,
}

impl From<Diagnostics> for Failure {
    fn from(diagnostics: Diagnostics) -> Failure {
        Failure {
            diagnostics,
            sources: BTreeMap::new(),
        }
    }
}

impl From<plinth_sdk::Diagnostic> for Failure {
    fn from(d: plinth_sdk::Diagnostic) -> Failure {
        Failure::from(Diagnostics::from(d))
    }
}

impl From<Box<plinth_sdk::Diagnostic>> for Failure {
    fn from(d: Box<plinth_sdk::Diagnostic>) -> Failure {
        Failure::from(*d)
    }
}

impl From<(Diagnostics, BTreeMap<String, String>)> for Failure {
    fn from((diagnostics, sources): (Diagnostics, BTreeMap<String, String>)) -> Failure {
        Failure {
            diagnostics,
            sources,
        }
    }
}

/// What a command returns: an exit code, or a failure (exit 1).
pub type Outcome = Result<i32, Failure>;

/// Prints warnings to standard error.
pub fn print_warnings(diags: &Diagnostics, sources: &BTreeMap<String, String>, color: bool) {
    let warnings = Diagnostics(
        diags
            .0
            .iter()
            .filter(|d| d.severity == plinth_sdk::Severity::Warning)
            .cloned()
            .collect(),
    );
    if !warnings.is_empty() {
        crate::err!("{}", diagnostics::render(&warnings, sources, color));
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let argv = args::normalise(std::env::args());
    let order = args::var_order(&argv);
    let cli = match Cli::try_parse_from(&argv) {
        Ok(mut cli) => {
            cli.set_var_order(order);
            cli
        }
        Err(e) => {
            if e.use_stderr() {
                let _ = e.print();
                return 1;
            }
            crate::out!("{}", version_cmd::single_dash(&e.render().to_string()));
            return 0;
        }
    };
    if let Some(dir) = &cli.chdir {
        if let Err(e) = std::env::set_current_dir(dir) {
            crate::errln!(
                "Error: Invalid -chdir option: cannot change to {}: {e}",
                dir.display()
            );
            return 1;
        }
    }
    let color = setup::color(cli.no_color);
    let outcome = run(cli.command, color);
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            crate::err!(
                "{}",
                diagnostics::render(&failure.diagnostics, &failure.sources, color)
            );
            1
        }
    }
}

/// Runs one command. Every command shares the process's one async runtime: those that talk to
/// providers run on it, and state backends drive their stores on it (it is entered here, so
/// they find it).
fn run(command: Command, color: bool) -> Outcome {
    let runtime = setup::runtime().map_err(Failure::from)?;
    let _context = runtime.enter();
    match command {
        Command::Init {
            backend_config,
            migrate_state,
        } => misc_cmd::init(&backend_config, migrate_state, color),
        Command::Workspace(sub) => workspace_cmd::run(sub),
        Command::Validate { json } => misc_cmd::validate(json, color),
        Command::Fmt {
            check,
            recursive,
            paths,
        } => misc_cmd::fmt(check, recursive, &paths),
        Command::Plan(args) => plan_cmd::plan(&runtime, &args, color),
        Command::Drift(args) => drift_cmd::drift(&runtime, &args, color),
        Command::RecoveryPlan(args) => recovery_cmd::recovery_plan(&runtime, &args, color),
        Command::Apply(args) => apply_cmd::apply(&runtime, &args, false, color),
        Command::Destroy(args) => apply_cmd::apply(&runtime, &args, true, color),
        Command::Output { json, raw, name } => info_cmd::output(json, raw, name.as_deref()),
        Command::Show { json, planfile } => info_cmd::show(json, planfile.as_deref(), color),
        Command::Graph => info_cmd::graph(),
        Command::State(sub) => state_cmd::run(sub),
        Command::Import {
            vars,
            lock,
            address,
            id,
        } => misc_cmd::import(&runtime, &vars, &lock, &address, &id),
        Command::Providers { command } => providers_cmd::run(command),
        Command::ForceUnlock { id, .. } => misc_cmd::force_unlock(&id),
        Command::Version { json } => version_cmd::version(json),
        Command::Help { command } => version_cmd::help(&command),
        Command::Console { vars } => console_cmd::console(&vars, color),
    }
}
