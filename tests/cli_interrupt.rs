//! Interrupts like Terraform's, losing nothing: the first SIGINT or SIGTERM stops new operations,
//! lets the ones in flight finish (and journals them), releases the lock and exits 1 with
//! "Interrupt received"; a second one exits at once. Either way the next apply converges with
//! state and real objects in agreement.
#![cfg(feature = "test-provider")]

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use support::{Workspace, LOCK_FILE};

/// Eight independent objects, each taking 600 ms to create, two at a time.
const EIGHT: &str = r#"
resource "slow_object" "o" {
  count    = 8
  input    = "o-${count.index}"
  delay_ms = 600
}
"#;

fn ids_in_state(ws: &Workspace) -> BTreeSet<String> {
    let pulled = ws.run(&["state", "pull"]);
    pulled.expect_ok();
    if pulled.stdout.trim().is_empty() {
        return BTreeSet::new();
    }
    support::State {
        json: pulled.stdout_json(),
    }
    .instances()
    .iter()
    .filter_map(|i| i.string("id").map(String::from))
    .collect()
}

fn ids_on_disk(ws: &Workspace) -> BTreeSet<String> {
    ws.slow_objects().into_keys().collect()
}

/// Waits until the slow provider logged `count` lines starting with `begin create`.
fn wait_for_creates(ws: &Workspace, count: usize) {
    let log = ws.objects_dir().join("calls.log");
    let started = support::wait_until(Duration::from_secs(30), || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("begin create"))
            .count()
            >= count
    });
    assert!(started, "the creates never started");
}

fn converges(ws: &Workspace) {
    ws.apply();
    ws.plan(&[]).expect_code(0);
    assert_eq!(ids_in_state(ws), ids_on_disk(ws));
    assert_eq!(ids_on_disk(ws).len(), 8);
}

#[test]
fn first_interrupt_finishes_what_is_in_flight_and_exits_1() {
    for signal in ["INT", "TERM"] {
        let ws = Workspace::with_main(EIGHT);
        let running = ws.spawn(&["apply", "-auto-approve", "-parallelism=2"]);
        wait_for_creates(&ws, 2);
        running.signal(signal);
        let outcome = running.finish(Duration::from_secs(60));
        outcome.expect_code(1).expect_stderr("Interrupt received");
        assert!(!ws.exists(LOCK_FILE), "the lock was not released");
        let (state, disk) = (ids_in_state(&ws), ids_on_disk(&ws));
        assert_eq!(
            state, disk,
            "in-flight creates finished but were not recorded"
        );
        assert!(
            (2..8).contains(&disk.len()),
            "SIG{signal}: {} objects exist: in-flight work should finish and nothing new start",
            disk.len()
        );
        converges(&ws);
    }
}

#[test]
fn second_interrupt_exits_at_once_and_loses_nothing_done() {
    let ws = Workspace::with_main(EIGHT);
    let running = ws.spawn(&["apply", "-auto-approve", "-parallelism=2"]);
    wait_for_creates(&ws, 2);
    running.signal("INT");
    std::thread::sleep(Duration::from_millis(50));
    let sent = Instant::now();
    running.signal("INT");
    let outcome = running.finish(Duration::from_secs(60));
    assert!(
        sent.elapsed() < Duration::from_millis(500),
        "the second interrupt did not exit at once: {:?}",
        sent.elapsed()
    );
    assert_eq!(outcome.code, 1, "{outcome}");
    let (state, disk) = (ids_in_state(&ws), ids_on_disk(&ws));
    assert!(
        state.is_subset(&disk),
        "state names objects that do not exist"
    );
    converges(&ws);
}
