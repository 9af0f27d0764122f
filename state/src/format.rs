//! The state file format: a versioned JSON document grouping instances by resource.
//!
//! ```json
//! { "version": 1, "plinth_version": "0.1.0", "serial": 3, "lineage": "...",
//!   "outputs": { "ip": { "value": "10.0.0.1" } },
//!   "resources": [ { "module": "module.vpc", "mode": "managed", "type": "aws_subnet",
//!                    "name": "public", "provider": "aws",
//!                    "instances": [ { "index_key": 0, "attributes": { ... },
//!                                     "sensitive_attributes": [], "dependencies": [],
//!                                     "create_before_destroy": false },
//!                                   { "index_key": 0, "deposed": "1a2b3c4d", ... } ] } ] }
//! ```
//!
//! `module` is absent for the root module, `index_key` without `count`/`for_each`, `status` when
//! the instance is ready, `sensitive` on outputs when false, `type` on outputs (cty's JSON form,
//! as Terraform keeps it) when not recorded, `deposed` on current objects (a
//! deposed object is the old object of a create_before_destroy replacement, not deleted yet).
//! Encoding is deterministic: resources sorted by module, mode, type, name and provider;
//! instances by key, the current object before its deposed ones; object keys sorted.
//! `pending_creates` (absent when empty) lists creates started but never recorded, each with
//! its intent token, so the next plan can find what they made. `schema_version` (absent when 0)
//! is the resource schema version an instance's attributes follow.
//! A file of a newer `version` is refused. Versions: 1, the first; 2 adds `deposed`,
//! `pending_creates` and `schema_version`. A version 1
//! file is a version 2 file without deposed objects, so it reads unchanged (the whole upgrade
//! step); the next change of shape adds its own upgrade function here.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use crate::addr::{
    is_identifier, module_path_string, parse_module_path, InstanceAddr, InstanceKey,
};
use crate::error::StateError;
use crate::model::{DeposedKey, Instance, Mode, OutputValue, PendingCreate, State, Status};

/// The newest state format version this build reads and the one it writes.
pub const FORMAT_VERSION: u64 = 2;

/// Encodes a state as pretty, deterministic JSON (ending in a newline).
///
/// Fails only when the state is internally inconsistent: an instance key that is not a valid
/// address, or an instance whose mode or type contradicts its address.
pub fn encode(state: &State) -> Result<Vec<u8>, StateError> {
    let mut rows = Vec::with_capacity(state.instances.len());
    let objects = state
        .instances
        .iter()
        .map(|(text, instance)| (text, None, instance))
        .chain(
            state
                .deposed_objects()
                .map(|(text, key, instance)| (text, Some(key), instance)),
        );
    for (text, deposed, instance) in objects {
        let addr: InstanceAddr = text.parse()?;
        if addr.mode != instance.mode || addr.type_name != instance.type_name {
            return Err(StateError::InconsistentInstance {
                address: text.clone(),
                reason: format!(
                    "recorded as {:?} {} but the address says {:?} {}",
                    instance.mode, instance.type_name, addr.mode, addr.type_name
                ),
            });
        }
        rows.push((addr, deposed, instance));
    }
    rows.sort_by(|(a, a_deposed, a_instance), (b, b_deposed, b_instance)| {
        (
            &a.module,
            a.mode,
            &a.type_name,
            &a.name,
            &a_instance.provider,
            &a.key,
            a_deposed,
        )
            .cmp(&(
                &b.module,
                b.mode,
                &b.type_name,
                &b.name,
                &b_instance.provider,
                &b.key,
                b_deposed,
            ))
    });

    let mut resources: Vec<ResourceOut<'_>> = Vec::new();
    for (addr, deposed, instance) in &rows {
        let same_group = resources.last().is_some_and(|last| {
            last.module_steps == addr.module.as_slice()
                && last.mode == addr.mode
                && last.type_name == addr.type_name
                && last.name == addr.name
                && last.provider == instance.provider
        });
        if !same_group {
            resources.push(ResourceOut {
                module: (!addr.module.is_empty()).then(|| module_path_string(&addr.module)),
                module_steps: &addr.module,
                mode: addr.mode,
                type_name: &addr.type_name,
                name: &addr.name,
                provider: &instance.provider,
                instances: Vec::new(),
            });
        }
        if let Some(resource) = resources.last_mut() {
            resource.instances.push(InstanceOut {
                index_key: addr.key.as_ref(),
                deposed: *deposed,
                status: (instance.status == Status::Tainted).then_some(Status::Tainted),
                attributes: SortedJson(&instance.attributes),
                sensitive_attributes: &instance.sensitive_attributes,
                dependencies: &instance.dependencies,
                create_before_destroy: instance.create_before_destroy,
                schema_version: instance.schema_version,
                private: instance.private.as_deref(),
            });
        }
    }

    let document = FileOut {
        version: FORMAT_VERSION,
        plinth_version: env!("CARGO_PKG_VERSION"),
        serial: state.serial,
        lineage: &state.lineage,
        outputs: state
            .outputs
            .iter()
            .map(|(name, output)| {
                let encoded = OutputOut {
                    value: SortedJson(&output.value),
                    sensitive: output.sensitive,
                    ty: output.ty.as_ref(),
                };
                (name.as_str(), encoded)
            })
            .collect(),
        resources,
        pending_creates: state
            .pending
            .iter()
            .map(|(address, create)| PendingOut {
                address,
                create: SortedPending(create),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&document).map_err(|error| StateError::Corrupt {
        detail: format!("could not encode the state: {error}"),
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The largest serial a state file may hold (2^53 - 1, exact in every JSON reader): far below
/// `u64::MAX`, so incrementing a serial never wraps around.
pub const MAX_SERIAL: u64 = (1 << 53) - 1;

/// Decodes a state file. A newer format version gives [`StateError::NewerVersion`]; invalid JSON
/// or a wrong shape gives [`StateError::Corrupt`] naming the line and column.
pub fn decode(bytes: &[u8]) -> Result<State, StateError> {
    let document: FileIn = match serde_json::from_slice(bytes) {
        Ok(document) => document,
        Err(error) => {
            // A newer format may have a shape this build does not know: say so rather than "corrupt".
            if let Ok(probe) = serde_json::from_slice::<VersionProbe>(bytes) {
                check_version(probe.version)?;
            }
            return Err(StateError::Corrupt {
                detail: error.to_string(),
            });
        }
    };
    check_version(document.version)?;
    if document.serial > MAX_SERIAL {
        return Err(StateError::Corrupt {
            detail: format!(
                "serial {} is beyond the largest serial plinth writes ({MAX_SERIAL}); the serial never wraps around, so push a state with a smaller serial (`plinth state push -force`)",
                document.serial
            ),
        });
    }

    let mut instances = BTreeMap::new();
    let mut deposed: BTreeMap<String, BTreeMap<DeposedKey, Instance>> = BTreeMap::new();
    for (position, resource) in document.resources.into_iter().enumerate() {
        let context = |reason: String| StateError::Corrupt {
            detail: format!("resources[{position}]: {reason}"),
        };
        let module = parse_module_path(resource.module.as_deref().unwrap_or(""))
            .map_err(|error| context(error.to_string()))?;
        for (what, text) in [("type", &resource.type_name), ("name", &resource.name)] {
            if !is_identifier(text) {
                return Err(context(format!(
                    "{what} {text:?} is not a valid identifier"
                )));
            }
        }
        for instance in resource.instances {
            let addr = InstanceAddr {
                module: module.clone(),
                mode: resource.mode,
                type_name: resource.type_name.clone(),
                name: resource.name.clone(),
                key: instance.index_key,
            };
            let address = addr.to_string();
            if !instance.attributes.is_object() {
                return Err(context(format!(
                    "attributes of {address} are not a JSON object"
                )));
            }
            let decoded = Instance {
                mode: resource.mode,
                type_name: resource.type_name.clone(),
                provider: resource.provider.clone(),
                status: instance.status,
                attributes: instance.attributes,
                sensitive_attributes: instance.sensitive_attributes,
                dependencies: instance.dependencies,
                create_before_destroy: instance.create_before_destroy,
                schema_version: instance.schema_version,
                private: instance.private,
            };
            let duplicate = match instance.deposed {
                Some(key) => deposed
                    .entry(address.clone())
                    .or_default()
                    .insert(key, decoded)
                    .is_some(),
                None => instances.insert(address.clone(), decoded).is_some(),
            };
            if duplicate {
                return Err(context(format!(
                    "instance {address} appears more than once"
                )));
            }
        }
    }
    Ok(State {
        lineage: document.lineage,
        serial: document.serial,
        outputs: document.outputs,
        instances,
        deposed,
        pending: document
            .pending_creates
            .into_iter()
            .map(|p| (p.address, p.create))
            .collect(),
    })
}

fn check_version(found: u64) -> Result<(), StateError> {
    if found > FORMAT_VERSION {
        return Err(StateError::NewerVersion {
            found,
            supported: FORMAT_VERSION,
        });
    }
    if found == 0 {
        return Err(StateError::Corrupt {
            detail: "state format version 0 does not exist".to_string(),
        });
    }
    Ok(())
}

#[derive(Serialize)]
struct FileOut<'a> {
    version: u64,
    plinth_version: &'static str,
    serial: u64,
    lineage: &'a str,
    outputs: BTreeMap<&'a str, OutputOut<'a>>,
    resources: Vec<ResourceOut<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pending_creates: Vec<PendingOut<'a>>,
}

#[derive(Serialize)]
struct PendingOut<'a> {
    address: &'a str,
    #[serde(flatten)]
    create: SortedPending<'a>,
}

/// A pending create with its planned value's keys sorted.
struct SortedPending<'a>(&'a PendingCreate);

impl Serialize for SortedPending<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(5))?;
        out.serialize_entry("token", &self.0.token)?;
        out.serialize_entry("workspace", &self.0.workspace)?;
        out.serialize_entry("type", &self.0.type_name)?;
        out.serialize_entry("provider", &self.0.provider)?;
        out.serialize_entry("planned", &SortedJson(&self.0.planned))?;
        out.end()
    }
}

#[derive(Serialize)]
struct OutputOut<'a> {
    value: SortedJson<'a>,
    #[serde(skip_serializing_if = "is_false")]
    sensitive: bool,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    ty: Option<&'a serde_json::Value>,
}

#[derive(Serialize)]
struct ResourceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    module: Option<String>,
    #[serde(skip)]
    module_steps: &'a [crate::addr::ModuleStep],
    mode: Mode,
    #[serde(rename = "type")]
    type_name: &'a str,
    name: &'a str,
    provider: &'a str,
    instances: Vec<InstanceOut<'a>>,
}

#[derive(Serialize)]
struct InstanceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    index_key: Option<&'a InstanceKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deposed: Option<&'a DeposedKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    attributes: SortedJson<'a>,
    sensitive_attributes: &'a [String],
    dependencies: &'a [String],
    create_before_destroy: bool,
    #[serde(skip_serializing_if = "is_zero")]
    schema_version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    private: Option<&'a str>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// Serialises a JSON value with every object's keys in sorted order, without copying it.
struct SortedJson<'a>(&'a serde_json::Value);

impl Serialize for SortedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut out = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    out.serialize_entry(key, &SortedJson(value))?;
                }
                out.end()
            }
            serde_json::Value::Array(items) => serializer.collect_seq(items.iter().map(SortedJson)),
            other => other.serialize(serializer),
        }
    }
}

#[derive(Deserialize)]
struct VersionProbe {
    version: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    version: u64,
    #[serde(rename = "plinth_version")]
    _plinth_version: String,
    serial: u64,
    lineage: String,
    #[serde(default)]
    outputs: BTreeMap<String, OutputValue>,
    #[serde(default)]
    resources: Vec<ResourceIn>,
    #[serde(default)]
    pending_creates: Vec<PendingIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PendingIn {
    address: String,
    #[serde(flatten)]
    create: PendingCreate,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceIn {
    #[serde(default)]
    module: Option<String>,
    mode: Mode,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    provider: String,
    instances: Vec<InstanceIn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceIn {
    #[serde(default)]
    index_key: Option<InstanceKey>,
    #[serde(default)]
    deposed: Option<DeposedKey>,
    #[serde(default)]
    status: Status,
    attributes: serde_json::Value,
    #[serde(default)]
    sensitive_attributes: Vec<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    create_before_destroy: bool,
    #[serde(default)]
    schema_version: u64,
    #[serde(default)]
    private: Option<String>,
}

#[cfg(test)]
mod tests;
