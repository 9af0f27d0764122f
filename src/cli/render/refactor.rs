//! The parts of the human plan `moved` and `removed` blocks add: objects that only move
//! ("has moved to"), the "(moved from ...)" note under a change of a moved object, and
//! objects forgotten without being destroyed.

use super::write::Writer;
use crate::plan::Plan;

/// The address a moved object had, if `address` is where a move put it.
pub fn moved_from<'p>(plan: &'p Plan, address: &str) -> Option<&'p str> {
    plan.moved
        .iter()
        .find(|m| m.to == address)
        .map(|m| m.from.as_str())
}

/// Whether the plan moves or forgets anything.
pub fn any(plan: &Plan) -> bool {
    !plan.moved.is_empty() || !plan.forgotten.is_empty()
}

/// A block per object that moves without other changes and per object forgotten.
pub fn sections(w: &mut Writer, plan: &Plan, changed: &dyn Fn(&str) -> bool) {
    for m in plan.moved.iter().filter(|m| !changed(&m.to)) {
        w.blank();
        w.bold(&format!("  # {} has moved to {}", m.from, m.to));
    }
    for forgotten in &plan.forgotten {
        w.blank();
        w.bold(&format!(
            "  # {} will no longer be managed by plinth",
            forgotten.address
        ));
        w.text("    # (removed with lifecycle { destroy = false }: the object itself is not destroyed)");
    }
}

/// ", 1 to forget" for the summary line when the plan forgets objects.
pub fn forget_count(plan: &Plan) -> String {
    match plan.forgotten.len() {
        0 => String::new(),
        n => format!(", {n} to forget"),
    }
}
