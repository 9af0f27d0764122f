//! The state one running emulator shares between its requests: the account, the knobs and the
//! traffic log, each behind its own lock (never held across an await).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::Serialize;
use serde_json::Value;

use crate::knobs::Knobs;
use crate::store::{Store, Timing};

/// One request and its response, as kept when recording is on. The `Authorization` header is
/// never kept.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// The request's method (`GET`, `POST`, ...).
    pub method: String,
    /// The request's path, without the query string.
    pub path: String,
    /// The query string's parameters, in order.
    pub query: Vec<(String, String)>,
    /// The request's JSON body, if it had one (a body that is not JSON is kept as a string).
    pub request_body: Option<Value>,
    /// The response's status code.
    pub status: u16,
    /// The response's headers (names in lower case).
    pub response_headers: BTreeMap<String, String>,
    /// The response's JSON body, if it had one.
    pub response_body: Option<Value>,
}

/// Counters and logs of the API traffic.
pub(crate) struct Traffic {
    /// Requests received per `METHOD /path`.
    pub counts: BTreeMap<String, u64>,
    /// Recorded exchanges, oldest first.
    pub exchanges: Vec<Exchange>,
    /// The number of API requests received so far (request ids come from it).
    pub requests: u64,
    /// The start of the current rate-limit hour and the requests counted in it.
    pub window_start: Instant,
    pub window_epoch: i64,
    pub window_count: u64,
    /// When the current 429 burst started and how many requests it has seen.
    pub throttle_started: Instant,
    pub throttle_seen: u64,
    /// Draws for `fail_rate`.
    pub rng: StdRng,
}

/// The state shared by every request of one emulator.
pub(crate) struct Shared {
    store: Mutex<Store>,
    knobs: Mutex<Knobs>,
    traffic: Mutex<Traffic>,
    /// Accepted bearer tokens; any non-empty token when empty.
    pub tokens: Vec<String>,
    seed: u64,
}

/// The handle every handler receives.
pub(crate) type App = Arc<Shared>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// A fresh account with these knobs and tokens.
    pub fn new(knobs: Knobs, tokens: Vec<String>, seed: u64) -> Shared {
        Shared {
            store: Mutex::new(Store::new(seed)),
            knobs: Mutex::new(knobs),
            traffic: Mutex::new(Traffic {
                counts: BTreeMap::new(),
                exchanges: Vec::new(),
                requests: 0,
                window_start: Instant::now(),
                window_epoch: chrono::Utc::now().timestamp(),
                window_count: 0,
                throttle_started: Instant::now(),
                throttle_seen: 0,
                rng: StdRng::seed_from_u64(seed ^ 0x5eed),
            }),
            tokens,
            seed,
        }
    }

    /// The account, with every piece of asynchronous work that fell due completed.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = lock(&self.store);
        store.settle(Instant::now());
        store
    }

    /// A copy of the current knobs.
    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    /// Replaces the knobs; a newly set or changed 429 burst starts now.
    pub fn set_knobs(&self, knobs: Knobs) {
        let mut current = lock(&self.knobs);
        if knobs.throttle.is_some() && knobs.throttle != current.throttle {
            let mut traffic = self.traffic();
            traffic.throttle_started = Instant::now();
            traffic.throttle_seen = 0;
        }
        *current = knobs;
    }

    /// The timing new asynchronous work gets.
    pub fn timing(&self) -> Timing {
        let knobs = lock(&self.knobs);
        Timing {
            delay: Duration::from_millis(knobs.action_delay_ms),
            stall: knobs.stall.clone(),
        }
    }

    /// The traffic counters and log.
    pub fn traffic(&self) -> MutexGuard<'_, Traffic> {
        lock(&self.traffic)
    }

    /// Drops every object (the knobs and traffic log stay).
    pub fn reset(&self) {
        *lock(&self.store) = Store::new(self.seed);
    }

    /// Lets one failure rule count a use, retiring it when its `times` run out; returns the status
    /// of the first rule matching this method and path.
    pub fn take_fail_rule(&self, method: &str, path: &str) -> Option<u16> {
        let mut knobs = lock(&self.knobs);
        let index = knobs.fail.iter().position(|rule| {
            rule.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && regex::Regex::new(&format!("^(?:{})$", rule.path))
                    .is_ok_and(|re| re.is_match(path))
        })?;
        let rule = &mut knobs.fail[index];
        let status = rule.status;
        if let Some(times) = rule.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                knobs.fail.remove(index);
            }
        }
        Some(status)
    }
}
