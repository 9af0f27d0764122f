//! `docker_registry_image`: pushes a local image to its registry (`docker push`) and records
//! the manifest's digest; a delete removes that manifest from the registry unless
//! `keep_remotely`. The `docker_registry_image` data source reads a digest from the registry.
//!
//! The push goes through the engine with the resource's `auth_config`, else the provider's
//! `registry_auth` for the image's registry; digests and deletes use the registry's HTTP API with
//! the same credentials. No password appears in any message.

use bollard::auth::DockerCredentials;
use bollard::query_parameters::PushImageOptions;
use bollard::Docker;
use futures_util::StreamExt;
use plinth_sdk::{Diagnostic, Diagnostics, ReadResult, Value};

use crate::attrs;
use crate::client::message;
use crate::registry::{
    docker_credentials, http::Registry, resource_entry, Auths, Entry, Reference,
};

/// The registry entry an object uses: its `auth_config` block, else the provider's.
fn entry<'a>(
    object: &Value,
    auths: &'a Auths,
    reference: &Reference,
    owned: &'a mut Option<Entry>,
) -> Option<&'a Entry> {
    match resource_entry(object) {
        Some((_, entry)) => Some(owned.insert(entry)),
        None => auths.entry(&reference.registry),
    }
}

/// Passwords an object's messages must not show: the provider's and its `auth_config`'s.
fn redact(text: &str, auths: &Auths, own: Option<&Entry>) -> String {
    let own = own
        .and_then(|e| e.credential.as_ref())
        .map(|c| c.password.as_str());
    crate::registry::redact(&auths.redact(text), own)
}

/// The manifest digest of `name` in its registry, None when the registry has none.
async fn digest(object: &Value, auths: &Auths) -> Result<Option<String>, Diagnostics> {
    let name = attrs::string(object, "name").unwrap_or_default();
    let reference = Reference::parse(name);
    let mut owned = None;
    let entry = entry(object, auths, &reference, &mut owned);
    let insecure = attrs::boolean(object, "insecure_skip_verify", false);
    let registry = Registry::new(&reference, entry, insecure)?;
    registry.digest().await
}

/// Pushes the local image `name` and reads the digest the registry now has for it.
pub async fn create(docker: &Docker, auths: &Auths, planned: Value) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    let reference = Reference::parse(&name);
    let mut owned = None;
    let entry = entry(&planned, auths, &reference, &mut owned).cloned();
    let credentials = entry
        .as_ref()
        .and_then(|e| e.credential.as_ref())
        .map(|c| docker_credentials(&reference.registry, c));
    push(docker, &name, &reference, credentials)
        .await
        .map_err(|d| redact_all(d, auths, entry.as_ref()))?;
    let digest = digest(&planned, auths)
        .await
        .map_err(|d| redact_all(d, auths, entry.as_ref()))?
        .ok_or_else(|| {
            Diagnostic::error(format!(
                "registry {} has no manifest for \"{name}\" after the push",
                reference.registry
            ))
        })?;
    Ok(attrs::with(
        planned,
        [
            ("id", Value::string(&digest)),
            ("sha256_digest", Value::string(&digest)),
        ],
    ))
}

/// `docker push`: the engine pushes the image's layers and manifest to the registry.
async fn push(
    docker: &Docker,
    name: &str,
    reference: &Reference,
    credentials: Option<DockerCredentials>,
) -> Result<(), Diagnostics> {
    let summary = format!("pushing image \"{name}\" to {} failed", reference.registry);
    let options = PushImageOptions {
        tag: reference.push_tag().map(str::to_string),
        ..PushImageOptions::default()
    };
    let mut stream = docker.push_image(&reference.local_repository, Some(options), credentials);
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| hinted(&summary, &message(&e), reference))?;
        let error = info.error_detail.and_then(|d| d.message).or(info.error);
        if let Some(error) = error {
            return Err(hinted(&summary, &error, reference));
        }
    }
    Ok(())
}

/// A push failure with a hint for the usual causes (refused credentials, no such local image).
fn hinted(summary: &str, error: &str, reference: &Reference) -> Diagnostics {
    let mut detail = format!("Docker: {error}");
    let lower = error.to_ascii_lowercase();
    if lower.contains("unauthorized") || lower.contains("authentication required") {
        detail.push_str(&format!(
            "\nThe registry refused the credentials: check registry_auth (or auth_config) for {}.",
            reference.registry
        ));
    } else if lower.contains("does not exist") || lower.contains("no such image") {
        detail.push_str("\nOnly images present on the Docker host can be pushed: build or tag it first (docker_image, docker_tag).");
    }
    Diagnostic::error(summary).with_detail(detail).into()
}

/// Every message of `diagnostics` without the passwords in use.
fn redact_all(diagnostics: Diagnostics, auths: &Auths, own: Option<&Entry>) -> Diagnostics {
    Diagnostics(
        diagnostics
            .0
            .into_iter()
            .map(|d| Diagnostic {
                summary: redact(&d.summary, auths, own),
                detail: d.detail.as_deref().map(|t| redact(t, auths, own)),
                ..d
            })
            .collect(),
    )
}

/// Refreshes each pushed image from its registry: gone when the registry has no manifest for
/// its name any more; `sha256_digest` follows the registry.
pub async fn read_many(auths: &Auths, priors: Vec<Value>) -> Vec<ReadResult> {
    let mut results = Vec::with_capacity(priors.len());
    for prior in priors {
        let own = resource_entry(&prior).map(|(_, e)| e);
        results.push(match digest(&prior, auths).await {
            Ok(Some(digest)) => ReadResult::Found(attrs::with(
                prior,
                [("sha256_digest", Value::string(digest))],
            )),
            Ok(None) => ReadResult::Gone,
            Err(d) => ReadResult::Failed(redact_all(d, auths, own.as_ref())),
        });
    }
    results
}

/// Whether the registry has the image an interrupted create pushed (pushing is repeatable, so
/// a found manifest is the create's result).
pub async fn find(auths: &Auths, planned: Value) -> Result<Option<Value>, Diagnostics> {
    let own = resource_entry(&planned).map(|(_, e)| e);
    match digest(&planned, auths).await {
        Ok(Some(digest)) => Ok(Some(attrs::with(
            planned,
            [
                ("id", Value::string(&digest)),
                ("sha256_digest", Value::string(&digest)),
            ],
        ))),
        Ok(None) => Ok(None),
        Err(d) => Err(redact_all(d, auths, own.as_ref())),
    }
}

/// Deletes the pushed manifest from the registry, unless `keep_remotely`.
pub async fn delete(auths: &Auths, prior: Value) -> Result<(), Diagnostics> {
    if attrs::boolean(&prior, "keep_remotely", false) {
        return Ok(());
    }
    let Some(digest) = attrs::non_empty(&prior, "sha256_digest") else {
        return Ok(());
    };
    let name = attrs::string(&prior, "name").unwrap_or_default();
    let reference = Reference::parse(name);
    let mut owned = None;
    let entry = entry(&prior, auths, &reference, &mut owned);
    let insecure = attrs::boolean(&prior, "insecure_skip_verify", false);
    let result = match Registry::new(&reference, entry, insecure) {
        Ok(registry) => registry.delete(digest).await,
        Err(d) => Err(d),
    };
    result.map_err(|d| {
        let prefixed =
            d.0.into_iter()
                .map(|d| Diagnostic {
                    summary: format!(
                        "deleting \"{name}\" from its registry failed: {}",
                        d.summary
                    ),
                    ..d
                })
                .collect();
        redact_all(Diagnostics(prefixed), auths, entry)
    })
}

/// The `docker_registry_image` data source: the digest of `name` in its registry, read with the
/// provider's `registry_auth` for that registry.
pub async fn read_data(auths: &Auths, config: Value) -> Result<Value, Diagnostics> {
    let name = attrs::required(&config, "name")?.to_string();
    let reference = Reference::parse(&name);
    let digest = digest(&config, auths)
        .await
        .map_err(|d| redact_all(d, auths, None))?
        .ok_or_else(|| {
            Diagnostic::error(format!(
                "image \"{name}\" not found in registry {}",
                reference.registry
            ))
            .with_detail(format!(
                "The registry has no manifest {}:{}.",
                reference.path, reference.tag
            ))
        })?;
    Ok(attrs::with(
        config,
        [
            ("id", Value::string(&digest)),
            ("sha256_digest", Value::string(&digest)),
        ],
    ))
}
