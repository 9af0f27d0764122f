//! plinth-plugin: the client of Terraform's provider plugin protocol, so plinth runs any
//! Terraform provider unchanged.
//!
//! Layers, bottom up:
//! - [`proto`]: the protocol's messages (tfplugin5 and tfplugin6), compiled from `proto/`;
//! - [`CtyType`] and [`codec`]: values as the protocol encodes them (msgpack against a cty
//!   type, unknowns, dynamic values) and sensitive marks kept on plinth's side;
//! - [`ProviderSchemas`]: schemas as the provider states them, converted into plinth's
//!   [`Schema`](plinth_sdk::Schema); [`PluginDiagnostic`] into plinth's diagnostics;
//! - [`handshake`], [`ProviderProcess`], TLS and transport: starting a provider the way
//!   go-plugin does (magic cookie, AutoMTLS, unix socket or loopback TCP);
//! - [`ProviderClient`]: one method per RPC, with timeouts, crash and hang reports;
//! - [`discovery`]: finding provider packages the way Terraform does (CLI configuration,
//!   filesystem mirrors, `.terraform/providers`, version constraints, the lock file).
//!
//! - [`adapter`]: a plugin as one more implementation of plinth's `Provider` contract.
//!
//! It knows no engine and no graph.

pub mod adapter;
mod client;
pub mod codec;
mod cty;
mod diagnostics;
pub mod discovery;
mod error;
pub mod handshake;
mod process;
pub mod proto;
mod schema;
mod schema_json;
mod tls;
mod transport;

pub use client::*;
pub use cty::{CtyType, TypeError};
pub use diagnostics::{has_errors, to_plinth as diagnostics_to_plinth, PluginDiagnostic};
pub use error::PluginError;
pub use process::{LaunchOptions, ProviderProcess, Timeouts};
pub use schema::{
    AttributeDef, AttributeKind, BlockDef, BlockNesting, BlockTypeDef, Description, FunctionDef,
    ObjectNesting, ParameterDef, ProviderSchemas, SchemaDef, SchemaError, ServerCapabilities,
};
pub use tls::{ClientCertificate, TlsError};
