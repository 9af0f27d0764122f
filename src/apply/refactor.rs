//! Before any operation, apply records what the plan's `moved` and `removed` blocks decided:
//! objects given new addresses and objects forgotten (left running, out of state). One durable
//! journal batch holds them all, so a run killed later still has them.

use plinth_sdk::{Diagnostic, Diagnostics};
use plinth_state::{JournalEntry, State};

use crate::apply::journal::JournalWriter;
use crate::plan::moves::apply_moves;
use crate::plan::Plan;

/// `state` with the plan's moves and forgets made, journalled; on a journal failure the state
/// as it was, with the error.
pub async fn record(
    plan: &Plan,
    mut state: State,
    journal: &JournalWriter,
) -> Result<State, (State, Diagnostics)> {
    if plan.moved.is_empty() && plan.forgotten.is_empty() {
        return Ok(state);
    }
    let before = state.clone();
    apply_moves(&mut state, &plan.moved);
    for forgotten in &plan.forgotten {
        state.instances.remove(&forgotten.address);
        state.deposed.remove(&forgotten.address);
    }
    let mut entries = Vec::new();
    let touched = plan
        .moved
        .iter()
        .flat_map(|m| [&m.from, &m.to])
        .chain(plan.forgotten.iter().map(|f| &f.address));
    for address in touched {
        entries.extend(entries_for(&before, &state, address));
    }
    match journal.append(entries).await {
        Ok(()) => Ok(state),
        Err(e) => Err((
            before,
            Diagnostic::error("Failed to record moved and removed objects")
                .with_detail(format!(
                    "The state journal could not be written: {e}. Nothing was changed."
                ))
                .into(),
        )),
    }
}

/// The journal entries that turn `before` into `after` at `address`.
fn entries_for(before: &State, after: &State, address: &str) -> Vec<JournalEntry> {
    let mut entries = Vec::new();
    match after.instances.get(address) {
        Some(instance) if before.instances.get(address) != Some(instance) => {
            entries.push(JournalEntry::Put {
                address: address.to_string(),
                instance: instance.clone(),
            })
        }
        None if before.instances.contains_key(address) => entries.push(JournalEntry::Remove {
            address: address.to_string(),
        }),
        _ => {}
    }
    let no_deposed = Default::default();
    let old = before.deposed.get(address).unwrap_or(&no_deposed);
    let new = after.deposed.get(address).unwrap_or(&no_deposed);
    for (key, instance) in new {
        if old.get(key) != Some(instance) {
            entries.push(JournalEntry::PutDeposed {
                address: address.to_string(),
                key: key.clone(),
                instance: instance.clone(),
            });
        }
    }
    for key in old.keys().filter(|k| !new.contains_key(*k)) {
        entries.push(JournalEntry::RemoveDeposed {
            address: address.to_string(),
            key: key.clone(),
        });
    }
    entries
}
