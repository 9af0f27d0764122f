//! Preconditions and postconditions end to end (a failing precondition stops the plan naming
//! its condition, error message, file and line; postconditions are checked on the planned and
//! the applied object and fail naming the address), output preconditions, OpenTofu's
//! `lifecycle { enabled = ... }` and `terraform { required_version }` against the Terraform
//! version plinth implements.

mod support;

use support::Workspace;

#[test]
fn a_failing_precondition_stops_the_plan_naming_its_condition_and_message() {
    let ws = Workspace::with_main(
        r#"
variable "size" {
  default = 3
}

resource "terraform_data" "a" {
  input = var.size

  lifecycle {
    precondition {
      condition     = var.size < 2
      error_message = "The size must be below 2."
    }
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Resource precondition failed")
        .expect_stderr("main.tf line 11")
        .expect_stderr("var.size < 2")
        .expect_stderr("The size must be below 2.")
        .expect_stderr("terraform_data.a")
        .expect_nowhere("will be created");
    assert!(!ws.exists("terraform.tfstate") || ws.state_list().is_empty());
    ws.plan(&["-var", "size=1"])
        .expect_code(2)
        .expect_stdout("terraform_data.a will be created");
}

#[test]
fn postconditions_are_checked_on_the_planned_and_the_applied_object() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "known" {
  input = "x"

  lifecycle {
    postcondition {
      condition     = self.input == "y"
      error_message = "The input must be y, not ${self.input}."
    }
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Resource postcondition failed")
        .expect_stderr("The input must be y, not x.")
        .expect_stderr("terraform_data.known");
    // The id is known only after apply: the condition is checked then, and the object it
    // judged stays in state.
    ws.write(
        "main.tf",
        r#"
resource "terraform_data" "later" {
  input = "x"

  lifecycle {
    postcondition {
      condition     = self.id == "not-a-uuid"
      error_message = "Unexpected id."
    }
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("terraform_data.later will be created");
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("Resource postcondition failed")
        .expect_stderr("Unexpected id.")
        .expect_stderr("terraform_data.later");
    assert_eq!(ws.state_list(), vec!["terraform_data.later".to_string()]);
}

#[test]
fn an_output_precondition_stops_the_plan() {
    let ws = Workspace::with_main(
        r#"
variable "port" {
  default = 70000
}

output "port" {
  value = var.port

  precondition {
    condition     = var.port < 65536
    error_message = "The port must fit in 16 bits."
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Module output value precondition failed")
        .expect_stderr("The port must fit in 16 bits.");
    ws.plan(&["-var", "port=8080"]).expect_code(2);
}

#[test]
fn lifecycle_enabled_false_plans_no_instance_and_destroys_an_existing_one() {
    let ws = Workspace::with_main(
        r#"
variable "on" {
  type    = bool
  default = false
}

resource "terraform_data" "a" {
  input = "x"

  lifecycle {
    enabled = var.on
  }
}

output "a_is_null" {
  value = terraform_data.a == null
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_nowhere("terraform_data.a will be created");
    ws.apply();
    assert!(ws.state_list().is_empty());
    assert_eq!(
        ws.state().output("a_is_null"),
        Some(&serde_json::json!(true))
    );
    ws.run(&["apply", "-auto-approve", "-var", "on=true"])
        .expect_ok()
        .expect_stdout("1 added");
    assert_eq!(ws.state_list(), vec!["terraform_data.a".to_string()]);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("terraform_data.a will be destroyed");
}

#[test]
fn required_version_is_checked_against_the_terraform_version_plinth_implements() {
    let ws = Workspace::with_main(
        r#"
terraform {
  required_version = ">= 1.5, < 2.0"
}
"#,
    );
    ws.plan(&[]).expect_code(0);
    ws.run(&["version"])
        .expect_ok()
        .expect_stdout("implements the language of Terraform v1.16.0");
    ws.write(
        "main.tf",
        "terraform {\n  required_version = \">= 2.0\"\n}\n",
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Unsupported Terraform Core version")
        .expect_stderr("main.tf:2:22")
        .expect_stderr("1.16.0");
}

#[test]
fn check_blocks_read_scoped_data_and_only_ever_warn() {
    let ws = Workspace::with_main(
        r#"
resource "terraform_data" "a" {
  input = "x"
}

check "health" {
  data "local_file" "status" {
    filename = "${path.module}/status.txt"
  }

  assert {
    condition     = data.local_file.status.content == "up"
    error_message = "The service is ${data.local_file.status.content}."
  }

  assert {
    condition     = terraform_data.a.output == "x"
    error_message = "The output changed."
  }
}
"#,
    );
    // The scoped data source cannot be read yet: a warning, and the apply goes on.
    ws.plan(&[])
        .expect_code(2)
        .expect_stderr("Warning")
        .expect_stderr("check.health")
        .expect_stdout("terraform_data.a will be created");
    ws.apply().expect_stdout("1 added");
    ws.write("status.txt", "down");
    ws.plan(&[])
        .expect_code(0)
        .expect_stderr("Check block assertion failed")
        .expect_stderr("The service is down.")
        .expect_nowhere("The output changed.");
    ws.apply()
        .expect_stderr("Check block assertion failed")
        .expect_nowhere("Error");
    ws.write("status.txt", "up");
    ws.plan(&[])
        .expect_code(0)
        .expect_nowhere("Check block assertion failed");
}
