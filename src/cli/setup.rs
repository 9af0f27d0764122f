//! The steps commands share, each a small function: load and check the configuration, pick the
//! state backend, take the lock, load state, list the providers, decide on color.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use petgraph::graph::NodeIndex;
use plinth_sdk::{Diagnostic, Diagnostics, ProviderFactory, Value};
use plinth_state::{HeldLock, LockInfo, State, StateBackend, StateError};

use crate::cli::args::{parse_duration, LockArgs, VarArgs};
use crate::config::{self, Config, VarOptions};
use crate::engine::providers::Providers;
use crate::graph::{self, Graph};

/// A loaded configuration with its checked graph.
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// Its dependency graph.
    pub graph: Graph,
    /// A topological order of the graph.
    pub order: Vec<NodeIndex>,
}

/// Loads the configuration of the current directory, checks its `required_providers` against
/// the built-in providers, and builds and checks its graph.
pub fn load_configuration() -> Result<Loaded, (Diagnostics, BTreeMap<String, String>)> {
    let config = config::load(Path::new(".")).map_err(|d| (d, BTreeMap::new()))?;
    let required = crate::cli::required::check(&config, &providers());
    if required.has_errors() {
        return Err((required, config.sources.clone()));
    }
    let graph = graph::build(&config).map_err(|d| (d, config.sources.clone()))?;
    let order = graph::check::order(&graph, &config).map_err(|d| (d, config.sources.clone()))?;
    Ok(Loaded {
        config,
        graph,
        order,
    })
}

/// Terraform's "No configuration files" refusal: planning a directory without configuration
/// would destroy everything in state, so only a destroy may go ahead without one.
pub fn require_configuration(
    loaded: &Loaded,
    command: &str,
    destroy: bool,
) -> Result<(), Diagnostics> {
    if destroy || !loaded.config.sources.is_empty() {
        return Ok(());
    }
    let (verb, alternative) = match command {
        "apply" => ("Applying", "run plinth destroy instead"),
        _ => ("Planning", "run plan with the -destroy option"),
    };
    let capital = format!("{}{}", command[..1].to_uppercase(), &command[1..]);
    Err(Diagnostic::error("No configuration files")
        .with_detail(format!(
            "{capital} requires configuration to be present. {verb} without a configuration would mark everything for destruction, which is normally not what is desired. If you would like to destroy everything, {alternative}. Otherwise, create a plinth configuration file (.tf file) and try again."
        ))
        .into())
}

/// The root variable values from defaults, files, -var and the environment, validated, with
/// the warnings of resolving them.
pub fn variables(
    config: &Config,
    vars: &VarArgs,
) -> Result<(BTreeMap<String, Value>, Diagnostics), Diagnostics> {
    let options = VarOptions {
        cli: vars.in_order(),
        interactive: vars.input && std::io::stdin().is_terminal(),
    };
    crate::engine::variables::root_variables(&config.root, Path::new("."), &options)
}

/// Every provider built into this binary.
pub fn factories() -> Vec<Arc<dyn ProviderFactory>> {
    let mut list: Vec<Arc<dyn ProviderFactory>> = vec![
        crate::builtin::terraform_data::factory(),
        plinth_provider_docker::factory(),
        plinth_provider_digitalocean::factory(),
        plinth_provider_aws::factory(),
    ];
    list.extend(plinth_provider_utility::factories());
    #[cfg(feature = "test-provider")]
    list.push(crate::builtin::slow::factory());
    list
}

/// Every built-in provider (for commands that only render what state holds).
pub fn providers() -> Providers {
    Providers::new(factories())
}

/// The providers of a run of `config`: the built-in ones and every external provider its
/// `required_providers` ask for. With their schemas known, ephemeral values in resource
/// arguments other than write-only ones are refused here.
pub fn providers_for(config: &Config) -> Result<Providers, Diagnostics> {
    let providers = providers_and_plugins(config).map(|(providers, _)| providers)?;
    let schema_of = |r: &crate::config::Resource| {
        let provider = r.provider.as_ref().map_or_else(
            || crate::graph::default_provider(&r.type_name).to_string(),
            |p| crate::graph::provider_key(&p.name, p.alias.as_deref()),
        );
        providers.resource_schema(&provider, r.mode, &r.type_name)
    };
    let misplaced = crate::config::ephemeral::check_resources(&config.root, &schema_of);
    if misplaced.has_errors() {
        return Err(misplaced);
    }
    Ok(providers)
}

/// The external providers `config` requires, found (not started) the way Terraform finds them.
pub fn plugins(config: &Config) -> Result<Vec<crate::engine::plugins::Found>, Diagnostics> {
    let list = factories();
    let builtin: Vec<&str> = list.iter().map(|f| f.name()).collect();
    let required = crate::engine::plugins::required(config, &builtin)?;
    crate::engine::plugins::discover(Path::new("."), &required)
}

/// The providers of a run of `config` and the external packages among them, each started once
/// for its schemas (on the process's runtime, which the command has entered).
pub fn providers_and_plugins(
    config: &Config,
) -> Result<(Providers, Vec<crate::engine::plugins::Found>), Diagnostics> {
    let found = plugins(config)?;
    let mut list = factories();
    if found.is_empty() {
        return Ok((Providers::new(list), found));
    }
    list.retain(|f| !found.iter().any(|p| p.required.local == f.name()));
    let handle = tokio::runtime::Handle::current();
    let plugins = handle.block_on(crate::engine::plugins::load(&found))?;
    for factory in &plugins {
        list.push(factory.clone());
    }
    let mut providers = Providers::new(list);
    for factory in plugins {
        providers.add_functions(factory);
    }
    Ok((providers, found))
}

/// The state backend the configuration asks for, at the current workspace.
pub fn backend(config: &Config) -> Result<StateBackend, Diagnostics> {
    crate::cli::backend::open(config)
}

/// A state error as a diagnostic.
pub fn state_error(e: StateError) -> Diagnostics {
    Diagnostic::error("Error accessing the state")
        .with_detail(e.to_string())
        .into()
}

/// Takes the state lock unless -lock=false; warns when a dead holder's lock or an expired
/// lease was taken over.
pub fn lock(
    backend: &StateBackend,
    args: &LockArgs,
    operation: &str,
) -> Result<Option<HeldLock>, Diagnostics> {
    if !args.lock {
        return Ok(None);
    }
    let timeout = parse_duration(&args.lock_timeout).map_err(|e| {
        Diagnostics::from(Diagnostic::error("Invalid -lock-timeout").with_detail(e))
    })?;
    let held = backend.lock(LockInfo::current(operation), timeout).map_err(|e| {
        Diagnostics::from(Diagnostic::error("Error acquiring the state lock").with_detail(format!(
            "{e}\n\nplinth acquires a state lock to protect the state from being written by multiple users at the same time. Please resolve the issue above and try again. If the holder is gone, `plinth force-unlock LOCK_ID` removes the lock."
        )))
    })?;
    if let Some(stale) = held.took_over() {
        let why = match stale.expires {
            Some(expires) if expires < chrono::Utc::now() => {
                format!("its lease expired at {}", expires.to_rfc3339())
            }
            _ => format!("pid {} is no longer running", stale.pid),
        };
        crate::errln!(
            "Warning: took over a stale state lock {} held by {} for {} since {}: {why}",
            stale.id,
            stale.who,
            stale.operation,
            stale.created
        );
    }
    Ok(Some(held))
}

/// Loads state. Holding the lock, a journal left by a killed run is replayed into the state;
/// without the lock (read-only commands, `-lock=false`) it is only folded in memory, since it
/// may belong to a run still going.
pub fn load_state(backend: &StateBackend, lock: &Option<HeldLock>) -> Result<State, Diagnostics> {
    if lock.is_none() {
        return backend.peek().map_err(state_error);
    }
    let loaded = backend.load_replaying().map_err(state_error)?;
    if loaded.replayed > 0 {
        crate::errln!(
            "Note: recovered {} operation(s) from the journal of an interrupted run into {}.",
            loaded.replayed,
            backend.describe()
        );
    }
    Ok(loaded.state)
}

/// The state of a loaded configuration, opened for a command that may write it: its backend,
/// the lock (unless `-lock=false`) and the state, a leftover journal replayed.
pub struct Opened {
    /// Where the state lives.
    pub backend: StateBackend,
    /// The lock, held until this is dropped.
    pub lock: Option<HeldLock>,
    /// The state.
    pub state: State,
}

/// Opens the state of `loaded` for `operation` (`plan`, `apply`, ...); the backend block sees
/// the command's `-var` and `-var-file` options.
pub fn open_state(
    loaded: &Loaded,
    lock_args: &LockArgs,
    vars: &VarArgs,
    operation: &str,
) -> Result<Opened, crate::cli::Failure> {
    let backend =
        crate::cli::backend::open_with_vars(&loaded.config, &vars.in_order()).map_err(|d| {
            crate::cli::Failure {
                diagnostics: d,
                sources: loaded.config.sources.clone(),
            }
        })?;
    let lock = lock(&backend, lock_args, operation)?;
    let state = load_state(&backend, &lock)?;
    Ok(Opened {
        backend,
        lock,
        state,
    })
}

/// Whether to color output: a terminal, no -no-color, no NO_COLOR.
pub fn color(no_color: bool) -> bool {
    !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// The process's one async runtime, made once by `cli::main` and lent to every command that
/// talks to providers (plan and apply share providers, so they must share the runtime too).
pub fn runtime() -> Result<tokio::runtime::Runtime, Diagnostics> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Diagnostic::error("Failed to start the async runtime")
                .with_detail(e.to_string())
                .into()
        })
}

/// `terraform.workspace`: the selected workspace.
pub fn workspace() -> String {
    crate::cli::backend::current_workspace()
}
