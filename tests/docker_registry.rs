//! Registry types on the real Docker Engine and a real registry: Debian's `docker-registry`
//! (distribution) started on a free loopback port with htpasswd authentication and deletes
//! enabled. A locally built image is tagged (`docker_tag`), pushed with the provider's
//! `registry_auth` (`docker_registry_image`), read back by the `docker_registry_image` data
//! source, planned as a no-op, pushed again after a rebuild, pulled by a `docker_image` after
//! `docker rmi`, refused with a wrong password (without the password in any output), and
//! destroyed (the manifest gone, checked over HTTP, unless `keep_remotely`). `docker_logs` reads a
//! container's known lines; `docker_plugin` reads a plugin the test creates locally. Without
//! Docker the tests print why they skip, unless `PLINTH_REQUIRE_DOCKER=1`.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::docker_objects::{unique_prefix, Cleanup};
use support::{docker, docker_available, free_port, wait_until, Workspace};

/// The registry's user.
const USER: &str = "user";
/// The registry user's password.
const PASSWORD: &str = "pass-Registry-7";

/// A `docker-registry serve` on 127.0.0.1 with htpasswd auth, killed when dropped.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    fn start() -> Registry {
        let dir = tempfile::tempdir().expect("temporary directory");
        let htpasswd = Command::new("htpasswd")
            .args(["-Bbn", USER, PASSWORD])
            .output()
            .expect("run htpasswd (Debian package apache2-utils)");
        assert!(htpasswd.status.success(), "htpasswd failed");
        std::fs::write(dir.path().join("htpasswd"), &htpasswd.stdout).expect("write htpasswd");
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {root}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\nauth:\n  htpasswd:\n    realm: plinth-test\n    path: {root}/htpasswd\n",
            root = dir.path().display()
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write the registry configuration");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("log file");
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start /usr/bin/docker-registry (Debian package docker-registry)");
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let up = wait_until(Duration::from_secs(20), || {
            registry.request("GET", "/v2/", true).0 == 200
        });
        if !up {
            // Dropping the registry (on the panic) kills and reaps it.
            panic!(
                "the registry did not answer on port {port}: {}",
                std::fs::read_to_string(registry._dir.path().join("registry.log"))
                    .unwrap_or_default()
            );
        }
        registry
    }

    /// `127.0.0.1:PORT`.
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The status and `Docker-Content-Digest` of a request (with basic auth when `auth`).
    fn request(&self, method: &str, path: &str, auth: bool) -> (u16, String) {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return (0, String::new());
        };
        // base64("user:pass-Registry-7")
        let authorization = if auth {
            "Authorization: Basic dXNlcjpwYXNzLVJlZ2lzdHJ5LTc=\r\n"
        } else {
            ""
        };
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n{authorization}Accept: application/vnd.docker.distribution.manifest.v2+json\r\n\r\n"
        );
        let mut response = String::new();
        if stream.write_all(request.as_bytes()).is_err()
            || stream.read_to_string(&mut response).is_err()
        {
            return (0, String::new());
        }
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let digest = response
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("docker-content-digest")
                    .then(|| value.trim().to_string())
            })
            .unwrap_or_default();
        (status, digest)
    }

    /// The status and digest of `HEAD /v2/REPO/manifests/REFERENCE`.
    fn manifest(&self, repository: &str, reference: &str) -> (u16, String) {
        self.request(
            "HEAD",
            &format!("/v2/{repository}/manifests/{reference}"),
            true,
        )
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes a busybox build context (`FROM scratch`, /bin/busybox and its applets) whose page says
/// `page`.
fn context(dir: &Path, page: &str) {
    std::fs::create_dir_all(dir).expect("create the context");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCOPY page.txt /page.txt\n",
    )
    .expect("write the Dockerfile");
    std::fs::write(dir.join("page.txt"), page).expect("write the page");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(root.join("tests/support/docker_images.sh"))
        .arg("prepare")
        .arg(dir)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing the build context failed");
}

/// The provider block with `registry_auth` for the registry, the password from a variable.
fn provider(address: &str) -> String {
    format!(
        r#"
variable "registry_password" {{
  type      = string
  sensitive = true
}}

provider "docker" {{
  registry_auth {{
    address  = "{address}"
    username = "{USER}"
    password = var.registry_password
  }}
}}
"#
    )
}

/// A local build, tagged twice into the registry and pushed (one with `keep_remotely`), and the
/// data source reading the pushed digest back.
fn pushing(p: &str, address: &str) -> String {
    format!(
        r#"{provider}
resource "docker_image" "local" {{
  name = "{p}-local:1"
  build {{
    context = "${{path.module}}/context"
  }}
}}

resource "docker_tag" "pushed" {{
  source_image = docker_image.local.name
  target_image = "{address}/{p}/app:1"
  tag_triggers = [docker_image.local.image_id]
}}

resource "docker_tag" "kept" {{
  source_image = docker_image.local.name
  target_image = "{address}/{p}/kept:1"
}}

resource "docker_registry_image" "app" {{
  name     = docker_tag.pushed.target_image
  triggers = {{ image = docker_tag.pushed.source_image_id }}
}}

resource "docker_registry_image" "kept" {{
  name          = docker_tag.kept.target_image
  keep_remotely = true
}}

data "docker_registry_image" "app" {{
  name       = docker_registry_image.app.name
  depends_on = [docker_registry_image.app]
}}

output "pushed_digest" {{
  value = docker_registry_image.app.sha256_digest
}}

output "read_digest" {{
  value = data.docker_registry_image.app.sha256_digest
}}

output "source_id" {{
  value = docker_tag.pushed.source_image_id
}}
"#,
        provider = provider(address)
    )
}

fn output(ws: &Workspace, name: &str) -> String {
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    outputs[name]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("output {name} in {outputs}"))
        .to_string()
}

fn image_id(name: &str) -> String {
    docker(&["image", "inspect", "-f", "{{.Id}}", name])
        .trim()
        .to_string()
}

fn image_exists(name: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", name])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn tag_push_read_pull_and_delete_through_a_registry_with_basic_auth() {
    if !docker_available() {
        return;
    }
    let registry = Registry::start();
    let address = registry.address();
    let p = unique_prefix("prreg");
    let _cleanup = Cleanup(p.clone());
    let mut ws = Workspace::with_main(&pushing(&p, &address));
    ws.set_env("TF_VAR_registry_password", PASSWORD);
    context(&ws.file("context"), "first\n");

    // Tag, push with registry_auth, read the digest back.
    ws.apply();
    let app = format!("{address}/{p}/app:1");
    let local_id = image_id(&format!("{p}-local:1"));
    assert_eq!(image_id(&app), local_id, "the tag names the local image");
    assert_eq!(output(&ws, "source_id"), local_id);
    let first = output(&ws, "pushed_digest");
    assert!(first.starts_with("sha256:"), "{first}");
    assert_eq!(output(&ws, "read_digest"), first);
    assert_eq!(
        registry.manifest(&format!("{p}/app"), "1"),
        (200, first.clone())
    );
    let (kept_status, kept_digest) = registry.manifest(&format!("{p}/kept"), "1");
    assert_eq!(kept_status, 200);
    assert_eq!(
        ws.state()
            .instance("docker_registry_image.app")
            .string("id"),
        Some(first.as_str())
    );

    ws.plan(&[]).expect_code(0);

    // A change in the image rebuilds it, tags it again and pushes it again.
    std::fs::write(ws.file("context/page.txt"), "second\n").expect("change the page");
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# docker_registry_image.app must be replaced");
    ws.apply();
    let second = output(&ws, "pushed_digest");
    assert_ne!(second, first, "the rebuilt image has another manifest");
    assert_eq!(output(&ws, "read_digest"), second);
    assert_eq!(
        registry.manifest(&format!("{p}/app"), "1"),
        (200, second.clone())
    );
    assert_eq!(
        registry.manifest(&format!("{p}/app"), &first).0,
        404,
        "the replaced push's manifest was deleted"
    );
    assert_eq!(image_id(&app), image_id(&format!("{p}-local:1")));
    ws.plan(&[]).expect_code(0);

    // Another configuration pulls the pushed image with registry_auth after `docker rmi`.
    let pushed_id = image_id(&app);
    docker(&["rmi", &app]);
    let mut pull = Workspace::with_main(&format!(
        "{}\nresource \"docker_image\" \"pulled\" {{\n  name = \"{app}\"\n  keep_locally = true\n}}\n",
        provider(&address)
    ));
    pull.set_env("TF_VAR_registry_password", PASSWORD);
    pull.apply();
    assert_eq!(
        image_id(&app),
        pushed_id,
        "the pulled image is the pushed one"
    );

    // A wrong password is refused with a clear error that does not show it.
    let wrong = format!("wrong-{p}-secret");
    docker(&["rmi", &app]);
    let refused = Workspace::with_main(&format!(
        "{}\nresource \"docker_image\" \"pulled\" {{\n  name = \"{app}\"\n}}\n",
        provider(&address)
    ));
    let outcome = refused.run_with_env(
        &["apply", "-auto-approve"],
        &[("TF_VAR_registry_password", wrong.as_str())],
    );
    outcome
        .expect_code(1)
        .expect_stderr("pulling it failed")
        .expect_stderr("check registry_auth for")
        .expect_nowhere(&wrong);
    refused.write(
        "main.tf",
        &format!(
            "{}\ndata \"docker_registry_image\" \"app\" {{\n  name = \"{app}\"\n}}\n",
            provider(&address)
        ),
    );
    refused
        .run_with_env(&["plan"], &[("TF_VAR_registry_password", wrong.as_str())])
        .expect_code(1)
        .expect_stderr(&format!(
            "registry {address} refused the credentials of user \"{USER}\""
        ))
        .expect_nowhere(&wrong);

    // Destroy deletes the pushed manifest, but not the one kept remotely; the tags are gone.
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_eq!(registry.manifest(&format!("{p}/app"), "1").0, 404);
    assert_eq!(
        registry.manifest(&format!("{p}/kept"), "1"),
        (200, kept_digest)
    );
    assert!(!image_exists(&format!("{address}/{p}/kept:1")));
    assert!(!image_exists(&format!("{p}-local:1")));
}

#[test]
fn docker_logs_reads_the_lines_a_container_printed() {
    if !docker_available() {
        return;
    }
    let p = unique_prefix("prlogs");
    let _cleanup = Cleanup(p.clone());
    let dir = tempfile::tempdir().expect("temporary directory");
    context(dir.path(), "logs\n");
    let image = format!("{p}-img:1");
    docker(&["build", "-q", "-t", &image, &dir.path().to_string_lossy()]);
    let container = format!("{p}-c");
    docker(&[
        "run",
        "-d",
        "--name",
        &container,
        &image,
        "sh",
        "-c",
        "echo alpha; sleep 0.2; echo beta >&2; sleep 0.2; echo gamma; sleep 600",
    ]);
    let printed = wait_until(Duration::from_secs(20), || {
        Command::new("docker")
            .args(["logs", &container])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("gamma"))
    });
    assert!(printed, "the container printed its lines");
    let ws = Workspace::with_main(&format!(
        r#"
data "docker_logs" "all" {{
  name = "{container}"
}}

data "docker_logs" "stdout" {{
  name        = "{container}"
  show_stderr = false
}}

data "docker_logs" "last" {{
  name = "{container}"
  tail = "1"
}}

data "docker_logs" "raw" {{
  name            = "{container}"
  show_stderr     = false
  discard_headers = false
}}

output "all" {{
  value = data.docker_logs.all.logs_list_string
}}

output "stdout" {{
  value = data.docker_logs.stdout.logs_list_string
}}

output "last" {{
  value = data.docker_logs.last.logs_list_string
}}

output "raw" {{
  value = data.docker_logs.raw.logs_list_string
}}
"#
    ));
    ws.apply();
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    let lines = |name: &str| -> Vec<String> {
        outputs[name]["value"]
            .as_array()
            .unwrap_or_else(|| panic!("output {name} in {outputs}"))
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    assert_eq!(lines("all"), ["alpha", "beta", "gamma"]);
    assert_eq!(lines("stdout"), ["alpha", "gamma"]);
    assert_eq!(lines("last"), ["gamma"]);
    // Without discard_headers each line keeps the engine's 8-byte stream header.
    let raw = lines("raw");
    assert_eq!(raw.len(), 2, "{raw:?}");
    assert!(
        raw[0].starts_with('\u{1}') && raw[0].ends_with("alpha"),
        "{raw:?}"
    );
}

#[test]
fn docker_plugin_reads_a_locally_created_plugin() {
    if !docker_available() {
        return;
    }
    let p = unique_prefix("prplug");
    let _cleanup = Cleanup(p.clone());
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::create_dir_all(dir.path().join("rootfs/bin")).expect("create rootfs");
    std::fs::copy("/bin/busybox", dir.path().join("rootfs/bin/busybox"))
        .expect("copy /bin/busybox (Debian package busybox-static)");
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"description": "plinth test plugin", "documentation": "https://example.invalid",
            "entrypoint": ["/bin/busybox", "sleep", "3600"],
            "interface": {"types": ["docker.volumedriver/1.0"], "socket": "plinth.sock"},
            "network": {"type": "host"},
            "env": [{"name": "DEBUG", "description": "debug level", "settable": ["value"], "value": "0"}]}"#,
    )
    .expect("write config.json");
    let name = format!("{p}-plugin");
    docker(&["plugin", "create", &name, &dir.path().to_string_lossy()]);
    let id = docker(&["plugin", "inspect", "-f", "{{.Id}}", &name])
        .trim()
        .to_string();
    let ws = Workspace::with_main(&format!(
        r#"
data "docker_plugin" "by_alias" {{
  alias = "{name}"
}}

data "docker_plugin" "by_id" {{
  id = "{id}"
}}

output "plugin" {{
  value = data.docker_plugin.by_alias
}}

output "same_plugin" {{
  value = data.docker_plugin.by_id.alias
}}
"#
    ));
    ws.apply();
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    let plugin = &outputs["plugin"]["value"];
    assert_eq!(plugin["id"], id.as_str());
    assert_eq!(plugin["alias"], format!("{name}:latest").as_str());
    assert_eq!(plugin["name"], format!("{name}:latest").as_str());
    assert_eq!(
        plugin["plugin_reference"],
        format!("{name}:latest").as_str()
    );
    assert_eq!(plugin["enabled"], false);
    assert_eq!(plugin["env"], serde_json::json!(["DEBUG=0"]));
    assert_eq!(
        outputs["same_plugin"]["value"],
        format!("{name}:latest").as_str()
    );

    // Neither id nor alias: the kreuzwerker error.
    ws.write(
        "main.tf",
        "data \"docker_plugin\" \"none\" {\n  name = \"x\"\n}\n",
    );
    ws.run(&["plan"])
        .expect_code(1)
        .expect_stderr("one of id or alias must be assigned");
}
