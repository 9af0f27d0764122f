//! Failures during apply, through the slow provider: a failed create stops its dependents but
//! keeps every finished operation in state; a half-made object is recorded tainted and replaced
//! next run; failed updates and deletes leave state as it was; drift (an object deleted outside
//! plinth) is seen by refresh; import brings an existing object under management.
#![cfg(feature = "test-provider")]

mod support;

use std::collections::BTreeSet;

use support::Workspace;

/// Panics unless the state's slow_object ids and the object directory's files are the same set.
#[track_caller]
fn expect_state_matches_objects(ws: &Workspace) {
    let in_state: BTreeSet<String> = ws
        .state()
        .instances()
        .iter()
        .filter(|i| i.type_name == "slow_object")
        .filter_map(|i| i.string("id").map(String::from))
        .collect();
    let on_disk: BTreeSet<String> = ws.slow_objects().into_keys().collect();
    assert_eq!(in_state, on_disk, "state and real objects disagree");
}

const FAILING: &str = r#"
resource "slow_object" "ok_fast" {
  input = "ok-fast"
}

resource "slow_object" "ok_slow" {
  input    = "ok-slow"
  delay_ms = 400
}

resource "slow_object" "bad" {
  input       = "bad"
  delay_ms    = 100
  fail_create = true
}

resource "slow_object" "child" {
  input = "${slow_object.bad.output}-child"
}

resource "slow_object" "grandchild" {
  input = "${slow_object.child.output}-grandchild"
}
"#;

#[test]
fn failed_create_skips_dependents_and_keeps_finished_operations() {
    let ws = Workspace::with_main(FAILING);
    let outcome = ws.run(&["apply", "-auto-approve"]);
    outcome
        .expect_code(1)
        .expect_stderr("Error: ")
        .expect_stderr("slow_object.bad")
        .expect_stderr("failed as requested (fail_create)");
    assert_eq!(
        ws.state_list(),
        ["slow_object.ok_fast", "slow_object.ok_slow"]
    );
    expect_state_matches_objects(&ws);

    ws.write(
        "main.tf",
        &FAILING.replace("fail_create = true", "fail_create = false"),
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("Plan: 3 to add, 0 to change, 0 to destroy.");
    ws.apply();
    assert_eq!(
        ws.state()
            .instance("slow_object.grandchild")
            .string("output"),
        Some("bad-child-grandchild")
    );
    expect_state_matches_objects(&ws);
    ws.plan(&[]).expect_code(0);
}

const HALF: &str = r#"
resource "slow_object" "half" {
  input               = "half"
  fail_create_partial = true
}

resource "slow_object" "after" {
  input = "${slow_object.half.output}-after"
}
"#;

#[test]
fn half_made_object_is_recorded_tainted_and_replaced_next_run() {
    let ws = Workspace::with_main(HALF);
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("slow_object.half")
        .expect_stderr("failed half way");
    let state = ws.state();
    assert_eq!(
        state.addresses(),
        ["slow_object.half"],
        "nothing created is forgotten"
    );
    assert!(
        state.instance("slow_object.half").is_tainted(),
        "{:#}",
        state.json
    );
    expect_state_matches_objects(&ws);

    ws.write(
        "main.tf",
        &HALF.replace("fail_create_partial = true", "fail_create_partial = false"),
    );
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("slow_object.half")
        .expect_stdout("tainted")
        .expect_stdout("Plan: 2 to add, 0 to change, 1 to destroy.");
    ws.apply();
    let state = ws.state();
    assert!(!state.instance("slow_object.half").is_tainted());
    assert_eq!(
        state.instance("slow_object.after").string("output"),
        Some("half-after")
    );
    expect_state_matches_objects(&ws);
    ws.plan(&[]).expect_code(0);
}

#[test]
fn failed_update_leaves_the_object_and_its_dependents_as_they_were() {
    let config = |input: &str, fail: bool| {
        format!(
            "resource \"slow_object\" \"x\" {{\n  input       = \"{input}\"\n  fail_update = {fail}\n}}\n\nresource \"slow_object\" \"y\" {{\n  input = \"${{slow_object.x.output}}-y\"\n}}\n"
        )
    };
    let ws = Workspace::with_main(&config("v1", false));
    ws.apply();
    ws.write("main.tf", &config("v2", true));
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("slow_object.x")
        .expect_stderr("failed as requested (fail_update)");
    let state = ws.state();
    assert_eq!(state.instance("slow_object.x").string("output"), Some("v1"));
    assert_eq!(
        state.instance("slow_object.y").string("input"),
        Some("v1-y")
    );
    expect_state_matches_objects(&ws);
}

#[test]
fn failed_delete_keeps_the_object_in_state() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"stuck\" {\n  input       = \"stuck\"\n  fail_delete = true\n}\n",
    );
    ws.apply();
    ws.write("main.tf", "");
    ws.run(&["apply", "-auto-approve"])
        .expect_code(1)
        .expect_stderr("slow_object.stuck")
        .expect_stderr("failed as requested (fail_delete)");
    assert_eq!(ws.state_list(), ["slow_object.stuck"]);
    expect_state_matches_objects(&ws);
}

#[test]
fn object_deleted_outside_plinth_is_seen_by_refresh() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"a\" {\n  input = \"a\"\n}\n\nresource \"slow_object\" \"b\" {\n  input = \"b\"\n}\n",
    );
    ws.apply();
    let gone = ws
        .state()
        .instance("slow_object.b")
        .string("id")
        .map(String::from)
        .unwrap_or_default();
    std::fs::remove_file(ws.objects_dir().join(format!("{gone}.json"))).expect("delete the object");

    ws.plan(&["-refresh=false"]).expect_code(0);
    ws.plan(&["-refresh-only"])
        .expect_code(2)
        .expect_stdout("slow_object.b");
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# slow_object.b will be created")
        .expect_stdout("Plan: 1 to add, 0 to change, 0 to destroy.");
    ws.run(&["apply", "-refresh-only", "-auto-approve"])
        .expect_ok();
    assert_eq!(ws.state_list(), ["slow_object.a"]);
    ws.apply();
    expect_state_matches_objects(&ws);
    ws.plan(&[]).expect_code(0);
}

#[test]
fn import_brings_an_existing_object_under_management() {
    let ws = Workspace::with_main("resource \"slow_object\" \"a\" {\n  input = \"a\"\n}\n");
    ws.apply();
    let id = ws
        .state()
        .instance("slow_object.a")
        .string("id")
        .map(String::from)
        .unwrap_or_default();
    ws.run(&["state", "rm", "slow_object.a"]).expect_ok();
    assert!(ws.state_list().is_empty());

    ws.run(&["import", "slow_object.a", &id]).expect_ok();
    ws.run(&["import", "slow_object.a", &id])
        .expect_code(1)
        .expect_stderr("slow_object.a");
    assert_eq!(
        ws.state().instance("slow_object.a").string("id"),
        Some(id.as_str())
    );
    ws.plan(&[]).expect_code(0);

    ws.run(&["state", "rm", "slow_object.a"]).expect_ok();
    ws.run(&["import", "slow_object.a", "slow-does-not-exist"])
        .expect_code(1)
        .expect_stderr("slow-does-not-exist");
}

#[test]
fn slow_operations_report_progress() {
    let ws = Workspace::with_main(
        "resource \"slow_object\" \"a\" {\n  input    = \"a\"\n  delay_ms = 11000\n}\n",
    );
    ws.apply()
        .expect_stdout("slow_object.a: Still creating... [10s elapsed]")
        .expect_stdout("slow_object.a: Creation complete");
}
