//! Progress lines during apply, as Terraform users know them: "Creating...", "Still creating...
//! [10s elapsed]", "Creation complete after 2s [id=...]".

use std::future::Future;
use std::io::Write;
use std::time::{Duration, Instant};

/// What an operation does, for its progress lines.
#[derive(Clone, Copy, Debug)]
pub enum Verb {
    /// Create.
    Create,
    /// Update in place.
    Update,
    /// Delete.
    Destroy,
    /// Read a data source.
    Read,
}

impl Verb {
    fn ing(self) -> &'static str {
        match self {
            Verb::Create => "Creating",
            Verb::Update => "Modifying",
            Verb::Destroy => "Destroying",
            Verb::Read => "Reading",
        }
    }

    fn done(self) -> &'static str {
        match self {
            Verb::Create => "Creation complete",
            Verb::Update => "Modifications complete",
            Verb::Destroy => "Destruction complete",
            Verb::Read => "Read complete",
        }
    }
}

/// Prints progress lines to standard output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Printer {
    /// Print nothing (for `-json` runs).
    pub quiet: bool,
}

impl Printer {
    /// Prints one line.
    pub fn line(&self, text: &str) {
        if !self.quiet {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
        }
    }

    /// Runs `op`, printing its start, a "Still ..." line every 10 seconds, and its end.
    /// `id_of` names the resulting object's id for the completion line.
    pub async fn track<T, E, F: Future<Output = Result<T, E>>>(
        &self,
        address: &str,
        verb: Verb,
        id: Option<&str>,
        id_of: impl Fn(&T) -> Option<String>,
        op: F,
    ) -> Result<T, E> {
        let id_note = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        let shown_id = if matches!(verb, Verb::Update | Verb::Destroy) {
            id_note.as_str()
        } else {
            ""
        };
        self.line(&format!("{address}: {}...{shown_id}", verb.ing()));
        let start = Instant::now();
        tokio::pin!(op);
        let mut ticker = tokio::time::interval_at(
            tokio::time::Instant::now() + Duration::from_secs(10),
            Duration::from_secs(10),
        );
        let result = loop {
            tokio::select! {
                r = &mut op => break r,
                _ = ticker.tick() => {
                    self.line(&format!("{address}: Still {}... [{}s elapsed]", verb.ing().to_lowercase(), start.elapsed().as_secs()));
                }
            }
        };
        if let Ok(value) = &result {
            let secs = start.elapsed().as_secs();
            let id = id_of(value)
                .map(|i| format!(" [id={i}]"))
                .unwrap_or_default();
            self.line(&format!("{address}: {} after {secs}s{id}", verb.done()));
        }
        result
    }
}
