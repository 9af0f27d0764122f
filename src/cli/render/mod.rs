//! TEMPORARY stubs, replaced by the render branch.
use std::collections::BTreeMap;
use plinth_sdk::{Schema, Value};
use crate::plan::Plan;
/// r
pub fn render_plan(_plan: &Plan, _schemas: &dyn Fn(&str) -> Option<Schema>, _color: bool) -> String { String::new() }
/// j
pub fn plan_to_json(_plan: &Plan) -> serde_json::Value { serde_json::Value::Null }
/// i
pub fn render_instance(address: &str, _t: &str, _d: bool, value: &Value, _s: Option<&Schema>) -> String { format!("# {address}:\n{value}\n") }
/// o
pub fn render_outputs(outputs: &BTreeMap<String, (Value, bool)>) -> String { outputs.iter().map(|(k, (v, _))| format!("{k} = {v}\n")).collect() }
