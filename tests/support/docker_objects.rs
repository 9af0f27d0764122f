//! Naming and removing the Docker objects one test makes: a unique prefix per call, and a guard
//! that removes, when dropped, every container, service, secret, config, network, image and
//! plugin whose name contains it, so a failing test leaves nothing on the shared engine.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A unique lowercase prefix (`{short}{pid}{n}{nanos}`) for one test's Docker objects.
pub fn unique_prefix(short: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{short}{}{}x{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        nanos % 100_000
    )
}

/// Removes the Docker objects whose names contain the prefix when dropped.
pub struct Cleanup(pub String);

impl Cleanup {
    /// The names `docker ARGS` lists that contain the prefix.
    fn named(&self, args: &[&str]) -> Vec<String> {
        Command::new("docker")
            .args(args)
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .filter(|n| n.contains(&self.0))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // Users before what they use: services and containers, then what they were given.
        let steps: [(&[&str], &[&str]); 7] = [
            (
                &["service", "ls", "--format", "{{.Name}}"],
                &["service", "rm"],
            ),
            (&["ps", "-a", "--format", "{{.Names}}"], &["rm", "-f"]),
            (
                &["secret", "ls", "--format", "{{.Name}}"],
                &["secret", "rm"],
            ),
            (
                &["config", "ls", "--format", "{{.Name}}"],
                &["config", "rm"],
            ),
            (
                &["network", "ls", "--format", "{{.Name}}"],
                &["network", "rm"],
            ),
            (
                &["images", "--format", "{{.Repository}}:{{.Tag}}"],
                &["rmi", "-f"],
            ),
            (
                &["plugin", "ls", "--format", "{{.Name}}"],
                &["plugin", "rm", "-f"],
            ),
        ];
        for (list, remove) in steps {
            let names = self.named(list);
            if !names.is_empty() {
                let _ = Command::new("docker").args(remove).args(&names).output();
            }
        }
    }
}
