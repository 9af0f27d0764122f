//! Images, networks and volumes on the real Docker Engine, through the `Provider` trait:
//! build from a local context, IPAM networks, labels, refresh after outside deletion, Docker's
//! messages for bad input, idempotent deletes.

mod support;

use plinth_sdk::Value;
use support::{docker, docker_available, obj, provider, text, Scope};

#[tokio::test]
async fn image_builds_from_a_local_context_and_refresh_sees_it_removed() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let context = tempfile::tempdir().expect("temp dir");
    support::write_busybox_context(context.path(), "built by plinth\n");
    let name = format!("{}-api:1.3.0-ab12cd3", scope.prefix);
    let planned = obj(vec![
        ("name", Value::from(name.as_str())),
        ("id", Value::Unknown),
        ("image_id", Value::Unknown),
        ("repo_digest", Value::Unknown),
        (
            "build",
            obj(vec![
                (
                    "context",
                    Value::from(context.path().to_string_lossy().as_ref()),
                ),
                ("labels", obj(vec![("service", Value::from("api"))])),
            ]),
        ),
    ]);
    let image = provider
        .create("docker_image", planned, &support::intent())
        .await
        .expect("build");
    assert!(text(&image, "image_id").starts_with("sha256:"), "{image}");
    let label = docker(&[
        "image",
        "inspect",
        "-f",
        "{{.Config.Labels.service}}",
        &name,
    ])
    .expect("inspect");
    assert_eq!(label, "api");

    let refreshed = provider
        .read_many("docker_image", vec![image.clone()])
        .await
        .expect("refresh");
    assert_eq!(refreshed, vec![Some(image.clone())]);

    docker(&["rmi", &name]).expect("remove outside plinth");
    let refreshed = provider
        .read_many("docker_image", vec![image.clone()])
        .await
        .expect("refresh");
    assert_eq!(refreshed, vec![None]);
    provider
        .delete("docker_image", image)
        .await
        .expect("deleting a removed image succeeds");
}

#[tokio::test]
async fn a_failing_build_names_dockers_message() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let context = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        context.path().join("Dockerfile"),
        "FROM scratch\nCOPY missing-file /x\n",
    )
    .expect("write");
    let planned = obj(vec![
        ("name", Value::from(scope.name("broken").as_str())),
        (
            "build",
            obj(vec![(
                "context",
                Value::from(context.path().to_string_lossy().as_ref()),
            )]),
        ),
    ]);
    let err = provider
        .create("docker_image", planned, &support::intent())
        .await
        .expect_err("the build must fail");
    let text = err.diagnostics.to_string();
    assert!(err.partial.is_none());
    assert!(
        text.contains("building image") && text.contains("missing-file"),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_remote_image_fails_with_a_clear_error() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    // A registry address on the loopback where nothing listens: the pull fails at once.
    let name = format!("127.0.0.1:9/{}-absent:1", scope.prefix);
    let planned = obj(vec![("name", Value::from(name.as_str()))]);
    let err = provider
        .create("docker_image", planned, &support::intent())
        .await
        .expect_err("the pull must fail");
    let text = err.diagnostics.to_string();
    assert!(
        text.contains("not available locally and pulling it failed") && text.contains("Docker:"),
        "{text}"
    );
}

#[tokio::test]
async fn network_with_ipam_is_labelled_refreshed_and_deleted_idempotently() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let name = scope.name("backend");
    let third_octet = 100 + (std::process::id() % 100);
    let subnet = format!("10.213.{third_octet}.0/24");
    let gateway = format!("10.213.{third_octet}.1");
    let planned = obj(vec![
        ("name", Value::from(name.as_str())),
        ("internal", Value::Bool(false)),
        (
            "ipam_config",
            Value::set(vec![obj(vec![
                ("subnet", Value::from(subnet.as_str())),
                ("gateway", Value::from(gateway.as_str())),
            ])]),
        ),
        (
            "labels",
            Value::set(vec![obj(vec![
                ("label", Value::from("tier")),
                ("value", Value::from("backend")),
            ])]),
        ),
    ]);
    let network = provider
        .create("docker_network", planned.clone(), &support::intent())
        .await
        .expect("create network");
    assert_eq!(text(&network, "driver"), "bridge");
    assert_eq!(text(&network, "scope"), "local");
    let inspected = docker(&[
        "network",
        "inspect",
        "-f",
        "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{json .Labels}}",
        &name,
    ])
    .expect("inspect");
    assert!(
        inspected.contains(&format!("{subnet} {gateway}")),
        "{inspected}"
    );
    for label in [
        "\"tier\":\"backend\"",
        "\"plinth.managed\":\"true\"",
        &format!("\"plinth.name\":\"{name}\""),
    ] {
        assert!(
            inspected.contains(label),
            "{label} missing from {inspected}"
        );
    }

    // Another address's network of that name is refused (a leftover of the same address, made
    // by an interrupted run, is replaced: see contract.rs).
    let duplicate = provider
        .create(
            "docker_network",
            planned,
            &plinth_sdk::Intent::new("docker_network.other", "default"),
        )
        .await
        .expect_err("a second network of that name");
    assert!(
        duplicate.diagnostics.to_string().contains("already exists"),
        "{}",
        duplicate.diagnostics
    );

    let data = provider
        .read_data(
            "docker_network",
            obj(vec![("name", Value::from(name.as_str()))]),
        )
        .await
        .expect("data source");
    assert_eq!(text(&data, "id"), text(&network, "id"));
    assert_eq!(
        data.get("ipam_config")
            .and_then(Value::as_list)
            .map(<[Value]>::len),
        Some(1)
    );

    let refreshed = provider
        .read_many("docker_network", vec![network.clone()])
        .await
        .expect("refresh");
    assert_eq!(refreshed, vec![Some(network.clone())]);
    docker(&["network", "rm", &name]).expect("remove outside plinth");
    let refreshed = provider
        .read_many("docker_network", vec![network.clone()])
        .await
        .expect("refresh");
    assert_eq!(refreshed, vec![None]);
    provider
        .delete("docker_network", network.clone())
        .await
        .expect("deleting a removed network succeeds");
}

#[tokio::test]
async fn volume_in_use_gives_dockers_message_and_delete_is_idempotent() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let image = support::test_image();
    let name = scope.name("pgdata");
    let volume = provider
        .create(
            "docker_volume",
            obj(vec![
                ("name", Value::from(name.as_str())),
                ("id", Value::Unknown),
            ]),
            &support::intent(),
        )
        .await
        .expect("create volume");
    assert_eq!(text(&volume, "id"), name);
    assert_eq!(text(&volume, "driver"), "local");
    let labels = docker(&["volume", "inspect", "-f", "{{json .Labels}}", &name]).expect("inspect");
    assert!(labels.contains("\"plinth.managed\":\"true\""), "{labels}");

    let user = scope.name("user");
    docker(&[
        "run",
        "-d",
        "--name",
        &user,
        "-v",
        &format!("{name}:/data"),
        image,
        "sleep",
        "300",
    ])
    .expect("run a user");
    let err = provider
        .delete("docker_volume", volume.clone())
        .await
        .expect_err("volume in use");
    let message = err.to_string();
    assert!(
        message.contains("in use") && message.contains(&name),
        "{message}"
    );

    docker(&["rm", "-f", &user]).expect("remove the user");
    provider
        .delete("docker_volume", volume.clone())
        .await
        .expect("delete volume");
    assert_eq!(
        provider
            .read_many("docker_volume", vec![volume.clone()])
            .await
            .expect("refresh"),
        vec![None]
    );
    provider
        .delete("docker_volume", volume)
        .await
        .expect("deleting again succeeds");
}

#[tokio::test]
async fn an_existing_volume_not_made_by_plinth_is_refused() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let name = scope.name("foreign");
    docker(&["volume", "create", &name]).expect("create outside plinth");
    let err = provider
        .create(
            "docker_volume",
            obj(vec![("name", Value::from(name.as_str()))]),
            &support::intent(),
        )
        .await
        .err();
    let message = err.map(|e| e.diagnostics.to_string()).unwrap_or_default();
    assert!(message.contains("not created by plinth"), "{message}");
}
