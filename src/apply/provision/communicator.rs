//! What `file` and `remote-exec` need from a connection to a machine, whatever the transport:
//! run a command with its output streamed, upload a file, upload a directory tree.

use std::path::Path;

use async_trait::async_trait;

use super::connection::Settings;
use super::ssh;

/// An open connection to the machine a provisioner works on.
#[async_trait(?Send)]
pub trait Communicator {
    /// Runs `command` through the remote shell, passing each line of its output (standard
    /// output and error) to `line`; answers its exit status.
    async fn run(&mut self, command: &str, line: &dyn for<'a> Fn(&'a str)) -> Result<u32, String>;

    /// Writes `contents` to the file `destination` with permissions `mode`.
    async fn upload(&mut self, destination: &str, contents: &[u8], mode: u32)
        -> Result<(), String>;

    /// Copies the local directory `source` to `destination`: its contents only when `source`
    /// ends with `/`, else the directory itself into `destination` (or as `destination` when
    /// that does not exist), as Terraform's file provisioner does.
    async fn upload_dir(&mut self, source: &Path, destination: &str) -> Result<(), String>;
}

/// Opens the connection `settings` describe, retrying until its timeout; `say` receives the
/// progress lines ("Connecting to remote host via SSH...").
pub async fn connect(
    settings: &Settings,
    say: &dyn Fn(&str),
) -> Result<Box<dyn Communicator>, String> {
    Ok(Box::new(ssh::connect(settings, say).await?))
}
