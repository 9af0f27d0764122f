//! The one place that turns the configuration into a state backend: the `backend` block
//! (evaluated early: literals, `var.*` from defaults, files and the environment, `local.*`,
//! `terraform.workspace`), the `-backend-config` values saved by `init`, the current workspace
//! and the `encryption` block. The rest of the command line holds the resulting
//! [`StateBackend`].
//!
//! Files: `.plinth/backend.json` (0600) keeps the backend settings resolved by the last `init`,
//! `-backend-config` values included; `.plinth/environment` names the selected workspace
//! (`TF_WORKSPACE` overrides it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plinth_sdk::{Diagnostic, Diagnostics, Value};
use plinth_state::crypto::{Codec, KeyProvider, Passphrase, TargetKeys, DEFAULT_ITERATIONS};
use plinth_state::settings::{flatten_setting, BackendSettings};
use plinth_state::{StateBackend, StateError};

use crate::config::{Body, CliVariable, Config, Expr, VarOptions};
use crate::eval::{self, Scope};

/// The directory of plinth's working files.
const WORK_DIR: &str = ".plinth";

fn saved_settings_path() -> PathBuf {
    Path::new(WORK_DIR).join("backend.json")
}

fn environment_path() -> PathBuf {
    Path::new(WORK_DIR).join("environment")
}

/// The selected workspace: `TF_WORKSPACE`, else `.plinth/environment`, else `default`.
pub fn current_workspace() -> String {
    if let Ok(name) = std::env::var("TF_WORKSPACE") {
        if !name.is_empty() {
            return name;
        }
    }
    std::fs::read_to_string(environment_path())
        .ok()
        .map(|text| text.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// Records `name` as the selected workspace.
pub fn select_workspace(name: &str) -> Result<(), Diagnostics> {
    std::fs::create_dir_all(WORK_DIR)
        .and_then(|()| std::fs::write(environment_path(), format!("{name}\n")))
        .map_err(|e| {
            Diagnostics::from(
                Diagnostic::error("Failed to select the workspace").with_detail(e.to_string()),
            )
        })
}

/// Answers `var.*`, `local.*` and `terraform.workspace` while evaluating backend and
/// encryption settings before planning.
struct EarlyScope<'a> {
    variables: BTreeMap<String, Value>,
    locals: BTreeMap<&'a str, &'a Expr>,
    workspace: String,
    depth: std::cell::Cell<usize>,
}

impl Scope for EarlyScope<'_> {
    fn resolve(&self, names: &[&str]) -> Result<(Value, usize), String> {
        match names {
            ["var", name, ..] => self
                .variables
                .get(*name)
                .map(|value| (value.clone(), 2))
                .ok_or_else(|| format!("Variable \"{name}\" has no value here: backend and encryption settings can use variables with defaults, *.tfvars files or TF_VAR_ environment variables, and backend settings also the -var and -var-file options of plan, apply and drift")),
            ["local", name, ..] => {
                let expr = self
                    .locals
                    .get(*name)
                    .ok_or_else(|| format!("Reference to undeclared local value \"{name}\""))?;
                if self.depth.get() > 32 {
                    return Err("Local values refer to each other in a cycle".to_string());
                }
                self.depth.set(self.depth.get() + 1);
                let value = eval::evaluate(&expr.expr, self);
                self.depth.set(self.depth.get() - 1);
                value.map(|value| (value, 2)).map_err(|e| e.summary)
            }
            ["terraform", "workspace", ..] => Ok((Value::from_json(&serde_json::json!(self.workspace)), 2)),
            _ => Err(format!(
                "Backend and encryption settings can refer only to variables, locals and terraform.workspace, not {}",
                names.join(".")
            )),
        }
    }
}

fn early_scope(config: &Config) -> EarlyScope<'_> {
    early_scope_with(config, &[])
}

/// The early scope with the `-var` and `-var-file` options `cli` applied on top of defaults,
/// files and the environment.
fn early_scope_with<'a>(config: &'a Config, cli: &[CliVariable]) -> EarlyScope<'a> {
    let options = VarOptions {
        cli: cli.to_vec(),
        interactive: false,
    };
    let variables = crate::config::root_variables(&config.root, Path::new("."), &options)
        .map(|(values, _)| values)
        .unwrap_or_default();
    EarlyScope {
        variables,
        locals: config
            .root
            .locals
            .iter()
            .map(|local| (local.name.as_str(), &local.expr))
            .collect(),
        workspace: current_workspace(),
        depth: std::cell::Cell::new(0),
    }
}

fn evaluate_body(
    body: &Body,
    scope: &EarlyScope<'_>,
) -> Result<BTreeMap<String, String>, Diagnostics> {
    let mut values = BTreeMap::new();
    for attribute in &body.attributes {
        let value = eval::evaluate(&attribute.expr.expr, scope).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(format!("Invalid backend setting \"{}\"", attribute.name))
                    .with_detail(format!("{} {}", e.summary, e.detail.unwrap_or_default()))
                    .with_span(attribute.expr.span.clone()),
            )
        })?;
        let (value, _) = value.unmark_deep();
        flatten_setting(&attribute.name, &value.to_json(), &mut values);
    }
    Ok(values)
}

/// Parses `-backend-config` values: `KEY=VALUE`, or a file of `key = value` lines (HCL).
pub fn parse_backend_config(items: &[String]) -> Result<BTreeMap<String, String>, Diagnostics> {
    let mut values = BTreeMap::new();
    for item in items {
        if let Some((key, value)) = item.split_once('=') {
            values.insert(key.trim().to_string(), value.to_string());
            continue;
        }
        let fail = |detail: String| {
            Diagnostics::from(
                Diagnostic::error(format!("Invalid -backend-config value {item:?}"))
                    .with_detail(detail),
            )
        };
        let text = std::fs::read_to_string(item).map_err(|e| {
            fail(format!(
                "Expected KEY=VALUE or the path of a file of settings: {e}"
            ))
        })?;
        let body: hcl::Body = hcl::from_str(&text).map_err(|e| fail(e.to_string()))?;
        for attribute in body.attributes() {
            let json: serde_json::Value =
                hcl::from_str::<serde_json::Value>(&format!("v = {}", attribute.expr()))
                    .map_err(|e| fail(e.to_string()))?
                    .get("v")
                    .cloned()
                    .unwrap_or_default();
            flatten_setting(attribute.key(), &json, &mut values);
        }
    }
    Ok(values)
}

/// The backend settings the configuration asks for, merged with `overrides`.
pub fn settings_from_config(
    config: &Config,
    overrides: &BTreeMap<String, String>,
) -> Result<BackendSettings, Diagnostics> {
    settings_with_vars(config, overrides, &[])
}

/// [`settings_from_config`] with the command's `-var` and `-var-file` options, so that one
/// configuration whose backend key uses a variable keeps one state per value
/// (`key = "estate/${var.region}.tfstate"` with `-var region=...`).
pub fn settings_with_vars(
    config: &Config,
    overrides: &BTreeMap<String, String>,
    cli: &[CliVariable],
) -> Result<BackendSettings, Diagnostics> {
    let mut settings = match &config.root.terraform.backend {
        None => BackendSettings::default_local(),
        Some(block) => BackendSettings {
            kind: block.kind.clone(),
            values: evaluate_body(&block.body, &early_scope_with(config, cli))?,
        },
    };
    settings.values.extend(overrides.clone());
    Ok(settings)
}

/// What `init` saved: the resolved settings and the `-backend-config` part of them.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct Saved {
    /// The settings in force after the last `init`.
    pub settings: Option<BackendSettings>,
    /// The `-backend-config` values given to that `init`.
    pub overrides: BTreeMap<String, String>,
}

/// What `init` saved last (nothing before the first `init`).
pub fn saved() -> Saved {
    std::fs::read(saved_settings_path())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Saves the settings `init` resolved (0600: a connection string may hold a password).
pub fn save(saved: &Saved) -> Result<(), Diagnostics> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let fail = |e: std::io::Error| {
        Diagnostics::from(
            Diagnostic::error("Failed to save the backend settings").with_detail(e.to_string()),
        )
    };
    std::fs::create_dir_all(WORK_DIR).map_err(fail)?;
    let bytes = serde_json::to_vec_pretty(saved).unwrap_or_default();
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(saved_settings_path())
        .and_then(|mut file| file.write_all(&bytes))
        .map_err(fail)
}

/// Opens the configured backend at the current workspace.
pub fn open(config: &Config) -> Result<StateBackend, Diagnostics> {
    open_with_vars(config, &[])
}

/// [`open`] with the command's `-var` and `-var-file` options applied to the backend block.
pub fn open_with_vars(config: &Config, cli: &[CliVariable]) -> Result<StateBackend, Diagnostics> {
    let settings = settings_with_vars(config, &saved().overrides, cli)?;
    open_settings(config, &settings, &current_workspace())
}

/// Opens the backend `settings` describe at workspace `workspace`, with the configuration's
/// state encryption.
pub fn open_settings(
    config: &Config,
    settings: &BackendSettings,
    workspace: &str,
) -> Result<StateBackend, Diagnostics> {
    if !plinth_state::store::valid_workspace_name(workspace) {
        return Err(
            Diagnostic::error(format!("Invalid workspace name {workspace:?}"))
                .with_detail("A workspace name has letters, digits, -, _ and . only.")
                .into(),
        );
    }
    let codec = codec(config, "state")?;
    let workspaces = settings.build().map_err(|e| backend_error(config, e))?;
    // The process's one runtime, entered by `cli::main` for every command.
    let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("No async runtime for the state backend").with_detail(e.to_string()),
        )
    })?;
    StateBackend::open_on(runtime, workspaces, workspace, codec)
        .map_err(|e| backend_error(config, e))
}

fn backend_error(config: &Config, error: StateError) -> Diagnostics {
    let mut diagnostic =
        Diagnostic::error("Error configuring the state backend").with_detail(error.to_string());
    if let Some(block) = &config.root.terraform.backend {
        diagnostic = diagnostic.with_span(block.span.clone());
    }
    diagnostic.into()
}

/// The codec of encryption target `target` (`state` or `plan`): plain without an
/// `encryption` block or without that target in it.
pub fn codec(config: &Config, target: &str) -> Result<Codec, Diagnostics> {
    let Some(block) = &config.root.terraform.encryption else {
        return Ok(Codec::plain());
    };
    let fail = |detail: String| {
        Diagnostics::from(
            Diagnostic::error("Invalid encryption configuration")
                .with_detail(detail)
                .with_span(block.span.clone()),
        )
    };
    let scope = early_scope(config);
    let mut providers = BTreeMap::new();
    let mut methods = BTreeMap::new();
    for nested in &block.body.blocks {
        let labels = nested.labels.join(".");
        match (nested.kind.as_str(), nested.labels.first().map(String::as_str)) {
            ("key_provider", Some("pbkdf2")) => {
                let values = evaluate_body(&nested.body, &scope)?;
                let passphrase = match (
                    values.get("passphrase"),
                    values.get("passphrase_env"),
                    values.get("passphrase_file"),
                ) {
                    (Some(text), None, None) => Passphrase::Literal(text.clone()),
                    (None, Some(variable), None) => Passphrase::Env(variable.clone()),
                    (None, None, Some(path)) => Passphrase::File(PathBuf::from(path)),
                    _ => return Err(fail(format!("key_provider {labels} needs exactly one of passphrase, passphrase_env or passphrase_file"))),
                };
                let iterations = match values.get("iterations") {
                    None => DEFAULT_ITERATIONS,
                    Some(text) => text
                        .parse()
                        .map_err(|_| fail(format!("key_provider {labels}: iterations must be a whole number")))?,
                };
                if let Some(hash) = values.get("hash_function") {
                    if hash != "sha512" {
                        return Err(fail(format!("key_provider {labels}: only hash_function = \"sha512\" is supported")));
                    }
                }
                providers.insert(
                    format!("key_provider.{labels}"),
                    KeyProvider {
                        name: labels.clone(),
                        passphrase,
                        iterations,
                    },
                );
            }
            ("method", Some("aes_gcm")) => {
                let keys = reference(&nested.body, "keys")
                    .ok_or_else(|| fail(format!("method {labels} needs keys = key_provider.pbkdf2.NAME")))?;
                methods.insert(format!("method.{labels}"), keys);
            }
            ("state" | "plan", None) => {}
            (kind, _) => {
                return Err(fail(format!(
                    "unsupported block {kind} {labels}: plinth supports key_provider \"pbkdf2\", method \"aes_gcm\", state and plan"
                )))
            }
        }
    }
    let Some(target_block) = block.body.blocks.iter().find(|b| b.kind == target) else {
        return Ok(Codec::plain());
    };
    let resolve = |method: &str| -> Result<KeyProvider, Diagnostics> {
        let keys = methods
            .get(method)
            .ok_or_else(|| fail(format!("{target}: no method {method}")))?;
        providers
            .get(keys)
            .cloned()
            .ok_or_else(|| fail(format!("{method}: no key provider {keys}")))
    };
    let method = reference(&target_block.body, "method")
        .ok_or_else(|| fail(format!("{target} needs method = method.aes_gcm.NAME")))?;
    let fallback = target_block
        .body
        .blocks
        .iter()
        .find(|b| b.kind == "fallback")
        .and_then(|b| reference(&b.body, "method"))
        .map(|m| resolve(&m))
        .transpose()?;
    let enforced = match target_block
        .body
        .attributes
        .iter()
        .find(|a| a.name == "enforced")
    {
        None => false,
        Some(attribute) => eval::evaluate(&attribute.expr.expr, &scope)
            .ok()
            .and_then(|value| value.unmark_deep().0.as_bool())
            .ok_or_else(|| fail(format!("{target}: enforced must be true or false")))?,
    };
    Codec::new(TargetKeys {
        primary: resolve(&method)?,
        fallback,
        enforced,
    })
    .map_err(|e| fail(e.to_string()))
}

/// The dotted text of a reference attribute (`keys = key_provider.pbkdf2.main`).
fn reference(body: &Body, name: &str) -> Option<String> {
    let attribute = body.attributes.iter().find(|a| a.name == name)?;
    eval::references(&attribute.expr.expr)
        .into_iter()
        .next()
        .map(|parts| parts.join("."))
}
