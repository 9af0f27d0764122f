//! `docker_image`: build from a local context (or pull), batched refresh, delete, and the
//! `docker_image` data source.
//!
//! Built images carry plinth's labels, the create's intent token included, so a build
//! interrupted by a kill is adopted by the next run. A build sends a tar of the `build.context`
//! directory (relative paths resolve against the working directory) to the classic builder. The context's content is not hashed: put a checksum
//! of the sources in `triggers` to rebuild when they change, as with kreuzwerker/docker.
//! `.dockerignore` is not applied.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bollard::models::{ImageInspect, ImageSummary};
use bollard::query_parameters::{
    BuildImageOptions, CreateImageOptions, ListImagesOptions, ListImagesOptionsBuilder,
    RemoveImageOptions, TagImageOptions,
};
use bollard::{body_full, Docker};
use futures_util::StreamExt;
use plinth_sdk::{Diagnostic, Diagnostics, Intent, Value};

use crate::attrs;
use crate::client::{failed, is_not_found, message};

/// How many lines of build output an error shows.
const BUILD_LOG_TAIL: usize = 15;

/// Builds (with a `build` block) or pulls the image, then reads its id. A built image carries
/// plinth's labels, the intent token included, so an interrupted build is found again.
pub async fn create(
    docker: &Docker,
    planned: Value,
    intent: &Intent,
) -> Result<Value, Diagnostics> {
    let name = attrs::required(&planned, "name")?.to_string();
    match attrs::blocks(&planned, "build").first() {
        Some(build) => self::build(docker, &name, build, intent).await?,
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

/// The image the create with intent `token` made: a built one by its intent label, a pulled one
/// by its name (pulls carry no labels; pulling again is harmless).
///
/// The classic builder adds build labels one `LABEL` step at a time, so a build killed half way
/// leaves images carrying some of the token's labels: the one carrying them all is the finished
/// build (tagged with the name here if the kill came before the tag); the others left dangling
/// are removed.
pub async fn find_by_intent(
    docker: &Docker,
    planned: Value,
    token: &str,
) -> Result<Option<Value>, Diagnostics> {
    if attrs::blocks(&planned, "build").is_empty() {
        return find_by_name(docker, planned).await;
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
    let build = attrs::blocks(&planned, "build")[0];
    let mut expected: Vec<String> = attrs::string_map(build, "labels").into_keys().collect();
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
    for partial in listed.iter().filter(|i| Some(&i.id) != found.as_ref()) {
        if partial.repo_tags.is_empty() {
            // Still the parent of another image: the build cache keeps it.
            let _ = docker
                .remove_image(&partial.id, None::<RemoveImageOptions>, None)
                .await;
        }
    }
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

/// Reads an existing local image by name (`plinth import docker_image.x NAME`).
pub async fn import(docker: &Docker, name: &str) -> Result<Value, Diagnostics> {
    let planned = Value::object([("name", Value::string(name))]);
    find_by_name(docker, planned)
        .await?
        .ok_or_else(|| Diagnostic::error(format!("no local image named \"{name}\"")).into())
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

async fn build(
    docker: &Docker,
    name: &str,
    build: &Value,
    intent: &Intent,
) -> Result<(), Diagnostics> {
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
        labels: Some(build_labels(build, name, intent)),
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

/// The configured `build.labels` plus plinth's own (managed, name, address, workspace, intent).
fn build_labels(build: &Value, name: &str, intent: &Intent) -> HashMap<String, String> {
    let mut labels = attrs::string_map(build, "labels");
    labels.extend(attrs::labels(&Value::Null, Some(name), intent));
    labels
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

/// Packs the context the way the docker CLI does: bare relative names, permission bits without
/// the file-type bits, owner root. The classic builder's cache keys hash these header fields, so
/// any other form would never reuse layers built by the CLI or docker-compose (and the reverse).
fn context_archive(dir: PathBuf) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Builder::new(Vec::new());
    append_tree(&mut archive, &dir, Path::new(""))?;
    archive.into_inner()
}

/// Appends the entries of `root/relative` (sorted, recursively) under their relative names.
fn append_tree(
    archive: &mut tar::Builder<Vec<u8>>,
    root: &Path,
    relative: &Path,
) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut entries = std::fs::read_dir(root.join(relative))?.collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = relative.join(entry.file_name());
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path)?;
        let mut header = tar::Header::new_gnu();
        header.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
        header.set_mode(meta.permissions().mode() & 0o7777);
        header.set_uid(0);
        header.set_gid(0);
        let kind = meta.file_type();
        if kind.is_dir() {
            append_directory(archive, &mut header, &name)?;
            append_tree(archive, root, &name)?;
        } else if kind.is_symlink() {
            archive.append_link(&mut header, &name, std::fs::read_link(&path)?)?;
        } else if kind.is_file() {
            archive.append_data(&mut header, &name, std::fs::File::open(&path)?)?;
        }
    }
    Ok(())
}

/// A directory entry named with a trailing `/`, as the CLI writes it (the builder hashes the name).
fn append_directory(
    archive: &mut tar::Builder<Vec<u8>>,
    header: &mut tar::Header,
    name: &Path,
) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_os_str().as_bytes();
    let slot = &mut header.as_old_mut().name;
    if bytes.len() + 1 >= slot.len() {
        // Too long for the header itself: the long-name extension carries it without the slash.
        return archive.append_data(header, name, std::io::empty());
    }
    slot.fill(0);
    slot[..bytes.len()].copy_from_slice(bytes);
    slot[bytes.len()] = b'/';
    header.set_cksum();
    archive.append(header, std::io::empty())
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
    fn the_context_archive_has_cli_style_headers() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("www")).expect("mkdir");
        std::fs::write(dir.path().join("Dockerfile"), "FROM scratch\n").expect("write");
        std::fs::write(dir.path().join("www/index.html"), "hi").expect("write");
        std::fs::write(dir.path().join("run"), "#!/bin/sh\n").expect("write");
        let executable = std::fs::Permissions::from_mode(0o750);
        std::fs::set_permissions(dir.path().join("run"), executable).expect("chmod");
        std::os::unix::fs::symlink("www/index.html", dir.path().join("index")).expect("symlink");
        let bytes = context_archive(dir.path().to_path_buf()).expect("archive");
        let mut archive = tar::Archive::new(bytes.as_slice());
        let entries: Vec<(String, u32, u64, Option<String>)> = archive
            .entries()
            .expect("entries")
            .map(|entry| {
                let entry = entry.expect("entry");
                let header = entry.header();
                (
                    entry.path().expect("path").display().to_string(),
                    header.mode().expect("mode"),
                    header.uid().expect("uid"),
                    entry
                        .link_name()
                        .expect("link name")
                        .map(|l| l.display().to_string()),
                )
            })
            .collect();
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            ["Dockerfile", "index", "run", "www/", "www/index.html"]
        );
        let run = &entries[2];
        assert_eq!(
            (run.1, run.2),
            (0o750, 0),
            "permission bits only, owned by root"
        );
        assert_eq!(entries[1].3.as_deref(), Some("www/index.html"));
        assert!(
            entries.iter().all(|e| e.1 <= 0o7777 && e.2 == 0),
            "{entries:?}"
        );
    }
}
