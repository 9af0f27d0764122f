//! The Engine's `ServiceSpec` JSON from a planned `docker_service`: only what is configured is
//! sent, so what the Engine reports back maps onto the same attributes.

use std::collections::HashMap;

use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Value};
use serde_json::{json, Map, Value as Json};

use super::duration;
use crate::attrs;

/// The first (only) block of a single-nested block type.
pub fn single<'a>(object: &'a Value, name: &str) -> Option<&'a Value> {
    attrs::blocks(object, name).into_iter().next()
}

/// Builds JSON objects from optional fields.
struct Fields(Map<String, Json>);

impl Fields {
    fn new() -> Fields {
        Fields(Map::new())
    }

    fn put(mut self, key: &str, value: Option<Json>) -> Fields {
        if let Some(value) = value {
            self.0.insert(key.to_string(), value);
        }
        self
    }

    fn done(self) -> Json {
        Json::Object(self.0)
    }
}

fn string(object: &Value, name: &str) -> Option<Json> {
    attrs::string(object, name).map(Json::from)
}

fn non_empty(object: &Value, name: &str) -> Option<Json> {
    attrs::non_empty(object, name).map(Json::from)
}

fn number(object: &Value, name: &str) -> Option<Json> {
    attrs::integer(object, name).map(Json::from)
}

fn flag(object: &Value, name: &str) -> Option<Json> {
    attrs::boolean(object, name, false).then_some(Json::Bool(true))
}

fn strings(object: &Value, name: &str) -> Option<Json> {
    attrs::strings(object, name)
        .filter(|s| !s.is_empty())
        .map(Json::from)
}

fn map(object: &Value, name: &str) -> Option<Json> {
    let map = attrs::string_map(object, name);
    (!map.is_empty()).then(|| json!(map))
}

fn label_map(object: &Value) -> Option<Json> {
    let labels: HashMap<String, String> = attrs::blocks(object, "labels")
        .into_iter()
        .filter_map(|b| {
            Some((
                attrs::string(b, "label")?.to_string(),
                attrs::string(b, "value")?.to_string(),
            ))
        })
        .collect();
    (!labels.is_empty()).then(|| json!(labels))
}

/// A duration attribute in nanoseconds; an unparsable one is an error naming `path`.
fn nanos(object: &Value, name: &str, path: &str) -> Result<Option<Json>, Diagnostics> {
    match attrs::non_empty(object, name) {
        None => Ok(None),
        Some(text) => duration::parse(text)
            .map(|n| Some(Json::from(n)))
            .ok_or_else(|| {
                Diagnostic::error(format!("\"{text}\" is not a duration"))
                    .with_detail("write it like 10s, 1m30s or 500ms")
                    .with_attribute(AttrPath::attr(path))
                    .into()
            }),
    }
}

/// The `ServiceSpec` of `planned`, with `labels` (the user's and plinth's) on the service.
pub fn service_spec(planned: &Value, labels: HashMap<String, String>) -> Result<Json, Diagnostics> {
    let task = single(planned, "task_spec").cloned().unwrap_or(Value::Null);
    Ok(Fields::new()
        .put("Name", string(planned, "name"))
        .put("Labels", Some(json!(labels)))
        .put("TaskTemplate", Some(task_spec(&task)?))
        .put("Mode", Some(mode(planned)))
        .put("UpdateConfig", rollout(planned, "update_config")?)
        .put("RollbackConfig", rollout(planned, "rollback_config")?)
        .put(
            "EndpointSpec",
            single(planned, "endpoint_spec").map(endpoint),
        )
        .done())
}

fn task_spec(task: &Value) -> Result<Json, Diagnostics> {
    let container = single(task, "container_spec")
        .cloned()
        .unwrap_or(Value::Null);
    let restart = match single(task, "restart_policy") {
        None => None,
        Some(r) => Some(
            Fields::new()
                .put("Condition", non_empty(r, "condition"))
                .put("Delay", nanos(r, "delay", "task_spec")?)
                .put("MaxAttempts", number(r, "max_attempts"))
                .put("Window", nanos(r, "window", "task_spec")?)
                .done(),
        ),
    };
    let networks: Vec<Json> = attrs::blocks(task, "networks_advanced")
        .into_iter()
        .map(|n| {
            let opts: HashMap<String, String> = attrs::strings(n, "driver_opts")
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| {
                    let (k, v) = o.split_once('=')?;
                    Some((k.to_string(), v.to_string()))
                })
                .collect();
            Fields::new()
                .put("Target", string(n, "name"))
                .put("Aliases", strings(n, "aliases"))
                .put("DriverOpts", (!opts.is_empty()).then(|| json!(opts)))
                .done()
        })
        .collect();
    Ok(Fields::new()
        .put("ContainerSpec", Some(container_spec(&container)?))
        .put("Resources", single(task, "resources").map(resources))
        .put("RestartPolicy", restart)
        .put("Placement", single(task, "placement").map(placement))
        .put("ForceUpdate", number(task, "force_update"))
        .put("Runtime", non_empty(task, "runtime"))
        .put(
            "Networks",
            (!networks.is_empty()).then_some(Json::Array(networks)),
        )
        .put(
            "LogDriver",
            single(task, "log_driver").map(|l| {
                Fields::new()
                    .put("Name", string(l, "name"))
                    .put("Options", map(l, "options"))
                    .done()
            }),
        )
        .done())
}

fn container_spec(c: &Value) -> Result<Json, Diagnostics> {
    let env: Vec<String> = {
        let mut pairs: Vec<(String, String)> = attrs::string_map(c, "env").into_iter().collect();
        pairs.sort();
        pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect()
    };
    let healthcheck = match single(c, "healthcheck") {
        None => None,
        Some(h) => Some(
            Fields::new()
                .put("Test", strings(h, "test"))
                .put("Interval", nanos(h, "interval", "task_spec")?)
                .put("Timeout", nanos(h, "timeout", "task_spec")?)
                .put("StartPeriod", nanos(h, "start_period", "task_spec")?)
                .put("Retries", number(h, "retries"))
                .done(),
        ),
    };
    let hosts: Vec<Json> = attrs::blocks(c, "hosts")
        .into_iter()
        .filter_map(|h| {
            Some(Json::from(format!(
                "{} {}",
                attrs::string(h, "ip")?,
                attrs::string(h, "host")?
            )))
        })
        .collect();
    Ok(Fields::new()
        .put("Image", string(c, "image"))
        .put("Labels", label_map(c))
        .put("Command", strings(c, "command"))
        .put("Args", strings(c, "args"))
        .put("Hostname", non_empty(c, "hostname"))
        .put("Env", (!env.is_empty()).then(|| json!(env)))
        .put("Dir", non_empty(c, "dir"))
        .put("User", non_empty(c, "user"))
        .put("Groups", strings(c, "groups"))
        .put("ReadOnly", flag(c, "read_only"))
        .put("Mounts", mounts(c))
        .put("StopSignal", non_empty(c, "stop_signal"))
        .put(
            "StopGracePeriod",
            nanos(c, "stop_grace_period", "task_spec")?,
        )
        .put("Healthcheck", healthcheck)
        .put("Hosts", (!hosts.is_empty()).then_some(Json::Array(hosts)))
        .put(
            "DNSConfig",
            single(c, "dns_config").map(|d| {
                Fields::new()
                    .put("Nameservers", strings(d, "nameservers"))
                    .put("Search", strings(d, "search"))
                    .put("Options", strings(d, "options"))
                    .done()
            }),
        )
        .put("Secrets", references(c, "secrets", "Secret", "secret"))
        .put("Configs", references(c, "configs", "Config", "config"))
        .put("Isolation", non_empty(c, "isolation"))
        .put("Sysctls", map(c, "sysctl"))
        .put("CapabilityAdd", strings(c, "cap_add"))
        .put("CapabilityDrop", strings(c, "cap_drop"))
        .done())
}

fn mounts(c: &Value) -> Option<Json> {
    let mounts: Vec<Json> = attrs::blocks(c, "mounts")
        .into_iter()
        .map(|m| {
            let volume = single(m, "volume_options").map(|v| {
                let driver = (attrs::non_empty(v, "driver_name").is_some()
                    || !attrs::string_map(v, "driver_options").is_empty())
                .then(|| {
                    Fields::new()
                        .put("Name", non_empty(v, "driver_name"))
                        .put("Options", map(v, "driver_options"))
                        .done()
                });
                Fields::new()
                    .put("NoCopy", flag(v, "no_copy"))
                    .put("Labels", label_map(v))
                    .put("DriverConfig", driver)
                    .done()
            });
            Fields::new()
                .put("Target", string(m, "target"))
                .put("Source", non_empty(m, "source"))
                .put("Type", string(m, "type"))
                .put("ReadOnly", flag(m, "read_only"))
                .put(
                    "BindOptions",
                    single(m, "bind_options").map(|b| {
                        Fields::new()
                            .put("Propagation", non_empty(b, "propagation"))
                            .done()
                    }),
                )
                .put("VolumeOptions", volume)
                .put(
                    "TmpfsOptions",
                    single(m, "tmpfs_options").map(|t| {
                        Fields::new()
                            .put("SizeBytes", number(t, "size_bytes"))
                            .put("Mode", number(t, "mode"))
                            .done()
                    }),
                )
                .done()
        })
        .collect();
    (!mounts.is_empty()).then_some(Json::Array(mounts))
}

/// `Secrets` or `Configs` references of a container spec.
fn references(c: &Value, block: &str, api: &str, kind: &str) -> Option<Json> {
    let items: Vec<Json> = attrs::blocks(c, block)
        .into_iter()
        .map(|r| {
            let file = Fields::new()
                .put("Name", string(r, "file_name"))
                .put(
                    "UID",
                    Some(string(r, "file_uid").unwrap_or_else(|| "0".into())),
                )
                .put(
                    "GID",
                    Some(string(r, "file_gid").unwrap_or_else(|| "0".into())),
                )
                .put(
                    "Mode",
                    Some(number(r, "file_mode").unwrap_or_else(|| 0o444.into())),
                )
                .done();
            Fields::new()
                .put(&format!("{api}ID"), string(r, &format!("{kind}_id")))
                .put(&format!("{api}Name"), non_empty(r, &format!("{kind}_name")))
                .put("File", Some(file))
                .done()
        })
        .collect();
    (!items.is_empty()).then_some(Json::Array(items))
}

fn resources(r: &Value) -> Json {
    let amounts = |b: &Value| {
        Fields::new()
            .put("NanoCPUs", number(b, "nano_cpus"))
            .put("MemoryBytes", number(b, "memory_bytes"))
    };
    let reservation = single(r, "reservation").map(|b| {
        let generic: Vec<Json> = single(b, "generic_resources")
            .map(|g| {
                let named = attrs::strings(g, "named_resources_spec").unwrap_or_default();
                let discrete = attrs::strings(g, "discrete_resources_spec").unwrap_or_default();
                let named = named.into_iter().filter_map(|s| {
                    let (kind, value) = s.split_once('=')?;
                    Some(json!({"NamedResourceSpec": {"Kind": kind, "Value": value}}))
                });
                let discrete = discrete.into_iter().filter_map(|s| {
                    let (kind, value) = s.split_once('=')?;
                    let value: i64 = value.parse().ok()?;
                    Some(json!({"DiscreteResourceSpec": {"Kind": kind, "Value": value}}))
                });
                named.chain(discrete).collect()
            })
            .unwrap_or_default();
        amounts(b)
            .put(
                "GenericResources",
                (!generic.is_empty()).then_some(Json::Array(generic)),
            )
            .done()
    });
    Fields::new()
        .put("Limits", single(r, "limits").map(|l| amounts(l).done()))
        .put("Reservations", reservation)
        .done()
}

fn placement(p: &Value) -> Json {
    let prefs = attrs::strings(p, "prefs")
        .filter(|p| !p.is_empty())
        .map(|prefs| {
            Json::Array(
                prefs
                    .into_iter()
                    .map(|p| json!({"Spread": {"SpreadDescriptor": p}}))
                    .collect(),
            )
        });
    let platforms: Vec<Json> = attrs::blocks(p, "platforms")
        .into_iter()
        .map(|b| {
            Fields::new()
                .put("Architecture", string(b, "architecture"))
                .put("OS", string(b, "os"))
                .done()
        })
        .collect();
    Fields::new()
        .put("Constraints", strings(p, "constraints"))
        .put("Preferences", prefs)
        .put("MaxReplicas", number(p, "max_replicas"))
        .put(
            "Platforms",
            (!platforms.is_empty()).then_some(Json::Array(platforms)),
        )
        .done()
}

/// `Replicated` with its replica count (1 unless configured), or `Global`.
fn mode(planned: &Value) -> Json {
    let mode = single(planned, "mode");
    if mode.is_some_and(|m| attrs::boolean(m, "global", false)) {
        return json!({"Global": {}});
    }
    let replicas = mode
        .and_then(|m| single(m, "replicated"))
        .and_then(|r| attrs::integer(r, "replicas"))
        .unwrap_or(1);
    json!({"Replicated": {"Replicas": replicas}})
}

fn rollout(planned: &Value, name: &str) -> Result<Option<Json>, Diagnostics> {
    let Some(r) = single(planned, name) else {
        return Ok(None);
    };
    let ratio = match attrs::string(r, "max_failure_ratio") {
        None => None,
        Some(s) => Some(s.parse::<f64>().map_err(|_| {
            Diagnostics::from(
                Diagnostic::error(format!("max_failure_ratio \"{s}\" is not a number"))
                    .with_attribute(AttrPath::attr(name)),
            )
        })?),
    };
    Ok(Some(
        Fields::new()
            .put("Parallelism", number(r, "parallelism"))
            .put("Delay", nanos(r, "delay", name)?)
            .put("FailureAction", non_empty(r, "failure_action"))
            .put("Monitor", nanos(r, "monitor", name)?)
            .put("MaxFailureRatio", ratio.map(Json::from))
            .put("Order", non_empty(r, "order"))
            .done(),
    ))
}

fn endpoint(e: &Value) -> Json {
    let ports: Vec<Json> = attrs::blocks(e, "ports")
        .into_iter()
        .map(|p| {
            Fields::new()
                .put("Name", non_empty(p, "name"))
                .put("Protocol", non_empty(p, "protocol"))
                .put("TargetPort", number(p, "target_port"))
                .put("PublishedPort", number(p, "published_port"))
                .put("PublishMode", non_empty(p, "publish_mode"))
                .done()
        })
        .collect();
    Fields::new()
        .put("Mode", non_empty(e, "mode"))
        .put("Ports", (!ports.is_empty()).then_some(Json::Array(ports)))
        .done()
}

/// The `X-Registry-Auth` header of the `auth` block, if one is configured.
pub fn registry_auth(planned: &Value) -> Option<String> {
    use base64::Engine as _;
    let auth = single(planned, "auth")?;
    let body = json!({
        "username": attrs::string(auth, "username").unwrap_or_default(),
        "password": attrs::string(auth, "password").unwrap_or_default(),
        "serveraddress": attrs::string(auth, "server_address").unwrap_or_default(),
    });
    Some(base64::engine::general_purpose::URL_SAFE.encode(body.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_service_sends_only_what_is_configured() {
        let planned = Value::object([
            ("name", Value::from("web")),
            (
                "task_spec",
                Value::object([(
                    "container_spec",
                    Value::object([
                        ("image", Value::from("busybox")),
                        ("env", Value::object([("A", Value::from("1"))])),
                        ("isolation", Value::from("default")),
                    ]),
                )]),
            ),
            (
                "mode",
                Value::object([
                    ("global", Value::Bool(false)),
                    (
                        "replicated",
                        Value::object([("replicas", Value::from(2i64))]),
                    ),
                ]),
            ),
        ]);
        let spec = service_spec(&planned, HashMap::new()).expect("spec");
        assert_eq!(spec["Mode"], json!({"Replicated": {"Replicas": 2}}));
        assert_eq!(
            spec["TaskTemplate"]["ContainerSpec"],
            json!({"Image": "busybox", "Env": ["A=1"], "Isolation": "default"})
        );
        assert!(spec.get("EndpointSpec").is_none());
    }
}
