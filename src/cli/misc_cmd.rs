//! `init`, `validate`, `fmt`, `import` and `force-unlock`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::{Instance, Mode as StateMode, Status};
use tokio::runtime::Runtime;

use crate::cli::args::{LockArgs, VarArgs};
use crate::cli::backend;
use crate::cli::setup;
use crate::cli::{print_warnings, Failure, Outcome};
use crate::config::Mode;
use crate::graph::NodeKind;
use crate::plan::planner::{self, PlanInput, PlanOptions};
use crate::plan::PlanMode;
use plinth_state::addr::without_keys;

/// `plinth init`: checks that every provider the configuration needs is built in, resolves and
/// saves the backend settings (`-backend-config` included) and, with `-migrate-state`, copies
/// every workspace's state and history from the previously initialised backend.
pub fn init(backend_config: &[String], migrate_state: bool, color: bool) -> Outcome {
    let loaded = setup::load_configuration()?;
    let sources = loaded.config.sources.clone();
    let mut diags = Diagnostics::new();
    let (providers, found) = match setup::providers_and_plugins(&loaded.config) {
        Ok(p) => p,
        Err(d) => {
            return Err(Failure {
                diagnostics: d,
                sources,
            })
        }
    };
    let overrides = backend::parse_backend_config(backend_config)?;
    let settings = backend::settings_from_config(&loaded.config, &overrides)?;
    if let Err(d) = backend::open_settings(&loaded.config, &settings, "default") {
        diags.extend(d);
    }
    diags.extend(crate::plan::validate::check(&loaded.config, &providers));
    if diags.has_errors() {
        return Err(Failure {
            diagnostics: diags,
            sources,
        });
    }
    print_warnings(&diags, &sources, color);
    crate::outln!("Initializing the backend...");
    let previous = backend::saved()
        .settings
        .unwrap_or_else(plinth_state::settings::BackendSettings::default_local);
    if previous != settings {
        if migrate_state {
            migrate(&loaded.config, &previous, &settings)?;
        } else if previous.kind != settings.kind || !previous.values.is_empty() {
            crate::outln!(
                "The backend changed from \"{}\" to \"{}\"; run `plinth init -migrate-state` to copy the existing state.",
                previous.kind, settings.kind
            );
        }
    }
    backend::save(&backend::Saved {
        settings: Some(settings),
        overrides,
    })?;
    crate::outln!("Initializing provider plugins...");
    crate::engine::plugins::write_lock(Path::new("."), &found)?;
    for node in loaded.graph.graph.node_weights() {
        if let NodeKind::Provider(key) = &node.kind {
            let name = crate::engine::providers::Providers::name_of(key);
            match found.iter().find(|f| f.required.local == name) {
                Some(f) => crate::outln!(
                    "- {key}: {} {} from {}",
                    f.package.address,
                    f.package.version,
                    f.package.source
                ),
                None => crate::outln!("- {key}: built in"),
            }
        }
    }
    crate::outln!("\nplinth has been successfully initialized!");
    Ok(0)
}

/// Copies each workspace's state and history from `previous` to `next`, under both locks.
fn migrate(
    config: &crate::config::Config,
    previous: &plinth_state::settings::BackendSettings,
    next: &plinth_state::settings::BackendSettings,
) -> Result<(), Failure> {
    let lock_args = LockArgs {
        lock: true,
        lock_timeout: "0s".into(),
    };
    let names = backend::open_settings(config, previous, "default")?
        .workspaces()
        .map_err(setup::state_error)?;
    for name in names {
        let from = backend::open_settings(config, previous, &name)?;
        let to = backend::open_settings(config, next, &name)?;
        let _from_lock = setup::lock(&from, &lock_args, "init -migrate-state")?;
        let _to_lock = setup::lock(&to, &lock_args, "init -migrate-state")?;
        let current = from.peek().map_err(setup::state_error)?;
        if current.serial == 0 && current.instances.is_empty() && current.outputs.is_empty() {
            continue;
        }
        let copied = to.migrate_from(&from).map_err(setup::state_error)?;
        crate::outln!(
            "Migrated workspace \"{name}\" ({copied} version(s)) from {} to {}.",
            from.describe(),
            to.describe()
        );
    }
    Ok(())
}

/// `plinth validate`.
pub fn validate(json: bool, color: bool) -> Outcome {
    let (diags, sources) = match setup::load_configuration() {
        Ok(loaded) => match setup::providers_for(&loaded.config) {
            Ok(providers) => {
                let mut diags = loaded.config.warnings.clone();
                diags.extend(crate::plan::validate::check(&loaded.config, &providers));
                (diags, loaded.config.sources)
            }
            Err(d) => (d, loaded.config.sources),
        },
        Err((d, s)) => (d, s),
    };
    if json {
        let items: Vec<serde_json::Value> = diags
            .0
            .iter()
            .map(|d| {
                serde_json::json!({
                    "severity": if d.severity == plinth_sdk::Severity::Error { "error" } else { "warning" },
                    "summary": d.summary,
                    "detail": d.detail,
                    "address": d.address,
                    "range": d.span.as_ref().map(|s| serde_json::json!({ "filename": s.file, "start": { "line": s.line, "column": s.column, "byte": s.start } })),
                })
            })
            .collect();
        crate::outln!(
            "{}",
            serde_json::json!({ "valid": !diags.has_errors(), "error_count": diags.0.iter().filter(|d| d.severity == plinth_sdk::Severity::Error).count(), "diagnostics": items })
        );
        return Ok(if diags.has_errors() { 1 } else { 0 });
    }
    if diags.has_errors() {
        return Err(Failure {
            diagnostics: diags,
            sources,
        });
    }
    print_warnings(&diags, &sources, color);
    crate::outln!("Success! The configuration is valid.");
    Ok(0)
}

fn formattable(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_dir() {
            if recursive && !name.starts_with('.') {
                formattable(&path, recursive, out)?;
            }
        } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
            out.push(path);
        }
    }
    Ok(())
}

/// `plinth fmt [-check] [-recursive] [PATH...]`: exit 3 with -check when a file needs changes.
pub fn fmt(check: bool, recursive: bool, paths: &[PathBuf]) -> Outcome {
    let mut files = Vec::new();
    let roots = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    for root in roots {
        if root.is_dir() {
            formattable(&root, recursive, &mut files).map_err(|e| {
                Diagnostic::error(format!("Failed to read {}", root.display()))
                    .with_detail(e.to_string())
            })?;
        } else {
            files.push(root);
        }
    }
    let mut unformatted = 0;
    let mut diags = Diagnostics::new();
    let mut sources = BTreeMap::new();
    for file in files {
        let shown = file
            .strip_prefix("./")
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).map_err(|e| {
            Diagnostic::error(format!("Failed to read {shown}")).with_detail(e.to_string())
        })?;
        match crate::config::format_source(&text) {
            Ok(formatted) if formatted != text => {
                unformatted += 1;
                crate::outln!("{shown}");
                if !check {
                    std::fs::write(&file, formatted).map_err(|e| {
                        Diagnostic::error(format!("Failed to write {shown}"))
                            .with_detail(e.to_string())
                    })?;
                }
            }
            Ok(_) => {}
            Err(d) => {
                sources.insert(shown.clone(), text);
                diags.extend(Diagnostics(
                    d.0.into_iter()
                        .map(|mut x| {
                            if let Some(s) = x.span.as_mut() {
                                s.file = shown.clone();
                            }
                            x
                        })
                        .collect(),
                ));
            }
        }
    }
    if diags.has_errors() {
        return Err(Failure {
            diagnostics: diags,
            sources,
        });
    }
    Ok(if check && unformatted > 0 { 3 } else { 0 })
}

/// `plinth import ADDRESS ID`.
pub fn import(
    runtime: &Runtime,
    vars: &VarArgs,
    lock: &LockArgs,
    address: &str,
    id: &str,
) -> Outcome {
    let loaded = setup::load_configuration()?;
    let sources = loaded.config.sources.clone();
    let with_sources = |d: Diagnostics| Failure {
        diagnostics: d,
        sources: sources.clone(),
    };
    let node_address = without_keys(address);
    let Some((node, _)) = loaded
        .graph
        .provider_of
        .iter()
        .find(|(n, _)| n.to_string() == node_address)
    else {
        return Err(Diagnostic::error("Configuration for import target does not exist")
            .with_detail(format!("The configuration does not declare a resource at {node_address}. Add a resource block for it first, then import."))
            .into());
    };
    let NodeKind::Resource {
        mode: Mode::Managed,
        ..
    } = &node.kind
    else {
        return Err(Diagnostic::error("Only managed resources can be imported").into());
    };
    let backend = crate::cli::backend::open_with_vars(&loaded.config, &vars.in_order())
        .map_err(with_sources)?;
    let lock_guard = setup::lock(&backend, lock, "import")?;
    let mut state = setup::load_state(&backend, &lock_guard)?;
    if state.instances.contains_key(address) {
        return Err(Diagnostic::error("Resource already managed by plinth")
            .with_detail(format!("plinth is already managing a remote object for {address}. To import to this address you must first remove the existing object from the state."))
            .into());
    }
    let (variables, _) = setup::variables(&loaded.config, vars).map_err(with_sources)?;
    let providers = setup::providers_for(&loaded.config).map_err(with_sources)?;
    // The same path as an `import` block: a plan of the target (and what it depends on) reads
    // the object and assumes as configured what its provider cannot read back.
    let options = PlanOptions {
        mode: PlanMode::Normal,
        refresh: true,
        targets: vec![address.to_string()],
        workspace: setup::workspace(),
        import: Some((address.to_string(), id.to_string())),
        ..PlanOptions::default()
    };
    let input = PlanInput {
        config: &loaded.config,
        graph: &loaded.graph,
        order: &loaded.order,
        state: &state,
        providers: &providers,
        variables: &variables,
        options: &options,
    };
    let (plan, warnings) = runtime
        .block_on(planner::make(&input))
        .map_err(with_sources)?;
    print_warnings(&warnings, &sources, false);
    let Some(imported) = plan.imported.iter().find(|i| i.address == address) else {
        return Err(Diagnostic::error("Import failed")
            .with_detail(format!("Planning found nothing to import to {address}."))
            .into());
    };
    let dependencies = plan
        .changes
        .iter()
        .find(|c| c.address == address && c.deposed.is_none())
        .map(|c| c.dependencies.clone())
        .unwrap_or_else(|| imported.dependencies.clone());
    state.instances.insert(
        address.to_string(),
        Instance {
            mode: StateMode::Managed,
            type_name: imported.type_name.clone(),
            provider: imported.provider.clone(),
            status: Status::Ready,
            sensitive_attributes: imported.sensitive_attributes.clone(),
            attributes: imported.value.to_json(),
            dependencies,
            create_before_destroy: false,
            schema_version: imported.schema_version,
            private: Instance::encode_private(&imported.private),
        },
    );
    state.serial += 1;
    backend
        .write_as(&state, "import", plinth_state::WriteCheck::Continue)
        .map_err(setup::state_error)?;
    crate::outln!("{address}: Import prepared!\n\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour plinth state and will henceforth be managed by plinth.");
    Ok(0)
}

/// `plinth force-unlock ID`.
pub fn force_unlock(id: &str) -> Outcome {
    let config = crate::config::load(Path::new(".")).map_err(|d| (d, BTreeMap::new()))?;
    let backend = setup::backend(&config)?;
    let holder = backend
        .force_unlock(id)
        .map_err(|e| Diagnostic::error("Failed to unlock state").with_detail(e.to_string()))?;
    crate::outln!(
        "plinth state has been successfully unlocked! (lock {} held by {} for {})",
        holder.id,
        holder.who,
        holder.operation
    );
    Ok(0)
}
