//! What the engine reports about a container, folded back into its plinth value, and waiting
//! until a started container is healthy (or at least running).
//!
//! Only what can change without a new container id is read back: the name (`docker rename`),
//! whether it runs (`must_run`), restart policy, memory and CPU shares (`docker update`), attached
//! networks (`docker network disconnect`), plus the computed attributes. Everything else is fixed
//! at create time, so the prior value stays the truth for it.

use std::time::{Duration, Instant};

use bollard::models::{ContainerInspectResponse, HealthStatusEnum};
use bollard::query_parameters::InspectContainerOptions;
use bollard::Docker;
use plinth_sdk::{Diagnostic, Value};

use super::spec::{restart_name, MB};
use crate::attrs;
use crate::client::failed;

/// How often `wait` polls the container's state.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// `value` with its computed attributes filled from `inspect` (after create or update).
pub fn with_computed(value: Value, inspect: &ContainerInspectResponse) -> Value {
    let config = inspect.config.as_ref();
    let host = inspect.host_config.as_ref();
    let fill_number =
        |value: &Value, name: &str, actual: Option<i64>| match attrs::integer(value, name) {
            Some(n) => Value::from(n),
            None => actual.map(Value::from).unwrap_or(Value::Null),
        };
    let fill_string =
        |value: &Value, name: &str, actual: Option<&str>| match attrs::string(value, name) {
            Some(s) => Value::string(s),
            None => attrs::string_or_null(actual),
        };
    let fill_list =
        |value: &Value, name: &str, actual: Option<&Vec<String>>| match attrs::strings(value, name)
        {
            Some(list) => Value::List(list.into_iter().map(Value::String).collect()),
            None => Value::List(
                actual
                    .map(|l| l.iter().cloned().map(Value::String).collect())
                    .unwrap_or_default(),
            ),
        };
    let log_driver = host
        .and_then(|h| h.log_config.as_ref())
        .and_then(|l| l.typ.as_deref());
    let pairs = [
        ("id", attrs::string_or_null(inspect.id.as_deref())),
        ("exit_code", exit_code(inspect)),
        ("network_data", network_data(inspect)),
        ("ports", published_ports(&value, inspect)),
        (
            "command",
            fill_list(&value, "command", config.and_then(|c| c.cmd.as_ref())),
        ),
        (
            "entrypoint",
            fill_list(
                &value,
                "entrypoint",
                config.and_then(|c| c.entrypoint.as_ref()),
            ),
        ),
        (
            "user",
            fill_string(&value, "user", config.and_then(|c| c.user.as_deref())),
        ),
        (
            "working_dir",
            fill_string(
                &value,
                "working_dir",
                config.and_then(|c| c.working_dir.as_deref()),
            ),
        ),
        (
            "hostname",
            fill_string(
                &value,
                "hostname",
                config.and_then(|c| c.hostname.as_deref()),
            ),
        ),
        ("log_driver", fill_string(&value, "log_driver", log_driver)),
        (
            "ipc_mode",
            fill_string(&value, "ipc_mode", host.and_then(|h| h.ipc_mode.as_deref())),
        ),
        (
            "runtime",
            fill_string(&value, "runtime", host.and_then(|h| h.runtime.as_deref())),
        ),
        (
            "stop_signal",
            fill_string(
                &value,
                "stop_signal",
                config.and_then(|c| c.stop_signal.as_deref()),
            ),
        ),
        (
            "stop_timeout",
            fill_number(&value, "stop_timeout", config.and_then(|c| c.stop_timeout)),
        ),
        (
            "shm_size",
            fill_number(
                &value,
                "shm_size",
                host.and_then(|h| h.shm_size).map(|s| s / MB),
            ),
        ),
        (
            "security_opts",
            match attrs::strings(&value, "security_opts") {
                Some(list) => Value::set(list.into_iter().map(Value::String).collect()),
                None => Value::set(
                    host.and_then(|h| h.security_opt.as_ref())
                        .map(|l| l.iter().cloned().map(Value::String).collect())
                        .unwrap_or_default(),
                ),
            },
        ),
        (
            "bridge",
            attrs::string_or_null(
                inspect
                    .network_settings
                    .as_ref()
                    .and_then(|n| n.bridge.as_deref()),
            ),
        ),
        (
            "container_logs",
            value.get("container_logs").cloned().unwrap_or(Value::Null),
        ),
    ];
    attrs::unknowns_to_null(attrs::with(value, pairs))
}

/// The prior value as the container now is (refresh): drift in the attributes that can change
/// in place shows as a difference from the configuration.
pub fn refreshed(prior: Value, inspect: &ContainerInspectResponse) -> Value {
    let host = inspect.host_config.as_ref();
    // A stopped container that must run reads as `must_run = false`: the plan then shows the
    // configured `true` as an in-place update, which starts it again.
    // Containers that are not started, run to completion (`attach`) or remove themselves (`rm`)
    // are expected to stop.
    let kept_running = attrs::boolean(&prior, "start", true)
        && !attrs::boolean(&prior, "attach", false)
        && !attrs::boolean(&prior, "rm", false);
    let must_run =
        if kept_running && attrs::boolean(&prior, "must_run", true) && !is_running(inspect) {
            Value::Bool(false)
        } else {
            prior.get("must_run").cloned().unwrap_or(Value::Null)
        };
    let keep_zero = |name: &str, actual: i64| {
        if actual == 0 && attrs::integer(&prior, name).unwrap_or(0) == 0 {
            prior.get(name).cloned().unwrap_or(Value::Null)
        } else {
            Value::from(actual)
        }
    };
    let memory = keep_zero("memory", host.and_then(|h| h.memory).unwrap_or(0) / MB);
    let cpu_shares = keep_zero("cpu_shares", host.and_then(|h| h.cpu_shares).unwrap_or(0));
    let max_retry_count = keep_zero(
        "max_retry_count",
        host.and_then(|h| h.restart_policy.as_ref())
            .and_then(|r| r.maximum_retry_count)
            .unwrap_or(0),
    );
    // Swap is only reported back when configured (the engine derives it from `memory`).
    let memory_swap = match (
        prior.get("memory_swap").filter(|v| !v.is_null()),
        host.and_then(|h| h.memory_swap),
    ) {
        (Some(_), Some(-1)) => Value::from(-1i64),
        (Some(_), Some(bytes)) if bytes > 0 => Value::from(bytes / MB),
        (configured, _) => configured.cloned().unwrap_or(Value::Null),
    };
    let cpu_set = match host.and_then(|h| h.cpuset_cpus.as_deref()) {
        Some(set) if !set.is_empty() => Value::string(set),
        _ if attrs::string(&prior, "cpu_set").is_none() => {
            prior.get("cpu_set").cloned().unwrap_or(Value::Null)
        }
        _ => Value::Null,
    };
    let pairs = [
        (
            "name",
            Value::string(
                inspect
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .trim_start_matches('/'),
            ),
        ),
        ("must_run", must_run),
        (
            "restart",
            Value::from(restart_name(host.and_then(|h| h.restart_policy.as_ref()))),
        ),
        ("memory", memory),
        ("memory_swap", memory_swap),
        ("cpu_shares", cpu_shares),
        ("cpu_set", cpu_set),
        ("max_retry_count", max_retry_count),
        ("networks_advanced", attached_networks(&prior, inspect)),
        ("exit_code", exit_code(inspect)),
        ("network_data", network_data(inspect)),
    ];
    // Attributes the prior left out stay left out when there is nothing to report.
    let pairs: Vec<_> = pairs
        .into_iter()
        .filter(|(k, v)| !v.is_null() || prior.get(k).is_some())
        .collect();
    attrs::with(prior, pairs)
}

/// Waits until the container `name` is healthy (when it has a health check) or running, up to
/// `timeout`. The error says what was last seen, or that the engine stopped answering.
pub async fn wait_until_ready(
    docker: &Docker,
    id: &str,
    name: &str,
    timeout: Duration,
) -> Result<ContainerInspectResponse, Diagnostic> {
    let unready = |detail: String| {
        Diagnostic::error(format!("container \"{name}\" did not become healthy"))
            .with_detail(detail)
    };
    let deadline = Instant::now() + timeout;
    loop {
        let inspect = docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(|e| failed(format!("waiting for container \"{name}\" failed"), &e))?;
        let state = inspect.state.as_ref();
        let health = state.and_then(|s| s.health.as_ref()).and_then(|h| h.status);
        match health {
            Some(HealthStatusEnum::HEALTHY) => return Ok(inspect),
            Some(HealthStatusEnum::UNHEALTHY) => {
                return Err(unready(format!(
                    "container is unhealthy; last health check: {}",
                    last_health_output(&inspect)
                )))
            }
            Some(HealthStatusEnum::STARTING) => {}
            _ if is_running(&inspect) => return Ok(inspect),
            _ => {}
        }
        if !is_running(&inspect) && state.and_then(|s| s.restarting) != Some(true) {
            return Err(unready(format!(
                "container exited with code {}",
                state.and_then(|s| s.exit_code).unwrap_or(-1)
            )));
        }
        if Instant::now() >= deadline {
            return Err(unready(format!(
                "container not healthy after {}s (health: {})",
                timeout.as_secs(),
                health
                    .map(|h| h.to_string())
                    .unwrap_or_else(|| "none".into())
            )));
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Whether the container's main process runs.
pub fn is_running(inspect: &ContainerInspectResponse) -> bool {
    inspect
        .state
        .as_ref()
        .and_then(|s| s.running)
        .unwrap_or(false)
}

fn last_health_output(inspect: &ContainerInspectResponse) -> String {
    inspect
        .state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.log.as_ref())
        .and_then(|log| log.last())
        .map(|r| {
            format!(
                "exit {} {}",
                r.exit_code.unwrap_or(-1),
                r.output.as_deref().unwrap_or("").trim()
            )
        })
        .unwrap_or_else(|| "none recorded".to_string())
}

fn exit_code(inspect: &ContainerInspectResponse) -> Value {
    if is_running(inspect) {
        return Value::Null;
    }
    inspect
        .state
        .as_ref()
        .and_then(|s| s.exit_code)
        .map(Value::from)
        .unwrap_or(Value::Null)
}

fn network_data(inspect: &ContainerInspectResponse) -> Value {
    let networks = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref());
    let mut entries: Vec<(&String, Value)> = networks
        .into_iter()
        .flatten()
        .map(|(name, endpoint)| {
            let entry = Value::object([
                ("network_name", Value::string(name)),
                (
                    "ip_address",
                    Value::string(endpoint.ip_address.clone().unwrap_or_default()),
                ),
                (
                    "ip_prefix_length",
                    Value::from(endpoint.ip_prefix_len.unwrap_or(0)),
                ),
                (
                    "gateway",
                    Value::string(endpoint.gateway.clone().unwrap_or_default()),
                ),
                (
                    "mac_address",
                    Value::string(endpoint.mac_address.clone().unwrap_or_default()),
                ),
                (
                    "global_ipv6_address",
                    Value::string(endpoint.global_ipv6_address.clone().unwrap_or_default()),
                ),
                (
                    "global_ipv6_prefix_length",
                    Value::from(endpoint.global_ipv6_prefix_len.unwrap_or(0)),
                ),
                (
                    "ipv6_gateway",
                    Value::string(endpoint.ipv6_gateway.clone().unwrap_or_default()),
                ),
            ]);
            (name, entry)
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Value::List(entries.into_iter().map(|(_, v)| v).collect())
}

/// The prior `networks_advanced` entries the container is still attached to (by name or id).
fn attached_networks(prior: &Value, inspect: &ContainerInspectResponse) -> Value {
    let Some(configured) = prior.get("networks_advanced").filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    let networks = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref());
    let attached = |wanted: &str| {
        networks.into_iter().flatten().any(|(name, endpoint)| {
            name == wanted
                || endpoint
                    .network_id
                    .as_deref()
                    .is_some_and(|id| !wanted.is_empty() && id.starts_with(wanted))
        })
    };
    let keep = |items: &[Value]| -> Vec<Value> {
        items
            .iter()
            .filter(|n| attrs::string(n, "name").is_some_and(attached))
            .cloned()
            .collect()
    };
    match configured.unmarked() {
        Value::Set(items) => Value::Set(keep(items)),
        Value::List(items) => Value::List(keep(items)),
        other => other.clone(),
    }
}

/// The `ports` blocks with engine-chosen host ports filled in.
fn published_ports(value: &Value, inspect: &ContainerInspectResponse) -> Value {
    let Some(ports) = value.get("ports").filter(|v| !v.is_null()) else {
        return Value::Null;
    };
    let bound = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.as_ref());
    let fill = |port: &Value| {
        if attrs::integer(port, "external").is_some() {
            return port.clone();
        }
        let key = format!(
            "{}/{}",
            attrs::integer(port, "internal").unwrap_or(0),
            attrs::non_empty(port, "protocol").unwrap_or("tcp")
        );
        let external = bound
            .and_then(|b| b.get(&key))
            .and_then(|b| b.as_ref())
            .and_then(|b| b.first())
            .and_then(|b| b.host_port.as_deref())
            .and_then(|p| p.parse::<i64>().ok());
        attrs::with(
            port.clone(),
            [("external", external.map(Value::from).unwrap_or(Value::Null))],
        )
    };
    match ports.unmarked() {
        Value::List(items) => Value::List(items.iter().map(fill).collect()),
        Value::Set(items) => Value::set(items.iter().map(fill).collect()),
        other => other.clone(),
    }
}
