//! What a classic build leaves behind when it fails: the untagged images committed by the
//! steps that succeeded (dangling once the build stops) and the container of the step that
//! failed. Read from the build output, removed after a failure; cached layers made by earlier
//! builds are not touched.

use bollard::query_parameters::{RemoveContainerOptions, RemoveImageOptions};
use bollard::Docker;

use crate::client::{is_not_found, message};

/// The images and containers one build made, in the order it made them.
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
        } else if is_short_id(rest) {
            let cached = std::mem::take(&mut self.cached);
            if !cached {
                self.images.push(rest.to_string());
            }
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
            // Without pruning: a parent made by an earlier build stays as it was.
            let options = RemoveImageOptions {
                noprune: true,
                ..RemoveImageOptions::default()
            };
            match docker.remove_image(image, Some(options), None).await {
                Err(e) if !is_not_found(&e) => {
                    problems.push(format!("image {image}: {}", message(&e)));
                }
                _ => {}
            }
        }
        problems
    }
}

/// Whether `text` is a short (12 hexadecimal digits) image or container id.
fn is_short_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_a_build_committed_are_told_from_cached_ones() {
        let mut leftovers = Leftovers::default();
        for line in [
            "Step 1/4 : FROM scratch",
            " ---> ",
            "Step 2/4 : LABEL a=b",
            " ---> Using cache",
            " ---> d78c03b059f5",
            "Step 3/4 : RUN true",
            " ---> Running in d795e0b81f15",
            "Removing intermediate container d795e0b81f15",
            " ---> 4b402585c206",
            "Step 4/4 : COPY missing /m",
        ] {
            leftovers.observe(line);
        }
        assert_eq!(leftovers.images, ["4b402585c206"]);
        assert_eq!(leftovers.containers, ["d795e0b81f15"]);
    }
}
