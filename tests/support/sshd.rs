//! A real OpenSSH server (Debian's openssh-server) for the provisioner tests: started on a free
//! 127.0.0.1 port with a generated host key, the client keys of [`Keys`] authorized and its log
//! kept in its own temporary directory; stopped when dropped. Also an `ssh-agent` holding a key.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::free_port;

/// The server binary the package installs.
const SSHD: &str = "/usr/sbin/sshd";

/// Runs a helper program, insisting that it succeeds.
fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let output = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Generates an ed25519 key pair at `path` (and `path.pub`).
pub fn generate_key(path: &Path) {
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "plinth-test",
            "-f",
            &path.to_string_lossy(),
        ],
        &[],
    );
}

/// The user the server logs clients in as: whoever runs the tests (sshd started without root
/// can log in no one else).
pub fn user() -> String {
    run("id", &["-un"], &[]).trim().to_string()
}

/// Whether sshd is installed; panics in CI (`CI=true`) when it is not, else says why the
/// calling test skips.
pub fn available() -> bool {
    if Path::new(SSHD).exists() {
        return true;
    }
    let why = format!("{SSHD} is missing: scripts/test.sh installs openssh-server");
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
    eprintln!("skipping: {why}");
    false
}

/// A running sshd.
pub struct Sshd {
    child: Child,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Sshd {
    /// Starts sshd authorizing the public keys `authorized` (authorized_keys lines), with TCP
    /// forwarding allowed (so it can serve as a bastion) and debug logging to its log file.
    pub fn start(authorized: &[String]) -> Sshd {
        Sshd::start_with(authorized, None)
    }

    /// Starts sshd that also accepts `password` for root, or `None` (after saying why) when the
    /// tests do not run as root. The password is known to this server only: sshd runs in a
    /// mount namespace of its own where a copy of /etc/shadow with root's hash for it is
    /// mounted over the real one, which is never touched.
    pub fn with_root_password(authorized: &[String], password: &str) -> Option<Sshd> {
        if !is_root() {
            eprintln!("skipping: password login is tested for root only (in a mount namespace)");
            return None;
        }
        Some(Sshd::start_with(authorized, Some(password)))
    }

    fn start_with(authorized: &[String], password: Option<&str>) -> Sshd {
        if is_root() {
            // sshd started by root checks its privilege separation directory.
            std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        }
        // A port free a moment ago may be taken by the time sshd binds it: try a few.
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("temporary directory");
            let host_key = dir.path().join("host_key");
            generate_key(&host_key);
            let keys = dir.path().join("authorized_keys");
            std::fs::write(&keys, authorized.join("\n") + "\n").expect("write authorized_keys");
            let port = free_port();
            let password_lines = match password {
                Some(_) => "PasswordAuthentication yes\nPermitRootLogin yes\n",
                None => "PasswordAuthentication no\nPermitRootLogin prohibit-password\n",
            };
            let config = dir.path().join("sshd_config");
            std::fs::write(
                &config,
                format!(
                    "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile none\n\
                     AuthorizedKeysFile {keys}\nStrictModes no\nUsePAM no\n\
                     {password_lines}KbdInteractiveAuthentication no\n\
                     PubkeyAuthentication yes\nAllowTcpForwarding yes\nLogLevel DEBUG1\n",
                    host = host_key.display(),
                    keys = keys.display(),
                ),
            )
            .expect("write sshd_config");
            let log = std::fs::File::create(dir.path().join("sshd.log")).expect("log file");
            let mut command = match password {
                None => {
                    let mut command = Command::new(SSHD);
                    command.args(["-D", "-e", "-f"]).arg(&config);
                    command
                }
                Some(password) => {
                    let shadow = dir.path().join("shadow");
                    std::fs::write(&shadow, shadow_with_root_password(password))
                        .expect("write shadow");
                    let mut command = Command::new("unshare");
                    command
                        .args(["--mount", "--", "sh", "-c"])
                        .arg(format!(
                            "mount --bind \"$0\" /etc/shadow && exec {SSHD} -D -e -f \"$1\""
                        ))
                        .arg(&shadow)
                        .arg(&config);
                    command
                }
            };
            let child = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start sshd");
            let mut sshd = Sshd { child, port, dir };
            if sshd.wait_listening() {
                return sshd;
            }
            eprintln!("sshd did not listen on {port}: {}", sshd.log());
        }
        panic!("sshd did not start on any of 5 ports");
    }

    /// Waits until the port accepts connections; false when sshd exited (port taken).
    fn wait_listening(&mut self) -> bool {
        for _ in 0..500 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// The server's public host key (`ssh-ed25519 AAAA... plinth-test`).
    pub fn host_key(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("host_key.pub"))
            .expect("host key")
            .trim()
            .to_string()
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `ssh-agent` holding one key.
pub struct Agent {
    child: Child,
    /// Its socket, for `SSH_AUTH_SOCK`.
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Agent {
    /// Starts an agent and adds the private key at `key`.
    pub fn with_key(key: &Path) -> Agent {
        let dir = tempfile::tempdir().expect("temporary directory");
        let socket = dir.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ssh-agent");
        for _ in 0..500 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let socket_text = socket.to_string_lossy().into_owned();
        run(
            "ssh-add",
            &["-q", &key.to_string_lossy()],
            &[("SSH_AUTH_SOCK", &socket_text)],
        );
        Agent {
            child,
            socket,
            _dir: dir,
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// /etc/shadow with root's password hash replaced by one of `password`.
fn shadow_with_root_password(password: &str) -> String {
    let hash = run("openssl", &["passwd", "-6", password], &[]);
    let shadow = std::fs::read_to_string("/etc/shadow").expect("read /etc/shadow");
    shadow
        .lines()
        .map(|line| match line.strip_prefix("root:") {
            Some(rest) => {
                let after_hash = rest.split_once(':').map_or("", |(_, tail)| tail);
                format!("root:{}:{after_hash}\n", hash.trim())
            }
            None => format!("{line}\n"),
        })
        .collect()
}

/// Whether the tests run as root.
fn is_root() -> bool {
    run("id", &["-u"], &[]).trim() == "0"
}
