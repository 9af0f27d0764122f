//! Reading Terraform's (and OpenTofu's) state format version 4, so users switch without
//! re-importing: `terraform.tfstate` as a local backend's file or through `state push`.
//!
//! Converted: lineage, serial, outputs (value, sensitive, type), and every resource instance
//! (module path, mode, type, name, key, attributes, status, dependencies,
//! create_before_destroy, the provider's `private` data). The provider address `provider["registry.terraform.io/ns/NAME"]`
//! (with `.ALIAS`) becomes plinth's provider key `NAME` (`NAME.ALIAS`); sensitive attribute
//! paths become dotted names. Check results and schema versions are dropped.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::addr::{parse_module_path, DeposedKey, InstanceAddr, InstanceKey};
use crate::error::StateError;
use crate::format;
use crate::model::{Instance, Mode, OutputValue, State, Status};

#[derive(Deserialize)]
struct Probe {
    version: u64,
    #[serde(default)]
    terraform_version: Option<String>,
}

/// Decodes plinth's format, or Terraform's version 4 when the document is one.
pub fn decode_any(bytes: &[u8]) -> Result<State, StateError> {
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(probe) if probe.version == 4 && probe.terraform_version.is_some() => decode_v4(bytes),
        _ => format::decode(bytes),
    }
}

#[derive(Deserialize)]
struct FileV4 {
    serial: u64,
    lineage: String,
    #[serde(default)]
    outputs: BTreeMap<String, OutputV4>,
    #[serde(default)]
    resources: Vec<ResourceV4>,
}

#[derive(Deserialize)]
struct OutputV4 {
    value: serde_json::Value,
    #[serde(default)]
    sensitive: bool,
    #[serde(default, rename = "type")]
    ty: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ResourceV4 {
    #[serde(default)]
    module: Option<String>,
    mode: Mode,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    provider: String,
    #[serde(default)]
    instances: Vec<InstanceV4>,
}

#[derive(Deserialize)]
struct InstanceV4 {
    #[serde(default)]
    index_key: Option<InstanceKey>,
    #[serde(default)]
    deposed: Option<DeposedKey>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    attributes: Option<serde_json::Value>,
    #[serde(default)]
    sensitive_attributes: Vec<serde_json::Value>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    create_before_destroy: bool,
    #[serde(default)]
    private: Option<String>,
}

/// Decodes a Terraform version 4 state.
pub fn decode_v4(bytes: &[u8]) -> Result<State, StateError> {
    let file: FileV4 = serde_json::from_slice(bytes).map_err(|error| StateError::Corrupt {
        detail: format!("Terraform state: {error}"),
    })?;
    let mut instances = BTreeMap::new();
    let mut deposed: BTreeMap<String, BTreeMap<DeposedKey, Instance>> = BTreeMap::new();
    for (position, resource) in file.resources.into_iter().enumerate() {
        let context = |reason: String| StateError::Corrupt {
            detail: format!("Terraform state resources[{position}]: {reason}"),
        };
        let module = parse_module_path(resource.module.as_deref().unwrap_or(""))
            .map_err(|error| context(error.to_string()))?;
        let provider = provider_key(&resource.provider);
        for instance in resource.instances {
            let address = InstanceAddr {
                module: module.clone(),
                mode: resource.mode,
                type_name: resource.type_name.clone(),
                name: resource.name.clone(),
                key: instance.index_key,
            }
            .to_string();
            let attributes = instance
                .attributes
                .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
            if !attributes.is_object() {
                return Err(context(format!(
                    "attributes of {address} are not an object"
                )));
            }
            let object = Instance {
                mode: resource.mode,
                type_name: resource.type_name.clone(),
                provider: provider.clone(),
                status: match instance.status.as_deref() {
                    Some("tainted") => Status::Tainted,
                    _ => Status::Ready,
                },
                attributes,
                sensitive_attributes: instance
                    .sensitive_attributes
                    .iter()
                    .filter_map(sensitive_path)
                    .collect(),
                dependencies: instance.dependencies,
                create_before_destroy: instance.create_before_destroy,
                // Terraform's providers number their schemas their own way.
                schema_version: 0,
                private: instance.private,
            };
            match instance.deposed {
                Some(key) => {
                    deposed.entry(address).or_default().insert(key, object);
                }
                None => {
                    instances.insert(address, object);
                }
            }
        }
    }
    Ok(State {
        lineage: file.lineage,
        serial: file.serial,
        outputs: file
            .outputs
            .into_iter()
            .map(|(name, output)| {
                (
                    name,
                    OutputValue {
                        value: output.value,
                        sensitive: output.sensitive,
                        ty: output.ty,
                    },
                )
            })
            .collect(),
        instances,
        deposed,
        pending: Default::default(),
    })
}

/// `provider["registry.terraform.io/hashicorp/aws"].west` → `aws.west`.
fn provider_key(address: &str) -> String {
    let inner = address
        .strip_prefix("provider[\"")
        .and_then(|rest| rest.split_once("\"]"));
    match inner {
        Some((source, alias)) => {
            let name = source.rsplit('/').next().unwrap_or(source);
            format!("{name}{alias}")
        }
        None => address.to_string(),
    }
}

/// A Terraform sensitive path (`[{"type":"get_attr","value":"password"}]`) as `password`.
fn sensitive_path(path: &serde_json::Value) -> Option<String> {
    let mut out = String::new();
    for step in path.as_array()? {
        match (step["type"].as_str()?, &step["value"]) {
            ("get_attr", serde_json::Value::String(name)) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            ("index", value) => out.push_str(&format!("[{value}]")),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests;
