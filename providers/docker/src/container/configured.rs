//! The arguments an existing container was made with, read back from its inspect for an
//! import, in the shape its configuration sets them: what the engine mixes in from the image
//! (environment, labels, health check, volumes) or adds itself (the default `PATH`, the short
//! id among a network's aliases, plinth's own labels) is left out, so a container imported
//! into the configuration that made it plans no change.
//!
//! Pure and synchronous: unit-tested on inspect documents as the engine writes them.

use std::collections::{BTreeMap, HashSet};

use bollard::models::{
    ContainerConfig, ContainerInspectResponse, HostConfig, ImageConfig, Mount, MountTypeEnum,
};
use plinth_sdk::Value;

use super::spec::{parse_duration, MB};

/// The `PATH` the engine gives a container whose image sets none.
const ENGINE_DEFAULT_PATH: &str =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Networks every engine has; a container on one of them was not attached by
/// `networks_advanced`.
const BUILTIN_NETWORKS: [&str; 3] = ["bridge", "host", "none"];

/// The configurable arguments of a container, from its inspect and its image's configuration
/// (None when the image is gone).
pub fn read_back(
    inspect: &ContainerInspectResponse,
    image: Option<&ImageConfig>,
) -> Vec<(&'static str, Value)> {
    let config = inspect.config.as_ref();
    let host = inspect.host_config.as_ref();
    let text = |s: Option<&String>| match s.filter(|s| !s.is_empty()) {
        Some(s) => Value::string(s),
        None => Value::Null,
    };
    let set = |items: Option<&Vec<String>>| match items.filter(|i| !i.is_empty()) {
        Some(items) => Value::set(items.iter().map(Value::string).collect()),
        None => Value::Null,
    };
    let map = |items: Option<&std::collections::HashMap<String, String>>| match items
        .filter(|m| !m.is_empty())
    {
        Some(m) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::string(v)))
                .collect(),
        ),
        None => Value::Null,
    };
    let positive = |n: Option<i64>| match n.filter(|n| *n > 0) {
        Some(n) => Value::from(n),
        None => Value::Null,
    };
    let only_true = |b: Option<bool>| match b {
        Some(true) => Value::Bool(true),
        _ => Value::Null,
    };
    vec![
        ("env", env(config, image)),
        ("labels", labels(config, image)),
        ("healthcheck", healthcheck(config, image)),
        ("ports", ports(host)),
        ("volumes", volumes(config, host, image)),
        ("mounts", mounts(host)),
        ("networks_advanced", networks(inspect)),
        (
            "domainname",
            text(config.and_then(|c| c.domainname.as_ref())),
        ),
        (
            "cgroup_parent",
            text(host.and_then(|h| h.cgroup_parent.as_ref())),
        ),
        ("pid_mode", text(host.and_then(|h| h.pid_mode.as_ref()))),
        (
            "userns_mode",
            text(host.and_then(|h| h.userns_mode.as_ref())),
        ),
        ("cpus", cpus(host.and_then(|h| h.nano_cpus))),
        ("cpu_period", positive(host.and_then(|h| h.cpu_period))),
        ("cpu_quota", positive(host.and_then(|h| h.cpu_quota))),
        (
            "memory_reservation",
            positive(host.and_then(|h| h.memory_reservation).map(|m| m / MB)),
        ),
        ("dns", set(host.and_then(|h| h.dns.as_ref()))),
        ("dns_opts", set(host.and_then(|h| h.dns_options.as_ref()))),
        ("dns_search", set(host.and_then(|h| h.dns_search.as_ref()))),
        ("group_add", set(host.and_then(|h| h.group_add.as_ref()))),
        (
            "log_opts",
            map(host
                .and_then(|h| h.log_config.as_ref())
                .and_then(|l| l.config.as_ref())),
        ),
        ("sysctls", map(host.and_then(|h| h.sysctls.as_ref()))),
        ("tmpfs", map(host.and_then(|h| h.tmpfs.as_ref()))),
        (
            "storage_opts",
            map(host.and_then(|h| h.storage_opt.as_ref())),
        ),
        ("privileged", only_true(host.and_then(|h| h.privileged))),
        (
            "publish_all_ports",
            only_true(host.and_then(|h| h.publish_all_ports)),
        ),
        ("init", only_true(host.and_then(|h| h.init))),
        ("capabilities", capabilities(host)),
        ("devices", devices(host)),
        ("host", extra_hosts(host)),
        ("ulimit", ulimits(host)),
    ]
}

/// The container's own environment: the image's entries and the engine's default `PATH` left
/// out (an entry the configuration repeats from the image cannot be told apart).
fn env(config: Option<&ContainerConfig>, image: Option<&ImageConfig>) -> Value {
    let from_image: HashSet<&str> = image
        .and_then(|i| i.env.as_ref())
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let image_sets_path = from_image.iter().any(|e| e.starts_with("PATH="));
    let own: Vec<Value> = config
        .and_then(|c| c.env.as_ref())
        .into_iter()
        .flatten()
        .filter(|e| !from_image.contains(e.as_str()))
        .filter(|e| image_sets_path || e.as_str() != ENGINE_DEFAULT_PATH)
        .map(Value::string)
        .collect();
    if own.is_empty() {
        Value::Null
    } else {
        Value::set(own)
    }
}

/// The `labels` blocks: the image's labels and plinth's own left out.
fn labels(config: Option<&ContainerConfig>, image: Option<&ImageConfig>) -> Value {
    let from_image = image.and_then(|i| i.labels.as_ref());
    let own: Vec<Value> = config
        .and_then(|c| c.labels.as_ref())
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("plinth."))
        .filter(|(k, v)| from_image.and_then(|l| l.get(*k)) != Some(v))
        .map(|(k, v)| Value::object([("label", Value::string(k)), ("value", Value::string(v))]))
        .collect();
    Value::set(own)
}

/// The `healthcheck` block, unless the check is the image's own (or none).
fn healthcheck(config: Option<&ContainerConfig>, image: Option<&ImageConfig>) -> Value {
    let Some(check) = config.and_then(|c| c.healthcheck.as_ref()) else {
        return Value::Null;
    };
    let test = check.test.clone().unwrap_or_default();
    let from_image = image.and_then(|i| i.healthcheck.as_ref()) == Some(check);
    if test.is_empty() || test == ["NONE"] || from_image {
        return Value::Null;
    }
    Value::object([
        (
            "test",
            Value::List(test.into_iter().map(Value::String).collect()),
        ),
        ("interval", duration(check.interval)),
        ("timeout", duration(check.timeout)),
        ("start_period", duration(check.start_period)),
        ("start_interval", duration(check.start_interval)),
        ("retries", Value::from(check.retries.unwrap_or(0))),
    ])
}

/// Nanoseconds as a Go duration in its largest whole unit (`2s`, `1m`, `1500ms`; `0s` for none).
pub fn format_duration(nanos: i64) -> String {
    let units = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
    ];
    if nanos <= 0 {
        return "0s".to_string();
    }
    units
        .iter()
        .find(|(size, _)| nanos % size == 0)
        .map(|(size, unit)| format!("{}{unit}", nanos / size))
        .unwrap_or_else(|| format!("{nanos}ns"))
}

fn duration(nanos: Option<i64>) -> Value {
    Value::string(format_duration(nanos.unwrap_or(0)))
}

/// `planned` with each `healthcheck` duration spelled as in `prior` when both mean the same
/// time (`90s` and `1m30s`), so another spelling is no change.
pub fn durations_as_prior(prior: Option<&Value>, planned: Value) -> Value {
    let (Some(before), Some(Value::Map(after))) = (
        prior
            .and_then(|p| p.get("healthcheck"))
            .and_then(Value::as_map),
        planned.get("healthcheck").map(Value::unmarked).cloned(),
    ) else {
        return planned;
    };
    let mut after: BTreeMap<String, Value> = after;
    for name in ["interval", "timeout", "start_period", "start_interval"] {
        let nanos = |v: Option<&Value>| v.and_then(Value::as_str).and_then(parse_duration);
        if let (Some(a), Some(b)) = (nanos(before.get(name)), nanos(after.get(name))) {
            if a == b {
                after.insert(name.to_string(), before[name].clone());
            }
        }
    }
    crate::attrs::with(planned, [("healthcheck", Value::Map(after))])
}

/// The `ports` blocks from the port bindings, in port order.
fn ports(host: Option<&HostConfig>) -> Value {
    let mut ports: Vec<(i64, String, Value)> = Vec::new();
    for (key, bindings) in host
        .and_then(|h| h.port_bindings.as_ref())
        .into_iter()
        .flatten()
    {
        let (port, protocol) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
        let Ok(internal) = port.parse::<i64>() else {
            continue;
        };
        for binding in bindings.iter().flatten() {
            let external = binding
                .host_port
                .as_deref()
                .and_then(|p| p.parse::<i64>().ok());
            let ip = binding
                .host_ip
                .as_deref()
                .filter(|ip| !ip.is_empty())
                .unwrap_or("0.0.0.0");
            ports.push((
                internal,
                protocol.to_string(),
                Value::object([
                    ("internal", Value::from(internal)),
                    ("external", external.map(Value::from).unwrap_or(Value::Null)),
                    ("ip", Value::string(ip)),
                    ("protocol", Value::string(protocol)),
                ]),
            ));
        }
    }
    ports.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Value::List(ports.into_iter().map(|(_, _, v)| v).collect())
}

/// The `volumes` blocks: binds (named volumes and host paths), anonymous volumes other than the
/// image's, and `--volumes-from`.
fn volumes(
    config: Option<&ContainerConfig>,
    host: Option<&HostConfig>,
    image: Option<&ImageConfig>,
) -> Value {
    let block = |volume_name: Value, host_path: Value, container_path: Value, from: Value, ro| {
        Value::object([
            ("volume_name", volume_name),
            ("host_path", host_path),
            ("container_path", container_path),
            ("from_container", from),
            ("read_only", Value::Bool(ro)),
        ])
    };
    let read_only =
        |options: Option<&str>| options.is_some_and(|o| o.split(',').any(|o| o == "ro"));
    let mut out = Vec::new();
    for bind in host.and_then(|h| h.binds.as_ref()).into_iter().flatten() {
        let mut parts = bind.splitn(3, ':');
        let (Some(source), Some(target)) = (parts.next(), parts.next()) else {
            continue;
        };
        let (name, path) = if source.starts_with('/') {
            (Value::Null, Value::string(source))
        } else {
            (Value::string(source), Value::Null)
        };
        out.push(block(
            name,
            path,
            Value::string(target),
            Value::Null,
            read_only(parts.next()),
        ));
    }
    let image_volumes = image.and_then(|i| i.volumes.as_ref());
    for target in config
        .and_then(|c| c.volumes.as_ref())
        .into_iter()
        .flatten()
        .map(|(t, _)| t)
    {
        if image_volumes.is_some_and(|v| v.contains_key(target)) {
            continue;
        }
        out.push(block(
            Value::Null,
            Value::Null,
            Value::string(target),
            Value::Null,
            false,
        ));
    }
    for from in host
        .and_then(|h| h.volumes_from.as_ref())
        .into_iter()
        .flatten()
    {
        let (container, options) = match from.split_once(':') {
            Some((c, o)) => (c, Some(o)),
            None => (from.as_str(), None),
        };
        out.push(block(
            Value::Null,
            Value::Null,
            Value::Null,
            Value::string(container),
            read_only(options),
        ));
    }
    Value::set(out)
}

/// The `mounts` blocks.
fn mounts(host: Option<&HostConfig>) -> Value {
    Value::set(
        host.and_then(|h| h.mounts.as_ref())
            .into_iter()
            .flatten()
            .map(mount)
            .collect(),
    )
}

fn mount(mount: &Mount) -> Value {
    let text = |s: Option<&str>| match s.filter(|s| !s.is_empty()) {
        Some(s) => Value::string(s),
        None => Value::Null,
    };
    let typ = match mount.typ {
        Some(MountTypeEnum::BIND) => "bind",
        Some(MountTypeEnum::TMPFS) => "tmpfs",
        _ => "volume",
    };
    let bind = mount
        .bind_options
        .as_ref()
        .and_then(|b| b.propagation)
        .map(|p| Value::object([("propagation", Value::string(p.to_string()))]))
        .unwrap_or(Value::Null);
    let volume = mount.volume_options.as_ref().map(|v| {
        let driver = v.driver_config.as_ref();
        let labels: Vec<Value> = v
            .labels
            .iter()
            .flatten()
            .map(|(k, v)| Value::object([("label", Value::string(k)), ("value", Value::string(v))]))
            .collect();
        Value::object([
            ("no_copy", v.no_copy.map(Value::Bool).unwrap_or(Value::Null)),
            ("driver_name", text(driver.and_then(|d| d.name.as_deref()))),
            (
                "driver_options",
                match driver
                    .and_then(|d| d.options.as_ref())
                    .filter(|o| !o.is_empty())
                {
                    Some(o) => Value::Map(
                        o.iter()
                            .map(|(k, v)| (k.clone(), Value::string(v)))
                            .collect(),
                    ),
                    None => Value::Null,
                },
            ),
            ("subpath", text(v.subpath.as_deref())),
            ("labels", Value::set(labels)),
        ])
    });
    let tmpfs = mount.tmpfs_options.as_ref().map(|t| {
        Value::object([
            (
                "size_bytes",
                t.size_bytes.map(Value::from).unwrap_or(Value::Null),
            ),
            ("mode", t.mode.map(Value::from).unwrap_or(Value::Null)),
        ])
    });
    Value::object([
        ("target", text(mount.target.as_deref())),
        ("type", Value::string(typ)),
        ("source", text(mount.source.as_deref())),
        (
            "read_only",
            if mount.read_only == Some(true) {
                Value::Bool(true)
            } else {
                Value::Null
            },
        ),
        ("bind_options", bind),
        ("volume_options", volume.unwrap_or(Value::Null)),
        ("tmpfs_options", tmpfs.unwrap_or(Value::Null)),
    ])
}

/// The `networks_advanced` blocks: every network but the built-in ones, with the aliases the
/// configuration gave (the engine adds the container's short id). A MAC address is always
/// reported, configured or not, so it is not read.
fn networks(inspect: &ContainerInspectResponse) -> Value {
    let id = inspect.id.as_deref().unwrap_or_default();
    let short_id = id.get(..12).unwrap_or(id);
    let networks = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref());
    let blocks = networks
        .into_iter()
        .flatten()
        .filter(|(name, _)| !BUILTIN_NETWORKS.contains(&name.as_str()))
        .map(|(name, endpoint)| {
            let aliases: Vec<Value> = endpoint
                .aliases
                .iter()
                .flatten()
                .filter(|a| a.as_str() != short_id && a.as_str() != id)
                .map(Value::string)
                .collect();
            let ipam = endpoint.ipam_config.as_ref();
            let address = |a: Option<&String>| match a.filter(|a| !a.is_empty()) {
                Some(a) => Value::string(a),
                None => Value::Null,
            };
            Value::object([
                ("name", Value::string(name)),
                (
                    "aliases",
                    if aliases.is_empty() {
                        Value::Null
                    } else {
                        Value::set(aliases)
                    },
                ),
                (
                    "ipv4_address",
                    address(ipam.and_then(|i| i.ipv4_address.as_ref())),
                ),
                (
                    "ipv6_address",
                    address(ipam.and_then(|i| i.ipv6_address.as_ref())),
                ),
                ("mac_address", Value::Null),
            ])
        })
        .collect();
    Value::set(blocks)
}

/// `cpus` as a decimal number of CPUs (`1.5`).
fn cpus(nanos: Option<i64>) -> Value {
    match nanos.filter(|n| *n > 0) {
        Some(n) => {
            let text = format!("{:.9}", n as f64 / 1e9);
            Value::string(text.trim_end_matches('0').trim_end_matches('.'))
        }
        None => Value::Null,
    }
}

fn capabilities(host: Option<&HostConfig>) -> Value {
    let list = |l: Option<&Vec<String>>| match l.filter(|l| !l.is_empty()) {
        Some(l) => Value::set(l.iter().map(Value::string).collect()),
        None => Value::Null,
    };
    let add = list(host.and_then(|h| h.cap_add.as_ref()));
    let drop = list(host.and_then(|h| h.cap_drop.as_ref()));
    if add.is_null() && drop.is_null() {
        return Value::Null;
    }
    Value::object([("add", add), ("drop", drop)])
}

/// The `devices` blocks; a container path equal to the host path and the engine's default
/// `rwm` permissions read as left out.
fn devices(host: Option<&HostConfig>) -> Value {
    Value::set(
        host.and_then(|h| h.devices.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let host_path = d.path_on_host.clone()?;
                let container_path = d
                    .path_in_container
                    .clone()
                    .filter(|p| *p != host_path)
                    .map(Value::String)
                    .unwrap_or(Value::Null);
                let permissions = d
                    .cgroup_permissions
                    .clone()
                    .filter(|p| p != "rwm")
                    .map(Value::String)
                    .unwrap_or(Value::Null);
                Some(Value::object([
                    ("host_path", Value::String(host_path)),
                    ("container_path", container_path),
                    ("permissions", permissions),
                ]))
            })
            .collect(),
    )
}

fn extra_hosts(host: Option<&HostConfig>) -> Value {
    Value::set(
        host.and_then(|h| h.extra_hosts.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let (name, ip) = entry.split_once(':')?;
                Some(Value::object([
                    ("host", Value::string(name)),
                    ("ip", Value::string(ip)),
                ]))
            })
            .collect(),
    )
}

fn ulimits(host: Option<&HostConfig>) -> Value {
    Value::set(
        host.and_then(|h| h.ulimits.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|u| {
                Some(Value::object([
                    ("name", Value::string(u.name.clone()?)),
                    ("soft", Value::from(u.soft.unwrap_or(0))),
                    ("hard", Value::from(u.hard.unwrap_or(0))),
                ]))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An inspect document as the engine writes it.
    fn inspect(json: serde_json::Value) -> ContainerInspectResponse {
        serde_json::from_value(json).expect("an inspect document")
    }

    fn image(json: serde_json::Value) -> ImageConfig {
        serde_json::from_value(json).expect("an image configuration")
    }

    fn read(inspect: &ContainerInspectResponse, image: Option<&ImageConfig>, name: &str) -> Value {
        read_back(inspect, image)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .expect("the attribute")
    }

    fn strings(items: &[&str]) -> Value {
        Value::set(items.iter().map(|s| Value::string(*s)).collect())
    }

    /// Regression: an imported container had no `env`; read back naively it would also hold
    /// the image's entries and the `PATH` the engine adds, which no configuration sets.
    #[test]
    fn an_imported_containers_env_leaves_out_the_images_entries_and_the_engines_default_path() {
        let container = inspect(serde_json::json!({
            "Config": { "Env": ["SECRET_KEY=k", "LANG=C.UTF-8", ENGINE_DEFAULT_PATH] }
        }));
        let debian = image(serde_json::json!({ "Env": ["LANG=C.UTF-8"] }));
        assert_eq!(
            read(&container, Some(&debian), "env"),
            strings(&["SECRET_KEY=k"])
        );
        let own_path = image(serde_json::json!({ "Env": ["PATH=/opt/bin"] }));
        assert_eq!(
            read(&container, Some(&own_path), "env"),
            strings(&["LANG=C.UTF-8", "SECRET_KEY=k", ENGINE_DEFAULT_PATH])
        );
        let bare = inspect(serde_json::json!({ "Config": { "Env": [ENGINE_DEFAULT_PATH] } }));
        assert_eq!(read(&bare, None, "env"), Value::Null);
    }

    /// Regression: an imported container had no `networks_advanced`, and the engine lists the
    /// container's short id among the aliases of each user network, which no configuration sets.
    #[test]
    fn an_imported_containers_aliases_leave_out_the_short_id_the_engine_adds() {
        let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let container = inspect(serde_json::json!({
            "Id": id,
            "NetworkSettings": { "Networks": {
                "app-net": {
                    "Aliases": ["api", "api1", "0123456789ab"],
                    "MacAddress": "02:42:ac:11:00:02"
                },
                "bridge": { "Aliases": null }
            } }
        }));
        assert_eq!(
            read(&container, None, "networks_advanced"),
            Value::set(vec![Value::object([
                ("name", Value::string("app-net")),
                ("aliases", strings(&["api", "api1"])),
                ("ipv4_address", Value::Null),
                ("ipv6_address", Value::Null),
                ("mac_address", Value::Null),
            ])])
        );
    }

    #[test]
    fn an_imported_containers_labels_leave_out_the_images_and_plinths_own() {
        let container = inspect(serde_json::json!({
            "Config": { "Labels": {
                "plinth.managed": "true",
                "org.opencontainers.image.title": "chat",
                "tier": "web"
            } }
        }));
        let built = image(serde_json::json!({
            "Labels": { "org.opencontainers.image.title": "chat" }
        }));
        assert_eq!(
            read(&container, Some(&built), "labels"),
            Value::set(vec![Value::object([
                ("label", Value::string("tier")),
                ("value", Value::string("web")),
            ])])
        );
    }

    /// Regression: an imported container had no `healthcheck`, which the configuration sets
    /// with durations such as `2s`.
    #[test]
    fn an_imported_health_check_reads_as_configured_and_the_images_own_as_none() {
        let check = serde_json::json!({
            "Test": ["CMD", "wget", "-q", "http://127.0.0.1/"],
            "Interval": 2_000_000_000i64,
            "Timeout": 90_000_000_000i64,
            "Retries": 3
        });
        let container = inspect(serde_json::json!({ "Config": { "Healthcheck": check } }));
        assert_eq!(
            read(&container, None, "healthcheck"),
            Value::object([
                (
                    "test",
                    Value::List(
                        ["CMD", "wget", "-q", "http://127.0.0.1/"]
                            .into_iter()
                            .map(Value::string)
                            .collect()
                    )
                ),
                ("interval", Value::string("2s")),
                ("timeout", Value::string("90s")),
                ("start_period", Value::string("0s")),
                ("start_interval", Value::string("0s")),
                ("retries", Value::from(3i64)),
            ])
        );
        let inherited = image(serde_json::json!({ "Healthcheck": check }));
        assert_eq!(
            read(&container, Some(&inherited), "healthcheck"),
            Value::Null
        );
    }

    #[test]
    fn durations_print_in_their_largest_whole_unit() {
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(2_000_000_000), "2s");
        assert_eq!(format_duration(60_000_000_000), "1m");
        assert_eq!(format_duration(1_500_000_000), "1500ms");
        assert_eq!(format_duration(7_200_000_000_000), "2h");
    }

    #[test]
    fn health_check_durations_spelled_another_way_are_no_change() {
        let check = |interval: &str| {
            Value::object([(
                "healthcheck",
                Value::object([
                    ("interval", Value::string(interval)),
                    ("timeout", Value::string("2s")),
                ]),
            )])
        };
        let planned = durations_as_prior(Some(&check("90s")), check("1m30s"));
        assert_eq!(planned, check("90s"));
        let changed = durations_as_prior(Some(&check("90s")), check("1m"));
        assert_eq!(changed, check("1m"));
    }

    /// Regression: an imported container had no `volumes` or `ports`.
    #[test]
    fn binds_and_port_bindings_read_back_as_volumes_and_ports_blocks() {
        let container = inspect(serde_json::json!({
            "Config": { "Volumes": { "/cache": {}, "/from-image": {} } },
            "HostConfig": {
                "Binds": ["app-data:/data", "/etc/hosts:/h:ro"],
                "PortBindings": { "80/tcp": [{ "HostIp": "", "HostPort": "8080" }] }
            }
        }));
        let with_volume = image(serde_json::json!({ "Volumes": { "/from-image": {} } }));
        let volume = |name: Value, path: Value, target: &str, ro: bool| {
            Value::object([
                ("volume_name", name),
                ("host_path", path),
                ("container_path", Value::string(target)),
                ("from_container", Value::Null),
                ("read_only", Value::Bool(ro)),
            ])
        };
        assert_eq!(
            read(&container, Some(&with_volume), "volumes"),
            Value::set(vec![
                volume(Value::string("app-data"), Value::Null, "/data", false),
                volume(Value::Null, Value::string("/etc/hosts"), "/h", true),
                volume(Value::Null, Value::Null, "/cache", false),
            ])
        );
        assert_eq!(
            read(&container, None, "ports"),
            Value::List(vec![Value::object([
                ("internal", Value::from(80i64)),
                ("external", Value::from(8080i64)),
                ("ip", Value::string("0.0.0.0")),
                ("protocol", Value::string("tcp")),
            ])])
        );
    }
}
