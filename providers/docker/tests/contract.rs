//! The provider contract test kit against the real Docker Engine, for every resource type that
//! can change in place or carries an intent token: lifecycle (create, read, update, read,
//! delete twice, read gives gone) and adoption of an interrupted create.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::Value;
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
