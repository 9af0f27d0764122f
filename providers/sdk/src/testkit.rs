//! The contract test kit (feature `testkit`): checks every provider runs in its own test suite
//! against its real backend (the Docker Engine, moto, the DigitalOcean emulator), so each keeps
//! the promises of the `Provider` contract:
//! - create → read_many finds it → update → read_many sees the update → delete → read_many
//!   answers gone, with one answer per object asked about;
//! - a create whose answer was lost (plinth killed after the provider finished) is found again
//!   by `adopt` with its intent token;
//! - deleting twice succeeds.
//!
//! Each check returns a description of the first broken promise, so tests `expect` it.

use crate::{
    AdoptRequest, Context, CreateRequest, DeleteRequest, Intent, PlanRequest, Provider,
    ReadManyRequest, ReadResult, UpdateRequest, Value,
};

/// One resource type to check: a planned create and a planned in-place update of it.
#[derive(Clone, Debug)]
pub struct Case {
    /// The resource type.
    pub type_name: String,
    /// The configuration to create (computed attributes unknown), as the engine would plan it.
    pub create: Value,
    /// Attribute values to change in place afterwards (merged into the created object; empty
    /// for types whose every configurable attribute replaces: the update then changes nothing).
    pub update: Vec<(String, Value)>,
    /// The attribute whose value read_many must show after the update (`update`'s, else the
    /// created one's).
    pub check: String,
}

fn errors(diagnostics: &crate::Diagnostics) -> Option<String> {
    diagnostics.has_errors().then(|| diagnostics.to_string())
}

/// The engine's plan of a create: the provider's refinement of the proposal.
async fn planned(provider: &dyn Provider, ctx: &Context, case: &Case) -> Result<Value, String> {
    let plan = provider
        .plan(
            ctx,
            PlanRequest {
                type_name: case.type_name.clone(),
                prior: None,
                proposed: case.create.clone(),
                prior_private: Vec::new(),
            },
        )
        .await;
    if let Some(e) = errors(&plan.diagnostics) {
        return Err(format!("plan of the create failed: {e}"));
    }
    Ok(unknowns_to_null(plan.planned))
}

/// What the engine sends a create: computed values still unknown become null.
fn unknowns_to_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| (k, unknowns_to_null(v)))
                .collect(),
        ),
        Value::List(items) => Value::List(items.into_iter().map(unknowns_to_null).collect()),
        other => other,
    }
}

async fn read_one(
    provider: &dyn Provider,
    ctx: &Context,
    type_name: &str,
    object: &Value,
) -> Result<ReadResult, String> {
    let read = provider
        .read_many(
            ctx,
            ReadManyRequest {
                type_name: type_name.to_string(),
                objects: vec![object.clone()],
                privates: Vec::new(),
            },
        )
        .await;
    if let Some(e) = errors(&read.diagnostics) {
        return Err(format!("read_many failed: {e}"));
    }
    match <[ReadResult; 1]>::try_from(read.results) {
        Ok([result]) => Ok(result),
        Err(results) => Err(format!(
            "read_many answered {} results for 1 object",
            results.len()
        )),
    }
}

/// create → read → update → read → delete → read gives gone; delete again succeeds.
pub async fn lifecycle(provider: &dyn Provider, case: &Case) -> Result<(), String> {
    let ctx = Context::default();
    let planned = planned(provider, &ctx, case).await?;
    let created = provider
        .create(
            &ctx,
            CreateRequest {
                type_name: case.type_name.clone(),
                planned: planned.clone(),
                intent: Intent::new(format!("{}.kit", case.type_name), "default"),
                private: Vec::new(),
            },
        )
        .await;
    if let Some(e) = errors(&created.diagnostics) {
        return Err(format!("create failed: {e}"));
    }
    let created = created
        .new_state
        .ok_or("a successful create returned no object")?;
    match read_one(provider, &ctx, &case.type_name, &created).await? {
        ReadResult::Found(_) => {}
        other => return Err(format!("the created object reads as {other:?}")),
    }
    let mut wanted = created.as_map().cloned().unwrap_or_default();
    for (name, value) in &case.update {
        wanted.insert(name.clone(), value.clone());
    }
    let updated = provider
        .update(
            &ctx,
            UpdateRequest {
                type_name: case.type_name.clone(),
                prior: created.clone(),
                planned: Value::Map(wanted),
                private: Vec::new(),
            },
        )
        .await;
    if let Some(e) = errors(&updated.diagnostics) {
        return Err(format!("update failed: {e}"));
    }
    let updated = updated
        .new_state
        .ok_or("a successful update returned no object")?;
    let expected = case
        .update
        .iter()
        .find(|(name, _)| name == &case.check)
        .map(|(_, v)| v.clone())
        .or_else(|| created.get(&case.check).cloned());
    match read_one(provider, &ctx, &case.type_name, &updated).await? {
        ReadResult::Found(now) if now.get(&case.check).cloned() == expected => {}
        other => {
            return Err(format!(
                "after the update, {} reads as {other:?}, expected {expected:?}",
                case.check
            ))
        }
    }
    for round in ["delete", "second delete"] {
        let deleted = provider
            .delete(
                &ctx,
                DeleteRequest {
                    type_name: case.type_name.clone(),
                    prior: updated.clone(),
                    private: Vec::new(),
                },
            )
            .await;
        if let Some(e) = errors(&deleted.diagnostics) {
            return Err(format!("{round} failed: {e}"));
        }
    }
    match read_one(provider, &ctx, &case.type_name, &updated).await? {
        ReadResult::Gone => Ok(()),
        other => Err(format!("after the delete the object reads as {other:?}")),
    }
}

/// A create whose answer was lost is found by `adopt` with the same intent, and is the same
/// object; then it is deleted.
pub async fn adopts_an_interrupted_create(
    provider: &dyn Provider,
    case: &Case,
) -> Result<(), String> {
    let ctx = Context::default();
    let planned = planned(provider, &ctx, case).await?;
    let intent = Intent::new(format!("{}.adopted", case.type_name), "default");
    let created = provider
        .create(
            &ctx,
            CreateRequest {
                type_name: case.type_name.clone(),
                planned: planned.clone(),
                intent: intent.clone(),
                private: Vec::new(),
            },
        )
        .await;
    if let Some(e) = errors(&created.diagnostics) {
        return Err(format!("create failed: {e}"));
    }
    let created = created.new_state.ok_or("create returned no object")?;
    // The answer is "lost": only the intent is known, as after a kill.
    let adopted = provider
        .adopt(
            &ctx,
            AdoptRequest {
                type_name: case.type_name.clone(),
                intent,
                planned,
            },
        )
        .await;
    if let Some(e) = errors(&adopted.diagnostics) {
        return Err(format!("adopt failed: {e}"));
    }
    let found = adopted
        .found
        .ok_or("adopt did not find the object the create made")?;
    if found.get("id") != created.get("id") {
        return Err(format!(
            "adopt found {:?}, but the create made {:?}",
            found.get("id"),
            created.get("id")
        ));
    }
    let deleted = provider
        .delete(
            &ctx,
            DeleteRequest {
                type_name: case.type_name.clone(),
                prior: found,
                private: Vec::new(),
            },
        )
        .await;
    errors(&deleted.diagnostics).map_or(Ok(()), |e| Err(format!("delete failed: {e}")))
}

/// `adopt` of an intent no create used finds nothing.
pub async fn adopts_nothing_for_an_unused_intent(
    provider: &dyn Provider,
    case: &Case,
) -> Result<(), String> {
    let ctx = Context::default();
    let planned = planned(provider, &ctx, case).await?;
    let adopted = provider
        .adopt(
            &ctx,
            AdoptRequest {
                type_name: case.type_name.clone(),
                intent: Intent::new(format!("{}.never", case.type_name), "default"),
                planned,
            },
        )
        .await;
    if let Some(e) = errors(&adopted.diagnostics) {
        return Err(format!("adopt failed: {e}"));
    }
    match adopted.found {
        None => Ok(()),
        Some(found) => Err(format!("adopt found {found:?} for an intent never used")),
    }
}
