//! The provider contract test kit against the real Docker Engine, for every resource type that
//! can change in place or carries an intent token: lifecycle (create, read, update, read,
//! delete twice, read gives gone) and adoption of an interrupted create.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::{Context, CreateRequest, Intent, Value};
use support::{docker_available, obj, provider, strings, Scope};

fn network_case(scope: &Scope) -> Case {
    Case {
        type_name: "docker_network".into(),
        create: obj(vec![
            ("name", Value::from(scope.name("kitnet").as_str())),
            ("id", Value::Unknown),
        ]),
        update: vec![],
        check: "name".into(),
    }
}

fn volume_case(scope: &Scope) -> Case {
    Case {
        type_name: "docker_volume".into(),
        create: obj(vec![
            ("name", Value::from(scope.name("kitvol").as_str())),
            ("id", Value::Unknown),
        ]),
        update: vec![],
        check: "name".into(),
    }
}

fn container_case(scope: &Scope) -> Case {
    Case {
        type_name: "docker_container".into(),
        create: obj(vec![
            ("name", Value::from(scope.name("kitbox").as_str())),
            ("image", Value::from(support::test_image())),
            ("command", strings(&["sleep", "600"])),
            ("must_run", Value::Bool(true)),
            ("restart", Value::from("no")),
            ("id", Value::Unknown),
            ("exit_code", Value::Unknown),
            ("network_data", Value::Unknown),
        ]),
        update: vec![("restart".into(), Value::from("unless-stopped"))],
        check: "restart".into(),
    }
}

#[tokio::test]
async fn every_docker_type_keeps_the_provider_contract() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    for case in [
        network_case(&scope),
        volume_case(&scope),
        container_case(&scope),
    ] {
        testkit::lifecycle(provider.contract(), &case)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.type_name));
        testkit::adopts_nothing_for_an_unused_intent(provider.contract(), &case)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.type_name));
    }
}

/// Regression: a network (or volume) created just before a kill was never adopted: every later
/// apply failed with "a network named … already exists" although it carried plinth's labels.
/// Now the object carries its create's intent token and `adopt` finds it.
#[tokio::test]
async fn interrupted_creates_of_networks_volumes_and_containers_are_adopted() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    for case in [
        network_case(&scope),
        volume_case(&scope),
        container_case(&scope),
    ] {
        testkit::adopts_an_interrupted_create(provider.contract(), &case)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", case.type_name));
    }
}

/// Regression: a killed run's network create that reached the engine only after the next run
/// had looked for it left a labelled, unused network of the same name, and every later apply
/// failed with "a network named … already exists". A create now replaces such a leftover of the
/// same address and workspace; a same-named network of another address is still refused.
#[tokio::test]
async fn a_network_left_by_a_late_create_of_an_interrupted_run_is_replaced() {
    if !docker_available() {
        return;
    }
    let scope = Scope::new();
    let provider = provider().await;
    let name = scope.name("latenet");
    let planned = obj(vec![
        ("name", Value::from(name.as_str())),
        ("id", Value::Unknown),
    ]);
    let create = |intent: Intent| CreateRequest {
        type_name: "docker_network".into(),
        planned: planned.clone(),
        intent,
        private: Vec::new(),
    };
    let ctx = Context::default();
    let contract = provider.contract();
    let killed = contract
        .create(&ctx, create(Intent::new("docker_network.late", "default")))
        .await;
    assert!(!killed.diagnostics.has_errors(), "{}", killed.diagnostics);
    let other_address = contract
        .create(&ctx, create(Intent::new("docker_network.other", "default")))
        .await;
    assert!(
        other_address
            .diagnostics
            .to_string()
            .contains("already exists"),
        "{}",
        other_address.diagnostics
    );
    let retried = Intent::new("docker_network.late", "default");
    let again = contract.create(&ctx, create(retried.clone())).await;
    assert!(!again.diagnostics.has_errors(), "{}", again.diagnostics);
    let listed = support::docker(&["network", "ls", "-q", "--filter", &format!("name={name}")])
        .expect("docker network ls");
    assert_eq!(listed.lines().count(), 1, "networks named {name}: {listed}");
    let label = support::docker(&[
        "network",
        "inspect",
        "-f",
        "{{index .Labels \"plinth.intent\"}}",
        &name,
    ])
    .expect("docker network inspect");
    assert_eq!(label.trim(), retried.token);
}
