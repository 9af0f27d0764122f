//! What the engine hands every provider operation besides its request: a cancellation token
//! (cancelled on interrupt), the operation's deadline (from `timeouts {}` or the resource's
//! default) and a way to report progress. The SDK's retries and waiters observe all three.

use std::sync::Arc;
use std::time::{Duration, Instant};

pub use tokio_util::sync::CancellationToken;

/// Receives progress messages ("waiting for the instance to be running: pending").
pub trait Progress: Send + Sync {
    /// Reports what the operation is doing now.
    fn report(&self, message: &str);
}

/// Progress nobody listens to.
struct Silent;

impl Progress for Silent {
    fn report(&self, _message: &str) {}
}

/// The context of one provider operation.
#[derive(Clone)]
pub struct Context {
    /// Cancelled when the operation must stop (an interrupt, the engine shutting down).
    pub cancel: CancellationToken,
    /// When the operation must have finished, if it has a time limit.
    pub deadline: Option<Instant>,
    progress: Arc<dyn Progress>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("cancelled", &self.cancel.is_cancelled())
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl Default for Context {
    fn default() -> Context {
        Context::new(CancellationToken::new())
    }
}

impl Context {
    /// A context without deadline or progress listener, cancelled through `cancel`.
    pub fn new(cancel: CancellationToken) -> Context {
        Context {
            cancel,
            deadline: None,
            progress: Arc::new(Silent),
        }
    }

    /// The same context with a time limit from now.
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Context {
        self.deadline = timeout.map(|t| Instant::now() + t);
        self
    }

    /// The same context reporting progress to `progress`.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Context {
        self.progress = progress;
        self
    }

    /// Reports what the operation is doing now.
    pub fn report(&self, message: &str) {
        self.progress.report(message);
    }

    /// Whether the operation was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Time left before the deadline (None: no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Sleeps `duration`, or less when cancelled or the deadline comes first; says which.
    pub async fn sleep(&self, duration: Duration) -> Slept {
        let capped = match self.remaining() {
            Some(left) if left < duration => left,
            _ => duration,
        };
        tokio::select! {
            _ = self.cancel.cancelled() => Slept::Cancelled,
            _ = tokio::time::sleep(capped) => {
                if self.remaining().is_some_and(|left| left.is_zero()) {
                    Slept::DeadlinePassed
                } else {
                    Slept::Done
                }
            }
        }
    }
}

/// How a [`Context::sleep`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slept {
    /// The whole duration passed.
    Done,
    /// The operation was cancelled.
    Cancelled,
    /// The deadline passed.
    DeadlinePassed,
}
