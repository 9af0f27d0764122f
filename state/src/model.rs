//! The in-memory state: lineage, serial, outputs and resource instances keyed by address.
//!
//! `State` is plain data with no interior mutability, so the engine shares one snapshot behind an
//! `Arc` and builds the next one rather than mutating a shared copy.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::addr::{DeposedKey, Mode};

/// A whole state snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Identity of this state's history: set once when the state is created, never changed.
    pub lineage: String,
    /// Incremented by the writer every time a changed snapshot is written.
    pub serial: u64,
    /// Root module outputs by name.
    pub outputs: BTreeMap<String, OutputValue>,
    /// Resource instances keyed by their address in `InstanceAddr`'s `Display` form.
    pub instances: BTreeMap<String, Instance>,
    /// Deposed objects (old objects of create_before_destroy replacements not deleted yet), by
    /// instance address and deposed key. An instance may have deposed objects and no current one.
    pub deposed: BTreeMap<String, BTreeMap<DeposedKey, Instance>>,
    /// Creates that were started but whose outcome was never recorded (the run was killed), by
    /// instance address: the next plan asks the provider to find what they made.
    pub pending: BTreeMap<String, PendingCreate>,
}

/// A create that was started, journalled before the provider was called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingCreate {
    /// The token the provider put on the object.
    pub token: String,
    /// The workspace it was created for.
    pub workspace: String,
    /// The resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The provider configuration that made it.
    pub provider: String,
    /// The value the create was given.
    pub planned: serde_json::Value,
}

impl State {
    /// A fresh, empty state with a new random lineage and serial 0.
    pub fn new() -> Self {
        State {
            lineage: uuid::Uuid::new_v4().to_string(),
            serial: 0,
            outputs: BTreeMap::new(),
            instances: BTreeMap::new(),
            deposed: BTreeMap::new(),
            pending: BTreeMap::new(),
        }
    }

    /// Every object, current and deposed, with its address (`aws_instance.web`,
    /// `aws_instance.web (deposed object 1a2b3c4d)`), each instance's current object before its
    /// deposed ones.
    pub fn objects(&self) -> Vec<(String, &Instance)> {
        let mut addresses: Vec<&String> =
            self.instances.keys().chain(self.deposed.keys()).collect();
        addresses.sort();
        addresses.dedup();
        let mut out = Vec::with_capacity(self.instances.len());
        for address in addresses {
            if let Some(current) = self.instances.get(address) {
                out.push((address.clone(), current));
            }
            for (key, object) in self.deposed.get(address).into_iter().flatten() {
                out.push((format!("{address} (deposed object {key})"), object));
            }
        }
        out
    }

    /// Every deposed object as (instance address, key, object).
    pub fn deposed_objects(&self) -> impl Iterator<Item = (&String, &DeposedKey, &Instance)> {
        self.deposed
            .iter()
            .flat_map(|(address, objects)| objects.iter().map(move |(k, o)| (address, k, o)))
    }
}

impl Default for State {
    /// Same as [`State::new`]: a fresh lineage.
    fn default() -> Self {
        State::new()
    }
}

/// The value of one root module output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputValue {
    /// The output's value as JSON.
    pub value: serde_json::Value,
    /// Whether the output is redacted in human and JSON output.
    #[serde(default)]
    pub sensitive: bool,
    /// The value's type in cty's JSON form (`"string"`, `["list","string"]`), as Terraform
    /// keeps it; None in states written before plinth recorded it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<serde_json::Value>,
}

impl Instance {
    /// The provider's private bytes kept with the object (empty when none).
    pub fn private_bytes(&self) -> Vec<u8> {
        use base64::Engine;
        self.private
            .as_deref()
            .and_then(|text| base64::engine::general_purpose::STANDARD.decode(text).ok())
            .unwrap_or_default()
    }

    /// How `bytes` are kept in [`Instance::private`]: base64, or None when there are none.
    pub fn encode_private(bytes: &[u8]) -> Option<String> {
        use base64::Engine;
        (!bytes.is_empty()).then(|| base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

/// Whether an instance is usable or must be replaced at the next apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Created and in good order.
    #[default]
    Ready,
    /// Created only partly (or marked by the user): the next apply replaces it.
    Tainted,
}

/// One resource instance as recorded in state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Managed resource or data source (agrees with the address).
    pub mode: Mode,
    /// The resource type, e.g. `docker_container` (agrees with the address).
    pub type_name: String,
    /// The provider configuration that manages it, e.g. `docker` or `aws.west`.
    pub provider: String,
    /// Ready or tainted.
    pub status: Status,
    /// The object's attributes as a JSON object.
    pub attributes: serde_json::Value,
    /// Paths of attributes whose values are sensitive.
    pub sensitive_attributes: Vec<String>,
    /// Instance or resource addresses this instance depended on when last applied.
    pub dependencies: Vec<String>,
    /// Whether a replacement creates the new object before destroying this one.
    pub create_before_destroy: bool,
    /// The version of the resource type's schema the attributes follow.
    #[serde(default)]
    pub schema_version: u64,
    /// Bytes the provider asked to keep with the object (plugins' private data), base64 as in
    /// Terraform's state; handed back to every later read, plan and delete of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
}
