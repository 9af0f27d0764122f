//! Issue 12's "lost state" drill for the Docker examples on the real Docker Engine: each of
//! `examples/chatapi-docker` and `examples/chatsphere-docker` is applied, its state, backup,
//! journal and history are deleted, and `plinth drift -unmanaged -generate-config-out` plus one
//! `plinth apply` rebuild the state by importing every object and creating, replacing or
//! changing none: the engine holds the same ids, and the next plan and drift check are clean.
//! Also `plinth import ADDRESS ID` for one container, which must give the same state an import
//! block gives.
//!
//! Every test names its objects with a unique prefix and removes whatever carries it when it
//! ends. Without Docker the tests print why they skip, unless `PLINTH_REQUIRE_DOCKER=1`.

mod support;

use std::collections::BTreeMap;

use support::docker_example::{example_workspace, Leftovers};
use support::lost_state::{generate_imports_on_shared_engine, lose_state};
use support::{docker, docker_available, docker_objects, free_port, Workspace};

/// `kind name` → engine id of every object carrying the prefix (volumes are their names).
#[track_caller]
fn engine_ids(leftovers: &Leftovers) -> BTreeMap<String, String> {
    let id = |args: &[&str]| docker(args).trim().to_string();
    let mut ids = BTreeMap::new();
    for name in leftovers.containers() {
        ids.insert(
            format!("container {name}"),
            id(&["inspect", "-f", "{{.Id}}", &name]),
        );
    }
    for name in leftovers.networks() {
        ids.insert(
            format!("network {name}"),
            id(&["network", "inspect", "-f", "{{.Id}}", &name]),
        );
    }
    for name in leftovers.volumes() {
        ids.insert(format!("volume {name}"), name);
    }
    for name in leftovers.images() {
        ids.insert(
            format!("image {name}"),
            id(&["image", "inspect", "-f", "{{.Id}}", &name]),
        );
    }
    ids
}

/// Applies the example, loses its state, rebuilds it from the running objects and checks that
/// nothing was created, replaced or changed.
fn drill(example: &str, short: &str, objects: usize, secrets: &[(&str, &str)]) {
    let leftovers = Leftovers::new(short);
    let p = leftovers.prefix.clone();
    let mut ws = example_workspace(example);
    ws.set_env("TF_VAR_project", &p);
    ws.set_env("TF_VAR_http_port", &free_port().to_string());
    for (name, value) in secrets {
        ws.set_env(name, value);
    }
    ws.apply().expect_stdout(&format!(
        "Resources: {objects} added, 0 changed, 0 destroyed."
    ));
    let before = engine_ids(&leftovers);
    assert_eq!(before.len(), objects, "{before:#?}");

    lose_state(&ws);
    generate_imports_on_shared_engine(&ws, objects);
    let applied = ws.apply();
    applied.expect_stdout(&format!(
        "{objects} imported, 0 added, 0 changed, 0 destroyed"
    ));
    let shown = ws.run(&["show"]);
    shown.expect_ok();
    for (_, secret) in secrets {
        applied.expect_nowhere(secret);
        shown.expect_nowhere(secret);
    }
    assert_eq!(
        engine_ids(&leftovers),
        before,
        "the engine holds the same objects: nothing created, replaced or deleted"
    );
    assert_eq!(ws.state_list().len(), objects, "state records every object");
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);

    ws.run(&["destroy", "-auto-approve"])
        .expect_stdout(&format!("Resources: {objects} destroyed."));
    leftovers.assert_nothing_left();
}

/// What broke on the way: an imported container had no `env`, `healthcheck`, `ports`,
/// `volumes`, `labels` or `networks_advanced` (the engine reports them, the import did not read
/// them), so every container of the example was planned for replacement.
#[test]
fn chatapi_lost_state_is_rebuilt_without_replacing_a_container() {
    if !docker_available() {
        return;
    }
    drill(
        "chatapi-docker",
        "lsca",
        10,
        &[
            ("TF_VAR_secret_key", "lost-secret-key"),
            ("TF_VAR_smtp_password", "lost-smtp-password"),
        ],
    );
}

/// As for chatapi, plus a labelled network and an image whose build labels the engine mixes
/// into each container's labels.
#[test]
fn chatsphere_lost_state_is_rebuilt_without_replacing_a_container() {
    if !docker_available() {
        return;
    }
    drill(
        "chatsphere-docker",
        "lscs",
        9,
        &[
            ("TF_VAR_db_password", "lost-db-password"),
            ("TF_VAR_secret_key", "lost-secret-key"),
        ],
    );
}

/// Regression: `plinth import docker_container.x ID` evaluated variables and locals only, so it
/// failed outright on this configuration (a local refers to the API containers' names); where
/// it worked it wrote the container as the engine reports it, without the settings the engine
/// cannot report (`wait`, `wait_timeout`, ...) that an `import` block assumes as configured, so
/// the next plan changed them. And an imported `env` set from a sensitive variable was not
/// recorded sensitive, so `state show` printed the secret.
#[test]
fn plinth_import_of_one_container_assumes_what_the_engine_cannot_report_as_configured() {
    if !docker_available() {
        return;
    }
    let leftovers = Leftovers::new("lsimp");
    let p = leftovers.prefix.clone();
    let mut ws = example_workspace("chatapi-docker");
    ws.set_env("TF_VAR_project", &p);
    ws.set_env("TF_VAR_http_port", &free_port().to_string());
    ws.set_env("TF_VAR_secret_key", "lost-secret-key");
    ws.set_env("TF_VAR_smtp_password", "lost-smtp-password");
    ws.set_env("TF_VAR_api_replicas", "1");
    ws.set_env("TF_VAR_worker_replicas", "0");
    ws.apply();
    let api = format!("{p}-api-1");
    let id = docker(&["inspect", "-f", "{{.Id}}", &api])
        .trim()
        .to_string();
    ws.run(&["state", "rm", "docker_container.api[0]"])
        .expect_ok();

    ws.run(&["import", "docker_container.api[0]", &api])
        .expect_ok()
        .expect_stderr("wait assumed as configured");
    assert_eq!(
        ws.state().instance("docker_container.api[0]").string("id"),
        Some(id.as_str())
    );
    ws.run(&["state", "show", "docker_container.api[0]"])
        .expect_ok()
        .expect_stdout("env")
        .expect_nowhere("lost-secret-key");
    ws.plan(&[]).expect_code(0);
    assert_eq!(
        docker(&["inspect", "-f", "{{.Id}}", &api]).trim(),
        id,
        "the same container"
    );
}

/// Regression: a network whose configuration sets `ipam_config` with a subnet only was planned
/// for replacement once imported: the engine reports the gateway it chose, which the
/// configuration leaves out. A network without `ipam_config` keeps all the engine chose.
#[test]
fn an_imported_network_keeps_the_ipam_settings_the_engine_chose() {
    if !docker_available() {
        return;
    }
    let p = docker_objects::unique_prefix("lsnet");
    let _cleanup = docker_objects::Cleanup(p.clone());
    // Outside the engine's default address pools, which other tests' networks draw from.
    let subnet = format!("10.213.{}.0/24", std::process::id() % 250);
    let ws = Workspace::with_main(&format!(
        r#"
resource "docker_network" "subnet" {{
  name = "{p}-subnet"
  ipam_config {{
    subnet = "{subnet}"
  }}
}}

resource "docker_network" "plain" {{
  name = "{p}-plain"
}}
"#
    ));
    ws.apply()
        .expect_stdout("Resources: 2 added, 0 changed, 0 destroyed.");
    lose_state(&ws);
    for (address, name) in [
        ("docker_network.subnet", format!("{p}-subnet")),
        ("docker_network.plain", format!("{p}-plain")),
    ] {
        ws.run(&["import", address, &name]).expect_ok();
    }
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);
    ws.run(&["destroy", "-auto-approve"])
        .expect_stdout("Resources: 2 destroyed.");
}
