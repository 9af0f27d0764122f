//! Waiters: poll until an object reaches a target state (an instance running, a database
//! available, a change in sync), reporting each new status as progress, stopping at the
//! operation's deadline and at once when it is cancelled.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::context::{Context, Slept};

/// What one poll found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// The target state is reached.
    Ready(T),
    /// Not yet; the status seen (`pending`).
    Pending(String),
}

/// Why waiting stopped without reaching the target.
#[derive(Debug, PartialEq, Eq)]
pub enum WaitError<E> {
    /// A poll failed.
    Failed(E),
    /// The deadline passed; the last status seen and how long was waited.
    TimedOut {
        /// The last status seen.
        last_status: String,
        /// How long it waited.
        waited: Duration,
    },
    /// The operation was cancelled.
    Cancelled,
}

impl<E: std::fmt::Display> std::fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::Failed(e) => write!(f, "{e}"),
            WaitError::TimedOut {
                last_status,
                waited,
            } => write!(
                f,
                "timed out after {}s (last status: {last_status})",
                waited.as_secs()
            ),
            WaitError::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// Polls every `interval` until `poll` says ready. `what` names the wait in progress reports
/// ("waiting for aws_instance i-123 to be running").
pub async fn until<T, E, F, Fut>(
    ctx: &Context,
    what: &str,
    interval: Duration,
    poll: F,
) -> Result<T, WaitError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, E>>,
{
    until_growing(ctx, what, interval, interval, poll).await
}

/// Polls until `poll` says ready, waiting `first` after the first poll and doubling the wait up
/// to `max`: work that finishes in a second is seen within a second, and work that takes an hour
/// costs few requests.
pub async fn until_growing<T, E, F, Fut>(
    ctx: &Context,
    what: &str,
    first: Duration,
    max: Duration,
    mut poll: F,
) -> Result<T, WaitError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, E>>,
{
    let started = Instant::now();
    let mut interval = first.min(max);
    let mut last_status = String::new();
    loop {
        if ctx.is_cancelled() {
            return Err(WaitError::Cancelled);
        }
        match poll().await.map_err(WaitError::Failed)? {
            Poll::Ready(value) => return Ok(value),
            Poll::Pending(status) => {
                if status != last_status {
                    ctx.report(&format!("{what}: {status}"));
                    last_status = status;
                }
            }
        }
        let slept = ctx.sleep(interval).await;
        interval = interval.saturating_mul(2).min(max);
        match slept {
            Slept::Done => {}
            Slept::Cancelled => return Err(WaitError::Cancelled),
            Slept::DeadlinePassed => {
                return Err(WaitError::TimedOut {
                    last_status,
                    waited: started.elapsed(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    struct Collect(Mutex<Vec<String>>);

    impl crate::Progress for Collect {
        fn report(&self, message: &str) {
            self.0.lock().unwrap().push(message.to_string());
        }
    }

    #[tokio::test]
    async fn waits_until_ready_and_reports_each_new_status_once() {
        let progress = Arc::new(Collect(Mutex::new(Vec::new())));
        let ctx = Context::default().with_progress(progress.clone());
        let polls = AtomicU32::new(0);
        let value = until(&ctx, "instance", Duration::from_millis(5), || async {
            Ok::<_, String>(match polls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Poll::Pending("pending".into()),
                2 => Poll::Pending("starting".into()),
                _ => Poll::Ready("running"),
            })
        })
        .await;
        assert_eq!(value, Ok("running"));
        assert_eq!(
            *progress.0.lock().unwrap(),
            vec!["instance: pending", "instance: starting"]
        );
    }

    #[tokio::test]
    async fn a_deadline_times_out_with_the_last_status() {
        let ctx = Context::default().with_timeout(Some(Duration::from_millis(50)));
        let result = until(&ctx, "db", Duration::from_millis(10), || async {
            Ok::<Poll<()>, String>(Poll::Pending("creating".into()))
        })
        .await;
        match result {
            Err(WaitError::TimedOut { last_status, .. }) => assert_eq!(last_status, "creating"),
            other => panic!("expected a timeout, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn growing_waits_double_up_to_the_most() {
        let polls = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let seen = polls.clone();
        let value = until_growing(
            &Context::default(),
            "action",
            Duration::from_millis(10),
            Duration::from_millis(40),
            || {
                let seen = seen.clone();
                async move {
                    let mut seen = seen.lock().unwrap();
                    seen.push(started.elapsed());
                    Ok::<_, String>(if seen.len() < 5 {
                        Poll::Pending("in-progress".into())
                    } else {
                        Poll::Ready(())
                    })
                }
            },
        )
        .await;
        assert_eq!(value, Ok(()));
        let polls = polls.lock().unwrap();
        // Waits of 10, 20, 40 and 40 ms: at least 110 ms in all, the last gap at least 40 ms.
        assert!(polls[4] >= Duration::from_millis(110), "{polls:?}");
        assert!(
            polls[4] - polls[3] >= Duration::from_millis(40),
            "{polls:?}"
        );
        assert!(polls[1] - polls[0] < Duration::from_millis(40), "{polls:?}");
    }

    #[tokio::test]
    async fn cancellation_stops_a_waiter_within_a_second() {
        let ctx = Context::default();
        let cancel = ctx.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            cancel.cancel();
        });
        let started = Instant::now();
        let result = until(&ctx, "droplet", Duration::from_secs(30), || async {
            Ok::<Poll<()>, String>(Poll::Pending("new".into()))
        })
        .await;
        assert_eq!(result, Err(WaitError::Cancelled));
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
