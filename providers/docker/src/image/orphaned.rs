//! A build whose run was killed (an orphaned build), as the next run's adoption meets it.
//!
//! The classic builder adds build labels after the Dockerfile's steps, one `LABEL` step per
//! label in label order (`plinth.address`, `plinth.intent`, `plinth.managed`, `plinth.name`,
//! `plinth.workspace`, with the configured labels among them by name), each committed from a
//! container carrying the labels so far. When its client is gone the engine stops the build
//! only between steps (a `RUN` step's container is removed at once): the step in progress still
//! commits its image, and when that is the last step the build finishes and tags the image
//! after the kill. So a kill in the label steps leaves a chain of untagged partial images
//! carrying some of plinth's labels, or a complete image that appears late.
//!
//! The guarantee (objects that exist are the objects in state after one run): adoption first
//! waits for the step the orphaned build is in ([`wait_for_steps`]), so what it then lists is
//! final: the complete image, adopted, or partial ones, removed with the earlier label steps
//! below them ([`remove_partials`]). An orphaned build stopped before its intent label step
//! leaves only an image with the address label, the cache the next build of the address
//! reuses.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard::models::ImageSummary;
use bollard::query_parameters::{ListContainersOptionsBuilder, RemoveImageOptions};
use bollard::Docker;

use crate::attrs;

/// How long a step of an orphaned build is waited for. A step container older than this is a
/// leftover, not a step in progress.
const STEP_LIMIT: Duration = Duration::from_secs(60);

/// How often the engine is asked whether the step has finished.
const STEP_POLL: Duration = Duration::from_millis(200);

/// Waits until the engine has no build step container of the create with intent `token` at
/// `address` (carrying that token, or the address label before the intent label was added)
/// younger than [`STEP_LIMIT`]. Listing errors end the wait: the adoption reports them.
pub async fn wait_for_steps(docker: &Docker, address: &str, token: &str) {
    let label = if address.is_empty() {
        format!("{}={token}", attrs::INTENT_LABEL)
    } else {
        format!("{}={address}", attrs::ADDRESS_LABEL)
    };
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let options = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    loop {
        let Ok(listed) = docker.list_containers(Some(options.clone())).await else {
            return;
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let in_progress = listed.iter().any(|container| {
            let of_this_build = container.labels.as_ref().is_some_and(|labels| {
                labels
                    .get(attrs::INTENT_LABEL)
                    .is_none_or(|intent| intent == token)
            });
            let age = container
                .created
                .and_then(|created| u64::try_from(created).ok())
                .map_or(0, |created| now.saturating_sub(created));
            of_this_build && age < STEP_LIMIT.as_secs()
        });
        if !in_progress {
            return;
        }
        tokio::time::sleep(STEP_POLL).await;
    }
}

/// Whether an image carries no name (the engine lists an untagged one as `<none>:<none>`).
pub fn is_untagged(repo_tags: &[String]) -> bool {
    repo_tags.iter().all(|t| t == "<none>:<none>")
}

/// Removes the untagged `partials` of a build of `address` (children first, without pruning),
/// then, below each removed one, the untagged images of the build's earlier label steps that
/// carry the address label but no intent. An image something still uses (a child, a container)
/// is refused by the engine and kept, and the walk stops there.
pub async fn remove_partials(docker: &Docker, partials: Vec<&ImageSummary>, address: &str) {
    let mut remaining: Vec<&ImageSummary> = partials
        .into_iter()
        .filter(|p| is_untagged(&p.repo_tags))
        .collect();
    while !remaining.is_empty() {
        let (leaves, parents): (Vec<&ImageSummary>, Vec<&ImageSummary>) = remaining
            .iter()
            .copied()
            .partition(|image| !remaining.iter().any(|other| other.parent_id == image.id));
        if leaves.is_empty() {
            return;
        }
        for leaf in leaves {
            if remove(docker, &leaf.id).await && !parents.iter().any(|p| p.id == leaf.parent_id) {
                remove_earlier_steps(docker, &leaf.parent_id, address).await;
            }
        }
        remaining = parents;
    }
}

/// Removes `image` and its untagged ancestors while they are label steps of a build of
/// `address` made before the intent label.
async fn remove_earlier_steps(docker: &Docker, image: &str, address: &str) {
    let mut current = image.to_string();
    while !current.is_empty() && !address.is_empty() {
        let Ok(inspected) = docker.inspect_image(&current).await else {
            return;
        };
        let labels = inspected.config.and_then(|c| c.labels).unwrap_or_default();
        let earlier_step = labels.get(attrs::ADDRESS_LABEL).map(String::as_str) == Some(address)
            && !labels.contains_key(attrs::INTENT_LABEL)
            && is_untagged(&inspected.repo_tags.unwrap_or_default());
        if !earlier_step || !remove(docker, &current).await {
            return;
        }
        current = inspected.parent.unwrap_or_default();
    }
}

/// Removes one image without pruning its parents; whether it is gone.
async fn remove(docker: &Docker, image: &str) -> bool {
    let options = RemoveImageOptions {
        noprune: true,
        ..RemoveImageOptions::default()
    };
    docker
        .remove_image(image, Some(options), None)
        .await
        .is_ok()
}
