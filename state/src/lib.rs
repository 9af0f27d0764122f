//! plinth-state: the state model, its file format, the apply journal, locking and backends.
// TEMPORARY model, replaced by the state branch.
use std::collections::BTreeMap;
/// Mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Mode { /** m */ Managed, /** d */ Data }
/// Status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status { /** r */ Ready, /** t */ Tainted }
/// Output.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutputValue { /** v */ pub value: serde_json::Value, /** s */ pub sensitive: bool }
/// Instance.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Instance { /** */ pub mode: Mode, /** */ pub type_name: String, /** */ pub provider: String, /** */ pub status: Status, /** */ pub attributes: serde_json::Value, /** */ pub sensitive_attributes: Vec<String>, /** */ pub dependencies: Vec<String>, /** */ pub create_before_destroy: bool }
/// State.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct State { /** */ pub lineage: String, /** */ pub serial: u64, /** */ pub outputs: BTreeMap<String, OutputValue>, /** */ pub instances: BTreeMap<String, Instance> }
/// Journal entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum JournalEntry { /** */ Put { /** */ address: String, /** */ instance: Instance }, /** */ Remove { /** */ address: String }, /** */ Outputs { /** */ outputs: BTreeMap<String, OutputValue> } }
