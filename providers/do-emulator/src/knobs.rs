//! The emulator's knobs: asynchronous delays, injected faults and recording. They are set from
//! the command line at start and can be changed while the emulator runs, through
//! [`crate::Emulator::update_knobs`] or `PATCH /_emulator/knobs`.

use serde::{Deserialize, Serialize};

/// Everything a test or a user can turn while the emulator runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Knobs {
    /// How long asynchronous work takes: droplet `new` → `active`, actions `in-progress` →
    /// `completed`, database clusters `creating` → `online`, load balancers `new` → `active`.
    pub action_delay_ms: u64,
    /// Added to every API response.
    pub latency_ms: u64,
    /// The share (0.0 to 1.0) of API requests answered with a random 500.
    pub fail_rate: f64,
    /// Kinds of asynchronous work that never complete (see the README for the kinds; `*` is all).
    pub stall: Vec<String>,
    /// Keep every request and response, for `GET /_emulator/exchanges`.
    pub record: bool,
    /// A burst of 429s, if one is on.
    pub throttle: Option<Throttle>,
    /// Injected failures on chosen methods and paths.
    pub fail: Vec<FailRule>,
}

/// A burst of rate limiting: for `duration_ms` after it is set, every `every`-th API request is
/// refused with 429, `Retry-After` and a `ratelimit-reset` at the burst's end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throttle {
    /// Refuse every n-th request (1 refuses all).
    pub every: u32,
    /// How long the burst lasts from the moment it is set.
    pub duration_ms: u64,
}

/// Answers requests whose method and path match with an error status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailRule {
    /// The HTTP method to match (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// A regular expression matched against the whole path (`^...$` is implied).
    pub path: String,
    /// The status to answer with (500 when absent).
    #[serde(default = "default_fail_status")]
    pub status: u16,
    /// How many matching requests to fail before the rule retires itself (forever when absent).
    #[serde(default)]
    pub times: Option<u32>,
}

fn default_fail_status() -> u16 {
    500
}

impl Knobs {
    /// Whether work of this kind (an action type such as `create` or `resize`, or
    /// `database_create`, ...) is set never to complete.
    pub fn stalls(&self, kind: &str) -> bool {
        self.stall.iter().any(|k| k == "*" || k == kind)
    }

    /// Checks values that serde cannot: rates, patterns and statuses.
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.fail_rate) {
            return Err(format!(
                "fail_rate must be between 0 and 1, got {}",
                self.fail_rate
            ));
        }
        if let Some(throttle) = &self.throttle {
            if throttle.every == 0 {
                return Err("throttle.every must be at least 1".into());
            }
        }
        for rule in &self.fail {
            regex::Regex::new(&format!("^(?:{})$", rule.path)).map_err(|e| {
                format!("fail path {:?} is not a regular expression: {e}", rule.path)
            })?;
            if !(400..=599).contains(&rule.status) {
                return Err(format!(
                    "fail status must be 400 to 599, got {}",
                    rule.status
                ));
            }
        }
        Ok(())
    }
}
