//! `removed` blocks end to end: with `lifecycle { destroy = false }` the object leaves state
//! and keeps existing (the slow provider's object file stays); without it (Terraform 1.7's
//! default, `destroy = true`) the object is destroyed; a block naming a resource that is still
//! configured is refused.
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

#[test]
fn removed_with_destroy_false_forgets_the_object_and_leaves_it_running() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "keep" { input = "keep" }
resource "slow_object" "drop" { input = "drop" }
"#,
    );
    ws.apply();
    let keep = ws
        .state()
        .instance("slow_object.keep")
        .string("id")
        .unwrap()
        .to_string();
    let drop = ws
        .state()
        .instance("slow_object.drop")
        .string("id")
        .unwrap()
        .to_string();
    ws.write(
        "main.tf",
        r#"
removed {
  from = slow_object.keep
  lifecycle {
    destroy = false
  }
}

removed {
  from = slow_object.drop
}
"#,
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# slow_object.keep will no longer be managed by plinth")
        .expect_stdout("# slow_object.drop will be destroyed")
        .expect_stdout("Plan: 0 to add, 0 to change, 1 to destroy, 1 to forget.")
        .expect_stderr("Some objects will no longer be managed by plinth")
        .expect_nowhere("slow_object.keep will be destroyed");
    ws.apply()
        .expect_stdout("Resources: 0 added, 0 changed, 1 destroyed.");
    assert!(ws.state_list().is_empty(), "{:?}", ws.state_list());
    let objects = ws.slow_objects();
    assert!(
        objects.contains_key(&keep),
        "the forgotten object is gone: {objects:?}"
    );
    assert!(
        !objects.contains_key(&drop),
        "the removed object was kept: {objects:?}"
    );
    ws.plan(&[]).expect_code(0).expect_stdout("No changes.");
}

#[test]
fn removed_objects_of_a_module_are_forgotten_too() {
    let ws = Workspace::new();
    ws.write(
        "m/main.tf",
        r#"resource "slow_object" "r" { input = "in-module" }"#,
    );
    ws.write("main.tf", "module \"m\" {\n  source = \"./m\"\n}\n");
    ws.apply();
    let id = ws
        .state()
        .instance("module.m.slow_object.r")
        .string("id")
        .unwrap()
        .to_string();
    ws.write(
        "main.tf",
        "removed {\n  from = module.m\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    ws.apply()
        .expect_stdout("Resources: 0 added, 0 changed, 0 destroyed.");
    assert!(ws.state_list().is_empty());
    assert!(ws.slow_objects().contains_key(&id));
}

#[test]
fn a_removed_block_for_a_resource_still_configured_is_refused() {
    let ws = Workspace::with_main(
        r#"
resource "slow_object" "a" { input = "a" }

removed {
  from = slow_object.a
  lifecycle {
    destroy = false
  }
}
"#,
    );
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Removed resource still exists");
    ws.write("main.tf", "removed {\n  from = slow_object.a[0]\n}\n");
    ws.plan(&[])
        .expect_code(1)
        .expect_stderr("Resource instance keys not allowed");
}

/// `plan -json` shows a forgotten object as Terraform does: a change with the action `forget`
/// and the object's prior values, not a list of plinth's own.
#[test]
fn plan_json_listed_forgotten_objects_apart_instead_of_a_forget_action() {
    let ws = Workspace::with_main(r#"resource "slow_object" "keep" { input = "keep" }"#);
    ws.apply();
    ws.write(
        "main.tf",
        r#"
removed {
  from = slow_object.keep
  lifecycle {
    destroy = false
  }
}
"#,
    );
    let json = ws.run(&["plan", "-json"]).expect_ok().stdout_json();
    assert!(json.get("forgotten").is_none(), "{json}");
    let changes = json["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{json}");
    assert_eq!(changes[0]["address"], "slow_object.keep");
    assert_eq!(
        changes[0]["change"]["actions"],
        serde_json::json!(["forget"])
    );
    assert_eq!(changes[0]["change"]["before"]["input"], "keep");
    assert!(changes[0]["change"]["after"].is_null(), "{json}");
}
