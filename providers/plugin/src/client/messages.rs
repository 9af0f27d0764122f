//! The requests and answers of [`ProviderClient`](super::ProviderClient), shaped like the
//! protocol's but the same for both major versions, with plinth [`Value`]s instead of encoded
//! `DynamicValue`s. Private data is opaque bytes the provider gets back unchanged: the planned
//! private data of a plan must reach the apply of the same change.

use std::collections::BTreeMap;

use plinth_sdk::Value;

use crate::codec::AttributePath;
use crate::{PluginDiagnostic, ServerCapabilities};

/// Why a provider deferred a change (only sent when the client allows deferrals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeferredReason {
    /// No reason given.
    Unknown,
    /// The resource's configuration is not known yet.
    ResourceConfigUnknown,
    /// The provider's configuration is not known yet.
    ProviderConfigUnknown,
    /// Something it depends on is missing.
    AbsentPrereq,
}

impl DeferredReason {
    pub(crate) fn from_code(code: i32) -> DeferredReason {
        match code {
            1 => DeferredReason::ResourceConfigUnknown,
            2 => DeferredReason::ProviderConfigUnknown,
            3 => DeferredReason::AbsentPrereq,
            _ => DeferredReason::Unknown,
        }
    }
}

/// What the provider offers, without schemas (`GetMetadata`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// Optional features.
    pub capabilities: ServerCapabilities,
    /// Managed resource type names.
    pub resources: Vec<String>,
    /// Data source names.
    pub data_sources: Vec<String>,
    /// Function names.
    pub functions: Vec<String>,
    /// Diagnostics (a provider that does not implement GetMetadata says so here).
    pub diagnostics: Vec<PluginDiagnostic>,
}

/// `ValidateProviderConfig` (protocol 5: `PrepareProviderConfig`).
#[derive(Clone, Debug, PartialEq)]
pub struct ValidateProviderResponse {
    /// Protocol 5 providers may return the configuration with defaults filled in.
    pub prepared_config: Option<Value>,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
}

/// `ReadResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadRequest {
    /// The resource type.
    pub type_name: String,
    /// The state plinth has.
    pub current_state: Value,
    /// The private data stored with it.
    pub private: Vec<u8>,
    /// The module's `provider_meta` value, if any.
    pub provider_meta: Option<Value>,
}

/// The answer to `ReadResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadResponse {
    /// The object as it is now; null when it no longer exists.
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
    /// Set when the provider deferred the read.
    pub deferred: Option<DeferredReason>,
}

/// `PlanResourceChange`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanRequest {
    /// The resource type.
    pub type_name: String,
    /// The stored state; null for a create.
    pub prior_state: Value,
    /// Configuration merged with the prior state's computed values; null for a destroy.
    pub proposed_new_state: Value,
    /// The configuration; null for a destroy.
    pub config: Value,
    /// Private data stored with the prior state.
    pub prior_private: Vec<u8>,
    /// The module's `provider_meta` value, if any.
    pub provider_meta: Option<Value>,
}

/// The answer to `PlanResourceChange`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanResponse {
    /// The planned state (unknown where the provider computes values at apply).
    pub planned_state: Value,
    /// Attributes whose change forces a replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Private data to hand to the apply of this change, unchanged.
    pub planned_private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
    /// The provider uses Terraform's legacy SDK type system: small inconsistencies between
    /// plan and result are to be tolerated (as warnings).
    pub legacy_type_system: bool,
    /// Set when the provider deferred the change.
    pub deferred: Option<DeferredReason>,
}

/// `ApplyResourceChange`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyRequest {
    /// The resource type.
    pub type_name: String,
    /// The stored state; null for a create.
    pub prior_state: Value,
    /// The planned state (fully known, except what the provider computes); null to destroy.
    pub planned_state: Value,
    /// The configuration; null for a destroy.
    pub config: Value,
    /// The plan's private data.
    pub planned_private: Vec<u8>,
    /// The module's `provider_meta` value, if any.
    pub provider_meta: Option<Value>,
}

/// The answer to `ApplyResourceChange`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApplyResponse {
    /// The object's new state; null after a destroy. Present even on error when something
    /// was created: it must be stored.
    pub new_state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
    /// See [`PlanResponse::legacy_type_system`].
    pub legacy_type_system: bool,
}

/// One object an import found.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedResource {
    /// Its resource type (a provider may return objects of several types).
    pub type_name: String,
    /// Its state.
    pub state: Value,
    /// Private data to store.
    pub private: Vec<u8>,
}

/// The answer to `ImportResourceState`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportResponse {
    /// What was found.
    pub imported: Vec<ImportedResource>,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
    /// Set when the provider deferred the import.
    pub deferred: Option<DeferredReason>,
}

/// Stored state to upgrade to the current schema.
#[derive(Clone, Debug, PartialEq)]
pub enum RawState {
    /// JSON, as state files store objects.
    Json(Vec<u8>),
    /// Terraform's pre-0.12 flat map form.
    Flatmap(BTreeMap<String, String>),
}

/// The answer to `UpgradeResourceState`.
#[derive(Clone, Debug, PartialEq)]
pub struct UpgradeResponse {
    /// The state in the current schema.
    pub upgraded_state: Value,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
}

/// The answer to `ReadDataSource`.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadDataResponse {
    /// The data source's result.
    pub state: Value,
    /// Problems found.
    pub diagnostics: Vec<PluginDiagnostic>,
    /// Set when the provider deferred the read.
    pub deferred: Option<DeferredReason>,
}

/// A provider function's error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text}")]
pub struct FunctionError {
    /// What went wrong.
    pub text: String,
    /// The argument at fault (counting from 0), when one is.
    pub argument: Option<i64>,
}
