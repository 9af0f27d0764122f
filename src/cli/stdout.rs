//! Printing to standard output and standard error that never panics: once a stream's reader has
//! gone (`plinth ... | head`, `2>&1 | head`) printing to it stops quietly and the command carries
//! on to its end, so a closed pipe never aborts an apply half way.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to standard output failed: nothing more is printed there.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Set once a write to standard error failed: nothing more is printed there.
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `args` (and a newline when `newline`) to `stream`, then flushes it; a failed write
/// (a closed pipe) sets `closed`, which stops all later output to that stream.
fn write_to(
    mut stream: impl Write,
    closed: &AtomicBool,
    args: std::fmt::Arguments<'_>,
    newline: bool,
) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    let written = stream
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                stream.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| stream.flush());
    if written.is_err() {
        closed.store(true, Ordering::Relaxed);
    }
}

/// Writes to standard output; see [`write_to`].
pub fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    write_to(std::io::stdout().lock(), &STDOUT_CLOSED, args, newline);
}

/// Writes to standard error; see [`write_to`].
pub fn write_err(args: std::fmt::Arguments<'_>, newline: bool) {
    write_to(std::io::stderr().lock(), &STDERR_CLOSED, args, newline);
}

/// `println!` that stops printing when standard output is closed instead of panicking.
#[macro_export]
macro_rules! outln {
    () => {
        $crate::cli::stdout::write(format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*), true)
    };
}

/// `print!` that stops printing when standard output is closed instead of panicking.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write(format_args!($($arg)*), false)
    };
}

/// `eprintln!` that stops printing when standard error is closed instead of panicking.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write_err(format_args!($($arg)*), true)
    };
}

/// `eprint!` that stops printing when standard error is closed instead of panicking.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::cli::stdout::write_err(format_args!($($arg)*), false)
    };
}
