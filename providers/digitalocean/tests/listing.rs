//! Listing every object of a type (`plinth drift -unmanaged`): each listable type answers with
//! every object the account holds, as `import` renders it, through its list endpoint 200 a call;
//! what DigitalOcean makes itself (a region's default VPC, a domain's SOA and NS records) and
//! plinth's intent tags are not listed, since no configuration could manage them.

mod support;

use std::collections::BTreeSet;

use plinth_sdk::{ListRequest, Provider, Value};
use support::*;

/// The ids `list` answers for a type, after checking it could list it without errors.
async fn listed(provider: &dyn Provider, type_name: &str) -> (BTreeSet<String>, Vec<Value>) {
    let response = provider
        .list(
            &within(60),
            ListRequest {
                type_name: type_name.into(),
            },
        )
        .await;
    assert!(response.supported, "{type_name} can be listed");
    assert!(
        !response.diagnostics.has_errors(),
        "listing {type_name}: {}",
        response.diagnostics
    );
    let ids = response
        .objects
        .iter()
        .map(|o| text(o, "id").to_string())
        .collect();
    (ids, response.objects)
}

fn ids_of(objects: &[&Value]) -> BTreeSet<String> {
    objects.iter().map(|o| text(o, "id").to_string()).collect()
}

#[tokio::test]
async fn every_listable_type_lists_what_the_account_holds_and_nothing_digitalocean_owns() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let droplet = make(
        &provider,
        "digitalocean_droplet",
        obj([
            ("name", Value::from("web-1")),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
            ("tags", strings(&["web"])),
        ]),
    )
    .await;
    let droplet_id: u64 = text(&droplet, "id").parse().unwrap();
    let key = make(
        &provider,
        "digitalocean_ssh_key",
        obj([
            ("name", Value::from("deploy")),
            ("public_key", Value::from(KEY)),
        ]),
    )
    .await;
    let vpc = make(
        &provider,
        "digitalocean_vpc",
        obj([
            ("name", Value::from("app")),
            ("region", Value::from("nyc3")),
        ]),
    )
    .await;
    let volume = make(
        &provider,
        "digitalocean_volume",
        obj([
            ("name", Value::from("data")),
            ("region", Value::from("nyc3")),
            ("size", num(10)),
        ]),
    )
    .await;
    let firewall = make(
        &provider,
        "digitalocean_firewall",
        obj([
            ("name", Value::from("ssh")),
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
    let domain = make(
        &provider,
        "digitalocean_domain",
        obj([("name", Value::from("example.com"))]),
    )
    .await;
    let record = make(
        &provider,
        "digitalocean_record",
        obj([
            ("domain", Value::from("example.com")),
            ("type", Value::from("A")),
            ("name", Value::from("www")),
            ("value", Value::from("192.0.2.10")),
        ]),
    )
    .await;
    let database = make(
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
    let balancer = make(
        &provider,
        "digitalocean_loadbalancer",
        obj([
            ("name", Value::from("web-lb")),
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
        ]),
    )
    .await;
    let address = make(
        &provider,
        "digitalocean_reserved_ip",
        obj([
            ("region", Value::from("nyc3")),
            ("droplet_id", num(droplet_id)),
        ]),
    )
    .await;
    let tag = make(
        &provider,
        "digitalocean_tag",
        obj([("name", Value::from("team-a"))]),
    )
    .await;

    let expected: [(&str, Vec<&Value>); 12] = [
        ("digitalocean_droplet", vec![&droplet]),
        ("digitalocean_ssh_key", vec![&key]),
        // The region's default VPC, made with the first Droplet, is DigitalOcean's.
        ("digitalocean_vpc", vec![&vpc]),
        ("digitalocean_volume", vec![&volume]),
        ("digitalocean_firewall", vec![&firewall]),
        ("digitalocean_domain", vec![&domain]),
        // The domain's SOA record and its three NS records are DigitalOcean's.
        ("digitalocean_record", vec![&record]),
        ("digitalocean_database_cluster", vec![&database]),
        // A cluster without trusted sources has no firewall.
        ("digitalocean_database_firewall", vec![]),
        ("digitalocean_loadbalancer", vec![&balancer]),
        ("digitalocean_reserved_ip", vec![&address]),
        // `web` was made by the Droplet's create; intent tags are plinth's bookkeeping.
        ("digitalocean_tag", vec![&tag]),
    ];
    for (type_name, objects) in expected {
        let (ids, values) = listed(&provider, type_name).await;
        let mut wanted = ids_of(&objects);
        if type_name == "digitalocean_tag" {
            wanted.insert("web".into());
        }
        assert_eq!(ids, wanted, "{type_name}: the objects listed");
        for value in &values {
            assert!(
                value.get("id").and_then(Value::as_str).is_some(),
                "{type_name}: {value}"
            );
        }
    }
    let (_, records) = listed(&provider, "digitalocean_record").await;
    assert_eq!(text(&records[0], "domain"), "example.com");
    assert_eq!(text(&records[0], "value"), "192.0.2.10");
    let (_, droplets) = listed(&provider, "digitalocean_droplet").await;
    assert_eq!(droplets[0].get("tags"), droplet.get("tags"));

    // Types that only join other objects are not listed.
    for type_name in [
        "digitalocean_volume_attachment",
        "digitalocean_reserved_ip_assignment",
    ] {
        let response = provider
            .list(
                &within(10),
                ListRequest {
                    type_name: type_name.into(),
                },
            )
            .await;
        assert!(!response.supported, "{type_name} is not listed");
    }
    check_exchanges(&emulator);
}

#[tokio::test]
async fn listing_reads_200_objects_a_call() {
    let emulator = emulator_with(plinth_do_emulator::Knobs::default()).await;
    let provider = configured(&emulator).await;
    for i in 0..201 {
        make(
            &provider,
            "digitalocean_tag",
            obj([("name", Value::from(format!("team-{i}")))]),
        )
        .await;
    }
    emulator.reset_request_counts();
    let (ids, _) = listed(&provider, "digitalocean_tag").await;
    assert_eq!(ids.len(), 201);
    assert_eq!(emulator.request_count("GET", "/v2/tags"), 2);
    assert_eq!(emulator.request_counts().values().sum::<u64>(), 2);
}
