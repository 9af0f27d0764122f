//! `examples/chatbot-digitalocean` end to end against the DigitalOcean emulator: apply, every
//! object checked through DigitalOcean's API, a no-op plan; a Droplet deleted outside plinth is
//! recreated and its DNS record, the firewall, the load balancer and the database's trusted
//! sources follow it; destroy leaves nothing. Also: a 429 storm slows the apply but never fails
//! it, and a wrong token fails with DigitalOcean's message and the address.

mod support;

use std::collections::BTreeSet;

use plinth_do_emulator::Throttle;
use serde_json::Value;
use support::do_emulator::{copy_example, DoEmulator};
use support::Workspace;

fn example(emulator: &DoEmulator) -> Workspace {
    let mut ws = Workspace::new();
    copy_example("chatbot-digitalocean", &ws);
    emulator.configure(&mut ws);
    ws
}

fn ids(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .map(|i| i["id"].to_string().trim_matches('"').to_string())
        .collect()
}

fn numbers(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.to_string())
        .collect()
}

/// Checks every object the example makes, through the API; returns the Droplets.
#[track_caller]
fn check_objects(emulator: &DoEmulator) -> Vec<Value> {
    let vpcs = emulator.list("/v2/vpcs", "vpcs");
    let vpc = vpcs
        .iter()
        .find(|v| v["name"] == "chatbot-vpc")
        .expect("the VPC");
    assert_eq!(vpc["ip_range"], "10.20.0.0/20");
    let keys = emulator.list("/v2/account/keys", "ssh_keys");
    assert_eq!(keys.len(), 1, "the deploy key");

    let droplets = emulator.list("/v2/droplets?tag_name=chatbot-app", "droplets");
    assert_eq!(droplets.len(), 2, "{droplets:?}");
    for d in &droplets {
        assert_eq!(d["status"], "active");
        assert_eq!(d["vpc_uuid"], vpc["id"]);
        assert_eq!(d["size_slug"], "s-1vcpu-2gb");
    }
    let droplet_ids: BTreeSet<String> = ids(&droplets);

    let firewalls = emulator.list("/v2/firewalls", "firewalls");
    assert_eq!(firewalls.len(), 1);
    let firewall = &firewalls[0];
    assert_eq!(
        numbers(&firewall["droplet_ids"]),
        droplet_ids,
        "the firewall covers the Droplets"
    );
    let ports: BTreeSet<&str> = firewall["inbound_rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ports"].as_str())
        .collect();
    assert_eq!(ports, BTreeSet::from(["22", "443", "80"]));

    let databases = emulator.get("/v2/databases")["databases"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(databases.len(), 1);
    let database = &databases[0];
    assert_eq!(database["status"], "online");
    assert_eq!(database["engine"], "pg");
    assert_eq!(database["private_network_uuid"], vpc["id"]);
    let sources = emulator.get(&format!(
        "/v2/databases/{}/firewall",
        database["id"].as_str().unwrap()
    ))["rules"]
        .clone();
    let trusted: BTreeSet<String> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["type"], "droplet", "only Droplets are trusted");
            r["value"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        trusted, droplet_ids,
        "the database trusts exactly the Droplets"
    );

    let balancers = emulator.list("/v2/load_balancers", "load_balancers");
    assert_eq!(balancers.len(), 1, "two Droplets get a load balancer");
    let balancer = &balancers[0];
    assert_eq!(balancer["status"], "active");
    assert_eq!(numbers(&balancer["droplet_ids"]), droplet_ids);

    let records = emulator.list(
        "/v2/domains/chatbot.example.com/records?type=A",
        "domain_records",
    );
    let apex = records
        .iter()
        .find(|r| r["name"] == "@")
        .expect("the apex record");
    assert_eq!(
        apex["data"], balancer["ip"],
        "the apex points at the load balancer"
    );
    for d in &droplets {
        let public = d["networks"]["v4"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["type"] == "public")
            .unwrap()["ip_address"]
            .clone();
        let record = records
            .iter()
            .find(|r| r["name"] == d["name"])
            .expect("a record per Droplet");
        assert_eq!(record["data"], public, "the record follows its Droplet");
    }
    droplets
}

#[test]
fn the_chatbot_example_applies_follows_a_lost_droplet_and_destroys_to_zero() {
    let emulator = DoEmulator::start(50);
    let ws = example(&emulator);
    let applied = ws.apply();
    applied.expect_stdout("Apply complete! Resources: 13 added, 0 changed, 0 destroyed.");
    let before = check_objects(&emulator);
    ws.plan(&[]).expect_code(0);

    // Lost outside plinth: the second Droplet.
    let lost = before.iter().find(|d| d["name"] == "chatbot-2").unwrap()["id"].to_string();
    assert_eq!(emulator.delete(&format!("/v2/droplets/{lost}")), 204);
    assert!(
        support::wait_until(std::time::Duration::from_secs(10), || {
            !ids(&emulator.list("/v2/droplets", "droplets")).contains(&lost)
        }),
        "the Droplet deleted through the API is gone"
    );
    // The drift check names it and fails (exit 2) before anything is repaired.
    ws.run(&["drift", "-json"])
        .expect_code(2)
        .expect_stdout(r#""address":"digitalocean_droplet.app[1]""#);
    let plan = ws.plan(&[]);
    plan.expect_code(2)
        .expect_stdout("# digitalocean_droplet.app[1] will be created")
        .expect_stdout("# digitalocean_record.app[1] will be updated in-place")
        .expect_stdout("# digitalocean_firewall.app will be updated in-place")
        .expect_stdout("# digitalocean_loadbalancer.web[0] will be updated in-place")
        .expect_stdout("# digitalocean_database_firewall.main will be updated in-place")
        .expect_stdout("Plan: 1 to add, 4 to change, 0 to destroy.");
    ws.apply()
        .expect_stdout("Resources: 1 added, 4 changed, 0 destroyed.");
    let after = check_objects(&emulator);
    assert!(
        !ids(&after).contains(&lost),
        "a new Droplet replaced the lost one"
    );
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);

    let password = emulator.get("/v2/databases")["databases"][0]["connection"]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = ws.run(&["show"]);
    shown.expect_ok().expect_nowhere(&password);
    applied.expect_nowhere(&password);

    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Resources: 13 destroyed.");
    let left = emulator.inner().state();
    for kind in [
        "droplets",
        "vpcs",
        "firewalls",
        "volumes",
        "databases",
        "domains",
        "domain_records",
        "reserved_ips",
        "load_balancers",
        "ssh_keys",
    ] {
        assert_eq!(
            left[kind].as_array().map_or(0, Vec::len),
            0,
            "{kind} left: {}",
            left[kind]
        );
    }
    // The Droplet deleted outside plinth took no bookkeeping with it: its intent tag, carried by
    // nothing, is all that is left.
    let tags: Vec<&Value> = left["tags"].as_array().unwrap().iter().collect();
    assert!(
        tags.iter().all(
            |t| t["name"].as_str().unwrap().starts_with("plinth-intent:")
                && t["resources"]["count"] == 0
        ),
        "{tags:?}"
    );
    assert!(tags.len() <= 1, "{tags:?}");
}

#[test]
fn a_429_storm_slows_the_example_but_never_fails_it() {
    let emulator = DoEmulator::start(50);
    let ws = example(&emulator);
    emulator.knobs(|k| {
        k.record = true;
        k.throttle = Some(Throttle {
            every: 3,
            duration_ms: 2000,
        });
    });
    ws.apply()
        .expect_stdout("Apply complete! Resources: 13 added");
    let refused = emulator
        .inner()
        .exchanges()
        .iter()
        .filter(|e| e.status == 429)
        .count();
    assert!(refused > 0, "the storm refused requests");
    check_objects(&emulator);
    ws.plan(&[]).expect_code(0);
}

#[test]
fn a_wrong_token_fails_naming_the_address_and_digitaloceans_message() {
    let emulator = DoEmulator::start(10);
    let mut ws = example(&emulator);
    ws.set_env("DIGITALOCEAN_TOKEN", "wrong-token");
    let outcome = ws.run(&["apply", "-auto-approve"]);
    outcome
        .expect_code(1)
        .expect_stderr("Unable to authenticate you")
        .expect_stderr("digitalocean_")
        .expect_nowhere("wrong-token");
    assert_eq!(
        emulator.inner().state()["droplets"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
