//! A `docker_service` value from the Engine's service JSON, shaped like configuration: what the
//! Engine leaves out is null (an empty set for repeated blocks), and spellings the configuration
//! chose (a "60s" the Engine reports as "1m", an explicit `false` or empty list) are kept.

use plinth_sdk::Value;
use serde_json::Value as Json;

use super::duration;
use crate::swarm_data::user_labels;

fn text(j: &Json) -> Value {
    match j.as_str() {
        Some(s) if !s.is_empty() => Value::string(s),
        _ => Value::Null,
    }
}

/// A number; the Engine's zero (its "unset") is null.
fn number(j: &Json) -> Value {
    j.as_i64()
        .filter(|n| *n != 0)
        .map_or(Value::Null, Value::from)
}

fn flag(j: &Json) -> Value {
    match j.as_bool() {
        Some(true) => Value::Bool(true),
        _ => Value::Null,
    }
}

fn strings(j: &Json) -> Value {
    match j.as_array() {
        Some(items) if !items.is_empty() => Value::List(items.iter().map(text).collect()),
        _ => Value::Null,
    }
}

fn string_set(j: &Json) -> Value {
    match strings(j) {
        Value::List(items) => Value::set(items),
        other => other,
    }
}

fn map(j: &Json) -> Value {
    match j.as_object() {
        Some(m) if !m.is_empty() => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::string(v.as_str().unwrap_or_default())))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// A duration; the Engine's zero (its "unset") is null.
fn nanos(j: &Json) -> Value {
    j.as_i64()
        .filter(|n| *n != 0)
        .map_or(Value::Null, |n| Value::string(duration::format(n)))
}

/// `f(j)` when the JSON object is present, else null (a single nested block left out).
fn block(j: &Json, f: impl Fn(&Json) -> Value) -> Value {
    if j.is_object() {
        f(j)
    } else {
        Value::Null
    }
}

fn blocks(j: &Json, f: impl Fn(&Json) -> Value) -> Value {
    Value::set(j.as_array().into_iter().flatten().map(f).collect())
}

/// Every attribute of the service the Engine knows, from its inspect (or list) JSON.
pub fn service(s: &Json) -> Vec<(&'static str, Value)> {
    let spec = &s["Spec"];
    vec![
        ("id", text(&s["ID"])),
        ("name", text(&spec["Name"])),
        ("labels", user_labels(&spec["Labels"])),
        ("task_spec", task_spec(&spec["TaskTemplate"])),
        ("mode", mode(&spec["Mode"])),
        ("update_config", block(&spec["UpdateConfig"], rollout)),
        ("rollback_config", block(&spec["RollbackConfig"], rollout)),
        ("endpoint_spec", endpoint(s)),
    ]
}

fn task_spec(t: &Json) -> Value {
    let networks = blocks(&t["Networks"], |n| {
        let opts: Vec<Value> = n["DriverOpts"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| Value::string(format!("{k}={}", v.as_str().unwrap_or_default())))
            .collect();
        Value::object([
            ("name", text(&n["Target"])),
            ("aliases", string_set(&n["Aliases"])),
            (
                "driver_opts",
                if opts.is_empty() {
                    Value::Null
                } else {
                    Value::set(opts)
                },
            ),
        ])
    });
    Value::object([
        ("container_spec", block(&t["ContainerSpec"], container_spec)),
        ("resources", block(&t["Resources"], resources)),
        (
            "restart_policy",
            block(&t["RestartPolicy"], |r| {
                Value::object([
                    ("condition", text(&r["Condition"])),
                    ("delay", nanos(&r["Delay"])),
                    ("max_attempts", number(&r["MaxAttempts"])),
                    ("window", nanos(&r["Window"])),
                ])
            }),
        ),
        ("placement", block(&t["Placement"], placement)),
        ("force_update", number(&t["ForceUpdate"])),
        ("runtime", text(&t["Runtime"])),
        ("networks_advanced", networks),
        (
            "log_driver",
            block(&t["LogDriver"], |l| {
                Value::object([("name", text(&l["Name"])), ("options", map(&l["Options"]))])
            }),
        ),
    ])
}

fn container_spec(c: &Json) -> Value {
    let env = c["Env"].as_array().filter(|e| !e.is_empty()).map(|env| {
        Value::Map(
            env.iter()
                .filter_map(|e| {
                    let (k, v) = e.as_str()?.split_once('=')?;
                    Some((k.to_string(), Value::string(v)))
                })
                .collect(),
        )
    });
    let hosts = blocks(&c["Hosts"], |h| {
        let line = h.as_str().unwrap_or_default();
        let mut parts = line.split_whitespace();
        let ip = parts.next().unwrap_or_default();
        let host = parts.next().unwrap_or_default();
        Value::object([("ip", Value::string(ip)), ("host", Value::string(host))])
    });
    Value::object([
        ("image", text(&c["Image"])),
        ("labels", user_labels(&c["Labels"])),
        ("command", strings(&c["Command"])),
        ("args", strings(&c["Args"])),
        ("hostname", text(&c["Hostname"])),
        ("env", env.unwrap_or(Value::Null)),
        ("dir", text(&c["Dir"])),
        ("user", text(&c["User"])),
        ("groups", strings(&c["Groups"])),
        ("read_only", flag(&c["ReadOnly"])),
        ("mounts", blocks(&c["Mounts"], mount)),
        ("stop_signal", text(&c["StopSignal"])),
        ("stop_grace_period", nanos(&c["StopGracePeriod"])),
        (
            "healthcheck",
            block(&c["Healthcheck"], |h| {
                let or_zero = |j: &Json| match nanos(j) {
                    Value::Null => Value::from("0s"),
                    v => v,
                };
                Value::object([
                    ("test", strings(&h["Test"])),
                    ("interval", or_zero(&h["Interval"])),
                    ("timeout", or_zero(&h["Timeout"])),
                    ("start_period", or_zero(&h["StartPeriod"])),
                    ("retries", Value::from(h["Retries"].as_i64().unwrap_or(0))),
                ])
            }),
        ),
        ("hosts", hosts),
        (
            "dns_config",
            block(&c["DNSConfig"], |d| {
                Value::object([
                    ("nameservers", strings(&d["Nameservers"])),
                    ("search", strings(&d["Search"])),
                    ("options", strings(&d["Options"])),
                ])
            }),
        ),
        (
            "secrets",
            blocks(&c["Secrets"], |r| reference(r, "Secret", "secret")),
        ),
        (
            "configs",
            blocks(&c["Configs"], |r| reference(r, "Config", "config")),
        ),
        ("isolation", text(&c["Isolation"])),
        ("sysctl", map(&c["Sysctls"])),
        ("cap_add", strings(&c["CapabilityAdd"])),
        ("cap_drop", strings(&c["CapabilityDrop"])),
    ])
}

fn mount(m: &Json) -> Value {
    Value::object([
        ("target", text(&m["Target"])),
        ("source", text(&m["Source"])),
        ("type", text(&m["Type"])),
        ("read_only", flag(&m["ReadOnly"])),
        (
            "bind_options",
            block(&m["BindOptions"], |b| {
                Value::object([("propagation", text(&b["Propagation"]))])
            }),
        ),
        (
            "volume_options",
            block(&m["VolumeOptions"], |v| {
                let driver = &v["DriverConfig"];
                Value::object([
                    ("no_copy", flag(&v["NoCopy"])),
                    ("labels", user_labels(&v["Labels"])),
                    ("driver_name", text(&driver["Name"])),
                    ("driver_options", map(&driver["Options"])),
                ])
            }),
        ),
        (
            "tmpfs_options",
            block(&m["TmpfsOptions"], |t| {
                Value::object([
                    ("size_bytes", number(&t["SizeBytes"])),
                    ("mode", number(&t["Mode"])),
                ])
            }),
        ),
    ])
}

fn reference(r: &Json, api: &str, kind: &str) -> Value {
    let file = &r["File"];
    let pairs: Vec<(String, Value)> = vec![
        (format!("{kind}_id"), text(&r[format!("{api}ID")])),
        (format!("{kind}_name"), text(&r[format!("{api}Name")])),
        ("file_name".into(), text(&file["Name"])),
        ("file_uid".into(), text(&file["UID"])),
        ("file_gid".into(), text(&file["GID"])),
        ("file_mode".into(), number(&file["Mode"])),
    ];
    Value::object(pairs)
}

fn resources(r: &Json) -> Value {
    let amounts = |j: &Json| {
        vec![
            ("nano_cpus", number(&j["NanoCPUs"])),
            ("memory_bytes", number(&j["MemoryBytes"])),
        ]
    };
    let nonempty = |j: &Json| j.as_object().is_some_and(|o| !o.is_empty());
    let limits = if nonempty(&r["Limits"]) {
        Value::object(amounts(&r["Limits"]))
    } else {
        Value::Null
    };
    let reservations = &r["Reservations"];
    let reservation = if nonempty(reservations) {
        let generic = reservations["GenericResources"]
            .as_array()
            .filter(|g| !g.is_empty())
            .map(|g| {
                let spec = |key: &str| -> Value {
                    let items: Vec<Value> = g
                        .iter()
                        .filter_map(|item| {
                            let s = &item[key];
                            let value = match &s["Value"] {
                                Json::String(v) => v.clone(),
                                other => other.to_string(),
                            };
                            s.is_object()
                                .then(|| Value::string(format!("{}={value}", kind_of(s))))
                        })
                        .collect();
                    if items.is_empty() {
                        Value::Null
                    } else {
                        Value::set(items)
                    }
                };
                Value::object([
                    ("named_resources_spec", spec("NamedResourceSpec")),
                    ("discrete_resources_spec", spec("DiscreteResourceSpec")),
                ])
            })
            .unwrap_or(Value::Null);
        let mut pairs = amounts(reservations);
        pairs.push(("generic_resources", generic));
        Value::object(pairs)
    } else {
        Value::Null
    };
    Value::object([("limits", limits), ("reservation", reservation)])
}

fn kind_of(spec: &Json) -> &str {
    spec["Kind"].as_str().unwrap_or_default()
}

fn placement(p: &Json) -> Value {
    let prefs: Vec<Value> = p["Preferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|pref| Some(Value::string(pref["Spread"]["SpreadDescriptor"].as_str()?)))
        .collect();
    Value::object([
        ("constraints", string_set(&p["Constraints"])),
        (
            "prefs",
            if prefs.is_empty() {
                Value::Null
            } else {
                Value::set(prefs)
            },
        ),
        ("max_replicas", number(&p["MaxReplicas"])),
        (
            "platforms",
            blocks(&p["Platforms"], |b| {
                Value::object([
                    ("architecture", text(&b["Architecture"])),
                    ("os", text(&b["OS"])),
                ])
            }),
        ),
    ])
}

fn mode(m: &Json) -> Value {
    if m["Global"].is_object() {
        return Value::object([("global", Value::Bool(true)), ("replicated", Value::Null)]);
    }
    let replicas = m["Replicated"]["Replicas"].as_i64().unwrap_or(1);
    Value::object([
        ("global", Value::Bool(false)),
        (
            "replicated",
            Value::object([("replicas", Value::from(replicas))]),
        ),
    ])
}

fn rollout(r: &Json) -> Value {
    let ratio = r["MaxFailureRatio"].as_f64().unwrap_or(0.0);
    let or = |v: Value, default: Value| if v.is_null() { default } else { v };
    Value::object([
        (
            "parallelism",
            Value::from(r["Parallelism"].as_i64().unwrap_or(0)),
        ),
        ("delay", or(nanos(&r["Delay"]), Value::from("0s"))),
        ("failure_action", text(&r["FailureAction"])),
        ("monitor", or(nanos(&r["Monitor"]), Value::from("0s"))),
        ("max_failure_ratio", Value::string(format!("{ratio:.1}"))),
        ("order", text(&r["Order"])),
    ])
}

/// The endpoint: the spec's mode and ports, with the ports the swarm published (their chosen
/// `published_port`) when it has allocated them.
fn endpoint(s: &Json) -> Value {
    let spec = &s["Spec"]["EndpointSpec"];
    if !spec.is_object() {
        return Value::Null;
    }
    let allocated = &s["Endpoint"]["Ports"];
    let ports = if allocated.as_array().is_some_and(|p| !p.is_empty()) {
        allocated
    } else {
        &spec["Ports"]
    };
    let ports: Vec<Value> = ports
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            Value::object([
                ("name", text(&p["Name"])),
                ("protocol", text(&p["Protocol"])),
                ("target_port", number(&p["TargetPort"])),
                ("published_port", number(&p["PublishedPort"])),
                ("publish_mode", text(&p["PublishMode"])),
            ])
        })
        .collect();
    Value::object([("mode", text(&spec["Mode"])), ("ports", Value::List(ports))])
}

/// `observed` with the prior's spelling wherever both mean the same: durations equal in
/// nanoseconds, and an explicit `false`, `""`, `0`, `"0s"` or empty collection where the Engine
/// reports nothing.
pub fn reconcile(prior: Option<&Value>, observed: Value) -> Value {
    let Some(prior) = prior.map(Value::unmarked) else {
        return observed;
    };
    match (prior, observed) {
        (Value::Map(p), Value::Map(o)) => Value::Map(
            o.into_iter()
                .map(|(k, v)| {
                    let v = reconcile(p.get(&k), v);
                    (k, v)
                })
                .collect(),
        ),
        (Value::String(p), Value::String(o)) => {
            let same = duration::parse(p).is_some() && duration::parse(p) == duration::parse(&o);
            Value::String(if same { p.clone() } else { o })
        }
        (p, Value::Null) if is_empty(p) => p.clone(),
        (_, observed) => observed,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty() || duration::parse(s) == Some(0),
        Value::List(items) | Value::Set(items) => items.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Number(_) => v.as_f64() == Some(0.0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn engine_defaults_read_back_like_configuration() {
        let s = json!({
            "ID": "svc1",
            "Spec": {
                "Name": "web",
                "Labels": {"plinth.managed": "true", "tier": "front"},
                "TaskTemplate": {
                    "ContainerSpec": {"Image": "busybox", "Command": ["sleep", "1"], "Isolation": "default",
                                      "StopGracePeriod": 60_000_000_000i64},
                    "ForceUpdate": 0, "Runtime": "container"
                },
                "Mode": {"Replicated": {"Replicas": 2}}
            },
            "Endpoint": {"Spec": {}}
        });
        let value = Value::object(service(&s));
        let task = value.get("task_spec").expect("task_spec");
        let c = task.get("container_spec").expect("container_spec");
        assert_eq!(c.get("stop_grace_period"), Some(&Value::from("1m")));
        assert_eq!(c.get("mounts"), Some(&Value::set(vec![])));
        assert_eq!(c.get("env"), Some(&Value::Null));
        assert_eq!(task.get("force_update"), Some(&Value::Null));
        assert_eq!(task.get("runtime"), Some(&Value::from("container")));
        assert_eq!(value.get("endpoint_spec"), Some(&Value::Null));
        assert_eq!(
            value.get("mode").and_then(|m| m.get("replicated")),
            Some(&Value::object([("replicas", Value::from(2i64))]))
        );
        let prior = Value::object([(
            "task_spec",
            Value::object([(
                "container_spec",
                Value::object([
                    ("stop_grace_period", Value::from("60s")),
                    ("read_only", Value::Bool(false)),
                ]),
            )]),
        )]);
        let kept = reconcile(Some(&prior), value);
        let c = kept
            .get("task_spec")
            .and_then(|t| t.get("container_spec"))
            .expect("container_spec");
        assert_eq!(c.get("stop_grace_period"), Some(&Value::from("60s")));
        assert_eq!(c.get("read_only"), Some(&Value::Bool(false)));
    }
}
