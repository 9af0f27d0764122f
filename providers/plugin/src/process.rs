//! The provider's process: started with the handshake environment, its handshake line read from
//! stdout, stdout drained afterwards, stderr logged line by line under the provider's name (and
//! its last lines kept for error messages), killed when dropped.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tokio::sync::Mutex;

use crate::handshake::{self, Handshake};
use crate::PluginError;

/// How many stderr lines are kept for error messages.
const TAIL_LINES: usize = 40;
/// Longest stderr line kept (in bytes); longer ones are cut.
const TAIL_LINE_MAX: usize = 2000;
/// How many non-handshake lines a provider may print on stdout before its handshake.
const PREAMBLE_LINES: usize = 100;

/// What to start and how.
#[derive(Clone, Debug)]
pub struct LaunchOptions {
    /// The provider's name in logs and errors (`registry.terraform.io/hashicorp/aws`).
    pub name: String,
    /// The executable.
    pub executable: PathBuf,
    /// Arguments (providers take none).
    pub args: Vec<String>,
    /// Extra environment variables (the handshake's are added).
    pub env: Vec<(String, String)>,
    /// The working directory (the caller's when None).
    pub working_dir: Option<PathBuf>,
    /// Offer AutoMTLS (a client certificate), as Terraform does. Without it providers serve
    /// plaintext or their own TLS.
    pub auto_mtls: bool,
    /// Timeouts of the handshake and of each call.
    pub timeouts: Timeouts,
    /// The Terraform version told to the provider in `ConfigureProvider` (providers put it in
    /// user agents and some gate features on it): the language level plinth implements.
    pub terraform_version: String,
    /// Also copy each line the provider writes to stderr to plinth's stderr, prefixed with
    /// the provider's name (plinth sets it when `PLINTH_LOG` or `TF_LOG` is set).
    pub echo_stderr: bool,
}

impl LaunchOptions {
    /// Options for an executable with AutoMTLS and the default timeouts.
    pub fn new(name: impl Into<String>, executable: impl Into<PathBuf>) -> LaunchOptions {
        LaunchOptions {
            name: name.into(),
            executable: executable.into(),
            args: Vec::new(),
            env: Vec::new(),
            working_dir: None,
            auto_mtls: true,
            timeouts: Timeouts::default(),
            terraform_version: "1.11.4".to_string(),
            echo_stderr: false,
        }
    }
}

/// How long plinth waits for a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// From start to the handshake line and connection.
    pub handshake: Duration,
    /// Schemas, metadata, validation and configuration.
    pub metadata: Duration,
    /// Plan, read, import, upgrade, data sources and functions.
    pub read_plan: Duration,
    /// Apply (create, update, delete): cloud objects can take long.
    pub apply: Duration,
    /// StopProvider and shutdown.
    pub stop: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            handshake: Duration::from_secs(60),
            metadata: Duration::from_secs(120),
            read_plan: Duration::from_secs(300),
            apply: Duration::from_secs(3600),
            stop: Duration::from_secs(10),
        }
    }
}

/// A running provider process.
#[derive(Debug)]
pub struct ProviderProcess {
    name: String,
    child: Mutex<Child>,
    pid: Option<u32>,
    stderr_tail: Arc<StdMutex<VecDeque<String>>>,
}

impl ProviderProcess {
    /// Starts the provider and reads its handshake line.
    pub(crate) async fn start(
        options: &LaunchOptions,
        client_cert_pem: Option<&str>,
    ) -> Result<(ProviderProcess, Handshake), PluginError> {
        let mut command = Command::new(&options.executable);
        command
            .args(&options.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .env_remove("PLUGIN_CLIENT_CERT");
        for (key, value) in handshake::environment(client_cert_pem) {
            command.env(key, value);
        }
        for (key, value) in &options.env {
            command.env(key, value);
        }
        if let Some(dir) = &options.working_dir {
            command.current_dir(dir);
        }
        let mut child = command.spawn().map_err(|source| PluginError::Spawn {
            provider: options.name.clone(),
            path: options.executable.clone(),
            source,
        })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let process = ProviderProcess {
            name: options.name.clone(),
            pid: child.id(),
            child: Mutex::new(child),
            stderr_tail: Arc::new(StdMutex::new(VecDeque::new())),
        };
        tokio::spawn(log_stderr(
            options.name.clone(),
            stderr,
            process.stderr_tail.clone(),
            options.echo_stderr,
        ));
        let mut stdout = BufReader::new(stdout);
        let line = tokio::time::timeout(
            options.timeouts.handshake,
            read_handshake_line(&options.name, &mut stdout),
        )
        .await;
        let failed = |reason: String| async {
            // Let the provider's last words reach the tail before reporting.
            let status = process.exit_status(Duration::from_millis(500)).await;
            let reason = match status {
                Some(status) => format!("{reason} (it exited: {status})"),
                None => reason,
            };
            PluginError::Handshake {
                provider: options.name.clone(),
                reason,
                stderr_tail: process.stderr_tail(),
            }
        };
        let line = match line {
            Err(_) => {
                let error = failed(format!(
                    "no handshake line within {}s",
                    options.timeouts.handshake.as_secs_f64()
                ))
                .await;
                process.kill().await;
                return Err(error);
            }
            Ok(Err(reason)) => return Err(failed(reason).await),
            Ok(Ok(line)) => line,
        };
        let parsed = match handshake::parse(&line) {
            Ok(parsed) => parsed,
            Err(reason) => return Err(failed(reason).await),
        };
        tokio::spawn(drain_stdout(options.name.clone(), stdout));
        Ok((process, parsed))
    }

    /// The provider's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The process id, while it was known.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The last lines the provider wrote to stderr.
    pub fn stderr_tail(&self) -> String {
        let tail = self.stderr_tail.lock().expect("stderr tail lock");
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// The exit status, waiting at most `wait` for the process to end.
    pub async fn exit_status(&self, wait: Duration) -> Option<ExitStatus> {
        let mut child = self.child.lock().await;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        tokio::time::timeout(wait, child.wait()).await.ok()?.ok()
    }

    /// Kills the process (SIGKILL) and reaps it.
    pub async fn kill(&self) {
        let mut child = self.child.lock().await;
        if let Err(e) = child.kill().await {
            tracing::debug!(provider = %self.name, "killing the provider: {e}");
        }
    }
}

/// Reads stdout until the handshake line: the first line containing `|`. Other lines before it
/// (some frameworks print banners) are logged and skipped.
async fn read_handshake_line(
    name: &str,
    stdout: &mut BufReader<ChildStdout>,
) -> Result<String, String> {
    let mut line = String::new();
    for _ in 0..PREAMBLE_LINES {
        line.clear();
        let n = stdout
            .read_line(&mut line)
            .await
            .map_err(|e| format!("reading its stdout: {e}"))?;
        if n == 0 {
            return Err("it closed stdout without a handshake line".into());
        }
        if line.contains('|') {
            return Ok(line.trim_end().to_string());
        }
        tracing::debug!(provider = %name, "stdout before handshake: {}", line.trim_end());
    }
    Err(format!(
        "no handshake line in its first {PREAMBLE_LINES} lines"
    ))
}

async fn drain_stdout(name: String, stdout: BufReader<ChildStdout>) {
    for_each_line(stdout, |line| {
        tracing::debug!(target: "plinth::provider", provider = %name, stream = "stdout", "{line}");
    })
    .await;
}

async fn log_stderr(
    name: String,
    stderr: impl AsyncRead + Unpin,
    tail: Arc<StdMutex<VecDeque<String>>>,
    echo: bool,
) {
    for_each_line(BufReader::new(stderr), |line| {
        tracing::info!(target: "plinth::provider", provider = %name, "{line}");
        if echo {
            eprintln!("[provider {name}] {line}");
        }
        let mut kept = line.to_string();
        if kept.len() > TAIL_LINE_MAX {
            let mut cut = TAIL_LINE_MAX;
            while !kept.is_char_boundary(cut) {
                cut -= 1;
            }
            kept.truncate(cut);
            kept.push_str("...");
        }
        let mut tail = tail.lock().expect("stderr tail lock");
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(kept);
    })
    .await;
}

/// Calls `each` with every line (lossily decoded, without its ending) until end of file.
async fn for_each_line(mut reader: impl AsyncBufReadExt + Unpin, mut each: impl FnMut(&str)) {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&buf);
                each(text.trim_end_matches(['\n', '\r']));
            }
        }
    }
}
