//! Planned changes of the root module's outputs.

use plinth_sdk::Value;

use crate::engine::results::Results;
use crate::plan::planner::PlanInput;
use crate::plan::{Action, OutputChange, PlanMode};

/// The change of every root output, and deletions of outputs no longer configured.
pub fn output_changes(input: &PlanInput<'_>, results: &Results) -> Vec<OutputChange> {
    let mut out = Vec::new();
    let destroying = input.options.mode == PlanMode::Destroy;
    for o in &input.config.root.outputs {
        let before = input.state.outputs.get(&o.name).map(|s| {
            let v = Value::from_json(&s.value);
            if s.sensitive {
                v.mark_sensitive()
            } else {
                v
            }
        });
        let after = if destroying {
            None
        } else {
            results.output("", &o.name)
        };
        let action = match (&before, &after) {
            (None, None) => continue,
            (None, Some(_)) => Action::Create,
            (Some(_), None) => Action::Delete,
            // Compared as stored: a set output is kept in state as a JSON array.
            (Some(b), Some(a)) if !a.contains_unknown() && b.to_json() == a.to_json() => {
                Action::NoOp
            }
            _ => Action::Update,
        };
        out.push(OutputChange {
            name: o.name.clone(),
            action,
            before,
            after,
            sensitive: o.sensitive,
        });
    }
    for (name, stored) in &input.state.outputs {
        if !input.config.root.outputs.iter().any(|o| &o.name == name) {
            let v = Value::from_json(&stored.value);
            out.push(OutputChange {
                name: name.clone(),
                action: Action::Delete,
                before: Some(v),
                after: None,
                sensitive: stored.sensitive,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
