//! Uploads with the scp protocol, as Terraform's SSH communicator does: `scp -t DIR` (or
//! `scp -rt DEST` for a tree) runs remotely and takes `C<mode> <size> <name>` records with the
//! file's bytes, `D<mode> 0 <name>` ... `E` around directories, acknowledging each with a zero
//! byte (1 or 2 and a message on failure).

use std::collections::VecDeque;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use russh::client::{Handle, Handler, Msg};
use russh::{Channel, ChannelMsg};

use super::super::remote::shell_quote;

/// Permissions of directories created remotely.
const DIR_MODE: u32 = 0o755;

/// One step of uploading a local tree.
enum Step {
    Enter(String),
    File {
        path: PathBuf,
        name: String,
        mode: u32,
    },
    Leave,
}

/// Writes `contents` as the remote file `destination`.
pub async fn upload_file<H: Handler>(
    session: &Handle<H>,
    destination: &str,
    contents: &[u8],
    mode: u32,
) -> Result<(), String> {
    let (dir, name) = match destination.rsplit_once('/') {
        Some(("", name)) => ("/", name),
        Some((dir, name)) => (dir, name),
        None => (".", destination),
    };
    if name.is_empty() {
        return Err(format!("{destination:?} names a directory, not a file"));
    }
    let mut scp = Scp::start(session, &format!("scp -t {}", shell_quote(dir))).await?;
    scp.file(name, mode, contents).await?;
    scp.finish().await
}

/// Copies the local tree `source` to `destination` (its contents only when `source` ends
/// with `/`).
pub async fn upload_dir<H: Handler>(
    session: &Handle<H>,
    source: &Path,
    destination: &str,
) -> Result<(), String> {
    let mut steps = Vec::new();
    let contents_only = source.as_os_str().to_string_lossy().ends_with('/');
    if contents_only {
        walk(source, &mut steps)?;
    } else {
        let name = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| format!("{} has no directory name", source.display()))?;
        steps.push(Step::Enter(name));
        walk(source, &mut steps)?;
        steps.push(Step::Leave);
    }
    let mut scp = Scp::start(session, &format!("scp -rt {}", shell_quote(destination))).await?;
    for step in steps {
        match step {
            Step::Enter(name) => scp.record(&format!("D{DIR_MODE:04o} 0 {name}\n")).await?,
            Step::Leave => scp.record("E\n").await?,
            Step::File { path, name, mode } => {
                let bytes =
                    std::fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
                scp.file(&name, mode, &bytes).await?;
            }
        }
    }
    scp.finish().await
}

/// The steps uploading the entries of the local directory `dir` (sorted by name; symbolic
/// links followed).
fn walk(dir: &Path, steps: &mut Vec<Step>) -> Result<(), String> {
    let unreadable = |e: std::io::Error| format!("reading {}: {e}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .collect::<Result<_, _>>()
        .map_err(unreadable)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta =
            std::fs::metadata(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        if meta.is_dir() {
            steps.push(Step::Enter(name));
            walk(&path, steps)?;
            steps.push(Step::Leave);
        } else {
            let mode = meta.permissions().mode() & 0o7777;
            steps.push(Step::File { path, name, mode });
        }
    }
    Ok(())
}

/// A running remote `scp -t`.
struct Scp {
    channel: Channel<Msg>,
    command: String,
    received: VecDeque<u8>,
    errors: Vec<u8>,
    status: Option<u32>,
}

impl Scp {
    /// Starts `command` and waits for its first acknowledgement.
    async fn start<H: Handler>(session: &Handle<H>, command: &str) -> Result<Scp, String> {
        let channel = session
            .channel_open_session()
            .await
            .map_err(|e| format!("ssh: opening a session: {e}"))?;
        channel
            .exec(true, command)
            .await
            .map_err(|e| format!("ssh: starting {command:?}: {e}"))?;
        let mut scp = Scp {
            channel,
            command: command.to_string(),
            received: VecDeque::new(),
            errors: Vec::new(),
            status: None,
        };
        scp.acknowledged().await?;
        Ok(scp)
    }

    /// Sends one file record with its bytes.
    async fn file(&mut self, name: &str, mode: u32, contents: &[u8]) -> Result<(), String> {
        self.record(&format!("C{mode:04o} {} {name}\n", contents.len()))
            .await?;
        self.send(contents).await?;
        self.send(&[0]).await?;
        self.acknowledged().await
    }

    /// Sends one control record and waits for its acknowledgement.
    async fn record(&mut self, line: &str) -> Result<(), String> {
        self.send(line.as_bytes()).await?;
        self.acknowledged().await
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.channel
            .data(bytes)
            .await
            .map_err(|e| format!("scp: sending: {e}"))
    }

    /// Reads the remote answer: a zero byte, or 1 or 2 and a message line.
    async fn acknowledged(&mut self) -> Result<(), String> {
        match self.next_byte().await? {
            0 => Ok(()),
            1 | 2 => {
                let mut message = Vec::new();
                loop {
                    match self.next_byte().await? {
                        b'\n' => break,
                        b => message.push(b),
                    }
                }
                // The remote scp starts its messages with "scp: " already.
                let message = String::from_utf8_lossy(&message);
                Err(format!("scp: {}", message.trim_start_matches("scp: ")))
            }
            other => Err(format!(
                "scp: unexpected answer {other:#04x} from {:?}",
                self.command
            )),
        }
    }

    async fn next_byte(&mut self) -> Result<u8, String> {
        loop {
            if let Some(byte) = self.received.pop_front() {
                return Ok(byte);
            }
            match self.channel.wait().await {
                Some(ChannelMsg::Data { data }) => self.received.extend(data.iter()),
                Some(ChannelMsg::ExtendedData { data, .. }) => self.errors.extend(data.iter()),
                Some(ChannelMsg::ExitStatus { exit_status }) => self.status = Some(exit_status),
                Some(_) => {}
                None => return Err(self.ended_early()),
            }
        }
    }

    /// Why the remote side stopped answering.
    fn ended_early(&self) -> String {
        let errors = String::from_utf8_lossy(&self.errors);
        let errors = errors.trim();
        match (self.status, errors.is_empty()) {
            (_, false) => format!("{:?} failed: {errors}", self.command),
            (Some(code), true) => format!("{:?} exited with status {code}", self.command),
            (None, true) => format!("{:?} ended without an answer", self.command),
        }
    }

    /// Ends the upload and checks that `scp` exited successfully.
    async fn finish(mut self) -> Result<(), String> {
        self.channel
            .eof()
            .await
            .map_err(|e| format!("scp: closing: {e}"))?;
        while let Some(message) = self.channel.wait().await {
            match message {
                ChannelMsg::ExtendedData { data, .. } => self.errors.extend(data.iter()),
                ChannelMsg::ExitStatus { exit_status } => self.status = Some(exit_status),
                _ => {}
            }
        }
        match self.status {
            Some(0) => Ok(()),
            _ => Err(self.ended_early()),
        }
    }
}
