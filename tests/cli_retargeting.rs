//! Re-targeting (issue 12, disaster recovery): one configuration applied with `-var region=A`,
//! then with `-var region=B`, its backend key built from the same variable, provisions a
//! complete second copy in B while the copy in A stays untouched: same objects, same ids, same
//! stored state, and a no-op plan for A. On moto (us-east-1 and eu-west-1, state in a moto S3
//! bucket, checked through boto3) and on the DigitalOcean emulator (nyc3 and ams3, local state
//! whose `path` uses the variable, checked through DigitalOcean's API).

mod aws_support;
mod support;

use std::collections::{BTreeMap, BTreeSet};

use aws_support::{assert_inventory_is, ids_in, inventory_in, only, Inventory};
use serde_json::Value;
use support::do_emulator::DoEmulator;
use support::moto::Moto;
use support::{State, Workspace};

const BUCKET: &str = "plinth-estates";

/// `plinth apply -auto-approve -var region=REGION`, which must succeed.
#[track_caller]
fn apply_in(ws: &Workspace, region: &str) {
    ws.run(&[
        "apply",
        "-auto-approve",
        "-var",
        &format!("region={region}"),
    ])
    .expect_ok();
}

/// A VPC, a subnet in the region's first zone and an instance of the region's newest Amazon
/// Linux 2 image; state under `estate/<region>.tfstate`. (No `aws_security_group`: a refreshed
/// group's empty or inline rule sets compare unequal to the lists state holds, so every plan
/// after an apply shows it "changed outside plinth", with or without re-targeting.)
const AWS_CONFIG: &str = r#"
terraform {
  backend "s3" {
    bucket         = "plinth-estates"
    key            = "estate/${var.region}.tfstate"
    region         = "us-east-1"
    use_path_style = true
  }
}

variable "region" {
  type = string
}

provider "aws" {
  region = var.region
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "linux" {
  most_recent = true
  owners      = ["amazon"]

  filter {
    name   = "name"
    values = ["amzn2-ami-hvm-*-x86_64-gp2"]
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
  tags = {
    Name = "estate-${var.region}"
  }
}

resource "aws_subnet" "app" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.40.1.0/24"
  availability_zone = data.aws_availability_zones.available.names[0]
  tags = {
    Name = "estate-${var.region}-app"
  }
}

resource "aws_instance" "app" {
  ami           = data.aws_ami.linux.id
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.app.id
  tags = {
    Name = "estate-${var.region}"
  }
}
"#;

const AWS_TYPES: [&str; 3] = ["aws_vpc", "aws_subnet", "aws_instance"];

/// The stored state of `region` in the bucket, parsed.
#[track_caller]
fn stored_state(moto: &Moto, region: &str) -> (Vec<u8>, State) {
    let key = format!("estate/{region}.tfstate");
    let bytes = moto
        .get(BUCKET, &key)
        .unwrap_or_else(|| panic!("no state object {key} in {BUCKET}"));
    let state = State::parse(&String::from_utf8_lossy(&bytes));
    (bytes, state)
}

/// Checks that `region` holds exactly one complete copy, recorded in its own state object;
/// returns what moto holds there.
#[track_caller]
fn check_aws_copy(moto: &Moto, region: &str) -> Inventory {
    let objects = inventory_in(moto, region);
    let (_, state) = stored_state(moto, region);
    let ids = ids_in(&state);
    assert_inventory_is(&objects, &ids, region);
    let managed: BTreeSet<&str> = ids.keys().map(String::as_str).collect();
    assert_eq!(
        managed,
        BTreeSet::from(AWS_TYPES),
        "{region}: state {ids:?}"
    );
    let (vpc_id, vpc) = only(&objects, "aws_vpc");
    assert_eq!(vpc["cidr_block"], "10.40.0.0/16");
    assert_eq!(vpc["tags"]["Name"], format!("estate-{region}"));
    let (subnet_id, subnet) = only(&objects, "aws_subnet");
    assert_eq!(subnet["vpc_id"], vpc_id);
    let zone = subnet["availability_zone"].as_str().unwrap_or_default();
    assert!(zone.starts_with(region), "{region}: subnet in zone {zone}");
    let (_, instance) = only(&objects, "aws_instance");
    assert_eq!(instance["state"], "running");
    assert_eq!(instance["subnet_id"], subnet_id);
    assert_eq!(instance["tags"]["Name"], format!("estate-{region}"));
    objects
}

/// Whether `region` holds none of the configuration's types.
fn aws_region_is_empty(moto: &Moto, region: &str) -> bool {
    let objects = inventory_in(moto, region);
    AWS_TYPES
        .iter()
        .all(|t| objects.get(*t).is_none_or(BTreeMap::is_empty))
}

#[test]
fn aws_second_region_is_a_complete_copy_and_the_first_is_untouched() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket(BUCKET);
    let mut ws = Workspace::with_main(AWS_CONFIG);
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    let apply = |region: &str| apply_in(&ws, region);
    let plan = |region: &str| ws.plan(&["-var", &format!("region={region}")]);

    apply("us-east-1");
    let first = check_aws_copy(&moto, "us-east-1");
    plan("us-east-1").expect_code(0);
    assert!(
        aws_region_is_empty(&moto, "eu-west-1"),
        "nothing in eu-west-1 yet"
    );
    let (first_state, _) = stored_state(&moto, "us-east-1");
    assert!(
        moto.get(BUCKET, "estate/eu-west-1.tfstate").is_none(),
        "no state for eu-west-1 yet"
    );
    // Before the second copy exists, its plan creates all four objects.
    plan("eu-west-1")
        .expect_code(2)
        .expect_stdout("3 to add, 0 to change, 0 to destroy");

    apply("eu-west-1");
    let second = check_aws_copy(&moto, "eu-west-1");
    let ids = |objects: &Inventory| -> BTreeSet<String> {
        objects.values().flat_map(|o| o.keys().cloned()).collect()
    };
    assert!(
        ids(&first).is_disjoint(&ids(&second)),
        "the copies share no object"
    );

    // The first copy is untouched: the same objects with the same attributes, the same stored
    // state, and nothing to do for it.
    assert_eq!(
        inventory_in(&moto, "us-east-1"),
        first,
        "us-east-1 is unchanged"
    );
    assert_eq!(
        stored_state(&moto, "us-east-1").0,
        first_state,
        "the state of us-east-1 is unchanged"
    );
    plan("us-east-1").expect_code(0);
    plan("eu-west-1").expect_code(0);
    ws.run(&["drift", "-var", "region=us-east-1"])
        .expect_code(0);
    let keys = moto.keys(BUCKET, "estate/");
    for key in ["estate/us-east-1.tfstate", "estate/eu-west-1.tfstate"] {
        assert!(keys.iter().any(|k| k == key), "{key} in {keys:?}");
    }

    // Destroying the copy leaves the first as it was.
    ws.run(&["destroy", "-auto-approve", "-var", "region=eu-west-1"])
        .expect_ok();
    assert!(aws_region_is_empty(&moto, "eu-west-1"), "the copy is gone");
    assert_eq!(
        inventory_in(&moto, "us-east-1"),
        first,
        "us-east-1 survives the copy's destroy"
    );
    plan("us-east-1").expect_code(0);
}

/// A VPC, two Droplets and a firewall around them, all named after the region; state in
/// `estate-<region>.tfstate` beside the configuration.
const DO_CONFIG: &str = r#"
terraform {
  backend "local" {
    path = "estate-${var.region}.tfstate"
  }
}

variable "region" {
  type = string
}

provider "digitalocean" {}

# No description: DigitalOcean answers "" for it, which must not plan a change.
resource "digitalocean_vpc" "main" {
  name   = "estate-${var.region}"
  region = var.region
}

resource "digitalocean_droplet" "app" {
  count    = 2
  name     = "estate-${var.region}-${count.index}"
  size     = "s-1vcpu-1gb"
  image    = "ubuntu-22-04-x64"
  region   = var.region
  vpc_uuid = digitalocean_vpc.main.id
}

resource "digitalocean_firewall" "app" {
  name        = "estate-${var.region}"
  droplet_ids = digitalocean_droplet.app[*].id

  inbound_rule {
    protocol         = "tcp"
    port_range       = "443"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }
}
"#;

/// One region's copy as DigitalOcean's API shows it.
#[derive(Debug, PartialEq)]
struct DoCopy {
    vpc: Value,
    droplets: Vec<Value>,
    firewall: Value,
}

impl DoCopy {
    fn ids(&self) -> BTreeSet<String> {
        let mut ids: BTreeSet<String> = self.droplets.iter().map(|d| id(&d["id"])).collect();
        ids.insert(id(&self.vpc["id"]));
        ids.insert(id(&self.firewall["id"]));
        ids
    }
}

fn id(value: &Value) -> String {
    value.to_string().trim_matches('"').to_string()
}

/// The one object named `name` in the list at `path`, panicking unless there is exactly one.
#[track_caller]
fn one_named(emulator: &DoEmulator, path: &str, key: &str, name: &str) -> Value {
    let found: Vec<Value> = emulator
        .list(path, key)
        .into_iter()
        .filter(|o| o["name"] == name)
        .collect();
    assert_eq!(found.len(), 1, "one of {key} named {name}: {found:?}");
    found[0].clone()
}

/// Checks that `region` holds one complete copy, recorded in its own state file; returns it.
#[track_caller]
fn check_do_copy(emulator: &DoEmulator, ws: &Workspace, region: &str) -> DoCopy {
    let name = format!("estate-{region}");
    let vpc = one_named(emulator, "/v2/vpcs", "vpcs", &name);
    assert_eq!(vpc["region"], region);
    let droplets: Vec<Value> = emulator
        .list("/v2/droplets", "droplets")
        .into_iter()
        .filter(|d| d["name"].as_str().unwrap_or_default().starts_with(&name))
        .collect();
    assert_eq!(droplets.len(), 2, "{region}: two Droplets {droplets:?}");
    for droplet in &droplets {
        assert_eq!(droplet["region"]["slug"], region);
        assert_eq!(droplet["status"], "active");
        assert_eq!(droplet["vpc_uuid"], vpc["id"]);
    }
    let firewall = one_named(emulator, "/v2/firewalls", "firewalls", &name);
    let covered: BTreeSet<String> = firewall["droplet_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .map(id)
        .collect();
    let droplet_ids: BTreeSet<String> = droplets.iter().map(|d| id(&d["id"])).collect();
    assert_eq!(
        covered, droplet_ids,
        "{region}: the firewall covers its Droplets"
    );

    let state = State::parse(&ws.read(&format!("estate-{region}.tfstate")));
    let recorded = |type_name: &str| -> Vec<String> {
        state
            .instances()
            .iter()
            .filter(|i| i.type_name == type_name)
            .filter_map(|i| i.string("id").map(str::to_string))
            .collect()
    };
    let in_state: BTreeSet<String> = recorded("digitalocean_droplet").into_iter().collect();
    assert_eq!(
        in_state, droplet_ids,
        "{region}: state records its Droplets"
    );
    assert_eq!(recorded("digitalocean_vpc"), [id(&vpc["id"])]);
    assert_eq!(recorded("digitalocean_firewall"), [id(&firewall["id"])]);
    // A firewall settles from "waiting" to "succeeded" on its own: not a change.
    let mut firewall = firewall;
    if let Some(fields) = firewall.as_object_mut() {
        fields.remove("status");
        fields.remove("pending_changes");
    }
    DoCopy {
        vpc,
        droplets,
        firewall,
    }
}

#[test]
fn digitalocean_second_region_is_a_complete_copy_and_the_first_is_untouched() {
    let emulator = DoEmulator::start(20);
    let mut ws = Workspace::with_main(DO_CONFIG);
    emulator.configure(&mut ws);
    let apply = |region: &str| apply_in(&ws, region);
    let plan = |region: &str| ws.plan(&["-var", &format!("region={region}")]);

    apply("nyc3");
    let first = check_do_copy(&emulator, &ws, "nyc3");
    plan("nyc3").expect_code(0);
    let first_state = ws.read("estate-nyc3.tfstate");
    assert!(!ws.exists("estate-ams3.tfstate"), "no state for ams3 yet");
    assert!(
        !ws.exists(support::STATE_FILE),
        "the backend's path is used, not the default"
    );
    plan("ams3")
        .expect_code(2)
        .expect_stdout("4 to add, 0 to change, 0 to destroy");

    apply("ams3");
    let second = check_do_copy(&emulator, &ws, "ams3");
    assert!(
        first.ids().is_disjoint(&second.ids()),
        "the copies share no object"
    );
    assert_eq!(
        emulator.list("/v2/droplets", "droplets").len(),
        4,
        "two Droplets in each region, nothing else"
    );

    // The first copy is untouched.
    assert_eq!(
        check_do_copy(&emulator, &ws, "nyc3"),
        first,
        "nyc3 is unchanged"
    );
    assert_eq!(
        ws.read("estate-nyc3.tfstate"),
        first_state,
        "the state of nyc3 is unchanged"
    );
    plan("nyc3").expect_code(0);
    plan("ams3").expect_code(0);
    ws.run(&["drift", "-var", "region=nyc3"]).expect_code(0);

    // Destroying the copy leaves the first as it was.
    ws.run(&["destroy", "-auto-approve", "-var", "region=ams3"])
        .expect_ok();
    let left: Vec<Value> = emulator.list("/v2/droplets", "droplets");
    assert_eq!(
        left, first.droplets,
        "only the first copy's Droplets are left"
    );
    assert_eq!(
        check_do_copy(&emulator, &ws, "nyc3"),
        first,
        "nyc3 survives the copy's destroy"
    );
    plan("nyc3").expect_code(0);
}
