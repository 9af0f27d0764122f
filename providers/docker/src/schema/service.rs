//! The `docker_service` schema: kreuzwerker/docker v3's arguments with their defaults.
//!
//! A service updates in place (`POST /services/{id}/update` with its version index) except for
//! its name, registry `auth`, the scheduling mode (replicated or global; the replica count
//! updates), extra `hosts`, `sysctl` and `networks_advanced`, which replace it. Blocks the
//! Engine fills in (`labels`, `mode`, `endpoint_spec`, `resources`, `restart_policy`,
//! `placement`, `healthcheck`, `dns_config`) keep what it chose when the configuration leaves
//! them out.

use plinth_sdk::{Attribute, NestedBlock, Schema, Type};

use super::{labels_block, string_map, string_set, strings};

fn opt(ty: Type) -> Attribute {
    Attribute::optional(ty)
}

fn duration(default: &str) -> Attribute {
    opt(Type::String)
        .default(default)
        .describe("a duration such as 10s or 1m30s")
}

fn label_set() -> NestedBlock {
    let mut block = labels_block();
    block.force_new = false;
    block
}

fn mounts() -> NestedBlock {
    let bind = Schema::new().attr(
        "propagation",
        opt(Type::String)
            .default("rprivate")
            .describe("private, rprivate, shared, rshared, slave or rslave"),
    );
    let volume = Schema::new()
        .attr("no_copy", opt(Type::Bool))
        .attr("driver_name", opt(Type::String))
        .attr("driver_options", opt(string_map()))
        .block("labels", label_set());
    let tmpfs = Schema::new().attr("size_bytes", opt(Type::Number)).attr(
        "mode",
        opt(Type::Number).describe("permission bits, e.g. 448 (0700)"),
    );
    NestedBlock::set(
        Schema::new()
            .attr("target", Attribute::required(Type::String))
            .attr(
                "type",
                Attribute::required(Type::String).describe("bind, volume or tmpfs"),
            )
            .attr("source", opt(Type::String))
            .attr("read_only", opt(Type::Bool))
            .block("bind_options", NestedBlock::single(bind))
            .block("volume_options", NestedBlock::single(volume))
            .block("tmpfs_options", NestedBlock::single(tmpfs)),
    )
}

/// `secrets` and `configs` references: the object's id and name and the file it appears as.
fn file_references(kind: &str) -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr(&format!("{kind}_id"), Attribute::required(Type::String))
            .attr(&format!("{kind}_name"), opt(Type::String))
            .attr(
                "file_name",
                Attribute::required(Type::String).describe("path inside the container"),
            )
            .attr("file_uid", opt(Type::String).default("0"))
            .attr("file_gid", opt(Type::String).default("0"))
            .attr(
                "file_mode",
                opt(Type::Number).default(0o444i64).describe("default 0444"),
            ),
    )
}

fn container_spec() -> NestedBlock {
    let healthcheck = Schema::new()
        .attr("test", opt(strings()))
        .attr("interval", duration("0s"))
        .attr("timeout", duration("0s"))
        .attr("start_period", duration("0s"))
        .attr("retries", opt(Type::Number).default(0i64));
    let hosts = Schema::new()
        .attr("host", Attribute::required(Type::String))
        .attr("ip", Attribute::required(Type::String));
    let dns = Schema::new()
        .attr("nameservers", Attribute::required(strings()))
        .attr("search", opt(strings()))
        .attr("options", opt(strings()));
    let schema = Schema::new()
        .attr("image", Attribute::required(Type::String))
        .attr("command", opt(strings()))
        .attr("args", opt(strings()))
        .attr("hostname", opt(Type::String))
        .attr("env", opt(string_map()))
        .attr("dir", opt(Type::String))
        .attr("user", opt(Type::String))
        .attr("groups", opt(strings()))
        .attr("read_only", opt(Type::Bool))
        .attr("stop_signal", opt(Type::String))
        .attr(
            "stop_grace_period",
            Attribute::optional_computed(Type::String).describe("e.g. 10s; the Engine's default"),
        )
        .attr(
            "isolation",
            opt(Type::String)
                .default("default")
                .describe("default, process or hyperv"),
        )
        .attr(
            "sysctl",
            opt(string_map()).describe("kernel parameters; a change replaces the service"),
        )
        .attr("cap_add", opt(strings()))
        .attr("cap_drop", opt(strings()))
        .block("labels", label_set())
        .block("mounts", mounts())
        .block("healthcheck", NestedBlock::single(healthcheck))
        .block("hosts", NestedBlock::set(hosts))
        .block("dns_config", NestedBlock::single(dns))
        .block("secrets", file_references("secret"))
        .block("configs", file_references("config"));
    required_single(schema)
}

fn required_single(schema: Schema) -> NestedBlock {
    NestedBlock {
        min_items: 1,
        ..NestedBlock::single(schema)
    }
}

fn task_spec() -> NestedBlock {
    let limits = Schema::new()
        .attr("nano_cpus", opt(Type::Number))
        .attr("memory_bytes", opt(Type::Number));
    let generic = Schema::new()
        .attr("named_resources_spec", opt(string_set()))
        .attr("discrete_resources_spec", opt(string_set()));
    let reservation = limits
        .clone()
        .block("generic_resources", NestedBlock::single(generic));
    let resources = Schema::new()
        .block("limits", NestedBlock::single(limits))
        .block("reservation", NestedBlock::single(reservation));
    let restart = Schema::new()
        .attr(
            "condition",
            opt(Type::String).describe("none, on-failure or any"),
        )
        .attr("delay", opt(Type::String))
        .attr("max_attempts", opt(Type::Number))
        .attr("window", opt(Type::String));
    let platforms = Schema::new()
        .attr("architecture", Attribute::required(Type::String))
        .attr("os", Attribute::required(Type::String));
    let placement = Schema::new()
        .attr("constraints", opt(string_set()))
        .attr("prefs", opt(string_set()))
        .attr("max_replicas", opt(Type::Number))
        .block("platforms", NestedBlock::set(platforms));
    let networks = Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("aliases", opt(string_set()))
        .attr("driver_opts", opt(string_set()));
    let log_driver = Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("options", opt(string_map()));
    let schema = Schema::new()
        .attr(
            "force_update",
            Attribute::optional_computed(Type::Number)
                .describe("change it to restart the tasks without another change"),
        )
        .attr(
            "runtime",
            Attribute::optional_computed(Type::String).describe("container or plugin"),
        )
        .block("container_spec", container_spec())
        .block("resources", NestedBlock::single(resources))
        .block("restart_policy", NestedBlock::single(restart))
        .block("placement", NestedBlock::single(placement))
        .block("networks_advanced", NestedBlock::set(networks))
        .block("log_driver", NestedBlock::single(log_driver));
    required_single(schema)
}

/// `update_config` and `rollback_config`.
fn rollout() -> NestedBlock {
    NestedBlock::single(
        Schema::new()
            .attr("parallelism", opt(Type::Number).default(1i64))
            .attr("delay", duration("0s"))
            .attr(
                "failure_action",
                opt(Type::String)
                    .default("pause")
                    .describe("pause, continue or rollback"),
            )
            .attr("monitor", duration("5s"))
            .attr("max_failure_ratio", opt(Type::String).default("0.0"))
            .attr(
                "order",
                opt(Type::String)
                    .default("stop-first")
                    .describe("stop-first or start-first"),
            ),
    )
}

pub fn service() -> Schema {
    let auth = Schema::new()
        .attr("server_address", Attribute::required(Type::String))
        .attr("username", opt(Type::String))
        .attr("password", opt(Type::String).sensitive());
    let replicated = Schema::new().attr("replicas", opt(Type::Number).default(1i64));
    let mode = Schema::new()
        .attr("global", opt(Type::Bool).default(false))
        .block("replicated", NestedBlock::single(replicated));
    let ports = Schema::new()
        .attr("name", opt(Type::String))
        .attr(
            "protocol",
            opt(Type::String)
                .default("tcp")
                .describe("tcp, udp or sctp"),
        )
        .attr("target_port", Attribute::required(Type::Number))
        .attr(
            "published_port",
            Attribute::optional_computed(Type::Number)
                .describe("chosen by the swarm when left out"),
        )
        .attr(
            "publish_mode",
            opt(Type::String)
                .default("ingress")
                .describe("ingress or host"),
        );
    let endpoint = Schema::new()
        .attr(
            "mode",
            Attribute::optional_computed(Type::String).describe("vip (default) or dnsrr"),
        )
        .block("ports", NestedBlock::list(ports));
    let converge = Schema::new()
        .attr("delay", duration("7s"))
        .attr("timeout", duration("3m"));
    Schema::new()
        .describe("a swarm service")
        .attr("name", Attribute::required(Type::String).force_new())
        .attr("id", Attribute::computed(Type::String))
        .block("auth", NestedBlock::single(auth).force_new())
        .block("labels", label_set())
        .block("task_spec", task_spec())
        .block("mode", NestedBlock::single(mode))
        .block("update_config", rollout())
        .block("rollback_config", rollout())
        .block("endpoint_spec", NestedBlock::single(endpoint))
        .block("converge_config", NestedBlock::single(converge))
}
