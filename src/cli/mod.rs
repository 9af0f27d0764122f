//! The command line: clap commands, flags, exit codes, human and JSON rendering.

pub mod render;

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    0
}
