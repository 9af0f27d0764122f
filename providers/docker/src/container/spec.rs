//! Translating a planned `docker_container` value into the Engine's create request.
//!
//! Pure and synchronous, so every rule (ports, mounts, networks, health check, restart policy,
//! memory in MB) is unit-tested without an engine. Bad input gives a diagnostic, never a panic.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HealthConfig, HostConfig,
    HostConfigLogConfig, NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Intent, Value};

use super::host;
use crate::attrs;

/// Bytes in the megabyte the `memory` attribute counts in.
pub const MB: i64 = 1024 * 1024;

/// What creating one container takes.
#[derive(Debug)]
pub struct Spec {
    /// The container name.
    pub name: String,
    /// The create request; it attaches the first network of `networks_advanced`.
    pub body: ContainerCreateBody,
    /// Further networks to connect before the container starts.
    pub extra_networks: Vec<(String, EndpointSettings)>,
}

/// Builds the create request from a planned value.
pub fn from_planned(planned: &Value, intent: &Intent) -> Result<Spec, Diagnostics> {
    let name = attrs::required(planned, "name")?.to_string();
    let image = attrs::required(planned, "image")?.to_string();
    let (exposed_ports, port_bindings) = ports(planned)?;
    let (binds, anonymous) = mounts(planned)?;
    let mut networks = networks(planned).into_iter();
    // The default `bridge` mode with `networks_advanced` attaches the first of those networks
    // at create instead (the rest are connected before the start).
    let mode = attrs::non_empty(planned, "network_mode").unwrap_or("bridge");
    let first_network = if mode == "bridge" {
        networks.next()
    } else {
        None
    };
    let network_mode = match &first_network {
        Some((name, _)) => Some(name.clone()),
        None => Some(mode.to_string()),
    };
    let memory = attrs::integer(planned, "memory").filter(|m| *m > 0);
    let mut host_config = HostConfig {
        binds: (!binds.is_empty()).then_some(binds),
        port_bindings: (!port_bindings.is_empty()).then_some(port_bindings),
        restart_policy: Some(restart_policy(planned)?),
        memory: memory.map(|m| m * MB),
        cpu_shares: attrs::integer(planned, "cpu_shares").filter(|c| *c > 0),
        log_config: attrs::non_empty(planned, "log_driver").map(|d| HostConfigLogConfig {
            typ: Some(d.to_string()),
            config: None,
        }),
        network_mode,
        ..HostConfig::default()
    };
    host::apply(planned, &mut host_config)?;
    let body = ContainerCreateBody {
        image: Some(image),
        cmd: attrs::strings(planned, "command").filter(|c| !c.is_empty()),
        entrypoint: attrs::strings(planned, "entrypoint").filter(|e| !e.is_empty()),
        env: attrs::strings(planned, "env"),
        user: attrs::non_empty(planned, "user").map(str::to_string),
        working_dir: attrs::non_empty(planned, "working_dir").map(str::to_string),
        hostname: attrs::non_empty(planned, "hostname").map(str::to_string),
        domainname: attrs::non_empty(planned, "domainname").map(str::to_string),
        stop_signal: attrs::non_empty(planned, "stop_signal").map(str::to_string),
        stop_timeout: attrs::integer(planned, "stop_timeout"),
        tty: Some(attrs::boolean(planned, "tty", false)),
        open_stdin: Some(attrs::boolean(planned, "stdin_open", false)),
        labels: Some(attrs::labels(planned, Some(&name), intent)),
        healthcheck: healthcheck(planned)?,
        exposed_ports: (!exposed_ports.is_empty()).then_some(exposed_ports),
        volumes: (!anonymous.is_empty()).then_some(anonymous),
        host_config: Some(host_config),
        networking_config: first_network.map(|(n, endpoint)| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(n, endpoint)])),
        }),
        ..ContainerCreateBody::default()
    };
    Ok(Spec {
        name,
        body,
        extra_networks: networks.collect(),
    })
}

/// The restart policy named by `restart` (`no` when unset).
pub fn restart_policy(planned: &Value) -> Result<RestartPolicy, Diagnostics> {
    let name = match attrs::non_empty(planned, "restart").unwrap_or("no") {
        "no" => RestartPolicyNameEnum::NO,
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        other => {
            return Err(
                Diagnostic::error(format!("invalid restart policy \"{other}\""))
                    .with_detail("expected one of: no, on-failure, always, unless-stopped")
                    .with_attribute(AttrPath::attr("restart"))
                    .into(),
            )
        }
    };
    Ok(RestartPolicy {
        name: Some(name),
        maximum_retry_count: attrs::integer(planned, "max_retry_count")
            .filter(|_| name == RestartPolicyNameEnum::ON_FAILURE),
    })
}

/// The `restart` attribute's spelling of a policy the engine reports.
pub fn restart_name(policy: Option<&RestartPolicy>) -> &'static str {
    match policy.and_then(|p| p.name) {
        Some(RestartPolicyNameEnum::ALWAYS) => "always",
        Some(RestartPolicyNameEnum::UNLESS_STOPPED) => "unless-stopped",
        Some(RestartPolicyNameEnum::ON_FAILURE) => "on-failure",
        _ => "no",
    }
}

type PortMaps = (
    HashMap<String, HashMap<(), ()>>,
    HashMap<String, Option<Vec<PortBinding>>>,
);

fn ports(planned: &Value) -> Result<PortMaps, Diagnostics> {
    let mut exposed = HashMap::new();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for (index, port) in attrs::blocks(planned, "ports").into_iter().enumerate() {
        let internal = attrs::integer(port, "internal").filter(|p| (1..=65535).contains(p));
        let Some(internal) = internal else {
            return Err(Diagnostic::error(
                "ports.internal must be a port number between 1 and 65535",
            )
            .into());
        };
        let protocol = attrs::non_empty(port, "protocol").unwrap_or("tcp");
        if !["tcp", "udp", "sctp"].contains(&protocol) {
            return Err(
                Diagnostic::error(format!("invalid port protocol \"{protocol}\""))
                    .with_detail("expected tcp, udp or sctp")
                    .with_attribute(AttrPath::attr("ports").index(index as u64).then("protocol"))
                    .into(),
            );
        }
        let external = match attrs::integer(port, "external") {
            Some(p) if (1..=65535).contains(&p) => p.to_string(),
            Some(p) => {
                return Err(
                    Diagnostic::error(format!("ports.external {p} is not a port number")).into(),
                )
            }
            None => String::new(),
        };
        let key = format!("{internal}/{protocol}");
        exposed.insert(key.clone(), HashMap::new());
        let binding = PortBinding {
            host_ip: Some(
                attrs::non_empty(port, "ip")
                    .unwrap_or("0.0.0.0")
                    .to_string(),
            ),
            host_port: Some(external),
        };
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(binding);
    }
    Ok((exposed, bindings))
}

type Mounts = (Vec<String>, HashMap<String, HashMap<(), ()>>);

fn mounts(planned: &Value) -> Result<Mounts, Diagnostics> {
    let mut binds = Vec::new();
    let mut anonymous = HashMap::new();
    for volume in attrs::blocks(planned, "volumes") {
        let Some(target) = attrs::non_empty(volume, "container_path") else {
            if attrs::non_empty(volume, "from_container").is_some() {
                continue;
            }
            return Err(Diagnostic::error(
                "volumes.container_path is required unless from_container is set",
            )
            .with_attribute(AttrPath::attr("volumes"))
            .into());
        };
        let mode = if attrs::boolean(volume, "read_only", false) {
            ":ro"
        } else {
            ""
        };
        match (
            attrs::non_empty(volume, "volume_name"),
            attrs::non_empty(volume, "host_path"),
        ) {
            (Some(_), Some(_)) => {
                return Err(Diagnostic::error(format!(
                    "volumes for {target}: set volume_name or host_path, not both"
                ))
                .into())
            }
            (Some(source), None) => binds.push(format!("{source}:{target}{mode}")),
            (None, Some(path)) if path.starts_with('/') => {
                binds.push(format!("{path}:{target}{mode}"))
            }
            (None, Some(path)) => {
                return Err(Diagnostic::error(format!(
                    "volumes.host_path \"{path}\" must be an absolute path"
                ))
                .into())
            }
            (None, None) => {
                anonymous.insert(target.to_string(), HashMap::new());
            }
        }
    }
    Ok((binds, anonymous))
}

fn networks(planned: &Value) -> Vec<(String, EndpointSettings)> {
    attrs::blocks(planned, "networks_advanced")
        .into_iter()
        .filter_map(|n| {
            let name = attrs::non_empty(n, "name")?.to_string();
            let endpoint = EndpointSettings {
                aliases: attrs::strings(n, "aliases").filter(|a| !a.is_empty()),
                ipam_config: ipam_config(n),
                mac_address: attrs::non_empty(n, "mac_address").map(str::to_string),
                ..EndpointSettings::default()
            };
            Some((name, endpoint))
        })
        .collect()
}

fn ipam_config(network: &Value) -> Option<EndpointIpamConfig> {
    let v4 = attrs::non_empty(network, "ipv4_address").map(str::to_string);
    let v6 = attrs::non_empty(network, "ipv6_address").map(str::to_string);
    (v4.is_some() || v6.is_some()).then(|| EndpointIpamConfig {
        ipv4_address: v4,
        ipv6_address: v6,
        ..EndpointIpamConfig::default()
    })
}

fn healthcheck(planned: &Value) -> Result<Option<HealthConfig>, Diagnostics> {
    let Some(check) = attrs::blocks(planned, "healthcheck").into_iter().next() else {
        return Ok(None);
    };
    let test = attrs::strings(check, "test").filter(|t| !t.is_empty());
    let Some(test) = test else {
        return Err(Diagnostic::error("healthcheck.test must not be empty")
            .with_attribute(AttrPath::attr("healthcheck").index(0).then("test"))
            .into());
    };
    let duration = |name: &str| -> Result<Option<i64>, Diagnostics> {
        attrs::non_empty(check, name)
            .map(|text| {
                parse_duration(text).ok_or_else(|| {
                    Diagnostic::error(format!("healthcheck.{name}: invalid duration \"{text}\""))
                        .with_detail("use a Go duration such as 30s, 1m30s or 500ms")
                        .with_attribute(AttrPath::attr("healthcheck").index(0).then(name))
                        .into()
                })
            })
            .transpose()
    };
    Ok(Some(HealthConfig {
        test: Some(test),
        interval: duration("interval")?,
        timeout: duration("timeout")?,
        start_period: duration("start_period")?,
        retries: attrs::integer(check, "retries"),
        start_interval: duration("start_interval")?.filter(|d| *d > 0),
    }))
}

/// Parses a Go duration (`1h2m3.5s`, `500ms`, `0`) into nanoseconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    if text == "0" {
        return Some(0);
    }
    let mut rest = text;
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_end..];
    }
    (total < i64::MAX as f64).then_some(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(extra: Vec<(&'static str, Value)>) -> Value {
        let base = Value::object([
            ("name", Value::from("web")),
            ("image", Value::from("busybox:test")),
        ]);
        attrs::with(base, extra)
    }

    fn block(pairs: Vec<(&'static str, Value)>) -> Value {
        Value::object(pairs)
    }

    #[test]
    fn go_durations_parse_to_nanoseconds() {
        assert_eq!(parse_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000_000_000));
        assert_eq!(parse_duration("500ms"), Some(500_000_000));
        assert_eq!(parse_duration("1.5h"), Some(5_400_000_000_000));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("3 days"), None);
    }

    #[test]
    fn ports_publish_with_default_ip_and_protocol() {
        let v = container(vec![(
            "ports",
            Value::List(vec![
                block(vec![
                    ("internal", Value::from(80i64)),
                    ("external", Value::from(8080i64)),
                ]),
                block(vec![
                    ("internal", Value::from(53i64)),
                    ("protocol", Value::from("udp")),
                ]),
            ]),
        )]);
        let spec = from_planned(
            &v,
            &plinth_sdk::Intent::new("docker_container.x", "default"),
        )
        .expect("spec");
        let bindings = spec
            .body
            .host_config
            .and_then(|h| h.port_bindings)
            .expect("bindings");
        let web = bindings["80/tcp"].as_ref().expect("80");
        assert_eq!(web[0].host_port.as_deref(), Some("8080"));
        assert_eq!(web[0].host_ip.as_deref(), Some("0.0.0.0"));
        assert_eq!(
            bindings["53/udp"].as_ref().expect("53")[0]
                .host_port
                .as_deref(),
            Some("")
        );
    }

    #[test]
    fn bad_ports_are_diagnosed() {
        let v = container(vec![(
            "ports",
            Value::List(vec![block(vec![("internal", Value::from(70000i64))])]),
        )]);
        assert!(from_planned(
            &v,
            &plinth_sdk::Intent::new("docker_container.x", "default")
        )
        .is_err());
        let v = container(vec![(
            "ports",
            Value::List(vec![block(vec![
                ("internal", Value::from(80i64)),
                ("protocol", Value::from("icmp")),
            ])]),
        )]);
        assert!(from_planned(
            &v,
            &plinth_sdk::Intent::new("docker_container.x", "default")
        )
        .is_err());
    }

    #[test]
    fn volumes_become_binds_and_reject_ambiguity() {
        let v = container(vec![(
            "volumes",
            Value::set(vec![
                block(vec![
                    ("volume_name", Value::from("data")),
                    ("container_path", Value::from("/data")),
                ]),
                block(vec![
                    ("host_path", Value::from("/etc/hosts")),
                    ("container_path", Value::from("/h")),
                    ("read_only", Value::Bool(true)),
                ]),
            ]),
        )]);
        let mut binds = from_planned(
            &v,
            &plinth_sdk::Intent::new("docker_container.x", "default"),
        )
        .expect("spec")
        .body
        .host_config
        .and_then(|h| h.binds)
        .expect("binds");
        binds.sort();
        assert_eq!(binds, ["/etc/hosts:/h:ro", "data:/data"]);
        let both = container(vec![(
            "volumes",
            Value::set(vec![block(vec![
                ("volume_name", Value::from("data")),
                ("host_path", Value::from("/x")),
                ("container_path", Value::from("/data")),
            ])]),
        )]);
        assert!(from_planned(
            &both,
            &plinth_sdk::Intent::new("docker_container.x", "default")
        )
        .is_err());
    }

    #[test]
    fn the_first_network_is_attached_at_create_and_the_rest_after() {
        let net = |n: &str| {
            block(vec![
                ("name", Value::from(n)),
                ("aliases", Value::set(vec![Value::from("api")])),
            ])
        };
        let v = container(vec![(
            "networks_advanced",
            Value::List(vec![net("front"), net("back")]),
        )]);
        let spec = from_planned(
            &v,
            &plinth_sdk::Intent::new("docker_container.x", "default"),
        )
        .expect("spec");
        assert_eq!(
            spec.body
                .host_config
                .as_ref()
                .and_then(|h| h.network_mode.as_deref()),
            Some("front")
        );
        assert_eq!(spec.extra_networks.len(), 1);
        assert_eq!(spec.extra_networks[0].0, "back");
    }

    #[test]
    fn memory_counts_in_megabytes_and_restart_is_checked() {
        let v = container(vec![
            ("memory", Value::from(64i64)),
            ("restart", Value::from("unless-stopped")),
        ]);
        let host = from_planned(
            &v,
            &plinth_sdk::Intent::new("docker_container.x", "default"),
        )
        .expect("spec")
        .body
        .host_config
        .expect("host config");
        assert_eq!(host.memory, Some(64 * MB));
        assert_eq!(restart_name(host.restart_policy.as_ref()), "unless-stopped");
        assert!(from_planned(
            &container(vec![("restart", Value::from("sometimes"))]),
            &plinth_sdk::Intent::new("docker_container.x", "default")
        )
        .is_err());
    }

    #[test]
    fn healthcheck_durations_are_validated() {
        let check = |interval: &str| {
            container(vec![(
                "healthcheck",
                block(vec![
                    (
                        "test",
                        Value::List(vec![Value::from("CMD"), Value::from("true")]),
                    ),
                    ("interval", Value::from(interval)),
                ]),
            )])
        };
        let health = from_planned(
            &check("2s"),
            &plinth_sdk::Intent::new("docker_container.x", "default"),
        )
        .expect("spec")
        .body
        .healthcheck
        .expect("health");
        assert_eq!(health.interval, Some(2_000_000_000));
        assert!(from_planned(
            &check("soon"),
            &plinth_sdk::Intent::new("docker_container.x", "default")
        )
        .is_err());
    }
}
