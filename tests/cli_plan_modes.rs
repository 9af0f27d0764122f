//! Plan and apply modes: `-target` (with dependencies), `-replace`, `-refresh-only` (no pending
//! configuration changes), `-refresh=false` and `-destroy`.

mod support;

use support::Workspace;

/// `d` depends on `a`; `b` and `c` stand alone.
const FOUR: &str = r#"
resource "terraform_data" "a" {
  input = "a"
}

resource "terraform_data" "b" {
  input = "b"
}

resource "terraform_data" "c" {
  input = "c"
}

resource "terraform_data" "d" {
  input = "${terraform_data.a.output}-d"
}
"#;

fn id_of(ws: &Workspace, address: &str) -> Option<String> {
    ws.state().instance(address).string("id").map(String::from)
}

#[test]
fn target_plans_the_target_and_its_dependencies_only() {
    let ws = Workspace::with_main(FOUR);
    let plan = ws.plan(&["-target=terraform_data.d"]);
    plan.expect_code(2)
        .expect_stdout("# terraform_data.a will be created")
        .expect_stdout("# terraform_data.d will be created")
        .expect_stdout("Plan: 2 to add, 0 to change, 0 to destroy.");
    assert!(!plan.stdout.contains("terraform_data.b will"), "{plan}");

    ws.run(&[
        "apply",
        "-auto-approve",
        "-target=terraform_data.b",
        "-target=terraform_data.c",
    ])
    .expect_ok();
    assert_eq!(ws.state_list(), ["terraform_data.b", "terraform_data.c"]);
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("Plan: 2 to add, 0 to change, 0 to destroy.");
}

#[test]
fn replace_recreates_only_the_named_resource() {
    let ws = Workspace::with_main(FOUR);
    ws.apply();
    let (old_b, old_c) = (
        id_of(&ws, "terraform_data.b"),
        id_of(&ws, "terraform_data.c"),
    );

    ws.plan(&["-replace=terraform_data.c"])
        .expect_code(2)
        .expect_stdout("# terraform_data.c will be replaced")
        .expect_stdout("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "-auto-approve", "-replace=terraform_data.c"])
        .expect_ok()
        .expect_stdout("Resources: 1 added, 0 changed, 1 destroyed.");
    assert_ne!(id_of(&ws, "terraform_data.c"), old_c);
    assert_eq!(id_of(&ws, "terraform_data.b"), old_b);
}

#[test]
fn refresh_only_ignores_pending_configuration_changes() {
    let ws = Workspace::with_main(FOUR);
    ws.apply();
    ws.write(
        "main.tf",
        &FOUR.replace("input = \"b\"", "input = \"b-edited\""),
    );

    ws.plan(&["-refresh-only"]).expect_code(0);
    ws.run(&["apply", "-refresh-only", "-auto-approve"])
        .expect_ok();
    assert_eq!(
        ws.state().instance("terraform_data.b").string("input"),
        Some("b")
    );

    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# terraform_data.b will be updated in-place");
}

#[test]
fn refresh_false_plans_from_state_alone() {
    let ws = Workspace::with_main(FOUR);
    ws.apply();
    ws.plan(&["-refresh=false"]).expect_code(0);
}

#[test]
fn destroy_mode_plans_every_deletion_and_applies_from_a_saved_plan() {
    let ws = Workspace::with_main(FOUR);
    ws.apply();
    ws.plan(&["-destroy"])
        .expect_code(2)
        .expect_stdout("# terraform_data.d will be destroyed")
        .expect_stdout("Plan: 0 to add, 0 to change, 4 to destroy.");
    assert_eq!(ws.state_list().len(), 4, "a plan changes nothing");

    ws.run(&["plan", "-destroy", "-out=destroy.bin"])
        .expect_ok();
    ws.run(&["apply", "destroy.bin"]).expect_ok();
    assert!(ws.state_list().is_empty());
    ws.plan(&["-destroy"]).expect_code(0);
}

#[test]
fn destroy_with_target_removes_the_target_and_its_dependents() {
    let ws = Workspace::with_main(FOUR);
    ws.apply();
    ws.run(&["destroy", "-auto-approve", "-target=terraform_data.a"])
        .expect_ok()
        .expect_stdout("Destroy complete! Resources: 2 destroyed.");
    assert_eq!(ws.state_list(), ["terraform_data.b", "terraform_data.c"]);
}

#[test]
fn malformed_target_address_is_an_error() {
    let ws = Workspace::with_main(FOUR);
    ws.run(&["plan", "-target=terraform_data.nope["])
        .expect_code(1)
        .expect_stderr("Error: ");
}
