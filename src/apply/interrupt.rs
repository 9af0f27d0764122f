//! Interrupts like Terraform's, losing nothing: the first SIGINT or SIGTERM asks the apply to
//! stop starting operations (those in flight finish and are journalled, the lock is released,
//! the exit status is 1); a second one cancels the operations in flight (their waits and retries
//! stop, and what they made so far is journalled) and exits within a moment. What was journalled
//! survives either way, an interrupted create is found again by its intent token, and the next
//! apply finishes the work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use plinth_sdk::CancellationToken;

/// How long a second interrupt lets cancelled operations record what they made.
const CANCEL_GRACE: Duration = Duration::from_millis(200);

/// Whether the user asked the current apply to stop, and the token that cancels the provider
/// operations in flight.
#[derive(Debug, Default)]
pub struct Interrupt {
    requested: AtomicBool,
    cancel: CancellationToken,
}

impl Interrupt {
    /// Asks the apply to stop starting operations.
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// The token every operation's context carries, cancelled by a second interrupt.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }
}

/// Listens for SIGINT and SIGTERM on the current runtime until the returned task is aborted.
pub fn listen(interrupt: Arc<Interrupt>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return;
        };
        for count in 0.. {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            if count == 0 {
                interrupt.request();
                crate::errln!(
                    "\nInterrupt received.\nPlease wait for plinth to exit or data loss may occur.\nGracefully shutting down..."
                );
            } else {
                crate::errln!("\nTwo interrupts received. Exiting immediately; the next apply finishes the work.");
                interrupt.cancel.cancel();
                tokio::time::sleep(CANCEL_GRACE).await;
                std::process::exit(1);
            }
        }
    })
}
