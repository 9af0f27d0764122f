//! The basic life cycle of a configuration: plan on empty state, apply, a no-op plan, an edited
//! attribute, a forced replacement and destroy, with Terraform's exit codes and summary lines.

mod support;

use support::{Workspace, STATE_FILE};

/// Three `terraform_data` resources; `b` depends on `a`.
const THREE: &str = r#"
resource "terraform_data" "a" {
  input = "alpha"
}

resource "terraform_data" "b" {
  input = "${terraform_data.a.output}-beta"
}

resource "terraform_data" "c" {
  input = "gamma"
}
"#;

const THREE_ADDRESSES: [&str; 3] = ["terraform_data.a", "terraform_data.b", "terraform_data.c"];

#[test]
fn plan_on_empty_state_exits_2_and_lists_every_create() {
    let ws = Workspace::with_main(THREE);
    let plan = ws.plan(&[]);
    plan.expect_code(2)
        .expect_stdout("# terraform_data.a will be created")
        .expect_stdout("# terraform_data.b will be created")
        .expect_stdout("# terraform_data.c will be created")
        .expect_stdout("(known after apply)")
        .expect_stdout("Plan: 3 to add, 0 to change, 0 to destroy.");
    assert!(!ws.exists(STATE_FILE), "plan must not write state");
}

#[test]
fn apply_records_every_resource_and_the_next_plan_is_a_no_op() {
    let ws = Workspace::with_main(THREE);
    ws.apply()
        .expect_stdout("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");

    assert_eq!(ws.state_list(), THREE_ADDRESSES);
    let state = ws.state();
    assert_eq!(state.addresses(), THREE_ADDRESSES);
    let b = state.instance("terraform_data.b");
    assert_eq!(b.string("input"), Some("alpha-beta"));
    assert_eq!(b.string("output"), Some("alpha-beta"));
    assert!(
        b.string("id").is_some_and(|id| !id.is_empty()),
        "b has no id: {b:?}"
    );

    ws.plan(&[])
        .expect_code(0)
        .expect_stdout("No changes. Your infrastructure matches the configuration.");
}

#[test]
fn edited_attribute_plans_one_in_place_update_naming_its_address() {
    let ws = Workspace::with_main(THREE);
    ws.apply();
    let id_before = ws
        .state()
        .instance("terraform_data.c")
        .string("id")
        .map(String::from);

    ws.write("main.tf", &THREE.replace("\"gamma\"", "\"gamma-2\""));
    let plan = ws.plan(&[]);
    plan.expect_code(2)
        .expect_stdout("# terraform_data.c will be updated in-place")
        .expect_stdout("gamma-2")
        .expect_stdout("Plan: 0 to add, 1 to change, 0 to destroy.");
    assert!(!plan.stdout.contains("terraform_data.a will"), "{plan}");

    ws.apply()
        .expect_stdout("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    let c = ws.state().instance("terraform_data.c");
    assert_eq!(c.string("output"), Some("gamma-2"));
    assert_eq!(
        c.string("id").map(String::from),
        id_before,
        "an update keeps the id"
    );
    ws.plan(&[]).expect_code(0);
}

#[test]
fn changed_triggers_replace_forces_a_replacement() {
    let config = |trigger: &str| {
        format!("resource \"terraform_data\" \"r\" {{\n  input            = \"same\"\n  triggers_replace = \"{trigger}\"\n}}\n")
    };
    let ws = Workspace::with_main(&config("v1"));
    ws.apply();
    let old_id = ws
        .state()
        .instance("terraform_data.r")
        .string("id")
        .map(String::from);

    ws.write("main.tf", &config("v2"));
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# terraform_data.r must be replaced")
        .expect_stdout("# forces replacement")
        .expect_stdout("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.apply()
        .expect_stdout("Apply complete! Resources: 1 added, 0 changed, 1 destroyed.");
    let new_id = ws
        .state()
        .instance("terraform_data.r")
        .string("id")
        .map(String::from);
    assert_ne!(old_id, new_id, "a replacement gets a new id");
}

#[test]
fn destroy_auto_approve_leaves_an_empty_state() {
    let ws = Workspace::with_main(THREE);
    ws.apply();
    ws.run(&["destroy", "-auto-approve"])
        .expect_ok()
        .expect_stdout("Destroy complete! Resources: 3 destroyed.");
    assert!(ws.state_list().is_empty());
    assert!(ws.state().instances().is_empty());
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("Plan: 3 to add, 0 to change, 0 to destroy.");
}

#[test]
fn chdir_runs_the_command_in_another_directory() {
    let project = Workspace::with_main(THREE);
    let elsewhere = Workspace::new();
    let chdir = format!("-chdir={}", project.path().display());
    elsewhere
        .run(&[&chdir, "apply", "-auto-approve"])
        .expect_ok();
    assert!(
        project.exists(STATE_FILE),
        "state belongs in the -chdir directory"
    );
    assert!(!elsewhere.exists(STATE_FILE));
    elsewhere
        .run(&[&chdir, "plan", "-detailed-exitcode"])
        .expect_code(0);
}

#[test]
fn apply_without_approval_and_without_a_terminal_changes_nothing() {
    let ws = Workspace::with_main(THREE);
    ws.run(&["apply"]).expect_code(1);
    let recorded = if ws.exists(STATE_FILE) {
        ws.state().instances().len()
    } else {
        0
    };
    assert_eq!(recorded, 0, "nothing may be applied without approval");
}

#[test]
fn init_and_validate_accept_a_builtin_only_configuration() {
    let ws = Workspace::with_main(THREE);
    ws.run(&["init"]).expect_ok();
    ws.run(&["validate"]).expect_ok();
}

#[test]
fn parallelism_one_applies_the_same_result() {
    let ws = Workspace::with_main(THREE);
    ws.run(&["apply", "-auto-approve", "-parallelism=1"])
        .expect_ok();
    assert_eq!(ws.state_list(), THREE_ADDRESSES);
}
