//! A copy of one of the Docker examples in a test's workspace, and the guard that names and
//! removes the Docker objects (containers, networks, volumes, images) a test makes with it.

use std::path::Path;
use std::process::Command;

use super::{docker, docker_objects, Workspace};

/// The non-empty lines of a docker CLI listing.
#[track_caller]
pub fn docker_lines(args: &[&str]) -> Vec<String> {
    docker(args)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// A unique lowercase prefix for one test's Docker objects.
pub fn test_prefix(test: &str) -> String {
    format!("{}-{test}", docker_objects::unique_prefix("pt"))
}

/// Removes every container, network, volume and image whose name starts with the prefix when
/// dropped, so a failing test leaves nothing behind.
pub struct Leftovers {
    /// What every object's name starts with.
    pub prefix: String,
}

impl Leftovers {
    pub fn new(test: &str) -> Leftovers {
        Leftovers {
            prefix: test_prefix(test),
        }
    }

    /// Names of the containers (any state) starting with the prefix.
    pub fn containers(&self) -> Vec<String> {
        self.starting_with(docker_lines(&[
            "ps",
            "-a",
            "--filter",
            &format!("name={}", self.prefix),
            "--format",
            "{{.Names}}",
        ]))
    }

    pub fn networks(&self) -> Vec<String> {
        self.starting_with(docker_lines(&[
            "network",
            "ls",
            "--filter",
            &format!("name={}", self.prefix),
            "--format",
            "{{.Name}}",
        ]))
    }

    pub fn volumes(&self) -> Vec<String> {
        self.starting_with(docker_lines(&[
            "volume",
            "ls",
            "--filter",
            &format!("name={}", self.prefix),
            "--format",
            "{{.Name}}",
        ]))
    }

    /// `repository:tag` of the images starting with the prefix.
    pub fn images(&self) -> Vec<String> {
        self.starting_with(docker_lines(&[
            "image",
            "ls",
            "--format",
            "{{.Repository}}:{{.Tag}}",
        ]))
    }

    fn starting_with(&self, names: Vec<String>) -> Vec<String> {
        names
            .into_iter()
            .filter(|n| n.starts_with(&self.prefix))
            .collect()
    }

    /// Panics unless nothing carries the prefix any more.
    #[track_caller]
    pub fn assert_nothing_left(&self) {
        assert_eq!(self.containers(), Vec::<String>::new(), "containers left");
        assert_eq!(self.networks(), Vec::<String>::new(), "networks left");
        assert_eq!(self.volumes(), Vec::<String>::new(), "volumes left");
        assert_eq!(self.images(), Vec::<String>::new(), "images left");
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let remove = |args: &[&str], names: Vec<String>| {
            if !names.is_empty() {
                let _ = Command::new("docker").args(args).args(&names).output();
            }
        };
        // Listing may panic while already panicking; keep the guard quiet instead.
        let list = |f: fn(&Leftovers) -> Vec<String>| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self))).unwrap_or_default()
        };
        remove(&["rm", "-f", "-v"], list(Leftovers::containers));
        remove(&["network", "rm"], list(Leftovers::networks));
        remove(&["volume", "rm", "-f"], list(Leftovers::volumes));
        remove(&["image", "rm", "-f"], list(Leftovers::images));
    }
}

/// A workspace holding a copy of `examples/<name>` with busybox in its build context.
pub fn example_workspace(name: &str) -> Workspace {
    let ws = Workspace::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    copy_dir(&source, ws.path());
    prepare_context(&ws.file("context"));
    ws
}

/// Copies busybox into a build context (installing busybox-static when it is missing).
pub fn prepare_context(context: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/docker_images.sh");
    let status = Command::new(script)
        .arg("prepare")
        .arg(context)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing {} failed", context.display());
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read example directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else if !entry
            .file_name()
            .to_string_lossy()
            .starts_with("plinth.tfstate")
        {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
