//! The data sources: `digitalocean_droplet` and `digitalocean_droplets` (Droplets by id, name or
//! tag, or filtered and sorted), `digitalocean_ssh_key` and `digitalocean_vpc` (account objects
//! by name), and `digitalocean_image`, `digitalocean_region` and `digitalocean_sizes` (the
//! catalogue). Each answers with the same attribute names as the Terraform provider.

pub mod account;
pub mod catalogue;
pub mod droplets;
mod filter;

use plinth_sdk::{Diagnostic, Diagnostics, ReadDataResponse, Value};

/// A data source's answer.
fn found(state: Value) -> ReadDataResponse {
    ReadDataResponse {
        state: Some(state),
        ..ReadDataResponse::default()
    }
}

/// A data source's failure.
fn failed(diagnostics: impl Into<Diagnostics>) -> ReadDataResponse {
    ReadDataResponse {
        diagnostics: diagnostics.into(),
        ..ReadDataResponse::default()
    }
}

/// Exactly one match, or an error saying how many there were.
fn exactly_one<T>(mut matches: Vec<T>, what: &str) -> Result<T, Diagnostics> {
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(Diagnostic::error(format!("no {what} was found")).into()),
        n => Err(Diagnostic::error(format!(
            "{n} matches for {what} were found; narrow the search to one"
        ))
        .into()),
    }
}
