//! Shared helpers of the end-to-end tests: run the `plinth` binary in a temporary working
//! directory, write configuration files, read the state file, kill runs, find free ports and
//! check for Docker.
//!
//! Every command runs with standard input closed (non-interactive), `NO_COLOR=1`, no inherited
//! `TF_VAR_*` / `TF_CLI_ARGS*` / `PLINTH_*` variables, `PLINTH_SLOW_DIR` pointing at a directory
//! of its own, and a time limit; any "panicked" text in its standard error fails the test.

// Each test binary includes this module and uses a different subset of it.
#![allow(dead_code)]

pub mod do_emulator;
pub mod docker_example;
pub mod docker_objects;
pub mod fault_proxy;
pub mod lost_state;
pub mod moto;
pub mod postgres;
pub mod sshd;
pub mod state;
pub mod tls_proxy;

use std::io::{Read, Write};

/// A socket the Docker ping can talk over (unix or TCP).
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use state::State;

/// How long one plinth command may run before the test gives up on it.
const COMMAND_LIMIT: Duration = Duration::from_secs(180);

/// The name of the state file in the working directory.
pub const STATE_FILE: &str = "plinth.tfstate";
/// The previous state version.
pub const BACKUP_FILE: &str = "plinth.tfstate.backup";
/// The apply journal.
pub const JOURNAL_FILE: &str = "plinth.tfstate.journal";
/// The lock file.
pub const LOCK_FILE: &str = "plinth.tfstate.lock.info";

/// The outcome of one finished command.
#[derive(Debug)]
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Panics with the whole output unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Outcome {
        assert_eq!(self.code, code, "unexpected exit code\n{self}");
        self
    }

    /// Panics unless the command succeeded.
    #[track_caller]
    pub fn expect_ok(&self) -> &Outcome {
        self.expect_code(0)
    }

    /// Panics unless standard output contains `text`.
    #[track_caller]
    pub fn expect_stdout(&self, text: &str) -> &Outcome {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}\n{self}");
        self
    }

    /// Panics unless standard error contains `text`.
    #[track_caller]
    pub fn expect_stderr(&self, text: &str) -> &Outcome {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}\n{self}");
        self
    }

    /// Panics if standard output or standard error contains `text`.
    #[track_caller]
    pub fn expect_nowhere(&self, text: &str) -> &Outcome {
        assert!(!self.all().contains(text), "output shows {text:?}\n{self}");
        self
    }

    /// Standard output followed by standard error.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The non-empty lines of standard output, trimmed.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn stdout_json(&self) -> serde_json::Value {
        match serde_json::from_str(&self.stdout) {
            Ok(json) => json,
            Err(e) => panic!("stdout is not JSON ({e})\n{self}"),
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ {}\nexit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

/// A running plinth process whose output is being collected.
pub struct Running {
    command: String,
    child: Child,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
}

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Sends signal `name` (`INT`, `TERM`, ...) with the system's `kill` command.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name} failed");
    }

    /// Sends SIGKILL (kill -9) if it is still running, then collects its output.
    pub fn kill(mut self) -> Outcome {
        // An error here means it had already exited, which `finish` reports.
        let _ = self.child.kill();
        self.finish(COMMAND_LIMIT)
    }

    /// Waits for the process (killing it and panicking after `limit`) and collects its output.
    pub fn finish(mut self, limit: Duration) -> Outcome {
        let started = Instant::now();
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > limit => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!("`{}` did not finish within {limit:?}", self.command);
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => panic!("waiting for `{}`: {e}", self.command),
            }
        };
        let outcome = Outcome {
            command: self.command,
            code: exit_code(status),
            stdout: self.stdout.join().unwrap_or_default(),
            stderr: self.stderr.join().unwrap_or_default(),
        };
        assert!(
            !outcome.stderr.contains("panicked"),
            "plinth panicked\n{outcome}"
        );
        outcome
    }
}

fn exit_code(status: ExitStatus) -> i32 {
    status.code().unwrap_or(-1)
}

fn collect(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A temporary working directory with its own slow-provider object directory.
pub struct Workspace {
    dir: tempfile::TempDir,
    objects: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Default for Workspace {
    fn default() -> Workspace {
        Workspace::new()
    }
}

impl Workspace {
    /// A fresh, empty working directory.
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("create a temporary directory"),
            objects: tempfile::tempdir().expect("create a temporary directory"),
            env: Vec::new(),
        }
    }

    /// A working directory holding `main.tf` with `config`.
    pub fn with_main(config: &str) -> Workspace {
        let ws = Workspace::new();
        ws.write("main.tf", config);
        ws
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The directory the slow provider keeps its objects in (`PLINTH_SLOW_DIR`).
    pub fn objects_dir(&self) -> &Path {
        self.objects.path()
    }

    /// The absolute path of `relative`.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// Writes `contents` to `relative` (creating directories).
    pub fn write(&self, relative: &str, contents: &str) {
        let path = self.file(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        std::fs::write(&path, contents).expect("write file");
    }

    /// Writes raw bytes to `relative`.
    pub fn write_bytes(&self, relative: &str, contents: &[u8]) {
        std::fs::write(self.file(relative), contents).expect("write file");
    }

    /// The contents of `relative`.
    #[track_caller]
    pub fn read(&self, relative: &str) -> String {
        match std::fs::read_to_string(self.file(relative)) {
            Ok(text) => text,
            Err(e) => panic!("reading {relative}: {e}"),
        }
    }

    /// The raw bytes of `relative`.
    #[track_caller]
    pub fn read_bytes(&self, relative: &str) -> Vec<u8> {
        match std::fs::read(self.file(relative)) {
            Ok(bytes) => bytes,
            Err(e) => panic!("reading {relative}: {e}"),
        }
    }

    /// Whether `relative` exists.
    pub fn exists(&self, relative: &str) -> bool {
        self.file(relative).exists()
    }

    /// Sets an environment variable for every later command.
    pub fn set_env(&mut self, name: &str, value: &str) {
        self.env.push((name.to_string(), value.to_string()));
    }

    fn command(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_plinth"));
        command.args(args).current_dir(self.path());
        for (name, _) in std::env::vars() {
            if name.starts_with("TF_VAR_")
                || name.starts_with("TF_CLI_ARGS")
                || name.starts_with("PLINTH_")
            {
                command.env_remove(&name);
            }
        }
        command
            .env("NO_COLOR", "1")
            .env("PLINTH_SLOW_DIR", self.objects_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in &self.env {
            command.env(name, value);
        }
        for (name, value) in extra_env {
            command.env(name, value);
        }
        command
    }

    /// Starts `plinth ARGS` without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> Running {
        self.spawn_with_env(args, &[])
    }

    /// Starts `plinth ARGS` with extra environment variables, without waiting for it.
    pub fn spawn_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut child = match self.command(args, env).spawn() {
            Ok(child) => child,
            Err(e) => panic!("starting plinth: {e}"),
        };
        let stdout = collect(child.stdout.take().expect("piped stdout"));
        let stderr = collect(child.stderr.take().expect("piped stderr"));
        Running {
            command: format!("plinth {}", args.join(" ")),
            child,
            stdout,
            stderr,
        }
    }

    /// Runs `plinth ARGS` to completion.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_with_env(args, &[])
    }

    /// Runs `plinth ARGS` with extra environment variables to completion.
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        self.spawn_with_env(args, env).finish(COMMAND_LIMIT)
    }

    /// Runs `plinth apply -auto-approve` and insists that it succeeds.
    #[track_caller]
    pub fn apply(&self) -> Outcome {
        let outcome = self.run(&["apply", "-auto-approve"]);
        outcome.expect_ok();
        outcome
    }

    /// Runs `plinth plan -detailed-exitcode ARGS` and returns its outcome.
    pub fn plan(&self, args: &[&str]) -> Outcome {
        let mut all = vec!["plan", "-detailed-exitcode"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Starts `plinth ARGS`, sends it SIGKILL after `delay` unless it finished first, and
    /// returns its outcome and whether it was killed.
    pub fn run_and_kill_after(&self, args: &[&str], delay: Duration) -> (Outcome, bool) {
        let mut running = self.spawn(args);
        let started = Instant::now();
        while started.elapsed() < delay {
            if running.has_exited() {
                return (running.finish(COMMAND_LIMIT), false);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let killed = !running.has_exited();
        (running.kill(), killed)
    }

    /// The addresses `plinth state list` prints, in its order.
    #[track_caller]
    pub fn state_list(&self) -> Vec<String> {
        self.run(&["state", "list"]).expect_ok().stdout_lines()
    }

    /// The state file, parsed.
    #[track_caller]
    pub fn state(&self) -> State {
        State::parse(&self.read(STATE_FILE))
    }

    /// The slow provider's objects: file name without `.json` → stored JSON
    /// (`{"value": ..., "creates": n}`).
    pub fn slow_objects(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        let mut objects = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(self.objects_dir()).expect("list the object directory") {
            let name = entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.starts_with('.') {
                continue;
            }
            let Some(id) = name.strip_suffix(".json") else {
                continue;
            };
            let text =
                std::fs::read_to_string(self.objects_dir().join(&name)).expect("read object");
            let json = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("object {name} is not JSON: {e}"));
            objects.insert(id.to_string(), json);
        }
        objects
    }
}

/// The Unix permission bits of a file.
#[track_caller]
pub fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(meta) => meta.permissions().mode() & 0o777,
        Err(e) => panic!("stat {}: {e}", path.display()),
    }
}

/// A small pseudo-random generator (xorshift) whose seed is printed, so a failing run of a
/// randomised test can be repeated with `PLINTH_TEST_SEED=<seed>`.
pub struct Random(u64);

impl Random {
    /// Seeded from `PLINTH_TEST_SEED` or, without it, from the clock and random hasher keys.
    pub fn from_env() -> Random {
        use std::hash::{BuildHasher, Hasher};
        let seed = std::env::var("PLINTH_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
                hasher.write_u128(now.map(|d| d.as_nanos()).unwrap_or_default());
                hasher.finish()
            })
            | 1;
        eprintln!("random seed: PLINTH_TEST_SEED={seed}");
        Random(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A duration between `low` and `high` milliseconds.
    pub fn millis_between(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_millis(low + self.next_u64() % (high - low + 1))
    }
}

/// The Python interpreter of a provider framework's venv (`tf` or `pyvider`, from
/// `PLINTH_TF_PYTHON` / `PLINTH_PYVIDER_PYTHON` or `.venv-FRAMEWORK`), or None with a printed
/// reason. In CI a missing venv is a failure.
pub fn framework_python(framework: &str) -> Option<PathBuf> {
    let var = format!("PLINTH_{}_PYTHON", framework.to_uppercase());
    let path = std::env::var_os(&var)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(".venv-{framework}/bin/python"))
        });
    if path.exists() {
        return Some(path);
    }
    let reason = format!(
        "{} not found (set {var} or run scripts/test.sh, which installs the {framework} framework)",
        path.display()
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{reason}");
    }
    eprintln!("skipping: {reason}");
    None
}

/// Terraform's name of this machine's platform (`linux_amd64`).
pub fn terraform_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns whether it held.
pub fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    condition()
}

/// Whether a Docker Engine answers on `DOCKER_HOST` (or the default socket). When it does not:
/// with `PLINTH_REQUIRE_DOCKER=1` (as in CI) this panics with the reason, otherwise it prints
/// why the calling test skips and returns false.
pub fn docker_available() -> bool {
    match docker_ping() {
        Ok(()) => true,
        Err(reason) if std::env::var("PLINTH_REQUIRE_DOCKER").as_deref() == Ok("1") => {
            panic!("Docker is required (PLINTH_REQUIRE_DOCKER=1) but not usable: {reason}")
        }
        Err(reason) => {
            eprintln!("skipping: Docker is not usable: {reason}");
            false
        }
    }
}

fn docker_ping() -> Result<(), String> {
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let request = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
    let mut response = String::new();
    let timeout = Some(Duration::from_secs(5));
    let mut exchange = |stream: &mut dyn ReadWrite| -> Result<(), String> {
        stream
            .write_all(request)
            .map_err(|e| format!("{host}: {e}"))?;
        stream
            .read_to_string(&mut response)
            .map_err(|e| format!("{host}: {e}"))
            .map(|_| ())
    };
    if let Some(path) = host.strip_prefix("unix://") {
        let mut stream =
            std::os::unix::net::UnixStream::connect(path).map_err(|e| format!("{host}: {e}"))?;
        stream
            .set_read_timeout(timeout)
            .map_err(|e| e.to_string())?;
        exchange(&mut stream)?;
    } else if let Some(address) = host.strip_prefix("tcp://") {
        let mut stream =
            std::net::TcpStream::connect(address).map_err(|e| format!("{host}: {e}"))?;
        stream
            .set_read_timeout(timeout)
            .map_err(|e| e.to_string())?;
        exchange(&mut stream)?;
    } else {
        return Err(format!("unsupported DOCKER_HOST {host}"));
    }
    if response.starts_with("HTTP/1.") && response.contains(" 200 ") && response.ends_with("OK") {
        Ok(())
    } else {
        Err(format!(
            "{host} answered /_ping with {:?}",
            response.lines().next().unwrap_or("")
        ))
    }
}

/// Runs the docker CLI (straight to the engine) and returns its standard output, panicking with
/// its messages on failure.
#[track_caller]
pub fn docker(args: &[&str]) -> String {
    let output = match Command::new("docker").args(args).output() {
        Ok(output) => output,
        Err(e) => panic!("running docker {}: {e}", args.join(" ")),
    };
    assert!(
        output.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
