//! How plinth reaches an engine that is not a plain socket: TLS with client certificates (a
//! directory like the Docker CLI's `DOCKER_CERT_PATH`, or PEM material from the provider block
//! written to a private temporary directory), and `ssh://` hosts, where each connection is the
//! local `ssh` command running `docker system dial-stdio` on the remote machine (as the Docker
//! CLI and kreuzwerker do), served to the client on a private unix socket.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use plinth_sdk::{Diagnostic, Diagnostics, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::process::Command;
use tokio::task::JoinHandle;

use crate::attrs;

/// The client certificate files of a TLS connection, in the layout `DOCKER_CERT_PATH` uses.
pub struct Tls {
    /// The directory holding `ca.pem`, `cert.pem` and `key.pem`.
    pub dir: PathBuf,
    /// The private directory the provider block's PEM material was written to, if it was.
    material: Option<tempfile::TempDir>,
}

impl Tls {
    /// `ca.pem`: the authority that signed the engine's certificate.
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// `cert.pem`: the client certificate.
    pub fn cert(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }

    /// `key.pem`: the client key.
    pub fn key(&self) -> PathBuf {
        self.dir.join("key.pem")
    }

    /// Where the certificates came from, for messages.
    pub fn describe(&self) -> String {
        match self.material {
            Some(_) => "the provider block's certificate material".to_string(),
            None => format!("the certificates in {}", self.dir.display()),
        }
    }
}

/// The TLS settings of a provider block: its PEM material, else its `cert_path`, else
/// `DOCKER_CERT_PATH`, else `~/.docker` when `DOCKER_TLS_VERIFY` is set; `None` for a plain
/// connection. `env` reads the environment.
pub fn tls(
    config: &Value,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Tls>, Diagnostics> {
    let set = |name: &str| attrs::non_empty(config, name).map(str::to_string);
    let env = |name: &str| env(name).filter(|v| !v.is_empty());
    let material = [
        ("ca_material", "ca.pem"),
        ("cert_material", "cert.pem"),
        ("key_material", "key.pem"),
    ]
    .map(|(attribute, file)| (attribute, file, set(attribute)));
    if material.iter().any(|(_, _, pem)| pem.is_some()) {
        return from_material(&material).map(Some);
    }
    let verify = env("DOCKER_TLS_VERIFY").is_some_and(|v| v != "0");
    let dir = match (set("cert_path"), env("DOCKER_CERT_PATH")) {
        (Some(dir), _) | (None, Some(dir)) => PathBuf::from(dir),
        (None, None) if verify => match env("HOME") {
            Some(home) => Path::new(&home).join(".docker"),
            None => {
                return Err(Diagnostic::error(
                    "DOCKER_TLS_VERIFY is set but no certificates are named",
                )
                .with_detail("Set cert_path in the provider block or DOCKER_CERT_PATH.")
                .into())
            }
        },
        (None, None) => return Ok(None),
    };
    let tls = Tls {
        dir,
        material: None,
    };
    for file in [tls.ca(), tls.cert(), tls.key()] {
        if !file.is_file() {
            return Err(Diagnostic::error(format!(
                "TLS certificate file \"{}\" not found",
                file.display()
            ))
            .with_detail("A TLS connection to the Docker Engine needs ca.pem, cert.pem and key.pem in the certificate directory (cert_path or DOCKER_CERT_PATH).")
            .into());
        }
    }
    Ok(Some(tls))
}

/// Writes the provider block's PEM material into a private directory (0700, files 0600).
fn from_material(material: &[(&str, &str, Option<String>); 3]) -> Result<Tls, Diagnostics> {
    if let Some((attribute, _, _)) = material.iter().find(|(_, _, pem)| pem.is_none()) {
        return Err(Diagnostic::error(format!("{attribute} is missing"))
            .with_detail("ca_material, cert_material and key_material are set together: the engine's certificate authority, the client certificate and its key.")
            .into());
    }
    let written = |e: std::io::Error| {
        Diagnostics::from(
            Diagnostic::error("writing the TLS material to a temporary directory failed")
                .with_detail(e.to_string()),
        )
    };
    let dir = tempfile::Builder::new()
        .prefix("plinth-docker-tls-")
        .tempdir()
        .map_err(written)?;
    for (_, file, pem) in material {
        let pem = pem.as_deref().unwrap_or_default();
        write_private(&dir.path().join(file), pem.as_bytes()).map_err(written)?;
    }
    Ok(Tls {
        dir: dir.path().to_path_buf(),
        material: Some(dir),
    })
}

/// Creates `path` readable by its owner only and writes `bytes` into it.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

/// An `ssh://[user@]host[:port]` engine served on a private unix socket: every connection to
/// it starts `ssh … docker system dial-stdio`. Stops serving when dropped.
pub struct SshTunnel {
    socket: PathBuf,
    stderr: Arc<Mutex<String>>,
    accepting: JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl SshTunnel {
    /// Starts serving `host` (an `ssh://` URL) with the extra `ssh` options `opts`.
    pub fn start(host: &str, opts: &[String]) -> Result<SshTunnel, Diagnostics> {
        let args = ssh_args(host, opts)?;
        let dir = tempfile::Builder::new()
            .prefix("plinth-docker-ssh-")
            .tempdir()
            .map_err(|e| {
                Diagnostic::error("creating the ssh socket directory failed")
                    .with_detail(e.to_string())
            })?;
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).map_err(|e| {
            Diagnostic::error("listening on the ssh socket failed").with_detail(e.to_string())
        })?;
        let stderr = Arc::new(Mutex::new(String::new()));
        let last_error = stderr.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, args.clone(), last_error.clone()));
            }
        });
        Ok(SshTunnel {
            socket,
            stderr,
            accepting,
            _dir: dir,
        })
    }

    /// The socket the client connects to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// What the last failed `ssh` printed on stderr (empty when none failed).
    pub fn last_error(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for SshTunnel {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

/// The arguments of `ssh` for `host`: the options, `-l user`, `-p port`, the host and the
/// remote command.
fn ssh_args(host: &str, opts: &[String]) -> Result<Vec<String>, Diagnostics> {
    let invalid = || {
        Diagnostics::from(
            Diagnostic::error(format!("invalid ssh host \"{host}\""))
                .with_detail("use ssh://[user@]host[:port]"),
        )
    };
    let rest = host.strip_prefix("ssh://").ok_or_else(invalid)?;
    let rest = rest.trim_end_matches('/');
    let (user, machine) = match rest.rsplit_once('@') {
        Some((user, machine)) => (Some(user), machine),
        None => (None, rest),
    };
    let (machine, port) = match machine.strip_prefix('[') {
        Some(bracketed) => {
            let (address, after) = bracketed.split_once(']').ok_or_else(invalid)?;
            match after.strip_prefix(':') {
                Some(port) => (address, Some(port)),
                None if after.is_empty() => (address, None),
                None => return Err(invalid()),
            }
        }
        None => match machine.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (machine, None),
        },
    };
    let port = port
        .map(|p| p.parse::<u16>().map_err(|_| invalid()))
        .transpose()?;
    if machine.is_empty() || rest.contains('/') {
        return Err(invalid());
    }
    let mut args: Vec<String> = vec!["-o".into(), "ConnectTimeout=30".into()];
    args.extend(opts.iter().cloned());
    if let Some(user) = user {
        args.extend(["-l".into(), user.to_string()]);
    }
    if let Some(port) = port {
        args.extend(["-p".into(), port.to_string()]);
    }
    args.extend(["--", machine, "docker", "system", "dial-stdio"].map(String::from));
    Ok(args)
}

/// Carries one client connection over a fresh `ssh` process; its stderr is kept when it fails.
async fn serve(client: UnixStream, args: Vec<String>, last_error: Arc<Mutex<String>>) {
    let child = Command::new("ssh")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            if let Ok(mut last) = last_error.lock() {
                *last = format!("starting ssh failed: {e}");
            }
            return;
        }
    };
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return;
    };
    let (mut from_client, mut to_client) = client.into_split();
    let upstream = async {
        let _ = tokio::io::copy(&mut from_client, &mut stdin).await;
        let _ = stdin.shutdown().await;
        drop(stdin);
    };
    // The client sees the connection close only after ssh's error is kept, so the error the
    // client reports can carry it.
    let downstream = async {
        let _ = tokio::io::copy(&mut stdout, &mut to_client).await;
        let mut errors = Vec::new();
        let _ = stderr.read_to_end(&mut errors).await;
        let status = child.wait().await;
        if !status.is_ok_and(|s| s.success()) && !errors.is_empty() {
            if let Ok(mut last) = last_error.lock() {
                *last = String::from_utf8_lossy(&errors).trim().to_string();
            }
        }
        let _ = to_client.shutdown().await;
    };
    tokio::join!(upstream, downstream);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn ssh_hosts_become_ssh_arguments() {
        let args = ssh_args("ssh://deploy@10.0.0.5:2222", &["-i".into(), "k".into()]).unwrap();
        assert_eq!(
            args.join(" "),
            "-o ConnectTimeout=30 -i k -l deploy -p 2222 -- 10.0.0.5 docker system dial-stdio"
        );
        let args = ssh_args("ssh://host", &[]).unwrap();
        assert_eq!(
            args.join(" "),
            "-o ConnectTimeout=30 -- host docker system dial-stdio"
        );
        assert!(ssh_args("ssh://", &[]).is_err());
        assert!(ssh_args("ssh://host:port", &[]).is_err());
        assert!(ssh_args("ssh://host/path", &[]).is_err());
        let args = ssh_args("ssh://[::1]:22", &[]).unwrap();
        assert!(args
            .join(" ")
            .ends_with("-p 22 -- ::1 docker system dial-stdio"));
    }

    #[test]
    fn plain_connections_need_no_tls() {
        let tls = tls(
            &Value::object([("host", Value::from("tcp://h:2375"))]),
            env(&[]),
        )
        .unwrap();
        assert!(tls.is_none());
        let tls = tls_of(&[("DOCKER_TLS_VERIFY", "0")]);
        assert!(tls.is_none());
    }

    fn tls_of(pairs: &[(&str, &str)]) -> Option<Tls> {
        tls(&Value::Null, env(pairs)).unwrap()
    }

    #[test]
    fn a_missing_certificate_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().to_string();
        let err = tls(&Value::Null, env(&[("DOCKER_CERT_PATH", &path)]))
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("ca.pem\" not found"), "{err}");
        for file in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(dir.path().join(file), "pem").unwrap();
        }
        let found = tls(&Value::Null, env(&[("DOCKER_CERT_PATH", &path)])).unwrap();
        assert_eq!(found.map(|t| t.dir), Some(dir.path().to_path_buf()));
    }

    #[test]
    fn material_is_written_privately_and_must_be_complete() {
        let config = Value::object([
            ("ca_material", Value::from("CA")),
            ("cert_material", Value::from("CERT")),
            ("key_material", Value::from("KEY")),
        ]);
        let tls = tls(&config, env(&[])).unwrap().expect("tls");
        assert_eq!(std::fs::read_to_string(tls.key()).unwrap(), "KEY");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(tls.key()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let partial = Value::object([("ca_material", Value::from("CA"))]);
        let err = super::tls(&partial, env(&[]))
            .err()
            .map(|d| d.to_string())
            .unwrap_or_default();
        assert!(err.contains("cert_material is missing"), "{err}");
    }
}
