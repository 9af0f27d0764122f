//! Issue 9's bad input against moto, through the CLI: wrong credentials, an AMI or instance
//! type AWS does not know (moto's validation switched on), a deletion AWS refuses
//! (`DependencyViolation`) and throttling (answered by a proxy in front of moto, as AWS answers
//! `RequestLimitExceeded`). Each is an error naming the resource address and AWS's code and
//! message, never a secret; whatever was made before the failure is in state.

mod aws_support;
mod support;

use aws_support::{assert_moto_is_state, boto};
use support::fault_proxy::{Fault, FaultProxy};
use support::moto::Moto;
use support::Workspace;

/// A workspace talking to `endpoint` (moto, or a proxy in front of it) with moto's credentials.
fn workspace(moto: &Moto, config: &str, endpoint: &str) -> Workspace {
    let mut ws = Workspace::with_main(config);
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    ws.set_env("AWS_ENDPOINT_URL", endpoint);
    ws
}

const VPC: &str = r#"
resource "aws_vpc" "main" {
  cidr_block = "10.70.0.0/16"

  timeouts {
    delete = "2s"
  }
}
"#;

#[test]
fn wrong_credentials_fail_naming_awss_code_and_never_the_secret() {
    // With no unauthenticated actions allowed, moto checks keys as IAM does: it knows none.
    let Some(moto) = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "0")]) else {
        return;
    };
    let mut ws = workspace(&moto, VPC, &moto.endpoint);
    ws.set_env("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1");
    ws.set_env(
        "AWS_SECRET_ACCESS_KEY",
        "wrong-secret-never-shown-0123456789",
    );
    let outcome = ws.run(&["apply", "-auto-approve"]);
    outcome
        .expect_code(1)
        .expect_stderr("aws_vpc.main")
        .expect_stderr("AuthFailure");
    let shown = format!("{}{}", outcome.stdout, outcome.stderr);
    assert!(
        !shown.contains("wrong-secret-never-shown"),
        "the secret key shows:\n{shown}"
    );
    assert!(ws.state_list().is_empty());
}

#[test]
fn an_unknown_ami_or_instance_type_fails_naming_the_address_and_keeps_what_was_made() {
    let Some(moto) = Moto::start_with(&[
        ("MOTO_ENABLE_AMI_VALIDATION", "true"),
        ("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true"),
    ]) else {
        return;
    };
    let config = |ami: &str, instance_type: &str| {
        format!(
            r#"
resource "aws_vpc" "main" {{
  cidr_block = "10.71.0.0/16"
}}

resource "aws_subnet" "main" {{
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.71.1.0/24"
}}

data "aws_ami" "linux" {{
  most_recent = true
  owners      = ["amazon"]

  filter {{
    name   = "name"
    values = ["amzn2-ami-hvm-*-x86_64-gp2"]
  }}
}}

resource "aws_instance" "web" {{
  ami           = {ami}
  instance_type = "{instance_type}"
  subnet_id     = aws_subnet.main.id
}}
"#
        )
    };
    let ws = workspace(
        &moto,
        &config("\"ami-0123456789abcdef0\"", "t3.micro"),
        &moto.endpoint,
    );
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("aws_instance.web")
        .expect_stderr("InvalidAMIID")
        .expect_stderr("ami-0123456789abcdef0");
    assert_eq!(
        ws.state_list(),
        ["aws_subnet.main", "aws_vpc.main", "data.aws_ami.linux"]
    );
    assert_moto_is_state(&moto, &ws, "after the refused AMI");

    ws.write("main.tf", &config("data.aws_ami.linux.id", "t9.nonsense"));
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("aws_instance.web")
        .expect_stderr("InvalidInstanceType")
        .expect_stderr("t9.nonsense");
    assert_moto_is_state(&moto, &ws, "after the refused instance type");

    ws.write("main.tf", &config("data.aws_ami.linux.id", "t3.micro"));
    ws.apply();
    assert_moto_is_state(&moto, &ws, "after the repaired apply");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
}

#[test]
fn a_deletion_aws_refuses_names_dependency_violation_within_the_configured_delete_timeout() {
    let Some(moto) = Moto::start() else { return };
    let ws = workspace(&moto, VPC, &moto.endpoint);
    ws.apply();
    let vpc = ws
        .state()
        .instance("aws_vpc.main")
        .string("id")
        .unwrap()
        .to_string();
    // A subnet nobody told plinth about keeps the VPC from being deleted.
    let subnet = boto(&moto, &["create-subnet", &vpc, "10.70.9.0/24"]);
    ws.run(&["destroy", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("aws_vpc.main")
        .expect_stderr("DependencyViolation")
        .expect_stderr("has dependencies and cannot be deleted");
    assert_eq!(
        ws.state_list(),
        ["aws_vpc.main"],
        "the refused VPC stays in state"
    );

    boto(&moto, &["delete-subnet", &subnet]);
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(ws.state_list().is_empty());
}

#[test]
fn throttled_calls_are_retried_and_exhausted_retries_name_the_code() {
    let Some(moto) = Moto::start() else { return };
    let port = support::fault_proxy::port_of(&moto.endpoint);
    let proxy = FaultProxy::start(
        port,
        Fault::Throttle {
            request: "POST /".into(),
            times: 3,
        },
    );
    proxy.arm();
    let endpoint = format!("http://127.0.0.1:{}", proxy.port);
    let ws = workspace(&moto, VPC, &endpoint);
    ws.apply();
    assert_eq!(proxy.hits(), 3, "three calls were throttled and retried");
    assert_eq!(ws.state_list(), ["aws_vpc.main"]);

    // With retries off, a throttled call is an error naming AWS's code.
    let always = FaultProxy::start(
        port,
        Fault::Throttle {
            request: "POST /".into(),
            times: usize::MAX,
        },
    );
    always.arm();
    let endpoint = format!("http://127.0.0.1:{}", always.port);
    let ws = workspace(
        &moto,
        &format!("provider \"aws\" {{\n  max_retries = 0\n}}\n{VPC}\nresource \"aws_vpc\" \"second\" {{\n  cidr_block = \"10.72.0.0/16\"\n}}\n"),
        &endpoint,
    );
    ws.run(&["apply", "-auto-approve", "-refresh=false"])
        .expect_code(1)
        .expect_stderr("RequestLimitExceeded")
        .expect_stderr("Request limit exceeded");
    assert!(ws.state_list().is_empty());
}

#[test]
fn a_db_password_too_short_was_sent_to_aws_instead_of_refused_at_plan() {
    let Some(moto) = Moto::start() else { return };
    let config = r#"
variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "db" {
  identifier          = "plinth-short-password"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = var.db_password
  skip_final_snapshot = true
}
"#;
    let ws = workspace(&moto, config, &moto.endpoint);
    ws.run(&["plan", "-var", "db_password=short7!"])
        .expect_code(1)
        .expect_stderr("aws_db_instance.db")
        .expect_stderr("expected length of password to be in the range (8 - 128)")
        .expect_nowhere("short7!");
    assert!(
        !boto(&moto, &["inventory"]).contains("plinth-short-password"),
        "nothing was made"
    );
}
