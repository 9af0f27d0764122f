//! `plinth drift -unmanaged` against the DigitalOcean emulator: after an apply nothing is
//! reported (DigitalOcean's own default VPC, SOA and NS records and plinth's intent tags are not
//! the user's objects); a Droplet and a DNS record made out of band with raw HTTP are reported
//! with their ids (exit 2), in the human report and in `-json`.

mod support;

use support::do_emulator::DoEmulator;
use support::Workspace;

const CONFIG: &str = r#"
resource "digitalocean_tag" "web" {
  name = "web"
}

resource "digitalocean_droplet" "web" {
  name   = "web-1"
  size   = "s-1vcpu-1gb"
  image  = "ubuntu-22-04-x64"
  region = "nyc3"
  tags   = [digitalocean_tag.web.id]
}

resource "digitalocean_domain" "main" {
  name = "example.com"
}

resource "digitalocean_record" "www" {
  domain = digitalocean_domain.main.id
  type   = "A"
  name   = "www"
  value  = digitalocean_droplet.web.ipv4_address
}
"#;

#[test]
fn objects_made_outside_plinth_are_reported_as_unmanaged_with_their_ids() {
    let emulator = DoEmulator::start(10);
    let mut ws = Workspace::new();
    emulator.configure(&mut ws);
    ws.write("main.tf", CONFIG);
    ws.apply().expect_ok();
    ws.run(&["drift", "-unmanaged"]).expect_code(0);

    let stray = emulator.post(
        "/v2/droplets",
        &serde_json::json!({
            "name": "made-by-hand",
            "size": "s-1vcpu-1gb",
            "image": "ubuntu-22-04-x64",
            "region": "nyc3",
        }),
    );
    let droplet_id = stray["droplet"]["id"].to_string();
    let record = emulator.post(
        "/v2/domains/example.com/records",
        &serde_json::json!({
            "type": "TXT", "name": "note", "data": "made by hand", "ttl": 1800,
            "priority": null, "port": null, "weight": null, "flags": null, "tag": null,
        }),
    );
    let record_id = record["domain_record"]["id"].to_string();

    ws.run(&["drift", "-unmanaged"])
        .expect_code(2)
        .expect_stdout(&format!(
            "digitalocean_droplet \"made-by-hand\" (id {droplet_id})"
        ))
        .expect_stdout(&format!("digitalocean_record \"note\" (id {record_id})"));
    let report = ws.run(&["drift", "-unmanaged", "-json"]).stdout_json();
    let unmanaged: Vec<(String, String)> = report["unmanaged"]
        .as_array()
        .expect("an unmanaged list")
        .iter()
        .map(|u| {
            (
                u["type"].as_str().unwrap().to_string(),
                u["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        unmanaged,
        [
            ("digitalocean_droplet".to_string(), droplet_id),
            ("digitalocean_record".to_string(), record_id),
        ]
    );
}
