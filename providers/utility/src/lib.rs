//! plinth's built-in utility providers: `random`, `null`, `local`, `time`, `tls`, `external`,
//! `http` and `archive`, with the resource types, attributes and import ids of HashiCorp's
//! providers of the same names, so configurations that use them run unchanged and need no
//! download.
//!
//! None of them talks to a cloud. `random`, `null`, `time` and `tls` keep everything in state (their
//! creates are `NoRemoteObject`); `local` and `archive` write files on this machine, `external`
//! runs a program and `http` makes a request, both only when read. [`BUILT_IN`] says which
//! HashiCorp provider and version each one stands in for.

mod archive;
mod common;
mod duration;
mod external;
mod generated;
mod http;
mod local;
mod null;
mod random;
mod time;
mod tls;

use std::sync::Arc;

use plinth_sdk::ProviderFactory;

/// A built-in provider standing in for a HashiCorp one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltIn {
    /// The local name and resource type prefix (`random`).
    pub name: &'static str,
    /// The registry source it replaces (`hashicorp/random`).
    pub source: &'static str,
    /// The version of that provider whose behaviour it implements (`3.6.3`).
    pub version: &'static str,
}

/// Every utility provider, with the HashiCorp provider it implements.
pub const BUILT_IN: &[BuiltIn] = &[
    BuiltIn {
        name: "archive",
        source: "hashicorp/archive",
        version: "2.7.0",
    },
    BuiltIn {
        name: "external",
        source: "hashicorp/external",
        version: "2.3.4",
    },
    BuiltIn {
        name: "http",
        source: "hashicorp/http",
        version: "3.4.5",
    },
    BuiltIn {
        name: "local",
        source: "hashicorp/local",
        version: "2.5.2",
    },
    BuiltIn {
        name: "null",
        source: "hashicorp/null",
        version: "3.2.3",
    },
    BuiltIn {
        name: "random",
        source: "hashicorp/random",
        version: "3.6.3",
    },
    BuiltIn {
        name: "time",
        source: "hashicorp/time",
        version: "0.12.1",
    },
    BuiltIn {
        name: "tls",
        source: "hashicorp/tls",
        version: "4.0.6",
    },
];

/// The factories of every utility provider.
pub fn factories() -> Vec<Arc<dyn ProviderFactory>> {
    vec![
        archive::factory(),
        external::factory(),
        http::factory(),
        local::factory(),
        null::factory(),
        random::factory(),
        time::factory(),
        tls::factory(),
    ]
}
