//! `plinth providers` (each provider the configuration needs, with its source, version and
//! where it was found) and `plinth providers schema -json` (Terraform's JSON format).

use std::collections::BTreeSet;

use plinth_plugin::discovery::ProviderAddress;
use plinth_plugin::ProviderSchemas;
use serde_json::json;

use crate::cli::args::ProvidersCommand;
use crate::cli::{setup, Failure, Outcome};
use crate::engine::plugins::{self, builtin_source, Found};
use crate::engine::providers::Providers;
use crate::graph::NodeKind;

/// Runs `providers` or one of its subcommands.
pub fn run(command: Option<ProvidersCommand>) -> Outcome {
    match command {
        None => list(),
        Some(ProvidersCommand::Schema { json }) => schema(json),
    }
}

/// The provider names the configuration uses or requires, and the external packages found.
fn needed() -> Result<(BTreeSet<String>, Vec<Found>), Failure> {
    let loaded = setup::load_configuration()?;
    let sources = loaded.config.sources.clone();
    let found = setup::plugins(&loaded.config).map_err(|d| Failure {
        diagnostics: d,
        sources,
    })?;
    let mut names: BTreeSet<String> = loaded
        .graph
        .graph
        .node_weights()
        .filter_map(|n| match &n.kind {
            NodeKind::Provider(key) => Some(Providers::name_of(key).to_string()),
            _ => None,
        })
        .collect();
    names.extend(
        loaded
            .config
            .root
            .terraform
            .required_providers
            .keys()
            .cloned(),
    );
    names.extend(found.iter().map(|f| f.required.local.clone()));
    Ok((names, found))
}

/// The full source address of a built-in provider.
fn builtin_address(name: &str) -> Option<String> {
    builtin_source(name)
        .and_then(|s| ProviderAddress::parse(s).ok())
        .map(|a| a.to_string())
}

/// `plinth providers`.
fn list() -> Outcome {
    let (names, found) = needed()?;
    let builtin = setup::providers();
    crate::outln!("Providers required by configuration:");
    for name in names {
        if let Some(f) = found.iter().find(|f| f.required.local == name) {
            let constraints = f.required.constraints.to_string();
            let constraints = if constraints.is_empty() {
                String::new()
            } else {
                format!(" {constraints}")
            };
            crate::outln!(
                "- provider[{}]{constraints}: {} from {}",
                f.package.address,
                f.package.version,
                f.package.source
            );
        } else if builtin.has(&name) {
            let address = builtin_address(&name).unwrap_or_else(|| name.clone());
            let implementing = plinth_provider_utility::BUILT_IN
                .iter()
                .find(|b| b.name == name)
                .map(|b| format!(", implementing {} v{}", b.source, b.version))
                .unwrap_or_default();
            crate::outln!("- provider[{address}]: built in{implementing}");
        } else {
            crate::outln!("- provider[{name}]: not available");
        }
    }
    Ok(0)
}

/// `plinth providers schema -json`.
fn schema(json: bool) -> Outcome {
    if !json {
        return Err(plinth_sdk::Diagnostic::error(
            "The `providers schema` command requires the -json flag",
        )
        .with_detail("plinth prints provider schemas only in Terraform's JSON format.")
        .into());
    }
    let (names, found) = needed()?;
    let handle = tokio::runtime::Handle::current();
    let loaded = handle.block_on(plugins::load(&found))?;
    let builtin = setup::providers();
    let mut schemas = serde_json::Map::new();
    for name in names {
        if let Some(i) = found.iter().position(|f| f.required.local == name) {
            schemas.insert(
                found[i].package.address.to_string(),
                loaded[i].schemas().to_terraform_json(),
            );
        } else if let Some(schema) = builtin.provider_schema(&name) {
            let address = builtin_address(&name).unwrap_or_else(|| name.clone());
            schemas.insert(
                address,
                ProviderSchemas::from_plinth(&schema).to_terraform_json(),
            );
        }
    }
    crate::outln!(
        "{}",
        json!({ "format_version": "1.0", "provider_schemas": schemas })
    );
    Ok(0)
}
