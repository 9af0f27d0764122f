//! The built-in `time` provider end to end: time_static and time_offset computed and kept,
//! an offset change updated in place, an expired time_rotating replaced, time_sleep waiting on
//! create and destroy, imports with Terraform's ids; and an apply of many sleeps killed with
//! SIGKILL converging on the next run.

mod support;

use std::time::{Duration, Instant};

use support::Workspace;

const TIMES: &str = r#"
variable "days" {
  type    = number
  default = 1
}

resource "time_static" "fixed" {
  rfc3339 = "2024-02-29T12:00:00Z"
}

resource "time_static" "now" {}

resource "time_offset" "later" {
  base_rfc3339  = time_static.fixed.rfc3339
  offset_days   = var.days
  offset_months = 1
}

resource "time_rotating" "expired" {
  rfc3339        = "2020-01-01T00:00:00Z"
  rotation_days  = 30
}

resource "time_rotating" "fresh" {
  rotation_years = 1
}
"#;

#[test]
fn timestamps_are_computed_updated_in_place_and_rotated() {
    let ws = Workspace::with_main(TIMES);
    ws.apply();
    let state = ws.state();
    let fixed = state.instance("time_static.fixed");
    assert_eq!(fixed.string("id"), Some("2024-02-29T12:00:00Z"));
    assert_eq!(fixed.attr("year"), Some(&serde_json::json!(2024)));
    assert_eq!(fixed.attr("unix"), Some(&serde_json::json!(1709208000)));
    let now = state.instance("time_static.now");
    assert!(now.string("rfc3339").expect("rfc3339").ends_with('Z'));
    let later = state.instance("time_offset.later");
    assert_eq!(later.string("rfc3339"), Some("2024-03-30T12:00:00Z"));
    assert_eq!(
        state
            .instance("time_rotating.expired")
            .string("rotation_rfc3339"),
        Some("2020-01-31T00:00:00Z")
    );

    // The expired rotation reads as gone, so the plan creates it again; nothing else changes.
    ws.plan(&[])
        .expect_code(2)
        .expect_stdout("# time_rotating.expired will be created")
        .expect_stdout("Plan: 1 to add, 0 to change, 0 to destroy.");

    ws.plan(&["-var", "days=2"])
        .expect_code(2)
        .expect_stdout("# time_offset.later will be updated in-place");
    ws.run(&["apply", "-auto-approve", "-var", "days=2"])
        .expect_ok()
        .expect_stdout("1 added, 1 changed, 0 destroyed");
    assert_eq!(
        ws.state().instance("time_offset.later").string("rfc3339"),
        Some("2024-03-31T12:00:00Z")
    );
    assert_eq!(
        ws.state().instance("time_static.now").string("id"),
        now.string("id"),
        "time_static keeps its timestamp"
    );
}

#[test]
fn time_sleep_waits_on_create_and_destroy() {
    let ws = Workspace::with_main(
        r#"
resource "time_sleep" "settle" {
  create_duration  = "1500ms"
  destroy_duration = "1s"
}

resource "null_resource" "after" {
  triggers = { slept = time_sleep.settle.id }
}
"#,
    );
    let started = Instant::now();
    ws.apply();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    ws.plan(&[]).expect_code(0);
    let started = Instant::now();
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(ws.state_list().is_empty());
}

#[test]
fn time_types_import_with_terraform_ids() {
    let ws = Workspace::with_main(
        r#"
resource "time_static" "t" {}

resource "time_offset" "o" {
  offset_hours = 3
}

resource "time_sleep" "s" {
  create_duration = "30s"
}
"#,
    );
    ws.run(&["import", "time_static.t", "2023-05-06T07:08:09Z"])
        .expect_ok();
    ws.run(&["import", "time_offset.o", "2023-05-06T07:08:09Z,,,,3,,"])
        .expect_ok();
    ws.run(&["import", "time_sleep.s", "30s,"]).expect_ok();
    let state = ws.state();
    assert_eq!(
        state.instance("time_offset.o").string("rfc3339"),
        Some("2023-05-06T10:08:09Z")
    );
    assert_eq!(
        state.instance("time_static.t").attr("second"),
        Some(&serde_json::json!(9))
    );
    // Nothing waits 30 seconds: the imported sleep is already done.
    ws.plan(&[]).expect_code(0);
}

/// Twelve sleeps of two seconds each, in two rows, with files written after them.
const SLEEPS: &str = r#"
resource "time_sleep" "first" {
  count           = 6
  create_duration = "2s"
}

resource "time_sleep" "second" {
  count           = 6
  create_duration = "2s"
  triggers        = { after = time_sleep.first[count.index].id }
}

resource "local_file" "done" {
  count    = 6
  filename = "${path.module}/done-${count.index}.txt"
  content  = time_sleep.second[count.index].id
}
"#;

#[test]
fn an_apply_of_sleeps_killed_midway_converges_on_the_next_run() {
    let ws = Workspace::with_main(SLEEPS);
    for delay in [1000, 2600] {
        let (outcome, killed) =
            ws.run_and_kill_after(&["apply", "-auto-approve"], Duration::from_millis(delay));
        assert!(killed, "the apply ended before the kill\n{outcome}");
    }
    ws.apply();
    assert_eq!(ws.state_list().len(), 18);
    for i in 0..6 {
        assert!(ws.exists(&format!("done-{i}.txt")));
    }
    ws.plan(&[]).expect_code(0);
}
