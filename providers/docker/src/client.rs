//! Connecting to the Docker Engine and turning its errors into diagnostics.
//!
//! The host comes from the provider block, else `DOCKER_HOST`, else the local unix socket;
//! `unix://`, `tcp://` (or `http://`), `tcp://` with TLS client certificates (`cert_path`, the
//! PEM material, or `DOCKER_CERT_PATH` and `DOCKER_TLS_VERIFY` like the Docker CLI) and `ssh://`
//! are supported. The API version is negotiated once, on first use: bollard speaks up to 1.49
//! and steps down to what the engine offers (1.41 for Docker Engine 20.10), so configuring the
//! provider never touches the network.

use bollard::errors::Error as DockerError;
use bollard::{Docker, API_DEFAULT_VERSION};
use plinth_sdk::{Diagnostic, Diagnostics, Value};
use tokio::sync::OnceCell;

use crate::attrs;
use crate::registry::Auths;
use crate::transport::{self, SshTunnel, Tls};

/// The socket used when neither the provider block nor `DOCKER_HOST` names a host.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Seconds any single Engine API request may take (image builds stream, so this is per read).
const REQUEST_TIMEOUT_SECS: u64 = 600;

/// A lazily connected, version-negotiated engine client.
pub struct Engine {
    host: String,
    docker: Docker,
    negotiated: OnceCell<Docker>,
    transport: Transport,
    auths: Auths,
}

/// Where a direct request ([`crate::engine_api`]) connects to.
pub enum Endpoint<'a> {
    /// A unix socket (a local engine, or an ssh tunnel's socket).
    Unix(std::path::PathBuf),
    /// A plain TCP `host:port`.
    Tcp(String),
    /// A TCP `host:port` spoken to with TLS client certificates.
    Tls(String, &'a Tls),
}

/// What a connection needs kept alive beside the client.
enum Transport {
    Direct,
    Tls(Tls),
    Ssh(SshTunnel),
}

impl Engine {
    /// Prepares a client for the provider block `config` (host, TLS material, ssh options)
    /// without contacting the engine.
    pub fn connect(config: &Value) -> Result<Engine, Diagnostics> {
        let auths = Auths::from_provider(config)?;
        let host = resolve_host(attrs::string(config, "host"));
        let engine = if host.starts_with("ssh://") {
            let opts = attrs::strings(config, "ssh_opts").unwrap_or_default();
            let tunnel = SshTunnel::start(&host, &opts)?;
            let socket = tunnel.socket().to_string_lossy().to_string();
            let docker =
                Docker::connect_with_unix(&socket, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION);
            Engine::with(&host, docker, Transport::Ssh(tunnel))?
        } else {
            match transport::tls(config, |name| std::env::var(name).ok())? {
                Some(tls) => Engine::tls(&host, tls)?,
                None => Engine::new(&host)?,
            }
        };
        Ok(Engine { auths, ..engine })
    }

    /// The provider block's registry credentials.
    pub fn auths(&self) -> &Auths {
        &self.auths
    }

    /// Prepares a plain client for `host` without contacting it.
    pub fn new(host: &str) -> Result<Engine, Diagnostics> {
        let docker = if let Some(path) = host.strip_prefix("unix://") {
            Docker::connect_with_unix(path, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") {
            Docker::connect_with_http(host, REQUEST_TIMEOUT_SECS, API_DEFAULT_VERSION)
        } else {
            return Err(unsupported(host));
        };
        Engine::with(host, docker, Transport::Direct)
    }

    /// A client speaking TLS to a `tcp://` host with the client certificate of `tls`.
    fn tls(host: &str, tls: Tls) -> Result<Engine, Diagnostics> {
        if !(host.starts_with("tcp://") || host.starts_with("https://")) {
            return Err(Diagnostic::error(format!(
                "TLS certificates are set but the Docker host \"{host}\" is not a tcp:// address"
            ))
            .with_detail("TLS is spoken to tcp://host:port hosts; unset cert_path, the *_material attributes or DOCKER_CERT_PATH for other hosts.")
            .into());
        }
        // bollard builds its TLS client with the process's default crypto provider; plinth's
        // dependencies compile in more than one, so one is chosen here (once per process).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let docker = Docker::connect_with_ssl(
            host,
            &tls.key(),
            &tls.cert(),
            &tls.ca(),
            REQUEST_TIMEOUT_SECS,
            API_DEFAULT_VERSION,
        );
        Engine::with(host, docker, Transport::Tls(tls))
    }

    fn with(
        host: &str,
        docker: Result<Docker, DockerError>,
        transport: Transport,
    ) -> Result<Engine, Diagnostics> {
        let docker = docker.map_err(|e| {
            Diagnostic::error(format!("cannot use Docker host \"{host}\"")).with_detail(message(&e))
        })?;
        Ok(Engine {
            host: host.to_string(),
            docker,
            negotiated: OnceCell::new(),
            transport,
            auths: Auths::default(),
        })
    }

    /// Where raw requests connect to, for this engine's host and transport.
    pub fn endpoint(&self) -> Endpoint<'_> {
        let address = || {
            let rest = self.host.split_once("://").map_or(&*self.host, |(_, r)| r);
            rest.trim_end_matches('/').to_string()
        };
        match &self.transport {
            Transport::Ssh(tunnel) => Endpoint::Unix(tunnel.socket().to_path_buf()),
            Transport::Tls(tls) => Endpoint::Tls(address(), tls),
            Transport::Direct => match self.host.strip_prefix("unix://") {
                Some(path) => Endpoint::Unix(path.into()),
                None => Endpoint::Tcp(address()),
            },
        }
    }

    /// The client, after negotiating the API version with the engine (once).
    pub async fn docker(&self) -> Result<&Docker, Diagnostics> {
        self.negotiated
            .get_or_try_init(|| async {
                self.docker.clone().negotiate_version().await.map_err(|e| {
                    let mut detail = message(&e);
                    match &self.transport {
                        Transport::Ssh(tunnel) if !tunnel.last_error().is_empty() => {
                            detail = format!("ssh: {}", tunnel.last_error());
                        }
                        Transport::Tls(tls) => {
                            detail.push_str(&format!(" (TLS with {})", tls.describe()));
                        }
                        _ => {}
                    }
                    Diagnostics::from(
                        Diagnostic::error(format!("Docker Engine unreachable at {}", self.host))
                            .with_detail(detail),
                    )
                })
            })
            .await
    }
}

/// A host of a scheme plinth cannot reach.
fn unsupported(host: &str) -> Diagnostics {
    Diagnostic::error(format!("unsupported Docker host \"{host}\""))
        .with_detail("use unix:///path/to/docker.sock, tcp://host:port or ssh://[user@]host[:port]")
        .into()
}

/// The host to use: the configured one, else `DOCKER_HOST`, else the local socket.
pub fn resolve_host(configured: Option<&str>) -> String {
    configured
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .or_else(|| std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| DEFAULT_HOST.to_string())
}

/// Docker's own message for an error: the server's text when the engine answered, otherwise the
/// client's error with its causes (`client error (Connect): tcp connect error: Connection refused
/// (os error 111)`), so a lost or refused connection says so.
pub fn message(error: &DockerError) -> String {
    use std::error::Error;
    let (mut text, mut cause) = match error {
        DockerError::DockerResponseServerError { message, .. } => return message.clone(),
        DockerError::DockerStreamError { error } => return error.clone(),
        // bollard's own wording ("Error in the hyper legacy client") adds nothing to its cause.
        DockerError::HyperLegacyError { err } => (err.to_string(), err.source()),
        other => (other.to_string(), other.source()),
    };
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text = format!("{text}: {inner_text}");
        }
        cause = inner.source();
    }
    text
}

/// Whether the engine answered 404 (the object does not exist).
pub fn is_not_found(error: &DockerError) -> bool {
    matches!(
        error,
        DockerError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// A diagnostic `summary` with Docker's message as detail.
pub fn failed(summary: impl Into<String>, error: &DockerError) -> Diagnostic {
    Diagnostic::error(summary).with_detail(format!("Docker: {}", message(error)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_host_wins_over_the_environment() {
        assert_eq!(
            resolve_host(Some("tcp://127.0.0.1:2375")),
            "tcp://127.0.0.1:2375"
        );
    }

    #[test]
    fn unsupported_schemes_are_rejected_with_a_hint() {
        let err = Engine::new("npipe:////./pipe/docker_engine")
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("unsupported Docker host"), "{err}");
    }

    #[test]
    fn tcp_hosts_are_accepted_without_contacting_them() {
        assert!(Engine::new("tcp://127.0.0.1:1").is_ok());
    }

    #[tokio::test]
    async fn a_refused_connection_says_so() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        drop(listener);
        let engine = Engine::new(&format!("tcp://127.0.0.1:{port}")).expect("engine");
        let e = engine
            .docker
            .ping()
            .await
            .err()
            .map(|e| message(&e))
            .unwrap_or_default();
        assert!(e.contains("Connection refused"), "{e}");
        assert!(!e.contains("hyper legacy client"), "{e}");
    }

    #[test]
    fn server_errors_keep_dockers_message() {
        let e = DockerError::DockerResponseServerError {
            status_code: 404,
            message: "No such image: x".into(),
        };
        assert!(is_not_found(&e));
        assert_eq!(
            failed("creating container", &e).detail.as_deref(),
            Some("Docker: No such image: x")
        );
    }
}
