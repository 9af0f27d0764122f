//! Interrupts like Terraform's, losing nothing: the first SIGINT or SIGTERM asks the apply to
//! stop starting operations (those in flight finish and are journalled, the lock is released,
//! the exit status is 1); a second one exits at once. What was journalled survives either way,
//! and the next apply finishes the work.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Whether the user asked the current apply to stop.
#[derive(Debug, Default)]
pub struct Interrupt {
    requested: AtomicBool,
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
                eprintln!(
                    "\nInterrupt received.\nPlease wait for plinth to exit or data loss may occur.\nGracefully shutting down..."
                );
            } else {
                eprintln!("\nTwo interrupts received. Exiting immediately; the next apply finishes the work.");
                std::process::exit(1);
            }
        }
    })
}
