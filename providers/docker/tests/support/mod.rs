//! Shared helpers for the tests that run against the machine's real Docker Engine: skipping (or
//! failing, with `PLINTH_REQUIRE_DOCKER=1`) when the engine is unreachable, a busybox test image
//! built once from a `FROM scratch` context, unique name prefixes and a cleanup guard.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use plinth_provider_docker::Engine;
use plinth_sdk::{
    ConfigureRequest, Context, CreateRequest, DeleteRequest, Diagnostics, Intent, Provider,
    ReadDataRequest, ReadManyRequest, ReadResult, Registry, UpdateRequest, Value,
};

/// The busybox image every container test runs.
pub const TEST_IMAGE: &str = "plinth-test-busybox:latest";

/// Runs the docker CLI; returns stdout on success, stderr as the error.
pub fn docker(args: &[&str]) -> Result<String, String> {
    let output = Command::new("docker")
        .args(args)
        .output()
        .map_err(|e| format!("docker CLI: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// Whether the engine answers. Without it the test prints why it skips, unless
/// `PLINTH_REQUIRE_DOCKER=1`, where a missing engine fails the test.
pub fn docker_available() -> bool {
    static AVAILABLE: OnceLock<Result<String, String>> = OnceLock::new();
    let result = AVAILABLE.get_or_init(|| docker(&["version", "--format", "{{.Server.Version}}"]));
    match result {
        Ok(_) => true,
        Err(why) if std::env::var("PLINTH_REQUIRE_DOCKER").as_deref() == Ok("1") => {
            panic!("PLINTH_REQUIRE_DOCKER=1 but the Docker Engine is unreachable: {why}")
        }
        Err(why) => {
            eprintln!("skipping: the Docker Engine is unreachable ({why})");
            false
        }
    }
}

/// The busybox binary, installing Debian's busybox-static when it is missing.
pub fn busybox() -> PathBuf {
    let path = PathBuf::from("/bin/busybox");
    if !path.exists() {
        let status = Command::new("apt-get")
            .args(["install", "-y", "busybox-static"])
            .status();
        assert!(
            status.is_ok_and(|s| s.success()) && path.exists(),
            "/bin/busybox is missing and busybox-static did not install"
        );
    }
    path
}

/// Writes a build context: `FROM scratch`, busybox with its applets, and /www/index.html.
pub fn write_busybox_context(dir: &Path, page: &str) {
    std::fs::copy(busybox(), dir.join("busybox")).expect("copy busybox into the context");
    std::fs::create_dir_all(dir.join("www")).expect("mkdir www");
    std::fs::write(dir.join("www/index.html"), page).expect("write index.html");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCOPY www /www\n",
    )
    .expect("write Dockerfile");
}

/// Builds [`TEST_IMAGE`] once per test binary (with the docker CLI, independent of the provider).
pub fn test_image() -> &'static str {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        write_busybox_context(dir.path(), "plinth test page\n");
        let context = dir.path().to_string_lossy().to_string();
        if let Err(e) = docker(&["build", "-q", "-t", TEST_IMAGE, &context]) {
            panic!("building the test image failed: {e}");
        }
    });
    TEST_IMAGE
}

/// A unique name prefix for one test; dropping it removes every container, network, volume and
/// image whose name starts with it, even when the test failed.
pub struct Scope {
    /// `plinth-test-<random>`.
    pub prefix: String,
}

impl Scope {
    /// A fresh prefix.
    pub fn new() -> Scope {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let seed = nanos ^ ((std::process::id() as u128) << 40);
        Scope {
            prefix: format!("plinth-test-{:x}", seed & 0xffff_ffff_ffff),
        }
    }

    /// `<prefix>-<suffix>`.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.prefix)
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let filter = format!("name={}", self.prefix);
        if let Ok(ids) = docker(&["ps", "-aq", "--filter", &filter]) {
            for id in ids.lines() {
                let _ = docker(&["rm", "-f", "-v", id]);
            }
        }
        if let Ok(ids) = docker(&["network", "ls", "-q", "--filter", &filter]) {
            for id in ids.lines() {
                let _ = docker(&["network", "rm", id]);
            }
        }
        if let Ok(names) = docker(&["volume", "ls", "-q", "--filter", &filter]) {
            for name in names.lines() {
                let _ = docker(&["volume", "rm", "-f", name]);
            }
        }
        let reference = format!("reference={}*", self.prefix);
        if let Ok(images) = docker(&[
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}}",
            "--filter",
            &reference,
        ]) {
            for image in images.lines() {
                let _ = docker(&["rmi", "-f", image]);
            }
        }
    }
}

/// The Docker provider configured for the default engine, called the way these tests read
/// best: each operation gives a `Result`, with a create's partial object kept on failure. It
/// calls the real provider through the v2 contract and only reshapes the answers.
pub struct TestProvider {
    inner: Registry<Engine>,
}

/// A failed create: what it made before failing, and why.
#[derive(Debug)]
pub struct CreateFailure {
    pub partial: Option<Value>,
    pub diagnostics: Diagnostics,
}

fn errors_of(diagnostics: Diagnostics) -> Result<(), Diagnostics> {
    if diagnostics.has_errors() {
        Err(diagnostics)
    } else {
        Ok(())
    }
}

impl TestProvider {
    pub async fn create(
        &self,
        type_name: &str,
        planned: Value,
        intent: &Intent,
    ) -> Result<Value, CreateFailure> {
        let request = CreateRequest {
            type_name: type_name.to_string(),
            planned,
            intent: intent.clone(),
            private: Vec::new(),
        };
        let answer = self.inner.create(&Context::default(), request).await;
        match (answer.diagnostics.has_errors(), answer.new_state) {
            (false, Some(value)) => Ok(value),
            (_, partial) => Err(CreateFailure {
                partial,
                diagnostics: answer.diagnostics,
            }),
        }
    }

    pub async fn read_many(
        &self,
        type_name: &str,
        objects: Vec<Value>,
    ) -> Result<Vec<Option<Value>>, Diagnostics> {
        let request = ReadManyRequest {
            type_name: type_name.to_string(),
            objects,
            privates: Vec::new(),
        };
        let answer = self.inner.read_many(&Context::default(), request).await;
        errors_of(answer.diagnostics)?;
        answer
            .results
            .into_iter()
            .map(|r| match r {
                ReadResult::Found(v) => Ok(Some(v)),
                ReadResult::Gone => Ok(None),
                ReadResult::Failed(d) => Err(d),
            })
            .collect()
    }

    pub async fn update(
        &self,
        type_name: &str,
        prior: Value,
        planned: Value,
    ) -> Result<Value, Diagnostics> {
        let request = UpdateRequest {
            type_name: type_name.to_string(),
            prior,
            planned,
            private: Vec::new(),
        };
        let answer = self.inner.update(&Context::default(), request).await;
        errors_of(answer.diagnostics)?;
        Ok(answer.new_state.unwrap_or(Value::Null))
    }

    pub async fn delete(&self, type_name: &str, prior: Value) -> Result<(), Diagnostics> {
        let request = DeleteRequest {
            type_name: type_name.to_string(),
            prior,
            private: Vec::new(),
        };
        errors_of(
            self.inner
                .delete(&Context::default(), request)
                .await
                .diagnostics,
        )
    }

    pub async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, Diagnostics> {
        let request = ReadDataRequest {
            type_name: type_name.to_string(),
            config,
        };
        let answer = self.inner.read_data(&Context::default(), request).await;
        errors_of(answer.diagnostics)?;
        Ok(answer.state.unwrap_or(Value::Null))
    }

    /// The provider itself, for the contract test kit.
    pub fn contract(&self) -> &dyn Provider {
        &self.inner
    }
}

/// A configured provider talking to the default engine.
pub async fn provider() -> TestProvider {
    let mut inner = plinth_provider_docker::provider();
    let config = Value::object(BTreeMap::<String, Value>::new());
    let answer = inner
        .configure(&Context::default(), ConfigureRequest { config })
        .await;
    assert!(!answer.diagnostics.has_errors(), "{}", answer.diagnostics);
    TestProvider { inner }
}

/// An intent as the engine makes one before a create.
pub fn intent() -> Intent {
    Intent::new("docker_test.x", "default")
}

/// An object value from pairs.
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs)
}

/// A list of strings.
pub fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::from(*s)).collect())
}

/// A free TCP port on the loopback interface (free when asked; the engine binds it later).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// `GET /` on 127.0.0.1:`port`, retried for a few seconds; the response body or an error.
pub fn http_get(port: u16) -> Result<String, String> {
    let mut last = String::new();
    for _ in 0..25 {
        match try_get(port) {
            Ok(body) => return Ok(body),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(last)
}

fn try_get(port: u16) -> Result<String, String> {
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    if response.starts_with("HTTP/1.") {
        Ok(response)
    } else {
        Err(format!("not an HTTP response: {response:?}"))
    }
}

/// Attribute `name` of a value as a string ("" when absent).
pub fn text<'a>(value: &'a Value, name: &str) -> &'a str {
    value.get(name).and_then(Value::as_str).unwrap_or_default()
}
