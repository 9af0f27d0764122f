//! Batched refresh: `read_many` reads each type through its list endpoint, 200 objects a call,
//! so refreshing N objects of a type costs ⌈N/200⌉ calls (records: per domain; assignments and
//! attachments through the list of what they join), never one GET per object; an object deleted
//! outside plinth reads as gone after one confirming GET; a state that manages a few objects of
//! a large account reads them alone rather than every page.

mod support;

use std::collections::BTreeMap;

use plinth_do_emulator::{Emulator, Knobs};
use plinth_sdk::{Provider, ReadResult, Value};
use support::*;

const PER_PAGE: usize = 200;

/// Creates `n` objects of a type from `config(i)`.
async fn make_many(
    provider: &dyn Provider,
    type_name: &str,
    n: usize,
    config: impl Fn(usize) -> Value,
) -> Vec<Value> {
    let mut made = Vec::with_capacity(n);
    for i in 0..n {
        made.push(make(provider, type_name, config(i)).await);
    }
    made
}

/// Reads `objects` and returns the results and the API calls the read made, by path.
async fn counted_read(
    emulator: &Emulator,
    provider: &dyn Provider,
    type_name: &str,
    objects: &[Value],
) -> (Vec<ReadResult>, BTreeMap<String, u64>) {
    emulator.reset_request_counts();
    let results = read(provider, type_name, objects.to_vec()).await;
    assert_eq!(results.len(), objects.len(), "one result per object");
    (results, emulator.request_counts())
}

fn pages(n: usize) -> u64 {
    n.div_ceil(PER_PAGE) as u64
}

/// Every result is Found and, for types that have nothing to settle, equal to the state.
fn all_found(results: &[ReadResult], objects: &[Value], type_name: &str) {
    for (result, object) in results.iter().zip(objects) {
        match result {
            ReadResult::Found(now) => assert_eq!(now, object, "{type_name} drifted"),
            other => panic!("{type_name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn refresh_costs_one_list_call_per_200_objects_of_each_type() {
    let emulator = emulator_with(Knobs::default()).await;
    let provider = configured(&emulator).await;
    let droplets = make_many(&provider, "digitalocean_droplet", 450, |i| {
        obj([
            ("name", Value::from(format!("web-{i}"))),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
        ])
    })
    .await;
    let volumes = make_many(&provider, "digitalocean_volume", 201, |i| {
        obj([
            ("name", Value::from(format!("data-{i}"))),
            ("region", Value::from("nyc3")),
            ("size", num(10)),
        ])
    })
    .await;
    let mut domains = Vec::new();
    for name in ["example.com", "example.org"] {
        domains.push(
            make(
                &provider,
                "digitalocean_domain",
                obj([("name", Value::from(name))]),
            )
            .await,
        );
    }
    let big = make_many(&provider, "digitalocean_record", 205, |i| {
        obj([
            ("domain", Value::from("example.com")),
            ("type", Value::from("A")),
            ("name", Value::from(format!("host-{i}"))),
            ("value", Value::from("192.0.2.1")),
        ])
    })
    .await;
    let small = make_many(&provider, "digitalocean_record", 3, |i| {
        obj([
            ("domain", Value::from("example.org")),
            ("type", Value::from("TXT")),
            ("name", Value::from(format!("note-{i}"))),
            ("value", Value::from("hello")),
        ])
    })
    .await;
    let records: Vec<Value> = big.iter().chain(&small).cloned().collect();
    let firewalls = make_many(&provider, "digitalocean_firewall", 3, |i| {
        obj([
            ("name", Value::from(format!("fw-{i}"))),
            (
                "inbound_rule",
                Value::set(vec![obj([
                    ("protocol", Value::from("tcp")),
                    ("port_range", Value::from("22")),
                    ("source_addresses", strings(&["0.0.0.0/0"])),
                ])]),
            ),
        ])
    })
    .await;
    let databases = make_many(&provider, "digitalocean_database_cluster", 2, |i| {
        obj([
            ("name", Value::from(format!("db-{i}"))),
            ("engine", Value::from("pg")),
            ("size", Value::from("db-s-1vcpu-1gb")),
            ("region", Value::from("nyc3")),
            ("node_count", num(1)),
        ])
    })
    .await;
    let balancers = make_many(&provider, "digitalocean_loadbalancer", 2, |i| {
        obj([
            ("name", Value::from(format!("lb-{i}"))),
            ("region", Value::from("nyc3")),
            (
                "forwarding_rule",
                Value::set(vec![obj([
                    ("entry_protocol", Value::from("tcp")),
                    ("entry_port", num(80)),
                    ("target_protocol", Value::from("tcp")),
                    ("target_port", num(80)),
                ])]),
            ),
        ])
    })
    .await;

    let cases: Vec<(&str, &[Value], BTreeMap<String, u64>)> = vec![
        (
            "digitalocean_droplet",
            &droplets,
            BTreeMap::from([("GET /v2/droplets".to_string(), pages(450))]),
        ),
        (
            "digitalocean_volume",
            &volumes,
            BTreeMap::from([("GET /v2/volumes".to_string(), pages(201))]),
        ),
        (
            "digitalocean_domain",
            &domains,
            BTreeMap::from([("GET /v2/domains".to_string(), 1)]),
        ),
        (
            "digitalocean_record",
            &records,
            // example.com also holds its three NS records and its SOA record: 209 in all.
            BTreeMap::from([
                (
                    "GET /v2/domains/example.com/records".to_string(),
                    pages(209),
                ),
                ("GET /v2/domains/example.org/records".to_string(), 1),
            ]),
        ),
        (
            "digitalocean_firewall",
            &firewalls,
            BTreeMap::from([("GET /v2/firewalls".to_string(), 1)]),
        ),
        (
            "digitalocean_database_cluster",
            &databases,
            BTreeMap::from([("GET /v2/databases".to_string(), 1)]),
        ),
        (
            "digitalocean_loadbalancer",
            &balancers,
            BTreeMap::from([("GET /v2/load_balancers".to_string(), 1)]),
        ),
    ];
    let mut total = 0;
    let mut bound = 0;
    for (type_name, objects, expected) in cases {
        let (results, calls) = counted_read(&emulator, &provider, type_name, objects).await;
        all_found(&results, objects, type_name);
        assert_eq!(calls, expected, "{type_name}: the calls of its refresh");
        total += calls.values().sum::<u64>();
        bound += pages(objects.len());
    }
    // The records of two domains cost a call each: Σ⌈N/200⌉ counts them as one type.
    assert_eq!(
        total,
        bound + 1,
        "refresh calls: {total}, Σ⌈N/200⌉ = {bound}"
    );
    println!(
        "refresh of {} objects in 7 types: {total} calls",
        droplets.len() + volumes.len() + records.len() + 11
    );
}

#[tokio::test]
async fn refresh_of_the_account_networking_and_joining_types_costs_one_list_call_each() {
    let emulator = emulator_with(Knobs::default()).await;
    let provider = configured(&emulator).await;
    let droplet = make(
        &provider,
        "digitalocean_droplet",
        obj([
            ("name", Value::from("app-1")),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
        ]),
    )
    .await;
    let droplet_id = text(&droplet, "id").to_string();
    let vpcs = make_many(&provider, "digitalocean_vpc", 3, |i| {
        obj([
            ("name", Value::from(format!("net-{i}"))),
            ("region", Value::from("nyc3")),
        ])
    })
    .await;
    let keys = vec![
        make(
            &provider,
            "digitalocean_ssh_key",
            obj([("name", Value::from("k")), ("public_key", Value::from(KEY))]),
        )
        .await,
    ];
    let tags = make_many(&provider, "digitalocean_tag", 3, |i| {
        obj([("name", Value::from(format!("team-{i}")))])
    })
    .await;
    let addresses = make_many(&provider, "digitalocean_reserved_ip", 2, |_| {
        obj([("region", Value::from("nyc3"))])
    })
    .await;
    let assignments = vec![
        make(
            &provider,
            "digitalocean_reserved_ip_assignment",
            obj([
                ("ip_address", Value::from(text(&addresses[0], "ip_address"))),
                ("droplet_id", Value::from(droplet_id.as_str())),
            ]),
        )
        .await,
    ];
    let volumes = make_many(&provider, "digitalocean_volume", 2, |i| {
        obj([
            ("name", Value::from(format!("disk-{i}"))),
            ("region", Value::from("nyc3")),
            ("size", num(10)),
        ])
    })
    .await;
    let attachments = make_many(&provider, "digitalocean_volume_attachment", 2, |i| {
        obj([
            ("droplet_id", Value::from(droplet_id.as_str())),
            ("volume_id", Value::from(text(&volumes[i], "id"))),
        ])
    })
    .await;
    let clusters = make_many(&provider, "digitalocean_database_cluster", 2, |i| {
        obj([
            ("name", Value::from(format!("db-{i}"))),
            ("engine", Value::from("pg")),
            ("size", Value::from("db-s-1vcpu-1gb")),
            ("region", Value::from("nyc3")),
            ("node_count", num(1)),
        ])
    })
    .await;
    let database_firewalls = make_many(&provider, "digitalocean_database_firewall", 2, |i| {
        obj([
            ("cluster_id", Value::from(text(&clusters[i], "id"))),
            (
                "rule",
                Value::set(vec![obj([
                    ("type", Value::from("droplet")),
                    ("value", Value::from(droplet_id.as_str())),
                ])]),
            ),
        ])
    })
    .await;

    let one = |path: &str| BTreeMap::from([(format!("GET {path}"), 1)]);
    let cases: Vec<(&str, &[Value], BTreeMap<String, u64>)> = vec![
        ("digitalocean_vpc", &vpcs, one("/v2/vpcs")),
        ("digitalocean_ssh_key", &keys, one("/v2/account/keys")),
        ("digitalocean_tag", &tags, one("/v2/tags")),
        (
            "digitalocean_reserved_ip",
            &addresses,
            one("/v2/reserved_ips"),
        ),
        (
            "digitalocean_reserved_ip_assignment",
            &assignments,
            one("/v2/reserved_ips"),
        ),
        (
            "digitalocean_volume_attachment",
            &attachments,
            one("/v2/volumes"),
        ),
        (
            "digitalocean_database_firewall",
            &database_firewalls,
            one("/v2/databases"),
        ),
    ];
    for (type_name, objects, expected) in cases {
        let (results, calls) = counted_read(&emulator, &provider, type_name, objects).await;
        for result in &results {
            assert!(
                matches!(result, ReadResult::Found(_)),
                "{type_name}: {result:?}"
            );
        }
        assert_eq!(calls, expected, "{type_name}: the calls of its refresh");
    }
}

#[tokio::test]
async fn objects_deleted_outside_plinth_read_as_gone_after_one_confirming_get() {
    let emulator = emulator_with(Knobs::default()).await;
    let provider = configured(&emulator).await;
    let droplets = make_many(&provider, "digitalocean_droplet", 5, |i| {
        obj([
            ("name", Value::from(format!("web-{i}"))),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
        ])
    })
    .await;
    for gone in [&droplets[1], &droplets[3]] {
        assert!(emulator.delete_object("droplets", text(gone, "id")));
    }
    let (results, calls) =
        counted_read(&emulator, &provider, "digitalocean_droplet", &droplets).await;
    let gone: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == ReadResult::Gone)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(gone, vec![1, 3]);
    assert_eq!(calls.get("GET /v2/droplets"), Some(&1));
    let confirmations: u64 = calls
        .iter()
        .filter(|(k, _)| k.starts_with("GET /v2/droplets/"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(confirmations, 2, "{calls:?}");
}

#[tokio::test]
async fn a_few_objects_of_a_large_account_are_read_alone() {
    let emulator = emulator_with(Knobs::default()).await;
    let provider = configured(&emulator).await;
    let droplets = make_many(&provider, "digitalocean_droplet", 650, |i| {
        obj([
            ("name", Value::from(format!("web-{i}"))),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
        ])
    })
    .await;
    // Two Droplets on the last page: reading every page would cost 4 calls.
    let managed = vec![droplets[640].clone(), droplets[645].clone()];
    let (results, calls) =
        counted_read(&emulator, &provider, "digitalocean_droplet", &managed).await;
    all_found(&results, &managed, "digitalocean_droplet");
    let total: u64 = calls.values().sum();
    assert_eq!(total, 3, "one page, then the two missing alone: {calls:?}");
}

#[tokio::test]
async fn the_records_of_a_domain_deleted_outside_plinth_read_as_gone() {
    let emulator = emulator_with(Knobs::default()).await;
    let provider = configured(&emulator).await;
    make(
        &provider,
        "digitalocean_domain",
        obj([("name", Value::from("example.com"))]),
    )
    .await;
    let records = make_many(&provider, "digitalocean_record", 3, |i| {
        obj([
            ("domain", Value::from("example.com")),
            ("type", Value::from("A")),
            ("name", Value::from(format!("host-{i}"))),
            ("value", Value::from("192.0.2.1")),
        ])
    })
    .await;
    assert!(emulator.delete_object("domains", "example.com"));
    let (results, calls) =
        counted_read(&emulator, &provider, "digitalocean_record", &records).await;
    assert_eq!(results, vec![ReadResult::Gone; 3]);
    assert_eq!(calls.values().sum::<u64>(), 1, "{calls:?}");
}

/// Nested blocks as a state file gives them back: plain lists.
fn blocks_as_lists(value: &Value) -> Value {
    match value {
        Value::Map(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Set(items) if items.iter().all(|i| matches!(i, Value::Map(_))) => {
                            Value::List(items.clone())
                        }
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[tokio::test]
async fn blocks_read_from_a_state_file_show_no_drift() {
    // What broke: a database firewall read back its rules as a set while state held them as
    // the list a state file gives, so every plan showed the firewall changed and updated it.
    let emulator = emulator_with(Knobs::default()).await;
    let provider = configured(&emulator).await;
    let droplet = make(
        &provider,
        "digitalocean_droplet",
        obj([
            ("name", Value::from("app")),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
        ]),
    )
    .await;
    let cluster = make(
        &provider,
        "digitalocean_database_cluster",
        obj([
            ("name", Value::from("app-db")),
            ("engine", Value::from("pg")),
            ("size", Value::from("db-s-1vcpu-1gb")),
            ("region", Value::from("nyc3")),
            ("node_count", num(1)),
        ]),
    )
    .await;
    let rule = obj([
        ("type", Value::from("droplet")),
        ("value", Value::from(text(&droplet, "id"))),
    ]);
    let trusted = make(
        &provider,
        "digitalocean_database_firewall",
        obj([
            ("cluster_id", Value::from(text(&cluster, "id"))),
            ("rule", Value::set(vec![rule])),
        ]),
    )
    .await;
    let firewall = make(
        &provider,
        "digitalocean_firewall",
        obj([
            ("name", Value::from("fw")),
            (
                "inbound_rule",
                Value::set(vec![obj([
                    ("protocol", Value::from("tcp")),
                    ("port_range", Value::from("22")),
                    ("source_addresses", strings(&["0.0.0.0/0"])),
                ])]),
            ),
        ]),
    )
    .await;
    for (type_name, object) in [
        ("digitalocean_database_firewall", trusted),
        ("digitalocean_firewall", firewall),
    ] {
        let stored = blocks_as_lists(&object);
        let results = read(&provider, type_name, vec![stored.clone()]).await;
        assert_eq!(results, vec![ReadResult::Found(stored)], "{type_name}");
    }
}
