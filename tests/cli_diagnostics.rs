//! Configuration errors: each exits 1 with an "Error: " diagnostic naming `file:line` (and the
//! resource address where there is one), never a panic, and every problem in one run.

mod support;

use support::{Outcome, Workspace};

/// Panics unless `outcome` failed with exit code 1 and an `Error: ` line naming every `needle`.
#[track_caller]
fn expect_error_naming(outcome: &Outcome, needles: &[&str]) {
    outcome.expect_code(1).expect_stderr("Error: ");
    for needle in needles {
        outcome.expect_stderr(needle);
    }
}

#[test]
fn validate_reports_broken_hcl_with_file_and_line() {
    let ws = Workspace::with_main(
        r#"resource "terraform_data" "a" {
  input = "x"
}

resource "terraform_data" "b" {
  input = = "y"
}
"#,
    );
    expect_error_naming(&ws.run(&["validate"]), &["main.tf:6"]);
    expect_error_naming(&ws.run(&["plan"]), &["main.tf:6"]);
}

#[test]
fn broken_hcl_in_a_second_file_names_that_file() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n");
    ws.write("network.tf", "locals {\n  broken = [1, 2,,]\n}\n");
    expect_error_naming(&ws.run(&["validate"]), &["network.tf:2"]);
}

#[test]
fn a_two_resource_cycle_names_both_resources() {
    let ws = Workspace::with_main(
        r#"resource "terraform_data" "a" {
  input = terraform_data.b.output
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}
"#,
    );
    for command in [&["plan"][..], &["validate"][..]] {
        let outcome = ws.run(command);
        expect_error_naming(&outcome, &["terraform_data.a", "terraform_data.b"]);
        assert!(outcome.stderr.to_lowercase().contains("cycle"), "{outcome}");
    }
}

#[test]
fn unknown_attribute_suggests_the_closest_name() {
    let ws = Workspace::with_main("resource \"terraform_data\" \"a\" {\n  inptu = \"x\"\n}\n");
    let outcome = ws.run(&["validate"]);
    expect_error_naming(
        &outcome,
        &["main.tf:2", "inptu", "Did you mean", "terraform_data.a"],
    );
    let hint = &outcome.stderr[outcome.stderr.find("Did you mean").unwrap_or(0)..];
    assert!(
        hint.contains("input"),
        "the hint must propose `input`\n{outcome}"
    );
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let ws = Workspace::with_main(
        r#"resource "terraform_data" "a" {
  inptu = "x"
}
resource "terraform_data" "b" {
  outptu = "y"
}
"#,
    );
    expect_error_naming(&ws.run(&["validate"]), &["main.tf:2", "main.tf:5"]);
}

#[test]
fn reference_to_an_undeclared_resource_is_an_error() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"a\" {\n  input = terraform_data.missing.output\n}\n",
    );
    let outcome = ws.run(&["validate"]);
    expect_error_naming(&outcome, &["main.tf:2", "terraform_data.missing"]);
    assert!(
        outcome.stderr.to_lowercase().contains("undeclared"),
        "{outcome}"
    );
}

#[test]
fn reference_to_an_undeclared_variable_is_an_error() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"a\" {\n  input = var.nowhere_declared\n}\n",
    );
    let outcome = ws.run(&["plan"]);
    expect_error_naming(&outcome, &["main.tf:2", "nowhere_declared"]);
    assert!(
        outcome.stderr.to_lowercase().contains("undeclared"),
        "{outcome}"
    );
}

#[test]
fn variable_without_value_is_an_error_without_a_terminal() {
    let ws = Workspace::with_main(
        r#"variable "unset_region_name" {
  type = string
}

resource "terraform_data" "a" {
  input = var.unset_region_name
}
"#,
    );
    // Standard input is closed: plinth must not wait for an answer.
    expect_error_naming(&ws.run(&["plan"]), &["unset_region_name"]);
    expect_error_naming(&ws.run(&["apply", "-auto-approve"]), &["unset_region_name"]);
}

#[test]
fn variable_of_the_wrong_type_is_an_error() {
    let ws = Workspace::with_main(
        r#"variable "replicas" {
  type = number
}

resource "terraform_data" "a" {
  input = var.replicas
}
"#,
    );
    let outcome = ws.run(&["plan", "-var", "replicas=many"]);
    expect_error_naming(&outcome, &["replicas", "number"]);
}

#[test]
fn wrong_function_arity_names_the_function_and_line() {
    let ws = Workspace::with_main(
        "resource \"terraform_data\" \"a\" {\n  input = upper(\"a\", \"b\")\n}\n",
    );
    expect_error_naming(&ws.run(&["validate"]), &["main.tf:2", "upper"]);
}

#[test]
fn unknown_block_type_is_an_error() {
    let ws = Workspace::with_main("resourse \"terraform_data\" \"a\" {\n  input = 1\n}\n");
    expect_error_naming(&ws.run(&["validate"]), &["main.tf:1", "resourse"]);
}

#[test]
fn binary_garbage_in_a_tf_file_is_an_error_not_a_panic() {
    let ws = Workspace::new();
    ws.write_bytes("main.tf", &[0xff, 0xfe, 0x00, b'{', b'"', 0x80, b'\n']);
    ws.run(&["validate"])
        .expect_code(1)
        .expect_stderr("main.tf");
}

/// `validate` never ran the schema's validators (only plan did), so a DB password too short
/// for AWS in the configuration passed `validate` and failed only at plan.
#[test]
fn validate_refuses_a_too_short_db_password_naming_file_line_and_address() {
    let ws = Workspace::with_main(
        r#"resource "aws_db_instance" "db" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = "short7!"
  skip_final_snapshot = true
}
"#,
    );
    let outcome = ws.run(&["validate"]);
    expect_error_naming(
        &outcome,
        &[
            "main.tf:6",
            "aws_db_instance.db",
            "expected length of password to be in the range (8 - 128)",
        ],
    );
    // The diagnostic itself never quotes the value (the source excerpt shows the line as written).
    let json = ws.run(&["validate", "-json"]);
    json.expect_code(1).expect_nowhere("short7!");
    let report = json.stdout_json();
    assert_eq!(report["diagnostics"][0]["address"], "aws_db_instance.db");
    assert_eq!(report["diagnostics"][0]["range"]["start"]["line"], 6);
}
