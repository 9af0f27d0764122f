//! Building an image from a local context with the classic builder: the `build` block's
//! options, plinth's labels on the result, extra `tag` names, registry credentials for base
//! images, the tail of the build output in errors, and no leftovers of a build that failed.

use std::collections::HashMap;
use std::path::PathBuf;

use bollard::auth::DockerCredentials;
use bollard::query_parameters::{BuildImageOptions, TagImageOptions};
use bollard::{body_full, Docker};
use futures_util::StreamExt;
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Intent, Value};

use super::leftovers::{lost_its_cached_parent, Leftovers};
use super::{context, normalize};
use crate::attrs;
use crate::client::{failed, message};
use crate::registry::Auths;

/// How many lines of build output an error shows.
const BUILD_LOG_TAIL: usize = 15;

/// How many times a build is started when a cached layer it found vanished before it used it
/// (another build removing what its own failure left, or the engine pruning the parents of an
/// image a killed run was deleting).
const BUILD_ATTEMPTS: usize = 3;

/// Builds `name` from the `build` block with the classic builder, then gives it the `tag` names.
pub async fn build(
    docker: &Docker,
    name: &str,
    build: &Value,
    intent: &Intent,
    auths: &Auths,
) -> Result<(), Diagnostics> {
    let context = PathBuf::from(attrs::required(build, "context")?);
    if !context.is_dir() {
        return Err(Diagnostic::error(format!(
            "build context \"{}\" is not a directory",
            context.display()
        ))
        .into());
    }
    if attrs::non_empty(build, "version").is_some_and(|v| v != "1") {
        return Err(
            Diagnostic::error("build.version: only the classic builder (1) is supported")
                .with_detail(
                    "BuildKit builds need a session plinth does not open; leave version unset",
                )
                .with_attribute(AttrPath::attr("build").then("version"))
                .into(),
        );
    }
    let dockerfile = attrs::non_empty(build, "dockerfile")
        .unwrap_or("Dockerfile")
        .to_string();
    let shown = context.display().to_string();
    let packed_dockerfile = dockerfile.clone();
    let archive =
        tokio::task::spawn_blocking(move || context::archive(&context, &packed_dockerfile))
            .await
            .map_err(|e| {
                Diagnostic::error("packing the build context failed").with_detail(e.to_string())
            })?
            .map_err(|e| {
                Diagnostic::error(format!("packing the build context \"{shown}\" failed"))
                    .with_detail(e.to_string())
            })?;
    let small = |attr: &str| attrs::integer(build, attr).and_then(|n| i32::try_from(n).ok());
    let extra_hosts = attrs::strings(build, "extra_hosts").filter(|h| !h.is_empty());
    let options = BuildImageOptions {
        dockerfile,
        t: Some(name.to_string()),
        buildargs: Some(attrs::string_map(build, "build_args")),
        labels: Some(build_labels(build, name, intent)),
        target: attrs::non_empty(build, "target")
            .unwrap_or_default()
            .to_string(),
        rm: attrs::boolean(build, "remove", true),
        forcerm: attrs::boolean(build, "force_remove", false),
        nocache: attrs::boolean(build, "no_cache", false),
        q: attrs::boolean(build, "suppress_output", false),
        squash: build.get("squash").and_then(Value::as_bool),
        pull: attrs::boolean(build, "pull_parent", false).then(|| "1".to_string()),
        cachefrom: attrs::strings(build, "cache_from").filter(|c| !c.is_empty()),
        extrahosts: extra_hosts.map(|h| h.join(",")),
        networkmode: attrs::non_empty(build, "network_mode").map(str::to_string),
        platform: attrs::non_empty(build, "platform")
            .unwrap_or_default()
            .to_string(),
        remote: attrs::non_empty(build, "remote_context").map(str::to_string),
        memory: small("memory"),
        memswap: small("memory_swap"),
        cpushares: small("cpu_shares"),
        cpuperiod: small("cpu_period"),
        cpuquota: small("cpu_quota"),
        shmsize: small("shm_size"),
        cpusetcpus: attrs::non_empty(build, "cpu_set_cpus").map(str::to_string),
        ..BuildImageOptions::default()
    };
    let credentials = credentials(build, auths);
    let archive = bytes::Bytes::from(archive);
    let mut attempt = 1;
    loop {
        let Err(failure) = run(
            docker,
            options.clone(),
            credentials.clone(),
            archive.clone(),
        )
        .await
        else {
            break;
        };
        let problems = failure.leftovers.remove(docker).await;
        if attempt < BUILD_ATTEMPTS && lost_its_cached_parent(&failure.error) {
            attempt += 1;
            continue;
        }
        return Err(build_failed(
            name,
            &shown,
            &auths.redact(&failure.error),
            &failure.log,
            &problems,
        ));
    }
    for extra in attrs::strings(build, "tag").unwrap_or_default() {
        tag(docker, name, &extra).await?;
    }
    Ok(())
}

/// A build that failed: the engine's error, the tail of the output and what it left behind.
struct Failure {
    error: String,
    log: Vec<String>,
    leftovers: Leftovers,
}

/// Runs one build to its end, reading the output for errors and leftovers.
async fn run(
    docker: &Docker,
    options: BuildImageOptions,
    credentials: Option<HashMap<String, DockerCredentials>>,
    archive: bytes::Bytes,
) -> Result<(), Failure> {
    let mut log: Vec<String> = Vec::new();
    let mut leftovers = Leftovers::new(!options.rm);
    let mut stream = docker.build_image(options, credentials, Some(body_full(archive)));
    while let Some(item) = stream.next().await {
        let info = match item {
            Ok(info) => info,
            Err(e) => {
                let error = message(&e);
                return Err(Failure {
                    error,
                    log,
                    leftovers,
                });
            }
        };
        if let Some(error) = info.error_detail.and_then(|d| d.message).or(info.error) {
            return Err(Failure {
                error,
                log,
                leftovers,
            });
        }
        if let Some(text) = info.stream {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                leftovers.observe(line);
                log.push(line.to_string());
            }
            let excess = log.len().saturating_sub(BUILD_LOG_TAIL);
            log.drain(..excess);
        }
    }
    Ok(())
}

/// Gives the image `name` the further name `extra` (`repo[:tag]`).
pub(crate) async fn tag(docker: &Docker, name: &str, extra: &str) -> Result<(), Diagnostics> {
    let reference = normalize(extra);
    let (repo, tag) = reference
        .rsplit_once(':')
        .filter(|(_, tag)| !tag.contains('/'))
        .unwrap_or((reference.as_str(), "latest"));
    let options = TagImageOptions {
        repo: Some(repo.to_string()),
        tag: Some(tag.to_string()),
    };
    docker.tag_image(name, Some(options)).await.map_err(|e| {
        failed(
            format!("tagging image \"{name}\" as \"{extra}\" failed"),
            &e,
        )
        .into()
    })
}

/// The provider's `registry_auth` credentials and the `auth_config` blocks (which win for
/// their host) as the credentials the builder pulls base images with.
fn credentials(build: &Value, auths: &Auths) -> Option<HashMap<String, DockerCredentials>> {
    let owned = |b: &Value, k: &str| attrs::non_empty(b, k).map(str::to_string);
    let mut map = auths.for_build();
    let blocks = attrs::blocks(build, "auth_config")
        .into_iter()
        .filter_map(|b| {
            let host = owned(b, "host_name")?;
            Some((
                host,
                DockerCredentials {
                    username: owned(b, "user_name"),
                    password: owned(b, "password"),
                    auth: owned(b, "auth"),
                    email: owned(b, "email"),
                    serveraddress: owned(b, "server_address"),
                    identitytoken: owned(b, "identity_token"),
                    registrytoken: owned(b, "registry_token"),
                },
            ))
        });
    map.extend(blocks);
    (!map.is_empty()).then_some(map)
}

/// The configured `build.label` and `build.labels` plus plinth's own (managed, name, address, workspace, intent).
fn build_labels(build: &Value, name: &str, intent: &Intent) -> HashMap<String, String> {
    let mut labels = attrs::string_map(build, "label");
    labels.extend(attrs::string_map(build, "labels"));
    labels.extend(attrs::labels(&Value::Null, Some(name), intent));
    labels
}

/// A failed build; a file missing from the context gets a hint, since the usual cause is a
/// preparation step (such as an example's `prepare.sh`) that was skipped.
/// `not_removed` lists what the build left behind that could not be removed.
fn build_failed(
    name: &str,
    context: &str,
    error: &str,
    log: &[String],
    not_removed: &[String],
) -> Diagnostics {
    let mut detail = format!("Docker: {}", error.trim());
    let missing_file = error.contains("COPY failed")
        || error.contains("ADD failed")
        || (error.contains("failed to compute cache key") && error.contains("not found"));
    if missing_file {
        detail.push_str(&format!(
            "\nA file the Dockerfile copies is missing from the build context \"{context}\". If the configuration comes with a preparation script (such as the examples' prepare.sh), run it first."
        ));
    }
    if !log.is_empty() {
        detail.push_str("\nlast build output:\n");
        detail.push_str(&log.join("\n"));
    }
    if !not_removed.is_empty() {
        detail.push_str("\nleft behind by the failed build (remove them by hand):\n");
        detail.push_str(&not_removed.join("\n"));
    }
    Diagnostic::error(format!("building image \"{name}\" failed"))
        .with_detail(detail)
        .into()
}
