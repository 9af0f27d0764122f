//! Crash safety: plinth is killed with SIGKILL at random moments of an apply (and of a destroy)
//! of 30 slow objects, again and again; the final run converges with the state and the real
//! objects in exact agreement: nothing lost, nothing duplicated, and a no-op plan after it.
//! The random seed is printed; `PLINTH_TEST_SEED=<seed>` repeats a run.
#![cfg(feature = "test-provider")]

mod support;

use std::collections::{BTreeMap, BTreeSet};

use support::{Random, Workspace};

/// 15 base objects and 15 children, each child depending on its base; `generation` changes the
/// children's input, so later rounds update in place.
const THIRTY: &str = r#"
variable "generation" {
  type    = number
  default = 1
}

resource "slow_object" "base" {
  count    = 15
  input    = "base-${count.index}"
  delay_ms = 150
}

resource "slow_object" "child" {
  count    = 15
  input    = "${slow_object.base[count.index].output}-child-gen${var.generation}"
  delay_ms = 150
}
"#;

/// How many applies each test kills.
const KILLS: usize = 6;

/// Default parallelism: at most this many operations can be in flight when a kill lands.
const PARALLELISM: usize = 10;

/// The slow_object ids recorded in `state pull`'s output (which replays any journal).
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

/// Panics unless state and the object directory differ by at most the operations a kill can
/// catch between the provider finishing them and plinth journalling them.
#[track_caller]
fn expect_journal_kept_up(ws: &Workspace, round: usize) {
    let (state, disk) = (ids_in_state(ws), ids_on_disk(ws));
    let unrecorded = disk.difference(&state).count();
    let vanished = state.difference(&disk).count();
    assert!(
        unrecorded <= PARALLELISM && vanished <= PARALLELISM,
        "round {round}: {unrecorded} objects exist but are not in state, {vanished} in state do not exist"
    );
}

#[test]
fn killed_applies_converge_with_nothing_lost_or_duplicated() {
    let ws = Workspace::with_main(THIRTY);
    let mut random = Random::from_env();
    let mut kills = 0;
    let mut generation = 1;
    let mut round = 0;
    // Every apply that finishes bumps the generation, so the next round has updates to do.
    while kills < KILLS && round < 4 * KILLS {
        let var = format!("generation={generation}");
        let delay = random.millis_between(10, 500);
        let (outcome, killed) =
            ws.run_and_kill_after(&["apply", "-auto-approve", "-var", &var], delay);
        eprintln!("round {round}: {var}, kill after {delay:?}: killed={killed}");
        if killed {
            kills += 1;
            expect_journal_kept_up(&ws, round);
        } else {
            outcome.expect_ok();
            generation += 1;
        }
        round += 1;
    }
    assert_eq!(
        kills, KILLS,
        "only {kills} of {round} rounds were killed mid-apply"
    );

    let var = format!("generation={generation}");
    ws.run(&["apply", "-auto-approve", "-var", &var])
        .expect_ok();
    ws.plan(&["-var", &var]).expect_code(0);

    let state = ws.state();
    let instances: Vec<_> = state
        .instances()
        .into_iter()
        .filter(|i| i.type_name == "slow_object")
        .collect();
    assert_eq!(instances.len(), 30, "{:?}", state.addresses());
    assert!(
        instances.iter().all(|i| !i.is_tainted()),
        "{:#}",
        state.json
    );

    let objects = ws.slow_objects();
    let in_state: BTreeMap<String, String> = instances
        .iter()
        .map(|i| {
            (
                i.string("id").unwrap_or_default().to_string(),
                i.string("input").unwrap_or_default().to_string(),
            )
        })
        .collect();
    let on_disk: BTreeMap<String, String> = objects
        .iter()
        .map(|(id, o)| {
            (
                id.clone(),
                o["value"]["input"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(in_state, on_disk, "state and real objects disagree");

    let inputs: BTreeSet<&String> = on_disk.values().collect();
    assert_eq!(inputs.len(), 30, "an object exists twice");
    for index in 0..15 {
        let child = format!("base-{index}-child-gen{generation}");
        assert!(inputs.contains(&child), "{child} missing: {inputs:?}");
    }

    // A create is repeated only when a kill fell between the provider finishing it and plinth
    // journalling it: at most the operations in flight (`PARALLELISM`) per kill, and they start
    // together, so on a loaded machine several can be caught by one kill. An engine that lost
    // finished work would repeat every create of the rounds it lost.
    let repeated: u64 = objects
        .values()
        .map(|o| o["creates"].as_u64().unwrap_or(1).saturating_sub(1))
        .sum();
    assert!(
        repeated <= (kills * PARALLELISM) as u64,
        "{repeated} creates repeated after {kills} kills"
    );
}

/// Panics if a child object exists whose base was deleted: a destroy deletes dependents first,
/// so wherever it is killed, no dependent is left without what it depends on.
#[track_caller]
fn expect_no_child_without_its_base(ws: &Workspace, round: usize) {
    let inputs: BTreeSet<String> = ws
        .slow_objects()
        .values()
        .filter_map(|o| o["value"]["input"].as_str().map(str::to_string))
        .collect();
    for input in &inputs {
        if let Some((base, _)) = input.split_once("-child-") {
            assert!(
                inputs.contains(base),
                "round {round}: {input} exists but its base {base} was deleted first"
            );
        }
    }
}

#[test]
fn killed_destroys_converge_to_nothing() {
    let ws = Workspace::with_main(THIRTY);
    ws.apply();
    let mut random = Random::from_env();
    let mut kills = 0;
    for round in 0..4 {
        let delay = random.millis_between(10, 400);
        let (outcome, killed) = ws.run_and_kill_after(&["destroy", "-auto-approve"], delay);
        eprintln!("destroy round {round}: kill after {delay:?}: killed={killed}");
        if killed {
            kills += 1;
            expect_journal_kept_up(&ws, round);
            expect_no_child_without_its_base(&ws, round);
        } else {
            outcome.expect_ok();
        }
    }
    assert!(kills >= 1, "no destroy was killed mid-way");
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert!(ws.state_list().is_empty());
    assert!(
        ws.slow_objects().is_empty(),
        "objects survived destroy: {:?}",
        ws.slow_objects().keys()
    );
}

/// Ten objects replaced create-before-destroy in every round (`replace_key` follows the
/// generation), each with a dependent that follows its id.
const CBD_TEN: &str = r#"
variable "generation" {
  type    = number
  default = 1
}

resource "slow_object" "base" {
  count       = 10
  input       = "base-${count.index}-gen${var.generation}"
  replace_key = "gen${var.generation}"
  delay_ms    = 120
  lifecycle {
    create_before_destroy = true
  }
}

resource "slow_object" "user" {
  count    = 10
  input    = "user-${count.index}-of-${slow_object.base[count.index].id}"
  delay_ms = 120
}
"#;

#[test]
fn killed_create_before_destroy_replacements_converge() {
    let ws = Workspace::with_main(CBD_TEN);
    ws.apply();
    let mut random = Random::from_env();
    let mut kills = 0;
    let mut generation = 1;
    let mut round = 0;
    // A killed round is retried with the same generation (the next apply of the same
    // configuration is what converges); a finished one moves to the next generation, so every
    // round replaces all ten bases.
    let mut next = 2;
    while kills < KILLS && round < 4 * KILLS {
        generation = next;
        let var = format!("generation={generation}");
        let delay = random.millis_between(10, 600);
        let (outcome, killed) =
            ws.run_and_kill_after(&["apply", "-auto-approve", "-var", &var], delay);
        eprintln!("cbd round {round}: {var}, kill after {delay:?}: killed={killed}");
        if killed {
            kills += 1;
            expect_journal_kept_up(&ws, round);
        } else {
            outcome.expect_ok();
            next += 1;
        }
        round += 1;
    }
    assert_eq!(kills, KILLS, "only {kills} of {round} rounds were killed");
    let var = format!("generation={generation}");
    ws.run(&["apply", "-auto-approve", "-var", &var])
        .expect_ok();
    ws.plan(&["-var", &var]).expect_code(0);
    let listed = ws.state_list();
    assert!(
        listed.iter().all(|a| !a.contains("deposed")),
        "deposed objects left: {listed:?}"
    );
    assert_eq!(listed.len(), 20, "{listed:?}");
    assert_eq!(
        ids_in_state(&ws),
        ids_on_disk(&ws),
        "state and real objects disagree"
    );
    let bases = ws
        .slow_objects()
        .values()
        .filter(|o| {
            o["value"]["input"]
                .as_str()
                .is_some_and(|i| i.starts_with("base-"))
        })
        .count();
    assert_eq!(bases, 10, "old generations survived or were duplicated");
}
