//! Containers on the real Docker Engine, through the `Provider` trait: ports, volumes, networks,
//! health wait, in-place update, drift seen by refresh, partial create, Docker's messages.

mod support;

use plinth_sdk::Value;
use support::{docker, docker_available, free_port, obj, provider, strings, text, Scope};

/// A planned busybox httpd container the way the engine hands it over (computed attrs unknown).
fn web(name: &str, image: &str, port: u16) -> Value {
    obj(vec![
        ("name", Value::from(name)),
        ("image", Value::from(image)),
        (
            "command",
            strings(&["httpd", "-f", "-p", "80", "-h", "/www"]),
        ),
        (
            "env",
            Value::set(vec![
                Value::from("SECRET_KEY=s3cr3t").mark_sensitive(),
                Value::from("MODE=test"),
            ]),
        ),
        ("restart", Value::from("unless-stopped")),
        ("must_run", Value::Bool(true)),
        (
            "ports",
            Value::List(vec![obj(vec![
                ("internal", Value::from(80i64)),
                ("external", Value::from(port as i64)),
            ])]),
        ),
        ("id", Value::Unknown),
        ("exit_code", Value::Unknown),
        ("network_data", Value::Unknown),
    ])
}

fn with(value: Value, pairs: Vec<(&str, Value)>) -> Value {
    let mut map = value.as_map().cloned().unwrap_or_default();
    for (k, v) in pairs {
        map.insert(k.to_string(), v);
    }
    Value::Map(map)
}

#[tokio::test]
async fn container_runs_healthy_updates_in_place_and_refresh_shows_drift() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let image = support::test_image();
    let network = provider
        .create(
            "docker_network",
            obj(vec![("name", Value::from(scope.name("net").as_str()))]),
            &support::intent(),
        )
        .await
        .expect("network");
    let volume = provider
        .create(
            "docker_volume",
            obj(vec![("name", Value::from(scope.name("data").as_str()))]),
            &support::intent(),
        )
        .await
        .expect("volume");
    let port = free_port();
    let name = scope.name("frontend");
    let planned = with(
        web(&name, image, port),
        vec![
            (
                "volumes",
                Value::set(vec![obj(vec![
                    ("volume_name", Value::from(text(&volume, "name"))),
                    ("container_path", Value::from("/data")),
                ])]),
            ),
            (
                "networks_advanced",
                Value::set(vec![obj(vec![
                    ("name", Value::from(text(&network, "name"))),
                    ("aliases", Value::set(vec![Value::from("frontend")])),
                ])]),
            ),
            (
                "healthcheck",
                obj(vec![
                    (
                        "test",
                        strings(&["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]),
                    ),
                    ("interval", Value::from("1s")),
                    ("timeout", Value::from("2s")),
                    ("retries", Value::from(3i64)),
                ]),
            ),
            ("wait", Value::Bool(true)),
            ("wait_timeout", Value::from(30i64)),
            (
                "labels",
                Value::set(vec![obj(vec![
                    ("label", Value::from("app")),
                    ("value", Value::from("chatsphere")),
                ])]),
            ),
        ],
    );
    let container = provider
        .create("docker_container", planned, &support::intent())
        .await
        .map_err(|e| e.diagnostics)
        .expect("create");
    let id = text(&container, "id").to_string();
    assert!(!id.is_empty());
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Health.Status}}", &id]).expect("inspect"),
        "healthy"
    );
    let body = support::http_get(port).expect("the published port serves");
    assert!(body.contains("plinth test page"), "{body}");
    let network_data = container
        .get("network_data")
        .and_then(Value::as_list)
        .expect("network_data");
    assert_eq!(
        network_data.len(),
        1,
        "only the configured network, not the default bridge"
    );
    assert_eq!(
        text(&network_data[0], "network_name"),
        text(&network, "name")
    );
    assert!(text(&network_data[0], "ip_address").contains('.'));
    let inspected = docker(&["inspect", "-f", "{{json .Config.Labels}} {{.HostConfig.RestartPolicy.Name}} {{range .Mounts}}{{.Name}}{{end}} {{json .Config.Env}}", &id])
        .expect("inspect");
    for expected in [
        "\"app\":\"chatsphere\"",
        "\"plinth.managed\":\"true\"",
        "unless-stopped",
        text(&volume, "name"),
        "SECRET_KEY=s3cr3t",
    ] {
        assert!(
            inspected.contains(expected),
            "{expected} missing from {inspected}"
        );
    }
    let aliases =
        docker(&["inspect", "-f", "{{json .NetworkSettings.Networks}}", &id]).expect("inspect");
    assert!(aliases.contains("\"frontend\""), "{aliases}");

    // Refresh of an untouched container changes nothing.
    let refreshed = provider
        .read_many("docker_container", vec![container.clone()])
        .await
        .expect("refresh");
    assert_eq!(refreshed, vec![Some(container.clone())]);

    // In place: memory and restart policy through the update API; the id stays.
    let planned = with(
        container.clone(),
        vec![
            ("memory", Value::from(64i64)),
            ("restart", Value::from("always")),
        ],
    );
    let updated = provider
        .update("docker_container", container.clone(), planned)
        .await
        .expect("update");
    assert_eq!(text(&updated, "id"), id);
    let host = docker(&[
        "inspect",
        "-f",
        "{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}",
        &id,
    ])
    .expect("inspect");
    assert_eq!(host, format!("{} always", 64 * 1024 * 1024));

    // Drift made with the docker CLI shows in the refreshed value.
    docker(&["update", "--restart", "no", &id]).expect("docker update");
    docker(&["stop", "-t", "1", &id]).expect("docker stop");
    docker(&["network", "disconnect", text(&network, "name"), &id]).expect("disconnect");
    let drifted = provider
        .read_many("docker_container", vec![updated.clone()])
        .await
        .expect("refresh")
        .remove(0)
        .expect("still exists");
    assert_eq!(drifted.get("restart"), Some(&Value::from("no")));
    assert_eq!(drifted.get("must_run"), Some(&Value::Bool(false)));
    assert_eq!(
        drifted
            .get("networks_advanced")
            .and_then(Value::as_list)
            .map(<[Value]>::len),
        Some(0)
    );
    assert_eq!(drifted.get("memory"), Some(&Value::from(64i64)));
    assert!(
        drifted.get("exit_code").and_then(Value::as_f64).is_some(),
        "a stopped container has an exit code"
    );

    // The configured must_run = true plans an update, which starts it again.
    let planned = with(
        drifted.clone(),
        vec![
            ("must_run", Value::Bool(true)),
            ("restart", Value::from("always")),
        ],
    );
    let restarted = provider
        .update("docker_container", drifted, planned)
        .await
        .expect("start again");
    assert_eq!(
        docker(&[
            "inspect",
            "-f",
            "{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}",
            &id
        ])
        .expect("inspect"),
        "true always"
    );
    assert_eq!(restarted.get("exit_code"), Some(&Value::Null));

    // Delete, refresh sees it gone, delete again succeeds.
    provider
        .delete("docker_container", restarted.clone())
        .await
        .expect("delete");
    assert_eq!(
        provider
            .read_many("docker_container", vec![restarted.clone()])
            .await
            .expect("refresh"),
        vec![None]
    );
    provider
        .delete("docker_container", restarted)
        .await
        .expect("deleting again succeeds");
    provider
        .delete("docker_network", network)
        .await
        .expect("network delete");
    provider
        .delete("docker_volume", volume)
        .await
        .expect("volume delete");
}

#[tokio::test]
async fn a_taken_port_returns_the_created_container_as_partial() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let image = support::test_image();
    let port = free_port();
    let first = provider
        .create(
            "docker_container",
            web(&scope.name("first"), image, port),
            &support::intent(),
        )
        .await
        .map_err(|e| e.diagnostics)
        .expect("first");
    let err = provider
        .create(
            "docker_container",
            web(&scope.name("second"), image, port),
            &support::intent(),
        )
        .await
        .expect_err("port taken");
    let message = err.diagnostics.to_string();
    assert!(
        message.contains("starting container") && message.contains("Docker:"),
        "{message}"
    );
    assert!(
        message.contains("already allocated") || message.contains("address already in use"),
        "{message}"
    );
    let partial = err.partial.expect("the created container is returned");
    let id = text(&partial, "id");
    assert!(!id.is_empty());
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Status}}", id]).expect("it exists"),
        "created"
    );
    let refreshed = provider
        .read_many("docker_container", vec![partial.clone(), first.clone()])
        .await
        .expect("refresh");
    assert!(refreshed.iter().all(Option::is_some));
    provider
        .delete("docker_container", partial)
        .await
        .expect("delete the partial container");
    provider
        .delete("docker_container", first)
        .await
        .expect("delete");
}

#[tokio::test]
async fn a_missing_image_is_an_error_naming_dockers_message() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let missing = format!("{}-absent:0.0.0", scope.prefix);
    let err = provider
        .create(
            "docker_container",
            web(&scope.name("orphan"), &missing, free_port()),
            &support::intent(),
        )
        .await
        .expect_err("must fail");
    assert!(err.partial.is_none());
    let message = err.diagnostics.to_string();
    assert!(
        message.contains("No such image") && message.contains(&missing),
        "{message}"
    );
}

#[tokio::test]
async fn a_container_that_never_gets_healthy_is_partial_after_the_timeout() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let planned = obj(vec![
        ("name", Value::from(scope.name("sick").as_str())),
        ("image", Value::from(support::test_image())),
        ("command", strings(&["sleep", "300"])),
        (
            "healthcheck",
            obj(vec![
                ("test", strings(&["CMD", "false"])),
                ("interval", Value::from("500ms")),
                ("retries", Value::from(1i64)),
            ]),
        ),
        ("wait", Value::Bool(true)),
        ("wait_timeout", Value::from(10i64)),
    ]);
    let err = provider
        .create("docker_container", planned, &support::intent())
        .await
        .expect_err("never healthy");
    let message = err.diagnostics.to_string();
    assert!(
        message.contains("did not become healthy") && message.contains("unhealthy"),
        "{message}"
    );
    let partial = err.partial.expect("partial");
    provider
        .delete("docker_container", partial)
        .await
        .expect("delete");
}

#[tokio::test]
async fn the_image_data_source_reads_a_local_image() {
    if !docker_available() {
        return;
    }
    let provider = provider().await;
    let image = support::test_image();
    let data = provider
        .read_data("docker_image", obj(vec![("name", Value::from(image))]))
        .await
        .expect("data source");
    let expected = docker(&["image", "inspect", "-f", "{{.Id}}", image]).expect("inspect");
    assert_eq!(text(&data, "id"), expected);
    let missing = provider
        .read_data(
            "docker_image",
            obj(vec![("name", Value::from("plinth-test-nothing:here"))]),
        )
        .await;
    assert!(missing
        .err()
        .map(|d| d.to_string())
        .unwrap_or_default()
        .contains("No such image"));
}

#[tokio::test]
async fn refreshing_a_five_container_stack_is_one_list_call_and_quick() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let image = support::test_image();
    let mut containers = Vec::new();
    for service in ["backend", "frontend", "db", "redis", "nginx"] {
        let planned = obj(vec![
            ("name", Value::from(scope.name(service).as_str())),
            ("image", Value::from(image)),
            ("command", strings(&["sleep", "infinity"])),
            ("restart", Value::from("no")),
        ]);
        containers.push(
            provider
                .create("docker_container", planned, &support::intent())
                .await
                .map_err(|e| e.diagnostics)
                .expect("create"),
        );
    }
    let started = std::time::Instant::now();
    let refreshed = provider
        .read_many("docker_container", containers.clone())
        .await
        .expect("refresh");
    let took = started.elapsed();
    eprintln!("refresh of 5 containers took {took:?}");
    assert_eq!(
        refreshed,
        containers.into_iter().map(Some).collect::<Vec<_>>()
    );
    assert!(
        took < std::time::Duration::from_millis(500),
        "refresh took {took:?}"
    );
}

/// A run killed between Docker creating a container and plinth recording it leaves a container
/// with the address's labels but no state entry; the next create of that address must replace
/// it, while a container of the same name made for anything else is never touched.
#[tokio::test]
async fn an_unrecorded_container_of_the_same_address_is_replaced_others_conflict() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let image = support::test_image();
    let name = scope.name("orphan");
    let origin =
        plinth_sdk::Intent::new(format!("docker_container.{}", scope.name("a")), "default");
    let orphan = provider
        .create("docker_container", web(&name, image, free_port()), &origin)
        .await
        .map_err(|e| e.diagnostics)
        .expect("the container a killed run left behind");
    let again = provider
        .create("docker_container", web(&name, image, free_port()), &origin)
        .await
        .map_err(|e| e.diagnostics)
        .expect("same address: replaced");
    assert_ne!(text(&orphan, "id"), text(&again, "id"));
    assert!(
        docker(&["inspect", text(&orphan, "id")]).is_err(),
        "the orphan is gone"
    );
    let other = plinth_sdk::Intent::new("docker_container.someone_else", "default");
    let err = provider
        .create("docker_container", web(&name, image, free_port()), &other)
        .await
        .expect_err("another address: conflict");
    assert!(
        err.diagnostics.to_string().contains("already in use"),
        "{}",
        err.diagnostics
    );
    assert!(
        docker(&["inspect", text(&again, "id")]).is_ok(),
        "the recorded container is left alone"
    );
    provider
        .delete("docker_container", again)
        .await
        .expect("delete");
}

/// Regression: a destroy run after a killed destroy failed once with Docker's "removal of
/// container … is already in progress" (409); a delete of a container already being removed
/// now waits for that removal instead. Two deletes race on each of several containers.
#[tokio::test]
async fn delete_of_a_container_already_being_removed_waits_for_it() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let image = support::test_image();
    let mut created = Vec::new();
    for index in 0..6 {
        let name = scope.name(&format!("twice{index}"));
        let planned = obj(vec![
            ("name", Value::from(name.as_str())),
            ("image", Value::from(image)),
            ("command", strings(&["sleep", "600"])),
            ("must_run", Value::Bool(true)),
            ("id", Value::Unknown),
            ("exit_code", Value::Unknown),
            ("network_data", Value::Unknown),
        ]);
        let value = provider
            .create("docker_container", planned, &support::intent())
            .await
            .unwrap_or_else(|e| panic!("create {name}: {}", e.diagnostics));
        created.push((name, value));
    }
    for (name, value) in created {
        let (first, second) = tokio::join!(
            provider.delete("docker_container", value.clone()),
            provider.delete("docker_container", value.clone()),
        );
        assert!(first.is_ok(), "{name}: {}", first.unwrap_err());
        assert!(second.is_ok(), "{name}: {}", second.unwrap_err());
        assert!(
            docker(&["inspect", &name]).is_err(),
            "{name} still exists after both deletes"
        );
    }
}
