//! The Docker examples through the `plinth` binary on the real Docker Engine: apply, check with
//! the docker CLI, drift made with the docker CLI, converge, destroy to zero; and bad input (a
//! taken port, a missing image, a volume still in use).
//!
//! Every test names its objects with a unique prefix and removes whatever carries it when it ends,
//! even when it fails. Without Docker the tests print why they skip, unless
//! `PLINTH_REQUIRE_DOCKER=1`, where a missing engine fails them.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use support::docker_example::{copy_dir, example_workspace, prepare_context, Leftovers};
use support::{docker, docker_available, free_port, wait_until, Workspace};

/// A plain HTTP/1.0 GET on 127.0.0.1: the status line and the body.
fn http_get(port: u16, path: &str) -> Result<(String, String), String> {
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.lines().next().unwrap_or("").to_string();
    Ok((status, body.to_string()))
}

/// Panics unless `GET path` on the port answers 200 with a body containing `text`.
#[track_caller]
fn assert_http(port: u16, path: &str, text: &str) {
    let mut last = String::new();
    let answered = wait_until(Duration::from_secs(10), || match http_get(port, path) {
        Ok((status, body)) if status.contains(" 200 ") && body.contains(text) => true,
        Ok((status, body)) => {
            last = format!("{status}\n{body}");
            false
        }
        Err(e) => {
            last = e;
            false
        }
    });
    assert!(
        answered,
        "GET 127.0.0.1:{port}{path} lacks {text:?}: {last}"
    );
}

/// One field of `docker inspect` for a container, formatted with a Go template.
#[track_caller]
fn inspect(container: &str, template: &str) -> String {
    docker(&["inspect", "-f", template, container])
        .trim()
        .to_string()
}

/// Panics unless the container is running (and healthy when `healthy`) with plinth's labels.
#[track_caller]
fn assert_running(container: &str, address: &str, healthy: bool) {
    assert_eq!(
        inspect(container, "{{.State.Status}}"),
        "running",
        "{container}"
    );
    if healthy {
        assert_eq!(
            inspect(container, "{{.State.Health.Status}}"),
            "healthy",
            "{container}"
        );
    }
    assert_eq!(
        inspect(container, "{{index .Config.Labels \"plinth.address\"}}"),
        address
    );
    assert_eq!(
        inspect(container, "{{index .Config.Labels \"plinth.workspace\"}}"),
        "default"
    );
}

#[test]
fn chatsphere_applies_drifts_converges_and_destroys_to_zero() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("cs");
    let p = leftovers.prefix.as_str();
    let port = free_port();
    let mut ws = example_workspace("chatsphere-docker");
    ws.set_env("TF_VAR_project", p);
    ws.set_env("TF_VAR_http_port", &port.to_string());
    ws.set_env("TF_VAR_db_password", "test-db-password");
    ws.set_env("TF_VAR_secret_key", "test-secret-key");

    ws.apply()
        .expect_stdout("Resources: 9 added, 0 changed, 0 destroyed.")
        .expect_nowhere("test-db-password");
    for (service, healthy) in [
        ("db", false),
        ("redis", false),
        ("backend", true),
        ("frontend", false),
        ("nginx", true),
    ] {
        assert_running(
            &format!("{p}-{service}"),
            &format!("docker_container.{service}"),
            healthy,
        );
    }
    assert_http(port, "/", "ChatSphere");
    assert_eq!(leftovers.networks(), [format!("{p}-net")]);
    let mut volumes = leftovers.volumes();
    volumes.sort();
    assert_eq!(
        volumes,
        [format!("{p}-postgres-data"), format!("{p}-redis-data")]
    );
    assert_eq!(
        docker(&[
            "network",
            "inspect",
            "-f",
            "{{index .Labels \"plinth.address\"}}",
            &format!("{p}-net"),
        ])
        .trim(),
        "docker_network.chatsphere"
    );
    assert!(
        inspect(&format!("{p}-backend"), "{{.Config.Env}}").contains("SECRET_KEY=test-secret-key")
    );
    ws.plan(&[]).expect_code(0);

    // Drift: a stopped container, a removed one, a changed restart policy.
    docker(&["stop", "-t", "1", &format!("{p}-frontend")]);
    docker(&["rm", "-f", &format!("{p}-redis")]);
    docker(&["update", "--restart=no", &format!("{p}-db")]);
    // The drift check names each of them apart, never shows the secret, and fails CI (exit 2).
    ws.run(&["drift", "-junit", "drift.xml"])
        .expect_code(2)
        .expect_stdout("- docker_container.redis")
        .expect_stdout("~ docker_container.db")
        .expect_stdout("restart: \"unless-stopped\" -> \"no\"")
        .expect_stdout("~ docker_container.frontend")
        .expect_nowhere("test-db-password");
    let junit = ws.read("drift.xml");
    assert!(junit.contains(r#"failures="3""#), "{junit}");
    assert!(!junit.contains("test-db-password"), "{junit}");
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("docker_container.frontend will be updated in-place")
        .expect_stdout("docker_container.redis will be created")
        .expect_stdout("docker_container.db will be updated in-place")
        .expect_stdout("Plan: 1 to add, 2 to change, 0 to destroy.");
    ws.apply();
    assert_running(&format!("{p}-frontend"), "docker_container.frontend", false);
    assert_running(&format!("{p}-redis"), "docker_container.redis", false);
    assert_eq!(
        inspect(&format!("{p}-db"), "{{.HostConfig.RestartPolicy.Name}}"),
        "unless-stopped"
    );
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Resources: 9 destroyed.");
    leftovers.assert_nothing_left();
    assert_eq!(ws.state_list(), Vec::<String>::new());
}

#[test]
fn chatapi_renders_the_front_from_the_api_names_and_recreates_a_removed_worker() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("ca");
    let p = leftovers.prefix.as_str();
    let port = free_port();
    let mut ws = example_workspace("chatapi-docker");
    ws.set_env("TF_VAR_project", p);
    ws.set_env("TF_VAR_http_port", &port.to_string());
    ws.set_env("TF_VAR_secret_key", "test-secret-key");
    ws.set_env("TF_VAR_smtp_password", "test-smtp-password");

    ws.apply()
        .expect_stdout("Resources: 10 added, 0 changed, 0 destroyed.");
    for i in 1..=3 {
        assert_running(
            &format!("{p}-api-{i}"),
            &format!("docker_container.api[{}]", i - 1),
            true,
        );
    }
    for i in 1..=2 {
        assert_running(
            &format!("{p}-worker-{i}"),
            &format!("docker_container.worker[{}]", i - 1),
            false,
        );
    }
    assert_running(&format!("{p}-redis"), "docker_container.redis", false);
    assert_running(&format!("{p}-front"), "docker_container.front", true);
    for i in 1..=3 {
        assert_http(port, "/upstreams.conf", &format!("server {p}-api-{i}:80;"));
    }
    assert_eq!(leftovers.networks(), [format!("{p}-internal")]);
    assert_eq!(leftovers.volumes(), [format!("{p}-redis-data")]);
    ws.plan(&[]).expect_code(0);

    docker(&["rm", "-f", &format!("{p}-worker-2")]);
    docker(&["update", "--restart=always", &format!("{p}-api-3")]);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("docker_container.worker[1] will be created")
        .expect_stdout("docker_container.api[2] will be updated in-place");
    ws.apply();
    assert_running(
        &format!("{p}-worker-2"),
        "docker_container.worker[1]",
        false,
    );
    assert_eq!(
        inspect(&format!("{p}-api-3"), "{{.HostConfig.RestartPolicy.Name}}"),
        "unless-stopped"
    );
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Resources: 10 destroyed.");
    leftovers.assert_nothing_left();
}

#[test]
fn image_tagging_builds_service_semver_gitsha_tags_and_recovers_a_deleted_image() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("it");
    let p = leftovers.prefix.as_str();
    let mut ws = example_workspace("image-tagging-docker");
    ws.set_env("TF_VAR_registry_prefix", &format!("{p}/"));
    ws.set_env("TF_VAR_git_sha", "0a1b2c3");
    ws.set_env(
        "TF_VAR_services",
        r#"{ "user-service" = "1.3.0", "message-service" = "2.0.1" }"#,
    );

    ws.apply()
        .expect_stdout("Resources: 4 added, 0 changed, 0 destroyed.");
    let mut images = leftovers.images();
    images.sort();
    assert_eq!(
        images,
        [
            format!("{p}/message-service:2.0"),
            format!("{p}/message-service:2.0.1-0a1b2c3"),
            format!("{p}/user-service:1.3"),
            format!("{p}/user-service:1.3.0-0a1b2c3"),
        ]
    );
    let version = docker(&[
        "image",
        "inspect",
        "-f",
        "{{index .Config.Labels \"org.opencontainers.image.revision\"}}",
        &format!("{p}/user-service:1.3.0-0a1b2c3"),
    ]);
    assert_eq!(version.trim(), "0a1b2c3");
    let outputs = ws.run(&["output", "-json"]).expect_ok().stdout_json();
    assert_eq!(
        outputs["release_tags"]["value"]["user-service"],
        format!("{p}/user-service:1.3.0-0a1b2c3")
    );
    ws.plan(&[]).expect_code(0);

    // The recovery drill: a release image deleted with the docker CLI is named by the drift
    // check and made again by one apply; its stable pointer, triggered by the release's image
    // id, follows the new image; the check is clean again.
    docker(&[
        "image",
        "rm",
        "-f",
        &format!("{p}/user-service:1.3.0-0a1b2c3"),
    ]);
    ws.run(&["drift"])
        .expect_code(2)
        .expect_stdout("Deleted outside plinth (1)")
        .expect_stdout("docker_image.release[\"user-service\"]");
    ws.apply()
        .expect_stdout("docker_image.stable[\"user-service\"] must be replaced")
        .expect_stdout("Resources: 2 added, 0 changed, 1 destroyed.");
    let mut again = leftovers.images();
    again.sort();
    assert_eq!(again, images, "the four tags exist again");
    ws.run(&["drift"]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Resources: 4 destroyed.");
    leftovers.assert_nothing_left();
}

/// A busybox image built from a prepared context plus one httpd container publishing `port`.
fn web_config(p: &str, port: u16) -> String {
    format!(
        r#"
resource "docker_image" "web" {{
  name = "{p}-web:1.0"
  build {{
    context = "${{path.module}}/context"
  }}
}}

resource "docker_container" "web" {{
  name    = "{p}-web"
  image   = docker_image.web.image_id
  command = ["httpd", "-f", "-p", "80", "-h", "/www"]
  ports {{
    internal = 80
    external = {port}
  }}
}}
"#
    )
}

/// A workspace with `config` as main.tf and the chatsphere build context.
fn workspace_with_context(config: &str) -> Workspace {
    let ws = Workspace::with_main(config);
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chatsphere-docker/context");
    copy_dir(&source, &ws.file("context"));
    prepare_context(&ws.file("context"));
    ws
}

#[test]
fn taken_port_names_the_container_keeps_it_tainted_and_converges_once_free() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("port");
    let p = leftovers.prefix.as_str();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = listener.local_addr().expect("local address").port();
    let ws = workspace_with_context(&web_config(p, port));

    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("docker_container.web")
        .expect_stderr("address already in use");
    assert!(ws.state().instance("docker_container.web").is_tainted());
    assert_eq!(leftovers.containers(), [format!("{p}-web")]);

    drop(listener);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("docker_container.web is tainted, so must be replaced");
    ws.apply();
    assert!(!ws.state().instance("docker_container.web").is_tainted());
    assert_running(&format!("{p}-web"), "docker_container.web", false);
    assert_http(port, "/", "ChatSphere");
    ws.plan(&[]).expect_code(0);
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    leftovers.assert_nothing_left();
}

#[test]
fn missing_image_without_build_is_a_clear_error() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("missing");
    let p = leftovers.prefix.as_str();
    let ws = Workspace::with_main(&format!(
        r#"
resource "docker_image" "remote" {{
  name = "{p}-remote:1.0"
}}

resource "docker_container" "orphan" {{
  name  = "{p}-orphan"
  image = "{p}-absent:1.0"
}}
"#
    ));
    let outcome = ws.run(&["apply", "-auto-approve"]);
    outcome
        .expect_code(1)
        .expect_stderr("docker_image.remote")
        .expect_stderr(&format!(
            "image \"{p}-remote:1.0\" is not available locally"
        ))
        .expect_stderr("docker_container.orphan")
        .expect_stderr(&format!("No such image: {p}-absent:1.0"));
    assert_eq!(ws.state_list(), Vec::<String>::new());
    leftovers.assert_nothing_left();
}

#[test]
fn volume_in_use_on_destroy_shows_dockers_message_and_stays_in_state() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("inuse");
    let p = leftovers.prefix.as_str();
    let ws = workspace_with_context(&format!(
        r#"
resource "docker_volume" "data" {{
  name = "{p}-data"
}}

resource "docker_network" "net" {{
  name = "{p}-net"
}}
"#
    ));
    ws.apply();
    let holder = format!("{p}-holder");
    // The holder is only created, never started; any local image will do.
    let image = format!("{p}-holder:1.0");
    docker(&[
        "build",
        "-q",
        "-t",
        &image,
        &ws.file("context").to_string_lossy(),
    ]);
    docker(&[
        "create",
        "--name",
        &holder,
        "-v",
        &format!("{p}-data:/data"),
        &image,
    ]);

    ws.run(&["destroy", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("docker_volume.data")
        .expect_stderr("volume is in use");
    assert_eq!(ws.state_list(), ["docker_volume.data"]);
    assert_eq!(leftovers.volumes(), [format!("{p}-data")]);
    assert_eq!(leftovers.networks(), Vec::<String>::new());

    docker(&["rm", "-f", &holder]);
    docker(&["image", "rm", &image]);
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_eq!(ws.state_list(), Vec::<String>::new());
    leftovers.assert_nothing_left();
}
