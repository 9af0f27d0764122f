//! What a classic build leaves behind when it fails: the container of the step that failed (the
//! engine removes step containers only after a success). Read from the build output and removed
//! after a failure. The layers the steps that succeeded committed are kept: they are the cache
//! of the next attempt, and another build running at the same moment may already be using them
//! (removing them broke such builds with "unknown parent image ID").

use bollard::query_parameters::RemoveContainerOptions;
use bollard::Docker;

use crate::client::{is_not_found, message};

/// The step containers one build made, in the order it made them.
#[derive(Debug, Default)]
pub struct Leftovers {
    containers: Vec<String>,
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

    /// Notes one line of build output: ` ---> Running in ID` names the container a step runs in.
    pub fn observe(&mut self, line: &str) {
        let Some(container) = line.trim().strip_prefix("---> Running in ") else {
            return;
        };
        let container = container.trim();
        if is_short_id(container) && !self.keep_containers {
            self.containers.push(container.to_string());
        }
    }

    /// Removes the step containers of the failed build, newest first; returns what could not
    /// be removed.
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
        problems
    }
}

/// Whether `text` is a short (12 hexadecimal digits) container id.
fn is_short_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_containers_are_read_from_the_build_output() {
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
            "Step 4/4 : RUN false",
            " ---> Running in 0123456789ab",
        ] {
            leftovers.observe(line);
        }
        assert_eq!(leftovers.containers, ["d795e0b81f15", "0123456789ab"]);
    }
}
