//! The `docker_image` schema: every argument of kreuzwerker/docker v3, plus `context_digest`,
//! the digest of the build context, so a change in the sources is a change in the plan.
//!
//! Images have no update call: the name, the build and the pull inputs replace the image;
//! `keep_locally` and `force_remove` only steer the delete.

use plinth_sdk::{Attribute, NestedBlock, Schema, Type};

use super::{string_map, string_set, strings};

fn build() -> Schema {
    let auth = Schema::new()
        .attr("host_name", Attribute::required(Type::String))
        .attr("auth", Attribute::optional(Type::String).sensitive())
        .attr("email", Attribute::optional(Type::String))
        .attr(
            "identity_token",
            Attribute::optional(Type::String).sensitive(),
        )
        .attr("password", Attribute::optional(Type::String).sensitive())
        .attr(
            "registry_token",
            Attribute::optional(Type::String).sensitive(),
        )
        .attr("server_address", Attribute::optional(Type::String))
        .attr("user_name", Attribute::optional(Type::String));
    let ulimit = Schema::new()
        .attr("name", Attribute::required(Type::String))
        .attr("soft", Attribute::required(Type::Number))
        .attr("hard", Attribute::required(Type::Number));
    let schema = Schema::new()
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
            "remove",
            Attribute::optional(Type::Bool)
                .default(true)
                .describe("remove intermediate containers after a successful build"),
        );
    let schema = [
        ("build_args", string_map(), "--build-arg values"),
        ("labels", string_map(), "labels set on the built image"),
        ("label", string_map(), "labels set on the built image"),
        ("cache_from", strings(), "images to use as cache sources"),
        ("extra_hosts", strings(), "host:ip entries for RUN steps"),
        ("security_opt", strings(), "security options"),
        ("tag", strings(), "further names given to the built image"),
        ("target", Type::String, "stage of a multi-stage build"),
        ("network_mode", Type::String, "network of the RUN steps"),
        ("platform", Type::String, "platform to build for"),
        ("cgroup_parent", Type::String, "parent cgroup of RUN steps"),
        ("cpu_set_cpus", Type::String, "CPUs RUN steps may use"),
        (
            "cpu_set_mems",
            Type::String,
            "memory nodes RUN steps may use",
        ),
        ("isolation", Type::String, "isolation technology"),
        ("build_id", Type::String, "identifier of the build request"),
        ("session_id", Type::String, "build session id"),
        (
            "remote_context",
            Type::String,
            "a Git or HTTP(S) URL instead of context",
        ),
        (
            "version",
            Type::String,
            "builder version: 1 (classic) or 2 (BuildKit)",
        ),
        ("cpu_period", Type::Number, "CPU CFS period of RUN steps"),
        ("cpu_quota", Type::Number, "CPU CFS quota of RUN steps"),
        ("cpu_shares", Type::Number, "CPU shares of RUN steps"),
        ("memory", Type::Number, "memory limit of RUN steps in bytes"),
        ("memory_swap", Type::Number, "memory plus swap of RUN steps"),
        ("shm_size", Type::Number, "size of /dev/shm in bytes"),
        ("no_cache", Type::Bool, "do not use the build cache"),
        (
            "force_remove",
            Type::Bool,
            "always remove intermediate containers",
        ),
        ("pull_parent", Type::Bool, "pull newer base images"),
        ("squash", Type::Bool, "squash new layers into one"),
        ("suppress_output", Type::Bool, "build quietly"),
    ]
    .into_iter()
    .fold(schema, |schema, (name, ty, text)| {
        schema.attr(name, Attribute::optional(ty).describe(text))
    });
    schema
        .block("auth_config", NestedBlock::list(auth))
        .block("ulimit", NestedBlock::list(ulimit))
}

pub fn image() -> Schema {
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
                .not_read_back()
                .describe("do not remove the image on destroy"),
        )
        .attr(
            "force_remove",
            Attribute::optional(Type::Bool)
                .not_read_back()
                .describe("remove the image on destroy even when containers use it"),
        )
        .attr(
            "platform",
            Attribute::optional(Type::String)
                .force_new()
                .describe("platform to pull, e.g. linux/amd64"),
        )
        .attr(
            "pull_triggers",
            Attribute::optional(string_set())
                .force_new()
                .describe("any change pulls the image again"),
        )
        .attr(
            "triggers",
            Attribute::optional(string_map())
                .force_new()
                .not_read_back()
                .describe("any change rebuilds the image (an import assumes them as configured)"),
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
        .attr(
            "context_digest",
            Attribute::computed(Type::String)
                .describe("digest of the build context (.dockerignore honoured)"),
        )
        // The engine cannot say how an image was built: an import assumes it as configured.
        .block(
            "build",
            NestedBlock::single(build()).force_new().not_read_back(),
        )
}
