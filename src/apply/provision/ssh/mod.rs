//! The SSH transport of `file` and `remote-exec` (russh, pure Rust): connects to the target,
//! through a bastion when configured (a `direct-tcpip` tunnel), retrying refused or failed
//! connections and logins until the connection's timeout; checks the server's key against
//! `host_key` when given (a mismatch fails at once, never retried); logs in with the private
//! key, then the agent's keys, then the password. Commands run in a session channel with their
//! output split into lines; uploads use the scp protocol (see [`scp`]).

mod scp;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use russh::client::{self, Handle};
use russh::keys::agent::client::AgentClient;
use russh::keys::{PrivateKeyWithHashAlg, PublicKey};
use russh::ChannelMsg;
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::communicator::Communicator;
use super::connection::{Endpoint, Settings};

/// The longest pause between two connection attempts.
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(8);

/// Why an attempt to connect failed.
enum Failure {
    /// Worth another attempt (refused, reset, not yet accepting our key).
    Retry(String),
    /// Never going to work (the host key does not match, the private key cannot be read).
    Fatal(String),
}

/// Accepts the server's key when it is the expected one (any key when none is expected).
struct HostKeyCheck {
    expected: Option<PublicKey>,
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(&mut self, offered: &PublicKey) -> Result<bool, Self::Error> {
        Ok(self
            .expected
            .as_ref()
            .is_none_or(|expected| expected.key_data() == offered.key_data()))
    }
}

/// A logged-in SSH session (and the bastion session its tunnel runs through).
pub struct SshCommunicator {
    session: Handle<HostKeyCheck>,
    _bastion: Option<Handle<HostKeyCheck>>,
}

/// Connects as `settings` say, retrying until their timeout; `say` gets Terraform's
/// "Connecting to remote host via SSH..." lines.
pub async fn connect(settings: &Settings, say: &dyn Fn(&str)) -> Result<SshCommunicator, String> {
    let agent_socket = settings
        .agent
        .then(|| std::env::var("SSH_AUTH_SOCK").ok())
        .flatten()
        .filter(|s| !s.is_empty());
    say("Connecting to remote host via SSH...");
    describe(&settings.target, agent_socket.is_some(), say);
    if let Some(bastion) = &settings.bastion {
        say("Using configured bastion host...");
        describe(bastion, agent_socket.is_some(), say);
    }
    let deadline = Instant::now() + settings.timeout;
    let mut pause = Duration::from_millis(250);
    loop {
        let attempt = attempt(settings, agent_socket.as_deref());
        let last = match tokio::time::timeout_at(deadline, attempt).await {
            Ok(Ok(connected)) => {
                say("Connected!");
                return Ok(connected);
            }
            Ok(Err(Failure::Fatal(why))) => return Err(why),
            Ok(Err(Failure::Retry(why))) => why,
            Err(_) => format!(
                "connecting to {} took longer than the timeout of {:?}",
                first_hop(settings).address(),
                settings.timeout
            ),
        };
        if Instant::now() + pause >= deadline {
            return Err(format!("timeout - last error: {last}"));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_RETRY_PAUSE);
    }
}

/// Lists what a connection to `endpoint` uses, as Terraform does (never the secrets).
fn describe(endpoint: &Endpoint, agent: bool, say: &dyn Fn(&str)) {
    say(&format!("  Host: {}", endpoint.host));
    say(&format!("  Port: {}", endpoint.port));
    say(&format!("  User: {}", endpoint.user));
    say(&format!("  Password: {}", endpoint.password.is_some()));
    say(&format!(
        "  Private key: {}",
        endpoint.private_key.is_some()
    ));
    say(&format!("  SSH Agent: {agent}"));
    say(&format!(
        "  Checking Host Key: {}",
        endpoint.host_key.is_some()
    ));
}

/// The machine the TCP connection goes to: the bastion when there is one.
fn first_hop(settings: &Settings) -> &Endpoint {
    settings.bastion.as_ref().unwrap_or(&settings.target)
}

/// One attempt: TCP, handshake and login to the first hop, then through the tunnel to the
/// target when the first hop is a bastion.
async fn attempt(settings: &Settings, agent: Option<&str>) -> Result<SshCommunicator, Failure> {
    let config = Arc::new(client::Config::default());
    let first = first_hop(settings);
    let tcp = TcpStream::connect((first.host.as_str(), first.port))
        .await
        .map_err(|e| Failure::Retry(format!("connecting to {}: {e}", first.address())))?;
    let mut session = client::connect_stream(config.clone(), tcp, checker(first)?)
        .await
        .map_err(|e| handshake_failure(first, e))?;
    login(&mut session, first, agent).await?;
    if settings.bastion.is_none() {
        return Ok(SshCommunicator {
            session,
            _bastion: None,
        });
    }
    let target = &settings.target;
    let tunnel = session
        .channel_open_direct_tcpip(target.host.as_str(), u32::from(target.port), "127.0.0.1", 0)
        .await
        .map_err(|e| {
            Failure::Retry(format!(
                "opening a tunnel through the bastion {} to {}: {e}",
                first.address(),
                target.address()
            ))
        })?;
    let mut inner = client::connect_stream(config, tunnel.into_stream(), checker(target)?)
        .await
        .map_err(|e| handshake_failure(target, e))?;
    login(&mut inner, target, agent).await?;
    Ok(SshCommunicator {
        session: inner,
        _bastion: Some(session),
    })
}

/// The host key check for `endpoint`: its `host_key` parsed (authorized_keys form, or the
/// bare base64 blob).
fn checker(endpoint: &Endpoint) -> Result<HostKeyCheck, Failure> {
    let Some(text) = &endpoint.host_key else {
        return Ok(HostKeyCheck { expected: None });
    };
    let text = text.trim();
    let expected = PublicKey::from_openssh(text)
        .or_else(|_| russh::keys::parse_public_key_base64(text).map_err(|e| e.to_string()))
        .map_err(|e| {
            Failure::Fatal(format!(
                "the host key given for {} is not an OpenSSH public key: {e}",
                endpoint.address()
            ))
        })?;
    Ok(HostKeyCheck {
        expected: Some(expected),
    })
}

/// A failed handshake: a refused host key is final, anything else is retried.
fn handshake_failure(endpoint: &Endpoint, error: russh::Error) -> Failure {
    match error {
        russh::Error::UnknownKey => Failure::Fatal(format!(
            "ssh: handshake failed: the host key of {} does not match the configured host key",
            endpoint.address()
        )),
        other => Failure::Retry(format!(
            "ssh: handshake with {} failed: {other}",
            endpoint.address()
        )),
    }
}

/// Logs in to `endpoint` with its private key, the agent's keys and its password, in turn.
async fn login(
    session: &mut Handle<HostKeyCheck>,
    endpoint: &Endpoint,
    agent: Option<&str>,
) -> Result<(), Failure> {
    let user = endpoint.user.as_str();
    let lost = |e: russh::Error| {
        Failure::Retry(format!(
            "ssh: logging in to {} failed: {e}",
            endpoint.address()
        ))
    };
    let mut tried = Vec::new();
    let rsa_hash = session
        .best_supported_rsa_hash()
        .await
        .map_err(lost)?
        .flatten();
    if let Some(text) = &endpoint.private_key {
        let key = russh::keys::decode_secret_key(text, None).map_err(|e| {
            Failure::Fatal(format!(
                "the private key for {} cannot be used: {e}",
                endpoint.address()
            ))
        })?;
        let key = PrivateKeyWithHashAlg::new(Arc::new(key), rsa_hash);
        if session
            .authenticate_publickey(user, key)
            .await
            .map_err(lost)?
            .success()
        {
            return Ok(());
        }
        tried.push("private key");
    }
    if let Some(socket) = agent {
        let mut client = AgentClient::connect_uds(socket)
            .await
            .map_err(|e| Failure::Retry(format!("ssh: reaching the SSH agent at {socket}: {e}")))?;
        let identities = client
            .request_identities()
            .await
            .map_err(|e| Failure::Retry(format!("ssh: listing the SSH agent's keys: {e}")))?;
        for key in identities {
            let answer = session
                .authenticate_publickey_with(user, key, rsa_hash, &mut client)
                .await
                .map_err(|e| Failure::Retry(format!("ssh: signing with the SSH agent: {e}")))?;
            if answer.success() {
                return Ok(());
            }
        }
        tried.push("agent");
    }
    if let Some(password) = &endpoint.password {
        if session
            .authenticate_password(user, password)
            .await
            .map_err(lost)?
            .success()
        {
            return Ok(());
        }
        tried.push("password");
    }
    Err(Failure::Retry(if tried.is_empty() {
        format!(
            "ssh: no way to log in to {} as {user}: set password or private_key, or run an SSH agent (SSH_AUTH_SOCK)",
            endpoint.address()
        )
    } else {
        format!(
            "ssh: unable to authenticate to {} as {user} (tried {})",
            endpoint.address(),
            tried.join(", ")
        )
    }))
}

/// Splits a byte stream into lines, passing each complete one on.
#[derive(Default)]
struct Lines {
    pending: Vec<u8>,
}

impl Lines {
    fn push(&mut self, bytes: &[u8], line: &dyn Fn(&str)) {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let rest = self.pending.split_off(end + 1);
            let text = String::from_utf8_lossy(&self.pending);
            line(text.trim_end_matches(['\n', '\r']));
            self.pending = rest;
        }
    }

    fn finish(self, line: &dyn Fn(&str)) {
        if !self.pending.is_empty() {
            line(&String::from_utf8_lossy(&self.pending));
        }
    }
}

#[async_trait(?Send)]
impl Communicator for SshCommunicator {
    async fn run(&mut self, command: &str, line: &dyn for<'a> Fn(&'a str)) -> Result<u32, String> {
        let mut channel = self
            .session
            .channel_open_session()
            .await
            .map_err(|e| format!("ssh: opening a session: {e}"))?;
        channel
            .exec(true, command)
            .await
            .map_err(|e| format!("ssh: starting {command:?}: {e}"))?;
        let (mut out, mut err) = (Lines::default(), Lines::default());
        let mut status = None;
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => out.push(&data, line),
                ChannelMsg::ExtendedData { data, .. } => err.push(&data, line),
                ChannelMsg::ExitStatus { exit_status } => status = Some(Ok(exit_status)),
                ChannelMsg::ExitSignal { signal_name, .. } => {
                    status = Some(Err(format!(
                        "error executing {command:?}: killed by signal {signal_name:?}"
                    )));
                }
                _ => {}
            }
        }
        out.finish(line);
        err.finish(line);
        status.unwrap_or_else(|| {
            Err(format!(
                "error executing {command:?}: the connection closed before it finished"
            ))
        })
    }

    async fn upload(
        &mut self,
        destination: &str,
        contents: &[u8],
        mode: u32,
    ) -> Result<(), String> {
        scp::upload_file(&self.session, destination, contents, mode).await
    }

    async fn upload_dir(&mut self, source: &Path, destination: &str) -> Result<(), String> {
        scp::upload_dir(&self.session, source, destination).await
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    #[test]
    fn output_is_split_into_lines_across_chunks() {
        let seen = RefCell::new(Vec::new());
        let line = |l: &str| seen.borrow_mut().push(l.to_string());
        let mut lines = Lines::default();
        lines.push(b"one\r\ntw", &line);
        lines.push(b"o\nthr", &line);
        lines.finish(&line);
        assert_eq!(*seen.borrow(), ["one", "two", "thr"]);
    }
}
