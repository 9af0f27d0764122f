//! DigitalOcean failing in the middle of an apply, end to end against the emulator: a create
//! that keeps getting 500s fails the apply, naming the address and DigitalOcean's answer, with
//! everything made so far in state, and the next apply finishes the job; a Droplet that never
//! becomes active times out after its `timeouts { create }` and stays in state, tainted; an
//! unknown size (422) fails naming the address and DigitalOcean's message, creating nothing.

mod support;

use std::collections::BTreeSet;

use plinth_do_emulator::FailRule;
use support::do_emulator::DoEmulator;
use support::Workspace;

fn droplets_in_state(ws: &Workspace) -> BTreeSet<String> {
    ws.state()
        .instances()
        .iter()
        .filter(|i| i.type_name == "digitalocean_droplet")
        .filter_map(|i| i.string("id").map(String::from))
        .collect()
}

fn droplets_in_account(emulator: &DoEmulator) -> BTreeSet<String> {
    emulator
        .list("/v2/droplets", "droplets")
        .iter()
        .map(|d| d["id"].to_string())
        .collect()
}

/// Two Droplets behind a load balancer, with quick retries.
const BALANCED: &str = r#"
provider "digitalocean" {
  http_retry_max      = 3
  http_retry_wait_min = 0.05
  http_retry_wait_max = 0.2
}

resource "digitalocean_droplet" "web" {
  count  = 2
  name   = "web-${count.index}"
  size   = "s-1vcpu-1gb"
  image  = "ubuntu-22-04-x64"
  region = "nyc3"
}

resource "digitalocean_loadbalancer" "web" {
  name        = "web-lb"
  region      = "nyc3"
  droplet_ids = digitalocean_droplet.web[*].id

  forwarding_rule {
    entry_protocol  = "http"
    entry_port      = 80
    target_protocol = "http"
    target_port     = 80
  }
}

resource "digitalocean_domain" "main" {
  name = "example.com"
}

resource "digitalocean_record" "www" {
  domain = digitalocean_domain.main.id
  type   = "A"
  name   = "www"
  value  = digitalocean_loadbalancer.web.ip
}
"#;

#[test]
fn a_500_mid_apply_fails_it_and_the_next_apply_finishes_with_nothing_lost() {
    let emulator = DoEmulator::start(20);
    let mut ws = Workspace::with_main(BALANCED);
    emulator.configure(&mut ws);
    emulator.knobs(|k| {
        k.record = true;
        k.fail = vec![FailRule {
            method: Some("POST".into()),
            path: "/v2/load_balancers".into(),
            status: 500,
            times: None,
        }]
    });
    let failed = ws.run(&["apply", "-auto-approve"]);
    failed
        .expect_code(1)
        .expect_stderr("creating the load balancer \"web-lb\" failed")
        .expect_stderr("500 server_error")
        .expect_stderr("digitalocean_loadbalancer.web");
    let tries = emulator
        .inner()
        .exchanges()
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/v2/load_balancers")
        .count();
    assert_eq!(
        tries, 4,
        "the create was tried again as often as http_retry_max says"
    );
    let made = ws.state_list();
    assert_eq!(
        made,
        [
            "digitalocean_domain.main",
            "digitalocean_droplet.web[0]",
            "digitalocean_droplet.web[1]"
        ],
        "everything made before the failure is in state"
    );
    assert_eq!(droplets_in_account(&emulator), droplets_in_state(&ws));
    assert!(emulator
        .list("/v2/load_balancers", "load_balancers")
        .is_empty());

    emulator.knobs(|k| k.fail.clear());
    ws.apply()
        .expect_stdout("Resources: 2 added, 0 changed, 0 destroyed.");
    assert_eq!(droplets_in_account(&emulator), droplets_in_state(&ws));
    ws.plan(&[]).expect_code(0);
}

#[test]
fn a_droplet_that_never_becomes_active_times_out_and_stays_in_state() {
    let emulator = DoEmulator::start(20);
    let mut ws = Workspace::with_main(
        r#"
resource "digitalocean_droplet" "stuck" {
  name   = "stuck-1"
  size   = "s-1vcpu-1gb"
  image  = "ubuntu-22-04-x64"
  region = "nyc3"

  timeouts {
    create = "2s"
  }
}
"#,
    );
    emulator.configure(&mut ws);
    emulator.knobs(|k| k.stall = vec!["create".into()]);
    let failed = ws.run(&["apply", "-auto-approve"]);
    failed
        .expect_code(1)
        .expect_stderr("digitalocean_droplet.stuck")
        .expect_stderr("waiting for the Droplet")
        .expect_stderr("timed out after")
        .expect_stderr("last status: new");
    let state = ws.state();
    let instances = state.instances();
    let stuck = instances
        .iter()
        .find(|i| i.type_name == "digitalocean_droplet")
        .expect("the half-made Droplet is in state");
    assert!(stuck.is_tainted(), "it is tainted, to be replaced");
    assert_eq!(droplets_in_account(&emulator), droplets_in_state(&ws));
}

#[test]
fn an_unknown_size_fails_naming_the_address_and_digitaloceans_message() {
    let emulator = DoEmulator::start(10);
    let mut ws = Workspace::with_main(
        r#"
resource "digitalocean_domain" "main" {
  name = "example.com"
}

resource "digitalocean_droplet" "web" {
  name   = "web-1"
  size   = "s-99vcpu-1tb"
  image  = "ubuntu-22-04-x64"
  region = "nyc3"
}
"#,
    );
    emulator.configure(&mut ws);
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("digitalocean_droplet.web")
        .expect_stderr("creating the Droplet \"web-1\" failed")
        .expect_stderr("422 unprocessable_entity")
        .expect_stderr("You specified an invalid size for Droplet creation.");
    assert_eq!(ws.state_list(), ["digitalocean_domain.main"]);
    assert!(droplets_in_account(&emulator).is_empty());
}
