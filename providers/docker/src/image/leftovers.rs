//! What a classic build leaves behind when it fails: the untagged images the steps that succeeded
//! committed (dangling once the build stops) and the container of the step that failed. Read from
//! the build output and removed after a failure; layers an earlier build made (`Using cache`) are
//! not touched, and a layer another build is using at that moment (a child image or a container
//! on it) is left to it: the engine refuses to remove those without force.

use bollard::errors::Error as DockerError;
use bollard::query_parameters::{RemoveContainerOptions, RemoveImageOptions};
use bollard::Docker;

use crate::client::{is_not_found, message};

/// The images and step containers one build made, in the order it made them.
#[derive(Debug, Default)]
pub struct Leftovers {
    images: Vec<String>,
    containers: Vec<String>,
    cached: bool,
    keep_containers: bool,
}

impl Leftovers {
    /// Leftovers of a build; `keep_containers` (the build's `remove = false`) leaves the
    /// containers of its steps for the user to inspect.
    pub fn new(keep_containers: bool) -> Leftovers {
        Leftovers {
            keep_containers,
            ..Leftovers::default()
        }
    }

    /// Notes one line of build output: ` ---> ID` after a step names the image it committed
    /// (made by an earlier build when ` ---> Using cache` came first), ` ---> Running in ID`
    /// the container a step runs in.
    pub fn observe(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("---> ") else {
            return;
        };
        let rest = rest.trim();
        if rest == "Using cache" {
            self.cached = true;
        } else if let Some(container) = rest.strip_prefix("Running in ") {
            if is_short_id(container) && !self.keep_containers {
                self.containers.push(container.to_string());
            }
        } else if is_short_id(rest) && !std::mem::take(&mut self.cached) {
            self.images.push(rest.to_string());
        }
    }

    /// Removes what the failed build made, newest first; returns what could not be removed.
    pub async fn remove(&self, docker: &Docker) -> Vec<String> {
        let mut problems = Vec::new();
        for container in self.containers.iter().rev() {
            let options = RemoveContainerOptions {
                force: true,
                ..RemoveContainerOptions::default()
            };
            match docker.remove_container(container, Some(options)).await {
                Err(e) if !is_not_found(&e) => {
                    problems.push(format!("container {container}: {}", message(&e)));
                }
                _ => {}
            }
        }
        for image in self.images.iter().rev() {
            // Without force and without pruning: an image another build has meanwhile used as
            // its cache (a child or a container on it) is refused, and parents stay as they are.
            let options = RemoveImageOptions {
                noprune: true,
                ..RemoveImageOptions::default()
            };
            match docker.remove_image(image, Some(options), None).await {
                Err(e) if !is_not_found(&e) && !is_in_use(&e) => {
                    problems.push(format!("image {image}: {}", message(&e)));
                }
                _ => {}
            }
        }
        problems
    }
}

/// Whether the engine refused a removal because something uses the image (409 Conflict).
fn is_in_use(error: &DockerError) -> bool {
    matches!(
        error,
        DockerError::DockerResponseServerError {
            status_code: 409,
            ..
        }
    )
}

/// Whether `text` is a short (12 hexadecimal digits) image or container id.
fn is_short_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a build failed because an image it had found in its cache was removed before it used
/// it (another build's cleanup of its own failure, or the engine pruning the parents of an image
/// a killed run was deleting); building again makes the layer anew.
pub fn lost_its_cached_parent(error: &str) -> bool {
    error.contains("unknown parent image ID")
        || error.contains("No such image: sha256:")
        || (error.contains("No such image") && error.contains("parent"))
        || (error.contains("failed to get digest sha256:")
            && error.contains("no such file or directory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_a_build_committed_are_told_from_cached_ones() {
        let mut leftovers = Leftovers::default();
        for line in [
            "Step 1/5 : FROM scratch",
            " ---> ",
            "Step 2/5 : LABEL a=b",
            " ---> Using cache",
            " ---> d78c03b059f5",
            "Step 3/5 : RUN true",
            " ---> Running in d795e0b81f15",
            "Removing intermediate container d795e0b81f15",
            " ---> 4b402585c206",
            "Step 4/5 : RUN false",
            " ---> Running in 0123456789ab",
        ] {
            leftovers.observe(line);
        }
        assert_eq!(leftovers.images, ["4b402585c206"]);
        assert_eq!(leftovers.containers, ["d795e0b81f15", "0123456789ab"]);
    }

    #[test]
    fn a_vanished_cached_parent_is_told_from_other_failures() {
        assert!(lost_its_cached_parent(
            "unknown parent image ID sha256:4b402585c2060123"
        ));
        assert!(lost_its_cached_parent("No such image: sha256:4b402585c206"));
        assert!(!lost_its_cached_parent(
            "The command '/bin/sh -c false' returned a non-zero code: 1"
        ));
        assert!(!lost_its_cached_parent("COPY failed: file not found"));
    }

    /// A killed run's image delete goes on in the engine and prunes the untagged parents of the
    /// deleted image, label steps a new build of the same address had just taken from its cache:
    /// the build failed with this message instead of starting again.
    #[test]
    fn a_cached_parent_pruned_while_a_step_commits_is_a_lost_cached_parent() {
        assert!(lost_its_cached_parent(
            "failed to get digest sha256:130f9759710da60f8939efd771c569216baa688157890404ce0e77b6278a5f3d: open /var/lib/docker/image/fuse-overlayfs/imagedb/content/sha256/130f9759710da60f8939efd771c569216baa688157890404ce0e77b6278a5f3d: no such file or directory"
        ));
    }
}
