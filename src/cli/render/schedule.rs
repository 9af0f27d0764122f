//! A recovery schedule for people: waves, the critical path and the estimated time.

use crate::plan::schedule::{Schedule, UNKNOWN_STEP_DURATION};
use crate::plan::Step;

/// Renders `schedule`.
pub fn render_schedule(schedule: &Schedule) -> String {
    let steps: usize = schedule.waves.iter().map(Vec::len).sum();
    let mut out = format!(
        "Recovery plan: {steps} step(s) in {} wave(s).\n",
        schedule.waves.len()
    );
    for (index, wave) in schedule.waves.iter().enumerate() {
        let start = wave
            .iter()
            .map(|s| s.starts_at)
            .fold(f64::INFINITY, f64::min);
        out += &format!("\nWave {} (from {}):\n", index + 1, human(start));
        for step in wave {
            out += &format!(
                "  {} {}  ({})\n",
                symbol(step.action),
                step.address,
                human(step.seconds)
            );
        }
    }
    if !schedule.critical_path.is_empty() {
        out += &format!(
            "\nCritical path ({}):\n  {}\n",
            human(schedule.total_seconds),
            schedule
                .critical_path
                .iter()
                .map(|s| format!("{} ({})", s.address, human(s.seconds)))
                .collect::<Vec<_>>()
                .join("\n  -> ")
        );
    }
    out += &format!(
        "\nEstimated time: {} with unlimited parallelism, {} with -parallelism={}.\n\
         Durations are each resource type's typical create time as its provider states it \
         ({} where it states none).\n",
        human(schedule.total_seconds),
        human(schedule.total_seconds_with_parallelism),
        schedule.parallelism,
        human(UNKNOWN_STEP_DURATION.as_secs_f64()),
    );
    out
}

fn symbol(step: Step) -> &'static str {
    match step {
        Step::Create => "+",
        Step::Update => "~",
        Step::Read => "<=",
        Step::Delete => "-",
    }
}

/// `45s`, `3m10s`, `1h2m`.
fn human(seconds: f64) -> String {
    let total = seconds.round() as u64;
    match (total / 3600, total % 3600 / 60, total % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}
