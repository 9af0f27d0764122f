//! The `docker_plugin` data source: an installed managed plugin, by `id` or `alias`, read from
//! the Engine API (`GET /plugins/{name}/json`; bollard has no plugin calls).
//!
//! As in kreuzwerker/docker v3, `alias` becomes the plugin's name, `name` and
//! `plugin_reference` its reference, and `grant_all_permissions` is not known from the engine
//! (it stays null).

use plinth_sdk::{Diagnostic, Diagnostics, Value};

use crate::attrs;
use crate::client::Engine;
use crate::engine_api;

/// Reads the plugin the configuration names by `id` or `alias` (exactly one of them).
pub async fn read_data(engine: &Engine, config: Value) -> Result<Value, Diagnostics> {
    let key = match (
        attrs::non_empty(&config, "id"),
        attrs::non_empty(&config, "alias"),
    ) {
        (Some(id), None) => id.to_string(),
        (None, Some(alias)) => alias.to_string(),
        _ => return Err(Diagnostic::error("one of id or alias must be assigned")
            .with_detail(
                "docker_plugin finds a plugin by its id or by its alias (name[:tag]), not both.",
            )
            .into()),
    };
    let (status, body) = engine_api::get(engine, &format!("/plugins/{key}/json")).await?;
    if !status.is_success() {
        return Err(
            Diagnostic::error(format!("reading the Docker plugin \"{key}\" failed"))
                .with_detail(format!("Docker: {}", engine_api::message(&body)))
                .into(),
        );
    }
    let plugin: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
        Diagnostic::error(format!(
            "the engine's answer about plugin \"{key}\" is not JSON"
        ))
        .with_detail(e.to_string())
    })?;
    let text = |pointer: &str| {
        attrs::string_or_null(plugin.pointer(pointer).and_then(serde_json::Value::as_str))
    };
    let env = plugin
        .pointer("/Settings/Env")
        .and_then(serde_json::Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(Value::string)
                .collect()
        })
        .unwrap_or_default();
    let enabled = plugin
        .get("Enabled")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    Ok(attrs::with(
        config,
        [
            ("id", text("/Id")),
            ("alias", text("/Name")),
            ("name", text("/PluginReference")),
            ("plugin_reference", text("/PluginReference")),
            ("enabled", Value::Bool(enabled)),
            ("grant_all_permissions", Value::Null),
            ("env", Value::set(env)),
        ],
    ))
}
