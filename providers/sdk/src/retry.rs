//! Retry with exponential backoff and full jitter, for the errors a provider marks retryable
//! (throttling, 5xx): honours the server's `Retry-After` or rate-limit reset, stops at the
//! operation's deadline and at once when the operation is cancelled.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::context::{Context, Slept};

/// How long to wait between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The first wait (before jitter).
    pub initial: Duration,
    /// The longest wait (before jitter).
    pub max: Duration,
    /// How many attempts in all (0: until the deadline).
    pub attempts: u32,
}

impl Default for Backoff {
    /// 0.5 s doubling to 20 s, 8 attempts.
    fn default() -> Backoff {
        Backoff {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(20),
            attempts: 8,
        }
    }
}

impl Backoff {
    /// The wait before attempt `attempt + 1` (`attempt` counts from 1): a random duration up to
    /// `initial × 2^(attempt-1)`, capped at `max` (full jitter).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self.initial.saturating_mul(factor).min(self.max);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Why one attempt failed.
#[derive(Debug)]
pub enum Failure<E> {
    /// Worth trying again, after at least `after` when the server said so.
    Retry {
        /// What went wrong.
        error: E,
        /// The server's `Retry-After` or rate-limit reset, if it gave one.
        after: Option<Duration>,
    },
    /// Not worth trying again.
    Fatal(E),
}

/// Why retrying stopped without success.
#[derive(Debug, PartialEq, Eq)]
pub enum Stopped<E> {
    /// An attempt failed in a way not worth retrying.
    Fatal(E),
    /// The attempts ran out, or the deadline passed; the last error.
    Exhausted(E),
    /// The operation was cancelled; the last error, if an attempt had failed.
    Cancelled(Option<E>),
}

/// Runs `attempt` until it succeeds, fails fatally, runs out of attempts or time, or the context
/// is cancelled. `what` names the operation in progress reports.
pub async fn retry<T, E, F, Fut>(
    ctx: &Context,
    backoff: &Backoff,
    what: &str,
    mut attempt: F,
) -> Result<T, Stopped<E>>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure<E>>>,
{
    let mut tries = 0u32;
    loop {
        if ctx.is_cancelled() {
            return Err(Stopped::Cancelled(None));
        }
        tries += 1;
        let (error, after) = match attempt().await {
            Ok(value) => return Ok(value),
            Err(Failure::Fatal(error)) => return Err(Stopped::Fatal(error)),
            Err(Failure::Retry { error, after }) => (error, after),
        };
        if backoff.attempts != 0 && tries >= backoff.attempts {
            return Err(Stopped::Exhausted(error));
        }
        let wait = backoff.delay(tries).max(after.unwrap_or_default());
        if ctx.remaining().is_some_and(|left| left < wait) {
            return Err(Stopped::Exhausted(error));
        }
        ctx.report(&format!(
            "{what}: retrying in {:.1}s ({error})",
            wait.as_secs_f64()
        ));
        match ctx.sleep(wait).await {
            Slept::Done => {}
            Slept::Cancelled => return Err(Stopped::Cancelled(Some(error))),
            Slept::DeadlinePassed => return Err(Stopped::Exhausted(error)),
        }
    }
}

/// The wait a server asks for: `Retry-After` (seconds or an HTTP date), else a rate-limit
/// reset (`ratelimit-reset` / `x-ratelimit-reset`: seconds to wait when small, else the Unix
/// time of the reset). `header` looks a header up by lowercase name.
pub fn server_wait(header: impl Fn(&str) -> Option<String>) -> Option<Duration> {
    if let Some(value) = header("retry-after") {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(when) = httpdate_to_unix(value) {
            return Some(until_unix(when));
        }
    }
    let reset = header("ratelimit-reset").or_else(|| header("x-ratelimit-reset"))?;
    let reset = reset.trim().parse::<u64>().ok()?;
    // Unix times are large; a small number is a count of seconds.
    if reset > 1_000_000_000 {
        Some(until_unix(reset))
    } else {
        Some(Duration::from_secs(reset))
    }
}

fn until_unix(when: u64) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    Duration::from_secs(when.saturating_sub(now))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) into Unix seconds.
fn httpdate_to_unix(text: &str) -> Result<u64, ()> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return Err(());
    };
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| m == month)
    .ok_or(())? as u64
        + 1;
    let (day, year): (u64, u64) = (day.parse().map_err(|_| ())?, year.parse().map_err(|_| ())?);
    let hms: Vec<u64> = time
        .split(':')
        .map(|p| p.parse().map_err(|_| ()))
        .collect::<Result<_, _>>()?;
    let [h, m, s] = hms.as_slice() else {
        return Err(());
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let (y, mo) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * mo + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(days * 86_400 + h * 3600 + m * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Instant;

    fn quick() -> Backoff {
        Backoff {
            initial: Duration::from_millis(5),
            max: Duration::from_millis(20),
            attempts: 5,
        }
    }

    #[tokio::test]
    async fn retries_until_success() {
        let calls = AtomicU32::new(0);
        let result = retry(&Context::default(), &quick(), "read", || async {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(Failure::Retry {
                    error: "throttled",
                    after: None,
                })
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(result, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn fatal_errors_stop_at_once_and_attempts_run_out() {
        let fatal = retry(&Context::default(), &quick(), "x", || async {
            Err::<(), _>(Failure::Fatal("bad request"))
        })
        .await;
        assert_eq!(fatal, Err(Stopped::Fatal("bad request")));
        let calls = AtomicU32::new(0);
        let exhausted = retry(&Context::default(), &quick(), "x", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(Failure::Retry {
                error: "busy",
                after: None,
            })
        })
        .await;
        assert_eq!(exhausted, Err(Stopped::Exhausted("busy")));
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn the_servers_wait_is_honoured() {
        let started = Instant::now();
        let calls = AtomicU32::new(0);
        let _ = retry(&Context::default(), &quick(), "x", || async {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(Failure::Retry {
                    error: "429",
                    after: Some(Duration::from_millis(300)),
                })
            } else {
                Ok(())
            }
        })
        .await;
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn cancellation_stops_a_long_wait_within_a_second() {
        let ctx = Context::default();
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            cancel.cancel();
        });
        let started = Instant::now();
        let result = retry(&ctx, &Backoff::default(), "x", || async {
            Err::<(), _>(Failure::Retry {
                error: "slow down",
                after: Some(Duration::from_secs(60)),
            })
        })
        .await;
        assert_eq!(result, Err(Stopped::Cancelled(Some("slow down"))));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn server_waits_are_read_from_retry_after_and_rate_limit_headers() {
        let seconds = server_wait(|h| (h == "retry-after").then(|| "3".to_string()));
        assert_eq!(seconds, Some(Duration::from_secs(3)));
        let reset = server_wait(|h| (h == "ratelimit-reset").then(|| "12".to_string()));
        assert_eq!(reset, Some(Duration::from_secs(12)));
        let past = server_wait(|h| {
            (h == "retry-after").then(|| "Sun, 06 Nov 1994 08:49:37 GMT".to_string())
        });
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(
            httpdate_to_unix("Sun, 06 Nov 1994 08:49:37 GMT"),
            Ok(784_111_777)
        );
        assert_eq!(server_wait(|_| None), None);
    }
}
