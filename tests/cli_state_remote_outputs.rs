//! The `terraform_remote_state` data source: one configuration reads another's root outputs
//! from every backend (a local state file, moto's S3, a real PostgreSQL server), from the
//! default and from a named workspace, with `defaults` for outputs the state lacks, sensitive
//! outputs kept sensitive, and a clear error when the other state does not exist.
#![cfg(feature = "test-provider")]

mod support;

use support::moto::Moto;
use support::postgres::Postgres;
use support::Workspace;

const SECRET: &str = "hunter2-remote-secret";

/// The producing configuration: its outputs depend on the workspace.
fn producer_config(terraform_block: &str) -> String {
    format!(
        r#"
{terraform_block}

resource "terraform_data" "network" {{
  input = "vpc-${{terraform.workspace}}"
}}

output "vpc_id" {{
  value = terraform_data.network.output
}}

output "subnets" {{
  value = ["a", "b"]
}}

output "db_password" {{
  value     = "{SECRET}"
  sensitive = true
}}
"#
    )
}

/// The consuming configuration: reads the default and the `staging` workspace of `backend`
/// with `config`.
fn consumer_config(backend: &str, config: &str) -> String {
    format!(
        r#"
data "terraform_remote_state" "network" {{
  backend = "{backend}"
  config  = {config}
  defaults = {{
    region = "eu-west-1"
    vpc_id = "overridden-by-the-state"
  }}
}}

data "terraform_remote_state" "staging" {{
  backend   = "{backend}"
  config    = {config}
  workspace = "staging"
}}

resource "terraform_data" "app" {{
  input = "${{data.terraform_remote_state.network.outputs.vpc_id}}/${{data.terraform_remote_state.network.outputs.subnets[1]}}"
}}

output "vpc_id" {{
  value = terraform_data.app.output
}}

output "region" {{
  value = data.terraform_remote_state.network.outputs.region
}}

output "staging_vpc_id" {{
  value = data.terraform_remote_state.staging.outputs.vpc_id
}}

output "password" {{
  value     = data.terraform_remote_state.network.outputs.db_password
  sensitive = true
}}
"#
    )
}

/// Applies the producer in `default` and `staging`, then applies the consumer and checks what
/// it read.
fn outputs_are_read(producer: &Workspace, consumer: &Workspace) {
    producer.run(&["init"]).expect_ok();
    producer.apply();
    producer.run(&["workspace", "new", "staging"]).expect_ok();
    producer.apply();
    producer
        .run(&["workspace", "select", "default"])
        .expect_ok();

    consumer.run(&["init"]).expect_ok();
    let applied = consumer.apply();
    applied.expect_nowhere(SECRET);
    let outputs = consumer.run(&["output", "-json"]);
    outputs.expect_ok();
    let outputs = outputs.stdout_json();
    assert_eq!(outputs["vpc_id"]["value"], "vpc-default/b", "{outputs:#}");
    assert_eq!(outputs["region"]["value"], "eu-west-1", "{outputs:#}");
    assert_eq!(
        outputs["staging_vpc_id"]["value"], "vpc-staging",
        "{outputs:#}"
    );
    assert_eq!(outputs["password"]["value"], SECRET, "{outputs:#}");
    assert_eq!(outputs["password"]["sensitive"], true, "{outputs:#}");
    consumer.run(&["output"]).expect_ok().expect_nowhere(SECRET);
    consumer.plan(&[]).expect_code(0);
}

#[test]
fn remote_state_is_read_from_a_local_state_file() {
    let producer = Workspace::with_main(&producer_config(""));
    let path = producer.file("plinth.tfstate");
    let consumer = Workspace::with_main(&consumer_config(
        "local",
        &format!("{{ path = \"{}\" }}", path.display()),
    ));
    outputs_are_read(&producer, &consumer);

    // A sensitive remote output stays sensitive: exposing it needs `sensitive = true`.
    let config = consumer.read("main.tf");
    consumer.write(
        "main.tf",
        &format!(
            "{config}\noutput \"leak\" {{\n  value = data.terraform_remote_state.network.outputs.db_password\n}}\n"
        ),
    );
    consumer
        .run(&["plan"])
        .expect_code(1)
        .expect_stderr("Output refers to sensitive values")
        .expect_nowhere(SECRET);
}

#[test]
fn remote_state_is_read_from_s3() {
    let Some(moto) = Moto::start() else { return };
    moto.create_bucket("plinth-remote-outputs");
    let block = r#"
terraform {
  backend "s3" {
    bucket         = "plinth-remote-outputs"
    key            = "network/terraform.tfstate"
    region         = "us-east-1"
    use_path_style = true
  }
}
"#;
    let mut producer = Workspace::with_main(&producer_config(block));
    let mut consumer = Workspace::with_main(&consumer_config(
        "s3",
        r#"{
    bucket         = "plinth-remote-outputs"
    key            = "network/terraform.tfstate"
    region         = "us-east-1"
    use_path_style = true
  }"#,
    ));
    for (name, value) in moto.env() {
        producer.set_env(&name, &value);
        consumer.set_env(&name, &value);
    }
    outputs_are_read(&producer, &consumer);
}

#[test]
fn remote_state_is_read_from_postgres() {
    let Some(pg) = Postgres::start() else { return };
    let block = r#"
terraform {
  backend "pg" {
    schema_name = "network"
  }
}
"#;
    let mut producer = Workspace::with_main(&producer_config(block));
    producer.set_env("PG_CONN_STR", &pg.conn_str);
    let consumer = Workspace::with_main(&consumer_config(
        "pg",
        &format!(
            "{{\n    conn_str    = \"{}\"\n    schema_name = \"network\"\n  }}",
            pg.conn_str
        ),
    ));
    outputs_are_read(&producer, &consumer);
}

/// A workspace or file without state is an error naming the workspace, and the consumer's own
/// state is not written.
#[test]
fn remote_state_that_does_not_exist_is_a_clear_error() {
    let consumer = Workspace::with_main(
        r#"
data "terraform_remote_state" "missing" {
  backend   = "local"
  config    = { path = "nowhere/plinth.tfstate" }
  workspace = "prod"
}

output "vpc_id" {
  value = data.terraform_remote_state.missing.outputs.vpc_id
}
"#,
    );
    consumer
        .run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("Unable to find remote state")
        .expect_stderr("\"prod\"")
        .expect_stderr("data.terraform_remote_state.missing");
    let typo = Workspace::with_main(
        r#"
data "terraform_remote_state" "typo" {
  backend = "local"
  config  = { paht = "x.tfstate" }
}
"#,
    );
    typo.run(&["plan"])
        .expect_code(1)
        .expect_stderr("no setting \"paht\"");
}
