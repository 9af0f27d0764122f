//! Creates stopped part way, as a kill -9 stops them: the create's future is dropped while
//! DigitalOcean is still assigning an address, and the next run's `adopt` (with the same intent)
//! must find what the killed create made, so nothing is made twice or forgotten.

mod support;

use std::future::Future;
use std::time::Duration;

use plinth_do_emulator::Emulator;
use plinth_sdk::{AdoptRequest, CreateRequest, Intent, PlanRequest, Provider, Value};
use support::*;

/// Assignments (and Droplets) take this long, so a kill lands while one is in flight.
const SLOW_MS: u64 = 1500;

/// Plans a create of `config` as the engine would.
async fn planned(provider: &dyn Provider, type_name: &str, config: Value) -> Value {
    let plan = provider
        .plan(
            &within(30),
            PlanRequest {
                type_name: type_name.into(),
                prior: None,
                proposed: config,
                prior_private: Vec::new(),
            },
        )
        .await;
    assert!(!plan.diagnostics.has_errors(), "{}", plan.diagnostics);
    unknowns_to_null(plan.planned)
}

/// Runs `create` until the emulator has answered the request `METHOD path` (and a moment more),
/// then drops it: the process is "killed" with the work on DigitalOcean's side under way.
async fn kill_after(emulator: &Emulator, method: &str, path: &str, create: impl Future) {
    let sent = async {
        while emulator.request_count(method, path) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::select! {
        _ = create => panic!("the create finished before it was killed"),
        _ = sent => {}
    }
}

async fn adopt(provider: &dyn Provider, type_name: &str, intent: Intent, planned: Value) -> Value {
    let adopted = provider
        .adopt(
            &within(30),
            AdoptRequest {
                type_name: type_name.into(),
                intent,
                planned,
            },
        )
        .await;
    assert!(
        !adopted.diagnostics.has_errors(),
        "adopt: {}",
        adopted.diagnostics
    );
    adopted
        .found
        .expect("adopt finds what the killed create made")
}

fn droplet_config(name: &str) -> Value {
    obj([
        ("name", Value::from(name)),
        ("size", Value::from("s-1vcpu-1gb")),
        ("image", Value::from("ubuntu-22-04-x64")),
        ("region", Value::from("nyc3")),
    ])
}

// What broke: a reserved IP for a Droplet was reserved in the region and assigned in a second
// request, and adopt only looked for an address already assigned to the Droplet: a run killed
// before the assignment finished left an address no later run found, and the next apply made a
// second one.
#[tokio::test]
async fn a_reserved_ip_for_a_droplet_killed_mid_create_is_adopted_not_made_twice() {
    let emulator = emulator(SLOW_MS).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("edge")).await;
    let droplet_id: u64 = text(&droplet, "id").parse().unwrap();
    let type_name = "digitalocean_reserved_ip";
    let planned = planned(
        &provider,
        type_name,
        obj([
            ("region", Value::from("nyc3")),
            ("droplet_id", num(droplet_id)),
        ]),
    )
    .await;
    let intent = Intent::new("digitalocean_reserved_ip.edge", "default");
    let ctx = within(30);
    let create = provider.create(
        &ctx,
        CreateRequest {
            type_name: type_name.into(),
            planned: planned.clone(),
            intent: intent.clone(),
            private: Vec::new(),
        },
    );
    kill_after(&emulator, "POST", "/v2/reserved_ips", create).await;
    let addresses = emulator.state()["reserved_ips"].clone();
    assert_eq!(addresses.as_array().map(Vec::len), Some(1), "{addresses}");
    // The address is made for the Droplet in the one request: no separate assignment.
    let assignments: u64 = emulator
        .request_counts()
        .iter()
        .filter(|(key, _)| key.starts_with("POST /v2/reserved_ips/"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(assignments, 0, "{:?}", emulator.request_counts());

    let found = adopt(&provider, type_name, intent, planned).await;
    assert_eq!(text(&found, "id"), addresses[0]["ip"].as_str().unwrap());
    assert_eq!(found.get("droplet_id"), Some(&num(droplet_id)));
    assert_eq!(count(&emulator, "reserved_ips"), 1);
    check_exchanges(&emulator);
}

// What broke: adopt read an address whose assignment a killed run had started as "not
// assigned", so the next run assigned it again and DigitalOcean refused it (still locked).
#[tokio::test]
async fn a_reserved_ip_assignment_killed_mid_action_is_adopted() {
    let emulator = emulator(SLOW_MS).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("edge")).await;
    let droplet_id: u64 = text(&droplet, "id").parse().unwrap();
    let address = make(
        &provider,
        "digitalocean_reserved_ip",
        obj([("region", Value::from("nyc3"))]),
    )
    .await;
    let ip = text(&address, "ip_address").to_string();
    let type_name = "digitalocean_reserved_ip_assignment";
    let planned = planned(
        &provider,
        type_name,
        obj([
            ("ip_address", Value::from(ip.as_str())),
            ("droplet_id", num(droplet_id)),
        ]),
    )
    .await;
    let intent = Intent::new("digitalocean_reserved_ip_assignment.edge", "default");
    let ctx = within(30);
    let create = provider.create(
        &ctx,
        CreateRequest {
            type_name: type_name.into(),
            planned: planned.clone(),
            intent: intent.clone(),
            private: Vec::new(),
        },
    );
    let actions = format!("/v2/reserved_ips/{ip}/actions");
    kill_after(&emulator, "POST", &actions, create).await;
    assert_eq!(
        emulator.state()["reserved_ips"][0]["droplet"],
        serde_json::Value::Null,
        "the assignment is still in flight when the run dies"
    );

    let found = adopt(&provider, type_name, intent, planned).await;
    assert_eq!(text(&found, "id"), format!("{ip},{droplet_id}"));
    assert_eq!(
        emulator.state()["reserved_ips"][0]["droplet"]["id"],
        droplet_id
    );
    assert_eq!(emulator.request_count("POST", &actions), 1);
    check_exchanges(&emulator);
}
