//! TEMPORARY stub, replaced by the config branch.
use std::collections::BTreeMap;
use plinth_sdk::Diagnostics;
/// r
pub fn render(diags: &Diagnostics, _sources: &BTreeMap<String, String>, _color: bool) -> String {
    diags.0.iter().map(|d| format!("Error: {d}\n")).collect()
}
