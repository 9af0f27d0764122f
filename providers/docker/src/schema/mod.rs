//! The Docker provider's schemas, named and shaped like the kreuzwerker/docker v3 provider's.
//!
//! Replacement follows the Docker Engine API: networks, volumes and images have no update call,
//! so every configurable attribute of theirs is `force_new`; a container can change its restart
//! policy, memory and CPU shares in place (`POST /containers/{id}/update`) and be started again
//! (`must_run`), everything else replaces it.

mod container;
mod image;
mod registry;
mod service;
mod swarm;

use plinth_sdk::{Attribute, NestedBlock, Schema, Type};

pub use container::container;
pub use image::image;
pub use registry::{
    logs_data_source, plugin_data_source, registry_image, registry_image_data_source, tag,
};
pub use service::service;
pub use swarm::{config, secret};

/// The provider block: the engine's address, TLS material and registry credentials.
pub fn provider_block() -> Schema {
    let registry_auth = Schema::new()
        .attr(
            "address",
            Attribute::required(Type::String).describe("registry host[:port]"),
        )
        .attr("username", Attribute::optional(Type::String))
        .attr("password", Attribute::optional(Type::String).sensitive())
        .attr(
            "config_file",
            Attribute::optional(Type::String)
                .default("~/.docker/config.json")
                .describe("Docker CLI configuration holding the credentials"),
        )
        .attr(
            "config_file_content",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("the content of such a configuration file"),
        )
        .attr(
            "auth_disabled",
            Attribute::optional(Type::Bool).describe("the registry needs no credentials"),
        );
    Schema::new()
        .attr(
            "host",
            Attribute::optional(Type::String).describe(
                "Docker Engine address (unix:///path, tcp://host:port or ssh://user@host); \
                 default DOCKER_HOST, else the local socket",
            ),
        )
        .attr(
            "cert_path",
            Attribute::optional(Type::String)
                .describe("directory of ca.pem, cert.pem and key.pem; default DOCKER_CERT_PATH"),
        )
        .attr(
            "ca_material",
            Attribute::optional(Type::String).describe("PEM of the CA that signed the engine"),
        )
        .attr(
            "cert_material",
            Attribute::optional(Type::String).describe("PEM of the client certificate"),
        )
        .attr(
            "key_material",
            Attribute::optional(Type::String)
                .sensitive()
                .describe("PEM of the client key"),
        )
        .attr(
            "ssh_opts",
            Attribute::optional(strings()).describe("extra options of the ssh command"),
        )
        .attr(
            "disable_docker_daemon_check",
            Attribute::optional(Type::Bool).describe("do not contact the engine when configuring"),
        )
        .block("registry_auth", NestedBlock::set(registry_auth))
}

pub(crate) fn strings() -> Type {
    Type::list(Type::String)
}

pub(crate) fn string_set() -> Type {
    Type::set(Type::String)
}

pub(crate) fn string_map() -> Type {
    Type::map(Type::String)
}

/// `labels { label = "k" value = "v" }` blocks, as kreuzwerker/docker v3 writes them.
pub(crate) fn labels_block() -> NestedBlock {
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

pub fn network() -> Schema {
    let ipam = Schema::new()
        .attr("subnet", Attribute::optional(Type::String))
        .attr("gateway", Attribute::optional(Type::String))
        .attr("ip_range", Attribute::optional(Type::String))
        .attr("aux_address", Attribute::optional(string_map()));
    Schema::new()
        .attr("name", Attribute::required(Type::String).force_new())
        .attr(
            "ipv6",
            Attribute::optional(Type::Bool).default(false).force_new(),
        )
        .attr(
            "ingress",
            Attribute::optional(Type::Bool)
                .default(false)
                .force_new()
                .describe("the swarm routing-mesh network"),
        )
        .attr(
            "ipam_driver",
            Attribute::optional(Type::String)
                .default("default")
                .force_new(),
        )
        .attr(
            "ipam_options",
            Attribute::optional(string_map()).force_new(),
        )
        .attr(
            "options",
            Attribute::optional(string_map())
                .force_new()
                .describe("driver options, e.g. com.docker.network.bridge.name"),
        )
        .attr(
            "check_duplicate",
            Attribute::optional(Type::Bool)
                .deprecate("nothing: the engine always refuses a second network of the same name"),
        )
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

pub fn volume() -> Schema {
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

pub(crate) fn plain(ty: Type) -> plinth_sdk::ObjectAttr {
    plinth_sdk::ObjectAttr {
        ty,
        optional: false,
        default: None,
    }
}

pub fn network_data_source() -> Schema {
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

pub fn image_data_source() -> Schema {
    Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("id", Attribute::computed(Type::String))
        .attr("repo_digest", Attribute::computed(Type::String))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_volumes_replace_on_every_configured_change() {
        for (name, s) in [("docker_network", network()), ("docker_volume", volume())] {
            for (attr, a) in &s.attributes {
                if (a.optional || a.required) && a.deprecated.is_none() {
                    assert!(a.force_new, "{name}.{attr} must force replacement");
                }
            }
        }
    }
}
