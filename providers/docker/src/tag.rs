//! `docker_tag`: gives a local image a further name (`docker tag SOURCE TARGET`).
//!
//! Both names replace the tag when they change, as do `tag_triggers`; the id is
//! `SOURCE.TARGET` as kreuzwerker/docker v3 records it. A delete removes the target name only:
//! the source image stays, and so does the image itself while another name or a container
//! uses it. Refresh lists the local images once: a tag whose target name is gone is gone.

use std::collections::HashSet;

use bollard::query_parameters::{ListImagesOptions, RemoveImageOptions};
use bollard::Docker;
use plinth_sdk::{Diagnostic, Diagnostics, Value};

use crate::attrs;
use crate::client::{failed, is_not_found};
use crate::image::{normalize, tag};

/// Tags the source image with the target name and records the source's image id.
pub async fn create(docker: &Docker, planned: Value) -> Result<Value, Diagnostics> {
    let source = attrs::required(&planned, "source_image")?.to_string();
    let target = attrs::required(&planned, "target_image")?.to_string();
    let image = match docker.inspect_image(&source).await {
        Ok(image) => image,
        Err(e) if is_not_found(&e) => return Err(Diagnostic::error(format!(
            "source image \"{source}\" of the tag \"{target}\" is not on the Docker host"
        ))
        .with_detail(
            "docker_tag names local images only: build or pull it first (a docker_image resource).",
        )
        .into()),
        Err(e) => return Err(failed(format!("reading image \"{source}\" failed"), &e).into()),
    };
    tag(docker, &source, &target).await?;
    Ok(attrs::with(
        planned,
        [
            ("id", Value::string(format!("{source}.{target}"))),
            (
                "source_image_id",
                attrs::string_or_null(image.id.as_deref()),
            ),
        ],
    ))
}

/// Refreshes many tags with one image listing: a tag is gone when no image carries its target
/// name any more.
pub async fn read_many(
    docker: &Docker,
    priors: Vec<Value>,
) -> Result<Vec<Option<Value>>, Diagnostics> {
    let images = docker
        .list_images(None::<ListImagesOptions>)
        .await
        .map_err(|e| failed("listing images failed", &e))?;
    let names: HashSet<&str> = images
        .iter()
        .flat_map(|i| i.repo_tags.iter().map(String::as_str))
        .collect();
    Ok(priors
        .into_iter()
        .map(|prior| {
            let target = attrs::string(&prior, "target_image")?;
            names
                .contains(normalize(target).as_str())
                .then(|| prior.clone())
        })
        .collect())
}

/// The tag an interrupted create made: the target name on the source image.
pub async fn find(docker: &Docker, planned: Value) -> Result<Option<Value>, Diagnostics> {
    let source = attrs::required(&planned, "source_image")?;
    let target = attrs::required(&planned, "target_image")?;
    let (source_image, target_image) = (
        docker.inspect_image(source).await,
        docker.inspect_image(target).await,
    );
    match (source_image, target_image) {
        (Ok(s), Ok(t)) if s.id.is_some() && s.id == t.id => {
            let id = Value::string(format!("{source}.{target}"));
            let image_id = attrs::string_or_null(s.id.as_deref());
            Ok(Some(attrs::with(
                planned,
                [("id", id), ("source_image_id", image_id)],
            )))
        }
        _ => Ok(None),
    }
}

/// Removes the target name (the image stays while another name or a container uses it).
pub async fn delete(docker: &Docker, prior: Value) -> Result<(), Diagnostics> {
    let Some(target) = attrs::string(&prior, "target_image") else {
        return Ok(());
    };
    let options = RemoveImageOptions {
        noprune: true,
        ..RemoveImageOptions::default()
    };
    match docker
        .remove_image(&normalize(target), Some(options), None)
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(failed(format!("removing the tag \"{target}\" failed"), &e).into()),
    }
}
