//! Hardening regressions (issue 7), each named after what broke: secrets shown in deletions
//! and errors, paths that meant something else, panics and aborts on hostile input, and a CLI
//! that surprised its users. One test binary, one module per area.

mod support;

#[path = "hardening/cli.rs"]
mod cli;
#[path = "hardening/commands.rs"]
mod commands;
#[path = "hardening/docker_build.rs"]
mod docker_build;
#[path = "hardening/docker_secrets.rs"]
mod docker_secrets;
#[path = "hardening/docs.rs"]
mod docs;
#[path = "hardening/fuzz.rs"]
mod fuzz;
#[path = "hardening/limits.rs"]
mod limits;
#[path = "hardening/paths.rs"]
mod paths;
#[path = "hardening/provider_reference.rs"]
mod provider_reference;
#[path = "hardening/secret_grep.rs"]
mod secret_grep;
#[path = "hardening/secrets.rs"]
mod secrets;
