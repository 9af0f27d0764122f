//! The `plinth` binary: parses the command line and runs a command.

fn main() {
    std::process::exit(plinth::cli::main());
}
