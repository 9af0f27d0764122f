//! The built-in `random` provider end to end: every type is created, plans no changes after,
//! is replaced when its keepers change, keeps passwords out of every output, imports with
//! Terraform's import ids and is destroyed.

mod support;

use support::Workspace;

const RANDOM: &str = r#"
variable "generation" {
  type    = string
  default = "1"
}

resource "random_id" "server" {
  byte_length = 8
  prefix      = "srv-"
  keepers     = { generation = var.generation }
}

resource "random_string" "suffix" {
  length  = 12
  special = false
  upper   = false
}

resource "random_password" "db" {
  length           = 24
  min_special      = 2
  override_special = "_%@"
}

resource "random_integer" "port" {
  min  = 8000
  max  = 8099
  seed = "fixed"
}

resource "random_integer" "port_again" {
  min  = 8000
  max  = 8099
  seed = "fixed"
}

resource "random_pet" "name" {
  length    = 3
  separator = "_"
}

resource "random_shuffle" "zones" {
  input        = ["a", "b", "c", "d"]
  result_count = 2
}

resource "random_uuid" "run" {}

output "password" {
  value     = random_password.db.result
  sensitive = true
}

output "hex" {
  value = random_id.server.hex
}
"#;

#[test]
fn random_values_are_created_kept_replaced_by_keepers_and_destroyed() {
    let ws = Workspace::with_main(RANDOM);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("Plan: 8 to add, 0 to change, 0 to destroy.");
    let applied = ws.apply();
    let state = ws.state();

    let id = state.instance("random_id.server");
    let b64 = id.string("id").expect("id").to_string();
    assert_eq!(b64.len(), 11, "8 bytes are 11 unpadded base64 characters");
    assert!(id.string("hex").expect("hex").starts_with("srv-"));
    assert_eq!(id.string("hex").expect("hex").len(), 4 + 16);

    let suffix = state.instance("random_string.suffix");
    let suffix_text = suffix.string("result").expect("result");
    assert_eq!(suffix_text.len(), 12);
    assert!(suffix_text
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_eq!(suffix.string("id"), Some(suffix_text));

    let password = state.instance("random_password.db");
    let secret = password.string("result").expect("result").to_string();
    assert_eq!(secret.chars().count(), 24);
    assert!(secret.chars().filter(|c| "_%@".contains(*c)).count() >= 2);
    assert!(password
        .string("bcrypt_hash")
        .expect("bcrypt_hash")
        .starts_with("$2"));
    assert_eq!(password.string("id"), Some("none"));
    applied.expect_nowhere(&secret);

    let port = state
        .instance("random_integer.port")
        .attr("result")
        .cloned();
    let again = state
        .instance("random_integer.port_again")
        .attr("result")
        .cloned();
    assert_eq!(port, again, "the same seed gives the same integer");
    let port = port.and_then(|p| p.as_i64()).expect("a number");
    assert!((8000..=8099).contains(&port));

    let pet = state.instance("random_pet.name");
    assert_eq!(pet.string("id").expect("id").split('_').count(), 3);
    let zones = state.instance("random_shuffle.zones");
    let zones = zones
        .attr("result")
        .and_then(|r| r.as_array())
        .expect("list");
    assert_eq!(zones.len(), 2);
    assert_ne!(zones[0], zones[1]);
    let uuid = state.instance("random_uuid.run");
    assert_eq!(uuid.string("result").expect("uuid").len(), 36);

    let planned = ws.plan(&[]);
    planned.expect_code(0).expect_nowhere(&secret);
    ws.run(&["output", "-json"])
        .expect_ok()
        .expect_stdout(&secret);
    ws.run(&["output"]).expect_ok().expect_nowhere(&secret);

    ws.plan(&["-var", "generation=2"])
        .expect_code(2)
        .expect_stdout("# random_id.server must be replaced")
        .expect_stdout("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "-auto-approve", "-var", "generation=2"])
        .expect_ok();
    let replaced = ws.state();
    assert_ne!(
        replaced.instance("random_id.server").string("id"),
        Some(b64.as_str())
    );
    assert_eq!(
        replaced.instance("random_password.db").string("result"),
        Some(secret.as_str()),
        "what keepers do not cover is kept"
    );

    ws.run(&["destroy", "-auto-approve", "-var", "generation=2"])
        .expect_ok()
        .expect_stdout("Destroy complete! Resources: 8 destroyed.")
        .expect_nowhere(&secret);
    assert!(ws.state_list().is_empty());
}

#[test]
fn random_types_import_with_terraform_ids_and_plan_no_changes() {
    let ws = Workspace::with_main(
        r#"
resource "random_id" "server" {
  byte_length = 4
  prefix      = "p-"
}

resource "random_string" "name" {
  length = 6
}

resource "random_password" "admin" {
  length = 10
}

resource "random_integer" "priority" {
  min = 1
  max = 100
}

resource "random_uuid" "tenant" {}
"#,
    );
    ws.run(&["import", "random_id.server", "p-,p-9hUg"])
        .expect_ok();
    ws.run(&["import", "random_string.name", "abc123"])
        .expect_ok();
    ws.run(&["import", "random_password.admin", "s3cr3t-pwd"])
        .expect_ok()
        .expect_nowhere("s3cr3t-pwd");
    ws.run(&["import", "random_integer.priority", "not-a-number"])
        .expect_code(1)
        .expect_stderr("RESULT,MIN,MAX");
    ws.run(&["import", "random_integer.priority", "42,1,100"])
        .expect_ok();
    ws.run(&[
        "import",
        "random_uuid.tenant",
        "6b2c2e5e-1d4a-4b49-8a4f-3c0a3f6f1d2e",
    ])
    .expect_ok();
    let state = ws.state();
    let id = state.instance("random_id.server");
    assert_eq!(id.string("id"), Some("p-9hUg"));
    assert_eq!(id.string("hex"), Some("p-a7ef6152"));
    assert_eq!(id.string("dec"), Some("p-2817483090"));
    assert_eq!(
        state.instance("random_integer.priority").attr("result"),
        Some(&serde_json::json!(42))
    );
    ws.plan(&[]).expect_code(0).expect_nowhere("s3cr3t-pwd");
}

#[test]
fn hashicorp_sources_get_the_built_in_providers_within_their_version_constraints() {
    let ws = Workspace::with_main(
        r#"
terraform {
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "~> 3.5"
    }
    local = {
      source  = "registry.terraform.io/hashicorp/local"
      version = ">= 2.0, < 3.0"
    }
  }
}

resource "random_uuid" "id" {}
"#,
    );
    ws.run(&["init"]).expect_ok();
    ws.run(&["providers"])
        .expect_ok()
        .expect_stdout(
            "- provider[registry.terraform.io/hashicorp/random]: built in, implementing hashicorp/random v3.6.3",
        )
        .expect_stdout("- provider[registry.terraform.io/hashicorp/local]: built in, implementing hashicorp/local");
    ws.apply();

    ws.write(
        "versions.tf",
        r#"
terraform {
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "~> 1.0"
    }
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Provider \"time\" does not match the version constraint")
        .expect_stderr("implements hashicorp/time v0.12.1")
        .expect_stderr("versions.tf");
}
