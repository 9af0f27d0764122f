//! `docker_image`: build from a local context (or pull), batched refresh, delete, and the
//! `docker_image` data source.
//!
//! A build sends a tar of the `build.context` directory (relative paths resolve against the
//! working directory) to the classic builder. The context's content is not hashed: put a checksum
//! of the sources in `triggers` to rebuild when they change, as with kreuzwerker/docker.
//! `.dockerignore` is not applied.

use std::collections::HashMap;
use std::path::PathBuf;

use bollard::models::{ImageInspect, ImageSummary};
use bollard::query_parameters::{
    BuildImageOptions, CreateImageOptions, ListImagesOptions, RemoveImageOptions,
};
use bollard::{body_full, Docker};
use futures_util::StreamExt;
use plinth_sdk::{Diagnostic, Diagnostics, Value};

use crate::attrs;
use crate::client::{failed, is_not_found, message};

/// How many lines of build output an error shows.
const BUILD_LOG_TAIL: usize = 15;

/// Builds (with a `build` block) or pulls the image, then reads its id.
pub async fn create(docker: &Docker, planned: Value) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    match attrs::blocks(&planned, "build").first() {
        Some(build) => self::build(docker, &name, build).await?,
        None => pull_if_missing(docker, &name).await?,
    }
    let image = docker
        .inspect_image(&name)
        .await
        .map_err(|e| failed(format!("reading image \"{name}\" failed"), &e))?;
    Ok(with_computed(planned, &image))
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

/// Removes the image's name (and the image when nothing else uses it) unless `keep_locally`.
pub async fn delete(docker: &Docker, prior: Value) -> Result<(), Diagnostics> {
    if attrs::boolean(&prior, "keep_locally", false) {
        return Ok(());
    }
    let Some(name) = attrs::string(&prior, "name") else {
        return Ok(());
    };
    match docker
        .remove_image(name, None::<RemoveImageOptions>, None)
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(failed(format!("removing image \"{name}\" failed"), &e).into()),
    }
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

async fn build(docker: &Docker, name: &str, build: &Value) -> Result<(), Diagnostics> {
    let context = PathBuf::from(attrs::required(build, "context")?);
    if !context.is_dir() {
        return Err(Diagnostic::error(format!(
            "build context \"{}\" is not a directory",
            context.display()
        ))
        .into());
    }
    let shown = context.display().to_string();
    let archive = tokio::task::spawn_blocking(move || context_archive(context))
        .await
        .map_err(|e| {
            Diagnostic::error("packing the build context failed").with_detail(e.to_string())
        })?
        .map_err(|e| {
            Diagnostic::error(format!("packing the build context \"{shown}\" failed"))
                .with_detail(e.to_string())
        })?;
    let options = BuildImageOptions {
        dockerfile: attrs::non_empty(build, "dockerfile")
            .unwrap_or("Dockerfile")
            .to_string(),
        t: Some(name.to_string()),
        buildargs: Some(attrs::string_map(build, "build_args")),
        labels: Some(attrs::string_map(build, "labels")),
        target: attrs::non_empty(build, "target")
            .unwrap_or_default()
            .to_string(),
        rm: true,
        forcerm: true,
        ..BuildImageOptions::default()
    };
    let mut log: Vec<String> = Vec::new();
    let mut stream = docker.build_image(options, None, Some(body_full(archive.into())));
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| build_failed(name, &message(&e), &log))?;
        if let Some(error) = info.error_detail.and_then(|d| d.message).or(info.error) {
            return Err(build_failed(name, &error, &log));
        }
        if let Some(text) = info.stream {
            log.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string),
            );
            let excess = log.len().saturating_sub(BUILD_LOG_TAIL);
            log.drain(..excess);
        }
    }
    Ok(())
}

fn build_failed(name: &str, error: &str, log: &[String]) -> Diagnostics {
    let mut detail = format!("Docker: {}", error.trim());
    if !log.is_empty() {
        detail.push_str("\nlast build output:\n");
        detail.push_str(&log.join("\n"));
    }
    Diagnostic::error(format!("building image \"{name}\" failed"))
        .with_detail(detail)
        .into()
}

async fn pull_if_missing(docker: &Docker, name: &str) -> Result<(), Diagnostics> {
    match docker.inspect_image(name).await {
        Ok(_) => return Ok(()),
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(failed(format!("reading image \"{name}\" failed"), &e).into()),
    }
    let options = CreateImageOptions {
        from_image: Some(name.to_string()),
        ..CreateImageOptions::default()
    };
    let mut stream = docker.create_image(Some(options), None, None);
    while let Some(item) = stream.next().await {
        let info = item.map_err(|e| {
            failed(
                format!("image \"{name}\" is not available locally and pulling it failed"),
                &e,
            )
        })?;
        if let Some(error) = info.error_detail.and_then(|d| d.message) {
            return Err(Diagnostic::error(format!(
                "image \"{name}\" is not available locally and pulling it failed"
            ))
            .with_detail(format!("Docker: {error}"))
            .into());
        }
    }
    Ok(())
}

fn context_archive(dir: PathBuf) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    archive.follow_symlinks(false);
    archive.append_dir_all(".", &dir)?;
    archive.into_inner()
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

    #[test]
    fn the_context_archive_holds_every_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("www")).expect("mkdir");
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").expect("write");
        std::fs::write(dir.path().join("www/index.html"), "hi").expect("write");
        let bytes = context_archive(dir.path().to_path_buf()).expect("archive");
        let mut archive = tar::Archive::new(bytes.as_slice());
        let mut names: Vec<String> = archive
            .entries()
            .expect("entries")
            .filter_map(|e| e.ok()?.path().ok().map(|p| p.display().to_string()))
            .collect();
        names.sort();
        assert!(names.contains(&"Dockerfile".to_string()), "{names:?}");
        assert!(names.contains(&"www/index.html".to_string()), "{names:?}");
    }
}
