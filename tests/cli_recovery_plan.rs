//! `plinth recovery-plan`: the waves, critical path and estimated time of a full reprovisioning
//! from nothing, computed from the configuration alone (state and infrastructure untouched).
#![cfg(feature = "test-provider")]

mod support;

use support::Workspace;

const ESTATE: &str = r#"
resource "slow_object" "net" {
  input = "net"
}

resource "slow_object" "db" {
  input = "db-${slow_object.net.id}"
}

resource "slow_object" "cache" {
  input = "cache-${slow_object.net.id}"
}

resource "slow_object" "app" {
  input = "app-${slow_object.db.id}-${slow_object.cache.id}"
}
"#;

#[test]
fn recovery_plan_prints_waves_and_the_critical_path_without_touching_anything() {
    let ws = Workspace::with_main(ESTATE);
    ws.apply();
    let state_before = ws.read(support::STATE_FILE);
    let outcome = ws.run(&["recovery-plan"]);
    outcome
        .expect_ok()
        .expect_stdout("Recovery plan: 4 step(s) in 3 wave(s).")
        .expect_stdout("Wave 1 (from 0s):\n  + slow_object.net")
        .expect_stdout("Wave 3 (from 20s):\n  + slow_object.app")
        .expect_stdout("Critical path (30s)")
        .expect_stdout("Estimated time: 30s with unlimited parallelism, 30s with -parallelism=10.");
    let one_at_a_time = ws.run(&["recovery-plan", "-parallelism=1"]);
    one_at_a_time.expect_stdout("40s with -parallelism=1");
    let json = ws.run(&["recovery-plan", "-json"]).stdout_json();
    assert_eq!(json["total_seconds"], 30.0);
    assert_eq!(json["waves"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["critical_path"][0]["address"], "slow_object.net");
    assert_eq!(
        ws.read(support::STATE_FILE),
        state_before,
        "state untouched"
    );
    assert_eq!(ws.slow_objects().len(), 4, "infrastructure untouched");
}

#[test]
fn recovery_plan_refuses_an_unbounded_parallelism() {
    let ws = Workspace::with_main(ESTATE);
    ws.run(&["recovery-plan", "-parallelism=2305843009213693952"])
        .expect_code(1)
        .expect_stderr("-parallelism must be a whole number from 1 to");
    ws.run(&["recovery-plan", "-parallelism=0"]).expect_code(1);
}
