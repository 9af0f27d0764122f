//! In-place changes beyond the contract kit's single attribute, the plan refinements, and
//! imports by the Terraform provider's import ids.

mod support;

use plinth_sdk::{
    AttrPath, ImportRequest, PlanRequest, Provider, ReadResult, UpdateRequest, Value,
};
use support::*;

async fn update(
    provider: &dyn Provider,
    type_name: &str,
    prior: &Value,
    changes: &[(&str, Value)],
) -> Value {
    let mut planned = prior.as_map().unwrap().clone();
    for (name, value) in changes {
        planned.insert(name.to_string(), value.clone());
    }
    let response = provider
        .update(
            &within(60),
            UpdateRequest {
                type_name: type_name.into(),
                prior: prior.clone(),
                planned: Value::Map(planned),
                private: Vec::new(),
            },
        )
        .await;
    assert!(
        !response.diagnostics.has_errors(),
        "{}",
        response.diagnostics
    );
    response.new_state.expect("the updated object")
}

async fn import(provider: &dyn Provider, type_name: &str, id: &str) -> plinth_sdk::ObjectResponse {
    provider
        .import(
            &within(30),
            ImportRequest {
                type_name: type_name.into(),
                id: id.into(),
            },
        )
        .await
}

#[tokio::test]
async fn a_droplet_is_renamed_backed_up_given_ipv6_retagged_and_given_a_volume_in_place() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let before = make(
        &provider,
        "digitalocean_droplet",
        obj([
            ("name", Value::from("web-1")),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
            ("tags", strings(&["web", "old"])),
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
    let after = update(
        &provider,
        "digitalocean_droplet",
        &before,
        &[
            ("name", Value::from("web-one")),
            ("backups", Value::Bool(true)),
            ("ipv6", Value::Bool(true)),
            ("tags", strings(&["web", "new"])),
            ("volume_ids", strings(&[text(&volume, "id")])),
        ],
    )
    .await;
    assert_eq!(text(&after, "id"), text(&before, "id"), "changed in place");
    assert_eq!(text(&after, "name"), "web-one");
    assert_eq!(after.get("backups"), Some(&Value::Bool(true)));
    assert!(text(&after, "ipv6_address").starts_with("2001:db8:"));
    assert_eq!(after.get("tags"), Some(&strings(&["new", "web"])));
    assert_eq!(
        after.get("volume_ids"),
        Some(&strings(&[text(&volume, "id")]))
    );
    let held = &emulator.state()["droplets"][0];
    let tags: Vec<&str> = held["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(tags.contains(&"new") && !tags.contains(&"old"), "{tags:?}");
    assert!(
        tags.iter().any(|t| t.starts_with("plinth-intent:")),
        "the intent tag is kept: {tags:?}"
    );
    let read_back = read(&provider, "digitalocean_droplet", vec![after.clone()]).await;
    assert_eq!(
        read_back,
        vec![ReadResult::Found(after)],
        "no drift after the update"
    );
    check_exchanges(&emulator);
}

#[tokio::test]
async fn plans_say_what_changes_in_place_and_what_replaces() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let prior = obj([
        ("id", Value::from("1")),
        ("size", Value::from("s-1vcpu-1gb")),
        ("ipv6", Value::Bool(true)),
        ("disk", num(25)),
        ("vcpus", num(1)),
        ("resize_disk", Value::Bool(true)),
    ]);
    let mut proposed = prior.as_map().unwrap().clone();
    proposed.insert("size".into(), Value::from("s-2vcpu-2gb"));
    proposed.insert("ipv6".into(), Value::Bool(false));
    let plan = provider
        .plan(
            &within(10),
            PlanRequest {
                type_name: "digitalocean_droplet".into(),
                prior: Some(prior),
                proposed: Value::Map(proposed),
                prior_private: Vec::new(),
            },
        )
        .await;
    assert_eq!(plan.requires_replace, vec![AttrPath::attr("ipv6")]);
    assert_eq!(plan.planned.get("vcpus"), Some(&Value::Unknown));
    assert_eq!(plan.planned.get("disk"), Some(&Value::Unknown));

    let volume = obj([("id", Value::from("v")), ("size", num(20))]);
    let plan = provider
        .plan(
            &within(10),
            PlanRequest {
                type_name: "digitalocean_volume".into(),
                prior: Some(volume),
                proposed: obj([("id", Value::from("v")), ("size", num(10))]),
                prior_private: Vec::new(),
            },
        )
        .await;
    assert_eq!(
        plan.requires_replace,
        vec![AttrPath::attr("size")],
        "a volume cannot shrink"
    );

    let cluster = obj([("id", Value::from("c")), ("tags", strings(&["a"]))]);
    let plan = provider
        .plan(
            &within(10),
            PlanRequest {
                type_name: "digitalocean_database_cluster".into(),
                prior: Some(cluster),
                proposed: obj([("id", Value::from("c")), ("tags", strings(&["b"]))]),
                prior_private: Vec::new(),
            },
        )
        .await;
    assert!(plan.diagnostics.has_errors());
    assert_eq!(
        plan.diagnostics.0[0].attribute,
        Some(AttrPath::attr("tags"))
    );

    let record = obj([
        ("domain", Value::from("example.com")),
        ("type", Value::from("SRV")),
        ("name", Value::from("_sip._tcp")),
        ("value", Value::from("sip.example.com")),
        ("priority", num(1)),
    ]);
    let plan = provider
        .plan(
            &within(10),
            PlanRequest {
                type_name: "digitalocean_record".into(),
                prior: None,
                proposed: record,
                prior_private: Vec::new(),
            },
        )
        .await;
    let missing: Vec<String> = plan
        .diagnostics
        .0
        .iter()
        .filter_map(|d| d.attribute.as_ref().map(|a| a.to_string()))
        .collect();
    assert_eq!(missing, vec!["port", "weight"]);
}

#[tokio::test]
async fn objects_are_imported_by_the_terraform_providers_ids() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let droplet = make(
        &provider,
        "digitalocean_droplet",
        obj([
            ("name", Value::from("web")),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
        ]),
    )
    .await;
    let droplet_id = text(&droplet, "id").to_string();
    make(
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
            ("value", Value::from("192.0.2.1")),
        ]),
    )
    .await;
    let ip = make(
        &provider,
        "digitalocean_reserved_ip",
        obj([("region", Value::from("nyc3"))]),
    )
    .await;
    let ip_address = text(&ip, "ip_address").to_string();
    make(
        &provider,
        "digitalocean_reserved_ip_assignment",
        obj([
            ("ip_address", Value::from(ip_address.as_str())),
            ("droplet_id", Value::from(droplet_id.as_str())),
        ]),
    )
    .await;

    let imported = import(&provider, "digitalocean_droplet", &droplet_id)
        .await
        .new_state
        .expect("imported");
    assert_eq!(imported.get("ipv4_address"), droplet.get("ipv4_address"));
    assert_eq!(
        imported.get("image"),
        Some(&Value::from("ubuntu-22-04-x64"))
    );
    assert_eq!(imported.get("resize_disk"), Some(&Value::Bool(true)));
    let imported = import(
        &provider,
        "digitalocean_record",
        &format!("example.com,{}", text(&record, "id")),
    )
    .await
    .new_state
    .expect("imported");
    assert_eq!(text(&imported, "fqdn"), "www.example.com");
    let imported = import(
        &provider,
        "digitalocean_reserved_ip_assignment",
        &format!("{ip_address},{droplet_id}"),
    )
    .await
    .new_state
    .expect("imported");
    assert_eq!(text(&imported, "id"), format!("{ip_address},{droplet_id}"));
    let imported = import(&provider, "digitalocean_domain", "example.com")
        .await
        .new_state
        .expect("imported");
    assert_eq!(text(&imported, "urn"), "do:domain:example.com");

    let wrong = import(&provider, "digitalocean_record", "www").await;
    assert!(
        wrong.diagnostics.to_string().contains("`domain,id`"),
        "{}",
        wrong.diagnostics
    );
    let missing = import(&provider, "digitalocean_droplet", "999").await;
    assert!(
        missing
            .diagnostics
            .to_string()
            .contains("could not be found"),
        "{}",
        missing.diagnostics
    );
    check_exchanges(&emulator);
}

/// Regression: `plinth drift -unmanaged -generate-config-out` writes the id `list` reports (the
/// record's id alone) into import blocks, and importing it failed for want of `domain,`, so lost
/// state could not be rebuilt for DNS records.
#[tokio::test]
async fn a_record_is_imported_by_the_bare_id_its_listing_reports() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    for domain in ["example.com", "example.org"] {
        make(
            &provider,
            "digitalocean_domain",
            obj([("name", Value::from(domain))]),
        )
        .await;
    }
    let record = make(
        &provider,
        "digitalocean_record",
        obj([
            ("domain", Value::from("example.org")),
            ("type", Value::from("A")),
            ("name", Value::from("www")),
            ("value", Value::from("192.0.2.1")),
        ]),
    )
    .await;
    let id = text(&record, "id").to_string();
    let listed = provider
        .list(
            &within(30),
            plinth_sdk::ListRequest {
                type_name: "digitalocean_record".into(),
            },
        )
        .await;
    assert!(
        listed.objects.iter().any(|o| text(o, "id") == id),
        "the listing reports the bare id {id}: {:?}",
        listed.objects
    );
    let imported = import(&provider, "digitalocean_record", &id)
        .await
        .new_state
        .expect("imported by its id alone");
    assert_eq!(text(&imported, "id"), id);
    assert_eq!(text(&imported, "domain"), "example.org");
    assert_eq!(text(&imported, "fqdn"), "www.example.org");
    assert_eq!(text(&imported, "value"), "192.0.2.1");
    let unknown = import(&provider, "digitalocean_record", "999999").await;
    assert!(
        unknown.diagnostics.to_string().contains("no domain"),
        "{}",
        unknown.diagnostics
    );
    check_exchanges(&emulator);
}

/// Regression: an imported firewall holds its rules as DigitalOcean writes them (`all` for every
/// port), so after a lost state was rebuilt by import, a configuration saying `1-65535` planned
/// an update of a firewall nothing had changed. Rules that mean the same plan no change.
#[tokio::test]
async fn an_imported_firewall_whose_rules_mean_the_configuration_plans_no_change() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let outbound = |ports: &str| {
        Value::List(vec![obj([
            ("protocol", Value::from("tcp")),
            ("port_range", Value::from(ports)),
            ("destination_addresses", strings(&["0.0.0.0/0"])),
        ])])
    };
    let made = make(
        &provider,
        "digitalocean_firewall",
        obj([
            ("name", Value::from("every-port")),
            ("outbound_rule", outbound("1-65535")),
        ]),
    )
    .await;
    let imported = import(&provider, "digitalocean_firewall", text(&made, "id"))
        .await
        .new_state
        .expect("imported");
    let rule = |value: &Value| {
        value
            .get("outbound_rule")
            .and_then(Value::as_list)
            .expect("rules")[0]
            .get("port_range")
            .cloned()
    };
    assert_eq!(rule(&imported), Some(Value::from("all")), "{imported}");
    let request = |ports: &str| {
        let mut proposed = imported.as_map().unwrap().clone();
        proposed.insert("outbound_rule".into(), outbound(ports));
        PlanRequest {
            type_name: "digitalocean_firewall".into(),
            prior: Some(imported.clone()),
            proposed: Value::Map(proposed),
            prior_private: Vec::new(),
        }
    };
    let ctx = within(10);
    let same = provider.plan(&ctx, request("1-65535")).await;
    assert_eq!(same.planned, imported, "the same rules plan no change");
    let other = provider.plan(&ctx, request("1-1024")).await;
    assert_eq!(
        rule(&other.planned),
        Some(Value::from("1-1024")),
        "other rules are planned"
    );
}
