//! Crash safety against moto: `plinth apply` of the chatbot example is killed with SIGKILL at a
//! random moment (ten trials spread over the length of a whole apply, measured first), and one
//! more apply finishes the job. In every trial each type's objects in moto, read with boto3,
//! are exactly the ones in state: an interrupted create is adopted through its intent tag (or
//! what identifies an untaggable object), never repeated and never forgotten. The random seed
//! is printed; `PLINTH_TEST_SEED=<seed>` repeats a run.

mod aws_support;
mod support;

use std::time::Instant;

use aws_support::{assert_empty, assert_moto_is_state, example, state_ids};
use support::moto::Moto;
use support::Random;

const TRIALS: u32 = 10;
const APPLY: [&str; 2] = ["apply", "-auto-approve"];

#[test]
fn killed_applies_of_the_chatbot_leave_exactly_the_objects_state_knows() {
    let Some(moto) = Moto::start() else { return };
    let ws = example("chatbot-aws", &moto);
    // moto sets each service up on its first request: measure a second, warm apply.
    ws.run(&APPLY).expect_ok();
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    let started = Instant::now();
    ws.run(&APPLY).expect_ok();
    let whole = started.elapsed();
    let objects: usize = state_ids(&ws).values().map(|ids| ids.len()).sum();
    ws.run(&["destroy", "-auto-approve"]).expect_ok();
    assert_empty(&moto, "after the first destroy");
    eprintln!("a whole apply of {objects} objects takes {whole:?}");

    let mut random = Random::from_env();
    let slot = whole / TRIALS;
    let mut killed_runs = 0;
    for trial in 0..TRIALS {
        let delay = slot * trial + random.millis_between(0, slot.as_millis().max(1) as u64);
        let (outcome, killed) = ws.run_and_kill_after(&APPLY, delay);
        if killed {
            killed_runs += 1;
        } else {
            outcome.expect_ok();
        }
        let recorded: usize = state_ids(&ws).values().map(|ids| ids.len()).sum();
        eprintln!("trial {trial}: killed after {delay:?}: {killed}; {recorded} objects in state");
        ws.run(&APPLY).expect_ok();
        let when = format!("trial {trial}, after the apply that followed the kill");
        assert_moto_is_state(&moto, &ws, &when);
        let after: usize = state_ids(&ws).values().map(|ids| ids.len()).sum();
        assert_eq!(after, objects, "{when}: every object once");
        ws.plan(&[]).expect_code(0);
        ws.run(&["destroy", "-auto-approve"]).expect_ok();
        assert_empty(&moto, &format!("trial {trial}, after the destroy"));
    }
    assert!(
        killed_runs >= TRIALS / 2,
        "only {killed_runs} runs were killed"
    );
}
