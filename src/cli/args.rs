//! Command-line arguments (clap), parsed without any I/O. Terraform's single-dash long flags
//! (`-auto-approve`, `-var=x=1`) are accepted as well as `--auto-approve`.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

/// plinth: plan and apply infrastructure described in HCL.
#[derive(Debug, Parser)]
#[command(name = "plinth", version, about, disable_help_subcommand = true)]
pub struct Cli {
    /// Switch to this directory before running the command.
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Disable colored output (NO_COLOR in the environment does the same).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Hands the command-line order of -var and -var-file to the command that takes them.
    pub fn set_var_order(&mut self, order: Vec<bool>) {
        match &mut self.command {
            Command::Plan(p) => p.vars.order = order,
            Command::Apply(a) | Command::Destroy(a) => a.plan.vars.order = order,
            Command::Import { vars, .. } | Command::Console { vars } => vars.order = order,
            Command::Drift(d) => d.vars.order = order,
            Command::RecoveryPlan(r) => r.vars.order = order,
            _ => {}
        }
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the providers and backend a configuration needs.
    Init {
        /// A backend setting KEY=VALUE, or a file of settings (repeatable).
        #[arg(long = "backend-config", value_name = "KEY=VALUE|FILE")]
        backend_config: Vec<String>,
        /// Copy the state (and its history) of the previous backend into the new one.
        #[arg(long = "migrate-state")]
        migrate_state: bool,
    },
    /// Manage workspaces: one state per workspace.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Check the configuration for errors without touching state or infrastructure.
    Validate {
        /// Print diagnostics as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite configuration files in the canonical format.
    Fmt {
        /// Only check; exit 3 when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// Also format files in subdirectories.
        #[arg(long)]
        recursive: bool,
        /// Files or directories (default: the current directory).
        paths: Vec<PathBuf>,
    },
    /// Show what apply would change.
    Plan(PlanArgs),
    /// Check for drift (for CI): exit 0 clean, 2 drift, 3 only configuration changes pending.
    Drift(DriftArgs),
    /// Show how a full reprovisioning from nothing would run: waves, critical path, time.
    RecoveryPlan(RecoveryArgs),
    /// Make the changes: from a saved plan file, or plan and ask first.
    Apply(ApplyArgs),
    /// Destroy every object in state.
    Destroy(ApplyArgs),
    /// Print root module outputs from state.
    Output {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Print a string output without quotes.
        #[arg(long)]
        raw: bool,
        /// Only this output.
        name: Option<String>,
    },
    /// Show the state, or a saved plan.
    Show {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// A saved plan file.
        planfile: Option<PathBuf>,
    },
    /// Print the dependency graph in DOT.
    Graph,
    /// Inspect and edit state.
    #[command(subcommand)]
    State(StateCommand),
    /// Bring an existing object under management.
    Import {
        /// Variables as for plan.
        #[command(flatten)]
        vars: VarArgs,
        /// Lock flags.
        #[command(flatten)]
        lock: LockArgs,
        /// The resource instance address.
        address: String,
        /// The provider's id of the object.
        id: String,
    },
    /// Show plinth's version, the platform and the built-in providers.
    Version {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the help of plinth or of a command (`plinth help plan`).
    Help {
        /// The command (and subcommand).
        command: Vec<String>,
    },
    /// Evaluate expressions against the configuration and state, one per line.
    Console {
        /// Variables as for plan.
        #[command(flatten)]
        vars: VarArgs,
    },
    /// List the providers the configuration needs, with their source, version and location.
    Providers {
        /// `schema -json`: print the providers' schemas.
        #[command(subcommand)]
        command: Option<ProvidersCommand>,
    },
    /// Remove a lock left behind, by its id.
    ForceUnlock {
        /// Do not ask for confirmation.
        #[arg(long)]
        force: bool,
        /// The lock id printed by the failing command.
        id: String,
    },
}

/// `providers` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Print the schemas of the configuration's providers in Terraform's JSON format.
    Schema {
        /// Print as JSON (the only format).
        #[arg(long)]
        json: bool,
    },
}

/// `state` subcommands.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List instance addresses (optionally those starting with the given addresses).
    List {
        /// Address filters.
        addresses: Vec<String>,
    },
    /// Show one instance's attributes.
    Show {
        /// The instance address.
        address: String,
    },
    /// Move an instance or resource to another address.
    Mv {
        /// Lock flags.
        #[command(flatten)]
        lock: LockArgs,
        /// The current address.
        source: String,
        /// The new address.
        destination: String,
    },
    /// Forget instances (the real objects are left alone).
    Rm {
        /// Lock flags.
        #[command(flatten)]
        lock: LockArgs,
        /// Addresses to forget.
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// Print the state file.
    Pull,
    /// Replace the state with a file.
    Push {
        /// Overwrite even when lineage or serial say the file is older or unrelated.
        #[arg(long)]
        force: bool,
        /// Lock flags.
        #[command(flatten)]
        lock: LockArgs,
        /// The state file to push (plinth's format or a Terraform v4 state).
        path: PathBuf,
    },
    /// List the kept state versions: serial, time, who, operation, resource count.
    History {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Restore an old state version as a new serial (the history is never rewritten).
    Rollback {
        /// Lock flags.
        #[command(flatten)]
        lock: LockArgs,
        /// The serial to restore (see `state history`).
        serial: u64,
    },
}

/// `workspace` subcommands.
#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace and select it.
    New {
        /// The workspace name.
        name: String,
    },
    /// Select a workspace.
    Select {
        /// The workspace name.
        name: String,
    },
    /// List the workspaces, the selected one marked with `*`.
    List,
    /// Print the selected workspace.
    Show,
    /// Delete a workspace and its state.
    Delete {
        /// Delete even when its state still holds resources.
        #[arg(long)]
        force: bool,
        /// The workspace name.
        name: String,
    },
}

/// `-var` and `-var-file`.
#[derive(Debug, Args, Default, Clone)]
pub struct VarArgs {
    /// Set a variable: -var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Ask for missing variables on a terminal (-input=false turns it off).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub input: bool,
    /// Whether each -var (false) or -var-file (true) came first: filled in from the raw
    /// arguments, since clap keeps the two lists apart.
    #[arg(skip)]
    pub order: Vec<bool>,
}

impl VarArgs {
    /// The `-var` and `-var-file` options in command-line order (the later one wins).
    pub fn in_order(&self) -> Vec<crate::config::CliVariable> {
        use crate::config::CliVariable;
        let (mut vars, mut files) = (self.vars.iter(), self.var_files.iter());
        self.order
            .iter()
            .filter_map(|is_file| match is_file {
                true => files.next().cloned().map(CliVariable::File),
                false => vars.next().cloned().map(CliVariable::Var),
            })
            .collect()
    }
}

/// Records in which order `-var` (false) and `-var-file` (true) appear in `args`.
pub fn var_order(args: &[String]) -> Vec<bool> {
    let mut order = Vec::new();
    for arg in args {
        if arg == "--var" || arg.starts_with("--var=") {
            order.push(false);
        } else if arg == "--var-file" || arg.starts_with("--var-file=") {
            order.push(true);
        }
    }
    order
}

/// `-lock` and `-lock-timeout`.
#[derive(Debug, Args, Default, Clone)]
pub struct LockArgs {
    /// Take the state lock (-lock=false skips it: dangerous).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub lock: bool,
    /// How long to wait for a held lock (e.g. 30s, 2m).
    #[arg(long = "lock-timeout", default_value = "0s")]
    pub lock_timeout: String,
}

/// Flags of `plan`.
#[derive(Debug, Args, Default, Clone)]
pub struct PlanArgs {
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Lock flags.
    #[command(flatten)]
    pub lock: LockArgs,
    /// Save the plan to this file for `apply`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit 0 when nothing changes, 1 on error, 2 when there are changes.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Only update state to match real objects.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    /// Read real objects before planning (-refresh=false skips it).
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub refresh: bool,
    /// Limit the plan to these resources and what they depend on (repeatable).
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Leave these resources, and what depends on them, out of the plan (repeatable).
    #[arg(long = "exclude", value_name = "ADDRESS")]
    pub excludes: Vec<String>,
    /// Replace this instance even if nothing changed (repeatable).
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// How many operations run at once (1 to 10000).
    #[arg(long, default_value_t = 10, value_parser = parse_parallelism)]
    pub parallelism: usize,
    /// Plan to destroy everything.
    #[arg(long)]
    pub destroy: bool,
    /// Write resource blocks for import blocks whose target is not configured to this new file.
    #[arg(long = "generate-config-out", value_name = "FILE")]
    pub generate_config_out: Option<PathBuf>,
}

/// Flags of `drift`.
#[derive(Debug, Args, Default, Clone)]
pub struct DriftArgs {
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Lock flags.
    #[command(flatten)]
    pub lock: LockArgs,
    /// Only check these resources and what they depend on (repeatable).
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Leave these resources, and what depends on them, out of the check (repeatable).
    #[arg(long = "exclude", value_name = "ADDRESS")]
    pub excludes: Vec<String>,
    /// Do not count drift of this object or attribute: ADDR or ADDR.attr (repeatable; more
    /// rules in plinth-drift.ignore).
    #[arg(long = "ignore", value_name = "ADDR[.ATTR]")]
    pub ignore: Vec<String>,
    /// Also list objects of the managed types that no state manages.
    #[arg(long)]
    pub unmanaged: bool,
    /// Print the report as JSON (see docs/drift.md for the schema).
    #[arg(long)]
    pub json: bool,
    /// Also write the report as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<std::path::PathBuf>,
    /// With -unmanaged: write import blocks (and resource blocks) for what was found to this
    /// new file.
    #[arg(
        long = "generate-config-out",
        value_name = "FILE",
        requires = "unmanaged"
    )]
    pub generate_config_out: Option<std::path::PathBuf>,
}

/// Flags of `recovery-plan`.
#[derive(Debug, Args, Default, Clone)]
pub struct RecoveryArgs {
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Only these resources and what they depend on (repeatable).
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Leave these resources, and what depends on them, out (repeatable).
    #[arg(long = "exclude", value_name = "ADDRESS")]
    pub excludes: Vec<String>,
    /// How many operations apply would run at once.
    #[arg(long, default_value_t = 10, value_parser = parse_parallelism)]
    pub parallelism: usize,
    /// Print the schedule as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `apply` and `destroy`.
#[derive(Debug, Args, Default, Clone)]
pub struct ApplyArgs {
    /// The plan flags.
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Do not ask for confirmation.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// A saved plan file to apply.
    pub planfile: Option<PathBuf>,
}

/// Turns Terraform-style single-dash long flags into clap's double-dash form.
pub fn normalise(args: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut after_separator = false;
    for (i, arg) in args.into_iter().enumerate() {
        if i > 0
            && !after_separator
            && arg.len() > 2
            && arg.starts_with('-')
            && !arg.starts_with("--")
            && arg.as_bytes()[1].is_ascii_alphabetic()
        {
            out.push(format!("-{arg}"));
        } else {
            after_separator |= arg == "--";
            out.push(arg);
        }
    }
    out
}

/// The most operations `-parallelism` lets run at once.
pub const MAX_PARALLELISM: usize = 10_000;

/// Parses `-parallelism`: a whole number from 1 to [`MAX_PARALLELISM`].
fn parse_parallelism(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_PARALLELISM).contains(&n) => Ok(n),
        _ => Err(format!(
            "-parallelism must be a whole number from 1 to {MAX_PARALLELISM}"
        )),
    }
}

/// Parses a duration such as `30s`, `2m`, `500ms` or `0`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(text.len()),
    );
    let n: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: expected e.g. 30s, 2m or 500ms"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("invalid duration {text:?}: unknown unit {unit:?}")),
    };
    if !(0.0..=MAX_DURATION_SECS).contains(&secs) {
        return Err(format!(
            "invalid duration {text:?}: at most {} days",
            MAX_DURATION_SECS / 86_400.0
        ));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

/// The longest duration a flag takes (365 days): longer waits are mistakes, and would overflow
/// the clock arithmetic of deadlines.
const MAX_DURATION_SECS: f64 = 365.0 * 86_400.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_dash_long_flags_are_accepted() {
        let args = normalise(
            [
                "plinth",
                "-chdir=x",
                "apply",
                "-auto-approve",
                "-var",
                "a=-1",
                "-var=b=2",
            ]
            .map(String::from),
        );
        let cli = Cli::try_parse_from(args).unwrap();
        let Command::Apply(a) = cli.command else {
            panic!("not apply")
        };
        assert!(a.auto_approve);
        assert_eq!(
            a.plan.vars.vars,
            vec!["a=-1".to_string(), "b=2".to_string()]
        );
        assert_eq!(cli.chdir, Some(PathBuf::from("x")));
    }

    #[test]
    fn refresh_and_lock_take_false() {
        let args = normalise(
            [
                "plinth",
                "plan",
                "-refresh=false",
                "-lock=false",
                "-lock-timeout=5s",
                "-target=a.b",
                "-target",
                "c.d",
            ]
            .map(String::from),
        );
        let cli = Cli::try_parse_from(args).unwrap();
        let Command::Plan(p) = cli.command else {
            panic!("not plan")
        };
        assert!(!p.refresh && !p.lock.lock);
        assert_eq!(p.targets.len(), 2);
        assert_eq!(parse_duration(&p.lock.lock_timeout).unwrap().as_secs(), 5);
    }
}
