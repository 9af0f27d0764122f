//! State locking: a second run fails at once naming the holder (or waits with -lock-timeout),
//! -lock=false skips the lock, a lock left by a killed process is broken with a warning, and
//! force-unlock removes only the lock it names. Uses the slow provider to hold the lock.
#![cfg(feature = "test-provider")]

mod support;

use std::time::{Duration, Instant};

use support::{wait_until, Running, Workspace, LOCK_FILE};

fn slow(delay_ms: u64) -> Workspace {
    Workspace::with_main(&format!(
        "resource \"slow_object\" \"hold\" {{\n  input    = \"hold\"\n  delay_ms = {delay_ms}\n}}\n"
    ))
}

/// Starts an apply and waits until it holds the lock.
#[track_caller]
fn holder(ws: &Workspace) -> Running {
    let mut running = ws.spawn(&["apply", "-auto-approve"]);
    let locked = wait_until(Duration::from_secs(20), || {
        ws.exists(LOCK_FILE) || running.has_exited()
    });
    assert!(
        locked && ws.exists(LOCK_FILE),
        "the apply never took the lock\n{}",
        running.kill()
    );
    running
}

/// The lock id recorded in the lock file (its `ID` / `id` field).
#[track_caller]
fn lock_id(ws: &Workspace) -> String {
    let text = ws.read(LOCK_FILE);
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("the lock file is not JSON ({e}):\n{text}"));
    json.as_object()
        .and_then(|fields| fields.iter().find(|(k, _)| k.eq_ignore_ascii_case("id")))
        .and_then(|(_, v)| v.as_str())
        .map(String::from)
        .unwrap_or_else(|| panic!("the lock file has no id:\n{text}"))
}

#[test]
fn second_apply_fails_at_once_naming_the_holder() {
    let ws = slow(4000);
    let mut first = holder(&ws);
    let started = Instant::now();
    let second = ws.run(&["apply", "-auto-approve"]);
    second
        .expect_code(1)
        .expect_stderr("Error: ")
        .expect_stderr(&first.pid().to_string());
    assert!(second.stderr.to_lowercase().contains("lock"), "{second}");
    assert!(
        !first.has_exited(),
        "the second run must not wait for the first (took {:?})",
        started.elapsed()
    );

    first.finish(Duration::from_secs(60)).expect_ok();
    assert!(!ws.exists(LOCK_FILE), "the lock is released");
    assert_eq!(
        ws.slow_objects().len(),
        1,
        "only the first apply created the object"
    );
}

#[test]
fn lock_timeout_waits_for_the_holder_to_finish() {
    let ws = slow(1500);
    let first = holder(&ws);
    ws.run(&["apply", "-auto-approve", "-lock-timeout=60s"])
        .expect_ok();
    first.finish(Duration::from_secs(60)).expect_ok();
    assert_eq!(ws.state_list(), ["slow_object.hold"]);
    assert_eq!(ws.slow_objects().len(), 1);
}

#[test]
fn lock_false_plans_while_another_run_holds_the_lock() {
    let ws = slow(3000);
    let first = holder(&ws);
    let plan = ws.run(&["plan", "-lock=false", "-detailed-exitcode"]);
    assert!(plan.code == 0 || plan.code == 2, "{plan}");
    first.finish(Duration::from_secs(60)).expect_ok();
}

#[test]
fn lock_of_a_killed_process_is_broken_with_a_warning() {
    let ws = slow(5000);
    holder(&ws).kill();
    assert!(ws.exists(LOCK_FILE), "a killed run cannot release its lock");

    let plan = ws.run(&["plan", "-detailed-exitcode"]);
    assert_ne!(plan.code, 1, "a stale lock must not stop the run\n{plan}");
    assert!(plan.all().contains("Warning"), "{plan}");
    assert!(plan.all().to_lowercase().contains("stale"), "{plan}");
    assert!(!ws.exists(LOCK_FILE));
    ws.apply();
    assert_eq!(ws.state_list(), ["slow_object.hold"]);
}

#[test]
fn force_unlock_removes_only_the_lock_it_names() {
    let ws = slow(5000);
    holder(&ws).kill();
    let id = lock_id(&ws);

    ws.run(&["force-unlock", "-force", "not-the-lock-id"])
        .expect_code(1)
        .expect_stderr("Error: ");
    assert!(ws.exists(LOCK_FILE), "a wrong id must leave the lock alone");

    ws.run(&["force-unlock", "-force", &id]).expect_ok();
    assert!(!ws.exists(LOCK_FILE));
}
