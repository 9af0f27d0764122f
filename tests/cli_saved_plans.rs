//! Saved plans: `plan -out=FILE` then `apply FILE` applies exactly that plan (with the variables
//! it was made with), `show` renders it, and a plan made before the state changed is refused.

mod support;

use support::{Workspace, STATE_FILE};

const CONFIG: &str = r#"
variable "suffix" {
  type    = string
  default = "plain"
}

resource "terraform_data" "a" {
  input = "a-${var.suffix}"
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}
"#;

#[test]
fn saved_plan_applies_and_show_renders_it() {
    let ws = Workspace::with_main(CONFIG);
    ws.run(&["plan", "-out=plan.bin"])
        .expect_ok()
        .expect_stdout("Plan: 2 to add, 0 to change, 0 to destroy.");
    assert!(ws.exists("plan.bin"));
    assert!(!ws.exists(STATE_FILE), "plan -out must not write state");

    ws.run(&["show", "plan.bin"])
        .expect_ok()
        .expect_stdout("# terraform_data.a will be created");
    let json = ws
        .run(&["show", "-json", "plan.bin"])
        .expect_ok()
        .stdout_json();
    let changes = json["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let a = changes
        .iter()
        .find(|c| c["address"] == "terraform_data.a")
        .unwrap_or_else(|| panic!("no change for terraform_data.a in {json:#}"));
    assert_eq!(a["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(a["change"]["after"]["input"], "a-plain");

    ws.run(&["apply", "plan.bin"])
        .expect_ok()
        .expect_stdout("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");
    assert_eq!(ws.state_list(), ["terraform_data.a", "terraform_data.b"]);
    ws.plan(&[]).expect_code(0);
}

#[test]
fn saved_plan_keeps_the_variables_it_was_made_with() {
    let ws = Workspace::with_main(CONFIG);
    ws.run(&["plan", "-var", "suffix=from-plan", "-out=plan.bin"])
        .expect_ok();
    ws.run(&["apply", "plan.bin"]).expect_ok();
    assert_eq!(
        ws.state().instance("terraform_data.b").string("output"),
        Some("a-from-plan")
    );
}

#[test]
fn applying_a_saved_plan_twice_is_refused_as_stale() {
    let ws = Workspace::with_main(CONFIG);
    ws.run(&["plan", "-out=plan.bin"]).expect_ok();
    ws.run(&["apply", "plan.bin"]).expect_ok();
    let state = ws.read_bytes(STATE_FILE);
    let outcome = ws.run(&["apply", "plan.bin"]);
    outcome.expect_code(1).expect_stderr("Error: ");
    assert!(outcome.stderr.to_lowercase().contains("stale"), "{outcome}");
    assert_eq!(
        ws.read_bytes(STATE_FILE),
        state,
        "a refused plan must not touch state"
    );
}

#[test]
fn saved_plan_is_refused_after_the_state_changed() {
    let ws = Workspace::with_main(CONFIG);
    ws.apply();
    ws.run(&["plan", "-var", "suffix=first", "-out=first.bin"])
        .expect_ok();
    ws.run(&["apply", "-auto-approve", "-var", "suffix=second"])
        .expect_ok();
    let state = ws.read_bytes(STATE_FILE);

    let outcome = ws.run(&["apply", "first.bin"]);
    outcome.expect_code(1);
    assert!(outcome.stderr.to_lowercase().contains("stale"), "{outcome}");
    assert_eq!(ws.read_bytes(STATE_FILE), state);
    assert_eq!(
        ws.state().instance("terraform_data.a").string("input"),
        Some("a-second")
    );
}

#[test]
fn saved_plan_is_refused_when_the_state_was_replaced_by_another_lineage() {
    let ws = Workspace::with_main(CONFIG);
    ws.apply();
    ws.run(&["plan", "-var", "suffix=next", "-out=next.bin"])
        .expect_ok();
    let mut json = ws.state().json;
    json["lineage"] = serde_json::json!("00000000-0000-0000-0000-000000000000");
    ws.write(
        STATE_FILE,
        &serde_json::to_string_pretty(&json).expect("serialise"),
    );
    ws.run(&["apply", "next.bin"])
        .expect_code(1)
        .expect_stderr("Error: ");
}

#[test]
fn a_file_that_is_not_a_plan_is_refused() {
    let ws = Workspace::with_main(CONFIG);
    ws.write("plan.bin", "this is not a plan");
    ws.run(&["apply", "plan.bin"])
        .expect_code(1)
        .expect_stderr("plan.bin");
    assert!(!ws.exists(STATE_FILE));
}
