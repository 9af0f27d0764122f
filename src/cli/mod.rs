//! The command line: clap commands, flags, exit codes, human and JSON rendering.

pub mod diagnostics;

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    0
}
