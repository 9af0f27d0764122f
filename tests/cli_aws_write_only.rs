//! Write-only attributes against moto: `aws_db_instance.password_wo` takes an ephemeral
//! variable, reaches AWS on create (and on update when `password_wo_version` changes), and is
//! found nowhere plinth keeps or prints anything: plan output, saved plan file, state, `show`.
//! What AWS received is seen on the wire by a proxy in front of moto (moto never reports a
//! password back).

mod support;

use support::fault_proxy::{port_of, through, Fault, FaultProxy};
use support::moto::Moto;
use support::Workspace;

const PASSWORD: &str = "WriteOnlyFirst0123";
const NEW_PASSWORD: &str = "WriteOnlySecond4567";

const CONFIG: &str = r#"
variable "db_password" {
  type      = string
  ephemeral = true
}

variable "password_version" {
  type    = number
  default = 1
}

resource "aws_db_instance" "db" {
  identifier          = "plinth-write-only"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password_wo         = var.db_password
  password_wo_version = var.password_version
  skip_final_snapshot = true
}
"#;

/// A proxy in front of moto counting the requests that carry `password`.
fn counting(moto: &Moto, password: &str) -> FaultProxy {
    let marker = format!("MasterUserPassword={password}").into_bytes();
    FaultProxy::start(port_of(&moto.endpoint), Fault::Drop { marker })
}

/// A workspace talking to moto through `proxy`.
fn workspace(moto: &Moto, proxy: &FaultProxy) -> Workspace {
    let mut ws = Workspace::with_main(CONFIG);
    for (name, value) in moto.env() {
        ws.set_env(&name, &value);
    }
    ws.set_env("AWS_ENDPOINT_URL", &through(&moto.endpoint, proxy.port));
    ws
}

#[track_caller]
fn assert_nowhere_kept(ws: &Workspace, secret: &str) {
    let state = ws.read(support::STATE_FILE);
    assert!(!state.contains(secret), "the state holds the password");
    ws.run(&["show", "-json"])
        .expect_ok()
        .expect_nowhere(secret);
    ws.run(&["state", "show", "aws_db_instance.db"])
        .expect_ok()
        .expect_nowhere(secret);
}

/// A write-only password was refused as an ephemeral value, and would have been kept in the
/// plan file and state like any argument.
#[test]
fn a_write_only_password_reaches_aws_from_an_ephemeral_variable_and_is_kept_nowhere() {
    let Some(moto) = Moto::start() else { return };
    let first = counting(&moto, PASSWORD);
    let mut ws = workspace(&moto, &first);
    let var = format!("db_password={PASSWORD}");
    ws.run(&["plan", "-out", "saved.plan", "-var", &var])
        .expect_ok()
        .expect_stdout("aws_db_instance.db")
        .expect_nowhere(PASSWORD);
    let saved = String::from_utf8_lossy(&ws.read_bytes("saved.plan")).into_owned();
    assert!(
        !saved.contains(PASSWORD),
        "the plan file holds the password"
    );
    ws.run(&["apply", "-var", &var, "saved.plan"])
        .expect_ok()
        .expect_nowhere(PASSWORD);
    assert_eq!(first.matched(), 1, "the create sent the password once");
    assert_nowhere_kept(&ws, PASSWORD);

    // Another value alone changes nothing (nothing stored to compare it with) ...
    let other = format!("db_password={NEW_PASSWORD}");
    ws.run(&["plan", "-detailed-exitcode", "-var", &other])
        .expect_code(0)
        .expect_nowhere(NEW_PASSWORD);

    // ... a new password_wo_version sends it.
    let second = counting(&moto, NEW_PASSWORD);
    ws.set_env("AWS_ENDPOINT_URL", &through(&moto.endpoint, second.port));
    ws.run(&[
        "apply",
        "-auto-approve",
        "-var",
        &other,
        "-var",
        "password_version=2",
    ])
    .expect_ok()
    .expect_stdout("1 changed")
    .expect_nowhere(NEW_PASSWORD);
    assert_eq!(second.matched(), 1, "the update sent the new password");
    assert_nowhere_kept(&ws, NEW_PASSWORD);
}

#[test]
fn password_and_password_wo_conflict_and_an_ordinary_argument_still_refuses_ephemeral_values() {
    let mut ws = Workspace::with_main(&CONFIG.replace(
        "  skip_final_snapshot = true",
        "  password            = \"plain-password\"\n  skip_final_snapshot = true",
    ));
    ws.set_env("AWS_ACCESS_KEY_ID", "testing");
    ws.set_env("AWS_SECRET_ACCESS_KEY", "testing");
    ws.set_env("AWS_REGION", "us-east-1");
    ws.set_env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    ws.run(&[
        "plan",
        "-refresh=false",
        "-var",
        "db_password=whatever-it-is",
    ])
    .expect_code(1)
    .expect_stderr("Conflicting configuration arguments")
    .expect_stderr("password_wo")
    .expect_nowhere("whatever-it-is");

    let ws =
        Workspace::with_main(&CONFIG.replace("password_wo         =", "password            ="));
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("Invalid use of ephemeral value");
}
