//! The Docker provider's schemas, named and shaped like the kreuzwerker/docker v3 provider's.
//!
//! Replacement follows the Docker Engine API: networks, volumes and images have no update call,
//! so every configurable attribute of theirs is `force_new`; a container can change its restart
//! policy, memory and CPU shares in place (`POST /containers/{id}/update`) and be started again
//! (`must_run`), everything else replaces it.

use plinth_sdk::{Attribute, NestedBlock, ProviderSchema, Schema, Type};

/// The whole provider schema.
pub fn provider_schema() -> ProviderSchema {
    let mut schema = ProviderSchema {
        provider: Schema::new().attr(
            "host",
            Attribute::optional(Type::String)
                .describe("Docker Engine address (unix:///path or tcp://host:port); default DOCKER_HOST, else the local socket"),
        ),
        ..ProviderSchema::default()
    };
    schema.resources.insert("docker_image".into(), image());
    schema.resources.insert("docker_network".into(), network());
    schema.resources.insert("docker_volume".into(), volume());
    schema
        .resources
        .insert("docker_container".into(), container());
    schema
        .data_sources
        .insert("docker_network".into(), network_data_source());
    schema
        .data_sources
        .insert("docker_image".into(), image_data_source());
    schema
}

fn strings() -> Type {
    Type::list(Type::String)
}

fn string_set() -> Type {
    Type::set(Type::String)
}

fn string_map() -> Type {
    Type::map(Type::String)
}

/// `labels { label = "k" value = "v" }` blocks, as kreuzwerker/docker v3 writes them.
fn labels_block() -> NestedBlock {
    NestedBlock::set(
        Schema::new()
            .attr(
                "label",
                Attribute::required(Type::String).describe("label key"),
            )
            .attr(
                "value",
                Attribute::required(Type::String).describe("label value"),
            ),
    )
    .force_new()
}

fn image() -> Schema {
    let build = Schema::new()
        .attr(
            "context",
            Attribute::required(Type::String)
                .describe("local directory sent to the engine as build context"),
        )
        .attr(
            "dockerfile",
            Attribute::optional(Type::String)
                .default("Dockerfile")
                .describe("Dockerfile path inside the context"),
        )
        .attr(
            "build_args",
            Attribute::optional(string_map()).describe("--build-arg values"),
        )
        .attr(
            "target",
            Attribute::optional(Type::String).describe("stage of a multi-stage build"),
        )
        .attr(
            "labels",
            Attribute::optional(string_map()).describe("labels set on the built image"),
        );
    Schema::new()
        .attr(
            "name",
            Attribute::required(Type::String)
                .force_new()
                .describe("image reference, e.g. api:1.3.0-ab12cd3"),
        )
        .attr(
            "keep_locally",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("do not remove the image on destroy"),
        )
        .attr(
            "triggers",
            Attribute::optional(string_map())
                .force_new()
                .describe("any change rebuilds the image"),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr(
            "image_id",
            Attribute::computed(Type::String).describe("the image's content id (sha256:...)"),
        )
        .attr(
            "repo_digest",
            Attribute::computed(Type::String).describe("registry digest, empty for local builds"),
        )
        .block("build", NestedBlock::single(build).force_new())
}

fn network() -> Schema {
    let ipam = Schema::new()
        .attr("subnet", Attribute::optional(Type::String))
        .attr("gateway", Attribute::optional(Type::String))
        .attr("ip_range", Attribute::optional(Type::String));
    Schema::new()
        .attr("name", Attribute::required(Type::String).force_new())
        .attr(
            "driver",
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("default bridge"),
        )
        .attr(
            "internal",
            Attribute::optional(Type::Bool).default(false).force_new(),
        )
        .attr(
            "attachable",
            Attribute::optional(Type::Bool).default(false).force_new(),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr("scope", Attribute::computed(Type::String))
        .block("ipam_config", NestedBlock::set(ipam).force_new())
        .block("labels", labels_block())
}

fn volume() -> Schema {
    Schema::new()
        .attr(
            "name",
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("generated by the engine when left out"),
        )
        .attr(
            "driver",
            Attribute::optional_computed(Type::String)
                .force_new()
                .describe("default local"),
        )
        .attr("driver_opts", Attribute::optional(string_map()).force_new())
        .attr("id", Attribute::computed(Type::String))
        .attr("mountpoint", Attribute::computed(Type::String))
        .block("labels", labels_block())
}

fn container() -> Schema {
    let ports = Schema::new()
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
        .attr("protocol", Attribute::optional(Type::String).default("tcp"));
    let volumes = Schema::new()
        .attr(
            "volume_name",
            Attribute::optional(Type::String).describe("named volume (or host_path)"),
        )
        .attr(
            "host_path",
            Attribute::optional(Type::String).describe("absolute host path (or volume_name)"),
        )
        .attr("container_path", Attribute::required(Type::String))
        .attr("read_only", Attribute::optional(Type::Bool).default(false));
    let networks = Schema::new()
        .attr(
            "name",
            Attribute::required(Type::String).describe("network name or id"),
        )
        .attr("aliases", Attribute::optional(string_set()))
        .attr("ipv4_address", Attribute::optional(Type::String));
    let healthcheck = Schema::new()
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
        .attr("retries", Attribute::optional(Type::Number).default(0i64));
    let network_data = Type::Object(
        ["network_name", "ip_address", "gateway", "mac_address"]
            .into_iter()
            .map(|k| (k.to_string(), plain(Type::String)))
            .chain([("ip_prefix_length".to_string(), plain(Type::Number))])
            .collect(),
    );
    Schema::new()
        .attr("name", Attribute::required(Type::String).force_new())
        .attr(
            "image",
            Attribute::required(Type::String)
                .force_new()
                .describe("image id or reference"),
        )
        .attr(
            "command",
            Attribute::optional_computed(strings()).force_new(),
        )
        .attr(
            "entrypoint",
            Attribute::optional_computed(strings()).force_new(),
        )
        .attr(
            "env",
            Attribute::optional(string_set())
                .force_new()
                .describe("KEY=value entries"),
        )
        .attr(
            "restart",
            Attribute::optional(Type::String)
                .default("no")
                .describe("no, on-failure, always or unless-stopped; updated in place"),
        )
        .attr(
            "must_run",
            Attribute::optional(Type::Bool)
                .default(true)
                .describe("a stopped container is started again"),
        )
        .attr(
            "wait",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("wait until the container is healthy"),
        )
        .attr(
            "wait_timeout",
            Attribute::optional(Type::Number)
                .default(60i64)
                .describe("seconds to wait for health"),
        )
        .attr(
            "memory",
            Attribute::optional(Type::Number).describe("memory limit in MB; updated in place"),
        )
        .attr(
            "cpu_shares",
            Attribute::optional(Type::Number).describe("relative CPU weight; updated in place"),
        )
        .attr(
            "user",
            Attribute::optional_computed(Type::String).force_new(),
        )
        .attr(
            "working_dir",
            Attribute::optional_computed(Type::String).force_new(),
        )
        .attr(
            "hostname",
            Attribute::optional_computed(Type::String).force_new(),
        )
        .attr(
            "log_driver",
            Attribute::optional_computed(Type::String).force_new(),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr("exit_code", Attribute::computed(Type::Number))
        .attr(
            "network_data",
            Attribute::computed(Type::list(network_data)),
        )
        .block("ports", NestedBlock::list(ports).force_new())
        .block("volumes", NestedBlock::set(volumes).force_new())
        .block("networks_advanced", NestedBlock::set(networks).force_new())
        .block("healthcheck", NestedBlock::single(healthcheck).force_new())
        .block("labels", labels_block())
}

fn plain(ty: Type) -> plinth_sdk::ObjectAttr {
    plinth_sdk::ObjectAttr {
        ty,
        optional: false,
        default: None,
    }
}

fn network_data_source() -> Schema {
    let ipam = Type::Object(
        ["subnet", "gateway", "ip_range"]
            .into_iter()
            .map(|k| (k.to_string(), plain(Type::String)))
            .collect(),
    );
    Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("id", Attribute::computed(Type::String))
        .attr("driver", Attribute::computed(Type::String))
        .attr("internal", Attribute::computed(Type::Bool))
        .attr("scope", Attribute::computed(Type::String))
        .attr("options", Attribute::computed(string_map()))
        .attr("ipam_config", Attribute::computed(Type::list(ipam)))
}

fn image_data_source() -> Schema {
    Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("id", Attribute::computed(Type::String))
        .attr("repo_digest", Attribute::computed(Type::String))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_updates_in_place_only_what_the_update_api_changes() {
        let schema = provider_schema();
        let container = &schema.resources["docker_container"];
        let in_place: Vec<&str> = container
            .attributes
            .iter()
            .filter(|(_, a)| (a.optional || a.required) && !a.force_new)
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            in_place,
            [
                "cpu_shares",
                "memory",
                "must_run",
                "restart",
                "wait",
                "wait_timeout"
            ]
        );
        assert!(container.blocks.values().all(|b| b.force_new));
    }

    #[test]
    fn networks_and_volumes_replace_on_every_configured_change() {
        let schema = provider_schema();
        for name in ["docker_network", "docker_volume"] {
            let s = &schema.resources[name];
            for (attr, a) in &s.attributes {
                if a.optional || a.required {
                    assert!(a.force_new, "{name}.{attr} must force replacement");
                }
            }
        }
    }
}
