//! The contract test kit for every resource type, against the DigitalOcean emulator: create,
//! read, update in place (where the type has something to change), delete twice, read gone;
//! adoption of a create whose answer was lost; no adoption for an unused intent. Each test also
//! checks that nothing of its type is left, and that every request the provider sent (and every
//! answer it got) keeps to DigitalOcean's OpenAPI description.

mod support;

use plinth_do_emulator::Emulator;
use plinth_sdk::testkit::{self, Case};
use plinth_sdk::Value;
use support::*;

/// Runs the three kit checks for `case` and checks the exchanges.
async fn kit(emulator: &Emulator, provider: &dyn plinth_sdk::Provider, case: Case) {
    testkit::lifecycle(provider, &case)
        .await
        .unwrap_or_else(|e| panic!("{} lifecycle: {e}", case.type_name));
    testkit::adopts_an_interrupted_create(provider, &case)
        .await
        .unwrap_or_else(|e| panic!("{} adoption: {e}", case.type_name));
    testkit::adopts_nothing_for_an_unused_intent(provider, &case)
        .await
        .unwrap_or_else(|e| panic!("{} adoption of nothing: {e}", case.type_name));
    check_exchanges(emulator);
}

fn case(type_name: &str, create: Value, update: &[(&str, Value)], check: &str) -> Case {
    Case {
        type_name: type_name.into(),
        create,
        update: update
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        check: check.into(),
    }
}

fn droplet_config(name: &str) -> Value {
    obj([
        ("name", Value::from(name)),
        ("size", Value::from("s-1vcpu-1gb")),
        ("image", Value::from("ubuntu-22-04-x64")),
        ("region", Value::from("nyc3")),
        ("tags", strings(&["web"])),
    ])
}

#[tokio::test]
async fn ssh_key_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let create = obj([
        ("name", Value::from("deploy")),
        ("public_key", Value::from(KEY)),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_ssh_key",
            create,
            &[("name", Value::from("deploy-2"))],
            "name",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "ssh_keys"), 0);
}

#[tokio::test]
async fn vpc_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let create = obj([
        ("name", Value::from("app-net")),
        ("region", Value::from("nyc3")),
        ("ip_range", Value::from("10.10.0.0/16")),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_vpc",
            create,
            &[("description", Value::from("the app's network"))],
            "description",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "vpcs"), 0);
}

#[tokio::test]
async fn droplet_keeps_the_contract_and_resizes_in_place() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let create = droplet_config("web-1");
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_droplet",
            create,
            &[("size", Value::from("s-2vcpu-2gb"))],
            "size",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "droplets"), 0);
    let resizes = emulator.state()["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == "resize")
        .count();
    assert_eq!(
        resizes, 1,
        "the size change was a resize, not a replacement"
    );
    let tags: Vec<String> = emulator.state()["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        tags,
        vec!["web"],
        "intent tags are deleted with their Droplet"
    );
}

#[tokio::test]
async fn firewall_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let rule = |protocol: &str, ports: Option<&str>, prefix: &str| {
        obj([
            ("protocol", Value::from(protocol)),
            ("port_range", ports.map_or(Value::Null, Value::from)),
            (
                &*format!("{prefix}_addresses"),
                strings(&["0.0.0.0/0", "::/0"]),
            ),
        ])
    };
    let create = obj([
        ("name", Value::from("web-fw")),
        ("tags", strings(&["web"])),
        (
            "inbound_rule",
            Value::set(vec![
                rule("tcp", Some("22"), "source"),
                rule("icmp", None, "source"),
            ]),
        ),
        (
            "outbound_rule",
            Value::set(vec![rule("tcp", Some("1-65535"), "destination")]),
        ),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_firewall",
            create,
            &[("name", Value::from("web-fw-2"))],
            "name",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "firewalls"), 0);
}

#[tokio::test]
async fn volume_keeps_the_contract_and_grows_in_place() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let create = obj([
        ("name", Value::from("data-1")),
        ("region", Value::from("nyc3")),
        ("size", num(10)),
        ("tags", strings(&["data"])),
    ]);
    kit(
        &emulator,
        &provider,
        case("digitalocean_volume", create, &[("size", num(20))], "size"),
    )
    .await;
    assert_eq!(count(&emulator, "volumes"), 0);
}

#[tokio::test]
async fn volume_attachment_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("db-1")).await;
    let volume = make(
        &provider,
        "digitalocean_volume",
        obj([
            ("name", Value::from("data-2")),
            ("region", Value::from("nyc3")),
            ("size", num(10)),
        ]),
    )
    .await;
    let create = obj([
        ("droplet_id", Value::from(text(&droplet, "id"))),
        ("volume_id", Value::from(text(&volume, "id"))),
    ]);
    kit(
        &emulator,
        &provider,
        case("digitalocean_volume_attachment", create, &[], "id"),
    )
    .await;
    let volumes = emulator.state()["volumes"].clone();
    assert_eq!(
        volumes[0]["droplet_ids"],
        serde_json::json!([]),
        "detached: {volumes}"
    );
}

#[tokio::test]
async fn database_cluster_keeps_the_contract_and_resizes_in_place() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let create = obj([
        ("name", Value::from("app-db")),
        ("engine", Value::from("pg")),
        ("version", Value::from("16")),
        ("size", Value::from("db-s-1vcpu-1gb")),
        ("region", Value::from("nyc3")),
        ("node_count", num(1)),
        ("tags", strings(&["db"])),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_database_cluster",
            create,
            &[("node_count", num(2))],
            "node_count",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "databases"), 0);
}

#[tokio::test]
async fn database_firewall_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("app-1")).await;
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
    let rule =
        |kind: &str, value: &str| obj([("type", Value::from(kind)), ("value", Value::from(value))]);
    let create = obj([
        ("cluster_id", Value::from(text(&cluster, "id"))),
        (
            "rule",
            Value::set(vec![rule("droplet", text(&droplet, "id"))]),
        ),
    ]);
    let update = Value::set(vec![
        rule("ip_addr", "192.0.2.7"),
        rule("droplet", text(&droplet, "id")),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_database_firewall",
            create,
            &[("rule", update)],
            "rule",
        ),
    )
    .await;
    assert_eq!(
        emulator.state()["databases"][0]["rules"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn domain_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let create = obj([("name", Value::from("example.com"))]);
    kit(
        &emulator,
        &provider,
        case("digitalocean_domain", create, &[], "id"),
    )
    .await;
    assert_eq!(count(&emulator, "domains"), 0);
}

#[tokio::test]
async fn record_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    make(
        &provider,
        "digitalocean_domain",
        obj([("name", Value::from("example.com"))]),
    )
    .await;
    let records = count(&emulator, "domain_records");
    let create = obj([
        ("domain", Value::from("example.com")),
        ("type", Value::from("A")),
        ("name", Value::from("www")),
        ("value", Value::from("192.0.2.10")),
        ("ttl", num(300)),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_record",
            create,
            &[("value", Value::from("192.0.2.11"))],
            "value",
        ),
    )
    .await;
    assert_eq!(
        count(&emulator, "domain_records"),
        records,
        "only the domain's own records are left"
    );
}

#[tokio::test]
async fn records_of_every_type_keep_the_description() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    make(
        &provider,
        "digitalocean_domain",
        obj([("name", Value::from("example.com"))]),
    )
    .await;
    let record = |kind: &str, name: &str, value: &str, extra: Vec<(&str, Value)>| {
        let mut pairs = vec![
            ("domain", Value::from("example.com")),
            ("type", Value::from(kind)),
            ("name", Value::from(name)),
            ("value", Value::from(value)),
        ];
        pairs.extend(extra);
        Value::object(pairs)
    };
    let records = [
        record("AAAA", "www", "2001:db8::1", vec![]),
        record("CNAME", "app", "www.example.com", vec![]),
        record("TXT", "@", "v=spf1 -all", vec![]),
        record("MX", "@", "mail.example.com.", vec![("priority", num(10))]),
        record(
            "SRV",
            "_sip._tcp",
            "sip.example.com",
            vec![
                ("priority", num(1)),
                ("port", num(5060)),
                ("weight", num(5)),
            ],
        ),
        record(
            "CAA",
            "@",
            "letsencrypt.org",
            vec![("flags", num(0)), ("tag", Value::from("issue"))],
        ),
    ];
    let mut made = Vec::new();
    for config in records {
        let state = make(&provider, "digitalocean_record", config.clone()).await;
        assert_eq!(
            state.get("value"),
            config.get("value"),
            "the value reads as configured"
        );
        made.push(state);
    }
    for result in read(&provider, "digitalocean_record", made.clone())
        .await
        .into_iter()
        .zip(&made)
    {
        match result {
            (plinth_sdk::ReadResult::Found(now), before) => assert_eq!(&now, before, "no drift"),
            (other, _) => panic!("read {other:?}"),
        }
    }
    check_exchanges(&emulator);
}

#[tokio::test]
async fn reserved_ip_keeps_the_contract_and_is_assigned_in_place() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("edge-1")).await;
    let droplet_id: u64 = text(&droplet, "id").parse().unwrap();
    let create = obj([("region", Value::from("nyc3"))]);
    let assign = [("droplet_id", num(droplet_id))];
    let lifecycle = case("digitalocean_reserved_ip", create, &assign, "droplet_id");
    testkit::lifecycle(&provider, &lifecycle)
        .await
        .expect("lifecycle");
    // Only an address made for a Droplet can be found again (it is assigned to it); one made
    // for a region alone has nothing to find it by, and the schema says it is not crash safe.
    let for_droplet = obj([
        ("region", Value::from("nyc3")),
        ("droplet_id", num(droplet_id)),
    ]);
    let adoptable = case("digitalocean_reserved_ip", for_droplet, &[], "id");
    testkit::adopts_an_interrupted_create(&provider, &adoptable)
        .await
        .expect("adoption");
    testkit::adopts_nothing_for_an_unused_intent(&provider, &lifecycle)
        .await
        .expect("no adoption");
    check_exchanges(&emulator);
    assert_eq!(count(&emulator, "reserved_ips"), 0);
}

#[tokio::test]
async fn reserved_ip_assignment_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("edge-2")).await;
    let ip = make(
        &provider,
        "digitalocean_reserved_ip",
        obj([("region", Value::from("nyc3"))]),
    )
    .await;
    let create = obj([
        ("ip_address", Value::from(text(&ip, "ip_address"))),
        ("droplet_id", Value::from(text(&droplet, "id"))),
    ]);
    kit(
        &emulator,
        &provider,
        case("digitalocean_reserved_ip_assignment", create, &[], "id"),
    )
    .await;
    assert_eq!(
        emulator.state()["reserved_ips"][0]["droplet"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn tag_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_tag",
            obj([("name", Value::from("web"))]),
            &[],
            "id",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "tags"), 0);
}

#[tokio::test]
async fn loadbalancer_keeps_the_contract() {
    let emulator = emulator(20).await;
    let provider = configured(&emulator).await;
    let droplet = make(&provider, "digitalocean_droplet", droplet_config("web-9")).await;
    let create = obj([
        ("name", Value::from("web-lb")),
        ("region", Value::from("nyc3")),
        (
            "forwarding_rule",
            Value::set(vec![obj([
                ("entry_protocol", Value::from("http")),
                ("entry_port", num(80)),
                ("target_protocol", Value::from("http")),
                ("target_port", num(80)),
            ])]),
        ),
        (
            "healthcheck",
            Value::List(vec![obj([
                ("protocol", Value::from("http")),
                ("port", num(80)),
                ("path", Value::from("/healthz")),
            ])]),
        ),
        (
            "droplet_ids",
            Value::set(vec![Value::from(text(&droplet, "id"))]),
        ),
    ]);
    kit(
        &emulator,
        &provider,
        case(
            "digitalocean_loadbalancer",
            create,
            &[("name", Value::from("web-lb-2"))],
            "name",
        ),
    )
    .await;
    assert_eq!(count(&emulator, "load_balancers"), 0);
}
