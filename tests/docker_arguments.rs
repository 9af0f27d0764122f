//! kreuzwerker/docker v3 arguments on the real Docker Engine: a container using the most used
//! of them (capabilities, DNS, tmpfs, ulimits, log options, sysctls, init, read-only root,
//! `/dev/shm` size, uploads, devices, extra hosts, stop signal, swap) is applied and checked with
//! `docker inspect`, plans as a no-op, updates in place what `docker update` changes, replaces
//! for the rest; a network with IPAM auxiliary addresses and driver options round-trips the same
//! way and imports with its options. Without Docker the tests print why they skip, unless `PLINTH_REQUIRE_DOCKER=1`.

mod support;

use std::process::Command;

use support::docker_objects::{unique_prefix, Cleanup};
use support::{docker, docker_available, Workspace};

/// A busybox image built from the chatsphere context, plus `container` (HCL body of a
/// `docker_container` named `c` using `docker_image.b.image_id`).
fn config(p: &str, memory: u32, dns: &str) -> String {
    format!(
        r#"
resource "docker_image" "b" {{
  name = "{p}-img:1"
  build {{
    context = "${{path.module}}/context"
  }}
}}

resource "docker_container" "c" {{
  name        = "{p}-c"
  image       = docker_image.b.image_id
  command     = ["sleep", "600"]
  init        = true
  shm_size    = 32
  memory      = {memory}
  memory_swap = -1
  stop_signal = "SIGINT"
  destroy_grace_seconds = 1
  dns         = ["{dns}"]
  dns_search  = ["example.internal"]
  group_add   = ["100"]
  tmpfs       = {{ "/scratch" = "rw,size=1m" }}
  sysctls     = {{ "net.ipv4.ip_forward" = "1" }}
  log_driver  = "json-file"
  log_opts    = {{ "max-size" = "1m" }}

  capabilities {{
    add  = ["NET_ADMIN"]
    drop = ["MKNOD"]
  }}
  ulimit {{
    name = "nofile"
    soft = 1024
    hard = 2048
  }}
  devices {{
    host_path = "/dev/null"
    container_path = "/dev/nothing"
  }}
  host {{
    host = "db.internal"
    ip   = "127.0.0.2"
  }}
  upload {{
    file       = "/etc/app.conf"
    content    = "answer = 42\n"
  }}
}}
"#
    )
}

fn workspace(config: &str) -> Workspace {
    let ws = Workspace::with_main(config);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let context = ws.file("context");
    std::fs::create_dir_all(context.join("www")).expect("create the context");
    std::fs::copy(
        root.join("examples/chatsphere-docker/context/Dockerfile"),
        context.join("Dockerfile"),
    )
    .expect("copy the Dockerfile");
    std::fs::write(context.join("www/index.html"), "arguments\n").expect("write");
    let status = Command::new(root.join("tests/support/docker_images.sh"))
        .arg("prepare")
        .arg(&context)
        .status()
        .expect("run tests/support/docker_images.sh");
    assert!(status.success(), "preparing the build context failed");
    ws
}

fn inspect(container: &str, template: &str) -> String {
    docker(&["inspect", "-f", template, container])
        .trim()
        .to_string()
}

#[test]
fn container_arguments_apply_plan_no_op_update_in_place_and_replace() {
    if !docker_available() {
        return;
    }
    let p = unique_prefix("pactr");
    let _cleanup = Cleanup(p.clone());
    let ws = workspace(&config(&p, 64, "127.0.0.53"));
    ws.apply();
    let c = format!("{p}-c");
    assert_eq!(inspect(&c, "{{.HostConfig.Init}}"), "true");
    assert_eq!(
        inspect(&c, "{{.HostConfig.ShmSize}}"),
        (32 * 1024 * 1024).to_string()
    );
    assert_eq!(inspect(&c, "{{.HostConfig.CapAdd}}"), "[NET_ADMIN]");
    assert_eq!(inspect(&c, "{{.HostConfig.CapDrop}}"), "[MKNOD]");
    assert_eq!(inspect(&c, "{{.HostConfig.Dns}}"), "[127.0.0.53]");
    assert_eq!(
        inspect(&c, "{{.HostConfig.ExtraHosts}}"),
        "[db.internal:127.0.0.2]"
    );
    assert_eq!(
        inspect(&c, "{{.HostConfig.Tmpfs}}"),
        "map[/scratch:rw,size=1m]"
    );
    // The daemon may add its own defaults (max-file) beside the configured option.
    assert!(inspect(&c, "{{.HostConfig.LogConfig.Config}}").contains("max-size:1m"));
    assert_eq!(
        inspect(&c, "{{(index .HostConfig.Ulimits 0).Hard}}"),
        "2048"
    );
    assert_eq!(
        inspect(&c, "{{(index .HostConfig.Devices 0).PathInContainer}}"),
        "/dev/nothing"
    );
    assert_eq!(inspect(&c, "{{.Config.StopSignal}}"), "SIGINT");
    assert_eq!(inspect(&c, "{{.State.Running}}"), "true");
    let uploaded = docker(&["exec", &c, "cat", "/etc/app.conf"]);
    assert_eq!(uploaded, "answer = 42\n");

    ws.plan(&[]).expect_code(0);

    // Memory is changed by `docker update`: the same container, updated in place.
    let id = ws
        .state()
        .instance("docker_container.c")
        .string("id")
        .map(String::from);
    ws.write("main.tf", &config(&p, 96, "127.0.0.53"));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("will be updated in-place");
    ws.apply();
    assert_eq!(
        ws.state()
            .instance("docker_container.c")
            .string("id")
            .map(String::from),
        id
    );
    assert_eq!(
        inspect(&c, "{{.HostConfig.Memory}}"),
        (96 * 1024 * 1024).to_string()
    );
    ws.plan(&[]).expect_code(0);

    // DNS is fixed at create: a new container.
    ws.write("main.tf", &config(&p, 96, "127.0.0.54"));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("forces replacement");
    ws.apply();
    assert_ne!(
        ws.state()
            .instance("docker_container.c")
            .string("id")
            .map(String::from),
        id
    );
    assert_eq!(inspect(&c, "{{.HostConfig.Dns}}"), "[127.0.0.54]");
    ws.plan(&[]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"]).expect_ok();
}

#[test]
fn network_arguments_round_trip_and_import_reads_them_back() {
    if !docker_available() {
        return;
    }
    let p = unique_prefix("panet");
    let _cleanup = Cleanup(p.clone());
    let config = |mtu: &str, deprecated: &str| {
        format!(
            r#"
resource "docker_network" "n" {{
  name            = "{p}-n"
  {deprecated}
  options         = {{ "com.docker.network.driver.mtu" = "{mtu}" }}
  ipam_config {{
    subnet      = "172.31.240.0/24"
    gateway     = "172.31.240.1"
    aux_address = {{ "spare" = "172.31.240.9" }}
  }}
}}
"#
        )
    };
    let ws = Workspace::with_main(&config("1400", "check_duplicate = true"));
    ws.apply().expect_stderr("check_duplicate is deprecated");
    let n = format!("{p}-n");
    assert_eq!(
        docker(&[
            "network",
            "inspect",
            "-f",
            "{{index .Options \"com.docker.network.driver.mtu\"}}",
            &n
        ])
        .trim(),
        "1400"
    );
    assert_eq!(
        docker(&[
            "network",
            "inspect",
            "-f",
            "{{(index .IPAM.Config 0).AuxiliaryAddresses}}",
            &n
        ])
        .trim(),
        "map[spare:172.31.240.9]"
    );
    ws.plan(&[]).expect_code(0);
    ws.write("main.tf", &config("1300", "check_duplicate = true"));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("forces replacement");
    ws.apply();
    ws.plan(&[]).expect_code(0);

    // Imported into a fresh state, the network reads back its configuration.
    let id = ws
        .state()
        .instance("docker_network.n")
        .string("id")
        .map(String::from)
        .expect("id");
    let fresh = Workspace::with_main(&config("1300", ""));
    fresh.run(&["import", "docker_network.n", &id]).expect_ok();
    let imported = fresh.state().instance("docker_network.n");
    assert_eq!(imported.string("name"), Some(n.as_str()));
    assert_eq!(
        imported.attr("options"),
        Some(&serde_json::json!({ "com.docker.network.driver.mtu": "1300" }))
    );
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
}
