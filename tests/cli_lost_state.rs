//! Issue 12's "lost state" drill for the two cloud providers: a running estate (on the
//! DigitalOcean emulator; on moto for AWS) whose state, backup and history are all deleted is
//! rebuilt from its configuration alone with `plinth drift -unmanaged -generate-config-out` and
//! one `plinth apply` that imports every object and creates none: the provider holds exactly
//! the objects (the same ids) it held before, state records all of them, and the next plan and
//! drift check are clean. The same on the real Docker Engine for a built image and the
//! container running it; the slow provider's drill is `tests/cli_import_blocks.rs`.

mod aws_support;
mod support;

use std::collections::{BTreeMap, BTreeSet};

use aws_support::{assert_moto_is_state, inventory, inventory_ids, state_ids};
use support::do_emulator::DoEmulator;
use support::lost_state::{generate_imports, generate_imports_on_shared_engine, lose_state, Ids};
use support::moto::Moto;
use support::{docker, docker_available, Workspace};

const DO_CONFIG: &str = r#"
resource "digitalocean_vpc" "main" {
  name     = "lost-vpc"
  region   = "nyc3"
  ip_range = "10.30.0.0/20"
}

resource "digitalocean_ssh_key" "deploy" {
  name       = "lost-deploy"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0Y2VudHJhbC1wbGludGgtdGVzdC1rZXktMDAwMDAx lost@deploy"
}

resource "digitalocean_tag" "app" {
  name = "lost-app"
}

resource "digitalocean_droplet" "app" {
  count = 2

  name       = "lost-${count.index + 1}"
  size       = "s-1vcpu-1gb"
  image      = "ubuntu-22-04-x64"
  region     = "nyc3"
  vpc_uuid   = digitalocean_vpc.main.id
  tags       = [digitalocean_tag.app.id]
  monitoring = true
}

resource "digitalocean_firewall" "app" {
  name        = "lost-firewall"
  droplet_ids = digitalocean_droplet.app[*].id

  inbound_rule {
    protocol         = "tcp"
    port_range       = "22"
    source_addresses = ["0.0.0.0/0", "::/0"]
  }

  outbound_rule {
    protocol              = "tcp"
    port_range            = "1-65535"
    destination_addresses = ["0.0.0.0/0", "::/0"]
  }
}

resource "digitalocean_domain" "main" {
  name = "lost.example.com"
}

resource "digitalocean_record" "apex" {
  domain = digitalocean_domain.main.id
  type   = "A"
  name   = "@"
  value  = digitalocean_droplet.app[0].ipv4_address
  ttl    = 300
}

resource "digitalocean_record" "app" {
  count = 2

  domain = digitalocean_domain.main.id
  type   = "A"
  name   = "lost-${count.index + 1}"
  value  = digitalocean_droplet.app[count.index].ipv4_address
  ttl    = 300
}
"#;

/// The user's objects in the emulator, read through DigitalOcean's API as any client would:
/// plinth type → ids (DigitalOcean's default VPCs, the zone's SOA and NS records and plinth's
/// intent tags left out).
#[track_caller]
fn do_objects(emulator: &DoEmulator) -> Ids {
    let text = |value: &serde_json::Value| value.to_string().trim_matches('"').to_string();
    let ids = |path: &str, key: &str, field: &str, keep: &dyn Fn(&serde_json::Value) -> bool| {
        emulator
            .list(path, key)
            .iter()
            .filter(|o| keep(o))
            .map(|o| text(&o[field]))
            .collect::<BTreeSet<String>>()
    };
    let all = |_: &serde_json::Value| true;
    let mut objects = Ids::new();
    objects.insert(
        "digitalocean_vpc".into(),
        ids("/v2/vpcs", "vpcs", "id", &|v| v["default"] != true),
    );
    objects.insert(
        "digitalocean_ssh_key".into(),
        ids("/v2/account/keys", "ssh_keys", "id", &all),
    );
    objects.insert(
        "digitalocean_tag".into(),
        ids("/v2/tags", "tags", "name", &|t| {
            !text(&t["name"]).starts_with("plinth-intent:")
        }),
    );
    objects.insert(
        "digitalocean_droplet".into(),
        ids("/v2/droplets", "droplets", "id", &all),
    );
    objects.insert(
        "digitalocean_firewall".into(),
        ids("/v2/firewalls", "firewalls", "id", &all),
    );
    let domains = ids("/v2/domains", "domains", "name", &all);
    let mut records = BTreeSet::new();
    for domain in &domains {
        records.extend(ids(
            &format!("/v2/domains/{domain}/records"),
            "domain_records",
            "id",
            &|r| r["type"] != "SOA" && r["type"] != "NS",
        ));
    }
    objects.insert("digitalocean_domain".into(), domains);
    objects.insert("digitalocean_record".into(), records);
    let clusters = ids("/v2/databases", "databases", "id", &all);
    let guarded = clusters
        .iter()
        .filter(|c| {
            let rules = &emulator.get(&format!("/v2/databases/{c}/firewall"))["rules"];
            rules.as_array().is_some_and(|r| !r.is_empty())
        })
        .cloned()
        .collect();
    objects.insert("digitalocean_database_cluster".into(), clusters);
    objects.insert("digitalocean_database_firewall".into(), guarded);
    objects.insert(
        "digitalocean_loadbalancer".into(),
        ids("/v2/load_balancers", "load_balancers", "id", &all),
    );
    objects.retain(|_, ids| !ids.is_empty());
    objects
}

#[test]
fn digitalocean_lost_state_is_rebuilt_from_drift_unmanaged_without_recreating_anything() {
    let emulator = DoEmulator::start(10);
    let mut ws = Workspace::with_main(DO_CONFIG);
    emulator.configure(&mut ws);
    ws.apply()
        .expect_stdout("Resources: 10 added, 0 changed, 0 destroyed.");
    let before = do_objects(&emulator);
    let counts: BTreeMap<&str, usize> = before
        .iter()
        .map(|(t, ids)| (t.as_str(), ids.len()))
        .collect();
    assert_eq!(
        counts,
        BTreeMap::from([
            ("digitalocean_domain", 1),
            ("digitalocean_droplet", 2),
            ("digitalocean_firewall", 1),
            ("digitalocean_record", 3),
            ("digitalocean_ssh_key", 1),
            ("digitalocean_tag", 1),
            ("digitalocean_vpc", 1),
        ]),
        "{before:?}"
    );
    assert_eq!(state_ids(&ws), before, "state records every object");

    lose_state(&ws);
    generate_imports(&ws, &before);
    ws.apply()
        .expect_stdout("10 imported, 0 added, 0 changed, 0 destroyed");
    assert_eq!(
        do_objects(&emulator),
        before,
        "the emulator holds the same objects: nothing created, nothing deleted"
    );
    assert_eq!(state_ids(&ws), before, "state records every object again");
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift", "-unmanaged"]).expect_code(0);
}

/// The whole `examples/chatbot-digitalocean` (Droplets with `ssh_keys` and `user_data`, the
/// firewall, the database cluster and its firewall, the load balancer, the domain and its
/// records): rebuilt after its state is lost with one apply that imports all 13 objects and
/// creates, replaces or updates none. What broke on the way: a Droplet's `ssh_keys` and
/// `user_data`, which DigitalOcean never reports, were null after the import and forced a
/// replacement of both Droplets; the database firewall had no listing, so `drift -unmanaged`
/// found nothing to import for it.
#[test]
fn the_chatbot_example_is_rebuilt_after_its_state_is_lost_without_recreating_anything() {
    let emulator = DoEmulator::start(10);
    let mut ws = Workspace::new();
    support::do_emulator::copy_example("chatbot-digitalocean", &ws);
    emulator.configure(&mut ws);
    ws.apply()
        .expect_stdout("Resources: 13 added, 0 changed, 0 destroyed.");
    let before = do_objects(&emulator);
    let count: usize = before.values().map(BTreeSet::len).sum();
    assert_eq!(count, 13, "{before:?}");
    assert_eq!(state_ids(&ws), before, "state records every object");
    let droplets_before = emulator.list("/v2/droplets", "droplets");

    lose_state(&ws);
    generate_imports(&ws, &before);
    let applied = ws.apply();
    applied
        .expect_stdout("13 imported, 0 added, 0 changed, 0 destroyed")
        .expect_stderr("ssh_keys")
        .expect_stderr("assumed as configured");
    assert_eq!(
        do_objects(&emulator),
        before,
        "the emulator holds the same objects: nothing created, nothing deleted"
    );
    assert_eq!(
        emulator.list("/v2/droplets", "droplets"),
        droplets_before,
        "the Droplets are untouched"
    );
    assert_eq!(state_ids(&ws), before, "state records every object again");
    let user_data = ws.run(&["state", "show", "digitalocean_droplet.app[0]"]);
    user_data
        .expect_ok()
        .expect_stdout("ssh_keys")
        .expect_stdout("get.docker.com");
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift", "-unmanaged"]).expect_code(0);
}

const AWS_CONFIG: &str = r#"
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
  cidr_block           = "10.50.0.0/16"
  enable_dns_hostnames = true
  tags = {
    Name = "lost-vpc"
  }
}

resource "aws_subnet" "app" {
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.50.1.0/24"
  availability_zone       = data.aws_availability_zones.available.names[0]
  map_public_ip_on_launch = true
  tags = {
    Name = "lost-app"
  }
}

resource "aws_security_group" "app" {
  name        = "lost-app"
  description = "SSH and HTTPS"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "lost-app"
  }
}

resource "aws_instance" "app" {
  ami                    = data.aws_ami.linux.id
  instance_type          = "t3.micro"
  subnet_id              = aws_subnet.app.id
  vpc_security_group_ids = [aws_security_group.app.id]
  tags = {
    Name = "lost-app"
  }
}
"#;

#[test]
fn aws_lost_state_is_rebuilt_from_drift_unmanaged_without_recreating_anything() {
    let Some(moto) = Moto::start() else { return };
    let mut ws = Workspace::with_main(AWS_CONFIG);
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    ws.apply()
        .expect_stdout("Resources: 4 added, 0 changed, 0 destroyed.");
    let before = assert_moto_is_state(&moto, &ws, "after the apply");
    let ids = inventory_ids(&before);
    let types: BTreeSet<&str> = ids.keys().map(String::as_str).collect();
    assert_eq!(
        types,
        BTreeSet::from([
            "aws_instance",
            "aws_security_group",
            "aws_subnet",
            "aws_vpc"
        ]),
        "{ids:?}"
    );
    assert!(ids.values().all(|objects| objects.len() == 1), "{ids:?}");
    assert_eq!(state_ids(&ws), ids, "state records every object");

    lose_state(&ws);
    generate_imports(&ws, &ids);
    ws.apply()
        .expect_stdout("4 imported, 0 added, 0 changed, 0 destroyed");
    assert_eq!(
        inventory(&moto),
        before,
        "moto holds the same objects, unchanged: nothing created, nothing deleted"
    );
    assert_moto_is_state(&moto, &ws, "after the import");
    assert_eq!(state_ids(&ws), ids, "state records every object again");
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift", "-unmanaged"]).expect_code(0);
}

/// Regression: AWS lists a VPC or subnet as its id, `Name` tag and tags only, and types without
/// a `name` argument were matched to the configuration by every argument it sets, which such a
/// listing never carries: nothing matched, and lost state got new resource blocks (with only
/// tags, which cannot apply) instead of imports. They are matched by the arguments the listing
/// carries: each subnet of a `count` to the instance its tags say.
#[test]
fn aws_objects_without_a_name_argument_are_matched_to_their_configuration_by_tags() {
    let Some(moto) = Moto::start() else { return };
    let mut ws = Workspace::with_main(
        r#"
resource "aws_vpc" "main" {
  cidr_block = "10.60.0.0/16"
  tags = {
    Name = "tagged"
  }
}

resource "aws_subnet" "app" {
  count      = 2
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.60.${count.index}.0/24"
  tags = {
    Name = "tagged-${count.index}"
  }
}
"#,
    );
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    ws.apply();
    let before = inventory(&moto);
    let subnet_tagged = |name: &str| {
        before["aws_subnet"]
            .iter()
            .find(|(_, s)| s["tags"]["Name"] == name)
            .map(|(id, _)| id.clone())
            .expect("the subnet")
    };
    let vpc = before["aws_vpc"].keys().next().expect("the VPC").clone();
    lose_state(&ws);
    let imports = generate_imports(&ws, &inventory_ids(&before));
    for (address, id) in [
        ("aws_vpc.main", vpc),
        ("aws_subnet.app[0]", subnet_tagged("tagged-0")),
        ("aws_subnet.app[1]", subnet_tagged("tagged-1")),
    ] {
        assert!(
            imports.contains(&format!("to = {address}\n  id = \"{id}\"")),
            "{address} is {id}:\n{imports}"
        );
    }
    ws.apply()
        .expect_stdout("3 imported, 0 added, 0 changed, 0 destroyed");
    assert_eq!(inventory(&moto), before);
}

/// Removes the containers and images named with a test's prefix when dropped, even when the
/// test fails.
struct DockerLeftovers(String);

impl Drop for DockerLeftovers {
    fn drop(&mut self) {
        let prefix = &self.0;
        let _ = std::process::Command::new("docker")
            .args(["rm", "-f", &format!("{prefix}-app")])
            .output();
        let _ = std::process::Command::new("docker")
            .args(["image", "rm", "-f", &format!("{prefix}:latest")])
            .output();
    }
}

/// Regression: a built `docker_image` could not come back after its state was lost. Images
/// were not listed, so `drift -unmanaged` had nothing to import and the apply built the image
/// again; its id unknown at plan time, the container running it was replaced. Imported, the
/// image has no `build` block or `triggers` (the engine cannot say how an image was built) and
/// the container none of plinth's own settings (`wait`, `start`, ...), which replaced or
/// updated both. Now the image is imported with its build assumed as configured, and neither is
/// touched.
#[test]
fn docker_lost_state_of_a_built_image_and_its_container_is_rebuilt_without_a_rebuild() {
    if !docker_available() {
        return;
    }
    let prefix = format!("lost{}", std::process::id());
    let _leftovers = DockerLeftovers(prefix.clone());
    let ws = Workspace::with_main(&format!(
        r#"
resource "docker_image" "app" {{
  name = "{prefix}:latest"

  build {{
    context = "${{path.module}}/context"
  }}

  triggers = {{
    dockerfile = filesha1("${{path.module}}/context/Dockerfile")
  }}
}}

resource "docker_container" "app" {{
  name    = "{prefix}-app"
  image   = docker_image.app.image_id
  command = ["sleep", "infinity"]
  restart = "unless-stopped"
}}
"#
    ));
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chatapi-docker/context");
    ws.write(
        "context/Dockerfile",
        &std::fs::read_to_string(example.join("Dockerfile")).expect("the Dockerfile"),
    );
    ws.write("context/www/index.html", "lost");
    let prepared = std::process::Command::new(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/docker_images.sh"),
    )
    .arg("prepare")
    .arg(ws.file("context"))
    .status()
    .expect("run tests/support/docker_images.sh");
    assert!(prepared.success(), "the build context is prepared");
    ws.apply()
        .expect_stdout("Resources: 2 added, 0 changed, 0 destroyed.");
    let ids = || {
        (
            docker(&[
                "image",
                "inspect",
                "-f",
                "{{.Id}}",
                &format!("{prefix}:latest"),
            ])
            .trim()
            .to_string(),
            docker(&["inspect", "-f", "{{.Id}}", &format!("{prefix}-app")])
                .trim()
                .to_string(),
        )
    };
    let before = ids();

    lose_state(&ws);
    let imports = generate_imports_on_shared_engine(&ws, 2);
    assert!(
        imports.contains(&format!("to = docker_image.app\n  id = \"{}\"", before.0)),
        "{imports}"
    );
    assert!(
        imports.contains(&format!(
            "to = docker_container.app\n  id = \"{}\"",
            before.1
        )),
        "{imports}"
    );

    ws.apply()
        .expect_stdout("2 imported, 0 added, 0 changed, 0 destroyed")
        .expect_stderr("build assumed as configured")
        .expect_stderr("triggers assumed as configured");
    assert_eq!(
        ids(),
        before,
        "the same image and container: nothing rebuilt"
    );
    ws.plan(&[]).expect_code(0);
    ws.run(&["drift"]).expect_code(0);
    ws.run(&["destroy", "-auto-approve"])
        .expect_stdout("Resources: 2 destroyed.");
}
