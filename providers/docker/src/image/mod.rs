//! `docker_image`: build from a local context (or pull), batched refresh, delete, and the
//! `docker_image` data source.
//!
//! Built images carry plinth's labels, the create's intent token included, so a build
//! interrupted by a kill is adopted by the next run, after the step the engine was still
//! committing for it (see `orphaned`). A build sends the `build.context`
//! directory (relative paths resolve against the working directory, `.dockerignore` honoured)
//! to the classic builder; the plan carries the digest of what it would send
//! (`context_digest`), so a change in the sources replaces the image without `triggers`.

mod build;
mod context;
mod leftovers;
mod orphaned;

pub(crate) use build::tag;

use std::collections::HashMap;
use std::path::Path;

use bollard::models::{ImageInspect, ImageSummary};
use bollard::query_parameters::{
    CreateImageOptions, ListImagesOptions, ListImagesOptionsBuilder, RemoveImageOptions,
    TagImageOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use plinth_sdk::{AttrPath, Diagnostic, Diagnostics, Intent, PlanResponse, Value};

use crate::attrs;
use crate::client::{failed, is_not_found, message};
use crate::registry::{docker_credentials, Auths, Reference};

/// The plan of an image: `context_digest` is the digest of the build context as it is now
/// (unknown while the context path is); a different digest than the one recorded replaces the
/// image. Objects recorded without one (before plinth had it, or imported) keep none until they
/// are rebuilt, rather than showing a change.
pub fn plan(prior: Option<&Value>, proposed: Value) -> PlanResponse {
    let build = attrs::blocks(&proposed, "build").first().copied().cloned();
    let digest = match build.as_ref() {
        None => Value::Null,
        Some(build) => match attrs::string(build, "context") {
            None => Value::Unknown,
            Some(dir) => {
                let dockerfile = attrs::non_empty(build, "dockerfile").unwrap_or("Dockerfile");
                match context::digest(Path::new(dir), dockerfile) {
                    Ok(digest) => Value::string(digest),
                    // The create reports an unreadable context with its cause.
                    Err(_) => Value::Unknown,
                }
            }
        },
    };
    let recorded = prior.map(|p| p.get("context_digest").cloned().unwrap_or(Value::Null));
    let digest = match recorded {
        Some(Value::Null) => Value::Null,
        _ => digest,
    };
    let replace = matches!(
        (prior.and_then(|p| attrs::string(p, "context_digest")), digest.as_str()),
        (Some(before), Some(now)) if before != now
    );
    PlanResponse {
        requires_replace: if replace {
            vec![AttrPath::attr("context_digest")]
        } else {
            Vec::new()
        },
        ..PlanResponse::keep(attrs::with(proposed, [("context_digest", digest)]))
    }
}

/// Builds (with a `build` block) or pulls the image (with the provider's `registry_auth` for
/// its registry), then reads its id. A built image carries
/// plinth's labels, the intent token included, so an interrupted build is found again.
pub async fn create(
    docker: &Docker,
    auths: &Auths,
    planned: Value,
    intent: &Intent,
) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    match attrs::blocks(&planned, "build").first() {
        Some(build) => build::build(docker, &name, build, intent, auths).await?,
        None => {
            let platform = attrs::non_empty(&planned, "platform");
            pull_if_missing(docker, auths, &name, platform).await?
        }
    }
    let digest = match attrs::blocks(&planned, "build").first() {
        Some(build) => {
            let dir = attrs::required(build, "context")?;
            let dockerfile = attrs::non_empty(build, "dockerfile").unwrap_or("Dockerfile");
            context::digest(Path::new(dir), dockerfile)
                .map(Value::string)
                .unwrap_or(Value::Null)
        }
        None => Value::Null,
    };
    let planned = attrs::with(planned, [("context_digest", digest)]);
    let image = docker
        .inspect_image(&name)
        .await
        .map_err(|e| failed(format!("reading image \"{name}\" failed"), &e))?;
    if let Some(id) = image.id.as_deref() {
        remove_superseded(docker, &name, intent, id).await;
    }
    Ok(with_computed(planned, &image))
}

/// Removes the images of the same name, address and workspace that builds of other intents
/// made and nothing uses: a killed run's build that the engine finished after the next run had
/// looked for it. Images still in use or still named (another tag) are left. The name
/// counts: another configuration on the same engine may have a `docker_image` at the same
/// address, and its image is not ours to remove.
async fn remove_superseded(docker: &Docker, name: &str, intent: &Intent, keep: &str) {
    let name = format!("{}={name}", attrs::NAME_LABEL);
    let address = format!("{}={}", attrs::ADDRESS_LABEL, intent.address);
    let workspace = format!("{}={}", attrs::WORKSPACE_LABEL, intent.workspace);
    let filters = HashMap::from([(
        "label",
        vec![name.as_str(), address.as_str(), workspace.as_str()],
    )]);
    let Ok(listed) = docker
        .list_images(Some(
            ListImagesOptionsBuilder::new()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
    else {
        return;
    };
    for image in listed {
        let other_intent = image
            .labels
            .get(attrs::INTENT_LABEL)
            .is_some_and(|token| token != &intent.token);
        // An image still carrying a name (a docker_tag's, say) is in use by that name.
        let dangling = orphaned::is_untagged(&image.repo_tags);
        if image.id != keep && other_intent && dangling {
            let _ = docker
                .remove_image(&image.id, None::<RemoveImageOptions>, None)
                .await;
        }
    }
}

/// Refreshes many images with one list call: an image is gone when no image with its id still
/// carries its name.
pub async fn read_many(
    docker: &Docker,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let images = docker
        .list_images(None::<ListImagesOptions>)
        .await
        .map_err(|e| failed("listing images failed", &e))?;
    let by_id: HashMap<&str, &ImageSummary> = images.iter().map(|i| (i.id.as_str(), i)).collect();
    Ok(priors
        .into_iter()
        .map(|prior| {
            let id = attrs::string(&prior, "image_id")?;
            let name = attrs::string(&prior, "name")?;
            let image = by_id.get(id)?;
            let reference = normalize(name);
            let named = image
                .repo_tags
                .iter()
                .chain(&image.repo_digests)
                .any(|t| *t == reference);
            named.then(|| prior.clone())
        })
        .collect())
}

/// Removes the image's name and the further names its build gave it (`build.tag`), and so the
/// image when nothing else uses it, unless `keep_locally`: "destroy" leaves no name of the
/// build behind.
pub async fn delete(docker: &Docker, prior: Value) -> Result<(), Diagnostics> {
    if attrs::boolean(&prior, "keep_locally", false) {
        return Ok(());
    }
    let Some(name) = attrs::string(&prior, "name") else {
        return Ok(());
    };
    let tags = attrs::blocks(&prior, "build")
        .first()
        .and_then(|build| attrs::strings(build, "tag"))
        .unwrap_or_default();
    let force = attrs::boolean(&prior, "force_remove", false);
    for reference in tags.iter().map(String::as_str).chain([name]) {
        let options = RemoveImageOptions {
            force,
            ..RemoveImageOptions::default()
        };
        match docker.remove_image(reference, Some(options), None).await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => {}
            Err(e) => {
                return Err(failed(format!("removing image \"{reference}\" failed"), &e).into())
            }
        }
    }
    Ok(())
}

/// The image the create with intent `intent` made: a built one by its intent label, a pulled
/// one by its name (pulls carry no labels; pulling again is harmless).
///
/// A killed run's build goes on with the step it was in, so the step is waited for first. The
/// classic builder adds build labels one `LABEL` step at a time, so a build killed half way
/// leaves images carrying some of the token's labels: the one carrying them all is the finished
/// build (tagged with the name here if the kill came before the tag); the untagged others are
/// removed with the earlier label steps below them.
pub async fn find_by_intent(
    docker: &Docker,
    planned: Value,
    intent: &Intent,
) -> Result<Option<Value>, Diagnostics> {
    let Some(build) = attrs::blocks(&planned, "build").first().copied().cloned() else {
        return find_by_name(docker, planned).await;
    };
    let token = intent.token.as_str();
    // With `remove = false` the builder keeps its step containers: none is in progress.
    if attrs::boolean(&build, "remove", true) {
        orphaned::wait_for_steps(docker, &intent.address, token).await;
    }
    let name = attrs::required(&planned, "name")?.to_string();
    let label = format!("{}={token}", attrs::INTENT_LABEL);
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let listed = docker
        .list_images(Some(
            ListImagesOptionsBuilder::new()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
        .map_err(|e| failed("listing images failed", &e))?;
    let reference = normalize(&name);
    let mut expected: Vec<String> = attrs::string_map(&build, "labels").into_keys().collect();
    expected.extend(attrs::string_map(&build, "label").into_keys());
    expected.extend(
        [
            attrs::MANAGED_LABEL,
            attrs::NAME_LABEL,
            attrs::ADDRESS_LABEL,
            attrs::WORKSPACE_LABEL,
        ]
        .map(String::from),
    );
    let complete = |image: &&ImageSummary| {
        image.repo_tags.contains(&reference)
            || expected.iter().all(|l| image.labels.contains_key(l))
    };
    let found = listed.iter().find(complete).map(|i| i.id.clone());
    let partials = listed
        .iter()
        .filter(|i| Some(&i.id) != found.as_ref())
        .collect();
    // Intermediate images of the found one are refused (they have a child) and kept.
    orphaned::remove_partials(docker, partials, &intent.address).await;
    let Some(id) = found else {
        return Ok(None);
    };
    let image = match docker.inspect_image(&id).await {
        Ok(image) => image,
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(failed(format!("reading image {id} failed"), &e).into()),
    };
    let tagged = image
        .repo_tags
        .as_ref()
        .is_some_and(|tags| tags.contains(&reference));
    if !tagged {
        let (repo, tag) = reference
            .rsplit_once(':')
            .unwrap_or((reference.as_str(), "latest"));
        let options = TagImageOptions {
            repo: Some(repo.to_string()),
            tag: Some(tag.to_string()),
        };
        docker
            .tag_image(&id, Some(options))
            .await
            .map_err(|e| failed(format!("tagging image {id} as \"{name}\" failed"), &e))?;
    }
    Ok(Some(with_computed(planned, &image)))
}

/// A local image by its name, if there is one.
pub async fn find_by_name(docker: &Docker, planned: Value) -> Result<Option<Value>, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    match docker.inspect_image(&name).await {
        Ok(image) => Ok(Some(with_computed(planned, &image))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(failed(format!("reading image \"{name}\" failed"), &e).into()),
    }
}

/// Reads an existing local image by name (`plinth import docker_image.x NAME`), or by its id
/// (`sha256:...`, as `drift -unmanaged` lists it): then its name is its first tag.
pub async fn import(docker: &Docker, name: &str) -> Result<Value, Diagnostics> {
    let name = if name.starts_with("sha256:") {
        let image = docker
            .inspect_image(name)
            .await
            .map_err(|e| failed(format!("reading image \"{name}\" failed"), &e))?;
        first_tag(&image.repo_tags.unwrap_or_default()).ok_or_else(|| {
            Diagnostic::error(format!("image \"{name}\" has no name to import it by"))
        })?
    } else {
        name.to_string()
    };
    let planned = Value::object([("name", Value::string(name.as_str()))]);
    find_by_name(docker, planned)
        .await?
        .ok_or_else(|| Diagnostic::error(format!("no local image named \"{name}\"")).into())
}

/// An image's name: its first tag in order (none for an untagged image).
fn first_tag(tags: &[String]) -> Option<String> {
    tags.iter()
        .filter(|t| t.as_str() != "<none>:<none>")
        .min()
        .cloned()
}

/// Every tagged local image, named by its first tag (`drift -unmanaged`); untagged ones are
/// layers or leftovers no configuration names.
pub async fn list_all(docker: &Docker) -> Result<Vec<Value>, Diagnostics> {
    let listed = docker
        .list_images(Some(ListImagesOptionsBuilder::new().build()))
        .await
        .map_err(|e| failed("listing images failed", &e))?;
    let mut out = Vec::new();
    for image in listed {
        let Some(name) = first_tag(&image.repo_tags) else {
            continue;
        };
        // Removed between the list and the inspect: not there any more.
        if let Some(found) =
            find_by_name(docker, Value::object([("name", Value::string(name))])).await?
        {
            out.push(found);
        }
    }
    Ok(out)
}

/// The `docker_image` data source: a local image by name.
pub async fn read_data(docker: &Docker, config: Value) -> Result<Value, Diagnostics> {
    let name = attrs::required(&config, "name")?;
    let image = docker
        .inspect_image(name)
        .await
        .map_err(|e| failed(format!("reading image \"{name}\" failed"), &e))?;
    Ok(attrs::with(
        config.clone(),
        [
            ("id", attrs::string_or_null(image.id.as_deref())),
            ("repo_digest", Value::string(repo_digest(&image))),
        ],
    ))
}

/// `name` as the engine lists it: a tag defaults to `latest`; digests are kept as they are.
pub fn normalize(name: &str) -> String {
    let last_segment = name.rsplit('/').next().unwrap_or(name);
    if name.contains('@') || last_segment.contains(':') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// Pulls `name` unless the engine has it, with the credential `registry_auth` holds for its
/// registry.
async fn pull_if_missing(
    docker: &Docker,
    auths: &Auths,
    name: &str,
    platform: Option<&str>,
) -> Result<(), Diagnostics> {
    match docker.inspect_image(name).await {
        Ok(_) => return Ok(()),
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(failed(format!("reading image \"{name}\" failed"), &e).into()),
    }
    let options = CreateImageOptions {
        from_image: Some(name.to_string()),
        platform: platform.unwrap_or_default().to_string(),
        ..CreateImageOptions::default()
    };
    let registry = Reference::parse(name).registry;
    let credentials = auths
        .credential(&registry)
        .map(|c| docker_credentials(&registry, c));
    let pull_failed = |error: &str| {
        let mut detail = format!("Docker: {}", auths.redact(error));
        let lower = error.to_ascii_lowercase();
        if lower.contains("unauthorized") || lower.contains("authentication required") {
            detail.push_str(&format!(
                "\nThe registry refused the credentials: check registry_auth for {registry}."
            ));
        }
        Diagnostics::from(
            Diagnostic::error(format!(
                "image \"{name}\" is not available locally and pulling it failed"
            ))
            .with_detail(detail),
        )
    };
    let mut stream = docker.create_image(Some(options), None, credentials);
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| pull_failed(&message(&e)))?;
        if let Some(error) = info.error_detail.and_then(|d| d.message) {
            return Err(pull_failed(&error));
        }
    }
    Ok(())
}

fn repo_digest(image: &ImageInspect) -> String {
    image
        .repo_digests
        .as_ref()
        .and_then(|d| d.first())
        .cloned()
        .unwrap_or_default()
}

fn with_computed(value: Value, image: &ImageInspect) -> Value {
    let id = attrs::string_or_null(image.id.as_deref());
    attrs::with(
        value,
        [
            ("id", id.clone()),
            ("image_id", id),
            ("repo_digest", Value::string(repo_digest(image))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_without_a_tag_mean_latest() {
        assert_eq!(normalize("api"), "api:latest");
        assert_eq!(normalize("api:1.3.0-ab12cd3"), "api:1.3.0-ab12cd3");
        assert_eq!(
            normalize("127.0.0.1:5000/chat/api"),
            "127.0.0.1:5000/chat/api:latest"
        );
        assert_eq!(normalize("api@sha256:abc"), "api@sha256:abc");
    }
}
