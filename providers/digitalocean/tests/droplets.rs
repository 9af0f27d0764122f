//! `digitalocean_droplet` against the emulator: the contract test kit's lifecycle (create,
//! read, resize in place, delete twice) and adoption, and what a Droplet's state holds.

mod support;

use plinth_sdk::testkit::{self, Case};
use plinth_sdk::Value;
use support::*;

fn droplet(name: &str) -> Value {
    obj([
        ("name", Value::from(name)),
        ("size", Value::from("s-1vcpu-1gb")),
        ("image", Value::from("ubuntu-22-04-x64")),
        ("region", Value::from("nyc3")),
        ("tags", strings(&["web"])),
        ("resize_disk", Value::Bool(true)),
        ("backups", Value::Bool(false)),
        ("ipv6", Value::Bool(false)),
        ("monitoring", Value::Bool(false)),
        ("graceful_shutdown", Value::Bool(false)),
    ])
}

#[tokio::test]
async fn droplet_lifecycle_resizes_in_place_and_adopts() {
    let emulator = emulator(50).await;
    let provider = configured(&emulator).await;
    let case = Case {
        type_name: "digitalocean_droplet".into(),
        create: droplet("web-1"),
        update: vec![("size".into(), Value::from("s-2vcpu-2gb"))],
        check: "size".into(),
    };
    testkit::lifecycle(&provider, &case)
        .await
        .expect("lifecycle");
    testkit::adopts_an_interrupted_create(&provider, &case)
        .await
        .expect("adoption");
    testkit::adopts_nothing_for_an_unused_intent(&provider, &case)
        .await
        .expect("no adoption");
    let state = emulator.state();
    assert_eq!(state["droplets"].as_array().unwrap().len(), 0, "{state}");
    let tags: Vec<&str> = state["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(
        tags,
        vec!["web"],
        "intent tags are deleted with their Droplet"
    );
}
