//! The data sources against the emulator: a Droplet by id, name and tag; Droplets and sizes
//! filtered and sorted; an SSH key and a VPC by name (and a region's default VPC); an image by
//! slug and by name; a region by slug. Misses and ambiguities are clear errors.

mod support;

use plinth_sdk::{Provider, ReadDataRequest, ReadDataResponse, Value};
use support::*;

async fn data(provider: &dyn Provider, type_name: &str, config: Value) -> ReadDataResponse {
    provider
        .read_data(
            &within(30),
            ReadDataRequest {
                type_name: type_name.into(),
                config,
            },
        )
        .await
}

async fn found(provider: &dyn Provider, type_name: &str, config: Value) -> Value {
    let response = data(provider, type_name, config).await;
    assert!(
        !response.diagnostics.has_errors(),
        "{type_name}: {}",
        response.diagnostics
    );
    response.state.expect("a value")
}

fn filter(key: &str, values: &[&str], match_by: &str) -> Value {
    obj([
        ("key", Value::from(key)),
        (
            "values",
            Value::List(values.iter().map(|v| Value::from(*v)).collect()),
        ),
        ("match_by", Value::from(match_by)),
        ("all", Value::Bool(false)),
    ])
}

fn sort(key: &str, direction: &str) -> Value {
    obj([
        ("key", Value::from(key)),
        ("direction", Value::from(direction)),
    ])
}

#[tokio::test]
async fn droplets_are_found_by_id_name_tag_and_filters() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let mut made = Vec::new();
    for (name, size, tag) in [
        ("web-1", "s-1vcpu-1gb", "web"),
        ("web-2", "s-2vcpu-2gb", "web"),
        ("db-1", "s-2vcpu-4gb", "db"),
    ] {
        let config = obj([
            ("name", Value::from(name)),
            ("size", Value::from(size)),
            ("image", Value::from("ubuntu-22-04-x64")),
            ("region", Value::from("nyc3")),
            ("tags", strings(&[tag])),
        ]);
        made.push(make(&provider, "digitalocean_droplet", config).await);
    }
    let by_id = found(
        &provider,
        "digitalocean_droplet",
        obj([("id", Value::from(text(&made[0], "id")))]),
    )
    .await;
    assert_eq!(text(&by_id, "name"), "web-1");
    assert_eq!(by_id.get("ipv4_address"), made[0].get("ipv4_address"));
    let by_name = found(
        &provider,
        "digitalocean_droplet",
        obj([("name", Value::from("web-2"))]),
    )
    .await;
    assert_eq!(text(&by_name, "id"), text(&made[1], "id"));
    let by_tag = found(
        &provider,
        "digitalocean_droplet",
        obj([("tag", Value::from("db"))]),
    )
    .await;
    assert_eq!(text(&by_tag, "size"), "s-2vcpu-4gb");
    let ambiguous = data(
        &provider,
        "digitalocean_droplet",
        obj([("tag", Value::from("web"))]),
    )
    .await;
    assert!(
        ambiguous
            .diagnostics
            .to_string()
            .contains("2 matches for Droplet tagged \"web\" were found"),
        "{}",
        ambiguous.diagnostics
    );
    let missing = data(
        &provider,
        "digitalocean_droplet",
        obj([("name", Value::from("nope"))]),
    )
    .await;
    assert!(missing
        .diagnostics
        .to_string()
        .contains("no Droplet named \"nope\" was found"));

    let listed = found(
        &provider,
        "digitalocean_droplets",
        obj([
            (
                "filter",
                Value::set(vec![filter("name", &["web-"], "substring")]),
            ),
            ("sort", Value::List(vec![sort("memory", "desc")])),
        ]),
    )
    .await;
    let names: Vec<&str> = listed
        .get("droplets")
        .unwrap()
        .as_list()
        .unwrap()
        .iter()
        .map(|d| text(d, "name"))
        .collect();
    assert_eq!(names, vec!["web-2", "web-1"]);
    check_exchanges(&emulator);
}

#[tokio::test]
async fn account_objects_are_found_by_name() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let key = make(
        &provider,
        "digitalocean_ssh_key",
        obj([
            ("name", Value::from("deploy")),
            ("public_key", Value::from(KEY)),
        ]),
    )
    .await;
    let read = found(
        &provider,
        "digitalocean_ssh_key",
        obj([("name", Value::from("deploy"))]),
    )
    .await;
    assert_eq!(read.get("fingerprint"), key.get("fingerprint"));
    assert_eq!(read.get("id"), key.get("id"));
    let vpc = make(
        &provider,
        "digitalocean_vpc",
        obj([
            ("name", Value::from("app")),
            ("region", Value::from("ams3")),
        ]),
    )
    .await;
    let by_name = found(
        &provider,
        "digitalocean_vpc",
        obj([("name", Value::from("app"))]),
    )
    .await;
    assert_eq!(by_name.get("ip_range"), vpc.get("ip_range"));
    make(
        &provider,
        "digitalocean_droplet",
        obj([
            ("name", Value::from("x")),
            ("size", Value::from("s-1vcpu-1gb")),
            ("image", Value::from("debian-12-x64")),
            ("region", Value::from("fra1")),
        ]),
    )
    .await;
    let default = found(
        &provider,
        "digitalocean_vpc",
        obj([("region", Value::from("fra1"))]),
    )
    .await;
    assert_eq!(text(&default, "name"), "default-fra1");
    assert_eq!(default.get("default"), Some(&Value::Bool(true)));
    check_exchanges(&emulator);
}

#[tokio::test]
async fn the_catalogue_is_read() {
    let emulator = emulator(10).await;
    let provider = configured(&emulator).await;
    let image = found(
        &provider,
        "digitalocean_image",
        obj([("slug", Value::from("ubuntu-24-04-x64"))]),
    )
    .await;
    assert_eq!(text(&image, "distribution"), "Ubuntu");
    assert_eq!(text(&image, "image"), text(&image, "id"));
    let by_name = found(
        &provider,
        "digitalocean_image",
        obj([
            ("name", Value::from("12 x64")),
            ("source", Value::from("distribution")),
        ]),
    )
    .await;
    assert_eq!(text(&by_name, "slug"), "debian-12-x64");
    let user = data(
        &provider,
        "digitalocean_image",
        obj([("name", Value::from("12 x64"))]),
    )
    .await;
    assert!(
        user.diagnostics.to_string().contains("no user image named"),
        "{}",
        user.diagnostics
    );
    let region = found(
        &provider,
        "digitalocean_region",
        obj([("slug", Value::from("ams3"))]),
    )
    .await;
    assert_eq!(text(&region, "name"), "Amsterdam 3");
    assert_eq!(region.get("available"), Some(&Value::Bool(true)));
    let sizes = found(
        &provider,
        "digitalocean_sizes",
        obj([
            ("filter", Value::set(vec![filter("vcpus", &["2"], "exact")])),
            ("sort", Value::List(vec![sort("price_monthly", "asc")])),
        ]),
    )
    .await;
    let slugs: Vec<&str> = sizes
        .get("sizes")
        .unwrap()
        .as_list()
        .unwrap()
        .iter()
        .map(|s| text(s, "slug"))
        .collect();
    assert_eq!(slugs.first(), Some(&"s-2vcpu-2gb"));
    assert!(slugs.iter().all(|s| !s.starts_with("s-1vcpu")), "{slugs:?}");
    check_exchanges(&emulator);
}
