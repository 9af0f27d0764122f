//! A Docker Engine that goes away in the middle of an apply: plinth reaches the engine through a
//! TCP proxy inside the test, the proxy is shut down while containers wait to become healthy, and
//! plinth must fail naming the resources and Docker's message, keep every object that exists in
//! state (and nothing else), and converge once the engine is back.
//!
//! The objects carry a unique name prefix and are removed when the test ends, even when it fails.
//! Without Docker the test prints why it skips, unless `PLINTH_REQUIRE_DOCKER=1`.

mod support;

use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use support::{docker, docker_available, free_port, wait_until, Workspace};

/// How long a plinth command or a condition in this test may take.
const LIMIT: Duration = Duration::from_secs(150);

/// Forwards TCP connections on 127.0.0.1:`port` to the engine's unix socket until shut down.
struct EngineProxy {
    port: u16,
    stopping: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<(TcpStream, UnixStream)>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl EngineProxy {
    /// Listens on `port` (retrying while the port is still held) and forwards to `engine`.
    fn start(port: u16, engine: &Path) -> EngineProxy {
        let listener = bind(port);
        let stopping = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (stopping, open, engine) = (stopping.clone(), open.clone(), engine.to_path_buf());
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(client) = client {
                        forward(client, &engine, &open);
                    }
                }
            })
        };
        EngineProxy {
            port,
            stopping,
            open,
            acceptor: Some(acceptor),
        }
    }

    /// Stops accepting (the port then refuses connections) and closes every open connection.
    fn shut_down(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.stopping.store(true, Ordering::SeqCst);
        // Wakes the acceptor, which sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        let _ = acceptor.join();
        let open = std::mem::take(&mut *self.open.lock().unwrap_or_else(|e| e.into_inner()));
        for (client, engine) in open {
            let _ = client.shutdown(Shutdown::Both);
            let _ = engine.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for EngineProxy {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn bind(port: u16) -> TcpListener {
    let started = Instant::now();
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(listener) => return listener,
            Err(e) if started.elapsed() > Duration::from_secs(30) => {
                panic!("binding 127.0.0.1:{port} for the engine proxy: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Connects `client` to the engine and copies bytes both ways on two threads.
fn forward(client: TcpStream, engine: &Path, open: &Mutex<Vec<(TcpStream, UnixStream)>>) {
    // Without an engine connection the client is simply closed.
    let Ok(upstream) = UnixStream::connect(engine) else {
        return;
    };
    let clones = (
        client.try_clone(),
        client.try_clone(),
        upstream.try_clone(),
        upstream.try_clone(),
    );
    let (Ok(mut client_in), Ok(mut client_out), Ok(mut engine_in), Ok(mut engine_out)) = clones
    else {
        return;
    };
    open.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((client, upstream));
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_in, &mut engine_out);
        let _ = engine_out.shutdown(Shutdown::Write);
    });
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut engine_in, &mut client_out);
        let _ = client_out.shutdown(Shutdown::Write);
    });
}

/// The engine's unix socket (from `DOCKER_HOST` or the default), or `None` (printing why the
/// test skips, or panicking under `PLINTH_REQUIRE_DOCKER=1`) when the engine is not on one.
fn engine_socket() -> Option<PathBuf> {
    let host =
        std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    match host.strip_prefix("unix://") {
        Some(path) => Some(PathBuf::from(path)),
        None if std::env::var("PLINTH_REQUIRE_DOCKER").as_deref() == Ok("1") => {
            panic!("the engine proxy needs a unix:// DOCKER_HOST, not {host}")
        }
        None => {
            eprintln!("skipping: the engine proxy needs a unix:// DOCKER_HOST, not {host}");
            None
        }
    }
}

/// The docker CLI's output lines, trimmed, without blank ones.
#[track_caller]
fn docker_lines(args: &[&str]) -> Vec<String> {
    docker(args)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// Removes the containers and images carrying the test's prefix when dropped.
struct Leftovers {
    prefix: String,
}

impl Leftovers {
    fn new() -> Leftovers {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        Leftovers {
            prefix: format!("pt{}{}-gone", std::process::id(), nanos % 10_000),
        }
    }

    /// `(full id, name)` of every container (any state) whose name starts with the prefix.
    fn containers(&self) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = docker_lines(&[
            "ps",
            "-a",
            "--no-trunc",
            "--filter",
            &format!("name={}", self.prefix),
            "--format",
            "{{.ID}} {{.Names}}",
        ])
        .into_iter()
        .filter_map(|line| {
            let (id, name) = line.split_once(' ')?;
            Some((id.to_string(), name.to_string()))
        })
        .filter(|(_, name)| name.starts_with(&self.prefix))
        .collect();
        found.sort_by(|a, b| a.1.cmp(&b.1));
        found
    }

    /// Names of the running containers whose name starts with `start`.
    fn running(&self, start: &str) -> Vec<String> {
        docker_lines(&[
            "ps",
            "--filter",
            &format!("name={start}"),
            "--filter",
            "status=running",
            "--format",
            "{{.Names}}",
        ])
        .into_iter()
        .filter(|name| name.starts_with(start))
        .collect()
    }

    /// `repository:tag` of the images starting with the prefix.
    fn images(&self) -> Vec<String> {
        docker_lines(&["image", "ls", "--format", "{{.Repository}}:{{.Tag}}"])
            .into_iter()
            .filter(|name| name.starts_with(&self.prefix))
            .collect()
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let quietly = |f: &dyn Fn() -> Vec<String>| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_default()
        };
        let containers = quietly(&|| self.containers().into_iter().map(|c| c.0).collect());
        if !containers.is_empty() {
            let _ = Command::new("docker")
                .args(["rm", "-f", "-v"])
                .args(&containers)
                .output();
        }
        let images = quietly(&|| self.images());
        if !images.is_empty() {
            let _ = Command::new("docker")
                .args(["image", "rm", "-f"])
                .args(&images)
                .output();
        }
    }
}

/// A busybox image, two containers that stay unhealthy until the file `gate/open` exists in the
/// working directory, and two more chained after them, all through the engine at `port`.
fn config(p: &str, port: u16, gate: &Path) -> String {
    let gate = gate.display();
    format!(
        r#"
provider "docker" {{
  host = "tcp://127.0.0.1:{port}"
}}

resource "docker_image" "app" {{
  name = "{p}-app:1.0"
  build {{
    context = "${{path.module}}/context"
  }}
}}

resource "docker_container" "gated" {{
  count   = 2
  name    = "{p}-gated-${{count.index}}"
  image   = docker_image.app.image_id
  command = ["sleep", "3600"]
  volumes {{
    host_path      = "{gate}"
    container_path = "/gate"
    read_only      = true
  }}
  healthcheck {{
    test         = ["CMD", "test", "-f", "/gate/open"]
    interval     = "1s"
    timeout      = "1s"
    start_period = "10m"
    retries      = 1
  }}
  wait         = true
  wait_timeout = 300
}}

resource "docker_container" "second" {{
  name       = "{p}-second"
  image      = docker_image.app.image_id
  command    = ["sleep", "3600"]
  depends_on = [docker_container.gated]
}}

resource "docker_container" "third" {{
  name       = "{p}-third"
  image      = docker_image.app.image_id
  command    = ["sleep", "3600"]
  depends_on = [docker_container.second]
}}
"#
    )
}

/// A workspace with `config` as main.tf, the busybox build context and an empty `gate` directory.
fn workspace(config: impl Fn(&Path) -> String) -> Workspace {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.file("gate")).expect("create the gate directory");
    ws.write("main.tf", &config(&ws.file("gate")));
    let context = ws.file("context");
    std::fs::create_dir_all(&context).expect("create the build context");
    ws.write(
        "context/Dockerfile",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/docker_images.sh");
    let status = Command::new(script)
        .arg("prepare")
        .arg(&context)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing {} failed", context.display());
    ws
}

/// Panics unless the containers in state are exactly the ones that exist (by id) and the image
/// in state exists.
#[track_caller]
fn assert_state_matches_engine(ws: &Workspace, leftovers: &Leftovers) {
    let state = ws.state();
    let mut in_state: Vec<(String, String)> = state
        .instances()
        .into_iter()
        .filter(|i| i.type_name == "docker_container")
        .map(|i| {
            let id = i.string("id").unwrap_or_default().to_string();
            let name = i.string("name").unwrap_or_default().to_string();
            (id, name)
        })
        .collect();
    in_state.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        in_state,
        leftovers.containers(),
        "containers in state (left) differ from the engine's (right); state holds {:?}",
        state.addresses()
    );
    let image = state.instance("docker_image.app");
    let image_id = image.string("image_id").unwrap_or_default();
    assert_eq!(
        docker_lines(&["image", "inspect", "-f", "{{.Id}}", image_id]),
        [image_id],
        "the image in state exists"
    );
}

#[test]
fn engine_gone_mid_apply_names_the_resources_keeps_what_exists_and_converges_once_back() {
    if !docker_available() {
        return;
    }
    let Some(engine) = engine_socket() else {
        return;
    };
    let leftovers = Leftovers::new();
    let p = leftovers.prefix.clone();
    let port = free_port();
    let mut proxy = EngineProxy::start(port, &engine);
    let ws = workspace(|gate| config(&p, port, gate));

    // The gated containers run but stay "starting" while plinth waits for them; the engine goes
    // away then. Running means plinth has the create response (it starts only afterwards).
    let mut apply = ws.spawn(&["apply", "-auto-approve"]);
    let gated = format!("{p}-gated-");
    let both_running = wait_until(LIMIT, || {
        apply.has_exited() || leftovers.running(&gated).len() == 2
    });
    if !both_running || apply.has_exited() {
        panic!(
            "the gated containers never both ran before plinth ended\n{}",
            apply.kill()
        );
    }
    proxy.shut_down();
    let failed = apply.finish(LIMIT);
    failed
        .expect_code(1)
        .expect_stderr("docker_container.gated[0]")
        .expect_stderr("docker_container.gated[1]")
        .expect_stderr(&format!("waiting for container \"{p}-gated-0\" failed"))
        .expect_stderr(&format!("waiting for container \"{p}-gated-1\" failed"))
        .expect_stderr("Docker: ");
    for never_started in ["docker_container.second", "docker_container.third"] {
        assert!(!failed.stderr.contains(never_started), "{failed}");
    }
    let lost = [
        "connection refused",
        "connection closed",
        "connection reset",
        "broken pipe",
    ];
    assert!(
        lost.iter()
            .any(|words| failed.stderr.to_lowercase().contains(words)),
        "stderr does not say the connection to the engine was lost\n{failed}"
    );
    assert_eq!(
        ws.state().addresses(),
        [
            "docker_container.gated[0]",
            "docker_container.gated[1]",
            "docker_image.app"
        ]
    );
    for address in ["docker_container.gated[0]", "docker_container.gated[1]"] {
        assert!(ws.state().instance(address).is_tainted(), "{address}");
    }
    assert_state_matches_engine(&ws, &leftovers);

    // The engine is back and the gate open: the tainted containers are replaced, the rest made.
    let mut proxy = EngineProxy::start(port, &engine);
    let mut gate = std::fs::File::create(ws.file("gate/open")).expect("open the gate");
    gate.write_all(b"open\n").expect("write the gate file");
    ws.apply()
        .expect_stdout("Resources: 4 added, 0 changed, 2 destroyed.");
    ws.plan(&[]).expect_code(0);
    assert_state_matches_engine(&ws, &leftovers);
    let mut running = leftovers.running(&p);
    running.sort();
    assert_eq!(
        running,
        [
            format!("{p}-gated-0"),
            format!("{p}-gated-1"),
            format!("{p}-second"),
            format!("{p}-third"),
        ]
    );

    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Resources: 5 destroyed.");
    assert_eq!(leftovers.containers(), Vec::<(String, String)>::new());
    assert_eq!(leftovers.images(), Vec::<String>::new());
    proxy.shut_down();
}
