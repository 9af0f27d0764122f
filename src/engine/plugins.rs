//! External providers of a configuration: every `required_providers` entry that is not a
//! built-in provider is found the way Terraform finds it (the CLI configuration's
//! `filesystem_mirror` and `dev_overrides`, `.terraform/providers`, the lock file, hashes
//! checked) and loaded as a plugin behind the provider contract.
//!
//! A built-in provider keeps its own types unless configuration asks for another source: a
//! `required_providers` entry naming a built-in with no source, or with the built-in's own
//! source, is the built-in.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use plinth_plugin::adapter::PluginFactory;
use plinth_plugin::discovery::{
    CliConfig, Constraints, Discovery, LockFile, Package, ProviderAddress, LOCK_FILE_NAME,
};
use plinth_plugin::{LaunchOptions, Timeouts};
use plinth_sdk::{Diagnostic, Diagnostics};

use crate::config::{Config, Module};

/// The source addresses of the built-in providers, by name.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("terraform", "terraform.io/builtin/terraform"),
    ("docker", "kreuzwerker/docker"),
    ("digitalocean", "digitalocean/digitalocean"),
];

/// The registry source a built-in provider stands in for: the cloud providers above and the
/// utility providers (`hashicorp/random`, ...).
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTIN_SOURCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
        .or_else(|| {
            plinth_provider_utility::BUILT_IN
                .iter()
                .find(|b| b.name == name)
                .map(|b| b.source)
        })
}

/// One external provider the configuration requires.
#[derive(Clone, Debug)]
pub struct Required {
    /// The local name (`demo`), which its resource types start with.
    pub local: String,
    /// The source address.
    pub address: ProviderAddress,
    /// The version constraints of every module that names it, combined.
    pub constraints: Constraints,
}

/// A required provider with the package chosen for it.
#[derive(Clone, Debug)]
pub struct Found {
    /// What was required.
    pub required: Required,
    /// The package.
    pub package: Package,
}

/// Whether `local` with `source` names a built-in provider among `builtin`.
fn is_builtin(local: &str, source: Option<&str>, builtin: &[&str]) -> bool {
    if !builtin.contains(&local) {
        return false;
    }
    let Some(source) = source else {
        return true;
    };
    let own = builtin_source(local).and_then(|s| ProviderAddress::parse(s).ok());
    match (ProviderAddress::parse(source), own) {
        (Ok(asked), Some(own)) => asked == own,
        _ => false,
    }
}

/// Every external provider the configuration's modules require, by local name.
pub fn required(config: &Config, builtin: &[&str]) -> Result<Vec<Required>, Diagnostics> {
    let mut texts: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut diags = Diagnostics::new();
    collect(&config.root, builtin, &mut texts, &mut diags);
    let mut out = Vec::new();
    for (local, (source, constraints)) in texts {
        let address = match ProviderAddress::parse(&source) {
            Ok(a) => a,
            Err(e) => {
                diags.push(
                    Diagnostic::error("Invalid provider source address")
                        .with_detail(format!("required_providers \"{local}\": {e}")),
                );
                continue;
            }
        };
        match Constraints::parse(&constraints.join(", ")) {
            Ok(constraints) => out.push(Required {
                local,
                address,
                constraints,
            }),
            Err(e) => diags.push(
                Diagnostic::error("Invalid provider version constraint")
                    .with_detail(format!("required_providers \"{local}\": {e}")),
            ),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(out)
}

fn collect(
    module: &Module,
    builtin: &[&str],
    out: &mut BTreeMap<String, (String, Vec<String>)>,
    diags: &mut Diagnostics,
) {
    for (local, entry) in &module.terraform.required_providers {
        if is_builtin(local, entry.source.as_deref(), builtin) {
            continue;
        }
        // Terraform's default for a provider without a source: hashicorp/NAME.
        let source = entry
            .source
            .clone()
            .unwrap_or_else(|| format!("hashicorp/{local}"));
        let slot = out
            .entry(local.clone())
            .or_insert_with(|| (source.clone(), Vec::new()));
        if slot.0 != source {
            diags.push(
                Diagnostic::error(format!("Conflicting sources for provider \"{local}\""))
                    .with_detail(format!(
                    "One module asks for {} and another for {source}; use different local names.",
                    slot.0
                )),
            );
        }
        if let Some(version) = &entry.version {
            slot.1.push(version.clone());
        }
    }
    for call in &module.module_calls {
        collect(&call.module, builtin, out, diags);
    }
}

/// Finds a package for every required provider, the locked version when `.terraform.lock.hcl`
/// names one (its hashes checked).
pub fn discover(dir: &Path, required: &[Required]) -> Result<Vec<Found>, Diagnostics> {
    if required.is_empty() {
        return Ok(Vec::new());
    }
    let fail = |e: &dyn std::fmt::Display| {
        Diagnostics::from(
            Diagnostic::error("Failed to find provider plugins").with_detail(e.to_string()),
        )
    };
    let cli = CliConfig::load().map_err(|e| fail(&e))?;
    let lock = read_lock(dir)?;
    let discovery = Discovery::new(cli, dir);
    let mut found = Vec::new();
    let mut diags = Diagnostics::new();
    for r in required {
        match discovery.find(&r.address, &r.constraints, lock.providers.get(&r.address)) {
            Ok(package) => found.push(Found {
                required: r.clone(),
                package,
            }),
            Err(e) => diags.push(
                Diagnostic::error(format!("Provider \"{}\" is not available", r.local))
                    .with_detail(format!(
                        "required_providers asks for \"{}\" ({}): {e}",
                        r.local, r.address
                    )),
            ),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(found)
}

/// The lock file of `dir`, empty when there is none.
pub fn read_lock(dir: &Path) -> Result<LockFile, Diagnostics> {
    let path = dir.join(LOCK_FILE_NAME);
    if !path.exists() {
        return Ok(LockFile::default());
    }
    LockFile::read(&path).map_err(|e| {
        Diagnostic::error("Invalid dependency lock file")
            .with_detail(e.to_string())
            .into()
    })
}

/// Records the chosen packages in `dir`'s lock file (other entries kept).
pub fn write_lock(dir: &Path, found: &[Found]) -> Result<(), Diagnostics> {
    let mut lock = read_lock(dir)?;
    let fail = |e: &dyn std::fmt::Display| {
        Diagnostics::from(
            Diagnostic::error("Failed to write the dependency lock file")
                .with_detail(e.to_string()),
        )
    };
    for f in found {
        if matches!(
            f.package.source,
            plinth_plugin::discovery::PackageSource::DevOverride(_)
        ) {
            continue;
        }
        let previous = lock.providers.get(&f.package.address);
        let entry = Discovery::lock_entry(&f.package, &f.required.constraints, previous)
            .map_err(|e| fail(&e))?;
        lock.providers.insert(f.package.address.clone(), entry);
    }
    if lock.providers.is_empty() {
        return Ok(());
    }
    lock.write(&dir.join(LOCK_FILE_NAME)).map_err(|e| fail(&e))
}

/// How long plinth waits for each call: `PLINTH_PLUGIN_TIMEOUT` (seconds) caps plans, reads and
/// applies; otherwise the defaults.
fn timeouts() -> Timeouts {
    let mut t = Timeouts::default();
    if let Some(secs) = std::env::var("PLINTH_PLUGIN_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
    {
        let d = Duration::from_secs_f64(secs);
        t.read_plan = d;
        t.apply = d;
        t.metadata = t.metadata.min(d.max(Duration::from_secs(30)));
    }
    t
}

/// Starts each found provider once for its schemas and makes its factory.
pub async fn load(found: &[Found]) -> Result<Vec<Arc<PluginFactory>>, Diagnostics> {
    let mut factories = Vec::new();
    let mut diags = Diagnostics::new();
    for f in found {
        let mut launch = LaunchOptions::new(f.package.address.to_string(), &f.package.executable);
        launch.timeouts = timeouts();
        launch.echo_stderr = ["PLINTH_LOG", "TF_LOG"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
        match PluginFactory::load(f.required.local.clone(), launch).await {
            Ok((factory, warnings)) => {
                diags.extend(plinth_plugin::diagnostics_to_plinth(&warnings, None));
                factories.push(Arc::new(factory));
            }
            Err(e) => diags.push(
                Diagnostic::error(format!("Failed to start provider \"{}\"", f.required.local))
                    .with_detail(e.to_string()),
            ),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(factories)
}
