//! The `docker_container` schema: every argument of kreuzwerker/docker v3, with its defaults.
//!
//! What the Engine's update call changes (restart policy, memory, swap, CPU shares and set)
//! updates in place; what only steers plinth (`must_run`, `start`, `wait`, `attach`, `logs`,
//! `rm`, `remove_volumes`, `destroy_grace_seconds`, ...) changes state alone; everything else is
//! fixed when the container is made, so a change replaces it. What an import cannot read back
//! from the engine (`upload`, `cgroupns_mode`, `gpus` and plinth's own settings) is
//! `not_read_back`: assumed as configured.

use plinth_sdk::{Attribute, NestedBlock, Schema, Type};

use super::{labels_block, plain, string_map, string_set, strings};

fn ports() -> NestedBlock {
    NestedBlock::list(
        Schema::new()
            .attr(
                "internal",
                Attribute::required(Type::Number).describe("port inside the container"),
            )
            .attr(
                "external",
                Attribute::optional_computed(Type::Number)
                    .describe("host port; chosen by the engine when left out"),
            )
            .attr("ip", Attribute::optional(Type::String).default("0.0.0.0"))
            .attr("protocol", Attribute::optional(Type::String).default("tcp")),
    )
    .force_new()
}

fn volumes() -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr(
                "volume_name",
                Attribute::optional(Type::String).describe("named volume (or host_path)"),
            )
            .attr(
                "host_path",
                Attribute::optional(Type::String).describe("absolute host path (or volume_name)"),
            )
            .attr(
                "container_path",
                Attribute::optional(Type::String)
                    .describe("where it is mounted; left out with from_container"),
            )
            .attr(
                "from_container",
                Attribute::optional(Type::String)
                    .describe("mount every volume of this container (--volumes-from)"),
            )
            .attr("read_only", Attribute::optional(Type::Bool).default(false)),
    )
    .force_new()
}

fn networks() -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr(
                "name",
                Attribute::required(Type::String).describe("network name or id"),
            )
            .attr("aliases", Attribute::optional(string_set()))
            .attr("ipv4_address", Attribute::optional(Type::String))
            .attr("ipv6_address", Attribute::optional(Type::String))
            .attr("mac_address", Attribute::optional(Type::String)),
    )
    .force_new()
}

fn healthcheck() -> NestedBlock {
    NestedBlock::single(
        Schema::new()
            .attr(
                "test",
                Attribute::required(strings())
                    .describe("e.g. [\"CMD\", \"wget\", \"-q\", \"-O-\", \"http://localhost/\"]"),
            )
            .attr("interval", Attribute::optional(Type::String).default("0s"))
            .attr("timeout", Attribute::optional(Type::String).default("0s"))
            .attr(
                "start_period",
                Attribute::optional(Type::String).default("0s"),
            )
            .attr(
                "start_interval",
                Attribute::optional(Type::String).default("0s"),
            )
            .attr("retries", Attribute::optional(Type::Number).default(0i64)),
    )
    .force_new()
}

fn mounts() -> NestedBlock {
    let bind = Schema::new().attr(
        "propagation",
        Attribute::optional(Type::String)
            .describe("private, rprivate, shared, rshared, slave or rslave"),
    );
    let volume = Schema::new()
        .attr("no_copy", Attribute::optional(Type::Bool))
        .attr("driver_name", Attribute::optional(Type::String))
        .attr("driver_options", Attribute::optional(string_map()))
        .attr(
            "subpath",
            Attribute::optional(Type::String).describe("path inside the volume (API 1.45+)"),
        )
        .block("labels", labels_block());
    let tmpfs = Schema::new()
        .attr("size_bytes", Attribute::optional(Type::Number))
        .attr(
            "mode",
            Attribute::optional(Type::Number).describe("permission bits, e.g. 448 (0700)"),
        );
    NestedBlock::set(
        Schema::new()
            .attr("target", Attribute::required(Type::String))
            .attr(
                "type",
                Attribute::required(Type::String).describe("bind, volume or tmpfs"),
            )
            .attr("source", Attribute::optional(Type::String))
            .attr("read_only", Attribute::optional(Type::Bool))
            .block("bind_options", NestedBlock::single(bind))
            .block("volume_options", NestedBlock::single(volume))
            .block("tmpfs_options", NestedBlock::single(tmpfs)),
    )
    .force_new()
}

fn upload() -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr(
                "file",
                Attribute::required(Type::String).describe("absolute path inside the container"),
            )
            .attr("content", Attribute::optional(Type::String))
            .attr("content_base64", Attribute::optional(Type::String))
            .attr(
                "source",
                Attribute::optional(Type::String).describe("a local file to upload"),
            )
            .attr(
                "source_hash",
                Attribute::optional(Type::String)
                    .describe("change it to upload a changed source again"),
            )
            .attr("executable", Attribute::optional(Type::Bool).default(false))
            .attr(
                "permissions",
                Attribute::optional(Type::String)
                    .describe("octal mode such as 0644; wins over executable"),
            ),
    )
    .force_new()
    .not_read_back()
}

fn simple_block(fields: &[(&str, Type, bool)]) -> Schema {
    fields
        .iter()
        .fold(Schema::new(), |schema, (name, ty, req)| {
            let attribute = if *req {
                Attribute::required(ty.clone())
            } else {
                Attribute::optional(ty.clone())
            };
            schema.attr(name, attribute)
        })
}

/// Replacing, optional attributes of the given type.
fn fixed(schema: Schema, names: &[&str], ty: Type) -> Schema {
    names.iter().fold(schema, |schema, name| {
        schema.attr(name, Attribute::optional(ty.clone()).force_new())
    })
}

/// Replacing, optional attributes the engine fills in when left out.
fn fixed_computed(schema: Schema, names: &[&str], ty: Type) -> Schema {
    names.iter().fold(schema, |schema, name| {
        schema.attr(name, Attribute::optional_computed(ty.clone()).force_new())
    })
}

/// Replacing booleans that default to false.
fn fixed_flags(schema: Schema, names: &[&str]) -> Schema {
    names.iter().fold(schema, |schema, name| {
        schema.attr(
            name,
            Attribute::optional(Type::Bool).default(false).force_new(),
        )
    })
}

pub fn container() -> Schema {
    let network_data = Type::Object(
        [
            "network_name",
            "ip_address",
            "gateway",
            "mac_address",
            "global_ipv6_address",
            "ipv6_gateway",
        ]
        .into_iter()
        .map(|k| (k.to_string(), plain(Type::String)))
        .chain(
            ["ip_prefix_length", "global_ipv6_prefix_length"]
                .into_iter()
                .map(|k| (k.to_string(), plain(Type::Number))),
        )
        .collect(),
    );
    let schema = Schema::new()
        .attr("name", Attribute::required(Type::String).force_new())
        .attr(
            "image",
            Attribute::required(Type::String)
                .force_new()
                .describe("image id or reference"),
        )
        .attr(
            "env",
            Attribute::optional(string_set())
                .force_new()
                .describe("KEY=value entries"),
        )
        .attr(
            "network_mode",
            Attribute::optional(Type::String)
                .default("bridge")
                .force_new()
                .describe("bridge, host, none, container:<name|id> or a network name"),
        );
    let schema = fixed_computed(schema, &["command", "entrypoint"], strings());
    let schema = fixed_computed(
        schema,
        &[
            "user",
            "working_dir",
            "hostname",
            "log_driver",
            "ipc_mode",
            "runtime",
            "stop_signal",
        ],
        Type::String,
    );
    let schema = fixed_computed(schema, &["stop_timeout", "shm_size"], Type::Number);
    let schema = fixed_computed(schema, &["security_opts"], string_set());
    let schema = fixed(
        schema,
        &[
            "domainname",
            "cgroup_parent",
            "cpus",
            "pid_mode",
            "userns_mode",
        ],
        Type::String,
    );
    // The engine reports its own default cgroup namespace mode and no GPU request as it was
    // written, so neither can be told from an existing container.
    let schema = ["cgroupns_mode", "gpus"]
        .into_iter()
        .fold(schema, |schema, name| {
            schema.attr(
                name,
                Attribute::optional(Type::String)
                    .force_new()
                    .not_read_back(),
            )
        });
    let schema = fixed(
        schema,
        &["cpu_period", "cpu_quota", "memory_reservation"],
        Type::Number,
    );
    let schema = fixed(
        schema,
        &["dns", "dns_opts", "dns_search", "group_add"],
        string_set(),
    );
    // The engine's own default logging options (daemon.json) are reported as the container's.
    let schema = fixed_computed(schema, &["log_opts"], string_map());
    let schema = fixed(schema, &["sysctls", "tmpfs", "storage_opts"], string_map());
    let schema = fixed(
        schema,
        &["privileged", "publish_all_ports", "init"],
        Type::Bool,
    );
    let schema = fixed_flags(schema, &["read_only", "tty", "stdin_open"]);
    schema
        .attr(
            "restart",
            Attribute::optional(Type::String)
                .default("no")
                .describe("no, on-failure, always or unless-stopped; updated in place"),
        )
        .attr(
            "max_retry_count",
            Attribute::optional(Type::Number)
                .describe("restarts allowed with on-failure; updated in place"),
        )
        .attr(
            "memory",
            Attribute::optional(Type::Number).describe("memory limit in MB; updated in place"),
        )
        .attr(
            "memory_swap",
            Attribute::optional(Type::Number)
                .describe("memory plus swap in MB (-1: unlimited); updated in place"),
        )
        .attr(
            "cpu_shares",
            Attribute::optional(Type::Number).describe("relative CPU weight; updated in place"),
        )
        .attr(
            "cpu_set",
            Attribute::optional(Type::String)
                .describe("CPUs the container may use, e.g. 0-1; updated in place"),
        )
        .attr(
            "must_run",
            Attribute::optional(Type::Bool)
                .default(true)
                .describe("a stopped container is started again"),
        )
        .attr(
            "start",
            Attribute::optional(Type::Bool)
                .default(true)
                .not_read_back()
                .describe("start the container after creating it"),
        )
        .attr(
            "attach",
            Attribute::optional(Type::Bool)
                .default(false)
                .not_read_back()
                .describe("wait for the container to exit after starting it"),
        )
        .attr(
            "logs",
            Attribute::optional(Type::Bool)
                .default(false)
                .not_read_back()
                .describe("with attach, keep its output in container_logs"),
        )
        .attr(
            "rm",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("the engine removes the container when it exits"),
        )
        .attr(
            "remove_volumes",
            Attribute::optional(Type::Bool)
                .default(true)
                .not_read_back()
                .describe("remove anonymous volumes with the container"),
        )
        .attr(
            "destroy_grace_seconds",
            Attribute::optional(Type::Number)
                .not_read_back()
                .describe("stop the container with this timeout before removing it"),
        )
        .attr(
            "container_read_refresh_timeout_milliseconds",
            Attribute::optional(Type::Number)
                .default(15000i64)
                .not_read_back()
                .describe("how long to wait for a started container to run"),
        )
        .attr(
            "wait",
            Attribute::optional(Type::Bool)
                .default(false)
                .not_read_back()
                .describe("wait until the container is healthy"),
        )
        .attr(
            "wait_timeout",
            Attribute::optional(Type::Number)
                .default(60i64)
                .not_read_back()
                .describe("seconds to wait for health"),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr("exit_code", Attribute::computed(Type::Number))
        .attr("bridge", Attribute::computed(Type::String))
        .attr("container_logs", Attribute::computed(Type::String))
        .attr(
            "network_data",
            Attribute::computed(Type::list(network_data)),
        )
        .block("ports", ports())
        .block("volumes", volumes())
        .block("mounts", mounts())
        .block("networks_advanced", networks())
        .block("healthcheck", healthcheck())
        .block("upload", upload())
        .block(
            "capabilities",
            NestedBlock::single(simple_block(&[
                ("add", string_set(), false),
                ("drop", string_set(), false),
            ]))
            .force_new(),
        )
        .block(
            "devices",
            NestedBlock::set(simple_block(&[
                ("host_path", Type::String, true),
                ("container_path", Type::String, false),
                ("permissions", Type::String, false),
            ]))
            .force_new(),
        )
        .block(
            "host",
            NestedBlock::set(simple_block(&[
                ("host", Type::String, true),
                ("ip", Type::String, true),
            ]))
            .force_new(),
        )
        .block(
            "ulimit",
            NestedBlock::set(simple_block(&[
                ("name", Type::String, true),
                ("soft", Type::Number, true),
                ("hard", Type::Number, true),
            ]))
            .force_new(),
        )
        .block("labels", labels_block())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_updates_in_place_only_what_the_update_api_or_plinth_itself_changes() {
        let container = container();
        let in_place: Vec<&str> = container
            .attributes
            .iter()
            .filter(|(_, a)| (a.optional || a.required) && !a.force_new)
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            in_place,
            [
                "attach",
                "container_read_refresh_timeout_milliseconds",
                "cpu_set",
                "cpu_shares",
                "destroy_grace_seconds",
                "logs",
                "max_retry_count",
                "memory",
                "memory_swap",
                "must_run",
                "remove_volumes",
                "restart",
                "rm",
                "start",
                "wait",
                "wait_timeout"
            ]
        );
        assert!(container.blocks.values().all(|b| b.force_new));
    }

    #[test]
    fn volumes_container_path_is_optional_as_documented() {
        let container = container();
        let volumes = &container.blocks["volumes"].schema.attributes;
        assert!(volumes["container_path"].optional);
        assert!(volumes.contains_key("from_container"));
    }
}
