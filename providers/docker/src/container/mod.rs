//! `docker_container`: create (then start and optionally wait), batched refresh, in-place update
//! of restart policy / memory / CPU shares / running state, and delete.
//!
//! Guarantees: once the engine has made the container, every later failure (network connect,
//! start, e.g. a host port already taken, health wait) returns it as the partial object, so state
//! keeps it (tainted). Refresh lists all plinth-labelled containers in one call, then inspects the
//! survivors concurrently, because the list does not carry the host configuration that
//! `docker update` changes.

mod configured;
mod host;
mod observe;
mod run;
pub mod spec;
mod upload;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bollard::models::{ContainerInspectResponse, ContainerUpdateBody, NetworkConnectRequest};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, ListContainersOptionsBuilder,
    RemoveContainerOptions, StartContainerOptions,
};
use bollard::Docker;
use futures_util::{stream, StreamExt};
use plinth_sdk::{Diagnostic, Diagnostics, Intent, ObjectResponse, Value};

use crate::attrs::{self, MANAGED_LABEL};
use crate::client::{failed, is_not_found};

/// How many containers a refresh inspects at once.
const INSPECT_CONCURRENCY: usize = 16;
/// `wait_timeout` when unset, in seconds.
const DEFAULT_WAIT_SECS: i64 = 60;

fn is_conflict<T>(result: &Result<T, bollard::errors::Error>) -> bool {
    matches!(
        result,
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 409,
            ..
        })
    )
}

/// Whether a start failed because two networks share the name of one the container uses.
fn is_ambiguous_network<T>(result: &Result<T, bollard::errors::Error>) -> bool {
    matches!(
        result,
        Err(bollard::errors::Error::DockerResponseServerError { message, .. })
            if message.contains("is ambiguous")
    )
}

/// A container of this name left by an earlier run of the same address and workspace (created
/// just before that run died, so never recorded) is removed, so the create can be retried.
/// Anything else with the name is left alone and the conflict is reported. Returns None when the
/// container is not such an orphan, else whether it was removed (the engine may still be
/// finishing the killed run's create).
async fn remove_orphan_of(docker: &Docker, name: &str, intent: &Intent) -> Option<bool> {
    if intent.address.is_empty() {
        return None;
    }
    let existing = match docker
        .inspect_container(name, None::<InspectContainerOptions>)
        .await
    {
        Ok(existing) => existing,
        // Gone since the conflict (an interrupted create the engine rolled back): retry.
        Err(e) if is_not_found(&e) => return Some(false),
        Err(_) => return None,
    };
    let labels = existing.config.and_then(|c| c.labels).unwrap_or_default();
    let ours = labels.get(attrs::ADDRESS_LABEL) == Some(&intent.address)
        && labels.get(attrs::WORKSPACE_LABEL) == Some(&intent.workspace);
    if !ours {
        return None;
    }
    let options = RemoveContainerOptions {
        force: true,
        ..Default::default()
    };
    Some(docker.remove_container(name, Some(options)).await.is_ok())
}

/// How many times a create retries after removing an orphan of its own address.
const ORPHAN_RETRIES: u32 = 20;

/// A failed create: what it made before failing (recorded tainted), and why.
#[derive(Debug)]
pub struct CreateError {
    /// The container made before the failure, if any.
    pub partial: Option<Value>,
    /// What went wrong.
    pub diagnostics: Diagnostics,
}

impl From<Diagnostics> for CreateError {
    fn from(diagnostics: Diagnostics) -> CreateError {
        CreateError {
            partial: None,
            diagnostics,
        }
    }
}

impl From<CreateError> for ObjectResponse {
    fn from(error: CreateError) -> ObjectResponse {
        match error.partial {
            Some(partial) => ObjectResponse::partial(partial, error.diagnostics),
            None => ObjectResponse::failed(error.diagnostics),
        }
    }
}

/// Creates, connects, starts and (with `wait`) waits for a container.
pub async fn create(
    docker: &Docker,
    planned: Value,
    intent: &Intent,
) -> Result<Value, CreateError> {
    let spec = spec::from_planned(&planned, intent)?;
    let uploads = upload::planned(&planned)?;
    let name = spec.name.clone();
    let options = CreateContainerOptions {
        name: Some(name.clone()),
        platform: String::new(),
    };
    let mut created = docker
        .create_container(Some(options.clone()), spec.body.clone())
        .await;
    let mut attempts = 0;
    while is_conflict(&created) && attempts < ORPHAN_RETRIES {
        attempts += 1;
        match remove_orphan_of(docker, &name, intent).await {
            None => break,
            Some(true) => {}
            Some(false) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
        created = docker
            .create_container(Some(options.clone()), spec.body.clone())
            .await;
    }
    let created = created.map_err(|e| {
        Diagnostics::from(failed(format!("creating container \"{name}\" failed"), &e))
    })?;
    let id = created.id;
    let partial = |diagnostics: Diagnostics| CreateError {
        partial: Some(attrs::unknowns_to_null(attrs::with(
            planned.clone(),
            [("id", Value::string(&id))],
        ))),
        diagnostics,
    };
    for (network, endpoint) in spec.extra_networks {
        let request = NetworkConnectRequest {
            container: Some(id.clone()),
            endpoint_config: Some(endpoint),
        };
        docker
            .connect_network(&network, request)
            .await
            .map_err(|e| {
                partial(
                    failed(
                        format!("connecting container \"{name}\" to network \"{network}\" failed"),
                        &e,
                    )
                    .into(),
                )
            })?;
    }
    upload::write(docker, &id, &uploads)
        .await
        .map_err(partial)?;
    if !attrs::boolean(&planned, "start", true) {
        let inspect = inspect(docker, &id, &name).await.map_err(partial)?;
        return Ok(observe::with_computed(planned, &inspect));
    }
    if attrs::boolean(&planned, "attach", false) {
        return run::to_completion(docker, &id, &name, planned.clone())
            .await
            .map_err(partial);
    }
    let inspect = start_and_wait(docker, &id, &name, &planned)
        .await
        .map_err(partial)?;
    Ok(observe::with_computed(planned, &inspect))
}

/// The container the create with intent `token` made, if any (found by its intent label).
pub async fn find_by_intent(
    docker: &Docker,
    planned: Value,
    token: &str,
) -> Result<Option<Value>, Diagnostics> {
    let label = format!("{}={token}", attrs::INTENT_LABEL);
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let listed = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::new()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| failed("listing containers failed", &e))?;
    let Some(id) = listed.first().and_then(|c| c.id.clone()) else {
        return Ok(None);
    };
    let name = attrs::string(&planned, "name").unwrap_or(&id).to_string();
    let inspect = match docker
        .inspect_container(&id, None::<InspectContainerOptions>)
        .await
    {
        Ok(inspect) => inspect,
        // The engine rolls back a create whose client went away mid-way.
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(failed(format!("reading container \"{name}\" failed"), &e).into()),
    };
    // A create killed before the start leaves a container whose endpoints are not set up yet:
    // its networks are the planned ones; a stopped one reads `must_run = false`, so the plan
    // starts it rather than replacing it.
    let networks = planned
        .get("networks_advanced")
        .cloned()
        .unwrap_or(Value::Null);
    let refreshed = observe::refreshed(
        observe::with_computed(attrs::unknowns_to_null(planned), &inspect),
        &inspect,
    );
    Ok(Some(attrs::with(
        refreshed,
        [("networks_advanced", networks)],
    )))
}

/// Every container of the engine, stopped ones too.
pub async fn list_all(docker: &Docker) -> Result<Vec<Value>, Diagnostics> {
    let listed = docker
        .list_containers(Some(ListContainersOptionsBuilder::new().all(true).build()))
        .await
        .map_err(|e| failed("listing containers failed", &e))?;
    let mut out = Vec::new();
    for id in listed.iter().filter_map(|c| c.id.as_deref()) {
        match import(docker, id).await {
            Ok(value) => out.push(value),
            // Removed between the list and the inspect.
            Err(_)
                if docker
                    .inspect_container(id, None::<InspectContainerOptions>)
                    .await
                    .is_err() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The configured `network_mode` a container was made with: `bridge` when the engine names its
/// default mode or the first of its networks (which a create with `networks_advanced` attaches
/// through the mode).
fn network_mode(host: Option<&bollard::models::HostConfig>) -> String {
    match host.and_then(|h| h.network_mode.as_deref()) {
        Some(mode) if mode == "host" || mode == "none" || mode.starts_with("container:") => {
            mode.to_string()
        }
        _ => "bridge".to_string(),
    }
}

/// Reads an existing container by id or name (`plinth import docker_container.x ID`), with
/// every argument the engine reports in its configured shape.
pub async fn import(docker: &Docker, id: &str) -> Result<Value, Diagnostics> {
    let inspect = inspect(docker, id, id).await?;
    let image = inspect
        .config
        .as_ref()
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let host = inspect.host_config.as_ref();
    let config = inspect.config.as_ref();
    let flag = |set: Option<bool>| Value::Bool(set.unwrap_or(false));
    let base = Value::object([
        ("image", Value::string(image)),
        ("must_run", Value::Bool(true)),
        ("network_mode", Value::from(network_mode(host))),
        ("read_only", flag(host.and_then(|h| h.readonly_rootfs))),
        ("rm", flag(host.and_then(|h| h.auto_remove))),
        ("tty", flag(config.and_then(|c| c.tty))),
        ("stdin_open", flag(config.and_then(|c| c.open_stdin))),
    ]);
    // What the image brings (environment, labels, health check, volumes) is not the
    // container's own configuration; an image removed since reads as bringing nothing.
    let image_config = match inspect.image.as_deref() {
        Some(image) => docker
            .inspect_image(image)
            .await
            .ok()
            .and_then(|i| i.config),
        None => None,
    };
    let base = attrs::with(base, configured::read_back(&inspect, image_config.as_ref()));
    Ok(observe::refreshed(
        observe::with_computed(base, &inspect),
        &inspect,
    ))
}

/// Refreshes many containers: one list call (plinth's label, stopped ones too), then the
/// survivors' inspects concurrently. `None` for each container that is gone.
pub async fn read_many(
    docker: &Docker,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let label = format!("{MANAGED_LABEL}=true");
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let listed = docker
        .list_containers(Some(
            ListContainersOptionsBuilder::new()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| failed("listing containers failed", &e))?;
    let alive: HashSet<&str> = listed.iter().filter_map(|c| c.id.as_deref()).collect();
    let wanted: Vec<String> = priors
        .iter()
        .filter_map(|p| attrs::string(p, "id"))
        .filter(|id| alive.contains(id))
        .map(str::to_string)
        .collect();
    let inspected: Vec<(
        String,
        Result<ContainerInspectResponse, bollard::errors::Error>,
    )> = stream::iter(wanted)
        .map(|id| async move {
            let result = docker
                .inspect_container(&id, None::<InspectContainerOptions>)
                .await;
            (id, result)
        })
        .buffer_unordered(INSPECT_CONCURRENCY)
        .collect()
        .await;
    let mut by_id = HashMap::new();
    for (id, result) in inspected {
        match result {
            Ok(inspect) => {
                by_id.insert(id, inspect);
            }
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(failed(format!("reading container {id} failed"), &e).into()),
        }
    }
    Ok(priors
        .into_iter()
        .map(|prior| {
            let inspect = by_id.get(attrs::string(&prior, "id")?)?;
            Some(observe::refreshed(prior.clone(), inspect))
        })
        .collect())
}

/// Applies restart policy, memory and CPU shares through the update API and starts the container
/// again when it must run but does not.
pub async fn update(docker: &Docker, prior: Value, planned: Value) -> Result<Value, Diagnostics> {
    let id = attrs::required(&prior, "id")?.to_string();
    let name = attrs::string(&planned, "name").unwrap_or(&id).to_string();
    let changed = |attr: &str| prior.get(attr) != planned.get(attr);
    let updatable = [
        "restart",
        "max_retry_count",
        "memory",
        "memory_swap",
        "cpu_shares",
        "cpu_set",
    ];
    if updatable.into_iter().any(changed) {
        let memory = attrs::integer(&planned, "memory").filter(|m| *m > 0);
        let body = ContainerUpdateBody {
            restart_policy: Some(spec::restart_policy(&planned)?),
            memory: memory.map(|m| m * spec::MB),
            memory_swap: host::memory_swap(&planned),
            cpu_shares: attrs::integer(&planned, "cpu_shares").filter(|c| *c > 0),
            cpuset_cpus: attrs::non_empty(&planned, "cpu_set").map(str::to_string),
            ..ContainerUpdateBody::default()
        };
        docker
            .update_container(&id, body)
            .await
            .map_err(|e| failed(format!("updating container \"{name}\" failed"), &e))?;
    }
    let inspect = inspect(docker, &id, &name).await?;
    let keeps_running = attrs::boolean(&planned, "must_run", true)
        && attrs::boolean(&planned, "start", true)
        && !attrs::boolean(&planned, "attach", false);
    let inspect = if keeps_running && !observe::is_running(&inspect) {
        start_and_wait(docker, &id, &name, &planned).await?
    } else {
        inspect
    };
    Ok(observe::with_computed(planned, &inspect))
}

/// Removes the container (forcefully, with its anonymous volumes unless `remove_volumes` is
/// false), first stopping it with `destroy_grace_seconds` when set; one already gone is fine.
pub async fn delete(docker: &Docker, prior: Value) -> Result<(), Diagnostics> {
    let Some(id) = attrs::string(&prior, "id") else {
        return Ok(());
    };
    if let Some(grace) = attrs::integer(&prior, "destroy_grace_seconds").filter(|g| *g > 0) {
        run::stop(docker, id, grace).await;
    }
    let options = RemoveContainerOptions {
        force: true,
        v: attrs::boolean(&prior, "remove_volumes", true),
        link: false,
    };
    match docker.remove_container(id, Some(options)).await {
        Ok(()) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) if is_removal_in_progress(&e) => wait_until_removed(docker, id, &prior).await,
        Err(e) => Err(failed(
            format!(
                "deleting container \"{}\" failed",
                attrs::string(&prior, "name").unwrap_or(id)
            ),
            &e,
        )
        .into()),
    }
}

/// How long a delete waits for a removal someone else started (a killed run, say).
const REMOVAL_WAIT: Duration = Duration::from_secs(120);

/// Whether Docker refused a removal because one is already under way.
fn is_removal_in_progress(error: &bollard::errors::Error) -> bool {
    matches!(
        error,
        bollard::errors::Error::DockerResponseServerError { status_code: 409, message }
            if message.contains("already in progress")
    )
}

/// Waits until the container another removal is deleting is gone.
async fn wait_until_removed(docker: &Docker, id: &str, prior: &Value) -> Result<(), Diagnostics> {
    let started = std::time::Instant::now();
    loop {
        match docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
        {
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => {
                return Err(failed("waiting for a container removal failed", &e).into());
            }
            Ok(_) if started.elapsed() > REMOVAL_WAIT => {
                return Err(Diagnostic::error(format!(
                    "container \"{}\" is still being removed",
                    attrs::string(prior, "name").unwrap_or(id)
                ))
                .with_detail(format!(
                    "Docker was already removing it and had not finished after {}s.",
                    REMOVAL_WAIT.as_secs()
                ))
                .into());
            }
            Ok(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The plan of a container: health check durations spelled another way than in state (`90s`
/// for `1m30s`) are no change.
pub fn plan(prior: Option<&Value>, proposed: Value) -> Value {
    configured::durations_as_prior(prior, proposed)
}

/// Creates a plan refinement: removing a memory or CPU limit cannot be done in place (the update
/// API treats 0 as "leave as is"), so it replaces the container.
pub fn requires_replace(prior: Option<&Value>, proposed: &Value) -> Vec<String> {
    let Some(prior) = prior else {
        return Vec::new();
    };
    ["memory", "memory_swap", "cpu_shares"]
        .into_iter()
        .filter(|attr| {
            attrs::integer(prior, attr).unwrap_or(0) > 0
                && !proposed.get(attr).is_some_and(Value::is_unknown)
                && attrs::integer(proposed, attr).unwrap_or(0) == 0
        })
        .map(str::to_string)
        .collect()
}

async fn start_and_wait(
    docker: &Docker,
    id: &str,
    name: &str,
    planned: &Value,
) -> Result<ContainerInspectResponse, Diagnostics> {
    let mut started = docker
        .start_container(id, None::<StartContainerOptions>)
        .await;
    if is_ambiguous_network(&started) {
        // A network create of a killed run reached the engine late and made a second network
        // of the same name: remove it and start again.
        for network in attrs::blocks(planned, "networks_advanced") {
            if let Some(network) = attrs::non_empty(network, "name") {
                crate::network::remove_orphans_of(docker, network).await?;
            }
        }
        started = docker
            .start_container(id, None::<StartContainerOptions>)
            .await;
    }
    started.map_err(|e| failed(format!("starting container \"{name}\" failed"), &e))?;
    if !attrs::boolean(planned, "wait", false) {
        return inspect(docker, id, name).await;
    }
    let seconds = attrs::integer(planned, "wait_timeout")
        .unwrap_or(DEFAULT_WAIT_SECS)
        .max(1);
    observe::wait_until_ready(docker, id, name, Duration::from_secs(seconds as u64))
        .await
        .map_err(Diagnostics::from)
}

async fn inspect(
    docker: &Docker,
    id: &str,
    name: &str,
) -> Result<ContainerInspectResponse, Diagnostics> {
    docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| failed(format!("reading container \"{name}\" failed"), &e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_a_memory_limit_replaces_the_container() {
        let prior = Value::object([
            ("memory", Value::from(64i64)),
            ("cpu_shares", Value::from(512i64)),
        ]);
        let proposed =
            Value::object([("memory", Value::Null), ("cpu_shares", Value::from(256i64))]);
        assert_eq!(requires_replace(Some(&prior), &proposed), ["memory"]);
        assert!(requires_replace(None, &proposed).is_empty());
    }
}
