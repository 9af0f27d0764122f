//! Crash safety against the DigitalOcean emulator: `plinth apply` of the chatbot example (three
//! Droplets) is killed with SIGKILL at a random moment (ten trials spread over the apply's
//! phases) while Droplets, the database and the load balancer take 400 ms each to come up; the
//! next apply finishes the job. In every trial the
//! Droplets in the account are exactly the Droplets in state: an interrupted create is adopted
//! through its intent tag, never repeated, never forgotten. The random seed is printed;
//! `PLINTH_TEST_SEED=<seed>` repeats a run.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use support::do_emulator::{copy_example, DoEmulator};
use support::{Random, Workspace};

const TRIALS: usize = 10;

fn droplets_in_state(ws: &Workspace) -> BTreeSet<String> {
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
    .filter(|i| i.type_name == "digitalocean_droplet")
    .filter_map(|i| i.string("id").map(String::from))
    .collect()
}

fn droplets_in_account(emulator: &DoEmulator) -> BTreeSet<String> {
    emulator
        .list("/v2/droplets", "droplets")
        .iter()
        .map(|d| d["id"].to_string())
        .collect()
}

#[test]
fn killed_applies_leave_exactly_the_droplets_state_knows() {
    let emulator = DoEmulator::start(400);
    let mut ws = Workspace::new();
    copy_example("chatbot-digitalocean", &ws);
    emulator.configure(&mut ws);
    ws.set_env("TF_VAR_droplet_count", "3");
    let mut random = Random::from_env();
    let mut killed_mid_create = 0;
    for trial in 0..TRIALS {
        // Spread over the apply: the database comes up first, then the Droplets, then what
        // depends on them; a random offset within each trial's slot.
        let delay = Duration::from_millis(400 + 160 * trial as u64) + random.millis_between(0, 160);
        let (outcome, killed) = ws.run_and_kill_after(&["apply", "-auto-approve"], delay);
        if !killed {
            outcome.expect_ok();
        }
        let (account, state) = (droplets_in_account(&emulator), droplets_in_state(&ws));
        if killed && account != state {
            killed_mid_create += 1;
        }
        eprintln!(
            "trial {trial}: killed after {delay:?}: {killed}; {} Droplets, {} in state",
            account.len(),
            state.len()
        );
        ws.apply();
        assert_eq!(
            droplets_in_account(&emulator),
            droplets_in_state(&ws),
            "trial {trial}: the Droplets in the account are the Droplets in state"
        );
        assert_eq!(droplets_in_state(&ws).len(), 3);
        ws.plan(&[]).expect_code(0);
        ws.run(&["destroy", "-auto-approve"]).expect_ok();
        assert!(droplets_in_account(&emulator).is_empty());
    }
    eprintln!(
        "{killed_mid_create} of {TRIALS} kills left a Droplet the killed run had not recorded"
    );
}
