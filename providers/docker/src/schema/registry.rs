//! Schemas of `docker_tag`, `docker_registry_image` (resource and data source) and the
//! `docker_logs` and `docker_plugin` data sources, as kreuzwerker/docker v3 names them.
//!
//! A tag has no update: both names and `tag_triggers` replace it. A registry image replaces
//! for a new name or `triggers`; `keep_remotely`, `insecure_skip_verify` and `auth_config` only
//! steer later calls and change in place.

use plinth_sdk::{Attribute, NestedBlock, Schema, Type};

use super::{string_map, string_set, strings};

pub fn tag() -> Schema {
    Schema::new()
        .attr(
            "source_image",
            Attribute::required(Type::String)
                .force_new()
                .describe("name of the local source image"),
        )
        .attr(
            "target_image",
            Attribute::required(Type::String)
                .force_new()
                .describe("name given to the source image"),
        )
        .attr(
            "tag_triggers",
            Attribute::optional(string_set())
                .force_new()
                .describe("any change tags again (e.g. the source's image id)"),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr(
            "source_image_id",
            Attribute::computed(Type::String).describe("image id of the source image (sha256:...)"),
        )
}

pub fn registry_image() -> Schema {
    let auth = Schema::new()
        .attr(
            "address",
            Attribute::required(Type::String).describe("registry host[:port]"),
        )
        .attr("username", Attribute::required(Type::String))
        .attr("password", Attribute::required(Type::String).sensitive());
    Schema::new()
        .attr(
            "name",
            Attribute::required(Type::String)
                .force_new()
                .describe("the local image to push, e.g. registry.example:5000/app:1.0"),
        )
        .attr(
            "keep_remotely",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("do not delete the image from the registry on destroy"),
        )
        .attr(
            "insecure_skip_verify",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("do not verify the registry's TLS certificate"),
        )
        .attr(
            "triggers",
            Attribute::optional(string_map())
                .force_new()
                .describe("any change pushes the image again"),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr(
            "sha256_digest",
            Attribute::computed(Type::String).describe("digest of the pushed manifest"),
        )
        .block("auth_config", NestedBlock::list(auth))
}

pub fn registry_image_data_source() -> Schema {
    Schema::new()
        .attr(
            "name",
            Attribute::required(Type::String).describe("image name with its tag, e.g. alpine:3.19"),
        )
        .attr(
            "insecure_skip_verify",
            Attribute::optional(Type::Bool)
                .default(false)
                .describe("do not verify the registry's TLS certificate"),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr(
            "sha256_digest",
            Attribute::computed(Type::String).describe("digest of the manifest in the registry"),
        )
}

pub fn logs_data_source() -> Schema {
    let flag = |default: bool, text: &str| {
        Attribute::optional(Type::Bool)
            .default(default)
            .describe(text)
    };
    let text = |text: &str| Attribute::optional(Type::String).default("").describe(text);
    Schema::new()
        .attr(
            "name",
            Attribute::required(Type::String).describe("name or id of the container"),
        )
        .attr("show_stdout", flag(true, "include standard output"))
        .attr("show_stderr", flag(true, "include standard error"))
        .attr(
            "since",
            text("from this time: UNIX timestamp, RFC 3339 or a duration before now (10m)"),
        )
        .attr("until", text("up to this time, written as since"))
        .attr("timestamps", flag(false, "prefix each line with its time"))
        .attr(
            "follow",
            flag(false, "keep reading until the container stops"),
        )
        .attr("tail", text("number of lines from the end, or all"))
        .attr(
            "details",
            flag(false, "add the extra attributes of the log driver"),
        )
        .attr(
            "discard_headers",
            flag(true, "take the engine's stream headers off each line"),
        )
        .attr(
            "logs_list_string_enabled",
            flag(true, "fill logs_list_string"),
        )
        .attr("id", Attribute::computed(Type::String))
        .attr(
            "logs_list_string",
            Attribute::computed(strings()).describe("the output, one line per element"),
        )
}

pub fn plugin_data_source() -> Schema {
    Schema::new()
        .attr(
            "id",
            Attribute::optional_computed(Type::String).describe("the plugin's id"),
        )
        .attr(
            "alias",
            Attribute::optional_computed(Type::String)
                .describe("the plugin's local name; :latest when no tag is given"),
        )
        .attr(
            "name",
            Attribute::optional_computed(Type::String).describe("the plugin's reference"),
        )
        .attr(
            "plugin_reference",
            Attribute::computed(Type::String).describe("reference the plugin was installed from"),
        )
        .attr(
            "enabled",
            Attribute::computed(Type::Bool).describe("whether the plugin is enabled"),
        )
        .attr(
            "grant_all_permissions",
            Attribute::computed(Type::Bool).describe("not reported by the engine: always null"),
        )
        .attr(
            "env",
            Attribute::computed(string_set()).describe("environment of the plugin, KEY=VALUE"),
        )
}
