//! `docker_volume`: create, batched refresh and delete.
//!
//! The Engine's volume create is idempotent: asking for an existing name returns that volume.
//! plinth adopts it only when it carries the `plinth.managed` label (state was lost after plinth
//! made it); anyone else's volume is refused, so a destroy never deletes data plinth did not make.

use std::collections::HashMap;

use bollard::models::{Volume, VolumeCreateOptions};
use bollard::query_parameters::{ListVolumesOptions, RemoveVolumeOptions};
use bollard::Docker;
use plinth_sdk::{Diagnostic, Diagnostics, Intent, Value};

use crate::attrs::{self, MANAGED_LABEL};
use crate::client::{failed, is_not_found};

/// Creates a named (or engine-named) volume.
pub async fn create(
    docker: &Docker,
    planned: Value,
    intent: &Intent,
) -> Result<Value, Diagnostics> {
    let name = attrs::non_empty(&planned, "name").map(str::to_string);
    let shown = name.clone().unwrap_or_else(|| "(unnamed)".to_string());
    let options = VolumeCreateOptions {
        name: name.clone(),
        driver: Some(
            attrs::non_empty(&planned, "driver")
                .unwrap_or("local")
                .to_string(),
        ),
        driver_opts: Some(attrs::string_map(&planned, "driver_opts")),
        labels: Some(attrs::labels(&planned, name.as_deref(), intent)),
        ..VolumeCreateOptions::default()
    };
    let volume = docker
        .create_volume(options)
        .await
        .map_err(|e| failed(format!("creating volume \"{shown}\" failed"), &e))?;
    if volume.labels.get(MANAGED_LABEL).map(String::as_str) != Some("true") {
        return Err(Diagnostic::error(format!(
            "a volume named \"{shown}\" already exists and was not created by plinth"
        ))
        .with_detail("remove it, or choose another name")
        .into());
    }
    Ok(with_computed(planned, &volume))
}

/// Refreshes many volumes with one list call: `None` for each one that is gone.
pub async fn read_many(
    docker: &Docker,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let listed = docker
        .list_volumes(None::<ListVolumesOptions>)
        .await
        .map_err(|e| failed("listing volumes failed", &e))?;
    let volumes = listed.volumes.unwrap_or_default();
    let by_name: HashMap<&str, &Volume> = volumes.iter().map(|v| (v.name.as_str(), v)).collect();
    Ok(priors
        .into_iter()
        .map(|prior| {
            let name = attrs::string(&prior, "id").or_else(|| attrs::string(&prior, "name"))?;
            let volume = by_name.get(name)?;
            Some(with_computed(prior.clone(), volume))
        })
        .collect())
}

/// The volume the create with intent `token` made, if any (found by its intent label).
pub async fn find_by_intent(
    docker: &Docker,
    planned: Value,
    token: &str,
) -> Result<Option<Value>, Diagnostics> {
    let label = format!("{}={token}", attrs::INTENT_LABEL);
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let listed = docker
        .list_volumes(Some(
            bollard::query_parameters::ListVolumesOptionsBuilder::new()
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| failed("listing volumes failed", &e))?;
    Ok(listed
        .volumes
        .unwrap_or_default()
        .first()
        .map(|volume| with_computed(planned, volume)))
}

/// Reads an existing volume by name (`plinth import docker_volume.x NAME`).
pub async fn import(docker: &Docker, name: &str) -> Result<Value, Diagnostics> {
    let volume = docker
        .inspect_volume(name)
        .await
        .map_err(|e| failed(format!("reading volume \"{name}\" failed"), &e))?;
    let base = Value::object([
        ("name", Value::string(&volume.name)),
        ("driver", Value::string(&volume.driver)),
    ]);
    Ok(with_computed(base, &volume))
}

/// Deletes a volume; one already gone is fine, one still in use gives Docker's message.
pub async fn delete(docker: &Docker, prior: Value) -> Result<(), Diagnostics> {
    let Some(name) = attrs::string(&prior, "id").or_else(|| attrs::string(&prior, "name")) else {
        return Ok(());
    };
    match docker
        .remove_volume(name, None::<RemoveVolumeOptions>)
        .await
    {
        Ok(()) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(failed(format!("deleting volume \"{name}\" failed"), &e).into()),
    }
}

fn with_computed(value: Value, volume: &Volume) -> Value {
    attrs::with(
        value,
        [
            ("id", Value::string(&volume.name)),
            ("name", Value::string(&volume.name)),
            ("driver", Value::string(&volume.driver)),
            ("mountpoint", Value::string(&volume.mountpoint)),
        ],
    )
}
