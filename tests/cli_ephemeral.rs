//! Ephemeral variables and outputs: the value of an ephemeral variable is never written to a
//! plan file (applying the saved plan takes it again from the command line), and ephemeral
//! values are refused where state would keep them: resource arguments, ordinary outputs and
//! root module outputs.

mod support;

use support::Workspace;

const CONFIG: &str = r#"
variable "token" {
  type      = string
  ephemeral = true
}

locals {
  header = "Bearer ${var.token}"
}

resource "terraform_data" "a" {
  input = "x"

  provisioner "local-exec" {
    command = "printf '%s' '${local.header}' > used.txt"
  }
}
"#;

#[test]
fn an_ephemeral_variable_stays_out_of_the_plan_file_and_is_given_again_at_apply() {
    let ws = Workspace::with_main(CONFIG);
    ws.run(&["plan", "-out", "saved.plan", "-var", "token=s3cr3t-value"])
        .expect_ok();
    let saved = String::from_utf8_lossy(&ws.read_bytes("saved.plan")).into_owned();
    assert!(
        !saved.contains("s3cr3t-value"),
        "the plan file holds the value"
    );
    ws.run(&["apply", "-input=false", "saved.plan"])
        .expect_code(1)
        .expect_stderr("token");
    ws.run(&["apply", "-var", "token=s3cr3t-value", "saved.plan"])
        .expect_ok();
    assert_eq!(ws.read("used.txt"), "Bearer s3cr3t-value");
    assert!(!ws.read(support::STATE_FILE).contains("s3cr3t-value"));
}

#[test]
fn ephemeral_values_are_refused_where_state_would_keep_them() {
    let ws = Workspace::with_main(
        r#"
variable "token" {
  type      = string
  ephemeral = true
  default   = "t"
}

locals {
  derived = upper(var.token)
}

resource "terraform_data" "a" {
  input = local.derived
}
"#,
    );
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("Invalid use of ephemeral value")
        .expect_stderr("main.tf:13");
    ws.write(
        "main.tf",
        "variable \"token\" {\n  ephemeral = true\n  default   = \"t\"\n}\n\noutput \"leak\" {\n  value = var.token\n}\n",
    );
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("Ephemeral value not allowed");
    ws.write(
        "main.tf",
        "variable \"token\" {\n  ephemeral = true\n  default   = \"t\"\n}\n\noutput \"leak\" {\n  value     = var.token\n  ephemeral = true\n}\n",
    );
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("Ephemeral output not allowed");
}
