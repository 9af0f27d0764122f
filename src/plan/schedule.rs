//! The schedule of a plan's action graph: the parallel waves apply runs it in, and the critical
//! path, the chain of dependent steps that bounds how long the whole apply takes, from each
//! resource type's typical duration. A disaster-recovery runbook quotes it ("a full
//! reprovisioning takes about 14 minutes").

use std::time::Duration;

use serde::Serialize;

use crate::plan::{Plan, Step};

/// The duration assumed for a type whose provider states none.
pub const UNKNOWN_STEP_DURATION: Duration = Duration::from_secs(10);

/// One step of the schedule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduledStep {
    /// The instance address.
    pub address: String,
    /// Create, update, read or delete.
    pub action: Step,
    /// The typical duration used.
    pub seconds: f64,
    /// When it starts, with unlimited parallelism.
    pub starts_at: f64,
}

/// The whole schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Schedule {
    /// Steps grouped in waves: a wave's steps depend only on steps of earlier waves.
    pub waves: Vec<Vec<ScheduledStep>>,
    /// The longest chain of dependent steps, first to last.
    pub critical_path: Vec<ScheduledStep>,
    /// The estimated wall time with unlimited parallelism (the critical path's length).
    pub total_seconds: f64,
    /// The estimated wall time with the given parallelism (a greedy list schedule).
    pub total_seconds_with_parallelism: f64,
    /// That parallelism.
    pub parallelism: usize,
}

/// Schedules `plan`'s action graph. `duration_of(type, step)` is a step's typical duration.
pub fn schedule(
    plan: &Plan,
    duration_of: &dyn Fn(&str, Step) -> Duration,
    parallelism: usize,
) -> Schedule {
    let type_of = |address: &str| {
        plan.changes
            .iter()
            .find(|c| c.address == address)
            .map(|c| c.type_name.clone())
            .unwrap_or_default()
    };
    let actions = &plan.actions;
    let seconds: Vec<f64> = actions
        .iter()
        .map(|a| duration_of(&type_of(&a.address), a.step).as_secs_f64())
        .collect();
    let (mut wave, mut finish, mut previous) = (
        vec![0usize; actions.len()],
        vec![0f64; actions.len()],
        vec![None; actions.len()],
    );
    for i in topological(plan) {
        let action = &actions[i];
        let mut start = 0f64;
        for &before in &action.after {
            wave[i] = wave[i].max(wave[before] + 1);
            if previous[i].is_none() || finish[before] > start {
                start = finish[before];
                previous[i] = Some(before);
            }
        }
        finish[i] = start + seconds[i];
    }
    let step = |i: usize| ScheduledStep {
        address: actions[i].address.clone(),
        action: actions[i].step,
        seconds: seconds[i],
        starts_at: finish[i] - seconds[i],
    };
    let mut waves: Vec<Vec<ScheduledStep>> = Vec::new();
    for (i, &w) in wave.iter().enumerate() {
        if waves.len() <= w {
            waves.resize_with(w + 1, Vec::new);
        }
        waves[w].push(step(i));
    }
    let last = (0..actions.len()).max_by(|&a, &b| finish[a].total_cmp(&finish[b]));
    let mut critical_path = Vec::new();
    let mut at = last;
    while let Some(i) = at {
        critical_path.push(step(i));
        at = previous[i];
    }
    critical_path.reverse();
    Schedule {
        total_seconds: last.map_or(0.0, |i| finish[i]),
        total_seconds_with_parallelism: list_schedule(plan, &seconds, parallelism.max(1)),
        parallelism: parallelism.max(1),
        waves,
        critical_path,
    }
}

/// The action indices, each after the ones it waits for (Kahn's algorithm; plan already
/// refused cycles).
fn topological(plan: &Plan) -> Vec<usize> {
    let actions = &plan.actions;
    let mut waiting: Vec<usize> = actions.iter().map(|a| a.after.len()).collect();
    let mut dependents = vec![Vec::new(); actions.len()];
    for (i, action) in actions.iter().enumerate() {
        for &before in &action.after {
            dependents[before].push(i);
        }
    }
    let mut ready: Vec<usize> = (0..actions.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(actions.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &next in &dependents[i] {
            waiting[next] -= 1;
            if waiting[next] == 0 {
                ready.push(next);
            }
        }
    }
    order
}

/// The makespan of running the action graph with at most `parallelism` steps at once, each
/// started as soon as its dependencies finished and a slot is free (what apply does).
fn list_schedule(plan: &Plan, seconds: &[f64], parallelism: usize) -> f64 {
    let actions = &plan.actions;
    let mut finish = vec![f64::NAN; actions.len()];
    let mut running: Vec<f64> = Vec::new();
    let mut now = 0f64;
    let mut done = 0;
    loop {
        let free = parallelism.saturating_sub(running.len());
        let ready: Vec<usize> = (0..actions.len())
            .filter(|&i| finish[i].is_nan())
            .filter(|&i| {
                actions[i]
                    .after
                    .iter()
                    .all(|&b| !finish[b].is_nan() && finish[b] <= now)
            })
            .take(free)
            .collect();
        for i in ready {
            finish[i] = now + seconds[i];
            running.push(finish[i]);
            done += 1;
        }
        if done == actions.len() {
            break;
        }
        let Some(next) = running.iter().copied().reduce(f64::min) else {
            break;
        };
        now = next;
        running.retain(|&f| f > now);
    }
    finish
        .iter()
        .copied()
        .filter(|f| !f.is_nan())
        .fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, PlannedAction, ResourceChange};

    fn plan(steps: &[(&str, &[usize])]) -> Plan {
        let mut plan = Plan::default();
        for (id, (address, after)) in steps.iter().enumerate() {
            plan.actions.push(PlannedAction {
                id,
                step: Step::Create,
                address: address.to_string(),
                deposed: None,
                after: after.to_vec(),
            });
            plan.changes.push(ResourceChange {
                address: address.to_string(),
                deposed: None,
                data: false,
                type_name: address.split('.').next().unwrap_or_default().to_string(),
                provider: "test".to_string(),
                action: Action::Create,
                reason: None,
                before: None,
                after: None,
                replace_paths: Vec::new(),
                create_before_destroy: false,
                dependencies: Vec::new(),
                timeouts: Default::default(),
                private: Vec::new(),
            });
        }
        plan
    }

    #[test]
    fn waves_and_the_critical_path_follow_dependencies_and_durations() {
        // net (1s) -> db (60s) -> app (5s); net -> cache (2s) -> app; dns (1s) after app.
        let plan = plan(&[
            ("net.a", &[]),
            ("db.a", &[0]),
            ("cache.a", &[0]),
            ("app.a", &[1, 2]),
            ("dns.a", &[3]),
        ]);
        let durations = |t: &str, _: Step| {
            Duration::from_secs(match t {
                "net" | "dns" => 1,
                "db" => 60,
                "cache" => 2,
                _ => 5,
            })
        };
        let schedule = schedule(&plan, &durations, 10);
        let waves: Vec<Vec<&str>> = schedule
            .waves
            .iter()
            .map(|w| w.iter().map(|s| s.address.as_str()).collect())
            .collect();
        assert_eq!(
            waves,
            vec![
                vec!["net.a"],
                vec!["db.a", "cache.a"],
                vec!["app.a"],
                vec!["dns.a"]
            ]
        );
        let path: Vec<&str> = schedule
            .critical_path
            .iter()
            .map(|s| s.address.as_str())
            .collect();
        assert_eq!(path, ["net.a", "db.a", "app.a", "dns.a"]);
        assert_eq!(schedule.total_seconds, 67.0);
        assert_eq!(schedule.total_seconds_with_parallelism, 67.0);
        // One at a time, every step runs in turn.
        assert_eq!(schedule_total(&plan, &durations, 1), 69.0);
    }

    fn schedule_total(plan: &Plan, durations: &dyn Fn(&str, Step) -> Duration, n: usize) -> f64 {
        schedule(plan, durations, n).total_seconds_with_parallelism
    }
}
